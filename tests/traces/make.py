#!/usr/bin/env python3
"""Writes the driver traces (one JSON file per scenario) that the Rust and JS drivers both replay.

Each trace: `setup` (credentials, region, the task, the clock's start), `steps` (each request the
driver must send, in order, and what the scripted service does with it: an answer, a transport
failure, or a cancellation while the driver sleeps) and the `result` (a subset of the output, or
the error's kind and class). Run it after changing a scenario: `tests/traces/make.py`.
"""
import json
import pathlib

HERE = pathlib.Path(__file__).parent
START = 1_800_000_000_000  # 2027-01-15T08:00:00Z
IDENTITY = "https://identity.example.test"
RC = "https://dfw.rackconnect.example.test/v3/123456"
COMPUTE = "https://dfw.servers.example.test/v2/123456"
POOL = "d6d3aa7c-dfa5-4e61-96ee-1d54ac1075d2"
SERVER = "d95ae0c4-6ab8-4873-b82f-f8433840cff2"
SERVER2 = "5b0c9d7e-2f4a-4c61-9d3e-7a1b2c3d4e5f"
NODE = "1860451d-fb89-45b8-b54e-151afceb50e5"
IP = "2d0f586b-37a7-4ae0-adac-2743d5feb450"


def access(token="tok-1", expires="2027-01-16T08:00:00Z", default_region="DFW", rc=RC, compute=COMPUTE):
    user = {"id": "1", "name": "demo", "roles": [{"name": "rackconnect:v3-DFW"}]}
    if default_region:
        user["RAX-AUTH:defaultRegion"] = default_region
    return json.dumps({"access": {
        "token": {"id": token, "expires": expires, "tenant": {"id": "123456", "name": "123456"}},
        "serviceCatalog": [
            {"name": "rackconnect", "type": "rax:rackconnect", "endpoints": [{"region": "DFW", "tenantId": "123456", "publicURL": rc}]},
            {"name": "cloudServersOpenStack", "type": "compute", "endpoints": [{"region": "DFW", "tenantId": "123456", "publicURL": compute}]},
        ],
        "user": user}})


def pool(name="web"):
    return {"id": POOL, "name": name, "port": 80, "virtual_ip": "203.0.113.10", "status": "ACTIVE",
            "status_detail": None, "created": "2014-05-30T03:23:42Z", "updated": None,
            "cloud_network": {"id": "07426958-1ebf-4c38-b032-d456820ca21a"}, "node_counts": {"cloud_servers": 1, "external": 0, "total": 1}}


def node(status="ACTIVE"):
    return {"id": NODE, "cloud_server": {"id": SERVER}, "load_balancer_pool": {"id": POOL}, "status": status,
            "status_detail": None, "created": "2014-05-30T03:23:42Z", "updated": None}


def public_ip(status="ACTIVE"):
    return {"id": IP, "cloud_server": {"id": SERVER}, "public_ip_v4": "203.0.113.17" if status == "ACTIVE" else None,
            "status": status, "status_detail": None, "retain": False, "created": "2014-05-30T03:23:42Z", "updated": None}


def fleet_server(id, name, status, access="203.0.113.7"):
    return {"id": id, "name": name, "status": "ACTIVE", "created": "2027-01-15T07:59:00Z", "accessIPv4": access,
            "metadata": {"rackconnect_automation_status": status}}


def token_step(body=None, status=200, token=None, **extra):
    step = {"expect": {"method": "POST", "url": f"{IDENTITY}/v2.0/tokens"}}
    step["respond"] = {"status": status, "headers": [["Content-Type", "application/json"]], "body": body if body is not None else access(token or "tok-1")}
    step.update(extra)
    return step


def get(url, body, status=200, token=None, headers=None, **extra):
    expect = {"method": "GET", "url": url}
    if token:
        expect["token"] = token
    text = body if isinstance(body, str) else json.dumps(body)
    return {"expect": expect, "respond": {"status": status, "headers": headers or [["Content-Type", "application/json"]], "body": text}, **extra}


def fail(method, url, kind, detail="scripted", **extra):
    return {"expect": {"method": method, "url": url}, "fail": {"kind": kind, "detail": detail}, **extra}


AUTH = {"identity_url": IDENTITY, "username": "demo", "api_key": "demo-api-key"}
POOLS = f"{RC}/load_balancer_pools"
NODES = f"{POOLS}/{POOL}/nodes"
NODE_URL = f"{NODES}/{NODE}"
IP_URL = f"{RC}/public_ips/{IP}"
CONFLICT = {"errors": [f"Cloud Server {SERVER} does not exist"]}
# A node add refused because RackConnect does not know the server (yet).
ADD_REFUSED = {"expect": {"method": "POST", "url": NODES}, "respond": {"status": 409, "headers": [], "body": json.dumps(CONFLICT)}}

TRACES = {
    "sign_in_then_read": dict(
        about="A read signs in first, takes the endpoint from the catalog and sends the token",
        task={"call": "v3.list_pools", "input": {}}, region="dfw",
        steps=[token_step(), get(POOLS, [pool()], token="tok-1")],
        result={"ok": [{"id": POOL, "name": "web"}]}),
    "default_region_from_identity": dict(
        about="No region given: the user's default region (DFW) picks the endpoint",
        task={"call": "v3.list_pools", "input": {}}, region=None,
        steps=[token_step(), get(POOLS, [])], result={"ok": []}),
    "no_region_and_no_default_is_a_configuration_error": dict(
        about="No region and no default region: an invalid_input error right after sign-in, nothing else sent",
        task={"call": "v3.list_pools", "input": {}}, region=None,
        steps=[token_step(access(default_region=None))],
        result={"error": {"kind": "invalid_input", "class": "InvalidInputError", "field": "region"}}),
    "renews_once_on_401": dict(
        about="A 401 on a read: one new sign-in, the same request again with the new token",
        task={"call": "v3.list_pools", "input": {}}, region="dfw",
        steps=[token_step(), get(POOLS, '{"unauthorized": {"code": 401, "message": "expired"}}', status=401, token="tok-1"),
               token_step(token="tok-2"), get(POOLS, [pool()], token="tok-2")],
        result={"ok": [{"id": POOL}]}),
    "a_second_401_is_the_answer": dict(
        about="A 401 after a renewal is not renewed again: it is the call's error",
        task={"call": "v3.list_pools", "input": {}}, region="dfw",
        steps=[token_step(), get(POOLS, "", status=401), token_step(token="tok-2"), get(POOLS, "", status=401, token="tok-2")],
        result={"error": {"kind": "unauthorized", "class": "UnauthorizedError", "status": 401}}),
    "renews_before_expiry_during_a_wait": dict(
        about="A token that expires within five minutes is renewed before the next request of a wait",
        task={"wait": {"kind": "nodes", "nodes": [{"pool_id": POOL, "node_id": NODE}], "target": "active",
                       "wait": {"timeout_ms": 600_000, "interval_ms": 120_000}}}, region="dfw",
        steps=[token_step(access(expires="2027-01-15T08:06:00Z")), get(NODES, [node("ADDING")], token="tok-1"),
               token_step(token="tok-2"), get(NODES, [node("ACTIVE")], token="tok-2", not_before=120_000)],
        result={"ok": {"outcome": "done", "status": "ACTIVE", "requests": 2}}),
    "read_503_honours_retry_after": dict(
        about="A 503 with Retry-After 1 on a read: one retry, a second later",
        task={"call": "v3.list_pools", "input": {}}, region="dfw",
        steps=[token_step(), get(POOLS, "", status=503, headers=[["Retry-After", "1"]]), get(POOLS, [], not_before=1_000)],
        result={"ok": []}),
    "read_retry_after_is_capped": dict(
        about="A read honours Retry-After only up to two seconds before its one retry",
        task={"call": "v3.list_pools", "input": {}}, region="dfw",
        steps=[token_step(), get(POOLS, "", status=503, headers=[["Retry-After", "30"]]), get(POOLS, [], not_before=2_000, not_after=2_000)],
        result={"ok": []}),
    "read_503_twice_is_the_error": dict(
        about="A read is retried once: a second 503 is the error",
        task={"call": "v3.list_pools", "input": {}}, region="dfw",
        steps=[token_step(), get(POOLS, "", status=503), get(POOLS, "", status=503)],
        result={"error": {"kind": "server_error", "class": "ServerError", "status": 503}}),
    "read_reset_is_retried_once": dict(
        about="A connection reset on a read: sent once more",
        task={"call": "v3.list_pools", "input": {}}, region="dfw",
        steps=[token_step(), fail("GET", POOLS, "io", "connection reset"), get(POOLS, [pool()])],
        result={"ok": [{"id": POOL}]}),
    "read_truncated_body_is_retried_once": dict(
        about="A body cut short (the driver reports io) on a read: sent once more",
        task={"call": "v3.get_node", "input": {"pool_id": POOL, "node_id": NODE}}, region="dfw",
        steps=[token_step(), fail("GET", NODE_URL, "io", "the body ended early"), get(NODE_URL, node())],
        result={"ok": {"id": NODE, "status": "ACTIVE"}}),
    "wait_retries_a_garbled_body": dict(
        about="A wait reads a truncated JSON body as garbled and asks again",
        task={"wait": {"kind": "public_ip", "public_ip_id": IP, "target": "active", "wait": {"timeout_ms": 60_000, "interval_ms": 1_000}}},
        region="dfw",
        steps=[token_step(), get(IP_URL, '{"id": "' + IP + '", "stat'), get(IP_URL, public_ip())],
        result={"ok": {"outcome": "done", "status": "ACTIVE", "requests": 2, "public_ip": {"public_ip_v4": "203.0.113.17"}}}),
    "sign_in_503_is_retried_within_a_wait": dict(
        about="Identity answers 503 at a wait's sign-in: retried with backoff, then the wait goes on",
        task={"wait": {"kind": "nodes", "nodes": [{"pool_id": POOL, "node_id": NODE}], "target": "active", "wait": {"timeout_ms": 60_000}}},
        region="dfw",
        steps=[token_step('{"serviceUnavailable": {"code": 503, "message": "busy"}}', status=503), token_step(), get(NODES, [node()])],
        result={"ok": {"outcome": "done", "requests": 1}}),
    "sign_in_reset_is_retried_once_for_a_call": dict(
        about="A reset at sign-in for a single call: signed in once more, like a read",
        task={"call": "v3.list_pools", "input": {}}, region="dfw",
        steps=[fail("POST", f"{IDENTITY}/v2.0/tokens", "io", "connection reset"), token_step(), get(POOLS, [])],
        result={"ok": []}),
    "wrong_credentials_are_not_retried": dict(
        about="Identity refuses the credentials: one request, an UnauthorizedError",
        task={"call": "v3.list_pools", "input": {}}, region="dfw",
        steps=[token_step('{"unauthorized": {"code": 401, "message": "Unable to authenticate user with credentials provided."}}', status=401)],
        result={"error": {"kind": "unauthorized", "class": "UnauthorizedError"}}),
    "create_rides_out_the_post_build_409": dict(
        about="A create refused with 'does not exist' (RackConnect has not seen the new server yet) is sent again, once "
              "Cloud Servers has said it has the server (asked once)",
        task={"call": "v3.add_node", "input": {"pool_id": POOL, "server_id": SERVER}}, region="dfw",
        steps=[token_step(),
               ADD_REFUSED,
               get(f"{COMPUTE}/servers/{SERVER}", {"server": {"id": SERVER, "name": "web1", "status": "BUILD", "metadata": {}}}),
               {**ADD_REFUSED, "not_before": 500},
               {"expect": {"method": "POST", "url": NODES}, "respond": {"status": 201, "headers": [], "body": json.dumps(node("ADDING"))}, "not_before": 1_000}],
        result={"ok": {"id": NODE, "status": "ADDING"}}),
    "a_create_for_a_server_cloud_servers_lacks_fails_at_once": dict(
        about="A create refused with 'does not exist' for a server Cloud Servers does not have either (a mistyped id) "
              "fails at once, in the one wording, instead of spending the post-build grace",
        task={"call": "v3.add_node", "input": {"pool_id": POOL, "server_id": SERVER}}, region="dfw",
        steps=[token_step(),
               ADD_REFUSED,
               get(f"{COMPUTE}/servers/{SERVER}", {"itemNotFound": {"code": 404, "message": "Instance could not be found"}}, status=404)],
        result={"error": {"kind": "not_found", "class": "NotFoundError", "status": 404,
                          "messages": [f"server {SERVER} not found in region DFW"]}}),
    "a_change_is_never_retried": dict(
        about="A DELETE that meets a 503 is not sent again",
        task={"call": "v3.remove_node", "input": {"pool_id": POOL, "node_id": NODE}}, region="dfw",
        steps=[token_step(), {"expect": {"method": "DELETE", "url": NODE_URL}, "respond": {"status": 503, "headers": [], "body": ""}}],
        result={"error": {"kind": "server_error", "class": "ServerError"}}),
    "a_create_is_not_retried_after_a_reset": dict(
        about="A POST whose connection broke may have been applied: not sent again",
        task={"call": "v3.add_node", "input": {"pool_id": POOL, "server_id": SERVER}}, region="dfw",
        steps=[token_step(), fail("POST", NODES, "io", "connection reset")],
        result={"error": {"kind": "transport", "class": "TransportError", "transport_kind": "io"}}),
    "pages_are_followed": dict(
        about="Every page of servers/detail, by marker, until a short page",
        task={"all_servers": True}, region="dfw",
        steps=[token_step(),
               get(f"{COMPUTE}/servers/detail?limit=100", {"servers": [{"id": SERVER, "name": "web1", "status": "ACTIVE", "metadata": {}}],
                   "servers_links": [{"rel": "next", "href": f"{COMPUTE}/servers/detail?limit=100&marker={SERVER}"}]}),
               get(f"{COMPUTE}/servers/detail?limit=100&marker={SERVER}", {"servers": []})],
        result={"ok": [{"id": SERVER, "name": "web1"}]}),
    "fleet_wait_reads_pages_not_servers": dict(
        about="A fleet wait reads servers/detail (one page holds the batch: its next page is not read), ends the FAILED "
              "server at once and the other at DEPLOYED one interval later, then reads the region's RackConnect v3 public "
              "IPs once (the FAILED server has no RackConnect v2 address): each server with its reachable address",
        task={"wait": {"kind": "servers", "servers": [SERVER, SERVER2], "config": {"wait": {"interval_ms": 5_000}}}}, region="dfw",
        steps=[token_step(),
               get(f"{COMPUTE}/servers/detail?limit=100", {
                   "servers": [fleet_server(SERVER, "web1", "DEPLOYING"), fleet_server(SERVER2, "web2", "FAILED")],
                   "servers_links": [{"rel": "next", "href": f"{COMPUTE}/servers/detail?limit=100&marker={SERVER2}"}]},
                   headers=[["Content-Type", "application/json"], ["Date", "Fri, 15 Jan 2027 08:00:00 GMT"]]),
               get(f"{COMPUTE}/servers/detail?limit=100", {"servers": [fleet_server(SERVER, "web1", "DEPLOYED", "198.51.100.7")]},
                   headers=[["Content-Type", "application/json"], ["Date", "Fri, 15 Jan 2027 08:00:05 GMT"]], not_before=5_000),
               get(f"{RC}/public_ips", [{**public_ip(), "cloud_server": {"id": SERVER2}}])],
        result={"ok": {"outcome": "failed", "ok": False, "requests": 3,
                       "counts": {"total": 2, "done": 1, "failed": 1, "not_applicable": 0},
                       "servers": [{"id": SERVER, "name": "web1", "outcome": "done", "status": "DEPLOYED", "reachable_ip": "198.51.100.7",
                                    "reached_by": "rackconnect_v2"},
                                   {"id": SERVER2, "outcome": "failed", "reason": "RackConnect automation FAILED",
                                    "reachable_ip": "203.0.113.17", "reached_by": "rackconnect_v3_public_ip"}]}}),
    "insecure_identity_url_is_refused_before_sending": dict(
        about="An http:// Identity URL to a host that is not loopback: refused, nothing sent (the key never leaves)",
        auth={**AUTH, "identity_url": "http://identity.example.test"},
        task={"call": "v3.list_pools", "input": {}}, region="dfw", steps=[],
        result={"error": {"kind": "transport", "class": "TransportError", "transport_kind": "insecure_url", "configuration": True}}),
    "insecure_catalog_endpoint_is_refused": dict(
        about="A catalog that lists an http:// endpoint: the token is never sent to it",
        task={"call": "v3.list_pools", "input": {}}, region="dfw",
        steps=[token_step(access(rc="http://dfw.rackconnect.example.test/v3/123456"))],
        result={"error": {"kind": "transport", "class": "TransportError", "transport_kind": "insecure_url"}}),
    "insecure_v2_url_is_refused_at_once": dict(
        about="v2 at an http:// URL that is not loopback: refused before anything is sent, not retried",
        auth=None, task={"call_v2": "v2.automation_status", "input": {"base_url": "http://rc.example.test"}}, region=None, steps=[],
        result={"error": {"kind": "transport", "class": "TransportError", "transport_kind": "insecure_url"}}),
    "cancel_while_sleeping": dict(
        about="A cancellation while a wait sleeps between polls ends it at once, cancelled",
        task={"wait": {"kind": "nodes", "nodes": [{"pool_id": POOL, "node_id": NODE}], "target": "active", "wait": {"timeout_ms": 60_000, "interval_ms": 5_000}}},
        region="dfw",
        steps=[token_step(), get(NODES, [node("ADDING")]), {"cancel_at": 1_000}],
        result={"ok": {"outcome": "cancelled", "status": "ADDING", "requests": 1}}),
    "a_request_gets_no_more_than_the_time_left": dict(
        about="Near a wait's deadline, a request is given only the time left; its timeout ends the wait on time",
        task={"wait": {"kind": "nodes", "nodes": [{"pool_id": POOL, "node_id": NODE}], "target": "active", "wait": {"timeout_ms": 10_000, "interval_ms": 6_000}}},
        region="dfw",
        steps=[token_step(), get(NODES, [node("ADDING")]),
               {"expect": {"method": "GET", "url": NODES, "max_timeout_ms": 4_000}, "fail": {"kind": "timeout", "detail": "no answer"}, "takes_timeout": True}],
        result={"ok": {"outcome": "timed_out", "requests": 2}}, max_elapsed=10_000),
    "a_redirect_is_an_answer_not_followed": dict(
        about="A 302 is never followed (it could carry the token elsewhere): it is the read's error",
        task={"call": "v3.list_pools", "input": {}}, region="dfw",
        steps=[token_step(), get(POOLS, "", status=302, headers=[["Location", "https://elsewhere.example.test/pools"]])],
        result={"error": {"kind": "unexpected_status", "class": "UnexpectedStatusError", "status": 302}}),
    "pool_names_are_resolved_before_planning": dict(
        about="An ensure with a pool name lists the pools, resolves the name, then plans (a dry run)",
        task={"ensure": {"kind": "pool_members", "servers": [SERVER], "pools": ["WEB"], "present": True, "options": {"dry_run": True}}},
        region="dfw",
        steps=[token_step(), get(POOLS, [pool("web")]), get(NODES, [node()])],
        result={"ok": {"outcome": "done", "changed": False}}),
    "v2_wait_reads_status_without_credentials": dict(
        about="A v2 wait asks the server's own RackConnect, no sign-in, until DEPLOYED",
        auth=None, task={"v2_wait": {"base_url": "https://rc.example.test", "wait": {"interval_ms": 2_000}}}, region=None,
        steps=[get("https://rc.example.test/v1/automation_status?format=json", '{"automation_status": "DEPLOYING"}'),
               get("https://rc.example.test/v1/automation_status?format=json", '{"automation_status": "DEPLOYED"}', not_before=2_000)],
        result={"ok": {"outcome": "done", "status": "DEPLOYED", "requests": 2}}),
}


def main():
    for old in HERE.glob("*.json"):
        old.unlink()
    for name, spec in TRACES.items():
        trace = {
            "about": spec["about"],
            "setup": {"auth": spec.get("auth", AUTH), "region": spec.get("region"), "task": spec["task"], "start": START, "seed": 0},
            "steps": spec["steps"],
            "result": spec["result"],
        }
        if "max_elapsed" in spec:
            trace["max_elapsed_ms"] = spec["max_elapsed"]
        (HERE / f"{name}.json").write_text(json.dumps(trace, indent=1) + "\n")
    print(f"{len(TRACES)} traces")


if __name__ == "__main__":
    main()
