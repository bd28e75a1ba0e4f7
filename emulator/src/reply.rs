//! What a handler answers, and the error bodies each API uses.

use serde_json::{Value, json};

/// A response before it meets the wire.
#[derive(Clone, Debug)]
pub struct Reply {
    /// The status.
    pub status: u16,
    /// Extra headers (Content-Type is set from the body kind).
    pub headers: Vec<(String, String)>,
    /// The body.
    pub body: Vec<u8>,
}

impl Reply {
    /// A JSON body.
    pub fn json(status: u16, value: &Value) -> Self {
        Reply {
            status,
            headers: vec![("Content-Type".into(), "application/json".into())],
            body: value.to_string().into_bytes(),
        }
    }

    /// A plain-text body.
    pub fn text(status: u16, text: &str) -> Self {
        Reply { status, headers: vec![("Content-Type".into(), "text/plain".into())], body: text.as_bytes().to_vec() }
    }

    /// An XML body.
    pub fn xml(status: u16, xml: String) -> Self {
        Reply { status, headers: vec![("Content-Type".into(), "application/xml".into())], body: xml.into_bytes() }
    }

    /// An HTML page.
    pub fn html(status: u16, html: String) -> Self {
        let headers = vec![("Content-Type".into(), "text/html; charset=utf-8".into())];
        Reply { status, headers, body: html.into_bytes() }
    }

    /// No body.
    pub fn empty(status: u16) -> Self {
        Reply { status, headers: Vec::new(), body: Vec::new() }
    }

    /// Adds a header.
    pub fn with_header(mut self, name: &str, value: impl Into<String>) -> Self {
        self.headers.push((name.to_owned(), value.into()));
        self
    }

    /// RackConnect v3's error body: `{"errors": [...]}` (the form is the project's convention for
    /// everything but bulk 409s).
    pub fn errors(status: u16, messages: &[String]) -> Self {
        Reply::json(status, &json!({ "errors": messages }))
    }

    /// An Identity or Nova fault: `{"<fault>": {"code": N, "message": "…"}}`.
    pub fn fault(status: u16, fault: &str, message: &str) -> Self {
        Reply::json(status, &json!({ fault: {"code": status, "message": message} }))
    }

    /// An unknown path.
    pub fn not_found(path: &str) -> Self {
        Reply::fault(404, "itemNotFound", &format!("Resource not found: {path}"))
    }

    /// A method the path does not take.
    pub fn method_not_allowed(allowed: &str) -> Self {
        Reply::fault(405, "badMethod", &format!("Method not allowed; this resource takes {allowed}"))
            .with_header("Allow", allowed)
    }

    /// v3's answer to a body it cannot read.
    pub fn v3_bad_input() -> Self {
        Reply::errors(400, &["The input was not in the correct format.".to_owned()])
    }
}
