import { Lazy } from 'cdktf';
import { Construct } from 'constructs';
import { checkClaimable, checkUnclaimed, claimUnique, PropContext } from '../../../../lib/private/validation';

const ALICE: PropContext = { construct: 'editors/Alice' };
const BOB: PropContext = { construct: 'editors/Bob' };

describe('claimUnique', () => {
  test('lets different values be claimed in one scope, and one value in different scopes', () => {
    // GIVEN
    const scope = new Construct(undefined as any, 'app');
    const other = new Construct(undefined as any, 'other');

    // THEN
    expect(() => {
      claimUnique(scope, 'hostname', 'a.example.com', ALICE, 'hostname');
      claimUnique(scope, 'hostname', 'b.example.com', BOB, 'hostname');
      claimUnique(other, 'hostname', 'a.example.com', BOB, 'hostname');
      claimUnique(scope, 'output prefix', 'a.example.com', BOB, 'id');
    }).not.toThrow();
  });

  test('rejects a second claim of a value, naming both construct paths', () => {
    // GIVEN
    const scope = new Construct(undefined as any, 'app');
    claimUnique(scope, 'hostname', 'a.example.com', ALICE, 'hostname');

    // THEN
    expect(() => claimUnique(scope, 'hostname', 'a.example.com', BOB, 'hostname')).toThrow(
      'editors/Bob: invalid hostname "a.example.com": is already the hostname of editors/Alice; give each instance its own',
    );
  });

  test('lets the same construct claim a value again, as a construct checked before it is built does', () => {
    // GIVEN
    const scope = new Construct(undefined as any, 'app');
    claimUnique(scope, 'hostname', 'a.example.com', ALICE, 'hostname');

    // THEN
    expect(() => claimUnique(scope, 'hostname', 'a.example.com', ALICE, 'hostname')).not.toThrow();
  });

  test('keeps its claims in the construct tree, under the scope: nothing outlives the app', () => {
    // GIVEN
    const scope = new Construct(undefined as any, 'app');

    // WHEN
    claimUnique(scope, 'hostname', 'a.example.com', ALICE, 'hostname');

    // THEN
    expect(scope.node.children.map((c) => c.node.id)).toEqual(['ztcs-claims']);
    expect(() => checkUnclaimed(new Construct(undefined as any, 'app'), 'hostname', 'a.example.com', BOB, 'hostname')).not.toThrow();
  });

  test('checks a list of one construct\'s values: none twice, none another\'s', () => {
    // GIVEN
    const scope = new Construct(undefined as any, 'app');
    claimUnique(scope, 'hostname', 'a.example.com', ALICE, 'hostname');

    // THEN
    expect(() => checkClaimable(scope, 'hostname', [{ value: 'b.example.com', prop: 'hostname' }, { value: 'b.example.com', prop: 'sshHostname' }], BOB)).toThrow(
      'editors/Bob: invalid sshHostname "b.example.com": is already the hostname of editors/Bob (its hostname); give each its own',
    );
    expect(() => checkClaimable(scope, 'hostname', [{ value: 'a.example.com', prop: 'hostname' }], BOB)).toThrow('is already the hostname of editors/Alice');
  });

  test('claims nothing for an unresolved token', () => {
    // GIVEN
    const scope = new Construct(undefined as any, 'app');
    const token = Lazy.stringValue({ produce: () => 'a.example.com' });

    // THEN
    expect(() => {
      claimUnique(scope, 'hostname', token, ALICE, 'hostname');
      claimUnique(scope, 'hostname', token, BOB, 'hostname');
    }).not.toThrow();
  });
});
