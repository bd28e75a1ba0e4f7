// The client: Identity sign-in, v3 and Cloud Servers calls over `fetch`, and the core's waiters
// and planners driven by the host's timers. The core decides what to send and when; this file
// only sends, sleeps and reports back (like rackconnect::blocking::run does in Rust).

import * as native from "../dist/rackconnect_wasm.js";
import { buildRequest, call, parseResponse, parseSignIn } from "./api.js";
import { ApiError, CancelledError, RackConnectError, cancelled, invalidInput, transportError } from "./errors.js";

/** A cached token is renewed this long before Identity says it expires. */
const REFRESH_MARGIN_MS = 5 * 60 * 1000;
/** The pause before the one retry of a read. */
const READ_RETRY_PAUSE_MS = 250;
/** The longest a read waits for a Retry-After before its one retry. */
const MAX_READ_RETRY_PAUSE_MS = 2000;
/** How long a create retries the post-build 409 (server not known to RackConnect yet). */
const POST_BUILD_RETRY_MS = 60_000;
const DEFAULT_TIMEOUT_MS = 30 * 60 * 1000;
const DEFAULT_INTERVAL_MS = 2000;
const PAGE_SIZE = 100;
const INSPECT = Symbol.for("nodejs.util.inspect.custom");

/** Resolves after `ms`, or at once when `signal` aborts (the caller checks `signal.aborted`). */
function sleep(ms, signal) {
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

function throwIfAborted(signal) {
  if (signal?.aborted) throw cancelled(signal.reason);
}

/** `promise`, or a CancelledError as soon as `signal` aborts (the promise itself runs on). */
function untilAborted(promise, signal) {
  if (!signal) return promise;
  return new Promise((resolve, reject) => {
    const onAbort = () => reject(cancelled(signal.reason));
    signal.addEventListener("abort", onAbort, { once: true });
    promise.then(resolve, reject).finally(() => signal.removeEventListener("abort", onAbort));
  });
}

/**
 * The core's transport kinds: `connect` when no connection was made (refused, unknown host; a
 * browser's opaque "Failed to fetch"), `io` when it broke mid-exchange.
 */
function transportKind(error, phase) {
  const code = error?.cause?.code;
  if (["ECONNREFUSED", "ENOTFOUND", "EAI_AGAIN", "EHOSTUNREACH", "ENETUNREACH", "UND_ERR_CONNECT_TIMEOUT"].includes(code)) return "connect";
  if (phase === "body" || code !== undefined) return "io";
  return "connect";
}

/** A URL without user info, for messages. */
function shown(url) {
  try {
    const parsed = new URL(url);
    parsed.username = "";
    parsed.password = "";
    return parsed.href;
  } catch {
    return String(url).replace(/\/\/[^/@]*@/, "//");
  }
}

function millisOption(name, value, fallback) {
  if (value === undefined) return fallback;
  if (typeof value !== "number" || !Number.isFinite(value) || value < 0) {
    throw invalidInput(name, "a number of milliseconds, 0 or more", String(value));
  }
  return Math.round(value);
}

function waitConfig(options) {
  return {
    timeout_ms: millisOption("timeoutMs", options.timeoutMs, DEFAULT_TIMEOUT_MS),
    interval_ms: millisOption("intervalMs", options.intervalMs, DEFAULT_INTERVAL_MS),
  };
}

function ensureOptions(options) {
  return { dry_run: Boolean(options.dryRun), no_wait: options.wait === false, wait: waitConfig(options) };
}

function target(until) {
  if (until === undefined || until === "active") return "active";
  if (until === "gone") return "gone";
  throw invalidInput("until", "active or gone", String(until));
}

function withToken(request, token) {
  const headers = request.headers.filter(([name]) => name.toLowerCase() !== "x-auth-token");
  headers.push(["X-Auth-Token", token]);
  return { ...request, headers };
}

/** A 409 whose every conflict says only that the server is not known to RackConnect yet. */
function isPostBuildConflict(error) {
  return (
    error instanceof ApiError &&
    error.status === 409 &&
    error.conflicts.length > 0 &&
    error.conflicts.every((c) => c.kind === "server_does_not_exist" || c.kind === "server_unprocessable")
  );
}

/**
 * One Identity sign-in and the transport under it: the credentials, the cached token, the
 * sign-in in flight, `fetch` and its timeout. Clients made by `withRegion` share one, so that a
 * switch of region signs in no more, and renewing (or signing out) counts for all of them.
 */
class Session {
  // Private fields: neither JSON.stringify nor console.log / util.inspect shows them.
  #fetch;
  #identityUrl;
  #username;
  #credentials;
  #tenant;
  #requestTimeoutMs;
  #current = null;
  #signingIn = null;

  constructor({ identityUrl, username, credentials, tenant, fetch, requestTimeoutMs }) {
    this.#identityUrl = identityUrl;
    this.#username = username;
    this.#credentials = credentials;
    this.#tenant = tenant;
    this.#fetch = fetch;
    this.#requestTimeoutMs = requestTimeoutMs;
    // Checks the URL and credentials now (the core never echoes a credential in its errors).
    this.#tokenRequest();
  }

  get username() {
    return this.#username;
  }

  get signedIn() {
    return this.#current !== null;
  }

  describe() {
    return { identityUrl: shown(this.#identityUrl), username: this.#username, tenant: this.#tenant };
  }

  #tokenRequest() {
    const input = { identity_url: this.#identityUrl, username: this.#username, ...this.#credentials };
    if (this.#tenant !== null) input.tenant_id = this.#tenant;
    return buildRequest("identity.token", input);
  }

  /** Sends one request; answers `{status, headers, body}` whatever the status. */
  async send(request, signal) {
    throwIfAborted(signal);
    const timeout = AbortSignal.timeout(this.#requestTimeoutMs);
    const both = signal ? AbortSignal.any([signal, timeout]) : timeout;
    const what = `${request.method} ${shown(request.url)}`;
    const failed = (error, phase) => {
      if (signal?.aborted) return cancelled(signal.reason);
      if (timeout.aborted) return transportError("timeout", `${what}: no answer within ${this.#requestTimeoutMs} ms`, error);
      const reason = error?.cause?.message ?? error?.message ?? String(error);
      return transportError(transportKind(error, phase), `${what}: ${reason}`, error);
    };
    const init = { method: request.method, headers: request.headers, signal: both };
    if (request.body !== null) init.body = request.body;
    let response;
    try {
      response = await this.#fetch(request.url, init);
    } catch (error) {
      throw failed(error, "connect");
    }
    try {
      const headers = [];
      response.headers.forEach((value, name) => headers.push([name, value]));
      const body = new Uint8Array(await response.arrayBuffer());
      return { status: response.status, headers, body };
    } catch (error) {
      throw failed(error, "body");
    }
  }

  /** Identity's answer, cached until shortly before the token expires. */
  async access(signal) {
    throwIfAborted(signal);
    const current = this.#current;
    if (current !== null && Date.now() < current.expiresAt - REFRESH_MARGIN_MS) return current;
    // Concurrent calls share one sign-in, which therefore follows no caller's signal: each
    // caller stops waiting for it on its own abort.
    if (this.#signingIn === null) {
      this.#signingIn = this.send(this.#tokenRequest(), undefined)
        .then((response) => {
          this.#current = parseSignIn(response);
          return this.#current;
        })
        .finally(() => {
          this.#signingIn = null;
        });
    }
    return untilAborted(this.#signingIn, signal);
  }

  /** Drops the token after a 401, unless another caller has already replaced it. */
  refuse(token) {
    if (this.#current?.token === token) this.#current = null;
  }

  async signOut(signal) {
    const current = this.#current;
    if (current === null) return;
    const request = buildRequest("identity.revoke", { identity_url: this.#identityUrl, token: current.token });
    this.#current = null;
    parseResponse("identity.revoke", await this.send(request, signal));
  }
}

// The key under which `withRegion` hands its Session to the new Client; not exported, so only
// this module can make a Client without credentials.
const SHARED_SESSION = Symbol("rackconnect.sharedSession");

export class Client {
  // Private fields: neither JSON.stringify nor console.log / util.inspect shows them.
  #session;
  #region;

  constructor(options) {
    if (!options || typeof options !== "object") throw invalidInput("options", "an object", String(options));
    if (options[SHARED_SESSION] instanceof Session) {
      this.#session = options[SHARED_SESSION];
      this.#region = options.region;
      return;
    }
    const { identityUrl = "us", username, apiKey, password, tenant, region, fetch, requestTimeoutMs } = options;
    if (typeof username !== "string" || username === "") throw invalidInput("username", "a user name", String(username));
    if ((apiKey === undefined) === (password === undefined)) {
      // Says which case it is, never the values.
      const found = apiKey === undefined ? "neither" : "both";
      throw invalidInput("credentials", "one of apiKey and password", found);
    }
    this.#region = region === undefined ? null : call(native.checkRegion, String(region));
    this.#session = new Session({
      identityUrl: String(identityUrl),
      username,
      credentials: apiKey !== undefined ? { api_key: apiKey } : { password },
      tenant: tenant ?? null,
      fetch: fetch ?? ((...args) => globalThis.fetch(...args)),
      requestTimeoutMs: millisOption("requestTimeoutMs", requestTimeoutMs, 30_000),
    });
  }

  get region() {
    return this.#region;
  }

  /**
   * A client for another region on the same sign-in: it shares this one's token (and renews
   * it for both), so switching region sends nothing to Identity.
   */
  withRegion(region) {
    return new Client({ [SHARED_SESSION]: this.#session, region: call(native.checkRegion, String(region)) });
  }

  toJSON() {
    return { ...this.#session.describe(), region: this.#region, signedIn: this.#session.signedIn };
  }

  [INSPECT]() {
    return `Client ${JSON.stringify(this.toJSON())}`;
  }

  /** The signed-in session; without a region of its own, the client takes the user's default. */
  async #access(signal) {
    const session = await this.#session.access(signal);
    if (this.#region === null) {
      if (session.defaultRegion === null) {
        throw invalidInput("region", "a region (none given, and the user has no default region)", "");
      }
      this.#region = session.defaultRegion;
    }
    return session;
  }

  async #endpoint(kind, signal) {
    const session = await this.#access(signal);
    const url = session.endpoints[this.#region]?.[kind];
    if (!url) {
      const service = kind === "rackconnect" ? "RackConnect v3 (a rax:rackconnect endpoint in the catalog)" : "Cloud Servers (a compute endpoint in the catalog)";
      throw invalidInput("region", `a region where the account has ${service}`, this.#region);
    }
    return url;
  }

  /** Sends with the current token; on a 401 signs in once more and sends again. */
  async #sendAuthed(request, signal) {
    const { token } = await this.#access(signal);
    const first = await this.#session.send(withToken(request, token), signal);
    if (first.status !== 401) return first;
    this.#session.refuse(token);
    return this.#session.send(withToken(request, (await this.#access(signal)).token), signal);
  }

  async #build(kind, op, input, signal) {
    const endpoint = await this.#endpoint(kind, signal);
    return buildRequest(op, { endpoint, token: (await this.#access(signal)).token, ...input });
  }

  /** A read: sent again once after a transport error or a 5xx (a GET is safe to repeat). */
  async #read(kind, op, input, signal) {
    const request = await this.#build(kind, op, input, signal);
    let response;
    try {
      response = await this.#sendAuthed(request, signal);
    } catch (error) {
      if (error instanceof CancelledError || error?.code !== "transport") throw error;
      await sleep(READ_RETRY_PAUSE_MS, signal);
      throwIfAborted(signal);
      return parseResponse(op, await this.#sendAuthed(request, signal));
    }
    if (response.status >= 500) {
      const retryAfter = Number(response.headers.find(([n]) => n.toLowerCase() === "retry-after")?.[1]);
      const pause = Number.isFinite(retryAfter) ? Math.min(retryAfter * 1000, MAX_READ_RETRY_PAUSE_MS) : READ_RETRY_PAUSE_MS;
      await sleep(pause, signal);
      throwIfAborted(signal);
      response = await this.#sendAuthed(request, signal);
    }
    return parseResponse(op, response);
  }

  /** A change: never sent again automatically. */
  async #change(op, input, signal) {
    const request = await this.#build("rackconnect", op, input, signal);
    return parseResponse(op, await this.#sendAuthed(request, signal));
  }

  /** A create that rides out the post-build 409 (a refused POST created nothing). */
  async #create(op, input, signal) {
    const started = Date.now();
    for (let delay = 1000; ; delay = Math.min(delay * 2, 10_000)) {
      try {
        return await this.#change(op, input, signal);
      } catch (error) {
        const spent = Date.now() - started;
        if (!isPostBuildConflict(error) || spent >= POST_BUILD_RETRY_MS) throw error;
        await sleep(Math.min(delay * (0.5 + Math.random() / 2), POST_BUILD_RETRY_MS - spent), signal);
        throwIfAborted(signal);
      }
    }
  }

  /**
   * Drives one of the core's machines to its end: poll, send what it asks, report the answer,
   * sleep until it says. An abort cancels the machine (and the request in flight) and rejects
   * with CancelledError carrying the result; an exception from onProgress does the same and is
   * rethrown.
   */
  async #run(factory, kind, spec, options) {
    const { signal, onProgress } = options;
    throwIfAborted(signal);
    const endpoint = await this.#endpoint(kind, signal);
    const token = (await this.#access(signal)).token;
    const machine = call(factory, endpoint, token, JSON.stringify(spec), 0);
    const start = performance.now();
    const now = () => performance.now() - start;
    let cancelledNow = false;
    let progressError = null;
    const cancel = () => {
      if (!cancelledNow) {
        cancelledNow = true;
        machine.cancel();
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
        const step = JSON.parse(call(() => machine.poll(now())));
        emit(step.events);
        if (step.step === "finished") {
          if (progressError) throw progressError.error;
          if (step.output.outcome === "cancelled") throw cancelled(signal?.reason, step.output);
          return step.output;
        }
        if (step.step === "sleep") {
          await sleep(step.until - now(), signal);
          continue;
        }
        let answer;
        try {
          answer = await this.#sendAuthed(step.request, signal);
        } catch (error) {
          if (error instanceof CancelledError) {
            cancel();
            continue;
          }
          if (error instanceof ApiError) {
            // Identity refused a new token: the machine judges it like any other answer.
            const headers = error.retryAfter != null ? [["Retry-After", String(error.retryAfter)]] : [];
            const body = new TextEncoder().encode(error.raw);
            emit(JSON.parse(call(() => machine.onResponse(now(), error.status, JSON.stringify(headers), body))));
            continue;
          }
          if (!(error instanceof RackConnectError) || error.code !== "transport") throw error;
          emit(JSON.parse(call(() => machine.onTransportError(now(), error.message))));
          continue;
        }
        const events = call(() => machine.onResponse(now(), answer.status, JSON.stringify(answer.headers), answer.body));
        emit(JSON.parse(events));
      }
    } finally {
      machine.free();
    }
  }

  /* -------------------------------------------------------------------------------------- */

  async signIn(options = {}) {
    const session = await this.#access(options.signal);
    return {
      username: this.#session.username,
      tenantId: session.tenantId,
      region: this.#region,
      defaultRegion: session.defaultRegion,
      rackconnectRegions: session.rackconnectRegions,
      catalogRegions: session.catalogRegions,
      expiresAt: session.expiresAt,
      endpoints: session.endpoints[this.#region] ?? { rackconnect: null, compute: null },
    };
  }

  /** Revokes the token shared with every client made by `withRegion` (they sign in again if used). */
  signOut(options = {}) {
    return this.#session.signOut(options.signal);
  }

  listNetworks(options = {}) {
    return this.#read("rackconnect", "v3.list_networks", {}, options.signal);
  }

  listPools(options = {}) {
    return this.#read("rackconnect", "v3.list_pools", {}, options.signal);
  }

  getPool(poolId, options = {}) {
    return this.#read("rackconnect", "v3.get_pool", { pool_id: poolId }, options.signal);
  }

  listNodes(poolId, options = {}) {
    return this.#read("rackconnect", "v3.list_nodes", { pool_id: poolId }, options.signal);
  }

  listNodeDetails(poolId, options = {}) {
    return this.#read("rackconnect", "v3.list_node_details", { pool_id: poolId }, options.signal);
  }

  serverNodeDetails(serverId, options = {}) {
    return this.#read("rackconnect", "v3.server_node_details", { server_id: serverId }, options.signal);
  }

  listPublicIps(filter = {}) {
    const input = {};
    if (filter.serverId !== undefined) input.cloud_server_id = filter.serverId;
    if (filter.retain !== undefined) input.retain = filter.retain;
    return this.#read("rackconnect", "v3.list_public_ips", input, filter.signal);
  }

  getPublicIp(publicIpId, options = {}) {
    return this.#read("rackconnect", "v3.get_public_ip", { public_ip_id: publicIpId }, options.signal);
  }

  async listServers(options = {}) {
    const servers = [];
    let marker;
    for (;;) {
      const input = { limit: PAGE_SIZE };
      if (marker !== undefined) input.marker = marker;
      const page = await this.#read("compute", "servers.list_detail", input, options.signal);
      servers.push(...page.servers);
      // A marker that stops moving ends the walk rather than looping.
      if (page.next_marker === null || page.next_marker === marker) return servers;
      marker = page.next_marker;
    }
  }

  getServer(serverId, options = {}) {
    return this.#read("compute", "servers.show", { server_id: serverId }, options.signal);
  }

  addNode(poolId, serverId, options = {}) {
    return this.#create("v3.add_node", { pool_id: poolId, server_id: serverId }, options.signal);
  }

  async removeNode(poolId, nodeId, options = {}) {
    await this.#change("v3.remove_node", { pool_id: poolId, node_id: nodeId }, options.signal);
  }

  createPublicIp(spec = {}) {
    const input = {};
    if (spec.serverId !== undefined) input.cloud_server_id = spec.serverId;
    if (spec.retain !== undefined) input.retain = spec.retain;
    return this.#create("v3.create_public_ip", input, spec.signal);
  }

  updatePublicIp(publicIpId, change = {}) {
    const input = { public_ip_id: publicIpId };
    if (change.retain !== undefined) input.retain = change.retain;
    if (change.serverId !== undefined) input.cloud_server_id = change.serverId;
    return this.#change("v3.update_public_ip", input, change.signal);
  }

  async deletePublicIp(publicIpId, options = {}) {
    await this.#change("v3.delete_public_ip", { public_ip_id: publicIpId }, options.signal);
  }

  waitNodes(nodes, options = {}) {
    const spec = {
      nodes: nodes.map((n) => ({ pool_id: n.poolId, node_id: n.nodeId })),
      target: target(options.until),
      wait: waitConfig(options),
    };
    return this.#run(native.Machine.nodesWaiter, "rackconnect", spec, options);
  }

  waitPublicIp(publicIpId, options = {}) {
    const spec = { public_ip_id: publicIpId, target: target(options.until), wait: waitConfig(options) };
    return this.#run(native.Machine.publicIpWaiter, "rackconnect", spec, options);
  }

  waitServer(serverId, options = {}) {
    const config = {
      wait: waitConfig(options),
      rackconnect: options.rackconnect ?? true,
      managed: options.managed ?? false,
      grace_ms: millisOption("graceMs", options.graceMs, 5 * 60_000),
    };
    return this.#run(native.Machine.metadataWaiter, "compute", { server_id: serverId, config }, options);
  }

  async ensurePoolMembers(options) {
    // Pools may be named: the region's pools are listed only when a name is among them.
    if (!Array.isArray(options.pools)) throw invalidInput("pools", "an array of pool ids or names", String(options.pools));
    const wanted = JSON.stringify(options.pools);
    const known = call(native.needsPoolList, wanted) ? JSON.stringify(await this.listPools(options)) : undefined;
    const spec = {
      servers: options.servers,
      pools: JSON.parse(call(native.resolvePoolNames, wanted, known)),
      present: options.present ?? true,
      options: ensureOptions(options),
    };
    return this.#run(native.Machine.membershipPlanner, "rackconnect", spec, options);
  }

  ensurePublicIp(options) {
    const spec = {
      server_id: options.serverId,
      present: options.present ?? true,
      options: ensureOptions(options),
    };
    if (options.retain !== undefined) spec.retain = options.retain;
    if (options.moveIp !== undefined) spec.move_ip = options.moveIp;
    return this.#run(native.Machine.publicIpPlanner, "rackconnect", spec, options);
  }
}
