import { spawnSync } from 'child_process';
import { mkdtempSync, readdirSync, rmSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';

// What a user sees of a synthesis: the cdktf CLI prints every line the app writes to stderr as an
// `[ERROR]` line, Node.js's deprecation warnings included. An app with every kind of output the
// library writes synthesizes with nothing on stderr, on the Node.js line that runs this test (CI
// runs this tier on 20, 22 and 24). It runs as the CLI runs an app (`npx ts-node`, cdktf.json's
// `app`), without the CLI itself, whose terminal helper is compiled for one Node.js line only.

const ROOT = join(__dirname, '..', '..', '..');
const APP = join(__dirname, 'every-output.ts');
const NODE_MAJOR = Number(process.versions.node.split('.')[0]);

describe('the synthesis output', () => {
  const out = mkdtempSync(join(tmpdir(), 'ztcs-synth-output-'));
  afterAll(() => rmSync(out, { recursive: true, force: true }));

  test(`an editor, a team and a fleet, with idle stops, synthesize with nothing on stderr (no [ERROR] line from the cdktf CLI) on Node.js ${NODE_MAJOR}`, () => {
    const result = spawnSync('npx', ['ts-node', '--prefer-ts-exts', '--transpile-only', APP], {
      cwd: ROOT, env: { ...process.env, CDKTF_OUTDIR: join(out, 'app') }, encoding: 'utf8',
    });
    expect(result.stderr).toBe('');
    expect(result.status).toBe(0);
    expect(readdirSync(join(out, 'app', 'stacks')).sort()).toEqual(['editor', 'fleet', 'fleet-alice', 'fleet-bob', 'team']);
  });

  test('a map given to a TerraformOutput as it is warns on Node.js 22 and later: the check above can fail', () => {
    // cdktf checks a plain map with util.isArray (DEP0044 from Node.js 22 on); the library hands its
    // maps over as tokens. This is the warning the synthesis above must not print.
    const program = 'const { App, TerraformOutput, TerraformStack } = require("cdktf");'
      + `const app = new App({ outdir: ${JSON.stringify(join(out, 'plain-map'))} });`
      + 'new TerraformOutput(new TerraformStack(app, "s"), "urls", { value: { alice: "https://alice.example.com" } });'
      + 'app.synth();';
    const result = spawnSync(process.execPath, ['-e', program], { cwd: ROOT, encoding: 'utf8' });
    expect(result.status).toBe(0);
    if (NODE_MAJOR >= 22) expect(result.stderr).toContain('[DEP0044]');
    else expect(result.stderr).toBe('');
  });
});
