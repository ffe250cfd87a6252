// The plan benchmark of a team's two layouts (issue 20), with real Terraform and the real
// providers against the loopback stand-in of the APIs (test/integ/terraform): for each team size, the
// API calls and the wall time of (a) the plan after one member's change and (b) the plan of
// everyone, as one stack (CodeServerTeam) and as a fleet (CodeServerTeam with TeamLayout.stackPerMember(), a state per member).
// Writes bench/plans.md and puts it in bench/results.md in place of the previous one; asserts nothing.
//   npx projen bench:plans [members…]     (default 10 100 300; needs terraform and the providers)
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'fs';
import { cpus, loadavg, tmpdir } from 'os';
import { join } from 'path';
import { CloudflareProvider } from '@cdktf/provider-cloudflare/lib/provider';
import { DigitaloceanProvider } from '@cdktf/provider-digitalocean/lib/provider';
import { TlsProvider } from '@cdktf/provider-tls/lib/provider';
import { App, TerraformStack } from 'cdktf';
import { readSettings, teamProps } from '../examples/main';
import { CodeServerTeam, TeamLayout, TeamMember } from '../lib';
import { ApiStandIn, CallCount } from '../test/integ/terraform/stand-in';
import { REAL_QUOTAS } from '../test/integ/terraform/stand-in/rate-limits';
import { readingStatesOf, StackConfig, synthesize, TerraformWorkspace } from '../test/integ/terraform/terraform';

// Every run's teams are new to a roster of their own, in a temporary folder, even where CI is set.
process.env.ZTCS_ROSTER = 'new';

// `--extrapolate 100,300`: sizes whose request counts are extrapolated (a straight line through the
// two largest sizes measured), where measuring them would take longer than the machine has.
const args = process.argv.slice(2);
const extrapolateAt = args.includes('--extrapolate') ? args[args.indexOf('--extrapolate') + 1].split(',').map(Number) : [];
const SIZES = args.filter((_, i) => args[i - 1] !== '--extrapolate').map(Number).filter((n) => n > 0);
const sizes = SIZES.length > 0 ? SIZES : [10, 100, 300];
/** Stacks planned at once in the fleet's plan of everyone, as `cdktf deploy --parallelism` would. */
const PARALLELISM = Math.max(2, cpus().length);

interface Measure {
  readonly calls: CallCount;
  readonly seconds: number;
}

/**
 * The stand-in of the run under way: each size and layout gets a fresh one, so that no run meets
 * the DNS records, tunnels and droplets of another (the stand-in refuses a second record of a name).
 */
let standIn = new ApiStandIn();
const pluginCache = mkdtempSync(join(tmpdir(), 'ztcs-bench-plugins-'));
let workspaces: TerraformWorkspace[] = [];
/** The temporary folders of the run under way, removed with its workspaces. */
let folders: string[] = [];

/** A roster file of the run's own, in a temporary folder. */
function newRosterFile(): string {
  const folder = mkdtempSync(join(tmpdir(), 'ztcs-bench-roster-'));
  folders.push(folder);
  return join(folder, 'roster.json');
}

/** The members of a team of `count`. */
function members(count: number, changed = false): TeamMember[] {
  return Array.from({ length: count }, (_, i) => ({
    name: `dev${i}`,
    email: `dev${i}@example.com`,
    // The one member's change: an extension, which replaces their droplet (its user data changes).
    ...(changed && i === 0 ? { extensions: ['esbenp.prettier-vscode'] } : {}),
  }));
}

function synth(layout: 'team' | 'fleet', count: number, changed: boolean, rosterFile: string): Record<string, StackConfig> {
  const settings = { ...readSettings({}), rosterFile };
  const stacks = synthesize((outdir) => {
    const app = new App({ outdir });
    const props = { ...teamProps(settings), members: members(count, changed) };
    if (layout === 'fleet') {
      new CodeServerTeam(new TerraformStack(app, 'team'), 'Team', { ...props, layout: TeamLayout.stackPerMember() });
    } else {
      const stack = new TerraformStack(app, 'team');
      new CloudflareProvider(stack, 'cloudflare');
      new DigitaloceanProvider(stack, 'digitalocean');
      new TlsProvider(stack, 'tls');
      new CodeServerTeam(stack, 'Team', props);
    }
    return app;
  });
  return Object.fromEntries(stacks.map((s) => [s.name, s]));
}

/** Runs `step` and counts the stand-in's calls and the wall time it took. */
async function measure(step: () => Promise<unknown>): Promise<Measure> {
  const mark = standIn.calls.length;
  const start = process.hrtime.bigint();
  await step();
  return { calls: standIn.countSince(mark), seconds: Number(process.hrtime.bigint() - start) / 1e9 };
}

/** Runs tasks with at most `n` at once. */
async function pool<T>(items: T[], n: number, task: (item: T) => Promise<void>): Promise<void> {
  const queue = [...items];
  await Promise.all(Array.from({ length: n }, async () => {
    for (let item = queue.shift(); item !== undefined; item = queue.shift()) await task(item);
  }));
}

async function workspaceFor(config: StackConfig): Promise<TerraformWorkspace> {
  const workspace = new TerraformWorkspace(pluginCache);
  workspaces.push(workspace);
  workspace.configure(config, standIn.providerSettings());
  await workspace.init();
  return workspace;
}

async function planOrFail(workspace: TerraformWorkspace) {
  const plan = await workspace.plan();
  if (plan.errors.length > 0) throw new Error(`plan failed: ${plan.errors.join('; ')}`);
  return plan;
}

/** One stack: apply, then (b) a plan of everyone, then (a) the plan after one member's change. */
async function oneStack(count: number): Promise<{ everyone: Measure; one: Measure }> {
  const roster = newRosterFile();
  const workspace = await workspaceFor(synth('team', count, false, roster).team);
  await workspace.apply(await planOrFail(workspace));
  const everyone = await measure(() => planOrFail(workspace));
  workspace.configure(synth('team', count, true, roster).team, standIn.providerSettings());
  const one = await measure(() => planOrFail(workspace));
  return { everyone, one };
}

/** A fleet: apply every stack, then (b) a plan of every stack, `PARALLELISM` at once, then (a) the changed member's stack alone. */
async function fleet(count: number): Promise<{ everyone: Measure; one: Measure }> {
  const roster = newRosterFile();
  const stacks = synth('fleet', count, false, roster);
  const base = await workspaceFor(stacks.team);
  await base.apply(await planOrFail(base));
  const byName: Record<string, TerraformWorkspace> = { team: base };
  const memberNames = Object.keys(stacks).filter((name) => name !== 'team');
  // One init at a time: parallel inits race to fill the shared plugin cache.
  for (const name of memberNames) byName[name] = await workspaceFor(readingStatesOf(stacks[name], { team: base.stateFile }));
  await pool(memberNames, PARALLELISM, async (name) => {
    await byName[name].apply(await planOrFail(byName[name]));
  });
  const everyone = await measure(() => pool(Object.keys(byName), PARALLELISM, async (name) => { await planOrFail(byName[name]); }));
  const changed = synth('fleet', count, true, roster)['team-dev0'];
  byName['team-dev0'].configure(readingStatesOf(changed, { team: base.stateFile }), standIn.providerSettings());
  const one = await measure(() => planOrFail(byName['team-dev0']));
  return { everyone, one };
}

/**
 * The least time the real APIs' rate limits allow for a number of calls, made as fast as the
 * quotas let them: each quota spent waits for its window to pass (Cloudflare refuses everything
 * until its 5-minute window ends).
 */
function rateLimitFloorSeconds(calls: CallCount): number {
  const floorOf = (count: number, quotas: typeof REAL_QUOTAS.cloudflare) =>
    Math.max(...quotas.map((q) => Math.floor(Math.max(0, count - 1) / q.limit) * q.windowSeconds));
  return Math.max(floorOf(calls.cloudflare, REAL_QUOTAS.cloudflare), floorOf(calls.digitalocean, REAL_QUOTAS.digitalocean));
}

interface Result {
  readonly one: Measure;
  readonly everyone: Measure;
  /** The 1-minute load average when the run started and when it ended; none for an extrapolated row. */
  readonly load?: [number, number];
}

function row(count: number, layout: string, m: Result): string {
  const time = (x: Measure) => (m.load ? `${x.seconds.toFixed(1)} s` : 'not measured');
  const cell = (x: Measure) => `${x.calls.cloudflare + x.calls.digitalocean} (${x.calls.cloudflare} CF, ${x.calls.digitalocean} DO) | ${time(x)} | ${rateLimitFloorSeconds(x.calls)} s`;
  const load = m.load ? m.load.map((l) => l.toFixed(1)).join(' → ') : '–';
  return `| ${count}${m.load ? '' : ' (extrapolated)'} | ${layout} | ${cell(m.one)} | ${cell(m.everyone)} | ${load} |`;
}

/** Measures one size of one layout against a stand-in of its own, and removes its workspaces after. */
async function runAlone(count: number, run: (count: number) => Promise<Omit<Result, 'load'>>): Promise<Result> {
  standIn = new ApiStandIn();
  await standIn.start();
  const loadBefore = loadavg()[0];
  try {
    const result = await run(count);
    if (standIn.unknownCalls.length > 0) throw new Error(`the stand-in got calls it does not know: ${JSON.stringify(standIn.unknownCalls.slice(0, 3))}`);
    return { ...result, load: [loadBefore, loadavg()[0]] };
  } finally {
    await standIn.stop();
    for (const w of workspaces) w.remove();
    for (const folder of folders) rmSync(folder, { recursive: true, force: true });
    workspaces = [];
    folders = [];
  }
}

/** The request counts at `count` on the straight line through two measured sizes. */
function extrapolate(count: number, [n1, r1]: [number, Result], [n2, r2]: [number, Result]): Result {
  const at = (a: CallCount, b: CallCount): CallCount => {
    const line = (x: number, y: number) => Math.round(x + ((y - x) / (n2 - n1)) * (count - n1));
    return { cloudflare: line(a.cloudflare, b.cloudflare), digitalocean: line(a.digitalocean, b.digitalocean), throttled: 0 };
  };
  return {
    one: { calls: at(r1.one.calls, r2.one.calls), seconds: NaN },
    everyone: { calls: at(r1.everyone.calls, r2.everyone.calls), seconds: NaN },
  };
}

async function main(): Promise<void> {
  const rows: string[] = [];
  const measured: Record<string, Array<[number, Result]>> = { 'one stack': [], 'fleet': [] };
  try {
    for (const count of sizes) {
      for (const [layout, run] of [['one stack', oneStack], ['fleet', fleet]] as const) {
        const started = Date.now();
        const result = await runAlone(count, run);
        measured[layout].push([count, result]);
        rows.push(row(count, layout, result));
        writeTable(rows);
        console.log(`${rows.at(-1)}   (${((Date.now() - started) / 1000).toFixed(0)} s with set-up)`);
      }
    }
    for (const count of extrapolateAt) {
      for (const [layout, results] of Object.entries(measured)) {
        if (results.length < 2) throw new Error('--extrapolate needs two sizes measured');
        rows.push(row(count, layout, extrapolate(count, results.at(-2)!, results.at(-1)!)));
      }
    }
    writeTable(rows);
    console.log(`wrote ${join(__dirname, 'plans.md')}`);
  } finally {
    rmSync(pluginCache, { recursive: true, force: true });
  }
}

const SECTION_TITLE = '## Plans of a team: one stack or a fleet';

/**
 * Writes bench/plans.md with the rows so far (a size that fails later leaves the ones before it),
 * and puts it at the end of bench/results.md, where `npx projen bench` (bench/run.ts) puts it too.
 */
function writeTable(rows: string[]): void {
  const section = `${SECTION_TITLE}

Written by \`npx projen bench:plans\` (bench/plans.ts): real Terraform (${'`terraform`'} on PATH) and
the real providers against the loopback stand-in of the APIs, which counts every request. For each
size: the API requests and the wall time of (a) the plan after one member's change (an extension:
their droplet is replaced) and (b) the plan of everyone (the fleet's stacks ${PARALLELISM} at a time, as
\`cdktf deploy --parallelism ${PARALLELISM}\`), and the least time the real rate limits would allow for
those requests, computed from the counts and the quotas (Cloudflare 1,200 per 5 minutes,
DigitalOcean 250 per minute and 5,000 per hour), not measured. Rows marked extrapolated were not
run: their requests lie on the straight line through the two largest sizes measured (each member's
objects are read once per plan), their times are not given. Each size and layout runs against a
stand-in of its own. The times follow the machine's load: the last column is the 1-minute load
average when the size's run started and when it ended.
Machine: ${cpus().length} × ${cpus()[0]?.model ?? 'unknown CPU'}, Node.js ${process.version}, ${new Date().toISOString().slice(0, 10)}.

| Members | Layout | (a) one member's change: requests | time | rate-limit floor (computed) | (b) everyone: requests | time | rate-limit floor (computed) | Load |
| --- | --- | --- | --- | --- | --- | --- | --- | --- |
${rows.join('\n')}
`;
  writeFileSync(join(__dirname, 'plans.md'), section);
  const results = join(__dirname, 'results.md');
  if (existsSync(results)) {
    const text = readFileSync(results, 'utf8');
    const at = text.indexOf(`\n${SECTION_TITLE}`);
    writeFileSync(results, `${at < 0 ? text : text.slice(0, at)}\n${section}`);
  }
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
