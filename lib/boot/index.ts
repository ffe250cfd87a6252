export type { BootOptions, CodeServerUserDataProps } from './code-server-user-data';
export { CodeServerUserData } from './code-server-user-data';
export type { BootFile, BootStep } from './boot-steps';
export { BootPhase, BootUser } from './boot-steps';
