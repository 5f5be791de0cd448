//! The commands as a user runs them: the whole `headroom` process (start, load, plan, draws,
//! render, write), beside the engine benchmarks of `plan` and `monte_carlo`.
//! Run: `cargo bench --bench process`.
//!
//! Targets (issue "Resource-based sizing", Speed), wall time on 2 cores:
//! - `plan scenarios/saas-10b.ron --draws 10000 --format json -q`: under 0.3 s;
//! - `plan scenarios/saas-10b-auto.ron --format json -q`: under 20 ms;
//! - `plan scenarios/saas-10b-auto.ron --draws 10000 --format json -q` (each draw chooses the
//!   auto components' shapes again): under 3 s.

use std::path::Path;
use std::process::Command;

fn main() {
    divan::main();
}

/// Runs the release binary on a shipped scenario, writing into a temporary output folder.
fn run(args: &[&str]) {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let out = tempfile::tempdir().unwrap();
    let status = Command::new(env!("CARGO_BIN_EXE_headroom"))
        .current_dir(root)
        .args(args)
        .arg("--out")
        .arg(out.path())
        .stderr(std::process::Stdio::null())
        .status()
        .unwrap();
    assert!(status.success(), "headroom {args:?} failed");
}

#[divan::bench(sample_count = 20)]
fn plan_saas_10b_draws_10k_json() {
    run(&[
        "plan",
        "scenarios/saas-10b.ron",
        "--draws",
        "10000",
        "--format",
        "json",
        "-q",
    ]);
}

#[divan::bench(sample_count = 50)]
fn plan_saas_10b_auto_json() {
    run(&[
        "plan",
        "scenarios/saas-10b-auto.ron",
        "--format",
        "json",
        "-q",
    ]);
}

#[divan::bench(sample_count = 50)]
fn plan_saas_10b_json() {
    run(&["plan", "scenarios/saas-10b.ron", "--format", "json", "-q"]);
}

#[divan::bench(sample_count = 5)]
fn plan_saas_10b_auto_draws_10k_json() {
    run(&[
        "plan",
        "scenarios/saas-10b-auto.ron",
        "--draws",
        "10000",
        "--format",
        "json",
        "-q",
    ]);
}
