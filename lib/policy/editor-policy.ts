import { ZeroTrustAccessApplication } from '@cdktf/provider-cloudflare/lib/zero-trust-access-application';
import { Droplet } from '@cdktf/provider-digitalocean/lib/droplet';
import { Volume } from '@cdktf/provider-digitalocean/lib/volume';
import { Annotations, Aspects, IAspect, TerraformStack } from 'cdktf';
import { IConstruct } from 'constructs';
import { CodeServerAccess } from '../access/code-server-access';
import { CodeServerDroplet } from '../droplet/code-server-droplet';
import { UUID } from '../private/access-rules';
import { checkSize, MAX_VOLUME_GIB } from '../private/sizes';
import { checkIntegerRange, checkPattern, checkUnique, DIGITALOCEAN_TAG, isUnresolved, PropContext } from '../private/validation';
import { HomeVolume } from '../storage/home-volume';

/** Props of {@link EditorPolicy}: an organization's rules for every editor it is applied to. */
export interface EditorPolicyProps {
  /**
   * Tags added to every editor's droplet and home volume, beside the editor's own, e.g.
   * `team:platform` or `cost-center:42` (letters, digits, `:`, `_` and `-`).
   * @default - no tags added
   */
  readonly tags?: string[];
  /**
   * The droplet size slugs an editor may use, e.g. `['s-2vcpu-4gb', 's-4vcpu-8gb']`. A droplet of
   * another size fails synthesis.
   * @default - any size the editor accepts
   */
  readonly allowedSizes?: string[];
  /**
   * The largest home volume an editor may have, in GiB (1 to 16384). A larger home volume fails
   * synthesis (DigitalOcean cannot shrink a volume: a home already larger must be moved by hand).
   * @default - no cap
   */
  readonly maxHomeSizeGib?: number;
  /**
   * Ids (UUIDs) of the Cloudflare identity providers an editor's Access applications must require:
   * an application must allow identity providers of this list only. An application that allows
   * every provider of the account (no `identityProviderIds` on the editor) or another one fails
   * synthesis.
   * @default - any identity provider
   */
  readonly requiredIdentityProviderIds?: string[];
}

/** How the policy's own props are named in its errors: it is no construct and has no path. */
const POLICY: PropContext = { construct: 'EditorPolicy' };

/**
 * An organization's rules for editors, applied to a whole app: tags on every editor's droplet and
 * home volume, the droplet sizes allowed, a cap on home volumes and the identity providers every
 * Access application must require. An editor that breaks a rule fails synthesis with an error that
 * names the resource's construct path, the setting and the value; every broken rule of a stack is
 * listed at once.
 *
 * The policy works on the Terraform resources the library's constructs made (the droplet of a
 * `CodeServerDroplet`, the volume of a `HomeVolume`, the applications of a `CodeServerAccess`), so
 * it holds whichever props built them, in a single editor, a team or a fleet. Other resources of the
 * app are left alone. A value known only at apply (a token) cannot be checked: it gets a warning.
 *
 * Apply it with `policy.applyTo(app)` once every stack exists (cdktf 0.21 does not run aspects added
 * to the app itself, only those of a stack and below), or with `Aspects.of(stack).add(policy)`.
 */
export class EditorPolicy implements IAspect {
  private readonly tags: string[];
  private readonly allowedSizes?: string[];
  private readonly maxHomeSizeGib?: number;
  private readonly requiredIdentityProviderIds?: string[];
  private readonly checked = new WeakSet<IConstruct>();

  constructor(props: EditorPolicyProps) {
    (props.tags ?? []).forEach((t, i) => checkPattern(POLICY, `tags[${i}]`, t, DIGITALOCEAN_TAG, 'expected letters, digits, ":", "_" and "-", e.g. "team:platform"'));
    checkUnique(POLICY, 'tags', props.tags ?? []);
    (props.allowedSizes ?? []).forEach((size, i) => checkSize({ construct: `EditorPolicy allowedSizes[${i}]` }, size, true, true));
    checkUnique(POLICY, 'allowedSizes', props.allowedSizes ?? []);
    if (props.maxHomeSizeGib !== undefined) checkIntegerRange(POLICY, 'maxHomeSizeGib', props.maxHomeSizeGib, 1, MAX_VOLUME_GIB);
    (props.requiredIdentityProviderIds ?? []).forEach((id, i) =>
      checkPattern(POLICY, `requiredIdentityProviderIds[${i}]`, id, UUID, 'expected the id (a UUID) of a Cloudflare identity provider, e.g. "0e1f9e3a-5c5e-4bd8-8f4a-1c2d3e4f5a6b"'));
    checkUnique(POLICY, 'requiredIdentityProviderIds', props.requiredIdentityProviderIds ?? []);

    this.tags = [...(props.tags ?? [])];
    this.allowedSizes = props.allowedSizes && props.allowedSizes.length > 0 ? [...props.allowedSizes] : undefined;
    this.maxHomeSizeGib = props.maxHomeSizeGib;
    this.requiredIdentityProviderIds = props.requiredIdentityProviderIds && props.requiredIdentityProviderIds.length > 0
      ? [...props.requiredIdentityProviderIds] : undefined;
  }

  /**
   * Applies the policy to every stack in `scope` (an app, a stack or any construct holding stacks),
   * or to `scope` itself when it is inside a stack. A stack created in `scope` afterwards would
   * escape the policy: synthesis then fails and names it.
   */
  public applyTo(scope: IConstruct): void {
    if (isInsideStack(scope)) {
      Aspects.of(scope).add(this);
      return;
    }
    const stacksIn = () => scope.node.findAll().filter((c) => TerraformStack.isStack(c));
    stacksIn().forEach((stack) => Aspects.of(stack).add(this));
    // The app validates only its own node, after its stacks: the root checks that none escaped.
    scope.node.root.node.addValidation({
      validate: () => stacksIn()
        .filter((stack) => !Aspects.of(stack).all.includes(this))
        .map((stack) => `EditorPolicy: stack ${stack.node.path} was created after EditorPolicy.applyTo(${scope.node.path || 'the app'}) and escapes it: apply the policy once every stack exists`),
    });
  }

  /**
   * Adds the tags to an editor's droplet or home volume and has its rules checked when the stack is
   * validated (called by cdktf at synthesis, for every construct the policy applies to).
   */
  public visit(node: IConstruct): void {
    const owner = node.node.scope;
    let rules: (() => string[]) | undefined;
    if (node instanceof Droplet && owner instanceof CodeServerDroplet) {
      if (this.tags.length > 0) node.tags = withTags(node.tagsInput, this.tags);
      rules = () => this.dropletRules(node);
    } else if (node instanceof Volume && owner instanceof HomeVolume) {
      if (this.tags.length > 0) node.tags = withTags(node.tagsInput, this.tags);
      rules = () => this.homeRules(node);
    } else if (node instanceof ZeroTrustAccessApplication && owner instanceof CodeServerAccess) {
      rules = () => this.applicationRules(node);
    }
    if (rules === undefined || this.checked.has(node)) return;
    this.checked.add(node);
    // Checked when the stack is validated, after every aspect: the values the resource is written with.
    node.node.addValidation({ validate: () => rules().map((broken) => `EditorPolicy ${broken}`) });
  }

  private dropletRules(droplet: Droplet): string[] {
    const size = droplet.sizeInput;
    if (this.allowedSizes === undefined || size === undefined) return [];
    if (isUnresolved(size)) return cannotCheck(droplet, 'allowedSizes', 'size');
    if (this.allowedSizes.includes(size)) return [];
    return [`allowedSizes: size ${JSON.stringify(size)} is not allowed: expected one of ${quoted(this.allowedSizes, ', ')}`];
  }

  private homeRules(volume: Volume): string[] {
    const size = volume.sizeInput;
    if (this.maxHomeSizeGib === undefined || size === undefined) return [];
    if (isUnresolved(size)) return cannotCheck(volume, 'maxHomeSizeGib', 'size');
    if (size <= this.maxHomeSizeGib) return [];
    return [`maxHomeSizeGib: a home volume of ${size} GiB is larger than the ${this.maxHomeSizeGib} GiB allowed`];
  }

  private applicationRules(application: ZeroTrustAccessApplication): string[] {
    const required = this.requiredIdentityProviderIds;
    if (required === undefined) return [];
    const allowed = application.allowedIdpsInput ?? [];
    if (isUnresolved(allowed) || allowed.some(isUnresolved)) return cannotCheck(application, 'requiredIdentityProviderIds', 'allowed_idps');
    const other = allowed.filter((id) => !required.includes(id));
    const what = allowed.length === 0 ? 'every identity provider of the account' : `identity provider ${quoted(other, ', ')}`;
    if (allowed.length > 0 && other.length === 0) return [];
    return [`requiredIdentityProviderIds: Access application ${JSON.stringify(application.nameInput)} allows ${what}: ` +
      `expected only ${quoted(required, ' or ')} (access.identityProviderIds on the editor)`];
  }
}

function isInsideStack(scope: IConstruct): boolean {
  return scope.node.scopes.some((c) => TerraformStack.isStack(c));
}

/** A resource's tags with the policy's added, each once, the resource's own first. */
function withTags(own: string[] | undefined, added: readonly string[]): string[] {
  const tags = [...(own ?? [])];
  for (const tag of added) if (!tags.includes(tag)) tags.push(tag);
  return tags;
}

function quoted(values: readonly string[], separator: string): string {
  return values.map((v) => JSON.stringify(v)).join(separator);
}

/** A value known only at apply: no rule broken that synthesis can see, and a warning that says so. */
function cannotCheck(resource: IConstruct, setting: string, attribute: string): string[] {
  Annotations.of(resource).addWarning(`EditorPolicy ${setting}: ${attribute} is known only at apply and is not checked`);
  return [];
}
