import { randomBytes, randomUUID } from 'crypto';
import { FormPart, Reply, Route, StandInApi } from './server';

type Json = Record<string, any>;

/** A tunnel's configuration as kept by the stand-in, by tunnel id. */
export interface TunnelConfiguration {
  account_id: string;
  tunnel_id: string;
  config: Json;
  source: string;
  version: number;
  created_at: string;
}

function ok(result: unknown): Reply {
  return { status: 200, body: { success: true, errors: [], messages: [], result } };
}

function failure(status: number, code: number, message: string): Reply {
  return { status, body: { success: false, errors: [{ code, message }], messages: [], result: null } };
}

const NOT_FOUND = failure(404, 7003, 'Could not route to the requested resource: not found');

/** A Worker as uploaded (`PUT …/workers/scripts/<name>`, multipart): its module and its metadata part. */
export interface WorkerScript {
  account_id: string;
  id: string;
  /** The main module's source, as uploaded. */
  content: string;
  /** The main module's part name and content type. */
  main_module: string;
  content_type: string;
  /** The upload's `metadata` part: bindings (secrets' text too), compatibility date, main module. */
  metadata: Json;
  created_on: string;
  modified_on: string;
  etag: string;
  /** The cron trigger's schedules (`…/schedules`). */
  schedules: Array<{ cron: string; created_on: string; modified_on: string }>;
}

/** A value of a KV namespace, with its metadata (JSON) or none. */
export interface KvValue {
  value: string;
  metadata: unknown;
}

/**
 * The parts of the Cloudflare API v4 that the examples' resources use: Cloudflare Tunnels, their
 * configurations and tokens, DNS records, Access applications and Access policies. It keeps what
 * it is sent, adds the fields the API computes, and answers in the `{success, errors, messages,
 * result}` envelope that the provider reads. As with the API, a tunnel's configuration stays when
 * the tunnel is deleted, and a policy that an application uses cannot be deleted.
 */
export class CloudflareStandIn implements StandInApi {
  public readonly prefix = '/client/v4/';
  public readonly tunnels = new Map<string, Json>();
  public readonly tunnelConfigurations = new Map<string, TunnelConfiguration>();
  public readonly dnsRecords = new Map<string, Json>();
  public readonly accessApplications = new Map<string, Json>();
  public readonly accessPolicies = new Map<string, Json>();
  /** The certificate authorities of SSH applications' short-lived certificates, by application id. */
  public readonly shortLivedCertificates = new Map<string, Json>();
  /** The Workers, by name (one account in the tests). */
  public readonly workerScripts = new Map<string, WorkerScript>();
  /** Every upload of a Worker, in order: what the runner and the tests read. */
  public readonly workerUploads: WorkerScript[] = [];
  public readonly kvNamespaces = new Map<string, Json>();
  /** The values of each KV namespace, by namespace id, then by key (decoded). */
  public readonly kvValues = new Map<string, Map<string, KvValue>>();
  /** The zones' Workers routes, by id. */
  public readonly workerRoutes = new Map<string, Json>();

  public readonly routes: Route[] = [
    { method: 'POST', path: /^accounts\/(\w+)\/cfd_tunnel$/, handle: ([account], body) => this.createTunnel(account, body) },
    { method: 'GET', path: /^accounts\/(\w+)\/cfd_tunnel\/([\w-]+)$/, handle: ([account, id]) => this.inAccount(this.tunnels, account, id) },
    { method: 'DELETE', path: /^accounts\/(\w+)\/cfd_tunnel\/([\w-]+)$/, handle: ([account, id]) => this.deleteTunnel(account, id) },
    { method: 'GET', path: /^accounts\/(\w+)\/cfd_tunnel\/([\w-]+)\/token$/, handle: ([account, id]) => this.tunnelToken(account, id) },
    { method: 'PUT', path: /^accounts\/(\w+)\/cfd_tunnel\/([\w-]+)\/configurations$/, handle: ([account, id], body) => this.putConfiguration(account, id, body) },
    { method: 'GET', path: /^accounts\/(\w+)\/cfd_tunnel\/([\w-]+)\/configurations$/, handle: ([account, id]) => this.inAccount(this.tunnelConfigurations, account, id) },

    { method: 'POST', path: /^zones\/(\w+)\/dns_records$/, handle: ([zone], body) => this.createDnsRecord(zone, body) },
    { method: 'GET', path: /^zones\/(\w+)\/dns_records\/(\w+)$/, handle: ([zone, id]) => this.inZone(zone, id) },
    { method: 'PUT', path: /^zones\/(\w+)\/dns_records\/(\w+)$/, handle: ([zone, id], body) => this.updateDnsRecord(zone, id, body) },
    { method: 'DELETE', path: /^zones\/(\w+)\/dns_records\/(\w+)$/, handle: ([zone, id]) => this.deleteDnsRecord(zone, id) },

    { method: 'POST', path: /^accounts\/(\w+)\/access\/apps$/, handle: ([account], body) => this.createApplication(account, body) },
    { method: 'GET', path: /^accounts\/(\w+)\/access\/apps\/([\w-]+)$/, handle: ([account, id]) => this.readApplication(account, id) },
    { method: 'PUT', path: /^accounts\/(\w+)\/access\/apps\/([\w-]+)$/, handle: ([account, id], body) => this.updateApplication(account, id, body) },
    { method: 'DELETE', path: /^accounts\/(\w+)\/access\/apps\/([\w-]+)$/, handle: ([account, id]) => this.deleteFrom(this.accessApplications, account, id) },

    { method: 'POST', path: /^accounts\/(\w+)\/access\/apps\/([\w-]+)\/ca$/, handle: ([account, app]) => this.createCertificateAuthority(account, app) },
    { method: 'GET', path: /^accounts\/(\w+)\/access\/apps\/([\w-]+)\/ca$/, handle: ([account, app]) => this.inAccount(this.shortLivedCertificates, account, app) },
    { method: 'DELETE', path: /^accounts\/(\w+)\/access\/apps\/([\w-]+)\/ca$/, handle: ([account, app]) => this.deleteFrom(this.shortLivedCertificates, account, app) },

    { method: 'POST', path: /^accounts\/(\w+)\/access\/policies$/, handle: ([account], body) => this.createPolicy(account, body) },
    { method: 'GET', path: /^accounts\/(\w+)\/access\/policies\/([\w-]+)$/, handle: ([account, id]) => this.readPolicy(account, id) },
    { method: 'PUT', path: /^accounts\/(\w+)\/access\/policies\/([\w-]+)$/, handle: ([account, id], body) => this.updatePolicy(account, id, body) },
    { method: 'DELETE', path: /^accounts\/(\w+)\/access\/policies\/([\w-]+)$/, handle: ([account, id]) => this.deletePolicy(account, id) },

    // Workers, as provider 5.14 calls them: the upload is multipart (the module, and a `metadata`
    // part), and a read takes three calls (the service, the settings, the content).
    { method: 'PUT', path: /^accounts\/(\w+)\/workers\/scripts\/([\w-]+)$/, handle: ([account, name], body) => this.uploadScript(account, name, body) },
    { method: 'GET', path: /^accounts\/(\w+)\/workers\/services\/([\w-]+)$/, handle: ([account, name]) => this.readService(account, name) },
    { method: 'GET', path: /^accounts\/(\w+)\/workers\/scripts\/([\w-]+)\/settings$/, handle: ([account, name]) => this.readSettings(account, name) },
    { method: 'GET', path: /^accounts\/(\w+)\/workers\/scripts\/([\w-]+)\/content\/v2$/, handle: ([account, name]) => this.readContent(account, name) },
    { method: 'DELETE', path: /^accounts\/(\w+)\/workers\/scripts\/([\w-]+)$/, handle: ([account, name]) => this.deleteScript(account, name) },
    { method: 'PUT', path: /^accounts\/(\w+)\/workers\/scripts\/([\w-]+)\/schedules$/, handle: ([account, name], body) => this.putSchedules(account, name, body) },
    { method: 'GET', path: /^accounts\/(\w+)\/workers\/scripts\/([\w-]+)\/schedules$/, handle: ([account, name]) => this.readSchedules(account, name) },

    { method: 'POST', path: /^accounts\/(\w+)\/storage\/kv\/namespaces$/, handle: ([account], body) => this.createNamespace(account, body) },
    { method: 'GET', path: /^accounts\/(\w+)\/storage\/kv\/namespaces\/(\w+)$/, handle: ([account, id]) => this.readNamespace(account, id) },
    { method: 'PUT', path: /^accounts\/(\w+)\/storage\/kv\/namespaces\/(\w+)$/, handle: ([account, id], body) => this.renameNamespace(account, id, body) },
    { method: 'DELETE', path: /^accounts\/(\w+)\/storage\/kv\/namespaces\/(\w+)$/, handle: ([account, id]) => this.deleteNamespace(account, id) },
    { method: 'PUT', path: /^accounts\/(\w+)\/storage\/kv\/namespaces\/(\w+)\/values\/(.+)$/, handle: ([account, id, key], body) => this.putValue(account, id, key, body) },
    { method: 'GET', path: /^accounts\/(\w+)\/storage\/kv\/namespaces\/(\w+)\/values\/(.+)$/, handle: ([account, id, key]) => this.readValue(account, id, key) },
    { method: 'GET', path: /^accounts\/(\w+)\/storage\/kv\/namespaces\/(\w+)\/metadata\/(.+)$/, handle: ([account, id, key]) => this.readValueMetadata(account, id, key) },
    { method: 'DELETE', path: /^accounts\/(\w+)\/storage\/kv\/namespaces\/(\w+)\/values\/(.+)$/, handle: ([account, id, key]) => this.deleteValue(account, id, key) },

    { method: 'POST', path: /^zones\/(\w+)\/workers\/routes$/, handle: ([zone], body) => this.createRoute(zone, body) },
    { method: 'GET', path: /^zones\/(\w+)\/workers\/routes\/(\w+)$/, handle: ([zone, id]) => this.inZoneOf(this.workerRoutes, zone, id) },
    { method: 'PUT', path: /^zones\/(\w+)\/workers\/routes\/(\w+)$/, handle: ([zone, id], body) => this.updateRoute(zone, id, body) },
    { method: 'DELETE', path: /^zones\/(\w+)\/workers\/routes\/(\w+)$/, handle: ([zone, id]) => this.deleteRoute(zone, id) },
  ];

  constructor(public readonly token: string) {}

  public error(message: string): unknown {
    return failure(501, 10000, message).body;
  }

  private inAccount(items: Map<string, Json>, account: string, id: string): Reply {
    const item = items.get(id);
    return item && item.account_id === account ? ok(item) : NOT_FOUND;
  }

  private deleteFrom(items: Map<string, Json>, account: string, id: string): Reply {
    const item = items.get(id);
    if (!item || item.account_id !== account) return NOT_FOUND;
    items.delete(id);
    return ok({ id });
  }

  private scriptIn(account: string, name: string): WorkerScript | undefined {
    const script = this.workerScripts.get(name);
    return script && script.account_id === account ? script : undefined;
  }

  /** A Worker's upload: its main module (named by the metadata's `main_module`) and the `metadata` part, kept as sent. */
  private uploadScript(account: string, name: string, parts: Record<string, FormPart>): Reply {
    if (typeof parts !== 'object' || !parts.metadata) return failure(400, 10021, 'stand-in: expected a multipart upload with a metadata part');
    const metadata = JSON.parse(parts.metadata.value) as Json;
    const mainModule = metadata.main_module ?? metadata.body_part;
    const module = parts[mainModule];
    if (!module) return failure(400, 10021, `stand-in: the upload has no part ${mainModule}`);
    const now = new Date().toISOString();
    const previous = this.scriptIn(account, name);
    const script: WorkerScript = {
      account_id: account,
      id: name,
      content: module.value,
      main_module: mainModule,
      content_type: module.type ?? 'application/javascript+module',
      metadata,
      created_on: previous?.created_on ?? now,
      modified_on: now,
      etag: randomBytes(32).toString('hex'),
      schedules: previous?.schedules ?? [],
    };
    this.workerScripts.set(name, script);
    this.workerUploads.push(script);
    return ok(this.scriptView(script));
  }

  /** A Worker as the API describes it (no content, no bindings). */
  private scriptView(script: WorkerScript): Json {
    const handlers = ['fetch', 'scheduled'].filter((h) => new RegExp(`\\b${h}\\b`).test(script.content));
    return {
      id: script.id,
      created_on: script.created_on,
      modified_on: script.modified_on,
      etag: script.etag,
      handlers,
      has_assets: false,
      has_modules: script.content_type.includes('module'),
      logpush: script.metadata.logpush ?? false,
      usage_model: script.metadata.usage_model ?? 'standard',
      compatibility_date: script.metadata.compatibility_date,
      compatibility_flags: script.metadata.compatibility_flags ?? [],
      placement: script.metadata.placement ?? {},
      tail_consumers: script.metadata.tail_consumers ?? [],
      startup_time_ms: 1,
    };
  }

  private readService(account: string, name: string): Reply {
    const script = this.scriptIn(account, name);
    if (!script) return failure(404, 10090, 'workers.api.error.service_not_found');
    const defaultEnvironment = { environment: 'production', script: this.scriptView(script) };
    return ok({ id: name, created_on: script.created_on, modified_on: script.modified_on, default_environment: defaultEnvironment });
  }

  /** The settings: the bindings as sent, but a secret's text, which the API never gives back. */
  private readSettings(account: string, name: string): Reply {
    const script = this.scriptIn(account, name);
    if (!script) return failure(404, 10007, 'workers.api.error.script_not_found');
    const bindings = (script.metadata.bindings ?? []).map((b: Json) => b.type === 'secret_text' ? withoutText(b) : b);
    const { compatibility_date, compatibility_flags, logpush, placement, tail_consumers, usage_model } = this.scriptView(script);
    return ok({ bindings, compatibility_date, compatibility_flags, logpush, placement, tail_consumers, usage_model });
  }

  private readContent(account: string, name: string): Reply {
    const script = this.scriptIn(account, name);
    if (!script) return failure(404, 10007, 'workers.api.error.script_not_found');
    return { status: 200, raw: { contentType: script.content_type, text: script.content } };
  }

  /** Deletes a Worker, and its schedules with it (its routes stay, as with the API, pointing at no script). */
  private deleteScript(account: string, name: string): Reply {
    if (!this.scriptIn(account, name)) return failure(404, 10007, 'workers.api.error.script_not_found');
    this.workerScripts.delete(name);
    return ok(null);
  }

  private putSchedules(account: string, name: string, body: Array<{ cron: string }>): Reply {
    const script = this.scriptIn(account, name);
    if (!script) return failure(404, 10007, 'workers.api.error.script_not_found');
    if (!Array.isArray(body)) return failure(400, 10026, 'stand-in: expected a list of schedules');
    const now = new Date().toISOString();
    const createdOn = (cron: string) => script.schedules.find((s) => s.cron === cron)?.created_on ?? now;
    script.schedules = body.map(({ cron }) => ({ cron, created_on: createdOn(cron), modified_on: now }));
    return ok({ schedules: script.schedules });
  }

  private readSchedules(account: string, name: string): Reply {
    const script = this.scriptIn(account, name);
    return script ? ok({ schedules: script.schedules }) : failure(404, 10007, 'workers.api.error.script_not_found');
  }

  private createNamespace(account: string, body: Json): Reply {
    if ([...this.kvNamespaces.values()].some((n) => n.account_id === account && n.title === body.title)) {
      return failure(400, 10014, 'a namespace with this account ID and title already exists');
    }
    const namespace = { id: randomBytes(16).toString('hex'), account_id: account, title: body.title, supports_url_encoding: true };
    this.kvNamespaces.set(namespace.id, namespace);
    this.kvValues.set(namespace.id, new Map());
    return ok(namespaceView(namespace));
  }

  private readNamespace(account: string, id: string): Reply {
    const namespace = this.kvNamespaces.get(id);
    return namespace && namespace.account_id === account ? ok(namespaceView(namespace)) : failure(404, 10013, 'namespace not found');
  }

  private renameNamespace(account: string, id: string, body: Json): Reply {
    const namespace = this.kvNamespaces.get(id);
    if (!namespace || namespace.account_id !== account) return failure(404, 10013, 'namespace not found');
    namespace.title = body.title;
    return ok(namespaceView(namespace));
  }

  private deleteNamespace(account: string, id: string): Reply {
    const namespace = this.kvNamespaces.get(id);
    if (!namespace || namespace.account_id !== account) return failure(404, 10013, 'namespace not found');
    this.kvNamespaces.delete(id);
    this.kvValues.delete(id);
    return ok(null);
  }

  private valuesOf(account: string, id: string): Map<string, KvValue> | undefined {
    return this.kvNamespaces.get(id)?.account_id === account ? this.kvValues.get(id) : undefined;
  }

  /** A value's write, multipart (`value`, and `metadata` as JSON text) as the provider sends it, or the value as the body. */
  private putValue(account: string, id: string, key: string, body: Record<string, FormPart> | string): Reply {
    const values = this.valuesOf(account, id);
    if (!values) return failure(404, 10013, 'namespace not found');
    const value = typeof body === 'object' && body?.value ? body.value.value : String(body ?? '');
    const metadata = typeof body === 'object' && body?.metadata ? JSON.parse(body.metadata.value) : null;
    values.set(decodeURIComponent(key), { value, metadata });
    return ok({});
  }

  /** A value as it was written, as the body itself (not in the envelope). */
  private readValue(account: string, id: string, key: string): Reply {
    const value = this.valuesOf(account, id)?.get(decodeURIComponent(key));
    return value ? { status: 200, raw: { contentType: 'application/octet-stream', text: value.value } } : failure(404, 10009, 'get: \'key not found\'');
  }

  private readValueMetadata(account: string, id: string, key: string): Reply {
    const value = this.valuesOf(account, id)?.get(decodeURIComponent(key));
    return value ? ok(value.metadata) : failure(404, 10009, 'get: \'key not found\'');
  }

  private deleteValue(account: string, id: string, key: string): Reply {
    const values = this.valuesOf(account, id);
    if (!values) return failure(404, 10013, 'namespace not found');
    values.delete(decodeURIComponent(key));
    return ok(null);
  }

  private inZoneOf(items: Map<string, Json>, zone: string, id: string): Reply {
    const item = items.get(id);
    return item && item.zone_id === zone ? ok(routeView(item)) : NOT_FOUND;
  }

  private createRoute(zone: string, body: Json): Reply {
    if ([...this.workerRoutes.values()].some((r) => r.zone_id === zone && r.pattern === body.pattern)) {
      return failure(409, 10020, 'workers.api.error.duplicate_route');
    }
    const route = { id: randomBytes(16).toString('hex'), zone_id: zone, pattern: body.pattern, script: body.script };
    this.workerRoutes.set(route.id, route);
    return ok(routeView(route));
  }

  private updateRoute(zone: string, id: string, body: Json): Reply {
    const route = this.workerRoutes.get(id);
    if (!route || route.zone_id !== zone) return NOT_FOUND;
    Object.assign(route, { pattern: body.pattern, script: body.script });
    return ok(routeView(route));
  }

  private deleteRoute(zone: string, id: string): Reply {
    const route = this.workerRoutes.get(id);
    if (!route || route.zone_id !== zone) return NOT_FOUND;
    this.workerRoutes.delete(id);
    return ok({ id });
  }

  private createTunnel(account: string, body: Json): Reply {
    const tunnel = {
      id: randomUUID(),
      account_id: account,
      account_tag: account,
      name: body.name,
      config_src: body.config_src ?? 'local',
      remote_config: body.config_src === 'cloudflare',
      tun_type: 'cfd_tunnel',
      status: 'inactive',
      connections: [],
      conns_active_at: null,
      conns_inactive_at: null,
      created_at: new Date().toISOString(),
      deleted_at: null,
      metadata: {},
      // Never returned: the token carries it.
      secret: body.tunnel_secret ?? randomBytes(32).toString('base64'),
    };
    this.tunnels.set(tunnel.id, tunnel);
    return ok(withoutSecret(tunnel));
  }

  private deleteTunnel(account: string, id: string): Reply {
    const tunnel = this.tunnels.get(id);
    if (!tunnel || tunnel.account_id !== account) return NOT_FOUND;
    this.tunnels.delete(id);
    return ok({ ...withoutSecret(tunnel), deleted_at: new Date().toISOString() });
  }

  private tunnelToken(account: string, id: string): Reply {
    const tunnel = this.tunnels.get(id);
    if (!tunnel || tunnel.account_id !== account) return NOT_FOUND;
    return ok(Buffer.from(JSON.stringify({ a: account, t: id, s: tunnel.secret })).toString('base64'));
  }

  private putConfiguration(account: string, tunnelId: string, body: Json): Reply {
    const tunnel = this.tunnels.get(tunnelId);
    if (!tunnel || tunnel.account_id !== account) return NOT_FOUND;
    const previous = this.tunnelConfigurations.get(tunnelId);
    const configuration: TunnelConfiguration = {
      account_id: account,
      tunnel_id: tunnelId,
      config: body.config ?? {},
      source: 'cloudflare',
      version: (previous?.version ?? 0) + 1,
      created_at: new Date().toISOString(),
    };
    this.tunnelConfigurations.set(tunnelId, configuration);
    return ok(configuration);
  }

  private inZone(zone: string, id: string): Reply {
    const record = this.dnsRecords.get(id);
    return record && record.zone_id === zone ? ok(record) : NOT_FOUND;
  }

  private createDnsRecord(zone: string, body: Json): Reply {
    const clash = [...this.dnsRecords.values()].find((r) => r.zone_id === zone && r.name === body.name && r.type === body.type);
    if (clash) return failure(400, 81053, 'An A, AAAA, or CNAME record with that host already exists.');
    const now = new Date().toISOString();
    const record = {
      ...body,
      id: randomBytes(16).toString('hex'),
      zone_id: zone,
      proxiable: true,
      settings: body.settings ?? {},
      tags: body.tags ?? [],
      meta: {},
      created_on: now,
      modified_on: now,
      ...(body.comment !== undefined ? { comment_modified_on: now } : {}),
    };
    this.dnsRecords.set(record.id, record);
    return ok(record);
  }

  private updateDnsRecord(zone: string, id: string, body: Json): Reply {
    const record = this.dnsRecords.get(id);
    if (!record || record.zone_id !== zone) return NOT_FOUND;
    const updated = { ...record, ...body, id, zone_id: zone, modified_on: new Date().toISOString() };
    this.dnsRecords.set(id, updated);
    return ok(updated);
  }

  private deleteDnsRecord(zone: string, id: string): Reply {
    const record = this.dnsRecords.get(id);
    if (!record || record.zone_id !== zone) return NOT_FOUND;
    this.dnsRecords.delete(id);
    return ok({ id });
  }

  private createApplication(account: string, body: Json): Reply {
    const missing = (body.policies ?? []).find((p: Json) => !this.accessPolicies.has(p.id));
    if (missing) return failure(400, 12130, `access.api.error.invalid_request: policy ${missing.id} does not exist`);
    const now = new Date().toISOString();
    const application = {
      ...body,
      id: randomUUID(),
      account_id: account,
      aud: randomBytes(32).toString('hex'),
      created_at: now,
      updated_at: now,
    };
    this.accessApplications.set(application.id, application);
    return ok(this.applicationView(application));
  }

  /** An SSH application's certificate authority: its public key, as Access gives it to sshd. */
  private createCertificateAuthority(account: string, appId: string): Reply {
    const application = this.accessApplications.get(appId);
    if (!application || application.account_id !== account) return NOT_FOUND;
    if (this.shortLivedCertificates.has(appId)) return failure(409, 12133, 'access.api.error.conflict: certificate already exists');
    const authority = {
      id: appId,
      account_id: account,
      aud: application.aud,
      public_key: `ecdsa-sha2-nistp256 ${randomBytes(48).toString('base64')} open-ssh-ca@cloudflareaccess.org`,
    };
    this.shortLivedCertificates.set(appId, authority);
    return ok(authority);
  }

  private readApplication(account: string, id: string): Reply {
    const application = this.accessApplications.get(id);
    return application && application.account_id === account ? ok(this.applicationView(application)) : NOT_FOUND;
  }

  private updateApplication(account: string, id: string, body: Json): Reply {
    const application = this.accessApplications.get(id);
    if (!application || application.account_id !== account) return NOT_FOUND;
    const kept = { id, account_id: account, aud: application.aud, created_at: application.created_at };
    const updated = { ...body, ...kept, updated_at: new Date().toISOString() };
    this.accessApplications.set(id, updated);
    return ok(this.applicationView(updated));
  }

  /** As the API does, an application lists its policies in full, each with its precedence. */
  private applicationView(application: Json): Json {
    const policies = (application.policies ?? []).map((p: Json) => ({ ...this.accessPolicies.get(p.id), precedence: p.precedence }));
    return { ...application, policies };
  }

  private createPolicy(account: string, body: Json): Reply {
    const now = new Date().toISOString();
    const policy = { ...body, id: randomUUID(), account_id: account, reusable: true, created_at: now, updated_at: now };
    this.accessPolicies.set(policy.id, policy);
    return ok(this.policyView(policy));
  }

  private readPolicy(account: string, id: string): Reply {
    const policy = this.accessPolicies.get(id);
    return policy && policy.account_id === account ? ok(this.policyView(policy)) : NOT_FOUND;
  }

  private updatePolicy(account: string, id: string, body: Json): Reply {
    const policy = this.accessPolicies.get(id);
    if (!policy || policy.account_id !== account) return NOT_FOUND;
    const updated = { ...body, id, account_id: account, reusable: true, created_at: policy.created_at, updated_at: new Date().toISOString() };
    this.accessPolicies.set(id, updated);
    return ok(this.policyView(updated));
  }

  private deletePolicy(account: string, id: string): Reply {
    const users = [...this.accessApplications.values()].filter((a) => (a.policies ?? []).some((p: Json) => p.id === id));
    if (users.length > 0) return failure(400, 12130, `access.api.error.policy_in_use: used by ${users.map((a) => a.name).join(', ')}`);
    return this.deleteFrom(this.accessPolicies, account, id);
  }

  /** A policy with the number of applications that use it, as the API counts them. */
  private policyView(policy: Json): Json {
    const appCount = [...this.accessApplications.values()].filter((a) => (a.policies ?? []).some((p: Json) => p.id === policy.id)).length;
    return { ...policy, app_count: appCount };
  }
}

function withoutText(binding: Json): Json {
  const { text: _text, ...rest } = binding;
  return rest;
}

function namespaceView(namespace: Json): Json {
  const { account_id: _account, ...rest } = namespace;
  return rest;
}

function routeView(route: Json): Json {
  const { zone_id: _zone, ...rest } = route;
  return rest;
}

function withoutSecret(tunnel: Json): Json {
  const { secret: _secret, ...rest } = tunnel;
  return rest;
}
