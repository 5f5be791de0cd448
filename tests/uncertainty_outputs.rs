//! What `headroom plan --draws N` writes besides plan.json, through the real binary: the
//! three CSVs agree with plan.json's `uncertainty` section, the three charts parse (SVG as XML,
//! PNG decoded), the terminal, summary.md and the report show the section; and a plan without
//! draws writes none of it and the same bytes as before.

use std::path::Path;

use serde_json::Value;

use crate::support::{files_under, headroom};

/// The files only a plan with draws has.
const DRAW_FILES: [&str; 12] = [
    "uncertainty.csv",
    "tornado.csv",
    "regret.csv",
    "uncertainty.parquet",
    "tornado.parquet",
    "regret.parquet",
    "charts/uncertainty_fan.svg",
    "charts/uncertainty_fan.png",
    "charts/uncertainty_histogram.svg",
    "charts/uncertainty_histogram.png",
    "charts/uncertainty_tornado.svg",
    "charts/uncertainty_tornado.png",
];

/// Plans saas-10b into `out` with `args`; returns stdout.
fn plan(out: &Path, args: &[&str]) -> String {
    let run = headroom()
        .args(["plan", "scenarios/saas-10b.ron", "--out"])
        .arg(out)
        .args(args)
        .assert()
        .success();
    String::from_utf8(run.get_output().stdout.clone()).unwrap()
}

fn read(dir: &Path, name: &str) -> String {
    std::fs::read_to_string(dir.join(name)).unwrap_or_else(|e| panic!("{name}: {e}"))
}

fn csv_rows(dir: &Path, name: &str) -> (Vec<String>, Vec<csv::StringRecord>) {
    let mut reader = csv::Reader::from_path(dir.join(name)).unwrap();
    let header = reader.headers().unwrap().iter().map(String::from).collect();
    let rows = reader.records().collect::<Result<_, _>>().unwrap();
    (header, rows)
}

fn num(v: &Value) -> f64 {
    v.as_f64().unwrap_or_else(|| panic!("not a number: {v}"))
}

fn field(r: &csv::StringRecord, i: usize) -> f64 {
    r[i].parse()
        .unwrap_or_else(|e| panic!("{r:?} field {i}: {e}"))
}

/// Text of every `<text>` element of an SVG that parses.
fn svg_texts(source: &str, what: &str) -> Vec<String> {
    let doc = roxmltree::Document::parse(source).unwrap_or_else(|e| panic!("{what}: {e}"));
    assert_eq!(doc.root_element().tag_name().name(), "svg", "{what}");
    doc.descendants()
        .filter(|n| n.has_tag_name("text"))
        .map(|n| n.text().unwrap_or_default().trim().to_string())
        .collect()
}

const PERCENTILES: [&str; 8] = ["mean", "p5", "p50", "p90", "p95", "p99", "min", "max"];

#[test]
fn draws_write_csvs_charts_and_sections_that_match_plan_json() {
    let out = tempfile::tempdir().unwrap();
    let stdout = plan(out.path(), &["--draws", "500", "--seed", "7"]);
    let dir = out.path().join("saas-10b");
    let files = files_under(&dir);
    for name in DRAW_FILES {
        assert!(
            files.contains(&name.to_string()),
            "{name} missing: {files:?}"
        );
    }
    let plan: Value = serde_json::from_str(&read(&dir, "plan.json")).unwrap();
    let u = &plan["uncertainty"];
    assert_eq!(
        (u["draws"].as_u64(), u["seed"].as_u64()),
        (Some(500), Some(7))
    );
    let phases = u["phases"].as_array().unwrap();
    let phase = |name: &str| phases.iter().find(|p| p["name"] == name).unwrap();
    let last = phase("10B");
    assert_eq!(u["detail_phase"], "10B");

    // uncertainty.csv: tidy percentiles, money to the cent as in plan.json.
    let (header, rows) = csv_rows(&dir, "uncertainty.csv");
    assert_eq!(
        header,
        [
            "phase",
            "component",
            "item",
            "metric",
            "unit",
            "mean",
            "p5",
            "p50",
            "p90",
            "p95",
            "p99",
            "min",
            "max"
        ]
    );
    let totals: Vec<&csv::StringRecord> = rows
        .iter()
        .filter(|r| &r[3] == "total_monthly_usd")
        .collect();
    assert_eq!(totals.len(), phases.len());
    let total = totals.iter().find(|r| &r[0] == "10B").unwrap();
    assert_eq!(&total[4], "USD/month");
    let (p5, p50, p90, p99) = (
        field(total, 6),
        field(total, 7),
        field(total, 8),
        field(total, 10),
    );
    assert!(
        field(total, 11) <= p5 && p5 <= p50 && p50 <= p90 && p90 <= p99 && p99 <= field(total, 12),
        "{total:?}"
    );
    assert!(
        p5 < p99,
        "draws of uncertain inputs spread the cost: {total:?}"
    );
    for (i, key) in PERCENTILES.iter().enumerate() {
        assert_eq!(
            field(total, 5 + i),
            num(&last["monthly_usd"][key]),
            "10B total {key}"
        );
    }
    // A line's provisioned count: exact integers in the sketch, as in plan.json.
    let line = &last["lines"][0];
    let count = rows
        .iter()
        .find(|r| {
            &r[0] == "10B" && line["component"] == r[1] && line["item"] == r[2] && &r[3] == "count"
        })
        .unwrap();
    assert_eq!(&count[4], line["count_unit"].as_str().unwrap());
    assert_eq!(field(count, 7), num(&line["count"]["p50"]));
    assert_eq!(field(count, 7).fract(), 0.0);
    // Every phase: total, users, each demand figure, each component, and 3 rows per line.
    let expected: usize = phases
        .iter()
        .map(|p| {
            2 + p["demand"].as_object().unwrap().len()
                + p["components"].as_array().unwrap().len()
                + 3 * p["lines"].as_array().unwrap().len()
        })
        .sum();
    assert_eq!(rows.len(), expected);
    let dau = rows
        .iter()
        .find(|r| &r[0] == "10B" && &r[3] == "demand:dau")
        .unwrap();
    assert_eq!(&dau[4], "users");
    assert!((field(dau, 7) - num(&last["demand"]["dau"]["p50"])).abs() < 0.0005);

    // tornado.csv: largest swing first, swing = |high - low|.
    let (header, rows) = csv_rows(&dir, "tornado.csv");
    assert_eq!(
        header,
        [
            "phase",
            "input",
            "low_value",
            "high_value",
            "low_monthly_usd",
            "high_monthly_usd",
            "swing_usd"
        ]
    );
    let swings: Vec<&csv::StringRecord> = rows.iter().filter(|r| &r[0] == "10B").collect();
    let tornado = last["tornado"].as_array().unwrap();
    assert_eq!(swings.len(), tornado.len());
    assert!(swings.len() >= 2);
    for (r, s) in swings.iter().zip(tornado) {
        assert_eq!(&r[1], s["input"].as_str().unwrap());
        assert_eq!(field(r, 6), num(&s["swing_usd"]));
        assert!(
            (field(r, 6) - (field(r, 5) - field(r, 4)).abs()).abs() < 0.011,
            "{r:?}"
        );
    }
    assert!(swings.windows(2).all(|w| field(w[0], 6) >= field(w[1], 6)));
    // users_scale is drawn between 0.7 and 1.3 (its P10 and P90 in the scenario).
    let users = swings.iter().find(|r| &r[1] == "users_scale").unwrap();
    assert_eq!((&users[2], &users[3]), ("0.7", "1.3"));

    // regret.csv: one least-regret candidate per phase, regret = over + under.
    let (header, rows) = csv_rows(&dir, "regret.csv");
    assert_eq!(
        header,
        [
            "phase",
            "candidate",
            "percentile",
            "provisioned_monthly_usd",
            "mean_over_provision_usd",
            "mean_under_provision_penalty_usd",
            "mean_regret_usd",
            "lines_short_over_10pct",
            "least_regret"
        ]
    );
    for p in phases {
        let name = p["name"].as_str().unwrap();
        let candidates: Vec<&csv::StringRecord> = rows.iter().filter(|r| &r[0] == name).collect();
        assert_eq!(candidates.len(), p["candidates"].as_array().unwrap().len());
        let chosen: Vec<&&csv::StringRecord> =
            candidates.iter().filter(|r| &r[8] == "true").collect();
        assert_eq!(chosen.len(), 1, "{name}");
        assert_eq!(&chosen[0][1], p["least_regret"].as_str().unwrap());
        let least = candidates
            .iter()
            .map(|r| field(r, 6))
            .fold(f64::INFINITY, f64::min);
        assert_eq!(field(chosen[0], 6), least, "{name}");
        for r in &candidates {
            assert!(
                (field(r, 6) - field(r, 4) - field(r, 5)).abs() < 0.011,
                "{r:?}"
            );
        }
        assert_eq!(&candidates[0][1], "as written");
        assert_eq!(&candidates[0][2], "");
    }
    let p90 = rows
        .iter()
        .find(|r| &r[0] == "10B" && &r[1] == "P90")
        .unwrap();
    assert_eq!(&p90[2], "90");

    // Charts: SVGs parse, PNGs decode at the charts' size with ink on them.
    for stem in [
        "uncertainty_fan",
        "uncertainty_histogram",
        "uncertainty_tornado",
    ] {
        let svg = read(&dir, &format!("charts/{stem}.svg"));
        let texts = svg_texts(&svg, stem);
        assert!(
            texts.iter().any(|t| t.ends_with(": saas-10b")),
            "{stem}: no title in {texts:?}"
        );
        let png = std::fs::read(dir.join(format!("charts/{stem}.png"))).unwrap();
        let img = image::load_from_memory_with_format(&png, image::ImageFormat::Png)
            .unwrap_or_else(|e| panic!("{stem}: {e}"))
            .to_rgb8();
        assert_eq!(
            img.dimensions(),
            (
                headroom::render::charts::WIDTH,
                headroom::render::charts::HEIGHT
            )
        );
        let inked = img
            .pixels()
            .filter(|p| p.0.iter().any(|c| *c < 235))
            .count();
        let all = (img.width() * img.height()) as usize;
        assert!(
            inked * 50 > all && inked * 2 < all,
            "{stem}: {inked} of {all} inked"
        );
        match stem {
            "uncertainty_fan" => {
                assert!(texts.contains(&"Users (log scale)".to_string()));
                assert!(texts.contains(&"P50 (median)".to_string()));
                assert!(texts.contains(&"plan as written".to_string()));
            }
            "uncertainty_histogram" => {
                // the P50 / P90 / P99 lines, with the plan.json values in the legend
                for key in ["P50", "P90", "P99"] {
                    let v = num(&last["monthly_usd"][key.to_lowercase()]);
                    let legend = format!("{key}: {}", headroom::render::format::approx_usd(v));
                    assert!(texts.contains(&legend), "{legend} not in {texts:?}");
                    assert!(texts.iter().any(|t| t.starts_with(&format!("{key} $"))));
                }
            }
            _ => {
                for s in tornado {
                    assert!(texts.iter().any(|t| t == s["input"].as_str().unwrap()));
                }
            }
        }
    }

    // Terminal, summary.md, report.html and report.md show the section.
    let m = &last["monthly_usd"];
    // Percentiles in whole dollars: they are rounded to the sketch's precision (0.1%).
    let usd = |v: &Value| headroom::render::format::approx_usd(num(v));
    assert!(stdout.contains("== Uncertainty (500 draws, seed 7): monthly cost by phase"));
    let row = stdout
        .lines()
        .find(|l| l.starts_with("10B ") && l.contains(&usd(&m["p99"])))
        .unwrap_or_else(|| panic!("no 10B row:\n{stdout}"));
    assert!(row.contains(&usd(&m["p50"])) && row.ends_with(last["least_regret"].as_str().unwrap()));
    assert!(stdout.contains("== Phase 10B: candidate sizings"));
    let summary = read(&dir, "summary.md");
    assert!(summary.contains("\n## Uncertainty\n"));
    assert!(summary.contains(&format!(
        "- 10B: **{}**",
        last["least_regret"].as_str().unwrap()
    )));
    let html = read(&dir, "report.html");
    let section = html
        .split_once("<section id=\"uncertainty\">")
        .unwrap()
        .1
        .split_once("</section>")
        .unwrap()
        .0;
    assert!(section.contains("<h2>Uncertainty</h2>"));
    assert_eq!(
        section.matches("<figure id=\"chart-uncertainty_").count(),
        3
    );
    assert_eq!(section.matches("<svg ").count(), 3);
    assert!(section.contains(&format!(
        "<tr class=\"chosen\"><td>{} (least regret)</td>",
        last["least_regret"].as_str().unwrap()
    )));
    assert!(section.contains(&usd(&m["p95"])));
    assert!(section.contains("idle units x unit price") && section.contains("nearest rank"));
    // The plan's four charts stay in their section; the three join them as figures.
    let charts = html
        .split_once("<section id=\"charts\">")
        .unwrap()
        .1
        .split_once("</section>")
        .unwrap()
        .0;
    assert_eq!(charts.matches("<figure id=\"chart-").count(), 4);
    assert!(!charts.contains("uncertainty_"));
    assert_eq!(html.matches("<figure id=\"chart-").count(), 7);
    let md = read(&dir, "report.md");
    assert!(md.contains("## Uncertainty") && md.contains("](charts/uncertainty_tornado.svg)"));
}

#[test]
fn without_draws_nothing_changes() {
    let out = tempfile::tempdir().unwrap();
    let none = out.path().join("none");
    let zero = out.path().join("zero");
    let stdout = plan(&none, &[]);
    plan(&zero, &["--draws", "0", "-q"]);
    let a = none.join("saas-10b");
    let files = files_under(&a);
    for name in DRAW_FILES {
        assert!(
            !files.contains(&name.to_string()),
            "{name} written without draws"
        );
    }
    // --draws 0 is the plan without draws, byte for byte.
    let b = zero.join("saas-10b");
    assert_eq!(files, files_under(&b));
    for f in &files {
        assert!(
            std::fs::read(a.join(f)).unwrap() == std::fs::read(b.join(f)).unwrap(),
            "{f}"
        );
    }
    let plan: Value = serde_json::from_str(&read(&a, "plan.json")).unwrap();
    assert!(plan.get("uncertainty").is_none());
    assert!(!stdout.contains("Uncertainty"));
    assert!(!read(&a, "summary.md").contains("Uncertainty"));
    let html = read(&a, "report.html");
    assert!(!html.contains("id=\"uncertainty\"") && !html.contains("#uncertainty"));
    assert_eq!(html.matches("<figure id=\"chart-").count(), 4);
    assert!(!read(&a, "report.md").contains("## Uncertainty"));
}
