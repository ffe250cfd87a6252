import { execFile } from 'child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';
import { promisify } from 'util';
import { EXAMPLE_FILES, readSettings } from '../../../examples/main';

// Each example file runs as an app of its own, as examples/README.md tells a user to run one
// (`npx cdktf synth --app 'npx ts-node … examples/fleet.ts'`), and writes its stacks alone, with
// nothing on stderr (which the cdktf CLI shows as `[ERROR]` lines), placeholders or not.

const ROOT = join(__dirname, '..', '..', '..');
const run = promisify(execFile);

/** The stacks a file writes when it is the program run, into a folder of its own, and what it writes to stderr. */
async function stacksWrittenBy(file: string, work: string): Promise<[string[], string]> {
  const outdir = join(work, file);
  const { stderr } = await run(join(ROOT, 'node_modules', '.bin', 'ts-node'), ['--prefer-ts-exts', '--transpile-only', join(ROOT, 'examples', file)], {
    cwd: ROOT,
    env: { ...process.env, CDKTF_OUTDIR: outdir, ZTCS_ROSTER_FILE: join(work, `${file}.roster.json`) },
  });
  return [readdirSync(join(outdir, 'stacks')).sort(), stderr];
}

describe('each example file, run as an app', () => {
  const work = mkdtempSync(join(tmpdir(), 'ztcs-example-apps-'));
  afterAll(() => rmSync(work, { recursive: true, force: true }));

  test('writes its own stacks and no other example\'s, and nothing on stderr', async () => {
    const files = Object.keys(EXAMPLE_FILES);
    const written = await Promise.all(files.map(async (file) => [file, ...await stacksWrittenBy(file, work)]));
    expect(written).toEqual(files.map((file) => [file, [...EXAMPLE_FILES[file]].sort(), '']));
  }, 120_000);

  test('writes each team\'s roster when it synthesizes, keyed by the team\'s path, whatever its layout', () => {
    // Runs after the test above, which ran every file as an app (the roster is written at synthesis).
    const members = readSettings({}).teamMembers.map((m) => m.name).sort();
    for (const [file, key] of [['team.ts', 'team/Team'], ['fleet.ts', 'fleet/Team']]) {
      const teams = JSON.parse(readFileSync(join(work, `${file}.roster.json`), 'utf8')).teams;
      expect([file, Object.keys(teams), Object.keys(teams[key]).sort()]).toEqual([file, [key], members]);
    }
  });
});
