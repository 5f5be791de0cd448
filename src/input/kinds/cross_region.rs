//! CrossRegion: the transfer of replicated bytes between regions. Its sizing rule is
//! `sizing/cross_region.rs`.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use super::{ComponentKind, Instance, KindFacts, Placement, Reference, TfvarsGroup, tf_attr};
use crate::error::InputError;
use crate::input::check::Check;

/// Cross-region replication transfer.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct CrossRegionPolicy {
    /// Pricing service.
    #[serde(default = "default_inter_region")]
    pub service: String,
    /// Pricing item.
    #[serde(default = "default_to_other_region")]
    pub item: String,
    /// Regions each replicated byte is sent to; default: every other region.
    #[serde(default)]
    pub destinations: Option<u64>,
}

fn default_inter_region() -> String {
    "inter-region".into()
}
fn default_to_other_region() -> String {
    "to-other-region".into()
}

impl ComponentKind for CrossRegionPolicy {
    const FACTS: KindFacts = KindFacts {
        stateful: false,
        shapes: None,
        tfvars: Some(TfvarsGroup {
            variable: "cross_region_transfers",
            what: "Cross-region replication transfer by component",
            attrs: &[tf_attr(
                "transfer",
                "transfer_gb_per_month",
                "bytes replicated to other regions per month: replicated bytes x destination regions",
            )],
            map_attr: None,
        }),
        // Transfer is billed as used: no capacity to build.
        lead_time_months: 0,
    };

    /// Every field is a price reference or a count any value of which is meaningful.
    fn validate(&self, _: &Check<'_>) -> Result<(), InputError> {
        Ok(())
    }

    /// The transfer is counted once, over all regions' replicated bytes.
    fn placement(&self) -> Placement {
        Placement::Global
    }

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
