import { spawnSync } from 'child_process';
import { homedir } from 'os';
import { join } from 'path';

/**
 * Where the tiers keep what they download or unpack between runs, outside the repository (the
 * same folder as scripts/fetch-cloud-init.sh and scripts/fetch-node.sh; ZTCS_CACHE moves it).
 */
export const CACHE_DIR =
  process.env.ZTCS_CACHE ?? join(process.env.XDG_CACHE_HOME ?? join(homedir(), '.cache'), 'cdktf-zero-trust-code-server');

/**
 * Whether an external tool that a test tier needs is on PATH. In CI (CI=true) a missing tool is
 * an error, since every tier must run there; elsewhere the tier is skipped with a message that
 * says what to install.
 */
export function toolAvailable(command: string, install: string): boolean {
  const found = spawnSync('sh', ['-c', `command -v ${command}`], { encoding: 'utf8' }).status === 0;
  if (found) return true;
  if (process.env.CI === 'true') {
    throw new Error(`${command} is required in CI but is not on PATH: ${install}`);
  }
  reportSkippedTier(`Skipping the tests that need ${command}: it is not on PATH. Install it with: ${install}`);
  return false;
}

/**
 * Says why a tier is skipped. Straight to stderr, not console.warn: jest prints no console output
 * of a test file whose tests were all skipped, and a full run would hide the message.
 */
export function reportSkippedTier(message: string): void {
  process.stderr.write(`${message}\n`);
}

/** describe, or describe.skip when the tool is missing outside CI. */
export function describeWithTool(command: string, install: string): jest.Describe {
  return toolAvailable(command, install) ? describe : describe.skip;
}

/**
 * describe, when python3 can make a virtual environment with pip in it; describe.skip, with what
 * to install, when it cannot outside CI. In CI (CI=true) it must.
 */
export function describeWithPythonVenv(tests: string): jest.Describe {
  const probe = spawnSync('python3', ['-c', 'import venv, ensurepip'], { encoding: 'utf8' });
  if (probe.status === 0) return describe;
  const install = 'apt-get install python3 python3-venv (python3 3.10 or newer, with the venv module and ensurepip)';
  if (process.env.CI === 'true') throw new Error(`python3 with venv is required in CI but is missing: ${install}`);
  reportSkippedTier(`Skipping ${tests}: python3 with venv is missing. Install it with: ${install}`);
  return describe.skip;
}
