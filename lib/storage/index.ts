export * from './home-volume';
