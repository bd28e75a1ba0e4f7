//! The core's `blocking` client over real HTTP against the emulator: tokens and the catalog,
//! v2 waits from a bound source address, metadata waits, token expiry and one re-auth, injected
//! faults, the insecure-URL and body-size guards, cancellation, and no secret in any output.

mod common;

use std::io::{Read, Write};
use std::net::{IpAddr, Ipv4Addr, TcpListener};
use std::sync::atomic::{AtomicBool, Ordering};
use std::thread;
use std::time::{Duration, Instant};

use rackconnect::blocking::{HttpConfig, IdentityClient, Session, Transport, V2Client};
use rackconnect::identity::{Credentials, IdentityEndpoint};
use rackconnect::v2::{AutomationStatus, V2Answer, V2Endpoint};
use rackconnect::v3::PublicIpFilter;
use rackconnect::wait::{Event, MetadataWaitConfig, Outcome, RateBudget, Target, WaitConfig};
use rackconnect::{ApiKey, BaseUrl, Error, PoolId, PublicIpId, Region, ServerId};
use rackconnect_emulator::{Emulator, Options, Scenario};
use serde_json::{Value, json};

use common::demo;

/// The demo scenario with the emulated clock at 600× (web2's two-minute automation takes 0.2 s).
fn fast_emulator() -> Emulator {
    let options =
        Options { listen: (Ipv4Addr::LOCALHOST, 0).into(), cors: false, clock_speed: Some(600.0), seed: None };
    Emulator::start(Scenario::demo(), options).expect("the emulator starts")
}

fn session_as(emu: &Emulator, username: &str, api_key: &str) -> Session {
    let endpoint = IdentityEndpoint::parse(&emu.url()).expect("identity url");
    let credentials = Credentials::ApiKey { username: username.into(), api_key: ApiKey::new(api_key) };
    Session::new(Transport::new(HttpConfig::default()), IdentityClient::new(endpoint, credentials, None))
}

fn session(emu: &Emulator) -> Session {
    session_as(emu, "demo", "demo-api-key")
}

/// A v2 client asking as the server at `source` (127.0.0.x).
fn v2_from(emu: &Emulator, source: Ipv4Addr) -> V2Client {
    let config = HttpConfig { local_address: Some(IpAddr::V4(source)), ..HttpConfig::default() };
    V2Client::new(Transport::new(config), common::v2_endpoint(emu))
}

/// Quick polls, a deadline well inside the test's time.
fn quick() -> WaitConfig {
    WaitConfig { interval_ms: 100, timeout_ms: 20_000, ..WaitConfig::default() }
}

fn log(emu: &Emulator) -> Vec<Value> {
    let (status, answer) = common::control(emu, "GET", "requests", None);
    assert_eq!(status, 200);
    answer["requests"].as_array().cloned().expect("a request log")
}

fn count(log: &[Value], method: &str, path_prefix: &str, status: Option<u64>) -> usize {
    log.iter()
        .filter(|e| e["method"] == method)
        .filter(|e| e["path"].as_str().is_some_and(|p| p.starts_with(path_prefix)))
        .filter(|e| status.is_none_or(|s| e["status"].as_u64() == Some(s)))
        .count()
}

fn transport_kind(error: &Error) -> &str {
    match error {
        Error::Transport { kind, .. } => kind,
        other => panic!("expected a transport error, got {other:?}"),
    }
}

fn server(id: &str) -> ServerId {
    ServerId::new(id).expect("a server id")
}

#[test]
fn a_token_by_api_key_and_the_catalogs_endpoints() {
    let emu = common::start();
    let mut session = session(&emu);
    let access = session.access().expect("a token").clone();
    assert!(access.has_rackconnect_v3(Region::Dfw));
    let v3 = session.v3_endpoint(Region::Dfw).expect("RCv3 in DFW");
    assert_eq!(v3.base(), access.rackconnect_endpoint(Region::Dfw).expect("in the catalog").public_url);
    assert!(v3.base().starts_with(&emu.url()) && v3.base().ends_with("/v3/123456"), "{}", v3.base());
    let compute = session.servers_endpoint(Region::Dfw).expect("Cloud Servers in DFW");
    assert!(compute.base().ends_with("/v2/123456"), "{}", compute.base());

    // The catalog's endpoints work, and the token is reused while fresh.
    let pools = session.v3(Region::Dfw).expect("a v3 client").list_pools().expect("the pools");
    assert_eq!(pools.len(), 3, "the three DFW pools");
    let web1 = session.servers(Region::Dfw).expect("a servers client").show_server(&server(demo::WEB1)).expect("web1");
    assert_eq!(web1.access_ipv4.as_deref(), Some("198.51.100.101"));
    let ips = session.v3(Region::Dfw).expect("v3").list_public_ips(&PublicIpFilter::default()).expect("public IPs");
    assert!(ips.iter().any(|ip| ip.public_ip_v4.as_deref() == Some(demo::RETAINED_IP_ADDRESS)));
    assert_eq!(count(&log(&emu), "POST", "/v2.0/tokens", None), 1, "one token for every call");

    // An account without RCv3 in a region: an error naming the region.
    let mut other = session_as(&emu, "other", "other-api-key");
    assert!(other.v3_endpoint(Region::Ord).is_ok());
    match other.v3_endpoint(Region::Dfw) {
        Err(Error::InvalidInput { field, found, .. }) => {
            assert_eq!((field.as_str(), found.as_str()), ("region", "dfw"))
        }
        other => panic!("expected invalid_input naming the region, got {other:?}"),
    }

    // Wrong credentials: Identity's 401, as an API error.
    let error = session_as(&emu, "demo", "wrong-key").access().map(|_| ()).expect_err("refused");
    assert_eq!(error.kind(), "unauthorized", "{error}");
}

#[test]
fn a_v2_wait_from_web2_reaches_deployed() {
    let emu = fast_emulator();
    let v2 = v2_from(&emu, demo::WEB2_IP);
    let started = Instant::now();
    let mut events = Vec::new();
    let result = v2
        .wait(quick(), &mut RateBudget::v2(), &AtomicBool::new(false), |e| events.push(e.clone()))
        .expect("the wait runs");
    assert_eq!(result.outcome, Outcome::Done, "{result:?}");
    assert_eq!(result.status.as_deref(), Some("DEPLOYED"));
    assert!(started.elapsed() < Duration::from_secs(5), "{:?}", started.elapsed());
    assert!(events.iter().any(|e| matches!(e, Event::Status { status, .. } if status == "DEPLOYED")), "{events:?}");
    // Every v2 request came from 127.0.0.3, which the emulator knows as web2.
    let v2_requests: Vec<Value> =
        log(&emu).into_iter().filter(|e| e["path"].as_str().is_some_and(|p| p.starts_with("/v1/"))).collect();
    assert_eq!(v2_requests.len(), result.requests as usize);
    for entry in &v2_requests {
        assert_eq!(entry["source_ip"], "127.0.0.3", "{entry}");
        assert_eq!(entry["server_id"], demo::WEB2, "{entry}");
    }
    // And the one-shot reads from the same address.
    assert_eq!(v2.status().expect("status"), V2Answer::Answer(AutomationStatus::Deployed));
    assert!(matches!(v2.gateway_ip().expect("gateway"), V2Answer::Answer(_)));
    let features = v2.features().expect("features").answer().expect("an answer");
    assert!(!features.features.is_empty());
}

#[test]
fn a_v2_wait_on_app_failed_fails_with_the_tasks() {
    let emu = fast_emulator();
    let v2 = v2_from(&emu, demo::FAILED_IP);
    let result = v2.wait(quick(), &mut RateBudget::v2(), &AtomicBool::new(false), |_| {}).expect("the wait runs");
    assert_eq!(result.outcome, Outcome::Failed, "{result:?}");
    assert!(!result.tasks.is_empty(), "{result:?}");
    assert!(result.reason.as_deref().is_some_and(|r| r.contains("Add \"rackconnect\" user")), "{:?}", result.reason);
    let details = v2.details().expect("details").answer().expect("an answer");
    assert_eq!(details.automation_status, AutomationStatus::Failed);
}

#[test]
fn a_metadata_wait_for_rackconnect_and_managed_gives_the_reachable_address() {
    let emu = fast_emulator();
    let mut session = session(&emu);
    let config = MetadataWaitConfig { wait: quick(), rackconnect: true, managed: true, grace_ms: 10_000 };
    let mut servers = session.servers(Region::Dfw).expect("a servers client");
    let wait = servers
        .wait_metadata(server(demo::WEB2), config, &mut RateBudget::api(), &AtomicBool::new(false), |_| {})
        .expect("the wait runs");
    assert_eq!(wait.result.outcome, Outcome::Done, "{:?}", wait.result);
    // The status is the last thing waited for: Managed Operations, after RackConnect.
    assert_eq!(wait.result.status.as_deref(), Some("Complete"));
    let rackconnect = wait.server.as_ref().and_then(|s| s.rackconnect.automation_status.clone());
    assert_eq!(rackconnect.map(|s| s.to_string()).as_deref(), Some("DEPLOYED"));
    let address = wait.access_ipv4.expect("accessIPv4");
    assert!(address.starts_with("198.51.100."), "the RackConnect address, not the original: {address}");
    assert_eq!(address, "198.51.100.102");
    let managed = wait.server.expect("the last server").rackconnect.managed_status.expect("a Managed status");
    assert_eq!(managed.as_str(), "Complete");
}

#[test]
fn an_expired_token_is_renewed_once_mid_wait_and_before_a_call() {
    let emu = fast_emulator();
    let mut session = session(&emu);
    session.access().expect("a token");
    let config = MetadataWaitConfig { wait: quick(), rackconnect: true, managed: true, grace_ms: 10_000 };
    let mut expired = false;
    let wait = session
        .servers(Region::Dfw)
        .expect("servers")
        .wait_metadata(server(demo::WEB2), config, &mut RateBudget::api(), &AtomicBool::new(false), |event| {
            if !expired && matches!(event, Event::Status { .. } | Event::KeyMissing { .. }) {
                let (status, answer) = common::control(&emu, "POST", "tokens/expire", None);
                assert_eq!(status, 200, "{answer}");
                expired = true;
            }
        })
        .expect("the wait runs");
    assert!(expired);
    assert_eq!(wait.result.outcome, Outcome::Done, "{:?}", wait.result);
    let entries = log(&emu);
    assert_eq!(count(&entries, "POST", "/v2.0/tokens", None), 2, "the first token and one renewal");
    assert_eq!(count(&entries, "GET", "/servers/", Some(401)), 1, "one 401, then the new token");

    // Before a call: expired on the service's side, still fresh in the cache.
    let (status, _) = common::control(&emu, "POST", "tokens/expire", None);
    assert_eq!(status, 200);
    let web1 = session.servers(Region::Dfw).expect("servers").show_server(&server(demo::WEB1)).expect("web1");
    assert_eq!(web1.name.as_deref(), Some("web1"));
    let entries = log(&emu);
    assert_eq!(count(&entries, "POST", "/v2.0/tokens", None), 3);
    assert_eq!(count(&entries, "GET", "/servers/", Some(401)), 2);
}

#[test]
fn injected_503_and_reset_during_a_wait_are_retried() {
    let emu = common::start();
    for fault in [
        json!({"kind": "status", "status": 503, "count": 1, "path_prefix": "/v1/"}),
        json!({"kind": "reset", "count": 1, "path_prefix": "/v1/"}),
    ] {
        let (status, answer) = common::control(&emu, "POST", "faults", Some(fault));
        assert_eq!(status, 201, "{answer}");
    }
    let v2 = v2_from(&emu, demo::WEB1_IP);
    let mut retries = Vec::new();
    let started = Instant::now();
    let result = v2
        .wait(quick(), &mut RateBudget::v2(), &AtomicBool::new(false), |e| {
            if let Event::Retrying { reason, .. } = e {
                retries.push(reason.clone());
            }
        })
        .expect("the wait runs");
    assert_eq!(result.outcome, Outcome::Done, "{result:?}");
    assert_eq!(result.requests, 3, "503, reset, DEPLOYED");
    assert_eq!(retries.len(), 2, "{retries:?}");
    assert!(retries[0].contains("503"), "{retries:?}");
    assert!(retries[1].starts_with("transport error (io)"), "{retries:?}");
    assert!(started.elapsed() < Duration::from_secs(5), "{:?}", started.elapsed());
    let faults: Vec<Value> = log(&emu).iter().map(|e| e["fault"].clone()).collect();
    assert_eq!(faults, [json!("status"), json!("reset"), Value::Null]);

    // A read through a client is retried once; a change never is.
    let mut session = session(&emu);
    let (status, _) = common::control(
        &emu,
        "POST",
        "faults",
        Some(json!({"kind": "status", "status": 503, "path_prefix": "/servers/"})),
    );
    assert_eq!(status, 201);
    session.servers(Region::Dfw).expect("servers").show_server(&server(demo::WEB1)).expect("read after one retry");
    let (status, _) = common::control(
        &emu,
        "POST",
        "faults",
        Some(json!({"kind": "status", "status": 503, "path_prefix": "/rackconnect/"})),
    );
    assert_eq!(status, 201);
    let error = session
        .v3(Region::Dfw)
        .expect("v3")
        .create_public_ip(Some(&server(demo::UNMANAGED)), None)
        .expect_err("the 503 is returned");
    assert_eq!(error.kind(), "server_error", "{error}");
    let entries = log(&emu);
    assert_eq!(count(&entries, "GET", "/servers/", None), 2);
    assert_eq!(count(&entries, "POST", "/rackconnect/", None), 1, "a POST is never sent twice");
}

#[test]
fn plain_http_to_a_remote_host_is_refused_without_connecting() {
    let transport = Transport::new(HttpConfig::default());
    let endpoint = V2Endpoint::BaseUrl(BaseUrl::new("base_url", "http://example.com").expect("url"));
    let request = rackconnect::v2::automation_status(&endpoint, None).expect("request");
    let started = Instant::now();
    let error = transport.send(&request).expect_err("refused");
    assert_eq!(transport_kind(&error), "insecure_url");
    assert!(started.elapsed() < Duration::from_millis(100), "no lookup, no connection: {:?}", started.elapsed());
    assert!(error.to_string().contains("http://example.com/v1/automation_status"), "{error}");

    // The same for Identity, and for a v2 wait (which then never sends anything).
    let credentials = Credentials::ApiKey { username: "demo".into(), api_key: ApiKey::new("demo-api-key") };
    let identity = IdentityClient::new(IdentityEndpoint::parse("http://example.com").expect("url"), credentials, None);
    let mut session = Session::new(transport.clone(), identity);
    assert_eq!(transport_kind(&session.access().map(|_| ()).expect_err("refused")), "insecure_url");
}

/// Answers every connection with `head` and then `body_bytes` bytes, from 127.0.0.1.
fn tiny_server(head: &'static str, body_bytes: usize) -> String {
    let listener = TcpListener::bind((Ipv4Addr::LOCALHOST, 0)).expect("bind");
    let url = format!("http://{}", listener.local_addr().expect("addr"));
    thread::spawn(move || {
        for stream in listener.incoming().take(4) {
            let Ok(mut stream) = stream else { continue };
            let mut request = Vec::new();
            let mut byte = [0u8];
            while !request.ends_with(b"\r\n\r\n") && stream.read(&mut byte).is_ok_and(|n| n == 1) {
                request.push(byte[0]);
            }
            let _ = stream.write_all(head.as_bytes());
            let chunk = vec![b'x'; 64 * 1024];
            let mut left = body_bytes;
            while left > 0 {
                let n = left.min(chunk.len());
                if stream.write_all(&chunk[..n]).is_err() {
                    break;
                }
                left -= n;
            }
        }
    });
    url
}

#[test]
fn an_answer_over_the_cap_is_too_large() {
    // A declared length over the cap is refused before the body is read.
    let url = tiny_server("HTTP/1.1 200 OK\r\nContent-Length: 17825792\r\nContent-Type: text/plain\r\n\r\n", 1024);
    let endpoint = V2Endpoint::BaseUrl(BaseUrl::new("base_url", &url).expect("url"));
    let request = rackconnect::v2::automation_status(&endpoint, None).expect("request");
    let error = Transport::new(HttpConfig::default()).send(&request).expect_err("too large");
    assert_eq!(transport_kind(&error), "too_large", "{error}");
    assert!(error.to_string().contains("17825792"), "{error}");

    // Without a length, the read stops at the cap.
    let url = tiny_server("HTTP/1.1 200 OK\r\nConnection: close\r\n\r\n", 64 * 1024);
    let endpoint = V2Endpoint::BaseUrl(BaseUrl::new("base_url", &url).expect("url"));
    let request = rackconnect::v2::automation_status(&endpoint, None).expect("request");
    let small = HttpConfig { max_body_bytes: 1000, ..HttpConfig::default() };
    let error = Transport::new(small).send(&request).expect_err("too large");
    assert_eq!(transport_kind(&error), "too_large", "{error}");
}

#[test]
fn cancel_from_another_thread_stops_a_wait_promptly() {
    // The clock is stopped: web2 stays DEPLOYING for ever.
    let emu = common::start();
    let v2 = v2_from(&emu, demo::WEB2_IP);
    let cancel = AtomicBool::new(false);
    let started = Instant::now();
    let result = thread::scope(|scope| {
        scope.spawn(|| {
            thread::sleep(Duration::from_millis(300));
            cancel.store(true, Ordering::SeqCst);
        });
        v2.wait(WaitConfig::default(), &mut RateBudget::v2(), &cancel, |_| {}).expect("the wait runs")
    });
    let elapsed = started.elapsed();
    assert_eq!(result.outcome, Outcome::Cancelled, "{result:?}");
    assert!(elapsed >= Duration::from_millis(300) && elapsed < Duration::from_millis(800), "{elapsed:?}");
}

#[test]
fn v3_public_ip_and_node_waits() {
    let emu = fast_emulator();
    let mut session = session(&emu);
    let mut v3 = session.v3(Region::Dfw).expect("v3");
    let cancel = AtomicBool::new(false);

    let created = v3.create_public_ip(Some(&server(demo::UNMANAGED)), None).expect("created");
    let id = PublicIpId::new(&created.id).expect("an id");
    let wait = v3
        .wait_public_ip(id.clone(), Target::Active, quick(), &mut RateBudget::api(), &cancel, |_| {})
        .expect("the wait runs");
    assert_eq!(wait.result.outcome, Outcome::Done, "{:?}", wait.result);
    let address = wait.public_ip.and_then(|ip| ip.public_ip_v4).expect("an address once ACTIVE");
    assert!(address.starts_with("198.18.") || address.starts_with("198.19."), "{address}");
    v3.delete_public_ip(&id).expect("deleted");
    let wait =
        v3.wait_public_ip(id, Target::Gone, quick(), &mut RateBudget::api(), &cancel, |_| {}).expect("the wait runs");
    assert_eq!(wait.result.outcome, Outcome::Done, "{:?}", wait.result);

    let pool = PoolId::new(demo::DFW_API_POOL).expect("a pool id");
    let node = v3.add_node(&pool, &server(demo::UNMANAGED)).expect("added");
    let wait = v3
        .wait_nodes(
            vec![(pool.clone(), node.id.clone())],
            Target::Active,
            quick(),
            &mut RateBudget::api(),
            &cancel,
            |_| {},
        )
        .expect("the wait runs");
    assert_eq!(wait.result.outcome, Outcome::Done, "{:?}", wait.result);
    assert!(wait.failures.is_empty());

    // A server whose adds fail: the failure is named.
    let failing = v3.add_node(&pool, &server(demo::ADD_FAILS)).expect("added");
    let wait = v3
        .wait_nodes(vec![(pool, failing.id)], Target::Active, quick(), &mut RateBudget::api(), &cancel, |_| {})
        .expect("the wait runs");
    assert_eq!(wait.result.outcome, Outcome::Failed, "{:?}", wait.result);
    assert_eq!(wait.failures[0].status, "ADD_FAILED");
}

#[test]
fn no_secret_in_any_output() {
    let emu = common::start();
    let mut session = session(&emu);
    let token = session.access().expect("a token").token.id.expose().to_owned();
    let mut shown = format!("{session:?} {:?} {:?}", session.identity(), session.transport());
    let error = session_as(&emu, "demo", "wrong-key").access().map(|_| ()).expect_err("refused");
    shown.push_str(&format!("{error} {error:?} {}", error.to_json()));
    // A transport error of a request that carried the token.
    let dead = {
        let listener = TcpListener::bind((Ipv4Addr::LOCALHOST, 0)).expect("bind");
        listener.local_addr().expect("addr")
    };
    let endpoint =
        rackconnect::v3::V3Endpoint::BaseUrl(BaseUrl::new("endpoint", &format!("http://{dead}/v3/1")).expect("url"));
    let request = rackconnect::v3::list_pools(&endpoint, &session.token().expect("token")).expect("request");
    let error = session.transport().send(&request).expect_err("nothing listens");
    assert_eq!(transport_kind(&error), "connect", "{error}");
    shown.push_str(&format!("{error} {error:?} {}", error.to_json()));
    for secret in [token.as_str(), "demo-api-key", "wrong-key"] {
        assert!(!shown.contains(secret), "{secret} in {shown}");
    }
}

#[test]
fn a_request_in_flight_does_not_overrun_the_deadline() {
    // Regression: with a 3 s timeout and an answer delayed 25 s, waits used to end at 25-31 s.
    // Each request is now given no more than the time left (at least the core's minimum).
    let emu = common::start();
    let fault = json!({"kind": "delay", "delay_ms": 25_000, "count": 5, "path_prefix": "/v1/"});
    let (status, answer) = common::control(&emu, "POST", "faults", Some(fault));
    assert_eq!(status, 201, "{answer}");
    let v2 = v2_from(&emu, demo::WEB2_IP);
    let started = Instant::now();
    let config = WaitConfig { timeout_ms: 3_000, interval_ms: 100, ..WaitConfig::default() };
    let result = v2.wait(config, &mut RateBudget::v2(), &AtomicBool::new(false), |_| {}).expect("the wait runs");
    let took = started.elapsed();
    assert_eq!(result.outcome, Outcome::TimedOut, "{result:?}");
    assert!(took < Duration::from_secs(7), "ended after {took:?}");
    assert!(result.summary.starts_with("timed out after"), "{}", result.summary);
}

/// The demo account's servers as an inventory: each in the group of its automation's state,
/// reached by its RackConnect address, with its pools and public IPs; the regions read.
#[test]
fn an_inventory_of_two_regions_groups_and_reaches_every_server() {
    use rackconnect::inventory::InventoryOptions;
    let emu = fast_emulator();
    let mut session = session(&emu);
    let inventory = session.inventory(&[Region::Dfw, Region::Iad], &InventoryOptions::default()).expect("an inventory");
    let value = serde_json::to_value(&inventory).expect("json");
    let host =
        |name: &str| value["hosts"].as_array().and_then(|h| h.iter().find(|h| h["name"] == name)).cloned().expect(name);
    let web1 = host("web1");
    assert_eq!(web1["groups"], json!(["rackconnect_done"]));
    assert_eq!(web1["vars"]["rackconnect_reached_by"], "rackconnect_v2");
    assert_eq!(web1["address"], web1["vars"]["rackconnect_access_ipv4"]);
    assert_eq!(web1["vars"]["rackconnect_pools"][0]["name"], "dfw-web-80");
    assert_eq!(web1["vars"]["rackconnect_public_ips"].as_array().map(Vec::len), Some(1));
    assert_eq!(web1["vars"]["rackconnect_region"], "dfw");
    assert_eq!(host("app-failed")["groups"], json!(["rackconnect_failed"]));
    assert_eq!(host("db-auth-error")["groups"], json!(["rackconnect_failed"]));
    assert_eq!(host("app-unprocessable")["groups"], json!(["rackconnect_not_applicable"]));
    assert_eq!(host("app-unprocessable")["vars"]["rackconnect_region"], "iad");
    assert!(value["groups"]["rackconnect_done"].as_array().is_some_and(|g| g.contains(&json!("unmanaged"))));
    assert_eq!(value["regions"], json!({"dfw": true, "iad": true}));
    // Servers only of IAD, a named network, and a filter the core checks first.
    let options: InventoryOptions =
        serde_json::from_value(json!({"access_network": "public", "filters": {"automation": "not_applicable"}}))
            .expect("options");
    let some = session.inventory(&[Region::Dfw, Region::Iad], &options).expect("an inventory");
    assert_eq!(some.hosts.len(), 1);
    assert_eq!(some.hosts[0].vars.reached_by, Some(rackconnect::inventory::ReachedBy::AccessNetwork));
    let bad: InventoryOptions = serde_json::from_value(json!({"filters": {"colour": "x"}})).expect("options");
    let before = log(&emu).len();
    let error = session.inventory(&[Region::Dfw], &bad).expect_err("an unknown filter").to_string();
    assert!(error.contains("filters.colour"), "{error}");
    assert_eq!(log(&emu).len(), before, "nothing is asked with bad options");
}

/// A region whose catalog has no RackConnect v3 is read for its servers alone.
#[test]
fn an_inventory_skips_rackconnect_v3_where_the_region_has_none() {
    use rackconnect::inventory::InventoryOptions;
    let scenario = Scenario::from_json(
        r#"{"accounts": [{"tenant": "111", "rackconnect_v2": true, "rackconnect_v3_regions": ["DFW"],
             "users": [{"username": "ci", "api_key": "ci-key", "default_region": "ORD"}]}],
            "servers": [{"id": "s1", "tenant": "111", "region": "ORD", "name": "app1", "original_ipv4": "203.0.113.5"}]}"#,
    )
    .expect("a scenario");
    let options =
        Options { listen: (Ipv4Addr::LOCALHOST, 0).into(), cors: false, clock_speed: Some(600.0), seed: None };
    let emu = Emulator::start(scenario, options).expect("the emulator starts");
    let mut session = session_as(&emu, "ci", "ci-key");
    let inventory = session.inventory(&[Region::Ord], &InventoryOptions::default()).expect("an inventory");
    assert_eq!(inventory.regions.get("ord"), Some(&false));
    assert_eq!(inventory.hosts.len(), 1);
    assert!(!inventory.hosts[0].vars.v3_read);
    assert_eq!(count(&log(&emu), "GET", "/v3/", None), 0, "RackConnect v3 is not asked");
}

/// A server without a RackConnect status is still to come within the grace after its build
/// (the answer's `Date` against its `created`, both in emulated time), and outside RackConnect
/// after it, where the region's other servers have a status.
#[test]
fn an_inventory_tells_a_server_not_reached_yet_from_one_never_reached() {
    use rackconnect::inventory::{Automation, InventoryOptions};
    let scenario = Scenario::from_json(
        r#"{"accounts": [{"tenant": "111", "rackconnect_v2": true, "rackconnect_v3_regions": [],
             "users": [{"username": "ci", "api_key": "ci-key", "default_region": "DFW"}]}],
            "servers": [
              {"id": "s1", "tenant": "111", "region": "DFW", "name": "deployed", "original_ipv4": "203.0.113.1",
               "built_seconds_ago": 3600},
              {"id": "s2", "tenant": "111", "region": "DFW", "name": "never-reached", "original_ipv4": "203.0.113.2",
               "built_seconds_ago": 900, "automation": {"metadata_delay_seconds": 100000}},
              {"id": "s3", "tenant": "111", "region": "DFW", "name": "just-built", "original_ipv4": "203.0.113.3",
               "built_seconds_ago": 60, "automation": {"metadata_delay_seconds": 100000}}]}"#,
    )
    .expect("a scenario");
    let options = Options { listen: (Ipv4Addr::LOCALHOST, 0).into(), cors: false, clock_speed: Some(1.0), seed: None };
    let emu = Emulator::start(scenario, options).expect("the emulator starts");
    let mut session = session_as(&emu, "ci", "ci-key");
    let inventory = session.inventory(&[Region::Dfw], &InventoryOptions::default()).expect("an inventory");
    let state = |name: &str| inventory.hosts.iter().find(|h| h.name == name).map(|h| h.vars.automation);
    assert_eq!(state("deployed"), Some(Automation::Done));
    assert_eq!(state("just-built"), Some(Automation::Running));
    assert_eq!(state("never-reached"), Some(Automation::NotApplicable));
}
