export type { TeamMember } from './members';
export type { CodeServerTeamProps } from './code-server-team';
export { CodeServerTeam } from './code-server-team';
export type { StackPerMemberOptions } from './layout';
export { TeamLayout } from './layout';
export type { HcpTerraformStateOptions, S3StateOptions, SpacesStateOptions } from './state-backend';
export { StateBackend } from './state-backend';
