//! `summary.md`: the plan for people, in Markdown.

use std::fmt::Write;

use crate::plan::Plan;
use crate::render::format::{figure, short, usd};
use crate::render::{phase_tables, uncertainty};

/// The Markdown summary.
#[must_use]
pub fn render(plan: &Plan) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "# Capacity plan: {}\n", plan.title());
    let _ = writeln!(out, "{}\n", plan.description.trim());
    if let Some(source) = &plan.source {
        let _ = writeln!(out, "- Source: {source}");
    }
    let _ = writeln!(
        out,
        "- Prices: {} {} (CDN: {}), tables `{}`; {} hours per month; USD",
        plan.pricing.provider,
        plan.pricing.region,
        plan.pricing.cdn_geography,
        plan.pricing.tables,
        plan.hours_per_month
    );
    let regions: Vec<String> = plan
        .regions
        .iter()
        .map(|r| format!("{} ({:.1}%)", r.name, r.user_share * 100.0))
        .collect();
    let _ = writeln!(out, "- Regions: {}", regions.join(", "));
    let _ = writeln!(out, "- Computed by {}\n", plan.generated_by);
    let _ = writeln!(out, "## Monthly cost by phase and component\n");
    out.push_str(&phase_tables::totals(plan).to_markdown());
    for phase in &plan.phases {
        let _ = writeln!(
            out,
            "\n## Phase {} ({} users, {} DAU, {} peak req/s): {} per month{}\n",
            phase.name,
            short(phase.users as f64),
            short(phase.demand.dau),
            figure(phase.demand.peak_rps, 0),
            usd(phase.monthly_usd),
            phase_tables::unpriced_flag(phase)
        );
        out.push_str(&phase_tables::lines(phase).to_markdown());
    }
    if let Some(u) = &plan.uncertainty {
        out.push_str(&uncertainty::markdown(plan, u));
    }
    if !plan.warnings.is_empty() {
        let _ = writeln!(out, "\n## Warnings\n");
        for w in &plan.warnings {
            let _ = writeln!(out, "- {w}");
        }
    }
    if !plan.assumptions.is_empty() {
        let _ = writeln!(out, "\n## Assumptions\n");
        for a in &plan.assumptions {
            let _ = writeln!(out, "- {a}");
        }
    }
    out
}
