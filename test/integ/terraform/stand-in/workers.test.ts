import { readFileSync } from 'fs';
import { ALICE, controlPlaneStack } from './control-plane-stack';
import { registryKey } from '../../../../lib/control-plane/worker/contract';
import { WORKER_BUNDLE } from '../../worker/harness';
import { describeWithProviders } from '../terraform';
import { STEP_TIMEOUT_MS, TerraformTier } from '../tier';

/**
 * The Cloudflare provider 5.14's Workers resources against the stand-in: a Worker (its multipart
 * upload and the three reads), its KV namespace, a KV value with metadata, its routes and its
 * cron trigger are applied, planned again without changes, and destroyed.
 */
describeWithProviders()('the Workers resources against the stand-in', () => {
  const tier = new TerraformTier();
  tier.hooks('workers resources');
  const { cloudflare } = tier.standIn;
  const cloudflareOnly = () => ({ cloudflare: tier.standIn.providerSettings().cloudflare });

  test('apply uploads the Worker with its bindings, a second plan changes nothing, destroy removes everything', async () => {
    // GIVEN
    const { workspace } = await tier.workspace(controlPlaneStack({}), cloudflareOnly());

    // WHEN
    const plan = await workspace.plan();
    await workspace.apply(plan);
    const again = await workspace.plan();

    // THEN: the upload, as the Worker gets it
    expect(plan.errors).toEqual([]);
    expect(again.errors).toEqual([]);
    expect(again.changes()).toEqual({});
    expect(tier.standIn.unknownCalls).toEqual([]);
    const [script] = cloudflare.workerScripts.values();
    expect(cloudflare.workerUploads).toHaveLength(1);
    expect(script.main_module).toBe('worker.mjs');
    expect(script.content_type).toBe('application/javascript+module');
    expect(script.content).toBe(readFileSync(WORKER_BUNDLE, 'utf8'));
    expect(script.metadata.compatibility_date).toBe('2025-09-01');
    const bindings = Object.fromEntries(script.metadata.bindings.map((b: any) => [b.name, b]));
    expect(bindings.DIGITALOCEAN_TOKEN).toEqual({ name: 'DIGITALOCEAN_TOKEN', type: 'secret_text', text: 'control-plane-token' });
    expect(bindings.STATE).toEqual({ name: 'STATE', type: 'kv_namespace', namespace_id: [...cloudflare.kvNamespaces.keys()][0] });
    expect(script.schedules.map((s) => s.cron)).toEqual(['*/5 * * * *']);
    expect([...cloudflare.workerRoutes.values()].map((r) => [r.pattern, r.script]).sort()).toEqual([
      ['alice.code.example.com/*', script.id], ['bob.code.example.com/*', script.id],
    ]);
    const [values] = cloudflare.kvValues.values();
    const entry = values.get(registryKey(ALICE.hostname))!;
    expect([JSON.parse(entry.value), entry.metadata]).toEqual([ALICE, ALICE]);
    const writes = tier.standIn.writesSince(0);
    console.log(`Workers resources, the writes of an apply:\n  ${writes.join('\n  ')}`);

    // WHEN: destroyed
    await workspace.apply(await workspace.plan({ destroy: true }));

    // THEN
    expect(cloudflare.workerScripts.size).toBe(0);
    expect(cloudflare.workerRoutes.size).toBe(0);
    expect(cloudflare.kvNamespaces.size).toBe(0);
    expect(tier.standIn.unknownCalls).toEqual([]);
  }, STEP_TIMEOUT_MS);

  // Provider 5.14 writes a key's name percent-encoded into the state (url.PathEscape in
  // workers_kv/resource.go), so Terraform refuses any key that PathEscape changes ("/", "%", ";",
  // ",", "?", a space): a registry key of Terraform's must be free of them (":" is kept).
  test('a KV key with a "/" (as in editor/<hostname>) fails the apply: the provider gives the key back percent-encoded', async () => {
    // GIVEN
    const { workspace } = await tier.workspace(controlPlaneStack({ extraKey: 'editor/alice.code.example.com' }), cloudflareOnly());

    // WHEN
    const failed = await workspace.apply(await workspace.plan()).then(() => 'applied', (e: Error) => e.message);

    // THEN
    expect(failed).toContain('.key_name: was cty.StringVal("editor/alice.code.example.com"), but now cty.StringVal("editor%2Falice.code.example.com")');
  }, STEP_TIMEOUT_MS);
});
