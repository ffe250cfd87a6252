export type { CodeServerTunnelProps } from './code-server-tunnel';
export type { ExtraRoute } from './ingress';
export { CodeServerTunnel } from './code-server-tunnel';
