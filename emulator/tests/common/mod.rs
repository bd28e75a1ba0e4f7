//! A minimal HTTP/1.1 client for the emulator's tests: real sockets over loopback, a chosen
//! source address (v2 knows servers by it), and requests built by the core crate. It reads a
//! response to the end, or reports how the connection broke.

#![allow(dead_code, reason = "each test file uses a part of it")]

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{IpAddr, Ipv4Addr, SocketAddr, TcpStream};
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use rackconnect::{Method, Request, Response};
use rackconnect_emulator::{Emulator, Options, Scenario};
use serde_json::Value;

/// Starts the demo scenario on a free port, with the clock stopped unless a speed is given.
pub fn start() -> Emulator {
    start_with(Scenario::demo(), Some(0.0), false)
}

/// Starts a scenario on a free port.
pub fn start_with(scenario: Scenario, clock_speed: Option<f64>, cors: bool) -> Emulator {
    let options = Options { listen: SocketAddr::from(([127, 0, 0, 1], 0)), cors, clock_speed, seed: None };
    Emulator::start(scenario, options).expect("the emulator starts")
}

/// How a request ended.
#[derive(Debug)]
pub enum Outcome {
    /// A whole response.
    Complete(Response),
    /// The connection closed before a response, or mid-body.
    Broken { status: Option<u16>, received: usize, expected: Option<usize> },
}

/// Sends a request from `source` (any 127.x.y.z address) and reads the whole answer.
pub fn send_from(
    emulator: &Emulator,
    source: Ipv4Addr,
    method: &str,
    path_or_url: &str,
    headers: &[(&str, &str)],
    body: Option<&[u8]>,
) -> Outcome {
    let socket = socket2::Socket::new(socket2::Domain::IPV4, socket2::Type::STREAM, None).expect("socket");
    socket.bind(&SocketAddr::new(IpAddr::V4(source), 0).into()).expect("bind the source address");
    socket.connect(&emulator.addr().into()).expect("connect");
    let mut stream: TcpStream = socket.into();
    stream.set_read_timeout(Some(Duration::from_secs(10))).expect("timeout");
    let path = path_or_url.strip_prefix(&emulator.url()).unwrap_or(path_or_url);
    let mut head = format!("{method} {path} HTTP/1.1\r\nHost: {}\r\nConnection: close\r\n", emulator.addr());
    for (name, value) in headers {
        head.push_str(&format!("{name}: {value}\r\n"));
    }
    let body = body.unwrap_or_default();
    if !body.is_empty() || matches!(method, "POST" | "PATCH" | "PUT") {
        head.push_str(&format!("Content-Length: {}\r\n", body.len()));
    }
    head.push_str("\r\n");
    let mut wire = head.into_bytes();
    wire.extend_from_slice(body);
    if stream.write_all(&wire).is_err() {
        return Outcome::Broken { status: None, received: 0, expected: None };
    }
    let mut raw = Vec::new();
    let _ = stream.read_to_end(&mut raw);
    parse(&raw)
}

fn parse(raw: &[u8]) -> Outcome {
    let Some(split) = raw.windows(4).position(|w| w == b"\r\n\r\n") else {
        return Outcome::Broken { status: None, received: raw.len(), expected: None };
    };
    let head = String::from_utf8_lossy(&raw[..split]).into_owned();
    let body = raw[split + 4..].to_vec();
    let mut lines = head.split("\r\n");
    let status: u16 = lines.next().and_then(|l| l.split(' ').nth(1)).and_then(|s| s.parse().ok()).unwrap_or(0);
    let headers: Vec<(String, String)> =
        lines.filter_map(|l| l.split_once(':').map(|(n, v)| (n.trim().to_owned(), v.trim().to_owned()))).collect();
    let expected =
        headers.iter().find(|(n, _)| n.eq_ignore_ascii_case("content-length")).and_then(|(_, v)| v.parse().ok());
    if headers.iter().any(|(n, v)| n.eq_ignore_ascii_case("transfer-encoding") && v.contains("chunked")) {
        return Outcome::Complete(Response { status, headers, body: dechunk(&body) });
    }
    match expected {
        Some(n) if body.len() < n => Outcome::Broken { status: Some(status), received: body.len(), expected: Some(n) },
        _ => Outcome::Complete(Response { status, headers, body }),
    }
}

fn dechunk(mut body: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    while let Some(end) = body.windows(2).position(|w| w == b"\r\n") {
        let size = usize::from_str_radix(String::from_utf8_lossy(&body[..end]).trim(), 16).unwrap_or(0);
        if size == 0 || body.len() < end + 2 + size {
            break;
        }
        out.extend_from_slice(&body[end + 2..end + 2 + size]);
        body = &body[(end + 4 + size).min(body.len())..];
    }
    out
}

/// Sends from 127.0.0.1 and expects a whole response.
pub fn send(emulator: &Emulator, method: &str, path: &str, headers: &[(&str, &str)], body: Option<&[u8]>) -> Response {
    match send_from(emulator, Ipv4Addr::LOCALHOST, method, path, headers, body) {
        Outcome::Complete(response) => response,
        broken => panic!("{method} {path}: {broken:?}"),
    }
}

/// Sends a request built by the core (its URL points at the emulator), from `source`.
pub fn send_request_from(emulator: &Emulator, source: Ipv4Addr, request: &Request) -> Response {
    let headers: Vec<(&str, &str)> = request.headers.iter().map(|(n, v)| (n.as_str(), v.as_str())).collect();
    let method = match request.method {
        Method::Get => "GET",
        Method::Post => "POST",
        Method::Patch => "PATCH",
        Method::Delete => "DELETE",
    };
    match send_from(emulator, source, method, &request.url, &headers, request.body.as_deref().map(str::as_bytes)) {
        Outcome::Complete(response) => response,
        broken => panic!("{} {}: {broken:?}", request.method, request.url),
    }
}

/// Sends a request built by the core from 127.0.0.1.
pub fn send_request(emulator: &Emulator, request: &Request) -> Response {
    send_request_from(emulator, Ipv4Addr::LOCALHOST, request)
}

/// A control API call with a JSON body; returns the status and the JSON answer.
pub fn control(emulator: &Emulator, method: &str, path: &str, body: Option<Value>) -> (u16, Value) {
    let body = body.map(|b| b.to_string());
    let response = send(
        emulator,
        method,
        &format!("/__emulator/{path}"),
        &[("Content-Type", "application/json")],
        body.as_deref().map(str::as_bytes),
    );
    (response.status, serde_json::from_slice(&response.body).unwrap_or(Value::Null))
}

/// Moves the emulated clock forward.
pub fn advance(emulator: &Emulator, seconds: f64) {
    let (status, _) = control(emulator, "POST", "clock", Some(serde_json::json!({"advance_seconds": seconds})));
    assert_eq!(status, 200);
}

/// A token for the demo user, through the core's builder and parser.
pub fn demo_token(emulator: &Emulator) -> rackconnect::identity::Access {
    use rackconnect::identity::{self, Credentials, IdentityEndpoint};
    let endpoint = IdentityEndpoint::parse(&emulator.url()).expect("identity url");
    let creds = Credentials::ApiKey { username: "demo".into(), api_key: rackconnect::ApiKey::new("demo-api-key") };
    let request = identity::token(&endpoint, &creds, None).expect("request");
    identity::parse_token(&send_request(emulator, &request)).expect("a token")
}

/// The demo account's v3 endpoint in a region, from the catalog.
pub fn v3_endpoint(access: &rackconnect::identity::Access, region: rackconnect::Region) -> rackconnect::v3::V3Endpoint {
    let url = &access.rackconnect_endpoint(region).expect("RCv3 in the region").public_url;
    rackconnect::v3::V3Endpoint::BaseUrl(rackconnect::BaseUrl::new("endpoint", url).expect("url"))
}

/// The demo account's Cloud Servers endpoint in a region, from the catalog.
pub fn servers_endpoint(
    access: &rackconnect::identity::Access,
    region: rackconnect::Region,
) -> rackconnect::servers::ServersEndpoint {
    let url = &access.compute_endpoint(region).expect("compute in the region").public_url;
    rackconnect::servers::ServersEndpoint::BaseUrl(rackconnect::BaseUrl::new("endpoint", url).expect("url"))
}

/// The v2 endpoint: the emulator's root.
pub fn v2_endpoint(emulator: &Emulator) -> rackconnect::v2::V2Endpoint {
    rackconnect::v2::V2Endpoint::BaseUrl(rackconnect::BaseUrl::new("base_url", &emulator.url()).expect("url"))
}

/// The demo scenario's servers, by name.
pub mod demo {
    use std::net::Ipv4Addr;

    pub const WEB1: &str = "00000001-cccc-4ccc-8ccc-000000000001";
    pub const WEB1_IP: Ipv4Addr = Ipv4Addr::new(127, 0, 0, 2);
    pub const WEB2: &str = "00000002-cccc-4ccc-8ccc-000000000002";
    pub const WEB2_IP: Ipv4Addr = Ipv4Addr::new(127, 0, 0, 3);
    pub const FAILED: &str = "00000003-cccc-4ccc-8ccc-000000000003";
    pub const FAILED_IP: Ipv4Addr = Ipv4Addr::new(127, 0, 0, 4);
    pub const UNPROCESSABLE: &str = "00000004-cccc-4ccc-8ccc-000000000004";
    pub const UNPROCESSABLE_IP: Ipv4Addr = Ipv4Addr::new(127, 0, 0, 5);
    pub const BUILD_ERROR: &str = "00000005-cccc-4ccc-8ccc-000000000005";
    pub const AUTH_ERROR: &str = "00000006-cccc-4ccc-8ccc-000000000006";
    pub const FRESH: &str = "00000007-cccc-4ccc-8ccc-000000000007";
    pub const ADD_FAILS: &str = "00000008-cccc-4ccc-8ccc-000000000008";
    pub const LON_WEB1: &str = "00000009-cccc-4ccc-8ccc-000000000009";
    pub const UNMANAGED: &str = "0000000a-cccc-4ccc-8ccc-00000000000a";
    pub const DFW_WEB_POOL: &str = "00000001-bbbb-4bbb-8bbb-dfw000000001";
    pub const DFW_API_POOL: &str = "00000001-bbbb-4bbb-8bbb-dfw000000002";
    pub const DFW_MAINTENANCE_POOL: &str = "00000001-bbbb-4bbb-8bbb-dfw000000003";
    pub const DFW_NETWORK: &str = "00000001-aaaa-4aaa-8aaa-dfw000000001";
    pub const RETAINED_IP_ADDRESS: &str = "198.51.100.150";
}

/// The `rackconnect-emulator` binary built with these tests.
pub const BINARY: &str = env!("CARGO_BIN_EXE_rackconnect-emulator");

/// Starts the binary with `args` (which say where to listen) and reads its first line; the child
/// and the address it names (`127.0.0.1:PORT`).
pub fn spawn_binary(args: &[&str]) -> (Child, String) {
    let mut child = Command::new(BINARY)
        .args(args)
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("the binary starts");
    let mut line = String::new();
    BufReader::new(child.stdout.take().expect("stdout")).read_line(&mut line).expect("a first line");
    let addr = line.trim().strip_prefix("listening on http://").unwrap_or_else(|| panic!("the address: {line:?}"));
    (child, addr.to_owned())
}
