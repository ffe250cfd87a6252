/**
 * The test tiers: a tier is a folder of `test/`, run by a task of its own (`npx projen test:<tier>`).
 * .projenrc.ts makes the tasks from this table, and test/unit/projenrc/tiers.test.ts proves that every test
 * file belongs to exactly one tier.
 */
export interface Tier {
  /** The folder of the tier's tests, from the repository's root, with a trailing slash. */
  readonly folder: string;
  /** What the tier tests and what it needs, for the task's description. */
  readonly description: string;
  /**
   * Whether the tier tests external tools (validators, qemu, Terraform, Python, registries) rather
   * than Node.js: `test:node-line`, for CI's other Node.js lines, leaves those out.
   */
  readonly externalTools: boolean;
  /** Whether `npm test` runs the tier: the fast loop. The others run in `npm run test:all` (CI). */
  readonly fast: boolean;
}

export const TIERS: Record<string, Tier> = {
  unit: {
    folder: 'test/unit/',
    description: 'every construct and pure function, the examples, the docs\' defaults; npm only',
    externalTools: false,
    fast: true,
  },
  boot: {
    folder: 'test/integ/boot/',
    description: 'cloud-init schema (two versions), shellcheck, systemd-analyze, sshd -t, the boot scripts run for real, the metadata service rule in network namespaces, checkov, the default code-server release on npm',
    externalTools: true,
    fast: false,
  },
  vm: {
    folder: 'test/integ/vm/',
    description: 'the first boot in a Debian virtual machine (root, qemu), and the real code-server in it opened in Chromium',
    externalTools: true,
    fast: false,
  },
  terraform: {
    folder: 'test/integ/terraform/',
    description: 'real Terraform and providers against a loopback stand-in of the APIs (skipped where the providers are absent)',
    externalTools: true,
    fast: false,
  },
  worker: {
    folder: 'test/integ/worker/',
    description: 'the control plane\'s Worker in workerd (miniflare, npm) against loopback stand-ins of the DigitalOcean API, Access\'s keys, the start hook and the editor, and its starting page in Chromium',
    externalTools: true,
    fast: false,
  },
  packages: {
    folder: 'test/integ/packages/',
    description: 'the Python wheel and the Go module',
    externalTools: true,
    fast: false,
  },
  consumer: {
    folder: 'test/integ/consumer/',
    description: 'the README followed in a new cdktf project, and each example run as an app of its own',
    externalTools: false,
    fast: false,
  },
  release: {
    folder: 'test/integ/release/',
    description: 'publishing to loopback registries and installing by name; the API compatibility tests and the upgrade guard',
    externalTools: true,
    fast: false,
  },
};

/**
 * The jest options that run the tests of these tiers and no other: `--roots` a folder each (jest
 * looks for tests there only; a path pattern given after them narrows the run within them).
 */
export function jestRoots(tiers: Tier[]): string {
  return tiers.map((tier) => `--roots=${tier.folder.replace(/\/$/, '')}`).join(' ');
}
