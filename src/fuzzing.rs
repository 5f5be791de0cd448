//! Entry points for fuzzing: bytes in, no panic out.
//!
//! The fuzz targets under `fuzz/` call these, and `tests/hardening.rs` replays every saved
//! input under `tests/fixtures/fuzz/<target>/`, so a crash found once stays fixed. A function
//! here panics only on a bug: a panic inside headroom, or a non-finite number in an output.

use std::path::Path;
use std::sync::OnceLock;

use crate::input::{Phase, Scenario, ScenarioFile, Workload, growth::Growth, ron_file};
use crate::plan;
use crate::pricing::PriceBook;
use crate::render::charts;
use crate::render::files::{Format, RenderOptions, plan_files};
use crate::render::report::ReportExtras;

/// Parses `data` as each RON input type and checks what parses.
pub fn scenario_bytes(data: &[u8]) {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let path = Path::new("fuzz.ron");
    if let Ok(spec) = ron_file::parse::<ScenarioFile>(path, text) {
        let _ = spec.validate(path);
    }
    if let Ok(w) = ron_file::parse::<Workload>(path, text) {
        let _ = w.validate(path, "");
    }
    if let Ok(g) = ron_file::parse::<Growth>(path, text)
        && g.validate(path, "").is_ok()
    {
        for m in [0.0, 1.0, 12.0, 600.0] {
            let _ = g.users_at(m);
        }
    }
}

/// Loads `data` as a price table (and as discounts) and bills a few quantities on every price.
pub fn price_bytes(data: &[u8]) {
    let text = String::from_utf8_lossy(data).to_string();
    for name in ["a.csv", "discounts.csv"] {
        let tables = vec![(Path::new(name).to_path_buf(), text.clone())];
        if let Ok(book) = PriceBook::from_tables(Path::new("fuzz"), &tables) {
            for entry in book.entries() {
                for q in [0.0, 1.0, 10_240.0, 1e12] {
                    let (usd, _) = crate::pricing::tiers::bill(&entry.tiers, q);
                    assert!(usd.is_finite(), "tiered bill of {q} is {usd}");
                }
            }
        }
    }
}

fn base() -> &'static Scenario {
    static BASE: OnceLock<Scenario> = OnceLock::new();
    BASE.get_or_init(|| {
        let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios/saas-10b.ron");
        crate::input::load_scenario(&path).expect("the reference scenario loads")
    })
}

fn take_f64(data: &mut &[u8]) -> f64 {
    let mut bytes = [0u8; 8];
    let n = data.len().min(8);
    bytes[..n].copy_from_slice(&data[..n]);
    *data = &data[n..];
    f64::from_le_bytes(bytes)
}

/// A structurally valid but arbitrary scenario (the reference architecture with workload
/// figures, user counts, hours and headroom from `data`) through the checks, the plan, the
/// audit and the cheap output formats (JSON, CSV, Markdown, tfvars, terminal tables): about
/// a millisecond an input, so a fuzz run covers thousands of inputs a second.
/// [`pipeline_render_bytes`] adds the charts, the report and the timeline.
pub fn pipeline_bytes(data: &[u8]) {
    let Some((s, plan)) = pipeline_plan(data) else {
        return;
    };
    assert_finite(&plan);
    let opts = RenderOptions {
        formats: CHEAP_FORMATS.to_vec(),
        report: ReportExtras {
            audit: crate::audit::run(&s, &plan).ok(),
            ..ReportExtras::default()
        },
        ..RenderOptions::default()
    };
    let files = plan_files(&plan, &opts).expect("every renderer renders a valid plan");
    let names: Vec<&str> = files.iter().map(|(name, _)| name.as_str()).collect();
    for expected in PIPELINE_FILES.iter().filter(|f| is_cheap(f)) {
        assert!(
            names.contains(expected),
            "{expected} missing from {names:?}"
        );
    }
    let _ = crate::render::terminal::render(&plan);
}

/// [`pipeline_bytes`] with every output format: the charts (SVG and PNG), the report with
/// its audit and a short timeline. Tens of milliseconds an input, so it has a target of its
/// own (`pipeline_render`) and its own share of the fuzz budget.
pub fn pipeline_render_bytes(data: &[u8]) {
    let Some((s, plan)) = pipeline_plan(data) else {
        return;
    };
    pipeline_check(&s, &plan);
}

/// The formats [`pipeline_bytes`] renders per input: everything but charts and the report.
const CHEAP_FORMATS: &[Format] = &[Format::Json, Format::Csv, Format::Markdown, Format::Tfvars];

/// Whether a file of [`PIPELINE_FILES`] comes from [`CHEAP_FORMATS`].
fn is_cheap(file: &str) -> bool {
    !file.starts_with("charts/") && !file.starts_with("report.")
}

/// Every total and line of `plan` is a finite number.
fn assert_finite(plan: &plan::Plan) {
    for phase in &plan.phases {
        assert!(
            phase.monthly_usd.is_finite(),
            "phase total {}",
            phase.monthly_usd
        );
        for line in &phase.lines {
            assert!(
                line.monthly_usd.is_finite() && line.quantity.is_finite(),
                "{line:?}"
            );
        }
    }
}

/// The scenario `data` describes and its plan, if it is valid.
fn pipeline_plan(data: &[u8]) -> Option<(Scenario, plan::Plan)> {
    let mut rest = data;
    let mut s = base().clone();
    let mut w = serde_json::to_value(&s.workload).expect("workload serialises");
    if let Some(map) = w.as_object_mut() {
        for value in map.values_mut() {
            if value.is_number() {
                let x = take_f64(&mut rest);
                if let Some(n) = serde_json::Number::from_f64(x) {
                    *value = serde_json::Value::Number(n);
                }
            }
        }
    }
    let workload = serde_json::from_value::<Workload>(w).ok()?;
    workload.validate(Path::new("fuzz"), "workload").ok()?;
    s.workload = workload;
    let users = take_f64(&mut rest).abs();
    if !(users >= 1.0 && users <= crate::input::growth::MAX_USERS as f64) {
        return None;
    }
    s.growth.set_phases(vec![Phase {
        name: "fuzz".into(),
        users: users as u64,
    }]);
    let hours = take_f64(&mut rest);
    if hours.is_finite() && (1.0..=744.0).contains(&hours) {
        s.spec.hours_per_month = hours;
    }
    let plan = plan::build(&s).ok()?;
    Some((s, plan))
}

/// Renders `plan` in every output format and asserts what a valid plan must give: finite
/// totals and every file `headroom plan` writes.
fn pipeline_check(s: &Scenario, plan: &plan::Plan) {
    assert_finite(plan);
    // Every format as `headroom plan` writes it: JSON, CSV, Markdown, charts (SVG and PNG),
    // tfvars and the report (HTML and Markdown, with the audit and a short timeline and its
    // chart); then the terminal tables.
    let audit = crate::audit::run(s, plan).ok();
    let has_findings = audit.as_ref().is_some_and(|a| !a.findings.is_empty());
    let timeline = crate::timeline::build(s, TIMELINE_MONTHS, None).ok();
    let has_timeline = timeline.is_some();
    let opts = RenderOptions {
        report: ReportExtras {
            audit,
            timeline,
            providers: None,
        },
        ..RenderOptions::default()
    };
    let files = plan_files(plan, &opts).expect("every renderer renders a valid plan");
    let names: Vec<&str> = files.iter().map(|(name, _)| name.as_str()).collect();
    for expected in PIPELINE_FILES {
        assert!(
            names.contains(expected),
            "{expected} missing from {names:?}"
        );
    }
    let report = files
        .iter()
        .find(|(name, _)| name == "report.html")
        .map(|(_, bytes)| String::from_utf8_lossy(bytes))
        .expect("report.html");
    assert_eq!(
        report.matches("<svg").count(),
        charts::NAMES.len() + usize::from(has_timeline)
    );
    if has_findings {
        assert!(report.contains("id=\"audit\""), "the report has no audit");
    }
    if has_timeline {
        assert!(
            report.contains("id=\"timeline\""),
            "the report has no timeline"
        );
    }
    let _ = crate::render::terminal::render(plan);
}

/// The fuzzed timeline's months: a year (a plan per month; `headroom plan` defaults to 60)
/// keeps a fuzz run near 20 inputs a second while the report still gets a timeline chart.
const TIMELINE_MONTHS: u32 = 12;

/// Files every plan renders (the fuzzed plans have one phase, `fuzz`).
const PIPELINE_FILES: &[&str] = &[
    "plan.json",
    "costs.csv",
    "by_component.csv",
    "summary.md",
    "charts/cost_by_component.svg",
    "charts/cost_by_component.png",
    "charts/cost_per_user.svg",
    "charts/cost_per_user.png",
    "charts/counts.svg",
    "charts/counts.png",
    "charts/volumes.svg",
    "charts/volumes.png",
    "tfvars/fuzz.tfvars",
    "tfvars/fuzz.tfvars.json",
    "tfvars/variables.tf",
    "report.html",
    "report.md",
];
