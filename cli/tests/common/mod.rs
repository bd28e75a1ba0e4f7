//! Helpers for the end-to-end tests: run `rackconnect` as a real process with a clean
//! environment, start a separate emulator process, and talk to its control API.

// Each test binary uses a part of these helpers.
#![allow(dead_code)]

use std::ffi::OsString;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicU32, Ordering};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use serde_json::Value;

/// The binary under test.
pub const BIN: &str = env!("CARGO_BIN_EXE_rackconnect");

/// How long one ordinary invocation may take before the test gives up on it.
pub const LIMIT: Duration = Duration::from_secs(30);

/// A directory under the system temp dir, removed on drop.
pub struct TempDir(pub PathBuf);

impl TempDir {
    /// A fresh, empty directory.
    pub fn new(label: &str) -> Self {
        static COUNTER: AtomicU32 = AtomicU32::new(0);
        let n = COUNTER.fetch_add(1, Ordering::Relaxed);
        let path = std::env::temp_dir().join(format!("rackconnect-cli-test-{}-{label}-{n}", std::process::id()));
        let _stale = std::fs::remove_dir_all(&path);
        std::fs::create_dir_all(&path).expect("create a temp dir");
        Self(path)
    }

    /// A path inside it.
    pub fn join(&self, name: &str) -> PathBuf {
        self.0.join(name)
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _removed = std::fs::remove_dir_all(&self.0);
    }
}

/// Every `RAX_*` variable of this process, plus the ones the tool reads, so that none leaks in.
fn rax_variables() -> Vec<OsString> {
    let mut names: Vec<OsString> = std::env::vars_os()
        .map(|(name, _)| name)
        .filter(|name| name.to_string_lossy().to_ascii_uppercase().starts_with("RAX_"))
        .collect();
    for name in [
        "RAX_USERNAME",
        "RAX_API_KEY",
        "RAX_PASSWORD",
        "RAX_REGION",
        "RAX_TENANT",
        "RAX_IDENTITY_URL",
        "RAX_CREDS_FILE",
        "RAX_RACKCONNECT_V2_URL",
    ] {
        names.push(name.into());
    }
    names
}

/// What a finished invocation did.
#[derive(Debug)]
pub struct Output {
    /// The command line, for messages.
    pub cmdline: String,
    /// The exit code (-1 when killed by a signal).
    pub code: i32,
    /// Standard output.
    pub stdout: String,
    /// Standard error.
    pub stderr: String,
    /// How long it ran.
    pub elapsed: Duration,
}

impl Output {
    /// Everything about the run, for assertion messages.
    pub fn context(&self) -> String {
        format!(
            "\n$ {}\nexit {} after {:.1} s\n--- stdout\n{}\n--- stderr\n{}",
            self.cmdline,
            self.code,
            self.elapsed.as_secs_f64(),
            self.stdout,
            self.stderr
        )
    }

    /// Asserts the exit code.
    #[track_caller]
    pub fn expect_code(&self, code: i32) -> &Self {
        assert_eq!(self.code, code, "unexpected exit code{}", self.context());
        self
    }

    /// Asserts that stdout holds `text`.
    #[track_caller]
    pub fn expect_stdout(&self, text: &str) -> &Self {
        assert!(self.stdout.contains(text), "stdout lacks {text:?}{}", self.context());
        self
    }

    /// Asserts that stderr holds `text`.
    #[track_caller]
    pub fn expect_stderr(&self, text: &str) -> &Self {
        assert!(self.stderr.contains(text), "stderr lacks {text:?}{}", self.context());
        self
    }

    /// The last line of stderr parsed as JSON: the error `--output json` reports.
    #[track_caller]
    pub fn error_json(&self) -> Value {
        let last = self.stderr.lines().rev().find(|l| !l.trim().is_empty()).unwrap_or("");
        match serde_json::from_str(last) {
            Ok(value) => value,
            Err(e) => panic!("stderr does not end with a JSON line: {e}{}", self.context()),
        }
    }

    /// Stdout parsed as one JSON document (it must be nothing else).
    #[track_caller]
    pub fn json(&self) -> Value {
        match serde_json::from_str(&self.stdout) {
            Ok(value) => value,
            Err(e) => panic!("stdout is not one JSON document: {e}{}", self.context()),
        }
    }
}

/// A command line to run.
#[derive(Clone, Debug)]
pub struct Invocation {
    args: Vec<String>,
    envs: Vec<(String, String)>,
}

/// `rackconnect ARGS…` with a clean environment (no `RAX_*`, `HOME` an empty temp dir).
pub fn rc(args: &[&str]) -> Invocation {
    Invocation { args: args.iter().map(|a| (*a).to_owned()).collect(), envs: Vec::new() }
}

impl Invocation {
    /// Sets an environment variable for the child.
    pub fn env(mut self, name: &str, value: &str) -> Self {
        self.envs.push((name.to_owned(), value.to_owned()));
        self
    }

    /// Appends arguments.
    pub fn args(mut self, more: &[&str]) -> Self {
        self.args.extend(more.iter().map(|a| (*a).to_owned()));
        self
    }

    /// Starts it; `home` is used as `HOME` when given, else an empty temp dir.
    pub fn spawn_with_home(&self, home: Option<&Path>) -> Running {
        let own_home = if home.is_none() { Some(TempDir::new("home")) } else { None };
        let home_path = home.map(Path::to_path_buf).or_else(|| own_home.as_ref().map(|d| d.0.clone()));
        let mut command = Command::new(BIN);
        command.args(&self.args);
        for name in rax_variables() {
            command.env_remove(name);
        }
        if let Some(home) = &home_path {
            command.env("HOME", home);
            // Each invocation its own v2 budget, unless a test shares one on purpose.
            command.env("RACKCONNECT_STATE_DIR", home.join("state"));
        }
        for (name, value) in &self.envs {
            command.env(name, value);
        }
        command.stdin(Stdio::null()).stdout(Stdio::piped()).stderr(Stdio::piped());
        let started = Instant::now();
        let mut child = command.spawn().expect("start rackconnect");
        let stdout = drain(child.stdout.take());
        let stderr = drain(child.stderr.take());
        let cmdline = std::iter::once("rackconnect".to_owned())
            .chain(self.envs.iter().map(|(k, v)| format!("[{k}={v}]")))
            .chain(self.args.iter().cloned())
            .collect::<Vec<_>>()
            .join(" ");
        Running { child: Some(child), stdout: Some(stdout), stderr: Some(stderr), cmdline, started, _home: own_home }
    }

    /// Starts it with an empty temp `HOME`.
    pub fn spawn(&self) -> Running {
        self.spawn_with_home(None)
    }

    /// Runs it to the end (at most [`LIMIT`]).
    pub fn run(&self) -> Output {
        self.spawn().finish(LIMIT)
    }

    /// Runs it to the end with `HOME` set to `home`.
    pub fn run_with_home(&self, home: &Path) -> Output {
        self.spawn_with_home(Some(home)).finish(LIMIT)
    }
}

fn drain<R: Read + Send + 'static>(pipe: Option<R>) -> JoinHandle<String> {
    std::thread::spawn(move || {
        let mut bytes = Vec::new();
        if let Some(mut pipe) = pipe {
            let _read = pipe.read_to_end(&mut bytes);
        }
        String::from_utf8_lossy(&bytes).into_owned()
    })
}

/// A running invocation; killed if dropped before [`Running::finish`].
pub struct Running {
    child: Option<Child>,
    stdout: Option<JoinHandle<String>>,
    stderr: Option<JoinHandle<String>>,
    cmdline: String,
    started: Instant,
    _home: Option<TempDir>,
}

impl Running {
    /// Waits for the end, at most `limit` (then kills it and panics).
    pub fn finish(mut self, limit: Duration) -> Output {
        let mut child = self.child.take().expect("a child");
        let deadline = self.started + limit;
        let status = loop {
            match child.try_wait() {
                Ok(Some(status)) => break Some(status),
                Ok(None) if Instant::now() < deadline => std::thread::sleep(Duration::from_millis(10)),
                _ => {
                    let _killed = child.kill();
                    let _waited = child.wait();
                    break None;
                }
            }
        };
        let elapsed = self.started.elapsed();
        let stdout = self.stdout.take().map(|t| t.join().unwrap_or_default()).unwrap_or_default();
        let stderr = self.stderr.take().map(|t| t.join().unwrap_or_default()).unwrap_or_default();
        let output = Output {
            cmdline: self.cmdline.clone(),
            code: status.and_then(|s| s.code()).unwrap_or(-1),
            stdout,
            stderr,
            elapsed,
        };
        assert!(status.is_some(), "still running after {} s, killed{}", limit.as_secs(), output.context());
        output
    }
}

impl Drop for Running {
    fn drop(&mut self) {
        if let Some(mut child) = self.child.take() {
            let _killed = child.kill();
            let _waited = child.wait();
        }
    }
}

/// One HTTP/1.1 exchange with the emulator (`Connection: close`): the status and the body.
pub fn http(base: &str, method: &str, path: &str, body: Option<&str>) -> (u16, String) {
    let addr = base.trim_start_matches("http://").trim_end_matches('/');
    let mut stream = TcpStream::connect(addr).expect("connect to the emulator");
    stream.set_read_timeout(Some(Duration::from_secs(10))).expect("set a read timeout");
    let body = body.unwrap_or("");
    let request = format!(
        "{method} {path} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\nAccept: application/json\r\nContent-Type: application/json\r\nContent-Length: {}\r\n\r\n{body}",
        body.len()
    );
    stream.write_all(request.as_bytes()).expect("send a control request");
    let mut raw = Vec::new();
    stream.read_to_end(&mut raw).expect("read the control answer");
    let text = String::from_utf8_lossy(&raw).into_owned();
    let (head, rest) = text.split_once("\r\n\r\n").unwrap_or((text.as_str(), ""));
    let status = head.split_whitespace().nth(1).and_then(|s| s.parse().ok()).unwrap_or(0);
    let chunked = head.lines().any(|l| {
        let l = l.to_ascii_lowercase();
        l.starts_with("transfer-encoding:") && l.contains("chunked")
    });
    let body = if chunked { dechunk(rest) } else { rest.to_owned() };
    (status, body)
}

fn dechunk(mut rest: &str) -> String {
    let mut body = String::new();
    while let Some((size, after)) = rest.split_once("\r\n") {
        let size = usize::from_str_radix(size.split(';').next().unwrap_or("0").trim(), 16).unwrap_or(0);
        if size == 0 || after.len() < size {
            break;
        }
        body.push_str(&after[..size]);
        rest = after[size..].trim_start_matches("\r\n");
    }
    body
}

/// A separate `rackconnect emulator` process, killed on drop.
pub struct EmulatorProcess {
    child: Child,
    /// `http://127.0.0.1:PORT`.
    pub url: String,
}

impl EmulatorProcess {
    /// Starts `rackconnect emulator --listen 127.0.0.1:0` with the given clock speed and scenario.
    pub fn start(clock_speed: Option<f64>, scenario: Option<&Path>) -> Self {
        let mut command = Command::new(BIN);
        command.args(["emulator", "--listen", "127.0.0.1:0"]);
        if let Some(speed) = clock_speed {
            command.args(["--clock-speed", &speed.to_string()]);
        }
        if let Some(path) = scenario {
            command.arg("--scenario").arg(path);
        }
        for name in rax_variables() {
            command.env_remove(name);
        }
        command.stdin(Stdio::null()).stdout(Stdio::piped()).stderr(Stdio::null());
        let mut child = command.spawn().expect("start the emulator");
        let mut reader = BufReader::new(child.stdout.take().expect("the emulator's stdout"));
        let mut line = String::new();
        let _read = reader.read_line(&mut line);
        let url = match line.trim().strip_prefix("listening on ") {
            Some(url) => url.to_owned(),
            None => {
                let _killed = child.kill();
                let _waited = child.wait();
                panic!("the emulator did not say where it listens: {line:?}");
            }
        };
        // Keep the pipe drained so the emulator never blocks on a full stdout.
        std::thread::spawn(move || {
            let mut sink = Vec::new();
            let _read = reader.read_to_end(&mut sink);
        });
        Self { child, url }
    }

    /// `rackconnect ARGS…` against this emulator, as user demo in DFW (through the environment).
    pub fn rc(&self, args: &[&str]) -> Invocation {
        rc(args)
            .env("RAX_IDENTITY_URL", &self.url)
            .env("RAX_USERNAME", "demo")
            .env("RAX_API_KEY", "demo-api-key")
            .env("RAX_REGION", "dfw")
    }

    /// `rackconnect --v2-url URL --source-address SOURCE ARGS…` against this emulator.
    pub fn v2(&self, source: &str, args: &[&str]) -> Invocation {
        rc(&["--v2-url", &self.url, "--source-address", source]).args(args)
    }

    /// A control call answered with JSON.
    #[track_caller]
    pub fn control(&self, method: &str, path: &str, body: Option<Value>) -> Value {
        let body = body.map(|b| b.to_string());
        let (status, text) = http(&self.url, method, path, body.as_deref());
        assert!((200..300).contains(&status), "{method} {path}: {status} {text}");
        if text.trim().is_empty() { Value::Null } else { serde_json::from_str(&text).expect("control JSON") }
    }

    /// Injects a fault.
    pub fn fault(&self, fault: Value) {
        self.control("POST", "/__emulator/faults", Some(fault));
    }

    /// `GET /__emulator/requests`.
    pub fn requests(&self) -> Value {
        self.control("GET", "/__emulator/requests", None)
    }

    /// The request log entries.
    pub fn log(&self) -> Vec<Value> {
        self.requests()["requests"].as_array().cloned().unwrap_or_default()
    }

    /// Clears the request log.
    pub fn clear_log(&self) {
        self.control("DELETE", "/__emulator/requests", None);
    }
}

impl Drop for EmulatorProcess {
    fn drop(&mut self) {
        let _killed = self.child.kill();
        let _waited = self.child.wait();
    }
}

/// The log entries with this method whose path (without the query) ends with `suffix`.
pub fn calls<'a>(log: &'a [Value], method: &str, suffix: &str) -> Vec<&'a Value> {
    log.iter()
        .filter(|e| {
            e["method"] == method
                && e["path"].as_str().is_some_and(|p| p.split('?').next().unwrap_or(p).ends_with(suffix))
        })
        .collect()
}

/// The statuses of those entries, in order.
pub fn statuses(entries: &[&Value]) -> Vec<u64> {
    entries.iter().map(|e| e["status"].as_u64().unwrap_or(9999)).collect()
}

/// Whether a JSON array holds an object whose `key` (a string) equals `value`, in any case.
pub fn has_id(list: &Value, pointer: &str, value: &str) -> bool {
    list.as_array().is_some_and(|items| {
        items
            .iter()
            .any(|item| item.pointer(pointer).and_then(Value::as_str).is_some_and(|v| v.eq_ignore_ascii_case(value)))
    })
}
