//! The fleet waiter, driven on simulated time against a scripted `servers/detail`: each server
//! ends on its own status (FAILED, UNPROCESSABLE, Managed errors, Nova's ERROR, a missing key
//! within and past the grace, a server that vanishes), pages are followed only as far as needed,
//! and a `built_within` selection reads Nova's `created` against the answer's `Date`.

use rackconnect::servers::ServersEndpoint;
use rackconnect::wait::{
    Event, Fleet, FleetWaitResult, FleetWaiter, Machine, MetadataWaitConfig, Millis, Outcome, RateBudget, Step,
    WaitConfig,
};
use rackconnect::{BaseUrl, Region, Request, Response, ServerId, Timestamp, Token};
use serde_json::{Value, json};

/// The runner's clock starts here (2027-01-15T08:00:00Z), a wall clock as the driver contract says.
const START: Millis = 1_800_000_000_000;
const BASE: &str = "https://dfw.servers.example.test/v2/123456";

fn endpoint() -> ServersEndpoint {
    ServersEndpoint::BaseUrl(BaseUrl::new("endpoint", BASE).expect("a base URL"))
}

fn config(managed: bool) -> MetadataWaitConfig {
    MetadataWaitConfig {
        wait: WaitConfig { timeout_ms: 3_600_000, interval_ms: 5_000, ..WaitConfig::default() },
        managed,
        ..MetadataWaitConfig::default()
    }
}

fn ids(list: &[&str]) -> Fleet {
    Fleet::Ids(list.iter().map(|id| ServerId::new(*id).expect("an id")).collect())
}

fn waiter(fleet: Fleet, config: MetadataWaitConfig) -> FleetWaiter {
    FleetWaiter::new(endpoint(), Token::new("tok"), fleet, config, START).in_region(Region::Dfw)
}

/// An HTTP date `seconds` after the start (the region's clock agrees with the runner's here).
fn http_date(at: Millis) -> String {
    let t = Timestamp::from_unix(i64::try_from(at / 1000).expect("seconds"), 0);
    // `Timestamp` writes ISO 8601; the Date header is the IMF form.
    let days = ["Thu", "Fri", "Sat", "Sun", "Mon", "Tue", "Wed"];
    let months = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];
    let iso = t.to_string();
    let (y, m, d) = (&iso[0..4], iso[5..7].parse::<usize>().expect("month"), &iso[8..10]);
    let day = days[usize::try_from((t.unix_seconds() / 86_400).rem_euclid(7)).expect("day")];
    format!("{day}, {d} {} {y} {} GMT", months[m - 1], &iso[11..19])
}

/// A server as Nova lists it.
fn server(id: &str, status: &str, created: Millis, metadata: Value) -> Value {
    let created = Timestamp::from_unix(i64::try_from(created / 1000).expect("seconds"), 0).to_string();
    json!({"id": id, "name": format!("name-{id}"), "status": status, "created": created,
           "accessIPv4": format!("203.0.113.{}", id.len()), "metadata": metadata,
           "addresses": {"public": [{"addr": "203.0.113.200", "version": 4}]}})
}

/// A page of `all` as Nova serves it: `limit` and `marker` from the URL, a next link when
/// there are more.
fn page(url: &str, all: &[Value], at: Millis) -> Response {
    let query = url.split_once('?').map(|(_, q)| q).unwrap_or("");
    let param = |name: &str| query.split('&').find_map(|p| p.strip_prefix(&format!("{name}=")));
    let limit: usize = param("limit").map_or(1000, |l| l.parse().expect("a limit"));
    let start = param("marker").map_or(0, |m| all.iter().position(|s| s["id"] == m).expect("a known marker") + 1);
    let items: Vec<Value> = all.iter().skip(start).take(limit).cloned().collect();
    let mut body = json!({"servers": items});
    if start + limit < all.len() {
        let last = &all[start + limit - 1]["id"];
        let last = last.as_str().expect("an id");
        body["servers_links"] =
            json!([{"rel": "next", "href": format!("{BASE}/servers/detail?limit={limit}&marker={last}")}]);
    }
    Response::new(200, body.to_string()).with_header("Date", http_date(at))
}

struct Run {
    result: FleetWaitResult,
    urls: Vec<(Millis, String)>,
    events: Vec<Event>,
}

/// Drives the waiter; `answer` gets the time and the request. Each request takes 100 ms.
fn drive(mut machine: FleetWaiter, mut answer: impl FnMut(Millis, &Request) -> Option<Response>) -> Run {
    let mut budget = RateBudget::api();
    let (mut now, mut urls, mut events) = (START, Vec::new(), Vec::new());
    for _ in 0..100_000 {
        let step = machine.poll(now, &mut budget);
        events.extend(machine.take_events());
        match step {
            Step::Send(request) => {
                urls.push((now - START, request.url.clone()));
                match answer(now, &request) {
                    Some(response) => machine.on_response(now, &response),
                    None => machine.on_transport_error(now, "connection reset"),
                }
                events.extend(machine.take_events());
                now += 100;
            }
            Step::SleepUntil(at) => {
                assert!(at >= now, "never sleeps into the past");
                now = at.max(now + 1);
            }
            Step::Finished(result) => return Run { result, urls, events },
        }
    }
    panic!("the waiter never finished");
}

fn by_id<'a>(result: &'a FleetWaitResult, id: &str) -> &'a rackconnect::wait::FleetServer {
    result.servers.iter().find(|s| s.id == id).unwrap_or_else(|| panic!("{id} in {result:?}"))
}

/// 150 servers built long ago and DEPLOYED, then a batch of five built at the start of the wait,
/// the batch's automation ending at different times in different ways.
fn region(t: Millis) -> Vec<Value> {
    let since = t - START;
    let mut all: Vec<Value> = (0..150)
        .map(|i| {
            server(
                &format!("old-{i:03}"),
                "ACTIVE",
                START - 86_400_000,
                json!({"rackconnect_automation_status": "DEPLOYED"}),
            )
        })
        .collect();
    let rc = |status: &str| json!({"rackconnect_automation_status": status});
    let deployed_managed =
        |m: &str| json!({"rackconnect_automation_status": "DEPLOYED", "rax_service_level_automation": m});
    // ok: DEPLOYING for 40 s, then DEPLOYED and Managed Pending, Complete at 60 s.
    let ok = match since {
        s if s < 40_000 => rc("DEPLOYING"),
        s if s < 60_000 => deployed_managed("Pending"),
        _ => deployed_managed("Complete"),
    };
    // failed: FAILED at 30 s; Managed then says Build Error too (RackConnect's failure wins).
    let failed = if since < 30_000 {
        rc("DEPLOYING")
    } else {
        json!({"rackconnect_automation_status": "FAILED", "rax_service_level_automation": "Build Error"})
    };
    // unprocessable at once, with its reason (Managed Operations done).
    let unprocessable = json!({"rackconnect_automation_status": "UNPROCESSABLE",
                               "rackconnect_unprocessable_reason": "region mismatch", "rax_service_level_automation": "Complete"});
    // managed-error: DEPLOYED at 20 s, Managed Build Error at 50 s.
    let managed_error = match since {
        s if s < 20_000 => rc("DEPLOYING"),
        s if s < 50_000 => deployed_managed("In Progress"),
        _ => deployed_managed("Build Error"),
    };
    // late-key: no key at all for 90 s (within the 5-minute grace), then DEPLOYED and Complete.
    let late = if since < 90_000 { json!({}) } else { deployed_managed("Complete") };
    for (id, meta) in [
        ("ok", ok),
        ("failed", failed),
        ("unprocessable", unprocessable),
        ("managed-error", managed_error),
        ("late-key", late),
    ] {
        all.push(server(id, "ACTIVE", START, meta));
    }
    all
}

#[test]
fn a_mixed_batch_ends_each_server_on_its_own_status_over_two_pages() {
    let batch = ["ok", "failed", "unprocessable", "managed-error", "late-key"];
    let run = drive(waiter(ids(&batch), config(true)), |t, r| Some(page(&r.url, &region(t), t)));
    let result = &run.result;
    assert_eq!(result.outcome, Outcome::Failed, "{result:?}");
    assert!(!result.ok);
    let outcome = |id| by_id(result, id).outcome;
    assert_eq!(outcome("ok"), Outcome::Done);
    assert_eq!(outcome("failed"), Outcome::Failed);
    assert_eq!(outcome("unprocessable"), Outcome::NotApplicable);
    assert_eq!(outcome("managed-error"), Outcome::Failed);
    assert_eq!(outcome("late-key"), Outcome::Done);
    assert_eq!(by_id(result, "failed").reason.as_deref(), Some("RackConnect automation FAILED"));
    assert_eq!(by_id(result, "managed-error").summary, "Managed Operations FAILED: Build Error");
    let unprocessable = by_id(result, "unprocessable");
    assert_eq!(unprocessable.summary, "not applicable: UNPROCESSABLE: region mismatch");
    assert!(unprocessable.ok, "not applicable is fine by default");
    // Each server at its own time: FAILED at once (30 s), not after the batch.
    let failed_at = by_id(result, "failed").elapsed_ms;
    assert!((30_000..36_000).contains(&failed_at), "{failed_at}");
    let late = by_id(result, "late-key");
    assert!((90_000..96_000).contains(&late.elapsed_ms), "{}", late.elapsed_ms);
    assert_eq!(late.reachable_ip.as_deref(), Some("203.0.113.8"), "accessIPv4 once DEPLOYED");
    assert_eq!(serde_json::to_value(late.reached_by).expect("json"), "rackconnect_v2");
    assert_eq!(late.name.as_deref(), Some("name-late-key"));
    assert_eq!(result.counts.total, 5);
    assert_eq!((result.counts.done, result.counts.failed, result.counts.not_applicable), (2, 2, 1));
    assert!(
        result.summary.starts_with("FAILED: 5 servers: 2 done, 2 FAILED, 1 not applicable; "),
        "{}",
        result.summary
    );
    assert!(result.summary.contains("name-failed: RackConnect automation FAILED"), "{}", result.summary);
    // The batch is on the second page: each poll reads both (one request each), never one per server.
    assert_eq!(result.requests as usize, run.urls.len());
    assert!(run.urls.iter().all(|(_, u)| u.starts_with(&format!("{BASE}/servers/detail?limit=100"))), "{:?}", run.urls);
    let polls = run.urls.iter().filter(|(_, u)| !u.contains("marker")).count();
    assert_eq!(run.urls.len(), polls * 2, "two pages a poll");
    assert!((19..=21).contains(&polls), "a poll every 5 s for about 95 s: {polls}");
    // Progress: each server's end once, counted; statuses only when they change.
    let ends: Vec<(String, u32)> = run
        .events
        .iter()
        .filter_map(|e| match e {
            Event::ServerEnded { id, ended, total: 5, .. } => Some((id.clone(), *ended)),
            _ => None,
        })
        .collect();
    assert_eq!(ends.len(), 5, "{ends:?}");
    assert_eq!(ends[0], ("unprocessable".to_owned(), 1));
    assert_eq!(ends.last().map(|e| e.1), Some(5));
    let ok_statuses =
        run.events.iter().filter(|e| matches!(e, Event::Status { id: Some(id), .. } if id == "ok")).count();
    assert_eq!(ok_statuses, 4, "DEPLOYING, DEPLOYED, Pending, Complete: {:?}", run.events);
    // Each server's events say its name too, as its "ended" event does.
    assert!(
        run.events.iter().all(|e| match e {
            Event::Status { id: Some(id), name, .. } | Event::KeyMissing { id: Some(id), name, .. } => {
                name.as_deref() == Some(format!("name-{id}").as_str())
            }
            _ => true,
        }),
        "{:?}",
        run.events
    );
    assert_eq!(
        run.events.iter().filter(|e| matches!(e, Event::KeyMissing { id: Some(id), .. } if id == "late-key")).count(),
        1,
        "said once"
    );
}

#[test]
fn a_batch_on_the_first_page_reads_only_the_first_page() {
    let mut all = region(START);
    // The batch first (Nova lists the newest first), then the old servers.
    all.rotate_right(5);
    let run = drive(waiter(ids(&["unprocessable"]), config(false)), |t, r| Some(page(&r.url, &all, t)));
    assert_eq!(run.result.outcome, Outcome::NotApplicable);
    assert!(run.result.ok);
    assert_eq!(run.urls.len(), 1, "{:?}", run.urls);
    assert_eq!(
        run.result.summary,
        "not applicable: 1 server: 1 not applicable; name-unprocessable: UNPROCESSABLE: region mismatch"
    );
}

#[test]
fn a_missing_key_is_pending_within_the_grace_from_the_build_and_not_applicable_after() {
    // Both have no key. `new` was built a minute before the wait, `old` a day before: by the
    // region's clock (its Date), `old` is long past the grace at the first answer.
    let servers = |_: Millis| {
        vec![server("new", "ACTIVE", START - 60_000, json!({})), server("old", "ACTIVE", START - 86_400_000, json!({}))]
    };
    let run = drive(waiter(ids(&["new", "old"]), config(false)), |t, r| Some(page(&r.url, &servers(t), t)));
    let result = &run.result;
    let old = by_id(result, "old");
    assert_eq!(old.outcome, Outcome::NotApplicable);
    assert_eq!(old.elapsed_ms, 0, "judged at the first answer");
    assert_eq!(
        old.reason.as_deref(),
        Some("rackconnect_automation_status never appeared: not a RackConnect v2 server")
    );
    let new = by_id(result, "new");
    assert_eq!(new.outcome, Outcome::NotApplicable);
    // The grace (5 min) counts from the build, a minute before the start: 4 minutes in, and
    // judged when it ends, not at the next poll after.
    assert!((240_000..=241_200).contains(&new.elapsed_ms), "{}", new.elapsed_ms);
    assert_eq!(result.outcome, Outcome::NotApplicable);
    // Not applicable ends badly when the caller says so.
    let mut strict = config(false);
    strict.wait.not_applicable_ok = false;
    let run = drive(waiter(ids(&["old"]), strict), |t, r| Some(page(&r.url, &servers(t), t)));
    assert!(!run.result.ok && !run.result.servers[0].ok);
}

#[test]
fn managed_operations_grace_counts_from_the_first_look_with_or_without_rackconnect() {
    // Built a day ago, RackConnect DEPLOYED, no Managed Operations key: when RackConnect ended is
    // not known, and Managed Operations runs after it, so its key gets the whole grace from the
    // first look, whether RackConnect is waited for too or not (it was at once without it).
    let servers = |_: Millis| {
        vec![server("old", "ACTIVE", START - 86_400_000, json!({"rackconnect_automation_status": "DEPLOYED"}))]
    };
    for managed_only in [false, true] {
        let mut config = config(true);
        config.rackconnect = !managed_only;
        let run = drive(waiter(ids(&["old"]), config), |t, r| Some(page(&r.url, &servers(t), t)));
        let old = by_id(&run.result, "old");
        assert_eq!(old.outcome, Outcome::NotApplicable, "managed only: {managed_only}");
        assert_eq!(
            old.reason.as_deref(),
            Some("rax_service_level_automation never appeared: no Managed Operations here")
        );
        assert!((300_000..=301_200).contains(&old.elapsed_ms), "managed only: {managed_only}: {}", old.elapsed_ms);
    }
}

#[test]
fn the_grace_counts_from_the_end_of_the_build_and_without_dates_from_the_start() {
    // `slow` is BUILD for 10 minutes (a Windows build), built long ago; then ACTIVE without a
    // key for 2 minutes, then DEPLOYED. The grace starts when it leaves BUILD.
    let slow = |t: Millis| {
        let since = t - START;
        let (status, meta) = match since {
            s if s < 600_000 => ("BUILD", json!({})),
            s if s < 720_000 => ("ACTIVE", json!({})),
            _ => ("ACTIVE", json!({"rackconnect_automation_status": "DEPLOYED"})),
        };
        vec![server("slow", status, START - 7_200_000, meta)]
    };
    let run = drive(waiter(ids(&["slow"]), config(false)), |t, r| Some(page(&r.url, &slow(t), t)));
    assert_eq!(run.result.outcome, Outcome::Done, "{:?}", run.result);
    // No Date at all: the grace counts from the start of the wait, as a one-server wait's does.
    let bare = |_: Millis| {
        Response::new(200, json!({"servers": [{"id": "x", "status": "ACTIVE", "metadata": {}}]}).to_string())
    };
    let run = drive(waiter(ids(&["x"]), config(false)), |t, _| Some(bare(t)));
    assert_eq!(run.result.outcome, Outcome::NotApplicable);
    assert!((300_000..=300_200).contains(&run.result.elapsed_ms), "{}", run.result.elapsed_ms);
}

#[test]
fn a_server_the_region_lacks_or_that_vanishes_ends_with_the_one_wording() {
    let servers = |t: Millis| {
        let mut all = vec![server("stays", "ACTIVE", START, json!({"rackconnect_automation_status": "DEPLOYING"}))];
        if t - START < 20_000 {
            all.push(server("goes", "ACTIVE", START, json!({"rackconnect_automation_status": "DEPLOYING"})));
        }
        if t - START > 60_000 {
            all[0] = server("stays", "ACTIVE", START, json!({"rackconnect_automation_status": "DEPLOYED"}));
        }
        all
    };
    let run =
        drive(waiter(ids(&["stays", "goes", "nosuch"]), config(false)), |t, r| Some(page(&r.url, &servers(t), t)));
    let result = &run.result;
    assert_eq!(result.outcome, Outcome::Error);
    let nosuch = by_id(result, "nosuch");
    assert_eq!((nosuch.outcome, nosuch.elapsed_ms), (Outcome::Error, 0));
    assert_eq!(nosuch.summary, "error: server nosuch not found in region DFW");
    let goes = by_id(result, "goes");
    assert_eq!(goes.outcome, Outcome::Error);
    assert_eq!(goes.reason.as_deref(), Some("server goes not found in region DFW (gone during the wait)"));
    assert_eq!(by_id(result, "stays").outcome, Outcome::Done);
    assert_eq!((result.counts.done, result.counts.error), (1, 2));
    // Nova's ERROR is a failed build, at once.
    let broken = |_: Millis| vec![server("broken", "ERROR", START, json!({}))];
    let run = drive(waiter(ids(&["broken"]), config(false)), |t, r| Some(page(&r.url, &broken(t), t)));
    assert_eq!(run.result.servers[0].summary, "FAILED: the build failed (Nova status ERROR)");
    assert_eq!(run.urls.len(), 1);
}

#[test]
fn built_within_selects_by_created_against_the_date_and_asks_for_changes_since() {
    // The region's clock is an hour behind the runner's: the selection follows the region's.
    let skew = 3_600_000;
    let servers = |t: Millis| {
        let region_now = t - skew;
        let since = t - START;
        let meta = if since < 30_000 { json!({}) } else { json!({"rackconnect_automation_status": "DEPLOYED"}) };
        vec![
            server("fresh-b", "BUILD", region_now - 60_000, meta.clone()),
            server("fresh-a", "ACTIVE", region_now - 120_000, meta),
            server("older", "ACTIVE", region_now - 1_900_000, json!({})),
            server("gone", "DELETED", region_now - 60_000, json!({})),
        ]
    };
    let within = 30 * 60_000;
    let run =
        drive(waiter(Fleet::BuiltWithin(within), config(false)), |t, r| Some(page(&r.url, &servers(t), t - skew)));
    let result = &run.result;
    let chosen: Vec<&str> = result.servers.iter().map(|s| s.id.as_str()).collect();
    assert_eq!(chosen, ["fresh-a", "fresh-b"], "by name; the deleted one and the older one left out");
    assert_eq!(result.outcome, Outcome::Done, "{result:?}");
    // The first listing asks for what changed since the window and a margin before the
    // runner's clock; the service may ignore it (this one does), the selection is by `created`.
    let since = Timestamp::from_unix(((START - within - 15 * 60_000) / 1000) as i64, 0);
    assert_eq!(run.urls[0].1, format!("{BASE}/servers/detail?limit=100&changes-since={since}"));
    assert!(run.urls[1..].iter().all(|(_, u)| !u.contains("changes-since")), "{:?}", run.urls);
    // Nothing built within the window: an error, not a silent success.
    let run = drive(waiter(Fleet::BuiltWithin(60_000), config(false)), |t, r| Some(page(&r.url, &servers(t)[2..3], t)));
    assert_eq!(run.result.outcome, Outcome::Error);
    // An error of the input, as an unknown name is: the front doors report it as such.
    let error = run.result.error.as_ref().map(ToString::to_string);
    assert_eq!(
        error.as_deref(),
        Some(
            "invalid built_within: expected a window in which a server of DFW was built (by Nova's created and the \
             region's clock), found \"1 min\""
        )
    );
    assert_eq!(
        run.result.summary,
        "error: 0 servers: none; no server of DFW was built in the last 1 min (by Nova's created and the region's clock)"
    );
}

#[test]
fn the_deadline_cancellation_and_refusals_end_the_batch_with_each_servers_last_status() {
    let deploying = |_: Millis| {
        vec![
            server("a", "ACTIVE", START, json!({"rackconnect_automation_status": "DEPLOYING"})),
            server("b", "ACTIVE", START, json!({"rackconnect_automation_status": "DEPLOYED"})),
        ]
    };
    let mut short = config(false);
    short.wait.timeout_ms = 60_000;
    let run = drive(waiter(ids(&["a", "b"]), short), |t, r| Some(page(&r.url, &deploying(t), t)));
    let result = &run.result;
    assert_eq!(result.outcome, Outcome::TimedOut);
    assert_eq!(
        result.summary,
        "timed out after 60 s: 2 servers: 1 done, 1 still waiting; name-a: still waiting for RackConnect automation (DEPLOYING)"
    );
    assert_eq!(by_id(result, "a").summary, "timed out after 60 s; the last status seen was DEPLOYING");
    assert_eq!(result.elapsed_ms, 60_000, "reported on time");

    // Under a Managed wait, a server DEPLOYED whose Managed key is not there yet is waiting for
    // Managed Operations, not "still DEPLOYED".
    let mut managed = config(true);
    managed.wait.timeout_ms = 60_000;
    managed.grace_ms = 3_600_000;
    let run = drive(waiter(ids(&["b"]), managed), |t, r| Some(page(&r.url, &deploying(t), t)));
    assert_eq!(run.result.outcome, Outcome::TimedOut);
    let reason = "still waiting for Managed Operations (rax_service_level_automation not written yet)";
    assert!(run.result.summary.ends_with(&format!("name-b: {reason}")), "{}", run.result.summary);
    assert_eq!(by_id(&run.result, "b").reason.as_deref(), Some(reason));
    assert_eq!(
        by_id(&run.result, "b").summary,
        format!("timed out after 60 s; the last status seen was none; {reason}")
    );
    assert_eq!(
        by_id(result, "a").reason.as_deref(),
        Some("still waiting for RackConnect automation (DEPLOYING)"),
        "the why of a server still waited for"
    );

    let mut cancelled = waiter(ids(&["a"]), config(false));
    let mut budget = RateBudget::api();
    let Step::Send(request) = cancelled.poll(START, &mut budget) else { panic!("a request first") };
    cancelled.on_response(START, &page(&request.url, &deploying(START), START));
    cancelled.cancel();
    let Step::Finished(result) = cancelled.poll(START + 1_000, &mut budget) else { panic!("cancelled") };
    assert_eq!(result.outcome, Outcome::Cancelled);
    assert_eq!(result.servers[0].outcome, Outcome::Cancelled);

    // Answers that keep failing until the deadline are the batch's last words.
    let mut short = config(false);
    short.wait.timeout_ms = 20_000;
    let run = drive(waiter(ids(&["a"]), short), |_, _| {
        Some(Response::new(500, r#"{"computeFault": {"code": 500, "message": "Injected fault"}}"#))
    });
    assert_eq!(run.result.outcome, Outcome::TimedOut);
    let reason = run.result.reason.as_deref().unwrap_or("");
    assert!(reason.starts_with("a: still waiting for ") && reason.contains("; the last attempt: "), "{reason}");
    assert!(reason.contains("Injected fault"), "{reason}");
    assert!(run.result.summary.contains("Injected fault"), "{}", run.result.summary);

    // A 503 is retried; a 403 ends the batch, refused.
    let mut calls = 0;
    let run = drive(waiter(ids(&["a"]), config(false)), |_, _| {
        calls += 1;
        Some(if calls == 1 {
            Response::new(503, "").with_header("Retry-After", "3")
        } else {
            Response::new(403, r#"{"forbidden": {"code": 403, "message": "no"}}"#)
        })
    });
    assert_eq!(run.result.outcome, Outcome::Forbidden);
    assert!(run.urls[1].0 >= 3_000, "Retry-After honoured: {:?}", run.urls);
    assert!(run.result.summary.starts_with("refused: 1 server: 1 refused; "), "{}", run.result.summary);
    assert!(run.result.error.is_some());
}

#[test]
fn paging_follows_more_than_a_hundred_servers_and_a_marker_that_stops_ends_the_walk() {
    // 250 servers, the one waited for last: three pages a poll.
    let all: Vec<Value> = (0..250)
        .map(|i| {
            server(&format!("s{i:03}"), "ACTIVE", START - 1_000, json!({"rackconnect_automation_status": "DEPLOYED"}))
        })
        .collect();
    let run = drive(waiter(ids(&["s249", "s000"]), config(false)), |t, r| Some(page(&r.url, &all, t)));
    assert_eq!(run.result.outcome, Outcome::Done);
    let urls: Vec<&str> = run.urls.iter().map(|(_, u)| u.as_str()).collect();
    assert_eq!(
        urls,
        [
            format!("{BASE}/servers/detail?limit=100"),
            format!("{BASE}/servers/detail?limit=100&marker=s099"),
            format!("{BASE}/servers/detail?limit=100&marker=s199"),
        ]
    );
    // A service whose next link repeats the same marker: the walk ends rather than loops.
    let stuck = |_: Millis| {
        let body = json!({"servers": [server("x", "ACTIVE", START, json!({"rackconnect_automation_status": "DEPLOYING"}))],
                          "servers_links": [{"rel": "next", "href": format!("{BASE}/servers/detail?limit=100&marker=x")}]});
        Response::new(200, body.to_string())
    };
    let run = drive(waiter(ids(&["x", "y"]), config(false)), |t, _| Some(stuck(t)));
    assert_eq!(by_id(&run.result, "y").outcome, Outcome::Error, "not found once the walk ended");
}

const V3: &str = "https://dfw.rackconnect.example.test/v3/123456";

/// Two servers done in one page: `a` not a RackConnect v2 server (its key never appears, so
/// UNPROCESSABLE-like, reached by `accessIPv4`), `b` v2 and DEPLOYED (reached by its v2 IP).
fn v3_region(t: Millis) -> Vec<Value> {
    vec![
        server(
            "a",
            "ACTIVE",
            START - 3_600_000,
            json!({"rackconnect_automation_status": "UNPROCESSABLE",
            "rackconnect_unprocessable_reason": "a RackConnect v3 server"}),
        ),
        server("bb", "ACTIVE", START - 3_600_000, json!({"rackconnect_automation_status": "DEPLOYED"})),
    ]
    .into_iter()
    .map(|mut s| {
        s["updated"] = json!(t.to_string());
        s
    })
    .collect()
}

fn public_ips() -> Response {
    let ip = |id: &str, server: &str, status: &str, address: &str| json!({"id": id, "cloud_server": {"id": server}, "status": status, "public_ip_v4": address});
    // `A` in capitals: RackConnect may write an id as it likes; the active one counts.
    let body = json!([
        ip("ip-0", "A", "REMOVED", "198.51.100.9"),
        ip("ip-1", "A", "ACTIVE", "198.51.100.10"),
        ip("ip-2", "bb", "ACTIVE", "198.51.100.11"),
    ]);
    Response::new(200, body.to_string())
}

fn v3_waiter() -> FleetWaiter {
    let v3 = rackconnect::v3::V3Endpoint::BaseUrl(BaseUrl::new("endpoint", V3).expect("a base URL"));
    waiter(ids(&["a", "bb"]), config(false)).with_rackconnect_v3(v3)
}

#[test]
fn a_server_with_a_rackconnect_v3_public_ip_is_reached_by_it_read_once_after_the_wait() {
    let run = drive(v3_waiter(), |at, request| {
        Some(if request.url.starts_with(V3) { public_ips() } else { page(&request.url, &v3_region(at), at) })
    });
    let r = &run.result;
    assert_eq!(r.outcome, Outcome::NotApplicable, "{r:?}");
    let a = by_id(r, "a");
    assert_eq!(a.reachable_ip.as_deref(), Some("198.51.100.10"), "{a:?}");
    assert_eq!(a.reached_by, Some(rackconnect::inventory::ReachedBy::RackconnectV3PublicIp));
    // RackConnect v2's address comes first, as in the inventory.
    let b = by_id(r, "bb");
    assert_eq!(b.reachable_ip.as_deref(), Some("203.0.113.2"), "{b:?}");
    assert_eq!(b.reached_by, Some(rackconnect::inventory::ReachedBy::RackconnectV2));
    let v3_reads: Vec<_> = run.urls.iter().filter(|(_, u)| u.starts_with(V3)).collect();
    assert_eq!(v3_reads.len(), 1, "{:?}", run.urls);
    assert_eq!(v3_reads[0].1, format!("{V3}/public_ips"));
    assert_eq!(r.requests, 2, "one page, one read of the public IPs: {:?}", run.urls);
}

#[test]
fn no_public_ip_read_when_every_server_has_its_rackconnect_v2_address() {
    let v3 = rackconnect::v3::V3Endpoint::BaseUrl(BaseUrl::new("endpoint", V3).expect("a base URL"));
    let run = drive(waiter(ids(&["bb"]), config(false)).with_rackconnect_v3(v3), |at, request| {
        Some(page(&request.url, &v3_region(at), at))
    });
    assert_eq!(run.result.outcome, Outcome::Done, "{:?}", run.result);
    assert!(run.urls.iter().all(|(_, u)| !u.starts_with(V3)), "{:?}", run.urls);
}

#[test]
fn a_refused_or_failing_public_ip_read_leaves_cloud_servers_addresses_and_the_outcome() {
    // Refused (an account without RackConnect v3 here): read once, not again.
    let refused = drive(v3_waiter(), |at, request| {
        Some(if request.url.starts_with(V3) {
            Response::new(403, r#"{"forbidden": {"code": 403, "message": "no"}}"#)
        } else {
            page(&request.url, &v3_region(at), at)
        })
    });
    assert_eq!(refused.result.outcome, Outcome::NotApplicable, "{:?}", refused.result);
    assert_eq!(by_id(&refused.result, "a").reachable_ip.as_deref(), Some("203.0.113.1"));
    assert_eq!(refused.urls.iter().filter(|(_, u)| u.starts_with(V3)).count(), 1);
    // Failing (5xx, a dropped connection): tried twice, as every read, then without.
    let mut calls = 0;
    let failing = drive(v3_waiter(), |at, request| {
        if request.url.starts_with(V3) {
            calls += 1;
            return (calls == 1).then(|| Response::new(503, "busy"));
        }
        Some(page(&request.url, &v3_region(at), at))
    });
    assert_eq!(failing.result.outcome, Outcome::NotApplicable, "{:?}", failing.result);
    assert_eq!(by_id(&failing.result, "a").reachable_ip.as_deref(), Some("203.0.113.1"));
    assert_eq!(calls, 2);
    // The deadline passing while the addresses are read ends the wait as the servers ended.
    let mut short = config(false);
    short.wait.timeout_ms = 1_000;
    let v3 = rackconnect::v3::V3Endpoint::BaseUrl(BaseUrl::new("endpoint", V3).expect("a base URL"));
    let late = drive(waiter(ids(&["a"]), short).with_rackconnect_v3(v3), |at, request| {
        if request.url.starts_with(V3) {
            return Some(Response::new(503, "busy").with_header("Retry-After", "30"));
        }
        Some(page(&request.url, &v3_region(at), at))
    });
    assert_eq!(late.result.outcome, Outcome::NotApplicable, "{:?}", late.result);
    assert_eq!(by_id(&late.result, "a").outcome, Outcome::NotApplicable);
}
