import type { IAccessGroup } from './existing';

/** A GitHub organization (and optionally one of its teams) whose members an Access rule matches. */
export interface GithubOrganization {
  /** The organization's name on GitHub, e.g. `my-company`. */
  readonly name: string;
  /** The id of the GitHub identity provider configured in Cloudflare Zero Trust. */
  readonly identityProviderId: string;
  /**
   * A team of the organization: only its members match.
   * @default - every member of the organization
   */
  readonly team?: string;
}

/**
 * A set of Cloudflare Access rules. In an include set a user matches if any rule matches;
 * in a require set every rule must match; in an exclude set any match denies.
 */
export interface AccessRuleSet {
  /**
   * Email addresses.
   * @default - none
   */
  readonly emails?: string[];
  /**
   * Email domains, e.g. `example.com`: every address at that domain matches.
   * @default - none
   */
  readonly emailDomains?: string[];
  /**
   * GitHub organizations (or teams of them), through a GitHub identity provider.
   * @default - none
   */
  readonly githubOrganizations?: GithubOrganization[];
  /**
   * Access groups defined in Cloudflare Zero Trust (`AccessGroup.fromGroupId`).
   * @default - none
   */
  readonly groups?: IAccessGroup[];
}
