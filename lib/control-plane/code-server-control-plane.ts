import { readFileSync } from 'fs';
import { join } from 'path';
import { WorkersCronTrigger } from '@cdktf/provider-cloudflare/lib/workers-cron-trigger';
import { WorkersKvNamespace } from '@cdktf/provider-cloudflare/lib/workers-kv-namespace';
import { WorkersRoute } from '@cdktf/provider-cloudflare/lib/workers-route';
import { WorkersScript, WorkersScriptBindings } from '@cdktf/provider-cloudflare/lib/workers-script';
import { TerraformProvider } from 'cdktf';
import { Construct } from 'constructs';
import {
  checkCloudflareId, checkDomain, checkHttpsUrl, checkIntegerRange, checkPattern, checkTeamName, checkUnique, contextOf, DIGITALOCEAN_TAG,
  isUnresolved, PropContext, rejectProp,
} from '../private/validation';
import { BINDINGS, ServedEditor, StartLimits } from './worker/contract';

/** An editor that the control plane starts on a visit and stops when it powers off. */
export interface ControlPlaneEditor {
  /** The editor's name (its team member's), unique among the editors: the start hook's `editor` input. */
  readonly name: string;
  /** The editor's hostname, in the zone: the Worker's route is `<hostname>/*`. */
  readonly hostname: string;
  /** The AUD tag of the editor's Access application: only a token for it opens or starts the editor. */
  readonly accessAudience: string;
  /** The DigitalOcean tag on the editor's droplet and on no other editor's: the cron finds the droplet by it. */
  readonly dropletTag: string;
  /**
   * The tag whose existence the editor's stack reads as "stopped" (its idle stop marker,
   * `IdleStopMarker.markerTag`): the cron creates it before it deletes the droplet, the start removes it.
   */
  readonly markerTag: string;
}

/** Props of {@link CodeServerControlPlane}. */
export interface CodeServerControlPlaneProps {
  /** The Cloudflare account (32 hexadecimal characters) that runs the Worker and holds its KV namespace. */
  readonly cloudflareAccountId: string;
  /** The Cloudflare zone (32 hexadecimal characters) of the editors' hostnames: the Worker's routes are made in it. */
  readonly cloudflareZoneId: string;
  /** The Cloudflare Zero Trust team name, as in `<team>.cloudflareaccess.com`: the Access tokens' issuer and where its keys are. */
  readonly teamName: string;
  /** The editors the control plane serves: one route each, started on a visit, stopped when powered off. */
  readonly editors: ControlPlaneEditor[];
  /**
   * The DigitalOcean token of the control plane, the only one outside Terraform's hands: a
   * custom-scoped token with `droplet:read`, `droplet:delete`, `tag:create` and `tag:delete`
   * (docs/start-on-visit.md). A sensitive Terraform variable's value: it becomes a secret binding
   * of the Worker, and a literal would be written into cdk.tf.json in the clear.
   */
  readonly digitaloceanToken: string;
  /**
   * Where the control plane asks for a start: an https URL that it POSTs
   * `{"ref": startHookRef, "inputs": {"editor": name}}` to with `Authorization: Bearer <startHookSecret>`,
   * which is GitHub's workflow_dispatch call (`https://api.github.com/repos/<owner>/<repo>/actions/workflows/<file>/dispatches`)
   * or any webhook that deploys the editor's stack.
   */
  readonly startHookUrl: string;
  /** The start hook's bearer token (for GitHub, a token allowed to run the workflow): a sensitive Terraform variable's value. */
  readonly startHookSecret: string;
  /**
   * The git ref that the start hook's body names (GitHub runs the workflow of that ref).
   * @default "main"
   */
  readonly startHookRef?: string;
  /**
   * When the cron looks for powered-off editors, as a cron expression of five fields (UTC).
   * @default "*\/5 * * * *" (every five minutes)
   */
  readonly schedule?: string;
  /**
   * About how long a start takes, from the hook's call to the editor answering, in minutes: what
   * the starting page says.
   * @default 4
   */
  readonly expectedStartMinutes?: number;
  /**
   * How long a start counts as under way, in minutes: no second start hook call for the editor
   * within it. At least `expectedStartMinutes`.
   * @default 15
   */
  readonly startTimeoutMinutes?: number;
  /**
   * The most start hook calls for one editor in an hour.
   * @default 4
   */
  readonly maxStartsPerHour?: number;
  /**
   * The Worker's name in the account.
   * @default "ztcs-control-plane"
   */
  readonly scriptName?: string;
  /**
   * The Cloudflare provider of the Worker, its routes, cron trigger and KV namespace.
   * @default - the stack's default Cloudflare provider
   */
  readonly cloudflareProvider?: TerraformProvider;
}

/** The defaults of {@link CodeServerControlPlaneProps}, for documentation and tests. */
export const CONTROL_PLANE_DEFAULTS = {
  startHookRef: 'main',
  schedule: '*/5 * * * *',
  expectedStartMinutes: 4,
  startTimeoutMinutes: 15,
  maxStartsPerHour: 4,
  scriptName: 'ztcs-control-plane',
} as const;

/** The settings that have defaults, resolved. */
type Settings = { readonly [K in keyof typeof CONTROL_PLANE_DEFAULTS]-?: NonNullable<CodeServerControlPlaneProps[K]> };

/** The Workers runtime's behaviour that the Worker is written for. */
const COMPATIBILITY_DATE = '2025-09-01';
/** The module's name in the upload: the bundle is one ES module. */
const MAIN_MODULE = 'worker.mjs';
/** The Worker, bundled by scripts/bundle-worker.ts. */
const WORKER_BUNDLE = join(__dirname, 'assets', MAIN_MODULE);

const EDITOR_NAME = /^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/;
const SCRIPT_NAME = /^[a-z0-9](?:[a-z0-9_-]{0,61}[a-z0-9])?$/;
/** Five fields of digits, `*`, `/`, `,`, `-` and the names of days and months. */
const CRON = /^([0-9A-Za-z*/,-]+\s+){4}[0-9A-Za-z*/,-]+$/;
const SECRET_WAY = 'pass a sensitive Terraform variable\'s value, e.g. new TerraformVariable(this, "control_plane_token", { type: "string", sensitive: true }).stringValue';

function checkSecret(ctx: PropContext, prop: string, value: string): void {
  if (value === undefined || value === '') rejectProp(ctx, prop, value, `is required: ${SECRET_WAY}`);
  if (!isUnresolved(value)) rejectProp(ctx, prop, '(a literal string, not shown)', `a literal would be written into cdk.tf.json in the clear: ${SECRET_WAY}`);
}

function checkEditors(ctx: PropContext, editors: ControlPlaneEditor[]): void {
  if (!Array.isArray(editors) || editors.length === 0) {
    rejectProp(ctx, 'editors', editors, 'expected at least one editor, e.g. [{ name: "alice", hostname: "alice.code.example.com", accessAudience, dropletTag, markerTag }]');
  }
  editors.forEach((editor, i) => {
    checkPattern(ctx, `editors[${i}].name`, editor.name, EDITOR_NAME, 'expected lower-case letters, digits and inner hyphens, e.g. "alice"');
    checkDomain(ctx, `editors[${i}].hostname`, editor.hostname);
    if (!editor.accessAudience) rejectProp(ctx, `editors[${i}].accessAudience`, editor.accessAudience, 'expected the AUD tag of the editor\'s Access application');
    checkPattern(ctx, `editors[${i}].dropletTag`, editor.dropletTag, DIGITALOCEAN_TAG, 'expected a DigitalOcean tag name (letters, digits, ":", "-", "_")');
    checkPattern(ctx, `editors[${i}].markerTag`, editor.markerTag, DIGITALOCEAN_TAG, 'expected a DigitalOcean tag name (letters, digits, ":", "-", "_")');
  });
  const known = (values: string[]) => values.filter((value) => !isUnresolved(value));
  checkUnique(ctx, 'editors[].name', known(editors.map((editor) => editor.name)));
  checkUnique(ctx, 'editors[].hostname', known(editors.map((editor) => editor.hostname)));
  checkUnique(ctx, 'editors[].dropletTag', known(editors.map((editor) => editor.dropletTag)));
  checkUnique(ctx, 'editors[].markerTag', known(editors.map((editor) => editor.markerTag)));
}

/**
 * The control plane of stopped editors, at Cloudflare's edge: a Worker on each editor's hostname
 * that checks the visitor's Access token for that editor, shows a "your editor is starting" page
 * and calls the start hook when the editor does not answer, and a cron trigger that turns a
 * powered-off editor into a stopped one (its marker tag, then its droplet deleted; the home
 * volume stays). It holds the only DigitalOcean token: no droplet needs one. See docs/start-on-visit.md.
 */
export class CodeServerControlPlane extends Construct {
  /** The Worker: the bundled module, its settings and secrets as bindings. */
  public readonly script: WorkersScript;
  /** The KV namespace of the editors' start records. */
  public readonly state: WorkersKvNamespace;
  /** The Worker's route on each editor's hostname, in the order of `editors`. */
  public readonly routes: WorkersRoute[];
  /** The cron trigger of the stop of powered-off editors. */
  public readonly cronTrigger: WorkersCronTrigger;

  constructor(scope: Construct, id: string, props: CodeServerControlPlaneProps) {
    super(scope, id);
    const ctx = contextOf(this);
    const o: Settings = { ...CONTROL_PLANE_DEFAULTS, ...withoutUndefined(props) };
    checkCloudflareId(ctx, 'cloudflareAccountId', props.cloudflareAccountId);
    checkCloudflareId(ctx, 'cloudflareZoneId', props.cloudflareZoneId);
    checkTeamName(ctx, 'teamName', props.teamName);
    checkEditors(ctx, props.editors);
    checkSecret(ctx, 'digitaloceanToken', props.digitaloceanToken);
    checkHttpsUrl(ctx, 'startHookUrl', props.startHookUrl);
    checkSecret(ctx, 'startHookSecret', props.startHookSecret);
    if (!o.startHookRef) rejectProp(ctx, 'startHookRef', o.startHookRef, 'expected a git ref, e.g. "main"');
    checkPattern(ctx, 'schedule', o.schedule, CRON, 'expected a cron expression of five fields, e.g. "*/5 * * * *"');
    checkPattern(ctx, 'scriptName', o.scriptName, SCRIPT_NAME, 'expected lower-case letters, digits, "-" and "_", e.g. "ztcs-control-plane"');
    checkIntegerRange(ctx, 'expectedStartMinutes', o.expectedStartMinutes, 1, 60);
    checkIntegerRange(ctx, 'startTimeoutMinutes', o.startTimeoutMinutes, o.expectedStartMinutes, 180);
    checkIntegerRange(ctx, 'maxStartsPerHour', o.maxStartsPerHour, 1, 60);

    const provider = props.cloudflareProvider;
    this.state = new WorkersKvNamespace(this, 'State', { provider, accountId: props.cloudflareAccountId, title: `${o.scriptName}-state` });
    this.script = new WorkersScript(this, 'Script', {
      provider,
      accountId: props.cloudflareAccountId,
      scriptName: o.scriptName,
      content: readFileSync(WORKER_BUNDLE, 'utf8'),
      mainModule: MAIN_MODULE,
      compatibilityDate: COMPATIBILITY_DATE,
      bindings: controlPlaneBindings(props, o, this.state.id),
    });
    this.routes = props.editors.map((editor, i) => new WorkersRoute(this, `Route${i}`, {
      provider,
      zoneId: props.cloudflareZoneId,
      pattern: `${editor.hostname}/*`,
      script: this.script.scriptName,
    }));
    this.cronTrigger = new WorkersCronTrigger(this, 'Cron', {
      provider,
      accountId: props.cloudflareAccountId,
      scriptName: this.script.scriptName,
      schedules: [{ cron: o.schedule }],
    });
  }
}

/** The Worker's bindings (BINDINGS names them): its settings as text, its tokens as secrets, its KV namespace. */
function controlPlaneBindings(props: CodeServerControlPlaneProps, o: Settings, kvNamespaceId: string): WorkersScriptBindings[] {
  const editors: ServedEditor[] = props.editors.map(({ name, hostname, accessAudience, dropletTag, markerTag }) =>
    ({ name, hostname, accessAudience, dropletTag, markerTag }));
  const limits: StartLimits = {
    expectedSeconds: o.expectedStartMinutes * 60,
    startTimeoutSeconds: o.startTimeoutMinutes * 60,
    maxStartsPerHour: o.maxStartsPerHour,
  };
  const text = (name: string, value: string): WorkersScriptBindings => ({ name, type: 'plain_text', text: value });
  const secret = (name: string, value: string): WorkersScriptBindings => ({ name, type: 'secret_text', text: value });
  return [
    text(BINDINGS.editors, JSON.stringify(editors)),
    text(BINDINGS.accessTeamUrl, `https://${props.teamName}.cloudflareaccess.com`),
    text(BINDINGS.digitaloceanApiUrl, 'https://api.digitalocean.com'),
    secret(BINDINGS.digitaloceanToken, props.digitaloceanToken),
    text(BINDINGS.startHookUrl, props.startHookUrl),
    secret(BINDINGS.startHookSecret, props.startHookSecret),
    text(BINDINGS.startHookRef, o.startHookRef),
    text(BINDINGS.startLimits, JSON.stringify(limits)),
    { name: BINDINGS.state, type: 'kv_namespace', namespaceId: kvNamespaceId },
  ];
}

/** The props given, without those given as undefined (which would hide a default). */
function withoutUndefined<T extends object>(props: T): Partial<T> {
  return Object.fromEntries(Object.entries(props).filter(([, value]) => value !== undefined)) as Partial<T>;
}
