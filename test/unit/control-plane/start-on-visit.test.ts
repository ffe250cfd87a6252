import { TerraformResource, TerraformStack } from 'cdktf';
import { CodeServerControlPlane, CodeServerTeam, ControlPlane, IdleStop, PropValidation, StartHook, TeamMember, ZeroTrustCodeServer, ZeroTrustCodeServerProps } from '../../../lib';
import { CONTROL_PLANE_ID } from '../../../lib/control-plane/control-plane';
import { START_ON_VISIT_ID } from '../../../lib/control-plane/start-on-visit';
import { REGISTRY_PREFIX, registryKey } from '../../../lib/control-plane/worker/contract';
import {
  ACCOUNT_ID, newControlPlane, newStack, onlyResource, resourcesOfType, sensitiveValue, synthJson, teamProps, thrownBy, validProps, ZONE_ID,
} from '../../support/fixtures';

const IDLE: IdleStop = { idleMinutes: 30 };

type Built = { stack: TerraformStack; editor: ZeroTrustCodeServer; synth: any };

function buildEditor(overrides: (stack: TerraformStack) => Partial<ZeroTrustCodeServerProps>): Built {
  const stack = newStack();
  const editor = new ZeroTrustCodeServer(stack, 'CodeServer', validProps(overrides(stack)));
  return { stack, editor, synth: synthJson(stack) };
}

/** A resource's Terraform address, `<type>.<name>`. */
function addressOf(resource: TerraformResource): string {
  return `${resource.terraformResourceType}.${resource.friendlyUniqueId}`;
}

/**
 * The fields of the object that a `${jsonencode({...})}` expression encodes, as Terraform
 * expressions: literals as JSON strings, references bare.
 */
function jsonencodedFields(expression: string): Record<string, string> {
  const body = /^\$\{jsonencode\(\{(.*)\}\)\}$/s.exec(expression);
  if (!body) throw new Error(`not a jsonencode of an object: ${expression}`);
  return Object.fromEntries([...body[1].matchAll(/"(\w+)" = ("[^"]*"|[^,\s]+)/g)].map((m) => [m[1], m[2]]));
}

describe('an editor with an idle stop and a control plane', () => {
  test('is refused without a control plane, naming idleStop.idleMinutes and controlPlane, and builds nothing', () => {
    const stack = newStack();
    const error = thrownBy(() => new ZeroTrustCodeServer(stack, 'CodeServer', validProps({ idleStop: IDLE })));
    expect(PropValidation.isPropValidationError(error)).toBe(true);
    expect(error.message).toContain('test/CodeServer: invalid idleStop.idleMinutes 30: needs a controlPlane');
    expect(stack.node.tryFindChild('CodeServer')?.node.children ?? []).toHaveLength(0);
  });

  test('is not refused with idle stop turned off', () => {
    expect(() => buildEditor(() => ({ idleStop: { idleMinutes: 0 } }))).not.toThrow();
  });

  test('makes its control plane at <editor>/ControlPlane and registers with it at <editor>/StartOnVisit', () => {
    const { editor, synth } = buildEditor((stack) => ({ idleStop: IDLE, controlPlane: newControlPlane(stack) }));
    expect(editor.controlPlane).toBeInstanceOf(CodeServerControlPlane);
    const controlPlane = editor.controlPlane as CodeServerControlPlane;
    expect(editor.controlPlane!.node.path).toBe(`test/CodeServer/${CONTROL_PLANE_ID}`);
    expect(editor.startOnVisit!.node.path).toBe(`test/CodeServer/${START_ON_VISIT_ID}`);
    expect(onlyResource(synth, 'cloudflare_workers_script').script_name).toBe('ztcs-cp-test-codeserver');
    const script = addressOf(controlPlane.script);
    expect(onlyResource(synth, 'cloudflare_workers_route')).toEqual(expect.objectContaining({
      zone_id: ZONE_ID, pattern: 'code.example.com/*', script: `\${${script}.script_name}`,
    }));
  });

  test('writes its registry entry: its key made of the hostname, value and metadata the JSON of its name, hostname, audience, firewall tag, marker and stack', () => {
    const { editor, synth } = buildEditor((stack) => ({ idleStop: IDLE, controlPlane: newControlPlane(stack) }));
    const entry = onlyResource(synth, 'cloudflare_workers_kv');
    const namespace = addressOf((editor.controlPlane as CodeServerControlPlane).state);
    expect(entry).toMatchObject({ account_id: ACCOUNT_ID, namespace_id: `\${${namespace}.id}`, key_name: registryKey('code.example.com') });
    expect(entry.key_name).toBe(`${REGISTRY_PREFIX}code.example.com`);
    expect(entry.metadata).toBe(entry.value);
    const application = addressOf(editor.access.application);
    const firewallTag = addressOf(editor.droplet!.firewallTag);
    expect(jsonencodedFields(entry.value)).toEqual({
      name: '"codeserver"',
      hostname: '"code.example.com"',
      accessAudience: `${application}.aud`,
      dropletTag: `${firewallTag}.name`,
      markerTag: `${addressOf(editor.idleStopMarker!.name!)}.input.tag`,
      stack: '"test"',
    });
  });

  test.each<[string, Partial<ZeroTrustCodeServerProps>]>([
    ['idle stop turned off', { idleStop: { idleMinutes: 0 } }],
    ['no idle stop', {}],
    ['an idle stop while running is false', { idleStop: IDLE, running: false }],
  ])('registers nothing with %s', (_case, overrides) => {
    const { editor, synth } = buildEditor((stack) => ({ ...overrides, controlPlane: newControlPlane(stack) }));
    expect(editor.startOnVisit).toBeUndefined();
    expect(resourcesOfType(synth, 'cloudflare_workers_kv')).toHaveLength(0);
    expect(resourcesOfType(synth, 'cloudflare_workers_route')).toHaveLength(0);
    // The control plane asked for is made all the same.
    expect(resourcesOfType(synth, 'cloudflare_workers_script')).toHaveLength(1);
  });

  test('with ControlPlane.existing, registers with that one and makes none', () => {
    const stack = newStack();
    const shared = new CodeServerControlPlane(stack, 'Shared', {
      cloudflareAccountId: ACCOUNT_ID,
      teamName: 'myteam',
      scriptName: 'shared-cp',
      digitaloceanToken: sensitiveValue(stack, 'control_plane_token'),
      startHook: StartHook.webhook({ url: 'https://hooks.example.com/start', secret: sensitiveValue(stack, 'start_hook_secret') }),
    });
    const editor = new ZeroTrustCodeServer(stack, 'CodeServer', validProps({ idleStop: IDLE, controlPlane: ControlPlane.existing(shared) }));
    const synth = synthJson(stack);
    expect(editor.controlPlane).toBe(shared);
    expect(resourcesOfType(synth, 'cloudflare_workers_script')).toHaveLength(1);
    const namespace = addressOf(shared.state);
    expect(onlyResource(synth, 'cloudflare_workers_kv').namespace_id).toBe(`\${${namespace}.id}`);
  });

  test('one ControlPlane.create given to two editors makes one control plane, in the first', () => {
    const stack = newStack();
    const controlPlane = newControlPlane(stack);
    const first = new ZeroTrustCodeServer(stack, 'First', validProps({ hostname: 'first.example.com', idleStop: IDLE, controlPlane }));
    const second = new ZeroTrustCodeServer(stack, 'Second', validProps({ hostname: 'second.example.com', idleStop: IDLE, controlPlane }));
    expect(second.controlPlane).toBe(first.controlPlane);
    const synth = synthJson(stack);
    expect(resourcesOfType(synth, 'cloudflare_workers_script')).toHaveLength(1);
    expect(resourcesOfType(synth, 'cloudflare_workers_kv').map((e) => e.key_name).sort()).toEqual([registryKey('first.example.com'), registryKey('second.example.com')]);
  });
});

describe('a team with an idle stop and a control plane', () => {
  const MEMBERS: TeamMember[] = [
    { name: 'alice', email: 'alice@example.com' },
    { name: 'bob', email: 'bob@example.com', idleStop: { idleMinutes: 0 } },
    { name: 'carol', email: 'carol@example.com', running: false },
    { name: 'dave', email: 'dave@example.com', leaving: true },
  ];

  function buildTeam(): { team: CodeServerTeam; synth: any } {
    const stack = newStack();
    const team = new CodeServerTeam(stack, 'Team', teamProps({ members: MEMBERS, newTeam: true, idleStop: IDLE, controlPlane: newControlPlane(stack) }));
    return { team, synth: synthJson(stack) };
  }

  test('is refused without a control plane, naming the team\'s idleStop.idleMinutes and controlPlane', () => {
    const stack = newStack();
    const error = thrownBy(() => new CodeServerTeam(stack, 'Team', teamProps({ newTeam: true, idleStop: IDLE })));
    expect(error.message).toContain('test/Team: invalid idleStop.idleMinutes 30: needs a controlPlane');
  });

  test('makes one control plane, in the team, that every member\'s editor shares', () => {
    const { team, synth } = buildTeam();
    expect(team.controlPlane!.node.path).toBe(`test/Team/${CONTROL_PLANE_ID}`);
    expect(resourcesOfType(synth, 'cloudflare_workers_script')).toHaveLength(1);
    for (const editor of Object.values(team.editors)) expect(editor.controlPlane).toBe(team.controlPlane);
  });

  test('registers the running members with an idle stop only: not one with idle stop off, a stopped one or one leaving', () => {
    const { team, synth } = buildTeam();
    expect(Object.entries(team.editors).filter(([, e]) => e.startOnVisit).map(([name]) => name)).toEqual(['alice']);
    const entries = resourcesOfType(synth, 'cloudflare_workers_kv');
    expect(entries.map((e) => e.key_name)).toEqual([registryKey('alice.example.com')]);
    expect(jsonencodedFields(entries[0].value)).toMatchObject({ name: '"alice"', hostname: '"alice.example.com"', stack: '"test"' });
    expect(resourcesOfType(synth, 'cloudflare_workers_route').map((r) => r.pattern)).toEqual(['alice.example.com/*']);
  });
});
