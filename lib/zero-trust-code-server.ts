import { TerraformOutput } from 'cdktf';
import { Construct } from 'constructs';
import { AccessOptions, CodeServerAccess } from './access/code-server-access';
import { BootOptions, CodeServerUserData } from './boot/code-server-user-data';
import { ControlPlane, ControlPlaneRegistration, ICodeServerControlPlane } from './control-plane';
import { bindControlPlane, registerStartOnVisit } from './control-plane/start-on-visit';
import { DnsOptions, TunnelDnsRecord } from './dns/tunnel-dns-record';
import { CodeServerDroplet, DropletOptions } from './droplet/code-server-droplet';
import { IdleStop, IdleStopMarker } from './idle-stop';
import { PreviewOptions } from './previews/preview-options';
import { SSHD_PORT } from './private/boot/contract';
import { EDITOR_PART_IDS } from './private/naming';
import { DEPARTED_SPECS, EDITOR_SPECS, resolveDepartedEditor, resolveEditor, withBuilt } from './private/spec';
import { contextOf, detachOnError, registerClaims } from './private/validation';
import { ProviderOptions } from './providers';
import { SshOptions } from './ssh/ssh-options';
import { Home } from './storage/home';
import { HomeVolume, IHomeVolume } from './storage/home-volume';
import { CodeServerTunnel, TunnelOptions } from './tunnel/code-server-tunnel';

/** Where an editor lives in Cloudflare: required of every editor, shared by a team's. */
export interface EditorPlacement {
  /** The Cloudflare account id, 32 hexadecimal characters (tunnel, Access application and policy live there). */
  readonly cloudflareAccountId: string;
  /** The id of the Cloudflare zone that holds the hostname, 32 hexadecimal characters. */
  readonly cloudflareZoneId: string;
  /** The zone's domain, e.g. `example.com`: the hostname must be inside it. */
  readonly zoneName: string;
  /** The Cloudflare Zero Trust team name, as in `<team>.cloudflareaccess.com`. */
  readonly teamName: string;
}

/**
 * Every optional setting of an editor, group by group: how it signs in, its droplet, its boot, its
 * home. A team shares them, and a member overrides them group by group (a member's group is
 * merged over the team's, field by field; a member's `home` replaces the team's).
 */
export interface EditorOptions {
  /**
   * Who may open the editor, and how signing in works. In a team, `allow` and `applicationName`
   * are each member's own.
   * @default - required of a single editor: `allow` or `policies`
   */
  readonly access?: AccessOptions;
  /**
   * The droplet: region, size, image, keys, tags, firewall.
   * @default - a s-2vcpu-4gb droplet in fra1 running Ubuntu 24.04
   */
  readonly droplet?: DropletOptions;
  /**
   * How the droplet boots: the developer's user, code-server and its personalization.
   * @default - the defaults of each `BootOptions` field
   */
  readonly boot?: BootOptions;
  /**
   * Where the developer's home lives: `Home.volume({...})`, `Home.existing(volume)` or `Home.onDropletDisk()`.
   * @default Home.volume()
   */
  readonly home?: Home;
  /**
   * Stop the editor after a time without activity: it records the stop, unmounts its home and
   * powers off, holding no cloud credential; the control plane then marks it stopped (a tag that
   * Terraform reads, so no deploy starts it again until the marker is deleted) and deletes the
   * droplet, keeping what `running: false` keeps (see docs/idle-stop.md). Needs a home volume (or `Home.onDropletDisk({ disposable: true })`).
   * `{ idleMinutes: 0 }` turns it off, e.g. for one member of a team.
   * @default - none: the editor runs until `running` is false
   */
  readonly idleStop?: IdleStop;
  /**
   * SSH through Cloudflare Access, still with no open port: `ssh: {}` turns it on.
   * @default - no SSH
   */
  readonly ssh?: SshOptions;
  /**
   * Dev server previews, each at its own hostname under the editor's Access application.
   * @default - none
   */
  readonly previews?: PreviewOptions;
  /**
   * The DNS records: their comment, and how deep a hostname may be.
   * @default - the defaults of each `DnsOptions` field
   */
  readonly dns?: DnsOptions;
  /**
   * The Cloudflare Tunnel.
   * @default - a tunnel named "code-server-<hostname>"
   */
  readonly tunnel?: TunnelOptions;
  /**
   * Whether the droplet exists. `false` stops paying for it: the droplet, its firewall and its SSH
   * key are deleted, while the home volume, the tunnel, the DNS record and the Access application
   * stay, so the hostname, the sign-in and every file of the home survive. `true` again creates a
   * droplet that boots on the same home volume. With `Home.onDropletDisk()` the home goes with the
   * droplet, which is refused unless it is `disposable`.
   * @default true
   */
  readonly running?: boolean;
  /**
   * Which provider configurations the resources use: for two Cloudflare accounts or DigitalOcean
   * teams in one stack, the aliased provider of each.
   * @default - the stack's default providers
   */
  readonly providers?: ProviderOptions;
}

/**
 * Everything an editor needs but who may open it and at which hostname: where it lives in
 * Cloudflare and DigitalOcean, how it boots, its home. A team shares these between its editors.
 */
export interface EditorSettings extends EditorPlacement, EditorOptions {
  /**
   * The control plane that stops an idle editor and starts it again when its URL is opened:
   * `ControlPlane.create({ digitaloceanToken, startHook })` makes one (a team's, in the team, shared
   * by its members), `ControlPlane.existing(controlPlane)` uses one the app has. Required with an
   * `idleStop` (see docs/start-on-visit.md).
   * @default - none: no idle stop
   */
  readonly controlPlane?: ControlPlane;
}

/** Props of {@link ZeroTrustCodeServer}. */
export interface ZeroTrustCodeServerProps extends EditorSettings {
  /** The editor's hostname, a fully qualified name inside the zone, e.g. `code.example.com`. */
  readonly hostname: string;
}

/**
 * A private VS Code in the browser for one developer: code-server on a DigitalOcean droplet that
 * takes no inbound traffic, reachable only through a Cloudflare Tunnel at a hostname guarded by
 * Cloudflare Access, with Access tokens checked again at the origin by cloudflared.
 *
 * It only composes its parts. Every prop is checked before anything is built, whether or not the
 * part that uses it is built now; an error names the part's path, the prop and the value, and a
 * construct whose props fail leaves nothing in the tree. Two instances in one app cannot share a
 * hostname, and two in one stack cannot share output names.
 *
 * Terraform outputs, named after the construct id (`cdktf output <stack>` prints them):
 * `<id>-url` (the editor's URL), `<id>-tunnel-id`, `<id>-access-aud` (the Access application's
 * audience tag), while running `<id>-droplet-id`, with `ssh` `<id>-ssh-hostname`, and with
 * `idleStop` `<id>-idle-stopped` and `<id>-idle-marker`. The tunnel token is in none of them.
 */
export class ZeroTrustCodeServer extends Construct {
  /** The Access application and its allow policy. */
  public readonly access: CodeServerAccess;
  /** The tunnel, its ingress and its token. */
  public readonly tunnel: CodeServerTunnel;
  /** The proxied DNS record that points the hostname at the tunnel. */
  public readonly dnsRecord: TunnelDnsRecord;
  /** The DNS record of SSH through Access, with `ssh`. */
  public readonly sshDnsRecord?: TunnelDnsRecord;
  /** The DNS records of the dev server previews, in the order of `previews.ports`. */
  public readonly previewDnsRecords: TunnelDnsRecord[];
  /** The cloud-init user data, while `running`. */
  public readonly userData?: CodeServerUserData;
  /** The volume holding the developer's home, with `Home.volume()` (the default). */
  public readonly homeVolume?: HomeVolume;
  /** The droplet, its firewall and its SSH key, while `running`. */
  public readonly droplet?: CodeServerDroplet;
  /** With `idleStop`, while `running`: the marker that tells whether the editor stopped itself. */
  public readonly idleStopMarker?: IdleStopMarker;
  /** The control plane the editor registers with, with `controlPlane`. */
  public readonly controlPlane?: ICodeServerControlPlane;
  /** With `idleStop` and `controlPlane`, while `running`: the editor's registration with its control plane. */
  public readonly startOnVisit?: ControlPlaneRegistration;
  /** The editor's URL. */
  public readonly url: string;

  constructor(scope: Construct, id: string, props: ZeroTrustCodeServerProps) {
    super(scope, id);
    // Every prop is resolved before any part is built (by the editor's team, when it has one); a
    // failure takes the editor out of the tree again.
    const spec = EDITOR_SPECS.specFor(props) ?? detachOnError(this, () => resolveEditor(contextOf(this), id, props));
    const { previews } = spec;
    const sshHostname = spec.ssh?.hostname;
    const providers = spec.providers;
    this.controlPlane = detachOnError(this, () => bindControlPlane(this, props));

    this.access = new CodeServerAccess(this, EDITOR_PART_IDS.access, spec.access);

    this.tunnel = new CodeServerTunnel(this, EDITOR_PART_IDS.tunnel, withBuilt(spec.tunnel, {
      accessAudience: this.access.audience,
      extraRoutes: [
        ...(sshHostname && this.access.sshApplication
          ? [{ hostname: sshHostname, service: `ssh://localhost:${SSHD_PORT}`, accessAudience: this.access.sshApplication.aud }]
          : []),
        ...previews.map((p) => ({ hostname: p.hostname, service: `http://localhost:${p.port}`, accessAudience: this.access.audience })),
      ],
    }));

    const target = this.tunnel.cnameTarget;
    const [dnsRecord, ...others] = spec.dnsRecords.map((r) => new TunnelDnsRecord(this, r.id, withBuilt(r.props, { target })));
    this.dnsRecord = dnsRecord;
    if (sshHostname) this.sshDnsRecord = others.shift();
    this.previewDnsRecords = others;

    if (spec.homeVolume) this.homeVolume = new HomeVolume(this, EDITOR_PART_IDS.homeVolume, spec.homeVolume);
    const home: IHomeVolume | undefined = this.homeVolume ?? (spec.home.kind === 'existing' ? spec.home.volume : undefined);

    if (spec.running) {
      if (spec.idleStop) {
        this.idleStopMarker = new IdleStopMarker(this, EDITOR_PART_IDS.idleStop, providers);
      }
      this.userData = new CodeServerUserData(this, EDITOR_PART_IDS.userData, {
        ...spec.boot,
        tunnelToken: this.tunnel.token,
        homeVolumeLabel: home?.label,
        ...(this.access.sshCertificateAuthority && spec.ssh
          ? { sshCertificateAuthority: this.access.sshCertificateAuthority.publicKey, sshPrincipals: spec.ssh.principals }
          : {}),
        idleStop: this.idleStopMarker && spec.idleStop,
      });

      this.droplet = new CodeServerDroplet(this, EDITOR_PART_IDS.droplet, withBuilt(spec.droplet, {
        userData: this.userData.userData,
        volumeIds: home ? [home.volumeId] : [],
        ...(this.idleStopMarker ? { count: this.idleStopMarker.dropletCount } : {}),
      }));
    }

    this.startOnVisit = registerStartOnVisit(this, props, {
      controlPlane: this.controlPlane, accessAudience: this.access.audience, droplet: this.droplet, idleStopMarker: this.idleStopMarker,
    });
    this.url = spec.url;
    const output = (name: string, value: string, description: string) =>
      new TerraformOutput(this, name, { value, description }).overrideLogicalId(`${spec.outputPrefix}-${name}`);
    output('url', this.url, 'The editor: sign in with Cloudflare Access');
    output('tunnel-id', this.tunnel.tunnelId, 'The Cloudflare Tunnel id');
    output('access-aud', this.access.audience, 'The Access application audience tag');
    if (this.droplet) {
      // With an idle stop the droplet has a count: its id is empty while the editor is stopped.
      const dropletId = this.idleStopMarker ? `\${join("", ${this.droplet.droplet.fqn}[*].id)}` : this.droplet.droplet.id;
      output('droplet-id', dropletId, 'The DigitalOcean droplet id');
    }
    if (this.idleStopMarker) {
      output('idle-stopped', this.idleStopMarker.stopped, 'Whether the editor stopped itself when idle ("true": no droplet until the marker tag is deleted)');
      output('idle-marker', this.idleStopMarker.markerTag, 'The tag that marks the editor stopped: delete it and deploy to start the editor');
    }
    if (sshHostname) output('ssh-hostname', sshHostname, 'SSH through Access: the browser terminal, or `cloudflared access ssh --hostname` from a laptop');
    // Hostnames (app), output names (stack) and homes must be unique: checked at synthesis, naming both editors.
    registerClaims(this, spec.claims);
  }
}

/** Props of {@link DepartedEditor}: the editor's props as they were, and what becomes of the home. */
export interface DepartedEditorProps extends ZeroTrustCodeServerProps {
  /**
   * Lift the protection of the home volume, so that removing the departed editor afterwards
   * deletes it. Snapshot the volume first.
   * @default false
   */
  readonly deleteHome?: boolean;
}

/**
 * What an editor keeps once its developer has left: only its home volume, at the Terraform
 * address it had in the editor (the same construct id), so that offboarding moves nothing. A
 * team builds one for each `leaving` member.
 */
export class DepartedEditor extends Construct {
  /** The home volume kept. */
  public readonly homeVolume: HomeVolume;

  constructor(scope: Construct, id: string, props: DepartedEditorProps) {
    super(scope, id);
    const spec = DEPARTED_SPECS.specFor(props) ?? detachOnError(this, () => resolveDepartedEditor(contextOf(this), props));
    this.homeVolume = new HomeVolume(this, EDITOR_PART_IDS.homeVolume, spec.homeVolume);
    registerClaims(this, spec.claims);
  }
}
