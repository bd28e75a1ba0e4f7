//! The emulator as robust as a small production server (issue 11): one test per finding.

mod common;

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use serde_json::json;

#[test]
fn the_clock_refuses_absurd_values() {
    let emu = common::start();
    let (_, before) = common::control(&emu, "GET", "clock", None);
    for body in [json!({"advance_seconds": 1e300}), json!({"advance_seconds": -5}), json!({"speed": 1e12})] {
        let (status, answer) = common::control(&emu, "POST", "clock", Some(body.clone()));
        assert_eq!(status, 400, "{body}: {answer}");
    }
    let (_, after) = common::control(&emu, "GET", "clock", None);
    let (a, b) = (before["now_ms"].as_i64().unwrap_or(0), after["now_ms"].as_i64().unwrap_or(0));
    assert!(b >= a && b - a < 60_000, "the clock did not jump: {before} then {after}");
}

#[test]
fn an_announced_body_over_the_limit_is_refused_at_once() {
    let emu = common::start();
    let mut stream = TcpStream::connect(emu.addr()).expect("connect");
    stream.set_read_timeout(Some(Duration::from_secs(5))).expect("timeout");
    let started = Instant::now();
    write!(stream, "POST /v2.0/tokens HTTP/1.1\r\nHost: x\r\nContent-Length: 2000000000\r\n\r\n").expect("send");
    let mut line = String::new();
    BufReader::new(&stream).read_line(&mut line).expect("an answer before any body");
    assert!(line.starts_with("HTTP/1.1 413"), "{line}");
    assert!(started.elapsed() < Duration::from_secs(2), "{:?}", started.elapsed());
}

#[test]
fn a_client_that_never_finishes_its_headers_is_disconnected() {
    let emu = common::start();
    let mut stream = TcpStream::connect(emu.addr()).expect("connect");
    stream.set_read_timeout(Some(Duration::from_secs(15))).expect("timeout");
    let started = Instant::now();
    // A slowloris: a request head that never ends.
    write!(stream, "GET /v1/automation_status HTTP/1.1\r\nHost: x\r\nX-Slow: ").expect("send");
    let mut rest = Vec::new();
    let _closed = stream.read_to_end(&mut rest);
    let took = started.elapsed();
    assert!(took < Duration::from_secs(12), "held for {took:?}");
    assert!(took >= Duration::from_secs(4), "closed too soon: {took:?}");
}

/// CPU seconds (user + system) a process has used, from /proc.
fn cpu_seconds(pid: u32) -> f64 {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).unwrap_or_default();
    let after = stat.rsplit_once(')').map_or("", |(_, rest)| rest);
    let fields: Vec<&str> = after.split_whitespace().collect();
    let ticks: f64 = [11, 12].iter().filter_map(|&i| fields.get(i)?.parse::<f64>().ok()).sum();
    ticks / 100.0
}

#[test]
fn out_of_descriptors_the_accept_loop_does_not_spin() {
    if Command::new("prlimit").arg("--version").output().is_err() {
        eprintln!("skipped: no prlimit here");
        return;
    }
    let bin = env!("CARGO_BIN_EXE_rackconnect-emulator");
    let mut child = Command::new("prlimit")
        .args(["--nofile=48", bin, "--listen", "127.0.0.1:0"])
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("the emulator starts under prlimit");
    let mut line = String::new();
    BufReader::new(child.stdout.take().expect("stdout")).read_line(&mut line).expect("a first line");
    let addr = line.trim().strip_prefix("listening on http://").expect("an address").to_owned();
    // More connections than descriptors: accept fails for the rest while these stay open.
    let held: Vec<TcpStream> = (0..80).filter_map(|_| TcpStream::connect(&addr).ok()).collect();
    std::thread::sleep(Duration::from_millis(300));
    let before = cpu_seconds(child.id());
    std::thread::sleep(Duration::from_secs(2));
    let used = cpu_seconds(child.id()) - before;
    drop(held);
    let _killed = child.kill();
    let _reaped = child.wait();
    assert!(used < 0.5, "the emulator used {used:.2} CPU seconds in 2 s with accept failing");
}
