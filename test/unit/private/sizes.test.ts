import { memoryGibOfSize, vcpusOfSize } from '../../../lib/private/sizes';

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

describe('vcpusOfSize', () => {
  test.each([
    ['s-1vcpu-512mb-10gb', 1],
    ['s-2vcpu-4gb', 2],
    ['g-8vcpu-32gb-intel', 8],
    ['c-4', 4],
    ['c-2-intel', 2],
  ])('reads the vCPUs of %s as %p', (slug, vcpus) => {
    // THEN
    expect(vcpusOfSize(slug)).toBe(vcpus);
  });

  test.each(['gpu-h100x1-80gb', 's-2cpu-4gb'])('gives undefined for %s, which names no vCPUs', (slug) => {
    // THEN
    expect(vcpusOfSize(slug)).toBeUndefined();
  });
});
