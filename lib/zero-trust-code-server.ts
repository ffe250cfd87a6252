import { Fn, TerraformOutput } from 'cdktf';
import { Construct } from 'constructs';
import { CodeServerAccess, validateAccessSettings } from './access/code-server-access';
import { AccessRuleSet, GithubOrganization, requireSomeRule, validateAccessRuleSet } from './access/rules';
import { BootOptions, CodeServerUserData, validateBootOptions } from './boot/code-server-user-data';
import { TunnelDnsRecord } from './dns/tunnel-dns-record';
import { CodeServerDroplet, DROPLET_NAME, DropletOptions, validateDropletOptions } from './droplet/code-server-droplet';
import { defaultSwapGib } from './droplet/sizes';
import { HomeVolume, HomeVolumeOptions, validateHomeVolumeOptions } from './storage/home-volume';
import { CodeServerTunnel, validateCodeServerTunnelProps } from './tunnel/code-server-tunnel';
import { checkDomain, checkHostnameInZone, checkPattern, isUnresolved, PropContext } from './validation';

/** Props of {@link ZeroTrustCodeServer}. */
export interface ZeroTrustCodeServerProps extends DropletOptions, BootOptions {
  /** The Cloudflare account id (tunnel, Access application and policy live there). */
  readonly cloudflareAccountId: string;
  /** The id of the Cloudflare zone that holds the hostname. */
  readonly cloudflareZoneId: string;
  /** The zone's domain, e.g. `example.com`: the hostname must be inside it. */
  readonly zoneName: string;
  /** The editor's hostname, a fully qualified name inside the zone, e.g. `code.example.com`. */
  readonly hostname: string;
  /** The Cloudflare Zero Trust team name, as in `<team>.cloudflareaccess.com`. */
  readonly teamName: string;

  /**
   * Email addresses allowed in.
   * @default - none
   */
  readonly allowedEmails?: string[];
  /**
   * Email domains whose addresses are allowed in.
   * @default - none
   */
  readonly allowedEmailDomains?: string[];
  /**
   * GitHub organizations (or teams of them) whose members are allowed in.
   * @default - none
   */
  readonly allowedGithubOrganizations?: GithubOrganization[];
  /**
   * Ids of Access groups whose members are allowed in.
   * At least one of `allowedEmails`, `allowedEmailDomains`, `allowedGithubOrganizations` and
   * `allowedGroupIds` must be given.
   * @default - none
   */
  readonly allowedGroupIds?: string[];
  /**
   * Rules every user must also match.
   * @default - no extra requirement
   */
  readonly requireRules?: AccessRuleSet;
  /**
   * Rules that deny a user even when an allow rule matches.
   * @default - nobody is excluded
   */
  readonly excludeRules?: AccessRuleSet;
  /**
   * Ids of the identity providers offered at sign-in; with exactly one, users go straight to it.
   * @default - every identity provider of the account
   */
  readonly identityProviderIds?: string[];
  /**
   * How long an Access sign-in lasts (`30m`, `24h`, `2h45m`).
   * @default "24h"
   */
  readonly sessionDuration?: string;
  /**
   * Whether the editor appears in the Access App Launcher.
   * @default true
   */
  readonly appLauncherVisible?: boolean;

  /**
   * The droplet's name.
   * @default - the hostname with dots turned into hyphens
   */
  readonly dropletName?: string;

  /**
   * Whether the developer's home lives on a block storage volume that survives the droplet's
   * replacement (a new image, a new code-server version, a rotated tunnel token).
   * @default true
   */
  readonly homeVolume?: boolean;
  /**
   * Settings of the home volume.
   * @default - 20 GiB, protected from deletion, label "ztcs-home"
   */
  readonly homeVolumeOptions?: HomeVolumeOptions;
}

const CTX: PropContext = { construct: 'ZeroTrustCodeServer' };

/** The props that hold each field of the allow rule set. */
const ALLOWED_PROPS: Record<keyof AccessRuleSet, string> = {
  emails: 'allowedEmails',
  emailDomains: 'allowedEmailDomains',
  githubOrganizations: 'allowedGithubOrganizations',
  groupIds: 'allowedGroupIds',
};

/** Checks every prop before anything is built, so a bad value leaves no half-built tree. */
function validateProps(props: ZeroTrustCodeServerProps): void {
  checkDomain(CTX, 'zoneName', props.zoneName);
  checkHostnameInZone(CTX, 'hostname', props.hostname, props.zoneName);
  validateCodeServerTunnelProps(props, CTX);
  // The access rules are checked here rather than by CodeServerAccess's validator, so that errors
  // name this construct's props (allowedEmails, requireRules…), not allow.emails, require….
  const allow = accessProps(props).allow;
  requireSomeRule(CTX, Object.values(ALLOWED_PROPS).join(' | '), allow);
  validateAccessRuleSet(CTX, 'allowed', allow, (field) => ALLOWED_PROPS[field]);
  validateAccessRuleSet(CTX, 'requireRules', props.requireRules);
  validateAccessRuleSet(CTX, 'excludeRules', props.excludeRules);
  validateAccessSettings(props, CTX);
  validateDropletOptions(props, CTX);
  validateBootOptions(props, CTX);
  if (props.dropletName !== undefined) {
    checkPattern(CTX, 'dropletName', props.dropletName, DROPLET_NAME, 'expected letters, digits, "." and "-"');
  }
  validateHomeVolumeOptions(props.homeVolumeOptions ?? {}, { construct: 'ZeroTrustCodeServer (homeVolumeOptions)' });
}

function accessProps(props: ZeroTrustCodeServerProps) {
  return {
    allow: {
      emails: props.allowedEmails,
      emailDomains: props.allowedEmailDomains,
      githubOrganizations: props.allowedGithubOrganizations,
      groupIds: props.allowedGroupIds,
    },
    require: props.requireRules,
    exclude: props.excludeRules,
    identityProviderIds: props.identityProviderIds,
    sessionDuration: props.sessionDuration,
    appLauncherVisible: props.appLauncherVisible,
  };
}

/** The hostname with dots turned into hyphens; done by Terraform when the hostname is a token. */
function defaultDropletName(hostname: string): string {
  return isUnresolved(hostname) ? Fn.replace(hostname, '.', '-') : hostname.replace(/\./g, '-');
}

/**
 * The droplet's name made a valid volume name: lower case, anything but letters, digits and
 * hyphens (a droplet name may hold dots) turned into hyphens, `-home` added, 64 characters at most.
 * Done by Terraform when the droplet name is a token.
 */
function homeVolumeName(dropletName: string): string {
  if (isUnresolved(dropletName)) {
    const name = Fn.join('', [Fn.replace(Fn.lower(dropletName), '/[^a-z0-9-]/', '-'), '-home']);
    return Fn.replace(Fn.substr(name, -64, -1), '/^-+/', '');
  }
  return `${dropletName.toLowerCase().replace(/[^a-z0-9-]/g, '-')}-home`.slice(-64).replace(/^-+/, '');
}

/**
 * A private VS Code in the browser for one developer: code-server on a DigitalOcean droplet that
 * takes no inbound traffic, reachable only through a Cloudflare Tunnel at a hostname guarded by
 * Cloudflare Access, with Access tokens checked again at the origin by cloudflared.
 */
export class ZeroTrustCodeServer extends Construct {
  /** The Access application and its allow policy. */
  public readonly access: CodeServerAccess;
  /** The tunnel, its ingress and its token. */
  public readonly tunnel: CodeServerTunnel;
  /** The proxied DNS record that points the hostname at the tunnel. */
  public readonly dnsRecord: TunnelDnsRecord;
  /** The cloud-init user data. */
  public readonly userData: CodeServerUserData;
  /** The volume holding the developer's home, unless `homeVolume` is false. */
  public readonly homeVolume?: HomeVolume;
  /** The droplet, its firewall and its SSH key. */
  public readonly droplet: CodeServerDroplet;
  /** The editor's URL. */
  public readonly url: string;

  constructor(scope: Construct, id: string, props: ZeroTrustCodeServerProps) {
    super(scope, id);
    validateProps(props);

    const dropletName = props.dropletName ?? defaultDropletName(props.hostname);
    const region = props.region ?? 'fra1';
    const size = props.size ?? 's-2vcpu-4gb';

    this.access = new CodeServerAccess(this, 'Access', {
      ...accessProps(props),
      accountId: props.cloudflareAccountId,
      hostname: props.hostname,
    });

    this.tunnel = new CodeServerTunnel(this, 'Tunnel', {
      accountId: props.cloudflareAccountId,
      hostname: props.hostname,
      teamName: props.teamName,
      accessAudience: this.access.audience,
    });

    this.dnsRecord = new TunnelDnsRecord(this, 'Dns', {
      zoneId: props.cloudflareZoneId,
      hostname: props.hostname,
      target: this.tunnel.cnameTarget,
    });

    if (props.homeVolume ?? true) {
      this.homeVolume = new HomeVolume(this, 'HomeVolume', {
        ...props.homeVolumeOptions,
        name: homeVolumeName(dropletName),
        region,
        tags: props.tags,
      });
    }

    this.userData = new CodeServerUserData(this, 'UserData', {
      ...props,
      tunnelToken: this.tunnel.token,
      swapSizeGib: props.swapSizeGib ?? (isUnresolved(size) ? 0 : defaultSwapGib(size)),
      homeVolumeLabel: this.homeVolume?.label,
    });

    this.droplet = new CodeServerDroplet(this, 'Droplet', {
      ...props,
      name: dropletName,
      region,
      size,
      userData: this.userData.userData,
      volumeIds: this.homeVolume ? [this.homeVolume.volume.id] : undefined,
    });

    this.url = `https://${props.hostname}`;
    new TerraformOutput(this, 'Url', { value: this.url, description: 'The editor: sign in with Cloudflare Access' });
    new TerraformOutput(this, 'TunnelId', { value: this.tunnel.tunnelId, description: 'The Cloudflare Tunnel id' });
    new TerraformOutput(this, 'AccessApplicationAud', { value: this.access.audience, description: 'The Access application audience tag' });
    new TerraformOutput(this, 'DropletId', { value: this.droplet.droplet.id, description: 'The DigitalOcean droplet id' });
  }
}
