import { spawnSync } from 'child_process';
import { chmodSync, existsSync, lstatSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'fs';
import { tmpdir, userInfo } from 'os';
import { join } from 'path';
import { parse } from 'yaml';
import { BootPhase, BootUser } from '../../../lib/boot/boot-steps';
import { renderCloudConfig } from '../../../lib/boot/cloud-config';
import { BOOT_DEFAULTS, resolveBootOptions } from '../../../lib/boot/code-server-user-data';
import { describeTier } from '../../support/tools';

// The first boot's scripts, run for real (twice) against a home in a temporary folder: what a
// reboot, a second cloud-init run or a replacement droplet on the same home volume does. The
// scripts switch to the developer's user with runuser, which needs root; the developer here is
// the user running the tests.

interface WriteFile {
  path: string;
  content: string;
}

const describeAsRoot = describeTier({
  tier: 'the boot script runs',
  commands: ['runuser'],
  root: 'runuser switches to the developer',
  install: 'Install util-linux (apt-get install util-linux) and run the tests as root to include them.',
});

/** The files the document carries, by path. */
function carriedFiles(props: Parameters<typeof resolveBootOptions>[0]): Map<string, string> {
  const doc = parse(renderCloudConfig(resolveBootOptions(props))) as { write_files: WriteFile[] };
  return new Map(doc.write_files.map((f) => [f.path, f.content]));
}

/** Every entry below a folder with its type, mode, owner and content: equal trees, equal strings. */
function describeTree(root: string): string {
  const lines: string[] = [];
  const walk = (dir: string) => {
    for (const name of readdirSync(dir).sort()) {
      const path = join(dir, name);
      const stat = lstatSync(path);
      const content = stat.isFile() ? readFileSync(path, 'utf8') : '';
      lines.push(`${path.slice(root.length)} ${stat.mode.toString(8)} ${stat.uid}:${stat.gid} ${stat.mtimeMs} ${content}`);
      if (stat.isDirectory() && name !== '.git') walk(path);
    }
  };
  walk(root);
  return lines.join('\n');
}

function git(cwd: string, ...args: string[]): void {
  const run = spawnSync('git', ['-c', 'user.name=test', '-c', 'user.email=test@example.com', '-c', 'init.defaultBranch=main', ...args], { cwd, encoding: 'utf8' });
  if (run.status !== 0) throw new Error(`git ${args.join(' ')}: ${run.stderr}`);
}

/** A local repository with one commit of the given files, as a file:// URL. */
function repository(parent: string, name: string, files: Record<string, { content: string; mode?: number }>): string {
  const dir = join(parent, name);
  mkdirSync(dir);
  git(dir, 'init', '-q');
  for (const [file, { content, mode }] of Object.entries(files)) {
    writeFileSync(join(dir, file), content);
    if (mode) chmodSync(join(dir, file), mode);
  }
  git(dir, 'add', '.');
  git(dir, 'commit', '-q', '-m', 'init');
  return `file://${dir}`;
}

describeAsRoot('the first boot scripts, run twice', () => {
  let work: string;
  let etc: string;
  let scripts: string;
  let home: string;
  const user = userInfo().username;

  /** Runs one carried script against the temporary home; fails the test on a non-zero exit. */
  function run(script: string): void {
    const result = spawnSync('bash', [join(scripts, script)], { encoding: 'utf8', env: { ...process.env, ZTCS_ETC: etc } });
    if (result.status !== 0) throw new Error(`${script} exited ${result.status}: ${result.stdout}${result.stderr}`);
  }

  beforeEach(() => {
    work = mkdtempSync(join(tmpdir(), 'ztcs-scripts-'));
    etc = join(work, 'etc');
    scripts = join(work, 'scripts');
    home = join(work, 'home');
    mkdirSync(etc);
    mkdirSync(scripts);
    mkdirSync(home);
    // git refuses repositories owned by another user; the developer here may not own the clones' sources.
    process.env.GIT_CONFIG_COUNT = '1';
    process.env.GIT_CONFIG_KEY_0 = 'safe.directory';
    process.env.GIT_CONFIG_VALUE_0 = '*';
  });

  afterEach(() => {
    rmSync(work, { recursive: true, force: true });
    delete process.env.GIT_CONFIG_COUNT;
    delete process.env.GIT_CONFIG_KEY_0;
    delete process.env.GIT_CONFIG_VALUE_0;
  });

  /** Lays out the carried scripts and settings, and a boot.env whose home is the temporary one. */
  function install(files: Map<string, string>, overrides: Record<string, string>): void {
    for (const [path, content] of files) {
      if (path.startsWith('/usr/local/lib/ztcs/')) {
        const target = join(scripts, path.split('/').pop()!);
        writeFileSync(target, content);
        chmodSync(target, 0o755);
      }
    }
    if (files.has('/etc/ztcs/settings.json')) writeFileSync(join(etc, 'settings.json'), files.get('/etc/ztcs/settings.json')!);
    const env = files.get('/etc/ztcs/boot.env')!
      .split('\n')
      .map((line) => {
        const key = line.split('=')[0];
        return key in overrides ? `${key}='${overrides[key]}'` : line;
      })
      .join('\n');
    writeFileSync(join(etc, 'boot.env'), env);
  }

  test('a boot step of the platform writes its files and runs its commands, as root and as the developer', () => {
    // GIVEN
    const marker = join(work, 'step-ran-as');
    install(carriedFiles({
      hostname: 'code.example.com',
      tunnelToken: 't',
      bootSteps: [
        { name: 'company', files: [{ path: join(work, 'profile.d', 'company.sh'), content: 'export COMPANY=acme\n# ZTCS_FILE\n', permissions: '0600' }], commands: [`id -un > '${marker}-root'`] },
        { name: 'dev-tools', runAs: BootUser.DEVELOPER, phase: BootPhase.AFTER_READY, commands: [`echo "$HOME" > '${marker}-developer'`, 'echo ZTCS_COMMANDS'] },
      ],
    }), { CODE_USER: user, CODE_HOME: home, WORKSPACE: join(home, 'workspace') });

    // WHEN
    for (const script of ['01-company.sh', '02-dev-tools.sh']) {
      const result = spawnSync('bash', [join(scripts, script)], { encoding: 'utf8', env: { ...process.env, ZTCS_ETC: etc, ZTCS_SCRIPTS: scripts } });
      expect([script, result.status, result.stderr]).toEqual([script, 0, '']);
    }

    // THEN
    expect(readFileSync(join(work, 'profile.d', 'company.sh'), 'utf8')).toBe('export COMPANY=acme\n# ZTCS_FILE\n');
    expect((lstatSync(join(work, 'profile.d', 'company.sh')).mode % 0o1000).toString(8)).toBe('600');
    expect(readFileSync(`${marker}-root`, 'utf8')).toBe('root\n');
    expect(readFileSync(`${marker}-developer`, 'utf8')).toBe(`${home}\n`);
  });

  test('a boot step whose command fails fails the step, so the boot stops before code-server starts', () => {
    // GIVEN
    install(carriedFiles({ hostname: 'code.example.com', tunnelToken: 't', bootSteps: [{ name: 'broken', commands: ['false', 'echo never'] }] }), {
      CODE_USER: user, CODE_HOME: home, WORKSPACE: join(home, 'workspace'),
    });

    // WHEN
    const result = spawnSync('bash', [join(scripts, '01-broken.sh')], { encoding: 'utf8', env: { ...process.env, ZTCS_ETC: etc, ZTCS_SCRIPTS: scripts } });

    // THEN
    expect(result.status).not.toBe(0);
    expect(result.stdout).not.toContain('never');
  });

  test('prepare-home gives a new home the skeleton files, the workspace and its marker', () => {
    install(carriedFiles({ hostname: 'code.example.com', tunnelToken: 't' }), { CODE_USER: user, CODE_HOME: home, WORKSPACE: join(home, 'workspace') });
    run('prepare-home.sh');
    const entries = readdirSync(home);
    expect(entries).toEqual(expect.arrayContaining(['.bashrc', '.ztcs-home', 'workspace']));
  });

  test('a second prepare-home run changes nothing: same files, modes, owners, times and contents', () => {
    install(carriedFiles({ hostname: 'code.example.com', tunnelToken: 't' }), { CODE_USER: user, CODE_HOME: home, WORKSPACE: join(home, 'workspace') });
    run('prepare-home.sh');
    const before = describeTree(home);
    run('prepare-home.sh');
    expect(describeTree(home)).toEqual(before);
  });

  test("prepare-home leaves a used home's files alone (a replacement droplet on the same volume)", () => {
    install(carriedFiles({ hostname: 'code.example.com', tunnelToken: 't' }), { CODE_USER: user, CODE_HOME: home, WORKSPACE: join(home, 'workspace') });
    run('prepare-home.sh');
    writeFileSync(join(home, '.bashrc'), '# edited by the developer\n');
    writeFileSync(join(home, 'workspace', 'notes.txt'), 'uncommitted work\n');
    run('prepare-home.sh');
    expect(readFileSync(join(home, '.bashrc'), 'utf8')).toBe('# edited by the developer\n');
    expect(readFileSync(join(home, 'workspace', 'notes.txt'), 'utf8')).toBe('uncommitted work\n');
  });

  describe('prepare-home follows no link the developer planted in their home', () => {
    // A developer other than root, without sudo: the system account `daemon` stands in for them.
    const developer = 'daemon';
    let victimDir: string;
    let victimFile: string;

    beforeEach(() => {
      chmodSync(work, 0o755);
      victimDir = join(work, 'etc-like');
      mkdirSync(victimDir, { mode: 0o700 });
      victimFile = join(work, 'shadow-like');
      writeFileSync(victimFile, "root's secret\n", { mode: 0o600 });
      install(carriedFiles({ hostname: 'code.example.com', tunnelToken: 't' }), { CODE_USER: developer, CODE_HOME: home, WORKSPACE: join(home, 'workspace') });
      run('prepare-home.sh');
    });

    /** Owner uid, gid and mode of a path, not following a link. */
    const ownership = (path: string) => {
      const stat = lstatSync(path);
      return `${stat.uid}:${stat.gid} ${(stat.mode % 0o10000).toString(8)}`;
    };

    test('a workspace linked to a root folder: the folder stays root\'s, with its mode', () => {
      // GIVEN: the developer replaced their workspace by a link to a folder of root's
      rmSync(join(home, 'workspace'), { recursive: true });
      symlinkSync(victimDir, join(home, 'workspace'));

      // WHEN: the next boot
      run('prepare-home.sh');

      // THEN
      expect(ownership(victimDir)).toBe('0:0 700');
    });

    test('a new home whose skeleton file is a link to a root file (marker and .bashrc removed): the file is not written', () => {
      // GIVEN
      rmSync(join(home, '.ztcs-home'));
      rmSync(join(home, '.bashrc'));
      rmSync(join(home, '.profile'), { force: true });
      symlinkSync(victimFile, join(home, '.profile'));

      // WHEN: the next boot, which takes the home for a new one; copying onto the link as the
      // developer fails, and so does the boot step
      spawnSync('bash', [join(scripts, 'prepare-home.sh')], { encoding: 'utf8', env: { ...process.env, ZTCS_ETC: etc } });

      // THEN
      expect(readFileSync(victimFile, 'utf8')).toBe("root's secret\n");
      expect(ownership(victimFile)).toBe('0:0 600');
    });
  });

  test('prepare-home stops the boot when the home volume is not mounted, writing nothing to the home', () => {
    install(carriedFiles({ hostname: 'code.example.com', tunnelToken: 't', homeVolumeLabel: 'no-such-label' }), {
      CODE_USER: user, CODE_HOME: home, WORKSPACE: join(home, 'workspace'),
    });
    // The two-minute wait for the device is cut short: a seq that counts nothing ends the loop at once.
    const bin = join(work, 'bin');
    mkdirSync(bin);
    writeFileSync(join(bin, 'seq'), '#!/bin/sh\n');
    chmodSync(join(bin, 'seq'), 0o755);
    const result = spawnSync('bash', [join(scripts, 'prepare-home.sh')], {
      encoding: 'utf8',
      env: { ...process.env, ZTCS_ETC: etc, PATH: `${bin}:${process.env.PATH}` },
    });
    expect(result.status).not.toBe(0);
    expect(result.stderr).toContain('is not mounted');
    expect(readdirSync(home)).toEqual([]);
  });

  test('personalize clones, copies settings and runs the dotfiles installer once, and a second run changes nothing', () => {
    const repos = join(work, 'repos');
    mkdirSync(repos);
    const app = repository(repos, 'app', { 'README.md': { content: 'app\n' } });
    const dotfiles = repository(repos, 'dotfiles', {
      'install.sh': { content: '#!/bin/sh\necho ran >> "$HOME/.dotfiles-installed"\n', mode: 0o755 },
    });
    const files = carriedFiles({ hostname: 'code.example.com', tunnelToken: 't', settings: { 'editor.tabSize': 2 } });
    install(files, {
      CODE_USER: user, CODE_HOME: home, WORKSPACE: join(home, 'workspace'), GIT_REPOSITORIES: app, DOTFILES_REPOSITORY: dotfiles,
    });
    run('prepare-home.sh');

    run('personalize.sh');
    const settings = join(home, '.local/share/code-server/User/settings.json');
    expect(JSON.parse(readFileSync(settings, 'utf8'))).toEqual({ 'editor.tabSize': 2 });
    expect(readFileSync(join(home, 'workspace', 'app', 'README.md'), 'utf8')).toBe('app\n');
    expect(readFileSync(join(home, '.dotfiles-installed'), 'utf8')).toBe('ran\n');

    writeFileSync(settings, '{ "editor.tabSize": 4 }\n');
    const before = describeTree(home);
    run('personalize.sh');
    expect(describeTree(home)).toEqual(before);
    expect(readFileSync(settings, 'utf8')).toBe('{ "editor.tabSize": 4 }\n');
    expect(readFileSync(join(home, '.dotfiles-installed'), 'utf8')).toBe('ran\n');
  });

  describe('install-cloudflared checks the key before apt trusts it', () => {
    /** A signing key made for the test, in a GNUPGHOME of its own: its armoured export and fingerprint. */
    function makeKey(name: string): { armoured: string; fingerprint: string } {
      const gnupgHome = join(work, `gnupg-${name}`);
      mkdirSync(gnupgHome, { mode: 0o700 });
      const gpg = (...args: string[]) => {
        const result = spawnSync('gpg', ['--homedir', gnupgHome, '--batch', '--quiet', '--pinentry-mode', 'loopback', '--passphrase', '', ...args], { encoding: 'utf8' });
        if (result.status !== 0) throw new Error(`gpg ${args.join(' ')}: ${result.stderr}`);
        return result.stdout;
      };
      gpg('--quick-gen-key', `${name} <${name}@ztcs.invalid>`, 'ed25519', 'sign', 'never');
      const fingerprint = /^fpr:+([0-9A-F]{40}):/m.exec(gpg('--with-colons', '--list-keys'))![1];
      const armoured = gpg('--armor', '--export');
      spawnSync('gpgconf', ['--homedir', gnupgHome, '--kill', 'all']);
      return { armoured, fingerprint };
    }

    /**
     * Runs install-cloudflared.sh as on a droplet, in a mount namespace whose keyring and apt
     * source folders are empty tmpfs (the host's stay untouched), curl serving the given key file
     * and apt-get, dpkg logging their calls. Returns its exit, its errors, the calls and what it
     * left in the keyring's place.
     */
    function runInstall(served: string, fingerprint: string, before: Before = {}):
    { status: number | null; stderr: string; calls: string; keyring: string | null } {
      install(carriedFiles({ hostname: 'code.example.com', tunnelToken: 't' }), { CLOUDFLARED_KEY_URL: 'https://keys.example.com/cloudflare.gpg', CLOUDFLARED_KEY_FINGERPRINT: fingerprint });
      const bin = join(work, 'bin');
      const calls = join(work, 'calls.log');
      mkdirSync(bin, { recursive: true });
      writeFileSync(calls, '');
      const stub = (name: string, body: string) => {
        writeFileSync(join(bin, name), `#!/bin/bash\n${body}\n`);
        chmodSync(join(bin, name), 0o755);
      };
      stub('curl', `echo "curl $*" >> '${calls}'; while [ $# -gt 0 ]; do [ "$1" = -o ] && out="$2"; shift; done; cp '${served}' "$out"`);
      stub('apt-get', `echo "apt-get $*" >> '${calls}'`);
      stub('dpkg', `echo "dpkg $*" >> '${calls}'`);
      rmSync(join(bin, 'cloudflared'), { force: true });
      if (before.installed) stub('cloudflared', 'exit 0');
      const kept = join(work, 'keyring-left.gpg');
      const result = spawnSync('unshare', ['--mount', '--propagation', 'private', 'bash', '-c',
        'mount -t tmpfs none /usr/share/keyrings && mount -t tmpfs none /etc/apt/sources.list.d && ' +
        (before.keyring ? `cp '${before.keyring}' /usr/share/keyrings/cloudflare-cloudflared.gpg && ` : '') +
        (before.list ? `printf '%s\\n' '${before.list}' > /etc/apt/sources.list.d/cloudflared.list && ` : '') +
        `bash '${join(scripts, 'install-cloudflared.sh')}'; status=$?; ` +
        `if [ -e /usr/share/keyrings/cloudflare-cloudflared.gpg ]; then cp /usr/share/keyrings/cloudflare-cloudflared.gpg '${kept}'; fi; exit $status`], { encoding: 'utf8', env: { ...process.env, ZTCS_ETC: etc, PATH: `${bin}:${process.env.PATH}` } });
      return { status: result.status, stderr: result.stderr, calls: readFileSync(calls, 'utf8'), keyring: existsSync(kept) ? kept : null };
    }

    /** What a droplet has before the step runs: an earlier start's, or a prepared image's (scripts/prepare-image.sh). */
    interface Before {
      /** A binary keyring in the keyring's place. */
      readonly keyring?: string;
      /** The apt source's line. */
      readonly list?: string;
      /** cloudflared is on the PATH. */
      readonly installed?: boolean;
    }

    /** The key's binary keyring, as the step writes it. */
    function binaryKeyring(name: string, armoured: string): string {
      const gnupgHome = mkdtempSync(join(work, 'gnupg-export-'));
      const path = join(work, `${name}.gpg`);
      spawnSync('gpg', ['--homedir', gnupgHome, '--batch', '--quiet', '--import', keyFile(`${name}.asc`, armoured)]);
      writeFileSync(path, spawnSync('gpg', ['--homedir', gnupgHome, '--batch', '--export']).stdout);
      spawnSync('gpgconf', ['--homedir', gnupgHome, '--kill', 'all']);
      return path;
    }

    const SOURCE = `deb [signed-by=/usr/share/keyrings/cloudflare-cloudflared.gpg] ${BOOT_DEFAULTS.cloudflaredAptRepository} any main`;

    test('installed before with the pinned key and this repository (a prepared image): nothing is downloaded or installed', () => {
      const key = makeKey('pinned');
      const result = runInstall(keyFile('unused.asc', ''), key.fingerprint, { keyring: binaryKeyring('kept', key.armoured), list: SOURCE, installed: true });
      expect(result.status).toBe(0);
      expect(result.calls).toBe('');
    });

    test.each([
      ['another repository', { list: SOURCE.replace(BOOT_DEFAULTS.cloudflaredAptRepository, 'https://mirror.example.com/cloudflared'), installed: true }],
      ['cloudflared missing', { list: SOURCE, installed: false }],
    ])('installed before, but with %s: the step installs again', (_, before) => {
      const key = makeKey('pinned');
      const result = runInstall(keyFile('pinned.asc', key.armoured), key.fingerprint, { keyring: binaryKeyring('kept', key.armoured), ...before });
      expect(result.status).toBe(0);
      expect(result.calls).toMatch(/^apt-get .*install -y cloudflared$/m);
    });

    test('installed before, but with a keyring of another key: the step fetches the pinned key and installs again', () => {
      const pinned = makeKey('pinned');
      const other = makeKey('other');
      const result = runInstall(keyFile('pinned.asc', pinned.armoured), pinned.fingerprint, { keyring: binaryKeyring('kept', other.armoured), list: SOURCE, installed: true });
      expect(result.status).toBe(0);
      expect(result.calls).toMatch(/^curl /m);
      expect(result.calls).toMatch(/^apt-get .*install -y cloudflared$/m);
      const listed = spawnSync('gpg', ['--show-keys', '--with-colons', result.keyring!], { encoding: 'utf8' }).stdout;
      expect(listed).toContain(`fpr:::::::::${pinned.fingerprint}:`);
    });

    function keyFile(name: string, armoured: string): string {
      const path = join(work, name);
      writeFileSync(path, armoured);
      return path;
    }

    test('the key whose fingerprint is pinned is trusted: apt reads the repository with it', () => {
      const key = makeKey('pinned');
      const result = runInstall(keyFile('pinned.asc', key.armoured), key.fingerprint);
      expect(result.status).toBe(0);
      expect(result.calls).toMatch(/^apt-get .*update/m);
      expect(result.calls).toMatch(/^apt-get .*install -y cloudflared$/m);
      const listed = spawnSync('gpg', ['--show-keys', '--with-colons', result.keyring!], { encoding: 'utf8' }).stdout;
      expect([...listed.matchAll(/^pub:/gm)]).toHaveLength(1);
      expect(listed).toContain(`fpr:::::::::${key.fingerprint}:`);
    });

    test('a key with another fingerprint is refused before apt trusts it: no keyring, no apt-get', () => {
      const pinned = makeKey('pinned');
      const other = makeKey('other');
      const result = runInstall(keyFile('other.asc', other.armoured), pinned.fingerprint);
      expect(result.status).not.toBe(0);
      expect(result.stderr).toContain(`is not the pinned one: expected one primary key with fingerprint ${pinned.fingerprint} (cloudflaredKeyFingerprint), found 1: ${other.fingerprint}`);
      expect(result.keyring).toBeNull();
      expect(result.calls).not.toMatch(/^apt-get/m);
    });

    test('a file that holds the pinned key and another one besides is refused', () => {
      const pinned = makeKey('pinned');
      const other = makeKey('other');
      const result = runInstall(keyFile('both.asc', pinned.armoured + other.armoured), pinned.fingerprint);
      expect(result.status).not.toBe(0);
      expect(result.stderr).toContain('found 2:');
      expect(result.keyring).toBeNull();
      expect(result.calls).not.toMatch(/^apt-get/m);
    });

    test('a download that is no key at all is refused', () => {
      const pinned = makeKey('pinned');
      const result = runInstall(keyFile('page.html', '<html>Not found</html>\n'), pinned.fingerprint);
      expect(result.status).not.toBe(0);
      expect(result.stderr).toContain('found 0:');
      expect(result.keyring).toBeNull();
    });
  });
});
