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
    let price = format!(
        "components.api.prices.node.usd={}",
        node_price_for_rise(0.12)
    );
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
    let out = gate("10%")
        .arg("--json")
        .assert()
        .code(1)
        .get_output()
        .stdout
        .clone();
    let d = json_of(&out);
    assert_eq!(d["schema_version"], 1);
    let verdict = &d["gate"]["phases"][0];
    let rise = verdict["monthly_usd_delta"].as_f64().unwrap();
    let total_a = verdict["monthly_usd_a"].as_f64().unwrap();
    assert!((rise / total_a - 0.12).abs() < 1e-4, "{rise} / {total_a}");
    assert_eq!(d["gate"]["threshold"]["percent"], 10.0);
    // The fields CI jobs read under schema_version 1: present in every release (more may be
    // added; renaming or removing one raises the version).
    let keys = |v: &Value| -> Vec<String> { v.as_object().unwrap().keys().cloned().collect() };
    for (value, fields) in [
        (&d, &["schema_version", "a", "b", "phases", "gate"][..]),
        (
            &d["phases"][0],
            &[
                "phase",
                "users_a",
                "users_b",
                "monthly_usd_a",
                "monthly_usd_b",
                "monthly_usd_delta",
                "monthly_change",
                "lines",
            ][..],
        ),
        (
            &d["phases"][0]["lines"][0],
            &[
                "component",
                "item",
                "count_a",
                "count_b",
                "count_delta",
                "monthly_usd_a",
                "monthly_usd_b",
                "monthly_usd_delta",
                "unpriced_a",
                "unpriced_b",
                "change",
            ][..],
        ),
        (&d["gate"], &["threshold", "phase", "phases", "failed"][..]),
        (
            &d["gate"]["phases"][0],
            &[
                "phase",
                "monthly_usd_a",
                "monthly_usd_b",
                "monthly_usd_delta",
                "monthly_change",
                "above",
                "moved_most",
            ][..],
        ),
    ] {
        let have = keys(value);
        for f in fields {
            assert!(have.iter().any(|h| h == f), "`{f}` missing from {have:?}");
        }
    }
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
    assert!(
        md.contains("**cost gate passed: no rise above --fail-above 50%"),
        "{md}"
    );
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

fn check_json(args: &[&str], code: i32) -> Value {
    let out = headroom()
        .arg("check")
        .args(args)
        .arg("--json")
        .assert()
        .code(code)
        .get_output()
        .stdout
        .clone();
    json_of(&out)
}

fn line<'a>(c: &'a Value, component: &str, item: &str) -> &'a Value {
    c["lines"]
        .as_array()
        .unwrap()
        .iter()
        .find(|l| l["component"] == component && l["item"] == item)
        .unwrap_or_else(|| panic!("no line {component}/{item}"))
}

#[test]
fn a_fleet_20_percent_short_on_one_component_fails_and_names_it() {
    let fleet = "tests/fixtures/fleet/saas-10b-100m-short.csv";
    headroom()
        .args([
            "check",
            "scenarios/saas-10b.ron",
            "--fleet",
            fleet,
            "--phase",
            "100M",
        ])
        .assert()
        .code(1)
        .stdout(predicate::str::contains("short: users-db/read-replica"));
    let c = check_json(
        &[
            "scenarios/saas-10b.ron",
            "--fleet",
            fleet,
            "--phase",
            "100M",
        ],
        1,
    );
    assert_eq!(c["schema_version"], 1);
    assert_eq!(c["short"], serde_json::json!(["users-db/read-replica"]));
    // 8 of the plan's 10: 2 short
    let replicas = line(&c, "users-db", "read-replica");
    assert_eq!(replicas["status"], "short");
    assert_eq!(replicas["shortfall"], 2.0);
    // primaries in three rows (one per region) add up to the plan's 6, 2 in each region
    let primaries = line(&c, "users-db", "primary");
    assert_eq!(primaries["fleet_count"], 6);
    assert_eq!(primaries["status"], "within");
    assert_eq!(primaries["regions"].as_array().unwrap().len(), 3);
    assert_eq!(primaries["regions"][0]["region"], "ap-southeast-1");
    assert_eq!(primaries["regions"][0]["plan_count"], 2);
    assert_eq!(primaries["regions"][0]["status"], "within");
    // 130 api nodes for 106: 24 c6i.4xlarge over. The fleet's rows name no region, so the
    // excess is priced at the line's mean node price: the 106 cost (42 x $0.68 us-east-1 +
    // 37 x $0.7296 eu-west-1 + 27 x $0.784 ap-southeast-1) x 730 h = $56,007.94 a month,
    // $528.38 each; x 24 = $12,681.04
    let nodes = line(&c, "api", "node");
    assert_eq!(nodes["status"], "over");
    assert_eq!(nodes["excess_monthly_usd"], 12_681.04);
    assert_eq!(c["excess_monthly_usd"], 12_681.04);
    // 7 cache.r6g.2xlarge stand for cache.r6g.xlarge by the resource that binds the masters,
    // memory: usable 52.82 / 26.32 GiB = 2.0069 each, 7 x 2.0069 = 14.05
    let masters = line(&c, "sessions-cache", "master");
    assert_eq!(masters["status"], "within");
    let equivalent = masters["fleet_equivalent"].as_f64().unwrap();
    assert!(
        (equivalent - 7.0 * 52.82 / 26.32).abs() < 1e-9,
        "{equivalent}"
    );
    assert_eq!(masters["shapes"][0]["resource"], "memory_gib");
    // a tolerance of 25% lets 8 of 10 pass
    check_json(
        &[
            "scenarios/saas-10b.ron",
            "--fleet",
            fleet,
            "--phase",
            "100M",
            "--tolerance",
            "25%",
        ],
        0,
    );
}

#[test]
fn a_region_short_fails_even_when_the_total_is_not() {
    // 100M needs 2 primaries in each of 3 regions; 4 + 2 + 0 is 6 in all, none in Asia
    // (standbys and replicas name no region: compared in total only)
    let dir = tempfile::tempdir().unwrap();
    let csv = dir.path().join("fleet.csv");
    std::fs::write(
        &csv,
        "component,item,instance,count,region\n\
         users-db,primary,db.r6g.2xlarge,4,us-east-1\n\
         users-db,primary,db.r6g.2xlarge,2,eu-west-1\n\
         users-db,standby,db.r6g.2xlarge,6,\n\
         users-db,read-replica,db.r6g.2xlarge,10,\n",
    )
    .unwrap();
    let c = check_json(
        &[
            "scenarios/saas-10b.ron",
            "--phase",
            "100M",
            "--fleet",
            csv.to_str().unwrap(),
        ],
        1,
    );
    assert_eq!(
        c["short"],
        serde_json::json!(["users-db/primary (in ap-southeast-1)"])
    );
    let primaries = line(&c, "users-db", "primary");
    assert_eq!(primaries["fleet_equivalent"], 6.0);
    let statuses: Vec<&str> = primaries["regions"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["status"].as_str().unwrap())
        .collect();
    // ap-southeast-1 0 of 2, eu-west-1 2 of 2, us-east-1 4 of 2
    assert_eq!(statuses, ["short", "within", "over"]);
    std::fs::write(
        &csv,
        "component,item,instance,count,region\nusers-db,primary,,6,us-east1\n",
    )
    .unwrap();
    headroom()
        .args([
            "check",
            "scenarios/saas-10b.ron",
            "--phase",
            "100M",
            "--fleet",
        ])
        .arg(&csv)
        .assert()
        .code(2)
        .stderr(predicate::str::contains(
            "2:1: region `us-east1` is not one of the scenario's (did you mean `us-east-1`?)",
        ));
}

#[test]
fn a_terraform_plan_is_read_by_resource_type_and_the_rest_listed_as_ignored() {
    // The fixture is written by hand from HashiCorp's published JSON output format
    // (Terraform is not installable here): see tests/fixtures/fleet/README.md.
    let c = check_json(
        &[
            "scenarios/saas-10b.ron",
            "--fleet",
            "tests/fixtures/fleet/saas-10b-10m.plan.json",
            "--phase",
            "10M",
        ],
        0,
    );
    assert_eq!(c["fleet_format"], "terraform-plan");
    // aws_db_instance x 3 with multi_az: 3 primaries and 3 standbys; 3 more with
    // replicate_source_db: read replicas (claimed by the only Postgres component)
    assert_eq!(line(&c, "users-db", "primary")["fleet_count"], 3);
    assert_eq!(line(&c, "users-db", "standby")["fleet_count"], 3);
    assert_eq!(line(&c, "users-db", "read-replica")["fleet_count"], 3);
    // 3 primaries x 300 GB allocated = 900 GB for the plan's 720 (storage headroom 0.2, apart
    // from compute headroom): 180 GB x $0.115 = $20.70
    let storage = line(&c, "users-db", "storage");
    assert_eq!(storage["fleet_count"], 900);
    assert_eq!(storage["status"], "over");
    assert_eq!(storage["excess_monthly_usd"], 20.7);
    // three replication groups (tagged headroom:component) of 3 node groups x 1 replica
    assert_eq!(line(&c, "sessions-cache", "master")["fleet_count"], 9);
    assert_eq!(line(&c, "sessions-cache", "replica")["fleet_count"], 9);
    assert_eq!(line(&c, "sessions-cache", "clusters")["fleet_count"], 3);
    // EKS scaling_config desired_size; ASG desired_capacity; MSK brokers x volume_size
    assert_eq!(line(&c, "api", "node")["fleet_count"], 12);
    assert_eq!(line(&c, "pgbouncer", "pooler")["fleet_count"], 6);
    assert_eq!(line(&c, "events", "broker")["fleet_count"], 9);
    assert_eq!(line(&c, "events", "storage")["fleet_count"], 36_000);
    let ignored: Vec<&str> = c["ignored"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["what"].as_str().unwrap())
        .collect();
    assert_eq!(
        ignored,
        [
            "aws_s3_bucket.media",
            "aws_rds_cluster.analytics",
            "aws_instance.bastion"
        ]
    );
    assert!(
        c["ignored"][0]["reason"]
            .as_str()
            .unwrap()
            .contains("not one headroom reads")
    );
}

#[test]
fn malformed_fleets_are_bad_input_with_file_and_position() {
    let dir = tempfile::tempdir().unwrap();
    let broken = dir.path().join("plan.json");
    std::fs::write(
        &broken,
        "{\n  \"format_version\": \"1.2\",\n  \"resource_changes\": [\n    {,}\n",
    )
    .unwrap();
    headroom()
        .args([
            "check",
            "scenarios/saas-10b.ron",
            "--phase",
            "10M",
            "--fleet",
        ])
        .arg(&broken)
        .assert()
        .code(2)
        .stderr(predicate::str::contains(format!(
            "{}:4:6: not valid JSON",
            broken.display()
        )));
    let csv = dir.path().join("fleet.csv");
    std::fs::write(
        &csv,
        "component,item,instance,count,region\napi,node,c6i.4xlarge,twelve,\n",
    )
    .unwrap();
    headroom()
        .args([
            "check",
            "scenarios/saas-10b.ron",
            "--phase",
            "10M",
            "--fleet",
        ])
        .arg(&csv)
        .assert()
        .code(2)
        .stderr(predicate::str::contains(format!(
            "{}:2:1: bad inventory row",
            csv.display()
        )));
    std::fs::write(
        &csv,
        "component,item,instance,count,region\napi,nodes,,1,\n",
    )
    .unwrap();
    headroom()
        .args([
            "check",
            "scenarios/saas-10b.ron",
            "--phase",
            "10M",
            "--fleet",
        ])
        .arg(&csv)
        .assert()
        .code(2)
        .stderr(predicate::str::contains(
            "`api` has no line `nodes` (did you mean `node`?)",
        ));
    std::fs::write(&csv, "component,item,instance,count,region\napp,node,,1,\n").unwrap();
    headroom()
        .args([
            "check",
            "scenarios/saas-10b.ron",
            "--phase",
            "10M",
            "--fleet",
        ])
        .arg(&csv)
        .assert()
        .code(2)
        .stderr(predicate::str::contains("no component `app`"));
    let future = dir.path().join("future.json");
    std::fs::write(
        &future,
        r#"{"format_version": "2.0", "resource_changes": []}"#,
    )
    .unwrap();
    headroom()
        .args([
            "check",
            "scenarios/saas-10b.ron",
            "--phase",
            "10M",
            "--fleet",
        ])
        .arg(&future)
        .assert()
        .code(2)
        .stderr(predicate::str::contains("format 2.0 is not supported"));
}

#[test]
fn the_tfvars_plan_writes_pass_check_for_their_phase() {
    for scenario in ["saas-10b", "qui-browser"] {
        let out = tempfile::tempdir().unwrap();
        headroom()
            .args([
                "plan",
                &format!("scenarios/{scenario}.ron"),
                "-q",
                "--format",
                "tfvars",
                "--out",
            ])
            .arg(out.path())
            .assert()
            .success();
        let dir = out.path().join(scenario).join("tfvars");
        let mut files: Vec<_> = std::fs::read_dir(&dir)
            .unwrap()
            .map(|e| e.unwrap().path())
            .filter(|p| p.to_string_lossy().contains(".tfvars"))
            .collect();
        files.sort();
        assert!(files.len() >= 8, "{files:?}");
        for file in files {
            // the phase comes from the file's headroom_phase
            let c = check_json(
                &[
                    &format!("scenarios/{scenario}.ron"),
                    "--fleet",
                    file.to_str().unwrap(),
                ],
                0,
            );
            let name = file.file_name().unwrap().to_string_lossy().to_string();
            assert_eq!(
                c["phase"].as_str().unwrap(),
                name.split('.').next().unwrap()
            );
            let lines = c["lines"].as_array().unwrap();
            assert!(lines.len() > 10, "{name}");
            for l in lines {
                assert_eq!(l["status"], "within", "{name}: {l}");
                assert_eq!(l["fleet_count"], l["plan_count"], "{name}: {l}");
            }
        }
    }
}

fn capacity_json(args: &[&str]) -> Value {
    let out = headroom()
        .arg("capacity")
        .args(args)
        .arg("--json")
        .assert()
        .success()
        .get_output()
        .stdout
        .clone();
    json_of(&out)
}

fn runout<'a>(c: &'a Value, component: &str) -> &'a Value {
    c["runouts"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["component"] == component)
        .unwrap_or_else(|| panic!("no runout of {component}"))
}

#[test]
fn reverse_sizing_of_a_phase_plan_serves_the_phase_and_names_what_binds() {
    for (phase, users) in [
        ("10K", 10_000u64),
        ("1M", 1_000_000),
        ("100M", 100_000_000),
        ("10B", 10_000_000_000),
    ] {
        let c = capacity_json(&["scenarios/saas-10b.ron", "--phase", phase]);
        assert!(c["max_users"].as_u64().unwrap() >= users, "{phase}: {c}");
        let first = &c["runouts"][0];
        assert!(
            first["item"].is_string() && first["resource"].is_string(),
            "{first}"
        );
        assert_eq!(first["max_users"], c["max_users"]);
        assert!(c["warnings"].as_array().unwrap().is_empty());
    }
    let c = capacity_json(&["scenarios/saas-10b.ron", "--phase", "1M"]);
    // 1M's api runs 3 c6i.4xlarge per region (one per zone; 4 pods per node). Peak load is
    // 833.33 requests/s per million users; us-east-1 serves 0.4 of it, a pod takes
    // 500 x 0.6 = 300 requests/s, and 3 zones survive the loss of 1 (x 3/2): pods =
    // ceil(833.33e-6 x u x 0.4 x 1.5 / 300) = ceil(u / 600,000). Three nodes hold 12 pods, so
    // us-east-1 needs a 4th node (10 in all, for the fleet's 9) past u = 7,200,000 users.
    let api = &c["runouts"][0];
    assert_eq!(api["component"], "api");
    assert_eq!(api["item"], "node");
    // What ran out is what grew: the nodes us-east-1's pods need at the scenario's 4 pods per
    // node (the other two regions stay at their one-node-per-zone minimum).
    assert_eq!(api["resource"], "stated-pods-per-node");
    assert_eq!(c["max_users"], 7_200_000);
    assert_eq!(
        (api["need"].as_u64(), api["fleet"].as_f64()),
        (Some(10), Some(9.0))
    );
    // The logistic curve 1.2e10 / (1 + e^(-0.2 (m - 72))) first passes 7.2M users when
    // e^(-0.2 (m - 72)) < 1,665.67, m > 72 - ln(1,665.67) / 0.2 = 34.9: month 35, 2027-01 + 35
    // months
    assert_eq!(api["month"], 35);
    assert_eq!(api["label"], "2029-12");
    assert_eq!(api["start_work_month"], 35);
    // users-db states a 3-month lead time: its work starts 3 months before it runs out
    let db = runout(&c, "users-db");
    assert_eq!(db["lead_time_months"], 3);
    assert_eq!(
        db["start_work_month"].as_i64().unwrap(),
        db["month"].as_i64().unwrap() - 3
    );
    // the first and the next three
    assert!(c["runouts"].as_array().unwrap().len() >= 4);
    let text = headroom()
        .args(["capacity", "scenarios/saas-10b.ron", "--phase", "1M"])
        .assert()
        .success()
        .get_output()
        .stdout
        .clone();
    let text = String::from_utf8(text).unwrap();
    assert!(text.contains("at most 7,200,000 users"), "{text}");
    assert!(
        text.contains("runs out first: api/node (stated-pods-per-node)"),
        "{text}"
    );
    assert!(
        text.contains("then: users-db, sessions-cache, events"),
        "{text}"
    );
}

#[test]
fn reverse_sizing_of_a_fleet_file() {
    // The phase's tfvars read back are the phase's own fleet: the same answer.
    let out = tempfile::tempdir().unwrap();
    headroom()
        .args([
            "plan",
            "scenarios/saas-10b.ron",
            "-q",
            "--format",
            "tfvars",
            "--out",
        ])
        .arg(out.path())
        .assert()
        .success();
    let tfvars = out.path().join("saas-10b/tfvars/1M.tfvars");
    let c = capacity_json(&[
        "scenarios/saas-10b.ron",
        "--fleet",
        tfvars.to_str().unwrap(),
    ]);
    assert_eq!(c["max_users"], 7_200_000);
    // 8 read replicas where 100M needs 10: the fleet serves fewer than 100M, and the
    // replicas run out first
    let c = capacity_json(&[
        "scenarios/saas-10b.ron",
        "--fleet",
        "tests/fixtures/fleet/saas-10b-100m-short.csv",
    ]);
    assert!(c["max_users"].as_u64().unwrap() < 100_000_000, "{c}");
    assert_eq!(c["runouts"][0]["component"], "users-db");
    assert_eq!(c["runouts"][0]["item"], "read-replica");
    headroom()
        .args(["capacity", "scenarios/saas-10b.ron"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("--phase P"));
}

#[test]
fn a_phase_pinned_below_demand_is_said_not_to_serve_itself() {
    // maxbooster-10b pins 5 poolers at 10B where demand needs 10 (plan warns so too)
    let c = capacity_json(&["scenarios/maxbooster-10b.ron", "--phase", "10B"]);
    assert_eq!(c["runouts"][0]["component"], "pgbouncer");
    assert!(c["max_users"].as_u64().unwrap() < 10_000_000_000);
    let w = c["warnings"][0].as_str().unwrap();
    assert!(w.contains("serves fewer users than the phase's"), "{w}");
}

mod never_panic {
    //! Fleet files of every shape: read, checked and reverse-sized without a panic; what is
    //! refused is refused as bad input.

    use std::path::Path;

    use headroom::fleet::{Fleet, inventory, terraform};
    use headroom::input::{Scenario, load_scenario};
    use proptest::prelude::*;
    use serde_json::json;

    use crate::support::root;

    fn scenario() -> &'static Scenario {
        static S: std::sync::OnceLock<Scenario> = std::sync::OnceLock::new();
        S.get_or_init(|| load_scenario(&root().join("scenarios/saas-10b.ron")).unwrap())
    }

    fn number() -> impl Strategy<Value = serde_json::Value> {
        prop_oneof![
            (0u64..20).prop_map(|n| json!(n)),
            any::<u64>().prop_map(|n| json!(n)),
            any::<i64>().prop_map(|n| json!(n)),
            (-1e20f64..1e20).prop_map(|x| json!(x)),
            Just(json!(null)),
            Just(json!("12")),
        ]
    }

    fn resource() -> impl Strategy<Value = serde_json::Value> {
        (
            prop::sample::select(vec![
                "aws_db_instance",
                "aws_rds_cluster",
                "aws_elasticache_replication_group",
                "aws_eks_node_group",
                "aws_autoscaling_group",
                "aws_msk_cluster",
                "aws_instance",
                "aws_s3_bucket",
            ]),
            prop::sample::select(vec!["users_db", "api", "pgbouncer", "x", "events"]),
            number(),
            number(),
            prop::sample::select(vec!["db.r6g.2xlarge", "c6i.4xlarge", "nope", ""]),
            any::<bool>(),
        )
            .prop_map(|(ty, name, a, b, instance, deleted)| {
                let after = json!({
                    "instance_class": instance, "instance_type": instance, "node_type": instance,
                    "multi_az": true, "allocated_storage": a, "num_node_groups": a,
                    "replicas_per_node_group": b, "num_cache_clusters": b,
                    "desired_capacity": a, "min_size": b, "number_of_broker_nodes": a,
                    "scaling_config": [{"desired_size": b}], "instance_types": [instance],
                    "db_cluster_instance_class": instance,
                    "broker_node_group_info": [{"instance_type": instance,
                        "storage_info": [{"ebs_storage_info": [{"volume_size": b}]}]}],
                });
                json!({
                    "address": format!("{ty}.{name}"), "mode": "managed", "type": ty,
                    "name": name,
                    "change": {"actions": ["create"], "after": if deleted { json!(null) } else { after }},
                })
            })
    }

    fn check_all(fleet: &Fleet) {
        let s = scenario();
        let plan = headroom::plan::build(s).unwrap();
        for phase in [&plan.phases[0], &plan.phases[4]] {
            let _ = headroom::check::check(s, phase, fleet, 0.05);
        }
        let _ = headroom::capacity::run(s, fleet, "fuzz", 1);
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(64))]

        #[test]
        fn terraform_plans(resources in prop::collection::vec(resource(), 0..8)) {
            let text = json!({"format_version": "1.2", "resource_changes": resources}).to_string();
            if let Ok((entries, ignored)) = terraform::read(Path::new("p.json"), &text, scenario()) {
                check_all(&Fleet { file: "p.json".into(), format: "terraform-plan", phase: None, entries, ignored });
            }
        }

        #[test]
        fn inventories(rows in prop::collection::vec((
            prop::sample::select(vec!["users-db", "api", "events", "cdn", "nope"]),
            prop::sample::select(vec!["primary", "node", "broker", "storage", "edge-egress", "x"]),
            prop::sample::select(vec!["db.r6g.4xlarge", "c6i.4xlarge", "kafka.m5.xlarge", "", "zz"]),
            prop_oneof![0u64..50, any::<u64>()],
            prop::sample::select(vec!["us-east-1", "eu-west-1", "global", "", "mars"]),
        ), 0..10)) {
            let mut text = String::from("component,item,instance,count,region\n");
            for (c, i, inst, n, r) in rows {
                text.push_str(&format!("{c},{i},{inst},{n},{r}\n"));
            }
            if let Ok(entries) = inventory::read(Path::new("f.csv"), &text, scenario()) {
                check_all(&Fleet { file: "f.csv".into(), format: "inventory", phase: None, entries, ignored: Vec::new() });
            }
        }
    }
}

#[test]
fn check_against_a_user_count() {
    // 100,000,000 users is phase 100M's plan under another name: the same verdict
    let fleet = "tests/fixtures/fleet/saas-10b-100m-short.csv";
    let c = check_json(
        &[
            "scenarios/saas-10b.ron",
            "--fleet",
            fleet,
            "--users",
            "100000000",
        ],
        1,
    );
    assert_eq!(c["phase"], "100000000 users");
    assert_eq!(c["users"], 100_000_000);
    assert_eq!(c["short"], serde_json::json!(["users-db/read-replica"]));
    headroom()
        .args(["check", "scenarios/saas-10b.ron", "--fleet", fleet])
        .args(["--users", "5", "--phase", "1M"])
        .assert()
        .code(2);
    headroom()
        .args(["check", "scenarios/saas-10b.ron", "--fleet", fleet])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("--phase P or --users N"));
}
