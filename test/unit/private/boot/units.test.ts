import { spawnSync } from 'child_process';
import { BOOT_PATHS, IDLE_CHECK_SECONDS, IDLE_UNITS } from '../../../../lib/private/boot/contract';
import { cloudflaredUnit, codeServerUnit, idleWatchTimer, idleWatchUnit, mountUnitOf } from '../../../../lib/private/boot/units';

/** The lines of a unit file for a key, e.g. `ExecStart=...`. */
function unitLines(unit: string, key: string): string[] {
  return unit.split('\n').filter((line) => line.startsWith(`${key}=`));
}

describe('the cloudflared unit', () => {
  const unit = () => cloudflaredUnit();

  test('systemd reads the token from the token file (EnvironmentFile=)', () => {
    expect(unitLines(unit(), 'EnvironmentFile')).toEqual([`EnvironmentFile=${BOOT_PATHS.tunnelToken}`]);
  });

  test('cloudflared restarts always', () => {
    expect(unitLines(unit(), 'Restart')).toEqual(['Restart=always']);
  });

  test('cloudflared starts after the network is online', () => {
    expect(unitLines(unit(), 'After')).toEqual(['After=network-online.target']);
    expect(unitLines(unit(), 'Wants')).toEqual(['Wants=network-online.target']);
  });

  test('cloudflared runs with its own updater off (--no-autoupdate) and no token on its command line', () => {
    const [execStart] = unitLines(unit(), 'ExecStart');
    expect(execStart).toContain('--no-autoupdate');
    expect(execStart).not.toMatch(/--token|TUNNEL_TOKEN|\$/);
  });
});

describe('the code-server unit', () => {
  test('runs the pinned configuration as the developer, opening the workspace', () => {
    const unit = codeServerUnit('dev', '/home/dev', '/home/dev/workspace', false);
    expect(unitLines(unit, 'User')).toEqual(['User=dev']);
    expect(unitLines(unit, 'ExecStart')).toEqual(['ExecStart=/usr/bin/code-server --config /etc/code-server/config.yaml /home/dev/workspace']);
  });

  test('requires the mounted home only when the home is a volume', () => {
    expect(unitLines(codeServerUnit('dev', '/home/dev', '/home/dev/workspace', true), 'RequiresMountsFor')).toEqual(['RequiresMountsFor=/home/dev']);
    expect(unitLines(codeServerUnit('dev', '/home/dev', '/home/dev/workspace', false), 'RequiresMountsFor')).toEqual([]);
  });
});

describe('the idle stop\'s units', () => {
  test('the watcher runs once per round as a oneshot, its stop on the console too, and nothing runs at the shutdown', () => {
    const unit = idleWatchUnit();
    expect(unitLines(unit, 'ExecStart')).toEqual([`ExecStart=${BOOT_PATHS.scripts}/idle-watch.sh`]);
    expect(unitLines(unit, 'Type')).toEqual(['Type=oneshot']);
    expect(unitLines(unit, 'StandardOutput')).toEqual(['StandardOutput=journal+console']);
    expect(unitLines(unit, 'ExecStop')).toEqual([]);
  });

  test('the timer starts the watcher every round', () => {
    const timer = idleWatchTimer();
    expect(unitLines(timer, 'Unit')).toEqual([`Unit=${IDLE_UNITS.watch}`]);
    expect(unitLines(timer, 'OnUnitInactiveSec')).toEqual([`OnUnitInactiveSec=${IDLE_CHECK_SECONDS}`]);
  });

  const escapes = ['/home/coder', '/home/dev-1', '/home/dev_user-1', '/home/.hidden', '/'];
  test.each(escapes)('the mount unit of %s is named as systemd-escape names it', (path) => {
    const escaped = spawnSync('systemd-escape', ['--path', '--suffix=mount', path], { encoding: 'utf8' });
    if (escaped.error) {
      // Without systemd-escape, the names as systemd's documentation gives them.
      expect(mountUnitOf('/home/dev-1')).toBe('home-dev\\x2d1.mount');
      return;
    }
    expect(mountUnitOf(path)).toBe(escaped.stdout.trim());
  });
});
