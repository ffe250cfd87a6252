// The API compatibility check (`npx projen compat`, run by `npm test`): jsii-diff of this version's
// assembly against the previous release's, which fails on a breaking change unless a commit since
// that release says `BREAKING CHANGE:` (or `type!:`), the footer the release task turns into a
// breaking version. The previous release is the newest release tag's package on npm or, before
// the first tag, the assembly recorded in compat/baseline.jsii (`npx projen compat:record`).
import { spawnSync } from 'child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, symlinkSync, writeFileSync } from 'fs';
import { tmpdir } from 'os';
import { join, relative } from 'path';

/** The recorded baseline, relative to the repository. */
export const BASELINE_FILE = 'compat/baseline.jsii';

/** A previous release to compare with: where its assembly comes from, and since when commits count. */
export interface Baseline {
  /** What jsii-diff loads: `npm:<name>@<version>` for a tag, a recorded assembly file otherwise. */
  readonly assembly: string;
  /** The revision after which commits may declare a breaking change. */
  readonly since: string;
  /** What it is, in words, for the report. */
  readonly description: string;
}

/** A commit that declares a breaking change, as `git log --oneline` shows it. */
export type BreakingCommit = string;

export interface CompatResult {
  readonly baseline: Baseline;
  /** Whether this version is compatible with the baseline, or its breaking changes are declared. */
  readonly passed: boolean;
  /** jsii-diff's list of incompatible changes (empty when there is none). */
  readonly incompatibilities: string[];
  /** The commits since the baseline that declare a breaking change. */
  readonly breakingCommits: BreakingCommit[];
}

function git(repo: string, args: string[]): string {
  const result = spawnSync('git', args, { cwd: repo, encoding: 'utf8' });
  if (result.status !== 0) throw new Error(`git ${args.join(' ')} failed in ${repo}: ${result.stderr}`);
  return result.stdout.trim();
}

/**
 * The previous release of the package `name`: the newest `v<semver>` tag if there is one (projen's
 * release tags, and publishes that version to npm), else the recorded baseline, counted from the
 * commit that last recorded it.
 */
export function findBaseline(repo: string, name: string): Baseline {
  const [tag] = git(repo, ['tag', '--list', 'v*', '--sort=-version:refname']).split('\n').filter((t) => /^v\d+\.\d+\.\d+$/.test(t));
  if (tag) {
    return { assembly: `npm:${name}@${tag.slice(1)}`, since: tag, description: `the release ${tag} (${name}@${tag.slice(1)} on npm)` };
  }
  if (!existsSync(join(repo, BASELINE_FILE))) {
    throw new Error(`no release tag and no ${BASELINE_FILE}: record one with \`npx projen compat:record\``);
  }
  // A baseline being recorded (changed in the work tree, not yet committed) counts from HEAD.
  const recording = git(repo, ['status', '--porcelain', '--', BASELINE_FILE]) !== '';
  const since = recording ? git(repo, ['rev-parse', 'HEAD']) : git(repo, ['log', '-1', '--format=%H', '--', BASELINE_FILE]);
  if (!since) throw new Error(`git log shows no commit of ${BASELINE_FILE}: the clone is too shallow, fetch its history`);
  const when = recording ? 'being recorded (not committed yet)' : `recorded in ${since.slice(0, 7)}`;
  return { assembly: join(repo, BASELINE_FILE), since, description: `the baseline ${BASELINE_FILE}, ${when}` };
}

/**
 * The commits after `since` whose message declares a breaking change the way the release task
 * reads it (conventional commits): a `BREAKING CHANGE:` or `BREAKING-CHANGE:` footer, or a `!`
 * before the colon of the subject (`feat!:`, `fix(api)!:`).
 */
export function breakingChangeCommits(repo: string, since: string): BreakingCommit[] {
  const log = git(repo, ['log', '--format=%h%x00%s%x00%B%x1e', `${since}..HEAD`]);
  return log.split('\x1e').map((entry) => entry.trim()).filter(Boolean).flatMap((entry) => {
    const [hash, subject, body] = entry.split('\x00');
    const declared = /^[a-z]+(\([^)]*\))?!:/i.test(subject) || /^BREAKING[ -]CHANGE: /m.test(body);
    return declared ? [`${hash} ${subject}`] : [];
  });
}

/**
 * A folder that jsii-diff loads as a package: the assembly, a package.json naming its
 * dependencies, and node_modules to find their assemblies in.
 */
function packageFolder(assemblyFile: string, nodeModules: string): string {
  const folder = mkdtempSync(join(tmpdir(), 'ztcs-compat-'));
  const assembly = JSON.parse(readFileSync(assemblyFile, 'utf8'));
  writeFileSync(join(folder, '.jsii'), JSON.stringify(assembly));
  writeFileSync(join(folder, 'package.json'), JSON.stringify({
    name: assembly.name,
    version: assembly.version,
    jsii: {},
    dependencies: assembly.dependencies ?? {},
  }));
  symlinkSync(nodeModules, join(folder, 'node_modules'));
  return folder;
}

/**
 * jsii-diff of the assembly `updated` against the baseline. jsii-diff exits 0 when it cannot load
 * an assembly ("Skipping analysis"), which would pass anything: that is an error here.
 */
function jsiiDiff(repo: string, baseline: Baseline, updated: string): { failed: boolean; incompatibilities: string[] } {
  const nodeModules = join(repo, 'node_modules');
  const folders: string[] = [];
  const load = (assembly: string) => {
    if (assembly.startsWith('npm:')) return assembly;
    folders.push(packageFolder(assembly, nodeModules));
    return folders[folders.length - 1];
  };
  try {
    const ignore = join(repo, '.compatignore');
    const result = spawnSync(join(nodeModules, '.bin', 'jsii-diff'), [
      '--keys', '--ignore-file', ignore, load(baseline.assembly), load(updated),
    ], { cwd: repo, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
    const output = `${result.stdout}${result.stderr}`;
    if (result.error) throw result.error;
    if (/Skipping analysis|Error loading assembly/.test(output) || (result.status !== 0 && result.status !== 1)) {
      throw new Error(`jsii-diff could not compare with ${baseline.description}:\n${output}`);
    }
    const incompatibilities = output.split('\n').filter((line) => /^(err|warn|skip) +- /.test(line));
    return { failed: result.status === 1, incompatibilities };
  } finally {
    for (const folder of folders) rmSync(folder, { recursive: true, force: true });
  }
}

/** Compares the assembly file `updated` with the previous release of the repository. */
export function checkCompatibility(repo: string, updated: string): CompatResult {
  const name = JSON.parse(readFileSync(updated, 'utf8')).name;
  const baseline = findBaseline(repo, name);
  const { failed, incompatibilities } = jsiiDiff(repo, baseline, updated);
  const breakingCommits = failed ? breakingChangeCommits(repo, baseline.since) : [];
  return { baseline, passed: !failed || breakingCommits.length > 0, incompatibilities, breakingCommits };
}

/** What the check says, pass or fail. */
export function report(result: CompatResult): string {
  const lines = [`compat: this version against ${result.baseline.description}`];
  if (result.incompatibilities.length === 0) return [...lines, 'compat: no incompatible API change'].join('\n');
  lines.push(...result.incompatibilities.map((line) => `  ${line}`));
  if (result.breakingCommits.length > 0) {
    lines.push('compat: breaking changes, declared since the previous release by:');
    lines.push(...result.breakingCommits.map((commit) => `  ${commit}`));
    lines.push('compat: the release will be breaking (a new major version; while the version is 0.x, a new minor): say how to move in docs/upgrading.md');
  } else if (result.passed) {
    lines.push('compat: no breaking change (the lines above are warnings)');
  } else {
    lines.push(
      'compat: FAILED: the API changed incompatibly and no commit since the previous release declares it.',
      'compat: keep the old API (deprecate rather than remove), or declare the break in a commit message',
      'compat: footer `BREAKING CHANGE: <what changed and how to move>` (the release makes it a breaking version)',
      'compat: and write the upgrade notes in docs/upgrading.md; a false alarm goes in .compatignore by its [key].',
    );
  }
  return lines.join('\n');
}

/** The newest modification time of the library's TypeScript sources. */
function newestSource(dir: string): number {
  return readdirSync(dir, { withFileTypes: true }).reduce((newest, entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return Math.max(newest, newestSource(path));
    return /\.ts$/.test(entry.name) && !entry.name.endsWith('.d.ts') ? Math.max(newest, statSync(path).mtimeMs) : newest;
  }, 0);
}

if (require.main === module) {
  const repo = join(__dirname, '..');
  const assembly = join(repo, '.jsii');
  if (!existsSync(assembly) || statSync(assembly).mtimeMs < newestSource(join(repo, 'lib'))) {
    console.error(`compat: ${relative(process.cwd(), assembly) || '.jsii'} is missing or older than lib/: compiling first`);
    const compile = spawnSync('npx', ['projen', 'compile'], { cwd: repo, stdio: 'inherit' });
    if (compile.status !== 0) process.exit(compile.status ?? 1);
  }
  try {
    const result = checkCompatibility(repo, assembly);
    console.log(report(result));
    process.exit(result.passed ? 0 : 1);
  } catch (error) {
    console.error(`compat: FAILED: ${(error as Error).message}`);
    process.exit(1);
  }
}
