export * from './code-server-tunnel';
