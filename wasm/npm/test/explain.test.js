// explainV2Answer and parseSignIn: what a console shows for a pasted v2 answer, and what a
// client reads from Identity.

import { test } from "node:test";
import assert from "node:assert/strict";

import { bodySyntax, explainV2Answer, parseSignIn, terminalSafe, poolFitness, serverFitness, ParseError, RateLimitedError } from "rackconnect";

test("a bare status in text, JSON and XML", () => {
  for (const [body, syntax] of [
    ["DEPLOYED\n", "text"],
    ['{"automation_status": "DEPLOYED"}', "json"],
    ["<?xml version=\"1.0\"?><automation_status>DEPLOYED</automation_status>", "xml"],
  ]) {
    const explained = explainV2Answer(body);
    assert.equal(explained.syntax, syntax);
    assert.equal(explained.operation, "automation_status");
    assert.equal(explained.status, "DEPLOYED");
    assert.equal(explained.verdict, "done");
    assert.match(explained.summary, /DEPLOYED/);
  }
});

test("details of a failure name the failed task as the cause and the pending ones apart", () => {
  const body = JSON.stringify({
    automation_status: "FAILED",
    tasks: [
      { name: "Cloud Server Created: Create user", status: "COMPLETE" },
      { name: 'Cloud Server Created: Add "rackconnect" user', status: "FAILED" },
      { name: "Cloud Server Created: Update access on dedicated network devices", status: "PENDING" },
      { name: "Cloud Server Created: Configure network stack", status: "RUNNING" },
    ],
  });
  const explained = explainV2Answer(body);
  assert.equal(explained.operation, "details");
  assert.equal(explained.verdict, "failed");
  assert.equal(explained.tasks.length, 4);
  // The same objects as in `tasks`, so that a page can mark those rows.
  assert.deepStrictEqual(explained.failedTasks, [explained.tasks[1]]);
  assert.equal(explained.failedTasks[0], explained.tasks[1]);
  assert.deepStrictEqual(explained.pendingTasks, [explained.tasks[2]]);
  assert.match(explained.summary, /Failed task: Cloud Server Created: Add "rackconnect" user\./);
  assert.match(explained.summary, /Not run \(PENDING\): Cloud Server Created: Update access on dedicated network devices\./);
  assert.doesNotMatch(explained.summary, /Create user|Configure network stack/);
});

test("a FAILED answer with several failed tasks, or none marked, says so", () => {
  const failed = (tasks) => explainV2Answer(JSON.stringify({ automation_status: "FAILED", tasks }));
  const two = failed([
    { name: "a", status: "failed" },
    { name: "b", status: "COMPLETE" },
    { name: "c", status: "FAILED" },
  ]);
  assert.deepStrictEqual(two.failedTasks.map((t) => t.name), ["a", "c"]);
  assert.match(two.summary, /Failed tasks: a; c\./);
  const unmarked = failed([{ name: "a", status: "COMPLETE" }, { name: "b", status: "PARTIAL" }]);
  assert.deepStrictEqual(unmarked.failedTasks, []);
  assert.match(unmarked.summary, /^RackConnect automation FAILED\. Changing/);
  const bare = explainV2Answer("FAILED");
  assert.deepStrictEqual([bare.failedTasks, bare.pendingTasks], [[], []]);
});

test("features in XML, a gateway in text, and the statuses that are outcomes", () => {
  const features = explainV2Answer(
    "<automation_features><feature><name>configure_network_stack</name><status>ENABLED</status></feature></automation_features>",
  );
  assert.equal(features.operation, "automation_features");
  assert.equal(features.features[0].status, "ENABLED");
  assert.equal(features.verdict, "info");

  const gateway = explainV2Answer("10.1.2.1\n");
  assert.equal(gateway.operation, "gateway_ip");
  assert.equal(gateway.gatewayIp, "10.1.2.1");

  const limited = explainV2Answer("Forbidden", { status: 403 });
  assert.equal(limited.verdict, "rate_limited");
  assert.equal(explainV2Answer("", { status: 404 }).verdict, "not_assigned");
  assert.equal(explainV2Answer("UNPROCESSABLE").verdict, "not_applicable");
  assert.equal(explainV2Answer("DEPLOYING", { operation: "automation_status" }).verdict, "in_progress");
});

test("an answer nothing reads is a ParseError that says where", () => {
  assert.throws(() => explainV2Answer('{"automation_features": [{"name": 1}]}'), (error) => {
    assert.ok(error instanceof ParseError);
    assert.match(error.message, /automation_features/);
    return true;
  });
  assert.throws(() => explainV2Answer("<automation_status>"), ParseError);
  assert.throws(() => explainV2Answer("x", { operation: "nope" }), /operation/);
  assert.throws(() => explainV2Answer("boom", { status: 500 }), (e) => e.code === "server_error");
  assert.equal(bodySyntax("  <a/>"), "xml");
  assert.equal(bodySyntax(new TextEncoder().encode("[1]")), "json");
  assert.ok(RateLimitedError);
});

test("parseSignIn exposes the token, the catalog's endpoints per region and the regions it has", () => {
  const body = JSON.stringify({
    access: {
      token: { id: "tok-secret", expires: "2030-01-01T00:00:00.000Z", tenant: { id: "123456", name: "123456" } },
      serviceCatalog: [
        {
          name: "rackconnect",
          type: "rax:rackconnect",
          endpoints: [
            { region: "DFW", tenantId: "123456", publicURL: "https://dfw.rc/v3/123456" },
            { region: "LON", tenantId: "123456", publicURL: "https://lon.rc/v3/123456" },
          ],
        },
        { name: "cloudServersOpenStack", type: "compute", endpoints: [{ region: "DFW", publicURL: "https://dfw.servers/v2/123456" }] },
      ],
      user: { id: "1", name: "demo", roles: [{ name: "rackconnect:v3-DFW" }], "RAX-AUTH:defaultRegion": "DFW" },
    },
  });
  const signIn = parseSignIn({ status: 200, body });
  assert.equal(signIn.token, "tok-secret");
  assert.equal(signIn.expiresAt, Date.UTC(2030, 0, 1));
  assert.equal(signIn.tenantId, "123456");
  assert.equal(signIn.defaultRegion, "dfw");
  assert.deepStrictEqual(signIn.rackconnectRegions, ["dfw"], "by role: v3-DFW only");
  assert.deepStrictEqual(signIn.catalogRegions, ["dfw", "lon"], "by catalog endpoint, whatever the roles");
  assert.deepStrictEqual(signIn.endpoints.dfw, { rackconnect: "https://dfw.rc/v3/123456", compute: "https://dfw.servers/v2/123456" });
  assert.deepStrictEqual(signIn.endpoints.lon, { rackconnect: "https://lon.rc/v3/123456", compute: null });
  assert.deepStrictEqual(signIn.endpoints.syd, { rackconnect: null, compute: null });
  assert.equal(signIn.access.token.id, "<redacted>");
});

test("terminalSafe shows control characters from the API escaped", () => {
  assert.equal(terminalSafe("web1"), "web1");
  assert.equal(terminalSafe("a\nb\tc"), "a\nb\tc");
  assert.equal(terminalSafe("web\u001b[2J\u001b]0;PWNED\u0007"), "web\\u{1b}[2J\\u{1b}]0;PWNED\\u{7}");
  assert.equal(terminalSafe("x\ry\0"), "x\\u{d}y\\u{0}");
});

test("poolFitness and serverFitness: which pools and servers a picker offers first (the core's rule)", () => {
  assert.deepStrictEqual(poolFitness({ status: "ACTIVE", status_detail: null }), { fit: true, reason: null });
  assert.deepStrictEqual(poolFitness({ status: "UPDATING", status_detail: "Pool is being reconfigured by Rackspace" }), {
    fit: false,
    reason: "pool UPDATING, not ACTIVE: Pool is being reconfigured by Rackspace",
  });
  const server = (status, automation, managed, reason = null) => ({
    status,
    rackconnect: { automation_status: automation, unprocessable_reason: reason, managed_status: managed },
  });
  assert.equal(serverFitness(server("ACTIVE", "DEPLOYED", "Complete")).fit, true);
  assert.equal(serverFitness(server("BUILD", "DEPLOYING", "Pending")).fit, true, "on its way");
  assert.deepStrictEqual(serverFitness(server("ACTIVE", "FAILED", "Complete")), { fit: false, reason: "RackConnect automation FAILED" });
  assert.equal(serverFitness(server("ACTIVE", "UNPROCESSABLE", null, "wrong region")).reason, "RackConnect does not apply (UNPROCESSABLE): wrong region");
  assert.equal(serverFitness(server("ACTIVE", "DEPLOYED", "Build Error")).reason, "Managed Operations automation: Build Error");
  assert.throws(() => serverFitness("web1"), { code: "invalid_input" });
});
