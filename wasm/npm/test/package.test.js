// The package as a consumer meets it: the explicit init of "rackconnect/init" with each kind of
// source, a call before it, `require()` of the Node entry, and what `npm pack` puts in the tarball.
// Each case runs in a Node process of its own (a module is instantiated once per process).

import { test } from "node:test";
import assert from "node:assert/strict";
import { execFileSync, spawnSync } from "node:child_process";
import { fileURLToPath } from "node:url";

const PACKAGE = fileURLToPath(new URL("..", import.meta.url));

/** Runs an ES module script in a fresh Node inside the package folder; its stdout. */
function run(script, { input = "module" } = {}) {
  const args = input === "module" ? ["--input-type=module", "-e", script] : ["-e", script];
  const done = spawnSync(process.execPath, args, { cwd: PACKAGE, encoding: "utf8", timeout: 30_000 });
  assert.equal(done.status, 0, `node failed:\n${done.stderr}`);
  return done.stdout.trim();
}

const WASM = `new URL("./dist/rackconnect_wasm_bg.wasm", "file://${PACKAGE}/")`;
const PARSE = `parseResponse("v3.get_pool", { status: 200, headers: [], body: '{"id": "p1", "port": 80}' }).port`;

for (const [kind, source] of [
  ["the module's bytes", `readFileSync(${WASM})`],
  ["a compiled WebAssembly.Module", `await WebAssembly.compile(readFileSync(${WASM}))`],
  ["a Response", `new Response(readFileSync(${WASM}), { headers: { "content-type": "application/wasm" } })`],
]) {
  test(`rackconnect/init: init() with ${kind}, then the package works`, () => {
    const out = run(`
      import { readFileSync } from "node:fs";
      import { init, parseResponse, version } from "rackconnect/init";
      await init(${source});
      await init(${source}); // a second call is the first one's promise
      console.log(JSON.stringify([${PARSE}, version]));`);
    const [port, version] = JSON.parse(out);
    assert.equal(port, 80);
    assert.match(version, /^\d+\.\d+\.\d+/);
  });
}

test("rackconnect/init: a call before init() says what to do; init() without a source is refused", () => {
  const out = run(`
    import { init, parseResponse, InvalidInputError } from "rackconnect/init";
    const seen = [];
    try { ${PARSE}; } catch (error) { seen.push(error instanceof InvalidInputError, error.message); }
    try { await init(); } catch (error) { seen.push(error instanceof InvalidInputError, error.data.field); }
    console.log(JSON.stringify(seen));`);
  const [isInvalid, message, isInvalidToo, field] = JSON.parse(out);
  assert.ok(isInvalid && isInvalidToo);
  assert.match(message, /await init\(source\) from "rackconnect\/init"/);
  assert.equal(field, "source");
});

test("require() of the package and of rackconnect/init works on the Node versions package.json promises", () => {
  const out = run(`const rc = require("rackconnect"); console.log(typeof rc.Client, ${PARSE.replace("parseResponse", "rc.parseResponse")})`, { input: "commonjs" });
  assert.equal(out, "function 80");
  // The explicit entry too (no top-level await either): a CommonJS host that ships the .wasm itself.
  assert.equal(run(`const rc = require("rackconnect/init"); console.log(typeof rc.init, typeof rc.Client)`, { input: "commonjs" }), "function function");
  const [major, minor] = process.versions.node.split(".").map(Number);
  const engines = JSON.parse(execFileSync("npm", ["pkg", "get", "engines.node"], { cwd: PACKAGE, encoding: "utf8" }));
  const [, wantMajor, wantMinor] = engines.match(/>=(\d+)\.(\d+)/).map(Number);
  assert.ok(major > wantMajor || (major === wantMajor && minor >= wantMinor), `this Node ${process.versions.node} is older than engines ${engines}`);
});

test("npm pack ships the README, both licences, the types, the sources and the built module", () => {
  const [packed] = JSON.parse(execFileSync("npm", ["pack", "--dry-run", "--json"], { cwd: PACKAGE, encoding: "utf8" }));
  const files = new Set(packed.files.map((f) => f.path));
  for (const wanted of ["README.md", "LICENSE-MIT", "LICENSE-APACHE", "package.json", "index.d.ts", "types.d.ts", "init.d.ts",
    "src/init.js", "src/node.js", "src/browser.js", "dist/rackconnect_wasm.js", "dist/rackconnect_wasm_bg.wasm",
    "emulator.d.ts", "src/emulator/node.js", "src/emulator/browser.js", "src/emulator/emulator.js",
    "dist/rackconnect_emulator.js", "dist/rackconnect_emulator_bg.wasm"]) {
    assert.ok(files.has(wanted), `the tarball lacks ${wanted}: ${[...files].join(", ")}`);
  }
  assert.ok(![...files].some((f) => f.startsWith("test/") || f.startsWith("node_modules/")), "tests and node_modules stay out");
});
