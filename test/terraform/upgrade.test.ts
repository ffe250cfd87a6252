import { App } from 'cdktf';
import { describeWithProviders, Plan, PlannedAction, previousRelease, synthesize } from './terraform';
import { STEP_TIMEOUT_MS, TerraformTier } from './tier';
import { buildApp, readSettings } from '../../examples/main';

/** The resource types whose replacement or deletion on upgrade would lose a home or a sign-in. */
const KEPT_TYPES = [
  'digitalocean_volume',
  'cloudflare_zero_trust_tunnel_cloudflared',
  'cloudflare_zero_trust_access_application',
  'cloudflare_zero_trust_access_policy',
  'cloudflare_dns_record',
];

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
  const current = synthesize((outdir) => buildApp(readSettings({}), outdir) as App);

  test.each(['basic', 'complete', 'team'] as const)('the %s example: no volume, tunnel, Access or DNS record replaced or deleted', async (name) => {
    // GIVEN: the previous release, applied
    const { workspace } = await tier.workspace(previousRelease(name));
    await workspace.apply(await workspace.plan());
    const volumesBefore = [...tier.standIn.digitalocean.volumes.keys()];

    // WHEN: this version is planned against its state, and applied
    const config = current.find((c) => c.name === name)!;
    workspace.configure(config, tier.standIn.providerSettings());
    const upgrade = await workspace.plan();
    await workspace.apply(upgrade);

    // THEN
    expect(upgrade.errors).toEqual([]);
    const actions = actionsByAddress(upgrade);
    const touched = Object.entries(actions).filter(([address, action]) => KEPT_TYPES.includes(address.split('.')[0]) && ['delete', 'replace', 'forget'].includes(action));
    expect(touched).toEqual([]);
    const summary = Object.entries(actions).filter(([, a]) => a !== 'no-op').map(([address, a]) => `${a} ${address}`).sort();
    console.log(`Upgrade of ${name} from the previous release:\n  ${summary.join('\n  ')}`);
    expect(Object.entries(actions).filter(([address, a]) => a === 'replace' && !address.startsWith('digitalocean_droplet.'))).toEqual([]);
    for (const id of volumesBefore) expect(tier.standIn.digitalocean.volumes.has(id)).toBe(true);
    expect((await workspace.plan()).changes()).toEqual({});
    expect(tier.standIn.unknownCalls).toEqual([]);
  }, STEP_TIMEOUT_MS);
});
