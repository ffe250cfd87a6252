import { DnsRecord } from '@cdktf/provider-cloudflare/lib/dns-record';
import { TerraformStack, Testing } from 'cdktf';
import { TunnelDnsRecord, TunnelDnsRecordProps } from '../../../lib/dns';
import { newStack, resourcesOfType, synthJson, ZONE_ID } from '../../support/fixtures';

function buildRecord(overrides: Partial<TunnelDnsRecordProps> = {}): TerraformStack {
  const stack = newStack();
  new TunnelDnsRecord(stack, 'Dns', {
    cloudflareZoneId: ZONE_ID,
    zoneName: 'example.com',
    hostname: 'code.example.com',
    target: 'tunnel-id.cfargotunnel.com',
    ...overrides,
  });
  return stack;
}

describe('TunnelDnsRecord', () => {
  test('creates exactly one record', () => {
    // GIVEN
    const stack = buildRecord();

    // THEN
    expect(resourcesOfType(synthJson(stack), 'cloudflare_dns_record')).toHaveLength(1);
  });

  test('is a proxied CNAME in the zone', () => {
    // GIVEN
    const stack = buildRecord();

    // THEN
    expect(Testing.synth(stack)).toHaveResourceWithProperties(DnsRecord, { zone_id: ZONE_ID, type: 'CNAME', proxied: true });
  });

  test('is named with the full hostname, not the part before the zone', () => {
    // GIVEN
    const stack = buildRecord();

    // THEN
    expect(Testing.synth(stack)).toHaveResourceWithProperties(DnsRecord, { name: 'code.example.com' });
  });

  test('points at the target', () => {
    // GIVEN
    const stack = buildRecord();

    // THEN
    expect(Testing.synth(stack)).toHaveResourceWithProperties(DnsRecord, { content: 'tunnel-id.cfargotunnel.com' });
  });

  test('has the automatic TTL (1), the only one a proxied record takes', () => {
    // GIVEN
    const stack = buildRecord();

    // THEN
    expect(Testing.synth(stack)).toHaveResourceWithProperties(DnsRecord, { ttl: 1 });
  });

  test('carries a default comment', () => {
    // GIVEN
    const stack = buildRecord();

    // THEN
    expect(Testing.synth(stack)).toHaveResourceWithProperties(DnsRecord, { comment: 'code-server through Cloudflare Tunnel (managed by cdktf)' });
  });

  test('carries the comment given', () => {
    // GIVEN
    const stack = buildRecord({ recordComment: 'mine' });

    // THEN
    expect(Testing.synth(stack)).toHaveResourceWithProperties(DnsRecord, { comment: 'mine' });
  });

  test.each<[string, Partial<TunnelDnsRecordProps>, string]>([
    ['a zone id that is the domain name', { cloudflareZoneId: 'example.com' }, 'invalid cloudflareZoneId "example.com": expected the 32 hexadecimal characters of a zone id'],
    ['a zone name that is not a domain', { zoneName: 'Example' }, 'invalid zoneName "Example": expected a lower-case domain name such as "example.com"'],
    ['a hostname outside the zone', { hostname: 'code.example.org' }, 'invalid hostname "code.example.org": must be inside the zone "example.com"'],
    ['a hostname two levels below the zone', { hostname: 'code.dev.example.com' },
      'invalid hostname "code.dev.example.com": is 2 levels below the zone "example.com", which Cloudflare\'s free certificate does not cover; use one level, e.g. "code.example.com" (or "code-dev.example.com"), or set dns.allowDeepHostnames: true'],
  ])('rejects %s, naming the construct path, the prop and the value', (_why, overrides, message) => {
    // THEN
    expect(() => buildRecord(overrides)).toThrow(`test/Dns: ${message}`);
  });

  test.each(['example.com', 'code.example.com'])('accepts %s, which the free certificate covers', (hostname) => {
    expect(() => buildRecord({ hostname })).not.toThrow();
  });

  test('accepts a deeper hostname when the zone has a certificate for it (allowDeepHostnames)', () => {
    expect(() => buildRecord({ hostname: 'code.dev.example.com', allowDeepHostnames: true })).not.toThrow();
  });
});
