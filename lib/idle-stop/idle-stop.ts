/**
 * The editor stops itself after a time without activity: it shuts down (its home unmounted
 * first) and deletes its own droplet, keeping what `running: false` keeps. Activity is a request
 * to code-server (its heartbeat file), an open SSH session, or `ztcs-keep-running <time>` from
 * the editor's terminal. See docs/idle-stop.md for the start in one step.
 */
export interface IdleStop {
  /**
   * Minutes without activity before the editor stops itself, from 2 to 10080 (a week); 0 turns
   * idle stop off (a member's override of a team's setting).
   */
  readonly idleMinutes: number;
  /**
   * A DigitalOcean API token that the droplet uses to mark itself stopped and delete itself: a
   * custom-scoped token with `droplet:read`, `droplet:delete` and `tag:create` only. A secret:
   * pass a sensitive Terraform variable's value (`new TerraformVariable(…, { sensitive: true })
   * .stringValue`); a literal string is refused, since it would be written into cdk.tf.json. It
   * is written on the droplet into a root-only file, and never into an output, an argument list
   * or a log. In a team, a member who overrides `idleStop` keeps the team's token unless they
   * give their own.
   * @default - none; required unless `idleMinutes` is 0
   */
  readonly digitaloceanToken?: string;
  /**
   * Minutes before the stop at which the developer's terminals and the notice file warn of it,
   * from 1 to 60 and less than `idleMinutes`.
   * @default 5
   */
  readonly warningMinutes?: number;
  /**
   * The DigitalOcean API the droplet calls: an https URL, or http to a loopback or private
   * address (a proxy inside the VPC, or a test's stand-in).
   * @default "https://api.digitalocean.com"
   */
  readonly digitaloceanApiUrl?: string;
}

/** An idle stop with its defaults applied, as the boot and the droplet take it. */
export interface ResolvedIdleStop {
  readonly idleMinutes: number;
  readonly warningMinutes: number;
  readonly digitaloceanToken: string;
  readonly digitaloceanApiUrl: string;
  /** The DigitalOcean tag whose existence marks the editor stopped. */
  readonly markerTag: string;
}
