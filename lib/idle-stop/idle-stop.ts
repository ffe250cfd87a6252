/**
 * The editor stops itself after a time without activity: it records the stop in the home,
 * unmounts the home and powers off, and the control plane (see `ControlPlane`) then deletes the
 * powered-off droplet, keeping what `running: false` keeps. The droplet holds no cloud credential
 * for this. Activity is a request to code-server (its heartbeat file), an open SSH session, or
 * `ztcs-keep-running <time>` from the editor's terminal. See docs/idle-stop.md.
 */
export interface IdleStop {
  /**
   * Minutes without activity before the editor stops itself, from 2 to 10080 (a week); 0 turns
   * idle stop off (a member's override of a team's setting).
   */
  readonly idleMinutes: number;
  /**
   * Minutes before the stop at which the developer's terminals and the notice file warn of it,
   * from 1 to 60 and less than `idleMinutes`.
   * @default 5
   */
  readonly warningMinutes?: number;
}
