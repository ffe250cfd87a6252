import { execSync } from 'child_process';
import { existsSync, readdirSync, readFileSync } from 'fs';
import { dirname, join } from 'path';
import * as ts from 'typescript';
import * as library from '../../lib';
import { ACCESS_DEFAULTS } from '../../lib/access/code-server-access';
import { BOOT_DEFAULTS } from '../../lib/boot/code-server-user-data';
import { DROPLET_DEFAULTS } from '../../lib/droplet/code-server-droplet';
import { IDLE_STOP_DEFAULTS } from '../../lib/private/idle-stop';
import { HOME_VOLUME_DEFAULTS } from '../../lib/storage/home-volume';
import { STATE_BACKEND_DEFAULTS } from '../../lib/team/state-backend';

// Every default is defined once, next to the construct that owns it; the docs must agree with it.
// The README is the user's first page; the docs/ pages, CONTRIBUTING.md and the examples' index
// are linked from it, and every link among them must lead somewhere.

const ROOT = join(__dirname, '..', '..');
const read = (page: string) => readFileSync(join(ROOT, page), 'utf8');
const PROPS = read('docs/props.md');

/**
 * Each default, the source file that owns it, and where its props are: the group of the editor's
 * props whose path docs/props.md gives (`droplet.size`), or none for a team's layout options.
 */
const DEFAULTS: Array<[string, Record<string, string | number | boolean>, string]> = [
  ['access', ACCESS_DEFAULTS, 'lib/access/code-server-access.ts'],
  ['boot', BOOT_DEFAULTS, 'lib/boot/code-server-user-data.ts'],
  ['droplet', DROPLET_DEFAULTS, 'lib/droplet/code-server-droplet.ts'],
  ['home', HOME_VOLUME_DEFAULTS, 'lib/storage/home-volume.ts'],
  ['', STATE_BACKEND_DEFAULTS, 'lib/team/state-backend.ts'],
  ['idleStop', IDLE_STOP_DEFAULTS, 'lib/idle-stop/idle-stop.ts'],
];

/** Defaults that depend on another prop: the docs describe them in words. */
const DESCRIBED_IN_WORDS = new Set(['swapSizeGib']);

/** Each documented default: its prop's path in docs/props.md, its value, and its prop in the source file. */
const CASES = DEFAULTS.flatMap(([group, defaults, file]) =>
  Object.entries(defaults)
    .filter(([prop]) => !DESCRIBED_IN_WORDS.has(prop))
    .map(([prop, value]) => [group ? `${group}.${prop}` : prop, value, prop, file] as [string, string | number | boolean, string, string]),
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
  test.each(CASES)('docs/props.md gives the default of %s as the code does', (path, value) => {
    expect(documentedDefault(path)).toBe(`\`${value}\``);
  });

  test.each(CASES)('the doc comment gives the default of %s as the code does', (_path, value, prop, file) => {
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
    expect(brokenLinks('docs/idle-stop.md', '[a](operations.md#no-such-heading), [b](missing.md), [c](#the-stop)')).toEqual([
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

/**
 * The marker before a TypeScript block that is not compiled, with why: `earlier-api` (a "before"
 * of upgrading.md) or `fragment` (a part that names what the page builds elsewhere).
 */
const NOT_COMPILED = /<!-- snippet:(earlier-api|fragment) -->\n$/;

/** Every TypeScript block of the user's pages, with its page, its line, and why it is left out, if it is. */
function typescriptBlocks(pages: string[]): Array<{ page: string; line: number; code: string; leftOut?: string }> {
  return pages.flatMap((page) => {
    const text = read(page);
    return [...text.matchAll(/^( *)```ts\n([\s\S]*?)^\1```$/gm)].map((m) => ({
      page,
      line: text.slice(0, m.index).split('\n').length,
      code: m[2],
      leftOut: NOT_COMPILED.exec(text.slice(0, m.index).replace(/ *$/, ''))?.[1],
    }));
  });
}

/**
 * A block as a module: a block with imports as it is (the package's name pointing at lib/), any
 * other inside a stack's constructor, where `this`, `app` and `stack` are what the docs mean by
 * them and `// …` (or `/* … *\/`) stands for the required props the block leaves out.
 */
function snippetModule(code: string): string {
  const lib = JSON.stringify(join(ROOT, 'lib'));
  if (/^import /m.test(code)) return code.replace(/'cdktf-zero-trust-code-server'/g, lib);
  const body = code.replace(/^(\s*)\/\/ ….*$/gm, '$1...REQUIRED,').replace(/\/\* … \*\//g, '...REQUIRED,');
  return [
    "import { App, TerraformStack, TerraformVariable } from 'cdktf';",
    `import { ${Object.keys(library).join(', ')} } from ${lib};`,
    `import type { CodeServerTeamProps, ZeroTrustCodeServerProps } from ${lib};`,
    'declare const REQUIRED: ZeroTrustCodeServerProps & CodeServerTeamProps;',
    'export class Snippet extends TerraformStack {',
    '  constructor(app: App, stack: TerraformStack) {',
    "    super(app, 'snippet');",
    '    {',
    body,
    '    }',
    '  }',
    '}',
  ].join('\n');
}

/** The type errors of each block compiled against the library, as `page:line: message` lines. */
function typeErrors(blocks: Array<{ page: string; line: number; code: string }>): string[] {
  const { options } = ts.parseJsonConfigFileContent(ts.readConfigFile(join(ROOT, 'tsconfig.json'), ts.sys.readFile).config, ts.sys, ROOT);
  const compilerOptions = { ...options, noEmit: true, noUnusedLocals: false, noUnusedParameters: false, rootDir: ROOT };
  const files = new Map(blocks.map((b, i) => [join(ROOT, 'test', `snippet-${i}.ts`), b]));
  const host = ts.createCompilerHost(compilerOptions);
  const readFile = host.readFile;
  host.fileExists = ((exists) => (file: string) => files.has(file) || exists(file))(host.fileExists);
  host.readFile = (file) => (files.has(file) ? snippetModule(files.get(file)!.code) : readFile(file));
  const getSourceFile = host.getSourceFile;
  host.getSourceFile = (file, language, ...rest) =>
    (files.has(file) ? ts.createSourceFile(file, snippetModule(files.get(file)!.code), language) : getSourceFile(file, language, ...rest));
  const program = ts.createProgram([...files.keys()], compilerOptions, host);
  return [...files.entries()].flatMap(([file, block]) =>
    [...program.getSyntacticDiagnostics(program.getSourceFile(file)), ...program.getSemanticDiagnostics(program.getSourceFile(file))]
      .map((d) => `${block.page}:${block.line}: ${ts.flattenDiagnosticMessageText(d.messageText, ' ')}`));
}

describe('the TypeScript samples of the user\'s pages', () => {
  const USER_PAGES = PAGES.filter((page) => page === 'README.md' || page.startsWith('docs/'));
  const blocks = typescriptBlocks(USER_PAGES);

  test('compile against the library, with its props as they are now', () => {
    const compiled = blocks.filter((b) => b.leftOut === undefined);
    expect(compiled.length).toBeGreaterThanOrEqual(12);
    expect(typeErrors(compiled)).toEqual([]);
  }, 120_000);

  test('a prop that does not exist, or a missing required one, is a type error, so the check can fail', () => {
    const errors = typeErrors([
      { page: 'a.md', line: 1, code: "new ZeroTrustCodeServer(stack, 'Alice', {\n  // …\n  noSuchProp: 1,\n});\n" },
      { page: 'b.md', line: 1, code: "new CodeServerTeam(stack, 'Team', { members: [] });\n" },
    ]);
    expect(errors).toEqual([expect.stringMatching(/^a\.md:1: .*'noSuchProp'/), expect.stringMatching(/^b\.md:1: .*cloudflareAccountId/)]);
  }, 120_000);

  test('only the "before" samples of upgrading.md and fragments are left out, fewer than half the samples', () => {
    const left = blocks.filter((b) => b.leftOut !== undefined);
    expect(left.filter((b) => b.leftOut === 'earlier-api' && b.page !== 'docs/upgrading.md')).toEqual([]);
    expect(left.length).toBeLessThanOrEqual(blocks.length / 2);
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
