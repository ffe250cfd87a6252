import { execFileSync, spawnSync } from 'child_process';
import { createHash } from 'crypto';
import { mkdtempSync, rmSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';
import { announceMachines, boot, BootResult, BootSpec, copyDisk, freshRootDisk, labelledDisk, machineCeilingMs, scaled, VmImage, vmImage } from './machine';
import { buildMirror, CLOUDFLARED_VERSION, Mirror, MirrorContent, mirrorProps, startMirror } from './mirror';
import { FAKE_TUNNEL_TOKEN, RehearsalDroplet, rehearsalDroplet } from './user-data';
import { BootPhase, BootStep, BootUser, renderBootStep } from '../../../lib/boot/boot-steps';
import { BOOT_DEFAULTS } from '../../../lib/boot/code-server-user-data';
import { BOOT_PATHS, BOOT_STEP_RECORDS, BOOT_UNITS, CODE_SERVER_PORT } from '../../../lib/private/boot/contract';
import { describeTier } from '../../support/tools';

// The first boot, rehearsed for real: the basic example's user data, rendered as Terraform would,
// boots a Debian trixie virtual machine (scripts/build-vm-image.sh) under qemu's software
// emulation. code-server and cloudflared are stand-ins served from a mirror on loopback (see
// mirror.ts); the guest has no other network. Five machines: the first boot (its mirror drops
// every connection for the first minute of the downloads; it ends with an ACPI power-off), a
// reboot, a replacement droplet on the same home disk with a newer code-server, a droplet whose
// home disk is missing, and a droplet reset in the middle of its boot.

const describeVm = describeTier({
  tier: 'the VM tier',
  commands: ['qemu-system-x86_64', 'qemu-img', 'debootstrap', 'genisoimage', 'mkfs.ext4', 'dumpe2fs', 'e2fsck', 'socat', 'apt-ftparchive', 'dpkg-deb', 'gpg'],
  root: 'debootstrap builds its image',
  install: 'Install them with: apt-get install qemu-system-x86 qemu-utils debootstrap genisoimage e2fsprogs socat apt-utils gnupg, and run the tests as root.',
});

const SERVICES: string[] = [BOOT_UNITS.codeServer, BOOT_UNITS.cloudflared];
const READY_MARKER_PATH = BOOT_PATHS.readyMarker;
const DEFAULT_CODE_SERVER_VERSION = BOOT_DEFAULTS.codeServerVersion;
/** Files the boot's scripts and cloud-init write besides the document's write_files. */
const WRITTEN_BY_THE_BOOT = [
  READY_MARKER_PATH,
  '/etc/apt/sources.list.d/cloudflared.list',
  '/usr/share/keyrings/cloudflare-cloudflared.gpg',
  '/etc/apt/apt.conf.d/20auto-upgrades',
  '/etc/apt/apt.conf.d/52ztcs-cloudflared',
  '/etc/fstab',
  '/etc/passwd',
  '/etc/group',
  '/etc/shadow',
  '/etc/sudoers.d/90-cloud-init-users',
  '/usr/bin/code-server',
  '/usr/bin/cloudflared',
  '/etc/ztcs-platform/company.conf',
  '/etc/ztcs-platform/code-server-state',
];
/** The platform's own boot steps (bootSteps): one as root before code-server starts, one as the developer once it is up. */
const PLATFORM_STEPS: BootStep[] = [
  {
    name: 'company',
    files: [{ path: '/etc/ztcs-platform/company.conf', content: 'company=acme\n' }],
    commands: ['systemctl is-active code-server.service > /etc/ztcs-platform/code-server-state || true'],
  },
  { name: 'developer', runAs: BootUser.DEVELOPER, phase: BootPhase.AFTER_READY, commands: ['id -un > "$HOME/.platform-step"'] },
];
/** The records boot.sh keeps of those steps, as it names them. */
const PLATFORM_STEP_RECORDS = PLATFORM_STEPS.map(renderBootStep).map((step) => `custom-${step.phase}-${step.fileName}`);
/** A release after the default, for the replacement droplet. */
const NEWER_VERSION = DEFAULT_CODE_SERVER_VERSION.replace(/^(\d+)\.(\d+)\.\d+$/, (_: string, major: string, minor: string) => `${major}.${Number(minor) + 1}.0`);
const SETTINGS = { 'editor.fontSize': 14 };
/** How long the first droplet's mirror drops every connection, from the boot's first download on. */
const MIRROR_DOWN_SECONDS = 60;
/** The step after which the droplet of the reset is reset: the boot is then in the middle of its steps. */
const RESET_AFTER_STEP = 'install-cloudflared.sh';
/** What curl says of a connection the mirror dropped. */
const DROPPED_BY_THE_MIRROR = 'curl: (52) Empty reply from server';

type Report = Record<string, any>;
type Entry = { type: string; mode: string; uid: number; gid: number; size: number; sha256?: string; mtime_ns: number; ctime_ns: number } | null;

const IMAGE_TIMEOUT_MS = 20 * 60 * 1000;

describeVm('the first boot, rehearsed in a virtual machine', () => {
  let work: string;
  let image: VmImage;
  let mirror: Mirror;
  let homeDisk: string;
  let rootDisk: string;
  let firstDroplet: RehearsalDroplet;
  let first: BootResult;
  let noHomeBoot: Promise<BootResult>;
  let rebootBoot: Promise<BootResult>;
  let replacementDroplet: RehearsalDroplet;
  let replacementBoot: Promise<BootResult>;
  let content: MirrorContent;
  let resetMirror: Mirror;
  let resetBoot: Promise<BootResult>;
  /** dumpe2fs -h and e2fsck -fn of the home disk, right after the first boot's ACPI power-off. */
  let homeAfterPowerOff: { superblock: string; fsck: { status: number | null; output: string } };

  type Disks = { rootDisk: string; homeDisk?: string };
  type Options = { playDeveloper?: boolean; mirror?: Mirror; bootFails?: boolean; resetWhen?: RegExp; acpiShutdown?: boolean };
  function spec(name: string, droplet: RehearsalDroplet, instanceId: string, disks: Disks, options: Options = {}): BootSpec {
    return {
      name,
      workDir: work,
      image,
      ...disks,
      instanceId,
      hostname: droplet.dropletName,
      userData: droplet.userData,
      mirrorPort: (options.mirror ?? mirror).port,
      resetWhen: options.resetWhen,
      acpiShutdown: options.acpiShutdown,
      probe: {
        user: droplet.userName,
        home: droplet.home,
        services: SERVICES,
        files: [...droplet.writtenFiles, ...WRITTEN_BY_THE_BOOT],
        readyMarker: READY_MARKER_PATH,
        work: options.playDeveloper,
        bootUnit: BOOT_UNITS.boot,
        stepRecords: BOOT_PATHS.stepRecords,
        bootOutcome: options.bootFails ? 'failure' : 'finished',
        stayUp: options.acpiShutdown,
      },
    };
  }

  beforeAll(() => announceMachines('first-boot.test.ts', 'five machines, up to three at a time', 9));

  beforeAll(async () => {
    work = mkdtempSync(join(tmpdir(), 'ztcs-vm-'));
    const started = Date.now();
    image = await vmImage();
    console.log(`VM image ${image.dir} ready after ${((Date.now() - started) / 1000).toFixed(0)} s`);
    content = buildMirror(join(work, 'mirror'), work, [DEFAULT_CODE_SERVER_VERSION, NEWER_VERSION]);
    mirror = await startMirror(join(work, 'mirror'), { dropSecondsFromFirstRequest: MIRROR_DOWN_SECONDS });
    // The droplet that is reset has a mirror of its own, so that its downloads can be counted.
    resetMirror = await startMirror(join(work, 'mirror'));
    firstDroplet = rehearsalDroplet({
      boot: { ...mirrorProps(content, DEFAULT_CODE_SERVER_VERSION), settings: SETTINGS, bootSteps: PLATFORM_STEPS },
    });
    homeDisk = labelledDisk(join(work, 'home.img'), firstDroplet.homeVolumeLabel);
    rootDisk = freshRootDisk(image, join(work, 'root-first.qcow2'));
    // The droplet without its home disk spends minutes waiting for it: it boots alongside, and so
    // does the droplet that is reset in the middle of its boot (its own root and home disks).
    noHomeBoot = boot(spec('no-home', firstDroplet, 'droplet-no-home', { rootDisk: freshRootDisk(image, join(work, 'root-no-home.qcow2')) }, { bootFails: true }));
    noHomeBoot.catch(() => undefined);
    resetBoot = boot(spec('reset', firstDroplet, 'droplet-reset', {
      rootDisk: freshRootDisk(image, join(work, 'root-reset.qcow2')),
      homeDisk: labelledDisk(join(work, 'home-reset.img'), firstDroplet.homeVolumeLabel),
    }, { mirror: resetMirror, resetWhen: new RegExp(`ztcs: ${RESET_AFTER_STEP.replace('.', '\\.')} done`) }));
    resetBoot.catch(() => undefined);
    first = await boot(spec('first', firstDroplet, 'droplet-1', { rootDisk, homeDisk }, { playDeveloper: true, acpiShutdown: true }));
    printTimeToReady('first boot', first.report);
    homeAfterPowerOff = {
      superblock: execFileSync('dumpe2fs', ['-h', homeDisk], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] }),
      fsck: fsckReadOnly(homeDisk),
    };

    // The reboot and the replacement droplet both start from the home the first boot left, and
    // boot side by side (the droplet without its home disk mostly waits for it meanwhile), the
    // replacement on a copy of the home disk.
    const homeCopy = copyDisk(homeDisk, join(work, 'home-replacement.img'));
    replacementDroplet = rehearsalDroplet({ boot: { ...mirrorProps(content, NEWER_VERSION), settings: SETTINGS } });
    const replacementRoot = freshRootDisk(image, join(work, 'root-replacement.qcow2'));
    rebootBoot = boot(spec('reboot', firstDroplet, 'droplet-1', { rootDisk, homeDisk }));
    replacementBoot = boot(spec('replacement', replacementDroplet, 'droplet-2', { rootDisk: replacementRoot, homeDisk: homeCopy }));
    rebootBoot.catch(() => undefined);
    replacementBoot.catch(() => undefined);
  }, scaled(IMAGE_TIMEOUT_MS) + 2 * machineCeilingMs());

  afterAll(async () => {
    await Promise.all([noHomeBoot, rebootBoot, replacementBoot, resetBoot].map((b) => b?.catch(() => undefined)));
    await mirror?.close();
    await resetMirror?.close();
    // ZTCS_VM_KEEP=1 keeps each boot's disks, console log and report for a look afterwards.
    if (process.env.ZTCS_VM_KEEP) console.log(`VM tier: the boots' files are in ${work}`);
    else if (work) rmSync(work, { recursive: true, force: true });
  });

  describe('first boot', () => {
    test('cloud-init finishes with no error and no warning', () => {
      expectCloudInitDone(first.report);
    });

    test('the boot logs no error or warning but the failed tries of the minute the mirror was down', () => {
      const problems = problemsLogged(first.report);
      // curl says why each try failed; it tried again after each.
      expect(problems.filter((line) => line === DROPPED_BY_THE_MIRROR).length).toBeGreaterThan(2);
      expect(problems.filter((line) => line !== DROPPED_BY_THE_MIRROR)).toEqual([]);
    });

    test('the readiness marker is written, naming both versions', () => {
      expect(first.report.ready_marker).toMatch(/^ready_at=\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/m);
      expect(first.report.ready_marker).toContain(`code_server=${DEFAULT_CODE_SERVER_VERSION}\n`);
      expect(first.report.ready_marker).toContain(`cloudflared=cloudflared version ${CLOUDFLARED_VERSION} `);
    });

    test('code-server and cloudflared are active, and code-server answers on loopback', () => {
      expectServicesUp(first.report);
    });

    test(`code-server listens on 127.0.0.1:${CODE_SERVER_PORT} only`, () => {
      const pid = Number(first.report.services[BOOT_UNITS.codeServer].MainPID);
      expect(listeningOf(first.report, pid)).toEqual([`127.0.0.1:${CODE_SERVER_PORT}`]);
      expect(listening(first.report).filter((s) => s.address.endsWith(`:${CODE_SERVER_PORT}`)).map((s) => s.address)).toEqual([`127.0.0.1:${CODE_SERVER_PORT}`]);
    });

    test('code-server runs as the developer with the written configuration and the workspace', () => {
      const started = standInRecord(first.report, '/usr/bin/code-server');
      expect(started.uid).toBe(1000);
      expect(started.argv).toEqual(['/usr/bin/code-server', '--config', BOOT_PATHS.codeServerConfig, `${firstDroplet.home}/workspace`]);
      expect(started.home).toBe(firstDroplet.home);
    });

    test('cloudflared runs the tunnel as an unprivileged user, with the token from its environment', () => {
      const started = standInRecord(first.report, '/usr/bin/cloudflared');
      expect(started.argv).toEqual(['/usr/bin/cloudflared', '--no-autoupdate', 'tunnel', 'run']);
      expect(started.uid).not.toBe(0);
      expect(started.environment.TUNNEL_TOKEN).toBe('<set>');
    });

    test("the tunnel token is in no process's command line or environment but cloudflared's", () => {
      const cloudflared = Number(first.report.services[BOOT_UNITS.cloudflared].MainPID);
      const holders = (first.report.processes as Array<{ pid: number; cmdline: string[]; environ: string[] }>)
        .filter((p) => [...p.cmdline, ...p.environ].some((s) => s.includes(FAKE_TUNNEL_TOKEN)))
        .map((p) => p.pid);
      expect(holders).toEqual([cloudflared]);
    });

    test('the tunnel token is in no log', () => {
      expect(first.report.output_log).not.toContain(FAKE_TUNNEL_TOKEN);
      expect(first.report.service_logs).not.toContain(FAKE_TUNNEL_TOKEN);
      expect(first.console).not.toContain(FAKE_TUNNEL_TOKEN);
    });

    test("the platform's boot steps ran: as root before code-server started, as the developer once it was up", () => {
      const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');
      expect(first.report.files['/etc/ztcs-platform/company.conf']).toMatchObject({ type: 'file', uid: 0, sha256: sha256('company=acme\n') });
      expect(first.report.files['/etc/ztcs-platform/code-server-state']).toMatchObject({ sha256: sha256('inactive\n') });
      expect(first.report.home[`${firstDroplet.home}/.platform-step`]).toMatchObject({ type: 'file', uid: 1000, sha256: sha256(`${firstDroplet.userName}\n`) });
    });

    test('the token file is readable by root only', () => {
      expect(first.report.files[BOOT_PATHS.tunnelToken]).toMatchObject({ type: 'file', mode: '0600', uid: 0, gid: 0 });
    });

    test("the home is the labelled disk, mounted at the user's home and owned by uid 1000", () => {
      expectHomeOnItsDisk(first.report, firstDroplet);
    });

    test('the optional steps ran after both services were up', () => {
      const ready = first.report.files[READY_MARKER_PATH].mtime_ns / 1e9;
      for (const name of SERVICES) expect(first.report.services[name].ActiveEnterEpoch).toBeLessThan(ready);
      // personalize.sh wrote the settings, enable-security-updates.sh the apt configuration.
      expect(first.report.files['/etc/apt/apt.conf.d/52ztcs-cloudflared'].mtime_ns / 1e9).toBeGreaterThan(ready);
      const settings = `${firstDroplet.home}/.local/share/code-server/User/settings.json`;
      expect(first.report.home[settings]).toMatchObject({ type: 'file', uid: 1000 });
      expect(first.report.home[settings].mtime_ns / 1e9).toBeGreaterThan(ready);
      expect(first.report.services['unattended-upgrades.service'].ActiveState).toBe('active');
    });

    test(`the mirror dropped every connection for the first ${MIRROR_DOWN_SECONDS} s of the downloads, and the boot still reached ready`, () => {
      const dropped = mirror.requests.map((r, i) => ({ r, at: mirror.times[i] })).filter(({ r }) => r.endsWith(' dropped'));
      expect(dropped.length).toBeGreaterThan(2);
      // The boot kept trying for the whole minute, and got through after it.
      expect((dropped[dropped.length - 1].at - mirror.times[0]) / 1000).toBeGreaterThan(MIRROR_DOWN_SECONDS - 30);
      const firstAnswered = mirror.times[mirror.requests.findIndex((r) => !r.endsWith(' dropped'))];
      expect((firstAnswered - mirror.times[0]) / 1000).toBeGreaterThanOrEqual(MIRROR_DOWN_SECONDS);
      expect(first.report.boot_unit).toMatchObject({ ActiveState: 'active', Result: 'success', NRestarts: '0' });
      expect(first.report.files[READY_MARKER_PATH]).toMatchObject({ type: 'file' });
      console.log(`VM first boot: the mirror came back ${((firstAnswered - mirror.times[0]) / 1000).toFixed(0)} s after the first download; ready ${((first.report.files[READY_MARKER_PATH].mtime_ns / 1e6 - mirror.times[0]) / 1000).toFixed(0)} s after it`);
    });

    // On a droplet, sshd and code-server are the only listeners, both on loopback; cloudflared
    // only dials out. Left out: a DHCP client's UDP port 68 (systemd-networkd asks for the
    // droplet's address through it on every interface; it only takes answers to its own requests).
    test('no TCP socket listens on a non-loopback address, and no UDP socket but a DHCP client\'s port 68', () => {
      const tcp = sockets(first.report.listening_tcp);
      const udp = sockets(first.report.listening_udp);
      expect(tcp.map((s) => s.port)).toContain(22);
      expect(tcp.filter((s) => !isLoopback(s.host)).map((s) => s.address)).toEqual([]);
      expect(udp.filter((s) => !isLoopback(s.host) && s.port !== 68).map((s) => s.address)).toEqual([]);
    });

    test('an ACPI power-off (the power button) stops the machine', () => {
      expect(first.shutdownSeconds).toBeDefined();
      expect(first.shutdownSeconds!).toBeLessThan(120);
    });

    test('after the ACPI power-off, the home disk\'s ext4 is clean: no journal to replay, nothing for fsck to repair', () => {
      expect(homeAfterPowerOff.superblock).toMatch(/^Filesystem state:\s+clean$/m);
      const features = /^Filesystem features:\s+(.*)$/m.exec(homeAfterPowerOff.superblock)![1].split(/\s+/);
      expect(features).toContain('has_journal');
      expect(features).not.toContain('needs_recovery');
      expect(homeAfterPowerOff.fsck).toEqual({ status: 0, output: expect.not.stringMatching(/recover|orphan|fix|error/i) });
    });

    test('both programs come from the mirror the props point at', () => {
      expect(mirror.requests).toContain(`GET /code-server/v${DEFAULT_CODE_SERVER_VERSION}/code-server_${DEFAULT_CODE_SERVER_VERSION}_amd64.deb 200`);
      expect(mirror.requests).toContain('GET /cloudflared/key.asc 200');
      expect(mirror.requests).toContain('GET /cloudflared/dists/any/InRelease 200');
      expect(mirror.requests).toContain(`GET /cloudflared/pool/main/c/cloudflared/cloudflared_${CLOUDFLARED_VERSION}_amd64.deb 200`);
    });
  });

  describe('after a reboot', () => {
    let reboot: BootResult;

    beforeAll(async () => {
      reboot = await rebootBoot;
      printTimeToReady('reboot', reboot.report);
    }, machineCeilingMs());

    test('cloud-init finishes with no error and no warning', () => {
      expectCloudInitDone(reboot.report);
    });

    test('nothing the first boot wrote is written again: same files, modes, owners, contents and times', () => {
      expect(reboot.report.files).toEqual(first.report.files_after_work);
      expect(reboot.report.home).toEqual(first.report.home_after_work);
    });

    test('both services come back', () => {
      expectServicesUp(reboot.report);
    });

    test('the boot unit runs again and redoes nothing: every step was recorded by the first boot', () => {
      expect(reboot.report.boot_unit).toMatchObject({ ActiveState: 'active', Result: 'success' });
      expect(reboot.report.boot_log).not.toMatch(/ztcs: \S+ started/);
      for (const step of BOOT_STEP_RECORDS) expect(reboot.report.boot_log).toContain(`ztcs: ${step} finished on an earlier start; skipped`);
    });

    test('the home disk is mounted with no journal replay and no orphan cleanup (it was shut down cleanly)', () => {
      const device = (reboot.report.home_mount.device as string).replace('/dev/', '');
      const lines = (reboot.report.kernel_log as string).split('\n').filter((l) => l.includes(`EXT4-fs (${device})`));
      expect(lines.some((l) => /mounted filesystem/.test(l))).toBe(true);
      expect(lines.filter((l) => /recover|orphan|replay|error/i.test(l))).toEqual([]);
    });
  });

  describe('on a replacement droplet with the same home disk and a newer code-server', () => {
    let replacement: BootResult;

    beforeAll(async () => {
      replacement = await replacementBoot;
      printTimeToReady('replacement droplet', replacement.report);
    }, machineCeilingMs());

    test('cloud-init finishes with no error and no warning', () => {
      expectCloudInitDone(replacement.report);
    });

    test('the boot logs no error or warning', () => {
      expect(problemsLogged(replacement.report)).toEqual([]);
    });

    test('every file the developer had in the home is there, unchanged', () => {
      const before = first.report.home_after_work as Record<string, Entry>;
      const after = replacement.report.home as Record<string, Entry>;
      const kept = (e: Entry) => e && { type: e.type, mode: e.mode, uid: e.uid, gid: e.gid, sha256: e.sha256, mtime_ns: e.type === 'file' ? e.mtime_ns : undefined };
      for (const [path, entry] of Object.entries(before)) expect([path, kept(after[path])]).toEqual([path, kept(entry)]);
      expect(Object.keys(before)).toContain(`${replacementDroplet.home}/workspace/project/notes.md`);
    });

    test("the home is the labelled disk, mounted at the user's home and owned by uid 1000", () => {
      expectHomeOnItsDisk(replacement.report, replacementDroplet);
    });

    test('the newer code-server is installed and ready', () => {
      expect(replacement.report.packages).toContain(`code-server ${NEWER_VERSION}\n`);
      expect(replacement.report.ready_marker).toContain(`code_server=${NEWER_VERSION}\n`);
      expect(mirror.requests).toContain(`GET /code-server/v${NEWER_VERSION}/code-server_${NEWER_VERSION}_amd64.deb 200`);
      expectServicesUp(replacement.report);
    });
  });

  describe('on a droplet reset in the middle of its boot', () => {
    let reset: BootResult;

    beforeAll(async () => {
      reset = await resetBoot;
      printTimeToReady('droplet reset in the middle of its boot (after the reset)', reset.report);
    }, machineCeilingMs());

    test(`the machine was reset after ${RESET_AFTER_STEP} and booted again`, () => {
      expect(reset.resetAfterSeconds).toBeDefined();
      expect(reset.console.split('\n').filter((l) => /Linux version \d/.test(l))).toHaveLength(2);
      expect(reset.console.indexOf(`ztcs: ${RESET_AFTER_STEP} done`)).toBeLessThan(reset.console.lastIndexOf('Linux version'));
    });

    test('the next boot completes the boot: the readiness marker is written and both services are up', () => {
      expect(reset.report.boot_unit).toMatchObject({ ActiveState: 'active', Result: 'success' });
      expect(reset.report.ready_marker).toContain(`code_server=${DEFAULT_CODE_SERVER_VERSION}\n`);
      expectServicesUp(reset.report);
      expect(Object.keys(reset.report.step_records)).toEqual([...BOOT_STEP_RECORDS, ...PLATFORM_STEP_RECORDS].sort());
    });

    test('the steps finished before the reset are not redone: their records are from before it, and the key was downloaded once', () => {
      const before = BOOT_STEP_RECORDS.slice(0, BOOT_STEP_RECORDS.indexOf(RESET_AFTER_STEP) + 1);
      const bootedAt = reset.report.booted_at as number;
      for (const step of before) {
        expect([step, reset.report.step_records[step].mtime < bootedAt]).toEqual([step, true]);
        expect(reset.report.boot_log).toContain(`ztcs: ${step} finished on an earlier start; skipped`);
      }
      expect(resetMirror.requests.filter((r) => r === 'GET /cloudflared/key.asc 200')).toHaveLength(1);
      expect(resetMirror.requests.filter((r) => r.startsWith('GET /cloudflared/pool/') && r.endsWith(' 200'))).toHaveLength(1);
    });

    test('the steps after the reset were done by the next boot', () => {
      const bootedAt = reset.report.booted_at as number;
      expect(reset.report.step_records['install-code-server.sh'].mtime).toBeGreaterThan(bootedAt);
      expect(reset.report.boot_log).toContain('ztcs: install-code-server.sh done');
    });
  });

  describe('on a droplet whose home disk is missing', () => {
    let noHome: BootResult;

    beforeAll(async () => {
      noHome = await noHomeBoot;
      printTimeToReady('droplet without its home disk', noHome.report);
    }, machineCeilingMs());

    test('the boot stops and says why in its log, and its unit will try again', () => {
      expect(noHome.report.boot_log).toContain(`ztcs: the home volume labelled ${firstDroplet.homeVolumeLabel} is not mounted at ${firstDroplet.home}; stopping`);
      // As the probe saw the unit at its first failure: the later report may find it started again
      // (30 s after a failure, its Result reset), and, on a slow machine, in the middle of a run.
      expect(noHome.report.boot_unit_at_outcome.ActiveState).not.toBe('active');
      expect(noHome.report.boot_unit_at_outcome.Result).toBe('exit-code');
      expect(noHome.report.boot_unit.ActiveState).not.toBe('active');
      expect(Object.keys(noHome.report.step_records)).toEqual([]);
    });

    test('nothing of the home is written to the root disk, and neither service starts', () => {
      expect(noHome.report.home_mount).toBeNull();
      // The mount point, made by cloud-init for the volume, and nothing in it.
      expect(noHome.report.files[firstDroplet.home]).toMatchObject({ type: 'dir', uid: 0, gid: 0 });
      expect(Object.keys(noHome.report.home)).toEqual([]);
      expect(noHome.report.files[READY_MARKER_PATH]).toBeNull();
      for (const name of SERVICES) expect(noHome.report.services[name].ActiveState).not.toBe('active');
    });
  });
});

function expectCloudInitDone(report: Report): void {
  const status = JSON.parse(report.status.out);
  expect({ status: status.status, extended: status.extended_status, errors: status.errors, recoverable: status.recoverable_errors })
    .toEqual({ status: 'done', extended: 'done', errors: [], recoverable: {} });
  expect(JSON.parse(report.result_json).v1.errors).toEqual([]);
}

/** Lines of cloud-init-output.log and of the boot unit's log from a program's error or warning (curl, apt, the boot's own). */
function problemsLogged(report: Report): string[] {
  return `${report.output_log}\n${report.boot_log}`.split('\n')
    .filter((line) => /^(curl: |E: |W: |dpkg: |ztcs: .*(not|fail))/.test(line) && !line.startsWith('ztcs: cloud-init finished'));
}

function expectServicesUp(report: Report): void {
  for (const name of SERVICES) expect([name, report.services[name].ActiveState]).toEqual([name, 'active']);
  expect(report.healthz.out).toMatch(/"status": "alive".*\n200$/s);
}

function expectHomeOnItsDisk(report: Report, droplet: RehearsalDroplet): void {
  expect(report.home_mount).toMatchObject({ fstype: 'ext4', label: droplet.homeVolumeLabel });
  expect(report.user).toEqual({ uid: 1000, gid: 1000, home: droplet.home });
  expect(report.files[droplet.home]).toMatchObject({ type: 'dir', uid: 1000, gid: 1000 });
}

/** `ss -Hl…n` lines as address, host and port (an interface suffix such as %enp0s3 left out). */
function sockets(ssOutput: string): Array<{ address: string; host: string; port: number }> {
  return ssOutput.split('\n').filter((l) => l.trim()).map((line) => {
    const address = line.trim().split(/\s+/)[3];
    const at = address.lastIndexOf(':');
    const host = address.slice(0, at).replace(/^\[|\]$/g, '').replace(/%.*$/, '');
    return { address, host, port: Number(address.slice(at + 1)) };
  });
}

function isLoopback(host: string): boolean {
  return /^127\./.test(host) || host === '::1';
}

/** e2fsck -fn of a disk image: reads only, reports what it would repair. */
function fsckReadOnly(path: string): { status: number | null; output: string } {
  const run = spawnSync('e2fsck', ['-f', '-n', path], { encoding: 'utf8' });
  return { status: run.status, output: `${run.stdout}${run.stderr}` };
}

/** The listening TCP sockets, with the process ids that hold them. */
function listening(report: Report): Array<{ address: string; pids: number[] }> {
  return (report.listening as string).split('\n').filter((l) => l.trim()).map((line) => {
    const fields = line.trim().split(/\s+/);
    return { address: fields[3], pids: [...line.matchAll(/pid=(\d+)/g)].map((m) => Number(m[1])) };
  });
}

function listeningOf(report: Report, pid: number): string[] {
  return listening(report).filter((s) => s.pids.includes(pid)).map((s) => s.address);
}

/** What a stand-in printed about how it was started, from its service's log. */
function standInRecord(report: Report, program: string): Record<string, any> {
  const records = (report.service_logs as string).split('\n')
    .filter((l) => l.startsWith('ztcs-stand-in '))
    .map((l) => JSON.parse(l.slice('ztcs-stand-in '.length)))
    .filter((r) => r.argv[0] === program);
  expect(records).toHaveLength(1);
  return records[0];
}

/**
 * Prints the time from cloud-init's start (init-local) to the readiness marker, or, on a boot
 * that does not write it again, to both services up as the probe saw them.
 */
function printTimeToReady(name: string, report: Report): void {
  const sinceBoot = JSON.parse(report.status_json ?? '{}').v1?.['init-local']?.start as number | undefined;
  const start = sinceBoot === undefined ? undefined : report.booted_at + sinceBoot;
  const marker = report.files[READY_MARKER_PATH] as Entry;
  const written = marker ? marker.mtime_ns / 1e9 : undefined;
  const up = report.services_up_seen as number | null;
  let line = 'not ready';
  if (start === undefined) line = 'cloud-init did not start';
  else if (written !== undefined && written > start) line = `${(written - start).toFixed(0)} s from cloud-init's start to ${READY_MARKER_PATH}`;
  else if (up) line = `${(up - start).toFixed(0)} s from cloud-init's start to both services up (${READY_MARKER_PATH} is from the first boot)`;
  console.log(`VM ${name}: ${line}`);
}
