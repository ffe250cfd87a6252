export * from './access';
export * from './boot';
export * from './dns';
export * from './droplet';
export * from './storage';
export * from './team';
export * from './tunnel';
export type { EditorSettings, ZeroTrustCodeServerProps } from './zero-trust-code-server';
export { ZeroTrustCodeServer } from './zero-trust-code-server';
