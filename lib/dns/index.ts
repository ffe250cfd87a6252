export type { DnsOptions, TunnelDnsRecordProps } from './tunnel-dns-record';
export { TunnelDnsRecord } from './tunnel-dns-record';
