//! The wire: requests the builders produce and responses the parsers read.
//!
//! A [`Request`] is everything a transport needs to send (method, absolute URL, headers, body).
//! It carries credentials when the operation needs them, so its `Debug` form redacts sensitive
//! headers and bodies; its serialized form is the exact wire form (a transport needs the values).
//! A [`Response`] is what a transport hands back: status, headers and the body bytes.

use std::fmt;

use serde::{Deserialize, Serialize};

use crate::secret::REDACTED;

/// An HTTP method used by these APIs.
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "UPPERCASE")]
pub enum Method {
    /// `GET`
    Get,
    /// `POST`
    Post,
    /// `PATCH`
    Patch,
    /// `DELETE` (RackConnect v3's bulk remove sends one with a body).
    Delete,
}

impl Method {
    /// The method name, upper case.
    pub fn as_str(self) -> &'static str {
        match self {
            Method::Get => "GET",
            Method::Post => "POST",
            Method::Patch => "PATCH",
            Method::Delete => "DELETE",
        }
    }
}

impl fmt::Display for Method {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Headers whose values are credentials.
const SENSITIVE_HEADERS: [&str; 3] = ["x-auth-token", "x-auth-key", "authorization"];

/// True when a header's value is a credential and must not be shown.
pub fn is_sensitive_header(name: &str) -> bool {
    SENSITIVE_HEADERS.iter().any(|h| h.eq_ignore_ascii_case(name))
}

/// A request ready to send.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct Request {
    /// The method.
    pub method: Method,
    /// The absolute URL, query included.
    pub url: String,
    /// Header names and values, in order.
    pub headers: Vec<(String, String)>,
    /// The body (always JSON in these APIs), if any.
    pub body: Option<String>,
    /// True when the body holds a credential (Identity token requests); `Debug` hides it.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub sensitive_body: bool,
    /// True when the URL's last path segment is a credential (token validation); `Debug` hides it.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub sensitive_url: bool,
}

impl Request {
    pub(crate) fn new(method: Method, url: String) -> Self {
        Self { method, url, headers: Vec::new(), body: None, sensitive_body: false, sensitive_url: false }
    }

    pub(crate) fn header(mut self, name: &str, value: impl Into<String>) -> Self {
        self.headers.push((name.to_owned(), value.into()));
        self
    }

    pub(crate) fn json_body(mut self, body: &serde_json::Value) -> Self {
        self.body = Some(body.to_string());
        self.header("Content-Type", "application/json")
    }

    /// The first value of a header, by case-insensitive name.
    pub fn header_value(&self, name: &str) -> Option<&str> {
        self.headers.iter().find(|(n, _)| n.eq_ignore_ascii_case(name)).map(|(_, v)| v.as_str())
    }

    /// A copy safe to log: sensitive header values and sensitive bodies replaced by `<redacted>`.
    pub fn redacted(&self) -> Request {
        Request {
            method: self.method,
            url: if self.sensitive_url {
                match self.url.rsplit_once('/') {
                    Some((head, _)) => format!("{head}/{REDACTED}"),
                    None => REDACTED.to_owned(),
                }
            } else {
                self.url.clone()
            },
            headers: self
                .headers
                .iter()
                .map(|(n, v)| {
                    let v = if is_sensitive_header(n) { REDACTED.to_owned() } else { v.clone() };
                    (n.clone(), v)
                })
                .collect(),
            body: if self.sensitive_body { self.body.as_ref().map(|_| REDACTED.to_owned()) } else { self.body.clone() },
            sensitive_body: self.sensitive_body,
            sensitive_url: self.sensitive_url,
        }
    }
}

impl fmt::Debug for Request {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let safe = self.redacted();
        f.debug_struct("Request")
            .field("method", &safe.method)
            .field("url", &safe.url)
            .field("headers", &safe.headers)
            .field("body", &safe.body)
            .finish()
    }
}

/// A response as a transport received it.
#[derive(Clone, PartialEq, Eq, Debug, Default, Serialize, Deserialize)]
pub struct Response {
    /// The HTTP status code.
    pub status: u16,
    /// Header names and values, in order.
    #[serde(default)]
    pub headers: Vec<(String, String)>,
    /// The body bytes.
    #[serde(default)]
    pub body: Vec<u8>,
}

impl Response {
    /// A response with a status and a body and no headers.
    pub fn new(status: u16, body: impl Into<Vec<u8>>) -> Self {
        Self { status, headers: Vec::new(), body: body.into() }
    }

    /// Adds a header.
    pub fn with_header(mut self, name: impl Into<String>, value: impl Into<String>) -> Self {
        self.headers.push((name.into(), value.into()));
        self
    }

    /// The first value of a header, by case-insensitive name.
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.iter().find(|(n, _)| n.eq_ignore_ascii_case(name)).map(|(_, v)| v.as_str())
    }

    /// True for 2xx.
    pub fn is_success(&self) -> bool {
        (200..300).contains(&self.status)
    }
}
