import { readFileSync } from 'fs';
import { App, TerraformStack, Testing } from 'cdktf';
import { AccessPolicy, CodeServerTeam, CodeServerTeamProps, Home, HomeVolume, TeamLayout } from '../../../lib';
import * as sizes from '../../../lib/private/sizes';
import { PropContext } from '../../../lib/private/validation';
import * as homeVolume from '../../../lib/storage/home-volume';
import { newStack, onlyResource, resourcesByAddress, resourcesOfType, STOPPED_EDITOR_TYPES, synthJson, TEAM_MEMBERS as MEMBERS, teamProps, thrownBy } from '../../support/fixtures';


function buildTeam(overrides: Partial<CodeServerTeamProps> = {}): { stack: TerraformStack; team: CodeServerTeam } {
  const stack = newStack();
  const team = new CodeServerTeam(stack, 'Team', teamProps(overrides));
  return { stack, team };
}

/** As `buildTeam`, and the app synthesized: the roster is written at synthesis. */
function synthesizedTeam(overrides: Partial<CodeServerTeamProps> = {}): { stack: TerraformStack; team: CodeServerTeam } {
  const built = buildTeam(overrides);
  (built.stack.node.root as App).synth();
  return built;
}

/** A member's resources (their logical ids start with the team's and the member's construct ids), by address. */
function resourcesOf(synth: any, member: string): Record<string, any> {
  return Object.fromEntries(Object.entries(resourcesByAddress(synth)).filter(([address]) => address.split('.')[1].startsWith(`Team_${member}_`)));
}

/** The emails a member's allow policy lets in. */
function allowedEmailsOf(synth: any, member: string): string[] {
  const policy = Object.values(resourcesOf(synth, member)).find((body) => body.decision === 'allow');
  return policy.include.filter((rule: any) => rule.email).map((rule: any) => rule.email.email);
}

describe('CodeServerTeam', () => {
  test('gives every member an editor at <name>.<zone>', () => {
    // WHEN
    const synth = synthJson(buildTeam().stack);

    // THEN
    expect(resourcesOfType(synth, 'cloudflare_dns_record').map((r) => r.name).sort()).toEqual(['alice.example.com', 'bob.example.com', 'carol.example.com']);
    expect(resourcesOfType(synth, 'digitalocean_droplet')).toHaveLength(3);
  });

  test('lets each member into their own editor only', () => {
    // WHEN
    const synth = synthJson(buildTeam().stack);

    // THEN
    expect(allowedEmailsOf(synth, 'alice')).toEqual(['alice@example.com']);
    expect(allowedEmailsOf(synth, 'bob')).toEqual(['bob@example.com']);
  });

  test("lets the admins into every member's editor through one shared policy, after the member's own", () => {
    // WHEN
    const { stack, team } = buildTeam({ admins: { emails: ['ops@example.com'], emailDomains: ['platform.example.com'] }, access: { requireRules: { emailDomains: ['example.com'] } } });
    const synth = synthJson(stack);
    const adminPolicy = Object.entries(resourcesByAddress(synth)).filter(([address]) => address.startsWith('cloudflare_zero_trust_access_policy.Team_AdminPolicy'));

    // THEN
    expect(adminPolicy).toHaveLength(1);
    expect(adminPolicy[0][1]).toMatchObject({
      decision: 'allow',
      include: [{ email: { email: 'ops@example.com' } }, { email_domain: { domain: 'platform.example.com' } }],
      require: [{ email_domain: { domain: 'example.com' } }],
    });
    expect(team.adminPolicy).toBeDefined();
    for (const member of ['alice', 'carol']) {
      expect(allowedEmailsOf(synth, member)).toEqual([`${member}@example.com`]);
      const app = Object.values(resourcesOf(synth, member)).find((r) => r.type === 'self_hosted');
      expect(app.policies.map((p: any) => [p.id, p.precedence])).toEqual([
        [`\${${Object.keys(resourcesOf(synth, member)).find((a) => a.startsWith('cloudflare_zero_trust_access_policy.'))}.id}`, 1],
        [`\${${adminPolicy[0][0]}.id}`, 2],
      ]);
    }
  });

  test('attaches the shared access.policies to every editor after the admins\'', () => {
    // WHEN
    const stack = newStack();
    new CodeServerTeam(stack, 'Team', teamProps({ access: { policies: [AccessPolicy.fromPolicyId(stack, 'Company', '9a8b7c6d-5e4f-4a3b-8c2d-1e0f9a8b7c6d')] } }));
    const synth = synthJson(stack);

    // THEN
    const app = Object.values(resourcesOf(synth, 'bob')).find((r) => r.type === 'self_hosted');
    expect(app.policies.map((p: any) => p.precedence)).toEqual([1, 2]);
    expect(app.policies[1].id).toBe('9a8b7c6d-5e4f-4a3b-8c2d-1e0f9a8b7c6d');
  });

  test('lets a member override any editor setting: SSH, previews, the boot, the home', () => {
    // WHEN
    const { team } = buildTeam({
      members: [{ ...MEMBERS[0], ssh: {}, previews: { ports: [3000] }, boot: { userName: 'alice', settings: { 'editor.tabSize': 2 } }, home: Home.volume({ label: 'alice-home' }) }, MEMBERS[1]],
    });

    // THEN
    expect(team.editors.alice.sshDnsRecord).toBeDefined();
    expect(team.editors.alice.previewDnsRecords).toHaveLength(1);
    expect(team.editors.alice.userData?.cloudConfig).toContain('/home/alice');
    expect(team.editors.alice.homeVolume?.label).toBe('alice-home');
    expect(team.editors.bob.sshDnsRecord).toBeUndefined();
    expect(team.editors.bob.userData?.cloudConfig).toContain('/home/coder');
  });

  test('checks every member before building anything: a bad member leaves no team behind', () => {
    // GIVEN
    const stack = newStack();

    // WHEN
    const error = thrownBy(() => new CodeServerTeam(stack, 'Team', teamProps({ members: [MEMBERS[0], { ...MEMBERS[1], droplet: { size: 's-1vcpu-1gb' } }] })));

    // THEN
    expect(error.message).toContain('test/Team/bob: invalid members[1].droplet.size "s-1vcpu-1gb"');
    expect(stack.node.tryFindChild('Team')).toBeUndefined();
    expect(resourcesOfType(synthJson(stack), 'digitalocean_droplet')).toEqual([]);
  });

  test('checks a leaving member\'s home volume before building anything too', () => {
    // GIVEN
    const stack = newStack();

    // WHEN
    const error = thrownBy(() => new CodeServerTeam(stack, 'Team', teamProps({ members: [MEMBERS[0], { ...MEMBERS[1], leaving: true, home: Home.volume({ sizeGib: 0 }) }] })));

    // THEN
    expect(error.message).toContain('test/Team/bob: invalid members[1].home.sizeGib 0');
    expect(stack.node.tryFindChild('Team')).toBeUndefined();
    expect(resourcesOfType(synthJson(stack), 'digitalocean_volume')).toEqual([]);
  });

  test("applies a member's overrides over the team's settings, and only to them", () => {
    // WHEN
    const { team } = buildTeam({
      droplet: { size: 's-2vcpu-4gb' },
      members: [{ ...MEMBERS[0], droplet: { size: 's-4vcpu-8gb', region: 'ams3' }, home: Home.volume({ sizeGib: 50 }), boot: { extensions: ['esbenp.prettier-vscode'] } }, MEMBERS[1]],
    });
    const synth = synthJson(team.node.scope as TerraformStack);
    const alice = Object.values(resourcesOf(synth, 'alice'));
    const bob = Object.values(resourcesOf(synth, 'bob'));

    // THEN
    expect(alice.find((r) => r.size === 's-4vcpu-8gb' && r.region === 'ams3')).toBeDefined();
    expect(alice.find((r) => r.initial_filesystem_label)?.size).toBe(50);
    expect(team.editors.alice.userData?.cloudConfig).toContain('esbenp.prettier-vscode');
    expect(bob.find((r) => r.user_data)?.size).toBe('s-2vcpu-4gb');
    expect(team.editors.bob.userData?.cloudConfig).not.toContain('esbenp.prettier-vscode');
  });

  test('names its output after the team and maps each member to their URL', () => {
    // WHEN
    const synth = synthJson(buildTeam().stack);

    // THEN
    expect(synth.output['Team-urls'].value).toEqual({
      alice: 'https://alice.example.com',
      bob: 'https://bob.example.com',
      carol: 'https://carol.example.com',
    });
    expect(synth.output['alice-url'].value).toBe('https://alice.example.com');
  });

  test("removing a member from the middle leaves the others' resources at the same addresses, unchanged", () => {
    // GIVEN
    const before = synthJson(buildTeam().stack);

    // WHEN
    const after = synthJson(buildTeam({ members: [MEMBERS[0], MEMBERS[2]] }).stack);

    // THEN
    for (const member of ['alice', 'carol']) {
      expect(Object.keys(resourcesOf(after, member)).length).toBeGreaterThan(0);
      expect(resourcesOf(after, member)).toEqual(resourcesOf(before, member));
    }
    expect(resourcesOf(after, 'bob')).toEqual({});
  });

  test('a stopped member keeps their volume, tunnel, DNS record and Access application, at the same addresses', () => {
    // GIVEN
    const before = resourcesOf(synthJson(buildTeam().stack), 'bob');

    // WHEN
    const after = resourcesOf(synthJson(buildTeam({ members: [MEMBERS[0], { ...MEMBERS[1], running: false }, MEMBERS[2]] }).stack), 'bob');

    // THEN
    expect(Object.keys(after).map((address) => address.split('.')[0]).sort()).toEqual(STOPPED_EDITOR_TYPES);
    for (const [address, body] of Object.entries(after)) expect(body).toEqual(before[address]);
  });

  test('a leaving member keeps only their home volume, protected, at the address it had', () => {
    // GIVEN
    const before = resourcesOf(synthJson(buildTeam().stack), 'bob');

    // WHEN
    const { stack, team } = buildTeam({ members: [MEMBERS[0], { ...MEMBERS[1], leaving: true }, MEMBERS[2]] });
    const synth = synthJson(stack);
    const after = resourcesOf(synth, 'bob');

    // THEN
    expect(Object.keys(after)).toHaveLength(1);
    const [address, volume] = Object.entries(after)[0];
    expect(address.startsWith('digitalocean_volume.')).toBe(true);
    expect(volume).toEqual(before[address]);
    expect(volume.lifecycle).toEqual({ prevent_destroy: true, ignore_changes: ['name', 'description'] });
    expect(team.editors.bob).toBeUndefined();
    expect(team.departed.bob.homeVolume).toBeDefined();
    expect(Object.keys(synth.output['Team-urls'].value)).toEqual(['alice', 'carol']);
  });

  test('deleteHome lifts the protection of a leaving member\'s volume only', () => {
    // WHEN
    const synth = synthJson(buildTeam({ members: [MEMBERS[0], { ...MEMBERS[1], leaving: true, deleteHome: true }] }).stack);

    // THEN
    expect(Object.values(resourcesOf(synth, 'bob'))[0].lifecycle).toEqual({ prevent_destroy: false, ignore_changes: ['name', 'description'] });
    expect(onlyResourceOf(synth, 'alice', 'digitalocean_volume').lifecycle).toEqual({ prevent_destroy: true, ignore_changes: ['name', 'description'] });
  });

  test("gives each member SSH through Access at <name>-ssh.<zone>, for their own principal and the admins'", () => {
    // WHEN
    const { stack, team } = buildTeam({ ssh: {}, admins: { emails: ['ops@example.com'] } });

    // THEN
    expect(Object.values(resourcesOf(synthJson(stack), 'bob')).filter((r) => r.type === 'CNAME').map((r) => r.name).sort()).toEqual(['bob-ssh.example.com', 'bob.example.com']);
    expect(team.editors.bob.userData?.cloudConfig).toContain('path: /etc/ssh/ztcs-principals/coder\n    content: |\n      bob\n      ops\n');
    expect(team.editors.alice.userData?.cloudConfig).toContain('path: /etc/ssh/ztcs-principals/coder\n    content: |\n      alice\n      ops\n');
  });

  test('rejects a hostname pattern without {name}, naming the prop', () => {
    // THEN
    expect(() => buildTeam({ hostnamePattern: 'code.{zoneName}' })).toThrow('test/Team: invalid hostnamePattern "code.{zoneName}": must contain {name}');
  });

  test("reports a member's own bad value at the path of their editor, by its place in the team's props", () => {
    // WHEN
    const error = thrownBy(() => buildTeam({ members: [MEMBERS[0], { ...MEMBERS[1], droplet: { size: 's-1vcpu-1gb' } }] }));

    // THEN
    expect(error.message).toContain('test/Team/bob: invalid members[1].droplet.size "s-1vcpu-1gb"');
  });

  test("reports a bad shared value by its place in the team's props, at the first editor that takes it", () => {
    // WHEN
    const error = thrownBy(() => buildTeam({ droplet: { size: 's-1vcpu-1gb' }, members: [{ ...MEMBERS[0], droplet: { region: 'ams3' } }, MEMBERS[1]] }));

    // THEN
    expect(error.message).toContain('test/Team/alice: invalid droplet.size "s-1vcpu-1gb"');
  });

  test("merges a member's group over the team's field by field: what the member leaves out stays the team's", () => {
    // WHEN
    const { stack, team } = buildTeam({
      droplet: { region: 'ams3', size: 's-2vcpu-4gb', tags: ['team'] },
      access: { sessionDuration: '8h', identityProviderIds: ['0e1f9e3a-5c5e-4bd8-8f4a-1c2d3e4f5a6b'] },
      boot: { userName: 'dev', extensions: ['esbenp.prettier-vscode'] },
      members: [{ ...MEMBERS[0], droplet: { size: 's-4vcpu-8gb' }, access: { sessionDuration: '2h' }, boot: { extensions: [] } }, MEMBERS[1]],
    });
    const synth = synthJson(stack);
    const aliceDroplet = onlyResourceOf(synth, 'alice', 'digitalocean_droplet');
    const aliceApp = Object.values(resourcesOf(synth, 'alice')).find((r) => r.type === 'self_hosted');
    const bobApp = Object.values(resourcesOf(synth, 'bob')).find((r) => r.type === 'self_hosted');

    // THEN
    expect(aliceDroplet).toMatchObject({ size: 's-4vcpu-8gb', region: 'ams3' });
    expect(aliceDroplet.tags).toContain('team');
    expect(aliceApp).toMatchObject({ session_duration: '2h', allowed_idps: ['0e1f9e3a-5c5e-4bd8-8f4a-1c2d3e4f5a6b'] });
    expect(bobApp).toMatchObject({ session_duration: '8h' });
    expect(team.editors.alice.userData?.cloudConfig).toContain('/home/dev');
    expect(team.editors.alice.userData?.cloudConfig).not.toContain('esbenp.prettier-vscode');
    expect(team.editors.bob.userData?.cloudConfig).toContain('esbenp.prettier-vscode');
  });

  test("a member's home replaces the team's whole, and ssh: { enabled: false } turns the team's SSH off for them", () => {
    // WHEN
    const { team } = buildTeam({
      ssh: {},
      home: Home.volume({ sizeGib: 40, label: 'team-home' }),
      members: [{ ...MEMBERS[0], home: Home.volume({ sizeGib: 60 }), ssh: { enabled: false } }, MEMBERS[1]],
    });
    const synth = synthJson(team.node.scope as TerraformStack);

    // THEN
    expect(onlyResourceOf(synth, 'alice', 'digitalocean_volume')).toMatchObject({ size: 60, initial_filesystem_label: 'ztcs-home' });
    expect(onlyResourceOf(synth, 'bob', 'digitalocean_volume')).toMatchObject({ size: 40, initial_filesystem_label: 'team-home' });
    expect(team.editors.alice.sshDnsRecord).toBeUndefined();
    expect(team.editors.bob.sshDnsRecord).toBeDefined();
  });

  test('gives a member an existing home, and refuses the same volume for two members', () => {
    // GIVEN
    const stack = newStack();
    const old = HomeVolume.fromVolumeAttributes(stack, 'AliceOldHome', { volumeId: '506f78a4-e098-11e5-ad9f-000f53306ae1', label: 'old-home' });

    // WHEN
    const team = new CodeServerTeam(stack, 'Team', teamProps({ members: [{ ...MEMBERS[0], home: Home.existing(old) }, MEMBERS[1]] }));
    const twice = thrownBy(() => new CodeServerTeam(newStack('other'), 'Team', teamProps({
      newTeam: true, members: [{ ...MEMBERS[0], home: Home.existing(old) }, { ...MEMBERS[1], home: Home.existing(old) }],
    })));

    // THEN
    expect(team.editors.alice.homeVolume).toBeUndefined();
    expect(onlyResourceOf(synthJson(stack), 'alice', 'digitalocean_droplet').volume_ids).toEqual(['506f78a4-e098-11e5-ad9f-000f53306ae1']);
    expect(twice.message).toContain('invalid members[1].home "506f78a4-e098-11e5-ad9f-000f53306ae1": is also the home volume of members[0] (alice)');
  });

  test("refuses a member's own access.allow: their email is what lets them in", () => {
    expect(() => buildTeam({ members: [MEMBERS[0], { ...MEMBERS[1], access: { allow: { emailDomains: ['example.com'] } } }] })).toThrow(
      'test/Team: invalid members[1].access.allow {"emailDomains":["example.com"]}: is the member\'s email',
    );
  });

  test('builds no volume for a leaving member when the team keeps no homes on volumes', () => {
    // WHEN
    const { stack } = buildTeam({ home: Home.onDropletDisk({ disposable: true }), members: [MEMBERS[0], { ...MEMBERS[1], leaving: true }] });
    const synth = synthJson(stack);

    // THEN
    expect(resourcesOf(synth, 'bob')).toEqual({});
  });

  test('refuses a leaving member whose only home is their droplet\'s disk, unless the team says homes are disposable', () => {
    expect(() => buildTeam({ home: Home.onDropletDisk(), members: [MEMBERS[0], { ...MEMBERS[1], leaving: true }] })).toThrow(
      'test/Team: invalid members[1].leaving true: deletes the droplet, and with home: Home.onDropletDisk() the only copy of the home is on its disk',
    );
  });

  test('refuses a team without members', () => {
    expect(() => buildTeam({ members: [] })).toThrow('test/Team: invalid members []: a team needs at least one member');
  });

  test('refuses a hostname pattern two levels below the zone, which the free certificate does not cover', () => {
    expect(() => buildTeam({ hostnamePattern: '{name}.dev.{zoneName}' })).toThrow(
      'test/Team: invalid hostnamePattern "alice.dev.example.com": is 2 levels below the zone "example.com"',
    );
    expect(() => buildTeam({ hostnamePattern: '{name}.dev.{zoneName}', dns: { allowDeepHostnames: true } })).not.toThrow();
  });

  test.each<[string, object, unknown]>([
    ['access.allow', { access: { allow: { emails: ['everyone@example.com'] } } }, { emails: ['everyone@example.com'] }],
    ['access.allow', { access: { allow: { emailDomains: ['example.com'] } } }, { emailDomains: ['example.com'] }],
    ['access.applicationName', { access: { applicationName: 'editor' } }, 'editor'],
    ['ssh.principals', { ssh: { principals: ['root'] } }, ['root']],
    ['ssh.hostname', { ssh: { hostname: 'ssh.example.com' } }, 'ssh.example.com'],
    ['hostname', { hostname: 'code.example.com' }, 'code.example.com'],
    ['droplet.name', { droplet: { name: 'box' } }, 'box'],
    ['tunnel.name', { tunnel: { name: 'tunnel' } }, 'tunnel'],
    ['home', { home: Home.existing({ volumeId: '506f78a4-e098-11e5-ad9f-000f53306ae1', label: 'home' } as any) }, 'Home.existing(…)'],
  ])('refuses %s in the shared settings, where it would reach every member', (prop, settings, value) => {
    // GIVEN: an editor's props in the team's settings, as a type system lets through
    const shared = { ...teamProps(), ...settings } as CodeServerTeamProps;

    // THEN
    expect(() => new CodeServerTeam(newStack(), 'Team', shared)).toThrow(
      `test/Team: invalid ${prop} ${JSON.stringify(value)}: is set per member, not in a team's shared settings`,
    );
  });
});

describe('CodeServerTeam resolves each member once', () => {
  afterEach(() => jest.restoreAllMocks());

  /** How many times a spied check ran for each construct path. */
  function callsByPath(spy: jest.SpyInstance): Record<string, number> {
    const counts: Record<string, number> = {};
    for (const [ctx] of spy.mock.calls as [PropContext][]) counts[ctx.construct] = (counts[ctx.construct] ?? 0) + 1;
    return counts;
  }

  test.each([
    ['one stack', TeamLayout.oneStack(), 'team/Team'],
    ['a stack per member', TeamLayout.stackPerMember(), 'team-{name}/Team'],
  ])('%s: the team\'s resolve step checks each member\'s droplet size and home once, and their editors take its spec', (_layout, layout, holder) => {
    // GIVEN
    const checkSize = jest.spyOn(sizes, 'checkSize');
    const resolveHomeVolume = jest.spyOn(homeVolume, 'resolveHomeVolume');
    const pathOf = (name: string) => `${holder.replace('{name}', name)}/${name}`;

    // WHEN
    // A stack without providers of its own: a stack per member configures them.
    new CodeServerTeam(new TerraformStack(Testing.app(), 'team'), 'Team', teamProps({
      layout,
      admins: { emails: ['ops@example.com'] },
      droplet: { size: 's-4vcpu-8gb' },
      members: [MEMBERS[0], { ...MEMBERS[1], running: false }, { ...MEMBERS[2], leaving: true }],
    }));

    // THEN
    // A leaving member has no droplet: only their home volume is resolved.
    expect(callsByPath(checkSize)).toEqual({ [pathOf('alice')]: 1, [pathOf('bob')]: 1 });
    expect(callsByPath(resolveHomeVolume)).toEqual({ [pathOf('alice')]: 1, [pathOf('bob')]: 1, [pathOf('carol')]: 1 });
  });
});

describe('CodeServerTeam roster', () => {
  /** The team's roster file, read back. */
  function rosterOf(team: CodeServerTeam): any {
    return JSON.parse(readFileSync(team.rosterFile, 'utf8')).teams[team.node.path];
  }

  test('records every member, where they stand and their home volume\'s address', () => {
    // WHEN
    const [alice, bob, carol] = MEMBERS;
    const { stack, team } = synthesizedTeam({ members: [alice, { ...bob, leaving: true }, { ...carol, leaving: true, deleteHome: true }] });
    const volumes = Object.keys(resourcesByAddress(synthJson(stack))).filter((a) => a.startsWith('digitalocean_volume.'));

    // THEN
    expect(rosterOf(team)).toEqual({
      alice: { status: 'member', homeVolume: volumes.find((a) => a.includes('_alice_')) },
      bob: { status: 'leaving', homeVolume: volumes.find((a) => a.includes('_bob_')) },
      carol: { status: 'deleting-home', homeVolume: volumes.find((a) => a.includes('_carol_')) },
    });
  });

  test('keeps the home of a member removed from the list out of Terraform\'s hands: a removed block, destroy = false', () => {
    // GIVEN
    const before = synthesizedTeam();
    const bobsHome = rosterOf(before.team).bob.homeVolume;

    // WHEN
    const after = synthesizedTeam({ members: [MEMBERS[0], MEMBERS[2]] });
    const synth = synthJson(after.stack);

    // THEN
    expect(synth.removed).toEqual([{ from: bobsHome, lifecycle: { destroy: false } }]);
    expect(after.team.releasedHomes).toEqual({ bob: bobsHome });
    expect(rosterOf(after.team).bob).toEqual({ status: 'released', homeVolume: bobsHome });
  });

  test('writes the removed block again on every later synthesis, applied or not', () => {
    // GIVEN
    synthesizedTeam();
    synthesizedTeam({ members: [MEMBERS[0], MEMBERS[2]] });

    // WHEN
    const again = synthJson(synthesizedTeam({ members: [MEMBERS[0], MEMBERS[2]] }).stack);

    // THEN
    expect(again.removed).toHaveLength(1);
    expect(again.removed[0].from).toMatch(/^digitalocean_volume\.Team_bob_HomeVolume_[0-9A-F]+$/);
  });

  test('lets a member removed after deleteHome go with their home: no removed block, and the roster keeps them as removed', () => {
    // GIVEN
    synthesizedTeam({ members: [MEMBERS[0], { ...MEMBERS[1], leaving: true, deleteHome: true }, MEMBERS[2]] });

    // WHEN
    const { stack, team } = synthesizedTeam({ members: [MEMBERS[0], MEMBERS[2]] });

    // THEN
    expect(synthJson(stack).removed).toBeUndefined();
    expect(rosterOf(team)).toMatchObject({ alice: { status: 'member' }, bob: { status: 'removed' }, carol: { status: 'member' } });
    expect(rosterOf(team).bob.homeVolume).toBeUndefined();
  });

  test('refuses a released member back under the same name: restoring the roster is the fix after a mere synthesis, and no volume is to be deleted', () => {
    // GIVEN
    synthesizedTeam();
    synthesizedTeam({ members: [MEMBERS[0], MEMBERS[2]] });

    // WHEN
    const error = thrownBy(() => synthesizedTeam());

    // THEN
    expect(error.message).toMatch(/test\/Team: invalid members\[1\]\.name "bob": was removed from the list, and the roster .* says their home volume \(digitalocean_volume\.Team_bob_HomeVolume_[0-9A-F]+\) is released/);
    expect(error.message).toContain('only synthesized, never deployed, the volume is still in the state: restore the roster from version control (git checkout -- ');
    expect(error.message).not.toMatch(/delete/i);
  });

  test('keeps the entries of other teams in the same file', () => {
    // GIVEN
    const first = synthesizedTeam();

    // WHEN
    const stack = newStack('other');
    new CodeServerTeam(stack, 'Team', teamProps({ members: [MEMBERS[0]], hostnamePattern: '{name}-b.{zoneName}' }));
    (stack.node.root as App).synth();

    // THEN
    const teams = JSON.parse(readFileSync(first.team.rosterFile, 'utf8')).teams;
    expect(Object.keys(teams).sort()).toEqual(['other/Team', 'test/Team']);
    expect(Object.keys(teams['test/Team'])).toEqual(['alice', 'bob', 'carol']);
  });
});

function onlyResourceOf(synth: any, member: string, type: string): any {
  return onlyResource({ resource: { [type]: Object.fromEntries(Object.entries(resourcesOf(synth, member)).filter(([a]) => a.startsWith(`${type}.`)).map(([a, b]) => [a.split('.')[1], b])) } }, type);
}
