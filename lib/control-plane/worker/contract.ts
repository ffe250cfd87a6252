/**
 * What the construct gives the Worker and the Worker reads: the names of its bindings, and the
 * shape of the editors' list. One table for both sides (the construct writes the bindings of
 * `cloudflare_workers_script` from it, the Worker reads `env` through it).
 */
export const BINDINGS = {
  /** JSON: the editors the control plane serves, a list of {@link ServedEditor}. */
  editors: 'EDITORS',
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
  /** The KV namespace of the editors' start records. */
  state: 'STATE',
} as const;

/** An editor the control plane serves. */
export interface ServedEditor {
  /** The editor's name (a team member's), unique in the list; the start hook's `editor` input. */
  readonly name: string;
  /** The editor's hostname, where its Worker route is. */
  readonly hostname: string;
  /** The audience (AUD tag) of the editor's Access application: only its tokens open or start it. */
  readonly accessAudience: string;
  /** The DigitalOcean tag on the editor's droplet (and on no other editor's). */
  readonly dropletTag: string;
  /** The tag whose existence the editor's stack reads as "stopped" (its idle stop marker). */
  readonly markerTag: string;
}

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
