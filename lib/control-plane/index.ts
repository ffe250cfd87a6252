export type { CodeServerControlPlaneProps, ControlPlaneEditor } from './code-server-control-plane';
export { CodeServerControlPlane } from './code-server-control-plane';
