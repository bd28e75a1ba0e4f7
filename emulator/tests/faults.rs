//! The emulator's transport behaviour over real HTTP on 127.0.0.1: injected faults (status with
//! `Retry-After`, path prefixes, delay, reset, truncated body) and how they are logged, the
//! control API that is never faulted, the 1 MiB body limit, many clients at once, and CORS.

mod common;

use std::net::Ipv4Addr;
use std::time::{Duration, Instant};

use rackconnect::v3::{self, V3Endpoint};
use rackconnect::{ApiError, ApiErrorKind, Error, Region, Request, Response, Token};
use rackconnect_emulator::{Emulator, Scenario};
use serde_json::{Value, json};

use common::{Outcome, demo};

const MIB: usize = 1024 * 1024;

struct Ctx {
    emu: Emulator,
    token: Token,
    dfw: V3Endpoint,
}

fn setup() -> Ctx {
    setup_with(common::start())
}

fn setup_with(emu: Emulator) -> Ctx {
    let access = common::demo_token(&emu);
    let dfw = common::v3_endpoint(&access, Region::Dfw);
    Ctx { token: access.token.id.clone(), dfw, emu }
}

fn api_error<T: std::fmt::Debug>(result: rackconnect::Result<T>) -> ApiError {
    match result {
        Err(Error::Api(api)) => *api,
        other => panic!("expected an API error, got {other:?}"),
    }
}

impl Ctx {
    fn list_pools(&self) -> Request {
        v3::list_pools(&self.dfw, &self.token).expect("P1 request")
    }

    fn send(&self, request: &Request) -> Response {
        common::send_request(&self.emu, request)
    }

    /// Sends a core request and reports how it ended (a broken connection is not a panic).
    fn try_send(&self, request: &Request) -> Outcome {
        let headers: Vec<(&str, &str)> = request.headers.iter().map(|(n, v)| (n.as_str(), v.as_str())).collect();
        let body = request.body.as_deref().map(str::as_bytes);
        common::send_from(&self.emu, Ipv4Addr::LOCALHOST, request.method.as_str(), &request.url, &headers, body)
    }

    fn fault(&self, fault: Value) {
        let (status, answer) = common::control(&self.emu, "POST", "faults", Some(fault));
        assert_eq!(status, 201, "{answer}");
    }

    fn pending_faults(&self) -> Vec<Value> {
        let (status, answer) = common::control(&self.emu, "GET", "faults", None);
        assert_eq!(status, 200);
        answer["faults"].as_array().cloned().unwrap_or_default()
    }

    fn log(&self) -> Vec<Value> {
        let (status, answer) = common::control(&self.emu, "GET", "requests", None);
        assert_eq!(status, 200);
        answer["requests"].as_array().cloned().expect("a request list")
    }

    fn clear_log(&self) {
        let (status, _) = common::control(&self.emu, "DELETE", "requests", None);
        assert_eq!(status, 204);
    }

    fn pools_ok(&self) {
        let pools = v3::parse_pools(&self.send(&self.list_pools())).expect("P1 parses");
        assert_eq!(pools.len(), 3, "the three DFW pools");
    }
}

#[test]
fn status_fault_answers_503_twice_with_retry_after_then_recovers() {
    let ctx = setup();
    ctx.fault(json!({"kind": "status", "status": 503, "count": 2, "retry_after": 7}));
    for attempt in 1..=2 {
        let response = ctx.send(&ctx.list_pools());
        assert_eq!(response.status, 503, "attempt {attempt}");
        assert_eq!(response.header("Retry-After"), Some("7"));
        let api = api_error(v3::parse_pools(&response));
        assert_eq!(api.kind, ApiErrorKind::ServerError);
        assert_eq!(api.kind.as_str(), "server_error");
        assert_eq!(api.retry_after, Some(7));
    }
    ctx.pools_ok();
    assert!(ctx.pending_faults().is_empty(), "the fault is used up");
    ctx.pools_ok();
}

#[test]
fn status_fault_defaults_and_other_statuses() {
    let ctx = setup();
    // Without a retry_after there is no Retry-After; without a count it applies once.
    ctx.fault(json!({"kind": "status", "status": 500}));
    let response = ctx.send(&ctx.list_pools());
    assert_eq!(response.status, 500);
    assert_eq!(response.header("Retry-After"), None);
    let api = api_error(v3::parse_pools(&response));
    assert_eq!((api.kind, api.retry_after), (ApiErrorKind::ServerError, None));
    ctx.pools_ok();

    // Without a status: 503.
    ctx.fault(json!({"kind": "status"}));
    assert_eq!(ctx.send(&ctx.list_pools()).status, 503);

    ctx.fault(json!({"kind": "status", "status": 429, "retry_after": 3}));
    let api = api_error(v3::parse_pools(&ctx.send(&ctx.list_pools())));
    assert_eq!((api.status, api.kind, api.retry_after), (429, ApiErrorKind::RateLimited, Some(3)));
    ctx.pools_ok();

    // An unknown kind is refused by the control API, and nothing is armed.
    let (status, _) = common::control(&ctx.emu, "POST", "faults", Some(json!({"kind": "explode"})));
    assert_eq!(status, 400);
    assert!(ctx.pending_faults().is_empty());
    ctx.pools_ok();
}

#[test]
fn path_prefix_limits_a_fault_to_matching_paths() {
    let ctx = setup();
    let prefix = "/rackconnect/DFW/v3/123456/public_ips";
    ctx.fault(json!({"kind": "status", "status": 503, "count": 1, "path_prefix": prefix}));
    // Other paths are not touched, and do not use the fault up.
    ctx.pools_ok();
    let networks = v3::parse_networks(&ctx.send(&v3::list_networks(&ctx.dfw, &ctx.token).expect("N1")));
    assert_eq!(networks.expect("N1 parses").len(), 2);
    let pending = ctx.pending_faults();
    assert_eq!(pending.len(), 1, "{pending:?}");
    assert_eq!(pending[0]["count"], 1);

    let ips = v3::list_public_ips(&ctx.dfw, &ctx.token, &v3::PublicIpFilter::default()).expect("I1");
    let api = api_error(v3::parse_public_ips(&ctx.send(&ips)));
    assert_eq!((api.status, api.kind), (503, ApiErrorKind::ServerError));
    assert_eq!(v3::parse_public_ips(&ctx.send(&ips)).expect("I1 parses after the fault").len(), 2);
}

#[test]
fn delay_fault_waits_then_answers_normally() {
    let ctx = setup();
    ctx.fault(json!({"kind": "delay", "delay_ms": 300}));
    let started = Instant::now();
    let response = ctx.send(&ctx.list_pools());
    let elapsed = started.elapsed();
    assert!(elapsed >= Duration::from_millis(300), "answered after {elapsed:?}");
    assert!(elapsed < Duration::from_secs(3), "answered after {elapsed:?}");
    assert_eq!(response.status, 200);
    assert_eq!(v3::parse_pools(&response).expect("a normal answer").len(), 3);
    ctx.pools_ok();
}

#[test]
fn reset_fault_closes_the_connection_without_an_answer() {
    let ctx = setup();
    ctx.fault(json!({"kind": "reset"}));
    match ctx.try_send(&ctx.list_pools()) {
        Outcome::Broken { status, received, .. } => {
            assert_eq!(status, None, "no status line");
            assert_eq!(received, 0, "no bytes");
        }
        Outcome::Complete(response) => panic!("expected a reset, got {}", response.status),
    }
    ctx.pools_ok();
}

#[test]
fn truncate_fault_sends_half_the_body_then_closes() {
    let ctx = setup();
    let whole = ctx.send(&ctx.list_pools());
    assert_eq!(whole.status, 200);
    ctx.fault(json!({"kind": "truncate"}));
    match ctx.try_send(&ctx.list_pools()) {
        Outcome::Broken { status, received, expected } => {
            assert_eq!(status, Some(200));
            assert_eq!(expected, Some(whole.body.len()), "Content-Length announces the whole body");
            assert!(received < whole.body.len(), "fewer bytes than announced: {received}");
            assert_eq!(received, whole.body.len() / 2, "half the body");
        }
        Outcome::Complete(response) => panic!("expected a truncated body, got {} bytes", response.body.len()),
    }
    ctx.pools_ok();
}

#[test]
fn faults_are_logged_and_the_control_api_is_never_faulted() {
    let ctx = setup();
    ctx.clear_log();
    ctx.fault(json!({"kind": "status", "status": 502, "count": 1}));
    // Control calls neither take the fault nor get logged.
    for _ in 0..3 {
        let (status, clock) = common::control(&ctx.emu, "GET", "clock", None);
        assert_eq!(status, 200, "{clock}");
    }
    common::advance(&ctx.emu, 1.0);
    assert_eq!(ctx.pending_faults().len(), 1, "still armed");
    assert!(ctx.log().is_empty(), "control calls are not logged");

    assert_eq!(ctx.send(&ctx.list_pools()).status, 502);
    ctx.fault(json!({"kind": "delay", "delay_ms": 10}));
    assert_eq!(ctx.send(&ctx.list_pools()).status, 200);
    ctx.fault(json!({"kind": "reset"}));
    assert!(matches!(ctx.try_send(&ctx.list_pools()), Outcome::Broken { status: None, .. }));
    ctx.fault(json!({"kind": "truncate"}));
    // (What the client sees of a truncated body is tested on its own, above.)
    assert!(matches!(ctx.try_send(&ctx.list_pools()), Outcome::Broken { .. }));
    ctx.pools_ok();

    let log = ctx.log();
    let seen: Vec<(u64, Option<&str>)> =
        log.iter().map(|e| (e["status"].as_u64().unwrap_or(999), e["fault"].as_str())).collect();
    assert_eq!(
        seen,
        vec![(502, Some("status")), (200, Some("delay")), (0, Some("reset")), (200, Some("truncate")), (200, None)]
    );
    let pools_path = "/rackconnect/DFW/v3/123456/load_balancer_pools";
    assert!(log.iter().all(|e| e["method"] == "GET" && e["path"] == pools_path), "{log:?}");
    let seqs: Vec<u64> = log.iter().map(|e| e["seq"].as_u64().unwrap_or(0)).collect();
    assert!(seqs.windows(2).all(|w| w[1] == w[0] + 1), "in order: {seqs:?}");
}

/// Sends a body of `size` bytes: `{"cloud_server": {"id": UNMANAGED}}` padded with spaces.
fn padded_add(ctx: &Ctx, size: usize) -> Outcome {
    let mut body = json!({"cloud_server": {"id": demo::UNMANAGED}}).to_string().into_bytes();
    assert!(body.len() < size);
    body.resize(size, b' ');
    let url = format!("{}/load_balancer_pools/{}/nodes", ctx.dfw.base(), demo::DFW_WEB_POOL);
    let headers = [("X-Auth-Token", ctx.token.expose()), ("Content-Type", "application/json")];
    common::send_from(&ctx.emu, Ipv4Addr::LOCALHOST, "POST", &url, &headers, Some(&body))
}

#[test]
fn bodies_over_one_mib_are_413() {
    let ctx = setup();
    let response = match padded_add(&ctx, MIB + 1) {
        Outcome::Complete(response) => response,
        broken => panic!("expected a 413, got {broken:?}"),
    };
    assert_eq!(response.status, 413);
    let api = api_error(v3::parse_node(&response));
    assert_eq!(api.status, 413);
    assert_eq!(api.fault.as_deref(), Some("overLimit"));
    assert_eq!(api.kind, ApiErrorKind::RateLimited);
    let nodes = v3::parse_nodes(&ctx.send(
        &v3::list_nodes(&ctx.dfw, &ctx.token, &rackconnect::PoolId::new(demo::DFW_WEB_POOL).expect("id")).expect("P3"),
    ))
    .expect("P3 parses");
    assert_eq!(nodes.len(), 1, "nothing was added");

    // Exactly 1 MiB is within the limit.
    match padded_add(&ctx, MIB) {
        Outcome::Complete(response) => {
            assert_eq!(response.status, 201, "{}", String::from_utf8_lossy(&response.body));
            let node = v3::parse_node(&response).expect("P4 parses");
            assert!(node.cloud_server.id.eq_ignore_ascii_case(demo::UNMANAGED));
        }
        broken => panic!("expected a 201, got {broken:?}"),
    }
}

#[test]
fn sixteen_clients_at_once_all_succeed_and_are_logged() {
    const THREADS: usize = 16;
    const PER_THREAD: usize = 25;
    let ctx = setup();
    ctx.clear_log();
    let emu = &ctx.emu;
    let dfw = &ctx.dfw;
    std::thread::scope(|scope| {
        let workers: Vec<_> = (0..THREADS)
            .map(|t| {
                scope.spawn(move || {
                    // One token per client, then a mix of reads.
                    let token = common::demo_token(emu).token.id;
                    for i in 1..PER_THREAD {
                        match (t + i) % 3 {
                            0 => {
                                let request = v3::list_pools(dfw, &token).expect("P1");
                                let pools = v3::parse_pools(&common::send_request(emu, &request)).expect("P1 parses");
                                assert_eq!(pools.len(), 3);
                            }
                            1 => {
                                let request = v3::list_networks(dfw, &token).expect("N1");
                                let list = v3::parse_networks(&common::send_request(emu, &request)).expect("N1");
                                assert_eq!(list.len(), 2);
                            }
                            _ => {
                                let filter = v3::PublicIpFilter::default();
                                let request = v3::list_public_ips(dfw, &token, &filter).expect("I1");
                                let ips = v3::parse_public_ips(&common::send_request(emu, &request)).expect("I1");
                                assert_eq!(ips.len(), 2);
                            }
                        }
                    }
                })
            })
            .collect();
        for worker in workers {
            worker.join().expect("a client thread succeeded");
        }
    });
    let log = ctx.log();
    assert_eq!(log.len(), THREADS * PER_THREAD, "every request is logged once");
    assert!(log.iter().all(|e| e["status"] == 200 && e["fault"].is_null()), "all answered 200");
    let tokens = log.iter().filter(|e| e["method"] == "POST" && e["path"] == "/v2.0/tokens").count();
    assert_eq!(tokens, THREADS);
    let mut seqs: Vec<u64> = log.iter().map(|e| e["seq"].as_u64().unwrap_or(0)).collect();
    seqs.dedup();
    assert_eq!(seqs.len(), THREADS * PER_THREAD, "distinct sequence numbers");
    assert!(seqs.windows(2).all(|w| w[1] > w[0]), "in order of arrival");
}

#[test]
fn cors_only_when_enabled() {
    let preflight = [
        ("Origin", "http://console.example"),
        ("Access-Control-Request-Method", "POST"),
        ("Access-Control-Request-Headers", "X-Auth-Token, Content-Type"),
    ];
    let path = "/rackconnect/DFW/v3/123456/load_balancer_pools";

    let with_cors = setup_with(common::start_with(Scenario::demo(), Some(0.0), true));
    let response = common::send(&with_cors.emu, "OPTIONS", path, &preflight, None);
    assert_eq!(response.status, 204);
    assert_eq!(response.header("Access-Control-Allow-Origin"), Some("*"));
    let methods = response.header("Access-Control-Allow-Methods").expect("Allow-Methods");
    assert!(methods.contains("POST") && methods.contains("DELETE") && methods.contains("PATCH"), "{methods}");
    let headers = response.header("Access-Control-Allow-Headers").expect("Allow-Headers").to_ascii_lowercase();
    assert!(headers.contains("x-auth-token") && headers.contains("content-type"), "{headers}");
    // Ordinary answers carry the header too, and expose Retry-After.
    let answer = with_cors.send(&with_cors.list_pools());
    assert_eq!(answer.status, 200);
    assert_eq!(answer.header("Access-Control-Allow-Origin"), Some("*"));
    assert!(answer.header("Access-Control-Expose-Headers").is_some_and(|h| h.contains("Retry-After")));

    let plain = setup();
    let response = common::send(&plain.emu, "OPTIONS", path, &preflight, None);
    assert_ne!(response.status, 204, "no preflight answer without CORS");
    assert_eq!(response.header("Access-Control-Allow-Origin"), None);
    let answer = plain.send(&plain.list_pools());
    assert_eq!(answer.status, 200);
    assert!(
        answer.headers.iter().all(|(n, _)| !n.to_ascii_lowercase().starts_with("access-control-")),
        "{:?}",
        answer.headers
    );
}
