import type { CloudflareProviderConfig } from '@cdktf/provider-cloudflare/lib/provider';
import type { DigitaloceanProviderConfig } from '@cdktf/provider-digitalocean/lib/provider';
import type { TlsProviderConfig } from '@cdktf/provider-tls/lib/provider';
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

/**
 * The configurations of the three providers, for the stacks that the library makes itself (a
 * team's stack per member): each such stack configures its own providers from these. Everywhere
 * else the library takes provider objects ({@link ProviderOptions}).
 */
export interface StackProviderConfigs {
  /**
   * The Cloudflare provider's configuration.
   * @default - the token from CLOUDFLARE_API_TOKEN
   */
  readonly cloudflare?: CloudflareProviderConfig;
  /**
   * The DigitalOcean provider's configuration.
   * @default - the token from DIGITALOCEAN_TOKEN
   */
  readonly digitalocean?: DigitaloceanProviderConfig;
  /**
   * The TLS provider's configuration (a proxy, say).
   * @default - no configuration
   */
  readonly tls?: TlsProviderConfig;
}
