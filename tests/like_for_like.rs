//! `headroom providers` and the report compare totals like for like: a line unpriced on any
//! provider is left out of every provider's total and named in every output.

use predicates::prelude::*;
use serde_json::Value;

use crate::support::headroom;

fn comparison_json() -> Value {
    let out = headroom()
        .args(["providers", "scenarios/saas-10b.ron", "--json"])
        .assert()
        .success()
        .get_output()
        .stdout
        .clone();
    serde_json::from_slice(&out).unwrap()
}

#[test]
fn totals_cover_only_the_lines_priced_on_every_provider() {
    let c = comparison_json();
    let first = &c["like_for_like"][0];
    assert_eq!(first["phase"], "10K");
    // At 10K only media/standard (100 GB x $0.023 on aws = $2.30, x $0.020 on gcp
    // = $2.00, x $0.0208 on azure = $2.08) is priced on all three providers: azure has no
    // CDN or glacier-instant/standard-ia prices, gcp and azure no database, cache, node,
    // egress or Kafka equivalents.
    let totals: Vec<(String, f64)> = first["totals"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| {
            (
                t["provider"].as_str().unwrap().to_string(),
                t["monthly_usd"].as_f64().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        totals,
        [
            ("aws".to_string(), 2.30),
            ("gcp".to_string(), 2.00),
            ("azure".to_string(), 2.08)
        ]
    );
    // aws's own total = like-for-like + what it prices of the left-out lines:
    // $2.30 + $23,058.87 = $23,061.17, the aws plan's 10K total.
    let aws_own = c["providers"][0]["phases"][0][1].as_f64().unwrap();
    let aws_left = first["totals"][0]["left_out_priced_usd"].as_f64().unwrap();
    assert!(
        (2.30 + aws_left - aws_own).abs() < 0.005,
        "{aws_left} vs {aws_own}"
    );
    let left: Vec<&Value> = first["left_out"].as_array().unwrap().iter().collect();
    let cdn = left
        .iter()
        .find(|l| l["line"] == "cdn/edge-egress")
        .expect("cdn/edge-egress is left out");
    assert_eq!(cdn["unpriced_on"], serde_json::json!(["azure"]));
    let db = left
        .iter()
        .find(|l| l["line"] == "users-db/primary")
        .unwrap();
    assert_eq!(db["unpriced_on"], serde_json::json!(["gcp", "azure"]));
}

#[test]
fn terminal_and_markdown_name_the_left_out_lines_and_flag_the_phase() {
    // 25 lines at 10K: 17 of the capacity and transfer lines, plus the network categories no
    // other provider's tables price: cross-AZ clients (users-db, sessions-cache, events),
    // node volumes (pgbouncer, api), load-balancer, lb-capacity-units and nat-gateway.
    for format in [None, Some("--markdown")] {
        let mut cmd = headroom();
        cmd.args(["providers", "scenarios/saas-10b.ron"]);
        if let Some(f) = format {
            cmd.arg(f);
        }
        cmd.assert()
            .success()
            .stdout(predicate::str::contains("like for like"))
            .stdout(predicate::str::contains("10K (25 lines left out)"))
            .stdout(predicate::str::contains(
                "cdn/edge-egress (unpriced on azure)",
            ))
            .stdout(predicate::str::contains(
                "users-db/primary (unpriced on gcp, azure)",
            ))
            .stdout(predicate::str::contains(
                "phase 10K (25 lines left out of the totals)",
            ));
    }
}

#[test]
fn the_report_compares_like_for_like_and_a_repriced_plan_says_whose_prices() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().to_str().unwrap();
    headroom()
        .args([
            "plan",
            "scenarios/saas-10b.ron",
            "--format",
            "report",
            "--out",
            out,
        ])
        .assert()
        .success();
    let md = std::fs::read_to_string(dir.path().join("saas-10b/report.md")).unwrap();
    // The report compares the providers beside aws in name order: azure, then gcp.
    assert!(
        md.contains("| 10K (25 lines left out) | $2.30 | $2.08 | $2.00 |"),
        "{md}"
    );
    assert!(md.contains("cdn/edge-egress (unpriced on azure)"));
    let html = std::fs::read_to_string(dir.path().join("saas-10b/report.html")).unwrap();
    assert!(html.contains("10K (25 lines left out)"));
    // (minijinja escapes the slash in HTML: `users-db&#x2f;primary`)
    assert!(html.contains("primary (unpriced on azure, gcp)"));

    headroom()
        .args([
            "plan",
            "scenarios/saas-10b.ron",
            "--provider",
            "gcp",
            "--format",
            "markdown,report",
            "--out",
            out,
        ])
        .assert()
        .success()
        .stdout(predicate::str::contains(
            "saas-10b, priced on gcp (re-priced from aws): ",
        ))
        // 21 at 10K: 13 capacity and transfer lines plus the 8 network lines gcp's tables
        // do not price (the three cross-AZ client lines, two node volumes, ALB hours and
        // LCUs, NAT gateways).
        .stdout(predicate::str::contains(
            "-> $68.38 per month (without 21 unpriced lines: users-db/primary,",
        ));
    let summary = std::fs::read_to_string(dir.path().join("saas-10b-gcp/summary.md")).unwrap();
    assert!(summary.starts_with("# Capacity plan: saas-10b, priced on gcp (re-priced from aws)"));
    assert!(summary.contains("(without 21 unpriced lines: users-db/primary,"));
    let report = std::fs::read_to_string(dir.path().join("saas-10b-gcp/report.md")).unwrap();
    assert!(report.starts_with("# Capacity report: saas-10b, priced on gcp (re-priced from aws)"));
}
