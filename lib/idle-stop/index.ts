export type { IdleStop } from './idle-stop';
export type { IdleStopMarkerProps } from './idle-stop-marker';
export { IdleStopMarker } from './idle-stop-marker';
