// The one place where the core's error kinds meet JavaScript classes.
//
// The wasm module throws a failed call's error as the core's JSON form (`kind`, `message` and the
// kind's fields); `toError` turns that, or anything else thrown inside the package, into a real
// `Error` subclass with a stable `code` (the kind) and the fields as camelCase properties.

/** The root of every error this package throws. */
export class RackConnectError extends Error {
  constructor(message, data, options) {
    super(message, options);
    const form = data && typeof data === "object" ? data : { kind: "internal", message };
    this.code = typeof form.kind === "string" ? form.kind : "internal";
    this.data = { ...form, kind: this.code, message: form.message ?? message };
    for (const [key, value] of Object.entries(form)) {
      if (key !== "kind" && key !== "message") this[camelCase(key)] = value;
    }
  }
}

export class InvalidInputError extends RackConnectError {}
export class ParseError extends RackConnectError {}
export class ApiError extends RackConnectError {}
export class BadRequestError extends ApiError {}
export class UnauthorizedError extends ApiError {}
export class MfaRequiredError extends UnauthorizedError {}
export class ForbiddenError extends ApiError {}
export class NotFoundError extends ApiError {}
export class ConflictError extends ApiError {}
export class RateLimitedError extends ApiError {}
export class ServerError extends ApiError {}
export class UnexpectedStatusError extends ApiError {}
export class TransportError extends RackConnectError {}

/** Aborted through an AbortSignal: named `AbortError` so that code written for `fetch` knows it. */
export class CancelledError extends RackConnectError {
  constructor(message, data, options = {}) {
    super(message, data ?? { kind: "cancelled", message }, options);
    this.result = options.result ?? null;
  }
}

// Class names survive minifiers: each is set here, not read from the constructor.
const NAMES = {
  RackConnectError, InvalidInputError, ParseError, ApiError, BadRequestError, UnauthorizedError,
  MfaRequiredError, ForbiddenError, NotFoundError, ConflictError, RateLimitedError, ServerError,
  UnexpectedStatusError, TransportError,
};
for (const [name, cls] of Object.entries(NAMES)) {
  Object.defineProperty(cls.prototype, "name", { value: name, writable: true, configurable: true });
}
Object.defineProperty(CancelledError.prototype, "name", { value: "AbortError", writable: true, configurable: true });

// The class of an error is the core's (`class` in its JSON form, from `rackconnect::Error::class`):
// no table of kinds here.
const CLASSES = { ...NAMES, CancelledError };

function camelCase(key) {
  return key.replace(/_([a-z0-9])/g, (_, c) => c.toUpperCase());
}

/** An error of the class the core gave it (`data.class`); without one, still catchable. */
export function errorFromData(data, options) {
  const cls =
    (Object.hasOwn(CLASSES, data.class) ? CLASSES[data.class] : undefined) ??
    (data.kind === "cancelled" ? CancelledError : typeof data.status === "number" ? ApiError : RackConnectError);
  return new cls(String(data.message ?? data.kind), data, options);
}

/** Turns the core's error JSON (text or object), or anything thrown, into a RackConnectError. */
export function toError(value) {
  if (value instanceof RackConnectError) return value;
  if (typeof value === "string") {
    let data;
    try {
      data = JSON.parse(value);
    } catch {
      return new RackConnectError(value, { kind: "internal", message: value });
    }
    if (data && typeof data === "object" && typeof data.kind === "string") return errorFromData(data);
    return new RackConnectError(value, { kind: "internal", message: value });
  }
  if (value && typeof value === "object" && !(value instanceof Error) && typeof value.kind === "string") {
    return errorFromData(value);
  }
  // A trap inside the wasm module (a bug) or a JS error: kept as the cause.
  const message = value instanceof Error ? value.message : String(value);
  return new RackConnectError(`internal error: ${message}`, { kind: "internal", message: `internal error: ${message}` }, { cause: value });
}

/** An invalid input found on the JS side, in the core's form. */
export function invalidInput(field, expected, found) {
  const message = `invalid ${field}: expected ${expected}, found "${found}"`;
  return new InvalidInputError(message, { kind: "invalid_input", message, field, expected, found });
}

/** A request that got no answer, in the core's form (`detail` never holds a secret). */
export function transportError(transportKind, detail, cause) {
  const message = `transport error (${transportKind}): ${detail}`;
  return new TransportError(
    message,
    { kind: "transport", message, transport_kind: transportKind, detail },
    cause === undefined ? undefined : { cause },
  );
}

/** An abort, with the run's result so far when there is one. */
export function cancelled(reason, result = null) {
  const message = "cancelled by the AbortSignal";
  return new CancelledError(message, { kind: "cancelled", message }, { cause: reason, result });
}
