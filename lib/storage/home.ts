import { HomeVolumeOptions, IHomeVolume } from './home-volume';

/** A home on the droplet's own disk: `Home.onDropletDisk(options)`. */
export interface OnDropletDiskOptions {
  /**
   * Whether the home may go with the droplet. It goes by a stop (`running: false`), by offboarding
   * (`leaving`), by an idle stop and by every replacement: each of these is refused unless this
   * says that the home may go.
   * @default false
   */
  readonly disposable?: boolean;
}

/** What a {@link Home} is, for the constructs that build it. */
export type HomeSpec =
  | { readonly kind: 'volume'; readonly options: HomeVolumeOptions }
  | { readonly kind: 'existing'; readonly volume: IHomeVolume }
  | { readonly kind: 'onDropletDisk'; readonly disposable: boolean };

/**
 * Where the developer's home lives: a volume of the editor's own that survives the droplet's
 * replacement (the default), a volume that exists already, or the droplet's own disk.
 */
export abstract class Home {
  /**
   * A block storage volume of the editor's own, which survives the droplet's replacement (a new
   * image, a new code-server version, a rotated tunnel token) and a stop.
   */
  public static volume(options: HomeVolumeOptions = {}): Home {
    return new HomeOf({ kind: 'volume', options });
  }

  /**
   * A volume that exists already (`HomeVolume.fromVolumeAttributes`): attached to the droplet and
   * mounted by its label, but not managed here, so nothing here can delete or resize it. It must
   * be in the droplet's region, and be one editor's only.
   */
  public static existing(volume: IHomeVolume): Home {
    return new HomeOf({ kind: 'existing', volume });
  }

  /**
   * The droplet's own disk: the home is deleted with the droplet, by a stop, an idle stop,
   * offboarding and every replacement, which are refused unless `disposable` says it may go.
   */
  public static onDropletDisk(options: OnDropletDiskOptions = {}): Home {
    return new HomeOf({ kind: 'onDropletDisk', disposable: options.disposable ?? false });
  }

  /** What this home is. @internal */
  public abstract readonly _spec: HomeSpec;
}

class HomeOf extends Home {
  constructor(/** @internal */ public readonly _spec: HomeSpec) {
    super();
  }
}

/** The home when none is given: a volume of the editor's own. */
export const DEFAULT_HOME: Home = Home.volume();

/** What a home is; the default one when none is given. */
export function homeSpecOf(home: Home | undefined): HomeSpec {
  return (home ?? DEFAULT_HOME)._spec;
}
