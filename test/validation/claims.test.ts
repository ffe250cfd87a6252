import { Lazy } from 'cdktf';
import { Construct } from 'constructs';
import { claimUnique, PropContext } from '../../lib/validation';

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

  test('gives a claim back when asked, so the value can be claimed again', () => {
    // GIVEN
    const scope = new Construct(undefined as any, 'app');
    const release = claimUnique(scope, 'hostname', 'a.example.com', ALICE, 'hostname');

    // WHEN
    release();

    // THEN
    expect(() => claimUnique(scope, 'hostname', 'a.example.com', BOB, 'hostname')).not.toThrow();
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
