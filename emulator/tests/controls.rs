//! The controls over real HTTP on 127.0.0.1: a fault picked by operation with a latency, the
//! state snapshot, and the binary's `--seed` and `--state FILE` (kept across a SIGTERM and a
//! restart).

mod common;

use std::io::{Read, Write};
use std::net::TcpStream;
use std::process::{Child, Command};
use std::time::{Duration, Instant};

use rackconnect_emulator::{Emulator, Options, Scenario};
use serde_json::{Value, json};

const BIN: &str = env!("CARGO_BIN_EXE_rackconnect-emulator");

#[test]
fn a_fault_by_operation_waits_its_latency_then_answers_its_status() {
    let emulator = common::start();
    let fault = json!({"kind": "status", "status": 503, "operation": "v2.status", "latency_ms": 300});
    assert_eq!(common::control(&emulator, "POST", "faults", Some(fault)).0, 201);
    let started = Instant::now();
    let features = common::send(&emulator, "GET", "/v1/automation_features", &[], None);
    assert_ne!(features.status, 503, "another operation");
    let response = common::send(&emulator, "GET", "/v1/automation_status", &[], None);
    assert_eq!(response.status, 503);
    assert!(started.elapsed() >= Duration::from_millis(300), "waited {:?}", started.elapsed());
}

#[test]
fn the_state_goes_out_and_comes_back_over_http() {
    let emulator = Emulator::start(Scenario::demo(), Options { seed: Some(9), ..Options::default() }).expect("start");
    let (_, built) = common::control(&emulator, "POST", "servers", Some(json!({"name": "kept"})));
    let (status, state) = common::control(&emulator, "GET", "state", None);
    assert_eq!(status, 200);
    assert_eq!(state["seed"], 9);
    let other = common::start();
    let (status, _) = common::control(&other, "PUT", "state", Some(state));
    assert_eq!(status, 200);
    let (_, summary) = common::control(&other, "GET", "", None);
    assert!(summary["servers"].as_array().is_some_and(|s| s.iter().any(|s| s["id"] == built["id"])), "{summary}");
}

fn spawn(args: &[&str]) -> (Child, String) {
    common::spawn_binary(&[&["--listen", "127.0.0.1:0"], args].concat())
}

/// One request with `Connection: close`; the status and the JSON body.
fn call(addr: &str, method: &str, path: &str, body: Option<&Value>) -> (u16, Value) {
    let body = body.map(Value::to_string).unwrap_or_default();
    let mut stream = TcpStream::connect(addr).expect("connect");
    write!(
        stream,
        "{method} {path} HTTP/1.1\r\nHost: {addr}\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    )
    .expect("send");
    let mut answer = String::new();
    stream.read_to_string(&mut answer).expect("read");
    let status = answer.get(9..12).and_then(|s| s.parse().ok()).unwrap_or(0);
    let json = answer.split_once("\r\n\r\n").and_then(|(_, b)| serde_json::from_str(b).ok()).unwrap_or(Value::Null);
    (status, json)
}

fn sign_in(addr: &str) -> String {
    let credentials = json!({"auth": {"passwordCredentials": {"username": "demo", "password": "demo-password"}}});
    let (status, access) = call(addr, "POST", "/v2.0/tokens", Some(&credentials));
    assert_eq!(status, 200);
    access["access"]["token"]["id"].as_str().expect("a token").to_owned()
}

fn kill(mut child: Child) {
    let _killed = child.kill();
    let _reaped = child.wait();
}

/// SIGTERM, then the exit status must be success (the state was written).
fn terminate(mut child: Child) {
    let status = Command::new("kill").args(["-TERM", &child.id().to_string()]).status().expect("kill");
    assert!(status.success());
    let exit = child.wait().expect("the binary ends");
    assert!(exit.success(), "{exit:?}");
}

#[test]
fn the_binary_seeds_ids_and_keeps_its_state_across_a_restart() {
    let (first, addr) = spawn(&["--seed", "11"]);
    let token = sign_in(&addr);
    kill(first);
    let (second, addr) = spawn(&["--seed", "11"]);
    assert_eq!(sign_in(&addr), token, "the same seed, the same token");
    kill(second);

    let file = std::env::temp_dir().join(format!("rc-emulator-state-{}.json", std::process::id()));
    let _absent = std::fs::remove_file(&file);
    let path = file.to_str().expect("a UTF-8 path");
    let (first, addr) = spawn(&["--state", path]);
    let token = sign_in(&addr);
    let (status, built) = call(&addr, "POST", "/__emulator/servers", Some(&json!({"name": "survivor"})));
    assert_eq!(status, 201);
    terminate(first);
    let saved = std::fs::read_to_string(&file).expect("the state was written on SIGTERM");
    Scenario::from_json(&saved).expect("a scenario document");
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(&file).expect("the state file").permissions().mode();
        assert_eq!(mode & 0o077, 0, "readable by its owner only: {mode:o}");
    }

    let (second, addr) = spawn(&["--state", path]);
    let (_, summary) = call(&addr, "GET", "/__emulator/", None);
    assert!(summary["servers"].as_array().is_some_and(|s| s.iter().any(|s| s["id"] == built["id"])), "{summary}");
    let validate = format!("/v2.0/tokens/{token}");
    let (status, _) = call(&addr, "GET", &validate, None);
    assert_ne!(status, 404, "the token survived too");
    terminate(second);
    let _removed = std::fs::remove_file(&file);
}

#[test]
fn the_binary_listens_beyond_loopback_only_with_public() {
    let refused = Command::new(BIN).args(["--listen", "0.0.0.0:0"]).output().expect("the binary runs");
    let stderr = String::from_utf8_lossy(&refused.stderr);
    assert_eq!(refused.status.code(), Some(2), "{stderr}");
    assert!(stderr.contains("not a loopback address") && stderr.contains("add --public"), "{stderr}");
    assert!(refused.stdout.is_empty());
    let (public, addr) = common::spawn_binary(&["--listen", "0.0.0.0:0", "--public"]);
    kill(public);
    assert!(addr.starts_with("0.0.0.0:"), "{addr}");
    // Said before it listens: a bad scenario after it stops the run with the warning shown.
    let warned = Command::new(BIN)
        .args(["--listen", "0.0.0.0:0", "--public", "--scenario", "/nonexistent"])
        .output()
        .expect("runs");
    let stderr = String::from_utf8_lossy(&warned.stderr);
    assert!(stderr.contains("warning: listening on 0.0.0.0:0, beyond this machine (--public)"), "{stderr}");
}
