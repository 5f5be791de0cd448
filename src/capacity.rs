//! `headroom capacity SCENARIO (--fleet FILE | --phase P)`: reverse sizing. How many users a
//! fleet can serve, which component and resource runs out first, the next ones after it, and
//! the month of the growth curve each runs out, with the month its work must start.
//!
//! Per component, the most users whose plan fits inside the fleet is searched for: doubling
//! from a user count that fits, then bisecting to the user. A plan fits when every line that
//! provisions instances (and a stateful component's `storage`) needs no more than the fleet
//! runs, in plan instances ([`crate::fleet::shape`]); needs are the derived counts (what
//! demand needs, before pins), sized without tracing. The search assumes a line's need never
//! falls as users grow (the sizing properties test that). A user count the scenario cannot
//! size (a count overflows) does not fit.
//!
//! The resource that runs out is the plan line's `binding` where the plan gives one; else it
//! is read from the line's derivations at the last user that fits and the first that does not:
//! the term of a `max(...)` step that grew and now sets that step's result
//! (`brokers_by_throughput`, `shards_by_writes`), else the first step that grew.

use serde::Serialize;

use crate::catalog::Catalog;
use crate::fleet::{Fleet, Ignored, shape};
use crate::input::growth::{MAX_USERS, month_label};
use crate::input::{Component, Scenario};
use crate::plan;
use crate::sizing::SizedLine;
use crate::trace::Step;

/// The version of the JSON form of a [`Capacity`].
pub const SCHEMA_VERSION: u32 = 1;

/// Runouts listed after the first.
pub const NEXT: usize = 3;

/// The last month of the growth curve searched for a runout (100 years).
pub const MAX_MONTHS: u32 = 1200;

/// The phase name components are sized under while searching: no phase's pins apply (`*`
/// pins still do, as in the timeline).
const SEARCH_PHASE: &str = "capacity";

/// When one component runs out.
#[derive(Debug, Clone, Serialize)]
pub struct Runout {
    pub component: String,
    pub kind: String,
    /// The most users the component's fleet serves.
    pub max_users: u64,
    /// It serves every user count headroom plans for (up to `MAX_USERS`).
    pub unbounded: bool,
    /// The line that runs out first one user past `max_users`.
    pub item: Option<String>,
    /// The resource that sets that line's count there.
    pub resource: Option<String>,
    /// What that line needs one user past `max_users`, and what the fleet has, in plan
    /// instances.
    pub need: Option<u64>,
    pub fleet: Option<f64>,
    /// The first month of the growth curve with more users (`null`: a ladder, or the curve
    /// never gets there within `MAX_MONTHS`).
    pub month: Option<u32>,
    pub label: Option<String>,
    /// Months of work before more of it is live (the component's `lead_time_months`, else its
    /// kind's default).
    pub lead_time_months: u32,
    /// `month` - lead time (negative: the work should already have started).
    pub start_work_month: Option<i64>,
    pub start_work_label: Option<String>,
}

/// The reverse sizing of a fleet.
#[derive(Debug, Clone, Serialize)]
pub struct Capacity {
    /// [`SCHEMA_VERSION`].
    pub schema_version: u32,
    pub scenario: String,
    /// The fleet file, or `phase P` for a phase's own plan.
    pub fleet: String,
    /// The most users the whole fleet serves: the first runout's.
    pub max_users: u64,
    /// Every judged component, first to run out first.
    pub runouts: Vec<Runout>,
    /// Components with instances the fleet does not mention (not judged).
    pub not_in_fleet: Vec<String>,
    pub ignored: Vec<Ignored>,
    /// Things a reader must know: a phase's own plan that does not serve its users (pinned
    /// counts below demand).
    pub warnings: Vec<String>,
}

impl Capacity {
    /// The component that runs out first.
    #[must_use]
    pub fn first(&self) -> Option<&Runout> {
        self.runouts.first()
    }

    /// The [`NEXT`] after it.
    #[must_use]
    pub fn next(&self) -> &[Runout] {
        self.runouts
            .get(1..)
            .map_or(&[], |r| &r[..r.len().min(NEXT)])
    }
}

/// The component's `lead_time_months`, else its kind's default (the timeline's rule).
fn lead_time_months(component: &Component) -> u32 {
    component.lead_time().months
}

/// Whether a line limits the users a fleet serves: it provisions instances.
fn limits(line: &SizedLine) -> bool {
    line.instance().is_some()
}

/// The fleet's count of a line in plan instances of `instance` (see [`shape`]).
fn fleet_equivalent(
    fleet: &Fleet,
    catalog: &Catalog,
    component: &str,
    line: &SizedLine,
) -> Option<f64> {
    let running = fleet.running(component, &line.item);
    if running.is_empty() {
        return None;
    }
    Some(
        running
            .iter()
            .map(|r| {
                let ratio = match (line.instance(), &r.instance) {
                    (Some(plan), Some(ran)) if plan != ran => {
                        shape::ratio(catalog, plan, ran, shape::sized_binding(line))
                            .map_or(1.0, |s| s.ratio)
                    }
                    _ => 1.0,
                };
                r.count as f64 * ratio
            })
            .sum(),
    )
}

/// The first line of component `index` whose need at `users` exceeds the fleet, with the
/// need and the fleet; `Ok(None)` when it fits. `Err` when the scenario cannot be sized there.
fn shortfall(
    scenario: &Scenario,
    fleet: &Fleet,
    index: usize,
    users: u64,
    traced: bool,
) -> Result<Option<(SizedLine, f64)>, ()> {
    let component = &scenario.spec.components[index];
    let sized = plan::size_phase(scenario, SEARCH_PHASE, users, traced, None).map_err(|_| ())?;
    let sizing = sized.sized.at(index).ok_or(())?;
    for line in sizing.lines.iter().filter(|l| limits(l)) {
        if let Some(have) = fleet_equivalent(fleet, &scenario.catalog, &component.name, line)
            && line.count as f64 > have + 1e-9
        {
            return Ok(Some((line.clone(), have)));
        }
    }
    Ok(None)
}

/// The most users component `index` serves with `fleet` (searching up from `start` when it
/// fits), or `None` when it serves `MAX_USERS`.
fn most_users(scenario: &Scenario, fleet: &Fleet, index: usize, start: u64) -> Option<u64> {
    let fits = |u: u64| matches!(shortfall(scenario, fleet, index, u, false), Ok(None));
    let mut lo = if start > 1 && fits(start) {
        start
    } else if fits(1) {
        1
    } else {
        return Some(0);
    };
    let mut hi = lo;
    loop {
        if hi >= MAX_USERS {
            return None;
        }
        hi = hi.saturating_mul(2).min(MAX_USERS);
        if !fits(hi) {
            break;
        }
        lo = hi;
    }
    while hi - lo > 1 {
        let mid = lo + (hi - lo) / 2;
        if fits(mid) {
            lo = mid;
        } else {
            hi = mid;
        }
    }
    Some(lo)
}

/// The resource that grew past the fleet between the derivation `before` (the last user that
/// fits) and `after` (see the module comment).
fn resource_from_trace(before: &[Step], after: &[Step]) -> Option<String> {
    let strip = |name: &str| {
        name.split_once("] ")
            .map_or(name.to_string(), |(_, n)| n.to_string())
    };
    let grew: Vec<(&Step, Option<&Step>)> = after
        .iter()
        .map(|s| (s, before.iter().find(|b| b.name == s.name)))
        .filter(|(s, b)| b.is_none_or(|b| b.result != s.result))
        .collect();
    for (step, was) in &grew {
        if !step.formula.starts_with("max(") {
            continue;
        }
        let setting = step.inputs.iter().find(|i| {
            let was_value = was
                .and_then(|b| b.inputs.iter().find(|x| x.name == i.name))
                .map(|x| x.value);
            (i.value - step.result).abs() < 1e-9 && was_value != Some(i.value)
        });
        if let Some(input) = setting {
            return Some(input.name.clone());
        }
    }
    grew.iter()
        .map(|(s, _)| s)
        .find(|s| !s.formula.starts_with("sum over"))
        .map(|s| strip(&s.name))
}

/// The resource whose need grew from the last user that fits (`before`) to one more (`past`),
/// the one needing the most among them: what ran out. A line's `binding` adds each resource
/// over regions, so where regions bind on different resources (one region by pods per node,
/// the others by one node per zone) the binding of the sum can name a resource that did not
/// move; the growth cannot.
fn resource_that_grew(before: Option<&SizedLine>, past: &SizedLine) -> Option<&'static str> {
    let (before, past) = (before?.binding?, past.binding?);
    past.by_resource()
        .filter(|&(resource, n)| {
            let had = before
                .by_resource()
                .find(|&(r, _)| r == resource)
                .map_or(0, |(_, n)| n);
            n > had
        })
        .max_by_key(|&(_, n)| n)
        .map(|(resource, _)| resource)
}

/// The first month the curve has more than `users`.
fn month_past(scenario: &Scenario, users: u64) -> Option<u32> {
    (0..=MAX_MONTHS).find(|&m| {
        scenario
            .growth
            .users_at(f64::from(m))
            .is_some_and(|u| u > users as f64)
    })
}

fn label(scenario: &Scenario, month: i64) -> String {
    match (scenario.growth.start(), u32::try_from(month)) {
        (Some(s), Ok(m)) => month_label(s, m).unwrap_or_else(|| format!("m{month}")),
        _ => format!("m{month}"),
    }
}

fn runout(scenario: &Scenario, fleet: &Fleet, index: usize, start: u64) -> Runout {
    let component = &scenario.spec.components[index];
    let most = most_users(scenario, fleet, index, start);
    let max_users = most.unwrap_or(MAX_USERS);
    let past = most.and_then(|m| {
        shortfall(scenario, fleet, index, m + 1, true)
            .ok()
            .flatten()
    });
    // The same line at the last user that fits, to see what grew.
    let before: Option<SizedLine> = match (most, &past) {
        (Some(m), Some((line, _))) if m > 0 => {
            plan::size_phase(scenario, SEARCH_PHASE, m, true, None)
                .ok()
                .and_then(|p| {
                    p.sized
                        .at(index)
                        .and_then(|s| s.lines.iter().find(|l| l.item == line.item).cloned())
                })
        }
        _ => None,
    };
    let lead = lead_time_months(component);
    let month = most.and_then(|m| month_past(scenario, m));
    let start_work = month.map(|m| i64::from(m) - i64::from(lead));
    Runout {
        component: component.name.clone(),
        kind: component.policy.kind().to_string(),
        max_users,
        unbounded: most.is_none(),
        item: past.as_ref().map(|(l, _)| l.item.to_string()),
        resource: past.as_ref().and_then(|(l, _)| {
            resource_that_grew(before.as_ref(), l)
                .or_else(|| shape::sized_binding(l))
                .map(str::to_string)
                .or_else(|| {
                    let steps = before.as_ref().map_or(&[][..], |b| &b.derivation[..]);
                    resource_from_trace(steps, &l.derivation)
                })
        }),
        need: past.as_ref().map(|(l, _)| l.count),
        fleet: past.as_ref().map(|(_, have)| *have),
        month,
        label: month.map(|m| label(scenario, i64::from(m))),
        lead_time_months: lead,
        start_work_month: start_work,
        start_work_label: start_work.map(|m| label(scenario, m)),
    }
}

/// Reverse-sizes `fleet` (named `fleet_name`); `start` is a user count the fleet is expected
/// to serve (a phase's), where the search begins. Components are searched in parallel and
/// listed by when they run out, then by name.
pub fn run(
    scenario: &Scenario,
    fleet: &Fleet,
    fleet_name: &str,
    start: u64,
) -> Result<Capacity, String> {
    use rayon::prelude::*;
    // Components the fleet has, with a line that limits users.
    let probe = plan::size_phase(scenario, SEARCH_PHASE, start.max(1), false, None)
        .map_err(|e| e.to_string())?;
    let mut judged = Vec::new();
    let mut not_in_fleet = Vec::new();
    for (index, c) in scenario.spec.components.iter().enumerate() {
        let lines: Vec<&SizedLine> = probe
            .sized
            .at(index)
            .map(|s| s.lines.iter().filter(|l| limits(l)).collect())
            .unwrap_or_default();
        if lines.is_empty() {
            continue;
        }
        if lines
            .iter()
            .any(|l| !fleet.running(&c.name, &l.item).is_empty())
        {
            judged.push(index);
        } else {
            not_in_fleet.push(c.name.clone());
        }
    }
    if judged.is_empty() {
        return Err(format!(
            "{fleet_name}: no component of scenario {} with instances is in the fleet",
            scenario.spec.name
        ));
    }
    let mut runouts: Vec<Runout> = judged
        .into_par_iter()
        .map(|index| runout(scenario, fleet, index, start))
        .collect();
    runouts.sort_by(|a, b| {
        a.max_users
            .cmp(&b.max_users)
            .then(a.component.cmp(&b.component))
    });
    let mut warnings = Vec::new();
    if let Some(phase) = &fleet.phase
        && runouts[0].max_users < start
    {
        warnings.push(format!(
            "the fleet of phase {phase} serves fewer users than the phase's {}: {}/{} is \
             provisioned below what demand needs there (a pinned count)",
            start,
            runouts[0].component,
            runouts[0].item.as_deref().unwrap_or("?")
        ));
    }
    Ok(Capacity {
        warnings,
        schema_version: SCHEMA_VERSION,
        scenario: scenario.spec.name.clone(),
        fleet: fleet_name.to_string(),
        max_users: runouts[0].max_users,
        runouts,
        not_in_fleet,
        ignored: fleet.ignored.clone(),
    })
}

/// A phase's own plan as a fleet: every line that provisions instances, at the count the
/// plan provisions and its instance type.
#[must_use]
pub fn phase_fleet(phase: &plan::PhasePlan) -> Fleet {
    let entries = phase
        .lines
        .iter()
        .filter(|l| l.instance.is_some())
        .map(|l| crate::fleet::FleetEntry {
            component: l.component.clone(),
            item: l.item.clone(),
            instance: l.instance.clone(),
            count: l.count,
            region: None,
            origin: format!("phase {} plan", phase.name),
        })
        .collect();
    Fleet {
        file: format!("phase {}", phase.name),
        format: "plan",
        phase: Some(phase.name.clone()),
        entries,
        ignored: Vec::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::trace::StepInput;

    fn step(name: &str, formula: &str, inputs: &[(&str, f64)], result: f64) -> Step {
        Step {
            name: name.into(),
            formula: formula.into(),
            inputs: inputs
                .iter()
                .map(|(n, v)| StepInput {
                    name: (*n).into(),
                    value: *v,
                    unit: String::new(),
                })
                .collect(),
            result,
            unit: String::new(),
        }
    }

    #[test]
    fn the_resource_is_the_max_term_that_grew_to_the_result() {
        let shards = |by_data: f64, by_writes: f64| {
            let result = by_data.max(by_writes).max(1.0);
            vec![
                step(
                    "[us] shards_needed",
                    "max(shards_by_data, shards_by_writes, min_shards)",
                    &[
                        ("shards_by_data", by_data),
                        ("shards_by_writes", by_writes),
                        ("min_shards", 1.0),
                    ],
                    result,
                ),
                step("primary", "sum over regions", &[], result),
            ]
        };
        // writes went from 4 to 5 shards and set the result; data stayed at 5 before and after
        // would be a tie, so data stays at 2
        assert_eq!(
            resource_from_trace(&shards(2.0, 4.0), &shards(2.0, 5.0)).as_deref(),
            Some("shards_by_writes")
        );
        // No max step grew: the first step that grew, without its region.
        let nodes = |pods: f64, nodes: f64| {
            vec![
                step("[us] pods", "ceil(peak_rps / rps_per_pod)", &[], pods),
                step(
                    "[us] nodes",
                    "ceil(pods / pods_per_node)",
                    &[("pods", pods)],
                    nodes,
                ),
            ]
        };
        assert_eq!(
            resource_from_trace(&nodes(12.0, 3.0), &nodes(13.0, 4.0)).as_deref(),
            Some("pods")
        );
    }
}
