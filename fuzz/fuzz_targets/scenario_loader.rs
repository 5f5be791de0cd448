//! Fuzz target: `headroom::fuzzing::scenario_bytes` (see src/fuzzing.rs).
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    headroom::fuzzing::scenario_bytes(data);
});
