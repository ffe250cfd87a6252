import { memberHostname, memberPrincipals, TeamMember, validateMembers } from '../../../lib/team/members';
import { PropContext } from '../../../lib/validation';
import { GROUP_ID } from '../../support/fixtures';

const CTX: PropContext = { construct: 'editors/Team' };
const ALICE: TeamMember = { name: 'alice', email: 'alice@example.com' };
const BOB: TeamMember = { name: 'bob', email: 'bob@example.com' };

describe('memberHostname', () => {
  test.each([
    ['{name}.{zoneName}', 'alice.example.com'],
    ['{name}-code.{zoneName}', 'alice-code.example.com'],
    ['code-{name}.{zoneName}', 'code-alice.example.com'],
  ])('fills %s in as %s', (pattern, hostname) => {
    expect(memberHostname(pattern, 'alice', 'example.com')).toBe(hostname);
  });
});

describe('memberPrincipals', () => {
  test('is the member\'s principal alone without admins', () => {
    expect(memberPrincipals(ALICE, undefined)).toEqual(['alice']);
  });

  test('adds the admins\' emails\' principals, without repeating one; domains and groups give none', () => {
    expect(memberPrincipals(ALICE, { emails: ['alice@example.org', 'ops@example.com'], groups: [{ groupId: GROUP_ID }] })).toEqual(['alice', 'ops']);
  });
});

describe('validateMembers', () => {
  const hostnameOf = (member: TeamMember) => memberHostname('{name}.{zoneName}', member.name, 'example.com');

  test('accepts members with their own names, emails and hostnames', () => {
    expect(() => validateMembers(CTX, [ALICE, BOB], hostnameOf)).not.toThrow();
  });

  test.each<[string, TeamMember[], string]>([
    ['a name that is not a slug', [ALICE, { ...BOB, name: 'Bob Smith' }], 'editors/Team: invalid members[1].name "Bob Smith": expected a slug'],
    ['a name twice', [ALICE, BOB, { ...ALICE, email: 'alice2@example.com' }], 'editors/Team: invalid members[2].name "alice": is also the name of members[0] (alice)'],
    ['an email twice, whatever its case', [ALICE, { ...BOB, email: 'ALICE@example.com' }], 'editors/Team: invalid members[1].email "ALICE@example.com": is also the email of members[0] (alice)'],
    ['deleteHome for a member who is not leaving', [ALICE, { ...BOB, deleteHome: true }], 'editors/Team: invalid members[1].deleteHome true: deletes a home only for a member who is leaving'],
  ])('rejects %s, naming the members', (_why, members, message) => {
    expect(() => validateMembers(CTX, members, hostnameOf)).toThrow(message);
  });

  test('rejects two members whose hostnames would be the same, naming both', () => {
    expect(() => validateMembers(CTX, [ALICE, BOB], () => 'shared.example.com')).toThrow(
      'editors/Team: invalid members[1] hostname "shared.example.com": is also the hostname of members[0] (alice)',
    );
  });
});
