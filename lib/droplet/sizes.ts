/**
 * The memory of a droplet size, in GiB, read from its slug (`s-2vcpu-4gb`, `s-1vcpu-512mb-10gb`),
 * or undefined for slugs that do not say it (`c-2`).
 */
export function memoryGibOfSize(slug: string): number | undefined {
  const match = /-(\d+)(mb|gb)(?:-|$)/.exec(slug);
  if (!match) return undefined;
  const amount = Number(match[1]);
  return match[2] === 'gb' ? amount : amount / 1024;
}

/** Droplets with less memory than this get a swap file by default. */
export const SWAP_BELOW_GIB = 4;

/** The swap file a droplet of this size gets by default: 2 GiB under 4 GiB of memory, else none. */
export function defaultSwapGib(slug: string): number {
  const memory = memoryGibOfSize(slug);
  return memory !== undefined && memory < SWAP_BELOW_GIB ? 2 : 0;
}
