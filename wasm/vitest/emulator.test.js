// rackconnect/emulator under vitest, as a user's test suite meets it: the package installed from
// its packed tarball in a fresh project (wasm/vitest/run), nothing else.

import { describe, expect, it } from "vitest";
import { Client, TransportError } from "rackconnect";
import { Emulator } from "rackconnect/emulator";

describe("rackconnect/emulator under vitest", () => {
  it("signs in, ensures a node to ACTIVE and sees a FAILED automation, on the virtual clock", async () => {
    const emulator = new Emulator();
    const client = new Client(emulator.clientOptions());
    expect((await client.signIn()).tenantId).toBe("123456");
    const members = await client.ensurePoolMembers({ servers: ["0000000a-cccc-4ccc-8ccc-00000000000a"], pools: ["dfw-api-443"] });
    expect(members.outcome).toBe("done");
    emulator.setAutomation("web2", { outcome: "FAILED" });
    const waited = await client.waitServer("00000002-cccc-4ccc-8ccc-000000000002");
    expect(waited.outcome).toBe("failed");
    expect(emulator.requests().requests.length).toBeGreaterThan(3);
  });

  it("turns an injected reset into a transport error", async () => {
    const emulator = new Emulator();
    emulator.injectFault("reset", { count: 50 });
    await expect(new Client(emulator.clientOptions()).signIn()).rejects.toBeInstanceOf(TransportError);
  });
});
