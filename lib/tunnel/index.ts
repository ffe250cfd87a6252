export type { CodeServerTunnelProps } from './code-server-tunnel';
export { CodeServerTunnel } from './code-server-tunnel';
