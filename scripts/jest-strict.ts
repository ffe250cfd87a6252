// Runs jest and fails unless jest ran to its end and its JUnit report shows tests and no failure.
// projen 0.103 counts a step killed by a signal as a success, so a jest killed by a timeout or the
// out-of-memory killer would let `npm test` go on and exit 0; this script exits non-zero instead.
//
//   ts-node scripts/jest-strict.ts [jest arguments]   runs `jest` (from PATH), then checks the report
//   ts-node scripts/jest-strict.ts --check-report     checks the report of the last run only: the last
//                                                     step of a task, in case this script was killed
import { spawn } from 'child_process';
import { existsSync, readFileSync, rmSync } from 'fs';
import { constants } from 'os';
import { join } from 'path';

/** The JUnit report that jest-junit writes, from its environment variables as jest-junit reads them. */
export function reportPath(env: NodeJS.ProcessEnv = process.env): string {
  return env.JEST_JUNIT_OUTPUT_FILE
    ?? join(env.JEST_JUNIT_OUTPUT_DIR ?? 'test-reports', env.JEST_JUNIT_OUTPUT_NAME ?? 'junit.xml');
}

/** What a JUnit report counts. */
export interface ReportCounts {
  readonly tests: number;
  readonly failures: number;
  readonly errors: number;
  readonly skipped: number;
}

/** The counts of a JUnit report as jest-junit writes it (a `testsuites` element with the totals). */
export function reportCounts(xml: string): ReportCounts {
  const root = /<testsuites\b([^>]*)>/.exec(xml);
  if (!root) throw new Error('it has no <testsuites> element');
  const attribute = (name: string) => {
    const match = new RegExp(`\\b${name}="(\\d+)"`).exec(root[1]);
    if (!match) throw new Error(`its <testsuites> element has no ${name} count`);
    return Number(match[1]);
  };
  return { tests: attribute('tests'), failures: attribute('failures'), errors: attribute('errors'), skipped: (xml.match(/<skipped\b/g) ?? []).length };
}

/** Why a run with this report failed, or undefined when it passed. */
export function reportProblem(path: string): string | undefined {
  if (!existsSync(path)) return `jest wrote no JUnit report (${path}): it did not run to its end`;
  let counts: ReportCounts;
  try {
    counts = reportCounts(readFileSync(path, 'utf8'));
  } catch (error) {
    return `the JUnit report ${path} cannot be read: ${(error as Error).message}`;
  }
  if (counts.tests === 0) return `the JUnit report ${path} counts no test`;
  if (counts.failures + counts.errors > 0) return `the JUnit report ${path} counts ${counts.failures} failed tests and ${counts.errors} test files that did not run`;
  return undefined;
}

/** The one line that says how a run went, from its report. */
export function summary(path: string): string {
  const counts = reportCounts(readFileSync(path, 'utf8'));
  return `${counts.tests - counts.skipped} passed, ${counts.failures} failed, ${counts.skipped} skipped (${path})`;
}

/** Why jest's exit failed the run, or undefined when it exited 0. */
export function exitProblem(status: number | null, signal: NodeJS.Signals | null): string | undefined {
  if (signal) return `jest was killed by ${signal}: the run is a failure, whatever it printed before`;
  if (status !== 0) return `jest exited ${status}`;
  return undefined;
}

function fail(problem: string, code = 1): never {
  process.stderr.write(`jest-strict: ${problem}\n`);
  process.exit(code);
}

function checkReport(path: string): void {
  const problem = reportProblem(path);
  if (problem) fail(problem);
  process.stdout.write(`jest-strict: ${summary(path)}\n`);
}

function main(args: string[]): void {
  const path = reportPath();
  if (args.length === 1 && args[0] === '--check-report') return checkReport(path);
  // A report left by an earlier run must not pass for this one.
  rmSync(path, { force: true });
  const jest = spawn('jest', args, { stdio: 'inherit' });
  jest.on('error', (error) => fail(`cannot run jest: ${error.message}`));
  // A signal meant for this run reaches jest too, and the run then fails as a killed jest.
  for (const signal of ['SIGTERM', 'SIGINT', 'SIGHUP'] as const) process.on(signal, () => jest.kill(signal));
  jest.on('exit', (status, signal) => {
    const problem = exitProblem(status, signal);
    if (problem) fail(problem, signal ? 128 + (constants.signals[signal] ?? 0) : (status ?? 1));
    checkReport(path);
  });
}

if (require.main === module) main(process.argv.slice(2));
