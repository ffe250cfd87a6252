import { Volume } from '@cdktf/provider-digitalocean/lib/volume';
import { Construct } from 'constructs';
import { VOLUME_LABEL } from '../boot/code-server-user-data';
import { checkIntegerRange, checkPattern, PropContext } from '../validation';

/** Home volume settings that a platform team may choose. */
export interface HomeVolumeOptions {
  /**
   * Size of the home volume in GiB ($0.10 per GiB and month).
   * @default 20
   */
  readonly sizeGib?: number;
  /**
   * Whether Terraform refuses to destroy the volume (`lifecycle.prevent_destroy`). Turn it off
   * only for throwaway environments: `cdktf destroy` then deletes the developer's files.
   * @default true
   */
  readonly protect?: boolean;
  /**
   * The ext4 filesystem label that the boot mounts at the user's home.
   * @default "ztcs-home"
   */
  readonly label?: string;
}

/** Props of {@link HomeVolume}. */
export interface HomeVolumeProps extends HomeVolumeOptions {
  /** The volume's name, unique in the region. */
  readonly name: string;
  /** The region: the droplet's. */
  readonly region: string;
  /**
   * Tags for the volume, besides `code-server`.
   * @default - none
   */
  readonly tags?: string[];
}

const VOLUME_NAME = /^[a-z0-9]([a-z0-9-]{0,62}[a-z0-9])?$/;
const CTX: PropContext = { construct: 'HomeVolume' };

/** Checks home volume options without building anything. */
export function validateHomeVolumeOptions(o: HomeVolumeOptions, ctx: PropContext = CTX): void {
  if (o.sizeGib !== undefined) checkIntegerRange(ctx, 'sizeGib', o.sizeGib, 1, 16_384);
  if (o.label !== undefined) checkPattern(ctx, 'label', o.label, VOLUME_LABEL, 'expected 1 to 16 lower-case letters, digits or hyphens (an ext4 label)');
}

/**
 * A block storage volume that holds the developer's home directory and outlives the droplet: it
 * depends on nothing that replaces the droplet (not the image, the user data or the tunnel token),
 * and Terraform refuses to destroy it unless told otherwise.
 */
export class HomeVolume extends Construct {
  /** The volume. */
  public readonly volume: Volume;
  /** The filesystem label the boot mounts. */
  public readonly label: string;

  constructor(scope: Construct, id: string, props: HomeVolumeProps) {
    super(scope, id);
    validateHomeVolumeOptions(props);
    checkPattern(CTX, 'name', props.name, VOLUME_NAME, 'expected lower-case letters, digits and hyphens, 64 characters at most');

    this.label = props.label ?? 'ztcs-home';
    this.volume = new Volume(this, 'Volume', {
      name: props.name,
      region: props.region,
      size: props.sizeGib ?? 20,
      initialFilesystemType: 'ext4',
      initialFilesystemLabel: this.label,
      description: 'Home directory of a code-server developer: kept across droplet replacements',
      tags: ['code-server', ...(props.tags ?? [])],
      lifecycle: { preventDestroy: props.protect ?? true },
    });
  }
}
