// What an upgrade would do to the resources that hold a developer's home and sign-in, read from two
// synthesized configurations (the previous release's and this version's) without Terraform: a
// resource whose address disappears is deleted (unless a `moved` block carries it), and one whose
// replacing attribute changes is replaced. The replacing attributes are the providers' (each
// proven to replace in the Terraform tier, test/integ/terraform/upgrade.test.ts), so CI, which has no
// providers, still fails an upgrade that would lose a home volume, a tunnel, an Access application
// or policy, or a DNS record. The Terraform tier's plan of the same upgrade is the full check.

/** The resource types an upgrade must keep, with the attributes whose change makes Terraform replace them. */
export const KEPT_RESOURCES: Record<string, readonly string[]> = {
  digitalocean_volume: ['region', 'initial_filesystem_type', 'initial_filesystem_label', 'snapshot_id', 'description'],
  cloudflare_zero_trust_tunnel_cloudflared: ['account_id', 'config_src'],
  cloudflare_zero_trust_access_application: ['account_id'],
  cloudflare_zero_trust_access_policy: ['account_id'],
  cloudflare_dns_record: ['zone_id'],
};

/** A kept resource an upgrade would lose: its address, and why. */
export interface LostResource {
  readonly address: string;
  /** What the plan does: delete or replace it, or fail (the provider refuses the change). */
  readonly action: 'delete' | 'replace' | 'fail';
  readonly reason: string;
}

type Config = { resource?: Record<string, Record<string, Record<string, unknown>>>; moved?: Array<{ from: string; to: string }> };

function resourcesOf(config: Config): Map<string, Record<string, unknown>> {
  const out = new Map<string, Record<string, unknown>>();
  for (const [type, resources] of Object.entries(config.resource ?? {})) {
    if (!(type in KEPT_RESOURCES)) continue;
    for (const [name, body] of Object.entries(resources)) out.set(`${type}.${name}`, body);
  }
  return out;
}

const same = (a: unknown, b: unknown) => JSON.stringify(a) === JSON.stringify(b);

/**
 * The kept resources of `previous` that `current` would delete or replace, as a plan of `current`
 * against a state applied from `previous` would: none for an upgrade that keeps every home and
 * sign-in. A volume made smaller fails the plan (DigitalOcean volumes only grow).
 */
export function lostResources(previous: Config, current: Config): LostResource[] {
  const before = resourcesOf(previous);
  const after = resourcesOf(current);
  const moved = new Map((current.moved ?? []).map((m) => [m.from, m.to]));
  const lost: LostResource[] = [];
  for (const [address, body] of before) {
    const newAddress = after.has(address) ? address : moved.get(address);
    const next = newAddress === undefined ? undefined : after.get(newAddress);
    if (next === undefined) {
      lost.push({ address, action: 'delete', reason: 'not in the new configuration, and no moved block carries it' });
      continue;
    }
    const type = address.split('.')[0];
    // An attribute in ignore_changes keeps its value in the state: its change replaces nothing.
    const ignored = ((next.lifecycle as { ignore_changes?: string[] } | undefined)?.ignore_changes ?? []);
    for (const attribute of KEPT_RESOURCES[type]) {
      if (!ignored.includes(attribute) && !same(body[attribute], next[attribute])) {
        lost.push({ address, action: 'replace', reason: `${attribute} changes from ${JSON.stringify(body[attribute])} to ${JSON.stringify(next[attribute])}` });
      }
    }
    if (type === 'digitalocean_volume' && typeof body.size === 'number' && typeof next.size === 'number' && next.size < body.size) {
      lost.push({ address, action: 'fail', reason: `size shrinks from ${body.size} to ${next.size} GiB; volumes only grow` });
    }
  }
  return lost;
}
