//! Benchmark (not a test): ensuring 200 servers into 3 pools with the core's membership planner
//! (one list per pool, one bulk add, then one list per pool per round until ACTIVE) against one
//! request per server and pool, each against its own fresh emulator with 50 ms of latency
//! injected into every v3 request. Reports requests sent and wall time, and their ratios.
//!
//! `cargo bench -p rackconnect-emulator --bench ensure`.

use std::sync::atomic::AtomicBool;
use std::time::Instant;

use rackconnect::blocking::{HttpConfig, IdentityClient, Session, Transport};
use rackconnect::ensure::{EnsureOptions, MembershipPlanner, Presence};
use rackconnect::identity::{Credentials, IdentityEndpoint};
use rackconnect::wait::Outcome;
use rackconnect::{ApiKey, Method, PoolId, Region, Request, ServerId};
use rackconnect_emulator::scenario::{Account, Pool, Server, User};
use rackconnect_emulator::{Emulator, Options, Scenario};
use serde_json::json;

const SERVERS: usize = 200;
const POOLS: usize = 3;
const LATENCY_MS: u64 = 50;

fn scenario() -> Scenario {
    let mut scenario = Scenario::demo();
    scenario.timings.v3_add_seconds = 1.0;
    scenario.accounts = vec![Account {
        tenant: "999".into(),
        users: vec![User {
            username: "bench".into(),
            api_key: Some("bench-key".into()),
            password: None,
            enabled: true,
            mfa: false,
            default_region: Some("DFW".into()),
        }],
        managed: false,
        rackconnect_v2: false,
        rackconnect_v3_regions: vec!["DFW".into()],
    }];
    scenario.networks.clear();
    scenario.nodes.clear();
    scenario.public_ips.clear();
    scenario.pools = (0..POOLS)
        .map(|p| Pool {
            id: format!("pool-{p}"),
            tenant: "999".into(),
            region: "DFW".into(),
            name: format!("pool-{p}"),
            port: 80,
            virtual_ip: format!("198.51.100.{p}"),
            status: "ACTIVE".into(),
            status_detail: None,
        })
        .collect();
    let template = scenario.servers[0].clone();
    scenario.servers = (0..SERVERS)
        .map(|s| Server {
            id: format!("server-{s:03}"),
            tenant: "999".into(),
            region: "DFW".into(),
            name: format!("server-{s:03}"),
            source_ip: None,
            built_seconds_ago: 86_400.0,
            rackconnect_known_after_seconds: 0.0,
            managed: None,
            ..template.clone()
        })
        .collect();
    scenario
}

fn start() -> (Emulator, Session) {
    let emulator =
        Emulator::start(scenario(), Options { clock_speed: Some(1.0), ..Options::default() }).expect("emulator");
    let fault = json!({"kind": "delay", "delay_ms": LATENCY_MS, "count": 1_000_000, "path_prefix": "/rackconnect/"});
    let request = Request {
        method: Method::Post,
        url: format!("{}/__emulator/faults", emulator.url()),
        headers: vec![("Content-Type".into(), "application/json".into())],
        body: Some(fault.to_string()),
        sensitive_body: false,
        sensitive_url: false,
    };
    let transport = Transport::new(HttpConfig::default());
    transport.send(&request).expect("fault");
    let credentials = Credentials::ApiKey { username: "bench".into(), api_key: ApiKey::new("bench-key") };
    let identity = IdentityClient::new(IdentityEndpoint::parse(&emulator.url()).expect("url"), credentials, None);
    let mut session = Session::new(transport, identity);
    session.token().expect("token");
    (emulator, session)
}

fn v3_requests(emulator: &Emulator) -> usize {
    emulator.world().log.iter().filter(|e| e.path.starts_with("/rackconnect/")).count()
}

fn pairs() -> Vec<(ServerId, PoolId)> {
    (0..SERVERS)
        .flat_map(|s| {
            (0..POOLS).map(move |p| {
                (ServerId::new(format!("server-{s:03}")).expect("id"), PoolId::new(format!("pool-{p}")).expect("id"))
            })
        })
        .collect()
}

fn main() {
    // Ours: plan, one bulk add, wait for ACTIVE.
    let (emulator, mut session) = start();
    let endpoint = session.v3_endpoint(Region::Dfw).expect("endpoint");
    let token = session.token().expect("token");
    let started = Instant::now();
    let planner = MembershipPlanner::new(endpoint, token, pairs(), Presence::Present, EnsureOptions::default(), 0);
    let timeout = EnsureOptions::default().wait.timeout_ms;
    let result = rackconnect::blocking::run(planner, &mut session, timeout, &AtomicBool::new(false), |_| {})
        .expect("the planner runs");
    let ours_time = started.elapsed().as_secs_f64();
    assert_eq!(result.outcome, Outcome::Done, "{:?}", result.reason);
    assert_eq!(result.added.len(), SERVERS * POOLS);
    let ours_requests = v3_requests(&emulator);
    drop(emulator);

    // Baseline: one POST per server and pool, no waiting at all.
    let (emulator, mut session) = start();
    let started = Instant::now();
    let mut v3 = session.v3(Region::Dfw).expect("v3");
    for (server, pool) in pairs() {
        v3.add_node(&pool, &server).expect("add");
    }
    let naive_time = started.elapsed().as_secs_f64();
    let naive_requests = v3_requests(&emulator);

    println!("ensure {SERVERS} servers x {POOLS} pools, {LATENCY_MS} ms injected per v3 request, real HTTP\n");
    println!("| strategy | v3 requests | wall time |");
    println!("|---|---|---|");
    println!(
        "| rackconnect MembershipPlanner (reads, one bulk add, waits until ACTIVE) | {ours_requests} | {ours_time:.2} s |"
    );
    println!(
        "| one request per server and pool (baseline; does not even wait) | {naive_requests} | {naive_time:.2} s |"
    );
    println!(
        "| ratio (ours / baseline) | {:.3} | {:.3} |",
        ours_requests as f64 / naive_requests as f64,
        ours_time / naive_time
    );
}
