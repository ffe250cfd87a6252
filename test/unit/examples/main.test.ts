import { TerraformStack, Testing } from 'cdktf';
import { BasicStack, buildApp, CompleteStack, FleetExample, PlatformStack, readSettings, TeamStack } from '../../../examples/main';
import { ZeroTrustCodeServer } from '../../../lib';
import { onlyResource, synthJson } from '../../support/fixtures';

const ALL_VARIABLES = [
  'CLOUDFLARE_ACCOUNT_ID',
  'CLOUDFLARE_ZONE_ID',
  'ZTCS_ZONE_NAME',
  'ZTCS_HOSTNAME',
  'ZTCS_TEAM_NAME',
  'ZTCS_ALLOWED_EMAILS',
  'ZTCS_GITHUB_ORGANIZATION',
  'ZTCS_GITHUB_IDP_ID',
  'ZTCS_VPC_UUID',
  'ZTCS_STATE_BUCKET',
];

const FULL_ENV = {
  CLOUDFLARE_ACCOUNT_ID: 'aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa',
  CLOUDFLARE_ZONE_ID: 'bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb',
  ZTCS_ZONE_NAME: 'acme.dev',
  ZTCS_HOSTNAME: 'ide.acme.dev',
  ZTCS_TEAM_NAME: 'acme',
  ZTCS_ALLOWED_EMAILS: 'alice@acme.dev',
  ZTCS_GITHUB_ORGANIZATION: 'acme-inc',
  ZTCS_GITHUB_IDP_ID: 'cccccccc-cccc-cccc-cccc-cccccccccccc',
  ZTCS_VPC_UUID: 'dddddddd-dddd-4ddd-8ddd-dddddddddddd',
  ZTCS_STATE_BUCKET: 'acme-terraform-state',
};

describe('readSettings', () => {
  test('gives placeholders when the environment sets nothing', () => {
    // WHEN
    const settings = readSettings({});

    // THEN
    expect(settings).toMatchObject({
      accountId: '00000000000000000000000000000000',
      zoneId: '11111111111111111111111111111111',
      zoneName: 'example.com',
      hostname: 'code.example.com',
      teamName: 'example-team',
      allowedEmails: ['developer@example.com'],
      githubOrganization: 'example-org',
      githubIdentityProviderId: '22222222-2222-2222-2222-222222222222',
    });
  });

  test('lists every missing variable when the environment sets nothing', () => {
    // WHEN
    const settings = readSettings({});

    // THEN
    expect(settings.missing).toEqual(ALL_VARIABLES);
  });

  test('uses the environment\'s values when it sets them', () => {
    // WHEN
    const settings = readSettings(FULL_ENV);

    // THEN
    expect(settings).toMatchObject({
      accountId: 'aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa',
      zoneId: 'bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb',
      zoneName: 'acme.dev',
      hostname: 'ide.acme.dev',
      teamName: 'acme',
      allowedEmails: ['alice@acme.dev'],
      githubOrganization: 'acme-inc',
      githubIdentityProviderId: 'cccccccc-cccc-cccc-cccc-cccccccccccc',
      vpcUuid: 'dddddddd-dddd-4ddd-8ddd-dddddddddddd',
      stateBucket: 'acme-terraform-state',
    });
  });

  test('lists no missing variable when the environment sets them all', () => {
    // THEN
    expect(readSettings(FULL_ENV).missing).toEqual([]);
  });

  test('lists only the variables left unset', () => {
    // GIVEN
    const { ZTCS_TEAM_NAME: _unset, ...env } = FULL_ENV;

    // WHEN
    const settings = readSettings(env);

    // THEN
    expect(settings.missing).toEqual(['ZTCS_TEAM_NAME']);
    expect(settings.teamName).toBe('example-team');
  });

  test('treats an empty variable as missing', () => {
    // WHEN
    const settings = readSettings({ ...FULL_ENV, ZTCS_HOSTNAME: '' });

    // THEN
    expect(settings.missing).toEqual(['ZTCS_HOSTNAME']);
    expect(settings.hostname).toBe('code.example.com');
  });

  test('splits ZTCS_ALLOWED_EMAILS on commas, trimming spaces and dropping empty entries', () => {
    // WHEN
    const settings = readSettings({ ...FULL_ENV, ZTCS_ALLOWED_EMAILS: 'alice@acme.dev, bob@acme.dev,,carol@acme.dev ' });

    // THEN
    expect(settings.allowedEmails).toEqual(['alice@acme.dev', 'bob@acme.dev', 'carol@acme.dev']);
  });
});

describe('BasicStack', () => {
  test('matches the snapshot with the placeholder settings: every address and body, the user data aside', () => {
    // GIVEN
    const app = Testing.app();

    // WHEN
    const synth = JSON.parse(Testing.synth(new BasicStack(app, 'basic', readSettings({}))));
    const [droplet] = Object.values<any>(synth.resource.digitalocean_droplet);

    // THEN: the user data is the boot tiers' to check, part by part; here only that it is the boot document
    expect(droplet.user_data).toMatch(/^#cloud-config\n/);
    droplet.user_data = '<the boot document>';
    expect(synth).toMatchSnapshot();
  });

  test('builds one ZeroTrustCodeServer from the settings', () => {
    // GIVEN
    const app = Testing.app();

    // WHEN
    const stack = new BasicStack(app, 'basic', readSettings(FULL_ENV));

    // THEN
    expect(stack.codeServer).toBeInstanceOf(ZeroTrustCodeServer);
    expect(stack.codeServer.url).toBe('https://ide.acme.dev');
    expect(onlyResource(synthJson(stack), 'cloudflare_dns_record')).toMatchObject({
      zone_id: 'bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb',
      name: 'ide.acme.dev',
    });
  });

  test('configures the Cloudflare, DigitalOcean and TLS providers', () => {
    // GIVEN
    const app = Testing.app();

    // WHEN
    const synth = synthJson(new BasicStack(app, 'basic', readSettings({})));

    // THEN
    expect(Object.keys(synth.provider).sort()).toEqual(['cloudflare', 'digitalocean', 'tls']);
  });
});

describe('TeamStack', () => {
  test('has three members by default, carol stopped', () => {
    // WHEN
    const settings = readSettings({});

    // THEN
    expect(settings.teamMembers).toEqual([
      { name: 'alice', email: 'alice@example.com' },
      { name: 'bob', email: 'bob@example.com' },
      { name: 'carol', email: 'carol@example.com', running: false },
    ]);
  });

  test('reads the members and the stopped ones from ZTCS_TEAM_MEMBERS and ZTCS_STOPPED_MEMBERS', () => {
    // WHEN
    const settings = readSettings({ ZTCS_TEAM_MEMBERS: 'dan=dan@acme.dev, eve=eve@acme.dev', ZTCS_STOPPED_MEMBERS: '' });

    // THEN
    expect(settings.teamMembers).toEqual([{ name: 'dan', email: 'dan@acme.dev' }, { name: 'eve', email: 'eve@acme.dev' }]);
  });

  test('builds an editor per member, the stopped one without a droplet, the allowed emails as admins', () => {
    // WHEN
    const stack = new TeamStack(Testing.app(), 'team', readSettings(FULL_ENV));
    const synth = synthJson(stack);

    // THEN
    expect(Object.keys(stack.team.editors)).toEqual(['alice', 'bob', 'carol']);
    expect(stack.team.editors.carol.droplet).toBeUndefined();
    expect(Object.keys(synth.resource.digitalocean_droplet)).toHaveLength(2);
    expect(Object.keys(synth.resource.digitalocean_volume)).toHaveLength(3);
    expect(synth.output['Team-urls'].value).toEqual({
      alice: 'https://alice.acme.dev',
      bob: 'https://bob.acme.dev',
      carol: 'https://carol.acme.dev',
    });
  });
});

describe('buildApp', () => {
  test('holds the basic, complete, team and platform stacks, and the fleet with a stack per member', () => {
    // WHEN
    const app = buildApp(readSettings({}));

    // THEN
    expect(app.node.tryFindChild('basic')).toBeInstanceOf(BasicStack);
    expect(app.node.tryFindChild('complete')).toBeInstanceOf(CompleteStack);
    expect(app.node.tryFindChild('team')).toBeInstanceOf(TeamStack);
    expect(app.node.tryFindChild('platform')).toBeInstanceOf(PlatformStack);
    expect(app.node.tryFindChild('fleet')).toBeInstanceOf(FleetExample);
    expect(app.node.children.filter((c) => c instanceof TerraformStack).map((c) => c.node.id).sort()).toEqual(
      ['basic', 'complete', 'fleet', 'fleet-alice', 'fleet-bob', 'fleet-carol', 'platform', 'team']);
  });

  test('the platform stack uses the VPC, the tags, the aliased provider, one admin policy, the boot steps and the overrides', () => {
    // WHEN
    const synth = JSON.parse(Testing.synth(new PlatformStack(Testing.app(), 'platform', readSettings({}))));
    const droplets = Object.values<any>(synth.resource.digitalocean_droplet);
    const policies = Object.keys(synth.resource.cloudflare_zero_trust_access_policy);

    // THEN
    expect(droplets.map((d) => [d.name, d.size, d.vpc_uuid, d.provider])).toEqual([
      ['dana-dev-example-com', 's-4vcpu-8gb', '5a4981aa-9653-4bd1-bef5-d6bff52042e4', 'digitalocean.platform'],
      ['eli-dev-example-com', 's-2vcpu-4gb', '5a4981aa-9653-4bd1-bef5-d6bff52042e4', 'digitalocean.platform'],
    ]);
    for (const droplet of droplets) expect(droplet.tags.slice(0, 3)).toEqual(['code-server', 'team-platform', 'cost-center-42']);
    expect(policies.filter((p) => p.includes('AdminPolicy'))).toHaveLength(1);
    expect(droplets[0].user_data).toContain('/usr/local/lib/ztcs/custom/before-editor/01-company-tools.sh');
    expect(droplets[0].user_data).toContain('/usr/local/lib/ztcs/custom/after-ready/02-npm-registry.sh');
    expect(Object.values<any>(synth.resource.cloudflare_dns_record).map((r) => r.name).sort()).toEqual([
      '3000-eli-dev.example.com', 'dana-dev-ssh.example.com', 'dana-dev.example.com', 'eli-dev.example.com',
    ]);
  });

  test('writes into the output directory given', () => {
    // WHEN
    const app = buildApp(readSettings({}), '/tmp/ztcs-examples-test');

    // THEN
    expect(app.outdir).toBe('/tmp/ztcs-examples-test');
  });
});
