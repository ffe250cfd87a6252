import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';
import { App, TerraformStack, TerraformVariable } from 'cdktf';
import { FleetExample, IDLE_STOP_TOKEN, readSettings, teamProps } from '../../../examples/main';
import { CodeServerTeam, TeamLayout } from '../../../lib';
import { cloudConfigOf, pathsContaining } from '../../support/fixtures';

const settings = readSettings({});

/** Every stack of the app that `build` makes, synthesized as cdktf writes it (cross-stack outputs too), by name. */
function stacksOf(build: (app: App) => void): Record<string, any> {
  const outdir = mkdtempSync(join(tmpdir(), 'ztcs-fleet-example-'));
  try {
    const app = new App({ outdir });
    build(app);
    app.synth();
    return Object.fromEntries(readdirSync(join(outdir, 'stacks'))
      .map((name) => [name, JSON.parse(readFileSync(join(outdir, 'stacks', name, 'cdk.tf.json'), 'utf8'))]));
  } finally {
    rmSync(outdir, { recursive: true, force: true });
  }
}

describe('the fleet example', () => {
  let fleet!: FleetExample;
  const stacks = stacksOf((app) => { fleet = new FleetExample(app, 'fleet', settings); });
  const members = settings.teamMembers.map((m) => `fleet-${m.name}`);

  test('is a base stack and a stack per member of the team example', () => {
    expect(Object.keys(stacks).sort()).toEqual(['fleet', ...members].sort());
    expect(Object.keys(fleet.team.memberStacks).sort()).toEqual(settings.teamMembers.map((m) => m.name).sort());
  });

  test('keeps every stack\'s state in the Spaces bucket, under a key of its own', () => {
    for (const [name, stack] of Object.entries(stacks)) {
      expect([name, stack.terraform.backend.s3.bucket, stack.terraform.backend.s3.key]).toEqual([name, 'example-terraform-state', `ztcs/${name}.tfstate`]);
      expect(stack.terraform.backend.s3.endpoints.s3).toBe('https://fra1.digitaloceanspaces.com');
    }
  });

  test('puts each running member\'s editor at <name>-fleet.<zone>, stopping itself after 30 idle minutes', () => {
    const running = settings.teamMembers.filter((m) => m.running !== false);
    expect(running.length).toBeGreaterThan(0);
    for (const member of running) {
      const stack = stacks[`fleet-${member.name}`];
      expect(Object.values<any>(stack.resource.cloudflare_dns_record).map((r) => r.name)).toEqual([`${member.name}-fleet.example.com`]);
      expect(Object.keys(stack.data.digitalocean_tags)).toHaveLength(1);
      expect(cloudConfigOf(Object.values<any>(stack.resource.digitalocean_droplet)[0]).write_files.map((f: any) => f.path))
        .toContain('/etc/ztcs/idle.env');
    }
  });

  test('declares the idle stop\'s former token as a sensitive variable in each member\'s stack, which no editor reads any more', () => {
    for (const name of members) {
      expect([name, stacks[name].variable]).toEqual([name, { [IDLE_STOP_TOKEN]: expect.objectContaining({ type: 'string', sensitive: true }) }]);
    }
    const running = settings.teamMembers.find((m) => m.running !== false)!;
    const droplet = Object.values<any>(stacks[`fleet-${running.name}`].resource.digitalocean_droplet)[0];
    expect(droplet.user_data).not.toContain(IDLE_STOP_TOKEN);
  });

  test('writes the token as Terraform reads it: in a string ${var.<name>}, inside an expression a bare var.<name>, never nested', () => {
    for (const [name, stack] of Object.entries(stacks)) {
      expect([name, pathsContaining(stack, '${${')]).toEqual([name, []]);
    }
    const running = settings.teamMembers.find((m) => m.running !== false)!;
    const marker = Object.values<any>(stacks[`fleet-${running.name}`].resource.terraform_data)[0];
    expect(marker.input.tag).not.toContain('var.');
  });

  test('carries the token through no stack\'s outputs and no remote state: the base stack neither declares nor reads it', () => {
    expect(stacks.fleet.variable).toBeUndefined();
    for (const [name, stack] of Object.entries(stacks)) {
      expect([name, pathsContaining(stack.output ?? {}, IDLE_STOP_TOKEN)]).toEqual([name, []]);
      expect([name, pathsContaining(stack.data?.terraform_remote_state ?? {}, IDLE_STOP_TOKEN)]).toEqual([name, []]);
    }
  });

  test('a variable in a stack of its own instead, which would reach the members through a cross-stack output, is refused', () => {
    // GIVEN the pattern the example avoids: the token's variable declared once, in a stack of its own
    const app = new App();
    const secrets = new TerraformStack(app, 'secrets');
    const token = new TerraformVariable(secrets, IDLE_STOP_TOKEN, { type: 'string', sensitive: true });

    // WHEN / THEN
    expect(() => new CodeServerTeam(new TerraformStack(app, 'fleet'), 'Team', {
      ...teamProps(settings), layout: TeamLayout.stackPerMember(), idleStop: { idleMinutes: 30, ...{ digitaloceanToken: token.stringValue } },
    }))
      .toThrow(/idleStop\.digitaloceanToken.*cross-stack output, in plain text/);
  });
});
