export { BootOptions, CodeServerUserData, CodeServerUserDataProps } from './code-server-user-data';
