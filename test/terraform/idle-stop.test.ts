import { App, Lazy, Token } from 'cdktf';
import { describeWithProviders, StackConfig, synthesize, TerraformWorkspace } from './terraform';
import { STEP_TIMEOUT_MS, TerraformTier } from './tier';
import { BasicStack, readSettings } from '../../examples/main';
import { ZeroTrustCodeServerProps } from '../../lib';

const settings = readSettings({});
const DROPLET = 'CodeServer/Droplet/Droplet';
const VOLUME = 'CodeServer/HomeVolume/Volume';
const DNS = 'CodeServer/Dns/DnsRecord';

/** The basic example with an idle stop, and `changes` as a later deployment would make them. */
function basic(changes: Partial<ZeroTrustCodeServerProps> = {}): StackConfig {
  return synthesize((outdir) => {
    const app = new App({ outdir });
    new BasicStack(app, 'basic', settings, {
      idleStop: { idleMinutes: 30, digitaloceanToken: Token.asString(Lazy.stringValue({ produce: () => 'idle-stop-token' })) },
      ...changes,
    });
    return app;
  })[0];
}

/**
 * The idle stop as Terraform sees it, against the stand-in: the droplet stops itself (the
 * stand-in is given the marker tag and the droplet's deletion, as the droplet would send them),
 * an unrelated deploy plans nothing for it, and deleting the marker starts it on the same volume.
 */
describeWithProviders()('idle stop rehearsal of the basic example against the stand-in', () => {
  const tier = new TerraformTier();
  tier.hooks('idle stop');
  const { digitalocean } = tier.standIn;
  let workspace: TerraformWorkspace;
  let volumeId: string;
  let markerTag: string;

  /** A call to the stand-in as the droplet makes it. */
  async function asTheDroplet(method: string, path: string, body?: unknown): Promise<number> {
    const { api_endpoint: endpoint, token } = tier.standIn.providerSettings().digitalocean[0] as { api_endpoint: string; token: string };
    const response = await fetch(`${endpoint}/v2/${path}`, {
      method,
      headers: { 'authorization': `Bearer ${token}`, 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    return response.status;
  }

  async function planOf(config: StackConfig) {
    workspace.configure(config, tier.standIn.providerSettings());
    return workspace.plan();
  }

  function output(plan: { json: any }, name: string): unknown {
    return plan.json.output_changes?.[name]?.after ?? plan.json.planned_values?.outputs?.[name]?.value;
  }

  test('apply creates the droplet at index 0 with the home volume; the marker is absent; a second plan changes nothing', async () => {
    const config = basic();
    ({ workspace } = await tier.workspace(config));
    const creation = await workspace.plan();
    expect(creation.errors).toEqual([]);
    await workspace.apply(creation);
    const again = await workspace.plan();

    expect(again.changes()).toEqual({});
    expect(again.actions()[VOLUME]).toBe('no-op');
    expect(output(again, 'CodeServer-idle-stopped')).toBe('false');
    markerTag = output(again, 'CodeServer-idle-marker') as string;
    expect(markerTag).toMatch(/^ztcs-idle-[0-9a-f]{16}$/);
    const [droplet] = digitalocean.droplets.values();
    const [volume] = digitalocean.volumes.values();
    volumeId = volume.id;
    expect(droplet.volume_ids).toEqual([volumeId]);
    expect(output(again, 'CodeServer-droplet-id')).toBe(String(droplet.id));
  }, STEP_TIMEOUT_MS);

  test('after an idle stop, an unrelated change plans only that change: the droplet stays stopped, the volume untouched, and the outputs say why', async () => {
    // GIVEN the droplet's own calls at its idle stop: the marker, then its deletion.
    const [droplet] = digitalocean.droplets.values();
    expect(await asTheDroplet('POST', 'tags', { name: markerTag })).toBe(201);
    expect(await asTheDroplet('DELETE', `droplets/${droplet.id}`)).toBe(204);

    // WHEN
    const plan = await planOf(basic({ dnsRecordComment: 'a setting changed for everyone' }));

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
    expect(await asTheDroplet('DELETE', `tags/${markerTag}`)).toBe(204);

    // WHEN
    const plan = await planOf(basic({ dnsRecordComment: 'a setting changed for everyone' }));
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
