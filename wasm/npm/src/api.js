// The sans-IO surface: build a request, parse a response, read a sign-in, explain a v2 answer.
// Everything here converts and delegates to the core (through the wasm module); nothing touches
// the wasm module while this file is being evaluated, because the entry points (node.js,
// browser.js) initialise it afterwards.

import * as native from "../dist/rackconnect_wasm.js";
import { invalidInput, toError } from "./errors.js";

const encoder = new TextEncoder();
const EMPTY = new Uint8Array(0);

// Whether the wasm module is instantiated: the Node and browser entries do it at import,
// `rackconnect/init` when its `init(source)` resolves.
let ready = false;

/** Marks the wasm module as instantiated (the entries call it once they have). */
export function markReady() {
  ready = true;
}

/** Calls a raw wasm export; whatever it throws becomes a RackConnectError. */
export function call(fn, ...args) {
  if (!ready) {
    throw invalidInput("rackconnect", "await init(source) from \"rackconnect/init\" before any other call", "not initialised");
  }
  try {
    return fn(...args);
  } catch (thrown) {
    throw toError(thrown);
  }
}

/** A body as bytes: text is UTF-8 encoded, bytes pass as they are. */
export function bodyBytes(body) {
  if (body === undefined || body === null) return EMPTY;
  if (typeof body === "string") return encoder.encode(body);
  if (body instanceof Uint8Array) return body;
  if (body instanceof ArrayBuffer) return new Uint8Array(body);
  if (ArrayBuffer.isView(body)) return new Uint8Array(body.buffer, body.byteOffset, body.byteLength);
  throw invalidInput("body", "a string, a Uint8Array or an ArrayBuffer", typeof body);
}

/** Headers as `[name, value]` pairs, from pairs, a plain object or a `Headers`. */
export function headerPairs(headers) {
  if (headers === undefined || headers === null) return [];
  if (Array.isArray(headers)) return headers.map(([name, value]) => [String(name), String(value)]);
  if (typeof headers.forEach === "function" && typeof headers.get === "function") {
    const pairs = [];
    headers.forEach((value, name) => pairs.push([name, value]));
    return pairs;
  }
  if (typeof headers === "object") return Object.entries(headers).map(([n, v]) => [n, String(v)]);
  throw invalidInput("headers", "[name, value] pairs, an object or a Headers", typeof headers);
}

/**
 * Header pairs as the wasm module takes them: one block, each name and value followed by a NUL
 * (which no HTTP field may hold), passed with the number of pairs (see `convert::response`).
 */
export function headerBlock(pairs) {
  let block = "";
  for (const [name, value] of pairs) block += `${name}\0${value}\0`;
  return block;
}

function status(response) {
  const value = response?.status;
  if (!Number.isInteger(value) || value < 0 || value > 65535) {
    throw invalidInput("status", "an HTTP status code (an integer)", String(value));
  }
  return value;
}

function inputText(input) {
  if (input === undefined) return "{}";
  try {
    return JSON.stringify(input);
  } catch (error) {
    throw invalidInput("input", "an object of JSON values", error.message);
  }
}

/** Builds the request of an operation from its inputs (see tests/corpus/README.md). */
export function buildRequest(op, input) {
  return JSON.parse(call(native.buildRequest, String(op), inputText(input)));
}

/** Parses the response to an operation into its result, or throws its error class. */
export function parseResponse(op, response) {
  // The per-call path is kept lean (issue 16's 3 µs per small answer): headers given as pairs,
  // the usual form, go straight into the block, without a copy of each pair.
  const headers = response.headers;
  const pairs = Array.isArray(headers) ? headers : headerPairs(headers);
  const block = headerBlock(pairs);
  const count = pairs.length;
  const body = bodyBytes(response.body);
  // A known name goes by its index (a number crosses for free); any other by name, for the
  // core's error.
  const index = operationIndex().get(op);
  const text =
    index === undefined
      ? call(native.parseResponse, String(op), status(response), block, count, body)
      : call(native.parseResponseAt, index, status(response), block, count, body);
  return JSON.parse(text);
}

let indexes = null;
/** Each operation's index in the core's list, read once. */
function operationIndex() {
  if (indexes === null) indexes = new Map(JSON.parse(call(native.operationNames)).map((name, i) => [name, i]));
  return indexes;
}

/** The names of every operation. */
export function operations() {
  return JSON.parse(native.operationNames());
}

/** Reads Identity's token answer: the token, its expiry and the catalog's endpoints per region. */
export function parseSignIn(response) {
  const pairs = headerPairs(response.headers);
  const text = call(native.parseSignIn, status(response), headerBlock(pairs), pairs.length, bodyBytes(response.body));
  return JSON.parse(text);
}

/** `text`, `json` or `xml`, sniffed the way the core's v2 parsers read a body. */
export function bodySyntax(body) {
  return native.bodySyntax(bodyBytes(body));
}

const V2_OPERATIONS = ["automation_status", "details", "gateway_ip", "automation_features"];
// Detection order: the most specific shape first. A bare status would also read as details
// (without tasks) and any bare word as a status, so those come last.
const DETECTION_ORDER = ["automation_features", "gateway_ip", "details", "automation_status"];

/** The failed and the pending tasks, as the core sorts them (by status), in their order. */
function failedAndPending(tasks) {
  if (tasks.length === 0) return { failed: [], pending: [] };
  const { failed, pending } = JSON.parse(call(native.v2FailedAndPending, JSON.stringify(tasks.map((t) => t.status))));
  return { failed: failed.map((i) => tasks[i]), pending: pending.map((i) => tasks[i]) };
}

const taskList = (tasks) => tasks.map((t) => t.name).join("; ");

function explainStatus(status, failed, pending) {
  switch (status) {
    case "DEPLOYED":
      return ["done", "RackConnect automation has finished: the server is DEPLOYED."];
    case "DEPLOYING":
      return ["in_progress", "RackConnect automation is still running (DEPLOYING); ask again later, at most 30 requests a minute."];
    case "FAILED": {
      // The failed task is the cause; pending ones only never ran because of it.
      const cause = failed.length === 1 ? ` Failed task: ${taskList(failed)}.`
        : failed.length > 1 ? ` Failed tasks: ${taskList(failed)}.`
        : "";
      const notRun = pending.length > 0 ? ` Not run (PENDING): ${taskList(pending)}.` : "";
      return ["failed", `RackConnect automation FAILED.${cause}${notRun} Changing the root password or SSH access before DEPLOYED is a common cause.`];
    }
    case "UNPROCESSABLE":
      return ["not_applicable", "RackConnect cannot process this server (UNPROCESSABLE), e.g. it was built in a region that does not match the RackConnect configuration."];
    default:
      return ["info", `The status "${status}" is not one RackConnect documents; treat it as unfinished, within a deadline.`];
  }
}

function explanation(syntax, operation, answer) {
  const out = {
    syntax, operation, answer, status: null, tasks: [], failedTasks: [], pendingTasks: [],
    features: [], gatewayIp: null, verdict: "info", summary: "",
  };
  if (answer.outcome === "rate_limited") {
    const wait = answer.value.retry_after != null ? ` (Retry-After: ${answer.value.retry_after} s)` : "";
    out.verdict = "rate_limited";
    out.summary = `RackConnect v2 answered 403${wait}: more than 30 requests a minute from this server; wait for the next minute. A 403 that persists means the caller is not a RackConnect server.`;
    return out;
  }
  if (answer.outcome === "not_assigned") {
    out.verdict = "not_assigned";
    out.summary = "No gateway IP is assigned yet (404): automation has not reached that step.";
    return out;
  }
  const value = answer.value;
  if (operation === "gateway_ip") {
    out.gatewayIp = value;
    out.summary = `The gateway of the server's RackConnect network is ${value}.`;
  } else if (operation === "automation_features") {
    out.features = value.features;
    const list = value.features.map((f) => `${f.name}: ${f.status}`).join("; ");
    out.summary = value.features.length > 0
      ? `Automation features (enabled or disabled together, per account): ${list}.`
      : "No automation features are listed.";
  } else {
    out.status = operation === "details" ? value.automation_status : value;
    out.tasks = operation === "details" ? value.tasks : [];
    ({ failed: out.failedTasks, pending: out.pendingTasks } = failedAndPending(out.tasks));
    [out.verdict, out.summary] = explainStatus(out.status, out.failedTasks, out.pendingTasks);
  }
  return out;
}

/** Reads a pasted v2 answer (text, JSON or XML) and explains it (see index.d.ts). */
export function explainV2Answer(body, options = {}) {
  const bytes = bodyBytes(body);
  const syntax = bodySyntax(bytes);
  const code = options.status ?? 200;
  const read = (operation) => parseResponse(`v2.${operation}`, { status: code, body: bytes });
  if (options.operation !== undefined) {
    if (!V2_OPERATIONS.includes(options.operation)) {
      throw invalidInput("operation", V2_OPERATIONS.join(", "), String(options.operation));
    }
    return explanation(syntax, options.operation, read(options.operation));
  }
  if (code === 404) return explanation(syntax, "gateway_ip", read("gateway_ip"));
  const errors = {};
  for (const operation of DETECTION_ORDER) {
    try {
      const answer = read(operation);
      // A bare status also reads as details without tasks: call it what it is.
      const tasksless = operation === "details" && answer.outcome === "answer" && answer.value.tasks.length === 0;
      return tasksless
        ? explanation(syntax, "automation_status", { outcome: "answer", value: answer.value.automation_status })
        : explanation(syntax, operation, answer);
    } catch (error) {
      errors[operation] = error;
    }
  }
  // Nothing reads it: report the error of the operation the body seems to be about.
  const text = new TextDecoder().decode(bytes.subarray(0, 4096)).toLowerCase();
  const likely = text.includes("feature") ? "automation_features"
    : text.includes("gateway") ? "gateway_ip"
    : text.includes("task") ? "details"
    : "automation_status";
  throw errors[likely];
}

/**
 * Text from the API made safe to show in a terminal or a page: every control character but
 * newline and tab is shown escaped (`\u{1b}`), so a name cannot clear a screen or hide a line.
 */
export function terminalSafe(text) {
  return native.terminalSafe(String(text));
}

function objectOf(field, value) {
  if (value === null || typeof value !== "object" || Array.isArray(value)) {
    throw invalidInput(field, "an object as the package returned it", Array.isArray(value) ? "an array" : typeof value);
  }
  return value;
}

/** A field that is text, or undefined (what wasm-bindgen takes for `None`). */
function textOrNone(value) {
  return typeof value === "string" ? value : undefined;
}

/**
 * Whether a pool (as `listPools` returned it) may be offered as a default, and why not:
 * `{fit, reason}`. Only an `ACTIVE` pool takes changes. The rule is the core's.
 */
export function poolFitness(pool) {
  const { status, status_detail: detail } = objectOf("pool", pool);
  return JSON.parse(call(native.poolFitness, textOrNone(status), textOrNone(detail)));
}

/**
 * Whether a server (as `listServers` returned it) may be offered as a default, and why not:
 * `{fit, reason}`. Not fit when its automation failed or does not apply (RackConnect `FAILED`
 * or `UNPROCESSABLE`, Managed Operations `Build Error` or `Authentication Error`, Cloud Servers
 * `ERROR`). The rule is the core's.
 */
export function serverFitness(server) {
  const { status, rackconnect: view } = objectOf("server", server);
  return JSON.parse(call(
    native.serverFitness,
    textOrNone(status),
    textOrNone(view?.automation_status),
    textOrNone(view?.unprocessable_reason),
    textOrNone(view?.managed_status),
  ));
}
