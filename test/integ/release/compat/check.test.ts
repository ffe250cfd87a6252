import { spawnSync } from 'child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';
import { BASELINE_FILE, breakingChangeCommits, checkCompatibility, findBaseline, report } from '../../../../compat/check';

// The compatibility check against deliberate API changes: each test makes a repository whose
// recorded baseline is this project's, and an assembly changed from it the way a change of the
// library's source would change it; the commits since the baseline carry the messages under test.

const ROOT = join(__dirname, '..', '..', '..', '..');
const BASELINE = readFileSync(join(ROOT, BASELINE_FILE), 'utf8');
const NAME: string = JSON.parse(BASELINE).name;
const PROPS = `${NAME}.ZeroTrustCodeServerProps`;

type Assembly = { types: Record<string, { properties?: Array<{ name: string; optional?: boolean }> }> };

function git(repo: string, ...args: string[]): string {
  const result = spawnSync('git', ['-c', 'user.name=test', '-c', 'user.email=test@example.com', ...args], { cwd: repo, encoding: 'utf8' });
  if (result.status !== 0) throw new Error(`git ${args.join(' ')}: ${result.stderr}`);
  return result.stdout.trim();
}

/** A repository whose one commit records this project's baseline; node_modules holds the dependencies' assemblies. */
function repositoryWithBaseline(): string {
  const repo = mkdtempSync(join(tmpdir(), 'ztcs-compat-test-'));
  git(repo, 'init', '-q');
  mkdirSync(join(repo, 'compat'));
  writeFileSync(join(repo, BASELINE_FILE), BASELINE);
  writeFileSync(join(repo, '.gitignore'), '/node_modules\n/.jsii\n');
  symlinkSync(join(ROOT, 'node_modules'), join(repo, 'node_modules'));
  git(repo, 'add', '.');
  git(repo, 'commit', '-q', '-m', 'chore: record the API baseline');
  return repo;
}

/** This version's assembly in the repository: the baseline, changed. */
function assemblyChangedBy(repo: string, change: (assembly: Assembly) => void): string {
  const assembly = JSON.parse(BASELINE) as Assembly;
  change(assembly);
  const file = join(repo, '.jsii');
  writeFileSync(file, JSON.stringify(assembly));
  return file;
}

const removeHostname = (assembly: Assembly) => {
  assembly.types[PROPS].properties = assembly.types[PROPS].properties!.filter((p) => p.name !== 'hostname');
};
const addProp = (optional: boolean) => (assembly: Assembly) => {
  assembly.types[PROPS].properties!.push({
    name: 'costCenter',
    type: { primitive: 'string' },
    abstract: true,
    immutable: true,
    docs: { summary: 'The cost center billed for the editor.' },
    ...(optional ? { optional: true } : {}),
  } as any);
};

let repo: string;
beforeEach(() => {
  repo = repositoryWithBaseline();
});
afterEach(() => rmSync(repo, { recursive: true, force: true }));

describe('the API compatibility check', () => {
  test('an unchanged API passes', () => {
    const result = checkCompatibility(repo, assemblyChangedBy(repo, () => undefined));

    expect(result.passed).toBe(true);
    expect(result.incompatibilities).toEqual([]);
    expect(report(result)).toContain('no incompatible API change');
  });

  test.each([
    ['a removed prop', removeHostname, `${PROPS}.hostname: has been removed`],
    ['a new required prop', addProp(false), `${PROPS}: newly required property 'costCenter' added`],
  ])('%s fails when no commit since the baseline declares a breaking change', (_change, change, expected) => {
    // GIVEN: commits since the baseline that declare no break
    git(repo, 'commit', '-q', '--allow-empty', '-m', 'feat: editors carry a cost center', '-m', 'It is billed per team.');
    git(repo, 'commit', '-q', '--allow-empty', '-m', 'docs: what BREAKING CHANGE: in the middle of a line means (nothing)');

    // WHEN
    const result = checkCompatibility(repo, assemblyChangedBy(repo, change));

    // THEN
    expect(result.passed).toBe(false);
    // (also reported on every props interface that extends the changed one, e.g. DepartedEditorProps)
    expect(result.incompatibilities).toContainEqual(expect.stringContaining(expected));
    expect(report(result)).toContain('compat: FAILED');
  });

  test.each([
    ['a BREAKING CHANGE: footer', ['feat: the editor takes its hostname from the team', '-m', 'BREAKING CHANGE: hostname is removed; set CodeServerTeam.domain instead.']],
    ['a ! in the subject', ['feat(api)!: the editor takes its hostname from the team']],
  ])('a removed prop passes when a commit since the baseline declares it with %s', (_declaration, message) => {
    git(repo, 'commit', '-q', '--allow-empty', '-m', ...message);

    const result = checkCompatibility(repo, assemblyChangedBy(repo, removeHostname));

    expect(result.passed).toBe(true);
    expect(result.incompatibilities).toContainEqual(expect.stringContaining(`${PROPS}.hostname: has been removed`));
    expect(result.breakingCommits).toEqual([expect.stringContaining('the editor takes its hostname from the team')]);
    expect(report(result)).toContain('docs/upgrading.md');
  });

  test('a new optional prop passes without a declaration', () => {
    const result = checkCompatibility(repo, assemblyChangedBy(repo, addProp(true)));

    expect(result.passed).toBe(true);
    expect(result.incompatibilities).toEqual([]);
  });

  test('a declaration made before the baseline was recorded does not count', () => {
    // GIVEN: the break declared, then the baseline recorded again after it
    git(repo, 'commit', '-q', '--allow-empty', '-m', 'feat!: hostname goes');
    writeFileSync(join(repo, BASELINE_FILE), `${BASELINE}\n`);
    git(repo, 'commit', '-q', '-am', 'chore: record the API baseline again');

    const result = checkCompatibility(repo, assemblyChangedBy(repo, removeHostname));

    expect(result.breakingCommits).toEqual([]);
    expect(result.passed).toBe(false);
  });
});

describe('the previous release the check compares with', () => {
  test('before the first release tag, it is the recorded baseline, counted from the commit that recorded it', () => {
    const recorded = git(repo, 'rev-parse', 'HEAD');
    git(repo, 'commit', '-q', '--allow-empty', '-m', 'fix: later');

    expect(findBaseline(repo, NAME)).toMatchObject({ assembly: join(repo, BASELINE_FILE), since: recorded });
  });

  test('a baseline being recorded (not committed yet) counts from HEAD', () => {
    git(repo, 'commit', '-q', '--allow-empty', '-m', 'feat!: hostname goes');
    writeFileSync(join(repo, BASELINE_FILE), `${BASELINE}\n`);

    expect(findBaseline(repo, NAME).since).toBe(git(repo, 'rev-parse', 'HEAD'));
  });

  test('after a release, it is the newest release tag\'s package on npm, by version order', () => {
    for (const tag of ['v0.2.0', 'v0.10.0', 'v0.9.1', 'v1.0.0-rc.0', 'not-a-release']) {
      git(repo, 'commit', '-q', '--allow-empty', '-m', `chore(release): ${tag}`);
      git(repo, 'tag', tag);
    }

    expect(findBaseline(repo, NAME)).toMatchObject({ assembly: `npm:${NAME}@0.10.0`, since: 'v0.10.0' });
  });

  test('only the commits after it can declare a breaking change', () => {
    git(repo, 'commit', '-q', '--allow-empty', '-m', 'feat!: before the release');
    git(repo, 'tag', 'v0.1.0');
    git(repo, 'commit', '-q', '--allow-empty', '-m', 'fix: after the release', '-m', 'BREAKING-CHANGE: the footer with a hyphen');

    expect(breakingChangeCommits(repo, 'v0.1.0')).toEqual([expect.stringMatching(/^[0-9a-f]+ fix: after the release$/)]);
  });
});
