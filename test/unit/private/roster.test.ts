import { existsSync, readFileSync } from 'fs';
import { App, Testing, TerraformStack } from 'cdktf';
import { addCustomSynthesis } from 'cdktf/lib/synthesize/synthesizer';
import { CodeServerTeam, CodeServerTeamProps, Home, HomeVolume, TeamMember, ZeroTrustCodeServer } from '../../../lib';
import { rosterDifferences, rosterModeOf } from '../../../lib/private/roster';
import { AT_A_DESK, newStack, resourcesByAddress, synthJson, TEAM_MEMBERS as MEMBERS, teamProps, thrownBy, validProps, withEnv } from '../../support/fixtures';


/** A team in the stack `test` of a new app, not synthesized: the roster is not written yet. */
function constructTeam(overrides: Partial<CodeServerTeamProps> = {}, id = 'Team'): { stack: TerraformStack; team: CodeServerTeam } {
  const stack = newStack();
  const team = new CodeServerTeam(stack, id, teamProps(overrides));
  return { stack, team };
}

/** As `constructTeam`, and the app synthesized: its validations run and the roster is written. */
function buildTeam(overrides: Partial<CodeServerTeamProps> = {}, id = 'Team'): { stack: TerraformStack; team: CodeServerTeam } {
  const built = constructTeam(overrides, id);
  appOf(built.stack).synth();
  return built;
}

function appOf(stack: TerraformStack): App {
  return stack.node.root as App;
}

/** The roster file's teams, read back. */
function rosterTeams(): Record<string, any> {
  return JSON.parse(readFileSync(process.env.ZTCS_ROSTER_FILE!, 'utf8')).teams;
}

/** In CI: the roster frozen. */
const IN_CI = { ZTCS_ROSTER: undefined, CI: 'true' };

describe('the roster as a lockfile', () => {
  test('is written when the app is synthesized, and not when the team is built', () => {
    // WHEN
    const { stack } = constructTeam();

    // THEN
    expect(existsSync(process.env.ZTCS_ROSTER_FILE!)).toBe(false);
    appOf(stack).synth();
    expect(Object.keys(rosterTeams()['test/Team'])).toEqual(['alice', 'bob', 'carol']);
  });

  test('is written by cdktf\'s custom synthesis, which the library imports by a deep path', () => {
    // The import lib/private/roster.ts makes: a cdktf release that moved it would fail here first.
    expect(typeof addCustomSynthesis).toBe('function');
  });

  test('refuses a team in an app that skips validation, where the roster\'s checks would not run', () => {
    // GIVEN
    const stack = new TerraformStack(new App({ skipValidation: true, outdir: Testing.app().outdir }), 'test');

    // WHEN
    const error = thrownBy(() => new CodeServerTeam(stack, 'Team', teamProps()));

    // THEN
    expect(error.message).toContain('test/Team: invalid scope "App({ skipValidation: true })": a team\'s roster is checked in validation');
  });

  test('refuses a team whose roster file is missing, naming newTeam and ZTCS_ROSTER=new', () => {
    // WHEN
    const error = withEnv(AT_A_DESK, () => thrownBy(() => buildTeam()));

    // THEN
    expect(error.message).toContain(`test/Team: the roster ${process.env.ZTCS_ROSTER_FILE} does not exist.`);
    expect(error.message).toContain('set newTeam: true (or ZTCS_ROSTER=new) for its first synthesis');
    expect(existsSync(process.env.ZTCS_ROSTER_FILE!)).toBe(false);
  });

  test('writes the roster of a team said to be new, and refuses newTeam once the roster records the team', () => {
    // WHEN
    withEnv(AT_A_DESK, () => buildTeam({ newTeam: true }));

    // THEN
    expect(Object.keys(rosterTeams()['test/Team'])).toEqual(['alice', 'bob', 'carol']);
    expect(withEnv(AT_A_DESK, () => thrownBy(() => buildTeam({ newTeam: true }))).message).toMatch(/test\/Team: invalid newTeam true: is for a team's first synthesis/);
    expect(() => withEnv(AT_A_DESK, () => buildTeam())).not.toThrow();
  });

  test('refuses a team that an existing roster does not record, pointing at a team of the same stack under another id', () => {
    // GIVEN a team recorded as "Team"
    buildTeam();

    // WHEN the same team is built as "Crew"
    const error = withEnv(AT_A_DESK, () => thrownBy(() => buildTeam({}, 'Crew')));

    // THEN
    expect(error.message).toContain('test/Crew: the roster');
    expect(error.message).toContain('does not record the team "test/Crew"');
    expect(error.message).toContain('It records "test/Team" in this stack: if that is this team under its old id, give it that id back');
  });

  test('refuses at synthesis a team the roster records in the stack that the app no longer builds, and leaves no stray entry', () => {
    // GIVEN a team recorded as "Team"
    buildTeam();

    // WHEN it comes back as a "new" team "Crew"
    const { stack } = withEnv(AT_A_DESK, () => constructTeam({ newTeam: true }, 'Crew'));
    const error = thrownBy(() => appOf(stack).synth());

    // THEN
    expect(error.message).toContain('test/Crew: the roster');
    expect(error.message).toContain('records the team "test/Team" in this stack, and this app no longer builds it. If "test/Crew" is that team under a new id, give it back the id "Team"');
    expect(Object.keys(rosterTeams())).toEqual(['test/Team']);
  });

  test('passes the synthesis check when every team the roster records in the stack is built', () => {
    // GIVEN
    const stack = newStack();
    new CodeServerTeam(stack, 'Team', teamProps());
    new CodeServerTeam(stack, 'Other', teamProps({ members: [{ name: 'dave', email: 'dave@example.com' }] }));

    // THEN
    expect(() => appOf(stack).synth()).not.toThrow();
    expect(Object.keys(rosterTeams()).sort()).toEqual(['test/Other', 'test/Team']);
  });

  test('in CI, refuses at synthesis a synthesis that would change the roster, listing the entries that would change', () => {
    // GIVEN
    buildTeam();
    const before = readFileSync(process.env.ZTCS_ROSTER_FILE!, 'utf8');

    // WHEN bob leaves the list and dave joins
    const { stack } = withEnv(IN_CI, () => constructTeam({ members: [MEMBERS[0], MEMBERS[2], { name: 'dave', email: 'dave@example.com' }] }));
    const error = thrownBy(() => appOf(stack).synth());

    // THEN
    expect(error.message).toContain('test/Team: the roster');
    expect(error.message).toContain('is frozen (CI is set, or ZTCS_ROSTER=frozen)');
    expect(error.message).toMatch(/~ bob \{"status":"member","homeVolume":"digitalocean_volume\.Team_bob_HomeVolume_[0-9A-F]+"\} -> \{"status":"released",/);
    expect(error.message).toMatch(/\+ dave \{"status":"member",/);
    expect(readFileSync(process.env.ZTCS_ROSTER_FILE!, 'utf8')).toBe(before);
  });

  test('in CI, synthesizes a team whose roster is up to date', () => {
    // GIVEN
    buildTeam();

    // THEN
    expect(() => withEnv(IN_CI, () => buildTeam())).not.toThrow();
    expect(() => withEnv({ ZTCS_ROSTER: 'frozen', CI: undefined }, () => buildTeam())).not.toThrow();
  });

  test('with ZTCS_ROSTER=frozen, refuses a new team too, since its entries would be written', () => {
    // WHEN
    const error = withEnv({ ZTCS_ROSTER: 'frozen', CI: undefined }, () => thrownBy(() => buildTeam({ newTeam: true })));

    // THEN
    expect(error.message).toContain('is frozen');
    expect(error.message).toContain('+ alice');
  });

  test.each<[Record<string, string | undefined>, string]>([
    [{}, 'update'],
    [{ CI: 'true' }, 'frozen'],
    [{ CI: '1' }, 'frozen'],
    [{ CI: 'false' }, 'update'],
    [{ CI: 'true', ZTCS_ROSTER: 'update' }, 'update'],
    [{ ZTCS_ROSTER: 'frozen' }, 'frozen'],
    [{ ZTCS_ROSTER: 'new' }, 'new'],
  ])('reads the roster mode from %j: %s', (env, mode) => {
    expect(rosterModeOf(env)).toBe(mode);
  });

  test('refuses an unknown roster mode', () => {
    expect(() => rosterModeOf({ ZTCS_ROSTER: 'yes' })).toThrow('ZTCS_ROSTER="yes": expected one of frozen, update, new');
  });

  test('lists the differences of two rosters, one line per entry', () => {
    expect(rosterDifferences(
      { alice: { status: 'member' }, bob: { status: 'member' } },
      { alice: { status: 'member' }, bob: { status: 'leaving' }, carol: { status: 'member' } },
    )).toEqual(['~ bob {"status":"member"} -> {"status":"leaving"}', '+ carol {"status":"member"}']);
  });
});

describe('homes that are not volumes of the team', () => {
  test('refuses removing from the list a member whose only home is their droplet\'s disk, unless it is disposable', () => {
    // GIVEN
    buildTeam({ home: Home.onDropletDisk() });

    // WHEN
    const error = thrownBy(() => buildTeam({ home: Home.onDropletDisk(), members: [MEMBERS[0], MEMBERS[2]] }));

    // THEN
    expect(error.message).toContain('test/Team: invalid members ["alice","carol"]: leaves out "bob", whose home is only on their droplet\'s disk (Home.onDropletDisk())');
  });

  test('lets a member whose home is disposable go from the list', () => {
    // GIVEN
    buildTeam({ home: Home.onDropletDisk() });
    buildTeam({ home: Home.onDropletDisk(), members: [MEMBERS[0], { ...MEMBERS[1], home: Home.onDropletDisk({ disposable: true }) }, MEMBERS[2]] });

    // THEN
    expect(() => buildTeam({ home: Home.onDropletDisk(), members: [MEMBERS[0], MEMBERS[2]] })).not.toThrow();
  });

  test('refuses one existing home volume for two members', () => {
    // WHEN
    const id = '506f78a4-e098-11e5-ad9f-000f53306ae1';
    const home = Home.existing(HomeVolume.fromVolumeAttributes(new TerraformStack(new App(), 'homes'), 'Old', { volumeId: id }));
    const error = thrownBy(() => buildTeam({ members: [{ ...MEMBERS[0], home }, { ...MEMBERS[1], home }] }));

    // THEN
    expect(error.message).toContain(`test/Team: invalid members[1].home "${id}": is also the home volume of members[0] (alice)`);
  });

  test('refuses one existing home volume for two editors of an app', () => {
    // GIVEN
    const id = '506f78a4-e098-11e5-ad9f-000f53306ae1';
    const app = Testing.app();
    const one = newStack('one', app);
    const home = Home.existing(HomeVolume.fromVolumeAttributes(one, 'Old', { volumeId: id }));
    new ZeroTrustCodeServer(one, 'CodeServer', validProps({ home }));
    new ZeroTrustCodeServer(newStack('two', app), 'CodeServer', validProps({ hostname: 'other.example.com', home }));

    // WHEN: an app's claims are checked at synthesis, once every editor is built
    const error = thrownBy(() => app.synth());

    // THEN
    expect(error.message).toContain(`two/CodeServer: invalid home "${id}": is already the existing home volume of one/CodeServer`);
  });
});

describe('renaming a member (previously)', () => {
  const renamed = [MEMBERS[0], { name: 'bob-m', email: 'bob@example.com', previously: 'bob' }, MEMBERS[2]];

  test("moves every resource of the member from their former name's address, the home volume's included, and releases nothing", () => {
    // GIVEN
    const before = Object.keys(resourcesByAddress(synthJson(buildTeam().stack))).filter((a) => a.includes('_bob_'));

    // WHEN
    const synth = synthJson(buildTeam({ members: renamed }).stack);

    // THEN
    const after = Object.keys(resourcesByAddress(synth)).filter((a) => a.includes('_bob-m_'));
    expect(synth.removed).toBeUndefined();
    expect(synth.moved.map((m: any) => m.from).sort()).toEqual(before.sort());
    expect(synth.moved.map((m: any) => m.to).sort()).toEqual(after.sort());
    expect(synth.moved.find((m: any) => m.from.startsWith('digitalocean_volume.'))).toEqual({
      from: expect.stringMatching(/^digitalocean_volume\.Team_bob_HomeVolume_/),
      to: expect.stringMatching(/^digitalocean_volume\.Team_bob-m_HomeVolume_/),
    });
    expect(rosterTeams()['test/Team']['bob-m']).toMatchObject({ status: 'member', previously: 'bob' });
    expect(rosterTeams()['test/Team'].bob).toBeUndefined();
  });

  test('keeps moving the resources once the roster records the rename, with previously taken out of the list', () => {
    // GIVEN
    buildTeam();
    buildTeam({ members: renamed });

    // WHEN
    const synth = synthJson(buildTeam({ members: renamed.map(({ previously: _p, ...m }) => m) }).stack);

    // THEN
    expect(synth.moved.length).toBeGreaterThan(5);
    expect(synth.removed).toBeUndefined();
  });

  test.each<[string, TeamMember[], RegExp]>([
    ['a name the roster does not know', [MEMBERS[0], { name: 'bob-m', email: 'bob@example.com', previously: 'zed' }, MEMBERS[2]],
      /invalid members\[1\]\.previously "zed": is not a member that the roster .* records with their resources \(no entry\)/],
    ['the name of a member in the list', [MEMBERS[0], { ...MEMBERS[1], previously: 'alice' }, MEMBERS[2]],
      /invalid members\[1\]\.previously "alice": is the name of a member in the list/],
    ['a name that is not a slug', [MEMBERS[0], { name: 'bob-m', email: 'bob@example.com', previously: 'Bob' }, MEMBERS[2]],
      /invalid members\[1\]\.previously "Bob": expected the member's former name, a slug/],
  ])('refuses previously naming %s', (_case, members, message) => {
    // GIVEN
    buildTeam();

    // THEN
    expect(() => buildTeam({ members })).toThrow(message);
  });
});
