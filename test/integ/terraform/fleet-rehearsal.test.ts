import { mkdtempSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';
import { App, TerraformStack } from 'cdktf';
import { describeWithProviders, PlannedAction, readingStatesOf, StackConfig, synthesize, TerraformWorkspace } from './terraform';
import { STEP_TIMEOUT_MS, TerraformTier } from './tier';
import { readSettings, teamProps } from '../../../examples/main';
import { CodeServerTeam, TeamLayout, TeamMember } from '../../../lib';

/** The `team` example's team, with a roster of this file's own, carried from step to step. */
const settings = { ...readSettings({}), rosterFile: join(mkdtempSync(join(tmpdir(), 'ztcs-fleet-roster-')), 'roster.json') };

/** The `team` example's team as a fleet (base stack `team`, a stack `team-<name>` per member) with another member list: each stack by name. */
function fleet(members: TeamMember[]): Record<string, StackConfig> {
  const stacks = synthesize((outdir) => {
    const app = new App({ outdir });
    new CodeServerTeam(new TerraformStack(app, 'team'), 'Team', { ...teamProps(settings), members, layout: TeamLayout.stackPerMember() });
    return app;
  });
  return Object.fromEntries(stacks.map((s) => [s.name, s]));
}

/** The ids of the objects in a state, as the providers got them from the APIs. */
function objectIds(state: any): string[] {
  return (state.values?.root_module?.resources ?? []).filter((r: any) => r.mode === 'managed').map((r: any) => String(r.values.id));
}

/**
 * A deploy rehearsal of the `team` example as a fleet (alice, bob, and carol who is stopped): a
 * state per stack, each stack in a workspace of its own whose cross-stack references read the
 * base stack's state. Every volume's fate is asserted at every step.
 */
describeWithProviders()('deploy rehearsal of a fleet, a state per member, against the stand-in', () => {
  const tier = new TerraformTier();
  tier.hooks('fleet rehearsal');
  const { digitalocean } = tier.standIn;
  const [alice, bob, carol] = settings.teamMembers;
  const workspaces: Record<string, TerraformWorkspace> = {};
  const homeOf = (name: string) => `Team/${name}/HomeVolume/Volume`;

  /** Configures a stack's workspace (a new one the first time) with its configuration, reading the base stack's state. */
  async function workspaceOf(config: StackConfig, providers = tier.standIn.providerSettings()): Promise<TerraformWorkspace> {
    const configured = config.name === 'team' ? config : readingStatesOf(config, { team: workspaces.team.stateFile });
    if (!workspaces[config.name]) {
      workspaces[config.name] = (await tier.workspace(configured)).workspace;
    }
    workspaces[config.name].configure(configured, providers);
    return workspaces[config.name];
  }

  test('apply creates the base stack and a stack per member; a second plan of each stack changes nothing', async () => {
    // GIVEN
    const stacks = fleet(settings.teamMembers);
    expect(Object.keys(stacks).sort()).toEqual(['team', `team-${alice.name}`, `team-${bob.name}`, `team-${carol.name}`]);

    // WHEN
    for (const name of ['team', `team-${alice.name}`, `team-${bob.name}`, `team-${carol.name}`]) {
      const workspace = await workspaceOf(stacks[name]);
      await workspace.apply(await workspace.plan());
    }

    // THEN
    for (const [name, config] of Object.entries(stacks)) {
      const again = await (await workspaceOf(config)).plan();
      expect([name, again.errors]).toEqual([name, []]);
      expect([name, again.changes()]).toEqual([name, {}]);
    }
    expect([...digitalocean.droplets.values()].map((d) => d.name).sort()).toEqual([`${alice.name}-example-com`, `${bob.name}-example-com`]);
    expect(digitalocean.volumes.size).toBe(3);
    expect(tier.standIn.unknownCalls).toEqual([]);
  }, STEP_TIMEOUT_MS);

  test("a change to one member plans changes in their stack only, and bob's plan reads none of the others' objects", async () => {
    // GIVEN
    const others = [`team-${alice.name}`, `team-${carol.name}`];
    const othersIds = (await Promise.all(others.map(async (name) => objectIds(await workspaces[name].state())))).flat();
    const stacks = fleet([alice, { ...bob, boot: { extensions: ['esbenp.prettier-vscode'] } }, carol]);
    const volumeOfBob = [...digitalocean.volumes.values()].find((v) => v.name === `${bob.name}-example-com-home`)!;

    // WHEN
    const mark = tier.standIn.calls.length;
    const bobsPlan = await (await workspaceOf(stacks[`team-${bob.name}`])).plan();
    const bobsCalls = tier.standIn.calls.slice(mark);
    const othersPlans = await Promise.all(['team', ...others].map(async (name) => (await workspaceOf(stacks[name])).plan()));
    await workspaces[`team-${bob.name}`].apply(bobsPlan);

    // THEN
    expect(bobsPlan.errors).toEqual([]);
    expect(Object.keys(bobsPlan.changes()).filter((path) => !path.startsWith(`Team/${bob.name}/`))).toEqual([]);
    expect(bobsPlan.changes()[`Team/${bob.name}/Droplet/Droplet`]).toBe('replace');
    expect(bobsPlan.actions()[homeOf(bob.name)]).toBe('no-op');
    expect(othersPlans.map((p) => p.changes())).toEqual([{}, {}, {}]);
    expect(bobsCalls.length).toBeGreaterThan(0);
    expect(bobsCalls.filter((c) => othersIds.some((id) => c.path.split('/').includes(id)))).toEqual([]);
    expect(digitalocean.volumes.get(volumeOfBob.id)?.droplet_ids).toHaveLength(1);
    expect(tier.standIn.unknownCalls).toEqual([]);
  }, STEP_TIMEOUT_MS);

  test("a member's stack that fails to deploy blocks nobody else's, and deploys once fixed", async () => {
    // GIVEN carol starts with a DigitalOcean token that is refused, while alice gets an extension
    const stacks = fleet([{ ...alice, boot: { extensions: ['esbenp.prettier-vscode'] } }, { ...bob, boot: { extensions: ['esbenp.prettier-vscode'] } }, { ...carol, running: true }]);
    const good = tier.standIn.providerSettings();
    const revoked = { ...good, digitalocean: [{ ...good.digitalocean[0], token: 'revoked-token' }] };
    const carolsWorkspace = await workspaceOf(stacks[`team-${carol.name}`], revoked);
    const alicesWorkspace = await workspaceOf(stacks[`team-${alice.name}`]);
    const unknownBefore = tier.standIn.unknownCalls.length;

    // WHEN both deploy at once
    const [carolsDeploy, alicesDeploy] = await Promise.allSettled([
      carolsWorkspace.plan().then((plan) => carolsWorkspace.apply(plan)),
      alicesWorkspace.plan().then((plan) => alicesWorkspace.apply(plan)),
    ]);

    // THEN
    expect(carolsDeploy.status).toBe('rejected');
    expect(alicesDeploy.status).toBe('fulfilled');
    expect((await alicesWorkspace.plan()).changes()).toEqual({});
    expect(tier.standIn.unknownCalls.slice(unknownBefore).every((c) => c.status === 401)).toBe(true);

    // WHEN the token is fixed
    const fixed = await workspaceOf(stacks[`team-${carol.name}`]);
    const plan = await fixed.plan();
    await fixed.apply(plan);

    // THEN
    const actions: Record<string, PlannedAction> = plan.actions();
    expect(actions[homeOf(carol.name)]).toBe('no-op');
    expect([...digitalocean.droplets.values()].map((d) => d.name).sort()).toEqual([alice, bob, carol].map((m) => `${m.name}-example-com`));
    expect((await fixed.plan()).changes()).toEqual({});
  }, STEP_TIMEOUT_MS);

  test('removing bob from the list: his stack deletes everything of his but his home volume, which Terraform forgets; no other stack changes', async () => {
    // GIVEN
    // (the members as the previous step left them: alice and bob with the extension, carol without)
    const withExtension = (m: typeof alice) => ({ ...m, boot: { extensions: ['esbenp.prettier-vscode'] } });
    const before = fleet([withExtension(alice), withExtension(bob), { ...carol, running: true }]);
    const volumeOfBob = [...digitalocean.volumes.values()].find((v) => v.name === `${bob.name}-example-com-home`)!;
    const stacks = fleet([withExtension(alice), { ...carol, running: true }]);

    // WHEN
    const bobsPlan = await (await workspaceOf(stacks[`team-${bob.name}`])).plan();
    await workspaces[`team-${bob.name}`].apply(bobsPlan);

    // THEN
    expect(bobsPlan.errors).toEqual([]);
    const expected = Object.fromEntries([...before[`team-${bob.name}`].paths.values()].map((path) => [path, path === homeOf(bob.name) ? 'forget' : 'delete']));
    expect(bobsPlan.changes()).toEqual(expected);
    expect(digitalocean.volumes.get(volumeOfBob.id)).toBeDefined();
    for (const name of ['team', `team-${alice.name}`, `team-${carol.name}`]) {
      expect([name, (await (await workspaceOf(stacks[name])).plan()).changes()]).toEqual([name, {}]);
    }
    expect(tier.standIn.unknownCalls.filter((c) => c.status !== 401)).toEqual([]);
  }, STEP_TIMEOUT_MS);
});
