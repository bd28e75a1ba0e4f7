// The entry for hosts that do not load the .wasm beside the package on their own (esbuild without a
// plugin, a worker, a CDN, an app that ships the .wasm elsewhere): nothing is fetched at import.
// `await init(source)` once, with where the module is - a URL (or its text), a `Response`, its
// bytes, or a compiled `WebAssembly.Module` - then use the package as from "rackconnect". A call
// before that throws an InvalidInputError saying so.

import wasmInit, { version as nativeVersion } from "../dist/rackconnect_wasm.js";
import { markReady } from "./api.js";
import { invalidInput, toError } from "./errors.js";

export * from "./index.js";

/** The package's version ("" until `init` resolves). */
export let version = "";

let started = null;

/**
 * Instantiates the wasm module from `source` (a URL or its text, a Response or a promise of one,
 * bytes, or a WebAssembly.Module). Later calls return the first call's promise.
 */
export function init(source) {
  if (source === undefined || source === null) {
    return Promise.reject(invalidInput("source", "a URL, a Response, the module's bytes or a WebAssembly.Module", String(source)));
  }
  started ??= wasmInit({ module_or_path: source }).then(
    () => {
      markReady();
      version = nativeVersion();
    },
    (error) => {
      started = null;
      throw toError(error);
    },
  );
  return started;
}
