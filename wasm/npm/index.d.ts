// Types of the `rackconnect` npm package, declared once here (the package's JavaScript is
// hand-written ESM; the wasm-bindgen glue under dist/ is private and not exported).
//
// Conventions:
// - Function and option names are camelCase; data coming from the core (parsed responses, wait
//   and ensure results, progress events, error data) keeps the core's JSON form (snake_case keys),
//   the same form the Python binding and the shared corpus use.
// - Every failure is thrown (or rejected) as a subclass of `RackConnectError` with a stable `code`.
// - No secret (API key, password, token) ever appears in an error, in `JSON.stringify(client)`
//   or in `console.log(client)`.

// The shapes of the values (parsed responses, results, events, error data) are generated from the
// core's description of its types into types.d.ts (tools/typegen); this file declares the API.
export * from "./types.js";
import type {
  Region,
  OperationName,
  OperationResult,
  Pool,
  Server,
  Task,
  Feature,
  V2StatusAnswer,
  V2DetailsAnswer,
  V2GatewayIpAnswer,
  V2FeaturesAnswer,
  AutomationStatus,
  Access,
  BodySyntax,
  Fitness,
  Conflict,
  ErrorData,
  WaitResult,
  MembershipResult,
  PublicIpResult,
  ProgressEvent,
  CloudNetwork,
  Node,
  NodeDetails,
  ServerNodeDetails,
  PublicIp,
  NodesWaitResult,
  PublicIpWaitResult,
  ServerWaitResult,
  FleetWaitResult,
} from "./types.js";

/* ----------------------------------------------------------------------------------------- */
/* Operations: build a request, parse a response (sans-IO)                                   */
/* ----------------------------------------------------------------------------------------- */

/** A region as an input: any of `Region`, in lower or upper case (`"dfw"`, `"DFW"`). */
export type RegionInput = Region | Uppercase<Region>;

/**
 * The inputs of an operation, as the core names them (snake_case, see tests/corpus/README.md).
 * Each operation takes only the names it needs; an unknown name is an `InvalidInputError`.
 */
export interface OperationInput {
  region?: RegionInput;
  base_url?: string;
  endpoint?: string;
  tenant_id?: string;
  identity_url?: string;
  auth_url?: string;
  server_management_url?: string;
  token?: string;
  auth_token?: string;
  username?: string;
  api_key?: string;
  password?: string;
  tenant_name?: string;
  format?: "text" | "json" | "xml" | "TEXT" | "JSON" | "XML";
  server_id?: string;
  key?: string;
  limit?: number;
  marker?: string;
  network_id?: string;
  pool_id?: string;
  node_id?: string;
  public_ip_id?: string;
  pairs?: Array<{ server_id: string; pool_id: string }>;
  cloud_server_id?: string;
  retain?: boolean;
}

/** A request to send with any HTTP client. Header values may hold a credential: never log them. */
export interface HttpRequest {
  method: "GET" | "POST" | "PUT" | "PATCH" | "DELETE";
  url: string;
  headers: Array<[string, string]>;
  /** The body as text (JSON), or null for none. */
  body: string | null;
}

/** A response to parse. `body` may be text or bytes; absent means empty. */
export interface HttpResponse {
  status: number;
  headers?: Array<[string, string]> | Record<string, string> | Headers;
  body?: string | Uint8Array | ArrayBuffer | null;
}

/** Builds the request of an operation. Throws `InvalidInputError`. */
export function buildRequest(op: OperationName, input: OperationInput): HttpRequest;

/** Parses the response to an operation. Throws `ParseError` or an `ApiError` subclass. */
export function parseResponse<Op extends OperationName>(op: Op, response: HttpResponse): OperationResult<Op>;

/** The names of every operation, in the order of the API notes. */
export function operations(): OperationName[];

/** The package's (and the core's) version. */
export const version: string;

/* ----------------------------------------------------------------------------------------- */
/* Sign-in answers and pasted v2 answers                                                     */
/* ----------------------------------------------------------------------------------------- */

/** The endpoints of one region from the catalog (null: the account has none there). */
export interface RegionEndpoints { rackconnect: string | null; compute: string | null }

/**
 * Identity's token answer, read for a client: the token itself (a secret: never log it), its
 * expiry, and the catalog's endpoints per region.
 */
export interface SignIn {
  /** The token (the only place this package exposes it). */
  token: string;
  /** Expiry, milliseconds since the Unix epoch. */
  expiresAt: number;
  tenantId: string | null;
  /** The user's default region, lower case, if any. */
  defaultRegion: Region | null;
  /** Regions where the user has RackConnect v3 (by role). */
  rackconnectRegions: Region[];
  /** Regions with a RackConnect v3 (`rax:rackconnect`) endpoint in the catalog, in `Region` order. */
  catalogRegions: Region[];
  /** Endpoints from the catalog, per region. */
  endpoints: Record<Region, RegionEndpoints>;
  /** Identity's answer with the token redacted. */
  access: Access;
}

/** Reads Identity's answer to `identity.token`. Throws like `parseResponse`. */
export function parseSignIn(response: HttpResponse): SignIn;

export type V2Operation = "automation_status" | "details" | "gateway_ip" | "automation_features";

/** A pasted RackConnect v2 answer, read and explained. */
export interface V2Explanation {
  /** The body's syntax, sniffed from its first non-blank character. */
  syntax: BodySyntax;
  /** Which v2 operation the answer fits (the one given, or the first that reads it). */
  operation: V2Operation;
  /** The parsed answer (as `parseResponse("v2.<operation>", …)` returns it). */
  answer: V2StatusAnswer | V2DetailsAnswer | V2GatewayIpAnswer | V2FeaturesAnswer;
  /** The automation status, when the answer carries one. */
  status: AutomationStatus | null;
  /** Tasks (details), when any. */
  tasks: Task[];
  /** The tasks whose status is `FAILED` (the cause of a FAILED answer); elements of `tasks`. */
  failedTasks: Task[];
  /** The tasks whose status is `PENDING` (after a failure, the ones that never ran); elements of `tasks`. */
  pendingTasks: Task[];
  /** Features (automation_features), when any. */
  features: Feature[];
  /** The gateway IP, when the answer is one. */
  gatewayIp: string | null;
  /** What it means: `done`, `failed`, `in_progress`, `not_applicable`, `rate_limited`, `not_assigned`, `info`. */
  verdict: "done" | "failed" | "in_progress" | "not_applicable" | "rate_limited" | "not_assigned" | "info";
  /** One or more sentences for a person. */
  summary: string;
}

export interface ExplainOptions {
  /** Which operation the answer came from; default: detected. */
  operation?: V2Operation;
  /** The HTTP status it came with; default 200 (403: rate limited, 404 on gateway_ip: not assigned). */
  status?: number;
}

/**
 * Reads a pasted v2 answer (text, JSON or XML) and explains it. Throws `ParseError` (naming what
 * was expected and where) when no v2 operation reads it.
 */
export function explainV2Answer(body: string | Uint8Array, options?: ExplainOptions): V2Explanation;

/** The syntax of a body, sniffed the way the core's v2 parsers do. */
export function bodySyntax(body: string | Uint8Array): BodySyntax;

/**
 * Text from the API made safe to show in a terminal or a page: every control character but
 * newline and tab is shown escaped (`\u{1b}`), so a pool or server name cannot clear a screen,
 * move the cursor or hide a line.
 */
export function terminalSafe(text: string): string;

/**
 * Whether a pool (as `listPools` returned it) may be offered as a default: only an `ACTIVE`
 * pool takes changes. The rule is the core's, as in every front door.
 */
export function poolFitness(pool: Pick<Pool, "status" | "status_detail">): Fitness;

/**
 * Whether a server (as `listServers` returned it) may be offered as a default: not when its
 * automation failed or does not apply (RackConnect `FAILED` or `UNPROCESSABLE`, Managed
 * Operations `Build Error` or `Authentication Error`, Cloud Servers `ERROR`). A server still
 * being built is fit. Unfit ones may still be chosen; they are never the default.
 */
export function serverFitness(server: Pick<Server, "status" | "rackconnect">): Fitness;

/* ----------------------------------------------------------------------------------------- */
/* Errors                                                                                    */
/* ----------------------------------------------------------------------------------------- */

/**
 * The stable codes: the core's error kinds, plus `cancelled` (aborted by an AbortSignal) and
 * `internal` (a bug: something the package did not expect, kept as `cause`).
 */
export type ErrorCode =
  | "invalid_input"
  | "json" | "xml" | "xml_doctype" | "text" | "body_too_large" | "too_deep" | "missing_header"
  | "bad_request" | "unauthorized" | "mfa_required" | "forbidden" | "not_found" | "conflict"
  | "rate_limited" | "server_error" | "unexpected_status"
  | "transport"
  | "cancelled"
  | "internal";

/** The root of every error this package throws. */
export class RackConnectError extends Error {
  /** The stable code (the core's error kind), e.g. `conflict`. */
  readonly code: ErrorCode | (string & {});
  /** The error's JSON form from the core: `kind`, `message` and the kind's fields. */
  readonly data: { kind: string; message: string; [field: string]: unknown };
  constructor(message: string, data?: { kind: string; message?: string; [field: string]: unknown }, options?: { cause?: unknown });
}

/** An input was rejected before anything was sent. */
export class InvalidInputError extends RackConnectError {
  readonly field: string;
  readonly expected: string;
  readonly found: string;
}

/** A body could not be read (codes json, xml, xml_doctype, text, body_too_large, too_deep, missing_header). */
export class ParseError extends RackConnectError {
  /** json: RFC 6901 pointer. */ readonly pointer?: string;
  /** xml: element path. */ readonly path?: string;
  readonly line?: number;
  readonly column?: number;
  readonly position?: number;
  readonly detail?: string;
  readonly expected?: string;
  readonly found?: string;
  readonly limit?: number;
  readonly size?: number;
  readonly at?: string;
  readonly header?: string;
}

/** The service answered with an error status. */
export class ApiError extends RackConnectError {
  readonly status: number;
  readonly fault: string | null;
  readonly messages: string[];
  readonly conflicts: Conflict[];
  /** Seconds, from `Retry-After` or `overLimit.retryAfter`. */
  readonly retryAfter: number | null;
  readonly mfaFactor: string | null;
  /** The body as received (at most 4 KiB). */
  readonly raw: string;
}
/** 400 */ export class BadRequestError extends ApiError {}
/** 401: missing, wrong or expired credentials or token. */ export class UnauthorizedError extends ApiError {}
/** 401 with `WWW-Authenticate: OS-MF`: a second factor is required. */ export class MfaRequiredError extends UnauthorizedError {}
/** 403 */ export class ForbiddenError extends ApiError {}
/** 404 */ export class NotFoundError extends ApiError {}
/** 409: `conflicts` classifies each message. */ export class ConflictError extends ApiError {}
/** 413/429, a v2 403, Nova's overLimit. */ export class RateLimitedError extends ApiError {}
/** 5xx */ export class ServerError extends ApiError {}
/** Any other status. */ export class UnexpectedStatusError extends ApiError {}

/** A request got no answer (`transportKind`: connect, timeout, io, too_large). */
export class TransportError extends RackConnectError {
  readonly transportKind: string;
  readonly detail: string;
}

/**
 * Aborted through an `AbortSignal`. Its `name` is `"AbortError"` (like the platform's), `cause` is
 * the signal's reason, and `result` the wait's or ensure's result so far (outcome `cancelled`), when
 * a wait or an ensure was running.
 */
export class CancelledError extends RackConnectError {
  readonly result: WaitResult | MembershipResult | PublicIpResult | null;
}

/** Turns the core's error JSON (or anything thrown) into the class of its kind. */
export function toError(value: unknown): RackConnectError;

/* ----------------------------------------------------------------------------------------- */
/* Waits, ensures and progress                                                               */
/* ----------------------------------------------------------------------------------------- */

/** Options of every call: cancellation. */
export interface CallOptions {
  /** Aborts the call (in-flight request and timers); it rejects with `CancelledError`. */
  signal?: AbortSignal;
}

/** Options of every wait and ensure. */
export interface RunOptions extends CallOptions {
  /** Give up after this long; left out, the core's default (30 minutes). The outcome is then `timed_out`. */
  timeoutMs?: number;
  /** The pause between polls; left out, the core's default (the rate budget may stretch it). */
  intervalMs?: number;
  /** Called with every progress event, oldest first. An exception thrown here cancels the run. */
  onProgress?: (event: ProgressEvent) => void;
}

export interface WaitNodesOptions extends RunOptions {
  /** `active` (after an add; default) or `gone` (after a remove). */
  until?: "active" | "gone";
}
export interface WaitPublicIpOptions extends RunOptions {
  until?: "active" | "gone";
}
export interface WaitServerOptions extends RunOptions {
  /** Wait for `rackconnect_automation_status` (default true). */
  rackconnect?: boolean;
  /** Wait for Managed Operations too (default false). */
  managed?: boolean;
  /** A key still missing this long means "does not apply"; left out, the core's default (5 minutes). */
  graceMs?: number;
  /** Whether "does not apply" ends well (the result's `ok`); default true. */
  notApplicableOk?: boolean;
}
export interface WaitServersOptions extends WaitServerOptions {
  /** Instead of a list: every server of the region built at most this long ago (Nova's
   * `created` against the region's clock); a window with no server in it rejects with
   * `InvalidInputError`. */
  builtWithinMs?: number;
}

export interface EnsureOptionsBase extends RunOptions {
  /** Only plan: report what would change (`changed`), change nothing. */
  dryRun?: boolean;
  /** Wait for the change to settle (ACTIVE or gone); default true. */
  wait?: boolean;
}
export interface EnsurePoolMembersOptions extends EnsureOptionsBase {
  servers: string[];
  /** Pool ids, or names of pools in the region (listed once, only when a name is given). */
  pools: string[];
  /** Members (default true) or not. */
  present?: boolean;
}
export interface EnsurePublicIpOptions extends EnsureOptionsBase {
  serverId: string;
  /** Has a public IP (default true) or not. */
  present?: boolean;
  /** Make it retained or not; default: leave as it is. */
  retain?: boolean;
  /** Move this retained public IP to the server instead of creating one. */
  moveIp?: string;
  /**
   * Take the server's retained public IP off it but keep the IP, on no server, for another
   * server later (implies `present: false`; with `retain: true` a non-retained IP is retained
   * first). Check it with `dryRun`.
   */
  unassign?: boolean;
}

/* ----------------------------------------------------------------------------------------- */
/* The client                                                                                */
/* ----------------------------------------------------------------------------------------- */

/** A `fetch`-compatible function (the global one by default). */
export type FetchLike = (input: string, init: {
  method: string;
  headers: Array<[string, string]>;
  body?: string;
  signal?: AbortSignal;
}) => Promise<Response>;

/** What every `Client` takes besides the credential. */
export interface ClientOptionsBase {
  /** `us` (default), `uk`, or an Identity URL (e.g. the emulator's). */
  identityUrl?: string;
  username: string;
  /** Scope the token to a tenant id. */
  tenant?: string;
  /** The region to work in; default the user's default region from Identity. */
  region?: RegionInput;
  /** The HTTP client; default `globalThis.fetch`. */
  fetch?: FetchLike;
  /** Per-request timeout in milliseconds; default 30000. */
  requestTimeoutMs?: number;
  /**
   * The clock the waits and retries read and sleep on; default the real one (`Date.now` /
   * `performance.now` and timers). `rackconnect/emulator`'s `emulator.clock` is a virtual one.
   */
  clock?: ClientClock;
}

/** A clock for `Client`: the time in ms since the epoch (never going back), and a sleep. */
export interface ClientClock {
  now(): number;
  /** Resolves after `ms` (or at once when `signal` aborts). */
  sleep(ms: number, signal?: AbortSignal): Promise<void>;
}

/** Exactly one credential: an API key or a password (both, or neither, does not compile). */
export type Credential = { apiKey: string; password?: never } | { password: string; apiKey?: never };

export type ClientOptions = ClientOptionsBase & Credential;

/** What `signIn` tells (no token). */
export interface SessionInfo {
  username: string;
  tenantId: string | null;
  /** The region the client works in. */
  region: Region;
  defaultRegion: Region | null;
  /** Regions where the user has RackConnect v3 (by role). */
  rackconnectRegions: Region[];
  /** Regions with a RackConnect v3 endpoint in the catalog (what a region picker offers). */
  catalogRegions: Region[];
  /** Token expiry, milliseconds since the Unix epoch. */
  expiresAt: number;
  endpoints: RegionEndpoints;
}

/**
 * A RackConnect v3 and Cloud Servers client over `fetch`: signs in through Identity (the token is
 * cached, renewed before it expires and once on a 401), picks its endpoints from the catalog by
 * region, and drives the core's waiters and ensure planners with the host's timers.
 */
export class Client {
  constructor(options: ClientOptions);
  /** The region (lower case) once known: the one given, or after `signIn` the default one. */
  readonly region: Region | null;
  /** Signs in now (otherwise the first call does). Rejects with `UnauthorizedError` and the like. */
  signIn(options?: CallOptions): Promise<SessionInfo>;
  /**
   * A client for another region on the same sign-in: it shares this client's token cache (one
   * Identity sign-in, renewed once for both), so switching region sends nothing to Identity.
   * Throws `InvalidInputError` for a name that is not a region.
   */
  withRegion(region: RegionInput): Client;
  /**
   * Revokes the token (Identity `DELETE /v2.0/tokens`) and forgets it, for every client that
   * shares it through `withRegion`; a later call on any of them signs in again.
   */
  signOut(options?: CallOptions): Promise<void>;

  listNetworks(options?: CallOptions): Promise<CloudNetwork[]>;
  listPools(options?: CallOptions): Promise<Pool[]>;
  /**
   * Wherever a pool is named (`poolId` here and below), its name in the region works too: the
   * region's pools are listed first to resolve it (exactly, then ignoring case).
   */
  getPool(poolId: string, options?: CallOptions): Promise<Pool>;
  listNodes(poolId: string, options?: CallOptions): Promise<Node[]>;
  listNodeDetails(poolId: string, options?: CallOptions): Promise<NodeDetails[]>;
  serverNodeDetails(serverId: string, options?: CallOptions): Promise<ServerNodeDetails[]>;
  listPublicIps(filter?: { serverId?: string; retain?: boolean } & CallOptions): Promise<PublicIp[]>;
  getPublicIp(publicIpId: string, options?: CallOptions): Promise<PublicIp>;
  /** Every server of the region (all pages of `servers/detail`). */
  listServers(options?: CallOptions): Promise<Server[]>;
  getServer(serverId: string, options?: CallOptions): Promise<Server>;

  /** P4: answers the node with status `ADDING`. Retries only the post-build 409 (up to 60 s). */
  addNode(poolId: string, serverId: string, options?: CallOptions): Promise<Node>;
  /** P7: never retried. */
  removeNode(poolId: string, nodeId: string, options?: CallOptions): Promise<void>;
  /** I2: answers the IP with status `ADDING`. Retries only the post-build 409 (up to 60 s). */
  createPublicIp(spec: { serverId?: string; retain?: boolean } & CallOptions): Promise<PublicIp>;
  /** I4: never retried. */
  updatePublicIp(publicIpId: string, change: { retain?: boolean; serverId?: string } & CallOptions): Promise<PublicIp>;
  /** I5: never retried. */
  deletePublicIp(publicIpId: string, options?: CallOptions): Promise<void>;

  /** Waits for pool nodes to be ACTIVE (or gone). Resolves with the result whatever the outcome, except on abort. */
  waitNodes(nodes: Array<{ poolId: string; nodeId: string }>, options?: WaitNodesOptions): Promise<NodesWaitResult>;
  /** Waits for a public IP to be ACTIVE (with its address) or gone. */
  waitPublicIp(publicIpId: string, options?: WaitPublicIpOptions): Promise<PublicIpWaitResult>;
  /** Waits on a server's metadata for RackConnect (and Managed Operations). */
  waitServer(serverId: string, options?: WaitServerOptions): Promise<ServerWaitResult>;
  /** Waits for a batch of servers at once (ids, or names only one server of the region has),
   * reading `servers/detail` pages (100 servers a request) rather than one server at a time:
   * each server ends on its own status (FAILED at once, UNPROCESSABLE as not applicable), with
   * its reachable IP. `waitServers({ builtWithinMs })` waits for every server built that recently. */
  waitServers(servers: string[], options?: WaitServersOptions): Promise<FleetWaitResult>;
  waitServers(options: WaitServersOptions & { builtWithinMs: number }): Promise<FleetWaitResult>;
  /** Makes every server a member (or not) of every pool, idempotently; `changed` says whether anything changed. */
  ensurePoolMembers(options: EnsurePoolMembersOptions): Promise<MembershipResult>;
  /** Gives a server a public IP (or takes it away), idempotently. */
  ensurePublicIp(options: EnsurePublicIpOptions): Promise<PublicIpResult>;

  /** What JSON.stringify shows: no credential, no token. */
  toJSON(): { identityUrl: string; username: string; tenant: string | null; region: Region | null; signedIn: boolean };
}
