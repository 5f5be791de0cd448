//! Fuzz target: `headroom::robustness::pipeline_bytes` (see src/robustness.rs).
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    headroom::robustness::pipeline_bytes(data);
});
