// The browser and bundler entry of `rackconnect/emulator`: the emulator's .wasm is fetched next to
// this file and instantiated with a top-level await, so `Emulator` is ready once the import
// resolves (webpack 5 and Vite recognise `new URL(..., import.meta.url)` as an asset).

import init from "../../dist/rackconnect_emulator.js";

await init({ module_or_path: new URL("../../dist/rackconnect_emulator_bg.wasm", import.meta.url) });

export * from "./emulator.js";
