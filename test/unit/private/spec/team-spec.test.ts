import { existsSync } from 'fs';
import { join } from 'path';
import { Testing } from 'cdktf';
import { TeamRoster } from '../../../../lib/private/roster';
import { DEPARTED_SPECS, EDITOR_SPECS } from '../../../../lib/private/spec';
import { resolveTeam, RosterInput } from '../../../../lib/private/spec/team-spec';
import { Site } from '../../../../lib/private/validation';
import { TEAM_MEMBERS as MEMBERS, teamProps, thrownBy } from '../../../support/fixtures';

/** Where a team `test/Team` would be built, in an app that holds nothing yet. */
function siteOfTeam(): Site {
  const root = Testing.app();
  return { path: 'test', root, stack: root };
}

const PATH = join('/nonexistent', 'ztcs-roster.json');

function roster(teams: Record<string, TeamRoster> | undefined, mode: RosterInput['mode'] = 'update'): RosterInput {
  return { path: PATH, teams, mode };
}

describe('resolveTeam', () => {
  test('gives each member\'s editor props from the shared settings, their hostname and their own sign-in, and builds nothing', () => {
    // GIVEN
    const site = siteOfTeam();

    // WHEN
    const spec = resolveTeam(site, 'Team', teamProps({ droplet: { region: 'fra1' } }), roster(undefined, 'new'), () => ({ ...site, path: 'test/Team' }));

    // THEN
    const bob = spec.editorPropsOf(MEMBERS[1], undefined);
    expect(bob.hostname).toBe('bob.example.com');
    expect(bob.access?.allow).toEqual({ emails: ['bob@example.com'] });
    expect(bob.droplet?.region).toBe('fra1');
    expect(spec.previous).toEqual({});
    expect(site.root.node.children).toEqual([]);
    expect(existsSync(PATH)).toBe(false);
  });

  test('hands each member\'s editor the spec it resolved, with the admins\' policy given at build in place of its stand-in', () => {
    // GIVEN
    const site = siteOfTeam();
    const members = [MEMBERS[0], { ...MEMBERS[1], leaving: true, deleteHome: true }];
    const spec = resolveTeam(site, 'Team', teamProps({ members, admins: { emails: ['ops@example.com'] } }), roster(undefined, 'new'), () => ({ ...site, path: 'test/Team' }));

    // WHEN
    const alice = spec.editorPropsOf(members[0], { policyId: '${cloudflare_zero_trust_access_policy.admins.id}' });
    const bob = spec.editorPropsOf(members[1], undefined);

    // THEN
    expect(EDITOR_SPECS.specFor(alice)?.access.policies?.map((p) => p.policyId)).toEqual(['${cloudflare_zero_trust_access_policy.admins.id}']);
    expect(EDITOR_SPECS.specFor(alice)?.hostname).toBe('alice.example.com');
    expect(bob.deleteHome).toBe(true);
    expect(DEPARTED_SPECS.specFor(bob)?.homeVolume.protect).toBe(false);
    expect(EDITOR_SPECS.specFor({ ...alice })).toBeUndefined();
  });

  test('takes the former names from the roster it is given, for a rename recorded earlier', () => {
    // GIVEN
    const site = siteOfTeam();
    const teams = { 'test/Team': { 'alice': { status: 'member' as const }, 'bob-m': { status: 'member' as const, previously: 'bob' } } };

    // WHEN
    const spec = resolveTeam(site, 'Team', teamProps({ members: [MEMBERS[0], { name: 'bob-m', email: 'bob@example.com' }] }), roster(teams), () => site);

    // THEN
    expect(spec.formerNames).toEqual({ 'bob-m': 'bob' });
  });

  test.each<[string, RosterInput, RegExp]>([
    ['no roster, at a desk', roster(undefined), /test\/Team: the roster \/nonexistent\/ztcs-roster\.json does not exist/],
    ['a released member back under the same name', roster({ 'test/Team': { bob: { status: 'released', homeVolume: 'digitalocean_volume.x' } } }),
      /test\/Team: invalid members\[1\]\.name "bob": was removed from the list/],
  ])('refuses %s', (_case, input, message) => {
    expect(thrownBy(() => resolveTeam(siteOfTeam(), 'Team', teamProps(), input, siteOfTeam)).message).toMatch(message);
  });
});
