import { readdirSync, readFileSync } from 'fs';
import { join, relative } from 'path';
import { tierPattern, TIERS } from '../../projenrc/tiers';

// A tier is a folder: a test file in no tier's folder would run in no tier task, and a file in two
// would run twice. Every folder jest looks in (its testMatch: lib/, test/, projenrc/) is checked.

const ROOT = join(__dirname, '..', '..');

/** The test files under a folder of the repository, as jest's testMatch finds them, relative to the root. */
function testFilesUnder(folder: string): string[] {
  return readdirSync(join(ROOT, folder), { recursive: true, encoding: 'utf8' })
    .filter((path) => /\.(spec|test)\.tsx?$/.test(path) && !path.split('/').includes('node_modules'))
    .map((path) => relative(ROOT, join(ROOT, folder, path)));
}

/** The tiers whose jest path pattern matches a file (jest matches the absolute path). */
function tiersOf(file: string): string[] {
  return Object.entries(TIERS)
    .filter(([, tier]) => new RegExp(tierPattern(tier)).test(join(ROOT, file)))
    .map(([name]) => name);
}

const TEST_FILES = ['lib', 'test', 'projenrc'].flatMap(testFilesUnder);
const TASKS: Record<string, { steps?: Array<{ exec?: string }> }> = JSON.parse(readFileSync(join(ROOT, '.projen', 'tasks.json'), 'utf8')).tasks;

describe('the test tiers', () => {
  test('finds the test files', () => {
    expect(TEST_FILES).toContain('test/unit/tiers.test.ts');
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
    const commands = (TASKS[`test:${name}`]?.steps ?? []).map((step) => step.exec ?? '');
    const jest = commands.find((command) => /(^|\s)jest\s/.test(command));
    expect(jest).toBeDefined();
    expect(jest).toContain(`'${tierPattern(tier)}'`);
    for (const other of Object.values(TIERS).filter((t) => t !== tier)) {
      expect(jest).not.toContain(`'${tierPattern(other)}'`);
    }
  });
});
