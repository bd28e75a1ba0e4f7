//! Load benchmark (not a test): starts the emulator binary as a separate process and drives it
//! over loopback from this one, with keep-alive connections on several threads. For each kind of
//! request it reports requests per second and latency percentiles, and the ratio of its
//! throughput to a baseline measured in the same run: `GET /__emulator/clock`, which goes
//! through the same HTTP stack and lock but does no API work.
//!
//! `cargo bench -p rackconnect-emulator --bench load` (RC_BENCH_SECONDS, RC_BENCH_CLIENTS tune it).

use std::io::{BufRead, BufReader, Read, Write};

use std::net::TcpStream;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

fn env_number(name: &str, default: u64) -> u64 {
    std::env::var(name).ok().and_then(|v| v.parse().ok()).unwrap_or(default)
}

struct Connection {
    stream: BufReader<TcpStream>,
}

impl Connection {
    fn open(addr: &str) -> Connection {
        let stream = TcpStream::connect(addr).expect("connect");
        stream.set_nodelay(true).expect("nodelay");
        Connection { stream: BufReader::new(stream) }
    }

    /// Sends one request and reads the whole answer; returns the status and the body.
    fn call(&mut self, wire: &[u8]) -> (u16, Vec<u8>) {
        self.stream.get_mut().write_all(wire).expect("send");
        let mut line = String::new();
        self.stream.read_line(&mut line).expect("status line");
        let status = line.split(' ').nth(1).and_then(|s| s.parse().ok()).unwrap_or(0);
        let mut length = 0usize;
        loop {
            line.clear();
            self.stream.read_line(&mut line).expect("header");
            if line == "\r\n" || line.is_empty() {
                break;
            }
            if let Some((name, value)) = line.split_once(':')
                && name.eq_ignore_ascii_case("content-length")
            {
                length = value.trim().parse().unwrap_or(0);
            }
        }
        let mut body = vec![0; length];
        self.stream.read_exact(&mut body).expect("body");
        (status, body)
    }
}

fn request(method: &str, path: &str, addr: &str, token: &str, body: &str) -> Vec<u8> {
    format!(
        "{method} {path} HTTP/1.1\r\nHost: {addr}\r\nX-Auth-Token: {token}\r\nContent-Type: application/json\r\nContent-Length: {}\r\n\r\n{body}",
        body.len()
    )
    .into_bytes()
}

struct Figures {
    name: &'static str,
    requests: usize,
    per_second: f64,
    p50_ms: f64,
    p99_ms: f64,
}

fn drive(name: &'static str, addr: &str, wire: Vec<u8>, clients: u64, seconds: u64) -> Figures {
    let started = Instant::now();
    let deadline = started + Duration::from_secs(seconds);
    let threads: Vec<_> = (0..clients)
        .map(|_| {
            let (addr, wire) = (addr.to_owned(), wire.clone());
            std::thread::spawn(move || {
                let mut connection = Connection::open(&addr);
                let mut latencies = Vec::new();
                while Instant::now() < deadline {
                    let t = Instant::now();
                    let (status, _) = connection.call(&wire);
                    assert!((200..300).contains(&status), "{status}");
                    latencies.push(t.elapsed());
                }
                latencies
            })
        })
        .collect();
    let mut latencies: Vec<Duration> = threads.into_iter().flat_map(|t| t.join().expect("client")).collect();
    let elapsed = started.elapsed().as_secs_f64();
    latencies.sort_unstable();
    let at = |q: f64| latencies[((latencies.len() as f64 - 1.0) * q) as usize].as_secs_f64() * 1000.0;
    Figures {
        name,
        requests: latencies.len(),
        per_second: latencies.len() as f64 / elapsed,
        p50_ms: at(0.5),
        p99_ms: at(0.99),
    }
}

fn main() {
    let seconds = env_number("RC_BENCH_SECONDS", 3);
    let clients = env_number("RC_BENCH_CLIENTS", 4);
    let mut child = Command::new(env!("CARGO_BIN_EXE_rackconnect-emulator"))
        .args(["--listen", "127.0.0.1:0"])
        .stdout(Stdio::piped())
        .spawn()
        .expect("start the emulator");
    let mut line = String::new();
    BufReader::new(child.stdout.take().expect("stdout")).read_line(&mut line).expect("first line");
    let addr = line.trim().trim_start_matches("listening on http://").to_owned();

    let credentials = r#"{"auth": {"RAX-KSKEY:apiKeyCredentials": {"username": "demo", "apiKey": "demo-api-key"}}}"#;
    let mut figures = vec![
        drive(
            "baseline: GET /__emulator/clock",
            &addr,
            request("GET", "/__emulator/clock", &addr, "", ""),
            clients,
            seconds,
        ),
        drive(
            "Identity: POST /v2.0/tokens",
            &addr,
            request("POST", "/v2.0/tokens", &addr, "", credentials),
            clients,
            seconds,
        ),
    ];
    // Signed in after the Identity row: its tens of thousands of tokens pass the emulator's cap
    // (10,000 kept), and the first ones issued are forgotten first.
    let (_, body) = Connection::open(&addr).call(&request("POST", "/v2.0/tokens", &addr, "", credentials));
    let access: serde_json::Value = serde_json::from_slice(&body).expect("a token response");
    let token = access["access"]["token"]["id"].as_str().expect("a token").to_owned();

    let v3 = "/rackconnect/DFW/v3/123456";
    let cases: Vec<(&'static str, Vec<u8>)> = vec![
        ("v3 P1: GET load_balancer_pools", request("GET", &format!("{v3}/load_balancer_pools"), &addr, &token, "")),
        ("v3 I1: GET public_ips", request("GET", &format!("{v3}/public_ips"), &addr, &token, "")),
        (
            "Cloud Servers: GET server",
            request("GET", "/servers/DFW/v2/123456/servers/00000001-cccc-4ccc-8ccc-000000000001", &addr, &token, ""),
        ),
    ];
    figures.extend(cases.into_iter().map(|(name, wire)| drive(name, &addr, wire, clients, seconds)));
    let _killed = child.kill();
    let _reaped = child.wait();

    let baseline = figures[0].per_second;
    println!("emulator load: {clients} keep-alive clients, {seconds} s per row, loopback, separate process\n");
    println!("| request | requests | req/s | p50 ms | p99 ms | throughput / baseline |");
    println!("|---|---|---|---|---|---|");
    for f in &figures {
        println!(
            "| {} | {} | {:.0} | {:.3} | {:.3} | {:.2} |",
            f.name,
            f.requests,
            f.per_second,
            f.p50_ms,
            f.p99_ms,
            f.per_second / baseline
        );
    }
}
