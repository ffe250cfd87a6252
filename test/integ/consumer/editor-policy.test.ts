import { spawnSync } from 'child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';
import { DROPLET_DEFAULTS } from '../../../lib/droplet/code-server-droplet';

// A platform's EditorPolicy as a user meets it: the app that `cdktf synth` runs fails with the
// policy's message when an editor breaks a rule, and writes the stack when none is broken. The app
// runs as the CLI runs it (ts-node, the output folder in CDKTF_OUTDIR), without the CLI itself,
// whose terminal helper is a native module built for the Node.js line that installed the project
// (this tier runs on 20, 22 and 24 against one install; the CLI's own run is the new-project test's).

const ROOT = join(__dirname, '..', '..', '..');

/** Runs test/integ/consumer/policy-app.ts as `cdktf synth` runs it, with these sizes allowed: its exit code, its output and the stack it wrote. */
function cdktfSynth(allowedSizes: string[], outdir: string): { status: number | null; output: string; stack?: any } {
  const run = spawnSync(join(ROOT, 'node_modules', '.bin', 'ts-node'), ['--prefer-ts-exts', '--transpile-only', join(__dirname, 'policy-app.ts')], {
    cwd: ROOT,
    env: { ...process.env, CDKTF_OUTDIR: outdir, ZTCS_ALLOWED_SIZES: allowedSizes.join(',') },
    encoding: 'utf8',
    maxBuffer: 64 * 1024 * 1024,
  });
  const file = join(outdir, 'stacks', 'basic', 'cdk.tf.json');
  return { status: run.status, output: `${run.stdout}${run.stderr}`, stack: existsSync(file) ? JSON.parse(readFileSync(file, 'utf8')) : undefined };
}

describe('cdktf synth of an app under an EditorPolicy', () => {
  const work = mkdtempSync(join(tmpdir(), 'ztcs-policy-synth-'));
  afterAll(() => rmSync(work, { recursive: true, force: true }));

  test('fails, printing the droplet\'s path, the setting and the size, and writes no stack, when the size is not allowed', () => {
    const { status, output, stack } = cdktfSynth(['s-8vcpu-16gb'], join(work, 'refused'));
    expect(status).not.toBe(0);
    expect(output).toContain(`[basic/CodeServer/Droplet/Droplet] EditorPolicy allowedSizes: size "${DROPLET_DEFAULTS.size}" is not allowed: expected one of "s-8vcpu-16gb"`);
    expect(stack).toBeUndefined();
  }, 120_000);

  test('writes the stack, the policy\'s tag on the droplet, when the size is allowed', () => {
    const { status, output, stack } = cdktfSynth([DROPLET_DEFAULTS.size], join(work, 'allowed'));
    expect({ status, output: status === 0 ? '' : output }).toEqual({ status: 0, output: '' });
    expect(Object.values<any>(stack.resource.digitalocean_droplet).map((d) => d.tags)).toEqual([expect.arrayContaining(['team:platform'])]);
  }, 120_000);
});
