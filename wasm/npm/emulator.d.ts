// Types of `rackconnect/emulator`: the emulator's engine (a .wasm of its own) behind a
// fetch-compatible function, for tests and demos with no network and no process.

import type { ClientClock, ClientOptions, FetchLike, RackConnectError } from "./index.js";

/** The emulator's origin: a loopback address (the core sends an API key there over plain http), port 9, where nothing listens. */
export declare const EMULATOR_URL: "http://127.0.0.1:9";

/** The names of the built-in scenarios: `demo` (the default), `failing-automation`, `fleet`. */
export declare function builtInScenarios(): string[];

/** A scenario (emulator/README.md, "Scenarios"): the object, its JSON text, or a built-in's name. */
export type ScenarioLike = string | Record<string, unknown>;

export interface EmulatorOptions {
  /** A built-in scenario's name (`demo`, the default), a scenario object or its JSON text. */
  scenario?: ScenarioLike;
  /** Emulated seconds per real second (overrides the scenario's `timings.clock_speed`). */
  clockSpeed?: number;
  /**
   * Generated ids, tokens, addresses and fault draws repeat from run to run (0 to 2^64-1, a
   * bigint beyond 2^53-1); overrides the scenario's `seed`.
   */
  seed?: number | bigint;
}

/** The emulated clock. */
export interface ClockState {
  now: string;
  now_ms: number;
  speed: number;
}

export interface ServerSummary {
  id: string;
  name: string;
  tenant: string;
  region: string;
  source_ip: string | null;
  automation_status: string;
  managed_status: string | null;
  access_ipv4: string;
}

export type FaultKind = "status" | "delay" | "reset" | "truncate";

/** The emulated calls, by name (emulator/README.md, "Operations"; `operations()` lists them). */
export type OperationName =
  | "identity.versions"
  | "identity.version"
  | "identity.authenticate"
  | "identity.revoke"
  | "identity.validate"
  | "identity.v1_authenticate"
  | "v1.servers.get"
  | "v2.status"
  | "v2.status_details"
  | "v2.gateway_ip"
  | "v2.features"
  | "servers.list"
  | "servers.detail"
  | "servers.get"
  | "servers.delete"
  | "servers.metadata"
  | "servers.metadata_item"
  | "flavors.list"
  | "flavors.detail"
  | "flavors.get"
  | "images.list"
  | "images.detail"
  | "images.get"
  | "v3.networks.list"
  | "v3.networks.get"
  | "v3.pools.list"
  | "v3.pool_nodes.add_many"
  | "v3.pool_nodes.remove_many"
  | "v3.pool_nodes.by_server"
  | "v3.pools.get"
  | "v3.pool_nodes.list"
  | "v3.pool_nodes.add"
  | "v3.pool_nodes.list_details"
  | "v3.pool_nodes.get"
  | "v3.pool_nodes.remove"
  | "v3.pool_nodes.get_details"
  | "v3.public_ips.list"
  | "v3.public_ips.add"
  | "v3.public_ips.get"
  | "v3.public_ips.update"
  | "v3.public_ips.remove";

/** The prefixes of a dotted name that end in `.`: `"v3."`, `"v3.pool_nodes."` of `"v3.pool_nodes.add"`. */
type DottedPrefixes<Name extends string> = Name extends `${infer Head}.${infer Rest}` ? `${Head}.` | `${Head}.${DottedPrefixes<Rest>}` : never;

/** What a fault picks requests by: an operation's name, or a prefix of names ending in `.` (`"v3.public_ips."`). */
export type OperationSelector = OperationName | DottedPrefixes<OperationName>;

/** One emulated call: `*` in its path is one segment. */
export interface Operation {
  name: OperationName;
  method: string;
  path: string;
}

/** A fault waiting for requests; `operation`, `probability` and `latency_ms` only when set. */
export interface Fault {
  kind: string;
  count: number;
  status: number;
  delay_ms: number;
  path_prefix: string | null;
  retry_after: number | null;
  operation?: string;
  probability?: number;
  latency_ms?: number;
}

export interface FaultOptions {
  /** How many matching requests it breaks (1 by default). */
  count?: number;
  /** For `status`: the status it answers (503 by default). */
  status?: number;
  /** For `delay`: how long before the normal answer (real ms). */
  delayMs?: number;
  /** Only requests whose path starts with this. */
  pathPrefix?: string;
  /** For `status`: a `Retry-After` header (seconds). */
  retryAfter?: number;
  /** Only requests of this operation (or of these, for a prefix ending in `.`). */
  operation?: OperationSelector;
  /** The chance (0 to 1, 1 by default) that a matching request is broken, drawn from the seeded generator. */
  probability?: number;
  /** Waits this long (real ms) before the fault is carried out, whatever its kind. */
  latencyMs?: number;
}

/** How a kind of resource leaves its transitional states. */
export type TransitionMode = "immediate" | "timed" | "manual";

/** The kinds of resource with transitions. */
export type TransitionKind = "pool_nodes" | "public_ips" | "automation";

/** Each kind's transition mode and the v3 durations of `timed` (seconds). */
export interface TransitionsState {
  pool_nodes: TransitionMode;
  public_ips: TransitionMode;
  automation: TransitionMode;
  v3_add_seconds: number;
  v3_remove_seconds: number;
  v3_update_seconds: number;
}

export interface TransitionOptions {
  /** v3 pool nodes: ADDING → ACTIVE or ADD_FAILED, REMOVING → gone. */
  poolNodes?: TransitionMode;
  /** v3 public IPs: ADDING and UPDATING → ACTIVE, REMOVING → gone. */
  publicIps?: TransitionMode;
  /** v2 automation: DEPLOYING → its outcome. */
  automation?: TransitionMode;
  v3AddSeconds?: number;
  v3RemoveSeconds?: number;
  v3UpdateSeconds?: number;
}

/** What `advanceTransitions` moves on: one resource (a node or public IP `id`, or a `server` by id or name), a `kind`, or (none) everything. */
export type AdvanceOptions =
  | { id: string; server?: never; kind?: TransitionKind }
  | { server: string; id?: never; kind?: TransitionKind }
  | { id?: never; server?: never; kind?: TransitionKind };

/**
 * A scenario document (emulator/README.md, "Scenarios"), as `state()` gives the whole world:
 * plain JSON, to keep and hand back to `loadState` or `new Emulator({ scenario })`.
 */
export type StateDocument = Record<string, unknown>;

export interface Summary {
  clock: ClockState;
  servers: ServerSummary[];
  faults: Fault[];
  requests_logged: number;
  seed: number | null;
  transitions: TransitionsState;
}

export interface BuiltServer {
  id: string;
  name: string;
  region: string;
  tenant: string;
  source_ip: string | null;
}

export interface AutomationState {
  id: string;
  automation_status: string;
}

/** One request the emulator answered (the control API's are not logged). */
export interface LoggedRequest {
  seq: number;
  real_ms: number;
  emulated_ms: number;
  method: string;
  path: string;
  status: number;
  source_ip: string;
  server_id: string | null;
  /** The operation's name (`operations()`), null for a request no operation matches. */
  operation: string | null;
  fault: string | null;
}

export interface RequestLog {
  requests: LoggedRequest[];
  servers: Record<string, { v2_requests: number; max_in_any_60s: number }>;
}

/** The control API refused a call: the emulator's message, with the HTTP status it answered. */
export declare class ControlError extends RackConnectError {
  readonly status: number;
}

/**
 * `emulator.clock`: the test's clock. Called, it is the control API's emulated clock; `now` and
 * `sleep` make it the clock a `Client` takes (`new Client({ ..., clock: emulator.clock })`):
 * `sleep(ms)` moves the time on by `ms` at once, so a ten-minute wait takes milliseconds.
 */
export interface EmulatorClock extends ClientClock {
  (): ClockState;
  /** The test's time, ms since the epoch: the wall clock at the start, plus real time since, plus every sleep. */
  now(): number;
  /** Moves the time on by `ms` and resolves on the next turn of the event loop. */
  sleep(ms: number, signal?: AbortSignal): Promise<void>;
}

/** Fetch-compatible: what the package's `Client` passes, or a plain `fetch(url, init)` / `Request`. */
export type EmulatorFetch = FetchLike & ((input: string | URL | Request, init?: RequestInit) => Promise<Response>);

/**
 * The RackConnect emulator in this process, with no socket: `emulator.fetch` answers requests to
 * `EMULATOR_URL` (rejecting, as a broken connection does, where an injected fault says), and the
 * control methods drive its world. Throws `InvalidInputError` for a bad scenario or option.
 */
export declare class Emulator {
  constructor(options?: EmulatorOptions);
  /** `EMULATOR_URL`: the Identity URL, the v2 base URL and the root of every catalog endpoint. */
  readonly url: string;
  readonly identityUrl: string;
  readonly v2Url: string;
  /** The scenario, as read. */
  readonly scenario: Record<string, unknown>;
  /** The scenario's first user and account (the demo account's: demo, demo-api-key, demo-password, 123456, DFW). */
  readonly username: string;
  readonly apiKey: string | null;
  readonly password: string | null;
  readonly tenantId: string;
  readonly region: string | null;
  /** Requests from 127.0.0.1. */
  readonly fetch: EmulatorFetch;
  readonly clock: EmulatorClock;
  /** A fetch whose requests come from `server` (name, id or v2 source address), for RackConnect v2. */
  fetchFrom(server: string): EmulatorFetch;
  /** `{ identityUrl, username, apiKey | password, fetch, clock }` for `new Client(...)`, with `overrides`. */
  clientOptions(overrides?: Partial<ClientOptions>): ClientOptions;

  /** One call of the control API (`path` under `/__emulator/`); the answer's JSON. */
  control(method: string, path: string, body?: Record<string, unknown>): any;
  summary(): Summary;
  advance(seconds: number): ClockState;
  setClockSpeed(speed: number): ClockState;
  buildServer(fields?: Record<string, unknown>): BuiltServer;
  setAutomation(
    server: string,
    options?: {
      outcome?: "DEPLOYED" | "FAILED" | "UNPROCESSABLE";
      unprocessableReason?: string;
      failedTask?: number;
      managedOutcome?: string;
      finishNow?: boolean;
    },
  ): AutomationState;
  deleteServer(server: string): void;
  /** Breaks the next matching requests (by path prefix, by operation, with a probability and a latency). The faults pending. */
  injectFault(kind: FaultKind, options?: FaultOptions): Fault[];
  /** The emulated calls, for `injectFault`'s `operation`. */
  operations(): Operation[];
  faults(): Fault[];
  clearFaults(): void;
  expireTokens(token?: string): number;
  requests(): RequestLog;
  clearRequests(): void;
  /** Builds the world again from the scenario: no tokens, faults or logged requests. */
  reset(): Summary;
  /** Seeds ids, tokens, addresses and fault draws afresh: from here the same requests get the same answers. */
  setSeed(seed: number): void;
  /** The whole world as a scenario document (JSON-serialisable): restore it with `loadState` or `new Emulator({ scenario })`. */
  state(): StateDocument;
  /** Replaces the world with a scenario document (or a built-in's name, or JSON text); `reset` returns to it, and `clientOptions()` signs in as its first user. */
  loadState(state: ScenarioLike): Summary;
  transitions(): TransitionsState;
  /** Sets how pool nodes, public IPs and automation move on; what a manual kind holds moves on as its new mode says. */
  setTransitions(options: TransitionOptions): TransitionsState;
  /** Moves pending transitions on now, whatever their mode: how many moved. */
  advanceTransitions(options?: AdvanceOptions): number;
  /** Frees the engine's memory (the emulator is unusable after). */
  free(): void;
}
