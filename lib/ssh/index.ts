export type { SshOptions } from './ssh-options';
