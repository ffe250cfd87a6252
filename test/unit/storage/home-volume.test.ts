import { Volume } from '@cdktf/provider-digitalocean/lib/volume';
import { TerraformOutput, TerraformStack, Testing } from 'cdktf';
import { HomeVolume, HomeVolumeProps } from '../../../lib/storage';
import { addressOf, newStack, onlyResource, resourceCount, synthJson, thrownBy } from '../../support/fixtures';

function buildVolume(overrides: Partial<HomeVolumeProps> = {}): { stack: TerraformStack; volume: HomeVolume } {
  const stack = newStack();
  const volume = new HomeVolume(stack, 'HomeVolume', { volumeName: 'code-example-com-home', region: 'fra1', ...overrides });
  return { stack, volume };
}

describe('HomeVolume', () => {
  test('is 20 GiB by default', () => {
    // GIVEN
    const { stack } = buildVolume();

    // THEN
    expect(Testing.synth(stack)).toHaveResourceWithProperties(Volume, { size: 20 });
  });

  test('takes the size given', () => {
    // GIVEN
    const { stack } = buildVolume({ sizeGib: 100 });

    // THEN
    expect(Testing.synth(stack)).toHaveResourceWithProperties(Volume, { size: 100 });
  });

  test('is formatted ext4 with the label ztcs-home by default', () => {
    // GIVEN
    const { stack, volume } = buildVolume();

    // THEN
    expect(Testing.synth(stack)).toHaveResourceWithProperties(Volume, {
      initial_filesystem_type: 'ext4',
      initial_filesystem_label: 'ztcs-home',
    });
    expect(volume.label).toBe('ztcs-home');
  });

  test('takes the label given', () => {
    // GIVEN
    const { stack, volume } = buildVolume({ label: 'my-home' });

    // THEN
    expect(Testing.synth(stack)).toHaveResourceWithProperties(Volume, { initial_filesystem_label: 'my-home' });
    expect(volume.label).toBe('my-home');
  });

  test('is named and placed as given', () => {
    // GIVEN
    const { stack } = buildVolume({ region: 'ams3' });

    // THEN
    expect(Testing.synth(stack)).toHaveResourceWithProperties(Volume, { name: 'code-example-com-home', region: 'ams3' });
  });

  test('is tagged code-server besides the tags given', () => {
    // GIVEN
    const { stack } = buildVolume({ tags: ['dev'] });

    // THEN
    expect(Testing.synth(stack)).toHaveResourceWithProperties(Volume, { tags: ['code-server', 'dev'] });
  });

  test('is protected from destruction by default', () => {
    // GIVEN
    const { stack } = buildVolume();

    // THEN
    expect(onlyResource(synthJson(stack), 'digitalocean_volume').lifecycle).toEqual({ prevent_destroy: true, ignore_changes: ['name', 'description'] });
  });

  test('is not protected when protect is false', () => {
    // GIVEN
    const { stack } = buildVolume({ protect: false });

    // THEN
    expect(onlyResource(synthJson(stack), 'digitalocean_volume').lifecycle).toEqual({ prevent_destroy: false, ignore_changes: ['name', 'description'] });
  });

  test('ignores changes to its description, which would replace it: a new wording is no new volume', () => {
    // GIVEN
    const { stack } = buildVolume();

    // THEN
    expect(onlyResource(synthJson(stack), 'digitalocean_volume').lifecycle.ignore_changes).toContain('description');
  });

  test('references no other resource', () => {
    // GIVEN
    const { stack } = buildVolume();

    // WHEN
    const volume = onlyResource(synthJson(stack), 'digitalocean_volume');

    // THEN
    expect(JSON.stringify(volume)).not.toContain('${');
    expect(volume).not.toHaveProperty('depends_on');
  });

  test.each([
    ['zero', 0],
    ['a fraction', 1.5],
    ['more than 16 TiB', 16_385],
  ])('rejects a size of %s, and builds nothing', (_why, sizeGib) => {
    // GIVEN
    const stack = newStack();

    // WHEN
    const build = () => new HomeVolume(stack, 'HomeVolume', { volumeName: 'home', region: 'fra1', sizeGib });

    // THEN
    expect(build).toThrow(`test/HomeVolume: invalid sizeGib ${sizeGib}: expected a whole number from 1 to 16384`);
    expect(resourceCount(synthJson(stack))).toBe(0);
  });

  test.each([
    ['longer than ext4 takes', 'a-label-of-17-chr'],
    ['with upper-case letters', 'Home'],
  ])('rejects a label %s', (_why, label) => {
    // THEN
    expect(() => buildVolume({ label })).toThrow(`test/HomeVolume: invalid label "${label}": expected 1 to 16 lower-case letters`);
  });

  test('rejects a bad volume name', () => {
    // THEN
    expect(() => buildVolume({ volumeName: 'code.example.com-home' })).toThrow('test/HomeVolume: invalid volumeName "code.example.com-home"');
  });

  test('rejects a tag DigitalOcean cannot take', () => {
    expect(() => buildVolume({ tags: ['a tag'] })).toThrow('test/HomeVolume: invalid tags[0] "a tag": expected letters, digits');
  });

  test('refuses two volumes of an app with one name in one region, at synthesis, naming both paths', () => {
    // GIVEN
    const app = Testing.app();
    new HomeVolume(newStack('one', app), 'HomeVolume', { volumeName: 'alice-home', region: 'fra1' });
    new HomeVolume(newStack('two', app), 'HomeVolume', { volumeName: 'alice-home', region: 'ams3' });
    new HomeVolume(newStack('three', app), 'HomeVolume', { volumeName: 'alice-home', region: 'fra1' });

    // WHEN
    const error = thrownBy(() => app.synth());

    // THEN
    expect(error.message).toContain('three/HomeVolume: invalid volumeName "alice-home": is already the home volume name in fra1 of one/HomeVolume; give each instance its own');
    expect(error.message).not.toContain('two/HomeVolume');
  });

  test('is the IHomeVolume of its own volume: its id and its label', () => {
    // GIVEN
    const { stack, volume } = buildVolume({ label: 'my-home' });

    // WHEN
    new TerraformOutput(stack, 'id', { value: volume.volumeId });
    const synth = synthJson(stack);

    // THEN
    expect(synth.output.id.value).toBe(`\${${addressOf(synth, 'digitalocean_volume')}.id}`);
    expect(volume.label).toBe('my-home');
  });
});

describe('HomeVolume.fromVolumeAttributes', () => {
  const VOLUME_ID = '506f78a4-e098-11e5-ad9f-000f53306ae1';

  test('gives the id and the label of an existing volume, by default ztcs-home, and builds no resource', () => {
    // GIVEN
    const stack = newStack();

    // WHEN
    const labelled = HomeVolume.fromVolumeAttributes(stack, 'Old', { volumeId: VOLUME_ID, label: 'old-home' });
    const plain = HomeVolume.fromVolumeAttributes(stack, 'Plain', { volumeId: VOLUME_ID });

    // THEN
    expect([labelled.volumeId, labelled.label]).toEqual([VOLUME_ID, 'old-home']);
    expect(plain.label).toBe('ztcs-home');
    expect(labelled.node.path).toBe('test/Old');
    expect(resourceCount(synthJson(stack))).toBe(0);
  });

  test.each<[string, { volumeId: string; label?: string }, string]>([
    ['an id that is not a UUID', { volumeId: 'my-volume' }, 'test/Old: invalid volumeId "my-volume": expected the id (a UUID) of a DigitalOcean volume'],
    ['a label ext4 cannot take', { volumeId: VOLUME_ID, label: 'Old_Home' }, 'test/Old: invalid label "Old_Home": expected 1 to 16 lower-case letters'],
  ])('rejects %s, naming the prop and the value, and adds nothing to the tree', (_why, attrs, message) => {
    // GIVEN
    const stack = newStack();

    // WHEN
    const error = thrownBy(() => HomeVolume.fromVolumeAttributes(stack, 'Old', attrs));

    // THEN
    expect(error.message).toContain(message);
    expect(stack.node.tryFindChild('Old')).toBeUndefined();
  });
});
