import { TerraformStack } from 'cdktf';
import { Construct, IConstruct } from 'constructs';
import { isUnresolved, PropContext, propError } from './errors';

/**
 * A value that must be unique in a scope (a hostname in the app, an output prefix in a stack):
 * data in an editor's spec, registered once the editor is built and checked at synthesis, when
 * every construct of the app is known.
 */
export interface Claim {
  /** Unique in the whole app, or in the claimant's stack. */
  readonly scope: 'app' | 'stack';
  /** What the value is, in the error's words (`hostname`, `output prefix`). */
  readonly kind: string;
  readonly value: string;
  /** The prop it comes from, as the user wrote it (`ssh.hostname`). */
  readonly prop: string;
}

const REGISTRY_ID = 'ztcs-claims';

interface Holder { readonly path: string; readonly prop: string; readonly value: string; readonly kind: string }

/** The claims of a scope, by kind and value, in the order they were made; its validation reports every duplicate. */
class Claims {
  private readonly holders = new Map<string, Holder[]>();

  public add(path: string, claim: Claim): void {
    if (isUnresolved(claim.value)) return;
    const key = `${claim.kind}\u0000${claim.value}`;
    this.holders.set(key, [...(this.holders.get(key) ?? []), { path, prop: claim.prop, value: claim.value, kind: claim.kind }]);
  }

  public validate(): string[] {
    const errors: string[] = [];
    for (const [first, ...others] of this.holders.values()) {
      for (const h of others.filter((o) => o.path !== first.path)) {
        errors.push(propError({ construct: h.path }, h.prop, h.value, `is already the ${h.kind} of ${first.path}; give each instance its own`).message);
      }
    }
    return errors;
  }
}

/** A stack's claims: a child of the stack that synthesizes nothing, validated with the stack. */
class StackClaims extends Construct {
  public readonly claims = new Claims();

  constructor(scope: Construct) {
    super(scope, REGISTRY_ID);
    this.node.addValidation({ validate: () => this.claims.validate() });
  }
}

/** The app's claims, validated by the app's own node (`app.synth()` validates the root, not its children). */
const APP_CLAIMS = new WeakMap<IConstruct, Claims>();

function appClaims(root: IConstruct): Claims {
  let claims = APP_CLAIMS.get(root);
  if (!claims) {
    const made = new Claims();
    root.node.addValidation({ validate: () => made.validate() });
    APP_CLAIMS.set(root, made);
    claims = made;
  }
  return claims;
}

function stackClaims(scope: IConstruct): Claims {
  const stack = TerraformStack.of(scope);
  return ((stack.node.tryFindChild(REGISTRY_ID) as StackClaims | undefined) ?? new StackClaims(stack)).claims;
}

/** Registers a built construct's claims: a value claimed by two constructs fails the synthesis, naming both paths. */
export function registerClaims(owner: IConstruct, claims: readonly Claim[]): void {
  for (const claim of claims) {
    (claim.scope === 'app' ? appClaims(owner.node.root) : stackClaims(owner)).add(owner.node.path, claim);
  }
}

/** Checks that one construct's own claims hold no value twice (its SSH hostname is not its hostname). */
export function checkOwnClaims(ctx: PropContext, claims: readonly Claim[]): void {
  const seen = new Map<string, string>();
  for (const { kind, value, prop } of claims) {
    if (isUnresolved(value)) continue;
    const key = `${kind}\u0000${value}`;
    const earlier = seen.get(key);
    if (earlier !== undefined) throw propError(ctx, prop, value, `is already the ${kind} of ${ctx.construct} (its ${earlier}); give each its own`);
    seen.set(key, prop);
  }
}
