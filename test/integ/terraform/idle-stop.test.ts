import { mkdtempSync, rmSync, writeFileSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';
import { DigitaloceanProvider } from '@cdktf/provider-digitalocean/lib/provider';
import { TlsProvider } from '@cdktf/provider-tls/lib/provider';
import { App, Lazy, TerraformOutput, TerraformStack, TerraformVariable, Token } from 'cdktf';
import { Construct } from 'constructs';
import { ControlPlaneRunner } from './control-plane-runner';
import { ApiStandIn } from './stand-in';
import { describeWithDigitalOceanProviders, describeWithProviders, StackConfig, synthesize, TerraformWorkspace } from './terraform';
import { STEP_TIMEOUT_MS, TerraformTier } from './tier';
import { BasicStack, readSettings } from '../../../examples/main';
import { CodeServerDroplet, ControlPlane, FirewallProtocol, HomeVolume, IdleStopMarker, OutboundRule, StartHook, ZeroTrustCodeServerProps } from '../../../lib';

const settings = readSettings({});
const DROPLET = 'CodeServer/Droplet/Droplet';
const VOLUME = 'CodeServer/HomeVolume/Volume';
const DNS = 'CodeServer/Dns/Record';

/** The basic example with an idle stop and its control plane, and `changes` as a later deployment would make them. */
function basic(digitaloceanApiUrl: string, changes: Partial<ZeroTrustCodeServerProps> = {}): StackConfig {
  return synthesize((outdir) => {
    const app = new App({ outdir });
    const variables: Record<string, TerraformVariable> = {};
    const secret = (name: string) => Token.asString(Lazy.stringValue({ produce: () => variables[name].stringValue }));
    const stack = new BasicStack(app, 'basic', settings, {
      idleStop: { idleMinutes: 30 },
      controlPlane: ControlPlane.create({
        digitaloceanToken: secret('control_plane_token'),
        startHook: StartHook.webhook({ url: 'https://hook.example.com/deploy', secret: secret('start_hook_secret') }),
        digitaloceanApiUrl,
      }),
      ...changes,
    });
    for (const name of ['control_plane_token', 'start_hook_secret']) variables[name] = new TerraformVariable(stack, name, { type: 'string', sensitive: true });
    return app;
  })[0];
}

/**
 * The idle stop of a single editor as Terraform sees it, against the stand-in: the droplet powers
 * itself off (it holds no token and calls no API), the control plane's cron (the Worker Terraform
 * uploaded, in workerd) plants the marker and deletes the droplet, an unrelated deploy plans
 * nothing for it, and with the marker deleted (a start) a deploy brings it back on the same volume.
 */
describeWithProviders()('idle stop rehearsal of the basic example against the stand-in', () => {
  const tier = new TerraformTier();
  tier.hooks('idle stop');
  const { digitalocean } = tier.standIn;
  const runner = new ControlPlaneRunner(tier.standIn);
  afterAll(() => runner.stop());
  let workspace: TerraformWorkspace;
  let volumeId: string;
  let markerTag: string;
  const config = (changes: Partial<ZeroTrustCodeServerProps> = {}) => basic(tier.standIn.digitaloceanUrl, changes);

  /** A call to the stand-in as the control plane's start makes it. */
  async function asTheControlPlane(method: string, path: string): Promise<number> {
    const { api_endpoint: endpoint, token } = tier.standIn.providerSettings().digitalocean[0] as { api_endpoint: string; token: string };
    const response = await fetch(`${endpoint}/v2/${path}`, { method, headers: { authorization: `Bearer ${token}` } });
    return response.status;
  }

  async function planOf(stack: StackConfig) {
    workspace.configure(stack, tier.standIn.providerSettings());
    writeFileSync(join(workspace.dir, 'terraform.tfvars.json'), JSON.stringify({ control_plane_token: digitalocean.token, start_hook_secret: 'start-hook-secret' }));
    return workspace.plan();
  }

  function output(plan: { json: any }, name: string): unknown {
    return plan.json.output_changes?.[name]?.after ?? plan.json.planned_values?.outputs?.[name]?.value;
  }

  test('apply creates the droplet at index 0 with the home volume; the marker is absent; a second plan changes nothing', async () => {
    ({ workspace } = await tier.workspace(config()));
    const creation = await planOf(config());
    expect(creation.errors).toEqual([]);
    await workspace.apply(creation);
    const again = await workspace.plan();

    expect(again.changes()).toEqual({});
    expect(again.actions()[VOLUME]).toBe('no-op');
    expect(output(again, 'CodeServer-idle-stopped')).toBe('false');
    markerTag = output(again, 'CodeServer-idle-marker') as string;
    expect(markerTag).toMatch(/^ztcs-idle-[0-9a-f]{20}$/);
    const [droplet] = digitalocean.droplets.values();
    const [volume] = digitalocean.volumes.values();
    volumeId = volume.id;
    expect(droplet.volume_ids).toEqual([volumeId]);
    expect(output(again, 'CodeServer-droplet-id')).toBe(String(droplet.id));
  }, STEP_TIMEOUT_MS);

  test('after an idle stop, an unrelated change plans only that change: the droplet stays stopped, the volume untouched, and the outputs say why', async () => {
    // GIVEN the droplet powered itself off (no API call), and the control plane's cron ran
    const [droplet] = digitalocean.droplets.values();
    const before = tier.standIn.calls.length;
    digitalocean.powerOff(droplet.id);
    expect(tier.standIn.calls.length).toBe(before);
    await runner.start();
    await runner.cron();
    expect(digitalocean.droplets.size).toBe(0);

    // WHEN
    const plan = await planOf(config({ dns: { recordComment: 'a setting changed for everyone' } }));

    // THEN
    expect(plan.errors).toEqual([]);
    expect(plan.changes()).toEqual({ [DNS]: 'update' });
    expect(plan.actions()[DROPLET]).toBeUndefined();
    expect(plan.actions()[VOLUME]).toBe('no-op');
    expect(output(plan, 'CodeServer-idle-stopped')).toBe('true');
    expect(output(plan, 'CodeServer-droplet-id')).toBe('');

    // WHEN applied
    const writes = tier.standIn.calls.length;
    await workspace.apply(plan);

    // THEN no droplet and no volume call
    expect(digitalocean.droplets.size).toBe(0);
    expect(tier.standIn.writesSince(writes).filter((w) => /droplets|volumes/.test(w))).toEqual([]);
    expect(digitalocean.volumes.get(volumeId)).toMatchObject({ droplet_ids: [] });
  }, STEP_TIMEOUT_MS);

  test('start: with the marker deleted, a deploy creates the droplet on the same volume, and touches the volume with no call', async () => {
    // GIVEN
    expect(await asTheControlPlane('DELETE', `tags/${markerTag}`)).toBe(204);

    // WHEN
    const plan = await planOf(config({ dns: { recordComment: 'a setting changed for everyone' } }));
    const writes = tier.standIn.calls.length;
    await workspace.apply(plan);

    // THEN
    expect(plan.changes()).toEqual({ [DROPLET]: 'create' });
    expect(plan.actions()[VOLUME]).toBe('no-op');
    expect(tier.standIn.writesSince(writes).filter((w) => /volumes/.test(w))).toEqual([]);
    const [droplet] = digitalocean.droplets.values();
    expect(droplet.volume_ids).toEqual([volumeId]);
    const again = await workspace.plan();
    expect(again.changes()).toEqual({});
    expect(output(again, 'CodeServer-idle-stopped')).toBe('false');
  }, STEP_TIMEOUT_MS);
});

/** The DigitalOcean part of an editor with an idle stop: its marker, its home volume and its droplet. */
class DigitalOceanPart extends TerraformStack {
  constructor(scope: Construct, id: string, outboundRules?: OutboundRule[]) {
    super(scope, id);
    new DigitaloceanProvider(this, 'digitalocean');
    new TlsProvider(this, 'tls');
    const home = new HomeVolume(this, 'HomeVolume', { volumeName: 'code-example-com-home', region: 'fra1' });
    const marker = new IdleStopMarker(this, 'IdleStop', { markerTag: DIGITALOCEAN_MARKER });
    new CodeServerDroplet(this, 'Droplet', {
      hostname: 'code.example.com',
      userData: '#cloud-config\n',
      volumeIds: [home.volume.id],
      count: marker.dropletCount,
      outboundRules,
    });
    new TerraformOutput(this, 'stopped', { value: marker.stopped });
  }
}

const DIGITALOCEAN_MARKER = 'ztcs-idle-0123456789abcdef';
const PART_DROPLET = 'Droplet/Droplet';
const PART_VOLUME = 'HomeVolume/Volume';
const PART_FIREWALL = 'Droplet/Firewall';

/**
 * The same rehearsal with the DigitalOcean provider only (and TLS), where the Cloudflare provider
 * is absent: the marker, the droplet's count and its volume, as the editor composes them.
 */
describeWithDigitalOceanProviders()('idle stop rehearsal of the DigitalOcean part against the stand-in', () => {
  const standIn = new ApiStandIn();
  const { digitalocean } = standIn;
  let pluginCache: string;
  let workspace: TerraformWorkspace;
  let volumeId: string;

  const part = (outboundRules?: OutboundRule[]) => synthesize((outdir) => {
    const app = new App({ outdir });
    new DigitalOceanPart(app, 'part', outboundRules);
    return app;
  })[0];
  const digitaloceanOnly = () => ({ digitalocean: standIn.providerSettings().digitalocean });
  const plan = async (config: StackConfig) => {
    workspace.configure(config, digitaloceanOnly());
    return workspace.plan();
  };

  beforeAll(async () => {
    await standIn.start();
    pluginCache = mkdtempSync(join(tmpdir(), 'ztcs-plugin-cache-'));
  });
  afterAll(async () => {
    await standIn.stop();
    workspace?.remove();
    rmSync(pluginCache, { recursive: true, force: true });
  });

  async function asTheControlPlane(method: string, path: string, body?: unknown): Promise<number> {
    const { api_endpoint: endpoint, token } = standIn.providerSettings().digitalocean[0] as { api_endpoint: string; token: string };
    const response = await fetch(`${endpoint}/v2/${path}`, {
      method,
      headers: { 'authorization': `Bearer ${token}`, 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    return response.status;
  }

  test('apply creates the droplet with its volume while the marker is absent; a second plan changes nothing', async () => {
    workspace = new TerraformWorkspace(pluginCache);
    workspace.configure(part(), digitaloceanOnly());
    await workspace.init();
    const creation = await workspace.plan();
    expect(creation.errors).toEqual([]);
    await workspace.apply(creation);
    const again = await workspace.plan();
    expect(again.changes()).toEqual({});
    const [droplet] = digitalocean.droplets.values();
    volumeId = [...digitalocean.volumes.keys()][0];
    expect(droplet.volume_ids).toEqual([volumeId]);
    expect(again.json.planned_values.outputs.stopped.value).toBe('false');
  }, STEP_TIMEOUT_MS);

  test('after an idle stop, an unrelated change (the firewall) plans nothing for the droplet and nothing for the volume', async () => {
    const [droplet] = digitalocean.droplets.values();
    expect(await asTheControlPlane('POST', 'tags', { name: DIGITALOCEAN_MARKER })).toBe(201);
    expect(await asTheControlPlane('DELETE', `droplets/${droplet.id}`)).toBe(204);

    const changed = await plan(part([{ protocol: FirewallProtocol.TCP }, { protocol: FirewallProtocol.UDP, portRange: '7844' }]));
    expect(changed.errors).toEqual([]);
    expect(changed.changes()).toEqual({ [PART_FIREWALL]: 'update' });
    expect(changed.actions()[PART_DROPLET]).toBeUndefined();
    expect(changed.actions()[PART_VOLUME]).toBe('no-op');
    expect(changed.json.planned_values.outputs.stopped.value).toBe('true');
    const writes = standIn.calls.length;
    await workspace.apply(changed);
    expect(standIn.writesSince(writes).filter((w) => /droplets|volumes/.test(w))).toEqual([]);
    expect(digitalocean.droplets.size).toBe(0);
  }, STEP_TIMEOUT_MS);

  test('start: with the marker deleted, a deploy creates the droplet on the same volume', async () => {
    expect(await asTheControlPlane('DELETE', `tags/${DIGITALOCEAN_MARKER}`)).toBe(204);
    const start = await plan(part([{ protocol: FirewallProtocol.TCP }, { protocol: FirewallProtocol.UDP, portRange: '7844' }]));
    expect(start.changes()).toEqual({ [PART_DROPLET]: 'create' });
    expect(start.actions()[PART_VOLUME]).toBe('no-op');
    const writes = standIn.calls.length;
    await workspace.apply(start);
    expect(standIn.writesSince(writes).filter((w) => /volumes/.test(w))).toEqual([]);
    const [droplet] = digitalocean.droplets.values();
    expect(droplet.volume_ids).toEqual([volumeId]);
  }, STEP_TIMEOUT_MS);
});
