//! Property tests of the machines (waits, planners, auth, calls) under arbitrary answers,
//! statuses, delays, resets and cancellations: the harness the fuzz targets run
//! (`fuzz/src/machines.rs`), fed by proptest here, so every `cargo test` checks the invariants.

#[allow(dead_code, clippy::all)]
#[path = "../../fuzz/src/machines.rs"]
mod machines;

use machines::{Family, run};
use proptest::prelude::*;

proptest! {
    #![proptest_config(ProptestConfig { cases: 400, ..ProptestConfig::default() })]

    #[test]
    fn waits_keep_their_promises(data in proptest::collection::vec(any::<u8>(), 0..600)) {
        run(Family::Waits, &data);
    }

    #[test]
    fn planners_keep_their_promises(data in proptest::collection::vec(any::<u8>(), 0..600)) {
        run(Family::Planners, &data);
    }

    #[test]
    fn auth_keeps_its_promises(data in proptest::collection::vec(any::<u8>(), 0..600)) {
        run(Family::Auth, &data);
    }

    #[test]
    fn calls_keep_their_promises(data in proptest::collection::vec(any::<u8>(), 0..600)) {
        run(Family::Calls, &data);
    }
}

/// Replays one input (`RACKCONNECT_MACHINE_INPUT="family:1,2,3"`) with a trace of every step:
/// `RACKCONNECT_MACHINE_TRACE=1 cargo test -p rackconnect --test machines -- --ignored replay`.
#[test]
#[ignore = "a tool: replays the input in RACKCONNECT_MACHINE_INPUT"]
fn replay_one_input() {
    let Ok(input) = std::env::var("RACKCONNECT_MACHINE_INPUT") else { return };
    let (family, bytes) = input.split_once(':').unwrap_or(("waits", &input));
    let data: Vec<u8> = bytes.split(',').filter_map(|b| b.trim().parse().ok()).collect();
    let family = match family {
        "planners" => Family::Planners,
        "auth" => Family::Auth,
        "calls" => Family::Calls,
        _ => Family::Waits,
    };
    run(family, &data);
}

// Inputs the fuzzer found, kept as regressions (each broke "done by the deadline plus one request
// timeout" before its fix).

/// The pools listed before planning were given the default 30 s, past the ensure's deadline.
#[test]
fn the_pool_listing_before_a_plan_gets_no_more_than_the_time_left() {
    run(
        Family::Planners,
        &[
            0, 0, 86, 255, 5, 255, 255, 255, 255, 0, 0, 1, 0, 86, 0, 137, 137, 137, 99, 45, 255, 1, 5, 255, 0, 0, 120,
            255, 101, 255, 255, 169, 254, 249, 255, 255, 255, 255,
        ],
    );
}

/// Identity kept answering with a token already past its renewal margin: the wait signed in
/// again and again, past its deadline.
#[test]
fn a_token_born_stale_is_used_until_refused_not_renewed_in_a_loop() {
    run(Family::Waits, include_bytes!("fuzz_findings/token_born_stale.bin"));
}
