import { Lazy, TerraformStack, Testing } from 'cdktf';
import { Construct } from 'constructs';
import { checkOwnClaims, Claim, PropContext, registerClaims } from '../../../../lib/private/validation';
import { thrownBy } from '../../../support/fixtures';

const HOSTNAME = (value: string, prop = 'hostname'): Claim => ({ scope: 'app', kind: 'hostname', value, prop });
const PREFIX = (value: string): Claim => ({ scope: 'stack', kind: 'output prefix', value, prop: 'id' });

/** An app with stacks `one` and `two`, and the root's validation errors and each stack's. */
function appWithStacks() {
  const app = Testing.app();
  const one = new TerraformStack(app, 'one');
  const two = new TerraformStack(app, 'two');
  const errors = () => [...app.node.validate(), ...[one, two].flatMap((s) => s.node.findAll().flatMap((c) => c.node.validate()))];
  return { app, one, two, errors };
}

describe('registerClaims', () => {
  test('lets different values be claimed in a scope, and a stack value in two stacks', () => {
    // GIVEN
    const { one, two, errors } = appWithStacks();

    // WHEN
    registerClaims(new Construct(one, 'Alice'), [HOSTNAME('a.example.com'), PREFIX('Alice')]);
    registerClaims(new Construct(two, 'Alice'), [HOSTNAME('b.example.com'), PREFIX('Alice')]);

    // THEN
    expect(errors()).toEqual([]);
  });

  test('reports a value claimed twice in the app at synthesis, naming both construct paths', () => {
    // GIVEN
    const { app, one, two } = appWithStacks();
    registerClaims(new Construct(one, 'Alice'), [HOSTNAME('a.example.com')]);

    // WHEN: claiming never throws
    registerClaims(new Construct(two, 'Bob'), [HOSTNAME('a.example.com', 'ssh.hostname')]);

    // THEN
    expect(app.node.validate()).toEqual(['two/Bob: invalid ssh.hostname "a.example.com": is already the hostname of one/Alice; give each instance its own']);
    expect(thrownBy(() => app.synth()).message).toContain('two/Bob: invalid ssh.hostname "a.example.com"');
  });

  test('reports every duplicate, each against the first claimant', () => {
    // GIVEN
    const { app, one } = appWithStacks();

    // WHEN
    for (const id of ['Alice', 'Bob', 'Carol']) registerClaims(new Construct(one, id), [HOSTNAME('a.example.com'), HOSTNAME(`${id}.example.com`)]);

    // THEN
    expect(app.node.validate()).toEqual([
      'one/Bob: invalid hostname "a.example.com": is already the hostname of one/Alice; give each instance its own',
      'one/Carol: invalid hostname "a.example.com": is already the hostname of one/Alice; give each instance its own',
    ]);
  });

  test('checks a stack value within its stack, with the stack', () => {
    // GIVEN
    const { one } = appWithStacks();
    registerClaims(new Construct(new Construct(one, 'a'), 'Alice'), [PREFIX('Alice')]);
    registerClaims(new Construct(new Construct(one, 'b'), 'Alice'), [PREFIX('Alice')]);

    // THEN
    expect(() => Testing.synth(one, true)).toThrow('one/b/Alice: invalid id "Alice": is already the output prefix of one/a/Alice');
  });

  test('lets one construct claim a value twice, and never claims a token', () => {
    // GIVEN
    const { app, one } = appWithStacks();
    const token = Lazy.stringValue({ produce: () => 'a.example.com' });
    const alice = new Construct(one, 'Alice');

    // WHEN
    registerClaims(alice, [HOSTNAME('a.example.com')]);
    registerClaims(alice, [HOSTNAME('a.example.com')]);
    registerClaims(alice, [HOSTNAME(token)]);
    registerClaims(new Construct(one, 'Bob'), [HOSTNAME(token)]);

    // THEN
    expect(app.node.validate()).toEqual([]);
  });
});

describe('checkOwnClaims', () => {
  const ALICE: PropContext = { construct: 'editors/Alice' };

  test('rejects a construct that claims one value under two props, naming both', () => {
    expect(() => checkOwnClaims(ALICE, [HOSTNAME('a.example.com'), HOSTNAME('a.example.com', 'ssh.hostname')])).toThrow(
      'editors/Alice: invalid ssh.hostname "a.example.com": is already the hostname of editors/Alice (its hostname); give each its own',
    );
  });

  test('takes one value of two kinds, and tokens', () => {
    const token = Lazy.stringValue({ produce: () => 'x' });
    expect(() => checkOwnClaims(ALICE, [HOSTNAME('Alice'), PREFIX('Alice'), HOSTNAME(token), HOSTNAME(token, 'ssh.hostname')])).not.toThrow();
  });
});
