export type { HomeVolumeAttributes, HomeVolumeOptions, HomeVolumeProps, IHomeVolume } from './home-volume';
export { HomeVolume } from './home-volume';
export type { OnDropletDiskOptions } from './home';
export { Home } from './home';
