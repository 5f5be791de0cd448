//! The scenario file (`scenarios/*.ron`): which architecture to size, with which policies.
//!
//! A scenario names a growth model and a workload model (by file or inline), the pricing
//! tables, the regions, and one block per component. A component is sized from demand by its
//! policy; `pinned` counts state what a design doc chose, and the plan reports both. Each
//! kind's policy, with its defaults and checks, is its module in [`crate::input::kinds`].

use std::collections::BTreeMap;
use std::path::Path;

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::error::InputError;
use crate::input::check::Check;
use crate::input::growth::Growth;
use crate::input::workload::Workload;

pub use crate::input::kinds::{AutoSelect, Placement, Policy};

/// A model given by file (relative to the scenario file) or inline.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub enum ModelRef<T> {
    /// A path relative to the scenario file's folder.
    File(String),
    /// The model written in place.
    Inline(T),
}

/// Which pricing tables price the plan.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct PricingRef {
    /// Provider id (`aws`); names the folder under `pricing/`.
    pub provider: String,
    /// Folder of the provider's CSV tables, relative to the scenario file.
    pub tables: String,
    /// Region whose list prices apply (`us-east-1`).
    pub region: String,
    /// Edge geography for CDN prices (`north-america`).
    #[serde(default = "default_cdn_geography")]
    pub cdn_geography: String,
    /// Instance-shape catalog CSV, relative to the scenario file.
    #[serde(default)]
    pub catalog: Option<String>,
}

fn default_cdn_geography() -> String {
    "north-america".to_string()
}

/// A serving region and the share of users it serves.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Region {
    /// Region label (`us-east-1`, `amer`).
    pub name: String,
    /// Share of all users homed in this region; the shares sum to 1.
    pub user_share: f64,
    /// The priced region whose list prices this one takes (a label such as `amer`, or a
    /// region the tables do not price); the plan warns that it does.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub price_as: Option<String>,
}

impl Region {
    /// The region whose prices bill this one's lines: `price_as`, else its own name.
    #[must_use]
    pub fn price_region(&self) -> &str {
        self.price_as.as_deref().unwrap_or(&self.name)
    }
}

/// A named price multiplier defined by the scenario (e.g. a discount a doc assumes).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ScenarioDiscount {
    /// Net price / list price, in (0, 1].
    pub multiplier: f64,
    /// Where the figure comes from.
    pub source: String,
    /// Pricing services it applies to (`rds-postgres`); empty: every billed line.
    #[serde(default)]
    pub applies_to: Vec<String>,
    /// Extra capacity bought to absorb interruptions (spot), as a fraction: the effective
    /// multiplier is `multiplier x (1 + interruption_headroom)`.
    #[serde(default)]
    pub interruption_headroom: f64,
}

/// A unit price stated by the scenario for one line item (as design docs state them).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct GivenPrice {
    /// Price in USD per `unit`.
    pub usd: f64,
    /// Billing unit: `hour`, `gb-hour`, `gb-month`, `gb`, `requests-1k`, `requests-10k`,
    /// `requests-1m` or `month`.
    pub unit: String,
    /// Where the price comes from (the doc's words).
    pub source: String,
}

/// The value of a policy's `instance` that asks for auto-selection (`selection.rs`).
pub const AUTO: &str = "auto";

/// One component of the architecture.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Component {
    /// Unique component name (`users-db`, `sessions`).
    pub name: String,
    /// What it is and how to size it.
    pub policy: Policy,
    /// Counts a design doc fixes, per phase name (or `*` for every phase), per line item.
    #[serde(default)]
    pub pinned: BTreeMap<String, BTreeMap<String, u64>>,
    /// Unit prices the scenario states, per line item; they replace table prices.
    #[serde(default)]
    pub prices: BTreeMap<String, GivenPrice>,
    /// Name of a discount (from the tables' `discounts.csv` or the scenario's `discounts`).
    #[serde(default)]
    pub discount: Option<String>,
    /// Free text: assumptions, the doc's words.
    #[serde(default)]
    pub notes: Option<String>,
    /// Months of work before a change of this component that needs a project (a reshard, a
    /// new cluster, a new shape) is live: `headroom timeline` says when that work must start.
    /// Default: the kind's (Postgres 3, Redis 2, Kafka 1, every other kind 0).
    #[serde(default)]
    pub lead_time_months: Option<u32>,
}

/// The scenario file as written.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ScenarioFile {
    /// Short name; names the output folder.
    pub name: String,
    /// What the scenario models.
    pub description: String,
    /// The design doc it reproduces, if any.
    #[serde(default)]
    pub source: Option<String>,
    /// The growth model.
    pub growth: ModelRef<Growth>,
    /// The workload model.
    pub workload: ModelRef<Workload>,
    /// Numeric workload fields replaced for this scenario.
    #[serde(default)]
    pub workload_overrides: BTreeMap<String, f64>,
    /// The pricing tables.
    pub pricing: PricingRef,
    /// Hours in a billing month.
    #[serde(default = "default_hours")]
    pub hours_per_month: f64,
    /// Serving regions and their user shares.
    pub regions: Vec<Region>,
    /// Named price multipliers the scenario defines.
    #[serde(default)]
    pub discounts: BTreeMap<String, ScenarioDiscount>,
    /// Size every per-region component to survive the loss of any one region: each region
    /// carries its own users plus its share of a lost region's (the lost region's users fail
    /// over to the survivors in proportion to their user shares), for the worst single loss.
    /// Off by default: it is a design decision (active-active failover) with a real cost.
    #[serde(default)]
    pub survive_region_loss: bool,
    /// The architecture.
    pub components: Vec<Component>,
    /// Assumptions and documented defaults (where the doc is silent).
    #[serde(default)]
    pub assumptions: Vec<String>,
    /// Monthly budget; `headroom timeline` flags the months above it.
    #[serde(default)]
    pub budget_usd_per_month: Option<f64>,
    /// Months `headroom timeline` covers unless `--months` says otherwise.
    #[serde(default)]
    pub timeline_months: Option<u32>,
    /// The design doc's figures, for `headroom audit`.
    #[serde(default)]
    pub claims: Vec<crate::input::claims::Claim>,
    /// Uncertain inputs and Monte Carlo settings (`plan --draws`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub uncertainty: Option<crate::input::uncertainty::UncertaintySpec>,
    /// Reserve a baseline of every instance line with a reserved rate and pay on demand
    /// above it; absent: every line on demand.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub commitment: Option<CommitmentPolicy>,
    /// The provider's support plan (`none`, `developer`, `enterprise`), billed in every phase
    /// as a tiered percentage of the phase's spend, never below the plan's monthly minimum;
    /// absent or `none`: no support line.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub support_plan: Option<String>,
}

/// A commitment policy: one reservation per instance line and region, bought at month 0 of
/// the growth curve for `term`, sized to `baseline`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct CommitmentPolicy {
    /// Reservation term: `1y` or `3y`.
    pub term: String,
    /// How it is paid: `no-upfront` or `all-upfront`.
    pub payment: String,
    /// How many instances of each line to reserve.
    pub baseline: Baseline,
}

/// The committed count of a line, from its counts over the term's months (months 0 to
/// term - 1 of the growth curve), never above a phase's own count.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize, JsonSchema)]
pub enum Baseline {
    /// The fewest instances of any month of the term.
    LowestMonth,
    /// The given percentile (0-100) of the term's monthly counts: `Percentile(50)` reserves
    /// the median month's count, and months above it pay on demand.
    Percentile(f64),
}

fn default_hours() -> f64 {
    crate::units::DEFAULT_HOURS_PER_MONTH
}

impl ScenarioFile {
    /// Checks what can be checked without the referenced models and tables.
    pub fn validate(&self, file: &Path) -> Result<(), InputError> {
        let c = Check::new(file, "");
        c.name("name", &self.name)?;
        c.at_least("hours_per_month", self.hours_per_month, 1.0)?;
        if self.hours_per_month > 744.0 {
            return Err(c.error(
                "hours_per_month",
                format!(
                    "a month has at most 744 hours, got {}",
                    self.hours_per_month
                ),
            ));
        }
        if self.regions.is_empty() {
            return Err(c.error("regions", "needs at least one region"));
        }
        let rc = c.nested("regions");
        let mut share_sum = 0.0;
        for (i, region) in self.regions.iter().enumerate() {
            let r = rc.nested(&format!("[{i}]"));
            r.name("name", &region.name)?;
            r.positive_ratio("user_share", region.user_share)?;
            if self.regions[..i].iter().any(|o| o.name == region.name) {
                return Err(r.error("name", format!("region `{}` is listed twice", region.name)));
            }
            share_sum += region.user_share;
        }
        if (share_sum - 1.0).abs() > 1e-6 {
            return Err(c.error(
                "regions",
                format!("user shares must sum to 1, they sum to {share_sum}"),
            ));
        }
        for (name, d) in &self.discounts {
            let dc = c.nested("discounts").nested(name);
            dc.positive_ratio("multiplier", d.multiplier)?;
            dc.ratio("interruption_headroom", d.interruption_headroom)?;
        }
        if self.components.is_empty() {
            return Err(c.error("components", "needs at least one component"));
        }
        if let Some(b) = self.budget_usd_per_month {
            c.positive("budget_usd_per_month", b)?;
        }
        if let Some(policy) = &self.commitment {
            let k = c.nested("commitment");
            crate::pricing::reserved::Term::parse(&policy.term).map_err(|e| k.error("term", e))?;
            crate::pricing::reserved::Payment::parse(&policy.payment)
                .map_err(|e| k.error("payment", e))?;
            if let Baseline::Percentile(p) = policy.baseline
                && !(0.0..=100.0).contains(&p)
            {
                return Err(k.error(
                    "baseline",
                    format!("a percentile is between 0 and 100, got {p}"),
                ));
            }
        }
        let claims = c.nested("claims");
        for (i, claim) in self.claims.iter().enumerate() {
            let k = claims.nested(&format!("[{i}]"));
            k.name("id", &claim.id)?;
            if self.claims[..i].iter().any(|o| o.id == claim.id) {
                return Err(k.error("id", format!("claim `{}` is listed twice", claim.id)));
            }
            if !claim.claimed.is_finite() {
                return Err(k.error("claimed", "must be a finite number"));
            }
            k.ratio("tolerance", claim.tolerance)?;
            for category in &claim.covers {
                if super::claims::optional_category_named(category).is_none() {
                    let known: Vec<&str> = super::claims::OPTIONAL_CATEGORIES
                        .iter()
                        .map(|(name, _)| *name)
                        .collect();
                    return Err(k.error(
                        "covers",
                        format!(
                            "`{category}` is no optional bill category{}; expected one of {}",
                            crate::error::did_you_mean(category, known.iter().copied()),
                            known.join(", ")
                        ),
                    ));
                }
            }
            for id in &claim.sum_of {
                if !self.claims[..i].iter().any(|o| &o.id == id) {
                    return Err(k.error(
                        "sum_of",
                        format!("`{id}` is not a claim listed before `{}`", claim.id),
                    ));
                }
            }
        }
        let cc = c.nested("components");
        for (i, comp) in self.components.iter().enumerate() {
            let k = cc.nested(&format!("[{i}]"));
            k.name("name", &comp.name)?;
            if self.components[..i].iter().any(|o| o.name == comp.name) {
                return Err(k.error("name", format!("component `{}` is named twice", comp.name)));
            }
            for (item, price) in &comp.prices {
                let pc = k.nested("prices").nested(item);
                pc.non_negative("usd", price.usd)?;
                if price.usd > crate::pricing::table::MAX_UNIT_PRICE_USD {
                    return Err(pc.error(
                        "usd",
                        format!(
                            "{} is beyond any unit price (limit {:e})",
                            price.usd,
                            crate::pricing::table::MAX_UNIT_PRICE_USD
                        ),
                    ));
                }
                if crate::pricing::PriceUnit::parse(&price.unit).is_none() {
                    return Err(pc.error(
                        "unit",
                        format!(
                            "unknown unit `{}`; expected one of: {}",
                            price.unit,
                            crate::pricing::PriceUnit::ALL_NAMES.join(", ")
                        ),
                    ));
                }
            }
            validate_policy(&comp.policy, &k.nested("policy"))?;
        }
        Ok(())
    }
}

/// Checks a component's policy (its kind's own rules); `c` names fields under the policy.
pub(crate) fn validate_policy(policy: &Policy, c: &Check<'_>) -> Result<(), InputError> {
    policy.validate(c)
}
