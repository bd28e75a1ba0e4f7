//! The machines under hostile answers: a scripted driver whose every choice (the answer's
//! status, body and headers, a transport failure, a delay, a cancellation, the identity URL and
//! catalog endpoints, the task and its options) comes from the input bytes, and the invariants
//! the core promises, checked as it runs:
//! - no panic, and an end within a bounded number of steps;
//! - never more v2 requests than the budget allows (30 in any 60 s);
//! - done by the deadline plus one request timeout;
//! - never a credential or a token to a plain-http URL that is not loopback;
//! - an ensure never sends the same add twice for a pair it saw succeed.
//!
//! Shared by the fuzz targets (`fuzz/fuzz_targets/machine_*.rs`) and the property tests
//! (`core/tests/machines.rs`, which includes this file).

use rackconnect::client::defaults::REQUEST_TIMEOUT_MS;
use rackconnect::client::url_rule::is_secure_or_loopback;
use rackconnect::client::work::{self, AsJson, EnsureSpec, JsonTask, WaitSpec};
use rackconnect::client::{Action, Auth, Exchange, ExchangeConfig, Task};
use rackconnect::identity::{Credentials, IdentityEndpoint};
use rackconnect::ops::Operation;
use rackconnect::v2::V2Endpoint;
use rackconnect::wait::{Millis, WaitConfig};
use rackconnect::{ApiKey, BaseUrl, Response};
use serde_json::{Value, json};

/// Which family of machines to drive.
#[derive(Clone, Copy, Debug)]
pub enum Family {
    /// v2, metadata, nodes and public IP waits.
    Waits,
    /// The membership and public IP planners.
    Planners,
    /// Sign-in, renewal and endpoints (insecure URLs among them).
    Auth,
    /// Single calls: reads, changes, creates, and every page of a listing.
    Calls,
}

const START: Millis = 1_800_000_000_000;
const SERVER: &str = "d95ae0c4-6ab8-4873-b82f-f8433840cff2";
const SERVER2: &str = "0a5ae0c4-6ab8-4873-b82f-f8433840cff3";
const POOL: &str = "d6d3aa7c-dfa5-4e61-96ee-1d54ac1075d2";
const POOL2: &str = "a6d3aa7c-dfa5-4e61-96ee-1d54ac1075d3";
const NODE: &str = "1860451d-fb89-45b8-b54e-151afceb50e5";
const IP: &str = "2d0f586b-37a7-4ae0-adac-2743d5feb450";
const STATUSES: [u16; 16] = [200, 200, 200, 201, 202, 204, 302, 400, 401, 403, 404, 409, 413, 429, 500, 503];
const MAX_STEPS: usize = 100_000;

/// The input, read a byte at a time; an exhausted input reads as zero, and the run is then
/// cancelled, so every run comes to an end within a bounded number of steps.
struct Bytes<'a> {
    data: &'a [u8],
    at: usize,
}

impl Bytes<'_> {
    fn byte(&mut self) -> u8 {
        let b = self.data.get(self.at).copied().unwrap_or(0);
        self.at += 1;
        b
    }

    fn exhausted(&self) -> bool {
        self.at >= self.data.len()
    }

    fn pick<'t, T>(&mut self, items: &'t [T]) -> &'t T {
        &items[usize::from(self.byte()) % items.len()]
    }

    fn millis(&mut self, max: Millis) -> Millis {
        let raw = u64::from(self.byte()) << 8 | u64::from(self.byte());
        raw.saturating_mul(max) / 0xFFFF
    }

    fn rest(&mut self, len: usize) -> Vec<u8> {
        let start = self.at.min(self.data.len());
        let end = (start + len).min(self.data.len());
        self.at = end;
        self.data[start..end].to_vec()
    }
}

fn access(bytes: &mut Bytes<'_>) -> String {
    let rc = bytes.pick(&[
        "https://dfw.rc.example.test/v3/123456",
        "http://127.0.0.1:9/v3/123456",
        "http://dfw.rc.example.test/v3/123456",
        "http://127.evil.example/v3/123456",
    ]);
    let compute = bytes.pick(&["https://dfw.servers.example.test/v2/123456", "http://servers.example.test/v2/123456"]);
    let expires = bytes.pick(&["2027-01-16T08:00:00Z", "2027-01-15T08:06:00Z", "2027-01-15T07:00:00Z"]);
    let region = bytes.pick(&[Some("DFW"), None, Some("ORD")]);
    let mut user = json!({"id": "1", "name": "demo", "roles": []});
    if let Some(region) = region {
        user["RAX-AUTH:defaultRegion"] = json!(region);
    }
    json!({"access": {
        "token": {"id": format!("tok-{}", bytes.byte()), "expires": expires, "tenant": {"id": "123456"}},
        "serviceCatalog": [
            {"name": "rackconnect", "type": "rax:rackconnect", "endpoints": [{"region": "DFW", "publicURL": rc}]},
            {"name": "cloudServersOpenStack", "type": "compute", "endpoints": [{"region": "DFW", "publicURL": compute}]}],
        "user": user}})
    .to_string()
}

fn node(status: &str, server: &str, pool: &str) -> Value {
    json!({"id": NODE, "cloud_server": {"id": server}, "load_balancer_pool": {"id": pool}, "status": status,
           "status_detail": null, "created": "2014-05-30T03:23:42Z", "updated": null})
}

/// A body for a request: a good answer of the family, a near miss, or raw bytes.
fn body(bytes: &mut Bytes<'_>, url: &str, method: &str) -> Vec<u8> {
    let node_status = *bytes.pick(&["ACTIVE", "ADDING", "ADD_FAILED", "REMOVING", "REMOVE_FAILED", "SOMETHING_NEW"]);
    let good = if url.ends_with("/tokens") {
        access(bytes)
    } else if url.contains("automation_status") {
        let status = bytes.pick(&["DEPLOYED", "DEPLOYING", "FAILED", "UNPROCESSABLE", "QUEUED"]);
        if url.contains("details") {
            json!({"automation_status": status, "tasks": [{"name": "Add rackconnect user", "status": "FAILED"}]})
                .to_string()
        } else {
            json!({ "automation_status": status }).to_string()
        }
    } else if url.contains("/servers/detail") {
        let next = bytes.byte() % 3 == 0;
        // What a fleet wait reads: each server in some state, or without its keys yet.
        let mut servers = Vec::new();
        for id in [SERVER, SERVER2] {
            if bytes.byte() % 4 == 0 {
                continue;
            }
            let mut metadata = json!({});
            if bytes.byte() % 3 != 0 {
                metadata["rackconnect_automation_status"] =
                    json!(bytes.pick(&["DEPLOYED", "DEPLOYING", "FAILED", "UNPROCESSABLE", "QUEUED"]));
            }
            if bytes.byte() % 3 != 0 {
                metadata["rax_service_level_automation"] =
                    json!(bytes.pick(&["Pending", "In Progress", "Complete", "Build Error", "Authentication Error"]));
            }
            let status = bytes.pick(&["ACTIVE", "BUILD", "ERROR", "DELETED"]);
            let created = bytes.pick(&["2027-01-15T08:00:00Z", "2026-01-01T00:00:00Z", "garbled"]);
            servers.push(json!({"id": id, "name": "web", "status": status, "created": created, "metadata": metadata}));
        }
        let mut page = json!({"servers": servers});
        if next {
            page["servers_links"] = json!([{"rel": "next", "href": format!("{url}&marker={SERVER}")}]);
        }
        page.to_string()
    } else if url.contains("/servers/") {
        let rc = bytes.pick(&["DEPLOYED", "DEPLOYING", "FAILED", "UNPROCESSABLE"]);
        let managed = bytes.pick(&["Complete", "In Progress", "Build Error"]);
        json!({"server": {"id": SERVER, "name": "web", "status": "ACTIVE", "accessIPv4": "203.0.113.9",
            "metadata": {"rackconnect_automation_status": rc, "rax_service_level_automation": managed}}})
        .to_string()
    } else if url.contains("/public_ips") {
        let status = bytes.pick(&["ACTIVE", "ADDING", "ADD_FAILED", "REMOVING"]);
        let ip = json!({"id": IP, "cloud_server": {"id": SERVER}, "public_ip_v4": "203.0.113.17", "status": status,
            "status_detail": null, "retain": false, "created": "2014-05-30T03:23:42Z", "updated": null});
        if url.ends_with("/public_ips") || url.contains("?") { json!([ip]).to_string() } else { ip.to_string() }
    } else if url.ends_with("/load_balancer_pools") {
        json!([{"id": POOL, "name": "web", "port": 80, "status": "ACTIVE"}, {"id": POOL2, "name": "api", "port": 80, "status": "ACTIVE"}]).to_string()
    } else if url.contains("/nodes") && method == "GET" {
        let server = bytes.pick(&[SERVER, SERVER2]);
        let pool = if url.contains(POOL2) { POOL2 } else { POOL };
        if url.ends_with("/nodes") {
            json!([node(node_status, server, pool)]).to_string()
        } else {
            node(node_status, server, pool).to_string()
        }
    } else {
        json!([node(node_status, SERVER, POOL)]).to_string()
    };
    match bytes.byte() % 8 {
        0 => {
            // A body cut short.
            let cut = usize::from(bytes.byte()) % good.len().max(1);
            good.as_bytes()[..cut].to_vec()
        }
        1 => bytes.rest(64),
        2 => br#"{"errors": ["Cloud Server d95ae0c4-6ab8-4873-b82f-f8433840cff2 does not exist"]}"#.to_vec(),
        3 => br#"{"errors": ["Cloud Server d95ae0c4-6ab8-4873-b82f-f8433840cff2 is already a member of Load Balancer Pool d6d3aa7c-dfa5-4e61-96ee-1d54ac1075d2"]}"#.to_vec(),
        _ => good.into_bytes(),
    }
}

/// True when a request carries a secret: Identity credentials in its body, or a token.
fn carries_a_secret(request: &rackconnect::Request) -> bool {
    request.headers.iter().any(|(n, _)| rackconnect::is_sensitive_header(n))
        || request.body.as_deref().is_some_and(|b| b.contains("apiKey") || b.contains("password"))
}

fn pairs_of(body: Option<&str>) -> Vec<(String, String)> {
    let Some(value) = body.and_then(|b| serde_json::from_str::<Value>(b).ok()) else { return Vec::new() };
    value
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|p| {
            Some((
                p["cloud_server"]["id"].as_str()?.to_ascii_lowercase(),
                p["load_balancer_pool"]["id"].as_str()?.to_ascii_lowercase(),
            ))
        })
        .collect()
}

fn wait_config(bytes: &mut Bytes<'_>) -> WaitConfig {
    WaitConfig {
        timeout_ms: bytes.millis(900_000),
        interval_ms: bytes.millis(20_000),
        seed: u64::from(bytes.byte()),
        forbidden_after: u32::from(bytes.byte() % 5),
        not_applicable_ok: bytes.byte() % 2 == 0,
    }
}

fn task_of(family: Family, bytes: &mut Bytes<'_>) -> Option<(JsonTask, Option<Millis>)> {
    let task: JsonTask = match family {
        Family::Waits | Family::Auth => {
            let config = wait_config(bytes);
            let timeout = Some(config.timeout_ms);
            let spec = match bytes.byte() % 6 {
                0 => {
                    let endpoint = V2Endpoint::BaseUrl(
                        BaseUrl::new("base_url", *bytes.pick(&["https://rc.example.test", "http://127.0.0.1:9"]))
                            .ok()?,
                    );
                    return Some((Box::new(AsJson(work::v2_wait(endpoint, config))), timeout));
                }
                4 => json!({"kind": "servers", "servers": [SERVER, SERVER2, "web"],
                    "config": {"wait": config, "managed": bytes.byte() % 2 == 0, "grace_ms": bytes.millis(600_000)}}),
                5 => json!({"kind": "servers", "built_within_ms": bytes.millis(3_600_000),
                    "config": {"wait": config, "managed": bytes.byte() % 2 == 0, "grace_ms": bytes.millis(600_000)}}),
                1 => json!({"kind": "metadata", "server_id": SERVER,
                    "config": {"wait": config, "rackconnect": bytes.byte() % 2 == 0, "managed": bytes.byte() % 2 == 0, "grace_ms": bytes.millis(600_000)}}),
                2 => {
                    json!({"kind": "nodes", "nodes": [{"pool_id": POOL, "node_id": NODE}], "target": bytes.pick(&["active", "gone"]), "wait": config})
                }
                _ => {
                    json!({"kind": "public_ip", "public_ip_id": IP, "target": bytes.pick(&["active", "gone"]), "wait": config})
                }
            };
            if matches!(family, Family::Auth) && bytes.byte() % 2 == 0 {
                let op = Operation::from_name(*bytes.pick(&["v3.list_pools", "servers.show"])).ok()?;
                let input = if op.name() == "servers.show" { json!({"server_id": SERVER}) } else { json!({}) };
                return Some((Box::new(work::operation(op, input).ok()?), None));
            }
            work::wait_by_spec(serde_json::from_value::<WaitSpec>(spec).ok()?).ok()?
        }
        Family::Planners => {
            let options = json!({"dry_run": bytes.byte() % 4 == 0, "no_wait": bytes.byte() % 4 == 0, "wait": wait_config(bytes),
                "post_build_grace_ms": bytes.millis(200_000)});
            let timeout = options["wait"]["timeout_ms"].as_u64();
            let spec = if bytes.byte() % 2 == 0 {
                let servers: Vec<&str> =
                    [SERVER, SERVER2].into_iter().take(1 + usize::from(bytes.byte() % 2)).collect();
                let pools: Vec<&str> =
                    [POOL, POOL2, "web"].into_iter().take(1 + usize::from(bytes.byte() % 3)).collect();
                json!({"kind": "pool_members", "servers": servers, "pools": pools, "present": bytes.byte() % 3 != 0, "options": options})
            } else {
                let mut spec = json!({"kind": "public_ip", "server_id": SERVER, "present": bytes.byte() % 3 != 0, "options": options});
                if bytes.byte() % 3 == 0 {
                    spec["retain"] = json!(bytes.byte() % 2 == 0);
                }
                if bytes.byte() % 4 == 0 {
                    spec["move_ip"] = json!(IP);
                }
                spec
            };
            return Some((work::ensure_by_spec(serde_json::from_value::<EnsureSpec>(spec).ok()?).ok()?, timeout));
        }
        Family::Calls => {
            if bytes.byte() % 5 == 0 {
                return Some((Box::new(AsJson(work::all_servers())), None));
            }
            let calls = [
                ("v3.list_pools", json!({})),
                ("v3.add_node", json!({"pool_id": POOL, "server_id": SERVER})),
                ("v3.remove_node", json!({"pool_id": POOL, "node_id": NODE})),
                ("v3.bulk_add_nodes", json!({"pairs": [{"server_id": SERVER, "pool_id": POOL}]})),
                ("v3.create_public_ip", json!({"cloud_server_id": SERVER})),
                ("v3.update_public_ip", json!({"public_ip_id": IP, "retain": true})),
                ("v3.get_public_ip", json!({"public_ip_id": IP})),
                ("servers.show", json!({"server_id": SERVER})),
            ];
            let (op, input) = bytes.pick(&calls);
            work::operation(Operation::from_name(op).ok()?, input.clone()).ok().map(|t| Box::new(t) as JsonTask)?
        }
    };
    let timeout = task.timeout_ms();
    Some((task, timeout))
}

/// Runs one scripted exchange of `family` from `data`, panicking when an invariant breaks.
pub fn run(family: Family, data: &[u8]) {
    let mut bytes = Bytes { data, at: 0 };
    let identity = bytes.pick(&[
        "https://identity.example.test",
        "http://127.0.0.1:5000",
        "http://identity.example.test",
        "http://127.evil.example",
    ]);
    let auth = Auth::new(
        IdentityEndpoint::parse(identity).unwrap_or(IdentityEndpoint::Us),
        Credentials::ApiKey { username: "demo".into(), api_key: ApiKey::new("sekrit-key") },
        None,
    );
    let region = *bytes.pick(&[Some(rackconnect::Region::Dfw), None, Some(rackconnect::Region::Ord)]);
    let Some((task, timeout)) = task_of(family, &mut bytes) else { return };
    let v2 = task.budget_kind() == rackconnect::wait::BudgetKind::V2;
    let budget = Exchange::<JsonTask>::budget_for(task.budget_kind());
    let config = ExchangeConfig { region, seed: u64::from(bytes.byte()), request_timeout_ms: REQUEST_TIMEOUT_MS };
    let mut exchange = Exchange::new(task, Some(auth), budget, config);
    let mut now = START;
    let mut v2_sent: Vec<Millis> = Vec::new();
    let mut added_ok: Vec<(String, String)> = Vec::new();
    let trace = std::env::var_os("RACKCONNECT_MACHINE_TRACE").is_some();
    let mut cancelled = false;
    for _ in 0..MAX_STEPS {
        if bytes.exhausted() && !cancelled {
            // The script is over: the driver's user gives up (the exchange must end at once).
            exchange.cancel();
            cancelled = true;
        }
        let action = exchange.poll(now);
        if trace {
            eprintln!("+{:>8} {action:?}", now - START);
        }
        match action {
            Action::Send(out) => {
                let request = &out.request;
                assert!(is_secure_or_loopback(&request.url), "sent to a refused URL: {}", request.url);
                if carries_a_secret(request) {
                    assert!(is_secure_or_loopback(&request.url), "a secret to {}", request.url);
                }
                assert!(out.timeout_ms <= REQUEST_TIMEOUT_MS, "a request given {} ms", out.timeout_ms);
                if v2 {
                    v2_sent.push(now);
                    let in_window = v2_sent.iter().filter(|&&t| t + 60_000 > now).count();
                    assert!(in_window <= 30, "{in_window} v2 requests in a minute");
                }
                let method = request.method.as_str();
                let posted = if method == "POST" && request.url.contains("/nodes") {
                    pairs_of(request.body.as_deref())
                } else {
                    Vec::new()
                };
                for pair in &posted {
                    assert!(!added_ok.contains(pair), "the add of {pair:?} was sent again after it succeeded");
                }
                if bytes.byte() % 16 == 0 && !bytes.exhausted() {
                    exchange.cancel();
                }
                let delay = bytes.millis(60_000);
                if delay > out.timeout_ms {
                    now += out.timeout_ms;
                    exchange.on_transport_error(now, "timeout", "no answer in time");
                    continue;
                }
                now += delay;
                match bytes.byte() % 10 {
                    0 if !bytes.exhausted() => {
                        let kind = bytes.pick(&["connect", "io", "timeout", "too_large"]);
                        exchange.on_transport_error(now, kind, "scripted");
                    }
                    _ => {
                        let status = if bytes.exhausted() {
                            if method == "POST" { 201 } else { 200 }
                        } else {
                            *bytes.pick(&STATUSES)
                        };
                        let text = body(&mut bytes, &request.url, method);
                        let valid = serde_json::from_slice::<Value>(&text).is_ok_and(|v| v.is_array());
                        if status == 201 && valid {
                            added_ok.extend(posted);
                        }
                        let mut response = Response::new(status, text);
                        if bytes.byte() % 4 == 0 {
                            response = response.with_header("Retry-After", (bytes.byte() % 200).to_string());
                        }
                        exchange.on_response(now, &response);
                    }
                }
            }
            Action::SleepUntil(at) => {
                if bytes.byte() % 32 == 0 && !bytes.exhausted() {
                    // A cancellation wakes the driver early.
                    exchange.cancel();
                    now += 1;
                } else {
                    now = now.max(at).max(now + 1);
                }
            }
            Action::Finished(_) => {
                if let Some(timeout) = timeout {
                    // Requests are given no more than the time left (at least the minimum): what
                    // runs past the deadline is at most one request's time.
                    let bound = START + timeout + REQUEST_TIMEOUT_MS;
                    assert!(now <= bound, "ended at +{} ms, past the deadline +{} ms", now - START, timeout);
                }
                return;
            }
        }
    }
    panic!("no end after {MAX_STEPS} steps");
}
