//! `rackconnect._native.EmulatorServer`: the emulator in the wheel, for
//! `rackconnect.testing.Emulator`, its pytest fixture and `python -m rackconnect.emulator`.
//!
//! The emulator's sans-IO engine ([`rackconnect_emulator::Engine`], the crate built without its
//! tokio/hyper `server` feature) behind a small HTTP/1.1 server made of std threads: one thread
//! accepts, one thread serves each connection. Like the crate's own shell (`emulator/src/http.rs`)
//! it only does I/O and time: it reads each request (its head within [`HEADER_TIMEOUT`], its body
//! within [`BODY_TIMEOUT`] and as [`body_plan`] allows), hands it to the engine with the real
//! time, carries out what the engine asks (wait, then [`Engine::resume`]; close without an
//! answer; announce the whole body and send part of it) and writes the answer. Every decision
//! about what to answer, the control API included, is the engine's.
//!
//! No thread here touches Python: the server runs while Python code (a test, a playbook runner)
//! holds the GIL.

use std::collections::HashMap;
use std::io::{self, Read, Write};
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, Shutdown, SocketAddr, TcpListener, TcpStream};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Condvar, Mutex, MutexGuard, PoisonError};
use std::thread::JoinHandle;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use pyo3::exceptions::{PyOSError, PyValueError};
use pyo3::prelude::*;
use pyo3::types::PyTuple;
use rackconnect_emulator::clock::RealTime;
use rackconnect_emulator::engine::{
    self, BODY_TIMEOUT, Body, BodyPlan, Config, Disposition, Engine, HEADER_TIMEOUT, Step, accept_backoff, body_plan,
};
use rackconnect_emulator::routes::CONTROL_PREFIX;
use rackconnect_emulator::scenario::{self, Scenario};

/// How long writing an answer may take (a client that does not read is dropped).
const WRITE_TIMEOUT: Duration = Duration::from_secs(10);
/// The largest request head read (431 above).
const MAX_HEAD: usize = 64 * 1024;
/// The most headers a request may have (431 above).
const MAX_HEADERS: usize = 100;
/// The most connections served at once; more are closed as they arrive (a thread each).
const MAX_CONNECTIONS: usize = 512;

fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(PoisonError::into_inner)
}

/// The real time, for the engine: the wall clock when started, moved on by a monotonic clock (a
/// wall clock set back never moves the emulated time back).
#[derive(Clone, Copy, Debug)]
struct RealClock {
    wall_at_start: RealTime,
    started: Instant,
}

impl RealClock {
    fn new() -> Self {
        let wall = SystemTime::now().duration_since(UNIX_EPOCH).map_or(0, |d| d.as_micros());
        RealClock {
            wall_at_start: RealTime::from_unix_micros(i64::try_from(wall).unwrap_or(0)),
            started: Instant::now(),
        }
    }

    fn now(&self) -> RealTime {
        let elapsed = i64::try_from(self.started.elapsed().as_micros()).unwrap_or(i64::MAX);
        RealTime::from_unix_micros(self.wall_at_start.unix_micros().saturating_add(elapsed))
    }
}

/// What the threads share: the engine, the clock, and what stopping needs.
struct Shared {
    engine: Mutex<Engine>,
    clock: RealClock,
    /// Set once, by [`Server::stop`]; the condvar wakes threads waiting out a delay or a back-off.
    stopped: (Mutex<bool>, Condvar),
    /// The open connections (a handle to shut each down) and their threads, by number.
    connections: Mutex<HashMap<u64, (TcpStream, JoinHandle<()>)>>,
    next_connection: AtomicU64,
}

impl Shared {
    fn is_stopped(&self) -> bool {
        *lock(&self.stopped.0)
    }

    /// Sleeps `duration` unless stopped meanwhile: true when it slept it out.
    fn sleep(&self, duration: Duration) -> bool {
        let guard = lock(&self.stopped.0);
        let (guard, _) = self
            .stopped
            .1
            .wait_timeout_while(guard, duration, |stopped| !*stopped)
            .unwrap_or_else(PoisonError::into_inner);
        !*guard
    }

    /// Hands a request to the engine at the real time, and carries out an injected delay.
    /// `None` when stopped during the delay.
    fn answer(&self, request: engine::Request) -> Option<engine::Response> {
        let step = lock(&self.engine).handle(request, self.clock.now());
        match step {
            Step::Answer(response) => Some(response),
            Step::Wait { delay_ms, held } => {
                if !self.sleep(Duration::from_millis(delay_ms)) {
                    return None;
                }
                Some(lock(&self.engine).resume(held, self.clock.now()))
            }
        }
    }
}

/// A running server. Stopping closes the listener and every connection, and joins every thread.
struct Server {
    shared: Arc<Shared>,
    addr: SocketAddr,
    acceptor: Option<JoinHandle<()>>,
}

impl Server {
    fn start(engine: Engine, clock: RealClock, listen: SocketAddr) -> io::Result<Server> {
        let listener = TcpListener::bind(listen)?;
        let addr = listener.local_addr()?;
        let shared = Arc::new(Shared {
            engine: Mutex::new(engine),
            clock,
            stopped: (Mutex::new(false), Condvar::new()),
            connections: Mutex::new(HashMap::new()),
            next_connection: AtomicU64::new(0),
        });
        let accepting = shared.clone();
        let acceptor = std::thread::Builder::new()
            .name("rackconnect-emulator".into())
            .spawn(move || accept(&listener, &accepting))?;
        Ok(Server { shared, addr, acceptor: Some(acceptor) })
    }

    fn stop(&mut self) {
        let Some(acceptor) = self.acceptor.take() else { return };
        *lock(&self.shared.stopped.0) = true;
        self.shared.stopped.1.notify_all();
        // The acceptor blocks in accept(): a connection of our own wakes it, and it sees the flag.
        let wake_ip = match self.addr.ip() {
            IpAddr::V4(ip) if ip.is_unspecified() => IpAddr::V4(Ipv4Addr::LOCALHOST),
            IpAddr::V6(ip) if ip.is_unspecified() => IpAddr::V6(Ipv6Addr::LOCALHOST),
            ip => ip,
        };
        let woken = TcpStream::connect_timeout(&SocketAddr::new(wake_ip, self.addr.port()), Duration::from_secs(1));
        if woken.is_ok() {
            let _joined = acceptor.join();
        }
        // Every connection: shut down (a read or write in progress returns at once), then joined.
        let open: Vec<_> = lock(&self.shared.connections).drain().collect();
        for (_, (stream, _)) in &open {
            let _closed = stream.shutdown(Shutdown::Both);
        }
        for (_, (_, thread)) in open {
            let _joined = thread.join();
        }
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        self.stop();
    }
}

/// Accepts until stopped, a thread per connection.
fn accept(listener: &TcpListener, shared: &Arc<Shared>) {
    // After a failed accept, wait before the next (`accept_backoff`).
    let mut pause = Duration::ZERO;
    loop {
        let accepted = listener.accept();
        if shared.is_stopped() {
            return;
        }
        let (stream, peer) = match accepted {
            Ok(accepted) => {
                pause = Duration::ZERO;
                accepted
            }
            Err(_) => {
                pause = accept_backoff(pause);
                if !shared.sleep(pause) {
                    return;
                }
                continue;
            }
        };
        let mut connections = lock(&shared.connections);
        // Connections whose thread has ended leave the table here (each removes itself too).
        connections.retain(|_, (_, thread)| !thread.is_finished());
        if connections.len() >= MAX_CONNECTIONS {
            continue; // dropped: closed
        }
        let Ok(handle) = stream.try_clone() else { continue };
        let id = shared.next_connection.fetch_add(1, Ordering::Relaxed);
        let serving = shared.clone();
        let spawned = std::thread::Builder::new().name("rackconnect-emulator-conn".into()).spawn(move || {
            serve(stream, peer, &serving);
            lock(&serving.connections).remove(&id);
        });
        if let Ok(thread) = spawned {
            connections.insert(id, (handle, thread));
        }
    }
}

/// A connection: its stream and what has been read of it but not used yet.
struct Connection {
    stream: TcpStream,
    buffer: Vec<u8>,
}

/// Why reading stopped.
enum ReadError {
    /// The client closed the connection, or it broke.
    Closed,
    /// The time allowed ran out.
    TimedOut,
}

impl Connection {
    /// Reads more into the buffer before `deadline`.
    fn fill(&mut self, deadline: Instant) -> Result<(), ReadError> {
        let left = deadline.saturating_duration_since(Instant::now());
        if left.is_zero() {
            return Err(ReadError::TimedOut);
        }
        self.stream.set_read_timeout(Some(left)).map_err(|_| ReadError::Closed)?;
        let mut chunk = [0u8; 16 * 1024];
        match self.stream.read(&mut chunk) {
            Ok(0) => Err(ReadError::Closed),
            Ok(n) => {
                self.buffer.extend_from_slice(&chunk[..n]);
                Ok(())
            }
            Err(e) if matches!(e.kind(), io::ErrorKind::WouldBlock | io::ErrorKind::TimedOut) => {
                Err(ReadError::TimedOut)
            }
            Err(e) if e.kind() == io::ErrorKind::Interrupted => Ok(()),
            Err(_) => Err(ReadError::Closed),
        }
    }

    /// Takes `n` bytes, reading until there are as many.
    fn take(&mut self, n: usize, deadline: Instant) -> Result<Vec<u8>, ReadError> {
        while self.buffer.len() < n {
            self.fill(deadline)?;
        }
        Ok(self.buffer.drain(..n).collect())
    }

    /// Takes one line (without its CRLF) of at most `max` bytes: `None` when it is longer.
    fn line(&mut self, max: usize, deadline: Instant) -> Result<Option<Vec<u8>>, ReadError> {
        loop {
            if let Some(end) = self.buffer.iter().position(|&b| b == b'\n') {
                let mut line: Vec<u8> = self.buffer.drain(..=end).collect();
                line.pop();
                if line.last() == Some(&b'\r') {
                    line.pop();
                }
                return Ok(Some(line));
            }
            if self.buffer.len() > max {
                return Ok(None);
            }
            self.fill(deadline)?;
        }
    }

    fn write(&mut self, bytes: &[u8]) -> io::Result<()> {
        self.stream.set_write_timeout(Some(WRITE_TIMEOUT))?;
        self.stream.write_all(bytes)?;
        self.stream.flush()
    }
}

/// A request head as read.
struct Head {
    method: String,
    target: String,
    /// HTTP/1.1 (rather than 1.0).
    http11: bool,
    /// Names lower case, as hyper gives them to the crate's shell.
    headers: Vec<(String, String)>,
}

impl Head {
    fn header(&self, name: &str) -> Option<&str> {
        self.headers.iter().find(|(n, _)| n == name).map(|(_, v)| v.as_str())
    }

    fn has_token(&self, name: &str, token: &str) -> bool {
        self.headers
            .iter()
            .filter(|(n, _)| n == name)
            .flat_map(|(_, v)| v.split(','))
            .any(|t| t.trim().eq_ignore_ascii_case(token))
    }
}

/// What became of reading a head.
enum HeadRead {
    Head(Head),
    /// Malformed, or too large: answer this status and close.
    Refused(u16),
    /// Closed, or idle past [`HEADER_TIMEOUT`]: close without a word.
    Gone,
}

fn read_head(connection: &mut Connection) -> HeadRead {
    let deadline = Instant::now() + HEADER_TIMEOUT;
    loop {
        let mut headers = [httparse::EMPTY_HEADER; MAX_HEADERS];
        let mut request = httparse::Request::new(&mut headers);
        match request.parse(&connection.buffer) {
            Ok(httparse::Status::Complete(length)) => {
                let head = Head {
                    method: request.method.unwrap_or_default().to_owned(),
                    target: request.path.unwrap_or("/").to_owned(),
                    http11: request.version == Some(1),
                    headers: request
                        .headers
                        .iter()
                        .map(|h| (h.name.to_ascii_lowercase(), String::from_utf8_lossy(h.value).into_owned()))
                        .collect(),
                };
                connection.buffer.drain(..length);
                return HeadRead::Head(head);
            }
            Ok(httparse::Status::Partial) if connection.buffer.len() > MAX_HEAD => return HeadRead::Refused(431),
            Ok(httparse::Status::Partial) => {}
            Err(httparse::Error::TooManyHeaders) => return HeadRead::Refused(431),
            Err(_) => return HeadRead::Refused(400),
        }
        if connection.fill(deadline).is_err() {
            return HeadRead::Gone;
        }
    }
}

/// How a request's body is framed.
enum Framing {
    Length(u64),
    Chunked,
}

fn framing(head: &Head) -> Result<Framing, ()> {
    if head.header("transfer-encoding").is_some() {
        // Chunked must be the last coding; nothing else is understood.
        let last = head.headers.iter().filter(|(n, _)| n == "transfer-encoding").flat_map(|(_, v)| v.split(',')).last();
        return match last.map(str::trim) {
            Some(coding) if coding.eq_ignore_ascii_case("chunked") => Ok(Framing::Chunked),
            _ => Err(()),
        };
    }
    let mut lengths = head.headers.iter().filter(|(n, _)| n == "content-length").map(|(_, v)| v.trim());
    match lengths.next() {
        None => Ok(Framing::Length(0)),
        Some(first) => {
            let valid = !first.is_empty() && first.bytes().all(|b| b.is_ascii_digit());
            let length: u64 = if valid { first.parse().map_err(|_| ())? } else { return Err(()) };
            // Repeated, they must agree.
            if lengths.all(|other| other == first) { Ok(Framing::Length(length)) } else { Err(()) }
        }
    }
}

/// Why a body could not be handed to the engine.
enum BodyError {
    /// The client closed the connection, or it broke.
    Closed,
    /// Malformed chunks: answer this status and close.
    Refused(u16),
}

/// Reads a body of at most `limit` bytes. The flag says whether the connection can carry another
/// request (the whole body was read).
fn read_body(connection: &mut Connection, framing: &Framing, limit: usize) -> Result<(Body, bool), BodyError> {
    let deadline = Instant::now() + BODY_TIMEOUT;
    // A body late past BODY_TIMEOUT is the engine's to answer (408).
    let timed_out = |e: ReadError| match e {
        ReadError::TimedOut => Ok((Body::TimedOut, false)),
        ReadError::Closed => Err(BodyError::Closed),
    };
    match *framing {
        Framing::Length(length) => {
            if length > limit as u64 {
                return Ok((Body::TooLarge, false));
            }
            // Bounded by `limit` just above.
            match connection.take(length as usize, deadline) {
                Ok(body) => Ok((Body::Complete(body), true)),
                Err(e) => timed_out(e),
            }
        }
        Framing::Chunked => {
            let mut body = Vec::new();
            loop {
                let line = match connection.line(1024, deadline) {
                    Ok(Some(line)) => line,
                    Ok(None) => return Err(BodyError::Refused(400)),
                    Err(e) => return timed_out(e),
                };
                let line = String::from_utf8_lossy(&line);
                let size = line.split(';').next().unwrap_or_default().trim();
                let Ok(size) = usize::from_str_radix(size, 16) else { return Err(BodyError::Refused(400)) };
                if size == 0 {
                    // Trailers, if any, up to the empty line: read and ignored.
                    loop {
                        match connection.line(MAX_HEAD, deadline) {
                            Ok(Some(line)) if line.is_empty() => return Ok((Body::Complete(body), true)),
                            Ok(Some(_)) => {}
                            Ok(None) => return Err(BodyError::Refused(431)),
                            Err(e) => return timed_out(e),
                        }
                    }
                }
                if body.len().saturating_add(size) > limit {
                    return Ok((Body::TooLarge, false));
                }
                let chunk = match connection.take(size + 2, deadline) {
                    Ok(chunk) => chunk,
                    Err(e) => return timed_out(e),
                };
                match chunk.strip_suffix(b"\r\n") {
                    Some(data) => body.extend_from_slice(data),
                    None => return Err(BodyError::Refused(400)),
                }
            }
        }
    }
}

/// The reason phrase of a status the engine or this server gives.
fn reason(status: u16) -> &'static str {
    match status {
        100 => "Continue",
        200 => "OK",
        201 => "Created",
        202 => "Accepted",
        203 => "Non-Authoritative Information",
        204 => "No Content",
        400 => "Bad Request",
        401 => "Unauthorized",
        403 => "Forbidden",
        404 => "Not Found",
        405 => "Method Not Allowed",
        408 => "Request Timeout",
        409 => "Conflict",
        413 => "Content Too Large",
        415 => "Unsupported Media Type",
        422 => "Unprocessable Content",
        429 => "Too Many Requests",
        431 => "Request Header Fields Too Large",
        500 => "Internal Server Error",
        501 => "Not Implemented",
        502 => "Bad Gateway",
        503 => "Service Unavailable",
        504 => "Gateway Timeout",
        _ => "",
    }
}

/// Writes an answer: the headers the engine gave, the framing, and the body (all of it, or the
/// part a truncation allows). `close` adds `Connection: close`.
fn write_answer(
    connection: &mut Connection,
    response: &engine::Response,
    head_only: bool,
    close: bool,
) -> io::Result<()> {
    let mut out = format!("HTTP/1.1 {} {}\r\n", response.status, reason(response.status)).into_bytes();
    for (name, value) in &response.headers {
        let framing =
            ["content-length", "transfer-encoding", "connection"].iter().any(|f| name.eq_ignore_ascii_case(f));
        // A header the wire cannot carry is left out rather than let it split the answer.
        if framing || name.bytes().chain(value.bytes()).any(|b| b == b'\r' || b == b'\n') {
            continue;
        }
        out.extend_from_slice(format!("{name}: {value}\r\n").as_bytes());
    }
    // No Content-Length on a 204 (RFC 9110, 8.6).
    if response.status != 204 {
        out.extend_from_slice(format!("Content-Length: {}\r\n", response.body.len()).as_bytes());
    }
    if close {
        out.extend_from_slice(b"Connection: close\r\n");
    }
    out.extend_from_slice(b"\r\n");
    if !head_only {
        let sent = match response.disposition {
            Disposition::Truncate { at } => at.min(response.body.len()),
            Disposition::Complete | Disposition::Reset => response.body.len(),
        };
        out.extend_from_slice(&response.body[..sent]);
    }
    connection.write(&out)
}

/// An answer of this server's own, before the engine could be asked (a head it cannot read).
fn refuse(connection: &mut Connection, status: u16) {
    let body = format!("{status} {}\n", reason(status));
    let text = format!(
        "HTTP/1.1 {status} {}\r\nContent-Type: text/plain\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
        reason(status),
        body.len()
    );
    let _written = connection.write(text.as_bytes());
}

/// Serves one connection: requests one after another (keep-alive), until either side closes.
fn serve(stream: TcpStream, peer: SocketAddr, shared: &Shared) {
    let local = stream.local_addr().ok();
    let _nodelay = stream.set_nodelay(true);
    let mut connection = Connection { stream, buffer: Vec::new() };
    while !shared.is_stopped() {
        let head = match read_head(&mut connection) {
            HeadRead::Head(head) => head,
            HeadRead::Refused(status) => return refuse(&mut connection, status),
            HeadRead::Gone => return,
        };
        let Ok(framing) = framing(&head) else { return refuse(&mut connection, 400) };
        let (body, body_read) = match body_plan(&head.headers) {
            BodyPlan::Refuse => (Body::TooLarge, false),
            BodyPlan::Read { limit } => {
                let announced = !matches!(framing, Framing::Length(0));
                let expects = announced && head.http11 && head.has_token("expect", "100-continue");
                if expects && connection.write(b"HTTP/1.1 100 Continue\r\n\r\n").is_err() {
                    return;
                }
                match read_body(&mut connection, &framing, limit) {
                    Ok(read) => read,
                    Err(BodyError::Closed) => return,
                    Err(BodyError::Refused(status)) => return refuse(&mut connection, status),
                }
            }
        };
        let base_url = match (head.header("host"), local) {
            (Some(host), _) => format!("http://{host}"),
            (None, Some(local)) => format!("http://{local}"),
            (None, None) => "http://127.0.0.1".to_owned(),
        };
        let keep_alive = body_read && head.http11 && !head.has_token("connection", "close");
        let head_only = head.method == "HEAD";
        let request = engine::Request {
            method: head.method,
            target: head.target,
            headers: head.headers,
            body,
            source_ip: peer.ip().to_canonical().to_string(),
            base_url,
        };
        let Some(response) = shared.answer(request) else { return };
        match response.disposition {
            // Closed without an answer.
            Disposition::Reset => return,
            Disposition::Truncate { .. } => {
                let _written = write_answer(&mut connection, &response, head_only, false);
                let _closed = connection.stream.shutdown(Shutdown::Write);
                return;
            }
            Disposition::Complete => {
                if write_answer(&mut connection, &response, head_only, !keep_alive).is_err() || !keep_alive {
                    return;
                }
            }
        }
    }
}

/// The emulator, serving in this process on threads of its own: see `rackconnect.testing.Emulator`,
/// which is the documented way in.
#[pyclass(name = "EmulatorServer", module = "rackconnect._native", frozen)]
pub struct PyEmulatorServer {
    server: Mutex<Server>,
    url: String,
}

fn parse_listen(listen: &str, name: &str) -> PyResult<SocketAddr> {
    listen
        .parse()
        .map_err(|_| PyValueError::new_err(format!("{name}: expected ADDRESS:PORT (127.0.0.1:0), found {listen:?}")))
}

#[pymethods]
impl PyEmulatorServer {
    /// Starts serving `scenario` (JSON text; the built-in demo scenario when left out) on
    /// `listen` (port 0 picks a free port). An address that is not loopback needs `public=True`:
    /// the emulator hands out its scenario's credentials to whoever can reach it. `seed` makes
    /// generated ids, tokens and addresses repeat from run to run (it overrides the scenario's).
    /// The emulator's rule for a listening address, for a host that names its options itself
    /// (`python -m rackconnect.emulator`: `--listen`, `--public`): raises `ValueError` when
    /// `listen` is not `ADDRESS:PORT` or is beyond loopback without `public`; returns the
    /// warning to show when it is beyond loopback with it, else `None`.
    #[staticmethod]
    fn check_listen(listen: &str, public: bool, listen_name: &str, public_name: &str) -> PyResult<Option<String>> {
        let address = parse_listen(listen, listen_name)?;
        rackconnect_emulator::host::check_listen(address, public, (listen_name, public_name))
            .map_err(PyValueError::new_err)?;
        Ok(rackconnect_emulator::host::beyond_this_machine(address, public_name))
    }

    #[new]
    #[pyo3(signature = (scenario = None, *, listen = "127.0.0.1:0", clock_speed = None, cors = false, public = false, seed = None))]
    fn new(
        py: Python<'_>,
        scenario: Option<&str>,
        listen: &str,
        clock_speed: Option<f64>,
        cors: bool,
        public: bool,
        seed: Option<u64>,
    ) -> PyResult<Self> {
        let scenario = match scenario {
            None => Scenario::demo(),
            Some(text) => Scenario::from_json(text).map_err(PyValueError::new_err)?,
        };
        let listen = parse_listen(listen, "listen")?;
        rackconnect_emulator::host::check_listen(listen, public, ("listen", "public=True"))
            .map_err(PyValueError::new_err)?;
        if let Some(speed) = clock_speed.filter(|s| !rackconnect_emulator::clock::speed_is_valid(*s)) {
            let expected = rackconnect_emulator::clock::SPEED_EXPECTED;
            return Err(PyValueError::new_err(format!("clock_speed: expected {expected}, found {speed}")));
        }
        let clock = RealClock::new();
        let engine = Engine::new(scenario, Config { cors, clock_speed, seed }, clock.now());
        let server = py
            .detach(|| Server::start(engine, clock, listen))
            .map_err(|e| PyOSError::new_err(format!("cannot listen on {listen}: {e}")))?;
        let url = format!("http://{}", server.addr);
        Ok(Self { server: Mutex::new(server), url })
    }

    /// `http://ADDRESS:PORT`: the Identity URL, the v2 base URL and the root of every endpoint.
    #[getter]
    fn url(&self) -> String {
        self.url.clone()
    }

    /// The port it listens on.
    #[getter]
    fn port(&self) -> u16 {
        lock(&self.server).addr.port()
    }

    /// Whether it still serves (until `stop()`).
    #[getter]
    fn running(&self) -> bool {
        lock(&self.server).acceptor.is_some()
    }

    /// One call of the control API (`/__emulator/…`), handed to the engine in this process (no
    /// socket): `(status, body as text)`. `body` is JSON text.
    #[pyo3(signature = (method, path, body = None))]
    fn control(&self, py: Python<'_>, method: &str, path: &str, body: Option<&str>) -> PyResult<(u16, String)> {
        if !path.starts_with(CONTROL_PREFIX) {
            return Err(PyValueError::new_err(format!(
                "path: expected a control path ({CONTROL_PREFIX}…), found {path:?}"
            )));
        }
        let mut request = engine::Request::new(&method.to_ascii_uppercase(), path).with_base_url(&self.url);
        if let Some(body) = body {
            request = request.with_header("content-type", "application/json").with_body(body);
        }
        let shared = lock(&self.server).shared.clone();
        let response = py.detach(|| shared.answer(request));
        let response = response.ok_or_else(|| PyOSError::new_err("the emulator stopped"))?;
        Ok((response.status, String::from_utf8_lossy(&response.body).into_owned()))
    }

    /// Stops serving: closes the listener and every connection, and waits for their threads.
    /// Stopping twice does nothing.
    fn stop(&self, py: Python<'_>) {
        py.detach(|| lock(&self.server).stop());
    }

    /// The text of a built-in scenario (`demo`, `failing-automation`, `fleet`), or None.
    #[staticmethod]
    fn built_in_scenario(name: &str) -> Option<&'static str> {
        scenario::built_in(name)
    }

    /// The names of the built-in scenarios.
    #[classattr]
    #[allow(non_snake_case, reason = "a Python class constant")]
    fn BUILT_IN_SCENARIOS(py: Python<'_>) -> PyResult<Py<PyTuple>> {
        Ok(PyTuple::new(py, scenario::BUILT_IN.iter().map(|(name, _)| *name))?.unbind())
    }

    fn __repr__(&self) -> String {
        format!("EmulatorServer(url={:?}, running={})", self.url, if self.running() { "True" } else { "False" })
    }
}
