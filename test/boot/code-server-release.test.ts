import { spawnSync } from 'child_process';
import { BOOT_DEFAULTS } from '../../lib/boot/code-server-user-data';
import { describeTier } from '../tools';

// The default code-server release must exist: code-server publishes every release to the npm
// registry too, so the registry answers for it. Outside CI, an unreachable registry skips this
// with a message; in CI (CI=true) it is always asked.

const DEFAULT_VERSION = BOOT_DEFAULTS.codeServerVersion;

/** `npm view code-server@<version> version`: the version back when the release exists. */
function npmView(version: string): { status: number | null; stdout: string; stderr: string } {
  const run = spawnSync('npm', ['view', `code-server@${version}`, 'version'], { encoding: 'utf8', timeout: 120_000 });
  return { status: run.status, stdout: (run.stdout ?? '').trim(), stderr: `${run.stderr ?? ''}${run.error ? String(run.error) : ''}` };
}

/** npm's codes for a registry it could not reach (as opposed to an answer such as E404). */
const UNREACHABLE = /\b(ENOTFOUND|EAI_AGAIN|ECONNREFUSED|ECONNRESET|ETIMEDOUT|ENETUNREACH|EHOSTUNREACH|ERR_SOCKET_TIMEOUT|ENOENT)\b/;

const answer = npmView(DEFAULT_VERSION);
const unreachable = answer.status !== 0 && UNREACHABLE.test(answer.stderr);
const describeRegistry = describeTier({
  tier: `the npm registry check of code-server ${DEFAULT_VERSION}`,
  probe: () => (unreachable ? `the npm registry (${answer.stderr.trim().split('\n')[0]})` : undefined),
  install: 'Run it where the npm registry can be reached.',
});

describeRegistry('the default code-server release', () => {
  test(`the npm registry knows code-server ${DEFAULT_VERSION}, the default codeServerVersion`, () => {
    expect({ status: answer.status, version: answer.stdout }).toEqual({ status: 0, version: DEFAULT_VERSION });
  });

  test('the check can fail: a release that was never published is not found', () => {
    const missing = npmView('4.0.999');
    expect(missing.status).not.toBe(0);
    expect(missing.stderr).toMatch(/E404|No match found/);
  });
});
