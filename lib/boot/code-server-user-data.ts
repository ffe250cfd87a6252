import { Construct } from 'constructs';
import { BootStep, renderBootStep, validateBootSteps } from './boot-steps';
import { CloudConfigOptions, renderCloudConfig, renderUserData } from './cloud-config';
import type { IdleStop } from '../idle-stop/idle-stop';
import { resolveIdleStop, validateIdleStop } from '../private/idle-stop';
import {
  checkHttpsUrl,
  checkIntegerRange,
  checkNoLiteralSecret,
  checkPattern,
  checkUnique,
  checkUrlWithoutCredentials,
  contextOf,
  isUnresolved,
  PropContext,
  rejectProp,
} from '../private/validation';
import { checkPrincipals } from '../ssh/ssh-options';

/** The defaults of {@link BootOptions}, for documentation and tests. */
export const BOOT_DEFAULTS = {
  userName: 'coder',
  codeServerVersion: '4.139.1',
  codeServerDebUrl: 'https://github.com/coder/code-server/releases/download/v{version}/code-server_{version}_amd64.deb',
  cloudflaredAptRepository: 'https://pkg.cloudflare.com/cloudflared',
  // Cloudflare rotated this key in 2025; hence a prop.
  cloudflaredKeyUrl: 'https://pkg.cloudflare.com/cloudflare-public-v2.gpg',
  // The primary key "CloudFlare Software Packaging 2025 <help@cloudflare.com>" (created
  // 2025-10-23), which signs the cloudflared repository's InRelease since the 2025 rotation that
  // brought cloudflare-public-v2.gpg (cloudflare/cloudflare-docs#26253). pkg.cloudflare.com shows
  // no fingerprint; this one is pinned alike by public projects that check the key they fetch
  // from pkg.cloudflare.com, e.g. ones noting it "the same on keys.openpgp.org and
  // keyserver.ubuntu.com" (found with a code search for "CloudFlare Software Packaging").
  cloudflaredKeyFingerprint: 'CC94B39C77AE7342A68B89628A682D308D4E5E73',
  // Long enough for a laptop lid closed overnight, and as long as the default Access session.
  reconnectionGraceSeconds: 86_400,
  // The home is the developer's own, on a machine of their own: Restricted Mode there only holds
  // back their own tasks, debuggers and extensions.
  workspaceTrust: false,
  developerSudo: true,
  developerUid: 1000,
  swapSizeGib: 2,
} as const;

/** The oldest code-server that understands every option of the configuration written here. */
export const MIN_CODE_SERVER_VERSION = '4.113.0';
/** Droplets with less memory than this get a swap file of `BOOT_DEFAULTS.swapSizeGib` by default. */
export const SWAP_BELOW_GIB = 4;

/** How the droplet boots: the developer's user, code-server and its personalization. */
export interface BootOptions {
  /**
   * The developer's Linux user (with passwordless sudo). code-server runs as this user. Not a
   * system user such as `root`: pick a name of your own, e.g. `dev`.
   * @default "coder"
   */
  readonly userName?: string;
  /**
   * The code-server release to install, `X.Y.Z`, 4.113.0 or newer.
   * @default "4.139.1"
   */
  readonly codeServerVersion?: string;
  /**
   * The SHA-256 of the release's amd64 .deb: the boot refuses to install a download that differs.
   * @default - the download is not checked beyond TLS
   */
  readonly codeServerSha256?: string;
  /**
   * Where code-server's amd64 .deb is downloaded from, `{version}` standing for
   * `codeServerVersion`: an internal mirror, for instance. http is accepted only with
   * `codeServerSha256`.
   * @default "https://github.com/coder/code-server/releases/download/v{version}/code-server_{version}_amd64.deb"
   */
  readonly codeServerDebUrl?: string;
  /**
   * The apt repository cloudflared is installed (and then updated) from, laid out as Cloudflare's:
   * suite `any`, component `main`. An internal mirror of it, for instance; http is accepted, since
   * apt checks the repository's signature with `cloudflaredKeyUrl`.
   * @default "https://pkg.cloudflare.com/cloudflared"
   */
  readonly cloudflaredAptRepository?: string;
  /**
   * The URL of the key that signs the cloudflared apt repository (binary or ASCII-armoured).
   * @default "https://pkg.cloudflare.com/cloudflare-public-v2.gpg"
   */
  readonly cloudflaredKeyUrl?: string;
  /**
   * The full OpenPGP fingerprint (40 hexadecimal characters, no spaces) of the key at
   * `cloudflaredKeyUrl`: the boot refuses a download that is not exactly this one primary key,
   * before apt trusts it. Change it together with `cloudflaredKeyUrl` when Cloudflare rotates
   * its key, or for a mirror signed with a key of your own.
   * @default "CC94B39C77AE7342A68B89628A682D308D4E5E73"
   */
  readonly cloudflaredKeyFingerprint?: string;
  /**
   * Extensions to install from Open VSX, as `publisher.name` or `publisher.name@version`.
   * @default - none
   */
  readonly extensions?: string[];
  /**
   * VS Code user settings (the JSON object of settings.json), written when the user has none yet.
   * @default - code-server's defaults
   */
  readonly settings?: { [key: string]: any };
  /**
   * Public git repositories (https URLs) cloned into the workspace folder when absent.
   * @default - none
   */
  readonly gitRepositories?: string[];
  /**
   * A public dotfiles repository (https URL), cloned to `~/.dotfiles` once; its `install.sh`,
   * `install`, `bootstrap.sh` or `setup.sh` (the first that is executable) is run as the user.
   * @default - none
   */
  readonly dotfilesRepository?: string;
  /**
   * The folder code-server opens, inside the user's home.
   * @default - "/home/<userName>/workspace"
   */
  readonly workspaceFolder?: string;
  /**
   * Size of a swap file in GiB; 0 for none.
   * @default - 2 when the droplet has less than 4 GiB of memory, else 0
   */
  readonly swapSizeGib?: number;
  /**
   * How long, in seconds, code-server keeps a disconnected session so the tab reconnects
   * instead of asking for a reload (from 60 seconds to 30 days).
   * @default 86400
   */
  readonly reconnectionGraceSeconds?: number;
  /**
   * VS Code's workspace trust: with it, a folder opens in Restricted Mode (no tasks, debugging or
   * workspace extensions) until the developer trusts it. Off by default: the workspace is the
   * developer's own home on a droplet of their own, where the prompt protects nothing but
   * interrupts every first start; turn it on when developers open repositories they do not trust.
   * @default false
   */
  readonly workspaceTrust?: boolean;
  /**
   * Steps of the platform's own: Debian packages, files and commands, as root or as the
   * developer, before code-server starts or once it is up (see `BootStep`). They run in order,
   * each once, and resume like the boot's own steps.
   * @default - none
   */
  readonly bootSteps?: BootStep[];
  /**
   * Whether the developer may use sudo without a password (their account has no password).
   * Without it they cannot install system packages themselves; give those as `bootSteps`.
   * @default true
   */
  readonly developerSudo?: boolean;
  /**
   * The developer's uid: the same on every droplet, so that the files of a home volume keep
   * their owner on a replacement. Change it only for a new home (an existing one keeps its files'
   * owner), e.g. to match another system's.
   * @default 1000
   */
  readonly developerUid?: number;
}

/** Props of {@link CodeServerUserData}. */
export interface CodeServerUserDataProps extends BootOptions {
  /** The public hostname of the editor. */
  readonly hostname: string;
  /** The tunnel token that cloudflared runs with (usually the tunnel construct's `token`). */
  readonly tunnelToken: string;
  /**
   * The droplet's memory in GiB, which decides the default swap file.
   * @default - unknown: no swap file unless `swapSizeGib` is given
   */
  readonly memoryGib?: number;
  /**
   * The ext4 label of a volume to mount as the user's home (an `IHomeVolume`'s `label`).
   * @default - the home is on the droplet's own disk
   */
  readonly homeVolumeLabel?: string;
  /**
   * SSH through Access: the public key of the certificate authority whose short-lived certificates
   * sshd accepts (the Access SSH application's). With it, sshd (on loopback only, for the tunnel,
   * with no passwords, as on every droplet) also takes no root login.
   * @default - sshd, on loopback only and with no passwords, accepts no certificate
   */
  readonly sshCertificateAuthority?: string;
  /**
   * With `sshCertificateAuthority`: the certificate principals that may log in as the user. Access
   * issues certificates whose principal is the part of the user's email before the "@".
   * @default - none; required with `sshCertificateAuthority`
   */
  readonly sshPrincipals?: string[];
  /**
   * The idle stop (see `IdleStop`): its watcher, which records the stop in the home, unmounts the
   * home and powers the droplet off. It adds no credential to the droplet.
   * @default - no idle stop
   */
  readonly idleStop?: IdleStop;
}

/** Linux user names that would clash with the system's own. */
const RESERVED_USERS = new Set(['root', 'daemon', 'bin', 'sys', 'sync', 'games', 'man', 'lp', 'mail', 'news', 'uucp', 'proxy', 'www-data', 'backup', 'list', 'irc', 'nobody', 'systemd-network', 'syslog', 'messagebus', 'sshd', '_apt', 'ubuntu', 'cloudflared']);
const USER_NAME = /^[a-z_][a-z0-9_-]{0,31}$/;
const VERSION = /^\d{1,4}\.\d{1,4}\.\d{1,4}$/;
const SHA256 = /^[a-f0-9]{64}$/;
const FINGERPRINT = /^[A-Fa-f0-9]{40}$/;
const EXTENSION = /^[a-z0-9][a-z0-9-]*\.[a-z0-9][a-z0-9-]*(@\d+\.\d+\.\d+)?$/i;
const PATH = /^\/[A-Za-z0-9._/-]+$/;

/** True when version a is the same as or newer than version b (both X.Y.Z). */
export function versionAtLeast(a: string, b: string): boolean {
  const pa = a.split('.').map(Number);
  const pb = b.split('.').map(Number);
  for (let i = 0; i < 3; i++) {
    if (pa[i] !== pb[i]) return pa[i] > pb[i];
  }
  return true;
}

/** The swap file a droplet gets by default: some under 4 GiB of memory, else none. */
export function defaultSwapGib(memoryGib: number | undefined): number {
  return memoryGib !== undefined && !isUnresolved(memoryGib) && memoryGib < SWAP_BELOW_GIB ? BOOT_DEFAULTS.swapSizeGib : 0;
}

/** Checks boot options without building anything. */
export function validateBootOptions(ctx: PropContext, o: BootOptions): void {
  if (o.userName !== undefined) {
    checkPattern(ctx, 'userName', o.userName, USER_NAME, 'expected a Linux user name: lower-case letters, digits, "_" and "-", 32 characters at most, e.g. "dev"');
    if (RESERVED_USERS.has(o.userName)) rejectProp(ctx, 'userName', o.userName, 'is a system user name; choose a name of your own, e.g. "dev" (the default is "coder")');
  }
  if (o.codeServerVersion !== undefined && !isUnresolved(o.codeServerVersion)) {
    checkPattern(ctx, 'codeServerVersion', o.codeServerVersion, VERSION, 'expected a release number such as "4.139.1" (no "v")');
    if (!versionAtLeast(o.codeServerVersion, MIN_CODE_SERVER_VERSION)) {
      rejectProp(ctx, 'codeServerVersion', o.codeServerVersion, `must be ${MIN_CODE_SERVER_VERSION} or newer (older releases reject options of the configuration)`);
    }
  }
  if (o.codeServerSha256 !== undefined) {
    checkPattern(ctx, 'codeServerSha256', o.codeServerSha256, SHA256, 'expected 64 lower-case hexadecimal characters, as `sha256sum` prints them');
  }
  if (o.codeServerDebUrl !== undefined) {
    checkHttpsUrl(ctx, 'codeServerDebUrl', o.codeServerDebUrl, true);
    if (!isUnresolved(o.codeServerDebUrl) && o.codeServerDebUrl.startsWith('http://') && o.codeServerSha256 === undefined) {
      rejectProp(ctx, 'codeServerDebUrl', o.codeServerDebUrl, 'is plain http, which anyone on the way can change: give codeServerSha256 with it (the .deb\'s SHA-256 as `sha256sum` prints it), or use https, e.g. "https://mirror.example.com/code-server_{version}_amd64.deb"');
    }
  }
  if (o.cloudflaredAptRepository !== undefined) checkHttpsUrl(ctx, 'cloudflaredAptRepository', o.cloudflaredAptRepository, true);
  if (o.cloudflaredKeyUrl !== undefined) checkHttpsUrl(ctx, 'cloudflaredKeyUrl', o.cloudflaredKeyUrl, true);
  if (o.cloudflaredKeyFingerprint !== undefined) {
    checkPattern(ctx, 'cloudflaredKeyFingerprint', o.cloudflaredKeyFingerprint, FINGERPRINT, `expected a full OpenPGP fingerprint: 40 hexadecimal characters without spaces, as \`gpg --show-keys --with-colons\` prints it on the fpr line, e.g. "${BOOT_DEFAULTS.cloudflaredKeyFingerprint}"`);
  }
  (o.extensions ?? []).forEach((e, i) => checkPattern(ctx, `extensions[${i}]`, e, EXTENSION, 'expected an Open VSX id such as "esbenp.prettier-vscode" or "ms-python.python@2024.2.1"'));
  checkUnique(ctx, 'extensions', (o.extensions ?? []).map((e) => e.toLowerCase().split('@')[0]));
  if (o.settings !== undefined && (typeof o.settings !== 'object' || o.settings === null || Array.isArray(o.settings))) {
    rejectProp(ctx, 'settings', o.settings, 'expected a JSON object of VS Code settings, e.g. { "editor.tabSize": 2 }');
  }
  (o.gitRepositories ?? []).forEach((r, i) => {
    checkUrlWithoutCredentials(ctx, `gitRepositories[${i}]`, r);
    checkHttpsUrl(ctx, `gitRepositories[${i}]`, r);
  });
  checkUnique(ctx, 'gitRepositories (folder names)', (o.gitRepositories ?? []).map((r) => r.replace(/\/+$/, '').split('/').pop()!.replace(/\.git$/, '')));
  if (o.dotfilesRepository !== undefined) {
    checkUrlWithoutCredentials(ctx, 'dotfilesRepository', o.dotfilesRepository);
    checkHttpsUrl(ctx, 'dotfilesRepository', o.dotfilesRepository);
  }
  if (o.settings !== undefined) checkNoLiteralSecret(ctx, 'settings', JSON.stringify(o.settings));
  if (o.workspaceFolder !== undefined) {
    checkPattern(ctx, 'workspaceFolder', o.workspaceFolder, PATH, 'expected an absolute path of letters, digits, ".", "_", "-" and "/"');
    const home = `/home/${o.userName ?? BOOT_DEFAULTS.userName}/`;
    if (!isUnresolved(o.workspaceFolder) && (!o.workspaceFolder.startsWith(home) || o.workspaceFolder.split('/').includes('..'))) {
      rejectProp(ctx, 'workspaceFolder', o.workspaceFolder, `must be inside the user's home, e.g. "${home}src"`);
    }
  }
  if (o.swapSizeGib !== undefined) checkIntegerRange(ctx, 'swapSizeGib', o.swapSizeGib, 0, 64);
  if (o.reconnectionGraceSeconds !== undefined) checkIntegerRange(ctx, 'reconnectionGraceSeconds', o.reconnectionGraceSeconds, 60, 2_592_000);
  if (o.bootSteps !== undefined) validateBootSteps(ctx, o.bootSteps);
  if (o.developerUid !== undefined) checkIntegerRange(ctx, 'developerUid', o.developerUid, 1000, 59_999);
}

function validateSsh(ctx: PropContext, props: CodeServerUserDataProps): void {
  const principals = props.sshPrincipals ?? [];
  if (props.sshCertificateAuthority === undefined) {
    if (principals.length > 0) rejectProp(ctx, 'sshPrincipals', principals, 'are used only with SSH through Access (sshCertificateAuthority)');
    return;
  }
  if (principals.length === 0) {
    rejectProp(ctx, 'sshPrincipals', principals, 'SSH through Access needs at least one principal: the part before the "@" of an allowed email, e.g. ["alice"]');
  }
  checkPrincipals(ctx, 'sshPrincipals', principals);
}

/** Applies the defaults: the values the document is rendered from. */
export function resolveBootOptions(props: CodeServerUserDataProps): CloudConfigOptions {
  const userName = props.userName ?? BOOT_DEFAULTS.userName;
  return {
    hostname: props.hostname,
    tunnelToken: props.tunnelToken,
    userName,
    uid: props.developerUid ?? BOOT_DEFAULTS.developerUid,
    sudo: props.developerSudo ?? BOOT_DEFAULTS.developerSudo,
    bootSteps: (props.bootSteps ?? []).map(renderBootStep),
    codeServerVersion: props.codeServerVersion ?? BOOT_DEFAULTS.codeServerVersion,
    codeServerSha256: props.codeServerSha256,
    codeServerDebUrl: props.codeServerDebUrl ?? BOOT_DEFAULTS.codeServerDebUrl,
    cloudflaredAptRepository: props.cloudflaredAptRepository ?? BOOT_DEFAULTS.cloudflaredAptRepository,
    cloudflaredKeyUrl: props.cloudflaredKeyUrl ?? BOOT_DEFAULTS.cloudflaredKeyUrl,
    cloudflaredKeyFingerprint: props.cloudflaredKeyFingerprint ?? BOOT_DEFAULTS.cloudflaredKeyFingerprint,
    extensions: props.extensions ?? [],
    settings: props.settings,
    gitRepositories: props.gitRepositories ?? [],
    dotfilesRepository: props.dotfilesRepository,
    workspaceFolder: props.workspaceFolder ?? `/home/${userName}/workspace`,
    swapSizeGib: props.swapSizeGib ?? defaultSwapGib(props.memoryGib),
    reconnectionGraceSeconds: props.reconnectionGraceSeconds ?? BOOT_DEFAULTS.reconnectionGraceSeconds,
    workspaceTrust: props.workspaceTrust ?? BOOT_DEFAULTS.workspaceTrust,
    homeVolumeLabel: props.homeVolumeLabel,
    ssh: props.sshCertificateAuthority === undefined
      ? undefined
      : { certificateAuthority: props.sshCertificateAuthority, principals: props.sshPrincipals ?? [] },
    idleStop: resolveIdleStop(props.idleStop),
  };
}

/**
 * The droplet's cloud-init user data: a `#cloud-config` document that creates the developer's
 * user, installs a pinned code-server and cloudflared, and starts both before anything optional.
 * It holds no resource; the droplet takes its `userData`.
 */
export class CodeServerUserData extends Construct {
  /** The same document escaped for Terraform: give this to the droplet. */
  public readonly userData: string;
  private readonly options: CloudConfigOptions;

  constructor(scope: Construct, id: string, props: CodeServerUserDataProps) {
    super(scope, id);
    const ctx = contextOf(this);
    validateBootOptions(ctx, props);
    validateSsh(ctx, props);
    if (props.idleStop !== undefined) validateIdleStop(ctx, props.idleStop);
    this.options = resolveBootOptions(props);
    this.userData = renderUserData(this.options);
  }

  /** The document as cloud-init reads it (the tunnel token may still be a Terraform reference). */
  public get cloudConfig(): string {
    return renderCloudConfig(this.options);
  }
}
