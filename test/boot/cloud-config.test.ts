import { spawnSync } from 'child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';
import { Lazy, TerraformOutput, TerraformStack, TerraformVariable, Testing, Token } from 'cdktf';
import { parse } from 'yaml';
import {
  DEFAULT_CODE_SERVER_VERSION,
  MIN_CODE_SERVER_VERSION,
  renderCloudConfig,
  shellQuote,
  versionAtLeast,
} from '../../lib/boot/cloud-config';
import {
  BootOptions,
  CodeServerUserData,
  CodeServerUserDataProps,
  resolveBootOptions,
  validateBootOptions,
} from '../../lib/boot/code-server-user-data';
import { escapeTerraformTemplate } from '../../lib/boot/terraform-string';

// Unit tests of the boot document: no external tool but bash (for the quoting round trip).

const TOKEN = 'eyJhIjoiZmFrZSJ9-sentinel-0123456789';
const BASE: CodeServerUserDataProps = { hostname: 'code.example.com', tunnelToken: TOKEN };

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

function render(props: Partial<CodeServerUserDataProps> = {}): string {
  return renderCloudConfig(resolveBootOptions({ ...BASE, ...props }));
}

function documentOf(props: Partial<CodeServerUserDataProps> = {}): Document {
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

const BOOT_SH = '/usr/local/lib/ztcs/boot.sh';
const CLOUDFLARED_UNIT = '/etc/systemd/system/cloudflared-tunnel.service';
const CODE_SERVER_UNIT = '/etc/systemd/system/code-server.service';
const TOKEN_FILE = '/etc/cloudflared/tunnel.env';
const BOOT_ENV = '/etc/ztcs/boot.env';

describe('the boot sequence', () => {
  const bootLines = fileOf(documentOf(), BOOT_SH).content.split('\n');
  const lineOf = (fragment: string): number => {
    const index = bootLines.findIndex((line) => line.includes(fragment) && !line.trimStart().startsWith('#'));
    if (index < 0) throw new Error(`boot.sh has no step ${fragment}`);
    return index;
  };
  const critical = ['prepare-home.sh', 'install-code-server.sh', 'install-cloudflared.sh', 'systemctl enable', 'wait-ready.sh'];

  test('runcmd runs boot.sh and nothing else', () => {
    expect(documentOf().runcmd).toEqual([[BOOT_SH]]);
  });

  test("cloud-init lists no SSH key fingerprints, which would create the developer's ~/.ssh", () => {
    expect(documentOf().no_ssh_fingerprints).toBe(true);
  });

  test('boot.sh stops at the first failure on the critical path', () => {
    expect(bootLines).toContain('set -euo pipefail');
  });

  test('the critical steps run in order: home, code-server, cloudflared, services, readiness', () => {
    const positions = critical.map(lineOf);
    expect([...positions].sort((a, b) => a - b)).toEqual(positions);
  });

  test('one systemctl enable --now starts both code-server.service and cloudflared-tunnel.service', () => {
    const enable = bootLines[lineOf('systemctl enable')];
    expect(enable).toMatch(/^systemctl enable --now /);
    expect(enable.split(/\s+/)).toEqual(expect.arrayContaining(['code-server.service', 'cloudflared-tunnel.service']));
  });

  test('personalize and enable-security-updates run only after every critical step', () => {
    const lastCritical = Math.max(...critical.map(lineOf));
    expect(lineOf('personalize.sh')).toBeGreaterThan(lastCritical);
    expect(lineOf('enable-security-updates.sh')).toBeGreaterThan(lastCritical);
  });

  test('a failing optional step only warns instead of failing the boot', () => {
    expect(bootLines[lineOf('personalize.sh')]).toMatch(/\|\| echo .*>&2$/);
    expect(bootLines[lineOf('enable-security-updates.sh')]).toMatch(/\|\| echo .*>&2$/);
  });
});

describe('the tunnel token', () => {
  const everything: Partial<CodeServerUserDataProps> = {
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

  test('the code-server unit runs the pinned configuration as the developer, opening the workspace', () => {
    const unit = fileOf(documentOf({ userName: 'dev' }), CODE_SERVER_UNIT).content;
    expect(unitLines(unit, 'User')).toEqual(['User=dev']);
    expect(unitLines(unit, 'ExecStart')).toEqual(['ExecStart=/usr/bin/code-server --config /etc/code-server/config.yaml /home/dev/workspace']);
  });
});

describe('the cloudflared unit', () => {
  const unit = () => fileOf(documentOf(), CLOUDFLARED_UNIT).content;

  test('systemd reads the token from the token file (EnvironmentFile=)', () => {
    expect(unitLines(unit(), 'EnvironmentFile')).toEqual([`EnvironmentFile=${TOKEN_FILE}`]);
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

  test('a home volume label makes bootcmd wait for the labelled device', () => {
    const bootcmd = documentOf({ homeVolumeLabel: 'ztcs-home' }).bootcmd;
    expect(bootcmd).toHaveLength(1);
    expect(bootcmd![0]).toContain('/dev/disk/by-label/ztcs-home');
  });

  test('a home volume label makes code-server require the mounted home', () => {
    const unit = fileOf(documentOf({ homeVolumeLabel: 'ztcs-home' }), CODE_SERVER_UNIT).content;
    expect(unitLines(unit, 'RequiresMountsFor')).toEqual(['RequiresMountsFor=/home/coder']);
  });

  test('without a home volume label there are no mounts, no bootcmd and no mount requirement', () => {
    const doc = documentOf();
    expect(doc).not.toHaveProperty('mounts');
    expect(doc).not.toHaveProperty('bootcmd');
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
    validateBootOptions({ dotfilesRepository: url });
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
  });

  test('a mirror replaces every {version} in codeServerDebUrl and serves cloudflared from its own repository', () => {
    const content = fileOf(documentOf({
      codeServerVersion: '4.120.0',
      codeServerDebUrl: 'http://mirror.internal/code-server/{version}/code-server_{version}_amd64.deb',
      cloudflaredAptRepository: 'http://mirror.internal/cloudflared',
      cloudflaredKeyUrl: 'http://mirror.internal/cloudflared.gpg',
    }), BOOT_ENV).content;
    expect(readBack(content, 'CODE_SERVER_DEB_URL')).toBe('http://mirror.internal/code-server/4.120.0/code-server_4.120.0_amd64.deb');
    expect(readBack(content, 'CLOUDFLARED_APT_REPOSITORY')).toBe('http://mirror.internal/cloudflared');
    expect(readBack(content, 'CLOUDFLARED_KEY_URL')).toBe('http://mirror.internal/cloudflared.gpg');
  });
});

describe('the document', () => {
  test('starts with the #cloud-config header line', () => {
    expect(render().split('\n')[0]).toBe('#cloud-config');
  });

  test('creates the developer with a fixed uid, passwordless sudo and a locked password', () => {
    expect(documentOf({ userName: 'dev' }).users).toEqual([
      expect.objectContaining({ name: 'dev', uid: 1000, groups: ['sudo'], sudo: 'ALL=(ALL) NOPASSWD:ALL', lock_passwd: true }),
    ]);
  });

  test('keeps a long token on one line (no folding)', () => {
    const long = 'eyJ' + 'a'.repeat(400);
    expect(render({ tunnelToken: long }).split('\n')).toContain(`  - path: ${TOKEN_FILE}`);
    expect(render({ tunnelToken: long })).toContain(`TUNNEL_TOKEN=${long}\n`);
  });
});

describe('escapeTerraformTemplate', () => {
  test('escapes ${ as $${ so Terraform reads shell expansions literally', () => {
    expect(escapeTerraformTemplate('echo "${HOME}" ${a[@]}')).toBe('echo "$${HOME}" $${a[@]}');
  });

  test('escapes %{ as %%{ so Terraform reads no template directive', () => {
    expect(escapeTerraformTemplate('printf "%{x}"')).toBe('printf "%%{x}"');
  });

  test('leaves text without ${ or %{ alone, $VAR and $(cmd) included', () => {
    expect(escapeTerraformTemplate('echo $HOME $(id) 100% {x}')).toBe('echo $HOME $(id) 100% {x}');
  });

  test('leaves a cdktf token marker ${TfToken[TOKEN.n]} alone', () => {
    expect(escapeTerraformTemplate('TUNNEL_TOKEN=${TfToken[TOKEN.42]}')).toBe('TUNNEL_TOKEN=${TfToken[TOKEN.42]}');
  });

  test('escapes the literal parts around a token marker', () => {
    expect(escapeTerraformTemplate('${A} ${TfToken[TOKEN.7]} %{B}')).toBe('$${A} ${TfToken[TOKEN.7]} %%{B}');
  });

  test('leaves a real unresolved cdktf string token alone', () => {
    const token = Lazy.stringValue({ produce: () => 'x' });
    expect(Token.isUnresolved(token)).toBe(true);
    expect(escapeTerraformTemplate(`a ${token} \${b}`)).toBe(`a ${token} $\${b}`);
  });
});

describe('CodeServerUserData', () => {
  const build = (props: Partial<CodeServerUserDataProps> = {}) =>
    new CodeServerUserData(new TerraformStack(Testing.app(), 'test'), 'boot', { ...BASE, ...props });

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

  test('a home volume label that ext4 cannot take is rejected, naming the prop and the value', () => {
    expect(() => build({ homeVolumeLabel: 'Home Volume' })).toThrow('invalid homeVolumeLabel "Home Volume"');
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
    expect(versionAtLeast(DEFAULT_CODE_SERVER_VERSION, MIN_CODE_SERVER_VERSION)).toBe(true);
  });
});

describe('validateBootOptions', () => {
  /** Expects the options to be rejected with a message that names the prop and the bad value. */
  function expectRejected(options: BootOptions, prop: string, value: unknown): void {
    expect(() => validateBootOptions(options)).toThrow(`CodeServerUserData: invalid ${prop} ${JSON.stringify(value)}`);
  }

  test('the defaults and a full set of good options are accepted', () => {
    expect(() => validateBootOptions({})).not.toThrow();
    expect(() => validateBootOptions({
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

  test('a userName that is not a Linux user name is rejected', () => {
    expectRejected({ userName: 'Dev User' }, 'userName', 'Dev User');
  });

  test('a reserved system userName is rejected', () => {
    expectRejected({ userName: 'root' }, 'userName', 'root');
  });

  test('a codeServerVersion that is not X.Y.Z is rejected', () => {
    expectRejected({ codeServerVersion: 'v4.141.1' }, 'codeServerVersion', 'v4.141.1');
  });

  test('a codeServerVersion older than the minimum is rejected', () => {
    expectRejected({ codeServerVersion: '4.112.0' }, 'codeServerVersion', '4.112.0');
  });

  test('a codeServerSha256 that is not 64 lower-case hex characters is rejected', () => {
    expectRejected({ codeServerSha256: 'ABC123' }, 'codeServerSha256', 'ABC123');
  });

  test.each([
    ['codeServerDebUrl', 'ftp://mirror.internal/code-server.deb'],
    ['cloudflaredAptRepository', 'file:///srv/cloudflared'],
    ['cloudflaredKeyUrl', 'pkg.cloudflare.com/key.gpg'],
  ])('an artifact source %s that is not an http(s) URL is rejected', (prop, value) => {
    expectRejected({ [prop]: value }, prop, value);
  });

  test('an extension id that is not publisher.name is rejected, naming its index', () => {
    expectRejected({ extensions: ['esbenp.prettier-vscode', 'prettier'] }, 'extensions[1]', 'prettier');
  });

  test('an extension listed twice (ignoring case and version) is rejected', () => {
    expectRejected({ extensions: ['esbenp.prettier-vscode', 'Esbenp.Prettier-VSCode@10.1.0'] }, 'extensions', 'esbenp.prettier-vscode');
  });

  test('settings that are not a JSON object are rejected', () => {
    expectRejected({ settings: ['editor.tabSize'] as unknown as Record<string, unknown> }, 'settings', ['editor.tabSize']);
  });

  test('a git repository that is not https is rejected, naming its index', () => {
    expectRejected({ gitRepositories: ['git@github.com:example/app.git'] }, 'gitRepositories[0]', 'git@github.com:example/app.git');
  });

  test('two git repositories that would clone into the same folder are rejected', () => {
    expectRejected(
      { gitRepositories: ['https://github.com/one/app.git', 'https://gitlab.com/two/app/'] },
      'gitRepositories (folder names)',
      'app',
    );
  });

  test('a dotfilesRepository that is not https is rejected', () => {
    expectRejected({ dotfilesRepository: 'ftp://example.com/dotfiles' }, 'dotfilesRepository', 'ftp://example.com/dotfiles');
  });

  test('a workspaceFolder with characters outside the allowed set is rejected', () => {
    expectRejected({ workspaceFolder: '/home/coder/my work' }, 'workspaceFolder', '/home/coder/my work');
  });

  test('a workspaceFolder outside the home is rejected', () => {
    expectRejected({ workspaceFolder: '/srv/work' }, 'workspaceFolder', '/srv/work');
  });

  test('a workspaceFolder that climbs out of the home with .. is rejected', () => {
    expectRejected({ workspaceFolder: '/home/coder/../other' }, 'workspaceFolder', '/home/coder/../other');
  });

  test("a workspaceFolder in the default user's home is rejected for another userName", () => {
    expectRejected({ userName: 'dev', workspaceFolder: '/home/coder/work' }, 'workspaceFolder', '/home/coder/work');
  });

  test('a swapSizeGib above 64 is rejected', () => {
    expectRejected({ swapSizeGib: 65 }, 'swapSizeGib', 65);
  });

  test('a negative or fractional swapSizeGib is rejected', () => {
    expectRejected({ swapSizeGib: -1 }, 'swapSizeGib', -1);
    expectRejected({ swapSizeGib: 1.5 }, 'swapSizeGib', 1.5);
  });

  test('a reconnectionGraceSeconds under 60 is rejected', () => {
    expectRejected({ reconnectionGraceSeconds: 59 }, 'reconnectionGraceSeconds', 59);
  });

  test('a reconnectionGraceSeconds over 30 days is rejected', () => {
    expectRejected({ reconnectionGraceSeconds: 2_592_001 }, 'reconnectionGraceSeconds', 2_592_001);
  });

  test('the error is a PropValidationError', () => {
    expect(() => validateBootOptions({ swapSizeGib: 65 })).toThrow(expect.objectContaining({ name: 'PropValidationError' }));
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
      expect(() => validateBootOptions(options())).not.toThrow();
    });
  });
});
