//! Sending one [`Request`] and reading its [`Response`] over HTTP/1.1 (ureq with rustls).

use std::fmt;
use std::io::{self, Read, Write};
use std::net::{IpAddr, SocketAddr, TcpStream};
use std::sync::Arc;
use std::time::{Duration, Instant};

use ureq::unversioned::resolver::DefaultResolver;
use ureq::unversioned::transport::{
    Buffers, ConnectionDetails, Connector, Either, LazyBuffers, NextTimeout, RustlsConnector,
    Transport as UreqTransport,
};

use crate::error::{Error, Result};
use crate::format::MAX_BODY_BYTES;
use crate::http::{Method, Request, Response};

/// How the [`Transport`] connects and how much it accepts.
#[derive(Clone, PartialEq, Eq, Debug)]
pub struct HttpConfig {
    /// The longest wait for a connection (name resolution, TCP and the TLS handshake). Default 10 s.
    pub connect_timeout: Duration,
    /// The longest wait for the answer's head, for its whole body, and for each single read or
    /// write. Default 30 s.
    pub read_timeout: Duration,
    /// Bodies larger than this are refused (`too_large`) rather than read. Default
    /// [`MAX_BODY_BYTES`](crate::MAX_BODY_BYTES), the most any parser of the crate accepts.
    pub max_body_bytes: usize,
    /// The `User-Agent` header. Default `rackconnect/<version>`.
    pub user_agent: String,
    /// The source address of every connection. RackConnect v2 knows a server by the address it
    /// asks from (on a server with several interfaces, its ServiceNet address); the emulator
    /// maps 127.0.0.x addresses to its servers. `None` lets the system choose.
    pub local_address: Option<IpAddr>,
}

impl Default for HttpConfig {
    fn default() -> Self {
        Self {
            connect_timeout: Duration::from_secs(10),
            read_timeout: Duration::from_secs(30),
            max_body_bytes: MAX_BODY_BYTES,
            user_agent: format!("rackconnect/{}", env!("CARGO_PKG_VERSION")),
            local_address: None,
        }
    }
}

/// One exchange a [`Transport`] made, in a form safe to show (e.g. a command's `--verbose`):
/// the request is [redacted](Request::redacted) (no credential in its headers, body or URL) and
/// the answer is its status only, never its headers or body (an Identity answer holds a token).
#[derive(Clone, Debug)]
pub struct HttpTrace {
    /// The request as sent, redacted.
    pub request: Request,
    /// The answer's status; `None` when no answer came.
    pub status: Option<u16>,
    /// Why no answer came (the transport error's message, which never holds a credential).
    pub error: Option<String>,
    /// From the first byte sent to the last byte read (or the failure).
    pub elapsed: Duration,
    /// The body bytes read.
    pub body_bytes: usize,
}

/// Told of every exchange a [`Transport`] makes ([`Transport::with_observer`]).
pub type TraceObserver = Arc<dyn Fn(&HttpTrace) + Send + Sync>;

/// A blocking HTTP/1.1 client that sends the core's requests as they are.
///
/// - HTTPS only, except to loopback hosts (`127.x.x.x`, `::1`, `localhost`, for emulators):
///   anything else is refused with a `transport` error of kind `insecure_url` before any
///   connection or name lookup.
/// - Error statuses are answers, not errors: a 401, a 409 or a 503 comes back as a
///   [`Response`] for the core's parsers to read.
/// - No retries and no redirects: one request, one answer. What to retry is the caller's (or a
///   waiter's) decision.
/// - Bodies over [`HttpConfig::max_body_bytes`] are refused (`too_large`); the `Content-Length`
///   is checked before anything is read.
///
/// Connections are kept alive and reused. Cloning is cheap and shares the pool. Without a
/// [`HttpConfig::local_address`], ureq's proxy settings from the environment apply
/// (`HTTPS_PROXY`, `NO_PROXY` …) except to loopback hosts; a bound transport always connects
/// directly.
#[derive(Clone)]
pub struct Transport {
    agent: ureq::Agent,
    /// For loopback hosts: never through a proxy (a local emulator is not behind one).
    direct: ureq::Agent,
    config: HttpConfig,
    observer: Option<TraceObserver>,
}

impl fmt::Debug for Transport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Transport").field("config", &self.config).finish_non_exhaustive()
    }
}

impl Transport {
    /// A transport with this configuration. Nothing is connected until the first request.
    pub fn new(config: HttpConfig) -> Self {
        let builder = || {
            ureq::Agent::config_builder()
                // Error statuses are answers for the parsers, never transport errors.
                .http_status_as_error(false)
                // A redirect could lead to plain HTTP or carry the token elsewhere: none is followed.
                .max_redirects(0)
                .max_idle_age(Duration::from_millis(crate::client::defaults::IDLE_REUSE_MS))
                .user_agent(config.user_agent.as_str())
                .timeout_resolve(Some(config.connect_timeout))
                .timeout_connect(Some(config.connect_timeout))
                .timeout_per_read(Some(config.read_timeout))
                .timeout_per_write(Some(config.read_timeout))
                .timeout_recv_response(Some(config.read_timeout))
                .timeout_recv_body(Some(config.read_timeout))
        };
        let (agent, direct) = match config.local_address {
            None => (builder().build().new_agent(), builder().proxy(None).build().new_agent()),
            Some(local) => {
                // The bound socket goes straight to the server: no proxy in between.
                let connector = ().chain(BoundTcpConnector { local }).chain(RustlsConnector::default());
                let agent =
                    ureq::Agent::with_parts(builder().proxy(None).build(), connector, DefaultResolver::default());
                (agent.clone(), agent)
            }
        };
        Self { agent, direct, config, observer: None }
    }

    /// This transport, telling `observer` of every exchange it makes (and its clones make),
    /// redacted: see [`HttpTrace`]. A request refused before sending (an insecure URL) is no
    /// exchange.
    pub fn with_observer(mut self, observer: TraceObserver) -> Self {
        self.observer = Some(observer);
        self
    }

    fn agent_for(&self, url: &str) -> &ureq::Agent {
        if crate::client::url_rule::is_loopback_url(url) { &self.direct } else { &self.agent }
    }

    /// The configuration.
    pub fn config(&self) -> &HttpConfig {
        &self.config
    }

    /// Sends `request` once and reads the whole answer, whatever its status.
    ///
    /// Errors: [`Error::Transport`] (`insecure_url`, `connect`, `timeout`, `io`, `too_large`),
    /// or [`Error::InvalidInput`] for a URL or header the HTTP layer cannot carry.
    pub fn send(&self, request: &Request) -> Result<Response> {
        self.send_limited(request, self.config.read_timeout, self.config.max_body_bytes)
    }

    /// Sends `request` once, giving the whole exchange at most `timeout` (on top of the
    /// configured connect and read timeouts) and reading at most `max_body_bytes` of the body
    /// (the cap of the configuration applies too): what an
    /// [`Outgoing`](crate::client::Outgoing) asks of a driver.
    pub fn send_limited(&self, request: &Request, timeout: Duration, max_body_bytes: usize) -> Result<Response> {
        crate::client::url_rule::check(request)?;
        let Some(observer) = &self.observer else { return self.exchange(request, timeout, max_body_bytes) };
        let started = Instant::now();
        let result = self.exchange(request, timeout, max_body_bytes);
        observer(&HttpTrace {
            request: request.redacted(),
            status: result.as_ref().ok().map(|r| r.status),
            error: result.as_ref().err().map(ToString::to_string),
            elapsed: started.elapsed(),
            body_bytes: result.as_ref().map_or(0, |r| r.body.len()),
        });
        result
    }

    fn exchange(&self, request: &Request, timeout: Duration, max_body_bytes: usize) -> Result<Response> {
        let shown = request.redacted();
        let what = format!("{} {}", request.method, shown.url);
        let method = match request.method {
            Method::Get => ureq::http::Method::GET,
            Method::Post => ureq::http::Method::POST,
            Method::Patch => ureq::http::Method::PATCH,
            Method::Delete => ureq::http::Method::DELETE,
        };
        let mut builder = ureq::http::Request::builder().method(method).uri(request.url.as_str());
        for (name, value) in &request.headers {
            builder = builder.header(name.as_str(), value.as_str());
        }
        let agent = self.agent_for(&request.url);
        let global = Some(timeout.max(Duration::from_millis(1)));
        let sent = match &request.body {
            Some(body) => builder
                .body(body.as_bytes())
                .map(|r| agent.run(agent.configure_request(r).timeout_global(global).build())),
            None => builder.body(()).map(|r| agent.run(agent.configure_request(r).timeout_global(global).build())),
        };
        let response = match sent {
            Ok(Ok(response)) => response,
            Ok(Err(error)) => return Err(self.map_error(error, request, &what)),
            // The http crate refused the URL or a header: say which without echoing values.
            Err(_) => {
                return Err(Error::invalid(
                    "request",
                    "an absolute URL and header names and values that HTTP/1.1 can carry",
                    &shown.url,
                ));
            }
        };
        let status = response.status().as_u16();
        let headers: Vec<(String, String)> = response
            .headers()
            .iter()
            .map(|(n, v)| (n.as_str().to_owned(), String::from_utf8_lossy(v.as_bytes()).into_owned()))
            .collect();
        let cap = self.config.max_body_bytes.min(max_body_bytes);
        let declared = headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case("content-length"))
            .and_then(|(_, v)| v.trim().parse::<u64>().ok());
        if let Some(length) = declared.filter(|&length| length > cap as u64) {
            return Err(transport_error(
                "too_large",
                format!("{what}: the answer's Content-Length is {length} bytes, over the cap of {cap}"),
            ));
        }
        let body = response
            .into_body()
            .into_with_config()
            .limit(cap as u64)
            .read_to_vec()
            .map_err(|error| self.map_error(error, request, &what))?;
        Ok(Response { status, headers, body })
    }

    /// Classifies a ureq error; the detail names the request but never a credential.
    fn map_error(&self, error: ureq::Error, request: &Request, what: &str) -> Error {
        use ureq::Error as U;
        let cap = self.config.max_body_bytes;
        let (kind, cause) = match &error {
            U::Timeout(phase) => ("timeout", format!("no answer in time ({phase} timeout)")),
            U::HostNotFound => ("connect", "host not found".to_owned()),
            U::ConnectionFailed => ("connect", "connection failed".to_owned()),
            U::Io(io) if is_connect_error(io) => ("connect", io.to_string()),
            U::Io(io) => ("io", io.to_string()),
            U::BodyExceedsLimit(_) => ("too_large", format!("the body is over the cap of {cap} bytes")),
            U::LargeResponseHeader(..) => ("too_large", error.to_string()),
            U::Tls(_) | U::Rustls(_) | U::Pem(_) | U::TlsRequired => ("connect", error.to_string()),
            U::RequireHttpsOnly(_) => ("insecure_url", "expected an https:// URL".to_owned()),
            // These would echo the URL, which may hold a token (token validation).
            U::BadUri(_) | U::Http(_) => ("io", "the URL could not be used".to_owned()),
            other => ("io", other.to_string()),
        };
        let mut detail = format!("{what}: {cause}");
        if request.sensitive_url {
            // Belt and braces: no message may carry the secret segment.
            if let Some((_, secret)) = request.url.rsplit_once('/')
                && !secret.is_empty()
            {
                detail = detail.replace(secret, crate::REDACTED);
            }
        }
        transport_error(kind, detail)
    }
}

fn transport_error(kind: &str, detail: String) -> Error {
    Error::Transport { kind: kind.to_owned(), detail }
}

/// Errors that mean "no connection was made" (rather than "the connection broke").
fn is_connect_error(error: &io::Error) -> bool {
    matches!(
        error.kind(),
        io::ErrorKind::ConnectionRefused
            | io::ErrorKind::HostUnreachable
            | io::ErrorKind::NetworkUnreachable
            | io::ErrorKind::NetworkDown
            | io::ErrorKind::AddrNotAvailable
            | io::ErrorKind::AddrInUse
    )
}

/// Opens TCP connections from a fixed source address (bound with socket2 before connecting),
/// as ureq's own `TcpConnector` does otherwise; ureq's TLS connector, next in the chain, wraps
/// them for https.
#[derive(Debug)]
struct BoundTcpConnector {
    local: IpAddr,
}

impl<In: UreqTransport> Connector<In> for BoundTcpConnector {
    type Out = Either<In, BoundTcpTransport>;

    fn connect(&self, details: &ConnectionDetails, chained: Option<In>) -> Result<Option<Self::Out>, ureq::Error> {
        if let Some(transport) = chained {
            return Ok(Some(Either::A(transport)));
        }
        let timeout = details.timeout.not_zero().map(|t| *t);
        let mut last = None;
        // Only addresses of the source address's family can be reached from it.
        for remote in details.addrs.iter().filter(|a| a.is_ipv4() == self.local.is_ipv4()) {
            match connect_from(self.local, *remote, timeout) {
                Ok(stream) => {
                    if details.config.no_delay() {
                        stream.set_nodelay(true)?;
                    }
                    let config = details.config;
                    let buffers = LazyBuffers::new(config.input_buffer_size(), config.output_buffer_size());
                    let transport = BoundTcpTransport { stream, buffers, read_timeout: None, write_timeout: None };
                    return Ok(Some(Either::B(transport)));
                }
                Err(error) if error.kind() == io::ErrorKind::TimedOut => {
                    last = Some(ureq::Error::Timeout(ureq::Timeout::Connect));
                }
                Err(error) => last = Some(ureq::Error::Io(error)),
            }
        }
        Err(last.unwrap_or_else(|| {
            ureq::Error::Io(io::Error::new(
                io::ErrorKind::AddrNotAvailable,
                format!("no address of the host is reachable from the source address {}", self.local),
            ))
        }))
    }
}

fn connect_from(local: IpAddr, remote: SocketAddr, timeout: Option<Duration>) -> io::Result<TcpStream> {
    use socket2::{Domain, Protocol, SockAddr, Socket, Type};
    let socket = Socket::new(Domain::for_address(remote), Type::STREAM, Some(Protocol::TCP))?;
    socket.bind(&SockAddr::from(SocketAddr::new(local, 0)))?;
    let remote = SockAddr::from(remote);
    match timeout {
        Some(timeout) => socket.connect_timeout(&remote, timeout)?,
        None => socket.connect(&remote)?,
    }
    Ok(socket.into())
}

/// A bound TCP connection as a ureq transport. (ureq's own `TcpTransport` is not exported, so
/// this does what it does: per-read and per-write timeouts from ureq's budget, set on the
/// socket only when they change.)
struct BoundTcpTransport {
    stream: TcpStream,
    buffers: LazyBuffers,
    read_timeout: Option<Duration>,
    write_timeout: Option<Duration>,
}

impl fmt::Debug for BoundTcpTransport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("BoundTcpTransport")
            .field("local", &self.stream.local_addr().ok())
            .field("peer", &self.stream.peer_addr().ok())
            .finish()
    }
}

/// The timeout to put on the socket, or the timeout error when the budget is spent.
fn socket_timeout(timeout: &NextTimeout) -> Result<Option<Duration>, ureq::Error> {
    if timeout.after.is_zero() {
        return Err(ureq::Error::Timeout(timeout.reason));
    }
    Ok(timeout.not_zero().map(|t| *t))
}

fn io_to_ureq(error: io::Error, timeout: &NextTimeout) -> ureq::Error {
    match error.kind() {
        io::ErrorKind::TimedOut | io::ErrorKind::WouldBlock => ureq::Error::Timeout(timeout.reason),
        _ => ureq::Error::Io(error),
    }
}

impl UreqTransport for BoundTcpTransport {
    fn buffers(&mut self) -> &mut dyn Buffers {
        &mut self.buffers
    }

    fn transmit_output(&mut self, amount: usize, timeout: NextTimeout) -> Result<(), ureq::Error> {
        let timeout = timeout.for_write();
        let limit = socket_timeout(&timeout)?;
        if limit != self.write_timeout {
            self.stream.set_write_timeout(limit)?;
            self.write_timeout = limit;
        }
        let output = &self.buffers.output()[..amount];
        (&self.stream).write_all(output).map_err(|e| io_to_ureq(e, &timeout))
    }

    fn await_input(&mut self, timeout: NextTimeout) -> Result<bool, ureq::Error> {
        let timeout = timeout.for_read();
        let limit = socket_timeout(&timeout)?;
        if limit != self.read_timeout {
            self.stream.set_read_timeout(limit)?;
            self.read_timeout = limit;
        }
        let amount = loop {
            match (&self.stream).read(self.buffers.input_append_buf()) {
                Err(error) if error.kind() == io::ErrorKind::Interrupted => continue,
                other => break other.map_err(|e| io_to_ureq(e, &timeout))?,
            }
        };
        self.buffers.input_appended(amount);
        Ok(amount > 0)
    }

    fn is_open(&mut self) -> bool {
        // Open when a non-blocking read finds nothing waiting: unasked-for bytes or an EOF
        // mean the connection cannot carry another request.
        if self.stream.set_nonblocking(true).is_err() {
            return false;
        }
        let mut byte = [0u8];
        let open = matches!((&self.stream).read(&mut byte), Err(e) if e.kind() == io::ErrorKind::WouldBlock);
        self.stream.set_nonblocking(false).is_ok() && open
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn insecure_urls_are_refused_before_connecting() {
        let transport = Transport::new(HttpConfig::default());
        let endpoint = crate::v2::V2Endpoint::BaseUrl(
            crate::BaseUrl::new("base_url", "http://example.com").unwrap_or_else(|e| panic!("{e}")),
        );
        let request = crate::v2::automation_status(&endpoint, None).unwrap_or_else(|e| panic!("{e}"));
        let error = transport.send(&request).expect_err("refused");
        assert_eq!(error.kind(), "transport");
        assert!(matches!(&error, Error::Transport { kind, .. } if kind == "insecure_url"), "{error:?}");
        assert!(!error.is_parse_error());
        assert!(error.to_string().starts_with("transport error (insecure_url): GET http://example.com/"), "{error}");
        assert!(error.is_configuration());
        let json = error.to_json();
        assert_eq!(json["kind"], "transport");
        assert_eq!(json["transport_kind"], "insecure_url");
    }

    #[test]
    fn an_observer_sees_each_exchange_redacted() {
        use std::sync::Mutex;
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap_or_else(|e| panic!("{e}"));
        let address = listener.local_addr().unwrap_or_else(|e| panic!("{e}"));
        let server = std::thread::spawn(move || {
            let (mut stream, _) = listener.accept().unwrap_or_else(|e| panic!("{e}"));
            let mut seen = Vec::new();
            let mut buffer = [0u8; 4096];
            // The head, then the 18-byte body.
            while !String::from_utf8_lossy(&seen).contains("hunter2") {
                let n = stream.read(&mut buffer).unwrap_or(0);
                if n == 0 {
                    break;
                }
                seen.extend_from_slice(&buffer[..n]);
            }
            let answer =
                "HTTP/1.1 201 Created\r\nContent-Length: 5\r\nX-Auth-Token: t0ken\r\nConnection: close\r\n\r\nhello";
            let _written = stream.write_all(answer.as_bytes());
        });
        let traces: Arc<Mutex<Vec<HttpTrace>>> = Arc::default();
        let kept = Arc::clone(&traces);
        let transport = Transport::new(HttpConfig::default()).with_observer(Arc::new(move |t: &HttpTrace| {
            kept.lock().unwrap_or_else(|e| e.into_inner()).push(t.clone())
        }));
        let request = Request {
            method: Method::Post,
            url: format!("http://{address}/v2.0/tokens"),
            headers: vec![("X-Auth-Token".into(), "s3cret-token".into()), ("Accept".into(), "application/json".into())],
            body: Some(r#"{"password":"hunter2"}"#.into()),
            sensitive_body: true,
            sensitive_url: false,
        };
        let response = transport.send(&request).unwrap_or_else(|e| panic!("{e}"));
        let _joined = server.join();
        assert_eq!(response.status, 201);
        let seen = traces.lock().unwrap_or_else(|e| e.into_inner()).clone();
        assert_eq!(seen.len(), 1);
        let trace = &seen[0];
        assert_eq!(trace.status, Some(201));
        assert_eq!(trace.body_bytes, 5);
        assert_eq!(trace.request.header_value("X-Auth-Token"), Some(crate::REDACTED));
        assert_eq!(trace.request.header_value("Accept"), Some("application/json"));
        assert_eq!(trace.request.body.as_deref(), Some(crate::REDACTED));
        let shown = format!("{trace:?}");
        assert!(!shown.contains("s3cret-token") && !shown.contains("hunter2") && !shown.contains("t0ken"), "{shown}");

        // Refused before sending: no exchange, nothing observed.
        let insecure = Request { url: "http://example.com/x".into(), ..request };
        assert!(transport.send(&insecure).is_err());
        assert_eq!(traces.lock().unwrap_or_else(|e| e.into_inner()).len(), 1);
    }

    #[test]
    fn defaults() {
        let config = HttpConfig::default();
        assert_eq!(config.max_body_bytes, crate::MAX_BODY_BYTES);
        assert_eq!(config.user_agent, format!("rackconnect/{}", env!("CARGO_PKG_VERSION")));
        assert_eq!(config.local_address, None);
    }
}
