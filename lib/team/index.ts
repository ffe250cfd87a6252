export type { TeamMember } from './members';
export type { CodeServerTeamProps } from './code-server-team';
export { CodeServerTeam } from './code-server-team';
