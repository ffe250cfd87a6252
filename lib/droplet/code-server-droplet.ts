import { Droplet } from '@cdktf/provider-digitalocean/lib/droplet';
import { Firewall, FirewallOutboundRule } from '@cdktf/provider-digitalocean/lib/firewall';
import { SshKey } from '@cdktf/provider-digitalocean/lib/ssh-key';
import { Tag } from '@cdktf/provider-digitalocean/lib/tag';
import { PrivateKey } from '@cdktf/provider-tls/lib/private-key';
import { Construct } from 'constructs';
import { dropletNameOf, firewallTagName } from '../private/naming';
import { checkRegion, checkSize } from '../private/sizes';
import { isResolved, markResolved } from '../private/spec/resolved';
import { checkPattern, checkTags, contextOf, isUnresolved, PropContext, rejectProp } from '../private/validation';
import { ProviderOptions } from '../providers';

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
  monitoring: true,
  ipv6: true,
} as const;

/** The droplet's region and size, its options' or the defaults: what the home volume and the boot take from it too. */
export function dropletPlacementOf(options: DropletOptions): { readonly region: string; readonly size: string } {
  return { region: options.region ?? DROPLET_DEFAULTS.region, size: options.size ?? DROPLET_DEFAULTS.size };
}

/** The droplet: its region, size, image, keys, tags and firewall. */
export interface DropletOptions {
  /**
   * The droplet's name (also its hostname inside the machine): letters, digits, "." and "-". Each
   * editor's own: a team names each member's after their hostname.
   * @default - the editor's hostname with dots turned into hyphens
   */
  readonly name?: string;
  /**
   * The DigitalOcean region slug (`fra1`, `nyc3`, `sgp1`…); one DigitalOcean does not list is
   * refused unless `allowUnlistedSlugs` is true.
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
   * Accept a region or size slug this library does not know: a region or droplet size that
   * DigitalOcean added after this release. Without it, a slug outside the known regions and
   * size families (`xyz9`, `s-99vcpu-4gb`) is an error at synthesis instead of a failed apply.
   * @default false
   */
  readonly allowUnlistedSlugs?: boolean;
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
   * Open VSX), DNS and NTP, and cloudflared needs port 7844 (TCP for HTTP/2, UDP for QUIC): a list
   * without a rule for port 7844 is refused, since the tunnel could never connect.
   * @default - all outbound traffic allowed
   */
  readonly outboundRules?: OutboundRule[];
  /**
   * Whether DigitalOcean takes weekly backups of the droplet (20% of its price).
   * @default false
   */
  readonly backups?: boolean;
  /**
   * Whether the DigitalOcean agent reports the droplet's metrics (free).
   * @default true
   */
  readonly monitoring?: boolean;
  /**
   * Whether the droplet gets a public IPv6 address (for its outbound traffic: nothing listens on it).
   * @default true
   */
  readonly ipv6?: boolean;
  /**
   * The id (a UUID) of an existing VPC to put the droplet in.
   * @default - the region's default VPC
   */
  readonly vpcUuid?: string;
}

/** Props of {@link CodeServerDroplet}. */
export interface CodeServerDropletProps extends DropletOptions, ProviderOptions {
  /** The editor's hostname, which names the droplet unless `name` is given. */
  readonly hostname: string;
  /** The cloud-init user data. */
  readonly userData: string;
  /**
   * Ids of volumes attached when the droplet is created (so they are there at first boot).
   * @default - none
   */
  readonly volumeIds?: string[];
  /**
   * How many droplets: 1, or 0 while an idle stop's marker says the editor stopped itself (see
   * `IdleStopMarker`). Given, the droplet's Terraform address takes an index (`[0]`).
   * @default - one droplet, at an address without an index
   */
  readonly count?: number;
}

const IMAGE = /^([a-z0-9][a-z0-9.-]*|\d+)$/;
const DROPLET_NAME = /^[a-zA-Z0-9]([a-zA-Z0-9.-]{0,253}[a-zA-Z0-9])?$/;
const FINGERPRINT = /^([0-9a-f]{2}:){15}[0-9a-f]{2}$/;
const VPC_UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const PORTS = /^(all|\d{1,5}(-\d{1,5})?)$/;

/** The firewall's outbound rules when none are given: everything. */
const ALLOW_ALL_OUTBOUND: OutboundRule[] = [
  { protocol: FirewallProtocol.TCP },
  { protocol: FirewallProtocol.UDP },
  { protocol: FirewallProtocol.ICMP },
];

/** The port cloudflared dials Cloudflare's edge on, over TCP (HTTP/2) or UDP (QUIC). */
const TUNNEL_PORT = 7844;
const EVERYWHERE = ['0.0.0.0/0', '::/0'];

/** Whether an outbound rule lets cloudflared dial the edge: TCP or UDP to port 7844 (to Cloudflare's ranges or anywhere). */
function reachesTunnelEdge(rule: OutboundRule): boolean {
  if (rule.protocol === FirewallProtocol.ICMP) return false;
  const ports = rule.portRange ?? 'all';
  if (isUnresolved(ports)) return true;
  const [low, high = low] = ports === 'all' ? [1, 65_535] : ports.split('-').map(Number);
  return low <= TUNNEL_PORT && TUNNEL_PORT <= high;
}

/** Checks droplet options without building anything. */
function checkDropletOptions(ctx: PropContext, o: DropletOptions): void {
  if (o.region !== undefined) checkRegion(ctx, o.region, o.allowUnlistedSlugs ?? false);
  if (o.size !== undefined) checkSize(ctx, o.size, o.allowSmallSize ?? false, o.allowUnlistedSlugs ?? false);
  if (o.image !== undefined) checkPattern(ctx, 'image', o.image, IMAGE, 'expected an image slug such as "ubuntu-24-04-x64" or a numeric image id');
  (o.sshKeyFingerprints ?? []).forEach((f, i) => checkPattern(ctx, `sshKeyFingerprints[${i}]`, f, FINGERPRINT, 'expected an MD5 fingerprint such as "3b:16:bf:e4:8b:00:8b:b8:59:8c:a9:d3:f0:19:45:fa" (16 pairs of hex digits)'));
  if (o.vpcUuid !== undefined) checkPattern(ctx, 'vpcUuid', o.vpcUuid, VPC_UUID, 'expected the id (a UUID) of a DigitalOcean VPC, e.g. "5a4981aa-9653-4bd1-bef5-d6bff52042e4"');
  checkTags(ctx, 'tags', o.tags);
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
  if (o.outboundRules !== undefined && !isUnresolved(o.outboundRules) && !o.outboundRules.some(reachesTunnelEdge)) {
    rejectProp(ctx, 'outboundRules', o.outboundRules,
      `no rule lets cloudflared reach Cloudflare's edge, so the tunnel could never connect: add { protocol: FirewallProtocol.TCP, portRange: "${TUNNEL_PORT}" } (and the same over UDP for QUIC)`);
  }
}

/** A droplet's props resolved: its name, region and size, given or derived. */
export type ResolvedDroplet<T> = T & { readonly name: string; readonly region: string; readonly size: string };

/**
 * Resolves a droplet's props without building anything: checks them, and fills in its name, region
 * and size (the home volume and the boot read these from the result). A droplet given the result
 * does not check it again.
 */
export function resolveDroplet<T extends DropletOptions & { readonly hostname: string }>(ctx: PropContext, props: T): ResolvedDroplet<T> {
  checkDropletOptions(ctx, props);
  const name = dropletNameOf(props, props.hostname);
  checkPattern(ctx, 'name', name, DROPLET_NAME, 'expected letters, digits, "." and "-", starting and ending with a letter or digit, e.g. "alice-code"');
  return markResolved({ ...props, name, ...dropletPlacementOf(props) });
}

function toFirewallRule(rule: OutboundRule): FirewallOutboundRule {
  return {
    protocol: rule.protocol,
    ...(rule.protocol === FirewallProtocol.ICMP ? {} : { portRange: rule.portRange ?? 'all' }),
    destinationAddresses: rule.destinationAddresses ?? EVERYWHERE,
  };
}

/**
 * The droplet that runs code-server and cloudflared, with a cloud firewall that has no inbound
 * rule at all (the tunnel dials out) and, unless keys are given, a generated SSH key.
 *
 * The firewall applies to a tag the droplet is born with, and exists before the droplet: there is
 * no moment in which the droplet takes inbound traffic. Deleting the droplet (a replacement, a
 * stop) shuts it down through ACPI first (`graceful_shutdown`), so the home volume is unmounted
 * cleanly before it is detached.
 */
export class CodeServerDroplet extends Construct {
  /** The droplet. */
  public readonly droplet: Droplet;
  /** The cloud firewall, which applies to the droplets of `firewallTag`. */
  public readonly firewall: Firewall;
  /** The tag the droplet is born with, which puts it under the firewall. */
  public readonly firewallTag: Tag;
  /** The key whose public half names the firewall's tag (see `firewallTagName`); never used as a key. */
  public readonly firewallTagKey: PrivateKey;
  /** The generated private key, when no fingerprints were given. */
  public readonly privateKey?: PrivateKey;
  /** The generated key's DigitalOcean record, when no fingerprints were given. */
  public readonly sshKey?: SshKey;

  constructor(scope: Construct, id: string, props: CodeServerDropletProps) {
    super(scope, id);
    if (!isResolved(props)) resolveDroplet(contextOf(this), props);

    const provider = props.digitaloceanProvider;
    const name = dropletNameOf(props, props.hostname);
    let sshKeys = props.sshKeyFingerprints;
    if (sshKeys === undefined || sshKeys.length === 0) {
      this.privateKey = new PrivateKey(this, 'PrivateKey', { algorithm: 'ED25519', provider: props.tlsProvider });
      this.sshKey = new SshKey(this, 'SshKey', { name, publicKey: this.privateKey.publicKeyOpenssh, provider });
      sshKeys = [this.sshKey.fingerprint];
    }
    this.firewallTagKey = new PrivateKey(this, 'FirewallTagKey', { algorithm: 'ED25519', provider: props.tlsProvider });
    this.firewallTag = new Tag(this, 'FirewallTag', { name: firewallTagName(this.firewallTagKey), provider });
    this.firewall = new Firewall(this, 'Firewall', {
      provider,
      name: `${name}-egress-only`,
      tags: [this.firewallTag.name],
      outboundRule: (props.outboundRules ?? ALLOW_ALL_OUTBOUND).map(toFirewallRule),
    });

    this.droplet = new Droplet(this, 'Droplet', {
      provider,
      name,
      ...dropletPlacementOf(props),
      image: props.image ?? DROPLET_DEFAULTS.image,
      sshKeys,
      userData: props.userData,
      monitoring: props.monitoring ?? DROPLET_DEFAULTS.monitoring,
      backups: props.backups ?? DROPLET_DEFAULTS.backups,
      ipv6: props.ipv6 ?? DROPLET_DEFAULTS.ipv6,
      ...(props.vpcUuid !== undefined ? { vpcUuid: props.vpcUuid } : {}),
      tags: ['code-server', ...(props.tags ?? []), this.firewallTag.name],
      ...(props.volumeIds && props.volumeIds.length > 0 ? { volumeIds: props.volumeIds } : {}),
      ...(props.count !== undefined ? { count: props.count } : {}),
      // ACPI power-off before the delete: the home is unmounted before the volume is detached.
      gracefulShutdown: true,
      // Created only once its firewall is in force; deleted before the firewall goes.
      dependsOn: [this.firewall],
      // A new tag (a new key) replaces the droplet: the old droplet is deleted before its old tag
      // and the firewall's move to the new one, and the new one is born with the new tag, so no
      // droplet ever runs outside the firewall. Updated in place, the droplet would keep the old
      // tag while the firewall already covers only the new one.
      // (An address, not a reference: Terraform's JSON takes no "${…}" there.)
      lifecycle: { replaceTriggeredBy: [`${Tag.tfResourceType}.${this.firewallTag.friendlyUniqueId}`] },
    });
  }
}
