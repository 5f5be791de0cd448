//! Cdn: delivery from edge locations (edge egress, origin fetches, requests). Its sizing rule
//! is `sizing/cdn.rs`.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use super::{ComponentKind, Instance, KindFacts, Placement, Reference, TfvarsGroup, tf_attr};
use crate::error::InputError;
use crate::input::check::Check;

/// CDN delivery: edge egress, origin fetches, requests.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct CdnPolicy {
    /// Pricing service of edge egress.
    #[serde(default = "default_cdn_service")]
    pub service: String,
    /// Edge egress item.
    #[serde(default = "default_egress")]
    pub item: String,
    /// Pricing service of requests.
    #[serde(default = "default_cdn_requests")]
    pub requests_service: String,
    /// Requests item (`https`).
    #[serde(default = "default_https")]
    pub requests_item: String,
    /// Origin-to-edge transfer price when it is billed (free from AWS origins to CloudFront).
    #[serde(default)]
    pub origin_price: Option<PriceRef>,
}

/// A price in the tables, by service and item (the region is the scenario's).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct PriceRef {
    /// Pricing service (`internet-egress`).
    pub service: String,
    /// Item of that service (`egress`).
    pub item: String,
}

fn default_cdn_service() -> String {
    "cloudfront-egress".into()
}
fn default_egress() -> String {
    "egress".into()
}
fn default_cdn_requests() -> String {
    "cloudfront-requests".into()
}
fn default_https() -> String {
    "https".into()
}

impl ComponentKind for CdnPolicy {
    const FACTS: KindFacts = KindFacts {
        stateful: false,
        shapes: None,
        tfvars: Some(TfvarsGroup {
            variable: "cdn_distributions",
            what: "CDN delivery by component",
            attrs: &[
                tf_attr(
                    "edge-egress",
                    "edge_egress_gb_per_month",
                    "bytes delivered from the edge per month",
                ),
                tf_attr(
                    "origin-egress",
                    "origin_egress_gb_per_month",
                    "origin fetches per month: edge egress x (1 - byte hit ratio)",
                ),
                tf_attr("requests", "requests_per_month", "CDN requests per month"),
            ],
            map_attr: None,
        }),
        // A managed CDN bills what it serves: no capacity to build.
        lead_time_months: 0,
    };

    /// Every field is a price reference, checked against the tables when they load.
    fn validate(&self, _: &Check<'_>) -> Result<(), InputError> {
        Ok(())
    }

    /// Edge locations serve every region's users from one deployment.
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
