//! Fuzzes the waits machines under hostile answers, delays, resets and cancellations, checking
//! the core's invariants as they run (see `rackconnect_fuzz::machines`).
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| rackconnect_fuzz::machines::run(rackconnect_fuzz::machines::Family::Waits, data));
