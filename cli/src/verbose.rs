//! `--verbose`: each HTTP exchange on stderr, as the core's transport reports it. The core hands
//! over the request already redacted (`Request::redacted`: sensitive headers by
//! `rackconnect::is_sensitive_header`, Identity bodies, a token in a URL) and the answer's
//! status only, never its headers or body (an Identity answer holds the token).

use std::io::Write;
use std::sync::Arc;

use rackconnect::blocking::{HttpConfig, HttpTrace, TraceObserver, Transport};
use rackconnect::client::terminal_safe;

/// The longest request body shown; a bulk call's body can be long.
const BODY_SHOWN: usize = 300;

/// The lines for one exchange: `> METHOD URL`, the headers, the body, `< STATUS in N ms`.
pub fn lines(trace: &HttpTrace) -> String {
    let request = &trace.request;
    let mut text = format!("> {} {}\n", request.method, request.url);
    for (name, value) in &request.headers {
        text.push_str(&format!(">   {name}: {value}\n"));
    }
    if let Some(body) = &request.body {
        let shown: String = body.chars().take(BODY_SHOWN).collect();
        let more = if shown.len() < body.len() { format!(" … ({} bytes)", body.len()) } else { String::new() };
        text.push_str(&format!(">   body: {shown}{more}\n"));
    }
    let ms = trace.elapsed.as_millis();
    match (trace.status, &trace.error) {
        (Some(status), _) => text.push_str(&format!("< {status} in {ms} ms ({} bytes)", trace.body_bytes)),
        (None, error) => text.push_str(&format!("< no answer after {ms} ms: {}", error.as_deref().unwrap_or("?"))),
    }
    terminal_safe(&text).into_owned()
}

/// The observer that prints every exchange to stderr.
pub fn observer() -> TraceObserver {
    Arc::new(|trace: &HttpTrace| {
        let mut err = std::io::stderr().lock();
        let _written = writeln!(err, "{}", lines(trace));
    })
}

/// A transport, printing its exchanges when `verbose`.
pub fn transport(config: HttpConfig, verbose: bool) -> Transport {
    let transport = Transport::new(config);
    if verbose { transport.with_observer(observer()) } else { transport }
}
