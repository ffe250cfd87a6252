import { spawnSync } from 'child_process';
import { chmodSync, cpSync, existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'fs';
import { tmpdir } from 'os';
import { dirname, join } from 'path';
import { parse, stringify } from 'yaml';
import { buildApp, readSettings } from '../../../examples/main';
import { ZeroTrustCodeServer } from '../../../lib';
import { BootPhase, BootUser } from '../../../lib/boot/boot-steps';
import { buildCloudConfig, renderCloudConfig } from '../../../lib/boot/cloud-config';
import { CodeServerUserDataProps, resolveBootOptions } from '../../../lib/boot/code-server-user-data';
import { IDLE_PATHS, IDLE_UNITS } from '../../../lib/private/boot/contract';
import { CACHE_DIR, describeTier } from '../../support/tools';

// The boot document checked by the real tools: cloud-init's schema, shellcheck and systemd.

const TOKEN = 'eyJhIjoiZmFrZSJ9';
const BASE: CodeServerUserDataProps = { hostname: 'code.example.com', tunnelToken: TOKEN };

/** The prop combinations whose documents every validator checks. */
const COMBINATIONS: Array<[string, CodeServerUserDataProps]> = [
  ['the defaults', BASE],
  ['every optional feature on', {
    ...BASE,
    extensions: ['esbenp.prettier-vscode', 'ms-python.python@2024.2.1'],
    settings: { 'editor.tabSize': 2, 'files.exclude': { '**/.git': true }, 'workbench.colorTheme': "Tomorrow Night's Blue" },
    gitRepositories: ['https://github.com/example/app.git', 'https://gitlab.com/example/docs'],
    dotfilesRepository: 'https://github.com/example/dotfiles',
    codeServerSha256: '0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef',
    codeServerDebUrl: 'http://mirror.internal/code-server/{version}/code-server_{version}_amd64.deb',
    cloudflaredAptRepository: 'http://mirror.internal:8080/cloudflared',
    cloudflaredKeyUrl: 'https://keys.example.com/cloudflare-main.gpg',
    workspaceFolder: '/home/coder/src/projects',
    swapSizeGib: 8,
    reconnectionGraceSeconds: 3600,
    homeVolumeLabel: 'ztcs-home',
  }],
  ['a small droplet (swap 2)', { ...BASE, memoryGib: 2 }],
  ['a custom user name', { ...BASE, userName: 'dev_user-1', workspaceFolder: '/home/dev_user-1/code' }],
  ['a custom code-server version', { ...BASE, codeServerVersion: '4.113.0' }],
  ['a home volume only', { ...BASE, homeVolumeLabel: 'home-1' }],
  ['an idle stop', {
    ...BASE,
    homeVolumeLabel: 'home-1',
    userName: 'dev-1',
    workspaceFolder: '/home/dev-1/workspace',
    idleStop: { idleMinutes: 30, warningMinutes: 5 },
  }],
  // boot.sh's generated list with the platform's steps in both phases, two after-ready ones grouped.
  ['platform boot steps', {
    ...BASE,
    bootSteps: [
      { name: 'certs', files: [{ path: '/usr/local/share/ca-certificates/company.crt', content: 'x\n' }], commands: ['update-ca-certificates'] },
      { name: 'tools', phase: BootPhase.AFTER_READY, packages: ['jq'] },
      { name: 'npmrc', phase: BootPhase.AFTER_READY, runAs: BootUser.DEVELOPER, commands: ['npm config set fund false'] },
    ],
  }],
];

/** The boot document of every running editor of every example stack, by stack and construct path. */
function exampleDocuments(): Array<[string, string]> {
  const app = buildApp(readSettings({}), mkdtempSync(join(tmpdir(), 'ztcs-examples-')));
  return app.node.findAll()
    .filter((c): c is ZeroTrustCodeServer => c instanceof ZeroTrustCodeServer && c.userData !== undefined)
    .map((editor) => [`the example ${editor.node.path}`, editor.userData!.cloudConfig]);
}

/** Every document the tools check: the prop combinations, then the examples'. */
const DOCUMENTS: Array<[string, string]> = [...COMBINATIONS.map(([name, props]): [string, string] => [name, render(props)]), ...exampleDocuments()];

/** A document whose uid is given as a string: valid, but deprecated since cloud-init 22.3. */
function uidAsString(): string {
  const doc = buildCloudConfig(resolveBootOptions(BASE));
  const users = (doc.users as Array<Record<string, unknown>>).map((u) => ({ ...u, uid: '1000' }));
  return '#cloud-config\n' + stringify({ ...doc, users });
}

interface WriteFile {
  path: string;
  content: string;
  permissions: string;
}

interface Document {
  bootcmd?: Array<string | string[]>;
  runcmd?: Array<string | string[]>;
  write_files: WriteFile[];
}

interface Finding {
  /** Where the problem is: a file's path on the droplet, or bootcmd[i]/runcmd[i]. */
  where: string;
  status: number | null;
  output: string;
}

/** The document as cloud-init reads it (cloudConfig, not the Terraform-escaped userData). */
function render(props: CodeServerUserDataProps): string {
  return renderCloudConfig(resolveBootOptions(props));
}

function run(command: string, args: string[], input?: string): { status: number | null; output: string } {
  const result = spawnSync(command, args, { input, encoding: 'utf8' });
  if (result.error) throw result.error;
  return { status: result.status, output: `${result.stdout}${result.stderr}`.trim() };
}

let work: string;
beforeAll(() => {
  work = mkdtempSync(join(tmpdir(), 'ztcs-validators-'));
});
afterAll(() => rmSync(work, { recursive: true, force: true }));

let counter = 0;
/** A fresh directory under the test's temporary directory. */
function freshDir(name: string): string {
  const dir = join(work, `${++counter}-${name}`);
  mkdirSync(dir, { recursive: true });
  return dir;
}

/** Writes a file as the droplet would get it, under a temporary root. */
function place(root: string, path: string, content: string, mode: number): string {
  const target = join(root, path);
  mkdirSync(dirname(target), { recursive: true });
  writeFileSync(target, content);
  chmodSync(target, mode);
  return target;
}

function slug(name: string): string {
  return name.replace(/[^a-z0-9]+/gi, '-');
}

describeTier({ tier: 'the cloud-init schema checks', commands: ['cloud-init'], install: 'Install it with: apt-get install cloud-init (or pip install cloud-init)' })('cloud-init schema', () => {
  function schema(document: string): { status: number | null; output: string } {
    const file = join(freshDir('schema'), 'user-data.yaml');
    writeFileSync(file, document);
    return run('cloud-init', ['schema', '--config-file', file]);
  }

  test.each(DOCUMENTS)('the document for %s is valid cloud-config, with no error and no deprecation', (_, document) => {
    const { status, output } = schema(document);
    // cloud-init 22.4 says "Valid cloud-config: <file>"; later releases say "Valid schema <file>".
    expect({ status, output }).toEqual({ status: 0, output: expect.stringMatching(/^Valid (cloud-config|schema)/) });
    expect(output).not.toMatch(/deprecat/i);
  });

  // cloud-init 22.4 lets unknown top-level keys through (later releases reject them), so the
  // broken document breaks a known key's schema instead.
  test('the validator can fail: a swap size that is no size is reported as an error', () => {
    const broken = buildCloudConfig(resolveBootOptions({ ...BASE, swapSizeGib: 2 }));
    const { status, output } = schema('#cloud-config\n' + stringify({ ...broken, swap: { filename: '/swapfile', size: 'lots' } }));
    expect(status).not.toBe(0);
    expect(output).toMatch(/swap\.size/);
    expect(output).not.toContain('Valid cloud-config');
  });

  test('the deprecation check can fail: a uid given as a string is reported as deprecated', () => {
    const { output } = schema(uidAsString());
    expect(output).toMatch(/deprecat/i);
    expect(output).toMatch(/users\.0\.uid/);
  });
});

/** Debian trixie's cloud-init (25.x), unpacked by scripts/fetch-cloud-init.sh: close to Ubuntu 24.04's, and stricter. */
const NEWER_CLOUD_INIT = process.env.ZTCS_NEWER_CLOUD_INIT
  ?? join(CACHE_DIR, 'cloud-init-trixie', 'bin', 'cloud-init');

describeTier({ tier: 'the cloud-init 25.x schema checks', commands: [NEWER_CLOUD_INIT], install: 'Get it with: scripts/fetch-cloud-init.sh (unpacks Debian trixie\'s cloud-init 25.x into a cache folder)' })('cloud-init 25.x schema (Debian trixie)', () => {
  function schema(document: string): { status: number | null; output: string } {
    const file = join(freshDir('schema-25'), 'user-data.yaml');
    writeFileSync(file, document);
    return run(NEWER_CLOUD_INIT, ['schema', '--config-file', file]);
  }

  test('the validator is cloud-init 25 or newer', () => {
    const { output } = run(NEWER_CLOUD_INIT, ['--version']);
    expect(Number(/cloud-init (\d+)\./.exec(output)?.[1])).toBeGreaterThanOrEqual(25);
  });

  test.each(DOCUMENTS)('the document for %s is valid for cloud-init 25, with no error and no deprecation', (_, document) => {
    const { status, output } = schema(document);
    expect({ status, output }).toEqual({ status: 0, output: expect.stringMatching(/^Valid schema/) });
    expect(output).not.toMatch(/deprecat/i);
  });

  test('the deprecation check can fail: a uid given as a string is reported as deprecated by cloud-init 25', () => {
    const { output } = schema(uidAsString());
    expect(output).toMatch(/deprecat/i);
    expect(output).toMatch(/users\.0\.uid/);
  });

  test('the validator can fail: an unknown top-level key is an error for cloud-init 25', () => {
    const doc = buildCloudConfig(resolveBootOptions(BASE));
    const { status, output } = schema('#cloud-config\n' + stringify({ ...doc, bogus_module: true }));
    expect(status).not.toBe(0);
    expect(output).toMatch(/bogus_module/);
  });
});

describeTier({ tier: 'the shellcheck checks', commands: ['shellcheck'], install: 'Install it with: apt-get install shellcheck' })('shellcheck', () => {
  /** Every shell script the document carries: scripts written by write_files, and bootcmd/runcmd strings (run by sh). */
  function scriptsOf(document: string): Array<{ where: string; content: string; shell?: 'sh' }> {
    const doc = parse(document) as Document;
    const commands = (key: 'bootcmd' | 'runcmd') => (doc[key] ?? [])
      .map((entry, i) => ({ where: `${key}[${i}]`, entry }))
      // A list entry is an argv run without a shell; only string entries are shell.
      .filter((c): c is { where: string; entry: string } => typeof c.entry === 'string')
      .map((c) => ({ where: c.where, content: c.entry, shell: 'sh' as const }));
    return [
      ...doc.write_files.filter((f) => f.content.startsWith('#!')).map((f) => ({ where: f.path, content: f.content })),
      ...commands('bootcmd'),
      ...commands('runcmd'),
    ];
  }

  function shellcheck(root: string, script: { where: string; content: string; shell?: 'sh' }): Finding {
    const result = script.shell
      ? run('shellcheck', ['-s', script.shell, '-S', 'style', '-'], script.content)
      : run('shellcheck', ['-S', 'style', place(root, script.where, script.content, 0o755)]);
    return { where: script.where, ...result };
  }

  test.each(DOCUMENTS)('every shell script in the document for %s passes shellcheck -S style', (name, document) => {
    const root = freshDir(`shellcheck-${slug(name)}`);
    const scripts = scriptsOf(document);
    expect(scripts.length).toBeGreaterThanOrEqual(7);
    // The failures, each with the script's path (or bootcmd/runcmd index) and shellcheck's report.
    expect(scripts.map((s) => shellcheck(root, s)).filter((f) => f.status !== 0 || f.output !== '')).toEqual([]);
  });

  test('the home volume document carries its bootcmd string to shellcheck', () => {
    const scripts = scriptsOf(render({ ...BASE, homeVolumeLabel: 'ztcs-home' }));
    expect(scripts.map((s) => s.where)).toEqual(expect.arrayContaining(['bootcmd[0]', 'bootcmd[1]']));
  });

  test('the validator can fail: a script with an unquoted variable is reported, with its path', () => {
    const finding = shellcheck(freshDir('shellcheck-broken'), { where: '/usr/local/lib/ztcs/broken.sh', content: '#!/bin/bash\nrm -rf $1/cache\n' });
    expect(finding.status).not.toBe(0);
    expect(finding.output).toContain('SC2086');
    expect(finding.output).toContain('/usr/local/lib/ztcs/broken.sh');
  });

  test('the validator can fail: a bootcmd string with an unquoted command substitution is reported', () => {
    const finding = shellcheck(work, { where: 'bootcmd[0]', content: 'mkdir $(cat /etc/hostname)', shell: 'sh' });
    expect(finding.status).not.toBe(0);
    expect(finding.output).toContain('SC2046');
  });
});

// sshd -t reads the drop-in that SSH through Access writes, as Ubuntu's sshd_config includes it,
// with a throwaway host key; it needs its privilege separation folder, as on the droplet.
describeTier({ tier: 'the sshd -t checks', commands: ['/usr/sbin/sshd'], install: 'Install it with: apt-get install openssh-server' })('sshd -t', () => {
  function sshdTest(dropIn: string): { status: number | null; output: string } {
    const dir = freshDir('sshd');
    writeFileSync(join(dir, '40-ztcs.conf'), dropIn);
    run('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-f', join(dir, 'host')]);
    writeFileSync(join(dir, 'sshd_config'), `Include ${dir}/40-ztcs.conf\nHostKey ${dir}/host\n`);
    mkdirSync('/run/sshd', { recursive: true });
    return run('/usr/sbin/sshd', ['-t', '-f', join(dir, 'sshd_config')]);
  }

  test.each<[string, CodeServerUserDataProps]>([
    ['of SSH through Access', { ...BASE, sshCertificateAuthority: 'ecdsa-sha2-nistp256 AAAA ca', sshPrincipals: ['alice'] }],
    ['without SSH through Access (loopback only)', BASE],
  ])('the sshd drop-in %s is valid for sshd', (_, props) => {
    const doc = parse(render(props)) as Document;
    const dropIn = doc.write_files.find((f) => f.path === '/etc/ssh/sshd_config.d/40-ztcs.conf')!.content;
    expect(sshdTest(dropIn)).toEqual({ status: 0, output: '' });
  });

  test('the validator can fail: a misspelt option is reported', () => {
    const { status, output } = sshdTest('ListenAdress 127.0.0.1\n');
    expect(status).not.toBe(0);
    expect(output).toContain('Bad configuration option: ListenAdress');
  });
});

// systemd-analyze verify checks that each ExecStart binary exists and is executable. The first
// boot installs code-server and cloudflared, so stub executables stand in for the real binaries
// under a temporary root that also holds the host's own units (for the targets ours name) and
// every file the document writes; `systemd-analyze verify --root` reads the units from there.
describeTier({ tier: 'the systemd-analyze checks', commands: ['systemd-analyze'], install: 'Install it with: apt-get install systemd' })('systemd-analyze verify', () => {
  /** The binaries that the first boot installs and the units run. */
  const STUBBED_BINARIES = ['/usr/bin/code-server', '/usr/bin/cloudflared'];
  const UNIT = /^\/etc\/systemd\/system\/[^/]+\.(service|socket|timer|path|mount|target)$/;
  const HOST_UNITS = ['/usr/lib/systemd/system', '/lib/systemd/system'].find((dir) => existsSync(join(dir, 'multi-user.target')));

  /** A temporary root with the host's units, the document's files and stub executables. */
  function rootFor(name: string, files: WriteFile[]): string {
    const root = freshDir(`systemd-${slug(name)}`);
    if (!HOST_UNITS) throw new Error('the host has no systemd units directory (with multi-user.target) to verify against');
    cpSync(HOST_UNITS, join(root, 'usr/lib/systemd/system'), { recursive: true, verbatimSymlinks: true });
    for (const file of files) place(root, file.path, file.content, parseInt(file.permissions, 8));
    for (const binary of STUBBED_BINARIES) place(root, binary, '#!/bin/sh\n# a stub standing in for the real binary\nexit 0\n', 0o755);
    return root;
  }

  function verify(root: string, units: string[]): { status: number | null; output: string } {
    return run('systemd-analyze', ['verify', '--man=no', '--recursive-errors=no', `--root=${root}`, ...units]);
  }

  /** Verifies the units, reporting the lines of systemd's output about them. */
  function verifyUnits(name: string, files: WriteFile[]): Finding[] {
    const units = files.filter((f) => UNIT.test(f.path)).map((f) => f.path);
    const { status, output } = verify(rootFor(name, files), units);
    const names = units.map((u) => u.split('/').pop()!);
    const lines = output.split('\n').filter((line) => names.some((n) => line.includes(n)));
    return status === 0 && lines.length === 0 ? [] : [{ where: units.join(' '), status, output }];
  }

  test.each(DOCUMENTS)('every systemd unit in the document for %s passes verify, stubs standing in for code-server and cloudflared', (name, document) => {
    const files = (parse(document) as Document).write_files;
    const idleStop = files.some((f) => f.path === IDLE_PATHS.env);
    expect(files.filter((f) => UNIT.test(f.path)).map((f) => f.path).sort()).toEqual([
      '/etc/systemd/system/cloudflared-tunnel.service',
      '/etc/systemd/system/code-server.service',
      '/etc/systemd/system/ztcs-boot.service',
      ...(idleStop ? Object.values(IDLE_UNITS).map((unit) => `/etc/systemd/system/${unit}`) : []),
    ].sort());
    expect(verifyUnits(name, files)).toEqual([]);
  });

  test('the validator can fail: a unit whose ExecStart binary has no stub is reported', () => {
    const files = [{ path: '/etc/systemd/system/broken.service', permissions: '0644', content: '[Service]\nExecStart=/usr/bin/not-installed\n' }];
    const [finding] = verifyUnits('broken-exec', files);
    expect(finding.status).not.toBe(0);
    expect(finding.output).toContain('/usr/bin/not-installed');
  });

  test('the validator can fail: a unit with an unknown key is reported (systemd only warns, the test does not let it pass)', () => {
    const files = [{ path: '/etc/systemd/system/broken.service', permissions: '0644', content: '[Service]\nExecStart=/usr/bin/cloudflared\nRestartt=always\n' }];
    const [finding] = verifyUnits('broken-key', files);
    expect(finding.output).toMatch(/Unknown key.*Restartt/);
  });
});
