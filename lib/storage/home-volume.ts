import { Volume } from '@cdktf/provider-digitalocean/lib/volume';
import { Construct, IConstruct } from 'constructs';
import { MAX_VOLUME_GIB } from '../private/sizes';
import { isResolved, markResolved } from '../private/spec/resolved';
import { checkIntegerRange, checkPattern, checkTags, Claim, contextOf, detachOnError, isUnresolved, PropContext, registerClaims } from '../private/validation';
import { ProviderOptions } from '../providers';

/** The defaults of {@link HomeVolumeOptions}, for documentation and tests. */
export const HOME_VOLUME_DEFAULTS = {
  sizeGib: 20,
  protect: true,
  label: 'ztcs-home',
} as const;

/** A home volume of the editor's own: `Home.volume(options)`. */
export interface HomeVolumeOptions {
  /**
   * Size of the home volume in GiB ($0.10 per GiB and month).
   * @default 20
   */
  readonly sizeGib?: number;
  /**
   * Whether Terraform refuses to destroy the home volume (`lifecycle.prevent_destroy`). Turn it
   * off only for throwaway environments, or to delete a departed developer's home on purpose:
   * `cdktf destroy` then deletes the developer's files.
   * @default true
   */
  readonly protect?: boolean;
  /**
   * The ext4 filesystem label that the boot mounts at the user's home.
   * @default "ztcs-home"
   */
  readonly label?: string;
  /**
   * Tags for the volume, besides `code-server` (the droplet's tags are the droplet's alone).
   * @default - none
   */
  readonly tags?: string[];
}

/** Props of {@link HomeVolume}. */
export interface HomeVolumeProps extends HomeVolumeOptions, ProviderOptions {
  /** The volume's name, unique in the region. */
  readonly volumeName: string;
  /** The region: the droplet's. */
  readonly region: string;
}

/** A DigitalOcean volume that holds a developer's home: one of an editor's own, or one that exists already. */
export interface IHomeVolume extends IConstruct {
  /** The DigitalOcean volume's id. */
  readonly volumeId: string;
  /** Its ext4 filesystem label, which the boot mounts at the user's home. */
  readonly label: string;
}

/** What identifies an existing home volume: see {@link HomeVolume.fromVolumeAttributes}. */
export interface HomeVolumeAttributes {
  /** The DigitalOcean volume's id, a UUID (`doctl compute volume list`). */
  readonly volumeId: string;
  /**
   * The volume's ext4 filesystem label, which the boot mounts (it must be the volume's).
   * @default "ztcs-home"
   */
  readonly label?: string;
}

/** A filesystem label that ext4 takes (16 bytes) and the boot scripts can use as is. */
const VOLUME_LABEL = /^[a-z0-9][a-z0-9-]{0,15}$/;
const VOLUME_NAME = /^[a-z0-9]([a-z0-9-]{0,62}[a-z0-9])?$/;
const VOLUME_ID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/** Checks a home volume label: every construct that takes one uses this rule. */
export function checkHomeVolumeLabel(ctx: PropContext, label: string): void {
  checkPattern(ctx, 'label', label, VOLUME_LABEL, 'expected 1 to 16 lower-case letters, digits or hyphens (an ext4 label), e.g. "ztcs-home"');
}

function volumeNameKind(region: string): string {
  return `home volume name in ${isUnresolved(region) ? 'its region' : region}`;
}

/** A home volume's name, unique in its region in the whole app (checked at synthesis); `prop` as the user wrote it. */
export function homeVolumeNameClaim(props: HomeVolumeProps, prop = 'volumeName'): Claim {
  return { scope: 'app', kind: volumeNameKind(props.region), value: props.volumeName, prop };
}

/** Resolves a home volume's props without building anything: checks them. A volume given the result checks nothing again, and leaves its name's claim to its editor. */
export function resolveHomeVolume<T extends HomeVolumeProps>(ctx: PropContext, props: T): T {
  if (props.sizeGib !== undefined) checkIntegerRange(ctx, 'sizeGib', props.sizeGib, 1, MAX_VOLUME_GIB);
  if (props.label !== undefined) checkHomeVolumeLabel(ctx, props.label);
  checkTags(ctx, 'tags', props.tags);
  checkPattern(ctx, 'volumeName', props.volumeName, VOLUME_NAME, 'expected lower-case letters, digits and hyphens, 64 characters at most, e.g. "alice-home"');
  return markResolved(props);
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
export class HomeVolume extends Construct implements IHomeVolume {
  /**
   * An existing volume as a home (a home to migrate, or one kept when its member was removed):
   * attached and mounted by its label, but not managed here, so nothing here can delete or resize
   * it. The id's form and the label are checked here, naming the prop and the value.
   */
  public static fromVolumeAttributes(scope: Construct, id: string, attrs: HomeVolumeAttributes): IHomeVolume {
    return new ImportedHomeVolume(scope, id, attrs);
  }

  /** The volume. */
  public readonly volume: Volume;
  /** The filesystem label the boot mounts. */
  public readonly label: string;

  constructor(scope: Construct, id: string, props: HomeVolumeProps) {
    super(scope, id);
    // An editor's home volume was checked, and its name claimed, by the editor's resolve step.
    if (!isResolved(props)) {
      resolveHomeVolume(contextOf(this), props);
      registerClaims(this, [homeVolumeNameClaim(props)]);
    }

    this.label = props.label ?? HOME_VOLUME_DEFAULTS.label;
    this.volume = new Volume(this, 'Volume', {
      provider: props.digitaloceanProvider,
      name: props.volumeName,
      region: props.region,
      size: props.sizeGib ?? HOME_VOLUME_DEFAULTS.sizeGib,
      initialFilesystemType: 'ext4',
      initialFilesystemLabel: this.label,
      description: 'Home directory of a code-server developer: kept across droplet replacements',
      tags: ['code-server', ...(props.tags ?? [])],
      lifecycle: {
        preventDestroy: props.protect ?? HOME_VOLUME_DEFAULTS.protect,
        // The name and the description force a new volume in DigitalOcean's provider: a rename or
        // a new wording must not.
        ignoreChanges: [...HOME_VOLUME_IGNORED_CHANGES],
      },
    });
  }

  /** The volume's id. */
  public get volumeId(): string {
    return this.volume.id;
  }
}

/** A volume that exists already, known by its id and label: nothing of it is managed here. */
class ImportedHomeVolume extends Construct implements IHomeVolume {
  public readonly volumeId: string;
  public readonly label: string;

  constructor(scope: Construct, id: string, attrs: HomeVolumeAttributes) {
    super(scope, id);
    detachOnError(this, () => {
      const ctx = contextOf(this);
      checkPattern(ctx, 'volumeId', attrs.volumeId, VOLUME_ID, 'expected the id (a UUID) of a DigitalOcean volume, e.g. "506f78a4-e098-11e5-ad9f-000f53306ae1" (`doctl compute volume list`)');
      if (attrs.label !== undefined) checkHomeVolumeLabel(ctx, attrs.label);
    });
    this.volumeId = attrs.volumeId;
    this.label = attrs.label ?? HOME_VOLUME_DEFAULTS.label;
  }
}
