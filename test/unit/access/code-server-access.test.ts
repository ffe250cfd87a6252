import { ZeroTrustAccessApplication } from '@cdktf/provider-cloudflare/lib/zero-trust-access-application';
import { ZeroTrustAccessPolicy } from '@cdktf/provider-cloudflare/lib/zero-trust-access-policy';
import { TerraformOutput, TerraformStack, Testing } from 'cdktf';
import { CodeServerAccess, CodeServerAccessProps } from '../../../lib/access';
import { ACCOUNT_ID, GROUP_ID, IDP_ID, IDP_ID_2, addressOf, newStack, onlyResource, resourceCount, resourcesOfType, synthJson } from '../../support/fixtures';

function accessProps(overrides: Partial<CodeServerAccessProps> = {}): CodeServerAccessProps {
  return {
    cloudflareAccountId: ACCOUNT_ID,
    hostname: 'code.example.com',
    allow: { emails: ['dev@example.com'] },
    ...overrides,
  };
}

function buildAccess(overrides: Partial<CodeServerAccessProps> = {}): { stack: TerraformStack; access: CodeServerAccess } {
  const stack = newStack();
  const access = new CodeServerAccess(stack, 'Access', accessProps(overrides));
  return { stack, access };
}

function application(stack: TerraformStack): any {
  return onlyResource(synthJson(stack), 'cloudflare_zero_trust_access_application');
}

function policy(stack: TerraformStack): any {
  return onlyResource(synthJson(stack), 'cloudflare_zero_trust_access_policy');
}

describe('CodeServerAccess application', () => {
  test('is a self-hosted application for exactly the hostname', () => {
    // GIVEN
    const { stack } = buildAccess();

    // THEN
    expect(Testing.synth(stack)).toHaveResourceWithProperties(ZeroTrustAccessApplication, {
      account_id: ACCOUNT_ID,
      type: 'self_hosted',
      domain: 'code.example.com',
      destinations: [{ type: 'public', uri: 'code.example.com' }],
      name: 'code-server code.example.com',
    });
  });

  test('lasts a session of 24h by default', () => {
    // GIVEN
    const { stack } = buildAccess();

    // THEN
    expect(Testing.synth(stack)).toHaveResourceWithProperties(ZeroTrustAccessApplication, { session_duration: '24h' });
  });

  test('takes the session duration given', () => {
    // GIVEN
    const { stack } = buildAccess({ sessionDuration: '2h45m' });

    // THEN
    expect(Testing.synth(stack)).toHaveResourceWithProperties(ZeroTrustAccessApplication, { session_duration: '2h45m' });
  });

  test('sets a browser\'s cookie: HttpOnly, SameSite lax, no binding cookie, by default', () => {
    // GIVEN
    const { stack } = buildAccess();

    // THEN
    expect(application(stack)).toMatchObject({ http_only_cookie_attribute: true, same_site_cookie_attribute: 'lax', enable_binding_cookie: false });
  });

  test('takes the SameSite attribute and the binding cookie given', () => {
    // GIVEN
    const { stack } = buildAccess({ sameSiteCookieAttribute: 'strict', bindingCookie: true });

    // THEN
    expect(application(stack)).toMatchObject({ http_only_cookie_attribute: true, same_site_cookie_attribute: 'strict', enable_binding_cookie: true });
  });

  test('leaves the SSH application\'s cookie alone: cloudflared reads it outside a browser', () => {
    // GIVEN
    const { stack } = buildAccess({ sshHostname: 'code-ssh.example.com', bindingCookie: true });
    const apps = resourcesOfType(synthJson(stack), 'cloudflare_zero_trust_access_application');
    const ssh = apps.find((app) => app.type === 'ssh');

    // THEN
    expect(apps.find((app) => app.type === 'self_hosted')).toMatchObject({ enable_binding_cookie: true, http_only_cookie_attribute: true });
    expect(ssh).not.toHaveProperty('enable_binding_cookie');
    expect(ssh).not.toHaveProperty('http_only_cookie_attribute');
    expect(ssh).not.toHaveProperty('same_site_cookie_attribute');
  });

  test.each(['Lax', 'secure', ''])('rejects the SameSite attribute %j', (value) => {
    expect(() => buildAccess({ sameSiteCookieAttribute: value })).toThrow(
      `test/Access: invalid sameSiteCookieAttribute "${value}": expected one of "none", "lax", "strict", e.g. "lax"`,
    );
  });

  test('is visible in the App Launcher by default', () => {
    // GIVEN
    const { stack } = buildAccess();

    // THEN
    expect(Testing.synth(stack)).toHaveResourceWithProperties(ZeroTrustAccessApplication, { app_launcher_visible: true });
  });

  test('is hidden from the App Launcher when asked', () => {
    // GIVEN
    const { stack } = buildAccess({ appLauncherVisible: false });

    // THEN
    expect(Testing.synth(stack)).toHaveResourceWithProperties(ZeroTrustAccessApplication, { app_launcher_visible: false });
  });

  test('offers every identity provider and does not redirect when none is given', () => {
    // GIVEN
    const { stack } = buildAccess();

    // WHEN
    const app = application(stack);

    // THEN
    expect(app.allowed_idps).toBeUndefined();
    expect(app.auto_redirect_to_identity).toBe(false);
  });

  test('redirects straight to the identity provider when exactly one is given', () => {
    // GIVEN
    const { stack } = buildAccess({ identityProviderIds: [IDP_ID] });

    // THEN
    expect(Testing.synth(stack)).toHaveResourceWithProperties(ZeroTrustAccessApplication, {
      allowed_idps: [IDP_ID],
      auto_redirect_to_identity: true,
    });
  });

  test('does not redirect when two identity providers are given', () => {
    // GIVEN
    const { stack } = buildAccess({ identityProviderIds: [IDP_ID, IDP_ID_2] });

    // THEN
    expect(Testing.synth(stack)).toHaveResourceWithProperties(ZeroTrustAccessApplication, {
      allowed_idps: [IDP_ID, IDP_ID_2],
      auto_redirect_to_identity: false,
    });
  });

  test('attaches the allow policy by id with precedence 1', () => {
    // GIVEN
    const { stack } = buildAccess();
    const synth = synthJson(stack);

    // THEN
    expect(application(stack).policies).toEqual([
      { id: `\${${addressOf(synth, 'cloudflare_zero_trust_access_policy')}.id}`, precedence: 1 },
    ]);
  });

  test('exposes the application\'s AUD tag as its audience', () => {
    // GIVEN
    const { stack, access } = buildAccess();

    // WHEN
    new TerraformOutput(stack, 'Audience', { value: access.audience });
    const synth = synthJson(stack);

    // THEN
    expect(synth.output.Audience.value).toBe(`\${${addressOf(synth, 'cloudflare_zero_trust_access_application')}.aud}`);
  });

  test('is named as asked', () => {
    // GIVEN
    const { stack } = buildAccess({ applicationName: 'my editor' });

    // THEN
    expect(Testing.synth(stack)).toHaveResourceWithProperties(ZeroTrustAccessApplication, { name: 'my editor' });
    expect(Testing.synth(stack)).toHaveResourceWithProperties(ZeroTrustAccessPolicy, { name: 'my editor allow' });
  });
});

describe('CodeServerAccess policy', () => {
  test('allows, in the account, under the application\'s name', () => {
    // GIVEN
    const { stack } = buildAccess();

    // THEN
    expect(Testing.synth(stack)).toHaveResourceWithProperties(ZeroTrustAccessPolicy, {
      account_id: ACCOUNT_ID,
      decision: 'allow',
      name: 'code-server code.example.com allow',
    });
  });

  test('includes every email allowed', () => {
    // GIVEN
    const { stack } = buildAccess({ allow: { emails: ['a@example.com', 'b@example.com'] } });

    // THEN
    expect(policy(stack).include).toEqual([{ email: { email: 'a@example.com' } }, { email: { email: 'b@example.com' } }]);
  });

  test('includes every email domain allowed', () => {
    // GIVEN
    const { stack } = buildAccess({ allow: { emailDomains: ['example.com'] } });

    // THEN
    expect(policy(stack).include).toEqual([{ email_domain: { domain: 'example.com' } }]);
  });

  test('includes a whole GitHub organization when no team is given', () => {
    // GIVEN
    const { stack } = buildAccess({ allow: { githubOrganizations: [{ name: 'my-org', identityProviderId: IDP_ID }] } });

    // THEN
    expect(policy(stack).include).toEqual([{ github_organization: { name: 'my-org', identity_provider_id: IDP_ID } }]);
  });

  test('includes a GitHub team when one is given', () => {
    // GIVEN
    const { stack } = buildAccess({ allow: { githubOrganizations: [{ name: 'my-org', identityProviderId: IDP_ID, team: 'platform' }] } });

    // THEN
    expect(policy(stack).include).toEqual([{ github_organization: { name: 'my-org', identity_provider_id: IDP_ID, team: 'platform' } }]);
  });

  test('includes every Access group allowed', () => {
    // GIVEN
    const { stack } = buildAccess({ allow: { groups: [{ groupId: GROUP_ID }] } });

    // THEN
    expect(policy(stack).include).toEqual([{ group: { id: GROUP_ID } }]);
  });

  test('includes rules of every kind together, emails first and groups last', () => {
    // GIVEN
    const { stack } = buildAccess({
      allow: {
        groups: [{ groupId: GROUP_ID }],
        emailDomains: ['example.com'],
        emails: ['a@example.com'],
        githubOrganizations: [{ name: 'my-org', identityProviderId: IDP_ID }],
      },
    });

    // THEN
    expect(policy(stack).include).toEqual([
      { email: { email: 'a@example.com' } },
      { email_domain: { domain: 'example.com' } },
      { github_organization: { name: 'my-org', identity_provider_id: IDP_ID } },
      { group: { id: GROUP_ID } },
    ]);
  });

  test('has no require and no exclude rules by default', () => {
    // GIVEN
    const { stack } = buildAccess();

    // WHEN
    const body = policy(stack);

    // THEN
    expect(body.require).toBeUndefined();
    expect(body.exclude).toBeUndefined();
  });

  test('has no require or exclude rules when given empty sets', () => {
    // GIVEN
    const { stack } = buildAccess({ requireRules: {}, excludeRules: { emails: [] } });

    // WHEN
    const body = policy(stack);

    // THEN
    expect(body.require).toBeUndefined();
    expect(body.exclude).toBeUndefined();
  });

  test('requires the rules given', () => {
    // GIVEN
    const { stack } = buildAccess({ requireRules: { emailDomains: ['example.com'] } });

    // THEN
    expect(policy(stack).require).toEqual([{ email_domain: { domain: 'example.com' } }]);
  });

  test('excludes the rules given', () => {
    // GIVEN
    const { stack } = buildAccess({ excludeRules: { emails: ['intern@example.com'] } });

    // THEN
    expect(policy(stack).exclude).toEqual([{ email: { email: 'intern@example.com' } }]);
  });
});

describe('CodeServerAccess validation', () => {
  test('rejects an allow set with no rule, and builds nothing', () => {
    // GIVEN
    const stack = newStack();

    // WHEN
    const build = () => new CodeServerAccess(stack, 'Access', accessProps({ allow: { emails: [] } }));

    // THEN
    expect(build).toThrow('test/Access: invalid allow {"emails":[]}: an editor needs someone to let in: at least one rule, e.g. allow: { emails: ["dev@example.com"] }');
    expect(resourceCount(synthJson(stack))).toBe(0);
  });

  test('rejects a malformed email in the require set', () => {
    // THEN
    expect(() => buildAccess({ requireRules: { emails: ['nobody'] } })).toThrow('test/Access: invalid requireRules.emails[0] "nobody"');
  });

  test('rejects a malformed session duration', () => {
    // THEN
    expect(() => buildAccess({ sessionDuration: '1 day' })).toThrow('test/Access: invalid sessionDuration "1 day"');
  });

  test('rejects a session duration of zero', () => {
    // THEN
    expect(() => buildAccess({ sessionDuration: '0h0m' })).toThrow('test/Access: invalid sessionDuration "0h0m": must be longer than zero');
  });

  test.each(['731h', '44000m', '1000h0m'])('rejects a session of %s, longer than the month Access allows', (sessionDuration) => {
    // THEN
    expect(() => buildAccess({ sessionDuration })).toThrow(`test/Access: invalid sessionDuration "${sessionDuration}": is longer than Access allows, 730h (a month)`);
  });

  test.each(['730h', '43800m', '168h', '15m'])('accepts a session of %s, within a month', (sessionDuration) => {
    // THEN
    expect(() => buildAccess({ sessionDuration })).not.toThrow();
  });

  test('rejects a malformed identity provider id', () => {
    // THEN
    expect(() => buildAccess({ identityProviderIds: [IDP_ID, 'github'] })).toThrow('test/Access: invalid identityProviderIds[1] "github": expected the id (a UUID) of a Cloudflare identity provider');
  });

  test('rejects an account id that is not 32 hexadecimal characters', () => {
    // THEN
    expect(() => buildAccess({ cloudflareAccountId: 'my-account' })).toThrow('test/Access: invalid cloudflareAccountId "my-account": expected the 32 hexadecimal characters of an account id');
  });
});

describe('CodeServerAccess with SSH and previews', () => {
  test('covers the preview hostnames with the same application, one sign-in for all', () => {
    // GIVEN
    const { stack } = buildAccess({ previewHostnames: ['3000-code.example.com'] });

    // THEN
    expect(application(stack).destinations).toEqual([
      { type: 'public', uri: 'code.example.com' },
      { type: 'public', uri: '3000-code.example.com' },
    ]);
    expect(application(stack).domain).toBe('code.example.com');
  });

  test('adds an application of type ssh for the SSH hostname, under the same policy, with a certificate authority', () => {
    // GIVEN
    const { stack, access } = buildAccess({ sshHostname: 'code-ssh.example.com' });
    const synth = synthJson(stack);
    const ssh = Object.values<any>(synth.resource.cloudflare_zero_trust_access_application).find((app) => app.type === 'ssh');

    // THEN
    expect(ssh).toMatchObject({ domain: 'code-ssh.example.com', destinations: [{ type: 'public', uri: 'code-ssh.example.com' }], name: 'code-server code.example.com ssh' });
    expect(ssh.policies).toEqual([{ id: `\${${addressOf(synth, 'cloudflare_zero_trust_access_policy')}.id}`, precedence: 1 }]);
    expect(onlyResource(synth, 'cloudflare_zero_trust_access_short_lived_certificate')).toEqual({
      account_id: ACCOUNT_ID,
      app_id: `\${cloudflare_zero_trust_access_application.${Object.entries<any>(synth.resource.cloudflare_zero_trust_access_application).find(([, app]) => app.type === 'ssh')![0]}.id}`,
    });
    expect(access.sshCertificateAuthority).toBeDefined();
  });

  test('has no SSH application and no certificate authority by default', () => {
    // GIVEN
    const { stack, access } = buildAccess();

    // THEN
    expect(resourceCount(synthJson(stack))).toBe(2);
    expect(access.sshApplication).toBeUndefined();
  });
});

describe('CodeServerAccess with existing policies', () => {
  const POLICY = '9a8b7c6d-5e4f-4a3b-8c2d-1e0f9a8b7c6d';

  test('attaches existing policies after its own allow policy, in order', () => {
    // GIVEN
    const { stack } = buildAccess({ policies: [{ policyId: POLICY }, { policyId: GROUP_ID }] });
    const synth = synthJson(stack);

    // THEN
    expect(onlyResource(synth, 'cloudflare_zero_trust_access_application').policies).toEqual([
      { id: `\${${addressOf(synth, 'cloudflare_zero_trust_access_policy')}.id}`, precedence: 1 },
      { id: POLICY, precedence: 2 },
      { id: GROUP_ID, precedence: 3 },
    ]);
  });

  test('makes no policy of its own without allow rules, and attaches only the existing ones', () => {
    // GIVEN
    const { stack } = buildAccess({ allow: undefined, policies: [{ policyId: POLICY }] });
    const synth = synthJson(stack);

    // THEN
    expect(resourcesOfType(synth, 'cloudflare_zero_trust_access_policy')).toEqual([]);
    expect(onlyResource(synth, 'cloudflare_zero_trust_access_application').policies).toEqual([{ id: POLICY, precedence: 1 }]);
  });

  test('rejects neither allow rules nor an existing policy, saying what is needed', () => {
    expect(() => buildAccess({ allow: undefined })).toThrow('test/Access: invalid allow null: an editor needs someone to let in');
  });

  test('rejects require rules without allow rules: they would refine no policy', () => {
    expect(() => buildAccess({ allow: undefined, policies: [{ policyId: POLICY }], requireRules: { emailDomains: ['example.com'] } })).toThrow(
      'test/Access: invalid requireRules {"emailDomains":["example.com"]}: refines the editor\'s own policy, which exists only with allow rules',
    );
  });

  test('rejects a policy attached twice', () => {
    expect(() => buildAccess({ policies: [{ policyId: POLICY }, { policyId: POLICY }] })).toThrow(`test/Access: invalid policies "${POLICY}": is listed more than once`);
  });
});

