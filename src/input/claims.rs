//! Claims: figures a design doc states, written down so `headroom audit` can check them.
//!
//! Each claim quotes the doc, says what its number refers to (a plan line, a component or
//! phase total, a per-user cost, a demand figure, an instance spec, a list price, or a plain
//! arithmetic statement with the doc's operands), and gives the claimed value and a tolerance.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// Bill categories a design doc's total often leaves out, by line item: the audit compares
/// a doc's total with the plan's other lines, and lists these as omitted unless the claim
/// says it `covers` them.
pub const OPTIONAL_CATEGORIES: &[(&str, &[&str])] = &[
    ("api-egress", &["api-egress"]),
    (
        "cross-az-transfer",
        &["cross-az-clients", "cross-az-replication"],
    ),
    ("load-balancers", &["load-balancer", "lb-capacity-units"]),
    ("nat-gateways", &["nat-gateway", "nat-data"]),
    ("node-volumes", &["node-volume"]),
    ("backups", &["backup-storage"]),
    ("object-storage-requests", &["put-requests", "get-requests"]),
    (
        "observability",
        &["log-ingest", "log-storage", "metric-series"],
    ),
    ("support", &["support-plan"]),
];

/// The optional bill category of a line item, if it is in one.
#[must_use]
pub fn optional_category(item: &str) -> Option<&'static str> {
    OPTIONAL_CATEGORIES
        .iter()
        .find(|(_, items)| items.contains(&item))
        .map(|(category, _)| *category)
}

/// The category named `name`, if it is one of [`OPTIONAL_CATEGORIES`].
#[must_use]
pub fn optional_category_named(name: &str) -> Option<&'static str> {
    OPTIONAL_CATEGORIES
        .iter()
        .map(|(category, _)| *category)
        .find(|category| *category == name)
}

/// What a line claim measures.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub enum LineMeasure {
    /// The provisioned count (pinned where pinned).
    Count,
    /// What demand needs under the policy.
    DerivedCount,
    /// Monthly cost at list price.
    ListMonthlyUsd,
    /// Monthly cost after discounts.
    MonthlyUsd,
    /// The unit price.
    UnitPriceUsd,
}

/// What a total claim measures.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub enum CostMeasure {
    /// Monthly cost at list price.
    ListMonthlyUsd,
    /// Monthly cost after discounts.
    MonthlyUsd,
}

/// Whom a per-user cost divides by.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub enum UserBasis {
    Users,
    Mau,
    Dau,
}

/// An instance-shape figure.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub enum SpecField {
    Vcpu,
    MemoryGib,
    /// Memory available to data (ElastiCache publishes it below RAM).
    UsableMemoryGib,
}

/// What a claim's number refers to.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub enum ClaimRef {
    /// The sum over `items` of one component's lines in a phase.
    Line {
        phase: String,
        component: String,
        items: Vec<String>,
        measure: LineMeasure,
    },
    /// A component's total in a phase.
    Component {
        phase: String,
        component: String,
        measure: CostMeasure,
    },
    /// A phase's total.
    Phase { phase: String, measure: CostMeasure },
    /// A phase's monthly cost per user, MAU or DAU.
    PerUser {
        phase: String,
        basis: UserBasis,
        measure: CostMeasure,
    },
    /// A demand figure of a phase (`dau`, `peak_concurrent_users`, `cdn_egress_gb_per_month`...).
    Demand { phase: String, field: String },
    /// A statement the doc makes with its own operands: `4096 * 0.50 * hours`. Numbers, + - *
    /// / ^, parentheses, and `hours` (the scenario's hours per month).
    Arithmetic { expr: String },
    /// An instance type's published shape (from the catalog).
    Spec { instance: String, field: SpecField },
    /// A list price in the tables (the scenario's pricing region unless given).
    Price {
        service: String,
        item: String,
        #[serde(default)]
        region: Option<String>,
    },
}

/// How the claimed value must relate to the computed one.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize, JsonSchema)]
pub enum Relation {
    /// claimed = computed, within the tolerance.
    #[default]
    Equal,
    /// claimed <= computed (a limit the doc says it stays under).
    AtMost,
    /// claimed >= computed (a floor the doc says it meets).
    AtLeast,
}

fn default_tolerance() -> f64 {
    0.01
}

/// One claim of a design doc.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Claim {
    /// Stable id (`003-db-monthly`).
    pub id: String,
    /// The doc's words, short.
    pub quote: String,
    /// What the number refers to.
    pub refers_to: ClaimRef,
    /// The value the doc states.
    pub claimed: f64,
    /// Its unit (`USD/month`, `nodes`, `GiB`).
    pub unit: String,
    /// Relative tolerance for "ok" (0.01 = 1%).
    #[serde(default = "default_tolerance")]
    pub tolerance: f64,
    /// Equal (default), or a bound: `AtMost` (claimed <= computed), `AtLeast`.
    #[serde(default)]
    pub relation: Relation,
    /// Ids of claims this one is the doc's sum of (for the "sum of wrong lines" diagnosis).
    #[serde(default)]
    pub sum_of: Vec<String>,
    /// Optional bill categories (`api-egress`, `cross-az-transfer`, `load-balancers`,
    /// `nat-gateways`, `node-volumes`, `backups`, `object-storage-requests`, `observability`,
    /// `support`) a component, phase or per-user total includes. The lines of the others are left out of
    /// the compared total and listed as omitted with their cost.
    #[serde(default)]
    pub covers: Vec<String>,
    /// Why this claim is read the way it is.
    #[serde(default)]
    pub note: Option<String>,
}
