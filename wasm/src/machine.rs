//! The core's waiters and planners behind one JS class, [`Machine`], which the package's client
//! drives with `fetch` and timers exactly as `rackconnect::blocking::run` drives them with a
//! socket and `thread::sleep`: poll, send what it asks, report the answer, sleep until it says.

use rackconnect::ensure::{EnsureOptions, MembershipPlanner, Presence, PublicIpPlanner, PublicIpSpec, every_pair};
use rackconnect::servers::ServersEndpoint;
use rackconnect::v3::V3Endpoint;
use rackconnect::wait::{
    self, Event, MetadataWaitConfig, MetadataWaiter, Millis, NodesWaiter, PublicIpWaiter, RateBudget, Step, Target,
    WaitConfig,
};
use rackconnect::{BaseUrl, Error, PoolId, PublicIpId, Request, ServerId, Token};
use serde::Deserialize;
use serde_json::{Value, json};
use wasm_bindgen::prelude::*;

use crate::convert::{Thrown, from_json, millis, response, thrown, to_json};

/// A request in the package's JSON form (the token in its header exposed: it is about to be sent).
pub(crate) fn request_json(request: &Request) -> Value {
    json!({
        "method": request.method.as_str(),
        "url": request.url,
        "headers": request.headers,
        "body": request.body,
    })
}

/// One of the core's machines with its output turned into JSON, so that one JS class can drive
/// any of them.
trait Driven {
    fn poll(&mut self, now: Millis, budget: &mut RateBudget) -> Step<Value>;
    fn on_response(&mut self, now: Millis, response: &rackconnect::Response);
    fn on_transport_error(&mut self, now: Millis, error: &str);
    fn cancel(&mut self);
    fn take_events(&mut self) -> Vec<Event>;
}

/// A machine and how its output becomes JSON (some add what the machine kept: the nodes that
/// failed, the last public IP or server read).
struct Adapter<M: wait::Machine> {
    machine: M,
    finish: fn(&M, M::Output) -> Value,
}

impl<M: wait::Machine> Driven for Adapter<M> {
    fn poll(&mut self, now: Millis, budget: &mut RateBudget) -> Step<Value> {
        match self.machine.poll(now, budget) {
            Step::Send(request) => Step::Send(request),
            Step::SleepUntil(at) => Step::SleepUntil(at),
            Step::Finished(output) => Step::Finished((self.finish)(&self.machine, output)),
        }
    }
    fn on_response(&mut self, now: Millis, response: &rackconnect::Response) {
        self.machine.on_response(now, response);
    }
    fn on_transport_error(&mut self, now: Millis, error: &str) {
        self.machine.on_transport_error(now, error);
    }
    fn cancel(&mut self) {
        self.machine.cancel();
    }
    fn take_events(&mut self) -> Vec<Event> {
        self.machine.take_events()
    }
}

/// A value's JSON form with extra top-level fields.
fn with_fields(value: impl serde::Serialize, extra: &[(&str, Value)]) -> Value {
    let mut value = serde_json::to_value(value).unwrap_or(Value::Null);
    if let Value::Object(map) = &mut value {
        for (key, field) in extra {
            map.insert((*key).to_owned(), field.clone());
        }
    }
    value
}

fn plain<M: wait::Machine>(_: &M, output: M::Output) -> Value
where
    M::Output: serde::Serialize,
{
    serde_json::to_value(output).unwrap_or(Value::Null)
}

fn v3_endpoint(url: &str) -> Result<V3Endpoint, Error> {
    BaseUrl::new("endpoint", url).map(V3Endpoint::BaseUrl)
}

fn presence(present: bool) -> Presence {
    if present { Presence::Present } else { Presence::Absent }
}

/// `NodesWaiter`'s inputs.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct NodesSpec {
    nodes: Vec<NodeRef>,
    target: Target,
    #[serde(default)]
    wait: WaitConfig,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct NodeRef {
    pool_id: String,
    node_id: String,
}

/// `PublicIpWaiter`'s inputs.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct PublicIpWaitSpec {
    public_ip_id: String,
    target: Target,
    #[serde(default)]
    wait: WaitConfig,
}

/// `MetadataWaiter`'s inputs.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct MetadataSpec {
    server_id: String,
    #[serde(default)]
    config: MetadataWaitConfig,
}

/// `MembershipPlanner`'s inputs: every server with every pool.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct MembershipSpec {
    servers: Vec<String>,
    pools: Vec<String>,
    present: bool,
    #[serde(default)]
    options: EnsureOptions,
}

/// `PublicIpPlanner`'s inputs.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct PublicIpEnsureSpec {
    server_id: String,
    present: bool,
    #[serde(default)]
    retain: Option<bool>,
    #[serde(default)]
    move_ip: Option<String>,
    #[serde(default)]
    options: EnsureOptions,
}

/// A waiter or planner of the core, driven from JS. Every method answers JSON text.
///
/// `poll(now)` answers `{"step": "send", "request": {...}}`, `{"step": "sleep", "until": ms}` or
/// `{"step": "finished", "output": {...}}`, with the progress `events` since the last call;
/// `onResponse`/`onTransportError` report the last request's fate and answer the new events.
/// Time is milliseconds on the caller's monotonic clock. Requests are paced by the core's API
/// rate budget, one per machine.
#[wasm_bindgen]
pub struct Machine {
    inner: Box<dyn Driven>,
    budget: RateBudget,
}

impl Machine {
    fn new(inner: Box<dyn Driven>) -> Machine {
        Machine { inner, budget: RateBudget::api() }
    }

    fn events(&mut self) -> Value {
        serde_json::to_value(self.inner.take_events()).unwrap_or(Value::Null)
    }
}

#[wasm_bindgen]
impl Machine {
    /// Waits for pool nodes (`{"nodes": [{pool_id, node_id}], "target": "active"|"gone",
    /// "wait": WaitConfig}`) at the v3 `endpoint`.
    #[wasm_bindgen(js_name = nodesWaiter)]
    pub fn nodes_waiter(endpoint: &str, token: &str, spec: &str, now: f64) -> Result<Machine, Thrown> {
        let build = || -> Result<Machine, Error> {
            let spec: NodesSpec = from_json("spec", spec)?;
            let nodes = spec
                .nodes
                .into_iter()
                .map(|n| Ok((PoolId::new_as("pool_id", n.pool_id)?, n.node_id)))
                .collect::<Result<Vec<_>, Error>>()?;
            let machine =
                NodesWaiter::new(v3_endpoint(endpoint)?, Token::new(token), nodes, spec.target, spec.wait, millis(now));
            let finish: fn(&NodesWaiter, wait::WaitResult) -> Value =
                |m, r| with_fields(r, &[("failures", serde_json::to_value(m.failures()).unwrap_or(Value::Null))]);
            Ok(Machine::new(Box::new(Adapter { machine, finish })))
        };
        build().map_err(|e| thrown(&e))
    }

    /// Waits for a public IP (`{"public_ip_id", "target", "wait"}`) at the v3 `endpoint`.
    #[wasm_bindgen(js_name = publicIpWaiter)]
    pub fn public_ip_waiter(endpoint: &str, token: &str, spec: &str, now: f64) -> Result<Machine, Thrown> {
        let build = || -> Result<Machine, Error> {
            let spec: PublicIpWaitSpec = from_json("spec", spec)?;
            let id = PublicIpId::new_as("public_ip_id", spec.public_ip_id)?;
            let machine =
                PublicIpWaiter::new(v3_endpoint(endpoint)?, Token::new(token), id, spec.target, spec.wait, millis(now));
            let finish: fn(&PublicIpWaiter, wait::WaitResult) -> Value =
                |m, r| with_fields(r, &[("public_ip", serde_json::to_value(m.public_ip()).unwrap_or(Value::Null))]);
            Ok(Machine::new(Box::new(Adapter { machine, finish })))
        };
        build().map_err(|e| thrown(&e))
    }

    /// Waits on a server's metadata (`{"server_id", "config": MetadataWaitConfig}`) at the Cloud
    /// Servers `endpoint`.
    #[wasm_bindgen(js_name = metadataWaiter)]
    pub fn metadata_waiter(endpoint: &str, token: &str, spec: &str, now: f64) -> Result<Machine, Thrown> {
        let build = || -> Result<Machine, Error> {
            let spec: MetadataSpec = from_json("spec", spec)?;
            let endpoint = ServersEndpoint::BaseUrl(BaseUrl::new("endpoint", endpoint)?);
            let server = ServerId::new_as("server_id", spec.server_id)?;
            let machine = MetadataWaiter::new(endpoint, Token::new(token), server, spec.config, millis(now));
            let finish: fn(&MetadataWaiter, wait::WaitResult) -> Value = |m, r| {
                let server = m.server();
                with_fields(
                    r,
                    &[
                        ("reachable_ipv4", json!(server.and_then(|s| s.access_ipv4.clone()))),
                        ("server", serde_json::to_value(server).unwrap_or(Value::Null)),
                    ],
                )
            };
            Ok(Machine::new(Box::new(Adapter { machine, finish })))
        };
        build().map_err(|e| thrown(&e))
    }

    /// Ensures pool membership (`{"servers", "pools", "present", "options": EnsureOptions}`) at
    /// the v3 `endpoint`.
    #[wasm_bindgen(js_name = membershipPlanner)]
    pub fn membership_planner(endpoint: &str, token: &str, spec: &str, now: f64) -> Result<Machine, Thrown> {
        let build = || -> Result<Machine, Error> {
            let spec: MembershipSpec = from_json("spec", spec)?;
            let pairs = every_pair(&spec.servers, &spec.pools, ("servers", "pools"))?;
            let machine = MembershipPlanner::new(
                v3_endpoint(endpoint)?,
                Token::new(token),
                pairs,
                presence(spec.present),
                spec.options,
                millis(now),
            );
            Ok(Machine::new(Box::new(Adapter { machine, finish: plain })))
        };
        build().map_err(|e| thrown(&e))
    }

    /// Ensures a server's public IP (`{"server_id", "present", "retain", "move_ip", "options"}`)
    /// at the v3 `endpoint`.
    #[wasm_bindgen(js_name = publicIpPlanner)]
    pub fn public_ip_planner(endpoint: &str, token: &str, spec: &str, now: f64) -> Result<Machine, Thrown> {
        let build = || -> Result<Machine, Error> {
            let spec: PublicIpEnsureSpec = from_json("spec", spec)?;
            let spec_core = PublicIpSpec {
                server_id: ServerId::new_as("serverId", spec.server_id)?,
                presence: presence(spec.present),
                retain: spec.retain,
                public_ip_id: spec.move_ip.map(|id| PublicIpId::new_as("moveIp", id)).transpose()?,
            };
            let machine =
                PublicIpPlanner::new(v3_endpoint(endpoint)?, Token::new(token), spec_core, spec.options, millis(now));
            Ok(Machine::new(Box::new(Adapter { machine, finish: plain })))
        };
        build().map_err(|e| thrown(&e))
    }

    /// What to do at `now`, with the events since the last call.
    pub fn poll(&mut self, now: f64) -> Result<String, Thrown> {
        let step = match self.inner.poll(millis(now), &mut self.budget) {
            Step::Send(request) => json!({"step": "send", "request": request_json(&request)}),
            Step::SleepUntil(at) => json!({"step": "sleep", "until": at}),
            Step::Finished(output) => json!({"step": "finished", "output": output}),
        };
        to_json(&with_fields(step, &[("events", self.events())]))
    }

    /// The answer to the last request (status, headers as a JSON array of pairs, raw body); the
    /// new events.
    #[wasm_bindgen(js_name = onResponse)]
    pub fn on_response(&mut self, now: f64, status: u16, headers: &str, body: &[u8]) -> Result<String, Thrown> {
        let response = response(status, headers, body).map_err(|e| thrown(&e))?;
        self.inner.on_response(millis(now), &response);
        to_json(&self.events())
    }

    /// The last request got no answer; the new events.
    #[wasm_bindgen(js_name = onTransportError)]
    pub fn on_transport_error(&mut self, now: f64, error: &str) -> Result<String, Thrown> {
        self.inner.on_transport_error(millis(now), error);
        to_json(&self.events())
    }

    /// Stops at the next poll with the outcome `cancelled`.
    pub fn cancel(&mut self) {
        self.inner.cancel();
    }
}
