import { spawn } from 'child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'fs';
import { homedir, tmpdir } from 'os';
import { join } from 'path';
import { App, TerraformStack } from 'cdktf';
import { describeTier } from '../../support/tools';

/** A provider as the cdktf bindings pin it, e.g. `registry.terraform.io/hashicorp/tls` 4.1.0. */
export interface ProviderPin {
  readonly name: string;
  readonly version: string;
}

/** The providers of the examples, read from the bindings' packages (they pin exact versions). */
export const PROVIDERS: ProviderPin[] = ['cloudflare', 'digitalocean', 'tls'].map(
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  (name) => require(`@cdktf/provider-${name}/package.json`).cdktf.provider,
);

/** Terraform's implied local mirror, where it finds providers without any configuration. */
export const PLUGIN_MIRROR = join(homedir(), '.terraform.d', 'plugins');

const PLATFORM = `${process.platform}_${process.arch === 'x64' ? 'amd64' : process.arch}`;

/** Where a provider's executable sits in the implied local mirror (the unpacked layout). */
export function mirroredProvider(p: ProviderPin): string {
  const type = p.name.split('/').pop();
  return join(PLUGIN_MIRROR, p.name, p.version, PLATFORM, `terraform-provider-${type}_v${p.version}`);
}

/**
 * describe when terraform and the three providers are there, describe.skip otherwise, with a
 * message. Unlike the other tiers this one is skipped in CI too: the providers are built from their
 * public source (the Terraform registry is out of reach), which a fresh machine cannot do.
 */
export function describeWithProviders(): jest.Describe {
  return describeTier({
    tier: 'the Terraform tier',
    commands: ['terraform'],
    files: PROVIDERS.map((p) => ({ path: mirroredProvider(p), what: `${p.name} ${p.version}` })),
    install:
      'Build the providers from their public source and place them in Terraform\'s implied local mirror, ' +
      `${PLUGIN_MIRROR}/<host>/<namespace>/<name>/<version>/${PLATFORM}/.`,
    requiredInCi: false,
  });
}

/**
 * `describe` when Terraform and the DigitalOcean and TLS providers are here, the Cloudflare
 * provider whether or not: for the rehearsals of an editor's DigitalOcean part alone.
 */
export function describeWithDigitalOceanProviders(): jest.Describe {
  return describeTier({
    tier: 'the Terraform tier (DigitalOcean only)',
    commands: ['terraform'],
    files: PROVIDERS.filter((p) => !p.name.includes('cloudflare')).map((p) => ({ path: mirroredProvider(p), what: `${p.name} ${p.version}` })),
    install: `Build the DigitalOcean and TLS providers from their public source and place them in ${PLUGIN_MIRROR}.`,
    requiredInCi: false,
  });
}

/** A stack's synthesized Terraform JSON, and the construct path of each resource by address. */
export interface StackConfig {
  readonly name: string;
  readonly json: any;
  /** e.g. `digitalocean_droplet.CodeServer_Droplet_6DF810A3` → `CodeServer/Droplet/Droplet`. */
  readonly paths: Map<string, string>;
}

/** Synthesizes the app that `build` makes for an output directory (a temporary one): its stacks. */
export function synthesize(build: (outdir: string) => App): StackConfig[] {
  const outdir = mkdtempSync(join(tmpdir(), 'ztcs-synth-'));
  try {
    const app = build(outdir);
    app.synth();
    return app.node.children.filter((c): c is TerraformStack => c instanceof TerraformStack).map((stack) =>
      stackConfigOf(stack.node.id, JSON.parse(readFileSync(join(outdir, 'stacks', stack.node.id, 'cdk.tf.json'), 'utf8'))),
    );
  } finally {
    rmSync(outdir, { recursive: true, force: true });
  }
}

/** A stack's configuration from its synthesized JSON: the construct paths come from the JSON's metadata. */
export function stackConfigOf(name: string, json: any): StackConfig {
  const paths = new Map<string, string>();
  for (const [type, resources] of Object.entries<any>(json.resource ?? {})) {
    for (const [id, resource] of Object.entries<any>(resources)) {
      paths.set(`${type}.${id}`, resource['//'].metadata.path.slice(name.length + 1));
    }
  }
  return { name, json, paths };
}

/**
 * A stack's configuration whose cross-stack references read other stacks' states from the given
 * local files (by stack name), whatever backend the stacks keep them in: e.g. the state of the
 * workspace that applied the base stack.
 */
export function readingStatesOf(config: StackConfig, stateFiles: Record<string, string>): StackConfig {
  const remoteStates = config.json.data?.terraform_remote_state;
  if (remoteStates === undefined) return config;
  const data = Object.fromEntries(Object.entries<any>(remoteStates).map(([name, block]) => {
    const stack = name.replace(/^cross-stack-reference-input-/, '');
    if (!(stack in stateFiles)) throw new Error(`${config.name} reads the state of ${stack}, which no workspace given holds`);
    return [name, { ...block, backend: 'local', config: { path: stateFiles[stack] } }];
  }));
  return { ...config, json: { ...config.json, data: { ...config.json.data, terraform_remote_state: data } } };
}

/** The examples as the previous release synthesized them (test/integ/terraform/previous-release/, recorded from b963082). */
export function previousRelease(name: 'basic' | 'complete' | 'team'): StackConfig {
  return stackConfigOf(name, JSON.parse(readFileSync(join(__dirname, 'previous-release', `${name}.json`), 'utf8')));
}

/**
 * The examples, and the DigitalOcean part of an editor with an idle stop (`digitalocean-part`), as
 * main synthesized them at fb68b16 (test/terraform/previous-main/), before the tags' names had a
 * part of their deployment's own.
 */
export function previousMain(name: 'basic' | 'complete' | 'team' | 'digitalocean-part'): StackConfig {
  return stackConfigOf(name === 'digitalocean-part' ? 'part' : name, JSON.parse(readFileSync(join(__dirname, 'previous-main', `${name}.json`), 'utf8')));
}

/** A diagnostic from Terraform or a provider. */
export interface Diagnostic {
  readonly severity: 'error' | 'warning';
  readonly summary: string;
  readonly detail: string;
}

/** What a plan does to a managed resource. */
export type PlannedAction = 'no-op' | 'create' | 'read' | 'update' | 'delete' | 'replace' | 'forget';

/** A saved plan, read back with `terraform show -json`, and the diagnostics of planning. */
export class Plan {
  constructor(
    /** The plan file, when planning succeeded. */
    public readonly file: string | undefined,
    /** `terraform show -json` of the plan file. */
    public readonly json: any,
    public readonly diagnostics: Diagnostic[],
    /** Construct paths by address, of the resources in the configuration or the state. */
    private readonly paths: Map<string, string>,
  ) {}

  public get errors(): string[] {
    return summaries(this.diagnostics, 'error');
  }

  public get warnings(): string[] {
    return summaries(this.diagnostics, 'warning');
  }

  /** The planned action of every managed resource, by construct path (without the stack's name). */
  public actions(): Record<string, PlannedAction> {
    const actions: Record<string, PlannedAction> = {};
    for (const change of this.json?.resource_changes ?? []) {
      if (change.mode !== 'managed') continue;
      // A resource with a count is at `<address>[<index>]`: the first by its path, the others with their index.
      const index = /\[(\d+)\]$/.exec(change.address);
      const base = this.paths.get(change.address.replace(/\[\d+\]$/, ''));
      const path = this.paths.get(change.address) ?? (base && index ? (index[1] === '0' ? base : `${base}[${index[1]}]`) : change.address);
      actions[path] = actionOf(change.change.actions);
    }
    return actions;
  }

  /** The resources whose action is not `no-op`, with their action. */
  public changes(): Record<string, PlannedAction> {
    return Object.fromEntries(Object.entries(this.actions()).filter(([, a]) => a !== 'no-op'));
  }

  /** The attribute paths that force a resource's replacement, by construct path. */
  public replacedBecauseOf(path: string): string[] {
    const change = (this.json?.resource_changes ?? []).find((c: any) => this.paths.get(c.address) === path);
    return (change?.change.replace_paths ?? []).map((p: unknown[]) => p.join('.'));
  }
}

function actionOf(actions: string[]): PlannedAction {
  if (actions.length === 2) return 'replace';
  return actions[0] as PlannedAction;
}

function summaries(diagnostics: Diagnostic[], severity: Diagnostic['severity']): string[] {
  return [...new Set(diagnostics.filter((d) => d.severity === severity).map((d) => d.summary))];
}

interface Run {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

/** Each terraform command is bounded: a hung provider fails the test instead of hanging it. */
const COMMAND_TIMEOUT_MS = 10 * 60_000;

/**
 * A temporary Terraform working directory for one stack: its synthesized JSON as is, plus an
 * override file that points the providers at the stand-in and the state into the directory.
 * Commands run asynchronously, so that a stand-in in this process can answer the providers.
 */
export class TerraformWorkspace {
  public readonly dir: string;
  /** Seconds spent in terraform commands, by command. */
  public readonly seconds: Record<string, number> = {};
  private readonly env: NodeJS.ProcessEnv;
  private configured = false;
  /** The construct path of every address configured so far: a resource left out of the configuration is still in the state. */
  private readonly paths = new Map<string, string>();
  private planCount = 0;

  constructor(pluginCacheDir: string) {
    this.dir = mkdtempSync(join(tmpdir(), 'ztcs-terraform-'));
    const cliConfig = join(this.dir, 'terraformrc');
    writeFileSync(cliConfig, `plugin_cache_dir = ${JSON.stringify(pluginCacheDir)}\n`);
    // Only what terraform needs: no cloud credentials from the caller's environment reach it.
    this.env = {
      PATH: process.env.PATH,
      HOME: process.env.HOME,
      TF_CLI_CONFIG_FILE: cliConfig,
      TF_IN_AUTOMATION: '1',
      TF_INPUT: '0',
      CHECKPOINT_DISABLE: '1',
    };
  }

  /** Writes a stack's configuration (replacing the previous one) and the loopback override. */
  public configure(config: StackConfig, providers: Record<string, object[]>): void {
    this.configured = true;
    config.paths.forEach((path, address) => this.paths.set(address, path));
    writeFileSync(join(this.dir, 'cdk.tf.json'), JSON.stringify(config.json, null, 2));
    // Every configuration of a provider, its aliases too, goes to the stand-in.
    const aliased = Object.fromEntries(Object.entries(providers).map(([name, [settings]]) => [name, [
      settings,
      ...((config.json.provider?.[name] ?? []) as Array<{ alias?: string }>)
        .filter((block) => block.alias !== undefined)
        .map((block) => ({ ...settings, alias: block.alias })),
    ]]));
    const override = {
      terraform: { backend: { local: { path: join(this.dir, 'terraform.tfstate') } } },
      provider: aliased,
    };
    writeFileSync(join(this.dir, 'loopback_override.tf.json'), JSON.stringify(override, null, 2));
  }

  /** `terraform init`: its diagnostics. */
  public async init(): Promise<Diagnostic[]> {
    const run = await this.terraform('init', ['-json']);
    const diagnostics = streamDiagnostics(run.stdout);
    if (run.code !== 0) throw commandError('init', run, diagnostics);
    return diagnostics;
  }

  /** `terraform validate`: its diagnostics. */
  public async validate(): Promise<Diagnostic[]> {
    const run = await this.terraform('validate', ['-json']);
    return JSON.parse(run.stdout).diagnostics as Diagnostic[];
  }

  /** `terraform plan` (of a destroy with `destroy`) into a plan file, read back as JSON. */
  public async plan(options: { destroy?: boolean } = {}): Promise<Plan> {
    if (!this.configured) throw new Error('configure the workspace with a stack first');
    const file = join(this.dir, `step-${++this.planCount}.tfplan`);
    const run = await this.terraform('plan', ['-json', `-out=${file}`, ...(options.destroy ? ['-destroy'] : [])]);
    const diagnostics = streamDiagnostics(run.stdout);
    if (run.code !== 0) {
      if (diagnostics.some((d) => d.severity === 'error')) return new Plan(undefined, undefined, diagnostics, new Map(this.paths));
      throw commandError('plan', run, diagnostics);
    }
    const show = await this.terraform('show', ['-json', file]);
    if (show.code !== 0) throw commandError('show', show, []);
    return new Plan(file, JSON.parse(show.stdout), diagnostics, new Map(this.paths));
  }

  /** `terraform apply` of a saved plan: its diagnostics; a failure throws with Terraform's errors. */
  public async apply(plan: Plan): Promise<Diagnostic[]> {
    if (!plan.file) throw new Error(`cannot apply a plan that failed: ${plan.errors.join('; ')}`);
    const run = await this.terraform('apply', ['-json', plan.file]);
    const diagnostics = streamDiagnostics(run.stdout);
    if (run.code !== 0) throw commandError('apply', run, diagnostics);
    return diagnostics;
  }

  /**
   * `terraform apply -refresh-only`: the state read again and written with what each resource
   * depends on, which `terraform state mv` to another state file drops.
   */
  public async refreshOnly(): Promise<Diagnostic[]> {
    const run = await this.terraform('apply', ['-json', '-refresh-only', '-auto-approve', '-input=false']);
    const diagnostics = streamDiagnostics(run.stdout);
    if (run.code !== 0) throw commandError('apply -refresh-only', run, diagnostics);
    return diagnostics;
  }

  /** `terraform show -json` of the state. */
  public async state(): Promise<any> {
    const run = await this.terraform('show', ['-json']);
    if (run.code !== 0) throw commandError('show', run, []);
    return JSON.parse(run.stdout);
  }

  /** The state file of the workspace's local backend. */
  public get stateFile(): string {
    return join(this.dir, 'terraform.tfstate');
  }

  /** `terraform state list`: the address of every resource and data source in the state. */
  public async stateAddresses(): Promise<string[]> {
    const run = await this.terraform('state', ['list']);
    if (run.code !== 0) throw commandError('state list', run, []);
    return run.stdout.split('\n').filter((line) => line.length > 0);
  }

  /** `terraform state mv -state-out`: moves a resource into another state file, at the same address. */
  public async moveState(address: string, toStateFile: string): Promise<void> {
    const run = await this.terraform('state', ['mv', `-state-out=${toStateFile}`, address, address]);
    if (run.code !== 0) throw commandError('state mv', run, []);
  }

  /** `terraform import`: brings an existing object into the state at an address of the configuration. */
  public async importResource(address: string, id: string): Promise<void> {
    const run = await this.terraform('import', ['-input=false', address, id]);
    if (run.code !== 0) throw commandError('import', run, []);
  }

  public remove(): void {
    rmSync(this.dir, { recursive: true, force: true });
  }

  private async terraform(command: string, args: string[]): Promise<Run> {
    const started = Date.now();
    const run = await new Promise<Run>((resolve, reject) => {
      const child = spawn('terraform', [command, ...args], { cwd: this.dir, env: this.env });
      const out: Buffer[] = [];
      const err: Buffer[] = [];
      child.stdout.on('data', (c: Buffer) => out.push(c));
      child.stderr.on('data', (c: Buffer) => err.push(c));
      const timer = setTimeout(() => child.kill('SIGTERM'), COMMAND_TIMEOUT_MS);
      child.on('error', reject);
      child.on('close', (code) => {
        clearTimeout(timer);
        resolve({ code: code ?? -1, stdout: Buffer.concat(out).toString('utf8'), stderr: Buffer.concat(err).toString('utf8') });
      });
    });
    this.seconds[command] = (this.seconds[command] ?? 0) + (Date.now() - started) / 1000;
    return run;
  }
}

/** The diagnostics of a `-json` command's stream of messages. */
function streamDiagnostics(stdout: string): Diagnostic[] {
  return stdout
    .split('\n')
    .filter((line) => line.startsWith('{'))
    .map((line) => JSON.parse(line))
    .filter((message) => message.type === 'diagnostic')
    .map((message) => message.diagnostic as Diagnostic);
}

function commandError(command: string, run: Run, diagnostics: Diagnostic[]): Error {
  const messages = diagnostics.map((d) => `${d.severity}: ${d.summary}: ${d.detail}`);
  return new Error(`terraform ${command} exited with ${run.code}\n${[...messages, run.stderr.trim()].filter((m) => m).join('\n')}`);
}
