//! The Parquet files (`plan --format parquet`, `focus.parquet` under `--format focus`, and
//! `headroom timeline`'s two tables) through the real binary, read back by DuckDB, a reader
//! independent of the polars writer (PyPI `duckdb`, pinned in tests/py/requirements.txt and
//! installed by `scripts/test` into tests/py/.venv; tests/py/duckdb_query.py runs the SQL).
//! Checked: column names and types, row counts, that each file holds its CSV's rows value for
//! value (where the CSV is not rounded), sums against plan.json's totals, and byte-identical
//! files from two runs.

use std::path::{Path, PathBuf};
use std::process::Command;

use serde_json::Value;

use crate::support::{files_under, headroom, root};

/// Runs `queries` in DuckDB: one result per query, each a list of rows.
fn duckdb(queries: &[String]) -> Vec<Vec<Vec<Value>>> {
    let python = root().join("tests/py/.venv/bin/python");
    assert!(
        python.exists(),
        "{} is missing: scripts/test installs DuckDB (python3 -m venv tests/py/.venv; \
         pip install --no-deps -r tests/py/requirements.txt)",
        python.display()
    );
    let out = Command::new(&python)
        .arg(root().join("tests/py/duckdb_query.py"))
        .args(queries)
        .output()
        .expect("the venv's python runs");
    assert!(
        out.status.success(),
        "duckdb_query.py failed:\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).expect("duckdb_query.py prints JSON")
}

/// One query's rows.
fn query(sql: &str) -> Vec<Vec<Value>> {
    duckdb(&[sql.to_string()]).remove(0)
}

/// A file as a SQL string literal (temporary paths hold no quote).
fn lit(path: &Path) -> String {
    let text = path.display().to_string();
    assert!(!text.contains('\''), "{text}");
    format!("'{text}'")
}

/// (column, DuckDB type) of a Parquet file, in file order.
fn columns(parquet: &Path) -> Vec<(String, String)> {
    query(&format!("DESCRIBE SELECT * FROM {}", lit(parquet)))
        .into_iter()
        .map(|row| {
            (
                row[0].as_str().unwrap().to_string(),
                row[1].as_str().unwrap().to_string(),
            )
        })
        .collect()
}

fn count(parquet: &Path) -> u64 {
    query(&format!("SELECT count(*) FROM {}", lit(parquet)))[0][0]
        .as_u64()
        .unwrap()
}

/// The header of a CSV file.
fn csv_header(csv: &Path) -> Vec<String> {
    let mut reader = csv::Reader::from_path(csv).unwrap();
    reader.headers().unwrap().iter().map(String::from).collect()
}

/// The column names as the file stores them (DuckDB's DESCRIBE renames a name that repeats
/// another but for case, as focus's `ResourceID` beside `ResourceId`, to `ResourceID_1`).
fn stored_names(parquet: &Path) -> Vec<String> {
    query(&format!(
        "SELECT name FROM parquet_schema({}) WHERE num_children IS NULL",
        lit(parquet)
    ))
    .into_iter()
    .map(|row| row[0].as_str().unwrap().to_string())
    .collect()
}

/// Asserts that `parquet` holds exactly `csv`'s rows (as multisets, every value equal; empty
/// CSV fields are nulls) and columns, the CSV read with the Parquet file's types, and returns
/// the row count.
fn same_rows(parquet: &Path, csv: &Path) -> u64 {
    assert_eq!(
        stored_names(parquet),
        csv_header(csv),
        "{}",
        parquet.display()
    );
    let typed: Vec<String> = columns(parquet)
        .iter()
        .map(|(n, t)| format!("'{n}': '{t}'"))
        .collect();
    let csv_rows = format!(
        "SELECT * FROM read_csv({}, header = true, columns = {{{}}})",
        lit(csv),
        typed.join(", ")
    );
    let parquet_rows = format!("SELECT * FROM {}", lit(parquet));
    let results = duckdb(&[
        format!("SELECT count(*) FROM ({parquet_rows} EXCEPT ALL {csv_rows})"),
        format!("SELECT count(*) FROM ({csv_rows} EXCEPT ALL {parquet_rows})"),
        format!("SELECT count(*) FROM ({csv_rows})"),
    ]);
    let n = |i: usize| results[i][0][0].as_u64().unwrap();
    assert_eq!(
        (n(0), n(1)),
        (0, 0),
        "{} differs from its CSV",
        parquet.display()
    );
    let rows = n(2);
    assert_eq!(rows, count(parquet));
    rows
}

fn cents(x: f64) -> f64 {
    (x * 100.0).round() / 100.0
}

fn num(v: &Value) -> f64 {
    v.as_f64().unwrap_or_else(|| panic!("not a number: {v}"))
}

fn plan_into(out: &Path, args: &[&str]) -> PathBuf {
    headroom()
        .args(["plan", "scenarios/saas-10b.ron", "-q", "--out"])
        .arg(out)
        .args(args)
        .assert()
        .success();
    out.join("saas-10b")
}

fn plan_json(dir: &Path) -> Value {
    serde_json::from_slice(&std::fs::read(dir.join("plan.json")).unwrap()).unwrap()
}

/// The Parquet files under `dir` with their bytes.
fn parquet_files(dir: &Path) -> Vec<(String, Vec<u8>)> {
    files_under(dir)
        .into_iter()
        .filter(|f| f.ends_with(".parquet"))
        .map(|f| {
            let bytes = std::fs::read(dir.join(&f)).unwrap();
            (f, bytes)
        })
        .collect()
}

#[test]
fn costs_and_focus_parquet_hold_the_csv_rows_and_the_plans_totals() {
    let out = tempfile::tempdir().unwrap();
    let dir = plan_into(
        out.path(),
        &[
            "--format",
            "json,csv,focus,parquet",
            "--focus-start",
            "2027-11",
        ],
    );
    let plan = plan_json(&dir);
    let phases = plan["phases"].as_array().unwrap();
    // saas-10b: 7 phases (10K .. 10B), 43 lines each; 10B costs $44,481,680.13 a month
    // (plan.json, tests/snapshots/tests__golden__saas-10b__plan.json.snap).
    assert_eq!(phases.len(), 7);
    assert_eq!(num(&phases[6]["monthly_usd"]), 44_481_680.13);

    // costs.parquet: costs.csv's 7 x 43 = 301 rows, numbers typed.
    let costs = dir.join("costs.parquet");
    let types: Vec<(String, String)> = [
        ("phase", "VARCHAR"),
        ("users", "UBIGINT"),
        ("component", "VARCHAR"),
        ("kind", "VARCHAR"),
        ("item", "VARCHAR"),
        ("instance", "VARCHAR"),
        ("count", "UBIGINT"),
        ("derived_count", "UBIGINT"),
        ("pinned", "BOOLEAN"),
        ("count_unit", "VARCHAR"),
        ("unit", "VARCHAR"),
        ("quantity", "DOUBLE"),
        ("unit_price_usd", "DOUBLE"),
        ("list_monthly_usd", "DOUBLE"),
        ("discount", "VARCHAR"),
        ("discount_multiplier", "DOUBLE"),
        ("monthly_usd", "DOUBLE"),
        ("price_given_by", "VARCHAR"),
        ("price_source", "VARCHAR"),
        ("price_as_of", "VARCHAR"),
        ("price_confidence", "VARCHAR"),
    ]
    .iter()
    .map(|(n, t)| (n.to_string(), t.to_string()))
    .collect();
    assert_eq!(columns(&costs), types);
    assert_eq!(same_rows(&costs, &dir.join("costs.csv")), 301);
    // Per phase, the lines (in cents) sum to the phase's totals.
    let sums = query(&format!(
        "SELECT phase, sum(monthly_usd), sum(list_monthly_usd), count(*) FROM {} \
         GROUP BY phase ORDER BY min(users)",
        lit(&costs)
    ));
    assert_eq!(sums.len(), 7);
    for (row, phase) in sums.iter().zip(phases) {
        assert_eq!(row[0], phase["name"]);
        assert_eq!(cents(num(&row[1])), num(&phase["monthly_usd"]));
        assert_eq!(cents(num(&row[2])), num(&phase["list_monthly_usd"]));
        assert_eq!(row[3].as_u64(), Some(43));
    }
    // A line without an instance or a discount: null, not an empty string.
    let nulls = query(&format!(
        "SELECT count(*) FILTER (WHERE instance IS NULL), count(*) FILTER (WHERE instance = ''), \
         count(*) FILTER (WHERE discount = '') FROM {}",
        lit(&costs)
    ));
    assert!(nulls[0][0].as_u64().unwrap() > 0, "{nulls:?}");
    assert_eq!(
        (nulls[0][1].as_u64(), nulls[0][2].as_u64()),
        (Some(0), Some(0))
    );

    // by_component.parquet: one row per phase; the components sum to the total.
    let by_component = dir.join("by_component.parquet");
    let cols = columns(&by_component);
    assert_eq!(cols[0], ("phase".into(), "VARCHAR".into()));
    assert_eq!(cols[1], ("users".into(), "UBIGINT".into()));
    assert!(cols[2..].iter().all(|(_, t)| t == "DOUBLE"), "{cols:?}");
    assert_eq!(same_rows(&by_component, &dir.join("by_component.csv")), 7);
    let components: Vec<String> = cols[2..cols.len() - 2]
        .iter()
        .map(|(n, _)| format!("\"{n}\""))
        .collect();
    let totals = query(&format!(
        "SELECT round({}, 2), monthly_usd FROM {} ORDER BY users",
        components.join(" + "),
        lit(&by_component)
    ));
    for (row, phase) in totals.iter().zip(phases) {
        assert_eq!(num(&row[0]), num(&phase["monthly_usd"]));
        assert_eq!(num(&row[1]), num(&phase["monthly_usd"]));
    }

    // focus.parquet: focus.csv's rows, FOCUS 1.0's types, month sums equal to the plan's.
    let focus = dir.join("focus.parquet");
    let decimal = [
        "BilledCost",
        "EffectiveCost",
        "ListCost",
        "ContractedCost",
        "ListUnitPrice",
        "ContractedUnitPrice",
        "PricingQuantity",
        "ConsumedQuantity",
    ];
    let datetime = [
        "BillingPeriodStart",
        "BillingPeriodEnd",
        "ChargePeriodStart",
        "ChargePeriodEnd",
    ];
    let cols = columns(&focus);
    assert_eq!(cols.len(), 48);
    for (name, t) in &cols {
        let want = if decimal.contains(&name.as_str()) {
            "DOUBLE"
        } else if datetime.contains(&name.as_str()) {
            "TIMESTAMP WITH TIME ZONE"
        } else {
            "VARCHAR"
        };
        assert_eq!(t, want, "{name}");
    }
    let rows = same_rows(&focus, &dir.join("focus.csv"));
    // Some lines bill per region (saas-10b is multi-region): more rows than billed lines
    // (26 x 4 + 27 x 3 = 185).
    assert!(rows > 185, "{rows}");
    let months = query(&format!(
        "SELECT BillingPeriodStart::VARCHAR, max(BillingPeriodEnd)::VARCHAR, sum(BilledCost), \
         sum(EffectiveCost), sum(ListCost), count(*) FILTER (WHERE ChargeClass IS NULL), count(*) \
         FROM {} GROUP BY 1 ORDER BY 1",
        lit(&focus)
    ));
    let starts = [
        "2027-11", "2027-12", "2028-01", "2028-02", "2028-03", "2028-04", "2028-05", "2028-06",
    ];
    assert_eq!(months.len(), 7);
    for (i, (row, phase)) in months.iter().zip(phases).enumerate() {
        assert_eq!(row[0], format!("{}-01 00:00:00+00", starts[i]).as_str());
        assert_eq!(row[1], format!("{}-01 00:00:00+00", starts[i + 1]).as_str());
        // Rows are in cents, as the plan's lines are; the plan's total is their sum.
        assert_eq!(
            cents(num(&row[2])),
            num(&phase["monthly_usd"]),
            "{}",
            starts[i]
        );
        assert_eq!(
            cents(num(&row[3])),
            num(&phase["monthly_usd"]),
            "{}",
            starts[i]
        );
        assert_eq!(cents(num(&row[4])), num(&phase["list_monthly_usd"]));
        assert_eq!(row[5], row[6], "ChargeClass is null on every row");
    }
}

#[test]
fn uncertainty_parquet_holds_plan_json_figures_unrounded_and_every_file_is_deterministic() {
    let args = [
        "--format",
        "json,csv,focus,parquet",
        "--draws",
        "200",
        "--seed",
        "7",
    ];
    let (a, b) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
    let dir = plan_into(a.path(), &args);
    let other = plan_into(b.path(), &args);
    let files = parquet_files(&dir);
    let names: Vec<&str> = files.iter().map(|(n, _)| n.as_str()).collect();
    assert_eq!(
        names,
        [
            "by_component.parquet",
            "costs.parquet",
            "focus.parquet",
            "regret.parquet",
            "tornado.parquet",
            "uncertainty.parquet",
        ]
    );
    assert!(
        files == parquet_files(&other),
        "two runs wrote different Parquet bytes"
    );
    // Every column chunk zstd-compressed; the footer names the writer and holds the Arrow
    // schema, nothing else (no time of the run).
    for (name, _) in &files {
        let file = lit(&dir.join(name));
        let meta = duckdb(&[
            format!("SELECT DISTINCT compression FROM parquet_metadata({file})"),
            format!("SELECT created_by FROM parquet_file_metadata({file})"),
            format!("SELECT decode(key) FROM parquet_kv_metadata({file})"),
        ]);
        assert_eq!(meta[0], [["ZSTD"]], "{name}");
        assert_eq!(meta[1], [["Polars"]], "{name}");
        assert_eq!(meta[2], [["ARROW:schema"]], "{name}");
    }

    let plan = plan_json(&dir);
    let u = &plan["uncertainty"];
    let phases = u["phases"].as_array().unwrap();
    let uncertainty = dir.join("uncertainty.parquet");
    let cols = columns(&uncertainty);
    let names: Vec<&str> = cols.iter().map(|(n, _)| n.as_str()).collect();
    assert_eq!(names, csv_header(&dir.join("uncertainty.csv")));
    assert!(cols[..5].iter().all(|(_, t)| t == "VARCHAR"), "{cols:?}");
    assert!(cols[5..].iter().all(|(_, t)| t == "DOUBLE"), "{cols:?}");
    let csv_rows = csv::Reader::from_path(dir.join("uncertainty.csv"))
        .unwrap()
        .records()
        .count() as u64;
    assert_eq!(count(&uncertainty), csv_rows);
    // Each phase's total: plan.json's percentiles, bit for bit (the CSV rounds them to cents).
    let totals = query(&format!(
        "SELECT phase, component IS NULL, item IS NULL, unit, mean, p5, p50, p90, p95, p99, min, \
         max FROM {} WHERE metric = 'total_monthly_usd'",
        lit(&uncertainty)
    ));
    assert_eq!(totals.len(), phases.len());
    for (row, phase) in totals.iter().zip(phases) {
        assert_eq!(row[0], phase["name"]);
        assert_eq!((&row[1], &row[2]), (&Value::Bool(true), &Value::Bool(true)));
        assert_eq!(row[3], "USD/month");
        let p = &phase["monthly_usd"];
        for (i, key) in ["mean", "p5", "p50", "p90", "p95", "p99", "min", "max"]
            .iter()
            .enumerate()
        {
            assert_eq!(num(&row[4 + i]), num(&p[key]), "{} {key}", row[0]);
        }
    }

    // tornado.parquet: every phase's swings, as plan.json has them.
    let tornado = query(&format!(
        "SELECT phase, input, swing_usd FROM {}",
        lit(&dir.join("tornado.parquet"))
    ));
    let swings: Vec<(&Value, &Value, f64)> = phases
        .iter()
        .flat_map(|p| {
            p["tornado"]
                .as_array()
                .unwrap()
                .iter()
                .map(move |s| (&p["name"], &s["input"], num(&s["swing_usd"])))
        })
        .collect();
    assert!(!swings.is_empty());
    assert_eq!(tornado.len(), swings.len());
    for (row, (phase, input, swing)) in tornado.iter().zip(&swings) {
        assert_eq!((&row[0], &row[1], num(&row[2])), (*phase, *input, *swing));
    }

    // regret.parquet: one least-regret candidate per phase, named as plan.json names it, with
    // its figures; regret = over-provision + under-provision penalty (each in cents: within
    // a cent).
    let regret = dir.join("regret.parquet");
    let cols = columns(&regret);
    let typed: Vec<(&str, &str)> = cols.iter().map(|(n, t)| (n.as_str(), t.as_str())).collect();
    assert_eq!(
        typed,
        [
            ("phase", "VARCHAR"),
            ("candidate", "VARCHAR"),
            ("percentile", "DOUBLE"),
            ("provisioned_monthly_usd", "DOUBLE"),
            ("mean_over_provision_usd", "DOUBLE"),
            ("mean_under_provision_penalty_usd", "DOUBLE"),
            ("mean_regret_usd", "DOUBLE"),
            ("lines_short_over_10pct", "UBIGINT"),
            ("least_regret", "BOOLEAN"),
        ]
    );
    let chosen = query(&format!(
        "SELECT phase, candidate, mean_regret_usd, mean_over_provision_usd, \
         mean_under_provision_penalty_usd FROM {} WHERE least_regret",
        lit(&regret)
    ));
    assert_eq!(chosen.len(), phases.len());
    for (row, phase) in chosen.iter().zip(phases) {
        assert_eq!((&row[0], &row[1]), (&phase["name"], &phase["least_regret"]));
        let candidate = phase["candidates"]
            .as_array()
            .unwrap()
            .iter()
            .find(|c| c["name"] == row[1])
            .unwrap();
        assert_eq!(num(&row[2]), num(&candidate["mean_regret_usd"]));
        assert!(
            (num(&row[2]) - num(&row[3]) - num(&row[4])).abs() <= 0.010_001,
            "{row:?}"
        );
    }
    // The plan as written has no percentile: null.
    let written = query(&format!(
        "SELECT count(*) FROM {} WHERE candidate = 'as written' AND percentile IS NULL",
        lit(&regret)
    ));
    assert_eq!(written[0][0].as_u64(), Some(phases.len() as u64));
}

#[test]
fn timeline_parquet_holds_the_timeline_csv_rows() {
    let (a, b) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
    for out in [a.path(), b.path()] {
        headroom()
            .args([
                "timeline",
                "scenarios/saas-10b.ron",
                "-q",
                "--months",
                "24",
                "--out",
            ])
            .arg(out)
            .assert()
            .success();
    }
    let dir = a.path().join("saas-10b/timeline");
    assert_eq!(
        parquet_files(&dir),
        parquet_files(&b.path().join("saas-10b/timeline"))
    );
    let json: Value =
        serde_json::from_slice(&std::fs::read(dir.join("timeline.json")).unwrap()).unwrap();
    let months = json["months"].as_array().unwrap();
    // 24 months after month 0.
    assert_eq!(months.len(), 25);

    let timeline = dir.join("timeline.parquet");
    let typed: Vec<(String, String)> = columns(&timeline);
    let typed: Vec<(&str, &str)> = typed
        .iter()
        .map(|(n, t)| (n.as_str(), t.as_str()))
        .collect();
    assert_eq!(
        typed,
        [
            ("month", "UINTEGER"),
            ("label", "VARCHAR"),
            ("users", "UBIGINT"),
            ("dau", "DOUBLE"),
            ("peak_rps", "DOUBLE"),
            ("monthly_usd", "DOUBLE"),
        ]
    );
    assert_eq!(same_rows(&timeline, &dir.join("timeline.csv")), 25);
    let per_month = query(&format!(
        "SELECT month, monthly_usd FROM {} ORDER BY month",
        lit(&timeline)
    ));
    for (row, month) in per_month.iter().zip(months) {
        assert_eq!(row[0], month["month"]);
        assert_eq!(num(&row[1]), num(&month["monthly_usd"]));
    }

    let lines = dir.join("timeline_lines.parquet");
    let n_lines: usize = months
        .iter()
        .map(|m| m["lines"].as_array().unwrap().len())
        .sum();
    assert_eq!(
        same_rows(&lines, &dir.join("timeline_lines.csv")),
        n_lines as u64
    );
    // Each month's lines sum to its total (both in cents).
    let sums = query(&format!(
        "SELECT month, sum(monthly_usd) FROM {} GROUP BY month ORDER BY month",
        lit(&lines)
    ));
    for (row, month) in sums.iter().zip(months) {
        assert_eq!(cents(num(&row[1])), num(&month["monthly_usd"]), "{row:?}");
    }
}
