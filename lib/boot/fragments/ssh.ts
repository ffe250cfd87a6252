import { BootFragment, file } from './fragment';
import { BOOT_PATHS } from '../../private/boot/contract';
import type { CloudConfigOptions } from '../cloud-config';

/**
 * sshd on every droplet: loopback only, so it never answers on a public address, and no
 * passwords. With SSH through Access, also the Access application's certificates, and no root.
 */
export function sshdConfig(sshThroughAccess: boolean): string {
  return [
    sshThroughAccess
      ? '# Written by cloud-init: sshd serves SSH through Cloudflare Access only, on loopback.'
      : '# Written by cloud-init: sshd listens on loopback only and takes no password.',
    'ListenAddress 127.0.0.1',
    'PasswordAuthentication no',
    'KbdInteractiveAuthentication no',
    ...(sshThroughAccess
      ? [
        'PermitRootLogin no',
        'PubkeyAuthentication yes',
        `TrustedUserCAKeys ${BOOT_PATHS.sshCertificateAuthority}`,
        `AuthorizedPrincipalsFile ${BOOT_PATHS.sshPrincipals}/%u`,
      ]
      : []),
  ].join('\n') + '\n';
}

/**
 * sshd's drop-in, on every droplet (configure-ssh.sh restarts sshd with it); with SSH through
 * Access, the certificate authority's key and the principals that may log in as the developer.
 */
export function sshFragment(o: CloudConfigOptions): BootFragment {
  return {
    files: [
      // Written before sshd first starts (cloud-init's network stage runs before ssh.service).
      file(BOOT_PATHS.sshdConfig, sshdConfig(o.ssh !== undefined)),
      ...(o.ssh
        ? [
          file(BOOT_PATHS.sshCertificateAuthority, `${o.ssh.certificateAuthority}\n`),
          file(`${BOOT_PATHS.sshPrincipals}/${o.userName}`, o.ssh.principals.join('\n') + '\n'),
        ]
        : []),
    ],
  };
}
