import { execSync } from 'child_process';
import { existsSync, readdirSync, readFileSync } from 'fs';
import { dirname, join } from 'path';
import { ACCESS_DEFAULTS } from '../../lib/access/code-server-access';
import { BOOT_DEFAULTS } from '../../lib/boot/code-server-user-data';
import { DROPLET_DEFAULTS } from '../../lib/droplet/code-server-droplet';
import { FLEET_DEFAULTS } from '../../lib/fleet/code-server-fleet';
import { STATE_BACKEND_DEFAULTS } from '../../lib/fleet/state-backend';
import { IDLE_STOP_DEFAULTS } from '../../lib/idle-stop/idle-stop';
import { HOME_VOLUME_DEFAULTS } from '../../lib/storage/home-volume';

// Every default is defined once, next to the construct that owns it; the docs must agree with it.
// The README is the user's first page; the docs/ pages, CONTRIBUTING.md and the examples' index
// are linked from it, and every link among them must lead somewhere.

const ROOT = join(__dirname, '..', '..');
const read = (page: string) => readFileSync(join(ROOT, page), 'utf8');
const PROPS = read('docs/props.md');

/** Each default, the source file that owns it, and the props it is the default of. */
const DEFAULTS: Array<[string, Record<string, string | number | boolean>, string]> = [
  ['access', ACCESS_DEFAULTS, 'lib/access/code-server-access.ts'],
  ['boot', BOOT_DEFAULTS, 'lib/boot/code-server-user-data.ts'],
  ['droplet', DROPLET_DEFAULTS, 'lib/droplet/code-server-droplet.ts'],
  ['home volume', HOME_VOLUME_DEFAULTS, 'lib/storage/home-volume.ts'],
  ['fleet', FLEET_DEFAULTS, 'lib/fleet/code-server-fleet.ts'],
  ['state backend', STATE_BACKEND_DEFAULTS, 'lib/fleet/state-backend.ts'],
  ['idle stop', IDLE_STOP_DEFAULTS, 'lib/idle-stop/idle-stop.ts'],
];

/** Defaults that depend on another prop: the docs describe them in words. */
const DESCRIBED_IN_WORDS = new Set(['swapSizeGib']);

const CASES = DEFAULTS.flatMap(([part, defaults, file]) =>
  Object.entries(defaults)
    .filter(([prop]) => !DESCRIBED_IN_WORDS.has(prop))
    .map(([prop, value]) => [part, prop, value, file] as [string, string, string | number | boolean, string]),
);

/** The default cell of docs/props.md's table row for a prop. */
function documentedDefault(prop: string): string {
  const row = PROPS.split('\n').find((line) => line.startsWith(`| \`${prop}\` |`));
  if (!row) throw new Error(`docs/props.md's tables have no row for ${prop}`);
  return row.split('|')[2].trim();
}

/** The `@default` line of a prop's doc comment in its source file. */
function sourceDefault(file: string, prop: string): string {
  const source = readFileSync(join(ROOT, file), 'utf8');
  const match = new RegExp(`@default ([^\\n]*)\\n\\s*\\*/\\n\\s*readonly ${prop}\\?:`).exec(source);
  if (!match) throw new Error(`${file} documents no @default for ${prop}`);
  return match[1].trim();
}

describe('the documented defaults', () => {
  test.each(CASES)('docs/props.md gives the %s default of %s as the code does', (_part, prop, value) => {
    expect(documentedDefault(prop)).toBe(`\`${value}\``);
  });

  test.each(CASES)('the doc comment gives the %s default of %s as the code does', (_part, prop, value, file) => {
    expect(sourceDefault(file, prop)).toBe(typeof value === 'string' ? JSON.stringify(value) : String(value));
  });
});

/** The user's pages and the contributor's: every Markdown page a link can lead to or from. */
const PAGES = [
  'README.md', 'CONTRIBUTING.md', 'CHANGELOG.md', 'examples/README.md',
  ...readdirSync(join(ROOT, 'docs')).filter((f) => f.endsWith('.md')).map((f) => `docs/${f}`),
];

/** GitHub's anchors of a page's headings (outside code blocks), a repeated one suffixed -1, -2… */
function anchors(text: string): Set<string> {
  const seen = new Map<string, number>();
  let fenced = false;
  for (const line of text.split('\n')) {
    if (line.startsWith('```')) fenced = !fenced;
    const heading = !fenced && /^#{1,6} (.*)$/.exec(line);
    if (!heading) continue;
    const slug = heading[1].toLowerCase().replace(/[^\p{L}\p{N} _-]/gu, '').replace(/ /g, '-');
    const count = seen.get(slug) ?? 0;
    seen.set(count === 0 ? slug : `${slug}-${count}`, 0);
    seen.set(slug, count + 1);
  }
  return new Set(seen.keys());
}

/** Every relative link of a page, as `page → target#anchor`, with what is wrong with it. */
function brokenLinks(page: string, text = read(page)): string[] {
  return [...text.matchAll(/\]\(([^)\s]+)\)/g)]
    .map((m) => m[1])
    .filter((target) => !/^[a-z]+:/.test(target))
    .flatMap((target) => {
      const [path, anchor] = target.split('#');
      const file = path === '' ? page : join(dirname(page), path);
      if (!existsSync(join(ROOT, file))) return [`${page} → ${target}: no file ${file}`];
      if (anchor === undefined || !file.endsWith('.md')) return [];
      return anchors(read(file)).has(anchor) ? [] : [`${page} → ${target}: ${file} has no heading #${anchor}`];
    });
}

describe('the documentation pages', () => {
  test.each(PAGES)('every relative link of %s leads to a file and a heading that exist', (page) => {
    expect(brokenLinks(page)).toEqual([]);
  });

  test('a missing file or heading is reported, so the check can fail', () => {
    expect(anchors('# Rate limits and `--parallelism`\n```\n# not a heading\n```\n## Rate limits and `--parallelism`\n'))
      .toEqual(new Set(['rate-limits-and---parallelism', 'rate-limits-and---parallelism-1']));
    expect(brokenLinks('docs/idle-stop.md', '[a](operations.md#no-such-heading), [b](missing.md), [c](#the-token)')).toEqual([
      'docs/idle-stop.md → operations.md#no-such-heading: docs/operations.md has no heading #no-such-heading',
      'docs/idle-stop.md → missing.md: no file docs/missing.md',
    ]);
  });

  test.each(PAGES)('every file of the repository that %s names in code (test/, scripts/, examples/, compat/, bench/) exists', (page) => {
    const named = [...read(page).matchAll(/`((?:test|scripts|examples|compat|bench)\/[\w./-]+)`/g)].map((m) => m[1]);
    expect(named.filter((path) => !existsSync(join(ROOT, path)))).toEqual([]);
  });

  test('every docs/ page is in the index, docs/README.md', () => {
    const index = read('docs/README.md');
    const pages = PAGES.filter((p) => p.startsWith('docs/') && p !== 'docs/README.md').map((p) => p.slice('docs/'.length));
    expect(pages.filter((page) => !index.includes(`](${page})`))).toEqual([]);
  });

  test('the README is a user\'s page: about 300 lines, and the contributor\'s sections are elsewhere', () => {
    const readme = read('README.md');
    expect(readme.split('\n').length).toBeLessThanOrEqual(320);
    expect(readme).not.toMatch(/^## (Tests|Development|Releases and versions|Benchmark)$/m);
  });
});

describe('the changelog', () => {
  const changelog = read('CHANGELOG.md');
  const sections = [...changelog.matchAll(/^## (.*)$/gm)].map((m) => m[1]);

  test('opens with the changes waiting for the next release', () => {
    expect(changelog.startsWith('# Changelog\n')).toBe(true);
    expect(sections[0]).toBe('Unreleased');
  });

  test('has a section for every release tag of the repository, newest first', () => {
    const tags = execSync('git tag --list "v*" --sort=-version:refname', { cwd: ROOT, encoding: 'utf8' })
      .split('\n').filter((tag) => /^v\d+\.\d+\.\d+$/.test(tag));
    const released = sections.slice(1).map((s) => /^\[?(\d+\.\d+\.\d+)\]?/.exec(s)?.[1]);
    expect(released).toEqual(tags.map((tag) => tag.slice(1)));
  });
});
