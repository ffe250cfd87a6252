import { TerraformStack } from 'cdktf';
import { CodeServerControlPlane, ControlPlaneEditor, ControlPlaneRegistration, ControlPlaneRegistrationProps, PropValidation, StartHook } from '../../../lib';
import { registryKey } from '../../../lib/control-plane/worker/contract';
import { servedEditor } from '../../../lib/control-plane/worker/registry';
import { ACCOUNT_ID, newStack, onlyResource, sensitiveValue, synthJson, thrownBy, ZONE_ID } from '../../support/fixtures';

const ALICE: ControlPlaneEditor = {
  name: 'alice',
  hostname: 'alice.code.example.com',
  accessAudience: 'aud-alice',
  dropletTag: 'ztcs-fw-0123456789abcdef0123',
  markerTag: 'ztcs-idle-0123456789abcdef0123',
  stack: 'editors-alice',
};

function controlPlaneIn(stack: TerraformStack): CodeServerControlPlane {
  return new CodeServerControlPlane(stack, 'ControlPlane', {
    cloudflareAccountId: ACCOUNT_ID,
    teamName: 'myteam',
    digitaloceanToken: sensitiveValue(stack, 'control_plane_token'),
    startHook: StartHook.webhook({ url: 'https://hooks.example.com/start', secret: sensitiveValue(stack, 'start_hook_secret') }),
  });
}

function register(overrides: Partial<ControlPlaneRegistrationProps> = {}): { stack: TerraformStack; synth: any } {
  const stack = newStack();
  new ControlPlaneRegistration(stack, 'Alice', { controlPlane: controlPlaneIn(stack), cloudflareZoneId: ZONE_ID, editor: ALICE, ...overrides });
  return { stack, synth: synthJson(stack) };
}

/** The object a `${jsonencode({...})}` of literal strings encodes, as the Worker reads it once Terraform has written it. */
function decodedLiterals(expression: string): Record<string, string> {
  const body = /^\$\{jsonencode\(\{(.*)\}\)\}$/s.exec(expression);
  if (!body) throw new Error(`not a jsonencode of an object: ${expression}`);
  return Object.fromEntries([...body[1].matchAll(/"(\w+)" = ("[^"]*")/g)].map((m) => [m[1], JSON.parse(m[2])]));
}

describe('ControlPlaneRegistration', () => {
  test('writes the editor\'s entry under its hostname\'s key, value and metadata the same JSON, which the Worker reads back as the editor', () => {
    const { synth } = register();
    const entry = onlyResource(synth, 'cloudflare_workers_kv');
    expect(entry.key_name).toBe(registryKey(ALICE.hostname));
    expect(entry.account_id).toBe(ACCOUNT_ID);
    expect(entry.namespace_id).toMatch(/^\$\{cloudflare_workers_kv_namespace\.[\w]+\.id\}$/);
    expect(entry.metadata).toBe(entry.value);
    const written = decodedLiterals(entry.value);
    expect(written).toEqual({ ...ALICE });
    expect(servedEditor(written, ALICE.hostname)).toEqual(ALICE);
  });

  test('routes the editor\'s hostname to the control plane\'s Worker, in the editor\'s zone', () => {
    const { synth } = register();
    const script = Object.keys(synth.resource.cloudflare_workers_script)[0];
    expect(onlyResource(synth, 'cloudflare_workers_route')).toEqual({
      zone_id: ZONE_ID, pattern: 'alice.code.example.com/*', script: `\${cloudflare_workers_script.${script}.script_name}`,
    });
  });

  test.each<[string, Partial<ControlPlaneRegistrationProps>, string, unknown]>([
    ['a zone name for the zone id', { cloudflareZoneId: 'example.com' }, 'cloudflareZoneId', 'example.com'],
    ['a name with capitals', { editor: { ...ALICE, name: 'Alice' } }, 'editor.name', 'Alice'],
    ['a hostname that is no domain name', { editor: { ...ALICE, hostname: 'alice' } }, 'editor.hostname', 'alice'],
    ['an empty audience', { editor: { ...ALICE, accessAudience: '' } }, 'editor.accessAudience', ''],
    ['a droplet tag with a space', { editor: { ...ALICE, dropletTag: 'my tag' } }, 'editor.dropletTag', 'my tag'],
    ['a marker tag with a slash', { editor: { ...ALICE, markerTag: 'a/b' } }, 'editor.markerTag', 'a/b'],
    ['a stack id with a slash', { editor: { ...ALICE, stack: 'editors/alice' } }, 'editor.stack', 'editors/alice'],
  ])('refuses %s, naming the prop and the value, and builds nothing', (_case, overrides, prop, value) => {
    const stack = newStack();
    const controlPlane = controlPlaneIn(stack);
    const error = thrownBy(() => new ControlPlaneRegistration(stack, 'Alice', { controlPlane, cloudflareZoneId: ZONE_ID, editor: ALICE, ...overrides }));
    expect(PropValidation.isPropValidationError(error)).toBe(true);
    expect(error.message).toContain(`test/Alice: invalid ${prop} ${JSON.stringify(value)}`);
    expect(stack.node.findChild('Alice').node.children).toHaveLength(0);
  });
});
