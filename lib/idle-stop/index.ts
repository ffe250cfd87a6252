export type { IdleStop, ResolvedIdleStop } from './idle-stop';
export type { IdleStopMarkerProps } from './idle-stop-marker';
export { IdleStopMarker } from './idle-stop-marker';
// Not API: ../zero-trust-code-server imports these through this index; the package root leaves them out.
export { idleStopOn, resolveIdleStop, validateIdleStop } from './idle-stop';
