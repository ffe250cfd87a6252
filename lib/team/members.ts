import { AccessRuleSet } from '../access/rules';
import { principalsOf } from '../private/naming';
import { checkPattern, isUnresolved, PropContext, rejectProp } from '../private/validation';
import { PropValidationError } from '../private/validation/errors';
import { homeSpecOf } from '../storage/home';
import type { EditorOptions, EditorSettings } from '../zero-trust-code-server';

/**
 * One developer of a team: who they are, and any group of the team's editor settings to override
 * for them, merged over the team's field by field (`droplet: { size }` keeps the team's region);
 * identity and hostname are the team's to derive.
 */
export interface TeamMember extends EditorOptions {
  /**
   * The member's name as a slug (lower-case letters, digits and hyphens, e.g. `alice`): their
   * hostname, construct id and so their Terraform addresses derive from it, never from the
   * member's position in the list.
   */
  readonly name: string;
  /** The email the member signs in with; only they (and the team's admins) can open their editor. */
  readonly email: string;
  /**
   * Whether the member has left: everything of theirs is deleted except their home volume, which
   * stays protected until `deleteHome` is set.
   * @default false
   */
  readonly leaving?: boolean;
  /**
   * With `leaving`: lift the protection of this member's home volume, so that removing them from
   * the list afterwards deletes it. Snapshot the volume first.
   * @default false
   */
  readonly deleteHome?: boolean;
  /**
   * The name this member had before a rename (e.g. `erin` for a member now named `erin-m`): their
   * resources are moved to the new name's addresses (`moved` blocks), so their home volume is
   * kept; the hostname changes, so their droplet, tunnel and DNS record follow it (see the README,
   * Renaming a member). The roster records the rename, so this may be dropped after a deploy.
   * @default - not renamed
   */
  readonly previously?: string;
}

/** The defaults of a team, for documentation and tests. */
export const TEAM_DEFAULTS = {
  hostnamePattern: '{name}.{zoneName}',
} as const;

/** A member's name: a slug that makes a hostname label, a construct id and a stack name. */
export const MEMBER_NAME = /^[a-z](?:[a-z0-9-]{0,30}[a-z0-9])?$/;

/** The SSH principals of a member's editor: the member's, then the admins' (the parts of their emails before the "@"). */
export function memberPrincipals(member: TeamMember, admins: AccessRuleSet | undefined): string[] {
  return principalsOf([member.email, ...(admins?.emails ?? [])]);
}

/**
 * Props of a single editor that say who it is for or where it lives: a team derives them per
 * member (its `admins` let people into every editor), so in the team's shared settings they would
 * let everyone into everyone's editor or give every member the same names.
 */
const PER_EDITOR_PROPS: Array<[string, (settings: EditorSettings & { hostname?: unknown }) => unknown, string]> = [
  ['access.allow', (s) => s.access?.allow, 'each member\'s email lets them in; use admins for people allowed into every editor'],
  ['access.applicationName', (s) => s.access?.applicationName, 'each member\'s Access application is named after their hostname (a member may give their own)'],
  ['droplet.name', (s) => s.droplet?.name, 'each member\'s droplet is named after their hostname (a member may give their own)'],
  ['tunnel.name', (s) => s.tunnel?.name, 'each member\'s tunnel is named after their hostname (a member may give their own)'],
  ['ssh.hostname', (s) => s.ssh?.hostname, 'each member\'s SSH hostname derives from their hostname (a member may give their own)'],
  ['ssh.principals', (s) => s.ssh?.principals, 'each member\'s principal comes from their email, and the admins\' from theirs (a member may give their own)'],
  ['hostname', (s) => s.hostname, 'each member\'s hostname comes from hostnamePattern'],
  ['home', (s) => (s.home && homeSpecOf(s.home).kind === 'existing' ? 'Home.existing(…)' : undefined), 'an existing volume is one member\'s home: give it to that member only'],
];

/**
 * Refuses per-editor props in a team's shared settings. Their types let some of them in (the
 * groups are a member's too), and an object spread in, or a language without such checks, gets
 * the others through: this runs whatever the caller's type system said.
 */
export function checkSharedSettings(ctx: PropContext, settings: EditorSettings): void {
  for (const [prop, valueOf, instead] of PER_EDITOR_PROPS) {
    const value = valueOf(settings);
    if (value !== undefined) rejectProp(ctx, prop, value, `is set per member, not in a team's shared settings: ${instead}`);
  }
}

/** The groups of settings a member's group is merged over, field by field. */
const MERGED_GROUPS = ['access', 'droplet', 'boot', 'idleStop', 'ssh', 'previews', 'dns', 'tunnel', 'providers'] as const;

/**
 * A member's settings: the team's, with each group the member gives merged over the team's
 * field by field (`{ ...team.droplet, ...member.droplet }`); a member's `home` and `running`
 * replace the team's.
 */
export function memberSettings<T extends EditorSettings>(shared: T, member: TeamMember): T {
  const { name: _name, email: _email, leaving: _leaving, deleteHome: _deleteHome, previously: _previously, ...overrides } = member;
  const merged = { ...shared, ...withoutUndefined(overrides) } as unknown as Record<string, unknown>;
  for (const group of MERGED_GROUPS) {
    const team = shared[group];
    const own = overrides[group];
    if (team !== undefined && own !== undefined) merged[group] = { ...team, ...withoutUndefined(own) };
  }
  return merged as unknown as T;
}

/** The values that are set: a member's override left out means the team's setting. */
function withoutUndefined<T extends object>(values: T): Partial<T> {
  return Object.fromEntries(Object.entries(values).filter(([, value]) => value !== undefined)) as Partial<T>;
}

/** Whether a member gives the prop an error names (`droplet.size`: the member's `droplet.size`; `home.sizeGib`: the member's `home`). */
function memberGives(member: TeamMember, prop: string): boolean {
  const [group, field] = prop.split('.').map((part) => part.replace(/[[ ].*$/, ''));
  const value = (member as unknown as Record<string, unknown>)[group];
  if (value === undefined) return false;
  if (field === undefined || group === 'home' || typeof value !== 'object' || value === null) return true;
  return (value as Record<string, unknown>)[field] !== undefined;
}

/**
 * Runs a check of member `index`'s editor; an error about a value the member gives names it from
 * the team's props (`members[2].droplet.size`), one about the team's shared value stays as it is.
 */
export function asMemberError<T>(member: TeamMember, index: number, check: () => T): T {
  try {
    return check();
  } catch (error) {
    if (PropValidationError.isPropValidationError(error) && memberGives(member, error.prop)) {
      throw new PropValidationError(error.constructPath, `members[${index}].${error.prop}`, error.value, error.reason);
    }
    throw error;
  }
}

/**
 * Checks the member list as a whole: names that are slugs, and no name, email or hostname twice.
 * Each member's own values (the email's form, the size…) are checked by the editor built for them.
 */
export function validateMembers(ctx: PropContext, members: readonly TeamMember[], hostnameOf: (member: TeamMember) => string): void {
  const seen = new Map<string, string>();
  const claim = (kind: string, prop: string, value: string, index: number) => {
    if (isUnresolved(value)) return;
    const key = `${kind}:${value.toLowerCase()}`;
    const holder = seen.get(key);
    if (holder !== undefined) rejectProp(ctx, prop, value, `is also the ${kind} of ${holder}; each member needs their own`);
    seen.set(key, `members[${index}] (${members[index].name})`);
  };
  members.forEach((member, i) => {
    checkPattern(ctx, `members[${i}].name`, member.name, MEMBER_NAME, 'expected a slug of lower-case letters, digits and hyphens, starting with a letter, e.g. "alice"');
    if (member.deleteHome && !member.leaving) {
      rejectProp(ctx, `members[${i}].deleteHome`, member.deleteHome, `deletes a home only for a member who is leaving: set leaving: true for ${member.name} too`);
    }
    claim('name', `members[${i}].name`, member.name, i);
    claim('email', `members[${i}].email`, member.email, i);
    claim('hostname', `members[${i}] hostname`, hostnameOf(member), i);
    if (member.access?.allow !== undefined) {
      rejectProp(ctx, `members[${i}].access.allow`, member.access.allow, 'is the member\'s email; use the team\'s admins for people allowed into every editor');
    }
    const home = member.home && homeSpecOf(member.home);
    if (home?.kind === 'existing') claim('home volume', `members[${i}].home`, home.volume.volumeId, i);
  });
}
