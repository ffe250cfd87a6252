import { readdirSync, readFileSync } from 'fs';
import { join } from 'path';
import { TerraformStack } from 'cdktf';
import { buildApp, EXAMPLE_FILES, readSettings } from '../../../examples/main';

// Each example is a file of its own (test/integ/consumer/example-apps.test.ts runs each as an app),
// the examples' index names each file and its stacks, and examples/main.ts builds them all.

const EXAMPLES = join(__dirname, '..', '..', '..', 'examples');

describe('the examples, one file each', () => {
  test('every example file but the shared ones is in EXAMPLE_FILES, and their stacks are the app\'s', () => {
    const files = readdirSync(EXAMPLES).filter((f) => f.endsWith('.ts') && !['main.ts', 'settings.ts'].includes(f)).sort();
    expect(Object.keys(EXAMPLE_FILES).sort()).toEqual(files);
    const all = buildApp(readSettings({})).node.children.filter((c) => c instanceof TerraformStack).map((c) => c.node.id).sort();
    expect(Object.values(EXAMPLE_FILES).flat().sort()).toEqual(all);
  });

  test.each(Object.entries(EXAMPLE_FILES))('the index, examples/README.md, has a line for %s and its stacks', (file, stacks) => {
    const index = readFileSync(join(EXAMPLES, 'README.md'), 'utf8');
    const line = index.split('\n').find((l) => l.startsWith('| ') && l.includes(`[${file}](${file})`));
    expect(line).toBeDefined();
    expect(line).toContain(`\`${stacks[0]}\``);
  });
});
