// The benchmark: the library against hand-written raw resources, and the library's import cost
// against cdktf alone. Every sample is a whole process (node bench/.out/workload.js), so it counts
// loading, building and synthesizing as a user's `cdktf synth` does; baselines run in the same
// session, interleaved with the library's runs. Prints and writes bench/results.md; asserts nothing.
//   npx projen bench [runs]      (runs per case, default 9, at least 5)
import { spawnSync } from 'child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'fs';
import { cpus, loadavg, tmpdir } from 'os';
import { join } from 'path';
import * as ts from 'typescript';

const runs = Math.max(5, Number(process.argv[2] ?? 9));
const DEVELOPERS = [1, 10, 50, 300];
const TEAM_SIZES = [10, 100, 300];
const BENCH = __dirname;
const OUT = join(BENCH, '.out');
const ROOT = join(BENCH, '..');

interface Sample { readonly ms: number; readonly rssKb: number; readonly cpuMs: number }

/** The workload as plain JavaScript, so no TypeScript compiler runs inside a measured process. */
function buildWorkload(): string {
  mkdirSync(OUT, { recursive: true });
  const source = readFileSync(join(BENCH, 'workload.ts'), 'utf8');
  const { outputText } = ts.transpileModule(source, { compilerOptions: { module: ts.ModuleKind.CommonJS, target: ts.ScriptTarget.ES2020 } });
  const file = join(OUT, 'workload.js');
  writeFileSync(file, outputText);
  return file;
}

/** The cloud-config a hand-writer would keep beside their code, placeholders for hostname and token. */
function writeTemplate(): string {
  /* eslint-disable @typescript-eslint/no-require-imports */
  const { renderCloudConfig } = require(join(ROOT, 'lib', 'boot', 'cloud-config.js'));
  const { resolveBootOptions } = require(join(ROOT, 'lib', 'boot', 'code-server-user-data.js'));
  const { escapeTerraformTemplate } = require(join(ROOT, 'lib', 'private', 'boot', 'terraform-string.js'));
  /* eslint-enable @typescript-eslint/no-require-imports */
  const file = join(mkdtempSync(join(tmpdir(), 'ztcs-bench-template-')), 'user-data.yaml');
  writeFileSync(file, escapeTerraformTemplate(renderCloudConfig(resolveBootOptions({
    hostname: '__HOSTNAME__', tunnelToken: '__TOKEN__', homeVolumeLabel: 'ztcs-home',
  }))));
  return file;
}

function sample(workload: string, template: string, mode: string, developers = 0): Sample {
  const start = process.hrtime.bigint();
  const result = spawnSync(process.execPath, [workload, mode, String(developers)], {
    encoding: 'utf8', env: { ...process.env, ZTCS_BENCH_TEMPLATE: template },
  });
  const ms = Number(process.hrtime.bigint() - start) / 1e6;
  if (result.status !== 0) throw new Error(`${mode} ${developers} failed: ${result.stderr}`);
  const { rssKb, cpuMs } = JSON.parse(result.stdout.trim().split('\n').pop()!);
  return { ms, rssKb, cpuMs };
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

/** Runs two modes alternately, so both see the same machine load. */
function compare(workload: string, template: string, a: [string, number], b: [string, number]): [Sample[], Sample[]] {
  const first: Sample[] = [];
  const second: Sample[] = [];
  for (let i = 0; i < runs; i++) {
    first.push(sample(workload, template, ...a));
    second.push(sample(workload, template, ...b));
  }
  return [first, second];
}

const loadBefore = loadavg().map((l) => l.toFixed(1)).join(', ');
const workload = buildWorkload();
const template = writeTemplate();
const rows: string[] = [];
const fmt = (ms: number) => `${(ms / 1000).toFixed(2)} s`;
const mb = (kb: number) => `${(kb / 1024).toFixed(0)} MB`;

/** A table row of two modes' samples at one size: wall time, CPU time and peak memory, each with the first's ratio to the second. */
function comparisonRow(size: number, first: Sample[], second: Sample[]): string {
  const cells = (['ms', 'cpuMs', 'rssKb'] as const).map((key) => {
    const [a, b] = [median(first.map((s) => s[key])), median(second.map((s) => s[key]))];
    const show = key === 'rssKb' ? mb : fmt;
    return `${show(a)} | ${show(b)} | ${(a / b).toFixed(2)}`;
  });
  const row = `| ${size} | ${cells.join(' | ')} |`;
  console.log(row);
  return row;
}

for (const developers of DEVELOPERS) {
  rows.push(comparisonRow(developers, ...compare(workload, template, ['library', developers], ['raw', developers])));
}

const [libraryImport, cdktfImport] = compare(workload, template, ['library-import', 0], ['cdktf', 0]);
const [li, ci] = [median(libraryImport.map((s) => s.ms)), median(cdktfImport.map((s) => s.ms))];
const [lic, cic] = [median(libraryImport.map((s) => s.cpuMs)), median(cdktfImport.map((s) => s.cpuMs))];
const importRow = `| load the compiled library (with its deep provider imports) | ${fmt(li)} / ${fmt(lic)} | load cdktf alone | ${fmt(ci)} / ${fmt(cic)} | ${(li / ci).toFixed(2)} / ${(lic / cic).toFixed(2)} |`;
console.log(importRow);

// A team's two layouts: a stack per member (TeamLayout.stackPerMember()) against one stack; CPU time too, as the load varies.
const layoutRows = TEAM_SIZES.map((members) => comparisonRow(members, ...compare(workload, template, ['fleet', members], ['team', members])));

/** The plan benchmark's section (bench/plans.ts writes it; it needs Terraform and the providers), kept as it was. */
function readPlanResults(): string {
  const file = join(BENCH, 'plans.md');
  return existsSync(file) ? `\n${readFileSync(file, 'utf8')}` : '';
}

const report = `# Benchmark results

Written by \`npx projen bench\` (bench/run.ts); numbers, no assertions. Each figure is the median of
${runs} whole-process runs (\`node\` loading, building and synthesizing one stack into a temporary
folder, as \`cdktf synth\` does), the library's runs interleaved with the baseline's.

- Machine: ${cpus().length} × ${cpus()[0]?.model ?? 'unknown CPU'}, Node.js ${process.version}, ${new Date().toISOString().slice(0, 10)}.
- Raw: the same provider resources per developer written by hand with the prebuilt providers (deep
  imports), the cloud-config read once from a template file; the library: one \`ZeroTrustCodeServer\`
  per developer. Both with the default props.
- Targets: time ratio at most 1.15 at 1 developer and 1.2 at 50 and 300; peak memory within 1.2
  times the raw baseline's. Wall time follows the machine's load (other processes share its
  cores); CPU time (user and system, from the process itself) much less: on a busy machine, read
  the CPU columns.
- Load average while it ran: ${loadBefore} at the start, ${loadavg().map((l) => l.toFixed(1)).join(', ')} at the end.

| Developers | Library wall | Raw wall | Ratio | Library CPU | Raw CPU | Ratio | Library peak RSS | Raw peak RSS | Ratio |
| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |
${rows.join('\n')}

| Import | Wall / CPU | Baseline | Wall / CPU | Ratio |
| --- | --- | --- | --- | --- |
${importRow}

Synthesis of a team of N members (the admins' policy, an editor each) as a fleet
(\`TeamLayout.stackPerMember()\`: the team's stack and a stack per member, each with its providers) against one
stack (\`CodeServerTeam\`). Target (issue 20): the fleet within 1.5 times one stack at 300.

| Members | Fleet | One stack | Ratio | Fleet CPU | One stack CPU | Ratio | Fleet peak RSS | One stack peak RSS | Ratio |
| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |
${layoutRows.join('\n')}
${readPlanResults()}`;
writeFileSync(join(BENCH, 'results.md'), report);
console.log(`wrote ${join(BENCH, 'results.md')}`);
