import { optionsOf } from './options';
import { sshFragment } from '../../../../lib/boot/fragments/ssh';
import { BOOT_PATHS } from '../../../../lib/private/boot/contract';

describe('the SSH fragment', () => {
  test('on every droplet, sshd\'s loopback-only drop-in and nothing else', () => {
    const fragment = sshFragment(optionsOf());
    expect(fragment.files?.map((f) => f.path)).toEqual([BOOT_PATHS.sshdConfig]);
    expect([fragment.bootcmd, fragment.mounts, fragment.runcmd]).toEqual([undefined, undefined, undefined]);
  });

  test('with SSH through Access, also the certificate authority\'s key and the developer\'s principals', () => {
    const fragment = sshFragment(optionsOf({ userName: 'dev', sshCertificateAuthority: 'ecdsa-sha2-nistp256 AAAA ca', sshPrincipals: ['alice'] }));
    expect(fragment.files?.map((f) => [f.path, f.content])).toEqual([
      [BOOT_PATHS.sshdConfig, expect.stringContaining(`TrustedUserCAKeys ${BOOT_PATHS.sshCertificateAuthority}\n`)],
      [BOOT_PATHS.sshCertificateAuthority, 'ecdsa-sha2-nistp256 AAAA ca\n'],
      [`${BOOT_PATHS.sshPrincipals}/dev`, 'alice\n'],
    ]);
  });
});
