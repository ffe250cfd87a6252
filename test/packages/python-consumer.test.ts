import { spawnSync } from 'child_process';
import { mkdtempSync, rmSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';
import { builtArtifact, CACHE_DIR, installedVersion, libraryVersion, ROOT, run, stackJson, withoutMetadata } from './artifacts';
import { CONSUMER_STACKS, synthConsumerStacks } from './consumer-stacks';

/**
 * python3 able to make a virtual environment with pip in it. Missing outside CI, the tier is
 * skipped with what to install; in CI (CI=true) it must run.
 */
function describeWithPythonVenv(): jest.Describe {
  const probe = spawnSync('python3', ['-c', 'import venv, ensurepip'], { encoding: 'utf8' });
  if (probe.status === 0) return describe;
  const install = 'apt-get install python3 python3-venv (python3 3.10 or newer, with the venv module and ensurepip)';
  if (process.env.CI === 'true') throw new Error(`python3 with venv is required in CI but is missing: ${install}`);
  console.warn(`Skipping the Python consumer tests: python3 with venv is missing. Install it with: ${install}`);
  return describe.skip;
}

/** The PyPI distributions a Python consumer installs next to the wheel, at the versions the npm side tests. */
function pythonRequirements(): string[] {
  return [
    `cdktf==${installedVersion('cdktf')}`,
    `constructs==${installedVersion('constructs')}`,
    `cdktf-cdktf-provider-cloudflare==${installedVersion('@cdktf/provider-cloudflare')}`,
    `cdktf-cdktf-provider-digitalocean==${installedVersion('@cdktf/provider-digitalocean')}`,
    `cdktf-cdktf-provider-tls==${installedVersion('@cdktf/provider-tls')}`,
  ];
}

/**
 * Installs the wheel and the requirements offline from a folder of downloaded wheels outside the
 * repository, downloading into it from PyPI first when something is missing.
 */
function installFromCache(python: string, wheel: string, requirements: string[]): void {
  const wheels = join(CACHE_DIR, 'python-wheels');
  const pip = (...args: string[]) => run(python, ['-m', 'pip', '--disable-pip-version-check', '--quiet', ...args]);
  const install = () => pip('install', '--no-index', '--find-links', wheels, wheel, ...requirements);
  try {
    install();
  } catch {
    pip('download', '--dest', wheels, ...requirements);
    install();
  }
}

describeWithPythonVenv()('a Python consumer of the built wheel', () => {
  let work: string;
  let pythonOut: string;
  let typescriptOut: string;

  beforeAll(() => {
    const wheel = builtArtifact('python', `cdktf_zero_trust_code_server-${libraryVersion()}-py3-none-any.whl`);
    work = mkdtempSync(join(tmpdir(), 'ztcs-python-consumer-'));
    const venv = join(work, 'venv');
    run('python3', ['-m', 'venv', venv]);
    const python = join(venv, 'bin', 'python');
    installFromCache(python, wheel, pythonRequirements());

    // Same working directory for both syntheses: cdktf writes it into the local backend's path.
    pythonOut = join(work, 'python.out');
    run(python, [join(__dirname, 'python', 'consumer.py'), pythonOut], { cwd: ROOT });
    typescriptOut = join(work, 'typescript.out');
    synthConsumerStacks(typescriptOut);
  }, 900_000);

  afterAll(() => {
    if (work) rmSync(work, { recursive: true, force: true });
  });

  test.each(CONSUMER_STACKS)('the %s stack written in Python synthesizes the Terraform that TypeScript does', (stack) => {
    expect(withoutMetadata(stackJson(pythonOut, stack))).toEqual(withoutMetadata(stackJson(typescriptOut, stack)));
  });

  test('the options written in Python reach the resources', () => {
    const options = stackJson(pythonOut, 'options');
    const [droplet] = Object.values(options.resource.digitalocean_droplet) as any[];
    expect(droplet.size).toBe('s-2vcpu-2gb');
    const [policy] = Object.values(options.resource.cloudflare_zero_trust_access_policy) as any[];
    expect(policy.include).toEqual(expect.arrayContaining([
      { github_organization: { identity_provider_id: '22222222-2222-2222-2222-222222222222', name: 'example-org', team: 'platform' } },
    ]));
  });
});
