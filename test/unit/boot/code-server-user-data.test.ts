import { Lazy, Token } from 'cdktf';
import { parse } from 'yaml';
import { BootPhase } from '../../../lib/boot/boot-steps';
import {
  BOOT_DEFAULTS,
  BootOptions,
  CodeServerUserData,
  CodeServerUserDataProps,
  defaultSwapGib,
  MIN_CODE_SERVER_VERSION,
  SWAP_BELOW_GIB,
  versionAtLeast,
} from '../../../lib/boot/code-server-user-data';
import { escapeTerraformTemplate } from '../../../lib/private/boot/terraform-string';
import { HomeVolume } from '../../../lib/storage/home-volume';
import { newStack } from '../../support/fixtures';

const BASE: CodeServerUserDataProps = { hostname: 'code.example.com', tunnelToken: 'eyJhIjoiZmFrZSJ9-sentinel-0123456789' };

/** A user data construct in a fresh stack whose path is test/UserData. */
function build(props: Partial<CodeServerUserDataProps> = {}): CodeServerUserData {
  return new CodeServerUserData(newStack(), 'UserData', { ...BASE, ...props });
}

function occurrences(text: string, needle: string): number {
  return text.split(needle).length - 1;
}

describe('CodeServerUserData', () => {
  test('userData is cloudConfig escaped for Terraform', () => {
    const boot = build();
    expect(boot.userData).toBe(escapeTerraformTemplate(boot.cloudConfig));
    expect(boot.cloudConfig).toContain('${');
    expect(boot.userData).not.toMatch(/(^|[^$])\$\{/);
  });

  test('a tunnel token that is a Terraform reference stays a reference in userData', () => {
    const token = Lazy.stringValue({ produce: () => 'from-terraform' });
    expect(occurrences(build({ tunnelToken: token }).userData, token)).toBe(1);
  });

  test("a home volume is mounted at the user's home by its label", () => {
    const stack = newStack();
    const homeVolume = new HomeVolume(stack, 'HomeVolume', { volumeName: 'home', region: 'fra1', label: 'dev-home' });
    const boot = new CodeServerUserData(stack, 'UserData', { ...BASE, homeVolumeLabel: homeVolume.label });
    expect(parse(boot.cloudConfig).mounts).toEqual([['LABEL=dev-home', '/home/coder', 'ext4', 'defaults,nofail,discard', '0', '2']]);
  });
});

describe('CodeServerUserData developer account and boot steps', () => {
  const userOf = (data: CodeServerUserData) => (parse(data.cloudConfig) as { users: any[] }).users[0];

  test('gives the developer uid 1000 and passwordless sudo by default', () => {
    expect(userOf(build())).toMatchObject({ uid: 1000, groups: ['sudo'], sudo: 'ALL=(ALL) NOPASSWD:ALL' });
  });

  test('takes another uid, and no sudo when developerSudo is false', () => {
    // WHEN
    const user = userOf(build({ developerUid: 2000, developerSudo: false }));

    // THEN
    expect(user.uid).toBe(2000);
    expect(user).not.toHaveProperty('sudo');
    expect(user).not.toHaveProperty('groups');
  });

  test.each([999, 60000, 1.5])('rejects the uid %s, outside the range of regular users', (developerUid) => {
    expect(() => build({ developerUid })).toThrow(`test/UserData: invalid developerUid ${developerUid}: expected a whole number from 1000 to 59999`);
  });

  test('carries each boot step as a script in its phase\'s folder, numbered in order', () => {
    // WHEN
    const doc = parse(build({ bootSteps: [{ name: 'a', commands: ['true'] }, { name: 'b', phase: BootPhase.AFTER_READY, commands: ['true'] }] }).cloudConfig) as { write_files: any[] };

    // THEN
    expect(doc.write_files.map((f) => f.path).filter((p: string) => p.includes('/custom/'))).toEqual([
      '/usr/local/lib/ztcs/custom/before-editor/01-a.sh',
      '/usr/local/lib/ztcs/custom/after-ready/02-b.sh',
    ]);
  });
});

describe('versionAtLeast', () => {
  test('a version is at least itself', () => {
    expect(versionAtLeast('4.113.0', '4.113.0')).toBe(true);
  });

  test('a newer patch, minor or major version is at least the older one', () => {
    expect(versionAtLeast('4.113.1', '4.113.0')).toBe(true);
    expect(versionAtLeast('4.114.0', '4.113.9')).toBe(true);
    expect(versionAtLeast('5.0.0', '4.999.999')).toBe(true);
  });

  test('an older version is not at least a newer one', () => {
    expect(versionAtLeast('4.112.9', '4.113.0')).toBe(false);
    expect(versionAtLeast('3.200.0', '4.0.0')).toBe(false);
  });

  test('parts compare as numbers, not as text (4.9.0 is older than 4.10.0)', () => {
    expect(versionAtLeast('4.9.0', '4.10.0')).toBe(false);
    expect(versionAtLeast('4.10.0', '4.9.0')).toBe(true);
  });

  test('the default code-server release is at least the minimum', () => {
    expect(versionAtLeast(BOOT_DEFAULTS.codeServerVersion, MIN_CODE_SERVER_VERSION)).toBe(true);
  });
});

describe('validateBootOptions', () => {
  /** Expects the options to be rejected with a message that names the prop and the bad value. */
  function expectRejected(options: BootOptions, prop: string, value: unknown): void {
    expect(() => build(options)).toThrow(`test/UserData: invalid ${prop} ${JSON.stringify(value)}`);
  }

  test('the defaults and a full set of good options are accepted', () => {
    expect(() => build({})).not.toThrow();
    expect(() => build({
      userName: 'dev',
      codeServerVersion: MIN_CODE_SERVER_VERSION,
      codeServerSha256: 'a'.repeat(64),
      cloudflaredKeyUrl: 'https://keys.example.com/cloudflare.gpg',
      extensions: ['esbenp.prettier-vscode', 'ms-python.python@2024.2.1'],
      settings: { 'editor.tabSize': 2 },
      gitRepositories: ['https://github.com/example/a.git', 'https://gitlab.com/example/b'],
      dotfilesRepository: 'https://github.com/example/dotfiles',
      workspaceFolder: '/home/dev/src',
      swapSizeGib: 64,
      reconnectionGraceSeconds: 60,
    })).not.toThrow();
  });

  test.each<[string, BootOptions, string, unknown]>([
    ['a userName that is not a Linux user name is rejected', { userName: 'Dev User' }, 'userName', 'Dev User'],
    ['a reserved system userName is rejected', { userName: 'root' }, 'userName', 'root'],
    ['a codeServerVersion that is not X.Y.Z is rejected', { codeServerVersion: 'v4.139.1' }, 'codeServerVersion', 'v4.139.1'],
    ['a codeServerVersion older than the minimum is rejected', { codeServerVersion: '4.112.0' }, 'codeServerVersion', '4.112.0'],
    ['a codeServerSha256 that is not 64 lower-case hex characters is rejected', { codeServerSha256: 'ABC123' }, 'codeServerSha256', 'ABC123'],
    ['a cloudflaredKeyFingerprint that is a short key id is rejected', { cloudflaredKeyFingerprint: '8A682D308D4E5E73' }, 'cloudflaredKeyFingerprint', '8A682D308D4E5E73'],
    ['a cloudflaredKeyFingerprint with spaces is rejected', { cloudflaredKeyFingerprint: 'CC94 B39C 77AE 7342 A68B 8962 8A68 2D30 8D4E 5E73' }, 'cloudflaredKeyFingerprint', 'CC94 B39C 77AE 7342 A68B 8962 8A68 2D30 8D4E 5E73'],
    ['a cloudflaredKeyFingerprint with a character that is not hexadecimal is rejected', { cloudflaredKeyFingerprint: 'X'.repeat(40) }, 'cloudflaredKeyFingerprint', 'X'.repeat(40)],
    ['an extension id that is not publisher.name is rejected, naming its index', { extensions: ['esbenp.prettier-vscode', 'prettier'] }, 'extensions[1]', 'prettier'],
    ['an extension listed twice (ignoring case and version) is rejected', { extensions: ['esbenp.prettier-vscode', 'Esbenp.Prettier-VSCode@10.1.0'] }, 'extensions', 'esbenp.prettier-vscode'],
    ['settings that are not a JSON object are rejected', { settings: ['editor.tabSize'] as unknown as Record<string, unknown> }, 'settings', ['editor.tabSize']],
    ['a git repository that is not https is rejected, naming its index', { gitRepositories: ['git@github.com:example/app.git'] }, 'gitRepositories[0]', 'git@github.com:example/app.git'],
    ['a dotfilesRepository that is not https is rejected', { dotfilesRepository: 'ftp://example.com/dotfiles' }, 'dotfilesRepository', 'ftp://example.com/dotfiles'],
    ['a workspaceFolder with characters outside the allowed set is rejected', { workspaceFolder: '/home/coder/my work' }, 'workspaceFolder', '/home/coder/my work'],
    ['a workspaceFolder outside the home is rejected', { workspaceFolder: '/srv/work' }, 'workspaceFolder', '/srv/work'],
    ['a workspaceFolder that climbs out of the home with .. is rejected', { workspaceFolder: '/home/coder/../other' }, 'workspaceFolder', '/home/coder/../other'],
    ['a swapSizeGib above 64 is rejected', { swapSizeGib: 65 }, 'swapSizeGib', 65],
    ['a reconnectionGraceSeconds under 60 is rejected', { reconnectionGraceSeconds: 59 }, 'reconnectionGraceSeconds', 59],
    ['a reconnectionGraceSeconds over 30 days is rejected', { reconnectionGraceSeconds: 2_592_001 }, 'reconnectionGraceSeconds', 2_592_001],
  ])('%s', (_, options, prop, value) => {
    expectRejected(options, prop, value);
  });

  test.each([
    ['codeServerDebUrl', 'ftp://mirror.internal/code-server.deb'],
    ['cloudflaredAptRepository', 'file:///srv/cloudflared'],
    ['cloudflaredKeyUrl', 'pkg.cloudflare.com/key.gpg'],
  ])('an artifact source %s that is not an http(s) URL is rejected', (prop, value) => {
    expectRejected({ [prop]: value }, prop, value);
  });

  test('a codeServerDebUrl over plain http without codeServerSha256 is rejected, naming both props', () => {
    const url = 'http://mirror.internal/code-server/{version}/code-server_{version}_amd64.deb';
    expectRejected({ codeServerDebUrl: url }, 'codeServerDebUrl', url);
    expect(() => build({ codeServerDebUrl: url })).toThrow(/codeServerSha256/);
  });

  test('a codeServerDebUrl over plain http with codeServerSha256 is accepted, and https needs none', () => {
    expect(() => build({ codeServerDebUrl: 'http://mirror.internal/code-server_{version}_amd64.deb', codeServerSha256: 'a'.repeat(64) })).not.toThrow();
    expect(() => build({ codeServerDebUrl: 'https://mirror.internal/code-server_{version}_amd64.deb' })).not.toThrow();
  });

  test('a full fingerprint in lower or upper case is accepted, and boot.env carries it in upper case', () => {
    const lower = 'cc94b39c77ae7342a68b89628a682d308d4e5e73';
    expect(() => build({ cloudflaredKeyFingerprint: lower })).not.toThrow();
    expect(build({ cloudflaredKeyFingerprint: lower }).cloudConfig).toContain(`CLOUDFLARED_KEY_FINGERPRINT='${lower.toUpperCase()}'`);
  });

  test('two git repositories that would clone into the same folder are rejected', () => {
    expectRejected(
      { gitRepositories: ['https://github.com/one/app.git', 'https://gitlab.com/two/app/'] },
      'gitRepositories (folder names)',
      'app',
    );
  });

  test("a workspaceFolder in the default user's home is rejected for another userName", () => {
    expectRejected({ userName: 'dev', workspaceFolder: '/home/coder/work' }, 'workspaceFolder', '/home/coder/work');
  });

  test('a negative or fractional swapSizeGib is rejected', () => {
    expectRejected({ swapSizeGib: -1 }, 'swapSizeGib', -1);
    expectRejected({ swapSizeGib: 1.5 }, 'swapSizeGib', 1.5);
  });

  test('the error is a PropValidationError', () => {
    expect(() => build({ swapSizeGib: 65 })).toThrow(expect.objectContaining({ name: 'PropValidationError' }));
  });

  describe('unresolved cdktf tokens are accepted unchecked', () => {
    const str = () => Token.asString(Lazy.stringValue({ produce: () => 'resolved later' }));
    const num = () => Token.asNumber(Lazy.numberValue({ produce: () => -1 }));

    test.each<[string, () => BootOptions]>([
      ['userName', () => ({ userName: str() })],
      ['codeServerVersion', () => ({ codeServerVersion: str() })],
      ['codeServerSha256', () => ({ codeServerSha256: str() })],
      ['cloudflaredKeyUrl', () => ({ cloudflaredKeyUrl: str() })],
      ['codeServerDebUrl', () => ({ codeServerDebUrl: str() })],
      ['cloudflaredAptRepository', () => ({ cloudflaredAptRepository: str() })],
      ['extensions', () => ({ extensions: [str(), str()] })],
      ['gitRepositories', () => ({ gitRepositories: [str(), str()] })],
      ['dotfilesRepository', () => ({ dotfilesRepository: str() })],
      ['workspaceFolder', () => ({ workspaceFolder: str() })],
      ['swapSizeGib (Token.asNumber)', () => ({ swapSizeGib: num() })],
      ['reconnectionGraceSeconds (Token.asNumber)', () => ({ reconnectionGraceSeconds: num() })],
    ])('a token for %s is accepted', (_, options) => {
      expect(() => build(options())).not.toThrow();
    });
  });
});

describe('defaultSwapGib', () => {
  test.each<[number | undefined, number]>([
    [0.5, BOOT_DEFAULTS.swapSizeGib],
    [2, BOOT_DEFAULTS.swapSizeGib],
    [SWAP_BELOW_GIB, 0],
    [16, 0],
    [undefined, 0],
  ])('gives a droplet with %p GiB of memory a swap file of %p GiB', (memoryGib, swap) => {
    expect(defaultSwapGib(memoryGib)).toBe(swap);
  });

  test('is the swap of the document unless swapSizeGib is given', () => {
    expect(parse(build({ memoryGib: 2 }).cloudConfig).swap).toEqual({ filename: '/swapfile', size: '2G', maxsize: '2G' });
    expect(parse(build({ memoryGib: 2, swapSizeGib: 0 }).cloudConfig).swap).toBeUndefined();
    expect(parse(build({ memoryGib: 8 }).cloudConfig).swap).toBeUndefined();
  });
});

describe('validation of SSH through Access', () => {
  const CA = 'ecdsa-sha2-nistp256 AAAAE2VjZHNh open-ssh-ca@cloudflareaccess.org';

  test.each<[string, Partial<CodeServerUserDataProps>, string]>([
    ['a certificate authority without principals', { sshCertificateAuthority: CA }, 'test/UserData: invalid sshPrincipals []: SSH through Access needs at least one principal'],
    ['a principal with a space', { sshCertificateAuthority: CA, sshPrincipals: ['al ice'] }, 'test/UserData: invalid sshPrincipals[0] "al ice"'],
    ['a principal twice', { sshCertificateAuthority: CA, sshPrincipals: ['alice', 'alice'] }, 'test/UserData: invalid sshPrincipals "alice": is listed more than once'],
    ['principals without a certificate authority', { sshPrincipals: ['alice'] }, 'test/UserData: invalid sshPrincipals ["alice"]: are used only with SSH through Access'],
  ])('rejects %s', (_why, props, message) => {
    expect(() => build(props)).toThrow(message);
  });
});

