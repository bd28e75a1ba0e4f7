// The console's try-it mode in Debian's Chromium: the console served as static files only (no
// emulator process), the emulator running in the page (rackconnect/emulator). Every request the
// page makes is recorded: in try-it mode none may go anywhere but the console's own files.

import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { launchBrowser, openPage, screenshot, startConsole } from '../harness.mjs';

const TEST_TIMEOUT_MS = 30_000;

let server;
let browser;

before(
  async () => {
    [server, browser] = await Promise.all([startConsole({ emulator: false }), launchBrowser()]);
  },
  { timeout: TEST_TIMEOUT_MS },
);

after(
  async () => {
    await Promise.allSettled([browser?.close(), server?.stop()]);
  },
  { timeout: TEST_TIMEOUT_MS },
);

test('try it: the demo account, a node added and ACTIVE, a v2 FAILED explained, nothing sent anywhere', { timeout: TEST_TIMEOUT_MS }, async () => {
  const page = await openPage(browser, server.consoleUrl);
  const requested = [];
  page.on('request', (request) => requested.push({ url: request.url(), method: request.method() }));

  await page.getByRole('button', { name: 'Try it without an account' }).click();
  await page.locator('#try-it-banner:not([hidden])').waitFor();
  assert.equal(await page.locator('#identity-url').inputValue(), 'http://127.0.0.1:9');
  assert.equal(await page.locator('#username').inputValue(), 'demo');
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.locator('#workspace:not([hidden])').waitFor();
  assert.equal(await page.locator('#session-user').textContent(), 'demo');
  await page.locator('#pool-list .pool').first().waitFor();
  await screenshot(page, 'try-it-signed-in');

  // A node: unmanaged into dfw-api-443, watched until ACTIVE.
  const select = async (id, prefix) => {
    const value = await page.$eval(`#${id}`, (element, text) => [...element.options].find((o) => o.text.startsWith(text))?.value, prefix);
    assert.ok(value, `#${id} offers ${prefix}`);
    await page.locator(`#${id}`).selectOption(value);
  };
  await select('node-server', 'unmanaged');
  await select('node-pool', 'dfw-api-443');
  await page.getByRole('button', { name: 'Add to pool' }).click();
  const adding = page.locator('.operation[data-state="done"]', { hasText: 'Add unmanaged to dfw-api-443' });
  await adding.waitFor();
  assert.match(await adding.textContent(), /unmanaged is an ACTIVE member of dfw-api-443/);
  const apiPool = page.locator('.pool', { has: page.getByRole('heading', { name: 'dfw-api-443' }) });
  await apiPool.locator('[data-status="ACTIVE"]', { hasText: 'unmanaged' }).waitFor();
  await screenshot(page, 'try-it-node-active');

  // v2 asked as app-failed (127.0.0.4): FAILED, explained with its failing task.
  await page.getByLabel('Ask the emulator as server').selectOption('127.0.0.4');
  await page.getByRole('button', { name: 'Ask v2 for its details' }).click();
  const result = page.locator('#v2-result');
  await result.getByText('RackConnect automation FAILED.').waitFor();
  assert.match(await result.textContent(), /Failing task: Cloud Server Created: Add "rackconnect" user/);
  assert.match(await result.textContent(), /does not retry by itself/);

  // The emulated clock moves on by hand too.
  const before = await page.locator('#try-it-clock').textContent();
  await page.getByRole('button', { name: 'Advance 5 minutes' }).click();
  assert.notEqual(await page.locator('#try-it-clock').textContent(), before);
  await screenshot(page, 'try-it-v2-failed');

  // Nothing but the console's own files was requested: no Identity, no API, not even the emulator's URL.
  const origin = new URL(server.consoleUrl).origin;
  const elsewhere = requested.filter((r) => !r.url.startsWith(`${origin}/`) || r.method !== 'GET' || /\/(v2\.0|v1|rackconnect|servers)\//.test(new URL(r.url).pathname));
  assert.deepEqual(elsewhere, [], 'every request stays in the page');
  assert.ok(requested.some((r) => r.url.endsWith('/npm/dist/rackconnect_emulator_bg.wasm')), 'the emulator .wasm was loaded from the console\'s server');
  assert.deepEqual(page.outsideRequests, []);
  assert.deepEqual(page.consoleErrors, [], 'no script error');
  await page.context().close();
});
