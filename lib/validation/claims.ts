import { IConstruct } from 'constructs';
import { isUnresolved, PropContext, propError } from './errors';

/** What has been claimed where: per scope (an app, a stack), per kind, the value and the claiming path. */
const CLAIMS = new WeakMap<IConstruct, Map<string, string>>();

/**
 * Claims a value that must be unique within a scope (a hostname within an app, an output name within
 * a stack) for a construct. A second claim of the same value is an error naming both construct paths.
 * Returns a function that gives the claim back, for a construct that fails after claiming.
 */
export function claimUnique(scope: IConstruct, kind: string, value: string, ctx: PropContext, prop: string): () => void {
  if (isUnresolved(value)) return () => undefined;
  let claims = CLAIMS.get(scope);
  if (!claims) {
    claims = new Map();
    CLAIMS.set(scope, claims);
  }
  const key = `${kind}\u0000${value}`;
  const holder = claims.get(key);
  if (holder !== undefined) {
    throw propError(ctx, prop, value, `is already the ${kind} of ${holder}; give each instance its own`);
  }
  claims.set(key, ctx.construct);
  return () => claims!.delete(key);
}

/** Gives back every claim in a scope held by the construct at `path` or by a construct inside it: for a construct that failed after its parts claimed. */
export function releaseClaimsUnder(scope: IConstruct, path: string): void {
  const claims = CLAIMS.get(scope);
  if (!claims) return;
  for (const [key, holder] of claims) {
    if (holder === path || holder.startsWith(`${path}/`)) claims.delete(key);
  }
}
