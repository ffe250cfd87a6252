export type { HomeVolumeOptions, HomeVolumeProps } from './home-volume';
export { HomeVolume } from './home-volume';
