// The client: every call is an exchange of the core (sign-in, renewal, endpoints, retries, the
// transport rule, defaults), driven by ./driver.js with `fetch` and timers. This file only
// turns options into the core's inputs and results into values.

import * as native from "../dist/rackconnect_wasm.js";
import { call } from "./api.js";
import { drive, shown } from "./driver.js";
import { cancelled, invalidInput } from "./errors.js";

const INSPECT = Symbol.for("nodejs.util.inspect.custom");

/** Milliseconds given by the caller, or `undefined` ("not given": the core decides). */
function millisOption(name, value) {
  if (value === undefined) return undefined;
  if (typeof value !== "number" || !Number.isFinite(value) || value < 0) {
    throw invalidInput(name, "a number of milliseconds, 0 or more", String(value));
  }
  return Math.round(value);
}

/** A required text argument, by the name the caller knows it by (the core's own spec names
 * its fields otherwise, e.g. `server_id`). */
function requiredText(name, value, expected) {
  if (typeof value !== "string") throw invalidInput(name, expected, String(value));
  return value;
}

/** Only the fields that were given: what is left out takes the core's default. */
function given(fields) {
  return Object.fromEntries(Object.entries(fields).filter(([, value]) => value !== undefined));
}

/**
 * The driver's clock and timers: the caller's `{ now(), sleep(ms, signal) }` (an emulator's
 * virtual clock), or `{}` for the real ones.
 */
function clockOption(clock) {
  if (clock === undefined || clock === null) return {};
  if (typeof clock.now !== "function" || typeof clock.sleep !== "function") {
    throw invalidInput("clock", "an object with now() and sleep(ms, signal)", String(clock));
  }
  return { now: () => clock.now(), pause: (ms, signal) => clock.sleep(ms, signal) };
}

function waitConfig(options) {
  return given({
    timeout_ms: millisOption("timeoutMs", options.timeoutMs),
    interval_ms: millisOption("intervalMs", options.intervalMs),
  });
}

function ensureOptions(options) {
  return given({
    dry_run: options.dryRun === undefined ? undefined : Boolean(options.dryRun),
    no_wait: options.wait === undefined ? undefined : options.wait === false,
    wait: waitConfig(options),
  });
}

function target(until) {
  if (until === undefined || until === "active") return "active";
  if (until === "gone") return "gone";
  throw invalidInput("until", "active or gone", String(until));
}

/** A 53-bit random seed for the core's backoff jitter: the driver's randomness. */
function seed() {
  const words = new Uint32Array(2);
  globalThis.crypto.getRandomValues(words);
  return (words[0] & 0x1fffff) * 2 ** 32 + words[1];
}

/**
 * One sign-in shared by every client `withRegion` makes: the core's opaque `Auth` (credentials and
 * the cached token, never a JS value), `fetch` and the request timeout.
 */
class Shared {
  constructor({ auth, identityUrl, tenant, fetch, requestTimeoutMs, clock }) {
    this.auth = auth;
    this.clock = clock;
    this.identityUrl = identityUrl;
    this.tenant = tenant;
    this.fetch = fetch;
    this.requestTimeoutMs = requestTimeoutMs;
    this.firstRun = null;
  }
}

/** Makes the sign-in exchange. */
const SIGN_IN = (auth, driver) => native.Exchange.signIn(auth, driver);

/** `promise`, or a CancelledError as soon as `signal` aborts (the promise itself runs on). */
function untilAborted(promise, signal) {
  if (!signal) return promise;
  return new Promise((resolve, reject) => {
    const onAbort = () => reject(cancelled(signal.reason));
    signal.addEventListener("abort", onAbort, { once: true });
    promise.then(resolve, reject).finally(() => signal.removeEventListener("abort", onAbort));
  });
}

// The key under which `withRegion` hands its Shared to the new Client; not exported, so only
// this module can make a Client without credentials.
const SHARED = Symbol("rackconnect.shared");

export class Client {
  // Private fields: neither JSON.stringify nor console.log / util.inspect shows them.
  #shared;
  #region;

  constructor(options) {
    if (!options || typeof options !== "object") throw invalidInput("options", "an object", String(options));
    if (options[SHARED] instanceof Shared) {
      this.#shared = options[SHARED];
      this.#region = options.region;
      return;
    }
    const { identityUrl, username, apiKey, password, tenant, region, fetch, requestTimeoutMs, clock } = options;
    if (typeof username !== "string" || username === "") throw invalidInput("username", "a user name", String(username));
    if ((apiKey === undefined) === (password === undefined)) {
      // Says which case it is, never the values.
      throw invalidInput("credentials", "one of apiKey and password", apiKey === undefined ? "neither" : "both");
    }
    this.#region = region === undefined ? null : call(native.checkRegion, String(region));
    const credentials = given({
      identity_url: identityUrl === undefined ? undefined : String(identityUrl),
      username,
      api_key: apiKey === undefined ? undefined : String(apiKey),
      password: password === undefined ? undefined : String(password),
      tenant_id: tenant === undefined || tenant === null ? undefined : String(tenant),
    });
    // The core checks the user name, the Identity URL and the transport rule now: a
    // configuration error is thrown here, before anything is sent.
    const auth = call(() => new native.Auth(JSON.stringify(credentials)));
    this.#shared = new Shared({
      auth,
      identityUrl: identityUrl === undefined ? "us" : String(identityUrl),
      tenant: tenant ?? null,
      fetch: fetch ?? ((...args) => globalThis.fetch(...args)),
      requestTimeoutMs: millisOption("requestTimeoutMs", requestTimeoutMs),
      clock: clockOption(clock),
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
    return new Client({ [SHARED]: this.#shared, region: call(native.checkRegion, String(region)) });
  }

  toJSON() {
    const shared = this.#shared;
    return {
      identityUrl: shown(shared.identityUrl),
      username: shared.auth.username,
      tenant: shared.tenant,
      region: this.#region,
      signedIn: shared.auth.signedIn,
    };
  }

  [INSPECT]() {
    return `Client ${JSON.stringify(this.toJSON())}`;
  }

  /** The driver's settings for one exchange, as the core reads them. */
  #driver() {
    return JSON.stringify(
      given({ region: this.#region ?? undefined, seed: seed(), request_timeout_ms: this.#shared.requestTimeoutMs }),
    );
  }

  /** Runs one exchange made by `make(auth, driver)` to its end. */
  async #run(make, options = {}) {
    const { signal, onProgress } = options;
    if (signal?.aborted) throw cancelled(signal.reason);
    const shared = this.#shared;
    // Until a token exists, exchanges run one after another: the first signs in (as the core
    // decides) and the next find its token, so calls started together sign in once.
    while (!shared.auth.signedIn && shared.firstRun !== null) {
      await untilAborted(shared.firstRun, signal);
    }
    const exchange = call(() => make(shared.auth, this.#driver()));
    const running = drive(exchange, { fetch: shared.fetch, signal, onProgress, auth: shared.auth, ...shared.clock });
    if (!shared.auth.signedIn) {
      const settled = running.then(
        () => {},
        () => {},
      );
      shared.firstRun = settled;
      settled.finally(() => {
        if (shared.firstRun === settled) shared.firstRun = null;
      });
    }
    const output = await running;
    if (this.#region === null && shared.auth.signedIn) {
      // Without a region of its own, the client takes the user's default from now on.
      this.#region = JSON.parse(call(() => shared.auth.summary(undefined))).region;
    }
    return output;
  }

  #call(op, input, options) {
    return this.#run((auth, driver) => native.Exchange.call(auth, op, JSON.stringify(input), driver), options);
  }

  /* -------------------------------------------------------------------------------------- */

  signIn(options = {}) {
    return this.#run(SIGN_IN, options);
  }

  /** Revokes the token shared with every client made by `withRegion` (they sign in again if used). */
  async signOut(options = {}) {
    const { auth } = this.#shared;
    if (!auth.signedIn) return;
    try {
      await this.#run((a, driver) => native.Exchange.signOut(a, driver), options);
    } finally {
      auth.forget();
    }
  }

  listNetworks(options = {}) {
    return this.#call("v3.list_networks", {}, options);
  }

  listPools(options = {}) {
    return this.#call("v3.list_pools", {}, options);
  }

  getPool(poolId, options = {}) {
    return this.#call("v3.get_pool", { pool_id: poolId }, options);
  }

  listNodes(poolId, options = {}) {
    return this.#call("v3.list_nodes", { pool_id: poolId }, options);
  }

  listNodeDetails(poolId, options = {}) {
    return this.#call("v3.list_node_details", { pool_id: poolId }, options);
  }

  serverNodeDetails(serverId, options = {}) {
    return this.#call("v3.server_node_details", { server_id: serverId }, options);
  }

  listPublicIps(filter = {}) {
    const input = given({ cloud_server_id: filter.serverId, retain: filter.retain });
    return this.#call("v3.list_public_ips", input, filter);
  }

  getPublicIp(publicIpId, options = {}) {
    return this.#call("v3.get_public_ip", { public_ip_id: publicIpId }, options);
  }

  listServers(options = {}) {
    return this.#run((auth, driver) => native.Exchange.allServers(auth, driver), options);
  }

  getServer(serverId, options = {}) {
    return this.#call("servers.show", { server_id: serverId }, options);
  }

  addNode(poolId, serverId, options = {}) {
    return this.#call("v3.add_node", { pool_id: poolId, server_id: serverId }, options);
  }

  async removeNode(poolId, nodeId, options = {}) {
    await this.#call("v3.remove_node", { pool_id: poolId, node_id: nodeId }, options);
  }

  createPublicIp(spec = {}) {
    return this.#call("v3.create_public_ip", given({ cloud_server_id: spec.serverId, retain: spec.retain }), spec);
  }

  updatePublicIp(publicIpId, change = {}) {
    const input = { public_ip_id: publicIpId, ...given({ retain: change.retain, cloud_server_id: change.serverId }) };
    return this.#call("v3.update_public_ip", input, change);
  }

  async deletePublicIp(publicIpId, options = {}) {
    await this.#call("v3.delete_public_ip", { public_ip_id: publicIpId }, options);
  }

  #wait(spec, options) {
    return this.#run((auth, driver) => native.Exchange.wait(auth, JSON.stringify(spec), driver), options);
  }

  #ensure(spec, options) {
    return this.#run((auth, driver) => native.Exchange.ensure(auth, JSON.stringify(spec), driver), options);
  }

  async waitNodes(nodes, options = {}) {
    if (!Array.isArray(nodes)) throw invalidInput("nodes", "an array of {poolId, nodeId}", String(nodes));
    const spec = {
      kind: "nodes",
      nodes: nodes.map((n) => ({ pool_id: n.poolId, node_id: n.nodeId })),
      target: target(options.until),
      wait: waitConfig(options),
    };
    return this.#wait(spec, options);
  }

  async waitPublicIp(publicIpId, options = {}) {
    const id = requiredText("publicIpId", publicIpId, "a public IP id");
    return this.#wait({ kind: "public_ip", public_ip_id: id, target: target(options.until), wait: waitConfig(options) }, options);
  }

  async waitServer(serverId, options = {}) {
    const wait = waitConfig(options);
    if (options.notApplicableOk !== undefined) wait.not_applicable_ok = Boolean(options.notApplicableOk);
    const config = given({
      wait,
      rackconnect: options.rackconnect,
      managed: options.managed,
      grace_ms: millisOption("graceMs", options.graceMs),
    });
    const server = requiredText("serverId", serverId, "a server id or name");
    return this.#wait({ kind: "metadata", server_id: server, config }, options);
  }

  async waitServers(servers, options = {}) {
    // One argument may be the options alone: `waitServers({ builtWithinMs })`.
    if (!Array.isArray(servers) && servers !== undefined && servers !== null && typeof servers === "object") {
      options = servers;
      servers = undefined;
    }
    if (servers !== undefined && servers !== null && !Array.isArray(servers)) {
      throw invalidInput("servers", "an array of server ids or names", String(servers));
    }
    const wait = waitConfig(options);
    if (options.notApplicableOk !== undefined) wait.not_applicable_ok = Boolean(options.notApplicableOk);
    const config = given({
      wait,
      rackconnect: options.rackconnect,
      managed: options.managed,
      grace_ms: millisOption("graceMs", options.graceMs),
    });
    const spec = given({
      kind: "servers",
      servers: servers ?? [],
      built_within_ms: millisOption("builtWithinMs", options.builtWithinMs),
      config,
      // The core's errors then name this package's options.
      input_names: ["servers", "builtWithinMs"],
    });
    return this.#wait(spec, options);
  }

  async ensurePoolMembers(options) {
    if (!Array.isArray(options?.pools)) throw invalidInput("pools", "an array of pool ids or names", String(options?.pools));
    if (!Array.isArray(options.servers)) throw invalidInput("servers", "an array of server ids", String(options.servers));
    const spec = {
      kind: "pool_members",
      servers: options.servers,
      pools: options.pools,
      present: options.present ?? true,
      options: ensureOptions(options),
    };
    return this.#ensure(spec, options);
  }

  async ensurePublicIp(options) {
    const spec = {
      kind: "public_ip",
      server_id: requiredText("serverId", options?.serverId, "a server id or name"),
      options: ensureOptions(options),
      ...given({ present: options.present, retain: options.retain, move_ip: options.moveIp, unassign: options.unassign }),
    };
    return this.#ensure(spec, options);
  }
}
