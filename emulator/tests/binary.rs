//! The binary's contract: the first line on stdout is `listening on http://ADDR:PORT`, it
//! serves the demo account with no arguments, and it refuses a bad scenario clearly.

mod common;

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::process::{Command, Stdio};

const BIN: &str = env!("CARGO_BIN_EXE_rackconnect-emulator");

#[test]
fn first_line_names_the_address_and_the_demo_account_works() {
    let mut child = Command::new(BIN)
        .args(["--listen", "127.0.0.1:0"])
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("the binary starts");
    let mut line = String::new();
    BufReader::new(child.stdout.take().expect("stdout")).read_line(&mut line).expect("a first line");
    let url = line.trim().strip_prefix("listening on ").expect("the first line names the address").to_owned();
    let addr = url.strip_prefix("http://").expect("an http URL");
    assert!(addr.starts_with("127.0.0.1:") && !addr.ends_with(":0"), "{line}");

    let body = r#"{"auth": {"passwordCredentials": {"username": "demo", "password": "demo-password"}}}"#;
    let mut stream = TcpStream::connect(addr).expect("connect");
    write!(stream, "POST /v2.0/tokens HTTP/1.1\r\nHost: {addr}\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}", body.len())
        .expect("send");
    let mut answer = String::new();
    stream.read_to_string(&mut answer).expect("read");
    let _killed = child.kill();
    let _reaped = child.wait();
    assert!(answer.starts_with("HTTP/1.1 200"), "{answer}");
    assert!(
        answer.contains(&format!("{url}/rackconnect/DFW/v3/123456")),
        "the catalog points back at the emulator: {answer}"
    );
}

#[test]
fn a_bad_scenario_is_refused_with_its_position() {
    let dir = std::env::temp_dir().join(format!("rc-emulator-bad-{}", std::process::id()));
    std::fs::write(&dir, "{\"accounts\": [{\"tenant\": 5}]}").expect("write");
    let output = Command::new(BIN).args(["--listen", "127.0.0.1:0", "--scenario"]).arg(&dir).output().expect("run");
    let _removed = std::fs::remove_file(&dir);
    assert_eq!(output.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("line 1 column"), "{stderr}");
}

#[test]
fn the_built_in_scenario_parses_and_is_printable() {
    let output = Command::new(BIN).arg("--print-scenario").output().expect("run");
    assert!(output.status.success());
    let text = String::from_utf8_lossy(&output.stdout);
    rackconnect_emulator::Scenario::from_json(&text).expect("the printed scenario is valid");
    let emulator = common::start();
    let access = common::demo_token(&emulator);
    assert!(access.has_rackconnect_v3(rackconnect::Region::Syd));
}
