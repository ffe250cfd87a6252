import { readFileSync } from 'fs';
import { join } from 'path';
import { ACCESS_DEFAULTS } from '../../lib/access/code-server-access';
import { BOOT_DEFAULTS } from '../../lib/boot/code-server-user-data';
import { DROPLET_DEFAULTS } from '../../lib/droplet/code-server-droplet';
import { FLEET_DEFAULTS } from '../../lib/fleet/code-server-fleet';
import { STATE_BACKEND_DEFAULTS } from '../../lib/fleet/state-backend';
import { IDLE_STOP_DEFAULTS } from '../../lib/idle-stop/idle-stop';
import { HOME_VOLUME_DEFAULTS } from '../../lib/storage/home-volume';

// Every default is defined once, next to the construct that owns it; the docs must agree with it.

const ROOT = join(__dirname, '..', '..');
const README = readFileSync(join(ROOT, 'README.md'), 'utf8');

/** Each default, the source file that owns it, and the props it is the default of. */
const DEFAULTS: Array<[string, Record<string, string | number | boolean>, string]> = [
  ['access', ACCESS_DEFAULTS, 'lib/access/code-server-access.ts'],
  ['boot', BOOT_DEFAULTS, 'lib/boot/code-server-user-data.ts'],
  ['droplet', DROPLET_DEFAULTS, 'lib/droplet/code-server-droplet.ts'],
  ['home volume', HOME_VOLUME_DEFAULTS, 'lib/storage/home-volume.ts'],
  ['fleet', FLEET_DEFAULTS, 'lib/fleet/code-server-fleet.ts'],
  ['state backend', STATE_BACKEND_DEFAULTS, 'lib/fleet/state-backend.ts'],
  ['idle stop', IDLE_STOP_DEFAULTS, 'lib/idle-stop/idle-stop.ts'],
];

/** Defaults that depend on another prop: the docs describe them in words. */
const DESCRIBED_IN_WORDS = new Set(['swapSizeGib']);

const CASES = DEFAULTS.flatMap(([part, defaults, file]) =>
  Object.entries(defaults)
    .filter(([prop]) => !DESCRIBED_IN_WORDS.has(prop))
    .map(([prop, value]) => [part, prop, value, file] as [string, string, string | number | boolean, string]),
);

/** The default cell of the README's prop table row for a prop. */
function readmeDefault(prop: string): string {
  const row = README.split('\n').find((line) => line.startsWith(`| \`${prop}\` |`));
  if (!row) throw new Error(`the README's prop tables have no row for ${prop}`);
  return row.split('|')[2].trim();
}

/** The `@default` line of a prop's doc comment in its source file. */
function sourceDefault(file: string, prop: string): string {
  const source = readFileSync(join(ROOT, file), 'utf8');
  const match = new RegExp(`@default ([^\\n]*)\\n\\s*\\*/\\n\\s*readonly ${prop}\\?:`).exec(source);
  if (!match) throw new Error(`${file} documents no @default for ${prop}`);
  return match[1].trim();
}

describe('the documented defaults', () => {
  test.each(CASES)('the README gives the %s default of %s as the code does', (_part, prop, value) => {
    expect(readmeDefault(prop)).toBe(`\`${value}\``);
  });

  test.each(CASES)('the doc comment gives the %s default of %s as the code does', (_part, prop, value, file) => {
    expect(sourceDefault(file, prop)).toBe(typeof value === 'string' ? JSON.stringify(value) : String(value));
  });
});
