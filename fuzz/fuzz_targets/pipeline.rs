//! Fuzz target: `headroom::robustness::pipeline_bytes` (see src/robustness.rs): the pipeline
//! with the cheap output formats (charts and report: `pipeline_render`).
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    headroom::robustness::pipeline_bytes(data);
});
