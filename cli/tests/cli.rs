//! End-to-end tests of the `rackconnect` command: the real binary, run as a process, against
//! the emulator (in-process with `--emulated`, or a separate `rackconnect emulator` process when
//! state must outlive one invocation). Each test asserts exit codes, printed text or parsed
//! `--output json`, and where it matters the emulator's request log.

mod common;

use std::time::Duration;

use common::{EmulatorProcess, TempDir, calls, has_id, rc, statuses};
use serde_json::{Value, json};

// The demo account (emulator/scenarios/default.json).
const WEB1: &str = "00000001-cccc-4ccc-8ccc-000000000001";
const WEB2: &str = "00000002-cccc-4ccc-8ccc-000000000002";
const APP_UNPROCESSABLE: &str = "00000004-cccc-4ccc-8ccc-000000000004";
const DB_BUILD_ERROR: &str = "00000005-cccc-4ccc-8ccc-000000000005";
const DB_AUTH_ERROR: &str = "00000006-cccc-4ccc-8ccc-000000000006";
const FRESH: &str = "00000007-cccc-4ccc-8ccc-000000000007";
const UNMANAGED: &str = "0000000a-cccc-4ccc-8ccc-00000000000a";
const WEB_POOL: &str = "00000001-bbbb-4bbb-8bbb-dfw000000001";
const API_POOL: &str = "00000001-bbbb-4bbb-8bbb-dfw000000002";
const MAINTENANCE_POOL: &str = "00000001-bbbb-4bbb-8bbb-dfw000000003";
const DFW_APP_NET: &str = "00000001-aaaa-4aaa-8aaa-dfw000000001";
const RETAINED_ADDRESS: &str = "198.51.100.150";

/// A separate emulator whose clock runs 10x: v3 adds (4 s) take 0.4 s, `fresh` is known to v3
/// after 1.5 s.
fn fast_emulator() -> EmulatorProcess {
    EmulatorProcess::start(Some(10.0), None)
}

fn nodes(emulator: &EmulatorProcess, pool: &str) -> Value {
    let out = emulator.rc(&["-q", "--output", "json", "v3", "nodes", "list", pool]).run();
    out.expect_code(0);
    out.json()
}

fn public_ips(emulator: &EmulatorProcess) -> Value {
    let out = emulator.rc(&["-q", "--output", "json", "v3", "public-ips", "list"]).run();
    out.expect_code(0);
    out.json()
}

/// The public IPs assigned to `server`.
fn ips_of(list: &Value, server: &str) -> Vec<Value> {
    list.as_array()
        .map(|all| {
            all.iter()
                .filter(|ip| ip["cloud_server"]["id"].as_str().is_some_and(|s| s.eq_ignore_ascii_case(server)))
                .cloned()
                .collect()
        })
        .unwrap_or_default()
}

/// Writes (POST, PUT, PATCH, DELETE) sent to RackConnect v3.
fn v3_writes(log: &[Value]) -> Vec<&Value> {
    log.iter()
        .filter(|e| e["method"] != "GET" && e["path"].as_str().is_some_and(|p| p.starts_with("/rackconnect/")))
        .collect()
}

// ------------------------------------------------------------------------------------------------
// demo

#[test]
fn demo_quiet_finds_nothing_left_to_change_on_its_second_run() {
    let out = rc(&["demo", "--quiet"]).run();
    out.expect_code(0)
        .expect_stdout("pools: changed (2 added, 0 already members)")
        .expect_stdout("pools: unchanged (0 added, 2 already members)")
        .expect_stdout("public IP: created")
        .expect_stdout("public IP: unchanged")
        .expect_stdout("nothing left to change");
    // --quiet: no progress lines.
    assert!(!out.stderr.contains(" · "), "progress shown despite --quiet{}", out.context());
}

#[test]
fn demo_shows_each_node_status_once_and_then_its_changes() {
    // Each read reports every node, changed or not, and a wait announces its nodes before its
    // first read: plain progress lines said every status twice (issue 16's tryouts).
    let out = rc(&["demo"]).run();
    out.expect_code(0);
    let mut counts = std::collections::BTreeMap::<(String, String), usize>::new();
    for line in out.stderr.lines() {
        let Some((_, node)) = line.split_once("pool members · node ") else { continue };
        let Some((id, status)) = node.split_once(": ") else { continue };
        *counts.entry((id.to_owned(), status.to_owned())).or_default() += 1;
    }
    let shown = |status: &str| counts.iter().filter(|((_, s), _)| s == status).map(|(_, n)| *n).collect::<Vec<_>>();
    // Two nodes: ADDING once each (the first run); ACTIVE once in each of the two runs.
    assert_eq!(shown("ADDING"), [1, 1], "{counts:?}{}", out.context());
    assert_eq!(shown("ACTIVE"), [2, 2], "{counts:?}{}", out.context());
}

// ------------------------------------------------------------------------------------------------
// v2 wait

#[test]
fn v2_wait_at_an_insecure_url_is_a_usage_error_at_once() {
    // Regression: it used to retry `insecure_url` until the timeout (30 minutes by default) and
    // report requests that were never sent. A configuration error ends at once, exit 2.
    let started = std::time::Instant::now();
    let out =
        rc(&["--v2-url", "http://example.invalid", "--output", "json", "v2", "wait"]).spawn().finish(common::LIMIT);
    // Errors go to stderr, as JSON with --output json; stdout holds results only.
    out.expect_code(2).expect_stderr("insecure_url");
    assert!(out.stdout.is_empty(), "{}", out.context());
    assert_eq!(out.error_json()["error"]["transport_kind"], "insecure_url", "{}", out.context());
    assert!(started.elapsed() < std::time::Duration::from_secs(10), "{:?}{}", started.elapsed(), out.context());
}

#[test]
fn v2_wait_on_web2_ends_deployed() {
    let text = rc(&["--emulated", "v2", "wait"]).spawn();
    let json = rc(&["--emulated", "--emulated-speed", "60", "-q", "--output", "json", "v2", "wait"]).spawn();
    let out = text.finish(common::LIMIT);
    out.expect_code(0).expect_stdout("done: DEPLOYED");
    // Progress goes to stderr, the result to stdout.
    out.expect_stderr("DEPLOYING");
    assert!(!out.stdout.contains("DEPLOYING"), "{}", out.context());

    let out = json.finish(common::LIMIT);
    out.expect_code(0);
    let value = out.json();
    assert_eq!(value["outcome"], "done", "{}", out.context());
    assert_eq!(value["status"], "DEPLOYED", "{}", out.context());
    // Two minutes of automation at 60x, polled within the budget: a handful of requests.
    let requests = value["requests"].as_u64().unwrap_or(0);
    assert!((1..=30).contains(&requests), "{requests} requests{}", out.context());
}

#[test]
fn v2_wait_on_a_failed_server_fails_and_names_the_task() {
    let out = rc(&["--emulated", "--source-address", "127.0.0.4", "v2", "wait"]).run();
    out.expect_code(1).expect_stdout("FAILED").expect_stdout("Cloud Server Created: Add \"rackconnect\" user");

    let out = rc(&["--emulated", "--source-address", "127.0.0.4", "-q", "--output", "json", "v2", "wait"]).run();
    out.expect_code(1);
    let value = out.json();
    assert_eq!(value["outcome"], "failed", "{}", out.context());
    let tasks = value["tasks"].as_array().cloned().unwrap_or_default();
    assert_eq!(tasks.first().map(|t| t["name"].clone()), Some(json!("Cloud Server Created: Add \"rackconnect\" user")));
    assert_eq!(tasks.first().map(|t| t["status"].clone()), Some(json!("FAILED")));
}

#[test]
fn v2_wait_on_an_unprocessable_server_is_not_applicable() {
    let out = rc(&["--emulated", "--source-address", "127.0.0.5", "v2", "wait"]).run();
    out.expect_code(0).expect_stdout("not applicable").expect_stderr("warning: not applicable");
    assert!(out.stderr.contains("UNPROCESSABLE"), "the warning carries the reason{}", out.context());

    let out = rc(&["--emulated", "--source-address", "127.0.0.5", "v2", "wait", "--not-applicable", "fail"]).run();
    out.expect_code(4).expect_stdout("not applicable");
}

#[test]
fn v2_wait_times_out_on_a_slow_clock() {
    let out = rc(&["--emulated", "--emulated-speed", "0.01", "v2", "wait", "--timeout", "2s"]).run();
    out.expect_code(3).expect_stdout("timed out after 2 s").expect_stdout("DEPLOYING");
    assert!(
        out.elapsed >= Duration::from_secs(2) && out.elapsed < Duration::from_secs(8),
        "the timeout was not kept{}",
        out.context()
    );
}

/// A v2 403 is rate limiting first, then "not a RackConnect server". The waiter pauses a full
/// real minute after each 403 (it cannot know the emulated clock runs 600x), so reaching
/// "refused" takes over three real minutes: this test shows the 403 being read as rate limiting
/// by the waiter, and the one-shot status naming both readings.
#[test]
fn v2_from_an_unknown_address_reads_403_as_rate_limiting() {
    let out = rc(&[
        "--emulated",
        "--emulated-speed",
        "600",
        "--source-address",
        "127.0.0.99",
        "v2",
        "wait",
        "--timeout",
        "3s",
    ])
    .run();
    out.expect_code(3).expect_stderr("rate limited; next request in 60 s").expect_stdout("timed out");

    let out = rc(&["--emulated", "--source-address", "127.0.0.99", "v2", "status"]).run();
    out.expect_code(1).expect_stdout("rate limited").expect_stdout("not a RackConnect server");

    let out = rc(&["--emulated", "-q", "--source-address", "127.0.0.99", "--output", "json", "v2", "status"]).run();
    out.expect_code(1);
    assert_eq!(out.json()["outcome"], "rate_limited", "{}", out.context());
}

// ------------------------------------------------------------------------------------------------
// v2 one-shots

#[test]
fn v2_one_shots_in_every_format() {
    let ask = |command: &str, format: Option<&str>| {
        let mut args = vec!["--emulated", "-q", "--source-address", "127.0.0.2", "--output", "json", "v2", command];
        if let Some(format) = format {
            args.extend(["--format", format]);
        }
        let out = rc(&args).run();
        out.expect_code(0);
        let value = out.json();
        assert_eq!(value["outcome"], "answer", "{}", out.context());
        value["value"].clone()
    };
    for format in [None, Some("text"), Some("json"), Some("xml")] {
        assert_eq!(ask("status", format), json!("DEPLOYED"), "status {format:?}");
        assert_eq!(ask("gateway-ip", format), json!("10.1.2.1"), "gateway-ip {format:?}");
    }
    for format in [None, Some("json"), Some("xml")] {
        let details = ask("details", format);
        assert_eq!(details["automation_status"], "DEPLOYED", "details {format:?}");
        let tasks = details["tasks"].as_array().cloned().unwrap_or_default();
        assert_eq!(tasks.len(), 4, "details {format:?}: {details}");
        assert!(tasks.iter().all(|t| t["status"] == "COMPLETE"), "details {format:?}: {details}");
        assert_eq!(tasks[0]["name"], "Cloud Server Created: Add \"rackconnect\" user");

        let features = ask("features", format);
        let names: Vec<&str> =
            features["features"].as_array().into_iter().flatten().filter_map(|f| f["name"].as_str()).collect();
        assert_eq!(
            names,
            ["configure_network_stack", "manage_software_firewall", "provision_public_ip"],
            "features {format:?}"
        );
        assert!(
            features["features"].as_array().into_iter().flatten().all(|f| f["status"] == "ENABLED"),
            "features {format:?}: {features}"
        );
    }
    // details and features have no text form: a usage error that says which forms there are.
    for command in ["details", "features"] {
        let out = rc(&["--emulated", "-q", "--source-address", "127.0.0.2", "v2", command, "--format", "text"]).run();
        out.expect_code(2).expect_stderr("json, xml");
    }
    // Text output for people.
    let out = rc(&["--emulated", "-q", "--source-address", "127.0.0.2", "v2", "status"]).run();
    out.expect_code(0);
    assert_eq!(out.stdout.trim(), "DEPLOYED", "{}", out.context());
    let out = rc(&["--emulated", "-q", "--source-address", "127.0.0.2", "v2", "gateway-ip", "--format", "xml"]).run();
    out.expect_code(0);
    assert_eq!(out.stdout.trim(), "10.1.2.1", "{}", out.context());
    let out = rc(&["--emulated", "-q", "--source-address", "127.0.0.2", "v2", "features"]).run();
    out.expect_code(0).expect_stdout("ENABLED").expect_stdout("provision_public_ip");
}

#[test]
fn v2_gateway_ip_of_web2_right_after_its_build_is_not_assigned() {
    let out = rc(&["--emulated", "-q", "v2", "gateway-ip"]).run();
    out.expect_code(0).expect_stdout("not assigned");
    let out = rc(&["--emulated", "-q", "--output", "json", "v2", "gateway-ip", "--format", "json"]).run();
    out.expect_code(0);
    assert_eq!(out.json()["outcome"], "not_assigned", "{}", out.context());

    let out = rc(&["--emulated", "-q", "v2", "status"]).run();
    out.expect_code(0);
    assert_eq!(out.stdout.trim(), "DEPLOYING", "{}", out.context());
    let out = rc(&["--emulated", "-q", "--output", "json", "v2", "details", "--format", "xml"]).run();
    out.expect_code(0);
    let details = out.json();
    assert_eq!(details["value"]["automation_status"], "DEPLOYING", "{}", out.context());
    assert_eq!(details["value"]["tasks"][0]["status"], "IN_PROGRESS", "{}", out.context());
}

// ------------------------------------------------------------------------------------------------
// server status / wait (metadata, from anywhere)

#[test]
fn server_status_of_fresh_has_no_rackconnect_key_yet() {
    let out = rc(&["--emulated", "-q", "server", "status", FRESH]).run();
    out.expect_code(0)
        .expect_stdout("fresh")
        .expect_stdout("rackconnect  (absent)")
        .expect_stdout("reachable at 203.0.113.17");

    let out = rc(&["--emulated", "-q", "--output", "json", "server", "status", FRESH]).run();
    out.expect_code(0);
    let value = out.json();
    assert_eq!(value["id"], FRESH, "{}", out.context());
    assert!(value["rackconnect"]["automation_status"].is_null(), "{}", out.context());
    assert!(value["rackconnect"]["metadata"].get("rackconnect_automation_status").is_none(), "{}", out.context());
}

#[test]
fn server_status_shows_deployed_and_unprocessable_servers() {
    let out = rc(&["--emulated", "-q", "server", "status", WEB1]).run();
    out.expect_code(0)
        .expect_stdout("rackconnect  DEPLOYED")
        .expect_stdout("managed      Complete")
        .expect_stdout("reachable at 198.51.100.101");

    let out = rc(&["--emulated", "-q", "--region", "iad", "server", "status", APP_UNPROCESSABLE]).run();
    out.expect_code(0).expect_stdout("UNPROCESSABLE").expect_stdout("The server was built in IAD");
}

#[test]
fn server_wait_on_fresh_with_a_stopped_clock_is_not_applicable() {
    let ok = rc(&["--emulated", "--emulated-speed", "0", "server", "wait", FRESH, "--grace", "1s"]).spawn();
    let fail = rc(&[
        "--emulated",
        "--emulated-speed",
        "0",
        "-q",
        "server",
        "wait",
        FRESH,
        "--grace",
        "1s",
        "--not-applicable",
        "fail",
    ])
    .spawn();
    let out = ok.finish(common::LIMIT);
    out.expect_code(0)
        .expect_stdout("not applicable")
        .expect_stdout("rackconnect_automation_status never appeared")
        .expect_stderr("warning: not applicable");
    let out = fail.finish(common::LIMIT);
    out.expect_code(4).expect_stdout("not applicable");
}

#[test]
fn server_wait_managed_fails_on_build_and_authentication_errors() {
    let out = rc(&["--emulated", "-q", "server", "wait", DB_BUILD_ERROR, "--managed"]).run();
    out.expect_code(1).expect_stdout("Build Error");
    let out = rc(&["--emulated", "-q", "server", "wait", DB_AUTH_ERROR, "--managed"]).run();
    out.expect_code(1).expect_stdout("Authentication Error");
    let out = rc(&["--emulated", "-q", "--output", "json", "server", "wait", DB_AUTH_ERROR, "--managed"]).run();
    out.expect_code(1);
    assert_eq!(out.json()["outcome"], "failed", "{}", out.context());
    // The one shape: the address is there whatever the outcome, as the core gives it.
    assert!(out.json()["reachable_ipv4"].is_string(), "{}", out.context());
}

#[test]
fn server_wait_managed_on_web2_gives_the_rackconnect_address() {
    let out = rc(&["--emulated", "--emulated-speed", "60", "server", "wait", WEB2, "--managed"]).run();
    out.expect_code(0).expect_stdout("reachable at 198.51.100.");
    // The RackConnect address, not the one the server was built with.
    out.expect_stdout("reachable at 198.51.100.102");
    assert!(!out.stdout.contains("203.0.113.12"), "{}", out.context());
    out.expect_stderr("managed: Complete");
}

#[test]
fn server_wait_managed_only_waits_for_managed_operations() {
    let web2 = rc(&[
        "--emulated",
        "--emulated-speed",
        "60",
        "--output",
        "json",
        "server",
        "wait",
        WEB2,
        "--managed",
        "--managed-only",
    ])
    .spawn();
    // On a server without Managed Operations: not applicable (RackConnect is DEPLOYED there).
    let unmanaged =
        rc(&["--emulated", "-q", "server", "wait", UNMANAGED, "--managed", "--managed-only", "--grace", "1s"]).spawn();

    let out = web2.finish(common::LIMIT);
    out.expect_code(0).expect_stderr("managed: Complete");
    assert!(!out.stderr.contains("rackconnect: DEPLOY"), "RackConnect was waited for too{}", out.context());
    let value = out.json();
    assert_eq!(value["outcome"], "done", "{}", out.context());
    assert_eq!(value["reachable_ipv4"], "198.51.100.102", "{}", out.context());

    let out = unmanaged.finish(common::LIMIT);
    out.expect_code(0).expect_stdout("rax_service_level_automation never appeared");
}

/// `--help` documents `--managed-only` as "Wait only for Managed Operations, not RackConnect"
/// and its usage line does not say it needs `--managed` too.
#[test]
fn server_wait_managed_only_alone_is_accepted() {
    let out = rc(&["--emulated", "-q", "server", "wait", DB_AUTH_ERROR, "--managed-only"]).run();
    out.expect_code(1).expect_stdout("Authentication Error");
}

// ------------------------------------------------------------------------------------------------
// server wait S1 S2 … / --built-within: a batch through servers/detail

/// Several servers at once: each ends on its own status, the batch FAILED when one did, one
/// page read a poll and no server read on its own.
#[test]
fn server_wait_of_several_servers_reads_pages_and_ends_each_on_its_own_status() {
    let out = rc(&[
        "--emulated",
        "-q",
        "--output",
        "json",
        "server",
        "wait",
        WEB1,
        "app-failed",
        DB_BUILD_ERROR,
        "--managed",
    ])
    .run();
    out.expect_code(1);
    let value = out.json();
    assert_eq!(value["outcome"], "failed", "{}", out.context());
    assert_eq!(value["counts"]["done"], 1, "{}", out.context());
    assert_eq!(value["counts"]["failed"], 2, "{}", out.context());
    let servers = value["servers"].as_array().cloned().unwrap_or_default();
    let names: Vec<&str> = servers.iter().filter_map(|s| s["name"].as_str()).collect();
    assert_eq!(names, ["web1", "app-failed", "db-build-error"], "{}", out.context());
    assert_eq!(servers[0]["reachable_ip"], "198.51.100.101", "{}", out.context());
    assert_eq!(servers[1]["summary"], "RackConnect automation FAILED", "{}", out.context());
    assert_eq!(servers[2]["summary"], "Managed Operations FAILED: Build Error", "{}", out.context());
    // The names were resolved from one listing, then one page judged them all, then the
    // region's RackConnect v3 public IPs were read (app-failed is not reached by a v2 address):
    // all three count.
    assert_eq!(value["requests"], 3, "{}", out.context());
    // The table shows each server's address as the JSON gives it, a failed one's too.
    let failed_ip = servers[1]["reachable_ip"].as_str().expect("the core's address for app-failed").to_owned();
    let out = rc(&["--emulated", "-q", "server", "wait", "app-failed", WEB1]).run();
    out.expect_code(1);
    let row = out.stdout.lines().find(|l| l.starts_with("app-failed ")).unwrap_or_default();
    assert!(row.contains(&failed_ip), "{row:?}{}", out.context());

    let out = rc(&["--emulated", "-q", "server", "wait", WEB1, "unmanaged"]).run();
    out.expect_code(0)
        .expect_stdout("done: 2 servers: 2 done")
        .expect_stdout("NAME")
        .expect_stdout("web1       00000001-cccc-4ccc-8ccc-000000000001  198.51.100.101  done: DEPLOYED");
}

/// The batch the issue describes, built now through the emulator's control API: one DEPLOYED
/// (then Managed Complete), one FAILED, one UNPROCESSABLE, one Managed Build Error; waited for
/// by name, then found again by "built within".
#[test]
fn server_wait_of_a_fresh_batch_with_failed_unprocessable_and_managed_errors_mixed_in() {
    let emulator = EmulatorProcess::start(Some(60.0), None);
    // An hour on: the demo's own fresh servers are no longer "just built".
    emulator.control("POST", "/__emulator/clock", Some(json!({"advance_seconds": 3600})));
    let build = |name: &str, extra: Value| {
        let mut body = json!({"name": name, "region": "DFW"});
        if let (Some(map), Value::Object(more)) = (body.as_object_mut(), extra) {
            map.extend(more);
        }
        emulator.control("POST", "/__emulator/servers", Some(body))["id"].as_str().expect("an id").to_owned()
    };
    let ok = build("batch-ok", json!({}));
    build("batch-failed", json!({"automation": {"outcome": "FAILED", "failed_task": 1}}));
    let unprocessable = build(
        "batch-unprocessable",
        json!({"automation": {"outcome": "UNPROCESSABLE", "unprocessable_reason": "built in the wrong region"}}),
    );
    build("batch-managed-error", json!({"managed": {"outcome": "Build Error"}}));
    // Not a RackConnect v2 server, but given a RackConnect v3 public IP: its address.
    let out = emulator.rc(&["-q", "--output", "json", "v3", "public-ip", "ensure", "--server", &unprocessable]).run();
    out.expect_code(0);
    let v3_ip = out.json()["public_ip"]["public_ip_v4"].as_str().expect("the new public IP").to_owned();
    emulator.clear_log();

    let names = ["batch-ok", "batch-failed", "batch-unprocessable", "batch-managed-error"];
    let out = emulator.rc(&["server", "wait", "--managed", "--timeout", "60s"]).args(&names).run();
    out.expect_code(1)
        .expect_stdout("FAILED: 4 servers: 1 done, 2 FAILED, 1 not applicable")
        .expect_stdout("batch-failed: RackConnect automation FAILED")
        .expect_stdout("batch-managed-error: Managed Operations FAILED: Build Error")
        .expect_stderr("warning: not applicable: batch-unprocessable: UNPROCESSABLE: built in the wrong region")
        // Progress counts the servers as they end, each by name.
        .expect_stderr("1/4 ended")
        .expect_stderr("4/4 ended");
    let log = emulator.log();
    let pages = calls(&log, "GET", "/servers/detail");
    assert!(!pages.is_empty(), "{}", out.context());
    // Then the region's RackConnect v3 public IPs, once.
    assert_eq!(calls(&log, "GET", "/public_ips").len(), 1, "{log:?}");
    assert_eq!(pages.len(), log.len() - 2, "only pages besides the sign-in and the public IPs: {log:?}");

    let out = emulator
        .rc(&["--output", "json", "server", "wait", "--built-within", "30m", "--managed", "--not-applicable", "fail"])
        .run();
    out.expect_code(1);
    let value = out.json();
    let chosen: Vec<&str> =
        value["servers"].as_array().into_iter().flatten().filter_map(|s| s["name"].as_str()).collect();
    assert_eq!(chosen, ["batch-failed", "batch-managed-error", "batch-ok", "batch-unprocessable"], "{}", out.context());
    let first = &value["servers"][2];
    assert_eq!(first["id"], ok.as_str(), "{}", out.context());
    assert_eq!((first["outcome"].as_str(), first["status"].as_str()), (Some("done"), Some("DEPLOYED")));
    assert_eq!(first["managed_status"], "Complete", "{}", out.context());
    assert!(first["reachable_ip"].as_str().is_some_and(|ip| ip.starts_with("198.51.100.")), "{}", out.context());
    assert_eq!(value["servers"][3]["ok"], false, "not applicable fails with --not-applicable fail");
    // The inventory's rule: a server's active RackConnect v3 public IP before Cloud Servers' addresses.
    let reached = &value["servers"][3];
    assert_eq!(reached["reachable_ip"], v3_ip.as_str(), "{}", out.context());
    assert_eq!(reached["reached_by"], "rackconnect_v3_public_ip", "{}", out.context());
    // The one-server wait gives the same address by the same rule, its public IPs read once.
    emulator.clear_log();
    let out = emulator.rc(&["--output", "json", "server", "wait", &unprocessable]).run();
    out.expect_code(0);
    let value = out.json();
    assert_eq!(value["outcome"], "not_applicable", "{}", out.context());
    assert_eq!(value["reachable_ipv4"], v3_ip.as_str(), "{}", out.context());
    assert_eq!(value["reached_by"], "rackconnect_v3_public_ip", "{}", out.context());
    let log = emulator.log();
    assert_eq!(calls(&log, "GET", "/public_ips").len(), 1, "{log:?}");
    assert_eq!(value["requests"], log.len() - 1, "every request but the sign-in: {log:?}");
    let out = emulator.rc(&["server", "wait", &unprocessable]).run();
    out.expect_code(0).expect_stdout(&format!("reachable at {v3_ip}"));
}

/// A batch given by name: the listing that resolved the names counts among the requests, as
/// every request sent does (it was left out, so the result said one request where two were sent).
#[test]
fn server_wait_by_name_counts_every_request_it_sent() {
    let emulator = fast_emulator();
    emulator.clear_log();
    let out = emulator.rc(&["--output", "json", "server", "wait", "web1", "web2"]).run();
    out.expect_code(0);
    let log = emulator.log();
    let sent = calls(&log, "GET", "/servers/detail").len();
    assert!(sent >= 2, "the names were listed, then the batch read: {sent}{}", out.context());
    // Every request the emulator answered counts, and an attempt that never reached it (a
    // pooled connection the server had closed, on a loaded machine) counts too: the client
    // sent it, and said so ("retrying").
    let retried = out.stderr.matches("retrying").count();
    let requests = out.json()["requests"].as_u64().unwrap_or_default();
    let sent = sent as u64;
    assert!((sent..=sent + retried as u64).contains(&requests), "{requests} vs {sent} in {log:?}{}", out.context());
    // Progress names each server as its result does, not by id on some lines and name on others.
    let out = emulator.rc(&["server", "wait", "web1", "web2"]).run();
    out.expect_code(0).expect_stderr("web2 rackconnect: DEPLOYED").expect_stderr("web2: done");
    assert!(!out.stderr.contains(WEB2), "{}", out.context());
}

#[test]
fn server_wait_takes_servers_or_a_window_not_both_nor_neither() {
    let out = rc(&["--emulated", "-q", "server", "wait"]).run();
    out.expect_code(2).expect_stderr(
        "invalid SERVER: expected the servers to wait for (SERVER) or a window (--built-within), found \"neither\"",
    );
    let out = rc(&["--emulated", "-q", "server", "wait", WEB1, "--built-within", "5m"]).run();
    out.expect_code(2).expect_stderr("cannot be used with");
    let out = rc(&["--emulated", "-q", "server", "wait", WEB1, "nosuch-server"]).run();
    out.expect_code(2).expect_stderr("SERVER[1]");
    let out = rc(&["--emulated", "-q", "server", "wait", WEB1, " "]).run();
    out.expect_code(2).expect_stderr("invalid SERVER[1]: expected a server id or name");
    // A window that holds no server (the demo has none in IAD) is a mistake of the command,
    // said on stderr, not an empty table with "error" on stdout.
    let out = rc(&["--emulated", "-q", "--region", "iad", "server", "wait", "--built-within", "30m"]).run();
    out.expect_code(2).expect_stderr("invalid --built-within: expected a window in which a server of IAD was built");
    assert_eq!(out.stdout, "", "{}", out.context());
}

// ------------------------------------------------------------------------------------------------
// Rate limiting (the one slow test)

#[test]
fn budget_of_v2_wait_is_close_to_but_never_over_30_a_minute() {
    let dir = TempDir::new("ratelimit");
    let scenario = dir.join("slow.json");
    let text = json!({
        "description": "one server whose automation takes ten minutes",
        "timings": {"clock_speed": 1},
        "accounts": [{"tenant": "777", "rackconnect_v2": true, "rackconnect_v3_regions": ["DFW"],
                      "users": [{"username": "rl", "api_key": "rl-key", "default_region": "DFW"}]}],
        "networks": [],
        "pools": [],
        "servers": [{"id": "slow-1", "tenant": "777", "region": "DFW", "name": "slow", "source_ip": "127.0.0.40",
                     "original_ipv4": "203.0.113.40", "built_seconds_ago": 0,
                     "automation": {"tasks": [{"name": "Cloud Server Created: Add \"rackconnect\" user", "seconds": 600}]}}],
        "nodes": [],
        "public_ips": []
    });
    std::fs::write(&scenario, text.to_string()).expect("write the scenario");
    let emulator = EmulatorProcess::start(Some(1.0), Some(&scenario));

    let out = emulator.v2("127.0.0.40", &["v2", "wait", "--timeout", "65s"]).spawn().finish(Duration::from_secs(75));
    out.expect_code(3).expect_stdout("timed out after 65 s").expect_stdout("DEPLOYING");

    let requests = emulator.requests();
    let server = &requests["servers"]["slow-1"];
    let max = server["max_in_any_60s"].as_u64().unwrap_or(0);
    assert!((25..=30).contains(&max), "max_in_any_60s = {max}: {server}{}", out.context());
    let log = requests["requests"].as_array().cloned().unwrap_or_default();
    assert!(log.iter().all(|e| e["status"] == 200), "a v2 request was refused: {log:?}");
    assert!(log.iter().all(|e| e["source_ip"] == "127.0.0.40"), "asked from elsewhere: {log:?}");
}

// ------------------------------------------------------------------------------------------------
// v3 ensure: faults, token expiry, 409 convergence, dry run, idempotency, --absent, retain, move

#[test]
fn pool_members_ensure_rides_out_503s_and_a_reset() {
    let emulator = fast_emulator();
    emulator
        .fault(json!({"kind": "status", "status": 503, "count": 2, "retry_after": 1, "path_prefix": "/rackconnect/"}));
    emulator.fault(json!({"kind": "reset", "count": 1, "path_prefix": "/rackconnect/"}));

    let out = emulator.rc(&["v3", "pool-members", "ensure", "--server", UNMANAGED, "--pool", WEB_POOL]).run();
    out.expect_code(0).expect_stdout("done: changed").expect_stderr("retrying");

    let log = emulator.log();
    let injected_503 = log.iter().filter(|e| e["fault"] == "status" && e["status"] == 503).count();
    let resets = log.iter().filter(|e| e["fault"] == "reset" && e["status"] == 0).count();
    assert_eq!(injected_503, 2, "{log:#?}");
    assert_eq!(resets, 1, "{log:#?}");
    assert_eq!(statuses(&calls(&log, "POST", "/load_balancer_pools/nodes")), [201], "{log:#?}");
    assert!(has_id(&nodes(&emulator, WEB_POOL), "/cloud_server/id", UNMANAGED));
}

/// Issue 11: the add was applied but its answer was lost (half a body, then the connection
/// closed); the re-read finds the node, so this run changed things and says so.
#[test]
fn an_add_applied_whose_answer_was_lost_reports_changed() {
    let emulator = fast_emulator();
    emulator.fault(
        json!({"kind": "truncate", "count": 1, "path_prefix": "/rackconnect/DFW/v3/123456/load_balancer_pools/nodes"}),
    );
    let out = emulator
        .rc(&["--output", "json", "v3", "pool-members", "ensure", "--server", UNMANAGED, "--pool", WEB_POOL])
        .run();
    out.expect_code(0);
    let result: serde_json::Value = serde_json::from_str(&out.stdout).expect("JSON");
    assert_eq!(result["changed"], true, "{result:#}");
    assert_eq!(result["ok"], true, "{result:#}");
    let log = emulator.log();
    assert_eq!(
        calls(&log, "POST", "/load_balancer_pools/nodes").iter().filter(|e| e["fault"] == "truncate").count(),
        1,
        "{log:#?}"
    );
    assert!(has_id(&nodes(&emulator, WEB_POOL), "/cloud_server/id", UNMANAGED));
}

#[test]
fn server_wait_reauthenticates_once_when_the_token_expires_mid_run() {
    let emulator = EmulatorProcess::start(Some(60.0), None);
    emulator.rc(&["-q", "server", "status", WEB1]).run().expect_code(0);
    emulator.clear_log();

    let running = emulator.rc(&["server", "wait", WEB2, "--managed"]).spawn();
    let server_path = format!("/servers/{WEB2}");
    let deadline = std::time::Instant::now() + Duration::from_secs(10);
    while calls(&emulator.log(), "GET", &server_path).is_empty() {
        assert!(std::time::Instant::now() < deadline, "the wait never read the server");
        std::thread::sleep(Duration::from_millis(20));
    }
    let expired = emulator.control("POST", "/__emulator/tokens/expire", Some(json!({})));
    assert!(expired["expired"].as_u64().unwrap_or(0) >= 1, "{expired}");

    let out = running.finish(Duration::from_secs(30));
    out.expect_code(0).expect_stdout("reachable at 198.51.100.102");
    let log = emulator.log();
    assert_eq!(calls(&log, "POST", "/v2.0/tokens").len(), 2, "{log:#?}");
    let reads = statuses(&calls(&log, "GET", &server_path));
    assert_eq!(reads.iter().filter(|&&s| s == 401).count(), 1, "{reads:?}");
    assert_eq!(reads.last(), Some(&200), "{reads:?}");
}

/// The brief's sequential form: each process authenticates afresh (there is no token cache), so
/// after an expiry the next run simply gets a new token and never sends the expired one. The
/// mid-run re-authentication is shown by the test above.
#[test]
fn public_ip_ensure_reauthenticates_after_tokens_expire() {
    let emulator = fast_emulator();
    emulator.rc(&["-q", "v3", "pools", "list"]).run().expect_code(0);
    emulator.control("POST", "/__emulator/tokens/expire", Some(json!({})));
    let out = emulator.rc(&["-q", "v3", "public-ip", "ensure", "--server", UNMANAGED]).run();
    out.expect_code(0);
    let log = emulator.log();
    assert_eq!(calls(&log, "POST", "/v2.0/tokens").len(), 2, "{log:#?}");
    assert!(log.iter().all(|e| e["status"] != 401 || e["path"] == "/v2.0/tokens"), "{log:#?}");
}

#[test]
fn pool_members_ensure_converges_through_atomic_409s_after_a_build() {
    let emulator = fast_emulator();
    let out = emulator
        .rc(&[
            "--output",
            "json",
            "v3",
            "pool-members",
            "ensure",
            "--server",
            FRESH,
            "--server",
            UNMANAGED,
            "--pool",
            WEB_POOL,
            "--pool",
            API_POOL,
        ])
        .run();
    out.expect_code(0);
    let value = out.json();
    assert_eq!(value["outcome"], "done", "{}", out.context());
    assert_eq!(value["changed"], true, "{}", out.context());
    assert_eq!(value["added"].as_array().map(Vec::len), Some(4), "{}", out.context());

    let log = emulator.log();
    let bulk = statuses(&calls(&log, "POST", "/load_balancer_pools/nodes"));
    let first_201 = bulk.iter().position(|&s| s == 201);
    assert!(first_201.is_some_and(|i| i > 0 && bulk[..i].iter().all(|&s| s == 409)), "bulk adds: {bulk:?}");
    assert_eq!(bulk.iter().filter(|&&s| s == 201).count(), 1, "bulk adds: {bulk:?}");

    for pool in [WEB_POOL, API_POOL] {
        let list = nodes(&emulator, pool);
        for server in [FRESH, UNMANAGED] {
            let node = list.as_array().into_iter().flatten().find(|n| n["cloud_server"]["id"] == server);
            assert_eq!(node.map(|n| n["status"].clone()), Some(json!("ACTIVE")), "{server} in {pool}: {list}");
        }
    }
}

/// A pool that is not ACTIVE (being reconfigured) is retried until the deadline; the summary
/// must not claim that nothing needed changing.
#[test]
fn pool_members_ensure_into_a_pool_that_is_not_active_times_out() {
    let emulator = fast_emulator();
    let out = emulator
        .rc(&["v3", "pool-members", "ensure", "--server", UNMANAGED, "--pool", MAINTENANCE_POOL, "--timeout", "2s"])
        .run();
    out.expect_code(3).expect_stdout("timed out").expect_stderr("is not in an ACTIVE state");
    assert!(!has_id(&nodes(&emulator, MAINTENANCE_POOL), "/cloud_server/id", UNMANAGED), "{}", out.context());
    assert!(
        !out.stdout.contains("no changes needed"),
        "a pair that could not be added is reported as \"no changes needed\"{}",
        out.context()
    );
}

#[test]
fn dry_run_prints_what_it_would_add_and_changes_nothing() {
    let emulator = fast_emulator();
    let before = nodes(&emulator, WEB_POOL);
    let ips_before = public_ips(&emulator);
    emulator.clear_log();

    let text = emulator
        .rc(&["-q", "v3", "pool-members", "ensure", "--dry-run", "--server", UNMANAGED, "--pool", WEB_POOL])
        .run();
    text.expect_code(0)
        .expect_stdout("would")
        .expect_stdout("1 to add")
        .expect_stdout(&format!("would add    {UNMANAGED} to {WEB_POOL}"));

    let out = emulator
        .rc(&[
            "-q",
            "--output",
            "json",
            "v3",
            "pool-members",
            "ensure",
            "--dry-run",
            "--server",
            UNMANAGED,
            "--pool",
            WEB_POOL,
        ])
        .run();
    out.expect_code(0);
    let value = out.json();
    assert_eq!(value["plan"]["add"], json!([{"server_id": UNMANAGED, "pool_id": WEB_POOL}]), "{}", out.context());
    assert_eq!(value["added"], json!([]), "{}", out.context());

    let out = emulator.rc(&["-q", "v3", "public-ip", "ensure", "--dry-run", "--server", UNMANAGED]).run();
    out.expect_code(0).expect_stdout("would create");
    // The emulator answers I1 for a server without a public IP with no body at all, as the
    // getting-started guide says the API does (issue 12): an empty list, not a parse error.
    let listed = emulator.rc(&["-q", "--output", "json", "v3", "public-ips", "list", "--server", UNMANAGED]).run();
    listed.expect_code(0);
    assert_eq!(listed.json(), json!([]), "{}", listed.context());

    assert!(v3_writes(&emulator.log()).is_empty(), "a dry run wrote: {:#?}", emulator.log());
    assert_eq!(nodes(&emulator, WEB_POOL), before);
    assert_eq!(public_ips(&emulator), ips_before);

    // What it would add, not only how many: the text names the pair.
    text.expect_stdout(UNMANAGED).expect_stdout(WEB_POOL);
}

#[test]
fn pools_can_be_named() {
    let emulator = fast_emulator();
    let out = emulator
        .rc(&[
            "-q",
            "--output",
            "json",
            "v3",
            "pool-members",
            "ensure",
            "--dry-run",
            "--server",
            UNMANAGED,
            "--pool",
            "dfw-web-80",
        ])
        .run();
    out.expect_code(0);
    let value = out.json();
    // The name the user typed is kept beside the id (issue 12).
    let add = json!([{"server_id": UNMANAGED, "pool_id": WEB_POOL, "pool_name": "dfw-web-80"}]);
    assert_eq!(value["plan"]["add"], add, "{}", out.context());
    let text = emulator
        .rc(&["-q", "v3", "pool-members", "ensure", "--dry-run", "--server", UNMANAGED, "--pool", "dfw-web-80"])
        .run();
    text.expect_code(0).expect_stdout(&format!("would add    {UNMANAGED} to dfw-web-80 ({WEB_POOL})"));

    let out =
        emulator.rc(&["-q", "v3", "pool-members", "ensure", "--dry-run", "--server", UNMANAGED, "--pool", "web"]).run();
    out.expect_code(2).expect_stderr("--pool[0]").expect_stderr("dfw-web-80, dfw-api-443");

    // Issue 12: every command that names a pool takes its name.
    assert_eq!(nodes(&emulator, "dfw-web-80"), nodes(&emulator, WEB_POOL));
    let shown = emulator.rc(&["-q", "--output", "json", "v3", "pools", "show", "DFW-WEB-80"]).run();
    shown.expect_code(0);
    assert_eq!(shown.json()["id"], WEB_POOL, "{}", shown.context());
    let unknown = emulator.rc(&["-q", "v3", "nodes", "list", "no-such-pool"]).run();
    unknown.expect_code(2).expect_stderr("POOL").expect_stderr("dfw-web-80");
    let added = emulator.rc(&["-q", "v3", "nodes", "add", "dfw-api-443", UNMANAGED]).run();
    added.expect_code(0);
    assert!(has_id(&nodes(&emulator, API_POOL), "/cloud_server/id", UNMANAGED));
}

#[test]
fn pool_members_ensure_twice_changes_nothing_the_second_time() {
    let emulator = fast_emulator();
    let args = ["v3", "pool-members", "ensure", "--server", UNMANAGED, "--pool", WEB_POOL, "--pool", API_POOL];
    let first = emulator.rc(&["-q"]).args(&args).run();
    first.expect_code(0).expect_stdout("done: changed (2 to add");
    emulator.clear_log();

    let second = emulator.rc(&["-q"]).args(&args).run();
    second.expect_code(0).expect_stdout("no change");
    let third = emulator.rc(&["-q", "--output", "json"]).args(&args).run();
    third.expect_code(0);
    let value = third.json();
    assert_eq!(value["changed"], false, "{}", third.context());
    assert_eq!(value["plan"]["unchanged"].as_array().map(Vec::len), Some(2), "{}", third.context());
    assert!(v3_writes(&emulator.log()).is_empty(), "a second run wrote: {:#?}", emulator.log());
}

#[test]
fn public_ip_ensure_twice_changes_nothing_the_second_time() {
    let emulator = fast_emulator();
    let first = emulator.rc(&["-q", "--output", "json", "v3", "public-ip", "ensure", "--server", UNMANAGED]).run();
    first.expect_code(0);
    let created = first.json();
    assert_eq!(created["changed"], true, "{}", first.context());
    assert_eq!(created["public_ip"]["status"], "ACTIVE", "{}", first.context());
    let address = created["public_ip"]["public_ip_v4"].as_str().unwrap_or_default().to_owned();
    assert!(address.starts_with("198.18.") || address.starts_with("198.19."), "{}", first.context());
    emulator.clear_log();

    let second = emulator.rc(&["-q", "v3", "public-ip", "ensure", "--server", UNMANAGED]).run();
    second.expect_code(0).expect_stdout("no change").expect_stdout(&address);
    let third = emulator.rc(&["-q", "--output", "json", "v3", "public-ip", "ensure", "--server", UNMANAGED]).run();
    third.expect_code(0);
    assert_eq!(third.json()["changed"], false, "{}", third.context());
    assert!(v3_writes(&emulator.log()).is_empty(), "a second run wrote: {:#?}", emulator.log());
    assert_eq!(ips_of(&public_ips(&emulator), UNMANAGED).len(), 1);
}

#[test]
fn ensure_absent_removes_memberships_and_public_ips() {
    let emulator = fast_emulator();
    // web1 starts in the web pool with a public IP.
    assert!(has_id(&nodes(&emulator, WEB_POOL), "/cloud_server/id", WEB1));
    let out = emulator
        .rc(&[
            "-q",
            "v3",
            "pool-members",
            "ensure",
            "--absent",
            "--server",
            WEB1,
            "--pool",
            WEB_POOL,
            "--pool",
            API_POOL,
        ])
        .run();
    out.expect_code(0).expect_stdout("done: changed").expect_stdout("1 to remove").expect_stdout("removed");
    assert!(!has_id(&nodes(&emulator, WEB_POOL), "/cloud_server/id", WEB1));
    let again = emulator
        .rc(&[
            "-q",
            "--output",
            "json",
            "v3",
            "pool-members",
            "ensure",
            "--absent",
            "--server",
            WEB1,
            "--pool",
            WEB_POOL,
        ])
        .run();
    again.expect_code(0);
    assert_eq!(again.json()["changed"], false, "{}", again.context());

    assert_eq!(ips_of(&public_ips(&emulator), WEB1).len(), 1);
    let out = emulator.rc(&["-q", "v3", "public-ip", "ensure", "--absent", "--server", WEB1]).run();
    out.expect_code(0).expect_stdout("delete");
    assert!(ips_of(&public_ips(&emulator), WEB1).is_empty(), "{}", out.context());
    let again =
        emulator.rc(&["-q", "--output", "json", "v3", "public-ip", "ensure", "--absent", "--server", WEB1]).run();
    again.expect_code(0);
    assert_eq!(again.json()["changed"], false, "{}", again.context());
}

#[test]
fn public_ip_ensure_sets_retain_and_moves_a_retained_ip() {
    let emulator = fast_emulator();
    // --retain on web1's existing IP: updated, not replaced.
    let before = ips_of(&public_ips(&emulator), WEB1);
    let out = emulator.rc(&["-q", "--output", "json", "v3", "public-ip", "ensure", "--server", WEB1, "--retain"]).run();
    out.expect_code(0);
    let value = out.json();
    assert_eq!(value["changed"], true, "{}", out.context());
    assert_eq!(value["public_ip"]["retain"], true, "{}", out.context());
    assert_eq!(value["public_ip"]["id"], before[0]["id"], "{}", out.context());
    let out = emulator.rc(&["-q", "v3", "public-ip", "ensure", "--server", WEB1, "--retain"]).run();
    out.expect_code(0).expect_stdout("no change");

    // --move-ip: the retained, unassigned IP onto a server without one.
    let all = public_ips(&emulator);
    let retained = all
        .as_array()
        .into_iter()
        .flatten()
        .find(|ip| ip["public_ip_v4"] == RETAINED_ADDRESS)
        .cloned()
        .expect("the retained IP");
    assert!(retained["cloud_server"].is_null(), "{retained}");
    let id = retained["id"].as_str().unwrap_or_default().to_owned();
    assert!(ips_of(&all, DB_AUTH_ERROR).is_empty());
    let out = emulator
        .rc(&["-q", "--output", "json", "v3", "public-ip", "ensure", "--server", DB_AUTH_ERROR, "--move-ip", &id])
        .run();
    out.expect_code(0);
    let value = out.json();
    assert_eq!(value["changed"], true, "{}", out.context());
    assert_eq!(value["public_ip"]["cloud_server"]["id"], DB_AUTH_ERROR, "{}", out.context());
    assert_eq!(value["public_ip"]["public_ip_v4"], RETAINED_ADDRESS, "{}", out.context());
    let moved = ips_of(&public_ips(&emulator), DB_AUTH_ERROR);
    assert_eq!(moved.len(), 1);
    assert_eq!(moved[0]["id"], json!(id));
    let out = emulator.rc(&["-q", "v3", "public-ip", "ensure", "--server", DB_AUTH_ERROR, "--move-ip", &id]).run();
    out.expect_code(0).expect_stdout("no change");
}

#[test]
fn public_ip_ensure_with_retain_creates_a_retained_ip() {
    let emulator = fast_emulator();
    let out =
        emulator.rc(&["-q", "--output", "json", "v3", "public-ip", "ensure", "--server", UNMANAGED, "--retain"]).run();
    out.expect_code(0);
    let value = out.json();
    assert_eq!(value["changed"], true, "{}", out.context());
    assert_eq!(value["public_ip"]["retain"], true, "{}", out.context());
    let ips = ips_of(&public_ips(&emulator), UNMANAGED);
    assert_eq!(ips.len(), 1);
    assert_eq!(ips[0]["retain"], true);
}

// ------------------------------------------------------------------------------------------------
// v3 lists, nodes, public IPs

#[test]
fn v3_lists_as_json() {
    let out = rc(&["--emulated", "--output", "json", "v3", "pools", "list"]).run();
    out.expect_code(0);
    // Only JSON on stdout (the "emulated: …" banner goes to stderr).
    let pools = out.json();
    assert_eq!(pools.as_array().map(Vec::len), Some(3), "{}", out.context());
    for pool in [WEB_POOL, API_POOL, MAINTENANCE_POOL] {
        assert!(has_id(&pools, "/id", pool), "{pool} missing{}", out.context());
    }
    out.expect_stderr("emulated:");

    let out = rc(&["--emulated", "-q", "--output", "json", "--region", "lon", "v3", "pools", "list"]).run();
    out.expect_code(0);
    assert_eq!(out.json().as_array().map(Vec::len), Some(1), "{}", out.context());

    let out = rc(&["--emulated", "-q", "--output", "json", "v3", "networks", "list"]).run();
    out.expect_code(0);
    let networks = out.json();
    assert_eq!(networks.as_array().map(Vec::len), Some(2), "{}", out.context());
    assert!(has_id(&networks, "/id", DFW_APP_NET), "{}", out.context());

    let out = rc(&["--emulated", "-q", "--output", "json", "v3", "pools", "show", WEB_POOL]).run();
    out.expect_code(0);
    assert_eq!(out.json()["name"], "dfw-web-80", "{}", out.context());

    let out = rc(&["--emulated", "-q", "--output", "json", "v3", "nodes", "list", WEB_POOL]).run();
    out.expect_code(0);
    assert!(has_id(&out.json(), "/cloud_server/id", WEB1), "{}", out.context());

    let out = rc(&["--emulated", "-q", "--output", "json", "v3", "public-ips", "list", "--retain"]).run();
    out.expect_code(0);
    let retained = out.json();
    assert_eq!(retained.as_array().map(Vec::len), Some(1), "{}", out.context());
    assert_eq!(retained[0]["public_ip_v4"], RETAINED_ADDRESS, "{}", out.context());

    let out = rc(&["--emulated", "-q", "v3", "pools", "list"]).run();
    out.expect_code(0).expect_stdout("dfw-web-80").expect_stdout("dfw-api-443").expect_stdout("UPDATING");
}

#[test]
fn v3_nodes_add_and_remove_with_wait() {
    let emulator = fast_emulator();
    let out = emulator.rc(&["-q", "--output", "json", "v3", "nodes", "add", API_POOL, WEB1]).run();
    out.expect_code(0);
    let value = out.json();
    assert_eq!(value["outcome"], "done", "{}", out.context());
    let node_id = value["node"]["id"].as_str().unwrap_or_default().to_owned();
    let list = nodes(&emulator, API_POOL);
    let node = list.as_array().into_iter().flatten().find(|n| n["id"] == node_id.as_str());
    assert_eq!(node.map(|n| n["status"].clone()), Some(json!("ACTIVE")), "{list}");

    let out = emulator.rc(&["-q", "--output", "json", "v3", "nodes", "show", API_POOL, &node_id]).run();
    out.expect_code(0);
    assert_eq!(out.json()["load_balancer_pool"]["name"], "dfw-api-443", "{}", out.context());

    let out = emulator.rc(&["-q", "v3", "nodes", "remove", API_POOL, &node_id]).run();
    out.expect_code(0).expect_stdout("removed");
    assert!(!has_id(&nodes(&emulator, API_POOL), "/id", &node_id));
}

#[test]
fn v3_public_ips_add_and_remove_with_wait() {
    let emulator = fast_emulator();
    let out = emulator.rc(&["-q", "--output", "json", "v3", "public-ips", "add", DB_BUILD_ERROR]).run();
    out.expect_code(0);
    let value = out.json();
    assert_eq!(value["outcome"], "done", "{}", out.context());
    assert_eq!(value["public_ip"]["status"], "ACTIVE", "{}", out.context());
    assert_eq!(value["public_ip"]["cloud_server"]["id"], DB_BUILD_ERROR, "{}", out.context());
    let id = value["public_ip"]["id"].as_str().unwrap_or_default().to_owned();
    assert_eq!(ips_of(&public_ips(&emulator), DB_BUILD_ERROR).len(), 1);

    let out = emulator.rc(&["-q", "v3", "public-ips", "remove", &id]).run();
    out.expect_code(0).expect_stdout("released");
    assert!(ips_of(&public_ips(&emulator), DB_BUILD_ERROR).is_empty());
    let out = emulator.rc(&["-q", "v3", "public-ips", "show", &id]).run();
    out.expect_code(1).expect_stderr("does not exist");
}

/// The spec (section 4): right after a build, v3 answers 409 "does not exist" / "is
/// unprocessable" for a while, and a client retries after a short delay. web2 was built when the
/// emulator started; v3 knows it after 15 emulated s (1.5 s here).
#[test]
fn v3_adds_right_after_a_build_retry_the_409() {
    let emulator = fast_emulator();
    let node = emulator.rc(&["-q", "v3", "nodes", "add", WEB_POOL, WEB2]).spawn();
    let ip = emulator.rc(&["-q", "v3", "public-ips", "add", WEB2]).spawn();
    let node = node.finish(common::LIMIT);
    let ip = ip.finish(common::LIMIT);
    ip.expect_code(0);
    node.expect_code(0);
    assert!(has_id(&nodes(&emulator, WEB_POOL), "/cloud_server/id", WEB2));
    assert_eq!(ips_of(&public_ips(&emulator), WEB2).len(), 1);
}

// ------------------------------------------------------------------------------------------------
// Credentials and secrets

#[test]
fn credentials_from_env_file_and_arguments_and_secrets_never_printed() {
    // In-process, so that the tokens the emulator issued can be read back and searched for.
    let emulator = rackconnect_emulator::Emulator::start(
        rackconnect_emulator::Scenario::demo(),
        rackconnect_emulator::Options { clock_speed: Some(30.0), ..rackconnect_emulator::Options::default() },
    )
    .expect("start the emulator");
    let url = emulator.url();
    let dir = TempDir::new("creds");
    let mut outputs = Vec::new();

    // The environment; --verbose shows every exchange, its credentials redacted.
    let out = rc(&["--verbose", "--output", "json", "v3", "pools", "list"])
        .env("RAX_IDENTITY_URL", &url)
        .env("RAX_USERNAME", "demo")
        .env("RAX_API_KEY", "demo-api-key")
        .env("RAX_REGION", "dfw")
        .run();
    out.expect_code(0)
        .expect_stderr(&format!("> POST {url}/v2.0/tokens\n"))
        .expect_stderr(">   body: <redacted>")
        .expect_stderr(&format!("> GET {url}/rackconnect/DFW/v3/123456/load_balancer_pools\n"))
        .expect_stderr(">   X-Auth-Token: <redacted>")
        .expect_stderr("< 200 in ");
    assert_eq!(out.json().as_array().map(Vec::len), Some(3));
    assert!(!out.stderr.contains("warning"), "{}", out.context());
    outputs.push(out);

    // A pyrax-style file.
    let file = dir.join("creds.ini");
    std::fs::write(
        &file,
        "# pyrax\n[other]\nusername = nobody\n[rackspace_cloud]\nusername = demo\napi_key = demo-api-key\n",
    )
    .expect("write the credentials file");
    set_mode(&file, 0o600);
    let file_arg = file.to_string_lossy().into_owned();
    let out =
        rc(&["-v", "--identity-url", &url, "--region", "dfw", "--credentials", &file_arg, "v3", "pools", "list"]).run();
    out.expect_code(0).expect_stdout("dfw-web-80").expect_stderr("X-Auth-Token: <redacted>");
    assert!(!out.stderr.contains("warning"), "{}", out.context());
    outputs.push(out);

    // A file its group or others can read: used, with one warning (as ssh does for a key).
    for (mode, who) in [(0o640, "its group;"), (0o604, "by others;"), (0o644, "its group and by others")] {
        set_mode(&file, mode);
        let out =
            rc(&["-v", "--identity-url", &url, "--region", "dfw", "--credentials", &file_arg, "v3", "pools", "list"])
                .run();
        out.expect_code(0).expect_stdout("dfw-web-80").expect_stderr(who).expect_stderr("chmod 600");
        assert_eq!(out.stderr.matches("warning:").count(), 1, "{mode:o}: said once{}", out.context());
        outputs.push(out);
    }
    set_mode(&file, 0o600);

    // A password in a file, shown by --verbose as nothing but <redacted>.
    let password_file = dir.join("password.ini");
    std::fs::write(&password_file, "[rackspace_cloud]\nusername = demo\npassword = demo-password\n")
        .expect("write the credentials file");
    set_mode(&password_file, 0o600);
    let password_arg = password_file.to_string_lossy().into_owned();
    let out =
        rc(&["-v", "--identity-url", &url, "--region", "dfw", "--credentials", &password_arg, "server", "list"]).run();
    out.expect_code(0).expect_stdout("web1").expect_stderr(">   body: <redacted>");
    outputs.push(out);

    // ~/.rackspace_cloud_credentials when nothing else is given.
    let home = TempDir::new("credhome");
    std::fs::copy(&file, home.join(".rackspace_cloud_credentials")).expect("copy the credentials file");
    let out = rc(&["--identity-url", &url, "--region", "dfw", "-q", "server", "status", WEB1]).run_with_home(&home.0);
    out.expect_code(0).expect_stdout("DEPLOYED");
    outputs.push(out);

    // On the command line: works, with a warning.
    let out = rc(&[
        "--verbose",
        "--identity-url",
        &url,
        "--region",
        "dfw",
        "--username",
        "demo",
        "--api-key",
        "demo-api-key",
        "v3",
        "networks",
        "list",
    ])
    .run();
    out.expect_code(0).expect_stdout("dfw-app-net").expect_stderr("warning:").expect_stderr("visible to other users");
    outputs.push(out);

    // A wrong key: exit 5, in text and JSON.
    let wrong = "wrong-key-5f3a9c1e7d";
    let out = rc(&["-v", "--identity-url", &url, "--region", "dfw", "v3", "pools", "list"])
        .env("RAX_USERNAME", "demo")
        .env("RAX_API_KEY", wrong)
        .run();
    out.expect_code(5).expect_stderr("401").expect_stderr("< 401 in ");
    outputs.push(out);
    let out = rc(&["--identity-url", &url, "--region", "dfw", "--output", "json", "server", "wait", WEB1])
        .env("RAX_USERNAME", "demo")
        .env("RAX_API_KEY", wrong)
        .run();
    out.expect_code(5);
    assert_eq!(out.error_json()["exit_code"], 5, "{}", out.context());
    outputs.push(out);
    let out = rc(&[
        "--identity-url",
        &url,
        "--region",
        "dfw",
        "--username",
        "demo",
        "--api-key",
        wrong,
        "v3",
        "pools",
        "list",
    ])
    .run();
    out.expect_code(5);
    outputs.push(out);

    // No credentials anywhere: a clear message.
    let out = rc(&["--identity-url", &url, "--region", "dfw", "v3", "pools", "list"]).run();
    assert_ne!(out.code, 0, "{}", out.context());
    out.expect_stderr("invalid credentials").expect_stderr("RAX_USERNAME").expect_stderr("--credentials FILE");
    outputs.push(out);

    // More output that carries server and IP details, and an ensure.
    for args in [
        vec!["--output", "json", "server", "wait", WEB1, "--managed"],
        vec!["--output", "json", "v3", "public-ips", "list"],
        vec!["-v", "--output", "json", "v3", "public-ip", "ensure", "--server", UNMANAGED],
        vec!["-v", "v3", "pool-members", "ensure", "--server", UNMANAGED, "--pool", WEB_POOL],
    ] {
        let out = rc(&args)
            .env("RAX_IDENTITY_URL", &url)
            .env("RAX_USERNAME", "demo")
            .env("RAX_API_KEY", "demo-api-key")
            .env("RAX_REGION", "dfw")
            .run();
        out.expect_code(0);
        outputs.push(out);
    }

    let tokens: Vec<String> = emulator.world().tokens.keys().cloned().collect();
    assert!(tokens.len() >= 8, "expected a token per authenticated run, found {}", tokens.len());
    for out in &outputs {
        for secret in ["demo-api-key", "demo-password", wrong] {
            assert!(
                !out.stdout.contains(secret) && !out.stderr.contains(secret),
                "the key was printed{}",
                out.context()
            );
        }
        for token in &tokens {
            assert!(
                !out.stdout.contains(token.as_str()) && !out.stderr.contains(token.as_str()),
                "token {token} was printed{}",
                out.context()
            );
        }
    }
}

#[cfg(unix)]
fn set_mode(path: &std::path::Path, mode: u32) {
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(mode)).expect("chmod");
}

#[cfg(not(unix))]
fn set_mode(_path: &std::path::Path, _mode: u32) {}

// ------------------------------------------------------------------------------------------------
// Usage errors

#[test]
fn usage_errors_exit_2_and_say_what_was_expected() {
    let out = rc(&["--emulated", "--bogus", "v3", "pools", "list"]).run();
    out.expect_code(2).expect_stderr("--bogus");
    assert!(out.stdout.is_empty(), "{}", out.context());

    let out = rc(&["--emulated", "--region", "xyz", "v3", "pools", "list"]).run();
    out.expect_code(2).expect_stderr("expected one of dfw, hkg, iad, lon, ord, syd");

    // Clock speeds, by the emulator's one rule, before anything starts.
    for args in [
        &["--emulated", "--emulated-speed=-1", "v3", "pools", "list"][..],
        &["emulator", "--clock-speed", "1e9"],
        &["emulator", "--clock-speed", "NaN"],
    ] {
        let out = rc(args).run();
        out.expect_code(2).expect_stderr("expected emulated seconds per real second, from 0 to 86400");
    }

    let out = rc(&["--emulated", "--region", "xyz", "--output", "json", "v3", "pools", "list"]).run();
    out.expect_code(2);
    let value = out.error_json();
    assert_eq!(value["exit_code"], 2, "{}", out.context());
    assert!(value["error"]["message"].as_str().is_some_and(|e| e.contains("dfw")), "{}", out.context());

    // Not an id: looked up as a name, and not found among the region's servers or pools.
    let out = rc(&["--emulated", "server", "status", "abc/def"]).run();
    out.expect_code(2).expect_stderr("invalid SERVER").expect_stderr("the name of a server").expect_stderr("abc/def");

    let out = rc(&["--emulated", "v3", "nodes", "list", "pool/1"]).run();
    out.expect_code(2).expect_stderr("invalid POOL").expect_stderr("dfw-web-80");

    let out = rc(&["--emulated", "v3", "pool-members", "ensure", "--server", "x/y", "--pool", WEB_POOL]).run();
    out.expect_code(2).expect_stderr("--server").expect_stderr("expected");

    let out = rc(&["--emulated", "v3", "public-ip", "ensure", "--server", UNMANAGED, "--move-ip", "a/b"]).run();
    out.expect_code(2).expect_stderr("--move-ip").expect_stderr("expected");

    let out = rc(&["--emulated", "v2", "wait", "--timeout", "5x"]).run();
    out.expect_code(2).expect_stderr("expected a duration");

    let out = rc(&["--emulated", "v3", "pool-members", "ensure", "--server", UNMANAGED]).run();
    out.expect_code(2).expect_stderr("--pool");

    // --retain is a flag (with --no-retain), not --retain true|false.
    let out = rc(&["--emulated", "v3", "public-ip", "ensure", "--server", UNMANAGED, "--retain=true"]).run();
    out.expect_code(2).expect_stderr("--retain");

    // v2 without an endpoint: say how to give one.
    let out = rc(&["v2", "status"]).run();
    out.expect_code(2).expect_stderr("--region");
}

/// Ctrl-C during a wait stops it at its next step, with a summary and exit 130.
#[test]
fn ctrl_c_cancels_a_wait_cleanly() {
    let child = std::process::Command::new(env!("CARGO_BIN_EXE_rackconnect"))
        .args(["--emulated", "--emulated-speed", "0.01", "v2", "wait", "--timeout", "60s"])
        .env_remove("RAX_USERNAME")
        .env_remove("RAX_API_KEY")
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("start");
    std::thread::sleep(std::time::Duration::from_millis(1500));
    let sent = std::time::Instant::now();
    let killed = std::process::Command::new("kill").args(["-INT", &child.id().to_string()]).status().expect("kill");
    assert!(killed.success());
    let output = child.wait_with_output().expect("wait");
    assert!(sent.elapsed() < std::time::Duration::from_secs(3), "cancelled promptly: {:?}", sent.elapsed());
    assert_eq!(output.status.code(), Some(130), "{}", String::from_utf8_lossy(&output.stderr));
    assert!(
        String::from_utf8_lossy(&output.stdout).contains("cancelled"),
        "{}",
        String::from_utf8_lossy(&output.stdout)
    );
}

/// `--emulated` talks only to the emulator's demo account: credentials exported for Rackspace
/// are not sent to it.
#[test]
fn emulated_ignores_real_credentials_in_the_environment() {
    let out = rc(&["--emulated", "-q", "--output", "json", "v3", "pools", "list"])
        .env("RAX_USERNAME", "someone-real")
        .env("RAX_API_KEY", "a-real-key-0123")
        .run();
    out.expect_code(0);
    assert_eq!(out.json().as_array().map(Vec::len), Some(3), "{}", out.context());
    assert!(!out.stdout.contains("a-real-key-0123") && !out.stderr.contains("a-real-key-0123"));
}

/// A file named with --credentials wins over the environment.
#[test]
fn a_credentials_file_on_the_command_line_wins_over_the_environment() {
    let emulator = EmulatorProcess::start(Some(0.0), None);
    let dir = TempDir::new("creds-wins");
    let file = dir.join("other.ini");
    std::fs::write(&file, "[rackspace_cloud]\nusername = other\napi_key = other-api-key\n").expect("write");
    let file = file.to_string_lossy().into_owned();
    // `other` (tenant 654321) has RackConnect v3 only in ORD: DFW is refused for it, not for demo.
    let out = emulator.rc(&["--credentials", &file, "--region", "dfw", "v3", "pools", "list"]).run();
    out.expect_code(2).expect_stderr("region");
    let ord =
        emulator.rc(&["--credentials", &file, "--region", "ord", "--output", "json", "v3", "pools", "list"]).run();
    ord.expect_code(0);
    assert_eq!(ord.json().as_array().map(Vec::len), Some(1), "{}", ord.context());
}

/// `server list` shows the ids a user needs; a server asked for in the wrong region is named.
#[test]
fn server_list_shows_ids_and_a_404_names_the_server_and_region() {
    let out = rc(&["--emulated", "-q", "server", "list"]).run();
    out.expect_code(0).expect_stdout("00000001-cccc-4ccc-8ccc-000000000001").expect_stdout("web1");
    // app-unprocessable lives in IAD.
    let missing = rc(&["--emulated", "-q", "server", "status", "00000004-cccc-4ccc-8ccc-000000000004"]).run();
    missing.expect_code(1).expect_stderr("not found in region DFW").expect_stderr("server list");
}

/// Issue 12: a server may be named wherever one is asked for, when only it has that name in the
/// region; an ambiguous name lists the candidates' ids, an unknown one the region's servers.
#[test]
fn servers_can_be_named_where_the_name_is_unique() {
    let emulator = fast_emulator();
    let status = emulator.rc(&["-q", "--output", "json", "server", "status", "WEB1"]).run();
    status.expect_code(0);
    assert_eq!(status.json()["id"], WEB1, "{}", status.context());
    let waited = emulator.rc(&["-q", "server", "wait", "web1", "--timeout", "60s"]).run();
    waited.expect_code(0).expect_stdout("198.51.100.101");

    let planned = emulator
        .rc(&[
            "-q",
            "--output",
            "json",
            "v3",
            "pool-members",
            "ensure",
            "--dry-run",
            "--server",
            "unmanaged",
            "--pool",
            "dfw-web-80",
        ])
        .run();
    planned.expect_code(0);
    // The names typed are kept beside the ids.
    let add =
        json!([{"server_id": UNMANAGED, "pool_id": WEB_POOL, "server_name": "unmanaged", "pool_name": "dfw-web-80"}]);
    assert_eq!(planned.json()["plan"]["add"], add, "{}", planned.context());
    let ip = emulator
        .rc(&["-q", "--output", "json", "v3", "public-ip", "ensure", "--dry-run", "--server", "unmanaged"])
        .run();
    ip.expect_code(0);
    assert_eq!(ip.json()["plan"]["action"], "create", "{}", ip.context());
    let listed = emulator.rc(&["-q", "--output", "json", "v3", "public-ips", "list", "--server", "web1"]).run();
    listed.expect_code(0);
    assert_eq!(listed.json().as_array().map(Vec::len), Some(1), "{}", listed.context());

    // A second server named web1: the name no longer says which.
    let twin = emulator.control(
        "POST",
        "/__emulator/servers",
        Some(json!({"name": "web1", "tenant": "123456", "region": "DFW"})),
    );
    let twin_id = twin["id"].as_str().unwrap_or_default().to_owned();
    let ambiguous = emulator.rc(&["-q", "server", "status", "web1"]).run();
    ambiguous.expect_code(2).expect_stderr(WEB1).expect_stderr(&twin_id).expect_stderr("give the id");
    let unknown = emulator.rc(&["-q", "v3", "pool-members", "ensure", "--server", "nosuch", "--pool", WEB_POOL]).run();
    unknown.expect_code(2).expect_stderr("--server[0]").expect_stderr("unmanaged");
}

/// Issue 12: a retained IP is taken off its server and kept (`--unassign`), with a dry run first;
/// a non-retained one is refused, since it would be lost.
#[test]
fn public_ip_unassign_keeps_the_retained_ip_on_no_server() {
    let emulator = fast_emulator();
    let json = |args: &[&str]| {
        let mut all = vec!["-q", "--output", "json", "v3", "public-ip", "ensure", "--server", UNMANAGED];
        all.extend_from_slice(args);
        let out = emulator.rc(&all).run();
        (out.code, out.json())
    };
    let (code, plain) = json(&[]);
    assert_eq!(code, 0, "{plain:#}");
    let (code, refused) = json(&["--unassign"]);
    assert_eq!((code, refused["changed"].as_bool()), (1, Some(false)), "{refused:#}");
    assert!(refused["summary"].as_str().unwrap_or("").contains("is not retained"), "{refused:#}");

    let (_, planned) = json(&["--unassign", "--retain", "--dry-run"]);
    assert_eq!(
        planned["plan"],
        json!({"action": "unassign", "id": plain["public_ip"]["id"], "retain": true}),
        "{planned:#}"
    );
    assert_eq!(planned["changed"], true, "{planned:#}");
    assert_eq!(
        public_ips(&emulator).as_array().map(|l| l.iter().filter(|ip| ip["cloud_server"]["id"] == UNMANAGED).count()),
        Some(1)
    );

    let (code, done) = json(&["--unassign", "--retain"]);
    assert_eq!((code, done["changed"].as_bool()), (0, Some(true)), "{done:#}");
    assert_eq!(done["public_ip"]["cloud_server"], Value::Null, "{done:#}");
    assert_eq!(done["public_ip"]["retain"], true, "{done:#}");
    let (id, address) = (done["public_ip"]["id"].as_str().unwrap_or("?"), done["public_ip"]["public_ip_v4"].as_str());
    let expected = format!("done: unassigned {id} from the server, keeping it retained ({})", address.unwrap_or("?"));
    assert_eq!(done["summary"].as_str(), Some(expected.as_str()), "one pair of parentheses: {done:#}");
    let (code, again) = json(&["--unassign"]);
    assert_eq!((code, again["changed"].as_bool()), (0, Some(false)), "{again:#}");
    let listed = emulator.rc(&["-q", "--output", "json", "v3", "public-ips", "list", "--server", UNMANAGED]).run();
    assert_eq!(listed.json(), json!([]), "{}", listed.context());
    let kept = public_ips(&emulator);
    assert!(
        kept.as_array()
            .is_some_and(|l| l.iter().any(|ip| ip["id"] == plain["public_ip"]["id"] && ip["cloud_server"].is_null())),
        "{kept:#}"
    );
}

/// Issue 12: a server Cloud Servers does not have fails at once, in one wording, everywhere:
/// `server status`, `server wait`, and both planners (dry run and real run) after one question
/// to Cloud Servers, instead of a planned change or the whole post-build grace.
#[test]
fn an_unknown_server_is_caught_at_once_in_one_wording() {
    const UNKNOWN: &str = "0000dead-cccc-4ccc-8ccc-00000000dead";
    let emulator = fast_emulator();
    let wait = emulator.rc(&["-q", "server", "wait", UNKNOWN, "--timeout", "60s"]).run();
    assert_ne!(wait.code, 0, "{}", wait.context());
    assert!(
        wait.stdout.contains("not found in region DFW") || wait.stderr.contains("not found in region DFW"),
        "{}",
        wait.context()
    );

    let dry = emulator
        .rc(&[
            "-q",
            "--output",
            "json",
            "v3",
            "pool-members",
            "ensure",
            "--dry-run",
            "--server",
            UNKNOWN,
            "--pool",
            WEB_POOL,
        ])
        .run();
    let result = dry.json();
    assert_eq!(result["changed"], false, "{result:#}");
    assert_eq!(result["plan"]["add"], json!([]), "{result:#}");
    assert!(
        result["failed"][0]["reason"]
            .as_str()
            .unwrap_or("")
            .contains(&format!("server {UNKNOWN} not found in region DFW")),
        "{result:#}"
    );
    assert_ne!(dry.code, 0, "{}", dry.context());

    let started = std::time::Instant::now();
    let real = emulator
        .rc(&["-q", "--output", "json", "v3", "pool-members", "ensure", "--server", UNKNOWN, "--pool", WEB_POOL])
        .run();
    let result = real.json();
    assert_eq!(result["outcome"], "failed", "{result:#}");
    assert!(result["summary"].as_str().unwrap_or("").contains("not found in region DFW"), "{result:#}");
    let ip = emulator.rc(&["--output", "json", "v3", "public-ip", "ensure", "--server", UNKNOWN]).run();
    let result = ip.json();
    assert_eq!(result["outcome"], "failed", "{result:#}");
    assert!(result["summary"].as_str().unwrap_or("").contains("not found in region DFW"), "{result:#}");
    // RackConnect's "does not exist" sends the planner to Cloud Servers at once: no retry first.
    assert!(!ip.stderr.contains("retrying"), "{}", ip.context());
    assert_eq!(result["requests"], 3, "the IPs, the create, the server check: {result:#}");
    let ip_dry =
        emulator.rc(&["-q", "--output", "json", "v3", "public-ip", "ensure", "--dry-run", "--server", UNKNOWN]).run();
    let result = ip_dry.json();
    assert_eq!((result["outcome"].as_str(), result["changed"].as_bool()), (Some("failed"), Some(false)), "{result:#}");
    // The single calls too (they had no check: two minutes of retries, then the 409's words).
    for args in [["v3", "nodes", "add", WEB_POOL, UNKNOWN].as_slice(), ["v3", "public-ips", "add", UNKNOWN].as_slice()]
    {
        let single = emulator.rc(args).run();
        single.expect_code(1).expect_stderr(&format!("server {UNKNOWN} not found in region DFW"));
    }
    assert!(started.elapsed() < Duration::from_secs(30), "took {:?}: the grace was spent", started.elapsed());
    let log = emulator.log();
    let asked = calls(&log, "GET", &format!("/servers/{UNKNOWN}"));
    assert!(!asked.is_empty() && asked.iter().all(|e| e["status"] == 404), "{log:#?}");
}

/// A URL with credentials in it is refused without printing them.
#[test]
fn a_url_with_credentials_is_refused_without_echoing_them() {
    let out = rc(&["--identity-url", "http://user:SECRETX@127.0.0.1:1", "v3", "pools", "list"]).run();
    out.expect_code(2);
    assert!(!out.stdout.contains("SECRETX") && !out.stderr.contains("SECRETX"), "{}", out.context());
}

/// A mistyped server id fails at once, naming the server and the region (Cloud Servers, asked
/// once, does not have it), instead of waiting out the timeout.
#[test]
fn a_mistyped_server_says_why_it_did_not_converge() {
    let out = rc(&[
        "--emulated",
        "-q",
        "v3",
        "pool-members",
        "ensure",
        "--server",
        "00000002-cccc-4ccc-8ccc-00000000000z",
        "--pool",
        "00000001-bbbb-4bbb-8bbb-dfw000000001",
        "--timeout",
        "60s",
    ])
    .run();
    out.expect_code(1).expect_stdout("server 00000002-cccc-4ccc-8ccc-00000000000z not found in region DFW");
}

#[test]
fn terminal_escapes_from_the_api_never_reach_the_terminal() {
    // Regression (issue 11): a server named with escape sequences was printed raw, clearing the
    // screen or erasing lines.
    let emulator = common::EmulatorProcess::start(None, None);
    let hostile = "web1\u{1b}[1A\u{1b}[2Kfake-line\u{1b}]0;PWNED\u{7}";
    emulator.control("POST", "/__emulator/servers", Some(json!({"name": hostile, "region": "DFW"})));
    let out = emulator.rc(&["-q", "server", "list"]).run();
    out.expect_code(0);
    assert!(!out.stdout.contains('\u{1b}') && !out.stdout.contains('\u{7}'), "{}", out.context());
    assert!(out.stdout.contains("web1\\u{1b}[1A"), "shown escaped{}", out.context());
}

#[test]
fn four_waiters_on_one_server_stay_within_30_requests_a_minute() {
    // Regression (issue 11): the v2 budget was per process; four CLIs drew 403s. They now share
    // one budget through a state file, so together they stay within the service's limit.
    let emulator = common::EmulatorProcess::start(None, None);
    let state = common::TempDir::new("shared-state");
    let state_dir = state.0.to_string_lossy().into_owned();
    // web2 takes two real minutes to deploy here: each waiter polls for the whole 20 s.
    let waiters: Vec<_> = (0..4)
        .map(|_| {
            emulator
                .v2("127.0.0.3", &["-q", "v2", "wait", "--timeout", "20s"])
                .env("RACKCONNECT_STATE_DIR", &state_dir)
                .spawn()
        })
        .collect();
    for waiter in waiters {
        waiter.finish(common::LIMIT).expect_code(3);
    }
    let log = emulator.control("GET", "/__emulator/requests", None);
    let v2: Vec<&Value> = log["requests"]
        .as_array()
        .expect("a log")
        .iter()
        .filter(|e| e["path"].as_str().is_some_and(|p| p.starts_with("/v1/")))
        .collect();
    let refused = v2.iter().filter(|e| e["status"] == 403).count();
    assert_eq!(refused, 0, "{refused} requests drew a 403: {v2:?}");
    assert!(v2.len() <= 30, "{} v2 requests in 20 s from four waiters", v2.len());
    assert!(v2.len() >= 20, "they did poll: {}", v2.len());
}

/// A wait by name reads the name's listing as patiently as the wait reads the server: a few 5xx
/// answers (which a wait by id rides out) are tried again with backoff, not the end after one
/// retry; the listing's requests count among the wait's.
#[test]
fn server_wait_by_name_rides_out_5xx_on_the_lookup_as_a_wait_by_id_does() {
    let emulator = fast_emulator();
    emulator.fault(json!({"kind": "status", "status": 500, "operation": "servers.detail", "count": 3}));
    emulator.clear_log();
    let out = emulator.rc(&["--output", "json", "server", "wait", "web1", "--timeout", "60s"]).run();
    out.expect_code(0).expect_stderr("retrying");
    let value = out.json();
    assert_eq!(value["outcome"], "done", "{}", out.context());
    let log = emulator.log();
    assert_eq!(calls(&log, "GET", "/servers/detail").len(), 4, "three 500s, then the listing: {log:?}");
    assert_eq!(value["requests"], log.len() - 1, "every request but the sign-in: {log:?}");
    // A lookup that is not for a wait keeps the read policy: one retry, then the error.
    emulator.fault(json!({"kind": "status", "status": 500, "operation": "servers.detail", "count": 3}));
    let out = emulator.rc(&["server", "status", "web1"]).run();
    out.expect_code(1).expect_stderr("500");
}
