export type { CodeServerFleetProps } from './code-server-fleet';
export { CodeServerFleet } from './code-server-fleet';
export type { HcpTerraformStateOptions, S3StateOptions, SpacesStateOptions } from './state-backend';
export { StateBackend } from './state-backend';
