// Mistakes the types must catch, type-checked with `tsc --noEmit` (wasm/test). Each line under a
// `@ts-expect-error` must fail to compile: if the types grew loose, the directive would be unused,
// and that is an error too. The lines without one show the right way, which must compile.

import { Client, parseResponse, type Pool, type ProgressEvent, type UnknownFields } from "rackconnect";

// Regions are a literal union (either case); a name that is not one does not compile.
new Client({ username: "demo", apiKey: "k", region: "DFW" });
new Client({ username: "demo", apiKey: "k", region: "lon" });
// @ts-expect-error: "dallas" is not a region
new Client({ username: "demo", apiKey: "k", region: "dallas" });

// Exactly one credential.
new Client({ username: "demo", password: "p" });
// @ts-expect-error: an API key and a password
new Client({ username: "demo", apiKey: "k", password: "p" });
// @ts-expect-error: no credential
new Client({ username: "demo" });

// Results have no catch-all index signature: a misspelt field does not compile; unknown fields
// are reached through `extra`.
const pools: Pool[] = parseResponse("v3.list_pools", { status: 200, body: "[]" });
const status: string | null = pools[0].status;
const kept: UnknownFields | undefined = pools[0].extra;
const tags: unknown = pools[0].extra?.["tags"];
// @ts-expect-error: `stauts` is no field of a pool
console.log(pools[0].stauts);
const literal: Pool = {
  id: "p",
  name: null,
  port: null,
  virtual_ip: null,
  status: "ACTIVE",
  status_detail: null,
  node_counts: null,
  // @ts-expect-error: an unknown field belongs under `extra`
  tags: ["web"],
};

// Progress events are a union narrowed by their `event` field.
function show(event: ProgressEvent): string {
  if (event.event === "status") return `${event.id}: ${event.status}`;
  if (event.event === "key_missing") return `${event.key} until ${event.grace_until}`;
  // @ts-expect-error: only a `status` event has a status
  return event.status;
}

// An operation's result is its own type: a pool list is no node.
// @ts-expect-error: v3.list_pools gives Pool[], not a Pool
const notAPool: Pool = parseResponse("v3.list_pools", { status: 200, body: "[]" });

// A Client's clock has both now() and sleep().
new Client({ username: "demo", apiKey: "k", clock: { now: () => Date.now(), sleep: async () => {} } });
// @ts-expect-error: a clock without sleep()
new Client({ username: "demo", apiKey: "k", clock: { now: () => Date.now() } });

console.log(status, kept, tags, literal, show, notAPool);

// rackconnect/emulator's controls: modes, kinds and operations are literal unions; options are camelCase.
import { Emulator } from "rackconnect/emulator";
const emulator = new Emulator({ seed: 1 });
emulator.setTransitions({ poolNodes: "manual" });
// @ts-expect-error: "later" is no transition mode
emulator.setTransitions({ poolNodes: "later" });
// @ts-expect-error: the control API's snake_case name is not the option's
emulator.setTransitions({ pool_nodes: "manual" });
// @ts-expect-error: "servers" is no kind with transitions
emulator.advanceTransitions({ kind: "servers" });
// @ts-expect-error: one resource: an id or a server, not both
emulator.advanceTransitions({ id: "n", server: "web1" });
emulator.injectFault("status", { operation: "v3.pool_nodes." });
// @ts-expect-error: no such operation
emulator.injectFault("status", { operation: "v3.pool_nodes.create" });
// @ts-expect-error: a prefix ends in "."
emulator.injectFault("status", { operation: "v3.pool" });
// @ts-expect-error: a seed is a number
new Emulator({ seed: "42" });
