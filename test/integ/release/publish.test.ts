import { createHash } from 'crypto';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'fs';
import { tmpdir } from 'os';
import { delimiter, join } from 'path';
import { LocalNpmRegistry, LocalPythonIndex } from './registries';
import { bump, packageRelease, ReleaseBuild, releaseClone } from './release-build';
import { describeTier, PYTHON_VENV_INSTALL } from '../../support/tools';
import { countByType, editorsStack, newUserEnv, ONE_EDITOR, readmeBlock, sh, TerraformJson } from '../consumer/new-project';
import { run } from '../packages/artifacts';

// The release, rehearsed end to end on this machine: the release workflow's build makes the npm
// package and the Python distributions with a release version; they are published to real
// registries on 127.0.0.1 (Verdaccio, pypiserver) the way the workflow publishes; then a new cdktf
// project installs the library by name from the npm registry, with its peers, and synthesizes the
// README's sample, and a new virtual environment installs it by name from the Python index and
// runs the README's Python sample. The README's commands are the ones run, pinned to the version.

const PACKAGE_NAME = 'cdktf-zero-trust-code-server';

/** How long each step took, printed at the end, pass or fail. */
class Steps {
  private readonly times: Array<[string, number]> = [];

  async time<T>(step: string, action: () => T | Promise<T>): Promise<T> {
    const start = Date.now();
    try {
      return await action();
    } finally {
      this.times.push([step, (Date.now() - start) / 1000]);
    }
  }

  toString(): string {
    const width = Math.max(...this.times.map(([step]) => step.length));
    return this.times.map(([step, seconds]) => `  ${step.padEnd(width)}  ${seconds.toFixed(1).padStart(6)} s`).join('\n');
  }
}

/** A README command with the library pinned to the rehearsed version. */
function pinned(command: string, version: string, separator: '@' | '=='): string {
  if (!command.includes(`install ${PACKAGE_NAME}`)) throw new Error(`the README's command does not install ${PACKAGE_NAME} by name:\n${command}`);
  return command.replace(`install ${PACKAGE_NAME}`, `install ${PACKAGE_NAME}${separator}${version}`);
}

describeTier({ tier: 'the release rehearsal', pythonVenv: true, install: PYTHON_VENV_INSTALL })('a release, published to registries on this machine and installed by name', () => {
  const work = mkdtempSync(join(tmpdir(), 'ztcs-release-'));
  const steps = new Steps();
  let release: ReleaseBuild;
  let npmRegistry: LocalNpmRegistry | undefined;
  let pythonIndex: LocalPythonIndex | undefined;
  const project = join(work, 'editors');
  const pythonProject = join(work, 'python-editors');
  const venv = join(work, 'venv');
  let typescriptStack: TerraformJson = {};
  let pythonStack: TerraformJson = {};
  let pipReport: { install: Array<{ metadata: { name: string; version: string }; download_info: { url: string } }> };

  beforeAll(async () => {
    const clone = join(work, 'clone');
    await steps.time('copy of the repository', () => releaseClone(clone));
    const bumped = await steps.time('npx projen bump (PRERELEASE=rc)', () => bump(clone));
    const packages = await steps.time('npx projen compile, package:js, package:python', () => packageRelease(clone));
    release = { ...bumped, ...packages };

    const registries = join(work, 'registries');
    mkdirSync(join(registries, 'npm'), { recursive: true });
    mkdirSync(join(registries, 'python'), { recursive: true });
    npmRegistry = await steps.time('Verdaccio installed and started', () => LocalNpmRegistry.start(join(registries, 'npm'), PACKAGE_NAME));
    pythonIndex = await steps.time('pypiserver installed and started', () => LocalPythonIndex.start(join(registries, 'python')));

    const userconfig = await npmRegistry.addUser('release');
    const registry = npmRegistry.url;
    await steps.time('npm publish to Verdaccio', () =>
      sh(`npm publish ${JSON.stringify(release.npmTarball)} --tag latest`, work, { npm_config_registry: registry, npm_config_userconfig: userconfig }));
    await steps.time('twine upload to pypiserver', () => pythonIndex!.upload([release.wheel, release.sdist]));

    await steps.time('cdktf init (the README\'s new project)', () => sh(readmeBlock('new-project'), work));
    await steps.time('npm install by name from Verdaccio', () =>
      // The lock records where each package came from (this machine's npm leaves it out by default).
      sh(pinned(readmeBlock('install-by-name'), release.version, '@'), project, { npm_config_registry: registry, npm_config_omit_lockfile_registry_resolved: 'false' }));
    writeFileSync(join(project, 'main.ts'), readmeBlock('main.ts'));
    await steps.time('npx cdktf synth of the README\'s sample', () => sh(readmeBlock('synth'), project));
    typescriptStack = editorsStack(project);

    run('python3', ['-m', 'venv', venv]);
    const venvEnv = { PATH: `${join(venv, 'bin')}${delimiter}${newUserEnv().PATH}`, VIRTUAL_ENV: venv, PIP_INDEX_URL: pythonIndex.simpleUrl, PIP_DISABLE_PIP_VERSION_CHECK: '1' };
    const report = join(work, 'pip-report.json');
    await steps.time('pip install by name from pypiserver', () =>
      sh(`${pinned(readmeBlock('pip-install').trim(), release.pythonVersion, '==')} --quiet --report ${JSON.stringify(report)}`, work, venvEnv));
    pipReport = JSON.parse(readFileSync(report, 'utf8'));
    mkdirSync(pythonProject);
    writeFileSync(join(pythonProject, 'main.py'), readmeBlock('main.py'));
    await steps.time('python main.py of the README\'s sample', () => sh('python main.py', pythonProject, venvEnv));
    pythonStack = editorsStack(pythonProject);
  }, 30 * 60_000);

  afterAll(async () => {
    console.log(`Release rehearsal of ${release?.version ?? '(no version)'}:\n${steps}`);
    await npmRegistry?.stop();
    await pythonIndex?.stop();
    rmSync(work, { recursive: true, force: true });
  });

  test('the release build stamps one release-candidate version on the tag, the changelog and both packages', () => {
    expect(release.version).toMatch(/^\d+\.\d+\.\d+-rc\.\d+$/);
    expect(release.tag).toBe(`v${release.version}`);
    expect(release.changelog).toMatch(new RegExp(`^## ${release.version.replace(/\./g, '\\.')} `));
    expect(release.npmTarball).toMatch(new RegExp(`${PACKAGE_NAME}@${release.version}\\.jsii\\.tgz$`));
    // PEP 440 writes 1.2.3-rc.0 as 1.2.3rc0.
    expect(release.pythonVersion).toBe(release.version.replace(/-rc\.(\d+)$/, 'rc$1'));
    expect(release.sdist).toMatch(new RegExp(`cdktf_zero_trust_code_server-${release.pythonVersion}\\.tar\\.gz$`));
  });

  test('the new project installs the published package by name from the npm registry, and its peers through it', () => {
    const installed = JSON.parse(readFileSync(join(project, 'node_modules', PACKAGE_NAME, 'package.json'), 'utf8'));
    expect(installed.version).toBe(release.version);
    const lock = JSON.parse(readFileSync(join(project, 'package-lock.json'), 'utf8'));
    expect(lock.packages[`node_modules/${PACKAGE_NAME}`]).toMatchObject({
      resolved: `${npmRegistry!.url}${PACKAGE_NAME}/-/${PACKAGE_NAME}-${release.version}.tgz`,
      integrity: `sha512-${createHash('sha512').update(readFileSync(release.npmTarball)).digest('base64')}`,
    });
    for (const provider of ['cloudflare', 'digitalocean', 'tls']) {
      expect(lock.packages[`node_modules/@cdktf/provider-${provider}`].resolved).toMatch(new RegExp(`^${npmRegistry!.url}`));
    }
    const manifest = JSON.parse(readFileSync(join(project, 'package.json'), 'utf8'));
    expect(manifest.dependencies[PACKAGE_NAME]).toBe(`^${release.version}`);
  });

  test('the README\'s TypeScript sample synthesizes one editor with the installed package', () => {
    expect(countByType(typescriptStack.resource)).toEqual(ONE_EDITOR.resources);
    expect(countByType(typescriptStack.data)).toEqual(ONE_EDITOR.data);
    expect(Object.keys(typescriptStack.provider ?? {}).sort()).toEqual(ONE_EDITOR.providers);
    expect(Object.keys(typescriptStack.output ?? {}).sort()).toEqual(ONE_EDITOR.outputs);
  });

  test('the new virtual environment installs the published package by name from the Python index', () => {
    const installed = pipReport.install.find((i) => i.metadata.name === PACKAGE_NAME);
    expect(installed?.metadata.version).toBe(release.pythonVersion);
    expect(installed?.download_info.url).toMatch(new RegExp(`^${pythonIndex!.url}`));
    expect(pipReport.install.map((i) => i.metadata.name)).toEqual(expect.arrayContaining([
      'cdktf', 'constructs', 'cdktf-cdktf-provider-cloudflare', 'cdktf-cdktf-provider-digitalocean', 'cdktf-cdktf-provider-tls',
    ]));
  });

  test('the README\'s Python sample synthesizes one editor with the installed package', () => {
    expect(countByType(pythonStack.resource)).toEqual(ONE_EDITOR.resources);
    expect(countByType(pythonStack.data)).toEqual(ONE_EDITOR.data);
    expect(Object.keys(pythonStack.provider ?? {}).sort()).toEqual(ONE_EDITOR.providers);
    expect(Object.keys(pythonStack.output ?? {}).sort()).toEqual(ONE_EDITOR.outputs);
  });
});
