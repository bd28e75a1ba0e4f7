//! Benchmark (not a test): waiting for a batch of 200 servers whose RackConnect automation ends
//! at spread times, three ways, each against its own fresh emulator built alike:
//!
//! - the core's fleet waiter (`FleetWaiter`): one `servers/detail` page (100 servers) a poll;
//! - 200 of the core's own per-server waiters (`MetadataWaiter`, `GET /servers/{id}` every 5 s),
//!   as 200 `rackconnect server wait` runs side by side would;
//! - 200 per-server pollers the way peers write them: `GET /servers/{id}` every 10 s until
//!   `DEPLOYED` (the fixed interval of the `waits` bench's baseline).
//!
//! Time is emulated: the emulator's clock is stopped and moved by exactly what the waiters sleep
//! (the earliest wake-up of any of them first), so that 200 concurrent waiters share one timeline,
//! detection latencies are exact and the run takes seconds. Every request is real HTTP. Reported:
//! requests, mean and worst detection latency (when a waiter ended a server after its
//! `DEPLOYED`), emulated time to the last server, and the real time spent.
//!
//! `cargo bench -p rackconnect-emulator --bench fleet`.

use std::cmp::Reverse;
use std::collections::BinaryHeap;
use std::time::Instant;

use rackconnect::blocking::{HttpConfig, IdentityClient, Session, Transport};
use rackconnect::identity::{Credentials, IdentityEndpoint};
use rackconnect::servers::{self, ServersEndpoint};
use rackconnect::v2::AutomationStatus;
use rackconnect::wait::{
    Fleet, FleetWaiter, Machine, MetadataWaitConfig, MetadataWaiter, Millis, Outcome, RateBudget, Step,
};
use rackconnect::{ApiKey, Method, Region, Request, ServerId, Token};
use rackconnect_emulator::scenario::{Account, Automation, Server, Task, User};
use rackconnect_emulator::{Emulator, Options, Scenario};
use serde_json::json;

const SERVERS: usize = 200;
/// The peers' fixed interval.
const PEER_INTERVAL_MS: Millis = 10_000;

/// How long server `i`'s automation takes: spread over 5 to 40 minutes, deterministically (about
/// what Rackspace says 100 Linux servers take, ~40 minutes).
fn automation_ms(i: usize) -> Millis {
    (300 + (i * 7919) % 2101) as Millis * 1000
}

fn scenario() -> Scenario {
    let mut scenario = Scenario::demo();
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
        rackconnect_v2: true,
        rackconnect_v3_regions: vec!["DFW".into()],
    }];
    scenario.networks.clear();
    scenario.nodes.clear();
    scenario.public_ips.clear();
    scenario.pools.clear();
    let template = scenario.servers[0].clone();
    scenario.servers = (0..SERVERS)
        .map(|s| Server {
            id: format!("server-{s:03}"),
            tenant: "999".into(),
            region: "DFW".into(),
            name: format!("server-{s:03}"),
            source_ip: None,
            built_seconds_ago: 0.0,
            managed: None,
            rackconnect_ipv4: Some(format!("198.51.{}.{}", 100 + s / 200, s % 200 + 1)),
            automation: Automation {
                tasks: vec![Task {
                    name: "Cloud Server Created: Add \"rackconnect\" user".into(),
                    seconds: automation_ms(s) as f64 / 1000.0,
                }],
                gateway_after_task: 0,
                ..Automation::default()
            },
            ..template.clone()
        })
        .collect();
    scenario
}

/// A fresh world: the emulator with its clock stopped, a session signed in, the Cloud Servers
/// endpoint and token.
struct World {
    emulator: Emulator,
    transport: Transport,
    endpoint: ServersEndpoint,
    token: Token,
    /// Emulated time since the servers were built.
    now: Millis,
}

impl World {
    fn start() -> Self {
        let emulator =
            Emulator::start(scenario(), Options { clock_speed: Some(0.0), ..Options::default() }).expect("emulator");
        let transport = Transport::new(HttpConfig::default());
        let credentials = Credentials::ApiKey { username: "bench".into(), api_key: ApiKey::new("bench-key") };
        let identity = IdentityClient::new(IdentityEndpoint::parse(&emulator.url()).expect("url"), credentials, None);
        let mut session = Session::new(transport.clone(), identity);
        let token = session.token().expect("token");
        let endpoint = session.servers_endpoint(Region::Dfw).expect("endpoint");
        World { emulator, transport, endpoint, token, now: 0 }
    }

    /// Moves the emulated clock to `at` (never back).
    fn advance_to(&mut self, at: Millis) {
        if at <= self.now {
            return;
        }
        let request = Request {
            method: Method::Post,
            url: format!("{}/__emulator/clock", self.emulator.url()),
            headers: vec![("Content-Type".into(), "application/json".into())],
            body: Some(json!({"advance_seconds": (at - self.now) as f64 / 1000.0}).to_string()),
            sensitive_body: false,
            sensitive_url: false,
        };
        self.transport.send(&request).expect("the clock");
        self.now = at;
    }

    /// Cloud Servers requests the emulator answered.
    fn requests(&self) -> usize {
        self.emulator.world().log.iter().filter(|e| e.path.starts_with("/servers/")).count()
    }
}

struct Tally {
    requests: usize,
    /// Per server: when it was seen ended, after its automation ended.
    latencies_ms: Vec<Millis>,
    /// Emulated time to the last server's end.
    span_ms: Millis,
    real_s: f64,
}

/// Runs every machine on one emulated timeline, the earliest wake-up first; `ended` says, for
/// machine `i` that finished at `now`, which servers it ended and when (relative to the start).
fn run<M: Machine>(
    world: &mut World,
    mut machines: Vec<M>,
    ended: impl Fn(usize, &M::Output, Millis) -> Vec<(usize, Millis)>,
) -> Tally {
    let started = Instant::now();
    let mut budgets: Vec<RateBudget> = machines.iter().map(|_| RateBudget::api()).collect();
    let mut queue: BinaryHeap<Reverse<(Millis, usize)>> = (0..machines.len()).map(|i| Reverse((0, i))).collect();
    let mut latencies = vec![None; SERVERS];
    while let Some(Reverse((at, i))) = queue.pop() {
        world.advance_to(at);
        let now = world.now;
        let machine = &mut machines[i];
        loop {
            match machine.poll(now, &mut budgets[i]) {
                Step::Send(request) => match world.transport.send(&request) {
                    Ok(response) => machine.on_response(now, &response),
                    Err(e) => machine.on_transport_error(now, &e.to_string()),
                },
                Step::SleepUntil(next) => {
                    queue.push(Reverse((next.max(now + 1), i)));
                    break;
                }
                Step::Finished(output) => {
                    for (server, at) in ended(i, &output, now) {
                        latencies[server] = Some(at.saturating_sub(automation_ms(server)));
                    }
                    break;
                }
            }
            machine.take_events();
        }
    }
    let latencies_ms: Vec<Millis> = latencies.into_iter().map(|l| l.expect("every server ended")).collect();
    Tally { requests: world.requests(), latencies_ms, span_ms: world.now, real_s: started.elapsed().as_secs_f64() }
}

/// The core's defaults (a poll every 5 s, the 5-minute grace), with an hour's timeout: the
/// slowest automation takes 40 minutes.
fn config() -> MetadataWaitConfig {
    let mut config = MetadataWaitConfig::default();
    config.wait.timeout_ms = 3_600_000;
    config
}

fn id(i: usize) -> ServerId {
    ServerId::new(format!("server-{i:03}")).expect("an id")
}

fn fleet(interval_ms: Millis) -> Tally {
    let mut world = World::start();
    let before = world.requests();
    let fleet = Fleet::Ids((0..SERVERS).map(id).collect());
    let mut config = config();
    config.wait.interval_ms = interval_ms;
    let waiter = FleetWaiter::new(world.endpoint.clone(), world.token.clone(), fleet, config, 0);
    let mut tally = run(&mut world, vec![waiter], |_, result, _| {
        assert_eq!(result.outcome, Outcome::Done, "{}", result.summary);
        result
            .servers
            .iter()
            .map(|s| (s.id.trim_start_matches("server-").parse().expect("an index"), s.elapsed_ms))
            .collect()
    });
    tally.requests -= before;
    tally
}

fn per_server() -> Tally {
    let mut world = World::start();
    let before = world.requests();
    let waiters = (0..SERVERS)
        .map(|i| MetadataWaiter::new(world.endpoint.clone(), world.token.clone(), id(i), config(), 0))
        .collect();
    let mut tally = run(&mut world, waiters, |i, result, now| {
        assert_eq!(result.outcome, Outcome::Done, "{}", result.summary);
        vec![(i, now)]
    });
    tally.requests -= before;
    tally
}

/// The peers' way: `GET /servers/{id}` every 10 s until `DEPLOYED`, as a machine.
struct Peer {
    endpoint: ServersEndpoint,
    token: Token,
    server: ServerId,
    next: Millis,
    done: bool,
}

impl Machine for Peer {
    type Output = ();
    fn poll(&mut self, now: Millis, _: &mut RateBudget) -> Step<()> {
        if self.done {
            Step::Finished(())
        } else if now < self.next {
            Step::SleepUntil(self.next)
        } else {
            self.next = now + PEER_INTERVAL_MS;
            Step::Send(servers::show_server(&self.endpoint, &self.token, &self.server).expect("a request"))
        }
    }
    fn on_response(&mut self, _: Millis, response: &rackconnect::Response) {
        let status = servers::parse_server(response).ok().and_then(|s| s.rackconnect.automation_status);
        self.done = status == Some(AutomationStatus::Deployed);
    }
    fn on_transport_error(&mut self, _: Millis, _: &str) {}
    fn cancel(&mut self) {}
    fn take_events(&mut self) -> Vec<rackconnect::wait::Event> {
        Vec::new()
    }
    fn budget_kind(&self) -> rackconnect::wait::BudgetKind {
        rackconnect::wait::BudgetKind::Api
    }
}

fn peers() -> Tally {
    let mut world = World::start();
    let before = world.requests();
    let pollers = (0..SERVERS)
        .map(|i| Peer {
            endpoint: world.endpoint.clone(),
            token: world.token.clone(),
            server: id(i),
            next: 0,
            done: false,
        })
        .collect();
    let mut tally = run(&mut world, pollers, |i, (), now| vec![(i, now)]);
    tally.requests -= before;
    tally
}

fn main() {
    let rows = [
        ("rackconnect FleetWaiter (servers/detail pages, 5 s, the default)", fleet(5_000)),
        ("200 x rackconnect MetadataWaiter (GET servers/{id}, 5 s)", per_server()),
        ("200 x peers' poller (GET servers/{id}, fixed 10 s)", peers()),
        ("rackconnect FleetWaiter at the peers' pace (10 s)", fleet(PEER_INTERVAL_MS)),
    ];
    let mean = |t: &Tally| t.latencies_ms.iter().sum::<Millis>() as f64 / t.latencies_ms.len() as f64 / 1000.0;
    let worst = |t: &Tally| *t.latencies_ms.iter().max().unwrap_or(&0) as f64 / 1000.0;
    println!(
        "fleet wait: {SERVERS} servers built at once, RackConnect automation ending at 5..40 min (spread), \
         emulated time, real HTTP\n"
    );
    println!("| strategy | requests | mean detection latency | worst | emulated time to the last | real time |");
    println!("|---|---|---|---|---|---|");
    for (name, t) in &rows {
        println!(
            "| {name} | {} | {:.2} s | {:.2} s | {:.1} min | {:.2} s |",
            t.requests,
            mean(t),
            worst(t),
            t.span_ms as f64 / 60_000.0,
            t.real_s
        );
    }
    // The default fleet wait against our per-server waiter (same pace), and the fleet at each
    // pace against the peers'.
    for (ours, theirs) in [(0, 1), (0, 2), (3, 2)] {
        let ((fleet_name, fleet), (name, t)) = (&rows[ours], &rows[theirs]);
        println!(
            "\n{fleet_name} / {name}: requests {:.4} (1/{:.0}), mean latency {:.2}, real time {:.3}",
            fleet.requests as f64 / t.requests as f64,
            t.requests as f64 / fleet.requests as f64,
            mean(fleet) / mean(t),
            fleet.real_s / t.real_s
        );
    }
}
