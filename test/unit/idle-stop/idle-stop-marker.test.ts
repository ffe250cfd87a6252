import { TerraformStack } from 'cdktf';
import { parse } from 'yaml';
import { CodeServerTeam, Home, IdleStop, TeamMember, ZeroTrustCodeServer, ZeroTrustCodeServerProps } from '../../../lib';
import { IDLE_PATHS, IDLE_UNITS } from '../../../lib/private/boot/contract';
import { ACCOUNT_ID, dataSourcesOfType, newControlPlane, newStack, onlyResource, renderedUserData, resourcesOfType, synthJson, validProps, writtenFile, ZONE_ID } from '../../support/fixtures';

// The idle stop as the editor composes it: the marker's data source decides the droplet's count,
// the outputs say whether the editor stopped itself, and the droplet gets the watcher and no
// credential.

type Built = { stack: TerraformStack; synth: any };

function build(idleStop: () => IdleStop | undefined, overrides: Partial<ZeroTrustCodeServerProps> = {}): Built {
  const stack = newStack();
  new ZeroTrustCodeServer(stack, 'CodeServer', validProps({ idleStop: idleStop(), controlPlane: newControlPlane(stack), ...overrides }));
  return { stack, synth: synthJson(stack) };
}

const ON = (): IdleStop => ({ idleMinutes: 30 });

describe('an editor with an idle stop', () => {
  test('reads the marker tags by their prefix with a data source, which refers to no resource, so it is read at plan', () => {
    const { synth } = build(ON);
    const [tags] = dataSourcesOfType(synth, 'digitalocean_tags');
    const [name] = Object.keys(synth.resource.terraform_data);
    expect(tags.filter).toEqual([{ key: 'name', values: ['ztcs-idle-'], match_by: 'substring' }]);
    expect(synth.output['CodeServer-idle-marker'].value).toBe(`\${terraform_data.${name}.input.tag}`);
  });

  test('names its marker once, from its identity and the first plan\'s time, and keeps the name in the state (a deployed name never changes)', () => {
    const { synth } = build(ON);
    const names = Object.values<any>(synth.resource.terraform_data);
    expect(names).toHaveLength(1);
    expect(names[0].input.tag).toMatch(/^ztcs-idle-\$\{substr\(sha256\(format\("%s:%s", "c8[0-9a-f]{40}", plantimestamp\(\)\)\), 0, 20\)\}$/);
    expect(names[0].lifecycle).toEqual({ ignore_changes: ['input'] });
  });

  test('has one droplet while the marker is absent and none while it exists', () => {
    const { synth } = build(ON);
    const droplet = onlyResource(synth, 'digitalocean_droplet');
    const tags = Object.keys(synth.data.digitalocean_tags)[0];
    const [name] = Object.keys(synth.resource.terraform_data);
    const stopped = `contains(data.digitalocean_tags.${tags}.tags[*].name, terraform_data.${name}.input.tag)`;
    expect(droplet.count).toBe(`\${${stopped} ? 0 : 1}`);
    expect(synth.output['CodeServer-idle-stopped'].value).toBe(`\${${stopped} ? "true" : "false"}`);
    expect(synth.output['CodeServer-droplet-id'].value).toMatch(/^\$\{join\("", digitalocean_droplet\.[\w]+\[\*\]\.id\)\}$/);
  });

  test('carries the watcher and its units to the droplet, and no credential but the tunnel token: no variable, no marker, no API', () => {
    const { synth } = build(ON);
    const droplet = onlyResource(synth, 'digitalocean_droplet');
    const userData = renderedUserData(droplet);
    const doc = parse(userData);
    expect(writtenFile(doc, IDLE_PATHS.env)).toContain("IDLE_MINUTES='30'\nWARNING_MINUTES='5'\n");
    expect(doc.runcmd).toContainEqual(['systemctl', 'enable', '--now', '--no-block', IDLE_UNITS.timer]);
    // Terraform's interpolations in the user data as synthesized (the shell's own are escaped, $${…}).
    const references = [...String(droplet.user_data).matchAll(/(?<!\$)\$\{([^}]+)\}/g)].map((m) => m[1]);
    expect(references.filter((r) => !/^data\.cloudflare_zero_trust_tunnel_cloudflared_token\.\w+\.token$/.test(r))).toEqual([]);
    expect(userData).not.toContain('terraform_data');
    expect(userData).not.toMatch(/Authorization|Bearer|api\.digitalocean\.com|ztcs-idle-[0-9a-f]/);
    expect(doc.write_files.filter((f: { permissions?: string }) => f.permissions === '0600').map((f: { path: string }) => f.path)).toEqual(['/etc/cloudflared/tunnel.env']);
  });

  test('without an idle stop, or with idleMinutes 0, the droplet and its user data are as before: no count, no marker, no watcher', () => {
    const without = build(() => undefined).synth;
    const off = build(() => ({ idleMinutes: 0 })).synth;
    expect(dataSourcesOfType(without, 'digitalocean_tags')).toEqual([]);
    expect(onlyResource(without, 'digitalocean_droplet').count).toBeUndefined();
    expect(onlyResource(off, 'digitalocean_droplet')).toEqual(onlyResource(without, 'digitalocean_droplet'));
    expect(off.output).toEqual(without.output);
    expect(renderedUserData(onlyResource(without, 'digitalocean_droplet'))).not.toContain('idle');
  });

  test('a stopped editor (running: false) reads no marker', () => {
    const { synth } = build(ON, { running: false });
    expect(dataSourcesOfType(synth, 'digitalocean_tags')).toEqual([]);
    expect(resourcesOfType(synth, 'digitalocean_droplet')).toEqual([]);
  });

  test('is refused with the home on the droplet\'s disk, which the stop would delete, unless the home is disposable', () => {
    expect(() => build(ON, { home: Home.onDropletDisk() })).toThrow(
      'test/CodeServer: invalid idleStop.idleMinutes 30: deletes the droplet, and with home: Home.onDropletDisk() the only copy of the home is on its disk');
    expect(() => build(ON, { home: Home.onDropletDisk({ disposable: true }) })).not.toThrow();
  });

  test('a bad value is reported with the editor\'s path before anything is built', () => {
    const stack = newStack();
    expect(() => new ZeroTrustCodeServer(stack, 'CodeServer', validProps({ idleStop: { idleMinutes: 1 } }))).toThrow('test/CodeServer: invalid idleStop.idleMinutes 1');
    expect(stack.node.tryFindChild('CodeServer')).toBeUndefined();
  });
});

describe('a team with an idle stop', () => {
  function team(members: TeamMember[]): any {
    const stack = newStack();
    new CodeServerTeam(stack, 'Team', {
      cloudflareAccountId: ACCOUNT_ID,
      cloudflareZoneId: ZONE_ID,
      zoneName: 'example.com',
      teamName: 'myteam',
      members,
      rosterFile: process.env.ZTCS_ROSTER_FILE,
      idleStop: { idleMinutes: 30 },
      controlPlane: newControlPlane(stack),
    });
    return synthJson(stack);
  }

  /** Each member's idle settings, read from their droplet's idle.env. */
  function idleMinutesOf(synth: any): Record<string, string | undefined> {
    return Object.fromEntries(Object.values<any>(synth.resource.digitalocean_droplet).map((droplet) => {
      const doc = parse(renderedUserData(droplet));
      const env = doc.write_files.find((f: { path: string }) => f.path === IDLE_PATHS.env)?.content as string | undefined;
      return [droplet.name, env === undefined ? undefined : /IDLE_MINUTES='(\d+)'/.exec(env)![1]];
    }));
  }

  test('gives every member the team\'s idle stop, a member\'s override laid over it, and 0 turning it off for one member', () => {
    const synth = team([
      { name: 'alice', email: 'alice@example.com' },
      { name: 'bob', email: 'bob@example.com', idleStop: { idleMinutes: 120 } },
      { name: 'carol', email: 'carol@example.com', idleStop: { idleMinutes: 0 } },
    ]);
    expect(idleMinutesOf(synth)).toEqual({ 'alice-example-com': '30', 'bob-example-com': '120', 'carol-example-com': undefined });
    expect(dataSourcesOfType(synth, 'digitalocean_tags')).toHaveLength(2);
  });

  test('gives each member a marker of their own', () => {
    const synth = team([{ name: 'alice', email: 'alice@example.com' }, { name: 'bob', email: 'bob@example.com' }]);
    const markers = Object.values<any>(synth.resource.terraform_data).map((name) => name.input.tag);
    expect(markers).toHaveLength(2);
    expect(new Set(markers).size).toBe(2);
  });
});
