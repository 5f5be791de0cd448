//! Uncertainty: distributions on inputs, seeded Monte Carlo over the whole architecture,
//! percentiles, least-regret sizing and tornado sensitivity.
//!
//! ```text
//! scenario.uncertainty.inputs (path -> distribution)
//!   -> inputs (resolve paths, check extremes) -> engine (draws: size + price every phase)
//!   -> sketches -> percentiles, regret (candidate sizings), tornado (one input at a time)
//! ```
//!
//! The point plan (the scenario as written) stays the plan; the draws add an `uncertainty`
//! section to it, and `--plan-at P90` re-plans with every line at that percentile of its
//! need.

pub mod dist;
pub mod engine;
pub mod inputs;
pub mod regret;
pub mod sketch;
pub mod summary;

use std::collections::BTreeMap;

use crate::error::InputError;
use crate::input::Scenario;
use crate::input::uncertainty::UncertaintySpec;
use crate::plan::{Plan, PlannedCounts};
use crate::sizing::Measure;
use engine::{Model, Rate, Slot};
use inputs::Inputs;
use sketch::QuantileSketch;
use summary::{
    Candidate, ComponentPercentiles, HistogramBin, InputSummary, LinePercentiles, NO_SHAPE_FITS,
    OTHER_SHAPES, PhaseUncertainty, ShapeShare, Swing, Uncertainty,
};

/// Default number of draws when a scenario asks for Monte Carlo without saying how many.
pub const DEFAULT_DRAWS: u64 = 10_000;
/// Default seed.
pub const DEFAULT_SEED: u64 = 1;
/// Default penalty for a missing unit-month, as a multiple of its price.
pub const DEFAULT_UNDER_PROVISION_PENALTY: f64 = 4.0;
/// Percentiles every least-regret comparison considers (plus the critical ratio).
pub const CANDIDATE_PERCENTILES: [f64; 5] = [50.0, 75.0, 90.0, 95.0, 99.0];
/// Bins of each phase's cost histogram.
pub const HISTOGRAM_BINS: usize = 30;

/// How to run the draws.
#[derive(Debug, Clone)]
pub struct RunOptions {
    pub draws: u64,
    pub seed: u64,
    /// Plan every line at this percentile of its need (0-100).
    pub plan_at: Option<f64>,
    pub under_provision_penalty: f64,
    pub detail_phase: Option<String>,
}

/// Parses `P90`, `p99.5` or `90` into a percentile in (0, 100].
pub fn parse_percentile(text: &str) -> Result<f64, String> {
    let t = text.trim();
    let digits = t.strip_prefix(['P', 'p']).unwrap_or(t);
    match digits.parse::<f64>() {
        Ok(p) if p > 0.0 && p <= 100.0 => Ok(p),
        _ => Err(format!(
            "`{text}` is not a percentile: expected P1..P100 (e.g. P90 or P99.5)"
        )),
    }
}

/// `90` -> `P90`, `99.5` -> `P99.5`.
#[must_use]
pub fn percentile_name(p: f64) -> String {
    // Shortest form: 90 -> P90, 99.5 -> P99.5, 80 (4 / 5) -> P80.
    let rounded = (p * 1000.0).round() / 1000.0;
    format!("P{rounded}")
}

fn unit_monthly_usd(slot: &Slot, measure: Measure, hours: f64) -> f64 {
    // Provisioned capacity only: instances (and stated counts) billed by time.
    if !matches!(measure, Measure::Instances { .. } | Measure::Stated) {
        return 0.0;
    }
    let (unit, price, multiplier) = match &slot.rate {
        Rate::Given {
            unit,
            usd,
            multiplier,
        } => (*unit, *usd, *multiplier),
        Rate::Table {
            unit,
            tiers,
            multiplier,
        } if tiers.len() == 1 => (*unit, tiers[0].price_usd, *multiplier),
        // Regions priced apart: a unit's cost is the mean of their flat prices (a missing
        // unit may be in any region).
        Rate::Parts {
            unit,
            tiers,
            multiplier,
        } if !tiers.is_empty() && tiers.iter().all(|t| t.len() == 1) => {
            let mean = tiers.iter().map(|t| t[0].price_usd).sum::<f64>() / tiers.len() as f64;
            (*unit, mean, *multiplier)
        }
        _ => return 0.0,
    };
    use crate::pricing::PriceUnit;
    if !matches!(unit, PriceUnit::Hour | PriceUnit::GbHour | PriceUnit::Month) {
        return 0.0;
    }
    crate::costing::quantity(1, measure, unit, hours).map_or(0.0, |q| q * price * multiplier)
}

/// Runs the draws for a loaded scenario and its point plan. Returns the uncertainty section
/// and, with `plan_at`, the counts to re-plan at. `progress` is called with the number of
/// draws done so far (from any thread); the caller decides whether to show it.
pub fn run(
    scenario: &Scenario,
    spec: &UncertaintySpec,
    point: &Plan,
    opts: &RunOptions,
    progress: &(dyn Fn(u64) + Sync),
) -> Result<(Uncertainty, Option<PlannedCounts>), InputError> {
    let file = &scenario.file;
    let fail = |m: String| InputError::field(file, "uncertainty", m);
    check_options(file, opts)?;
    let detail_phase = detail_phase_of(file, point, opts.detail_phase.as_deref())?;
    let inputs = Inputs::resolve(scenario, &spec.inputs)?;
    let model = Model::new(scenario, &inputs, point, spec.reselect_shapes).map_err(fail)?;
    let sketches = model
        .simulate(opts.draws, opts.seed, progress)
        .map_err(fail)?;
    let (swings, base_totals) = tornado(&model, &inputs).map_err(fail)?;
    let regret = RegretModel::new(scenario, opts);
    let mut phases = Vec::new();
    let mut planned = PlannedCounts {
        counts: BTreeMap::new(),
        reason: opts.plan_at.map_or_else(String::new, |p| {
            format!(
                "{} of the need over {} draws (seed {})",
                percentile_name(p),
                opts.draws,
                opts.seed
            )
        }),
    };
    for (((layout, s), point_phase), (swing, base_total)) in model
        .layouts
        .iter()
        .zip(&sketches)
        .zip(&point.phases)
        .zip(swings.into_iter().zip(base_totals))
    {
        let candidates = regret.candidates(layout, s, point_phase);
        if let Some(p) = opts.plan_at {
            planned
                .counts
                .insert(layout.name.clone(), counts_at(scenario, layout, s, p));
        }
        phases.push(phase_summary(
            scenario, layout, s, candidates, swing, base_total,
        ));
    }
    let summary = Uncertainty {
        draws: opts.draws,
        seed: opts.seed,
        rng:
            "ChaCha8, draw d uses stream d of the seed; one uniform per input, drawn by inverse CDF"
                .into(),
        percentiles: format!(
            "nearest rank over mergeable sketches: counts exact up to {}, other values within {}% (relative) and rounded to that precision",
            sketch::EXACT_INTEGERS,
            sketch::RELATIVE_ACCURACY * 100.0
        ),
        inputs: inputs
            .list
            .iter()
            .map(|i| InputSummary {
                path: i.path.clone(),
                distribution: i.distribution.clone(),
                point: i.point,
                p10: i.value_at(0.1),
                p50: i.value_at(0.5),
                p90: i.value_at(0.9),
            })
            .collect(),
        planned_at: opts.plan_at.map(percentile_name),
        under_provision_penalty: regret.penalty,
        regret: format!(
            "per provisioned line (instances billed by time): idle units x unit price + missing units x unit price x {}; mean over draws; usage-billed lines carry none; the per-line optimum is the {} of need (critical ratio penalty / (1 + penalty))",
            regret.penalty,
            percentile_name(regret.critical)
        ),
        detail_phase,
        phases,
    };
    Ok((summary, opts.plan_at.map(|_| planned)))
}

/// Rejects a draw count or a penalty out of range.
fn check_options(file: &std::path::Path, opts: &RunOptions) -> Result<(), InputError> {
    if opts.draws == 0 || opts.draws > 100_000_000 {
        return Err(InputError::field(
            file,
            "uncertainty",
            format!(
                "--draws must be between 1 and 100,000,000, got {}",
                opts.draws
            ),
        ));
    }
    if !(opts.under_provision_penalty.is_finite() && opts.under_provision_penalty >= 0.0) {
        return Err(InputError::field(
            file,
            "uncertainty.under_provision_penalty",
            format!("must be >= 0, got {}", opts.under_provision_penalty),
        ));
    }
    Ok(())
}

/// The phase the charts detail: the one asked for (it must exist), else the last.
fn detail_phase_of(
    file: &std::path::Path,
    point: &Plan,
    requested: Option<&str>,
) -> Result<String, InputError> {
    let phase_names: Vec<&str> = point.phases.iter().map(|p| p.name.as_str()).collect();
    match requested {
        Some(name) if phase_names.contains(&name) => Ok(name.to_string()),
        Some(name) => Err(InputError::field(
            file,
            "uncertainty.detail_phase",
            format!(
                "unknown phase `{name}`{}; phases: {}",
                crate::error::did_you_mean(name, phase_names.iter().copied()),
                phase_names.join(", ")
            ),
        )),
        None => Ok(phase_names
            .last()
            .map(|s| (*s).to_string())
            .unwrap_or_default()),
    }
}

/// The tornado: every phase's total with one input at its P10 / P90 and the others at their
/// median, largest swing first; and every phase's total with all inputs at their median.
fn tornado(model: &Model<'_>, inputs: &Inputs) -> Result<(Vec<Vec<Swing>>, Vec<f64>), String> {
    let medians: Vec<f64> = inputs.list.iter().map(|i| i.value_at(0.5)).collect();
    let base_totals = model.totals_at(&medians)?;
    let mut swings: Vec<Vec<Swing>> = vec![Vec::new(); model.layouts.len()];
    for (k, input) in inputs.list.iter().enumerate() {
        if input.sampler.is_fixed() {
            continue;
        }
        let (lo, hi) = (input.value_at(0.1), input.value_at(0.9));
        let mut at = medians.clone();
        at[k] = lo;
        let low = model.totals_at(&at)?;
        at[k] = hi;
        let high = model.totals_at(&at)?;
        for (p, list) in swings.iter_mut().enumerate() {
            list.push(Swing {
                input: input.path.clone(),
                low_value: lo,
                high_value: hi,
                low_monthly_usd: low[p],
                high_monthly_usd: high[p],
                swing_usd: crate::units::round_cents((high[p] - low[p]).abs()),
            });
        }
    }
    for list in &mut swings {
        list.sort_by(|a, b| {
            b.swing_usd
                .total_cmp(&a.swing_usd)
                .then_with(|| a.input.cmp(&b.input))
        });
    }
    Ok((swings, base_totals))
}

/// How candidate sizings are scored: the penalty, its critical ratio, and the percentiles
/// every phase compares.
struct RegretModel {
    penalty: f64,
    /// The per-line optimum percentile, `100 x penalty / (1 + penalty)`.
    critical: f64,
    hours_per_month: f64,
    /// (name, percentile) of every candidate beyond the plan as written.
    percentiles: Vec<(String, f64)>,
}

impl RegretModel {
    fn new(scenario: &Scenario, opts: &RunOptions) -> RegretModel {
        let penalty = opts.under_provision_penalty;
        let critical = 100.0 * penalty / (1.0 + penalty);
        let mut percentiles: Vec<(String, f64)> = CANDIDATE_PERCENTILES
            .iter()
            .map(|&p| (percentile_name(p), p))
            .collect();
        if !CANDIDATE_PERCENTILES.contains(&critical) {
            percentiles.push((
                format!("critical ratio {}", percentile_name(critical)),
                critical,
            ));
        }
        if let Some(p) = opts.plan_at
            && !percentiles.iter().any(|(_, q)| *q == p)
        {
            percentiles.push((percentile_name(p), p));
        }
        RegretModel {
            penalty,
            critical,
            hours_per_month: scenario.spec.hours_per_month,
            percentiles,
        }
    }

    /// The plan as written, then every percentile, each scored by its mean regret.
    fn candidates(
        &self,
        layout: &engine::PhaseLayout,
        s: &engine::PhaseSketches,
        point_phase: &crate::plan::PhasePlan,
    ) -> Vec<Candidate> {
        let regret_lines: Vec<regret::RegretLine<'_>> = layout
            .slots
            .iter()
            .zip(&s.derived)
            .map(|(slot, need)| regret::RegretLine {
                unit_monthly_usd: if slot.pinned.is_some() {
                    0.0
                } else {
                    unit_monthly_usd(slot, slot.measure, self.hours_per_month)
                },
                need,
            })
            .collect();
        let as_written: Vec<u64> = point_phase.lines.iter().map(|l| l.count).collect();
        let mut candidates = vec![regret::score(
            "as written".into(),
            None,
            &regret_lines,
            &as_written,
            self.penalty,
        )];
        for (name, p) in &self.percentiles {
            let counts: Vec<u64> = s
                .derived
                .iter()
                .map(|d| d.covering(p / 100.0) as u64)
                .collect();
            candidates.push(regret::score(
                name.clone(),
                Some(*p),
                &regret_lines,
                &counts,
                self.penalty,
            ));
        }
        candidates
    }
}

/// Every unpinned line's count at percentile `p` of its need, for `--plan-at`.
fn counts_at(
    scenario: &Scenario,
    layout: &engine::PhaseLayout,
    s: &engine::PhaseSketches,
    p: f64,
) -> BTreeMap<(String, String), u64> {
    let components = &scenario.spec.components;
    layout
        .slots
        .iter()
        .zip(&s.derived)
        .filter(|(slot, _)| slot.pinned.is_none())
        .map(|(slot, d)| {
            (
                (components[slot.component].name.clone(), slot.item.clone()),
                d.covering(p / 100.0) as u64,
            )
        })
        .collect()
}

/// One phase's section: percentiles of users, cost, demand, components and lines, the
/// histogram, the tornado and the candidates.
fn phase_summary(
    scenario: &Scenario,
    layout: &engine::PhaseLayout,
    s: &engine::PhaseSketches,
    candidates: Vec<Candidate>,
    tornado: Vec<Swing>,
    median_inputs_monthly_usd: f64,
) -> PhaseUncertainty {
    let components = &scenario.spec.components;
    let least_regret =
        regret::least(&candidates).map_or_else(String::new, |i| candidates[i].name.clone());
    PhaseUncertainty {
        name: layout.name.clone(),
        users: s.users.percentiles(),
        monthly_usd: s.total.percentiles().cents(),
        demand: engine::DEMAND_FIGURES
            .iter()
            .zip(&s.demand)
            .map(|((name, _), d)| ((*name).to_string(), d.percentiles()))
            .collect(),
        components: components
            .iter()
            .zip(&s.components)
            .map(|(c, k)| ComponentPercentiles {
                component: c.name.clone(),
                kind: c.policy.kind().to_string(),
                monthly_usd: k.percentiles().cents(),
            })
            .collect(),
        lines: layout
            .slots
            .iter()
            .enumerate()
            .map(|(k, slot)| LinePercentiles {
                component: components[slot.component].name.clone(),
                item: slot.item.clone(),
                count_unit: slot.count_unit.to_string(),
                pinned: slot.pinned.is_some(),
                count: if slot.pinned.is_some() {
                    s.counts[k].percentiles()
                } else {
                    s.derived[k].percentiles()
                },
                derived_count: s.derived[k].percentiles(),
                monthly_usd: s.costs[k].percentiles().cents(),
            })
            .collect(),
        histogram: histogram(&s.total),
        median_inputs_monthly_usd,
        tornado,
        candidates,
        least_regret,
        shapes: shape_shares(scenario, layout, s),
    }
}

/// The draws' choices of shape, per `auto` component, in the order the draws chose among them.
fn shape_shares(
    scenario: &Scenario,
    layout: &engine::PhaseLayout,
    s: &engine::PhaseSketches,
) -> Vec<ShapeShare> {
    let mut shares = Vec::new();
    for (choice, draws) in layout.choices.iter().zip(&s.shape_draws) {
        let all: u64 = draws.iter().sum();
        let instances = choice
            .shapes
            .iter()
            .map(|s| s.instance.as_str())
            .chain([OTHER_SHAPES, NO_SHAPE_FITS]);
        for (instance, &n) in instances.zip(draws) {
            if n == 0 && (instance == OTHER_SHAPES || instance == NO_SHAPE_FITS) {
                continue;
            }
            shares.push(ShapeShare {
                component: scenario.spec.components[choice.component].name.clone(),
                instance: instance.to_string(),
                draws: n,
                share: if all == 0 { 0.0 } else { n as f64 / all as f64 },
            });
        }
    }
    shares
}

fn histogram(s: &QuantileSketch) -> Vec<HistogramBin> {
    s.histogram(HISTOGRAM_BINS)
        .into_iter()
        .map(|(from, to, draws)| HistogramBin {
            from_usd: crate::units::round_cents(from),
            to_usd: crate::units::round_cents(to),
            draws,
        })
        .collect()
}

/// The shipped saas-10b plan with `draws` Monte Carlo draws (seed 7), for renderer tests.
#[cfg(test)]
pub(crate) fn saas_with_draws(draws: u64) -> Plan {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    let loaded = crate::input::load_scenario(&root.join("scenarios/saas-10b.ron")).unwrap();
    let spec = loaded.spec.uncertainty.as_ref().unwrap();
    let mut plan = crate::plan::build(&loaded).unwrap();
    let opts = RunOptions {
        draws,
        seed: 7,
        plan_at: None,
        under_provision_penalty: spec
            .under_provision_penalty
            .unwrap_or(DEFAULT_UNDER_PROVISION_PENALTY),
        detail_phase: spec.detail_phase.clone(),
    };
    let (summary, _) = run(&loaded, spec, &plan, &opts, &|_| {}).unwrap();
    plan.uncertainty = Some(summary);
    plan
}

/// Checks a scenario's `uncertainty` section as `plan --draws` would, by running it for one
/// draw (`headroom validate`: a misspelled input path or a P10 above its P90 is bad input
/// there too).
pub fn check_spec(
    scenario: &Scenario,
    spec: &UncertaintySpec,
    point: &Plan,
) -> Result<(), InputError> {
    if let Some(draws) = spec.draws
        && draws > 100_000_000
    {
        return Err(InputError::field(
            &scenario.file,
            "uncertainty.draws",
            format!("must be between 0 and 100,000,000, got {draws}"),
        ));
    }
    let opts = RunOptions {
        draws: 1,
        seed: spec.seed.unwrap_or(DEFAULT_SEED),
        plan_at: None,
        under_provision_penalty: spec
            .under_provision_penalty
            .unwrap_or(DEFAULT_UNDER_PROVISION_PENALTY),
        detail_phase: spec.detail_phase.clone(),
    };
    run(scenario, spec, point, &opts, &|_| {}).map(|_| ())
}

#[cfg(test)]
mod tests;
