import { Construct } from 'constructs';
import {
  CloudConfigOptions,
  DEFAULT_CLOUDFLARED_APT_REPOSITORY,
  DEFAULT_CLOUDFLARED_KEY_URL,
  DEFAULT_CODE_SERVER_DEB_URL,
  DEFAULT_CODE_SERVER_VERSION,
  DEFAULT_RECONNECTION_GRACE_SECONDS,
  MIN_CODE_SERVER_VERSION,
  renderCloudConfig,
  versionAtLeast,
} from './cloud-config';
import { escapeTerraformTemplate } from './terraform-string';
import {
  checkHttpsUrl,
  checkIntegerRange,
  checkPattern,
  checkUnique,
  isUnresolved,
  PropContext,
  rejectProp,
} from '../validation';

/** How the droplet boots: the developer's user, code-server and its personalization. */
export interface BootOptions {
  /**
   * The developer's Linux user (with passwordless sudo). code-server runs as this user.
   * @default "coder"
   */
  readonly userName?: string;
  /**
   * The code-server release to install, `X.Y.Z`, 4.113.0 or newer.
   * @default "4.141.1"
   */
  readonly codeServerVersion?: string;
  /**
   * The SHA-256 of the release's amd64 .deb: the boot refuses to install a download that differs.
   * @default - the download is not checked beyond TLS
   */
  readonly codeServerSha256?: string;
  /**
   * Where code-server's amd64 .deb is downloaded from, `{version}` standing for
   * `codeServerVersion`: an internal mirror, for instance. http is accepted; give
   * `codeServerSha256` with it.
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
   * @default - 0 for CodeServerUserData; ZeroTrustCodeServer gives 2 to droplets with less than 4 GiB of memory
   */
  readonly swapSizeGib?: number;
  /**
   * How long, in seconds, code-server keeps a disconnected session so the tab reconnects
   * instead of asking for a reload (from 60 seconds to 30 days).
   * @default 86400
   */
  readonly reconnectionGraceSeconds?: number;
}

/** Props of {@link CodeServerUserData}. */
export interface CodeServerUserDataProps extends BootOptions {
  /** The public hostname of the editor. */
  readonly hostname: string;
  /** The tunnel token that cloudflared runs with (usually the tunnel construct's `token`). */
  readonly tunnelToken: string;
  /**
   * The filesystem label of a volume to mount as the user's home.
   * @default - the home is on the droplet's own disk
   */
  readonly homeVolumeLabel?: string;
}

/** Linux user names that would clash with the system's own. */
const RESERVED_USERS = new Set(['root', 'daemon', 'bin', 'sys', 'sync', 'games', 'man', 'lp', 'mail', 'news', 'uucp', 'proxy', 'www-data', 'backup', 'list', 'irc', 'nobody', 'systemd-network', 'syslog', 'messagebus', 'sshd', '_apt', 'ubuntu', 'cloudflared']);
const USER_NAME = /^[a-z_][a-z0-9_-]{0,31}$/;
const VERSION = /^\d{1,4}\.\d{1,4}\.\d{1,4}$/;
const SHA256 = /^[a-f0-9]{64}$/;
const EXTENSION = /^[a-z0-9][a-z0-9-]*\.[a-z0-9][a-z0-9-]*(@\d+\.\d+\.\d+)?$/i;
const PATH = /^\/[A-Za-z0-9._/-]+$/;
/** A filesystem label that ext4 takes (16 bytes) and the scripts can use as is. */
export const VOLUME_LABEL = /^[a-z0-9][a-z0-9-]{0,15}$/;
const CTX: PropContext = { construct: 'CodeServerUserData' };

/** Checks boot options without building anything. */
export function validateBootOptions(o: BootOptions, ctx: PropContext = CTX): void {
  if (o.userName !== undefined) {
    checkPattern(ctx, 'userName', o.userName, USER_NAME, 'expected a Linux user name: lower-case letters, digits, "_" and "-", 32 characters at most');
    if (RESERVED_USERS.has(o.userName)) rejectProp(ctx, 'userName', o.userName, 'is a system user name');
  }
  if (o.codeServerVersion !== undefined && !isUnresolved(o.codeServerVersion)) {
    checkPattern(ctx, 'codeServerVersion', o.codeServerVersion, VERSION, 'expected a release number such as "4.141.1" (no "v")');
    if (!versionAtLeast(o.codeServerVersion, MIN_CODE_SERVER_VERSION)) {
      rejectProp(ctx, 'codeServerVersion', o.codeServerVersion, `must be ${MIN_CODE_SERVER_VERSION} or newer (older releases reject options of the configuration)`);
    }
  }
  if (o.codeServerSha256 !== undefined) {
    checkPattern(ctx, 'codeServerSha256', o.codeServerSha256, SHA256, 'expected 64 lower-case hexadecimal characters');
  }
  if (o.codeServerDebUrl !== undefined) checkHttpsUrl(ctx, 'codeServerDebUrl', o.codeServerDebUrl, true);
  if (o.cloudflaredAptRepository !== undefined) checkHttpsUrl(ctx, 'cloudflaredAptRepository', o.cloudflaredAptRepository, true);
  if (o.cloudflaredKeyUrl !== undefined) checkHttpsUrl(ctx, 'cloudflaredKeyUrl', o.cloudflaredKeyUrl, true);
  (o.extensions ?? []).forEach((e, i) => checkPattern(ctx, `extensions[${i}]`, e, EXTENSION, 'expected an Open VSX id such as "esbenp.prettier-vscode" or "ms-python.python@2024.2.1"'));
  checkUnique(ctx, 'extensions', (o.extensions ?? []).map((e) => e.toLowerCase().split('@')[0]));
  if (o.settings !== undefined && (typeof o.settings !== 'object' || o.settings === null || Array.isArray(o.settings))) {
    rejectProp(ctx, 'settings', o.settings, 'expected a JSON object of VS Code settings');
  }
  (o.gitRepositories ?? []).forEach((r, i) => checkHttpsUrl(ctx, `gitRepositories[${i}]`, r));
  checkUnique(ctx, 'gitRepositories (folder names)', (o.gitRepositories ?? []).map((r) => r.replace(/\/+$/, '').split('/').pop()!.replace(/\.git$/, '')));
  if (o.dotfilesRepository !== undefined) checkHttpsUrl(ctx, 'dotfilesRepository', o.dotfilesRepository);
  if (o.workspaceFolder !== undefined) {
    checkPattern(ctx, 'workspaceFolder', o.workspaceFolder, PATH, 'expected an absolute path of letters, digits, ".", "_", "-" and "/"');
    const home = `/home/${o.userName ?? 'coder'}/`;
    if (!isUnresolved(o.workspaceFolder) && (!o.workspaceFolder.startsWith(home) || o.workspaceFolder.split('/').includes('..'))) {
      rejectProp(ctx, 'workspaceFolder', o.workspaceFolder, `must be inside the user's home, ${home}`);
    }
  }
  if (o.swapSizeGib !== undefined) checkIntegerRange(ctx, 'swapSizeGib', o.swapSizeGib, 0, 64);
  if (o.reconnectionGraceSeconds !== undefined) checkIntegerRange(ctx, 'reconnectionGraceSeconds', o.reconnectionGraceSeconds, 60, 2_592_000);
}

/** Applies the defaults to boot options. */
export function resolveBootOptions(props: CodeServerUserDataProps): CloudConfigOptions {
  const userName = props.userName ?? 'coder';
  return {
    hostname: props.hostname,
    tunnelToken: props.tunnelToken,
    userName,
    uid: 1000,
    codeServerVersion: props.codeServerVersion ?? DEFAULT_CODE_SERVER_VERSION,
    codeServerSha256: props.codeServerSha256,
    codeServerDebUrl: props.codeServerDebUrl ?? DEFAULT_CODE_SERVER_DEB_URL,
    cloudflaredAptRepository: props.cloudflaredAptRepository ?? DEFAULT_CLOUDFLARED_APT_REPOSITORY,
    cloudflaredKeyUrl: props.cloudflaredKeyUrl ?? DEFAULT_CLOUDFLARED_KEY_URL,
    extensions: props.extensions ?? [],
    settings: props.settings,
    gitRepositories: props.gitRepositories ?? [],
    dotfilesRepository: props.dotfilesRepository,
    workspaceFolder: props.workspaceFolder ?? `/home/${userName}/workspace`,
    swapSizeGib: props.swapSizeGib ?? 0,
    reconnectionGraceSeconds: props.reconnectionGraceSeconds ?? DEFAULT_RECONNECTION_GRACE_SECONDS,
    homeVolumeLabel: props.homeVolumeLabel,
  };
}

/**
 * The droplet's cloud-init user data: a `#cloud-config` document that creates the developer's
 * user, installs a pinned code-server and cloudflared, and starts both before anything optional.
 * It holds no resource; the droplet takes its `userData`.
 */
export class CodeServerUserData extends Construct {
  /** The document as cloud-init reads it (the tunnel token may still be a Terraform reference). */
  public readonly cloudConfig: string;
  /** The same document escaped for Terraform: give this to the droplet. */
  public readonly userData: string;

  constructor(scope: Construct, id: string, props: CodeServerUserDataProps) {
    super(scope, id);
    validateBootOptions(props);
    if (props.homeVolumeLabel !== undefined) {
      checkPattern(CTX, 'homeVolumeLabel', props.homeVolumeLabel, VOLUME_LABEL, 'expected 1 to 16 lower-case letters, digits or hyphens');
    }
    this.cloudConfig = renderCloudConfig(resolveBootOptions(props));
    this.userData = escapeTerraformTemplate(this.cloudConfig);
  }
}
