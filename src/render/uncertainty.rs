//! The Monte Carlo section (`plan --draws N`) as people read it: the tables the terminal,
//! `summary.md` and the report share (monthly cost percentiles by phase, the uncertain inputs,
//! the detail phase's tornado and candidate sizings) and the Markdown section; the report's
//! `uncertainty` context is `render::report_uncertainty`'s. Every number is read from the
//! plan's `uncertainty` section; nothing is re-derived here.

use std::fmt::Write;

use crate::input::uncertainty::Distribution;
use crate::plan::Plan;
use crate::render::format::{approx_usd, short, significant, thousands, usd};
use crate::render::table::{Align, Table};
use crate::uncertainty::summary::{Candidate, PhaseUncertainty, Swing, Uncertainty};

/// Tornado rows the terminal and the tornado chart show (largest swings first).
pub const TOP_SWINGS: usize = 10;

/// The tornado's text when every input is fixed.
const NOTHING_VARIES: &str = "No input varies: every uncertain input is fixed.";

/// The candidate sizing every comparison starts from: the plan as the scenario writes it.
pub const AS_WRITTEN: &str = "as written";

/// The phase the charts and the detail tables show.
#[must_use]
pub fn detail(u: &Uncertainty) -> Option<&PhaseUncertainty> {
    u.phases
        .iter()
        .find(|p| p.name == u.detail_phase)
        .or_else(|| u.phases.last())
}

/// The plan's total of a phase (the point plan, or the plan at `--plan-at`).
pub(crate) fn plan_total(plan: &Plan, phase: &str) -> Option<(u64, f64)> {
    plan.phases
        .iter()
        .find(|p| p.name == phase)
        .map(|p| (p.users, p.monthly_usd))
}

/// `" (counts planned at P90)"` when the plan provisions at a percentile.
fn planned_note(u: &Uncertainty) -> String {
    u.planned_at
        .as_ref()
        .map_or_else(String::new, |p| format!(", counts planned at {p}"))
}

/// A distribution in words: `PERT 0.25 / 0.4 / 0.55`, `lognormal P10 140, P90 320`.
#[must_use]
pub fn describe(d: &Distribution) -> String {
    let n = |x: f64| significant(x);
    let bounds = |low: Option<f64>, high: Option<f64>| match (low, high) {
        (None, None) => String::new(),
        (low, high) => format!(
            " in [{}, {}]",
            low.map_or_else(|| "-inf".into(), n),
            high.map_or_else(|| "inf".into(), n)
        ),
    };
    match d {
        Distribution::Fixed(v) => format!("fixed {}", n(*v)),
        Distribution::Uniform { low, high } => format!("uniform {} to {}", n(*low), n(*high)),
        Distribution::Triangular { low, mode, high } => {
            format!("triangular {} / {} / {}", n(*low), n(*mode), n(*high))
        }
        Distribution::Pert {
            low,
            mode,
            high,
            lambda,
        } => format!(
            "PERT {} / {} / {}{}",
            n(*low),
            n(*mode),
            n(*high),
            lambda.map_or_else(String::new, |l| format!(", lambda {}", n(l)))
        ),
        Distribution::Normal {
            mean,
            sd,
            low,
            high,
        } => format!(
            "normal mean {}, sd {}{}",
            n(*mean),
            n(*sd),
            bounds(*low, *high)
        ),
        Distribution::LogNormal {
            mean,
            sd,
            p10,
            p90,
            min,
            max,
        } => {
            let mut parts = Vec::new();
            if let Some(v) = mean {
                parts.push(format!("mean {}", n(*v)));
            }
            if let Some(v) = sd {
                parts.push(format!("sd {}", n(*v)));
            }
            if let Some(v) = p10 {
                parts.push(format!("P10 {}", n(*v)));
            }
            if let Some(v) = p90 {
                parts.push(format!("P90 {}", n(*v)));
            }
            format!("lognormal {}{}", parts.join(", "), bounds(*min, *max))
        }
        Distribution::Interval {
            low,
            mid,
            high,
            confidence,
            min,
            max,
        } => format!(
            "{}% interval {} to {}, median {}{}",
            significant(confidence * 100.0),
            n(*low),
            n(*high),
            n(*mid),
            bounds(*min, *max)
        ),
    }
}

/// Monthly cost percentiles, one row per phase, with the plan's total and the least-regret
/// candidate.
#[must_use]
pub fn phases_table(plan: &Plan, u: &Uncertainty) -> Table {
    let mut table = Table::new(&[
        ("phase", Align::Left),
        ("users", Align::Right),
        ("plan", Align::Right),
        ("mean", Align::Right),
        ("P5", Align::Right),
        ("P50", Align::Right),
        ("P90", Align::Right),
        ("P95", Align::Right),
        ("P99", Align::Right),
        ("least regret", Align::Left),
    ]);
    for phase in &u.phases {
        let (users, total) = plan_total(plan, &phase.name)
            .map_or(("-".into(), "-".into()), |(n, t)| (short(n as f64), usd(t)));
        let m = &phase.monthly_usd;
        table.row(vec![
            phase.name.clone(),
            users,
            total,
            usd(m.mean),
            approx_usd(m.p5),
            approx_usd(m.p50),
            approx_usd(m.p90),
            approx_usd(m.p95),
            approx_usd(m.p99),
            phase.least_regret.clone(),
        ]);
    }
    table
}

/// The uncertain inputs: distribution, the value as written and P10 / P50 / P90.
#[must_use]
pub fn inputs_table(u: &Uncertainty) -> Table {
    let mut table = Table::new(&[
        ("input", Align::Left),
        ("distribution", Align::Left),
        ("as written", Align::Right),
        ("P10", Align::Right),
        ("P50", Align::Right),
        ("P90", Align::Right),
    ]);
    for i in &u.inputs {
        table.row(vec![
            i.path.clone(),
            describe(&i.distribution),
            significant(i.point),
            significant(i.p10),
            significant(i.p50),
            significant(i.p90),
        ]);
    }
    table
}

/// A phase's tornado: the first `limit` swings, largest first.
#[must_use]
pub fn tornado_table(swings: &[Swing], limit: usize) -> Table {
    let mut table = Table::new(&[
        ("input", Align::Left),
        ("low (P10)", Align::Right),
        ("monthly at low", Align::Right),
        ("high (P90)", Align::Right),
        ("monthly at high", Align::Right),
        ("swing", Align::Right),
    ]);
    for s in swings.iter().take(limit) {
        table.row(vec![
            s.input.clone(),
            significant(s.low_value),
            usd(s.low_monthly_usd),
            significant(s.high_value),
            usd(s.high_monthly_usd),
            usd(s.swing_usd),
        ]);
    }
    table
}

/// A phase's candidate sizings, the least-regret one marked.
#[must_use]
pub fn candidates_table(phase: &PhaseUncertainty) -> Table {
    let mut table = Table::new(&[
        ("candidate", Align::Left),
        ("provisioned monthly", Align::Right),
        ("mean over-provision", Align::Right),
        ("mean under-provision penalty", Align::Right),
        ("mean regret", Align::Right),
        ("lines short >10%", Align::Right),
        ("choice", Align::Left),
    ]);
    for c in &phase.candidates {
        table.row(vec![
            c.name.clone(),
            usd(c.provisioned_monthly_usd),
            usd(c.mean_over_provision_usd),
            usd(c.mean_under_provision_penalty_usd),
            usd(c.mean_regret_usd),
            thousands(c.lines_short_over_10pct as u64),
            if c.name == phase.least_regret {
                "least regret".into()
            } else {
                String::new()
            },
        ]);
    }
    table
}

fn tornado_heading(phase: &PhaseUncertainty) -> String {
    format!(
        "Phase {}: what moves the monthly cost (one input at its P10 or P90, the others at their median: {} per month)",
        phase.name,
        usd(phase.median_inputs_monthly_usd)
    )
}

fn candidates_heading(u: &Uncertainty, phase: &PhaseUncertainty) -> String {
    format!(
        "Phase {}: candidate sizings (a missing unit-month costs {}x its price)",
        phase.name,
        significant(u.under_provision_penalty)
    )
}

/// The terminal section.
#[must_use]
pub fn text(plan: &Plan, u: &Uncertainty) -> String {
    let mut out = String::new();
    let _ = writeln!(
        out,
        "\n== Uncertainty ({} draws, seed {}{}): monthly cost by phase",
        thousands(u.draws),
        u.seed,
        planned_note(u)
    );
    // The percentiles' precision, said once above them.
    let _ = writeln!(out, "Percentiles: {}; means are exact.", u.percentiles);
    out.push_str(&phases_table(plan, u).to_text());
    let _ = writeln!(out, "\n== Uncertain inputs");
    out.push_str(&inputs_table(u).to_text());
    if let Some(phase) = detail(u) {
        let _ = writeln!(out, "\n== {}", tornado_heading(phase));
        if phase.tornado.is_empty() {
            let _ = writeln!(out, "{NOTHING_VARIES}");
        } else {
            out.push_str(&tornado_table(&phase.tornado, TOP_SWINGS).to_text());
        }
        if phase.tornado.len() > TOP_SWINGS {
            let _ = writeln!(
                out,
                "... and {} more (tornado.csv)",
                phase.tornado.len() - TOP_SWINGS
            );
        }
        let _ = writeln!(out, "\n== {}", candidates_heading(u, phase));
        out.push_str(&candidates_table(phase).to_text());
    }
    out
}

pub(crate) fn candidate<'a>(phase: &'a PhaseUncertainty, name: &str) -> Option<&'a Candidate> {
    phase.candidates.iter().find(|c| c.name == name)
}

/// The `summary.md` section.
#[must_use]
pub fn markdown(plan: &Plan, u: &Uncertainty) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "\n## Uncertainty\n");
    let _ = writeln!(
        out,
        "{} draws of {} uncertain inputs (seed {}{}); every draw is one world: all phases and components see the same sample.\n",
        thousands(u.draws),
        u.inputs.len(),
        u.seed,
        planned_note(u)
    );
    let _ = writeln!(
        out,
        "**Method.** Regret: {}. Percentiles: {}. Draws: {}.\n",
        u.regret, u.percentiles, u.rng
    );
    let _ = writeln!(out, "### Monthly cost by phase\n");
    out.push_str(&phases_table(plan, u).to_markdown());
    let _ = writeln!(out, "\n### Least-regret sizing by phase\n");
    for phase in &u.phases {
        let chosen = candidate(phase, &phase.least_regret);
        let written = candidate(phase, AS_WRITTEN);
        let _ = writeln!(
            out,
            "- {}: **{}**{}{}",
            phase.name,
            phase.least_regret,
            chosen.map_or_else(String::new, |c| format!(
                ", mean regret {} per month (provisioned {})",
                usd(c.mean_regret_usd),
                usd(c.provisioned_monthly_usd)
            )),
            written
                .filter(|w| w.name != phase.least_regret)
                .map_or_else(String::new, |w| format!(
                    "; as written: {}",
                    usd(w.mean_regret_usd)
                ))
        );
    }
    let _ = writeln!(out, "\n### Uncertain inputs\n");
    out.push_str(&inputs_table(u).to_markdown());
    if let Some(phase) = detail(u) {
        let _ = writeln!(out, "\n### {}\n", tornado_heading(phase));
        if phase.tornado.is_empty() {
            let _ = writeln!(out, "{NOTHING_VARIES}");
        } else {
            out.push_str(&tornado_table(&phase.tornado, usize::MAX).to_markdown());
        }
        let _ = writeln!(out, "\n### {}\n", candidates_heading(u, phase));
        out.push_str(&candidates_table(phase).to_markdown());
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn terminal_and_markdown_show_every_phase_and_the_choice() {
        let plan = crate::uncertainty::saas_with_draws(200);
        let u = plan.uncertainty.as_ref().unwrap();
        let text = text(&plan, u);
        assert!(
            text.starts_with("\n== Uncertainty (200 draws, seed 7): monthly cost by phase\n"),
            "{text}"
        );
        for phase in &u.phases {
            // phase, users, the plan's total, then the mean and P5..P99 of the draws
            let m = &phase.monthly_usd;
            let row = text
                .lines()
                .find(|l| l.starts_with(&format!("{} ", phase.name)))
                .unwrap_or_else(|| panic!("no row for {}", phase.name));
            let cells: Vec<&str> = row.split_whitespace().collect();
            let plan_total = plan.phases.iter().find(|p| p.name == phase.name).unwrap();
            assert_eq!(cells[2], usd(plan_total.monthly_usd), "{row}");
            assert_eq!(
                &cells[3..9],
                &[
                    usd(m.mean),
                    approx_usd(m.p5),
                    approx_usd(m.p50),
                    approx_usd(m.p90),
                    approx_usd(m.p95),
                    approx_usd(m.p99)
                ],
                "{row}"
            );
            assert!(row.ends_with(&phase.least_regret), "{row}");
        }
        // The detail phase (the last): its tornado and candidates, the choice marked once.
        let last = u.phases.last().unwrap();
        assert_eq!(u.detail_phase, last.name);
        assert!(text.contains(&format!(
            "== Phase {}: what moves the monthly cost (one input at its P10 or P90, the others at their median: {} per month)",
            last.name,
            usd(last.median_inputs_monthly_usd)
        )));
        let top = &last.tornado[0];
        assert!(text.contains(&format!(
            "{}  {}",
            usd(top.high_monthly_usd),
            usd(top.swing_usd)
        )));
        // (the phase table's header also ends with "least regret")
        let chosen: Vec<&str> = text
            .lines()
            .filter(|l| l.ends_with("  least regret") && !l.starts_with("phase "))
            .collect();
        assert_eq!(chosen.len(), 1, "{chosen:?}");
        assert!(chosen[0].starts_with(&last.least_regret));

        let md = markdown(&plan, u);
        assert!(md.starts_with("\n## Uncertainty\n\n200 draws of 7 uncertain inputs (seed 7)"));
        assert!(md.contains(&format!(
            "Regret: {}. Percentiles: {}.",
            u.regret, u.percentiles
        )));
        assert!(md.contains(&format!(
            "| {} | {} | {} |",
            top.input,
            significant(top.low_value),
            usd(top.low_monthly_usd)
        )));
        for phase in &u.phases {
            assert!(md.contains(&format!("- {}: **{}**", phase.name, phase.least_regret)));
        }
    }

    #[test]
    fn describes_distributions() {
        assert_eq!(
            describe(&Distribution::Pert {
                low: 0.25,
                mode: 0.4,
                high: 0.55,
                lambda: None
            }),
            "PERT 0.25 / 0.4 / 0.55"
        );
        assert_eq!(
            describe(&Distribution::LogNormal {
                mean: None,
                sd: None,
                p10: Some(10e6),
                p90: Some(35e6),
                min: None,
                max: None
            }),
            "lognormal P10 10M, P90 35M"
        );
        assert_eq!(
            describe(&Distribution::Normal {
                mean: 0.8,
                sd: 0.05,
                low: Some(0.5),
                high: None
            }),
            "normal mean 0.8, sd 0.05 in [0.5, inf]"
        );
        assert_eq!(
            describe(&Distribution::Interval {
                low: 2.0,
                mid: 3.0,
                high: 5.0,
                confidence: 0.9,
                min: Some(1.0),
                max: None
            }),
            "90% interval 2 to 5, median 3 in [1, inf]"
        );
    }
}
