import { CodeServerAccessProps, resolveAccess } from '../../access/code-server-access';
import { BootOptions, validateBootOptions } from '../../boot/code-server-user-data';
import { checkIdleStopHasControlPlane } from '../../control-plane/start-on-visit';
import { resolveDnsRecord, TunnelDnsRecordProps } from '../../dns/tunnel-dns-record';
import { CodeServerDropletProps, dropletPlacementOf, resolveDroplet, ResolvedDroplet } from '../../droplet/code-server-droplet';
import type { IdleStop } from '../../idle-stop';
import { Preview, planPreviews } from '../../previews/preview-options';
import type { ProviderOptions } from '../../providers';
import { planSsh, SshPlan } from '../../ssh/ssh-options';
import { HomeSpec, homeSpecOf } from '../../storage/home';
import { homeVolumeNameClaim, HomeVolumeProps, resolveHomeVolume } from '../../storage/home-volume';
import { CodeServerTunnelProps, resolveTunnel } from '../../tunnel/code-server-tunnel';
import type { DepartedEditorProps, ZeroTrustCodeServerProps } from '../../zero-trust-code-server';
import { idleStopOn, validateIdleStop } from '../idle-stop';
import { dropletNameOf, EDITOR_PART_IDS, homeVolumeNameOf, outputPrefix, previewDnsIdOf } from '../naming';
import { memoryGibOfSize } from '../sizes';
import { SpecHandover } from './resolved';
import { checkOwnClaims, Claim, inGroup, PropContext, rejectProp } from '../validation';

/** The kind of claim an existing home volume is: one editor's, in the whole app (a volume attaches to one droplet). */
const EXISTING_HOME = 'existing home volume';

/** A DNS record of the editor: its construct id and its props but the tunnel it points at. */
export interface DnsRecordSpec {
  readonly id: string;
  readonly props: Omit<TunnelDnsRecordProps, 'target'>;
}

/**
 * An editor worked out from its props: every default in, every name derived, every check passed.
 * Each part's slice is resolved, so the part does not check it again; what only the built tree
 * knows (the Access audience, the tunnel's token, the user data) is added when the part is built.
 */
export interface EditorSpec {
  readonly hostname: string;
  readonly url: string;
  readonly running: boolean;
  /** The prefix of the editor's Terraform output names. */
  readonly outputPrefix: string;
  /** The droplet's name, which the home volume's is made from. */
  readonly editorName: string;
  readonly providers: ProviderOptions;
  readonly access: CodeServerAccessProps;
  readonly tunnel: Omit<CodeServerTunnelProps, 'accessAudience' | 'extraRoutes'>;
  /** The editor's record, then SSH's, then each preview's. */
  readonly dnsRecords: DnsRecordSpec[];
  readonly home: HomeSpec;
  readonly homeVolume?: HomeVolumeProps;
  /** The boot's options, with what the editor adds but what only the built tree knows. */
  readonly boot: BootOptions & { readonly hostname: string; readonly memoryGib?: number };
  readonly droplet: ResolvedDroplet<Omit<CodeServerDropletProps, 'userData' | 'volumeIds' | 'count'>>;
  readonly ssh?: SshPlan;
  readonly previews: Preview[];
  /** The idle stop, when on. */
  readonly idleStop?: IdleStop;
  /** What must be unique in the app or the stack, registered once the editor is built. */
  readonly claims: Claim[];
}

/** The spec an editor's props carry from a resolve step that already resolved them (its team's). */
export const EDITOR_SPECS = new SpecHandover<EditorSpec>();

/** The spec a departed editor's props carry from a resolve step that already resolved them (its team's). */
export const DEPARTED_SPECS = new SpecHandover<DepartedEditorSpec>();

/**
 * Refuses deleting the droplet (a stop, an idle stop, offboarding) when the home is only on its
 * disk, unless `Home.onDropletDisk({ disposable: true })` says it may go.
 */
export function checkHomeKept(ctx: PropContext, home: HomeSpec, deletesDroplet: { prop: string; value: unknown } | undefined): void {
  if (home.kind !== 'onDropletDisk' || home.disposable || !deletesDroplet) return;
  rejectProp(ctx, deletesDroplet.prop, deletesDroplet.value,
    'deletes the droplet, and with home: Home.onDropletDisk() the only copy of the home is on its disk; keep the home on a volume (Home.volume()), or give Home.onDropletDisk({ disposable: true }) to let it go');
}

/** The editor's own home volume: named after its droplet, in the droplet's region (resolved with the droplet), with the home's options. */
function homeVolumeOf(props: ZeroTrustCodeServerProps, home: HomeSpec & { kind: 'volume' }, droplet: { name: string; region: string }): HomeVolumeProps {
  return { ...home.options, ...props.providers, volumeName: homeVolumeNameOf(droplet.name), region: droplet.region };
}

/**
 * Resolves an editor's props into its spec, checking every prop whether or not the part that
 * uses it is built now (a stopped editor's droplet options too). `ctx` is the editor's own: an
 * error names its path and the prop as grouped by the user (`droplet.size`). Pure: nothing is
 * built, nothing registered, so it runs without an app.
 */
export function resolveEditor(ctx: PropContext, id: string, props: ZeroTrustCodeServerProps): EditorSpec {
  const { hostname, cloudflareAccountId } = props;
  const running = props.running ?? true;
  const providers = props.providers ?? {};
  const prefix = outputPrefix(id);

  const previews = planPreviews(ctx, props.previews, hostname);
  const ssh = planSsh(ctx, props.ssh, hostname, props.access?.allow);
  const hostnames: Claim[] = [
    { scope: 'app', kind: 'hostname', value: hostname, prop: 'hostname' },
    ...(ssh !== undefined ? [{ scope: 'app' as const, kind: 'hostname', value: ssh.hostname, prop: 'ssh.hostname' }] : []),
    ...previews.map((p, i) => ({ scope: 'app' as const, kind: 'hostname', value: p.hostname, prop: `previews.ports[${i}] hostname` })),
  ];
  checkOwnClaims(ctx, hostnames);

  if (props.idleStop !== undefined) validateIdleStop(ctx, props.idleStop);
  const idleStop = idleStopOn(props.idleStop) ? props.idleStop : undefined;
  const home = homeSpecOf(props.home);
  checkHomeKept(ctx, home, !running ? { prop: 'running', value: props.running }
    : idleStop ? { prop: 'idleStop.idleMinutes', value: idleStop.idleMinutes } : undefined);
  checkIdleStopHasControlPlane(ctx, props);

  const access = resolveAccess(ctx, {
    ...props.access,
    ...providers,
    cloudflareAccountId,
    hostname,
    sshHostname: ssh?.hostname,
    previewHostnames: previews.map((p) => p.hostname),
  }, 'access');
  const tunnel = resolveTunnel(ctx, { ...props.tunnel, ...providers, cloudflareAccountId, hostname, teamName: props.teamName });

  const zone = { ...props.dns, ...providers, cloudflareZoneId: props.cloudflareZoneId, zoneName: props.zoneName };
  const dnsRecords: DnsRecordSpec[] = [
    { id: EDITOR_PART_IDS.dns, props: resolveDnsRecord(ctx, { ...zone, hostname }) },
    ...(ssh !== undefined ? [{ id: EDITOR_PART_IDS.sshDns, props: resolveDnsRecord(inGroup(ctx, 'ssh'), { ...zone, hostname: ssh.hostname }) }] : []),
    // A preview's hostname is derived from the editor's, in the zone when the editor's is.
    ...previews.map((p) => ({ id: previewDnsIdOf(p.port), props: resolveDnsRecord(ctx, { ...zone, hostname: p.hostname }) })),
  ];

  const droplet = resolveDroplet(inGroup(ctx, 'droplet'), { ...props.droplet, ...providers, hostname });
  const homeVolume = home.kind === 'volume' ? resolveHomeVolume(inGroup(ctx, 'home'), homeVolumeOf(props, home, droplet)) : undefined;
  validateBootOptions(inGroup(ctx, 'boot'), props.boot ?? {});

  const claims: Claim[] = [
    ...hostnames,
    { scope: 'stack', kind: 'output prefix', value: prefix, prop: 'id' },
    ...(home.kind === 'existing' ? [{ scope: 'app' as const, kind: EXISTING_HOME, value: home.volume.volumeId, prop: 'home' }] : []),
    ...(homeVolume ? [homeVolumeNameClaim(homeVolume, 'home.volumeName')] : []),
  ];

  return {
    hostname,
    url: `https://${hostname}`,
    running,
    outputPrefix: prefix,
    editorName: droplet.name,
    providers,
    access,
    tunnel,
    dnsRecords,
    home,
    homeVolume,
    boot: { ...props.boot, hostname, memoryGib: memoryGibOfSize(droplet.size) },
    droplet,
    ssh,
    previews,
    idleStop,
    claims,
  };
}

/** A departed editor worked out: the home volume it keeps, and its claim. */
export interface DepartedEditorSpec {
  readonly homeVolume: HomeVolumeProps;
  readonly claims: Claim[];
}

/**
 * Resolves a departed editor's props: its home volume's props, protected unless `deleteHome`
 * lifts that, with the same checks as a running editor's. Only a home volume of the editor's own
 * is kept.
 */
export function resolveDepartedEditor(ctx: PropContext, props: DepartedEditorProps): DepartedEditorSpec {
  const home = homeSpecOf(props.home);
  if (home.kind !== 'volume') {
    rejectProp(ctx, 'home', home.kind,
      'a departed editor keeps a home volume of its own (Home.volume()); an existing volume or a home on the droplet\'s disk leaves nothing here to keep');
  }
  // A departed editor has no droplet: its options only name and place the volume, as they did.
  const droplet = { name: dropletNameOf(props.droplet ?? {}, props.hostname), ...dropletPlacementOf(props.droplet ?? {}) };
  const homeVolume = resolveHomeVolume(inGroup(ctx, 'home'), { ...homeVolumeOf(props, home, droplet), ...(props.deleteHome ? { protect: false } : {}) });
  return { homeVolume, claims: [homeVolumeNameClaim(homeVolume, 'home.volumeName')] };
}
