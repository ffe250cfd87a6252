import { DepartedEditor, Home, HomeVolume, ZeroTrustCodeServer } from '../../../lib';
import { homeSpecOf } from '../../../lib/storage/home';
import { cloudConfigOf, newStack, onlyResource, resourcesOfType, synthJson, thrownBy, validProps } from '../../support/fixtures';

const VOLUME_ID = '506f78a4-e098-11e5-ad9f-000f53306ae1';

describe('Home', () => {
  test('is a volume of the editor\'s own when none is given, with no options', () => {
    expect(homeSpecOf(undefined)).toEqual({ kind: 'volume', options: {} });
  });

  test.each<[string, Home, object]>([
    ['Home.volume() with its options', Home.volume({ sizeGib: 30, protect: false, label: 'dev-home', tags: ['t'] }), { kind: 'volume', options: { sizeGib: 30, protect: false, label: 'dev-home', tags: ['t'] } }],
    ['Home.onDropletDisk() not disposable by default', Home.onDropletDisk(), { kind: 'onDropletDisk', disposable: false }],
    ['Home.onDropletDisk({ disposable: true })', Home.onDropletDisk({ disposable: true }), { kind: 'onDropletDisk', disposable: true }],
  ])('%s says what it is', (_why, home, spec) => {
    expect(homeSpecOf(home)).toEqual(spec);
  });

  test('Home.existing() holds the volume it is given', () => {
    // GIVEN
    const volume = HomeVolume.fromVolumeAttributes(newStack(), 'Old', { volumeId: VOLUME_ID });

    // THEN
    expect(homeSpecOf(Home.existing(volume))).toEqual({ kind: 'existing', volume });
  });
});

describe('an editor\'s home', () => {
  test.each<[string, () => Home | undefined, number, string[] | undefined]>([
    ['the default: a volume of its own', () => undefined, 1, ['LABEL=ztcs-home']],
    ['Home.volume({ label })', () => Home.volume({ label: 'dev-home' }), 1, ['LABEL=dev-home']],
    ['Home.onDropletDisk()', () => Home.onDropletDisk(), 0, undefined],
  ])('with %s: the volumes built and what the boot mounts', (_why, home, volumes, mount) => {
    // WHEN
    const stack = newStack();
    new ZeroTrustCodeServer(stack, 'CodeServer', validProps({ home: home() }));
    const synth = synthJson(stack);

    // THEN
    expect(resourcesOfType(synth, 'digitalocean_volume')).toHaveLength(volumes);
    expect(cloudConfigOf(onlyResource(synth, 'digitalocean_droplet')).mounts?.[0]?.slice(0, 1)).toEqual(mount);
  });

  test('Home.existing(): the volume attached by id and mounted by its label, none built', () => {
    // GIVEN
    const stack = newStack();
    const volume = HomeVolume.fromVolumeAttributes(stack, 'Old', { volumeId: VOLUME_ID, label: 'old-home' });

    // WHEN
    const editor = new ZeroTrustCodeServer(stack, 'CodeServer', validProps({ home: Home.existing(volume) }));
    const synth = synthJson(stack);
    const droplet = onlyResource(synth, 'digitalocean_droplet');

    // THEN
    expect(editor.homeVolume).toBeUndefined();
    expect(resourcesOfType(synth, 'digitalocean_volume')).toEqual([]);
    expect(droplet.volume_ids).toEqual([VOLUME_ID]);
    expect(cloudConfigOf(droplet).mounts[0][0]).toBe('LABEL=old-home');
  });

  test('a departed editor keeps a volume of its own only: an existing home or one on the droplet\'s disk is refused, naming the home', () => {
    // GIVEN
    const stack = newStack();
    const volume = HomeVolume.fromVolumeAttributes(stack, 'Old', { volumeId: VOLUME_ID });

    // WHEN
    const existing = thrownBy(() => new DepartedEditor(stack, 'Gone', validProps({ home: Home.existing(volume) })));
    const onDisk = thrownBy(() => new DepartedEditor(stack, 'Gone', validProps({ home: Home.onDropletDisk() })));

    // THEN
    expect(existing.message).toContain('test/Gone: invalid home "existing": a departed editor keeps a home volume of its own');
    expect(onDisk.message).toContain('test/Gone: invalid home "onDropletDisk"');
    expect(stack.node.tryFindChild('Gone')).toBeUndefined();
  });

  test('a departed editor keeps its volume, protected unless deleteHome', () => {
    // GIVEN
    const kept = newStack();
    const deleted = newStack();

    // WHEN
    new DepartedEditor(kept, 'Gone', validProps({ home: Home.volume({ sizeGib: 30 }) }));
    new DepartedEditor(deleted, 'Gone', { ...validProps(), deleteHome: true });

    // THEN
    expect(onlyResource(synthJson(kept), 'digitalocean_volume')).toMatchObject({ size: 30, lifecycle: { prevent_destroy: true } });
    expect(onlyResource(synthJson(deleted), 'digitalocean_volume').lifecycle.prevent_destroy).toBe(false);
  });
});
