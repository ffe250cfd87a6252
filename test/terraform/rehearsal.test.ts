import { App } from 'cdktf';
import { describeWithProviders, StackConfig, synthesize, TerraformWorkspace } from './terraform';
import { EXPECTED_WARNINGS, STEP_TIMEOUT_MS, TerraformTier } from './tier';
import { BasicStack, readSettings } from '../../examples/main';
import { ZeroTrustCodeServerProps } from '../../lib';
import { BOOT_DEFAULTS } from '../../lib/boot/code-server-user-data';

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
const SSH_KEY = 'CodeServer/Droplet/SshKey';
const PRIVATE_KEY = 'CodeServer/Droplet/PrivateKey';
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

  test('a new codeServerVersion replaces the droplet and keeps the home volume, tunnel, DNS record and Access', async () => {
    // GIVEN
    const [oldDroplet] = digitalocean.droplets.values();
    const [volume] = digitalocean.volumes.values();

    // WHEN
    const upgrade = await planOf(basic({ codeServerVersion: NEXT_VERSION }));

    // THEN
    expect(upgrade.errors).toEqual([]);
    // The firewall follows the new droplet's id; everything else is left as it is.
    expect(upgrade.changes()).toEqual({ [DROPLET]: 'replace', [FIREWALL]: 'update' });
    expect(upgrade.actions()[VOLUME]).toBe('no-op');
    expect(upgrade.replacedBecauseOf(DROPLET)).toEqual(['user_data']);

    // WHEN
    await workspace.apply(upgrade);

    // THEN
    const [newDroplet] = digitalocean.droplets.values();
    expect(digitalocean.droplets.size).toBe(1);
    expect(newDroplet.id).not.toBe(oldDroplet.id);
    expect(newDroplet.user_data).toContain(NEXT_VERSION);
    expect([...digitalocean.volumes.keys()]).toEqual([volume.id]);
    expect(newDroplet.volume_ids).toEqual([volume.id]);
    expect([...digitalocean.firewalls.values()][0].droplet_ids).toEqual([newDroplet.id]);
    expect((await workspace.plan()).changes()).toEqual({});
    expect(tier.standIn.unknownCalls).toEqual([]);
  }, STEP_TIMEOUT_MS);

  test('running: false deletes only the droplet, its firewall and its SSH key; the home volume stays, detached', async () => {
    // GIVEN
    const [volume] = digitalocean.volumes.values();

    // WHEN
    const stop = await planOf(basic({ codeServerVersion: NEXT_VERSION, running: false }));
    await workspace.apply(stop);

    // THEN
    expect(stop.errors).toEqual([]);
    expect(stop.changes()).toEqual({ [DROPLET]: 'delete', [FIREWALL]: 'delete', [SSH_KEY]: 'delete', [PRIVATE_KEY]: 'delete' });
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
    const start = await planOf(basic({ codeServerVersion: NEXT_VERSION }));
    await workspace.apply(start);

    // THEN
    expect(start.errors).toEqual([]);
    expect(start.changes()).toEqual({ [DROPLET]: 'create', [FIREWALL]: 'create', [SSH_KEY]: 'create', [PRIVATE_KEY]: 'create' });
    const [droplet] = digitalocean.droplets.values();
    expect(droplet.volume_ids).toEqual([volume.id]);
    expect(digitalocean.volumes.get(volume.id)?.droplet_ids).toEqual([droplet.id]);
    expect((await workspace.plan()).changes()).toEqual({});
    expect(tier.standIn.unknownCalls).toEqual([]);
  }, STEP_TIMEOUT_MS);

  test('destroy is refused by prevent_destroy while the home volume is protected, and nothing is deleted', async () => {
    // GIVEN
    const callsBefore = tier.standIn.calls.length;

    // WHEN
    const destroy = await planOf(basic({ codeServerVersion: NEXT_VERSION }), { destroy: true });

    // THEN
    expect(destroy.errors).toEqual(['Instance cannot be destroyed']);
    expect(destroy.diagnostics.find((d) => d.severity === 'error')?.detail).toContain('lifecycle.prevent_destroy');
    expect(tier.standIn.writesSince(callsBefore)).toEqual([]);
    expect(digitalocean.volumes.size).toBe(1);
    expect(tier.standIn.unknownCalls).toEqual([]);
  }, STEP_TIMEOUT_MS);

  test('with the protection lifted, destroy deletes everything but the tunnel configuration, which stays in Cloudflare', async () => {
    // GIVEN
    const unprotected = basic({ codeServerVersion: NEXT_VERSION, protectHomeVolume: false });
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
