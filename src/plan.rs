//! The plan: every phase's demand, every component's lines, priced, with derivations.
//!
//! This is the one place numbers are computed; renderers only read a [`Plan`]. Its JSON form
//! (`plan.json`) is a contract other tools read: fields may be added, never renamed.

use std::collections::BTreeMap;

use serde::Serialize;

use crate::costing::{self, Bill, Discount, PriceGivenBy};
use crate::demand::{self, Demand};
use crate::error::InputError;
use crate::input::{Component, Scenario, Workload};
use crate::pricing::{PriceUnit, TierCharge};
use crate::sizing::{self, ComponentSizing, Measure, PhaseInputs, SizedComponents, SizedLine};
use crate::trace::{Step, Trace};
use crate::units::round_cents;

pub mod commitment;
pub mod support;

/// A whole plan.
#[derive(Debug, Clone, Serialize)]
pub struct Plan {
    /// Scenario name.
    pub scenario: String,
    /// Whose prices: the scenario's provider, or the one `--provider` chose.
    pub provider: String,
    /// The scenario's own provider when `--provider` re-priced it on another's tables.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub repriced_from: Option<String>,
    /// Output folder name: the scenario name, suffixed with the provider when re-priced.
    pub output_name: String,
    pub description: String,
    /// The design doc the scenario reproduces.
    pub source: Option<String>,
    /// The tool and version that computed the plan.
    pub generated_by: String,
    pub hours_per_month: f64,
    pub currency: &'static str,
    pub pricing: PlanPricing,
    pub regions: Vec<PlanRegion>,
    /// The workload after overrides.
    pub workload: Workload,
    pub inputs: PlanInputs,
    pub assumptions: Vec<String>,
    pub phases: Vec<PhasePlan>,
    /// Things a reader must know: uncertain prices, pinned counts below demand, unpriced
    /// lines, phases (and timeline months) above the budget.
    pub warnings: Vec<String>,
    /// The scenario's `budget_usd_per_month`, when it sets one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub budget_usd_per_month: Option<f64>,
    /// Monte Carlo results (`plan --draws N`): percentiles, least-regret choice, tornado.
    /// Absent when the plan was computed for one set of inputs.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub uncertainty: Option<crate::uncertainty::summary::Uncertainty>,
}

impl Plan {
    /// The scenario's name, and whose prices when `--provider` re-priced it
    /// (`saas-10b, priced on gcp (re-priced from aws)`): the description may name the
    /// scenario's own provider's prices.
    #[must_use]
    pub fn title(&self) -> String {
        match &self.repriced_from {
            Some(from) => format!(
                "{}, priced on {} (re-priced from {from})",
                self.scenario, self.provider
            ),
            None => self.scenario.clone(),
        }
    }
}

/// Which prices the plan used.
#[derive(Debug, Clone, Serialize)]
pub struct PlanPricing {
    pub provider: String,
    pub region: String,
    pub cdn_geography: String,
    pub tables: String,
}

/// A region and its user share.
#[derive(Debug, Clone, Serialize)]
pub struct PlanRegion {
    pub name: String,
    pub user_share: f64,
}

/// Where the inputs came from.
#[derive(Debug, Clone, Serialize)]
pub struct PlanInputs {
    pub scenario_file: String,
    pub growth: String,
    pub workload: String,
    pub catalog: Option<String>,
}

/// One phase of the plan.
#[derive(Debug, Clone, Serialize)]
pub struct PhasePlan {
    pub name: String,
    pub users: u64,
    pub demand: Demand,
    /// How each demand figure was derived.
    pub demand_derivation: Vec<Step>,
    pub lines: Vec<Line>,
    /// Total at list prices.
    pub list_monthly_usd: f64,
    /// Total after discounts.
    pub monthly_usd: f64,
    pub per_user_usd: f64,
    /// `null` when the phase has no daily active users.
    pub per_dau_usd: Option<f64>,
    /// Lines with no price on this provider (`component/item`); the totals exclude them.
    pub unpriced: Vec<String>,
    /// Net monthly cost per component, in scenario order.
    pub components: Vec<ComponentTotal>,
    /// Instance choices of `instance: "auto"` components: winner, runners-up, rejected shapes.
    pub selections: Vec<crate::selection::Selection>,
}

/// A component's total in a phase.
#[derive(Debug, Clone, Serialize)]
pub struct ComponentTotal {
    pub component: String,
    pub kind: String,
    pub monthly_usd: f64,
}

/// One priced line.
#[derive(Debug, Clone, Serialize)]
pub struct Line {
    pub component: String,
    /// The component's kind (`Postgres`, `Redis`...).
    pub kind: String,
    pub item: String,
    /// The count the plan provisions (the pinned count where the scenario pins one).
    pub count: u64,
    /// What the count counts (`instances`, `GB`, `pods`).
    pub count_unit: String,
    /// Billing unit of `unit_price_usd` (`hour`, `gb-month`...); the count unit when not billed.
    pub unit: String,
    /// Billed quantity per month in `unit`.
    pub quantity: f64,
    pub unit_price_usd: f64,
    pub list_monthly_usd: f64,
    pub discount: Option<String>,
    /// Net / list.
    pub discount_multiplier: f64,
    pub monthly_usd: f64,
    /// True when `count` is the scenario's pinned figure.
    pub pinned: bool,
    /// What demand needs under the policy.
    pub derived_count: u64,
    /// The resource that set the count (`cpu`, `memory`, `iops`, `service-limit`...), or
    /// `pinned` where the scenario pins it; absent where the count is no max over resources.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub binding: Option<String>,
    /// The count each resource alone would need (before pins, rounding and per-cluster
    /// minimums).
    pub by_resource: BTreeMap<String, u64>,
    /// A limit the count must stay within (server connections per primary against its
    /// `max_connections`); absent where none applies.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub limit: Option<u64>,
    pub instance: Option<String>,
    pub billed: bool,
    /// `table`, `scenario`, `not billed` or `unpriced`.
    pub price_given_by: PriceGivenBy,
    pub price_source: String,
    pub price_as_of: String,
    pub price_confidence: String,
    /// The key of the price that billed the line; where regions (or CDN geographies) bill
    /// at their own prices, every part's key, comma-separated, in `price_parts` order.
    pub price_key: Option<String>,
    /// Each region's (or CDN geography's) part of the bill where they bill at different keys:
    /// its count, price key, quantity and list cost; empty when one key bills the line.
    pub price_parts: Vec<costing::PartBill>,
    /// Per-band charges of tiered prices.
    pub tiers: Vec<TierCharge>,
    /// The count per region (the pinned count spread in proportion where pinned).
    pub regions: BTreeMap<String, u64>,
    pub derivation: Vec<Step>,
    /// Reserved and on-demand parts of an instance line under the scenario's commitment
    /// policy; absent without one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub commitment: Option<commitment::LineCommitment>,
}

/// Builds the plan of a loaded scenario.
pub fn build(scenario: &Scenario) -> Result<Plan, InputError> {
    build_planned(scenario, None)
}

/// Builds the plan with `planned` counts (a percentile of the draws) where given.
pub fn build_planned(
    scenario: &Scenario,
    planned: Option<&PlannedCounts>,
) -> Result<Plan, InputError> {
    let spec = &scenario.spec;
    // Phases are independent: plan them in parallel, then merge in phase order, so the thread
    // count never changes a byte of the result.
    use rayon::prelude::*;
    let built: Vec<(PhasePlan, Vec<String>)> = scenario
        .growth
        .phases()
        .par_iter()
        .map(|phase| {
            let mut w = Vec::new();
            build_phase_planned(scenario, &phase.name, phase.users, &mut w, planned).map(|p| (p, w))
        })
        .collect::<Vec<_>>()
        // The first failing phase in phase order, not whichever thread failed first.
        .into_iter()
        .collect::<Result<_, _>>()?;
    // The scenario's own risks first (a database with no standby...), then each phase's.
    let mut warnings: Vec<String> = scenario.risks();
    warnings.extend(crate::input::regions::warnings(spec));
    let mut phases = Vec::with_capacity(built.len());
    for (phase, phase_warnings) in built {
        for w in phase_warnings {
            if !warnings.contains(&w) {
                warnings.push(w);
            }
        }
        phases.push(phase);
    }
    if let Some(policy) = &spec.commitment {
        warnings.extend(commitment::apply(scenario, policy, &mut phases)?);
    }
    // The support fee is a share of what each phase pays: priced last.
    let support_plan = support::resolve(scenario)?;
    for phase in &mut phases {
        support::apply(&support_plan, phase, &mut warnings);
    }
    if let Some(budget) = spec.budget_usd_per_month {
        warnings.extend(phases.iter().filter_map(|p| over_budget(p, budget)));
    }
    Ok(Plan {
        scenario: spec.name.clone(),
        provider: spec.pricing.provider.clone(),
        repriced_from: scenario.repriced_from.clone(),
        output_name: match &scenario.repriced_from {
            Some(_) => format!("{}-{}", spec.name, spec.pricing.provider),
            None => spec.name.clone(),
        },
        description: spec.description.clone(),
        source: spec.source.clone(),
        generated_by: format!("headroom {}", env!("CARGO_PKG_VERSION")),
        hours_per_month: spec.hours_per_month,
        currency: "USD",
        pricing: PlanPricing {
            provider: spec.pricing.provider.clone(),
            region: spec.pricing.region.clone(),
            cdn_geography: spec.pricing.cdn_geography.clone(),
            tables: scenario.prices.dir.display().to_string(),
        },
        regions: spec
            .regions
            .iter()
            .map(|r| PlanRegion {
                name: r.name.clone(),
                user_share: r.user_share,
            })
            .collect(),
        workload: scenario.workload.clone(),
        inputs: PlanInputs {
            scenario_file: scenario.file.display().to_string(),
            growth: scenario.growth_origin.clone(),
            workload: scenario.workload_origin.clone(),
            catalog: scenario.catalog_origin.clone(),
        },
        assumptions: spec.assumptions.clone(),
        phases,
        warnings,
        budget_usd_per_month: spec.budget_usd_per_month,
        uncertainty: None,
    })
}

/// The warning of a phase whose monthly cost is above the budget, if it is.
fn over_budget(phase: &PhasePlan, budget_usd_per_month: f64) -> Option<String> {
    use crate::units::usd_text;
    (phase.monthly_usd > budget_usd_per_month).then(|| {
        format!(
            "phase {}: {} per month is above the budget of {} per month (+{})",
            phase.name,
            usd_text(phase.monthly_usd),
            usd_text(budget_usd_per_month),
            usd_text(phase.monthly_usd - budget_usd_per_month)
        )
    })
}

fn component_error(
    scenario: &Scenario,
    index: usize,
    component: &Component,
    message: &str,
) -> InputError {
    InputError::field(
        &scenario.file,
        format!("components[{index}]"),
        format!("`{}`: {message}", component.name),
    )
}

/// Counts a plan provisions instead of the derived ones (`plan --plan-at P90`): per phase,
/// per (component, item), with the reason shown in the derivation.
#[derive(Debug, Clone, Default)]
pub struct PlannedCounts {
    /// Phase name -> (component, item) -> count.
    pub counts: BTreeMap<String, BTreeMap<(String, String), u64>>,
    /// Why, for the derivation (`P90 of 10,000 draws`).
    pub reason: String,
}

impl PlannedCounts {
    fn get(&self, phase: &str, component: &str, item: &str) -> Option<u64> {
        self.counts
            .get(phase)?
            .get(&(component.to_string(), item.to_string()))
            .copied()
    }
}

/// A phase's demand and every component sized (pins applied), before pricing.
pub struct SizedPhase {
    pub demand: Demand,
    pub demand_trace: Trace,
    /// Every component's sizing, by its position in the scenario.
    pub sized: SizedComponents,
    pub selections: Vec<crate::selection::Selection>,
}

/// Derives a phase's demand and sizes every component, in dependency order. Pinned (and
/// planned) counts replace derived ones before later components read them. `traced: false`
/// skips every derivation (Monte Carlo draws).
pub fn size_phase(
    scenario: &Scenario,
    phase: &str,
    users: u64,
    traced: bool,
    planned: Option<&PlannedCounts>,
) -> Result<SizedPhase, InputError> {
    size_phase_choosing(scenario, phase, users, traced, planned, &mut |_, _, _| None)
}

/// Sizes one component in place of the plan's own rule: `Some` replaces it (Monte Carlo draws
/// choosing an `auto` component's shape among the point plan's best), `None` keeps it. Gets
/// the component's position, the component and the phase's inputs so far.
pub type Chooser<'c> =
    dyn FnMut(usize, &Component, &PhaseInputs<'_>) -> Option<Result<ComponentSizing, String>> + 'c;

/// [`size_phase`] with `choose` given the first word on each component's sizing.
pub fn size_phase_choosing(
    scenario: &Scenario,
    phase: &str,
    users: u64,
    traced: bool,
    planned: Option<&PlannedCounts>,
    choose: &mut Chooser<'_>,
) -> Result<SizedPhase, InputError> {
    let spec = &scenario.spec;
    let trace = if traced {
        Trace::new()
    } else {
        Trace::disabled()
    };
    let (demand, demand_trace) = demand::derive_into(
        &scenario.workload,
        users as f64,
        spec.hours_per_month,
        trace,
    );
    let mut sized = SizedComponents::with_capacity(spec.components.len());
    let mut selections = Vec::new();
    for index in sizing::sizing_order(&spec.components) {
        let component = &spec.components[index];
        let inputs = PhaseInputs {
            scenario,
            phase,
            demand: &demand,
            sized: &sized,
            traced,
            // Per-region counts that something reads: all of them in a traced plan, else
            // only the database and app tiers a pooler sizes from.
            keep_regions: traced || read_by_pooler(&spec.components, &component.name),
        };
        let chosen = choose(index, component, &inputs)
            .transpose()
            .map_err(|m| component_error(scenario, index, component, &m))?;
        let mut sizing = match (chosen, crate::selection::wants_auto(component, phase)) {
            (Some(sizing), _) => sizing,
            (None, Some(auto)) => {
                let (sizing, selection) = crate::selection::select(component, &auto, &inputs)
                    .map_err(|m| component_error(scenario, index, component, &m))?;
                selections.push(selection);
                sizing
            }
            (None, None) => sizing::size_component(component, &inputs)
                .map_err(|m| component_error(scenario, index, component, &m))?,
        };
        // Components sized later (poolers need shards and pods) see the provisioned counts.
        for i in 0..sizing.lines.len() {
            let item = &sizing.lines[i].item;
            let provisioned = pin_for(component, phase, item)
                .or_else(|| planned.and_then(|p| p.get(phase, &component.name, item)));
            if let Some(count) = provisioned {
                let item = item.clone();
                sizing.apply_pin(&item, count);
            }
        }
        sized.insert(index, &component.name, sizing);
    }
    Ok(SizedPhase {
        demand,
        demand_trace,
        sized,
        selections,
    })
}

/// True when a component (a pooler) sizes itself from `name`'s per-region counts.
fn read_by_pooler(components: &[Component], name: &str) -> bool {
    components
        .iter()
        .any(|c| c.policy.references().iter().any(|r| r.component == name))
}

/// Builds one phase: demand for `users`, every component sized and priced. Pins apply where
/// the scenario pins `phase` (or `*`).
pub fn build_phase(
    scenario: &Scenario,
    phase: &str,
    users: u64,
    warnings: &mut Vec<String>,
) -> Result<PhasePlan, InputError> {
    build_phase_planned(scenario, phase, users, warnings, None)
}

/// [`build_phase`] without derivations: the same counts and costs, no derivation steps (the
/// timeline's months, which show only counts and costs; recording derivations is most of a
/// phase's time).
pub fn build_phase_untraced(
    scenario: &Scenario,
    phase: &str,
    users: u64,
    warnings: &mut Vec<String>,
) -> Result<PhasePlan, InputError> {
    build_phase_traced(
        scenario,
        phase,
        users,
        warnings,
        None,
        (false, PriceDetail::Bill),
        &mut |_, _, _| None,
    )
}

/// [`build_phase_untraced`] with `choose` given the first word on each component's sizing
/// (the timeline's months, sized on the shapes chosen for the phase they fall in), its lines
/// priced for their costs only ([`PriceDetail::Costs`]) unless `billed`: the months keep each
/// line's count and cost, not its bill. A commitment policy reprices instance lines from their
/// bill's region parts, so the months of a scenario with one are built `billed`.
pub fn build_phase_choosing(
    scenario: &Scenario,
    phase: &str,
    users: u64,
    warnings: &mut Vec<String>,
    choose: &mut Chooser<'_>,
    billed: bool,
) -> Result<PhasePlan, InputError> {
    let detail = if billed {
        PriceDetail::Bill
    } else {
        PriceDetail::Costs
    };
    build_phase_traced(
        scenario,
        phase,
        users,
        warnings,
        None,
        (false, detail),
        choose,
    )
}

/// [`build_phase`] with counts planned at a percentile replacing the derived ones.
pub fn build_phase_planned(
    scenario: &Scenario,
    phase: &str,
    users: u64,
    warnings: &mut Vec<String>,
    planned: Option<&PlannedCounts>,
) -> Result<PhasePlan, InputError> {
    build_phase_traced(
        scenario,
        phase,
        users,
        warnings,
        planned,
        (true, PriceDetail::Bill),
        &mut |_, _, _| None,
    )
}

fn build_phase_traced(
    scenario: &Scenario,
    phase: &str,
    users: u64,
    warnings: &mut Vec<String>,
    planned: Option<&PlannedCounts>,
    (traced, detail): (bool, PriceDetail),
    choose: &mut Chooser<'_>,
) -> Result<PhasePlan, InputError> {
    let spec = &scenario.spec;
    let SizedPhase {
        demand,
        demand_trace,
        mut sized,
        selections,
    } = size_phase_choosing(scenario, phase, users, traced, planned, choose)?;
    // Room for every line at once: a priced line is large, and a growing vector moves them all.
    let line_count = (0..spec.components.len())
        .filter_map(|i| sized.at(i))
        .map(|s| s.lines.len())
        .sum();
    let mut lines = Vec::with_capacity(line_count);
    let mut components = Vec::new();
    for (index, component) in spec.components.iter().enumerate() {
        let sizing = sized.take(index).expect("every component is sized");
        check_pins(scenario, index, component, &sizing)?;
        let at = ComponentInPhase {
            scenario,
            index,
            component,
            phase,
            planned,
            traced,
            detail,
        };
        let mut component_usd = 0.0;
        for (position, sized_line) in sizing.lines.into_iter().enumerate() {
            let mut line = price_line(&at, sized_line, warnings)?;
            // A cost-only line keeps no split over regions either.
            if detail == PriceDetail::Bill {
                line.regions = sizing
                    .per_region
                    .iter()
                    .map(|(r, counts)| (r.to_string(), counts[position]))
                    .collect();
            }
            component_usd += line.monthly_usd;
            lines.push(line);
        }
        components.push(ComponentTotal {
            component: component.name.clone(),
            kind: component.policy.kind().to_string(),
            monthly_usd: round_cents(component_usd),
        });
    }
    let unpriced: Vec<String> = lines
        .iter()
        .filter(|l| l.price_given_by == PriceGivenBy::Unpriced && l.count > 0)
        .map(|l| format!("{}/{}", l.component, l.item))
        .collect();
    let list_monthly_usd = round_cents(lines.iter().map(|l| l.list_monthly_usd).sum());
    let monthly_usd = round_cents(lines.iter().map(|l| l.monthly_usd).sum());
    Ok(PhasePlan {
        name: phase.to_string(),
        users,
        demand,
        demand_derivation: demand_trace.into_steps(),
        lines,
        list_monthly_usd,
        monthly_usd,
        per_user_usd: monthly_usd / users as f64,
        per_dau_usd: (demand.dau > 0.0).then(|| monthly_usd / demand.dau),
        unpriced,
        components,
        selections,
    })
}

pub(crate) fn pin_for(component: &Component, phase: &str, item: &str) -> Option<u64> {
    component
        .pinned
        .get(phase)
        .and_then(|items| items.get(item))
        .or_else(|| component.pinned.get("*").and_then(|items| items.get(item)))
        .copied()
}

fn check_pins(
    scenario: &Scenario,
    index: usize,
    component: &Component,
    sizing: &ComponentSizing,
) -> Result<(), InputError> {
    for (phase, items) in &component.pinned {
        for item in items.keys() {
            if !sizing.lines.iter().any(|l| l.item == *item) {
                let known: Vec<&str> = sizing.lines.iter().map(|l| l.item.as_str()).collect();
                return Err(InputError::field(
                    &scenario.file,
                    format!("components[{index}].pinned.{phase}.{item}"),
                    format!(
                        "`{}` has no line `{item}`{}; its lines: {}",
                        component.name,
                        crate::error::did_you_mean(item, known.iter().copied()),
                        known.join(", ")
                    ),
                ));
            }
        }
    }
    for item in component.prices.keys() {
        if !sizing.lines.iter().any(|l| l.item == *item) {
            let known: Vec<&str> = sizing.lines.iter().map(|l| l.item.as_str()).collect();
            return Err(InputError::field(
                &scenario.file,
                format!("components[{index}].prices.{item}"),
                format!(
                    "`{}` has no line `{item}`{}; its lines: {}",
                    component.name,
                    crate::error::did_you_mean(item, known.iter().copied()),
                    known.join(", ")
                ),
            ));
        }
    }
    Ok(())
}

/// A component in a phase, as its lines are priced.
struct ComponentInPhase<'a> {
    scenario: &'a Scenario,
    /// The component's position in the scenario (error messages point at it).
    index: usize,
    component: &'a Component,
    phase: &'a str,
    planned: Option<&'a PlannedCounts>,
    /// Whether lines carry their derivations (untraced: the timeline's and commitments'
    /// months, which read only counts and costs).
    traced: bool,
    detail: PriceDetail,
}

/// How much of a line's price a phase keeps.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum PriceDetail {
    /// The bill: unit, quantity, unit price, tiers, parts and where each price came from.
    Bill,
    /// The list and net costs alone, the same figures (the timeline's months, which keep each
    /// line's count and cost): the prices are looked up, their records are not copied into
    /// the line. Its unit and quantity are the count's (as an unbilled line's), its unit
    /// price, price source, key, parts, tiers and split over regions are empty, and so are
    /// `binding` and `by_resource`.
    Costs,
}

impl<'a> ComponentInPhase<'a> {
    fn error(&self, message: &str) -> InputError {
        component_error(self.scenario, self.index, self.component, message)
    }

    /// The count `sized` provisions here: the scenario's pin, else the planned percentile,
    /// else what demand needs.
    fn provision(&self, sized: &SizedLine) -> Provision<'a> {
        let pinned = pin_for(self.component, self.phase, &sized.item);
        let planned = self.planned.filter(|_| pinned.is_none()).and_then(|p| {
            p.get(self.phase, &self.component.name, &sized.item)
                .map(|c| (c, p))
        });
        Provision {
            count: pinned.or(planned.map(|(c, _)| c)).unwrap_or(sized.count),
            pinned,
            planned,
        }
    }
}

/// The count a line provisions and where it comes from.
struct Provision<'a> {
    count: u64,
    /// The scenario's pinned count.
    pinned: Option<u64>,
    /// The count planned at a percentile of the draws, and why.
    planned: Option<(u64, &'a PlannedCounts)>,
}

/// Why a line has no bill: what `price_given_by`, `price_source` and `price_key` say.
struct Unbilled {
    given_by: PriceGivenBy,
    source: String,
    key: Option<String>,
}

/// A line's bill, or why it has none on this provider.
enum Billed {
    Bill(Bill),
    /// The list monthly cost alone ([`PriceDetail::Costs`]).
    ListCost(f64),
    Unpriced(Unbilled),
}

/// Adds `warning` unless the plan already says it.
fn warn_once(warnings: &mut Vec<String>, warning: String) {
    if !warnings.contains(&warning) {
        warnings.push(warning);
    }
}

/// A line with no bill: a capacity figure, a count of 0, or no price on this provider.
fn unbilled_line(
    at: &ComponentInPhase<'_>,
    sized: &SizedLine,
    provision: &Provision<'_>,
    why: Unbilled,
    derivation: Vec<Step>,
) -> Line {
    let component = at.component;
    // What set the count is part of the bill's detail (a cost-only line has none).
    let (binding, by_resource) = match at.detail {
        PriceDetail::Bill => (binding_of(sized, provision), by_resource_of(sized)),
        PriceDetail::Costs => (None, BTreeMap::new()),
    };
    Line {
        component: component.name.clone(),
        kind: component.policy.kind().to_string(),
        item: sized.item.to_string(),
        count: provision.count,
        count_unit: sized.measure.count_unit().to_string(),
        unit: sized.measure.count_unit().to_string(),
        quantity: provision.count as f64,
        unit_price_usd: 0.0,
        list_monthly_usd: 0.0,
        discount: None,
        discount_multiplier: 1.0,
        monthly_usd: 0.0,
        pinned: provision.pinned.is_some(),
        derived_count: sized.count,
        binding,
        by_resource,
        limit: sized.limit.filter(|&l| l < u64::MAX),
        instance: sized.instance().map(ToString::to_string),
        billed: false,
        price_given_by: why.given_by,
        price_source: why.source,
        price_as_of: String::new(),
        price_confidence: String::new(),
        price_key: why.key,
        price_parts: Vec::new(),
        tiers: Vec::new(),
        regions: BTreeMap::new(),
        derivation,
        commitment: None,
    }
}

/// Prices one sized line of a component in a phase: the count it provisions, its bill at the
/// given or table price, its discount, and the derivation of each figure.
fn price_line(
    at: &ComponentInPhase<'_>,
    mut sized: SizedLine,
    warnings: &mut Vec<String>,
) -> Result<Line, InputError> {
    // The sizing's steps start the line's derivation: moved, not copied (they are most of a
    // traced plan's memory).
    let mut derivation = std::mem::take(&mut sized.derivation);
    let sized = &sized;
    let provision = at.provision(sized);
    warn_pin_below_demand(at, sized, &provision, warnings);
    warn_over_limit(at, sized, &provision, warnings);
    let mut t = if at.traced {
        count_steps(sized, &provision)
    } else {
        Trace::disabled()
    };
    // Re-priced on another provider, the doc's (AWS) prices do not apply.
    let given = if at.scenario.repriced_from.is_some() {
        None
    } else {
        at.component.prices.get(sized.item.as_str())
    };
    // A line with nothing to bill needs no price (a replica kind the policy does not use).
    let Some(key) = sized
        .price
        .as_ref()
        .filter(|_| provision.count > 0 || given.is_some())
    else {
        let source = if sized.price.is_some() {
            "nothing to bill (count 0)"
        } else if sized.measure == Measure::Info(crate::sizing::observability::METRIC_SERIES_UNIT) {
            if provision.count > 0 {
                warn_once(
                    warnings,
                    format!(
                        "{}: metric-series not priced: the price tables have no published \
                         custom-metric price (CloudWatch), so the plan leaves it out of the totals",
                        at.component.name
                    ),
                );
            }
            "no published custom-metric price; not billed"
        } else {
            "capacity figure; not billed"
        };
        derivation.extend(t.into_steps());
        let why = Unbilled {
            given_by: PriceGivenBy::NotBilled,
            source: source.to_string(),
            key: None,
        };
        return Ok(unbilled_line(at, sized, &provision, why, derivation));
    };
    let billed = bill_line(at, sized, key, given, provision.count, at.detail, warnings)?;
    let bill = match billed {
        Billed::Bill(bill) => bill,
        Billed::ListCost(list) => {
            return cost_only_line(at, sized, key, given, &provision, list, warnings);
        }
        Billed::Unpriced(why) => {
            derivation.extend(t.into_steps());
            return Ok(unbilled_line(at, sized, &provision, why, derivation));
        }
    };
    let hours = at.scenario.spec.hours_per_month;
    let discount = costing::discount_for(at.scenario, at.component, Some(&key.service));
    if t.is_enabled() {
        bill_steps(&mut t, sized, &bill, provision.count, hours);
    }
    let net = bill.list_monthly_usd * discount.multiplier;
    if !net.is_finite() || net > 1e18 {
        return Err(at.error(&format!(
            "line `{}`: the monthly cost {} is beyond any budget (count {}, unit price {}): check the inputs",
            sized.item, net, provision.count, bill.unit_price_usd
        )));
    }
    if discount.name.is_some() && t.is_enabled() {
        discount_step(&mut t, &bill, &discount, net);
    }
    derivation.extend(t.into_steps());
    Ok(Line {
        component: at.component.name.clone(),
        kind: at.component.policy.kind().to_string(),
        item: sized.item.to_string(),
        count: provision.count,
        count_unit: sized.measure.count_unit().to_string(),
        unit: bill.unit.name().to_string(),
        quantity: bill.quantity,
        unit_price_usd: bill.unit_price_usd,
        list_monthly_usd: round_cents(bill.list_monthly_usd),
        discount: discount.name,
        discount_multiplier: discount.multiplier,
        monthly_usd: round_cents(net),
        pinned: provision.pinned.is_some(),
        derived_count: sized.count,
        binding: binding_of(sized, &provision),
        by_resource: by_resource_of(sized),
        limit: sized.limit.filter(|&l| l < u64::MAX),
        instance: sized.instance().map(ToString::to_string),
        billed: true,
        price_given_by: bill.origin.given_by,
        price_source: bill.origin.source,
        price_as_of: bill.origin.as_of,
        price_confidence: bill.origin.confidence,
        price_key: bill.origin.key,
        price_parts: bill.parts,
        tiers: bill.tiers,
        regions: BTreeMap::new(),
        derivation,
        commitment: None,
    })
}

/// [`price_line`]'s line for its costs alone ([`PriceDetail::Costs`]): the same list and net
/// costs, discount and errors, without the bill's records.
fn cost_only_line(
    at: &ComponentInPhase<'_>,
    sized: &SizedLine,
    key: &sizing::PriceKey,
    given: Option<&crate::input::scenario::GivenPrice>,
    provision: &Provision<'_>,
    list: f64,
    warnings: &mut Vec<String>,
) -> Result<Line, InputError> {
    let discount = costing::discount_for(at.scenario, at.component, Some(&key.service));
    let net = list * discount.multiplier;
    if !net.is_finite() || net > 1e18 {
        // The error names the unit price: the bill has it (a failing line, billed once).
        let billed = bill_line(
            at,
            sized,
            key,
            given,
            provision.count,
            PriceDetail::Bill,
            warnings,
        )?;
        if let Billed::Bill(bill) = billed {
            return Err(at.error(&format!(
                "line `{}`: the monthly cost {} is beyond any budget (count {}, unit price {}): check the inputs",
                sized.item, net, provision.count, bill.unit_price_usd
            )));
        }
    }
    // The line of a bill-less price, with its costs.
    let given_by = if given.is_some() {
        PriceGivenBy::Scenario
    } else {
        PriceGivenBy::Table
    };
    let why = Unbilled {
        given_by,
        source: String::new(),
        key: None,
    };
    Ok(Line {
        billed: true,
        list_monthly_usd: round_cents(list),
        discount: discount.name,
        discount_multiplier: discount.multiplier,
        monthly_usd: round_cents(net),
        ..unbilled_line(at, sized, provision, why, Vec::new())
    })
}

/// The resource that set a line's count: `pinned` where the scenario pins it.
fn binding_of(sized: &SizedLine, provision: &Provision<'_>) -> Option<String> {
    if provision.pinned.is_some() {
        return Some("pinned".to_string());
    }
    sized.binding.map(|b| b.binding().to_string())
}

/// The count each resource alone would need, by resource name.
fn by_resource_of(sized: &SizedLine) -> BTreeMap<String, u64> {
    sized
        .binding
        .iter()
        .flat_map(sizing::Binding::by_resource)
        .map(|(resource, count)| (resource.to_string(), count))
        .collect()
}

/// What binds a derived count, for messages: ` (by cpu)`; empty where nothing is recorded.
fn by_what(sized: &SizedLine) -> String {
    sized
        .binding
        .map(|b| format!(" (by {})", b.binding()))
        .unwrap_or_default()
}

/// Warns when a count is above the limit it must stay within (never silent).
fn warn_over_limit(
    at: &ComponentInPhase<'_>,
    sized: &SizedLine,
    provision: &Provision<'_>,
    warnings: &mut Vec<String>,
) {
    let Some(limit) = sized.limit.filter(|&l| provision.count > l) else {
        return;
    };
    warnings.push(format!(
        "phase {}: {}/{}: {} is above its limit of {limit}: the limit binds (for server \
         connections: fewer poolers, a database shape with more memory, or more shards)",
        at.phase, at.component.name, sized.item, provision.count
    ));
}

/// Warns when the scenario pins fewer than demand needs.
fn warn_pin_below_demand(
    at: &ComponentInPhase<'_>,
    sized: &SizedLine,
    provision: &Provision<'_>,
    warnings: &mut Vec<String>,
) {
    let Some(pin) = provision.pinned.filter(|&pin| pin < sized.count) else {
        return;
    };
    let factor = if pin == 0 {
        String::new()
    } else {
        format!(" (x{:.2})", sized.count as f64 / pin as f64)
    };
    warnings.push(format!(
        "phase {}: {}/{}: pinned {pin} is below the {} demand needs{}{factor}",
        at.phase,
        at.component.name,
        sized.item,
        sized.count,
        by_what(sized)
    ));
}

/// The derivation of a pinned or planned count (none for a derived one).
fn count_steps(sized: &SizedLine, provision: &Provision<'_>) -> Trace {
    let mut t = Trace::new();
    let unit = sized.measure.count_unit();
    let derived = [("derived_count", sized.count as f64, unit)];
    if let Some(pin) = provision.pinned {
        t.count(
            &format!("{}_pinned", sized.item),
            "pinned by the scenario (the design doc's figure)",
            &derived,
            pin,
            unit,
        );
    }
    if let Some((planned, why)) = provision.planned {
        t.count(
            &format!("{}_planned", sized.item),
            &format!("planned at {}", why.reason),
            &derived,
            planned,
            unit,
        );
    }
    t
}

/// Bills `count` of a line at its given or table price: the whole bill, or for
/// [`PriceDetail::Costs`] the list cost alone (the same figure, errors and warnings, without the
/// bill's records of where each price came from, strings per line and part). Re-priced on
/// another provider, a line with no price there is reported unpriced (with a warning) instead
/// of failing.
fn bill_line(
    at: &ComponentInPhase<'_>,
    sized: &SizedLine,
    key: &sizing::PriceKey,
    given: Option<&crate::input::scenario::GivenPrice>,
    count: u64,
    detail: PriceDetail,
    warnings: &mut Vec<String>,
) -> Result<Billed, InputError> {
    let (prices, hours) = (&at.scenario.prices, at.scenario.spec.hours_per_month);
    // Each uncertain table price used, as (price key, source), in part order.
    let mut uncertain: Vec<(String, String)> = Vec::new();
    let priced = match detail {
        PriceDetail::Bill => costing::bill_parts(
            count,
            sized.measure,
            key,
            &sized.parts,
            given,
            prices,
            hours,
        )
        .map(|bill| {
            if bill.parts.is_empty() {
                if bill.origin.confidence == "uncertain" {
                    let key = bill.origin.key.clone().unwrap_or_default();
                    uncertain.push((key, bill.origin.source.clone()));
                }
            } else {
                uncertain.extend(
                    bill.parts
                        .iter()
                        .filter(|p| p.price_confidence == "uncertain")
                        .map(|p| (p.price_key.clone(), p.price_source.clone())),
                );
            }
            Billed::Bill(bill)
        }),
        PriceDetail::Costs => costing::list_monthly_usd_seeing(
            count,
            sized.measure,
            key,
            &sized.parts,
            given,
            prices,
            hours,
            &mut |entry| {
                if entry.confidence == crate::pricing::Confidence::Uncertain {
                    let key = costing::key_text(&entry.service, &entry.item, &entry.region);
                    uncertain.push((key, entry.source.clone()));
                }
            },
        )
        .map(Billed::ListCost),
    };
    let billed = match priced {
        Ok(billed) => billed,
        Err(reason) => return unpriced(at, sized, key, count, reason, warnings),
    };
    for (key, source) in &uncertain {
        warn_uncertain(at, sized, key, source, warnings);
    }
    Ok(billed)
}

/// The warning for a line billed at an uncertain price.
fn warn_uncertain(
    at: &ComponentInPhase<'_>,
    sized: &SizedLine,
    key: &str,
    source: &str,
    warnings: &mut Vec<String>,
) {
    warn_once(
        warnings,
        format!(
            "{}/{} uses an uncertain price ({key}: {source})",
            at.component.name, sized.item,
        ),
    );
}

/// A line whose price failed: unpriced (with a warning) where the plan is re-priced on
/// another provider's tables, else the plan's error.
fn unpriced(
    at: &ComponentInPhase<'_>,
    sized: &SizedLine,
    key: &sizing::PriceKey,
    count: u64,
    reason: String,
    warnings: &mut Vec<String>,
) -> Result<Billed, InputError> {
    let scenario = at.scenario;
    match &scenario.repriced_from {
        Some(_) => {
            if count > 0 {
                warn_once(
                    warnings,
                    format!(
                        "{}/{} is unpriced on {}: {reason}",
                        at.component.name, sized.item, scenario.spec.pricing.provider
                    ),
                );
            }
            let keys: Vec<String> = if sized.parts.is_empty() {
                vec![format!("{}/{}/{}", key.service, key.item, key.region)]
            } else {
                sized
                    .parts
                    .iter()
                    .map(|p| format!("{}/{}/{}", p.key.service, p.key.item, p.key.region))
                    .collect()
            };
            Ok(Billed::Unpriced(Unbilled {
                given_by: PriceGivenBy::Unpriced,
                source: reason,
                key: Some(keys.join(", ")),
            }))
        }
        None => Err(at.error(&format!(
            "line `{}`: {reason}; or state a price in `components[{}].prices.{}`",
            sized.item, at.index, sized.item
        ))),
    }
}

/// The derivation of the billed quantity and the list price.
fn bill_steps(t: &mut Trace, sized: &SizedLine, bill: &Bill, count: u64, hours: f64) {
    let quantity_formula = match bill.unit {
        PriceUnit::Hour => "count x hours_per_month",
        PriceUnit::GbHour => "count x node_memory_gib x hours_per_month",
        PriceUnit::Requests1k => "count / 1,000",
        PriceUnit::Requests10k => "count / 10,000",
        PriceUnit::Requests1m => "count / 1,000,000",
        _ => "count",
    };
    let mut quantity_inputs = vec![("count", count as f64, sized.measure.count_unit())];
    if let sizing::Measure::Instances {
        memory_gib: Some(gib),
    } = sized.measure
        && bill.unit == PriceUnit::GbHour
    {
        quantity_inputs.push(("node_memory_gib", gib, "GiB"));
    }
    if matches!(bill.unit, PriceUnit::Hour | PriceUnit::GbHour) {
        quantity_inputs.push(("hours_per_month", hours, "h"));
    }
    t.step(
        "quantity",
        quantity_formula,
        &quantity_inputs,
        bill.quantity,
        bill.unit.name(),
    );
    let tier_formula = |tiers: &[TierCharge]| {
        let bands: Vec<String> = tiers
            .iter()
            .map(|c| format!("{} x {}", c.quantity, c.price_usd))
            .collect();
        format!("sum over tiers: {}", bands.join(" + "))
    };
    // A line billed at several keys: each part's bill first (its own tier walk).
    for part in &bill.parts {
        let formula = if part.tiers.is_empty() {
            "quantity x unit_price_usd".to_string()
        } else {
            tier_formula(&part.tiers)
        };
        t.step(
            &format!("list_monthly_usd[{}]", part.region),
            &format!("{formula} at {}", part.price_key),
            &[
                ("count", part.count as f64, sized.measure.count_unit()),
                ("quantity", part.quantity, bill.unit.name()),
                ("unit_price_usd", part.unit_price_usd, "USD"),
            ],
            part.list_monthly_usd,
            "USD/month",
        );
    }
    let list_formula = if !bill.parts.is_empty() {
        let names: Vec<String> = bill
            .parts
            .iter()
            .map(|p| format!("list_monthly_usd[{}]", p.region))
            .collect();
        format!("sum over price keys: {}", names.join(" + "))
    } else if bill.tiers.is_empty() {
        "quantity x unit_price_usd".to_string()
    } else {
        tier_formula(&bill.tiers)
    };
    t.step(
        "list_monthly_usd",
        &list_formula,
        &[
            ("quantity", bill.quantity, bill.unit.name()),
            ("unit_price_usd", bill.unit_price_usd, "USD"),
        ],
        bill.list_monthly_usd,
        "USD/month",
    );
}

/// The derivation of the net monthly cost under a discount.
fn discount_step(t: &mut Trace, bill: &Bill, discount: &Discount, net: f64) {
    t.step(
        "monthly_usd",
        &format!(
            "list_monthly_usd x discount_multiplier ({})",
            discount.source
        ),
        &[
            ("list_monthly_usd", bill.list_monthly_usd, "USD/month"),
            ("discount_multiplier", discount.multiplier, "fraction"),
        ],
        net,
        "USD/month",
    );
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::input::overrides::Set;

    /// A month priced for its costs only has the lines, counts, costs, totals and warnings of
    /// the same month billed in full: on AWS (uncertain prices, fallbacks, tiers, regions
    /// billed at their own keys) and re-priced on GCP (unpriced lines).
    #[test]
    fn costs_only_lines_have_the_billed_lines_figures_and_warnings() {
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
        let mut seen_warnings: Vec<String> = Vec::new();
        for (scenario, sets) in [
            ("saas-10b", vec![]),
            ("maxbooster-10b", vec![]),
            ("saas-10b", vec!["pricing.provider=gcp"]),
        ] {
            let sets: Vec<Set> = sets.iter().map(|s| Set::parse(s).unwrap()).collect();
            let path = root.join(format!("scenarios/{scenario}.ron"));
            let loaded = crate::input::load_scenario_with(&path, &sets).unwrap();
            for users in [10_000, 3_000_000, 700_000_000, 10_000_000_000] {
                let (mut billed_warnings, mut costs_warnings) = (Vec::new(), Vec::new());
                let billed =
                    build_phase_untraced(&loaded, "m", users, &mut billed_warnings).unwrap();
                let costs = build_phase_choosing(
                    &loaded,
                    "m",
                    users,
                    &mut costs_warnings,
                    &mut |_, _, _| None,
                    false,
                )
                .unwrap();
                let figures = |p: &PhasePlan| -> Vec<_> {
                    p.lines
                        .iter()
                        .map(|l| {
                            let f = (l.count, l.list_monthly_usd, l.monthly_usd, l.billed);
                            (l.component.clone(), l.item.clone(), l.instance.clone(), f)
                        })
                        .collect()
                };
                let at = format!("{scenario} {sets:?} at {users} users");
                assert_eq!(figures(&billed), figures(&costs), "{at}");
                assert_eq!(billed.monthly_usd, costs.monthly_usd, "{at}");
                assert_eq!(billed.list_monthly_usd, costs.list_monthly_usd, "{at}");
                assert_eq!(billed.unpriced, costs.unpriced, "{at}");
                assert_eq!(billed_warnings, costs_warnings, "{at}");
                seen_warnings.extend(costs_warnings);
            }
        }
        // The cases reach both kinds of price warning.
        for kind in ["uses an uncertain price", "is unpriced on gcp"] {
            assert!(seen_warnings.iter().any(|w| w.contains(kind)), "{kind}");
        }
    }
}
