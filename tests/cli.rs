//! The real binary over every shipped scenario and every command.

use predicates::prelude::*;
use serde_json::Value;

use crate::support::{files_under, headroom, shipped_scenarios};

fn plan_json(scenario: &str) -> Value {
    let out = tempfile::tempdir().unwrap();
    headroom()
        .args(["plan", scenario, "-q", "--out"])
        .arg(out.path())
        .assert()
        .success();
    let name = std::path::Path::new(scenario)
        .file_stem()
        .unwrap()
        .to_string_lossy()
        .to_string();
    let text = std::fs::read_to_string(out.path().join(name).join("plan.json")).unwrap();
    serde_json::from_str(&text).unwrap()
}

fn line<'a>(plan: &'a Value, phase: &str, component: &str, item: &str) -> &'a Value {
    let phase = plan["phases"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["name"] == phase)
        .unwrap_or_else(|| panic!("no phase {phase}"));
    phase["lines"]
        .as_array()
        .unwrap()
        .iter()
        .find(|l| l["component"] == component && l["item"] == item)
        .unwrap_or_else(|| panic!("no line {component}/{item} in {}", phase["name"]))
}

#[test]
fn every_shipped_scenario_plans_with_the_contract_fields() {
    let scenarios = shipped_scenarios();
    assert!(scenarios.len() >= 6, "found {} scenarios", scenarios.len());
    for scenario in scenarios {
        let out = tempfile::tempdir().unwrap();
        let output = headroom()
            .arg("plan")
            .arg(&scenario)
            .arg("--out")
            .arg(out.path())
            .output()
            .unwrap();
        let stdout = String::from_utf8_lossy(&output.stdout);
        assert!(
            output.status.success(),
            "{}: {}",
            scenario.display(),
            String::from_utf8_lossy(&output.stderr)
        );
        assert!(
            stdout.contains("Monthly cost by phase and component"),
            "{stdout}"
        );
        let files = files_under(out.path());
        let name = files[0].split('/').next().unwrap().to_string();
        for f in ["plan.json", "costs.csv", "by_component.csv", "summary.md"] {
            assert!(
                files.contains(&format!("{name}/{f}")),
                "{}: missing {f} in {files:?}",
                scenario.display()
            );
            assert!(stdout.contains(&format!(
                "wrote {}",
                out.path().join(&name).join(f).display()
            )));
        }
        let plan: Value = serde_json::from_str(
            &std::fs::read_to_string(out.path().join(&name).join("plan.json")).unwrap(),
        )
        .unwrap();
        for key in ["scenario", "hours_per_month", "phases"] {
            assert!(plan.get(key).is_some(), "plan.json lacks {key}");
        }
        for phase in plan["phases"].as_array().unwrap() {
            for key in [
                "name",
                "users",
                "demand",
                "lines",
                "monthly_usd",
                "per_user_usd",
                "per_dau_usd",
            ] {
                assert!(phase.get(key).is_some(), "phase lacks {key}");
            }
            for line in phase["lines"].as_array().unwrap() {
                for key in [
                    "component",
                    "item",
                    "count",
                    "unit",
                    "unit_price_usd",
                    "monthly_usd",
                    "pinned",
                    "derived_count",
                    "derivation",
                ] {
                    assert!(line.get(key).is_some(), "line lacks {key}");
                }
            }
        }
        let csv = std::fs::read_to_string(out.path().join(&name).join("costs.csv")).unwrap();
        let header = csv.lines().next().unwrap();
        for column in [
            "phase",
            "users",
            "component",
            "item",
            "count",
            "unit",
            "unit_price_usd",
            "monthly_usd",
            "price_source",
        ] {
            assert!(
                header.split(',').any(|h| h == column),
                "costs.csv lacks {column}: {header}"
            );
        }
    }
}

#[test]
fn plan_is_byte_identical_across_runs() {
    let a = tempfile::tempdir().unwrap();
    let b = tempfile::tempdir().unwrap();
    for dir in [&a, &b] {
        headroom()
            .args(["plan", "scenarios/saas-10b.ron", "-q", "--out"])
            .arg(dir.path())
            .assert()
            .success();
    }
    for f in ["plan.json", "costs.csv", "by_component.csv", "summary.md"] {
        let x = std::fs::read(a.path().join("saas-10b").join(f)).unwrap();
        let y = std::fs::read(b.path().join("saas-10b").join(f)).unwrap();
        assert!(x == y, "{f} differs between runs");
    }
}

#[test]
fn saas_10b_hand_checked_lines() {
    let plan = plan_json("scenarios/saas-10b.ron");
    // 10K users: MAU 3,000, DAU 1,200; avg 1,200 x 200 / 86,400 = 2.78 req/s: every tier is at
    // its HA floor. api: min_pods 3 per region -> 1 node (4 pods/node) per region, 3 regions.
    let api = line(&plan, "10K", "api", "node");
    assert_eq!(api["count"], 3);
    // 3 nodes x 730 h x $0.68 = $1,489.20
    assert_eq!(api["monthly_usd"], 1489.2);
    // 10B users: DAU = 1e10 x 0.3 x 0.4 = 1.2e9; peak = 1.2e9 x 200 / 86,400 x 3 = 8,333,333 req/s
    let phase = plan["phases"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["name"] == "10B")
        .unwrap();
    assert_eq!(phase["demand"]["dau"], 1.2e9);
    let peak = phase["demand"]["peak_rps"].as_f64().unwrap();
    assert!((peak - 8_333_333.333).abs() < 0.01, "{peak}");
    // CDN edge egress: 1.2e9 DAU x 20 MB x 730/24 days / 1e9 = 730,000,000 GB;
    // tiered: 10,240 x 0.085 + 40,960 x 0.08 + 102,400 x 0.06 + 358,400 x 0.04
    //   + 536,576 x 0.03 + 4,194,304 x 0.025 + (730,000,000 - 5,242,880) x 0.02 = $14,640,724.48
    let edge = line(&plan, "10B", "cdn", "edge-egress");
    assert_eq!(edge["count"], 730_000_000);
    assert_eq!(edge["monthly_usd"], 14_640_724.48);
    assert_eq!(edge["tiers"].as_array().unwrap().len(), 7);
    // phase total is the sum of its lines
    let sum: f64 = phase["lines"]
        .as_array()
        .unwrap()
        .iter()
        .map(|l| l["monthly_usd"].as_f64().unwrap())
        .sum();
    assert!((sum - phase["monthly_usd"].as_f64().unwrap()).abs() < 0.01);
}

#[test]
fn queue_reproduces_the_textbook_example() {
    // A = 10 Erlangs, c = 12 -> P(wait) = 0.44939, mean wait = 0.22469 x service time
    let out = headroom()
        .args([
            "queue",
            "--arrival-rate-per-s",
            "100",
            "--service-time-s",
            "0.1",
            "--servers",
            "12",
            "--json",
        ])
        .assert()
        .success()
        .get_output()
        .stdout
        .clone();
    let v: Value = serde_json::from_slice(&out).unwrap();
    assert_eq!(v["servers"], 12);
    assert!((v["offered_load_erlangs"].as_f64().unwrap() - 10.0).abs() < 1e-9);
    assert!((v["p_wait"].as_f64().unwrap() - 0.44939).abs() < 5e-6);
    assert!((v["mean_wait_s"].as_f64().unwrap() - 0.022469).abs() < 5e-7);
}

#[test]
fn queue_finds_smallest_servers_for_a_target() {
    // A = 10: c = 13 gives P(wait) 0.2853, c = 14 gives 0.1741 -> 14 for a 0.2 target
    let out = headroom()
        .args([
            "queue",
            "--arrival-rate-per-s",
            "10",
            "--service-time-s",
            "1",
            "--max-wait-probability",
            "0.2",
            "--json",
        ])
        .assert()
        .success()
        .get_output()
        .stdout
        .clone();
    let v: Value = serde_json::from_slice(&out).unwrap();
    assert_eq!(v["servers"], 14);
    headroom()
        .args([
            "queue",
            "--arrival-rate-per-s",
            "10",
            "--service-time-s",
            "1",
        ])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("--servers"));
    headroom()
        .args([
            "queue",
            "--arrival-rate-per-s",
            "10",
            "--service-time-s",
            "0",
            "--servers",
            "3",
        ])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("--service-time-s must be above 0"));
}

#[test]
fn explain_shows_formulas_inputs_and_results() {
    headroom()
        .args([
            "explain",
            "scenarios/saas-10b.ron",
            "--phase",
            "10B",
            "--component",
            "users-db",
            "--item",
            "primary",
        ])
        .assert()
        .success()
        .stdout(predicate::str::contains(
            "shards_by_writes = ceil(db_write_qps x (1 + headroom) / max_write_qps_per_shard)",
        ))
        .stdout(predicate::str::contains(
            "db_write_qps = peak_write_rps x db_writes_per_write_request",
        ))
        .stdout(predicate::str::contains(
            "list_monthly_usd = quantity x unit_price_usd",
        ));
    headroom()
        .args([
            "explain",
            "scenarios/saas-10b.ron",
            "--phase",
            "10b",
            "--component",
            "users-db",
        ])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("did you mean `10B`"));
    headroom()
        .args([
            "explain",
            "scenarios/saas-10b.ron",
            "--phase",
            "10B",
            "--component",
            "user-db",
        ])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("did you mean `users-db`"));
}

#[test]
fn validate_checks_without_writing() {
    let dir = tempfile::tempdir().unwrap();
    headroom()
        .current_dir(dir.path())
        .arg("validate")
        .arg(crate::support::root().join("scenarios/saas-10b.ron"))
        .assert()
        .success()
        .stdout(predicate::str::contains(
            "ok: saas-10b (7 phases, 8 components",
        ));
    assert!(files_under(dir.path()).is_empty());
}

#[test]
fn missing_scenario_file_is_bad_input() {
    headroom()
        .args(["plan", "scenarios/nope.ron"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("cannot read scenarios/nope.ron"));
}
