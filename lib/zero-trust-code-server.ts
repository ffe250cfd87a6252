import { Fn, TerraformOutput, TerraformStack } from 'cdktf';
import { Construct } from 'constructs';
import { AccessOptions, AccessSettings, CodeServerAccess } from './access/code-server-access';
import { BootOptions, CodeServerUserData } from './boot/code-server-user-data';
import { CODE_SERVER_PORT, SSHD_PORT } from './boot/contract';
import { previewHostnameOf, sshHostnameOf } from './dns/hostnames';
import { DnsOptions, TunnelDnsRecord } from './dns/tunnel-dns-record';
import { CodeServerDroplet, DROPLET_DEFAULTS, DropletOptions, validateDropletOptions } from './droplet/code-server-droplet';
import { memoryGibOfSize } from './droplet/sizes';
import { HomeVolume, homeVolumeNameOf, HomeVolumeOptions, HomeVolumeProps } from './storage/home-volume';
import { CodeServerTunnel } from './tunnel/code-server-tunnel';
import { checkIntegerRange, checkUnique, claimUnique, contextOf, isUnresolved, PropContext, rejectProp, releaseClaimsUnder } from './validation';

/**
 * Everything an editor needs but who may open it and at which hostname: where it lives in
 * Cloudflare and DigitalOcean, how it boots, its home. A team shares these between its editors.
 */
export interface EditorSettings extends AccessSettings, DropletOptions, BootOptions, HomeVolumeOptions, DnsOptions {
  /** The Cloudflare account id, 32 hexadecimal characters (tunnel, Access application and policy live there). */
  readonly cloudflareAccountId: string;
  /** The id of the Cloudflare zone that holds the hostname, 32 hexadecimal characters. */
  readonly cloudflareZoneId: string;
  /** The zone's domain, e.g. `example.com`: the hostname must be inside it. */
  readonly zoneName: string;
  /** The Cloudflare Zero Trust team name, as in `<team>.cloudflareaccess.com`. */
  readonly teamName: string;
  /**
   * Whether the developer's home lives on a block storage volume that survives the droplet's
   * replacement (a new image, a new code-server version, a rotated tunnel token).
   * @default true
   */
  readonly homeVolume?: boolean;
  /**
   * With `homeVolume: false`, the home lives on the droplet's own disk and is deleted with the
   * droplet: by a stop (`running: false`), by offboarding (`leaving`) and by every replacement.
   * Stopping or offboarding such an editor is refused unless this says that its home may go.
   * @default false
   */
  readonly disposableHome?: boolean;
  /**
   * Whether the droplet exists. `false` stops paying for it: the droplet, its firewall and its SSH
   * key are deleted, while the home volume, the tunnel, the DNS record and the Access application
   * stay, so the hostname, the sign-in and every file of the home survive. `true` again creates a
   * droplet that boots on the same home volume. Without a home volume the home goes with the
   * droplet, which is refused unless `disposableHome` is true.
   * @default true
   */
  readonly running?: boolean;
  /**
   * SSH through Cloudflare Access, still with no open port: an Access application of type `ssh`
   * at `sshHostname` under the same allow policy (Cloudflare renders a terminal in the browser;
   * `cloudflared access ssh` serves a laptop), a tunnel route to sshd on loopback, and short-lived
   * certificates from Access that sshd trusts instead of long-lived keys.
   * @default false
   */
  readonly sshAccess?: boolean;
  /**
   * Ports of dev servers on the droplet to open in the browser, each at its own hostname
   * (`<port>-<first label>.<zone>`, e.g. `3000-code.example.com`), covered by the editor's Access
   * application: one sign-in for all. Without them, code-server's `/absproxy/<port>/` path serves
   * a dev server through the editor's own hostname.
   * @default - none
   */
  readonly previewPorts?: number[];
}

/** Props of {@link ZeroTrustCodeServer}. */
export interface ZeroTrustCodeServerProps extends EditorSettings, AccessOptions {
  /** The editor's hostname, a fully qualified name inside the zone, e.g. `code.example.com`. */
  readonly hostname: string;
  /**
   * The droplet's name.
   * @default - the hostname with dots turned into hyphens
   */
  readonly dropletName?: string;
  /**
   * With `sshAccess`: the hostname of SSH through Access.
   * @default - the editor's first label with "-ssh": `code-ssh.example.com` for `code.example.com`
   */
  readonly sshHostname?: string;
  /**
   * With `sshAccess`: the certificate principals that may log in as the developer's user (Access
   * issues certificates whose principal is the part of the email before the "@").
   * @default - the part before the "@" of each of `allowedEmails`
   */
  readonly sshPrincipals?: string[];
}

/** The hostname with dots turned into hyphens; done by Terraform when the hostname is a token. */
function defaultDropletName(hostname: string): string {
  return isUnresolved(hostname) ? Fn.replace(hostname, '.', '-') : hostname.replace(/\./g, '-');
}

/** The home volume of an editor: named after its droplet, in its region. Also what a team keeps of a departed member. */
export function homeVolumeProps(props: ZeroTrustCodeServerProps): HomeVolumeProps {
  return {
    ...props,
    volumeName: homeVolumeNameOf(props.dropletName ?? defaultDropletName(props.hostname)),
    region: props.region ?? DROPLET_DEFAULTS.region,
  };
}

/** The props of the home volume, which mean nothing without one. */
const HOME_VOLUME_PROPS = ['homeVolumeSizeGib', 'protectHomeVolume', 'homeVolumeLabel'] as const;

/**
 * Checks what becomes of the home: without a volume, its options are refused (the boot would wait
 * for a disk that never comes), and so is deleting it with the droplet unless `disposableHome`
 * says it may go.
 */
export function checkHomeKept(ctx: PropContext, props: EditorSettings, deletesDroplet: { prop: string; value: unknown } | undefined): void {
  if (props.homeVolume ?? true) return;
  for (const prop of HOME_VOLUME_PROPS) {
    if (props[prop] !== undefined) rejectProp(ctx, prop, props[prop], 'is used only with a home volume; remove it, or leave homeVolume at true');
  }
  if (deletesDroplet && !props.disposableHome) {
    rejectProp(ctx, deletesDroplet.prop, deletesDroplet.value,
      'deletes the droplet, and with homeVolume: false the only copy of the home is on its disk; keep the home on a volume (homeVolume: true), or set disposableHome: true to let it go');
  }
}

/** Checks the preview ports: real ports, none of the droplet's own services, none twice. */
function checkPreviewPorts(ctx: PropContext, ports: readonly number[]): void {
  ports.forEach((port, i) => {
    checkIntegerRange(ctx, `previewPorts[${i}]`, port, 1, 65_535);
    if (port === CODE_SERVER_PORT || port === SSHD_PORT) {
      rejectProp(ctx, `previewPorts[${i}]`, port, `is ${port === SSHD_PORT ? 'sshd' : 'code-server'} itself, already reachable; use a dev server's port, e.g. 3000 or 5173`);
    }
  });
  checkUnique(ctx, 'previewPorts', ports.map(String));
}

/** The construct id made the prefix of Terraform output names: letters, digits, "_" and "-", starting with a letter. */
export function outputPrefix(id: string): string {
  const name = id.replace(/[^A-Za-z0-9_-]/g, '-');
  return /^[A-Za-z_]/.test(name) ? name : `ztcs-${name}`;
}

/**
 * A private VS Code in the browser for one developer: code-server on a DigitalOcean droplet that
 * takes no inbound traffic, reachable only through a Cloudflare Tunnel at a hostname guarded by
 * Cloudflare Access, with Access tokens checked again at the origin by cloudflared.
 *
 * It only composes its parts; each checks its own props, and an error names the part's path, the
 * prop and the value. A construct whose props fail a check leaves nothing in the tree. Two
 * instances in one app cannot share a hostname.
 *
 * Terraform outputs, named after the construct id (`cdktf output <stack>` prints them):
 * `<id>-url` (the editor's URL), `<id>-tunnel-id`, `<id>-access-aud` (the Access application's
 * audience tag), while running `<id>-droplet-id`, and with `sshAccess` `<id>-ssh-hostname`. The tunnel token is in none of them.
 */
export class ZeroTrustCodeServer extends Construct {
  /** The Access application and its allow policy. */
  public readonly access: CodeServerAccess;
  /** The tunnel, its ingress and its token. */
  public readonly tunnel: CodeServerTunnel;
  /** The proxied DNS record that points the hostname at the tunnel. */
  public readonly dnsRecord: TunnelDnsRecord;
  /** The DNS record of SSH through Access, with `sshAccess`. */
  public readonly sshDnsRecord?: TunnelDnsRecord;
  /** The DNS records of the dev server previews, in the order of `previewPorts`. */
  public readonly previewDnsRecords: TunnelDnsRecord[];
  /** The cloud-init user data, while `running`. */
  public readonly userData?: CodeServerUserData;
  /** The volume holding the developer's home, unless `homeVolume` is false. */
  public readonly homeVolume?: HomeVolume;
  /** The droplet, its firewall and its SSH key, while `running`. */
  public readonly droplet?: CodeServerDroplet;
  /** The editor's URL. */
  public readonly url: string;

  constructor(scope: Construct, id: string, props: ZeroTrustCodeServerProps) {
    super(scope, id);
    const ctx = contextOf(this);
    const prefix = outputPrefix(id);
    const releases: Array<() => void> = [];
    try {
      releases.push(claimUnique(this.node.root, 'hostname', props.hostname, ctx, 'hostname'));
      releases.push(claimUnique(TerraformStack.of(this), 'output prefix', prefix, ctx, 'id'));
      const ports = props.previewPorts ?? [];
      checkPreviewPorts(ctx, ports);
      const previews = ports.map((port) => ({ port, hostname: previewHostnameOf(props.hostname, port) }));
      if (props.sshHostname !== undefined && !props.sshAccess) rejectProp(ctx, 'sshHostname', props.sshHostname, 'is used only with sshAccess: true');
      const sshHostname = props.sshAccess ? props.sshHostname ?? sshHostnameOf(props.hostname) : undefined;
      for (const [prop, hostname] of [['sshHostname', sshHostname], ...previews.map((p, i) => [`previewPorts[${i}] hostname`, p.hostname])]) {
        if (hostname !== undefined) releases.push(claimUnique(this.node.root, 'hostname', hostname, ctx, prop!));
      }
      const dropletName = props.dropletName ?? defaultDropletName(props.hostname);
      const running = props.running ?? true;
      checkHomeKept(ctx, props, running ? undefined : { prop: 'running', value: props.running });
      // Checked whether or not the droplet is built now: a stopped editor starts with them later.
      if (!running) validateDropletOptions(ctx, props);

      this.access = new CodeServerAccess(this, 'Access', { ...props, sshHostname, previewHostnames: previews.map((p) => p.hostname) });

      this.tunnel = new CodeServerTunnel(this, 'Tunnel', {
        ...props,
        accessAudience: this.access.audience,
        extraRoutes: [
          ...(sshHostname && this.access.sshApplication
            ? [{ hostname: sshHostname, service: `ssh://localhost:${SSHD_PORT}`, accessAudience: this.access.sshApplication.aud }]
            : []),
          ...previews.map((p) => ({ hostname: p.hostname, service: `http://localhost:${p.port}`, accessAudience: this.access.audience })),
        ],
      });

      const record = (recordId: string, hostname: string) =>
        new TunnelDnsRecord(this, recordId, { ...props, hostname, target: this.tunnel.cnameTarget });
      this.dnsRecord = record('Dns', props.hostname);
      if (sshHostname) this.sshDnsRecord = record('SshDns', sshHostname);
      this.previewDnsRecords = previews.map((p) => record(`PreviewDns${p.port}`, p.hostname));

      if (props.homeVolume ?? true) {
        this.homeVolume = new HomeVolume(this, 'HomeVolume', homeVolumeProps(props));
      }

      if (running) {
        this.userData = new CodeServerUserData(this, 'UserData', {
          ...props,
          tunnelToken: this.tunnel.token,
          memoryGib: memoryGibOfSize(props.size ?? DROPLET_DEFAULTS.size),
          homeVolume: this.homeVolume,
          ...(this.access.sshCertificateAuthority
            ? {
              sshCertificateAuthority: this.access.sshCertificateAuthority.publicKey,
              sshPrincipals: props.sshPrincipals ?? [...new Set((props.allowedEmails ?? []).map((email) => email.split('@')[0]))],
            }
            : {}),
        });

        this.droplet = new CodeServerDroplet(this, 'Droplet', {
          ...props,
          dropletName,
          userData: this.userData.userData,
          volumeIds: this.homeVolume ? [this.homeVolume.volume.id] : undefined,
        });
      }

      this.url = `https://${props.hostname}`;
      const output = (name: string, value: string, description: string) =>
        new TerraformOutput(this, name, { value, description }).overrideLogicalId(`${prefix}-${name}`);
      output('url', this.url, 'The editor: sign in with Cloudflare Access');
      output('tunnel-id', this.tunnel.tunnelId, 'The Cloudflare Tunnel id');
      output('access-aud', this.access.audience, 'The Access application audience tag');
      if (this.droplet) output('droplet-id', this.droplet.droplet.id, 'The DigitalOcean droplet id');
      if (sshHostname) output('ssh-hostname', sshHostname, 'SSH through Access: the browser terminal, or `cloudflared access ssh --hostname` from a laptop');
    } catch (error) {
      // Nothing half-built: a construct whose props fail a check leaves no part and no claim behind.
      releases.forEach((release) => release());
      releaseClaimsUnder(this.node.root, this.node.path);
      scope.node.tryRemoveChild(id);
      throw error;
    }
  }
}
