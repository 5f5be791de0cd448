//! `headroom explain`: the derivation chain of a component's lines in one phase.
//!
//! Shows the demand figures the component reads (with their own formulas), then every step
//! of each line: formula, inputs with units, result.

use std::collections::BTreeSet;
use std::fmt::Write;

use crate::error::did_you_mean;
use crate::plan::{Line, Plan};
use crate::render::format::{thousands, usd};
use crate::trace::Step;

/// A derivation figure: separators, at most six decimals (`format::figure`).
fn number(x: f64) -> String {
    crate::render::format::figure(x, 6)
}

fn step_text(out: &mut String, step: &Step) {
    let _ = writeln!(out, "  {} = {}", step.name, step.formula);
    for input in &step.inputs {
        let _ = writeln!(
            out,
            "      {} = {} {}",
            input.name,
            number(input.value),
            input.unit
        );
    }
    let _ = writeln!(out, "    -> {} {}", number(step.result), step.unit);
}

/// The explanation of `component` (optionally one `item`) in `phase`, or why there is none.
pub fn render(
    plan: &Plan,
    phase: &str,
    component: &str,
    item: Option<&str>,
) -> Result<String, String> {
    let phase_plan = plan
        .phases
        .iter()
        .find(|p| p.name == phase)
        .ok_or_else(|| {
            let names: Vec<&str> = plan.phases.iter().map(|p| p.name.as_str()).collect();
            format!(
                "no phase `{phase}`{}; phases: {}",
                did_you_mean(phase, names.iter().copied()),
                names.join(", ")
            )
        })?;
    let lines: Vec<&Line> = phase_plan
        .lines
        .iter()
        .filter(|l| l.component == component)
        .collect();
    if lines.is_empty() {
        let names: Vec<&str> = phase_plan
            .components
            .iter()
            .map(|c| c.component.as_str())
            .collect();
        return Err(format!(
            "no component `{component}`{}; components: {}",
            did_you_mean(component, names.iter().copied()),
            names.join(", ")
        ));
    }
    let selected: Vec<&Line> = match item {
        Some(item) => {
            let found: Vec<&Line> = lines.iter().copied().filter(|l| l.item == item).collect();
            if found.is_empty() {
                let items: Vec<&str> = lines.iter().map(|l| l.item.as_str()).collect();
                return Err(format!(
                    "`{component}` has no line `{item}`{}; its lines: {}",
                    did_you_mean(item, items.iter().copied()),
                    items.join(", ")
                ));
            }
            found
        }
        None => lines,
    };
    let mut out = String::new();
    let _ = writeln!(
        out,
        "{} / phase {} ({} users) / {} ({})",
        plan.scenario,
        phase_plan.name,
        crate::render::format::thousands(phase_plan.users),
        component,
        selected[0].kind
    );
    if let Some(sel) = phase_plan
        .selections
        .iter()
        .find(|s| s.component == component)
    {
        let c = &sel.chosen;
        let _ = writeln!(
            out,
            "\ninstance \"auto\": chose {} ({} vCPU, {} GiB): {} instances, {} per month",
            c.instance,
            c.vcpu,
            c.memory_gib,
            c.nodes,
            usd(c.monthly_usd)
        );
        let _ = writeln!(out, "  why: {}", sel.why);
        for a in &sel.alternatives {
            let _ = writeln!(
                out,
                "  runner-up: {} x {} ({} vCPU, {} GiB): {}",
                a.nodes,
                a.instance,
                a.vcpu,
                a.memory_gib,
                usd(a.monthly_usd)
            );
        }
        let _ = writeln!(
            out,
            "  {} shapes tried, {} ruled out:",
            sel.tried,
            sel.rejected.len()
        );
        for r in &sel.rejected {
            let _ = writeln!(out, "    {} ({}): {}", r.instance, r.constraint, r.reason);
        }
    }
    // The demand figures this component reads, with their own derivation.
    let used: BTreeSet<&str> = selected
        .iter()
        .flat_map(|l| l.derivation.iter())
        .flat_map(|s| s.inputs.iter().map(|i| i.name.as_str()))
        .collect();
    let demand_steps: Vec<&Step> = phase_plan
        .demand_derivation
        .iter()
        .filter(|s| used.contains(s.name.as_str()))
        .collect();
    if !demand_steps.is_empty() {
        let _ = writeln!(out, "\ndemand (whole phase):");
        for step in demand_steps {
            step_text(&mut out, step);
        }
    }
    for line in selected {
        let _ = writeln!(
            out,
            "\nline {}: {} {}{} -> {} per month",
            line.item,
            line.count,
            line.count_unit,
            if line.pinned {
                format!(" (pinned; demand needs {})", line.derived_count)
            } else {
                String::new()
            },
            usd(line.monthly_usd)
        );
        if let Some(binding) = &line.binding {
            let each: Vec<String> = line
                .by_resource
                .iter()
                .map(|(resource, n)| format!("{resource} {}", thousands(*n)))
                .collect();
            let _ = writeln!(
                out,
                "  binding: {binding} (each resource alone: {})",
                each.join(", ")
            );
        }
        if line.billed {
            let _ = writeln!(
                out,
                "  price: {} per {} ({}: {}{})",
                crate::render::format::unit_price(line.unit_price_usd),
                line.unit,
                line.price_given_by,
                line.price_source,
                if line.price_as_of.is_empty() {
                    String::new()
                } else {
                    format!(", as of {}", line.price_as_of)
                }
            );
            // Each region (or CDN geography) bills its part at its own price key.
            if line.price_parts.is_empty()
                && let Some(key) = &line.price_key
            {
                let _ = writeln!(out, "  price key: {key}");
            }
            for part in &line.price_parts {
                let _ = writeln!(
                    out,
                    "  price key [{}]: {} ({} {} at {} per {} -> {} per month, {})",
                    part.region,
                    part.price_key,
                    crate::render::format::thousands(part.count),
                    line.count_unit,
                    crate::render::format::unit_price(part.unit_price_usd),
                    line.unit,
                    usd(part.list_monthly_usd),
                    part.price_confidence
                );
            }
        }
        for step in &line.derivation {
            step_text(&mut out, step);
        }
    }
    Ok(out)
}
