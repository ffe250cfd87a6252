import { mkdtempSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';
import { App, TerraformStack } from 'cdktf';
import { describeWithProviders, readingStatesOf, StackConfig, synthesize, TerraformWorkspace } from './terraform';
import { STEP_TIMEOUT_MS, TerraformTier } from './tier';
import { readSettings, TeamStack, teamProps } from '../../../examples/main';
import { CodeServerTeam, TeamLayout } from '../../../lib';

/** The `team` example, with a roster of this file's own: the team's, then the fleet's (the same key, `team/Team`). */
const settings = { ...readSettings({}), rosterFile: join(mkdtempSync(join(tmpdir(), 'ztcs-migration-roster-')), 'roster.json') };

function oneStack(): StackConfig {
  return synthesize((outdir) => {
    const app = new App({ outdir });
    new TeamStack(app, 'team', settings);
    return app;
  })[0];
}

/** The same team with a stack per member, as the README's move says: the same stack id and team id, with TeamLayout.stackPerMember(). */
function asFleet(): Record<string, StackConfig> {
  const stacks = synthesize((outdir) => {
    const app = new App({ outdir });
    new CodeServerTeam(new TerraformStack(app, 'team'), 'Team', { ...teamProps(settings), layout: TeamLayout.stackPerMember() });
    return app;
  });
  return Object.fromEntries(stacks.map((s) => [s.name, s]));
}

/**
 * The move of the `team` example from one stack to a fleet, from a real state, as the README
 * says: the team's state becomes the base stack's, and each member's resources are moved into
 * their stack's state at the same address (`terraform state mv -state-out`). Nothing is created,
 * replaced or deleted, and every home volume stays where it was.
 */
describeWithProviders()('moving the team example from one stack to a fleet, against the stand-in', () => {
  const tier = new TerraformTier();
  tier.hooks('fleet migration');
  const { digitalocean } = tier.standIn;
  const members = settings.teamMembers.map((m) => m.name);
  let teamWorkspace: TerraformWorkspace;
  const memberWorkspaces: Record<string, TerraformWorkspace> = {};

  test('the one-stack team is applied', async () => {
    ({ workspace: teamWorkspace } = await tier.workspace(oneStack()));
    await teamWorkspace.apply(await teamWorkspace.plan());
    expect((await teamWorkspace.plan()).changes()).toEqual({});
  }, STEP_TIMEOUT_MS);

  test("without the move, the base stack's plan would delete every member's resources: the reason for the move", async () => {
    // WHEN
    const fleet = asFleet();
    teamWorkspace.configure(fleet.team, tier.standIn.providerSettings());
    const plan = await teamWorkspace.plan();

    // THEN
    const deleted = Object.entries(plan.changes()).filter(([, action]) => action === 'delete').map(([path]) => path);
    expect(members.every((m) => deleted.some((path) => path.startsWith(`Team/${m}/`)))).toBe(true);
    expect(plan.actions()['Team/AdminPolicy']).toBe('no-op');
  }, STEP_TIMEOUT_MS);

  test("after each member's resources are moved into their stack's state, no stack plans any change, and nothing is replaced", async () => {
    // GIVEN
    const fleet = asFleet();
    const volumesBefore = [...digitalocean.volumes.values()].map((v) => `${v.id} ${v.name}`).sort();
    const dropletsBefore = [...digitalocean.droplets.keys()].sort();
    const writesFrom = tier.standIn.calls.length;

    // WHEN the docs' steps 2 and 3: each member's resources, data sources aside, into their stack's state
    const addresses = (await teamWorkspace.stateAddresses()).filter((a) => !a.startsWith('data.'));
    for (const member of members) {
      const { workspace } = await tier.workspace(readingStatesOf(fleet[`team-${member}`], { team: teamWorkspace.stateFile }));
      memberWorkspaces[member] = workspace;
      for (const address of addresses.filter((a) => a.split('.')[1].startsWith(`Team_${member}_`))) {
        await teamWorkspace.moveState(address, workspace.stateFile);
      }
      // Step 3: the move drops what each resource depends on; a refresh-only apply records it again.
      await workspace.refreshOnly();
    }
    // The base stack is deployed first: it adds the output that the members' stacks read.
    const basePlan = await teamWorkspace.plan();
    await teamWorkspace.apply(basePlan);
    const memberPlans = await Promise.all(members.map((m) => memberWorkspaces[m].plan()));

    // THEN
    expect(basePlan.errors).toEqual([]);
    expect(basePlan.changes()).toEqual({});
    expect(memberPlans.map((p) => p.errors)).toEqual(members.map(() => []));
    expect(memberPlans.map((p) => p.changes())).toEqual(members.map(() => ({})));
    for (const [i, member] of members.entries()) {
      expect(memberPlans[i].actions()[`Team/${member}/HomeVolume/Volume`]).toBe('no-op');
    }
    for (const [i, plan] of memberPlans.entries()) await memberWorkspaces[members[i]].apply(plan);
    expect(tier.standIn.writesSince(writesFrom)).toEqual([]);
    expect([...digitalocean.volumes.values()].map((v) => `${v.id} ${v.name}`).sort()).toEqual(volumesBefore);
    expect([...digitalocean.droplets.keys()].sort()).toEqual(dropletsBefore);
    expect(tier.standIn.unknownCalls).toEqual([]);
  }, STEP_TIMEOUT_MS);
});
