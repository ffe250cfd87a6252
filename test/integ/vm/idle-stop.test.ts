import { execFileSync, spawnSync } from 'child_process';
import { lstatSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'fs';
import { tmpdir } from 'os';
import { dirname, join, relative } from 'path';
import { announceMachines, boot, BootResult, freshRootDisk, labelledDisk, machineCeilingMs, scaled, VmImage, vmImage } from './machine';
import { buildMirror, Mirror, mirrorProps, startMirror } from './mirror';
import { FAKE_TUNNEL_TOKEN, RehearsalDroplet, rehearsalDroplet } from './user-data';
import { BOOT_DEFAULTS } from '../../../lib/boot/code-server-user-data';
import { BOOT_PATHS, BOOT_UNITS, CODE_SERVER_PORT, IDLE_PATHS } from '../../../lib/private/boot/contract';
import { literalSecretIn } from '../../../lib/private/validation';
import { describeTier } from '../../support/tools';
import { ApiCall } from '../terraform/stand-in';
import { DigitalOceanStandIn } from '../terraform/stand-in/digitalocean';
import { LoopbackServer } from '../terraform/stand-in/server';

// The idle stop, rehearsed for real: the basic example with `idleStop` (2 minutes, a warning 1
// minute before) boots a Debian virtual machine (as in first-boot.test.ts), whose only network is
// the mirror and a loopback stand-in of the DigitalOcean API at 10.0.2.101. The probe plays the
// developer: a tab that requests code-server every 10 s from the boot on until the report, a
// terminal of theirs, then an SSH session of 150 s, then `ztcs-keep-running 4`. Each of them
// alone would let the machine stop before the next (2 minutes after the one before), so the
// machine can only live to its end if each postponed the stop. Then nothing: the watcher warns
// the terminal, records the stop, unmounts the home and powers off; qemu exits when the guest has
// powered off. The droplet holds no cloud credential: the stand-in of the DigitalOcean API at
// 10.0.2.101, which the guest could reach, receives no call from it, and the root disk and the
// home disk, read after the power-off, hold no credential but the tunnel token.

const describeVm = describeTier({
  tier: 'the VM tier',
  commands: ['qemu-system-x86_64', 'qemu-img', 'debootstrap', 'genisoimage', 'mkfs.ext4', 'dumpe2fs', 'e2fsck', 'debugfs', 'socat', 'apt-ftparchive', 'dpkg-deb', 'gpg'],
  root: 'debootstrap builds its image',
  install: 'Install them with: apt-get install qemu-system-x86 qemu-utils debootstrap genisoimage e2fsprogs socat apt-utils gnupg, and run the tests as root.',
});

const IDLE_MINUTES = 2;
const WARNING_MINUTES = 1;
const KEEP_RUNNING_MINUTES = 4;
/** The probe's developer, in seconds after the report: the SSH session, its length, and keep-running. */
const SSH_AFTER = 30;
const SSH_SECONDS = 150;
const KEEP_RUNNING_AFTER = 190;
/** The stand-in API's address in the guest. */
const API_IN_GUEST = '10.0.2.101';
/** The stand-in's token: the droplet is never given it (nor any other), so no file of its may hold it. */
const TOKEN = 'ztcs-vm-idle-stop-token-not-a-secret';
/** The folders of the root disk read after the power-off: the configuration, the services' state, root's and the scripts. */
const ROOT_DISK_FOLDERS = ['/etc', '/var/lib', '/var/log', '/root', '/home', '/usr/local'];
/**
 * The only files that may hold the tunnel token: cloudflared's root-only environment file, and
 * cloud-init's root-only copies of the user data.
 */
const TUNNEL_TOKEN_HOLDERS = [/^etc\/cloudflared\/tunnel\.env$/, /^var\/lib\/cloud\/instances\/[^/]+\/(user-data\.txt(\.i)?|cloud-config\.txt|obj\.pkl)$/];
/** The droplet's own SSH host keys: its identity, generated on it, a key to nothing else. */
const HOST_KEYS = /^etc\/ssh\/ssh_host_[a-z0-9]+_key$/;
/** The guest's and the host's clocks, and the watcher's rounds (30 s): the slack of timing checks. */
const SLACK_SECONDS = 5;

const IMAGE_TIMEOUT_MS = 20 * 60 * 1000;
const RUN_TIMEOUT_MS = 35 * 60 * 1000;

type Event = { at: number; [key: string]: any };

/** The probe's lines after the report, by kind. */
function eventsOf(reportLog: string, kind: string): Event[] {
  return reportLog.replace(/\r/g, '').split('\n')
    .filter((line) => line.startsWith(`${kind} `))
    .map((line) => JSON.parse(line.slice(kind.length + 1)) as Event);
}

describeVm('the idle stop, rehearsed in a virtual machine', () => {
  let work: string;
  let image: VmImage;
  let mirror: Mirror;
  let api: LoopbackServer;
  let digitalocean: DigitalOceanStandIn;
  let droplet: RehearsalDroplet;
  let dropletId: number;
  let volumeId: string;
  let homeDisk: string;
  let result: BootResult;
  let rootFiles: string;
  /** When qemu exited (the guest had powered off), in seconds since the epoch. */
  let exitedAt: number;
  let reportLog: string;
  let callsBefore: number;
  let guestCalls: ApiCall[];
  let activity: Record<string, Event>;
  let terminal: Event[];

  async function call(method: string, path: string, body: unknown): Promise<any> {
    const response = await fetch(`${api.url}/v2/${path}`, {
      method,
      headers: { 'Authorization': `Bearer ${TOKEN}`, 'Content-Type': 'application/json' },
      body: JSON.stringify(body),
    });
    return response.json();
  }

  /** The files under a folder copied out of a disk, as paths relative to it (links left out). */
  function filesUnder(dir: string): string[] {
    return readdirSync(dir, { recursive: true, encoding: 'utf8' })
      .filter((path) => lstatSync(join(dir, path)).isFile());
  }

  beforeAll(() => announceMachines('idle-stop.test.ts', 'one machine that stops itself when left idle', 10));

  beforeAll(async () => {
    work = mkdtempSync(join(tmpdir(), 'ztcs-vm-idle-'));
    image = await vmImage();
    const version = BOOT_DEFAULTS.codeServerVersion;
    const content = buildMirror(join(work, 'mirror'), work, [version]);
    mirror = await startMirror(join(work, 'mirror'));
    digitalocean = new DigitalOceanStandIn(TOKEN);
    api = new LoopbackServer([digitalocean]);
    await api.start();
    // The droplet and its home volume as Terraform would have made them.
    volumeId = (await call('POST', 'volumes', { name: 'code-example-com-home', region: 'fra1', size_gigabytes: 20 })).volume.id;
    dropletId = (await call('POST', 'droplets', { name: 'code-example-com', region: 'fra1', size: 's-2vcpu-4gb', image: 'ubuntu-24-04-x64', volumes: [{ id: volumeId }] })).droplet.id;
    callsBefore = api.calls.length;

    droplet = rehearsalDroplet({
      boot: mirrorProps(content, version),
      idleStop: {
        idleMinutes: IDLE_MINUTES,
        warningMinutes: WARNING_MINUTES,
      },
    });
    homeDisk = labelledDisk(join(work, 'home.img'), droplet.homeVolumeLabel);
    const keepRunningFile = /KEEP_RUNNING_FILE='([^']+)'/.exec(droplet.userData)![1];
    result = await boot({
      name: 'idle',
      workDir: work,
      image,
      rootDisk: freshRootDisk(image, join(work, 'root.qcow2')),
      homeDisk,
      instanceId: String(dropletId),
      hostname: droplet.dropletName,
      userData: droplet.userData,
      mirrorPort: mirror.port,
      forwards: [{ guestAddress: API_IN_GUEST, hostPort: Number(new URL(api.url).port) }],
      timeoutMs: RUN_TIMEOUT_MS,
      probe: {
        user: droplet.userName,
        home: droplet.home,
        services: [BOOT_UNITS.codeServer, BOOT_UNITS.cloudflared],
        files: [BOOT_PATHS.readyMarker, IDLE_PATHS.env, IDLE_PATHS.keepRunningCommand],
        readyMarker: BOOT_PATHS.readyMarker,
        bootUnit: BOOT_UNITS.boot,
        stepRecords: BOOT_PATHS.stepRecords,
        bootOutcome: 'finished',
        stayUp: true,
        idle: {
          codeServerPort: CODE_SERVER_PORT,
          sshAfter: SSH_AFTER,
          sshSeconds: SSH_SECONDS,
          keepRunningAfter: KEEP_RUNNING_AFTER,
          keepRunning: String(KEEP_RUNNING_MINUTES),
          keepRunningCommand: IDLE_PATHS.keepRunningCommand,
          keepRunningFile,
        },
      },
    });
    exitedAt = Date.now() / 1000;
    reportLog = readFileSync(join(work, 'idle', 'report.log'), 'utf8');
    // The droplet's scripts call the API under /v2/ only; the stand-in listens on the host's
    // loopback, where other processes of a shared machine may knock (a health check on a reused port).
    const since = api.calls.slice(callsBefore);
    guestCalls = since.filter((c) => c.path.startsWith('/v2/'));
    const others = since.filter((c) => !c.path.startsWith('/v2/'));
    if (others.length > 0) console.log(`VM idle stop: calls outside the API's /v2/, not the droplet's: ${others.map((c) => `${c.method} ${c.path}`).join(', ')}`);
    activity = Object.fromEntries(eventsOf(reportLog, 'ZTCS-ACTIVITY').map((e) => [e.kind, e]));
    terminal = eventsOf(reportLog, 'ZTCS-TERMINAL');
    // The root disk as the powered-off droplet leaves it, its folders copied out.
    const raw = join(work, 'root.raw');
    execFileSync('qemu-img', ['convert', '-O', 'raw', join(work, 'root.qcow2'), raw]);
    rootFiles = join(work, 'root-files');
    for (const folder of ROOT_DISK_FOLDERS) {
      // rdump writes the folder under its last name: each goes into its parent's place.
      const parent = join(rootFiles, dirname(folder));
      mkdirSync(parent, { recursive: true });
      execFileSync('debugfs', ['-R', `rdump ${folder} ${parent}`, raw], { stdio: ['ignore', 'ignore', 'pipe'] });
    }
    rmSync(raw);
    printTimes();
  }, scaled(IMAGE_TIMEOUT_MS) + machineCeilingMs(RUN_TIMEOUT_MS));

  afterAll(async () => {
    await mirror?.close();
    await api?.stop();
    if (process.env.ZTCS_VM_KEEP) console.log(`VM tier: the idle stop's files are in ${work}`);
    else if (work) rmSync(work, { recursive: true, force: true });
  });

  /** Notes for the benchmark, not assertions. */
  function printTimes(): void {
    const readyAt = Date.parse(/^ready_at=(\S+)$/m.exec(result.report.ready_marker ?? '')?.[1] ?? '') / 1000;
    const records = (result.report.step_records ?? {}) as Record<string, { mtime: number }>;
    const steps = Object.fromEntries(Object.entries(records).map(([name, r]) => [name, Math.round(r.mtime - result.report.booted_at)]));
    const deadline = activity['keep-running']?.deadline;
    console.log(`VM idle stop: ${(readyAt - result.report.booted_at).toFixed(0)} s from power-on to ready (code-server's /healthz answering; ` +
      `a start: a new droplet on a home volume, under software emulation); each step's end, in s after power-on: ${JSON.stringify(steps)}; ` +
      (deadline ? `${(exitedAt - deadline).toFixed(0)} s from the end of the last activity (the keep-running deadline) to the power-off, ` +
        `${(exitedAt - activity.ssh.closed).toFixed(0)} s from the SSH session's end (idle ${IDLE_MINUTES} min)` : 'no keep-running deadline'));
  }

  test('the machine powered itself off after the developer\'s last step, the probe having reported first', () => {
    expect(result.report.ready_marker).toMatch(/^ready_at=/m);
    expect(Object.keys(activity).sort()).toEqual(['keep-running', 'ssh', 'tab-closed']);
    expect(result.console).toMatch(/systemd-shutdown\[1\]: Powering off\./);
  });

  test('the droplet called no API: the DigitalOcean stand-in it could reach received nothing from it', () => {
    expect(guestCalls.map((c) => `${c.method} ${c.path} ${c.status}`)).toEqual([]);
    expect(digitalocean.droplets.has(dropletId)).toBe(true);
    expect(digitalocean.volumes.get(volumeId)).toMatchObject({ droplet_ids: [dropletId] });
  });

  test('the home was unmounted before the power-off, and its file system is clean', () => {
    const lines = result.console.replace(/\r/g, '').split('\n');
    const unmounted = lines.findIndex((line) => line.includes(`ztcs: the home (${droplet.home}) is unmounted`));
    expect(unmounted).toBeGreaterThan(-1);
    expect(unmounted).toBeLessThan(lines.findIndex((line) => /systemd-shutdown\[1\]: Powering off\./.test(line)));
    expect(result.console).not.toContain('is still in use');
    const superblock = execFileSync('dumpe2fs', ['-h', homeDisk], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
    expect(superblock).toMatch(/^Filesystem state:\s+clean$/m);
    expect(spawnSync('e2fsck', ['-f', '-n', homeDisk]).status).toBe(0);
  });

  test('the user data holds no credential but the tunnel token', () => {
    const rest = droplet.userData.split(FAKE_TUNNEL_TOKEN).join('');
    expect(droplet.userData).toContain(FAKE_TUNNEL_TOKEN);
    expect(literalSecretIn(rest)).toBeUndefined();
    expect(rest).not.toMatch(/Authorization|Bearer|digitalocean-api|dop_v1_/i);
    expect(rest).not.toContain(TOKEN);
  });

  test('the root disk holds the tunnel token only in cloudflared\'s file and cloud-init\'s copies of the user data, and no other credential', () => {
    const files = filesUnder(rootFiles);
    expect(files).toEqual(expect.arrayContaining(['etc/cloudflared/tunnel.env', 'etc/ztcs/idle.env', 'var/lib/ztcs/ready', 'usr/local/lib/ztcs/idle-watch.sh']));
    const holding = (test: (text: string) => boolean) => files.filter((path) => test(readFileSync(join(rootFiles, path), 'latin1')));
    const tunnelTokenIn = holding((text) => text.includes(FAKE_TUNNEL_TOKEN));
    expect(tunnelTokenIn).toContain('etc/cloudflared/tunnel.env');
    expect(tunnelTokenIn.filter((path) => !TUNNEL_TOKEN_HOLDERS.some((holder) => holder.test(path)))).toEqual([]);
    // literalSecretIn knows an Authorization header with a value (a package's description that
    // mentions "Bearer Tokens" is none); the former idle stop's token file and token prefix too.
    const credentials = holding((text) => literalSecretIn(text) !== undefined || /dop_v1_|digitalocean-api\.curl/.test(text) || text.includes(TOKEN));
    expect(credentials.filter((path) => !HOST_KEYS.test(path))).toEqual([]);
    expect(files.filter((path) => /idle-delete|digitalocean/.test(path))).toEqual([]);
  });

  test('the home disk holds no credential', () => {
    const homeFiles = join(work, 'home-files');
    mkdirSync(homeFiles);
    execFileSync('debugfs', ['-R', `rdump / ${homeFiles}`, homeDisk], { stdio: ['ignore', 'ignore', 'pipe'] });
    const files = filesUnder(homeFiles);
    expect(files.length).toBeGreaterThan(0);
    const found = files.filter((path) => {
      const text = readFileSync(join(homeFiles, path), 'latin1');
      return text.includes(FAKE_TUNNEL_TOKEN) || text.includes(TOKEN) || literalSecretIn(text) !== undefined;
    });
    expect(found.map((path) => relative(homeFiles, join(homeFiles, path)))).toEqual([]);
  });

  test('the stop is recorded in the home, for the developer to read on the next start', () => {
    const log = execFileSync('debugfs', ['-R', 'cat /.local/state/ztcs/idle-stops.log', homeDisk], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
    expect(log).toMatch(new RegExp(`^\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\dZ idle stop: last activity .*, after ${IDLE_MINUTES} minutes without activity$`, 'm'));
  });

  test('the open tab (requests to code-server) kept the machine up through the boot and the report', () => {
    expect(activity['tab-closed'].last_request).toEqual(expect.any(Number));
    // Without it, the idle time would have run out from the end of the boot on.
    expect(activity.ssh.opened).toBeGreaterThan(activity['tab-closed'].at);
  });

  test('the SSH session postponed the stop: the machine was up after it, longer than the idle time after the tab closed', () => {
    expect(activity.ssh.result.code).toBe(0);
    expect(activity.ssh.result.out).toBe('connected\n');
    expect(activity.ssh.closed - activity['tab-closed'].last_request).toBeGreaterThan(IDLE_MINUTES * 60 + SLACK_SECONDS);
    expect(activity['keep-running'].at).toBeGreaterThan(activity.ssh.closed);
  });

  test('keep-running postponed the stop to its deadline, past the idle time after the SSH session', () => {
    const keep = activity['keep-running'];
    expect(keep.result.code).toBe(0);
    expect(keep.result.out).toMatch(/^ztcs: the editor keeps running at least until \d\d:\d\d /);
    expect(keep.deadline - keep.at).toBeCloseTo(KEEP_RUNNING_MINUTES * 60, -1);
    expect(keep.deadline).toBeGreaterThan(activity.ssh.closed + IDLE_MINUTES * 60);
    expect(exitedAt).toBeGreaterThan(keep.deadline - SLACK_SECONDS);
  });

  test('the warning reached the developer\'s terminal first: once, in the last minute before the stop, naming the way to keep it running', () => {
    const warnings = terminal.filter((e) => e.text.includes('ztcs: this editor stops at'));
    expect(warnings).toHaveLength(1);
    expect(warnings[0].text).toContain("type 'ztcs-keep-running 2h' to keep it running");
    const deadline = activity['keep-running'].deadline;
    expect(warnings[0].at).toBeGreaterThan(deadline - WARNING_MINUTES * 60 - SLACK_SECONDS);
    expect(warnings[0].at).toBeLessThan(exitedAt);
    expect(terminal.filter((e) => e.at < deadline - WARNING_MINUTES * 60 - SLACK_SECONDS)).toEqual([]);
  });

  test('the idle stop\'s settings are root\'s, and the stand-in\'s token is in no log', () => {
    expect(result.report.files[IDLE_PATHS.env]).toMatchObject({ type: 'file', uid: 0 });
    expect(result.console).not.toContain(TOKEN);
    expect(result.report.output_log).not.toContain(TOKEN);
    expect(reportLog).not.toContain(TOKEN);
  });
});
