//! The growth timeline: month by month, users from the growth curve, every component sized
//! and priced; the month each phase threshold is crossed; every change that needs work (a
//! reshard, a new cluster, a new instance shape) with the month its work must start (the
//! component's lead time, else its kind's default), and routine growth summarized per line;
//! the months above budget and the first year's cost.
//!
//! Each month is a plan phase of its own (`plan::build_phase_choosing`: the plan's own rule,
//! without derivations, each line priced for its costs only, or for its bill's region parts
//! under a commitment policy, which the months of its term pay as the plan's phases do), so
//! the timeline and the plan can never disagree on a number. Pins
//! that name a phase do not apply to months; `*` pins do. Shapes chosen per phase
//! (`instance: "auto"`, `instance_by_phase`) are the phase's: a month runs on the shapes of
//! the first phase whose users it has not yet passed (the last phase past them all), so a
//! shape changes only where a phase boundary is crossed, and each change is real work.

use serde::Serialize;

use crate::error::InputError;
use crate::input::Scenario;
use crate::input::growth::month_label;
use crate::input::kinds::LeadTimeSource;
use crate::plan;

/// Default length of a timeline, months.
pub const DEFAULT_MONTHS: u32 = 60;

/// Count units whose growth is a step of whole machines or key-space parts (not continuous
/// growth like GB or pods).
const STEP_UNITS: &[&str] = &["instances", "shards", "clusters", "partitions", "sentinels"];

/// What a step-up asks of the people running the component.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Change {
    /// More shards: the key space is split anew and data moves between databases.
    Reshard,
    /// More clusters: a cluster is split, or a new one stands up beside the others.
    NewCluster,
    /// A different instance shape: every node is replaced.
    ShapeChange,
}

impl Change {
    /// The change in words.
    #[must_use]
    pub fn name(self) -> &'static str {
        match self {
            Change::Reshard => "reshard",
            Change::NewCluster => "new cluster",
            Change::ShapeChange => "shape change",
        }
    }

    /// A growing count of `count_unit` that needs a project, if it does. More instances,
    /// replicas, sentinels or Kafka partitions are routine: each is one online operation
    /// (a partition is added with one command; no data moves).
    fn of_unit(count_unit: &str) -> Option<Change> {
        match count_unit {
            "shards" => Some(Change::Reshard),
            "clusters" => Some(Change::NewCluster),
            _ => None,
        }
    }
}

/// One line of one month.
#[derive(Debug, Clone, Serialize)]
pub struct MonthLine {
    pub component: String,
    pub kind: String,
    pub item: String,
    pub count: u64,
    pub count_unit: String,
    /// The instance shape, for lines of instances.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub instance: Option<String>,
    pub monthly_usd: f64,
}

/// One month.
#[derive(Debug, Clone, Serialize)]
pub struct Month {
    /// Months after the start.
    pub month: u32,
    /// `YYYY-MM` when the curve has a start, else `m<N>`.
    pub label: String,
    pub users: u64,
    pub dau: f64,
    pub peak_rps: f64,
    pub monthly_usd: f64,
    pub lines: Vec<MonthLine>,
}

/// When a phase's user count is first reached.
#[derive(Debug, Clone, Serialize)]
pub struct Threshold {
    pub phase: String,
    pub users: u64,
    /// `None` when the timeline never reaches it.
    pub month: Option<u32>,
    pub label: Option<String>,
}

/// A change that needs work (a reshard, a new cluster, a new shape), and when the work must
/// start.
#[derive(Debug, Clone, Serialize)]
pub struct StepUp {
    pub month: u32,
    pub label: String,
    pub component: String,
    /// The line that changes (`shards`); for a shape change, the component's first line of
    /// instances.
    pub item: String,
    pub change: Change,
    /// The count before and after (for a shape change, of `item`).
    pub from: u64,
    pub to: u64,
    /// The shapes before and after, for a shape change (`null` otherwise).
    pub from_instance: Option<String>,
    pub to_instance: Option<String>,
    pub lead_time_months: u32,
    /// `scenario` or `kind_default`.
    pub lead_time_source: LeadTimeSource,
    /// month - lead time (negative: the work should already have started).
    pub start_work_month: i64,
    pub start_work_label: String,
}

/// Routine growth of one line: more instances, replicas or sentinels, added without a project;
/// summarized, not listed month by month.
#[derive(Debug, Clone, Serialize)]
pub struct Routine {
    pub component: String,
    pub item: String,
    pub count_unit: String,
    /// Months in which the count grew.
    pub step_ups: usize,
    /// The count before the first and after the last.
    pub from: u64,
    pub to: u64,
    pub first_label: String,
    pub last_label: String,
}

/// A component's lead time as the timeline used it.
#[derive(Debug, Clone, Serialize)]
pub struct ComponentLeadTime {
    pub component: String,
    pub kind: String,
    pub lead_time_months: u32,
    pub source: LeadTimeSource,
}

/// A month above budget.
#[derive(Debug, Clone, Serialize)]
pub struct OverBudget {
    pub month: u32,
    pub label: String,
    pub monthly_usd: f64,
    pub budget_usd_per_month: f64,
    pub excess_usd: f64,
}

/// The whole timeline.
#[derive(Debug, Clone, Serialize)]
pub struct Timeline {
    pub scenario: String,
    pub hours_per_month: f64,
    pub start: Option<String>,
    pub months: Vec<Month>,
    pub thresholds: Vec<Threshold>,
    /// Changes that need work, in month order.
    pub step_ups: Vec<StepUp>,
    /// Routine growth per line, in scenario order.
    pub routine: Vec<Routine>,
    /// The step-ups of `routine`, all lines together.
    pub routine_step_ups: usize,
    /// Every component's lead time and its source.
    pub lead_times: Vec<ComponentLeadTime>,
    pub budget_usd_per_month: Option<f64>,
    pub over_budget: Vec<OverBudget>,
    /// The cost of the first year: the sum of the first `first_year_months` months (12, or
    /// every month of a shorter timeline).
    pub first_year_usd: f64,
    pub first_year_months: u32,
    pub warnings: Vec<String>,
}

/// Months in the first year's cost.
pub const FIRST_YEAR_MONTHS: usize = 12;

impl Timeline {
    /// The warning the plan and the timeline give when months are above the budget: how
    /// many, and the first.
    #[must_use]
    pub fn budget_warning(&self) -> Option<String> {
        use crate::units::usd_text;
        let first = self.over_budget.first()?;
        Some(format!(
            "timeline: {} of {} months are above the budget of {} per month, the first {} \
             ({}, +{})",
            self.over_budget.len(),
            self.months.len(),
            usd_text(first.budget_usd_per_month),
            first.label,
            usd_text(first.monthly_usd),
            usd_text(first.excess_usd)
        ))
    }
}

fn label(start: Option<&str>, month: i64) -> String {
    match (start, u32::try_from(month)) {
        (Some(s), Ok(m)) => month_label(s, m).unwrap_or_else(|| format!("m{month}")),
        _ => format!("m{month}"),
    }
}

/// The instance shape of every component in one growth phase, where it is chosen per phase:
/// the shape `instance: "auto"` chose for the phase at its users, or the phase's
/// `instance_by_phase` entry.
struct PhaseShapes {
    users: u64,
    /// By component position, the component with its instance set to the phase's shape
    /// (copied once per phase, not once per month); `None`: the component's own instance (or
    /// no instance).
    fixed: Vec<Option<crate::input::Component>>,
}

/// Each growth phase's shapes, in phase order: the plan's choices where the plan is at hand,
/// else chosen here the plan's way (untraced sizing at the phase's users with its pins).
fn phase_shapes(
    scenario: &Scenario,
    plan: Option<&plan::Plan>,
) -> Result<Vec<PhaseShapes>, InputError> {
    let components = &scenario.spec.components;
    let per_phase = |phase: &str| components.iter().any(|c| chosen_per_phase(c, phase));
    scenario
        .growth
        .phases()
        .iter()
        .map(|p| {
            if !per_phase(&p.name) {
                return Ok(PhaseShapes {
                    users: p.users,
                    fixed: vec![None; components.len()],
                });
            }
            let planned = plan.and_then(|plan| plan.phases.iter().find(|q| q.name == p.name));
            let chosen_here;
            let selections = match planned {
                Some(phase) => &phase.selections,
                None => {
                    chosen_here =
                        plan::size_phase(scenario, &p.name, p.users, false, None)?.selections;
                    &chosen_here
                }
            };
            let fixed = components
                .iter()
                .map(|c| {
                    let instance = c.policy.instance()?;
                    let shape = if crate::selection::wants_auto(c, &p.name).is_some() {
                        selections
                            .iter()
                            .find(|s| s.component == c.name)
                            .map(|s| s.chosen.instance.as_str())
                    } else {
                        instance
                            .by_phase
                            .and_then(|m| m.get(&p.name))
                            .map(String::as_str)
                    }?;
                    let mut fixed = c.clone();
                    crate::selection::set_instance(&mut fixed.policy, shape);
                    Some(fixed)
                })
                .collect();
            Ok(PhaseShapes {
                users: p.users,
                fixed,
            })
        })
        .collect()
}

/// True when `component`'s shape in `phase` is chosen for the phase (auto, or by phase).
fn chosen_per_phase(component: &crate::input::Component, phase: &str) -> bool {
    component.policy.instance().is_some_and(|i| {
        i.default == crate::input::scenario::AUTO
            || i.by_phase.is_some_and(|m| m.contains_key(phase))
    })
}

/// The phase a month of `users` falls in: the first phase it has not yet passed (the fleet
/// grows toward that phase's users, so its shapes carry every month on the way), else the
/// last one.
fn phase_of(phases: &[PhaseShapes], users: u64) -> Option<&PhaseShapes> {
    phases
        .iter()
        .find(|p| p.users >= users)
        .or_else(|| phases.last())
}

/// Month `m`'s plan, before commitments and support (both are priced over the months at
/// once, in [`build`]), with its warnings. `billed`: lines keep their bill's region parts (a
/// commitment policy reprices instance lines from them), else their costs alone.
fn month_plan(
    scenario: &Scenario,
    start: Option<&str>,
    m: u32,
    phases: &[PhaseShapes],
    billed: bool,
) -> Result<(plan::PhasePlan, Vec<String>), InputError> {
    let growth = &scenario.growth;
    let users_f = growth.users_at(f64::from(m)).unwrap_or(0.0);
    if !users_f.is_finite() || users_f > crate::input::growth::MAX_USERS as f64 {
        return Err(InputError::field(
            &scenario.file,
            "growth",
            format!(
                "the curve reaches {users_f:e} users at month {m}, beyond {:e}",
                crate::input::growth::MAX_USERS as f64
            ),
        ));
    }
    let users = (users_f.round() as u64).max(1);
    let name = label(start, i64::from(m));
    let mut warnings = Vec::new();
    let fixed = phase_of(phases, users).map(|p| p.fixed.as_slice());
    // Components whose shape is chosen per phase run on their phase's shape: sized directly
    // on it, not chosen again for the month (a month's shape would otherwise flip back and
    // forth between near-equal shapes, each flip a replacement of every node).
    let mut choose =
        |index: usize, _: &crate::input::Component, inputs: &crate::sizing::PhaseInputs<'_>| {
            let component = fixed?.get(index)?.as_ref()?;
            Some(crate::sizing::size_component(component, inputs))
        };
    let phase =
        plan::build_phase_choosing(scenario, &name, users, &mut warnings, &mut choose, billed)?;
    Ok((phase, warnings))
}

/// The timeline's month `m` from its priced plan (dropped: its lines' names move, not copied).
fn month_of(m: u32, phase: plan::PhasePlan) -> Month {
    Month {
        month: m,
        label: phase.name,
        users: phase.users,
        dau: phase.demand.dau,
        peak_rps: phase.demand.peak_rps,
        monthly_usd: phase.monthly_usd,
        lines: phase
            .lines
            .into_iter()
            .map(|l| MonthLine {
                component: l.component,
                kind: l.kind,
                item: l.item,
                count: l.count,
                count_unit: l.count_unit,
                instance: l.instance,
                monthly_usd: l.monthly_usd,
            })
            .collect(),
    }
}

/// `f` of months 0 to `months`, run in parallel (months are independent plans), in month
/// order; the first failing month in order is the error, not whichever thread failed first.
fn in_parallel<T: Send>(
    months: u32,
    f: impl Fn(u32) -> Result<(T, Vec<String>), InputError> + Sync + Send,
) -> Result<Vec<(T, Vec<String>)>, InputError> {
    use rayon::prelude::*;
    (0..=months)
        .into_par_iter()
        .map(f)
        .collect::<Vec<_>>()
        .into_iter()
        .collect()
}

/// Builds the timeline over `months` months (months 0..=months); `plan`, when given, is the
/// scenario's plan, whose per-phase shape choices the months reuse.
pub fn build(
    scenario: &Scenario,
    months: u32,
    plan: Option<&plan::Plan>,
) -> Result<Timeline, InputError> {
    let growth = &scenario.growth;
    let start = growth.start().map(str::to_string);
    if growth.users_at(0.0).is_none() {
        return Err(InputError::field(
            &scenario.file,
            "growth",
            "a timeline needs a growth curve (Exponential, Logistic or Milestones); this growth \
             model is a Ladder of phases with no time axis",
        ));
    }
    if months > 1200 {
        return Err(InputError::field(
            &scenario.file,
            "timeline_months",
            format!("{months} months is beyond 100 years"),
        ));
    }
    let phases = phase_shapes(scenario, plan)?;
    let support = plan::support::resolve(scenario)?;
    let from = start.as_deref();
    // Most warnings repeat every month: a set keeps one of each, sorted, as they come.
    let mut warnings = std::collections::BTreeSet::new();
    let out_months: Vec<Month> = match &scenario.spec.commitment {
        // Each month is finished where it is planned: its plan is dropped at once (the
        // support fee is a share of what the month pays).
        None => in_parallel(months, |m| {
            let (mut phase, mut w) = month_plan(scenario, from, m, &phases, false)?;
            plan::support::apply(&support, &mut phase, &mut w);
            Ok((month_of(m, phase), w))
        })?
        .into_iter()
        .map(|(month, w)| {
            warnings.extend(w);
            month
        })
        .collect(),
        // Priced as the plan prices its phases: the reservation bought at month 0 is paid in
        // the term's months (idle where a month runs fewer), over all months at once, then
        // the support fee on what each month pays.
        Some(policy) => {
            let built = in_parallel(months, |m| month_plan(scenario, from, m, &phases, true))?;
            let mut month_plans = Vec::with_capacity(built.len());
            for (phase, w) in built {
                warnings.extend(w);
                month_plans.push(phase);
            }
            warnings.extend(plan::commitment::apply_to_months(
                scenario,
                policy,
                &mut month_plans,
            )?);
            let mut support_warnings = Vec::new();
            let out = month_plans
                .into_iter()
                .zip(0..)
                .map(|(mut phase, m)| {
                    plan::support::apply(&support, &mut phase, &mut support_warnings);
                    month_of(m, phase)
                })
                .collect();
            warnings.extend(support_warnings);
            out
        }
    };
    let thresholds = growth
        .phases()
        .iter()
        .map(|p| {
            let hit = out_months.iter().find(|m| m.users >= p.users);
            Threshold {
                phase: p.name.clone(),
                users: p.users,
                month: hit.map(|m| m.month),
                label: hit.map(|m| m.label.clone()),
            }
        })
        .collect();
    let (step_ups, routine) = step_ups(scenario, &out_months, start.as_deref());
    let lead_times = scenario
        .spec
        .components
        .iter()
        .map(|c| {
            let lead = c.lead_time();
            ComponentLeadTime {
                component: c.name.clone(),
                kind: c.policy.kind().to_string(),
                lead_time_months: lead.months,
                source: lead.source,
            }
        })
        .collect();
    let budget = scenario.spec.budget_usd_per_month;
    let over_budget = budget
        .map(|b| {
            out_months
                .iter()
                .filter(|m| m.monthly_usd > b)
                .map(|m| OverBudget {
                    month: m.month,
                    label: m.label.clone(),
                    monthly_usd: m.monthly_usd,
                    budget_usd_per_month: b,
                    excess_usd: crate::units::round_cents(m.monthly_usd - b),
                })
                .collect()
        })
        .unwrap_or_default();
    let first_year = &out_months[..out_months.len().min(FIRST_YEAR_MONTHS)];
    let first_year_usd = crate::units::round_cents(first_year.iter().map(|m| m.monthly_usd).sum());
    let first_year_months = first_year.len() as u32;
    let mut timeline = Timeline {
        scenario: scenario.spec.name.clone(),
        hours_per_month: scenario.spec.hours_per_month,
        start,
        months: out_months,
        thresholds,
        step_ups,
        routine_step_ups: routine.iter().map(|r| r.step_ups).sum(),
        routine,
        lead_times,
        budget_usd_per_month: budget,
        over_budget,
        first_year_usd,
        first_year_months,
        warnings: warnings.into_iter().collect(),
    };
    if let Some(w) = timeline.budget_warning() {
        timeline.warnings.push(w);
    }
    Ok(timeline)
}

/// Every month's changes against the month before: the ones that need work (listed, with the
/// month the work must start) and routine growth (summarized per line).
fn step_ups(
    scenario: &Scenario,
    months: &[Month],
    start: Option<&str>,
) -> (Vec<StepUp>, Vec<Routine>) {
    let mut work = Vec::new();
    let mut routine: Vec<Routine> = Vec::new();
    for pair in months.windows(2) {
        let (prev, cur) = (&pair[0], &pair[1]);
        let mut reshaped: Vec<&str> = Vec::new();
        for (a, b) in prev.lines.iter().zip(&cur.lines) {
            let Some(component) = scenario
                .spec
                .components
                .iter()
                .find(|c| c.name == b.component)
            else {
                continue;
            };
            let lead = component.lead_time();
            let start_work = i64::from(cur.month) - i64::from(lead.months);
            let step = |change: Change| StepUp {
                month: cur.month,
                label: cur.label.clone(),
                component: b.component.clone(),
                item: b.item.clone(),
                change,
                from: a.count,
                to: b.count,
                from_instance: None,
                to_instance: None,
                lead_time_months: lead.months,
                lead_time_source: lead.source,
                start_work_month: start_work,
                start_work_label: label(start, start_work),
            };
            // A new shape replaces every node of the component: one change, named once.
            if let (Some(x), Some(y)) = (&a.instance, &b.instance)
                && x != y
                && b.count > 0
                && !reshaped.contains(&b.component.as_str())
            {
                reshaped.push(&b.component);
                work.push(StepUp {
                    from_instance: Some(x.clone()),
                    to_instance: Some(y.clone()),
                    ..step(Change::ShapeChange)
                });
            }
            if b.count <= a.count || !STEP_UNITS.contains(&b.count_unit.as_str()) {
                continue;
            }
            if let Some(change) = Change::of_unit(&b.count_unit) {
                work.push(step(change));
                continue;
            }
            match routine
                .iter_mut()
                .find(|r| r.component == b.component && r.item == b.item)
            {
                Some(r) => {
                    r.step_ups += 1;
                    r.to = b.count;
                    r.last_label.clone_from(&cur.label);
                }
                None => routine.push(Routine {
                    component: b.component.clone(),
                    item: b.item.clone(),
                    count_unit: b.count_unit.clone(),
                    step_ups: 1,
                    from: a.count,
                    to: b.count,
                    first_label: cur.label.clone(),
                    last_label: cur.label.clone(),
                }),
            }
        }
    }
    // Scenario order (each month's lines are in it), whatever month a line first grew in.
    let order = |component: &str, item: &str| {
        months.first().and_then(|m| {
            m.lines
                .iter()
                .position(|l| l.component == component && l.item == item)
        })
    };
    routine.sort_by_key(|r| order(&r.component, &r.item));
    (work, routine)
}
