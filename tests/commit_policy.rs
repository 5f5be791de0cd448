//! A scenario's `commitment` policy through the binary: instance lines reserve the lowest
//! month of the term and pay on demand above it; the tables show both parts and the upfront
//! fee, the phase totals follow, and a plan without a policy has none of it.

use predicates::prelude::*;
use serde_json::Value;

use crate::support::{headroom, scenario_copy};

const POLICY_AT: &str = "    hours_per_month: 730.0,";

/// saas-10b planned into `dir` with `policy` (none: as shipped); its plan.json and costs.csv.
fn plan(dir: &std::path::Path, policy: Option<&str>) -> (Value, String) {
    let with = policy.map(|p| format!("{POLICY_AT}\n    commitment: {p},"));
    let edits: Vec<(&str, &str)> = with.iter().map(|w| (POLICY_AT, w.as_str())).collect();
    let s = scenario_copy(dir, "saas-10b.ron", &edits);
    headroom()
        .args([
            "plan",
            s.to_str().unwrap(),
            "--quiet",
            "--format",
            "json,csv",
        ])
        .arg("--out")
        .arg(dir)
        .assert()
        .success();
    let out = dir.join("saas-10b");
    let json = std::fs::read_to_string(out.join("plan.json")).unwrap();
    let csv = std::fs::read_to_string(out.join("costs.csv")).unwrap();
    (serde_json::from_str(&json).unwrap(), csv)
}

/// The line `component`/`item` among `lines` (a JSON array of plan or month lines).
fn line_in<'a>(lines: &'a Value, component: &str, item: &str) -> &'a Value {
    lines
        .as_array()
        .unwrap()
        .iter()
        .find(|l| l["component"] == component && l["item"] == item)
        .unwrap_or_else(|| panic!("no line {component}/{item}"))
}

fn line<'a>(plan: &'a Value, phase: usize, component: &str, item: &str) -> &'a Value {
    line_in(&plan["phases"][phase]["lines"], component, item)
}

#[test]
fn a_one_year_all_upfront_policy_reserves_the_lowest_month_and_the_totals_follow() {
    let on_demand = tempfile::tempdir().unwrap();
    let committed = tempfile::tempdir().unwrap();
    let (before, csv_before) = plan(on_demand.path(), None);
    let policy = r#"(term: "1y", payment: "all-upfront", baseline: LowestMonth)"#;
    let (after, csv_after) = plan(committed.path(), Some(policy));
    // pgbouncer/pooler in phase 10K: 2 x m6i.large per region. saas-10b's curve stays in
    // its first phase all year, so the lowest month of the term is 2 in us-east-1, the one
    // region with an EC2 reserved rate: 1-year Standard all upfront, effective $0.059247/h
    // (upfront 0.059247 x 8,760 = $519.00 per instance).
    // committed: 2 x 0.059247 x 730 = $86.50 (was 2 x 0.096 x 730 = $140.16 on demand);
    // on demand: eu-west-1 $156.22 + ap-southeast-1 $175.20 = $331.42 (no EC2 rates there);
    // line: 86.50 + 331.42 = $417.92; upfront 2 x 519.00 = $1,038.00.
    let p = line(&after, 0, "pgbouncer", "pooler");
    let c = &p["commitment"];
    assert_eq!(c["committed"], 2);
    assert_eq!(c["on_demand"], 4);
    assert_eq!(c["committed_monthly_usd"], 86.5);
    assert_eq!(c["on_demand_monthly_usd"], 331.42);
    assert_eq!(c["upfront_usd"], 1038.0);
    assert_eq!(p["monthly_usd"], 417.92);
    assert_eq!(
        line(&before, 0, "pgbouncer", "pooler")["monthly_usd"],
        471.58
    );
    assert_eq!(
        c["parts"][0]["price_key"],
        "ec2-reserved/m6i.large:1yr-standard-all-upfront/us-east-1"
    );
    // ElastiCache has no 1-year all-upfront rate: the cache stays on demand, named.
    let cache = &line(&after, 0, "sessions-cache", "master")["commitment"];
    assert_eq!(cache["committed"], 0);
    assert_eq!(cache["upfront_usd"], 0.0);
    let warnings = after["warnings"].to_string();
    assert!(
        warnings.contains("stay on demand: users-db/primary"),
        "{warnings}"
    );
    assert!(warnings.contains("sessions-cache/master"), "{warnings}");
    // api/node: 3 x c6i.4xlarge in us-east-1 all month, committed at $0.419863/h:
    // 3 x 0.419863 x 730 = $919.50 instead of 3 x 0.68 x 730 = $1,489.20, $569.70 less.
    let api = &line(&after, 0, "api", "node")["commitment"];
    assert_eq!(api["committed"], 3);
    assert_eq!(api["committed_monthly_usd"], 919.5);
    // The pooler's derivation carries the split, so that its $417.92 (no longer list cost x
    // discount) is traced: the reservation, each region's instances above it, the sum.
    let steps = p["derivation"].as_array().unwrap();
    let step = |name: &str| {
        steps
            .iter()
            .find(|s| s["name"] == name)
            .unwrap_or_else(|| panic!("no step {name}: {steps:?}"))
    };
    // 2 x 0.059247 x 730 = 86.50062.
    let reserved = step("committed_monthly_usd[us-east-1]");
    assert!((reserved["result"].as_f64().unwrap() - 86.500_62).abs() < 1e-6);
    assert!(
        reserved["formula"]
            .as_str()
            .unwrap()
            .ends_with("(reserved rate ec2-reserved/m6i.large:1yr-standard-all-upfront/us-east-1)")
    );
    // us-east-1: 2 run, 2 reserved, none above: $0. eu-west-1: no reserved rate, all 2 on
    // demand at 2 x 0.107 x 730 = $156.22.
    assert_eq!(step("on_demand_monthly_usd[us-east-1]")["result"], 0.0);
    let eu = step("on_demand_monthly_usd[eu-west-1]")["result"]
        .as_f64()
        .unwrap();
    assert!((eu - 156.22).abs() < 0.005, "{eu}");
    // 86.50 + 331.42 = 417.92, the line's monthly_usd.
    let sum = step("monthly_usd");
    assert_eq!(sum["inputs"][0]["value"], 86.5);
    assert_eq!(sum["inputs"][1]["value"], 331.42);
    assert_eq!(sum["result"], 417.92);
    // Without a policy the derivation has none of these steps.
    let plain = line(&before, 0, "pgbouncer", "pooler")["derivation"].to_string();
    assert!(!plain.contains("committed_monthly_usd"), "{plain}");
    // The phase total pays the committed prices: (471.58 - 417.92) + 569.70 = $623.36 less.
    let total = |p: &Value| p["phases"][0]["monthly_usd"].as_f64().unwrap();
    assert!((total(&before) - total(&after) - 623.36).abs() < 0.005);
    // costs.csv: the committed columns appear only under a policy.
    assert!(!csv_before.lines().next().unwrap().contains("committed"));
    assert!(
        csv_after.lines().next().unwrap().ends_with(
            "committed,committed_monthly_usd,on_demand,on_demand_monthly_usd,upfront_usd"
        )
    );
    // Without a policy plan.json has no commitment field on any line.
    let lines = before["phases"][0]["lines"].as_array().unwrap();
    assert!(lines.iter().all(|l| l.get("commitment").is_none()));
}

#[test]
fn the_terminal_markdown_and_report_tables_show_committed_on_demand_and_upfront() {
    let dir = tempfile::tempdir().unwrap();
    let edit = format!(
        "{POLICY_AT}\n    commitment: (term: \"1y\", payment: \"all-upfront\", baseline: Percentile(50)),"
    );
    let s = scenario_copy(dir.path(), "saas-10b.ron", &[(POLICY_AT, &edit)]);
    headroom()
        .args(["plan", s.to_str().unwrap(), "--format", "report,markdown"])
        .arg("--out")
        .arg(dir.path())
        .assert()
        .success()
        .stdout(predicate::str::contains("committed"))
        .stdout(predicate::str::contains("2 = $86.50"))
        .stdout(predicate::str::contains("$1,038.00"));
    // pgbouncer/pooler in phase 10K (see above): the median month of the flat first year is
    // the lowest, 2 instances; Markdown summary and report show the same cells.
    let cells = "| $417.92 | 2 = $86.50 | 4 = $331.42 | $1,038.00 |";
    for file in ["summary.md", "report.md"] {
        let text = std::fs::read_to_string(dir.path().join("saas-10b").join(file)).unwrap();
        assert!(text.contains(cells), "{file}");
    }
}

#[test]
fn a_term_or_payment_outside_the_tables_is_bad_input_naming_the_field() {
    let dir = tempfile::tempdir().unwrap();
    for (policy, field) in [
        (
            r#"(term: "2y", payment: "no-upfront", baseline: LowestMonth)"#,
            "commitment.term",
        ),
        (
            r#"(term: "1y", payment: "partial-upfront", baseline: LowestMonth)"#,
            "commitment.payment",
        ),
        (
            r#"(term: "1y", payment: "no-upfront", baseline: Percentile(120))"#,
            "commitment.baseline",
        ),
    ] {
        let edit = format!("{POLICY_AT}\n    commitment: {policy},");
        let s = scenario_copy(dir.path(), "saas-10b.ron", &[(POLICY_AT, &edit)]);
        headroom()
            .args(["plan", s.to_str().unwrap(), "--format", "json"])
            .arg("--out")
            .arg(dir.path())
            .assert()
            .code(2)
            .stderr(predicate::str::contains(field));
        assert!(!dir.path().join("saas-10b").exists(), "no partial output");
    }
}

/// saas-10b with `policy`, the growth curve `growth` (none: as shipped) and one uncertain
/// input whose spread cannot move a count or a cent (session bytes 2,000 +- 0.001), planned
/// with 200 draws into `dir`: every draw is the point plan's world.
fn plan_with_point_draws(dir: &std::path::Path, policy: &str, growth: Option<&str>) -> Value {
    let shipped_growth = format!(
        "growth: File(\"{}/models/growth/saas-logistic.ron\"),",
        crate::support::root().display()
    );
    const INPUTS: &str =
        r#"            "workload.dau_ratio": Pert(low: 0.25, mode: 0.4, high: 0.55),"#;
    let with = format!("{POLICY_AT}\n    commitment: {policy},");
    let mut edits: Vec<(&str, &str)> = vec![(POLICY_AT, with.as_str())];
    if let Some(g) = growth {
        edits.push((shipped_growth.as_str(), g));
    }
    // The other inputs go: each edit's text must be found, so they are cut one by one.
    let point = r#"            "workload.session_bytes": Triangular(low: 1999.999, mode: 2000, high: 2000.001),"#;
    edits.push((INPUTS, point));
    let cut = [
        r#"            "workload.requests_per_dau_per_day": LogNormal(p10: 140, p90: 320),"#,
        r#"            "workload.peak_to_average": Interval(low: 2, mid: 3, high: 5, confidence: 0.9, min: 1),"#,
        r#"            "workload.session_bytes": Triangular(low: 1000, mode: 2000, high: 6000),"#,
        r#"            "workload.cdn_egress_bytes_per_dau_per_day": LogNormal(p10: 10e6, p90: 35e6),"#,
        r#"            "workload.cache_hit_ratio": Normal(mean: 0.8, sd: 0.05, low: 0.5, high: 0.95),"#,
        r#"            "users_scale": LogNormal(p10: 0.7, p90: 1.3),"#,
    ];
    edits.extend(cut.iter().map(|c| (*c, "")));
    let s = scenario_copy(dir, "saas-10b.ron", &edits);
    headroom()
        .args([
            "plan",
            s.to_str().unwrap(),
            "--quiet",
            "--draws",
            "200",
            "--format",
            "json",
        ])
        .arg("--out")
        .arg(dir)
        .assert()
        .success();
    let json = std::fs::read_to_string(dir.join("saas-10b").join("plan.json")).unwrap();
    serde_json::from_str(&json).unwrap()
}

/// Every phase's draws (all at the point) cost exactly the plan's committed total.
fn assert_draws_at_the_point_pay_the_plan(plan: &Value) {
    let phases = plan["phases"].as_array().unwrap();
    let drawn = plan["uncertainty"]["phases"].as_array().unwrap();
    assert_eq!(phases.len(), drawn.len());
    for (p, d) in phases.iter().zip(drawn) {
        let total = &d["monthly_usd"];
        assert_eq!(total["min"], p["monthly_usd"], "{}", p["name"]);
        assert_eq!(total["max"], p["monthly_usd"], "{}", p["name"]);
    }
}

#[test]
fn draws_at_the_point_pay_the_committed_plan_not_on_demand() {
    let dir = tempfile::tempdir().unwrap();
    let policy = r#"(term: "1y", payment: "all-upfront", baseline: LowestMonth)"#;
    let plan = plan_with_point_draws(dir.path(), policy, None);
    // Phase 10K as in the test above: 2 pooler and 3 api instances reserved in us-east-1,
    // $623.36 below on demand; every draw pays the same committed total, not the on-demand
    // $23,469.80 (a plan of saas-10b without a policy).
    assert_eq!(plan["phases"][0]["monthly_usd"], 22846.44);
    // 23,469.80 - 623.36 = 22,846.44.
    assert!((23469.80_f64 - 623.36 - 22846.44).abs() < 0.005);
    assert_draws_at_the_point_pay_the_plan(&plan);
    // The shipped curve reaches 100K users after month 11: those phases have no
    // reservation and say so.
    let warnings = plan["warnings"].to_string();
    assert!(
        warnings.contains("phases 100K, 1M, 10M, 100M, 1B, 10B come after the term"),
        "{warnings}"
    );
    let api = line(&plan, 1, "api", "node");
    assert_eq!(api["commitment"]["committed"], 0);
    assert_eq!(api["commitment"]["on_demand"], api["count"]);
}

#[test]
fn a_phase_within_the_term_pays_its_idle_reservations() {
    let dir = tempfile::tempdir().unwrap();
    // A flat curve at 10M users: every month of the year plans 10M users, so phases 10K to
    // 10M are within the term and reserve the 10M phase's counts (the lowest month).
    let flat = "growth: Inline(Exponential(start_users: 1e7, annual_growth_rate: 0.0)),";
    let policy = r#"(term: "1y", payment: "all-upfront", baseline: LowestMonth)"#;
    let plan = plan_with_point_draws(dir.path(), policy, Some(flat));
    // api/node at 10M runs 5 c6i.4xlarge in us-east-1: 5 reserved for the year.
    let at_10m = &line(&plan, 3, "api", "node")["commitment"];
    assert_eq!(at_10m["committed"], 5);
    assert_eq!(at_10m["idle"], 0);
    // Phase 10K runs 3 of them there: the 5 reserved are all paid, 2 idle.
    // committed: 5 x 0.419863 x 730 = $1,532.50 (1,532.49995); on demand: the 6 instances
    // of eu-west-1 and ap-southeast-1, $3,314.78 as in the shipped plan;
    // line: 1,532.50 + 3,314.78 = $4,847.28, $613.00 (2 x 0.419863 x 730) more than the
    // 3 reserved instances of the shipped curve's plan ($4,234.28); upfront 5 x $3,678.00.
    let api = line(&plan, 0, "api", "node");
    let c = &api["commitment"];
    assert_eq!(api["count"], 9);
    assert_eq!(c["committed"], 5);
    assert_eq!(c["idle"], 2);
    assert_eq!(c["on_demand"], 6);
    assert_eq!(c["committed_monthly_usd"], 1532.5);
    assert_eq!(c["on_demand_monthly_usd"], 3314.78);
    assert_eq!(c["upfront_usd"], 18390.0);
    assert_eq!(api["monthly_usd"], 4847.28);
    let part = &c["parts"][0];
    assert_eq!(part["instance"], "c6i.4xlarge");
    assert_eq!(
        (part["count"].as_u64(), part["idle"].as_u64()),
        (Some(3), Some(2))
    );
    // The derivation names the idle instances.
    let steps = api["derivation"].as_array().unwrap();
    let idle = steps
        .iter()
        .find(|s| s["name"] == "idle_reserved_instances")
        .unwrap();
    assert_eq!(idle["result"], 2.0);
    // The draws pay the idle reservation too.
    assert_draws_at_the_point_pay_the_plan(&plan);
}

/// saas-10b's timeline, `months` long, with `policy` (none: as shipped): its timeline.json.
fn timeline(dir: &std::path::Path, policy: Option<&str>, months: u32) -> Value {
    let with = policy.map(|p| format!("{POLICY_AT}\n    commitment: {p},"));
    let edits: Vec<(&str, &str)> = with.iter().map(|w| (POLICY_AT, w.as_str())).collect();
    let s = scenario_copy(dir, "saas-10b.ron", &edits);
    headroom()
        .args(["timeline", s.to_str().unwrap(), "--quiet", "--months"])
        .arg(months.to_string())
        .arg("--out")
        .arg(dir)
        .assert()
        .success();
    let json = std::fs::read_to_string(dir.join("saas-10b/timeline/timeline.json")).unwrap();
    serde_json::from_str(&json).unwrap()
}

fn month_line<'a>(t: &'a Value, month: usize, component: &str, item: &str) -> &'a Value {
    line_in(&t["months"][month]["lines"], component, item)
}

/// The timeline's months pay the reservation as the plan's phases do (its budget check and
/// first-year cost read them): within the term the committed pricing, after it on demand.
#[test]
fn the_timeline_pays_the_reservation_in_the_terms_months_and_on_demand_after() {
    let (on_demand, committed) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
    let policy = r#"(term: "1y", payment: "all-upfront", baseline: LowestMonth)"#;
    let before = timeline(on_demand.path(), None, 14);
    let after = timeline(committed.path(), Some(policy), 14);
    // pgbouncer/pooler runs 2 x m6i.large per region in months 0 to 13, as in phase 10K: the
    // reservation is 2 in us-east-1 at $0.059247/h.
    // month 0 (in the term): 2 x 0.059247 x 730 = $86.50 + eu-west-1 $156.22 + ap-southeast-1
    // $175.20 on demand = $417.92; month 12 (after the 1-year term, not renewed): on demand,
    // 2 x 0.096 x 730 = $140.16 + 156.22 + 175.20 = $471.58.
    for month in [0, 11, 12, 13] {
        assert_eq!(month_line(&after, month, "pgbouncer", "pooler")["count"], 6);
        assert_eq!(
            month_line(&before, month, "pgbouncer", "pooler")["monthly_usd"],
            471.58
        );
    }
    assert_eq!(
        month_line(&after, 0, "pgbouncer", "pooler")["monthly_usd"],
        417.92
    );
    assert_eq!(
        month_line(&after, 11, "pgbouncer", "pooler")["monthly_usd"],
        417.92
    );
    assert_eq!(
        month_line(&after, 12, "pgbouncer", "pooler")["monthly_usd"],
        471.58
    );
    // A month's total is its lines' (the support fee aside; saas-10b has none): the term's
    // months cost less than on demand, the months after it the same.
    let total = |t: &Value, m: usize| t["months"][m]["monthly_usd"].as_f64().unwrap();
    assert!(total(&after, 0) < total(&before, 0) - 53.0);
    assert_eq!(total(&after, 12), total(&before, 12));
    assert_eq!(total(&after, 13), total(&before, 13));
    let sum: f64 = after["months"][0]["lines"]
        .as_array()
        .unwrap()
        .iter()
        .map(|l| l["monthly_usd"].as_f64().unwrap())
        .sum();
    assert!((sum - total(&after, 0)).abs() < 0.01, "{sum}");
}
