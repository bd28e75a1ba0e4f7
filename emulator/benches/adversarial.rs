//! The adversarial pass of issue 11, re-run as one measurement (not a test; the regression tests
//! are `core/tests/{hardening,linear,hostile}.rs` and `emulator/tests/hardening.rs`):
//!
//! 1. Every parser of the core against families of hostile bodies of about 1.5 MB: the number of
//!    inputs tried and the worst time per MB, as a ratio to serde_json reading a JSON tree of the
//!    same size in the same run.
//! 2. The emulator binary, as its own process, under the loads that found its faults: a token
//!    flood (memory), 50 keep-alive clients, 1,000 slowloris connections, 50 requests that announce
//!    2 GB, and accept failing for want of descriptors (CPU), each with what a normal client sees.
//!
//! `cargo bench -p rackconnect-emulator --bench adversarial` (about a minute; 127.0.0.1 only).

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use rackconnect::Response;
use rackconnect::ops::Operation;

const TARGET_BYTES: usize = 1_500_000;

/// A family of hostile bodies: a name, the status it is answered with, and the body.
fn families() -> Vec<(&'static str, u16, Vec<u8>)> {
    let repeat = |unit: &str, head: &str, tail: &str| {
        let n = (TARGET_BYTES - head.len() - tail.len()) / unit.len().max(1);
        let mut body = String::with_capacity(TARGET_BYTES + 64);
        body.push_str(head);
        for i in 0..n {
            body.push_str(&unit.replace("{i}", &(i % 1_000_000).to_string()));
        }
        body.push_str(tail);
        body.into_bytes()
    };
    let mut random = Vec::with_capacity(TARGET_BYTES);
    let mut seed = 0x2545_f491_4f6c_dd1d_u64;
    while random.len() < TARGET_BYTES {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        random.extend_from_slice(&seed.to_le_bytes());
    }
    let node = r#"{"id":"1860451d-fb89-45b8-b54e-151afceb50e5","cloud_server":{"id":"d95ae0c4-6ab8-4873-b82f-f8433840cff2"},"load_balancer_pool":{"id":"d6d3aa7c-dfa5-4e61-96ee-1d54ac1075d2"},"status":"ACTIVE","created":"2014-09-12T13:26:54Z","updated":"2014-09-12T13:26:54Z"},"#;
    vec![
        (
            "xml attributes on one element",
            200,
            repeat(" a{i}=\"1\"", "<automation_status", ">DEPLOYED</automation_status>"),
        ),
        ("xml many elements", 200, repeat("<x>1</x>", "<automation_status>", "</automation_status>")),
        ("xml long name", 200, repeat("a", "<", ">DEPLOYED</a>")),
        ("json many keys", 200, repeat("\"k{i}\":1,", "{", "\"automation_status\":\"DEPLOYED\"}")),
        ("json long string", 200, repeat("x", "{\"automation_status\":\"", "\"}")),
        ("json nesting, 60 deep, repeated", 200, repeat(&format!("{}{},", "[".repeat(60), "]".repeat(60)), "[", "0]")),
        (
            "json duplicate keys",
            200,
            repeat("\"automation_status\":\"DEPLOYED\",", "{", "\"automation_status\":\"FAILED\"}"),
        ),
        ("json big numbers", 200, repeat("123456789012345678901234567890,", "[", "0]")),
        (
            "409 with many errors",
            409,
            repeat("\"Cloud Server {i} is already a member of Load Balancer Pool p\",", "{\"errors\":[", "\"x\"]}"),
        ),
        (
            "v3 nodes, valid",
            200,
            repeat(node, "[", "{\"id\":\"x\",\"cloud_server\":{\"id\":\"s\"},\"load_balancer_pool\":{\"id\":\"p\"}}]"),
        ),
        ("text with control characters", 200, repeat("\u{1b}[2J\u{7}\0", "", "")),
        ("random bytes", 200, random),
    ]
}

fn per_mb(elapsed: Duration, bytes: usize) -> f64 {
    elapsed.as_secs_f64() * 1000.0 / (bytes as f64 / 1_000_000.0)
}

fn parsers() {
    let families = families();
    // The baseline: serde_json reading a tree of about the same size, with no checks at all.
    let tree = &families.iter().find(|f| f.0 == "json many keys").expect("family").2;
    let started = Instant::now();
    let rounds = 5;
    for _ in 0..rounds {
        let value: serde_json::Value = serde_json::from_slice(tree).expect("json");
        std::hint::black_box(value);
    }
    let baseline = per_mb(started.elapsed() / rounds, tree.len());

    let mut tried = 0usize;
    let mut rows = Vec::new();
    for (family, status, body) in &families {
        let response = Response::new(*status, body.clone());
        let mut worst = (0.0_f64, "");
        let mut answered = [0usize; 2];
        for op in Operation::ALL {
            let started = Instant::now();
            let outcome = op.parse(&response);
            let took = per_mb(started.elapsed(), body.len());
            answered[usize::from(outcome.is_err())] += 1;
            tried += 1;
            if took > worst.0 {
                worst = (took, op.name());
            }
        }
        rows.push((*family, body.len(), worst, answered));
    }
    println!("## Parsers: {tried} hostile inputs (every operation x {} families of ~1.5 MB)\n", families.len());
    println!("baseline: serde_json reads a 1.5 MB JSON tree at {baseline:.1} ms per MB (no checks)\n");
    println!("| family | bytes | values / errors | worst ms per MB | worst operation | worst / baseline |");
    println!("|---|---|---|---|---|---|");
    let mut overall = (0.0_f64, "");
    for (family, bytes, (worst, op), [values, errors]) in rows {
        println!("| {family} | {bytes} | {values} / {errors} | {worst:.1} | {op} | {:.1} |", worst / baseline);
        if worst > overall.0 {
            overall = (worst, family);
        }
    }
    println!("\nworst of all: {:.1} ms per MB ({}), {:.1}x the baseline\n", overall.0, overall.1, overall.0 / baseline);
}

struct Emulator {
    child: Child,
    addr: String,
}

impl Emulator {
    fn start(prefix: &[&str]) -> Emulator {
        let bin = env!("CARGO_BIN_EXE_rackconnect-emulator");
        let mut command = match prefix.split_first() {
            Some((first, rest)) => {
                let mut c = Command::new(first);
                c.args(rest).arg(bin);
                c
            }
            None => Command::new(bin),
        };
        let mut child = command
            .args(["--listen", "127.0.0.1:0"])
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .expect("start the emulator");
        let mut line = String::new();
        BufReader::new(child.stdout.take().expect("stdout")).read_line(&mut line).expect("first line");
        let addr = line.trim().trim_start_matches("listening on http://").to_owned();
        Emulator { child, addr }
    }

    fn status_field(&self, field: &str) -> f64 {
        let status = std::fs::read_to_string(format!("/proc/{}/status", self.child.id())).unwrap_or_default();
        status
            .lines()
            .find_map(|l| l.strip_prefix(field))
            .and_then(|rest| rest.split_whitespace().next()?.parse::<f64>().ok())
            .unwrap_or(f64::NAN)
    }

    fn rss_mb(&self) -> f64 {
        self.status_field("VmRSS:") / 1024.0
    }

    fn peak_rss_mb(&self) -> f64 {
        self.status_field("VmHWM:") / 1024.0
    }

    /// CPU seconds (user + system) used so far, from /proc.
    fn cpu_seconds(&self) -> f64 {
        let stat = std::fs::read_to_string(format!("/proc/{}/stat", self.child.id())).unwrap_or_default();
        let after = stat.rsplit_once(')').map_or("", |(_, rest)| rest);
        let fields: Vec<&str> = after.split_whitespace().collect();
        [11, 12].iter().filter_map(|&i| fields.get(i)?.parse::<f64>().ok()).sum::<f64>() / 100.0
    }
}

impl Drop for Emulator {
    fn drop(&mut self) {
        let _killed = self.child.kill();
        let _reaped = self.child.wait();
    }
}

const CREDENTIALS: &str =
    r#"{"auth": {"RAX-KSKEY:apiKeyCredentials": {"username": "demo", "apiKey": "demo-api-key"}}}"#;

fn request(method: &str, path: &str, token: &str, body: &str) -> Vec<u8> {
    format!(
        "{method} {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Auth-Token: {token}\r\nContent-Type: application/json\r\nContent-Length: {}\r\n\r\n{body}",
        body.len()
    )
    .into_bytes()
}

/// Sends one request on a keep-alive connection and reads the answer; the status, or 0 when the
/// connection failed.
fn call(stream: &mut BufReader<TcpStream>, wire: &[u8]) -> (u16, Vec<u8>) {
    if stream.get_mut().write_all(wire).is_err() {
        return (0, Vec::new());
    }
    let mut line = String::new();
    if stream.read_line(&mut line).unwrap_or(0) == 0 {
        return (0, Vec::new());
    }
    let status = line.split(' ').nth(1).and_then(|s| s.parse().ok()).unwrap_or(0);
    let mut length = 0usize;
    loop {
        line.clear();
        if stream.read_line(&mut line).unwrap_or(0) == 0 || line == "\r\n" {
            break;
        }
        if let Some((name, value)) = line.split_once(':')
            && name.eq_ignore_ascii_case("content-length")
        {
            length = value.trim().parse().unwrap_or(0);
        }
    }
    let mut body = vec![0; length];
    if stream.read_exact(&mut body).is_err() {
        return (0, Vec::new());
    }
    (status, body)
}

fn connect(addr: &str) -> Option<BufReader<TcpStream>> {
    let stream = TcpStream::connect(addr).ok()?;
    stream.set_read_timeout(Some(Duration::from_secs(10))).ok()?;
    stream.set_nodelay(true).ok()?;
    Some(BufReader::new(stream))
}

fn token(addr: &str) -> String {
    let mut c = connect(addr).expect("connect");
    let (_, body) = call(&mut c, &request("POST", "/v2.0/tokens", "", CREDENTIALS));
    let access: serde_json::Value = serde_json::from_slice(&body).expect("a token response");
    access["access"]["token"]["id"].as_str().expect("a token").to_owned()
}

/// `clients` keep-alive clients sending `wire` for `seconds`: answers per second, the worst
/// latency in ms, and how many answers were not 2xx.
fn drive(addr: &str, wire: &[u8], clients: usize, seconds: f64) -> (f64, f64, usize) {
    let started = Instant::now();
    let deadline = started + Duration::from_secs_f64(seconds);
    let threads: Vec<_> = (0..clients)
        .map(|_| {
            let (addr, wire) = (addr.to_owned(), wire.to_vec());
            std::thread::spawn(move || {
                let (mut done, mut worst, mut bad) = (0usize, Duration::ZERO, 0usize);
                let Some(mut c) = connect(&addr) else { return (0, worst, 1) };
                while Instant::now() < deadline {
                    let t = Instant::now();
                    let (status, _) = call(&mut c, &wire);
                    worst = worst.max(t.elapsed());
                    if (200..300).contains(&status) {
                        done += 1;
                    } else {
                        bad += 1;
                        match connect(&addr) {
                            Some(fresh) => c = fresh,
                            None => break,
                        }
                    }
                }
                (done, worst, bad)
            })
        })
        .collect();
    let (mut done, mut worst, mut bad) = (0, Duration::ZERO, 0);
    for t in threads {
        let (d, w, b) = t.join().expect("client");
        done += d;
        worst = worst.max(w);
        bad += b;
    }
    (done as f64 / started.elapsed().as_secs_f64(), worst.as_secs_f64() * 1000.0, bad)
}

/// One normal request on a fresh connection: its latency in ms, or None when it was not served.
fn one_normal_request(addr: &str) -> Option<f64> {
    let started = Instant::now();
    let mut c = connect(addr)?;
    let (status, _) = call(&mut c, &request("GET", "/__emulator/clock", "", ""));
    (status == 200).then(|| started.elapsed().as_secs_f64() * 1000.0)
}

fn emulator() {
    println!("## The emulator binary under hostile load (its own process, 127.0.0.1)\n");
    println!("| load | what it did | RSS MB (peak) | a normal client meanwhile |");
    println!("|---|---|---|---|");

    // A token flood: tokens are freed when they expire and at most 10,000 are kept.
    let emu = Emulator::start(&[]);
    let before = emu.rss_mb();
    let issue = request("POST", "/v2.0/tokens", "", CREDENTIALS);
    let (per_second, worst_ms, bad) = drive(&emu.addr, &issue, 4, 10.0);
    let normal = one_normal_request(&emu.addr);
    println!(
        "| token flood, 4 clients, 10 s | {:.0} tokens issued ({per_second:.0}/s, {bad} refused, worst {worst_ms:.0} ms) | {before:.1} before, {:.1} after ({:.1}) | {} |",
        per_second * 10.0,
        emu.rss_mb(),
        emu.peak_rss_mb(),
        shown(normal)
    );
    drop(emu);

    // 50 keep-alive clients against 4, the same request, in the same run.
    let emu = Emulator::start(&[]);
    let token = token(&emu.addr);
    let list = request("GET", "/rackconnect/DFW/v3/123456/public_ips", &token, "");
    let (few, _, _) = drive(&emu.addr, &list, 4, 3.0);
    let (many, worst_ms, bad) = drive(&emu.addr, &list, 50, 3.0);
    println!(
        "| 50 keep-alive clients, v3 I1, 3 s | {many:.0} answers/s, {:.2}x the rate of 4 clients, {bad} failed, worst {worst_ms:.0} ms | {:.1} ({:.1}) | served |",
        many / few,
        emu.rss_mb(),
        emu.peak_rss_mb()
    );

    // 1,000 slowloris connections: a request head that never ends.
    let slow: Vec<TcpStream> = (0..1000)
        .filter_map(|_| {
            let mut s = TcpStream::connect(&emu.addr).ok()?;
            s.write_all(b"GET /v1/automation_status HTTP/1.1\r\nHost: x\r\nX-Slow: ").ok()?;
            Some(s)
        })
        .collect();
    std::thread::sleep(Duration::from_millis(500));
    let held_rss = emu.rss_mb();
    let meanwhile = one_normal_request(&emu.addr);
    let started = Instant::now();
    let mut closed = 0usize;
    for mut s in slow.iter() {
        let _ = s.set_read_timeout(Some(
            Duration::from_secs(15).saturating_sub(started.elapsed()).max(Duration::from_millis(1)),
        ));
        let mut rest = Vec::new();
        if s.read_to_end(&mut rest).is_ok() {
            closed += 1;
        }
    }
    println!(
        "| 1,000 slowloris connections | {closed} of {} closed by the emulator, the last after {:.1} s | {held_rss:.1} ({:.1}) | {} |",
        slow.len(),
        started.elapsed().as_secs_f64() + 0.5,
        emu.peak_rss_mb(),
        shown(meanwhile)
    );
    drop(slow);

    // 50 requests announcing 2 GB bodies: refused before any body is read.
    let started = Instant::now();
    let announced: Vec<TcpStream> = (0..50)
        .filter_map(|_| {
            let mut s = TcpStream::connect(&emu.addr).ok()?;
            s.write_all(b"POST /v2.0/tokens HTTP/1.1\r\nHost: x\r\nContent-Length: 2000000000\r\n\r\n").ok()?;
            s.set_read_timeout(Some(Duration::from_secs(10))).ok()?;
            Some(s)
        })
        .collect();
    let refused = announced
        .iter()
        .filter(|s| {
            let mut line = String::new();
            BufReader::new(*s).read_line(&mut line).is_ok() && line.starts_with("HTTP/1.1 413")
        })
        .count();
    println!(
        "| 50 requests announcing 2 GB | {refused} of 50 answered 413 within {:.0} ms | {:.1} ({:.1}) | {} |",
        started.elapsed().as_secs_f64() * 1000.0,
        emu.rss_mb(),
        emu.peak_rss_mb(),
        shown(one_normal_request(&emu.addr))
    );
    drop(announced);
    drop(emu);

    // Out of descriptors: accept fails while 200 connections are held; it must not spin.
    if Command::new("prlimit").arg("--version").stdout(Stdio::null()).status().is_ok() {
        let emu = Emulator::start(&["prlimit", "--nofile=64"]);
        let held: Vec<TcpStream> = (0..200).filter_map(|_| TcpStream::connect(&emu.addr).ok()).collect();
        std::thread::sleep(Duration::from_millis(300));
        let cpu = emu.cpu_seconds();
        std::thread::sleep(Duration::from_secs(3));
        let used = emu.cpu_seconds() - cpu;
        drop(held);
        std::thread::sleep(Duration::from_millis(200));
        let after = (0..20).find_map(|_| {
            one_normal_request(&emu.addr).or_else(|| {
                std::thread::sleep(Duration::from_millis(100));
                None
            })
        });
        println!(
            "| out of descriptors (limit 64, 200 held), 3 s | {:.0}% of a core while accept failed | {:.1} ({:.1}) | {} once released |",
            used / 3.0 * 100.0,
            emu.rss_mb(),
            emu.peak_rss_mb(),
            shown(after)
        );
    } else {
        println!("| out of descriptors | skipped: no prlimit here | | |");
    }
}

fn shown(latency: Option<f64>) -> String {
    latency.map_or_else(|| "not served".to_owned(), |ms| format!("served in {ms:.1} ms"))
}

fn main() {
    parsers();
    emulator();
}
