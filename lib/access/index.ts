export type { AccessRuleSet, GithubOrganization } from './rules';
export type { AccessOptions, CodeServerAccessProps } from './code-server-access';
export { CodeServerAccess } from './code-server-access';
export type { IAccessGroup, IAccessPolicy } from './existing';
export { AccessGroup, AccessPolicy } from './existing';
