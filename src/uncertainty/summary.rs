//! What the draws found, as a plan carries it (`plan.uncertainty`, `plan.json`): percentiles,
//! least-regret candidates and tornado swings per phase.
//!
//! These are plain data, below the plan in the layer order so the plan can hold them; the
//! draws that compute them (the rest of `crate::uncertainty`) sit above the plan and read it.

use std::collections::BTreeMap;

use serde::Serialize;

use crate::input::uncertainty::Distribution;

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
    pub candidates: Vec<Candidate>,
    /// The candidate with the least mean regret.
    pub least_regret: String,
    /// The shapes the draws chose for each `instance: "auto"` component that could choose
    /// again (`uncertainty.reselect_shapes`); absent otherwise.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub shapes: Vec<ShapeShare>,
}

impl Uncertainty {
    /// One warning per phase and `auto` component where some draws found no shape within the
    /// component's limits (they kept the plan's shape, over them).
    #[must_use]
    pub fn shape_warnings(&self) -> Vec<String> {
        let mut warnings = Vec::new();
        for phase in &self.phases {
            for share in phase.shapes.iter().filter(|s| s.instance == NO_SHAPE_FITS) {
                warnings.push(format!(
                    "{} at {}: in {} of {} draws ({:.1}%) no catalog shape fits within the component's limits (auto.max_nodes, min_vcpu, min_memory_gib); those draws keep the plan's shape over them",
                    share.component,
                    phase.name,
                    crate::units::group_thousands(share.draws),
                    crate::units::group_thousands(self.draws),
                    share.share * 100.0
                ));
            }
        }
        warnings
    }
}

/// The `instance` of the draws of a phase whose demand no shape of the catalog holds within the
/// component's limits: they keep the plan's shape, over its limits.
pub const NO_SHAPE_FITS: &str = "none fits (plan's shape over its limits)";

/// The `instance` of the draws of a phase that none of the plan's shapes could hold, each of
/// which searched the whole catalog.
pub const OTHER_SHAPES: &str = "other (a whole search)";

/// How many draws of a phase chose one shape for an `auto` component.
#[derive(Debug, Clone, Serialize)]
pub struct ShapeShare {
    pub component: String,
    pub instance: String,
    pub draws: u64,
    /// draws / all draws.
    pub share: f64,
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

/// The summary a report prints.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Percentiles {
    pub mean: f64,
    pub p5: f64,
    pub p50: f64,
    pub p90: f64,
    pub p95: f64,
    pub p99: f64,
    pub min: f64,
    pub max: f64,
}

impl Percentiles {
    /// Every figure rounded to cents (money: a sketch's bucket value has no meaning below).
    #[must_use]
    pub fn cents(self) -> Percentiles {
        let r = crate::units::round_cents;
        Percentiles {
            mean: r(self.mean),
            p5: r(self.p5),
            p50: r(self.p50),
            p90: r(self.p90),
            p95: r(self.p95),
            p99: r(self.p99),
            min: r(self.min),
            max: r(self.max),
        }
    }
}

/// One candidate sizing and its score.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Candidate {
    /// `P90`, `critical ratio P80`, `as written`.
    pub name: String,
    /// The percentile of need each line is provisioned at (`None`: the plan as written).
    pub percentile: Option<f64>,
    /// Monthly cost of the provisioned lines at this sizing.
    pub provisioned_monthly_usd: f64,
    /// Mean over draws of the cost of idle capacity.
    pub mean_over_provision_usd: f64,
    /// Mean over draws of the penalty for missing capacity.
    pub mean_under_provision_penalty_usd: f64,
    /// Their sum: the candidate's score.
    pub mean_regret_usd: f64,
    /// Lines that would be short in more than 10% of draws.
    pub lines_short_over_10pct: usize,
}
