import { TerraformStack } from 'cdktf';
import { describeWithProviders, synthesize } from './terraform';
import { EXPECTED_WARNINGS, STEP_TIMEOUT_MS, TerraformTier } from './tier';
import { buildApp, readSettings } from '../../../examples/main';

const settings = readSettings({});
const stackNames = buildApp(settings)
  .node.children.filter((c): c is TerraformStack => c instanceof TerraformStack)
  .map((s) => s.node.id);

describeWithProviders()('every example with the real providers, pointed at the stand-in', () => {
  const tier = new TerraformTier();
  tier.hooks('examples');

  test.each(stackNames)('%s: init, validate and plan create every resource, with no error, no API call and only the expected warnings', async (name) => {
    // GIVEN
    const config = synthesize((outdir) => buildApp(settings, outdir)).find((s) => s.name === name)!;
    const resourceCount = [...config.paths.keys()].length;

    // WHEN
    const { workspace, initWarnings } = await tier.workspace(config);
    const validation = await workspace.validate();
    const plan = await workspace.plan();

    // THEN
    expect(initWarnings).toEqual([EXPECTED_WARNINGS.localChecksums]);
    expect(validation).toEqual([]);
    expect(plan.errors).toEqual([]);
    expect(plan.warnings).toEqual([EXPECTED_WARNINGS.tunnelConfigurationStays]);
    expect(Object.values(plan.actions())).toEqual(Array(resourceCount).fill('create'));
    expect(tier.standIn.calls).toEqual([]);
  }, STEP_TIMEOUT_MS);
});
