// A consumer of the package, type-checked with `tsc --noEmit` (wasm/test): it must compile
// against index.d.ts exactly as a user's code would, through the package's own name.

import {
  buildRequest,
  parseResponse,
  parseSignIn,
  explainV2Answer,
  bodySyntax,
  operations,
  version,
  toError,
  Client,
  RackConnectError,
  ApiError,
  ConflictError,
  UnauthorizedError,
  InvalidInputError,
  CancelledError,
  type HttpRequest,
  type Node,
  type Pool,
  type ProgressEvent,
  type MembershipResult,
  type OperationName,
  type V2Explanation,
  type SessionInfo,
} from "rackconnect";

const request: HttpRequest = buildRequest("v3.list_pools", { endpoint: "http://127.0.0.1:8080/v3/1", token: "t" });
const method: string = request.method;
const pools: Pool[] = parseResponse("v3.list_pools", { status: 200, body: "[]" });
const node: Node = parseResponse("v3.add_node", { status: 201, headers: [["Content-Type", "application/json"]], body: new Uint8Array() });
const status = parseResponse("v2.automation_status", { status: 200, headers: { "Content-Type": "text/plain" }, body: "DEPLOYED" });
if (status.outcome === "answer") {
  const value: string = status.value;
  console.log(value);
}
const names: OperationName[] = operations();
const syntax: "text" | "json" | "xml" = bodySyntax("<a/>");
const explained: V2Explanation = explainV2Answer("DEPLOYED", { operation: "automation_status" });
const summary: string = explained.summary;
const failedNames: string[] = explained.failedTasks.map((task) => task.name);
const pendingCount: number = explained.pendingTasks.length;
const signIn = parseSignIn({ status: 200, body: "{}" });
const token: string = signIn.token;
const dfw: string | null = signIn.endpoints.dfw.rackconnect;
const v: string = version;

async function use(): Promise<void> {
  const client = new Client({ identityUrl: "http://127.0.0.1:8080", username: "demo", apiKey: "k", region: "dfw" });
  const withFetch = new Client({ username: "demo", password: "p", tenant: "123456", fetch: globalThis.fetch, requestTimeoutMs: 5000 });
  console.log(withFetch.region);
  const info: SessionInfo = await client.signIn();
  const lon: Client = client.withRegion("lon");
  const offered: string[] = [...info.catalogRegions, ...signIn.catalogRegions];
  console.log(lon.region, offered.length);
  const controller = new AbortController();
  const events: ProgressEvent[] = [];
  const nodes = await client.listNodes("pool", { signal: controller.signal });
  const added = await client.addNode("pool", "server");
  const waited = await client.waitNodes([{ poolId: "pool", nodeId: added.id }], {
    until: "active",
    timeoutMs: 60_000,
    signal: controller.signal,
    onProgress: (event) => {
      events.push(event);
      if (event.event === "status") console.log(event.status, event.changed);
    },
  });
  const failures: number = waited.failures.length;
  const ensured: MembershipResult = await client.ensurePoolMembers({ servers: ["s"], pools: ["p"], dryRun: true });
  const changed: boolean = ensured.changed;
  const ip = await client.ensurePublicIp({ serverId: "s", retain: false });
  const address: string | null | undefined = ip.public_ip?.public_ip_v4;
  const server = await client.waitServer("s", { managed: true, graceMs: 1000 });
  const reachable: string | null = server.reachable_ipv4;
  const batch = await client.waitServers(["web1", "web2"], { managed: true, onProgress: (e) => e.event === "server_ended" && console.log(e.ended, e.total) });
  const firstAddress: string | null = batch.servers[0].reachable_ip;
  const failedCount: number = (await client.waitServers({ builtWithinMs: 1_800_000 })).counts.failed;
  console.log(firstAddress, failedCount);
  await client.deletePublicIp("ip");
  await client.removeNode("pool", added.id);
  const shown: { username: string; signedIn: boolean } = client.toJSON();
  console.log(failedNames, pendingCount, info.region, nodes.length, failures, changed, address, reachable, shown, events.length);
  await client.signOut();
}

try {
  void use();
} catch (error) {
  if (error instanceof ConflictError) {
    const kinds: string[] = error.conflicts.map((c) => c.kind);
    console.log(kinds, error.status, error.retryAfter);
  } else if (error instanceof UnauthorizedError) {
    const code: string = error.code;
    console.log(code, error.raw);
  } else if (error instanceof InvalidInputError) {
    console.log(error.field, error.expected, error.found);
  } else if (error instanceof CancelledError) {
    console.log(error.result?.outcome);
  } else if (error instanceof ApiError || error instanceof RackConnectError) {
    console.log(error.code, error.data.kind, error.message);
  }
}

const converted: RackConnectError = toError('{"kind": "json", "message": "m"}');
console.log(method, pools, node, names, syntax, summary, token, dfw, v, converted);

// The explicit init of "rackconnect/init": each kind of source a host may have.
import { init, type WasmSource, version as initVersion } from "rackconnect/init";
async function explicitInit(bytes: Uint8Array, module: WebAssembly.Module): Promise<string> {
  const sources: WasmSource[] = [new URL("https://example.test/x.wasm"), "/x.wasm", bytes, module, fetch("/x.wasm")];
  await init(sources[0]);
  // @ts-expect-error: init needs a source (TypeScript's WebAssembly.Module is an empty interface, so a
  // wrong value cannot be refused by type; init refuses it at run time)
  await init();
  return initVersion;
}
console.log(explicitInit);
