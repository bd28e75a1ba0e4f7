//! Fuzzes every v2 parser: the first byte picks the operation and the status, the rest is
//! the body. Any panic is a bug; errors are expected.
#![no_main]

use libfuzzer_sys::fuzz_target;
use rackconnect::Response;
use rackconnect::ops::Operation;

const STATUSES: [u16; 8] = [200, 201, 204, 401, 403, 404, 409, 500];

fuzz_target!(|data: &[u8]| {
    let Some((&selector, body)) = data.split_first() else { return };
    let ops: Vec<Operation> = Operation::ALL.iter().copied().filter(|op| op.name().starts_with("v2.")).collect();
    let op = ops[usize::from(selector) % ops.len()];
    let status = STATUSES[usize::from(selector >> 5) % STATUSES.len()];
    let mut response = Response::new(status, body.to_vec());
    if selector & 0x10 != 0 {
        // Header-driven paths: the MFA 401, Retry-After, v1.0 auth headers.
        let text = String::from_utf8_lossy(body).into_owned();
        response = response
            .with_header("WWW-Authenticate", text.clone())
            .with_header("Retry-After", text.clone())
            .with_header("X-Auth-Token", text.clone())
            .with_header("X-Server-Management-Url", text);
    }
    let _value_or_error = op.parse(&response);
});
