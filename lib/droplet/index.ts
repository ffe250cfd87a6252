export type { CodeServerDropletProps, DropletOptions, OutboundRule } from './code-server-droplet';
export { CodeServerDroplet, FirewallProtocol } from './code-server-droplet';
