//! Runs every case of the shared corpus in `tests/corpus` (format: its README) and feeds every
//! prefix of every valid response body to its parser.

use std::collections::BTreeSet;
use std::fs;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::path::{Path, PathBuf};

use rackconnect::ops::Operation;
use rackconnect::{Request, Response};
use serde_json::Value;

const MIN_CASES: usize = 150;

fn corpus_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../tests/corpus")
}

fn case_files(kind: &str) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let mut stack = vec![corpus_dir().join(kind)];
    while let Some(dir) = stack.pop() {
        let Ok(entries) = fs::read_dir(&dir) else { continue };
        for entry in entries.flatten() {
            let path = entry.path();
            if path.is_dir() {
                if path.file_name().is_some_and(|n| n != "bodies") {
                    stack.push(path);
                }
            } else if path.extension().is_some_and(|e| e == "json") {
                out.push(path);
            }
        }
    }
    out.sort();
    out
}

/// `expected` ⊆ `actual`: objects by key, arrays element by element with equal length.
fn is_subset(expected: &Value, actual: &Value) -> bool {
    match (expected, actual) {
        (Value::Object(e), Value::Object(a)) => e.iter().all(|(k, v)| a.get(k).is_some_and(|av| is_subset(v, av))),
        (Value::Array(e), Value::Array(a)) => e.len() == a.len() && e.iter().zip(a).all(|(x, y)| is_subset(x, y)),
        _ => expected == actual,
    }
}

fn request_json(request: &Request) -> Value {
    let body = request.body.as_deref().map(|b| serde_json::from_str::<Value>(b).unwrap_or(Value::String(b.to_owned())));
    serde_json::json!({
        "method": request.method.as_str(),
        "url": request.url,
        "headers": request.headers,
        "body": body,
    })
}

fn load(path: &Path) -> Result<Value, String> {
    let text = fs::read_to_string(path).map_err(|e| format!("cannot read: {e}"))?;
    serde_json::from_str(&text).map_err(|e| format!("not JSON: {e}"))
}

fn op_of(case: &Value) -> Result<Operation, String> {
    let name = case["op"].as_str().ok_or("no \"op\"")?;
    Operation::from_name(name).map_err(|e| e.to_string())
}

fn compare_error(expect: &Value, err: &rackconnect::Error) -> Result<(), String> {
    let actual = err.to_json();
    if is_subset(expect, &actual) { Ok(()) } else { Err(format!("expected error {expect}\n   got {actual}")) }
}

fn run_request_case(path: &Path, ops: &mut BTreeSet<&'static str>) -> Result<(), String> {
    let case = load(path)?;
    let op = op_of(&case)?;
    ops.insert(op.name());
    let result = op.build(&case["input"]);
    match (case.get("expect"), case.get("expect_error"), result) {
        (Some(expect), None, Ok(request)) => {
            let actual = request_json(&request);
            if &actual == expect { Ok(()) } else { Err(format!("expected {expect}\n   got {actual}")) }
        }
        (None, Some(expect), Err(err)) => compare_error(expect, &err),
        (Some(_), None, Err(err)) => Err(format!("expected a request, got error {}", err.to_json())),
        (None, Some(_), Ok(request)) => Err(format!("expected an error, got {}", request_json(&request))),
        _ => Err("a case needs exactly one of expect and expect_error".to_owned()),
    }
}

fn response_of(path: &Path, case: &Value) -> Result<Response, String> {
    let status = case["status"].as_u64().and_then(|s| u16::try_from(s).ok()).ok_or("no \"status\"")?;
    let headers: Vec<(String, String)> = match case.get("headers") {
        None => Vec::new(),
        Some(h) => serde_json::from_value(h.clone()).map_err(|e| format!("bad headers: {e}"))?,
    };
    let body = match case.get("body_file").and_then(Value::as_str) {
        None => Vec::new(),
        Some(file) => {
            let dir = path.parent().ok_or("no parent")?;
            fs::read(dir.join(file)).map_err(|e| format!("cannot read body {file}: {e}"))?
        }
    };
    Ok(Response { status, headers, body })
}

fn run_response_case(path: &Path, ops: &mut BTreeSet<&'static str>, prefixes: &mut usize) -> Result<(), String> {
    let case = load(path)?;
    let op = op_of(&case)?;
    ops.insert(op.name());
    let response = response_of(path, &case)?;
    let result = catch_unwind(AssertUnwindSafe(|| op.parse(&response))).map_err(|_| "the parser panicked")?;
    match (case.get("expect"), case.get("expect_error"), result) {
        (Some(expect), None, Ok(value)) => {
            if &value != expect {
                return Err(format!("expected {expect}\n   got {value}"));
            }
            // The bindings' path (the result as JSON text) must say the same.
            let text = op.parse_to_text(&response).map_err(|e| format!("parse_to_text failed: {}", e.to_json()))?;
            let from_text: serde_json::Value = serde_json::from_str(&text).map_err(|e| e.to_string())?;
            if &from_text != expect {
                return Err(format!("parse_to_text: expected {expect}\n   got {text}"));
            }
            // Every prefix of a valid body: a value or an error, never a panic.
            for end in 0..response.body.len() {
                let truncated = Response { body: response.body[..end].to_vec(), ..response.clone() };
                // Either outcome is fine; only a panic is a failure.
                let _value_or_error = catch_unwind(AssertUnwindSafe(|| op.parse(&truncated)))
                    .map_err(|_| format!("the parser panicked on the first {end} bytes"))?;
                *prefixes += 1;
            }
            Ok(())
        }
        (None, Some(expect), Err(err)) => {
            let text_err = op.parse_to_text(&response).err().ok_or("parse_to_text gave a value, parse an error")?;
            if text_err != err {
                return Err(format!("parse_to_text erred differently: {}", text_err.to_json()));
            }
            compare_error(expect, &err)
        }
        (Some(_), None, Err(err)) => Err(format!("expected a value, got error {}", err.to_json())),
        (None, Some(_), Ok(value)) => Err(format!("expected an error, got {value}")),
        _ => Err("a case needs exactly one of expect and expect_error".to_owned()),
    }
}

#[test]
fn corpus() {
    let mut failures = Vec::new();
    let mut request_ops = BTreeSet::new();
    let mut response_ops = BTreeSet::new();
    let mut prefixes = 0;
    let requests = case_files("requests");
    let responses = case_files("responses");
    for path in &requests {
        if let Err(e) = run_request_case(path, &mut request_ops) {
            failures.push(format!("{}: {e}", path.display()));
        }
    }
    for path in &responses {
        if let Err(e) = run_response_case(path, &mut response_ops, &mut prefixes) {
            failures.push(format!("{}: {e}", path.display()));
        }
    }
    let total = requests.len() + responses.len();
    println!("{total} cases ({} request, {} response), {prefixes} truncated bodies", requests.len(), responses.len());
    for op in Operation::ALL {
        if !request_ops.contains(op.name()) {
            failures.push(format!("no request case for {}", op.name()));
        }
        if !response_ops.contains(op.name()) {
            failures.push(format!("no response case for {}", op.name()));
        }
    }
    if total < MIN_CASES {
        failures.push(format!("only {total} cases; the corpus must hold at least {MIN_CASES}"));
    }
    assert!(failures.is_empty(), "{} corpus failures:\n{}", failures.len(), failures.join("\n\n"));
}
