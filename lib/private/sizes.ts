import { isUnresolved, PropContext, rejectProp } from './validation';

/**
 * DigitalOcean's size slugs: `<family>-<n>vcpu-<memory>[-<disk>][-intel|-amd]` (Basic, General
 * Purpose, CPU-, Memory- and Storage-Optimized), `c-<n>[-intel]` (older CPU-Optimized) and GPU
 * slugs such as `gpu-h100x1-80gb`.
 */
const SIZE_SLUG = /^(?:(?:s|g|gd|c2?|m[36]?|so(?:1_5)?)-(\d+)vcpu-\d+(?:mb|gb)(?:-\d+gb)?(?:-(?:intel|amd))?|c-(\d+)(?:-intel)?|gpu-[a-z0-9]+x\d+-\d+gb(?:-[a-z0-9]+)?)$/;
/** code-server's own minimum. */
const MIN_VCPUS = 2;

/** The number of vCPUs a size slug names, or undefined for a slug that does not say (GPU sizes). */
export function vcpusOfSize(slug: string): number | undefined {
  const match = SIZE_SLUG.exec(slug);
  const count = match?.[1] ?? match?.[2];
  return count === undefined ? undefined : Number(count);
}

/**
 * The memory of a droplet size, in GiB, read from its slug (`s-2vcpu-4gb`, `s-1vcpu-512mb-10gb`),
 * or undefined for slugs that do not say it (`c-2`) and for tokens.
 */
export function memoryGibOfSize(slug: string): number | undefined {
  const match = /-(\d+)(mb|gb)(?:-|$)/.exec(slug);
  if (!match || isUnresolved(slug)) return undefined;
  const amount = Number(match[1]);
  return match[2] === 'gb' ? amount : amount / 1024;
}

/**
 * DigitalOcean's regions (`doctl compute region list`); a newer one needs `allowUnlistedSlugs`.
 */
/** DigitalOcean's largest volume, in GiB. */
export const MAX_VOLUME_GIB = 16_384;

export const KNOWN_REGIONS = ['ams3', 'atl1', 'blr1', 'fra1', 'lon1', 'nyc1', 'nyc2', 'nyc3', 'sfo2', 'sfo3', 'sgp1', 'syd1', 'tor1'] as const;

/** The vCPU counts DigitalOcean sells in its `<family>-<n>vcpu-<memory>` sizes. */
const KNOWN_VCPUS = new Set([1, 2, 3, 4, 6, 8, 12, 16, 20, 24, 32, 40, 48, 60]);
/** GiB of memory per vCPU of each dedicated family; Basic (`s`) sizes range from ¼ to 8. */
const MEMORY_PER_VCPU: Record<string, number> = { c: 2, c2: 2, g: 4, gd: 4, m: 8, m3: 8, m6: 8, so: 8, so1_5: 8 };
const FAMILY_SIZE = /^([a-z0-9_]+)-(\d+)vcpu-(\d+)(mb|gb)/;

/** Whether a slug of the grammar names a size DigitalOcean sells: a vCPU count it offers, with a memory its family pairs with it. */
function isKnownSize(slug: string): boolean {
  const match = FAMILY_SIZE.exec(slug);
  if (!match) return true; // c-<n> and GPU slugs: the grammar is the check.
  const [, family, vcpus, amount, unit] = match;
  const gib = unit === 'gb' ? Number(amount) : Number(amount) / 1024;
  const ratio = gib / Number(vcpus);
  const memoryFits = family === 's' ? ratio >= 0.25 && ratio <= 8 : MEMORY_PER_VCPU[family] === ratio;
  return KNOWN_VCPUS.has(Number(vcpus)) && memoryFits;
}

const UNLISTED = 'set droplet.allowUnlistedSlugs: true if DigitalOcean offers it now';

/** Checks a region slug against DigitalOcean's regions. */
export function checkRegion(ctx: PropContext, region: string, allowUnlisted: boolean): void {
  if (isUnresolved(region)) return;
  if (!/^[a-z]{3}\d$/.test(region)) {
    rejectProp(ctx, 'region', region, 'expected a DigitalOcean region slug such as "fra1" or "nyc3"');
  }
  if (!allowUnlisted && !(KNOWN_REGIONS as readonly string[]).includes(region)) {
    rejectProp(ctx, 'region', region, `is not a DigitalOcean region: expected one of ${KNOWN_REGIONS.join(', ')} (${UNLISTED})`);
  }
}

/** Checks a size slug against DigitalOcean's grammar and sizes, and code-server's need for 2 vCPUs. */
export function checkSize(ctx: PropContext, size: string, allowSmallSize: boolean, allowUnlisted = false): void {
  if (isUnresolved(size)) return;
  if (!SIZE_SLUG.test(size)) {
    rejectProp(ctx, 'size', size, 'expected a DigitalOcean size slug such as "s-2vcpu-4gb", "g-2vcpu-8gb" or "c-4" (`doctl compute size list` lists them)');
  }
  if (!allowUnlisted && !isKnownSize(size)) {
    rejectProp(ctx, 'size', size, `is not a size DigitalOcean sells: expected a vCPU count and memory of its family, e.g. "s-2vcpu-4gb", "s-4vcpu-8gb" or "g-2vcpu-8gb" (${UNLISTED})`);
  }
  const vcpus = vcpusOfSize(size);
  if (vcpus !== undefined && vcpus < MIN_VCPUS && !allowSmallSize) {
    rejectProp(ctx, 'size', size, `code-server needs ${MIN_VCPUS} vCPUs, e.g. "s-2vcpu-4gb"; set droplet.allowSmallSize: true to accept a smaller droplet anyway`);
  }
}
