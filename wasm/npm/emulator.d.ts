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

/** A fault waiting for requests. */
export interface Fault {
  kind: string;
  count: number;
  status: number;
  delay_ms: number;
  path_prefix: string | null;
  retry_after: number | null;
}

export interface Summary {
  clock: ClockState;
  servers: ServerSummary[];
  faults: Fault[];
  requests_logged: number;
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
  injectFault(
    kind: FaultKind,
    options?: { count?: number; status?: number; delayMs?: number; pathPrefix?: string; retryAfter?: number },
  ): Fault[];
  faults(): Fault[];
  clearFaults(): void;
  expireTokens(token?: string): number;
  requests(): RequestLog;
  clearRequests(): void;
  /** Builds the world again from the scenario: no tokens, faults or logged requests. */
  reset(): Summary;
  /** Frees the engine's memory (the emulator is unusable after). */
  free(): void;
}
