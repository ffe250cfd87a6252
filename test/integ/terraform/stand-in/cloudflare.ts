import { randomBytes, randomUUID } from 'crypto';
import { Reply, Route, StandInApi } from './server';

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

function withoutSecret(tunnel: Json): Json {
  const { secret: _secret, ...rest } = tunnel;
  return rest;
}
