// The Node entry: the wasm module is read from disk and compiled synchronously at import, so the
// package works with a plain `import` (Node's fetch cannot load a file: URL).

import { readFileSync } from "node:fs";
import { initSync, version as nativeVersion } from "../dist/rackconnect_wasm.js";

initSync({ module: readFileSync(new URL("../dist/rackconnect_wasm_bg.wasm", import.meta.url)) });
markReady();

import { markReady } from "./api.js";

export * from "./index.js";
export const version = nativeVersion();
