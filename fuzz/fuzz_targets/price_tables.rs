//! Fuzz target: `headroom::robustness::price_bytes` (see src/robustness.rs).
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    headroom::robustness::price_bytes(data);
});
