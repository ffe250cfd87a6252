import { DEFAULT_LIMITS, editorNamed, EDITORS, Harness, TeamKey, WORKER_TIER_NEEDS } from './harness';
import { recordKey, REGISTRY_PREFIX, registryKey, STATUS_PATH } from '../../../lib/control-plane/worker/contract';
import { REGISTRY_MEMO_MS } from '../../../lib/control-plane/worker/registry';
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
    expect(JSON.parse(call.body)).toEqual({ ref: 'main', inputs: { editor: 'alice', stack: 'editors-alice' } });
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

  test('a visit of a hostname nobody registered is answered 404 with a short text, starts nothing, and reads KV once a minute', async () => {
    const carol = editorNamed('carol');
    for (let i = 0; i < 3; i++) {
      const response = await harness.visit(carol, harness.tokenFor(ALICE));
      expect(response.status).toBe(404);
      expect(response.body).toBe('No editor is registered at this address.\n');
    }
    expect(harness.hook.calls).toHaveLength(0);
    expect(harness.digitalocean.calls).toHaveLength(0);
    expect(await harness.kvCalls()).toEqual([`get ${registryKey('carol.code.example.com')}`]);
  });

  test('an editor registered after a visit found none is served once the isolate\'s minute is over', async () => {
    const carol = editorNamed('carol');
    harness.up.add(carol.name);
    const token = harness.tokenFor(carol);
    expect((await harness.visit(carol, token)).status).toBe(404);

    await harness.register(carol);
    await harness.advanceClock(REGISTRY_MEMO_MS - 1000);
    expect((await harness.visit(carol, token)).status).toBe(404);
    await harness.advanceClock(1000);
    const served = await harness.visit(carol, token);
    expect(served.status).toBe(200);
    expect(served.body).toBe('editor carol.code.example.com /');
    expect(await harness.kvCalls()).toEqual([`get ${registryKey('carol.code.example.com')}`, `get ${registryKey('carol.code.example.com')}`]);
  });

  test('a running editor\'s visits read its registration once a minute and touch nothing else in KV', async () => {
    harness.up.add(ALICE.name);
    const token = harness.tokenFor(ALICE);
    for (let i = 0; i < 3; i++) expect((await harness.visit(ALICE, token)).status).toBe(200);
    expect(await harness.kvCalls()).toEqual([`get ${registryKey('alice.code.example.com')}`]);
    await harness.advanceClock(REGISTRY_MEMO_MS);
    expect((await harness.visit(ALICE, token)).status).toBe(200);
    expect(await harness.kvCalls()).toEqual([`get ${registryKey('alice.code.example.com')}`]);
  });

  test('while KV cannot be read, a running editor read before stays served, and a host never read is answered 503', async () => {
    harness.up.add(ALICE.name);
    const token = harness.tokenFor(ALICE);
    expect((await harness.visit(ALICE, token)).status).toBe(200);
    await harness.kvDown(true);
    await harness.advanceClock(REGISTRY_MEMO_MS);

    expect((await harness.visit(ALICE, token)).status).toBe(200);
    const never = await harness.visit(BOB, harness.tokenFor(BOB));
    expect(never.status).toBe(503);
    expect(never.headers.get('Retry-After')).toBe('60');
    expect(never.body).toContain('cannot read its registry');
    expect(harness.hook.calls).toHaveLength(0);
    expect(await harness.kvCalls()).toEqual([`get ${registryKey('alice.code.example.com')}`, `get ${registryKey('alice.code.example.com')}`, `get ${registryKey('bob.code.example.com')}`]);
  });

  test('the start hook\'s body names the editor and the stack its registration names', async () => {
    const dave = editorNamed('dave', 'fleet-dave');
    await harness.register(dave);
    expect((await harness.visit(dave, harness.tokenFor(dave))).status).toBe(503);
    expect(harness.hook.calls.map((call) => JSON.parse(call.body))).toEqual([{ ref: 'main', inputs: { editor: 'dave', stack: 'fleet-dave' } }]);
    expect(await harness.record(dave)).toMatchObject({ state: 'starting' });
  });
});

describeWorkerd('the control plane\'s cron over a registry of more than one page, in workerd', () => {
  const harness = new Harness();
  const editors = ['alice', 'bob', 'carol'].map((name) => editorNamed(name));
  // KV's pages hold 1,000 keys; here 2, so that three editors take two pages.
  beforeAll(async () => harness.start({ registered: editors, listLimit: 2 }));
  afterAll(async () => harness.stop());

  test('the cron lists the registry page by page with the cursor, reads no entry, and stops the powered-off editor of the last page', async () => {
    harness.droplets.set('ztcs-carol', [{ id: 303, status: 'off' }]);
    harness.droplets.set('ztcs-alice', [{ id: 101, status: 'active' }]);

    await harness.cron();

    const kv = await harness.kvCalls();
    const [first, second, ...more] = kv.filter((call) => call.startsWith('list'));
    expect([first, more]).toEqual([`list ${REGISTRY_PREFIX}`, []]);
    expect(second.startsWith(`list ${REGISTRY_PREFIX} `) && second.length > `list ${REGISTRY_PREFIX} `.length).toBe(true);
    expect(kv.filter((call) => !call.startsWith('list'))).toEqual([`get ${recordKey('carol')}`, `put ${recordKey('carol')}`]);
    expect(harness.digitalocean.calls.filter((call) => call.method === 'GET').map((call) => new URL(call.path, 'http://x').searchParams.get('tag_name')))
      .toEqual(['ztcs-alice', 'ztcs-bob', 'ztcs-carol']);
    expect(harness.digitalocean.calls.filter((call) => call.method !== 'GET').map((call) => `${call.method} ${call.path}`))
      .toEqual(['POST /v2/tags', 'DELETE /v2/droplets/303']);
    expect(await harness.record(editors[2])).toMatchObject({ state: 'stopped' });
  });
});

describeWorkerd('the control plane\'s start limit in workerd', () => {
  const harness = new Harness();
  // Every visit may start (no start counts as under way), so that only the hourly limit holds.
  beforeAll(async () => harness.start({ limits: { ...DEFAULT_LIMITS, startTimeoutSeconds: 0, maxStartsPerHour: 2 } }));
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
    expect(harness.hook.calls.map((call) => JSON.parse(call.body).inputs)).toEqual([
      { editor: 'alice', stack: 'editors-alice' }, { editor: 'alice', stack: 'editors-alice' }, { editor: 'bob', stack: 'editors-bob' },
    ]);
  });
});
