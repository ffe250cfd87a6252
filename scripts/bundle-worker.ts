// Bundles the control plane's Worker (lib/control-plane/worker/index.ts and what it imports) into
// one ES module, lib/control-plane/assets/worker.mjs, which CodeServerControlPlane uploads as the
// script's content. Run by `npx projen bundle:worker` and before every compile;
// test/unit/control-plane/bundle.test.ts fails when the committed file is not what this makes.
import { writeFileSync } from 'fs';
import { join } from 'path';
import { buildSync } from 'esbuild';

const ROOT = join(__dirname, '..');
export const WORKER_ENTRY = join(ROOT, 'lib', 'control-plane', 'worker', 'index.ts');
export const WORKER_BUNDLE = join(ROOT, 'lib', 'control-plane', 'assets', 'worker.mjs');

/** The Worker as one ES module, for workerd: no Node.js built-ins, nothing minified (it is read in reviews). */
export function bundleWorker(): string {
  const result = buildSync({
    entryPoints: [WORKER_ENTRY],
    bundle: true,
    write: false,
    format: 'esm',
    platform: 'neutral',
    target: 'es2022',
    legalComments: 'none',
    banner: { js: '// The control plane\'s Worker, bundled from lib/control-plane/worker/ by scripts/bundle-worker.ts: edit those, not this.' },
  });
  return result.outputFiles[0].text;
}

if (require.main === module) {
  writeFileSync(WORKER_BUNDLE, bundleWorker());
}
