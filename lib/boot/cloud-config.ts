import { readFileSync } from 'fs';
import { join } from 'path';
import { Token } from 'cdktf';
import { stringify } from 'yaml';
import { RenderedBootStep } from './boot-steps';
import {
  BOOT_ENTRY,
  BOOT_ENV_KEYS,
  BOOT_LIBRARY,
  BOOT_PATHS,
  BOOT_STEPS,
  BOOT_UNITS,
  BootEnvKey,
  CODE_SERVER_PORT,
  IDLE_ENV_KEYS,
  IDLE_PATHS,
  IDLE_SCRIPTS,
  IDLE_UNITS,
  IdleEnvKey,
  METADATA_SERVICE,
  SSHD_PORT,
} from './contract';
import { escapeTerraformTemplate } from './terraform-string';
import { bootUnit, cloudflaredUnit, codeServerUnit, idleDeleteUnit, idleWatchTimer, idleWatchUnit } from './units';
import type { ResolvedIdleStop } from '../idle-stop/idle-stop';

/** Every value the boot document is rendered from, defaults already applied. */
export interface CloudConfigOptions {
  /** The public hostname (code-server trusts it as an origin). */
  readonly hostname: string;
  /** The tunnel token, or a placeholder to be substituted later. */
  readonly tunnelToken: string;
  /** The developer's Linux user. */
  readonly userName: string;
  /** Its uid, fixed so that files on a home volume keep their owner on a replacement droplet. */
  readonly uid: number;
  readonly codeServerVersion: string;
  readonly codeServerSha256?: string;
  /** The .deb's URL, `{version}` not yet replaced. */
  readonly codeServerDebUrl: string;
  readonly cloudflaredAptRepository: string;
  readonly cloudflaredKeyUrl: string;
  /** The full fingerprint of the one primary key the boot accepts from cloudflaredKeyUrl. */
  readonly cloudflaredKeyFingerprint: string;
  readonly extensions: string[];
  readonly settings?: Record<string, unknown>;
  readonly gitRepositories: string[];
  readonly dotfilesRepository?: string;
  readonly workspaceFolder: string;
  /** Size of the swap file in GiB; 0 for none. */
  readonly swapSizeGib: number;
  readonly reconnectionGraceSeconds: number;
  /** Whether VS Code's workspace trust (Restricted Mode) is on. */
  readonly workspaceTrust: boolean;
  /** The filesystem label of the home volume, or undefined when the home is on the droplet's disk. */
  readonly homeVolumeLabel?: string;
  /** The platform's own boot steps, rendered. */
  readonly bootSteps: RenderedBootStep[];
  /** Whether the developer may use sudo without a password. */
  readonly sudo: boolean;
  /** SSH through Access: the certificate authority's public key and the principals that may log in as the user. */
  readonly ssh?: { readonly certificateAuthority: string; readonly principals: string[] };
  /** The idle stop, when on. */
  readonly idleStop?: ResolvedIdleStop;
}

interface WriteFile {
  path: string;
  content: string;
  permissions: string;
  owner: string;
}

/** The scripts, read once per process: every document carries the same ones. */
const SCRIPT_CONTENTS: ReadonlyMap<string, string> = new Map(
  [BOOT_ENTRY, BOOT_LIBRARY, ...BOOT_STEPS].map((name) => [name, readFileSync(join(__dirname, 'assets', name), 'utf8')]),
);

/** The idle stop's scripts, read once per process. */
const IDLE_SCRIPT_CONTENTS: ReadonlyMap<string, string> = new Map(
  IDLE_SCRIPTS.map((name) => [name, readFileSync(join(__dirname, 'assets', name), 'utf8')]),
);

/** Quotes a value for a POSIX shell, so an environment file sourced by the scripts reads it back as is. */
export function shellQuote(value: string): string {
  return `'${value.replace(/'/g, "'\\''")}'`;
}

/** A number as the document carries it: a Terraform token becomes a string reference, resolved at apply. */
function numberValue(n: number): number | string {
  return Token.isUnresolved(n) ? Token.asString(n) : n;
}

function homeOf(o: CloudConfigOptions): string {
  return `/home/${o.userName}`;
}

/** The values of boot.env; the type makes every key of the contract present. */
export function bootEnvironment(o: CloudConfigOptions): Record<BootEnvKey, string> {
  return {
    CODE_USER: o.userName,
    CODE_HOME: homeOf(o),
    WORKSPACE: o.workspaceFolder,
    CODE_SERVER_VERSION: o.codeServerVersion,
    CODE_SERVER_SHA256: o.codeServerSha256 ?? '',
    CODE_SERVER_PORT: String(CODE_SERVER_PORT),
    CODE_SERVER_DEB_URL: o.codeServerDebUrl.split('{version}').join(o.codeServerVersion),
    CLOUDFLARED_APT_REPOSITORY: o.cloudflaredAptRepository,
    CLOUDFLARED_KEY_URL: o.cloudflaredKeyUrl,
    // gpg prints fingerprints in upper case.
    CLOUDFLARED_KEY_FINGERPRINT: o.cloudflaredKeyFingerprint.toUpperCase(),
    EXTENSIONS: o.extensions.join(' '),
    GIT_REPOSITORIES: o.gitRepositories.join(' '),
    DOTFILES_REPOSITORY: o.dotfilesRepository ?? '',
    HOME_VOLUME_LABEL: o.homeVolumeLabel ?? '',
    READY_MARKER: BOOT_PATHS.readyMarker,
  };
}

/** The values of idle.env: the idle stop's settings, no secret. */
export function idleEnvironment(o: CloudConfigOptions, idle: ResolvedIdleStop): Record<IdleEnvKey, string> {
  const home = homeOf(o);
  return {
    IDLE_MINUTES: String(idle.idleMinutes),
    WARNING_MINUTES: String(idle.warningMinutes),
    // code-server's data folder is ~/.local/share/code-server; it touches `heartbeat` there on activity.
    HEARTBEAT_FILE: `${home}/.local/share/code-server/heartbeat`,
    KEEP_RUNNING_FILE: `${home}/.local/state/ztcs/keep-running-until`,
    SSHD_PORT: String(SSHD_PORT),
    MARKER_TAG: idle.markerTag,
    DIGITALOCEAN_API_URL: idle.digitaloceanApiUrl,
    API_CONFIG: IDLE_PATHS.apiConfig,
    STATE_DIR: IDLE_PATHS.state,
    NOTICE_FILE: IDLE_PATHS.notice,
    INSTANCE_ID_FILE: IDLE_PATHS.instanceId,
  };
}

/** The idle stop's files: its settings, the token (root only), its units and scripts. */
function idleFiles(o: CloudConfigOptions, idle: ResolvedIdleStop): WriteFile[] {
  const values = idleEnvironment(o, idle);
  const script = (name: string) => IDLE_SCRIPT_CONTENTS.get(name)!;
  return [
    file(IDLE_PATHS.env, envFile(IDLE_ENV_KEYS, values)),
    // The token is written once, here, readable by root only; curl reads the header from it (-K).
    file(IDLE_PATHS.apiConfig, `header = "Authorization: Bearer ${idle.digitaloceanToken}"\n`, '0600'),
    file(`/etc/systemd/system/${IDLE_UNITS.watch}`, idleWatchUnit()),
    file(`/etc/systemd/system/${IDLE_UNITS.timer}`, idleWatchTimer()),
    file(`/etc/systemd/system/${IDLE_UNITS.delete}`, idleDeleteUnit(homeOf(o))),
    file(`${BOOT_PATHS.scripts}/idle-watch.sh`, script('idle-watch.sh'), '0755'),
    file(`${BOOT_PATHS.scripts}/idle-delete.sh`, script('idle-delete.sh'), '0755'),
    file(IDLE_PATHS.keepRunningCommand, script('keep-running.sh'), '0755'),
  ];
}

/** An environment file the scripts source: one `KEY='value'` line per key, in the keys' order. */
function envFile<K extends string>(keys: readonly K[], values: Record<K, string>): string {
  return keys.map((key) => `${key}=${shellQuote(values[key])}`).join('\n') + '\n';
}

/**
 * sshd on every droplet: loopback only, so it never answers on a public address, and no
 * passwords. With SSH through Access, also the Access application's certificates, and no root.
 */
export function sshdConfig(sshThroughAccess: boolean): string {
  return [
    sshThroughAccess
      ? '# Written by cloud-init: sshd serves SSH through Cloudflare Access only, on loopback.'
      : '# Written by cloud-init: sshd listens on loopback only and takes no password.',
    'ListenAddress 127.0.0.1',
    'PasswordAuthentication no',
    'KbdInteractiveAuthentication no',
    ...(sshThroughAccess
      ? [
        'PermitRootLogin no',
        'PubkeyAuthentication yes',
        `TrustedUserCAKeys ${BOOT_PATHS.sshCertificateAuthority}`,
        `AuthorizedPrincipalsFile ${BOOT_PATHS.sshPrincipals}/%u`,
      ]
      : []),
  ].join('\n') + '\n';
}

/**
 * code-server's own configuration: loopback only, no password (Access guards the hostname), no
 * telemetry or update check, and the Getting Started page as VS Code has it (code-server replaces
 * it with a promotion of Coder's otherwise).
 */
export function codeServerConfig(o: CloudConfigOptions): Record<string, unknown> {
  return {
    'bind-addr': `127.0.0.1:${CODE_SERVER_PORT}`,
    'auth': 'none',
    'cert': false,
    'disable-telemetry': true,
    'disable-update-check': true,
    'disable-getting-started-override': true,
    ...(o.workspaceTrust ? {} : { 'disable-workspace-trust': true }),
    'trusted-origins': [o.hostname],
    'reconnection-grace-time': numberValue(o.reconnectionGraceSeconds),
  };
}

function file(path: string, content: string, permissions = '0644'): WriteFile {
  return { path, content, permissions, owner: 'root:root' };
}

/** The scripts as write_files entries: the same in every document, and written last. */
function scriptFiles(): WriteFile[] {
  return [...SCRIPT_CONTENTS].map(([name, content]) => file(`${BOOT_PATHS.scripts}/${name}`, content, '0755'));
}

/** The files that depend on the options, in the order they are written, before the scripts. */
function optionFiles(o: CloudConfigOptions): WriteFile[] {
  return [
    // The token is written once, here, readable by root only; systemd reads it for cloudflared.
    file(BOOT_PATHS.tunnelToken, `TUNNEL_TOKEN=${o.tunnelToken}\n`, '0600'),
    file(BOOT_PATHS.env, envFile(BOOT_ENV_KEYS, bootEnvironment(o))),
    file(BOOT_PATHS.codeServerConfig, stringify(codeServerConfig(o))),
    ...(o.settings ? [file(BOOT_PATHS.settings, JSON.stringify(o.settings, undefined, 2) + '\n')] : []),
    file(`/etc/systemd/system/${BOOT_UNITS.codeServer}`, codeServerUnit(o.userName, homeOf(o), o.workspaceFolder, o.homeVolumeLabel !== undefined)),
    file(`/etc/systemd/system/${BOOT_UNITS.cloudflared}`, cloudflaredUnit()),
    file(`/etc/systemd/system/${BOOT_UNITS.boot}`, bootUnit()),
    // Written before sshd first starts (cloud-init's network stage runs before ssh.service).
    file(BOOT_PATHS.sshdConfig, sshdConfig(o.ssh !== undefined)),
    ...o.bootSteps.map((step) => file(`${BOOT_PATHS.customSteps}/${step.phase}/${step.fileName}`, step.script, '0755')),
    ...(o.ssh
      ? [
        file(BOOT_PATHS.sshCertificateAuthority, `${o.ssh.certificateAuthority}\n`),
        file(`${BOOT_PATHS.sshPrincipals}/${o.userName}`, o.ssh.principals.join('\n') + '\n'),
      ]
      : []),
    ...(o.idleStop ? idleFiles(o, o.idleStop) : []),
  ];
}

function swapFile(sizeGib: number): Record<string, string> {
  const size = `${numberValue(sizeGib)}G`;
  return { filename: '/swapfile', size, maxsize: size };
}

/**
 * The bootcmd line that refuses the metadata service to the developer (see METADATA_SERVICE): a
 * policy routing rule by uid, which needs nothing but iproute2 and covers every process of theirs
 * (code-server, its terminals, SSH sessions, cron jobs). bootcmd runs first on every boot, before
 * the users module, so nothing of the developer's runs before it. `protocol kernel`: systemd-networkd
 * removes the routing rules it did not make, except the kernel's.
 */
export function metadataRestriction(): string {
  const { address, firstRefusedUid, rulePriority } = METADATA_SERVICE;
  return `ip rule del priority ${rulePriority} 2>/dev/null; ip rule add priority ${rulePriority} to ${address}/32 uidrange ${firstRefusedUid}-4294967294 prohibit protocol kernel`;
}

/** The cloud-config document as a plain object, in the order cloud-init's modules use it. */
export function buildCloudConfig(o: CloudConfigOptions): Record<string, unknown> {
  return documentOf(o, [...optionFiles(o), ...scriptFiles()]);
}

function documentOf(o: CloudConfigOptions, files: WriteFile[]): Record<string, unknown> {
  const home = homeOf(o);
  const label = o.homeVolumeLabel;
  return {
    // bootcmd runs on every boot, first: the metadata service is closed to the developer, and
    // before the mounts module the volume's device must be there.
    bootcmd: [
      metadataRestriction(),
      ...(label ? [`for _ in $(seq 1 60); do [ -e /dev/disk/by-label/${label} ] && break; sleep 1; done`] : []),
    ],
    ...(label ? { mounts: [[`LABEL=${label}`, home, 'ext4', 'defaults,nofail,discard', '0', '2']] } : {}),
    ...(Token.isUnresolved(o.swapSizeGib) || o.swapSizeGib > 0 ? { swap: swapFile(o.swapSizeGib) } : {}),
    users: [
      {
        name: o.userName,
        uid: o.uid,
        gecos: 'code-server developer',
        ...(o.sudo ? { groups: ['sudo'] } : {}),
        shell: '/bin/bash',
        ...(o.sudo ? { sudo: 'ALL=(ALL) NOPASSWD:ALL' } : {}),
        lock_passwd: true,
      },
    ],
    write_files: files,
    // The boot runs as a unit of its own, which starts again after a failure and on every boot
    // until it has finished; --no-block: cloud-init does not wait for it.
    runcmd: [
      ['systemctl', 'daemon-reload'],
      ['systemctl', 'enable', '--now', '--no-block', BOOT_UNITS.boot],
      ...(o.idleStop ? [['systemctl', 'enable', '--now', '--no-block', IDLE_UNITS.timer]] : []),
    ],
    // The developer signs in through code-server, or over SSH with Access certificates: no
    // authorized keys. Listing their key fingerprints would only create ~/.ssh/authorized_keys,
    // on the droplet's own disk when the home volume is missing.
    no_ssh_fingerprints: true,
    final_message: `ztcs: cloud-init finished after $UPTIME seconds; ${BOOT_UNITS.boot} goes on, and ${BOOT_PATHS.readyMarker} exists once code-server and the tunnel are up`,
  };
}

// lineWidth 0: no folding, so a long token stays on one line and in one piece.
const YAML_OPTIONS = { lineWidth: 0 };
/** The line that follows the write_files list in every document. */
const AFTER_FILES = '\nruncmd:\n';
let scriptEntries: string | undefined;

/** The document as YAML: the script entries, the same in all, rendered once per process and put in place. */
function renderWhole(o: CloudConfigOptions): string {
  scriptEntries ??= stringify({ write_files: scriptFiles() }, YAML_OPTIONS).replace(/^write_files:\n/, '');
  const text = stringify(documentOf(o, optionFiles(o)), YAML_OPTIONS);
  const at = text.indexOf(AFTER_FILES);
  return '#cloud-config\n' + text.slice(0, at + 1) + scriptEntries + text.slice(at + 1);
}

/** Stand-ins for what differs between the editors of a team, and the values YAML writes as they are. */
const SLOTS = { hostname: 'ztcs-hostname-slot.example', token: 'ZTCS_TOKEN_SLOT', authority: 'ZTCS_AUTHORITY_SLOT' };
type Slot = keyof typeof SLOTS;
const SLOT_MARKER = new RegExp(`(${Object.values(SLOTS).map((v) => v.replace(/\./g, '\\.')).join('|')})`);
const SLOT_OF = new Map(Object.entries(SLOTS).map(([slot, value]) => [value, slot as Slot]));
const PLAIN_HOSTNAME = /^(?=.*\.[a-z][a-z0-9-]*$)[a-z0-9][a-z0-9.-]*$/;
const PLAIN_TOKEN = /^[A-Za-z0-9._=${}[\]-]+$/;
const MAX_TEMPLATES = 64;

/** A rendering cut at its slots: the text between them, and which slot each gap is. */
interface Template {
  readonly texts: string[];
  readonly slots: Slot[];
}
/** One rendering per set of options that differ only in their slots: as cloud-init reads it, and escaped for Terraform. */
interface Renderings {
  readonly document: Template;
  readonly userData: Template;
}
const templates = new Map<string, Renderings>();

function templateOf(text: string): Template {
  const pieces = text.split(SLOT_MARKER);
  return { texts: pieces.filter((_, i) => i % 2 === 0), slots: pieces.filter((_, i) => i % 2 === 1).map((value) => SLOT_OF.get(value)!) };
}

function fill(template: Template, values: Record<Slot, string>): string {
  const out = [template.texts[0]];
  template.slots.forEach((slot, i) => out.push(values[slot], template.texts[i + 1]));
  return out.join('');
}

/**
 * The renderings of `o`'s document cut at its slots, shared by editors that differ only in
 * hostname and tokens (a team's), one per process; undefined when a value is not one YAML writes
 * as it is (quoted, folded): that takes the whole rendering.
 */
function renderingsFor(o: CloudConfigOptions): Renderings | undefined {
  const authority = o.ssh?.certificateAuthority;
  if (!PLAIN_HOSTNAME.test(o.hostname) || !PLAIN_TOKEN.test(o.tunnelToken) || (authority !== undefined && !PLAIN_TOKEN.test(authority))) {
    return undefined;
  }
  const slotted: CloudConfigOptions = {
    ...o,
    hostname: SLOTS.hostname,
    tunnelToken: SLOTS.token,
    ...(o.ssh ? { ssh: { ...o.ssh, certificateAuthority: SLOTS.authority } } : {}),
  };
  const key = JSON.stringify(slotted);
  let renderings = templates.get(key);
  if (renderings === undefined) {
    if (templates.size >= MAX_TEMPLATES) templates.clear();
    const whole = renderWhole(slotted);
    renderings = { document: templateOf(whole), userData: templateOf(escapeTerraformTemplate(whole)) };
    templates.set(key, renderings);
  }
  return renderings;
}

function slotValues(o: CloudConfigOptions, escape: (value: string) => string = (value) => value): Record<Slot, string> {
  const authority = o.ssh?.certificateAuthority;
  return { hostname: o.hostname, token: escape(o.tunnelToken), authority: authority === undefined ? SLOTS.authority : escape(authority) };
}

/**
 * Renders the `#cloud-config` user data: `buildCloudConfig` as YAML. Editors that differ only in
 * hostname and tokens share one rendering per process, the values put in its slots; tests prove
 * both ways equal rendering the whole object.
 */
export function renderCloudConfig(o: CloudConfigOptions): string {
  const renderings = renderingsFor(o);
  return renderings ? fill(renderings.document, slotValues(o)) : renderWhole(o);
}

/**
 * The same document escaped for Terraform (`escapeTerraformTemplate(renderCloudConfig(o))`), as
 * a droplet's `user_data` takes it: escaped once per rendering, not once per editor.
 */
export function renderUserData(o: CloudConfigOptions): string {
  const renderings = renderingsFor(o);
  return renderings ? fill(renderings.userData, slotValues(o, escapeTerraformTemplate)) : escapeTerraformTemplate(renderWhole(o));
}
