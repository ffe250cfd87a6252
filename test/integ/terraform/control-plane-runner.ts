import { ServerResponse } from 'http';
// Types only: miniflare is loaded when a runner starts (see the worker tier's harness).
import type { Miniflare } from 'miniflare';
import { ApiStandIn } from './stand-in';
import { WorkerScript } from './stand-in/cloudflare';
import { mirroredProvider, PROVIDERS } from './terraform';
import { BINDINGS } from '../../../lib/control-plane/worker/contract';
import { TierNeeds } from '../../support/tools';
import { StandIn, TeamKey, WORKER_TIER_NEEDS } from '../worker/harness';

/** What the runner needs: Terraform and its three providers (to upload the Worker), and workerd. */
export const RUNNER_NEEDS: TierNeeds = {
  tier: 'the Terraform tier with the control plane in workerd',
  commands: ['terraform'],
  files: [...PROVIDERS.map((p) => ({ path: mirroredProvider(p), what: `${p.name} ${p.version}` })), ...WORKER_TIER_NEEDS.files],
  probe: WORKER_TIER_NEEDS.probe,
  install: `Build the providers into the implied local mirror (see test/integ/terraform/README.md). ${WORKER_TIER_NEEDS.install}`,
  requiredInCi: false,
};

/** A binding of the upload's metadata part, as the Cloudflare API takes it. */
interface UploadedBinding {
  readonly name: string;
  readonly type: string;
  readonly text?: string;
  readonly json?: string;
  readonly namespace_id?: string;
}

function reply(res: ServerResponse, status: number, value?: unknown): void {
  res.writeHead(status, { 'Content-Type': 'application/json' });
  res.end(value === undefined ? '' : JSON.stringify(value));
}

/**
 * The control plane as Terraform deployed it to the stand-in, run in workerd (miniflare): the
 * script body the Cloudflare stand-in received on its last upload, with the bindings of that
 * upload, and its KV namespace seeded from the stand-in's KV values (the registry entries the
 * stacks wrote). Cloudflare's edge is played by `outboundService`: the Access team's host
 * (`<team>.cloudflareaccess.com`) goes to a key stand-in, the DigitalOcean API's host (the
 * upload's `DIGITALOCEAN_API_URL`) to the DigitalOcean stand-in, the start hook's host to a hook
 * stand-in, and an editor's host to its origin when it is up, else 530 (the tunnel down).
 */
export class ControlPlaneRunner {
  /** The Access team's signing key: `tokenFor` signs with it. */
  public readonly key = new TeamKey('runner-key');
  public readonly access = new StandIn((call, res) =>
    call.path === '/cdn-cgi/access/certs' ? reply(res, 200, { keys: [this.key.publicJwk] }) : reply(res, 404));
  /** The start hook's calls; it answers 204 (GitHub's workflow_dispatch does). */
  public readonly hook = new StandIn((_call, res) => reply(res, 204));
  /** The editors' origin: the hostname and path it was asked for. */
  public readonly origin = new StandIn((call, res) => {
    res.writeHead(200, { 'Content-Type': 'text/plain' });
    res.end(`editor ${String(call.headers['x-forwarded-host'])} ${call.path}`);
  });
  /** The hostnames whose origin answers. */
  public readonly up = new Set<string>();
  /** The upload run, once started. */
  public script?: WorkerScript;
  private mf?: Miniflare;
  private readonly seeded = new Set<string>();
  private urls: { access: string; hook: string; origin: string } = { access: '', hook: '', origin: '' };

  /** @param scriptName the Worker to run; @default - the one uploaded last */
  constructor(private readonly standIn: ApiStandIn, private readonly scriptName?: string) {}

  /** The upload's bindings by name. */
  public get bindings(): Record<string, UploadedBinding> {
    if (!this.script) throw new Error('the runner is not started');
    return Object.fromEntries((this.script.metadata.bindings as UploadedBinding[]).map((b) => [b.name, b]));
  }

  /** The Access team's address, as the Worker was given it. */
  public get teamUrl(): string {
    return this.bindings[BINDINGS.accessTeamUrl].text!;
  }

  /** Starts the stand-ins and workerd with the script and bindings the Cloudflare stand-in holds, and seeds its KV. */
  public async start(): Promise<void> {
    const uploads = this.standIn.cloudflare.workerUploads.filter((u) => this.scriptName === undefined || u.id === this.scriptName);
    const script = uploads.at(-1);
    if (!script) throw new Error(`the stand-in has no upload${this.scriptName ? ` of ${this.scriptName}` : ''}`);
    this.script = script;
    const [access, hook, origin] = await Promise.all([this.access, this.hook, this.origin].map((s) => s.listen()));
    this.urls = { access, hook, origin };
    const bindings: Record<string, import('miniflare').Json> = {};
    const kvNamespaces: Record<string, string> = {};
    for (const binding of Object.values(this.bindings)) {
      if (binding.type === 'plain_text' || binding.type === 'secret_text') bindings[binding.name] = binding.text!;
      else if (binding.type === 'json') bindings[binding.name] = JSON.parse(binding.json!);
      else if (binding.type === 'kv_namespace') kvNamespaces[binding.name] = binding.namespace_id!;
      else throw new Error(`the runner does not model a ${binding.type} binding (${binding.name})`);
    }
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const { fetch: miniflareFetch, Miniflare: MiniflareClass, Response: MiniflareResponse } = require('miniflare') as typeof import('miniflare');
    this.mf = new MiniflareClass({
      modules: true,
      script: script.content,
      compatibilityDate: script.metadata.compatibility_date,
      compatibilityFlags: script.metadata.compatibility_flags ?? [],
      bindings,
      kvNamespaces,
      outboundService: async (request) => {
        const url = new URL(request.url);
        const to = this.routeOf(url);
        if (to === 'down') return new MiniflareResponse('error code: 1033', { status: 530 });
        if (to === undefined) return miniflareFetch(request);
        const headers: Record<string, string> = { ...Object.fromEntries(request.headers.entries()), 'x-forwarded-host': url.hostname };
        const body = request.method === 'GET' || request.method === 'HEAD' ? undefined : await request.arrayBuffer();
        return miniflareFetch(`${to}${url.pathname}${url.search}`, { method: request.method, headers, body });
      },
    });
    await this.mf.ready;
    await this.seed();
  }

  /** Where a request of the Worker goes: a stand-in's base URL, `down` for an editor whose origin is down, undefined as it is. */
  private routeOf(url: URL): string | 'down' | undefined {
    const hostOf = (name: string) => {
      const value = this.bindings[name]?.text;
      return value ? new URL(value).host : undefined;
    };
    if (url.host === hostOf(BINDINGS.accessTeamUrl)) return this.urls.access;
    if (url.host === hostOf(BINDINGS.startHookUrl)) return this.urls.hook;
    const digitalocean = hostOf(BINDINGS.digitaloceanApiUrl);
    if (url.host === digitalocean && !['127.0.0.1', 'localhost'].includes(url.hostname)) return this.standIn.digitaloceanUrl;
    if (this.editorHosts().has(url.hostname)) return this.up.has(url.hostname) ? this.urls.origin : 'down';
    return undefined;
  }

  /** The editors' hostnames: the Worker's routes in the stand-in. */
  private editorHosts(): Set<string> {
    return new Set([...this.standIn.cloudflare.workerRoutes.values()]
      .filter((r) => r.script === this.script?.id)
      .map((r) => String(r.pattern).replace(/\/\*$/, '')));
  }

  /**
   * Copies the stand-in's KV values (with their metadata) of the Worker's namespace into
   * workerd's, and removes those it copied before that the stand-in no longer has: what Terraform
   * wrote since. The Worker's own writes (its records) stay.
   */
  public async seed(): Promise<void> {
    const namespaceId = this.bindings[BINDINGS.state]?.namespace_id;
    const values = namespaceId ? this.standIn.cloudflare.kvValues.get(namespaceId) : undefined;
    const kv = await this.kv();
    for (const [key, { value, metadata }] of values ?? new Map()) {
      await kv.put(key, value, metadata === null ? {} : { metadata });
      this.seeded.add(key);
    }
    for (const key of [...this.seeded].filter((k) => !values?.has(k))) {
      await kv.delete(key);
      this.seeded.delete(key);
    }
  }

  /** The Worker's KV namespace in workerd. */
  public async kv(): Promise<WorkerKv> {
    return (await this.mf!.getKVNamespace(BINDINGS.state)) as unknown as WorkerKv;
  }

  /** The cron trigger's run, with the schedule the stand-in holds. */
  public async cron(): Promise<void> {
    const [schedule] = this.standIn.cloudflare.workerScripts.get(this.script!.id)?.schedules ?? [];
    if (!schedule) throw new Error(`${this.script!.id} has no cron trigger in the stand-in`);
    const worker = (await this.mf!.getWorker()) as unknown as { scheduled(event: { cron: string }): Promise<{ outcome: string }> };
    const result = await worker.scheduled({ cron: schedule.cron });
    if (result.outcome !== 'ok') throw new Error(`scheduled: ${result.outcome}`);
  }

  /** A visit of an editor's address, with an Access token or none. */
  public async visit(hostname: string, token?: string, path = '/') {
    const headers: Record<string, string> = token ? { 'Cf-Access-Jwt-Assertion': token } : {};
    const response = await this.mf!.dispatchFetch(`https://${hostname}${path}`, { headers });
    return { status: response.status, headers: response.headers, body: await response.text() };
  }

  /** A valid token of an Access application (by its AUD tag), for an hour, as Access signs it for the team. */
  public tokenFor(audience: string, email: string): string {
    const now = Math.floor(Date.now() / 1000);
    return this.key.sign({ aud: [audience], iss: this.teamUrl, email, iat: now, nbf: now, exp: now + 3600 });
  }

  public async stop(): Promise<void> {
    await this.mf?.dispose();
    await Promise.all([this.access, this.hook, this.origin].map((s) => s.close()));
  }
}

/** The part of a KV namespace binding the runner uses. */
export interface WorkerKv {
  get(key: string): Promise<string | null>;
  put(key: string, value: string, options?: { metadata?: unknown }): Promise<void>;
  delete(key: string): Promise<void>;
  list(options?: { prefix?: string }): Promise<{ keys: Array<{ name: string; metadata?: unknown }> }>;
}
