export * from './access';
export * from './boot';
export * from './control-plane';
export * from './dns';
export * from './droplet';
// ResolvedIdleStop stays while CodeServerUserDataProps.idleStop uses it (jsii: JSII3000 otherwise).
export type { IdleStop, IdleStopMarkerProps, ResolvedIdleStop } from './idle-stop';
export { IdleStopMarker } from './idle-stop';
export * from './policy';
export * from './previews';
export * from './providers';
export * from './ssh';
export * from './storage';
export * from './team';
export * from './tunnel';
export type { DepartedEditorProps, EditorOptions, EditorPlacement, EditorSettings, ZeroTrustCodeServerProps } from './zero-trust-code-server';
export { DepartedEditor, ZeroTrustCodeServer } from './zero-trust-code-server';
export { PropValidation } from './validation/prop-validation';
