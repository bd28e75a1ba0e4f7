//! What a host hands the engine: one HTTP request, already read off the wire, with the facts only
//! the host knows (the client's address and the URL it reached).

/// The largest request body accepted (413 above).
pub const MAX_REQUEST_BODY: usize = 1024 * 1024;

/// A request's body as the host received it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Body {
    /// The whole body (empty when there is none).
    Complete(Vec<u8>),
    /// Longer than the host may read: announced so ([`body_plan`] said [`BodyPlan::Refuse`]), or
    /// found so while reading up to the limit. The engine answers 413.
    TooLarge,
    /// The body did not arrive within the host's time limit. The engine answers 408.
    TimedOut,
}

/// What a host does about a request's body, decided from its head.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum BodyPlan {
    /// Read at most `limit` bytes; more is [`Body::TooLarge`].
    Read {
        /// The most bytes to read.
        limit: usize,
    },
    /// Read none of it (its declared length is over the limit): hand over [`Body::TooLarge`].
    Refuse,
}

/// What to do about the body of a request with these headers: a declared `Content-Length` over
/// [`MAX_REQUEST_BODY`] is refused before a byte of it is read.
pub fn body_plan(headers: &[(String, String)]) -> BodyPlan {
    if declared_length(headers).is_some_and(|length| length > MAX_REQUEST_BODY as u64) {
        BodyPlan::Refuse
    } else {
        BodyPlan::Read { limit: MAX_REQUEST_BODY }
    }
}

/// The `Content-Length` a request declares, if it declares a number.
pub(crate) fn declared_length(headers: &[(String, String)]) -> Option<u64> {
    headers.iter().find(|(n, _)| n.eq_ignore_ascii_case("content-length")).and_then(|(_, v)| v.trim().parse().ok())
}

/// One request, as a host hands it to [`Engine::handle`](super::Engine::handle).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Request {
    /// The method, upper case (`GET`, `POST`, …).
    pub method: String,
    /// The path and query, as sent (`/v1/automation_status?format=json`).
    pub target: String,
    /// The headers, in any case.
    pub headers: Vec<(String, String)>,
    /// The body.
    pub body: Body,
    /// The client's address (RackConnect v2 knows a server by it), e.g. `127.0.0.2`.
    pub source_ip: String,
    /// The emulator's URL as the client reached it, e.g. `http://127.0.0.1:8080` (the catalog and
    /// the links in answers point there).
    pub base_url: String,
}

impl Request {
    /// A request with no headers and no body, from `127.0.0.1`, to `http://127.0.0.1`.
    pub fn new(method: &str, target: &str) -> Self {
        Request {
            method: method.to_owned(),
            target: target.to_owned(),
            headers: Vec::new(),
            body: Body::Complete(Vec::new()),
            source_ip: "127.0.0.1".to_owned(),
            base_url: "http://127.0.0.1".to_owned(),
        }
    }

    /// Adds a header.
    pub fn with_header(mut self, name: &str, value: &str) -> Self {
        self.headers.push((name.to_owned(), value.to_owned()));
        self
    }

    /// Sets a whole body.
    pub fn with_body(mut self, body: impl Into<Vec<u8>>) -> Self {
        self.body = Body::Complete(body.into());
        self
    }

    /// Sets the client's address.
    pub fn with_source_ip(mut self, ip: &str) -> Self {
        ip.clone_into(&mut self.source_ip);
        self
    }

    /// Sets the URL the client reached.
    pub fn with_base_url(mut self, url: &str) -> Self {
        url.clone_into(&mut self.base_url);
        self
    }

    /// The path, without the query.
    pub fn path(&self) -> &str {
        self.target.split_once('?').map_or(self.target.as_str(), |(path, _)| path)
    }

    /// The query, without the `?` (empty when there is none).
    pub fn query(&self) -> &str {
        self.target.split_once('?').map_or("", |(_, query)| query)
    }
}
