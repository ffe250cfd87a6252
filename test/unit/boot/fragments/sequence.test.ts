import { spawnSync } from 'child_process';
import { chmodSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'fs';
import { tmpdir } from 'os';
import { dirname, join } from 'path';
import { BootPhase, BootStep, renderBootStep } from '../../../../lib/boot/boot-steps';
import { bootEntry, bootSequence, platformStepPath, platformStepRecord, renderStepList } from '../../../../lib/boot/fragments/sequence';
import { BOOT_PATHS, BOOT_STEP_RECORDS, BOOT_UNITS } from '../../../../lib/private/boot/contract';

// The list boot.sh runs, generated from BOOT_SEQUENCE and the platform's steps, run for real by
// bash: the steps' scripts and systemctl are stubs that log their call and fail when told to.

const PLATFORM: BootStep[] = [
  { name: 'certs', commands: ['true'] },
  { name: 'tools', phase: BootPhase.AFTER_READY, commands: ['true'] },
  { name: 'cache', phase: BootPhase.AFTER_READY, commands: ['true'] },
  { name: 'proxy', commands: ['true'] },
];
const RENDERED = PLATFORM.map(renderBootStep);
const record = (name: string) => platformStepRecord(RENDERED[PLATFORM.findIndex((step) => step.name === name)]);

/** Every record of a boot that finishes, in the order its steps run. */
const WHOLE_BOOT = [
  'prepare-home.sh', 'configure-ssh.sh', 'install-cloudflared.sh', BOOT_UNITS.cloudflared, 'install-code-server.sh',
  record('certs'), record('proxy'),
  BOOT_UNITS.codeServer, 'wait-ready.sh',
  record('tools'), record('cache'),
  'personalize.sh', 'enable-security-updates.sh',
];

let work: string;
beforeEach(() => {
  work = mkdtempSync(join(tmpdir(), 'ztcs-sequence-'));
});
afterEach(() => rmSync(work, { recursive: true, force: true }));

interface Run {
  status: number | null;
  stderr: string;
  /** What ran, in order: a step's record name, or the unit systemctl started. */
  ran: string[];
  records: string[];
}

/** Runs the document's boot.sh with its folders in the test's, each record in `failing` failing. */
function runBoot(failing: string[] = []): Run {
  const steps = join(work, 'scripts');
  const records = join(work, 'records');
  const bin = join(work, 'bin');
  const log = join(work, 'ran.log');
  const stub = (path: string, name: string) => {
    mkdirSync(dirname(path), { recursive: true });
    writeFileSync(path, `#!/bin/bash\necho '${name}' >> '${log}'\nexit ${failing.includes(name) ? 1 : 0}\n`);
    chmodSync(path, 0o755);
  };
  for (const name of BOOT_STEP_RECORDS.filter((r) => r.endsWith('.sh'))) stub(join(steps, name), name);
  for (const step of RENDERED) stub(join(steps, platformStepPath(step).slice(BOOT_PATHS.scripts.length + 1)), platformStepRecord(step));
  mkdirSync(bin, { recursive: true });
  writeFileSync(join(bin, 'systemctl'), `#!/bin/bash\necho "$3" >> '${log}'\n[[ " ${failing.join(' ')} " != *" $3 "* ]]\n`);
  chmodSync(join(bin, 'systemctl'), 0o755);
  mkdirSync(join(work, 'etc'), { recursive: true });
  writeFileSync(join(work, 'etc', 'boot.env'), "HOME_VOLUME_LABEL=''\nCODE_HOME='/nonexistent'\n");
  writeFileSync(log, '', { flag: 'a' });
  const script = bootEntry(RENDERED)
    .replace(`\nsteps=${BOOT_PATHS.scripts}\n`, `\nsteps='${steps}'\n`)
    .replace(`\nrecords=${BOOT_PATHS.stepRecords}\n`, `\nrecords='${records}'\n`);
  const result = spawnSync('bash', ['-c', script], { encoding: 'utf8', env: { ...process.env, ZTCS_ETC: join(work, 'etc'), PATH: `${bin}:${process.env.PATH}` } });
  const ran = readFileSync(log, 'utf8').split('\n').filter((line) => line !== '');
  writeFileSync(log, '');
  let kept: string[] = [];
  try {
    kept = readdirSync(records).sort();
  } catch {
    kept = [];
  }
  return { status: result.status, stderr: result.stderr, ran, records: kept };
}

describe('the boot\'s list', () => {
  test('the boot\'s own steps and the platform\'s run in one list: before-editor steps after code-server\'s install, after-ready ones once it is ready', () => {
    // WHEN
    const run = runBoot();

    // THEN
    expect(run.status).toBe(0);
    expect(run.ran).toEqual(WHOLE_BOOT);
    expect(run.records).toEqual([...WHOLE_BOOT].sort());
  });

  test('a second start runs nothing: every step has its record', () => {
    // GIVEN
    runBoot();

    // WHEN
    const again = runBoot();

    // THEN
    expect([again.status, again.ran]).toEqual([0, []]);
  });

  test.each([
    ['a step of the boot\'s own', 'install-cloudflared.sh'],
    ['the tunnel\'s start', BOOT_UNITS.cloudflared],
    ['a before-editor step of the platform', record('certs')],
  ])('%s that fails stops the boot there, and the next start resumes from it', (_, failing) => {
    // WHEN
    const failed = runBoot([failing]);

    // THEN
    const upTo = WHOLE_BOOT.slice(0, WHOLE_BOOT.indexOf(failing) + 1);
    expect(failed.status).not.toBe(0);
    expect(failed.ran).toEqual(upTo);
    expect(failed.records).toEqual(upTo.slice(0, -1).sort());
    expect(runBoot().ran).toEqual(WHOLE_BOOT.slice(upTo.length - 1));
  });

  test('an after-ready step of the platform that fails skips the rest of its phase and warns; the boot\'s optional steps still run', () => {
    // WHEN
    const run = runBoot([record('tools')]);

    // THEN
    expect(run.status).toBe(0);
    expect(run.ran).toEqual(WHOLE_BOOT.filter((name) => name !== record('cache')));
    expect(run.stderr).toContain('ztcs: a boot step of the platform did not finish; the editor is up without it');
    expect(run.records).not.toContain(record('tools'));
  });

  test('personalize failing only warns, and the security updates are still turned on', () => {
    const run = runBoot(['personalize.sh']);
    expect(run.status).toBe(0);
    expect(run.ran.slice(-2)).toEqual(['personalize.sh', 'enable-security-updates.sh']);
    expect(run.stderr).toContain('ztcs: personalization did not finish; the editor is up without it');
  });
});

describe('bootSequence', () => {
  test('without platform steps, the list is the boot\'s own steps, in the records\' order', () => {
    expect(bootSequence([]).flatMap((group) => group.steps.map((step) => step.record))).toEqual([...BOOT_STEP_RECORDS]);
  });

  test('the platform\'s after-ready steps are one group that warns; its before-editor steps a critical group each', () => {
    const groups = bootSequence(RENDERED).filter((group) => group.steps.some((step) => step.record.startsWith('custom-')));
    expect(groups.map((group) => [group.steps.map((step) => step.record), group.warning !== undefined])).toEqual([
      [[record('certs')], false],
      [[record('proxy')], false],
      [[record('tools'), record('cache')], true],
    ]);
  });

  test('renders a warning group as one line that stops at its first failure', () => {
    const text = renderStepList([{ steps: [{ record: 'a.sh', command: '"$steps/a.sh"' }, { record: 'b.sh', command: '"$steps/b.sh"' }], warning: 'w' }]);
    expect(text).toContain('{ step a.sh "$steps/a.sh" && step b.sh "$steps/b.sh"; } || echo "ztcs: w" >&2\n');
  });
});
