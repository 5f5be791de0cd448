//! The loop back from infra repos, through the binary: the cost gate of `headroom diff`,
//! `headroom check --fleet` and `headroom capacity`.

use predicates::prelude::*;
use serde_json::Value;

use crate::support::headroom;

fn json_of(out: &[u8]) -> Value {
    serde_json::from_slice(out).expect("JSON on stdout")
}

/// The api node price that makes qui-browser's 5M phase cost `rise` (a fraction) more: every
/// other line is unchanged, so the node line alone carries the rise.
fn node_price_for_rise(rise: f64) -> f64 {
    // A probe diff (the price up by a cent) gives A's figures.
    let out = headroom()
        .args([
            "diff",
            "scenarios/qui-browser.ron",
            "--set-b",
            "components.api.prices.node.usd=0.394",
            "--json",
        ])
        .assert()
        .success()
        .get_output()
        .stdout
        .clone();
    let d = json_of(&out);
    let phase = d["phases"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["phase"] == "5M")
        .unwrap();
    let total = phase["monthly_usd_a"].as_f64().unwrap();
    let node = &phase["lines"][0];
    assert_eq!(node["item"], "node");
    let (count, node_usd) = (
        node["count_a"].as_f64().unwrap(),
        node["monthly_usd_a"].as_f64().unwrap(),
    );
    // new node cost = old + rise x total; price = that / (count x 730 h)
    (node_usd + rise * total) / (count * 730.0)
}

#[test]
fn a_12_percent_rise_fails_a_10_percent_gate_and_passes_a_15_percent_one() {
    let price = format!("components.api.prices.node.usd={}", node_price_for_rise(0.12));
    let gate = |threshold: &str| {
        let mut cmd = headroom();
        cmd.args(["diff", "scenarios/qui-browser.ron", "--set-b", &price])
            .args(["--phase", "5M", "--fail-above", threshold]);
        cmd
    };
    gate("10%")
        .assert()
        .code(1)
        .stderr(predicate::str::contains(
            "cost gate failed: phase 5M: +12.0%",
        ))
        .stderr(predicate::str::contains("moved most: api/node"));
    gate("15%")
        .assert()
        .success()
        .stderr(predicate::str::contains("cost gate passed"));
    // The same in dollars: 12% of the phase's total is the rise; a cent less fails.
    let out = gate("10%").arg("--json").assert().code(1).get_output().stdout.clone();
    let d = json_of(&out);
    assert_eq!(d["schema_version"], 1);
    let verdict = &d["gate"]["phases"][0];
    let rise = verdict["monthly_usd_delta"].as_f64().unwrap();
    let total_a = verdict["monthly_usd_a"].as_f64().unwrap();
    assert!((rise / total_a - 0.12).abs() < 1e-4, "{rise} / {total_a}");
    assert_eq!(d["gate"]["threshold"]["percent"], 10.0);
    gate(&format!("{:.2}", rise - 0.01)).assert().code(1);
    gate(&format!("{:.2}", rise + 0.01)).assert().success();
}

#[test]
fn without_a_phase_every_phase_is_gated() {
    // The node price up 30%: every phase with api nodes rises, the 5M phase by the most in
    // relative terms (its node line is the largest share of its total).
    let out = headroom()
        .args([
            "diff",
            "scenarios/qui-browser.ron",
            "--set-b",
            "components.api.prices.node.usd=0.4992",
            "--fail-above",
            "5%",
            "--json",
        ])
        .assert()
        .code(1)
        .get_output()
        .stdout
        .clone();
    let d = json_of(&out);
    let phases = d["gate"]["phases"].as_array().unwrap();
    assert_eq!(phases.len(), d["phases"].as_array().unwrap().len());
    assert!(phases.iter().any(|p| p["above"] == true));
    assert_eq!(d["gate"]["failed"], true);
}

#[test]
fn the_markdown_is_a_pull_request_comment() {
    let out = headroom()
        .args([
            "diff",
            "scenarios/saas-10b.ron",
            "--set-b",
            "components.api.policy.rps_per_pod=1000",
            "--set-b",
            "components.users-db.policy.sync_replicas=0",
            "--markdown",
            "--fail-above",
            "50%",
        ])
        .assert()
        .success()
        .get_output()
        .stdout
        .clone();
    let md = String::from_utf8(out).unwrap();
    assert!(md.starts_with("# Diff\n"), "{md}");
    assert!(md.contains("**cost gate passed: no rise above --fail-above 50%"), "{md}");
    // twice the requests per pod: fewer nodes, the biggest change
    let biggest = md.split("## Biggest line changes").nth(1).unwrap();
    assert!(biggest.contains("| api | node |"), "{md}");
    // no synchronous standby any more: the standby lines are removed
    let removed = md.split("## Removed lines").nth(1).unwrap();
    assert!(removed.contains("| users-db | standby |"), "{md}");
    assert!(!md.contains("## New lines"), "{md}");
}

#[test]
fn a_bad_threshold_or_phase_is_bad_input() {
    headroom()
        .args(["diff", "scenarios/qui-browser.ron", "--fail-above", "lots"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("expected a percentage"));
    headroom()
        .args(["diff", "scenarios/qui-browser.ron", "--fail-above", "5%"])
        .args(["--phase", "5N"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("--phase 5N: no such phase"));
}
