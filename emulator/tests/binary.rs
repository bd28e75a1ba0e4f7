//! The binary's contract: the first line on stdout is `listening on http://ADDR:PORT`, it
//! serves the demo account with no arguments, and it refuses a bad scenario clearly.

mod common;

use std::io::{Read, Write};
use std::net::TcpStream;
use std::process::Command;

const BIN: &str = env!("CARGO_BIN_EXE_rackconnect-emulator");

#[test]
fn first_line_names_the_address_and_the_demo_account_works() {
    // The first line names the address (spawn_binary fails the test when it does not).
    let (mut child, addr) = common::spawn_binary(&["--listen", "127.0.0.1:0"]);
    let url = format!("http://{addr}");
    assert!(addr.starts_with("127.0.0.1:") && !addr.ends_with(":0"), "{addr}");

    let body = r#"{"auth": {"passwordCredentials": {"username": "demo", "password": "demo-password"}}}"#;
    let mut stream = TcpStream::connect(&addr).expect("connect");
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
fn a_clock_speed_out_of_range_is_refused_before_listening() {
    for speed in ["--clock-speed=-1", "--clock-speed=1e9", "--clock-speed=inf"] {
        let output = Command::new(BIN).args(["--listen", "127.0.0.1:0", speed]).output().expect("run");
        assert_eq!(output.status.code(), Some(2), "{speed}");
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert!(
            stderr.contains("--clock-speed: expected emulated seconds per real second, from 0 to 86400"),
            "{stderr}"
        );
    }
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

#[test]
fn every_scenario_in_the_repository_loads_and_serves() {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios");
    let mut loaded = 0;
    for entry in std::fs::read_dir(&dir).expect("scenarios/") {
        let path = entry.expect("entry").path();
        let text = std::fs::read_to_string(&path).expect("read");
        let scenario =
            rackconnect_emulator::Scenario::from_json(&text).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        let user = scenario.accounts[0].users[0].clone();
        let emulator = common::start_with(scenario, Some(0.0), false);
        let body = serde_json::json!({"auth": {"RAX-KSKEY:apiKeyCredentials": {"username": user.username, "apiKey": user.api_key}}});
        let response = common::send(
            &emulator,
            "POST",
            "/v2.0/tokens",
            &[("Content-Type", "application/json")],
            Some(body.to_string().as_bytes()),
        );
        assert_eq!(response.status, 200, "{}", path.display());
        loaded += 1;
    }
    assert!(loaded >= 3, "the repository ships example scenarios");
}

#[test]
fn an_accelerated_clock_runs_a_two_minute_automation_in_a_moment() {
    // 600 emulated seconds per real second: web2's two minutes of tasks take 0.2 s. Timed from
    // before the start, so a slow machine can only make the wait look longer, never shorter.
    let started = std::time::Instant::now();
    let emulator = common::start_with(rackconnect_emulator::Scenario::demo(), Some(600.0), false);
    let status = |emulator: &rackconnect_emulator::Emulator| {
        let request = rackconnect::v2::automation_status(&common::v2_endpoint(emulator), None).expect("request");
        rackconnect::v2::parse_automation_status(&common::send_request_from(emulator, common::demo::WEB2_IP, &request))
            .expect("parses")
    };
    use rackconnect::v2::{AutomationStatus, V2Answer};
    loop {
        match status(&emulator) {
            V2Answer::Answer(AutomationStatus::Deployed) => break,
            V2Answer::Answer(AutomationStatus::Deploying) => {}
            other => panic!("unexpected {other:?}"),
        }
        assert!(started.elapsed() < std::time::Duration::from_secs(10), "still DEPLOYING after 10 s at 600x");
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
    assert!(started.elapsed() >= std::time::Duration::from_millis(150), "not before the tasks' time has passed");
}
