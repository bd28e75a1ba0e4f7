// The types of "rackconnect/init": the package's, plus `init` (see src/init.js).
export * from "./index.js";

/** Where the wasm module is: a URL (or its text), a Response (or a promise of one), its bytes, or a compiled module. */
export type WasmSource = string | URL | Response | Promise<Response> | BufferSource | WebAssembly.Module;

/** Instantiates the wasm module once; every other call of the package needs it done. */
export function init(source: WasmSource): Promise<void>;

/** The package's version ("" until `init` resolves). */
export let version: string;
