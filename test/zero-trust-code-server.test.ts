import { DataCloudflareZeroTrustTunnelCloudflaredToken } from '@cdktf/provider-cloudflare/lib/data-cloudflare-zero-trust-tunnel-cloudflared-token';
import { DnsRecord } from '@cdktf/provider-cloudflare/lib/dns-record';
import { ZeroTrustAccessApplication } from '@cdktf/provider-cloudflare/lib/zero-trust-access-application';
import { ZeroTrustAccessPolicy } from '@cdktf/provider-cloudflare/lib/zero-trust-access-policy';
import { ZeroTrustTunnelCloudflared } from '@cdktf/provider-cloudflare/lib/zero-trust-tunnel-cloudflared';
import { Droplet } from '@cdktf/provider-digitalocean/lib/droplet';
import { Firewall } from '@cdktf/provider-digitalocean/lib/firewall';
import { SshKey } from '@cdktf/provider-digitalocean/lib/ssh-key';
import { Volume } from '@cdktf/provider-digitalocean/lib/volume';
import { PrivateKey } from '@cdktf/provider-tls/lib/private-key';
import { TerraformStack, TerraformVariable, Testing } from 'cdktf';
import { parse } from 'yaml';
import { FirewallProtocol, ZeroTrustCodeServer, ZeroTrustCodeServerProps } from '../lib';
import {
  ACCOUNT_ID,
  addressOf,
  cloudConfigOf,
  newStack,
  onlyResource,
  pathsContaining,
  renderedUserData,
  resourceCount,
  resourcesOfType,
  synthJson,
  thrownBy,
  TUNNEL_TOKEN_REFERENCE,
  validProps,
  writtenFile,
  ZONE_ID,
} from './fixtures';

const FINGERPRINT = '3b:16:bf:e4:8b:00:8b:b8:59:8c:a9:d3:f0:19:45:fa';

/** A stack holding one ZeroTrustCodeServer with the valid props and the given overrides. */
function build(overrides: Partial<ZeroTrustCodeServerProps> = {}): { stack: TerraformStack; codeServer: ZeroTrustCodeServer } {
  const stack = newStack();
  const codeServer = new ZeroTrustCodeServer(stack, 'CodeServer', validProps(overrides));
  return { stack, codeServer };
}

function synthOf(overrides: Partial<ZeroTrustCodeServerProps> = {}): any {
  return synthJson(build(overrides).stack);
}

/** The value of the output the construct declared with this id. */
function outputValue(synth: any, id: string): unknown {
  const found = Object.entries(synth.output ?? {}).filter(([key]) => key.split('_').includes(id));
  if (found.length !== 1) {
    throw new Error(`expected exactly one output ${id}, found ${found.length}`);
  }
  return (found[0][1] as any).value;
}

function reference(synth: any, type: string, attribute: string): string {
  return `\${${addressOf(synth, type)}.${attribute}}`;
}

describe('ZeroTrustCodeServer access', () => {
  test('guards the hostname with a self-hosted Access application', () => {
    // WHEN
    const synth = Testing.synth(build().stack);

    // THEN
    expect(synth).toHaveResourceWithProperties(ZeroTrustAccessApplication, {
      account_id: ACCOUNT_ID,
      type: 'self_hosted',
      domain: 'code.example.com',
    });
  });

  test('lasts a session of 24h by default', () => {
    // WHEN
    const synth = Testing.synth(build().stack);

    // THEN
    expect(synth).toHaveResourceWithProperties(ZeroTrustAccessApplication, { session_duration: '24h' });
  });

  test('shows the editor in the App Launcher by default', () => {
    // WHEN
    const synth = Testing.synth(build().stack);

    // THEN
    expect(synth).toHaveResourceWithProperties(ZeroTrustAccessApplication, { app_launcher_visible: true });
  });

  test('does not redirect to an identity provider by default', () => {
    // WHEN
    const app = onlyResource(synthOf(), 'cloudflare_zero_trust_access_application');

    // THEN
    expect(app.auto_redirect_to_identity).toBe(false);
    expect(app.allowed_idps).toBeUndefined();
  });

  test('redirects to the identity provider when exactly one is given', () => {
    // WHEN
    const synth = Testing.synth(build({ identityProviderIds: ['idp-1'] }).stack);

    // THEN
    expect(synth).toHaveResourceWithProperties(ZeroTrustAccessApplication, { allowed_idps: ['idp-1'], auto_redirect_to_identity: true });
  });

  test('does not redirect when more than one identity provider is given', () => {
    // WHEN
    const synth = Testing.synth(build({ identityProviderIds: ['idp-1', 'idp-2'] }).stack);

    // THEN
    expect(synth).toHaveResourceWithProperties(ZeroTrustAccessApplication, { auto_redirect_to_identity: false });
  });

  test('passes the session duration and launcher visibility given', () => {
    // WHEN
    const synth = Testing.synth(build({ sessionDuration: '8h', appLauncherVisible: false }).stack);

    // THEN
    expect(synth).toHaveResourceWithProperties(ZeroTrustAccessApplication, { session_duration: '8h', app_launcher_visible: false });
  });

  test('attaches the allow policy by id with precedence 1', () => {
    // WHEN
    const synth = synthOf();

    // THEN
    expect(onlyResource(synth, 'cloudflare_zero_trust_access_application').policies).toEqual([
      { id: reference(synth, 'cloudflare_zero_trust_access_policy', 'id'), precedence: 1 },
    ]);
  });

  test('allows the emails given', () => {
    // WHEN
    const synth = Testing.synth(build().stack);

    // THEN
    expect(synth).toHaveResourceWithProperties(ZeroTrustAccessPolicy, {
      account_id: ACCOUNT_ID,
      decision: 'allow',
      include: [{ email: { email: 'dev@example.com' } }],
    });
  });

  test('builds the include rules from emails, domains, GitHub organizations and teams, and groups', () => {
    // GIVEN
    const props = {
      allowedEmails: ['dev@example.com'],
      allowedEmailDomains: ['example.org'],
      allowedGithubOrganizations: [
        { name: 'my-org', identityProviderId: 'idp-gh' },
        { name: 'my-org', identityProviderId: 'idp-gh', team: 'platform' },
      ],
      allowedGroupIds: ['group-1'],
    };

    // WHEN
    const policy = onlyResource(synthOf(props), 'cloudflare_zero_trust_access_policy');

    // THEN
    expect(policy.include).toEqual([
      { email: { email: 'dev@example.com' } },
      { email_domain: { domain: 'example.org' } },
      { github_organization: { name: 'my-org', identity_provider_id: 'idp-gh' } },
      { github_organization: { name: 'my-org', identity_provider_id: 'idp-gh', team: 'platform' } },
      { group: { id: 'group-1' } },
    ]);
  });

  test('has no require and no exclude rules by default', () => {
    // WHEN
    const policy = onlyResource(synthOf(), 'cloudflare_zero_trust_access_policy');

    // THEN
    expect(policy).not.toHaveProperty('require');
    expect(policy).not.toHaveProperty('exclude');
  });

  test('adds the require and exclude rules given', () => {
    // WHEN
    const policy = onlyResource(
      synthOf({ requireRules: { emailDomains: ['example.com'] }, excludeRules: { emails: ['intern@example.com'] } }),
      'cloudflare_zero_trust_access_policy',
    );

    // THEN
    expect(policy.require).toEqual([{ email_domain: { domain: 'example.com' } }]);
    expect(policy.exclude).toEqual([{ email: { email: 'intern@example.com' } }]);
  });
});

describe('ZeroTrustCodeServer tunnel', () => {
  test('creates a remotely-managed tunnel', () => {
    // WHEN
    const synth = Testing.synth(build().stack);

    // THEN
    expect(synth).toHaveResourceWithProperties(ZeroTrustTunnelCloudflared, { account_id: ACCOUNT_ID, config_src: 'cloudflare' });
  });

  test('sends the hostname to http://localhost:8080 and everything else to the 404 catch-all, last', () => {
    // WHEN
    const ingress = onlyResource(synthOf(), 'cloudflare_zero_trust_tunnel_cloudflared_config').config.ingress;

    // THEN
    expect(ingress).toHaveLength(2);
    expect(ingress[0]).toMatchObject({ hostname: 'code.example.com', service: 'http://localhost:8080' });
    expect(ingress[1]).toEqual({ service: 'http_status:404' });
  });

  test('reads the tunnel token with a data source', () => {
    // GIVEN
    const { stack } = build();
    const synth = synthJson(stack);

    // THEN
    expect(Testing.synth(stack)).toHaveDataSourceWithProperties(DataCloudflareZeroTrustTunnelCloudflaredToken, {
      account_id: ACCOUNT_ID,
      tunnel_id: reference(synth, 'cloudflare_zero_trust_tunnel_cloudflared', 'id'),
    });
  });
});

describe('ZeroTrustCodeServer DNS', () => {
  test('points a proxied CNAME with the full hostname at the tunnel, with the automatic TTL', () => {
    // GIVEN
    const { stack } = build();
    const synth = synthJson(stack);

    // THEN
    expect(Testing.synth(stack)).toHaveResourceWithProperties(DnsRecord, {
      zone_id: ZONE_ID,
      name: 'code.example.com',
      type: 'CNAME',
      content: `${reference(synth, 'cloudflare_zero_trust_tunnel_cloudflared', 'id')}.cfargotunnel.com`,
      proxied: true,
      ttl: 1,
    });
  });

  test('creates exactly one DNS record', () => {
    // THEN
    expect(resourcesOfType(synthOf(), 'cloudflare_dns_record')).toHaveLength(1);
  });
});

describe('ZeroTrustCodeServer droplet', () => {
  test('runs an s-2vcpu-4gb Ubuntu 24.04 droplet in fra1 by default, with monitoring', () => {
    // WHEN
    const synth = Testing.synth(build().stack);

    // THEN
    expect(synth).toHaveResourceWithProperties(Droplet, {
      region: 'fra1',
      size: 's-2vcpu-4gb',
      image: 'ubuntu-24-04-x64',
      monitoring: true,
    });
  });

  test('names the droplet after the hostname by default', () => {
    // WHEN
    const synth = Testing.synth(build().stack);

    // THEN
    expect(synth).toHaveResourceWithProperties(Droplet, { name: 'code-example-com' });
  });

  test('names the droplet as given', () => {
    // WHEN
    const synth = Testing.synth(build({ dropletName: 'alice-editor' }).stack);

    // THEN
    expect(synth).toHaveResourceWithProperties(Droplet, { name: 'alice-editor' });
  });

  test('tags the droplet code-server besides the tags given', () => {
    // WHEN
    const droplet = onlyResource(synthOf({ tags: ['dev'] }), 'digitalocean_droplet');

    // THEN
    expect(droplet.tags).toEqual(expect.arrayContaining(['code-server', 'dev']));
  });

  test('generates an ED25519 key and registers it with DigitalOcean by default', () => {
    // GIVEN
    const { stack } = build();
    const synth = synthJson(stack);

    // THEN
    expect(Testing.synth(stack)).toHaveResourceWithProperties(PrivateKey, { algorithm: 'ED25519' });
    expect(Testing.synth(stack)).toHaveResourceWithProperties(SshKey, {
      public_key: reference(synth, 'tls_private_key', 'public_key_openssh'),
    });
    expect(Testing.synth(stack)).toHaveResourceWithProperties(Droplet, {
      ssh_keys: [reference(synth, 'digitalocean_ssh_key', 'fingerprint')],
    });
  });

  test('generates no key and uses the fingerprints when fingerprints are given', () => {
    // WHEN
    const synth = synthOf({ sshKeyFingerprints: [FINGERPRINT] });

    // THEN
    expect(resourcesOfType(synth, 'tls_private_key')).toHaveLength(0);
    expect(resourcesOfType(synth, 'digitalocean_ssh_key')).toHaveLength(0);
    expect(onlyResource(synth, 'digitalocean_droplet').ssh_keys).toEqual([FINGERPRINT]);
  });

  test('attaches the firewall to the droplet', () => {
    // GIVEN
    const { stack } = build();
    const synth = synthJson(stack);

    // THEN
    expect(Testing.synth(stack)).toHaveResourceWithProperties(Firewall, {
      droplet_ids: [reference(synth, 'digitalocean_droplet', 'id')],
    });
  });

  test('allows all outbound traffic by default', () => {
    // WHEN
    const firewall = onlyResource(synthOf(), 'digitalocean_firewall');

    // THEN
    expect(firewall.outbound_rule.map((r: any) => [r.protocol, r.port_range])).toEqual([
      ['tcp', 'all'],
      ['udp', 'all'],
      ['icmp', undefined],
    ]);
  });

  test('restricts outbound traffic to the rules given', () => {
    // WHEN
    const firewall = onlyResource(
      synthOf({ outboundRules: [{ protocol: FirewallProtocol.TCP, portRange: '443' }, { protocol: FirewallProtocol.TCP, portRange: '7844' }] }),
      'digitalocean_firewall',
    );

    // THEN
    expect(firewall.outbound_rule).toEqual([
      { protocol: 'tcp', port_range: '443', destination_addresses: ['0.0.0.0/0', '::/0'] },
      { protocol: 'tcp', port_range: '7844', destination_addresses: ['0.0.0.0/0', '::/0'] },
    ]);
  });

  test('gives a droplet with 2 GiB of memory a 2G swap file', () => {
    // WHEN
    const droplet = onlyResource(synthOf({ size: 's-2vcpu-2gb' }), 'digitalocean_droplet');

    // THEN
    expect(cloudConfigOf(droplet).swap).toMatchObject({ size: '2G' });
  });

  test('gives a droplet with 4 GiB of memory no swap file', () => {
    // WHEN
    const droplet = onlyResource(synthOf({ size: 's-2vcpu-4gb' }), 'digitalocean_droplet');

    // THEN
    expect(cloudConfigOf(droplet)).not.toHaveProperty('swap');
  });

  test('gives the swap size asked for over the default', () => {
    // WHEN
    const droplet = onlyResource(synthOf({ size: 's-2vcpu-2gb', swapSizeGib: 0 }), 'digitalocean_droplet');

    // THEN
    expect(cloudConfigOf(droplet)).not.toHaveProperty('swap');
  });
});

describe('ZeroTrustCodeServer home volume', () => {
  test('creates a 20 GiB ext4 volume labelled ztcs-home by default', () => {
    // WHEN
    const synth = Testing.synth(build().stack);

    // THEN
    expect(synth).toHaveResourceWithProperties(Volume, {
      size: 20,
      initial_filesystem_type: 'ext4',
      initial_filesystem_label: 'ztcs-home',
    });
  });

  test('names the volume after the droplet and puts it in the droplet\'s region', () => {
    // WHEN
    const synth = Testing.synth(build({ region: 'ams3' }).stack);

    // THEN
    expect(synth).toHaveResourceWithProperties(Volume, { name: 'code-example-com-home', region: 'ams3' });
  });

  test('makes a valid volume name of a droplet name with capitals and dots', () => {
    // WHEN
    const synth = Testing.synth(build({ dropletName: 'Alice.Editor' }).stack);

    // THEN
    expect(synth).toHaveResourceWithProperties(Volume, { name: 'alice-editor-home' });
  });

  test('keeps the volume name within 64 characters, starting with a letter or digit', () => {
    // GIVEN
    const dropletName = `${'a'.repeat(60)}.b-c`;

    // WHEN
    const volume = onlyResource(synthOf({ dropletName }), 'digitalocean_volume');

    // THEN
    expect(volume.name).toBe(`${'a'.repeat(55)}-b-c-home`);
    expect(volume.name.length).toBeLessThanOrEqual(64);
  });

  test('protects the volume from destruction by default', () => {
    // WHEN
    const volume = onlyResource(synthOf(), 'digitalocean_volume');

    // THEN
    expect(volume.lifecycle).toEqual({ prevent_destroy: true });
  });

  test('leaves the volume unprotected when protect is false', () => {
    // WHEN
    const volume = onlyResource(synthOf({ homeVolumeOptions: { protect: false } }), 'digitalocean_volume');

    // THEN
    expect(volume.lifecycle).toEqual({ prevent_destroy: false });
  });

  test('takes the size and label given', () => {
    // WHEN
    const synth = Testing.synth(build({ homeVolumeOptions: { sizeGib: 50, label: 'alice-home' } }).stack);

    // THEN
    expect(synth).toHaveResourceWithProperties(Volume, { size: 50, initial_filesystem_label: 'alice-home' });
  });

  test('depends on nothing that replaces the droplet: not the user data, the image or the tunnel token', () => {
    // WHEN
    const volume = JSON.stringify(onlyResource(synthOf(), 'digitalocean_volume'));

    // THEN
    expect(volume).not.toContain('user_data');
    expect(volume).not.toContain('ubuntu-24-04-x64');
    expect(volume).not.toContain('image');
    expect(volume).not.toContain('cloudflared_token');
    expect(volume).not.toContain('digitalocean_droplet');
    expect(volume).not.toContain('depends_on');
  });

  test('attaches the volume to the droplet at creation', () => {
    // WHEN
    const synth = synthOf();

    // THEN
    expect(onlyResource(synth, 'digitalocean_droplet').volume_ids).toEqual([reference(synth, 'digitalocean_volume', 'id')]);
  });

  test('mounts the volume by its label at the user\'s home', () => {
    // WHEN
    const config = cloudConfigOf(onlyResource(synthOf(), 'digitalocean_droplet'));

    // THEN
    expect(config.mounts).toHaveLength(1);
    expect(config.mounts[0].slice(0, 3)).toEqual(['LABEL=ztcs-home', '/home/coder', 'ext4']);
  });

  test('creates no volume and attaches none when homeVolume is false', () => {
    // WHEN
    const synth = synthOf({ homeVolume: false });

    // THEN
    expect(resourcesOfType(synth, 'digitalocean_volume')).toHaveLength(0);
    expect(onlyResource(synth, 'digitalocean_droplet')).not.toHaveProperty('volume_ids');
  });

  test('mounts nothing when homeVolume is false', () => {
    // WHEN
    const config = cloudConfigOf(onlyResource(synthOf({ homeVolume: false }), 'digitalocean_droplet'));

    // THEN
    expect(config).not.toHaveProperty('mounts');
  });
});

describe('ZeroTrustCodeServer outputs', () => {
  test('outputs the URL https://<hostname>', () => {
    // THEN
    expect(outputValue(synthOf(), 'Url')).toBe('https://code.example.com');
  });

  test('exposes the URL', () => {
    // THEN
    expect(build().codeServer.url).toBe('https://code.example.com');
  });

  test('outputs the tunnel id', () => {
    // WHEN
    const synth = synthOf();

    // THEN
    expect(outputValue(synth, 'TunnelId')).toBe(reference(synth, 'cloudflare_zero_trust_tunnel_cloudflared', 'id'));
  });

  test('outputs the Access application\'s AUD tag', () => {
    // WHEN
    const synth = synthOf();

    // THEN
    expect(outputValue(synth, 'AccessApplicationAud')).toBe(reference(synth, 'cloudflare_zero_trust_access_application', 'aud'));
  });

  test('outputs the droplet id', () => {
    // WHEN
    const synth = synthOf();

    // THEN
    expect(outputValue(synth, 'DropletId')).toBe(reference(synth, 'digitalocean_droplet', 'id'));
  });

  test('outputs exactly these four values', () => {
    // THEN
    expect(Object.keys(synthOf().output)).toHaveLength(4);
  });
});

describe('ZeroTrustCodeServer security', () => {
  test('the firewall has no inbound rule', () => {
    // WHEN
    const firewall = onlyResource(synthOf(), 'digitalocean_firewall');

    // THEN
    expect(firewall).not.toHaveProperty('inbound_rule');
  });

  test('no firewall anywhere in the stack has an inbound rule', () => {
    // WHEN
    const firewalls = resourcesOfType(synthOf({ outboundRules: [{ protocol: FirewallProtocol.TCP, portRange: '443' }] }), 'digitalocean_firewall');

    // THEN
    expect(firewalls.length).toBeGreaterThan(0);
    firewalls.forEach((firewall) => expect(firewall).not.toHaveProperty('inbound_rule'));
  });

  test('code-server listens on loopback only', () => {
    // WHEN
    const config = cloudConfigOf(onlyResource(synthOf(), 'digitalocean_droplet'));
    const codeServerConfig = parse(writtenFile(config, '/etc/code-server/config.yaml'));

    // THEN
    expect(codeServerConfig['bind-addr']).toBe('127.0.0.1:8080');
  });

  test('the origin validates Access JWTs for the application\'s audience', () => {
    // WHEN
    const synth = synthOf();
    const ingress = onlyResource(synth, 'cloudflare_zero_trust_tunnel_cloudflared_config').config.ingress;

    // THEN
    expect(ingress[0].origin_request).toEqual({
      access: {
        required: true,
        team_name: 'myteam',
        aud_tag: [reference(synth, 'cloudflare_zero_trust_access_application', 'aud')],
      },
    });
  });

  test('the tunnel token is in no output', () => {
    // WHEN
    const synth = synthOf();

    // THEN
    for (const output of Object.values<any>(synth.output)) {
      expect(JSON.stringify(output.value)).not.toContain('cloudflare_zero_trust_tunnel_cloudflared_token');
    }
  });

  test('the tunnel token is on no command line', () => {
    // WHEN
    const droplet = onlyResource(synthOf(), 'digitalocean_droplet');
    const execStarts = renderedUserData(droplet).split('\n').filter((line) => line.includes('ExecStart'));
    const config = cloudConfigOf(droplet);

    // THEN
    expect(execStarts.length).toBeGreaterThan(0);
    execStarts.forEach((line) => expect(line).not.toContain(TUNNEL_TOKEN_REFERENCE));
    expect(JSON.stringify(config.runcmd ?? [])).not.toContain(TUNNEL_TOKEN_REFERENCE);
    expect(JSON.stringify(config.bootcmd ?? [])).not.toContain(TUNNEL_TOKEN_REFERENCE);
  });

  test('the tunnel token appears in the synthesized stack only inside the droplet\'s user data', () => {
    // WHEN
    const synth = synthOf();

    // THEN
    expect(pathsContaining(synth, TUNNEL_TOKEN_REFERENCE)).toEqual([`resource.${addressOf(synth, 'digitalocean_droplet')}.user_data`]);
  });
});

describe('ZeroTrustCodeServer with unresolved values', () => {
  function buildWithVariables(): any {
    const stack = newStack();
    const hostname = new TerraformVariable(stack, 'hostname', { type: 'string' });
    const zoneName = new TerraformVariable(stack, 'zone_name', { type: 'string' });
    const region = new TerraformVariable(stack, 'region', { type: 'string' });
    new ZeroTrustCodeServer(stack, 'CodeServer', validProps({
      hostname: hostname.stringValue,
      zoneName: zoneName.stringValue,
      region: region.stringValue,
    }));
    return synthJson(stack);
  }

  test('synthesizes with a hostname, zone name and region given as tokens', () => {
    // THEN
    expect(() => buildWithVariables()).not.toThrow();
  });

  test('uses the hostname variable for the DNS record and the URL', () => {
    // WHEN
    const synth = buildWithVariables();

    // THEN
    expect(onlyResource(synth, 'cloudflare_dns_record').name).toBe('${var.hostname}');
    expect(outputValue(synth, 'Url')).toBe('https://${var.hostname}');
  });

  test('uses the region variable for the droplet and the volume', () => {
    // WHEN
    const synth = buildWithVariables();

    // THEN
    expect(onlyResource(synth, 'digitalocean_droplet').region).toBe('${var.region}');
    expect(onlyResource(synth, 'digitalocean_volume').region).toBe('${var.region}');
  });

  test('derives the droplet name from the hostname variable in Terraform', () => {
    // WHEN
    const synth = buildWithVariables();

    // THEN
    expect(onlyResource(synth, 'digitalocean_droplet').name).toBe('${replace(var.hostname, ".", "-")}');
  });

  test('derives a valid volume name from the hostname variable in Terraform', () => {
    // WHEN
    const synth = buildWithVariables();

    // THEN
    expect(onlyResource(synth, 'digitalocean_volume').name).toBe(
      '${replace(substr(join("", [replace(lower(replace(var.hostname, ".", "-")), "/[^a-z0-9-]/", "-"), "-home"]), -64, -1), "/^-+/", "")}',
    );
  });

  test('gives no default swap file to a size given as a token', () => {
    // GIVEN
    const stack = newStack();
    const size = new TerraformVariable(stack, 'size', { type: 'string' });

    // WHEN
    new ZeroTrustCodeServer(stack, 'CodeServer', validProps({ size: size.stringValue }));
    const droplet = onlyResource(synthJson(stack), 'digitalocean_droplet');

    // THEN
    expect(droplet.size).toBe('${var.size}');
    expect(cloudConfigOf(droplet)).not.toHaveProperty('swap');
  });

  test('accepts a volume size given as a token', () => {
    // GIVEN
    const stack = newStack();
    const sizeGib = new TerraformVariable(stack, 'volume_size', { type: 'number' });

    // WHEN
    new ZeroTrustCodeServer(stack, 'CodeServer', validProps({ homeVolumeOptions: { sizeGib: sizeGib.numberValue } }));

    // THEN
    expect(onlyResource(synthJson(stack), 'digitalocean_volume').size).toBe('${var.volume_size}');
  });
});

describe('ZeroTrustCodeServer validation', () => {
  const cases: Array<[string, Partial<ZeroTrustCodeServerProps>, string, unknown]> = [
    ['a hostname outside the zone', { hostname: 'code.example.org' }, 'hostname', 'code.example.org'],
    ['a hostname that is not fully qualified', { hostname: 'code' }, 'hostname', 'code'],
    ['a zone name that is not a domain', { zoneName: 'Example.COM' }, 'zoneName', 'Example.COM'],
    ['a malformed email', { allowedEmails: ['dev@'] }, 'allowedEmails[0]', 'dev@'],
    ['a malformed email domain', { allowedEmailDomains: ['@example.com'] }, 'allowedEmailDomains[0]', '@example.com'],
    ['a bad GitHub organization name', { allowedGithubOrganizations: [{ name: '-org', identityProviderId: 'idp' }] }, 'allowedGithubOrganizations[0].name', '-org'],
    ['a bad GitHub team name', { allowedGithubOrganizations: [{ name: 'org', identityProviderId: 'idp', team: '' }] }, 'allowedGithubOrganizations[0].team', ''],
    ['a bad group id', { allowedGroupIds: ['group 1'] }, 'allowedGroupIds[0]', 'group 1'],
    ['a malformed email in the require rules', { requireRules: { emails: ['x'] } }, 'requireRules.emails[0]', 'x'],
    ['a bad group id in the exclude rules', { excludeRules: { groupIds: ['a/b'] } }, 'excludeRules.groupIds[0]', 'a/b'],
    ['a malformed session duration', { sessionDuration: '1d' }, 'sessionDuration', '1d'],
    ['a session duration of 0s', { sessionDuration: '0s' }, 'sessionDuration', '0s'],
    ['a bad identity provider id', { identityProviderIds: ['idp 1'] }, 'identityProviderIds[0]', 'idp 1'],
    ['a bad team name', { teamName: 'My_Team' }, 'teamName', 'My_Team'],
    ['a bad region', { region: 'frankfurt' }, 'region', 'frankfurt'],
    ['a bad size slug', { size: 'large' }, 'size', 'large'],
    ['a bad image', { image: 'Ubuntu 24.04' }, 'image', 'Ubuntu 24.04'],
    ['a bad SSH key fingerprint', { sshKeyFingerprints: ['SHA256:abc'] }, 'sshKeyFingerprints[0]', 'SHA256:abc'],
    ['a bad tag', { tags: ['a tag'] }, 'tags[0]', 'a tag'],
    ['an empty list of outbound rules', { outboundRules: [] }, 'outboundRules', []],
    ['an ICMP rule with ports', { outboundRules: [{ protocol: FirewallProtocol.ICMP, portRange: '1-100' }] }, 'outboundRules[0].portRange', '1-100'],
    ['a malformed port range', { outboundRules: [{ protocol: FirewallProtocol.TCP, portRange: 'https' }] }, 'outboundRules[0].portRange', 'https'],
    ['a port range beyond 65535', { outboundRules: [{ protocol: FirewallProtocol.TCP, portRange: '443-99999' }] }, 'outboundRules[0].portRange', '443-99999'],
    ['a bad droplet name', { dropletName: 'my_box' }, 'dropletName', 'my_box'],
    ['a code-server version older than supported', { codeServerVersion: '4.0.0' }, 'codeServerVersion', '4.0.0'],
    ['a volume size of zero', { homeVolumeOptions: { sizeGib: 0 } }, 'sizeGib', 0],
    ['a volume label ext4 cannot take', { homeVolumeOptions: { label: 'Home_Dir' } }, 'label', 'Home_Dir'],
  ];

  test.each(cases)('rejects %s, naming the prop and the value', (_why, overrides, prop, value) => {
    // WHEN
    const error = thrownBy(() => build(overrides));

    // THEN
    expect(error.name).toBe('PropValidationError');
    expect(error.message).toMatch(/^ZeroTrustCodeServer/);
    expect(error.message).toContain(`invalid ${prop} ${JSON.stringify(value)}:`);
  });

  test.each(cases)('builds nothing when given %s', (_why, overrides) => {
    // GIVEN
    const stack = newStack();

    // WHEN
    thrownBy(() => new ZeroTrustCodeServer(stack, 'CodeServer', validProps(overrides)));

    // THEN
    const partial = stack.node.tryFindChild('CodeServer');
    expect(partial?.node.children ?? []).toHaveLength(0);
    const synth = synthJson(stack);
    expect(resourceCount(synth)).toBe(0);
    expect(synth.data).toBeUndefined();
    expect(synth.output).toBeUndefined();
  });

  test('names the volume options in a volume error', () => {
    // WHEN
    const error = thrownBy(() => build({ homeVolumeOptions: { sizeGib: 0 } }));

    // THEN
    expect(error.message).toContain('homeVolumeOptions');
  });

  test('rejects props that allow nobody in, naming the allow props', () => {
    // WHEN
    const error = thrownBy(() => build({ allowedEmails: undefined }));

    // THEN
    expect(error.message).toMatch(/^ZeroTrustCodeServer: invalid allowedEmails/);
    expect(error.message).toContain('an allow policy needs at least one include rule');
  });

  test('builds nothing when the props allow nobody in', () => {
    // GIVEN
    const stack = newStack();

    // WHEN
    thrownBy(() => new ZeroTrustCodeServer(stack, 'CodeServer', validProps({ allowedEmails: [] })));

    // THEN
    expect(resourceCount(synthJson(stack))).toBe(0);
  });

  test('accepts a hostname two labels below the zone', () => {
    // THEN
    expect(() => build({ hostname: 'alice.code.example.com' })).not.toThrow();
  });
});
