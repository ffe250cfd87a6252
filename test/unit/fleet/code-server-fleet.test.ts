import { readFileSync } from 'fs';
import { join } from 'path';
import { CloudflareProvider } from '@cdktf/provider-cloudflare/lib/provider';
import { App, Testing, TerraformStack, TerraformVariable } from 'cdktf';
import { CodeServerFleet, CodeServerFleetProps, CodeServerTeam, ControlPlane, Home, StartHook, StateBackend, TeamMember } from '../../../lib';
import { ACCOUNT_ID, AT_A_DESK, newControlPlane, newStack, resourcesByAddress, synthJson, resourcesOfType, thrownBy, withEnv, ZONE_ID } from '../../support/fixtures';

const MEMBERS: TeamMember[] = [
  { name: 'alice', email: 'alice@example.com' },
  { name: 'bob', email: 'bob@example.com', droplet: { size: 's-4vcpu-8gb' } },
  { name: 'carol', email: 'carol@example.com', running: false },
];

function fleetProps(overrides: Partial<CodeServerFleetProps> = {}): CodeServerFleetProps {
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

function buildFleet(overrides: Partial<CodeServerFleetProps> = {}): { app: App; fleet: CodeServerFleet } {
  const app = Testing.app();
  const fleet = new CodeServerFleet(app, 'team', fleetProps(overrides));
  return { app, fleet };
}

/** A control plane whose tokens are variables of whichever stack it is made in (the base stack). */
function fleetControlPlane(): ControlPlane {
  return ControlPlane.create({
    digitaloceanToken: CodeServerFleet.sensitiveVariable('control_plane_token'),
    startHook: StartHook.webhook({ url: 'https://hooks.example.com/start', secret: CodeServerFleet.sensitiveVariable('start_hook_secret') }),
  });
}

describe('CodeServerFleet', () => {
  test('puts each member in a stack named <fleet>-<member> and the shared admin policy in the base stack', () => {
    // WHEN
    const stacks = synthApp(buildFleet().app);

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
    const oneStack = synthJson(new CodeServerTeam(newStack('team'), 'Team', fleetProps()).node.scope as TerraformStack);

    // WHEN
    const stacks = synthApp(buildFleet().app);

    // THEN
    const fleetAddresses = Object.values(stacks).flatMap((s) => Object.keys(resourcesByAddress(s))).sort();
    expect(fleetAddresses).toEqual(Object.keys(resourcesByAddress(oneStack)).sort());
  });

  test('names each firewall tag and idle marker as the one-stack team does, so that becoming a fleet renames nothing', () => {
    // GIVEN
    const idleStop = { idleMinutes: 30 };
    const teamStack = newStack('team');
    const oneStack = synthJson(new CodeServerTeam(teamStack, 'Team', fleetProps({ idleStop, controlPlane: newControlPlane(teamStack) })).node.scope as TerraformStack);
    const namesOf = (synth: any) => ({
      tags: resourcesOfType(synth, 'digitalocean_tag').map((t) => t.name),
      markers: Object.values<any>(synth.data?.digitalocean_tags ?? {}).map((d) => d.filter[0].values[0]),
    });

    // WHEN
    const stacks = synthApp(buildFleet({ idleStop, controlPlane: fleetControlPlane() }).app);

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
    const stacks = synthApp(buildFleet().app);

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
    const stacks = synthApp(buildFleet({ cloudflareProviderConfig: { apiToken: 'cf-token' } }).app);

    // THEN
    for (const stack of Object.values(stacks)) {
      expect(Object.keys(stack.provider).sort()).toEqual(['cloudflare', 'digitalocean', 'tls']);
      expect(stack.provider.cloudflare[0].api_token).toBe('cf-token');
    }
  });

  test("maps each member to their URL in the base stack's output, without depending on the members' stacks", () => {
    // WHEN
    const stacks = synthApp(buildFleet().app);

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
    const stacks = synthApp(buildFleet({ members: [MEMBERS[0], { ...MEMBERS[1], leaving: true }] }).app);

    // THEN
    expect(Object.keys(resourcesByAddress(stacks['team-bob']))).toEqual([expect.stringMatching(/^digitalocean_volume\.Team_bob_HomeVolume_/)]);
  });

  test("keeps a removed member's stack, which releases their home volume and deletes the rest", () => {
    // GIVEN
    const before = buildFleet();
    const homeOfBob = before.fleet.editors.bob.homeVolume!.volume;
    const address = `${homeOfBob.terraformResourceType}.${homeOfBob.friendlyUniqueId}`;

    // WHEN
    const { app, fleet } = buildFleet({ members: [MEMBERS[0], MEMBERS[2]] });
    const stacks = synthApp(app);

    // THEN
    expect(fleet.releasedHomes).toEqual({ bob: address });
    expect(stacks['team-bob'].removed).toEqual([{ from: address, lifecycle: { destroy: false } }]);
    expect(stacks['team-bob'].resource).toBeUndefined();
    expect(Object.keys(stacks['team-bob'].provider).sort()).toEqual(['cloudflare', 'digitalocean', 'tls']);
  });

  test.each([
    ['an id that cannot name a stack', { id: 'Team A' }, /team\/?.*invalid id "Team A": .*expected a slug/i],
    ['a bad teamId', { teamId: '1team' }, /invalid teamId "1team"/],
    ['a bad member name', { members: [{ name: 'Bob', email: 'bob@example.com' }] }, /invalid members\[0\]\.name "Bob"/],
    ['two members of one name', { members: [MEMBERS[0], { name: 'alice', email: 'alice2@example.com' }] }, /invalid members\[1\]\.name "alice": is also the name of members\[0\]/],
    ['an editor setting that fails', { members: [{ name: 'alice', email: 'alice@example.com', droplet: { size: 's-99vcpu-4gb' } }] }, /team-alice\/Team\/alice: invalid members\[0\]\.droplet\.size "s-99vcpu-4gb"/],
  ])('refuses %s, naming the prop and the value, and leaves no stack behind', (_case, change, message) => {
    // GIVEN
    const app = Testing.app();
    const { id, ...props } = { id: 'team', ...change } as { id: string } & Partial<CodeServerFleetProps>;

    // WHEN
    const error = thrownBy(() => new CodeServerFleet(app, id, fleetProps(props)));

    // THEN
    expect(error.message).toMatch(message);
    expect(app.node.findAll().filter((c) => c instanceof TerraformStack)).toEqual([]);
  });

  test('refuses a member whose stack name is taken by another stack of the app', () => {
    // GIVEN
    const app = Testing.app();
    new TerraformStack(app, 'team-alice');

    // WHEN
    const error = thrownBy(() => new CodeServerFleet(app, 'team', fleetProps()));

    // THEN
    expect(error.message).toMatch(/invalid members\[0\]\.name "alice": would name the stack "team-alice", which team-alice already is/);
  });

  test("refuses a provider object in the fleet's own providers group, naming it by its dotted path", () => {
    // GIVEN
    const app = Testing.app();
    const provider = new CloudflareProvider(new TerraformStack(app, 'other'), 'cf');

    // WHEN
    const error = thrownBy(() => new CodeServerFleet(app, 'team', fleetProps({ providers: { cloudflareProvider: provider } })));

    // THEN
    expect(error.message).toContain('team: invalid providers.cloudflareProvider "other/cf": is a provider of one stack');
  });

  test.each(['cloudflareProvider', 'digitaloceanProvider'])('refuses a provider object (%s), which belongs to one stack', (prop) => {
    // GIVEN
    const app = Testing.app();
    const provider = new CloudflareProvider(new TerraformStack(app, 'other'), 'cf');

    // WHEN
    const error = thrownBy(() => new CodeServerFleet(app, 'team', fleetProps({ members: [{ ...MEMBERS[0], providers: { [prop]: provider } }] })));

    // THEN
    expect(error.message).toMatch(new RegExp(`invalid members\\[0\\]\\.providers\\.${prop} "other/cf": is a provider of one stack`));
  });

  test('keeps the roster of a one-stack team of the same stack and id, so a removed member stays released', () => {
    // GIVEN a one-stack team that had bob
    new CodeServerTeam(newStack('team'), 'Team', fleetProps());

    // WHEN the fleet no longer has him
    const { fleet } = buildFleet({ members: [MEMBERS[0], MEMBERS[2]] });

    // THEN
    expect(Object.keys(fleet.releasedHomes)).toEqual(['bob']);
  });

  test('puts every stack in the given backend', () => {
    // WHEN
    const stacks = synthApp(buildFleet({ backend: StateBackend.digitaloceanSpaces({ bucket: 'acme-state', region: 'fra1' }) }).app);

    // THEN
    expect(stacks['team-alice'].terraform.backend.s3.key).toBe('ztcs/team-alice.tfstate');
    expect(stacks.team.terraform.backend.s3.key).toBe('ztcs/team.tfstate');
    const remoteState = Object.values<any>(stacks['team-alice'].data.terraform_remote_state_s3 ?? stacks['team-alice'].data.terraform_remote_state)[0];
    expect(remoteState.config.key).toBe('ztcs/team.tfstate');
  });

  test('refuses a fleet whose roster file is missing, unless it is new', () => {
    // WHEN
    const error = withEnv(AT_A_DESK, () => thrownBy(() => buildFleet()));

    // THEN
    expect(error.message).toContain(`team/Team: the roster ${process.env.ZTCS_ROSTER_FILE} does not exist.`);
    expect(Object.keys(withEnv(AT_A_DESK, () => buildFleet({ newTeam: true })).fleet.memberStacks)).toEqual(['alice', 'bob', 'carol']);
  });

  test('refuses a fleet whose teamId changed, naming the old id', () => {
    // GIVEN
    buildFleet();

    // WHEN
    const error = withEnv(AT_A_DESK, () => thrownBy(() => buildFleet({ teamId: 'Crew' })));

    // THEN
    expect(error.message).toContain('team/Crew: the roster');
    expect(error.message).toContain('It records "team/Team" in this stack: if that is this team under its old id, give it that id back (for a fleet, its teamId)');
  });

  test('refuses at synthesis a fleet whose teamId changed even when said to be new', () => {
    // GIVEN
    buildFleet();

    // WHEN
    const { app } = buildFleet({ teamId: 'Crew', newTeam: true });

    // THEN
    expect(() => app.synth()).toThrow(/records the team "team\/Team" in this stack, and this app no longer builds it\. If "team\/Crew" is that team under a new id, give it back the id "Team"/);
  });

  test('keeps a stack for a removed member with no home volume, whose deploy deletes their droplet, tunnel, DNS and Access', () => {
    // GIVEN
    const disposable = { home: Home.onDropletDisk({ disposable: true }) };
    buildFleet(disposable);

    // WHEN
    const { app, fleet } = buildFleet({ ...disposable, members: [MEMBERS[0], MEMBERS[2]] });
    const stacks = synthApp(app);

    // THEN
    expect(Object.keys(fleet.memberStacks).sort()).toEqual(['alice', 'bob', 'carol']);
    expect(stacks['team-bob'].resource).toBeUndefined();
    expect(stacks['team-bob'].removed).toBeUndefined();
  });

  test('keeps a stack for a member removed after deleteHome, whose deploy deletes their home volume', () => {
    // GIVEN
    buildFleet({ members: [MEMBERS[0], { ...MEMBERS[1], leaving: true, deleteHome: true }, MEMBERS[2]] });

    // WHEN
    const { app, fleet } = buildFleet({ members: [MEMBERS[0], MEMBERS[2]] });
    const stacks = synthApp(app);

    // THEN
    expect(fleet.memberStacks.bob).toBeDefined();
    expect(stacks['team-bob'].resource).toBeUndefined();
    expect(stacks['team-bob'].removed).toBeUndefined();
  });

  test('gives the base stack a removed block (destroy = false) for every home the roster lists, so that deploying it before the move deletes none', () => {
    // GIVEN a one-stack team that had bob
    new CodeServerTeam(newStack('team'), 'Team', fleetProps());

    // WHEN the fleet no longer has him
    const { app, fleet } = buildFleet({ members: [MEMBERS[0], MEMBERS[2]] });
    const stacks = synthApp(app);

    // THEN
    const homes = ['alice', 'carol'].map((n) => fleet.editors[n].homeVolume!.volume).map((v) => `${v.terraformResourceType}.${v.friendlyUniqueId}`);
    expect(stacks.team.removed.map((r: any) => r.from).sort()).toEqual([...homes, fleet.releasedHomes.bob].sort());
    expect(stacks.team.removed.every((r: any) => r.lifecycle.destroy === false)).toBe(true);
  });

  test("declares the fleet's sensitive variables in every member's stack, and no cross-stack output carries a secret", () => {
    // WHEN
    const idleStop = { idleMinutes: 30 };
    const stacks = synthApp(buildFleet({ idleStop, controlPlane: fleetControlPlane(), sensitiveVariables: ['idle_stop_token'] }).app);

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
    // Ids and names only: the admins' policy, the control plane's namespace and Worker.
    const crossStackValue = /^\$\{(cloudflare_zero_trust_access_policy\.[^.]+\.id|cloudflare_workers_kv_namespace\.[^.]+\.id|cloudflare_workers_script\.[^.]+\.script_name)\}$/;
    for (const [, output] of crossStack) expect(output.value).toMatch(crossStackValue);
    expect(JSON.stringify(stacks.team.output)).not.toContain('var.');
  });

  test("refuses an idle-stop token of another stack, which would cross to the members' stacks in a plain-text output", () => {
    // GIVEN a sensitive variable of a stack of the app
    const app = Testing.app();
    const secrets = new TerraformStack(app, 'secrets');
    const token = new TerraformVariable(secrets, 'idle_stop_token', { type: 'string', sensitive: true });

    // WHEN
    const error = thrownBy(() => new CodeServerFleet(app, 'team', fleetProps({ idleStop: { idleMinutes: 30, ...{ digitaloceanToken: token.stringValue } } })));

    // THEN
    expect(error.message).toContain('team: invalid idleStop.digitaloceanToken "var.idle_stop_token": is a value of the stack "secrets", which would reach each member\'s stack through a cross-stack output');
    expect(error.message).toContain('sensitiveVariables');
  });

  test('refuses a sensitive variable the fleet does not declare', () => {
    // WHEN
    const error = thrownBy(() => buildFleet({ idleStop: { idleMinutes: 30, ...{ digitaloceanToken: CodeServerFleet.sensitiveVariable('idle_token') } } }));

    // THEN
    expect(error.message).toContain('team: invalid idleStop.digitaloceanToken "var.idle_token": names a variable the fleet does not declare: add "idle_token" to sensitiveVariables');
  });

  test("keeps a renamed member in their former stack, moving their resources to the new name's addresses", () => {
    // GIVEN
    buildFleet();

    // WHEN
    const members = [MEMBERS[0], { ...MEMBERS[1], name: 'bob-m', previously: 'bob' }, MEMBERS[2]];
    const { app, fleet } = buildFleet({ members });
    const stacks = synthApp(app);

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
});
