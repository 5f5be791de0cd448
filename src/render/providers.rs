//! The provider comparison as text or Markdown.

use crate::providers::{LikeForLike, ProviderComparison};
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
    for phase in &c.like_for_like {
        let mut row = vec![phase_cell(phase)];
        row.extend(phase.totals.iter().map(|x| format::usd(x.monthly_usd)));
        t.row(row);
    }
    let what = "monthly cost per provider, like for like (the lines priced on every provider)";
    let mut out = if markdown {
        format!(
            "# Providers: {}\n\nThe {what}.\n\n{}",
            c.scenario,
            t.to_markdown()
        )
    } else {
        format!("{}: {what}\n\n{}", c.scenario, t.to_text())
    };
    out.push_str(&left_out(c, markdown));
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
            let flag = c
                .like_for_like
                .iter()
                .find(|x| x.phase == phase.phase)
                .filter(|x| !x.left_out.is_empty())
                .map(|x| format!(" ({} lines left out of the totals)", x.left_out.len()))
                .unwrap_or_default();
            let title = format!(
                "{} vs {}, phase {}{flag}: biggest line differences",
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
    out
}

/// The phase's name, flagged with how many lines its totals leave out.
fn phase_cell(phase: &LikeForLike) -> String {
    match phase.left_out.len() {
        0 => phase.phase.clone(),
        n => format!("{} ({n} lines left out)", phase.phase),
    }
}

/// The lines every total leaves out (no published price on some provider), named once for
/// each run of phases that leave out the same lines.
fn left_out(c: &ProviderComparison, markdown: bool) -> String {
    let mut groups: Vec<(Vec<&str>, String)> = Vec::new();
    for phase in c.like_for_like.iter().filter(|p| !p.left_out.is_empty()) {
        let text = phase.left_out_text();
        match groups.iter_mut().find(|(_, t)| *t == text) {
            Some((phases, _)) => phases.push(&phase.phase),
            None => groups.push((vec![&phase.phase], text)),
        }
    }
    if groups.is_empty() {
        return "\nEvery line is priced on every provider.\n".into();
    }
    let mut out = String::from(
        "\nLeft out of every total (no published price on some provider; never counted as $0):\n",
    );
    for (phases, text) in groups {
        let bullet = if markdown { "- " } else { "  " };
        out.push_str(&format!("{bullet}phase {}: {text}\n", phases.join(", ")));
    }
    out
}
