import { CloudflareStandIn } from './cloudflare';
import { DigitalOceanStandIn } from './digitalocean';
import { cloudflareThrottle, digitaloceanThrottle, Quota, REAL_QUOTAS } from './rate-limits';
import { ApiCall, LoopbackServer } from './server';

export type { ApiCall } from './server';

/** Requests per API over some span (a plan, an apply), and how many were refused for the rate limit. */
export interface CallCount {
  readonly cloudflare: number;
  readonly digitalocean: number;
  readonly throttled: number;
}

/** The Cloudflare provider checks a token's form (40 letters, digits, `-` or `_`), not its value. */
const CLOUDFLARE_TOKEN = 'stand-in-cloudflare-token-00000000000000';
const DIGITALOCEAN_TOKEN = 'stand-in-digitalocean-token';

/**
 * A loopback stand-in of the Cloudflare and DigitalOcean APIs on one server, and the provider
 * settings that send the providers to it.
 */
export class ApiStandIn {
  public readonly cloudflare = new CloudflareStandIn(CLOUDFLARE_TOKEN);
  public readonly digitalocean = new DigitalOceanStandIn(DIGITALOCEAN_TOKEN);
  private readonly server = new LoopbackServer([this.cloudflare, this.digitalocean]);

  public start(): Promise<void> {
    return this.server.start();
  }

  public stop(): Promise<void> {
    return this.server.stop();
  }

  /** The DigitalOcean API's base URL (without `/v2/`), as the provider's `api_endpoint`. */
  public get digitaloceanUrl(): string {
    return this.server.url;
  }

  /** Every request received so far, in order. */
  public get calls(): ApiCall[] {
    return this.server.calls;
  }

  /** The requests no route answered: each is a call the stand-in (and this test) does not know. */
  public get unknownCalls(): ApiCall[] {
    return this.server.unknownCalls;
  }

  /**
   * Enforces both APIs' rate limits per token, with their real answers (429s and headers), or
   * lifts them (`false`). `timeScale` shortens every window (60: a minute lasts a second) and
   * `quotas` replaces the real ones, so that a test can reach a limit and see it reset.
   */
  public enforceRateLimits(on: boolean, options: { timeScale?: number; quotas?: Partial<Record<'cloudflare' | 'digitalocean', Quota[]>> } = {}): void {
    const quotas = { ...REAL_QUOTAS, ...options.quotas };
    this.server.throttle(this.cloudflare, on ? cloudflareThrottle(quotas.cloudflare, options.timeScale) : undefined);
    this.server.throttle(this.digitalocean, on ? digitaloceanThrottle(quotas.digitalocean, options.timeScale) : undefined);
  }

  /** How many requests each API got since a call index (`calls.length` before a plan, say), and how many of them were refused with a 429. */
  public countSince(index: number): CallCount {
    const calls = this.calls.slice(index);
    return {
      cloudflare: calls.filter((c) => c.api === this.cloudflare.prefix).length,
      digitalocean: calls.filter((c) => c.api === this.digitalocean.prefix).length,
      throttled: calls.filter((c) => c.throttled).length,
    };
  }

  /** The calls that changed something (anything but GET), as `METHOD path` lines. */
  public writesSince(index: number): string[] {
    return this.calls.slice(index).filter((c) => c.method !== 'GET').map((c) => `${c.method} ${c.path}`);
  }

  /** Terraform `provider` blocks (for an override file) that point each provider at the stand-in. */
  public providerSettings(): Record<string, object[]> {
    return {
      cloudflare: [{ base_url: `${this.server.url}${this.cloudflare.prefix}`, api_token: CLOUDFLARE_TOKEN }],
      // No retries: an error answer fails the step at once.
      digitalocean: [{ api_endpoint: this.server.url, token: DIGITALOCEAN_TOKEN, http_retry_max: 0 }],
    };
  }
}
