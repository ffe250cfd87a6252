import { Testing } from 'cdktf';
import { Home, ZeroTrustCodeServer, ZeroTrustCodeServerProps } from '../../../../lib';
import { CodeServerAccess } from '../../../../lib/access/code-server-access';
import { TunnelDnsRecord } from '../../../../lib/dns/tunnel-dns-record';
import { CodeServerDroplet, DROPLET_DEFAULTS } from '../../../../lib/droplet/code-server-droplet';
import * as sizes from '../../../../lib/private/sizes';
import { isResolved, markResolved, resolveDepartedEditor, resolveEditor } from '../../../../lib/private/spec';
import { PropContext, PropValidationError } from '../../../../lib/private/validation';
import { HomeVolume } from '../../../../lib/storage/home-volume';
import { CodeServerTunnel } from '../../../../lib/tunnel/code-server-tunnel';
import { newStack, thrownBy, validProps } from '../../../support/fixtures';

// No app, no stack: the resolve step is a pure function of the editor's path, its id and its props.
const CTX: PropContext = { construct: 'editors/CodeServer' };

describe('resolveEditor', () => {
  test('gives the defaults and every derived name, without an app', () => {
    // WHEN
    const spec = resolveEditor(CTX, 'CodeServer', validProps());

    // THEN
    expect(spec).toMatchObject({
      hostname: 'code.example.com',
      url: 'https://code.example.com',
      running: true,
      outputPrefix: 'CodeServer',
      editorName: 'code-example-com',
      previews: [],
      home: { kind: 'volume' },
      homeVolume: { volumeName: 'code-example-com-home', region: DROPLET_DEFAULTS.region },
      boot: { hostname: 'code.example.com', memoryGib: 4 },
      droplet: { hostname: 'code.example.com' },
    });
    expect(spec.ssh).toBeUndefined();
    expect(spec.idleStop).toBeUndefined();
    expect(spec.dnsRecords.map((r) => [r.id, r.props.hostname])).toEqual([['Dns', 'code.example.com']]);
    expect(spec.claims).toEqual([
      { scope: 'app', kind: 'hostname', value: 'code.example.com', prop: 'hostname' },
      { scope: 'stack', kind: 'output prefix', value: 'CodeServer', prop: 'id' },
      { scope: 'app', kind: `home volume name in ${DROPLET_DEFAULTS.region}`, value: 'code-example-com-home', prop: 'home.volumeName' },
    ]);
  });

  test('derives the SSH and preview hostnames, their DNS records and their claims', () => {
    // WHEN
    const spec = resolveEditor(CTX, 'CodeServer', validProps({ ssh: {}, previews: { ports: [3000] } }));

    // THEN
    expect(spec.ssh).toEqual({ hostname: 'code-ssh.example.com', principals: ['dev'] });
    expect(spec.dnsRecords.map((r) => [r.id, r.props.hostname])).toEqual([
      ['Dns', 'code.example.com'], ['SshDns', 'code-ssh.example.com'], ['PreviewDns3000', '3000-code.example.com'],
    ]);
    expect(spec.access).toMatchObject({ sshHostname: 'code-ssh.example.com', previewHostnames: ['3000-code.example.com'] });
    expect(spec.claims.filter((c) => c.kind === 'hostname').map((c) => c.prop)).toEqual(['hostname', 'ssh.hostname', 'previews.ports[0] hostname']);
  });

  test('puts the home volume in the droplet\'s region, with the home\'s options', () => {
    // WHEN
    const spec = resolveEditor(CTX, 'CodeServer', validProps({ droplet: { region: 'ams3', size: 's-4vcpu-8gb' }, home: Home.volume({ sizeGib: 50 }) }));

    // THEN
    expect(spec.homeVolume).toMatchObject({ region: 'ams3', sizeGib: 50 });
    expect(spec.boot.memoryGib).toBe(8);
  });

  test('claims an existing home, and makes no volume', () => {
    // WHEN
    const volume = { volumeId: '506f78a4-e098-11e5-ad9f-000f53306ae1', label: 'old' } as any;
    const spec = resolveEditor(CTX, 'CodeServer', validProps({ home: Home.existing(volume) }));

    // THEN
    expect(spec.homeVolume).toBeUndefined();
    expect(spec.claims).toContainEqual({ scope: 'app', kind: 'existing home volume', value: volume.volumeId, prop: 'home' });
  });

  test('brands the slices the parts take, and no copy of the props', () => {
    // WHEN
    const props = validProps();
    const spec = resolveEditor(CTX, 'CodeServer', props);

    // THEN
    expect([spec.access, spec.tunnel, spec.droplet, spec.homeVolume!, ...spec.dnsRecords.map((r) => r.props)].every(isResolved)).toBe(true);
    expect(isResolved(props)).toBe(false);
    expect(isResolved({ ...spec.droplet })).toBe(false);
  });

  test.each<[string, Partial<ZeroTrustCodeServerProps>, string, unknown]>([
    ['a hostname outside the zone', { hostname: 'code.example.org' }, 'hostname', 'code.example.org'],
    ['an account id that is a name', { cloudflareAccountId: 'my-account' }, 'cloudflareAccountId', 'my-account'],
    ['a bad team name', { teamName: 'My_Team' }, 'teamName', 'My_Team'],
    ['a malformed email', { access: { allow: { emails: ['dev@'] } } }, 'access.allow.emails[0]', 'dev@'],
    ['an SSH hostname outside the zone', { ssh: { hostname: 'ssh.example.org' } }, 'ssh.hostname', 'ssh.example.org'],
    ['an SSH hostname that is the editor\'s', { ssh: { hostname: 'code.example.com' } }, 'ssh.hostname', 'code.example.com'],
    ['a volume size of zero', { home: Home.volume({ sizeGib: 0 }) }, 'home.sizeGib', 0],
    ['a system user name', { boot: { userName: 'root' } }, 'boot.userName', 'root'],
    ['a size with 1 vCPU', { droplet: { size: 's-1vcpu-1gb' } }, 'droplet.size', 's-1vcpu-1gb'],
    ['a bad droplet name', { droplet: { name: 'my_box' } }, 'droplet.name', 'my_box'],
    ['a bad image while stopped', { running: false, droplet: { image: 'Ubuntu 24.04' } }, 'droplet.image', 'Ubuntu 24.04'],
    ['a stop that deletes the only copy of the home', { running: false, home: Home.onDropletDisk() }, 'running', false],
  ])('rejects %s, naming the editor, the grouped prop and the value', (_why, overrides, prop, value) => {
    // WHEN
    const error = thrownBy(() => resolveEditor(CTX, 'CodeServer', validProps(overrides))) as PropValidationError;

    // THEN
    expect([error.constructPath, error.prop, error.value]).toEqual(['editors/CodeServer', prop, value]);
  });
});

describe('resolveDepartedEditor', () => {
  test('keeps the home volume under its name, protected unless deleteHome lifts that', () => {
    // WHEN
    const kept = resolveDepartedEditor(CTX, validProps());
    const deleted = resolveDepartedEditor(CTX, { ...validProps(), deleteHome: true });

    // THEN
    expect(kept.homeVolume).toMatchObject({ volumeName: 'code-example-com-home', region: DROPLET_DEFAULTS.region });
    expect(kept.homeVolume.protect).toBeUndefined();
    expect(deleted.homeVolume.protect).toBe(false);
    expect(isResolved(kept.homeVolume)).toBe(true);
    expect(kept.claims).toEqual([{ scope: 'app', kind: `home volume name in ${DROPLET_DEFAULTS.region}`, value: 'code-example-com-home', prop: 'home.volumeName' }]);
  });

  test('refuses a home that is not a volume of its own', () => {
    expect(() => resolveDepartedEditor(CTX, validProps({ home: Home.onDropletDisk({ disposable: true }) }))).toThrow(
      'editors/CodeServer: invalid home "onDropletDisk": a departed editor keeps a home volume of its own',
    );
  });
});

describe('an editor checks each prop once', () => {
  afterEach(() => jest.restoreAllMocks());

  test.each([['running', true], ['stopped', false]])('%s: the droplet size is checked once, by the resolve step', (_state, running) => {
    // GIVEN
    const checkSize = jest.spyOn(sizes, 'checkSize');

    // WHEN
    new ZeroTrustCodeServer(newStack(), 'CodeServer', validProps({ running, droplet: { size: 's-4vcpu-8gb' } }));

    // THEN
    expect(checkSize).toHaveBeenCalledTimes(1);
  });

  test('a droplet built on its own still checks its size', () => {
    // GIVEN
    const checkSize = jest.spyOn(sizes, 'checkSize');

    // WHEN
    new CodeServerDroplet(newStack(), 'Droplet', { hostname: 'code.example.com', size: 's-4vcpu-8gb', userData: '' });

    // THEN
    expect(checkSize).toHaveBeenCalledTimes(1);
  });

  test('two editors each check their own once', () => {
    // GIVEN
    const checkSize = jest.spyOn(sizes, 'checkSize');
    const stack = newStack();

    // WHEN
    new ZeroTrustCodeServer(stack, 'Alice', validProps({ hostname: 'alice.example.com', droplet: { size: 's-4vcpu-8gb' } }));
    new ZeroTrustCodeServer(stack, 'Bob', validProps({ hostname: 'bob.example.com', droplet: { size: 's-4vcpu-8gb' } }));

    // THEN
    expect(checkSize).toHaveBeenCalledTimes(2);
    expect(() => Testing.synth(stack, true)).not.toThrow();
  });
});

describe('a part given a resolved slice', () => {
  const ACCOUNT = '0123456789abcdef0123456789abcdef';
  // Each part with a value its own check refuses: built on its own it throws; given the value as a
  // resolved slice (which only the resolve step makes, after checking) it trusts it.
  test.each<[string, (props: any) => unknown, object, string]>([
    ['CodeServerAccess', (p) => new CodeServerAccess(newStack(), 'Access', p), { cloudflareAccountId: 'bad', hostname: 'code.example.com', allow: { emails: ['dev@example.com'] } }, 'invalid cloudflareAccountId'],
    ['CodeServerTunnel', (p) => new CodeServerTunnel(newStack(), 'Tunnel', p), { cloudflareAccountId: ACCOUNT, hostname: 'code.example.com', teamName: 'Bad Team', accessAudience: 'aud' }, 'invalid teamName'],
    ['TunnelDnsRecord', (p) => new TunnelDnsRecord(newStack(), 'Dns', p), { cloudflareZoneId: 'bad', zoneName: 'example.com', hostname: 'code.example.com', target: 't' }, 'invalid cloudflareZoneId'],
    ['CodeServerDroplet', (p) => new CodeServerDroplet(newStack(), 'Droplet', p), { hostname: 'code.example.com', size: 's-1vcpu-1gb', userData: '' }, 'invalid size'],
    ['HomeVolume', (p) => new HomeVolume(newStack(), 'HomeVolume', p), { volumeName: 'Bad_Name', region: 'fra1' }, 'invalid volumeName'],
  ])('%s checks its props on its own, and not again when resolved', (_part, build, props, message) => {
    expect(() => build({ ...props })).toThrow(message);
    expect(() => build(markResolved({ ...props }))).not.toThrow();
  });
});
