//! The core's [`Exchange`] behind one JS class, which the package's client drives with `fetch`
//! and timers exactly as `rackconnect::blocking::drive` drives it with a socket and
//! `thread::sleep` (the driver contract of `rackconnect::client`). The JS side decides nothing:
//! sign-in, renewal, endpoints, retries, the transport rule and the time left per request are
//! all the exchange's.

use rackconnect::client::json::{JsonExchange, auth_from_spec, exchange_config};
use rackconnect::client::{self, Auth as CoreAuth, SignIn, Task};
use rackconnect::identity::Access;
use rackconnect::wait::RateBudget;
use rackconnect::{Error, Region};
use serde_json::{Value, json};
use wasm_bindgen::prelude::*;

use crate::convert::{Thrown, millis, response, thrown, to_json};

/// Who signs in where, and the cached token: opaque to JS (the token never becomes a JS value
/// outside a request about to be sent).
#[wasm_bindgen]
pub struct Auth {
    inner: CoreAuth,
}

#[wasm_bindgen]
impl Auth {
    /// From `{identity_url, username, api_key | password, tenant_id}` as JSON text; checked now
    /// (user name, Identity URL and the transport rule), so a configuration error is thrown
    /// before anything is sent.
    #[wasm_bindgen(constructor)]
    pub fn new(spec: &str) -> Result<Auth, Thrown> {
        auth_from_spec(spec).map(|inner| Auth { inner }).map_err(|e| thrown(&e))
    }

    /// True when a token is cached (fresh or not).
    #[wasm_bindgen(getter, js_name = signedIn)]
    pub fn signed_in(&self) -> bool {
        self.inner.access().is_some()
    }

    /// The user name.
    #[wasm_bindgen(getter)]
    pub fn username(&self) -> String {
        self.inner.username().to_owned()
    }

    /// Takes the newer token of an exchange that ran with a copy of this.
    pub fn adopt(&mut self, exchange: &Exchange) {
        if let Some(auth) = exchange.inner.finished_auth() {
            self.inner.adopt(auth);
        }
    }

    /// Forgets the token (after a sign-out).
    pub fn forget(&mut self) {
        self.inner.invalidate();
    }

    /// What a sign-in tells a console, for `region` (or the user's default): the user, tenant,
    /// regions, expiry and that region's endpoints, as JSON text. Never the token.
    pub fn summary(&self, region: Option<String>) -> Result<String, Thrown> {
        let access = self.inner.access().ok_or_else(|| {
            thrown(&Error::InvalidInput {
                field: "access".into(),
                expected: "a signed-in client".into(),
                found: "none".into(),
            })
        })?;
        let region = region.map(|r| Region::parse(&r)).transpose().map_err(|e| thrown(&e))?;
        to_json(&summary(access, self.inner.username(), region))
    }
}

/// A sign-in as a console sees it (camelCase: this shape is the package's, not the core's).
pub(crate) fn summary(access: &Access, username: &str, region: Option<Region>) -> Value {
    let region = client::region_of(access, region).ok();
    let endpoints = |r: Region| crate::region_endpoints(access, r);
    let mut shown = crate::regions(access);
    if let Value::Object(map) = &mut shown {
        map.insert("username".into(), json!(username));
        map.insert("region".into(), json!(region.map(Region::lower)));
        map.insert("endpoints".into(), region.map_or(json!({"rackconnect": null, "compute": null}), endpoints));
    }
    shown
}

/// Sign-in as a task whose output is the console's summary.
struct SignInSummary {
    inner: SignIn,
    username: String,
    region: Option<Region>,
}

impl Task for SignInSummary {
    type Output = Value;
    fn needs(&self) -> client::Needs {
        self.inner.needs()
    }
    fn start(&mut self, start: &client::Start) -> Result<(), Error> {
        self.inner.start(start)
    }
    fn poll(&mut self, now: u64, budget: &mut RateBudget) -> rackconnect::wait::Step<Result<Value, Error>> {
        use rackconnect::wait::Step;
        match self.inner.poll(now, budget) {
            Step::Finished(outcome) => {
                Step::Finished(outcome.map(|access| summary(&access, &self.username, self.region)))
            }
            Step::Send(request) => Step::Send(request),
            Step::SleepUntil(at) => Step::SleepUntil(at),
        }
    }
    fn on_response(&mut self, now: u64, response: &rackconnect::Response) {
        self.inner.on_response(now, response);
    }
    fn on_transport_error(&mut self, now: u64, error: &Error) {
        self.inner.on_transport_error(now, error);
    }
    fn cancel(&mut self) {
        self.inner.cancel();
    }
    fn take_events(&mut self) -> Vec<rackconnect::wait::Event> {
        self.inner.take_events()
    }
    fn budget_kind(&self) -> rackconnect::wait::BudgetKind {
        self.inner.budget_kind()
    }
}

/// One exchange of the core, driven from JS: the core's [`JsonExchange`] (its steps, inputs
/// and events are the core's JSON), every method answering JSON text.
#[wasm_bindgen]
pub struct Exchange {
    inner: JsonExchange,
}

fn exchange(made: Result<JsonExchange, Error>) -> Result<Exchange, Thrown> {
    made.map(|inner| Exchange { inner }).map_err(|e| thrown(&e))
}

#[wasm_bindgen]
impl Exchange {
    /// Any operation by name (`v3.list_pools`, `servers.show` …) with its inputs as JSON text
    /// (no endpoint, no token: the exchange supplies them).
    pub fn call(auth: &Auth, op: &str, input: &str, driver: &str) -> Result<Exchange, Thrown> {
        exchange(JsonExchange::operation(Some(&auth.inner), op, input, driver))
    }

    /// A RackConnect v2 operation by name (asked from the server itself: no credentials).
    #[wasm_bindgen(js_name = callV2)]
    pub fn call_v2(op: &str, input: &str, driver: &str) -> Result<Exchange, Thrown> {
        exchange(JsonExchange::operation(None, op, input, driver))
    }

    /// Every server of the region, following `servers/detail`'s pages.
    #[wasm_bindgen(js_name = allServers)]
    pub fn all_servers(auth: &Auth, driver: &str) -> Result<Exchange, Thrown> {
        exchange(JsonExchange::all_servers(&auth.inner, driver))
    }

    /// A sign-in (when the cached token is not fresh), answering the console's summary.
    #[wasm_bindgen(js_name = signIn)]
    pub fn sign_in(auth: &Auth, driver: &str) -> Result<Exchange, Thrown> {
        let build = || -> Result<JsonExchange, Error> {
            let config = exchange_config(driver)?;
            let task = SignInSummary {
                inner: SignIn::new(),
                username: auth.inner.username().to_owned(),
                region: config.region,
            };
            JsonExchange::new(Box::new(task), Some(&auth.inner), driver)
        };
        exchange(build())
    }

    /// Revokes the cached token (the caller forgets it afterwards with `Auth.forget`).
    #[wasm_bindgen(js_name = signOut)]
    pub fn sign_out(auth: &Auth, driver: &str) -> Result<Exchange, Thrown> {
        let endpoint = auth.inner.endpoint().clone();
        let task = client::CallTask::new(
            client::CallKind::Change,
            client::Needs::Token,
            move |start: &client::Start| rackconnect::identity::revoke_token(&endpoint, start.token()?),
            |response: &rackconnect::Response| rackconnect::identity::parse_revoke(response).map(|()| Value::Null),
        );
        exchange(JsonExchange::new(Box::new(task), Some(&auth.inner), driver))
    }

    /// A RackConnect v2 wait, asked from the server itself (no credentials):
    /// `{"base_url": ... | "region": ..., "wait": WaitConfig}`.
    #[wasm_bindgen(js_name = waitV2)]
    pub fn wait_v2(spec: &str, driver: &str) -> Result<Exchange, Thrown> {
        exchange(JsonExchange::wait_v2(spec, driver))
    }

    /// A wait: `{"kind": "nodes" | "public_ip" | "metadata", ...}` (see the core's `WaitSpec`).
    pub fn wait(auth: &Auth, spec: &str, driver: &str) -> Result<Exchange, Thrown> {
        exchange(JsonExchange::wait(&auth.inner, spec, driver))
    }

    /// An ensure: `{"kind": "pool_members" | "public_ip", ...}` (see the core's `EnsureSpec`).
    pub fn ensure(auth: &Auth, spec: &str, driver: &str) -> Result<Exchange, Thrown> {
        exchange(JsonExchange::ensure(&auth.inner, spec, driver))
    }

    /// What to do at `now`, with the events since the last call.
    pub fn poll(&mut self, now: f64) -> Result<String, Thrown> {
        to_json(&self.inner.poll(millis(now)))
    }

    /// The answer to the last request (status, headers as a block and their number, raw body:
    /// see `convert::response`); the new events.
    #[wasm_bindgen(js_name = onResponse)]
    pub fn on_response(
        &mut self,
        now: f64,
        status: u16,
        headers: &str,
        count: u32,
        body: Vec<u8>,
    ) -> Result<String, Thrown> {
        let response = response(status, headers, count, body).map_err(|e| thrown(&e))?;
        to_json(&self.inner.on_response(millis(now), &response))
    }

    /// The last request got no answer (`kind`: `connect`, `io`, `timeout`, `too_large`); the new
    /// events.
    #[wasm_bindgen(js_name = onTransportError)]
    pub fn on_transport_error(&mut self, now: f64, kind: &str, detail: &str) -> Result<String, Thrown> {
        to_json(&self.inner.on_transport_error(millis(now), kind, detail))
    }

    /// Stops at the next poll (a request in flight is abandoned).
    pub fn cancel(&mut self) {
        self.inner.cancel();
    }

    /// Requests handed to the driver so far.
    #[wasm_bindgen(getter, js_name = requestsSent)]
    pub fn requests_sent(&self) -> u32 {
        self.inner.requests_sent()
    }
}
