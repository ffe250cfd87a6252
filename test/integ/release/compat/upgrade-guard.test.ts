import { App } from 'cdktf';
import { KEPT_RESOURCES, lostResources } from '../../../../compat/upgrade-guard';
import { buildApp, readSettings } from '../../../../examples/main';
import { previousRelease, synthesize } from '../../terraform/terraform';

// The upgrade guard without Terraform (CI has no providers): the examples as this version
// synthesizes them against the previous release's, and deliberate changes that would lose a home
// or a sign-in. The Terraform tier proves each replacing attribute with the real providers' plan.

const EXAMPLES = ['basic', 'complete', 'team'] as const;
const current = synthesize((outdir) => buildApp(readSettings({}), outdir) as App);
const currentOf = (name: string): any => structuredClone(current.find((c) => c.name === name)!.json);
const volumeOf = (config: any): [string, any] => Object.entries<any>(config.resource.digitalocean_volume)[0];

describe('an upgrade from the previous release', () => {
  test.each(EXAMPLES)('keeps every home volume, tunnel, Access application and policy, and DNS record of the %s example', (name) => {
    expect(lostResources(previousRelease(name).json, currentOf(name))).toEqual([]);
  });
});

describe('the guard fails an upgrade that would lose a kept resource', () => {
  test.each<[string, (volume: any) => void, string]>([
    ['moved to another region', (v) => { v.region = 'ams3'; }, 'region changes from "fra1" to "ams3"'],
    ['given another filesystem label', (v) => { v.initial_filesystem_label = 'home'; }, 'initial_filesystem_label changes from "ztcs-home" to "home"'],
  ])('a home volume %s is replaced', (_, change, reason) => {
    const config = currentOf('basic');
    const [id, volume] = volumeOf(config);
    change(volume);
    expect(lostResources(previousRelease('basic').json, config)).toEqual([{ address: `digitalocean_volume.${id}`, action: 'replace', reason }]);
  });

  test('a home volume described differently is kept while its description is in ignore_changes, and replaced without', () => {
    const config = currentOf('basic');
    const [id, volume] = volumeOf(config);
    volume.description = 'another wording';
    expect(lostResources(previousRelease('basic').json, config)).toEqual([]);
    volume.lifecycle.ignore_changes = volume.lifecycle.ignore_changes.filter((a: string) => a !== 'description');
    expect(lostResources(previousRelease('basic').json, config)).toEqual([
      { address: `digitalocean_volume.${id}`, action: 'replace', reason: 'description changes from "Home directory of a code-server developer: kept across droplet replacements" to "another wording"' },
    ]);
  });

  test('a home volume made smaller fails the plan', () => {
    const config = currentOf('basic');
    const [id, volume] = volumeOf(config);
    volume.size = 10;
    expect(lostResources(previousRelease('basic').json, config)).toEqual([
      { address: `digitalocean_volume.${id}`, action: 'fail', reason: 'size shrinks from 20 to 10 GiB; volumes only grow' },
    ]);
  });

  test('a home volume under a new address is deleted, unless a moved block carries it', () => {
    const config = currentOf('basic');
    const [id, volume] = volumeOf(config);
    config.resource.digitalocean_volume = { Home: volume };
    expect(lostResources(previousRelease('basic').json, config)).toEqual([
      { address: `digitalocean_volume.${id}`, action: 'delete', reason: 'not in the new configuration, and no moved block carries it' },
    ]);
    config.moved = [{ from: `digitalocean_volume.${id}`, to: 'digitalocean_volume.Home' }];
    expect(lostResources(previousRelease('basic').json, config)).toEqual([]);
  });

  test('a tunnel, Access application or policy, or DNS record moved to another account or zone is replaced', () => {
    const config = currentOf('basic');
    const other = 'f'.repeat(32);
    for (const type of Object.keys(KEPT_RESOURCES).filter((t) => t.startsWith('cloudflare_'))) {
      for (const body of Object.values<any>(config.resource[type])) {
        if ('zone_id' in body) body.zone_id = other;
        else body.account_id = other;
      }
    }
    const lost = lostResources(previousRelease('basic').json, config);
    expect(lost.map((l) => l.address.split('.')[0]).sort()).toEqual(Object.keys(KEPT_RESOURCES).filter((t) => t.startsWith('cloudflare_')).sort());
    expect(lost.every((l) => l.action === 'replace' && l.reason.endsWith(`to "${other}"`))).toBe(true);
  });
});
