import { checkDomain, checkEmail, checkPattern, checkUnique, PropContext } from './validation';
import type { AccessRuleSet } from '../access/rules';

/** One Access rule in the shape of the Cloudflare provider's include, require and exclude blocks. */
export interface AccessRule {
  /** Matches one email address. */
  readonly email?: { readonly email: string };
  /** Matches every address at a domain. */
  readonly emailDomain?: { readonly domain: string };
  /** Matches members of a GitHub organization or team. */
  readonly githubOrganization?: { readonly name: string; readonly identityProviderId: string; readonly team?: string };
  /** Matches members of an Access group. */
  readonly group?: { readonly id: string };
}

const GITHUB_NAME = /^[A-Za-z0-9](?:[A-Za-z0-9-]{0,38})$/;
const GITHUB_TEAM = /^[A-Za-z0-9][A-Za-z0-9_. -]{0,99}$/;
/** The id of a Cloudflare Zero Trust object (an identity provider, an Access group): a UUID. */
export const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Turns a rule set into provider rules, in a stable order: emails, domains, organizations, groups. */
export function buildAccessRules(set: AccessRuleSet | undefined): AccessRule[] {
  if (!set) return [];
  return [
    ...(set.emails ?? []).map((email) => ({ email: { email } })),
    ...(set.emailDomains ?? []).map((domain) => ({ emailDomain: { domain } })),
    ...(set.githubOrganizations ?? []).map((org) => ({
      githubOrganization: {
        name: org.name,
        identityProviderId: org.identityProviderId,
        ...(org.team === undefined ? {} : { team: org.team }),
      },
    })),
    ...(set.groups ?? []).map((group) => ({ group: { id: group.groupId } })),
  ];
}

/**
 * Checks every value of a rule set; `fieldProp` names the prop that holds each field as the user
 * wrote it (`allow.emails`, `requireRules.emails`).
 */
export function validateAccessRuleSet(ctx: PropContext, set: AccessRuleSet | undefined, fieldProp: (field: keyof AccessRuleSet) => string): void {
  if (!set) return;
  (set.emails ?? []).forEach((email, i) => checkEmail(ctx, `${fieldProp('emails')}[${i}]`, email));
  (set.emailDomains ?? []).forEach((domain, i) => checkDomain(ctx, `${fieldProp('emailDomains')}[${i}]`, domain));
  (set.githubOrganizations ?? []).forEach((org, i) => {
    const orgProp = `${fieldProp('githubOrganizations')}[${i}]`;
    checkPattern(ctx, `${orgProp}.name`, org.name, GITHUB_NAME, 'expected a GitHub organization name (letters, digits and hyphens, 39 characters at most), e.g. "my-company"');
    checkPattern(ctx, `${orgProp}.identityProviderId`, org.identityProviderId, UUID, 'expected the id (a UUID) of the GitHub identity provider in Cloudflare Zero Trust, e.g. "0e1f9e3a-5c5e-4bd8-8f4a-1c2d3e4f5a6b"');
    if (org.team !== undefined) {
      checkPattern(ctx, `${orgProp}.team`, org.team, GITHUB_TEAM, 'expected a GitHub team name, e.g. "developers"');
    }
  });
  checkUnique(ctx, fieldProp('emails'), (set.emails ?? []).map((e) => e.toLowerCase()));
  checkUnique(ctx, fieldProp('emailDomains'), set.emailDomains ?? []);
  checkUnique(ctx, fieldProp('groups'), (set.groups ?? []).map((g) => g.groupId));
}
