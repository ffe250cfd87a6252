import { readFileSync, writeFileSync } from 'fs';
import { join } from 'path';
import { DigitaloceanProvider } from '@cdktf/provider-digitalocean/lib/provider';
import { TlsProvider } from '@cdktf/provider-tls/lib/provider';
import { App, TerraformStack } from 'cdktf';
import { Construct } from 'constructs';
import {
  describeWithDigitalOceanProviders, describeWithProviders, Plan, PlannedAction, previousMain, previousRelease, readingStatesOf, StackConfig,
  stackConfigOf, synthesize, TerraformWorkspace,
} from './terraform';
import { STEP_TIMEOUT_MS, TerraformTier } from './tier';
import { KEPT_RESOURCES, lostResources } from '../../../compat/upgrade-guard';
import { buildApp, readSettings } from '../../../examples/main';
import { CodeServerDroplet, HomeVolume, IdleStopMarker } from '../../../lib';

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

/** The replaced and deleted resources of a plan, counted by type: what an upgrade costs. */
function replacedAndDeletedByType(plan: Plan): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const [address, action] of Object.entries(actionsByAddress(plan))) {
    if (action !== 'replace' && action !== 'delete' && action !== 'forget') continue;
    const key = `${action} ${address.split('.')[0]}`;
    counts[key] = (counts[key] ?? 0) + 1;
  }
  return counts;
}

/** The types an upgrade from main (fb68b16) may replace: the droplets and their firewall tags, whose names changed. */
const REPLACEABLE_FROM_MAIN = ['digitalocean_droplet', 'digitalocean_tag'];

/**
 * An existing deployment of main at fb68b16 upgrades: its tags' names get a part of the
 * deployment's own. The plan replaces the droplets and their firewall tags, and nothing else; the
 * stand-in looks after every write for a droplet outside every firewall, and finds none.
 */
describeWithProviders()('upgrading a deployment of main (fb68b16), whose tags had guessable names', () => {
  const tier = new TerraformTier();
  tier.hooks('upgrade from main');

  test.each(['basic', 'complete', 'team'] as const)('the %s example: only droplets and tags replaced, no droplet ever outside its firewall', async (name) => {
    // GIVEN: main at fb68b16, applied
    const { workspace } = await tier.workspace(previousMain(name));
    await workspace.apply(await workspace.plan());
    const volumesBefore = [...tier.standIn.digitalocean.volumes.keys()];
    const uncoveredBefore = tier.standIn.digitalocean.uncovered.length;

    // WHEN
    workspace.configure(currentExample(name), tier.standIn.providerSettings());
    const upgrade = await workspace.plan();
    await workspace.apply(upgrade);

    // THEN
    expect(upgrade.errors).toEqual([]);
    const counts = replacedAndDeletedByType(upgrade);
    console.log(`Upgrade of ${name} from main (fb68b16), replaced and deleted by type: ${JSON.stringify(counts)}`);
    expect(Object.keys(counts).filter((key) => !REPLACEABLE_FROM_MAIN.map((t) => `replace ${t}`).includes(key))).toEqual([]);
    expect(lostIn(upgrade)).toEqual([]);
    for (const id of volumesBefore) expect(tier.standIn.digitalocean.volumes.has(id)).toBe(true);
    expect(tier.standIn.digitalocean.uncovered.slice(uncoveredBefore)).toEqual([]);
    expect((await workspace.plan()).changes()).toEqual({});
  }, STEP_TIMEOUT_MS);
});

/** The fleet example's stacks, in the order they deploy (the base stack first). */
const FLEET_STACKS = ['fleet', 'fleet-alice', 'fleet-bob', 'fleet-carol'];

/** A stack of the fleet example as main synthesized it at a96aab9 (previous-main/fleet*.json), before the team layout. */
function previousMainFleet(name: string): StackConfig {
  return stackConfigOf(name, JSON.parse(readFileSync(join(__dirname, 'previous-main', `${name}.json`), 'utf8')));
}

/**
 * The fleet example deployed from main at a96aab9 (a state per stack) upgrades stack by stack:
 * each plan may replace droplets and nothing else, loses no kept resource, and a second plan is
 * clean. Recorded before the team layout replaces CodeServerFleet, so that the change proves it.
 */
describeWithProviders()('upgrading a deployment of the fleet example from main (a96aab9)', () => {
  const tier = new TerraformTier();
  tier.hooks('upgrade of the fleet from main');
  const workspaces: Record<string, TerraformWorkspace> = {};

  /** Configures a stack's workspace (made the first time), reading the base stack's state, its sensitive variables set. */
  async function workspaceOf(config: StackConfig): Promise<TerraformWorkspace> {
    const configured = config.name === 'fleet' ? config : readingStatesOf(config, { fleet: workspaces.fleet.stateFile });
    workspaces[config.name] ??= (await tier.workspace(configured)).workspace;
    workspaces[config.name].configure(configured, tier.standIn.providerSettings());
    const declared = Object.keys(configured.json.variable ?? {});
    // The sensitive variables' values, as a deploy sets them (TF_VAR_…): main's idle stop token, this version's control plane's tokens.
    const secrets: Record<string, string> = { idle_stop_token: 'idle-stop-token', control_plane_token: 'control-plane-token', start_hook_token: 'start-hook-token' };
    writeFileSync(join(workspaces[config.name].dir, 'terraform.tfvars.json'), JSON.stringify(Object.fromEntries(declared.filter((name) => name in secrets).map((name) => [name, secrets[name]]))));
    return workspaces[config.name];
  }

  test('each stack plans droplet replacements at most, loses no volume, tunnel, Access or DNS record, and plans clean after', async () => {
    // GIVEN: main's fleet, applied stack by stack
    for (const name of FLEET_STACKS) {
      const workspace = await workspaceOf(previousMainFleet(name));
      await workspace.apply(await workspace.plan());
    }
    const volumesBefore = [...tier.standIn.digitalocean.volumes.keys()];

    for (const name of FLEET_STACKS) {
      // WHEN: this version's stack, planned against its state, and applied
      const workspace = await workspaceOf(currentExample(name));
      const upgrade = await workspace.plan();
      expect([name, upgrade.errors]).toEqual([name, []]);
      await workspace.apply(upgrade);

      // THEN
      const counts = replacedAndDeletedByType(upgrade);
      console.log(`Upgrade of ${name} from main (a96aab9), replaced and deleted by type: ${JSON.stringify(counts)}`);
      expect([name, Object.keys(counts).filter((key) => key !== 'replace digitalocean_droplet')]).toEqual([name, []]);
      expect([name, lostIn(upgrade)]).toEqual([name, []]);
      expect([name, (await workspace.plan()).changes()]).toEqual([name, {}]);
    }
    for (const id of volumesBefore) expect(tier.standIn.digitalocean.volumes.has(id)).toBe(true);
    expect(tier.standIn.unknownCalls).toEqual([]);
  }, STEP_TIMEOUT_MS);
});

/** The DigitalOcean part of an editor with an idle stop, at the editor's paths, as this version composes it. */
class DigitalOceanPart extends TerraformStack {
  constructor(scope: Construct, id: string) {
    super(scope, id);
    new DigitaloceanProvider(this, 'digitalocean');
    new TlsProvider(this, 'tls');
    const editor = new Construct(this, 'CodeServer');
    const home = new HomeVolume(editor, 'HomeVolume', { volumeName: 'code-example-com-home', region: 'fra1' });
    const marker = new IdleStopMarker(editor, 'IdleStop', {});
    new CodeServerDroplet(editor, 'Droplet', { hostname: 'code.example.com', userData: '#cloud-config\n', volumeIds: [home.volume.id], count: marker.dropletCount });
  }
}

/**
 * The same upgrade with the DigitalOcean and TLS providers only (the Cloudflare provider may be
 * absent): an editor's DigitalOcean part with an idle stop, its user data unchanged, so that the
 * new tag alone replaces the droplet. The marker's new name is known at plan (the droplet's count
 * needs it), and the order of the writes never leaves the droplet outside its firewall.
 */
describeWithDigitalOceanProviders()('upgrading the DigitalOcean part of an editor with an idle stop from main (fb68b16)', () => {
  const tier = new TerraformTier();
  tier.hooks('upgrade of the DigitalOcean part from main');
  const { standIn } = tier;
  const { digitalocean } = standIn;

  test('replaces the droplet and its tag only, creates the names\' key and record, keeps the volume, and the droplet is never outside its firewall', async () => {
    // GIVEN: main's part, applied
    const settings = { digitalocean: standIn.providerSettings().digitalocean };
    const { workspace } = await tier.workspace(previousMain('digitalocean-part'), settings);
    await workspace.apply(await workspace.plan());
    const [volumeId] = digitalocean.volumes.keys();
    const [oldDroplet] = digitalocean.droplets.values();
    const [oldTag] = oldDroplet.tags.filter((t) => t.startsWith('ztcs-fw-'));
    const writesFrom = standIn.calls.length;

    // WHEN
    const current = synthesize((outdir) => {
      const app = new App({ outdir });
      new DigitalOceanPart(app, 'part');
      return app;
    })[0];
    workspace.configure(current, settings);
    const upgrade = await workspace.plan();
    expect(upgrade.diagnostics.filter((d) => d.severity === 'error')).toEqual([]);
    await workspace.apply(upgrade);

    // THEN: the plan
    expect(upgrade.errors).toEqual([]);
    expect(upgrade.changes()).toEqual({
      'CodeServer/Droplet/Droplet': 'replace',
      'CodeServer/Droplet/FirewallTag': 'replace',
      'CodeServer/Droplet/Firewall': 'update',
      'CodeServer/Droplet/FirewallTagKey': 'create',
      'CodeServer/IdleStop/Name': 'create',
    });
    expect(replacedAndDeletedByType(upgrade)).toEqual({ 'replace digitalocean_droplet': 1, 'replace digitalocean_tag': 1 });
    // THEN: what the API saw, in order
    expect(digitalocean.uncovered).toEqual([]);
    const writes = standIn.writesSince(writesFrom);
    const at = (pattern: RegExp) => writes.findIndex((w) => pattern.test(w));
    expect(at(new RegExp(`^DELETE /v2/droplets/${oldDroplet.id}$`))).toBeLessThan(at(new RegExp(`^DELETE /v2/tags/${oldTag}$`)));
    expect(at(new RegExp(`^DELETE /v2/droplets/${oldDroplet.id}$`))).toBeLessThan(at(/^PUT \/v2\/firewalls\//));
    expect(at(/^PUT \/v2\/firewalls\//)).toBeLessThan(at(/^POST \/v2\/droplets$/));
    const [newDroplet] = digitalocean.droplets.values();
    expect(newDroplet.firewalls_at_creation).toHaveLength(1);
    expect(newDroplet.tags.find((t) => t.startsWith('ztcs-fw-'))).toMatch(/^ztcs-fw-[0-9a-f]{20}$/);
    expect(newDroplet.volume_ids).toEqual([volumeId]);
    expect([...digitalocean.volumes.keys()]).toEqual([volumeId]);
    const again = await workspace.plan();
    expect(again.changes()).toEqual({});
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
      ['digitalocean_volume', 'description', 'another wording'],
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
        // Ignored, an attribute replaces nothing (proven below): here, the provider's own behaviour.
        if (b.lifecycle?.ignore_changes) b.lifecycle.ignore_changes = b.lifecycle.ignore_changes.filter((a: string) => a !== attribute);
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

    // The description in ignore_changes (as this version synthesizes it): a new wording changes nothing.
    configureChanged('digitalocean_volume', (volume) => { volume.description = 'another wording'; });
    const described = await workspace.plan();
    expect([described.errors, lostIn(described)]).toEqual([[], []]);
    expect(Object.entries(actionsByAddress(described)).filter(([address]) => address.startsWith('digitalocean_volume.'))).toEqual([[expect.any(String), 'no-op']]);

    // A smaller home volume: the provider refuses the plan, and the guard says it fails.
    const { json, id } = configureChanged('digitalocean_volume', (volume) => { volume.size = 10; });
    expect((await workspace.plan()).errors).toEqual(['volumes `size` can only be expanded and not shrunk']);
    expect(lostResources(previous.json, json)).toEqual([expect.objectContaining({ address: `digitalocean_volume.${id}`, action: 'fail' })]);
  }, STEP_TIMEOUT_MS);
});
