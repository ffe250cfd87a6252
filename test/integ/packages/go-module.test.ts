import { readFileSync } from 'fs';
import { join } from 'path';
import { builtArtifact, installedVersion, ROOT } from './artifacts';

/** The `require` block of a go.mod: module path to version. */
function goRequirements(goMod: string): Record<string, string> {
  const block = /^require \(\n([\s\S]*?)^\)/m.exec(goMod)?.[1] ?? '';
  return Object.fromEntries(block.trim().split('\n').map((line) => line.trim().split(/\s+/) as [string, string]));
}

describe('the Go module', () => {
  const { moduleName, packageName } = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')).jsii.targets.go;
  let goMod: string;

  beforeAll(() => {
    goMod = readFileSync(builtArtifact('go', join(packageName, 'go.mod')), 'utf8');
  }, 300_000);

  test('is named by the module path of the jsii Go target', () => {
    expect(goMod.split('\n')[0]).toBe(`module ${moduleName}/${packageName}`);
  });

  test('requires cdktf, constructs and the prebuilt providers at the versions the TypeScript side is tested with', () => {
    expect(goRequirements(goMod)).toEqual({
      'github.com/aws/jsii-runtime-go': expect.stringMatching(/^v1\./),
      'github.com/aws/constructs-go/constructs/v10': `v${installedVersion('constructs')}`,
      'github.com/hashicorp/terraform-cdk-go/cdktf': `v${installedVersion('cdktf')}`,
      'github.com/cdktf/cdktf-provider-cloudflare-go/cloudflare/v13': `v${installedVersion('@cdktf/provider-cloudflare')}`,
      'github.com/cdktf/cdktf-provider-digitalocean-go/digitalocean/v13': `v${installedVersion('@cdktf/provider-digitalocean')}`,
      'github.com/cdktf/cdktf-provider-tls-go/tls/v11': `v${installedVersion('@cdktf/provider-tls')}`,
    });
  });
});
