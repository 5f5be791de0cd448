//! `headroom backtest`'s answer: the terminal tables (components, lines, what the plan does not
//! model, the verdict) and its files, `backtest/backtest.json` (every figure) and
//! `backtest/backtest.csv` (one row per component, line and unmodelled bill line).

use std::fmt::Write;

use crate::backtest::Backtest;
use crate::error::Error;
use crate::render::format::{figure, thousands, usd};
use crate::render::table::{Align, Table};

fn pct(error: Option<f64>) -> String {
    error.map_or_else(|| "n/a".into(), |e| format!("{e:+.2}%"))
}

/// The terminal text.
#[must_use]
pub fn text(b: &Backtest) -> String {
    let c = &b.comparison;
    let mut out = format!(
        "{} at {} users ({}{}) against {} bill rows of {}, tolerance {}%\n",
        b.scenario,
        thousands(b.users),
        b.users_from,
        b.phase
            .as_ref()
            .map(|p| format!(", phase {p}"))
            .unwrap_or_default(),
        thousands(b.bills.iter().map(|x| x.rows_in_month).sum()),
        b.month,
        figure(b.tolerance_pct, 2)
    );
    for bill in &b.bills {
        let _ = writeln!(
            out,
            "  {} ({}): {} rows, {} in {}",
            bill.file,
            bill.format.name(),
            thousands(bill.rows),
            thousands(bill.rows_in_month),
            b.month
        );
    }
    out.push_str("\nper component (biggest miss first):\n");
    let mut t = Table::new(&[
        ("component", Align::Left),
        ("kind", Align::Left),
        ("plan", Align::Right),
        ("actual", Align::Right),
        ("error", Align::Right),
        ("", Align::Left),
    ]);
    for r in &c.components {
        t.row(vec![
            r.component.clone(),
            r.kind.clone(),
            usd(r.plan_usd),
            usd(r.actual_usd),
            pct(r.error_pct),
            if r.off { "OFF".into() } else { "ok".into() },
        ]);
    }
    out.push_str(&t.to_text());
    out.push_str("\nper line (biggest miss first):\n");
    let mut t = Table::new(&[
        ("line", Align::Left),
        ("components", Align::Left),
        ("plan", Align::Right),
        ("actual", Align::Right),
        ("error", Align::Right),
    ]);
    for r in &c.lines {
        t.row(vec![
            r.line.clone(),
            r.components.join(", "),
            usd(r.plan_usd),
            usd(r.actual_usd),
            pct(r.error_pct),
        ]);
    }
    out.push_str(&t.to_text());
    if !c.not_modelled.is_empty() {
        out.push_str("\non the bill, not modelled:\n");
        let mut t = Table::new(&[
            ("service", Align::Left),
            ("usage type", Align::Left),
            ("mapped to", Align::Left),
            ("rows", Align::Right),
            ("actual", Align::Right),
        ]);
        for n in &c.not_modelled {
            t.row(vec![
                n.service.clone(),
                n.usage_type.clone(),
                n.mapped_line
                    .clone()
                    .map_or_else(|| "(no rule)".into(), |l| format!("{l} (not in plan)")),
                thousands(n.rows),
                usd(n.actual_usd),
            ]);
        }
        out.push_str(&t.to_text());
    }
    let _ = writeln!(
        out,
        "\nplan {}, actual {} ({} on modelled lines, {} not modelled)",
        usd(c.plan_usd),
        usd(c.actual_usd),
        usd(c.modelled_actual_usd),
        usd(c.not_modelled_usd)
    );
    if b.failed {
        let _ = writeln!(
            out,
            "FAILED: {} off by more than {}%",
            c.off_components.join(", "),
            figure(b.tolerance_pct, 2)
        );
    } else {
        let _ = writeln!(
            out,
            "ok: every component within {}%",
            figure(b.tolerance_pct, 2)
        );
    }
    out
}

/// `backtest.json`.
pub fn json(b: &Backtest) -> Result<Vec<u8>, Error> {
    let mut bytes = serde_json::to_vec_pretty(b).map_err(|e| Error::Render(e.to_string()))?;
    bytes.push(b'\n');
    Ok(bytes)
}

/// `backtest.csv`: `level,name,plan_usd,actual_usd,error_pct,off` for every component, line
/// and not-modelled bill line (`service usage_type`, no plan).
pub fn csv(b: &Backtest) -> Result<Vec<u8>, Error> {
    let c = &b.comparison;
    let mut w = csv::Writer::from_writer(Vec::new());
    let err = |e: csv::Error| Error::Render(format!("backtest.csv: {e}"));
    let opt = |e: Option<f64>| e.map(|e| e.to_string()).unwrap_or_default();
    w.write_record([
        "level",
        "name",
        "plan_usd",
        "actual_usd",
        "error_pct",
        "off",
    ])
    .map_err(err)?;
    for r in &c.components {
        w.write_record([
            "component".into(),
            r.component.clone(),
            r.plan_usd.to_string(),
            r.actual_usd.to_string(),
            opt(r.error_pct),
            r.off.to_string(),
        ])
        .map_err(err)?;
    }
    for r in &c.lines {
        w.write_record([
            "line".into(),
            r.line.clone(),
            r.plan_usd.to_string(),
            r.actual_usd.to_string(),
            opt(r.error_pct),
            String::new(),
        ])
        .map_err(err)?;
    }
    for n in &c.not_modelled {
        w.write_record([
            "not_modelled".into(),
            format!("{} {}", n.service, n.usage_type),
            String::new(),
            n.actual_usd.to_string(),
            String::new(),
            String::new(),
        ])
        .map_err(err)?;
    }
    w.into_inner()
        .map_err(|e| Error::Render(format!("backtest.csv: {e}")))
}
