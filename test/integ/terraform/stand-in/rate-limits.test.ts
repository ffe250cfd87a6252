import { ApiStandIn } from '.';
import { cloudflareThrottle, digitaloceanThrottle, REAL_QUOTAS } from './rate-limits';

/** A clock the test moves by hand, in milliseconds. */
function clock(start = 1_800_000_000_000) {
  let t = start;
  return { now: () => t, advance: (ms: number) => { t += ms; } };
}

describe('the stand-in\'s rate limits', () => {
  test('Cloudflare lets 1,200 requests through per 5 minutes, counting down in Ratelimit, then answers 429 with Retry-After until the window passes', () => {
    // GIVEN
    const time = clock();
    const throttle = cloudflareThrottle(REAL_QUOTAS.cloudflare, 1, time.now);

    // WHEN
    const first = throttle.take();
    for (let i = 1; i < 1199; i++) throttle.take();
    const last = throttle.take();
    time.advance(100_000);
    const refused = throttle.take();
    time.advance(200_000);
    const after = throttle.take();

    // THEN
    expect(first).toEqual({ headers: { 'ratelimit': '"default";r=1199;t=300', 'ratelimit-policy': '"default";q=1200;w=300' } });
    expect(last.refusal).toBeUndefined();
    expect(last.headers.ratelimit).toBe('"default";r=0;t=300');
    expect(refused.headers['retry-after']).toBe('200');
    expect(refused.refusal).toEqual({ success: false, errors: [{ code: 971, message: expect.any(String) }], messages: [], result: null });
    expect(after.refusal).toBeUndefined();
    expect(after.headers.ratelimit).toBe('"default";r=1199;t=300');
  });

  test('DigitalOcean refuses the 251st request of a minute with too_many_requests and retry-after, and reports the hourly quota in ratelimit-* headers', () => {
    // GIVEN
    const time = clock();
    const throttle = digitaloceanThrottle(REAL_QUOTAS.digitalocean, 1, time.now);

    // WHEN
    const first = throttle.take();
    for (let i = 1; i < 250; i++) throttle.take();
    time.advance(15_000);
    const refused = throttle.take();
    time.advance(45_000);
    const nextMinute = throttle.take();

    // THEN
    expect(first.headers).toEqual({ 'ratelimit-limit': '5000', 'ratelimit-remaining': '4999', 'ratelimit-reset': String(1_800_000_000 + 3600) });
    expect(refused.refusal).toEqual({ id: 'too_many_requests', message: 'API Rate limit exceeded.' });
    expect(refused.headers['retry-after']).toBe('45');
    expect(refused.headers['ratelimit-remaining']).toBe('4750');
    expect(nextMinute.refusal).toBeUndefined();
    expect(nextMinute.headers['ratelimit-remaining']).toBe('4749');
  });

  test('DigitalOcean refuses once the hour\'s 5,000 are spent, even across minutes, without retry-after', () => {
    // GIVEN
    const time = clock();
    const throttle = digitaloceanThrottle(REAL_QUOTAS.digitalocean, 1, time.now);

    // WHEN
    for (let minute = 0; minute < 20; minute++) {
      for (let i = 0; i < 250; i++) expect(throttle.take().refusal).toBeUndefined();
      time.advance(60_000);
    }
    const refused = throttle.take();

    // THEN
    expect(refused.refusal).toEqual({ id: 'too_many_requests', message: 'API Rate limit exceeded.' });
    expect(refused.headers['ratelimit-remaining']).toBe('0');
    expect(refused.headers['retry-after']).toBeUndefined();
  });

  describe('on the loopback server', () => {
    const standIn = new ApiStandIn();
    beforeAll(() => standIn.start());
    afterAll(() => standIn.stop());

    async function get(url: string, token: string) {
      const response = await fetch(url, { headers: { authorization: `Bearer ${token}` } });
      await response.text();
      return response;
    }

    test('answers over the limit with 429 and the headers, counts each API\'s calls, and lets everything through once lifted', async () => {
      // GIVEN
      const settings = standIn.providerSettings();
      const cloudflare = settings.cloudflare[0] as { base_url: string; api_token: string };
      const digitalocean = settings.digitalocean[0] as { api_endpoint: string; token: string };
      standIn.enforceRateLimits(true, { quotas: { cloudflare: [{ name: 'default', limit: 2, windowSeconds: 300 }], digitalocean: [{ name: 'hour', limit: 1, windowSeconds: 3600 }] } });
      const mark = standIn.calls.length;

      // WHEN
      const cf = [];
      for (let i = 0; i < 3; i++) cf.push(await get(`${cloudflare.base_url}accounts/0/cfd_tunnel/none`, cloudflare.api_token));
      const doFirst = await get(`${digitalocean.api_endpoint}/v2/droplets/1`, digitalocean.token);
      const doSecond = await get(`${digitalocean.api_endpoint}/v2/droplets/1`, digitalocean.token);
      standIn.enforceRateLimits(false);
      const lifted = await get(`${cloudflare.base_url}accounts/0/cfd_tunnel/none`, cloudflare.api_token);

      // THEN
      expect(cf.map((r) => r.status)).toEqual([404, 404, 429]);
      expect(cf[2].headers.get('retry-after')).toBe('300');
      expect(cf[2].headers.get('ratelimit')).toBe('"default";r=0;t=300');
      expect(standIn.countSince(mark)).toEqual({ cloudflare: 4, digitalocean: 2, throttled: 2 });
      expect(doFirst.headers.get('ratelimit-remaining')).toBe('0');
      expect(doSecond.status).toBe(429);
      expect(lifted.headers.get('ratelimit')).toBeNull();
    });
  });
});
