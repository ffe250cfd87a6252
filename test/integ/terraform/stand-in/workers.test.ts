import { readFileSync } from 'fs';
import { CloudflareProvider } from '@cdktf/provider-cloudflare/lib/provider';
import { WorkersKv } from '@cdktf/provider-cloudflare/lib/workers-kv';
import { App, Fn, TerraformStack, TerraformVariable } from 'cdktf';
import { Construct } from 'constructs';
import { CodeServerControlPlane } from '../../../../lib';
import { WORKER_BUNDLE } from '../../worker/harness';
import { describeWithProviders, synthesize } from '../terraform';
import { STEP_TIMEOUT_MS, TerraformTier } from '../tier';

const ACCOUNT = '0123456789abcdef0123456789abcdef';
const ZONE = 'fedcba9876543210fedcba9876543210';

/** An editor's registry entry: key `editor/<hostname>`, the ServedEditor JSON as value and metadata. */
export const ALICE = { name: 'alice', hostname: 'alice.code.example.com', accessAudience: 'aud-alice', dropletTag: 'ztcs-fw-alice', markerTag: 'ztcs-idle-alice', stack: 'fleet-alice' };

/** Today's control plane (two editors), and one registry entry written as the registrations will write it. */
class ControlPlaneStack extends TerraformStack {
  constructor(scope: Construct, id: string, registryKey: string) {
    super(scope, id);
    new CloudflareProvider(this, 'cloudflare');
    const secret = (name: string) => new TerraformVariable(this, name, { type: 'string', sensitive: true, default: `${name}-value` }).stringValue;
    const controlPlane = new CodeServerControlPlane(this, 'ControlPlane', {
      cloudflareAccountId: ACCOUNT,
      cloudflareZoneId: ZONE,
      teamName: 'example',
      editors: [ALICE, { ...ALICE, name: 'bob', hostname: 'bob.code.example.com', accessAudience: 'aud-bob', dropletTag: 'ztcs-fw-bob', markerTag: 'ztcs-idle-bob' }]
        .map(({ stack: _stack, ...editor }) => editor),
      digitaloceanToken: secret('control_plane_token'),
      startHookUrl: 'https://hook.example.com/dispatches',
      startHookSecret: secret('start_hook_secret'),
    });
    // The construct writes the bundle as it is, whose template literals (`${…}`) Terraform reads
    // as interpolations: "Extra characters after interpolation expression". Escaped here until
    // lib/control-plane does it (Fn.rawString).
    controlPlane.script.content = Fn.rawString(readFileSync(WORKER_BUNDLE, 'utf8'));
    new WorkersKv(this, 'Entry', {
      accountId: ACCOUNT,
      namespaceId: controlPlane.state.id,
      keyName: registryKey,
      value: JSON.stringify(ALICE),
      metadata: JSON.stringify(ALICE),
    });
  }
}

function controlPlaneStack(registryKey: string) {
  return synthesize((outdir) => {
    const app = new App({ outdir });
    new ControlPlaneStack(app, 'control-plane', registryKey);
    return app;
  })[0];
}

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
    const { workspace } = await tier.workspace(controlPlaneStack('editor:alice.code.example.com'), cloudflareOnly());

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
    expect(script.content).toContain('scheduled');
    expect(script.metadata.compatibility_date).toBe('2025-09-01');
    const bindings = Object.fromEntries(script.metadata.bindings.map((b: any) => [b.name, b]));
    expect(bindings.DIGITALOCEAN_TOKEN).toEqual({ name: 'DIGITALOCEAN_TOKEN', type: 'secret_text', text: 'control_plane_token-value' });
    expect(bindings.STATE).toEqual({ name: 'STATE', type: 'kv_namespace', namespace_id: [...cloudflare.kvNamespaces.keys()][0] });
    expect(script.schedules.map((s) => s.cron)).toEqual(['*/5 * * * *']);
    expect([...cloudflare.workerRoutes.values()].map((r) => [r.pattern, r.script]).sort()).toEqual([
      ['alice.code.example.com/*', script.id], ['bob.code.example.com/*', script.id],
    ]);
    const [values] = cloudflare.kvValues.values();
    expect(values.get('editor:alice.code.example.com')).toEqual({ value: JSON.stringify(ALICE), metadata: ALICE });
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
    const { workspace } = await tier.workspace(controlPlaneStack('editor/alice.code.example.com'), cloudflareOnly());

    // WHEN
    const failed = await workspace.apply(await workspace.plan()).then(() => 'applied', (e: Error) => e.message);

    // THEN
    expect(failed).toContain('.key_name: was cty.StringVal("editor/alice.code.example.com"), but now cty.StringVal("editor%2Falice.code.example.com")');
  }, STEP_TIMEOUT_MS);
});
