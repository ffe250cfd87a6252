export type { AccessRuleSet, GithubOrganization } from './rules';
export type { AccessOptions, AccessSettings, CodeServerAccessProps } from './code-server-access';
export { CodeServerAccess } from './code-server-access';
