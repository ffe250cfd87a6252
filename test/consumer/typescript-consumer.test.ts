import { spawnSync } from 'child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'fs';
import { tmpdir } from 'os';
import { delimiter, dirname, join } from 'path';
import { CACHE_DIR } from '../tools';

// A new user's first synthesis, done the README's way: build the package as a fresh clone would,
// make a new cdktf TypeScript project with the README's commands, install the package with the
// README's install line, put the README's sample in main.ts and run the cdktf CLI. The commands
// and the sample are read from the README, so what it says is what this test runs.

const ROOT = join(__dirname, '..', '..');
const README = readFileSync(join(ROOT, 'README.md'), 'utf8');
const PACKAGE = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8'));

/**
 * npm's cache for this Node.js line, outside the repository: npx keeps the cdktf CLI it installs
 * for `cdktf init` there, with the terminal helper built for the Node.js that installed it, so a
 * cache shared between lines would hand Node.js 24 a helper built for 22.
 */
const NPM_CACHE = join(CACHE_DIR, 'npm', `node${process.versions.node.split('.')[0]}`);

/** The fenced block that follows `<!-- consumer:<name> -->` in the README. */
function readmeBlock(name: string): string {
  const match = new RegExp(`<!-- consumer:${name} -->\\n\`\`\`[a-z]*\\n([\\s\\S]*?)\`\`\`\\n`).exec(README);
  if (!match) throw new Error(`README.md has no fenced block after <!-- consumer:${name} -->`);
  return match[1];
}

/**
 * The environment of a new user's shell: the test's own, less what the npm running the test suite
 * put there (its lifecycle state and this repository's node_modules/.bin on PATH, which would lend
 * the project a cdktf CLI or a ts-node it does not have). Installs take what this line's npm cache
 * already holds and skip the audit; the cdktf CLI does not call home.
 */
function newUserEnv(): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [key, value] of Object.entries(process.env)) {
    if (/^npm_(lifecycle|package)_|^npm_(config_local_prefix|config_user_agent|execpath|node_execpath)$/.test(key)) continue;
    if (['INIT_CWD', 'NODE', 'NODE_ENV', 'JEST_WORKER_ID'].includes(key)) continue;
    env[key] = value;
  }
  env.PATH = (process.env.PATH ?? '').split(delimiter).filter((dir) => !dir.endsWith(join('node_modules', '.bin'))).join(delimiter);
  return {
    ...env,
    npm_config_cache: NPM_CACHE,
    npm_config_prefer_offline: 'true',
    npm_config_audit: 'false',
    npm_config_fund: 'false',
    npm_config_update_notifier: 'false',
    CHECKPOINT_DISABLE: '1',
  };
}

/** Runs a README block (or a command) with bash in a folder; throws with its output on failure. */
function sh(script: string, cwd: string): string {
  const run = spawnSync('bash', ['-euo', 'pipefail', '-c', script], {
    cwd,
    env: newUserEnv(),
    encoding: 'utf8',
    maxBuffer: 64 * 1024 * 1024,
  });
  if (run.error) throw run.error;
  if (run.status !== 0) {
    throw new Error(`in ${cwd}, this failed with exit code ${run.status}:\n${script}\n--- stdout\n${run.stdout.slice(-8000)}\n--- stderr\n${run.stderr.slice(-8000)}`);
  }
  return run.stdout;
}

/**
 * What `git clone` gives: the repository's files without anything built or ignored (the sources
 * are copied as they are in the work tree, committed or not). The dependencies that `npm ci`
 * would install are this repository's, linked.
 */
function cloneWithoutBuild(dest: string): void {
  const listed = spawnSync('git', ['ls-files', '-z', '--cached', '--others', '--exclude-standard'], { cwd: ROOT, encoding: 'utf8' });
  if (listed.status !== 0) throw new Error(`git ls-files failed: ${listed.stderr}`);
  for (const file of listed.stdout.split('\0').filter((f) => f && existsSync(join(ROOT, f)))) {
    mkdirSync(dirname(join(dest, file)), { recursive: true });
    cpSync(join(ROOT, file), join(dest, file));
  }
  spawnSync('ln', ['-s', join(ROOT, 'node_modules'), join(dest, 'node_modules')]);
}

interface PackedFile { readonly path: string }
interface TerraformJson {
  readonly resource?: Record<string, Record<string, unknown>>;
  readonly data?: Record<string, Record<string, unknown>>;
  readonly output?: Record<string, unknown>;
  readonly provider?: Record<string, unknown>;
}

/** Resource types and how many of each. */
function countByType(blocks: Record<string, Record<string, unknown>> = {}): Record<string, number> {
  return Object.fromEntries(Object.entries(blocks).map(([type, byName]) => [type, Object.keys(byName).length]));
}

describe('a new cdktf TypeScript project, set up as the README says', () => {
  const work = mkdtempSync(join(tmpdir(), 'ztcs-consumer-'));
  const clone = join(work, 'cdktf-zero-trust-code-server');
  const project = join(work, 'editors');
  let packed: string[] = [];
  let stack: TerraformJson = {};

  beforeAll(() => {
    // The README's package step is `git clone …` then `npm ci && npm pack` in the clone.
    const packStep = readmeBlock('pack');
    expect(packStep).toContain(`git clone ${PACKAGE.repository.url}`);
    expect(packStep).toContain('npm ci && npm pack');
    cloneWithoutBuild(clone);
    const report = JSON.parse(sh('npm pack --json', clone)) as Array<{ files: PackedFile[] }>;
    packed = report[0].files.map((f) => f.path);

    sh(readmeBlock('new-project'), work);
    sh(readmeBlock('install'), project);
    writeFileSync(join(project, 'main.ts'), readmeBlock('main.ts'));
    sh(readmeBlock('synth'), project);
    stack = JSON.parse(readFileSync(join(project, 'cdktf.out', 'stacks', 'editors', 'cdk.tf.json'), 'utf8'));
  }, 20 * 60_000);

  afterAll(() => rmSync(work, { recursive: true, force: true }));

  test('the package holds the compiled library, its declarations, the jsii assembly, the boot scripts and yaml', () => {
    expect(packed).toEqual(expect.arrayContaining([
      'package.json', '.jsii', 'README.md', 'LICENSE', 'API.md',
      'lib/index.js', 'lib/index.d.ts', 'lib/zero-trust-code-server.js', 'lib/zero-trust-code-server.d.ts',
      'lib/boot/assets/boot.sh', 'node_modules/yaml/package.json',
    ]));
    for (const dir of ['access', 'boot', 'dns', 'droplet', 'storage', 'tunnel', 'validation']) {
      expect(packed).toContain(`lib/${dir}/index.js`);
    }
  });

  test('the package holds no TypeScript sources, no tarballs, no tests and no build leftovers', () => {
    const unwanted = packed.filter((f) =>
      (f.endsWith('.ts') && !f.endsWith('.d.ts')) || f.endsWith('.tgz') || /^(test|examples|scripts|bench|cdktf\.out|coverage)\//.test(f) || f === 'tsconfig.tsbuildinfo');
    expect(unwanted).toEqual([]);
  });

  test('the project runs TypeScript 5.9 and has the cdktf CLI as a dev dependency', () => {
    const manifest = JSON.parse(readFileSync(join(project, 'package.json'), 'utf8'));
    expect(manifest.devDependencies).toHaveProperty('cdktf-cli');
    const typescript = JSON.parse(readFileSync(join(project, 'node_modules', 'typescript', 'package.json'), 'utf8'));
    expect(typescript.version).toMatch(/^5\.9\./);
    expect(manifest.dependencies['cdktf-zero-trust-code-server']).toMatch(/\.tgz$/);
  });

  test('the README sample synthesizes every resource of one editor, once', () => {
    expect(countByType(stack.resource)).toEqual({
      cloudflare_dns_record: 1,
      cloudflare_zero_trust_access_application: 1,
      cloudflare_zero_trust_access_policy: 1,
      cloudflare_zero_trust_tunnel_cloudflared: 1,
      cloudflare_zero_trust_tunnel_cloudflared_config: 1,
      digitalocean_droplet: 1,
      digitalocean_firewall: 1,
      digitalocean_ssh_key: 1,
      digitalocean_tag: 1,
      digitalocean_volume: 1,
      tls_private_key: 1,
    });
    expect(countByType(stack.data)).toEqual({ cloudflare_zero_trust_tunnel_cloudflared_token: 1 });
  });

  test('the stack has the three providers and the outputs the README names', () => {
    expect(Object.keys(stack.provider ?? {}).sort()).toEqual(['cloudflare', 'digitalocean', 'tls']);
    expect(Object.keys(stack.output ?? {}).sort()).toEqual(['Alice-access-aud', 'Alice-droplet-id', 'Alice-tunnel-id', 'Alice-url']);
  });
});
