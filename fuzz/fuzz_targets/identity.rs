//! Fuzzes every identity parser (see `rackconnect_fuzz::parse_one`).
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| rackconnect_fuzz::parse_one("identity", data));
