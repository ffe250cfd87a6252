export * from './errors';
export * from './checks';
