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
    /// Operations/s one node (master) serves.
    pub ops_per_s_per_node: f64,
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
    /// Most nodes (masters + replicas) in one cluster; more splits into clusters.
    #[serde(default = "default_max_cluster_nodes")]
    pub max_nodes_per_cluster: u64,
    /// Fewest masters; default 3 in Cluster mode, 1 otherwise.
    #[serde(default)]
    pub min_masters: Option<u64>,
    /// Spare capacity kept above demand, as a fraction.
    pub headroom: f64,
}

fn default_elasticache() -> String {
    "elasticache-redis".into()
}
fn default_max_cluster_nodes() -> u64 {
    1000
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
                    "masters: the most of those needed by memory (at maxmemory_fraction of usable node memory) and by operations/s, at least 3 in cluster mode",
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
        c.positive_ratio("maxmemory_fraction", self.maxmemory_fraction)?;
        c.positive("ops_per_s_per_node", self.ops_per_s_per_node)?;
        if let Some(v) = self.node_memory_gib {
            c.positive("node_memory_gib", v)?;
        }
        c.count_at_least("max_nodes_per_cluster", self.max_nodes_per_cluster, 1)?;
        if self.max_nodes_per_cluster <= self.replicas_per_master {
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
