import { checkPattern, isUnresolved, PropContext, rejectProp } from './validation';
import type { IdleStop, ResolvedIdleStop } from '../idle-stop/idle-stop';

/** The defaults of {@link IdleStop}, for documentation and tests. */
export const IDLE_STOP_DEFAULTS = {
  warningMinutes: 5,
  digitaloceanApiUrl: 'https://api.digitalocean.com',
} as const;

/**
 * The shortest idle time: code-server writes its heartbeat at most once a minute, so a shorter
 * time could stop an editor in use.
 */
export const MIN_IDLE_MINUTES = 2;
/** The longest idle time: a week. */
export const MAX_IDLE_MINUTES = 10_080;
/** The longest warning before a stop. */
export const MAX_WARNING_MINUTES = 60;

const PRIVATE_HTTP = /^http:\/\/(127\.\d{1,3}\.\d{1,3}\.\d{1,3}|10\.\d{1,3}\.\d{1,3}\.\d{1,3}|192\.168\.\d{1,3}\.\d{1,3}|172\.(1[6-9]|2\d|3[01])\.\d{1,3}\.\d{1,3}|localhost)(:\d{1,5})?\/?$/;
const HTTPS_ORIGIN = /^https:\/\/[a-z0-9.-]+(:\d{1,5})?\/?$/;

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
  if (typeof o !== 'object' || o === null) rejectProp(ctx, 'idleStop', o, 'expected an object such as { idleMinutes: 30, digitaloceanToken: token.stringValue }');
  if (o.idleMinutes === 0) {
    for (const prop of ['warningMinutes', 'digitaloceanApiUrl'] as const) {
      if (o[prop] !== undefined) rejectProp(ctx, `idleStop.${prop}`, o[prop], 'is used only while idle stop is on; idleMinutes is 0 (off)');
    }
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
  if (o.digitaloceanToken === undefined || o.digitaloceanToken === '') {
    rejectProp(ctx, 'idleStop.digitaloceanToken', o.digitaloceanToken, 'is required while idle stop is on: a custom-scoped DigitalOcean token (droplet:read, droplet:delete, tag:create) as a sensitive Terraform variable\'s value');
  }
  if (!isUnresolved(o.digitaloceanToken)) {
    rejectProp(ctx, 'idleStop.digitaloceanToken', '(a literal string, not shown)',
      'a literal token would be written into cdk.tf.json in the clear: pass a sensitive Terraform variable\'s value, e.g. new TerraformVariable(this, "idle_stop_token", { type: "string", sensitive: true }).stringValue');
  }
  if (o.digitaloceanApiUrl !== undefined && !isUnresolved(o.digitaloceanApiUrl) && !PRIVATE_HTTP.test(o.digitaloceanApiUrl)) {
    checkPattern(ctx, 'idleStop.digitaloceanApiUrl', o.digitaloceanApiUrl, HTTPS_ORIGIN,
      'expected the API\'s origin, https (the token travels with every call), e.g. "https://api.digitalocean.com"; http only to a loopback or private address');
  }
}

/** The idle stop of an editor with its defaults, or undefined when off. */
export function resolveIdleStop(idleStop: IdleStop | undefined, markerTag: string): ResolvedIdleStop | undefined {
  if (!idleStopOn(idleStop)) return undefined;
  return {
    idleMinutes: idleStop.idleMinutes,
    warningMinutes: idleStop.warningMinutes ?? IDLE_STOP_DEFAULTS.warningMinutes,
    digitaloceanToken: idleStop.digitaloceanToken!,
    digitaloceanApiUrl: (idleStop.digitaloceanApiUrl ?? IDLE_STOP_DEFAULTS.digitaloceanApiUrl).replace(/\/$/, ''),
    markerTag,
  };
}
