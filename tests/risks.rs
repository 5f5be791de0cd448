//! Unsafe or unreachable settings are warned about: a Postgres with no standby (the seed
//! docs 003 and 004 run theirs that way), and a phase beyond what the growth curve reaches.

use crate::support::{headroom, root, scenario_copy};

/// The warnings `plan -q` prints on stderr (one `warning: ...` line each).
fn plan_warnings(scenario: &std::path::Path) -> String {
    let out = tempfile::tempdir().unwrap();
    let output = headroom()
        .arg("plan")
        .arg(scenario)
        .args(["-q", "--format", "json", "--out"])
        .arg(out.path())
        .assert()
        .success()
        .get_output()
        .clone();
    String::from_utf8(output.stderr).unwrap()
}

#[test]
fn a_postgres_with_no_standby_is_a_warning() {
    // qui-browser.ron (seed 004): sync_replicas: 0
    let text = plan_warnings(&root().join("scenarios/qui-browser.ron"));
    assert!(
        text.contains("warning: ") && text.contains("no synchronous standby (sync_replicas: 0)"),
        "{text}"
    );
    // saas-10b has one standby per shard: no such warning
    let text = plan_warnings(&root().join("scenarios/saas-10b.ron"));
    assert!(!text.contains("synchronous standby"), "{text}");
}

#[test]
fn a_phase_beyond_the_growth_curve_is_a_warning() {
    // The default ladder (10K..10B) on a logistic curve that levels off at 2B users: the 10B
    // phase is never reached (1B is).
    let work = tempfile::tempdir().unwrap();
    let scenario = scenario_copy(
        work.path(),
        "saas-10b.ron",
        &[(
            "growth: File(\"",
            "growth: Inline(Logistic(carrying_capacity: 2e9, midpoint_month: 36.0, \
             steepness_per_month: 0.2)),\n    // was: File(\"",
        )],
    );
    let text = plan_warnings(&scenario);
    assert!(
        text.contains(
            "phase 10B: 10,000,000,000 users is beyond the growth curve's reach \
             (2,000,000,000 users)"
        ),
        "{text}"
    );
    assert!(!text.contains("phase 1B:"), "{text}");
}
