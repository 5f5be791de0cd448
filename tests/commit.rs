//! `headroom commit` through the binary: reserved levels per line over a term, priced from
//! `pricing/aws/commitments.csv`, and lines with no reserved rate named, never invented.

use predicates::prelude::*;
use serde_json::Value;

use crate::support::headroom;

fn commit_json(args: &[&str]) -> Value {
    let mut all = vec!["commit", "scenarios/saas-10b.ron", "--format", "json"];
    all.extend_from_slice(args);
    let out = headroom()
        .args(&all)
        .assert()
        .success()
        .get_output()
        .stdout
        .clone();
    serde_json::from_slice(&out).unwrap()
}

fn line<'a>(c: &'a Value, component: &str, item: &str, region: &str) -> &'a Value {
    c["lines"]
        .as_array()
        .unwrap()
        .iter()
        .find(|l| l["component"] == component && l["item"] == item && l["region"] == region)
        .unwrap_or_else(|| panic!("no {component}/{item} {region} in {c}"))
}

#[test]
fn one_year_commits_the_steady_lines_at_the_table_rates() {
    let c = commit_json(&["--term", "1y"]);
    assert_eq!(c["months"], 12);
    // sessions-cache/master in us-east-1: 3 x cache.r6g.xlarge all year (saas-10b's curve
    // stays in its first phase). On demand $0.411/h; 1-year no-upfront reserved $0.281/h
    // (the tables hold no 1-year all-upfront ElastiCache rate).
    // All on demand: 3 x 0.411 x 730 x 12 = $10,801.08; committed: 3 x 0.281 x 8,760 =
    // $7,384.68; break-even 0.281 / 0.411 = 68.4%.
    let m = line(&c, "sessions-cache", "master", "us-east-1");
    assert_eq!(m["best"]["instances"], 3);
    assert_eq!(m["best"]["term_usd"], 7384.68);
    assert_eq!(m["best"]["upfront_usd"], 0.0);
    assert_eq!(m["on_demand_term_usd"], 10801.08);
    assert_eq!(m["rate"]["payment"], "no-upfront");
    assert_eq!(
        m["rate"]["price_key"],
        "elasticache-redis-reserved/cache.r6g.xlarge:1yr-no-upfront/us-east-1"
    );
    let be = m["break_even_utilization"].as_f64().unwrap();
    assert!((be - 0.281 / 0.411).abs() < 1e-9);
    // 10% either side, at least one instance: 2 and 4.
    // 2: 2 x 0.281 x 8,760 + 1 x 0.411 x 8,760 = 4,923.12 + 3,600.36 = $8,523.48.
    // 4: 4 x 0.281 x 8,760 = $9,846.24.
    assert_eq!(m["lower"]["instances"], 2);
    assert_eq!(m["lower"]["term_usd"], 8523.48);
    assert_eq!(m["higher"]["instances"], 4);
    assert_eq!(m["higher"]["term_usd"], 9846.24);
    // pgbouncer/pooler in us-east-1: 2 x m6i.large; EC2 1-year Standard RI all upfront,
    // effective $0.059247/h: upfront 0.059247 x 8,760 = $519.00 per instance, $1,038.00.
    let p = line(&c, "pgbouncer", "pooler", "us-east-1");
    assert_eq!(p["rate"]["payment"], "all-upfront");
    assert_eq!(p["rate"]["upfront_usd"], 519.0);
    assert_eq!(p["best"]["upfront_usd"], 1038.0);
    // RDS PostgreSQL and MSK have no reserved rows, EC2 none outside us-east-1: named.
    let names: Vec<String> = c["uncommittable"]
        .as_array()
        .unwrap()
        .iter()
        .map(|u| {
            format!(
                "{}/{} {}",
                u["component"].as_str().unwrap(),
                u["item"].as_str().unwrap(),
                u["region"].as_str().unwrap()
            )
        })
        .collect();
    for expected in [
        "users-db/primary us-east-1",
        "events/broker us-east-1",
        "pgbouncer/pooler eu-west-1",
    ] {
        assert!(
            names.iter().any(|n| n == expected),
            "{expected} in {names:?}"
        );
    }
}

#[test]
fn the_chosen_level_costs_no_more_than_ten_percent_either_side_with_draws() {
    let c = commit_json(&["--term", "3y", "--draws", "200", "--seed", "7"]);
    assert_eq!(c["months"], 36);
    assert!(c["distribution"].as_str().unwrap().contains("200 draws"));
    for l in c["lines"].as_array().unwrap() {
        let best = l["best"]["term_usd"].as_f64().unwrap();
        assert!(
            best <= l["lower"]["term_usd"].as_f64().unwrap() + 0.01,
            "{l}"
        );
        assert!(
            best <= l["higher"]["term_usd"].as_f64().unwrap() + 0.01,
            "{l}"
        );
        assert!(
            best <= l["on_demand_term_usd"].as_f64().unwrap() + 0.01,
            "{l}"
        );
    }
    let sum: f64 = c["lines"]
        .as_array()
        .unwrap()
        .iter()
        .map(|l| l["best"]["term_usd"].as_f64().unwrap())
        .sum();
    assert!((sum - c["committed_term_usd"].as_f64().unwrap()).abs() < 0.05);
}

#[test]
fn terminal_names_what_cannot_be_committed_and_bad_terms_exit_2() {
    headroom()
        .args(["commit", "scenarios/saas-10b.ron", "--term", "1y"])
        .assert()
        .success()
        .stdout(predicate::str::contains("break-even"))
        .stdout(predicate::str::contains("Cannot be committed"))
        .stdout(predicate::str::contains(
            "users-db/primary us-east-1 db.r6g.2xlarge: no 1-year",
        ));
    headroom()
        .args(["commit", "scenarios/saas-10b.ron", "--term", "2y"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("--term").and(predicate::str::contains("`1y` or `3y`")));
    // A ladder of phases has no months to commit over.
    headroom()
        .args(["commit", "scenarios/daadaar.ron", "--term", "1y"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("growth"));
}

#[test]
fn pricing_check_reads_the_commitment_table() {
    headroom()
        .args(["pricing", "show", "cache.r6g.xlarge:1yr-no-upfront"])
        .assert()
        .success()
        .stdout(predicate::str::contains("0.281"));
    let out = headroom()
        .args(["pricing", "check", "--json"])
        .assert()
        .success()
        .get_output()
        .stdout
        .clone();
    let report: Value = serde_json::from_slice(&out).unwrap();
    let aws = report["providers"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["provider"] == "aws")
        .unwrap();
    let services: Vec<&str> = aws["services"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s.as_str().unwrap())
        .collect();
    for s in [
        "ec2-reserved",
        "elasticache-redis-reserved",
        "elasticache-valkey-reserved",
    ] {
        assert!(services.contains(&s), "{s} in {services:?}");
    }
}

/// The support plan's fee is a share of each month's bill: committing lowers it too, unless
/// the plan's monthly minimum is what the bill pays.
#[test]
fn the_support_fee_falls_with_the_committed_bill() {
    // Developer support is 3% of the bill ($29 minimum, far below saas-10b's ~$23,400 a
    // month): the fee falls by 3% of what the commitments save each month,
    // 0.03 x $30,186.23 = $905.59; in all $30,186.23 + $905.59 = $31,091.82.
    let c = commit_json(&["--term", "1y", "--set", "support_plan=\"developer\""]);
    assert_eq!(c["savings_usd"], 30186.23);
    let support = &c["support"];
    assert_eq!(support["plan"], "developer");
    assert_eq!(support["fee_savings_usd"], 905.59);
    assert_eq!(support["total_savings_usd"], 31091.82);
    // Enterprise support bills at least $15,000 a month, more than 10% of these bills: the
    // minimum binds before and after, and the fee saves nothing.
    let c = commit_json(&["--term", "1y", "--set", "support_plan=\"enterprise\""]);
    assert_eq!(c["support"]["fee_savings_usd"], 0.0);
    assert_eq!(c["support"]["total_savings_usd"], 30186.23);
    // Without a support plan the field is absent.
    assert!(commit_json(&["--term", "1y"]).get("support").is_none());
    headroom()
        .args([
            "commit",
            "scenarios/saas-10b.ron",
            "--term",
            "1y",
            "--set",
            "support_plan=\"developer\"",
        ])
        .assert()
        .success()
        .stdout(predicate::str::contains(
            "Support plan `developer`: its fee is a share of each month's bill and falls with it by $905.59: saves $31,091.82 in all",
        ));
}
