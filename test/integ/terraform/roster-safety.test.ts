import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';
import { CloudflareProvider } from '@cdktf/provider-cloudflare/lib/provider';
import { DigitaloceanProvider } from '@cdktf/provider-digitalocean/lib/provider';
import { TlsProvider } from '@cdktf/provider-tls/lib/provider';
import { App, TerraformStack } from 'cdktf';
import { teamExample } from './team-example';
import { describeWithProviders, Plan, readingStatesOf, StackConfig, synthesize, TerraformWorkspace } from './terraform';
import { STEP_TIMEOUT_MS, TerraformTier } from './tier';
import { readSettings, teamProps } from '../../../examples/main';
import { CodeServerTeam, CodeServerTeamProps, TeamLayout, TeamMember } from '../../../lib';
import { AT_A_DESK, withEnv } from '../../support/fixtures';

/** The `team` example (alice, bob, and carol who is stopped), with a roster of this file's own. */
const settings = { ...readSettings({}), rosterFile: join(mkdtempSync(join(tmpdir(), 'ztcs-roster-safety-')), 'roster.json') };
const [alice, bob, carol] = settings.teamMembers;

/** The `team` example with another member list. */
function team(members: TeamMember[]): StackConfig {
  return teamExample(settings, members);
}

/** The `team` example's team in its stack under another construct id. */
function teamUnderId(id: string, props: Partial<CodeServerTeamProps> = {}): StackConfig {
  return synthesize((outdir) => {
    const app = new App({ outdir });
    const stack = new TerraformStack(app, 'team');
    new CloudflareProvider(stack, 'cloudflare');
    new DigitaloceanProvider(stack, 'digitalocean');
    new TlsProvider(stack, 'tls');
    new CodeServerTeam(stack, id, { ...teamProps(settings), ...props });
    return app;
  })[0];
}

/** The same team as a fleet, as the README's move says, with another member list: each stack by name. */
function fleet(members: TeamMember[], teamId = 'Team', props: Partial<CodeServerTeamProps> = {}): Record<string, StackConfig> {
  const stacks = synthesize((outdir) => {
    const app = new App({ outdir });
    new CodeServerTeam(new TerraformStack(app, 'team'), teamId, { ...teamProps(settings), members, ...props, layout: TeamLayout.stackPerMember() });
    return app;
  });
  return Object.fromEntries(stacks.map((s) => [s.name, s]));
}

/** How many home volumes a plan deletes (or replaces). */
function volumesDestroyed(plan: Plan): number {
  return Object.entries(plan.changes()).filter(([path, action]) => path.endsWith('/HomeVolume/Volume') && (action === 'delete' || action === 'replace')).length;
}

/** The construct path of a member's Access application in a configuration. */
function accessApplicationOf(config: StackConfig, member: string): string {
  return [...config.paths.entries()].find(([address, path]) =>
    address.startsWith('cloudflare_zero_trust_access_application.') && path.startsWith(`Team/${member}/`))![1];
}

/**
 * What no forgotten file, renamed id or migration step may do, rehearsed from one applied state of
 * the `team` example and, after a migration in the wrong order, of its fleet: in every scenario
 * the number of home volumes destroyed is counted. The roster is put back between scenarios, as
 * `git checkout` would.
 */
describeWithProviders()('the roster keeps every home, against the stand-in', () => {
  const tier = new TerraformTier();
  tier.hooks('roster safety');
  const { digitalocean } = tier.standIn;
  let teamWorkspace: TerraformWorkspace;
  let bobWorkspace: TerraformWorkspace;
  let committedRoster = '';
  const restoreRoster = () => writeFileSync(settings.rosterFile, committedRoster);
  const volumeIds = () => [...digitalocean.volumes.keys()].sort();
  let volumesApplied: string[] = [];

  async function planOf(workspace: TerraformWorkspace, config: StackConfig): Promise<Plan> {
    workspace.configure(config, tier.standIn.providerSettings());
    return workspace.plan();
  }

  test('the one-stack team is applied, and its roster committed', async () => {
    ({ workspace: teamWorkspace } = await tier.workspace(team(settings.teamMembers)));
    await teamWorkspace.apply(await teamWorkspace.plan());
    committedRoster = readFileSync(settings.rosterFile, 'utf8');
    volumesApplied = volumeIds();
    expect(volumesApplied).toHaveLength(3);
  }, STEP_TIMEOUT_MS);

  test('team: removing a member with the roster lost is refused at synthesis, so no plan destroys their home', () => {
    // GIVEN
    rmSync(settings.rosterFile);

    // THEN
    expect(() => withEnv(AT_A_DESK, () => team([alice, carol]))).toThrow(/team\/Team: the roster .* does not exist/);
    restoreRoster();
  });

  test("team: renaming the team's construct id is refused, at construction and, with newTeam, at synthesis", () => {
    expect(() => withEnv(AT_A_DESK, () => teamUnderId('Crew'))).toThrow(/It records "team\/Team" in this stack: if that is this team under its old id/);
    expect(() => withEnv(AT_A_DESK, () => teamUnderId('Crew', { newTeam: true }))).toThrow(/records the team "team\/Team" in this stack, and this app no longer builds it/);
    expect(readFileSync(settings.rosterFile, 'utf8')).toBe(committedRoster);
  });

  test('team: renaming bob to bob-m (previously) destroys no volume: his home is moved, not replaced', async () => {
    // WHEN
    const config = team([alice, { name: 'bob-m', email: bob.email, previously: bob.name }, carol]);
    const plan = await planOf(teamWorkspace, config);
    restoreRoster();

    // THEN
    expect(plan.errors).toEqual([]);
    expect(volumesDestroyed(plan)).toBe(0);
    expect(plan.actions()['Team/bob-m/HomeVolume/Volume']).toMatch(/^(no-op|update)$/);
    expect(Object.keys(plan.changes()).filter((path) => !path.startsWith('Team/bob-m/'))).toEqual([]);
    console.log(`renaming a member, one-stack team: ${JSON.stringify(plan.changes())}`);
  }, STEP_TIMEOUT_MS);

  test('fleet: a lost roster and a renamed team id are refused at synthesis', () => {
    // GIVEN
    rmSync(settings.rosterFile);
    expect(() => withEnv(AT_A_DESK, () => fleet([alice, carol]))).toThrow(/team\/Team: the roster .* does not exist/);
    restoreRoster();

    // THEN
    expect(() => withEnv(AT_A_DESK, () => fleet(settings.teamMembers, 'Crew'))).toThrow(/It records "team\/Team" in this stack/);
    expect(() => withEnv(AT_A_DESK, () => fleet(settings.teamMembers, 'Crew', { newTeam: true }))).toThrow(/this app no longer builds it/);
  });

  test('fleet: migration in the wrong order (the base stack deployed before alice and carol are moved) destroys no volume', async () => {
    // GIVEN bob's resources moved into his stack's state, as the README says, but not alice's and carol's
    const stacks = fleet(settings.teamMembers);
    ({ workspace: bobWorkspace } = await tier.workspace(readingStatesOf(stacks['team-bob'], { team: teamWorkspace.stateFile })));
    for (const address of (await teamWorkspace.stateAddresses()).filter((a) => !a.startsWith('data.') && a.split('.')[1].startsWith('Team_bob_'))) {
      await teamWorkspace.moveState(address, bobWorkspace.stateFile);
    }
    // and recorded again with what each resource depends on, which the move drops (the docs' step 3)
    await bobWorkspace.refreshOnly();

    // WHEN the base stack is deployed
    const plan = await planOf(teamWorkspace, stacks.team);
    await teamWorkspace.apply(plan);

    // THEN alice's and carol's homes are forgotten, not deleted, and stay in DigitalOcean
    expect(plan.errors).toEqual([]);
    expect(volumesDestroyed(plan)).toBe(0);
    expect(plan.actions()['Team/alice/HomeVolume/Volume']).toBe('forget');
    expect(plan.actions()['Team/carol/HomeVolume/Volume']).toBe('forget');
    expect(volumeIds()).toEqual(volumesApplied);
    console.log(`migration in the wrong order, base stack: ${JSON.stringify(plan.changes())}`);
  }, STEP_TIMEOUT_MS);

  test("fleet: after the wrong order, alice's home imported into her stack is planned for replacement, which prevent_destroy refuses: no volume destroyed", async () => {
    // GIVEN
    const config = readingStatesOf(fleet(settings.teamMembers)['team-alice'], { team: teamWorkspace.stateFile });
    const { workspace } = await tier.workspace(config);
    const address = [...config.paths.entries()].find(([, path]) => path === 'Team/alice/HomeVolume/Volume')![0];
    const home = [...digitalocean.volumes.values()].find((v) => v.name === 'alice-example-com-home')!;

    // WHEN
    await workspace.importResource(address, home.id);
    const plan = await workspace.plan();

    // THEN the import is no recovery (the volume's initial filesystem settings are not read back), and nothing is destroyed
    expect(plan.errors).toEqual(['Instance cannot be destroyed']);
    expect(volumeIds()).toEqual(volumesApplied);
  }, STEP_TIMEOUT_MS);

  test("fleet: bob's stack, moved in the right order, plans no change", async () => {
    const plan = await planOf(bobWorkspace, readingStatesOf(fleet(settings.teamMembers)['team-bob'], { team: teamWorkspace.stateFile }));
    expect(plan.errors).toEqual([]);
    expect(plan.changes()).toEqual({});
  }, STEP_TIMEOUT_MS);

  test('fleet: renaming bob to bob-m keeps his stack and destroys no volume', async () => {
    // WHEN
    const stacks = fleet([alice, { name: 'bob-m', email: bob.email, previously: bob.name }, carol]);
    const plan = await planOf(bobWorkspace, readingStatesOf(stacks['team-bob'], { team: teamWorkspace.stateFile }));
    restoreRoster();

    // THEN
    expect(stacks['team-bob-m']).toBeUndefined();
    expect(plan.errors).toEqual([]);
    expect(volumesDestroyed(plan)).toBe(0);
    expect(plan.actions()['Team/bob-m/HomeVolume/Volume']).toMatch(/^(no-op|update)$/);
    console.log(`renaming a member, fleet: ${JSON.stringify(plan.changes())}`);
  }, STEP_TIMEOUT_MS);

  test('fleet: removing bob from the list keeps his stack, whose deploy deletes his Access application and droplet and forgets his home', async () => {
    // GIVEN
    const before = fleet(settings.teamMembers)['team-bob'];

    // WHEN
    const stacks = fleet([alice, carol]);
    const plan = await planOf(bobWorkspace, readingStatesOf(stacks['team-bob'], { team: teamWorkspace.stateFile }));
    await bobWorkspace.apply(plan);
    restoreRoster();

    // THEN
    expect(plan.errors).toEqual([]);
    expect(volumesDestroyed(plan)).toBe(0);
    expect(plan.actions()[accessApplicationOf(before, 'bob')]).toBe('delete');
    expect(plan.actions()['Team/bob/Droplet/Droplet']).toBe('delete');
    expect(plan.actions()['Team/bob/HomeVolume/Volume']).toBe('forget');
    expect(volumeIds()).toEqual(volumesApplied);
    expect([...digitalocean.droplets.values()].map((d) => d.name)).not.toContain('bob-example-com');
    expect(tier.standIn.unknownCalls).toEqual([]);
  }, STEP_TIMEOUT_MS);
});
