//! The controls other fakes' users ask for, on the engine with explicit times: faults by
//! operation with a probability and a latency, the seed, the state snapshot, per-resource
//! transitions, accounts and regions without v3, v3 throttling and the dashboard.

use serde_json::{Value, json};

use super::tests::{DFW_WEB_POOL, T, UNMANAGED, V3, answer, at, body, control, demo, pools, sign_in, text, v2_status};
use super::{Config, Engine, Request, Step};
use crate::clock::RealTime;
use crate::scenario::Scenario;

const FRESH: &str = "00000007-cccc-4ccc-8ccc-000000000007";
const FRESH_SOURCE: &str = "127.0.0.8";

fn post(path: &str, token: &str, json: &Value) -> Request {
    Request::new("POST", path)
        .with_header("X-Auth-Token", token)
        .with_header("Content-Type", "application/json")
        .with_body(json.to_string())
}

fn get(path: &str, token: &str) -> Request {
    Request::new("GET", path).with_header("X-Auth-Token", token)
}

fn add_node(token: &str, server: &str) -> Request {
    post(&format!("{V3}/load_balancer_pools/{DFW_WEB_POOL}/nodes"), token, &json!({"cloud_server": {"id": server}}))
}

fn add_ip(token: &str, server: &str) -> Request {
    post(&format!("{V3}/public_ips"), token, &json!({"cloud_server": {"id": server}}))
}

fn node_status(engine: &mut Engine, token: &str, id: &str, now: RealTime) -> (u16, Value) {
    let response = answer(engine, get(&format!("{V3}/load_balancer_pools/{DFW_WEB_POOL}/nodes/{id}"), token), now);
    let value = if response.status == 200 { body(&response) } else { Value::Null };
    (response.status, value)
}

fn seeded(seed: u64, now: RealTime) -> Engine {
    Engine::new(Scenario::demo(), Config { seed: Some(seed), ..Config::default() }, now)
}

#[test]
fn a_fault_picks_its_operation_and_leaves_the_others_alone() {
    let mut engine = demo();
    let token = sign_in(&mut engine, T);
    let fault = json!({"kind": "status", "status": 500, "operation": "v3.pool_nodes.add", "count": 1});
    assert_eq!(control(&mut engine, "POST", "faults", Some(fault), T).0, 201);
    assert_eq!(answer(&mut engine, pools(&token), T).status, 200, "another operation on the same prefix");
    assert_eq!(answer(&mut engine, add_node(&token, UNMANAGED), T).status, 500);
    assert_eq!(answer(&mut engine, add_node(&token, UNMANAGED), T).status, 201, "count 1: used up");
    // A prefix ending in '.' picks a family.
    let fault = json!({"kind": "status", "status": 502, "operation": "v3.public_ips.", "count": 2});
    assert_eq!(control(&mut engine, "POST", "faults", Some(fault), T).0, 201);
    assert_eq!(answer(&mut engine, get(&format!("{V3}/public_ips"), &token), T).status, 502);
    assert_eq!(answer(&mut engine, add_ip(&token, UNMANAGED), T).status, 502);
    let log = control(&mut engine, "GET", "requests", None, T).1;
    let last = log["requests"].as_array().and_then(|l| l.last()).cloned().unwrap_or_default();
    assert_eq!((last["operation"].as_str(), last["fault"].as_str()), (Some("v3.public_ips.add"), Some("status")));
    // The client's name for a call picks it too, and is kept as the table's.
    let fault = json!({"kind": "status", "status": 500, "operation": "v3.add_node", "count": 1});
    let (status, armed) = control(&mut engine, "POST", "faults", Some(fault), T);
    assert_eq!(status, 201);
    assert!(
        armed["faults"].as_array().is_some_and(|f| f.iter().any(|f| f["operation"] == "v3.pool_nodes.add")),
        "{armed}"
    );
    assert_eq!(answer(&mut engine, pools(&token), T).status, 200, "another operation");
    assert_eq!(answer(&mut engine, add_node(&token, UNMANAGED), T).status, 500);
    for (bad, wanted) in [
        (json!({"kind": "status", "operation": "v3.nope"}), "unknown operation"),
        (json!({"kind": "status", "probability": 1.5}), "probability"),
    ] {
        let (status, answer) = control(&mut engine, "POST", "faults", Some(bad), T);
        assert_eq!(status, 400);
        assert!(answer["error"].as_str().is_some_and(|e| e.contains(wanted)), "{answer}");
    }
    let (_, list) = control(&mut engine, "GET", "operations", None, T);
    assert!(list["operations"].as_array().is_some_and(|l| l.iter().any(|o| o["name"] == "servers.metadata")));
}

/// The statuses of `n` pool lists under a fault of probability one half, seeded.
fn coin_flips(seed: u64, start: RealTime, n: usize) -> Vec<u16> {
    let mut engine = seeded(seed, start);
    let token = sign_in(&mut engine, start);
    let fault =
        json!({"kind": "status", "status": 503, "operation": "v3.pools.list", "count": 1000, "probability": 0.5});
    assert_eq!(control(&mut engine, "POST", "faults", Some(fault), start).0, 201);
    (0..n).map(|_| answer(&mut engine, pools(&token), start).status).collect()
}

#[test]
fn a_probable_fault_hits_about_as_often_as_asked_and_repeats_with_its_seed() {
    let first = coin_flips(7, T, 400);
    let hits = first.iter().filter(|&&s| s == 503).count();
    assert!((150..=250).contains(&hits), "{hits} of 400 at probability 0.5");
    assert_eq!(first, coin_flips(7, T.plus_millis(3_600_000), 400), "the same seed, another start time");
    assert_ne!(first, coin_flips(8, T, 400), "another seed");
}

#[test]
fn a_fault_s_latency_comes_back_as_a_wait_before_its_status() {
    let mut engine = demo();
    let fault = json!({"kind": "status", "status": 504, "latency_ms": 250, "operation": "v2.status"});
    assert_eq!(control(&mut engine, "POST", "faults", Some(fault), T).0, 201);
    match engine.handle(v2_status("127.0.0.2"), T) {
        Step::Wait { delay_ms, held } => {
            assert_eq!(delay_ms, 250);
            assert_eq!(engine.resume(held, at(0.25)).status, 504);
        }
        Step::Answer(response) => panic!("answered at once with {}", response.status),
    }
    assert_eq!(answer(&mut engine, v2_status("127.0.0.2"), at(1.0)).status, 200);
}

/// What a seeded engine started at `start` answers to one sign-in, one new server, one node add
/// and one public IP: the ids, the token and the address.
fn seeded_answers(seed: u64, start: RealTime) -> Vec<String> {
    let mut engine = seeded(seed, start);
    let token = sign_in(&mut engine, start);
    let (_, server) = control(&mut engine, "POST", "servers", Some(json!({"built_seconds_ago": 3600})), start);
    let server = server["id"].as_str().expect("a server id").to_owned();
    let node = body(&answer(&mut engine, add_node(&token, &server), start));
    let ip = body(&answer(&mut engine, add_ip(&token, &server), start));
    let later = RealTime::from_unix_millis(start.unix_millis() + 60_000);
    let ip_now =
        body(&answer(&mut engine, get(&format!("{V3}/public_ips/{}", ip["id"].as_str().unwrap_or("")), &token), later));
    vec![token, server, node["id"].to_string(), ip["id"].to_string(), ip_now["public_ip_v4"].to_string()]
}

#[test]
fn the_same_seed_and_requests_give_the_same_ids_tokens_and_addresses() {
    let first = seeded_answers(42, T);
    assert_eq!(first, seeded_answers(42, T.plus_millis(86_400_000)), "the same seed a day later");
    let other = seeded_answers(43, T);
    for (a, b) in first.iter().zip(&other).take(4) {
        assert_ne!(a, b, "another seed gives other ids");
    }
    // Without a seed, runs at other times differ; a control call seeds a running engine.
    let token_after_seeding = |start: RealTime| {
        let mut engine = Engine::new(Scenario::demo(), Config::default(), start);
        let unseeded = sign_in(&mut engine, start);
        assert_eq!(control(&mut engine, "POST", "seed", Some(json!({"seed": 42})), start).1, json!({"seed": 42}));
        (unseeded, sign_in(&mut engine, start))
    };
    let (one, seeded_one) = token_after_seeding(T);
    let (two, seeded_two) = token_after_seeding(T.plus_millis(5_000));
    assert_ne!(one, two);
    assert_eq!(seeded_one, seeded_two);
    assert_eq!(control(&mut demo(), "POST", "seed", Some(json!({"seed": "x"})), T).0, 400);
}

#[test]
fn a_snapshot_loads_back_into_the_same_world() {
    let mut engine = seeded(5, T);
    let token = sign_in(&mut engine, T);
    let modes = json!({"pool_nodes": "manual"});
    assert_eq!(control(&mut engine, "POST", "transitions", Some(modes), T).0, 200);
    let node = body(&answer(&mut engine, add_node(&token, UNMANAGED), T));
    let node_id = node["id"].as_str().expect("a node id").to_owned();
    let (_, built) = control(&mut engine, "POST", "servers", Some(json!({"name": "late"})), at(10.0));
    let fault = json!({"kind": "status", "operation": "servers.detail", "count": 3});
    assert_eq!(control(&mut engine, "POST", "faults", Some(fault), at(10.0)).0, 201);
    let (status, state) = control(&mut engine, "GET", "state", None, at(20.0));
    assert_eq!(status, 200);

    // Another engine, another day: the same world.
    let text_state = state.to_string();
    let later = T.plus_millis(86_400_000);
    let mut again = Engine::new(Scenario::from_json(&text_state).expect("a scenario"), Config::default(), later);
    let (_, state_again) = control(&mut again, "GET", "state", None, later);
    let strip = |mut v: Value| {
        v["description"] = Value::Null;
        v
    };
    assert_eq!(strip(state.clone()), strip(state_again), "snapshot → load → snapshot is the same document");
    let (status, loaded) = node_status(&mut again, &token, &node_id, later);
    assert_eq!(status, 200, "the token still signs requests");
    assert_eq!((&loaded["status"], &loaded["cloud_server"]["id"]), (&json!("ADDING"), &json!(UNMANAGED)));
    let (_, summary) = control(&mut again, "GET", "", None, later);
    let late = summary["servers"].as_array().and_then(|s| s.iter().find(|s| s["name"] == "late")).cloned();
    assert_eq!(late.map(|s| s["id"].clone()), Some(built["id"].clone()));
    assert_eq!(summary["faults"][0]["count"], 3);
    // A new id after loading never repeats one in the snapshot.
    let fresh = body(&answer(&mut again, add_node(&token, APP_FAILED), later));
    assert_ne!(fresh["id"].as_str(), Some(node_id.as_str()));

    // PUT replaces the world; reset then goes back to what was PUT; a bad document is refused.
    let mut third = demo();
    let put = Request::new("PUT", "/__emulator/state").with_body(text_state);
    assert_eq!(answer(&mut third, put, T).status, 200);
    assert_eq!(node_status(&mut third, &token, &node_id, T).1["status"], "ADDING");
    assert_eq!(control(&mut third, "POST", "reset", None, at(1.0)).0, 200);
    assert_eq!(node_status(&mut third, &token, &node_id, at(1.0)).1["status"], "ADDING");
    let bad = answer(&mut third, Request::new("PUT", "/__emulator/state").with_body("{\"accounts\": 1}"), T);
    assert_eq!(bad.status, 400);
    assert!(text(&bad).contains("expected a scenario document"), "{}", text(&bad));
}

/// A DFW server of the demo account built an hour before the start, in no pool.
const APP_FAILED: &str = "00000003-cccc-4ccc-8ccc-000000000003";

#[test]
fn transitions_are_immediate_timed_or_manual_per_kind() {
    let mut engine = demo();
    let token = sign_in(&mut engine, T);
    // Manual: a node stays ADDING an hour later, until advanced by its id.
    control(&mut engine, "POST", "transitions", Some(json!({"pool_nodes": "manual", "public_ips": "immediate"})), T);
    let id = body(&answer(&mut engine, add_node(&token, UNMANAGED), T))["id"].as_str().unwrap_or("").to_owned();
    assert_eq!(node_status(&mut engine, &token, &id, at(3600.0)).1["status"], "ADDING");
    let (status, advanced) = control(&mut engine, "POST", "transitions/advance", Some(json!({"id": id})), at(3600.0));
    assert_eq!((status, advanced["advanced"].as_u64()), (200, Some(1)));
    assert_eq!(node_status(&mut engine, &token, &id, at(3600.0)).1["status"], "ACTIVE");
    // Immediate: the public IP is ACTIVE with its address on the next request, at the same time.
    let ip = body(&answer(&mut engine, add_ip(&token, UNMANAGED), at(3600.0)));
    assert_eq!(ip["status"], "ADDING");
    let ip_path = format!("{V3}/public_ips/{}", ip["id"].as_str().unwrap_or(""));
    let now_ip = body(&answer(&mut engine, get(&ip_path, &token), at(3600.0)));
    assert_eq!(now_ip["status"], "ACTIVE");
    assert!(now_ip["public_ip_v4"].is_string());
    // Manual removal, advanced by kind.
    let remove = Request::new("DELETE", &format!("{V3}/load_balancer_pools/{DFW_WEB_POOL}/nodes/{id}"))
        .with_header("X-Auth-Token", &token);
    assert_eq!(answer(&mut engine, remove, at(3601.0)).status, 204);
    assert_eq!(node_status(&mut engine, &token, &id, at(7200.0)).1["status"], "REMOVING");
    control(&mut engine, "POST", "transitions/advance", Some(json!({"kind": "pool_nodes"})), at(7200.0));
    assert_eq!(node_status(&mut engine, &token, &id, at(7200.0)).0, 404, "gone");
    // Timed, with a duration set by control call.
    let timed = json!({"pool_nodes": "timed", "v3_add_seconds": 100});
    assert_eq!(control(&mut engine, "POST", "transitions", Some(timed), at(7200.0)).1["v3_add_seconds"], 100.0);
    let id =
        body(&answer(&mut engine, add_node(&token, UNMANAGED), at(7200.0)))["id"].as_str().unwrap_or("").to_owned();
    assert_eq!(node_status(&mut engine, &token, &id, at(7299.0)).1["status"], "ADDING");
    assert_eq!(node_status(&mut engine, &token, &id, at(7300.0)).1["status"], "ACTIVE");
    // Bad bodies say what was expected.
    let (status, error) = control(&mut engine, "POST", "transitions", Some(json!({"pool_nodes": "soon"})), at(7300.0));
    assert_eq!(status, 400);
    assert!(
        error["error"].as_str().is_some_and(|e| e.contains("immediate") && e.ends_with(r#", found "soon""#)),
        "{error}"
    );
    assert_eq!(control(&mut engine, "POST", "transitions/advance", Some(json!({"id": "nope"})), at(7300.0)).0, 404);
    // And what they found instead.
    let refused = |engine: &mut Engine, path: &str, body: Value| {
        let (status, error) = control(engine, "POST", path, Some(body), at(7300.0));
        assert_eq!(status, 400, "{error}");
        error["error"].as_str().unwrap_or_default().to_owned()
    };
    assert!(refused(&mut engine, "transitions/advance", json!({"kind": "bogus"})).ends_with(r#"found "bogus""#));
    assert!(refused(&mut engine, "transitions/advance", json!({"what": 1})).ends_with(r#"found the field "what""#));
    assert!(refused(&mut engine, "clock", json!({"advance_seconds": -5})).ends_with("(ten years), found -5"));
    // A number given as text is refused, not skipped (the clock would not have moved).
    let text = refused(&mut engine, "clock", json!({"advance_seconds": "5"}));
    assert_eq!(text, r#"advance_seconds: expected a number, found "5""#);
}

#[test]
fn automation_held_by_manual_transitions_waits_for_advance() {
    let mut scenario = Scenario::demo();
    scenario.transitions.automation = crate::scenario::Mode::Manual;
    let mut engine = Engine::new(scenario, Config::default(), T);
    // "fresh" is built at T: its automation would take two minutes.
    assert_eq!(text(&answer(&mut engine, v2_status(FRESH_SOURCE), at(3600.0))), "DEPLOYING\n");
    // web1, built a day ago, finished long before: not held.
    assert_eq!(text(&answer(&mut engine, v2_status("127.0.0.2"), at(3600.0))), "DEPLOYED\n");
    let (_, advanced) = control(&mut engine, "POST", "transitions/advance", Some(json!({"id": FRESH})), at(3600.0));
    assert_eq!(advanced["advanced"], 1);
    assert_eq!(text(&answer(&mut engine, v2_status(FRESH_SOURCE), at(3600.0))), "DEPLOYED\n");

    let mut scenario = Scenario::demo();
    scenario.transitions.automation = crate::scenario::Mode::Immediate;
    let mut engine = Engine::new(scenario, Config::default(), T);
    assert_eq!(text(&answer(&mut engine, v2_status(FRESH_SOURCE), T)), "DEPLOYED\n");
}

fn catalog_types(engine: &mut Engine, username: &str, password: &str) -> Value {
    let credentials = json!({"auth": {"passwordCredentials": {"username": username, "password": password}}});
    let response = answer(engine, Request::new("POST", "/v2.0/tokens").with_body(credentials.to_string()), T);
    assert_eq!(response.status, 200, "{}", text(&response));
    body(&response)["access"].clone()
}

#[test]
fn accounts_and_regions_without_v3_lack_the_endpoint_and_the_role() {
    let mut scenario = Scenario::demo();
    scenario.accounts[0].rackconnect_v3_regions = vec!["LON".into()];
    let mut engine = Engine::new(scenario, Config::default(), T);
    let access = catalog_types(&mut engine, "demo", "demo-password");
    let rackconnect =
        access["serviceCatalog"].as_array().and_then(|c| c.iter().find(|s| s["type"] == "rax:rackconnect"));
    let regions: Vec<&Value> = rackconnect
        .and_then(|s| s["endpoints"].as_array().map(|e| e.iter().map(|e| &e["region"]).collect()))
        .unwrap_or_default();
    assert_eq!(regions, vec![&json!("LON")]);
    let roles = access["user"]["roles"].to_string();
    assert!(roles.contains("rackconnect:v3-LON") && !roles.contains("rackconnect:v3-DFW"), "{roles}");
    let token = access["token"]["id"].as_str().unwrap_or("").to_owned();
    assert_eq!(answer(&mut engine, pools(&token), T).status, 403, "DFW has no v3 for this account");

    let mut scenario = Scenario::demo();
    scenario.accounts[0].rackconnect_v3_regions.clear();
    let mut engine = Engine::new(scenario, Config::default(), T);
    let access = catalog_types(&mut engine, "demo", "demo-password");
    assert!(!access["serviceCatalog"].to_string().contains("rax:rackconnect"), "no v3 endpoint at all");
    assert!(!access["user"]["roles"].to_string().contains("rackconnect:v3"), "no v3 role at all");
}

#[test]
fn v3_throttling_answers_its_status_with_retry_after_until_the_minute_turns() {
    for status in [413, 429] {
        let mut scenario = Scenario::demo();
        scenario.v3_throttle = Some(crate::scenario::Throttle { requests_per_minute: 3, status });
        let mut engine = Engine::new(scenario, Config::default(), T);
        let token = sign_in(&mut engine, T);
        for _ in 0..3 {
            assert_eq!(answer(&mut engine, pools(&token), at(10.0)).status, 200);
        }
        let limited = answer(&mut engine, pools(&token), at(10.0));
        assert_eq!(limited.status, status);
        assert_eq!(limited.header("Retry-After"), Some("50"), "seconds to the next minute");
        assert_eq!(body(&limited)["overLimit"]["retryAfter"], "50");
        assert_eq!(answer(&mut engine, pools(&token), at(60.0)).status, 200, "a new minute");
    }
    let refused = Scenario::from_json(r#"{"accounts": [], "v3_throttle": {"requests_per_minute": 1, "status": 200}}"#);
    assert!(refused.is_err_and(|e| e.contains("expected 413 or 429")));
}

#[test]
fn the_dashboard_answers_a_browser_with_a_page_and_others_with_json() {
    let mut engine = demo();
    for _ in 0..3 {
        let _ = answer(&mut engine, v2_status("127.0.0.2"), T);
    }
    let page = answer(&mut engine, Request::new("GET", "/__emulator/").with_header("Accept", "text/html,*/*"), T);
    assert_eq!(page.status, 200);
    assert!(page.header("Content-Type").is_some_and(|t| t.starts_with("text/html")));
    let html = text(&page);
    assert!(html.contains("<td>web1</td>") && html.contains("web1 (ACTIVE)"), "a server and a pool member");
    assert!(html.contains("<td>3</td>"), "web1's three v2 requests");
    assert!(!html.contains("src=") && !html.contains("href="), "nothing from elsewhere");
    let json = answer(&mut engine, Request::new("GET", "/__emulator/").with_header("Accept", "application/json"), T);
    assert!(body(&json)["servers"].is_array());
    assert!(body(&answer(&mut engine, Request::new("GET", "/__emulator/"), T))["servers"].is_array());
}
