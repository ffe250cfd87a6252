import { spawnSync } from 'child_process';
import { mkdirSync } from 'fs';
import { join } from 'path';
import { chromium } from 'playwright-core';
import { EDITORS, Harness, WORKER_TIER_NEEDS } from './harness';
import { POLL_INTERVAL_MS } from '../../../lib/control-plane/worker/page';
import { describeTier } from '../../support/tools';

// The starting page as a developer sees it: Debian's Chromium (playwright-core, which downloads no
// browser) opens a stopped editor's address through the Worker in workerd, with Access's cookie;
// the page waits, and once the editor (a stand-in) answers it takes the browser into it.

const [ALICE] = EDITORS;
/** Where the screenshot is kept (gitignored, with jest's reports). */
const ARTIFACTS = join(__dirname, '..', '..', '..', 'test-reports', 'worker');

const describeBrowser = describeTier({
  tier: 'the worker tier\'s browser test (the starting page in Chromium)',
  ...WORKER_TIER_NEEDS,
  commands: ['chromium'],
  install: `Install Chromium with: apt-get install chromium. ${WORKER_TIER_NEEDS.install}`,
});

describeBrowser('the starting page in Chromium', () => {
  const harness = new Harness();
  beforeAll(async () => harness.start());
  afterAll(async () => harness.stop());

  test('a stopped editor\'s address shows the starting page, which opens the editor once it answers, at the address the developer opened', async () => {
    const executablePath = spawnSync('sh', ['-c', 'command -v chromium'], { encoding: 'utf8' }).stdout.trim();
    // The editor's hostname resolves to workerd's loopback port; the address stays the editor's.
    const browser = await chromium.launch({
      executablePath,
      headless: true,
      args: ['--no-sandbox', `--host-resolver-rules=MAP ${ALICE.hostname} ${harness.workerUrl!.host}`],
    });
    try {
      const context = await browser.newContext({ viewport: { width: 1000, height: 420 } });
      await context.addCookies([{ name: 'CF_Authorization', value: harness.tokenFor(ALICE), domain: ALICE.hostname, path: '/' }]);
      const page = await context.newPage();
      const address = `http://${ALICE.hostname}/?folder=/home/coder/app`;

      const first = await page.goto(address);
      expect(first?.status()).toBe(503);
      await page.locator('h1', { hasText: 'Your editor is starting' }).waitFor();
      expect(await page.locator('#left').textContent()).toBe('about 3 minutes');
      mkdirSync(ARTIFACTS, { recursive: true });
      await page.screenshot({ path: join(ARTIFACTS, 'starting-page.png') });
      expect(harness.hook.calls).toHaveLength(1);

      // A poll while the editor is still down leaves the page as it is.
      await page.waitForResponse((response) => response.url().endsWith('/.ztcs/start-status'), { timeout: 3 * POLL_INTERVAL_MS });
      expect(page.url()).toBe(address);
      await expect(page.locator('h1').textContent()).resolves.toBe('Your editor is starting');

      harness.up.add(ALICE.name);
      await page.waitForFunction('document.body.innerText.startsWith("editor ")', undefined, { timeout: 3 * POLL_INTERVAL_MS });
      expect(page.url()).toBe(address);
      expect(await page.locator('body').innerText()).toBe(`editor ${ALICE.hostname} /?folder=/home/coder/app`);
      expect(harness.hook.calls).toHaveLength(1);
    } finally {
      await browser.close();
    }
  });
});
