import { execFile, execFileSync, spawn } from 'child_process';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'fs';
import { createConnection } from 'net';
import { join } from 'path';
import { promisify } from 'util';
import { MIRROR_IN_GUEST } from './mirror';

// One droplet of the rehearsal: a copy-on-write root disk over the cached image, a NoCloud seed
// disk with the user data, the home disk when there is one, and the probe disk; booted by
// qemu with software emulation, its only network a forward of the mirror's address to the
// mirror on the host's loopback. The probe's report comes back on the second serial port.

const execFileAsync = promisify(execFile);
const REPO = join(__dirname, '..', '..', '..');

/** The cached image: root.qcow2 (the root disk), vmlinuz and initrd.img. */
export interface VmImage {
  readonly dir: string;
}

/** Builds the image, or finds it in the cache (scripts/build-vm-image.sh). */
export async function vmImage(): Promise<VmImage> {
  const { stdout, stderr } = await execFileAsync(join(REPO, 'scripts', 'build-vm-image.sh'), [], { maxBuffer: 64 * 1024 * 1024 });
  if (stderr.trim()) console.log(stderr.trim());
  return { dir: stdout.trim().split('\n').pop()! };
}

/** A fresh root disk: the image's file system, copy-on-write, as a new droplet gets. */
export function freshRootDisk(image: VmImage, path: string): string {
  execFileSync('qemu-img', ['create', '-q', '-f', 'qcow2', '-b', join(image.dir, 'root.qcow2'), '-F', 'qcow2', path, '8G']);
  return path;
}

/** A copy of a disk, its holes kept. */
export function copyDisk(from: string, to: string): string {
  execFileSync('cp', ['--sparse=always', from, to]);
  return to;
}

/** An empty ext4 disk with a label, as DigitalOcean formats a new volume. */
export function labelledDisk(path: string, label: string): string {
  execFileSync('mkfs.ext4', ['-q', '-L', label, path, '1G']);
  return path;
}

function iso(path: string, label: string, files: Record<string, { content: string; mode?: number }>): string {
  const dir = `${path}.d`;
  mkdirSync(dir, { recursive: true });
  for (const [name, { content, mode }] of Object.entries(files)) writeFileSync(join(dir, name), content, { mode: mode ?? 0o644 });
  execFileSync('genisoimage', ['-quiet', '-output', path, '-volid', label, '-joliet', '-rock', dir]);
  return path;
}

/** What the probe in the guest is told. */
export interface ProbeConfig {
  readonly user: string;
  readonly home: string;
  readonly services: string[];
  /** Paths whose type, mode, owner, times and content hash are reported (the home's too). */
  readonly files: string[];
  /** The readiness marker, whose content is reported. */
  readonly readyMarker: string;
  /** Play the developer after the report: change files in the home, list it again. */
  readonly work?: boolean;
  /** The boot's unit, whose end the probe waits for after cloud-init's. */
  readonly bootUnit: string;
  /** Where the boot's step records are, reported with their contents. */
  readonly stepRecords: string;
  /** What the probe waits for: the boot unit finished (active), or its first failure. */
  readonly bootOutcome: 'finished' | 'failure';
  /** After the report, wait to be shut down from outside (an ACPI power-off) instead of powering off. */
  readonly stayUp?: boolean;
  /** Programs of the probe disk (BootSpec.probeFiles) that the probe starts first, in the background, as root. */
  readonly agents?: string[];
  /** Play the developer of the idle rehearsal (see guest/probe, `Developer`). */
  readonly idle?: Record<string, string | number>;
}

/** One boot of a droplet. */
export interface BootSpec {
  /** A name for the files of this boot (console log, report). */
  readonly name: string;
  readonly workDir: string;
  readonly image: VmImage;
  /** A disk from freshRootDisk (over the same image), new or booted before. */
  readonly rootDisk: string;
  /** The data source's instance id: a new one is a new droplet, the same one a reboot. */
  readonly instanceId: string;
  readonly hostname: string;
  readonly userData: string;
  readonly homeDisk?: string;
  readonly probe: ProbeConfig;
  /** The mirror's port on the host's loopback. */
  readonly mirrorPort: number;
  /**
   * Reset the machine (qemu's `system_reset`, a power cycle) the first time the console shows
   * this; the machine then boots again from the same disks, and the report is the second boot's.
   */
  readonly resetWhen?: RegExp;
  /** After the report, press the power button (qemu's `system_powerdown`, ACPI) and wait for qemu to exit. */
  readonly acpiShutdown?: boolean;
  /**
   * With acpiShutdown: what the test does with the machine up, given the report; the power button
   * is pressed when it settles. Its failure is boot's, once qemu has exited.
   */
  readonly whileUp?: (report: Record<string, any>) => Promise<void>;
  /** More files for the probe disk, beside the probe (e.g. its agents). */
  readonly probeFiles?: Record<string, { content: string; mode?: number }>;
  /**
   * More services of the host's loopback the guest reaches, each at an address of its own, port 80
   * (e.g. the host's half of a reverse forward that the guest dials).
   */
  readonly forwards?: Array<{ readonly guestAddress: string; readonly hostPort: number }>;
  /**
   * How long the machine may run before it is killed, at the reference machine's speed: scaled by
   * this machine's slowdown (measureSlowdown), and extended once while the machine makes progress.
   * @default - 15 minutes
   */
  readonly timeoutMs?: number;
}

/** What came back from one boot. */
export interface BootResult {
  /** The probe's report (see guest/probe). */
  readonly report: Record<string, any>;
  /** The kernel's and the services' console output. */
  readonly console: string;
  /** Wall-clock seconds from qemu's start to its exit. */
  readonly seconds: number;
  /** With resetWhen: seconds from qemu's start to the reset. */
  readonly resetAfterSeconds?: number;
  /** With acpiShutdown: seconds from the power button to qemu's exit. */
  readonly shutdownSeconds?: number;
}

/** Sends one command to qemu's human monitor on its unix socket. */
function monitorCommand(socket: string, command: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const connection = createConnection(socket, () => {
      connection.end(`${command}\n`);
    });
    connection.on('error', reject);
    connection.on('close', () => resolve());
    connection.resume();
  });
}

function fileText(path: string): string {
  return existsSync(path) ? readFileSync(path, 'utf8') : '';
}

const BOOT_TIMEOUT_MS = 15 * 60 * 1000;
/**
 * Past its time limit, a machine whose console or report grew within this window is still
 * booting, slowly: it is given up to its limit once more before it is killed.
 */
export const PROGRESS_WINDOW_MS = 3 * 60 * 1000;

/**
 * What a guest's kernel prints of a stuck guest, line by line after its timestamp: a task blocked
 * (hung_task, every 2 minutes), a soft lockup, and their stack traces and registers.
 */
const STUCK_REPORT = new RegExp([
  'INFO: task .* blocked for more than', '\\s*(Not tainted|Tainted:)', '"echo 0 > /proc/sys/kernel/hung_task_timeout_secs"', 'task:',
  'Call Trace:', '\\s*</?TASK>', '\\s*(\\? )?[\\w.$]+\\+0x[0-9a-f]+/0x[0-9a-f]+', '(RIP|RSP|RAX|RDX|RBP|R\\d+|CS|FS|CR2|Code):',
  'watchdog: BUG: soft lockup', 'Modules linked in:', 'CPU: \\d+ ', 'Hardware name:',
].map((line) => `^\\[\\s*\\d+\\.\\d+\\]\\s?${line}`).join('|'));

/** The console without the kernel's reports of a stuck guest: what counts as a machine's progress. */
export function progressOf(consoleText: string): string {
  return consoleText.replace(/\r/g, '').split('\n').filter((line) => !STUCK_REPORT.test(line)).join('\n');
}

/**
 * Whether a machine that has run this long, its output silent for this long, is stopped: past its
 * limit, unless its output grew within the progress window; past twice its limit in any case.
 */
export function timeIsUp(runningMs: number, silentMs: number, limitMs: number): boolean {
  return runningMs > limitMs && (silentMs > PROGRESS_WINDOW_MS || runningMs > 2 * limitMs);
}

/** A fixed piece of work for the calibration: arithmetic in a loop, as an emulator's own. */
function calibrationWork(): number {
  let x = 1;
  let sum = 0;
  for (let i = 0; i < 3_000_000; i++) {
    x = (x * 69069 + 1) % 4294967296;
    sum += x % 7;
  }
  return sum;
}

/** The calibration's time on the build machine, a core to itself (its CPU time there, with Node.js 20, 22 and 24). */
const CALIBRATION_REFERENCE_MS = 100;

/**
 * How many times slower than the machine the time limits were set on this one runs now, at least
 * 1: the best of three timings of a fixed piece of work (about 0.1 s of CPU there) against the
 * reference's. A slower processor and other processes' share of the cores both count. Every
 * machine's time limit, and the tests' own, are multiplied by it.
 */
export function measureSlowdown(): number {
  const timings: number[] = [];
  for (let i = 0; i < 3; i++) {
    const started = process.hrtime.bigint();
    calibrationWork();
    timings.push(Number(process.hrtime.bigint() - started) / 1e6);
  }
  return Math.max(1, Math.min(...timings) / CALIBRATION_REFERENCE_MS);
}

/**
 * The most slowdown a time limit counts: under a load of 20 the calibration said up to 9.5 while
 * the slowest boot took 2.6 times its usual time (the idle stop's machine, 775 s to ready against
 * 300 s), and a stuck guest should not run for hours. A slower machine that still makes progress
 * is given its limit once more (timeIsUp).
 */
export const MAX_SLOWDOWN_COUNTED = 3;

/** The slowdown when the test file was loaded, up to MAX_SLOWDOWN_COUNTED; its jest time limits are scaled by it. */
export const SLOWDOWN = Math.min(measureSlowdown(), MAX_SLOWDOWN_COUNTED);

/** A time limit of the tier, at this machine's speed. */
export function scaled(ms: number): number {
  return Math.round(ms * SLOWDOWN);
}

/**
 * A machine's time limit at this machine's speed: scaled by the slower of the speeds when the
 * file was loaded and when the machine boots, the latter at most twice the former (the tests'
 * own limits allow that much).
 */
function machineLimitMs(timeoutMs: number): number {
  return timeoutMs * Math.min(Math.max(SLOWDOWN, measureSlowdown()), 2 * SLOWDOWN, MAX_SLOWDOWN_COUNTED);
}

/**
 * The longest a machine with this time limit can run, for the tests' own limits: its limit at up
 * to twice the slowdown measured when the file was loaded, and once more while it makes progress.
 */
export function machineCeilingMs(timeoutMs: number = BOOT_TIMEOUT_MS): number {
  return 2 * 2 * scaled(timeoutMs);
}

/**
 * Says, before a test file boots its machines, what it will boot and about how long that took in
 * CI, and how this machine's speed compares. Straight to stderr: jest holds a file's console output
 * until the file ends, and the VM tier's files run for many minutes.
 */
export function announceMachines(file: string, what: string, minutesInCi: number): void {
  process.stderr.write(`VM tier, ${file}: boots ${what} under software emulation (about ${minutesInCi} minutes in CI on a shared ` +
    `2-core machine); this machine runs ${measureSlowdown().toFixed(1)} times slower than a quiet core now, and the machines' time limits are scaled by that ` +
    `(up to ${MAX_SLOWDOWN_COUNTED} times)\n`);
}

/** The kernel's last words on the console. */
const KERNEL_PANIC = /Kernel panic - not syncing/;

/**
 * The emulator's mark on a kernel panic: the trap hit the middle of a 5-byte NOP that the kernel
 * patches at run time (`0f <1f> 44 00 00`) or the `int3` it puts there while patching (`<cc>`).
 * Under software emulation with two vCPUs one of them can run such code half-patched (seen in
 * `inet_ehashfn` 75 s into a boot, and in `sched_clock_cpu`); real hardware never does.
 */
const PATCHING_TRAP = /Code: [0-9a-f<> ]*(?:0f <1f> 44 00 00|<cc>)/;

/**
 * Whether a panicked machine is powered on once more: a panic before cloud-init touched a disk,
 * or one with the emulator's mark at any time (the boot resumes after a reset mid-boot, as the
 * first boot's tests prove). Any other panic once cloud-init has started is the boot's, and fails it.
 */
export function panicIsTheEmulators(consoleText: string): boolean {
  return KERNEL_PANIC.test(consoleText) && (!/cloud-init/i.test(consoleText) || PATCHING_TRAP.test(consoleText));
}

/** The probe's report from its serial port's output, once it is all there. */
function parseReport(output: string): Record<string, any> | undefined {
  const match = /ZTCS-REPORT-BEGIN\n([\s\S]*?)ZTCS-REPORT-END/.exec(output.replace(/\r/g, ''));
  return match ? JSON.parse(Buffer.from(match[1].replace(/\s/g, ''), 'base64').toString('utf8')) : undefined;
}

/** Boots the droplet until the probe powers it off, and returns the probe's report. */
export async function boot(spec: BootSpec): Promise<BootResult> {
  const dir = join(spec.workDir, spec.name);
  mkdirSync(dir, { recursive: true });
  const seed = iso(join(dir, 'seed.iso'), 'cidata', {
    'user-data': { content: spec.userData },
    'meta-data': { content: `instance-id: ${spec.instanceId}\nlocal-hostname: ${spec.hostname}\n` },
  });
  const probe = iso(join(dir, 'probe.iso'), 'ztcs-probe', {
    'probe': { content: readFileSync(join(__dirname, 'guest', 'probe'), 'utf8'), mode: 0o755 },
    'probe.json': { content: JSON.stringify(spec.probe) },
    ...spec.probeFiles,
  });
  const consoleLog = join(dir, 'console.log');
  const reportLog = join(dir, 'report.log');
  const monitor = join(dir, 'monitor.sock');
  const mirror = new URL(MIRROR_IN_GUEST);
  const drives = [
    `file=${spec.rootDisk},if=virtio,format=qcow2`,
    `file=${seed},if=virtio,format=raw,readonly=on`,
    ...(spec.homeDisk ? [`file=${spec.homeDisk},if=virtio,format=raw`] : []),
    `file=${probe},if=virtio,format=raw,readonly=on`,
  ];
  const args = [
    '-accel', 'tcg', '-m', '2048', '-smp', '2',
    '-display', 'none', '-monitor', `unix:${monitor},server=on,wait=off`,
    // A reboot ends qemu, except where the test resets the machine and lets it boot again.
    ...(spec.resetWhen ? [] : ['-no-reboot']),
    '-kernel', join(spec.image.dir, 'vmlinuz'), '-initrd', join(spec.image.dir, 'initrd.img'),
    '-append', 'root=LABEL=ztcs-root ro console=ttyS0',
    ...drives.flatMap((d) => ['-drive', d]),
    // restrict=on: the guest reaches nothing but the mirror's forwarded address.
    '-netdev', [
      'user,id=net0,restrict=on',
      `guestfwd=tcp:${mirror.hostname}:80-cmd:socat - TCP:127.0.0.1:${spec.mirrorPort}`,
      ...(spec.forwards ?? []).map((f) => `guestfwd=tcp:${f.guestAddress}:80-cmd:socat - TCP:127.0.0.1:${f.hostPort}`),
    ].join(','),
    '-device', 'virtio-net-pci,netdev=net0',
    '-serial', `file:${consoleLog}`, '-serial', `file:${reportLog}`,
  ];
  let started = Date.now();
  let stderr = '';
  let resetAfterSeconds: number | undefined;
  let powerButtonAt: number | undefined;
  let whileUpError: unknown;
  let panic: 'early' | 'late' | undefined;
  let code: number | null;
  let killedAfterLimit: string | undefined;
  const limitMs = machineLimitMs(spec.timeoutMs ?? BOOT_TIMEOUT_MS);
  for (let attempt = 1; ; attempt++) {
    started = Date.now();
    const qemu = spawn('qemu-system-x86_64', args, { stdio: ['ignore', 'ignore', 'pipe'] });
    stderr = '';
    qemu.stderr.on('data', (chunk) => { stderr += chunk; });
    let grownAt = started;
    let outputSize = 0;
    let whileUp: Promise<void> | undefined;
    const powerButton = () => {
      powerButtonAt = Date.now();
      monitorCommand(monitor, 'system_powerdown').catch((e) => console.log(`VM ${spec.name}: system_powerdown failed: ${e}`));
    };
    // The console and the report are watched for the moments to reset or to press the power button,
    // and for a kernel panic: the kernel then waits forever, so the machine is stopped at once.
    const watcher = setInterval(() => {
      const consoleText = fileText(consoleLog);
      // The time limit, and past it, the progress the console and the report still show (a stuck
      // guest's kernel reports it every 2 minutes: that is no progress).
      const size = progressOf(consoleText).length + fileText(reportLog).length;
      if (size !== outputSize) {
        outputSize = size;
        grownAt = Date.now();
      }
      const running = Date.now() - started;
      if (killedAfterLimit === undefined && timeIsUp(running, Date.now() - grownAt, limitMs)) {
        killedAfterLimit = `killed after its time limit of ${(limitMs / 1000).toFixed(0)} s (${((spec.timeoutMs ?? BOOT_TIMEOUT_MS) / 1000).toFixed(0)} s ` +
          `at the reference speed), its output silent for ${((Date.now() - grownAt) / 1000).toFixed(0)} s`;
        qemu.kill('SIGKILL');
      }
      if (panic === undefined && KERNEL_PANIC.test(consoleText)) {
        panic = /cloud-init/i.test(consoleText) ? 'late' : 'early';
        qemu.kill('SIGKILL');
      }
      if (spec.resetWhen && resetAfterSeconds === undefined && spec.resetWhen.test(consoleText)) {
        resetAfterSeconds = (Date.now() - started) / 1000;
        monitorCommand(monitor, 'system_reset').catch((e) => console.log(`VM ${spec.name}: system_reset failed: ${e}`));
      }
      if (spec.acpiShutdown && powerButtonAt === undefined && whileUp === undefined && fileText(reportLog).includes('ZTCS-REPORT-END')) {
        if (!spec.whileUp) {
          powerButton();
        } else {
          whileUp = Promise.resolve()
            .then(() => spec.whileUp!(parseReport(fileText(reportLog))!))
            .catch((e) => { whileUpError = e; })
            .finally(powerButton);
        }
      }
    }, 500);
    code = await new Promise<number | null>((resolve, reject) => {
      qemu.on('error', reject);
      qemu.on('exit', (exitCode) => resolve(exitCode));
    }).finally(() => {
      clearInterval(watcher);
    });
    // Under software emulation the kernel can, rarely, panic while it patches itself: that is the
    // emulator's, not the boot's (panicIsTheEmulators), and the machine is powered on once more,
    // from the same disks. Any other panic fails the boot.
    if (panic === undefined || attempt > 1 || !panicIsTheEmulators(fileText(consoleLog))) break;
    console.log(`VM ${spec.name}: the kernel panicked ${((Date.now() - started) / 1000).toFixed(0)} s after power-on (${panic === 'early' ? 'before cloud-init' : 'trapped in code it was patching'}); powering on again:\n` +
      fileText(consoleLog).split('\n').filter((l) => /panic|RIP:|Code:|int3|invalid opcode/i.test(l)).slice(0, 6).join('\n'));
    for (const log of [consoleLog, reportLog]) rmSync(log, { force: true });
    panic = undefined;
  }
  const exited = Date.now();
  const seconds = (exited - started) / 1000;
  const shutdownSeconds = powerButtonAt === undefined ? undefined : (exited - powerButtonAt) / 1000;
  const consoleText = existsSync(consoleLog) ? readFileSync(consoleLog, 'utf8') : '';
  const reportText = fileText(reportLog).replace(/\r/g, '');
  const report = parseReport(reportText);
  if (code !== 0 || !report) {
    throw new Error(`boot ${spec.name}: ${panic ? 'the kernel panicked; ' : ''}qemu exited ${code} after ${seconds.toFixed(0)} s${report ? '' : ' without a report'}` +
      `${killedAfterLimit ? `, ${killedAfterLimit}` : ''}; ${stderr.trim()}\n` +
      `console (last lines):\n${consoleText.split('\n').slice(-40).join('\n')}\nprobe output:\n${reportText.slice(-4000)}`);
  }
  if (whileUpError !== undefined) throw whileUpError;
  writeFileSync(join(dir, 'report.json'), JSON.stringify(report, undefined, 2));
  console.log(`VM ${spec.name}: qemu ran ${seconds.toFixed(0)} s` +
    (resetAfterSeconds === undefined ? '' : `, reset after ${resetAfterSeconds.toFixed(0)} s`) +
    (shutdownSeconds === undefined ? '' : `, ${shutdownSeconds.toFixed(0)} s from the power button to its exit`));
  return { report, console: consoleText, seconds, resetAfterSeconds, shutdownSeconds };
}
