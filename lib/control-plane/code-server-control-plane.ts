import { readFileSync } from 'fs';
import { join } from 'path';
import { WorkersCronTrigger } from '@cdktf/provider-cloudflare/lib/workers-cron-trigger';
import { WorkersKvNamespace } from '@cdktf/provider-cloudflare/lib/workers-kv-namespace';
import { WorkersScript, WorkersScriptBindings } from '@cdktf/provider-cloudflare/lib/workers-script';
import { TerraformProvider } from 'cdktf';
import { Construct } from 'constructs';
import type { ControlPlaneOptions, ICodeServerControlPlane, StartHook, StartHookSpec } from './control-plane';
import { BINDINGS, StartLimits } from './worker/contract';
import { controlPlaneScriptNameOf } from '../private/naming';
import { checkCloudflareId, checkHttpsUrl, checkIntegerRange, checkPattern, checkTeamName, contextOf, isUnresolved, PropContext, rejectProp } from '../private/validation';

/** Props of {@link CodeServerControlPlane}. */
export interface CodeServerControlPlaneProps extends ControlPlaneOptions {
  /** The Cloudflare account (32 hexadecimal characters) that runs the Worker and holds its KV namespace. */
  readonly cloudflareAccountId: string;
  /** The Cloudflare Zero Trust team name, as in `<team>.cloudflareaccess.com`: the Access tokens' issuer and where its keys are. */
  readonly teamName: string;
  /**
   * The Cloudflare provider of the Worker, its cron trigger and KV namespace.
   * @default - the stack's default Cloudflare provider
   */
  readonly cloudflareProvider?: TerraformProvider;
}

/** The defaults of {@link ControlPlaneOptions}, for documentation and tests (the script's name derives from the owner's path). */
export const CONTROL_PLANE_DEFAULTS = {
  schedule: '*/5 * * * *',
  expectedStartMinutes: 4,
  startTimeoutMinutes: 15,
  maxStartsPerHour: 4,
  digitaloceanApiUrl: 'https://api.digitalocean.com',
} as const;

/** The settings that have defaults, resolved. */
type Settings = { readonly [K in keyof typeof CONTROL_PLANE_DEFAULTS | 'scriptName']-?: NonNullable<ControlPlaneOptions[K]> };

/** The Workers runtime's behaviour that the Worker is written for. */
const COMPATIBILITY_DATE = '2025-09-01';
/** The module's name in the upload: the bundle is one ES module. */
const MAIN_MODULE = 'worker.mjs';
/** The Worker, bundled by scripts/bundle-worker.ts. */
const WORKER_BUNDLE = join(__dirname, 'assets', MAIN_MODULE);

const SCRIPT_NAME = /^[a-z0-9](?:[a-z0-9_-]{0,61}[a-z0-9])?$/;
/** Five fields of digits, `*`, `/`, `,`, `-` and the names of days and months. */
const CRON = /^([0-9A-Za-z*/,-]+\s+){4}[0-9A-Za-z*/,-]+$/;
const SECRET_WAY = 'pass a sensitive Terraform variable\'s value, e.g. new TerraformVariable(this, "control_plane_token", { type: "string", sensitive: true }).stringValue';

function checkSecret(ctx: PropContext, prop: string, value: string): void {
  if (value === undefined || value === '') rejectProp(ctx, prop, value, `is required: ${SECRET_WAY}`);
  if (!isUnresolved(value)) rejectProp(ctx, prop, '(a literal string, not shown)', `a literal would be written into cdk.tf.json in the clear: ${SECRET_WAY}`);
}

/** An API's origin: https, or http to a loopback or private address (a stand-in). */
const PRIVATE_HTTP = /^http:\/\/(127\.\d{1,3}\.\d{1,3}\.\d{1,3}|10\.\d{1,3}\.\d{1,3}\.\d{1,3}|192\.168\.\d{1,3}\.\d{1,3}|172\.(1[6-9]|2\d|3[01])\.\d{1,3}\.\d{1,3}|localhost)(:\d{1,5})?(\/\S*)?$/;
const GITHUB_REPOSITORY = /^[A-Za-z0-9-]{1,39}\/[A-Za-z0-9._-]{1,100}$/;
const GITHUB_WORKFLOW = /^(?:[A-Za-z0-9._-]+\.ya?ml|[0-9]+)$/;

/** Checks an address the Worker calls: https, or http to a loopback or private address (the tiers' stand-ins). */
function checkCalledUrl(ctx: PropContext, prop: string, value: string): void {
  if (isUnresolved(value) || PRIVATE_HTTP.test(value)) return;
  checkHttpsUrl(ctx, prop, value);
}

/** Checks a start hook where the control plane uses it, and gives where it POSTs. */
function checkStartHook(ctx: PropContext, hook: StartHook): StartHookSpec {
  const spec = (hook as { _spec?: StartHookSpec } | undefined)?._spec;
  if (spec === undefined) rejectProp(ctx, 'startHook', hook, 'expected StartHook.gitHubWorkflow({ repository, workflow, token }) or StartHook.webhook({ url, secret })');
  if (spec.kind === 'gitHubWorkflow') {
    const options = spec.options as { repository: string; workflow: string };
    checkPattern(ctx, 'startHook.repository', options.repository, GITHUB_REPOSITORY, 'expected "<owner>/<name>", e.g. "acme/editors"');
    checkPattern(ctx, 'startHook.workflow', options.workflow, GITHUB_WORKFLOW, 'expected the workflow\'s file name in .github/workflows, e.g. "start-editor.yml", or its numeric id');
    checkSecret(ctx, 'startHook.token', spec.secret);
  } else {
    checkCalledUrl(ctx, 'startHook.url', spec.url);
    checkSecret(ctx, 'startHook.secret', spec.secret);
  }
  if (!spec.ref) rejectProp(ctx, 'startHook.ref', spec.ref, 'expected a git ref, e.g. "main"');
  return spec;
}

/**
 * The control plane of stopped editors, at Cloudflare's edge: a Worker that checks a visitor's
 * Access token for the editor they open, shows a "your editor is starting" page and calls the
 * start hook when the editor does not answer, and a cron trigger that turns a powered-off editor
 * into a stopped one (its marker tag, then its droplet deleted; the home volume stays). It holds
 * the only DigitalOcean token: no droplet has one. Editors register with it from their own stacks
 * (`ControlPlaneRegistration`: an entry of its KV namespace and their route), so it depends on
 * none of them. An editor or a team given `controlPlane: ControlPlane.create({...})` makes one;
 * see docs/start-on-visit.md.
 */
export class CodeServerControlPlane extends Construct implements ICodeServerControlPlane {
  /** The Worker: the bundled module, its settings and secrets as bindings. */
  public readonly script: WorkersScript;
  /** The KV namespace of the registry of editors (`editor/<hostname>`) and their start records. */
  public readonly state: WorkersKvNamespace;
  /** The cron trigger of the stop of powered-off editors. */
  public readonly cronTrigger: WorkersCronTrigger;
  /** The Cloudflare account of the Worker and its KV namespace. */
  public readonly cloudflareAccountId: string;
  /** The Worker's name (a reference to the script's, so a route made with it waits for the script). */
  public readonly scriptName: string;
  /** The id of the KV namespace that holds the registry. */
  public readonly registryNamespaceId: string;

  constructor(scope: Construct, id: string, props: CodeServerControlPlaneProps) {
    super(scope, id);
    const ctx = contextOf(this);
    const o: Settings = { ...CONTROL_PLANE_DEFAULTS, scriptName: controlPlaneScriptNameOf(scope.node.path), ...withoutUndefined(props) };
    checkCloudflareId(ctx, 'cloudflareAccountId', props.cloudflareAccountId);
    checkTeamName(ctx, 'teamName', props.teamName);
    checkSecret(ctx, 'digitaloceanToken', props.digitaloceanToken);
    const hook = checkStartHook(ctx, props.startHook);
    checkPattern(ctx, 'schedule', o.schedule, CRON, 'expected a cron expression of five fields, e.g. "*/5 * * * *"');
    checkPattern(ctx, 'scriptName', o.scriptName, SCRIPT_NAME, 'expected lower-case letters, digits, "-" and "_", e.g. "ztcs-control-plane"');
    checkIntegerRange(ctx, 'expectedStartMinutes', o.expectedStartMinutes, 1, 60);
    checkIntegerRange(ctx, 'startTimeoutMinutes', o.startTimeoutMinutes, o.expectedStartMinutes, 180);
    checkIntegerRange(ctx, 'maxStartsPerHour', o.maxStartsPerHour, 1, 60);
    checkCalledUrl(ctx, 'digitaloceanApiUrl', o.digitaloceanApiUrl);

    const provider = props.cloudflareProvider;
    this.cloudflareAccountId = props.cloudflareAccountId;
    this.state = new WorkersKvNamespace(this, 'State', { provider, accountId: props.cloudflareAccountId, title: `${o.scriptName}-state` });
    this.script = new WorkersScript(this, 'Script', {
      provider,
      accountId: props.cloudflareAccountId,
      scriptName: o.scriptName,
      content: readFileSync(WORKER_BUNDLE, 'utf8'),
      mainModule: MAIN_MODULE,
      compatibilityDate: COMPATIBILITY_DATE,
      bindings: controlPlaneBindings(props, o, hook, this.state.id),
    });
    this.cronTrigger = new WorkersCronTrigger(this, 'Cron', {
      provider,
      accountId: props.cloudflareAccountId,
      scriptName: this.script.scriptName,
      schedules: [{ cron: o.schedule }],
    });
    this.scriptName = this.script.scriptName;
    this.registryNamespaceId = this.state.id;
  }
}

/** The Worker's bindings (BINDINGS names them): its settings as text, its tokens as secrets, its KV namespace. */
function controlPlaneBindings(props: CodeServerControlPlaneProps, o: Settings, hook: StartHookSpec, kvNamespaceId: string): WorkersScriptBindings[] {
  const limits: StartLimits = {
    expectedSeconds: o.expectedStartMinutes * 60,
    startTimeoutSeconds: o.startTimeoutMinutes * 60,
    maxStartsPerHour: o.maxStartsPerHour,
  };
  const text = (name: string, value: string): WorkersScriptBindings => ({ name, type: 'plain_text', text: value });
  const secret = (name: string, value: string): WorkersScriptBindings => ({ name, type: 'secret_text', text: value });
  return [
    text(BINDINGS.accessTeamUrl, `https://${props.teamName}.cloudflareaccess.com`),
    text(BINDINGS.digitaloceanApiUrl, o.digitaloceanApiUrl.replace(/\/$/, '')),
    secret(BINDINGS.digitaloceanToken, props.digitaloceanToken),
    text(BINDINGS.startHookUrl, hook.url),
    secret(BINDINGS.startHookSecret, hook.secret),
    text(BINDINGS.startHookRef, hook.ref),
    text(BINDINGS.startLimits, JSON.stringify(limits)),
    { name: BINDINGS.state, type: 'kv_namespace', namespaceId: kvNamespaceId },
  ];
}

/** The props given, without those given as undefined (which would hide a default). */
function withoutUndefined<T extends object>(props: T): Partial<T> {
  return Object.fromEntries(Object.entries(props).filter(([, value]) => value !== undefined)) as Partial<T>;
}
