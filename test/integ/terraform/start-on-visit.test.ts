import { mkdtempSync, writeFileSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';
import { App, Lazy, TerraformStack, TerraformVariable, Token } from 'cdktf';
import { ControlPlaneRunner, RUNNER_NEEDS } from './control-plane-runner';
import { readingStatesOf, StackConfig, synthesize, TerraformWorkspace } from './terraform';
import { STEP_TIMEOUT_MS, TerraformTier } from './tier';
import { readSettings, teamProps } from '../../../examples/main';
import { CodeServerTeam, ControlPlane, StartHook, TeamLayout, TeamMember } from '../../../lib';
import { describeTier } from '../../support/tools';

const settings = { ...readSettings({}), rosterFile: join(mkdtempSync(join(tmpdir(), 'ztcs-start-on-visit-roster-')), 'roster.json') };
const [alice, bob] = settings.teamMembers;
const HOOK_URL = 'https://hook.example.com/deploy';

/** The sensitive variables' values, as a deploy sets them (TF_VAR_…): written into each workspace's terraform.tfvars.json. */
const SECRETS = (digitaloceanToken: string): Record<string, string> => ({
  control_plane_token: digitaloceanToken,
  start_hook_secret: 'start-hook-secret',
});

/**
 * The fleet example's shape (alice and bob, a stack each, an idle stop) with a control plane made
 * in the base stack: its start hook a webhook (played by the runner's hook stand-in), its
 * DigitalOcean API the stand-in. `change` is a member's change (an unrelated deploy).
 */
function fleet(digitaloceanApiUrl: string, members: TeamMember[] = [alice, bob]): Record<string, StackConfig> {
  const stacks = synthesize((outdir) => {
    const app = new App({ outdir });
    const variables: Record<string, TerraformVariable> = {};
    const base = (name: string) => Token.asString(Lazy.stringValue({ produce: () => variables[name].stringValue }));
    const made = new TerraformStack(app, 'fleet');
    new CodeServerTeam(made, 'Team', {
      ...teamProps(settings),
      members,
      hostnamePattern: '{name}-fleet.{zoneName}',
      layout: TeamLayout.stackPerMember(),
      idleStop: { idleMinutes: 30 },
      controlPlane: ControlPlane.create({
        digitaloceanToken: base('control_plane_token'),
        startHook: StartHook.webhook({ url: HOOK_URL, secret: base('start_hook_secret') }),
        digitaloceanApiUrl,
      }),
    });
    for (const name of ['control_plane_token', 'start_hook_secret']) variables[name] = new TerraformVariable(made, name, { type: 'string', sensitive: true });
    return app;
  });
  return Object.fromEntries(stacks.map((s) => [s.name, s]));
}

/** The editor's registry entry (value), as the stacks wrote it to the stand-in's KV. */
function registered(tier: TerraformTier, hostname: string): any {
  for (const values of tier.standIn.cloudflare.kvValues.values()) {
    const entry = [...values.entries()].find(([key]) => key.endsWith(hostname));
    if (entry) return { key: entry[0], value: JSON.parse(entry[1].value), metadata: entry[1].metadata };
  }
  return undefined;
}

/**
 * Start on visit, the whole loop against the stand-ins (WP4b): the fleet applied, alice's droplet
 * powers itself off, the control plane's cron (the uploaded Worker in workerd) stops her editor,
 * an unrelated deploy leaves it stopped, a visit with her Access token calls the start hook once,
 * the hook's deploy of her stack brings her back on the same volume, and the visit passes through.
 */
describeTier(RUNNER_NEEDS)('start on visit, the loop against the stand-ins', () => {
  const tier = new TerraformTier();
  tier.hooks('start on visit');
  const { standIn } = tier;
  const { digitalocean } = standIn;
  const runner = new ControlPlaneRunner(standIn);
  afterAll(() => runner.stop());
  const workspaces: Record<string, TerraformWorkspace> = {};
  const hostOf = (member: TeamMember) => `${member.name}-fleet.${settings.zoneName}`;
  const measured: Record<string, number> = {};
  let aliceVolume = '';
  let aliceDroplet = 0;

  /** Configures a stack's workspace (a new one the first time), reading the base stack's state, with the variables' values. */
  async function workspaceOf(config: StackConfig): Promise<TerraformWorkspace> {
    const configured = config.name === 'fleet' ? config : readingStatesOf(config, { fleet: workspaces.fleet.stateFile });
    workspaces[config.name] ??= (await tier.workspace(configured)).workspace;
    const workspace = workspaces[config.name];
    workspace.configure(configured, standIn.providerSettings());
    const declared = Object.keys(configured.json.variable ?? {});
    const values = Object.fromEntries(Object.entries(SECRETS(digitalocean.token)).filter(([name]) => declared.includes(name)));
    writeFileSync(join(workspace.dir, 'terraform.tfvars.json'), JSON.stringify(values));
    return workspace;
  }

  /** Plans and applies a stack (its workspace made and initialized the first time), measuring the plan and the apply as `<label>Plan`, `<label>Apply`. */
  async function deploy(config: StackConfig, label: string): Promise<void> {
    const workspace = await workspaceOf(config);
    let started = Date.now();
    const plan = await workspace.plan();
    measured[`${label}Plan`] = Date.now() - started;
    expect([config.name, plan.errors]).toEqual([config.name, []]);
    started = Date.now();
    await workspace.apply(plan);
    measured[`${label}Apply`] = Date.now() - started;
  }

  afterAll(() => {
    console.log(`Start on visit, measured (ms): ${JSON.stringify(measured)}`);
  });

  test('(1) apply the base stack, then the members\': the registry holds both entries, and the base depends on no member', async () => {
    // GIVEN
    const stacks = fleet(standIn.digitaloceanUrl);
    expect(Object.keys(stacks).sort()).toEqual(['fleet', `fleet-${alice.name}`, `fleet-${bob.name}`]);

    // WHEN
    await deploy(stacks.fleet, 'base');
    await deploy(stacks[`fleet-${alice.name}`], 'member');
    await deploy(stacks[`fleet-${bob.name}`], 'otherMember');

    // THEN
    expect(stacks.fleet.json.data?.terraform_remote_state).toBeUndefined();
    for (const member of [alice, bob]) {
      const entry = registered(tier, hostOf(member));
      expect(entry?.value).toMatchObject({ name: member.name, hostname: hostOf(member), stack: `fleet-${member.name}` });
      expect(entry?.metadata).toEqual(entry?.value);
    }
    expect([...standIn.cloudflare.workerRoutes.values()].map((r) => r.pattern).sort()).toEqual([`${hostOf(alice)}/*`, `${hostOf(bob)}/*`]);
    const droplet = [...digitalocean.droplets.values()].find((d) => d.name.startsWith(alice.name))!;
    aliceDroplet = droplet.id;
    [aliceVolume] = droplet.volume_ids;
    for (const [name, config] of Object.entries(stacks)) expect([name, (await (await workspaceOf(config)).plan()).changes()]).toEqual([name, {}]);
    expect(standIn.unknownCalls).toEqual([]);
  }, STEP_TIMEOUT_MS);

  test('(2) alice powers off; the cron plants her marker, then deletes the droplet; the volume stays, detached', async () => {
    // GIVEN
    await runner.start();
    digitalocean.powerOff(aliceDroplet);
    const from = standIn.calls.length;

    // WHEN
    const started = Date.now();
    await runner.cron();
    measured.cron = Date.now() - started;

    // THEN
    const markerTag = registered(tier, hostOf(alice)).value.markerTag;
    expect(standIn.writesSince(from)).toEqual(['POST /v2/tags', `DELETE /v2/droplets/${aliceDroplet}`]);
    expect(digitalocean.tags.has(markerTag)).toBe(true);
    expect(digitalocean.droplets.has(aliceDroplet)).toBe(false);
    expect(digitalocean.volumes.get(aliceVolume)!.droplet_ids).toEqual([]);
    expect([...digitalocean.droplets.values()].map((d) => [d.name.split('-')[0], d.status])).toEqual([[bob.name, 'active']]);
  }, STEP_TIMEOUT_MS);

  test('(3) an unrelated deploy of alice\'s stack plans only that change: idle-stopped, no droplet or volume call', async () => {
    // GIVEN
    const stacks = fleet(standIn.digitaloceanUrl, [{ ...alice, boot: { extensions: ['esbenp.prettier-vscode'] } }, bob]);
    const workspace = await workspaceOf(stacks[`fleet-${alice.name}`]);

    // WHEN
    const plan = await workspace.plan();
    const from = standIn.calls.length;
    await workspace.apply(plan);

    // THEN
    expect(plan.errors).toEqual([]);
    expect(Object.keys(plan.changes()).filter((path) => /Droplet\/Droplet$|HomeVolume/.test(path))).toEqual([]);
    const stopped = Object.entries<any>(plan.json.planned_values?.outputs ?? {}).find(([name]) => name.endsWith('idle-stopped'));
    expect(stopped?.[1].value).toBe('true');
    expect(standIn.writesSince(from).filter((w) => /droplets|volumes/.test(w))).toEqual([]);
    expect(digitalocean.droplets.size).toBe(1);
  }, STEP_TIMEOUT_MS);

  test('(4) a visit without a token: 403 and no hook call; with alice\'s: the starting page, one hook call naming her stack, her marker deleted', async () => {
    // GIVEN
    const entry = registered(tier, hostOf(alice)).value;
    const token = runner.tokenFor(entry.accessAudience, alice.email);

    // WHEN
    let started = Date.now();
    const refused = await runner.visit(hostOf(alice));
    measured.visitRefused = Date.now() - started;
    const otherToken = await runner.visit(hostOf(alice), runner.tokenFor(registered(tier, hostOf(bob)).value.accessAudience, bob.email));
    const hookCallsBefore = runner.hook.calls.length;
    started = Date.now();
    const starting = await runner.visit(hostOf(alice), token);
    measured.visitToHook = Date.now() - started;

    // THEN
    expect(refused.status).toBe(403);
    expect(otherToken.status).toBe(403);
    expect(hookCallsBefore).toBe(0);
    expect(starting.status).toBe(503);
    expect(runner.hook.calls).toHaveLength(1);
    expect(runner.hook.calls[0].headers.authorization).toBe('Bearer start-hook-secret');
    expect(JSON.parse(runner.hook.calls[0].body)).toEqual({ ref: 'main', inputs: { editor: alice.name, stack: `fleet-${alice.name}` } });
    expect(digitalocean.tags.has(entry.markerTag)).toBe(false);
  }, STEP_TIMEOUT_MS);

  test('(5) the hook\'s deploy of the named stack makes alice\'s droplet on the same volume; bob\'s stack is not planned', async () => {
    // GIVEN: what the hook names
    const { stack } = JSON.parse(runner.hook.calls[0].body).inputs;
    const bobCalls = standIn.calls.length;

    // WHEN
    await deploy(fleet(standIn.digitaloceanUrl, [{ ...alice, boot: { extensions: ['esbenp.prettier-vscode'] } }, bob])[stack], 'hookDeploy');

    // THEN
    const droplet = [...digitalocean.droplets.values()].find((d) => d.name.startsWith(alice.name))!;
    expect(droplet.volume_ids).toEqual([aliceVolume]);
    expect(droplet.id).not.toBe(aliceDroplet);
    const bobDroplet = [...digitalocean.droplets.values()].find((d) => d.name.startsWith(bob.name))!;
    expect(standIn.calls.slice(bobCalls).filter((c) => c.path.includes(String(bobDroplet.id)))).toEqual([]);
  }, STEP_TIMEOUT_MS);

  test('(6) once her origin answers, the visit passes through', async () => {
    // GIVEN
    runner.up.add(hostOf(alice));
    const entry = registered(tier, hostOf(alice)).value;

    // WHEN
    const started = Date.now();
    const visit = await runner.visit(hostOf(alice), runner.tokenFor(entry.accessAudience, alice.email), '/healthz');
    measured.passThrough = Date.now() - started;

    // THEN
    expect(visit).toMatchObject({ status: 200, body: `editor ${hostOf(alice)} /healthz` });
    expect(runner.hook.calls).toHaveLength(1);
  }, STEP_TIMEOUT_MS);
});
