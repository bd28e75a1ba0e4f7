//! The engine with no socket: every request handed in with an explicit real time.

use serde_json::{Value, json};

use super::{Body, BodyPlan, Config, Disposition, Engine, Request, Response, Step, body_plan};
use crate::clock::{RealTime, http_date};
use crate::scenario::Scenario;

/// A minute boundary (1,800,000,000,000 ms is 30,000,000 whole minutes), so the v2 limit's minute
/// starts at T.
pub(super) const T: RealTime = RealTime::from_unix_millis(1_800_000_000_000);

pub(super) const V3: &str = "/rackconnect/DFW/v3/123456";
pub(super) const DFW_WEB_POOL: &str = "00000001-bbbb-4bbb-8bbb-dfw000000001";
pub(super) const UNMANAGED: &str = "0000000a-cccc-4ccc-8ccc-00000000000a";
pub(super) const WEB1_SOURCE: &str = "127.0.0.2";
pub(super) const WEB2_SOURCE: &str = "127.0.0.3";

pub(super) fn at(seconds: f64) -> RealTime {
    T.plus_millis((seconds * 1000.0) as i64)
}

pub(super) fn demo() -> Engine {
    Engine::new(Scenario::demo(), Config::default(), T)
}

pub(super) fn answer(engine: &mut Engine, request: Request, now: RealTime) -> Response {
    match engine.handle(request, now) {
        Step::Answer(response) => response,
        Step::Wait { delay_ms, .. } => panic!("an unexpected wait of {delay_ms} ms"),
    }
}

pub(super) fn body(response: &Response) -> Value {
    serde_json::from_slice(&response.body)
        .unwrap_or_else(|e| panic!("{e}: {:?}", String::from_utf8_lossy(&response.body)))
}

pub(super) fn text(response: &Response) -> String {
    String::from_utf8_lossy(&response.body).into_owned()
}

pub(super) fn control(
    engine: &mut Engine,
    method: &str,
    path: &str,
    json: Option<Value>,
    now: RealTime,
) -> (u16, Value) {
    let mut request = Request::new(method, &format!("/__emulator/{path}"));
    if let Some(json) = json {
        request = request.with_header("Content-Type", "application/json").with_body(json.to_string());
    }
    let response = answer(engine, request, now);
    let value = if response.body.is_empty() { Value::Null } else { body(&response) };
    (response.status, value)
}

pub(super) fn sign_in(engine: &mut Engine, now: RealTime) -> String {
    let credentials = json!({"auth": {"RAX-KSKEY:apiKeyCredentials": {"username": "demo", "apiKey": "demo-api-key"}}});
    let request = Request::new("POST", "/v2.0/tokens")
        .with_header("Content-Type", "application/json")
        .with_body(credentials.to_string());
    let response = answer(engine, request, now);
    assert_eq!(response.status, 200, "{}", text(&response));
    body(&response)["access"]["token"]["id"].as_str().expect("a token id").to_owned()
}

pub(super) fn pools(token: &str) -> Request {
    Request::new("GET", &format!("{V3}/load_balancer_pools")).with_header("X-Auth-Token", token)
}

pub(super) fn v2_status(source: &str) -> Request {
    Request::new("GET", "/v1/automation_status").with_source_ip(source)
}

pub(super) fn log(engine: &mut Engine, now: RealTime) -> Vec<Value> {
    control(engine, "GET", "requests", None, now).1["requests"].as_array().cloned().expect("a log")
}

#[test]
fn a_server_built_at_t_is_deployed_when_handed_t_plus_its_automation() {
    let mut engine = demo();
    // web2's four tasks take two minutes from T.
    assert_eq!(text(&answer(&mut engine, v2_status(WEB2_SOURCE), T)), "DEPLOYING\n");
    assert_eq!(text(&answer(&mut engine, v2_status(WEB2_SOURCE), at(119.9))), "DEPLOYING\n");
    assert_eq!(text(&answer(&mut engine, v2_status(WEB2_SOURCE), at(120.0))), "DEPLOYED\n");
    // Nothing moves between requests: the engine reads no clock.
    assert_eq!(engine.now(), at(120.0).unix_millis());
}

#[test]
fn a_token_expires_when_handed_a_later_time() {
    let mut engine = demo();
    let token = sign_in(&mut engine, T);
    assert_eq!(answer(&mut engine, pools(&token), at(3_600.0)).status, 200);
    // The demo's tokens live a day of emulated time.
    assert_eq!(answer(&mut engine, pools(&token), at(86_399.999)).status, 200);
    let late = answer(&mut engine, pools(&token), at(86_400.0));
    assert_eq!(late.status, 401, "{}", text(&late));
    assert_eq!(body(&late)["unauthorized"]["code"], 401);
}

#[test]
fn v2_answers_403_past_30_requests_in_one_minute_and_200_the_next() {
    let mut engine = demo();
    for i in 0..30 {
        let response = answer(&mut engine, v2_status(WEB1_SOURCE), at(f64::from(i)));
        assert_eq!(response.status, 200, "request {}", i + 1);
    }
    let limited = answer(&mut engine, v2_status(WEB1_SOURCE), at(59.999));
    assert_eq!((limited.status, text(&limited).as_str()), (403, "Rate limit exceeded: 30 requests per minute"));
    let next = answer(&mut engine, v2_status(WEB1_SOURCE), at(60.0));
    assert_eq!((next.status, text(&next).as_str()), (200, "DEPLOYED\n"));
    // The log names the server the source address maps to.
    let entries = log(&mut engine, at(61.0));
    assert_eq!(entries.len(), 32);
    assert!(entries.iter().all(|e| e["server_id"] == "00000001-cccc-4ccc-8ccc-000000000001"), "{entries:?}");
}

#[test]
fn v3_transitions_follow_the_time_handed_in() {
    let mut engine = demo();
    let token = sign_in(&mut engine, T);
    let add = Request::new("POST", &format!("{V3}/load_balancer_pools/{DFW_WEB_POOL}/nodes"))
        .with_header("X-Auth-Token", &token)
        .with_body(json!({"cloud_server": {"id": UNMANAGED}}).to_string());
    let added = answer(&mut engine, add, T);
    assert_eq!(added.status, 201, "{}", text(&added));
    assert_eq!(body(&added)["status"], "ADDING");
    let id = body(&added)["id"].as_str().expect("a node id").to_owned();
    let node = |engine: &mut Engine, now| {
        let request = Request::new("GET", &format!("{V3}/load_balancer_pools/{DFW_WEB_POOL}/nodes/{id}"))
            .with_header("X-Auth-Token", &token);
        body(&answer(engine, request, now))["status"].clone()
    };
    assert_eq!(node(&mut engine, at(3.999)), "ADDING");
    assert_eq!(node(&mut engine, at(4.0)), "ACTIVE", "v3_add_seconds is 4");
}

#[test]
fn a_delay_fault_comes_back_as_a_wait_and_the_request_is_answered_when_resumed() {
    let mut engine = demo();
    let token = sign_in(&mut engine, T);
    let fault = json!({"kind": "delay", "delay_ms": 300, "path_prefix": "/rackconnect/"});
    assert_eq!(control(&mut engine, "POST", "faults", Some(fault), T).0, 201);
    let (_, logged) = control(&mut engine, "DELETE", "requests", None, T);
    assert_eq!(logged, Value::Null);
    // Another path is not delayed.
    let other = Request::new("GET", "/servers/DFW/v2/123456/servers/detail").with_header("X-Auth-Token", &token);
    assert_eq!(answer(&mut engine, other, T).status, 200);
    let Step::Wait { delay_ms, held } = engine.handle(pools(&token), at(1.0)) else { panic!("expected a wait") };
    assert_eq!(delay_ms, 300);
    assert_eq!(control(&mut engine, "GET", "faults", None, at(1.0)).1["faults"], json!([]), "taken on arrival");
    assert_eq!(log(&mut engine, at(1.1)).len(), 1, "logged only once answered");
    let response = engine.resume(held, at(1.3));
    assert_eq!((response.status, response.disposition), (200, Disposition::Complete));
    assert_eq!(body(&response).as_array().map(Vec::len), Some(3), "the three DFW pools");
    let entries = log(&mut engine, at(2.0));
    let last = entries.last().expect("an entry");
    assert_eq!((last["fault"].as_str(), last["real_ms"].as_u64()), (Some("delay"), Some(1_300)));
    assert_eq!(last["emulated_ms"], at(1.3).unix_millis());
}

#[test]
fn reset_truncate_and_status_faults() {
    let mut engine = demo();
    let token = sign_in(&mut engine, T);
    let whole = answer(&mut engine, pools(&token), T);

    control(&mut engine, "POST", "faults", Some(json!({"kind": "reset"})), T);
    let reset = answer(&mut engine, pools(&token), T);
    assert_eq!(reset, Response { status: 0, headers: Vec::new(), body: Vec::new(), disposition: Disposition::Reset });

    control(&mut engine, "POST", "faults", Some(json!({"kind": "truncate"})), T);
    let truncated = answer(&mut engine, pools(&token), T);
    assert_eq!(truncated.disposition, Disposition::Truncate { at: whole.body.len() / 2 });
    assert_eq!(truncated.body, whole.body, "the whole body, for its length to be announced");

    let fault = json!({"kind": "status", "status": 503, "count": 2, "retry_after": 7});
    control(&mut engine, "POST", "faults", Some(fault), T);
    for _ in 0..2 {
        let refused = answer(&mut engine, pools(&token), T);
        assert_eq!((refused.status, refused.header("Retry-After")), (503, Some("7")));
        assert_eq!(body(&refused), json!({"errors": ["Injected fault"]}));
    }
    assert_eq!(answer(&mut engine, pools(&token), T).status, 200, "used up");

    let seen: Vec<(u64, Option<String>)> = log(&mut engine, T)
        .iter()
        .skip(1) // the sign-in
        .map(|e| (e["status"].as_u64().unwrap_or(999), e["fault"].as_str().map(str::to_owned)))
        .collect();
    let status = Some("status".to_owned());
    let expected = vec![
        (200, None),
        (0, Some("reset".to_owned())),
        (200, Some("truncate".to_owned())),
        (503, status.clone()),
        (503, status),
        (200, None),
    ];
    assert_eq!(seen, expected);
}

#[test]
fn the_clock_is_told_the_time_and_dates_every_answer() {
    let mut engine = demo();
    let (status, clock) = control(&mut engine, "POST", "clock", Some(json!({"speed": 60})), T);
    assert_eq!((status, clock["now_ms"].as_i64()), (200, Some(T.unix_millis())));
    // A second of real time is a minute of emulated time.
    let (_, clock) = control(&mut engine, "GET", "clock", None, at(1.0));
    assert_eq!(clock["now_ms"].as_i64(), Some(T.unix_millis() + 60_000));
    // A time told out of order never moves it back.
    let response = answer(&mut engine, Request::new("GET", "/__emulator/clock"), at(0.5));
    assert_eq!(body(&response)["now_ms"].as_i64(), Some(T.unix_millis() + 60_000));
    assert_eq!(response.header("Date"), Some(http_date(T.unix_millis() + 60_000).as_str()));
    // Jumps add to it.
    control(&mut engine, "POST", "clock", Some(json!({"advance_seconds": 86_400})), at(1.0));
    let missing = answer(&mut engine, Request::new("GET", "/nowhere"), at(1.0));
    assert_eq!(missing.status, 404);
    assert_eq!(missing.header("Date"), Some(http_date(T.unix_millis() + 60_000 + 86_400_000).as_str()));
}

#[test]
fn body_limits_and_late_bodies_are_answered_by_the_engine() {
    let mut engine = demo();
    let declared = |length: &str| vec![("Content-Length".to_owned(), length.to_owned())];
    assert_eq!(body_plan(&declared("1048576")), BodyPlan::Read { limit: 1024 * 1024 });
    assert_eq!(body_plan(&declared("2000000000")), BodyPlan::Refuse);
    assert_eq!(body_plan(&[]), BodyPlan::Read { limit: 1024 * 1024 });

    let mut too_large = Request::new("POST", "/v2.0/tokens");
    too_large.body = Body::TooLarge;
    let response = answer(&mut engine, too_large, T);
    assert_eq!(response.status, 413);
    assert_eq!(body(&response)["overLimit"]["message"], "Request body larger than 1048576 bytes");
    // A host that reads more than the limit anyway is answered the same.
    let oversized = Request::new("POST", "/v2.0/tokens").with_body(vec![b' '; 1024 * 1024 + 1]);
    assert_eq!(answer(&mut engine, oversized, T).status, 413);

    let mut late = Request::new("POST", "/v2.0/tokens");
    late.body = Body::TimedOut;
    let response = answer(&mut engine, late, T);
    assert_eq!((response.status, body(&response)["requestTimeout"]["code"].as_u64()), (408, Some(408)));
    assert!(log(&mut engine, T).is_empty(), "refused bodies are not logged");
}

#[test]
fn cors_preflights_and_headers_only_when_asked_for() {
    let mut engine = Engine::new(Scenario::demo(), Config { cors: true, ..Config::default() }, T);
    let mut preflight = Request::new("OPTIONS", &format!("{V3}/load_balancer_pools"));
    preflight.body = Body::TooLarge; // answered before the body matters
    let response = answer(&mut engine, preflight, T);
    assert_eq!((response.status, response.header("Access-Control-Allow-Origin")), (204, Some("*")));
    let missing = answer(&mut engine, Request::new("GET", "/nowhere"), T);
    assert_eq!(missing.header("Access-Control-Expose-Headers").map(|h| h.contains("Retry-After")), Some(true));

    let mut plain = demo();
    let response = answer(&mut plain, Request::new("OPTIONS", "/v2.0/tokens"), T);
    assert_eq!((response.status, response.header("Access-Control-Allow-Origin")), (405, None));
}

#[test]
fn the_same_requests_at_the_same_times_get_the_same_answers() {
    let run = || {
        let mut engine = demo();
        let token = sign_in(&mut engine, T);
        let add = Request::new("POST", &format!("{V3}/public_ips"))
            .with_header("X-Auth-Token", &token)
            .with_body(json!({"cloud_server": {"id": UNMANAGED}}).to_string());
        let added = answer(&mut engine, add, at(1.0));
        (token, added.status, added.body, added.headers)
    };
    assert_eq!(run(), run());
}

#[test]
fn the_catalog_points_at_the_url_the_client_reached() {
    let mut engine = demo();
    let credentials = json!({"auth": {"RAX-KSKEY:apiKeyCredentials": {"username": "demo", "apiKey": "demo-api-key"}}});
    let request = Request::new("POST", "/v2.0/tokens")
        .with_base_url("http://emulator.test:1234")
        .with_body(credentials.to_string());
    let access = body(&answer(&mut engine, request, T));
    let urls: Vec<&str> = access["access"]["serviceCatalog"]
        .as_array()
        .into_iter()
        .flatten()
        .flat_map(|s| s["endpoints"].as_array().into_iter().flatten())
        .filter_map(|e| e["publicURL"].as_str())
        .collect();
    assert!(!urls.is_empty() && urls.iter().all(|u| u.starts_with("http://emulator.test:1234/")), "{urls:?}");
}

#[test]
fn a_reset_builds_the_scenario_world_again_at_the_time_told() {
    let mut engine = Engine::new(Scenario::demo(), Config { clock_speed: Some(60.0), ..Config::default() }, T);
    let token = sign_in(&mut engine, T);
    let (status, built) = control(&mut engine, "POST", "servers", Some(json!({"name": "extra"})), T);
    assert_eq!(status, 201);
    control(&mut engine, "POST", "clock", Some(json!({"advance_seconds": 3600, "speed": 0})), T);
    control(&mut engine, "POST", "faults", Some(json!({"kind": "status", "count": 5})), T);
    assert_eq!(answer(&mut engine, pools(&token), T).status, 503);

    let (status, summary) = control(&mut engine, "POST", "reset", None, at(2.0));
    assert_eq!(status, 200);
    // The clock starts again at the time told, at the speed the engine was made with.
    assert_eq!(summary["clock"]["now_ms"].as_i64(), Some(at(2.0).unix_millis()));
    assert_eq!(summary["clock"]["speed"].as_f64(), Some(60.0));
    assert_eq!(summary["faults"], json!([]));
    assert_eq!(summary["requests_logged"], 0);
    let names: Vec<&str> =
        summary["servers"].as_array().into_iter().flatten().filter_map(|s| s["name"].as_str()).collect();
    assert!(names.contains(&"web2") && !names.contains(&"extra"), "{names:?}");
    assert!(summary["servers"].as_array().into_iter().flatten().all(|s| s["id"] != built["id"]));
    // web2 is being built again, from the reset.
    assert_eq!(text(&answer(&mut engine, v2_status(WEB2_SOURCE), at(2.0))), "DEPLOYING\n");
    // Tokens are forgotten.
    assert_eq!(answer(&mut engine, pools(&token), at(2.0)).status, 401);
    let (status, _) = control(&mut engine, "GET", "reset", None, at(2.0));
    assert_eq!(status, 404);
}

#[test]
fn the_built_in_scenarios_are_valid_and_named() {
    for (name, text) in crate::scenario::BUILT_IN {
        assert!(Scenario::from_json(text).is_ok(), "{name}");
        assert_eq!(crate::scenario::built_in(name), Some(text));
    }
    assert_eq!(crate::scenario::built_in("demo"), Some(crate::scenario::DEFAULT_SCENARIO));
    assert_eq!(crate::scenario::built_in("nope"), None);
}

#[test]
fn a_scenario_mistake_is_named_by_its_line_and_column() {
    let wrong = "{\"accounts\": [{\"tenant\": \"1\",\n \"users\": [{\"username\": 7}]}]}";
    let message = Scenario::from_json(wrong).expect_err("a number for a name");
    assert!(message.starts_with("invalid scenario: invalid type: integer `7`"), "{message}");
    assert!(message.ends_with("at line 2 column 25"), "{message}");
    let top = Scenario::from_json(r#"{"acounts": []}"#).expect_err("an unknown field");
    assert!(top.starts_with("invalid scenario: unknown field `acounts`"), "{top}");
    let syntax = Scenario::from_json("{ not json").expect_err("not JSON");
    assert!(syntax.starts_with("invalid scenario: key must be a string"), "{syntax}");
}
