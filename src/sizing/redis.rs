//! Redis: memory for sessions and the cache working set, ops/s, masters, replicas, sentinels.
//!
//! memory = (session bytes x session_share + working set x cache_share) x (1 + overhead);
//! masters = max(memory: ceil(memory (1+h) / (node memory x maxmemory_fraction)),
//!               cpu: ceil(ops (1+h) / (ops_per_s_per_thread x min(vcpu, engine_threads)
//!                    x target_cpu_utilization)), or a stated ops_per_s_per_node,
//!               network: ceil(ops x bytes_per_op x 8 (1+h) / (baseline Gbit/s x 1e9
//!                    x network_utilization)),
//!               min masters),
//! split into clusters of at most `max_nodes_per_cluster` nodes (ElastiCache: 500) and
//! 16,384 slots, each cluster keeping at least 3 masters in Cluster mode. Sentinel mode adds
//! a 2f+1 quorum.

use crate::input::kinds::redis::{RedisMode, RedisPolicy};
use crate::sizing::{
    Binding, Measure, PriceKey, RegionContext, RegionLine, SizingError, backups, cross_az,
    instance_for, node_memory_gib, node_volume, region_lines,
};
use crate::trace::Trace;
use crate::units::{BYTES_PER_GIB, ceil_count};

/// The fewest masters (the mode's minimum) and replicas any demand gives one region: a lower
/// bound for passing over shapes that cannot be the cheapest.
#[must_use]
pub fn least_nodes(p: &RedisPolicy) -> [(&'static str, u64); 2] {
    let masters = min_masters(p);
    [
        ("master", masters),
        ("replica", masters.saturating_mul(p.replicas_per_master)),
    ]
}

/// The masters a region has at the least: stated, or what the mode needs to run.
fn min_masters(p: &RedisPolicy) -> u64 {
    p.min_masters.unwrap_or(match p.mode {
        RedisMode::Cluster => 3,
        RedisMode::Sentinel | RedisMode::Standalone => 1,
    })
}

/// Hash slots of a Redis Cluster: no cluster can have more masters than this.
pub const CLUSTER_SLOTS: u64 = 16_384;

/// Sizes one region's Redis deployment.
pub fn size(
    p: &RedisPolicy,
    ctx: &RegionContext<'_>,
    t: &mut Trace,
) -> Result<Vec<RegionLine>, SizingError> {
    let d = &ctx.demand;
    let h = p.headroom;
    let instance = instance_for(&p.instance, &p.instance_by_phase, ctx.phase);
    let node_gib = node_memory_gib(instance, p.node_memory_gib, ctx.catalog)?;
    let memory_bytes = t.step(
        "memory_bytes",
        "(session_memory_bytes x session_share + cache_working_set_bytes x cache_share) \
         x (1 + memory_overhead_fraction)",
        &[
            ("session_memory_bytes", d.session_memory_bytes, "B"),
            ("session_share", p.session_share, "fraction"),
            ("cache_working_set_bytes", d.cache_working_set_bytes, "B"),
            ("cache_share", p.cache_share, "fraction"),
            (
                "memory_overhead_fraction",
                p.memory_overhead_fraction,
                "fraction",
            ),
        ],
        (d.session_memory_bytes * p.session_share + d.cache_working_set_bytes * p.cache_share)
            * (1.0 + p.memory_overhead_fraction),
        "B",
    );
    let usable_bytes = t.step(
        "usable_bytes_per_node",
        "node_memory_gib x 2^30 x maxmemory_fraction",
        &[
            ("node_memory_gib", node_gib, "GiB"),
            ("maxmemory_fraction", p.maxmemory_fraction, "fraction"),
        ],
        node_gib * BYTES_PER_GIB * p.maxmemory_fraction,
        "B",
    );
    let by_memory = t.count(
        "masters_by_memory",
        "ceil(memory_bytes x (1 + headroom) / usable_bytes_per_node)",
        &[
            ("memory_bytes", memory_bytes, "B"),
            ("headroom", h, "fraction"),
            ("usable_bytes_per_node", usable_bytes, "B"),
        ],
        ceil_count(memory_bytes * (1.0 + h) / usable_bytes),
        "masters",
    );
    let ops = d.cache_ops_per_s * p.ops_share;
    let shape = ctx.catalog.get(instance);
    let (ops_resource, by_ops) =
        match p.ops_per_s_per_node {
            Some(stated) => (
                "stated-ops",
                t.count(
                    "masters_by_ops",
                    "ceil(cache_ops_per_s x ops_share x (1 + headroom) / ops_per_s_per_node)",
                    &[
                        ("cache_ops_per_s", d.cache_ops_per_s, "ops/s"),
                        ("ops_share", p.ops_share, "fraction"),
                        ("headroom", h, "fraction"),
                        ("ops_per_s_per_node", stated, "ops/s"),
                    ],
                    ceil_count(ops * (1.0 + h) / stated),
                    "masters",
                ),
            ),
            None => {
                let vcpu = shape
                .ok_or_else(|| {
                    format!(
                        "no shape for `{instance}` in the catalog: operations/s follow from its \
                         vCPUs (or state ops_per_s_per_node){}",
                        crate::error::did_you_mean(instance, ctx.catalog.instances())
                    )
                })?
                .vcpu;
                let threads = vcpu.min(p.engine_threads as f64).max(1.0);
                let per_node = t.step(
                "ops_per_s_per_node",
                "ops_per_s_per_thread x min(node_vcpu, engine_threads) x target_cpu_utilization",
                &[
                    ("ops_per_s_per_thread", p.ops_per_s_per_thread, "ops/s"),
                    ("node_vcpu", vcpu, "vCPU"),
                    ("engine_threads", p.engine_threads as f64, "threads"),
                    ("target_cpu_utilization", p.target_cpu_utilization, "fraction"),
                ],
                p.ops_per_s_per_thread * threads * p.target_cpu_utilization,
                "ops/s",
            );
                (
                    "cpu",
                    t.count(
                        "masters_by_cpu",
                        "ceil(cache_ops_per_s x ops_share x (1 + headroom) / ops_per_s_per_node)",
                        &[
                            ("cache_ops_per_s", d.cache_ops_per_s, "ops/s"),
                            ("ops_share", p.ops_share, "fraction"),
                            ("headroom", h, "fraction"),
                            ("ops_per_s_per_node", per_node, "ops/s"),
                        ],
                        ceil_count(ops * (1.0 + h) / per_node),
                        "masters",
                    ),
                )
            }
        };
    let network_gbps = shape.and_then(|s| s.network_gbps);
    let by_network = match network_gbps {
        Some(gbps) => t.count(
            "masters_by_network",
            "ceil(cache_ops_per_s x ops_share x bytes_per_op x 8 x (1 + headroom) \
             / (network_gbps x 1e9 x network_utilization))",
            &[
                ("cache_ops_per_s", d.cache_ops_per_s, "ops/s"),
                ("ops_share", p.ops_share, "fraction"),
                ("bytes_per_op", p.bytes_per_op, "B"),
                ("headroom", h, "fraction"),
                ("network_gbps", gbps, "Gbit/s"),
                ("network_utilization", p.network_utilization, "fraction"),
            ],
            ceil_count(
                ops * p.bytes_per_op * 8.0 * (1.0 + h) / (gbps * 1e9 * p.network_utilization),
            ),
            "masters",
        ),
        None => 0,
    };
    let min_masters = min_masters(p);
    let mut binding = Binding::of(&[("memory", by_memory), (ops_resource, by_ops)]);
    if network_gbps.is_some() {
        binding = binding.with("network", by_network);
    }
    let binding = binding.with("minimum", min_masters);
    let mut masters = t.count(
        "masters_needed",
        "max(masters_by_memory, masters_by_ops or masters_by_cpu, masters_by_network, min_masters)",
        &[
            ("masters_by_memory", by_memory as f64, "masters"),
            (
                if p.ops_per_s_per_node.is_some() {
                    "masters_by_ops"
                } else {
                    "masters_by_cpu"
                },
                by_ops as f64,
                "masters",
            ),
            ("masters_by_network", by_network as f64, "masters"),
            ("min_masters", min_masters as f64, "masters"),
        ],
        binding.needed(),
        "masters",
    );
    let group = p.replicas_per_master.saturating_add(1);
    let masters_per_cluster = (p.nodes_per_cluster() / group).min(CLUSTER_SLOTS);
    let clusters = t.count(
        "clusters",
        "ceil(masters / min(floor(max_nodes_per_cluster / (1 + replicas_per_master)), 16384))",
        &[
            ("masters", masters as f64, "masters"),
            (
                "max_nodes_per_cluster",
                p.nodes_per_cluster() as f64,
                "nodes",
            ),
            (
                "replicas_per_master",
                p.replicas_per_master as f64,
                "replicas",
            ),
        ],
        ceil_count(masters as f64 / masters_per_cluster as f64).max(1),
        "clusters",
    );
    let mut masters_step = "masters_needed";
    if p.mode == RedisMode::Cluster && masters < clusters.saturating_mul(3) {
        masters_step = "masters";
        masters = t.count(
            "masters",
            "max(masters_needed, 3 x clusters): every Redis Cluster needs 3 masters",
            &[
                ("masters_needed", masters as f64, "masters"),
                ("clusters", clusters as f64, "clusters"),
            ],
            clusters.saturating_mul(3),
            "masters",
        );
    }
    let replicas = t.count(
        "replicas",
        "masters x replicas_per_master",
        &[
            ("masters", masters as f64, "masters"),
            (
                "replicas_per_master",
                p.replicas_per_master as f64,
                "replicas",
            ),
        ],
        masters.saturating_mul(p.replicas_per_master),
        "replicas",
    );
    let measure = Measure::Instances {
        memory_gib: Some(node_gib),
    };
    let node_price = PriceKey::new(&p.service, instance, ctx.pricing_region);
    let mut lines = region_lines();
    lines.extend([
        RegionLine::billed("master", masters, measure, node_price.clone())
            .from_step(masters_step)
            .bound_by(binding),
        RegionLine::billed("replica", replicas, measure, node_price)
            .from_step("replicas")
            .bound_by(binding.times(p.replicas_per_master)),
    ]);
    if p.mode == RedisMode::Sentinel {
        let sentinels = t.count(
            "sentinels",
            "(2 x sentinel_failures_tolerated + 1) x clusters: a quorum that survives f failures",
            &[
                (
                    "sentinel_failures_tolerated",
                    p.sentinel_failures_tolerated as f64,
                    "hosts",
                ),
                ("clusters", clusters as f64, "clusters"),
            ],
            p.sentinel_failures_tolerated
                .saturating_mul(2)
                .saturating_add(1)
                .saturating_mul(clusters),
            "sentinels",
        );
        lines.push(
            match &p.sentinel_instance {
                Some(host) => RegionLine::billed(
                    "sentinel",
                    sentinels,
                    Measure::Instances { memory_gib: None },
                    PriceKey::new("ec2", host, ctx.pricing_region),
                ),
                None => RegionLine::info("sentinel", sentinels, "sentinels (co-located)"),
            }
            .from_step("sentinels"),
        );
    }
    if p.snapshot_retention_days > 0.0 {
        // A snapshot holds the data itself, not the allocator's overhead.
        let data_bytes = t.step(
            "data_bytes",
            "session_memory_bytes x session_share + cache_working_set_bytes x cache_share",
            &[
                ("session_memory_bytes", d.session_memory_bytes, "B"),
                ("session_share", p.session_share, "fraction"),
                ("cache_working_set_bytes", d.cache_working_set_bytes, "B"),
                ("cache_share", p.cache_share, "fraction"),
            ],
            d.session_memory_bytes * p.session_share + d.cache_working_set_bytes * p.cache_share,
            "B",
        );
        lines.extend(backups::cache(
            p.snapshot_retention_days,
            p.free_snapshots_per_cluster,
            data_bytes,
            PriceKey::new("elasticache-backup", backups::ITEM, ctx.pricing_region),
            t,
        ));
    }
    let cluster_binding = Binding::of(&[("minimum", 1), ("service-limit", clusters)]);
    lines.push(
        RegionLine::info("clusters", clusters, "clusters")
            .from_step("clusters")
            .bound_by(cluster_binding),
    );
    // Self-managed nodes on EC2 carry a root volume each.
    if p.service == "ec2" {
        let nodes = t.count(
            "nodes",
            "masters + replicas",
            &[
                (masters_step, masters as f64, "masters"),
                ("replicas", replicas as f64, "replicas"),
            ],
            masters.saturating_add(replicas),
            "nodes",
        );
        lines.extend(node_volume::line(nodes, "nodes", p.node_volume_gb, ctx, t));
    }
    cross_az::redis(p, ctx, t, &mut lines);
    Ok(lines)
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;

    use super::*;
    use crate::demand::Demand;
    use crate::input::Placement;
    use crate::sizing::test_support::{count, with_ctx};

    fn policy(mode: RedisMode) -> RedisPolicy {
        RedisPolicy {
            instance: "cache.r6g.xlarge".into(),
            auto: None,
            instance_by_phase: BTreeMap::new(),
            placement: Placement::PerRegion,
            service: "elasticache-redis".into(),
            mode,
            session_share: 1.0,
            cache_share: 1.0,
            ops_share: 1.0,
            memory_overhead_fraction: 0.3,
            maxmemory_fraction: 0.75,
            ops_per_s_per_node: Some(100_000.0),
            ops_per_s_per_thread: 100_000.0,
            engine_threads: 8,
            target_cpu_utilization: 0.7,
            bytes_per_op: 1_000.0,
            network_utilization: 0.5,
            node_memory_gib: None,
            replicas_per_master: 1,
            sentinel_failures_tolerated: 1,
            sentinel_instance: None,
            max_nodes_per_cluster: Some(10),
            min_masters: None,
            headroom: 0.3,
            cross_az_zones: 3,
            node_volume_gb: 20,
            snapshot_retention_days: 0.0,
            free_snapshots_per_cluster: 0.0,
        }
    }

    #[test]
    fn cross_az_clients_and_self_managed_replication() {
        let demand = Demand {
            cache_ops_per_month: 3e9,
            db_reads_per_month: 1e9,
            ..Demand::default()
        };
        let sized = crate::sizing::SizedComponents::default();
        let lines = |p: &RedisPolicy| {
            with_ctx(demand, &sized, |ctx| {
                let mut lines = Vec::new();
                crate::sizing::cross_az::redis(p, ctx, &mut Trace::new(), &mut lines);
                lines
            })
        };
        // ElastiCache: clients only, 3e9 ops x 1,000 B x 2/3 = 2e12 B = 2,000 GB x 2 = 4,000
        let managed = lines(&policy(RedisMode::Cluster));
        assert_eq!(managed.len(), 1);
        assert_eq!(count(&managed, "cross-az-clients"), 4_000);
        // on EC2: also 1e9 fills x 1,000 B x 1 replica = 1,000 GB x 2 = 2,000 GB
        let own = lines(&RedisPolicy {
            service: "ec2".into(),
            ..policy(RedisMode::Cluster)
        });
        assert_eq!(count(&own, "cross-az-replication"), 2_000);
        // no zones to cross: none
        let single = RedisPolicy {
            cross_az_zones: 0,
            ..policy(RedisMode::Cluster)
        };
        assert!(lines(&single).is_empty());
    }

    fn demand() -> Demand {
        Demand {
            session_memory_bytes: 1e11,
            cache_working_set_bytes: 5e10,
            cache_ops_per_s: 500_000.0,
            ..Demand::default()
        }
    }

    #[test]
    fn masters_by_memory_with_catalog_usable_memory() {
        let lines = with_ctx(
            demand(),
            &crate::sizing::SizedComponents::default(),
            |ctx| size(&policy(RedisMode::Cluster), ctx, &mut Trace::new()),
        )
        .unwrap();
        // memory = (1e11 + 5e10) x 1.3 = 1.95e11 B
        // usable per cache.r6g.xlarge = 26.32 GiB x 2^30 x 0.75 = 21,195,663,605.76 B
        // by memory = ceil(1.95e11 x 1.3 / 21,195,663,605.76) = ceil(11.96) = 12
        // by ops = ceil(500,000 x 1.3 / 100,000) = ceil(6.5) = 7 -> 12 masters
        assert_eq!(count(&lines, "master"), 12);
        assert_eq!(count(&lines, "replica"), 12);
        // 10 nodes per cluster / 2 per group = 5 masters per cluster -> ceil(12 / 5) = 3
        assert_eq!(count(&lines, "clusters"), 3);
        assert!(lines.iter().all(|l| l.item != "sentinel"));
    }

    #[test]
    fn cluster_mode_keeps_three_masters_per_cluster() {
        let lines = with_ctx(
            Demand::default(),
            &crate::sizing::SizedComponents::default(),
            |ctx| size(&policy(RedisMode::Cluster), ctx, &mut Trace::new()),
        )
        .unwrap();
        assert_eq!(count(&lines, "master"), 3);
        // managed (ElastiCache): no root volumes
        assert!(lines.iter().all(|l| l.item != "node-volume"));
        // self-managed on EC2: 3 masters + 3 replicas (1 each) = 6 nodes x 20 GB = 120 GB
        let own = RedisPolicy {
            service: "ec2".into(),
            ..policy(RedisMode::Cluster)
        };
        let lines = with_ctx(
            Demand::default(),
            &crate::sizing::SizedComponents::default(),
            |ctx| size(&own, ctx, &mut Trace::new()),
        )
        .unwrap();
        assert_eq!(count(&lines, "node-volume"), 120);
    }

    #[test]
    fn sentinel_quorum_is_two_f_plus_one() {
        let mut p = policy(RedisMode::Sentinel);
        p.sentinel_failures_tolerated = 2;
        let lines = with_ctx(
            Demand::default(),
            &crate::sizing::SizedComponents::default(),
            |ctx| size(&p, ctx, &mut Trace::new()),
        )
        .unwrap();
        // one master (Sentinel mode minimum), one cluster, 2 x 2 + 1 = 5 sentinels
        assert_eq!(count(&lines, "master"), 1);
        assert_eq!(count(&lines, "sentinel"), 5);
    }

    #[test]
    fn unknown_instance_without_memory_is_an_error() {
        let mut p = policy(RedisMode::Cluster);
        p.instance = "cache.r6g.xlarg".into();
        let e = with_ctx(
            demand(),
            &crate::sizing::SizedComponents::default(),
            |ctx| size(&p, ctx, &mut Trace::new()),
        )
        .unwrap_err();
        assert!(e.contains("cache.r6g.xlarge"), "{e}");
    }

    fn binding_of(lines: &[RegionLine], item: &str) -> Binding {
        lines
            .iter()
            .find(|l| l.item == item)
            .and_then(|l| l.binding)
            .unwrap_or_else(|| panic!("no binding on {item}"))
    }

    fn derived() -> RedisPolicy {
        RedisPolicy {
            ops_per_s_per_node: None,
            ..policy(RedisMode::Cluster)
        }
    }

    fn ops(cache_ops_per_s: f64) -> Demand {
        Demand {
            cache_ops_per_s,
            ..Demand::default()
        }
    }

    fn size_with(p: &RedisPolicy, demand: Demand) -> Vec<RegionLine> {
        with_ctx(demand, &crate::sizing::SizedComponents::default(), |ctx| {
            size(p, ctx, &mut Trace::new())
        })
        .unwrap()
    }

    #[test]
    fn network_and_cpu_bind_from_the_shape() {
        // cache.r6g.xlarge: 1.25 Gbit/s x 0.5 = 625 Mbit/s; 1,000 B x 8 = 8,000 bit an op.
        // network: 1e6 ops x 8,000 x 1.3 / 6.25e8 = 16.64 -> 17 masters;
        // cpu: 100,000 x min(4 vCPU, 8) x 0.7 = 280,000 ops/s a node; 1.3e6 / 280,000 = 4.6 -> 5
        let lines = size_with(&derived(), ops(1e6));
        let b = binding_of(&lines, "master");
        assert_eq!(b.binding(), "network");
        assert_eq!(count(&lines, "master"), 17);
        assert_eq!(b.by_resource().nth(1), Some(("cpu", 5)));
        // 100 B an op: network 1.664 -> 2, cpu 5 binds
        let small = RedisPolicy {
            bytes_per_op: 100.0,
            ..derived()
        };
        let lines = size_with(&small, ops(1e6));
        assert_eq!(binding_of(&lines, "master").binding(), "cpu");
        assert_eq!(count(&lines, "master"), 5);
        // doubling the per-thread rate halves nothing but the cpu count: 1.3e6 / 560,000
        // = 2.3 -> 3, below the cluster minimum of 3
        let fast = RedisPolicy {
            ops_per_s_per_thread: 200_000.0,
            ..small
        };
        assert_eq!(count(&size_with(&fast, ops(1e6)), "master"), 3);
    }

    #[test]
    fn elasticache_clusters_split_at_500_nodes() {
        // 498 masters + 498 replicas: 500 nodes a cluster / 2 per group = 250 masters a
        // cluster -> ceil(498 / 250) = 2 clusters
        let p = RedisPolicy {
            max_nodes_per_cluster: None,
            min_masters: Some(498),
            ..policy(RedisMode::Cluster)
        };
        let lines = size_with(&p, Demand::default());
        assert_eq!(count(&lines, "master"), 498);
        assert_eq!(count(&lines, "clusters"), 2);
        assert_eq!(binding_of(&lines, "clusters").binding(), "service-limit");
        // self-managed Redis Cluster keeps 1,000 nodes a cluster: one cluster
        let own = RedisPolicy {
            service: "ec2".into(),
            ..p
        };
        assert_eq!(count(&size_with(&own, Demand::default()), "clusters"), 1);
    }
}
