export * from './code-server-user-data';
