import { ServedEditor, StartLimits } from './contract';

/** What the control plane remembers of an editor (one KV entry each). */
export interface EditorRecord {
  /** `stopped` by the cron after a power-off, `starting` after a start hook call, else `running`. */
  readonly state: 'running' | 'stopped' | 'starting';
  /** When the state began, in milliseconds since the epoch. */
  readonly since: number;
  /** The times of the start hook calls in the last hour, in milliseconds since the epoch. */
  readonly starts: readonly number[];
}

export const NEW_RECORD: EditorRecord = { state: 'running', since: 0, starts: [] };

/** Reads a KV entry: a record, or a new one when it is absent or not a record. */
export function parseRecord(text: string | null): EditorRecord {
  if (!text) return NEW_RECORD;
  try {
    const value = JSON.parse(text) as Partial<EditorRecord>;
    if (!['running', 'stopped', 'starting'].includes(value.state as string) || typeof value.since !== 'number' || !Array.isArray(value.starts)) return NEW_RECORD;
    return { state: value.state!, since: value.since, starts: value.starts.filter((time) => typeof time === 'number') };
  } catch {
    return NEW_RECORD;
  }
}

/** What to answer a visit of an editor that Access let in, whose origin did not answer. */
export type StartDecision =
  /** Call the start hook now, and show the starting page. */
  | { readonly action: 'start'; readonly record: EditorRecord; readonly secondsLeft: number }
  /** A start is under way: show the starting page, call nothing. */
  | { readonly action: 'wait'; readonly secondsLeft: number }
  /** Too many starts in the last hour: say when the next may be, call nothing. */
  | { readonly action: 'limited'; readonly retryAfterSeconds: number };

const HOUR = 3_600_000;

/**
 * Decides a visit to an editor whose origin does not answer: at most one start hook call per
 * start (none while a start is under way) and at most `maxStartsPerHour` per editor.
 */
export function decideStart(record: EditorRecord, now: number, limits: StartLimits): StartDecision {
  const left = (since: number) => Math.max(0, Math.ceil(limits.expectedSeconds - (now - since) / 1000));
  if (record.state === 'starting' && now - record.since < limits.startTimeoutSeconds * 1000) {
    return { action: 'wait', secondsLeft: left(record.since) };
  }
  const recent = record.starts.filter((time) => now - time < HOUR);
  if (recent.length >= limits.maxStartsPerHour) {
    return { action: 'limited', retryAfterSeconds: Math.ceil((Math.min(...recent) + HOUR - now) / 1000) };
  }
  return { action: 'start', record: { state: 'starting', since: now, starts: [...recent, now] }, secondsLeft: limits.expectedSeconds };
}

/** The record after the editor's origin answered: running, its recent starts kept for the limit. */
export function runningRecord(record: EditorRecord, now: number): EditorRecord {
  return { state: 'running', since: now, starts: record.starts.filter((time) => now - time < HOUR) };
}

/** A droplet as the DigitalOcean API lists it (the fields used). */
export interface DropletSummary {
  readonly id: number;
  readonly status: string;
}

/** What the cron does for a powered-off editor: mark it stopped, then delete its droplets (never its volume). */
export interface StopPlan {
  readonly editor: ServedEditor;
  /** The powered-off droplets of the editor, to delete after the marker exists. */
  readonly dropletIds: readonly number[];
}

/**
 * The editors to stop: those with a droplet whose status is `off` (it shut itself down when
 * idle). A droplet that is `new` or `active` is left alone; an editor whose droplets are all off
 * gets the marker, so that Terraform plans it as stopped, and only then loses them.
 */
export function planStops(droplets: ReadonlyMap<ServedEditor, readonly DropletSummary[]>): StopPlan[] {
  const plans: StopPlan[] = [];
  for (const [editor, list] of droplets) {
    if (list.length > 0 && noneRunning(list)) plans.push({ editor, dropletIds: list.map((droplet) => droplet.id) });
  }
  return plans;
}

/**
 * Whether an editor whose origin does not answer needs a start: none of its droplets is `new`
 * or `active` (booting, or up with code-server briefly down), which a deploy would not change.
 */
export function noneRunning(droplets: readonly DropletSummary[]): boolean {
  return droplets.every((droplet) => droplet.status === 'off');
}

/**
 * Whether the editor's origin answered: Cloudflare answers 502, 503, 504 or 520-530 (1033:
 * the tunnel is down) in its place when it does not.
 */
export function originAnswered(status: number): boolean {
  return !(status === 502 || status === 503 || status === 504 || (status >= 520 && status <= 530));
}
