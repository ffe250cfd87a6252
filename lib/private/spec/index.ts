export * from './editor-spec';
export * from './resolved';
