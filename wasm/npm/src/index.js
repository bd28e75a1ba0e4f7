// Everything the package exports besides `version` (which the entries add once the wasm module
// is ready).

export { buildRequest, parseResponse, operations, parseSignIn, bodySyntax, explainV2Answer, terminalSafe, poolFitness, serverFitness } from "./api.js";
export { Client } from "./client.js";
export {
  RackConnectError,
  InvalidInputError,
  ParseError,
  ApiError,
  BadRequestError,
  UnauthorizedError,
  MfaRequiredError,
  ForbiddenError,
  NotFoundError,
  ConflictError,
  RateLimitedError,
  ServerError,
  UnexpectedStatusError,
  TransportError,
  CancelledError,
  toError,
} from "./errors.js";
