import { writeFileSync } from 'fs';
import { join } from 'path';
import { TerraformStack } from 'cdktf';
import { describeWithProviders, readingStatesOf, StackConfig, synthesize } from './terraform';
import { EXPECTED_WARNINGS, STEP_TIMEOUT_MS, TerraformTier } from './tier';
import { buildApp, FleetExample, IDLE_STOP_TOKEN, readSettings } from '../../../examples/main';

const settings = readSettings({});
const app = buildApp(settings);
const stacks = app.node.children.filter((c): c is TerraformStack => c instanceof TerraformStack);
const fleet = stacks.find((s): s is FleetExample => s instanceof FleetExample)!;
const fleetStacks = new Set([fleet.node.id, ...Object.values(fleet.team.memberStacks).map((s) => s.node.id)]);
/** The examples whose stacks plan alone; the fleet's members read the base stack's state. */
const stackNames = stacks.map((s) => s.node.id).filter((name) => !fleetStacks.has(name));

describeWithProviders()('every example with the real providers, pointed at the stand-in', () => {
  const tier = new TerraformTier();
  tier.hooks('examples');
  let configs: StackConfig[] = [];
  const configOf = (name: string) => {
    if (configs.length === 0) configs = synthesize((outdir) => buildApp(settings, outdir));
    return configs.find((s) => s.name === name)!;
  };

  test.each(stackNames)('%s: init, validate and plan create every resource, with no error, no API call and only the expected warnings', async (name) => {
    // GIVEN
    const config = configOf(name);
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

  test('fleet: the base stack applies; then each member\'s stack, reading its state and given the idle stop\'s token variable, validates and plans every resource to create, writing nothing to the APIs', async () => {
    // GIVEN the base stack, applied (the members' stacks read its state)
    const base = configOf(fleet.node.id);
    const { workspace: baseWorkspace, initWarnings } = await tier.workspace(base);
    expect(initWarnings).toEqual([EXPECTED_WARNINGS.localChecksums]);
    const basePlan = await baseWorkspace.plan();
    expect(basePlan.errors).toEqual([]);
    expect(Object.values(basePlan.actions())).toEqual(Array([...base.paths.keys()].length).fill('create'));
    await baseWorkspace.apply(basePlan);

    for (const stack of Object.values(fleet.team.memberStacks)) {
      // WHEN
      const config = readingStatesOf(configOf(stack.node.id), { [fleet.node.id]: baseWorkspace.stateFile });
      const { workspace } = await tier.workspace(config);
      writeFileSync(join(workspace.dir, 'terraform.tfvars.json'), JSON.stringify({ [IDLE_STOP_TOKEN]: 'stand-in-idle-stop-token' }));
      const before = tier.standIn.calls.length;
      const validation = await workspace.validate();
      const plan = await workspace.plan();

      // THEN
      expect([stack.node.id, validation]).toEqual([stack.node.id, []]);
      expect([stack.node.id, plan.errors]).toEqual([stack.node.id, []]);
      expect(plan.warnings).toEqual([EXPECTED_WARNINGS.tunnelConfigurationStays]);
      expect([stack.node.id, Object.values(plan.actions())]).toEqual([stack.node.id, Array([...config.paths.keys()].length).fill('create')]);
      expect(tier.standIn.writesSince(before)).toEqual([]);
    }
    expect(tier.standIn.unknownCalls).toEqual([]);
  }, 4 * STEP_TIMEOUT_MS);
});
