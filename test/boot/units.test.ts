import { BOOT_PATHS } from '../../lib/boot/contract';
import { cloudflaredUnit, codeServerUnit } from '../../lib/boot/units';

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
