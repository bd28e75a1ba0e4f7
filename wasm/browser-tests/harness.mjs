// Shared set-up for the browser tests: the dev server (which starts the emulator), Debian's
// Chromium through playwright-core, screenshots, and the steps several tests share.

import { spawn } from 'node:child_process';
import { mkdir } from 'node:fs/promises';
import { createInterface } from 'node:readline';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';

const HERE = dirname(fileURLToPath(import.meta.url));
export const REPO_ROOT = resolve(HERE, '..', '..');
export const SCREENSHOT_DIR = join(REPO_ROOT, 'target', 'browser-screenshots');
const SERVE_SCRIPT = join(REPO_ROOT, 'wasm', 'console', 'serve.mjs');
const CHROMIUM = process.env.CHROMIUM ?? '/usr/bin/chromium';
// The toolchain note's flags: headless, no sandbox (root in CI), and nothing that phones home.
const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
];

export const DEMO = { username: 'demo', apiKey: 'demo-api-key', tenant: '123456' };

function emulatorBinary() {
  const binary = process.env.RACKCONNECT_EMULATOR ?? join('target', 'debug', 'rackconnect-emulator');
  return resolve(REPO_ROOT, binary);
}

/**
 * Starts `serve.mjs --emulator` on 127.0.0.1:0 and resolves with the console's and the
 * emulator's URLs once both listen. `stop()` ends the server, which ends the emulator. With
 * `emulator: false`, the console alone (the static files), as any static server would serve it.
 */
export async function startConsole({ clockSpeed = 1, emulator = true } = {}) {
  const args = emulator
    ? [SERVE_SCRIPT, '0', '--emulator', emulatorBinary(), '--clock-speed', String(clockSpeed)]
    : [SERVE_SCRIPT, '0'];
  const lineCount = emulator ? 2 : 1;
  // stdin is a pipe: serve.mjs stops (and stops the emulator) when it closes, even if this
  // process is killed before it can stop them.
  const child = spawn(process.execPath, args, { stdio: ['pipe', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (chunk) => {
    stderr += chunk;
  });
  const lines = createInterface({ input: child.stdout });
  const urls = await new Promise((resolveUrls, reject) => {
    const seen = [];
    const timer = setTimeout(() => reject(new Error(`serve.mjs did not start in time: ${stderr}`)), 15_000);
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`serve.mjs exited with ${code}: ${stderr}`));
    });
    lines.on('line', (line) => {
      seen.push(line);
      if (seen.length === lineCount) {
        clearTimeout(timer);
        resolveUrls({ consoleUrl: seen[0], emulatorUrl: seen[1]?.replace(/^emulator /, '') ?? null });
      }
    });
  });
  child.removeAllListeners('exit');
  const stop = () =>
    new Promise((done) => {
      if (child.exitCode !== null || child.signalCode !== null) return done();
      child.once('exit', () => done());
      child.kill('SIGTERM');
    });
  return { ...urls, stop };
}

export function launchBrowser() {
  return chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS, timeout: 20_000 });
}

/**
 * A fresh page (its own context: no shared storage). Every request that leaves 127.0.0.1 is
 * aborted and recorded, so a test can assert the console talks to nothing else.
 */
export async function openPage(browser, url, { width = 1280, height = 900 } = {}) {
  const context = await browser.newContext({ viewport: { width, height } });
  // Well under the tests' 30 s, so that a stuck step fails by name rather than by the test's timeout.
  context.setDefaultTimeout(10_000);
  const page = await context.newPage();
  page.outsideRequests = [];
  page.consoleErrors = [];
  await context.route('**/*', (route) => {
    const { hostname } = new URL(route.request().url());
    if (hostname === '127.0.0.1') return route.continue();
    page.outsideRequests.push(route.request().url());
    return route.abort();
  });
  page.on('console', (message) => {
    // Chromium logs every HTTP error answer (a 401, a 409) as "Failed to load resource": those are
    // the API speaking, which the page shows itself; anything else is a script problem.
    if (message.type() === 'error' && !message.text().startsWith('Failed to load resource')) {
      page.consoleErrors.push(message.text());
    }
  });
  page.on('pageerror', (error) => page.consoleErrors.push(String(error)));
  await page.goto(url);
  // Either the sign-in form or, when the package failed to load, the page's own explanation.
  await page.locator('#signin:not([hidden]), #fatal:not([hidden])').first().waitFor();
  if (await page.locator('#fatal').isVisible()) {
    throw new Error(`the console did not start: ${await page.locator('#fatal').innerText()}`);
  }
  return page;
}

export async function screenshot(page, name) {
  await mkdir(SCREENSHOT_DIR, { recursive: true });
  const path = join(SCREENSHOT_DIR, `${name}.png`);
  // From the top: the sticky side column would otherwise be drawn where the last scroll left it.
  await page.evaluate(() => window.scrollTo(0, 0));
  await page.screenshot({ path, fullPage: true });
  return path;
}

/** Signs in through the form and waits for the workspace to show the pools. */
export async function signIn(page, { username = DEMO.username, apiKey = DEMO.apiKey } = {}) {
  await page.getByLabel('Username').fill(username);
  await page.getByRole('radio', { name: 'Use an API key' }).check();
  await page.getByLabel('API key', { exact: true }).fill(apiKey);
  await page.getByRole('button', { name: 'Sign in' }).click();
}

export async function signInAndLoad(page, credentials) {
  await signIn(page, credentials);
  await page.locator('#workspace:not([hidden])').waitFor();
  await page.locator('#pool-list .pool').first().waitFor();
}

// Roles a person operates: each must have a name, and no two the same one (issue 14).
const CONTROL_ROLES = new Set([
  'button', 'link', 'textbox', 'searchbox', 'combobox', 'listbox', 'radio', 'checkbox', 'switch',
  'slider', 'spinbutton', 'tab', 'menuitem',
]);

/**
 * The page's accessibility tree as Chromium builds it for a screen reader (CDP
 * `Accessibility.getFullAXTree`), without the nodes it ignores: `{role, name, focused}` each.
 */
export async function accessibilityTree(page) {
  const cdp = await page.context().newCDPSession(page);
  try {
    const { nodes } = await cdp.send('Accessibility.getFullAXTree');
    return nodes
      .filter((node) => !node.ignored)
      .map((node) => ({
        role: node.role?.value ?? '',
        name: node.name?.value ?? '',
        focused: Boolean(node.properties?.some((p) => p.name === 'focused' && p.value?.value)),
      }));
  } finally {
    await cdp.detach();
  }
}

/** The controls of the accessibility tree (see CONTROL_ROLES). */
export async function accessibleControls(page) {
  return (await accessibilityTree(page)).filter((node) => CONTROL_ROLES.has(node.role));
}
