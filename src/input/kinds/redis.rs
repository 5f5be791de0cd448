//! Redis: session store and cache, in Cluster, Sentinel or standalone mode (ElastiCache or
//! self-managed). Its sizing rule is `sizing/redis.rs`.

use std::collections::BTreeMap;

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use super::{
    AutoSelect, ComponentKind, Instance, KindFacts, Placement, Reference, ShapeSource, TfvarsGroup,
    tf_attr,
};
use crate::error::InputError;
use crate::input::check::Check;

/// How a Redis deployment fails over.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub enum RedisMode {
    /// Redis Cluster: hash slots over masters, at least 3 masters.
    Cluster,
    /// Primary/replica groups watched by Sentinel quorums.
    Sentinel,
    /// One primary (with optional replicas), no automatic failover.
    Standalone,
}

/// Redis for sessions and cache.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RedisPolicy {
    /// Node type (`cache.r6g.xlarge`).
    pub instance: String,
    /// Constraints when `instance` is `"auto"`.
    #[serde(default)]
    pub auto: Option<AutoSelect>,
    /// Node type per phase name, where it differs.
    #[serde(default)]
    pub instance_by_phase: BTreeMap<String, String>,
    /// Per region (default) or global.
    #[serde(default)]
    pub placement: Placement,
    /// Pricing service of nodes.
    #[serde(default = "default_elasticache")]
    pub service: String,
    /// Failover mode.
    pub mode: RedisMode,
    /// Share of all session memory this deployment holds.
    #[serde(default = "super::one_f")]
    pub session_share: f64,
    /// Share of the cache working set this deployment holds.
    #[serde(default = "super::one_f")]
    pub cache_share: f64,
    /// Share of cache operations this deployment serves.
    #[serde(default = "super::one_f")]
    pub ops_share: f64,
    /// Memory overhead on stored bytes (keys, dict entries, fragmentation), as a fraction.
    pub memory_overhead_fraction: f64,
    /// `maxmemory` / node memory: the usable share of each node.
    pub maxmemory_fraction: f64,
    /// Operations/s one node (master) serves, when stated: a capacity that overrides the one
    /// derived from the shape's vCPUs (`ops_per_s_per_thread` x engine threads). Kept for
    /// scenarios that state it; leave it out to size operations from the shape.
    #[serde(default)]
    pub ops_per_s_per_node: Option<f64>,
    /// Simple GET/SET operations/s one engine thread serves at full load (default 100,000:
    /// the order of redis-benchmark figures for one Redis main thread; Valkey 8 quotes
    /// 380,000 before I/O threads).
    #[serde(default = "default_ops_per_thread")]
    pub ops_per_s_per_thread: f64,
    /// Most vCPUs the engine keeps busy (default 8: ElastiCache Redis 7.1's enhanced I/O
    /// multiplexing gives up to 2x on nodes with at least 8 physical cores, over 1 million
    /// requests/s on r7g.4xlarge; command execution stays on one main thread).
    #[serde(default = "default_engine_threads")]
    pub engine_threads: u64,
    /// Busy share of the engine's threads at peak (default 0.7).
    #[serde(default = "default_redis_cpu_utilization")]
    pub target_cpu_utilization: f64,
    /// Bytes one operation moves over the network, request and reply (default 1,000 B: a
    /// session or cached object of about a kilobyte).
    #[serde(default = "default_bytes_per_op")]
    pub bytes_per_op: f64,
    /// Share of the shape's baseline network bandwidth operations may fill (default 0.5:
    /// replication and bursts share the link; bursts above the baseline are not capacity).
    #[serde(default = "default_redis_network_utilization")]
    pub network_utilization: f64,
    /// Node memory in GiB when it differs from the catalog (self-managed `maxmemory`).
    #[serde(default)]
    pub node_memory_gib: Option<f64>,
    /// Replicas per master.
    pub replicas_per_master: u64,
    /// Sentinel failures tolerated, f: a quorum group of 2f+1 sentinels (Sentinel mode).
    #[serde(default = "super::one")]
    pub sentinel_failures_tolerated: u64,
    /// Instance type of a sentinel host; co-located (not billed) when absent.
    #[serde(default)]
    pub sentinel_instance: Option<String>,
    /// Most nodes (masters + replicas) in one cluster; more splits into clusters. Default:
    /// 500 on ElastiCache (its most nodes per cluster, cluster mode enabled, engine 5.0.6+),
    /// else 1,000 (Redis Cluster's recommended upper bound).
    #[serde(default)]
    pub max_nodes_per_cluster: Option<u64>,
    /// Fewest masters; default 3 in Cluster mode, 1 otherwise.
    #[serde(default)]
    pub min_masters: Option<u64>,
    /// Spare capacity kept above demand, as a fraction.
    pub headroom: f64,
    /// Availability zones its nodes and their clients spread over, for cross-AZ transfer
    /// (default 3; 0 or 1: one zone, no cross-AZ lines).
    #[serde(default = "super::three")]
    pub cross_az_zones: u64,
    /// Root volume of each node, GB of gp3 (default 20; 0 bills none). Billed only for
    /// self-managed nodes on EC2 (`service: "ec2"`); managed services include theirs.
    #[serde(default = "super::app::default_node_volume_gb")]
    pub node_volume_gb: u64,
    /// Days of daily snapshots kept (ElastiCache `snapshot_retention_limit`); each is a full
    /// copy of the data, billed as backup storage (`backup-storage` line). 0 (the default)
    /// keeps none and bills none.
    #[serde(default)]
    pub snapshot_retention_days: f64,
    /// Snapshots per cluster the provider stores free (default 0: none assumed; state the
    /// allowance your provider publishes).
    #[serde(default)]
    pub free_snapshots_per_cluster: f64,
}

fn default_elasticache() -> String {
    "elasticache-redis".into()
}
/// ElastiCache's most nodes per cluster (cluster mode enabled, engine 5.0.6+).
pub const ELASTICACHE_MAX_NODES_PER_CLUSTER: u64 = 500;

/// Redis Cluster's recommended most nodes (the cluster bus gossips between every pair).
pub const REDIS_CLUSTER_MAX_NODES: u64 = 1_000;
fn default_ops_per_thread() -> f64 {
    100_000.0
}
fn default_engine_threads() -> u64 {
    8
}
fn default_redis_cpu_utilization() -> f64 {
    0.7
}
fn default_bytes_per_op() -> f64 {
    1_000.0
}
fn default_redis_network_utilization() -> f64 {
    0.5
}

/// ElastiCache's most replicas per shard.
pub const ELASTICACHE_MAX_REPLICAS_PER_SHARD: u64 = 5;

impl RedisPolicy {
    /// True on ElastiCache, whose limits then apply.
    #[must_use]
    pub fn on_elasticache(&self) -> bool {
        self.service.starts_with("elasticache")
    }

    /// Most nodes in one cluster: the stated figure, else the provider's limit.
    #[must_use]
    pub fn nodes_per_cluster(&self) -> u64 {
        self.max_nodes_per_cluster
            .unwrap_or(if self.on_elasticache() {
                ELASTICACHE_MAX_NODES_PER_CLUSTER
            } else {
                REDIS_CLUSTER_MAX_NODES
            })
    }
}

impl ComponentKind for RedisPolicy {
    const FACTS: KindFacts = KindFacts {
        stateful: true,
        shapes: Some(ShapeSource {
            catalog_service: "elasticache",
            instance_prefix: "cache.",
        }),
        tfvars: Some(TfvarsGroup {
            variable: "redis_clusters",
            what: "Redis clusters by component",
            attrs: &[
                tf_attr(
                    "master",
                    "master_count",
                    "masters: the most of those needed by memory (at maxmemory_fraction of usable node memory), by operations/s (the shape's engine threads, or a stated ops_per_s_per_node) and by network, at least 3 in cluster mode",
                ),
                tf_attr(
                    "replica",
                    "replica_count",
                    "replicas (replicas_per_master per master)",
                ),
                tf_attr(
                    "sentinel",
                    "sentinel_count",
                    "Sentinel processes (2f+1) in Sentinel mode",
                ),
                tf_attr(
                    "clusters",
                    "cluster_count",
                    "clusters: nodes split into clusters of at most max_nodes_per_cluster nodes and 16,384 slots",
                ),
            ],
            map_attr: None,
        }),
        // Two months: a cluster split (a new cluster, clients re-pointed by key range)
        // or a new node shape needs a rehearsal on a copy of the data and a staged rollout;
        // adding masters inside a cluster is an online slot migration and needs none.
        lead_time_months: 2,
    };

    fn validate(&self, c: &Check<'_>) -> Result<(), InputError> {
        c.name("instance", &self.instance)?;
        c.ratio("session_share", self.session_share)?;
        c.ratio("cache_share", self.cache_share)?;
        c.ratio("ops_share", self.ops_share)?;
        c.non_negative("memory_overhead_fraction", self.memory_overhead_fraction)?;
        c.non_negative("snapshot_retention_days", self.snapshot_retention_days)?;
        c.non_negative(
            "free_snapshots_per_cluster",
            self.free_snapshots_per_cluster,
        )?;
        c.positive_ratio("maxmemory_fraction", self.maxmemory_fraction)?;
        if let Some(v) = self.ops_per_s_per_node {
            c.positive("ops_per_s_per_node", v)?;
        }
        c.positive("ops_per_s_per_thread", self.ops_per_s_per_thread)?;
        c.count_at_least("engine_threads", self.engine_threads, 1)?;
        c.positive_ratio("target_cpu_utilization", self.target_cpu_utilization)?;
        c.non_negative("bytes_per_op", self.bytes_per_op)?;
        c.positive_ratio("network_utilization", self.network_utilization)?;
        if self.on_elasticache() && self.replicas_per_master > ELASTICACHE_MAX_REPLICAS_PER_SHARD {
            return Err(c.error(
                "replicas_per_master",
                format!(
                    "ElastiCache allows at most {ELASTICACHE_MAX_REPLICAS_PER_SHARD} replicas per \
                     shard, got {}",
                    self.replicas_per_master
                ),
            ));
        }
        if let Some(v) = self.node_memory_gib {
            c.positive("node_memory_gib", v)?;
        }
        c.count_at_least("max_nodes_per_cluster", self.nodes_per_cluster(), 1)?;
        if self.nodes_per_cluster() <= self.replicas_per_master {
            return Err(c.error(
                "max_nodes_per_cluster",
                "must exceed replicas_per_master: a cluster needs room for one master group",
            ));
        }
        if let Some(m) = self.min_masters {
            c.count_at_least("min_masters", m, 1)?;
        }
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
        if self.replicas_per_master == 0 && self.mode != RedisMode::Standalone {
            vec![format!(
                "Redis {:?} with no replicas (replicas_per_master: 0): failover has nothing to \
                 promote, so losing a node loses its keys and its slots",
                self.mode
            )]
        } else {
            Vec::new()
        }
    }

    fn references(&self) -> Vec<Reference<'_>> {
        Vec::new()
    }
}
