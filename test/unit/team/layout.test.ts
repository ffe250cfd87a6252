import { readFileSync } from 'fs';
import { join } from 'path';
import { CloudflareProvider } from '@cdktf/provider-cloudflare/lib/provider';
import { App, Testing, TerraformStack, TerraformVariable } from 'cdktf';
import { Construct } from 'constructs';
import { CodeServerTeam, CodeServerTeamProps, Home, StackPerMemberOptions, StateBackend, TeamLayout, TeamMember } from '../../../lib';
import { ACCOUNT_ID, AT_A_DESK, newStack, resourcesByAddress, synthJson, resourcesOfType, thrownBy, withEnv, ZONE_ID } from '../../support/fixtures';

const MEMBERS: TeamMember[] = [
  { name: 'alice', email: 'alice@example.com' },
  { name: 'bob', email: 'bob@example.com', droplet: { size: 's-4vcpu-8gb' } },
  { name: 'carol', email: 'carol@example.com', running: false },
];

function fleetProps(overrides: Partial<CodeServerTeamProps> = {}): CodeServerTeamProps {
  return {
    cloudflareAccountId: ACCOUNT_ID,
    cloudflareZoneId: ZONE_ID,
    zoneName: 'example.com',
    teamName: 'myteam',
    admins: { emails: ['platform@example.com'] },
    members: MEMBERS,
    rosterFile: process.env.ZTCS_ROSTER_FILE,
    ...overrides,
  };
}

/** Synthesizes a whole app (cross-stack references resolve only there): each stack's JSON by name. */
function synthApp(app: App): Record<string, any> {
  app.synth();
  const stacks = app.node.findAll().filter((c): c is TerraformStack => c instanceof TerraformStack);
  return Object.fromEntries(stacks.map((s) => [s.node.id, JSON.parse(readFileSync(join(app.outdir, 'stacks', s.node.id, 'cdk.tf.json'), 'utf8'))]));
}

/** What a test changes: the team's props, its id, and the layout's options. */
interface FleetChange extends Partial<CodeServerTeamProps> {
  readonly teamId?: string;
  readonly stackPerMember?: StackPerMemberOptions;
}

/** A team with a stack per member in the stack `team` of a new app, not synthesized. */
function buildTeamOfStacks(change: FleetChange = {}): { app: App; fleet: CodeServerTeam } {
  const { teamId, stackPerMember, ...overrides } = change;
  const app = Testing.app();
  const fleet = new CodeServerTeam(new TerraformStack(app, 'team'), teamId ?? 'Team', { ...fleetProps(overrides), layout: TeamLayout.stackPerMember(stackPerMember) });
  return { app, fleet };
}

/** As `buildTeamOfStacks`, synthesized: the roster written, each stack's JSON by name. */
function buildFleet(change: FleetChange = {}): { app: App; fleet: CodeServerTeam; stacks: Record<string, any> } {
  const built = buildTeamOfStacks(change);
  return { ...built, stacks: synthApp(built.app) };
}

/** A one-stack team of the same props at `team/Team`, synthesized (its roster written). */
function buildOneStackTeam(overrides: Partial<CodeServerTeamProps> = {}): any {
  const stack = newStack('team');
  new CodeServerTeam(stack, 'Team', fleetProps(overrides));
  (stack.node.root as App).synth();
  return synthJson(stack);
}

describe('CodeServerTeam with TeamLayout.stackPerMember()', () => {
  test('puts each member in a stack named <fleet>-<member> and the shared admin policy in the base stack', () => {
    // WHEN
    const stacks = buildFleet().stacks;

    // THEN
    expect(Object.keys(stacks).sort()).toEqual(['team', 'team-alice', 'team-bob', 'team-carol']);
    expect(Object.keys(resourcesByAddress(stacks.team))).toEqual([expect.stringMatching(/^cloudflare_zero_trust_access_policy\.Team_AdminPolicy_/)]);
    for (const name of ['alice', 'bob', 'carol']) {
      const addresses = Object.keys(resourcesByAddress(stacks[`team-${name}`]));
      expect(addresses.length).toBeGreaterThan(0);
      expect(addresses.filter((a) => !a.split('.')[1].startsWith(`Team_${name}_`))).toEqual([]);
    }
    expect(Object.keys(stacks['team-alice'].resource.digitalocean_droplet)).toHaveLength(1);
    expect(stacks['team-carol'].resource.digitalocean_droplet).toBeUndefined();
  });

  test("gives each member's resources the addresses a one-stack team of the same id gives them", () => {
    // GIVEN
    const oneStack = buildOneStackTeam();

    // WHEN
    const stacks = buildFleet().stacks;

    // THEN
    const fleetAddresses = Object.values(stacks).flatMap((s) => Object.keys(resourcesByAddress(s))).sort();
    expect(fleetAddresses).toEqual(Object.keys(resourcesByAddress(oneStack)).sort());
  });

  test('names each firewall tag and idle marker as the one-stack team does, so that becoming a fleet renames nothing', () => {
    // GIVEN
    const idleStop = { idleMinutes: 30 };
    const oneStack = buildOneStackTeam({ idleStop });
    const namesOf = (synth: any) => ({
      tags: resourcesOfType(synth, 'digitalocean_tag').map((t) => t.name),
      markers: Object.values<any>(synth.data?.digitalocean_tags ?? {}).map((d) => d.filter[0].values[0]),
    });

    // WHEN
    const stacks = buildFleet({ idleStop }).stacks;

    // THEN
    const fleet = Object.values(stacks).map(namesOf);
    const expected = namesOf(oneStack);
    expect(expected.tags.length).toBeGreaterThan(1);
    expect(expected.markers.length).toBeGreaterThan(1);
    expect(fleet.flatMap((n) => n.tags).sort()).toEqual(expected.tags.sort());
    expect(fleet.flatMap((n) => n.markers).sort()).toEqual(expected.markers.sort());
  });

  test("attaches the base stack's admin policy to every member's editor through a cross-stack reference", () => {
    // WHEN
    const stacks = buildFleet().stacks;

    // THEN
    const alice = stacks['team-alice'];
    const remoteStates = Object.values<any>(alice.data.terraform_remote_state);
    expect(remoteStates).toHaveLength(1);
    expect(remoteStates[0].config.path).toMatch(/terraform\.team\.tfstate$/);
    const application = Object.values<any>(alice.resource.cloudflare_zero_trust_access_application)[0];
    expect(application.policies.map((p: any) => p.id)).toEqual([
      expect.stringMatching(/^\$\{cloudflare_zero_trust_access_policy\.Team_alice_/),
      expect.stringMatching(/^\$\{data\.terraform_remote_state\.cross-stack-reference-input-team\.outputs\./),
    ]);
    expect(Object.keys(stacks.team.output)).toEqual(expect.arrayContaining(['Team-urls', expect.stringMatching(/^cross-stack-output-/)]));
  });

  test('configures the three providers in every stack, from the given configurations', () => {
    // WHEN
    const stacks = buildFleet({ stackPerMember: { providers: { cloudflare: { apiToken: 'cf-token' }, tls: { proxy: [{ url: 'http://proxy.example.com:3128' }] } } } }).stacks;

    // THEN
    for (const stack of Object.values(stacks)) {
      expect(Object.keys(stack.provider).sort()).toEqual(['cloudflare', 'digitalocean', 'tls']);
      expect(stack.provider.cloudflare[0].api_token).toBe('cf-token');
      expect(stack.provider.tls[0].proxy).toEqual([{ url: 'http://proxy.example.com:3128' }]);
    }
  });

  test("maps each member to their URL in the base stack's output, without depending on the members' stacks", () => {
    // WHEN
    const stacks = buildFleet().stacks;

    // THEN
    expect(stacks.team.output['Team-urls'].value).toEqual({
      alice: 'https://alice.example.com',
      bob: 'https://bob.example.com',
      carol: 'https://carol.example.com',
    });
    expect(stacks.team.data?.terraform_remote_state).toBeUndefined();
  });

  test('keeps a leaving member\'s stack with only their home volume', () => {
    // WHEN
    const stacks = buildFleet({ members: [MEMBERS[0], { ...MEMBERS[1], leaving: true }] }).stacks;

    // THEN
    expect(Object.keys(resourcesByAddress(stacks['team-bob']))).toEqual([expect.stringMatching(/^digitalocean_volume\.Team_bob_HomeVolume_/)]);
  });

  test("keeps a removed member's stack, which releases their home volume and deletes the rest", () => {
    // GIVEN
    const before = buildFleet();
    const homeOfBob = before.fleet.editors.bob.homeVolume!.volume;
    const address = `${homeOfBob.terraformResourceType}.${homeOfBob.friendlyUniqueId}`;

    // WHEN
    const { fleet, stacks } = buildFleet({ members: [MEMBERS[0], MEMBERS[2]] });

    // THEN
    expect(fleet.releasedHomes).toEqual({ bob: address });
    expect(stacks['team-bob'].removed).toEqual([{ from: address, lifecycle: { destroy: false } }]);
    expect(stacks['team-bob'].resource).toBeUndefined();
    expect(Object.keys(stacks['team-bob'].provider).sort()).toEqual(['cloudflare', 'digitalocean', 'tls']);
  });

  test.each([
    ['a stack id that cannot name the members\' stacks', { id: 'TeamA' }, /TeamA\/Team: invalid layout "TeamA": .*expected a stack id that is a slug/],
    ['a team id that is not a construct id of letters and digits', { teamId: '1team' }, /team\/1team: invalid id "1team"/],
    ['a bad member name', { members: [{ name: 'Bob', email: 'bob@example.com' }] }, /invalid members\[0\]\.name "Bob"/],
    ['two members of one name', { members: [MEMBERS[0], { name: 'alice', email: 'alice2@example.com' }] }, /invalid members\[1\]\.name "alice": is also the name of members\[0\]/],
    ['an editor setting that fails', { members: [{ name: 'alice', email: 'alice@example.com', droplet: { size: 's-99vcpu-4gb' } }] }, /team-alice\/Team\/alice: invalid members\[0\]\.droplet\.size "s-99vcpu-4gb"/],
  ])('refuses %s, naming the prop and the value, and leaves no stack behind', (_case, change, message) => {
    // GIVEN
    const app = Testing.app();
    const { id, teamId, ...props } = { id: 'team', teamId: 'Team', ...change } as { id: string; teamId: string } & Partial<CodeServerTeamProps>;
    const stack = new TerraformStack(app, id);

    // WHEN
    const error = thrownBy(() => new CodeServerTeam(stack, teamId, { ...fleetProps(props), layout: TeamLayout.stackPerMember() }));

    // THEN
    expect(error.message).toMatch(message);
    expect(app.node.findAll().filter((c) => c instanceof TerraformStack)).toEqual([stack]);
    expect(stack.node.children).toEqual([]);
  });

  test('refuses a member whose stack name is taken by another stack of the app', () => {
    // GIVEN
    const app = Testing.app();
    new TerraformStack(app, 'team-alice');

    // WHEN
    const error = thrownBy(() => new CodeServerTeam(new TerraformStack(app, 'team'), 'Team', { ...fleetProps(), layout: TeamLayout.stackPerMember() }));

    // THEN
    expect(error.message).toMatch(/team\/Team: invalid members\[0\]\.name "alice": would name the stack "team-alice", which team-alice already is/);
  });

  test("refuses a provider object in the fleet's own providers group, naming it by its dotted path", () => {
    // GIVEN
    const app = Testing.app();
    const provider = new CloudflareProvider(new TerraformStack(app, 'other'), 'cf');

    // WHEN
    const error = thrownBy(() => buildTeamOfStacks({ providers: { cloudflareProvider: provider } }));

    // THEN
    expect(error.message).toContain('team/Team: invalid providers.cloudflareProvider "other/cf": is a provider of one stack');
  });

  test.each(['cloudflareProvider', 'digitaloceanProvider'])('refuses a provider object (%s), which belongs to one stack', (prop) => {
    // GIVEN
    const app = Testing.app();
    const provider = new CloudflareProvider(new TerraformStack(app, 'other'), 'cf');

    // WHEN
    const error = thrownBy(() => buildTeamOfStacks({ members: [{ ...MEMBERS[0], providers: { [prop]: provider } }] }));

    // THEN
    expect(error.message).toMatch(new RegExp(`invalid members\\[0\\]\\.providers\\.${prop} "other/cf": is a provider of one stack`));
  });

  test('keeps the roster of a one-stack team of the same stack and id, so a removed member stays released', () => {
    // GIVEN a one-stack team that had bob
    buildOneStackTeam();

    // WHEN the fleet no longer has him
    const { fleet } = buildFleet({ members: [MEMBERS[0], MEMBERS[2]] });

    // THEN
    expect(Object.keys(fleet.releasedHomes)).toEqual(['bob']);
  });

  test('puts every stack in the given backend', () => {
    // WHEN
    const stacks = buildFleet({ stackPerMember: { backend: StateBackend.digitaloceanSpaces({ bucket: 'acme-state', region: 'fra1' }) } }).stacks;

    // THEN
    expect(stacks['team-alice'].terraform.backend.s3.key).toBe('ztcs/team-alice.tfstate');
    expect(stacks.team.terraform.backend.s3.key).toBe('ztcs/team.tfstate');
    const remoteState = Object.values<any>(stacks['team-alice'].data.terraform_remote_state_s3 ?? stacks['team-alice'].data.terraform_remote_state)[0];
    expect(remoteState.config.key).toBe('ztcs/team.tfstate');
  });

  test('refuses a team whose roster file is missing, unless it is new', () => {
    // WHEN
    const error = withEnv(AT_A_DESK, () => thrownBy(() => buildFleet()));

    // THEN
    expect(error.message).toContain(`team/Team: the roster ${process.env.ZTCS_ROSTER_FILE} does not exist.`);
    expect(Object.keys(withEnv(AT_A_DESK, () => buildFleet({ newTeam: true })).fleet.memberStacks)).toEqual(['alice', 'bob', 'carol']);
  });

  test('refuses a team whose id changed, naming the old id', () => {
    // GIVEN
    buildFleet();

    // WHEN
    const error = withEnv(AT_A_DESK, () => thrownBy(() => buildTeamOfStacks({ teamId: 'Crew' })));

    // THEN
    expect(error.message).toContain('team/Crew: the roster');
    expect(error.message).toContain('It records "team/Team" in this stack: if that is this team under its old id, give it that id back;');
  });

  test('refuses at synthesis a team whose id changed even when said to be new', () => {
    // GIVEN
    buildFleet();

    // WHEN
    const { app } = buildTeamOfStacks({ teamId: 'Crew', newTeam: true });

    // THEN
    expect(() => app.synth()).toThrow(/records the team "team\/Team" in this stack, and this app no longer builds it\. If "team\/Crew" is that team under a new id, give it back the id "Team"/);
  });

  test('keeps a stack for a removed member with no home volume, whose deploy deletes their droplet, tunnel, DNS and Access', () => {
    // GIVEN
    const disposable = { home: Home.onDropletDisk({ disposable: true }) };
    buildFleet(disposable);

    // WHEN
    const { fleet, stacks } = buildFleet({ ...disposable, members: [MEMBERS[0], MEMBERS[2]] });

    // THEN
    expect(Object.keys(fleet.memberStacks).sort()).toEqual(['alice', 'bob', 'carol']);
    expect(stacks['team-bob'].resource).toBeUndefined();
    expect(stacks['team-bob'].removed).toBeUndefined();
  });

  test('keeps a stack for a member removed after deleteHome, whose deploy deletes their home volume', () => {
    // GIVEN
    buildFleet({ members: [MEMBERS[0], { ...MEMBERS[1], leaving: true, deleteHome: true }, MEMBERS[2]] });

    // WHEN
    const { fleet, stacks } = buildFleet({ members: [MEMBERS[0], MEMBERS[2]] });

    // THEN
    expect(fleet.memberStacks.bob).toBeDefined();
    expect(stacks['team-bob'].resource).toBeUndefined();
    expect(stacks['team-bob'].removed).toBeUndefined();
  });

  test('gives the base stack a removed block (destroy = false) for every home the roster lists, so that deploying it before the move deletes none', () => {
    // GIVEN a one-stack team that had bob
    buildOneStackTeam();

    // WHEN the fleet no longer has him
    const { fleet, stacks } = buildFleet({ members: [MEMBERS[0], MEMBERS[2]] });

    // THEN
    const homes = ['alice', 'carol'].map((n) => fleet.editors[n].homeVolume!.volume).map((v) => `${v.terraformResourceType}.${v.friendlyUniqueId}`);
    expect(stacks.team.removed.map((r: any) => r.from).sort()).toEqual([...homes, fleet.releasedHomes.bob].sort());
    expect(stacks.team.removed.every((r: any) => r.lifecycle.destroy === false)).toBe(true);
  });

  test("declares the layout's sensitive variables in every member's stack, and no cross-stack output carries a secret", () => {
    // WHEN
    const idleStop = { idleMinutes: 30 };
    const stacks = buildFleet({ idleStop, stackPerMember: { sensitiveVariables: ['idle_stop_token'] } }).stacks;

    // THEN
    for (const name of ['alice', 'bob', 'carol']) {
      expect(stacks[`team-${name}`].variable.idle_stop_token).toMatchObject({ type: 'string', sensitive: true });
    }
    // The idle stop no longer takes a token: no droplet and no marker reads the variable.
    const alice = JSON.stringify(stacks['team-alice'].resource.digitalocean_droplet);
    expect(alice).not.toContain('var.idle_stop_token');
    const marker = Object.values<any>(stacks['team-alice'].resource.terraform_data)[0].input.tag;
    expect(marker).not.toContain('var.');
    expect(marker.split('${')).toHaveLength(2);
    expect(stacks.team.variable).toBeUndefined();
    const crossStack = Object.entries<any>(stacks.team.output).filter(([name]) => name.startsWith('cross-stack-output-'));
    expect(crossStack.length).toBeGreaterThan(0);
    for (const [, output] of crossStack) expect(output.value).toMatch(/^\$\{cloudflare_zero_trust_access_policy\.[^.]+\.id\}$/);
    expect(JSON.stringify(stacks.team.output)).not.toContain('var.');
  });

  test("refuses an idle-stop token of another stack, which would cross to the members' stacks in a plain-text output", () => {
    // GIVEN a sensitive variable of a stack of the app
    const app = Testing.app();
    const secrets = new TerraformStack(app, 'secrets');
    const token = new TerraformVariable(secrets, 'idle_stop_token', { type: 'string', sensitive: true });

    // WHEN
    const error = thrownBy(() => new CodeServerTeam(new TerraformStack(app, 'team'), 'Team', {
      ...fleetProps({ idleStop: { idleMinutes: 30, ...{ digitaloceanToken: token.stringValue } } }), layout: TeamLayout.stackPerMember(),
    }));

    // THEN
    expect(error.message).toContain('team/Team: invalid idleStop.digitaloceanToken "var.idle_stop_token": is a sensitive variable of the stack "secrets", which would reach each member\'s stack through a cross-stack output');
    expect(error.message).toContain('sensitiveVariables');
  });

  test('refuses a sensitive variable the layout does not declare', () => {
    // WHEN
    const error = thrownBy(() => buildTeamOfStacks({ idleStop: { idleMinutes: 30, ...{ digitaloceanToken: TeamLayout.sensitiveVariable('idle_token') } } }));

    // THEN
    expect(error.message).toContain('team/Team: invalid idleStop.digitaloceanToken "var.idle_token": names a variable the team does not declare: add "idle_token" to TeamLayout.stackPerMember({ sensitiveVariables })');
  });

  test("keeps a renamed member in their former stack, moving their resources to the new name's addresses", () => {
    // GIVEN
    buildFleet();

    // WHEN
    const members = [MEMBERS[0], { ...MEMBERS[1], name: 'bob-m', previously: 'bob' }, MEMBERS[2]];
    const { fleet, stacks } = buildFleet({ members });

    // THEN
    expect(fleet.memberStacks['bob-m'].node.id).toBe('team-bob');
    expect(stacks['team-bob-m']).toBeUndefined();
    expect(stacks['team-bob'].moved.find((m: any) => m.to.startsWith('digitalocean_volume.'))).toEqual({
      from: expect.stringMatching(/^digitalocean_volume\.Team_bob_HomeVolume_/),
      to: expect.stringMatching(/^digitalocean_volume\.Team_bob-m_HomeVolume_/),
    });
    expect(stacks['team-bob'].removed).toBeUndefined();
    // The stack stays the member's once the rename is recorded, previously or not.
    const again = buildFleet({ members: members.map(({ previously: _p, ...m }: TeamMember) => m) });
    expect(again.fleet.memberStacks['bob-m'].node.id).toBe('team-bob');
  });

  test("refuses any sensitive variable of another stack in the props, a boot setting's say, naming its dotted path", () => {
    // GIVEN
    const app = Testing.app();
    const secret = new TerraformVariable(new TerraformStack(app, 'secrets'), 'proxy_password', { type: 'string', sensitive: true });

    // WHEN
    const error = thrownBy(() => new CodeServerTeam(new TerraformStack(app, 'team'), 'Team', {
      ...fleetProps({ members: [MEMBERS[0], { ...MEMBERS[1], boot: { settings: { proxyPassword: secret.stringValue } } }] }),
      layout: TeamLayout.stackPerMember(),
    }));

    // THEN
    expect(error.message).toContain('team/Team: invalid members[1].boot.settings.proxyPassword "var.proxy_password": is a sensitive variable of the stack "secrets"');
  });

  test('lets a value of another stack that is no sensitive variable through, as a cross-stack reference', () => {
    // GIVEN
    const app = Testing.app();
    const shared = new TerraformVariable(new TerraformStack(app, 'shared'), 'workspace', { type: 'string' });

    // WHEN
    const team = new CodeServerTeam(new TerraformStack(app, 'team'), 'Team', { ...fleetProps({ boot: { workspaceFolder: shared.stringValue } }), layout: TeamLayout.stackPerMember() });

    // THEN
    expect(Object.keys(team.memberStacks)).toEqual(['alice', 'bob', 'carol']);
  });

  test('refuses a team stack that configures a provider of its own, at construction and, when added later, at synthesis', () => {
    // GIVEN
    const app = Testing.app();
    const stack = new TerraformStack(app, 'team');
    new CloudflareProvider(stack, 'cf');

    // WHEN
    const error = thrownBy(() => new CodeServerTeam(stack, 'Team', { ...fleetProps(), layout: TeamLayout.stackPerMember() }));

    // THEN
    expect(error.message).toContain('team/Team: invalid layout "TeamLayout.stackPerMember()": configures the providers and the backend of every stack of the team, and the team\'s stack already has team/cf');

    // WHEN a provider comes after the team
    const later = buildTeamOfStacks();
    new CloudflareProvider(later.fleet.node.scope!, 'cf');

    // THEN
    expect(() => later.app.synth()).toThrow(/team\/Team: invalid layout "TeamLayout\.stackPerMember\(\)": the team configures the providers and the backend of its stack, and team\/cf is one of its own/);
  });

  test('refuses a team with a stack per member that is not a direct child of its stack', () => {
    // GIVEN
    const app = Testing.app();
    const group = new Construct(new TerraformStack(app, 'team'), 'Group');

    // WHEN
    const error = thrownBy(() => new CodeServerTeam(group, 'Team', { ...fleetProps(), layout: TeamLayout.stackPerMember() }));

    // THEN
    expect(error.message).toContain('team/Group/Team: invalid layout "TeamLayout.stackPerMember()": puts the team\'s construct in every member\'s stack at the team\'s id');
  });

  test('refuses a sensitive variable in a one-stack team, which declares none', () => {
    // WHEN
    const error = thrownBy(() => new CodeServerTeam(newStack('team'), 'Team', fleetProps({ idleStop: { idleMinutes: 30, ...{ digitaloceanToken: TeamLayout.sensitiveVariable('idle_stop_token') } } })));

    // THEN
    expect(error.message).toContain('team/Team: invalid idleStop.digitaloceanToken "var.idle_stop_token": names a variable the team does not declare');
  });

  test.each(['1token', 'Token', 'idle-token'])('refuses the sensitive variable name %s', (name) => {
    // WHEN
    const error = thrownBy(() => buildTeamOfStacks({ stackPerMember: { sensitiveVariables: [name] } }));

    // THEN
    expect(error.message).toContain(`team/Team: invalid layout.sensitiveVariables[0] "${name}": expected a Terraform variable name`);
  });
});
