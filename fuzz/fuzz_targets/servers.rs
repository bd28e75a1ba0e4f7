//! Fuzzes every servers parser (see `rackconnect_fuzz::parse_one`).
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| rackconnect_fuzz::parse_one("servers", data));
