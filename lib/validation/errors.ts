import { Token } from 'cdktf';

/** Which construct a check speaks for, so errors say where the bad value came from. */
export interface PropContext {
  readonly construct: string;
}

/**
 * The error for an invalid prop: its message names the construct, the prop and the bad value.
 * A plain Error (jsii cannot export subclasses of Error), told apart by its name.
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
