import { asset, BootFragment, envFile, file, homeOf, unitFile } from './fragment';
import { BOOT_PATHS, IDLE_ENV_KEYS, IDLE_PATHS, IDLE_SCRIPTS, IDLE_UNITS, IdleEnvKey, SSHD_PORT } from '../../private/boot/contract';
import { idleWatchTimer, idleWatchUnit, mountUnitOf } from '../../private/boot/units';
import type { ResolvedIdleStop } from '../../private/idle-stop';
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
    // Stopped before the power-off: it unmounts the home, once what needs it (code-server) has stopped.
    HOME_MOUNT_UNIT: mountUnitOf(home),
    STATE_DIR: IDLE_PATHS.state,
    NOTICE_FILE: IDLE_PATHS.notice,
  };
}

/**
 * The idle stop: its settings, its units and scripts, the developer's command to postpone it,
 * and the start of its timer; no credential. No fragment without an idle stop.
 */
export function idleStopFragment(o: CloudConfigOptions): BootFragment {
  const idle = o.idleStop;
  if (idle === undefined) return {};
  const script = (name: string) => IDLE_SCRIPT_CONTENTS.get(name)!;
  return {
    files: [
      file(IDLE_PATHS.env, envFile(IDLE_ENV_KEYS, idleEnvironment(o, idle))),
      unitFile(IDLE_UNITS.watch, idleWatchUnit()),
      unitFile(IDLE_UNITS.timer, idleWatchTimer()),
      file(`${BOOT_PATHS.scripts}/idle-watch.sh`, script('idle-watch.sh'), '0755'),
      file(IDLE_PATHS.keepRunningCommand, script('keep-running.sh'), '0755'),
    ],
    runcmd: [['systemctl', 'enable', '--now', '--no-block', IDLE_UNITS.timer]],
  };
}
