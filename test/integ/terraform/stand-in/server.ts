import { createServer, IncomingMessage, Server, ServerResponse } from 'http';
import { AddressInfo } from 'net';
import { Throttle } from './rate-limits';

/** What a route answers: an HTTP status and a JSON body, or a body of another type (`raw`). */
export interface Reply {
  readonly status: number;
  readonly body?: unknown;
  /** A body sent as it is, with its content type (a Worker's module, a KV value), instead of `body`'s JSON. */
  readonly raw?: { readonly contentType: string; readonly text: string };
}

/** One part of a `multipart/form-data` request body. */
export interface FormPart {
  readonly value: string;
  /** The part's file name and content type, for a file part. */
  readonly filename?: string;
  readonly type?: string;
}

/**
 * A request's body as the route gets it: the JSON parsed, a `multipart/form-data` body as its
 * parts by name, other text as it is.
 */
export type RequestBody = any;

/** What else of a request a route may read. */
export interface RequestDetail {
  readonly query: URLSearchParams;
}

/** One endpoint of an API: a method, a path pattern whose groups are passed on, and its handler. */
export interface Route {
  readonly method: string;
  readonly path: RegExp;
  readonly handle: (params: string[], body: RequestBody, request: RequestDetail) => Reply;
}

/** A `multipart/form-data` body's parts by name (the body parsed as undici parses a form). */
async function formParts(raw: Buffer, contentType: string): Promise<Record<string, FormPart>> {
  const form = await new Response(raw, { headers: { 'content-type': contentType } }).formData();
  const parts: Record<string, FormPart> = {};
  for (const [name, entry] of form.entries()) {
    parts[name] = typeof entry === 'string' ? { value: entry } : { value: await entry.text(), filename: entry.name, type: entry.type };
  }
  return parts;
}

/** An API served under a path prefix, reached with a bearer token. */
export interface StandInApi {
  /** The path every route of the API starts with, e.g. `/v2/`. */
  readonly prefix: string;
  /** The token the provider must send as `Authorization: Bearer <token>`. */
  readonly token: string;
  readonly routes: Route[];
  /** The body of an error in this API's shape. */
  error(message: string): unknown;
}

/** A request the stand-in received and how it answered. */
export interface ApiCall {
  readonly method: string;
  /** The path without the query string. */
  readonly path: string;
  readonly body: unknown;
  readonly status: number;
  /** False when no route matched or the token was wrong: the request was answered with an error. */
  readonly known: boolean;
  /** The API's path prefix, e.g. `/v2/`; none when no API serves the path. */
  readonly api?: string;
  /** True when the API's rate limit refused the request (a 429). */
  readonly throttled?: boolean;
  /** When it was received (milliseconds since the epoch). */
  readonly at: number;
}

/**
 * An HTTP server on 127.0.0.1 (an ephemeral port) that serves the stand-in APIs and keeps every
 * request it gets. A request no route knows, or one without the API's token, is answered with an
 * error (501, or 401) and recorded as unknown, so that a new API call fails a test instead of
 * passing silently.
 */
export class LoopbackServer {
  /** Every request received, in order. */
  public readonly calls: ApiCall[] = [];
  private readonly server: Server;
  private readonly throttles = new Map<StandInApi, Throttle>();
  private port = 0;

  constructor(private readonly apis: StandInApi[]) {
    this.server = createServer((req, res) => this.receive(req, res));
  }

  /** The server's base URL, e.g. `http://127.0.0.1:41234`; known once started. */
  public get url(): string {
    if (this.port === 0) throw new Error('the stand-in is not listening yet');
    return `http://127.0.0.1:${this.port}`;
  }

  /** The requests that no route answered. */
  public get unknownCalls(): ApiCall[] {
    return this.calls.filter((c) => !c.known);
  }

  /** Enforces a rate limit on an API's requests (its answers and headers), or lifts it with `undefined`. */
  public throttle(api: StandInApi, throttle: Throttle | undefined): void {
    if (throttle) this.throttles.set(api, throttle);
    else this.throttles.delete(api);
  }

  public async start(): Promise<void> {
    await new Promise<void>((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen(0, '127.0.0.1', () => resolve());
    });
    this.port = (this.server.address() as AddressInfo).port;
  }

  public async stop(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private receive(req: IncomingMessage, res: ServerResponse): void {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => void this.answer(req, Buffer.concat(chunks), res));
  }

  private async answer(req: IncomingMessage, raw: Buffer, res: ServerResponse): Promise<void> {
    const text = raw.toString('utf8');
    const method = req.method ?? 'GET';
    const [path, search] = (req.url ?? '/').split('?');
    const contentType = req.headers['content-type'] ?? '';
    let body: unknown;
    if (contentType.startsWith('multipart/form-data')) {
      body = await formParts(raw, contentType);
    } else {
      try {
        body = text.length > 0 ? JSON.parse(text) : undefined;
      } catch {
        body = text;
      }
    }
    const api = this.apis.find((a) => path.startsWith(a.prefix));
    const verdict = api ? this.throttles.get(api)?.take() : undefined;
    const { reply, known } = verdict?.refusal !== undefined
      ? { reply: { status: 429, body: verdict.refusal }, known: true }
      : this.dispatch(method, path, body, { query: new URLSearchParams(search ?? '') }, req.headers.authorization);
    const throttled = verdict?.refusal !== undefined;
    this.calls.push({ method, path, body, status: reply.status, known, at: Date.now(), api: api?.prefix, throttled });
    res.writeHead(reply.status, {
      'content-type': reply.raw?.contentType ?? 'application/json',
      ...verdict?.headers,
      // The Cloudflare client retries 5xx answers unless told not to: an unknown call fails at once.
      ...(known ? {} : { 'x-should-retry': 'false' }),
    });
    res.end(reply.raw?.text ?? (reply.body === undefined ? '' : JSON.stringify(reply.body)));
  }

  private dispatch(method: string, path: string, body: unknown, request: RequestDetail, authorization?: string): { reply: Reply; known: boolean } {
    const api = this.apis.find((a) => path.startsWith(a.prefix));
    const unknown = (status: number, message: string) => ({
      reply: { status, body: api ? api.error(message) : { message } },
      known: false,
    });
    if (!api) return unknown(501, `stand-in: no API serves ${method} ${path}`);
    if (authorization !== `Bearer ${api.token}`) return unknown(401, `stand-in: ${method} ${path} came without the API token`);
    const rest = path.slice(api.prefix.length);
    for (const route of api.routes) {
      const match = route.method === method ? route.path.exec(rest) : null;
      if (match) return { reply: route.handle(match.slice(1), body, request), known: true };
    }
    return unknown(501, `stand-in: no route for ${method} ${path}`);
  }
}
