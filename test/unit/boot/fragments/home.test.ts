import { optionsOf } from './options';
import { homeVolumeFragment } from '../../../../lib/boot/fragments/home';

describe('the home volume\'s fragment', () => {
  test('with the home on the droplet\'s disk, nothing', () => {
    expect(homeVolumeFragment(optionsOf())).toEqual({});
  });

  test('a wait for the labelled device in bootcmd and its mount on the home', () => {
    const fragment = homeVolumeFragment(optionsOf({ userName: 'dev', homeVolumeLabel: 'ztcs-home' }));
    expect(fragment.bootcmd).toEqual([expect.stringContaining('[ -e /dev/disk/by-label/ztcs-home ]')]);
    expect(fragment.mounts).toEqual([['LABEL=ztcs-home', '/home/dev', 'ext4', 'defaults,nofail,discard', '0', '2']]);
    expect(fragment.files).toBeUndefined();
  });
});
