//! One test per defect found in the client policy (issue 10), named after it, each on the core's
//! machines with scripted answers and simulated time.

use rackconnect::client::work::{self, AsJson, JsonTask};
use rackconnect::client::{Action, Auth, Exchange, ExchangeConfig, Task};
use rackconnect::ensure::{EnsureOptions, MembershipPlanner, Presence};
use rackconnect::identity::{Credentials, IdentityEndpoint};
use rackconnect::v3::V3Endpoint;
use rackconnect::wait::{Event, Machine, Millis, RateBudget, Step, WaitConfig};
use rackconnect::{ApiKey, BaseUrl, PoolId, Request, Response, ServerId, Token};
use serde_json::{Value, json};

const SERVER: &str = "d95ae0c4-6ab8-4873-b82f-f8433840cff2";
const POOL: &str = "d6d3aa7c-dfa5-4e61-96ee-1d54ac1075d2";
const NODE: &str = "1860451d-fb89-45b8-b54e-151afceb50e5";

fn endpoint() -> V3Endpoint {
    V3Endpoint::BaseUrl(BaseUrl::new("endpoint", "https://dfw.rc.example.test/v3/123456").expect("url"))
}

fn node(status: &str) -> Value {
    json!({"id": NODE, "cloud_server": {"id": SERVER}, "load_balancer_pool": {"id": POOL}, "status": status,
           "status_detail": null, "created": "2014-05-30T03:23:42Z", "updated": null})
}

/// Drives a machine with `answer`, 50 ms a request; the result, the requests and the events.
fn drive<M: Machine>(
    machine: &mut M,
    mut answer: impl FnMut(&Request) -> Response,
) -> (M::Output, Vec<Request>, Vec<Event>) {
    let (mut now, mut sent, mut events) = (0, Vec::new(), Vec::new());
    let mut budget = RateBudget::api();
    for _ in 0..10_000 {
        let step = machine.poll(now, &mut budget);
        events.extend(machine.take_events());
        match step {
            Step::Send(request) => {
                machine.on_response(now, &answer(&request));
                events.extend(machine.take_events());
                sent.push(request);
                now += 50;
            }
            Step::SleepUntil(at) => now = at.max(now + 1),
            Step::Finished(output) => return (output, sent, events),
        }
    }
    panic!("never finished");
}

fn pairs() -> Vec<(ServerId, PoolId)> {
    vec![(ServerId::new(SERVER).expect("id"), PoolId::new(POOL).expect("id"))]
}

#[test]
fn an_ensure_that_changes_nothing_says_changed_false_in_its_events() {
    let mut planner =
        MembershipPlanner::new(endpoint(), Token::new("t"), pairs(), Presence::Present, EnsureOptions::default(), 0);
    let (result, _, events) = drive(&mut planner, |_| Response::new(200, json!([node("ACTIVE")]).to_string()));
    assert!(!result.changed, "{result:?}");
    let statuses: Vec<&Event> = events.iter().filter(|e| matches!(e, Event::Status { .. })).collect();
    assert!(!statuses.is_empty(), "the settled node is still reported: {events:?}");
    assert!(statuses.iter().all(|e| matches!(e, Event::Status { changed: false, .. })), "{events:?}");
}

#[test]
fn membership_plan_is_kept_as_first_made_after_a_409() {
    let mut planner =
        MembershipPlanner::new(endpoint(), Token::new("t"), pairs(), Presence::Present, EnsureOptions::default(), 0);
    let already = format!("Cloud Server {SERVER} is already a member of Load Balancer Pool {POOL}");
    let mut listed = 0;
    let (mut result, _, _) = drive(&mut planner, |request| match request.method.as_str() {
        // Not a member at first; another client adds it before our bulk add lands.
        "GET" => {
            listed += 1;
            Response::new(200, if listed == 1 { json!([]) } else { json!([node("ACTIVE")]) }.to_string())
        }
        _ => Response::new(409, json!({"errors": [already]}).to_string()),
    });
    rackconnect::client::Verdict::judge(&mut result);
    assert_eq!(result.plan.add.len(), 1, "the plan as first made: {result:?}");
    assert_eq!(result.settled_by_conflict.len(), 1, "{result:?}");
    assert!(result.added.is_empty() && !result.changed, "{result:?}");
    assert!(result.ok && result.summary.contains("1 found already done"), "{}", result.summary);
}

/// The times at which an exchange retries a read that keeps failing, with the driver's `seed`.
fn retry_times(seed: u64) -> Vec<Millis> {
    let task = work::nodes_wait(
        vec![(PoolId::new(POOL).expect("id"), NODE.to_owned())],
        rackconnect::wait::Target::Active,
        WaitConfig { timeout_ms: 60_000, ..WaitConfig::default() },
    );
    let auth = Auth::new(
        IdentityEndpoint::parse("https://identity.example.test").expect("url"),
        Credentials::ApiKey { username: "demo".into(), api_key: ApiKey::new("k") },
        None,
    );
    let access = json!({"access": {"token": {"id": "tok", "expires": "2099-01-01T00:00:00Z"},
        "serviceCatalog": [{"type": "rax:rackconnect", "name": "rackconnect",
            "endpoints": [{"region": "DFW", "publicURL": "https://dfw.rc.example.test/v3/1"}]}],
        "user": {"name": "demo"}}});
    let config = ExchangeConfig { region: Some(rackconnect::Region::Dfw), seed, ..ExchangeConfig::default() };
    let mut exchange = Exchange::new(AsJson(task), Some(auth), RateBudget::api(), config);
    let (mut now, mut times) = (0, Vec::new());
    for _ in 0..1_000 {
        match exchange.poll(now) {
            Action::Send(out) if out.request.url.ends_with("/tokens") => {
                exchange.on_response(now, &Response::new(200, access.to_string()));
            }
            Action::Send(_) => {
                times.push(now);
                exchange.on_response(now, &Response::new(503, ""));
            }
            Action::SleepUntil(at) => now = at,
            Action::Finished(_) => return times,
        }
    }
    times
}

#[test]
fn backoff_jitter_comes_from_the_driver_not_a_constant_seed() {
    assert_eq!(retry_times(7), retry_times(7), "the same seed, the same schedule");
    assert_ne!(retry_times(7), retry_times(8), "two clients do not retry in lockstep");
}

#[test]
fn base_url_is_loopback_refuses_127_evil_example() {
    assert!(!BaseUrl::new("u", "http://127.evil.example").expect("url").is_loopback());
    assert!(BaseUrl::new("u", "http://127.0.0.1:8080").expect("url").is_loopback());
}

#[test]
fn a_configuration_error_ends_a_wait_at_once() {
    // An insecure v2 URL: refused before anything is sent, not retried until the timeout.
    let endpoint = rackconnect::v2::V2Endpoint::BaseUrl(BaseUrl::new("v2_url", "http://example.invalid").expect("url"));
    let task: JsonTask = Box::new(AsJson(work::v2_wait(endpoint, WaitConfig::default())));
    let mut exchange = Exchange::new(task, None, RateBudget::v2(), ExchangeConfig::default());
    match exchange.poll(0) {
        Action::Finished(Err(error)) => {
            assert!(error.is_configuration(), "{error}");
            assert_eq!(error.class(), rackconnect::ErrorClass::TransportError);
        }
        other => panic!("expected the end at once, got {other:?}"),
    }
    assert_eq!(exchange.requests_sent(), 0);
}

#[test]
fn every_wait_and_ensure_result_carries_the_cores_verdict() {
    let task = work::nodes_wait(
        vec![(PoolId::new(POOL).expect("id"), NODE.to_owned())],
        rackconnect::wait::Target::Active,
        WaitConfig { timeout_ms: 0, ..WaitConfig::default() },
    );
    assert!(task.timeout_ms().is_some());
    let mut planner = MembershipPlanner::new(
        endpoint(),
        Token::new("t"),
        pairs(),
        Presence::Present,
        EnsureOptions { dry_run: true, ..EnsureOptions::default() },
        0,
    );
    let (mut result, _, _) = drive(&mut planner, |_| Response::new(200, "[]"));
    rackconnect::client::Verdict::judge(&mut result);
    assert!(result.ok && result.dry_run);
    assert_eq!(result.summary, "dry run: would change (1 to add, 0 to remove, 0 already as wanted)");
}

#[test]
fn a_cancel_while_a_request_is_in_flight_ends_at_the_next_poll() {
    let task = work::nodes_wait(
        vec![(PoolId::new(POOL).expect("id"), NODE.to_owned())],
        rackconnect::wait::Target::Active,
        WaitConfig::default(),
    );
    let auth = Auth::new(
        IdentityEndpoint::parse("https://identity.example.test").expect("url"),
        Credentials::ApiKey { username: "demo".into(), api_key: ApiKey::new("k") },
        None,
    );
    let mut exchange = Exchange::new(AsJson(task), Some(auth), RateBudget::api(), ExchangeConfig::default());
    assert!(matches!(exchange.poll(0), Action::Send(_)), "the sign-in goes out");
    // The driver abandons the request on a cancel, and reports nothing more for it.
    exchange.cancel();
    match exchange.poll(1) {
        Action::Finished(Err(error)) => assert_eq!(error.kind(), "cancelled"),
        other => panic!("expected the end, got {other:?}"),
    }
}

#[test]
fn a_failed_add_says_what_happened_and_to_which_pair_once() {
    // Issue 14: "ADD_FAILED: Unable to communicate with network device", named by its pair (the
    // ensure knows the server and pool; the waiter only the node), not the node's words twice.
    let mut planner =
        MembershipPlanner::new(endpoint(), Token::new("t"), pairs(), Presence::Present, EnsureOptions::default(), 0);
    let mut failed = node("ADD_FAILED");
    failed["status_detail"] = json!("Unable to communicate with network device");
    let mut listed = 0;
    let (mut result, _, _) = drive(&mut planner, |request| match request.method.as_str() {
        // Not a member when planned; once added, the node ends ADD_FAILED.
        "GET" => {
            listed += 1;
            Response::new(200, if listed == 1 { json!([]) } else { json!([failed]) }.to_string())
        }
        _ => Response::new(201, json!([node("ADDING")]).to_string()),
    });
    rackconnect::client::Verdict::judge(&mut result);
    assert!(!result.ok, "{result:?}");
    assert_eq!(result.failed[0].reason, "ADD_FAILED: Unable to communicate with network device");
    let reason = result.reason.as_deref().unwrap_or_default();
    assert_eq!(reason, format!("{SERVER} in {POOL}: ADD_FAILED: Unable to communicate with network device"));
    assert_eq!(result.summary.matches("Unable to communicate").count(), 1, "{}", result.summary);
}
