//! Fixed: lines a design doc states that headroom does not size (monitoring, a search
//! cluster...), billed as written. Its "rule" is `sizing/fixed.rs`.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use super::{ComponentKind, Instance, KindFacts, Placement, Reference};
use crate::error::InputError;
use crate::input::check::Check;

/// Lines a doc states that headroom does not size (monitoring, a search cluster...).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct FixedPolicy {
    /// The lines.
    pub lines: Vec<FixedLine>,
}

/// One fixed line.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct FixedLine {
    /// Line item name.
    pub item: String,
    /// Count in the line's measure (instances for hourly prices, GB for per-GB prices, 1 for
    /// a flat monthly plan).
    pub count: u64,
    /// Pricing service, when priced from the tables (else give a price in `prices`).
    #[serde(default)]
    pub service: Option<String>,
    /// Pricing item in that service (default: `item`).
    #[serde(default)]
    pub price_item: Option<String>,
}

impl ComponentKind for FixedPolicy {
    const FACTS: KindFacts = KindFacts {
        stateful: false,
        shapes: None,
        // Fixed lines are whatever the doc states: they go to `component_counts` only.
        tfvars: None,
        // A stated count: growth is a purchase, not a project.
        lead_time_months: 0,
    };

    fn validate(&self, c: &Check<'_>) -> Result<(), InputError> {
        for (i, line) in self.lines.iter().enumerate() {
            c.nested("lines")
                .nested(&format!("[{i}]"))
                .name("item", &line.item)?;
        }
        Ok(())
    }

    /// Stated counts are totals, not per region.
    fn placement(&self) -> Placement {
        Placement::Global
    }

    /// A fixed line may name an instance as its item, but nothing is chosen or sized on it.
    fn instance(&self) -> Option<Instance<'_>> {
        None
    }

    fn instance_mut(&mut self) -> Option<&mut String> {
        None
    }

    fn risks(&self) -> Vec<String> {
        Vec::new()
    }

    fn references(&self) -> Vec<Reference<'_>> {
        Vec::new()
    }
}
