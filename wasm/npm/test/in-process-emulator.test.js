// `rackconnect/emulator`: the emulator's engine in this process, behind `emulator.fetch`. The
// package's Client runs a sign-in, ensures and waits against it with no network (the global
// fetch throws here) and the emulator's virtual clock (a two-minute automation takes ms).

import { after, afterEach, beforeEach, test } from "node:test";
import assert from "node:assert/strict";
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { inspect } from "node:util";
import { gzipSync } from "node:zlib";

import { Client, InvalidInputError, RateLimitedError, TransportError } from "rackconnect";
import { ControlError, EMULATOR_URL, Emulator, builtInScenarios } from "rackconnect/emulator";

const DFW_API_POOL = "00000001-bbbb-4bbb-8bbb-dfw000000002";
const UNMANAGED = "0000000a-cccc-4ccc-8ccc-00000000000a";
const WEB2 = "00000002-cccc-4ccc-8ccc-000000000002";

// Nothing here may reach the network: the real fetch throws while these tests run.
const realFetch = globalThis.fetch;
globalThis.fetch = () => {
  throw new Error("the network was used: every request must go through emulator.fetch");
};
after(() => {
  globalThis.fetch = realFetch;
});

let emulator;
let client;
beforeEach(() => {
  emulator = new Emulator();
  client = new Client(emulator.clientOptions());
});
afterEach(() => emulator.free());

test("signs in to the demo account through emulator.fetch; the catalog points at the emulator", async () => {
  const session = await client.signIn();
  assert.equal(session.username, "demo");
  assert.equal(session.tenantId, "123456");
  assert.equal(session.region, "dfw");
  assert.equal(session.endpoints.rackconnect, `${EMULATOR_URL}/rackconnect/DFW/v3/123456`);
  const [signIn] = emulator.requests().requests;
  assert.deepStrictEqual([signIn.method, signIn.path, signIn.status], ["POST", "/v2.0/tokens", 200]);
});

test("the credentials are there when asked for by name, not in what console.log shows", () => {
  assert.equal(emulator.apiKey, "demo-api-key");
  assert.equal(emulator.password, "demo-password");
  assert.equal(emulator.scenario.accounts[0].users[0].api_key, "demo-api-key");
  const shown = inspect(emulator, { depth: 5 });
  assert.ok(!shown.includes("demo-api-key") && !shown.includes("demo-password"), shown);
  assert.ok(shown.includes("demo"), "the username is shown");
});

test("ensures a pool node to ACTIVE and a public IP, on the virtual clock", async () => {
  const started = Date.now();
  const members = await client.ensurePoolMembers({ servers: [UNMANAGED], pools: [DFW_API_POOL] });
  assert.equal(members.outcome, "done", JSON.stringify(members));
  assert.deepStrictEqual(members.added, [{ server_id: UNMANAGED, pool_id: DFW_API_POOL }]);
  const nodes = await client.listNodes(DFW_API_POOL);
  assert.equal(nodes.find((n) => n.cloud_server.id === UNMANAGED)?.status, "ACTIVE", JSON.stringify(nodes));
  const ip = await client.ensurePublicIp({ serverId: UNMANAGED });
  assert.equal(ip.outcome, "done", JSON.stringify(ip));
  assert.equal((await client.ensurePublicIp({ serverId: UNMANAGED })).changed, false);
  assert.ok(Date.now() - started < 5_000, "the waits slept on the virtual clock");
});

test("a server wait sees DEPLOYED after the two-minute automation, in virtual time", async () => {
  const before = emulator.clock.now();
  const started = Date.now();
  const result = await client.waitServer(WEB2);
  assert.equal(result.outcome, "done", JSON.stringify(result));
  assert.equal(result.status, "DEPLOYED");
  assert.ok(emulator.clock.now() - before >= 120_000, "two emulated minutes passed on the test's clock");
  assert.ok(Date.now() - started < 5_000, "in far less real time");
});

test("a server wait sees FAILED, with the failing task, when the automation is set to fail", async () => {
  emulator.setAutomation("web2", { outcome: "FAILED", failedTask: 2 });
  const result = await client.waitServer(WEB2);
  assert.equal(result.outcome, "failed", JSON.stringify(result));
  assert.equal(result.status, "FAILED");
  assert.equal(emulator.summary().servers.find((s) => s.name === "web2").automation_status, "FAILED");
});

test("RackConnect v2 answers the server that asks: fetchFrom picks the source address", async () => {
  const fromWeb1 = await emulator.fetchFrom("web1")(`${EMULATOR_URL}/v1/automation_status`);
  assert.equal(await fromWeb1.text(), "DEPLOYED\n");
  const fromFailed = await emulator.fetchFrom("127.0.0.4")(new Request(`${EMULATOR_URL}/v1/automation_status`));
  assert.equal(await fromFailed.text(), "FAILED\n");
  assert.throws(() => emulator.fetchFrom("no-such-server"), InvalidInputError);
});

test("an injected 503 is answered once and retried by the core; the log marks it", async () => {
  emulator.injectFault("status", { status: 503, pathPrefix: "/v2.0/tokens", retryAfter: 1 });
  assert.equal(emulator.faults().length, 1);
  await client.signIn();
  const log = emulator.requests().requests.filter((r) => r.path === "/v2.0/tokens");
  assert.deepStrictEqual(log.map((r) => [r.status, r.fault]), [[503, "status"], [200, null]]);
  assert.deepStrictEqual(emulator.faults(), []);
});

test("an injected reset rejects the fetch as a broken connection does; the client reports a transport error", async () => {
  emulator.injectFault("reset", { count: 1 });
  await assert.rejects(emulator.fetch(`${EMULATOR_URL}/v2.0`), (error) => error instanceof TypeError && error.cause?.code === "ECONNRESET");
  emulator.injectFault("reset", { count: 50, pathPrefix: "/v2.0/tokens" });
  await assert.rejects(client.signIn(), (error) => error instanceof TransportError && /reset/.test(error.message));
});

test("an injected truncate breaks the body halfway; a delay is waited out and can be aborted", async () => {
  emulator.injectFault("truncate");
  const cut = await emulator.fetch(`${EMULATOR_URL}/v2.0/tokens`, { method: "POST", body: "{}" });
  assert.ok(Number(cut.headers.get("content-length")) > 1);
  await assert.rejects(cut.arrayBuffer(), TypeError);

  emulator.injectFault("delay", { delayMs: 200 });
  const started = performance.now();
  await emulator.fetch(`${EMULATOR_URL}/v2.0`);
  assert.ok(performance.now() - started >= 190, "the delay was honoured");

  emulator.injectFault("delay", { delayMs: 10_000 });
  await assert.rejects(emulator.fetch(`${EMULATOR_URL}/v2.0`, { signal: AbortSignal.timeout(50) }), { name: "TimeoutError" });
});

test("the request log lists what the client sent, and clears", async () => {
  await client.listPools();
  const { requests } = emulator.requests();
  assert.deepStrictEqual(requests.map((r) => `${r.method} ${r.path} ${r.status}`), [
    "POST /v2.0/tokens 200",
    "GET /rackconnect/DFW/v3/123456/load_balancer_pools 200",
  ]);
  emulator.clearRequests();
  assert.deepStrictEqual(emulator.requests().requests, []);
});

test("reset builds the world again: new servers, tokens and the log are gone", async () => {
  await client.signIn();
  emulator.buildServer({ name: "extra" });
  emulator.advance(3600);
  assert.ok(emulator.summary().servers.some((s) => s.name === "extra"));
  const summary = emulator.reset();
  assert.ok(!summary.servers.some((s) => s.name === "extra"));
  assert.equal(summary.requests_logged, 0);
  // The old token is gone: the client signs in again (once) on a 401.
  await client.listPools();
  assert.deepStrictEqual(emulator.requests().requests.map((r) => r.status), [401, 200, 200]);
});

test("the clock: called, the control API's; advance and setClockSpeed move the emulated one", () => {
  const start = emulator.clock();
  assert.equal(start.speed, 1);
  assert.ok(emulator.advance(60).now_ms - start.now_ms >= 60_000);
  assert.equal(emulator.setClockSpeed(0).speed, 0);
  assert.equal(typeof emulator.clock.now(), "number");
});

test("plain fetch calls work too: a URL object, a Request, a HEAD; other origins are refused", async () => {
  const versions = await emulator.fetch(new URL(`${EMULATOR_URL}/v2.0`));
  assert.equal(versions.status, 200);
  assert.ok((await versions.json()).version);
  const head = await emulator.fetch(`${EMULATOR_URL}/v2.0`, { method: "HEAD" });
  assert.equal(await head.text(), "");
  const bad = await emulator.fetch(new Request(`${EMULATOR_URL}/v2.0/tokens`, { method: "POST", body: "not json", headers: { "content-type": "application/json" } }));
  assert.equal(bad.status, 400);
  await assert.rejects(emulator.fetch("https://identity.api.rackspacecloud.com/v2.0/tokens"), /is not the emulator/);
  await assert.rejects(emulator.fetch("not a url"), /expected a URL under http:\/\/127\.0\.0\.1:9/);
});

test("bad scenarios and options are refused with what was expected", () => {
  assert.deepStrictEqual(builtInScenarios(), ["demo", "failing-automation", "fleet"]);
  assert.throws(() => new Emulator({ scenario: "nope" }), (e) => e instanceof InvalidInputError && /built-in scenario \(demo, failing-automation, fleet\)/.test(e.message));
  assert.throws(() => new Emulator({ scenario: "{ not json" }), (e) => e instanceof InvalidInputError && /invalid scenario/.test(e.message));
  assert.throws(() => new Emulator({ scenario: { accounts: "x" } }), (e) => e instanceof InvalidInputError && /found "invalid type: string "x", expected a sequence at line 1 column 15"/.test(e.message));
  assert.throws(() => new Emulator({ scenario: { accounts: [{ tenant: "1", users: [{ username: 3 }] }] } }), /found "invalid type: integer `3`, expected a string at line 1 column \d+"/);
  assert.throws(() => new Emulator({ scenario: 42 }), InvalidInputError);
  assert.throws(() => new Emulator({ clockSpeed: -1 }), /clockSpeed: expected emulated seconds per real second, from 0 to 86400, found "-1"/);
  assert.throws(() => new Emulator({ clockSpeed: 1e9 }), (e) => e instanceof InvalidInputError && e.data.field === "clockSpeed");
  assert.throws(() => new Emulator({ clockSpeed: "60" }), /clockSpeed: expected a number, found "60"/);
  const fleet = new Emulator({ scenario: "fleet", clockSpeed: 60 });
  assert.equal(fleet.clock().speed, 60);
  fleet.free();
});

test("bad control calls are refused with the emulator's message and status", () => {
  assert.throws(() => emulator.advance(-1), (e) => e instanceof ControlError && e.status === 400 && /advance_seconds/.test(e.message));
  assert.throws(() => emulator.setAutomation("no-such-server", { finishNow: true }), (e) => e instanceof ControlError && e.status === 404);
  assert.throws(() => emulator.injectFault("explode"), (e) => e instanceof ControlError && e.status === 400);
  assert.throws(() => emulator.control("GET", "clock", "text"), /invalid body: expected an object/);
  assert.throws(() => new Client({ ...emulator.clientOptions(), clock: {} }), /invalid clock: expected an object with now\(\) and sleep/);
});

/* -- the controls of issue 15: seeds, faults by operation, state, transitions, throttling ---- */

/** What a sign-in, a built server and a node added give: ids and tokens the generator drew. */
async function drawn(seeded) {
  const signedIn = await seeded.fetch(`${EMULATOR_URL}/v2.0/tokens`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ auth: { "RAX-KSKEY:apiKeyCredentials": { username: seeded.username, apiKey: seeded.apiKey } } }),
  });
  const token = (await signedIn.json()).access.token.id;
  const server = seeded.buildServer({ name: "seeded" }).id;
  const node = await new Client(seeded.clientOptions()).addNode(DFW_API_POOL, UNMANAGED);
  return { token, server, node: node.id };
}

test("the same seed gives the same ids and tokens in two emulators; setSeed seeds afresh", async () => {
  const first = new Emulator({ seed: 42 });
  const second = new Emulator({ seed: 42 });
  const unseeded = new Emulator({ seed: 43n });
  try {
    const ids = await drawn(first);
    assert.deepStrictEqual(await drawn(second), ids);
    assert.equal(first.summary().seed, 42);
    const other = await drawn(unseeded);
    assert.notEqual(other.token, ids.token);
    assert.notEqual(other.server, ids.server);
    first.setSeed(7);
    unseeded.setSeed(7);
    assert.equal(first.buildServer({ name: "again" }).id, unseeded.buildServer({ name: "again" }).id);
  } finally {
    for (const e of [first, second, unseeded]) e.free();
  }
});

test("a fault by operation, with probability 1 and a latency, breaks only that operation", async () => {
  assert.ok(emulator.operations().some((op) => op.name === "v3.pools.list" && op.method === "GET"));
  const pending = emulator.injectFault("status", { operation: "v3.pools.list", probability: 1, latencyMs: 150, status: 500 });
  assert.deepStrictEqual([pending[0].operation, pending[0].probability, pending[0].latency_ms], ["v3.pools.list", 1, 150]);
  await client.signIn();
  await client.listNetworks();
  const started = performance.now();
  // The core retries a GET that got a 500: the fault was for one request.
  await client.listPools();
  assert.ok(performance.now() - started >= 140, "the latency was waited out first");
  const log = emulator.requests().requests.map((r) => [r.operation, r.status, r.fault]);
  assert.deepStrictEqual(log, [
    ["identity.authenticate", 200, null],
    ["v3.networks.list", 200, null],
    ["v3.pools.list", 500, "status"],
    ["v3.pools.list", 200, null],
  ]);
  assert.deepStrictEqual(emulator.faults(), []);
});

test("state() round-trips through JSON into a new Emulator and loadState: a built server and a pool node are kept", async () => {
  emulator.buildServer({ name: "kept", region: "DFW" });
  const members = await client.ensurePoolMembers({ servers: [UNMANAGED], pools: [DFW_API_POOL] });
  assert.equal(members.outcome, "done", JSON.stringify(members));
  const saved = JSON.parse(JSON.stringify(emulator.state()));

  const restored = new Emulator({ scenario: saved });
  const loaded = new Emulator({ scenario: "fleet" });
  try {
    assert.equal(loaded.loadState(saved).servers.filter((s) => s.name === "kept").length, 1);
    assert.equal(loaded.username, "demo", "the loaded world's sign-in");
    for (const world of [restored, loaded]) {
      assert.ok(world.summary().servers.some((s) => s.name === "kept"));
      const nodes = await new Client(world.clientOptions()).listNodes(DFW_API_POOL);
      assert.equal(nodes.find((n) => n.cloud_server.id === UNMANAGED)?.status, "ACTIVE", JSON.stringify(nodes));
    }
    assert.throws(() => loaded.loadState({ accounts: "x" }), (e) => e instanceof ControlError && e.status === 400 && /expected a scenario document/.test(e.message));
  } finally {
    restored.free();
    loaded.free();
  }
});

test("manual transitions keep a node ADDING until advanced; then a Client wait sees ACTIVE", async () => {
  const modes = emulator.setTransitions({ poolNodes: "manual" });
  assert.equal(modes.pool_nodes, "manual");
  assert.equal(emulator.transitions().pool_nodes, "manual");
  const node = await client.addNode(DFW_API_POOL, UNMANAGED);
  assert.equal(node.status, "ADDING");
  emulator.advance(3600);
  assert.equal((await client.listNodes(DFW_API_POOL)).find((n) => n.id === node.id).status, "ADDING", "an hour later, still held");
  assert.equal(emulator.advanceTransitions({ id: node.id }), 1);
  const result = await client.waitNodes([{ poolId: DFW_API_POOL, nodeId: node.id }]);
  assert.equal(result.outcome, "done", JSON.stringify(result));
  assert.equal((await client.listNodes(DFW_API_POOL)).find((n) => n.id === node.id).status, "ACTIVE");

  // A server's automation by name: held DEPLOYING, then its outcome.
  emulator.setTransitions({ automation: "manual" });
  const built = emulator.buildServer({ name: "held" });
  emulator.advance(3600);
  assert.equal(emulator.summary().servers.find((s) => s.id === built.id).automation_status, "DEPLOYING");
  assert.equal(emulator.advanceTransitions({ server: "held" }), 1);
  assert.equal(emulator.summary().servers.find((s) => s.id === built.id).automation_status, "DEPLOYED");
  assert.throws(() => emulator.advanceTransitions({ id: node.id }), (e) => e instanceof ControlError && e.status === 404);
});

test("v3 throttling as a scenario option: the engine's 429 and 413, and the Client's RateLimitedError", async () => {
  const scenario = { ...emulator.scenario, v3_throttle: { requests_per_minute: 1, status: 429 } };
  const throttled = new Emulator({ scenario });
  const byDefault = new Emulator({ scenario: { ...emulator.scenario, v3_throttle: { requests_per_minute: 0 } } });
  try {
    const throttledClient = new Client(throttled.clientOptions());
    await throttledClient.listPools();
    await assert.rejects(throttledClient.listPools(), (e) => e instanceof RateLimitedError && e.status === 429 && e.fault === "overLimit" && e.retryAfter > 0);
    const [, , refused] = throttled.requests().requests;
    assert.deepStrictEqual([refused.operation, refused.status], ["v3.pools.list", 429]);
    await assert.rejects(new Client(byDefault.clientOptions()).listPools(), (e) => e instanceof RateLimitedError && e.status === 413);
  } finally {
    throttled.free();
    byDefault.free();
  }
});

test("the dashboard page answers emulator.fetch with Accept: text/html", async () => {
  const page = await emulator.fetch(`${EMULATOR_URL}/__emulator/`, { headers: { accept: "text/html" } });
  assert.match(page.headers.get("content-type"), /text\/html/);
  assert.match(await page.text(), /web2/);
});

test("bad control options are refused with what was expected", () => {
  assert.throws(() => new Emulator({ seed: -1 }), /invalid seed: expected a whole number from 0 to 2\^64-1/);
  assert.throws(() => new Emulator({ seed: 2n ** 64n }), InvalidInputError);
  assert.throws(() => new Emulator({ seed: 1.5 }), InvalidInputError);
  assert.throws(() => emulator.setTransitions({ pool_nodes: "manual" }), /invalid options: expected only poolNodes, publicIps, automation, .*found "pool_nodes"/);
  assert.throws(() => emulator.setTransitions({ poolNodes: "later" }), (e) => e instanceof ControlError && e.status === 400);
  assert.throws(() => emulator.advanceTransitions({ id: "a", server: "web1" }), /either id or server, not both/);
  assert.throws(() => emulator.injectFault("status", { operation: "v9.nothing" }), (e) => e instanceof ControlError && e.status === 400);
  assert.throws(() => emulator.injectFault("status", { probability: 2 }), (e) => e instanceof ControlError && e.status === 400);
  assert.throws(() => emulator.loadState(undefined), /invalid state: expected a scenario document/);
  assert.throws(() => emulator.setSeed(-1), (e) => e instanceof ControlError && e.status === 400);
});

// The emulator's .wasm is downloaded by every test run and every try-it console: the budget of
// wasm/README.md ("The emulator"). It fails here, in CI, when a change outgrows it.
const BUDGET_RAW_KIB = 450;
const BUDGET_GZIP_KIB = 180;
test("the emulator's .wasm stays within its size budget", () => {
  const wasm = readFileSync(new URL("../dist/rackconnect_emulator_bg.wasm", import.meta.url));
  const gzipped = gzipSync(wasm, { level: 9 }).length;
  assert.ok(wasm.length <= BUDGET_RAW_KIB * 1024, `rackconnect_emulator_bg.wasm is ${wasm.length} bytes, over the budget of ${BUDGET_RAW_KIB} KiB`);
  assert.ok(gzipped <= BUDGET_GZIP_KIB * 1024, `rackconnect_emulator_bg.wasm is ${gzipped} bytes gzipped, over the budget of ${BUDGET_GZIP_KIB} KiB`);
});

// The examples of rackconnect/emulator run as written (the tarball's README, wasm/README.md, docs/emulator.md).
for (const [name, readme, copy] of [
  ["wasm/npm/README.md", "../README.md", "readme-emulator-npm.mjs"],
  ["wasm/README.md", "../../README.md", "readme-emulator-wasm.mjs"],
  ["docs/emulator.md", "../../../docs/emulator.md", "docs-emulator.mjs"],
]) {
  test(`the example of rackconnect/emulator in ${name} runs`, async () => {
    const text = readFileSync(new URL(readme, import.meta.url), "utf8");
    const example = [...text.matchAll(/```js\n([\s\S]*?)```/g)].map((m) => m[1]).find((code) => code.includes('from "rackconnect/emulator"'));
    assert.ok(example, `${name} has an example of rackconnect/emulator`);
    const file = new URL(`./generated/${copy}`, import.meta.url);
    mkdirSync(new URL("./generated/", import.meta.url), { recursive: true });
    writeFileSync(file, example);
    await import(file.href);
  });
}
