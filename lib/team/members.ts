import { AccessRuleSet } from '../access/rules';
import { checkPattern, isUnresolved, PropContext, rejectProp } from '../validation';
import type { EditorOptions } from '../zero-trust-code-server';

/**
 * One developer of a team: who they are, and any editor setting of the team's to override for
 * them (a size, a region, extensions, SSH, previews, `running`…); identity and hostname are the
 * team's to derive.
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

/** A member's hostname: the pattern with `{name}` and `{zoneName}` filled in. */
export function memberHostname(pattern: string, name: string, zoneName: string): string {
  return pattern.split('{name}').join(name).split('{zoneName}').join(zoneName);
}

/** The SSH principals of a member's editor: the member's, then the admins' (the parts of their emails before the "@"). */
export function memberPrincipals(member: TeamMember, admins: AccessRuleSet | undefined): string[] {
  return [...new Set([member.email, ...(admins?.emails ?? [])].map((email) => email.split('@')[0]))];
}

/**
 * Props of a single editor that say who it is for or where it lives: a team derives them per
 * member (its `admins` let people into every editor), so in the team's shared settings they would
 * let everyone into everyone's editor or give every member the same names.
 */
const PER_EDITOR_PROPS: Record<string, string> = {
  allow: 'each member\'s email lets them in; use admins for people allowed into every editor',
  sshPrincipals: 'each member\'s principal comes from their email',
  sshHostname: 'each member\'s SSH hostname derives from their hostname',
  hostname: 'each member\'s hostname comes from hostnamePattern',
  dropletName: 'each member\'s droplet is named after their hostname',
  existingHomeVolumeId: 'a volume is one member\'s home: give it to that member only',
};

/**
 * Refuses per-editor identity props in a team's shared settings. Their types keep them out of
 * the settings in TypeScript, but an object spread in, or a language without such checks, gets
 * them through: this runs whatever the caller's type system said.
 */
export function checkSharedSettings(ctx: PropContext, settings: object): void {
  for (const [prop, instead] of Object.entries(PER_EDITOR_PROPS)) {
    const value = (settings as Record<string, unknown>)[prop];
    if (value !== undefined) rejectProp(ctx, prop, value, `is set per member, not in a team's shared settings: ${instead}`);
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
    if (member.existingHomeVolumeId !== undefined) claim('home volume', `members[${i}].existingHomeVolumeId`, member.existingHomeVolumeId, i);
  });
}
