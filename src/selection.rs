//! Instance auto-selection: `instance: "auto"` tries every catalog shape the constraints
//! allow, sizes the component on each, prices it, and keeps the cheapest.
//!
//! Fewer large nodes trade against many small ones through the sizing rules themselves: every
//! count is a max over the shape's resources (vCPU, memory, network, IOPS, pods per node...),
//! so a CPU-heavy load and a memory-heavy one prefer different families, and each candidate
//! records the resource that bound it. A shape is rejected, with the resource or limit, when
//! a pod does not fit it, when it cannot take the connections it would receive, when it has
//! no price, or when the count in a region would cross `auto.max_nodes`. When nothing fits, the error names the
//! component, the phase and the limits, and suggests the policy change.

use serde::Serialize;

use crate::catalog::{Catalog, Shape};
use crate::input::kinds::AutoSelect;
use crate::input::scenario::AUTO;
use crate::input::{Component, Kind, Policy, Scenario};
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
    /// The resource that set the count of its main instance line on this shape (`cpu`,
    /// `memory`, `network`...).
    pub binding: Option<String>,
}

/// A shape that could not be used, and why.
#[derive(Debug, Clone, Serialize)]
pub struct Rejected {
    pub instance: String,
    /// `memory`, `vCPU`, `connections`, `node-count limit`, `price`...
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
    let instance = component.policy.instance()?;
    let fixed_here = instance.by_phase.is_some_and(|m| m.contains_key(phase));
    (instance.default == AUTO && !fixed_here).then(|| instance.auto.cloned().unwrap_or_default())
}

fn with_instance(component: &Component, instance: &str) -> Component {
    let mut c = component.clone();
    set_instance(&mut c.policy, instance);
    c
}

/// Sets the instance of a policy that has one (Monte Carlo draws fix an `auto` component to
/// the shape chosen for the phase).
pub fn set_instance(policy: &mut Policy, instance: &str) {
    if let Some(slot) = policy.instance_mut() {
        slot.clear();
        slot.push_str(instance);
    }
}

/// The family of an instance type: `cache.r6g.large` -> `r6g` (the kinds' service prefixes
/// stripped).
#[must_use]
pub fn family(instance: &str) -> &str {
    let bare = Kind::ALL
        .iter()
        .filter_map(|k| k.facts().shapes)
        .map(|s| s.instance_prefix)
        .filter(|p| !p.is_empty())
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

/// Rejects a shape below the smallest the component's policy allows (Kafka's
/// `min_broker_instance`), naming the rule.
fn below_policy_floor(component: &Component, shape: &Shape, catalog: &Catalog) -> Option<Rejected> {
    let Policy::Kafka(p) = &component.policy else {
        return None;
    };
    let min = p.min_broker_instance.as_deref()?;
    let floor = catalog.get(min)?;
    crate::input::kinds::kafka::below_min_broker(shape, floor).then(|| Rejected {
        instance: shape.instance.clone(),
        constraint: "min_broker_instance".into(),
        reason: format!(
            "{} vCPU / {} GiB is below min_broker_instance {min} ({} vCPU / {} GiB)",
            shape.vcpu, shape.memory_gib, floor.vcpu, floor.memory_gib
        ),
    })
}

/// Sizes and prices `component` on every allowed shape; returns the cheapest's sizing and the
/// record of the choice.
pub fn select(
    component: &Component,
    auto: &AutoSelect,
    inputs: &PhaseInputs<'_>,
) -> Result<(ComponentSizing, Selection), String> {
    let shapes = candidate_shapes(component, auto, &inputs.scenario.catalog)?;
    // Candidates are sized without derivations (recording them is most of a traced sizing's
    // time); the chosen shape is sized again with them below, the same rule on the same
    // inputs, so its numbers do not change.
    let untraced = PhaseInputs {
        traced: false,
        // The node limit reads per-region counts, whoever asks.
        keep_regions: true,
        ..*inputs
    };
    // Room for every shape: a candidate's sizing is large, and a growing vector moves them all.
    let mut fits: Vec<(Candidate, ComponentSizing)> = Vec::with_capacity(shapes.len());
    let mut rejected = Vec::new();
    // One copy of the component, its instance set to each shape in turn.
    let mut trial = component.clone();
    for shape in &shapes {
        set_instance(&mut trial.policy, &shape.instance);
        match try_shape(&trial, shape, auto, &untraced) {
            Ok(fit) => fits.push(fit),
            Err(why) => rejected.push(why),
        }
    }
    rank(&mut fits);
    let mut ranked = fits.into_iter();
    let Some((chosen, mut sizing)) = ranked.next() else {
        return Err(nothing_fits(&rejected, inputs.phase, shapes.len()));
    };
    if inputs.traced {
        sizing = sizing::size_component(&with_instance(component, &chosen.instance), inputs)
            .map_err(|e| e.to_string())?;
    }
    let alternatives: Vec<Candidate> = ranked.take(auto.alternatives).map(|(c, _)| c).collect();
    let why = why_chosen(&chosen, &alternatives);
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

/// The catalog shapes of the component's kind that `auto`'s families and architectures allow.
fn candidate_shapes<'a>(
    component: &Component,
    auto: &AutoSelect,
    catalog: &'a Catalog,
) -> Result<Vec<&'a Shape>, String> {
    let kind = component.policy.kind();
    let Some(source) = kind.facts().shapes else {
        return Err(format!(
            "instance \"auto\": {kind} components run on no catalog shapes"
        ));
    };
    let service = source.catalog_service;
    let shapes: Vec<&Shape> = catalog
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
    Ok(shapes)
}

/// Sizes and prices `trial` (the component, its instance set to `shape`) on one shape, or
/// says why the shape cannot be used.
fn try_shape(
    trial: &Component,
    shape: &Shape,
    auto: &AutoSelect,
    inputs: &PhaseInputs<'_>,
) -> Result<(Candidate, ComponentSizing), Rejected> {
    if let Some(r) = allowed(shape, auto) {
        return Err(r);
    }
    if let Some(r) = below_policy_floor(trial, shape, &inputs.scenario.catalog) {
        return Err(r);
    }
    let reject = |constraint: &str, reason: String| Rejected {
        instance: shape.instance.clone(),
        constraint: constraint.into(),
        reason,
    };
    let sizing = sizing::size_component(trial, inputs).map_err(|reason| {
        // A rule fails on a shape when what it needs does not fit one instance, or when the
        // shape cannot take the connections it would receive.
        let constraint = if reason.contains("max_connections") {
            "connections"
        } else if reason.contains("vCPU") {
            "vCPU"
        } else {
            "memory"
        };
        reject(constraint, reason)
    })?;
    let on_shape = lines_on_shape(&sizing, &shape.instance);
    let binding = on_shape
        .iter()
        .find_map(|&i| sizing.lines[i].binding)
        .map(|b| b.binding());
    if let Some(max) = auto.max_nodes {
        let worst = most_in_one_region(&sizing, &on_shape);
        if worst > max {
            return Err(reject(
                "node-count limit",
                format!(
                    "{worst} instances in one region > max_nodes {max}{}",
                    binding.map_or(String::new(), |b| format!(" (count bound by {b})"))
                ),
            ));
        }
    }
    let monthly =
        monthly_usd(trial, &sizing, inputs.scenario).map_err(|reason| reject("price", reason))?;
    let candidate = Candidate {
        instance: shape.instance.clone(),
        vcpu: shape.vcpu,
        memory_gib: shape.memory_gib,
        nodes: on_shape.iter().map(|&i| sizing.lines[i].count).sum(),
        monthly_usd: crate::units::round_cents(monthly),
        binding: binding.map(ToString::to_string),
    };
    Ok((candidate, sizing))
}

/// True when `sizing` puts more instances on `instance` in one region than `auto.max_nodes`
/// allows (Monte Carlo draws choosing a shape again; needs the per-region counts).
#[must_use]
pub fn over_node_limit(auto: &AutoSelect, sizing: &ComponentSizing, instance: &str) -> bool {
    auto.max_nodes
        .is_some_and(|max| most_in_one_region(sizing, &lines_on_shape(sizing, instance)) > max)
}

/// Positions of the instance lines that run on `instance`.
fn lines_on_shape(sizing: &ComponentSizing, instance: &str) -> Vec<usize> {
    (0..sizing.lines.len())
        .filter(|&i| {
            let l = &sizing.lines[i];
            matches!(l.measure, Measure::Instances { .. }) && l.instance() == Some(instance)
        })
        .collect()
}

/// The most instances of `lines` in any one region.
fn most_in_one_region(sizing: &ComponentSizing, lines: &[usize]) -> u64 {
    sizing
        .per_region
        .values()
        .map(|counts| lines.iter().map(|&i| counts[i]).sum::<u64>())
        .max()
        .unwrap_or(0)
}

/// The component's monthly cost at its price model, or why one of its lines has no price.
fn monthly_usd(
    component: &Component,
    sizing: &ComponentSizing,
    scenario: &Scenario,
) -> Result<f64, String> {
    let hours = scenario.spec.hours_per_month;
    let mut monthly = 0.0;
    for line in &sizing.lines {
        let Some(key) = &line.price else { continue };
        if line.count == 0 {
            continue;
        }
        let list = crate::costing::list_monthly_usd(
            line.count,
            line.measure,
            key,
            &line.parts,
            component.prices.get(line.item.as_str()),
            &scenario.prices,
            hours,
        )?;
        // Ranked at the component's price model (its discount: reserved, spot...).
        let discount = crate::costing::discount_for(scenario, component, Some(&key.service));
        monthly += list * discount.multiplier;
    }
    Ok(monthly)
}

/// Cheapest first; fewer nodes, then the instance name, break ties.
fn rank(fits: &mut [(Candidate, ComponentSizing)]) {
    fits.sort_by(|a, b| {
        a.0.monthly_usd
            .total_cmp(&b.0.monthly_usd)
            .then(a.0.nodes.cmp(&b.0.nodes))
            .then(a.0.instance.cmp(&b.0.instance))
    });
}

/// The error when no shape fits: how many each constraint ruled out, one example, and what
/// to change.
fn nothing_fits(rejected: &[Rejected], phase: &str, tried: usize) -> String {
    let mut by_constraint: std::collections::BTreeMap<&str, usize> =
        std::collections::BTreeMap::new();
    for r in rejected {
        *by_constraint.entry(r.constraint.as_str()).or_default() += 1;
    }
    let summary: Vec<String> = by_constraint
        .iter()
        .map(|(c, n)| format!("{n} by {c}"))
        .collect();
    let first = rejected.first().map_or(String::new(), |r| {
        format!("; e.g. {}: {}", r.instance, r.reason)
    });
    format!(
        "instance \"auto\": no catalog shape fits in phase {phase} ({tried} tried: {}{first}); \
         allow more families or larger shapes, raise auto.max_nodes, or split the \
         component into more clusters or regions",
        summary.join(", ")
    )
}

/// ` (by cpu)`: what bound a candidate's count; empty when nothing is recorded.
fn bound_by(c: &Candidate) -> String {
    c.binding
        .as_ref()
        .map_or(String::new(), |b| format!(" (by {b})"))
}

/// Why the winner won: against the runner-up, or as the only fit.
fn why_chosen(chosen: &Candidate, alternatives: &[Candidate]) -> String {
    match alternatives.first() {
        Some(next) => format!(
            "cheapest of {} fitting shapes: {} x {}{} at ${:.2}/month vs {} x {}{} at ${:.2}",
            alternatives.len() + 1,
            chosen.nodes,
            chosen.instance,
            bound_by(chosen),
            chosen.monthly_usd,
            next.nodes,
            next.instance,
            bound_by(next),
            next.monthly_usd
        ),
        None => format!(
            "the only fitting shape: {} x {}",
            chosen.nodes, chosen.instance
        ),
    }
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
