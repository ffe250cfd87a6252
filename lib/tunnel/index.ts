export type { CodeServerTunnelProps, TunnelOptions } from './code-server-tunnel';
export type { ExtraRoute } from './ingress';
export { CodeServerTunnel } from './code-server-tunnel';
