import { TerraformProvider } from 'cdktf';

/**
 * Which provider configurations the resources use: for two Cloudflare accounts or DigitalOcean
 * teams in one stack, pass the aliased provider of each. Every part takes these and uses the ones
 * of its resources.
 */
export interface ProviderOptions {
  /**
   * The Cloudflare provider of the Access, tunnel and DNS resources.
   * @default - the stack's default Cloudflare provider
   */
  readonly cloudflareProvider?: TerraformProvider;
  /**
   * The DigitalOcean provider of the droplet, firewall, SSH key and volume.
   * @default - the stack's default DigitalOcean provider
   */
  readonly digitaloceanProvider?: TerraformProvider;
  /**
   * The TLS provider of the generated SSH key pair.
   * @default - the stack's default TLS provider
   */
  readonly tlsProvider?: TerraformProvider;
}
