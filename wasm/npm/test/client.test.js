// The client against the emulator over real HTTP on 127.0.0.1: sign-in, lists, node and public
// IP lifecycles with waits, idempotent ensures, errors without secrets, cancellation, progress.

import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { inspect } from "node:util";

import {
  Client,
  CancelledError,
  InvalidInputError,
  NotFoundError,
  RackConnectError,
  TransportError,
  UnauthorizedError,
  ApiError,
} from "rackconnect";
import { control, startEmulator } from "./emulator.js";

const API_KEY = "demo-api-key";
const DFW_WEB_POOL = "00000001-bbbb-4bbb-8bbb-dfw000000001";
const DFW_API_POOL = "00000001-bbbb-4bbb-8bbb-dfw000000002";
const WEB1 = "00000001-cccc-4ccc-8ccc-000000000001";
const UNMANAGED = "0000000a-cccc-4ccc-8ccc-00000000000a";
const FAST = { intervalMs: 100, timeoutMs: 30_000 };

let emulator;
let tokensSent;
let client;

/** fetch, recording every token sent so that tests can look for leaks. */
function recordingFetch(url, init) {
  for (const [name, value] of init.headers) {
    if (name.toLowerCase() === "x-auth-token") tokensSent.add(value);
  }
  return fetch(url, init);
}

function demo(options = {}) {
  return new Client({ identityUrl: emulator.url, username: "demo", apiKey: API_KEY, fetch: recordingFetch, ...options });
}

before(async () => {
  emulator = await startEmulator();
  tokensSent = new Set();
  client = demo();
});

after(async () => {
  await emulator?.stop();
});

test("signs in through Identity and picks the region's endpoints from the catalog", async () => {
  assert.equal(client.region, null, "no region until Identity names the default");
  const info = await client.signIn();
  assert.equal(info.region, "dfw");
  assert.equal(info.defaultRegion, "dfw");
  assert.equal(info.tenantId, "123456");
  assert.ok(info.rackconnectRegions.includes("lon"));
  assert.deepStrictEqual(info.catalogRegions, ["dfw", "hkg", "iad", "lon", "ord", "syd"], "a rax:rackconnect endpoint in each");
  assert.ok(info.expiresAt > Date.now());
  assert.match(info.endpoints.rackconnect, /\/v3\/123456$/);
  assert.match(info.endpoints.compute, /\/v2\/123456$/);
  assert.equal(client.region, "dfw");
});

/** How many token requests (sign-ins) the emulator has logged so far. */
async function signInsLogged() {
  const log = await control(emulator.url, "GET", "requests");
  return log.requests.filter((entry) => entry.method === "POST" && entry.path === "/v2.0/tokens").length;
}

test("withRegion switches region on the same sign-in: one token request for every region", async () => {
  let tokenRequests = 0;
  const counting = (url, init) => {
    if (init.method === "POST" && new URL(url).pathname === "/v2.0/tokens") tokenRequests++;
    return recordingFetch(url, init);
  };
  const loggedBefore = await signInsLogged();
  const dfw = demo({ fetch: counting });
  // Made before any sign-in, and used at once together: still one sign-in between them.
  const lon = dfw.withRegion("LON");
  assert.equal(lon.region, "lon");
  const [dfwNetworks, lonNetworks] = await Promise.all([dfw.listNetworks(), lon.listNetworks()]);
  assert.ok(dfwNetworks.some((n) => n.name === "dfw-app-net"));
  assert.ok(lonNetworks.some((n) => n.name === "lon-app-net"));
  assert.equal(dfw.region, "dfw", "the default region, once signed in");

  // A switch after sign-in: the new client is signed in already.
  const iad = lon.withRegion("iad");
  assert.equal(iad.toJSON().signedIn, true);
  const info = await iad.signIn();
  assert.equal(info.region, "iad");
  assert.match(info.endpoints.rackconnect, /\/v3\/123456$/);
  await iad.listPools();
  assert.equal(tokenRequests, 1, "one Identity sign-in for three regions");
  assert.equal((await signInsLogged()) - loggedBefore, 1, "and the emulator saw only one");

  for (const text of [JSON.stringify(iad), inspect(iad, { showHidden: true, depth: 10 })]) {
    assert.ok(!text.includes(API_KEY), text);
  }
  assert.throws(() => dfw.withRegion("mars"), InvalidInputError);

  // Signing out revokes the one shared token: every sibling is signed out, and signs in again on use.
  await lon.signOut();
  assert.deepStrictEqual([dfw, lon, iad].map((c) => c.toJSON().signedIn), [false, false, false]);
  await dfw.listPools();
  assert.equal(tokenRequests, 2);
  await dfw.signOut();
});

test("lists networks, pools, nodes with details, public IPs and servers", async () => {
  const networks = await client.listNetworks();
  assert.ok(networks.some((n) => n.name === "dfw-app-net" && n.cidr === "192.168.10.0/24"));
  const pools = await client.listPools();
  const web = pools.find((p) => p.id === DFW_WEB_POOL);
  assert.equal(web.port, 80);
  assert.equal((await client.getPool(DFW_WEB_POOL)).name, "dfw-web-80");
  const nodes = await client.listNodes(DFW_WEB_POOL);
  assert.ok(nodes.some((n) => n.cloud_server.id === WEB1 && n.status === "ACTIVE"));
  const details = await client.listNodeDetails(DFW_WEB_POOL);
  const web1 = details.find((n) => n.cloud_server.id === WEB1);
  assert.equal(web1.cloud_server.name, "web1");
  assert.equal(web1.load_balancer_pool.id, DFW_WEB_POOL);
  assert.ok((await client.serverNodeDetails(WEB1)).some((n) => n.load_balancer_pool.id === DFW_WEB_POOL));
  const ips = await client.listPublicIps();
  assert.ok(ips.some((ip) => ip.public_ip_v4 === "198.51.100.101"));
  const retained = await client.listPublicIps({ retain: true });
  assert.ok(retained.length >= 1 && retained.every((ip) => ip.retain));
  const servers = await client.listServers();
  assert.ok(servers.some((s) => s.name === "web1") && servers.some((s) => s.name === "unmanaged"));
  const server = await client.getServer(WEB1);
  assert.equal(server.rackconnect.automation_status, "DEPLOYED");
});

test("adds a node, waits for ACTIVE with progress, removes it and waits until gone", async () => {
  const node = await client.addNode(DFW_WEB_POOL, UNMANAGED);
  assert.equal(node.status, "ADDING");
  const events = [];
  const active = await client.waitNodes([{ poolId: DFW_WEB_POOL, nodeId: node.id }], {
    ...FAST,
    onProgress: (event) => events.push(event),
  });
  assert.equal(active.outcome, "done", JSON.stringify(active));
  assert.equal(active.status, "ACTIVE");
  assert.deepStrictEqual(active.failures, []);
  assert.ok(active.requests >= 1);
  assert.ok(events.some((e) => e.event === "status" && e.what === "node" && e.id === node.id && e.status === "ACTIVE"), JSON.stringify(events));
  assert.ok(events.every((e, i) => i === 0 || e.at >= events[i - 1].at), "oldest first");

  await client.removeNode(DFW_WEB_POOL, node.id);
  const gone = await client.waitNodes([{ poolId: DFW_WEB_POOL, nodeId: node.id }], { ...FAST, until: "gone" });
  assert.equal(gone.outcome, "done", JSON.stringify(gone));
  assert.ok(!(await client.listNodes(DFW_WEB_POOL)).some((n) => n.id === node.id));
});

test("ensurePoolMembers is idempotent: the second run changes nothing", async () => {
  const options = { servers: [UNMANAGED], pools: [DFW_API_POOL], ...FAST };
  const dry = await client.ensurePoolMembers({ ...options, dryRun: true });
  assert.equal(dry.changed, true);
  assert.equal(dry.plan.add.length, 1);
  const first = await client.ensurePoolMembers(options);
  assert.equal(first.outcome, "done", JSON.stringify(first));
  assert.equal(first.changed, true);
  assert.deepStrictEqual(first.added, [{ server_id: UNMANAGED, pool_id: DFW_API_POOL }]);
  const second = await client.ensurePoolMembers(options);
  assert.equal(second.outcome, "done");
  assert.equal(second.changed, false);
  assert.equal(second.plan.unchanged.length, 1);
  const removed = await client.ensurePoolMembers({ ...options, present: false });
  assert.equal(removed.changed, true);
  assert.equal(removed.outcome, "done", JSON.stringify(removed));
  assert.equal((await client.ensurePoolMembers({ ...options, present: false })).changed, false);
});

test("ensurePoolMembers takes pool names; an unknown name lists the region's pools", async () => {
  const named = await client.ensurePoolMembers({ servers: [UNMANAGED], pools: ["dfw-web-80"], dryRun: true, ...FAST });
  assert.deepStrictEqual(named.plan.add.concat(named.plan.unchanged), [
    { server_id: UNMANAGED, pool_id: DFW_WEB_POOL, pool_name: "dfw-web-80" },
  ]);
  await assert.rejects(
    client.ensurePoolMembers({ servers: [UNMANAGED], pools: ["no-such-pool"], dryRun: true, ...FAST }),
    (error) => error instanceof InvalidInputError && error.code === "invalid_input" && /pools\[0\].*dfw-web-80/.test(error.message),
  );
  await assert.rejects(client.ensurePoolMembers({ servers: [UNMANAGED] }), InvalidInputError);
  // Every call that names a pool takes its name (issue 12).
  assert.deepStrictEqual(await client.listNodes("dfw-web-80"), await client.listNodes(DFW_WEB_POOL));
  assert.equal((await client.getPool("DFW-WEB-80")).id, DFW_WEB_POOL);
  await assert.rejects(
    client.listNodes("no-such-pool"),
    (error) => error instanceof InvalidInputError && /pool_id.*dfw-web-80/.test(error.message),
  );
});

test("creates a public IP, waits until ACTIVE with its address, deletes it and waits until gone", async () => {
  const ip = await client.createPublicIp({ serverId: UNMANAGED });
  assert.equal(ip.status, "ADDING");
  assert.equal(ip.public_ip_v4, null);
  const active = await client.waitPublicIp(ip.id, FAST);
  assert.equal(active.outcome, "done", JSON.stringify(active));
  assert.match(active.public_ip.public_ip_v4, /^\d+\.\d+\.\d+\.\d+$/);
  assert.equal((await client.getPublicIp(ip.id)).status, "ACTIVE");
  await client.deletePublicIp(ip.id);
  const gone = await client.waitPublicIp(ip.id, { ...FAST, until: "gone" });
  assert.equal(gone.outcome, "done", JSON.stringify(gone));
});

test("ensurePublicIp is idempotent, and takes the IP away again", async () => {
  const first = await client.ensurePublicIp({ serverId: UNMANAGED, ...FAST });
  assert.equal(first.outcome, "done", JSON.stringify(first));
  assert.equal(first.changed, true);
  assert.deepStrictEqual(first.plan, { action: "create", retain: false });
  assert.ok(first.public_ip.public_ip_v4);
  const second = await client.ensurePublicIp({ serverId: UNMANAGED, ...FAST });
  assert.equal(second.changed, false);
  assert.deepStrictEqual(second.plan, { action: "none" });
  const absent = await client.ensurePublicIp({ serverId: UNMANAGED, present: false, ...FAST });
  assert.equal(absent.changed, true);
  assert.equal(absent.outcome, "done", JSON.stringify(absent));
});

test("a server without a public IP lists none: the API's empty 200 is an empty list", async () => {
  const web2 = "00000002-cccc-4ccc-8ccc-000000000002";
  assert.deepStrictEqual(await client.listPublicIps({ serverId: web2 }), []);
});

test("ensurePublicIp with unassign takes the retained IP off the server and keeps it", async () => {
  const web2 = "00000002-cccc-4ccc-8ccc-000000000002";
  const created = await client.ensurePublicIp({ serverId: web2, retain: true, ...FAST });
  assert.equal(created.outcome, "done", JSON.stringify(created));
  const id = created.public_ip.id;
  const planned = await client.ensurePublicIp({ serverId: web2, unassign: true, dryRun: true, ...FAST });
  assert.deepStrictEqual(planned.plan, { action: "unassign", id, retain: false });
  assert.equal(planned.changed, true);
  const done = await client.ensurePublicIp({ serverId: web2, unassign: true, ...FAST });
  assert.equal(done.outcome, "done", JSON.stringify(done));
  assert.equal(done.public_ip.cloud_server, null);
  assert.deepStrictEqual(await client.listPublicIps({ serverId: web2 }), []);
  assert.ok((await client.listPublicIps({ retain: true })).some((ip) => ip.id === id && ip.cloud_server === null));
  assert.equal((await client.ensurePublicIp({ serverId: web2, unassign: true, ...FAST })).changed, false);
  await assert.rejects(client.ensurePublicIp({ serverId: web2, unassign: true, present: true }), InvalidInputError);
  await client.deletePublicIp(id);
});

test("servers are named where only one has the name: gets, waits and plans", async () => {
  assert.equal((await client.getServer("WEB1")).id, WEB1);
  const waited = await client.waitServer("web1", FAST);
  assert.equal(waited.reachable_ipv4, "198.51.100.101", JSON.stringify(waited));
  assert.equal(waited.reached_by, "rackconnect_v2", JSON.stringify(waited));
  const planned = await client.ensurePoolMembers({ servers: ["unmanaged"], pools: ["dfw-api-443"], dryRun: true, ...FAST });
  assert.deepStrictEqual(planned.plan.add.concat(planned.plan.unchanged), [
    { server_id: UNMANAGED, pool_id: DFW_API_POOL, server_name: "unmanaged", pool_name: "dfw-api-443" },
  ]);
  const ip = await client.ensurePublicIp({ serverId: "unmanaged", dryRun: true, ...FAST });
  assert.equal(ip.outcome, "done", JSON.stringify(ip));
  assert.equal((await client.listPublicIps({ serverId: "web1" })).length, 1);
  // A wait on nodes names their pool too.
  const [member] = await client.listNodes("dfw-web-80");
  const waited_nodes = await client.waitNodes([{ poolId: "dfw-web-80", nodeId: member.id }], FAST);
  assert.equal(waited_nodes.outcome, "done", JSON.stringify(waited_nodes));
  await assert.rejects(
    client.getServer("nosuch"),
    (error) => error instanceof InvalidInputError && /server_id.*web1/.test(error.message),
  );
});

test("an unknown server fails at once, in the one wording, in every call and plan", async () => {
  const unknown = "0000dead-cccc-4ccc-8ccc-00000000dead";
  const said = `server ${unknown} not found in region DFW`;
  await assert.rejects(client.getServer(unknown), (error) => error instanceof NotFoundError && error.message.includes(said));
  const waited = await client.waitServer(unknown, FAST);
  assert.equal(waited.outcome, "error", JSON.stringify(waited));
  assert.ok(waited.summary.includes(said), waited.summary);
  const planned = await client.ensurePoolMembers({ servers: [unknown], pools: [DFW_API_POOL], dryRun: true, ...FAST });
  assert.equal(planned.outcome, "failed", JSON.stringify(planned));
  assert.equal(planned.changed, false);
  assert.ok(planned.failed[0].reason.includes(said), JSON.stringify(planned));
  const started = Date.now();
  const ip = await client.ensurePublicIp({ serverId: unknown, ...FAST, timeoutMs: 600_000 });
  assert.equal(ip.outcome, "failed", JSON.stringify(ip));
  assert.ok(ip.summary.includes(said), ip.summary);
  assert.ok(Date.now() - started < 20_000, "the post-build grace was spent on a server that is not there");
});

test("waitServer reads the metadata until DEPLOYED and Managed Complete", async () => {
  const events = [];
  const result = await client.waitServer(WEB1, { ...FAST, managed: true, onProgress: (e) => events.push(e) });
  assert.equal(result.outcome, "done", JSON.stringify(result));
  assert.equal(result.status, "Complete", "the last status read: Managed Operations, after RackConnect");
  assert.equal(result.server.rackconnect.automation_status, "DEPLOYED");
  assert.equal(result.reachable_ipv4, "198.51.100.101");
  assert.equal(result.server.name, "web1");
  assert.ok(events.some((e) => e.event === "status"));
});

test("waitServers ends each server of a batch on its own status, by name and by builtWithinMs", async () => {
  const own = await startEmulator();
  try {
    // An hour on: the demo's own fresh servers are no longer "just built".
    await control(own.url, "POST", "clock", { advance_seconds: 3600 });
    const specs = {
      "batch-ok": {},
      "batch-failed": { automation: { outcome: "FAILED", failed_task: 1 } },
      "batch-unprocessable": { automation: { outcome: "UNPROCESSABLE", unprocessable_reason: "wrong region" } },
      "batch-managed-error": { managed: { outcome: "Build Error" } },
    };
    for (const [name, spec] of Object.entries(specs)) {
      await control(own.url, "POST", "servers", { name, region: "DFW", ...spec });
    }
    const batchClient = new Client({ identityUrl: own.url, username: "demo", apiKey: API_KEY, region: "dfw" });
    const events = [];
    const options = { intervalMs: 500, timeoutMs: 60_000, managed: true };
    const byName = await batchClient.waitServers(Object.keys(specs), { ...options, onProgress: (e) => events.push(e) });
    assert.equal(byName.outcome, "failed", JSON.stringify(byName));
    assert.equal(byName.ok, false);
    assert.deepStrictEqual(
      Object.fromEntries(byName.servers.map((s) => [s.name, s.outcome])),
      { "batch-ok": "done", "batch-failed": "failed", "batch-unprocessable": "not_applicable", "batch-managed-error": "failed" },
    );
    assert.ok(byName.summary.startsWith("FAILED: 4 servers: 1 done, 2 FAILED, 1 not applicable; "), byName.summary);
    const ok = byName.servers.find((s) => s.name === "batch-ok");
    assert.ok(ok.reachable_ip?.startsWith("198.51.100."), JSON.stringify(ok));
    assert.equal(ok.managed_status, "Complete");
    const ended = events.filter((e) => e.event === "server_ended");
    assert.equal(ended.length, 4, JSON.stringify(events));
    assert.equal(ended.at(-1).ended, 4);

    const recent = await batchClient.waitServers({ ...options, builtWithinMs: 30 * 60_000 });
    assert.deepStrictEqual(recent.servers.map((s) => s.name), Object.keys(specs).sort());
    assert.deepStrictEqual(recent.counts, { ...byName.counts });
    await assert.rejects(
      batchClient.waitServers([], options),
      // The core names this package's options, not its own spec's fields.
      (error) =>
        error instanceof InvalidInputError &&
        /neither/.test(error.message) &&
        /builtWithinMs/.test(error.message) &&
        !/built_within_ms/.test(error.message),
    );
    await assert.rejects(
      batchClient.waitServers(["web1"], { ...options, builtWithinMs: 60_000 }),
      (error) => error instanceof InvalidInputError && /not both/.test(error.message) && /builtWithinMs/.test(error.message),
    );
    // A required argument left out is named as this package names it, not as the core's spec does.
    for (const [call, name] of [
      [() => batchClient.ensurePublicIp({}), "serverId"],
      [() => batchClient.waitServer(undefined), "serverId"],
      [() => batchClient.waitPublicIp(42), "publicIpId"],
    ]) {
      await assert.rejects(call(), (error) => error instanceof InvalidInputError && error.field === name && !/spec/.test(error.message));
    }
    // A window that holds no server (none in IAD) is a mistake, rejected as one.
    await assert.rejects(
      new Client({ identityUrl: own.url, username: "demo", apiKey: API_KEY, region: "iad" }).waitServers({
        ...options,
        builtWithinMs: 60_000,
      }),
      (error) => error instanceof InvalidInputError && error.field === "builtWithinMs" && /server of IAD/.test(error.message),
    );
    await assert.rejects(
      batchClient.waitServers({ ...options, builtWithinMs: 0 }),
      (error) => error instanceof InvalidInputError && error.field === "builtWithinMs" && /longer than zero/.test(error.message),
    );
    await assert.rejects(batchClient.waitServers("web1", options), InvalidInputError);
  } finally {
    await own.stop();
  }
});

test("an AbortSignal cancels a wait at once, with the result so far", async () => {
  const built = await control(emulator.url, "POST", "servers", { name: "slow", region: "DFW" });
  const id = built.id ?? built.server?.id;
  assert.ok(id, JSON.stringify(built));
  const controller = new AbortController();
  const events = [];
  const started = performance.now();
  const waiting = client.waitServer(id, {
    intervalMs: 5_000,
    onProgress: (event) => {
      events.push(event);
      // Abort while the waiter sleeps between polls.
      if (events.length === 1) setTimeout(() => controller.abort(new Error("user gave up")), 50);
    },
    signal: controller.signal,
  });
  const error = await waiting.then(
    () => assert.fail("the wait should be cancelled"),
    (e) => e,
  );
  assert.ok(error instanceof CancelledError && error instanceof RackConnectError);
  assert.equal(error.name, "AbortError");
  assert.equal(error.code, "cancelled");
  assert.equal(error.cause.message, "user gave up");
  assert.equal(error.result.outcome, "cancelled");
  assert.ok(performance.now() - started < 2_000, "the sleep was cut short");
  assert.ok(events.length >= 1);

  // Already aborted: nothing is sent.
  const before = tokensSent.size;
  await assert.rejects(client.listPools({ signal: AbortSignal.abort() }), CancelledError);
  assert.equal(tokensSent.size, before);
});

test("a wrong API key is an UnauthorizedError with a stable code, and no secret anywhere", async () => {
  const wrong = "wrong-key-0123456789";
  const bad = new Client({ identityUrl: emulator.url, username: "demo", apiKey: wrong });
  const error = await bad.signIn().then(
    () => assert.fail("sign-in should fail"),
    (e) => e,
  );
  assert.ok(error instanceof UnauthorizedError && error instanceof ApiError && error instanceof RackConnectError);
  assert.equal(error.name, "UnauthorizedError");
  assert.equal(error.code, "unauthorized");
  assert.equal(error.status, 401);
  for (const shown of [error.message, error.stack, JSON.stringify(error), inspect(error), JSON.stringify(bad), inspect(bad)]) {
    assert.ok(!shown.includes(wrong), shown);
  }
  // A list call signs in first and fails the same way.
  await assert.rejects(bad.listPools(), UnauthorizedError);
});

test("neither JSON.stringify nor inspect shows a credential or a token", async () => {
  await client.listPools();
  assert.ok(tokensSent.size >= 1);
  const shown = [JSON.stringify(client), inspect(client), inspect(client, { showHidden: true, depth: 10 }), String(client)];
  for (const text of shown) {
    assert.ok(!text.includes(API_KEY), text);
    for (const token of tokensSent) assert.ok(!text.includes(token), text);
  }
  assert.deepStrictEqual(Object.keys(JSON.parse(JSON.stringify(client))).sort(), ["identityUrl", "region", "signedIn", "tenant", "username"]);
});

test("a 401 from v3 renews the token once and sends again", async () => {
  let refused = 0;
  let signIns = 0;
  const renewing = new Client({
    identityUrl: emulator.url,
    username: "demo",
    password: "demo-password",
    region: "dfw",
    fetch: async (url, init) => {
      if (url.endsWith("/v2.0/tokens")) signIns++;
      if (url.includes("/load_balancer_pools") && refused === 0) {
        refused++;
        return new Response('{"unauthorized": {"code": 401, "message": "expired"}}', { status: 401 });
      }
      return fetch(url, init);
    },
  });
  const pools = await renewing.listPools();
  assert.ok(pools.length > 0);
  assert.equal(refused, 1);
  assert.equal(signIns, 2);
});

test("a 503 on a read is retried once", async () => {
  await control(emulator.url, "POST", "faults", { kind: "status", count: 1, status: 503, path_prefix: "/rackconnect/" });
  assert.ok((await client.listNetworks()).length > 0);
});

test("a connection reset is retried: by a read once, by a wait with a progress event", async () => {
  const [retained] = await client.listPublicIps({ retain: true });
  await control(emulator.url, "POST", "faults", { kind: "reset", count: 1, path_prefix: "/rackconnect/" });
  assert.ok((await client.listPools()).length > 0);
  await control(emulator.url, "POST", "faults", { kind: "reset", count: 1, path_prefix: "/rackconnect/" });
  const events = [];
  const result = await client.waitPublicIp(retained.id, { ...FAST, onProgress: (e) => events.push(e) });
  assert.equal(result.outcome, "done", JSON.stringify(result));
  const retrying = events.find((e) => e.event === "retrying");
  assert.ok(retrying, JSON.stringify(events));
  assert.match(retrying.reason, /transport error \((io|connect)\)/);
  assert.ok(retrying.until > retrying.at);
});

test("a region without RackConnect v3, and an unreachable Identity, fail clearly", async () => {
  const other = new Client({ identityUrl: emulator.url, username: "other", apiKey: "other-api-key", region: "dfw" });
  const error = await other.listPools().then(() => assert.fail("no v3 in DFW"), (e) => e);
  assert.ok(error instanceof InvalidInputError);
  assert.equal(error.field, "region");
  assert.equal(error.found, "dfw");

  const nowhere = new Client({ identityUrl: "http://127.0.0.1:9", username: "demo", apiKey: API_KEY });
  const down = await nowhere.signIn().then(() => assert.fail("nothing listens on port 9"), (e) => e);
  assert.ok(down instanceof TransportError);
  assert.equal(down.code, "transport");
  assert.equal(down.transportKind, "connect");
  assert.ok(!down.message.includes(API_KEY));

  assert.throws(() => new Client({ identityUrl: emulator.url, username: "demo" }), /credentials: expected one of apiKey and password, found "neither"/);
  assert.throws(
    () => new Client({ identityUrl: emulator.url, username: "demo", apiKey: "k-secret", password: "p-secret" }),
    (error) => error instanceof InvalidInputError && /found "both"/.test(error.message) && !/secret/.test(error.message),
  );
  assert.throws(() => new Client({ identityUrl: emulator.url, username: "demo", apiKey: "k", region: "mars" }), InvalidInputError);
});
