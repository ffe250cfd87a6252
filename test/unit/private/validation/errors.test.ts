import { TerraformStack, TerraformVariable, Testing } from 'cdktf';
import { Construct } from 'constructs';
import { contextOf, detachOnError, inGroup, isUnresolved, propError, PropContext } from '../../../../lib/private/validation';
import { thrownBy, unresolvedString } from '../../../support/fixtures';

const CTX: PropContext = { construct: 'TestConstruct' };

describe('contextOf', () => {
  test('speaks for a construct by its path, which tells one instance from another', () => {
    // GIVEN
    const stack = new TerraformStack(Testing.app(), 'editors');

    // THEN
    expect(contextOf(new Construct(new Construct(stack, 'Alice'), 'Access'))).toEqual({ construct: 'editors/Alice/Access' });
  });
});

describe('propError', () => {
  test('names the construct, the prop and the bad value in its message', () => {
    // WHEN
    const error = propError(CTX, 'size', 'huge', 'expected a slug');

    // THEN
    expect(error.message).toBe('TestConstruct: invalid size "huge": expected a slug');
  });

  test('is told apart by its name', () => {
    // WHEN
    const error = propError(CTX, 'size', 'huge', 'expected a slug');

    // THEN
    expect(error).toBeInstanceOf(Error);
    expect(error.name).toBe('PropValidationError');
  });
});

describe('isUnresolved', () => {
  test('is false for plain strings, numbers and lists', () => {
    // THEN
    expect(isUnresolved('code.example.com')).toBe(false);
    expect(isUnresolved(20)).toBe(false);
    expect(isUnresolved(['a', 'b'])).toBe(false);
  });

  test('is true for string, number and list tokens', () => {
    // GIVEN
    const stack = new TerraformStack(Testing.app(), 'test');
    const text = new TerraformVariable(stack, 'text', { type: 'string' });
    const count = new TerraformVariable(stack, 'count', { type: 'number' });
    const list = new TerraformVariable(stack, 'list', { type: 'list(string)' });

    // THEN
    expect(isUnresolved(text.stringValue)).toBe(true);
    expect(isUnresolved(count.numberValue)).toBe(true);
    expect(isUnresolved(list.listValue)).toBe(true);
    expect(isUnresolved(unresolvedString('x'))).toBe(true);
  });

  test('is false for values that cannot be tokens', () => {
    // THEN
    expect(isUnresolved(undefined)).toBe(false);
    expect(isUnresolved(true)).toBe(false);
    expect(isUnresolved({ a: 1 })).toBe(false);
  });
});


describe('inGroup', () => {
  test('names a value by its group, under the same construct', () => {
    // WHEN
    const error = propError(inGroup(inGroup(CTX, 'home'), 'options'), 'sizeGib', 0, 'too small');

    // THEN
    expect(error.message).toBe('TestConstruct: invalid home.options.sizeGib 0: too small');
  });
});

describe('detachOnError', () => {
  test('takes a construct whose resolve step throws out of its scope, and rethrows', () => {
    // GIVEN
    const stack = new TerraformStack(Testing.app(), 'editors');
    const alice = new Construct(stack, 'Alice');

    // WHEN
    const error = thrownBy(() => detachOnError(alice, () => { throw propError(contextOf(alice), 'size', 'huge', 'expected a slug'); }));

    // THEN
    expect(error.message).toBe('editors/Alice: invalid size "huge": expected a slug');
    expect(stack.node.tryFindChild('Alice')).toBeUndefined();
  });

  test('keeps a construct whose resolve step passes, and gives its result', () => {
    // GIVEN
    const stack = new TerraformStack(Testing.app(), 'editors');
    const alice = new Construct(stack, 'Alice');

    // THEN
    expect(detachOnError(alice, () => 42)).toBe(42);
    expect(stack.node.tryFindChild('Alice')).toBe(alice);
  });
});
