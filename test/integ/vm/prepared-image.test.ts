import { execFile } from 'child_process';
import { createHash } from 'crypto';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'fs';
import { homedir, tmpdir } from 'os';
import { join } from 'path';
import { promisify } from 'util';
import { announceMachines, boot, BootResult, freshRootDisk, labelledDisk, machineCeilingMs, scaled, VmImage, vmImage } from './machine';
import { buildMirror, Mirror, MIRROR_IN_GUEST, MirrorContent, mirrorProps, startMirror } from './mirror';
import { editorProbe, RehearsalDroplet, rehearsalDroplet } from './user-data';
import { BOOT_DEFAULTS } from '../../../lib/boot/code-server-user-data';
import { BOOT_UNITS } from '../../../lib/private/boot/contract';
import { PREPARED_IMAGE_INPUTS } from '../../../projenrc/workflows';
import { describeTier } from '../../support/tools';

// The prepared image (scripts/prepare-image.sh): the tier's base image, booted once by the script
// with the boot's own install steps against the tier's mirror, then cloud-init reset. A droplet
// booted from it with the editor's user data downloads nothing (the mirror logs no request), and
// reaches ready with code-server's /healthz answering. The prepared image and the mirror it was
// prepared from (its key and packages, which the user data pins) are cached beside the base image (vm-prepared/),
// in a folder named after the hash of what makes them (PREPARED_IMAGE_INPUTS, which CI's cache key
// hashes too), so CI prepares it once.

const describeVm = describeTier({
  tier: 'the VM tier',
  commands: ['qemu-system-x86_64', 'qemu-img', 'debootstrap', 'genisoimage', 'mkfs.ext4', 'socat', 'apt-ftparchive', 'dpkg-deb', 'gpg'],
  root: 'debootstrap builds its image',
  install: 'Install them with: apt-get install qemu-system-x86 qemu-utils debootstrap genisoimage e2fsprogs socat apt-utils gnupg, and run the tests as root.',
});

const execFileAsync = promisify(execFile);
const REPO = join(__dirname, '..', '..', '..');
const VERSION = BOOT_DEFAULTS.codeServerVersion;
const IMAGE_TIMEOUT_MS = 20 * 60 * 1000;
const PREPARE_TIMEOUT_MS = 30 * 60 * 1000;
const RUN_TIMEOUT_MS = 15 * 60 * 1000;

/** The prepared image (a VmImage: root.qcow2, vmlinuz, initrd.img) and the mirror it was prepared from. */
interface Prepared {
  readonly image: VmImage;
  readonly mirrorRoot: string;
  readonly content: MirrorContent;
  /** The mirror's requests during the preparation, and its seconds (kept with the image). */
  readonly preparation: { readonly requests: string[]; readonly seconds: number };
  /** Whether this run prepared it (else it came from the cache). */
  readonly preparedNow: boolean;
}

async function preparedImage(base: VmImage, work: string): Promise<Prepared> {
  const hash = createHash('sha256').update(base.dir);
  for (const input of PREPARED_IMAGE_INPUTS) hash.update(readFileSync(join(REPO, input)));
  const cache = join(process.env.ZTCS_CACHE ?? join(process.env.XDG_CACHE_HOME ?? join(homedir(), '.cache'), 'cdktf-zero-trust-code-server'), 'vm-prepared');
  mkdirSync(cache, { recursive: true });
  const dir = join(cache, `prepared-${hash.digest('hex').slice(0, 16)}`);
  const image = { dir };
  if (existsSync(join(dir, 'root.qcow2')) && existsSync(join(dir, 'content.json'))) {
    const kept = JSON.parse(readFileSync(join(dir, 'content.json'), 'utf8'));
    return { image, mirrorRoot: join(dir, 'mirror'), content: kept.content, preparation: kept.preparation, preparedNow: false };
  }
  const building = mkdtempSync(join(cache, 'prepared-build.'));
  const mirrorRoot = join(building, 'mirror');
  const content = buildMirror(mirrorRoot, work, [VERSION]);
  const mirror = await startMirror(mirrorRoot);
  const pins = mirrorProps(content, VERSION);
  const started = Date.now();
  try {
    const { stderr } = await execFileAsync(join(REPO, 'scripts', 'prepare-image.sh'), [
      '--base', join(base.dir, 'root.qcow2'), '--out', join(building, 'root.qcow2'),
      '--kernel', join(base.dir, 'vmlinuz'), '--initrd', join(base.dir, 'initrd.img'), '--append', 'root=LABEL=ztcs-root ro console=ttyS0',
      '--code-server-version', VERSION, '--code-server-sha256', pins.codeServerSha256, '--code-server-deb-url', pins.codeServerDebUrl,
      '--cloudflared-repository', pins.cloudflaredAptRepository, '--cloudflared-key-url', pins.cloudflaredKeyUrl,
      '--cloudflared-key-fingerprint', pins.cloudflaredKeyFingerprint,
      // The guest reaches the mirror only, as the tier's droplets do.
      '--netdev-options', `restrict=on,guestfwd=tcp:${new URL(MIRROR_IN_GUEST).hostname}:80-cmd:socat - TCP:127.0.0.1:${mirror.port}`,
    ], { maxBuffer: 64 * 1024 * 1024, timeout: scaled(PREPARE_TIMEOUT_MS) });
    console.log(stderr.trim());
  } catch (e) {
    const consoleLog = join(building, 'root.qcow2.console.log');
    if (existsSync(consoleLog)) writeFileSync(join(work, 'prepare-console.log'), readFileSync(consoleLog));
    rmSync(building, { recursive: true, force: true });
    throw e;
  } finally {
    await mirror.close();
  }
  const preparation = { requests: mirror.requests, seconds: (Date.now() - started) / 1000 };
  copyFileSync(join(base.dir, 'vmlinuz'), join(building, 'vmlinuz'));
  copyFileSync(join(base.dir, 'initrd.img'), join(building, 'initrd.img'));
  writeFileSync(join(building, 'content.json'), JSON.stringify({ content, preparation }));
  rmSync(dir, { recursive: true, force: true });
  renameSync(building, dir);
  // Images prepared from older inputs are not used again.
  for (const old of readdirSync(cache)) {
    if (old.startsWith('prepared-') && join(cache, old) !== dir) rmSync(join(cache, old), { recursive: true, force: true });
  }
  return { image, mirrorRoot: join(dir, 'mirror'), content, preparation, preparedNow: true };
}

describeVm('a droplet from the prepared image (scripts/prepare-image.sh) downloads nothing', () => {
  let work: string;
  let prepared: Prepared;
  let mirror: Mirror;
  let droplet: RehearsalDroplet;
  let result: BootResult;

  beforeAll(() => announceMachines('prepared-image.test.ts', 'the image preparation (when not cached) and one droplet from the prepared image', 4));

  beforeAll(async () => {
    work = mkdtempSync(join(tmpdir(), 'ztcs-prepared-'));
    prepared = await preparedImage(await vmImage(), work);
    console.log(`VM prepared image: ${prepared.preparedNow ? 'prepared' : 'from the cache, prepared'} in ${prepared.preparation.seconds.toFixed(0)} s; ` +
      `the mirror served ${JSON.stringify(prepared.preparation.requests)}`);
    mirror = await startMirror(prepared.mirrorRoot);
    droplet = rehearsalDroplet({ boot: mirrorProps(prepared.content, VERSION) });
    result = await boot({
      name: 'prepared',
      workDir: work,
      image: prepared.image,
      rootDisk: freshRootDisk(prepared.image, join(work, 'root.qcow2')),
      homeDisk: labelledDisk(join(work, 'home.img'), droplet.homeVolumeLabel),
      instanceId: 'droplet-prepared-image',
      hostname: droplet.dropletName,
      userData: droplet.userData,
      mirrorPort: mirror.port,
      timeoutMs: RUN_TIMEOUT_MS,
      probe: editorProbe(droplet),
    });
    // Notes for the benchmark, not assertions.
    const readyAt = Date.parse(/^ready_at=(\S+)$/m.exec(result.report.ready_marker ?? '')?.[1] ?? '') / 1000;
    const records = (result.report.step_records ?? {}) as Record<string, { mtime: number }>;
    const steps = Object.fromEntries(Object.entries(records).map(([name, r]) => [name, Math.round(r.mtime - result.report.booted_at)]));
    console.log(`VM prepared image: ${(readyAt - result.report.booted_at).toFixed(0)} s from power-on to ready; each step's end, in s after power-on: ` +
      `${JSON.stringify(steps)}; qemu ran ${result.seconds.toFixed(0)} s; the mirror served ${JSON.stringify(mirror.requests)}`);
  }, scaled(IMAGE_TIMEOUT_MS + PREPARE_TIMEOUT_MS) + machineCeilingMs(RUN_TIMEOUT_MS));

  afterAll(async () => {
    await mirror?.close();
    if (process.env.ZTCS_VM_KEEP) console.log(`VM prepared image: the boot's files are in ${work}`);
    else if (work) rmSync(work, { recursive: true, force: true });
  });

  test('the preparation installed both packages from the mirror, as the boot would', () => {
    expect(prepared.preparation.requests).toContain(`GET /code-server/v${VERSION}/code-server_${VERSION}_amd64.deb 200`);
    expect(prepared.preparation.requests).toContain('GET /cloudflared/key.asc 200');
    expect(prepared.preparation.requests.filter((r) => /\/cloudflared_[^/]+\.deb 200$/.test(r))).toHaveLength(1);
  });

  test('the droplet booted from it downloads nothing: the mirror logs no request', () => {
    expect(mirror.requests).toEqual([]);
  });

  test('it reaches ready: the pinned code-server and cloudflared run, and code-server\'s /healthz answers', () => {
    expect(result.report.packages).toContain(`code-server ${VERSION}\n`);
    expect(result.report.packages).toMatch(/^cloudflared \S+$/m);
    expect(result.report.ready_marker).toContain(`code_server=${VERSION}\n`);
    expect(result.report.boot_unit).toMatchObject({ ActiveState: 'active', Result: 'success' });
    expect(result.report.services[BOOT_UNITS.codeServer]).toMatchObject({ ActiveState: 'active' });
    expect(result.report.services[BOOT_UNITS.cloudflared]).toMatchObject({ ActiveState: 'active' });
    expect(result.report.healthz.out).toMatch(/200$/);
  });

  test('cloud-init ran afresh for the droplet: the developer\'s user and the home exist', () => {
    expect(result.report.step_records['prepare-home.sh']).toBeDefined();
    expect(result.report.step_records['install-code-server.sh']).toBeDefined();
    expect(result.report.step_records['install-cloudflared.sh']).toBeDefined();
  });
});
