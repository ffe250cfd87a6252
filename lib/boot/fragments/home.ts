import { BootFragment, homeOf } from './fragment';
import type { CloudConfigOptions } from '../cloud-config';

/**
 * A home volume: mounted by its label on the developer's home, without failing the boot when it
 * is missing (prepare-home.sh stops the boot then); before the mounts module, bootcmd waits for
 * its device. No fragment when the home is on the droplet's disk.
 */
export function homeVolumeFragment(o: CloudConfigOptions): BootFragment {
  const label = o.homeVolumeLabel;
  if (label === undefined) return {};
  return {
    bootcmd: [`for _ in $(seq 1 60); do [ -e /dev/disk/by-label/${label} ] && break; sleep 1; done`],
    mounts: [[`LABEL=${label}`, homeOf(o), 'ext4', 'defaults,nofail,discard', '0', '2']],
  };
}
