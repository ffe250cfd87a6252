import { readdirSync, readFileSync, statSync } from 'fs';
import { join } from 'path';
import * as api from '../../lib';

const LIB = join(__dirname, '..', '..', 'lib');

/**
 * What a user may import from the package at run time: constructs, enums and union classes.
 * Props and options are interfaces (types only) and are not listed here.
 */
const PUBLIC_RUNTIME_EXPORTS = [
  'AccessGroup',
  'AccessPolicy',
  'BootPhase',
  'BootUser',
  'CodeServerAccess',
  'CodeServerControlPlane',
  'CodeServerDroplet',
  'CodeServerTeam',
  'CodeServerTunnel',
  'CodeServerUserData',
  'DepartedEditor',
  'EditorPolicy',
  'FirewallProtocol',
  'Home',
  'HomeVolume',
  'IdleStopMarker',
  'PropValidation',
  'StateBackend',
  'TeamLayout',
  'TunnelDnsRecord',
  'ZeroTrustCodeServer',
];

function runtimeExportsOf(module: object): string[] {
  return Object.keys(module).filter((name) => name !== '__esModule').sort();
}

function isClass(value: unknown): boolean {
  return typeof value === 'function' && /^class\b/.test(Function.prototype.toString.call(value));
}

function isEnum(value: unknown): boolean {
  return typeof value === 'object' && value !== null
    && Object.values(value).every((v) => typeof v === 'string' || typeof v === 'number');
}

const folders = readdirSync(LIB).filter((entry) => statSync(join(LIB, entry)).isDirectory() && readdirSync(join(LIB, entry)).includes('index.ts'));

describe('the package root', () => {
  test('exports at run time exactly the public constructs, enums and union classes', () => {
    expect(runtimeExportsOf(api)).toEqual([...PUBLIC_RUNTIME_EXPORTS].sort());
  });

  test.each(runtimeExportsOf(api))('%s is a class or an enum, not a function, table or pattern', (name) => {
    const value = (api as Record<string, unknown>)[name];
    expect({ name, pascalCase: /^[A-Z][a-z]/.test(name), classOrEnum: isClass(value) || isEnum(value) }).toEqual({ name, pascalCase: true, classOrEnum: true });
  });
});

describe('the folder indexes', () => {
  test('every folder of lib/ but lib/private/ has an index', () => {
    expect(folders).not.toContain('private');
    expect(folders.length).toBeGreaterThan(5);
  });

  test.each(folders)('lib/%s/index.ts exports at run time only what the package root exports', (folder) => {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const exported = runtimeExportsOf(require(join(LIB, folder)));
    expect(exported.filter((name) => !PUBLIC_RUNTIME_EXPORTS.includes(name))).toEqual([]);
  });

  test('no folder index re-exports a whole file', () => {
    // `export *` hands every future helper of a file to users; an index names what it exports.
    const wholesale = folders.filter((folder) => /export \* from/.test(readFileSync(join(LIB, folder, 'index.ts'), 'utf8')));
    expect(wholesale).toEqual([]);
  });

  test('the package root imports nothing from lib/private/', () => {
    expect(readFileSync(join(LIB, 'index.ts'), 'utf8')).not.toMatch(/private/);
  });
});
