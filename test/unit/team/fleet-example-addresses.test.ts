import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';
import { App } from 'cdktf';
import { ExampleSettings, FleetExample, readSettings } from '../../../examples/main';

// The proof that the fleet example keeps every Terraform address and stack name through a
// refactoring: what it synthesizes today, recorded once (ZTCS_RECORD_FIXTURE=1), compared after.
const FIXTURE = join(__dirname, '__fixtures__', 'fleet-example.json');

/** What must not move in one synthesized stack: its addresses, variables, backend and moved/removed blocks. */
function addressesOf(stack: any): Record<string, unknown> {
  const addresses = (blocks: Record<string, Record<string, unknown>> | undefined) =>
    Object.entries(blocks ?? {}).flatMap(([type, byName]) => Object.keys(byName).map((name) => `${type}.${name}`)).sort();
  return {
    resources: addresses(stack.resource),
    data: addresses(stack.data),
    outputs: Object.keys(stack.output ?? {}).sort(),
    variables: stack.variable ?? {},
    providers: Object.keys(stack.provider ?? {}).sort(),
    backend: stack.terraform?.backend ?? {},
    moved: stack.moved ?? [],
    removed: stack.removed ?? [],
  };
}

/** The fleet example's stacks, by name, as `addressesOf` sees them. */
function fleetExampleAddresses(settings: ExampleSettings): Record<string, Record<string, unknown>> {
  const outdir = mkdtempSync(join(tmpdir(), 'ztcs-fleet-fixture-'));
  try {
    const app = new App({ outdir });
    new FleetExample(app, 'fleet', settings);
    app.synth();
    return Object.fromEntries(readdirSync(join(outdir, 'stacks')).sort()
      .map((name) => [name, addressesOf(JSON.parse(readFileSync(join(outdir, 'stacks', name, 'cdk.tf.json'), 'utf8')))]));
  } finally {
    rmSync(outdir, { recursive: true, force: true });
  }
}

describe('the fleet example\'s addresses', () => {
  test('are the recorded ones: stack names, resource, data and output addresses, variables, backends, moved and removed blocks', () => {
    // GIVEN the example as it is, then with bob renamed and carol removed (the same roster)
    const settings = readSettings({});
    const [alice, bob] = settings.teamMembers;

    // WHEN
    const actual = {
      example: fleetExampleAddresses(settings),
      renamedAndRemoved: fleetExampleAddresses({ ...settings, teamMembers: [alice, { ...bob, name: 'bob-m', previously: 'bob' }] }),
    };
    if (process.env.ZTCS_RECORD_FIXTURE === '1' || !existsSync(FIXTURE)) writeFileSync(FIXTURE, JSON.stringify(actual, null, 2) + '\n');

    // THEN
    const recorded = JSON.parse(readFileSync(FIXTURE, 'utf8'));
    expect(Object.keys(recorded.example).length).toBeGreaterThan(1);
    expect(recorded.renamedAndRemoved['fleet-bob'].moved.length).toBeGreaterThan(0);
    expect(actual).toEqual(recorded);
  });
});
