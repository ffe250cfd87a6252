import { Fn, TerraformOutput, TerraformStack } from 'cdktf';
import { Construct } from 'constructs';
import { AccessOptions, AccessSettings, CodeServerAccess, validateAccessOptions } from './access/code-server-access';
import { BootOptions, CodeServerUserData, validateBootOptions } from './boot/code-server-user-data';
import { CODE_SERVER_PORT, SSHD_PORT } from './boot/contract';
import { previewHostnameOf, sshHostnameOf } from './dns/hostnames';
import { DnsOptions, TunnelDnsRecord, validateDnsRecordProps } from './dns/tunnel-dns-record';
import { CodeServerDroplet, DROPLET_DEFAULTS, DropletOptions, validateDropletProps } from './droplet/code-server-droplet';
import { memoryGibOfSize } from './droplet/sizes';
import { IdleStop, idleStopOn, IdleStopMarker, resolveIdleStop, validateIdleStop } from './idle-stop';
import { ProviderOptions } from './providers';
import {
  checkHomeVolumeLabel,
  HOME_VOLUME_DEFAULTS,
  HomeVolume,
  homeVolumeNameOf,
  HomeVolumeOptions,
  HomeVolumeProps,
  validateHomeVolumeProps,
} from './storage/home-volume';
import { CodeServerTunnel, validateTunnelProps } from './tunnel/code-server-tunnel';
import {
  checkClaimable,
  checkCloudflareId,
  checkIntegerRange,
  checkPattern,
  checkUnclaimed,
  checkUnique,
  claimUnique,
  contextAt,
  contextOf,
  siteOf,
  isUnresolved,
  partOf,
  PropContext,
  rejectProp,
  Site,
} from './validation';

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
 * Every optional setting of an editor but who may open it and at which hostname: how it signs
 * in, its droplet, its boot, its home. A team shares them, and a member may override any of them.
 */
export interface EditorOptions extends AccessSettings, DropletOptions, BootOptions, HomeVolumeOptions, DnsOptions, ProviderOptions {
  /**
   * Whether the developer's home lives on a block storage volume that survives the droplet's
   * replacement (a new image, a new code-server version, a rotated tunnel token).
   * @default true
   */
  readonly homeVolume?: boolean;
  /**
   * The id of an existing DigitalOcean volume to use as the home (a home to migrate): attached to
   * the droplet and mounted by its ext4 label (`homeVolumeLabel`, which must be the volume's), but
   * not managed here, so nothing here can delete or resize it. It must be in the droplet's region.
   * @default - a volume of the editor's own (`homeVolume`)
   */
  readonly existingHomeVolumeId?: string;
  /**
   * A comment stored with the editor's DNS records.
   * @default "code-server through Cloudflare Tunnel (managed by cdktf)"
   */
  readonly dnsRecordComment?: string;
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
   * Stop the editor after a time without activity: it shuts down, its home unmounted first, and
   * deletes its own droplet, keeping what `running: false` keeps; Terraform reads a marker tag
   * that the droplet leaves, so no deploy starts it again until the marker is deleted (see
   * docs/idle-stop.md). Needs a home volume (or `disposableHome`). `{ idleMinutes: 0 }` turns it
   * off, e.g. for one member of a team.
   * @default - none: the editor runs until `running` is false
   */
  readonly idleStop?: IdleStop;
  /**
   * Ports of dev servers on the droplet to open in the browser, each at its own hostname
   * (`<port>-<first label>.<zone>`, e.g. `3000-code.example.com`), covered by the editor's Access
   * application: one sign-in for all. Without them, code-server's `/absproxy/<port>/` path serves
   * a dev server through the editor's own hostname.
   * @default - none
   */
  readonly previewPorts?: number[];
}

/**
 * Everything an editor needs but who may open it and at which hostname: where it lives in
 * Cloudflare and DigitalOcean, how it boots, its home. A team shares these between its editors.
 */
export interface EditorSettings extends EditorPlacement, EditorOptions {}

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
   * The name of the Access application (and of its policy, with " allow") in the Zero Trust dashboard.
   * @default - "code-server <hostname>"
   */
  readonly accessApplicationName?: string;
  /**
   * The tunnel's name in the Zero Trust dashboard.
   * @default - "code-server-<hostname>"
   */
  readonly tunnelName?: string;
  /**
   * With `sshAccess`: the hostname of SSH through Access.
   * @default - the editor's first label with "-ssh": `code-ssh.example.com` for `code.example.com`
   */
  readonly sshHostname?: string;
  /**
   * With `sshAccess`: the certificate principals that may log in as the developer's user (Access
   * issues certificates whose principal is the part of the email before the "@").
   * @default - the part before the "@" of each of `allow.emails`
   */
  readonly sshPrincipals?: string[];
}

/** The hostname with dots turned into hyphens; done by Terraform when the hostname is a token. */
function defaultDropletName(hostname: string): string {
  return isUnresolved(hostname) ? Fn.replace(hostname, '.', '-') : hostname.replace(/\./g, '-');
}

const VOLUME_ID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/** The kind of claim an existing home volume is: one editor's, in the whole app. */
const EXISTING_HOME = 'existing home volume';

/** The construct id of an editor's home volume: the same in a running, stopped or departed editor, so its address never moves. */
const HOME_VOLUME_ID = 'HomeVolume';

/** The home volume of an editor: named after its droplet, in its region. */
function homeVolumeProps(props: ZeroTrustCodeServerProps): HomeVolumeProps {
  return {
    ...props,
    volumeName: homeVolumeNameOf(props.dropletName ?? defaultDropletName(props.hostname)),
    region: props.region ?? DROPLET_DEFAULTS.region,
  };
}

/** The home volume a departed editor keeps: protected unless `deleteHome` lifts that. */
function departedHomeProps(props: DepartedEditorProps): HomeVolumeProps {
  return { ...homeVolumeProps(props), ...(props.deleteHome ? { protectHomeVolume: false } : {}) };
}

/** The props of the home volume, which mean nothing without one. */
const HOME_VOLUME_PROPS = ['homeVolumeSizeGib', 'protectHomeVolume', 'homeVolumeLabel'] as const;

/**
 * Checks what becomes of the home: without a volume, its options are refused (the boot would wait
 * for a disk that never comes), and so is deleting it with the droplet unless `disposableHome`
 * says it may go.
 */
export function checkHomeKept(ctx: PropContext, props: EditorOptions, deletesDroplet: { prop: string; value: unknown } | undefined): void {
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

/** What an editor is made of, worked out from its props once they have passed every check. */
export interface EditorPlan {
  readonly prefix: string;
  readonly running: boolean;
  readonly dropletName: string;
  readonly sshHostname?: string;
  readonly sshPrincipals: string[];
  readonly previews: Array<{ readonly port: number; readonly hostname: string }>;
  readonly homeVolume?: HomeVolumeProps;
  /** The hostnames the editor takes in the app, with the prop each comes from. */
  readonly hostnames: Array<{ readonly value: string; readonly prop: string }>;
}

/**
 * Checks every prop of an editor about to be built at `id` under `scope`, whether or not the part
 * that uses it is built now (a stopped editor's droplet options are checked too), and works out
 * its plan. Each part's checks run with that part's path, so an error names it. Nothing is built.
 */
export function planEditor(site: Site, id: string, props: ZeroTrustCodeServerProps): EditorPlan {
  const ctx = contextAt(site, id);
  const running = props.running ?? true;
  const prefix = outputPrefix(id);
  checkUnclaimed(site.stack, 'output prefix', prefix, ctx, 'id');

  const ports = props.previewPorts ?? [];
  checkPreviewPorts(ctx, ports);
  const previews = ports.map((port) => ({ port, hostname: previewHostnameOf(props.hostname, port) }));
  if (props.sshHostname !== undefined && !props.sshAccess) rejectProp(ctx, 'sshHostname', props.sshHostname, 'is used only with sshAccess: true');
  if (props.sshPrincipals !== undefined && !props.sshAccess) rejectProp(ctx, 'sshPrincipals', props.sshPrincipals, 'are used only with sshAccess: true');
  const sshHostname = props.sshAccess ? props.sshHostname ?? sshHostnameOf(props.hostname) : undefined;
  const sshPrincipals = props.sshPrincipals ?? [...new Set((props.allow?.emails ?? []).map((email) => email.split('@')[0]))];
  if (props.sshAccess && sshPrincipals.length === 0) {
    rejectProp(ctx, 'sshPrincipals', sshPrincipals, 'SSH through Access needs at least one principal: give sshPrincipals, e.g. ["alice"], or allow.emails, whose parts before the "@" are the default');
  }
  const hostnames = [
    { value: props.hostname, prop: 'hostname' },
    ...(sshHostname !== undefined ? [{ value: sshHostname, prop: 'sshHostname' }] : []),
    ...previews.map((p, i) => ({ value: p.hostname, prop: `previewPorts[${i}] hostname` })),
  ];
  checkClaimable(site.root, 'hostname', hostnames, ctx);

  if (props.idleStop !== undefined) validateIdleStop(ctx, props.idleStop);
  checkHomeKept(ctx, props, !running ? { prop: 'running', value: props.running }
    : idleStopOn(props.idleStop) ? { prop: 'idleStop.idleMinutes', value: props.idleStop.idleMinutes } : undefined);
  const access = partOf(ctx, 'Access');
  checkCloudflareId(access, 'cloudflareAccountId', props.cloudflareAccountId);
  validateAccessOptions(access, props);
  validateTunnelProps(partOf(ctx, 'Tunnel'), props);
  validateDnsRecordProps(partOf(ctx, 'Dns'), props);
  if (sshHostname !== undefined) validateDnsRecordProps(partOf(ctx, 'SshDns'), { ...props, hostname: sshHostname });
  if (props.existingHomeVolumeId !== undefined) {
    checkPattern(ctx, 'existingHomeVolumeId', props.existingHomeVolumeId, VOLUME_ID, 'expected the id (a UUID) of a DigitalOcean volume, e.g. "506f78a4-e098-11e5-ad9f-000f53306ae1" (`doctl compute volume list`)');
    checkUnclaimed(site.root, EXISTING_HOME, props.existingHomeVolumeId, ctx, 'existingHomeVolumeId');
    if (props.homeVolume === false) rejectProp(ctx, 'existingHomeVolumeId', props.existingHomeVolumeId, 'is a home volume; remove homeVolume: false');
    for (const prop of ['homeVolumeSizeGib', 'protectHomeVolume'] as const) {
      if (props[prop] !== undefined) rejectProp(ctx, prop, props[prop], 'applies to a volume of the editor\'s own, not to an existing one (existingHomeVolumeId), which is not managed here');
    }
    if (props.homeVolumeLabel !== undefined) checkHomeVolumeLabel(partOf(ctx, HOME_VOLUME_ID), props.homeVolumeLabel);
  }
  const homeVolume = (props.homeVolume ?? true) && props.existingHomeVolumeId === undefined ? homeVolumeProps(props) : undefined;
  if (homeVolume) validateHomeVolumeProps(site.root, partOf(ctx, HOME_VOLUME_ID), homeVolume);
  validateBootOptions(partOf(ctx, 'UserData'), props);
  const dropletName = props.dropletName ?? defaultDropletName(props.hostname);
  validateDropletProps(partOf(ctx, 'Droplet'), { ...props, dropletName });

  return { prefix, running, dropletName, sshHostname, sshPrincipals, previews, homeVolume, hostnames };
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
 * audience tag), while running `<id>-droplet-id`, with `sshAccess` `<id>-ssh-hostname`, and with
 * `idleStop` `<id>-idle-stopped` and `<id>-idle-marker`. The tunnel token is in none of them.
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
  /** With `idleStop`, while `running`: the marker that tells whether the editor stopped itself. */
  public readonly idleStopMarker?: IdleStopMarker;
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
    if (props.existingHomeVolumeId !== undefined) claimUnique(this.node.root, EXISTING_HOME, props.existingHomeVolumeId, ctx, 'existingHomeVolumeId');
    const { sshHostname, previews } = plan;

    this.access = new CodeServerAccess(this, 'Access', {
      ...props,
      name: props.accessApplicationName,
      sshHostname,
      previewHostnames: previews.map((p) => p.hostname),
    });

    this.tunnel = new CodeServerTunnel(this, 'Tunnel', {
      ...props,
      name: props.tunnelName,
      accessAudience: this.access.audience,
      extraRoutes: [
        ...(sshHostname && this.access.sshApplication
          ? [{ hostname: sshHostname, service: `ssh://localhost:${SSHD_PORT}`, accessAudience: this.access.sshApplication.aud }]
          : []),
        ...previews.map((p) => ({ hostname: p.hostname, service: `http://localhost:${p.port}`, accessAudience: this.access.audience })),
      ],
    });

    const record = (recordId: string, hostname: string) =>
      new TunnelDnsRecord(this, recordId, { ...props, hostname, target: this.tunnel.cnameTarget, comment: props.dnsRecordComment });
    this.dnsRecord = record('Dns', props.hostname);
    if (sshHostname) this.sshDnsRecord = record('SshDns', sshHostname);
    this.previewDnsRecords = previews.map((p) => record(`PreviewDns${p.port}`, p.hostname));

    if (plan.homeVolume) this.homeVolume = new HomeVolume(this, HOME_VOLUME_ID, plan.homeVolume);

    if (plan.running) {
      if (idleStopOn(props.idleStop)) {
        this.idleStopMarker = new IdleStopMarker(this, 'IdleStop', { ...props, nameSecret: props.idleStop.digitaloceanToken });
      }
      const idleStop = this.idleStopMarker && resolveIdleStop(props.idleStop, this.idleStopMarker.markerTag);
      this.userData = new CodeServerUserData(this, 'UserData', {
        ...props,
        tunnelToken: this.tunnel.token,
        memoryGib: memoryGibOfSize(props.size ?? DROPLET_DEFAULTS.size),
        homeVolume: this.homeVolume,
        // An existing volume is mounted by the label it has.
        ...(props.existingHomeVolumeId !== undefined ? { homeVolumeLabel: props.homeVolumeLabel ?? HOME_VOLUME_DEFAULTS.homeVolumeLabel } : {}),
        ...(this.access.sshCertificateAuthority
          ? { sshCertificateAuthority: this.access.sshCertificateAuthority.publicKey, sshPrincipals: plan.sshPrincipals }
          : {}),
        idleStop,
      });

      this.droplet = new CodeServerDroplet(this, 'Droplet', {
        ...props,
        dropletName: plan.dropletName,
        userData: this.userData.userData,
        volumeIds: [props.existingHomeVolumeId ?? this.homeVolume?.volume.id].filter((volumeId): volumeId is string => volumeId !== undefined),
        ...(this.idleStopMarker ? { count: this.idleStopMarker.dropletCount } : {}),
      });
    }

    this.url = `https://${props.hostname}`;
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
 * and gives its home volume's props (the same checks as {@link planEditor} for a running one).
 */
export function planDepartedEditor(site: Site, id: string, props: DepartedEditorProps): HomeVolumeProps {
  const volume = departedHomeProps(props);
  validateHomeVolumeProps(site.root, partOf(contextAt(site, id), HOME_VOLUME_ID), volume);
  return volume;
}
