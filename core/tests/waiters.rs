//! The waiters, driven on simulated time with scripted answers: outcomes, pacing, the rate
//! budget, backoff, Retry-After, cancellation. (The same machines are driven over real HTTP
//! against the emulator by the blocking runner's tests.)

use rackconnect::inventory::ReachedBy;
use rackconnect::servers::ServersEndpoint;
use rackconnect::v2::V2Endpoint;
use rackconnect::v3::V3Endpoint;
use rackconnect::wait::{
    Event, Machine, MetadataWaitConfig, MetadataWaiter, Millis, NodesWaiter, Outcome, PublicIpWaiter, RateBudget, Step,
    Target, V2Waiter, WaitConfig, WaitResult,
};
use rackconnect::{BaseUrl, PoolId, PublicIpId, Region, Request, Response, ServerId, TenantId, Token};

/// Drives a machine on simulated time. `answer` gets the time and the request and returns the
/// response, or `None` for a transport error. Returns the result, the send times and events.
fn drive<M: Machine<Output = WaitResult>>(
    machine: &mut M,
    budget: &mut RateBudget,
    mut answer: impl FnMut(Millis, &Request) -> Option<Response>,
) -> (WaitResult, Vec<Millis>, Vec<Event>) {
    let mut now = 0;
    let mut sent = Vec::new();
    let mut events = Vec::new();
    for _ in 0..10_000 {
        match machine.poll(now, budget) {
            Step::Send(request) => {
                sent.push(now);
                match answer(now, &request) {
                    Some(response) => machine.on_response(now, &response),
                    None => machine.on_transport_error(now, "connection reset"),
                }
                // Each request takes 50 ms.
                now += 50;
            }
            Step::SleepUntil(at) => {
                assert!(at >= now, "never sleeps into the past");
                now = at.max(now + 1);
            }
            Step::Finished(result) => {
                events.extend(machine.take_events());
                return (result, sent, events);
            }
        }
        events.extend(machine.take_events());
    }
    panic!("the machine never finished");
}

fn max_in_any_minute(sent: &[Millis]) -> usize {
    sent.iter().map(|&t| sent.iter().filter(|&&u| u >= t && u < t + 60_000).count()).max().unwrap_or(0)
}

fn v2() -> V2Waiter {
    V2Waiter::new(V2Endpoint::Region(Region::Dfw), WaitConfig::default(), 0)
}

fn text(status: u16, body: &str) -> Option<Response> {
    Some(Response::new(status, body))
}

#[test]
fn v2_waits_for_deployed_at_the_budget_pace() {
    let mut waiter = v2();
    let (result, sent, events) = drive(&mut waiter, &mut RateBudget::v2(), |now, _| {
        text(200, if now < 100_000 { "DEPLOYING" } else { "DEPLOYED" })
    });
    assert_eq!(result.outcome, Outcome::Done);
    assert_eq!(result.status.as_deref(), Some("DEPLOYED"));
    // Noticed within one poll interval of the change.
    let last = *sent.last().expect("sent");
    assert!((100_000..=102_100).contains(&last), "{last}");
    assert!(max_in_any_minute(&sent) <= 30, "{}", max_in_any_minute(&sent));
    assert!(max_in_any_minute(&sent) >= 28, "polls close to the limit: {}", max_in_any_minute(&sent));
    let changes = events.iter().filter(|e| matches!(e, Event::Status { changed: true, .. })).count();
    assert_eq!(changes, 2, "DEPLOYING, then DEPLOYED");
    // v2 is about the server that asks: no id.
    assert!(events.iter().all(|e| !matches!(e, Event::Status { id: Some(_), .. })), "{events:?}");
}

#[test]
fn v2_failed_fails_at_once_with_the_tasks() {
    let mut waiter = v2();
    let (result, sent, _) = drive(&mut waiter, &mut RateBudget::v2(), |_, request| {
        if request.url.contains("details") {
            text(
                200,
                r#"{"automation_status": "FAILED", "tasks": [{"name": "Cloud Server Created: Add \"rackconnect\" user", "status": "FAILED"}]}"#,
            )
        } else {
            text(200, "FAILED")
        }
    });
    assert_eq!(result.outcome, Outcome::Failed);
    assert_eq!(sent.len(), 2, "one status, one details");
    assert_eq!(result.tasks.len(), 1);
    assert!(result.reason.as_deref().is_some_and(|r| r.contains("Add \"rackconnect\" user")), "{:?}", result.reason);

    // FAILED seen at the deadline (here, a timeout of 0) is still FAILED, with its tasks.
    let mut once =
        V2Waiter::new(V2Endpoint::Region(Region::Dfw), WaitConfig { timeout_ms: 0, ..WaitConfig::default() }, 0);
    let (result, sent, _) = drive(&mut once, &mut RateBudget::v2(), |_, request| {
        if request.url.contains("details") {
            text(200, r#"{"automation_status": "FAILED", "tasks": [{"name": "Add user", "status": "FAILED"}]}"#)
        } else {
            text(200, "FAILED")
        }
    });
    assert_eq!((result.outcome, sent.len(), result.tasks.len()), (Outcome::Failed, 2, 1), "{result:?}");
}

#[test]
fn v2_unprocessable_is_not_applicable_and_unknown_is_surfaced() {
    let (result, _, _) = drive(&mut v2(), &mut RateBudget::v2(), |_, _| text(200, "UNPROCESSABLE"));
    assert_eq!(result.outcome, Outcome::NotApplicable);
    let (result, _, events) = drive(&mut v2(), &mut RateBudget::v2(), |now, _| {
        text(200, if now < 5_000 { "REBUILDING" } else { "DEPLOYED" })
    });
    assert_eq!(result.outcome, Outcome::Done);
    assert!(events.iter().any(|e| matches!(e, Event::UnknownStatus { status, .. } if status == "REBUILDING")));
}

#[test]
fn v2_403_is_rate_limiting_first_then_forbidden() {
    let mut calls = 0;
    let (result, sent, events) = drive(&mut v2(), &mut RateBudget::v2(), |_, _| {
        calls += 1;
        if calls <= 2 { text(403, "Forbidden") } else { text(200, "DEPLOYED") }
    });
    assert_eq!(result.outcome, Outcome::Done);
    assert!(sent[1] - sent[0] >= 60_000 && sent[2] - sent[1] >= 60_000, "a full minute after each 403: {sent:?}");
    assert_eq!(events.iter().filter(|e| matches!(e, Event::RateLimited { .. })).count(), 2);

    let (result, sent, _) = drive(&mut v2(), &mut RateBudget::v2(), |_, _| text(403, "Forbidden"));
    assert_eq!(result.outcome, Outcome::Forbidden);
    assert_eq!(sent.len(), 4, "three rate-limited waits, then forbidden");
    assert!(result.reason.as_deref().is_some_and(|r| r.contains("not a RackConnect server")), "{:?}", result.reason);
}

#[test]
fn v2_times_out_on_time_and_never_hangs() {
    let config = WaitConfig { timeout_ms: 30_000, ..WaitConfig::default() };
    let mut waiter = V2Waiter::new(V2Endpoint::Region(Region::Dfw), config, 0);
    let (result, sent, _) = drive(&mut waiter, &mut RateBudget::v2(), |_, _| text(200, "DEPLOYING"));
    assert_eq!(result.outcome, Outcome::TimedOut);
    assert!((30_000..30_100).contains(&result.elapsed_ms), "{}", result.elapsed_ms);
    assert!(sent.len() <= 16, "{}", sent.len());
}

#[test]
fn v2_backs_off_after_errors_and_honours_retry_after() {
    let mut calls = 0;
    let (result, sent, events) = drive(&mut v2(), &mut RateBudget::v2(), |_, _| {
        calls += 1;
        match calls {
            1 => Some(Response::new(503, "{}").with_header("Retry-After", "10")),
            2 => None,
            3 => text(500, "oops"),
            _ => text(200, "DEPLOYED"),
        }
    });
    assert_eq!(result.outcome, Outcome::Done);
    assert!(sent[1] - sent[0] >= 10_000, "Retry-After honoured: {sent:?}");
    assert!(sent[2] - sent[1] >= 500, "backoff after a reset: {sent:?}");
    assert!(sent[3] - sent[2] > sent[2] - sent[1] - 1_000, "backoff grows: {sent:?}");
    assert_eq!(events.iter().filter(|e| matches!(e, Event::Retrying { .. })).count(), 3);
}

#[test]
fn v2_cancel_stops_at_the_next_poll() {
    let mut waiter = v2();
    let mut budget = RateBudget::v2();
    assert!(matches!(waiter.poll(0, &mut budget), Step::Send(_)));
    waiter.on_response(0, &Response::new(200, "DEPLOYING"));
    waiter.cancel();
    match waiter.poll(10, &mut budget) {
        Step::Finished(result) => assert_eq!(result.outcome, Outcome::Cancelled),
        other => panic!("{other:?}"),
    }
}

#[test]
fn two_waiters_on_one_server_share_the_budget() {
    let mut budget = RateBudget::v2();
    let (mut a, mut b) = (v2(), v2());
    let mut sent = Vec::new();
    let mut now = 0;
    while now < 300_000 {
        let mut next = now + 60_000;
        for waiter in [&mut a, &mut b] {
            match waiter.poll(now, &mut budget) {
                Step::Send(_) => {
                    sent.push(now);
                    waiter.on_response(now, &Response::new(200, "DEPLOYING"));
                    next = now;
                }
                Step::SleepUntil(at) => next = next.min(at),
                Step::Finished(_) => {}
            }
        }
        now = next.max(now + 1);
    }
    assert!(max_in_any_minute(&sent) <= 30, "{}", max_in_any_minute(&sent));
}

fn metadata_waiter(config: MetadataWaitConfig) -> MetadataWaiter {
    let endpoint = ServersEndpoint::Region(Region::Dfw, TenantId::new("123456").expect("tenant"));
    MetadataWaiter::new(endpoint, Token::new("t"), ServerId::new("s1").expect("id"), config, 0)
}

fn server(metadata: &str) -> Option<Response> {
    text(200, &format!(r#"{{"server": {{"id": "s1", "accessIPv4": "198.51.100.7", "metadata": {{{metadata}}}}}}}"#))
}

#[test]
fn metadata_missing_key_is_pending_within_the_grace_period() {
    let config = MetadataWaitConfig { grace_ms: 60_000, ..MetadataWaitConfig::default() };
    let mut waiter = metadata_waiter(config.clone());
    let (result, _, events) = drive(&mut waiter, &mut RateBudget::api(), |now, _| {
        if now < 20_000 { server("") } else { server(r#""rackconnect_automation_status": "DEPLOYED""#) }
    });
    assert_eq!(result.outcome, Outcome::Done);
    assert!(events.iter().any(|e| matches!(e, Event::KeyMissing { .. })));
    assert_eq!(waiter.server().and_then(|s| s.access_ipv4.as_deref()), Some("198.51.100.7"));

    let (result, _, _) = drive(&mut metadata_waiter(config), &mut RateBudget::api(), |_, _| server(""));
    assert_eq!(result.outcome, Outcome::NotApplicable);
    assert!((60_000..70_000).contains(&result.elapsed_ms), "{}", result.elapsed_ms);
}

#[test]
fn metadata_timed_out_says_what_kept_going_wrong_and_only_while_it_did() {
    let short = |timeout_ms| MetadataWaitConfig {
        wait: WaitConfig { timeout_ms, ..WaitConfig::default() },
        ..MetadataWaitConfig::default()
    };
    let failing = || text(500, r#"{"computeFault": {"code": 500, "message": "Injected fault"}}"#);
    let (result, _, _) = drive(&mut metadata_waiter(short(20_000)), &mut RateBudget::api(), |_, _| failing());
    assert_eq!(result.outcome, Outcome::TimedOut);
    let reason = result.reason.as_deref().unwrap_or("");
    assert!(reason.starts_with("the last attempt: ") && reason.contains("Injected fault"), "{result:?}");

    // A 500 that a good answer followed is not "the last attempt".
    let (result, _, _) = drive(&mut metadata_waiter(short(30_000)), &mut RateBudget::api(), |now, _| {
        if now < 5_000 { failing() } else { server(r#""rackconnect_automation_status": "DEPLOYING""#) }
    });
    assert_eq!(result.outcome, Outcome::TimedOut);
    assert_eq!((result.reason, result.status.as_deref()), (None, Some("DEPLOYING")));
}

#[test]
fn metadata_managed_is_waited_for_separately() {
    let both = MetadataWaitConfig { managed: true, ..MetadataWaitConfig::default() };
    let (result, _, _) = drive(&mut metadata_waiter(both.clone()), &mut RateBudget::api(), |now, _| {
        let managed = if now < 30_000 { "In Progress" } else { "Complete" };
        server(&format!(r#""rackconnect_automation_status": "DEPLOYED", "rax_service_level_automation": "{managed}""#))
    });
    assert_eq!(result.outcome, Outcome::Done);
    assert!(result.elapsed_ms >= 30_000);

    let (result, _, _) = drive(&mut metadata_waiter(both), &mut RateBudget::api(), |_, _| {
        server(r#""rackconnect_automation_status": "DEPLOYED", "rax_service_level_automation": "Build Error""#)
    });
    assert_eq!(result.outcome, Outcome::Failed);
    assert!(result.reason.as_deref().is_some_and(|r| r.contains("Build Error")));

    // Managed only, RackConnect not asked for.
    let managed_only = MetadataWaitConfig { rackconnect: false, managed: true, ..MetadataWaitConfig::default() };
    let (result, _, _) = drive(&mut metadata_waiter(managed_only), &mut RateBudget::api(), |_, _| {
        server(r#""rax_service_level_automation": "Complete""#)
    });
    assert_eq!(result.outcome, Outcome::Done);

    // Not asked for Managed: an account without it never hangs on the missing key.
    let (result, sent, _) =
        drive(&mut metadata_waiter(MetadataWaitConfig::default()), &mut RateBudget::api(), |_, _| {
            server(r#""rackconnect_automation_status": "DEPLOYED""#)
        });
    assert_eq!((result.outcome, sent.len()), (Outcome::Done, 1));
}

#[test]
fn metadata_unprocessable_carries_its_reason_and_failed_fails() {
    let (result, _, _) = drive(&mut metadata_waiter(MetadataWaitConfig::default()), &mut RateBudget::api(), |_, _| {
        server(
            r#""rackconnect_automation_status": "UNPROCESSABLE", "rackconnect_unprocessable_reason": "wrong region""#,
        )
    });
    assert_eq!(result.outcome, Outcome::NotApplicable);
    assert!(result.reason.as_deref().is_some_and(|r| r.contains("wrong region")), "{:?}", result.reason);
    let (result, _, _) = drive(&mut metadata_waiter(MetadataWaitConfig::default()), &mut RateBudget::api(), |_, _| {
        server(r#""rackconnect_automation_status": "FAILED""#)
    });
    assert_eq!(result.outcome, Outcome::Failed);
    let (result, _, _) = drive(&mut metadata_waiter(MetadataWaitConfig::default()), &mut RateBudget::api(), |_, _| {
        text(404, r#"{"itemNotFound": {"code": 404, "message": "Instance could not be found"}}"#)
    });
    assert_eq!(result.outcome, Outcome::Error);
}

fn v3_endpoint() -> V3Endpoint {
    V3Endpoint::BaseUrl(BaseUrl::new("endpoint", "http://127.0.0.1:1/v3/1").expect("url"))
}

fn node(id: &str, status: &str) -> String {
    format!(
        r#"{{"id": "{id}", "cloud_server": {{"id": "s"}}, "load_balancer_pool": {{"id": "p"}}, "status": "{status}"}}"#
    )
}

#[test]
fn nodes_waiter_polls_one_list_per_pool() {
    let pools = [PoolId::new("p1").expect("id"), PoolId::new("p2").expect("id")];
    let nodes: Vec<(PoolId, String)> = (0..50).map(|i| (pools[i % 2].clone(), format!("n{i}"))).collect();
    let mut waiter = NodesWaiter::new(v3_endpoint(), Token::new("t"), nodes, Target::Active, WaitConfig::default(), 0);
    let (result, sent, _) = drive(&mut waiter, &mut RateBudget::api(), |now, request| {
        let odd = request.url.contains("/p2/");
        let status = if now < 4_000 { "ADDING" } else { "ACTIVE" };
        let list: Vec<String> =
            (0..50).filter(|i| (i % 2 == 1) == odd).map(|i| node(&format!("n{i}"), status)).collect();
        text(200, &format!("[{}]", list.join(",")))
    });
    assert_eq!(result.outcome, Outcome::Done);
    assert!(sent.len() <= 8, "two lists per round, not fifty gets: {}", sent.len());

    let one = vec![(pools[0].clone(), "n1".to_owned())];
    let mut waiter = NodesWaiter::new(v3_endpoint(), Token::new("t"), one, Target::Active, WaitConfig::default(), 0);
    let (result, _, _) = drive(&mut waiter, &mut RateBudget::api(), |_, _| {
        text(
            200,
            r#"[{"id": "N1", "cloud_server": {"id": "s"}, "load_balancer_pool": {"id": "p1"}, "status": "ADD_FAILED", "status_detail": "Unable to communicate with network device"}]"#,
        )
    });
    assert_eq!(result.outcome, Outcome::Failed);
    assert_eq!(waiter.failures()[0].detail.as_deref(), Some("Unable to communicate with network device"));
    // Said as what happened: the failure's status and RackConnect's words, once (issue 14).
    assert_eq!(result.status.as_deref(), Some("ADD_FAILED"), "the last status seen is the failure's");
    assert_eq!(result.reason.as_deref(), Some("ADD_FAILED: Unable to communicate with network device"));

    let gone = vec![(pools[0].clone(), "n1".to_owned())];
    let mut waiter = NodesWaiter::new(v3_endpoint(), Token::new("t"), gone, Target::Gone, WaitConfig::default(), 0);
    let (result, _, _) = drive(&mut waiter, &mut RateBudget::api(), |now, _| {
        text(200, &if now < 3_000 { format!("[{}]", node("n1", "REMOVING")) } else { "[]".into() })
    });
    assert_eq!(result.outcome, Outcome::Done);
}

/// A display counts the pairs of a wait ("1/3 ACTIVE"): the wait announces every node it is for,
/// unchanged, before the first request, and nothing it is not for.
#[test]
fn nodes_waiter_announces_the_whole_set_before_the_first_change() {
    let pool = PoolId::new("p1").expect("id");
    let nodes = ["n1", "n2", "n3"].map(|n| (pool.clone(), n.to_owned())).to_vec();
    let mut waiter = NodesWaiter::new(v3_endpoint(), Token::new("t"), nodes, Target::Active, WaitConfig::default(), 7);
    waiter.already_seen([("n1", "ADDING"), ("n2", "ADDING"), ("n3", "ACTIVE"), ("other", "ACTIVE")]);
    let (result, _, events) = drive(&mut waiter, &mut RateBudget::api(), |now, _| {
        let status = if now < 2_000 { "ADDING" } else { "ACTIVE" };
        text(200, &format!("[{}, {}, {}]", node("n1", status), node("n2", "ACTIVE"), node("n3", "ACTIVE")))
    });
    assert_eq!(result.outcome, Outcome::Done);
    let announced: Vec<(String, String, bool)> = events
        .iter()
        .take(3)
        .filter_map(|e| match e {
            Event::Status { at: 7, what, id: Some(id), status, changed, .. } if what == "node" => {
                Some((id.clone(), status.clone(), *changed))
            }
            _ => None,
        })
        .collect();
    let expected = [("n1", "ADDING"), ("n2", "ADDING"), ("n3", "ACTIVE")]
        .map(|(id, status)| (id.to_owned(), status.to_owned(), false))
        .to_vec();
    assert_eq!(announced, expected, "{events:?}");
    assert!(!events.iter().any(|e| matches!(e, Event::Status { id: Some(id), .. } if id == "other")), "{events:?}");
}

#[test]
fn public_ip_waiter_reaches_active_or_gone() {
    let id = PublicIpId::new("ip1").expect("id");
    let ip = |status: &str, address: &str| {
        text(200, &format!(r#"{{"id": "ip1", "status": "{status}", "public_ip_v4": {address}, "cloud_server": null}}"#))
    };
    let mut waiter =
        PublicIpWaiter::new(v3_endpoint(), Token::new("t"), id.clone(), Target::Active, WaitConfig::default(), 0);
    let (result, _, _) = drive(&mut waiter, &mut RateBudget::api(), |now, _| {
        if now < 5_000 { ip("ADDING", "null") } else { ip("ACTIVE", "\"198.18.0.1\"") }
    });
    assert_eq!(result.outcome, Outcome::Done);
    assert_eq!(waiter.public_ip().and_then(|i| i.public_ip_v4.as_deref()), Some("198.18.0.1"));

    let mut waiter = PublicIpWaiter::new(v3_endpoint(), Token::new("t"), id, Target::Gone, WaitConfig::default(), 0);
    let (result, _, _) = drive(&mut waiter, &mut RateBudget::api(), |now, _| {
        if now < 5_000 {
            ip("REMOVING", "\"198.18.0.1\"")
        } else {
            text(404, r#"{"errors": ["Public IP ip1 does not exist"]}"#)
        }
    });
    assert_eq!(result.outcome, Outcome::Done);
}

#[test]
fn a_timeout_of_zero_checks_once() {
    let once = || WaitConfig { timeout_ms: 0, ..WaitConfig::default() };
    let mut deploying = V2Waiter::new(V2Endpoint::Region(Region::Dfw), once(), 0);
    let (result, sent, _) = drive(&mut deploying, &mut RateBudget::v2(), |_, _| text(200, "DEPLOYING"));
    assert_eq!((result.outcome, sent.len()), (Outcome::TimedOut, 1), "{result:?}");
    assert_eq!(result.status.as_deref(), Some("DEPLOYING"));

    let mut deployed = V2Waiter::new(V2Endpoint::Region(Region::Dfw), once(), 0);
    let (result, sent, _) = drive(&mut deployed, &mut RateBudget::v2(), |_, _| text(200, "DEPLOYED"));
    assert_eq!((result.outcome, sent.len()), (Outcome::Done, 1), "{result:?}");

    // Even a spent budget only delays the one check; it is not skipped.
    let mut budget = RateBudget::v2();
    for t in 0..30 {
        budget.record(t);
    }
    let mut waiter = V2Waiter::new(V2Endpoint::Region(Region::Dfw), once(), 100);
    let (result, sent, _) = drive(&mut waiter, &mut budget, |_, _| text(200, "DEPLOYED"));
    assert_eq!((result.outcome, sent.len()), (Outcome::Done, 1), "{result:?}");
    assert!(sent[0] >= 60_000, "waited for the budget: {sent:?}");
}

/// The server's public IPs as RackConnect v3 lists them for `?cloud_server_id=s1`.
fn public_ips_of_s1() -> Option<Response> {
    text(200, r#"[{"id": "ip-1", "cloud_server": {"id": "S1"}, "status": "ACTIVE", "public_ip_v4": "203.0.113.44"}]"#)
}

#[test]
fn metadata_wait_reads_a_v3_servers_public_ip_once_after_it_ends() {
    let with_v3 = || metadata_waiter(MetadataWaitConfig::default()).with_rackconnect_v3(v3_endpoint());
    let unprocessable =
        r#""rackconnect_automation_status": "UNPROCESSABLE", "rackconnect_unprocessable_reason": "a v3 server""#;
    let mut waiter = with_v3();
    let mut urls = Vec::new();
    let (result, sent, _) = drive(&mut waiter, &mut RateBudget::api(), |_, request| {
        urls.push(request.url.clone());
        if request.url.contains("/public_ips") { public_ips_of_s1() } else { server(unprocessable) }
    });
    assert_eq!(result.outcome, Outcome::NotApplicable, "{result:?}");
    assert_eq!((sent.len(), result.requests), (2, 2), "{urls:?}");
    assert!(urls[1].ends_with("/public_ips?cloud_server_id=s1"), "{urls:?}");
    let (ip, by) = waiter.reachable().expect("an address");
    assert_eq!((ip.as_str(), by), ("203.0.113.44", ReachedBy::RackconnectV3PublicIp));

    // DEPLOYED: RackConnect v2's address, nothing more read.
    let mut waiter = with_v3();
    let (result, sent, _) =
        drive(&mut waiter, &mut RateBudget::api(), |_, _| server(r#""rackconnect_automation_status": "DEPLOYED""#));
    assert_eq!((result.outcome, sent.len()), (Outcome::Done, 1));
    assert_eq!(waiter.reachable(), Some(("198.51.100.7".to_owned(), ReachedBy::RackconnectV2)));

    // Refused, or failing twice: Cloud Servers' address, the outcome unchanged.
    for (answer, attempts) in [(text(403, "no RackConnect v3 here"), 1), (text(503, "busy"), 2), (None, 2)] {
        let mut waiter = with_v3();
        let (result, sent, _) = drive(&mut waiter, &mut RateBudget::api(), |_, request| {
            if request.url.contains("/public_ips") { answer.clone() } else { server(unprocessable) }
        });
        assert_eq!((result.outcome, sent.len()), (Outcome::NotApplicable, 1 + attempts), "{answer:?}");
        assert_eq!(waiter.reachable(), Some(("198.51.100.7".to_owned(), ReachedBy::AccessIp)));
    }

    // The deadline while the public IPs are read: the server's own end stands.
    let short =
        MetadataWaitConfig { wait: WaitConfig { timeout_ms: 1_000, ..WaitConfig::default() }, ..Default::default() };
    let mut waiter = metadata_waiter(short).with_rackconnect_v3(v3_endpoint());
    let (result, _, _) = drive(&mut waiter, &mut RateBudget::api(), |_, request| {
        if request.url.contains("/public_ips") {
            text(503, "busy").map(|r| r.with_header("Retry-After", "30"))
        } else {
            server(unprocessable)
        }
    });
    assert_eq!(result.outcome, Outcome::NotApplicable, "{result:?}");
}
