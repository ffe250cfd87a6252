export * from './code-server-droplet';
