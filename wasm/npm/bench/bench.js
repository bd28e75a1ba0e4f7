// Size and speed of the built package, every ratio from the same run (run by wasm/bench).
//
//   size:  the .wasm after wasm-opt, raw and gzipped (-9), against issue 16's goal and CI's
//          regression ceiling (bench/budget.js);
//   speed: parsing a 10,000-node pool list (v3.list_nodes) and a realistic one (200 nodes) with
//          the package, against JSON.parse plus plain-JS validation of the same fields; and one
//          small answer (v3.get_pool) many times, which shows the cost per call of crossing
//          into wasm. Each against its goal (bench/budget.js).
//
// Prints a table; with --write, also puts it into wasm/README.md between the bench markers.
// Exits 1 when the .wasm is over CI's ceiling (the test in test/size.test.js checks the same).

import { readFileSync, writeFileSync } from "node:fs";
import { brotliCompressSync, constants as zlib, gzipSync } from "node:zlib";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

import { parseResponse } from "rackconnect";
// The raw module the package wraps (the same instance, initialised by the package's entry): to
// split the package's time into the core's work and the JSON.parse of its result.
import * as native from "../dist/rackconnect_wasm.js";

import { CEILING_GZIP, CEILING_RAW, GOAL_GZIP, GOAL_RATIO, GOAL_RAW, GOAL_SMALL_CALL_US } from "./budget.js";

// Lighthouse's mobile throttling (1.6 Mbit/s): the link the console's load time is reckoned on.
const MOBILE_LINK_BYTES_PER_S = (1638.4 * 1000) / 8;

const NODES = 10_000;
// The most one RackConnect configuration holds: a realistic answer.
const REALISTIC_NODES = 200;
const REALISTIC_CALLS = 200;
const SMALL_CALLS = 20_000;
const here = dirname(fileURLToPath(import.meta.url));
const wasmPath = join(here, "..", "dist", "rackconnect_wasm_bg.wasm");
const readme = join(here, "..", "..", "README.md");

function uuid(n, tag) {
  const hex = n.toString(16).padStart(12, "0");
  return `0000${tag}-cccc-4ccc-8ccc-${hex}`;
}

/** A pool-node list as v3 answers it. */
function nodeList(count) {
  const pool = "00000001-bbbb-4bbb-8bbb-dfw000000001";
  const nodes = [];
  for (let n = 0; n < count; n++) {
    nodes.push({
      id: uuid(n, "000d"),
      cloud_server: { id: uuid(n, "0001") },
      load_balancer_pool: { id: pool },
      status: n % 10 === 0 ? "ADDING" : "ACTIVE",
      status_detail: null,
      created: "2014-09-12T13:26:54Z",
      updated: n % 10 === 0 ? null : "2014-09-12T13:27:10.45Z",
    });
  }
  return new TextEncoder().encode(JSON.stringify(nodes));
}

const TIMESTAMP = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?Z?$/;
const ID = /^[A-Za-z0-9_-]+$/;

/** What a careful hand-written client would check: the same fields the core reads. */
function plainParseNodes(bytes) {
  const value = JSON.parse(new TextDecoder().decode(bytes));
  if (!Array.isArray(value)) throw new TypeError("expected a list of nodes");
  for (const [i, node] of value.entries()) {
    const where = `[${i}]`;
    if (node === null || typeof node !== "object") throw new TypeError(`${where}: expected an object`);
    if (typeof node.id !== "string" || !ID.test(node.id)) throw new TypeError(`${where}.id`);
    if (typeof node.cloud_server?.id !== "string") throw new TypeError(`${where}.cloud_server.id`);
    if (typeof node.load_balancer_pool?.id !== "string") throw new TypeError(`${where}.load_balancer_pool.id`);
    if (typeof node.status !== "string") throw new TypeError(`${where}.status`);
    if (node.status_detail != null && typeof node.status_detail !== "string") throw new TypeError(`${where}.status_detail`);
    for (const key of ["created", "updated"]) {
      const t = node[key];
      if (t != null && (typeof t !== "string" || !TIMESTAMP.test(t) || Number.isNaN(Date.parse(t)))) {
        throw new TypeError(`${where}.${key}`);
      }
    }
  }
  return value;
}

function plainParsePool(bytes) {
  const pool = JSON.parse(new TextDecoder().decode(bytes));
  if (pool === null || typeof pool !== "object" || typeof pool.id !== "string") throw new TypeError("pool");
  if (pool.port != null && !Number.isInteger(pool.port)) throw new TypeError("port");
  if (pool.status != null && typeof pool.status !== "string") throw new TypeError("status");
  return pool;
}

/**
 * Median and minimum milliseconds of each function, run in turn round after round (after
 * `warmup` rounds), so that a busy machine slows them all alike and the ratios hold.
 */
function timeTogether(fns, rounds, warmup = 3) {
  const times = fns.map(() => []);
  for (let round = 0; round < warmup + rounds; round++) {
    fns.forEach((fn, i) => {
      const start = performance.now();
      fn();
      if (round >= warmup) times[i].push(performance.now() - start);
    });
  }
  return times.map((t) => {
    t.sort((a, b) => a - b);
    return { median: t[Math.floor(t.length / 2)], min: t[0] };
  });
}

const kb = (n) => `${(n / 1000).toFixed(1)} KB`;
const ms = (n) => `${n.toFixed(2)} ms`;

const wasm = readFileSync(wasmPath);
const raw = wasm.length;
const gz = gzipSync(wasm, { level: 9 }).length;
// What most CDNs and web servers send to browsers; the budget uses gzip, which every server has.
const br = brotliCompressSync(wasm, { params: { [zlib.BROTLI_PARAM_QUALITY]: 11 } }).length;
const onMobileLink = (bytes) => `${(bytes / MOBILE_LINK_BYTES_PER_S).toFixed(2)} s at 1.6 Mbit/s`;

const big = nodeList(NODES);
const headers = [["Content-Type", "application/json"]];
const checked = parseResponse("v3.list_nodes", { status: 200, headers, body: big });
if (checked.length !== NODES || plainParseNodes(big).length !== NODES) throw new Error("the two parsers disagree");
const headersBlock = "Content-Type\0application/json\0";
const resultText = native.parseResponse("v3.list_nodes", 200, headersBlock, 1, big);
const [bigPackage, bigPlain, bigCore, bigResultParse] = timeTogether(
  [
    () => parseResponse("v3.list_nodes", { status: 200, headers, body: big }),
    () => plainParseNodes(big),
    () => native.parseResponse("v3.list_nodes", 200, headersBlock, 1, big),
    () => JSON.parse(resultText),
  ],
  25,
);

const realistic = nodeList(REALISTIC_NODES);
if (parseResponse("v3.list_nodes", { status: 200, headers, body: realistic }).length !== REALISTIC_NODES) {
  throw new Error("the package misread the realistic answer");
}
const [realPackage, realPlain] = timeTogether(
  [
    () => {
      for (let i = 0; i < REALISTIC_CALLS; i++) parseResponse("v3.list_nodes", { status: 200, headers, body: realistic });
    },
    () => {
      for (let i = 0; i < REALISTIC_CALLS; i++) plainParseNodes(realistic);
    },
  ],
  9,
  2,
);

const small = new TextEncoder().encode(
  '{"id": "00000001-bbbb-4bbb-8bbb-dfw000000001", "name": "dfw-web-80", "port": 80, "virtual_ip": "198.51.100.10", "status": "ACTIVE", "status_detail": null, "node_counts": {"cloud_servers": 1, "external": 0, "total": 1}}',
);
const [smallPackage, smallPlain] = timeTogether(
  [
    () => {
      for (let i = 0; i < SMALL_CALLS; i++) parseResponse("v3.get_pool", { status: 200, headers, body: small });
    },
    () => {
      for (let i = 0; i < SMALL_CALLS; i++) plainParsePool(small);
    },
  ],
  7,
  1,
);

const perCall = (t, calls) => (t.median * 1000) / calls;
const us = (n) => `${n.toFixed(1)} µs`;
const ratio = (a, b) => a / b;
const versus = (r, goal) => `${r.toFixed(1)}× (goal ≤ ${goal}×: ${r <= goal ? "met" : "not met"})`;
const sizeVerdict = (n, goal, ceiling) =>
  `goal ${kb(goal)}: ${n <= goal ? "met" : `not met, ${kb(n - goal)} over`}; CI ceiling ${kb(ceiling)}: ${n <= ceiling ? "within" : "OVER"}`;
const bigRatio = ratio(bigPackage.median, bigPlain.median);
const realRatio = ratio(realPackage.median, realPlain.median);
const smallUs = perCall(smallPackage, SMALL_CALLS);
const rows = [
  ["what", "package (wasm)", "plain JS", "ratio / verdict"],
  ["`.wasm` raw", kb(raw), "", sizeVerdict(raw, GOAL_RAW, CEILING_RAW)],
  ["`.wasm` gzip -9", `${kb(gz)} (${onMobileLink(gz)})`, "", sizeVerdict(gz, GOAL_GZIP, CEILING_GZIP)],
  ["`.wasm` brotli -11 (no budget)", `${kb(br)} (${onMobileLink(br)})`, "", ""],
  [`${NODES.toLocaleString("en")} pool nodes (${kb(big.length)}), median`, ms(bigPackage.median), ms(bigPlain.median), versus(bigRatio, GOAL_RATIO)],
  ["… of which the core in wasm (read, check, write JSON), median", ms(bigCore.median), "", ""],
  ["… of which JSON.parse of the core's result, median", ms(bigResultParse.median), "", ""],
  [`${NODES.toLocaleString("en")} pool nodes, best`, ms(bigPackage.min), ms(bigPlain.min), `${ratio(bigPackage.min, bigPlain.min).toFixed(1)}×`],
  [`${REALISTIC_NODES} pool nodes (${kb(realistic.length)}), per call, median`, ms(perCall(realPackage, REALISTIC_CALLS) / 1000), ms(perCall(realPlain, REALISTIC_CALLS) / 1000), versus(realRatio, GOAL_RATIO)],
  ["one pool (v3.get_pool), per call, median", us(smallUs), us(perCall(smallPlain, SMALL_CALLS)), `${ratio(smallPackage.median, smallPlain.median).toFixed(1)}×; goal ≤ ${GOAL_SMALL_CALL_US} µs per call: ${smallUs <= GOAL_SMALL_CALL_US ? "met" : "not met"}`],
];
const table = rows.map((r, i) => `| ${r.join(" | ")} |${i === 0 ? `\n|${r.map(() => "---").join("|")}|` : ""}`).join("\n");
const stamp = `Node ${process.version}, ${new Date().toISOString().slice(0, 10)}; ratio = package / plain JS (lower is better).`;
console.log(table);
console.log(`\n${stamp}`);

if (process.argv.includes("--write")) {
  const text = readFileSync(readme, "utf8");
  const start = "<!-- bench:start -->";
  const end = "<!-- bench:end -->";
  const from = text.indexOf(start);
  const to = text.indexOf(end);
  if (from < 0 || to < from) throw new Error(`${readme} lacks the ${start} … ${end} markers`);
  writeFileSync(readme, `${text.slice(0, from + start.length)}\n${table}\n\n${stamp}\n${text.slice(to)}`);
  console.log(`written into ${readme}`);
}
process.exitCode = raw <= CEILING_RAW && gz <= CEILING_GZIP ? 0 : 1;
