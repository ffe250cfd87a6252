import { BINDINGS, recordKey, ServedEditor, StartLimits, STATUS_PATH } from './contract';
import { decideStart, DropletSummary, EditorRecord, noneRunning, originAnswered, parseRecord, planStops, runningRecord } from './decisions';
import { DigitalOcean } from './digitalocean';
import { AccessKey, accessToken, checkAccessToken, tokenKeyId } from './jwt';
import { aboutHowLong, failedStartPage, limitedPage, refusedPage, startingPage } from './page';
import { KvStore, registeredEditors, RegistryMemo } from './registry';

/** What the Worker is given: text bindings by their names in BINDINGS, and the KV namespace. */
type Env = Record<Exclude<(typeof BINDINGS)[keyof typeof BINDINGS], 'STATE'>, string> & { STATE: KvStore };

interface Context {
  waitUntil(promise: Promise<unknown>): void;
}

/** The team's keys, kept for the isolate's life and fetched again for a key id they lack. */
let teamKeys: { url: string; keys: AccessKey[] } | undefined;

async function keysFor(teamUrl: string, kid: string | undefined): Promise<AccessKey[]> {
  const url = `${teamUrl}/cdn-cgi/access/certs`;
  if (teamKeys?.url === url && teamKeys.keys.some((key) => key.kid === kid)) return teamKeys.keys;
  const response = await fetch(url);
  if (!response.ok) throw new Error(`Access certs ${url}: ${response.status}`);
  const body = (await response.json()) as { keys?: AccessKey[] };
  teamKeys = { url, keys: body.keys ?? [] };
  return teamKeys.keys;
}

/** The editors' registrations this isolate has read, kept a minute each. */
const registry = new RegistryMemo();

async function readRecord(env: Env, editor: ServedEditor): Promise<EditorRecord> {
  return parseRecord(await env.STATE.get(recordKey(editor.name)));
}

async function writeRecord(env: Env, editor: ServedEditor, record: EditorRecord): Promise<void> {
  await env.STATE.put(recordKey(editor.name), JSON.stringify(record));
}

function respond(body: string, status: number, contentType: string, headers: Record<string, string>): Response {
  return new Response(body, { status, headers: { 'Content-Type': contentType, 'Cache-Control': 'no-store', ...headers } });
}

const html = (body: string, status: number, headers: Record<string, string> = {}) => respond(body, status, 'text/html; charset=utf-8', headers);
const text = (body: string, status: number, headers: Record<string, string> = {}) => respond(body, status, 'text/plain; charset=utf-8', headers);
const json = (value: unknown) => respond(JSON.stringify(value), 200, 'application/json', {});

/** The editor's origin's answer to a request, or undefined when the origin does not answer. */
async function fromOrigin(request: Request): Promise<Response | undefined> {
  try {
    const response = await fetch(request);
    return originAnswered(response.status) ? response : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Starts an editor, unless a droplet of it is booting or up (false then, and nothing is done):
 * deletes a droplet of it still powered off (the cron has not come by yet: a deploy would keep it,
 * off), removes its stopped marker (so that its stack plans a droplet again), then calls the start
 * hook, whose deploy makes the droplet on the same home.
 */
async function start(env: Env, editor: ServedEditor): Promise<boolean> {
  const digitalocean = new DigitalOcean(env.DIGITALOCEAN_API_URL, env.DIGITALOCEAN_TOKEN);
  const droplets = await digitalocean.dropletsTagged(editor.dropletTag);
  if (!noneRunning(droplets)) return false;
  for (const droplet of droplets) await digitalocean.deleteDroplet(droplet.id);
  await digitalocean.deleteTag(editor.markerTag);
  const response = await fetch(env.START_HOOK_URL, {
    method: 'POST',
    headers: {
      'Authorization': `Bearer ${env.START_HOOK_SECRET}`,
      'Accept': 'application/vnd.github+json',
      'Content-Type': 'application/json',
      'User-Agent': 'ztcs-control-plane',
    },
    body: JSON.stringify({ ref: env.START_HOOK_REF, inputs: { editor: editor.name, stack: editor.stack } }),
  });
  if (!response.ok) throw new Error(`start hook: ${response.status} ${await response.text()}`);
  return true;
}

async function visit(request: Request, env: Env, context: Context): Promise<Response> {
  let editor: ServedEditor | undefined;
  try {
    editor = await registry.editorAt(new URL(request.url).hostname, (key) => env.STATE.get(key));
  } catch (error) {
    console.error(`registry: ${String(error)}`);
    return text('The control plane cannot read its registry just now. Reload in a minute.\n', 503, { 'Retry-After': '60' });
  }
  if (!editor) return text('No editor is registered at this address.\n', 404);
  const token = accessToken(request.headers);
  if (!token) return html(refusedPage(), 403);
  const check = await checkAccessToken(token, await keysFor(env.ACCESS_TEAM_URL, tokenKeyId(token)), {
    audience: editor.accessAudience,
    issuer: env.ACCESS_TEAM_URL,
    now: Math.floor(Date.now() / 1000),
  });
  if (!check.ok) return html(refusedPage(), 403);

  // A running editor's requests touch nothing but the origin: no KV read, no write.
  const isStatus = new URL(request.url).pathname === STATUS_PATH;
  if (!isStatus) {
    const answer = await fromOrigin(request);
    if (answer) return answer;
  }
  const limits = JSON.parse(env.START_LIMITS) as StartLimits;
  const record = await readRecord(env, editor);
  if (isStatus) {
    // The starting page's question goes to the editor's health check, never to the editor's own pages.
    if (await fromOrigin(new Request(new URL('/healthz', request.url), { headers: request.headers }))) {
      // The start is over; its call still counts in the hour's limit.
      if (record.state !== 'running') context.waitUntil(writeRecord(env, editor, runningRecord(record, Date.now())));
      return json({ ready: true });
    }
    const left = record.state === 'starting' ? Math.max(0, limits.expectedSeconds - (Date.now() - record.since) / 1000) : limits.expectedSeconds;
    return json({ ready: false, about: aboutHowLong(left) });
  }
  const decision = decideStart(record, Date.now(), limits);
  if (decision.action === 'limited') {
    return html(limitedPage(editor.name, decision.retryAfterSeconds), 429, { 'Retry-After': String(decision.retryAfterSeconds) });
  }
  if (decision.action === 'start') {
    // Recorded before the call, so that visits meanwhile wait rather than call again.
    await writeRecord(env, editor, decision.record);
    let started: boolean;
    try {
      started = await start(env, editor);
    } catch (error) {
      // The next visit may try again: the record is as it was, but for the start counted in the hour's limit.
      await writeRecord(env, editor, { ...decision.record, state: record.state, since: record.since });
      console.error(`start of ${editor.name}: ${String(error)}`);
      return html(failedStartPage(editor.name), 502);
    }
    // A droplet is booting or up: no start was asked for, and none is counted.
    if (!started) await writeRecord(env, editor, record);
  }
  return html(startingPage(editor.name, decision.secondsLeft), 503, { 'Retry-After': '5' });
}

async function stopPoweredOff(env: Env): Promise<void> {
  const digitalocean = new DigitalOcean(env.DIGITALOCEAN_API_URL, env.DIGITALOCEAN_TOKEN);
  const droplets = new Map<ServedEditor, DropletSummary[]>();
  for (const editor of await registeredEditors(env.STATE)) droplets.set(editor, await digitalocean.dropletsTagged(editor.dropletTag));
  for (const plan of planStops(droplets)) {
    // The marker first: were the droplet deleted without it, the next deploy would start the editor again.
    await digitalocean.createTag(plan.editor.markerTag);
    for (const id of plan.dropletIds) await digitalocean.deleteDroplet(id);
    await writeRecord(env, plan.editor, { ...(await readRecord(env, plan.editor)), state: 'stopped', since: Date.now() });
  }
}

export default {
  fetch: visit,
  async scheduled(_controller: unknown, env: Env): Promise<void> {
    await stopPoweredOff(env);
  },
};
