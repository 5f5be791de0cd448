//! ObjectStorage: buckets split over storage classes, with replicated copies. Its sizing rule
//! is `sizing/object_storage.rs`.

use std::collections::BTreeMap;

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use super::{ComponentKind, Instance, KindFacts, Placement, Reference, TfvarsGroup};
use crate::error::InputError;
use crate::input::check::Check;

/// Object storage split over storage classes.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ObjectStoragePolicy {
    /// Pricing service.
    #[serde(default = "default_s3")]
    pub service: String,
    /// Share of bytes per storage class item (`standard`, `glacier-deep-archive`); sums to 1.
    pub classes: BTreeMap<String, f64>,
    /// Full copies kept (cross-region replicated buckets count each).
    #[serde(default = "super::one")]
    pub copies: u64,
    /// Mean size of one stored object, in bytes: stored objects = stored bytes / this. 0 (the
    /// default) counts no objects and bills no writes.
    #[serde(default)]
    pub object_bytes: f64,
    /// Writes (PUT/POST) per stored object per month (1 writes every object once a month);
    /// 0 (the default) bills no writes (`put-requests` line).
    #[serde(default)]
    pub writes_per_object_per_month: f64,
    /// Reads (GET) of the store per CDN miss (1 when the CDN's origin is this store); 0 (the
    /// default) bills no reads (`get-requests` line).
    #[serde(default)]
    pub reads_per_cdn_miss: f64,
    /// Pricing service of requests (items `put` and `get`).
    #[serde(default = "default_s3_requests")]
    pub requests_service: String,
}

fn default_s3_requests() -> String {
    "s3-requests".into()
}

fn default_s3() -> String {
    "s3-storage".into()
}

impl ComponentKind for ObjectStoragePolicy {
    const FACTS: KindFacts = KindFacts {
        stateful: false,
        shapes: None,
        tfvars: Some(TfvarsGroup {
            variable: "object_storage_buckets",
            what: "Object storage by component",
            attrs: &[],
            map_attr: Some((
                "storage_gb_by_class",
                "stored volume per storage class: bytes per user x users x copies x the class's share",
            )),
        }),
        // Managed storage grows as written: no capacity to build.
        lead_time_months: 0,
    };

    fn validate(&self, c: &Check<'_>) -> Result<(), InputError> {
        if self.classes.is_empty() {
            return Err(c.error("classes", "needs at least one storage class"));
        }
        let mut sum = 0.0;
        for (class, share) in &self.classes {
            c.nested("classes").ratio(class, *share)?;
            sum += share;
        }
        if (sum - 1.0).abs() > 1e-6 {
            return Err(c.error(
                "classes",
                format!("shares must sum to 1, they sum to {sum}"),
            ));
        }
        c.non_negative("object_bytes", self.object_bytes)?;
        c.non_negative(
            "writes_per_object_per_month",
            self.writes_per_object_per_month,
        )?;
        c.non_negative("reads_per_cdn_miss", self.reads_per_cdn_miss)?;
        c.count_at_least("copies", self.copies, 1)
    }

    /// One store holds every region's users' bytes (copies count the replicas).
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
