import { machineCeilingMs, MAX_SLOWDOWN_COUNTED, measureSlowdown, panicIsTheEmulators, PROGRESS_WINDOW_MS, progressOf, scaled, SLOWDOWN, timeIsUp } from './machine';

// The VM tier's machines are given time by this machine's speed (the issue: a first boot killed
// at 900 s on a loaded 2-core machine while its console showed the boot finished at 865 s).

const MINUTE = 60 * 1000;
const LIMIT = 15 * MINUTE;

test.each([
  ['within its limit, a silent machine runs on', 10 * MINUTE, 9 * MINUTE, false],
  ['past its limit, a machine whose output grew within the progress window runs on', 16 * MINUTE, PROGRESS_WINDOW_MS - 1000, false],
  ['past its limit, a machine silent for longer than the progress window is stopped', 16 * MINUTE, PROGRESS_WINDOW_MS + 1000, true],
  ['past twice its limit, a machine is stopped even while its output grows', 2 * LIMIT + 1000, 0, true],
])('%s', (_, running, silent, stopped) => {
  expect(timeIsUp(running, silent, LIMIT)).toBe(stopped);
});

test('the slowdown is at least 1, and the time limits and the tests\' ceilings grow with it', () => {
  expect(SLOWDOWN).toBeGreaterThanOrEqual(1);
  expect(SLOWDOWN).toBeLessThanOrEqual(MAX_SLOWDOWN_COUNTED);
  expect(measureSlowdown()).toBeGreaterThanOrEqual(1);
  expect(scaled(LIMIT)).toBe(Math.round(LIMIT * SLOWDOWN));
  // A machine's limit at up to twice the slowdown, extended once: the jest limit covers it all.
  expect(machineCeilingMs(LIMIT)).toBe(4 * scaled(LIMIT));
});

test('a stuck guest\'s kernel reports (a blocked task, a soft lockup, their traces) are no progress; the boot\'s own lines are', () => {
  const boot = [
    '[  463.524377] cloud-init[359]: Cloud-init v. 25.1.4 running \'modules:final\' at Sat, 05 Dec 2026 21:43:41 +0000. Up 458.',
    '[  OK  ] Finished ztcs-boot.service - Boot.',
  ];
  // A hung udev worker's report, as a guest printed it every 2 minutes under a loaded CI run.
  const stuck = [
    '[  767.259666] INFO: task (udev-worker):185 blocked for more than 120 seconds.',
    '[  767.259666]       Not tainted 6.12.57+deb13-cloud-amd64 #1 Debian 6.12.57-1',
    '[  767.259666] "echo 0 > /proc/sys/kernel/hung_task_timeout_secs" disables this message.',
    '[  767.259666] task:(udev-worker)   state:D stack:0     pid:185   tgid:185   ppid:167    flags:0x00004006',
    '[  767.259666] Call Trace:',
    '[  767.259666]  <TASK>',
    '[  767.259666]  __schedule+0x505/0xc00',
    '[ 1733.921795]  ? handle_mm_fault+0x1bb/0x2c0',
    '[ 1733.925767] RIP: 0033:0x7ff540fc96b9',
    '[ 1733.925767] RSP: 002b:00007ffe6365e708 EFLAGS: 00000246 ORIG_RAX: 0000000000000139',
    '[ 1733.925767] R13: 0000000000020000 R14: 0000563842e5a410 R15: 0000000000000000',
    '[ 1733.925767]  </TASK>',
    '[  169.774287] watchdog: BUG: soft lockup - CPU#0 stuck for 21s! [swapper/0:1]',
  ];
  expect(progressOf([...boot, ...stuck].join('\r\n'))).toBe(boot.join('\n'));
});

// A panicked machine is powered on again only for the emulator's panics (CI's real-editor boot
// panicked 75 s in, in inet_ehashfn, trapped inside a patched NOP).
const PANIC = '[   75.964223] Kernel panic - not syncing: Fatal exception in interrupt';
test.each([
  ['before cloud-init', true, `[    3.1] int3: 0000 [#1] SMP\n${PANIC}`],
  ['after cloud-init started, trapped inside a patched NOP', true, `cloud-init[412]: running\n[   75.964043] Code: 41 57 45 89 c5 0f <1f> 44 00 00 41 8b 86\n${PANIC}`],
  ['after cloud-init started, trapped on the patching int3', true, `cloud-init[412]: running\n[   75.964043] Code: 41 57 <cc> 1f 44 00 00\n${PANIC}`],
  ['after cloud-init started, any other panic', false, `cloud-init[412]: running\n[   75.964043] Code: 48 8b 07 <0f> 0b 48 89\n${PANIC}`],
  ['no panic', false, 'cloud-init[412]: running'],
])('a kernel panic %s: the machine is powered on again: %s', (_, retried, consoleText) => {
  expect(panicIsTheEmulators(consoleText)).toBe(retried);
});
