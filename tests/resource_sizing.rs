//! Resource-based sizing through the real binary: policy floors on shapes (Kafka's
//! `min_broker_instance`), provisioned IOPS priced from the tables, region loss.

use predicates::prelude::*;
use serde_json::Value;

use crate::support::{headroom, scenario_copy};

/// Plans `scenario` (a path) into a temporary folder; its plan.json.
fn plan_of(scenario: &std::path::Path, folder: &str) -> Value {
    let out = tempfile::tempdir().unwrap();
    headroom()
        .arg("plan")
        .arg(scenario)
        .args(["-q", "--format", "json", "--out"])
        .arg(out.path())
        .assert()
        .success();
    let text = std::fs::read_to_string(out.path().join(folder).join("plan.json")).unwrap();
    serde_json::from_str(&text).unwrap()
}

fn phase<'a>(plan: &'a Value, name: &str) -> &'a Value {
    plan["phases"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["name"] == name)
        .unwrap_or_else(|| panic!("no phase {name}"))
}

fn line<'a>(plan: &'a Value, phase_name: &str, component: &str, item: &str) -> &'a Value {
    phase(plan, phase_name)["lines"]
        .as_array()
        .unwrap()
        .iter()
        .find(|l| l["component"] == component && l["item"] == item)
        .unwrap_or_else(|| panic!("no line {component}/{item}"))
}

const KAFKA_AUTO: &str = "partition_mb_s: 5.0,\n                min_partitions: 12,";

#[test]
fn min_broker_instance_rules_out_smaller_brokers() {
    let dir = tempfile::tempdir().unwrap();
    let floor = format!("{KAFKA_AUTO}\n                min_broker_instance: \"kafka.m5.xlarge\",");
    let scenario = scenario_copy(dir.path(), "saas-10b-auto.ron", &[(KAFKA_AUTO, &floor)]);
    let plan = plan_of(&scenario, "saas-10b-auto");
    for p in plan["phases"].as_array().unwrap() {
        let events = p["selections"]
            .as_array()
            .unwrap()
            .iter()
            .find(|s| s["component"] == "events")
            .expect("events is auto-selected");
        // kafka.m5.xlarge: 4 vCPU, 16 GiB; the winner has at least both.
        assert!(
            events["chosen"]["vcpu"].as_f64().unwrap() >= 4.0,
            "{events}"
        );
        assert!(events["chosen"]["memory_gib"].as_f64().unwrap() >= 16.0);
        // The large shapes (2 vCPU, 8 GiB) are rejected by the rule, named.
        let rejected = events["rejected"].as_array().unwrap();
        for small in ["kafka.m5.large", "kafka.m7g.large"] {
            let r = rejected
                .iter()
                .find(|r| r["instance"] == small)
                .unwrap_or_else(|| panic!("{small} not rejected in {}", p["name"]));
            assert_eq!(r["constraint"], "min_broker_instance");
            assert!(r["reason"].as_str().unwrap().contains("kafka.m5.xlarge"));
        }
    }
}

#[test]
fn a_bad_min_broker_instance_names_the_field() {
    let dir = tempfile::tempdir().unwrap();
    // not a shape of the catalog
    let bad = format!("{KAFKA_AUTO}\n                min_broker_instance: \"kafka.m5.huge\",");
    let scenario = scenario_copy(dir.path(), "saas-10b-auto.ron", &[(KAFKA_AUTO, &bad)]);
    headroom()
        .arg("plan")
        .arg(&scenario)
        .args(["-q", "--out"])
        .arg(dir.path().join("out"))
        .assert()
        .code(2)
        .stderr(predicate::str::contains(
            "components[4].policy.min_broker_instance",
        ))
        .stderr(predicate::str::contains("kafka.m5.huge"));
    // a fixed broker below the floor
    let fixed =
        "broker_disk_gb: 4_000.0,\n                min_broker_instance: \"kafka.m5.2xlarge\",";
    let scenario = scenario_copy(
        dir.path(),
        "saas-10b.ron",
        &[("broker_disk_gb: 4_000.0,", fixed)],
    );
    headroom()
        .arg("plan")
        .arg(&scenario)
        .args(["-q", "--out"])
        .arg(dir.path().join("out"))
        .assert()
        .code(2)
        .stderr(predicate::str::contains("components[4].policy.instance"))
        .stderr(predicate::str::contains(
            "below min_broker_instance `kafka.m5.2xlarge`",
        ));
}

#[test]
fn rds_storage_is_allocated_for_its_iops_and_provisioned_iops_are_billed() {
    let plan = plan_of(
        &crate::support::root().join("scenarios/saas-10b.ron"),
        "saas-10b",
    );
    // 1M users: every node's IOPS fit gp3's included 3,000 -> a zero line, nothing billed.
    let below = line(&plan, "1M", "users-db", "provisioned-iops");
    assert_eq!(below["count"], 0);
    assert_eq!(below["monthly_usd"], 0.0);
    // 100M users, eu-west-1 (35% of 100M): 5,833.33 writes/s x 1 IO = 5,833.33 IOPS; 2 shards
    // (ceil(5,833.33 x 1.3 / 5,000) = 2); each node needs 5,833.33 x 1.3 / 2 = 3,791.67 IOPS,
    // above the 3,000 gp3 includes below 400 GiB, where RDS provisions none: its data, 7e11 B
    // / 2 x 1.2 / 1e9 = 420 GB, is allocated as 400 GiB = ceil(429.5) = 430 GB. 8 nodes (2 x
    // (1 primary + 1 standby + 2 replicas: 15,750 reads/s / 2 x 1.3 / 10,000 = 1.02 -> 2))
    // -> 3,440 GB, where the data alone gave 3,360. The striped volume includes 12,000 IOPS:
    // nothing provisioned.
    let storage = line(&plan, "100M", "users-db", "storage");
    assert_eq!(storage["regions"]["eu-west-1"], 3_440);
    let provisioned = line(&plan, "100M", "users-db", "provisioned-iops");
    assert_eq!(provisioned["count"], 0);
    // On a shape whose EBS baseline (db.r6g.8xlarge: 40,000 IOPS) lets a node need more than
    // the striped 12,000: 4 IO per write in us-east-1 (40%): 6,666.67 x 4 = 26,666.67 IOPS;
    // shards max(ceil(6,666.67 x 1.3 / 5,000) = 2, ceil(26,666.67 x 1.3 / 40,000) = 1) = 2;
    // per node 26,666.67 x 1.3 / 2 = 17,333.33 on 480 GB (8e11 / 2 x 1.2), striped: ceil(17,333.33
    // - 12,000) = 5,334 provisioned on each of 8 nodes = 42,672 IOPS-months.
    let dir = tempfile::tempdir().unwrap();
    let scenario = scenario_copy(
        dir.path(),
        "saas-10b.ron",
        &[(
            "instance: \"db.r6g.2xlarge\",",
            "instance: \"db.r6g.8xlarge\", iops_per_write: 4.0,",
        )],
    );
    let plan = plan_of(&scenario, "saas-10b");
    let above = line(&plan, "100M", "users-db", "provisioned-iops");
    assert_eq!(above["regions"]["us-east-1"], 42_672);
    let count = above["count"].as_u64().unwrap();
    assert_eq!(above["unit"], "iops-month");
    // every region bills at $0.02: the line's unit price is that price, not a float mean
    assert_eq!(above["unit_price_usd"], 0.02);
    // quantity = count IOPS-months; cost = count x $0.02
    assert_eq!(above["quantity"].as_f64().unwrap(), count as f64);
    let expected = (count as f64 * 0.02 * 100.0).round() / 100.0;
    assert!((above["monthly_usd"].as_f64().unwrap() - expected).abs() < 0.005);
}

const REGIONS_END: &str = "(name: \"ap-southeast-1\", user_share: 0.25),\n    ],";

#[test]
fn survive_region_loss_sizes_each_region_for_the_worst_single_loss() {
    let dir = tempfile::tempdir().unwrap();
    let on = format!("{REGIONS_END}\n    survive_region_loss: true,");
    let scenario = scenario_copy(dir.path(), "saas-10b.ron", &[(REGIONS_END, &on)]);
    let plan = plan_of(&scenario, "saas-10b");
    let pods = line(&plan, "100M", "api", "pod");
    // Shares 40/35/25: losing us-east-1 moves 0.40 x 0.35 / 0.60 = 0.2333 onto eu-west-1,
    // sized for 0.5833. Peak 83,333.33 requests/s x 0.5833 = 48,611.11; pods = ceil(48,611.11
    // / (500 x 0.6) x 1.5 zone factor) = ceil(243.06) = 244 (145.83 -> 146 for its own 0.35).
    assert_eq!(pods["regions"]["eu-west-1"], 244);
    // us-east-1: losing eu-west-1 moves 0.35 x 0.40 / 0.65 = 0.2154 -> 0.6154; 83,333.33 x
    // 0.6154 / 300 x 1.5 = 256.4 -> 257.
    assert_eq!(pods["regions"]["us-east-1"], 257);
    // The policy set the count, and says so: binding, by_resource, derivation.
    assert_eq!(pods["binding"], "region-loss");
    assert_eq!(pods["by_resource"]["region-loss"], pods["count"]);
    let share = pods["derivation"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["name"] == "[eu-west-1] sized_share")
        .expect("the sized share is in the derivation");
    assert!((share["result"].as_f64().unwrap() - 0.583_333_333).abs() < 1e-6);
    // Off by default: the shipped plan names no region loss.
    let off = plan_of(
        &crate::support::root().join("scenarios/saas-10b.ron"),
        "saas-10b",
    );
    assert_eq!(
        line(&off, "100M", "api", "pod")["regions"]["eu-west-1"],
        146
    );
    assert!(!serde_json::to_string(&off).unwrap().contains("region-loss"));
}

#[test]
fn a_striped_volume_including_fewer_iops_than_an_unstriped_one_is_refused() {
    let out = tempfile::tempdir().unwrap();
    headroom()
        .args([
            "plan",
            "scenarios/saas-10b.ron",
            "--set",
            "components.users-db.policy.striped_baseline_iops=1000",
            "-q",
            "--out",
        ])
        .arg(out.path())
        .assert()
        .code(2)
        .stderr(predicate::str::contains("striped_baseline_iops"))
        .stderr(predicate::str::contains(
            "1000 is below volume_baseline_iops (3000)",
        ));
    // nothing written
    assert!(!out.path().join("saas-10b").exists());
}
