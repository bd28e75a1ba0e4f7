// The Node entry of `rackconnect/emulator`: the emulator's own .wasm is read from disk and
// compiled synchronously at import (the package's main .wasm is not loaded for it).

import { readFileSync } from "node:fs";
import { initSync } from "../../dist/rackconnect_emulator.js";

initSync({ module: readFileSync(new URL("../../dist/rackconnect_emulator_bg.wasm", import.meta.url)) });

export * from "./emulator.js";
