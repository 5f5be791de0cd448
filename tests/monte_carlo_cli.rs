//! `headroom plan --draws` through the real binary: reproducible bytes, exit codes and the
//! messages of bad uncertainty input.

use serde_json::Value;

use crate::support::{headroom, root};

/// saas-10b with absolute model paths and its `uncertainty` section replaced by `section`.
fn saas_with(dir: &std::path::Path, section: &str) -> std::path::PathBuf {
    let text = std::fs::read_to_string(root().join("scenarios/saas-10b.ron")).unwrap();
    let abs = root().join("scenarios").display().to_string();
    let text = text.replace("\"../", &format!("\"{abs}/../"));
    let start = text.find("    uncertainty: (").unwrap();
    let text = format!("{}{section}\n)\n", &text[..start]);
    let path = dir.join("saas.ron");
    std::fs::write(&path, text).unwrap();
    path
}

fn plan_json(out: &std::path::Path) -> Value {
    serde_json::from_slice(&std::fs::read(out.join("saas-10b/plan.json")).unwrap()).unwrap()
}

#[test]
fn draws_are_reproducible_across_runs_and_thread_counts() {
    let dir = tempfile::tempdir().unwrap();
    let run = |sub: &str, threads: &str| {
        let out = dir.path().join(sub);
        headroom()
            .args([
                "plan",
                "scenarios/saas-10b.ron",
                "--draws",
                "300",
                "--seed",
                "5",
            ])
            .args(["--format", "json", "-q", "--out"])
            .arg(&out)
            .env("RAYON_NUM_THREADS", threads)
            .assert()
            .success();
        std::fs::read(out.join("saas-10b/plan.json")).unwrap()
    };
    let a = run("a", "1");
    assert_eq!(a, run("b", "2"));
    assert_eq!(a, run("c", "1"));
    let plan: Value = serde_json::from_slice(&a).unwrap();
    let u = &plan["uncertainty"];
    assert_eq!(u["draws"], 300);
    assert_eq!(u["seed"], 5);
    assert_eq!(u["phases"].as_array().unwrap().len(), 7);
    let ten_b = &u["phases"][6];
    assert_eq!(ten_b["name"], "10B");
    let q = &ten_b["monthly_usd"];
    let f = |k: &str| q[k].as_f64().unwrap();
    assert!(f("p5") <= f("p50") && f("p50") <= f("p90") && f("p90") <= f("p99"));
    // The point plan is untouched: same total as a plan without draws.
    let point = dir.path().join("point");
    headroom()
        .args([
            "plan",
            "scenarios/saas-10b.ron",
            "--format",
            "json",
            "-q",
            "--out",
        ])
        .arg(&point)
        .assert()
        .success();
    let point = plan_json(&point);
    assert!(point.get("uncertainty").is_none());
    assert_eq!(
        plan["phases"][6]["monthly_usd"],
        point["phases"][6]["monthly_usd"]
    );
}

#[test]
fn plan_at_provisions_the_percentile_of_need() {
    let dir = tempfile::tempdir().unwrap();
    headroom()
        .args([
            "plan",
            "scenarios/saas-10b.ron",
            "--draws",
            "400",
            "--plan-at",
            "P90",
        ])
        .args(["--format", "json", "-q", "--out"])
        .arg(dir.path())
        .assert()
        .success();
    let plan = plan_json(dir.path());
    assert_eq!(plan["uncertainty"]["planned_at"], "P90");
    let phase = &plan["phases"][6];
    let lines = phase["lines"].as_array().unwrap();
    let percentiles = plan["uncertainty"]["phases"][6]["lines"]
        .as_array()
        .unwrap();
    let primary = lines.iter().position(|l| l["item"] == "primary").unwrap();
    // The provisioned primaries are the P90 of the primaries the draws needed.
    assert_eq!(
        lines[primary]["count"].as_f64().unwrap(),
        percentiles[primary]["derived_count"]["p90"]
            .as_f64()
            .unwrap()
    );
}

#[test]
fn draws_without_uncertain_inputs_are_bad_input() {
    let out = tempfile::tempdir().unwrap();
    headroom()
        .args([
            "plan",
            "scenarios/qui-browser.ron",
            "--draws",
            "100",
            "-q",
            "--out",
        ])
        .arg(out.path())
        .assert()
        .code(2)
        .stderr(predicates::str::contains("--draws needs uncertain inputs"));
    headroom()
        .args([
            "plan",
            "scenarios/saas-10b.ron",
            "--draws",
            "10",
            "--plan-at",
            "P0",
            "-q",
        ])
        .arg("--out")
        .arg(out.path())
        .assert()
        .code(2)
        .stderr(predicates::str::contains("`P0` is not a percentile"));
    // Nothing was written by the failed runs.
    assert!(std::fs::read_dir(out.path()).unwrap().next().is_none());
}

#[test]
fn bad_distributions_name_the_file_and_input() {
    let dir = tempfile::tempdir().unwrap();
    let cases = [
        (
            "    uncertainty: (inputs: {\"workload.dau_ratio\": Triangular(low: 0.5, mode: 0.3, high: 0.6)}),",
            "uncertainty.inputs.\"workload.dau_ratio\": expected low <= mode <= high",
        ),
        (
            "    uncertainty: (inputs: {\"workload.dau_ratio\": Uniform(low: 0.5, high: 1.5)}),",
            "workload.dau_ratio: must be a fraction in [0, 1]",
        ),
        (
            "    uncertainty: (inputs: {\"workload.dau_ratio\": Gaussian(mean: 0.5)}),",
            "unknown variant `Gaussian`",
        ),
    ];
    for (section, expected) in cases {
        let path = saas_with(dir.path(), section);
        let out = headroom()
            .args(["plan", "--draws", "10", "-q", "--out"])
            .arg(dir.path().join("out"))
            .arg(&path)
            .assert()
            .code(2);
        let stderr = String::from_utf8_lossy(&out.get_output().stderr).to_string();
        assert!(stderr.contains(expected), "{section}\n{stderr}");
        assert!(stderr.contains("saas.ron"), "{stderr}");
    }
}

#[test]
fn auto_components_choose_their_shape_in_every_draw() {
    let dir = tempfile::tempdir().unwrap();
    let run = |sub: &str, threads: &str| {
        let out = dir.path().join(sub);
        let assert = headroom()
            .args(["plan", "scenarios/saas-10b-auto.ron", "--draws", "200"])
            // Cache clusters held to 100 nodes per region (the file says 500).
            .args([
                "--set",
                "components.sessions-cache.policy.auto.max_nodes=100",
            ])
            .args(["--format", "json", "-q", "--out"])
            .arg(&out)
            .env("RAYON_NUM_THREADS", threads)
            .assert()
            .success();
        let stderr = String::from_utf8(assert.get_output().stderr.clone()).unwrap();
        (
            std::fs::read(out.join("saas-10b-auto/plan.json")).unwrap(),
            stderr,
        )
    };
    let (a, stderr) = run("a", "1");
    // Shape choices count into per-block tallies that merge by addition: thread counts
    // cannot change them.
    assert_eq!(a, run("b", "2").0);
    let plan: Value = serde_json::from_slice(&a).unwrap();
    let ten_b = &plan["uncertainty"]["phases"][6];
    let shares = ten_b["shapes"].as_array().unwrap();
    // Per component, the draws over its shapes add up to all 200.
    for component in ["users-db", "sessions-cache", "api", "events", "pgbouncer"] {
        let draws: u64 = shares
            .iter()
            .filter(|s| s["component"] == component)
            .map(|s| s["draws"].as_u64().unwrap())
            .sum();
        assert_eq!(draws, 200, "{component}");
    }
    // Some 10B worlds need more than 100 cache nodes in a region on every allowed shape: the
    // plan says in how many.
    let none_fits = shares
        .iter()
        .find(|s| s["instance"] == "none fits (plan's shape over its limits)")
        .expect("some draws exceed the node limit");
    let n = none_fits["draws"].as_u64().unwrap();
    assert!(
        stderr.contains(&format!(
            "warning: sessions-cache at 10B: in {n} of 200 draws"
        )),
        "{stderr}"
    );
    assert!(plan["warnings"].as_array().unwrap().iter().any(|w| {
        w.as_str()
            .unwrap()
            .starts_with("sessions-cache at 10B: in ")
    }));
}
