import { spawnSync } from 'child_process';
import { existsSync, mkdirSync, writeFileSync } from 'fs';
import { join } from 'path';
import { parse } from 'yaml';
import { renderCloudConfig } from '../../../lib/boot/cloud-config';
import { BOOT_DEFAULTS, CodeServerUserDataProps, resolveBootOptions } from '../../../lib/boot/code-server-user-data';
import { BOOT_PATHS } from '../../../lib/private/boot/contract';
import { CACHE_DIR, describeTier } from '../../support/tools';

// The default code-server release must exist, and accept the configuration the boot writes:
// code-server publishes every release to the npm registry too, so the registry answers for it,
// and the release's own configuration parser reads the file. Outside CI, an unreachable registry
// skips this with a message; in CI (CI=true) it is always asked.

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

/**
 * The default release from the npm registry, installed without its install scripts (they build
 * VS Code's native modules, which parsing a configuration does not need) into the cache folder.
 */
function installedRelease(version: string): string {
  const prefix = join(CACHE_DIR, 'code-server-npm', version);
  const cli = join(prefix, 'node_modules', 'code-server', 'out', 'node', 'cli.js');
  if (!existsSync(cli)) {
    mkdirSync(prefix, { recursive: true });
    writeFileSync(join(prefix, 'package.json'), '{ "private": true }\n');
    const install = spawnSync('npm', ['install', '--ignore-scripts', '--no-audit', '--no-fund', '--loglevel=error', `code-server@${version}`], {
      cwd: prefix, encoding: 'utf8', timeout: 600_000,
    });
    if (install.status !== 0) throw new Error(`npm install code-server@${version} failed: ${install.stderr}${install.error ?? ''}`);
  }
  return cli;
}

/** The code-server configuration file as the boot writes it, for the given props. */
function writtenConfig(props: Partial<CodeServerUserDataProps> = {}): string {
  const doc = parse(renderCloudConfig(resolveBootOptions({ hostname: 'code.example.com', tunnelToken: 'token', ...props }))) as {
    write_files: Array<{ path: string; content: string }>;
  };
  const file = doc.write_files.find((f) => f.path === BOOT_PATHS.codeServerConfig);
  if (!file) throw new Error(`the user data writes no ${BOOT_PATHS.codeServerConfig}`);
  return file.content;
}

describeRegistry(`code-server ${DEFAULT_VERSION}, the default, reading the configuration the boot writes`, () => {
  let parseConfigFile: (content: string, path: string) => Record<string, unknown>;
  beforeAll(() => {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    ({ parseConfigFile } = require(installedRelease(DEFAULT_VERSION)));
  }, 600_000);

  // code-server's own parser, as it reads its --config file at start: an option it does not know,
  // or a value it refuses, is an error there, and code-server would not start.
  test.each<[string, Partial<CodeServerUserDataProps>]>([
    ['the defaults', {}],
    ['workspace trust on and a short grace time', { workspaceTrust: true, reconnectionGraceSeconds: 60 }],
    ['a month of grace, settings and extensions', { reconnectionGraceSeconds: 2_592_000, settings: { 'editor.fontSize': 15 }, extensions: ['ms-python.python'] }],
  ])('accepts every option, with %s', (_name, props) => {
    const content = writtenConfig(props);
    const args = parseConfigFile(content, BOOT_PATHS.codeServerConfig);
    const written = parse(content) as Record<string, unknown>;
    // Each option written is in effect as written (cert: false is code-server's "no certificate", which it leaves out).
    for (const [option, value] of Object.entries(written).filter(([o]) => o !== 'cert')) {
      expect({ option, value: args[option] }).toEqual({ option, value: Array.isArray(value) ? value : value === true ? true : String(value) });
    }
    expect(args['bind-addr']).toBe('127.0.0.1:8080');
  });

  test('the check can fail: an option this release does not know is an error', () => {
    expect(() => parseConfigFile(`${writtenConfig()}idle-shutdown-after: 5\n`, BOOT_PATHS.codeServerConfig)).toThrow(/Unknown option --idle-shutdown-after/);
  });
});
