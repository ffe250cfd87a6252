import { defaultSwapGib, memoryGibOfSize, SWAP_BELOW_GIB } from '../../lib/droplet/sizes';

describe('memoryGibOfSize', () => {
  test.each([
    ['s-1vcpu-512mb-10gb', 0.5],
    ['s-2vcpu-2gb', 2],
    ['s-2vcpu-4gb', 4],
    ['s-2vcpu-4gb-intel', 4],
    ['m-2vcpu-16gb', 16],
  ])('reads the memory of %s as %p GiB', (slug, gib) => {
    // THEN
    expect(memoryGibOfSize(slug)).toBe(gib);
  });

  test('reads the memory, not the disk, of a slug that names both', () => {
    // THEN
    expect(memoryGibOfSize('s-1vcpu-1gb-35gb-intel')).toBe(1);
  });

  test('gives undefined for a slug that does not say its memory', () => {
    // THEN
    expect(memoryGibOfSize('c-2')).toBeUndefined();
  });
});

describe('defaultSwapGib', () => {
  test('swaps below 4 GiB of memory', () => {
    // THEN
    expect(SWAP_BELOW_GIB).toBe(4);
  });

  test.each([
    ['s-1vcpu-512mb-10gb', 2],
    ['s-2vcpu-2gb', 2],
    ['s-2vcpu-4gb', 0],
    ['s-2vcpu-4gb-intel', 0],
    ['c-2', 0],
  ])('gives %s a swap of %p GiB', (slug, gib) => {
    // THEN
    expect(defaultSwapGib(slug)).toBe(gib);
  });
});
