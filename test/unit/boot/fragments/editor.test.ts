import { optionsOf } from './options';
import { editorFragment } from '../../../../lib/boot/fragments/editor';
import { BOOT_PATHS, BOOT_UNITS } from '../../../../lib/private/boot/contract';

describe('the editor\'s fragment', () => {
  test('the token, the boot\'s settings, code-server\'s configuration and the three units, and the start of the boot', () => {
    const fragment = editorFragment(optionsOf());
    expect(fragment.files?.map((f) => f.path)).toEqual([
      BOOT_PATHS.tunnelToken,
      BOOT_PATHS.env,
      BOOT_PATHS.codeServerConfig,
      ...[BOOT_UNITS.codeServer, BOOT_UNITS.cloudflared, BOOT_UNITS.boot].map((unit) => `/etc/systemd/system/${unit}`),
    ]);
    expect(fragment.runcmd).toEqual([['systemctl', 'enable', '--now', '--no-block', BOOT_UNITS.boot]]);
  });

  test('the developer\'s first settings only when given', () => {
    expect(editorFragment(optionsOf({ settings: { 'editor.tabSize': 2 } })).files?.map((f) => f.path)).toContain(BOOT_PATHS.settings);
  });

  test('the tunnel token only in its root-only file', () => {
    const carriers = editorFragment(optionsOf()).files?.filter((f) => f.content.includes('tunnel-token'));
    expect(carriers?.map((f) => [f.path, f.permissions])).toEqual([[BOOT_PATHS.tunnelToken, '0600']]);
  });
});
