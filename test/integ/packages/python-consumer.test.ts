import { mkdtempSync, rmSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';
import { builtArtifact, installedVersion, libraryVersion, PYTHON_WHEELS, ROOT, run, stackJson, withoutMetadata } from './artifacts';
import { CONSUMER_STACKS, synthConsumerStacks } from './consumer-stacks';
import { describeTier, PYTHON_VENV_INSTALL } from '../../support/tools';

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
  const pip = (...args: string[]) => run(python, ['-m', 'pip', '--disable-pip-version-check', '--quiet', ...args]);
  const install = () => pip('install', '--no-index', '--find-links', PYTHON_WHEELS, wheel, ...requirements);
  try {
    install();
  } catch {
    pip('download', '--dest', PYTHON_WHEELS, ...requirements);
    install();
  }
}

describeTier({ tier: 'the Python consumer tests', pythonVenv: true, install: PYTHON_VENV_INSTALL })('a Python consumer of the built wheel', () => {
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
