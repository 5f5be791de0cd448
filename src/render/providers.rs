//! The provider comparison as text or Markdown.

use crate::providers::ProviderComparison;
use crate::render::format;
use crate::render::table::{Align, Table};

/// The comparison as terminal text: totals per phase, then the five biggest line
/// differences per phase for each other provider.
#[must_use]
pub fn text(c: &ProviderComparison) -> String {
    comparison(c, false)
}

/// The comparison as Markdown, with the same tables as [`text`].
#[must_use]
pub fn markdown(c: &ProviderComparison) -> String {
    comparison(c, true)
}

fn comparison(c: &ProviderComparison, markdown: bool) -> String {
    let mut columns: Vec<(&str, Align)> = vec![("phase", Align::Left)];
    columns.extend(
        c.providers
            .iter()
            .map(|p| (p.provider.as_str(), Align::Right)),
    );
    let mut t = Table::new(&columns);
    let phases: Vec<&String> = c
        .providers
        .first()
        .map(|p| p.phases.iter().map(|x| &x.0).collect())
        .unwrap_or_default();
    for (i, name) in phases.iter().enumerate() {
        let mut row = vec![(*name).clone()];
        for p in &c.providers {
            let (_, usd, unpriced) = &p.phases[i];
            let mut cell = format::usd(*usd);
            if !unpriced.is_empty() {
                cell.push_str(&format!(" (+{} unpriced)", unpriced.len()));
            }
            row.push(cell);
        }
        t.row(row);
    }
    let mut out = if markdown {
        format!("# Providers: {}\n\n{}", c.scenario, t.to_markdown())
    } else {
        format!(
            "{}: monthly cost per provider\n\n{}",
            c.scenario,
            t.to_text()
        )
    };
    for d in &c.differences {
        for phase in &d.phases {
            let mut lines = Table::new(&[
                ("component", Align::Left),
                ("item", Align::Left),
                (d.a.as_str(), Align::Right),
                (d.b.as_str(), Align::Right),
                ("delta", Align::Right),
            ]);
            for l in phase.lines.iter().take(5) {
                let cost = |unpriced: bool, x: f64| {
                    if unpriced {
                        "unpriced".to_string()
                    } else {
                        format::usd(x)
                    }
                };
                lines.row(vec![
                    l.component.clone(),
                    l.item.clone(),
                    cost(l.unpriced_a, l.monthly_usd_a),
                    cost(l.unpriced_b, l.monthly_usd_b),
                    if l.unpriced_a || l.unpriced_b {
                        "-".into()
                    } else {
                        format::usd(l.monthly_usd_delta)
                    },
                ]);
            }
            let title = format!(
                "{} vs {}, phase {}: biggest line differences",
                d.b, d.a, phase.phase
            );
            if markdown {
                out.push_str(&format!("\n## {title}\n\n{}", lines.to_markdown()));
            } else {
                out.push_str(&format!("\n== {title}\n{}", lines.to_text()));
            }
        }
    }
    for (provider, reason) in &c.failed {
        out.push_str(&format!("\n{provider}: not planned: {reason}\n"));
    }
    out.push_str("\nUnpriced lines are excluded from totals (no published price at hand): see each plan's warnings.\n");
    out
}
