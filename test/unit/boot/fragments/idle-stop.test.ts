import { IDLE_STOP, optionsOf } from './options';
import { idleStopFragment } from '../../../../lib/boot/fragments/idle-stop';
import { BOOT_PATHS, IDLE_PATHS, IDLE_UNITS } from '../../../../lib/private/boot/contract';

describe('the idle stop\'s fragment', () => {
  test('without an idle stop, nothing', () => {
    expect(idleStopFragment(optionsOf())).toEqual({});
  });

  test('its settings, token, units and scripts, and the start of its timer, from one place', () => {
    const fragment = idleStopFragment(optionsOf({ homeVolumeLabel: 'home', idleStop: IDLE_STOP }));
    expect(fragment.files?.map((f) => f.path)).toEqual([
      IDLE_PATHS.env,
      IDLE_PATHS.apiConfig,
      ...[IDLE_UNITS.watch, IDLE_UNITS.timer, IDLE_UNITS.delete].map((unit) => `/etc/systemd/system/${unit}`),
      `${BOOT_PATHS.scripts}/idle-watch.sh`,
      `${BOOT_PATHS.scripts}/idle-delete.sh`,
      IDLE_PATHS.keepRunningCommand,
    ]);
    expect(fragment.runcmd).toEqual([['systemctl', 'enable', '--now', '--no-block', IDLE_UNITS.timer]]);
  });

  test('the token is in the root-only curl configuration alone, on no command line', () => {
    const fragment = idleStopFragment(optionsOf({ homeVolumeLabel: 'home', idleStop: IDLE_STOP }));
    const carriers = fragment.files?.filter((f) => f.content.includes(IDLE_STOP.digitaloceanToken));
    expect(carriers?.map((f) => [f.path, f.permissions])).toEqual([[IDLE_PATHS.apiConfig, '0600']]);
    expect(JSON.stringify(fragment.runcmd)).not.toContain(IDLE_STOP.digitaloceanToken);
  });
});
