//! Kafka: an event log on brokers (MSK or self-managed). Its sizing rule (brokers from
//! ingress, partitions and retained bytes) is `sizing/kafka.rs`.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use super::{
    AutoSelect, ComponentKind, Instance, KindFacts, Placement, Reference, ShapeSource, TfvarsGroup,
    tf_attr,
};
use crate::error::InputError;
use crate::input::check::Check;

/// Kafka (or MSK) event log.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct KafkaPolicy {
    /// Broker instance type (`kafka.m5.large`).
    pub instance: String,
    /// Constraints when `instance` is `"auto"`.
    #[serde(default)]
    pub auto: Option<AutoSelect>,
    /// Per region (default) or global.
    #[serde(default)]
    pub placement: Placement,
    /// Pricing service of brokers.
    #[serde(default = "default_msk")]
    pub service: String,
    /// Pricing service of broker storage.
    #[serde(default = "default_msk_storage")]
    pub storage_service: String,
    /// Storage item.
    #[serde(default = "default_broker_storage")]
    pub storage_item: String,
    /// Replication factor.
    #[serde(default = "super::three")]
    pub replication_factor: u64,
    /// Write MB/s one broker absorbs, replication traffic included.
    pub broker_ingress_mb_s: f64,
    /// Share of a broker's baseline network bandwidth its writes may use: when the catalog
    /// knows the shape's network, a broker absorbs at most this share of it.
    #[serde(default = "default_network_utilization")]
    pub network_utilization: f64,
    /// MB/s one partition sustains (drives the partition count).
    pub partition_mb_s: f64,
    /// Fewest partitions in all.
    #[serde(default)]
    pub min_partitions: u64,
    /// Most partition replicas one broker hosts.
    #[serde(default = "default_partitions_per_broker")]
    pub max_partitions_per_broker: u64,
    /// Disk per broker, GB.
    pub broker_disk_gb: f64,
    /// Spare capacity kept above demand, as a fraction.
    pub headroom: f64,
}

fn default_network_utilization() -> f64 {
    0.4
}

fn default_msk() -> String {
    "msk".into()
}
fn default_msk_storage() -> String {
    "msk-storage".into()
}
fn default_broker_storage() -> String {
    "broker-storage".into()
}
fn default_partitions_per_broker() -> u64 {
    4000
}

impl ComponentKind for KafkaPolicy {
    const FACTS: KindFacts = KindFacts {
        stateful: true,
        shapes: Some(ShapeSource {
            catalog_service: "msk",
            instance_prefix: "kafka.",
        }),
        tfvars: Some(TfvarsGroup {
            variable: "kafka_clusters",
            what: "Kafka clusters by component",
            attrs: &[
                tf_attr(
                    "broker",
                    "broker_count",
                    "brokers: the most of those needed by ingress x replication, by partitions x replication per broker, by retained bytes x replication per disk, and the replication factor",
                ),
                tf_attr(
                    "partitions",
                    "partition_count",
                    "topic partitions: peak ingress / partition throughput, at least min_partitions",
                ),
                tf_attr(
                    "storage",
                    "storage_gb",
                    "broker storage in all: retained bytes x replication x (1 + headroom)",
                ),
            ],
            map_attr: None,
        }),
        // A month: a new broker shape is a rolling replacement of every broker with partition
        // reassignment, scheduled with the topics' owners. More brokers or partitions are
        // routine (one online operation each) and need no lead time.
        lead_time_months: 1,
    };

    fn validate(&self, c: &Check<'_>) -> Result<(), InputError> {
        c.name("instance", &self.instance)?;
        c.count_at_least("replication_factor", self.replication_factor, 1)?;
        c.positive("broker_ingress_mb_s", self.broker_ingress_mb_s)?;
        c.positive_ratio("network_utilization", self.network_utilization)?;
        c.positive("partition_mb_s", self.partition_mb_s)?;
        c.count_at_least(
            "max_partitions_per_broker",
            self.max_partitions_per_broker,
            1,
        )?;
        c.positive("broker_disk_gb", self.broker_disk_gb)?;
        c.non_negative("headroom", self.headroom)
    }

    fn placement(&self) -> Placement {
        self.placement
    }

    fn instance(&self) -> Option<Instance<'_>> {
        Some(Instance {
            default: &self.instance,
            by_phase: None,
            auto: self.auto.as_ref(),
        })
    }

    fn instance_mut(&mut self) -> Option<&mut String> {
        Some(&mut self.instance)
    }

    fn risks(&self) -> Vec<String> {
        if self.replication_factor < 2 {
            vec![
                "Kafka with replication_factor 1: losing a broker loses the partitions it leads"
                    .into(),
            ]
        } else {
            Vec::new()
        }
    }

    fn references(&self) -> Vec<Reference<'_>> {
        Vec::new()
    }
}
