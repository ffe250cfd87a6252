import { spawnSync, SpawnSyncOptions } from 'child_process';
import { existsSync, readdirSync, readFileSync, statSync } from 'fs';
import { join, relative } from 'path';
import { CACHE_DIR } from '../../support/tools';

/** The repository's root: the packaging tasks and the consumer programs run from there. */
export const ROOT = join(__dirname, '..', '..', '..');

/** The wheels downloaded from PyPI for the Python tiers, kept between runs. */
export const PYTHON_WHEELS = join(CACHE_DIR, 'python-wheels');

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

/**
 * A file that `npx projen package:<language>` writes into dist/<language>, built first (jsii
 * compile, then the packaging task) when it is missing or older than the sources.
 */
export function builtArtifact(language: string, file: string): string {
  const path = join(ROOT, 'dist', language, file);
  if (existsSync(path) && statSync(path).mtimeMs >= newestSourceTime()) return path;

  console.warn(`dist/${language} is missing or older than lib/: building it with \`npx projen compile package:${language}\``);
  run('npx', ['projen', 'compile']);
  run('npx', ['projen', `package:${language}`]);
  if (!existsSync(path)) throw new Error(`npx projen package:${language} did not write ${relative(ROOT, path)}`);
  return path;
}

/** The library's version, as in the packages' names (0.0.0 outside a release). */
export function libraryVersion(): string {
  return JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')).version;
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
