import { isUnresolved, PropContext, rejectProp } from '../validation';

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

/** Checks a size slug against DigitalOcean's grammar and code-server's need for 2 vCPUs. */
export function checkSize(ctx: PropContext, size: string, allowSmallSize: boolean): void {
  if (isUnresolved(size)) return;
  if (!SIZE_SLUG.test(size)) {
    rejectProp(ctx, 'size', size, 'expected a DigitalOcean size slug such as "s-2vcpu-4gb", "g-2vcpu-8gb" or "c-4" (`doctl compute size list` lists them)');
  }
  const vcpus = vcpusOfSize(size);
  if (vcpus !== undefined && vcpus < MIN_VCPUS && !allowSmallSize) {
    rejectProp(ctx, 'size', size, `code-server needs ${MIN_VCPUS} vCPUs, e.g. "s-2vcpu-4gb"; set allowSmallSize: true to accept a smaller droplet anyway`);
  }
}
