import { createHash } from 'crypto';
import { Volume } from '@cdktf/provider-digitalocean/lib/volume';
import { Fn, Op, Token } from 'cdktf';
import { Construct, IConstruct } from 'constructs';
import { ProviderOptions } from '../providers';
import { checkIntegerRange, checkPattern, checkUnclaimed, claimUnique, contextOf, isUnresolved, PropContext } from '../validation';

/** The defaults of {@link HomeVolumeOptions}, for documentation and tests. */
export const HOME_VOLUME_DEFAULTS = {
  homeVolumeSizeGib: 20,
  protectHomeVolume: true,
  homeVolumeLabel: 'ztcs-home',
} as const;

/** Home volume settings that a platform team may choose. */
export interface HomeVolumeOptions {
  /**
   * Size of the home volume in GiB ($0.10 per GiB and month).
   * @default 20
   */
  readonly homeVolumeSizeGib?: number;
  /**
   * Whether Terraform refuses to destroy the home volume (`lifecycle.prevent_destroy`). Turn it
   * off only for throwaway environments, or to delete a departed developer's home on purpose:
   * `cdktf destroy` then deletes the developer's files.
   * @default true
   */
  readonly protectHomeVolume?: boolean;
  /**
   * The ext4 filesystem label that the boot mounts at the user's home.
   * @default "ztcs-home"
   */
  readonly homeVolumeLabel?: string;
}

/** Props of {@link HomeVolume}. */
export interface HomeVolumeProps extends HomeVolumeOptions, ProviderOptions {
  /** The volume's name, unique in the region. */
  readonly volumeName: string;
  /** The region: the droplet's. */
  readonly region: string;
  /**
   * Tags for the volume, besides `code-server`.
   * @default - none
   */
  readonly tags?: string[];
}

/** A filesystem label that ext4 takes (16 bytes) and the boot scripts can use as is. */
const VOLUME_LABEL = /^[a-z0-9][a-z0-9-]{0,15}$/;
const VOLUME_NAME = /^[a-z0-9]([a-z0-9-]{0,62}[a-z0-9])?$/;

/** DigitalOcean's limit on a volume name. */
const MAX_VOLUME_NAME = 64;
/** How much of a long droplet name a volume name keeps before its hash. */
const KEPT_OF_LONG_NAME = 50;

/**
 * The home volume's name for a droplet name: lower case, anything but letters, digits and hyphens
 * turned into hyphens, `-home` added. A name longer than DigitalOcean's 64 characters keeps its
 * first 50 and gets 8 hexadecimal digits of the whole name's SHA-1, so two long names that share
 * a beginning or an end still differ. Done by Terraform when the droplet name is a token.
 */
export function homeVolumeNameOf(dropletName: string): string {
  if (isUnresolved(dropletName)) {
    const slug = Fn.replace(Fn.lower(dropletName), '/[^a-z0-9-]/', '-');
    const whole = Fn.join('', [slug, '-home']);
    const shortened = Fn.join('', [Fn.replace(Fn.substr(slug, 0, KEPT_OF_LONG_NAME), '/-+$/', ''), '-', Fn.substr(Fn.sha1(slug), 0, 8), '-home']);
    return Token.asString(Fn.conditional(Op.gt(Fn.lengthOf(whole), MAX_VOLUME_NAME), shortened, whole));
  }
  const slug = dropletName.toLowerCase().replace(/[^a-z0-9-]/g, '-');
  const whole = `${slug}-home`;
  if (whole.length <= MAX_VOLUME_NAME) return whole;
  const hash = createHash('sha1').update(slug).digest('hex').slice(0, 8);
  return `${slug.slice(0, KEPT_OF_LONG_NAME).replace(/-+$/, '')}-${hash}-home`;
}

/** Checks a home volume label: every construct that takes one uses this rule. */
export function checkHomeVolumeLabel(ctx: PropContext, label: string): void {
  checkPattern(ctx, 'homeVolumeLabel', label, VOLUME_LABEL, 'expected 1 to 16 lower-case letters, digits or hyphens (an ext4 label), e.g. "ztcs-home"');
}

function volumeNameKind(region: string): string {
  return `home volume name in ${isUnresolved(region) ? 'its region' : region}`;
}

/** Checks a home volume's props, and that no other volume of the app has its name in its region, without building anything. */
export function validateHomeVolumeProps(root: IConstruct, ctx: PropContext, props: HomeVolumeProps): void {
  if (props.homeVolumeSizeGib !== undefined) checkIntegerRange(ctx, 'homeVolumeSizeGib', props.homeVolumeSizeGib, 1, 16_384);
  if (props.homeVolumeLabel !== undefined) checkHomeVolumeLabel(ctx, props.homeVolumeLabel);
  checkPattern(ctx, 'volumeName', props.volumeName, VOLUME_NAME, 'expected lower-case letters, digits and hyphens, 64 characters at most, e.g. "alice-home"');
  if (!isUnresolved(props.region)) checkUnclaimed(root, volumeNameKind(props.region), props.volumeName, ctx, 'volumeName');
}

/** The volume's attributes that force a new volume in DigitalOcean's provider and are set only at creation. */
const HOME_VOLUME_IGNORED_CHANGES = ['name', 'description'] as const;

/**
 * A block storage volume that holds the developer's home directory and outlives the droplet: it
 * depends on nothing that replaces the droplet (not the image, the user data or the tunnel token),
 * and Terraform refuses to destroy it unless told otherwise.
 *
 * Its name and description are set at creation and never changed afterwards (`ignore_changes`):
 * renaming the editor (hostname, zone, droplet name), or a library version that names or
 * describes volumes differently, leaves the volume as it is, where either would replace it. Two volumes of one app cannot
 * share a name in a region.
 */
export class HomeVolume extends Construct {
  /** The volume. */
  public readonly volume: Volume;
  /** The filesystem label the boot mounts. */
  public readonly label: string;

  constructor(scope: Construct, id: string, props: HomeVolumeProps) {
    super(scope, id);
    const ctx = contextOf(this);
    validateHomeVolumeProps(this.node.root, ctx, props);
    claimUnique(this.node.root, volumeNameKind(props.region), props.volumeName, ctx, 'volumeName');

    this.label = props.homeVolumeLabel ?? HOME_VOLUME_DEFAULTS.homeVolumeLabel;
    this.volume = new Volume(this, 'Volume', {
      provider: props.digitaloceanProvider,
      name: props.volumeName,
      region: props.region,
      size: props.homeVolumeSizeGib ?? HOME_VOLUME_DEFAULTS.homeVolumeSizeGib,
      initialFilesystemType: 'ext4',
      initialFilesystemLabel: this.label,
      description: 'Home directory of a code-server developer: kept across droplet replacements',
      tags: ['code-server', ...(props.tags ?? [])],
      lifecycle: {
        preventDestroy: props.protectHomeVolume ?? HOME_VOLUME_DEFAULTS.protectHomeVolume,
        // The name and the description force a new volume in DigitalOcean's provider: a rename or
        // a new wording must not.
        ignoreChanges: [...HOME_VOLUME_IGNORED_CHANGES],
      },
    });
  }
}
