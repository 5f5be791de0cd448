//! Fuzz target: `headroom::fuzzing::pipeline_render_bytes` (see src/fuzzing.rs): the
//! pipeline with every output format, charts and report included.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    headroom::fuzzing::pipeline_render_bytes(data);
});
