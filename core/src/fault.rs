//! Reading error responses. Their bodies are mostly undocumented, so every known shape is
//! accepted and the raw text is always kept:
//!
//! - `{"errors": ["…", …]}` (RackConnect v3),
//! - `{"<fault>": {"code": N, "message": "…", "retryAfter": …}}` (Identity, Nova),
//! - a bare JSON string or list of strings,
//! - `{"message": "…"}`,
//! - plain text (or anything else, kept as one message).

use serde_json::Value;

use crate::error::{ApiError, ApiErrorKind, Error};
use crate::format::{self, lossy_prefix};
use crate::http::Response;
use crate::v3::conflict::classify;

/// How a 403 should be read: v2 answers 403 when its rate limit is exceeded.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub(crate) enum Forbidden403 {
    /// A 403 is "forbidden".
    Forbidden,
    /// A 403 is the v2 rate limit.
    RateLimit,
}

/// Turns a non-2xx response into an [`Error::Api`].
pub(crate) fn api_error(response: &Response, on_403: Forbidden403) -> Error {
    Error::Api(Box::new(read(response, on_403)))
}

fn read(response: &Response, on_403: Forbidden403) -> ApiError {
    let raw = lossy_prefix(&response.body);
    let (fault, messages, body_retry) = messages_of(&response.body);
    let retry_after = response.header("Retry-After").and_then(|v| v.trim().parse::<u64>().ok()).or(body_retry);
    let status = response.status;
    let mut mfa_factor = None;
    let mut kind = match status {
        400 => ApiErrorKind::BadRequest,
        401 => match response.header("WWW-Authenticate").and_then(mfa_factor_of) {
            Some(factor) => {
                mfa_factor = Some(factor);
                ApiErrorKind::MfaRequired
            }
            None => ApiErrorKind::Unauthorized,
        },
        403 if on_403 == Forbidden403::RateLimit => ApiErrorKind::RateLimited,
        403 => ApiErrorKind::Forbidden,
        404 => ApiErrorKind::NotFound,
        409 => ApiErrorKind::Conflict,
        413 | 429 => ApiErrorKind::RateLimited,
        500..=599 => ApiErrorKind::ServerError,
        _ => ApiErrorKind::UnexpectedStatus,
    };
    if fault.as_deref() == Some("overLimit") {
        kind = ApiErrorKind::RateLimited;
    }
    let conflicts =
        if kind == ApiErrorKind::Conflict { messages.iter().map(|m| classify(m)).collect() } else { Vec::new() };
    ApiError { kind, status, fault, messages, conflicts, retry_after, mfa_factor, raw }
}

/// `OS-MF sessionId='…', factor='PASSCODE'` → `PASSCODE`. The session id is not kept.
fn mfa_factor_of(header: &str) -> Option<String> {
    let rest = header.trim().strip_prefix("OS-MF")?;
    let factor = rest
        .split(',')
        .filter_map(|part| part.trim().split_once('='))
        .find(|(k, _)| k.trim().eq_ignore_ascii_case("factor"))
        .map(|(_, v)| v.trim().trim_matches(|c| c == '\'' || c == '"').to_owned());
    Some(factor.unwrap_or_else(|| "unknown".to_owned()))
}

fn string_list(value: &Value) -> Option<Vec<String>> {
    let items = value.as_array()?;
    Some(
        items
            .iter()
            .map(|item| match item {
                Value::String(s) => s.clone(),
                Value::Object(o) => {
                    o.get("message").and_then(Value::as_str).map_or_else(|| item.to_string(), str::to_owned)
                }
                other => other.to_string(),
            })
            .collect(),
    )
}

fn retry_of(value: Option<&Value>) -> Option<u64> {
    match value? {
        Value::Number(n) => n.as_u64(),
        Value::String(s) => s.trim().parse().ok(),
        _ => None,
    }
}

/// (fault name, messages, retryAfter from the body)
fn messages_of(body: &[u8]) -> (Option<String>, Vec<String>, Option<u64>) {
    let text = String::from_utf8_lossy(body);
    let trimmed = text.trim();
    if trimmed.is_empty() {
        return (None, Vec::new(), None);
    }
    let parsed = if format::sniff(body) == format::Syntax::Json { format::json::parse_value(body).ok() } else { None };
    let Some(value) = parsed else {
        return (None, vec![format::lossy_prefix(trimmed.as_bytes())], None);
    };
    match &value {
        Value::String(s) => (None, vec![s.clone()], None),
        Value::Array(_) => (None, string_list(&value).unwrap_or_default(), None),
        Value::Object(map) => {
            if let Some(list) = map.get("errors").and_then(string_list) {
                return (None, list, None);
            }
            if let Some(Value::String(m)) = map.get("message") {
                return (None, vec![m.clone()], None);
            }
            // {"<fault>": {"code": …, "message": …}}: one key holding an object.
            if map.len() == 1
                && let Some((name, Value::Object(inner))) = map.iter().next()
            {
                let mut messages = Vec::new();
                if let Some(m) = inner.get("message").and_then(Value::as_str) {
                    messages.push(m.to_owned());
                }
                if let Some(d) = inner.get("details").and_then(Value::as_str)
                    && !d.is_empty()
                    && messages.iter().all(|m| m != d)
                {
                    messages.push(d.to_owned());
                }
                return (Some(name.clone()), messages, retry_of(inner.get("retryAfter")));
            }
            (None, vec![trimmed.to_owned()], None)
        }
        _ => (None, vec![trimmed.to_owned()], None),
    }
}
