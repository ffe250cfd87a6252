import { Token } from 'cdktf';
import { stringify } from 'yaml';
import { RenderedBootStep } from './boot-steps';
import { editorFragment } from './fragments/editor';
import { BootFragment, numberValue, WriteFile } from './fragments/fragment';
import { homeVolumeFragment } from './fragments/home';
import { idleStopFragment } from './fragments/idle-stop';
import { bootScriptFiles, platformStepsFragment } from './fragments/sequence';
import { sshFragment } from './fragments/ssh';
import { BOOT_PATHS, BOOT_UNITS, METADATA_SERVICE } from '../private/boot/contract';
import { escapeTerraformTemplate } from '../private/boot/terraform-string';
import type { ResolvedIdleStop } from '../private/idle-stop';

/** Every value the boot document is rendered from, defaults already applied. */
export interface CloudConfigOptions {
  /** The public hostname (code-server trusts it as an origin). */
  readonly hostname: string;
  /** The tunnel token, or a placeholder to be substituted later. */
  readonly tunnelToken: string;
  /** The developer's Linux user. */
  readonly userName: string;
  /** Its uid, fixed so that files on a home volume keep their owner on a replacement droplet. */
  readonly uid: number;
  readonly codeServerVersion: string;
  readonly codeServerSha256?: string;
  /** The .deb's URL, `{version}` not yet replaced. */
  readonly codeServerDebUrl: string;
  readonly cloudflaredAptRepository: string;
  readonly cloudflaredKeyUrl: string;
  /** The full fingerprint of the one primary key the boot accepts from cloudflaredKeyUrl. */
  readonly cloudflaredKeyFingerprint: string;
  readonly extensions: string[];
  readonly settings?: Record<string, unknown>;
  readonly gitRepositories: string[];
  readonly dotfilesRepository?: string;
  readonly workspaceFolder: string;
  /** Size of the swap file in GiB; 0 for none. */
  readonly swapSizeGib: number;
  readonly reconnectionGraceSeconds: number;
  /** Whether VS Code's workspace trust (Restricted Mode) is on. */
  readonly workspaceTrust: boolean;
  /** The filesystem label of the home volume, or undefined when the home is on the droplet's disk. */
  readonly homeVolumeLabel?: string;
  /** The platform's own boot steps, rendered. */
  readonly bootSteps: RenderedBootStep[];
  /** Whether the developer may use sudo without a password. */
  readonly sudo: boolean;
  /** SSH through Access: the certificate authority's public key and the principals that may log in as the user. */
  readonly ssh?: { readonly certificateAuthority: string; readonly principals: string[] };
  /** The idle stop, when on. */
  readonly idleStop?: ResolvedIdleStop;
}

function swapFile(sizeGib: number): Record<string, string> {
  const size = `${numberValue(sizeGib)}G`;
  return { filename: '/swapfile', size, maxsize: size };
}

/**
 * The bootcmd line that refuses the metadata service to the developer (see METADATA_SERVICE): a
 * policy routing rule by uid, which needs nothing but iproute2 and covers every process of theirs
 * (code-server, its terminals, SSH sessions, cron jobs). bootcmd runs first on every boot, before
 * the users module, so nothing of the developer's runs before it. `protocol kernel`: systemd-networkd
 * removes the routing rules it did not make, except the kernel's.
 */
export function metadataRestriction(): string {
  const { address, firstRefusedUid, rulePriority } = METADATA_SERVICE;
  return `ip rule del priority ${rulePriority} 2>/dev/null; ip rule add priority ${rulePriority} to ${address}/32 uidrange ${firstRefusedUid}-4294967294 prohibit protocol kernel`;
}

/**
 * The parts of the boot, a fragment per feature, in the order their files are written: the
 * editor (code-server, the tunnel and the boot's unit), sshd, the home volume, the platform's
 * steps, the idle stop. Previews need nothing on the droplet (the tunnel routes their hostnames
 * to the dev server's loopback port). The boot's scripts come after all of them.
 */
function fragmentsOf(o: CloudConfigOptions): BootFragment[] {
  return [editorFragment(o), sshFragment(o), homeVolumeFragment(o), platformStepsFragment(o), idleStopFragment(o)];
}

/** The cloud-config document as a plain object, in the order cloud-init's modules use it. */
export function buildCloudConfig(o: CloudConfigOptions): Record<string, unknown> {
  const { entry, shared } = bootScriptFiles(o);
  return documentOf(o, [entry, ...shared]);
}

/** The document, the given scripts written after the fragments' files. */
function documentOf(o: CloudConfigOptions, scripts: readonly WriteFile[]): Record<string, unknown> {
  const fragments = fragmentsOf(o);
  const mounts = fragments.flatMap((f) => f.mounts ?? []);
  return {
    // bootcmd runs on every boot, first: the metadata service is closed to the developer, and
    // then what the fragments need before the mounts module (a volume's device).
    bootcmd: [metadataRestriction(), ...fragments.flatMap((f) => f.bootcmd ?? [])],
    ...(mounts.length > 0 ? { mounts } : {}),
    ...(Token.isUnresolved(o.swapSizeGib) || o.swapSizeGib > 0 ? { swap: swapFile(o.swapSizeGib) } : {}),
    users: [
      {
        name: o.userName,
        uid: o.uid,
        gecos: 'code-server developer',
        ...(o.sudo ? { groups: ['sudo'] } : {}),
        shell: '/bin/bash',
        ...(o.sudo ? { sudo: 'ALL=(ALL) NOPASSWD:ALL' } : {}),
        lock_passwd: true,
      },
    ],
    write_files: [...fragments.flatMap((f) => f.files ?? []), ...scripts],
    // systemd reads the units the fragments wrote before they start them.
    runcmd: [['systemctl', 'daemon-reload'], ...fragments.flatMap((f) => f.runcmd ?? [])],
    // The developer signs in through code-server, or over SSH with Access certificates: no
    // authorized keys. Listing their key fingerprints would only create ~/.ssh/authorized_keys,
    // on the droplet's own disk when the home volume is missing.
    no_ssh_fingerprints: true,
    final_message: `ztcs: cloud-init finished after $UPTIME seconds; ${BOOT_UNITS.boot} goes on, and ${BOOT_PATHS.readyMarker} exists once code-server and the tunnel are up`,
  };
}

// lineWidth 0: no folding, so a long token stays on one line and in one piece.
const YAML_OPTIONS = { lineWidth: 0 };
/** The line that follows the write_files list in every document. */
const AFTER_FILES = '\nruncmd:\n';
let scriptEntries: string | undefined;

/** The document as YAML: the shared scripts' entries, the same in all, rendered once per process and put in place. */
function renderWhole(o: CloudConfigOptions): string {
  const { entry, shared } = bootScriptFiles(o);
  scriptEntries ??= stringify({ write_files: shared }, YAML_OPTIONS).replace(/^write_files:\n/, '');
  const text = stringify(documentOf(o, [entry]), YAML_OPTIONS);
  const at = text.indexOf(AFTER_FILES);
  return '#cloud-config\n' + text.slice(0, at + 1) + scriptEntries + text.slice(at + 1);
}

/** Stand-ins for what differs between the editors of a team, and the values YAML writes as they are. */
const SLOTS = { hostname: 'ztcs-hostname-slot.example', token: 'ZTCS_TOKEN_SLOT', authority: 'ZTCS_AUTHORITY_SLOT' };
type Slot = keyof typeof SLOTS;
const SLOT_MARKER = new RegExp(`(${Object.values(SLOTS).map((v) => v.replace(/\./g, '\\.')).join('|')})`);
const SLOT_OF = new Map(Object.entries(SLOTS).map(([slot, value]) => [value, slot as Slot]));
const PLAIN_HOSTNAME = /^(?=.*\.[a-z][a-z0-9-]*$)[a-z0-9][a-z0-9.-]*$/;
const PLAIN_TOKEN = /^[A-Za-z0-9._=${}[\]-]+$/;
const MAX_TEMPLATES = 64;

/** A rendering cut at its slots: the text between them, and which slot each gap is. */
interface Template {
  readonly texts: string[];
  readonly slots: Slot[];
}
/** One rendering per set of options that differ only in their slots: as cloud-init reads it, and escaped for Terraform. */
interface Renderings {
  readonly document: Template;
  readonly userData: Template;
}
const templates = new Map<string, Renderings>();

function templateOf(text: string): Template {
  const pieces = text.split(SLOT_MARKER);
  return { texts: pieces.filter((_, i) => i % 2 === 0), slots: pieces.filter((_, i) => i % 2 === 1).map((value) => SLOT_OF.get(value)!) };
}

function fill(template: Template, values: Record<Slot, string>): string {
  const out = [template.texts[0]];
  template.slots.forEach((slot, i) => out.push(values[slot], template.texts[i + 1]));
  return out.join('');
}

/**
 * The renderings of `o`'s document cut at its slots, shared by editors that differ only in
 * hostname and tokens (a team's), one per process; undefined when a value is not one YAML writes
 * as it is (quoted, folded): that takes the whole rendering.
 */
function renderingsFor(o: CloudConfigOptions): Renderings | undefined {
  const authority = o.ssh?.certificateAuthority;
  if (!PLAIN_HOSTNAME.test(o.hostname) || !PLAIN_TOKEN.test(o.tunnelToken) || (authority !== undefined && !PLAIN_TOKEN.test(authority))) {
    return undefined;
  }
  const slotted: CloudConfigOptions = {
    ...o,
    hostname: SLOTS.hostname,
    tunnelToken: SLOTS.token,
    ...(o.ssh ? { ssh: { ...o.ssh, certificateAuthority: SLOTS.authority } } : {}),
  };
  const key = JSON.stringify(slotted);
  let renderings = templates.get(key);
  if (renderings === undefined) {
    if (templates.size >= MAX_TEMPLATES) templates.clear();
    const whole = renderWhole(slotted);
    renderings = { document: templateOf(whole), userData: templateOf(escapeTerraformTemplate(whole)) };
    templates.set(key, renderings);
  }
  return renderings;
}

function slotValues(o: CloudConfigOptions, escape: (value: string) => string = (value) => value): Record<Slot, string> {
  const authority = o.ssh?.certificateAuthority;
  return { hostname: o.hostname, token: escape(o.tunnelToken), authority: authority === undefined ? SLOTS.authority : escape(authority) };
}

/**
 * Renders the `#cloud-config` user data: `buildCloudConfig` as YAML. Editors that differ only in
 * hostname and tokens share one rendering per process, the values put in its slots; tests prove
 * both ways equal rendering the whole object.
 */
export function renderCloudConfig(o: CloudConfigOptions): string {
  const renderings = renderingsFor(o);
  return renderings ? fill(renderings.document, slotValues(o)) : renderWhole(o);
}

/**
 * The same document escaped for Terraform (`escapeTerraformTemplate(renderCloudConfig(o))`), as
 * a droplet's `user_data` takes it: escaped once per rendering, not once per editor.
 */
export function renderUserData(o: CloudConfigOptions): string {
  const renderings = renderingsFor(o);
  return renderings ? fill(renderings.userData, slotValues(o, escapeTerraformTemplate)) : escapeTerraformTemplate(renderWhole(o));
}
