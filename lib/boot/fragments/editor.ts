import { stringify } from 'yaml';
import { BootFragment, envFile, file, homeOf, numberValue, unitFile } from './fragment';
import { BOOT_ENV_KEYS, BOOT_PATHS, BOOT_UNITS, BootEnvKey, CODE_SERVER_PORT } from '../../private/boot/contract';
import { bootUnit, cloudflaredUnit, codeServerUnit } from '../../private/boot/units';
import type { CloudConfigOptions } from '../cloud-config';

/** The values of boot.env; the type makes every key of the contract present. */
export function bootEnvironment(o: CloudConfigOptions): Record<BootEnvKey, string> {
  return {
    CODE_USER: o.userName,
    CODE_HOME: homeOf(o),
    WORKSPACE: o.workspaceFolder,
    CODE_SERVER_VERSION: o.codeServerVersion,
    CODE_SERVER_SHA256: o.codeServerSha256 ?? '',
    CODE_SERVER_PORT: String(CODE_SERVER_PORT),
    CODE_SERVER_DEB_URL: o.codeServerDebUrl.split('{version}').join(o.codeServerVersion),
    CLOUDFLARED_APT_REPOSITORY: o.cloudflaredAptRepository,
    CLOUDFLARED_KEY_URL: o.cloudflaredKeyUrl,
    // gpg prints fingerprints in upper case.
    CLOUDFLARED_KEY_FINGERPRINT: o.cloudflaredKeyFingerprint.toUpperCase(),
    EXTENSIONS: o.extensions.join(' '),
    GIT_REPOSITORIES: o.gitRepositories.join(' '),
    DOTFILES_REPOSITORY: o.dotfilesRepository ?? '',
    HOME_VOLUME_LABEL: o.homeVolumeLabel ?? '',
    READY_MARKER: BOOT_PATHS.readyMarker,
  };
}

/**
 * code-server's own configuration: loopback only, no password (Access guards the hostname), no
 * telemetry or update check, and the Getting Started page as VS Code has it (code-server replaces
 * it with a promotion of Coder's otherwise).
 */
export function codeServerConfig(o: CloudConfigOptions): Record<string, unknown> {
  return {
    'bind-addr': `127.0.0.1:${CODE_SERVER_PORT}`,
    'auth': 'none',
    'cert': false,
    'disable-telemetry': true,
    'disable-update-check': true,
    'disable-getting-started-override': true,
    ...(o.workspaceTrust ? {} : { 'disable-workspace-trust': true }),
    'trusted-origins': [o.hostname],
    'reconnection-grace-time': numberValue(o.reconnectionGraceSeconds),
  };
}

/**
 * The editor on every droplet: the tunnel's token (root only), the boot's settings, code-server's
 * configuration and the developer's first settings, the units of code-server, the tunnel and the
 * boot, and the start of the boot (which installs and starts the others).
 */
export function editorFragment(o: CloudConfigOptions): BootFragment {
  return {
    files: [
      // The token is written once, here, readable by root only; systemd reads it for cloudflared.
      file(BOOT_PATHS.tunnelToken, `TUNNEL_TOKEN=${o.tunnelToken}\n`, '0600'),
      file(BOOT_PATHS.env, envFile(BOOT_ENV_KEYS, bootEnvironment(o))),
      file(BOOT_PATHS.codeServerConfig, stringify(codeServerConfig(o))),
      ...(o.settings ? [file(BOOT_PATHS.settings, JSON.stringify(o.settings, undefined, 2) + '\n')] : []),
      unitFile(BOOT_UNITS.codeServer, codeServerUnit(o.userName, homeOf(o), o.workspaceFolder, o.homeVolumeLabel !== undefined)),
      unitFile(BOOT_UNITS.cloudflared, cloudflaredUnit()),
      unitFile(BOOT_UNITS.boot, bootUnit()),
    ],
    // The boot runs as a unit of its own, which starts again after a failure and on every boot
    // until it has finished; --no-block: cloud-init does not wait for it.
    runcmd: [['systemctl', 'enable', '--now', '--no-block', BOOT_UNITS.boot]],
  };
}
