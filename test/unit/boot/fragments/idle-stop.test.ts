import { IDLE_STOP, optionsOf } from './options';
import { idleStopFragment } from '../../../../lib/boot/fragments/idle-stop';
import { BOOT_PATHS, IDLE_PATHS, IDLE_UNITS } from '../../../../lib/private/boot/contract';
import { literalSecretIn } from '../../../../lib/private/validation';

describe('the idle stop\'s fragment', () => {
  test('without an idle stop, nothing', () => {
    expect(idleStopFragment(optionsOf())).toEqual({});
  });

  test('its settings, units and scripts, and the start of its timer, from one place', () => {
    const fragment = idleStopFragment(optionsOf({ homeVolumeLabel: 'home', idleStop: IDLE_STOP }));
    expect(fragment.files?.map((f) => f.path)).toEqual([
      IDLE_PATHS.env,
      ...[IDLE_UNITS.watch, IDLE_UNITS.timer].map((unit) => `/etc/systemd/system/${unit}`),
      `${BOOT_PATHS.scripts}/idle-watch.sh`,
      IDLE_PATHS.keepRunningCommand,
    ]);
    expect(fragment.runcmd).toEqual([['systemctl', 'enable', '--now', '--no-block', IDLE_UNITS.timer]]);
  });

  test('no credential and no call: no file is root-only, none holds a header, an API or curl', () => {
    const fragment = idleStopFragment(optionsOf({ homeVolumeLabel: 'home', idleStop: IDLE_STOP }));
    expect(fragment.files?.filter((f) => f.permissions === '0600')).toEqual([]);
    for (const f of fragment.files ?? []) {
      expect([f.path, literalSecretIn(f.content)]).toEqual([f.path, undefined]);
      expect([f.path, /Authorization|Bearer|digitalocean|\bcurl\b/i.test(f.content)]).toEqual([f.path, false]);
    }
  });

  test('idle.env names the home\'s mount unit, which the watcher stops before the power-off', () => {
    const fragment = idleStopFragment(optionsOf({ homeVolumeLabel: 'home', userName: 'dev-1', idleStop: IDLE_STOP }));
    expect(fragment.files?.find((f) => f.path === IDLE_PATHS.env)?.content).toContain("HOME_MOUNT_UNIT='home-dev\\x2d1.mount'");
  });
});
