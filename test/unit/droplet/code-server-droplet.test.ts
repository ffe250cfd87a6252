import { Droplet } from '@cdktf/provider-digitalocean/lib/droplet';
import { SshKey } from '@cdktf/provider-digitalocean/lib/ssh-key';
import { PrivateKey } from '@cdktf/provider-tls/lib/private-key';
import { TerraformStack, Testing } from 'cdktf';
import { CodeServerDroplet, CodeServerDropletProps, FirewallProtocol } from '../../../lib/droplet';
import { addressOf, newStack, onlyResource, resourceCount, resourcesOfType, synthJson } from '../../support/fixtures';

const FINGERPRINT = '3b:16:bf:e4:8b:00:8b:b8:59:8c:a9:d3:f0:19:45:fa';

function buildDroplet(overrides: Partial<CodeServerDropletProps> = {}): TerraformStack {
  const stack = newStack();
  new CodeServerDroplet(stack, 'Droplet', {
    hostname: 'code.example.com',
    userData: '#cloud-config\n',
    ...overrides,
  });
  return stack;
}

/** The Terraform name of the stack's tls_private_key whose construct id is `id`. */
function keyNamed(synth: any, id: string): string {
  const names = Object.keys(synth.resource.tls_private_key).filter((name) => name.includes(`_${id}_`));
  if (names.length !== 1) throw new Error(`expected one tls_private_key ${id}, found ${names.length}`);
  return names[0];
}

function firewallOf(stack: TerraformStack): any {
  return onlyResource(synthJson(stack), 'digitalocean_firewall');
}

describe('CodeServerDroplet droplet', () => {
  test('runs in fra1 by default', () => {
    // GIVEN
    const stack = buildDroplet();

    // THEN
    expect(Testing.synth(stack)).toHaveResourceWithProperties(Droplet, { region: 'fra1' });
  });

  test('is an s-2vcpu-4gb by default', () => {
    // GIVEN
    const stack = buildDroplet();

    // THEN
    expect(Testing.synth(stack)).toHaveResourceWithProperties(Droplet, { size: 's-2vcpu-4gb' });
  });

  test('runs Ubuntu 24.04 by default', () => {
    // GIVEN
    const stack = buildDroplet();

    // THEN
    expect(Testing.synth(stack)).toHaveResourceWithProperties(Droplet, { image: 'ubuntu-24-04-x64' });
  });

  test('takes the region, size and image given', () => {
    // GIVEN
    const stack = buildDroplet({ region: 'nyc3', size: 's-4vcpu-8gb', image: 'ubuntu-22-04-x64' });

    // THEN
    expect(Testing.synth(stack)).toHaveResourceWithProperties(Droplet, { region: 'nyc3', size: 's-4vcpu-8gb', image: 'ubuntu-22-04-x64' });
  });

  test('is named as given and boots with the user data given', () => {
    // GIVEN
    const stack = buildDroplet();

    // THEN
    expect(Testing.synth(stack)).toHaveResourceWithProperties(Droplet, { name: 'code-example-com', user_data: '#cloud-config\n' });
  });

  test('shuts down through ACPI before it is deleted, so the home is unmounted before the volume is detached', () => {
    // GIVEN
    const stack = buildDroplet();

    // THEN
    expect(Testing.synth(stack)).toHaveResourceWithProperties(Droplet, { graceful_shutdown: true });
  });

  test('has monitoring on', () => {
    // GIVEN
    const stack = buildDroplet();

    // THEN
    expect(Testing.synth(stack)).toHaveResourceWithProperties(Droplet, { monitoring: true });
  });

  test('has no backups by default', () => {
    // GIVEN
    const stack = buildDroplet();

    // THEN
    expect(Testing.synth(stack)).toHaveResourceWithProperties(Droplet, { backups: false });
  });

  test('is tagged code-server', () => {
    // GIVEN
    const stack = buildDroplet();

    // THEN
    expect(onlyResource(synthJson(stack), 'digitalocean_droplet').tags[0]).toBe('code-server');
  });

  test('keeps the code-server tag besides the tags given', () => {
    // GIVEN
    const stack = buildDroplet({ tags: ['team:platform', 'dev'] });

    // THEN
    expect(onlyResource(synthJson(stack), 'digitalocean_droplet').tags.slice(0, 3)).toEqual(['code-server', 'team:platform', 'dev']);
  });

  test('attaches no volume by default', () => {
    // GIVEN
    const stack = buildDroplet();

    // THEN
    expect(onlyResource(synthJson(stack), 'digitalocean_droplet').volume_ids).toBeUndefined();
  });

  test('attaches the volumes given at creation', () => {
    // GIVEN
    const stack = buildDroplet({ volumeIds: ['vol-1'] });

    // THEN
    expect(Testing.synth(stack)).toHaveResourceWithProperties(Droplet, { volume_ids: ['vol-1'] });
  });
});

describe('CodeServerDroplet SSH key', () => {
  test('generates an ED25519 private key by default', () => {
    // GIVEN
    const stack = buildDroplet();

    // THEN
    expect(Testing.synth(stack)).toHaveResourceWithProperties(PrivateKey, { algorithm: 'ED25519' });
  });

  test('registers the generated key\'s public half with DigitalOcean', () => {
    // GIVEN
    const stack = buildDroplet();
    const synth = synthJson(stack);

    // THEN
    expect(Testing.synth(stack)).toHaveResourceWithProperties(SshKey, {
      name: 'code-example-com',
      public_key: `\${tls_private_key.${keyNamed(synth, 'PrivateKey')}.public_key_openssh}`,
    });
  });

  test('puts the generated key on the droplet', () => {
    // GIVEN
    const stack = buildDroplet();
    const synth = synthJson(stack);

    // THEN
    expect(Testing.synth(stack)).toHaveResourceWithProperties(Droplet, {
      ssh_keys: [`\${${addressOf(synth, 'digitalocean_ssh_key')}.fingerprint}`],
    });
  });

  test('generates no key when fingerprints are given', () => {
    // GIVEN
    const stack = buildDroplet({ sshKeyFingerprints: [FINGERPRINT] });
    const synth = synthJson(stack);

    // THEN: only the firewall tag's key
    expect(Object.keys(synth.resource.tls_private_key)).toEqual([keyNamed(synth, 'FirewallTagKey')]);
    expect(resourcesOfType(synth, 'digitalocean_ssh_key')).toHaveLength(0);
  });

  test('puts the fingerprints given on the droplet', () => {
    // GIVEN
    const stack = buildDroplet({ sshKeyFingerprints: [FINGERPRINT] });

    // THEN
    expect(Testing.synth(stack)).toHaveResourceWithProperties(Droplet, { ssh_keys: [FINGERPRINT] });
  });

  test('generates a key when the list of fingerprints is empty', () => {
    // GIVEN
    const stack = buildDroplet({ sshKeyFingerprints: [] });

    // THEN
    expect(Testing.synth(stack)).toHaveResource(PrivateKey);
  });
});

describe('CodeServerDroplet firewall', () => {
  test('applies to a tag of its own, which the droplet is born with', () => {
    // GIVEN
    const stack = buildDroplet();
    const synth = synthJson(stack);
    const tag = `\${${addressOf(synth, 'digitalocean_tag')}.name}`;

    // THEN
    expect(firewallOf(stack)).toMatchObject({ name: 'code-example-com-egress-only', tags: [tag] });
    expect(firewallOf(stack)).not.toHaveProperty('droplet_ids');
    expect(onlyResource(synth, 'digitalocean_droplet').tags).toContain(tag);
  });

  test('names its tag after a hash of a key of its own, kept in the state: unique to the deployment, and unguessable', () => {
    // GIVEN
    const synth = synthJson(buildDroplet({ sshKeyFingerprints: [FINGERPRINT] }));

    // THEN
    expect(onlyResource(synth, 'digitalocean_tag').name).toBe(`ztcs-fw-\${substr(sha256(tls_private_key.${keyNamed(synth, 'FirewallTagKey')}.public_key_openssh), 0, 20)}`);
    expect(synth.resource.tls_private_key[keyNamed(synth, 'FirewallTagKey')]).toMatchObject({ algorithm: 'ED25519' });
  });

  test('is replaced with its tag, so that no droplet runs under a tag its firewall no longer covers', () => {
    // GIVEN
    const synth = synthJson(buildDroplet());

    // THEN
    expect(onlyResource(synth, 'digitalocean_droplet').lifecycle).toEqual({ replace_triggered_by: [addressOf(synth, 'digitalocean_tag')] });
  });

  test('exists before the droplet, which is created only once its firewall is in force', () => {
    // GIVEN
    const synth = synthJson(buildDroplet());

    // THEN
    expect(onlyResource(synth, 'digitalocean_droplet').depends_on).toEqual([addressOf(synth, 'digitalocean_firewall')]);
  });

  test('keeps its tag when the droplet is renamed: the tag comes from the construct\'s path', () => {
    // WHEN
    const before = onlyResource(synthJson(buildDroplet()), 'digitalocean_tag').name;
    const after = onlyResource(synthJson(buildDroplet({ name: 'renamed' })), 'digitalocean_tag').name;
    const elsewhere = newStack();
    new CodeServerDroplet(elsewhere, 'Other', { hostname: 'code.example.com', userData: '' });

    // THEN
    expect(after).toBe(before);
    expect(onlyResource(synthJson(elsewhere), 'digitalocean_tag').name).not.toBe(before);
  });

  test('has no inbound rule at all', () => {
    // GIVEN
    const stack = buildDroplet();

    // THEN
    expect(firewallOf(stack)).not.toHaveProperty('inbound_rule');
  });

  test('has no inbound rule even with restricted outbound rules', () => {
    // GIVEN
    const stack = buildDroplet({ outboundRules: [{ protocol: FirewallProtocol.TCP, portRange: '7844' }] });

    // THEN
    expect(firewallOf(stack)).not.toHaveProperty('inbound_rule');
  });

  test('allows all outbound TCP, UDP and ICMP by default', () => {
    // GIVEN
    const stack = buildDroplet();
    const everywhere = ['0.0.0.0/0', '::/0'];

    // THEN
    expect(firewallOf(stack).outbound_rule).toEqual([
      { protocol: 'tcp', port_range: 'all', destination_addresses: everywhere },
      { protocol: 'udp', port_range: 'all', destination_addresses: everywhere },
      { protocol: 'icmp', destination_addresses: everywhere },
    ]);
  });

  test('allows only the outbound rules given', () => {
    // GIVEN
    const stack = buildDroplet({
      outboundRules: [
        { protocol: FirewallProtocol.TCP, portRange: '443' },
        { protocol: FirewallProtocol.UDP, portRange: '7844', destinationAddresses: ['198.41.192.0/19'] },
        { protocol: FirewallProtocol.ICMP },
      ],
    });

    // THEN
    expect(firewallOf(stack).outbound_rule).toEqual([
      { protocol: 'tcp', port_range: '443', destination_addresses: ['0.0.0.0/0', '::/0'] },
      { protocol: 'udp', port_range: '7844', destination_addresses: ['198.41.192.0/19'] },
      { protocol: 'icmp', destination_addresses: ['0.0.0.0/0', '::/0'] },
    ]);
  });
});

describe('CodeServerDroplet validation', () => {
  test('rejects a bad droplet name, and builds nothing', () => {
    // GIVEN
    const stack = newStack();

    // WHEN
    const build = () => new CodeServerDroplet(stack, 'Droplet', { hostname: 'code.example.com', name: 'my_box', userData: '' });

    // THEN
    expect(build).toThrow('test/Droplet: invalid name "my_box"');
    expect(resourceCount(synthJson(stack))).toBe(0);
  });

  test.each([
    ['a typo', 's-2cpu-4gb', 'expected a DigitalOcean size slug such as "s-2vcpu-4gb"'],
    ['a made-up family', 'x-2vcpu-4gb', 'expected a DigitalOcean size slug'],
    ['fewer than 2 vCPUs', 's-1vcpu-1gb', 'code-server needs 2 vCPUs, e.g. "s-2vcpu-4gb"; set droplet.allowSmallSize: true'],
    ['a vCPU count DigitalOcean does not sell', 's-99vcpu-4gb', 'is not a size DigitalOcean sells'],
    ['a memory its family does not pair with the vCPUs', 'g-2vcpu-16gb', 'is not a size DigitalOcean sells'],
  ])('rejects a size with %s, naming the prop and the value', (_why, size, reason) => {
    // THEN
    expect(() => buildDroplet({ size })).toThrow(`test/Droplet: invalid size "${size}": ${reason}`);
  });

  test.each(['s-2vcpu-4gb', 's-4vcpu-8gb-240gb-intel', 's-2vcpu-2gb-amd', 'g-2vcpu-8gb', 'gd-4vcpu-16gb', 'c-4', 'c2-2vcpu-4gb', 'm3-2vcpu-16gb', 'so1_5-2vcpu-16gb', 'gpu-h100x1-80gb'])(
    'accepts the size slug %s', (size) => {
      // THEN
      expect(() => buildDroplet({ size })).not.toThrow();
    },
  );

  test('accepts a size it does not know when allowUnlistedSlugs is true', () => {
    expect(() => buildDroplet({ size: 's-99vcpu-4gb', allowUnlistedSlugs: true })).not.toThrow();
  });

  test.each(['xyz9', 'fra9'])('rejects the region %s, which DigitalOcean does not have, listing those it has', (region) => {
    expect(() => buildDroplet({ region })).toThrow(`test/Droplet: invalid region "${region}": is not a DigitalOcean region: expected one of ams3, atl1, blr1, fra1,`);
  });

  test('rejects a region that is no slug at all, even when unlisted slugs are allowed', () => {
    expect(() => buildDroplet({ region: 'Frankfurt', allowUnlistedSlugs: true })).toThrow('test/Droplet: invalid region "Frankfurt": expected a DigitalOcean region slug');
  });

  test('accepts a region it does not know when allowUnlistedSlugs is true', () => {
    expect(() => buildDroplet({ region: 'ric1', allowUnlistedSlugs: true })).not.toThrow();
  });

  test('rejects outbound rules that leave out the tunnel\'s port 7844, saying what to add', () => {
    expect(() => buildDroplet({ outboundRules: [{ protocol: FirewallProtocol.TCP, portRange: '443' }, { protocol: FirewallProtocol.UDP, portRange: '53' }] })).toThrow(
      'no rule lets cloudflared reach Cloudflare\'s edge, so the tunnel could never connect: add { protocol: FirewallProtocol.TCP, portRange: "7844" }',
    );
  });

  test.each<[string, { protocol: FirewallProtocol; portRange?: string }]>([
    ['TCP 7844', { protocol: FirewallProtocol.TCP, portRange: '7844' }],
    ['UDP 7844 alone (QUIC)', { protocol: FirewallProtocol.UDP, portRange: '7844' }],
    ['a range over 7844', { protocol: FirewallProtocol.TCP, portRange: '1024-65535' }],
    ['all ports', { protocol: FirewallProtocol.TCP }],
  ])('accepts outbound rules with %s', (_why, rule) => {
    expect(() => buildDroplet({ outboundRules: [rule] })).not.toThrow();
  });

  test('accepts a size under 2 vCPUs when allowSmallSize is true', () => {
    // GIVEN
    const stack = buildDroplet({ size: 's-1vcpu-2gb', allowSmallSize: true });

    // THEN
    expect(Testing.synth(stack)).toHaveResourceWithProperties(Droplet, { size: 's-1vcpu-2gb' });
  });

  test('rejects a bad tag', () => {
    // THEN
    expect(() => buildDroplet({ tags: ['has space'] })).toThrow('test/Droplet: invalid tags[0] "has space"');
  });

  test('rejects an empty list of outbound rules', () => {
    // THEN
    expect(() => buildDroplet({ outboundRules: [] })).toThrow('test/Droplet: invalid outboundRules []');
  });

  test('rejects ports on an ICMP rule', () => {
    // THEN
    expect(() => buildDroplet({ outboundRules: [{ protocol: FirewallProtocol.ICMP, portRange: '443' }] })).toThrow(
      'test/Droplet: invalid outboundRules[0].portRange "443": ICMP rules take no ports',
    );
  });

  test.each([
    ['a port above 65535', '70000'],
    ['port zero', '0'],
    ['a range whose ends are swapped', '443-80'],
    ['a range that ends above 65535', '1024-65536'],
  ])('rejects %s', (_why, portRange) => {
    // THEN
    expect(() => buildDroplet({ outboundRules: [{ protocol: FirewallProtocol.TCP, portRange }] })).toThrow(
      `test/Droplet: invalid outboundRules[0].portRange "${portRange}": expected ports from 1 to 65535, the lower first`,
    );
  });

  test('accepts a single port, a range up to 65535, and "all"', () => {
    // THEN
    expect(() =>
      buildDroplet({
        outboundRules: [
          { protocol: FirewallProtocol.TCP, portRange: '443' },
          { protocol: FirewallProtocol.UDP, portRange: '1-65535' },
          { protocol: FirewallProtocol.TCP, portRange: 'all' },
        ],
      }),
    ).not.toThrow();
  });

  test('rejects a malformed port range', () => {
    // THEN
    expect(() => buildDroplet({ outboundRules: [{ protocol: FirewallProtocol.TCP, portRange: '80,443' }] })).toThrow(
      'test/Droplet: invalid outboundRules[0].portRange "80,443"',
    );
  });
});
