export type { AccessRuleSet, GithubOrganization } from './rules';
export * from './code-server-access';
