import { readdirSync, readFileSync } from 'fs';
import { join, relative } from 'path';
import { jestRoots, TIERS } from '../../../projenrc/tiers';

// A tier is a folder: a test file in no tier's folder would run in no tier task, and a file in two
// would run twice. Every folder jest looks in (its testMatch: lib/, test/, projenrc/) is checked.

const ROOT = join(__dirname, '..', '..', '..');

/** The test files under a folder of the repository, as jest's testMatch finds them, relative to the root. */
function testFilesUnder(folder: string): string[] {
  return readdirSync(join(ROOT, folder), { recursive: true, encoding: 'utf8' })
    .filter((path) => /\.(spec|test)\.tsx?$/.test(path) && !path.split('/').includes('node_modules'))
    .map((path) => relative(ROOT, join(ROOT, folder, path)));
}

/** The tiers whose folder holds a file. */
function tiersOf(file: string): string[] {
  return Object.entries(TIERS).filter(([, tier]) => file.startsWith(tier.folder)).map(([name]) => name);
}

const TEST_FILES = ['lib', 'test', 'projenrc'].flatMap(testFilesUnder);
const TASKS: Record<string, { steps?: Array<{ exec?: string; execArgs?: string[] }> }> = JSON.parse(readFileSync(join(ROOT, '.projen', 'tasks.json'), 'utf8')).tasks;
/** The tier folders that a task's jest runs, from its `--roots` options. */
function rootsOf(task: string): string[] {
  const command = (TASKS[task]?.steps ?? []).map((step) => step.exec ?? '').find((exec) => exec.includes('scripts/jest-strict.ts --roots='));
  return [...(command ?? '').matchAll(/--roots=(\S+)/g)].map((match) => `${match[1]}/`);
}
const ALL = Object.values(TIERS);
/** projen's own jest tasks, for a developer at a terminal: watching, rewriting snapshots. */
const INTERACTIVE = new Set(['test:watch', 'test:update']);

describe('the test tiers', () => {
  test('finds the test files', () => {
    expect(TEST_FILES).toContain('test/unit/projenrc/tiers.test.ts');
    expect(TEST_FILES.length).toBeGreaterThan(40);
  });

  test.each(TEST_FILES)('%s belongs to exactly one tier', (file) => {
    expect(tiersOf(file)).toHaveLength(1);
  });

  test.each(Object.entries(TIERS))('the %s tier is a folder with tests in it', (_name, tier) => {
    expect(tier.folder).toMatch(/^test\/(unit|integ\/[a-z-]+)\/$/);
    expect(TEST_FILES.some((file) => file.startsWith(tier.folder))).toBe(true);
  });

  test.each(Object.entries(TIERS))('the task test:%s runs jest on its folder alone', (name, tier) => {
    expect(rootsOf(`test:${name}`)).toEqual([tier.folder]);
  });

  test('npm test runs the fast tiers, test:all every tier, test:node-line those of Node.js itself', () => {
    expect(rootsOf('test')).toEqual(ALL.filter((tier) => tier.fast).map((tier) => tier.folder));
    expect(rootsOf('test:all')).toEqual(ALL.map((tier) => tier.folder));
    expect(rootsOf('test:node-line')).toEqual(ALL.filter((tier) => !tier.externalTools).map((tier) => tier.folder));
    expect(jestRoots([TIERS.unit, TIERS.consumer])).toBe('--roots=test/unit --roots=test/integ/consumer');
  });

  test('every task that runs the tests runs jest through scripts/jest-strict.ts', () => {
    const bareJest = Object.entries(TASKS)
      .filter(([name]) => !INTERACTIVE.has(name))
      .filter(([, task]) => (task.steps ?? []).some((step) => /(^|\s)jest(\s|$)/.test(step.exec ?? '') || step.execArgs?.[0] === 'jest'))
      .map(([name]) => name);
    expect(bareJest).toEqual([]);
  });

  test.each(['test', 'test:all'])('%s checks the JUnit report again as its last command', (task) => {
    const commands = (TASKS[task].steps ?? []).filter((step) => step.exec).map((step) => step.exec);
    expect(commands[commands.length - 1]).toMatch(/scripts\/jest-strict\.ts --check-report$/);
  });
});
