//! What the engine hands back: an answer to write, or an instruction for the I/O it cannot do
//! itself (wait, close, cut the body short).

use crate::reply::Reply;
use crate::world::Fault;

use super::request::Request;

/// How the host delivers a [`Response`]: whole, or broken as an injected fault says.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Disposition {
    /// Write the status, the headers and the whole body.
    Complete,
    /// Write nothing and close the connection (an injected `reset`). Status, headers and body
    /// are empty.
    Reset,
    /// Write the status and the headers with a `Content-Length` announcing the whole body, then
    /// only its first `at` bytes, then close the connection (an injected `truncate`).
    Truncate {
        /// How many bytes of the body to send.
        at: usize,
    },
}

/// An answer, ready for the wire.
///
/// The headers hold everything but the framing: the host announces the body's length
/// (`Content-Length: body.len()`, also when truncating) and the connection's own headers.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Response {
    /// The status (0 for a reset).
    pub status: u16,
    /// The headers, among them `Date` in emulated time and, with CORS on, the CORS headers.
    pub headers: Vec<(String, String)>,
    /// The body.
    pub body: Vec<u8>,
    /// Whole, reset or truncated.
    pub disposition: Disposition,
}

impl Response {
    pub(crate) fn from_reply(reply: Reply, disposition: Disposition) -> Self {
        Response { status: reply.status, headers: reply.headers, body: reply.body, disposition }
    }

    /// A header by case-insensitive name.
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.iter().find(|(n, _)| n.eq_ignore_ascii_case(name)).map(|(_, v)| v.as_str())
    }
}

/// What the host does next with a request.
#[derive(Debug)]
#[must_use = "a step is an answer to write or a wait to carry out"]
pub enum Step {
    /// Deliver this response.
    Answer(Response),
    /// An injected `delay`: wait `delay_ms` real milliseconds, then hand `held` to
    /// [`Engine::resume`](super::Engine::resume) with the time then, and deliver what it answers.
    /// The request is answered (and logged) only then, as the state of the world is then.
    Wait {
        /// How long to wait, in real milliseconds.
        delay_ms: u64,
        /// The request, held for [`Engine::resume`](super::Engine::resume).
        held: Held,
    },
}

/// A request whose answer waits for an injected delay. The host keeps it while it waits; the
/// engine keeps nothing for it (a host that drops it, because the client left, leaks nothing).
#[derive(Debug)]
pub struct Held {
    pub(crate) request: Request,
    pub(crate) fault: Box<Fault>,
}
