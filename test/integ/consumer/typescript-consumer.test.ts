import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';
import { cloneWithoutBuild, countByType, editorsStack, ONE_EDITOR, readmeBlock, sh, TerraformJson } from './new-project';

// A new user's first synthesis, done the README's way: build the package as a fresh clone would,
// make a new cdktf TypeScript project with the README's commands, install the package with the
// README's install line, put the README's sample in main.ts and run the cdktf CLI. The commands
// and the sample are read from the README, so what it says is what this test runs.

const ROOT = join(__dirname, '..', '..', '..');
const PACKAGE = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8'));

interface PackedFile { readonly path: string }

describe('a new cdktf TypeScript project, set up as the README says', () => {
  const work = mkdtempSync(join(tmpdir(), 'ztcs-consumer-'));
  const clone = join(work, 'cdktf-zero-trust-code-server');
  const project = join(work, 'editors');
  let packed: string[] = [];
  let stack: TerraformJson = {};

  beforeAll(() => {
    // The README's package step is `git clone …` then `npm ci && npm pack` in the clone.
    const packStep = readmeBlock('pack');
    expect(packStep).toContain(`git clone ${PACKAGE.repository.url}`);
    expect(packStep).toContain('npm ci && npm pack');
    cloneWithoutBuild(clone);
    const report = JSON.parse(sh('npm pack --json', clone)) as Array<{ files: PackedFile[] }>;
    packed = report[0].files.map((f) => f.path);

    sh(readmeBlock('new-project'), work);
    sh(readmeBlock('install'), project);
    writeFileSync(join(project, 'main.ts'), readmeBlock('main.ts'));
    sh(readmeBlock('synth'), project);
    stack = editorsStack(project);
  }, 20 * 60_000);

  afterAll(() => rmSync(work, { recursive: true, force: true }));

  test('the package holds the compiled library, its declarations, the jsii assembly, the boot scripts and yaml', () => {
    expect(packed).toEqual(expect.arrayContaining([
      'package.json', '.jsii', 'README.md', 'LICENSE', 'API.md',
      'lib/index.js', 'lib/index.d.ts', 'lib/zero-trust-code-server.js', 'lib/zero-trust-code-server.d.ts',
      'lib/boot/assets/boot.sh', 'node_modules/yaml/package.json',
    ]));
    for (const dir of ['access', 'boot', 'dns', 'droplet', 'storage', 'tunnel', 'validation']) {
      expect(packed).toContain(`lib/${dir}/index.js`);
    }
  });

  test('the package holds no TypeScript sources, no tarballs, no tests and no build leftovers', () => {
    // The one script shipped for users: it prepares a droplet image (docs/operations.md).
    const shipped = ['scripts/prepare-image.sh'];
    const unwanted = packed.filter((f) => !shipped.includes(f) && (
      (f.endsWith('.ts') && !f.endsWith('.d.ts')) || f.endsWith('.tgz') || /^(test|examples|scripts|bench|cdktf\.out|coverage)\//.test(f) || f === 'tsconfig.tsbuildinfo'));
    expect(unwanted).toEqual([]);
  });

  test('the project runs TypeScript 5.9 and has the cdktf CLI as a dev dependency', () => {
    const manifest = JSON.parse(readFileSync(join(project, 'package.json'), 'utf8'));
    expect(manifest.devDependencies).toHaveProperty('cdktf-cli');
    const typescript = JSON.parse(readFileSync(join(project, 'node_modules', 'typescript', 'package.json'), 'utf8'));
    expect(typescript.version).toMatch(/^5\.9\./);
    expect(manifest.dependencies['cdktf-zero-trust-code-server']).toMatch(/\.tgz$/);
  });

  test('the README sample synthesizes every resource of one editor, once', () => {
    expect(countByType(stack.resource)).toEqual(ONE_EDITOR.resources);
    expect(countByType(stack.data)).toEqual(ONE_EDITOR.data);
  });

  test('the stack has the three providers and the outputs the README names', () => {
    expect(Object.keys(stack.provider ?? {}).sort()).toEqual(ONE_EDITOR.providers);
    expect(Object.keys(stack.output ?? {}).sort()).toEqual(ONE_EDITOR.outputs);
  });
});
