import { execFile } from 'child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';
import { promisify } from 'util';
import { TerraformStack } from 'cdktf';
import { buildApp, readSettings } from '../../../examples/main';

// Each example is a file of its own that runs as an app (`npx ts-node examples/fleet.ts`), and the
// examples' index names each file and each stack; examples/main.ts runs them all.

const ROOT = join(__dirname, '..', '..', '..');
const EXAMPLES = join(ROOT, 'examples');
const run = promisify(execFile);

/** Each example file and the stacks it makes alone, as the index lists them. */
const FILES: Array<[string, string[]]> = [
  ['basic.ts', ['basic']],
  ['complete.ts', ['complete']],
  ['team.ts', ['team']],
  ['fleet.ts', ['fleet', 'fleet-alice', 'fleet-bob', 'fleet-carol']],
  ['platform.ts', ['platform']],
];

/** The stacks a file writes when it is the program run, into a folder of its own. */
async function stacksWrittenBy(file: string, work: string): Promise<string[]> {
  const outdir = join(work, file);
  await run(join(ROOT, 'node_modules', '.bin', 'ts-node'), ['--prefer-ts-exts', '--transpile-only', join(EXAMPLES, file)], {
    cwd: ROOT,
    env: { ...process.env, CDKTF_OUTDIR: outdir, ZTCS_ROSTER_FILE: join(work, `${file}.roster.json`) },
  });
  return readdirSync(join(outdir, 'stacks')).sort();
}

describe('the examples, one file each', () => {
  const work = mkdtempSync(join(tmpdir(), 'ztcs-example-apps-'));
  afterAll(() => rmSync(work, { recursive: true, force: true }));

  test('every example file but the shared ones is in the table, and the stacks of all of them are the app\'s', () => {
    const files = readdirSync(EXAMPLES).filter((f) => f.endsWith('.ts') && !['main.ts', 'settings.ts'].includes(f)).sort();
    expect(FILES.map(([file]) => file).sort()).toEqual(files);
    const all = buildApp(readSettings({})).node.children.filter((c) => c instanceof TerraformStack).map((c) => c.node.id).sort();
    expect(FILES.flatMap(([, stacks]) => stacks).sort()).toEqual(all);
  });

  test('each file runs as an app of its own and writes its stacks alone', async () => {
    const written = await Promise.all(FILES.map(async ([file]) => [file, await stacksWrittenBy(file, work)]));
    expect(written).toEqual(FILES.map(([file, stacks]) => [file, [...stacks].sort()]));
  }, 120_000);

  test.each(FILES)('the index, examples/README.md, has a line for %s and its stacks', (file, stacks) => {
    const index = readFileSync(join(EXAMPLES, 'README.md'), 'utf8');
    const line = index.split('\n').find((l) => l.startsWith('| ') && l.includes(`[${file}](${file})`));
    expect(line).toBeDefined();
    expect(line).toContain(`\`${stacks[0]}\``);
  });
});
