//! The diff as text, Markdown or JSON tables.

use crate::diff::Diff;
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

/// Markdown.
#[must_use]
pub fn markdown(diff: &Diff) -> String {
    let (totals, phases) = tables(diff);
    let mut out = format!(
        "# Diff\n\n- A: {}\n- B: {}\n\n{}",
        diff.a,
        diff.b,
        totals.to_markdown()
    );
    for (name, t) in phases {
        out.push_str(&format!("\n## Phase {name}\n\n{}", t.to_markdown()));
    }
    out
}
