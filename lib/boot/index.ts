export type { BootOptions, CodeServerUserDataProps } from './code-server-user-data';
export { CodeServerUserData } from './code-server-user-data';
