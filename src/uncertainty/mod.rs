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

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::error::InputError;
use crate::input::Scenario;
use crate::plan::{Plan, PlannedCounts};
use crate::sizing::Measure;
use dist::Distribution;
use engine::{Model, Rate, Slot};
use inputs::Inputs;
use sketch::{Percentiles, QuantileSketch};

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

/// A scenario's `uncertainty` section.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct UncertaintySpec {
    /// Uncertain inputs: a `--set` path -> its distribution.
    pub inputs: BTreeMap<String, Distribution>,
    /// Draws when `plan --draws` is not given (default: no draws unless asked).
    #[serde(default)]
    pub draws: Option<u64>,
    /// Seed when `--seed` is not given.
    #[serde(default)]
    pub seed: Option<u64>,
    /// A missing unit-month costs this many times its price (default 4: emergency capacity
    /// bought on demand plus the cost of the incident).
    #[serde(default)]
    pub under_provision_penalty: Option<f64>,
    /// The phase whose histogram and tornado the charts show (default: the last).
    #[serde(default)]
    pub detail_phase: Option<String>,
}

/// How to run the draws.
#[derive(Debug, Clone)]
pub struct RunOptions {
    pub draws: u64,
    pub seed: u64,
    /// Plan every line at this percentile of its need (0-100).
    pub plan_at: Option<f64>,
    pub under_provision_penalty: f64,
    pub detail_phase: Option<String>,
    /// Show a progress bar (stderr is a terminal).
    pub progress: bool,
}

/// An uncertain input in the report.
#[derive(Debug, Clone, Serialize)]
pub struct InputSummary {
    pub path: String,
    pub distribution: Distribution,
    /// The value in the scenario as written.
    pub point: f64,
    pub p10: f64,
    pub p50: f64,
    pub p90: f64,
}

/// One component's cost over the draws.
#[derive(Debug, Clone, Serialize)]
pub struct ComponentPercentiles {
    pub component: String,
    pub kind: String,
    pub monthly_usd: Percentiles,
}

/// One line over the draws.
#[derive(Debug, Clone, Serialize)]
pub struct LinePercentiles {
    pub component: String,
    pub item: String,
    pub count_unit: String,
    /// The scenario pins the count in this phase (the count does not vary).
    pub pinned: bool,
    /// The provisioned count (the pin where pinned).
    pub count: Percentiles,
    /// What demand needs under the policy.
    pub derived_count: Percentiles,
    pub monthly_usd: Percentiles,
}

/// One bar of a histogram.
#[derive(Debug, Clone, Serialize)]
pub struct HistogramBin {
    pub from_usd: f64,
    pub to_usd: f64,
    pub draws: u64,
}

/// One input's swing in the tornado.
#[derive(Debug, Clone, Serialize)]
pub struct Swing {
    pub input: String,
    /// The input at its P10 and P90.
    pub low_value: f64,
    pub high_value: f64,
    /// The phase's total with the input at P10 / P90 and every other input at its median.
    pub low_monthly_usd: f64,
    pub high_monthly_usd: f64,
    /// |high - low|.
    pub swing_usd: f64,
}

/// One phase over the draws.
#[derive(Debug, Clone, Serialize)]
pub struct PhaseUncertainty {
    pub name: String,
    pub users: Percentiles,
    pub monthly_usd: Percentiles,
    /// Demand figures (`dau`, `peak_rps`, ...).
    pub demand: BTreeMap<String, Percentiles>,
    pub components: Vec<ComponentPercentiles>,
    pub lines: Vec<LinePercentiles>,
    /// The total cost's distribution, in equal-width bins.
    pub histogram: Vec<HistogramBin>,
    /// The total with every input at its median.
    pub median_inputs_monthly_usd: f64,
    /// Inputs by swing, largest first.
    pub tornado: Vec<Swing>,
    pub candidates: Vec<regret::Candidate>,
    /// The candidate with the least mean regret.
    pub least_regret: String,
}

/// The `uncertainty` section of a plan.
#[derive(Debug, Clone, Serialize)]
pub struct Uncertainty {
    pub draws: u64,
    pub seed: u64,
    /// How draws are made reproducible.
    pub rng: String,
    /// How percentiles are computed and how exact they are.
    pub percentiles: String,
    pub inputs: Vec<InputSummary>,
    /// `P90` when the plan's counts are planned at a percentile.
    pub planned_at: Option<String>,
    pub under_provision_penalty: f64,
    /// The regret model, in words.
    pub regret: String,
    /// The phase the charts detail.
    pub detail_phase: String,
    pub phases: Vec<PhaseUncertainty>,
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
        _ => return 0.0,
    };
    use crate::pricing::PriceUnit;
    if !matches!(unit, PriceUnit::Hour | PriceUnit::GbHour | PriceUnit::Month) {
        return 0.0;
    }
    crate::costing::quantity(1, measure, unit, hours).map_or(0.0, |q| q * price * multiplier)
}

/// Runs the draws for a loaded scenario and its point plan. Returns the uncertainty section
/// and, with `plan_at`, the counts to re-plan at.
pub fn run(
    scenario: &Scenario,
    spec: &UncertaintySpec,
    point: &Plan,
    opts: &RunOptions,
) -> Result<(Uncertainty, Option<PlannedCounts>), InputError> {
    let file = &scenario.file;
    let fail = |m: String| InputError::field(file, "uncertainty", m);
    if opts.draws == 0 || opts.draws > 100_000_000 {
        return Err(fail(format!(
            "--draws must be between 1 and 100,000,000, got {}",
            opts.draws
        )));
    }
    if !(opts.under_provision_penalty.is_finite() && opts.under_provision_penalty >= 0.0) {
        return Err(InputError::field(
            file,
            "uncertainty.under_provision_penalty",
            format!("must be >= 0, got {}", opts.under_provision_penalty),
        ));
    }
    let phase_names: Vec<&str> = point.phases.iter().map(|p| p.name.as_str()).collect();
    let detail_phase = match &opts.detail_phase {
        Some(name) if phase_names.contains(&name.as_str()) => name.clone(),
        Some(name) => {
            return Err(InputError::field(
                file,
                "uncertainty.detail_phase",
                format!(
                    "unknown phase `{name}`{}; phases: {}",
                    crate::error::did_you_mean(name, phase_names.iter().copied()),
                    phase_names.join(", ")
                ),
            ));
        }
        None => phase_names
            .last()
            .map(|s| (*s).to_string())
            .unwrap_or_default(),
    };
    let inputs = Inputs::resolve(scenario, &spec.inputs)?;
    let model = Model::new(scenario, &inputs, point).map_err(fail)?;

    let bar = opts.progress.then(|| progress_bar(opts.draws));
    let started = std::time::Instant::now();
    let shown = std::sync::atomic::AtomicBool::new(false);
    let tick = |done: u64| {
        if let Some(bar) = &bar {
            if started.elapsed().as_secs_f64() > 1.0
                && !shown.swap(true, std::sync::atomic::Ordering::Relaxed)
            {
                bar.set_draw_target(indicatif::ProgressDrawTarget::stderr());
            }
            bar.set_position(done);
        }
    };
    let sketches = model.simulate(opts.draws, opts.seed, &tick).map_err(fail)?;
    if let Some(bar) = bar {
        bar.finish_and_clear();
    }

    // Tornado: every phase's total with one input at its P10 / P90, the others at median.
    let medians: Vec<f64> = inputs.list.iter().map(|i| i.value_at(0.5)).collect();
    let base_totals = model.totals_at(&medians).map_err(fail)?;
    let mut swings: Vec<Vec<Swing>> = vec![Vec::new(); model.layouts.len()];
    for (k, input) in inputs.list.iter().enumerate() {
        if input.sampler.is_fixed() {
            continue;
        }
        let (lo, hi) = (input.value_at(0.1), input.value_at(0.9));
        let mut at = medians.clone();
        at[k] = lo;
        let low = model.totals_at(&at).map_err(fail)?;
        at[k] = hi;
        let high = model.totals_at(&at).map_err(fail)?;
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

    let penalty = opts.under_provision_penalty;
    let critical = 100.0 * penalty / (1.0 + penalty);
    let hours = scenario.spec.hours_per_month;
    let components = &scenario.spec.components;
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
        let regret_lines: Vec<regret::RegretLine<'_>> = layout
            .slots
            .iter()
            .zip(&s.derived)
            .map(|(slot, need)| regret::RegretLine {
                unit_monthly_usd: if slot.pinned.is_some() {
                    0.0
                } else {
                    unit_monthly_usd(slot, slot.measure, hours)
                },
                need,
            })
            .collect();
        let mut candidates = Vec::new();
        let as_written: Vec<u64> = point_phase.lines.iter().map(|l| l.count).collect();
        candidates.push(regret::score(
            "as written".into(),
            None,
            &regret_lines,
            &as_written,
            penalty,
        ));
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
        for (name, p) in &percentiles {
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
                penalty,
            ));
        }
        let least =
            regret::least(&candidates).map_or_else(String::new, |i| candidates[i].name.clone());
        if let Some(p) = opts.plan_at {
            let counts = layout
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
                .collect();
            planned.counts.insert(layout.name.clone(), counts);
        }
        phases.push(PhaseUncertainty {
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
            median_inputs_monthly_usd: base_total,
            tornado: swing,
            candidates,
            least_regret: least,
        });
    }
    let summary = Uncertainty {
        draws: opts.draws,
        seed: opts.seed,
        rng:
            "ChaCha8, draw d uses stream d of the seed; one uniform per input, drawn by inverse CDF"
                .into(),
        percentiles: format!(
            "nearest rank over mergeable sketches: counts exact up to {}, other values within {}% (relative)",
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
        under_provision_penalty: penalty,
        regret: format!(
            "per provisioned line (instances billed by time): idle units x unit price + missing units x unit price x {penalty}; mean over draws; usage-billed lines carry none; the per-line optimum is the {} of need (critical ratio penalty / (1 + penalty))",
            percentile_name(critical)
        ),
        detail_phase,
        phases,
    };
    Ok((summary, opts.plan_at.map(|_| planned)))
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

fn progress_bar(draws: u64) -> indicatif::ProgressBar {
    // Hidden until a second has passed (see `run`): short runs print nothing.
    let bar = indicatif::ProgressBar::with_draw_target(
        Some(draws),
        indicatif::ProgressDrawTarget::hidden(),
    );
    bar.set_style(
        indicatif::ProgressStyle::with_template(
            "{msg} [{bar:30}] {pos}/{len} draws ({per_sec}, eta {eta})",
        )
        .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar()),
    );
    bar.set_message("monte carlo");
    bar
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
        progress: false,
    };
    run(scenario, spec, point, &opts).map(|_| ())
}

#[cfg(test)]
mod tests;
