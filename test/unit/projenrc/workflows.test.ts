import { readdirSync, readFileSync, existsSync } from 'fs';
import { join } from 'path';
import { parse } from 'yaml';
import { TIERS } from '../../../projenrc/tiers';
import { TIER_CACHES } from '../../../projenrc/workflows';

// The GitHub workflows as .projenrc.ts generates them: lint and the API check first, a job per
// slow tier, every tier before a release, and caches whose keys and folders are the ones the
// scripts and the tiers use.

const ROOT = join(__dirname, '..', '..', '..');
const workflow = (name: string) => parse(readFileSync(join(ROOT, '.github', 'workflows', `${name}.yml`), 'utf8'));
const BUILD = workflow('build');
const RELEASE = workflow('release');
const SLOW = Object.entries(TIERS).filter(([, tier]) => !tier.fast).map(([name]) => name);
const runs = (job: any): string[] => job.steps.filter((step: any) => step.run).map((step: any) => step.run);
const caches = (job: any): any[] => job.steps.filter((step: any) => String(step.uses).startsWith('actions/cache@'));

/** The scripts and the tests' sources that write into the cache directory (ZTCS_CACHE, CACHE_DIR). */
const WRITERS = [
  ...readdirSync(join(ROOT, 'scripts')).filter((f) => f.endsWith('.sh')).map((f) => join(ROOT, 'scripts', f)),
  ...readdirSync(join(ROOT, 'test'), { recursive: true, encoding: 'utf8' }).filter((f) => f.endsWith('.ts')).map((f) => join(ROOT, 'test', f)),
].map((file) => readFileSync(file, 'utf8')).filter((text) => /ZTCS_CACHE|CACHE_DIR/.test(text)).join('\n');

describe('the build workflow', () => {
  test('runs the type check, eslint and the API check in a job that the others wait for', () => {
    expect(runs(BUILD.jobs.lint)).toEqual(expect.arrayContaining(['npx tsc --noEmit -p test/tsconfig.json', 'npx projen eslint', 'npx projen compat']));
    for (const job of ['build', 'tier', 'node-line']) expect([BUILD.jobs[job].needs].flat()).toEqual(['lint']);
  });

  test('runs each slow tier in a job of its own, in the privileged Debian container, with the tier\'s tools', () => {
    const tier = BUILD.jobs.tier;
    expect(tier.strategy.matrix.tier).toEqual(SLOW);
    expect(tier.strategy['fail-fast']).toBe(false);
    expect(tier.container).toEqual({ image: 'node:22-bookworm', options: '--privileged' });
    expect(runs(tier)).toEqual(expect.arrayContaining(['scripts/install-test-tools.sh ${{ matrix.tier }}', 'npx projen test:${{ matrix.tier }}']));
  });

  test('runs the fast tiers in the build, and the tiers of Node.js itself on the other lines', () => {
    expect(runs(BUILD.jobs.build)).toContain('npx projen build');
    expect(BUILD.jobs['node-line'].strategy.matrix.node).toEqual(['20', '24']);
    expect(runs(BUILD.jobs['node-line'])).toContain('npx projen test:node-line');
  });

  test('restores each tier\'s caches in its own job only', () => {
    for (const [tier, setUps] of Object.entries(TIER_CACHES)) {
      for (const setUp of setUps) {
        const step = caches(BUILD.jobs.tier).find((s) => s.with.path.endsWith(`/${setUp.folder}`));
        expect(step?.if).toContain(`matrix.tier == '${tier}'`);
      }
    }
  });
});

describe('the release workflow', () => {
  test('runs every tier, with their tools and caches, before it releases', () => {
    const release = RELEASE.jobs.release;
    const commands = runs(release);
    expect(commands.indexOf('npx projen test:all')).toBeGreaterThan(commands.indexOf('scripts/install-test-tools.sh'));
    expect(commands.indexOf('npx projen release')).toBeGreaterThan(commands.indexOf('npx projen test:all'));
    expect(release.container).toEqual({ image: 'node:22-bookworm', options: '--privileged' });
    expect(caches(release).map((s) => s.with.path).sort()).toEqual(caches(BUILD.jobs.tier).map((s) => s.with.path).sort());
  });
});

describe('the caches', () => {
  const steps = [...caches(BUILD.jobs.tier), ...caches(BUILD.jobs['node-line']), ...caches(RELEASE.jobs.release)];

  test.each(steps.map((step) => [step.with.path, step.with.key]))('%s is keyed on files that exist (%s)', (_path, key) => {
    const files = [...String(key).matchAll(/'([^']+)'/g)].map((match) => match[1]);
    expect(files.length).toBeGreaterThan(0);
    for (const file of files) expect(existsSync(join(ROOT, file))).toBe(true);
  });

  test.each(steps.map((step) => [step.with.path]))('%s is a folder of the cache that a script or a tier writes', (path) => {
    expect(path).toMatch(/^~\/\.cache\/cdktf-zero-trust-code-server\//);
    const folder = String(path).split('/')[3];
    expect(WRITERS).toMatch(new RegExp(`[/'"]${folder}[/'"]`));
  });
});
