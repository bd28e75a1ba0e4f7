//! Benchmark (not a test): how soon a finished automation is noticed, and at what cost in
//! requests, for the core's v2 waiter against the fixed 10-second poller peers use, in the same
//! run against the same emulated servers.
//!
//! Time is emulated (the emulator's clock is stopped and moved by exactly what each strategy
//! sleeps), so latencies are exact and the run takes seconds. Every request is real HTTP from
//! the server's own source address. `cargo bench -p rackconnect-emulator --bench waits`.

use std::net::{IpAddr, Ipv4Addr};

use rackconnect::blocking::{HttpConfig, Transport};
use rackconnect::v2::{self, AutomationStatus, V2Answer, V2Endpoint};
use rackconnect::wait::{Machine, Outcome, RateBudget, Step, V2Waiter, WaitConfig};
use rackconnect::{BaseUrl, Method, Request};
use rackconnect_emulator::scenario::{Automation, Task};
use rackconnect_emulator::{Emulator, Options, Scenario};
use serde_json::json;

const SERVERS: usize = 20;

fn control(emulator: &Emulator, path: &str, body: serde_json::Value) -> serde_json::Value {
    let request = Request {
        method: Method::Post,
        url: format!("{}/__emulator/{path}", emulator.url()),
        headers: vec![("Content-Type".into(), "application/json".into())],
        body: Some(body.to_string()),
        sensitive_body: false,
        sensitive_url: false,
    };
    let response = Transport::new(HttpConfig::default()).send(&request).expect("control API");
    serde_json::from_slice(&response.body).unwrap_or_default()
}

fn advance(emulator: &Emulator, ms: u64) {
    control(emulator, "clock", json!({"advance_seconds": ms as f64 / 1000.0}));
}

/// A server whose automation takes `seconds`, built now, asking v2 from `source`.
fn build(emulator: &Emulator, n: usize, seconds: f64, source: Ipv4Addr) {
    let automation = Automation {
        tasks: vec![Task { name: "Cloud Server Created: Add \"rackconnect\" user".into(), seconds }],
        gateway_after_task: 0,
        ..Automation::default()
    };
    control(
        emulator,
        "servers",
        json!({"id": format!("bench-{n}"), "source_ip": source.to_string(), "automation": automation}),
    );
}

struct Tally {
    latency_ms: u64,
    requests: u64,
}

fn ours(emulator: &Emulator, transport: &Transport, deployed_at: u64) -> Tally {
    let endpoint = V2Endpoint::BaseUrl(BaseUrl::new("v2", &emulator.url()).expect("url"));
    let mut waiter = V2Waiter::new(endpoint, WaitConfig::default(), 0);
    let mut budget = RateBudget::v2();
    let mut now = 0;
    loop {
        match waiter.poll(now, &mut budget) {
            Step::Send(request) => match transport.send(&request) {
                Ok(response) => waiter.on_response(now, &response),
                Err(e) => waiter.on_transport_error(now, &e.to_string()),
            },
            Step::SleepUntil(at) => {
                advance(emulator, at - now);
                now = at;
            }
            Step::Finished(result) => {
                assert_eq!(result.outcome, Outcome::Done, "{result:?}");
                return Tally { latency_ms: now.saturating_sub(deployed_at), requests: u64::from(result.requests) };
            }
        }
    }
}

fn fixed_poller(emulator: &Emulator, transport: &Transport, deployed_at: u64) -> Tally {
    let endpoint = V2Endpoint::BaseUrl(BaseUrl::new("v2", &emulator.url()).expect("url"));
    let (mut now, mut requests): (u64, u64) = (0, 0);
    loop {
        let response = transport.send(&v2::automation_status(&endpoint, None).expect("request")).expect("answer");
        requests += 1;
        if let Ok(V2Answer::Answer(AutomationStatus::Deployed)) = v2::parse_automation_status(&response) {
            return Tally { latency_ms: now.saturating_sub(deployed_at), requests };
        }
        advance(emulator, 10_000);
        now += 10_000;
    }
}

fn main() {
    let emulator =
        Emulator::start(Scenario::demo(), Options { clock_speed: Some(0.0), ..Options::default() }).expect("emulator");
    let (mut a, mut b) = (Vec::new(), Vec::new());
    // Automation lengths spread over 61..=299 s, deterministically.
    let lengths: Vec<f64> = (0..SERVERS).map(|i| 61.0 + ((i * 7919) % 239) as f64).collect();
    for (i, seconds) in lengths.iter().enumerate() {
        for (strategy, out) in [(0, &mut a), (1, &mut b)] {
            let source = Ipv4Addr::new(127, 0, 3, u8::try_from(2 * i + strategy + 1).unwrap_or(1));
            build(&emulator, 2 * i + strategy, *seconds, source);
            let transport =
                Transport::new(HttpConfig { local_address: Some(IpAddr::V4(source)), ..HttpConfig::default() });
            let deployed_at = (*seconds * 1000.0) as u64;
            out.push(if strategy == 0 {
                ours(&emulator, &transport, deployed_at)
            } else {
                fixed_poller(&emulator, &transport, deployed_at)
            });
        }
    }
    let mean = |t: &[Tally], f: fn(&Tally) -> u64| t.iter().map(f).sum::<u64>() as f64 / t.len() as f64;
    let (lat_a, lat_b) = (mean(&a, |t| t.latency_ms) / 1000.0, mean(&b, |t| t.latency_ms) / 1000.0);
    let (req_a, req_b) = (mean(&a, |t| t.requests), mean(&b, |t| t.requests));
    println!("v2 wait: {SERVERS} servers each, automation 61..299 s, emulated time, real HTTP\n");
    println!("| strategy | mean detection latency after DEPLOYED | mean requests per server |");
    println!("|---|---|---|");
    println!("| rackconnect V2Waiter (budget-paced, 30/min) | {lat_a:.2} s | {req_a:.1} |");
    println!("| fixed 10 s poller (baseline) | {lat_b:.2} s | {req_b:.1} |");
    println!("| ratio (ours / baseline) | {:.2} | {:.2} |", lat_a / lat_b, req_a / req_b);
}
