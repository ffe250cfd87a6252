import { readFileSync } from 'fs';
import { join } from 'path';
import { TerraformStack, TerraformVariable } from 'cdktf';
import { CodeServerControlPlane, CodeServerControlPlaneProps, ControlPlaneEditor } from '../../../lib/control-plane';
import { CONTROL_PLANE_DEFAULTS } from '../../../lib/control-plane/code-server-control-plane';
import { BINDINGS } from '../../../lib/control-plane/worker/contract';
import { PropValidationError } from '../../../lib/private/validation';
import { ACCOUNT_ID, newStack, onlyResource, pathsContaining, resourceCount, resourcesOfType, synthJson, thrownBy, ZONE_ID } from '../../support/fixtures';

const ALICE: ControlPlaneEditor = { name: 'alice', hostname: 'alice.code.example.com', accessAudience: 'aud-alice', dropletTag: 'ztcs-alice', markerTag: 'ztcs-idle-alice' };
const BOB: ControlPlaneEditor = { name: 'bob', hostname: 'bob.code.example.com', accessAudience: 'aud-bob', dropletTag: 'ztcs-bob', markerTag: 'ztcs-idle-bob' };

/** Valid props in a stack: two editors, the tokens as sensitive variables' values. */
function validProps(stack: TerraformStack, overrides: Partial<CodeServerControlPlaneProps> = {}): CodeServerControlPlaneProps {
  const secret = (name: string) => new TerraformVariable(stack, name, { type: 'string', sensitive: true }).stringValue;
  return {
    cloudflareAccountId: ACCOUNT_ID,
    cloudflareZoneId: ZONE_ID,
    teamName: 'myteam',
    editors: [ALICE, BOB],
    digitaloceanToken: secret('control_plane_token'),
    startHookUrl: 'https://api.github.com/repos/acme/editors/actions/workflows/start.yml/dispatches',
    startHookSecret: secret('start_hook_token'),
    ...overrides,
  };
}

function build(overrides: Partial<CodeServerControlPlaneProps> = {}): { stack: TerraformStack; synth: any } {
  const stack = newStack();
  new CodeServerControlPlane(stack, 'ControlPlane', validProps(stack, overrides));
  return { stack, synth: synthJson(stack) };
}

/** The script's bindings by name. */
function bindings(synth: any): Record<string, any> {
  const script = onlyResource(synth, 'cloudflare_workers_script');
  return Object.fromEntries(script.bindings.map((binding: any) => [binding.name, binding]));
}

describe('CodeServerControlPlane', () => {
  test('uploads the bundled Worker as one ES module', () => {
    const { synth } = build();
    const script = onlyResource(synth, 'cloudflare_workers_script');
    expect(script).toMatchObject({ account_id: ACCOUNT_ID, script_name: CONTROL_PLANE_DEFAULTS.scriptName, main_module: 'worker.mjs', compatibility_date: '2025-09-01' });
    expect(script.content).toBe(readFileSync(join(__dirname, '..', '..', '..', 'lib', 'control-plane', 'assets', 'worker.mjs'), 'utf8'));
  });

  test('gives the Worker its editors, the team\'s address, the limits and the KV namespace as bindings', () => {
    const { synth } = build({ expectedStartMinutes: 3, startTimeoutMinutes: 10, maxStartsPerHour: 2 });
    const byName = bindings(synth);
    expect(Object.keys(byName).sort()).toEqual(Object.values(BINDINGS).sort());
    expect(JSON.parse(byName[BINDINGS.editors].text)).toEqual([ALICE, BOB]);
    expect(byName[BINDINGS.accessTeamUrl]).toEqual({ name: BINDINGS.accessTeamUrl, type: 'plain_text', text: 'https://myteam.cloudflareaccess.com' });
    expect(byName[BINDINGS.digitaloceanApiUrl].text).toBe('https://api.digitalocean.com');
    expect(byName[BINDINGS.startHookRef].text).toBe('main');
    expect(JSON.parse(byName[BINDINGS.startLimits].text)).toEqual({ expectedSeconds: 180, startTimeoutSeconds: 600, maxStartsPerHour: 2 });
    const namespace = Object.keys(synth.resource.cloudflare_workers_kv_namespace)[0];
    expect(byName[BINDINGS.state]).toEqual({ name: 'STATE', type: 'kv_namespace', namespace_id: `\${cloudflare_workers_kv_namespace.${namespace}.id}` });
    expect(onlyResource(synth, 'cloudflare_workers_kv_namespace')).toMatchObject({ account_id: ACCOUNT_ID, title: 'ztcs-control-plane-state' });
  });

  test('passes the DigitalOcean token and the hook\'s secret as secret bindings, from the variables, never in the clear', () => {
    const { synth } = build();
    const byName = bindings(synth);
    expect(byName[BINDINGS.digitaloceanToken]).toEqual({ name: 'DIGITALOCEAN_TOKEN', type: 'secret_text', text: '${var.control_plane_token}' });
    expect(byName[BINDINGS.startHookSecret]).toEqual({ name: 'START_HOOK_SECRET', type: 'secret_text', text: '${var.start_hook_token}' });
    const script = Object.keys(synth.resource.cloudflare_workers_script)[0];
    expect(pathsContaining(synth.resource, 'var.control_plane_token')).toEqual([`cloudflare_workers_script.${script}.bindings.3.text`]);
  });

  test('routes each editor\'s hostname to the Worker, and runs it on the schedule', () => {
    const { synth } = build({ schedule: '*/2 * * * *' });
    const script = Object.keys(synth.resource.cloudflare_workers_script)[0];
    expect(resourcesOfType(synth, 'cloudflare_workers_route')).toEqual([
      { zone_id: ZONE_ID, pattern: 'alice.code.example.com/*', script: `\${cloudflare_workers_script.${script}.script_name}` },
      { zone_id: ZONE_ID, pattern: 'bob.code.example.com/*', script: `\${cloudflare_workers_script.${script}.script_name}` },
    ]);
    expect(onlyResource(synth, 'cloudflare_workers_cron_trigger')).toEqual({
      account_id: ACCOUNT_ID,
      script_name: `\${cloudflare_workers_script.${script}.script_name}`,
      schedules: [{ cron: '*/2 * * * *' }],
    });
    expect(resourceCount(synth)).toBe(5);
  });

  test('runs every five minutes by default', () => {
    expect(onlyResource(build().synth, 'cloudflare_workers_cron_trigger').schedules).toEqual([{ cron: CONTROL_PLANE_DEFAULTS.schedule }]);
  });

  test.each<[string, Partial<CodeServerControlPlaneProps>, string, unknown]>([
    ['no editor', { editors: [] }, 'editors', []],
    ['an editor name with capitals', { editors: [{ ...ALICE, name: 'Alice' }, BOB] }, 'editors[0].name', 'Alice'],
    ['a hostname that is no domain name', { editors: [ALICE, { ...BOB, hostname: 'bob' }] }, 'editors[1].hostname', 'bob'],
    ['an empty audience', { editors: [{ ...ALICE, accessAudience: '' }] }, 'editors[0].accessAudience', ''],
    ['a droplet tag with a space', { editors: [{ ...ALICE, dropletTag: 'my tag' }] }, 'editors[0].dropletTag', 'my tag'],
    ['a marker tag with a slash', { editors: [{ ...ALICE, markerTag: 'a/b' }] }, 'editors[0].markerTag', 'a/b'],
    ['two editors of one name', { editors: [ALICE, { ...BOB, name: 'alice' }] }, 'editors[].name', 'alice'],
    ['two editors of one hostname', { editors: [ALICE, { ...BOB, hostname: ALICE.hostname }] }, 'editors[].hostname', ALICE.hostname],
    ['two editors of one droplet tag', { editors: [ALICE, { ...BOB, dropletTag: ALICE.dropletTag }] }, 'editors[].dropletTag', ALICE.dropletTag],
    ['a zone name for the zone id', { cloudflareZoneId: 'example.com' }, 'cloudflareZoneId', 'example.com'],
    ['a team domain for the team name', { teamName: 'myteam.cloudflareaccess.com' }, 'teamName', 'myteam.cloudflareaccess.com'],
    ['a literal DigitalOcean token', { digitaloceanToken: 'dop_v1_abc' }, 'digitaloceanToken', '(a literal string, not shown)'],
    ['a literal hook secret', { startHookSecret: 'hunter2' }, 'startHookSecret', '(a literal string, not shown)'],
    ['a plain http hook', { startHookUrl: 'http://hooks.example.com/start' }, 'startHookUrl', 'http://hooks.example.com/start'],
    ['a schedule of six fields', { schedule: '0 */5 * * * *' }, 'schedule', '0 */5 * * * *'],
    ['a script name with capitals', { scriptName: 'Control' }, 'scriptName', 'Control'],
    ['a start timeout shorter than a start', { expectedStartMinutes: 10, startTimeoutMinutes: 5 }, 'startTimeoutMinutes', 5],
    ['no starts an hour', { maxStartsPerHour: 0 }, 'maxStartsPerHour', 0],
  ])('refuses %s, naming the prop and the value, and builds nothing', (_case, overrides, prop, value) => {
    const stack = newStack();
    const error = thrownBy(() => new CodeServerControlPlane(stack, 'ControlPlane', validProps(stack, overrides)));
    expect(PropValidationError.isPropValidationError(error)).toBe(true);
    expect(error.message).toContain(`test/ControlPlane: invalid ${prop} ${JSON.stringify(value)}`);
    expect(stack.node.tryFindChild('ControlPlane')?.node.children ?? []).toHaveLength(0);
    expect(error.message).not.toContain('dop_v1_abc');
    expect(error.message).not.toContain('hunter2');
  });
});
