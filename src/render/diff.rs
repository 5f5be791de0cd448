//! The diff as text, Markdown or JSON tables, and the cost gate's verdict.
//!
//! The Markdown is a pull-request comment: the gate's verdict, per-phase totals, the biggest
//! line changes, new, removed and unpriced lines, then every phase's changed lines.

use crate::diff::gate::{Gate, PhaseVerdict, Threshold};
use crate::diff::{Change, Diff, LineDelta, PhaseDelta};
use crate::render::format::{thousands, usd};
use crate::render::table::{Align, Table};

fn signed_usd(x: f64) -> String {
    if x > 0.0 {
        format!("+{}", usd(x))
    } else {
        usd(x)
    }
}

fn signed(x: i128) -> String {
    let text = thousands(x.unsigned_abs() as u64);
    match x.signum() {
        1 => format!("+{text}"),
        -1 => format!("-{text}"),
        _ => text,
    }
}

/// The totals table and one table of changed lines per phase.
#[must_use]
pub fn tables(diff: &Diff) -> (Table, Vec<(String, Table)>) {
    let mut totals = Table::new(&[
        ("phase", Align::Left),
        ("A monthly", Align::Right),
        ("B monthly", Align::Right),
        ("delta", Align::Right),
        ("change", Align::Right),
    ]);
    let mut per_phase = Vec::new();
    for p in &diff.phases {
        totals.row(vec![
            p.phase.clone(),
            usd(p.monthly_usd_a),
            usd(p.monthly_usd_b),
            signed_usd(p.monthly_usd_delta),
            p.monthly_change
                .map_or("-".into(), |c| format!("{:+.1}%", c * 100.0)),
        ]);
        let mut t = Table::new(&[
            ("component", Align::Left),
            ("item", Align::Left),
            ("A count", Align::Right),
            ("B count", Align::Right),
            ("count delta", Align::Right),
            ("A monthly", Align::Right),
            ("B monthly", Align::Right),
            ("delta", Align::Right),
        ]);
        for l in &p.lines {
            let cost = |unpriced: bool, x: f64| {
                if unpriced {
                    "unpriced".to_string()
                } else {
                    usd(x)
                }
            };
            t.row(vec![
                l.component.clone(),
                l.item.clone(),
                thousands(l.count_a),
                thousands(l.count_b),
                signed(l.count_delta),
                cost(l.unpriced_a, l.monthly_usd_a),
                cost(l.unpriced_b, l.monthly_usd_b),
                if l.unpriced_a || l.unpriced_b {
                    "-".into()
                } else {
                    signed_usd(l.monthly_usd_delta)
                },
            ]);
        }
        per_phase.push((p.phase.clone(), t));
    }
    (totals, per_phase)
}

/// Terminal text.
#[must_use]
pub fn text(diff: &Diff) -> String {
    let (totals, phases) = tables(diff);
    let mut out = format!("A: {}\nB: {}\n\n{}", diff.a, diff.b, totals.to_text());
    for (name, t) in phases {
        out.push_str(&format!(
            "\n== Phase {name}: changed lines, biggest cost change first\n"
        ));
        out.push_str(&t.to_text());
    }
    out
}

/// Lines listed in each Markdown section before "... and N more".
const MARKDOWN_ROWS: usize = 10;

/// The lines of the phases the gate looked at (every phase without a gate or `--phase`).
fn gated_phases(diff: &Diff) -> Vec<&PhaseDelta> {
    let only = diff.gate.as_ref().and_then(|g| g.phase.as_deref());
    diff.phases
        .iter()
        .filter(|p| only.is_none_or(|name| p.phase == name))
        .collect()
}

/// A Markdown table of (phase, line) rows, at most [`MARKDOWN_ROWS`], with a count of the rest.
fn line_section(title: &str, rows: &[(&str, &LineDelta)]) -> String {
    if rows.is_empty() {
        return String::new();
    }
    let mut t = Table::new(&[
        ("phase", Align::Left),
        ("component", Align::Left),
        ("item", Align::Left),
        ("A count", Align::Right),
        ("B count", Align::Right),
        ("A monthly", Align::Right),
        ("B monthly", Align::Right),
        ("delta", Align::Right),
    ]);
    for (phase, l) in rows.iter().take(MARKDOWN_ROWS) {
        let cost = |unpriced: bool, x: f64| if unpriced { "unpriced".into() } else { usd(x) };
        t.row(vec![
            (*phase).to_string(),
            l.component.clone(),
            l.item.clone(),
            thousands(l.count_a),
            thousands(l.count_b),
            cost(l.unpriced_a, l.monthly_usd_a),
            cost(l.unpriced_b, l.monthly_usd_b),
            if l.unpriced_a || l.unpriced_b {
                "-".into()
            } else {
                signed_usd(l.monthly_usd_delta)
            },
        ]);
    }
    let mut out = format!("\n## {title}\n\n{}", t.to_markdown());
    if rows.len() > MARKDOWN_ROWS {
        out.push_str(&format!("\n... and {} more.\n", rows.len() - MARKDOWN_ROWS));
    }
    out
}

/// Markdown, ready to post as a pull-request comment.
#[must_use]
pub fn markdown(diff: &Diff) -> String {
    let (totals, phases) = tables(diff);
    let mut out = format!("# Diff\n\n- A: {}\n- B: {}\n", diff.a, diff.b);
    if let Some(gate) = &diff.gate {
        out.push_str(&format!("\n**{}**\n", verdict_line(gate)));
    }
    out.push_str(&format!("\n{}", totals.to_markdown()));
    let gated = gated_phases(diff);
    let rows = |keep: &dyn Fn(&LineDelta) -> bool| -> Vec<(&str, &LineDelta)> {
        gated
            .iter()
            .flat_map(|p| p.lines.iter().map(move |l| (p.phase.as_str(), l)))
            .filter(|(_, l)| keep(l))
            .collect()
    };
    let mut biggest = rows(&|l| !(l.unpriced_a || l.unpriced_b) && l.monthly_usd_delta != 0.0);
    biggest.sort_by(|(_, x), (_, y)| {
        y.monthly_usd_delta
            .abs()
            .total_cmp(&x.monthly_usd_delta.abs())
    });
    out.push_str(&line_section("Biggest line changes", &biggest));
    out.push_str(&line_section(
        "New lines",
        &rows(&|l| l.change == Change::New),
    ));
    out.push_str(&line_section(
        "Removed lines",
        &rows(&|l| l.change == Change::Removed),
    ));
    out.push_str(&line_section(
        "Unpriced lines",
        &rows(&|l| l.unpriced_a || l.unpriced_b),
    ));
    for (name, t) in phases {
        out.push_str(&format!("\n## Phase {name}\n\n{}", t.to_markdown()));
    }
    out
}

fn threshold_text(threshold: Threshold) -> String {
    match threshold {
        Threshold::Percent(p) => format!("{p}%"),
        Threshold::Usd(x) => format!("{}/month", usd(x)),
    }
}

fn rise_text(p: &PhaseVerdict) -> String {
    let change = p
        .monthly_change
        .map_or("from nothing".into(), |c| format!("{:+.1}%", c * 100.0));
    format!(
        "phase {}: {change} ({}/month, {} -> {})",
        p.phase,
        signed_usd(p.monthly_usd_delta),
        usd(p.monthly_usd_a),
        usd(p.monthly_usd_b)
    )
}

/// One line: passed or failed, and the largest rise (or the first phase above).
#[must_use]
pub fn verdict_line(gate: &Gate) -> String {
    let limit = threshold_text(gate.threshold);
    let worst = gate.phases.iter().find(|p| p.above).or_else(|| {
        gate.phases
            .iter()
            .max_by(|x, y| x.monthly_usd_delta.total_cmp(&y.monthly_usd_delta))
    });
    match (gate.failed, worst) {
        (true, Some(p)) => format!(
            "cost gate failed: {}, above --fail-above {limit}",
            rise_text(p)
        ),
        (_, Some(p)) if p.monthly_usd_delta > 0.0 => format!(
            "cost gate passed: no rise above --fail-above {limit} (largest: {})",
            rise_text(p)
        ),
        _ => format!("cost gate passed: no rise above --fail-above {limit} (no phase rose)"),
    }
}

/// The gate's verdict for stderr: every phase above the threshold with the lines that moved
/// most.
#[must_use]
pub fn gate_text(gate: &Gate) -> String {
    let mut out = verdict_line(gate);
    out.push('\n');
    for p in gate.phases.iter().filter(|p| p.above) {
        if gate.phases.iter().filter(|p| p.above).count() > 1 {
            out.push_str(&format!("  {}\n", rise_text(p)));
        }
        let moved: Vec<String> = p
            .moved_most
            .iter()
            .map(|l| {
                format!(
                    "{}/{} {} ({} -> {})",
                    l.component,
                    l.item,
                    signed_usd(l.monthly_usd_delta),
                    thousands(l.count_a),
                    thousands(l.count_b)
                )
            })
            .collect();
        if !moved.is_empty() {
            out.push_str(&format!(
                "  phase {}: moved most: {}\n",
                p.phase,
                moved.join(", ")
            ));
        }
    }
    out
}
