import { App } from 'cdktf';
import { describeWithProviders, StackConfig, synthesize, TerraformWorkspace } from './terraform';
import { EXPECTED_WARNINGS, STEP_TIMEOUT_MS, TerraformTier } from './tier';
import { BasicStack, readSettings } from '../../../examples/main';
import { Home, ZeroTrustCodeServerProps } from '../../../lib';
import { BOOT_DEFAULTS } from '../../../lib/boot/code-server-user-data';

const settings = readSettings({});

/** The `basic` example, with `changes` made to its props as a later deployment would. */
function basic(changes: Partial<ZeroTrustCodeServerProps> = {}): StackConfig {
  return synthesize((outdir) => {
    const app = new App({ outdir });
    new BasicStack(app, 'basic', settings, changes);
    return app;
  })[0];
}

/** The release after the default one: what an upgrade sets. */
const NEXT_VERSION = BOOT_DEFAULTS.codeServerVersion.replace(/\d+$/, (patch: string) => String(Number(patch) + 1));

const DROPLET = 'CodeServer/Droplet/Droplet';
const FIREWALL = 'CodeServer/Droplet/Firewall';
const FIREWALL_TAG = 'CodeServer/Droplet/FirewallTag';
const SSH_KEY = 'CodeServer/Droplet/SshKey';
const PRIVATE_KEY = 'CodeServer/Droplet/PrivateKey';
/** The key whose hash names the firewall's tag: it goes and comes with the droplet, as the tag does. */
const FIREWALL_TAG_KEY = 'CodeServer/Droplet/FirewallTagKey';
const VOLUME = 'CodeServer/HomeVolume/Volume';

/**
 * A deploy rehearsal: real Terraform and the real providers against the loopback stand-in, one
 * state carried from step to step. Each step synthesizes a configuration, plans it against the
 * current state and asserts on `terraform show -json` of the plan (and, once applied, on what the
 * stand-in keeps).
 */
describeWithProviders()('deploy rehearsal of the basic example against the stand-in', () => {
  const tier = new TerraformTier();
  tier.hooks('rehearsal');
  const { cloudflare, digitalocean } = tier.standIn;
  let workspace: TerraformWorkspace;

  /** How many of each thing the stand-in keeps. */
  function kept() {
    return {
      droplets: digitalocean.droplets.size,
      volumes: digitalocean.volumes.size,
      firewalls: digitalocean.firewalls.size,
      sshKeys: digitalocean.sshKeys.size,
      tunnels: cloudflare.tunnels.size,
      tunnelConfigurations: cloudflare.tunnelConfigurations.size,
      dnsRecords: cloudflare.dnsRecords.size,
      accessApplications: cloudflare.accessApplications.size,
      accessPolicies: cloudflare.accessPolicies.size,
    };
  }

  /**
   * The DigitalOcean calls since `index` that touch a droplet or a volume, as `METHOD path type`
   * lines (the action type for actions), in the order the stand-in received them.
   */
  function dropletAndVolumeWritesSince(index: number): string[] {
    return tier.standIn.calls.slice(index)
      .filter((c) => c.method !== 'GET' && /^\/v2\/(droplets|volumes)\//.test(c.path))
      .map((c) => `${c.method} ${c.path}${(c.body as { type?: string } | undefined)?.type ? ` ${(c.body as { type: string }).type}` : ''}`);
  }

  /** Plans `config` against the current state. */
  async function planOf(config: StackConfig, options: { destroy?: boolean } = {}) {
    workspace.configure(config, tier.standIn.providerSettings());
    return workspace.plan(options);
  }

  test('apply creates every resource; a second plan changes nothing', async () => {
    // GIVEN
    const config = basic();
    ({ workspace } = await tier.workspace(config));
    const creation = await workspace.plan();

    // WHEN
    await workspace.apply(creation);
    const again = await workspace.plan();

    // THEN
    expect(again.errors).toEqual([]);
    expect(again.warnings).toEqual([]);
    expect(again.changes()).toEqual({});
    expect(Object.keys(again.actions()).sort()).toEqual([...config.paths.values()].sort());
    expect(kept()).toEqual({
      droplets: 1,
      volumes: 1,
      firewalls: 1,
      sshKeys: 1,
      tunnels: 1,
      tunnelConfigurations: 1,
      dnsRecords: 1,
      accessApplications: 1,
      accessPolicies: 1,
    });
    expect(tier.standIn.unknownCalls).toEqual([]);
  }, STEP_TIMEOUT_MS);

  test('the droplet is born under its firewall: the firewall, by tag, exists before the droplet is created', () => {
    // GIVEN
    const [droplet] = digitalocean.droplets.values();
    const [firewall] = digitalocean.firewalls.values();
    const writes = tier.standIn.calls.filter((c) => c.method === 'POST').map((c) => c.path);

    // THEN
    expect(firewall.droplet_ids).toEqual([]);
    expect(firewall.tags).toHaveLength(1);
    expect(droplet.tags).toContain(firewall.tags[0]);
    expect(droplet.firewalls_at_creation).toEqual([firewall.id]);
    expect(writes.indexOf('/v2/firewalls')).toBeLessThan(writes.indexOf('/v2/droplets'));
    expect(firewall.inbound_rules).toEqual([]);
  });

  test('renaming the droplet or the hostname never touches the home volume', async () => {
    // GIVEN
    const [volume] = digitalocean.volumes.values();

    // WHEN
    const renamedDroplet = await planOf(basic({ droplet: { name: 'renamed-box' } }));
    const renamedHost = await planOf(basic({ hostname: 'renamed.example.com' }));

    // THEN
    expect(renamedDroplet.errors).toEqual([]);
    expect(renamedDroplet.actions()[VOLUME]).toBe('no-op');
    expect(renamedDroplet.changes()[DROPLET]).toBe('update');
    expect(renamedDroplet.actions()[FIREWALL_TAG]).toBe('no-op');
    expect(renamedHost.errors).toEqual([]);
    expect(renamedHost.actions()[VOLUME]).toBe('no-op');
    expect(renamedHost.actions()[FIREWALL_TAG]).toBe('no-op');
    // The volume's name would differ; it is left as it was created.
    expect(renamedHost.json.configuration.root_module.resources.find((r: any) => r.address.startsWith('digitalocean_volume.')).expressions.name.constant_value)
      .toBe('renamed-example-com-home');
    expect(digitalocean.volumes.get(volume.id)?.name).toBe('code-example-com-home');
    expect(tier.standIn.unknownCalls).toEqual([]);
  }, STEP_TIMEOUT_MS);

  test('a new codeServerVersion replaces the droplet and keeps the home volume, tunnel, DNS record and Access', async () => {
    // GIVEN
    const [oldDroplet] = digitalocean.droplets.values();
    const [volume] = digitalocean.volumes.values();

    // WHEN
    const upgrade = await planOf(basic({ boot: { codeServerVersion: NEXT_VERSION } }));

    // THEN
    expect(upgrade.errors).toEqual([]);
    // The firewall follows the new droplet's id; everything else is left as it is.
    expect(upgrade.changes()).toEqual({ [DROPLET]: 'replace' });
    expect(upgrade.actions()[VOLUME]).toBe('no-op');
    expect(upgrade.replacedBecauseOf(DROPLET)).toEqual(['user_data']);

    // WHEN
    const callsBefore = tier.standIn.calls.length;
    await workspace.apply(upgrade);

    // THEN: the old droplet is shut down before its volume is detached and before it is deleted
    expect(dropletAndVolumeWritesSince(callsBefore).slice(0, 3)).toEqual([
      `POST /v2/droplets/${oldDroplet.id}/actions shutdown`,
      `POST /v2/volumes/${volume.id}/actions detach`,
      `DELETE /v2/droplets/${oldDroplet.id}`,
    ]);
    const [newDroplet] = digitalocean.droplets.values();
    expect(digitalocean.droplets.size).toBe(1);
    expect(newDroplet.id).not.toBe(oldDroplet.id);
    expect(newDroplet.user_data).toContain(NEXT_VERSION);
    expect([...digitalocean.volumes.keys()]).toEqual([volume.id]);
    expect(newDroplet.volume_ids).toEqual([volume.id]);
    expect(newDroplet.firewalls_at_creation).toEqual([...digitalocean.firewalls.keys()]);
    expect((await workspace.plan()).changes()).toEqual({});
    expect(tier.standIn.unknownCalls).toEqual([]);
  }, STEP_TIMEOUT_MS);

  test('running: false deletes only the droplet, its firewall and its SSH key; the home volume stays, detached', async () => {
    // GIVEN
    const [volume] = digitalocean.volumes.values();

    // WHEN
    const [droplet] = digitalocean.droplets.values();
    const stop = await planOf(basic({ boot: { codeServerVersion: NEXT_VERSION }, running: false }));
    const callsBefore = tier.standIn.calls.length;
    await workspace.apply(stop);

    // THEN
    expect(stop.errors).toEqual([]);
    expect(stop.changes()).toEqual({ [DROPLET]: 'delete', [FIREWALL]: 'delete', [FIREWALL_TAG]: 'delete', [SSH_KEY]: 'delete', [PRIVATE_KEY]: 'delete', [FIREWALL_TAG_KEY]: 'delete' });
    expect(dropletAndVolumeWritesSince(callsBefore)).toEqual([
      `POST /v2/droplets/${droplet.id}/actions shutdown`,
      `POST /v2/volumes/${volume.id}/actions detach`,
      `DELETE /v2/droplets/${droplet.id}`,
    ]);
    expect(kept()).toEqual({
      droplets: 0,
      volumes: 1,
      firewalls: 0,
      sshKeys: 0,
      tunnels: 1,
      tunnelConfigurations: 1,
      dnsRecords: 1,
      accessApplications: 1,
      accessPolicies: 1,
    });
    expect(digitalocean.volumes.get(volume.id)?.droplet_ids).toEqual([]);
    expect(tier.standIn.unknownCalls).toEqual([]);
  }, STEP_TIMEOUT_MS);

  test('running again creates a droplet, its firewall and its SSH key, with the same home volume attached', async () => {
    // GIVEN
    const [volume] = digitalocean.volumes.values();

    // WHEN
    const start = await planOf(basic({ boot: { codeServerVersion: NEXT_VERSION } }));
    await workspace.apply(start);

    // THEN
    expect(start.errors).toEqual([]);
    expect(start.changes()).toEqual({ [DROPLET]: 'create', [FIREWALL]: 'create', [FIREWALL_TAG]: 'create', [SSH_KEY]: 'create', [PRIVATE_KEY]: 'create', [FIREWALL_TAG_KEY]: 'create' });
    const [droplet] = digitalocean.droplets.values();
    expect(droplet.firewalls_at_creation).toEqual([...digitalocean.firewalls.keys()]);
    expect(droplet.volume_ids).toEqual([volume.id]);
    expect(digitalocean.volumes.get(volume.id)?.droplet_ids).toEqual([droplet.id]);
    expect((await workspace.plan()).changes()).toEqual({});
    expect(tier.standIn.unknownCalls).toEqual([]);
  }, STEP_TIMEOUT_MS);

  test('destroy is refused by prevent_destroy while the home volume is protected, and nothing is deleted', async () => {
    // GIVEN
    const callsBefore = tier.standIn.calls.length;

    // WHEN
    const destroy = await planOf(basic({ boot: { codeServerVersion: NEXT_VERSION } }), { destroy: true });

    // THEN
    expect(destroy.errors).toEqual(['Instance cannot be destroyed']);
    expect(destroy.diagnostics.find((d) => d.severity === 'error')?.detail).toContain('lifecycle.prevent_destroy');
    expect(tier.standIn.writesSince(callsBefore)).toEqual([]);
    expect(digitalocean.volumes.size).toBe(1);
    expect(tier.standIn.unknownCalls).toEqual([]);
  }, STEP_TIMEOUT_MS);

  test('with the protection lifted, destroy deletes everything but the tunnel configuration, which stays in Cloudflare', async () => {
    // GIVEN
    const unprotected = basic({ boot: { codeServerVersion: NEXT_VERSION }, home: Home.volume({ protect: false }) });
    const [tunnelConfiguration] = cloudflare.tunnelConfigurations.values();

    // WHEN
    const destroy = await planOf(unprotected, { destroy: true });
    await workspace.apply(destroy);

    // THEN
    expect(destroy.errors).toEqual([]);
    expect(destroy.warnings).toEqual([EXPECTED_WARNINGS.tunnelConfigurationStays]);
    expect(Object.values(destroy.actions())).toEqual(Array(unprotected.paths.size).fill('delete'));
    expect((await workspace.state()).values).toBeUndefined();
    expect(kept()).toEqual({
      droplets: 0,
      volumes: 0,
      firewalls: 0,
      sshKeys: 0,
      tunnels: 0,
      tunnelConfigurations: 1,
      dnsRecords: 0,
      accessApplications: 0,
      accessPolicies: 0,
    });
    expect([...cloudflare.tunnelConfigurations.values()]).toEqual([tunnelConfiguration]);
    expect(tier.standIn.unknownCalls).toEqual([]);
  }, STEP_TIMEOUT_MS);
});
