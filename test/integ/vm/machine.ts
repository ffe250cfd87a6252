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
   * How long the machine may run before it is killed.
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
/** The kernel's last words on the console. */
const KERNEL_PANIC = /Kernel panic - not syncing/;

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
  for (let attempt = 1; ; attempt++) {
    started = Date.now();
    const qemu = spawn('qemu-system-x86_64', args, { stdio: ['ignore', 'ignore', 'pipe'] });
    stderr = '';
    qemu.stderr.on('data', (chunk) => { stderr += chunk; });
    const timer = setTimeout(() => qemu.kill('SIGKILL'), spec.timeoutMs ?? BOOT_TIMEOUT_MS);
    let whileUp: Promise<void> | undefined;
    const powerButton = () => {
      powerButtonAt = Date.now();
      monitorCommand(monitor, 'system_powerdown').catch((e) => console.log(`VM ${spec.name}: system_powerdown failed: ${e}`));
    };
    // The console and the report are watched for the moments to reset or to press the power button,
    // and for a kernel panic: the kernel then waits forever, so the machine is stopped at once.
    const watcher = setInterval(() => {
      const consoleText = fileText(consoleLog);
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
      clearTimeout(timer);
      clearInterval(watcher);
    });
    // Under software emulation the kernel can, rarely, panic while it patches itself early in the
    // boot (`int3` in `sched_clock_cpu`), before any userspace, so before cloud-init has touched a
    // disk. That is the emulator's, not the boot's: the machine is powered on once more, from the
    // same disks. A panic once cloud-init has started is the boot's, and fails it.
    if (panic !== 'early' || attempt > 1) break;
    console.log(`VM ${spec.name}: the kernel panicked ${((Date.now() - started) / 1000).toFixed(0)} s after power-on, before cloud-init; powering on again:\n` +
      fileText(consoleLog).split('\n').filter((l) => /panic|RIP:|int3/i.test(l)).slice(0, 6).join('\n'));
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
    throw new Error(`boot ${spec.name}: ${panic ? 'the kernel panicked; ' : ''}qemu exited ${code} after ${seconds.toFixed(0)} s${report ? '' : ' without a report'}; ${stderr.trim()}\n` +
      `console (last lines):\n${consoleText.split('\n').slice(-40).join('\n')}\nprobe output:\n${reportText.slice(-4000)}`);
  }
  if (whileUpError !== undefined) throw whileUpError;
  writeFileSync(join(dir, 'report.json'), JSON.stringify(report, undefined, 2));
  console.log(`VM ${spec.name}: qemu ran ${seconds.toFixed(0)} s` +
    (resetAfterSeconds === undefined ? '' : `, reset after ${resetAfterSeconds.toFixed(0)} s`) +
    (shutdownSeconds === undefined ? '' : `, ${shutdownSeconds.toFixed(0)} s from the power button to its exit`));
  return { report, console: consoleText, seconds, resetAfterSeconds, shutdownSeconds };
}
