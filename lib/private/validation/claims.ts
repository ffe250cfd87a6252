import { Construct, IConstruct } from 'constructs';
import { isUnresolved, PropContext, propError } from './errors';

const REGISTRY_ID = 'ztcs-claims';

/**
 * What has been claimed in a scope (an app, a stack): kept in the construct tree itself, as a
 * child of the scope that synthesizes nothing, so it lives and dies with the app.
 */
class ClaimRegistry extends Construct {
  /** The claiming construct's path, by kind and value. */
  public readonly holders = new Map<string, string>();
}

function registryOf(scope: IConstruct): ClaimRegistry {
  return (scope.node.tryFindChild(REGISTRY_ID) as ClaimRegistry | undefined) ?? new ClaimRegistry(scope as Construct, REGISTRY_ID);
}

function keyOf(kind: string, value: string): string {
  return `${kind}\u0000${value}`;
}

/**
 * Checks that a value which must be unique within a scope (a hostname within an app, an output
 * name within a stack) is not claimed yet by another construct: the error names both paths.
 */
export function checkUnclaimed(scope: IConstruct, kind: string, value: string, ctx: PropContext, prop: string): void {
  if (isUnresolved(value)) return;
  const holder = (scope.node.tryFindChild(REGISTRY_ID) as ClaimRegistry | undefined)?.holders.get(keyOf(kind, value));
  if (holder !== undefined && holder !== ctx.construct) {
    throw propError(ctx, prop, value, `is already the ${kind} of ${holder}; give each instance its own`);
  }
}

/** Claims a value that must be unique within a scope for a construct; a second claim by another is an error naming both. */
export function claimUnique(scope: IConstruct, kind: string, value: string, ctx: PropContext, prop: string): void {
  if (isUnresolved(value)) return;
  checkUnclaimed(scope, kind, value, ctx, prop);
  registryOf(scope).holders.set(keyOf(kind, value), ctx.construct);
}

/** Checks that a list of values for one construct holds none twice and none claimed by another. */
export function checkClaimable(scope: IConstruct, kind: string, claims: Array<{ value: string; prop: string }>, ctx: PropContext): void {
  const seen = new Map<string, string>();
  for (const { value, prop } of claims) {
    if (isUnresolved(value)) continue;
    checkUnclaimed(scope, kind, value, ctx, prop);
    const earlier = seen.get(value);
    if (earlier !== undefined) throw propError(ctx, prop, value, `is already the ${kind} of ${ctx.construct} (its ${earlier}); give each its own`);
    seen.set(value, prop);
  }
}
