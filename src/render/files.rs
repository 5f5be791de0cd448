//! Every file headroom writes, in one list: [`plan_files`] returns, for `headroom plan`, (path
//! under `output/<scenario>/`, bytes) for each file of the chosen formats, and
//! [`timeline_files`] those of `headroom timeline`; all rendered in memory before anything is
//! written (`crate::output` writes them), but for `plan.json`, which [`plan_outputs`] streams
//! into its staged file.
//!
//! | format | files |
//! |---|---|
//! | `json` | `plan.json` |
//! | `csv` | `costs.csv`, `by_component.csv`; with draws also `uncertainty.csv`, `tornado.csv`, `regret.csv` |
//! | `markdown` | `summary.md` |
//! | `charts` | `charts/{cost_by_component,cost_per_user,counts,volumes}.{svg,png}`; with draws also `charts/{uncertainty_fan,uncertainty_histogram,uncertainty_tornado}.{svg,png}` |
//! | `tfvars` | `tfvars/<phase>.tfvars`, `tfvars/<phase>.tfvars.json`, `tfvars/variables.tf` |
//! | `report` | `report.html`, `report.md` |
//! | `focus` | `focus.csv`, `focus.parquet` (FOCUS 1.0 rows per phase month and line; `render::focus`) |
//! | `parquet` | `costs.parquet`, `by_component.parquet`, `focus.parquet`; with draws also `uncertainty.parquet`, `tornado.parquet`, `regret.parquet` (`render::parquet`) |
//! | (`headroom timeline`) | `timeline/timeline.{svg,png,json,csv,parquet}`, `timeline/timeline_lines.{csv,parquet}` |
//! | (`headroom backtest`) | `backtest/backtest.json`, `backtest/backtest.csv` |
//!
//! "With draws": the plan has an `uncertainty` section (`plan --draws N`); without one, none of
//! those files is written and every other file is unchanged.
//!
//! Same plan, same options -> byte-identical files.

use std::path::PathBuf;

use minijinja::value::{Serde, Value};

use crate::error::Error;
use crate::output::Contents;
use crate::plan::Plan;
use crate::render::report::ReportExtras;
use crate::render::templates::Templates;
use crate::render::{
    backtest, charts, costs_csv, focus, json, parquet, report, summary_md, tfvars, timeline,
    timeline_chart, uncertainty_charts, uncertainty_csv,
};
use crate::timeline::Timeline;

/// An output format.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Format {
    Json,
    Csv,
    Markdown,
    Charts,
    Tfvars,
    /// `report.html` and `report.md`.
    Report,
    /// `focus.csv` and `focus.parquet`: the forecast as a FOCUS 1.0 dataset.
    Focus,
    /// The tables as Parquet: the csv format's and `focus.parquet`.
    Parquet,
}

impl Format {
    /// Every format, in the order files are listed.
    pub const ALL: &[Format] = &[
        Format::Json,
        Format::Csv,
        Format::Markdown,
        Format::Charts,
        Format::Tfvars,
        Format::Report,
        Format::Focus,
        Format::Parquet,
    ];

    /// The format named `s` (case-insensitive; `md` for markdown, `html` for report).
    #[must_use]
    pub fn parse(s: &str) -> Option<Format> {
        match s.trim().to_ascii_lowercase().as_str() {
            "json" => Some(Format::Json),
            "csv" => Some(Format::Csv),
            "markdown" | "md" => Some(Format::Markdown),
            "charts" | "chart" => Some(Format::Charts),
            "tfvars" | "terraform" => Some(Format::Tfvars),
            "report" | "html" => Some(Format::Report),
            "focus" => Some(Format::Focus),
            "parquet" => Some(Format::Parquet),
            _ => None,
        }
    }

    /// The format's name, as `--format` takes it.
    #[must_use]
    pub fn name(&self) -> &'static str {
        match self {
            Format::Json => "json",
            Format::Csv => "csv",
            Format::Markdown => "markdown",
            Format::Charts => "charts",
            Format::Tfvars => "tfvars",
            Format::Report => "report",
            Format::Focus => "focus",
            Format::Parquet => "parquet",
        }
    }

    /// Parses a comma-separated list (`json,csv,report`; `all` for every format), with an
    /// error that lists the formats.
    pub fn parse_list(s: &str) -> Result<Vec<Format>, Error> {
        let mut out = Vec::new();
        for part in s.split(',').map(str::trim).filter(|p| !p.is_empty()) {
            if part.eq_ignore_ascii_case("all") {
                out.extend_from_slice(Format::ALL);
                continue;
            }
            let format = Format::parse(part).ok_or_else(|| {
                let names: Vec<&str> = Format::ALL.iter().map(Format::name).collect();
                Error::Usage(format!(
                    "unknown format `{part}`{}; expected one of: {}, all",
                    crate::error::did_you_mean(part, names.iter().copied()),
                    names.join(", ")
                ))
            })?;
            out.push(format);
        }
        if out.is_empty() {
            return Err(Error::Usage("--format needs at least one format".into()));
        }
        out.sort();
        out.dedup();
        Ok(out)
    }
}

/// What to render.
#[derive(Debug, Clone)]
pub struct RenderOptions {
    /// The formats to write (empty: every format).
    pub formats: Vec<Format>,
    /// A folder whose templates replace the built-in ones of the same name.
    pub templates: Option<PathBuf>,
    /// The analyses the report shows beside the plan (audit, timeline, other providers).
    pub report: ReportExtras,
    /// The month (`YYYY-MM`) `focus.csv` bills the first phase in; `None`: the month of the
    /// newest price the plan uses (`focus::default_start`).
    pub focus_start: Option<String>,
}

impl RenderOptions {
    /// Whether `format` is to be rendered (no formats at all: every format).
    #[must_use]
    pub fn wants(&self, format: Format) -> bool {
        self.formats.is_empty() || self.formats.contains(&format)
    }
}

impl Default for RenderOptions {
    fn default() -> Self {
        RenderOptions {
            formats: Format::ALL.to_vec(),
            templates: None,
            report: ReportExtras::default(),
            focus_start: None,
        }
    }
}

/// Renders the chosen formats: (relative path under `output/<scenario>/`, bytes) per file, in
/// [`Format::ALL`] order. Nothing is written here.
pub fn plan_files(plan: &Plan, opts: &RenderOptions) -> Result<Vec<(String, Vec<u8>)>, Error> {
    plan_outputs(plan, opts)?
        .into_iter()
        .map(|(name, contents)| {
            let bytes = contents
                .into_bytes()
                .map_err(|e| Error::Render(format!("{name}: {e}")))?;
            Ok((name, bytes))
        })
        .collect()
}

/// [`plan_files`] as `crate::output` writes them: `plan.json` is streamed into its file when
/// written (it runs to megabytes), every other file is rendered here.
pub fn plan_outputs<'a>(
    plan: &'a Plan,
    opts: &RenderOptions,
) -> Result<Vec<(String, Contents<'a>)>, Error> {
    let wants = |f: Format| opts.wants(f);
    let mut files: Vec<(String, Contents<'a>)> = Vec::new();
    if wants(Format::Json) {
        files.push((
            "plan.json".into(),
            Contents::Stream(Box::new(|out| json::write(plan, out))),
        ));
    }
    let rendered = rendered_files(plan, opts)?;
    files.extend(rendered.into_iter().map(|(n, b)| (n, Contents::Bytes(b))));
    Ok(files)
}

/// Every chosen file but `plan.json`, rendered in memory, in [`Format::ALL`] order.
fn rendered_files(plan: &Plan, opts: &RenderOptions) -> Result<Vec<(String, Vec<u8>)>, Error> {
    let wants = |f: Format| opts.wants(f);
    let mut files: Vec<(String, Vec<u8>)> = Vec::new();
    if wants(Format::Csv) {
        files.push(("costs.csv".into(), costs_csv::costs(plan)?));
        files.push(("by_component.csv".into(), costs_csv::by_component(plan)?));
        if let Some(u) = &plan.uncertainty {
            files.push(("uncertainty.csv".into(), uncertainty_csv::percentiles(u)?));
            files.push(("tornado.csv".into(), uncertainty_csv::tornado(u)?));
            files.push(("regret.csv".into(), uncertainty_csv::regret(u)?));
        }
    }
    if wants(Format::Markdown) {
        files.push(("summary.md".into(), summary_md::render(plan).into_bytes()));
    }
    let templated = wants(Format::Tfvars) || wants(Format::Report);
    // Load templates first: a bad --templates folder fails before the slower charts render.
    let templates = if templated {
        Some(Templates::load(opts.templates.as_deref())?)
    } else {
        None
    };
    // The plan's charts, then (with draws) the uncertainty charts; the report places each.
    let charts = if wants(Format::Charts) || wants(Format::Report) {
        let mut charts = charts::render(plan)?;
        charts.extend(uncertainty_charts::render(plan)?);
        charts
    } else {
        Vec::new()
    };
    if wants(Format::Charts) {
        for chart in &charts {
            files.push((
                format!("charts/{}.svg", chart.name),
                chart.svg.clone().into_bytes(),
            ));
            files.push((format!("charts/{}.png", chart.name), chart.png.clone()));
        }
    }
    if let Some(templates) = &templates {
        let plan_value = Value::from(Serde(plan));
        if wants(Format::Tfvars) {
            files.extend(tfvars::render(plan, &plan_value, templates)?);
        }
        if wants(Format::Report) {
            files.extend(report::render(
                plan,
                &plan_value,
                templates,
                &charts,
                wants(Format::Charts),
                &opts.report,
            )?);
        }
    }
    if wants(Format::Focus) || wants(Format::Parquet) {
        // No billed line: no month to start from, and no row for the month to date.
        let start = opts
            .focus_start
            .clone()
            .or_else(|| focus::default_start(plan))
            .unwrap_or_else(|| "1970-01".into());
        if wants(Format::Focus) {
            files.push(("focus.csv".into(), focus::render(plan, &start)?));
        }
        files.push(("focus.parquet".into(), parquet::focus(plan, &start)?));
    }
    if wants(Format::Parquet) {
        files.push(("costs.parquet".into(), parquet::costs(plan)?));
        files.push(("by_component.parquet".into(), parquet::by_component(plan)?));
        if let Some(u) = &plan.uncertainty {
            files.push(("uncertainty.parquet".into(), parquet::uncertainty(u)?));
            files.push(("tornado.parquet".into(), parquet::tornado(u)?));
            files.push(("regret.parquet".into(), parquet::regret(u)?));
        }
    }
    Ok(files)
}

/// The files of `headroom timeline`, under `timeline/`: the chart (SVG and PNG), the JSON, and
/// the month and line tables as CSV and Parquet.
pub fn timeline_files(t: &Timeline) -> Result<Vec<(String, Vec<u8>)>, Error> {
    let chart = timeline_chart::render(t)?;
    Ok(vec![
        ("timeline/timeline.svg".to_string(), chart.svg.into_bytes()),
        ("timeline/timeline.png".to_string(), chart.png),
        ("timeline/timeline.json".to_string(), timeline::json(t)?),
        (
            "timeline/timeline.csv".to_string(),
            timeline::months_csv(t)?,
        ),
        (
            "timeline/timeline_lines.csv".to_string(),
            timeline::lines_csv(t)?,
        ),
        (
            "timeline/timeline.parquet".to_string(),
            parquet::timeline_months(t)?,
        ),
        (
            "timeline/timeline_lines.parquet".to_string(),
            parquet::timeline_lines(t)?,
        ),
    ])
}

/// The files of `headroom backtest`, under `backtest/`.
pub fn backtest_files(b: &crate::backtest::Backtest) -> Result<Vec<(String, Vec<u8>)>, Error> {
    Ok(vec![
        ("backtest/backtest.json".to_string(), backtest::json(b)?),
        ("backtest/backtest.csv".to_string(), backtest::csv(b)?),
    ])
}

#[cfg(test)]
mod tests {
    use super::*;

    fn plan(name: &str) -> Plan {
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
        let loaded = crate::input::load_scenario(&root.join("scenarios").join(name)).unwrap();
        crate::plan::build(&loaded).unwrap()
    }

    #[test]
    fn parses_formats() {
        for f in Format::ALL {
            assert_eq!(Format::parse(f.name()), Some(*f));
        }
        assert_eq!(
            Format::parse_list("report, json,json").unwrap(),
            vec![Format::Json, Format::Report]
        );
        assert_eq!(Format::parse_list("all").unwrap(), Format::ALL.to_vec());
        let e = Format::parse_list("tfvar").unwrap_err().to_string();
        assert!(e.contains("did you mean `tfvars`?"), "{e}");
    }

    #[test]
    fn renders_every_file_deterministically() {
        let plan = plan("saas-10b.ron");
        let opts = RenderOptions::default();
        let start = std::time::Instant::now();
        let a = plan_files(&plan, &opts).unwrap();
        eprintln!("rendered {} files in {:?}", a.len(), start.elapsed());
        let b = plan_files(&plan, &opts).unwrap();
        assert_eq!(a, b);
        let names: Vec<&str> = a.iter().map(|(n, _)| n.as_str()).collect();
        for expected in [
            "plan.json",
            "costs.csv",
            "by_component.csv",
            "summary.md",
            "charts/cost_by_component.svg",
            "charts/volumes.png",
            "tfvars/10K.tfvars",
            "tfvars/10B.tfvars.json",
            "tfvars/variables.tf",
            "report.html",
            "report.md",
        ] {
            assert!(
                names.contains(&expected),
                "{expected} missing from {names:?}"
            );
        }
    }

    #[test]
    fn draws_add_their_files_only_with_draws() {
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
        let with = crate::uncertainty::saas_with_draws(100);
        let opts = RenderOptions::default();
        let a = plan_files(&with, &opts).unwrap();
        assert_eq!(a, plan_files(&with, &opts).unwrap());
        let names: Vec<&str> = a.iter().map(|(n, _)| n.as_str()).collect();
        for name in DRAW_FILES {
            assert!(names.contains(&name), "{name} missing from {names:?}");
        }
        let without = plan_files(&plan("saas-10b.ron"), &opts).unwrap();
        assert_eq!(without.len() + DRAW_FILES.len(), a.len());
        assert!(
            without
                .iter()
                .all(|(n, _)| !DRAW_FILES.contains(&n.as_str()))
        );
        // The report places the three charts in its uncertainty section, not under Charts.
        let html = std::str::from_utf8(&a.iter().find(|(n, _)| n == "report.html").unwrap().1)
            .unwrap()
            .to_string();
        let (charts, rest) = html.split_once("<section id=\"phases\">").unwrap();
        assert_eq!(charts.matches("<figure id=\"chart-uncertainty_").count(), 0);
        let section = rest.split_once("<section id=\"uncertainty\">").unwrap().1;
        assert_eq!(
            section.matches("<figure id=\"chart-uncertainty_").count(),
            3
        );
    }

    #[test]
    fn only_the_chosen_formats() {
        let plan = plan("saas-10b.ron");
        let files = plan_files(
            &plan,
            &RenderOptions {
                formats: vec![Format::Report],
                templates: None,
                ..Default::default()
            },
        )
        .unwrap();
        let names: Vec<&str> = files.iter().map(|(n, _)| n.as_str()).collect();
        assert_eq!(names, vec!["report.html", "report.md"]);
    }
}
