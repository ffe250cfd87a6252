import { asset, BootFragment, envFile, file, homeOf, unitFile } from './fragment';
import type { ResolvedIdleStop } from '../../idle-stop/idle-stop';
import { BOOT_PATHS, IDLE_ENV_KEYS, IDLE_PATHS, IDLE_SCRIPTS, IDLE_UNITS, IdleEnvKey, SSHD_PORT } from '../../private/boot/contract';
import { idleDeleteUnit, idleWatchTimer, idleWatchUnit } from '../../private/boot/units';
import type { CloudConfigOptions } from '../cloud-config';

/** The idle stop's scripts, read once per process. */
const IDLE_SCRIPT_CONTENTS: ReadonlyMap<string, string> = new Map(IDLE_SCRIPTS.map((name) => [name, asset(name)]));

/** The values of idle.env: the idle stop's settings, no secret. */
export function idleEnvironment(o: CloudConfigOptions, idle: ResolvedIdleStop): Record<IdleEnvKey, string> {
  const home = homeOf(o);
  return {
    IDLE_MINUTES: String(idle.idleMinutes),
    WARNING_MINUTES: String(idle.warningMinutes),
    // code-server's data folder is ~/.local/share/code-server; it touches `heartbeat` there on activity.
    HEARTBEAT_FILE: `${home}/.local/share/code-server/heartbeat`,
    KEEP_RUNNING_FILE: `${home}/.local/state/ztcs/keep-running-until`,
    SSHD_PORT: String(SSHD_PORT),
    MARKER_TAG: idle.markerTag,
    DIGITALOCEAN_API_URL: idle.digitaloceanApiUrl,
    API_CONFIG: IDLE_PATHS.apiConfig,
    STATE_DIR: IDLE_PATHS.state,
    NOTICE_FILE: IDLE_PATHS.notice,
    INSTANCE_ID_FILE: IDLE_PATHS.instanceId,
  };
}

/**
 * The idle stop: its settings, the token (root only), its units and scripts, the developer's
 * command to postpone it, and the start of its timer. No fragment without an idle stop.
 */
export function idleStopFragment(o: CloudConfigOptions): BootFragment {
  const idle = o.idleStop;
  if (idle === undefined) return {};
  const script = (name: string) => IDLE_SCRIPT_CONTENTS.get(name)!;
  return {
    files: [
      file(IDLE_PATHS.env, envFile(IDLE_ENV_KEYS, idleEnvironment(o, idle))),
      // The token is written once, here, readable by root only; curl reads the header from it (-K).
      file(IDLE_PATHS.apiConfig, `header = "Authorization: Bearer ${idle.digitaloceanToken}"\n`, '0600'),
      unitFile(IDLE_UNITS.watch, idleWatchUnit()),
      unitFile(IDLE_UNITS.timer, idleWatchTimer()),
      unitFile(IDLE_UNITS.delete, idleDeleteUnit(homeOf(o))),
      file(`${BOOT_PATHS.scripts}/idle-watch.sh`, script('idle-watch.sh'), '0755'),
      file(`${BOOT_PATHS.scripts}/idle-delete.sh`, script('idle-delete.sh'), '0755'),
      file(IDLE_PATHS.keepRunningCommand, script('keep-running.sh'), '0755'),
    ],
    runcmd: [['systemctl', 'enable', '--now', '--no-block', IDLE_UNITS.timer]],
  };
}
