import { github } from 'projen';
import { TIERS } from './tiers';

/** Where the tiers and the scripts keep what they download or build (scripts/*.sh, test/support/tools.ts). */
const CACHE_DIR = '~/.cache/cdktf-zero-trust-code-server';

/** A folder of the cache that a slow set-up fills, and the files whose content decides what it holds. */
export interface CachedSetUp {
  /** The folder under the cache directory. */
  readonly folder: string;
  /** The files that build it or name its version: the cache key is their hash. */
  readonly keyFiles: string[];
}

/**
 * What the VM tier's prepared image (test/integ/vm/prepared-image.test.ts) is made of besides the
 * base image: its cache folder is named after their hash, and CI keeps it under the same key.
 */
export const PREPARED_IMAGE_INPUTS = [
  'scripts/prepare-image.sh', 'lib/boot/assets/install-code-server.sh', 'lib/boot/assets/install-cloudflared.sh', 'lib/boot/assets/retry.sh',
  'test/integ/vm/mirror.ts', 'test/integ/vm/guest/code-server', 'test/integ/vm/guest/cloudflared',
];

/** The slow set-up of each tier, kept between runs by actions/cache. */
export const TIER_CACHES: Record<string, CachedSetUp[]> = {
  boot: [
    { folder: 'cloud-init-trixie', keyFiles: ['scripts/fetch-cloud-init.sh'] },
    { folder: 'code-server-npm', keyFiles: ['lib/boot/code-server-user-data.ts'] },
  ],
  vm: [
    { folder: 'vm', keyFiles: ['scripts/build-vm-image.sh'] },
    { folder: 'vm-prepared', keyFiles: ['scripts/build-vm-image.sh', ...PREPARED_IMAGE_INPUTS] },
    { folder: 'code-server-deb', keyFiles: ['scripts/build-code-server-deb.sh', 'lib/boot/code-server-user-data.ts'] },
    { folder: 'node', keyFiles: ['scripts/fetch-node.sh'] },
  ],
  packages: [{ folder: 'python-wheels', keyFiles: ['test/integ/packages/artifacts.ts', 'package-lock.json'] }],
  consumer: [{ folder: 'npm', keyFiles: ['package-lock.json'] }],
  release: [
    { folder: 'verdaccio', keyFiles: ['test/integ/release/registries.ts'] },
    { folder: 'pypiserver', keyFiles: ['test/integ/release/registries.ts'] },
    { folder: 'python-wheels', keyFiles: ['test/integ/packages/artifacts.ts', 'package-lock.json'] },
    { folder: 'npm', keyFiles: ['package-lock.json'] },
  ],
};

/** The actions/cache step of a cached set-up, run only when `condition` holds (a workflow expression). */
function cacheStep(setUp: CachedSetUp, condition?: string): github.workflows.JobStep {
  return {
    name: `Cache ${setUp.folder}`,
    ...(condition ? { if: condition } : {}),
    uses: 'actions/cache@v4',
    with: {
      path: `${CACHE_DIR}/${setUp.folder}`,
      key: `ztcs-${setUp.folder.replace(/\//g, '-')}-\${{ hashFiles(${setUp.keyFiles.map((file) => `'${file}'`).join(', ')}) }}`,
    },
  };
}

/**
 * The cache steps of some tiers, one per folder; with `matrixTier`, each runs only in the jobs of
 * a matrix whose tier needs it.
 */
export function cacheSteps(tiers: string[], matrixTier?: string): github.workflows.JobStep[] {
  const users = new Map<string, { setUp: CachedSetUp; tiers: string[] }>();
  for (const tier of tiers) {
    for (const setUp of TIER_CACHES[tier] ?? []) {
      const entry = users.get(setUp.folder) ?? { setUp, tiers: [] };
      users.set(setUp.folder, { ...entry, tiers: [...entry.tiers, tier] });
    }
  }
  return [...users.values()].map(({ setUp, tiers: needing }) =>
    cacheStep(setUp, matrixTier ? needing.map((tier) => `${matrixTier} == '${tier}'`).join(' || ') : undefined));
}

/** The checkout of the build workflow's jobs (a pull request's head, from a fork too), as projen's build job does it. */
const checkout: github.workflows.JobStep = {
  name: 'Checkout',
  uses: 'actions/checkout@3d3c42e5aac5ba805825da76410c181273ba90b1',
  with: { ref: '${{ github.event.pull_request.head.ref }}', repository: '${{ github.event.pull_request.head.repo.full_name }}' },
};
const setupNode = (version: string): github.workflows.JobStep => ({
  name: 'Setup Node.js',
  uses: 'actions/setup-node@v7.0.0',
  with: { 'node-version': version, 'package-manager-cache': false },
});
const uploadReports = (name: string): github.workflows.JobStep => ({
  name: 'Upload the test reports',
  if: 'always()',
  uses: 'actions/upload-artifact@043fb46d1a93c77aae656e7c1c64a875d1fc6a0a',
  with: { name, 'path': 'test-reports', 'if-no-files-found': 'ignore' },
});

/**
 * The Debian container of the jobs whose tiers need root and Debian's tools (debootstrap mounts,
 * qemu), as a workflow file spells it: GitHub takes the container's options as one string, where
 * projen's ContainerOptions would write a list.
 */
export const TEST_CONTAINER = { image: 'node:22-bookworm', options: '--privileged' };

/**
 * The jobs of the build workflow besides projen's `build` (which runs `npx projen build`: compile,
 * the fast tiers, packages): `lint` first (the type check of the tests, eslint, the API check),
 * then, beside the build, a job per slow tier and one per other Node.js line.
 */
export function testJobs(nodeLines: string[]): Record<string, github.workflows.Job> {
  const slow = Object.entries(TIERS).filter(([, tier]) => !tier.fast).map(([name]) => name);
  const ci = { CI: 'true' };
  return {
    'lint': {
      name: 'lint and API check',
      runsOn: ['ubuntu-latest'],
      permissions: { contents: github.workflows.JobPermission.READ },
      env: ci,
      steps: [
        checkout,
        setupNode('22.x'),
        { name: 'Install dependencies', run: 'npm ci' },
        { name: 'Type-check the tests', run: 'npx tsc --noEmit -p test/tsconfig.json' },
        { name: 'eslint', run: 'npx projen eslint' },
        { name: 'API compatibility', run: 'npx projen compat' },
      ],
    },
    'tier': {
      name: 'test:${{ matrix.tier }}',
      needs: ['lint'],
      runsOn: ['ubuntu-latest'],
      permissions: { contents: github.workflows.JobPermission.READ },
      env: ci,
      strategy: { failFast: false, matrix: { domain: { tier: slow } } },
      steps: [
        checkout,
        ...cacheSteps(slow, 'matrix.tier'),
        { name: 'Install dependencies', run: 'npm ci' },
        { name: 'Install the tier\'s tools', run: 'scripts/install-test-tools.sh ${{ matrix.tier }}' },
        { name: 'Test', run: 'npx projen test:${{ matrix.tier }}' },
        uploadReports('test-reports-${{ matrix.tier }}'),
      ],
    },
    'node-line': {
      name: 'test:node-line on Node.js ${{ matrix.node }}',
      needs: ['lint'],
      runsOn: ['ubuntu-latest'],
      permissions: { contents: github.workflows.JobPermission.READ },
      env: ci,
      strategy: { failFast: false, matrix: { domain: { node: nodeLines } } },
      steps: [
        checkout,
        setupNode('${{ matrix.node }}'),
        cacheStep({ folder: 'npm/node${{ matrix.node }}', keyFiles: ['package-lock.json'] }),
        { name: 'Install dependencies', run: 'npm ci' },
        { name: 'Test', run: 'npx projen test:node-line' },
        uploadReports('test-reports-node${{ matrix.node }}'),
      ],
    },
  };
}

