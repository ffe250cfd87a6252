import { spawnSync } from 'child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';
import { TerraformOutput, TerraformStack, TerraformVariable, Testing } from 'cdktf';
import { parse, stringify } from 'yaml';
import { BootPhase, BootUser } from '../../../lib/boot/boot-steps';
import { buildCloudConfig, metadataRestriction, renderCloudConfig, renderUserData } from '../../../lib/boot/cloud-config';
import { BOOT_DEFAULTS, CodeServerUserData, CodeServerUserDataProps, resolveBootOptions } from '../../../lib/boot/code-server-user-data';
import { shellQuote } from '../../../lib/boot/fragments/fragment';
import { METADATA_SERVICE } from '../../../lib/private/boot/contract';
import { escapeTerraformTemplate } from '../../../lib/private/boot/terraform-string';
import { literalSecretIn } from '../../../lib/private/validation';

// Unit tests of the boot document: no external tool but bash (for the quoting round trip).

const TOKEN = 'eyJhIjoiZmFrZSJ9-sentinel-0123456789';
const BASE: CodeServerUserDataProps = { hostname: 'code.example.com', tunnelToken: TOKEN };
/** A tunnel token of a real one's form (base64 of a JSON object), which literalSecretIn recognises. */
const REAL_LOOKING_TUNNEL_TOKEN = `eyJhIjoi${'A'.repeat(40)}`;
/** Props as the pure renderer takes them: a home volume by its label. */
type RenderProps = Partial<CodeServerUserDataProps & { homeVolumeLabel: string }>;

interface WriteFile {
  path: string;
  content: string;
  permissions: string;
  owner: string;
}

interface Document {
  bootcmd?: string[];
  mounts?: string[][];
  swap?: { filename: string; size: string; maxsize: string };
  users: Array<Record<string, unknown>>;
  write_files: WriteFile[];
  runcmd: Array<string | string[]>;
  no_ssh_fingerprints?: boolean;
  final_message: string;
}

function render(props: RenderProps = {}): string {
  return renderCloudConfig(resolveBootOptions({ ...BASE, ...props }));
}

function documentOf(props: RenderProps = {}): Document {
  return parse(render(props)) as Document;
}

function fileOf(doc: Document, path: string): WriteFile {
  const file = doc.write_files.find((f) => f.path === path);
  if (!file) throw new Error(`the document writes no ${path}`);
  return file;
}

function hasFile(doc: Document, path: string): boolean {
  return doc.write_files.some((f) => f.path === path);
}

function occurrences(text: string, needle: string): number {
  return text.split(needle).length - 1;
}

/** The line of a unit file for a key, e.g. `ExecStart=...`. */
function unitLines(unit: string, key: string): string[] {
  return unit.split('\n').filter((line) => line.startsWith(`${key}=`));
}

const CODE_SERVER_UNIT = '/etc/systemd/system/code-server.service';
const TOKEN_FILE = '/etc/cloudflared/tunnel.env';
const BOOT_ENV = '/etc/ztcs/boot.env';

describe('the tunnel token', () => {
  const everything: RenderProps = {
    extensions: ['esbenp.prettier-vscode'],
    settings: { 'editor.tabSize': 2 },
    gitRepositories: ['https://github.com/example/app.git'],
    dotfilesRepository: 'https://github.com/example/dotfiles',
    swapSizeGib: 2,
    homeVolumeLabel: 'ztcs-home',
  };

  test('the token file is readable by root only: permissions 0600, owner root:root', () => {
    const file = fileOf(documentOf(), TOKEN_FILE);
    expect(file.permissions).toBe('0600');
    expect(file.owner).toBe('root:root');
  });

  test('the token file holds the token as TUNNEL_TOKEN=<token>', () => {
    expect(fileOf(documentOf(), TOKEN_FILE).content).toBe(`TUNNEL_TOKEN=${TOKEN}\n`);
  });

  test('the token appears exactly once in the whole document, every optional feature on', () => {
    expect(occurrences(render(everything), TOKEN)).toBe(1);
  });

  test('no file but the token file carries the token (not boot.env, not the units, not the scripts)', () => {
    const carriers = documentOf(everything).write_files.filter((f) => f.content.includes(TOKEN)).map((f) => f.path);
    expect(carriers).toEqual([TOKEN_FILE]);
  });

  test('neither final_message nor runcmd nor any ExecStart carries the token', () => {
    const doc = documentOf(everything);
    const execStarts = doc.write_files.flatMap((f) => unitLines(f.content, 'ExecStart'));
    expect(execStarts.length).toBeGreaterThan(0);
    expect([doc.final_message, JSON.stringify(doc.runcmd), ...execStarts].filter((s) => s.includes(TOKEN))).toEqual([]);
  });
});

describe('no script traces its commands', () => {
  // With tracing on, a shell prints each command with its expanded values to cloud-init's log.
  test('no script carried by the document turns tracing on (set -x, set -o xtrace, bash -x)', () => {
    const scripts = documentOf({ homeVolumeLabel: 'ztcs-home' }).write_files.filter((f) => f.content.startsWith('#!'));
    expect(scripts.length).toBeGreaterThan(5);
    const tracing = scripts.filter((f) => /^\s*set\s+-[a-z]*x|xtrace|\b(ba)?sh\s+-[a-z]*x|^#!.*\s-[a-z]*x/m.test(f.content)).map((f) => f.path);
    expect(tracing).toEqual([]);
  });
});

describe('the code-server configuration', () => {
  const config = () => parse(fileOf(documentOf(), '/etc/code-server/config.yaml').content) as Record<string, unknown>;

  test('code-server listens on loopback only, 127.0.0.1:8080', () => {
    expect(config()['bind-addr']).toBe('127.0.0.1:8080');
  });

  test('code-server asks for no password (Access guards the hostname)', () => {
    expect(config().auth).toBe('none');
  });

  test('telemetry and the update check are off', () => {
    expect(config()['disable-telemetry']).toBe(true);
    expect(config()['disable-update-check']).toBe(true);
  });

  test('the public hostname is the one trusted origin', () => {
    expect(config()['trusted-origins']).toEqual(['code.example.com']);
  });

  test('the reconnection grace time is one day by default and follows the prop', () => {
    expect(config()['reconnection-grace-time']).toBe(86_400);
    const custom = parse(fileOf(documentOf({ reconnectionGraceSeconds: 3600 }), '/etc/code-server/config.yaml').content);
    expect(custom['reconnection-grace-time']).toBe(3600);
  });

  test('the Getting Started page is VS Code\'s, without code-server\'s promotion', () => {
    expect(config()['disable-getting-started-override']).toBe(true);
  });

  test('the home opens trusted by default; workspaceTrust brings back Restricted Mode', () => {
    expect(config()['disable-workspace-trust']).toBe(true);
    const trusting = parse(fileOf(documentOf({ workspaceTrust: true }), '/etc/code-server/config.yaml').content);
    expect(trusting).not.toHaveProperty('disable-workspace-trust');
  });
});

describe('optional parts of the document', () => {
  test('a swap file of the given size is configured when swapSizeGib is above 0', () => {
    expect(documentOf({ swapSizeGib: 2 }).swap).toEqual({ filename: '/swapfile', size: '2G', maxsize: '2G' });
  });

  test('numbers given as Terraform references reach the document as references, resolved at apply', () => {
    // GIVEN a stack with two number variables
    const stack = new TerraformStack(Testing.app(), 'numbers');
    const grace = new TerraformVariable(stack, 'grace', { type: 'number' });
    const swap = new TerraformVariable(stack, 'swap', { type: 'number' });
    // WHEN they are the grace time and the swap size
    const userData = new CodeServerUserData(stack, 'UserData', { ...BASE, reconnectionGraceSeconds: grace.numberValue, swapSizeGib: swap.numberValue });
    new TerraformOutput(stack, 'document', { value: userData.userData });
    // THEN the synthesized document refers to the variables where the numbers go
    const document: string = JSON.parse(Testing.synth(stack)).output.document.value;
    expect(document).toContain('reconnection-grace-time: ${var.grace}');
    expect(document).toContain('size: ${var.swap}G');
  });

  test('no swap is configured by default (swapSizeGib 0)', () => {
    expect(documentOf()).not.toHaveProperty('swap');
    expect(documentOf({ swapSizeGib: 0 })).not.toHaveProperty('swap');
  });

  test('a home volume label mounts the volume by label on the home, without failing the boot if absent', () => {
    expect(documentOf({ homeVolumeLabel: 'ztcs-home' }).mounts).toEqual([
      ['LABEL=ztcs-home', '/home/coder', 'ext4', 'defaults,nofail,discard', '0', '2'],
    ]);
  });

  test('a home volume label makes bootcmd wait for the labelled device, after closing the metadata service', () => {
    const bootcmd = documentOf({ homeVolumeLabel: 'ztcs-home' }).bootcmd;
    expect(bootcmd).toEqual([metadataRestriction(), expect.stringContaining('/dev/disk/by-label/ztcs-home')]);
  });

  test('bootcmd closes the metadata service to every uid from the developer\'s range on, first, on every boot', () => {
    expect(documentOf().bootcmd).toEqual([metadataRestriction()]);
    expect(metadataRestriction()).toContain(`ip rule add priority ${METADATA_SERVICE.rulePriority} to 169.254.169.254/32 uidrange 1000-4294967294 prohibit`);
  });

  test('a home volume label makes code-server require the mounted home', () => {
    const unit = fileOf(documentOf({ homeVolumeLabel: 'ztcs-home' }), CODE_SERVER_UNIT).content;
    expect(unitLines(unit, 'RequiresMountsFor')).toEqual(['RequiresMountsFor=/home/coder']);
  });

  test('without a home volume label there are no mounts, no wait for a device and no mount requirement', () => {
    const doc = documentOf();
    expect(doc).not.toHaveProperty('mounts');
    expect(JSON.stringify(doc.bootcmd)).not.toContain('/dev/disk/by-label');
    expect(fileOf(doc, CODE_SERVER_UNIT).content).not.toContain('RequiresMountsFor');
  });

  test('settings.json is written, as the settings given, when settings are given', () => {
    const settings = { 'editor.fontSize': 14, 'files.exclude': { '**/.git': true } };
    expect(JSON.parse(fileOf(documentOf({ settings }), '/etc/ztcs/settings.json').content)).toEqual(settings);
  });

  test('settings.json is not written when no settings are given', () => {
    expect(hasFile(documentOf(), '/etc/ztcs/settings.json')).toBe(false);
  });
});

describe('boot.env', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'ztcs-boot-env-'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  /** Sources an environment file with bash and prints one variable, as the boot scripts read it. */
  function readBack(content: string, variable: string): string {
    const file = join(dir, 'boot.env');
    writeFileSync(file, content);
    const result = spawnSync('bash', ['-c', `. "$1"; printf %s "$${variable}"`, 'bash', file], { encoding: 'utf8' });
    expect(result.stderr).toBe('');
    expect(result.status).toBe(0);
    return result.stdout;
  }

  test('every boot.env value is single-quoted', () => {
    const lines = fileOf(documentOf(), BOOT_ENV).content.trimEnd().split('\n');
    expect(lines.filter((line) => !/^[A-Z0-9_]+='.*'$/.test(line))).toEqual([]);
  });

  test('shellQuote makes a value with quotes, $, backticks and spaces read back as is', () => {
    const value = 'it\'s "$HOME" `id` $(id) \\ ; & |';
    expect(readBack(`VALUE=${shellQuote(value)}\n`, 'VALUE')).toBe(value);
  });

  test('a dotfiles URL with a single quote reads back as is from the rendered boot.env', () => {
    const url = "https://example.com/o'brien/dotfiles.git";
    expect(readBack(fileOf(documentOf({ dotfilesRepository: url }), BOOT_ENV).content, 'DOTFILES_REPOSITORY')).toBe(url);
  });

  test('lists read back space-separated (extensions, repositories)', () => {
    const content = fileOf(documentOf({
      extensions: ['esbenp.prettier-vscode', 'ms-python.python@2024.2.1'],
      gitRepositories: ['https://github.com/example/a.git', 'https://github.com/example/b'],
    }), BOOT_ENV).content;
    expect(readBack(content, 'EXTENSIONS')).toBe('esbenp.prettier-vscode ms-python.python@2024.2.1');
    expect(readBack(content, 'GIT_REPOSITORIES')).toBe('https://github.com/example/a.git https://github.com/example/b');
  });

  test('boot.env tells the scripts the user, home, workspace, version and readiness marker', () => {
    const content = fileOf(documentOf({ userName: 'dev', codeServerVersion: '4.120.0' }), BOOT_ENV).content;
    expect(readBack(content, 'CODE_USER')).toBe('dev');
    expect(readBack(content, 'CODE_HOME')).toBe('/home/dev');
    expect(readBack(content, 'WORKSPACE')).toBe('/home/dev/workspace');
    expect(readBack(content, 'CODE_SERVER_VERSION')).toBe('4.120.0');
    expect(readBack(content, 'READY_MARKER')).toBe('/var/lib/ztcs/ready');
  });

  test("the artifact sources default to code-server's GitHub release and Cloudflare's apt repository", () => {
    const content = fileOf(documentOf({ codeServerVersion: '4.120.0' }), BOOT_ENV).content;
    expect(readBack(content, 'CODE_SERVER_DEB_URL')).toBe('https://github.com/coder/code-server/releases/download/v4.120.0/code-server_4.120.0_amd64.deb');
    expect(readBack(content, 'CLOUDFLARED_APT_REPOSITORY')).toBe('https://pkg.cloudflare.com/cloudflared');
    expect(readBack(content, 'CLOUDFLARED_KEY_URL')).toBe('https://pkg.cloudflare.com/cloudflare-public-v2.gpg');
    expect(readBack(content, 'CLOUDFLARED_KEY_FINGERPRINT')).toBe(BOOT_DEFAULTS.cloudflaredKeyFingerprint);
  });

  test('a mirror replaces every {version} in codeServerDebUrl and serves cloudflared from its own repository', () => {
    const content = fileOf(documentOf({
      codeServerVersion: '4.120.0',
      codeServerDebUrl: 'http://mirror.internal/code-server/{version}/code-server_{version}_amd64.deb',
      cloudflaredAptRepository: 'http://mirror.internal/cloudflared',
      cloudflaredKeyUrl: 'http://mirror.internal/cloudflared.gpg',
      cloudflaredKeyFingerprint: '0123456789ABCDEF0123456789ABCDEF01234567',
    }), BOOT_ENV).content;
    expect(readBack(content, 'CODE_SERVER_DEB_URL')).toBe('http://mirror.internal/code-server/4.120.0/code-server_4.120.0_amd64.deb');
    expect(readBack(content, 'CLOUDFLARED_APT_REPOSITORY')).toBe('http://mirror.internal/cloudflared');
    expect(readBack(content, 'CLOUDFLARED_KEY_URL')).toBe('http://mirror.internal/cloudflared.gpg');
    expect(readBack(content, 'CLOUDFLARED_KEY_FINGERPRINT')).toBe('0123456789ABCDEF0123456789ABCDEF01234567');
  });
});

describe('the document', () => {
  test.each<[string, RenderProps]>([
    ['the defaults', {}],
    ['every option', {
      userName: 'dev',
      settings: { a: "it's" },
      extensions: ['esbenp.prettier-vscode'],
      gitRepositories: ['https://github.com/example/app.git'],
      dotfilesRepository: 'https://github.com/example/dotfiles',
      swapSizeGib: 2,
      homeVolumeLabel: 'ztcs-home',
      codeServerSha256: 'a'.repeat(64),
    }],
    ['a token with YAML-special characters', { tunnelToken: 'a: "b" #c' }],
    ['cdktf token markers for the token and the authority', {
      tunnelToken: '${TfToken[TOKEN.7]}', sshCertificateAuthority: '${TfToken[TOKEN.8]}', sshPrincipals: ['alice'],
    }],
    ['a hostname YAML would quote', { hostname: '1.5' }],
    ['a literal token Terraform would read as an interpolation', { tunnelToken: 'abc${x}' }],
  ])('rendered with its shared parts rendered once, is the whole object rendered as YAML, and escaped for Terraform (%s)', (_, props) => {
    // Twice, with another hostname the second time: the second comes from the first's rendering.
    for (const hostname of [props.hostname ?? 'code.example.com', 'other.example.org']) {
      const options = resolveBootOptions({ ...BASE, ...props, hostname });
      const whole = '#cloud-config\n' + stringify(buildCloudConfig(options), { lineWidth: 0 });
      expect(renderCloudConfig(options)).toBe(whole);
      expect(renderUserData(options)).toBe(escapeTerraformTemplate(whole));
    }
  });

  test('starts with the #cloud-config header line', () => {
    expect(render().split('\n')[0]).toBe('#cloud-config');
  });

  test('creates the developer with a fixed uid, passwordless sudo and a locked password', () => {
    expect(documentOf({ userName: 'dev' }).users).toEqual([
      expect.objectContaining({ name: 'dev', uid: 1000, groups: ['sudo'], sudo: 'ALL=(ALL) NOPASSWD:ALL', lock_passwd: true }),
    ]);
  });

  test("lists no SSH key fingerprints, which would create the developer's ~/.ssh", () => {
    expect(documentOf().no_ssh_fingerprints).toBe(true);
  });

  test('keeps a long token on one line (no folding)', () => {
    const long = 'eyJ' + 'a'.repeat(400);
    expect(render({ tunnelToken: long }).split('\n')).toContain(`  - path: ${TOKEN_FILE}`);
    expect(render({ tunnelToken: long })).toContain(`TUNNEL_TOKEN=${long}\n`);
  });
});

describe('SSH through Access in the document', () => {
  const SSH: RenderProps = { sshCertificateAuthority: 'ecdsa-sha2-nistp256 AAAAE2VjZHNh open-ssh-ca@cloudflareaccess.org', sshPrincipals: ['alice', 'ops'] };

  test('sshd listens on loopback only, trusts the certificate authority, takes no password and no root', () => {
    const config = fileOf(documentOf(SSH), '/etc/ssh/sshd_config.d/40-ztcs.conf').content.split('\n');
    expect(config).toEqual(expect.arrayContaining([
      'ListenAddress 127.0.0.1',
      'PasswordAuthentication no',
      'KbdInteractiveAuthentication no',
      'PermitRootLogin no',
      'TrustedUserCAKeys /etc/ssh/ztcs-ca.pub',
      'AuthorizedPrincipalsFile /etc/ssh/ztcs-principals/%u',
    ]));
    expect(config.filter((line) => line.startsWith('ListenAddress'))).toEqual(['ListenAddress 127.0.0.1']);
  });

  test("writes the certificate authority's key and the user's principals", () => {
    const doc = documentOf({ ...SSH, userName: 'dev' });
    expect(fileOf(doc, '/etc/ssh/ztcs-ca.pub').content).toBe(`${SSH.sshCertificateAuthority}\n`);
    expect(fileOf(doc, '/etc/ssh/ztcs-principals/dev').content).toBe('alice\nops\n');
  });

  test('without SSH through Access, sshd still listens on loopback only and takes no password, and trusts no certificate', () => {
    const config = fileOf(documentOf(), '/etc/ssh/sshd_config.d/40-ztcs.conf').content.split('\n').filter((line) => line && !line.startsWith('#'));
    expect(config).toEqual(['ListenAddress 127.0.0.1', 'PasswordAuthentication no', 'KbdInteractiveAuthentication no']);
    expect(hasFile(documentOf(), '/etc/ssh/ztcs-ca.pub')).toBe(false);
    expect(documentOf().write_files.some((f) => f.path.startsWith('/etc/ssh/ztcs-principals/'))).toBe(false);
  });
});

describe('the boot unit in the document', () => {
  test('runcmd only enables and starts the boot unit, without waiting for it', () => {
    expect(documentOf().runcmd).toEqual([['systemctl', 'daemon-reload'], ['systemctl', 'enable', '--now', '--no-block', 'ztcs-boot.service']]);
  });

  test('the unit runs boot.sh once per start, restarts it after a failure with no start limit, and starts on every boot', () => {
    const unit = fileOf(documentOf(), '/etc/systemd/system/ztcs-boot.service').content.split('\n');
    expect(unit).toEqual(expect.arrayContaining([
      'Type=oneshot',
      'RemainAfterExit=yes',
      'ExecStart=/usr/local/lib/ztcs/boot.sh',
      'Restart=on-failure',
      'RestartSec=30',
      'StartLimitIntervalSec=0',
      'After=network-online.target',
      'Wants=network-online.target',
      'WantedBy=multi-user.target',
    ]));
  });

  test('the unit is not ordered after cloud-init, which starts it (no ordering deadlock with cloud-final)', () => {
    const unit = fileOf(documentOf(), '/etc/systemd/system/ztcs-boot.service').content;
    expect(unit).not.toMatch(/^(After|Requires|BindsTo)=.*cloud-/m);
  });
});


describe('the whole document, every feature on', () => {
  /** DigitalOcean refuses a droplet whose user data is larger. */
  const USER_DATA_LIMIT_BYTES = 64 * 1024;
  const EVERYTHING: RenderProps = {
    userName: 'dev-1',
    workspaceFolder: '/home/dev-1/src/projects',
    extensions: ['esbenp.prettier-vscode', 'ms-python.python@2024.2.1'],
    settings: { 'editor.tabSize': 2, 'files.exclude': { '**/.git': true }, 'workbench.colorTheme': "Tomorrow Night's Blue" },
    gitRepositories: ['https://github.com/example/app.git', 'https://gitlab.com/example/docs'],
    dotfilesRepository: 'https://github.com/example/dotfiles',
    codeServerSha256: 'a'.repeat(64),
    codeServerDebUrl: 'http://mirror.internal/code-server/{version}/code-server_{version}_amd64.deb',
    swapSizeGib: 8,
    reconnectionGraceSeconds: 3600,
    homeVolumeLabel: 'ztcs-home',
    sshCertificateAuthority: 'ecdsa-sha2-nistp256 AAAAE2VjZHNhLXNoYTItbmlzdHAyNTYAAAAIbmlzdHAyNTYAAABBBFake= open-ssh-ca@cloudflareaccess.org',
    sshPrincipals: ['alice', 'ops'],
    idleStop: { idleMinutes: 30, warningMinutes: 5 },
    bootSteps: [
      { name: 'tools', packages: ['postgresql-client', 'jq'], files: [{ path: '/etc/profile.d/company.sh', content: 'export COMPANY=acme\n' }], commands: ['psql --version'] },
      { name: 'dev-tools', runAs: BootUser.DEVELOPER, phase: BootPhase.AFTER_READY, commands: ['echo "$HOME" > ~/.ran'] },
    ],
  };

  test.each<[string, RenderProps]>([['the defaults', {}], ['every feature on', EVERYTHING]])('the user data of %s stays under DigitalOcean\'s 64 KiB', (_, props) => {
    const userData = renderUserData(resolveBootOptions({ ...BASE, ...props }));
    expect(Buffer.byteLength(userData, 'utf8')).toBeLessThan(USER_DATA_LIMIT_BYTES);
  });

  test.each<[string, RenderProps]>([['an idle stop', { homeVolumeLabel: 'home', idleStop: { idleMinutes: 30 } }], ['every feature on', EVERYTHING]])(
    'the user data with %s holds no credential but the tunnel token, and no Authorization header', (_, props) => {
      const userData = renderUserData(resolveBootOptions({ ...BASE, ...props, tunnelToken: REAL_LOOKING_TUNNEL_TOKEN }));
      expect(literalSecretIn(userData)).toBe('a Cloudflare Tunnel token');
      const rest = userData.split(REAL_LOOKING_TUNNEL_TOKEN).join('');
      expect(literalSecretIn(rest)).toBeUndefined();
      expect(rest).not.toMatch(/Authorization|Bearer|digitalocean-api|api\.digitalocean\.com/i);
    });

  test('no two fragments write the same file', () => {
    const paths = documentOf(EVERYTHING).write_files.map((f) => f.path);
    expect(paths.filter((path, i) => paths.indexOf(path) !== i)).toEqual([]);
  });

  test('runcmd reloads systemd, then starts the boot, then the idle stop\'s timer', () => {
    expect(documentOf(EVERYTHING).runcmd).toEqual([
      ['systemctl', 'daemon-reload'],
      ['systemctl', 'enable', '--now', '--no-block', 'ztcs-boot.service'],
      ['systemctl', 'enable', '--now', '--no-block', 'ztcs-idle-watch.timer'],
    ]);
  });

  test('the platform\'s steps are written where boot.sh\'s list runs them, and the list runs no other', () => {
    const doc = documentOf(EVERYTHING);
    const entry = fileOf(doc, '/usr/local/lib/ztcs/boot.sh').content;
    const listed = [...entry.matchAll(/"\$steps\/(custom\/[a-z-]+\/[0-9a-z-]+\.sh)"/g)].map((m) => `/usr/local/lib/ztcs/${m[1]}`);
    expect(listed).toEqual(['/usr/local/lib/ztcs/custom/before-editor/01-tools.sh', '/usr/local/lib/ztcs/custom/after-ready/02-dev-tools.sh']);
    expect(doc.write_files.filter((f) => f.path.includes('/custom/')).map((f) => f.path)).toEqual(listed);
  });
});
