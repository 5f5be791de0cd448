//! `headroom backtest` through the real binary: headroom's own forecast read back as a bill
//! (0% error), a hand-made FOCUS bill with known deviations, an AWS CUR 2.0 Parquet bill
//! written here with polars, and the bad inputs (exit 2, named).

use std::path::{Path, PathBuf};

use polars::prelude::*;
use serde_json::Value;

use crate::support::{headroom, root};

/// Runs `headroom backtest` with `args`; (exit code, stdout, stderr, backtest.json if written).
fn backtest(out: &Path, args: &[&str]) -> (i32, String, String, Option<Value>) {
    let run = headroom()
        .arg("backtest")
        .args(args)
        .arg("--out")
        .arg(out)
        .output()
        .unwrap();
    let scenario = Path::new(args[0]).file_stem().unwrap().to_str().unwrap();
    let json = std::fs::read_to_string(out.join(scenario).join("backtest/backtest.json"))
        .ok()
        .map(|t| serde_json::from_str(&t).unwrap());
    (
        run.status.code().unwrap(),
        String::from_utf8(run.stdout).unwrap(),
        String::from_utf8(run.stderr).unwrap(),
        json,
    )
}

/// The row of `name` in the JSON's `components` or `lines`.
fn row<'a>(json: &'a Value, table: &str, key: &str, name: &str) -> &'a Value {
    json[table]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r[key] == name)
        .unwrap_or_else(|| panic!("no {table} row {name}: {json:#}"))
}

/// saas-10b's own forecast, `plan --format focus`'s focus.csv, written under `dir`.
fn saas_10b_forecast(dir: &Path) -> PathBuf {
    headroom()
        .args([
            "plan",
            "scenarios/saas-10b.ron",
            "--format",
            "focus",
            "--quiet",
        ])
        .arg("--out")
        .arg(dir)
        .assert()
        .success();
    dir.join("saas-10b/focus.csv")
}

#[test]
fn the_plans_own_focus_csv_backtests_at_zero_error() {
    let dir = tempfile::tempdir().unwrap();
    let bill = saas_10b_forecast(dir.path());
    // focus.csv bills phase 0 (10K users) in the growth curve's start month, 2027-01, and the
    // fourth phase (10M) three months later.
    for (month, users) in [("2027-01", "10000"), ("2027-04", "10000000")] {
        let (code, out, err, json) = backtest(
            dir.path(),
            &[
                "scenarios/saas-10b.ron",
                "--bill",
                bill.to_str().unwrap(),
                "--month",
                month,
                "--users",
                users,
            ],
        );
        assert_eq!(code, 0, "{out}{err}");
        let json = json.unwrap();
        assert_eq!(json["actual_usd"], json["plan_usd"]);
        assert_eq!(json["not_modelled"].as_array().unwrap().len(), 0);
        for table in ["components", "lines"] {
            for r in json[table].as_array().unwrap() {
                assert_eq!(r["error_pct"], 0.0, "{month} {r}");
            }
        }
        assert!(out.contains("ok: every component within 20%"), "{out}");
    }
}

#[test]
fn a_month_is_read_on_the_growth_curve() {
    let dir = tempfile::tempdir().unwrap();
    let bill = saas_10b_forecast(dir.path());
    let (_, out, err, json) = backtest(
        dir.path(),
        &[
            "scenarios/saas-10b.ron",
            "--bill",
            bill.to_str().unwrap(),
            "--month",
            "2027-07",
        ],
    );
    let json = json.unwrap_or_else(|| panic!("{out}{err}"));
    // saas-logistic.ron: 1.2e10 / (1 + exp(-0.2 * (6 - 72))) = 1.2e10 / (1 + e^13.2)
    // = 22,207.17 users six months after its start 2027-01; rounded to 22,207.
    assert_eq!(json["users"], 22_207);
    assert_eq!(
        json["users_from"],
        "the growth curve 6 months after its start 2027-01"
    );
}

/// The hand-made bill's header: FOCUS 1.0 columns and AWS's `x_UsageType`.
const FOCUS_HEADER: &str =
    "BillingCurrency,ChargePeriodStart,ServiceName,x_UsageType,RegionId,EffectiveCost,ProviderName";

/// daadaar at its 10K phase plans, per line (plan.json, monthly_usd):
///   ec2 168.63 (api), nat-gateway 98.55 (api), rds-postgres 3 x 116.07 = 348.21 (db),
///   rds-storage 3 x 22 GB (RDS's smallest allocation, 20 GiB) x $0.115 = 7.59 (db),
///   cross-az 0.08 (db) + 0.01 (rate-limit) = 0.09,
///   elasticache-redis 2 x 108.77 = 217.54 (rate-limit), s3-storage 0.46 (media),
///   internet-egress 0.81 (cdn), Fixed 20.00 (cloudflare), alb 16.43 (alb).
/// The bill: EC2 instances 25% over (two rows), RDS instances 25% under, the rest as
/// planned, Cloudflare's $20 plan (not an AWS service) and a Route 53 zone ($0.50).
fn hand_made_bill(dir: &Path) -> PathBuf {
    let rows = [
        "USD,2026-11-01T00:00:00Z,Amazon Elastic Compute Cloud,BoxUsage:m6g.large,us-east-1,100.00,AWS",
        "USD,2026-11-01T00:00:00Z,Amazon Elastic Compute Cloud,BoxUsage:m6g.large,us-east-1,110.79,AWS",
        "USD,2026-11-01T00:00:00Z,Amazon Elastic Compute Cloud,NatGateway-Hours,us-east-1,98.55,AWS",
        "USD,2026-11-01T00:00:00Z,Amazon Relational Database Service,InstanceUsage:db.m6g.large,us-east-1,261.16,AWS",
        "USD,2026-11-01T00:00:00Z,Amazon Relational Database Service,RDS:GP3-Storage,us-east-1,7.59,AWS",
        "USD,2026-11-01T00:00:00Z,AWS Data Transfer,USE1-DataTransfer-Regional-Bytes,us-east-1,0.09,AWS",
        "USD,2026-11-01T00:00:00Z,Amazon ElastiCache,NodeUsage:cache.m6g.large,us-east-1,217.54,AWS",
        "USD,2026-11-01T00:00:00Z,Amazon Simple Storage Service,TimedStorage-ByteHrs,us-east-1,0.46,AWS",
        "USD,2026-11-01T00:00:00Z,AWS Data Transfer,DataTransfer-Out-Bytes,us-east-1,0.81,AWS",
        "USD,2026-11-01T00:00:00Z,Elastic Load Balancing,LoadBalancerUsage,us-east-1,16.43,AWS",
        "USD,2026-11-01T00:00:00Z,Cloudflare Pro,,global,20.00,Cloudflare",
        "USD,2026-11-01T00:00:00Z,Amazon Route 53,HostedZone,global,0.50,AWS",
    ];
    let path = dir.join("bill.csv");
    std::fs::write(&path, format!("{FOCUS_HEADER}\n{}\n", rows.join("\n"))).unwrap();
    path
}

#[test]
fn a_hand_made_focus_bill_gives_hand_computed_errors() {
    let dir = tempfile::tempdir().unwrap();
    let bill = hand_made_bill(dir.path());
    let args = [
        "scenarios/daadaar.ron",
        "--bill",
        bill.to_str().unwrap(),
        "--users",
        "10000",
    ];
    let (code, out, err, json) = backtest(dir.path(), &args);
    let json = json.unwrap_or_else(|| panic!("{out}{err}"));
    assert_eq!(code, 1, "{out}{err}");
    assert_eq!(json["month"], "2026-11");
    assert_eq!(json["phase"], "10K");
    let pct =
        |table: &str, key: &str, name: &str| row(&json, table, key, name)["error_pct"].clone();
    // ec2: (100.00 + 110.79 - 168.63) / 168.63 = 42.16 / 168.63 = +25.00%
    assert_eq!(pct("lines", "line", "ec2"), 25.0);
    // rds-postgres: (261.16 - 348.21) / 348.21 = -87.05 / 348.21 = -25.00%
    assert_eq!(pct("lines", "line", "rds-postgres"), -25.0);
    assert_eq!(pct("lines", "line", "nat-gateway"), 0.0);
    // api: ec2 + nat = (210.79 + 98.55 - 267.18) / 267.18 = 42.16 / 267.18 = +15.78% (within 20%)
    assert_eq!(pct("components", "component", "api"), 15.78);
    // db: rds-postgres + rds-storage + its share of cross-az (0.09 x 0.08 / 0.09 = 0.08)
    // = 268.83 against 348.21 + 7.59 + 0.08 = 355.88: -87.05 / 355.88 = -24.46% (off)
    assert_eq!(pct("components", "component", "db"), -24.46);
    // rate-limit: 217.54 + 0.01 of cross-az, as planned
    assert_eq!(pct("components", "component", "rate-limit"), 0.0);
    // cloudflare's Fixed line: no AWS mapping rule names it, so nothing on the bill is it
    assert_eq!(pct("components", "component", "cloudflare"), -100.0);
    assert_eq!(
        json["off_components"],
        serde_json::json!(["db", "cloudflare"])
    );
    // The biggest miss first: db (87.05), then api (42.16), then cloudflare (20.00).
    assert_eq!(json["components"][0]["component"], "db");
    assert_eq!(json["components"][1]["component"], "api");
    // Not modelled: Cloudflare's $20 and Route 53's $0.50, biggest first.
    let not = json["not_modelled"].as_array().unwrap();
    assert_eq!(not.len(), 2);
    assert_eq!(not[0]["service"], "Cloudflare Pro");
    assert_eq!(not[0]["actual_usd"], 20.0);
    assert_eq!(not[1]["service"], "Amazon Route 53");
    assert_eq!(not[1]["actual_usd"], 0.5);
    // plan 878.31; actual = every row: 878.31 + 42.16 - 87.05 - 20.00 (no Fixed row) + 20.50
    // (not modelled) = 833.92
    assert_eq!(json["plan_usd"], 878.31);
    assert_eq!(json["actual_usd"], 833.92);
    assert!(
        out.contains("FAILED: db, cloudflare off by more than 20%"),
        "{out}"
    );
    let csv = std::fs::read_to_string(dir.path().join("daadaar/backtest/backtest.csv")).unwrap();
    assert!(
        csv.contains("component,db,355.88,268.83,-24.46,true"),
        "{csv}"
    );

    // A mapping that knows Cloudflare, and a 30% tolerance: every component within it.
    let mapping = dir.path().join("mapping.csv");
    let shipped = std::fs::read_to_string(root().join("models/mappings/aws_bill.csv")).unwrap();
    std::fs::write(
        &mapping,
        format!("{shipped}Cloudflare Pro,*,Fixed,flat plan\n"),
    )
    .unwrap();
    let mut with = args.to_vec();
    with.extend(["--mapping", mapping.to_str().unwrap(), "--tolerance", "30%"]);
    let (code, out, err, json) = backtest(dir.path(), &with);
    assert_eq!(code, 0, "{out}{err}");
    let json = json.unwrap();
    assert_eq!(
        row(&json, "components", "component", "cloudflare")["error_pct"],
        0.0
    );
    assert_eq!(json["not_modelled"].as_array().unwrap().len(), 1);
}

/// A CUR 2.0 bill as AWS Data Exports writes it (Parquet; a few of its ~100 columns, the
/// billing period a timestamp).
fn cur_bill(dir: &Path, costs: &[Option<f64>]) -> PathBuf {
    let rows: [(&'static str, &'static str, &'static str); 7] = [
        ("AmazonEC2", "BoxUsage:m6g.large", "Usage"),
        ("AmazonEC2", "NatGateway-Hours", "Usage"),
        ("AmazonRDS", "InstanceUsage:db.m6g.large", "DiscountedUsage"),
        ("AmazonElastiCache", "NodeUsage:cache.m6g.large", "Usage"),
        ("AWSELB", "LoadBalancerUsage", "Usage"),
        ("AmazonEC2", "BoxUsage:m6g.large", "Tax"),
        ("AmazonCloudWatch", "CW:Requests", "Usage"),
    ];
    let n = rows.len();
    // 2026-11-01T00:00:00Z in milliseconds since the epoch: 20,758 days (56 years x 365 + 14
    // leap days = 20,454 to 2026-01-01, + 304 days of January..October) x 86,400,000.
    let period = Column::new(
        "bill_billing_period_start_date".into(),
        vec![20_758i64 * 86_400_000; n],
    )
    .cast(&DataType::Datetime(TimeUnit::Milliseconds, None))
    .unwrap();
    let text = |f: fn(&(&'static str, &'static str, &'static str)) -> &'static str| {
        rows.iter().map(f).collect::<Vec<&str>>()
    };
    let mut df = DataFrame::new(
        n,
        vec![
            Column::new("line_item_product_code".into(), text(|r| r.0)),
            Column::new("line_item_usage_type".into(), text(|r| r.1)),
            Column::new("line_item_line_item_type".into(), text(|r| r.2)),
            Column::new("line_item_unblended_cost".into(), costs.to_vec()),
            Column::new("line_item_usage_amount".into(), vec![1.0; n]),
            Column::new("line_item_currency_code".into(), vec!["USD"; n]),
            Column::new("product_region_code".into(), vec!["us-east-1"; n]),
            period,
        ],
    )
    .unwrap();
    let path = dir.join("cur.parquet");
    ParquetWriter::new(std::fs::File::create(&path).unwrap())
        .finish(&mut df)
        .unwrap();
    path
}

#[test]
fn a_cur_parquet_bill_maps_to_the_right_lines() {
    let dir = tempfile::tempdir().unwrap();
    let costs = [168.63, 98.55, 348.21, 217.54, 16.43, 10.0, 3.0].map(Some);
    let bill = cur_bill(dir.path(), &costs);
    let (code, out, err, json) = backtest(
        dir.path(),
        &[
            "scenarios/daadaar.ron",
            "--bill",
            bill.to_str().unwrap(),
            "--users",
            "10000",
        ],
    );
    let json = json.unwrap_or_else(|| panic!("{out}{err}"));
    assert_eq!(json["bills"][0]["format"], "cur");
    assert_eq!(json["month"], "2026-11");
    for (line, usd) in [
        ("ec2", 168.63),
        ("nat-gateway", 98.55),
        ("rds-postgres", 348.21),
        ("elasticache-redis", 217.54),
        ("alb", 16.43),
        ("cross-az", 0.0),
    ] {
        let r = row(&json, "lines", "line", line);
        assert_eq!(r["actual_usd"], usd, "{line}");
    }
    assert_eq!(
        row(&json, "lines", "line", "ec2")["actual_by_region"]["us-east-1"],
        168.63
    );
    // The tax row goes under its type, the CloudWatch row has no rule: both not modelled.
    let not = json["not_modelled"].as_array().unwrap();
    assert_eq!(not[0]["service"], "Tax");
    assert_eq!(not[0]["usage_type"], "AmazonEC2");
    assert_eq!(not[0]["actual_usd"], 10.0);
    assert_eq!(not[1]["service"], "AmazonCloudWatch");
    // db lacks its storage (7.59) and cross-az share (0.08): -7.67 / 355.88 = -2.16%; the
    // Fixed cloudflare line is on no AWS bill (-100%), so the run fails.
    assert_eq!(
        row(&json, "components", "component", "db")["error_pct"],
        -2.16
    );
    assert_eq!(code, 1);
}

#[test]
fn a_malformed_parquet_row_is_named_by_row_and_column() {
    let dir = tempfile::tempdir().unwrap();
    let mut costs = [168.63, 98.55, 348.21, 217.54, 16.43, 10.0, 3.0].map(Some);
    costs[2] = None;
    let bill = cur_bill(dir.path(), &costs);
    let (code, _, err, json) = backtest(
        dir.path(),
        &[
            "scenarios/daadaar.ron",
            "--bill",
            bill.to_str().unwrap(),
            "--users",
            "10000",
        ],
    );
    assert_eq!(code, 2);
    assert!(json.is_none());
    assert!(
        err.contains("cur.parquet: row 3, column line_item_unblended_cost: malformed row"),
        "{err}"
    );
}

/// Runs a bad bill (CSV text) and returns stderr, asserting exit 2 and no output written.
fn bad_bill(text: &str, extra: &[&str]) -> String {
    let dir = tempfile::tempdir().unwrap();
    let bill = dir.path().join("bill.csv");
    std::fs::write(&bill, text).unwrap();
    let mut args = vec![
        "scenarios/daadaar.ron",
        "--bill",
        bill.to_str().unwrap(),
        "--users",
        "10000",
    ];
    args.extend(extra);
    let (code, out, err, json) = backtest(dir.path(), &args);
    assert_eq!(code, 2, "{out}{err}");
    assert!(json.is_none());
    err
}

#[test]
fn bad_bills_are_named() {
    let ok = "USD,2026-11-01T00:00:00Z,Amazon Elastic Compute Cloud,BoxUsage:m6g.large,us-east-1,1.0,AWS";
    // A cost that is no number: file, line 3 (the second row), column 6.
    let err = bad_bill(
        &format!("{FOCUS_HEADER}\n{ok}\nUSD,2026-11-01T00:00:00Z,AmazonEC2,x,us-east-1,abc,AWS\n"),
        &[],
    );
    assert!(
        err.contains("bill.csv:3:6: malformed row: EffectiveCost `abc` is not a number"),
        "{err}"
    );
    // A row with a missing field.
    let err = bad_bill(
        &format!("{FOCUS_HEADER}\n{ok}\nUSD,2026-11-01T00:00:00Z,AmazonEC2\n"),
        &[],
    );
    assert!(err.contains("bill.csv:3:1: malformed row"), "{err}");
    // A required column misspelled: named, with the nearest the file has.
    let err = bad_bill(
        &format!(
            "{}\n{ok}\n",
            FOCUS_HEADER.replace("EffectiveCost", "EffectivCost")
        ),
        &[],
    );
    assert!(
        err.contains(
            "FOCUS 1.0 bill without a `EffectiveCost` column (did you mean `EffectivCost`?)"
        ),
        "{err}"
    );
    // Neither format.
    let err = bad_bill("a,b\n1,2\n", &[]);
    assert!(err.contains("neither a FOCUS 1.0 bill"), "{err}");
    // Rows in euros: stated (rows, amount, first row), not summed.
    let eur = "EUR,2026-11-01T00:00:00Z,Amazon Elastic Compute Cloud,BoxUsage:m6g.large,us-east-1,10.25,AWS";
    let err = bad_bill(&format!("{FOCUS_HEADER}\n{ok}\n{eur}\n{eur}\n"), &[]);
    assert!(
        err.contains("2 rows in EUR (20.5 EUR, the first at row 3): left out, not summed into USD"),
        "{err}"
    );
    // A month with no rows.
    let err = bad_bill(&format!("{FOCUS_HEADER}\n{ok}\n"), &["--month", "2026-12"]);
    assert!(
        err.contains("--month 2026-12: the bills have no rows in 2026-12; they cover 2026-11"),
        "{err}"
    );
    // Two months and no --month.
    let dec = ok.replace("2026-11", "2026-12");
    let err = bad_bill(&format!("{FOCUS_HEADER}\n{ok}\n{dec}\n"), &[]);
    assert!(
        err.contains("the bills cover 2 months (2026-11, 2026-12): choose one with --month"),
        "{err}"
    );
}
