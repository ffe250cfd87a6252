import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';
import { App } from 'cdktf';
import { CONTROL_PLANE_VARIABLES, FleetExample, readSettings } from '../../../examples/main';
import { registryKey } from '../../../lib/control-plane/worker/contract';
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
        .toEqual(expect.arrayContaining(['/etc/ztcs/idle.env']));
      expect(Object.values<any>(stack.resource.cloudflare_workers_kv).map((e) => e.key_name)).toEqual([registryKey(`${member.name}-fleet.example.com`)]);
    }
  });

  test('declares the control plane\'s tokens as sensitive variables of the base stack, where its Worker reads them', () => {
    const names = Object.values(CONTROL_PLANE_VARIABLES);
    expect(Object.keys(stacks.fleet.variable).sort()).toEqual([...names].sort());
    for (const name of names) expect(stacks.fleet.variable[name]).toMatchObject({ type: 'string', sensitive: true });
    const script = Object.values<any>(stacks.fleet.resource.cloudflare_workers_script)[0];
    const secrets = script.bindings.filter((b: any) => b.type === 'secret_text').map((b: any) => b.text).sort();
    expect(secrets).toEqual(names.map((name) => `\${var.${name}}`).sort());
  });

  test('writes no reference nested in another (${${…}}) in any stack', () => {
    for (const [name, stack] of Object.entries(stacks)) {
      expect([name, pathsContaining(stack, '${${')]).toEqual([name, []]);
    }
  });

  test('carries the tokens into no member\'s stack: no variable, no output, no remote state holds them', () => {
    for (const name of members) {
      expect([name, stacks[name].variable]).toEqual([name, undefined]);
      for (const variable of Object.values(CONTROL_PLANE_VARIABLES)) expect([name, pathsContaining(stacks[name], variable)]).toEqual([name, []]);
    }
    for (const [name, stack] of Object.entries(stacks)) {
      expect([name, pathsContaining(stack.output ?? {}, 'var.')]).toEqual([name, []]);
    }
  });
});
