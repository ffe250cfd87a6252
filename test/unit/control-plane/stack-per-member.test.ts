import { readFileSync } from 'fs';
import { join } from 'path';
import { App, TerraformStack, Testing } from 'cdktf';
import { CodeServerControlPlane, CodeServerTeam, IdleStop, TeamLayout, TeamMember } from '../../../lib';
import { CONTROL_PLANE_ID } from '../../../lib/control-plane/control-plane';
import { registryKey } from '../../../lib/control-plane/worker/contract';
import { newControlPlane, pathsContaining, resourcesOfType, teamProps } from '../../support/fixtures';

const IDLE: IdleStop = { idleMinutes: 30 };
const MEMBERS: TeamMember[] = [
  { name: 'alice', email: 'alice@example.com' },
  { name: 'bob', email: 'bob@example.com' },
];

/**
 * A team with a stack per member (its own stack `team`), an idle stop and a control plane whose
 * tokens are variables of the team's own stack, where the control plane is made.
 */
function buildStackPerMember(): { app: App; controlPlane: CodeServerControlPlane } {
  const app = Testing.app();
  const own = new TerraformStack(app, 'team');
  const team = new CodeServerTeam(own, 'Team', teamProps({
    members: MEMBERS, newTeam: true, idleStop: IDLE, controlPlane: newControlPlane(own), layout: TeamLayout.stackPerMember(),
  }));
  return { app, controlPlane: team.controlPlane as CodeServerControlPlane };
}

/** Synthesizes the app: its manifest and each stack's JSON by name. */
function synthApp(app: App): { manifest: any; stacks: Record<string, any> } {
  app.synth();
  const manifest = JSON.parse(readFileSync(join(app.outdir, 'manifest.json'), 'utf8'));
  const stacks = Object.fromEntries(Object.keys(manifest.stacks).map((name) =>
    [name, JSON.parse(readFileSync(join(app.outdir, 'stacks', name, 'cdk.tf.json'), 'utf8'))]));
  return { manifest, stacks };
}

describe('a control plane with a stack per member', () => {
  test('lives in the team\'s own stack, and each member\'s stack holds its registration', () => {
    const { app, controlPlane } = buildStackPerMember();
    expect(TerraformStack.of(controlPlane).node.id).toBe('team');
    expect(controlPlane.node.path).toBe(`team/Team/${CONTROL_PLANE_ID}`);
    const { stacks } = synthApp(app);
    expect(resourcesOfType(stacks.team, 'cloudflare_workers_script')).toHaveLength(1);
    expect(resourcesOfType(stacks.team, 'cloudflare_workers_kv')).toHaveLength(0);
    for (const name of ['alice', 'bob']) {
      const member = stacks[`team-${name}`];
      expect(resourcesOfType(member, 'cloudflare_workers_script')).toHaveLength(0);
      const [entry] = resourcesOfType(member, 'cloudflare_workers_kv');
      expect(entry.key_name).toBe(registryKey(`${name}.example.com`));
      // The namespace id and the script name come from the team's stack's state.
      expect(entry.namespace_id).toMatch(/^\$\{data\.terraform_remote_state\.[\w-]+\.outputs\.[\w-]+\}$/);
      expect(resourcesOfType(member, 'cloudflare_workers_route')[0].script).toMatch(/^\$\{data\.terraform_remote_state\./);
      expect(entry.value).toContain(`"stack" = "team-${name}"`);
    }
  });

  test('member stacks depend on the team\'s stack, and the team\'s stack on none of them', () => {
    const { app } = buildStackPerMember();
    const { manifest, stacks } = synthApp(app);
    expect(manifest.stacks.team.dependencies).toEqual([]);
    expect(manifest.stacks['team-alice'].dependencies).toEqual(['team']);
    expect(manifest.stacks['team-bob'].dependencies).toEqual(['team']);
    expect(Object.keys(stacks.team.data?.terraform_remote_state ?? {})).toEqual([]);
  });

  test('the control plane\'s tokens stay in the team\'s stack: no member stack declares or reads them', () => {
    const { app } = buildStackPerMember();
    const { stacks } = synthApp(app);
    expect(Object.keys(stacks.team.variable)).toEqual(expect.arrayContaining(['control_plane_token', 'start_hook_secret']));
    for (const name of ['alice', 'bob']) {
      const member = stacks[`team-${name}`];
      expect(Object.keys(member.variable ?? {})).not.toContain('control_plane_token');
      expect(pathsContaining(member, 'control_plane_token')).toEqual([]);
      expect(pathsContaining(member, 'start_hook_secret')).toEqual([]);
    }
    // No output of the team's stack carries a secret into a member's state.
    expect(pathsContaining(stacks.team.output ?? {}, 'var.')).toEqual([]);
  });
});
