import { readFileSync } from 'fs';
import { join } from 'path';
import { TerraformOutput, TerraformStack, TerraformVariable } from 'cdktf';
import { CodeServerControlPlane, CodeServerControlPlaneProps, StartHook } from '../../../lib/control-plane';
import { CONTROL_PLANE_DEFAULTS } from '../../../lib/control-plane/code-server-control-plane';
import { BINDINGS } from '../../../lib/control-plane/worker/contract';
import { PropValidationError } from '../../../lib/private/validation';
import { ACCOUNT_ID, newStack, onlyResource, pathsContaining, resourceCount, synthJson, thrownBy } from '../../support/fixtures';

/** A sensitive variable's value in a stack. */
function secret(stack: TerraformStack, name: string): string {
  return new TerraformVariable(stack, name, { type: 'string', sensitive: true }).stringValue;
}

/** Valid props in a stack: the tokens as sensitive variables' values, a GitHub workflow as the start hook. */
function validProps(stack: TerraformStack, overrides: Partial<CodeServerControlPlaneProps> = {}): CodeServerControlPlaneProps {
  return {
    cloudflareAccountId: ACCOUNT_ID,
    teamName: 'myteam',
    digitaloceanToken: secret(stack, 'control_plane_token'),
    startHook: StartHook.gitHubWorkflow({ repository: 'acme/editors', workflow: 'start-editor.yml', token: secret(stack, 'start_hook_token') }),
    ...overrides,
  };
}

function build(overrides: (stack: TerraformStack) => Partial<CodeServerControlPlaneProps> = () => ({})): { stack: TerraformStack; synth: any } {
  const stack = newStack();
  new CodeServerControlPlane(stack, 'ControlPlane', validProps(stack, overrides(stack)));
  return { stack, synth: synthJson(stack) };
}

/** The script's bindings by name. */
function bindings(synth: any): Record<string, any> {
  const script = onlyResource(synth, 'cloudflare_workers_script');
  return Object.fromEntries(script.bindings.map((binding: any) => [binding.name, binding]));
}

/** The names of the bindings the Worker reads (the old EDITORS list is no longer written). */
const READ_BINDINGS = Object.entries(BINDINGS).filter(([key]) => key !== 'editors').map(([, name]) => name);

describe('CodeServerControlPlane', () => {
  test('uploads the bundled Worker as one ES module, named after the path of its owner', () => {
    const { synth } = build();
    const script = onlyResource(synth, 'cloudflare_workers_script');
    expect(script).toMatchObject({ account_id: ACCOUNT_ID, script_name: 'ztcs-cp-test', main_module: 'worker.mjs', compatibility_date: '2025-09-01' });
    expect(script.content).toBe(readFileSync(join(__dirname, '..', '..', '..', 'lib', 'control-plane', 'assets', 'worker.mjs'), 'utf8'));
    expect(onlyResource(synth, 'cloudflare_workers_kv_namespace')).toMatchObject({ account_id: ACCOUNT_ID, title: 'ztcs-cp-test-state' });
  });

  test('gives the Worker the team\'s address, the API, the hook, the limits and the KV namespace as bindings, and no list of editors', () => {
    const { synth } = build(() => ({ expectedStartMinutes: 3, startTimeoutMinutes: 10, maxStartsPerHour: 2, digitaloceanApiUrl: 'http://127.0.0.1:8080/' }));
    const byName = bindings(synth);
    expect(Object.keys(byName).sort()).toEqual([...READ_BINDINGS].sort());
    expect(byName).not.toHaveProperty('EDITORS');
    expect(byName[BINDINGS.accessTeamUrl]).toEqual({ name: BINDINGS.accessTeamUrl, type: 'plain_text', text: 'https://myteam.cloudflareaccess.com' });
    expect(byName[BINDINGS.digitaloceanApiUrl].text).toBe('http://127.0.0.1:8080');
    expect(byName[BINDINGS.startHookUrl].text).toBe('https://api.github.com/repos/acme/editors/actions/workflows/start-editor.yml/dispatches');
    expect(byName[BINDINGS.startHookRef].text).toBe('main');
    expect(JSON.parse(byName[BINDINGS.startLimits].text)).toEqual({ expectedSeconds: 180, startTimeoutSeconds: 600, maxStartsPerHour: 2 });
    const namespace = Object.keys(synth.resource.cloudflare_workers_kv_namespace)[0];
    expect(byName[BINDINGS.state]).toEqual({ name: 'STATE', type: 'kv_namespace', namespace_id: `\${cloudflare_workers_kv_namespace.${namespace}.id}` });
  });

  test('calls the DigitalOcean API at its public address by default', () => {
    expect(bindings(build().synth)[BINDINGS.digitaloceanApiUrl].text).toBe(CONTROL_PLANE_DEFAULTS.digitaloceanApiUrl);
  });

  test('passes the DigitalOcean token and the hook\'s token as secret bindings, from the variables, never in the clear', () => {
    const { synth } = build();
    const byName = bindings(synth);
    expect(byName[BINDINGS.digitaloceanToken]).toEqual({ name: 'DIGITALOCEAN_TOKEN', type: 'secret_text', text: '${var.control_plane_token}' });
    expect(byName[BINDINGS.startHookSecret]).toEqual({ name: 'START_HOOK_SECRET', type: 'secret_text', text: '${var.start_hook_token}' });
    const script = Object.keys(synth.resource.cloudflare_workers_script)[0];
    const index = onlyResource(synth, 'cloudflare_workers_script').bindings.findIndex((b: any) => b.name === 'DIGITALOCEAN_TOKEN');
    expect(pathsContaining(synth.resource, 'var.control_plane_token')).toEqual([`cloudflare_workers_script.${script}.bindings.${index}.text`]);
  });

  test('a webhook start hook is called at its URL with its secret and ref', () => {
    const { synth } = build((stack) => ({ startHook: StartHook.webhook({ url: 'https://hooks.example.com/start', secret: secret(stack, 'hook_secret'), ref: 'release' }) }));
    const byName = bindings(synth);
    expect(byName[BINDINGS.startHookUrl].text).toBe('https://hooks.example.com/start');
    expect(byName[BINDINGS.startHookSecret].text).toBe('${var.hook_secret}');
    expect(byName[BINDINGS.startHookRef].text).toBe('release');
  });

  test('makes no route: each editor registers its own, from its own stack', () => {
    const { synth } = build((): Partial<CodeServerControlPlaneProps> => ({ schedule: '*/2 * * * *' }));
    const script = Object.keys(synth.resource.cloudflare_workers_script)[0];
    expect(synth.resource.cloudflare_workers_route).toBeUndefined();
    expect(onlyResource(synth, 'cloudflare_workers_cron_trigger')).toEqual({
      account_id: ACCOUNT_ID,
      script_name: `\${cloudflare_workers_script.${script}.script_name}`,
      schedules: [{ cron: '*/2 * * * *' }],
    });
    expect(resourceCount(synth)).toBe(3);
  });

  test('runs every five minutes by default', () => {
    expect(onlyResource(build().synth, 'cloudflare_workers_cron_trigger').schedules).toEqual([{ cron: CONTROL_PLANE_DEFAULTS.schedule }]);
  });

  test('gives an editor what it registers with: the account, the script\'s name and the namespace, as references', () => {
    const stack = newStack();
    const controlPlane = new CodeServerControlPlane(stack, 'ControlPlane', validProps(stack, { scriptName: 'editors-cp' }));
    expect(controlPlane.cloudflareAccountId).toBe(ACCOUNT_ID);
    new TerraformOutput(stack, 'script', { value: controlPlane.scriptName });
    new TerraformOutput(stack, 'namespace', { value: controlPlane.registryNamespaceId });
    const synth = synthJson(stack);
    const script = Object.keys(synth.resource.cloudflare_workers_script)[0];
    const namespace = Object.keys(synth.resource.cloudflare_workers_kv_namespace)[0];
    expect(synth.output.script.value).toBe(`\${cloudflare_workers_script.${script}.script_name}`);
    expect(synth.output.namespace.value).toBe(`\${cloudflare_workers_kv_namespace.${namespace}.id}`);
  });

  test.each<[string, (stack: TerraformStack) => Partial<CodeServerControlPlaneProps>, string, unknown]>([
    ['an account name for the account id', () => ({ cloudflareAccountId: 'acme' }), 'cloudflareAccountId', 'acme'],
    ['a team domain for the team name', () => ({ teamName: 'myteam.cloudflareaccess.com' }), 'teamName', 'myteam.cloudflareaccess.com'],
    ['a literal DigitalOcean token', () => ({ digitaloceanToken: 'dop_v1_abc' }), 'digitaloceanToken', '(a literal string, not shown)'],
    ['no DigitalOcean token', () => ({ digitaloceanToken: '' }), 'digitaloceanToken', ''],
    ['a literal GitHub token', () => ({ startHook: StartHook.gitHubWorkflow({ repository: 'acme/editors', workflow: 'start.yml', token: 'hunter2' }) }), 'startHook.token', '(a literal string, not shown)'],
    ['a repository without its owner', (stack) => ({ startHook: StartHook.gitHubWorkflow({ repository: 'editors', workflow: 'start.yml', token: secret(stack, 't') }) }), 'startHook.repository', 'editors'],
    ['a workflow given by its path', (stack) => ({ startHook: StartHook.gitHubWorkflow({ repository: 'acme/editors', workflow: '.github/workflows/start.yml', token: secret(stack, 't') }) }), 'startHook.workflow', '.github/workflows/start.yml'],
    ['an empty ref', (stack) => ({ startHook: StartHook.gitHubWorkflow({ repository: 'acme/editors', workflow: 'start.yml', ref: '', token: secret(stack, 't') }) }), 'startHook.ref', ''],
    ['a literal webhook secret', () => ({ startHook: StartHook.webhook({ url: 'https://hooks.example.com/start', secret: 'hunter2' }) }), 'startHook.secret', '(a literal string, not shown)'],
    ['a plain http webhook on a public host', (stack) => ({ startHook: StartHook.webhook({ url: 'http://hooks.example.com/start', secret: secret(stack, 's') }) }), 'startHook.url', 'http://hooks.example.com/start'],
    ['something else for the start hook', () => ({ startHook: 'https://hooks.example.com' as unknown as StartHook }), 'startHook', 'https://hooks.example.com'],
    ['a plain http API on a public host', () => ({ digitaloceanApiUrl: 'http://api.digitalocean.com' }), 'digitaloceanApiUrl', 'http://api.digitalocean.com'],
    ['a schedule of six fields', () => ({ schedule: '0 */5 * * * *' }), 'schedule', '0 */5 * * * *'],
    ['a script name with capitals', () => ({ scriptName: 'Control' }), 'scriptName', 'Control'],
    ['a start timeout shorter than a start', () => ({ expectedStartMinutes: 10, startTimeoutMinutes: 5 }), 'startTimeoutMinutes', 5],
    ['no starts an hour', () => ({ maxStartsPerHour: 0 }), 'maxStartsPerHour', 0],
  ])('refuses %s, naming the prop and the value, and builds nothing', (_case, overrides, prop, value) => {
    const stack = newStack();
    const error = thrownBy(() => new CodeServerControlPlane(stack, 'ControlPlane', validProps(stack, overrides(stack))));
    expect(PropValidationError.isPropValidationError(error)).toBe(true);
    expect(error.message).toContain(`test/ControlPlane: invalid ${prop} ${JSON.stringify(value)}`);
    expect(stack.node.tryFindChild('ControlPlane')?.node.children ?? []).toHaveLength(0);
    expect(error.message).not.toContain('dop_v1_abc');
    expect(error.message).not.toContain('hunter2');
  });
});
