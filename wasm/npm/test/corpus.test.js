// Runs every case of the shared corpus (tests/corpus, format in its README) through the BUILT
// package, with the checks of core/tests/corpus.rs and python/tests/test_corpus.py: one test
// per case, every prefix of each valid body, and the corpus's coverage.

import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync, readdirSync, statSync } from "node:fs";
import { dirname, join, relative } from "node:path";
import { fileURLToPath } from "node:url";

import {
  buildRequest,
  parseResponse,
  operations,
  RackConnectError,
  ParseError,
  ApiError,
  ConflictError,
  NotFoundError,
  MfaRequiredError,
  UnauthorizedError,
  InvalidInputError,
  version,
} from "rackconnect";

const CORPUS = join(dirname(fileURLToPath(import.meta.url)), "..", "..", "..", "tests", "corpus");
const MIN_CASES = 150;

/** Every `*.json` below corpus/kind, skipping `bodies` folders, sorted. */
function caseFiles(kind) {
  const out = [];
  const stack = [join(CORPUS, kind)];
  while (stack.length > 0) {
    const folder = stack.pop();
    for (const name of readdirSync(folder)) {
      const path = join(folder, name);
      if (statSync(path).isDirectory()) {
        if (name !== "bodies") stack.push(path);
      } else if (name.endsWith(".json")) {
        out.push(path);
      }
    }
  }
  return out.sort();
}

const REQUESTS = caseFiles("requests");
const RESPONSES = caseFiles("responses");
const load = (path) => JSON.parse(readFileSync(path, "utf8"));

/** `expected` ⊆ `actual`: objects by key, arrays element by element with equal length. */
function isSubset(expected, actual) {
  if (expected !== null && typeof expected === "object" && !Array.isArray(expected)) {
    return actual !== null && typeof actual === "object" && !Array.isArray(actual) &&
      Object.entries(expected).every(([k, v]) => k in actual && isSubset(v, actual[k]));
  }
  if (Array.isArray(expected)) {
    return Array.isArray(actual) && expected.length === actual.length && expected.every((e, i) => isSubset(e, actual[i]));
  }
  return expected === actual;
}

function requestJson(request) {
  let body = request.body;
  if (body !== null) {
    try {
      body = JSON.parse(body);
    } catch {
      // Not JSON: compared as text.
    }
  }
  return { method: request.method, url: request.url, headers: request.headers, body };
}

function checkExpectation(c) {
  assert.ok(("expect" in c) !== ("expect_error" in c), "a case needs exactly one of expect and expect_error");
}

function checkError(expected, error) {
  assert.ok(error instanceof RackConnectError, `a RackConnectError, got ${error}`);
  assert.ok(error instanceof Error);
  assert.ok(isSubset(expected, error.data), `expected error ${JSON.stringify(expected)}\n   got ${JSON.stringify(error.data)}`);
  assert.equal(error.message, error.data.message);
  assert.equal(error.code, error.data.kind);
}

function thrown(fn) {
  try {
    fn();
  } catch (error) {
    return error;
  }
  assert.fail("expected an error");
}

for (const path of REQUESTS) {
  test(`request ${relative(CORPUS, path)}`, () => {
    const c = load(path);
    checkExpectation(c);
    if ("expect" in c) {
      const request = buildRequest(c.op, c.input);
      assert.ok(Array.isArray(request.headers) && request.headers.every((p) => Array.isArray(p) && p.length === 2));
      assert.ok(request.body === null || typeof request.body === "string");
      assert.deepStrictEqual(requestJson(request), c.expect);
    } else {
      checkError(c.expect_error, thrown(() => buildRequest(c.op, c.input)));
    }
  });
}

function responseOf(path, c) {
  const body = c.body_file !== undefined ? new Uint8Array(readFileSync(join(dirname(path), c.body_file))) : new Uint8Array();
  return { status: c.status, headers: c.headers ?? [], body };
}

for (const path of RESPONSES) {
  test(`response ${relative(CORPUS, path)}`, () => {
    const c = load(path);
    checkExpectation(c);
    const response = responseOf(path, c);
    if ("expect" in c) {
      assert.deepStrictEqual(parseResponse(c.op, response), c.expect);
      // Every prefix of a valid body: a value or a RackConnectError, never anything else.
      for (let end = 0; end < response.body.length; end++) {
        try {
          parseResponse(c.op, { ...response, body: response.body.subarray(0, end) });
        } catch (error) {
          assert.ok(error instanceof RackConnectError, `prefix ${end}: ${error}`);
        }
      }
    } else {
      checkError(c.expect_error, thrown(() => parseResponse(c.op, response)));
    }
  });
}

test("the corpus covers every operation", () => {
  assert.ok(REQUESTS.length + RESPONSES.length >= MIN_CASES);
  const requestOps = new Set(REQUESTS.map((p) => load(p).op));
  const responseOps = new Set(RESPONSES.map((p) => load(p).op));
  assert.deepStrictEqual([...requestOps].sort(), [...responseOps].sort());
  assert.equal(requestOps.size, 31);
  assert.deepStrictEqual([...requestOps].sort(), [...operations()].sort());
});

const POOL = "v3.get_pool";
const V3 = { endpoint: "http://127.0.0.1:8080/v3/123456", token: "t" };

test("a parse error is a ParseError with the core's fields", () => {
  const error = thrown(() => parseResponse(POOL, { status: 200, body: "{" }));
  assert.ok(error instanceof ParseError && error instanceof RackConnectError && error instanceof Error);
  assert.equal(error.name, "ParseError");
  assert.equal(error.code, "json");
  assert.equal(typeof error.line, "number");
  assert.equal(error.pointer, error.data.pointer);
});

test("a conflict carries its classified conflicts", () => {
  const body = '["Cloud Server s1 is already a member of Load Balancer Pool p1"]';
  const error = thrown(() => parseResponse("v3.add_node", { status: 409, headers: [["Content-Type", "application/json"]], body }));
  assert.ok(error instanceof ConflictError && error instanceof ApiError);
  assert.equal(error.status, 409);
  assert.equal(error.code, "conflict");
  assert.deepStrictEqual(error.conflicts.map((c) => c.kind), ["already_member"]);
  assert.equal(error.retryAfter, null);
});

test("API error classes", () => {
  assert.ok(thrown(() => parseResponse(POOL, { status: 404 })) instanceof NotFoundError);
  const mfa = thrown(() =>
    parseResponse("identity.token", { status: 401, headers: { "WWW-Authenticate": 'OS-MF sessionId="s", factor="PASSCODE"' } }),
  );
  assert.ok(mfa instanceof MfaRequiredError && mfa instanceof UnauthorizedError);
  assert.equal(mfa.code, "mfa_required");
  assert.equal(mfa.mfaFactor, "PASSCODE");
});

test("invalid inputs", () => {
  let error = thrown(() => buildRequest(POOL, { ...V3, pool_id: "../etc" }));
  assert.ok(error instanceof InvalidInputError);
  assert.equal(error.field, "pool_id");
  error = thrown(() => buildRequest("v9.nothing", V3));
  assert.equal(error.field, "op");
  // parseResponse passes a known operation by its index; an unknown one still gets the core's
  // error, which lists every operation.
  for (const op of ["v9.nothing", 42, "constructor"]) {
    error = thrown(() => parseResponse(op, { status: 200, body: "{}" }));
    assert.ok(error instanceof InvalidInputError && error.field === "op", String(op));
    assert.ok(error.expected.includes("v3.list_pools"), error.message);
  }
  assert.ok(thrown(() => buildRequest(POOL, [1, 2])) instanceof InvalidInputError);
  assert.ok(thrown(() => buildRequest(POOL, { ...V3, pool_id: 1n })) instanceof InvalidInputError);
  assert.ok(thrown(() => parseResponse(POOL, { status: "200" })) instanceof InvalidInputError);
  // A secret of the wrong type is never echoed.
  error = thrown(() => buildRequest(POOL, { ...V3, pool_id: "p1", token: 12345678 }));
  assert.ok(error instanceof InvalidInputError);
  assert.ok(!error.message.includes("12345678"), error.message);
});

test("request and response forms, and the version", () => {
  const request = buildRequest(POOL, { ...V3, pool_id: "p1" });
  assert.ok(request.url.endsWith("/load_balancer_pools/p1"));
  assert.equal(request.method, "GET");
  assert.equal(request.body, null);
  const pool = parseResponse(POOL, { status: 200, headers: new Headers({ "content-type": "application/json" }), body: new TextEncoder().encode('{"id": "p1", "port": 80}').buffer });
  assert.equal(pool.port, 80);
  // The wasm crate's Cargo version (the workspace's one version) is the package's.
  const packageJson = JSON.parse(readFileSync(new URL("../package.json", import.meta.url), "utf8"));
  assert.equal(version, packageJson.version);
});
