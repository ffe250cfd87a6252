// The control plane's Worker in workerd (miniflare), against the worker tier's loopback stand-ins:
// the time it takes to answer a visit, end to end from miniflare's dispatch (so it counts workerd's
// loopback hop and the stand-ins' answers, which Cloudflare's edge does not have), and the size of
// the bundle it uploads. Prints and writes bench/control-plane.md; asserts nothing.
//   npx projen bench:control-plane [visits]   (visits per case, default 200)
import { readFileSync, writeFileSync } from 'fs';
import { cpus, loadavg } from 'os';
import { join } from 'path';
import { gzipSync } from 'zlib';
import { editorNamed, EDITORS, Harness, WORKER_BUNDLE } from '../test/integ/worker/harness';

const visits = Math.max(20, Number(process.argv[2] ?? 200));
const [ALICE, BOB] = EDITORS;

function quantile(sorted: number[], q: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))];
}

async function timed(visit: () => Promise<{ status: number }>, status: number): Promise<number[]> {
  const samples: number[] = [];
  for (let i = 0; i < visits; i++) {
    const start = process.hrtime.bigint();
    const response = await visit();
    samples.push(Number(process.hrtime.bigint() - start) / 1e6);
    if (response.status !== status) throw new Error(`expected ${status}, got ${response.status}`);
  }
  return samples.sort((a, b) => a - b);
}

async function main(): Promise<void> {
  const harness = new Harness();
  // The Worker alone, as Cloudflare runs it: without the tests' clock and KV log.
  await harness.start({ instrumented: false });
  const rows: string[] = [];
  try {
    harness.up.add(ALICE.name);
    const alice = harness.tokenFor(ALICE);
    const bob = harness.tokenFor(BOB);
    const once = async (visit: () => Promise<unknown>) => {
      const start = process.hrtime.bigint();
      await visit();
      return Number(process.hrtime.bigint() - start) / 1e6;
    };
    const firstMs = await once(() => harness.visit(ALICE, alice));
    let nobody = 0;
    // Bob's editor is stopped: his first visit starts it (the marker's removal, the start hook's call), the others wait.
    const startMs = await once(() => harness.visit(BOB, bob));
    if (harness.hook.calls.length !== 1) throw new Error(`expected one start hook call, got ${harness.hook.calls.length}`);
    const cases: Array<[string, () => Promise<{ status: number }>, number]> = [
      ['refused: no token (403)', () => harness.visit(ALICE), 403],
      ['refused: another editor\'s token (403)', () => harness.visit(ALICE, bob), 403],
      ['running editor: registration from the isolate\'s memo, token checked, passed through to the origin (200)', () => harness.visit(ALICE, alice), 200],
      ['unregistered host, read from KV (a new host each time) (404)', () => harness.visit(editorNamed(`nobody-${nobody++}`)), 404],
      ['unregistered host, from the memo (404)', () => harness.visit(editorNamed('nobody')), 404],
      ['stopped editor, start under way: starting page (503)', () => harness.visit(BOB, bob), 503],
      ['starting page\'s status poll (200)', () => harness.visit(BOB, bob, '/.ztcs/start-status'), 200],
    ];
    rows.push(`| first visit of the isolate (reads the registration, fetches the team's keys) | 1 | ${firstMs.toFixed(1)} | | |`);
    rows.push(`| stopped editor, first visit: marker removed, start hook called, starting page (503) | 1 | ${startMs.toFixed(1)} | | |`);
    for (const [name, visit, status] of cases) {
      const samples = await timed(visit, status);
      rows.push(`| ${name} | ${visits} | ${quantile(samples, 0.5).toFixed(2)} | ${quantile(samples, 0.95).toFixed(2)} | ${samples[0].toFixed(2)} |`);
    }
  } finally {
    await harness.stop();
  }
  // The same pass-through by a Worker that does nothing else: what workerd, miniflare and the
  // stand-in cost without the control plane's work.
  const bare = new Harness();
  await bare.start({ script: 'export default { fetch: (request) => fetch(request) };' });
  try {
    bare.up.add(ALICE.name);
    await bare.visit(ALICE);
    const samples = await timed(() => bare.visit(ALICE), 200);
    rows.push(`| baseline: a Worker that only passes the request through (200) | ${visits} | ${quantile(samples, 0.5).toFixed(2)} | ${quantile(samples, 0.95).toFixed(2)} | ${samples[0].toFixed(2)} |`);
  } finally {
    await bare.stop();
  }
  const bundle = readFileSync(WORKER_BUNDLE);
  const report = [
    '# The control plane\'s Worker in workerd',
    '',
    `Written by \`npx projen bench:control-plane\` (${new Date().toISOString().slice(0, 10)}, Node.js ${process.version}, ${cpus().length} cores, load ${loadavg()[0].toFixed(2)}).`,
    'Times in milliseconds from miniflare\'s dispatch to the whole answer read, on loopback: they count workerd\'s',
    'own hop and the stand-ins, not the Internet. The starting page\'s share of a start is this plus one start hook call;',
    'the rest of a start is the hook\'s deploy and the droplet\'s boot.',
    '',
    '| visit | n | median | p95 | min |',
    '| --- | --- | --- | --- | --- |',
    ...rows,
    '',
    `Bundle: lib/control-plane/assets/worker.mjs, ${bundle.length} bytes, ${gzipSync(bundle).length} gzipped (the free plan allows 3 MB gzipped).`,
    '',
  ].join('\n');
  writeFileSync(join(__dirname, 'control-plane.md'), report);
  process.stdout.write(report);
}

main().catch((error) => {
  process.stderr.write(`${String(error)}\n`);
  process.exit(1);
});
