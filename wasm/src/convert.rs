//! Everything that crosses the boundary goes through here, as JSON text (serde on this side,
//! `JSON.parse`/`JSON.stringify` on the other): one path for values, one for errors.
//!
//! JSON text rather than JS objects built call by call: a list of ten thousand nodes crosses as
//! one string and one `JSON.parse`, which V8 does far faster than thousands of boundary calls.

use rackconnect::{Error, Response};
use serde::Serialize;
use serde::de::DeserializeOwned;

/// What a failed call throws: the core error's JSON form (`kind`, `message`, the kind's fields),
/// as text. The package's `src/errors.js` turns it into the `RackConnectError` subclass of its
/// kind before any caller sees it.
pub type Thrown = String;

/// A core error, ready to throw.
pub fn thrown(error: &Error) -> Thrown {
    error.to_json().to_string()
}

/// An input the JS layer handed over that does not read.
pub(crate) fn invalid(field: &str, expected: &str, found: &str) -> Error {
    Error::InvalidInput { field: field.to_owned(), expected: expected.to_owned(), found: found.to_owned() }
}

/// A serializable value as JSON text.
pub fn to_json<T: Serialize>(value: &T) -> Result<String, Thrown> {
    serde_json::to_string(value)
        .map_err(|e| thrown(&invalid("result", "a value that serializes to JSON", &e.to_string())))
}

/// JSON text from the JS layer into a typed value; `field` names it in the error. Read as bytes,
/// as the core reads answers: one copy of serde_json's reader in the `.wasm`.
pub fn from_json<T: DeserializeOwned>(field: &str, text: &str) -> Result<T, Error> {
    serde_json::from_slice(text.as_bytes()).map_err(|e| invalid(field, "JSON of the right shape", &e.to_string()))
}

/// A response from its parts: the status, the headers as one block of text (each name and each
/// value followed by a NUL) with their number, and the raw body (taken by value: wasm-bindgen
/// has copied it into wasm memory once already, and a second copy of a large answer is a
/// malloc and a memcpy of megabytes).
///
/// A block rather than JSON: reading JSON pairs in wasm and writing them with `JSON.stringify`
/// was a fifth of a small answer's cost. No HTTP field may hold a NUL (RFC 9110, 5.5), so the
/// block is unambiguous; a name or value that holds one anyway shows as a count that differs.
pub fn response(status: u16, headers: &str, count: u32, body: Vec<u8>) -> Result<Response, Error> {
    let parts: Vec<&str> = headers.split_terminator('\0').collect();
    if parts.len() != 2 * count as usize || (!headers.is_empty() && !headers.ends_with('\0')) {
        let found = format!("{count} headers with a NUL character in a name or value");
        return Err(invalid(
            "headers",
            "names and values without NUL characters, which HTTP fields cannot hold",
            &found,
        ));
    }
    let pairs = parts.chunks_exact(2).map(|pair| (pair[0].to_owned(), pair[1].to_owned())).collect();
    Ok(Response { status, headers: pairs, body })
}

/// JS time (`performance.now()`-like milliseconds, a float) as the core's milliseconds.
#[cfg(feature = "exchange")]
pub fn millis(now: f64) -> rackconnect::wait::Millis {
    if now.is_finite() && now > 0.0 { now as rackconnect::wait::Millis } else { 0 }
}
