import { spawnSync } from 'child_process';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';
import { exitProblem, reportPath, reportProblem } from '../../../scripts/jest-strict';

// A test run that cannot lie: scripts/jest-strict.ts runs jest for every test task, and a jest
// that was killed, crashed or ran no test fails the task, whatever projen makes of the signal.

const ROOT = join(__dirname, '..', '..', '..');
const BIN = join(ROOT, 'node_modules', '.bin');
const WRAPPER = `${join(BIN, 'ts-node')} --transpile-only ${join(ROOT, 'scripts', 'jest-strict.ts')}`;

/**
 * This process's environment without the JUnit report's name and file: CI's runs on the other
 * Node.js lines name their reports (JEST_JUNIT_OUTPUT_NAME), and the runs here write junit.xml.
 */
function ownReportEnv(): NodeJS.ProcessEnv {
  const { JEST_JUNIT_OUTPUT_NAME: _name, JEST_JUNIT_OUTPUT_FILE: _file, ...env } = process.env;
  return env;
}

/** A JUnit report as jest-junit writes it, with these totals and one test case. */
function report(counts: { tests: number; failures?: number; errors?: number }): string {
  return '<?xml version="1.0" encoding="UTF-8"?>\n'
    + `<testsuites name="jest tests" tests="${counts.tests}" failures="${counts.failures ?? 0}" errors="${counts.errors ?? 0}" time="1.0">\n`
    + '  <testsuite name="s" errors="0" failures="0" skipped="0" tests="1"><testcase classname="s t" name="s t" time="0.1"></testcase></testsuite>\n'
    + '</testsuites>\n';
}

const PASSING = report({ tests: 3 });

describe('the JUnit report check', () => {
  let work: string;
  beforeEach(() => { work = mkdtempSync(join(tmpdir(), 'ztcs-jest-strict-')); });
  afterEach(() => rmSync(work, { recursive: true, force: true }));

  const problemOf = (xml?: string) => {
    const path = join(work, 'junit.xml');
    if (xml !== undefined) writeFileSync(path, xml);
    return reportProblem(path);
  };

  test('passes a report that counts tests and no failure', () => {
    expect(problemOf(PASSING)).toBeUndefined();
  });

  test.each([
    ['no report', undefined, 'jest wrote no JUnit report'],
    ['a report of no test', report({ tests: 0 }), 'counts no test'],
    ['a failed test', report({ tests: 3, failures: 1 }), 'counts 1 failed tests and 0 test files that did not run'],
    ['a test file that did not run', report({ tests: 3, errors: 1 }), 'counts 0 failed tests and 1 test files that did not run'],
    ['a truncated report', PASSING.slice(0, 30), 'cannot be read: it has no <testsuites> element'],
  ])('fails %s', (_case, xml, problem) => {
    expect(problemOf(xml)).toContain(problem);
  });

  test('reads the report where jest-junit writes it', () => {
    expect(reportPath({})).toBe(join('test-reports', 'junit.xml'));
    expect(reportPath({ JEST_JUNIT_OUTPUT_NAME: 'junit-node24.xml' })).toBe(join('test-reports', 'junit-node24.xml'));
    expect(reportPath({ JEST_JUNIT_OUTPUT_DIR: '/r', JEST_JUNIT_OUTPUT_FILE: '/f.xml' })).toBe('/f.xml');
  });
});

describe('jest\'s exit', () => {
  test.each([
    [0, null, undefined],
    [1, null, 'jest exited 1'],
    [null, 'SIGKILL', 'jest was killed by SIGKILL'],
    [null, 'SIGTERM', 'jest was killed by SIGTERM'],
  ] as const)('status %s and signal %s: %s', (status, signal, problem) => {
    if (problem) expect(exitProblem(status, signal)).toContain(problem);
    else expect(exitProblem(status, signal)).toBeUndefined();
  });
});

describe('a killed jest fails the run', () => {
  let work: string;
  let fakeBin: string;
  beforeEach(() => {
    work = mkdtempSync(join(tmpdir(), 'ztcs-jest-strict-'));
    fakeBin = join(work, 'bin');
    mkdirSync(fakeBin);
  });
  afterEach(() => rmSync(work, { recursive: true, force: true }));

  /** A `jest` first on PATH that runs this shell script. */
  function fakeJest(script: string): NodeJS.ProcessEnv {
    writeFileSync(join(fakeBin, 'jest'), `#!/bin/bash\n${script}\n`);
    chmodSync(join(fakeBin, 'jest'), 0o755);
    return { ...ownReportEnv(), PATH: `${fakeBin}:${process.env.PATH}`, JEST_JUNIT_OUTPUT_DIR: join(work, 'reports') };
  }

  function runWrapper(env: NodeJS.ProcessEnv, args = '') {
    return spawnSync('bash', ['-c', `${WRAPPER} ${args}`], { cwd: work, env, encoding: 'utf8' });
  }

  test('a jest that wrote a passing report and was then killed by SIGKILL fails with 137', () => {
    const env = fakeJest(`mkdir -p "$JEST_JUNIT_OUTPUT_DIR" && printf '%s' '${PASSING}' > "$JEST_JUNIT_OUTPUT_DIR/junit.xml"\nkill -KILL $$`);
    const result = runWrapper(env);
    expect(result.stderr).toContain('jest-strict: jest was killed by SIGKILL');
    expect(result.status).toBe(137);
  });

  test('a report left by an earlier run does not pass for a jest that wrote none', () => {
    const env = fakeJest('exit 0');
    mkdirSync(join(work, 'reports'));
    writeFileSync(join(work, 'reports', 'junit.xml'), PASSING);
    const result = runWrapper(env);
    expect(result.stderr).toContain('jest-strict: jest wrote no JUnit report');
    expect(result.status).toBe(1);
    expect(existsSync(join(work, 'reports', 'junit.xml'))).toBe(false);
  });

  test('a jest that passed gives the counts and exit 0', () => {
    const env = fakeJest(`mkdir -p "$JEST_JUNIT_OUTPUT_DIR" && printf '%s' '${PASSING}' > "$JEST_JUNIT_OUTPUT_DIR/junit.xml"`);
    const result = runWrapper(env);
    expect(result.stdout).toContain('jest-strict: 3 passed, 0 failed, 0 skipped');
    expect(result.status).toBe(0);
  });

  test('a projen task whose real jest is killed by SIGKILL fails, and its next step never runs', () => {
    // A test file that kills the jest process running it, in a project of its own, run by projen's
    // task runtime as `npm test` runs its steps: projen alone would call the killed step a success.
    const project = join(work, 'project');
    mkdirSync(join(project, '.projen'), { recursive: true });
    writeFileSync(join(project, 'kills-its-jest.test.js'), 'test(\'is killed\', () => { process.kill(process.pid, \'SIGKILL\'); });\n');
    const config = JSON.stringify({ testMatch: ['**/*.test.js'], reporters: ['default', require.resolve('jest-junit')] });
    const steps = [
      { exec: `${WRAPPER} --runInBand --ci --config '${config}'` },
      { exec: 'echo the next step ran' },
    ];
    writeFileSync(join(project, '.projen', 'tasks.json'), JSON.stringify({ tasks: { test: { name: 'test', steps } } }));
    const env = { ...ownReportEnv(), PATH: `${BIN}:${process.env.PATH}`, JEST_JUNIT_OUTPUT_DIR: join(project, 'reports') };
    const result = spawnSync(join(BIN, 'projen'), ['test'], { cwd: project, env, encoding: 'utf8' });
    expect(result.stderr).toContain('jest-strict: jest was killed by SIGKILL');
    expect(result.stdout).not.toContain('the next step ran');
    expect(result.status).not.toBe(0);
  });
});
