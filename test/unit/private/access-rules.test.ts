import type { AccessRuleSet } from '../../../lib/access/rules';
import { buildAccessRules, validateAccessRuleSet } from '../../../lib/private/access-rules';
import { PropContext } from '../../../lib/private/validation';
import { GROUP_ID, IDP_ID } from '../../support/fixtures';

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

  test('turns each group into a rule with its id', () => {
    // THEN
    expect(buildAccessRules({ groups: [{ groupId: 'group-1' }] })).toEqual([{ group: { id: 'group-1' } }]);
  });

  test('orders the rules emails, domains, organizations, groups, whatever the order of the keys', () => {
    // WHEN
    const rules = buildAccessRules({
      groups: [{ groupId: 'group-1' }],
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

describe('validateAccessRuleSet', () => {
  const named = (set: string) => (field: string) => `${set}.${field}`;

  test('accepts an undefined set', () => {
    // THEN
    expect(() => validateAccessRuleSet(CTX, undefined, named('allow'))).not.toThrow();
  });

  test('accepts a set of valid values', () => {
    // THEN
    expect(() =>
      validateAccessRuleSet(CTX, {
        emails: ['a@example.com'],
        emailDomains: ['example.com'],
        githubOrganizations: [{ name: 'my-org', identityProviderId: IDP_ID, team: 'Platform Team' }],
        groups: [{ groupId: GROUP_ID }],
      }, named('allow')),
    ).not.toThrow();
  });

  test.each<[string, AccessRuleSet, string]>([
    ['a bad email, naming the set, the field and the index', { emails: ['a@example.com', 'bad'] }, 'invalid allow.emails[1] "bad"'],
    ['a bad email domain', { emailDomains: ['@example.com'] }, 'invalid allow.emailDomains[0] "@example.com"'],
    ['a bad GitHub organization name', { githubOrganizations: [{ name: 'my_org', identityProviderId: IDP_ID }] }, 'invalid allow.githubOrganizations[0].name "my_org"'],
    ['a GitHub organization name longer than 39 characters', { githubOrganizations: [{ name: 'a'.repeat(40), identityProviderId: IDP_ID }] }, `invalid allow.githubOrganizations[0].name "${'a'.repeat(40)}"`],
    ['an identity provider id that is not a UUID', { githubOrganizations: [{ name: 'org', identityProviderId: 'github' }] }, 'invalid allow.githubOrganizations[0].identityProviderId "github": expected the id (a UUID)'],
    ['a bad GitHub team name', { githubOrganizations: [{ name: 'org', identityProviderId: IDP_ID, team: '-team' }] }, 'invalid allow.githubOrganizations[0].team "-team"'],
    ['an email listed twice, whatever its case', { emails: ['Dev@example.com', 'dev@example.com'] }, 'invalid allow.emails "dev@example.com": is listed more than once'],
    ['a group listed twice', { groups: [{ groupId: GROUP_ID }, { groupId: GROUP_ID }] }, `invalid allow.groups "${GROUP_ID}": is listed more than once`],
  ])('rejects %s', (_, set, message) => {
    // THEN
    expect(() => validateAccessRuleSet(CTX, set, named('allow'))).toThrow(message);
  });

  test('names a field by the prop that holds it', () => {
    // GIVEN
    const fieldProp = (field: string) => (field === 'emails' ? 'allowedEmails' : field);

    // THEN
    expect(() => validateAccessRuleSet(CTX, { emails: ['nobody'] }, fieldProp)).toThrow('TestConstruct: invalid allowedEmails[0] "nobody"');
  });
});
