//! The one error type of the crate.
//!
//! Every variant is documented by the situation that causes it, and every message says what was
//! expected and where (a line and column, a JSON pointer or an XML path). Errors serialize to a
//! stable JSON shape (`{"kind": …, "message": …, …}`) so that the Python and JS bindings and the
//! shared test corpus all see the same thing.

use std::fmt;

use serde::Serialize;

use crate::v3::Conflict;

/// A `Result` with this crate's [`Error`].
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// Everything that can go wrong while building a request or reading a response.
///
/// Serialized (see [`Error::to_json`]) as an object with `kind` (see [`Error::kind`]),
/// `message` (the `Display` text) and the variant's fields; an [`Error::Api`] carries the
/// [`ApiError`] fields at the top level.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Error {
    /// A value given to a request builder was rejected before it could reach a URL or body: an id
    /// with a character outside `[A-Za-z0-9_-]`, an unknown region, a malformed base URL, two
    /// mutually exclusive options.
    InvalidInput {
        /// The input field that was rejected, e.g. `server_id`.
        field: String,
        /// What the field must look like.
        expected: String,
        /// The rejected value, shortened and with control characters escaped.
        found: String,
    },
    /// A JSON body was not valid JSON, or did not have the shape the operation returns.
    Json {
        /// A JSON pointer (RFC 6901) to the offending value; empty for the document itself.
        pointer: String,
        /// 1-based line of the error in the body, when known.
        line: usize,
        /// 1-based column of the error in the body, when known.
        column: usize,
        /// What was wrong, saying what was expected.
        detail: String,
    },
    /// An XML body was not well-formed, or did not have the shape the operation returns.
    Xml {
        /// The path of the offending element, e.g. `/automation_features/feature[2]/status`.
        path: String,
        /// Byte offset in the body, when known.
        position: usize,
        /// What was wrong, saying what was expected.
        detail: String,
    },
    /// An XML body carried a `<!DOCTYPE …>` (and so possibly entity declarations). It is refused
    /// before anything is expanded: none of these APIs send one.
    XmlDoctype {
        /// Byte offset of the declaration.
        position: usize,
    },
    /// A plain-text body did not hold the single value expected.
    Text {
        /// 1-based line of the first unexpected character.
        line: usize,
        /// 1-based column of the first unexpected character.
        column: usize,
        /// What was expected there.
        expected: String,
        /// What was found (shortened, control characters escaped).
        found: String,
    },
    /// A body was larger than the parser accepts.
    BodyTooLarge {
        /// The limit in bytes.
        limit: usize,
        /// The size of the body in bytes.
        size: usize,
    },
    /// A body nested deeper than the parser accepts.
    TooDeep {
        /// The maximum nesting depth.
        limit: usize,
        /// Where the limit was crossed (a JSON pointer, XML path, or `line L column C`).
        at: String,
    },
    /// A header the operation needs was missing from a response (e.g. `X-Auth-Token` on v1.0 auth).
    MissingHeader {
        /// The header name.
        header: String,
        /// Why it was needed.
        expected: String,
    },
    /// The service answered with an error status. The body is parsed tolerantly (JSON list, JSON
    /// string, `{"fault": {…}}` or plain text) and kept.
    Api(Box<ApiError>),
    /// The blocking transport (feature `blocking`) could not carry a request through, so there
    /// was no answer to parse: a plain `http://` URL to a host that is not loopback, refused
    /// before any connection (`insecure_url`); no connection (`connect`); no answer in time
    /// (`timeout`); a connection that broke mid-exchange (`io`); an answer larger than the cap
    /// (`too_large`). Serialized with the kind as `transport_kind`.
    Transport {
        /// `insecure_url`, `connect`, `timeout`, `io` or `too_large`.
        kind: String,
        /// What happened and to which request (method and URL, credentials redacted); never a
        /// secret.
        detail: String,
    },
    /// The caller cancelled the work before it ended (a Ctrl-C, an `AbortSignal`).
    Cancelled,
}

/// The class of an error: what a front door raises (Python's exception, JS's error class) and
/// how a command ends. Given by [`Error::class`], the one classification of the project.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub enum ErrorClass {
    /// A value given by the caller was refused before anything was sent.
    InvalidInputError,
    /// A response body could not be read.
    ParseError,
    /// HTTP 400.
    BadRequestError,
    /// HTTP 401: credentials or token refused.
    UnauthorizedError,
    /// HTTP 401 asking for a second factor.
    MfaRequiredError,
    /// HTTP 403 (not v2's rate limit).
    ForbiddenError,
    /// HTTP 404.
    NotFoundError,
    /// HTTP 409.
    ConflictError,
    /// Slow down: 413/429, a v2 403, Nova's `overLimit`.
    RateLimitedError,
    /// HTTP 5xx.
    ServerError,
    /// Any other status the operation does not expect.
    UnexpectedStatusError,
    /// A request got no answer (or was refused by the transport rule).
    TransportError,
    /// The caller cancelled.
    CancelledError,
}

impl ErrorClass {
    /// The class name every front door uses (`InvalidInputError`, `TransportError` …).
    pub fn as_str(self) -> &'static str {
        match self {
            ErrorClass::InvalidInputError => "InvalidInputError",
            ErrorClass::ParseError => "ParseError",
            ErrorClass::BadRequestError => "BadRequestError",
            ErrorClass::UnauthorizedError => "UnauthorizedError",
            ErrorClass::MfaRequiredError => "MfaRequiredError",
            ErrorClass::ForbiddenError => "ForbiddenError",
            ErrorClass::NotFoundError => "NotFoundError",
            ErrorClass::ConflictError => "ConflictError",
            ErrorClass::RateLimitedError => "RateLimitedError",
            ErrorClass::ServerError => "ServerError",
            ErrorClass::UnexpectedStatusError => "UnexpectedStatusError",
            ErrorClass::TransportError => "TransportError",
            ErrorClass::CancelledError => "CancelledError",
        }
    }

    /// True for the classes of an error status from the service (`ApiError` and below).
    pub fn is_api(self) -> bool {
        !matches!(
            self,
            ErrorClass::InvalidInputError
                | ErrorClass::ParseError
                | ErrorClass::TransportError
                | ErrorClass::CancelledError
        )
    }
}

impl Error {
    /// The class of this error (exhaustive: a new variant or kind must be classified here).
    pub fn class(&self) -> ErrorClass {
        use ApiErrorKind as K;
        match self {
            Error::InvalidInput { .. } => ErrorClass::InvalidInputError,
            Error::Json { .. }
            | Error::Xml { .. }
            | Error::XmlDoctype { .. }
            | Error::Text { .. }
            | Error::BodyTooLarge { .. }
            | Error::TooDeep { .. }
            | Error::MissingHeader { .. } => ErrorClass::ParseError,
            Error::Api(api) => match api.kind {
                K::BadRequest => ErrorClass::BadRequestError,
                K::Unauthorized => ErrorClass::UnauthorizedError,
                K::MfaRequired => ErrorClass::MfaRequiredError,
                K::Forbidden => ErrorClass::ForbiddenError,
                K::NotFound => ErrorClass::NotFoundError,
                K::Conflict => ErrorClass::ConflictError,
                K::RateLimited => ErrorClass::RateLimitedError,
                K::ServerError => ErrorClass::ServerError,
                K::UnexpectedStatus => ErrorClass::UnexpectedStatusError,
            },
            Error::Transport { .. } => ErrorClass::TransportError,
            Error::Cancelled => ErrorClass::CancelledError,
        }
    }

    /// True for a configuration error: a refused input, an unknown region, an insecure or
    /// malformed URL. It ends a wait at once (retrying cannot fix it), and a command line with
    /// a usage error.
    pub fn is_configuration(&self) -> bool {
        match self {
            Error::InvalidInput { .. } => true,
            Error::Transport { kind, .. } => kind == "insecure_url",
            _ => false,
        }
    }

    /// The stable, snake_case name of the variant (the `kind` field of the serialized form);
    /// for [`Error::Api`] the kind of the API error, e.g. `conflict` or `unauthorized`.
    pub fn kind(&self) -> &'static str {
        match self {
            Error::InvalidInput { .. } => "invalid_input",
            Error::Json { .. } => "json",
            Error::Xml { .. } => "xml",
            Error::XmlDoctype { .. } => "xml_doctype",
            Error::Text { .. } => "text",
            Error::BodyTooLarge { .. } => "body_too_large",
            Error::TooDeep { .. } => "too_deep",
            Error::MissingHeader { .. } => "missing_header",
            Error::Api(api) => api.kind.as_str(),
            Error::Transport { .. } => "transport",
            Error::Cancelled => "cancelled",
        }
    }

    /// True for errors about a response body that could not be read (the family a Python binding
    /// also raises as `ValueError`).
    pub fn is_parse_error(&self) -> bool {
        self.class() == ErrorClass::ParseError
    }

    /// The API error, if the service answered with an error status.
    pub fn as_api(&self) -> Option<&ApiError> {
        match self {
            Error::Api(api) => Some(api),
            _ => None,
        }
    }

    /// The JSON form: `kind`, `message` and the variant's fields.
    pub fn to_json(&self) -> serde_json::Value {
        use serde_json::json;
        let mut value = match self {
            Error::InvalidInput { field, expected, found } => {
                json!({"field": field, "expected": expected, "found": found})
            }
            Error::Json { pointer, line, column, detail } => {
                json!({"pointer": pointer, "line": line, "column": column, "detail": detail})
            }
            Error::Xml { path, position, detail } => json!({"path": path, "position": position, "detail": detail}),
            Error::XmlDoctype { position } => json!({"position": position}),
            Error::Text { line, column, expected, found } => {
                json!({"line": line, "column": column, "expected": expected, "found": found})
            }
            Error::BodyTooLarge { limit, size } => json!({"limit": limit, "size": size}),
            Error::TooDeep { limit, at } => json!({"limit": limit, "at": at}),
            Error::MissingHeader { header, expected } => json!({"header": header, "expected": expected}),
            Error::Api(api) => crate::client::json::to_value(api).unwrap_or_default(),
            // `kind` is the variant's name in this form, so the transport's own kind is renamed.
            Error::Transport { kind, detail } => json!({"transport_kind": kind, "detail": detail}),
            Error::Cancelled => json!({}),
        };
        if let serde_json::Value::Object(map) = &mut value {
            map.insert("class".to_owned(), json!(self.class().as_str()));
            map.insert("configuration".to_owned(), json!(self.is_configuration()));
            map.insert("kind".to_owned(), json!(self.kind()));
            map.insert("message".to_owned(), json!(self.to_string()));
        }
        value
    }

    pub(crate) fn invalid(field: &str, expected: impl Into<String>, found: &str) -> Self {
        Error::InvalidInput { field: field.to_owned(), expected: expected.into(), found: shorten(found) }
    }

    pub(crate) fn json(pointer: impl Into<String>, detail: impl Into<String>) -> Self {
        Error::Json { pointer: pointer.into(), line: 0, column: 0, detail: detail.into() }
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Error::InvalidInput { field, expected, found } => {
                write!(f, "invalid {field}: expected {expected}, found \"{found}\"")
            }
            Error::Json { pointer, line, column, detail } => {
                write!(f, "invalid JSON body at ")?;
                if pointer.is_empty() && *line == 0 {
                    write!(f, "the document root")?;
                } else if pointer.is_empty() {
                    write!(f, "line {line} column {column}")?;
                } else {
                    write!(f, "{pointer}")?;
                    if *line > 0 {
                        write!(f, " (line {line} column {column})")?;
                    }
                }
                write!(f, ": {detail}")
            }
            Error::Xml { path, position, detail } => {
                let path = if path.is_empty() { "the document" } else { path };
                write!(f, "invalid XML body at {path} (byte {position}): {detail}")
            }
            Error::XmlDoctype { position } => {
                write!(f, "XML body refused at byte {position}: expected no <!DOCTYPE> or entity declarations")
            }
            Error::Text { line, column, expected, found } => {
                write!(f, "invalid text body at line {line} column {column}: expected {expected}, found \"{found}\"")
            }
            Error::BodyTooLarge { limit, size } => {
                write!(f, "body too large: expected at most {limit} bytes, got {size}")
            }
            Error::TooDeep { limit, at } => {
                write!(f, "body nested too deeply at {at}: expected at most {limit} levels")
            }
            Error::MissingHeader { header, expected } => {
                write!(f, "response lacks the {header} header: expected {expected}")
            }
            Error::Api(api) => fmt::Display::fmt(api, f),
            Error::Transport { kind, detail } => write!(f, "transport error ({kind}): {detail}"),
            Error::Cancelled => write!(f, "cancelled"),
        }
    }
}

impl std::error::Error for Error {}

// The schema of `to_json`, kind by kind: keep the two side by side. Python's and TypeScript's
// checks that every corpus error fits it catch a field added to one and not the other.
#[cfg(feature = "schema")]
impl schemars::JsonSchema for Error {
    fn schema_name() -> std::borrow::Cow<'static, str> {
        "ErrorData".into()
    }

    fn json_schema(generator: &mut schemars::SchemaGenerator) -> schemars::Schema {
        use serde_json::{Value, json};
        let class = generator.subschema_for::<ErrorClass>();
        let conflict = generator.subschema_for::<crate::v3::Conflict>();
        let api_kind = generator.subschema_for::<ApiErrorKind>();
        let variant = |title: &str, kind: Value, description: &str, fields: Value| -> Value {
            let mut properties = json!({
                "kind": kind,
                "message": {"type": "string", "description": "What went wrong: what was expected, and where (the exception's text)."},
                "class": class,
                "configuration": {"type": "boolean", "description": "True for a configuration error (a refused input, an insecure or malformed URL, an unknown region): retrying cannot fix it, and a wait ends at once."},
            });
            let mut required: Vec<String> = ["kind", "message", "class", "configuration"].map(String::from).to_vec();
            if let (Some(all), Value::Object(more)) = (properties.as_object_mut(), fields) {
                for (name, schema) in more {
                    required.push(name.clone());
                    all.insert(name, schema);
                }
            }
            json!({"type": "object", "title": title, "description": description, "properties": properties, "required": required})
        };
        let string = |description: &str| json!({"type": "string", "description": description});
        let integer = |description: &str| json!({"type": "integer", "minimum": 0, "description": description});
        let kind = |name: &str| json!({"type": "string", "const": name});
        schemars::json_schema!({
            "description": "An error in its JSON form (`err.data` in Python, `error.data` in JavaScript, a wait's `error`): narrow on `kind`.",
            "oneOf": [
                variant("InvalidInputErrorData", kind("invalid_input"), "An input was refused before anything was sent.", json!({
                    "field": string("The input's name (a dotted path inside a structure)."),
                    "expected": string("What it must be."),
                    "found": string("The refused value, shortened (a credential shows as `<redacted>`)."),
                })),
                variant("JsonErrorData", kind("json"), "A JSON body was malformed or had the wrong shape.", json!({
                    "pointer": string("An RFC 6901 pointer to the offending value; empty for the document."),
                    "line": integer("1-based; 0 when unknown."),
                    "column": integer("1-based; 0 when unknown."),
                    "detail": string("What was wrong."),
                })),
                variant("XmlErrorData", kind("xml"), "An XML body was malformed or had the wrong shape.", json!({
                    "path": string("The element path, e.g. `/automation_status/tasks/task[2]`."),
                    "position": integer("The byte offset."),
                    "detail": string("What was wrong."),
                })),
                variant("XmlDoctypeErrorData", kind("xml_doctype"), "An XML body carried a `<!DOCTYPE>`, refused before expansion.", json!({
                    "position": integer("The byte offset."),
                })),
                variant("TextErrorData", kind("text"), "A text body did not hold the single value expected.", json!({
                    "line": integer("1-based."),
                    "column": integer("1-based."),
                    "expected": string("What was expected."),
                    "found": string("What was there, shortened."),
                })),
                variant("BodyTooLargeErrorData", kind("body_too_large"), "A body was larger than the parser accepts.", json!({
                    "limit": integer("The most bytes accepted."),
                    "size": integer("The body's size."),
                })),
                variant("TooDeepErrorData", kind("too_deep"), "A body nested deeper than the parser accepts.", json!({
                    "limit": integer("The deepest nesting accepted."),
                    "at": string("Where the limit was passed."),
                })),
                variant("MissingHeaderErrorData", kind("missing_header"), "A response lacked a header the operation needs.", json!({
                    "header": string("The header's name."),
                    "expected": string("What it should have held."),
                })),
                variant("ApiErrorData", api_kind.to_value(), "The service answered with an error status.", json!({
                    "status": integer("The HTTP status."),
                    "fault": {"type": ["string", "null"], "description": "The fault name of an Identity or Nova `{\"<fault>\": {…}}` body, e.g. `unauthorized`."},
                    "messages": {"type": "array", "items": {"type": "string"}, "description": "The messages the body carried, in order; the raw text if it held no recognisable shape."},
                    "conflicts": {"type": "array", "items": conflict, "description": "For a 409, each message classified."},
                    "retry_after": {"type": ["integer", "null"], "minimum": 0, "description": "Seconds to wait, from `Retry-After` or Nova's `retryAfter`."},
                    "mfa_factor": {"type": ["string", "null"], "description": "The factor Identity asks for (e.g. `PASSCODE`) on an MFA 401."},
                    "raw": string("The body as received (at most 4 KiB)."),
                })),
                variant("TransportErrorData", kind("transport"), "A request got no answer, or the transport rule refused to send it.", json!({
                    "transport_kind": string("`insecure_url`, `connect`, `timeout`, `io` or `too_large`."),
                    "detail": string("What happened and to which request (credentials redacted)."),
                })),
                variant("CancelledErrorData", kind("cancelled"), "The caller cancelled the work before it ended.", json!({})),
            ]
        })
    }
}

impl Serialize for Error {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> std::result::Result<S::Ok, S::Error> {
        self.to_json().serialize(serializer)
    }
}

/// What kind of error status the service answered with.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum ApiErrorKind {
    /// 400: the request was malformed.
    BadRequest,
    /// 401: missing, bad or expired token or credentials. Re-authenticate once, then fail.
    Unauthorized,
    /// 401 with `WWW-Authenticate: OS-MF …`: Identity requires a second factor for this user.
    MfaRequired,
    /// 403 (other than v2's rate limit): the user is disabled, lacks a role, or must set up MFA.
    Forbidden,
    /// 404: the object does not exist (or is gone after a delete).
    NotFound,
    /// 409: a conflict; see [`ApiError::conflicts`].
    Conflict,
    /// 413/429, a v2 403, or Nova's `overLimit`: slow down; see [`ApiError::retry_after`].
    RateLimited,
    /// 5xx: the service failed.
    ServerError,
    /// Any other status the operation does not expect.
    UnexpectedStatus,
}

impl ApiErrorKind {
    /// The stable snake_case name.
    pub fn as_str(self) -> &'static str {
        match self {
            ApiErrorKind::BadRequest => "bad_request",
            ApiErrorKind::Unauthorized => "unauthorized",
            ApiErrorKind::MfaRequired => "mfa_required",
            ApiErrorKind::Forbidden => "forbidden",
            ApiErrorKind::NotFound => "not_found",
            ApiErrorKind::Conflict => "conflict",
            ApiErrorKind::RateLimited => "rate_limited",
            ApiErrorKind::ServerError => "server_error",
            ApiErrorKind::UnexpectedStatus => "unexpected_status",
        }
    }
}

/// An error status from one of the APIs, with its body read as far as it could be.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct ApiError {
    /// The classification of the status (and, for 401, the `WWW-Authenticate` header).
    pub kind: ApiErrorKind,
    /// The HTTP status code.
    pub status: u16,
    /// The fault name of an Identity or Nova `{"<fault>": {…}}` body, e.g. `unauthorized`.
    pub fault: Option<String>,
    /// The messages the body carried, in order; the raw text if it held no recognisable shape.
    pub messages: Vec<String>,
    /// For a 409, each message classified (see [`Conflict`]).
    pub conflicts: Vec<Conflict>,
    /// Seconds to wait, from `Retry-After` or Nova's `retryAfter`.
    pub retry_after: Option<u64>,
    /// The factor Identity asks for (e.g. `PASSCODE`) on an MFA 401. The session id in the same
    /// header is a credential and is not kept.
    pub mfa_factor: Option<String>,
    /// The body as received (lossily decoded as UTF-8, at most 4 KiB).
    pub raw: String,
}

impl fmt::Display for ApiError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let what = match self.kind {
            ApiErrorKind::BadRequest => "bad request",
            ApiErrorKind::Unauthorized => "unauthorized (bad, missing or expired credentials or token)",
            ApiErrorKind::MfaRequired => "multi-factor authentication required",
            ApiErrorKind::Forbidden => "forbidden",
            ApiErrorKind::NotFound => "not found",
            ApiErrorKind::Conflict => "conflict",
            ApiErrorKind::RateLimited => "rate limited",
            ApiErrorKind::ServerError => "server error",
            ApiErrorKind::UnexpectedStatus => "unexpected status",
        };
        write!(f, "HTTP {} {what}", self.status)?;
        if let Some(factor) = &self.mfa_factor {
            write!(f, " (factor {factor})")?;
        }
        if let Some(secs) = self.retry_after {
            write!(f, " (retry after {secs} s)")?;
        }
        if !self.messages.is_empty() {
            // Bounded: a hostile answer cannot make a message of megabytes (all of them stay in
            // `messages`).
            write!(f, ": {}", bounded_list(self.messages.iter().map(String::as_str)))?;
        }
        Ok(())
    }
}

/// The most items a message lists before "and N more".
pub(crate) const MAX_LISTED: usize = 5;
/// The most characters of one listed item.
pub(crate) const MAX_ITEM_CHARS: usize = 300;

/// Items joined with "; " for a message: at most [`MAX_LISTED`], each at most
/// [`MAX_ITEM_CHARS`] characters, then "and N more".
pub(crate) fn bounded_list<'a>(items: impl IntoIterator<Item = &'a str>) -> String {
    let mut shown = Vec::new();
    let mut more = 0usize;
    for item in items {
        if shown.len() < MAX_LISTED {
            let mut text: String = item.chars().take(MAX_ITEM_CHARS).collect();
            if item.chars().nth(MAX_ITEM_CHARS).is_some() {
                text.push('…');
            }
            shown.push(text);
        } else {
            more += 1;
        }
    }
    let mut text = shown.join("; ");
    if more > 0 {
        text.push_str(&format!("; and {more} more"));
    }
    text
}

/// Shortens a value for an error message and escapes control characters, so a hostile body cannot
/// flood a log or forge lines in it.
pub(crate) fn shorten(value: &str) -> String {
    const MAX: usize = 64;
    let mut out = String::new();
    for (i, c) in value.chars().enumerate() {
        if i == MAX {
            out.push('…');
            break;
        }
        if c.is_control() {
            out.extend(c.escape_default());
        } else {
            out.push(c);
        }
    }
    out
}
