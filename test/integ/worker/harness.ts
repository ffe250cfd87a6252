import { spawnSync } from 'child_process';
import { createSign, generateKeyPairSync, KeyObject } from 'crypto';
import { readFileSync } from 'fs';
import { createServer, IncomingMessage, Server, ServerResponse } from 'http';
import { AddressInfo } from 'net';
import { dirname, join } from 'path';
// Types only: miniflare is loaded when a harness starts, so that a machine without workerd's
// binary reaches the tier's skip rather than failing at the import.
import type { Miniflare } from 'miniflare';
import { BINDINGS, recordKey, registryKey, ServedEditor, StartLimits } from '../../../lib/control-plane/worker/contract';

// The control plane's Worker in workerd (miniflare), as the construct uploads it (the committed
// bundle), against loopback stand-ins: the Access team's keys, the DigitalOcean API, the start
// hook, and the editor's origin behind Cloudflare's edge.

export const WORKER_BUNDLE = join(__dirname, '..', '..', '..', 'lib', 'control-plane', 'assets', 'worker.mjs');

/** A request a stand-in received. */
export interface Call {
  readonly method: string;
  readonly path: string;
  readonly headers: IncomingMessage['headers'];
  readonly body: string;
}

/** A loopback HTTP server that records its calls and answers through `handle`. */
export class StandIn {
  public readonly calls: Call[] = [];
  private readonly server: Server;

  constructor(private readonly handle: (call: Call, res: ServerResponse) => void) {
    this.server = createServer((req, res) => {
      let body = '';
      req.on('data', (chunk: Buffer) => { body += chunk.toString(); });
      req.on('end', () => {
        const call = { method: req.method ?? '', path: req.url ?? '', headers: req.headers, body };
        this.calls.push(call);
        this.handle(call, res);
      });
    });
  }

  public async listen(): Promise<string> {
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  public async close(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}

function reply(res: ServerResponse, status: number, value?: unknown): void {
  res.writeHead(status, { 'Content-Type': 'application/json' });
  res.end(value === undefined ? '' : JSON.stringify(value));
}

/** An Access team's signing key, and tokens signed with it. */
export class TeamKey {
  public readonly privateKey: KeyObject;
  public readonly publicJwk: Record<string, unknown>;

  constructor(public readonly kid: string) {
    const pair = generateKeyPairSync('rsa', { modulusLength: 2048 });
    this.privateKey = pair.privateKey;
    this.publicJwk = { ...pair.publicKey.export({ format: 'jwk' }), kid, alg: 'RS256', use: 'sig' };
  }

  /** A token as Access makes it: RS256, this key's id, the claims given. */
  public sign(claims: Record<string, unknown>, kid = this.kid): string {
    const part = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');
    const signed = `${part({ alg: 'RS256', kid, typ: 'JWT' })}.${part(claims)}`;
    return `${signed}.${createSign('RSA-SHA256').update(signed).sign(this.privateKey).toString('base64url')}`;
  }
}

/** Where the editors' hostnames are: Cloudflare's edge sends `<name>.<EDITOR_DOMAIN>` to that editor's tunnel. */
const EDITOR_DOMAIN = 'code.example.com';

/** An editor as its registration in KV says, `<name>.code.example.com`, in a stack of its own unless one is given. */
export function editorNamed(name: string, stack = `editors-${name}`): ServedEditor {
  return { name, hostname: `${name}.${EDITOR_DOMAIN}`, accessAudience: `aud-${name}`, dropletTag: `ztcs-${name}`, markerTag: `ztcs-idle-${name}`, stack };
}

/** The editors registered when a harness starts. */
export const EDITORS: ServedEditor[] = [editorNamed('alice'), editorNamed('bob')];

export const DEFAULT_LIMITS: StartLimits = { expectedSeconds: 180, startTimeoutSeconds: 600, maxStartsPerHour: 3 };

/** How a harness starts. */
export interface HarnessOptions {
  /** @default DEFAULT_LIMITS */
  readonly limits?: StartLimits;
  /** The editors registered in KV before the first visit. @default EDITORS */
  readonly registered?: readonly ServedEditor[];
  /**
   * The keys a KV list call of the Worker answers at most (KV's own is 1,000), to page through
   * a registry of a few editors. @default - KV's
   */
  readonly listLimit?: number;
  /**
   * Another module's source to run instead of the Worker, as it is, without the harness's clock
   * and KV log (a baseline to measure against). @default - the Worker, the committed bundle
   */
  readonly script?: string;
  /**
   * Whether the Worker runs behind the harness's module (its clock, its KV log, `listLimit`), or
   * alone, as Cloudflare runs it (to measure it). @default true
   */
  readonly instrumented?: boolean;
}

/** The host of the harness's own requests to the Worker's isolate (its clock, its KV log), which no editor has. */
const HARNESS_HOST = 'harness.invalid';

/**
 * The module workerd runs in front of the Worker (the committed bundle, imported as it is): a clock
 * the harness moves forward (Date.now, which the Worker reads, plus an offset), and the Worker's
 * KV calls logged, its list calls answering at most LIST_LIMIT keys, its reads failing while KV is "down".
 */
const harnessEntry = (listLimit: number | undefined) => `import worker from './worker.mjs';
const realNow = Date.now.bind(Date);
let offset = 0;
Date.now = () => realNow() + offset;
let log = [];
let kvDown = false;
const LIST_LIMIT = ${JSON.stringify(listLimit ?? null)};
const logged = (kv) => ({
  get: (key, options) => {
    log.push('get ' + key);
    return kvDown ? Promise.reject(new Error('KV is down (the harness)')) : kv.get(key, options);
  },
  put: (key, value, options) => { log.push('put ' + key); return kv.put(key, value, options); },
  list: (options) => {
    log.push(('list ' + options.prefix + ' ' + (options.cursor ?? '')).trim());
    return kv.list(LIST_LIMIT === null ? options : { ...options, limit: LIST_LIMIT });
  },
});
export default {
  async fetch(request, env, context) {
    const url = new URL(request.url);
    if (url.hostname === ${JSON.stringify(HARNESS_HOST)} && url.pathname === '/advance') {
      offset += Number(url.searchParams.get('ms'));
      return new Response('ok');
    }
    if (url.hostname === ${JSON.stringify(HARNESS_HOST)} && url.pathname === '/kv-down') {
      kvDown = url.searchParams.get('down') === 'true';
      return new Response('ok');
    }
    if (url.hostname === ${JSON.stringify(HARNESS_HOST)} && url.pathname === '/kv-log') {
      const taken = log;
      log = [];
      return Response.json(taken);
    }
    return worker.fetch(request, { ...env, STATE: logged(env.STATE) }, context);
  },
  scheduled: (controller, env, context) => worker.scheduled(controller, { ...env, STATE: logged(env.STATE) }, context),
};
`;

/** The modules workerd runs, as miniflare takes them: another script, the Worker alone, or the Worker behind the harness's module. */
function workerModules(script: string | undefined, instrumented: boolean, listLimit: number | undefined) {
  if (script !== undefined) return { modules: true, script };
  if (!instrumented) return { modules: true, scriptPath: WORKER_BUNDLE };
  const root = dirname(WORKER_BUNDLE);
  return {
    modulesRoot: root,
    modules: [
      { type: 'ESModule' as const, path: join(root, 'harness-entry.mjs'), contents: harnessEntry(listLimit) },
      { type: 'ESModule' as const, path: WORKER_BUNDLE, contents: readFileSync(WORKER_BUNDLE, 'utf8') },
    ],
  };
}

/** The stand-ins, the Worker in workerd between them, and the editors' origins (up or down). */
export class Harness {
  public readonly key = new TeamKey('key-1');
  /** The droplets of each tag, as the DigitalOcean stand-in lists them. */
  public readonly droplets = new Map<string, Array<{ id: number; status: string }>>();
  /** The editors whose origin answers; the others are answered by "Cloudflare" with 530 (tunnel down). */
  public readonly up = new Set<string>();
  public readonly access = new StandIn((call, res) =>
    call.path === '/cdn-cgi/access/certs' ? reply(res, 200, { keys: [this.key.publicJwk] }) : reply(res, 404));
  public readonly digitalocean = new StandIn((call, res) => {
    const url = new URL(call.path, 'http://stand-in');
    if (call.method === 'GET' && url.pathname === '/v2/droplets') {
      return reply(res, 200, { droplets: this.droplets.get(url.searchParams.get('tag_name') ?? '') ?? [] });
    }
    if (call.method === 'POST' && url.pathname === '/v2/tags') return reply(res, 201, { tag: JSON.parse(call.body) });
    if (call.method === 'DELETE' && /^\/v2\/(tags|droplets)\/[^/]+$/.test(url.pathname)) return reply(res, 204);
    return reply(res, 404, { id: 'not_found' });
  });
  /** The start hook's answers to come, first first; 204 once none is left. */
  public readonly hookAnswers: number[] = [];
  public readonly hook = new StandIn((_call, res) => reply(res, this.hookAnswers.shift() ?? 204));
  public readonly origin = new StandIn((call, res) => {
    res.writeHead(200, { 'Content-Type': 'text/plain' });
    res.end(`editor ${String(call.headers['x-forwarded-host'])} ${call.path}`);
  });
  public teamUrl = '';
  /** Where workerd listens for visits (a request's Host header names the editor). */
  public workerUrl?: URL;
  private mf?: Miniflare;

  /** Starts the stand-ins and workerd with the Worker (the committed bundle), and registers the editors. */
  public async start(options: HarnessOptions = {}): Promise<void> {
    const { limits = DEFAULT_LIMITS, registered = EDITORS, listLimit, script, instrumented = true } = options;
    const standIns = [this.access, this.digitalocean, this.hook, this.origin];
    const [teamUrl, digitaloceanUrl, hookUrl, originUrl] = await Promise.all(standIns.map((standIn) => standIn.listen()));
    this.teamUrl = teamUrl;
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const { fetch: miniflareFetch, Miniflare: MiniflareClass, Response: MiniflareResponse } = require('miniflare') as typeof import('miniflare');
    this.mf = new MiniflareClass({
      ...workerModules(script, instrumented, listLimit),
      compatibilityDate: '2025-09-01',
      kvNamespaces: [BINDINGS.state],
      bindings: {
        [BINDINGS.accessTeamUrl]: teamUrl,
        [BINDINGS.digitaloceanApiUrl]: digitaloceanUrl,
        [BINDINGS.digitaloceanToken]: 'do-token',
        [BINDINGS.startHookUrl]: `${hookUrl}/dispatches`,
        [BINDINGS.startHookSecret]: 'hook-secret',
        [BINDINGS.startHookRef]: 'main',
        [BINDINGS.startLimits]: JSON.stringify(limits),
      },
      // Cloudflare's edge: a request to an editor's hostname goes to its origin through the tunnel,
      // or is answered 530 when the tunnel is down; the stand-ins are reached as they are.
      outboundService: async (request) => {
        const url = new URL(request.url);
        if (!url.hostname.endsWith(`.${EDITOR_DOMAIN}`)) return miniflareFetch(request);
        if (!this.up.has(url.hostname.slice(0, -EDITOR_DOMAIN.length - 1))) return new MiniflareResponse('error code: 1033', { status: 530 });
        return miniflareFetch(`${originUrl}${url.pathname}${url.search}`, { method: request.method, headers: { 'x-forwarded-host': url.hostname } });
      },
    });
    this.workerUrl = await this.mf.ready;
    for (const editor of registered) await this.register(editor);
  }

  /** Registers an editor as its stack does: its JSON as the value and as the metadata of its registry key. */
  public async register(editor: ServedEditor): Promise<void> {
    const kv = (await this.mf!.getKVNamespace(BINDINGS.state)) as unknown as {
      put(key: string, value: string, options: { metadata: unknown }): Promise<void>;
    };
    await kv.put(registryKey(editor.hostname), JSON.stringify(editor), { metadata: editor });
  }

  /** Moves the Worker's clock forward (Date.now in its isolate), as time passing would. */
  public async advanceClock(ms: number): Promise<void> {
    await (await this.mf!.dispatchFetch(`https://${HARNESS_HOST}/advance?ms=${ms}`)).text();
  }

  /** Makes the Worker's KV reads fail (an outage of KV), or work again. */
  public async kvDown(down: boolean): Promise<void> {
    await (await this.mf!.dispatchFetch(`https://${HARNESS_HOST}/kv-down?down=${down}`)).text();
  }

  /** The Worker's KV calls since the last look (`get <key>`, `put <key>`, `list <prefix> <cursor>`). */
  public async kvCalls(): Promise<string[]> {
    return (await this.mf!.dispatchFetch(`https://${HARNESS_HOST}/kv-log`)).json() as Promise<string[]>;
  }

  /** A visit of an editor's address, with an Access token or none. */
  public async visit(editor: ServedEditor, token?: string, path = '/', viaCookie = false) {
    const headers: Record<string, string> = {};
    if (token && viaCookie) headers.Cookie = `theme=dark; CF_Authorization=${token}`;
    else if (token) headers['Cf-Access-Jwt-Assertion'] = token;
    const response = await this.mf!.dispatchFetch(`https://${editor.hostname}${path}`, { headers });
    return { status: response.status, headers: response.headers, body: await response.text() };
  }

  /** The cron trigger's run. */
  public async cron(): Promise<void> {
    // miniflare types its handles with workers-types, which this project does not load.
    const worker = (await this.mf!.getWorker()) as unknown as { scheduled(event: { cron: string }): Promise<{ outcome: string }> };
    const result = await worker.scheduled({ cron: '*/5 * * * *' });
    if (result.outcome !== 'ok') throw new Error(`scheduled: ${result.outcome}`);
  }

  public async record(editor: ServedEditor): Promise<unknown> {
    const kv = (await this.mf!.getKVNamespace(BINDINGS.state)) as unknown as { get(key: string): Promise<string | null> };
    const text = await kv.get(recordKey(editor.name));
    return text === null ? null : JSON.parse(text);
  }

  /** A valid token of an editor's Access application, for an hour. */
  public tokenFor(editor: ServedEditor, claims: Record<string, unknown> = {}): string {
    const now = Math.floor(Date.now() / 1000);
    const base = { aud: [editor.accessAudience], iss: this.teamUrl, email: `${editor.name}@example.com`, iat: now, nbf: now, exp: now + 3600 };
    return this.key.sign({ ...base, ...claims });
  }

  public async stop(): Promise<void> {
    await this.mf?.dispose();
    await Promise.all([this.access, this.digitalocean, this.hook, this.origin].map((s) => s.close()));
  }
}

/** Whether miniflare's workerd binary runs here: undefined when it does, else what fails. */
export function workerdProbe(): string | undefined {
  const run = spawnSync(process.execPath, ['-e', 'require("child_process").execFileSync(require("workerd").default, ["--version"])'], { encoding: 'utf8' });
  if (run.status === 0) return undefined;
  const error = run.stderr.split('\n').find((line) => /Error:/.test(line)) ?? run.stderr.trim().split('\n')[0];
  return `workerd, miniflare's runtime (${error.trim()})`;
}

/** What the worker tier needs: the bundle and workerd (npm). */
export const WORKER_TIER_NEEDS = {
  files: [{ path: WORKER_BUNDLE, what: 'the Worker\'s bundle' }],
  probe: workerdProbe,
  install: 'Install it with: npm ci (miniflare and workerd are devDependencies; workerd runs on Linux x64 and arm64 with glibc 2.35 or newer), and npx projen bundle:worker.',
};
