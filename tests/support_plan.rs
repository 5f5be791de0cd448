//! The support plan through the real binary: a line of its own in every phase, priced on the
//! phase's spend after every other line, in every output, in the Monte Carlo draws and in the
//! audit's omitted categories; off by default; incomplete plans are bad input.

use serde_json::Value;

use crate::support::{audit_row, headroom, scenario_copy};

const ENTERPRISE: (&str, &str) = (
    "    hours_per_month: 730.0,",
    "    hours_per_month: 730.0,\n    support_plan: \"enterprise\",",
);

/// Enterprise by hand: 10% to 150K, 7% to 500K, 5% to 1M, 3% above; at least 15,000.
fn enterprise_fee(spend: f64) -> f64 {
    let band = |lo: f64, hi: f64, rate: f64| (spend.min(hi) - lo).max(0.0) * rate;
    let percent = band(0.0, 150_000.0, 0.10)
        + band(150_000.0, 500_000.0, 0.07)
        + band(500_000.0, 1_000_000.0, 0.05)
        + band(1_000_000.0, f64::INFINITY, 0.03);
    percent.max(15_000.0)
}

fn plan_json(dir: &std::path::Path, scenario: &std::path::Path, extra: &[&str]) -> Value {
    headroom()
        .arg("plan")
        .arg(scenario)
        .args(["-q", "--format", "json", "--out"])
        .arg(dir)
        .args(extra)
        .assert()
        .success();
    serde_json::from_str(&std::fs::read_to_string(dir.join("saas-10b/plan.json")).unwrap()).unwrap()
}

fn support_line(phase: &Value) -> Option<&Value> {
    phase["lines"]
        .as_array()
        .unwrap()
        .iter()
        .find(|l| l["component"] == "support" && l["item"] == "support-plan")
}

#[test]
fn enterprise_is_a_line_on_each_phase_spend_and_in_its_total() {
    let dir = tempfile::tempdir().unwrap();
    let on = scenario_copy(dir.path(), "saas-10b.ron", &[ENTERPRISE]);
    let with = plan_json(&dir.path().join("on"), &on, &[]);
    let without = plan_json(
        &dir.path().join("off"),
        &crate::support::root().join("scenarios/saas-10b.ron"),
        &[],
    );
    let phases = with["phases"].as_array().unwrap();
    for (phase, off) in phases.iter().zip(without["phases"].as_array().unwrap()) {
        // Off by default: the shipped scenario has no support line.
        assert!(support_line(off).is_none());
        let line = support_line(phase).expect("a support line in every phase");
        // The fee is computed on what the phase pays without it: the plan with the plan off.
        let spend = off["monthly_usd"].as_f64().unwrap();
        assert_eq!(line["quantity"].as_f64().unwrap(), spend);
        let fee = line["monthly_usd"].as_f64().unwrap();
        assert!(
            (fee - enterprise_fee(spend)).abs() < 0.006,
            "{fee} on {spend}"
        );
        let total = phase["monthly_usd"].as_f64().unwrap();
        assert!((total - (spend + fee)).abs() < 0.006, "{total}");
        let component = phase["components"]
            .as_array()
            .unwrap()
            .iter()
            .find(|c| c["component"] == "support")
            .unwrap();
        assert_eq!(component["monthly_usd"].as_f64().unwrap(), fee);
    }
    // 10K: about $23K of spend x 10% is below the minimum, which binds.
    let small = support_line(&phases[0]).unwrap();
    assert_eq!(small["monthly_usd"], 15_000.0);
    assert_eq!(small["binding"], "minimum");
    assert_eq!(small["price_key"], "support-enterprise/minimum/global");
    // 10B: above $1M the walk crosses all four bands, each in `tiers` and the derivation.
    let big = support_line(phases.last().unwrap()).unwrap();
    assert_eq!(big["binding"], "percent");
    let tiers = big["tiers"].as_array().unwrap();
    let bands: Vec<f64> = tiers.iter().map(|t| t["usd"].as_f64().unwrap()).collect();
    assert_eq!(bands.len(), 4);
    for (got, want) in bands.iter().zip([15_000.0, 24_500.0, 25_000.0]) {
        assert!((got - want).abs() < 1e-6, "{bands:?}");
    }
    let steps: Vec<&str> = big["derivation"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["name"].as_str().unwrap())
        .collect();
    assert_eq!(
        steps,
        [
            "spend_usd",
            "fee_band[0..150000]",
            "fee_band[150000..500000]",
            "fee_band[500000..1000000]",
            "fee_band[1000000..up]",
            "percent_usd",
            "monthly_usd"
        ]
    );
}

#[test]
fn terminal_costs_csv_and_summary_show_the_walk() {
    let dir = tempfile::tempdir().unwrap();
    let on = scenario_copy(dir.path(), "saas-10b.ron", &[ENTERPRISE]);
    let out = dir.path().join("out");
    let stdout = headroom()
        .arg("plan")
        .arg(&on)
        .arg("--out")
        .arg(&out)
        .assert()
        .success()
        .get_output()
        .stdout
        .clone();
    let stdout = String::from_utf8(stdout).unwrap();
    let walk = "$150,000.00 x 10% + $350,000.00 x 7% + $500,000.00 x 5% + $";
    let line = stdout.lines().rfind(|l| l.starts_with("support ")).unwrap();
    assert!(line.contains(walk), "{line}");
    assert!(line.contains("minimum $15,000.00"), "{line}");
    let summary = std::fs::read_to_string(out.join("saas-10b/summary.md")).unwrap();
    assert!(summary.contains("| support | support-plan |"), "{summary}");
    assert!(summary.contains(walk));
    let costs = std::fs::read_to_string(out.join("saas-10b/costs.csv")).unwrap();
    assert_eq!(
        costs
            .lines()
            .filter(|l| l.contains(",support,Support,support-plan,"))
            .count(),
        7,
        "one support row per phase"
    );
}

#[test]
fn each_draw_adds_the_fee_on_its_own_total() {
    // At 10K every draw's spend is far below $150K, so every draw pays exactly the $15,000
    // minimum on top: the draws' lowest and highest totals move by exactly that.
    let dir = tempfile::tempdir().unwrap();
    let on = scenario_copy(dir.path(), "saas-10b.ron", &[ENTERPRISE]);
    let draws = ["--draws", "64"];
    let with = plan_json(&dir.path().join("on"), &on, &draws);
    let without = plan_json(
        &dir.path().join("off"),
        &crate::support::root().join("scenarios/saas-10b.ron"),
        &draws,
    );
    let first = |p: &Value| p["uncertainty"]["phases"][0]["monthly_usd"].clone();
    let (a, b) = (first(&with), first(&without));
    for key in ["min", "max"] {
        let (on, off) = (a[key].as_f64().unwrap(), b[key].as_f64().unwrap());
        assert!((on - off - 15_000.0).abs() < 0.006, "{key}: {on} vs {off}");
    }
}

#[test]
fn audit_names_the_support_a_doc_total_omits() {
    // Seed 000's 10B plan: 11,186,103.52 compared + 1,785.00 backups + 10,512.00 cross-AZ
    // = 11,198,400.52 of spend; Enterprise: 15,000 + 24,500 + 25,000
    // + (11,198,400.52 - 1,000,000) x 3% = 64,500 + 305,952.02 = 370,452.02.
    let dir = tempfile::tempdir().unwrap();
    let s = scenario_copy(dir.path(), "maxbooster-redis-cdn.ron", &[ENTERPRISE]);
    let line = audit_row(&s, "000-p5-total");
    assert!(line.contains("omits support: $370,452.02/month"), "{line}");
    assert!(line.contains("11,186,103.52"), "{line}");
}

#[test]
fn a_plan_with_incomplete_bands_or_an_unknown_name_is_bad_input() {
    let dir = tempfile::tempdir().unwrap();
    for (plan, why) in [
        ("business", "between USD 10,000 and 250,000"),
        ("enterprise-on-ramp", "bands were not found"),
        ("enterprize", "did you mean `enterprise`"),
    ] {
        let s = scenario_copy(
            dir.path(),
            "saas-10b.ron",
            &[(ENTERPRISE.0, &ENTERPRISE.1.replace("enterprise", plan))],
        );
        headroom()
            .arg("plan")
            .arg(&s)
            .args(["-q", "--out"])
            .arg(dir.path().join("out"))
            .assert()
            .code(2)
            .stderr(predicates::str::contains("support_plan"))
            .stderr(predicates::str::contains(why));
    }
}
