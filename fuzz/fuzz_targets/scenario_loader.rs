//! Fuzz target: `headroom::robustness::scenario_bytes` (see src/robustness.rs).
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    headroom::robustness::scenario_bytes(data);
});
