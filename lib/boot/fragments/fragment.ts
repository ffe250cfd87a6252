import { readFileSync } from 'fs';
import { join } from 'path';
import { Token } from 'cdktf';
import type { CloudConfigOptions } from '../cloud-config';

/** A file of cloud-init's write_files. */
export interface WriteFile {
  readonly path: string;
  readonly content: string;
  readonly permissions: string;
  readonly owner: string;
}

/**
 * A feature's part of the boot, from one place: the files it writes (its settings, units and
 * scripts), what it needs of cloud-init's modules, and the commands that start its units.
 */
export interface BootFragment {
  /** Lines of bootcmd, run on every boot, after the metadata service is closed. */
  readonly bootcmd?: string[];
  /** Entries of cloud-init's mounts (fstab). */
  readonly mounts?: string[][];
  /** Files, written in this order. */
  readonly files?: WriteFile[];
  /** Commands of runcmd, once the files are written and systemd has read the units. */
  readonly runcmd?: string[][];
}

/** A root-owned file. */
export function file(path: string, content: string, permissions = '0644'): WriteFile {
  return { path, content, permissions, owner: 'root:root' };
}

/** A unit file in systemd's folder for the administrator's units. */
export function unitFile(name: string, content: string): WriteFile {
  return file(`/etc/systemd/system/${name}`, content);
}

/** A script of lib/boot/assets. */
export function asset(name: string): string {
  return readFileSync(join(__dirname, '..', 'assets', name), 'utf8');
}

/** Quotes a value for a POSIX shell, so an environment file sourced by the scripts reads it back as is. */
export function shellQuote(value: string): string {
  return `'${value.replace(/'/g, "'\\''")}'`;
}

/** An environment file the scripts source: one `KEY='value'` line per key, in the keys' order. */
export function envFile<K extends string>(keys: readonly K[], values: Record<K, string>): string {
  return keys.map((key) => `${key}=${shellQuote(values[key])}`).join('\n') + '\n';
}

/** A number as the document carries it: a Terraform token becomes a string reference, resolved at apply. */
export function numberValue(n: number): number | string {
  return Token.isUnresolved(n) ? Token.asString(n) : n;
}

/** The developer's home. */
export function homeOf(o: CloudConfigOptions): string {
  return `/home/${o.userName}`;
}
