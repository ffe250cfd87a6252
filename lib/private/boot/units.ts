import { BOOT_ENTRY, BOOT_PATHS, IDLE_CHECK_SECONDS, IDLE_UNITS } from './contract';

/** A systemd unit file as sections of key/value lines, rendered in the order given. */
type UnitSections = Record<string, Array<[string, string]>>;

/** Renders a systemd unit file. */
function renderUnit(sections: UnitSections): string {
  return Object.entries(sections)
    .map(([name, lines]) => [`[${name}]`, ...lines.map(([key, value]) => `${key}=${value}`)].join('\n'))
    .join('\n\n') + '\n';
}

/** code-server as the developer, on loopback, opening the workspace folder. */
export function codeServerUnit(user: string, home: string, workspace: string, homeOnVolume: boolean): string {
  return renderUnit({
    Unit: [
      ['Description', `code-server (VS Code in the browser) for ${user}`],
      ['After', 'network-online.target'],
      ['Wants', 'network-online.target'],
      // Never start on the droplet's own disk when the home is a volume.
      ...(homeOnVolume ? [['RequiresMountsFor', home] as [string, string]] : []),
    ],
    Service: [
      ['Type', 'simple'],
      ['User', user],
      ['Group', user],
      ['WorkingDirectory', home],
      ['Environment', `HOME=${home}`],
      ['ExecStart', `/usr/bin/code-server --config ${BOOT_PATHS.codeServerConfig} ${workspace}`],
      ['Restart', 'always'],
      ['RestartSec', '5'],
    ],
    Install: [['WantedBy', 'multi-user.target']],
  });
}

/**
 * cloudflared running the tunnel. The token comes from a root-only environment file read by
 * systemd (cloudflared takes TUNNEL_TOKEN from the environment), so it is on no command line;
 * the process itself runs as a throwaway user. apt updates the binary, so its updater is off.
 */
export function cloudflaredUnit(): string {
  return renderUnit({
    Unit: [
      ['Description', 'Cloudflare Tunnel to code-server'],
      ['After', 'network-online.target'],
      ['Wants', 'network-online.target'],
    ],
    Service: [
      ['Type', 'notify'],
      ['EnvironmentFile', BOOT_PATHS.tunnelToken],
      ['ExecStart', '/usr/bin/cloudflared --no-autoupdate tunnel run'],
      ['DynamicUser', 'yes'],
      ['NoNewPrivileges', 'yes'],
      ['Restart', 'always'],
      ['RestartSec', '5'],
      ['TimeoutStartSec', '0'],
    ],
    Install: [['WantedBy', 'multi-user.target']],
  });
}

/**
 * The boot: boot.sh, started by cloud-init's runcmd on the first boot and by multi-user.target on
 * every later one, and started again 30 seconds after a failure, with no limit; boot.sh skips the
 * steps that finished before, so this goes on until the boot has finished. No start timeout: a
 * download that rides out a refusing mirror may take many minutes.
 */
export function bootUnit(): string {
  return renderUnit({
    Unit: [
      ['Description', 'Boot of the code-server droplet: installs and starts code-server and the tunnel'],
      ['After', 'network-online.target'],
      ['Wants', 'network-online.target'],
      ['StartLimitIntervalSec', '0'],
    ],
    Service: [
      ['Type', 'oneshot'],
      ['RemainAfterExit', 'yes'],
      ['ExecStart', `${BOOT_PATHS.scripts}/${BOOT_ENTRY}`],
      ['Restart', 'on-failure'],
      ['RestartSec', '30'],
      ['TimeoutStartSec', 'infinity'],
      // The boot's progress on the console too, where a provider's console (and the test tier) reads it.
      ['StandardOutput', 'journal+console'],
      ['StandardError', 'journal+console'],
    ],
    Install: [['WantedBy', 'multi-user.target']],
  });
}

/** The idle stop's watcher, run once per round by its timer. */
export function idleWatchUnit(): string {
  return renderUnit({
    Unit: [['Description', 'Idle stop: looks for activity, warns, and stops the editor when idle']],
    Service: [
      ['Type', 'oneshot'],
      ['ExecStart', `${BOOT_PATHS.scripts}/idle-watch.sh`],
      // Its warnings and the stop on the console too, where a provider's console (and the test tier) reads the stop's order.
      ['StandardOutput', 'journal+console'],
      ['StandardError', 'journal+console'],
    ],
  });
}

/** Starts the watcher every IDLE_CHECK_SECONDS, from a minute after the boot. */
export function idleWatchTimer(): string {
  return renderUnit({
    Unit: [['Description', 'Idle stop: the watcher\'s rounds']],
    Timer: [
      ['OnBootSec', '60'],
      ['OnUnitInactiveSec', String(IDLE_CHECK_SECONDS)],
      ['AccuracySec', '1'],
      ['Unit', IDLE_UNITS.watch],
    ],
    Install: [['WantedBy', 'timers.target']],
  });
}

/**
 * The escaped name of the mount unit of a path, as `systemd-escape --path --suffix=mount` writes
 * it, for the paths this library writes (letters, digits, ".", "_", "-" and "/").
 */
export function mountUnitOf(path: string): string {
  const escaped = path.split('/').filter((part) => part !== '')
    .map((part) => part.replace(/-/g, '\\x2d'))
    .join('-')
    .replace(/^\./, '\\x2e');
  return `${escaped === '' ? '-' : escaped}.mount`;
}
