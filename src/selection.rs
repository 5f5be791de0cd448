//! Instance auto-selection: `instance: "auto"` tries every catalog shape the constraints
//! allow, sizes the component on each, prices it, and keeps the cheapest.
//!
//! Fewer large nodes trade against many small ones through the sizing rules themselves
//! (Redis masters by usable memory, app nodes by how many pods fit a shape). A shape is
//! rejected, with the reason, when a pod does not fit it, when it has no price, or when the
//! count in a region would cross `auto.max_nodes`. When nothing fits, the error names the
//! component, the phase and the limits, and suggests the policy change.

use serde::Serialize;

use crate::catalog::Shape;
use crate::input::scenario::{AUTO, AutoSelect};
use crate::input::{Component, Policy};
use crate::sizing::{self, ComponentSizing, Measure, PhaseInputs};

/// A shape that was sized and priced.
#[derive(Debug, Clone, Serialize)]
pub struct Candidate {
    pub instance: String,
    pub vcpu: f64,
    pub memory_gib: f64,
    /// Instances of the component in all regions (every instance line).
    pub nodes: u64,
    /// Monthly cost of the whole component at its price model (its `discount`, if any).
    pub monthly_usd: f64,
}

/// A shape that could not be used, and why.
#[derive(Debug, Clone, Serialize)]
pub struct Rejected {
    pub instance: String,
    /// `memory`, `vCPU`, `node-count limit`, `price`...
    pub constraint: String,
    pub reason: String,
}

/// The outcome for one component in one phase.
#[derive(Debug, Clone, Serialize)]
pub struct Selection {
    pub component: String,
    pub chosen: Candidate,
    /// Why the winner won.
    pub why: String,
    /// The next best shapes, cheapest first.
    pub alternatives: Vec<Candidate>,
    /// Shapes that were ruled out.
    pub rejected: Vec<Rejected>,
    /// Shapes tried (after the family/architecture filters).
    pub tried: usize,
}

/// Whether `component` asks for auto-selection (in this phase).
#[must_use]
pub fn wants_auto(component: &Component, phase: &str) -> Option<AutoSelect> {
    let (instance, by_phase, auto) = match &component.policy {
        Policy::Postgres(p) => (&p.instance, Some(&p.instance_by_phase), &p.auto),
        Policy::Redis(p) => (&p.instance, Some(&p.instance_by_phase), &p.auto),
        Policy::App(p) => (&p.instance, Some(&p.instance_by_phase), &p.auto),
        Policy::PgBouncer(p) => (&p.instance, None, &p.auto),
        Policy::Kafka(p) => (&p.instance, None, &p.auto),
        _ => return None,
    };
    let fixed_here = by_phase.is_some_and(|m| m.contains_key(phase));
    (instance == AUTO && !fixed_here).then(|| auto.clone().unwrap_or_default())
}

fn catalog_service(policy: &Policy) -> &'static str {
    match policy {
        Policy::Postgres(_) => "rds",
        Policy::Redis(_) => "elasticache",
        Policy::Kafka(_) => "msk",
        _ => "ec2",
    }
}

fn with_instance(component: &Component, instance: &str) -> Component {
    let mut c = component.clone();
    set_instance(&mut c.policy, instance);
    c
}

/// Sets the instance of a policy that has one (Monte Carlo draws fix an `auto` component to
/// the shape chosen for the phase).
pub fn set_instance(policy: &mut Policy, instance: &str) {
    let slot = match policy {
        Policy::Postgres(p) => &mut p.instance,
        Policy::Redis(p) => &mut p.instance,
        Policy::App(p) => &mut p.instance,
        Policy::PgBouncer(p) => &mut p.instance,
        Policy::Kafka(p) => &mut p.instance,
        _ => return,
    };
    slot.clear();
    slot.push_str(instance);
}

/// The family of an instance type: `cache.r6g.large` -> `r6g`.
#[must_use]
pub fn family(instance: &str) -> &str {
    let bare = ["cache.", "db.", "kafka."]
        .iter()
        .find_map(|p| instance.strip_prefix(p))
        .unwrap_or(instance);
    bare.split('.').next().unwrap_or(bare)
}

/// `arm64` for Graviton families (`m7g`, `r6gd`, `c6gn`), else `x86_64`.
#[must_use]
pub fn architecture(instance: &str) -> &'static str {
    let f = family(instance);
    let after_digits = f.trim_start_matches(|c: char| c.is_ascii_alphabetic());
    let suffix = after_digits.trim_start_matches(|c: char| c.is_ascii_digit());
    if suffix.starts_with('g') {
        "arm64"
    } else {
        "x86_64"
    }
}

fn allowed(shape: &Shape, auto: &AutoSelect) -> Option<Rejected> {
    let reject = |constraint: &str, reason: String| {
        Some(Rejected {
            instance: shape.instance.clone(),
            constraint: constraint.to_string(),
            reason,
        })
    };
    if let Some(v) = auto.min_vcpu
        && shape.vcpu < v
    {
        return reject("vCPU", format!("{} vCPU < min_vcpu {v}", shape.vcpu));
    }
    if let Some(m) = auto.min_memory_gib
        && shape.data_memory_gib() < m
    {
        return reject(
            "memory",
            format!("{} GiB < min_memory_gib {m}", shape.data_memory_gib()),
        );
    }
    None
}

/// Sizes and prices `component` on every allowed shape; returns the cheapest's sizing and the
/// record of the choice.
pub fn select(
    component: &Component,
    auto: &AutoSelect,
    inputs: &PhaseInputs<'_>,
) -> Result<(ComponentSizing, Selection), String> {
    let scenario = inputs.scenario;
    let service = catalog_service(&component.policy);
    let hours = scenario.spec.hours_per_month;
    let shapes: Vec<&Shape> = scenario
        .catalog
        .shapes()
        .filter(|s| s.service == service)
        .filter(|s| {
            auto.families.is_empty() || auto.families.iter().any(|f| f == family(&s.instance))
        })
        .filter(|s| {
            auto.architectures.is_empty()
                || auto
                    .architectures
                    .iter()
                    .any(|a| a == architecture(&s.instance))
        })
        .collect();
    if shapes.is_empty() {
        return Err(format!(
            "instance \"auto\": the catalog has no `{service}` shape in families {:?} / architectures {:?}",
            auto.families, auto.architectures
        ));
    }
    let mut fits: Vec<(Candidate, ComponentSizing)> = Vec::new();
    let mut rejected = Vec::new();
    for shape in &shapes {
        if let Some(r) = allowed(shape, auto) {
            rejected.push(r);
            continue;
        }
        let trial = with_instance(component, &shape.instance);
        let sizing = match sizing::size_component(&trial, inputs) {
            Ok(s) => s,
            Err(reason) => {
                let constraint = if reason.contains("vCPU") {
                    "vCPU"
                } else {
                    "memory"
                };
                rejected.push(Rejected {
                    instance: shape.instance.clone(),
                    constraint: constraint.into(),
                    reason,
                });
                continue;
            }
        };
        // Positions of the lines that run on the candidate shape.
        let instance_lines: Vec<usize> = (0..sizing.lines.len())
            .filter(|&i| {
                let l = &sizing.lines[i];
                matches!(l.measure, Measure::Instances { .. })
                    && l.instance() == Some(shape.instance.as_str())
            })
            .collect();
        let nodes: u64 = instance_lines.iter().map(|&i| sizing.lines[i].count).sum();
        if let Some(max) = auto.max_nodes {
            let worst = sizing
                .per_region
                .values()
                .map(|counts| instance_lines.iter().map(|&i| counts[i]).sum::<u64>())
                .max()
                .unwrap_or(0);
            if worst > max {
                rejected.push(Rejected {
                    instance: shape.instance.clone(),
                    constraint: "node-count limit".into(),
                    reason: format!("{worst} instances in one region > max_nodes {max}"),
                });
                continue;
            }
        }
        let mut monthly = 0.0;
        let mut unpriced = None;
        for line in &sizing.lines {
            let Some(key) = &line.price else { continue };
            if line.count == 0 {
                continue;
            }
            match crate::costing::bill(
                line.count,
                line.measure,
                key,
                component.prices.get(line.item.as_str()),
                &scenario.prices,
                hours,
            ) {
                // Ranked at the component's price model (its discount: reserved, spot...).
                Ok(b) => {
                    let discount =
                        crate::costing::discount_for(scenario, component, Some(&key.service));
                    monthly += b.list_monthly_usd * discount.multiplier;
                }
                Err(e) => {
                    unpriced = Some(e);
                    break;
                }
            }
        }
        if let Some(reason) = unpriced {
            rejected.push(Rejected {
                instance: shape.instance.clone(),
                constraint: "price".into(),
                reason,
            });
            continue;
        }
        fits.push((
            Candidate {
                instance: shape.instance.clone(),
                vcpu: shape.vcpu,
                memory_gib: shape.memory_gib,
                nodes,
                monthly_usd: crate::units::round_cents(monthly),
            },
            sizing,
        ));
    }
    fits.sort_by(|a, b| {
        a.0.monthly_usd
            .total_cmp(&b.0.monthly_usd)
            .then(a.0.nodes.cmp(&b.0.nodes))
            .then(a.0.instance.cmp(&b.0.instance))
    });
    if fits.is_empty() {
        let mut by_constraint: std::collections::BTreeMap<&str, usize> =
            std::collections::BTreeMap::new();
        for r in &rejected {
            *by_constraint.entry(r.constraint.as_str()).or_default() += 1;
        }
        let summary: Vec<String> = by_constraint
            .iter()
            .map(|(c, n)| format!("{n} by {c}"))
            .collect();
        let first = rejected.first().map_or(String::new(), |r| {
            format!("; e.g. {}: {}", r.instance, r.reason)
        });
        return Err(format!(
            "instance \"auto\": no catalog shape fits in phase {} ({} tried: {}{first}); \
             allow more families or larger shapes, raise auto.max_nodes, or split the \
             component into more clusters or regions",
            inputs.phase,
            shapes.len(),
            summary.join(", ")
        ));
    }
    let mut ranked = fits.into_iter();
    let (chosen, sizing) = ranked.next().expect("not empty");
    let alternatives: Vec<Candidate> = ranked.take(auto.alternatives).map(|(c, _)| c).collect();
    let why = match alternatives.first() {
        Some(next) => format!(
            "cheapest of {} fitting shapes: {} x {} at ${:.2}/month vs {} x {} at ${:.2}",
            alternatives.len() + 1,
            chosen.nodes,
            chosen.instance,
            chosen.monthly_usd,
            next.nodes,
            next.instance,
            next.monthly_usd
        ),
        None => format!(
            "the only fitting shape: {} x {}",
            chosen.nodes, chosen.instance
        ),
    };
    Ok((
        sizing,
        Selection {
            component: component.name.clone(),
            chosen,
            why,
            alternatives,
            rejected,
            tried: shapes.len(),
        },
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn families_and_architectures() {
        assert_eq!(family("cache.r6g.large"), "r6g");
        assert_eq!(family("db.m7i.2xlarge"), "m7i");
        assert_eq!(family("c6gn.16xlarge"), "c6gn");
        assert_eq!(architecture("cache.r7g.xlarge"), "arm64");
        assert_eq!(architecture("m6gd.large"), "arm64");
        assert_eq!(architecture("r6i.large"), "x86_64");
        assert_eq!(architecture("kafka.m5.large"), "x86_64");
    }
}
