//! `plan --format focus`: focus.csv and focus.parquet checked by the FinOps Foundation's own
//! validator (`focus-validator` 1.0.0 from PyPI, pinned in tests/py/requirements.txt and
//! installed by `scripts/test` into tests/py/.venv; these tests fail when it is missing), and
//! the CSV's sums against plan.json through the real binary.

use std::path::{Path, PathBuf};
use std::process::Command;

use crate::support::{headroom, root, shipped_scenarios};

/// The validator's Python, from the venv `scripts/test` makes.
fn venv_python() -> PathBuf {
    let python = root().join("tests/py/.venv/bin/python");
    assert!(
        python.exists(),
        "{} is missing: scripts/test installs the FOCUS validator (python3 -m venv tests/py/.venv; \
         pip install -r tests/py/requirements.txt)",
        python.display()
    );
    python
}

/// Runs `focus-validator --validate-version 1.0` on `file`: (passed, its report).
fn validate(file: &Path) -> (bool, String) {
    let python = venv_python();
    // The validator opens its currency-code list by a path relative to the working folder
    // (`focus_validator/utils/currency_codes.csv`): run it from its site-packages folder, or
    // every currency fails BillingCurrency_IsCurrencyCode.
    let site = Command::new(&python)
        .args([
            "-c",
            "import focus_validator, os; print(os.path.dirname(os.path.dirname(focus_validator.__file__)))",
        ])
        .output()
        .expect("the venv's python runs");
    assert!(site.status.success(), "{site:?}");
    let site = String::from_utf8(site.stdout).unwrap().trim().to_string();
    // Its console script's entry point, run by the venv's python (the script's own `#!` line
    // names the python of the venv it was installed into, wrong in a copied venv).
    let out = Command::new(&python)
        .args([
            "-c",
            "import sys; from focus_validator.main import main; sys.exit(main())",
        ])
        .arg("--data-file")
        .arg(file)
        .args(["--validate-version", "1.0"])
        .current_dir(site)
        .output()
        .expect("focus-validator runs");
    let report = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    // It exits 0 either way; its last line says which.
    (report.contains("Validation succeeded."), report)
}

fn plan_focus(scenario: &Path, out: &Path, extra: &[&str]) -> PathBuf {
    headroom()
        .arg("plan")
        .arg(scenario)
        .arg("--out")
        .arg(out)
        .args(["--format", "focus,json", "--quiet"])
        .args(extra)
        .assert()
        .success();
    let name = scenario.file_stem().unwrap().to_str().unwrap();
    out.join(name).join("focus.csv")
}

#[test]
fn every_shipped_scenario_passes_the_focus_validator() {
    let dir = tempfile::tempdir().unwrap();
    // Every scenario's rows in one file (same columns): one validator run, ~3 s.
    let mut all = String::new();
    for scenario in shipped_scenarios() {
        let file = plan_focus(&scenario, dir.path(), &[]);
        let text = std::fs::read_to_string(&file).unwrap();
        let (header, rows) = text.split_once('\n').unwrap();
        if all.is_empty() {
            all.push_str(header);
            all.push('\n');
        }
        assert!(!rows.is_empty(), "{}: no rows", scenario.display());
        all.push_str(rows);
    }
    let combined = dir.path().join("all-focus.csv");
    std::fs::write(&combined, &all).unwrap();
    let (ok, report) = validate(&combined);
    assert!(ok, "focus-validator rejected focus.csv:\n{report}");

    // The validator is live: the same file with one row's SkuPriceId emptied fails its
    // SkuPriceId_Nullable rule (a usage charge needs a SkuPriceId).
    let mut reader = csv::Reader::from_path(&combined).unwrap();
    let header = reader.headers().unwrap().clone();
    let sku_price = header.iter().position(|h| h == "SkuPriceId").unwrap();
    let mut writer = csv::Writer::from_path(dir.path().join("broken.csv")).unwrap();
    writer.write_record(&header).unwrap();
    for (i, record) in reader.records().enumerate() {
        let mut fields: Vec<String> = record.unwrap().iter().map(str::to_string).collect();
        if i == 0 {
            fields[sku_price].clear();
        }
        writer.write_record(&fields).unwrap();
    }
    writer.flush().unwrap();
    drop(writer);
    let (ok, report) = validate(&dir.path().join("broken.csv"));
    assert!(
        !ok && report.contains("SkuPriceId_Nullable failed"),
        "{report}"
    );
}

#[test]
fn focus_parquet_passes_the_focus_validator() {
    // The validator reads Parquet with pandas (through fastparquet, pinned beside it).
    let dir = tempfile::tempdir().unwrap();
    let csv = plan_focus(&root().join("scenarios/saas-10b.ron"), dir.path(), &[]);
    let parquet = csv.with_extension("parquet");
    let (ok, report) = validate(&parquet);
    assert!(ok, "focus-validator rejected focus.parquet:\n{report}");

    // Live on Parquet too: one row's SkuPriceId made null fails SkuPriceId_Nullable.
    let broken = dir.path().join("broken.parquet");
    let edit = Command::new(venv_python())
        .args([
            "-c",
            "import sys, pandas as pd; df = pd.read_parquet(sys.argv[1]); \
             df.loc[0, 'SkuPriceId'] = None; df.to_parquet(sys.argv[2])",
        ])
        .arg(&parquet)
        .arg(&broken)
        .output()
        .expect("the venv's python runs");
    assert!(edit.status.success(), "{edit:?}");
    let (ok, report) = validate(&broken);
    assert!(
        !ok && report.contains("SkuPriceId_Nullable failed"),
        "{report}"
    );
}

#[test]
fn focus_months_sum_to_the_plan_json_totals() {
    let dir = tempfile::tempdir().unwrap();
    let scenario = root().join("scenarios/saas-10b.ron");
    let file = plan_focus(&scenario, dir.path(), &["--focus-start", "2027-11"]);
    let plan: serde_json::Value =
        serde_json::from_slice(&std::fs::read(dir.path().join("saas-10b/plan.json")).unwrap())
            .unwrap();
    let mut reader = csv::Reader::from_path(&file).unwrap();
    let header = reader.headers().unwrap().clone();
    let at = |name: &str| header.iter().position(|h| h == name).unwrap();
    let (start, billed, list) = (at("BillingPeriodStart"), at("BilledCost"), at("ListCost"));
    let rows: Vec<csv::StringRecord> = reader.records().map(Result::unwrap).collect();
    let phases = plan["phases"].as_array().unwrap();
    // saas-10b has 7 phases (10K..10B): months 2027-11 .. 2028-05.
    assert_eq!(phases.len(), 7);
    let months = [
        "2027-11", "2027-12", "2028-01", "2028-02", "2028-03", "2028-04", "2028-05",
    ];
    for (phase, month) in phases.iter().zip(months) {
        let period = format!("{month}-01T00:00:00Z");
        let sum = |col: usize| -> f64 {
            let cents: f64 = rows
                .iter()
                .filter(|r| r[start] == period)
                .map(|r| r[col].parse::<f64>().unwrap())
                .sum();
            // rows are in cents; the plan's total is their sum rounded to cents
            (cents * 100.0).round() / 100.0
        };
        assert_eq!(
            sum(billed),
            phase["monthly_usd"].as_f64().unwrap(),
            "{month}"
        );
        assert_eq!(
            sum(list),
            phase["list_monthly_usd"].as_f64().unwrap(),
            "{month}"
        );
    }
    assert!(
        rows.iter()
            .all(|r| months.iter().any(|m| r[start].starts_with(m)))
    );
}

#[test]
fn a_bad_focus_start_is_bad_input() {
    let dir = tempfile::tempdir().unwrap();
    let out = headroom()
        .args([
            "plan",
            "scenarios/saas-10b.ron",
            "--format",
            "focus",
            "--focus-start",
            "2027-13",
        ])
        .arg("--out")
        .arg(dir.path())
        .assert()
        .code(2);
    let stderr = String::from_utf8_lossy(&out.get_output().stderr).to_string();
    assert!(stderr.contains("--focus-start `2027-13`"), "{stderr}");
    assert!(!dir.path().join("saas-10b").exists());
}
