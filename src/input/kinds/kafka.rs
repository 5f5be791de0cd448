//! Kafka: an event log on brokers (MSK or self-managed). Its sizing rule (brokers from
//! ingress, partitions and retained bytes) is `sizing/kafka.rs`.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use super::{
    AutoSelect, ComponentKind, Instance, KindFacts, Placement, Reference, ShapeSource, TfvarsGroup,
    tf_attr,
};
use crate::catalog::{Catalog, Shape};
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
    /// Write MB/s one broker absorbs, replication traffic included, when stated: a capacity
    /// checked besides the shape's network and disk throughput. Leave it out to size
    /// throughput from the shape alone.
    #[serde(default)]
    pub broker_ingress_mb_s: Option<f64>,
    /// Consumer groups reading every write (default 1): each one is a copy of the ingress
    /// leaving the brokers (AWS's Kafka sizing Equation 1).
    #[serde(default = "super::one_f")]
    pub consumer_groups: f64,
    /// Most brokers in one cluster (default 60: MSK's quota for KRaft-based clusters,
    /// adjustable); more brokers make more clusters.
    #[serde(default = "default_brokers_per_cluster")]
    pub max_brokers_per_cluster: u64,
    /// Share of a broker's baseline network bandwidth (and of its EBS baseline throughput)
    /// traffic may fill: the spare fraction covers broker faults, rebalancing and bursts.
    #[serde(default = "default_network_utilization")]
    pub network_utilization: f64,
    /// MB/s one partition sustains (drives the partition count).
    pub partition_mb_s: f64,
    /// Fewest partitions in all.
    #[serde(default)]
    pub min_partitions: u64,
    /// Most partition replicas one broker hosts; by default MSK's guidance for the broker's
    /// size (up to 4 vCPU: 1,000; 8 vCPU: 2,000; 16 and more: 4,000; kafka.t3.small: 300).
    #[serde(default)]
    pub max_partitions_per_broker: Option<u64>,
    /// Disk per broker, GB, when stated: brokers then also follow from retained bytes over
    /// it. Leave it out to give each broker the disk its share of the data needs, up to
    /// `max_broker_disk_gb`.
    #[serde(default)]
    pub broker_disk_gb: Option<f64>,
    /// Most disk one broker may have, GB (default 17,592.19 GB = 16,384 GiB, MSK's most
    /// storage per Standard broker).
    #[serde(default = "default_max_broker_disk_gb")]
    pub max_broker_disk_gb: f64,
    /// Throughput of a broker's storage volume, MiB/s (default 250: MSK's per-broker default).
    /// A broker writes no faster than the lower of it and its shape's EBS baseline. Raise it
    /// only with MSK provisioned storage throughput (kafka.m5.4xlarge or kafka.m7g.2xlarge and
    /// larger), which the price tables do not price: add its cost as a `Fixed` line.
    #[serde(default = "default_volume_throughput_mib_s")]
    pub volume_throughput_mib_s: f64,
    /// Smallest broker shape allowed (`kafka.m5.xlarge`): auto-selection rejects shapes with
    /// fewer vCPUs or less memory, and a fixed `instance` below it is an input error. MSK's
    /// best practices advise against the smallest brokers for production (too little memory
    /// for the page cache, partition limits); this makes that a rule, not a habit.
    #[serde(default)]
    pub min_broker_instance: Option<String>,
    /// Spare capacity kept above demand, as a fraction.
    pub headroom: f64,
    /// Availability zones its nodes and their clients spread over, for cross-AZ transfer
    /// (default 3; 0 or 1: one zone, no cross-AZ lines).
    #[serde(default = "super::three")]
    pub cross_az_zones: u64,
    /// Consumers fetch from a replica in their own zone (KIP-392 rack-aware fetching):
    /// their reads do not cross zones. Default false: consumers read from partition leaders.
    #[serde(default)]
    pub follower_fetching: bool,
}

/// True when `shape` is below the `floor` broker shape: fewer vCPUs or less memory.
#[must_use]
pub fn below_min_broker(shape: &Shape, floor: &Shape) -> bool {
    shape.vcpu < floor.vcpu || shape.memory_gib < floor.memory_gib
}

impl KafkaPolicy {
    /// Checks `min_broker_instance` against the catalog: an MSK shape it lists, and a fixed
    /// `instance` that is not below it.
    pub fn check_min_broker(&self, c: &Check<'_>, catalog: &Catalog) -> Result<(), InputError> {
        let Some(min) = &self.min_broker_instance else {
            return Ok(());
        };
        let field = "min_broker_instance";
        let floor = catalog
            .get(min)
            .filter(|s| s.service == Self::FACTS.shapes.map_or("", |s| s.catalog_service))
            .ok_or_else(|| {
                c.error(
                    field,
                    format!(
                        "`{min}` is no Kafka broker shape of the catalog{}",
                        crate::error::did_you_mean(min, catalog.instances())
                    ),
                )
            })?;
        if self.instance == crate::input::scenario::AUTO {
            return Ok(());
        }
        match catalog.get(&self.instance) {
            Some(shape) if below_min_broker(shape, floor) => Err(c.error(
                "instance",
                format!(
                    "`{}` ({} vCPU, {} GiB) is below min_broker_instance `{min}` ({} vCPU, {} GiB)",
                    self.instance, shape.vcpu, shape.memory_gib, floor.vcpu, floor.memory_gib
                ),
            )),
            _ => Ok(()),
        }
    }
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
/// 16,384 GiB in decimal GB.
/// MSK's default storage throughput per Standard broker (MSK developer guide, "Manage storage
/// throughput for Standard brokers"; models/limits/aws.csv).
fn default_volume_throughput_mib_s() -> f64 {
    250.0
}

fn default_max_broker_disk_gb() -> f64 {
    16_384.0 * 1_073_741_824.0 / 1e9
}

fn default_brokers_per_cluster() -> u64 {
    60
}

/// MSK's recommended most partition replicas per broker for a broker of `vcpu` vCPUs
/// (MSK developer guide, best practices, 2026-12-01): m5/m7g large and xlarge 1,000,
/// 2xlarge 2,000, 4xlarge and larger 4,000.
#[must_use]
pub fn msk_partitions_per_broker(instance: &str, vcpu: f64) -> u64 {
    if instance == "kafka.t3.small" {
        300
    } else if vcpu <= 4.0 {
        1_000
    } else if vcpu <= 8.0 {
        2_000
    } else {
        4_000
    }
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
                    "brokers: the most of those needed by network in (ingress x replication) and out (consumer groups + replication - 1), by disk throughput, by partitions x replication per broker, by retained bytes x replication per disk, and the replication factor",
                ),
                tf_attr(
                    "partitions",
                    "partition_count",
                    "topic partitions: peak ingress / partition throughput, at least min_partitions",
                ),
                tf_attr(
                    "storage",
                    "storage_gb",
                    "broker storage in all: brokers x broker_disk_gb, or retained bytes x replication x (1 + headroom) spread over the brokers",
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
        if let Some(v) = self.broker_ingress_mb_s {
            c.positive("broker_ingress_mb_s", v)?;
        }
        c.non_negative("consumer_groups", self.consumer_groups)?;
        c.count_at_least("max_brokers_per_cluster", self.max_brokers_per_cluster, 1)?;
        c.positive_ratio("network_utilization", self.network_utilization)?;
        c.positive("partition_mb_s", self.partition_mb_s)?;
        if let Some(v) = self.max_partitions_per_broker {
            c.count_at_least("max_partitions_per_broker", v, 1)?;
        }
        if let Some(v) = self.broker_disk_gb {
            c.positive("broker_disk_gb", v)?;
        }
        c.positive("max_broker_disk_gb", self.max_broker_disk_gb)?;
        c.positive("volume_throughput_mib_s", self.volume_throughput_mib_s)?;
        if let Some(min) = &self.min_broker_instance {
            c.name("min_broker_instance", min)?;
        }
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
