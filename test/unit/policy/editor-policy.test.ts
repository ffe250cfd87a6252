import { readFileSync } from 'fs';
import { join } from 'path';
import { CloudflareProvider } from '@cdktf/provider-cloudflare/lib/provider';
import { Droplet } from '@cdktf/provider-digitalocean/lib/droplet';
import { DigitaloceanProvider } from '@cdktf/provider-digitalocean/lib/provider';
import { TlsProvider } from '@cdktf/provider-tls/lib/provider';
import { App, Aspects, TerraformStack, TerraformVariable, Testing } from 'cdktf';
import { CodeServerTeam, EditorPolicy, EditorPolicyProps, Home, PropValidation, TeamLayout, TeamMember, ZeroTrustCodeServer, ZeroTrustCodeServerProps } from '../../../lib';
import { ACCOUNT_ID, IDP_ID, IDP_ID_2, newStack, resourcesOfType, thrownBy, validProps, ZONE_ID } from '../../support/fixtures';

const POLICY: EditorPolicyProps = {
  tags: ['team:platform', 'cost-center:42'],
  allowedSizes: ['s-2vcpu-4gb', 's-4vcpu-8gb'],
  maxHomeSizeGib: 50,
  requiredIdentityProviderIds: [IDP_ID],
};

/** An editor that keeps every rule of POLICY, with the given overrides. */
function editorProps(overrides: Partial<ZeroTrustCodeServerProps> = {}): ZeroTrustCodeServerProps {
  return validProps({
    home: Home.volume({ sizeGib: 20 }),
    ...overrides,
    droplet: { size: 's-2vcpu-4gb', ...overrides.droplet },
    access: { identityProviderIds: [IDP_ID], ...overrides.access },
  });
}

/** A stack with one editor, in an app of its own. */
function editorApp(overrides: Partial<ZeroTrustCodeServerProps> = {}): { app: App; stack: TerraformStack } {
  const stack = newStack();
  new ZeroTrustCodeServer(stack, 'editor', editorProps(overrides));
  return { app: stack.node.root as App, stack };
}

/** A new stack of an app, with the three providers. */
function stackIn(app: App, id: string): TerraformStack {
  const stack = new TerraformStack(app, id);
  [CloudflareProvider, DigitaloceanProvider, TlsProvider].forEach((Provider) => new Provider(stack, Provider.tfResourceType));
  return stack;
}

/** An app with a team of these members at `team/Team`, a stack per member. */
function fleetApp(members: TeamMember[]): App {
  const app = Testing.app();
  new CodeServerTeam(new TerraformStack(app, 'team'), 'Team', {
    layout: TeamLayout.stackPerMember(),
    cloudflareAccountId: ACCOUNT_ID,
    cloudflareZoneId: ZONE_ID,
    zoneName: 'example.com',
    teamName: 'myteam',
    admins: { emails: ['platform@example.com'] },
    members,
    rosterFile: process.env.ZTCS_ROSTER_FILE,
  });
  return app;
}

/** Synthesizes the whole app, as `cdktf synth` does: each stack's JSON by name. */
function synthApp(app: App): Record<string, any> {
  app.synth();
  const stacks = app.node.findAll().filter((c): c is TerraformStack => c instanceof TerraformStack);
  return Object.fromEntries(stacks.map((s) => [s.node.id, JSON.parse(readFileSync(join(app.outdir, 'stacks', s.node.id, 'cdk.tf.json'), 'utf8'))]));
}

/** The message of the error the app's synthesis fails with. */
function synthError(app: App): string {
  return thrownBy(() => app.synth()).message;
}

describe('EditorPolicy', () => {
  test('adds its tags to the droplet and the home volume of every editor, after their own', () => {
    // GIVEN
    const { app } = editorApp({ droplet: { tags: ['dev'] } });

    // WHEN
    new EditorPolicy(POLICY).applyTo(app);
    const stack = synthApp(app).test;

    // THEN
    const [droplet] = resourcesOfType(stack, 'digitalocean_droplet');
    expect(droplet.tags).toEqual(['code-server', 'dev', expect.stringContaining('digitalocean_tag'), 'team:platform', 'cost-center:42']);
    const [volume] = resourcesOfType(stack, 'digitalocean_volume');
    expect(volume.tags.slice(-2)).toEqual(['team:platform', 'cost-center:42']);
  });

  test('adds a tag the editor already has only once', () => {
    const { app } = editorApp({ droplet: { tags: ['team:platform'] } });
    new EditorPolicy({ tags: ['team:platform'] }).applyTo(app);
    const [droplet] = resourcesOfType(synthApp(app).test, 'digitalocean_droplet');
    expect(droplet.tags.filter((t: string) => t === 'team:platform')).toHaveLength(1);
  });

  test('leaves alone the resources of the app that are not an editor\'s', () => {
    // GIVEN
    const { app, stack } = editorApp();
    new Droplet(stack, 'database', { name: 'db', image: 'ubuntu-24-04-x64', region: 'fra1', size: 'm-16vcpu-128gb', tags: ['db'] });

    // WHEN
    new EditorPolicy(POLICY).applyTo(app);
    const droplets = resourcesOfType(synthApp(app).test, 'digitalocean_droplet');

    // THEN
    expect(droplets.find((d) => d.name === 'db').tags).toEqual(['db']);
  });

  test('without tags, changes nothing an editor that keeps the rules synthesizes', () => {
    // GIVEN
    const { app: plain } = editorApp();
    const { app: policed } = editorApp();

    // WHEN
    new EditorPolicy({ ...POLICY, tags: undefined }).applyTo(policed);

    // THEN
    expect(synthApp(policed).test.resource).toEqual(synthApp(plain).test.resource);
  });

  test('synthesizes an editor that keeps every rule', () => {
    const { app } = editorApp();
    new EditorPolicy(POLICY).applyTo(app);
    expect(() => app.synth()).not.toThrow();
  });

  test('fails synthesis for a droplet size not allowed, naming the droplet, the setting and the size', () => {
    // GIVEN
    const { app } = editorApp({ droplet: { size: 's-8vcpu-16gb' } });

    // WHEN
    new EditorPolicy(POLICY).applyTo(app);

    // THEN
    expect(synthError(app)).toContain('[test/editor/Droplet/Droplet] EditorPolicy allowedSizes: size "s-8vcpu-16gb" is not allowed: expected one of "s-2vcpu-4gb", "s-4vcpu-8gb"');
  });

  test('fails synthesis for a home volume larger than the cap, naming the volume, the setting and the size', () => {
    const { app } = editorApp({ home: Home.volume({ sizeGib: 51 }) });
    new EditorPolicy(POLICY).applyTo(app);
    expect(synthError(app)).toContain('[test/editor/HomeVolume/Volume] EditorPolicy maxHomeSizeGib: a home volume of 51 GiB is larger than the 50 GiB allowed');
  });

  test.each([
    ['no identity provider (every provider of the account)', [], 'allows every identity provider of the account'],
    ['another identity provider beside the required one', [IDP_ID, IDP_ID_2], `allows identity provider "${IDP_ID_2}"`],
  ])('fails synthesis for an Access application that allows %s', (_, identityProviderIds, reason) => {
    const { app } = editorApp({ access: { identityProviderIds } });
    new EditorPolicy(POLICY).applyTo(app);
    expect(synthError(app)).toContain(`[test/editor/Access/Application] EditorPolicy requiredIdentityProviderIds: Access application "code-server code.example.com" ${reason}: expected only "${IDP_ID}" (access.identityProviderIds on the editor)`);
  });

  test('holds the SSH application to the identity providers too', () => {
    const { app } = editorApp({ access: { identityProviderIds: [] }, ssh: { hostname: 'ssh.example.com' } });
    new EditorPolicy({ requiredIdentityProviderIds: [IDP_ID] }).applyTo(app);
    expect(synthError(app)).toContain('[test/editor/Access/SshApplication] EditorPolicy requiredIdentityProviderIds');
  });

  test('lists every broken rule of the app in one error, and writes no stack', () => {
    // GIVEN
    const { app } = editorApp({ droplet: { size: 's-8vcpu-16gb' }, home: Home.volume({ sizeGib: 100 }), access: { identityProviderIds: [] } });

    // WHEN
    new EditorPolicy(POLICY).applyTo(app);
    const message = synthError(app);

    // THEN
    expect(message.match(/EditorPolicy \w+:/g)?.sort()).toEqual(['EditorPolicy allowedSizes:', 'EditorPolicy maxHomeSizeGib:', 'EditorPolicy requiredIdentityProviderIds:']);
    expect(() => readFileSync(join(app.outdir, 'stacks', 'test', 'cdk.tf.json'))).toThrow(/ENOENT/);
  });

  test('checks a size known only at apply with a warning, not an error', () => {
    // GIVEN
    const stack = newStack();
    const size = new TerraformVariable(stack, 'size', { type: 'string' }).stringValue;
    new ZeroTrustCodeServer(stack, 'editor', editorProps({ droplet: { size } }));

    // WHEN
    new EditorPolicy(POLICY).applyTo(stack.node.root);
    synthApp(stack.node.root as App);

    // THEN
    const droplet = stack.node.findChild('editor').node.findChild('Droplet').node.findChild('Droplet');
    expect(droplet.node.metadata.map((m) => m.data)).toContainEqual('EditorPolicy allowedSizes: size is known only at apply and is not checked');
  });

  test('holds every member stack of a fleet, naming the member whose droplet breaks a rule', () => {
    // GIVEN
    const app = fleetApp([
      { name: 'alice', email: 'alice@example.com' },
      { name: 'bob', email: 'bob@example.com', droplet: { size: 's-8vcpu-16gb' } },
    ]);

    // WHEN
    new EditorPolicy({ tags: ['team:platform'], allowedSizes: ['s-2vcpu-4gb'] }).applyTo(app);

    // THEN
    const message = synthError(app);
    expect(message).toMatch(/\[team-bob\/[^\]]*Droplet\/Droplet\] EditorPolicy allowedSizes: size "s-8vcpu-16gb"/);
    expect(message).not.toMatch(/team-alice/);
  });

  test('tags the droplet in every member stack of a fleet', () => {
    const app = fleetApp([{ name: 'alice', email: 'alice@example.com' }, { name: 'bob', email: 'bob@example.com' }]);
    new EditorPolicy({ tags: ['team:platform'] }).applyTo(app);
    const stacks = synthApp(app);
    for (const member of ['team-alice', 'team-bob']) {
      expect(resourcesOfType(stacks[member], 'digitalocean_droplet').map((d) => d.tags)).toEqual([expect.arrayContaining(['team:platform'])]);
    }
  });

  test('fails synthesis for a stack created after the policy was applied to the app, naming it', () => {
    // GIVEN
    const { app } = editorApp();
    new EditorPolicy(POLICY).applyTo(app);

    // WHEN
    new ZeroTrustCodeServer(stackIn(app, 'late'), 'editor', editorProps({ hostname: 'late.example.com' }));

    // THEN
    expect(synthError(app)).toContain('EditorPolicy: stack late was created after EditorPolicy.applyTo(the app) and escapes it');
  });

  test('fails synthesis for every stack when the policy was applied to the app before any existed', () => {
    // GIVEN
    const app = Testing.app();
    new EditorPolicy(POLICY).applyTo(app);

    // WHEN
    new ZeroTrustCodeServer(stackIn(app, 'test'), 'editor', editorProps());

    // THEN
    expect(synthError(app)).toContain('EditorPolicy: stack test was created after EditorPolicy.applyTo(the app) and escapes it');
  });

  test('works as a stack\'s aspect too', () => {
    const { app, stack } = editorApp({ droplet: { size: 's-8vcpu-16gb' } });
    Aspects.of(stack).add(new EditorPolicy(POLICY));
    expect(synthError(app)).toContain('EditorPolicy allowedSizes');
  });

  test('is needed because cdktf 0.21 runs no aspect added to the app itself (applyTo adds it to each stack)', () => {
    // If this fails, cdktf runs an app's aspects: `Aspects.of(app).add(policy)` then works, and docs/platform-policy.md can say so.
    const { app } = editorApp({ droplet: { size: 's-8vcpu-16gb' } });
    Aspects.of(app).add(new EditorPolicy(POLICY));
    expect(() => app.synth()).not.toThrow();
  });

  test.each<[string, EditorPolicyProps, RegExp]>([
    ['a tag DigitalOcean refuses', { tags: ['team platform'] }, /^EditorPolicy: invalid tags\[0\] "team platform": expected letters, digits/],
    ['a tag twice', { tags: ['a', 'a'] }, /^EditorPolicy: invalid tags "a": is listed more than once/],
    ['a size that is no slug', { allowedSizes: ['large'] }, /^EditorPolicy allowedSizes\[0\]: invalid size "large": expected a DigitalOcean size slug/],
    ['a home cap of zero', { maxHomeSizeGib: 0 }, /^EditorPolicy: invalid maxHomeSizeGib 0: expected a whole number from 1 to 16384/],
    ['a home cap in fractions', { maxHomeSizeGib: 1.5 }, /^EditorPolicy: invalid maxHomeSizeGib 1.5/],
    ['an identity provider by name', { requiredIdentityProviderIds: ['github'] }, /^EditorPolicy: invalid requiredIdentityProviderIds\[0\] "github": expected the id \(a UUID\)/],
  ])('refuses %s when it is made', (_, props, message) => {
    const error = thrownBy(() => new EditorPolicy(props));
    expect(error.message).toMatch(message);
    expect(PropValidation.isPropValidationError(error)).toBe(true);
  });
});
