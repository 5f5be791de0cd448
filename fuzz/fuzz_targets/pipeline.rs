//! Fuzz target: `headroom::fuzzing::pipeline_bytes` (see src/fuzzing.rs): the pipeline
//! with the cheap output formats (charts and report: `pipeline_render`).
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    headroom::fuzzing::pipeline_bytes(data);
});
