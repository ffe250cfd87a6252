// The control plane's Worker, bundled from lib/control-plane/worker/ by scripts/bundle-worker.ts: edit those, not this.

// lib/control-plane/worker/contract.ts
var REGISTRY_PREFIX = "editor:";
var RECORD_PREFIX = "record:";
function registryKey(hostname) {
  return `${REGISTRY_PREFIX}${hostname.toLowerCase()}`;
}
function recordKey(name) {
  return `${RECORD_PREFIX}${name}`;
}
var STATUS_PATH = "/.ztcs/start-status";

// lib/control-plane/worker/decisions.ts
var NEW_RECORD = { state: "running", since: 0, starts: [] };
function parseRecord(text2) {
  if (!text2) return NEW_RECORD;
  try {
    const value = JSON.parse(text2);
    if (!["running", "stopped", "starting"].includes(value.state) || typeof value.since !== "number" || !Array.isArray(value.starts)) return NEW_RECORD;
    return { state: value.state, since: value.since, starts: value.starts.filter((time) => typeof time === "number") };
  } catch {
    return NEW_RECORD;
  }
}
var HOUR = 36e5;
function decideStart(record, now, limits) {
  const left = (since) => Math.max(0, Math.ceil(limits.expectedSeconds - (now - since) / 1e3));
  if (record.state === "starting" && now - record.since < limits.startTimeoutSeconds * 1e3) {
    return { action: "wait", secondsLeft: left(record.since) };
  }
  const recent = record.starts.filter((time) => now - time < HOUR);
  if (recent.length >= limits.maxStartsPerHour) {
    return { action: "limited", retryAfterSeconds: Math.ceil((Math.min(...recent) + HOUR - now) / 1e3) };
  }
  return { action: "start", record: { state: "starting", since: now, starts: [...recent, now] }, secondsLeft: limits.expectedSeconds };
}
function runningRecord(record, now) {
  return { state: "running", since: now, starts: record.starts.filter((time) => now - time < HOUR) };
}
function planStops(droplets) {
  const plans = [];
  for (const [editor, list] of droplets) {
    if (list.length > 0 && noneRunning(list)) plans.push({ editor, dropletIds: list.map((droplet) => droplet.id) });
  }
  return plans;
}
function noneRunning(droplets) {
  return droplets.every((droplet) => droplet.status === "off");
}
function originAnswered(status) {
  return !(status === 502 || status === 503 || status === 504 || status >= 520 && status <= 530);
}

// lib/control-plane/worker/digitalocean.ts
var DigitalOcean = class {
  constructor(apiUrl, token) {
    this.apiUrl = apiUrl;
    this.token = token;
  }
  apiUrl;
  token;
  /** The droplets with a tag (the editor's). */
  async dropletsTagged(tag) {
    const body = await this.call("GET", `/v2/droplets?tag_name=${encodeURIComponent(tag)}&per_page=200`);
    return (body.droplets ?? []).map((droplet) => ({ id: droplet.id, status: droplet.status }));
  }
  /** Creates a tag (the editor's stopped marker); one that exists already is left as it is (422, should the API refuse it). */
  async createTag(name) {
    await this.call("POST", "/v2/tags", { name }, [422]);
  }
  /** Deletes a tag (the marker, when the editor starts); one that is absent already is fine. */
  async deleteTag(name) {
    await this.call("DELETE", `/v2/tags/${encodeURIComponent(name)}`, void 0, [404]);
  }
  /** Deletes a droplet by its id; its volumes are detached and kept. */
  async deleteDroplet(id) {
    await this.call("DELETE", `/v2/droplets/${id}`, void 0, [404]);
  }
  async call(method, path, body, alsoFine = []) {
    const response = await fetch(`${this.apiUrl}${path}`, {
      method,
      headers: { "Authorization": `Bearer ${this.token}`, "Content-Type": "application/json" },
      ...body === void 0 ? {} : { body: JSON.stringify(body) }
    });
    if (!response.ok && !alsoFine.includes(response.status)) {
      throw new Error(`DigitalOcean ${method} ${path}: ${response.status} ${await response.text()}`);
    }
    return response.status === 204 || !response.ok ? {} : response.json();
  }
};

// lib/control-plane/worker/jwt.ts
var CLOCK_SKEW_SECONDS = 60;
function base64UrlDecode(text2) {
  if (!/^[A-Za-z0-9_-]*$/.test(text2)) return void 0;
  const base64 = text2.replace(/-/g, "+").replace(/_/g, "/") + "=".repeat((4 - text2.length % 4) % 4);
  try {
    return Uint8Array.from(atob(base64), (c) => c.charCodeAt(0));
  } catch {
    return void 0;
  }
}
function decodeJson(part) {
  const bytes = base64UrlDecode(part);
  if (!bytes) return void 0;
  try {
    const value = JSON.parse(new TextDecoder().decode(bytes));
    return typeof value === "object" && value !== null && !Array.isArray(value) ? value : void 0;
  } catch {
    return void 0;
  }
}
function accessToken(headers) {
  const header = headers.get("Cf-Access-Jwt-Assertion");
  if (header) return header.trim();
  for (const cookie of (headers.get("Cookie") ?? "").split(";")) {
    const [name, ...value] = cookie.trim().split("=");
    if (name === "CF_Authorization" && value.length > 0) return value.join("=");
  }
  return void 0;
}
function tokenKeyId(token) {
  const header = decodeJson(token.split(".")[0] ?? "");
  return typeof header?.kid === "string" ? header.kid : void 0;
}
async function checkAccessToken(token, keys, expect, subtle = crypto.subtle) {
  const parts = token.split(".");
  if (parts.length !== 3) return { ok: false, reason: "not a JWT" };
  const [headerPart, payloadPart, signaturePart] = parts;
  const header = decodeJson(headerPart);
  const payload = decodeJson(payloadPart);
  const signature = base64UrlDecode(signaturePart);
  if (!header || !payload || !signature) return { ok: false, reason: "not a JWT" };
  if (header.alg !== "RS256") return { ok: false, reason: `algorithm ${String(header.alg)} is not RS256` };
  const jwk = keys.find((key2) => key2.kid === header.kid);
  if (!jwk || jwk.kty !== "RSA") return { ok: false, reason: `no key ${String(header.kid)} of the team` };
  const key = await subtle.importKey(
    "jwk",
    { kty: "RSA", n: jwk.n, e: jwk.e, alg: "RS256", ext: true },
    { name: "RSASSA-PKCS1-v1_5", hash: "SHA-256" },
    false,
    ["verify"]
  );
  const signed = new TextEncoder().encode(`${headerPart}.${payloadPart}`);
  if (!await subtle.verify("RSASSA-PKCS1-v1_5", key, signature, signed)) return { ok: false, reason: "bad signature" };
  return checkClaims(payload, expect);
}
function checkClaims(payload, expect) {
  const audiences = Array.isArray(payload.aud) ? payload.aud : [payload.aud];
  if (!audiences.includes(expect.audience)) return { ok: false, reason: "for another application" };
  if (payload.iss !== expect.issuer) return { ok: false, reason: `issued by ${String(payload.iss)}` };
  if (typeof payload.exp !== "number" || payload.exp + CLOCK_SKEW_SECONDS <= expect.now) return { ok: false, reason: "expired" };
  if (typeof payload.nbf === "number" && payload.nbf - CLOCK_SKEW_SECONDS > expect.now) return { ok: false, reason: "not valid yet" };
  return { ok: true, ...typeof payload.email === "string" ? { email: payload.email } : {} };
}

// lib/control-plane/worker/page.ts
function escapeHtml(text2) {
  return text2.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}
function aboutHowLong(seconds) {
  if (seconds < 45) return "less than a minute";
  const minutes = Math.max(1, Math.round(seconds / 60));
  return minutes === 1 ? "about a minute" : `about ${minutes} minutes`;
}
var STYLE = "body{font-family:system-ui,sans-serif;max-width:36rem;margin:4rem auto;padding:0 1rem;color:#1f2328}h1{font-size:1.5rem}";
function page(title, body, script = "") {
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1"><title>${escapeHtml(title)}</title><style>${STYLE}</style></head><body>${body}${script}</body></html>`;
}
var POLL_INTERVAL_MS = 5e3;
function startingPage(editorName, secondsLeft, pollIntervalMs = POLL_INTERVAL_MS) {
  const script = `<script>(function(){var left=document.getElementById('left');function poll(){fetch(${JSON.stringify(STATUS_PATH)},{credentials:'same-origin',cache:'no-store'}).then(function(r){return r.json()}).then(function(s){if(s.ready){location.reload();return}left.textContent=s.about;setTimeout(poll,${pollIntervalMs})},function(){setTimeout(poll,${pollIntervalMs})})}setTimeout(poll,${pollIntervalMs})})()</script>`;
  return page(
    "Your editor is starting",
    `<h1>Your editor is starting</h1><p>${escapeHtml(editorName)}'s editor was stopped while nobody used it. It is starting now, on the same home; that takes <strong id="left">${aboutHowLong(secondsLeft)}</strong>.</p><p>This page opens the editor when it is ready: keep it open.</p>`,
    script
  );
}
function refusedPage() {
  return page("Not allowed", "<h1>Not allowed</h1><p>This request did not come through this editor's Cloudflare Access application. Open the editor's address in a browser and sign in.</p>");
}
function limitedPage(editorName, retryAfterSeconds) {
  return page(
    "Started too often",
    `<h1>Started too often</h1><p>${escapeHtml(editorName)}'s editor was started too many times in the last hour. Try again in ${aboutHowLong(retryAfterSeconds)}, or ask your platform team.</p>`
  );
}
function failedStartPage(editorName) {
  return page(
    "Your editor could not be started",
    `<h1>Your editor could not be started</h1><p>${escapeHtml(editorName)}'s editor is stopped, and asking for its start failed. Reload this page to try again; if it fails again, ask your platform team.</p>`
  );
}

// lib/control-plane/worker/registry.ts
var EDITOR_FIELDS = ["name", "hostname", "accessAudience", "dropletTag", "markerTag", "stack"];
function servedEditor(value, hostname) {
  if (typeof value !== "object" || value === null) return void 0;
  const fields = value;
  if (!EDITOR_FIELDS.every((field) => typeof fields[field] === "string" && fields[field] !== "")) return void 0;
  const editor = Object.fromEntries(EDITOR_FIELDS.map((field) => [field, fields[field]]));
  return hostname === void 0 || editor.hostname.toLowerCase() === hostname.toLowerCase() ? editor : void 0;
}
function parseJson(text2) {
  if (text2 === null) return void 0;
  try {
    return JSON.parse(text2);
  } catch {
    return void 0;
  }
}
var REGISTRY_MEMO_MS = 6e4;
var RegistryMemo = class {
  constructor(now = () => Date.now(), memoMs = REGISTRY_MEMO_MS) {
    this.now = now;
    this.memoMs = memoMs;
  }
  now;
  memoMs;
  entries = /* @__PURE__ */ new Map();
  /**
   * The editor registered at `hostname`, from the memo or else from KV through `read`. When the
   * read fails, what the memo held before is kept another minute (a running editor's traffic goes
   * on through a KV outage); with nothing held before, the failure is thrown and not kept.
   */
  async editorAt(hostname, read) {
    const host = hostname.toLowerCase();
    const kept = this.entries.get(host);
    if (kept && kept.until > this.now()) return kept.editor;
    const editor = read(registryKey(host)).then((text2) => {
      const found = servedEditor(parseJson(text2), host);
      if (text2 !== null && !found) console.error(`registry: ${registryKey(host)} is not an editor's registration; its host is served as unregistered`);
      return found;
    }, async (error) => {
      if (!kept) throw error;
      console.error(`registry: reading ${registryKey(host)} failed, kept what was read before: ${String(error)}`);
      return kept.editor;
    });
    this.entries.set(host, { editor, until: this.now() + this.memoMs });
    editor.catch(() => {
      if (this.entries.get(host)?.editor === editor) this.entries.delete(host);
    });
    return editor;
  }
};
async function registeredEditors(kv) {
  const editors = [];
  let cursor;
  do {
    const page2 = await kv.list({ prefix: REGISTRY_PREFIX, ...cursor === void 0 ? {} : { cursor } });
    for (const key of page2.keys) {
      const editor = servedEditor(key.metadata, key.name.slice(REGISTRY_PREFIX.length));
      if (editor) editors.push(editor);
      else console.error(`registry: ${key.name} has no editor's registration in its metadata; skipped`);
    }
    cursor = page2.list_complete ? void 0 : page2.cursor;
  } while (cursor);
  return editors;
}

// lib/control-plane/worker/index.ts
var teamKeys;
async function keysFor(teamUrl, kid) {
  const url = `${teamUrl}/cdn-cgi/access/certs`;
  if (teamKeys?.url === url && teamKeys.keys.some((key) => key.kid === kid)) return teamKeys.keys;
  const response = await fetch(url);
  if (!response.ok) throw new Error(`Access certs ${url}: ${response.status}`);
  const body = await response.json();
  teamKeys = { url, keys: body.keys ?? [] };
  return teamKeys.keys;
}
var registry = new RegistryMemo();
async function readRecord(env, editor) {
  return parseRecord(await env.STATE.get(recordKey(editor.name)));
}
async function writeRecord(env, editor, record) {
  await env.STATE.put(recordKey(editor.name), JSON.stringify(record));
}
function respond(body, status, contentType, headers) {
  return new Response(body, { status, headers: { "Content-Type": contentType, "Cache-Control": "no-store", ...headers } });
}
var html = (body, status, headers = {}) => respond(body, status, "text/html; charset=utf-8", headers);
var text = (body, status, headers = {}) => respond(body, status, "text/plain; charset=utf-8", headers);
var json = (value) => respond(JSON.stringify(value), 200, "application/json", {});
async function fromOrigin(request) {
  try {
    const response = await fetch(request);
    return originAnswered(response.status) ? response : void 0;
  } catch {
    return void 0;
  }
}
async function start(env, editor) {
  const digitalocean = new DigitalOcean(env.DIGITALOCEAN_API_URL, env.DIGITALOCEAN_TOKEN);
  const droplets = await digitalocean.dropletsTagged(editor.dropletTag);
  if (!noneRunning(droplets)) return false;
  for (const droplet of droplets) await digitalocean.deleteDroplet(droplet.id);
  await digitalocean.deleteTag(editor.markerTag);
  const response = await fetch(env.START_HOOK_URL, {
    method: "POST",
    headers: {
      "Authorization": `Bearer ${env.START_HOOK_SECRET}`,
      "Accept": "application/vnd.github+json",
      "Content-Type": "application/json",
      "User-Agent": "ztcs-control-plane"
    },
    body: JSON.stringify({ ref: env.START_HOOK_REF, inputs: { editor: editor.name, stack: editor.stack } })
  });
  if (!response.ok) throw new Error(`start hook: ${response.status} ${await response.text()}`);
  return true;
}
async function visit(request, env, context) {
  let editor;
  try {
    editor = await registry.editorAt(new URL(request.url).hostname, (key) => env.STATE.get(key));
  } catch (error) {
    console.error(`registry: ${String(error)}`);
    return text("The control plane cannot read its registry just now. Reload in a minute.\n", 503, { "Retry-After": "60" });
  }
  if (!editor) return text("No editor is registered at this address.\n", 404);
  const token = accessToken(request.headers);
  if (!token) return html(refusedPage(), 403);
  const check = await checkAccessToken(token, await keysFor(env.ACCESS_TEAM_URL, tokenKeyId(token)), {
    audience: editor.accessAudience,
    issuer: env.ACCESS_TEAM_URL,
    now: Math.floor(Date.now() / 1e3)
  });
  if (!check.ok) return html(refusedPage(), 403);
  const isStatus = new URL(request.url).pathname === STATUS_PATH;
  if (!isStatus) {
    const answer = await fromOrigin(request);
    if (answer) return answer;
  }
  const limits = JSON.parse(env.START_LIMITS);
  const record = await readRecord(env, editor);
  if (isStatus) {
    if (await fromOrigin(new Request(new URL("/healthz", request.url), { headers: request.headers }))) {
      if (record.state !== "running") context.waitUntil(writeRecord(env, editor, runningRecord(record, Date.now())));
      return json({ ready: true });
    }
    const left = record.state === "starting" ? Math.max(0, limits.expectedSeconds - (Date.now() - record.since) / 1e3) : limits.expectedSeconds;
    return json({ ready: false, about: aboutHowLong(left) });
  }
  const decision = decideStart(record, Date.now(), limits);
  if (decision.action === "limited") {
    return html(limitedPage(editor.name, decision.retryAfterSeconds), 429, { "Retry-After": String(decision.retryAfterSeconds) });
  }
  if (decision.action === "start") {
    await writeRecord(env, editor, decision.record);
    let started;
    try {
      started = await start(env, editor);
    } catch (error) {
      await writeRecord(env, editor, { ...decision.record, state: record.state, since: record.since });
      console.error(`start of ${editor.name}: ${String(error)}`);
      return html(failedStartPage(editor.name), 502);
    }
    if (!started) await writeRecord(env, editor, record);
  }
  return html(startingPage(editor.name, decision.secondsLeft), 503, { "Retry-After": "5" });
}
async function stopPoweredOff(env) {
  const digitalocean = new DigitalOcean(env.DIGITALOCEAN_API_URL, env.DIGITALOCEAN_TOKEN);
  const droplets = /* @__PURE__ */ new Map();
  for (const editor of await registeredEditors(env.STATE)) droplets.set(editor, await digitalocean.dropletsTagged(editor.dropletTag));
  for (const plan of planStops(droplets)) {
    await digitalocean.createTag(plan.editor.markerTag);
    for (const id of plan.dropletIds) await digitalocean.deleteDroplet(id);
    await writeRecord(env, plan.editor, { ...await readRecord(env, plan.editor), state: "stopped", since: Date.now() });
  }
}
var index_default = {
  fetch: visit,
  async scheduled(_controller, env) {
    await stopPoweredOff(env);
  }
};
export {
  index_default as default
};
