//! A scenario's `uncertainty` section as written: which inputs are uncertain, their
//! distributions, and the Monte Carlo settings. The draws themselves are `crate::uncertainty`'s.

use std::collections::BTreeMap;

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// A scenario's `uncertainty` section.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
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
    /// Each draw chooses every `instance: "auto"` component's shape again, the cheapest for
    /// that draw among the shape the plan chose and its `alternatives` runners-up (default
    /// true; false: draws keep the plan's shapes).
    #[serde(default = "yes")]
    pub reselect_shapes: bool,
}

fn yes() -> bool {
    true
}

/// An uncertain input as written in a scenario's `uncertainty.inputs`.
///
/// ```ron
/// "workload.dau_ratio": Pert(low: 0.2, mode: 0.3, high: 0.5),
/// "workload.session_bytes": LogNormal(p10: 2000, p90: 8000),
/// "workload.peak_to_average": Interval(low: 2, mid: 3, high: 5, confidence: 0.9),
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub enum Distribution {
    /// A known value (every draw takes it).
    Fixed(f64),
    /// Every value in [low, high] equally likely.
    Uniform { low: f64, high: f64 },
    /// Linear up from `low` to `mode`, down to `high`.
    Triangular { low: f64, mode: f64, high: f64 },
    /// Beta-PERT on [low, high] around `mode`; `lambda` (default 4) weights the mode.
    Pert {
        low: f64,
        mode: f64,
        high: f64,
        #[serde(default)]
        lambda: Option<f64>,
    },
    /// Normal with the given mean and standard deviation, truncated to [low, high] where given.
    Normal {
        mean: f64,
        sd: f64,
        #[serde(default)]
        low: Option<f64>,
        #[serde(default)]
        high: Option<f64>,
    },
    /// Lognormal from the mean and standard deviation of the value, or from its P10 and P90;
    /// truncated to [min, max] where given.
    LogNormal {
        #[serde(default)]
        mean: Option<f64>,
        #[serde(default)]
        sd: Option<f64>,
        #[serde(default)]
        p10: Option<f64>,
        #[serde(default)]
        p90: Option<f64>,
        #[serde(default)]
        min: Option<f64>,
        #[serde(default)]
        max: Option<f64>,
    },
    /// A confidence interval: `low` and `high` bound the central `confidence` share of the
    /// outcomes and `mid` is the median. Drawn as a split normal (each side its own spread),
    /// so a skewed interval stays skewed; truncated to [min, max] where given.
    Interval {
        low: f64,
        mid: f64,
        high: f64,
        confidence: f64,
        #[serde(default)]
        min: Option<f64>,
        #[serde(default)]
        max: Option<f64>,
    },
}
