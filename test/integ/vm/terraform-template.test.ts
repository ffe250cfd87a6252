import { renderTerraformString } from './terraform-template';
import { FAKE_TUNNEL_TOKEN, rehearsalDroplet } from './user-data';

// How the VM tier turns the synthesized user data into what the droplet receives.

const values = (expression: string) => ({ 'var.token': 'T0K3N', 'data.x.y.token': 'abc' } as Record<string, string | undefined>)[expression];

test.each([
  ['an interpolation becomes its value', 'TUNNEL_TOKEN=${var.token}\n', 'TUNNEL_TOKEN=T0K3N\n'],
  ['spaces inside an interpolation are ignored', '${ data.x.y.token }', 'abc'],
  ['an escaped interpolation becomes literal text', 'echo "$${HOME}"', 'echo "${HOME}"'],
  ['an escaped directive becomes literal text', 'date +%%{x}', 'date +%{x}'],
  ['a dollar or percent sign alone stays', 'cost $5, 50% off, $$x', 'cost $5, 50% off, $$x'],
])('%s', (_, template, expected) => {
  expect(renderTerraformString(template, values)).toBe(expected);
});

test('an interpolation with no test value is an error', () => {
  expect(() => renderTerraformString('a ${var.other} b', values)).toThrow('no test value for the interpolation ${var.other}');
});

test('a template directive is an error', () => {
  expect(() => renderTerraformString('%{ if true }x%{ endif }', values)).toThrow('unexpected template directive');
});

test('the rehearsal droplet receives the document cloud-init would read, with the fake token', () => {
  const droplet = rehearsalDroplet({});
  const [tokenReference] = droplet.cloudConfig.match(/\$\{TfToken\[[^\]]*\]\}/) ?? [];
  expect(tokenReference).toBeDefined();
  expect(droplet.userData).toBe(droplet.cloudConfig.split(tokenReference!).join(FAKE_TUNNEL_TOKEN));
});
