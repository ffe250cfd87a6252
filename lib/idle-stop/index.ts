export * from './idle-stop';
export * from './idle-stop-marker';
