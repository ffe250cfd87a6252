/** One quota of an API: at most `limit` requests per window. */
export interface Quota {
  readonly name: string;
  readonly limit: number;
  readonly windowSeconds: number;
}

/** The quotas of the real APIs, per token. */
export const REAL_QUOTAS: Record<'cloudflare' | 'digitalocean', Quota[]> = {
  // developers.cloudflare.com/fundamentals/api/reference/limits: 1,200 requests per 5 minutes per user.
  cloudflare: [{ name: 'default', limit: 1200, windowSeconds: 300 }],
  // docs.digitalocean.com/reference/api: 5,000 requests per hour, and bursts of 250 per minute.
  digitalocean: [{ name: 'hour', limit: 5000, windowSeconds: 3600 }, { name: 'minute', limit: 250, windowSeconds: 60 }],
};

/** What a throttle says of a request: let through with these headers, or refused with a 429 and this body. */
export interface Verdict {
  readonly headers: Record<string, string>;
  /** The 429's body, when the request is refused. */
  readonly refusal?: unknown;
}

/** Counts requests in fixed windows, one per quota, each starting with its first request. */
class Windows {
  private readonly state: Array<{ start: number; count: number }>;

  constructor(
    public readonly quotas: Quota[],
    /** Divides every window: 60 makes a minute a second, so that a test sees a window pass. */
    private readonly timeScale: number,
    private readonly now: () => number,
  ) {
    this.state = quotas.map(() => ({ start: -Infinity, count: 0 }));
  }

  /** Counts a request unless a quota is spent: each quota's remaining requests and seconds to its reset (real seconds, unscaled). */
  public take(): { allowed: boolean; quotas: Array<{ quota: Quota; remaining: number; resetSeconds: number }> } {
    const t = this.now();
    this.quotas.forEach((quota, i) => {
      if (t - this.state[i].start >= this.windowMs(quota)) this.state[i] = { start: t, count: 0 };
    });
    const allowed = this.quotas.every((quota, i) => this.state[i].count < quota.limit);
    if (allowed) this.state.forEach((s) => s.count++);
    return {
      allowed,
      quotas: this.quotas.map((quota, i) => ({
        quota,
        remaining: Math.max(0, quota.limit - this.state[i].count),
        resetSeconds: Math.max(1, Math.ceil((this.state[i].start + this.windowMs(quota) - t) * this.timeScale / 1000)),
      })),
    };
  }

  private windowMs(quota: Quota): number {
    return (quota.windowSeconds * 1000) / this.timeScale;
  }
}

/** Decides, per request, whether an API lets it through, and with which headers. */
export interface Throttle {
  take(): Verdict;
}

/**
 * Cloudflare's answers: `Ratelimit` and `Ratelimit-Policy` on every response (the IETF draft's
 * fields), and over the limit a 429 with `Retry-After` in seconds and the API's error envelope.
 */
export function cloudflareThrottle(quotas: Quota[], timeScale = 1, now = Date.now): Throttle {
  const windows = new Windows(quotas, timeScale, now);
  return {
    take() {
      const { allowed, quotas: state } = windows.take();
      const tightest = state.reduce((a, b) => (b.remaining < a.remaining ? b : a));
      const headers: Record<string, string> = {
        'ratelimit': `"${tightest.quota.name}";r=${tightest.remaining};t=${tightest.resetSeconds}`,
        'ratelimit-policy': state.map((s) => `"${s.quota.name}";q=${s.quota.limit};w=${s.quota.windowSeconds}`).join(', '),
      };
      if (allowed) return { headers };
      const retryAfter = Math.max(...state.filter((s) => s.remaining === 0).map((s) => s.resetSeconds));
      return {
        headers: { ...headers, 'retry-after': String(retryAfter) },
        refusal: { success: false, errors: [{ code: 971, message: 'Please wait and consider throttling your request speed' }], messages: [], result: null },
      };
    },
  };
}

/**
 * DigitalOcean's answers: `ratelimit-limit`, `ratelimit-remaining` and `ratelimit-reset` (Unix
 * seconds) of the hourly quota on every response, and over a limit a 429 `too_many_requests`,
 * with `retry-after` when the minute's burst quota is the one spent.
 */
export function digitaloceanThrottle(quotas: Quota[], timeScale = 1, now = Date.now): Throttle {
  const windows = new Windows(quotas, timeScale, now);
  return {
    take() {
      const { allowed, quotas: state } = windows.take();
      const [hour, ...bursts] = state;
      const headers: Record<string, string> = {
        'ratelimit-limit': String(hour.quota.limit),
        'ratelimit-remaining': String(hour.remaining),
        'ratelimit-reset': String(Math.floor(now() / 1000) + hour.resetSeconds),
      };
      if (allowed) return { headers };
      const burst = bursts.find((s) => s.remaining === 0);
      return {
        headers: { ...headers, ...(burst ? { 'retry-after': String(burst.resetSeconds) } : {}) },
        refusal: { id: 'too_many_requests', message: 'API Rate limit exceeded.' },
      };
    },
  };
}
