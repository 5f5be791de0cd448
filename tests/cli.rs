//! The real binary over every shipped scenario and every command.

use predicates::prelude::*;
use serde_json::Value;

use crate::support::{files_under, headroom, shipped_scenarios};

fn plan_json(scenario: &str) -> Value {
    let name = std::path::Path::new(scenario)
        .file_stem()
        .unwrap()
        .to_string_lossy()
        .to_string();
    plan_json_with(scenario, &[], &name)
}

/// `headroom plan SCENARIO -q --format json EXTRA...`, then `folder`'s plan.json.
fn plan_json_with(scenario: &str, extra: &[&str], folder: &str) -> Value {
    let out = tempfile::tempdir().unwrap();
    headroom()
        .args(["plan", scenario, "-q", "--format", "json"])
        .args(extra)
        .arg("--out")
        .arg(out.path())
        .assert()
        .success();
    let text = std::fs::read_to_string(out.path().join(folder).join("plan.json")).unwrap();
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
    // its HA floor. api: min_pods 3 per region fit 1 node (4 pods/node), but every zone keeps a
    // node: 3 zones x 3 regions = 9 nodes.
    let api = line(&plan, "10K", "api", "node");
    assert_eq!(api["count"], 9);
    assert_eq!(api["binding"], "minimum");
    // Three nodes per region, each at its own region's c6i.4xlarge price:
    // 3 x 730 h x ($0.68 us-east-1 + $0.7296 eu-west-1 + $0.784 ap-southeast-1) = $4,803.98
    assert_eq!(api["monthly_usd"], 4803.98);
    let parts = api["price_parts"].as_array().unwrap();
    let keys: Vec<&str> = parts
        .iter()
        .map(|p| p["price_key"].as_str().unwrap())
        .collect();
    assert_eq!(
        keys,
        [
            "ec2/c6i.4xlarge/us-east-1",
            "ec2/c6i.4xlarge/eu-west-1",
            "ec2/c6i.4xlarge/ap-southeast-1"
        ]
    );
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
    // CDN edge egress: 1.2e9 DAU x 20 MB x 730/24 days / 1e9 = 730,000,000 GB, split by user
    // share 40/35/25 over the regions' geographies, each walking its own tiers:
    //   North America 292,000,000 GB: 10,240 x 0.085 + 40,960 x 0.08 + 102,400 x 0.06
    //     + 358,400 x 0.04 + 536,576 x 0.03 + 4,194,304 x 0.025 (= 145,582.08)
    //     + (292,000,000 - 5,242,880) x 0.02 = $5,880,724.48
    //   Europe 255,500,000 GB (same tiers): 145,582.08 + 250,257,120 x 0.02 = $5,150,724.48
    //   Asia Pacific 182,500,000 GB: 10,240 x 0.12 + 40,960 x 0.10 + 102,400 x 0.095
    //     + 358,400 x 0.09 + 536,576 x 0.08 + 4,194,304 x 0.07 (= 383,836.16)
    //     + 177,257,120 x 0.06 = $11,019,263.36
    //   total $22,050,712.32 (one North America walk over all of it: $14,640,724.48)
    let edge = line(&plan, "10B", "cdn", "edge-egress");
    assert_eq!(edge["count"], 730_000_000);
    assert_eq!(edge["monthly_usd"], 22_050_712.32);
    let parts = edge["price_parts"].as_array().unwrap();
    let by_geo: Vec<(&str, u64, f64)> = parts
        .iter()
        .map(|p| {
            (
                p["region"].as_str().unwrap(),
                p["count"].as_u64().unwrap(),
                p["list_monthly_usd"].as_f64().unwrap(),
            )
        })
        .collect();
    assert_eq!(by_geo[0].0, "north-america");
    assert_eq!(by_geo[1].0, "europe");
    assert_eq!(by_geo[2].0, "asia-pacific");
    assert_eq!(
        (by_geo[0].1, by_geo[1].1, by_geo[2].1),
        (292_000_000, 255_500_000, 182_500_000)
    );
    for ((_, _, usd), want) in by_geo
        .iter()
        .zip([5_880_724.48, 5_150_724.48, 11_019_263.36])
    {
        assert!((usd - want).abs() < 1e-3, "{usd} vs {want}");
    }
    assert_eq!(parts[2]["tiers"].as_array().unwrap().len(), 7);
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

/// 100 arrivals/s x 0.05 s = 5 Erlangs on 5 servers: utilisation 1, the queue never settles.
/// That is a failed check (exit 1), in text and JSON, not an `inf s` wait; 6 servers settle.
#[test]
fn queue_at_or_above_capacity_is_unstable_and_fails() {
    let args = |servers: &str| {
        vec![
            "queue".to_string(),
            "--arrival-rate-per-s".into(),
            "100".into(),
            "--service-time-s".into(),
            "0.05".into(),
            "--servers".into(),
            servers.into(),
        ]
    };
    headroom()
        .args(args("5"))
        .assert()
        .code(1)
        .stdout(predicate::str::contains("unstable"))
        .stdout(predicate::str::contains("need more than 5 servers"))
        .stdout(predicate::str::contains("inf").not());
    let out = headroom()
        .args(args("4"))
        .arg("--json")
        .assert()
        .code(1)
        .get_output()
        .stdout
        .clone();
    let v: Value = serde_json::from_slice(&out).unwrap();
    assert_eq!(v["stable"], false);
    headroom()
        .args(args("6"))
        .assert()
        .success()
        .stdout(predicate::str::contains("mean wait"));
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
            "list_monthly_usd[eu-west-1] = quantity x unit_price_usd at rds-postgres/db.r6g.2xlarge/eu-west-1",
        ))
        .stdout(predicate::str::contains(
            "price key [ap-southeast-1]: rds-postgres/db.r6g.2xlarge/ap-southeast-1",
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

fn audit_findings(args: &[&str]) -> Vec<Value> {
    let out = headroom()
        .args(args)
        .assert()
        .success()
        .get_output()
        .stdout
        .clone();
    serde_json::from_slice::<Value>(&out)
        .unwrap()
        .as_array()
        .unwrap()
        .clone()
}

fn finding<'a>(findings: &'a [Value], id: &str) -> &'a Value {
    findings
        .iter()
        .find(|f| f["id"] == id)
        .unwrap_or_else(|| panic!("no finding {id}"))
}

#[test]
fn audit_verdicts_and_diagnoses() {
    let f = audit_findings(&["audit", "tests/fixtures/audit.ron", "--json"]);
    for field in ["id", "claimed", "computed", "ratio", "verdict", "diagnosis"] {
        assert!(f[0].get(field).is_some(), "finding lacks {field}");
    }
    // 50 x $0.384 x 730 h = $14,016: "$14,000" is within its 0.5% tolerance
    let ok = finding(&f, "api-ok");
    assert_eq!(ok["verdict"], "ok");
    assert_eq!(ok["computed"], 14_016.0);
    // 50 x 0.384 x 720 = 13,824: reproduces only at 720 h
    let h = finding(&f, "api-720");
    assert_eq!(h["verdict"], "wrong");
    assert!(
        h["diagnosis"]
            .as_str()
            .unwrap()
            .contains("reproduces only at 720 hours/month")
    );
    // $8.50 vs 100,000 GB x $0.085 = $8,500
    let k = finding(&f, "cdn-1000x");
    assert!(k["diagnosis"].as_str().unwrap().contains("factor of 1000"));
    assert!((k["ratio"].as_f64().unwrap() - 0.001).abs() < 1e-9);
    let total = finding(&f, "total");
    assert!(
        total["diagnosis"]
            .as_str()
            .unwrap()
            .contains("equals the sum of the doc's own lines")
    );
    let c = finding(&f, "concurrency");
    assert!(
        c["diagnosis"]
            .as_str()
            .unwrap()
            .contains("more concurrent users")
    );
    assert_eq!(finding(&f, "spec")["verdict"], "ok");
    assert_eq!(finding(&f, "price")["verdict"], "ok");
    // 4,096 x 0.50 x 730 = 1,495,040; the doc's 1,474,560 is the 720-hour figure
    let a = finding(&f, "arith-720");
    assert_eq!(a["computed"], 1_495_040.0);
    assert!(a["diagnosis"].as_str().unwrap().contains("720"));
    // 5 pods carry the load; pinned 50 is flagged as over-provisioned (ok, with a remark)
    let pin = finding(&f, "check:1M:api/node:pinned-above-demand");
    assert_eq!(pin["verdict"], "ok");
    assert!(
        pin["diagnosis"]
            .as_str()
            .unwrap()
            .contains("over-provisioned")
    );
    headroom()
        .args(["audit", "tests/fixtures/audit.ron", "--strict"])
        .assert()
        .code(1);
    headroom()
        .args(["audit", "tests/fixtures/audit.ron"])
        .assert()
        .success();
}

#[test]
fn every_seed_scenario_audits() {
    for scenario in shipped_scenarios() {
        let output = headroom()
            .arg("audit")
            .arg(&scenario)
            .arg("--json")
            .output()
            .unwrap();
        assert!(
            output.status.success(),
            "{}: {}",
            scenario.display(),
            String::from_utf8_lossy(&output.stderr)
        );
    }
}

#[test]
fn set_overrides_any_field_with_the_same_checks() {
    // dau_ratio 0.4 -> 0.2 halves DAU: 10B x 0.3 x 0.2 = 600M
    let plan = plan_json_with(
        "scenarios/saas-10b.ron",
        &["--set", "workload.dau_ratio=0.2"],
        "saas-10b",
    );
    let ten_b = plan["phases"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["name"] == "10B")
        .unwrap();
    assert_eq!(ten_b["demand"]["dau"], 6e8);
    // a component field by name, through the policy kind
    headroom()
        .args([
            "validate",
            "scenarios/saas-10b.ron",
            "--set",
            "components.users-db.policy.headroom=0.5",
        ])
        .assert()
        .success();
    headroom()
        .args([
            "validate",
            "scenarios/saas-10b.ron",
            "--set",
            "workload.dau_ratio=1.5",
        ])
        .assert()
        .code(2)
        .stderr(predicate::str::contains(
            "dau_ratio: must be a fraction in [0, 1], got 1.5",
        ));
    headroom()
        .args([
            "validate",
            "scenarios/saas-10b.ron",
            "--set",
            "workload.dau_ratoi=0.2",
        ])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("did you mean `dau_ratio`"));
    headroom()
        .args([
            "validate",
            "scenarios/saas-10b.ron",
            "--set",
            "components.user-db.policy.headroom=1",
        ])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("no element named `user-db`"));
    headroom()
        .args([
            "validate",
            "scenarios/saas-10b.ron",
            "--set",
            "hours_per_month=\"many\"",
        ])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("hours_per_month"));
    // A policy field that does not exist (policies read unknown names without complaint):
    // refused, naming it, not silently dropped.
    headroom()
        .args([
            "validate",
            "scenarios/saas-10b.ron",
            "--set",
            "components.api.policy.cpu_ms_per_reqest=30",
        ])
        .assert()
        .code(2)
        .stderr(predicate::str::contains(
            "`components.api.policy` has no field `cpu_ms_per_reqest` (did you mean `cpu_ms_per_request`?)",
        ));
}

/// `--set` reaches optional fields the scenario leaves out (written nowhere in the file),
/// and a misspelt one is still refused by name.
#[test]
fn set_adds_an_optional_field_the_scenario_leaves_out() {
    let out = tempfile::tempdir().unwrap();
    headroom()
        .args([
            "plan",
            "scenarios/saas-10b.ron",
            "--set",
            "support_plan=\"developer\"",
            "--format",
            "json",
            "-q",
            "--out",
        ])
        .arg(out.path())
        .assert()
        .success();
    let plan: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(out.path().join("saas-10b/plan.json")).unwrap(),
    )
    .unwrap();
    // Developer support at 10K: 3% of the phase's $23,469.80 = $704.09 (above the $29
    // minimum).
    let support = plan["phases"][0]["lines"]
        .as_array()
        .unwrap()
        .iter()
        .find(|l| l["component"] == "support")
        .expect("a support line");
    assert_eq!(support["monthly_usd"], 704.09);
    headroom()
        .args([
            "validate",
            "scenarios/saas-10b.ron",
            "--set",
            "suport_plan=\"developer\"",
        ])
        .assert()
        .code(2)
        .stderr(predicate::str::contains(
            "--set suport_plan: `the scenario` has no field `suport_plan` (did you mean `support_plan`?)",
        ));
}

/// `--set` adds the structures missing on its path: a pin for a phase the scenario does not
/// pin yet; a misspelt segment on the way is refused by name.
#[test]
fn set_pins_a_phase_the_scenario_does_not_pin() {
    let plan = plan_json_with(
        "scenarios/qui-browser.ron",
        &["--set", "components.api.pinned.50M.node=60"],
        "qui-browser",
    );
    // 60 x $0.384/h (the doc's m5.2xlarge price) x 730 h = $16,819.20; demand needs 125.
    let api = line(&plan, "50M", "api", "node");
    assert_eq!(api["count"], 60);
    assert_eq!(api["pinned"], true);
    assert_eq!(api["monthly_usd"], 16_819.2);
    // The file's own pin at 5M is kept.
    assert_eq!(line(&plan, "5M", "api", "node")["count"], 50);
    headroom()
        .args([
            "validate",
            "scenarios/qui-browser.ron",
            "--set",
            "components.api.pinnned.50M.node=60",
        ])
        .assert()
        .code(2)
        .stderr(predicate::str::contains(
            "--set components.api.pinnned.50M.node: `components.api` has no field `pinnned` (did you mean `pinned`?)",
        ));
}

#[test]
fn diff_ranks_changes_by_cost() {
    let out = headroom()
        .args([
            "diff",
            "scenarios/saas-10b.ron",
            "--set-b",
            "components.api.policy.rps_per_pod=1000",
            "--json",
        ])
        .assert()
        .success()
        .get_output()
        .stdout
        .clone();
    let d: Value = serde_json::from_slice(&out).unwrap();
    let ten_b = d["phases"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["phase"] == "10B")
        .unwrap();
    let lines = ten_b["lines"].as_array().unwrap();
    // twice the requests per pod: about half the api nodes, the biggest change; a node costs
    // 730 h x $0.68 (us-east-1), $0.7296 (eu-west-1) or $0.784 (ap-southeast-1) a month,
    // $496.40 .. $572.32
    assert_eq!(lines[0]["component"], "api");
    assert_eq!(lines[0]["item"], "node");
    let (a, b) = (
        lines[0]["count_a"].as_f64().unwrap(),
        lines[0]["count_b"].as_f64().unwrap(),
    );
    assert!(b < a * 0.51 && b > a * 0.49, "{a} -> {b}");
    let delta = lines[0]["monthly_usd_delta"].as_f64().unwrap();
    assert!(
        delta <= (b - a) * 496.4 && delta >= (b - a) * 572.32,
        "{delta} for {} nodes",
        b - a
    );
    let deltas: Vec<f64> = lines
        .iter()
        .map(|l| l["monthly_usd_delta"].as_f64().unwrap().abs())
        .collect();
    assert!(
        deltas.windows(2).all(|w| w[0] >= w[1]),
        "not sorted by impact: {deltas:?}"
    );
    // the CDN does not depend on pods: unchanged, so absent
    assert!(!lines.iter().any(|l| l["component"] == "cdn"));
    headroom()
        .args([
            "diff",
            "scenarios/saas-10b.ron",
            "scenarios/maxbooster-10b.ron",
            "--markdown",
        ])
        .assert()
        .success()
        .stdout(predicate::str::contains("# Diff"));
}

#[test]
fn timeline_thresholds_step_ups_and_budget() {
    let out = tempfile::tempdir().unwrap();
    headroom()
        .args(["timeline", "scenarios/saas-10b.ron", "-q", "--out"])
        .arg(out.path())
        .assert()
        .success();
    let t: Value = serde_json::from_str(
        &std::fs::read_to_string(out.path().join("saas-10b/timeline/timeline.json")).unwrap(),
    )
    .unwrap();
    let months = t["months"].as_array().unwrap();
    assert_eq!(months.len(), 121);
    // logistic: 1.2e10 / (1 + e^(-0.2 (0 - 72))) = 1.2e10 / (1 + e^14.4) = 6,689 users at month 0
    assert_eq!(months[0]["users"], 6_689);
    assert_eq!(months[0]["label"], "2027-01");
    // 10K is first reached in month 3: 1.2e10 / (1 + e^(0.2 x 69)) = 12,188 (month 2: 9,978)
    let th = t["thresholds"].as_array().unwrap();
    assert_eq!(th[0]["phase"], "10K");
    assert_eq!(th[0]["month"], 3);
    // users-db has a 3-month lead time: every step-up starts 3 months before it is live
    let steps = t["step_ups"].as_array().unwrap();
    let db = steps.iter().find(|s| s["component"] == "users-db").unwrap();
    assert_eq!(
        db["start_work_month"].as_i64().unwrap(),
        db["month"].as_i64().unwrap() - 3
    );
    // stateless api nodes autoscale: no step-up events
    assert!(!steps.iter().any(|s| s["component"] == "api"));
    // budget $20M: every month above it is listed
    for o in t["over_budget"].as_array().unwrap() {
        assert!(o["monthly_usd"].as_f64().unwrap() > 20_000_000.0);
    }
    assert!(out.path().join("saas-10b/timeline/timeline.csv").exists());
    headroom()
        .args(["timeline", "tests/fixtures/audit.ron"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("a timeline needs a growth curve"));
}

#[test]
fn another_provider_reprices_and_reports_unpriced_lines() {
    // its own folder: the AWS plan is not overwritten
    let plan = plan_json_with(
        "scenarios/saas-10b.ron",
        &["--provider", "gcp"],
        "saas-10b-gcp",
    );
    assert_eq!(plan["provider"], "gcp");
    // Every region bills at its own prices, and the GCP tables price no region that
    // eu-west-1 maps to: the api nodes are unpriced there, named with each region's key.
    let node = line(&plan, "10B", "api", "node");
    assert_eq!(node["price_given_by"], "unpriced");
    assert!(
        node["price_source"].as_str().unwrap().contains("eu-west-1"),
        "{}",
        node["price_source"]
    );
    assert_eq!(
        node["price_key"],
        "ec2/c6i.4xlarge/us-east-1, ec2/c6i.4xlarge/eu-west-1, ec2/c6i.4xlarge/ap-southeast-1"
    );
    // A one-region (us-east-1) scenario maps its instances to GCP's equivalents: a gce price,
    // never the AWS one.
    let qui = plan_json_with(
        "scenarios/qui-browser.ron",
        &["--provider", "gcp"],
        "qui-browser-gcp",
    );
    let node = line(&qui, "5M", "api", "node");
    assert!(
        node["price_key"].as_str().unwrap().starts_with("gce/"),
        "{}",
        node["price_key"]
    );
    assert_eq!(node["billed"], true);
    // MSK has no GCP equivalent in the tables: unpriced (never a silent $0) and named
    let broker = line(&plan, "10B", "events", "broker");
    assert_eq!(broker["price_given_by"], "unpriced");
    let phase = plan["phases"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["name"] == "10B")
        .unwrap();
    assert!(
        phase["unpriced"]
            .as_array()
            .unwrap()
            .iter()
            .any(|u| u == "events/broker")
    );
    assert!(plan["warnings"].as_array().unwrap().iter().any(|w| {
        w.as_str()
            .unwrap()
            .contains("events/broker is unpriced on gcp")
    }));
    // the comparison: three providers, totals per phase
    let out = headroom()
        .args(["providers", "scenarios/saas-10b.ron", "--json"])
        .assert()
        .success()
        .get_output()
        .stdout
        .clone();
    let c: Value = serde_json::from_slice(&out).unwrap();
    let names: Vec<&str> = c["providers"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["provider"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["aws", "gcp", "azure"]);
    assert_eq!(c["differences"].as_array().unwrap().len(), 2);
    headroom()
        .args(["plan", "scenarios/saas-10b.ron", "--provider", "oracle"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains(
            "no price tables for provider `oracle`",
        ));
}

#[test]
fn pricing_tools_list_show_and_check() {
    headroom()
        .args(["pricing", "list"])
        .assert()
        .success()
        .stdout(predicate::str::contains("aws").and(predicate::str::contains("gcp")));
    headroom()
        .args(["pricing", "show", "m5.2xlarge"])
        .assert()
        .success()
        .stdout(predicate::str::contains("0.384"));
    headroom()
        .args(["pricing", "show", "m5.2xlarg"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("did you mean `m5.2xlarge`"));
    // the shipped tables have no errors (old prices are warnings)
    headroom()
        .args(["pricing", "check"])
        .assert()
        .success()
        .stderr(predicate::str::contains("0 errors"));
}

#[test]
fn auto_selection_picks_the_cheapest_fitting_shape() {
    let plan = plan_json("scenarios/saas-10b-auto.ron");
    for phase in plan["phases"].as_array().unwrap() {
        let selections = phase["selections"].as_array().unwrap();
        assert_eq!(
            selections.len(),
            5,
            "users-db, pgbouncer, sessions-cache, api, events are auto"
        );
        for s in selections {
            let chosen = &s["chosen"];
            let cost = chosen["monthly_usd"].as_f64().unwrap();
            for alt in s["alternatives"].as_array().unwrap() {
                assert!(alt["monthly_usd"].as_f64().unwrap() >= cost, "{s}");
            }
            for r in s["rejected"].as_array().unwrap() {
                assert!(!r["reason"].as_str().unwrap().is_empty());
            }
            // the lines use the chosen shape
            let component = s["component"].as_str().unwrap();
            let used: Vec<&str> = phase["lines"]
                .as_array()
                .unwrap()
                .iter()
                .filter(|l| l["component"] == component && l["count_unit"] == "instances")
                .filter_map(|l| l["instance"].as_str())
                .collect();
            assert!(
                used.iter().all(|i| *i == chosen["instance"]),
                "{component}: {used:?}"
            );
        }
    }
    // At 10B the 500-node cap per region rules out the small cache nodes: 2,004 cache.r6g.large
    // would be needed in us-east-1 alone.
    let ten_b = plan["phases"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["name"] == "10B")
        .unwrap();
    let cache = ten_b["selections"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["component"] == "sessions-cache")
        .unwrap();
    let limited = cache["rejected"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["instance"] == "cache.r6g.large")
        .unwrap();
    assert_eq!(limited["constraint"], "node-count limit");
    headroom()
        .args([
            "explain",
            "scenarios/saas-10b-auto.ron",
            "--phase",
            "10B",
            "--component",
            "sessions-cache",
        ])
        .assert()
        .success()
        .stdout(predicate::str::contains("instance \"auto\": chose"))
        .stdout(predicate::str::contains("runner-up"));
}

/// The API tier's selection in `phase` of saas-10b-auto, with `--set` overrides.
fn api_selection(sets: &[&str], phase: &str) -> Value {
    let mut args = Vec::new();
    for set in sets {
        args.extend(["--set", *set]);
    }
    let plan = plan_json_with("scenarios/saas-10b-auto.ron", &args, "saas-10b-auto");
    let phase = plan["phases"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["name"] == phase)
        .unwrap()
        .clone();
    phase["selections"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["component"] == "api")
        .unwrap()
        .clone()
}

#[test]
fn auto_selection_trades_cpu_against_memory() {
    // Pods of 2 vCPU and 1 GiB: vCPU binds on every shape, and compute-optimised shapes
    // sell vCPU cheapest.
    let cpu = api_selection(&["components.api.policy.pod_memory_gib=1"], "1B");
    assert!(
        cpu["chosen"]["instance"].as_str().unwrap().starts_with('c'),
        "{cpu}"
    );
    assert_eq!(cpu["chosen"]["binding"], "cpu");
    // Pods of 0.25 vCPU and 6 GiB: memory binds, and general-purpose shapes (4 GiB a vCPU,
    // against 2 on compute-optimised ones) sell memory cheapest.
    let memory = api_selection(
        &[
            "components.api.policy.pod_vcpu=0.25",
            "components.api.policy.pod_memory_gib=6",
        ],
        "1B",
    );
    assert!(
        memory["chosen"]["instance"]
            .as_str()
            .unwrap()
            .starts_with('m'),
        "{memory}"
    );
    assert_eq!(memory["chosen"]["binding"], "memory");
    // every rejected shape names the resource or limit that ruled it out
    for s in [&cpu, &memory] {
        for r in s["rejected"].as_array().unwrap() {
            let constraint = r["constraint"].as_str().unwrap();
            assert!(
                ["vCPU", "memory", "connections", "node-count limit", "price"]
                    .contains(&constraint),
                "{r}"
            );
            if constraint == "node-count limit" {
                assert!(
                    r["reason"].as_str().unwrap().contains("count bound by"),
                    "{r}"
                );
            }
        }
    }
}

#[test]
fn auto_selection_explains_when_nothing_fits() {
    headroom()
        .args([
            "validate",
            "scenarios/saas-10b-auto.ron",
            "--set",
            "components.api.policy.auto.max_nodes=2",
        ])
        .assert()
        .code(2)
        .stderr(predicate::str::contains(
            "`api`: instance \"auto\": no catalog shape fits in phase",
        ))
        .stderr(predicate::str::contains("node-count limit"))
        .stderr(predicate::str::contains("raise auto.max_nodes"));
    headroom()
        .args([
            "validate",
            "scenarios/saas-10b-auto.ron",
            "--set",
            // more than the largest allowed shape (c7i.48xlarge, 192 vCPU) has
            "components.api.policy.pod_vcpu=200",
        ])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("by vCPU"));
}

#[test]
fn plan_formats_and_report_sections() {
    let out = tempfile::tempdir().unwrap();
    headroom()
        .args([
            "plan",
            "scenarios/maxbooster-10b.ron",
            "-q",
            "--format",
            "json,csv",
            "--out",
        ])
        .arg(out.path())
        .assert()
        .success();
    assert_eq!(
        files_under(out.path()),
        [
            "maxbooster-10b/.headroom-manifest",
            "maxbooster-10b/by_component.csv",
            "maxbooster-10b/costs.csv",
            "maxbooster-10b/plan.json"
        ]
    );
    headroom()
        .args(["plan", "scenarios/saas-10b.ron", "--format", "tfvar"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("did you mean `tfvars`"));
    // the default writes everything; the report carries the doc's audit and the timeline
    let out = tempfile::tempdir().unwrap();
    headroom()
        .args(["plan", "scenarios/maxbooster-10b.ron", "-q", "--out"])
        .arg(out.path())
        .assert()
        .success();
    let html = std::fs::read_to_string(out.path().join("maxbooster-10b/report.html")).unwrap();
    assert!(
        html.contains("<section id=\"audit\">") && html.contains("003-cdn-monthly"),
        "no audit section"
    );
    assert!(
        html.contains("<section id=\"timeline\">") && html.contains("Phase thresholds"),
        "no timeline section"
    );
    let md = std::fs::read_to_string(out.path().join("maxbooster-10b/report.md")).unwrap();
    assert!(md.contains("## Audit of the design doc") && md.contains("## Timeline"));
    for f in [
        "charts/cost_by_component.png",
        "tfvars/10B.tfvars",
        "tfvars/variables.tf",
    ] {
        assert!(out.path().join("maxbooster-10b").join(f).exists(), "{f}");
    }
    // the timeline command draws its chart
    headroom()
        .args(["timeline", "scenarios/maxbooster-10b.ron", "-q", "--out"])
        .arg(out.path())
        .assert()
        .success();
    let png = std::fs::read(out.path().join("maxbooster-10b/timeline/timeline.png")).unwrap();
    assert_eq!(&png[..8], b"\x89PNG\r\n\x1a\n");
    let svg =
        std::fs::read_to_string(out.path().join("maxbooster-10b/timeline/timeline.svg")).unwrap();
    assert!(svg.contains("monthly cost and users over time") && svg.contains("work ("));
}

#[test]
fn report_shows_instance_choices_providers_and_cluster_limits() {
    let out = tempfile::tempdir().unwrap();
    headroom()
        .args([
            "plan",
            "scenarios/saas-10b-auto.ron",
            "-q",
            "--format",
            "report",
            "--out",
        ])
        .arg(out.path())
        .assert()
        .success();
    let html = std::fs::read_to_string(out.path().join("saas-10b-auto/report.html")).unwrap();
    assert!(html.contains("<section id=\"instances\">") && html.contains("runners-up"));
    assert!(html.contains("<section id=\"providers\">") && html.contains("gcp"));
    // seed 000 pins 1,000 masters + 1,000 replicas at 10B in one global deployment
    let f = audit_findings(&["audit", "scenarios/maxbooster-redis-cdn.ron", "--json"]);
    let limit = finding(&f, "check:10B:redis:global:cluster-size");
    assert_eq!(limit["verdict"], "wrong");
    assert_eq!(limit["claimed"], 2000.0);
    assert!(
        limit["diagnosis"]
            .as_str()
            .unwrap()
            .contains("above the 500-node limit")
    );
}

#[test]
fn seed_plans_show_the_correct_arithmetic() {
    // seed 004: 50 x m5.2xlarge x $0.384/h x 730 h = $14,016/month (the doc writes $14,000)
    let plan = plan_json("scenarios/qui-browser.ron");
    let api = line(&plan, "5M", "api", "node");
    assert_eq!(api["count"], 50);
    assert_eq!(api["pinned"], true);
    assert_eq!(api["monthly_usd"], 14_016.0);
    assert_eq!(api["price_given_by"], "scenario");
    // seed 003: 500 PB x $0.085/GB = 500,000,000 GB x 0.085 = $42,500,000 list (doc: $42,500)
    let plan = plan_json("scenarios/maxbooster-10b.ron");
    let cdn = line(&plan, "10B", "cdn", "edge-egress");
    assert_eq!(cdn["list_monthly_usd"], 42_500_000.0);
    // -30% committed use: x 0.70 = $29,750,000
    assert_eq!(cdn["monthly_usd"], 29_750_000.0);
    // 4,096 database nodes x $0.50/h x 730 h = $1,495,040 list (the doc's 720 h gives 1,474,560)
    let db: f64 = ["primary", "read-replica", "geo-replica"]
        .iter()
        .map(|i| {
            line(&plan, "10B", "users-db", i)["list_monthly_usd"]
                .as_f64()
                .unwrap()
        })
        .sum();
    assert!((db - 1_495_040.0).abs() < 0.01, "{db}");
    // the doc pins 1,024 shards; demand needs fewer, and the plan says so
    let primary = line(&plan, "10B", "users-db", "primary");
    assert_eq!(primary["count"], 1024);
    assert!(primary["derived_count"].as_u64().unwrap() < 1024);
}
