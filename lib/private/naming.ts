import { createHash } from 'crypto';
import type { PrivateKey } from '@cdktf/provider-tls/lib/private-key';
import { Fn, Op, TerraformStack, Token } from 'cdktf';
import { IConstruct } from 'constructs';
import { isUnresolved } from './validation';
import type { DropletOptions } from '../droplet/code-server-droplet';

// Every name this library derives (droplets, volumes, tunnels, Access applications and policies,
// hostnames, output prefixes, tags), so that a rename is one change here.

/**
 * A hostname next to the editor's, one level deep like it, so that Cloudflare's free certificate
 * for the zone covers it: the first label changed, the rest kept (`code.example.com` with
 * `{label}-ssh` gives `code-ssh.example.com`). Done by Terraform when the hostname is a token.
 */
export function siblingHostname(hostname: string, label: (first: string) => string): string {
  if (isUnresolved(hostname)) {
    const marker = 'ZTCSFIRSTLABEL';
    const [before, after] = label(marker).split(marker);
    return Fn.replace(hostname, '/^([^.]+)/', `${before}$1${after}`);
  }
  const dot = hostname.indexOf('.');
  return `${label(hostname.slice(0, dot))}${hostname.slice(dot)}`;
}

/** The default hostname of SSH through Access: `<first label>-ssh.<rest>`. */
export function sshHostnameOf(hostname: string): string {
  return siblingHostname(hostname, (first) => `${first}-ssh`);
}

/** The hostname of a dev server preview: `<port>-<first label>.<rest>`. */
export function previewHostnameOf(hostname: string, port: number): string {
  return siblingHostname(hostname, (first) => `${port}-${first}`);
}

/** The property under which a stack names the stack whose identities its constructs keep (a fleet's member stacks: the fleet). */
export const IDENTITY_STACK_ID = Symbol.for('cdktf-zero-trust-code-server.identity-stack-id');

/**
 * A construct's address as `node.addr` computes it (SHA-1 of the path's ids, `Default` left out,
 * prefixed `c8`), except that a stack that declares `IDENTITY_STACK_ID` counts under that id: in a
 * fleet's member stack a construct has the address it had in a one-stack team whose stack had the
 * fleet's id, so names made from it (the firewall's tag, the idle marker) survive the move.
 */
export function identityAddress(scope: IConstruct): string {
  const stack = TerraformStack.of(scope);
  const declared = (stack as unknown as Record<symbol, string | undefined>)[IDENTITY_STACK_ID];
  const hash = createHash('sha1');
  for (const c of scope.node.scopes) {
    const id = c === stack && declared !== undefined ? declared : c.node.id;
    if (id === 'Default') continue;
    hash.update(id);
    hash.update('\n');
  }
  return 'c8' + hash.digest('hex');
}

/** The droplet's name: the one given, or the hostname with dots turned into hyphens (by Terraform when the hostname is a token). */
export function dropletNameOf(options: DropletOptions, hostname: string): string {
  if (options.name !== undefined) return options.name;
  return isUnresolved(hostname) ? Fn.replace(hostname, '.', '-') : hostname.replace(/\./g, '-');
}

/**
 * The name of the tag that puts a droplet under its firewall: `ztcs-fw-` and 20 hex digits of the
 * SHA-256 of a key's public half, a key made for it alone and kept in the Terraform state. So the
 * name belongs to one deployment and cannot be guessed: a second app with the same names in the
 * account gets a tag of its own (a shared one would be deleted with either, leaving the other's
 * droplet uncovered). It stays the same when the droplet, hostname or zone is renamed, and when
 * the editor moves into a fleet's stack, since the key's state moves with the editor's.
 */
export function firewallTagName(key: PrivateKey): string {
  return `ztcs-fw-${Fn.substr(Fn.sha256(key.publicKeyOpenssh), 0, 20)}`;
}

/** DigitalOcean's limit on a volume name. */
const MAX_VOLUME_NAME = 64;
/** How much of a long droplet name a volume name keeps before its hash. */
const KEPT_OF_LONG_NAME = 50;

/**
 * The home volume's name for a droplet name: lower case, anything but letters, digits and hyphens
 * turned into hyphens, `-home` added. A name longer than DigitalOcean's 64 characters keeps its
 * first 50 and gets 8 hexadecimal digits of the whole name's SHA-1, so two long names that share
 * a beginning or an end still differ. Done by Terraform when the droplet name is a token.
 */
export function homeVolumeNameOf(dropletName: string): string {
  if (isUnresolved(dropletName)) {
    const slug = Fn.replace(Fn.lower(dropletName), '/[^a-z0-9-]/', '-');
    const whole = Fn.join('', [slug, '-home']);
    const shortened = Fn.join('', [Fn.replace(Fn.substr(slug, 0, KEPT_OF_LONG_NAME), '/-+$/', ''), '-', Fn.substr(Fn.sha1(slug), 0, 8), '-home']);
    return Token.asString(Fn.conditional(Op.gt(Fn.lengthOf(whole), MAX_VOLUME_NAME), shortened, whole));
  }
  const slug = dropletName.toLowerCase().replace(/[^a-z0-9-]/g, '-');
  const whole = `${slug}-home`;
  if (whole.length <= MAX_VOLUME_NAME) return whole;
  const hash = createHash('sha1').update(slug).digest('hex').slice(0, 8);
  return `${slug.slice(0, KEPT_OF_LONG_NAME).replace(/-+$/, '')}-${hash}-home`;
}

/** The construct id made the prefix of Terraform output names: letters, digits, "_" and "-", starting with a letter. */
export function outputPrefix(id: string): string {
  const name = id.replace(/[^A-Za-z0-9_-]/g, '-');
  return /^[A-Za-z_]/.test(name) ? name : `ztcs-${name}`;
}

/** A member's hostname: the pattern with `{name}` and `{zoneName}` filled in. */
export function memberHostname(pattern: string, name: string, zoneName: string): string {
  return pattern.split('{name}').join(name).split('{zoneName}').join(zoneName);
}

/** The tunnel's name: the one given, or `code-server-<hostname>`. */
export function tunnelNameOf(name: string | undefined, hostname: string): string {
  return name ?? `code-server-${hostname}`;
}

/** The Access application's name: the one given, or `code-server <hostname>`. */
export function accessApplicationNameOf(name: string | undefined, hostname: string): string {
  return name ?? `code-server ${hostname}`;
}

/** The name of the policy that lets the allowed users into an Access application. */
export function allowPolicyNameOf(applicationName: string): string {
  return `${applicationName} allow`;
}

/** The name of the SSH application beside an Access application. */
export function sshApplicationNameOf(applicationName: string): string {
  return `${applicationName} ssh`;
}

/** The name of a team's admins' Access policy. */
export function adminPolicyNameOf(teamPath: string): string {
  return `code-server ${teamPath} admins`;
}

/** The prefix of an idle stop marker's tag name: the marker's tag is this and 20 hex digits. */
export const IDLE_MARKER_PREFIX = 'ztcs-idle-';

/** The SSH principals of emails (the default principal of an email is its part before the "@"), each once. */
export function principalsOf(emails: readonly string[]): string[] {
  return [...new Set(emails.map((email) => email.split('@')[0]))];
}

// --- WP1: an editor's parts ---

/**
 * The construct ids of an editor's parts, used to build them and in the spec: every Terraform
 * address of an editor hangs on them, so they never change. The home volume's is the same in a
 * running, stopped or departed editor.
 */
export const EDITOR_PART_IDS = {
  access: 'Access',
  tunnel: 'Tunnel',
  dns: 'Dns',
  sshDns: 'SshDns',
  homeVolume: 'HomeVolume',
  userData: 'UserData',
  droplet: 'Droplet',
  idleStop: 'IdleStop',
} as const;

/** The construct id of the DNS record of a dev server preview. */
export function previewDnsIdOf(port: number): string {
  return `PreviewDns${port}`;
}

// --- Teams' layouts (the one team model) ---

/** A member's stack when a team has a stack per member: `<the team's stack>-<name>`. */
export function memberStackNameOf(teamStack: string, name: string): string {
  return `${teamStack}-${name}`;
}
