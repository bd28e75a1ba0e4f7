// One test per defect the npm Client had when it decided policy itself (issue 10), named after
// it. Each uses a scripted fetch: nothing here touches the network.

import { test } from "node:test";
import assert from "node:assert/strict";

import { Client, TransportError, UnexpectedStatusError } from "rackconnect";

const IDENTITY = "https://identity.example.test";
const RC = "https://dfw.rc.example.test/v3/123456";

function access(rc = RC) {
  return JSON.stringify({
    access: {
      token: { id: "tok-secret-1", expires: "2099-01-01T00:00:00Z", tenant: { id: "123456" } },
      serviceCatalog: [{ name: "rackconnect", type: "rax:rackconnect", endpoints: [{ region: "DFW", publicURL: rc }] }],
      user: { name: "demo", "RAX-AUTH:defaultRegion": "DFW" },
    },
  });
}

/** A fetch that answers from `script(url, init)` and records every call. */
function scripted(script) {
  const calls = [];
  const fetch = async (url, init) => {
    calls.push({ url, init });
    return script(url, init, calls.length);
  };
  return { fetch, calls };
}

test("npm client refuses a plain-http Identity URL before sending the key", async () => {
  const { fetch, calls } = scripted(() => new Response(access()));
  assert.throws(
    () => new Client({ identityUrl: "http://example.invalid/v2.0", username: "demo", apiKey: "k-secret", fetch }),
    (error) => error instanceof TransportError && error.transportKind === "insecure_url" && !error.message.includes("k-secret"),
  );
  assert.equal(calls.length, 0);
});

test("npm client never sends the token to a plain-http endpoint from the catalog", async () => {
  const { fetch, calls } = scripted(() => new Response(access("http://dfw.rc.example.test/v3/123456")));
  const client = new Client({ identityUrl: IDENTITY, username: "demo", apiKey: "k", region: "dfw", fetch });
  await assert.rejects(client.listPools(), (error) => error instanceof TransportError && error.transportKind === "insecure_url");
  assert.ok(calls.every((c) => c.url.startsWith("https://")), JSON.stringify(calls.map((c) => c.url)));
  assert.ok(calls.every((c) => !c.init.headers.some(([n]) => n.toLowerCase() === "x-auth-token")));
});

test("npm client never follows a redirect", async () => {
  const { fetch, calls } = scripted(() => new Response("", { status: 307, headers: { Location: "https://elsewhere.example.test/" } }));
  const client = new Client({ identityUrl: IDENTITY, username: "demo", apiKey: "k", region: "dfw", fetch });
  await assert.rejects(client.signIn(), UnexpectedStatusError);
  assert.ok(calls.every((c) => c.init.redirect === "manual"));
  assert.ok(calls.every((c) => c.url.startsWith(IDENTITY)), "nothing went to the Location");
});

test("npm client stops reading a body at the cap", async () => {
  let pulled = 0;
  const chunk = new Uint8Array(1 << 20);
  const endless = () =>
    new ReadableStream({
      pull(controller) {
        pulled += chunk.byteLength;
        controller.enqueue(chunk);
      },
    });
  const { fetch } = scripted((url) => (url.endsWith("/tokens") ? new Response(access()) : new Response(endless())));
  const client = new Client({ identityUrl: IDENTITY, username: "demo", apiKey: "k", region: "dfw", fetch });
  await assert.rejects(client.listPools(), (error) => error instanceof TransportError && error.transportKind === "too_large");
  assert.ok(pulled <= 18 * (1 << 20), `read ${pulled} bytes`);
});

test("npm client retries a transient Identity 503 at sign-in", async () => {
  const { fetch, calls } = scripted((url, _init, n) => {
    if (url.endsWith("/tokens")) return n === 1 ? new Response("", { status: 503 }) : new Response(access());
    return new Response("[]");
  });
  const client = new Client({ identityUrl: IDENTITY, username: "demo", apiKey: "k", region: "dfw", fetch });
  assert.deepEqual(await client.listPools(), []);
  assert.equal(calls.filter((c) => c.url.endsWith("/tokens")).length, 2);
});

test("npm client gives a wait's request no more than the time left", async () => {
  const { fetch } = scripted((url, init) => {
    if (url.endsWith("/tokens")) return new Response(access());
    // A service that never answers: only the driver's timeout ends the request.
    return new Promise((_, reject) => init.signal.addEventListener("abort", () => reject(init.signal.reason), { once: true }));
  });
  const client = new Client({ identityUrl: IDENTITY, username: "demo", apiKey: "k", region: "dfw", fetch });
  // Node's AbortSignal.timeout does not keep the process alive; a real socket would.
  const keepAlive = setInterval(() => {}, 1_000);
  const started = performance.now();
  const result = await client
    .waitPublicIp("2d0f586b-37a7-4ae0-adac-2743d5feb450", { timeoutMs: 1_000 })
    .finally(() => clearInterval(keepAlive));
  const took = performance.now() - started;
  assert.equal(result.outcome, "timed_out", JSON.stringify(result));
  assert.equal(result.ok, false);
  assert.match(result.summary, /^timed out after/);
  // The first request is given at least the core's minimum (2 s), never the 30 s default.
  assert.ok(took < 4_000, `took ${took} ms`);
});

test("npm client ends a wait at once when aborted while a request is in flight", async () => {
  const controller = new AbortController();
  const { fetch } = scripted((url, init) => {
    if (url.endsWith("/tokens")) return new Response(access());
    setTimeout(() => controller.abort(new Error("user gave up")), 20);
    return new Promise((_, reject) => init.signal.addEventListener("abort", () => reject(init.signal.reason), { once: true }));
  });
  const client = new Client({ identityUrl: IDENTITY, username: "demo", apiKey: "k", region: "dfw", fetch });
  const started = performance.now();
  const error = await client
    .waitPublicIp("2d0f586b-37a7-4ae0-adac-2743d5feb450", { signal: controller.signal })
    .then(() => assert.fail("cancelled"), (e) => e);
  assert.equal(error.code, "cancelled");
  assert.equal(error.result?.outcome, "cancelled", JSON.stringify(error.result));
  assert.ok(performance.now() - started < 1_000);
});

test("headers cross to the core as they were given, and a NUL in one is refused, not misread", async () => {
  const { parseResponse, InvalidInputError, RateLimitedError } = await import("rackconnect");
  // The core reads Retry-After from the headers: it must see this one, among others, whatever
  // the form they were given in.
  const forms = [
    [["X-Other", "a:b"], ["Retry-After", "7"], ["X-Empty", ""]],
    { "x-other": "a:b", "retry-after": "7" },
    new Headers({ "Retry-After": "7", "X-Other": "ü" }),
  ];
  for (const headers of forms) {
    assert.throws(
      () => parseResponse("v3.list_pools", { status: 429, headers, body: "" }),
      (error) => error instanceof RateLimitedError && error.data.retry_after === 7,
      JSON.stringify([...(headers.entries?.() ?? Object.entries(headers))]),
    );
  }
  for (const headers of [[["Retry-After", "7\u0000X"]], [["X\u0000Y", "1"], ["Retry-After", "7"]]]) {
    assert.throws(
      () => parseResponse("v3.list_pools", { status: 429, headers, body: "" }),
      (error) => error instanceof InvalidInputError && error.data.field === "headers" && /NUL/.test(error.message),
    );
  }
});
