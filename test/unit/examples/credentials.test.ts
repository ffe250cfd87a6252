import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';
import { buildApp, readSettings } from '../../../examples/main';
import { literalSecretIn } from '../../../lib/private/validation';
import { TUNNEL_TOKEN_REFERENCE } from '../../support/fixtures';

// Issue 28: no droplet holds a cloud credential. The only secret in an editor's user data is its
// tunnel's token; the control plane alone holds a DigitalOcean token.

/** Every droplet of every example stack (cross-stack references resolved), with its stack and address. */
function exampleDroplets(): Array<{ where: string; userData: string }> {
  const outdir = mkdtempSync(join(tmpdir(), 'ztcs-credentials-'));
  try {
    buildApp(readSettings({}), outdir).synth();
    return readdirSync(join(outdir, 'stacks')).flatMap((stack) => {
      const synth = JSON.parse(readFileSync(join(outdir, 'stacks', stack, 'cdk.tf.json'), 'utf8'));
      return Object.entries<any>(synth.resource?.digitalocean_droplet ?? {}).map(([name, droplet]) => ({ where: `${stack}:${name}`, userData: droplet.user_data as string }));
    });
  } finally {
    rmSync(outdir, { recursive: true, force: true });
  }
}

describe('the examples\' droplets', () => {
  const droplets = exampleDroplets();

  test('are there to look at, an idle-stopping one among them', () => {
    expect(droplets.length).toBeGreaterThan(3);
    expect(droplets.some(({ userData }) => userData.includes('idle'))).toBe(true);
  });

  test('hold no DigitalOcean credential, nor any other but their tunnel\'s token, in their user data', () => {
    for (const { where, userData } of droplets) {
      const references = [...userData.matchAll(/\$\{([^}]*)\}/g)].map((m) => m[1]);
      expect([where, references.filter((ref) => /\bvar\./.test(ref))]).toEqual([where, []]);
      expect([where, literalSecretIn(userData)]).toEqual([where, undefined]);
      expect([where, /authorization|bearer|api\.digitalocean\.com|digitalocean-api/i.exec(userData)?.[0]]).toEqual([where, undefined]);
      expect([where, userData.includes(TUNNEL_TOKEN_REFERENCE)]).toEqual([where, true]);
    }
  });
});
