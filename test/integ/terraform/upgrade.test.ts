import { App } from 'cdktf';
import { describeWithProviders, Plan, PlannedAction, previousRelease, StackConfig, synthesize } from './terraform';
import { STEP_TIMEOUT_MS, TerraformTier } from './tier';
import { KEPT_RESOURCES, lostResources } from '../../../compat/upgrade-guard';
import { buildApp, readSettings } from '../../../examples/main';

/** The resource types whose replacement or deletion on upgrade would lose a home or a sign-in. */
const KEPT_TYPES = Object.keys(KEPT_RESOURCES);

/** The kept resources a plan deletes or replaces, with what it does to them. */
function lostIn(plan: Plan): Array<[string, PlannedAction]> {
  return Object.entries(actionsByAddress(plan)).filter(([address, action]) => KEPT_TYPES.includes(address.split('.')[0]) && ['delete', 'replace', 'forget'].includes(action));
}

let synthesized: StackConfig[] | undefined;
/** An example as this version synthesizes it (the examples synthesized once, when first asked for). */
function currentExample(name: string): StackConfig {
  synthesized ??= synthesize((outdir) => buildApp(readSettings({}), outdir) as App);
  return synthesized.find((c) => c.name === name)!;
}

/** The planned actions by Terraform address (the addresses the previous release gave are kept). */
function actionsByAddress(plan: Plan): Record<string, PlannedAction> {
  return Object.fromEntries(
    (plan.json?.resource_changes ?? [])
      .filter((c: any) => c.mode === 'managed')
      .map((c: any) => [c.address, c.change.actions.length === 2 ? 'replace' : c.change.actions[0]]),
  );
}

/**
 * An existing deployment upgrades: the examples as the previous release synthesized them (b963082,
 * recorded in previous-release/) are applied to the stand-in, then this version's synthesis is
 * planned against that state. No home volume, tunnel, Access application or policy, or DNS record
 * may be replaced or deleted; droplets may be replaced (a new boot), and the plan lists what else
 * changes in place.
 */
describeWithProviders()('upgrading a deployment of the previous release', () => {
  const tier = new TerraformTier();
  tier.hooks('upgrade');

  test.each(['basic', 'complete', 'team'] as const)('the %s example: no volume, tunnel, Access or DNS record replaced or deleted', async (name) => {
    // GIVEN: the previous release, applied
    const { workspace } = await tier.workspace(previousRelease(name));
    await workspace.apply(await workspace.plan());
    const volumesBefore = [...tier.standIn.digitalocean.volumes.keys()];

    // WHEN: this version is planned against its state, and applied
    workspace.configure(currentExample(name), tier.standIn.providerSettings());
    const upgrade = await workspace.plan();
    await workspace.apply(upgrade);

    // THEN
    expect(upgrade.errors).toEqual([]);
    const actions = actionsByAddress(upgrade);
    expect(lostIn(upgrade)).toEqual([]);
    const summary = Object.entries(actions).filter(([, a]) => a !== 'no-op').map(([address, a]) => `${a} ${address}`).sort();
    console.log(`Upgrade of ${name} from the previous release:\n  ${summary.join('\n  ')}`);
    expect(Object.entries(actions).filter(([address, a]) => a === 'replace' && !address.startsWith('digitalocean_droplet.'))).toEqual([]);
    for (const id of volumesBefore) expect(tier.standIn.digitalocean.volumes.has(id)).toBe(true);
    expect((await workspace.plan()).changes()).toEqual({});
    expect(tier.standIn.unknownCalls).toEqual([]);
  }, STEP_TIMEOUT_MS);
});

// The guard CI runs without Terraform (compat/upgrade-guard.ts) knows which attributes replace a
// kept resource; here the real providers plan each of them against the previous release's state
// (a stand-in of its own), and the plan check above fails on each.
describeWithProviders()('the upgrade guard against the real providers', () => {
  const tier = new TerraformTier();
  tier.hooks('upgrade guard');

  test('each attribute the upgrade guard calls replacing makes the real providers replace, and fails the check', async () => {
    // GIVEN: the basic example of the previous release, applied
    const previous = previousRelease('basic');
    const { workspace } = await tier.workspace(previous);
    await workspace.apply(await workspace.plan());
    const other = 'f'.repeat(32);
    const changes: Array<[string, string, unknown]> = [
      ['digitalocean_volume', 'region', 'ams3'],
      ['digitalocean_volume', 'initial_filesystem_type', 'xfs'],
      ['digitalocean_volume', 'initial_filesystem_label', 'home'],
      ['digitalocean_volume', 'snapshot_id', '1234'],
      ['cloudflare_zero_trust_tunnel_cloudflared', 'account_id', other],
      ['cloudflare_zero_trust_tunnel_cloudflared', 'config_src', 'local'],
      ['cloudflare_zero_trust_access_application', 'account_id', other],
      ['cloudflare_zero_trust_access_policy', 'account_id', other],
      ['cloudflare_dns_record', 'zone_id', other],
    ];
    // Every replacing attribute of the guard is among the changes tried.
    expect(Object.entries(KEPT_RESOURCES).flatMap(([type, attributes]) => attributes.map((a) => `${type}.${a}`)).filter((a) => !changes.some(([t, n]) => `${t}.${n}` === a))).toEqual([]);
    const config = currentExample('basic');
    /** Configures the workspace with this version's basic example, its first resource of `type` changed by `change`. */
    const configureChanged = (type: string, change: (body: any) => void) => {
      const json = structuredClone(config.json);
      const [id, body] = Object.entries<any>(json.resource[type])[0];
      change(body);
      workspace.configure({ ...config, json }, tier.standIn.providerSettings());
      return { json, id, body };
    };
    for (const [type, attribute, value] of changes) {
      // WHEN: this version, that one attribute changed, is planned
      const { json, id, body } = configureChanged(type, (b) => {
        b[attribute] = value;
        if (attribute === 'snapshot_id') delete b.initial_filesystem_type;
      });
      if (body.lifecycle?.prevent_destroy) {
        // A home volume is prevent_destroy: Terraform refuses the plan outright. Without it, the
        // plan shows what it would do.
        expect([attribute, (await workspace.plan()).errors]).toEqual([attribute, ['Instance cannot be destroyed']]);
        delete body.lifecycle.prevent_destroy;
        workspace.configure({ ...config, json }, tier.standIn.providerSettings());
      }
      const plan = await workspace.plan();

      // THEN: the providers replace it, the plan check fails, and the guard says so too
      expect([attribute, plan.errors]).toEqual([attribute, []]);
      expect([attribute, lostIn(plan)]).toEqual([attribute, [[`${type}.${id}`, 'replace']]]);
      expect(lostResources(previous.json, json).map((l) => [l.address, l.action])).toContainEqual([`${type}.${id}`, 'replace']);
    }

    // A smaller home volume: the provider refuses the plan, and the guard says it fails.
    const { json, id } = configureChanged('digitalocean_volume', (volume) => { volume.size = 10; });
    expect((await workspace.plan()).errors).toEqual(['volumes `size` can only be expanded and not shrunk']);
    expect(lostResources(previous.json, json)).toEqual([expect.objectContaining({ address: `digitalocean_volume.${id}`, action: 'fail' })]);
  }, STEP_TIMEOUT_MS);
});
