//! The driver contract in JSON, for the bindings whose drivers live in another language (the
//! JavaScript driver over `fetch`, Python's asyncio driver): an [`Exchange`] of any of the tasks
//! every front door runs, started from JSON text and answering JSON values. The bindings only
//! carry these across; what the inputs mean, which endpoint a v2 wait asks and how a step reads
//! are decided here, once.

use serde::Deserialize;
use serde::de::DeserializeOwned;
use serde_json::{Map, Value, json};

use super::work::{self, EnsureSpec, JsonTask, WaitSpec};
use super::{Action, Auth, Exchange, ExchangeConfig, Task};
use crate::error::{Error, Result};
use crate::http::{Request, Response};
use crate::id::{BaseUrl, Region};
use crate::identity::{Credentials, IdentityEndpoint, TenantScope};
use crate::inventory::InventoryOptions;
use crate::ops::Operation;
use crate::secret::{ApiKey, Password};
use crate::v2::V2Endpoint;
use crate::wait::{Millis, WaitConfig};

/// A value as a JSON tree, through its JSON text. `serde_json::to_value` compiles a second
/// `Serialize` of every type it is given (into serde_json's `Value` serializer), besides the one
/// into text every result already has: 13 KB raw, 4.6 KB gzipped of the npm package's `.wasm`
/// (2026-12-04). The tree is the same (numbers, order and all), a few microseconds slower for
/// the small values it is used for.
pub fn to_value<T: serde::Serialize + ?Sized>(value: &T) -> serde_json::Result<Value> {
    serde_json::to_vec(value).and_then(|text| serde_json::from_slice(&text))
}

/// JSON text from a binding into a typed value; `field` names it in the error. Read as bytes, as
/// every answer is: one copy of serde_json's reader in the `.wasm`, not one per input kind (the
/// same result for any `&str`).
pub fn parse_input<T: DeserializeOwned>(field: &str, text: &str) -> Result<T> {
    serde_json::from_slice(text.as_bytes())
        .map_err(|e| Error::invalid(field, "JSON of the right shape", &e.to_string()))
}

/// A request in the drivers' JSON form (the token in its header exposed: it is about to be sent).
pub fn request_json(request: &Request) -> Value {
    json!({
        "method": request.method.as_str(),
        "url": request.url,
        "headers": request.headers,
        "body": request.body,
    })
}

/// Who signs in where, as a binding hands it over: `{identity_url, username, api_key | password,
/// tenant_id}` as JSON text. Checked now (the user name, the Identity URL and the transport
/// rule), so that a configuration error is raised before anything is sent.
pub fn auth_from_spec(spec: &str) -> Result<Auth> {
    #[derive(Deserialize)]
    #[serde(deny_unknown_fields)]
    struct CredentialsSpec {
        identity_url: Option<String>,
        username: String,
        #[serde(default)]
        api_key: Option<String>,
        #[serde(default)]
        password: Option<String>,
        #[serde(default)]
        tenant_id: Option<String>,
    }
    let spec: CredentialsSpec = parse_input("credentials", spec)?;
    let endpoint = IdentityEndpoint::parse(spec.identity_url.as_deref().unwrap_or(super::defaults::IDENTITY))?;
    let username = spec.username;
    let credentials = match (spec.api_key, spec.password) {
        (Some(key), None) => Credentials::ApiKey { username, api_key: ApiKey::new(key) },
        (None, Some(password)) => Credentials::Password { username, password: Password::new(password) },
        (None, None) => return Err(Error::invalid("credentials", "one of an API key and a password", "neither")),
        (Some(_), Some(_)) => return Err(Error::invalid("credentials", "one of an API key and a password", "both")),
    };
    let auth = Auth::new(endpoint, credentials, spec.tenant_id.map(TenantScope::Id));
    auth.check()?;
    Ok(auth)
}

/// A driver's settings: the region (none: the user's default), a seed from the driver's
/// randomness, and the longest a request may take.
#[derive(Deserialize, Default)]
#[serde(default, deny_unknown_fields)]
struct DriverSpec {
    region: Option<String>,
    seed: Option<f64>,
    request_timeout_ms: Option<f64>,
}

/// A driver's number of milliseconds (JSON numbers are floats in JavaScript).
fn whole_millis(value: f64) -> Millis {
    if value.is_finite() && value > 0.0 { value as Millis } else { 0 }
}

/// The exchange's configuration from a driver's settings as JSON text (empty: the defaults).
pub fn exchange_config(driver: &str) -> Result<ExchangeConfig> {
    let spec: DriverSpec = if driver.is_empty() { DriverSpec::default() } else { parse_input("driver", driver)? };
    let mut config =
        ExchangeConfig { region: spec.region.map(|r| Region::parse(&r)).transpose()?, ..ExchangeConfig::default() };
    if let Some(seed) = spec.seed {
        config.seed = whole_millis(seed);
    }
    if let Some(timeout) = spec.request_timeout_ms {
        config.request_timeout_ms = whole_millis(timeout).max(1);
    }
    Ok(config)
}

/// A v2 wait's inputs: exactly one of a base URL and a region, and the wait's settings.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct V2WaitSpec {
    #[serde(default)]
    base_url: Option<String>,
    #[serde(default)]
    region: Option<String>,
    #[serde(default)]
    wait: WaitConfig,
}

/// An inventory's inputs as the bindings hand them over: `{"regions": [...], "options": {...}}`,
/// both optional (no regions: the exchange's region; no options: the defaults). Read now, the
/// regions first, then the options by the core's reading of them and checked, so that every
/// front door refuses a mistake alike and before anything is sent.
pub fn inventory_inputs(spec: &str) -> Result<(Vec<Region>, InventoryOptions)> {
    #[derive(Deserialize)]
    #[serde(deny_unknown_fields)]
    struct InventorySpec {
        #[serde(default)]
        regions: Vec<String>,
        #[serde(default)]
        options: Map<String, Value>,
    }
    let spec: InventorySpec = parse_input("spec", spec)?;
    let regions = spec.regions.iter().map(|r| Region::parse(r)).collect::<Result<Vec<_>>>()?;
    let options: InventoryOptions = serde_json::from_value(Value::Object(spec.options))
        .map_err(|e| Error::invalid("inventory options", "options as documented", &e.to_string()))?;
    options.check()?;
    Ok((regions, options))
}

/// One exchange of the core, driven from another language. `poll(now)` answers
/// `{"step": "send", "request": {...}, "timeout_ms", "max_body_bytes"}`, `{"step": "sleep",
/// "until": ms}`, `{"step": "finished", "output": ...}` or `{"step": "failed", "error": {...}}`,
/// each with the progress `events` since the last call. `now` is the driver contract's clock.
pub struct JsonExchange {
    inner: Exchange<JsonTask>,
    finished_auth: Option<Auth>,
}

impl std::fmt::Debug for JsonExchange {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("JsonExchange").field("requests_sent", &self.inner.requests_sent()).finish_non_exhaustive()
    }
}

impl JsonExchange {
    /// `task`, signing in with (a copy of) `auth` where it needs a token, per `driver`.
    pub fn new(task: JsonTask, auth: Option<&Auth>, driver: &str) -> Result<Self> {
        let config = exchange_config(driver)?;
        let budget = Exchange::<JsonTask>::budget_for(task.budget_kind());
        Ok(JsonExchange { inner: Exchange::new(task, auth.cloned(), budget, config), finished_auth: None })
    }

    /// Any operation by name with its inputs as JSON text (no endpoint, no token: the exchange
    /// supplies them). v2 operations take no `auth`.
    pub fn operation(auth: Option<&Auth>, op: &str, input: &str, driver: &str) -> Result<Self> {
        let op = Operation::from_name(op)?;
        let input: Value = if input.is_empty() { Value::Object(Map::new()) } else { parse_input("input", input)? };
        Self::new(work::operation(op, input)?, auth, driver)
    }

    /// Every server of the region, following `servers/detail`'s pages.
    pub fn all_servers(auth: &Auth, driver: &str) -> Result<Self> {
        Self::new(Box::new(work::AsJson(work::all_servers())), Some(auth), driver)
    }

    /// A RackConnect v2 wait, asked from the server itself (no credentials):
    /// `{"base_url": ... | "region": ..., "wait": WaitConfig}`.
    pub fn wait_v2(spec: &str, driver: &str) -> Result<Self> {
        let spec: V2WaitSpec = parse_input("spec", spec)?;
        let endpoint = match (spec.base_url, spec.region) {
            (Some(url), None) => V2Endpoint::BaseUrl(BaseUrl::new("base_url", &url)?),
            (None, Some(region)) => V2Endpoint::Region(Region::parse(&region)?),
            _ => return Err(Error::invalid("spec", "one of base_url and region", "neither or both")),
        };
        Self::new(Box::new(work::AsJson(work::v2_wait(endpoint, spec.wait))), None, driver)
    }

    /// A wait by its spec (see [`WaitSpec`]).
    pub fn wait(auth: &Auth, spec: &str, driver: &str) -> Result<Self> {
        let spec: WaitSpec = parse_input("spec", spec)?;
        Self::new(work::wait_by_spec(spec)?, Some(auth), driver)
    }

    /// An ensure by its spec (see [`EnsureSpec`]).
    pub fn ensure(auth: &Auth, spec: &str, driver: &str) -> Result<Self> {
        let spec: EnsureSpec = parse_input("spec", spec)?;
        Self::new(work::ensure_by_spec(spec)?, Some(auth), driver)
    }

    /// An inventory (see [`inventory_inputs`] for `spec`, and [`work::inventory`]): its inputs
    /// are refused here, before anything is sent.
    pub fn inventory(auth: &Auth, spec: &str, driver: &str) -> Result<Self> {
        let (regions, options) = inventory_inputs(spec)?;
        Self::new(Box::new(work::AsJson(work::inventory(regions, options)?)), Some(auth), driver)
    }

    /// What to do at `now`, with the events since the last call.
    pub fn poll(&mut self, now: Millis) -> Value {
        let mut step = match self.inner.poll(now) {
            Action::Send(out) => json!({
                "step": "send",
                "request": request_json(&out.request),
                "timeout_ms": out.timeout_ms,
                "max_body_bytes": out.max_body_bytes,
            }),
            Action::SleepUntil(at) => json!({"step": "sleep", "until": at}),
            Action::Finished(outcome) => {
                self.finished_auth = self.inner.auth().cloned();
                match outcome {
                    Ok(output) => json!({"step": "finished", "output": output}),
                    Err(error) => json!({"step": "failed", "error": error.to_json()}),
                }
            }
        };
        if let Value::Object(map) = &mut step {
            map.insert("events".into(), self.events());
        }
        step
    }

    /// The answer to the last request; the new events.
    pub fn on_response(&mut self, now: Millis, response: &Response) -> Value {
        self.inner.on_response(now, response);
        self.events()
    }

    /// The last request got no answer (`kind`: `connect`, `io`, `timeout`, `too_large`); the new
    /// events.
    pub fn on_transport_error(&mut self, now: Millis, kind: &str, detail: &str) -> Value {
        self.inner.on_transport_error(now, kind, detail);
        self.events()
    }

    /// Stops at the next poll (a request in flight is abandoned).
    pub fn cancel(&mut self) {
        self.inner.cancel();
    }

    /// Requests handed to the driver so far.
    pub fn requests_sent(&self) -> u32 {
        self.inner.requests_sent()
    }

    /// The sign-in the exchange ended with (a renewed token), for the client to adopt.
    pub fn finished_auth(&self) -> Option<&Auth> {
        self.finished_auth.as_ref()
    }

    fn events(&mut self) -> Value {
        to_value(&self.inner.take_events()).unwrap_or(Value::Null)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const START: Millis = 1_800_000_000_000;

    #[test]
    fn to_value_through_text_is_serde_jsons_tree() {
        // A model with unknown fields, open enums, timestamps, nulls, big and small numbers.
        let body = r#"[{"id": "ip-1", "cloud_server": {"id": "s1", "cloud_network": {"id": "n"}},
            "status": "ACTIVE", "public_ip_v4": "203.0.113.7", "retain": true,
            "created": "2014-09-12T13:26:54.45", "updated": null, "zeta": [1, -2, 1.5e300, 18446744073709551615],
            "alpha": {"b": "\u00e9\n", "a": false}}]"#;
        let ips = crate::v3::parse_public_ips(&Response::new(200, body)).expect("a list");
        assert_eq!(to_value(&ips).ok(), serde_json::to_value(&ips).ok());
        let error = crate::Error::invalid("field", "a thing", "\u{1}");
        assert_eq!(to_value(&error).ok(), serde_json::to_value(&error).ok());
    }

    fn auth() -> Auth {
        auth_from_spec(r#"{"identity_url": "https://identity.example.test", "username": "demo", "api_key": "k"}"#)
            .expect("credentials")
    }

    /// Identity's answer: Cloud Servers in DFW and IAD, RackConnect v3 in DFW only, DFW the
    /// user's default.
    fn signed_in() -> Response {
        let endpoint = |region: &str, host: &str, path: &str| json!({"region": region, "tenantId": "1", "publicURL": format!("https://{host}.example.test/{path}/1")});
        let body = json!({"access": {
            "token": {"id": "tok", "expires": "2027-01-16T08:00:00Z", "tenant": {"id": "1", "name": "1"}},
            "serviceCatalog": [
                {"name": "rackconnect", "type": "rax:rackconnect", "endpoints": [endpoint("DFW", "dfw.rc", "v3")]},
                {"name": "cloudServersOpenStack", "type": "compute",
                 "endpoints": [endpoint("DFW", "dfw.servers", "v2"), endpoint("IAD", "iad.servers", "v2")]}],
            "user": {"id": "1", "name": "demo", "RAX-AUTH:defaultRegion": "DFW"}}});
        Response::new(200, body.to_string())
    }

    /// Every request's URL (after the sign-in) and the output, answering each by `answer`.
    fn run(mut exchange: JsonExchange, answer: impl Fn(&str) -> Response) -> (Vec<String>, Value) {
        let (mut now, mut urls) = (START, Vec::new());
        loop {
            let step = exchange.poll(now);
            match step["step"].as_str() {
                Some("send") => {
                    let url = step["request"]["url"].as_str().expect("a URL").to_owned();
                    let response = if url.ends_with("/v2.0/tokens") { signed_in() } else { answer(&url) };
                    if !url.ends_with("/v2.0/tokens") {
                        assert!(step["request"]["headers"].to_string().contains("tok"), "{url}");
                        urls.push(url);
                    }
                    exchange.on_response(now, &response);
                }
                Some("sleep") => now = step["until"].as_u64().expect("an instant"),
                _ => return (urls, step),
            }
        }
    }

    fn servers(region: &str) -> Response {
        // DFW's own clock says 05:10: a server built at 05:08 is within the grace, one built at
        // 04:00 is not (and, where others have a RackConnect status, never will have one).
        let body = match region {
            "dfw" => json!({"servers": [
                {"id": "s1", "name": "web1", "status": "ACTIVE", "created": "2026-12-03T04:00:00Z",
                 "accessIPv4": "198.51.100.1", "metadata": {"rackconnect_automation_status": "DEPLOYED"}},
                {"id": "s2", "name": "old", "status": "ACTIVE", "created": "2026-12-03T04:00:00Z", "metadata": {}},
                {"id": "s3", "name": "new", "status": "ACTIVE", "created": "2026-12-03T05:08:00Z", "metadata": {}}]}),
            _ => json!({"servers": [{"id": "s4", "name": "iad1", "status": "BUILD", "metadata": {}}]}),
        };
        Response::new(200, body.to_string()).with_header("Date", "Thu, 03 Dec 2026 05:10:00 GMT")
    }

    fn answer(url: &str) -> Response {
        let body = if url.contains("dfw.servers") {
            return servers("dfw");
        } else if url.contains("iad.servers") {
            return servers("iad");
        } else if url.ends_with("/public_ips") {
            json!([{"id": "ip1", "public_ip_v4": "203.0.113.9", "retain": false, "status": "ACTIVE",
                    "cloud_server": {"id": "s1"}}])
        } else if url.ends_with("/load_balancer_pools") {
            json!([{"id": "p1", "name": "web-80"}, {"id": "p2", "name": "api-443"}])
        } else if url.ends_with("/load_balancer_pools/p1/nodes") {
            json!([{"id": "n1", "cloud_server": {"id": "s1"}, "load_balancer_pool": {"id": "p1"}, "status": "ACTIVE"}])
        } else if url.ends_with("/load_balancer_pools/p2/nodes") {
            json!([])
        } else {
            panic!("an unexpected request: {url}")
        };
        Response::new(200, body.to_string())
    }

    #[test]
    fn an_inventory_reads_each_region_in_one_exchange_and_is_built_by_the_core() {
        let spec = r#"{"regions": ["dfw", "IAD"], "options": {"filters": {}}}"#;
        let exchange = JsonExchange::inventory(&auth(), spec, "").expect("an exchange");
        let (urls, step) = run(exchange, answer);
        assert_eq!(
            urls,
            [
                "https://dfw.servers.example.test/v2/1/servers/detail?limit=100",
                "https://dfw.rc.example.test/v3/1/public_ips",
                "https://dfw.rc.example.test/v3/1/load_balancer_pools",
                "https://dfw.rc.example.test/v3/1/load_balancer_pools/p1/nodes",
                "https://dfw.rc.example.test/v3/1/load_balancer_pools/p2/nodes",
                "https://iad.servers.example.test/v2/1/servers/detail?limit=100",
            ]
        );
        assert_eq!(step["step"], "finished", "{step}");
        let inventory = &step["output"];
        assert_eq!(inventory["regions"], json!({"dfw": true, "iad": false}));
        assert_eq!(inventory["groups"]["rackconnect_done"], json!(["web1"]));
        // The grace is judged by DFW's `Date`, not the driver's clock.
        assert_eq!(inventory["groups"]["rackconnect_running"], json!(["new", "iad1"]));
        assert_eq!(inventory["groups"]["rackconnect_not_applicable"], json!(["old"]));
        let web1 = &inventory["hosts"][2];
        assert_eq!(web1["name"], "web1");
        assert_eq!(web1["vars"]["rackconnect_pools"][0]["name"], "web-80");
        assert_eq!(web1["vars"]["rackconnect_public_ips"][0]["id"], "ip1");
        assert_eq!(web1["address"], "198.51.100.1");
    }

    #[test]
    fn an_inventory_without_regions_reads_the_exchanges_region() {
        let options = r#"{"options": {"rackconnect_v3": false}}"#;
        let (urls, step) = run(JsonExchange::inventory(&auth(), options, r#"{"region": "iad"}"#).expect("one"), answer);
        assert_eq!(urls, ["https://iad.servers.example.test/v2/1/servers/detail?limit=100"]);
        assert_eq!(step["output"]["regions"], json!({"iad": false}));
        // The user's default region, without one.
        let (urls, _) = run(JsonExchange::inventory(&auth(), options, "").expect("one"), answer);
        assert_eq!(urls, ["https://dfw.servers.example.test/v2/1/servers/detail?limit=100"]);
        // A region without Cloud Servers ends the inventory, as a blocking session's does.
        let spec = r#"{"regions": ["dfw", "ord"], "options": {"rackconnect_v3": false}}"#;
        let (urls, step) = run(JsonExchange::inventory(&auth(), spec, "").expect("one"), answer);
        assert_eq!(urls.len(), 1);
        assert_eq!(step["step"], "failed");
        assert!(step["error"]["message"].as_str().is_some_and(|m| m.contains("ord")), "{step}");
    }

    #[test]
    fn an_inventorys_mistakes_are_refused_before_anything_is_sent() {
        let refused = |spec: &str| JsonExchange::inventory(&auth(), spec, "").expect_err("refused").to_string();
        assert!(refused(r#"{"options": {"filters": {"colour": "blue"}}}"#).contains("filters.colour"));
        assert!(refused(r#"{"options": {"ip_version": 5}}"#).contains("ip_version"));
        assert!(refused(r#"{"options": {"hostnames": "nick"}}"#).contains("inventory options"));
        assert!(refused(r#"{"regions": ["mars"]}"#).contains("mars"));
        assert!(refused(r#"{"region": "dfw"}"#).contains("spec"));
    }

    #[test]
    fn a_cancelled_inventory_ends_cancelled() {
        let mut exchange = JsonExchange::inventory(&auth(), "{}", "").expect("an exchange");
        let sign_in = exchange.poll(START);
        assert_eq!(sign_in["step"], "send");
        exchange.on_response(START, &signed_in());
        assert_eq!(exchange.poll(START)["step"], "send", "the first page");
        exchange.cancel();
        let step = exchange.poll(START);
        assert_eq!(step["step"], "failed", "{step}");
        assert_eq!(step["error"]["kind"], "cancelled", "{step}");
    }

    /// A fleet wait's selection errors name the inputs as the caller's users know them.
    #[test]
    fn a_fleet_waits_mistakes_name_the_callers_inputs() {
        let refused = |spec: &str| JsonExchange::wait(&auth(), spec, "{}").expect_err("refused").to_string();
        let neither = refused(r#"{"kind": "servers"}"#);
        assert!(neither.contains("(servers) or a window (built_within_ms)"), "{neither}");
        let named = refused(r#"{"kind": "servers", "input_names": ["servers", "builtWithinMs"]}"#);
        assert!(named.contains("(servers) or a window (builtWithinMs)") && !named.contains("_ms"), "{named}");
        let zero = refused(r#"{"kind": "servers", "built_within_ms": 0, "input_names": ["hosts", "recent"]}"#);
        assert!(zero.starts_with("invalid recent: expected a window longer than zero"), "{zero}");
        let blank = refused(r#"{"kind": "servers", "servers": ["web1", " "], "input_names": ["hosts", "recent"]}"#);
        assert!(blank.starts_with("invalid hosts[1]"), "{blank}");
        let three = refused(r#"{"kind": "servers", "servers": ["web1"], "input_names": ["a", "b", "c"]}"#);
        assert!(three.contains("input_names") && three.contains("3 names"), "{three}");
    }

    /// A filter is a pattern or a list of them; anything else says so.
    #[test]
    fn an_inventory_filter_is_a_pattern_or_a_list_of_patterns() {
        assert!(inventory_inputs(r#"{"options": {"filters": {"name": "web*"}}}"#).is_ok());
        assert!(inventory_inputs(r#"{"options": {"filters": {"name": ["web*", "db*"]}}}"#).is_ok());
        for bad in [r#"{"name": 5}"#, r#"{"name": ["web*", 5]}"#] {
            let spec = format!(r#"{{"options": {{"filters": {bad}}}}}"#);
            let error = inventory_inputs(&spec).expect_err("refused").to_string();
            assert!(error.contains("expected a pattern or a list of patterns"), "{error}");
        }
    }
}
