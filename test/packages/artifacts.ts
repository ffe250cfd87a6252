import { spawnSync, SpawnSyncOptions } from 'child_process';
import { existsSync, readdirSync, readFileSync, statSync } from 'fs';
import { homedir } from 'os';
import { join, relative } from 'path';

/** The repository's root: the packaging tasks and the consumer programs run from there. */
export const ROOT = join(__dirname, '..', '..');

/** Where the consumer tiers keep downloads between runs: outside the repository. */
export const CACHE_DIR =
  process.env.ZTCS_CACHE ?? join(process.env.XDG_CACHE_HOME ?? join(homedir(), '.cache'), 'cdktf-zero-trust-code-server');

/** Runs a command, throwing with its output when it fails. */
export function run(command: string, args: string[], options: SpawnSyncOptions = {}): string {
  const result = spawnSync(command, args, { cwd: ROOT, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024, ...options });
  if (result.error) throw result.error;
  if (result.status !== 0) {
    throw new Error(`${command} ${args.join(' ')} exited with ${result.status}:\n${result.stdout}\n${result.stderr}`);
  }
  return String(result.stdout);
}

/** What a package is built from: the library's sources and assets, and the package manifest. */
function newestSourceTime(): number {
  let newest = statSync(join(ROOT, 'package.json')).mtimeMs;
  const walk = (dir: string): void => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const path = join(dir, entry.name);
      if (entry.isDirectory()) walk(path);
      else if (!/\.(js|d\.ts)$/.test(entry.name)) newest = Math.max(newest, statSync(path).mtimeMs);
    }
  };
  walk(join(ROOT, 'lib'));
  return newest;
}

/** The files under a folder, as paths relative to it. */
function filesUnder(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) =>
    entry.isDirectory() ? filesUnder(join(dir, entry.name)).map((f) => join(entry.name, f)) : [entry.name],
  );
}

/**
 * The file of an artifact that `npx projen package:<language>` writes into dist/<language>, whose
 * path there matches the pattern; the artifact is built first (jsii compile, then the packaging
 * task) when it is missing or older than the sources.
 */
export function builtArtifact(language: string, pattern: RegExp): string {
  const dir = join(ROOT, 'dist', language);
  const find = () => filesUnder(dir).filter((f) => pattern.test(f)).map((f) => join(dir, f));
  const fresh = find().filter((f) => statSync(f).mtimeMs >= newestSourceTime());
  if (fresh.length > 0) return fresh[0];

  console.warn(`dist/${language} is missing or older than lib/: building it with \`npx projen compile package:${language}\``);
  run('npx', ['projen', 'compile']);
  run('npx', ['projen', `package:${language}`]);
  const built = find();
  if (built.length !== 1) {
    throw new Error(`npx projen package:${language} left ${built.length} files matching ${pattern} in ${relative(ROOT, dir)}`);
  }
  return built[0];
}

/** The exact version of an npm package the tests were installed with (the consumers pin the same). */
export function installedVersion(npmPackage: string): string {
  return JSON.parse(readFileSync(join(ROOT, 'node_modules', npmPackage, 'package.json'), 'utf8')).version;
}

/** Terraform JSON without cdktf's metadata (the `//` keys), to compare what Terraform reads. */
export function withoutMetadata(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(withoutMetadata);
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(
      Object.entries(value).filter(([key]) => key !== '//').map(([key, v]) => [key, withoutMetadata(v)]),
    );
  }
  return value;
}

/** The Terraform JSON of one stack of a synthesized app. */
export function stackJson(outdir: string, stack: string): Record<string, any> {
  return JSON.parse(readFileSync(join(outdir, 'stacks', stack, 'cdk.tf.json'), 'utf8'));
}
