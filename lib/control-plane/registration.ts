import { WorkersKv } from '@cdktf/provider-cloudflare/lib/workers-kv';
import { WorkersRoute } from '@cdktf/provider-cloudflare/lib/workers-route';
import { Fn, TerraformProvider } from 'cdktf';
import { Construct } from 'constructs';
import type { ICodeServerControlPlane } from './control-plane';
import { REGISTRY_PREFIX, registryKey, ServedEditor } from './worker/contract';
import { checkCloudflareId, checkDomain, checkPattern, contextOf, DIGITALOCEAN_TAG, isUnresolved, rejectProp } from '../private/validation';

/** An editor that a control plane starts on a visit and stops once it has powered off: what its registry entry says. */
export interface ControlPlaneEditor {
  /** The editor's name (its team member's), unique among the control plane's editors: the start hook's `editor` input. */
  readonly name: string;
  /** The editor's hostname, in the zone: the Worker's route is `<hostname>/*`, and the registry's key `editor/<hostname>`. */
  readonly hostname: string;
  /** The AUD tag of the editor's Access application: only a token for it opens or starts the editor. */
  readonly accessAudience: string;
  /** The DigitalOcean tag on the editor's droplet and on no other editor's (its firewall's tag): the cron finds the droplet by it. */
  readonly dropletTag: string;
  /**
   * The tag whose existence the editor's stack reads as "stopped" (its idle stop marker,
   * `IdleStopMarker.markerTag`): the cron creates it before it deletes the droplet, a start removes it.
   */
  readonly markerTag: string;
  /** The id of the Terraform stack that holds the editor: the start hook's `stack` input, the stack to deploy. */
  readonly stack: string;
}

/** Props of {@link ControlPlaneRegistration}. */
export interface ControlPlaneRegistrationProps {
  /** The control plane the editor registers with. */
  readonly controlPlane: ICodeServerControlPlane;
  /** The Cloudflare zone (32 hexadecimal characters) of the editor's hostname: its Worker route is made there. */
  readonly cloudflareZoneId: string;
  /** The editor. */
  readonly editor: ControlPlaneEditor;
  /**
   * The Cloudflare provider of the entry and the route.
   * @default - the stack's default Cloudflare provider
   */
  readonly cloudflareProvider?: TerraformProvider;
}

const EDITOR_NAME = /^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/;
const STACK_ID = /^[A-Za-z0-9_-]{1,255}$/;
const TAG_EXPECTED = 'expected a DigitalOcean tag name (letters, digits, ":", "-", "_")';

/**
 * One editor's registration with a control plane, made in the editor's own stack: its entry in
 * the control plane's KV namespace (key `editor/<hostname>`, value and metadata the JSON of the
 * editor, which the Worker reads on a visit and the cron lists) and the Worker's route on its
 * hostname. The control plane depends on no registration, so adding an editor deploys only its
 * own stack. An editor with an idle stop and a `controlPlane` makes one, `StartOnVisit`.
 */
export class ControlPlaneRegistration extends Construct {
  /** The registry entry, `editor/<hostname>` in the control plane's KV namespace. */
  public readonly entry: WorkersKv;
  /** The Worker's route on the editor's hostname, `<hostname>/*`. */
  public readonly route: WorkersRoute;

  constructor(scope: Construct, id: string, props: ControlPlaneRegistrationProps) {
    super(scope, id);
    const ctx = contextOf(this);
    const { controlPlane, editor } = props;
    checkCloudflareId(ctx, 'cloudflareZoneId', props.cloudflareZoneId);
    checkPattern(ctx, 'editor.name', editor.name, EDITOR_NAME, 'expected lower-case letters, digits and inner hyphens, e.g. "alice"');
    checkDomain(ctx, 'editor.hostname', editor.hostname);
    if (!editor.accessAudience) rejectProp(ctx, 'editor.accessAudience', editor.accessAudience, 'expected the AUD tag of the editor\'s Access application');
    checkPattern(ctx, 'editor.dropletTag', editor.dropletTag, DIGITALOCEAN_TAG, TAG_EXPECTED);
    checkPattern(ctx, 'editor.markerTag', editor.markerTag, DIGITALOCEAN_TAG, TAG_EXPECTED);
    checkPattern(ctx, 'editor.stack', editor.stack, STACK_ID, 'expected a stack\'s id, e.g. "editors-alice"');

    const served: ServedEditor = {
      name: editor.name,
      hostname: editor.hostname,
      accessAudience: editor.accessAudience,
      dropletTag: editor.dropletTag,
      markerTag: editor.markerTag,
      stack: editor.stack,
    };
    // Terraform writes the JSON: the audience and the tags are known only once their resources are.
    const json = Fn.jsonencode(served);
    const provider = props.cloudflareProvider;
    this.entry = new WorkersKv(this, 'Entry', {
      provider,
      accountId: controlPlane.cloudflareAccountId,
      namespaceId: controlPlane.registryNamespaceId,
      keyName: isUnresolved(editor.hostname) ? `${REGISTRY_PREFIX}${Fn.lower(editor.hostname)}` : registryKey(editor.hostname),
      value: json,
      metadata: json,
    });
    this.route = new WorkersRoute(this, 'Route', {
      provider,
      zoneId: props.cloudflareZoneId,
      pattern: `${editor.hostname}/*`,
      script: controlPlane.scriptName,
    });
  }
}
