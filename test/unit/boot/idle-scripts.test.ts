import { spawnSync } from 'child_process';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, utimesSync, writeFileSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';
import { IDLE_ENV_KEYS } from '../../../lib/private/boot/contract';

// The idle stop's scripts run for real with bash, the machine around them faked: `ss`, `curl`,
// `systemctl`, `runuser` and `mountpoint` are stand-ins on PATH that log their arguments (`curl`
// only to prove that no script calls it), and
// every path of idle.env points into a temporary folder. Times are set with the files' mtimes;
// the machine's uptime is a file of the test's too (ZTCS_PROC), never the host's /proc/uptime: a
// host up for less than the files' ages (a fresh CI runner) would read as a reboot.

const ASSETS = join(__dirname, '..', '..', '..', 'lib', 'boot', 'assets');
const HOME_MOUNT_UNIT = 'home-ztcs.mount';
const IDLE_MINUTES = 30;
const WARNING_MINUTES = 5;
/** Longer than any file's age in these tests: no test sees a reboot unless it says so. */
const UPTIME_SECONDS = 2 * 24 * 3600;

/** A folder of stand-in commands: each logs its arguments; behaviour set by environment variables. */
const FAKES: Record<string, string> = {
  ss: '#!/bin/bash\necho "ss $*" >> "$FAKE_LOG"\n[ -z "${FAKE_SSH_SESSION:-}" ] || echo "0 0 127.0.0.1:22 127.0.0.1:41000"\n',
  curl: '#!/bin/bash\necho "curl $*" >> "$FAKE_LOG"\nprintf %s "${FAKE_HTTP_STATUS:-201}"\n',
  // Stopping the home's mount unit unmounts it, unless FAKE_BUSY says a process still holds it.
  systemctl: '#!/bin/bash\necho "systemctl $*" >> "$FAKE_LOG"\nif [ "$1" = stop ] && [ -n "${FAKE_MOUNTED:-}" ]; then [ -z "${FAKE_BUSY:-}" ] || exit 1; rm -f "$FAKE_MOUNTED"; fi\n',
  runuser: '#!/bin/bash\necho "runuser $1 $2" >> "$FAKE_LOG"\nshift 3\n"$@"\n',
  mountpoint: '#!/bin/bash\n[ -n "${FAKE_MOUNTED:-}" ] && [ -e "$FAKE_MOUNTED" ]\n',
  sleep: '#!/bin/bash\n',
};

describe('the idle stop\'s scripts', () => {
  let work: string;
  let etc: string;
  let env: NodeJS.ProcessEnv;
  let paths: Record<string, string>;

  beforeEach(() => {
    work = mkdtempSync(join(tmpdir(), 'ztcs-idle-scripts-'));
    etc = join(work, 'etc');
    const bin = join(work, 'bin');
    mkdirSync(etc);
    mkdirSync(bin);
    for (const [name, content] of Object.entries(FAKES)) {
      writeFileSync(join(bin, name), content);
      chmodSync(join(bin, name), 0o755);
    }
    paths = {
      ready: join(work, 'ready'),
      heartbeat: join(work, 'home', '.local', 'share', 'code-server', 'heartbeat'),
      keep: join(work, 'home', '.local', 'state', 'ztcs', 'keep-running-until'),
      state: join(work, 'state'),
      notice: join(work, 'notice'),
      mounted: join(work, 'home-mounted'),
      log: join(work, 'calls.log'),
    };
    // The developer is a user no terminal belongs to: the watcher writes to no terminal of the host.
    writeFileSync(join(etc, 'boot.env'), `CODE_USER='ztcs-no-such-user'\nCODE_HOME='${join(work, 'home')}'\nREADY_MARKER='${paths.ready}'\n`);
    const values: Record<string, string> = {
      IDLE_MINUTES: String(IDLE_MINUTES),
      WARNING_MINUTES: String(WARNING_MINUTES),
      HEARTBEAT_FILE: paths.heartbeat,
      KEEP_RUNNING_FILE: paths.keep,
      SSHD_PORT: '22',
      HOME_MOUNT_UNIT,
      STATE_DIR: paths.state,
      NOTICE_FILE: paths.notice,
    };
    writeFileSync(join(etc, 'idle.env'), IDLE_ENV_KEYS.map((key) => `${key}='${values[key]}'`).join('\n') + '\n');
    const proc = join(work, 'proc');
    mkdirSync(proc);
    writeFileSync(join(proc, 'uptime'), `${UPTIME_SECONDS}.00 ${UPTIME_SECONDS}.00\n`);
    env = { ...process.env, PATH: `${bin}:${process.env.PATH}`, ZTCS_ETC: etc, ZTCS_PROC: proc, FAKE_LOG: paths.log };
  });

  afterEach(() => rmSync(work, { recursive: true, force: true }));

  function run(script: string, args: string[] = [], extra: NodeJS.ProcessEnv = {}) {
    const result = spawnSync('bash', [join(ASSETS, script), ...args], { encoding: 'utf8', env: { ...env, ...extra } });
    return { status: result.status, out: result.stdout, err: result.stderr, calls: existsSync(paths.log) ? readFileSync(paths.log, 'utf8').trim().split('\n') : [] };
  }

  /** A file whose modification time is `minutesAgo` minutes in the past (negative: in the future). */
  function touchedAgo(path: string, minutesAgo: number): void {
    mkdirSync(join(path, '..'), { recursive: true });
    writeFileSync(path, '');
    const t = Date.now() / 1000 - minutesAgo * 60;
    utimesSync(path, t, t);
  }

  describe('idle-watch.sh', () => {
    test('does nothing before the boot has finished, however old the heartbeat', () => {
      touchedAgo(paths.heartbeat, 600);
      expect(run('idle-watch.sh')).toMatchObject({ status: 0, calls: [] });
    });

    test('does nothing while code-server\'s heartbeat is fresh', () => {
      touchedAgo(paths.ready, 600);
      touchedAgo(paths.heartbeat, 1);
      const result = run('idle-watch.sh');
      expect(result.status).toBe(0);
      expect(result.calls.filter((c) => !c.startsWith('ss '))).toEqual([]);
      expect(existsSync(paths.notice)).toBe(false);
    });

    test('warns once in the last minutes before the stop, naming the way to keep it running', () => {
      touchedAgo(paths.ready, 600);
      touchedAgo(paths.heartbeat, IDLE_MINUTES - WARNING_MINUTES + 1);
      const first = run('idle-watch.sh');
      const second = run('idle-watch.sh');
      expect(first.status).toBe(0);
      expect(first.out).toContain(`after ${IDLE_MINUTES} minutes without activity; type 'ztcs-keep-running 2h' to keep it running`);
      expect(readFileSync(paths.notice, 'utf8')).toBe(first.out);
      expect(second.out).toBe('');
      expect(second.calls.filter((c) => !c.startsWith('ss '))).toEqual([]);
    });

    test('a reboot starts the clock again, however old the files', () => {
      touchedAgo(paths.ready, 600);
      touchedAgo(paths.heartbeat, 600);
      const proc = join(work, 'rebooted');
      mkdirSync(proc);
      writeFileSync(join(proc, 'uptime'), '60.25 100.50\n');
      const result = run('idle-watch.sh', [], { ZTCS_PROC: proc });
      expect(result.status).toBe(0);
      expect(result.calls.filter((c) => !c.startsWith('ss '))).toEqual([]);
      expect(existsSync(paths.notice)).toBe(false);
    });

    test('a warning is taken back by activity', () => {
      touchedAgo(paths.ready, 600);
      touchedAgo(paths.heartbeat, IDLE_MINUTES - 1);
      run('idle-watch.sh');
      touchedAgo(paths.heartbeat, 0);
      run('idle-watch.sh');
      expect(existsSync(paths.notice)).toBe(false);
    });

    test('once idle: records the stop in the home, unmounts the home and powers off, in that order, calling no API', () => {
      touchedAgo(paths.ready, 600);
      touchedAgo(paths.heartbeat, IDLE_MINUTES + 1);
      writeFileSync(paths.mounted, '');
      const result = run('idle-watch.sh', [], { FAKE_MOUNTED: paths.mounted });
      expect(result.status).toBe(0);
      expect(result.calls.filter((c) => !c.startsWith('ss '))).toEqual([
        'runuser -u ztcs-no-such-user',
        `systemctl stop ${HOME_MOUNT_UNIT}`,
        'systemctl poweroff',
      ]);
      expect(result.out).toContain(`ztcs: the home (${join(work, 'home')}) is unmounted\n`);
      expect(readFileSync(join(work, 'home', '.local', 'state', 'ztcs', 'idle-stops.log'), 'utf8')).toMatch(/idle stop: last activity .*, after 30 minutes without activity\n$/);
      expect(readFileSync(join(paths.state, 'stopped'), 'utf8')).toMatch(/idle stop: last activity/);
    });

    test('a home still in use does not hold the power-off back: the shutdown unmounts it once every process has ended', () => {
      touchedAgo(paths.ready, 600);
      touchedAgo(paths.heartbeat, IDLE_MINUTES + 1);
      writeFileSync(paths.mounted, '');
      const result = run('idle-watch.sh', [], { FAKE_MOUNTED: paths.mounted, FAKE_BUSY: '1' });
      expect(result.status).toBe(0);
      expect(result.err).toContain(`ztcs: the home (${join(work, 'home')}) is still in use: the shutdown unmounts it once every process has ended`);
      expect(result.calls.filter((c) => c.startsWith('systemctl'))).toEqual([`systemctl stop ${HOME_MOUNT_UNIT}`, 'systemctl poweroff']);
    });

    test('a home on the droplet\'s disk (no mount of its own) is left to the shutdown', () => {
      touchedAgo(paths.ready, 600);
      touchedAgo(paths.heartbeat, IDLE_MINUTES + 1);
      const result = run('idle-watch.sh');
      expect(result.status).toBe(0);
      expect(result.calls.filter((c) => c.startsWith('systemctl'))).toEqual(['systemctl poweroff']);
    });

    test('an open SSH session is activity', () => {
      touchedAgo(paths.ready, 600);
      touchedAgo(paths.heartbeat, IDLE_MINUTES + 1);
      const result = run('idle-watch.sh', [], { FAKE_SSH_SESSION: '1' });
      expect(result.calls).toEqual(['ss -Htn state established ( sport = :22 )']);
      expect(existsSync(join(paths.state, 'ssh-session'))).toBe(true);
    });

    test('a keep-running deadline in the future holds the stop off, and warns only in its last minutes', () => {
      touchedAgo(paths.ready, 600);
      touchedAgo(paths.heartbeat, 600);
      touchedAgo(paths.keep, -(WARNING_MINUTES + 1));
      expect(run('idle-watch.sh').calls.filter((c) => !c.startsWith('ss '))).toEqual([]);
      expect(existsSync(paths.notice)).toBe(false);
      touchedAgo(paths.keep, -(WARNING_MINUTES - 1));
      expect(run('idle-watch.sh').out).toContain('ztcs: this editor stops at');
    });
  });

  describe('keep-running.sh', () => {
    test.each([
      ['3h', 180],
      ['90m', 90],
      ['45', 45],
      ['1440m', 1440],
    ])('%s keeps the editor running for %p minutes', (arg, minutes) => {
      const result = run('keep-running.sh', [arg]);
      expect(result.status).toBe(0);
      expect(result.out).toMatch(/^ztcs: the editor keeps running at least until \d\d:\d\d /);
      expect(statSync(paths.keep).mtimeMs / 1000 - Date.now() / 1000).toBeCloseTo(minutes * 60, -1);
    });

    test('0 gives the watcher its say back', () => {
      const result = run('keep-running.sh', ['0']);
      expect(result.out).toBe(`ztcs: the editor stops again after ${IDLE_MINUTES} minutes without activity\n`);
      expect(Math.abs(statSync(paths.keep).mtimeMs - Date.now())).toBeLessThan(5000);
    });

    test.each([[''], ['3 h'], ['2d'], ['-5'], ['1.5h'], ['25h'], ['1441']])('refuses %p and leaves no deadline', (arg) => {
      const result = run('keep-running.sh', arg === '' ? [] : [arg]);
      expect(result.status).toBe(2);
      expect(result.err).toMatch(/^(usage: ztcs-keep-running <time>|ztcs-keep-running: at most a day)/);
      expect(existsSync(paths.keep)).toBe(false);
    });
  });
});
