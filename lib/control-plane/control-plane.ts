import { TerraformProvider } from 'cdktf';
import { Construct, IConstruct } from 'constructs';
import { CodeServerControlPlane } from './code-server-control-plane';

/** The construct id of a control plane that an editor or a team makes. */
export const CONTROL_PLANE_ID = 'ControlPlane';

/** How a control plane asks for a start, and where the library makes or finds one. */
export interface ControlPlaneOptions {
  /**
   * The control plane's DigitalOcean token, the only one of the deployment outside Terraform's
   * hands: a custom-scoped token with `droplet:read`, `droplet:delete`, `tag:create` and
   * `tag:delete` (docs/start-on-visit.md). A sensitive Terraform variable's value: it becomes a
   * secret binding of the Worker, and a literal would be written into cdk.tf.json in the clear.
   */
  readonly digitaloceanToken: string;
  /** What the control plane calls to start a stopped editor: `StartHook.gitHubWorkflow({...})` or `StartHook.webhook({...})`. */
  readonly startHook: StartHook;
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
   * The Worker's name in the Cloudflare account (its KV namespace is `<scriptName>-state`).
   * @default - "ztcs-cp-" and a slug of the path of the construct that makes it (the team, or the editor)
   */
  readonly scriptName?: string;
  /**
   * The DigitalOcean API's origin that the Worker calls: https, or http to a loopback or private
   * address (a stand-in in tests).
   * @default "https://api.digitalocean.com"
   */
  readonly digitaloceanApiUrl?: string;
}

/** A GitHub Actions workflow that deploys the stopped editor's stack: the start hook is its `workflow_dispatch` call. */
export interface GitHubWorkflowHookOptions {
  /** The repository of the workflow, `<owner>/<name>`, e.g. `acme/editors`. */
  readonly repository: string;
  /** The workflow's file name in `.github/workflows/` (e.g. `start-editor.yml`) or its numeric id. */
  readonly workflow: string;
  /**
   * The git ref whose workflow runs.
   * @default "main"
   */
  readonly ref?: string;
  /**
   * A token allowed to run the workflow (a fine-grained token with Actions: write on this one
   * repository): a sensitive Terraform variable's value.
   */
  readonly token: string;
}

/** Any webhook that deploys the stopped editor's stack, given the GitHub-shaped body. */
export interface WebhookHookOptions {
  /** Where the control plane POSTs: https, or http to a loopback or private address (a stand-in in tests). */
  readonly url: string;
  /** The bearer token sent with each call: a sensitive Terraform variable's value. */
  readonly secret: string;
  /**
   * The git ref that the body names.
   * @default "main"
   */
  readonly ref?: string;
}

/** The defaults of a start hook, for documentation and tests. */
export const START_HOOK_DEFAULTS = {
  ref: 'main',
  gitHubApiUrl: 'https://api.github.com',
} as const;

/** A start hook resolved: where the Worker POSTs, with which secret and ref, and the props each came from. */
export interface StartHookSpec {
  readonly kind: 'gitHubWorkflow' | 'webhook';
  readonly url: string;
  readonly secret: string;
  readonly ref: string;
  /** The options as given, to check them where they are used. */
  readonly options: GitHubWorkflowHookOptions | WebhookHookOptions;
}

/**
 * What the control plane calls to start a stopped editor: it POSTs
 * `{"ref": <ref>, "inputs": {"editor": <name>, "stack": <stack>}}` with `Authorization: Bearer <secret>`,
 * which is GitHub's `workflow_dispatch` call, and the deploy of that stack makes the droplet again.
 */
export abstract class StartHook {
  /**
   * GitHub Actions' `workflow_dispatch` of a workflow that deploys the editor's stack: a POST to
   * `https://api.github.com/repos/<repository>/actions/workflows/<workflow>/dispatches`. The
   * workflow declares the inputs `editor` and `stack` (GitHub refuses undeclared ones).
   */
  public static gitHubWorkflow(options: GitHubWorkflowHookOptions): StartHook {
    return new ResolvedStartHook({
      kind: 'gitHubWorkflow',
      url: `${START_HOOK_DEFAULTS.gitHubApiUrl}/repos/${options.repository}/actions/workflows/${options.workflow}/dispatches`,
      secret: options.token,
      ref: options.ref ?? START_HOOK_DEFAULTS.ref,
      options,
    });
  }

  /** Any webhook that deploys the editor's stack (an HCP Terraform relay, your own CI). */
  public static webhook(options: WebhookHookOptions): StartHook {
    return new ResolvedStartHook({ kind: 'webhook', url: options.url, secret: options.secret, ref: options.ref ?? START_HOOK_DEFAULTS.ref, options });
  }

  /** @internal */
  public abstract readonly _spec: StartHookSpec;
}

class ResolvedStartHook extends StartHook {
  /** @internal */
  public readonly _spec: StartHookSpec;

  constructor(spec: StartHookSpec) {
    super();
    this._spec = spec;
  }
}

/** A control plane that editors register with: a Worker and the KV namespace of its registry. */
export interface ICodeServerControlPlane extends IConstruct {
  /** The Cloudflare account of the Worker and its KV namespace. */
  readonly cloudflareAccountId: string;
  /** The Worker's name: each editor's route sends its hostname to it. */
  readonly scriptName: string;
  /** The id of the KV namespace that holds the registry (`editor/<hostname>`) and the start records. */
  readonly registryNamespaceId: string;
}

/** Where the owner of a control plane lives: what a control plane it makes takes from it. */
export interface ControlPlaneOwner {
  readonly cloudflareAccountId: string;
  readonly teamName: string;
  readonly providers?: { readonly cloudflareProvider?: TerraformProvider };
}

/**
 * The control plane of an editor or a team: one the library makes (`create`), or one the app
 * already has (`existing`). See docs/start-on-visit.md.
 */
export abstract class ControlPlane {
  /**
   * A control plane made by the editor (at `<editor>/ControlPlane`) or the team (at
   * `<team>/ControlPlane`, in the team's own stack) that it is given to; a team's members share
   * it. One value makes one control plane in an app: the owner built first makes it, and any
   * other editor given the same value registers with that one.
   */
  public static create(options: ControlPlaneOptions): ControlPlane {
    return new CreatedControlPlane(options);
  }

  /** A control plane the app already has (a `CodeServerControlPlane`, or one shared by several teams). */
  public static existing(controlPlane: ICodeServerControlPlane): ControlPlane {
    return new ExistingControlPlane(controlPlane);
  }

  /** The control plane for `owner`: made in it the first time in its app, or the one given. @internal */
  public abstract _bind(owner: Construct, where: ControlPlaneOwner): ICodeServerControlPlane;
}

class CreatedControlPlane extends ControlPlane {
  /** The control plane made of these options, by app (the root construct). */
  private readonly made = new WeakMap<IConstruct, ICodeServerControlPlane>();

  constructor(private readonly options: ControlPlaneOptions) {
    super();
  }

  /** @internal */
  public _bind(owner: Construct, where: ControlPlaneOwner): ICodeServerControlPlane {
    const root = owner.node.root;
    const made = this.made.get(root) ?? new CodeServerControlPlane(owner, CONTROL_PLANE_ID, {
      ...this.options,
      cloudflareAccountId: where.cloudflareAccountId,
      teamName: where.teamName,
      cloudflareProvider: where.providers?.cloudflareProvider,
    });
    this.made.set(root, made);
    return made;
  }
}

class ExistingControlPlane extends ControlPlane {
  constructor(private readonly controlPlane: ICodeServerControlPlane) {
    super();
  }

  /** @internal */
  public _bind(): ICodeServerControlPlane {
    return this.controlPlane;
  }
}
