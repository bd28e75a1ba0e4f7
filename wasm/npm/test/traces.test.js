// The driver traces (tests/traces/*.json), replayed by the JS driver (src/driver.js) on a scripted
// `fetch` and a scripted clock. The Rust driver replays the same files (core/tests/traces.rs);
// both must send the same requests in the same order and end with the same result.

import { test } from "node:test";
import assert from "node:assert/strict";
import { readdirSync, readFileSync } from "node:fs";

import * as native from "../dist/rackconnect_wasm.js";
import "rackconnect";
import { drive } from "../src/driver.js";
import { call } from "../src/api.js";

const DIR = new URL("../../../tests/traces/", import.meta.url);

/** True when every field of `expected` is in `actual` with the same value (lists of equal length). */
function subset(expected, actual) {
  if (Array.isArray(expected)) {
    return Array.isArray(actual) && expected.length === actual.length && expected.every((e, i) => subset(e, actual[i]));
  }
  if (expected !== null && typeof expected === "object") {
    return actual !== null && typeof actual === "object" && Object.entries(expected).every(([k, v]) => k in actual && subset(v, actual[k]));
  }
  return expected === actual;
}

function exchangeOf(setup, driver) {
  const task = setup.task;
  const auth = setup.auth ? new native.Auth(JSON.stringify(setup.auth)) : null;
  if (task.call) return { auth, exchange: native.Exchange.call(auth, task.call, JSON.stringify(task.input), driver) };
  if (task.call_v2) return { auth, exchange: native.Exchange.callV2(task.call_v2, JSON.stringify(task.input), driver) };
  if (task.wait) return { auth, exchange: native.Exchange.wait(auth, JSON.stringify(task.wait), driver) };
  if (task.ensure) return { auth, exchange: native.Exchange.ensure(auth, JSON.stringify(task.ensure), driver) };
  if (task.all_servers) return { auth, exchange: native.Exchange.allServers(auth, driver) };
  if (task.v2_wait) return { auth, exchange: native.Exchange.waitV2(JSON.stringify(task.v2_wait), driver) };
  throw new Error(`unknown task ${JSON.stringify(task)}`);
}

async function replay(name, trace) {
  const { setup } = trace;
  const start = setup.start;
  let now = start;
  const steps = [...trace.steps];
  const controller = new AbortController();
  const driver = JSON.stringify({ region: setup.region ?? undefined, seed: setup.seed });
  let outcome;
  try {
    const { exchange } = call(() => exchangeOf(setup, driver));
    // The step the scripted fetch is answering (for its timeout check).
    const fetchFn = async (url, init) => {
      const step = steps.shift();
      assert.ok(step && step.expect, `${name}: an unexpected request ${init.method} ${url}`);
      assert.equal(init.method, step.expect.method, `${name}: method`);
      assert.equal(url, step.expect.url, `${name}: url`);
      assert.equal(init.redirect, "manual", `${name}: redirects are never followed`);
      if (step.expect.token) {
        const sent = init.headers.find(([n]) => n.toLowerCase() === "x-auth-token")?.[1];
        assert.equal(sent, step.expect.token, `${name}: token`);
      }
      const at = now - start;
      if (step.not_before !== undefined) assert.ok(at >= step.not_before, `${name}: sent at ${at}, before ${step.not_before}`);
      if (step.not_after !== undefined) assert.ok(at <= step.not_after, `${name}: sent at ${at}, after ${step.not_after}`);
      if (step.fail) {
        if (step.takes_timeout) {
          // The driver's own timeout fires: the scripted clock moves by the time it was given.
          const timeoutMs = currentTimeout;
          if (step.expect.max_timeout_ms !== undefined) assert.ok(timeoutMs <= step.expect.max_timeout_ms, `${name}: timeout ${timeoutMs}`);
          now += timeoutMs;
        }
        // What fetch throws for each: its timeout signal's TimeoutError, or undici's causes.
        if (step.fail.kind === "timeout") throw new DOMException(step.fail.detail, "TimeoutError");
        const code = step.fail.kind === "connect" ? "ECONNREFUSED" : "ECONNRESET";
        throw Object.assign(new TypeError("fetch failed"), { cause: { code, message: step.fail.detail } });
      }
      return new Response(step.respond.status === 204 ? null : step.respond.body, {
        status: step.respond.status === 302 ? 302 : step.respond.status,
        headers: step.respond.headers,
      });
    };
    let currentTimeout = 0;
    const pause = async (ms) => {
      const at = now + Math.max(1, ms);
      const next = steps[0];
      if (next && next.cancel_at !== undefined && start + next.cancel_at <= at) {
        steps.shift();
        now = Math.max(now, start + next.cancel_at);
        controller.abort(new Error("scripted cancel"));
        return;
      }
      now = Math.max(now, at);
    };
    const watching = {
      poll: (t) => {
        const text = exchange.poll(t);
        const step = JSON.parse(text);
        if (step.step === "send") currentTimeout = step.timeout_ms;
        return text;
      },
      onResponse: (...args) => exchange.onResponse(...args),
      onTransportError: (...args) => exchange.onTransportError(...args),
      cancel: () => exchange.cancel(),
      free: () => exchange.free(),
    };
    outcome = { ok: await drive(watching, { fetch: fetchFn, signal: controller.signal, now: () => now, pause }) };
  } catch (error) {
    outcome = { error };
  }
  assert.deepEqual(steps, [], `${name}: steps left over`);
  if ("ok" in trace.result) {
    if (outcome.error?.code === "cancelled" && outcome.error.result) outcome = { ok: outcome.error.result };
    assert.ok(!outcome.error, `${name}: ${outcome.error?.message}`);
    assert.ok(subset(trace.result.ok, outcome.ok), `${name}: ${JSON.stringify(outcome.ok)}\nexpected ${JSON.stringify(trace.result.ok)}`);
  } else {
    assert.ok(outcome.error, `${name}: expected an error, got ${JSON.stringify(outcome.ok)}`);
    assert.ok(subset(trace.result.error, outcome.error.data), `${name}: ${JSON.stringify(outcome.error.data)}\nexpected ${JSON.stringify(trace.result.error)}`);
  }
  if (trace.max_elapsed_ms !== undefined) assert.ok(now - start <= trace.max_elapsed_ms, `${name}: ended after ${now - start} ms`);
}

const files = readdirSync(DIR).filter((f) => f.endsWith(".json")).sort();

test("there are at least 25 traces", () => {
  assert.ok(files.length >= 25, `${files.length}`);
});

for (const file of files) {
  test(`trace ${file}`, async () => {
    await replay(file.replace(/\.json$/, ""), JSON.parse(readFileSync(new URL(file, DIR), "utf8")));
  });
}
