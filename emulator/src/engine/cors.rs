//! CORS, for browser consoles: off unless asked for. With it on, preflights are answered and
//! every answer carries the headers a browser needs to read it.

use crate::reply::Reply;

/// Adds the CORS headers to an answer.
pub(crate) fn headers(reply: Reply) -> Reply {
    reply
        .with_header("Access-Control-Allow-Origin", "*")
        .with_header("Access-Control-Allow-Methods", "GET, POST, PATCH, DELETE, OPTIONS")
        .with_header("Access-Control-Allow-Headers", "X-Auth-Token, Content-Type, Accept")
        .with_header(
            "Access-Control-Expose-Headers",
            "X-Auth-Token, X-Server-Management-Url, WWW-Authenticate, Retry-After",
        )
        .with_header("Access-Control-Max-Age", "600")
}
