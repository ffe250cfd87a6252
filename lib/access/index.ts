export type { AccessRuleSet, GithubOrganization } from './rules';
export type { CodeServerAccessProps } from './code-server-access';
export { CodeServerAccess } from './code-server-access';
