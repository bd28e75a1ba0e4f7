// The built .wasm against CI's size ceiling (bench/budget.js): a regression fails the build
// here, in the tests every CI run makes, rather than in wasm/bench, which is run by hand.

import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { gzipSync } from "node:zlib";

import { CEILING_GZIP, CEILING_RAW } from "../bench/budget.js";

const wasm = readFileSync(new URL("../dist/rackconnect_wasm_bg.wasm", import.meta.url));

test("the .wasm is within CI's size ceiling, raw and gzipped (-9)", () => {
  const gz = gzipSync(wasm, { level: 9 }).length;
  assert.ok(wasm.length <= CEILING_RAW, `the .wasm is ${wasm.length} bytes raw, over the ceiling of ${CEILING_RAW}`);
  assert.ok(gz <= CEILING_GZIP, `the .wasm is ${gz} bytes gzipped, over the ceiling of ${CEILING_GZIP}`);
});
