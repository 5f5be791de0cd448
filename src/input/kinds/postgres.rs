//! Postgres: a sharded PostgreSQL cluster (RDS or self-managed), with standbys, read replicas
//! and cross-region replicas per shard. Its sizing rule is `sizing/postgres.rs`.

use std::collections::BTreeMap;

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use super::{
    AutoSelect, ComponentKind, Instance, KindFacts, Placement, Reference, ShapeSource, TfvarsGroup,
    tf_attr,
};
use crate::error::InputError;
use crate::input::check::Check;

/// PostgreSQL: shards from data size, write rate and users per shard; replicas per shard.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct PostgresPolicy {
    /// Instance type of every node (`db.r6g.2xlarge`).
    pub instance: String,
    /// Constraints when `instance` is `"auto"`.
    #[serde(default)]
    pub auto: Option<AutoSelect>,
    /// Instance type per phase name, where it differs.
    #[serde(default)]
    pub instance_by_phase: BTreeMap<String, String>,
    /// Per region (default) or global.
    #[serde(default)]
    pub placement: Placement,
    /// Pricing service of the nodes.
    #[serde(default = "default_rds_service")]
    pub service: String,
    /// Data bytes one shard may hold.
    pub max_data_bytes_per_shard: f64,
    /// Write queries/s one shard's primary may take, when stated: a capacity that overrides
    /// the one derived from the shape's vCPUs (`cpu_ms_per_write`). Kept for scenarios that
    /// state it; leave it out to size writes from the shape.
    #[serde(default)]
    pub max_write_qps_per_shard: Option<f64>,
    /// CPU time one write query costs on the database, in milliseconds. Default 0.4 ms: pgbench
    /// TPC-B on RDS db.m8gd.xlarge (4 vCPU) ran about 4,700 transactions/s, ~1,200 per vCPU,
    /// of 5 statements each, so ~0.17 ms of CPU per statement; reads are rounded up to 0.2 ms
    /// and writes doubled (WAL, index upkeep). Measure your own where you can.
    #[serde(default = "default_cpu_ms_per_write")]
    pub cpu_ms_per_write: f64,
    /// CPU time one read query costs, in milliseconds (default 0.2 ms, see `cpu_ms_per_write`).
    #[serde(default = "default_cpu_ms_per_read")]
    pub cpu_ms_per_read: f64,
    /// Busy share of a node's vCPUs at peak (default 0.6: room for vacuum, checkpoints and a
    /// failover's extra load).
    #[serde(default = "default_cpu_utilization")]
    pub target_cpu_utilization: f64,
    /// Storage I/O operations per write query (default 1.0: the WAL write; group commit and
    /// checkpoint writes roughly cancel).
    #[serde(default = "super::one_f")]
    pub iops_per_write: f64,
    /// Share of reads that miss the buffer cache and read one page from disk (default 0.05:
    /// a working set that fits memory).
    #[serde(default = "default_read_cache_miss")]
    pub read_cache_miss_fraction: f64,
    /// Spare storage kept above the data, apart from compute `headroom` (default 0.2: RDS
    /// storage autoscaling acts at 10% free; twice that leaves time to act).
    #[serde(default = "default_storage_headroom")]
    pub storage_headroom: f64,
    /// Most storage one instance may have, in GB (default 70,368.74 GB = 64 TiB, the RDS for
    /// PostgreSQL maximum): more data means more shards.
    #[serde(default = "default_max_storage_gb")]
    pub max_storage_gb_per_instance: f64,
    /// Registered users one shard may hold (no cap when absent).
    #[serde(default)]
    pub max_users_per_shard: Option<f64>,
    /// Share of a shard's data that must stay in memory (the hot working set); with it,
    /// shards also follow from node memory (75% of RAM as buffer cache), so larger instances
    /// need fewer shards.
    #[serde(default)]
    pub working_set_fraction: Option<f64>,
    /// Round the shard count up to a power of two (hash-slot friendly).
    #[serde(default)]
    pub round_shards_to_power_of_two: bool,
    /// Fewest shards.
    #[serde(default = "super::one")]
    pub min_shards: u64,
    /// Synchronous standbys per shard (Multi-AZ).
    #[serde(default)]
    pub sync_replicas: u64,
    /// Fewest read replicas per shard.
    #[serde(default)]
    pub min_read_replicas: u64,
    /// Read queries/s one read replica serves; when set, read replicas scale with reads.
    #[serde(default)]
    pub read_qps_per_replica: Option<f64>,
    /// Asynchronous cross-region replicas per shard.
    #[serde(default)]
    pub geo_replicas: u64,
    /// Spare capacity kept above demand, as a fraction (0.3 = 30%).
    pub headroom: f64,
    /// Pricing service of storage.
    #[serde(default = "default_rds_storage_service")]
    pub storage_service: String,
    /// Storage item (`gp3`).
    #[serde(default = "default_gp3")]
    pub storage_item: String,
    /// Availability zones its nodes and their clients spread over, for cross-AZ transfer
    /// (default 3; 0 or 1: one zone, no cross-AZ lines).
    #[serde(default = "super::three")]
    pub cross_az_zones: u64,
    /// Bytes one query moves between client and database, request and result (default
    /// 1,000 B: a row or a few); 0: no `cross-az-clients` line.
    #[serde(default = "default_bytes_per_query")]
    pub bytes_per_query: f64,
    /// Root volume of each node, GB of gp3 (default 20; 0 bills none). Billed only for
    /// self-managed nodes on EC2 (`service: "ec2"`); managed services include theirs.
    #[serde(default = "super::app::default_node_volume_gb")]
    pub node_volume_gb: u64,
    /// IOPS a node's volume includes at no charge below `striped_storage_gib` (default 3,000:
    /// gp3's baseline; 0 for io1/io2, where every IOPS is provisioned). A node needing more is
    /// allocated `striped_storage_gib` where that is set, else gets the rest as provisioned
    /// IOPS, billed per IOPS-month.
    #[serde(default = "default_volume_baseline_iops")]
    pub volume_baseline_iops: f64,
    /// Price item of provisioned IOPS, under `storage_service` (`gp3-iops`; `io1-iops` with
    /// `volume_baseline_iops: 0` and `striped_storage_gib: 0` for io1).
    #[serde(default = "default_gp3_iops")]
    pub provisioned_iops_item: String,
    /// Smallest storage an instance can be allocated, GiB (default 20: RDS for PostgreSQL on
    /// gp2 and gp3; 100 for io1 and io2). Every node's `storage` is at least this.
    #[serde(default = "default_min_storage_gib")]
    pub min_storage_gib: f64,
    /// Allocated storage, GiB, from which the volume is striped and includes
    /// `striped_baseline_iops` (default 400: RDS for PostgreSQL on gp3, which below it
    /// includes `volume_baseline_iops` and cannot provision more). A node needing more IOPS
    /// than `volume_baseline_iops` is allocated at least this much. 0: one baseline at every
    /// size, with IOPS provisioned above it at any size (io1/io2; gp3 EBS on EC2).
    #[serde(default = "default_striped_storage_gib")]
    pub striped_storage_gib: f64,
    /// IOPS a striped volume includes (default 12,000: gp3 on RDS for PostgreSQL at 400 GiB
    /// and more); IOPS above it are provisioned.
    #[serde(default = "default_striped_baseline_iops")]
    pub striped_baseline_iops: f64,
    /// Days of automated backups kept (RDS `backup_retention_period`); backup storage beyond
    /// the region's database storage is billed (`backup-storage` line). 0 (the default)
    /// keeps none and bills none.
    #[serde(default)]
    pub backup_retention_days: f64,
    /// Share of the data that changes in a day: each retained day keeps that much more than
    /// the first full snapshot (incremental snapshots and transaction logs). Default 0.
    #[serde(default)]
    pub backup_daily_change_fraction: f64,
}

fn default_bytes_per_query() -> f64 {
    1_000.0
}

/// gp3's included IOPS per volume (AWS EBS volume types: "a consistent baseline rate of 3,000
/// IOPS ... included with the price of storage").
fn default_volume_baseline_iops() -> f64 {
    3_000.0
}
/// RDS for PostgreSQL's smallest gp2/gp3 allocation ("20 GiB to 64 TiB", RDS user guide,
/// storage; models/limits/aws.csv).
fn default_min_storage_gib() -> f64 {
    20.0
}
/// RDS for PostgreSQL stripes gp3 storage of 400 GiB and more over four volumes: 12,000 IOPS
/// included, 12,000 to 64,000 provisionable; below it 3,000 and no provisioning (RDS user
/// guide, gp3 storage; models/limits/aws.csv).
fn default_striped_storage_gib() -> f64 {
    400.0
}
fn default_striped_baseline_iops() -> f64 {
    12_000.0
}
fn default_gp3_iops() -> String {
    "gp3-iops".into()
}

fn default_cpu_ms_per_write() -> f64 {
    0.4
}
fn default_cpu_ms_per_read() -> f64 {
    0.2
}
fn default_cpu_utilization() -> f64 {
    0.6
}
fn default_read_cache_miss() -> f64 {
    0.05
}
fn default_storage_headroom() -> f64 {
    0.2
}
/// 64 TiB in decimal GB: 64 x 2^40 / 1e9.
fn default_max_storage_gb() -> f64 {
    64.0 * 1_099_511_627_776.0 / 1e9
}
fn default_rds_service() -> String {
    "rds-postgres".into()
}
fn default_rds_storage_service() -> String {
    "rds-storage".into()
}
fn default_gp3() -> String {
    "gp3".into()
}

impl ComponentKind for PostgresPolicy {
    const FACTS: KindFacts = KindFacts {
        stateful: true,
        shapes: Some(ShapeSource {
            catalog_service: "rds",
            instance_prefix: "db.",
        }),
        tfvars: Some(TfvarsGroup {
            variable: "postgres_clusters",
            what: "PostgreSQL clusters by component",
            attrs: &[
                tf_attr(
                    "shards",
                    "shard_count",
                    "shards: the most of those needed by data, by the storage limit, by CPU (or a stated write rate), by memory, by IOPS and by users, at least min_shards, optionally rounded up to a power of two",
                ),
                tf_attr(
                    "primary",
                    "primary_count",
                    "primary instances, one per shard",
                ),
                tf_attr(
                    "standby",
                    "standby_count",
                    "synchronous standby instances (sync_replicas per shard)",
                ),
                tf_attr(
                    "read-replica",
                    "read_replica_count",
                    "read replicas: min_read_replicas per shard, or enough for peak reads by CPU (or a stated read_qps_per_replica)",
                ),
                tf_attr(
                    "geo-replica",
                    "geo_replica_count",
                    "cross-region replicas (geo_replicas per shard)",
                ),
                tf_attr(
                    "storage",
                    "storage_gb",
                    "provisioned storage over all nodes: data per shard x (1 + storage_headroom) per node",
                ),
            ],
            map_attr: None,
        }),
        // A quarter: a reshard (new shards, copying rows, dual writes, cut-over, clean-up)
        // or a new instance class (a failover per shard) is a planned project.
        lead_time_months: 3,
    };

    fn validate(&self, c: &Check<'_>) -> Result<(), InputError> {
        c.name("instance", &self.instance)?;
        c.non_negative("bytes_per_query", self.bytes_per_query)?;
        c.positive("max_data_bytes_per_shard", self.max_data_bytes_per_shard)?;
        if let Some(v) = self.max_write_qps_per_shard {
            c.positive("max_write_qps_per_shard", v)?;
        }
        c.positive("cpu_ms_per_write", self.cpu_ms_per_write)?;
        c.positive("cpu_ms_per_read", self.cpu_ms_per_read)?;
        c.positive_ratio("target_cpu_utilization", self.target_cpu_utilization)?;
        c.non_negative("iops_per_write", self.iops_per_write)?;
        c.ratio("read_cache_miss_fraction", self.read_cache_miss_fraction)?;
        c.non_negative("storage_headroom", self.storage_headroom)?;
        c.positive(
            "max_storage_gb_per_instance",
            self.max_storage_gb_per_instance,
        )?;
        if let Some(v) = self.max_users_per_shard {
            c.positive("max_users_per_shard", v)?;
        }
        if let Some(v) = self.working_set_fraction {
            c.positive_ratio("working_set_fraction", v)?;
        }
        if let Some(v) = self.read_qps_per_replica {
            c.positive("read_qps_per_replica", v)?;
        }
        c.count_at_least("min_shards", self.min_shards, 1)?;
        c.non_negative("volume_baseline_iops", self.volume_baseline_iops)?;
        c.name("provisioned_iops_item", &self.provisioned_iops_item)?;
        c.non_negative("min_storage_gib", self.min_storage_gib)?;
        c.non_negative("striped_storage_gib", self.striped_storage_gib)?;
        c.non_negative("striped_baseline_iops", self.striped_baseline_iops)?;
        if self.striped_storage_gib > 0.0 && self.striped_baseline_iops < self.volume_baseline_iops
        {
            return Err(c.error(
                "striped_baseline_iops",
                format!(
                    "{} is below volume_baseline_iops ({}): a striped volume includes at least \
                     what an unstriped one does (or set striped_storage_gib: 0)",
                    self.striped_baseline_iops, self.volume_baseline_iops
                ),
            ));
        }
        c.non_negative("backup_retention_days", self.backup_retention_days)?;
        c.ratio(
            "backup_daily_change_fraction",
            self.backup_daily_change_fraction,
        )?;
        c.non_negative("headroom", self.headroom)
    }

    fn placement(&self) -> Placement {
        self.placement
    }

    fn instance(&self) -> Option<Instance<'_>> {
        Some(Instance {
            default: &self.instance,
            by_phase: Some(&self.instance_by_phase),
            auto: self.auto.as_ref(),
        })
    }

    fn instance_mut(&mut self) -> Option<&mut String> {
        Some(&mut self.instance)
    }

    fn risks(&self) -> Vec<String> {
        if self.sync_replicas == 0 {
            vec![
                "Postgres with no synchronous standby (sync_replicas: 0): losing a primary loses \
                 its committed writes since the last backup, and the shard is down until a \
                 replica is promoted by hand"
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
