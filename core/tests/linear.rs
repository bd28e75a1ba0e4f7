//! Every parser is linear in its input: hostile bodies of size n and 8n, parsed in the same run,
//! take about 8 times as long, never the 64 times a quadratic parser would. Each family is
//! measured as the best of several runs, one family at a time, and the ratio (not a time) is
//! checked, with room for caches and page faults (a large body leaves the caches).

use std::sync::Mutex;
use std::time::{Duration, Instant};

use rackconnect::Response;
use rackconnect::ops::Operation;

/// The best time of a few parses of `body` by `op` (the response made once, outside the timing).
fn best(op: Operation, body: &[u8]) -> Duration {
    let response = Response::new(200, body.to_vec());
    (0..5)
        .map(|_| {
            let started = Instant::now();
            let _value_or_error = op.parse(&response);
            started.elapsed()
        })
        .min()
        .unwrap_or_default()
}

/// One measurement at a time: the tests of this file run on parallel threads otherwise.
static MEASURING: Mutex<()> = Mutex::new(());

/// Eight times the input may take at most this many times as long.
const MAX_RATIO: f64 = 24.0;

/// Parses `make(n)` and `make(8n)`, and checks that the time grows at most about linearly.
fn linear(name: &str, op: &str, n: usize, make: impl Fn(usize) -> Vec<u8>) {
    linear_by(name, op, n, 8, MAX_RATIO, make);
}

/// Parses `make(n)` and `make(factor * n)`: the time may grow at most `max_ratio` times (a
/// quadratic parser would grow `factor²` times).
fn linear_by(name: &str, op: &str, n: usize, factor: usize, max_ratio: f64, make: impl Fn(usize) -> Vec<u8>) {
    let _one_at_a_time = MEASURING.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
    let op = Operation::from_name(op).expect("an operation");
    let (small, large) = (make(n), make(factor * n));
    // Warm up (allocator, caches), then measure both in the same run.
    let _ = best(op, &small);
    let (t1, t4) = (best(op, &small), best(op, &large));
    let ratio = t4.as_secs_f64() / t1.as_secs_f64().max(1e-6);
    let per_mb = t4.as_secs_f64() / (large.len() as f64 / 1_048_576.0);
    eprintln!(
        "{name}: {} bytes {t1:?}, {} bytes {t4:?}, ratio {ratio:.1}, {:.1} ms per MiB",
        small.len(),
        large.len(),
        per_mb * 1e3
    );
    // Linear is about `factor`; quadratic would be about its square.
    assert!(
        ratio < max_ratio,
        "{name}: {} bytes in {t1:?}, {} bytes in {t4:?}: ratio {ratio:.1}",
        small.len(),
        large.len()
    );
}

#[test]
fn xml_with_many_attributes_on_one_element_is_linear() {
    linear("xml attributes", "v2.automation_status", 10_000, |n| {
        let mut body = b"<automation_status ".to_vec();
        for i in 0..n {
            body.extend_from_slice(format!("a{i}=\"x\" ").as_bytes());
        }
        body.extend_from_slice(b">DEPLOYED</automation_status>");
        body
    });
}

#[test]
fn xml_with_many_elements_is_linear() {
    linear("xml elements", "v2.automation_features", 10_000, |n| {
        let mut body = b"<automation_features>".to_vec();
        for i in 0..n {
            body.extend_from_slice(format!("<feature><name>f{i}</name><status>DEPLOYED</status></feature>").as_bytes());
        }
        body.extend_from_slice(b"</automation_features>");
        body
    });
}

#[test]
fn xml_with_a_long_name_is_linear() {
    linear("xml long name", "v2.automation_status", 200_000, |n| {
        format!("<{0}>DEPLOYED</{0}>", "a".repeat(n)).into_bytes()
    });
}

#[test]
fn json_with_many_keys_is_linear() {
    linear("json keys", "v2.automation_status", 20_000, |n| {
        let mut body = b"{\"automation_status\": \"DEPLOYED\"".to_vec();
        for i in 0..n {
            body.extend_from_slice(format!(", \"k{i}\": {i}").as_bytes());
        }
        body.push(b'}');
        body
    });
}

#[test]
fn json_with_a_long_string_is_linear() {
    // A long string's cost per byte depends on the memory hierarchy (a body that fits in the
    // caches parses several times faster per byte), so its growth is compared with the growth of
    // serde_json's own parse of the same bodies, in the same run: ours may not grow faster than
    // twice as fast as that (a quadratic step would).
    let _one_at_a_time = MEASURING.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
    let op = Operation::from_name("v3.get_pool").expect("op");
    let make = |n: usize| {
        format!(r#"{{"id": "p", "name": "{}", "port": 80, "status": "ACTIVE"}}"#, "x".repeat(n)).into_bytes()
    };
    let baseline = |body: &[u8]| {
        (0..5)
            .map(|_| {
                let started = Instant::now();
                let _value = serde_json::from_slice::<serde_json::Value>(body);
                started.elapsed()
            })
            .min()
            .unwrap_or_default()
    };
    let (small, large) = (make(2_000_000), make(8_000_000));
    let _ = (best(op, &small), baseline(&small));
    let ours = best(op, &large).as_secs_f64() / best(op, &small).as_secs_f64().max(1e-6);
    let theirs = baseline(&large).as_secs_f64() / baseline(&small).as_secs_f64().max(1e-6);
    eprintln!("json long string: 4x the bytes took {ours:.1}x the time, serde_json alone {theirs:.1}x");
    assert!(ours < (2.0 * theirs).max(10.0), "ours grew {ours:.1}x where serde_json grew {theirs:.1}x");
}

#[test]
fn v3_lists_with_many_nodes_are_linear() {
    linear("v3 nodes", "v3.list_nodes", 4_000, |n| {
        let node = r#"{"id": "1860451d-fb89-45b8-b54e-151afceb50e5", "cloud_server": {"id": "d95ae0c4-6ab8-4873-b82f-f8433840cff2"}, "load_balancer_pool": {"id": "d6d3aa7c-dfa5-4e61-96ee-1d54ac1075d2"}, "status": "ACTIVE", "status_detail": null, "created": "2014-05-30T03:23:42Z", "updated": null}"#;
        format!("[{}]", vec![node; n].join(",")).into_bytes()
    });
}

#[test]
fn deep_but_allowed_nesting_is_linear() {
    linear("json nesting", "v3.get_pool", 2_000, |n| {
        // Many siblings each nested to just under the depth limit, in a kept unknown field.
        let deep = format!("{}1{}", "[".repeat(60), "]".repeat(60));
        format!(r#"{{"id": "p", "name": "n", "port": 80, "status": "ACTIVE", "extra": [{}]}}"#, vec![deep; n].join(","))
            .into_bytes()
    });
}

#[test]
fn a_409_with_many_errors_is_linear() {
    let op = "v3.bulk_add_nodes";
    let make = |n: usize| {
        let message = r#""Cloud Server d95ae0c4-6ab8-4873-b82f-f8433840cff2 is already a member of Load Balancer Pool d6d3aa7c-dfa5-4e61-96ee-1d54ac1075d2""#;
        format!(r#"{{"errors": [{}]}}"#, vec![message; n].join(",")).into_bytes()
    };
    let op = Operation::from_name(op).expect("op");
    let _one_at_a_time = MEASURING.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
    let parse = |body: &[u8]| {
        let response = Response::new(409, body.to_vec());
        (0..5)
            .map(|_| {
                let started = Instant::now();
                let _error = op.parse(&response);
                started.elapsed()
            })
            .min()
            .unwrap_or_default()
    };
    let (small, large) = (make(2_000), make(16_000));
    let _ = parse(&small);
    let (t1, t4) = (parse(&small), parse(&large));
    let ratio = t4.as_secs_f64() / t1.as_secs_f64().max(1e-6);
    assert!(ratio < MAX_RATIO, "409 errors: {t1:?} then {t4:?}: ratio {ratio:.1}");
}
