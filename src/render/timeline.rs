//! The timeline as a terminal table, CSV (polars) and JSON; its tables' frames are also
//! written as Parquet (`render::parquet`).

use polars::prelude::*;

use crate::error::Error;
use crate::input::kinds::LeadTimeSource;
use crate::render::format::{short, thousands, usd};
use crate::render::table::{Align, Table};
use crate::timeline::Timeline;

/// Terminal text: one row per month, then thresholds, step-ups and budget overruns.
#[must_use]
pub fn text(t: &Timeline) -> String {
    let mut months = Table::new(&[
        ("month", Align::Left),
        ("users", Align::Right),
        ("DAU", Align::Right),
        ("peak req/s", Align::Right),
        ("monthly", Align::Right),
        ("work", Align::Right),
    ]);
    for m in &t.months {
        let steps = t.step_ups.iter().filter(|s| s.month == m.month).count();
        months.row(vec![
            m.label.clone(),
            short(m.users as f64),
            short(m.dau),
            thousands(m.peak_rps.round() as u64),
            usd(m.monthly_usd),
            if steps == 0 {
                String::new()
            } else {
                steps.to_string()
            },
        ]);
    }
    let mut out = format!(
        "{}: timeline over {} months\n\n{}",
        t.scenario,
        t.months.len() - 1,
        months.to_text()
    );
    let mut thresholds = Table::new(&[
        ("phase", Align::Left),
        ("users", Align::Right),
        ("reached", Align::Left),
    ]);
    for th in &t.thresholds {
        thresholds.row(vec![
            th.phase.clone(),
            short(th.users as f64),
            th.label
                .clone()
                .unwrap_or_else(|| "not within the timeline".into()),
        ]);
    }
    out.push_str(&format!("\n== Phase thresholds\n{}", thresholds.to_text()));
    out.push_str(&work_text(t));
    out.push_str(&routine_text(t));
    if let Some(budget) = t.budget_usd_per_month {
        out.push_str(&format!(
            "\n== Budget {} per month: {} months above it\n",
            usd(budget),
            t.over_budget.len()
        ));
        for o in &t.over_budget {
            out.push_str(&format!(
                "{}  {}  (+{})\n",
                o.label,
                usd(o.monthly_usd),
                usd(o.excess_usd)
            ));
        }
    }
    for w in &t.warnings {
        out.push_str(&format!("warning: {w}\n"));
    }
    out
}

/// A lead time and where it comes from: `3 mo (scenario)`, `1 mo (Kafka default)`.
fn lead_time(months: u32, source: LeadTimeSource, kind: &str) -> String {
    match source {
        LeadTimeSource::Scenario => format!("{months} mo (scenario)"),
        LeadTimeSource::KindDefault => format!("{months} mo ({kind} default)"),
    }
}

/// The changes that need work, one row each, after the lead times they were planned with.
fn work_text(t: &Timeline) -> String {
    let kind_of = |component: &str| {
        t.lead_times
            .iter()
            .find(|l| l.component == component)
            .map_or("", |l| l.kind.as_str())
    };
    let leads: Vec<String> = t
        .lead_times
        .iter()
        .filter(|l| l.lead_time_months > 0 || l.source == LeadTimeSource::Scenario)
        .map(|l| {
            format!(
                "{} {}",
                l.component,
                lead_time(l.lead_time_months, l.source, &l.kind)
            )
        })
        .collect();
    let mut out = format!(
        "\n== Work: {} changes that need a project (reshards, new clusters, shape changes)\n\
         lead times: {}; every other component 0 mo (its kind's default)\n",
        t.step_ups.len(),
        if leads.is_empty() {
            "none".to_string()
        } else {
            leads.join(", ")
        }
    );
    let mut steps = Table::new(&[
        ("live by", Align::Left),
        ("component", Align::Left),
        ("change", Align::Left),
        ("item", Align::Left),
        ("from", Align::Right),
        ("to", Align::Right),
        ("lead time", Align::Right),
        ("start work by", Align::Left),
    ]);
    for s in &t.step_ups {
        let (from, to) = match (&s.from_instance, &s.to_instance) {
            (Some(a), Some(b)) => (a.clone(), b.clone()),
            _ => (thousands(s.from), thousands(s.to)),
        };
        steps.row(vec![
            s.label.clone(),
            s.component.clone(),
            s.change.name().to_string(),
            s.item.clone(),
            from,
            to,
            lead_time(
                s.lead_time_months,
                s.lead_time_source,
                kind_of(&s.component),
            ),
            if s.start_work_month < 0 {
                format!("{} (already late)", s.start_work_label)
            } else {
                s.start_work_label.clone()
            },
        ]);
    }
    if !t.step_ups.is_empty() {
        out.push_str(&steps.to_text());
    }
    out
}

/// Routine growth, one row per line: how often it grew, from what to what.
fn routine_text(t: &Timeline) -> String {
    let mut out = format!(
        "\n== Routine growth: {} step-ups (more instances, replicas, partitions), added without a \
         project\n",
        t.routine_step_ups
    );
    let mut rows = Table::new(&[
        ("component", Align::Left),
        ("item", Align::Left),
        ("step-ups", Align::Right),
        ("from", Align::Right),
        ("to", Align::Right),
        ("first", Align::Left),
        ("last", Align::Left),
    ]);
    for r in &t.routine {
        rows.row(vec![
            r.component.clone(),
            r.item.clone(),
            r.step_ups.to_string(),
            thousands(r.from),
            thousands(r.to),
            r.first_label.clone(),
            r.last_label.clone(),
        ]);
    }
    if !t.routine.is_empty() {
        out.push_str(&rows.to_text());
    }
    out
}

/// Per-month totals as CSV.
pub fn months_csv(t: &Timeline) -> Result<Vec<u8>, Error> {
    let mut df = months_frame(t)?;
    let mut bytes = Vec::new();
    CsvWriter::new(&mut bytes)
        .finish(&mut df)
        .map_err(|e| Error::Render(format!("timeline.csv: {e}")))?;
    Ok(bytes)
}

/// Per-month totals, one row per month (`timeline.csv`, `timeline.parquet`).
pub fn months_frame(t: &Timeline) -> Result<DataFrame, Error> {
    let n = t.months.len();
    DataFrame::new(
        n,
        vec![
            Column::new(
                "month".into(),
                t.months.iter().map(|m| m.month).collect::<Vec<u32>>(),
            ),
            Column::new(
                "label".into(),
                t.months.iter().map(|m| m.label.clone()).collect::<Vec<_>>(),
            ),
            Column::new(
                "users".into(),
                t.months.iter().map(|m| m.users).collect::<Vec<u64>>(),
            ),
            Column::new(
                "dau".into(),
                t.months.iter().map(|m| m.dau).collect::<Vec<f64>>(),
            ),
            Column::new(
                "peak_rps".into(),
                t.months.iter().map(|m| m.peak_rps).collect::<Vec<f64>>(),
            ),
            Column::new(
                "monthly_usd".into(),
                t.months.iter().map(|m| m.monthly_usd).collect::<Vec<f64>>(),
            ),
        ],
    )
    .map_err(|e| Error::Render(format!("timeline.csv: {e}")))
}

/// Every line of every month as tidy CSV.
pub fn lines_csv(t: &Timeline) -> Result<Vec<u8>, Error> {
    let mut df = lines_frame(t)?;
    let mut bytes = Vec::new();
    CsvWriter::new(&mut bytes)
        .finish(&mut df)
        .map_err(|e| Error::Render(format!("timeline_lines.csv: {e}")))?;
    Ok(bytes)
}

/// Every line of every month, one row each (`timeline_lines.csv`, `timeline_lines.parquet`).
pub fn lines_frame(t: &Timeline) -> Result<DataFrame, Error> {
    let rows: Vec<(&crate::timeline::Month, &crate::timeline::MonthLine)> = t
        .months
        .iter()
        .flat_map(|m| m.lines.iter().map(move |l| (m, l)))
        .collect();
    DataFrame::new(
        rows.len(),
        vec![
            Column::new(
                "month".into(),
                rows.iter().map(|(m, _)| m.month).collect::<Vec<u32>>(),
            ),
            Column::new(
                "label".into(),
                rows.iter()
                    .map(|(m, _)| m.label.clone())
                    .collect::<Vec<_>>(),
            ),
            Column::new(
                "users".into(),
                rows.iter().map(|(m, _)| m.users).collect::<Vec<u64>>(),
            ),
            Column::new(
                "component".into(),
                rows.iter()
                    .map(|(_, l)| l.component.clone())
                    .collect::<Vec<_>>(),
            ),
            Column::new(
                "item".into(),
                rows.iter().map(|(_, l)| l.item.clone()).collect::<Vec<_>>(),
            ),
            Column::new(
                "count".into(),
                rows.iter().map(|(_, l)| l.count).collect::<Vec<u64>>(),
            ),
            Column::new(
                "count_unit".into(),
                rows.iter()
                    .map(|(_, l)| l.count_unit.clone())
                    .collect::<Vec<_>>(),
            ),
            Column::new(
                "monthly_usd".into(),
                rows.iter()
                    .map(|(_, l)| l.monthly_usd)
                    .collect::<Vec<f64>>(),
            ),
        ],
    )
    .map_err(|e| Error::Render(format!("timeline_lines.csv: {e}")))
}

/// The timeline as JSON.
pub fn json(t: &Timeline) -> Result<Vec<u8>, Error> {
    let mut bytes =
        serde_json::to_vec_pretty(t).map_err(|e| Error::Render(format!("timeline.json: {e}")))?;
    bytes.push(b'\n');
    Ok(bytes)
}
