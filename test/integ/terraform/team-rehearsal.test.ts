import { teamExample } from './team-example';
import { describeWithProviders, PlannedAction, StackConfig, TerraformWorkspace } from './terraform';
import { STEP_TIMEOUT_MS, TerraformTier } from './tier';
import { readSettings } from '../../../examples/main';
import { TeamMember } from '../../../lib';

const settings = readSettings({});

/** The `team` example with another member list. */
function team(members: TeamMember[]): StackConfig {
  return teamExample(settings, members);
}

/** Every resource of a member, by construct path, with the action given. */
function everyResourceOf(config: StackConfig, member: string, action: PlannedAction): Record<string, PlannedAction> {
  return Object.fromEntries([...config.paths.values()].filter((p) => p.startsWith(`Team/${member}/`)).map((p) => [p, action]));
}

/**
 * A deploy rehearsal of the `team` example (alice, bob, and carol who is stopped): offboarding bob
 * as the README says (leaving, then deleteHome, then out of the list), then carol removed from the
 * list outright; one state and one roster carried from step to step.
 */
describeWithProviders()('deploy rehearsal of the team example against the stand-in', () => {
  const tier = new TerraformTier();
  tier.hooks('team rehearsal');
  const { digitalocean } = tier.standIn;
  const members = settings.teamMembers;
  const [alice, bob, carol] = members;
  const BOB_HOME = `Team/${bob.name}/HomeVolume/Volume`;
  let workspace: TerraformWorkspace;

  function volumeNamed(name: string) {
    return [...digitalocean.volumes.values()].find((v) => v.name === name);
  }

  async function planOf(config: StackConfig) {
    workspace.configure(config, tier.standIn.providerSettings());
    return workspace.plan();
  }

  test('apply creates an editor per member, none running for the stopped one; a second plan changes nothing', async () => {
    // GIVEN
    expect(members.map((m) => [m.name, m.running ?? true])).toEqual([[alice.name, true], [bob.name, true], [carol.name, false]]);
    const config = team(members);
    ({ workspace } = await tier.workspace(config));

    // WHEN
    await workspace.apply(await workspace.plan());
    const again = await workspace.plan();

    // THEN
    expect(again.errors).toEqual([]);
    expect(again.changes()).toEqual({});
    expect([...digitalocean.droplets.values()].map((d) => d.name).sort()).toEqual([`${alice.name}-example-com`, `${bob.name}-example-com`]);
    expect(digitalocean.volumes.size).toBe(3);
    expect(tier.standIn.unknownCalls).toEqual([]);
  }, STEP_TIMEOUT_MS);

  test('offboarding bob (leaving) plans without error and deletes everything of his but his home volume', async () => {
    // GIVEN
    const before = team(members);
    const offboarded = team([alice, { ...bob, leaving: true }, carol]);

    // WHEN
    const plan = await planOf(offboarded);
    await workspace.apply(plan);

    // THEN
    expect(plan.errors).toEqual([]);
    const { [BOB_HOME]: home, ...others } = everyResourceOf(before, bob.name, 'delete');
    expect(home).toBe('delete');
    expect(plan.changes()).toEqual(others);
    expect(plan.actions()[BOB_HOME]).toBe('no-op');
    expect(volumeNamed(`${bob.name}-example-com-home`)?.droplet_ids).toEqual([]);
    expect([...digitalocean.droplets.values()].map((d) => d.name)).toEqual([`${alice.name}-example-com`]);
    expect((await workspace.plan()).changes()).toEqual({});
    expect(tier.standIn.unknownCalls).toEqual([]);
  }, STEP_TIMEOUT_MS);

  test('deleteHome next to leaving lifts the protection of his home volume and changes no resource', async () => {
    // WHEN
    const plan = await planOf(team([alice, { ...bob, leaving: true, deleteHome: true }, carol]));

    // THEN
    expect(plan.errors).toEqual([]);
    expect(plan.changes()).toEqual({});
    expect(tier.standIn.unknownCalls).toEqual([]);
  }, STEP_TIMEOUT_MS);

  test('removing bob from the middle of the list then deletes his home volume and changes nobody else\'s resources', async () => {
    // WHEN
    const plan = await planOf(team([alice, carol]));
    await workspace.apply(plan);

    // THEN
    expect(plan.errors).toEqual([]);
    expect(plan.changes()).toEqual({ [BOB_HOME]: 'delete' });
    expect([...digitalocean.volumes.values()].map((v) => v.name).sort()).toEqual([`${alice.name}-example-com-home`, `${carol.name}-example-com-home`]);
    expect(tier.standIn.unknownCalls).toEqual([]);
  }, STEP_TIMEOUT_MS);

  test('removing carol from the list outright deletes everything of hers but her home volume, which Terraform forgets and DigitalOcean keeps', async () => {
    // GIVEN
    const before = team([alice, carol]);
    const CAROL_HOME = `Team/${carol.name}/HomeVolume/Volume`;
    const home = volumeNamed(`${carol.name}-example-com-home`)!;
    expect(home).toBeDefined();

    // WHEN
    const plan = await planOf(team([alice]));
    await workspace.apply(plan);

    // THEN
    expect(plan.errors).toEqual([]);
    const { [CAROL_HOME]: _home, ...others } = everyResourceOf(before, carol.name, 'delete');
    expect(plan.changes()).toEqual({ ...others, [CAROL_HOME]: 'forget' });
    expect(plan.warnings).toContain('Some objects will no longer be managed by Terraform');
    expect(digitalocean.volumes.get(home.id)).toBeDefined();
    expect((await workspace.state()).values.root_module.resources.map((r: any) => r.address)).not.toContain(
      [...before.paths.entries()].find(([, path]) => path === CAROL_HOME)![0],
    );
    expect((await workspace.plan()).changes()).toEqual({});
    expect(tier.standIn.unknownCalls).toEqual([]);
  }, STEP_TIMEOUT_MS);
});
