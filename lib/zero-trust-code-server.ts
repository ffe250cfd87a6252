import { TerraformOutput, TerraformStack } from 'cdktf';
import { Construct } from 'constructs';
import { AccessOptions, CodeServerAccess, validateAccessOptions } from './access/code-server-access';
import { BootOptions, CodeServerUserData, validateBootOptions } from './boot/code-server-user-data';
import { ControlPlane, ControlPlaneRegistration, ICodeServerControlPlane } from './control-plane';
import { bindControlPlane, checkIdleStopHasControlPlane, registerStartOnVisit } from './control-plane/start-on-visit';
import { DnsOptions, TunnelDnsRecord, validateDnsRecordProps } from './dns/tunnel-dns-record';
import { CodeServerDroplet, dropletPlacementOf, DropletOptions, validateDropletProps } from './droplet/code-server-droplet';
import { IdleStop, IdleStopMarker } from './idle-stop';
import { Preview, planPreviews, PreviewOptions } from './previews/preview-options';
import { SSHD_PORT } from './private/boot/contract';
import { idleStopOn, resolveIdleStop, validateIdleStop } from './private/idle-stop';
import { dropletNameOf, homeVolumeNameOf, outputPrefix } from './private/naming';
import { memoryGibOfSize } from './private/sizes';
import {
  checkClaimable,
  checkCloudflareId,
  checkUnclaimed,
  claimUnique,
  contextAt,
  contextOf,
  siteOf,
  partOf,
  PropContext,
  rejectProp,
  Site,
} from './private/validation';
import { ProviderOptions } from './providers';
import { planSsh, SshOptions, SshPlan } from './ssh/ssh-options';
import { Home, HomeSpec, homeSpecOf } from './storage/home';
import { HomeVolume, HomeVolumeProps, IHomeVolume, validateHomeVolumeProps } from './storage/home-volume';
import { CodeServerTunnel, TunnelOptions, validateTunnelProps } from './tunnel/code-server-tunnel';

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
   * Stop the editor after a time without activity: it shuts down, its home unmounted first, and
   * deletes its own droplet, keeping what `running: false` keeps; Terraform reads a marker tag
   * that the droplet leaves, so no deploy starts it again until the marker is deleted (see
   * docs/idle-stop.md). Needs a home volume (or `Home.onDropletDisk({ disposable: true })`).
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

/** The kind of claim an existing home volume is: one editor's, in the whole app. */
const EXISTING_HOME = 'existing home volume';

/** The construct id of an editor's home volume: the same in a running, stopped or departed editor, so its address never moves. */
const HOME_VOLUME_ID = 'HomeVolume';

/** The home volume of the editor's own: named after its droplet, in its region, with the home's options. */
function homeVolumeProps(props: ZeroTrustCodeServerProps, home: HomeSpec & { kind: 'volume' }): HomeVolumeProps {
  return {
    ...home.options,
    ...props.providers,
    volumeName: homeVolumeNameOf(dropletNameOf(props.droplet ?? {}, props.hostname)),
    region: dropletPlacementOf(props.droplet ?? {}).region,
  };
}

/**
 * Refuses deleting the droplet (a stop, an idle stop, offboarding) when the home is only on its
 * disk, unless `Home.onDropletDisk({ disposable: true })` says it may go.
 */
export function checkHomeKept(ctx: PropContext, home: HomeSpec, deletesDroplet: { prop: string; value: unknown } | undefined): void {
  if (home.kind !== 'onDropletDisk' || home.disposable || !deletesDroplet) return;
  rejectProp(ctx, deletesDroplet.prop, deletesDroplet.value,
    'deletes the droplet, and with home: Home.onDropletDisk() the only copy of the home is on its disk; keep the home on a volume (Home.volume()), or give Home.onDropletDisk({ disposable: true }) to let it go');
}

/** What an editor is made of, worked out from its props once they have passed every check. */
export interface EditorPlan {
  readonly prefix: string;
  readonly running: boolean;
  readonly ssh?: SshPlan;
  readonly previews: Preview[];
  readonly home: HomeSpec;
  readonly homeVolume?: HomeVolumeProps;
  /** The hostnames the editor takes in the app, with the prop each comes from. */
  readonly hostnames: Array<{ readonly value: string; readonly prop: string }>;
}

/**
 * Checks every prop of an editor about to be built at `id` under `scope`, whether or not the part
 * that uses it is built now (a stopped editor's droplet options are checked too), and works out
 * its plan. Each part's checks run with that part's path and the group its props came in, so an
 * error names both (`…/Droplet: invalid droplet.size`). Nothing is built.
 */
export function planEditor(site: Site, id: string, props: ZeroTrustCodeServerProps): EditorPlan {
  const ctx = contextAt(site, id);
  const running = props.running ?? true;
  const prefix = outputPrefix(id);
  checkUnclaimed(site.stack, 'output prefix', prefix, ctx, 'id');

  const previews = planPreviews(ctx, props.previews, props.hostname);
  const ssh = planSsh(ctx, props.ssh, props.hostname, props.access?.allow);
  const hostnames = [
    { value: props.hostname, prop: 'hostname' },
    ...(ssh !== undefined ? [{ value: ssh.hostname, prop: 'ssh.hostname' }] : []),
    ...previews.map((p, i) => ({ value: p.hostname, prop: `previews.ports[${i}] hostname` })),
  ];
  checkClaimable(site.root, 'hostname', hostnames, ctx);

  if (props.idleStop !== undefined) validateIdleStop(ctx, props.idleStop);
  checkIdleStopHasControlPlane(ctx, props);
  const home = homeSpecOf(props.home);
  checkHomeKept(ctx, home, !running ? { prop: 'running', value: props.running }
    : idleStopOn(props.idleStop) ? { prop: 'idleStop.idleMinutes', value: props.idleStop.idleMinutes } : undefined);
  checkCloudflareId(partOf(ctx, 'Access'), 'cloudflareAccountId', props.cloudflareAccountId);
  validateAccessOptions(partOf(ctx, 'Access', 'access'), props.access ?? {});
  validateTunnelProps(partOf(ctx, 'Tunnel'), props);
  const zone = { cloudflareZoneId: props.cloudflareZoneId, zoneName: props.zoneName, ...props.dns };
  validateDnsRecordProps(partOf(ctx, 'Dns'), { ...zone, hostname: props.hostname });
  if (ssh !== undefined) validateDnsRecordProps(partOf(ctx, 'SshDns'), { ...zone, hostname: ssh.hostname });
  if (home.kind === 'existing') checkUnclaimed(site.root, EXISTING_HOME, home.volume.volumeId, ctx, 'home');
  const homeVolume = home.kind === 'volume' ? homeVolumeProps(props, home) : undefined;
  if (homeVolume) validateHomeVolumeProps(site.root, partOf(ctx, HOME_VOLUME_ID, 'home'), homeVolume);
  validateBootOptions(partOf(ctx, 'UserData', 'boot'), props.boot ?? {});
  validateDropletProps(partOf(ctx, 'Droplet', 'droplet'), { ...props.droplet, hostname: props.hostname });

  return { prefix, running, ssh, previews, home, homeVolume, hostnames };
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
    // Everything is checked before the construct joins the tree: a failure leaves nothing behind.
    const plan = planEditor(siteOf(scope), id, props);
    super(scope, id);
    const ctx = contextOf(this);
    for (const { value, prop } of plan.hostnames) claimUnique(this.node.root, 'hostname', value, ctx, prop);
    claimUnique(TerraformStack.of(this), 'output prefix', plan.prefix, ctx, 'id');
    // A volume attaches to one droplet: two editors on one existing home would fight over it.
    if (plan.home.kind === 'existing') claimUnique(this.node.root, EXISTING_HOME, plan.home.volume.volumeId, ctx, 'home');
    const { previews } = plan;
    const sshHostname = plan.ssh?.hostname;
    const { cloudflareAccountId, hostname } = props;
    const providers = props.providers ?? {};
    this.controlPlane = bindControlPlane(this, props);

    this.access = new CodeServerAccess(this, 'Access', {
      ...props.access,
      ...providers,
      cloudflareAccountId,
      hostname,
      sshHostname,
      previewHostnames: previews.map((p) => p.hostname),
    });

    this.tunnel = new CodeServerTunnel(this, 'Tunnel', {
      ...props.tunnel,
      ...providers,
      cloudflareAccountId,
      hostname,
      teamName: props.teamName,
      accessAudience: this.access.audience,
      extraRoutes: [
        ...(sshHostname && this.access.sshApplication
          ? [{ hostname: sshHostname, service: `ssh://localhost:${SSHD_PORT}`, accessAudience: this.access.sshApplication.aud }]
          : []),
        ...previews.map((p) => ({ hostname: p.hostname, service: `http://localhost:${p.port}`, accessAudience: this.access.audience })),
      ],
    });

    const record = (recordId: string, recordHostname: string) => new TunnelDnsRecord(this, recordId, {
      ...props.dns,
      ...providers,
      cloudflareZoneId: props.cloudflareZoneId,
      zoneName: props.zoneName,
      hostname: recordHostname,
      target: this.tunnel.cnameTarget,
    });
    this.dnsRecord = record('Dns', hostname);
    if (sshHostname) this.sshDnsRecord = record('SshDns', sshHostname);
    this.previewDnsRecords = previews.map((p) => record(`PreviewDns${p.port}`, p.hostname));

    if (plan.homeVolume) this.homeVolume = new HomeVolume(this, HOME_VOLUME_ID, plan.homeVolume);
    const home: IHomeVolume | undefined = this.homeVolume ?? (plan.home.kind === 'existing' ? plan.home.volume : undefined);

    if (plan.running) {
      if (idleStopOn(props.idleStop)) {
        this.idleStopMarker = new IdleStopMarker(this, 'IdleStop', { ...providers, nameSecret: props.idleStop.digitaloceanToken });
      }
      const idleStop = this.idleStopMarker && resolveIdleStop(props.idleStop, this.idleStopMarker.markerTag);
      this.userData = new CodeServerUserData(this, 'UserData', {
        ...props.boot,
        hostname,
        tunnelToken: this.tunnel.token,
        memoryGib: memoryGibOfSize(dropletPlacementOf(props.droplet ?? {}).size),
        homeVolumeLabel: home?.label,
        ...(this.access.sshCertificateAuthority && plan.ssh
          ? { sshCertificateAuthority: this.access.sshCertificateAuthority.publicKey, sshPrincipals: plan.ssh.principals }
          : {}),
        idleStop,
      });

      this.droplet = new CodeServerDroplet(this, 'Droplet', {
        ...props.droplet,
        ...providers,
        hostname,
        userData: this.userData.userData,
        volumeIds: home ? [home.volumeId] : [],
        ...(this.idleStopMarker ? { count: this.idleStopMarker.dropletCount } : {}),
      });
    }

    this.startOnVisit = registerStartOnVisit(this, props, { ...this, accessAudience: this.access.audience });
    this.url = `https://${hostname}`;
    const output = (name: string, value: string, description: string) =>
      new TerraformOutput(this, name, { value, description }).overrideLogicalId(`${plan.prefix}-${name}`);
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
    const volume = planDepartedEditor(siteOf(scope), id, props);
    super(scope, id);
    this.homeVolume = new HomeVolume(this, HOME_VOLUME_ID, volume);
  }
}

/**
 * Checks a departed editor's props at the site it would be built in, before anything is built,
 * and gives its home volume's props (the same checks as {@link planEditor} for a running one):
 * protected unless `deleteHome` lifts that. Only a home volume of the editor's own is kept.
 */
export function planDepartedEditor(site: Site, id: string, props: DepartedEditorProps): HomeVolumeProps {
  const ctx = contextAt(site, id);
  const home = homeSpecOf(props.home);
  if (home.kind !== 'volume') {
    rejectProp(ctx, 'home', home.kind,
      'a departed editor keeps a home volume of its own (Home.volume()); an existing volume or a home on the droplet\'s disk leaves nothing here to keep');
  }
  const volume = { ...homeVolumeProps(props, home), ...(props.deleteHome ? { protect: false } : {}) };
  validateHomeVolumeProps(site.root, partOf(ctx, HOME_VOLUME_ID, 'home'), volume);
  return volume;
}
