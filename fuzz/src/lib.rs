//! The body shared by every fuzz target: the first byte picks an operation of the family, the
//! second a status (and whether to add headers), the rest is the body. Any panic is a bug;
//! errors are expected. `fuzz/seed.py` writes seeds in this form from the shared corpus.

pub mod machines;

use rackconnect::Response;
use rackconnect::ops::Operation;

const STATUSES: [u16; 8] = [200, 201, 204, 401, 403, 404, 409, 500];

/// Feeds `data` to one parser of `family` (`v2`, `servers`, `identity` or `v3`).
pub fn parse_one(family: &str, data: &[u8]) {
    let [op_byte, status_byte, body @ ..] = data else { return };
    let prefix = format!("{family}.");
    let ops: Vec<Operation> = Operation::ALL.iter().copied().filter(|op| op.name().starts_with(&prefix)).collect();
    if ops.is_empty() {
        return;
    }
    let op = ops[usize::from(*op_byte) % ops.len()];
    let status = STATUSES[usize::from(status_byte & 0x0f) % STATUSES.len()];
    let mut response = Response::new(status, body.to_vec());
    if status_byte & 0x10 != 0 {
        // Header-driven paths: the MFA 401, Retry-After, v1.0 auth headers.
        let text = String::from_utf8_lossy(body).into_owned();
        for name in ["WWW-Authenticate", "Retry-After", "X-Auth-Token", "X-Server-Management-Url"] {
            response = response.with_header(name, text.clone());
        }
    }
    let _value_or_error = op.parse(&response);
}
