// `rackconnect/emulator`: the emulator's engine (its own .wasm) behind a fetch-compatible function.
// Like the Python wheel's server it only does I/O and time: it turns a fetch call into the
// engine's request, tells the engine the time, waits where the engine says (an injected delay),
// and turns the answer into a `Response`, or into the network error an injected reset or
// truncation means. What to answer, the control API included, is the engine's to decide.

import { EmulatorEngine, builtInScenario, builtInScenarios as nativeBuiltInScenarios, clockSpeedProblem } from "../../dist/rackconnect_emulator.js";
import { RackConnectError, invalidInput } from "../errors.js";

/**
 * The emulator's origin. A loopback address, so the core sends an API key there over plain http
 * (its https-or-loopback rule stays as it is), and port 9 (discard), where nothing listens: a
 * request that misses `emulator.fetch` fails at once instead of reaching a real server.
 */
export const EMULATOR_URL = "http://127.0.0.1:9";

/**
 * The names of the built-in scenarios (`demo`, the default, `failing-automation`, `fleet`). (A
 * function: nothing here calls the wasm module while the entries are still loading it.)
 */
export function builtInScenarios() {
  return nativeBuiltInScenarios();
}

/** The control API refused a call: the emulator's message, and the HTTP status it answered. */
export class ControlError extends RackConnectError {
  constructor(message, status) {
    super(message, { kind: "control", message, status });
  }
}

/** A scenario as JSON text: a built-in name, the JSON text itself, or the object. */
function scenarioText(scenario) {
  if (scenario === undefined || scenario === null) return builtInScenario("demo");
  if (typeof scenario === "string") {
    if (scenario.trimStart().startsWith("{")) return scenario;
    const text = builtInScenario(scenario);
    if (text !== undefined) return text;
    throw invalidInput("scenario", `a built-in scenario (${builtInScenarios().join(", ")}), a scenario object or its JSON text`, scenario);
  }
  if (typeof scenario === "object" && !Array.isArray(scenario)) return JSON.stringify(scenario);
  throw invalidInput("scenario", "a built-in scenario's name, a scenario object or its JSON text", String(scenario));
}

/** The error a fetch rejects with when the connection broke, shaped as Node's fetch shapes it. */
function networkError(code, detail) {
  return new TypeError("fetch failed", { cause: Object.assign(new Error(detail), { code }) });
}

function abortReason(signal) {
  return signal.reason ?? new DOMException("This operation was aborted", "AbortError");
}

/** Resolves after `ms` real milliseconds; rejects with the signal's reason when it aborts. */
function realDelay(ms, signal) {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(abortReason(signal));
    const onAbort = () => {
      clearTimeout(timer);
      reject(abortReason(signal));
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener("abort", onAbort);
      resolve();
    }, ms);
    signal?.addEventListener("abort", onAbort, { once: true });
  });
}

/** A body that delivers `part` and then breaks, as a truncated answer does on the wire. */
function truncatedBody(part) {
  let delivered = false;
  return new ReadableStream({
    pull(controller) {
      if (delivered) {
        controller.error(networkError("UND_ERR_SOCKET", "the connection closed before the whole body (an injected truncate)"));
      } else {
        delivered = true;
        controller.enqueue(part);
      }
    },
  });
}

/**
 * The fields of an options object that were given, renamed to the control API's names. A name
 * it does not know (`pool_nodes` for `poolNodes`) is refused, not dropped without a word.
 */
function controlFields(options, names) {
  if (options === null || typeof options !== "object" || Array.isArray(options)) {
    throw invalidInput("options", `an object with ${Object.keys(names).join(", ")}`, String(options));
  }
  const unknown = Object.keys(options).filter((key) => !Object.hasOwn(names, key));
  if (unknown.length > 0) throw invalidInput("options", `only ${Object.keys(names).join(", ")}`, unknown.join(", "));
  const fields = {};
  for (const [js, wire] of Object.entries(names)) {
    if (options[js] !== undefined) fields[wire] = options[js];
  }
  return fields;
}

export class Emulator {
  #engine;
  /** Real time at the start (wall clock), then monotonic; plus what the virtual clock slept. */
  #wallAtStart = Date.now();
  #started = performance.now();
  #slept = 0;
  // Behind getters, not own properties: `console.log(emulator)` then shows no credential (a
  // custom scenario's are its user's own), as a Client shows no key.
  #scenario;
  #apiKey = null;
  #password = null;

  /**
   * `scenario`: a built-in scenario's name (`demo`, the default), a scenario object or its JSON
   * text (a document `state()` gave restores that world). `clockSpeed`: emulated seconds per
   * real second (overrides the scenario's). `seed`: generated ids, tokens, addresses and fault
   * draws repeat from run to run (overrides the scenario's `seed`).
   */
  constructor(options = {}) {
    if (options === null || typeof options !== "object") throw invalidInput("options", "an object", String(options));
    const { scenario, clockSpeed, seed } = options;
    if (clockSpeed !== undefined) {
      const problem = typeof clockSpeed === "number" ? clockSpeedProblem(clockSpeed) : "a number";
      if (problem !== undefined) throw invalidInput("clockSpeed", problem, String(clockSpeed));
    }
    // The engine takes a 64-bit seed as a bigint, which would wrap a negative or larger one.
    if (seed !== undefined && !(Number.isSafeInteger(seed) && seed >= 0) && !(typeof seed === "bigint" && seed >= 0n && seed < 2n ** 64n)) {
      throw invalidInput("seed", "a whole number from 0 to 2^64-1 (a bigint beyond 2^53-1)", String(seed));
    }
    const text = scenarioText(scenario);
    try {
      this.#engine = new EmulatorEngine(text, clockSpeed, seed === undefined ? undefined : BigInt(seed), false, this.#now());
    } catch (error) {
      const detail = String(error?.message ?? error).replace(/^invalid scenario: /, "");
      throw invalidInput("scenario", "a scenario as emulator/README.md describes it", detail);
    }
    this.#signInFrom(text);

    this.fetch = (input, init) => this.#fetch(input, init, "127.0.0.1");
    const clockState = () => this.control("GET", "clock");
    clockState.now = () => this.#now();
    clockState.sleep = (ms, signal) => this.#sleep(ms, signal);
    this.clock = clockState;
  }

  /** The scenario is valid (the engine read it): its first account and user are its sign-in. */
  #signInFrom(text) {
    this.#scenario = JSON.parse(text);
    const account = this.#scenario.accounts?.[0] ?? {};
    const user = account.users?.[0] ?? {};
    this.username = user.username ?? "";
    this.#apiKey = user.api_key ?? null;
    this.#password = user.password ?? null;
    this.tenantId = account.tenant ?? "";
    this.region = user.default_region ?? null;
  }

  /** The scenario as read (its credentials included). */
  get scenario() {
    return this.#scenario;
  }

  /** The first user's API key, or null. */
  get apiKey() {
    return this.#apiKey;
  }

  /** The first user's password, or null. */
  get password() {
    return this.#password;
  }

  /** The Identity URL, the v2 base URL and the root of every endpoint the catalog lists. */
  get url() {
    return EMULATOR_URL;
  }

  get identityUrl() {
    return EMULATOR_URL;
  }

  get v2Url() {
    return EMULATOR_URL;
  }

  /** The test's time: the wall clock at the start, plus real time since, plus every clock.sleep. */
  #now() {
    return this.#wallAtStart + (performance.now() - this.#started) + this.#slept;
  }

  /** The virtual clock's sleep: the time moves on by `ms` at once; resolves on the next turn. */
  #sleep(ms, signal) {
    if (!signal?.aborted && Number.isFinite(ms) && ms > 0) this.#slept += ms;
    return new Promise((resolve) => setTimeout(resolve, 0));
  }

  /**
   * What a `Client` of the package takes to run against this emulator with no network and the
   * virtual clock: `new Client(emulator.clientOptions())`.
   */
  clientOptions(overrides = {}) {
    const credential = this.apiKey !== null ? { apiKey: this.apiKey } : { password: this.password };
    return { identityUrl: EMULATOR_URL, username: this.username, ...credential, fetch: this.fetch, clock: this.clock, ...overrides };
  }

  /**
   * A fetch whose requests come from `server` (its name, id or v2 source address): RackConnect
   * v2 (`/v1/automation_status`) knows a server by the address it asks from.
   */
  fetchFrom(server) {
    const found = this.#findServer(String(server));
    const address = found ? found.source_ip : String(server);
    if (!address || !/^[0-9a-fA-F:.]+$/.test(address)) {
      throw invalidInput("server", "a server's name, id or v2 source address", String(server));
    }
    return (input, init) => this.#fetch(input, init, address);
  }

  async #fetch(input, init, sourceIp) {
    const request = typeof Request !== "undefined" && input instanceof Request ? input : null;
    let url;
    try {
      url = new URL(request ? request.url : String(input));
    } catch {
      throw new TypeError(`emulator.fetch: expected a URL under ${EMULATOR_URL}, found "${String(input)}"`);
    }
    if (url.origin !== EMULATOR_URL) {
      throw new TypeError(`emulator.fetch: ${url.origin} is not the emulator (${EMULATOR_URL}); it sends nothing anywhere else`);
    }
    const options = init ?? {};
    const signal = options.signal ?? request?.signal ?? undefined;
    if (signal?.aborted) throw abortReason(signal);
    const method = String(options.method ?? request?.method ?? "GET").toUpperCase();
    const headers = new Headers(options.headers ?? request?.headers ?? undefined);
    let body = new Uint8Array(0);
    if (options.body !== undefined && options.body !== null) {
      // As fetch would: the body's bytes, and its own Content-Type when none is set.
      const wrapped = new Response(options.body);
      body = new Uint8Array(await wrapped.arrayBuffer());
      const type = wrapped.headers.get("content-type");
      if (type && !headers.has("content-type")) headers.set("content-type", type);
    } else if (request?.body) {
      body = new Uint8Array(await request.arrayBuffer());
    }
    if (body.length > 0 && !headers.has("content-length")) headers.set("content-length", String(body.length));

    const target = url.pathname + url.search;
    let outcome = this.#engine.handle(method, target, JSON.stringify([...headers]), body, sourceIp, EMULATOR_URL, this.#now());
    if (outcome.held !== undefined) {
      // An injected delay: waited out in real time (so a client's request timeout can fire).
      const held = outcome.held;
      const delayMs = outcome.delayMs;
      outcome.free();
      try {
        await realDelay(delayMs, signal);
      } catch (error) {
        this.#engine.release(held);
        throw error;
      }
      outcome = this.#engine.resume(held, this.#now());
    }
    const status = outcome.status;
    const disposition = outcome.disposition;
    const answerHeaders = new Headers(JSON.parse(outcome.headers));
    const bytes = outcome.body;
    const truncateAt = outcome.truncateAt;
    outcome.free();
    if (disposition === "reset") {
      throw networkError("ECONNRESET", "the connection closed without an answer (an injected reset)");
    }
    // The framing the wire would carry: the whole body's length, also when it is cut short.
    if (status !== 204) answerHeaders.set("content-length", String(bytes.length));
    // Statuses that carry no body (a Response refuses one for them).
    const noBody = method === "HEAD" || [204, 205, 304].includes(status);
    let answerBody = null;
    if (!noBody) answerBody = disposition === "truncate" ? truncatedBody(bytes.subarray(0, truncateAt)) : bytes;
    return new Response(answerBody, { status, headers: answerHeaders });
  }

  /* -- the control API (emulator/README.md, "The control API") --------------------------- */

  /**
   * One call of the control API: `path` under `/__emulator/` (`"clock"`), `body` sent as JSON;
   * the answer's JSON (null when it has none). Throws ControlError when the emulator refuses.
   */
  control(method, path, body) {
    if (typeof method !== "string" || !/^[A-Za-z]+$/.test(method)) throw invalidInput("method", "an HTTP method (GET, POST, DELETE)", String(method));
    if (typeof path !== "string") throw invalidInput("path", 'a control path ("clock", "servers/ID/automation")', String(path));
    if (body !== undefined && body !== null && (typeof body !== "object" || Array.isArray(body))) {
      throw invalidInput("body", "an object (sent as JSON)", String(body));
    }
    const full = "/__emulator/" + path.replace(/^\/+/, "");
    const text = body === undefined || body === null ? "" : JSON.stringify(body);
    const headers = text ? [["content-type", "application/json"]] : [];
    const bytes = new TextEncoder().encode(text);
    // Control calls are never faulted: the engine always answers them at once.
    const outcome = this.#engine.handle(method.toUpperCase(), full, JSON.stringify(headers), bytes, "127.0.0.1", EMULATOR_URL, this.#now());
    const status = outcome.status;
    const answer = new TextDecoder().decode(outcome.body);
    outcome.free();
    let parsed = null;
    try {
      parsed = answer ? JSON.parse(answer) : null;
    } catch {
      parsed = answer;
    }
    if (status >= 400) {
      const message = parsed && typeof parsed === "object" && typeof parsed.error === "string" ? parsed.error : answer || String(status);
      throw new ControlError(`${method.toUpperCase()} ${full}: ${message}`, status);
    }
    return parsed;
  }

  /** The clock, every server's automation and Managed status, the pending faults, the log's size. */
  summary() {
    return this.control("GET", "");
  }

  /** Moves the emulated clock forward by `seconds`. */
  advance(seconds) {
    return this.control("POST", "clock", { advance_seconds: seconds });
  }

  /** Emulated seconds per real second from now on (0 stops the emulated clock). */
  setClockSpeed(speed) {
    return this.control("POST", "clock", { speed });
  }

  /** Builds a server now (scenario server fields: `name`, `region`, `source_ip`, `automation`, …). */
  buildServer(fields = {}) {
    return this.control("POST", "servers", fields);
  }

  /** Sets how a server's automation ends (`server`: its id or name); `finishNow` ends it at once. */
  setAutomation(server, options = {}) {
    const body = controlFields(options, {
      outcome: "outcome",
      unprocessableReason: "unprocessable_reason",
      failedTask: "failed_task",
      managedOutcome: "managed_outcome",
      finishNow: "finish_now",
    });
    return this.control("POST", `servers/${encodeURIComponent(this.#serverId(server))}/automation`, body);
  }

  /** Deletes a server (its id or name), with its v3 side effects. */
  deleteServer(server) {
    this.control("DELETE", `servers/${encodeURIComponent(this.#serverId(server))}`);
  }

  /**
   * Breaks the next `count` requests (whose path starts with `pathPrefix`, whose operation is
   * `operation`): `status` answers that status (503 by default), `delay` answers after
   * `delayMs`, `reset` rejects the fetch as a broken connection does, `truncate` breaks the body
   * halfway. `operation` is a name from `operations()` (`"v3.pool_nodes.add"`) or a prefix of
   * names ending in `.`; `probability` (0 to 1) is drawn per matching request from the seeded
   * generator (one that escapes does not count down); `latencyMs` waits that long first,
   * whatever the kind. The faults now pending.
   */
  injectFault(kind, options = {}) {
    const body = {
      kind,
      ...controlFields(options, {
        count: "count",
        status: "status",
        delayMs: "delay_ms",
        pathPrefix: "path_prefix",
        retryAfter: "retry_after",
        operation: "operation",
        probability: "probability",
        latencyMs: "latency_ms",
      }),
    };
    return this.control("POST", "faults", body).faults;
  }

  /** The names of the emulated calls (`{ name, method, path }`), for `injectFault`'s `operation`. */
  operations() {
    return this.control("GET", "operations").operations;
  }

  /** The faults still pending. */
  faults() {
    return this.control("GET", "faults").faults;
  }

  /** Drops every pending fault. */
  clearFaults() {
    this.control("DELETE", "faults");
  }

  /** Expires every token (or the one given): how many. */
  expireTokens(token) {
    return this.control("POST", "tokens/expire", token === undefined ? {} : { token }).expired;
  }

  /** The request log, oldest first, and each server's v2 counts. */
  requests() {
    return this.control("GET", "requests");
  }

  /** Empties the request log. */
  clearRequests() {
    this.control("DELETE", "requests");
  }

  /** Builds the world again from the scenario: no tokens, faults or logged requests. */
  reset() {
    return this.control("POST", "reset");
  }

  /** Seeds ids, tokens, addresses and fault draws afresh: from here the same requests get the same answers. */
  setSeed(seed) {
    this.control("POST", "seed", { seed });
  }

  /**
   * The whole world as a scenario document, plain JSON: keep it (`JSON.stringify`, a file, local
   * storage) and restore it with `loadState(doc)` or `new Emulator({ scenario: doc })`.
   */
  state() {
    return this.control("GET", "state");
  }

  /**
   * Replaces the world with a scenario document (`state()`'s, or any scenario); `reset` returns
   * to it, and `clientOptions()` signs in as its first user from then on.
   */
  loadState(state) {
    // Not the default scenario for a missing document: that would quietly load the demo world.
    if (state === undefined || state === null) throw invalidInput("state", "a scenario document (as state() gives), its JSON text or a built-in's name", String(state));
    const text = scenarioText(state);
    const summary = this.control("PUT", "state", JSON.parse(text));
    this.#signInFrom(text);
    return summary;
  }

  /** Each kind's transition mode (`immediate`, `timed`, `manual`), and the durations of `timed`. */
  transitions() {
    return this.control("GET", "transitions");
  }

  /**
   * How v3 pool nodes, v3 public IPs and v2 automation leave their transitional states:
   * `immediate`, `timed` (after the durations given here or in the scenario) or `manual` (only by
   * `advanceTransitions`). What a manual kind holds moves on as its new mode says.
   */
  setTransitions(options = {}) {
    const body = controlFields(options, {
      poolNodes: "pool_nodes",
      publicIps: "public_ips",
      automation: "automation",
      v3AddSeconds: "v3_add_seconds",
      v3RemoveSeconds: "v3_remove_seconds",
      v3UpdateSeconds: "v3_update_seconds",
    });
    return this.control("POST", "transitions", body);
  }

  /**
   * Moves pending transitions on now: of one resource (`id`: a node or public IP id; `server`: a
   * server's id or name, for its automation), of a whole `kind`, or (none) everything. How many moved.
   */
  advanceTransitions(options = {}) {
    const { id, server, kind } = controlFields(options, { id: "id", server: "server", kind: "kind" });
    if (id !== undefined && server !== undefined) throw invalidInput("options", "either id or server, not both", `${id}, ${server}`);
    const body = {};
    if (id !== undefined) body.id = id;
    if (server !== undefined) body.id = this.#serverId(server);
    if (kind !== undefined) body.kind = kind;
    return this.control("POST", "transitions/advance", body).advanced;
  }

  /** Frees the engine's memory (the emulator is unusable after). */
  free() {
    this.#engine.free();
  }

  #findServer(server) {
    const servers = this.summary().servers;
    const lower = server.toLowerCase();
    return (
      servers.find((s) => s.id.toLowerCase() === lower) ?? servers.find((s) => s.name === server) ?? servers.find((s) => s.source_ip === server) ?? null
    );
  }

  #serverId(server) {
    // An id the emulator does not know is passed on: its 404 names it.
    return this.#findServer(String(server))?.id ?? String(server);
  }
}
