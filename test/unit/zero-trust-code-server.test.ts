import { CloudflareProvider } from '@cdktf/provider-cloudflare/lib/provider';
import { DigitaloceanProvider } from '@cdktf/provider-digitalocean/lib/provider';
import { TlsProvider } from '@cdktf/provider-tls/lib/provider';
import { App, TerraformStack, TerraformVariable, Testing } from 'cdktf';
import { Construct } from 'constructs';
import { parse } from 'yaml';
import { CodeServerTeam, FirewallProtocol, Home, HomeVolume, PropValidation, ZeroTrustCodeServer, ZeroTrustCodeServerProps } from '../../lib';
import { PropValidationError } from '../../lib/private/validation';
import {
  addressOf,
  cloudConfigOf,
  IDP_ID,
  newStack,
  onlyResource,
  pathsContaining,
  renderedUserData,
  resourceCount,
  resourcesByAddress,
  STOPPED_EDITOR_TYPES,
  resourcesOfType,
  synthJson,
  teamProps,
  thrownBy,
  TUNNEL_TOKEN_REFERENCE,
  validProps,
  writtenFile,
} from '../support/fixtures';

type Overrides = Partial<ZeroTrustCodeServerProps> | ((stack: TerraformStack) => Partial<ZeroTrustCodeServerProps>);

/** A stack holding one ZeroTrustCodeServer with the valid props and the given overrides (made in the stack, for importers). */
function build(overrides: Overrides = {}): { stack: TerraformStack; codeServer: ZeroTrustCodeServer } {
  const stack = newStack();
  const codeServer = new ZeroTrustCodeServer(stack, 'CodeServer', validProps(typeof overrides === 'function' ? overrides(stack) : overrides));
  return { stack, codeServer };
}

/** The error `app.synth()` throws: claims (hostnames, output names, homes) are checked there, once the whole app is built. */
function synthErrorOf(stack: TerraformStack): Error {
  return thrownBy(() => (stack.node.root as App).synth());
}

function synthOf(overrides: Overrides = {}): any {
  return synthJson(build(overrides).stack);
}

/** The value of a Terraform output, by its name. */
function outputValue(synth: any, name: string): unknown {
  if (!synth.output?.[name]) throw new Error(`no output ${name}; there are ${Object.keys(synth.output ?? {}).join(', ')}`);
  return synth.output[name].value;
}

function reference(synth: any, type: string, attribute: string): string {
  return `\${${addressOf(synth, type)}.${attribute}}`;
}

describe('ZeroTrustCodeServer composition', () => {
  test('builds each part once: Access, tunnel, DNS record, home volume, droplet', () => {
    // WHEN
    const synth = synthOf();

    // THEN
    expect(Object.fromEntries(Object.entries(synth.resource).map(([type, bodies]) => [type, Object.keys(bodies as object).length]))).toEqual({
      cloudflare_zero_trust_access_policy: 1,
      cloudflare_zero_trust_access_application: 1,
      cloudflare_zero_trust_tunnel_cloudflared: 1,
      cloudflare_zero_trust_tunnel_cloudflared_config: 1,
      cloudflare_dns_record: 1,
      digitalocean_volume: 1,
      tls_private_key: 2,
      digitalocean_ssh_key: 1,
      digitalocean_droplet: 1,
      digitalocean_firewall: 1,
      digitalocean_tag: 1,
    });
  });

  test('exposes every part', () => {
    // WHEN
    const { codeServer } = build();

    // THEN
    expect(codeServer.access.node.path).toBe('test/CodeServer/Access');
    expect(codeServer.tunnel.node.path).toBe('test/CodeServer/Tunnel');
    expect(codeServer.dnsRecord.node.path).toBe('test/CodeServer/Dns');
    expect(codeServer.homeVolume?.node.path).toBe('test/CodeServer/HomeVolume');
    expect(codeServer.userData?.node.path).toBe('test/CodeServer/UserData');
    expect(codeServer.droplet?.node.path).toBe('test/CodeServer/Droplet');
  });

  test('the tunnel checks Access tokens for this application, and the DNS record points at this tunnel', () => {
    // WHEN
    const synth = synthOf();

    // THEN
    const ingress = onlyResource(synth, 'cloudflare_zero_trust_tunnel_cloudflared_config').config.ingress;
    expect(ingress[0].origin_request.access.aud_tag).toEqual([reference(synth, 'cloudflare_zero_trust_access_application', 'aud')]);
    expect(onlyResource(synth, 'cloudflare_dns_record').content).toBe(`${reference(synth, 'cloudflare_zero_trust_tunnel_cloudflared', 'id')}.cfargotunnel.com`);
  });

  test("the droplet boots with the tunnel's token and mounts the home volume it is given at creation", () => {
    // WHEN
    const synth = synthOf();
    const droplet = onlyResource(synth, 'digitalocean_droplet');

    // THEN
    expect(droplet.volume_ids).toEqual([reference(synth, 'digitalocean_volume', 'id')]);
    expect(writtenFile(cloudConfigOf(droplet), '/etc/cloudflared/tunnel.env')).toContain(TUNNEL_TOKEN_REFERENCE);
    expect(cloudConfigOf(droplet).mounts).toEqual([['LABEL=ztcs-home', '/home/coder', 'ext4', 'defaults,nofail,discard', '0', '2']]);
  });

  test('names the droplet after the hostname, and the volume after the droplet, in its region', () => {
    // WHEN
    const synth = synthOf({ hostname: 'Alice.Code.example.com'.toLowerCase(), dns: { allowDeepHostnames: true }, droplet: { region: 'ams3' } });

    // THEN
    expect(onlyResource(synth, 'digitalocean_droplet')).toMatchObject({ name: 'alice-code-example-com', region: 'ams3' });
    expect(onlyResource(synth, 'digitalocean_volume')).toMatchObject({ name: 'alice-code-example-com-home', region: 'ams3' });
  });

  test("tags the droplet with the droplet's tags and the volume with the home's, neither with the other's", () => {
    // WHEN
    const synth = synthOf({ droplet: { tags: ['team-platform'] }, home: Home.volume({ tags: ['backup-daily'] }) });

    // THEN
    expect(onlyResource(synth, 'digitalocean_droplet').tags).toEqual(['code-server', 'team-platform', expect.stringMatching(/^\$\{/)]);
    expect(onlyResource(synth, 'digitalocean_volume').tags).toEqual(['code-server', 'backup-daily']);
  });

  test('makes a valid volume name of a droplet name with capitals and dots, within 64 characters', () => {
    // WHEN
    const short = onlyResource(synthOf({ droplet: { name: 'Dev.Box' } }), 'digitalocean_volume').name;
    const long = onlyResource(synthOf({ droplet: { name: `b${'a'.repeat(70)}` } }), 'digitalocean_volume').name;

    // THEN
    expect(short).toBe('dev-box-home');
    expect(long).toHaveLength(64);
    expect(long).toMatch(/^[a-z0-9][a-z0-9-]*-home$/);
  });

  test.each<[string, Partial<ZeroTrustCodeServerProps>, string | undefined]>([
    ['2 GiB of memory gets a 2G swap file', { droplet: { size: 's-2vcpu-2gb' } }, '2G'],
    ['4 GiB of memory (the default size) gets none', {}, undefined],
    ['an explicit boot.swapSizeGib wins over the size', { droplet: { size: 's-2vcpu-2gb' }, boot: { swapSizeGib: 4 } }, '4G'],
  ])('a droplet with %s', (_, overrides, swap) => {
    // WHEN
    const config = cloudConfigOf(onlyResource(synthOf(overrides), 'digitalocean_droplet'));

    // THEN
    expect(config.swap?.size).toBe(swap);
  });

  test('with Home.onDropletDisk(): no volume, nothing attached, nothing mounted', () => {
    // WHEN
    const { stack, codeServer } = build({ home: Home.onDropletDisk() });
    const synth = synthJson(stack);
    const droplet = onlyResource(synth, 'digitalocean_droplet');

    // THEN
    expect(codeServer.homeVolume).toBeUndefined();
    expect(resourcesOfType(synth, 'digitalocean_volume')).toHaveLength(0);
    expect(droplet).not.toHaveProperty('volume_ids');
    expect(cloudConfigOf(droplet)).not.toHaveProperty('mounts');
  });
});

describe('ZeroTrustCodeServer stopped (running: false)', () => {
  test('keeps exactly the volume, the tunnel, the DNS record and the Access application', () => {
    // WHEN
    const synth = synthOf({ running: false });

    // THEN
    expect(Object.keys(synth.resource).sort()).toEqual(STOPPED_EDITOR_TYPES);
  });

  test('keeps every kept resource at the same address with the same body, so stop and start touch nothing else', () => {
    // GIVEN
    const running = resourcesByAddress(synthOf());

    // WHEN
    const stopped = resourcesByAddress(synthOf({ running: false }));

    // THEN
    expect(Object.keys(stopped).every((address) => address in running)).toBe(true);
    for (const [address, body] of Object.entries(stopped)) expect(body).toEqual(running[address]);
    expect(Object.keys(running).filter((address) => !(address in stopped)).map((a) => a.split('.')[0]).sort()).toEqual([
      'digitalocean_droplet', 'digitalocean_firewall', 'digitalocean_ssh_key', 'digitalocean_tag', 'tls_private_key', 'tls_private_key',
    ]);
  });

  test('has no droplet, no user data and no droplet-id output', () => {
    // WHEN
    const { stack, codeServer } = build({ running: false });

    // THEN
    expect(codeServer.droplet).toBeUndefined();
    expect(codeServer.userData).toBeUndefined();
    expect(Object.keys(synthJson(stack).output).sort()).toEqual(['CodeServer-access-aud', 'CodeServer-tunnel-id', 'CodeServer-url']);
  });
});

describe('ZeroTrustCodeServer with SSH through Access and previews', () => {
  const BOTH: Partial<ZeroTrustCodeServerProps> = { ssh: {}, previews: { ports: [3000, 5173] }, access: { allow: { emails: ['alice@example.com', 'ops@example.com'] } } };

  test('routes the editor, SSH and each preview through the tunnel, the catch-all last', () => {
    // WHEN
    const synth = synthOf(BOTH);
    const ingress = onlyResource(synth, 'cloudflare_zero_trust_tunnel_cloudflared_config').config.ingress;

    // THEN
    expect(ingress.map((rule: any) => [rule.hostname, rule.service])).toEqual([
      ['code.example.com', 'http://localhost:8080'],
      ['code-ssh.example.com', 'ssh://localhost:22'],
      ['3000-code.example.com', 'http://localhost:3000'],
      ['5173-code.example.com', 'http://localhost:5173'],
      [undefined, 'http_status:404'],
    ]);
  });

  test("checks at the origin the SSH application's tokens for SSH, the editor's for previews", () => {
    // WHEN
    const synth = synthOf(BOTH);
    const ingress = onlyResource(synth, 'cloudflare_zero_trust_tunnel_cloudflared_config').config.ingress;
    const apps = Object.entries<any>(synth.resource.cloudflare_zero_trust_access_application);
    const aud = (type: string) => `\${cloudflare_zero_trust_access_application.${apps.find(([, app]) => app.type === type)![0]}.aud}`;

    // THEN
    expect(ingress[1].origin_request.access.aud_tag).toEqual([aud('ssh')]);
    expect(ingress[2].origin_request.access.aud_tag).toEqual([aud('self_hosted')]);
  });

  test('points a proxied CNAME with the full name at the tunnel for the editor, SSH and each preview', () => {
    // WHEN
    const records = resourcesOfType(synthOf(BOTH), 'cloudflare_dns_record');

    // THEN
    expect(records.map((r) => r.name).sort()).toEqual(['3000-code.example.com', '5173-code.example.com', 'code-ssh.example.com', 'code.example.com']);
    for (const record of records) expect(record).toMatchObject({ type: 'CNAME', proxied: true, ttl: 1 });
    expect(new Set(records.map((r) => r.content)).size).toBe(1);
  });

  test("sshd trusts the SSH application's certificate authority for the allowed emails' principals", () => {
    // WHEN
    const synth = synthOf(BOTH);
    const config = cloudConfigOf(onlyResource(synth, 'digitalocean_droplet'));

    // THEN
    expect(writtenFile(config, '/etc/ssh/ztcs-ca.pub')).toBe(`\${${addressOf(synth, 'cloudflare_zero_trust_access_short_lived_certificate')}.public_key}\n`);
    expect(writtenFile(config, '/etc/ssh/ztcs-principals/coder')).toBe('alice\nops\n');
  });

  test('outputs the SSH hostname', () => {
    expect(outputValue(synthOf(BOTH), 'CodeServer-ssh-hostname')).toBe('code-ssh.example.com');
  });

  test.each<[string, Partial<ZeroTrustCodeServerProps>]>([
    ['the defaults', {}],
    ['SSH through Access', { ssh: {} }],
    ['previews', { previews: { ports: [3000] } }],
    ['both, and restricted egress', { ...BOTH, droplet: { outboundRules: [{ protocol: FirewallProtocol.TCP, portRange: '443' }, { protocol: FirewallProtocol.TCP, portRange: '7844' }] } }],
  ])('the firewall has no inbound rule with %s', (_, overrides) => {
    const firewalls = resourcesOfType(synthOf(overrides), 'digitalocean_firewall');
    expect(firewalls).toHaveLength(1);
    expect(firewalls[0]).not.toHaveProperty('inbound_rule');
  });

  test.each<[string, Partial<ZeroTrustCodeServerProps>, string, string]>([
    ["code-server's own port as a preview", { previews: { ports: [8080] } }, 'CodeServer', 'invalid previews.ports[0] 8080: is code-server itself'],
    ["sshd's port as a preview", { previews: { ports: [22] } }, 'CodeServer', 'invalid previews.ports[0] 22: is sshd itself'],
    ['a port out of range', { previews: { ports: [70000] } }, 'CodeServer', 'invalid previews.ports[0] 70000: expected a whole number from 1 to 65535'],
    ['a port twice', { previews: { ports: [3000, 3000] } }, 'CodeServer', 'invalid previews.ports "3000": is listed more than once'],
    ['an SSH hostname outside the zone', { ssh: { hostname: 'ssh.example.org' } }, 'CodeServer', 'invalid ssh.hostname "ssh.example.org": must be inside the zone'],
    ['an SSH hostname that is the editor\'s', { ssh: { hostname: 'code.example.com' } }, 'CodeServer', 'invalid ssh.hostname "code.example.com": is already the hostname of test/CodeServer (its hostname)'],
    ['SSH with no email to take principals from', { ssh: {}, access: { allow: { emailDomains: ['example.com'] } } }, 'CodeServer', 'invalid ssh.principals []: SSH through Access needs at least one principal'],
    ['a principal that is not the part of an email', { ssh: { principals: ['al ice'] } }, 'CodeServer', 'invalid ssh.principals[0] "al ice": expected the part of an email before the "@"'],
  ])('rejects %s', (_, overrides, part, message) => {
    expect(() => build(overrides)).toThrow(`test/${part}: ${message}`);
  });
});

describe('ZeroTrustCodeServer with existing resources and pass-through', () => {
  const VOLUME_ID = '506f78a4-e098-11e5-ad9f-000f53306ae1';

  test('puts every resource on the providers given: two accounts in one stack', () => {
    // GIVEN
    const stack = newStack();
    const cloudflare = new CloudflareProvider(stack, 'cloudflare-b', { alias: 'b' });
    const digitalocean = new DigitaloceanProvider(stack, 'digitalocean-b', { alias: 'b' });
    const tls = new TlsProvider(stack, 'tls-b', { alias: 'b' });

    // WHEN
    new ZeroTrustCodeServer(stack, 'CodeServer', validProps({ providers: { cloudflareProvider: cloudflare, digitaloceanProvider: digitalocean, tlsProvider: tls }, ssh: {} }));
    const synth = synthJson(stack);

    // THEN
    for (const [address, body] of Object.entries(resourcesByAddress(synth))) {
      expect([address, body.provider]).toEqual([address, `${address.split('_')[0]}.b`]);
    }
    expect(Object.values<any>(synth.data.cloudflare_zero_trust_tunnel_cloudflared_token)[0].provider).toBe('cloudflare.b');
  });

  test('passes the VPC, monitoring and IPv6 to the droplet', () => {
    // WHEN
    const droplet = onlyResource(synthOf({ droplet: { vpcUuid: '5a4981aa-9653-4bd1-bef5-d6bff52042e4', monitoring: false, ipv6: false } }), 'digitalocean_droplet');

    // THEN
    expect(droplet).toMatchObject({ vpc_uuid: '5a4981aa-9653-4bd1-bef5-d6bff52042e4', monitoring: false, ipv6: false });
  });

  test('names the Access application and the tunnel, and comments the DNS records, as given', () => {
    // WHEN
    const synth = synthOf({ access: { applicationName: 'Alice\'s editor' }, tunnel: { name: 'alice' }, dns: { recordComment: 'team platform' }, previews: { ports: [3000] } });

    // THEN
    expect(onlyResource(synth, 'cloudflare_zero_trust_access_application').name).toBe('Alice\'s editor');
    expect(onlyResource(synth, 'cloudflare_zero_trust_access_policy').name).toBe('Alice\'s editor allow');
    expect(onlyResource(synth, 'cloudflare_zero_trust_tunnel_cloudflared').name).toBe('alice');
    expect(resourcesOfType(synth, 'cloudflare_dns_record').map((r) => r.comment)).toEqual(['team platform', 'team platform']);
  });

  test('attaches an existing volume as the home, mounted by its label, and manages none of its own', () => {
    // WHEN
    const synth = synthOf((stack) => ({ home: Home.existing(HomeVolume.fromVolumeAttributes(stack, 'OldHome', { volumeId: VOLUME_ID, label: 'old-home' })) }));
    const droplet = onlyResource(synth, 'digitalocean_droplet');

    // THEN
    expect(resourcesOfType(synth, 'digitalocean_volume')).toEqual([]);
    expect(droplet.volume_ids).toEqual([VOLUME_ID]);
    expect(cloudConfigOf(droplet).mounts).toEqual([['LABEL=old-home', '/home/coder', 'ext4', 'defaults,nofail,discard', '0', '2']]);
  });

  test('gives an existing home to one editor only, naming both', () => {
    // GIVEN
    const stack = newStack();
    const home = Home.existing(HomeVolume.fromVolumeAttributes(stack, 'OldHome', { volumeId: VOLUME_ID }));
    new ZeroTrustCodeServer(stack, 'Alice', validProps({ hostname: 'alice.example.com', home }));
    new ZeroTrustCodeServer(stack, 'Bob', validProps({ hostname: 'bob.example.com', home }));

    // WHEN
    const error = synthErrorOf(stack);

    // THEN
    expect(error.message).toContain(`test/Bob: invalid home "${VOLUME_ID}": is already the existing home volume of test/Alice; give each instance its own`);
  });

  test('rejects a VPC id that is not a UUID', () => {
    expect(() => build({ droplet: { vpcUuid: 'default' } })).toThrow('test/CodeServer: invalid droplet.vpcUuid "default": expected the id (a UUID) of a DigitalOcean VPC');
  });
});

describe('ZeroTrustCodeServer outputs', () => {
  test('outputs the URL https://<hostname>', () => {
    // THEN
    expect(outputValue(synthOf(), 'CodeServer-url')).toBe('https://code.example.com');
  });

  test('exposes the URL', () => {
    // THEN
    expect(build().codeServer.url).toBe('https://code.example.com');
  });

  test('outputs the tunnel id', () => {
    // WHEN
    const synth = synthOf();

    // THEN
    expect(outputValue(synth, 'CodeServer-tunnel-id')).toBe(reference(synth, 'cloudflare_zero_trust_tunnel_cloudflared', 'id'));
  });

  test('outputs the Access application\'s AUD tag', () => {
    // WHEN
    const synth = synthOf();

    // THEN
    expect(outputValue(synth, 'CodeServer-access-aud')).toBe(reference(synth, 'cloudflare_zero_trust_access_application', 'aud'));
  });

  test('outputs the droplet id', () => {
    // WHEN
    const synth = synthOf();

    // THEN
    expect(outputValue(synth, 'CodeServer-droplet-id')).toBe(reference(synth, 'digitalocean_droplet', 'id'));
  });

  test('names its four outputs after the construct id, so `cdktf output` shows them readably', () => {
    // THEN
    expect(Object.keys(synthOf().output).sort()).toEqual(['CodeServer-access-aud', 'CodeServer-droplet-id', 'CodeServer-tunnel-id', 'CodeServer-url']);
  });

  test('makes a construct id that Terraform cannot take as a name into one it can', () => {
    // GIVEN
    const stack = newStack();

    // WHEN
    new ZeroTrustCodeServer(stack, '1st editor', validProps());

    // THEN
    expect(Object.keys(synthJson(stack).output)).toContain('ztcs-1st-editor-url');
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
    const firewalls = resourcesOfType(synthOf({ droplet: { outboundRules: [{ protocol: FirewallProtocol.UDP, portRange: '7844' }] } }), 'digitalocean_firewall');

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
      droplet: { region: region.stringValue },
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
    expect(outputValue(synth, 'CodeServer-url')).toBe('https://${var.hostname}');
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
    const slug = 'replace(lower(replace(var.hostname, ".", "-")), "/[^a-z0-9-]/", "-")';
    expect(onlyResource(synth, 'digitalocean_volume').name).toBe(
      `\${(length(join("", [${slug}, "-home"])) > 64) ? join("", [replace(substr(${slug}, 0, 50), "/-+$/", ""), "-", substr(sha1(${slug}), 0, 8), "-home"]) : join("", [${slug}, "-home"])}`,
    );
  });

  test('gives no default swap file to a size given as a token', () => {
    // GIVEN
    const stack = newStack();
    const size = new TerraformVariable(stack, 'size', { type: 'string' });

    // WHEN
    new ZeroTrustCodeServer(stack, 'CodeServer', validProps({ droplet: { size: size.stringValue } }));
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
    new ZeroTrustCodeServer(stack, 'CodeServer', validProps({ home: Home.volume({ sizeGib: sizeGib.numberValue }) }));

    // THEN
    expect(onlyResource(synthJson(stack), 'digitalocean_volume').size).toBe('${var.volume_size}');
  });
});

describe('ZeroTrustCodeServer validation', () => {
  // Each prop reaches the part that checks it; the error names that part's path and the prop as written here.
  const cases: Array<[string, Partial<ZeroTrustCodeServerProps>, string, unknown]> = [
    ['a hostname outside the zone', { hostname: 'code.example.org' }, 'hostname', 'code.example.org'],
    ['a zone name that is not a domain', { zoneName: 'Example.COM' }, 'zoneName', 'Example.COM'],
    ['a zone id that is the domain', { cloudflareZoneId: 'example.com' }, 'cloudflareZoneId', 'example.com'],
    ['an account id that is a name', { cloudflareAccountId: 'my-account' }, 'cloudflareAccountId', 'my-account'],
    ['a malformed email', { access: { allow: { emails: ['dev@'] } } }, 'access.allow.emails[0]', 'dev@'],
    ['a bad GitHub team name', { access: { allow: { githubOrganizations: [{ name: 'org', identityProviderId: IDP_ID, team: '' }] } } }, 'access.allow.githubOrganizations[0].team', ''],
    ['a bad email in the exclude rules', { access: { excludeRules: { emails: ['a/b'] } } }, 'access.excludeRules.emails[0]', 'a/b'],
    ['an identity provider given by its type', { access: { identityProviderIds: ['github'] } }, 'access.identityProviderIds[0]', 'github'],
    ['a bad team name', { teamName: 'My_Team' }, 'teamName', 'My_Team'],
    ['a volume size of zero', { home: Home.volume({ sizeGib: 0 }) }, 'home.sizeGib', 0],
    ['a volume label ext4 cannot take', { home: Home.volume({ label: 'Home_Dir' }) }, 'home.label', 'Home_Dir'],
    ['a volume tag DigitalOcean cannot take', { home: Home.volume({ tags: ['a tag'] }) }, 'home.tags[0]', 'a tag'],
    ['a system user name', { boot: { userName: 'root' } }, 'boot.userName', 'root'],
    ['a code-server version older than supported', { boot: { codeServerVersion: '4.0.0' } }, 'boot.codeServerVersion', '4.0.0'],
    ['a size slug with a typo', { droplet: { size: 's-2cpu-4gb' } }, 'droplet.size', 's-2cpu-4gb'],
    ['a size with 1 vCPU', { droplet: { size: 's-1vcpu-1gb' } }, 'droplet.size', 's-1vcpu-1gb'],
    ['a bad droplet name', { droplet: { name: 'my_box' } }, 'droplet.name', 'my_box'],
    ['a hostname two levels below the zone', { hostname: 'code.dev.example.com' }, 'hostname', 'code.dev.example.com'],
    ['a session longer than Access allows', { access: { sessionDuration: '731h' } }, 'access.sessionDuration', '731h'],
    ['a region DigitalOcean does not have', { droplet: { region: 'xyz9' } }, 'droplet.region', 'xyz9'],
    ['a size DigitalOcean does not sell', { droplet: { size: 's-99vcpu-4gb' } }, 'droplet.size', 's-99vcpu-4gb'],
    ['outbound rules without the tunnel\'s port', { droplet: { outboundRules: [{ protocol: FirewallProtocol.TCP, portRange: '443' }] } }, 'droplet.outboundRules', [{ protocol: 'tcp', portRange: '443' }]],
    ['a region DigitalOcean does not have, while stopped', { running: false, droplet: { region: 'xyz9' } }, 'droplet.region', 'xyz9'],
    ['a size DigitalOcean does not sell, while stopped', { running: false, droplet: { size: 's-99vcpu-4gb' } }, 'droplet.size', 's-99vcpu-4gb'],
    ['a bad image, while stopped', { running: false, droplet: { image: 'Ubuntu 24.04' } }, 'droplet.image', 'Ubuntu 24.04'],
    ['a bad boot option, while stopped', { running: false, boot: { userName: 'root' } }, 'boot.userName', 'root'],
  ];

  // Checked by the editor itself: what becomes of the home, and the droplet's options while it is stopped.
  test.each<[string, Overrides, string, unknown, string]>([
    ['a stop that deletes the only copy of the home', { home: Home.onDropletDisk(), running: false }, 'running', false, 'deletes the droplet, and with home: Home.onDropletDisk() the only copy of the home is on its disk'],
    ['an idle stop that deletes the only copy of the home', () => ({ home: Home.onDropletDisk(), idleStop: { idleMinutes: 30 } }), 'idleStop.idleMinutes', 30, 'deletes the droplet, and with home: Home.onDropletDisk()'],
  ])('rejects %s, naming the prop and the value', (_why, overrides, prop, value, reason) => {
    expect(() => build(overrides)).toThrow(`test/CodeServer: invalid ${prop} ${JSON.stringify(value)}: ${reason}`);
  });

  test('stops an editor without a home volume when its home is declared disposable', () => {
    expect(resourcesOfType(synthOf({ home: Home.onDropletDisk({ disposable: true }), running: false }), 'digitalocean_droplet')).toEqual([]);
  });

  test('accepts a deeper hostname, a region and a size it does not know when told to', () => {
    // WHEN
    const synth = synthOf({ hostname: 'code.dev.example.com', dns: { allowDeepHostnames: true }, droplet: { region: 'ric1', size: 's-6vcpu-64gb', allowUnlistedSlugs: true } });

    // THEN
    expect(onlyResource(synth, 'cloudflare_dns_record').name).toBe('code.dev.example.com');
    expect(onlyResource(synth, 'digitalocean_droplet')).toMatchObject({ region: 'ric1', size: 's-6vcpu-64gb' });
  });

  test.each(cases)('rejects %s, naming the editor, the prop and the value', (_why, overrides, prop, value) => {
    // WHEN
    const error = thrownBy(() => build(overrides));

    // THEN
    expect(error.name).toBe('PropValidationError');
    expect(error.message).toContain(`test/CodeServer: invalid ${prop} ${JSON.stringify(value)}:`);
  });

  test.each(cases)('leaves nothing in the tree when given %s', (_why, overrides) => {
    // GIVEN
    const stack = newStack();

    // WHEN
    thrownBy(() => new ZeroTrustCodeServer(stack, 'CodeServer', validProps(overrides)));

    // THEN
    expect(stack.node.tryFindChild('CodeServer')).toBeUndefined();
    const synth = synthJson(stack);
    expect(resourceCount(synth)).toBe(0);
    expect(synth.data).toBeUndefined();
    expect(synth.output).toBeUndefined();
  });

  test('rejects props that allow nobody in, naming the allow prop', () => {
    // WHEN
    const error = thrownBy(() => build({ access: { allow: undefined } }));

    // THEN
    expect(error.message).toMatch(/^test\/CodeServer: invalid access.allow null: an editor needs someone to let in/);
  });

  test('throws errors that PropValidation tells apart, carrying the path, the prop and the value', () => {
    // WHEN
    const error = thrownBy(() => build({ droplet: { size: 's-99vcpu-4gb' } })) as PropValidationError;

    // THEN
    expect(PropValidation.isPropValidationError(error)).toBe(true);
    expect(PropValidation.isPropValidationError(new Error('test/CodeServer: invalid size'))).toBe(false);
    expect([error.constructPath, error.prop, error.value]).toEqual(['test/CodeServer', 'droplet.size', 's-99vcpu-4gb']);
  });

  test('checks every prop before building anything: the stack keeps no registry, part or claim of a failed instance', () => {
    // GIVEN
    const stack = newStack();

    // WHEN: the droplet's size is wrong while the droplet would not even be built
    thrownBy(() => new ZeroTrustCodeServer(stack, 'CodeServer', validProps({ running: false, droplet: { size: 's-99vcpu-4gb' } })));

    // THEN
    expect(stack.node.tryFindChild('CodeServer')).toBeUndefined();
    expect(() => new ZeroTrustCodeServer(stack, 'CodeServer', validProps())).not.toThrow();
  });

  test('rejects a second instance with the same hostname in the app, naming both construct paths', () => {
    // GIVEN
    const app = Testing.app();
    new ZeroTrustCodeServer(newStack('one', app), 'Alice', validProps());
    new ZeroTrustCodeServer(newStack('two', app), 'Bob', validProps());

    // WHEN
    const error = thrownBy(() => app.synth());

    // THEN
    expect(error.message).toContain('two/Bob: invalid hostname "code.example.com": is already the hostname of one/Alice; give each instance its own');
  });

  test('rejects two instances whose outputs would share names in one stack, naming both construct paths', () => {
    // GIVEN
    const stack = newStack();
    new ZeroTrustCodeServer(new Construct(stack, 'a'), 'Alice', validProps({ hostname: 'a.example.com' }));
    new ZeroTrustCodeServer(new Construct(stack, 'b'), 'Alice', validProps({ hostname: 'b.example.com' }));

    // WHEN
    const error = synthErrorOf(stack);

    // THEN
    expect(error.message).toContain('test/b/Alice: invalid id "Alice": is already the output prefix of test/a/Alice; give each instance its own');
  });

  test('a failed instance gives its hostname back', () => {
    // GIVEN
    const stack = newStack();
    thrownBy(() => new ZeroTrustCodeServer(stack, 'Alice', validProps({ teamName: 'Bad Team' })));

    // WHEN
    new ZeroTrustCodeServer(stack, 'Bob', validProps());

    // THEN
    expect(() => (stack.node.root as App).synth()).not.toThrow();
  });

  test('reports the hostname and the SSH hostname two editors share, at synthesis', () => {
    // GIVEN
    const app = Testing.app();
    new ZeroTrustCodeServer(newStack('one', app), 'Alice', validProps({ ssh: {} }));
    new ZeroTrustCodeServer(newStack('two', app), 'Bob', validProps({ ssh: {} }));

    // WHEN
    const error = thrownBy(() => app.synth());

    // THEN
    expect(error.message).toContain('two/Bob: invalid hostname "code.example.com": is already the hostname of one/Alice');
    expect(error.message).toContain('two/Bob: invalid ssh.hostname "code-ssh.example.com": is already the hostname of one/Alice');
  });

  test('builds two editors with the same hostname without an error until synthesis', () => {
    // GIVEN
    const app = Testing.app();
    new ZeroTrustCodeServer(newStack('one', app), 'Alice', validProps());

    // THEN
    expect(() => new ZeroTrustCodeServer(newStack('two', app), 'Bob', validProps())).not.toThrow();
    expect(() => app.synth()).toThrow('is already the hostname of one/Alice');
  });

  test('refuses two teams in two stacks that share a hostname, at synthesis, naming both paths', () => {
    // GIVEN
    const app = Testing.app();
    const props = teamProps({ members: [{ name: 'alice', email: 'alice@example.com' }] });
    new CodeServerTeam(newStack('one', app), 'Team', props);
    new CodeServerTeam(newStack('two', app), 'Team', props);

    // WHEN
    const error = thrownBy(() => app.synth());

    // THEN
    expect(error.message).toContain('two/Team/alice: invalid hostname "alice.example.com": is already the hostname of one/Team/alice; give each instance its own');
  });

  test('a failed instance can be built again under the same id once its props are fixed, even when it failed late', () => {
    // GIVEN
    const stack = newStack();
    thrownBy(() => new ZeroTrustCodeServer(stack, 'CodeServer', validProps({ droplet: { size: 's-1vcpu-1gb' } })));
    thrownBy(() => new ZeroTrustCodeServer(stack, 'CodeServer', validProps({ droplet: { name: 'bad_name' } })));

    // WHEN
    new ZeroTrustCodeServer(stack, 'CodeServer', validProps());

    // THEN
    expect(resourcesOfType(synthJson(stack), 'digitalocean_droplet')).toHaveLength(1);
  });
});
