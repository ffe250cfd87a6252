import { execFileSync, spawnSync } from 'child_process';
import { mkdtempSync, readFileSync, rmSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';
import { Lazy, Token } from 'cdktf';
import { announceMachines, boot, BootResult, freshRootDisk, labelledDisk, machineCeilingMs, scaled, VmImage, vmImage } from './machine';
import { buildMirror, Mirror, mirrorProps, startMirror } from './mirror';
import { RehearsalDroplet, rehearsalDroplet } from './user-data';
import { BOOT_DEFAULTS } from '../../../lib/boot/code-server-user-data';
import { BOOT_PATHS, BOOT_UNITS, CODE_SERVER_PORT, IDLE_PATHS } from '../../../lib/private/boot/contract';
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
// the terminal, marks the editor stopped, powers off, and deletes the droplet once the home is
// unmounted; qemu exits when the guest has powered off.

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
const TOKEN = 'ztcs-vm-idle-stop-token-not-a-secret';
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
  let markerTag: string;
  let result: BootResult;
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
        // A token, as a sensitive variable's value would be; it resolves to the test's token.
        digitaloceanToken: Token.asString(Lazy.stringValue({ produce: () => TOKEN })),
        digitaloceanApiUrl: `http://${API_IN_GUEST}`,
      },
    });
    markerTag = /MARKER_TAG='([^']+)'/.exec(droplet.userData)![1];
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
        files: [BOOT_PATHS.readyMarker, IDLE_PATHS.apiConfig, IDLE_PATHS.keepRunningCommand],
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
    reportLog = readFileSync(join(work, 'idle', 'report.log'), 'utf8');
    // The droplet's scripts call the API under /v2/ only; the stand-in listens on the host's
    // loopback, where other processes of a shared machine may knock (a health check on a reused port).
    const since = api.calls.slice(callsBefore);
    guestCalls = since.filter((c) => c.path.startsWith('/v2/'));
    const others = since.filter((c) => !c.path.startsWith('/v2/'));
    if (others.length > 0) console.log(`VM idle stop: calls outside the API's /v2/, not the droplet's: ${others.map((c) => `${c.method} ${c.path}`).join(', ')}`);
    activity = Object.fromEntries(eventsOf(reportLog, 'ZTCS-ACTIVITY').map((e) => [e.kind, e]));
    terminal = eventsOf(reportLog, 'ZTCS-TERMINAL');
    printTimes();
  }, scaled(IMAGE_TIMEOUT_MS) + machineCeilingMs(RUN_TIMEOUT_MS));

  afterAll(async () => {
    await mirror?.close();
    await api?.stop();
    if (process.env.ZTCS_VM_KEEP) console.log(`VM tier: the idle stop's files are in ${work}`);
    else if (work) rmSync(work, { recursive: true, force: true });
  });

  function deleteCall(): ApiCall {
    const found = guestCalls.find((c) => c.method === 'DELETE');
    if (!found) throw new Error(`the droplet never called DELETE; its calls: ${guestCalls.map((c) => `${c.method} ${c.path} ${c.status}`).join(', ')}`);
    return found;
  }

  /** Notes for the benchmark, not assertions. */
  function printTimes(): void {
    const readyAt = Date.parse(/^ready_at=(\S+)$/m.exec(result.report.ready_marker ?? '')?.[1] ?? '') / 1000;
    const deletedAt = guestCalls.find((c) => c.method === 'DELETE')?.at;
    const deadline = activity['keep-running']?.deadline;
    console.log(`VM idle stop: ${(readyAt - result.report.booted_at).toFixed(0)} s from power-on to ready (a start: a new droplet on a home volume); ` +
      (deletedAt && deadline ? `${(deletedAt / 1000 - deadline).toFixed(0)} s from the end of the last activity (the keep-running deadline) to the DELETE call, ` +
        `${(deletedAt / 1000 - activity.ssh.closed).toFixed(0)} s from the SSH session's end (idle ${IDLE_MINUTES} min)` : 'no DELETE call'));
  }

  test('the machine powered itself off after the developer\'s last step, the probe having reported first', () => {
    expect(result.report.ready_marker).toMatch(/^ready_at=/m);
    expect(Object.keys(activity).sort()).toEqual(['keep-running', 'ssh', 'tab-closed']);
    expect(result.console).toMatch(/systemd-shutdown\[1\]: Powering off\./);
  });

  test('the stand-in received, from the droplet, exactly the marker tag and then the deletion of its own droplet, with the token', () => {
    expect(guestCalls.map((c) => `${c.method} ${c.path} ${c.status}`)).toEqual([
      'POST /v2/tags 201',
      `DELETE /v2/droplets/${dropletId} 204`,
    ]);
    expect(guestCalls[0].body).toEqual({ name: markerTag });
    expect(guestCalls.every((c) => c.known)).toBe(true);
  });

  test('no call touched the volume; it is kept, detached', () => {
    expect(api.calls.slice(callsBefore).filter((c) => c.path.includes('volume'))).toEqual([]);
    expect(digitalocean.volumes.get(volumeId)).toMatchObject({ droplet_ids: [] });
    expect(digitalocean.droplets.has(dropletId)).toBe(false);
    expect(digitalocean.tags.has(markerTag)).toBe(true);
  });

  test('the droplet was deleted once the home was unmounted, and the home file system is clean', () => {
    expect(result.console).toContain(`ztcs: the home (${droplet.home}) is not mounted`);
    expect(result.console).not.toContain('is still mounted');
    const superblock = execFileSync('dumpe2fs', ['-h', homeDisk], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
    expect(superblock).toMatch(/^Filesystem state:\s+clean$/m);
    expect(spawnSync('e2fsck', ['-f', '-n', homeDisk]).status).toBe(0);
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
    expect(deleteCall().at / 1000).toBeGreaterThan(keep.deadline - SLACK_SECONDS);
  });

  test('the warning reached the developer\'s terminal first: once, in the last minute before the stop, naming the way to keep it running', () => {
    const warnings = terminal.filter((e) => e.text.includes('ztcs: this editor stops at'));
    expect(warnings).toHaveLength(1);
    expect(warnings[0].text).toContain("type 'ztcs-keep-running 2h' to keep it running");
    const deadline = activity['keep-running'].deadline;
    expect(warnings[0].at).toBeGreaterThan(deadline - WARNING_MINUTES * 60 - SLACK_SECONDS);
    expect(warnings[0].at).toBeLessThan(deleteCall().at / 1000);
    expect(terminal.filter((e) => e.at < deadline - WARNING_MINUTES * 60 - SLACK_SECONDS)).toEqual([]);
  });

  test('the token is written root-only and is in no log', () => {
    expect(result.report.files[IDLE_PATHS.apiConfig]).toMatchObject({ type: 'file', mode: '0600', uid: 0 });
    expect(result.console).not.toContain(TOKEN);
    expect(result.report.output_log).not.toContain(TOKEN);
    expect(reportLog).not.toContain(TOKEN);
  });
});
