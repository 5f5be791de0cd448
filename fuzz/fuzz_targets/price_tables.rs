//! Fuzz target: `headroom::fuzzing::price_bytes` (see src/fuzzing.rs).
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    headroom::fuzzing::price_bytes(data);
});
