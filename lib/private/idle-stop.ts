import { isUnresolved, PropContext, rejectProp } from './validation';
import type { IdleStop } from '../idle-stop/idle-stop';

/** The defaults of {@link IdleStop}, for documentation and tests. */
export const IDLE_STOP_DEFAULTS = {
  warningMinutes: 5,
} as const;

/** An idle stop with its defaults applied, as the boot takes it. */
export interface ResolvedIdleStop {
  readonly idleMinutes: number;
  readonly warningMinutes: number;
}

/**
 * Props an idle stop took before the droplets gave up their token: a value for one of them is
 * refused with the way now, rather than ignored (JavaScript and the other languages do not check it).
 */
const FORMER_PROPS = ['digitaloceanToken', 'digitaloceanApiUrl'] as const;

/**
 * The shortest idle time: code-server writes its heartbeat at most once a minute, so a shorter
 * time could stop an editor in use.
 */
export const MIN_IDLE_MINUTES = 2;
/** The longest idle time: a week. */
export const MAX_IDLE_MINUTES = 10_080;
/** The longest warning before a stop. */
export const MAX_WARNING_MINUTES = 60;

/** Whether an idle stop is on: given, and not turned off with `idleMinutes: 0`. */
export function idleStopOn(idleStop: IdleStop | undefined): idleStop is IdleStop {
  return idleStop !== undefined && idleStop.idleMinutes !== 0;
}

function checkMinutes(ctx: PropContext, prop: string, value: unknown, min: number, max: number, extra: string): void {
  if (isUnresolved(value)) return;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
    rejectProp(ctx, prop, value, `expected whole minutes from ${min} to ${max}${extra}, as a number (30, not "30m")`);
  }
}

/** Checks an idle stop without building anything. */
export function validateIdleStop(ctx: PropContext, o: IdleStop): void {
  if (typeof o !== 'object' || o === null) rejectProp(ctx, 'idleStop', o, 'expected an object such as { idleMinutes: 30 }');
  for (const prop of FORMER_PROPS) {
    if ((o as unknown as Record<string, unknown>)[prop] !== undefined) {
      rejectProp(ctx, `idleStop.${prop}`, '(not shown)', 'is no longer taken: the droplet holds no cloud credential; the control plane holds the DigitalOcean token and deletes a powered-off editor (controlPlane, docs/idle-stop.md)');
    }
  }
  if (o.idleMinutes === 0) {
    if (o.warningMinutes !== undefined) rejectProp(ctx, 'idleStop.warningMinutes', o.warningMinutes, 'is used only while idle stop is on; idleMinutes is 0 (off)');
    return;
  }
  checkMinutes(ctx, 'idleStop.idleMinutes', o.idleMinutes, MIN_IDLE_MINUTES, MAX_IDLE_MINUTES, ' (a week), or 0 for off');
  if (o.warningMinutes !== undefined) {
    checkMinutes(ctx, 'idleStop.warningMinutes', o.warningMinutes, 1, MAX_WARNING_MINUTES, '');
    if (!isUnresolved(o.warningMinutes) && !isUnresolved(o.idleMinutes) && o.warningMinutes >= o.idleMinutes) {
      rejectProp(ctx, 'idleStop.warningMinutes', o.warningMinutes, `must be less than idleMinutes (${o.idleMinutes}): the warning comes after some idle time`);
    }
  } else if (!isUnresolved(o.idleMinutes) && o.idleMinutes <= IDLE_STOP_DEFAULTS.warningMinutes) {
    rejectProp(ctx, 'idleStop.idleMinutes', o.idleMinutes, `is no longer than the default warning (${IDLE_STOP_DEFAULTS.warningMinutes} minutes): give a shorter warningMinutes with it`);
  }
}

/** The idle stop of an editor with its defaults, or undefined when off. */
export function resolveIdleStop(idleStop: IdleStop | undefined): ResolvedIdleStop | undefined {
  if (!idleStopOn(idleStop)) return undefined;
  return {
    idleMinutes: idleStop.idleMinutes,
    warningMinutes: idleStop.warningMinutes ?? IDLE_STOP_DEFAULTS.warningMinutes,
  };
}
