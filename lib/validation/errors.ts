import { Token } from 'cdktf';
import { IConstruct } from 'constructs';

/** Which construct a check speaks for, so errors say where the bad value came from. */
export interface PropContext {
  /** The construct's path in the tree, e.g. `editors/Alice/Access`. */
  readonly construct: string;
}

/** The context of a construct's own checks: its path, which tells one instance from fifty. */
export function contextOf(scope: IConstruct): PropContext {
  return { construct: scope.node.path };
}

/**
 * The error for an invalid prop: its message names the construct's path, the prop and the bad
 * value. A plain Error (jsii cannot export subclasses of Error), told apart by its name.
 */
export function propError(ctx: PropContext, prop: string, value: unknown, reason: string): Error {
  const error = new Error(`${ctx.construct}: invalid ${prop} ${JSON.stringify(value)}: ${reason}`);
  error.name = 'PropValidationError';
  return error;
}

/** True when the value is a token that only Terraform can resolve: such values are not checked. */
export function isUnresolved(value: unknown): boolean {
  return (typeof value === 'string' || typeof value === 'number' || Array.isArray(value)) && Token.isUnresolved(value);
}
