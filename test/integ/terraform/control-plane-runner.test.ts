import { ControlPlaneRunner, RUNNER_NEEDS } from './control-plane-runner';
import { ALICE, BOB, controlPlaneStack } from './stand-in/control-plane-stack';
import { STEP_TIMEOUT_MS, TerraformTier } from './tier';
import { REGISTRY_PREFIX, registryKey } from '../../../lib/control-plane/worker/contract';
import { describeTier } from '../../support/tools';

/**
 * The control plane that Terraform uploaded to the stand-in, run in workerd with the bindings it
 * was uploaded with: its cron turns a powered-off editor into a stopped one (the marker tag, then
 * the droplet deleted, the volume kept) and leaves a running one alone.
 */
describeTier(RUNNER_NEEDS)('the uploaded control plane in workerd', () => {
  const tier = new TerraformTier();
  tier.hooks('control plane runner');
  const { standIn } = tier;
  const { digitalocean } = standIn;
  const runner = new ControlPlaneRunner(standIn);
  afterAll(() => runner.stop());

  /** A droplet of an editor, made as its stack makes it (its firewall tag on it), with a volume attached. */
  async function dropletOf(editor: typeof ALICE): Promise<{ id: number; volume: string }> {
    const call = async (path: string, body: unknown) => (await fetch(`${standIn.digitaloceanUrl}/v2/${path}`, {
      method: 'POST',
      headers: { 'authorization': `Bearer ${digitalocean.token}`, 'content-type': 'application/json' },
      body: JSON.stringify(body),
    })).json() as Promise<any>;
    const { volume } = await call('volumes', { name: `${editor.name}-home`, region: 'fra1', size_gigabytes: 20 });
    const { droplet } = await call('droplets', { name: editor.name, region: 'fra1', size: 's-2vcpu-4gb', image: 'x', tags: [editor.dropletTag], volumes: [{ id: volume.id }] });
    return { id: droplet.id, volume: volume.id };
  }

  test('runs the script and bindings that were uploaded, with the registry that Terraform wrote in its KV', async () => {
    // GIVEN
    const { workspace } = await tier.workspace(controlPlaneStack({ digitaloceanToken: digitalocean.token }),
      { cloudflare: standIn.providerSettings().cloudflare });
    await workspace.apply(await workspace.plan());

    // WHEN
    const started = Date.now();
    await runner.start();
    console.log(`Control plane runner: workerd up with the uploaded Worker in ${Date.now() - started} ms`);

    // THEN
    expect(runner.script!.content).toBe(standIn.cloudflare.workerUploads.at(-1)!.content);
    expect(runner.bindings.DIGITALOCEAN_TOKEN.text).toBe(digitalocean.token);
    const kv = await runner.kv();
    const listed = await kv.list({ prefix: REGISTRY_PREFIX });
    expect(listed.keys.map((k) => [k.name, k.metadata])).toEqual([[registryKey(ALICE.hostname), ALICE], [registryKey(BOB.hostname), BOB]]);
    expect(JSON.parse((await kv.get(registryKey(ALICE.hostname)))!)).toEqual(ALICE);
  }, STEP_TIMEOUT_MS);

  test('its cron turns a powered-off droplet into the marker tag, then the droplet deleted, and leaves a running one', async () => {
    // GIVEN: alice's and bob's droplets; alice's powers itself off
    const alice = await dropletOf(ALICE);
    const bob = await dropletOf(BOB);
    digitalocean.powerOff(alice.id);
    const from = standIn.calls.length;

    // WHEN
    const started = Date.now();
    await runner.cron();
    const cronMs = Date.now() - started;

    // THEN
    console.log(`Control plane runner: the cron's run took ${cronMs} ms`);
    const writes = standIn.writesSince(from);
    expect(writes).toEqual(['POST /v2/tags', `DELETE /v2/droplets/${alice.id}`]);
    expect(standIn.calls.slice(from).find((c) => c.method === 'POST')!.body).toEqual({ name: ALICE.markerTag });
    expect(digitalocean.tags.has(ALICE.markerTag)).toBe(true);
    expect(digitalocean.tags.has(BOB.markerTag)).toBe(false);
    expect(digitalocean.droplets.has(alice.id)).toBe(false);
    expect(digitalocean.droplets.get(bob.id)!.status).toBe('active');
    expect(digitalocean.volumes.get(alice.volume)!.droplet_ids).toEqual([]);
    expect(standIn.calls.slice(from).filter((c) => c.method === 'GET').map((c) => c.path)).toEqual(['/v2/droplets', '/v2/droplets']);
    expect(standIn.unknownCalls).toEqual([]);
  }, STEP_TIMEOUT_MS);

  test('a visit: refused without a token, the starting page and one hook call with alice\'s, passed through once her origin answers', async () => {
    // WHEN
    const refused = await runner.visit(ALICE.hostname);
    const hookCallsBefore = runner.hook.calls.length;
    const starting = await runner.visit(ALICE.hostname, runner.tokenFor(ALICE.accessAudience, 'alice@example.com'));
    runner.up.add(ALICE.hostname);
    const through = await runner.visit(ALICE.hostname, runner.tokenFor(ALICE.accessAudience, 'alice@example.com'), '/healthz');

    // THEN
    expect(refused.status).toBe(403);
    expect(hookCallsBefore).toBe(0);
    expect(starting.status).toBe(503);
    expect(runner.hook.calls.map((c) => [c.method, c.path, c.headers.authorization])).toEqual([['POST', '/dispatches', 'Bearer start-hook-secret']]);
    expect(JSON.parse(runner.hook.calls[0].body).inputs).toEqual({ editor: 'alice', stack: ALICE.stack });
    expect(digitalocean.tags.has(ALICE.markerTag)).toBe(false);
    expect(through).toMatchObject({ status: 200, body: `editor ${ALICE.hostname} /healthz` });
  }, STEP_TIMEOUT_MS);
});
