import { spawnSync } from 'child_process';
import { cpSync, existsSync, mkdirSync, readFileSync } from 'fs';
import { delimiter, dirname, join } from 'path';
import { CACHE_DIR } from '../../support/tools';

// What a new user does, shared by the consumer tier (a package built from a clone) and the release
// rehearsal (the package installed by name from a registry): the README's commands and samples,
// run in a shell of their own.

const ROOT = join(__dirname, '..', '..', '..');

/** The pages a new user follows: the README (TypeScript) and docs/python.md. */
const PAGES = ['README.md', join('docs', 'python.md')].map((page) => ({ page, text: readFileSync(join(ROOT, page), 'utf8') }));

/**
 * npm's cache for this Node.js line, outside the repository: npx keeps the cdktf CLI it installs
 * for `cdktf init` there, with the terminal helper built for the Node.js that installed it, so a
 * cache shared between lines would hand Node.js 24 a helper built for 22.
 */
const NPM_CACHE = join(CACHE_DIR, 'npm', `node${process.versions.node.split('.')[0]}`);

/**
 * The fenced block that follows `<!-- consumer:<name> -->` in the README or docs/python.md; a
 * marker on no page or on two is an error, so the block run is the one a user reads.
 */
export function readmeBlock(name: string): string {
  const found = PAGES.flatMap(({ page, text }) => {
    const match = new RegExp(`<!-- consumer:${name} -->\\n\`\`\`[a-z]*\\n([\\s\\S]*?)\`\`\`\\n`).exec(text);
    return match ? [{ page, block: match[1] }] : [];
  });
  if (found.length !== 1) {
    throw new Error(`expected one fenced block after <!-- consumer:${name} --> in ${PAGES.map((p) => p.page).join(' and ')}, found ${found.length}`);
  }
  return found[0].block;
}

/**
 * The environment of a new user's shell: the test's own, less what the npm running the test suite
 * put there (its lifecycle state and this repository's node_modules/.bin on PATH, which would lend
 * the project a cdktf CLI or a ts-node it does not have). Installs take what this line's npm cache
 * already holds and skip the audit; the cdktf CLI does not call home.
 */
export function newUserEnv(): NodeJS.ProcessEnv {
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

/**
 * Runs a README block (or a command) with bash in a folder, in a new user's environment with
 * `env` added; throws with its output on failure.
 */
export function sh(script: string, cwd: string, env: NodeJS.ProcessEnv = {}): string {
  const run = spawnSync('bash', ['-euo', 'pipefail', '-c', script], {
    cwd,
    env: { ...newUserEnv(), ...env },
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
export function cloneWithoutBuild(dest: string): void {
  const listed = spawnSync('git', ['ls-files', '-z', '--cached', '--others', '--exclude-standard'], { cwd: ROOT, encoding: 'utf8' });
  if (listed.status !== 0) throw new Error(`git ls-files failed: ${listed.stderr}`);
  for (const file of listed.stdout.split('\0').filter((f) => f && existsSync(join(ROOT, f)))) {
    mkdirSync(dirname(join(dest, file)), { recursive: true });
    cpSync(join(ROOT, file), join(dest, file));
  }
  spawnSync('ln', ['-s', join(ROOT, 'node_modules'), join(dest, 'node_modules')]);
}

export interface TerraformJson {
  readonly resource?: Record<string, Record<string, unknown>>;
  readonly data?: Record<string, Record<string, unknown>>;
  readonly output?: Record<string, unknown>;
  readonly provider?: Record<string, unknown>;
}

/** The Terraform JSON of the stack `editors` that the README's samples synthesize in `project`. */
export function editorsStack(project: string): TerraformJson {
  return JSON.parse(readFileSync(join(project, 'cdktf.out', 'stacks', 'editors', 'cdk.tf.json'), 'utf8'));
}

/** Resource types and how many of each. */
export function countByType(blocks: Record<string, Record<string, unknown>> = {}): Record<string, number> {
  return Object.fromEntries(Object.entries(blocks).map(([type, byName]) => [type, Object.keys(byName).length]));
}

/** What the README's samples make: one editor's resources, once each, and its data source. */
export const ONE_EDITOR = {
  resources: {
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
    // The droplet's SSH key, and the key whose hash names its firewall's tag.
    tls_private_key: 2,
  },
  data: { cloudflare_zero_trust_tunnel_cloudflared_token: 1 },
  providers: ['cloudflare', 'digitalocean', 'tls'],
  outputs: ['Alice-access-aud', 'Alice-droplet-id', 'Alice-tunnel-id', 'Alice-url'],
};
