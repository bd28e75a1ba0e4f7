// A consumer of `rackconnect/emulator`, type-checked with `tsc --noEmit` (wasm/test) against
// emulator.d.ts through the package's own name, as a user's test would import it.

import { Client } from "rackconnect";
import {
  Emulator,
  ControlError,
  EMULATOR_URL,
  builtInScenarios,
  type Summary,
  type Fault,
  type OperationName,
  type StateDocument,
  type TransitionMode,
  type TransitionsState,
} from "rackconnect/emulator";

const emulator = new Emulator({ scenario: "demo", clockSpeed: 60 });
const client = new Client({ identityUrl: EMULATOR_URL, username: emulator.username, apiKey: "demo-api-key", fetch: emulator.fetch, clock: emulator.clock });
const again = new Client(emulator.clientOptions({ region: "ord" }));
const summary: Summary = emulator.summary();
const faults: Fault[] = emulator.injectFault("status", { status: 503, pathPrefix: "/v2.0/tokens" });
const speed: number = emulator.clock().speed;
const answer: Promise<Response> = emulator.fetch(`${EMULATOR_URL}/v2.0`, { method: "GET" });
const v2: Promise<Response> = emulator.fetchFrom("web2")(new Request(`${EMULATOR_URL}/v1/automation_status`));
const names: string[] = builtInScenarios();
try {
  emulator.setAutomation("web2", { outcome: "FAILED", finishNow: true });
} catch (error) {
  if (error instanceof ControlError) console.log(error.status);
}
// @ts-expect-error: no such fault kind
emulator.injectFault("explode");
// @ts-expect-error: the clock speed is a number
new Emulator({ clockSpeed: "fast" });
void [client, again, summary, faults, speed, answer, v2, names];

// Issue 15's controls: a seed, faults by operation, state, transitions.
const seeded = new Emulator({ seed: 42 });
const big = new Emulator({ seed: 2n ** 63n });
const byOperation: Fault[] = seeded.injectFault("delay", { operation: "v3.pool_nodes.add", probability: 0.5, latencyMs: 200 });
seeded.injectFault("status", { operation: "v3.public_ips.", status: 500 });
const operationNames: OperationName[] = seeded.operations().map((op) => op.name);
seeded.setSeed(7);
const saved: StateDocument = seeded.state();
const restored = new Emulator({ scenario: JSON.parse(JSON.stringify(saved)) });
const afterLoad: Summary = restored.loadState(saved);
const modes: TransitionsState = seeded.setTransitions({ poolNodes: "manual", automation: "timed", v3AddSeconds: 10 });
const mode: TransitionMode = seeded.transitions().public_ips;
const moved: number = seeded.advanceTransitions({ server: "web2" }) + seeded.advanceTransitions({ id: "n", kind: "pool_nodes" }) + seeded.advanceTransitions();
void [seeded, big, byOperation, operationNames, restored, afterLoad, modes, mode, moved];
