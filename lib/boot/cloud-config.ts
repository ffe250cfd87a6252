import { readFileSync } from 'fs';
import { join } from 'path';
import { Token } from 'cdktf';
import { stringify } from 'yaml';
import { cloudflaredUnit, CODE_SERVER_CONFIG_PATH, codeServerUnit, TUNNEL_TOKEN_PATH } from './units';

/** The code-server release installed unless another is asked for. */
export const DEFAULT_CODE_SERVER_VERSION = '4.141.1';
/** The oldest code-server that understands every option of the configuration written here. */
export const MIN_CODE_SERVER_VERSION = '4.113.0';
/** Where code-server's .deb comes from; `{version}` stands for the release number. */
export const DEFAULT_CODE_SERVER_DEB_URL = 'https://github.com/coder/code-server/releases/download/v{version}/code-server_{version}_amd64.deb';
/** Cloudflare's apt repository of cloudflared (suite `any`, component `main`). */
export const DEFAULT_CLOUDFLARED_APT_REPOSITORY = 'https://pkg.cloudflare.com/cloudflared';
/** The key that signs Cloudflare's apt repository (rotated in 2025; hence a prop). */
export const DEFAULT_CLOUDFLARED_KEY_URL = 'https://pkg.cloudflare.com/cloudflare-public-v2.gpg';
/** Long enough for a laptop lid closed overnight, and as long as the default Access session. */
export const DEFAULT_RECONNECTION_GRACE_SECONDS = 86_400;
/** Where the first boot records that code-server and the tunnel came up. */
export const READY_MARKER_PATH = '/var/lib/ztcs/ready';
/** The first boot's scripts. */
export const SCRIPT_DIR = '/usr/local/lib/ztcs';
/** The port code-server listens on, on loopback only. */
export const CODE_SERVER_PORT = 8080;

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
  readonly extensions: string[];
  readonly settings?: Record<string, unknown>;
  readonly gitRepositories: string[];
  readonly dotfilesRepository?: string;
  readonly workspaceFolder: string;
  /** Size of the swap file in GiB; 0 for none. */
  readonly swapSizeGib: number;
  readonly reconnectionGraceSeconds: number;
  /** The filesystem label of the home volume, or undefined when the home is on the droplet's disk. */
  readonly homeVolumeLabel?: string;
}

interface WriteFile {
  path: string;
  content: string;
  permissions: string;
  owner: string;
}

const SCRIPTS = [
  'boot.sh',
  'prepare-home.sh',
  'install-code-server.sh',
  'install-cloudflared.sh',
  'wait-ready.sh',
  'personalize.sh',
  'enable-security-updates.sh',
];

function asset(name: string): string {
  return readFileSync(join(__dirname, 'assets', name), 'utf8');
}

/** Quotes a value for a POSIX shell, so an environment file sourced by the scripts reads it back as is. */
export function shellQuote(value: string): string {
  return `'${value.replace(/'/g, "'\\''")}'`;
}

/** True when version a is the same as or newer than version b (both X.Y.Z). */
export function versionAtLeast(a: string, b: string): boolean {
  const pa = a.split('.').map(Number);
  const pb = b.split('.').map(Number);
  for (let i = 0; i < 3; i++) {
    if (pa[i] !== pb[i]) return pa[i] > pb[i];
  }
  return true;
}

/** A number as the document carries it: a Terraform token becomes a string reference, resolved at apply. */
function numberValue(n: number): number | string {
  return Token.isUnresolved(n) ? Token.asString(n) : n;
}

function homeOf(o: CloudConfigOptions): string {
  return `/home/${o.userName}`;
}

function bootEnvironment(o: CloudConfigOptions): string {
  const values: Array<[string, string]> = [
    ['CODE_USER', o.userName],
    ['CODE_HOME', homeOf(o)],
    ['WORKSPACE', o.workspaceFolder],
    ['CODE_SERVER_VERSION', o.codeServerVersion],
    ['CODE_SERVER_SHA256', o.codeServerSha256 ?? ''],
    ['CODE_SERVER_PORT', String(CODE_SERVER_PORT)],
    ['CODE_SERVER_DEB_URL', o.codeServerDebUrl.split('{version}').join(o.codeServerVersion)],
    ['CLOUDFLARED_APT_REPOSITORY', o.cloudflaredAptRepository],
    ['CLOUDFLARED_KEY_URL', o.cloudflaredKeyUrl],
    ['EXTENSIONS', o.extensions.join(' ')],
    ['GIT_REPOSITORIES', o.gitRepositories.join(' ')],
    ['DOTFILES_REPOSITORY', o.dotfilesRepository ?? ''],
    ['HOME_VOLUME_LABEL', o.homeVolumeLabel ?? ''],
    ['READY_MARKER', READY_MARKER_PATH],
  ];
  return values.map(([key, value]) => `${key}=${shellQuote(value)}`).join('\n') + '\n';
}

/** code-server's own configuration: loopback only, no password (Access guards the hostname). */
export function codeServerConfig(o: CloudConfigOptions): Record<string, unknown> {
  return {
    'bind-addr': `127.0.0.1:${CODE_SERVER_PORT}`,
    'auth': 'none',
    'cert': false,
    'disable-telemetry': true,
    'disable-update-check': true,
    'trusted-origins': [o.hostname],
    'reconnection-grace-time': numberValue(o.reconnectionGraceSeconds),
  };
}

function writeFiles(o: CloudConfigOptions): WriteFile[] {
  const file = (path: string, content: string, permissions = '0644'): WriteFile => ({ path, content, permissions, owner: 'root:root' });
  return [
    // The token is written once, here, readable by root only; systemd reads it for cloudflared.
    file(TUNNEL_TOKEN_PATH, `TUNNEL_TOKEN=${o.tunnelToken}\n`, '0600'),
    file('/etc/ztcs/boot.env', bootEnvironment(o)),
    file(CODE_SERVER_CONFIG_PATH, stringify(codeServerConfig(o))),
    ...(o.settings ? [file('/etc/ztcs/settings.json', JSON.stringify(o.settings, undefined, 2) + '\n')] : []),
    file('/etc/systemd/system/code-server.service', codeServerUnit(o.userName, homeOf(o), o.workspaceFolder, o.homeVolumeLabel !== undefined)),
    file('/etc/systemd/system/cloudflared-tunnel.service', cloudflaredUnit()),
    ...SCRIPTS.map((name) => file(`${SCRIPT_DIR}/${name}`, asset(name), '0755')),
  ];
}

function swapFile(sizeGib: number): Record<string, string> {
  const size = `${numberValue(sizeGib)}G`;
  return { filename: '/swapfile', size, maxsize: size };
}

/** The cloud-config document as a plain object, in the order cloud-init's modules use it. */
export function buildCloudConfig(o: CloudConfigOptions): Record<string, unknown> {
  const home = homeOf(o);
  const label = o.homeVolumeLabel;
  return {
    // bootcmd runs on every boot before the mounts module: the volume's device must be there.
    ...(label
      ? {
        bootcmd: [`for _ in $(seq 1 60); do [ -e /dev/disk/by-label/${label} ] && break; sleep 1; done`],
        mounts: [[`LABEL=${label}`, home, 'ext4', 'defaults,nofail,discard', '0', '2']],
      }
      : {}),
    ...(Token.isUnresolved(o.swapSizeGib) || o.swapSizeGib > 0 ? { swap: swapFile(o.swapSizeGib) } : {}),
    users: [
      {
        name: o.userName,
        uid: o.uid,
        gecos: 'code-server developer',
        groups: ['sudo'],
        shell: '/bin/bash',
        sudo: 'ALL=(ALL) NOPASSWD:ALL',
        lock_passwd: true,
      },
    ],
    write_files: writeFiles(o),
    runcmd: [[`${SCRIPT_DIR}/boot.sh`]],
    // The developer logs in through code-server, not SSH. Listing their SSH key fingerprints would
    // create ~/.ssh/authorized_keys, on the droplet's own disk when the home volume is missing.
    no_ssh_fingerprints: true,
    final_message: `ztcs: cloud-init finished after $UPTIME seconds; ${READY_MARKER_PATH} exists once code-server and the tunnel are up`,
  };
}

/** Renders the `#cloud-config` user data. */
export function renderCloudConfig(o: CloudConfigOptions): string {
  // lineWidth 0: no folding, so a long token stays on one line and in one piece.
  return '#cloud-config\n' + stringify(buildCloudConfig(o), { lineWidth: 0 });
}
