import { spawnSync } from 'child_process';
import { existsSync } from 'fs';
import { homedir } from 'os';
import { join } from 'path';

/**
 * Where the tiers keep what they download or unpack between runs, outside the repository (the
 * same folder as scripts/fetch-cloud-init.sh and scripts/fetch-node.sh; ZTCS_CACHE moves it).
 */
export const CACHE_DIR =
  process.env.ZTCS_CACHE ?? join(process.env.XDG_CACHE_HOME ?? join(homedir(), '.cache'), 'cdktf-zero-trust-code-server');

/** How to get python3 with venv, for the tiers that build or install the Python package. */
export const PYTHON_VENV_INSTALL = 'Install it with: apt-get install python3 python3-venv (python3 3.10 or newer).';

/** What a test tier needs from the machine, and how to get it. */
export interface TierNeeds {
  /** What the tier is, for the message: e.g. `the VM tier`. */
  readonly tier: string;
  /** Programs that must be on PATH (or absolute paths to executables). */
  readonly commands?: string[];
  /** Files that must exist, each with what it is, e.g. a provider's executable. */
  readonly files?: Array<{ readonly path: string; readonly what: string }>;
  /** Whether the tests must run as root, and why. */
  readonly root?: string;
  /** Whether python3 must make virtual environments with pip in them (Debian's python3-venv). */
  readonly pythonVenv?: boolean;
  /** Something the tier asks of the machine that the others do not: undefined when it answers, else what is missing. */
  readonly probe?: () => string | undefined;
  /** How to get what is missing. */
  readonly install: string;
  /**
   * Whether CI (CI=true) must run the tier: then anything missing there is an error rather than a
   * skip. Only the Terraform tier says false: its providers cannot be had on a fresh machine.
   * @default true
   */
  readonly requiredInCi?: boolean;
}

/** What the machine lacks of a tier's needs, one phrase each; empty when the tier can run. */
export function missingNeeds(needs: TierNeeds): string[] {
  const missing: string[] = [];
  for (const command of needs.commands ?? []) {
    if (spawnSync('sh', ['-c', 'command -v "$1"', 'sh', command]).status !== 0) missing.push(`${command} (not on PATH)`);
  }
  for (const file of needs.files ?? []) {
    if (!existsSync(file.path)) missing.push(`${file.what} (${file.path})`);
  }
  if (needs.root && process.getuid?.() !== 0) missing.push(`root (${needs.root})`);
  if (needs.pythonVenv && spawnSync('python3', ['-c', 'import venv, ensurepip']).status !== 0) {
    missing.push('python3 with the venv module and ensurepip');
  }
  const probed = needs.probe?.();
  if (probed) missing.push(probed);
  return missing;
}

/**
 * `describe` when the machine has what a tier needs. When it lacks something: outside CI,
 * `describe.skip` with a message naming what is missing and how to get it; in CI (CI=true) an
 * error, since every tier must run there, unless the tier says `requiredInCi: false`.
 */
export function describeTier(needs: TierNeeds): jest.Describe {
  const missing = missingNeeds(needs);
  if (missing.length === 0) return describe;
  const why = `${needs.tier}, missing here: ${missing.join(', ')}. ${needs.install}`;
  if (process.env.CI === 'true' && needs.requiredInCi !== false) throw new Error(`CI must run ${why}`);
  reportSkippedTier(`Skipping ${why}`);
  return describe.skip;
}

/**
 * Says why a tier is skipped. Straight to stderr, not console.warn: jest prints no console output
 * of a test file whose tests were all skipped, and a full run would hide the message.
 */
export function reportSkippedTier(message: string): void {
  process.stderr.write(`${message}\n`);
}
