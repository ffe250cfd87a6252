import { Droplet } from '@cdktf/provider-digitalocean/lib/droplet';
import { Firewall, FirewallOutboundRule } from '@cdktf/provider-digitalocean/lib/firewall';
import { SshKey } from '@cdktf/provider-digitalocean/lib/ssh-key';
import { PrivateKey } from '@cdktf/provider-tls/lib/private-key';
import { Token } from 'cdktf';
import { Construct } from 'constructs';
import { checkSize } from './sizes';
import { checkPattern, contextOf, isUnresolved, PropContext, rejectProp } from '../validation';

/** A protocol of a firewall rule. */
export enum FirewallProtocol {
  /** TCP. */
  TCP = 'tcp',
  /** UDP. */
  UDP = 'udp',
  /** ICMP (no ports). */
  ICMP = 'icmp',
}

/** One outbound rule of the droplet's firewall. */
export interface OutboundRule {
  /** The protocol. */
  readonly protocol: FirewallProtocol;
  /**
   * The ports: one (`443`), a range (`1-65535`) or `all`. Not used with ICMP.
   * @default "all" (for TCP and UDP)
   */
  readonly portRange?: string;
  /**
   * The destination addresses or CIDR blocks.
   * @default ["0.0.0.0/0", "::/0"]
   */
  readonly destinationAddresses?: string[];
}

/** The defaults of {@link DropletOptions}, for documentation and tests. */
export const DROPLET_DEFAULTS = {
  region: 'fra1',
  size: 's-2vcpu-4gb',
  image: 'ubuntu-24-04-x64',
  backups: false,
} as const;

/** Droplet settings that a platform team may choose. */
export interface DropletOptions {
  /**
   * The DigitalOcean region slug.
   * @default "fra1"
   */
  readonly region?: string;
  /**
   * The droplet size slug, e.g. `s-2vcpu-4gb`, `c-4` or `g-2vcpu-8gb`. code-server needs at least
   * 2 vCPUs: a slug that names fewer is refused unless `allowSmallSize` is true. Under 4 GiB of
   * memory the droplet gets a swap file.
   * @default "s-2vcpu-4gb"
   */
  readonly size?: string;
  /**
   * Accept a size with fewer than 2 vCPUs (`s-1vcpu-2gb`): code-server runs, slowly, and
   * extensions and builds may not.
   * @default false
   */
  readonly allowSmallSize?: boolean;
  /**
   * The image slug (or id); an Ubuntu LTS image is expected by the boot.
   * @default "ubuntu-24-04-x64"
   */
  readonly image?: string;
  /**
   * Fingerprints of SSH keys already in the DigitalOcean account to put on the droplet for root.
   * The firewall lets no SSH in, so they serve only a way in you add (SSH through the tunnel); the
   * Recovery Console takes a root password, not a key.
   * @default - a new ED25519 key is generated (its private half stays in the Terraform state)
   */
  readonly sshKeyFingerprints?: string[];
  /**
   * Tags for the droplet, besides `code-server`.
   * @default - none
   */
  readonly tags?: string[];
  /**
   * Outbound rules of the firewall. Restrict them if you must; the boot needs HTTPS (apt, GitHub,
   * Open VSX), DNS and NTP, and cloudflared needs port 7844 over TCP and UDP.
   * @default - all outbound traffic allowed
   */
  readonly outboundRules?: OutboundRule[];
  /**
   * Whether DigitalOcean takes weekly backups of the droplet (20% of its price).
   * @default false
   */
  readonly backups?: boolean;
}

/** Props of {@link CodeServerDroplet}. */
export interface CodeServerDropletProps extends DropletOptions {
  /** The droplet's name (also its hostname inside the machine): letters, digits, "." and "-". */
  readonly dropletName: string;
  /** The cloud-init user data. */
  readonly userData: string;
  /**
   * Ids of volumes attached when the droplet is created (so they are there at first boot).
   * @default - none
   */
  readonly volumeIds?: string[];
}

const REGION = /^[a-z]{3}\d$/;
const IMAGE = /^([a-z0-9][a-z0-9.-]*|\d+)$/;
const DROPLET_NAME = /^[a-zA-Z0-9]([a-zA-Z0-9.-]{0,253}[a-zA-Z0-9])?$/;
const FINGERPRINT = /^([0-9a-f]{2}:){15}[0-9a-f]{2}$/;
const TAG = /^[a-zA-Z0-9:_-]{1,255}$/;
const PORTS = /^(all|\d{1,5}(-\d{1,5})?)$/;

/** The firewall's outbound rules when none are given: everything. */
const ALLOW_ALL_OUTBOUND: OutboundRule[] = [
  { protocol: FirewallProtocol.TCP },
  { protocol: FirewallProtocol.UDP },
  { protocol: FirewallProtocol.ICMP },
];

function validateDropletOptions(ctx: PropContext, o: DropletOptions): void {
  if (o.region !== undefined) checkPattern(ctx, 'region', o.region, REGION, 'expected a DigitalOcean region slug such as "fra1" or "nyc3"');
  if (o.size !== undefined) checkSize(ctx, o.size, o.allowSmallSize ?? false);
  if (o.image !== undefined) checkPattern(ctx, 'image', o.image, IMAGE, 'expected an image slug such as "ubuntu-24-04-x64" or a numeric image id');
  (o.sshKeyFingerprints ?? []).forEach((f, i) => checkPattern(ctx, `sshKeyFingerprints[${i}]`, f, FINGERPRINT, 'expected an MD5 fingerprint such as "3b:16:bf:e4:8b:00:8b:b8:59:8c:a9:d3:f0:19:45:fa" (16 pairs of hex digits)'));
  (o.tags ?? []).forEach((t, i) => checkPattern(ctx, `tags[${i}]`, t, TAG, 'expected letters, digits, ":", "_" and "-", e.g. "team-platform"'));
  if (o.outboundRules !== undefined && o.outboundRules.length === 0) {
    rejectProp(ctx, 'outboundRules', o.outboundRules, 'an empty list would cut the droplet off from the tunnel; leave it out to allow all outbound traffic');
  }
  (o.outboundRules ?? []).forEach((r, i) => {
    if (r.portRange !== undefined) {
      checkPattern(ctx, `outboundRules[${i}].portRange`, r.portRange, PORTS, 'expected a port, a range such as "1024-65535", or "all"');
      if (!isUnresolved(r.portRange) && r.portRange !== 'all') {
        const [low, high = low] = r.portRange.split('-').map(Number);
        if (low < 1 || high > 65_535 || low > high) {
          rejectProp(ctx, `outboundRules[${i}].portRange`, r.portRange, 'expected ports from 1 to 65535, the lower first, e.g. "1024-65535"');
        }
      }
      if (r.protocol === FirewallProtocol.ICMP) rejectProp(ctx, `outboundRules[${i}].portRange`, r.portRange, 'ICMP rules take no ports');
    }
  });
}

function toFirewallRule(rule: OutboundRule): FirewallOutboundRule {
  return {
    protocol: rule.protocol,
    ...(rule.protocol === FirewallProtocol.ICMP ? {} : { portRange: rule.portRange ?? 'all' }),
    destinationAddresses: rule.destinationAddresses ?? ['0.0.0.0/0', '::/0'],
  };
}

/**
 * The droplet that runs code-server and cloudflared, with a cloud firewall that has no inbound
 * rule at all (the tunnel dials out) and, unless keys are given, a generated SSH key.
 */
export class CodeServerDroplet extends Construct {
  /** The droplet. */
  public readonly droplet: Droplet;
  /** The cloud firewall attached to the droplet. */
  public readonly firewall: Firewall;
  /** The generated private key, when no fingerprints were given. */
  public readonly privateKey?: PrivateKey;
  /** The generated key's DigitalOcean record, when no fingerprints were given. */
  public readonly sshKey?: SshKey;

  constructor(scope: Construct, id: string, props: CodeServerDropletProps) {
    super(scope, id);
    const ctx = contextOf(this);
    validateDropletOptions(ctx, props);
    checkPattern(ctx, 'dropletName', props.dropletName, DROPLET_NAME, 'expected letters, digits, "." and "-", starting and ending with a letter or digit, e.g. "alice-code"');

    let sshKeys = props.sshKeyFingerprints;
    if (sshKeys === undefined || sshKeys.length === 0) {
      this.privateKey = new PrivateKey(this, 'PrivateKey', { algorithm: 'ED25519' });
      this.sshKey = new SshKey(this, 'SshKey', { name: props.dropletName, publicKey: this.privateKey.publicKeyOpenssh });
      sshKeys = [this.sshKey.fingerprint];
    }
    const tags = ['code-server', ...(props.tags ?? [])];

    this.droplet = new Droplet(this, 'Droplet', {
      name: props.dropletName,
      region: props.region ?? DROPLET_DEFAULTS.region,
      size: props.size ?? DROPLET_DEFAULTS.size,
      image: props.image ?? DROPLET_DEFAULTS.image,
      sshKeys,
      userData: props.userData,
      monitoring: true,
      backups: props.backups ?? DROPLET_DEFAULTS.backups,
      ipv6: true,
      tags,
      ...(props.volumeIds && props.volumeIds.length > 0 ? { volumeIds: props.volumeIds } : {}),
    });

    this.firewall = new Firewall(this, 'Firewall', {
      name: `${props.dropletName}-egress-only`,
      dropletIds: [Token.asNumber(this.droplet.id)],
      outboundRule: (props.outboundRules ?? ALLOW_ALL_OUTBOUND).map(toFirewallRule),
    });
  }
}
