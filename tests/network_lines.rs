//! The network and volume categories of the bill: cross-AZ transfer, load balancers, NAT
//! gateways and node volumes. saas-10b at 10B shows each line per region at that region's
//! price key, and setting each category's input to 0 removes exactly its lines.

use std::collections::BTreeMap;

use serde_json::Value;

use crate::support::headroom;

/// saas-10b planned with `sets` (`--set` overrides), as plan.json.
fn plan_with(sets: &[&str]) -> Value {
    let out = tempfile::tempdir().unwrap();
    let mut cmd = headroom();
    cmd.args(["plan", "scenarios/saas-10b.ron", "-q", "--format", "json"]);
    for set in sets {
        cmd.args(["--set", set]);
    }
    cmd.arg("--out").arg(out.path()).assert().success();
    serde_json::from_str(&std::fs::read_to_string(out.path().join("saas-10b/plan.json")).unwrap())
        .unwrap()
}

/// The 10B phase's lines.
fn lines(p: &Value) -> Vec<Value> {
    p["phases"]
        .as_array()
        .unwrap()
        .iter()
        .find(|ph| ph["name"] == "10B")
        .unwrap()["lines"]
        .as_array()
        .unwrap()
        .clone()
}

/// The 10B lines as (component, item) -> monthly cost.
fn costs(p: &Value) -> BTreeMap<(String, String), f64> {
    lines(p)
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

fn line(p: &Value, component: &str, item: &str) -> Value {
    lines(p)
        .into_iter()
        .find(|l| l["component"] == component && l["item"] == item)
        .unwrap_or_else(|| panic!("no line {component}/{item}"))
}

/// Each price part as (price key, count).
fn parts(l: &Value) -> Vec<(String, u64)> {
    l["price_parts"]
        .as_array()
        .unwrap()
        .iter()
        .map(|x| {
            (
                x["price_key"].as_str().unwrap().to_string(),
                x["count"].as_u64().unwrap(),
            )
        })
        .collect()
}

/// Setting `sets` removes exactly `removed` (component, item) lines; every other line keeps
/// its cost.
fn removes_exactly(base: &Value, sets: &[&str], removed: &[(&str, &str)]) {
    let (a, b) = (costs(base), costs(&plan_with(sets)));
    let gone: Vec<(String, String)> = a.keys().filter(|k| !b.contains_key(*k)).cloned().collect();
    let want: Vec<(String, String)> = removed
        .iter()
        .map(|(c, i)| ((*c).to_string(), (*i).to_string()))
        .collect();
    assert_eq!(gone, want, "{sets:?}");
    for (k, usd) in &b {
        assert_eq!(a[k], *usd, "{sets:?}: {k:?} moved");
    }
}

#[test]
fn saas_10b_bills_network_and_volume_lines_in_each_region() {
    let p = plan_with(&[]);
    let regions = ["us-east-1", "eu-west-1", "ap-southeast-1"];
    let keyed = |prefix: &str, counts: [u64; 3]| -> Vec<(String, u64)> {
        regions
            .iter()
            .zip(counts)
            .map(|(r, n)| (format!("{prefix}/{r}"), n))
            .collect()
    };
    // One ALB per region: 3 x 730 h x $0.0225 = $49.275 -> $49.28
    let lb = line(&p, "api", "load-balancer");
    assert_eq!(parts(&lb), keyed("alb/hour", [1, 1, 1]));
    assert_eq!(lb["monthly_usd"], 49.28);
    // Only us-east-1 has an ALB row: the other regions bill it through price-fallbacks.csv,
    // marked uncertain
    let confidence: Vec<&str> = lb["price_parts"]
        .as_array()
        .unwrap()
        .iter()
        .map(|x| x["price_confidence"].as_str().unwrap())
        .collect();
    assert_eq!(confidence, ["high", "uncertain", "uncertain"]);
    // LCUs: processed bytes bind. API responses 14,600,000 GB/month split 40/35/25 =
    // 5,840,000 / 5,110,000 / 3,650,000 GB over 730 h = 8,000 / 7,000 / 5,000 GB/h = LCUs
    // (new connections: 2,777,777.8 req/s x 0.1 / 25 = 11,111 LCU in all, below 20,000).
    // 20,000 LCU x 730 h x $0.008 = $116,800
    let lcu = line(&p, "api", "lb-capacity-units");
    assert_eq!(parts(&lcu), keyed("alb/lcu", [8_000, 7_000, 5_000]));
    assert_eq!(lcu["monthly_usd"], 116_800.0);
    // One NAT gateway per zone, 3 zones per region: 9 x 730 h x $0.045 = $295.65
    let nat = line(&p, "api", "nat-gateway");
    assert_eq!(parts(&nat), keyed("nat-gateway/hour", [3, 3, 3]));
    assert_eq!(nat["monthly_usd"], 295.65);
    // Root volumes: 20 GB per node, 4,167 / 3,646 / 2,605 nodes = 83,340 / 72,920 / 52,100 GB
    let nodes = line(&p, "api", "node");
    assert_eq!(
        parts(&nodes).iter().map(|(_, n)| *n).collect::<Vec<_>>(),
        [4_167, 3_646, 2_605]
    );
    let volume = line(&p, "api", "node-volume");
    assert_eq!(parts(&volume), keyed("ebs/gp3", [83_340, 72_920, 52_100]));
    // 208,360 GB x $0.08 = $16,668.80 (eu-west-1 and ap-southeast-1 at the us-east-1 row)
    assert_eq!(volume["monthly_usd"], 16_668.8);
    // Database clients: (3.942e12 reads + 1.46e12 writes) x 1,000 B x 2/3 cross = 3.6013e15 B
    //   = 3,601,333.3 GB, billed both ways: 7,202,666.7 GB; per region 40/35/25, each
    //   rounded up: 2,881,067 / 2,520,934 / 1,800,667. RDS replication is not billed.
    let db = line(&p, "users-db", "cross-az-clients");
    assert_eq!(
        parts(&db),
        keyed("cross-az/transfer", [2_881_067, 2_520_934, 1_800_667])
    );
    // 7,202,668 GB x $0.01 = $72,026.68
    assert_eq!(db["monthly_usd"], 72_026.68);
    // Cache clients: 2.19e13 ops x 1,000 B x 2/3 = 1.46e16 B = 14,600,000 GB x 2 = 29,200,000
    let cache = line(&p, "sessions-cache", "cross-az-clients");
    assert_eq!(
        parts(&cache),
        keyed("cross-az/transfer", [11_680_000, 10_220_000, 7_300_000])
    );
    // Kafka: 1.825e15 event bytes x (1 producer + 1 consumer group) x 2/3 = 2,433,333.3 GB
    //   x 2 = 4,866,666.7 GB: 1,946,667 / 1,703,334 / 1,216,667 (MSK replication is free)
    let events = line(&p, "events", "cross-az-clients");
    assert_eq!(
        parts(&events),
        keyed("cross-az/transfer", [1_946_667, 1_703_334, 1_216_667])
    );
    let all = costs(&p);
    for managed in ["users-db", "sessions-cache", "events"] {
        assert!(!all.contains_key(&(managed.to_string(), "cross-az-replication".to_string())));
    }
}

#[test]
fn each_category_switched_off_by_its_input_removes_exactly_its_lines() {
    let base = plan_with(&[]);
    removes_exactly(
        &base,
        &[
            "components.users-db.policy.cross_az_zones=0",
            "components.sessions-cache.policy.cross_az_zones=0",
            "components.events.policy.cross_az_zones=0",
        ],
        &[
            ("events", "cross-az-clients"),
            ("sessions-cache", "cross-az-clients"),
            ("users-db", "cross-az-clients"),
        ],
    );
    removes_exactly(
        &base,
        &["components.api.policy.load_balancers=0"],
        &[("api", "lb-capacity-units"), ("api", "load-balancer")],
    );
    removes_exactly(
        &base,
        &[
            "components.api.policy.node_volume_gb=0",
            "components.pgbouncer.policy.node_volume_gb=0",
        ],
        &[("api", "node-volume"), ("pgbouncer", "node-volume")],
    );
    // NAT with stated outbound bytes: 500 B a request -> 7.3e12 requests x 500 B / 1e9 =
    // 3,650,000 GB processed; no gateways removes hours and data alike.
    let with_data = plan_with(&["components.api.policy.nat_bytes_per_request=500"]);
    let data = line(&with_data, "api", "nat-data");
    assert_eq!(data["count"], 3_650_000);
    removes_exactly(
        &with_data,
        &[
            "components.api.policy.nat_bytes_per_request=500",
            "components.api.policy.nat_gateways_per_zone=0",
        ],
        &[("api", "nat-data"), ("api", "nat-gateway")],
    );
}
