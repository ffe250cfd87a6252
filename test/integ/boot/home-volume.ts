import { Testing } from 'cdktf';
import { HomeVolume, IHomeVolume } from '../../../lib';

/**
 * A home volume as the boot document is rendered from it, which reads only its label: an existing
 * volume of that label, imported into an app of its own.
 */
export function homeLabelled(label: string): IHomeVolume {
  return HomeVolume.fromVolumeAttributes(Testing.app(), 'Home', { volumeId: '506f78a4-e098-11e5-ad9f-000f53306ae1', label });
}
