export type { CodeServerControlPlaneProps } from './code-server-control-plane';
export { CodeServerControlPlane } from './code-server-control-plane';
export type { ControlPlaneOptions, GitHubWorkflowHookOptions, ICodeServerControlPlane, WebhookHookOptions } from './control-plane';
export { ControlPlane, StartHook } from './control-plane';
export type { ControlPlaneEditor, ControlPlaneRegistrationProps } from './registration';
export { ControlPlaneRegistration } from './registration';
