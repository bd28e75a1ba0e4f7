// The emulator's dashboard in Debian's Chromium: the binary on 127.0.0.1:0, three v2 requests
// from web1's source address, then the page a browser gets at /__emulator/ must show web1 with
// its automation and Managed status, web1 as a member of its pool, and its three v2 requests.

import { spawn } from 'node:child_process';
import { mkdir } from 'node:fs/promises';
import { request } from 'node:http';
import { createInterface } from 'node:readline';
import { dirname, join, resolve } from 'node:path';
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';

const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
const BINARY = resolve(REPO_ROOT, process.env.RACKCONNECT_EMULATOR ?? join('target', 'debug', 'rackconnect-emulator'));
const SCREENSHOTS = join(REPO_ROOT, 'target', 'browser-screenshots');
// The toolchain note's flags: headless, no sandbox (root in CI), nothing that phones home.
const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
];

let emulator;
let url;
let browser;

before(async () => {
  emulator = spawn(BINARY, ['--listen', '127.0.0.1:0'], { stdio: ['ignore', 'pipe', 'inherit'] });
  const first = await new Promise((resolveLine, reject) => {
    const timer = setTimeout(() => reject(new Error('the emulator did not start in time')), 15_000);
    emulator.once('exit', (code) => reject(new Error(`the emulator exited with ${code}`)));
    createInterface({ input: emulator.stdout }).once('line', (line) => {
      clearTimeout(timer);
      resolveLine(line);
    });
  });
  url = first.replace(/^listening on /, '');
  assert.match(url, /^http:\/\/127\.0\.0\.1:\d+$/);
  browser = await chromium.launch({ executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium', args: CHROMIUM_ARGS });
});

after(async () => {
  await browser?.close();
  emulator?.kill();
});

/** A v2 request as a server asks it: from its own loopback address. */
function v2Status(localAddress) {
  return new Promise((resolveStatus, reject) => {
    const req = request(`${url}/v1/automation_status`, { localAddress }, (res) => {
      res.resume();
      res.on('end', () => resolveStatus(res.statusCode));
    });
    req.on('error', reject);
    req.end();
  });
}

test('the dashboard shows a server, a pool member and the v2 request count', async () => {
  for (let i = 0; i < 3; i += 1) {
    assert.equal(await v2Status('127.0.0.2'), 200);
  }
  const page = await browser.newPage();
  const outside = [];
  page.on('request', (r) => {
    if (!r.url().startsWith(url)) outside.push(r.url());
  });
  const response = await page.goto(`${url}/__emulator/`);
  assert.equal(response.status(), 200);
  assert.match(response.headers()['content-type'], /^text\/html/);
  await mkdir(SCREENSHOTS, { recursive: true });
  await page.screenshot({ path: join(SCREENSHOTS, 'emulator-dashboard.png'), fullPage: true });

  const web1 = page.locator('#servers tbody tr', { hasText: 'web1' }).first();
  const cells = await web1.locator('td').allInnerTexts();
  assert.equal(cells[0], 'web1');
  assert.equal(cells[5], 'DEPLOYED', 'its automation');
  assert.equal(cells[6], 'Complete', 'its Managed status');
  assert.equal(cells[8], '3', 'its v2 requests');
  const pool = page.locator('#pools tbody tr', { hasText: 'dfw-web-80' });
  assert.match(await pool.innerText(), /web1 \(ACTIVE\)/, 'web1 is a member of dfw-web-80');
  assert.equal(await page.locator('#requests tbody tr').count(), 3, 'the three requests logged');
  assert.deepEqual(outside, [], 'the page loads nothing from elsewhere');
  await page.close();
});

test('other clients still get JSON at the same URL', async () => {
  const answer = await fetch(`${url}/__emulator/`);
  assert.match(answer.headers.get('content-type'), /^application\/json/);
  const summary = await answer.json();
  assert.ok(summary.servers.some((s) => s.name === 'web1'));
});
