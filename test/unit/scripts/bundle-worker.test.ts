import { readFileSync } from 'fs';
import { bundleWorker, WORKER_BUNDLE } from '../../../scripts/bundle-worker';

describe('the control plane\'s Worker bundle', () => {
  test('the committed lib/control-plane/assets/worker.mjs is what its source makes (else run npx projen bundle:worker)', () => {
    expect(readFileSync(WORKER_BUNDLE, 'utf8')).toBe(bundleWorker());
  });

  test('is one ES module with a default export and no import of anything', () => {
    const bundle = bundleWorker();
    expect(bundle).toMatch(/^export \{\n\s+index_default as default\n\};$/m);
    expect(bundle).not.toMatch(/^import /m);
    expect(bundle).not.toMatch(/require\(/);
  });
});
