// The entry for browsers and bundlers: the wasm module is fetched next to this file and
// instantiated (streaming where the server sends application/wasm) with a top-level await, so
// the package's functions are ready once the import resolves. webpack 5 and Vite recognise
// `new URL(..., import.meta.url)` as an asset; esbuild does not (it uses "rackconnect/init").

import init, { version as nativeVersion } from "../dist/rackconnect_wasm.js";

await init({ module_or_path: new URL("../dist/rackconnect_wasm_bg.wasm", import.meta.url) });
markReady();

import { markReady } from "./api.js";

export * from "./index.js";
export const version = nativeVersion();
