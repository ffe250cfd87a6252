import { Home } from '../../../lib';
import { memberHostname } from '../../../lib/private/naming';
import { PropContext, propError } from '../../../lib/private/validation';
import { asMemberError, memberPrincipals, memberSettings, TeamMember, validateMembers } from '../../../lib/team/members';
import { EditorSettings } from '../../../lib/zero-trust-code-server';
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

describe('memberSettings', () => {
  const TEAM: EditorSettings = {
    cloudflareAccountId: 'a',
    cloudflareZoneId: 'z',
    zoneName: 'example.com',
    teamName: 't',
    droplet: { region: 'ams3', size: 's-2vcpu-4gb' },
    idleStop: { idleMinutes: 30, warningMinutes: 10 },
    home: Home.volume({ sizeGib: 40 }),
    running: true,
  };

  test('merges each group the member gives over the team\'s, field by field, and leaves the others the team\'s', () => {
    // WHEN
    const settings = memberSettings(TEAM, { ...ALICE, droplet: { size: 's-4vcpu-8gb', region: undefined }, idleStop: { idleMinutes: 60 } });

    // THEN
    expect(settings.droplet).toEqual({ region: 'ams3', size: 's-4vcpu-8gb' });
    expect(settings.idleStop).toEqual({ idleMinutes: 60, warningMinutes: 10 });
    expect(settings.home).toBe(TEAM.home);
    expect(settings).not.toHaveProperty('email');
  });

  test('takes a member\'s home and running whole, and a group the team does not give as the member gives it', () => {
    // GIVEN
    const home = Home.onDropletDisk({ disposable: true });

    // WHEN
    const settings = memberSettings(TEAM, { ...ALICE, home, running: false, ssh: { hostname: 'alice-shell.example.com' } });

    // THEN
    expect(settings.home).toBe(home);
    expect(settings.running).toBe(false);
    expect(settings.ssh).toEqual({ hostname: 'alice-shell.example.com' });
  });
});

describe('asMemberError', () => {
  const fail = (prop: string) => () => {
    throw propError({ construct: 'editors/Team/bob/Droplet', group: 'droplet.' }, prop, 'x', 'because');
  };

  test.each<[string, TeamMember, string]>([
    ['a value the member gives', { ...BOB, droplet: { size: 'x' } }, 'editors/Team/bob/Droplet: invalid members[1].droplet.size "x": because'],
    ['a value of the team\'s group the member does not override', { ...BOB, droplet: { region: 'ams3' } }, 'editors/Team/bob/Droplet: invalid droplet.size "x": because'],
    ['a value of a group the member does not give', BOB, 'editors/Team/bob/Droplet: invalid droplet.size "x": because'],
  ])('names %s by its place in the props', (_why, member, message) => {
    expect(() => asMemberError(member, 1, fail('size'))).toThrow(message);
  });

  test('names the member\'s home for any error of the home they give', () => {
    const error = () => asMemberError({ ...BOB, home: Home.volume({ sizeGib: 0 }) }, 2, () => {
      throw propError({ construct: 'editors/Team/bob/HomeVolume', group: 'home.' }, 'sizeGib', 0, 'too small');
    });
    expect(error).toThrow('invalid members[2].home.sizeGib 0: too small');
  });

  test('lets other errors through as they are', () => {
    expect(() => asMemberError(BOB, 1, () => {
      throw new Error('not a prop');
    })).toThrow(/^not a prop$/);
  });
});
