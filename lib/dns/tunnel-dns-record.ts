import { DnsRecord } from '@cdktf/provider-cloudflare/lib/dns-record';
import { Construct } from 'constructs';
import { isResolved, markResolved } from '../private/spec/resolved';
import { checkCloudflareId, checkDomain, checkHostnameInZone, contextOf, isUnresolved, PropContext, rejectProp } from '../private/validation';
import { ProviderOptions } from '../providers';

/** The defaults of {@link DnsOptions}, for documentation and tests. */
export const DNS_DEFAULTS = {
  recordComment: 'code-server through Cloudflare Tunnel (managed by cdktf)',
} as const;

/** The editor's DNS records: their comment, and hostname rules that a platform team may relax. */
export interface DnsOptions {
  /**
   * A comment stored with the editor's DNS records.
   * @default "code-server through Cloudflare Tunnel (managed by cdktf)"
   */
  readonly recordComment?: string;
  /**
   * Accept hostnames more than one level below the zone (`code.dev.example.com`). Cloudflare's
   * free Universal SSL certificate covers the zone and one level below it only: a deeper name gets
   * no certificate and fails in the browser, so such names are refused unless the zone has a
   * certificate that covers them (Advanced Certificate Manager, or a custom certificate).
   * @default false
   */
  readonly allowDeepHostnames?: boolean;
}

/**
 * Checks that a hostname is the zone or one level below it, which Cloudflare's free certificate
 * covers, unless `allowDeepHostnames` says the zone has a certificate for deeper names.
 */
export function checkHostnameDepth(ctx: PropContext, prop: string, hostname: string, zoneName: string, options: DnsOptions): void {
  if (options.allowDeepHostnames || isUnresolved(hostname) || isUnresolved(zoneName) || hostname === zoneName) return;
  const below = hostname.slice(0, -(zoneName.length + 1));
  if (below.includes('.')) {
    const first = hostname.split('.')[0];
    rejectProp(ctx, prop, hostname,
      `is ${below.split('.').length} levels below the zone "${zoneName}", which Cloudflare's free certificate does not cover; use one level, e.g. "${first}.${zoneName}" (or "${below.replace(/\./g, '-')}.${zoneName}"), or set dns.allowDeepHostnames: true if the zone has a certificate for it`);
  }
}

/** Props of {@link TunnelDnsRecord}. */
export interface TunnelDnsRecordProps extends DnsOptions, ProviderOptions {
  /** The Cloudflare zone (32 hexadecimal characters) that holds the record. */
  readonly cloudflareZoneId: string;
  /** The zone's domain, e.g. `example.com`: the hostname must be inside it. */
  readonly zoneName: string;
  /** The full hostname. Provider v5 compares names in full: a short name would show a diff on every plan. */
  readonly hostname: string;
  /** Where the record points: `<tunnel id>.cfargotunnel.com`. */
  readonly target: string;
}

/** Resolves a record's props without building anything: checks its zone and hostname. A record given the result does not check it again. */
export function resolveDnsRecord<T extends Pick<TunnelDnsRecordProps, 'cloudflareZoneId' | 'zoneName' | 'hostname'> & DnsOptions>(ctx: PropContext, props: T): T {
  checkCloudflareId(ctx, 'cloudflareZoneId', props.cloudflareZoneId);
  checkDomain(ctx, 'zoneName', props.zoneName);
  checkHostnameInZone(ctx, 'hostname', props.hostname, props.zoneName);
  checkHostnameDepth(ctx, 'hostname', props.hostname, props.zoneName, props);
  return markResolved(props);
}

/** A proxied CNAME that sends the hostname to the tunnel. */
export class TunnelDnsRecord extends Construct {
  /** The DNS record. */
  public readonly record: DnsRecord;

  constructor(scope: Construct, id: string, props: TunnelDnsRecordProps) {
    super(scope, id);
    if (!isResolved(props)) resolveDnsRecord(contextOf(this), props);

    this.record = new DnsRecord(this, 'Record', {
      provider: props.cloudflareProvider,
      zoneId: props.cloudflareZoneId,
      name: props.hostname,
      type: 'CNAME',
      content: props.target,
      proxied: true,
      // 1 means "automatic", the only TTL a proxied record takes.
      ttl: 1,
      comment: props.recordComment ?? DNS_DEFAULTS.recordComment,
    });
  }
}
