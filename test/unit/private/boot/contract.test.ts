import { readdirSync, readFileSync } from 'fs';
import { join } from 'path';
import { parse } from 'yaml';
import { BootPhase } from '../../../../lib/boot/boot-steps';
import { renderCloudConfig } from '../../../../lib/boot/cloud-config';
import { resolveBootOptions } from '../../../../lib/boot/code-server-user-data';
import {
  BOOT_ENTRY,
  BOOT_ENV_KEYS,
  BOOT_LIBRARY,
  BOOT_PATHS,
  BOOT_SEQUENCE,
  BOOT_STEP_RECORDS,
  BOOT_STEPS,
  BOOT_UNITS,
  IDLE_ENV_KEYS,
  IDLE_PATHS,
  IDLE_SCRIPTS,
  IDLE_UNITS,
  SYSTEM_UNITS,
} from '../../../../lib/private/boot/contract';

// The two halves of the boot, TypeScript and shell, agree through the contract's table.

const ASSETS = join(__dirname, '..', '..', '..', '..', 'lib', 'boot', 'assets');
const SCRIPTS = [BOOT_ENTRY, BOOT_LIBRARY, ...BOOT_STEPS];

function asset(name: string): string {
  return readFileSync(join(ASSETS, name), 'utf8');
}

/** boot.sh as a document carries it: its machinery and the generated list of its steps. */
function renderedEntry(props: Partial<Parameters<typeof resolveBootOptions>[0]> = {}): string {
  const doc = parse(renderCloudConfig(resolveBootOptions({ hostname: 'code.example.com', tunnelToken: 't', ...props })));
  return doc.write_files.find((f: { path: string }) => f.path === `${BOOT_PATHS.scripts}/${BOOT_ENTRY}`).content;
}

/** A script as the default document carries it: boot.sh with its list, the others as they are. */
function carried(name: string): string {
  return name === BOOT_ENTRY ? renderedEntry() : asset(name);
}

/** Upper-case variables a script reads: $NAME and ${NAME…}, comments left out. */
function variablesRead(script: string): Set<string> {
  const code = script.split('\n').filter((line) => !line.trimStart().startsWith('#')).join('\n');
  return new Set([...code.matchAll(/\$\{?([A-Z][A-Z0-9_]*)/g)].map((m) => m[1]));
}

/** Variables a script may read without boot.env: its test hook, and what cloud-init or the shell set. */
const NOT_FROM_BOOT_ENV = new Set(['ZTCS_ETC', 'ZTCS_PROC', 'BASH_REMATCH']);

describe('the boot contract', () => {
  test('the assets folder holds exactly the entry, the retry library, the steps and the idle stop\'s scripts', () => {
    expect(readdirSync(ASSETS).sort()).toEqual([...SCRIPTS, ...IDLE_SCRIPTS].sort());
  });

  test('the document writes every script of the contract into the scripts folder, and its boot unit runs the entry', () => {
    const doc = parse(renderCloudConfig(resolveBootOptions({ hostname: 'code.example.com', tunnelToken: 't' })));
    const written = doc.write_files.map((f: { path: string }) => f.path).filter((p: string) => p.startsWith(`${BOOT_PATHS.scripts}/`));
    expect(written).toEqual(SCRIPTS.map((name) => `${BOOT_PATHS.scripts}/${name}`));
    const unit = doc.write_files.find((f: { path: string }) => f.path === `/etc/systemd/system/${BOOT_UNITS.boot}`);
    expect(unit.content).toContain(`\nExecStart=${BOOT_PATHS.scripts}/${BOOT_ENTRY}\n`);
    expect(JSON.stringify(doc.runcmd)).toContain(`"${BOOT_UNITS.boot}"`);
  });

  test('the steps that download source the retry library from their own folder, and download or apt-get only through it', () => {
    for (const step of BOOT_STEPS) {
      const code = asset(step).split('\n').filter((line) => !line.trimStart().startsWith('#')).join('\n');
      const downloads = /\bcurl -f|\bapt-get\b/.test(code.replace(/curl -fs -o \/dev\/null "http:\/\/127\.0\.0\.1[^\n]*/g, ''));
      expect([step, downloads]).toEqual([step, false]);
      if (/\b(download|apt_retry) /.test(code)) expect([step, code]).toEqual([step, expect.stringContaining(`. "$(dirname "$0")/${BOOT_LIBRARY}"`)]);
    }
  });

  test('boot.sh keeps its step records in the contract\'s folder, one per step of the contract, in order', () => {
    const entry = renderedEntry();
    expect(entry).toContain(`records=${BOOT_PATHS.stepRecords}\n`);
    expect([...entry.matchAll(/^step ([a-z.-]+) /gm)].map((m) => m[1])).toEqual([...BOOT_STEP_RECORDS]);
    expect(BOOT_STEP_RECORDS.filter((name) => name.endsWith('.sh'))).toEqual([...BOOT_STEPS]);
  });

  test('boot.sh runs exactly the listed steps, in the listed order, from the scripts folder', () => {
    const entry = renderedEntry();
    expect(entry).toContain(`steps=${BOOT_PATHS.scripts}\n`);
    expect([...entry.matchAll(/"\$steps\/([a-z-]+\.sh)"/g)].map((m) => m[1])).toEqual([...BOOT_STEPS]);
  });

  test('the list appears once: boot.sh\'s asset runs no step of its own, the document\'s boot.sh is the asset and the generated list', () => {
    expect(asset(BOOT_ENTRY)).not.toMatch(/^\s*step [a-z]/m);
    expect(asset(BOOT_ENTRY)).not.toMatch(/custom/);
    expect(renderedEntry().startsWith(asset(BOOT_ENTRY))).toBe(true);
  });

  test('the platform\'s steps are written inside the scripts folder, where boot.sh runs them as "$steps/…"', () => {
    expect(BOOT_PATHS.customSteps.startsWith(`${BOOT_PATHS.scripts}/`)).toBe(true);
    expect(renderedEntry({ bootSteps: [{ name: 'tools', packages: ['jq'] }] })).toContain(`"$steps/${BOOT_PATHS.customSteps.slice(BOOT_PATHS.scripts.length + 1)}/before-editor/01-tools.sh"`);
  });

  test('the records boot.sh\'s machinery looks for are records of BOOT_SEQUENCE\'s steps', () => {
    const looked = [...asset(BOOT_ENTRY).matchAll(/"\$records\/([a-z][a-z.-]+)"/g)].map((m) => m[1]);
    expect(looked.length).toBeGreaterThan(0);
    expect(looked.filter((name) => !BOOT_STEP_RECORDS.includes(name))).toEqual([]);
  });

  test('BOOT_SEQUENCE places each phase of the platform\'s steps once', () => {
    const slots = BOOT_SEQUENCE.flatMap((entry) => ('platformSteps' in entry ? [entry.platformSteps] : []));
    expect(slots.sort()).toEqual(Object.values(BootPhase).sort());
  });

  test.each(BOOT_STEPS.filter((step) => variablesRead(asset(step)).size > 0))('%s sources boot.env from the contract\'s folder', (step) => {
    expect(asset(step)).toContain(`. "\${ZTCS_ETC:-${BOOT_PATHS.etc}}/boot.env"`);
    expect(BOOT_PATHS.env).toBe(`${BOOT_PATHS.etc}/boot.env`);
  });

  test.each(SCRIPTS)('every variable %s reads is one that boot.env defines', (script) => {
    const keys: readonly string[] = BOOT_ENV_KEYS;
    const unknown = [...variablesRead(carried(script))].filter((name) => !NOT_FROM_BOOT_ENV.has(name) && !keys.includes(name));
    expect(unknown).toEqual([]);
  });

  test('every key boot.env defines is read by some script', () => {
    const read = new Set(SCRIPTS.flatMap((script) => [...variablesRead(carried(script))]));
    expect(BOOT_ENV_KEYS.filter((key) => !read.has(key))).toEqual([]);
  });

  test('the scripts and runcmd name the units of the contract and the system units it lists, no other', () => {
    const doc = parse(renderCloudConfig(resolveBootOptions({ hostname: 'code.example.com', tunnelToken: 't' })));
    const texts = [...SCRIPTS.map(carried), JSON.stringify(doc.runcmd)];
    const named = new Set(texts.flatMap((text) => [...text.matchAll(/[a-z-]+\.(service|socket)/g)].map((m) => m[0])));
    expect([...named].sort()).toEqual([...Object.values(BOOT_UNITS), ...SYSTEM_UNITS].sort());
  });
});

describe('the boot sequence', () => {
  const bootLines = renderedEntry().split('\n');
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

  test('a step that fails is not recorded, even when boot.sh goes on (an optional step, where set -e does not hold)', () => {
    const body = renderedEntry().split('step() {')[1].split('\n}\n')[0];
    expect(body.indexOf('if ! "$@"; then')).toBeGreaterThan(-1);
    expect(body.indexOf('if ! "$@"; then')).toBeLessThan(body.indexOf('> "$records/$name"'));
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

describe('the idle stop\'s contract', () => {
  const IDLE_STOP = { idleMinutes: 30, warningMinutes: 5 };
  const doc = parse(renderCloudConfig(resolveBootOptions({ hostname: 'code.example.com', tunnelToken: 't', homeVolumeLabel: 'home', idleStop: IDLE_STOP })));
  const paths: string[] = doc.write_files.map((f: { path: string }) => f.path);

  test('the document writes the watcher into the scripts folder, and keep-running as the developer\'s command', () => {
    expect(paths).toEqual(expect.arrayContaining([
      `${BOOT_PATHS.scripts}/idle-watch.sh`,
      IDLE_PATHS.keepRunningCommand,
      ...Object.values(IDLE_UNITS).map((unit) => `/etc/systemd/system/${unit}`),
    ]));
    expect(paths.filter((p) => p.startsWith(`${BOOT_PATHS.scripts}/idle`))).toHaveLength(IDLE_SCRIPTS.length - 1);
  });

  test('the units run the scripts the document writes', () => {
    const unit = (name: string) => doc.write_files.find((f: { path: string }) => f.path === `/etc/systemd/system/${name}`).content as string;
    expect(unit(IDLE_UNITS.watch)).toContain(`\nExecStart=${BOOT_PATHS.scripts}/idle-watch.sh\n`);
    expect(unit(IDLE_UNITS.timer)).toContain(`\nUnit=${IDLE_UNITS.watch}\n`);
  });

  test.each([...IDLE_SCRIPTS])('every variable %s reads is one that boot.env or idle.env defines', (script) => {
    const keys: readonly string[] = [...BOOT_ENV_KEYS, ...IDLE_ENV_KEYS];
    const unknown = [...variablesRead(asset(script))].filter((name) => !NOT_FROM_BOOT_ENV.has(name) && !keys.includes(name));
    expect(unknown).toEqual([]);
  });

  test('every key idle.env defines is read by some idle script', () => {
    const read = new Set(IDLE_SCRIPTS.flatMap((script) => [...variablesRead(asset(script))]));
    expect(IDLE_ENV_KEYS.filter((key) => !read.has(key))).toEqual([]);
  });

  test('idle.env holds the idle stop\'s settings and paths only: no API, no token, no marker, no droplet id', () => {
    expect([...IDLE_ENV_KEYS].sort()).toEqual(['HEARTBEAT_FILE', 'HOME_MOUNT_UNIT', 'IDLE_MINUTES', 'KEEP_RUNNING_FILE', 'NOTICE_FILE', 'SSHD_PORT', 'STATE_DIR', 'WARNING_MINUTES']);
  });

  test('the scripts that read boot.env source it, and all source idle.env, from the contract\'s folder', () => {
    for (const script of IDLE_SCRIPTS) {
      expect([script, asset(script)]).toEqual([script, expect.stringContaining(`. "\${ZTCS_ETC:-${BOOT_PATHS.etc}}/idle.env"`)]);
      const readsBootEnv = [...variablesRead(asset(script))].some((name) => (BOOT_ENV_KEYS as readonly string[]).includes(name));
      expect([script, asset(script).includes(`. "\${ZTCS_ETC:-${BOOT_PATHS.etc}}/boot.env"`)]).toEqual([script, readsBootEnv]);
    }
    expect(IDLE_PATHS.env).toBe(`${BOOT_PATHS.etc}/idle.env`);
  });

  test('the idle scripts and runcmd name only the idle stop\'s timer', () => {
    const texts = [...IDLE_SCRIPTS.map(asset), JSON.stringify(doc.runcmd.slice(2))];
    const named = new Set(texts.flatMap((text) => [...text.matchAll(/[a-z-]+\.(service|socket|timer|mount)/g)].map((m) => m[0])));
    expect([...named].sort()).toEqual([IDLE_UNITS.timer]);
  });

  test.each([...IDLE_SCRIPTS])('%s calls no API: no curl, wget or other HTTP client, no Authorization header', (script) => {
    const code = asset(script).split('\n').filter((line) => !line.trimStart().startsWith('#')).join('\n');
    expect(code).not.toMatch(/\b(curl|wget|nc|socat|python3?)\b|\/dev\/tcp|Authorization|Bearer|https?:\/\//);
  });

  test('no file of the idle stop is root-only: it writes no secret', () => {
    const idleFiles = doc.write_files.filter((f: { path: string }) => f.path.includes('idle') || f.path === IDLE_PATHS.keepRunningCommand);
    expect(idleFiles.length).toBe(IDLE_SCRIPTS.length + Object.keys(IDLE_UNITS).length + 1);
    expect(idleFiles.filter((f: { permissions?: string }) => f.permissions === '0600')).toEqual([]);
  });
});
