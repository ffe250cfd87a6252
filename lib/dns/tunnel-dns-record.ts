import { DnsRecord } from '@cdktf/provider-cloudflare/lib/dns-record';
import { Construct } from 'constructs';
import { checkCloudflareId, checkDomain, checkHostnameInZone, contextOf } from '../validation';

/** The defaults of {@link TunnelDnsRecordProps}, for documentation and tests. */
export const DNS_DEFAULTS = {
  comment: 'code-server through Cloudflare Tunnel (managed by cdktf)',
} as const;

/** Props of {@link TunnelDnsRecord}. */
export interface TunnelDnsRecordProps {
  /** The Cloudflare zone (32 hexadecimal characters) that holds the record. */
  readonly cloudflareZoneId: string;
  /** The zone's domain, e.g. `example.com`: the hostname must be inside it. */
  readonly zoneName: string;
  /** The full hostname. Provider v5 compares names in full: a short name would show a diff on every plan. */
  readonly hostname: string;
  /** Where the record points: `<tunnel id>.cfargotunnel.com`. */
  readonly target: string;
  /**
   * A comment stored with the record.
   * @default "code-server through Cloudflare Tunnel (managed by cdktf)"
   */
  readonly comment?: string;
}

/** A proxied CNAME that sends the hostname to the tunnel. */
export class TunnelDnsRecord extends Construct {
  /** The DNS record. */
  public readonly record: DnsRecord;

  constructor(scope: Construct, id: string, props: TunnelDnsRecordProps) {
    super(scope, id);
    const ctx = contextOf(this);
    checkCloudflareId(ctx, 'cloudflareZoneId', props.cloudflareZoneId);
    checkDomain(ctx, 'zoneName', props.zoneName);
    checkHostnameInZone(ctx, 'hostname', props.hostname, props.zoneName);

    this.record = new DnsRecord(this, 'Record', {
      zoneId: props.cloudflareZoneId,
      name: props.hostname,
      type: 'CNAME',
      content: props.target,
      proxied: true,
      // 1 means "automatic", the only TTL a proxied record takes.
      ttl: 1,
      comment: props.comment ?? DNS_DEFAULTS.comment,
    });
  }
}
