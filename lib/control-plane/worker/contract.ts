import type { ControlPlaneEditor } from '../registration';

/**
 * What the constructs give the Worker and the Worker reads: the names of its bindings, the keys of
 * its KV namespace, and the shape of an editor's registration. One table for both sides (the
 * constructs write the bindings of `cloudflare_workers_script` and the registry's entries from it,
 * the Worker reads `env` and KV through it).
 */
export const BINDINGS = {
  /** The Access team's address, `https://<team>.cloudflareaccess.com`: the tokens' issuer, and where its keys are. */
  accessTeamUrl: 'ACCESS_TEAM_URL',
  /** The DigitalOcean API's address: `https://api.digitalocean.com` (a stand-in in tests). */
  digitaloceanApiUrl: 'DIGITALOCEAN_API_URL',
  /** Secret: the DigitalOcean token, the only one of the deployment outside Terraform's hands. */
  digitaloceanToken: 'DIGITALOCEAN_TOKEN',
  /** The start hook's address (a webhook; GitHub's workflow_dispatch endpoint is one). */
  startHookUrl: 'START_HOOK_URL',
  /** Secret: the start hook's bearer token. */
  startHookSecret: 'START_HOOK_SECRET',
  /** The git ref that the start hook's body names (GitHub's workflow_dispatch needs one). */
  startHookRef: 'START_HOOK_REF',
  /** JSON: {@link StartLimits}. */
  startLimits: 'START_LIMITS',
  /** The KV namespace: the editors' registry ({@link registryKey}) and their start records ({@link recordKey}). */
  state: 'STATE',
} as const;

/**
 * The prefix of the registry's keys in KV: one entry per editor, `editor:<hostname>`. A key has no
 * character that a URL path escapes ("/", "%", "?", a space): Cloudflare's provider 5.14 stores a
 * key's name percent-encoded, and Terraform refuses the apply of such a key as inconsistent.
 */
export const REGISTRY_PREFIX = 'editor:';

/** The prefix of the start records' keys in KV: one per editor, `record:<name>`. */
export const RECORD_PREFIX = 'record:';

/**
 * The KV key of an editor's registration: its value and its metadata are the JSON of the
 * {@link ServedEditor}. Hostnames are case-insensitive: the key holds the lower-case one, which is
 * what the Worker reads from a request's URL.
 */
export function registryKey(hostname: string): string {
  return `${REGISTRY_PREFIX}${hostname.toLowerCase()}`;
}

/** The KV key of an editor's start record, by the editor's name. */
export function recordKey(name: string): string {
  return `${RECORD_PREFIX}${name}`;
}

/**
 * An editor the control plane serves, as its registration in KV says: the public
 * {@link ControlPlaneEditor}, one shape for the construct that writes it and the Worker that reads it.
 */
export type ServedEditor = ControlPlaneEditor;

/** How often an editor may be started, and how long a start takes. */
export interface StartLimits {
  /** About how long a start takes, from the hook's call to the editor answering, in seconds. */
  readonly expectedSeconds: number;
  /**
   * How long a start counts as under way, in seconds: no second start hook call for the editor
   * within it.
   */
  readonly startTimeoutSeconds: number;
  /** The most start hook calls for one editor in an hour. */
  readonly maxStartsPerHour: number;
}

/** Where the starting page asks whether the editor answers yet: a path no editor serves. */
export const STATUS_PATH = '/.ztcs/start-status';
