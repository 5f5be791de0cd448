//! A scenario's commitment policy applied to a priced plan: each instance line reserves a
//! baseline in each region and pays on demand above it.
//!
//! The reservation is bought at month 0 of the growth curve for the policy's term, so its
//! baseline comes from the counts of months 0 to term - 1 (the lowest month, or a percentile
//! of them). A phase the curve reaches within the term pays that whole reservation: where it
//! runs fewer instances, or another shape, the rest are idle and still paid (a reservation
//! cannot be dropped within its term). A phase after the term has none (no renewal is
//! modelled). A committed instance costs its reserved effective hourly rate (an all-upfront
//! fee is amortised over the term's hours into that rate; the fee itself is shown as
//! `upfront_usd`) every hour; the rest of the line keeps its net on-demand cost. Lines with no
//! reserved rate for their instance and region, or whose net on-demand rate is already below
//! it, stay on demand and are named.

use std::collections::BTreeMap;

use serde::Serialize;

use crate::error::InputError;
use crate::input::{Baseline, CommitmentPolicy, Scenario};
use crate::plan::{ComponentTotal, Line, PhasePlan};
use crate::pricing::reserved::{Payment, Term, rate};
use crate::units::round_cents;

/// A line's reservation in one phase.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct LineCommitment {
    /// Instances reserved (summed over regions), idle ones included.
    pub committed: u64,
    /// Reserved instances the phase does not run (fewer instances than the reservation, or
    /// another shape): paid all the same, a reservation cannot be dropped within its term.
    pub idle: u64,
    /// Instances above the reservation, billed on demand.
    pub on_demand: u64,
    /// Reserved instances x effective hourly rate x hours per month.
    pub committed_monthly_usd: f64,
    /// The line's net on-demand cost of the instances above the reservation.
    pub on_demand_monthly_usd: f64,
    /// Paid at the start of the term (all-upfront: the term's fee per reserved instance;
    /// already amortised into `committed_monthly_usd`).
    pub upfront_usd: f64,
    /// Each region's reservation.
    pub parts: Vec<PartCommitment>,
    /// Why the line (or some of its regions) stays on demand.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub on_demand_only: Vec<String>,
}

/// One region's reservation of a line.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PartCommitment {
    pub region: String,
    /// The reserved instance type (the line's own, or the shape the line ran in the term's
    /// months when the phase runs another: then every reserved instance is idle).
    pub instance: String,
    /// Instances of `instance` the phase runs in the region.
    pub count: u64,
    /// The baseline of the term's months.
    pub baseline: u64,
    /// Reserved: the baseline, for a phase within the term.
    pub committed: u64,
    /// Reserved but not run: `committed - count` when positive.
    pub idle: u64,
    /// `service-reserved/item/region` of the reserved rate.
    pub price_key: String,
    pub effective_hourly_usd: f64,
    pub upfront_usd: f64,
}

/// (component, item, instance, region).
type PartKey = (String, String, String, String);

/// A line part over the term's months: its service, its count in each month (0 where the
/// line is absent or runs another shape) and its net on-demand hourly rate per instance.
struct TermPart {
    service: String,
    counts: Vec<u64>,
    net_hourly_usd: f64,
}

/// An hourly-billed instance line's parts: (region, service, count, net monthly USD).
fn parts(line: &Line) -> Vec<(String, String, u64, f64)> {
    let Some(_) = &line.instance else {
        return Vec::new();
    };
    if !line.billed || line.unit != "hour" {
        return Vec::new();
    }
    let split = |key: &str| {
        let f: Vec<&str> = key.split('/').collect();
        match f[..] {
            [service, _, region] => Some((region.to_string(), service.to_string())),
            _ => None,
        }
    };
    if line.price_parts.is_empty() {
        let Some((region, service)) = line.price_key.as_deref().and_then(split) else {
            return Vec::new();
        };
        return vec![(region, service, line.count, line.monthly_usd)];
    }
    line.price_parts
        .iter()
        .filter_map(|p| {
            let (region, service) = split(&p.price_key)?;
            Some((
                region,
                service,
                p.count,
                p.list_monthly_usd * line.discount_multiplier,
            ))
        })
        .collect()
}

/// The baseline of a part's monthly counts (one per month of the term, 0 where the line is
/// absent): the lowest, or the nearest-rank percentile (the smallest count at least `p`% of
/// the months reach or stay below).
#[must_use]
pub fn baseline_of(counts: &[u64], baseline: Baseline) -> u64 {
    let mut sorted = counts.to_vec();
    sorted.sort_unstable();
    let Some(&lowest) = sorted.first() else {
        return 0;
    };
    match baseline {
        Baseline::LowestMonth => lowest,
        Baseline::Percentile(p) => {
            let rank = ((p / 100.0) * sorted.len() as f64).ceil() as usize;
            sorted[rank.clamp(1, sorted.len()) - 1]
        }
    }
}

/// Users planned for month `m` of the curve (each month is a plan of its own).
fn month_users(scenario: &Scenario, m: u32) -> u64 {
    let users = scenario.growth.users_at(f64::from(m)).unwrap_or(0.0);
    (users.round() as u64).max(1)
}

/// True when the curve reaches a phase's `users` within the term (months 0 to term - 1):
/// the phase's month is then inside the term and its reservation cannot be dropped.
fn within_term(scenario: &Scenario, term: Term, users: u64) -> bool {
    (0..term.months()).any(|m| month_users(scenario, m) >= users)
}

/// Per line part, its count in each month of the term.
fn term_counts(scenario: &Scenario, term: Term) -> Result<BTreeMap<PartKey, TermPart>, InputError> {
    let growth = &scenario.growth;
    if growth.users_at(0.0).is_none() {
        return Err(InputError::field(
            &scenario.file,
            "commitment.baseline",
            "a commitment's baseline comes from the months of its term: it needs a growth \
             curve (Exponential, Logistic or Milestones), not a Ladder of phases",
        ));
    }
    use rayon::prelude::*;
    let hours = scenario.spec.hours_per_month;
    let months: Vec<PhasePlan> = (0..term.months())
        .into_par_iter()
        .map(|m| {
            let users = month_users(scenario, m);
            super::build_phase_untraced(scenario, &format!("m{m}"), users, &mut Vec::new())
        })
        .collect::<Vec<_>>()
        .into_iter()
        .collect::<Result<_, _>>()?;
    let n = months.len();
    let mut out: BTreeMap<PartKey, TermPart> = BTreeMap::new();
    for (m, phase) in months.iter().enumerate() {
        for line in &phase.lines {
            for (region, service, count, net_usd) in parts(line) {
                let key = (
                    line.component.clone(),
                    line.item.clone(),
                    line.instance.clone().unwrap_or_default(),
                    region,
                );
                let part = out.entry(key).or_insert_with(|| TermPart {
                    service,
                    counts: vec![0; n],
                    net_hourly_usd: 0.0,
                });
                part.counts[m] += count;
                if part.net_hourly_usd == 0.0 && count > 0 {
                    part.net_hourly_usd = net_usd / (count as f64 * hours);
                }
            }
        }
    }
    Ok(out)
}

/// The reserved rate of a part, if the tables have one below its net on-demand rate.
fn reserved_rate(
    scenario: &Scenario,
    policy: (Term, Payment),
    (service, instance, region): (&str, &str, &str),
    count: u64,
    net_hourly: f64,
) -> Result<crate::pricing::reserved::Rate, String> {
    rate(
        &scenario.prices,
        service,
        instance,
        region,
        policy.0,
        policy.1,
    )
    .and_then(|r| {
        if count == 0 || r.effective_hourly_usd < net_hourly {
            Ok(r)
        } else {
            Err(format!(
                "its net on-demand rate ({net_hourly:.4} USD/h) in `{region}` is not above \
                 the reserved rate ({:.4} USD/h)",
                r.effective_hourly_usd
            ))
        }
    })
}

/// Reprices the phases' instance lines under `policy` and recomputes their totals; returns
/// the warnings naming the lines that stay on demand and the phases after the term, if any.
///
/// A phase within the term (the curve reaches its users before month `term`) pays the whole
/// reservation: the baseline of each part, idle where the phase runs fewer instances or
/// another shape. A phase after the term has no reservation (the model buys one term at
/// month 0 and does not renew it): its lines are on demand.
pub fn apply(
    scenario: &Scenario,
    policy: &CommitmentPolicy,
    phases: &mut [PhasePlan],
) -> Result<Vec<String>, InputError> {
    let term = term_of(scenario, policy)?;
    let (on_demand_only, after_term) =
        apply_within(scenario, policy, term, phases, &|_, users| {
            within_term(scenario, term, users)
        })?;
    let mut warnings = Vec::new();
    warnings.extend(on_demand_only_warning(policy, &on_demand_only));
    if !after_term.is_empty() {
        warnings.push(format!(
            "commitment {}: phases {} come after the term (the curve reaches their users after \
             month {}): no reservation, priced on demand as if it were not renewed",
            policy.term,
            after_term.join(", "),
            term.months() - 1
        ));
    }
    Ok(warnings)
}

/// Reprices the timeline's months (`months[i]` is month `i` of the curve) under `policy`: a
/// month within the term (months 0 to term - 1) pays the whole reservation, as a phase within
/// it does; a later month is on demand (the reservation is not renewed). Returns the warning
/// naming the lines that stay on demand, if any (the months after the term are the timeline's
/// own: no warning lists them).
pub fn apply_to_months(
    scenario: &Scenario,
    policy: &CommitmentPolicy,
    months: &mut [PhasePlan],
) -> Result<Option<String>, InputError> {
    let term = term_of(scenario, policy)?;
    let (on_demand_only, _) = apply_within(scenario, policy, term, months, &|m, _| {
        m < term.months() as usize
    })?;
    Ok(on_demand_only_warning(policy, &on_demand_only))
}

/// The policy's term, or the error naming `commitment.term`.
fn term_of(scenario: &Scenario, policy: &CommitmentPolicy) -> Result<Term, InputError> {
    Term::parse(&policy.term)
        .map_err(|e| InputError::field(&scenario.file, "commitment.term".to_string(), e))
}

/// The warning naming the lines with no reserved rate below on demand, if any.
fn on_demand_only_warning(policy: &CommitmentPolicy, lines: &[String]) -> Option<String> {
    (!lines.is_empty()).then(|| {
        format!(
            "commitment {} {}: no reserved rate below on demand, these lines stay on demand: {}",
            policy.term,
            policy.payment,
            lines.join(", ")
        )
    })
}

/// [`apply`] with the phases inside `term` decided by `inside(position, users)`; returns the
/// lines that stay on demand and the phases outside the term, by name.
fn apply_within(
    scenario: &Scenario,
    policy: &CommitmentPolicy,
    term: Term,
    phases: &mut [PhasePlan],
    inside: &dyn Fn(usize, u64) -> bool,
) -> Result<(Vec<String>, Vec<String>), InputError> {
    let payment = Payment::parse(&policy.payment)
        .map_err(|e| InputError::field(&scenario.file, "commitment.payment".to_string(), e))?;
    let months = term_counts(scenario, term)?;
    let hours = scenario.spec.hours_per_month;
    let mut on_demand_only: Vec<String> = Vec::new();
    let mut after_term: Vec<String> = Vec::new();
    for (position, phase) in phases.iter_mut().enumerate() {
        let inside = inside(position, phase.users);
        if !inside {
            after_term.push(phase.name.clone());
        }
        for line in &mut phase.lines {
            let line_parts = parts(line);
            if line_parts.is_empty() {
                continue;
            }
            let instance = line.instance.clone().unwrap_or_default();
            let mut c = LineCommitment {
                committed: 0,
                idle: 0,
                on_demand: 0,
                committed_monthly_usd: 0.0,
                on_demand_monthly_usd: 0.0,
                upfront_usd: 0.0,
                parts: Vec::new(),
                on_demand_only: Vec::new(),
            };
            let mut own_regions: Vec<String> = Vec::new();
            // Each own region's on-demand share, as the line's cost sums it, for the derivation.
            let mut on_demand_parts: Vec<OnDemandPart> = Vec::new();
            for (region, service, count, net_usd) in line_parts {
                own_regions.push(region.clone());
                if !inside {
                    c.on_demand += count;
                    c.on_demand_monthly_usd += net_usd;
                    continue;
                }
                let net_hourly = if count > 0 {
                    net_usd / (count as f64 * hours)
                } else {
                    0.0
                };
                let reserved = reserved_rate(
                    scenario,
                    (term, payment),
                    (&service, &instance, &region),
                    count,
                    net_hourly,
                );
                let r = match reserved {
                    Ok(r) => r,
                    Err(why) => {
                        c.on_demand += count;
                        c.on_demand_monthly_usd += net_usd;
                        on_demand_parts.push(OnDemandPart {
                            region: region.clone(),
                            net_usd,
                            count,
                            committed: 0,
                            usd: net_usd,
                        });
                        let name = format!("{}/{}", line.component, line.item);
                        if count > 0 && !on_demand_only.contains(&name) {
                            on_demand_only.push(name);
                        }
                        c.on_demand_only.push(why);
                        continue;
                    }
                };
                let key = (
                    line.component.clone(),
                    line.item.clone(),
                    instance.clone(),
                    region.clone(),
                );
                let baseline = months
                    .get(&key)
                    .map_or(0, |p| baseline_of(&p.counts, policy.baseline));
                let committed = baseline;
                let idle = committed.saturating_sub(count);
                let above = count.saturating_sub(committed);
                c.on_demand += above;
                let usd = if count > 0 {
                    net_usd * above as f64 / count as f64
                } else {
                    0.0
                };
                c.on_demand_monthly_usd += usd;
                on_demand_parts.push(OnDemandPart {
                    region: region.clone(),
                    net_usd,
                    count,
                    committed,
                    usd,
                });
                add_part(
                    &mut c,
                    r,
                    hours,
                    (region, instance.clone(), count, baseline),
                    idle,
                );
            }
            if inside {
                idle_shapes(
                    scenario,
                    (term, payment),
                    policy,
                    &months,
                    line,
                    &own_regions,
                    &mut c,
                );
            }
            c.committed_monthly_usd = round_cents(c.committed_monthly_usd);
            c.on_demand_monthly_usd = round_cents(c.on_demand_monthly_usd);
            c.upfront_usd = round_cents(c.upfront_usd);
            line.monthly_usd = round_cents(c.committed_monthly_usd + c.on_demand_monthly_usd);
            if c.idle > 0 {
                line.derivation.push(idle_step(&c));
            }
            if c.committed > 0 {
                line.derivation
                    .extend(cost_steps(&c, &on_demand_parts, line, hours));
            }
            line.commitment = Some(c);
        }
        retotal(phase);
    }
    Ok((on_demand_only, after_term))
}

/// Adds one reserved part (`(region, instance, count, baseline)`, `idle` of it not run) to
/// the line's commitment: the reservation costs its rate on every reserved instance.
fn add_part(
    c: &mut LineCommitment,
    r: crate::pricing::reserved::Rate,
    hours: f64,
    (region, instance, count, baseline): (String, String, u64, u64),
    idle: u64,
) {
    let committed = baseline;
    c.committed += committed;
    c.idle += idle;
    c.committed_monthly_usd += committed as f64 * r.effective_hourly_usd * hours;
    c.upfront_usd += committed as f64 * r.upfront_usd;
    c.parts.push(PartCommitment {
        region,
        instance,
        count,
        baseline,
        committed,
        idle,
        price_key: r.price_key,
        effective_hourly_usd: r.effective_hourly_usd,
        upfront_usd: r.upfront_usd,
    });
}

/// Reservations of the line's (component, item) on another shape or in a region the phase
/// does not run it in (the term's months ran them, this phase does not): all idle, all paid.
fn idle_shapes(
    scenario: &Scenario,
    policy_rate: (Term, Payment),
    policy: &CommitmentPolicy,
    months: &BTreeMap<PartKey, TermPart>,
    line: &Line,
    own_regions: &[String],
    c: &mut LineCommitment,
) {
    let hours = scenario.spec.hours_per_month;
    let instance = line.instance.as_deref().unwrap_or_default();
    for ((component, item, other, region), part) in months {
        if component != &line.component || item != &line.item {
            continue;
        }
        if other == instance && own_regions.contains(region) {
            continue;
        }
        let baseline = baseline_of(&part.counts, policy.baseline);
        if baseline == 0 {
            continue;
        }
        let Ok(r) = reserved_rate(
            scenario,
            policy_rate,
            (&part.service, other, region),
            1,
            part.net_hourly_usd,
        ) else {
            continue;
        };
        add_part(
            c,
            r,
            hours,
            (region.clone(), other.clone(), 0, baseline),
            baseline,
        );
    }
}

/// The derivation step naming a line's idle reserved instances.
fn idle_step(c: &LineCommitment) -> crate::trace::Step {
    let running: u64 = c.parts.iter().map(|p| p.committed - p.idle).sum();
    crate::trace::Step {
        name: "idle_reserved_instances".into(),
        formula: "committed - committed instances running (reserved for the term, paid idle)"
            .into(),
        inputs: vec![
            crate::trace::StepInput {
                name: "committed".into(),
                value: c.committed as f64,
                unit: "instances".into(),
            },
            crate::trace::StepInput {
                name: "running".into(),
                value: running as f64,
                unit: "instances".into(),
            },
        ],
        result: c.idle as f64,
        unit: "instances".into(),
    }
}

/// One region's instances above its reservation, at their net on-demand cost: `usd` is
/// `net_usd x max(0, count - committed) / count`, the share the line's cost adds up.
struct OnDemandPart {
    region: String,
    net_usd: f64,
    count: u64,
    committed: u64,
    usd: f64,
}

/// The derivation of a reserved line's monthly cost: each reservation's cost, each region's
/// instances above its reservation at their net on-demand cost, and the sum (the line's
/// `monthly_usd`, which its list cost and discount no longer give).
fn cost_steps(
    c: &LineCommitment,
    on_demand_parts: &[OnDemandPart],
    line: &Line,
    hours: f64,
) -> Vec<crate::trace::Step> {
    let mut t = crate::trace::Trace::new();
    let own_instance = line.instance.as_deref().unwrap_or_default();
    for part in &c.parts {
        let at = if part.instance == own_instance {
            part.region.clone()
        } else {
            format!("{} {}", part.region, part.instance)
        };
        t.step(
            &format!("committed_monthly_usd[{at}]"),
            &format!(
                "committed x effective_hourly_usd x hours_per_month (reserved rate {})",
                part.price_key
            ),
            &[
                ("committed", part.committed as f64, "instances"),
                (
                    "effective_hourly_usd",
                    part.effective_hourly_usd,
                    "USD/hour",
                ),
                ("hours_per_month", hours, "h"),
            ],
            part.committed as f64 * part.effective_hourly_usd * hours,
            "USD/month",
        );
    }
    for p in on_demand_parts {
        t.step(
            &format!("on_demand_monthly_usd[{}]", p.region),
            "net_monthly_usd x max(0, count - committed) / count (the instances above the \
             reservation, at the net on-demand cost)",
            &[
                ("net_monthly_usd", p.net_usd, "USD/month"),
                ("count", p.count as f64, "instances"),
                ("committed", p.committed as f64, "instances"),
            ],
            p.usd,
            "USD/month",
        );
    }
    t.step(
        "monthly_usd",
        "committed_monthly_usd + on_demand_monthly_usd (each summed over regions)",
        &[
            (
                "committed_monthly_usd",
                c.committed_monthly_usd,
                "USD/month",
            ),
            (
                "on_demand_monthly_usd",
                c.on_demand_monthly_usd,
                "USD/month",
            ),
        ],
        line.monthly_usd,
        "USD/month",
    );
    t.into_steps()
}

/// A phase's totals (and each component's) from its lines, as the phase was first totalled.
fn retotal(phase: &mut PhasePlan) {
    let monthly_usd = round_cents(phase.lines.iter().map(|l| l.monthly_usd).sum());
    phase.monthly_usd = monthly_usd;
    phase.per_user_usd = monthly_usd / phase.users as f64;
    phase.per_dau_usd = (phase.demand.dau > 0.0).then(|| monthly_usd / phase.demand.dau);
    let lines = &phase.lines;
    for ComponentTotal {
        component,
        monthly_usd,
        ..
    } in &mut phase.components
    {
        *monthly_usd = round_cents(
            lines
                .iter()
                .filter(|l| &l.component == component)
                .map(|l| l.monthly_usd)
                .sum(),
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn baselines_of_the_term_months() {
        let counts = [4, 6, 5, 9];
        assert_eq!(baseline_of(&counts, Baseline::LowestMonth), 4);
        // Sorted 4 5 6 9; P50: rank ceil(0.5 x 4) = 2 -> 5; P75: rank 3 -> 6; P0 -> 4.
        assert_eq!(baseline_of(&counts, Baseline::Percentile(50.0)), 5);
        assert_eq!(baseline_of(&counts, Baseline::Percentile(75.0)), 6);
        assert_eq!(baseline_of(&counts, Baseline::Percentile(0.0)), 4);
        assert_eq!(baseline_of(&counts, Baseline::Percentile(100.0)), 9);
        assert_eq!(baseline_of(&[], Baseline::LowestMonth), 0);
    }

    /// Under every term, payment and baseline, on saas-10b-auto (shapes change with scale,
    /// three regions): each covered line splits its count into committed (less the idle
    /// reserved instances) and on demand, a part's idle instances are what it reserves beyond
    /// what it runs, a line with no idle reservation costs no more than on demand (a part is
    /// only committed at a reserved rate below its net on-demand rate), and the phase totals
    /// are the sums of the repriced lines.
    #[test]
    fn every_policy_splits_counts_and_only_idle_reservations_cost_more_than_on_demand() {
        let path =
            std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios/saas-10b-auto.ron");
        let mut scenario = crate::input::load_scenario(&path).unwrap();
        let on_demand = crate::plan::build(&scenario).unwrap();
        for term in ["1y", "3y"] {
            for payment in ["no-upfront", "all-upfront"] {
                for baseline in [
                    Baseline::LowestMonth,
                    Baseline::Percentile(50.0),
                    Baseline::Percentile(100.0),
                ] {
                    scenario.spec.commitment = Some(CommitmentPolicy {
                        term: term.into(),
                        payment: payment.into(),
                        baseline,
                    });
                    let plan = crate::plan::build(&scenario).unwrap();
                    let mut any_committed = false;
                    for (before, after) in on_demand.phases.iter().zip(&plan.phases) {
                        for (b, a) in before.lines.iter().zip(&after.lines) {
                            let Some(c) = &a.commitment else {
                                assert_eq!(a.monthly_usd, b.monthly_usd);
                                continue;
                            };
                            assert_eq!(
                                c.committed - c.idle + c.on_demand,
                                a.count,
                                "{}/{}",
                                a.component,
                                a.item
                            );
                            assert!(c.parts.iter().all(|p| p.committed - p.idle <= p.count
                                && p.idle == p.committed.saturating_sub(p.count)));
                            // Idle reservations are paid: only a line without any can be
                            // sure to cost no more than on demand.
                            if c.idle == 0 {
                                assert!(
                                    a.monthly_usd <= b.monthly_usd + 0.02,
                                    "{term} {payment} {}/{}",
                                    a.component,
                                    a.item
                                );
                            }
                            any_committed |= c.committed > 0;
                        }
                        let sum: f64 = after.lines.iter().map(|l| l.monthly_usd).sum();
                        assert!((after.monthly_usd - sum).abs() < 0.01);
                    }
                    assert!(any_committed, "{term} {payment} {baseline:?}");
                }
            }
        }
    }
}
