//! The control API, under `/__emulator/`: the clock, new servers, automation outcomes, faults,
//! token expiry and the request log. It is never subject to faults and never logged.

use std::collections::BTreeMap;

use serde_json::{Value, json};

use super::{Call, dashboard, operations};
use crate::automation;
use crate::clock::iso_millis;
use crate::reply::Reply;
use crate::scenario;
use crate::transitions::Kind;
use crate::world::{Fault, World};

/// `POST` here builds the world again from the scenario (the [engine](crate::Engine) answers it:
/// the world does not keep its scenario).
pub const RESET_PATH: &str = "/__emulator/reset";

/// `GET` here answers the world as a scenario document, `PUT` replaces the world with one (the
/// [engine](crate::Engine) answers both: loading one replaces the scenario it resets to).
pub const STATE_PATH: &str = "/__emulator/state";

fn bad(message: &str) -> Reply {
    Reply::json(400, &json!({"error": message}))
}

/// Answers `/__emulator/…`.
pub fn route(world: &mut World, call: &Call) -> Reply {
    let rest = call.path.trim_start_matches(super::CONTROL_PREFIX).trim_end_matches('/');
    let segments: Vec<&str> = if rest.is_empty() { Vec::new() } else { rest.split('/').collect() };
    match (call.method, segments.as_slice()) {
        ("GET", []) if call.header("Accept").is_some_and(|a| a.contains("text/html")) => dashboard::page(world),
        ("GET", []) => Reply::json(200, &summary(world)),
        ("POST", ["seed"]) => match call.json().and_then(|b| b.get("seed").and_then(Value::as_u64)) {
            Some(seed) => {
                world.reseed(seed);
                Reply::json(200, &json!({"seed": seed}))
            }
            None => bad("expected {\"seed\": N} with N a whole number from 0 to 2^64-1"),
        },
        ("GET", ["transitions"]) => Reply::json(200, &transitions(world)),
        ("POST", ["transitions"]) => set_transitions(world, call),
        ("POST", ["transitions", "advance"]) => advance(world, call),
        ("GET", ["clock"]) => Reply::json(200, &clock(world)),
        ("POST", ["clock"]) => set_clock(world, call),
        ("POST", ["servers"]) => build_server(world, call),
        ("POST", ["servers", id, "automation"]) => set_automation(world, call, id),
        ("DELETE", ["servers", id]) => match world.server(id).map(|s| s.spec.id.clone()) {
            Some(id) => {
                super::servers::delete(world, &id);
                Reply::empty(204)
            }
            None => Reply::json(404, &json!({"error": format!("no server {id}")})),
        },
        ("GET", ["faults"]) => Reply::json(200, &json!({"faults": world.faults})),
        ("POST", ["faults"]) => match serde_json::from_slice::<Fault>(call.body) {
            Ok(mut fault) => match fault_problem(&fault) {
                Some(problem) => bad(&problem),
                None => {
                    // A client's name for a call (`v3.get_pool`) is kept as the table's.
                    fault.operation = fault.operation.map(|name| operations::canonical(&name).to_owned());
                    world.faults.push(fault);
                    Reply::json(201, &json!({"faults": world.faults}))
                }
            },
            Err(e) => bad(&format!(
                "expected a fault {{kind, count, status, delay_ms, path_prefix, operation, probability, latency_ms, retry_after}}: {e}"
            )),
        },
        ("GET", ["operations"]) => {
            let list: Vec<Value> = operations::OPERATIONS
                .iter()
                .map(|(method, path, name)| json!({"name": name, "method": method, "path": path}))
                .collect();
            Reply::json(200, &json!({"operations": list}))
        }
        ("DELETE", ["faults"]) => {
            world.faults.clear();
            Reply::empty(204)
        }
        ("POST", ["tokens", "expire"]) => {
            let now = world.now();
            let only = call.json().and_then(|b| b.get("token").and_then(Value::as_str).map(str::to_owned));
            let mut expired = 0;
            for (id, token) in &mut world.tokens {
                if only.as_deref().is_none_or(|o| o == id) {
                    token.expires = now;
                    expired += 1;
                }
            }
            Reply::json(200, &json!({"expired": expired}))
        }
        ("GET", ["requests"]) => Reply::json(200, &requests(world)),
        ("DELETE", ["requests"]) => {
            world.log.clear();
            Reply::empty(204)
        }
        _ => Reply::json(404, &json!({"error": format!("unknown control path {}", call.path)})),
    }
}

/// What is wrong with a fault, if anything.
fn fault_problem(fault: &Fault) -> Option<String> {
    if !["status", "delay", "reset", "truncate"].contains(&fault.kind.as_str()) {
        return Some("kind must be status, delay, reset or truncate".to_owned());
    }
    if fault.probability.is_some_and(|p| !(0.0..=1.0).contains(&p)) {
        return Some("probability: expected a number from 0 to 1".to_owned());
    }
    if let Some(name) = &fault.operation
        && !operations::is_known(operations::canonical(name))
    {
        return Some(format!(
            "operation: unknown operation {name:?} (GET /__emulator/operations lists them, and the client's name of each call it makes works too; a prefix ending in '.' picks several)"
        ));
    }
    if !(100..=599).contains(&fault.status) {
        return Some("status: expected an HTTP status from 100 to 599".to_owned());
    }
    None
}

fn transitions(world: &World) -> Value {
    let t = &world.timings;
    json!({
        "pool_nodes": world.transitions.pool_nodes,
        "public_ips": world.transitions.public_ips,
        "automation": world.transitions.automation,
        "v3_add_seconds": t.v3_add_seconds,
        "v3_remove_seconds": t.v3_remove_seconds,
        "v3_update_seconds": t.v3_update_seconds,
    })
}

/// `POST /__emulator/transitions`: any of the three modes, any of the three v3 durations.
fn set_transitions(world: &mut World, call: &Call) -> Reply {
    const EXPECTED: &str = "expected {\"pool_nodes\"?, \"public_ips\"?, \"automation\"?: \"immediate\" | \"timed\" | \"manual\", \"v3_add_seconds\"?, \"v3_remove_seconds\"?, \"v3_update_seconds\"?: seconds}";
    let Some(Value::Object(body)) = call.json() else { return bad(EXPECTED) };
    let mut modes = world.transitions.clone();
    let mut timings = world.timings.clone();
    for (key, value) in &body {
        let mode = || serde_json::from_value::<scenario::Mode>(value.clone()).ok();
        let seconds = value.as_f64().filter(|s| (0.0..=MAX_ADVANCE_SECONDS).contains(s));
        let ok = match key.as_str() {
            "pool_nodes" => mode().map(|m| modes.pool_nodes = m).is_some(),
            "public_ips" => mode().map(|m| modes.public_ips = m).is_some(),
            "automation" => mode().map(|m| modes.automation = m).is_some(),
            "v3_add_seconds" => seconds.map(|s| timings.v3_add_seconds = s).is_some(),
            "v3_remove_seconds" => seconds.map(|s| timings.v3_remove_seconds = s).is_some(),
            "v3_update_seconds" => seconds.map(|s| timings.v3_update_seconds = s).is_some(),
            _ => false,
        };
        if !ok {
            return bad(&format!("{key}: {EXPECTED}, found {value}"));
        }
    }
    world.timings = timings;
    world.set_transitions(modes);
    Reply::json(200, &transitions(world))
}

/// `POST /__emulator/transitions/advance`: `{"id"?, "kind"?}` (neither: everything pending).
fn advance(world: &mut World, call: &Call) -> Reply {
    const EXPECTED: &str = "expected {\"id\"?: a node, public IP or server id, \"kind\"?: \"pool_nodes\" | \"public_ips\" | \"automation\"}";
    let body = if call.body.is_empty() { Some(json!({})) } else { call.json() };
    let Some(Value::Object(body)) = body else { return bad(EXPECTED) };
    if let Some(unknown) = body.keys().find(|k| *k != "id" && *k != "kind") {
        return bad(&format!("{EXPECTED}, found the field {unknown:?}"));
    }
    let id = match body.get("id") {
        None => None,
        Some(Value::String(id)) => Some(id.clone()),
        Some(other) => return bad(&format!("id: {EXPECTED}, found {other}")),
    };
    let kind = match body.get("kind") {
        None => None,
        Some(value) => match serde_json::from_value::<Kind>(value.clone()) {
            Ok(kind) => Some(kind),
            Err(_) => return bad(&format!("kind: {EXPECTED}, found {value}")),
        },
    };
    let advanced = world.advance(kind, id.as_deref());
    if advanced == 0 && id.is_some() {
        return Reply::json(404, &json!({"error": format!("nothing pending for {}", id.unwrap_or_default())}));
    }
    Reply::json(200, &json!({"advanced": advanced}))
}

fn clock(world: &World) -> Value {
    let now = world.now();
    json!({"now": iso_millis(now), "now_ms": now, "speed": world.clock.speed()})
}

/// `GET /__emulator/`: the clock, every server's automation and Managed status, the pending faults.
pub fn summary(world: &World) -> Value {
    let servers: Vec<Value> = world
        .servers
        .iter()
        .filter(|s| !s.deleted)
        .map(|s| {
            let progress = world.progress(s);
            let metadata = world.metadata(s);
            json!({
                "id": s.spec.id, "name": s.spec.name, "tenant": s.spec.tenant, "region": s.spec.region,
                "source_ip": s.spec.source_ip, "automation_status": progress.status,
                "managed_status": metadata.get("rax_service_level_automation"),
                "access_ipv4": world.access_ipv4(s),
            })
        })
        .collect();
    json!({
        "clock": clock(world), "servers": servers, "faults": world.faults, "requests_logged": world.log.len(),
        "seed": world.given_seed(), "transitions": transitions(world),
    })
}

/// The most the clock moves in one call: ten years.
const MAX_ADVANCE_SECONDS: f64 = 10.0 * 365.25 * 86_400.0;

fn set_clock(world: &mut World, call: &Call) -> Reply {
    let Some(body) = call.json() else { return bad("expected {\"advance_seconds\": N} and/or {\"speed\": X}") };
    // A value given as anything but a number is refused, not skipped.
    for key in ["advance_seconds", "speed"] {
        if let Some(value) = body.get(key).filter(|v| !v.is_number()) {
            return bad(&format!("{key}: expected a number, found {value}"));
        }
    }
    let advance = body.get("advance_seconds").and_then(Value::as_f64);
    let speed = body.get("speed").and_then(Value::as_f64);
    // Absurd values would wrap the clock (servers going back from DEPLOYED): refused whole.
    if let Some(seconds) = advance.filter(|s| !(0.0..=MAX_ADVANCE_SECONDS).contains(s)) {
        return bad(&format!("advance_seconds: expected 0 to {MAX_ADVANCE_SECONDS} (ten years), found {seconds}"));
    }
    if let Some(speed) = speed.filter(|x| !crate::clock::speed_is_valid(*x)) {
        return bad(&format!("speed: expected {}, found {speed}", crate::clock::SPEED_EXPECTED));
    }
    if let Some(seconds) = advance {
        world.clock.advance(seconds);
    }
    if let Some(speed) = speed {
        world.clock.set_speed(speed);
    }
    world.settle();
    Reply::json(200, &clock(world))
}

fn build_server(world: &mut World, call: &Call) -> Reply {
    let Some(Value::Object(mut body)) = call.json() else {
        return bad("expected a server object (see emulator/README.md)");
    };
    let n = world.servers.len() + 1;
    let first_tenant = world.accounts.first().map(|a| a.tenant.clone()).unwrap_or_default();
    let defaults = [
        ("tenant", json!(first_tenant)),
        ("region", json!("DFW")),
        ("name", json!(format!("server-{n}"))),
        ("original_ipv4", json!(format!("203.0.113.{}", 100 + n % 150))),
        ("rackconnect_ipv4", json!(format!("198.51.100.{}", n % 200))),
    ];
    for (key, value) in defaults {
        body.entry(key).or_insert(value);
    }
    if !body.contains_key("id") {
        body.insert("id".into(), json!(world.new_id()));
    }
    let managed_account =
        world.account(body.get("tenant").and_then(Value::as_str).unwrap_or_default()).is_some_and(|a| a.managed);
    if managed_account && !body.contains_key("managed") {
        body.insert("managed".into(), json!({}));
    }
    let spec: scenario::Server = match serde_json::from_value(Value::Object(body)) {
        Ok(spec) => spec,
        Err(e) => return bad(&format!("invalid server: {e}")),
    };
    if world.server(&spec.id).is_some() {
        return bad("a server with this id exists");
    }
    let now = world.now();
    let index = world.add_server(spec, now);
    let s = &world.servers[index];
    Reply::json(
        201,
        &json!({"id": s.spec.id, "name": s.spec.name, "region": s.spec.region, "tenant": s.spec.tenant, "source_ip": s.spec.source_ip}),
    )
}

fn set_automation(world: &mut World, call: &Call, id: &str) -> Reply {
    let Some(body) = call.json() else {
        return bad(
            "expected {\"outcome\", \"unprocessable_reason\"?, \"failed_task\"?, \"managed_outcome\"?, \"finish_now\"?}",
        );
    };
    let now = world.now();
    let Some(server) = world.servers.iter_mut().find(|s| !s.deleted && s.spec.id.eq_ignore_ascii_case(id)) else {
        return Reply::json(404, &json!({"error": format!("no server {id}")}));
    };
    if let Some(outcome) = body.get("outcome").and_then(Value::as_str) {
        let outcome = outcome.to_ascii_uppercase();
        if !["DEPLOYED", "FAILED", "UNPROCESSABLE"].contains(&outcome.as_str()) {
            return bad("outcome must be DEPLOYED, FAILED or UNPROCESSABLE");
        }
        server.spec.automation.outcome = outcome;
    }
    if let Some(reason) = body.get("unprocessable_reason").and_then(Value::as_str) {
        server.spec.automation.unprocessable_reason = Some(reason.to_owned());
    }
    if let Some(task) = body.get("failed_task").and_then(Value::as_u64) {
        server.spec.automation.failed_task = usize::try_from(task).unwrap_or(0);
    }
    if let Some(managed) = body.get("managed_outcome").and_then(Value::as_str) {
        server.spec.managed.get_or_insert_with(scenario::Managed::default).outcome = managed.to_owned();
    }
    if body.get("finish_now").and_then(Value::as_bool) == Some(true) {
        server.automation_held = false;
        let total = automation::total_seconds(&server.spec.automation);
        server.automation_started = now - (total * 1000.0) as i64;
        server.spec.automation.metadata_delay_seconds = server.spec.automation.metadata_delay_seconds.min(total);
    }
    let server = server.clone();
    let progress = world.progress(&server);
    Reply::json(200, &json!({"id": server.spec.id, "automation_status": progress.status}))
}

/// `GET /__emulator/requests`: the log, and per server its v2 counts.
pub fn requests(world: &World) -> Value {
    // Per server: v2 requests in all, and the most that fell in any 60-second window of emulated
    // time (what the 30-per-minute limit is about).
    let mut by_server: BTreeMap<&str, Vec<i64>> = BTreeMap::new();
    for entry in &world.log {
        if let Some(server) = &entry.server_id {
            by_server.entry(server).or_default().push(entry.emulated_ms);
        }
    }
    let mut counts = serde_json::Map::new();
    for (server, mut times) in by_server {
        times.sort_unstable();
        let mut max = 0;
        let mut start = 0;
        for end in 0..times.len() {
            while times[end] - times[start] >= 60_000 {
                start += 1;
            }
            max = max.max(end - start + 1);
        }
        counts.insert(server.to_owned(), json!({"v2_requests": times.len(), "max_in_any_60s": max}));
    }
    json!({"requests": world.log, "servers": counts})
}
