//! The terminal view of a plan: a table per phase, then the phase x component totals, then
//! (with draws) the uncertainty section.

use std::fmt::Write;

use crate::plan::Plan;
use crate::render::format::{figure, short, usd};
use crate::render::{phase_tables, uncertainty};

/// The plan as plain text for a terminal.
#[must_use]
pub fn render(plan: &Plan) -> String {
    let mut out = String::new();
    let _ = writeln!(
        out,
        "{}: {}",
        plan.title(),
        plan.description.lines().next().unwrap_or("")
    );
    for phase in &plan.phases {
        let _ = writeln!(
            out,
            "\n== Phase {}: {} users, {} DAU, {} peak req/s -> {} per month{}",
            phase.name,
            short(phase.users as f64),
            short(phase.demand.dau),
            figure(phase.demand.peak_rps, 0),
            usd(phase.monthly_usd),
            phase_tables::unpriced_flag(phase)
        );
        out.push_str(&phase_tables::lines(phase).to_text());
    }
    let _ = writeln!(
        out,
        "\n== Monthly cost by phase and component ({} h/month)",
        plan.hours_per_month
    );
    out.push_str(&phase_tables::totals(plan).to_text());
    if let Some(u) = &plan.uncertainty {
        out.push_str(&uncertainty::text(plan, u));
    }
    for w in &plan.warnings {
        let _ = writeln!(out, "warning: {w}");
    }
    out
}
