import { buildAccessRules, requireSomeRule, validateAccessRuleSet } from '../../lib/access/rules';
import { PropContext } from '../../lib/validation';
import { thrownBy } from '../fixtures';

const CTX: PropContext = { construct: 'TestConstruct' };

describe('buildAccessRules', () => {
  test('gives no rule for an undefined set', () => {
    // THEN
    expect(buildAccessRules(undefined)).toEqual([]);
  });

  test('gives no rule for an empty set', () => {
    // THEN
    expect(buildAccessRules({})).toEqual([]);
  });

  test('turns each email into an email rule', () => {
    // THEN
    expect(buildAccessRules({ emails: ['a@example.com', 'b@example.com'] })).toEqual([
      { email: { email: 'a@example.com' } },
      { email: { email: 'b@example.com' } },
    ]);
  });

  test('turns each email domain into an email domain rule', () => {
    // THEN
    expect(buildAccessRules({ emailDomains: ['example.com'] })).toEqual([{ emailDomain: { domain: 'example.com' } }]);
  });

  test('turns a GitHub organization without a team into a rule without a team key', () => {
    // WHEN
    const rules = buildAccessRules({ githubOrganizations: [{ name: 'my-org', identityProviderId: 'idp-1' }] });

    // THEN
    expect(rules).toEqual([{ githubOrganization: { name: 'my-org', identityProviderId: 'idp-1' } }]);
    expect(Object.keys(rules[0].githubOrganization!)).not.toContain('team');
  });

  test('turns a GitHub organization with a team into a rule with the team', () => {
    // THEN
    expect(buildAccessRules({ githubOrganizations: [{ name: 'my-org', identityProviderId: 'idp-1', team: 'platform' }] })).toEqual([
      { githubOrganization: { name: 'my-org', identityProviderId: 'idp-1', team: 'platform' } },
    ]);
  });

  test('turns each group id into a group rule', () => {
    // THEN
    expect(buildAccessRules({ groupIds: ['group-1'] })).toEqual([{ group: { id: 'group-1' } }]);
  });

  test('orders the rules emails, domains, organizations, groups, whatever the order of the keys', () => {
    // WHEN
    const rules = buildAccessRules({
      groupIds: ['group-1'],
      githubOrganizations: [{ name: 'my-org', identityProviderId: 'idp-1' }],
      emailDomains: ['example.com'],
      emails: ['a@example.com'],
    });

    // THEN
    expect(rules).toEqual([
      { email: { email: 'a@example.com' } },
      { emailDomain: { domain: 'example.com' } },
      { githubOrganization: { name: 'my-org', identityProviderId: 'idp-1' } },
      { group: { id: 'group-1' } },
    ]);
  });

  test('keeps the order of the values inside each kind', () => {
    // WHEN
    const rules = buildAccessRules({ emails: ['z@example.com', 'a@example.com'] });

    // THEN
    expect(rules.map((r) => r.email?.email)).toEqual(['z@example.com', 'a@example.com']);
  });
});

describe('requireSomeRule', () => {
  test('accepts a set with one rule of any kind', () => {
    // THEN
    expect(() => requireSomeRule(CTX, 'allow', { emails: ['a@example.com'] })).not.toThrow();
    expect(() => requireSomeRule(CTX, 'allow', { emailDomains: ['example.com'] })).not.toThrow();
    expect(() => requireSomeRule(CTX, 'allow', { githubOrganizations: [{ name: 'org', identityProviderId: 'idp' }] })).not.toThrow();
    expect(() => requireSomeRule(CTX, 'allow', { groupIds: ['group-1'] })).not.toThrow();
  });

  test('rejects an undefined set, naming the prop', () => {
    // THEN
    expect(() => requireSomeRule(CTX, 'allow', undefined)).toThrow(/TestConstruct: invalid allow \{\}: an allow policy needs at least one include rule/);
  });

  test('rejects a set whose lists are all empty, showing the value', () => {
    // WHEN
    const error = thrownBy(() => requireSomeRule(CTX, 'allow', { emails: [], groupIds: [] }));

    // THEN
    expect(error.message).toContain('invalid allow {"emails":[],"groupIds":[]}');
  });
});

describe('validateAccessRuleSet', () => {
  test('accepts an undefined set', () => {
    // THEN
    expect(() => validateAccessRuleSet(CTX, 'allow', undefined)).not.toThrow();
  });

  test('accepts a set of valid values', () => {
    // THEN
    expect(() =>
      validateAccessRuleSet(CTX, 'allow', {
        emails: ['a@example.com'],
        emailDomains: ['example.com'],
        githubOrganizations: [{ name: 'my-org', identityProviderId: 'idp-1', team: 'Platform Team' }],
        groupIds: ['3f2a1c9e-0000-4000-8000-000000000000'],
      }),
    ).not.toThrow();
  });

  test('names the set, the field and the index of a bad email', () => {
    // THEN
    expect(() => validateAccessRuleSet(CTX, 'require', { emails: ['a@example.com', 'bad'] })).toThrow('invalid require.emails[1] "bad"');
  });

  test('rejects a bad email domain', () => {
    // THEN
    expect(() => validateAccessRuleSet(CTX, 'allow', { emailDomains: ['@example.com'] })).toThrow('invalid allow.emailDomains[0] "@example.com"');
  });

  test('rejects a bad GitHub organization name', () => {
    // THEN
    expect(() => validateAccessRuleSet(CTX, 'allow', { githubOrganizations: [{ name: 'my_org', identityProviderId: 'idp' }] })).toThrow(
      'invalid allow.githubOrganizations[0].name "my_org"',
    );
  });

  test('rejects a GitHub organization name longer than 39 characters', () => {
    // GIVEN
    const name = 'a'.repeat(40);

    // THEN
    expect(() => validateAccessRuleSet(CTX, 'allow', { githubOrganizations: [{ name, identityProviderId: 'idp' }] })).toThrow(
      `invalid allow.githubOrganizations[0].name "${name}"`,
    );
  });

  test('rejects a bad identity provider id of a GitHub organization', () => {
    // THEN
    expect(() => validateAccessRuleSet(CTX, 'allow', { githubOrganizations: [{ name: 'org', identityProviderId: 'idp 1' }] })).toThrow(
      'invalid allow.githubOrganizations[0].identityProviderId "idp 1"',
    );
  });

  test('rejects a bad GitHub team name', () => {
    // THEN
    expect(() => validateAccessRuleSet(CTX, 'allow', { githubOrganizations: [{ name: 'org', identityProviderId: 'idp', team: '-team' }] })).toThrow(
      'invalid allow.githubOrganizations[0].team "-team"',
    );
  });

  test('rejects a bad group id', () => {
    // THEN
    expect(() => validateAccessRuleSet(CTX, 'exclude', { groupIds: ['group/1'] })).toThrow('invalid exclude.groupIds[0] "group/1"');
  });

  test('rejects an email listed twice, whatever its case', () => {
    // THEN
    expect(() => validateAccessRuleSet(CTX, 'allow', { emails: ['Dev@example.com', 'dev@example.com'] })).toThrow(
      'invalid allow.emails "dev@example.com": is listed more than once',
    );
  });

  test('names a field by the prop that holds it when told how', () => {
    // GIVEN
    const fieldProp = (field: string) => `allowed.${field.toUpperCase()}`;

    // THEN
    expect(() => validateAccessRuleSet(CTX, 'allow', { githubOrganizations: [{ name: '-org', identityProviderId: 'idp' }] }, fieldProp)).toThrow(
      'invalid allowed.GITHUBORGANIZATIONS[0].name "-org"',
    );
  });

  test('rejects a group id listed twice', () => {
    // THEN
    expect(() => validateAccessRuleSet(CTX, 'allow', { groupIds: ['g1', 'g1'] })).toThrow('invalid allow.groupIds "g1": is listed more than once');
  });
});
