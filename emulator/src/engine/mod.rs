//! The engine: the whole emulator without I/O. It owns the world (the scenario's accounts,
//! servers, pools, nodes and public IPs, the tokens, the clock, the injected faults and the
//! request log), takes one request and the real time, and gives the answer. It has no socket,
//! thread or clock of its own: the host reads requests, tells the time, and carries out what the
//! engine cannot (an injected delay, reset or truncated body).
//!
//! A host is a short loop, the same for the tokio/hyper server in this crate (`Emulator`, with
//! the `server` feature), a Python wheel or a wasm module:
//!
//! 1. Read the request head; [`body_plan`] says whether to read its body, and up to how much.
//! 2. Hand the [`Request`] and the real time to [`Engine::handle`].
//! 3. On [`Step::Answer`], write the [`Response`] as its [`Disposition`] says. On [`Step::Wait`],
//!    wait `delay_ms`, hand the [`Held`] request and the time then to [`Engine::resume`], and
//!    write what it answers.
//!
//! ```
//! use rackconnect_emulator::clock::RealTime;
//! use rackconnect_emulator::engine::{Config, Engine, Request, Step};
//! use rackconnect_emulator::Scenario;
//!
//! let t = RealTime::from_unix_millis(1_800_000_000_000);
//! let mut engine = Engine::new(Scenario::demo(), Config::default(), t);
//! // web2 (source address 127.0.0.3) is being built: its automation takes two minutes.
//! let status = |engine: &mut Engine, now: RealTime| {
//!     let request = Request::new("GET", "/v1/automation_status").with_source_ip("127.0.0.3");
//!     match engine.handle(request, now) {
//!         Step::Answer(response) => String::from_utf8(response.body).unwrap(),
//!         Step::Wait { .. } => unreachable!("no fault is armed"),
//!     }
//! };
//! assert_eq!(status(&mut engine, t), "DEPLOYING\n");
//! assert_eq!(status(&mut engine, t.plus_millis(120_000)), "DEPLOYED\n");
//! ```

#[cfg(test)]
mod controls_tests;
mod cors;
mod limits;
mod request;
mod response;
#[cfg(test)]
mod tests;

pub use limits::{BODY_TIMEOUT, HEADER_TIMEOUT, accept_backoff};
pub use request::{Body, BodyPlan, MAX_REQUEST_BODY, Request, body_plan};
pub use response::{Disposition, Held, Response, Step};

use crate::clock::{Millis, RealTime, http_date};
use crate::reply::Reply;
use crate::routes::{self, CONTROL_PREFIX, Call, control, operations};
use crate::scenario::Scenario;
use crate::world::{Fault, LogEntry, World};

/// How an engine behaves, beyond its scenario.
#[derive(Clone, Debug, Default)]
pub struct Config {
    /// Answer CORS preflights and add CORS headers, for browser consoles.
    pub cors: bool,
    /// Emulated seconds per real second; overrides the scenario's `timings.clock_speed`.
    pub clock_speed: Option<f64>,
    /// Seeds generated ids, addresses and fault draws; overrides the scenario's `seed`.
    pub seed: Option<u64>,
}

/// The emulator without I/O: see the [module documentation](self).
#[derive(Debug)]
pub struct Engine {
    world: World,
    cors: bool,
    /// What [`Engine::reset`] builds the world from again.
    scenario: Scenario,
    clock_speed: Option<f64>,
}

impl Engine {
    /// Builds the world a scenario describes at the real time `now` (servers `built_seconds_ago`
    /// are built that long before it). One scenario, configuration and time give one engine:
    /// the same requests at the same times get the same answers.
    pub fn new(mut scenario: Scenario, config: Config, now: RealTime) -> Self {
        if let Some(seed) = config.seed {
            scenario.seed = Some(seed);
            scenario.seed_position = 0;
        }
        let world = World::new(scenario.clone(), config.clock_speed, now);
        Engine { world, cors: config.cors, scenario, clock_speed: config.clock_speed }
    }

    /// Builds the world again from the scenario, as [`Engine::new`] did, at the real time `now`:
    /// the scenario's servers, pools, nodes and public IPs, the clock at `now` and the starting
    /// speed; no logged request, and no token or fault but those the scenario has. The scenario
    /// is the one the engine was made with, or the last one [`Engine::load`]ed.
    /// (`POST /__emulator/reset` does this.)
    pub fn reset(&mut self, now: RealTime) {
        let now = now.max(self.world.clock.real());
        self.world = World::new(self.scenario.clone(), self.clock_speed, now);
    }

    /// Replaces the world with the one `scenario` describes (a state snapshot, usually), at the
    /// real time `now`; [`Engine::reset`] builds this one again from then on. The engine's
    /// clock speed, if configured, still wins over the scenario's.
    pub fn load(&mut self, scenario: Scenario, now: RealTime) {
        let now = now.max(self.world.clock.real());
        self.scenario = scenario;
        self.world = World::new(self.scenario.clone(), self.clock_speed, now);
    }

    /// The world now as a scenario document (what `GET /__emulator/state` answers).
    pub fn snapshot(&self) -> Scenario {
        let description = format!("A snapshot of the emulator's world at {}", crate::clock::iso_millis(self.now()));
        self.world.snapshot(&description)
    }

    /// The world, to inspect.
    pub fn world(&self) -> &World {
        &self.world
    }

    /// The world, to change in place (tests and benches set things up this way).
    pub fn world_mut(&mut self) -> &mut World {
        &mut self.world
    }

    /// Tells the emulated clock the real time without a request (a time before one already told
    /// changes nothing).
    pub fn tell(&mut self, now: RealTime) {
        self.world.clock.tell(now);
        self.world.settle();
    }

    /// The emulated time at the real time last told.
    pub fn now(&self) -> Millis {
        self.world.now()
    }

    /// Takes one request at the real time `now` and says what to answer.
    ///
    /// Everything is decided here: CORS preflights and headers, the body limit (413) and a late
    /// body (408), the control API, injected faults (picked by path prefix and operation name,
    /// with a seeded probability; a `status` fault answers here; `delay`, a fault's latency,
    /// `reset` and `truncate` come back as instructions), the request log, and the `Date` header
    /// in emulated time. Requests under `/__emulator/` are never faulted or logged.
    pub fn handle(&mut self, request: Request, now: RealTime) -> Step {
        self.world.clock.tell(now);
        if request.method == "OPTIONS" && self.cors {
            return Step::Answer(self.finish(Reply::empty(204), Disposition::Complete));
        }
        let over_limit = request::declared_length(&request.headers).is_some_and(|n| n > MAX_REQUEST_BODY as u64);
        match &request.body {
            Body::Complete(body) if body.len() <= MAX_REQUEST_BODY && !over_limit => {}
            Body::TimedOut => {
                let reply = Reply::fault(408, "requestTimeout", "The request body did not arrive in time.");
                return Step::Answer(self.finish(reply, Disposition::Complete));
            }
            Body::Complete(_) | Body::TooLarge => {
                let message = format!("Request body larger than {MAX_REQUEST_BODY} bytes");
                return Step::Answer(self.finish(Reply::fault(413, "overLimit", &message), Disposition::Complete));
            }
        }
        let fault = if request.path().starts_with(CONTROL_PREFIX) || self.world.faults.is_empty() {
            None
        } else {
            let operation = operations::operation(&request.method, request.path());
            self.world.take_fault(request.path(), operation)
        };
        match fault {
            // A fault's latency comes first, whatever its kind; a `delay` is latency alone.
            Some(fault) if fault.kind == "delay" || fault.latency_ms > 0 => {
                let delay_ms = if fault.kind == "delay" { fault.delay_ms } else { 0 };
                Step::Wait {
                    delay_ms: delay_ms.saturating_add(fault.latency_ms),
                    held: Held { request, fault: Box::new(fault) },
                }
            }
            fault => Step::Answer(self.answer(&request, fault.as_ref())),
        }
    }

    /// Answers a request held by an injected delay ([`Step::Wait`]), at the real time `now`.
    pub fn resume(&mut self, held: Held, now: RealTime) -> Response {
        self.world.clock.tell(now);
        self.answer(&held.request, Some(&held.fault))
    }

    /// Routes a request (or answers its fault), dates and logs the answer.
    fn answer(&mut self, request: &Request, fault: Option<&Fault>) -> Response {
        let path = request.path();
        let control = path.starts_with(CONTROL_PREFIX);
        // The one control call about the engine rather than the world: the world is rebuilt.
        if control && path.trim_end_matches('/') == control::RESET_PATH && request.method == "POST" {
            self.reset(self.world.clock.real());
            return self.finish(Reply::json(200, &control::summary(&self.world)), Disposition::Complete);
        }
        let body = match &request.body {
            Body::Complete(body) => body.as_slice(),
            Body::TooLarge | Body::TimedOut => &[],
        };
        if control && path.trim_end_matches('/') == control::STATE_PATH {
            self.world.settle();
            let reply = match request.method.as_str() {
                "GET" => Reply::json(200, &serde_json::to_value(self.snapshot()).unwrap_or_default()),
                "PUT" => match std::str::from_utf8(body).map_err(|e| e.to_string()).and_then(Scenario::from_json) {
                    Ok(scenario) => {
                        self.load(scenario, self.world.clock.real());
                        Reply::json(200, &control::summary(&self.world))
                    }
                    Err(e) => {
                        Reply::json(400, &serde_json::json!({"error": format!("expected a scenario document: {e}")}))
                    }
                },
                _ => Reply::json(405, &serde_json::json!({"error": "state takes GET and PUT"}))
                    .with_header("Allow", "GET, PUT"),
            };
            return self.finish(reply, Disposition::Complete);
        }
        let operation = operations::operation(&request.method, path);
        let call = Call {
            method: &request.method,
            path,
            query: routes::parse_query(request.query()),
            headers: &request.headers,
            body,
            source_ip: request.source_ip.clone(),
            base_url: request.base_url.clone(),
        };
        let world = &mut self.world;
        world.settle();
        let v2_server = path
            .starts_with("/v1/")
            .then(|| world.server_by_source(&request.source_ip).map(|s| s.spec.id.clone()))
            .flatten();
        let kind = fault.map(|f| f.kind.as_str());
        let (reply, disposition) = match fault {
            _ if control => (control::route(world, &call), Disposition::Complete),
            Some(f) if f.kind == "reset" => (Reply::empty(0), Disposition::Reset),
            Some(f) if f.kind == "status" => {
                let reply = Reply::errors(f.status, &["Injected fault".to_owned()]);
                match f.retry_after {
                    Some(secs) => (reply.with_header("Retry-After", secs.to_string()), Disposition::Complete),
                    None => (reply, Disposition::Complete),
                }
            }
            Some(f) if f.kind == "truncate" => {
                let reply = routes::route(world, &call);
                let length = reply.body.len();
                let disposition =
                    if length > 1 { Disposition::Truncate { at: length / 2 } } else { Disposition::Complete };
                (reply, disposition)
            }
            _ => (routes::route(world, &call), Disposition::Complete),
        };
        if !control {
            let entry = LogEntry {
                seq: 0,
                real_ms: world.real_ms(),
                emulated_ms: world.now(),
                method: request.method.clone(),
                path: request.target.clone(),
                status: reply.status,
                source_ip: request.source_ip.clone(),
                server_id: v2_server,
                operation,
                fault: kind.map(str::to_owned),
            };
            world.record(entry);
        }
        if disposition == Disposition::Reset {
            return Response { status: 0, headers: Vec::new(), body: Vec::new(), disposition };
        }
        self.finish(reply, disposition)
    }

    /// Adds the `Date` header (emulated time) and, with CORS on, the CORS headers.
    fn finish(&self, reply: Reply, disposition: Disposition) -> Response {
        let reply = reply.with_header("Date", http_date(self.world.now()));
        let reply = if self.cors { cors::headers(reply) } else { reply };
        Response::from_reply(reply, disposition)
    }
}
