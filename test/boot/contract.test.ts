import { readdirSync, readFileSync } from 'fs';
import { join } from 'path';
import { parse } from 'yaml';
import { renderCloudConfig } from '../../lib/boot/cloud-config';
import { resolveBootOptions } from '../../lib/boot/code-server-user-data';
import { BOOT_ENTRY, BOOT_ENV_KEYS, BOOT_PATHS, BOOT_STEPS, BOOT_UNITS, SYSTEM_UNITS } from '../../lib/boot/contract';

// The two halves of the boot, TypeScript and shell, agree through the contract's table.

const ASSETS = join(__dirname, '..', '..', 'lib', 'boot', 'assets');
const SCRIPTS = [BOOT_ENTRY, ...BOOT_STEPS];

function asset(name: string): string {
  return readFileSync(join(ASSETS, name), 'utf8');
}

/** Upper-case variables a script reads: $NAME and ${NAME…}, comments left out. */
function variablesRead(script: string): Set<string> {
  const code = script.split('\n').filter((line) => !line.trimStart().startsWith('#')).join('\n');
  return new Set([...code.matchAll(/\$\{?([A-Z][A-Z0-9_]*)/g)].map((m) => m[1]));
}

/** Variables a script may read without boot.env: its test hook, and what cloud-init or the shell set. */
const NOT_FROM_BOOT_ENV = new Set(['ZTCS_ETC']);

describe('the boot contract', () => {
  test('the assets folder holds exactly the entry and the steps', () => {
    expect(readdirSync(ASSETS).sort()).toEqual([...SCRIPTS].sort());
  });

  test('the document writes every script of the contract into the scripts folder, and runcmd runs the entry', () => {
    const doc = parse(renderCloudConfig(resolveBootOptions({ hostname: 'code.example.com', tunnelToken: 't' })));
    const written = doc.write_files.map((f: { path: string }) => f.path).filter((p: string) => p.startsWith(`${BOOT_PATHS.scripts}/`));
    expect(written).toEqual(SCRIPTS.map((name) => `${BOOT_PATHS.scripts}/${name}`));
    expect(doc.runcmd).toEqual([[`${BOOT_PATHS.scripts}/${BOOT_ENTRY}`]]);
  });

  test('boot.sh runs exactly the listed steps, in the listed order, from the scripts folder', () => {
    const entry = asset(BOOT_ENTRY);
    expect(entry).toContain(`steps=${BOOT_PATHS.scripts}\n`);
    expect([...entry.matchAll(/"\$steps\/([a-z-]+\.sh)"/g)].map((m) => m[1])).toEqual([...BOOT_STEPS]);
  });

  test.each(BOOT_STEPS.filter((step) => variablesRead(asset(step)).size > 0))('%s sources boot.env from the contract\'s folder', (step) => {
    expect(asset(step)).toContain(`. "\${ZTCS_ETC:-${BOOT_PATHS.etc}}/boot.env"`);
    expect(BOOT_PATHS.env).toBe(`${BOOT_PATHS.etc}/boot.env`);
  });

  test.each(SCRIPTS)('every variable %s reads is one that boot.env defines', (script) => {
    const keys: readonly string[] = BOOT_ENV_KEYS;
    const unknown = [...variablesRead(asset(script))].filter((name) => !NOT_FROM_BOOT_ENV.has(name) && !keys.includes(name));
    expect(unknown).toEqual([]);
  });

  test('every key boot.env defines is read by some script', () => {
    const read = new Set(SCRIPTS.flatMap((script) => [...variablesRead(asset(script))]));
    expect(BOOT_ENV_KEYS.filter((key) => !read.has(key))).toEqual([]);
  });

  test('the scripts name the units of the contract and the system units it lists, no other', () => {
    const named = new Set(SCRIPTS.flatMap((script) => [...asset(script).matchAll(/[a-z-]+\.(service|socket)/g)].map((m) => m[0])));
    expect([...named].sort()).toEqual([...Object.values(BOOT_UNITS), ...SYSTEM_UNITS].sort());
  });
});

describe('the boot sequence', () => {
  const bootLines = asset(BOOT_ENTRY).split('\n');
  const lineOf = (fragment: string): number => {
    const index = bootLines.findIndex((line) => line.includes(fragment) && !line.trimStart().startsWith('#'));
    if (index < 0) throw new Error(`boot.sh has no step ${fragment}`);
    return index;
  };
  const critical = [
    'prepare-home.sh',
    'configure-ssh.sh',
    'install-cloudflared.sh',
    'systemctl enable --now cloudflared-tunnel.service',
    'install-code-server.sh',
    'systemctl enable --now code-server.service',
    'wait-ready.sh',
  ];

  test('boot.sh stops at the first failure on the critical path', () => {
    expect(bootLines).toContain('set -euo pipefail');
  });

  test('the critical steps run in order: home, SSH, the tunnel and its service, code-server and its service, readiness', () => {
    const positions = critical.map(lineOf);
    expect([...positions].sort((a, b) => a - b)).toEqual(positions);
  });

  test('the tunnel is up before code-server is installed, so SSH through Access reaches a droplet whose code-server failed', () => {
    expect(lineOf('systemctl enable --now cloudflared-tunnel.service')).toBeLessThan(lineOf('install-code-server.sh'));
  });

  test('personalize and enable-security-updates run only after every critical step', () => {
    const lastCritical = Math.max(...critical.map(lineOf));
    expect(lineOf('personalize.sh')).toBeGreaterThan(lastCritical);
    expect(lineOf('enable-security-updates.sh')).toBeGreaterThan(lastCritical);
  });

  test('a failing optional step only warns instead of failing the boot', () => {
    expect(bootLines[lineOf('personalize.sh')]).toMatch(/\|\| echo .*>&2$/);
    expect(bootLines[lineOf('enable-security-updates.sh')]).toMatch(/\|\| echo .*>&2$/);
  });
});
