export * from './errors';
export * from './checks';
export * from './claims';
export * from './secrets';
