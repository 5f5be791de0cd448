//! The audit as a table (terminal and Markdown) and as JSON.

use crate::audit::Audit;
use crate::render::table::{Align, Table};

/// A claimed or computed figure: separators, at most four decimals.
fn number(x: f64) -> String {
    crate::render::format::figure(x, 4)
}

/// The findings as a table.
#[must_use]
pub fn table(audit: &Audit) -> Table {
    let mut t = Table::new(&[
        ("id", Align::Left),
        ("verdict", Align::Left),
        ("claimed", Align::Right),
        ("computed", Align::Right),
        ("ratio", Align::Right),
        ("unit", Align::Left),
        ("diagnosis", Align::Left),
    ]);
    for f in &audit.findings {
        t.row(vec![
            f.id.clone(),
            f.verdict.to_string(),
            number(f.claimed),
            number(f.computed),
            f.ratio.map_or("-".into(), |r| format!("{r:.4}")),
            f.unit.clone(),
            f.diagnosis.clone(),
        ]);
    }
    t
}

/// The terminal view: the table and a count.
#[must_use]
pub fn text(audit: &Audit) -> String {
    format!(
        "{}\n{}: {} claims, {} wrong; {} checks, {} wrong\n",
        table(audit).to_text(),
        audit.scenario,
        audit.claims,
        audit.claims_wrong,
        audit.findings.len() - audit.claims,
        audit.wrong - audit.claims_wrong
    )
}

/// A Markdown section with the quotes.
#[must_use]
pub fn markdown(audit: &Audit) -> String {
    let mut t = Table::new(&[
        ("id", Align::Left),
        ("the doc says", Align::Left),
        ("claimed", Align::Right),
        ("computed", Align::Right),
        ("verdict", Align::Left),
        ("diagnosis", Align::Left),
    ]);
    for f in &audit.findings {
        t.row(vec![
            f.id.clone(),
            f.quote.clone().unwrap_or_else(|| f.refers_to.clone()),
            format!("{} {}", number(f.claimed), f.unit),
            number(f.computed),
            f.verdict.to_string(),
            f.diagnosis.clone(),
        ]);
    }
    format!(
        "## Audit: {} ok, {} wrong ({} claims checked at {} hours/month)\n\n{}",
        audit.ok,
        audit.wrong,
        audit.claims,
        audit.hours_per_month,
        t.to_markdown()
    )
}
