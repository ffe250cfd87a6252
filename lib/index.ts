export * from './access';
export * from './boot';
export * from './dns';
export * from './droplet';
export * from './storage';
export * from './tunnel';
export * from './zero-trust-code-server';
