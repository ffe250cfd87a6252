import { TerraformStack, Token } from 'cdktf';
import { IConstruct } from 'constructs';

/** Which construct a check speaks for, so errors say where the bad value came from. */
export interface PropContext {
  /** The construct's path in the tree, e.g. `editors/Alice/Access`. */
  readonly construct: string;
  /**
   * The group of props the checked values came in, with its dot (`droplet.`): a check names
   * `size`, the error `droplet.size`, as the user wrote it.
   */
  readonly group?: string;
}

/** The context of a construct's own checks: its path, which tells one instance from fifty. */
export function contextOf(scope: IConstruct): PropContext {
  return { construct: scope.node.path };
}

/**
 * Where a construct is about to be built, before it exists (the team's and the fleet's checks of
 * their members, until they resolve after `super()` too): the path of its parent, the app's
 * root and the stack, which is all its checks need.
 */
export interface Site {
  readonly path: string;
  readonly root: IConstruct;
  readonly stack: IConstruct;
}

/** The site of a construct's children. */
export function siteOf(scope: IConstruct): Site {
  return { path: scope.node.path, root: scope.node.root, stack: TerraformStack.of(scope) };
}

/** The site of the children of a construct about to be built at `id` on a site. */
export function siteWithin(site: Site, id: string): Site {
  return { ...site, path: contextAt(site, id).construct };
}

/** The context of a construct about to be built at `id` on a site: checked before it exists. */
export function contextAt(site: Site, id: string): PropContext {
  return { construct: site.path ? `${site.path}/${id}` : id };
}

/** The same construct's context for the values of one group of props (`droplet`): its errors name `droplet.size`. */
export function inGroup(ctx: PropContext, group: string): PropContext {
  return { construct: ctx.construct, group: `${ctx.group ?? ''}${group}.` };
}

/**
 * Runs a construct's resolve step; if it throws, takes the construct out of its scope again before
 * rethrowing, so that a construct whose props fail leaves nothing in the tree.
 */
export function detachOnError<T>(construct: IConstruct, resolve: () => T): T {
  try {
    return resolve();
  } catch (error) {
    construct.node.scope?.node.tryRemoveChild(construct.node.id);
    throw error;
  }
}

/** Marks errors of this library across copies of the module (two versions in one node_modules). */
const MARK = Symbol.for('cdktf-zero-trust-code-server.PropValidationError');

/**
 * An invalid prop: the message names the construct's path, the prop and the bad value. jsii cannot
 * export a subclass of Error, so other languages tell it apart with
 * `PropValidation.isPropValidationError`, and read the path, prop and value from the message.
 */
export class PropValidationError extends Error {
  /** Whether a value is such an error, from any copy of this library. */
  public static isPropValidationError(x: unknown): x is PropValidationError {
    return x instanceof Error && (x as unknown as Record<symbol, unknown>)[MARK] === true;
  }

  constructor(
    /** The path of the construct whose prop failed. */
    public readonly constructPath: string,
    /** The prop, as written by the user (`access.allow.emails[0]`). */
    public readonly prop: string,
    /** The value that failed. */
    public readonly value: unknown,
    /** Why it failed, with a good example. */
    public readonly reason: string,
  ) {
    super(`${constructPath}: invalid ${prop} ${JSON.stringify(value)}: ${reason}`);
    this.name = 'PropValidationError';
    Object.defineProperty(this, MARK, { value: true });
  }
}

/** The error for an invalid prop. */
export function propError(ctx: PropContext, prop: string, value: unknown, reason: string): PropValidationError {
  return new PropValidationError(ctx.construct, `${ctx.group ?? ''}${prop}`, value, reason);
}

/** True when the value is a token that only Terraform can resolve: such values are not checked. */
export function isUnresolved(value: unknown): boolean {
  return (typeof value === 'string' || typeof value === 'number' || Array.isArray(value)) && Token.isUnresolved(value);
}
