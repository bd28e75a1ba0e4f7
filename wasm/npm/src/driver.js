// The JS driver of the core's driver contract (`rackconnect::client`): it sends what an exchange
// asks with `fetch` (no redirects, the exchange's timeout, the body capped), sleeps with timers,
// and reports back. It decides nothing: every retry, pause, token, default and URL rule is the
// core's. The Rust driver (`rackconnect::blocking::drive`) does the same with a socket.

import { call, headerBlock } from "./api.js";
import { CancelledError, cancelled, toError } from "./errors.js";

/** The driver contract's clock: wall-clock milliseconds at the start, then monotonic. */
export function contractClock() {
  const wall = Date.now();
  const start = performance.now();
  return () => wall + (performance.now() - start);
}

/** Resolves after `ms`, or at once when `signal` aborts (the caller checks `signal.aborted`). */
export function sleep(ms, signal) {
  return new Promise((resolve) => {
    if (signal?.aborted) return resolve();
    const done = () => {
      clearTimeout(timer);
      signal?.removeEventListener("abort", done);
      resolve();
    };
    const timer = setTimeout(done, Math.max(1, ms));
    signal?.addEventListener("abort", done, { once: true });
  });
}

/** A URL without user info, for messages. */
export function shown(url) {
  try {
    const parsed = new URL(url);
    parsed.username = "";
    parsed.password = "";
    return parsed.href;
  } catch {
    return String(url).replace(/\/\/[^/@]*@/, "//");
  }
}

/**
 * The transport kinds of the contract: `connect` when no connection was made (refused, unknown
 * host; a browser's opaque "Failed to fetch"), `io` when it broke mid-exchange.
 */
function transportKind(error, phase) {
  const code = error?.cause?.code;
  if (["ECONNREFUSED", "ENOTFOUND", "EAI_AGAIN", "EHOSTUNREACH", "ENETUNREACH", "UND_ERR_CONNECT_TIMEOUT"].includes(code)) return "connect";
  if (phase === "body" || code !== undefined) return "io";
  return "connect";
}

/** Reads at most `max` bytes of a body; more is a `too_large` failure, and reading stops there. */
async function readCapped(response, max) {
  const declared = Number(response.headers.get("content-length"));
  if (Number.isFinite(declared) && declared > max) {
    await response.body?.cancel().catch(() => {});
    return { tooLarge: `the answer's Content-Length is ${declared} bytes, over the cap of ${max}` };
  }
  if (!response.body) return { body: new Uint8Array(0) };
  const reader = response.body.getReader();
  const chunks = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > max) {
      await reader.cancel().catch(() => {});
      return { tooLarge: `the body is over the cap of ${max} bytes` };
    }
    chunks.push(value);
  }
  const body = new Uint8Array(size);
  let at = 0;
  for (const chunk of chunks) {
    body.set(chunk, at);
    at += chunk.byteLength;
  }
  return { body };
}

/**
 * Sends one request as the exchange asked: `{answer: {status, headers, body}}` or
 * `{failure: {kind, detail}}`; throws CancelledError when `signal` aborts.
 */
export async function send(fetchFn, step, signal) {
  const { request, timeout_ms: timeoutMs, max_body_bytes: maxBody } = step;
  if (signal?.aborted) throw cancelled(signal.reason);
  const timeout = AbortSignal.timeout(Math.max(1, timeoutMs));
  const both = signal ? AbortSignal.any([signal, timeout]) : timeout;
  const what = `${request.method} ${shown(request.url)}`;
  const failed = (error, phase) => {
    if (signal?.aborted) throw cancelled(signal.reason);
    // The timeout signal fired (fetch rejects with its TimeoutError).
    if (timeout.aborted || error?.name === "TimeoutError") return { failure: { kind: "timeout", detail: `${what}: no answer within ${timeoutMs} ms` } };
    const reason = error?.cause?.message ?? error?.message ?? String(error);
    return { failure: { kind: transportKind(error, phase), detail: `${what}: ${reason}` } };
  };
  // A redirect could carry a credential or a token elsewhere: none is followed (a 3xx is an answer).
  const init = { method: request.method, headers: request.headers, signal: both, redirect: "manual" };
  if (request.body !== null) init.body = request.body;
  let response;
  try {
    response = await fetchFn(request.url, init);
  } catch (error) {
    return failed(error, "connect");
  }
  try {
    const headers = [];
    response.headers.forEach((value, name) => headers.push([name, value]));
    const read = await readCapped(response, maxBody);
    if (read.tooLarge) return { failure: { kind: "too_large", detail: `${what}: ${read.tooLarge}` } };
    return { answer: { status: response.status, headers, body: read.body } };
  } catch (error) {
    return failed(error, "body");
  }
}

/**
 * Drives one of the core's exchanges to its end: poll, send what it asks, report the answer,
 * sleep until it says. An abort cancels the exchange and rejects with CancelledError (carrying a
 * wait's result); an exception from onProgress does the same and is rethrown.
 * `now` and `pause` replace the clock and the timers (the trace replays do, with a scripted clock);
 * `auth` adopts the exchange's token at the end.
 */
export async function drive(exchange, { fetch: fetchFn, signal, onProgress, auth, now = contractClock(), pause = sleep } = {}) {
  let cancelledNow = false;
  let progressError = null;
  const cancel = () => {
    if (!cancelledNow) {
      cancelledNow = true;
      exchange.cancel();
    }
  };
  const emit = (events) => {
    if (!onProgress || progressError) return;
    for (const event of events) {
      try {
        onProgress(event);
      } catch (error) {
        progressError = { error };
        cancel();
        return;
      }
    }
  };
  try {
    for (;;) {
      if (signal?.aborted) cancel();
      const step = JSON.parse(call(() => exchange.poll(now())));
      emit(step.events);
      if (step.step === "finished") {
        if (progressError) throw progressError.error;
        if (step.output?.outcome === "cancelled") throw cancelled(signal?.reason, step.output);
        return step.output;
      }
      if (step.step === "failed") {
        if (progressError) throw progressError.error;
        if (step.error.kind === "cancelled") throw cancelled(signal?.reason);
        throw toError(step.error);
      }
      if (step.step === "sleep") {
        await pause(step.until - now(), signal);
        continue;
      }
      let sent;
      try {
        sent = await send(fetchFn, step, signal);
      } catch (error) {
        if (error instanceof CancelledError) {
          cancel();
          continue;
        }
        throw error;
      }
      const events = sent.answer
        ? call(() => {
          const { status, headers, body } = sent.answer;
          return exchange.onResponse(now(), status, headerBlock(headers), headers.length, body);
        })
        : call(() => exchange.onTransportError(now(), sent.failure.kind, sent.failure.detail));
      emit(JSON.parse(events));
    }
  } finally {
    // The exchange may have signed in again: its token goes on with the client.
    auth?.adopt(exchange);
    exchange.free();
  }
}

