// The web console in Debian's Chromium, against the emulator (CORS on), through the dev server.
// Each test opens its own browser context; they share one emulator and one dev server.

import assert from 'node:assert/strict';
import { get } from 'node:http';
import { after, before, describe, test } from 'node:test';
import {
  DEMO,
  accessibilityTree,
  accessibleControls,
  launchBrowser,
  openPage,
  screenshot,
  signIn,
  signInAndLoad,
  startConsole,
} from '../harness.mjs';

const TEST_TIMEOUT_MS = 30_000;
// Emulated seconds per real second: v3 adds and removes (4 s) settle within one 2 s poll.
const CLOCK_SPEED = 10;

let server;
let browser;

before(
  async () => {
    [server, browser] = await Promise.all([startConsole({ clockSpeed: CLOCK_SPEED }), launchBrowser()]);
  },
  { timeout: TEST_TIMEOUT_MS },
);

after(
  async () => {
    await Promise.allSettled([browser?.close(), server?.stop()]);
  },
  { timeout: TEST_TIMEOUT_MS },
);

/** What a RackConnect v2 server gets from the emulator: it is told apart by its source address. */
function v2Answer(path, sourceAddress) {
  const { hostname, port } = new URL(server.emulatorUrl);
  return new Promise((resolve, reject) => {
    const request = get({ hostname, port, path, localAddress: sourceAddress }, (response) => {
      let body = '';
      response.setEncoding('utf8');
      response.on('data', (chunk) => {
        body += chunk;
      });
      response.on('end', () => resolve({ status: response.statusCode, body }));
    });
    request.on('error', reject);
  });
}

/** Changes the emulator's clock (`{speed}`: 0 stops it; `{advance_seconds}`), through its control API. */
async function setClock(change) {
  const response = await fetch(`${server.emulatorUrl}/__emulator/clock`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify(change),
  });
  assert.equal(response.status, 200, 'the emulator takes the clock change');
}

/** Stops (0) or restarts the emulator's clock, so that a test can look at a change mid-way. */
const setClockSpeed = (speed) => setClock({ speed });

function pool(page, name) {
  return page.locator('.pool', { has: page.getByRole('heading', { name }) });
}

/** The value of the first option of `select` whose text starts with `text`. */
async function optionValue(page, selectId, text) {
  const value = await page.$eval(
    `#${selectId}`,
    (select, prefix) => [...select.options].find((option) => option.text.startsWith(prefix))?.value,
    text,
  );
  assert.ok(value, `#${selectId} offers ${text}`);
  return value;
}

async function assertNoHorizontalOverflow(page, width) {
  const scrollWidth = await page.evaluate(() => document.documentElement.scrollWidth);
  assert.ok(scrollWidth <= width, `the page is ${scrollWidth} px wide at a ${width} px viewport`);
}

function assertStayedLocal(page) {
  assert.deepEqual(page.outsideRequests, [], 'no request leaves 127.0.0.1');
  assert.deepEqual(page.consoleErrors, [], 'no script error');
}

describe('the web console against the emulator', () => {
  test('signs in and lists networks, pools with their nodes, and public IPs', { timeout: TEST_TIMEOUT_MS }, async () => {
    const page = await openPage(browser, server.consoleUrl);
    assert.equal(await page.locator('#identity-url').inputValue(), server.emulatorUrl, 'the dev server hands the emulator URL to the page');
    assert.equal(await page.locator('#secret').getAttribute('type'), 'password');
    await screenshot(page, 'signin-wide');

    await signInAndLoad(page);
    assert.equal(await page.locator('#session-user').textContent(), DEMO.username);
    assert.equal(await page.locator('#session-tenant').textContent(), DEMO.tenant);
    assert.equal(await page.locator('#region').inputValue(), 'dfw', "the user's default region");
    const regions = await page.locator('#region option').allTextContents();
    assert.deepEqual(regions, ['DFW', 'HKG', 'IAD', 'LON', 'ORD', 'SYD'], 'the catalog\'s regions, the default first');

    const networks = page.locator('#network-list');
    await networks.getByText('dfw-app-net').waitFor();
    await networks.getByText('dfw-db-net').waitFor();
    assert.match(await networks.textContent(), /192\.168\.10\.0\/24/);

    const web = pool(page, 'dfw-web-80');
    const web1 = web.locator('[data-status]', { hasText: 'web1' });
    assert.equal(await web1.getAttribute('data-status'), 'ACTIVE', 'web1 is a member of the web pool');
    assert.match(await pool(page, 'dfw-api-443').textContent(), /No members/);
    assert.match(await pool(page, 'dfw-maintenance-8080').textContent(), /UPDATING/);

    const ips = page.locator('#ip-list');
    assert.match(await ips.locator('[data-status]', { hasText: '198.51.100.101' }).textContent(), /server web1/);
    assert.match(await ips.locator('[data-status]', { hasText: '198.51.100.150' }).textContent(), /RETAINED.*not assigned/s);

    // The key is gone from the form, kept in no storage, and shown nowhere.
    assert.equal(await page.locator('#secret').inputValue(), '');
    const stored = await page.evaluate(() => JSON.stringify({ ...localStorage }) + JSON.stringify({ ...sessionStorage }));
    assert.equal(stored, '{}{}');
    // (The emulator's demo account is shown on the sign-in form by design: look everywhere else.)
    const pageWithoutDemo = await page.evaluate(() => {
      const copy = document.documentElement.cloneNode(true);
      copy.querySelector('#demo-account')?.remove();
      return copy.outerHTML;
    });
    assert.ok(!pageWithoutDemo.includes(DEMO.apiKey), 'the API key appears nowhere else in the page');
    await screenshot(page, 'console-wide');

    // Another region from the catalog, on the same sign-in.
    const tokenCalls = async (method) => {
      const log = await (await fetch(`${server.emulatorUrl}/__emulator/requests`)).json();
      return log.requests.filter((entry) => entry.method === method && entry.path === '/v2.0/tokens').length;
    };
    const signInsBefore = await tokenCalls('POST');
    await page.locator('#region').selectOption('lon');
    await networks.getByText('lon-app-net').waitFor();
    assert.equal(await tokenCalls('POST'), signInsBefore, 'switching region signs in no more');

    // Signing out revokes the one token and shows the form again.
    const revokesBefore = await tokenCalls('DELETE');
    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.locator('#signin:not([hidden])').waitFor();
    assert.equal(await page.locator('#workspace').isHidden(), true);
    assert.equal((await tokenCalls('DELETE')) - revokesBefore, 1, 'the token is revoked');
    assertStayedLocal(page);
    await page.context().close();
  });

  test('adds a pool member, sees it reach ACTIVE, removes it and sees it gone', { timeout: TEST_TIMEOUT_MS }, async () => {
    const page = await openPage(browser, server.consoleUrl);
    await signInAndLoad(page);
    const apiPool = pool(page, 'dfw-api-443');

    await page.locator('#node-server').selectOption(await optionValue(page, 'node-server', 'unmanaged'));
    await page.locator('#node-pool').selectOption(await optionValue(page, 'node-pool', 'dfw-api-443'));
    // With the emulator's clock stopped the node stays ADDING, so the progress can be looked at.
    await setClockSpeed(0);
    try {
      await page.getByRole('button', { name: 'Add to pool' }).click();
      const adding = page.locator('.operation', { hasText: 'Add unmanaged to dfw-api-443' });
      await adding.waitFor();
      assert.equal(await adding.getAttribute('data-state'), 'running', 'progress is shown while it is ADDING');
      await adding.getByRole('progressbar').waitFor();
      assert.equal(await page.locator('#operations .operation').count(), 1, 'on a wide screen, in the side panel');
      await adding.getByRole('button', { name: /^Cancel/ }).waitFor();
      await apiPool.locator('[data-status="ADDING"]', { hasText: 'unmanaged' }).waitFor();
      await screenshot(page, 'add-node-in-progress');
    } finally {
      await setClockSpeed(CLOCK_SPEED);
    }
    const adding = page.locator('.operation', { hasText: 'Add unmanaged to dfw-api-443' });
    await page.locator('.operation[data-state="done"]', { hasText: 'Add unmanaged to dfw-api-443' }).waitFor();
    assert.match(await adding.textContent(), /unmanaged is an ACTIVE member of dfw-api-443/);
    const member = apiPool.locator('[data-status="ACTIVE"]', { hasText: 'unmanaged' });
    await member.waitFor();
    await screenshot(page, 'add-node-active');

    await page.getByRole('button', { name: 'Remove unmanaged from dfw-api-443' }).click();
    const removing = page.locator('.operation', { hasText: 'Remove unmanaged from dfw-api-443' });
    await removing.waitFor();
    await page.locator('.operation[data-state="done"]', { hasText: 'Remove unmanaged from dfw-api-443' }).waitFor();
    assert.match(await removing.textContent(), /no longer a member/);
    await apiPool.getByText('No members.').waitFor();
    assert.equal(await apiPool.locator('[data-node-id]').count(), 0, 'the member is gone');
    assertStayedLocal(page);
    await page.context().close();
  });

  test('shows control characters in names from the API escaped', { timeout: TEST_TIMEOUT_MS }, async () => {
    const name = 'web9\u001b[2J\u001b]0;PWNED\u0007';
    const built = await fetch(`${server.emulatorUrl}/__emulator/servers`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ name, tenant: DEMO.tenant, region: 'DFW' }),
    });
    assert.equal(built.status, 201, await built.text());
    const page = await openPage(browser, server.consoleUrl);
    await signInAndLoad(page);
    const options = await page.locator('#node-server option').allTextContents();
    const shown = options.find((text) => text.startsWith('web9'));
    assert.ok(shown, `the server is offered: ${options}`);
    assert.ok(shown.includes('web9\\u{1b}[2J\\u{1b}]0;PWNED\\u{7}'), shown);
    assert.ok(!(await page.content()).includes('\u001b'), 'no raw escape reaches the page');
    assertStayedLocal(page);
    await page.context().close();
  });

  test('cancels watching a change with its Cancel button', { timeout: TEST_TIMEOUT_MS }, async () => {
    const page = await openPage(browser, server.consoleUrl);
    await signInAndLoad(page);
    await page.locator('#ip-server').selectOption(await optionValue(page, 'ip-server', 'unmanaged'));
    const creating = page.locator('.operation', { hasText: 'Create a public IP for unmanaged' });
    await setClockSpeed(0); // the IP stays ADDING until the Cancel button is pressed
    try {
      await page.getByRole('button', { name: 'Create public IP' }).click();
      await creating.getByRole('button', { name: /^Cancel/ }).click();
      await page.locator('.operation[data-state="cancelled"]').waitFor();
      assert.match(await creating.textContent(), /Stopped watching/);
      // The change goes on at RackConnect: past its 4 s it is ACTIVE, which Refresh shows.
      await setClock({ advance_seconds: 10 });
      await page.getByRole('button', { name: 'Refresh' }).click();
      await page.locator('#ip-list [data-status="ACTIVE"]', { hasText: 'server unmanaged' }).waitFor();
    } finally {
      await setClockSpeed(CLOCK_SPEED);
    }

    // Deleted, and watched until gone.
    const ip = page.locator('#ip-list [data-status="ACTIVE"]', { hasText: 'server unmanaged' });
    await ip.getByRole('button', { name: /^Delete public IP/ }).click();
    await page.locator('.operation[data-state="done"]', { hasText: 'Delete public IP' }).waitFor();
    await page.locator('#ip-list [data-status]', { hasText: 'server unmanaged' }).waitFor({ state: 'detached' });
    assertStayedLocal(page);
    await page.context().close();
  });

  test('explains a wrong API key and an unreachable Identity without showing the key', { timeout: TEST_TIMEOUT_MS }, async () => {
    const page = await openPage(browser, server.consoleUrl);
    const wrongKey = 'not-the-demo-key-7f3a';
    await signIn(page, { apiKey: wrongKey });
    const error = page.locator('#signin-error');
    await error.waitFor();
    assert.match(await error.textContent(), /did not accept this username and API key/);
    assert.match(await error.textContent(), /Unable to authenticate user with credentials provided/, "Identity's own words");
    assert.ok(!(await page.locator('body').innerText()).includes(wrongKey), 'the key is not shown');
    assert.equal(await page.locator('#workspace').isHidden(), true);
    await screenshot(page, 'signin-wrong-key');

    // A user with multi-factor: the console says it cannot do the second factor.
    await page.getByRole('radio', { name: 'Use a password' }).check();
    await page.getByLabel('Username').fill('demo-mfa');
    await page.getByLabel('Password', { exact: true }).fill('demo-mfa-password');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.locator('#signin-error', { hasText: 'second factor' }).waitFor();

    // Nothing listens on port 9 of 127.0.0.1: the network error is told as such.
    await page.locator('#identity-url').fill('http://127.0.0.1:9');
    await signIn(page);
    await page.locator('#signin-error', { hasText: 'Cannot reach 127.0.0.1:9' }).waitFor();
    assert.deepEqual(page.consoleErrors, []);
    await page.context().close();
  });

  test("shows RackConnect's 409s in its own words", { timeout: TEST_TIMEOUT_MS }, async () => {
    const page = await openPage(browser, server.consoleUrl);
    await signInAndLoad(page);

    // web1 already has a public IP: one per server.
    const web1 = await optionValue(page, 'ip-server', 'web1');
    await page.locator('#ip-server').selectOption(web1);
    await page.getByRole('button', { name: 'Create public IP' }).click();
    const ipError = page.locator('#add-ip-error');
    await ipError.waitFor();
    assert.match(await ipError.textContent(), /RackConnect refused the change/);
    assert.match(await ipError.textContent(), new RegExp(`Cloud Server ${web1} already has a Public IP`, 'i'));

    // web1 is already in the web pool.
    await page.locator('#node-server').selectOption(web1);
    await page.locator('#node-pool').selectOption(await optionValue(page, 'node-pool', 'dfw-web-80'));
    await page.getByRole('button', { name: 'Add to pool' }).click();
    const nodeError = page.locator('#add-node-error');
    await nodeError.waitFor();
    assert.match(await nodeError.textContent(), /is already a member of Load Balancer Pool/i);
    assert.equal(await page.locator('.operation').count(), 0, 'a refused change starts nothing to watch');
    await screenshot(page, 'conflict-wide');
    assertStayedLocal(page);
    await page.context().close();
  });

  test('explains pasted v2 answers: FAILED details, DEPLOYING, a 403', { timeout: TEST_TIMEOUT_MS }, async () => {
    const page = await openPage(browser, server.consoleUrl);
    // The answer the failed server (app-failed, 127.0.0.4) gets from v2 itself.
    const failed = await v2Answer('/v1/automation_status/details', '127.0.0.4');
    assert.equal(failed.status, 200);
    const result = page.locator('#v2-result');

    await page.getByLabel('Answer (text, JSON or XML)').fill(failed.body);
    await page.getByRole('button', { name: 'Explain' }).click();
    await result.waitFor();
    assert.match(await result.textContent(), /FAILED/);
    assert.match(await result.textContent(), /Failing task: Cloud Server Created: Add "rackconnect" user/);
    assert.equal(await result.locator('p.task--failed').count(), 1, 'only the FAILED task is named as the cause');
    assert.match(await result.textContent(), /still PENDING: never run/);
    assert.match(await result.textContent(), /does not retry by itself/);
    await screenshot(page, 'v2-failed-wide');

    await page.getByLabel('Answer (text, JSON or XML)').fill(
      '<automation_status_details><automation_status>DEPLOYING</automation_status><tasks><task>' +
        '<name>Cloud Server Created: Add "rackconnect" user</name><status>IN_PROGRESS</status></task></tasks>' +
        '</automation_status_details>',
    );
    await page.getByRole('button', { name: 'Explain' }).click();
    await result.getByText('keep waiting', { exact: false }).first().waitFor();
    assert.match(await result.textContent(), /Read as XML/);

    await page.getByLabel('Answer (text, JSON or XML)').fill('HTTP/1.1 403 Forbidden\r\ncontent-length: 0\r\n\r\n');
    await page.getByLabel('Which call').selectOption('automation_status');
    await page.getByRole('button', { name: 'Explain' }).click();
    await result.getByText('30 requests per minute', { exact: false }).waitFor();

    await page.getByLabel('Which call').selectOption('auto');
    await page.getByLabel('Answer (text, JSON or XML)').fill('{"no": "status here"}');
    await page.getByRole('button', { name: 'Explain' }).click();
    await result.getByText('does not read as a RackConnect v2 answer').waitFor();
    assertStayedLocal(page);
    await page.context().close();
  });

  test('fits a 375 px wide screen in one column', { timeout: TEST_TIMEOUT_MS }, async () => {
    const width = 375;
    const page = await openPage(browser, server.consoleUrl, { width, height: 812 });
    await assertNoHorizontalOverflow(page, width);
    await screenshot(page, 'signin-narrow');

    await signInAndLoad(page);
    await page.getByLabel('Answer (text, JSON or XML)').fill((await v2Answer('/v1/automation_status/details', '127.0.0.4')).body);
    await page.getByRole('button', { name: 'Explain' }).click();
    await page.locator('#v2-result').waitFor();
    // A refused change puts long upper-case UUIDs on the page: they must wrap too.
    await page.locator('#ip-server').selectOption(await optionValue(page, 'ip-server', 'web1'));
    await page.getByRole('button', { name: 'Create public IP' }).click();
    await page.locator('#add-ip-error').waitFor();
    await assertNoHorizontalOverflow(page, width);

    const columns = await page.$eval('.layout', (layout) => getComputedStyle(layout).gridTemplateColumns.split(' ').length);
    assert.equal(columns, 1, 'a single column');
    await screenshot(page, 'console-narrow');
    assertStayedLocal(page);
    await page.context().close();
  });

  /* Issue 14, item 5: the console as a person uses it. These two change the emulator (one stops
     its clock), so they run in turn with the others above. */

  test('on a phone, shows progress beside the button that started it', { timeout: TEST_TIMEOUT_MS }, async () => {
    const page = await openPage(browser, server.consoleUrl, { width: 375, height: 812 });
    await signInAndLoad(page);
    const apiPool = pool(page, 'dfw-api-443');
    await page.locator('#node-server').selectOption(await optionValue(page, 'node-server', 'unmanaged'));
    await page.locator('#node-pool').selectOption(await optionValue(page, 'node-pool', 'dfw-api-443'));
    const add = page.getByRole('button', { name: 'Add to pool' });
    const adding = page.locator('.operation', { hasText: 'Add unmanaged to dfw-api-443' });
    await setClockSpeed(0);
    try {
      await add.click();
      await adding.getByRole('progressbar').waitFor();
      const button = await add.boundingBox();
      const entry = await adding.boundingBox();
      const gap = entry.y - (button.y + button.height);
      assert.ok(gap >= 0 && gap <= 80, `the progress starts ${Math.round(gap)} px below the Add button (at most 80)`);
      assert.ok(entry.y < 812, `the progress starts in view (at ${Math.round(entry.y)} px)`);
      assert.equal(await page.locator('#operations').isHidden(), true, 'not in the panel at the foot of the page');
      const cancel = await adding.getByRole('button', { name: /^Cancel/ }).boundingBox();
      assert.ok(cancel.height >= 44 && cancel.width >= 44, `Cancel is ${cancel.width}×${cancel.height} px`);
      await screenshot(page, 'add-node-narrow-progress');
    } finally {
      await setClockSpeed(CLOCK_SPEED);
    }
    await page.locator('.operation[data-state="done"]', { hasText: 'Add unmanaged to dfw-api-443' }).waitFor();
    await apiPool.locator('[data-status="ACTIVE"]', { hasText: 'unmanaged' }).waitFor();

    // A remove is watched in its pool, beside its Remove button.
    const remove = page.getByRole('button', { name: 'Remove unmanaged from dfw-api-443', exact: true });
    await remove.click();
    const removing = apiPool.locator('.operation', { hasText: 'Remove unmanaged from dfw-api-443' });
    await removing.waitFor();
    // Both measured at once (the same scroll); the button stays while the node is REMOVING.
    const [removeBox, removingBox] = await Promise.all([remove.boundingBox(), removing.boundingBox()]);
    const distance = removeBox.y - (removingBox.y + removingBox.height);
    assert.ok(distance >= 0 && distance <= 120, `the remove's progress ends ${Math.round(distance)} px above its button`);
    // (The emulator finishes the remove; the add and remove test above watches one to the end.)
    assertStayedLocal(page);
    await page.context().close();
  });

  test('says what happened when an add fails, once', { timeout: TEST_TIMEOUT_MS }, async () => {
    const page = await openPage(browser, server.consoleUrl);
    await signInAndLoad(page);
    await page.locator('#node-server').selectOption(await optionValue(page, 'node-server', 'web-add-fails'));
    await page.locator('#node-pool').selectOption(await optionValue(page, 'node-pool', 'dfw-web-80'));
    await page.getByRole('button', { name: 'Add to pool' }).click();
    const failed = page.locator('.operation[data-state="failed"]', { hasText: 'Add web-add-fails to dfw-web-80' });
    await failed.waitFor();
    assert.equal(
      await failed.locator('.operation__message').innerText(),
      'ADD_FAILED: Unable to communicate with network device',
      "the status it ended in and RackConnect's words, as the core says them",
    );
    const text = await failed.innerText();
    assert.doesNotMatch(text, /It ended/);
    assert.equal(text.split('Unable to communicate with network device').length - 1, 1, `said once: ${text}`);
    const member = pool(page, 'dfw-web-80').locator('[data-status="ADD_FAILED"]', { hasText: 'web-add-fails' });
    await member.waitFor();
    await screenshot(page, 'add-failed-wide');

    // Put the pool back as it was (a failed node can be removed); the emulator finishes it.
    await member.getByRole('button', { name: 'Remove web-add-fails from dfw-web-80' }).click();
    await page.locator('.operation', { hasText: 'Remove web-add-fails from dfw-web-80' }).waitFor();
    assertStayedLocal(page);
    await page.context().close();
  });
});

// Issue 14, item 5, continued: what a screen reader and a phone meet. These only read (no change,
// no clock), so they run three at a time, after the block above.
describe('the console as a person uses it', { concurrency: 3 }, () => {
  test('gives every control one accessible name of its own', { timeout: TEST_TIMEOUT_MS }, async () => {
    const page = await openPage(browser, server.consoleUrl);
    const duplicates = (controls) => {
      const seen = new Map();
      for (const { role, name } of controls) seen.set(name, [...(seen.get(name) ?? []), role]);
      return [...seen].filter(([, roles]) => roles.length > 1).map(([name, roles]) => `${name} (${roles.join(', ')})`);
    };
    const check = async (when) => {
      const controls = await accessibleControls(page);
      assert.ok(controls.length > 5, `${when}: the tree has the controls`);
      assert.deepEqual(controls.filter((c) => !c.name.trim()), [], `${when}: every control has a name`);
      assert.deepEqual(duplicates(controls), [], `${when}: no two controls share a name`);
      return controls;
    };
    const signInControls = await check('the sign-in form');
    for (const [role, name] of [['radio', 'Use an API key'], ['radio', 'Use a password'], ['textbox', 'API key']]) {
      assert.ok(signInControls.some((c) => c.role === role && c.name === name), `a ${role} named "${name}"`);
    }
    await page.getByRole('radio', { name: 'Use a password' }).check();
    assert.ok((await check('password chosen')).some((c) => c.role === 'textbox' && c.name === 'Password'));

    await signInAndLoad(page);
    const workspace = await check('the workspace');
    const names = workspace.filter((c) => c.role === 'combobox').map((c) => c.name);
    assert.ok(names.includes('Cloud server to add') && names.includes('Cloud server for the public IP'), names.join(', '));
    assert.match(
      await page.locator('#pools').ariaSnapshot(),
      /combobox "Cloud server to add"[\s\S]*combobox "Pool"[\s\S]*button "Add to pool"/,
    );
    assertStayedLocal(page);
    await page.context().close();
  });

  test('moves focus to the workspace heading after sign-in', { timeout: TEST_TIMEOUT_MS }, async () => {
    const page = await openPage(browser, server.consoleUrl);
    await signInAndLoad(page);
    await page.locator('#refresh-status', { hasText: 'updated' }).waitFor();
    // The document itself (RootWebArea) reports focus too: the element that has it is the other one.
    const focused = (await accessibilityTree(page)).filter((node) => node.focused && node.role !== 'RootWebArea');
    assert.deepEqual(
      focused.map(({ role, name }) => ({ role, name })),
      [{ role: 'heading', name: 'RackConnect v3 in DFW' }],
      'a screen reader is at the top of the workspace, once the lists have loaded too',
    );
    assert.equal(await page.locator('#workspace-title').ariaSnapshot(), '- heading "RackConnect v3 in DFW" [level=1]');
    await page.context().close();
  });

  test('makes every touch target at least 44 px on a phone', { timeout: TEST_TIMEOUT_MS }, async () => {
    const page = await openPage(browser, server.consoleUrl, { width: 375, height: 812 });
    // Everything a finger can press: buttons, links, fields, and the labels of radios and checkboxes.
    const small = () =>
      page.evaluate(() =>
        [
          ...document.querySelectorAll(
            'button, a[href], input:not([type="radio"]):not([type="checkbox"]), select, textarea, ' +
              'label:has(> input[type="radio"]), label:has(> input[type="checkbox"])',
          ),
        ]
          .filter((node) => node.getClientRects().length > 0)
          .map((node) => {
            const { width, height } = node.getBoundingClientRect();
            const what = node.id || node.getAttribute('aria-label') || node.textContent.trim().slice(0, 40);
            return { what, width: Math.round(width * 10) / 10, height: Math.round(height * 10) / 10 };
          })
          .filter(({ width, height }) => width < 44 || height < 44),
      );
    assert.deepEqual(await small(), [], 'the sign-in form');
    await signInAndLoad(page);
    await page.getByLabel('Answer (text, JSON or XML)').fill('DEPLOYED');
    await page.getByRole('button', { name: 'Explain' }).click();
    await page.locator('#v2-result').waitFor();
    assert.deepEqual(await small(), [], 'the workspace, its lists and the v2 panel');
    await screenshot(page, 'touch-targets-narrow');
    await page.context().close();
  });

  test('offers no pool that is not ACTIVE and no server whose automation failed as a default', { timeout: TEST_TIMEOUT_MS }, async () => {
    const page = await openPage(browser, server.consoleUrl);
    await signInAndLoad(page);
    const choices = (id) =>
      page.$eval(`#${id}`, (select) => ({
        chosen: select.selectedOptions[0]?.text ?? null,
        value: select.value,
        ready: [...select.children].filter((node) => node.tagName === 'OPTION').map((option) => option.text),
        notReady: [...select.querySelectorAll('optgroup option')].map((option) => option.text),
        group: select.querySelector('optgroup')?.label ?? null,
      }));

    const servers = await choices('node-server');
    assert.ok(servers.value, 'a server is chosen');
    assert.doesNotMatch(servers.chosen, /^(app-failed|db-build-error|db-auth-error)/, 'the default is not a failed server');
    assert.ok(!servers.notReady.includes(servers.chosen), `the default ${servers.chosen} is fit`);
    assert.match(servers.group, /Not ready/);
    for (const [name, reason] of [
      ['app-failed', 'RackConnect automation FAILED'],
      ['db-build-error', 'Managed Operations automation: Build Error'],
      ['db-auth-error', 'Managed Operations automation: Authentication Error'],
    ]) {
      assert.ok(servers.notReady.some((text) => text.startsWith(name) && text.endsWith(reason)), `${name}: ${servers.notReady}`);
      assert.ok(!servers.ready.some((text) => text.startsWith(name)), `${name} is not among the ready ones`);
    }
    const ipServers = await choices('ip-server');
    assert.ok(ipServers.value && !ipServers.notReady.includes(ipServers.chosen), `the public IP's default ${ipServers.chosen}`);

    const pools = await choices('node-pool');
    assert.ok(!pools.chosen.startsWith('dfw-maintenance-8080'), pools.chosen);
    assert.deepEqual(pools.notReady, ['dfw-maintenance-8080 (port 8080) · pool UPDATING, not ACTIVE: Pool is being reconfigured by Rackspace']);
    await screenshot(page, 'defaults-wide');

    // IAD's one server does not apply: nothing is chosen for the user.
    await page.locator('#region').selectOption('iad');
    await page.locator('#refresh-status', { hasText: 'IAD' }).waitFor();
    const iad = await choices('node-server');
    assert.equal(iad.value, '', 'no default');
    assert.match(iad.chosen, /none is ready/);
    assert.ok(iad.notReady.some((text) => text.startsWith('app-unprocessable') && /UNPROCESSABLE/.test(text)), iad.notReady);
    await page.getByRole('button', { name: 'Add to pool' }).click();
    await page.locator('#add-node-error', { hasText: 'Choose a cloud server and a pool' }).waitFor();
    assertStayedLocal(page);
    await page.context().close();
  });

  test('shows the demo account when it talks to the emulator', { timeout: TEST_TIMEOUT_MS }, async () => {
    const page = await openPage(browser, server.consoleUrl);
    const demo = page.locator('#demo-account');
    assert.equal(await demo.isVisible(), true);
    const text = await demo.innerText();
    assert.match(text, /emulator/i);
    assert.match(text, new RegExp(`username ${DEMO.username}, API key ${DEMO.apiKey}`));
    await page.getByRole('button', { name: 'Fill in the demo account' }).click();
    assert.equal(await page.getByLabel('Username').inputValue(), DEMO.username);
    assert.equal(await page.getByLabel('API key', { exact: true }).inputValue(), DEMO.apiKey);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.locator('#pool-list .pool').first().waitFor();
    assertStayedLocal(page);
    await page.context().close();
  });

  test('explains an insecure Identity URL as such, sending nothing', { timeout: TEST_TIMEOUT_MS }, async () => {
    const page = await openPage(browser, server.consoleUrl);
    const identity = page.getByLabel('Identity URL');
    await identity.fill('http://identity.example.test');
    await signIn(page);
    const error = page.locator('#signin-error');
    await error.waitFor();
    const text = await error.innerText();
    assert.match(text, /http:\/\/identity\.example\.test is not a secure address/);
    assert.match(text, /only over https:\/\//);
    assert.match(text, /Nothing was sent/);
    assert.doesNotMatch(text, /Cannot reach/);
    assert.equal(await identity.getAttribute('aria-invalid'), 'true');
    assert.equal(await page.evaluate(() => document.activeElement?.id), 'identity-url', 'focus goes to what to fix');
    await screenshot(page, 'signin-insecure-url');
    assertStayedLocal(page); // the core refused it: no request left 127.0.0.1
    await page.context().close();
  });
});
