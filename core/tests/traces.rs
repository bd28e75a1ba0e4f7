//! The driver traces (`tests/traces/*.json`), replayed by the Rust driver's own loop
//! (`blocking::drive_with`) on a scripted service and clock. The JS driver replays the same files
//! (`wasm/npm/test/traces.test.js`); both must send the same requests in the same order and end
//! with the same result.
#![cfg(feature = "blocking")]

use std::collections::VecDeque;
use std::sync::atomic::{AtomicBool, Ordering};

use rackconnect::blocking::{Io, drive_with};
use rackconnect::client::work::{self, AsJson, JsonTask};
use rackconnect::client::{Auth, Exchange, ExchangeConfig, Outgoing, Task};
use rackconnect::identity::{Credentials, IdentityEndpoint};
use rackconnect::ops::Operation;
use rackconnect::v2::V2Endpoint;
use rackconnect::wait::{Millis, WaitConfig};
use rackconnect::{ApiKey, BaseUrl, Region, Response};
use serde_json::Value;

struct Script {
    now: Millis,
    start: Millis,
    steps: VecDeque<Value>,
    name: String,
}

fn text(value: &Value, key: &str) -> String {
    value.get(key).and_then(Value::as_str).unwrap_or_default().to_owned()
}

impl Io for Script {
    fn now(&mut self) -> Millis {
        self.now
    }

    fn sleep_until(&mut self, at: Millis, cancel: &AtomicBool) {
        if let Some(cancel_at) = self.steps.front().and_then(|s| s.get("cancel_at")).and_then(Value::as_u64)
            && self.start + cancel_at <= at
        {
            self.steps.pop_front();
            self.now = self.now.max(self.start + cancel_at);
            cancel.store(true, Ordering::SeqCst);
            return;
        }
        self.now = self.now.max(at);
    }

    fn send(&mut self, outgoing: &Outgoing) -> Result<Response, (String, String)> {
        let name = &self.name;
        let request = &outgoing.request;
        let step = self
            .steps
            .pop_front()
            .unwrap_or_else(|| panic!("{name}: an unexpected request {} {}", request.method, request.url));
        let expect = &step["expect"];
        assert_eq!(request.method.as_str(), text(expect, "method"), "{name}: method");
        assert_eq!(request.url, text(expect, "url"), "{name}: url");
        if let Some(token) = expect.get("token").and_then(Value::as_str) {
            let sent = request.headers.iter().find(|(n, _)| n.eq_ignore_ascii_case("x-auth-token")).map(|(_, v)| v);
            assert_eq!(sent.map(String::as_str), Some(token), "{name}: token");
        }
        if let Some(max) = expect.get("max_timeout_ms").and_then(Value::as_u64) {
            assert!(outgoing.timeout_ms <= max, "{name}: timeout {} over {max}", outgoing.timeout_ms);
        }
        let at = self.now - self.start;
        if let Some(min) = step.get("not_before").and_then(Value::as_u64) {
            assert!(at >= min, "{name}: sent at {at}, before {min}");
        }
        if let Some(max) = step.get("not_after").and_then(Value::as_u64) {
            assert!(at <= max, "{name}: sent at {at}, after {max}");
        }
        if let Some(failure) = step.get("fail") {
            if step.get("takes_timeout").and_then(Value::as_bool) == Some(true) {
                self.now += outgoing.timeout_ms;
            }
            return Err((text(failure, "kind"), text(failure, "detail")));
        }
        let respond = &step["respond"];
        let headers: Vec<(String, String)> = respond["headers"]
            .as_array()
            .into_iter()
            .flatten()
            .map(|p| (p[0].as_str().unwrap_or("").to_owned(), p[1].as_str().unwrap_or("").to_owned()))
            .collect();
        let status = u16::try_from(respond["status"].as_u64().unwrap_or(0)).unwrap_or(0);
        Ok(Response { status, headers, body: text(respond, "body").into_bytes() })
    }
}

/// True when every field of `expected` is in `actual` with the same value (recursively; lists
/// element by element, of the same length).
fn subset(expected: &Value, actual: &Value) -> bool {
    match (expected, actual) {
        (Value::Object(e), Value::Object(a)) => e.iter().all(|(k, v)| a.get(k).is_some_and(|av| subset(v, av))),
        (Value::Array(e), Value::Array(a)) => e.len() == a.len() && e.iter().zip(a).all(|(x, y)| subset(x, y)),
        _ => expected == actual,
    }
}

fn task_of(setup: &Value) -> Result<JsonTask, rackconnect::Error> {
    let task = &setup["task"];
    if let Some(op) = task.get("call").or_else(|| task.get("call_v2")).and_then(Value::as_str) {
        return Ok(Box::new(work::operation(Operation::from_name(op)?, task["input"].clone())?));
    }
    if let Some(spec) = task.get("wait") {
        return work::wait_by_spec(serde_json::from_value(spec.clone()).expect("a wait spec"));
    }
    if let Some(spec) = task.get("ensure") {
        return work::ensure_by_spec(serde_json::from_value(spec.clone()).expect("an ensure spec"));
    }
    if task.get("all_servers").is_some() {
        return Ok(Box::new(AsJson(work::all_servers())));
    }
    if let Some(spec) = task.get("v2_wait") {
        let endpoint = V2Endpoint::BaseUrl(BaseUrl::new("base_url", &text(spec, "base_url"))?);
        let config: WaitConfig = serde_json::from_value(spec["wait"].clone()).expect("a wait config");
        return Ok(Box::new(AsJson(work::v2_wait(endpoint, config))));
    }
    panic!("unknown task {task}")
}

fn replay(name: &str, trace: &Value) {
    let setup = &trace["setup"];
    let start = setup["start"].as_u64().expect("start");
    let auth = setup["auth"].as_object().map(|auth| {
        let endpoint = IdentityEndpoint::parse(auth["identity_url"].as_str().unwrap_or("us")).expect("identity url");
        let credentials = Credentials::ApiKey {
            username: auth["username"].as_str().unwrap_or_default().to_owned(),
            api_key: ApiKey::new(auth["api_key"].as_str().unwrap_or_default()),
        };
        Auth::new(endpoint, credentials, None)
    });
    let region = setup["region"].as_str().map(|r| Region::parse(r).expect("region"));
    let mut script = Script {
        now: start,
        start,
        steps: trace["steps"].as_array().cloned().unwrap_or_default().into(),
        name: name.to_owned(),
    };
    let outcome = task_of(setup).and_then(|task| {
        let budget = Exchange::<JsonTask>::budget_for(task.budget_kind());
        let config = ExchangeConfig { region, seed: setup["seed"].as_u64().unwrap_or(0), ..ExchangeConfig::default() };
        let mut exchange = Exchange::new(task, auth, budget, config);
        drive_with(&mut exchange, &mut script, &AtomicBool::new(false), |_| {})
    });
    assert!(script.steps.is_empty(), "{name}: steps left over: {:?}", script.steps);
    let result = &trace["result"];
    match (result.get("ok"), outcome) {
        (Some(expected), Ok(actual)) => assert!(subset(expected, &actual), "{name}: {actual:#}\nexpected {expected:#}"),
        (None, Err(error)) => {
            let actual = error.to_json();
            assert!(subset(&result["error"], &actual), "{name}: {actual:#}\nexpected {:#}", result["error"]);
        }
        (_, other) => panic!("{name}: expected {result}, got {other:?}"),
    }
    if let Some(max) = trace.get("max_elapsed_ms").and_then(Value::as_u64) {
        assert!(script.now - start <= max, "{name}: ended after {} ms, over {max}", script.now - start);
    }
}

#[test]
fn every_trace_replays_on_the_rust_driver() {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../tests/traces");
    let mut count = 0;
    let mut names: Vec<_> = std::fs::read_dir(&dir).expect("tests/traces").flatten().map(|e| e.path()).collect();
    names.sort();
    for path in names.into_iter().filter(|p| p.extension().is_some_and(|e| e == "json")) {
        let name = path.file_stem().map(|s| s.to_string_lossy().into_owned()).unwrap_or_default();
        let trace: Value = serde_json::from_str(&std::fs::read_to_string(&path).expect("read")).expect("JSON");
        replay(&name, &trace);
        count += 1;
    }
    assert!(count >= 25, "{count} traces");
}
