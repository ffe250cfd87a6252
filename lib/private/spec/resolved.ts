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

/**
 * A private channel from a resolve step to the construct that builds what it resolved (a team's
 * to each member's editor): the props object handed to the construct carries its spec, so the
 * construct does not resolve again. Not a prop: jsii users neither see nor set it, and props
 * they make carry nothing.
 */
export class SpecHandover<S> {
  private readonly specs = new WeakMap<object, S>();

  /** Gives back `props`, carrying `spec` to the construct they are handed to. */
  public attach<P extends object>(props: P, spec: S): P {
    this.specs.set(props, spec);
    return props;
  }

  /** The spec that `props` carry, when a resolve step attached one. */
  public specFor(props: object): S | undefined {
    return this.specs.get(props);
  }
}
