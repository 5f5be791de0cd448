//! Regions priced where they serve: an unknown region is bad input (exit 2, close matches),
//! `price_as` prices a label at another region with a warning, a region whose CDN geography
//! has no prices is bad input, and every per-region line's parts name their serving region.

use serde_json::Value;

use crate::support::{headroom, scenario_copy};

fn plan(path: &std::path::Path, out: &std::path::Path) -> Value {
    headroom()
        .arg("plan")
        .arg(path)
        .args(["-q", "--format", "json", "--out"])
        .arg(out)
        .assert()
        .success();
    let name = path.file_stem().unwrap().to_string_lossy().to_string();
    serde_json::from_str(&std::fs::read_to_string(out.join(name).join("plan.json")).unwrap())
        .unwrap()
}

#[test]
fn unknown_region_is_bad_input_with_close_matches() {
    let dir = tempfile::tempdir().unwrap();
    let s = scenario_copy(
        dir.path(),
        "saas-10b.ron",
        &[(
            "(name: \"eu-west-1\", user_share: 0.35)",
            "(name: \"eu-west-9\", user_share: 0.35)",
        )],
    );
    let out = headroom().arg("validate").arg(&s).output().unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert!(stderr.contains("regions[1].name"), "{stderr}");
    assert!(
        stderr.contains("no prices for region `eu-west-9`"),
        "{stderr}"
    );
    assert!(stderr.contains("did you mean `eu-west-1`"), "{stderr}");
    assert!(stderr.contains("price_as"), "{stderr}");

    // A price_as naming no priced region is named as that field.
    let s = scenario_copy(
        dir.path(),
        "saas-10b.ron",
        &[(
            "(name: \"eu-west-1\", user_share: 0.35)",
            "(name: \"emea\", user_share: 0.35, price_as: \"eu-wset-1\")",
        )],
    );
    let out = headroom().arg("validate").arg(&s).output().unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert!(stderr.contains("regions[1].price_as"), "{stderr}");
    assert!(stderr.contains("did you mean `eu-west-1`"), "{stderr}");
}

#[test]
fn a_region_whose_cdn_geography_has_no_prices_is_bad_input() {
    // Tables where the `india` geography (ap-south-1's) has egress tiers but no request
    // price: its fallback row removed.
    let dir = tempfile::tempdir().unwrap();
    let tables = dir.path().join("aws");
    std::fs::create_dir_all(&tables).unwrap();
    for entry in std::fs::read_dir(crate::support::root().join("pricing/aws")).unwrap() {
        let path = entry.unwrap().path();
        let text = std::fs::read_to_string(&path).unwrap();
        let kept: String = text
            .lines()
            .filter(|l| !l.starts_with("cloudfront-requests,india,"))
            .map(|l| format!("{l}\n"))
            .collect();
        std::fs::write(tables.join(path.file_name().unwrap()), kept).unwrap();
    }
    let root = crate::support::root().display().to_string();
    let s = scenario_copy(
        dir.path(),
        "saas-10b.ron",
        &[
            (
                "(name: \"ap-southeast-1\", user_share: 0.25)",
                "(name: \"mumbai\", user_share: 0.25, price_as: \"ap-south-1\")",
            ),
            (
                &format!("{root}/pricing/aws"),
                &tables.display().to_string(),
            ),
        ],
    );
    let out = headroom().arg("validate").arg(&s).output().unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert!(stderr.contains("regions[2].price_as"), "{stderr}");
    assert!(stderr.contains("geography `india`"), "{stderr}");
    assert!(stderr.contains("cloudfront-requests"), "{stderr}");
}

#[test]
fn price_as_prices_a_label_at_that_region_and_warns() {
    let dir = tempfile::tempdir().unwrap();
    let s = scenario_copy(
        dir.path(),
        "saas-10b.ron",
        &[(
            "(name: \"eu-west-1\", user_share: 0.35)",
            "(name: \"emea\", user_share: 0.35, price_as: \"eu-central-1\")",
        )],
    );
    let out = tempfile::tempdir().unwrap();
    let p = plan(&s, out.path());
    assert!(
        p["warnings"]
            .as_array()
            .unwrap()
            .iter()
            .any(|w| w == "region emea is priced as eu-central-1 (price_as): its lines bill eu-central-1's list prices"),
        "{}",
        p["warnings"]
    );
    let phase = &p["phases"][0];
    let node = phase["lines"]
        .as_array()
        .unwrap()
        .iter()
        .find(|l| l["component"] == "api" && l["item"] == "node")
        .unwrap();
    // 10K: three c6i.4xlarge per region (one per zone); emea bills eu-central-1's $0.776/h:
    // 3 x 730 h x (0.68 + 0.776 + 0.784) = $4,905.60
    assert_eq!(
        node["price_parts"][1]["price_key"],
        "ec2/c6i.4xlarge/eu-central-1"
    );
    assert_eq!(node["regions"]["emea"], 3);
    assert_eq!(node["monthly_usd"], 4905.6);
}

#[test]
fn every_per_region_line_names_its_serving_region() {
    let out = tempfile::tempdir().unwrap();
    let p = plan(
        &crate::support::root().join("scenarios/saas-10b.ron"),
        out.path(),
    );
    let phase = p["phases"]
        .as_array()
        .unwrap()
        .iter()
        .find(|ph| ph["name"] == "10B")
        .unwrap();
    let regions = ["us-east-1", "eu-west-1", "ap-southeast-1"];
    let global = ["cdn", "media", "replication"];
    for line in phase["lines"].as_array().unwrap() {
        if line["billed"] != true || global.contains(&line["component"].as_str().unwrap()) {
            continue;
        }
        let parts = line["price_parts"].as_array().unwrap();
        let named: Vec<&str> = parts
            .iter()
            .map(|x| x["region"].as_str().unwrap())
            .collect();
        assert_eq!(named, regions, "{}/{}", line["component"], line["item"]);
        for (part, region) in parts.iter().zip(regions) {
            assert!(
                part["price_key"]
                    .as_str()
                    .unwrap()
                    .ends_with(&format!("/{region}")),
                "{}",
                part["price_key"]
            );
            // each region's count is the line's count there
            assert_eq!(part["count"], line["regions"][region]);
        }
    }
    // Cross-region transfer is billed by each source region, in proportion to its users.
    let transfer = phase["lines"]
        .as_array()
        .unwrap()
        .iter()
        .find(|l| l["component"] == "replication")
        .unwrap();
    let keys: Vec<&str> = transfer["price_parts"]
        .as_array()
        .unwrap()
        .iter()
        .map(|x| x["price_key"].as_str().unwrap())
        .collect();
    assert_eq!(
        keys,
        [
            "inter-region/to-other-region/us-east-1",
            "inter-region/to-other-region/eu-west-1",
            "inter-region/to-other-region/ap-southeast-1"
        ]
    );
}

/// A plan's lines as (component, item) -> monthly cost.
fn costs(p: &Value, phase: &str) -> std::collections::BTreeMap<(String, String), f64> {
    p["phases"]
        .as_array()
        .unwrap()
        .iter()
        .find(|ph| ph["name"] == phase)
        .unwrap()["lines"]
        .as_array()
        .unwrap()
        .iter()
        .map(|l| {
            (
                (
                    l["component"].as_str().unwrap().to_string(),
                    l["item"].as_str().unwrap().to_string(),
                ),
                l["monthly_usd"].as_f64().unwrap(),
            )
        })
        .collect()
}

#[test]
fn api_response_egress_is_its_own_line_and_zero_removes_exactly_it() {
    let root = crate::support::root();
    let (with, without) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
    let p = plan(&root.join("scenarios/saas-10b.ron"), with.path());
    headroom()
        .args(["plan", "scenarios/saas-10b.ron", "-q", "--format", "json"])
        .args(["--set", "workload.api_response_bytes=0", "--out"])
        .arg(without.path())
        .assert()
        .success();
    let q: Value = serde_json::from_str(
        &std::fs::read_to_string(without.path().join("saas-10b/plan.json")).unwrap(),
    )
    .unwrap();
    let (a, b) = (costs(&p, "10B"), costs(&q, "10B"));
    let only: Vec<&(String, String)> = a.keys().filter(|k| !b.contains_key(*k)).collect();
    assert_eq!(only, [&("api".to_string(), "api-egress".to_string())]);
    // The ALB processes the responses too: its capacity units fall with them (to the new
    // connections' 11,111 LCU); every other line keeps its cost.
    for (k, usd) in &b {
        if k.1 == "lb-capacity-units" {
            assert!(*usd < a[k], "{k:?}");
            continue;
        }
        assert_eq!(a[k], *usd, "{k:?} moved");
    }
    // 10B: avg 1.2e9 DAU x 200 / 86,400 = 2,777,777.78 req/s x 2,000 B x 2,628,000 s / 1e9
    //   = 14,600,000 GB/month, split 40/35/25: 5,840,000 / 5,110,000 / 3,650,000 GB, each
    //   walking its region's internet-egress tiers.
    let line = p["phases"]
        .as_array()
        .unwrap()
        .iter()
        .find(|ph| ph["name"] == "10B")
        .unwrap()["lines"]
        .as_array()
        .unwrap()
        .iter()
        .find(|l| l["item"] == "api-egress")
        .unwrap()
        .clone();
    assert_eq!(line["count"], 14_600_000);
    let counts: Vec<u64> = line["price_parts"]
        .as_array()
        .unwrap()
        .iter()
        .map(|x| x["count"].as_u64().unwrap())
        .collect();
    assert_eq!(counts, [5_840_000, 5_110_000, 3_650_000]);
    // us-east-1: 10,240 x 0.09 + 40,960 x 0.085 + 102,400 x 0.07 + (5,840,000 - 153,600) x 0.05
    //   = 921.6 + 3,481.6 + 7,168 + 284,320 = $295,891.20
    let us = line["price_parts"][0]["list_monthly_usd"].as_f64().unwrap();
    assert!((us - 295_891.2).abs() < 1e-6, "{us}");
}
