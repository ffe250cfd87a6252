// Slices of props that the editor's resolve step has checked and completed: a part given one
// does not check it again, while a part built on its own (a jsii user's) still does.

const RESOLVED = new WeakSet<object>();

/** Marks props as resolved (checked, defaults in) and gives them back. */
export function markResolved<T extends object>(props: T): T {
  RESOLVED.add(props);
  return props;
}

/** Whether props were made by the resolve step, so their part need not check them again. */
export function isResolved(props: object): boolean {
  return RESOLVED.has(props);
}

/** A resolved slice with what only the built tree knows (a sibling's id, a token) added: still resolved. */
export function withBuilt<T extends object, U extends object>(slice: T, built: U): T & U {
  const props = { ...slice, ...built };
  return isResolved(slice) ? markResolved(props) : props;
}
