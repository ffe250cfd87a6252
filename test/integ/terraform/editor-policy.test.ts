import { App } from 'cdktf';
import { describeWithProviders, StackConfig, synthesize, TerraformWorkspace } from './terraform';
import { STEP_TIMEOUT_MS, TerraformTier } from './tier';
import { BasicStack, readSettings } from '../../../examples/main';
import { EditorPolicy, EditorPolicyProps } from '../../../lib';

const settings = readSettings({});
const DROPLET = 'CodeServer/Droplet/Droplet';
const VOLUME = 'CodeServer/HomeVolume/Volume';

/** The basic example, with an EditorPolicy applied to the app when one is given. */
function basic(policy?: EditorPolicyProps): StackConfig {
  return synthesize((outdir) => {
    const app = new App({ outdir });
    new BasicStack(app, 'basic', settings);
    if (policy) new EditorPolicy(policy).applyTo(app);
    return app;
  })[0];
}

/**
 * A platform team applies an EditorPolicy to editors already deployed: what the plan does to the
 * droplet and, above all, to the home volume (real Terraform and providers, against the stand-in).
 */
describeWithProviders()('an EditorPolicy applied to a deployed editor, against the stand-in', () => {
  const tier = new TerraformTier();
  tier.hooks('editor policy');
  let workspace: TerraformWorkspace;

  test('its tags update the droplet and the home volume in place, and nothing else changes', async () => {
    // GIVEN: the basic example, deployed without a policy
    const before = basic();
    ({ workspace } = await tier.workspace(before));
    await workspace.apply(await workspace.plan());
    const policed = basic({ tags: ['team:platform'], allowedSizes: ['s-2vcpu-4gb'], maxHomeSizeGib: 50 });

    // WHEN
    workspace.configure(policed, tier.standIn.providerSettings());
    const plan = await workspace.plan();

    // THEN
    expect(plan.errors).toEqual([]);
    expect(plan.changes()).toEqual({ [DROPLET]: 'update', [VOLUME]: 'update' });
    const changed = Object.fromEntries(plan.json.resource_changes
      .filter((c: any) => c.change.actions.includes('update'))
      .map((c: any) => [policed.paths.get(c.address), { before: c.change.before.tags, after: c.change.after.tags }]));
    // Tags are a set to the provider: it keeps them sorted.
    expect(changed[DROPLET].after).toEqual([...changed[DROPLET].before, 'team:platform'].sort());
    expect(changed[VOLUME].after).toEqual([...changed[VOLUME].before, 'team:platform'].sort());
  }, STEP_TIMEOUT_MS);
});
