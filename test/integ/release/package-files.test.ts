import { spawnSync } from 'child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'fs';
import { tmpdir } from 'os';
import { dirname, join } from 'path';

// What `npm pack` puts in the package, from a working folder as a platform team's may be: the
// library's files, and beside them what must never be published (Terraform states, a roster, a
// synthesized configuration, an environment file). The folder takes the repository's package.json
// (and its .npmignore, if it has one), so the test reads the package's own rules.

const ROOT = join(__dirname, '..', '..', '..');

const LIBRARY_FILES = [
  'lib/index.js', 'lib/index.d.ts', 'lib/droplet/code-server-droplet.js', 'lib/droplet/code-server-droplet.d.ts',
  'lib/boot/assets/boot.sh', 'lib/boot/assets/prepare-home.sh', 'lib/control-plane/assets/worker.mjs', '.jsii', 'API.md', 'README.md', 'LICENSE', 'scripts/prepare-image.sh',
];
const STRAY_FILES = [
  'terraform.basic.tfstate', 'terraform.basic.tfstate.backup', 'ztcs-roster.json', 'cdktf.out/stacks/basic/cdk.tf.json',
  'cdktf.out/stacks/basic/terraform.basic.tfstate', '.env', 'lib/index.ts', 'test/secret.test.ts', 'examples/main.ts',
];

/** The paths `npm pack --dry-run` would put in the package of a working folder. */
function packed(folder: string): string[] {
  const result = spawnSync('npm', ['pack', '--dry-run', '--json', '--ignore-scripts'], { cwd: folder, encoding: 'utf8' });
  if (result.status !== 0) throw new Error(`npm pack --dry-run: ${result.stderr}`);
  return (JSON.parse(result.stdout) as Array<{ files: Array<{ path: string }> }>)[0].files.map((f) => f.path).sort();
}

describe('the npm package', () => {
  let folder: string;

  beforeEach(() => {
    folder = mkdtempSync(join(tmpdir(), 'ztcs-pack-'));
    const manifest = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8'));
    // No dependency is bundled here: the folder has no node_modules, and the rules are the point.
    delete manifest.bundledDependencies;
    delete manifest.bundleDependencies;
    writeFileSync(join(folder, 'package.json'), JSON.stringify(manifest, null, 2));
    if (existsSync(join(ROOT, '.npmignore'))) copyFileSync(join(ROOT, '.npmignore'), join(folder, '.npmignore'));
    for (const path of [...LIBRARY_FILES, ...STRAY_FILES]) {
      mkdirSync(dirname(join(folder, path)), { recursive: true });
      writeFileSync(join(folder, path), `${path}\n`);
    }
  });

  afterEach(() => rmSync(folder, { recursive: true, force: true }));

  test('holds the library\'s files and none of the working folder\'s states, roster or configuration', () => {
    // WHEN
    const files = packed(folder);

    // THEN
    expect(files).toEqual(expect.arrayContaining([...LIBRARY_FILES, 'package.json']));
    expect(files.filter((f) => STRAY_FILES.includes(f))).toEqual([]);
  });

  test('is an allow list: a file of a kind nobody thought of is left out too', () => {
    writeFileSync(join(folder, 'credentials.auto.tfvars'), 'do_token = "x"\n');
    expect(packed(folder)).not.toContain('credentials.auto.tfvars');
  });
});
