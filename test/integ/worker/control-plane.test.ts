import { DEFAULT_LIMITS, EDITORS, Harness, TeamKey, WORKER_TIER_NEEDS } from './harness';
import { STATUS_PATH } from '../../../lib/control-plane/worker/contract';
import { describeTier } from '../../support/tools';

const [ALICE, BOB] = EDITORS;

const describeWorkerd = describeTier({ tier: 'the worker tier (the control plane in workerd)', ...WORKER_TIER_NEEDS });

describeWorkerd('the control plane in workerd', () => {
  let harness: Harness;
  beforeEach(async () => {
    harness = new Harness();
    await harness.start();
  });
  afterEach(async () => harness.stop());

  test('the cron turns a powered-off editor into a stopped one: the marker first, then its droplet deleted; a running one is left alone', async () => {
    harness.droplets.set(ALICE.dropletTag, [{ id: 101, status: 'off' }]);
    harness.droplets.set(BOB.dropletTag, [{ id: 202, status: 'active' }]);

    await harness.cron();

    const changes = harness.digitalocean.calls.filter((call) => call.method !== 'GET').map((call) => `${call.method} ${call.path} ${call.body}`);
    expect(changes).toEqual([`POST /v2/tags ${JSON.stringify({ name: ALICE.markerTag })}`, 'DELETE /v2/droplets/101 ']);
    expect(harness.digitalocean.calls.map((call) => call.headers.authorization)).toEqual(harness.digitalocean.calls.map(() => 'Bearer do-token'));
    expect(await harness.record(ALICE)).toMatchObject({ state: 'stopped' });
    expect(await harness.record(BOB)).toBeNull();
    expect(harness.hook.calls).toHaveLength(0);
  });

  test('the cron deletes nothing while no editor is powered off', async () => {
    harness.droplets.set(ALICE.dropletTag, [{ id: 101, status: 'active' }]);
    await harness.cron();
    expect(harness.digitalocean.calls.map((call) => call.method)).toEqual(['GET', 'GET']);
  });

  const otherKey = new TeamKey('key-1');
  test.each<[string, (h: Harness) => string | undefined]>([
    ['no token', () => undefined],
    ['a token of another editor\'s application', (h) => h.tokenFor(BOB)],
    ['a token signed by another key', (h) => otherKey.sign({ aud: [ALICE.accessAudience], iss: h.teamUrl, exp: Math.floor(Date.now() / 1000) + 3600 })],
    ['an expired token', (h) => h.tokenFor(ALICE, { exp: Math.floor(Date.now() / 1000) - 3600 })],
    ['a token of another team', (h) => h.tokenFor(ALICE, { iss: 'https://other.cloudflareaccess.com' })],
    ['a token that is not a JWT', () => 'not.a-token'],
  ])('a visit with %s is refused (403) and starts nothing', async (_case, token) => {
    const response = await harness.visit(ALICE, token(harness));
    expect(response.status).toBe(403);
    expect(response.body).toContain('Not allowed');
    expect(harness.hook.calls).toHaveLength(0);
    expect(harness.digitalocean.calls).toHaveLength(0);
    expect(await harness.record(ALICE)).toBeNull();
  });

  test('a visit of a stopped editor with its Access token gets the starting page and calls the start hook once, then passes through when the origin answers', async () => {
    const token = harness.tokenFor(ALICE);

    const first = await harness.visit(ALICE, token);
    expect(first.status).toBe(503);
    expect(first.body).toContain('Your editor is starting');
    expect(first.body).toContain('about 3 minutes');
    expect(harness.hook.calls).toHaveLength(1);
    const [call] = harness.hook.calls;
    expect(call).toMatchObject({ method: 'POST', path: '/dispatches' });
    expect(call.headers.authorization).toBe('Bearer hook-secret');
    expect(JSON.parse(call.body)).toEqual({ ref: 'main', inputs: { editor: 'alice' } });
    // The marker goes before the hook's deploy, so that the deploy plans the droplet again.
    expect(harness.digitalocean.calls.map((c) => `${c.method} ${c.path}`)).toEqual([
      `GET /v2/droplets?tag_name=${ALICE.dropletTag}&per_page=200`,
      `DELETE /v2/tags/${ALICE.markerTag}`,
    ]);

    const again = await harness.visit(ALICE, token, '/', true);
    expect(again.status).toBe(503);
    expect(again.body).toContain('Your editor is starting');
    const status = await harness.visit(ALICE, token, STATUS_PATH);
    expect(JSON.parse(status.body)).toMatchObject({ ready: false });
    expect(harness.hook.calls).toHaveLength(1);

    harness.up.add(ALICE.name);
    expect(JSON.parse((await harness.visit(ALICE, token, STATUS_PATH)).body)).toEqual({ ready: true });
    const through = await harness.visit(ALICE, token, '/?folder=/home/coder');
    expect(through.status).toBe(200);
    expect(through.body).toBe('editor alice.code.example.com /?folder=/home/coder');
    expect(harness.hook.calls).toHaveLength(1);
    expect(await harness.record(ALICE)).toMatchObject({ state: 'running' });
  });

  test('a visit of an editor powered off that the cron has not stopped yet deletes its droplet before the start hook\'s deploy', async () => {
    harness.droplets.set(ALICE.dropletTag, [{ id: 101, status: 'off' }]);
    expect((await harness.visit(ALICE, harness.tokenFor(ALICE))).status).toBe(503);
    expect(harness.digitalocean.calls.filter((c) => c.method === 'DELETE').map((c) => c.path)).toEqual(['/v2/droplets/101', `/v2/tags/${ALICE.markerTag}`]);
    expect(harness.hook.calls).toHaveLength(1);
  });

  test('a visit of an editor whose droplet is up but does not answer (booting, or code-server restarting) gets the starting page and calls no hook', async () => {
    harness.droplets.set(ALICE.dropletTag, [{ id: 101, status: 'active' }]);
    const response = await harness.visit(ALICE, harness.tokenFor(ALICE));
    expect(response.status).toBe(503);
    expect(response.body).toContain('Your editor is starting');
    expect(harness.hook.calls).toHaveLength(0);
    expect(harness.digitalocean.calls.map((c) => c.method)).toEqual(['GET']);
    expect(await harness.record(ALICE)).toEqual({ state: 'running', since: 0, starts: [] });
  });

  test('a start whose hook fails is answered 502, and the next visit calls the hook again', async () => {
    harness.hookAnswers.push(500);
    const token = harness.tokenFor(ALICE);
    const failed = await harness.visit(ALICE, token);
    expect(failed.status).toBe(502);
    expect(failed.body).toContain('could not be started');
    expect(await harness.record(ALICE)).toMatchObject({ state: 'running', starts: [expect.any(Number)] });

    expect((await harness.visit(ALICE, token)).status).toBe(503);
    expect(harness.hook.calls).toHaveLength(2);
    expect(await harness.record(ALICE)).toMatchObject({ state: 'starting' });
  });

  test('a visit of a running editor passes through, starts nothing and touches no record', async () => {
    harness.up.add(ALICE.name);
    const response = await harness.visit(ALICE, harness.tokenFor(ALICE), '/healthz');
    expect(response.status).toBe(200);
    expect(response.body).toBe('editor alice.code.example.com /healthz');
    expect(harness.hook.calls).toHaveLength(0);
    expect(harness.digitalocean.calls).toHaveLength(0);
    expect(await harness.record(ALICE)).toBeNull();
  });

  test('a visit of a hostname the control plane does not serve is answered 404', async () => {
    const response = await harness.visit({ ...ALICE, hostname: 'carol.code.example.com' }, harness.tokenFor(ALICE));
    expect(response.status).toBe(404);
    expect(harness.hook.calls).toHaveLength(0);
  });
});

describeWorkerd('the control plane\'s start limit in workerd', () => {
  const harness = new Harness();
  // Every visit may start (no start counts as under way), so that only the hourly limit holds.
  beforeAll(async () => harness.start({ ...DEFAULT_LIMITS, startTimeoutSeconds: 0, maxStartsPerHour: 2 }));
  afterAll(async () => harness.stop());

  test('an editor is started at most maxStartsPerHour times an hour; the next visit is answered 429 with Retry-After and calls nothing', async () => {
    const token = harness.tokenFor(ALICE);
    expect((await harness.visit(ALICE, token)).status).toBe(503);
    expect((await harness.visit(ALICE, token)).status).toBe(503);
    expect(harness.hook.calls).toHaveLength(2);

    const limited = await harness.visit(ALICE, token);
    expect(limited.status).toBe(429);
    expect(limited.body).toContain('Started too often');
    expect(Number(limited.headers.get('Retry-After'))).toBeGreaterThan(3500);
    expect(harness.hook.calls).toHaveLength(2);

    // Another editor's starts are counted apart.
    expect((await harness.visit(BOB, harness.tokenFor(BOB))).status).toBe(503);
    expect(harness.hook.calls.map((call) => JSON.parse(call.body).inputs.editor)).toEqual(['alice', 'alice', 'bob']);
  });
});
