//! PostgreSQL: shards by every resource a primary can run out of; replicas per shard; storage.
//!
//! shards = max over resources, each with compute `headroom` (storage with
//! `storage_headroom`):
//! - storage: ceil(db_bytes (1+sh) / max_data_bytes_per_shard), and the service limit
//!   ceil(db_bytes (1+sh) / max_storage_gb_per_instance);
//! - cpu: ceil((writes x cpu_ms_per_write [+ reads x cpu_ms_per_read when the primary serves
//!   reads]) / 1000 x (1+h) / (vcpu x target_cpu_utilization)), or, where the scenario states
//!   `max_write_qps_per_shard`, ceil(writes (1+h) / that);
//! - iops: ceil((writes x iops_per_write [+ reads x read_cache_miss_fraction]) (1+h) / the
//!   shape's baseline EBS IOPS);
//! - memory (with `working_set_fraction`), users (with `max_users_per_shard`), `min_shards`;
//!
//! optionally rounded up to a power of two. Each shard has one primary, `sync_replicas`
//! standbys, read replicas (the floor, or enough for its reads by CPU and IOPS, or by a
//! stated `read_qps_per_replica`), and `geo_replicas`. Each node needs the primary's IOPS x
//! (1+h) / shards from its volume, and is allocated max(its shard's data x (1+sh), the
//! smallest allocation `min_storage_gib`, and `striped_storage_gib` where it needs more IOPS
//! than `volume_baseline_iops`): RDS for PostgreSQL's gp3 below 400 GiB includes 3,000 IOPS
//! and provisions none, from 400 GiB on it is striped and includes 12,000. IOPS above what
//! the allocated volume includes are the billed `provisioned-iops` line. `max-connections` is the shape's RDS
//! default, LEAST(memory / 9,531,392 B, 5000), for the poolers to check against.

use crate::catalog::Shape;
use crate::input::kinds::postgres::PostgresPolicy;
use crate::sizing::{
    Binding, MINIMUM, Measure, PriceKey, RegionContext, RegionLine, SizingError, backups, cross_az,
    instance_for, node_volume, region_lines,
};
use crate::trace::Trace;
use crate::units::{BYTES_PER_GB, BYTES_PER_GIB, ceil_count, next_power_of_two};

/// The fewest instances of each node line any demand gives one region: `min_shards` shards
/// (every count of shards is at least that), each with its standbys, its minimum read replicas
/// and its geo replicas. A lower bound for passing over shapes that cannot be the cheapest.
#[must_use]
pub fn least_nodes(p: &PostgresPolicy) -> [(&'static str, u64); 4] {
    let shards = p.min_shards;
    [
        ("primary", shards),
        ("standby", shards.saturating_mul(p.sync_replicas)),
        ("read-replica", shards.saturating_mul(p.min_read_replicas)),
        ("geo-replica", shards.saturating_mul(p.geo_replicas)),
    ]
}

/// Share of a database node's memory that serves as buffer cache for the working set.
const BUFFER_CACHE_SHARE: f64 = 0.75;

/// RDS for PostgreSQL's default `max_connections` divisor: one connection per 9,531,392 bytes
/// of instance memory (AWS Prescriptive Guidance, "Tuning PostgreSQL parameters").
pub const RDS_BYTES_PER_CONNECTION: f64 = 9_531_392.0;

/// RDS for PostgreSQL's default `max_connections` cap.
pub const RDS_MAX_CONNECTIONS_CAP: u64 = 5_000;

/// The default `max_connections` of an RDS PostgreSQL instance of `memory_gib`: an upper
/// bound, since RDS divides the class memory less what the OS keeps.
#[must_use]
pub fn rds_max_connections(memory_gib: f64) -> u64 {
    ((memory_gib * BYTES_PER_GIB / RDS_BYTES_PER_CONNECTION).floor() as u64)
        .min(RDS_MAX_CONNECTIONS_CAP)
}

/// Sizes one region's Postgres.
pub fn size(
    p: &PostgresPolicy,
    ctx: &RegionContext<'_>,
    t: &mut Trace,
) -> Result<Vec<RegionLine>, SizingError> {
    let d = &ctx.demand;
    let h = p.headroom;
    let hf = 1.0 + h;
    let sh = p.storage_headroom;
    let instance = instance_for(&p.instance, &p.instance_by_phase, ctx.phase);
    let shape = ctx.catalog.get(instance);
    let need_shape = |what: &str| -> Result<&Shape, SizingError> {
        shape.ok_or_else(|| {
            format!(
                "no shape for `{instance}` in the catalog: {what} needs its resources{}",
                crate::error::did_you_mean(instance, ctx.catalog.instances())
            )
        })
    };
    let by_data = t.count(
        "shards_by_data",
        "ceil(db_bytes x (1 + storage_headroom) / max_data_bytes_per_shard)",
        &[
            ("db_bytes", d.db_bytes, "B"),
            ("storage_headroom", sh, "fraction"),
            ("max_data_bytes_per_shard", p.max_data_bytes_per_shard, "B"),
        ],
        ceil_count(d.db_bytes * (1.0 + sh) / p.max_data_bytes_per_shard),
        "shards",
    );
    let by_storage_limit = t.count(
        "shards_by_storage_limit",
        "ceil(db_bytes x (1 + storage_headroom) / 1e9 / max_storage_gb_per_instance)",
        &[
            ("db_bytes", d.db_bytes, "B"),
            ("storage_headroom", sh, "fraction"),
            (
                "max_storage_gb_per_instance",
                p.max_storage_gb_per_instance,
                "GB",
            ),
        ],
        ceil_count(d.db_bytes * (1.0 + sh) / BYTES_PER_GB / p.max_storage_gb_per_instance),
        "shards",
    );
    // Reads go to read replicas where the policy has any; else the primary serves them.
    let primary_reads = p.min_read_replicas == 0 && p.read_qps_per_replica.is_none();
    let reads_on_primary = if primary_reads { d.db_read_qps } else { 0.0 };
    let (writes_resource, by_writes) = match p.max_write_qps_per_shard {
        Some(stated) => (
            "stated-write-qps",
            t.count(
                "shards_by_writes",
                "ceil(db_write_qps x (1 + headroom) / max_write_qps_per_shard)",
                &[
                    ("db_write_qps", d.db_write_qps, "queries/s"),
                    ("headroom", h, "fraction"),
                    ("max_write_qps_per_shard", stated, "queries/s"),
                ],
                ceil_count(d.db_write_qps * hf / stated),
                "shards",
            ),
        ),
        None => {
            let vcpu = need_shape("sizing writes by CPU")?.vcpu;
            let busy = t.step(
                "primary_busy_vcpus",
                "(db_write_qps x cpu_ms_per_write + reads_on_primary x cpu_ms_per_read) / 1000",
                &[
                    ("db_write_qps", d.db_write_qps, "queries/s"),
                    ("cpu_ms_per_write", p.cpu_ms_per_write, "ms"),
                    ("reads_on_primary", reads_on_primary, "queries/s"),
                    ("cpu_ms_per_read", p.cpu_ms_per_read, "ms"),
                ],
                (d.db_write_qps * p.cpu_ms_per_write + reads_on_primary * p.cpu_ms_per_read)
                    / 1000.0,
                "vCPU",
            );
            (
                "cpu",
                t.count(
                    "shards_by_cpu",
                    "ceil(primary_busy_vcpus x (1 + headroom) / (node_vcpu x target_cpu_utilization))",
                    &[
                        ("primary_busy_vcpus", busy, "vCPU"),
                        ("headroom", h, "fraction"),
                        ("node_vcpu", vcpu, "vCPU"),
                        ("target_cpu_utilization", p.target_cpu_utilization, "fraction"),
                    ],
                    ceil_count(busy * hf / (vcpu * p.target_cpu_utilization)),
                    "shards",
                ),
            )
        }
    };
    let node_iops = shape.and_then(|s| s.ebs_baseline_iops);
    let iops = t.step(
        "primary_iops",
        "db_write_qps x iops_per_write + reads_on_primary x read_cache_miss_fraction",
        &[
            ("db_write_qps", d.db_write_qps, "queries/s"),
            ("iops_per_write", p.iops_per_write, "IO"),
            ("reads_on_primary", reads_on_primary, "queries/s"),
            (
                "read_cache_miss_fraction",
                p.read_cache_miss_fraction,
                "fraction",
            ),
        ],
        d.db_write_qps * p.iops_per_write + reads_on_primary * p.read_cache_miss_fraction,
        "IOPS",
    );
    let by_iops = match node_iops {
        Some(node_iops) => t.count(
            "shards_by_iops",
            "ceil(primary_iops x (1 + headroom) / node_ebs_baseline_iops)",
            &[
                ("primary_iops", iops, "IOPS"),
                ("headroom", h, "fraction"),
                ("node_ebs_baseline_iops", node_iops, "IOPS"),
            ],
            ceil_count(iops * hf / node_iops),
            "shards",
        ),
        None => 0,
    };
    let by_users = match p.max_users_per_shard {
        Some(cap) => t.count(
            "shards_by_users",
            "ceil(users x (1 + headroom) / max_users_per_shard)",
            &[
                ("users", d.users, "users"),
                ("headroom", h, "fraction"),
                ("max_users_per_shard", cap, "users"),
            ],
            ceil_count(d.users * hf / cap),
            "shards",
        ),
        None => 0,
    };
    let by_memory = match p.working_set_fraction {
        Some(wsf) => {
            let shape = need_shape("working_set_fraction")?;
            let cache_bytes = shape.memory_gib * BYTES_PER_GIB * BUFFER_CACHE_SHARE;
            t.count(
                "shards_by_memory",
                "ceil(db_bytes x working_set_fraction x (1 + headroom) / (node_memory_gib x 2^30 x 0.75))",
                &[
                    ("db_bytes", d.db_bytes, "B"),
                    ("working_set_fraction", wsf, "fraction"),
                    ("headroom", h, "fraction"),
                    ("node_memory_gib", shape.memory_gib, "GiB"),
                ],
                ceil_count(d.db_bytes * wsf * hf / cache_bytes),
                "shards",
            )
        }
        None => 0,
    };
    let mut binding = Binding::of(&[
        ("storage", by_data),
        ("service-limit", by_storage_limit),
        (writes_resource, by_writes),
    ]);
    if node_iops.is_some() {
        binding = binding.with("iops", by_iops);
    }
    if p.max_users_per_shard.is_some() {
        binding = binding.with("users", by_users);
    }
    if p.working_set_fraction.is_some() {
        binding = binding.with("memory", by_memory);
    }
    let binding = binding.with("minimum", p.min_shards);
    let needed = binding.needed();
    let needed_name = if p.round_shards_to_power_of_two {
        "shards_needed"
    } else {
        "shards"
    };
    let mut shards = t.count(
        needed_name,
        "max(shards_by_data, shards_by_storage_limit, shards_by_writes or shards_by_cpu, \
         shards_by_iops, shards_by_users, shards_by_memory, min_shards)",
        &[
            ("shards_by_data", by_data as f64, "shards"),
            ("shards_by_storage_limit", by_storage_limit as f64, "shards"),
            (
                if p.max_write_qps_per_shard.is_some() {
                    "shards_by_writes"
                } else {
                    "shards_by_cpu"
                },
                by_writes as f64,
                "shards",
            ),
            ("shards_by_iops", by_iops as f64, "shards"),
            ("shards_by_users", by_users as f64, "shards"),
            ("shards_by_memory", by_memory as f64, "shards"),
            ("min_shards", p.min_shards as f64, "shards"),
        ],
        needed,
        "shards",
    );
    if p.round_shards_to_power_of_two {
        shards = t.count(
            "shards",
            "next power of two >= shards_needed",
            &[("shards_needed", shards as f64, "shards")],
            next_power_of_two(shards),
            "shards",
        );
    }
    let read_qps_per_shard = d.db_read_qps / shards as f64;
    let (read_replicas_per_shard, replica_binding) = match p.read_qps_per_replica {
        Some(per_replica) => {
            let by_reads = ceil_count(read_qps_per_shard * hf / per_replica);
            let n = t.count(
                "read_replicas_per_shard",
                "max(min_read_replicas, ceil(db_read_qps / shards x (1 + headroom) / read_qps_per_replica))",
                &[
                    ("min_read_replicas", p.min_read_replicas as f64, "replicas"),
                    ("db_read_qps", d.db_read_qps, "queries/s"),
                    ("shards", shards as f64, "shards"),
                    ("headroom", h, "fraction"),
                    ("read_qps_per_replica", per_replica, "queries/s"),
                ],
                by_reads.max(p.min_read_replicas),
                "replicas",
            );
            let b = Binding::of(&[
                ("stated-read-qps", by_reads),
                ("minimum", p.min_read_replicas),
            ]);
            (n, Some(b))
        }
        None if primary_reads => (0, None),
        None => {
            let vcpu = need_shape("sizing read replicas by CPU")?.vcpu;
            let by_cpu = t.count(
                "read_replicas_by_cpu",
                "ceil(db_read_qps / shards x cpu_ms_per_read / 1000 x (1 + headroom) \
                 / (node_vcpu x target_cpu_utilization))",
                &[
                    ("db_read_qps", d.db_read_qps, "queries/s"),
                    ("shards", shards as f64, "shards"),
                    ("cpu_ms_per_read", p.cpu_ms_per_read, "ms"),
                    ("headroom", h, "fraction"),
                    ("node_vcpu", vcpu, "vCPU"),
                    (
                        "target_cpu_utilization",
                        p.target_cpu_utilization,
                        "fraction",
                    ),
                ],
                ceil_count(
                    read_qps_per_shard * p.cpu_ms_per_read / 1000.0 * hf
                        / (vcpu * p.target_cpu_utilization),
                ),
                "replicas",
            );
            let mut b = Binding::of(&[("cpu", by_cpu)]);
            if let Some(node_iops) = node_iops {
                b = b.with(
                    "iops",
                    t.count(
                        "read_replicas_by_iops",
                        "ceil(db_read_qps / shards x read_cache_miss_fraction x (1 + headroom) \
                         / node_ebs_baseline_iops)",
                        &[
                            ("db_read_qps", d.db_read_qps, "queries/s"),
                            ("shards", shards as f64, "shards"),
                            (
                                "read_cache_miss_fraction",
                                p.read_cache_miss_fraction,
                                "fraction",
                            ),
                            ("headroom", h, "fraction"),
                            ("node_ebs_baseline_iops", node_iops, "IOPS"),
                        ],
                        ceil_count(
                            read_qps_per_shard * p.read_cache_miss_fraction * hf / node_iops,
                        ),
                        "replicas",
                    ),
                );
            }
            let b = b.with("minimum", p.min_read_replicas);
            let n = t.count(
                "read_replicas_per_shard",
                "max(read_replicas_by_cpu, read_replicas_by_iops, min_read_replicas)",
                &[
                    ("read_replicas_by_cpu", by_cpu as f64, "replicas"),
                    (
                        "read_replicas_by_iops",
                        b.by_resource()
                            .find(|e| e.0 == "iops")
                            .map_or(0.0, |e| e.1 as f64),
                        "replicas",
                    ),
                    ("min_read_replicas", p.min_read_replicas as f64, "replicas"),
                ],
                b.needed(),
                "replicas",
            );
            (n, Some(b))
        }
    };
    let nodes_per_shard = p
        .sync_replicas
        .saturating_add(read_replicas_per_shard)
        .saturating_add(p.geo_replicas)
        .saturating_add(1);
    let nodes = t.count(
        "nodes",
        "shards x (1 primary + sync_replicas + read_replicas_per_shard + geo_replicas)",
        &[
            ("shards", shards as f64, "shards"),
            ("sync_replicas", p.sync_replicas as f64, "replicas"),
            (
                "read_replicas_per_shard",
                read_replicas_per_shard as f64,
                "replicas",
            ),
            ("geo_replicas", p.geo_replicas as f64, "replicas"),
        ],
        shards.saturating_mul(nodes_per_shard),
        "nodes",
    );
    // IOPS a node's volume must deliver. Every node of a shard gets the primary's: replicas
    // replay its writes, and a promoted standby takes its reads too.
    let iops_per_node = t.step(
        "iops_per_node",
        "primary_iops x (1 + headroom) / shards",
        &[
            ("primary_iops", iops, "IOPS"),
            ("headroom", h, "fraction"),
            ("shards", shards as f64, "shards"),
        ],
        iops * hf / shards as f64,
        "IOPS",
    );
    // Allocated storage per node: the shard's data, but never below the service's smallest
    // allocation, and, where the volume can only include more IOPS by being striped (RDS for
    // PostgreSQL on gp3 below 400 GiB cannot provision any), the striping size when the node
    // needs more than the unstriped baseline.
    let data_gb_per_node = t.count(
        "data_gb_per_node",
        "ceil(db_bytes / shards x (1 + storage_headroom) / 1e9)",
        &[
            ("db_bytes", d.db_bytes, "B"),
            ("shards", shards as f64, "shards"),
            ("storage_headroom", sh, "fraction"),
        ],
        ceil_count(d.db_bytes / shards as f64 * (1.0 + sh) / BYTES_PER_GB).max(1),
        "GB",
    );
    let min_storage_gb = t.count(
        "min_storage_gb",
        "ceil(min_storage_gib x 2^30 / 1e9)",
        &[("min_storage_gib", p.min_storage_gib, "GiB")],
        ceil_count(p.min_storage_gib * BYTES_PER_GIB / BYTES_PER_GB),
        "GB",
    );
    let striped_gb = ceil_count(p.striped_storage_gib * BYTES_PER_GIB / BYTES_PER_GB);
    let striped = p.striped_storage_gib > 0.0;
    let iops_storage_gb = if striped && iops_per_node > p.volume_baseline_iops {
        t.count(
            "iops_storage_gb",
            "ceil(striped_storage_gib x 2^30 / 1e9), as iops_per_node > volume_baseline_iops \
             and only a striped volume includes more",
            &[
                ("striped_storage_gib", p.striped_storage_gib, "GiB"),
                ("iops_per_node", iops_per_node, "IOPS"),
                ("volume_baseline_iops", p.volume_baseline_iops, "IOPS"),
            ],
            striped_gb,
            "GB",
        )
    } else {
        0
    };
    let storage_gb_per_node = t.count(
        "storage_gb_per_node",
        "max(data_gb_per_node, min_storage_gb, iops_storage_gb)",
        &[
            ("data_gb_per_node", data_gb_per_node as f64, "GB"),
            ("min_storage_gb", min_storage_gb as f64, "GB"),
            ("iops_storage_gb", iops_storage_gb as f64, "GB"),
        ],
        data_gb_per_node.max(min_storage_gb).max(iops_storage_gb),
        "GB",
    );
    let storage_gb = t.count(
        "storage_gb",
        "storage_gb_per_node x nodes",
        &[
            ("storage_gb_per_node", storage_gb_per_node as f64, "GB"),
            ("nodes", nodes as f64, "nodes"),
        ],
        storage_gb_per_node.saturating_mul(nodes),
        "GB",
    );
    let storage_binding = Binding::of(&[
        ("storage", data_gb_per_node.saturating_mul(nodes)),
        (MINIMUM, min_storage_gb.saturating_mul(nodes)),
        ("iops", iops_storage_gb.saturating_mul(nodes)),
    ]);

    // IOPS above what the allocated volume includes are provisioned and billed.
    let baseline_iops = if striped && storage_gb_per_node >= striped_gb {
        t.step(
            "baseline_iops_per_node",
            "striped_baseline_iops (storage_gb_per_node >= ceil(striped_storage_gib x 2^30 / 1e9))",
            &[
                ("striped_baseline_iops", p.striped_baseline_iops, "IOPS"),
                ("storage_gb_per_node", storage_gb_per_node as f64, "GB"),
                ("striped_storage_gib", p.striped_storage_gib, "GiB"),
            ],
            p.striped_baseline_iops,
            "IOPS",
        )
    } else {
        t.step(
            "baseline_iops_per_node",
            "volume_baseline_iops",
            &[("volume_baseline_iops", p.volume_baseline_iops, "IOPS")],
            p.volume_baseline_iops,
            "IOPS",
        )
    };
    let provisioned_per_node = t.count(
        "provisioned_iops_per_node",
        "max(0, ceil(iops_per_node - baseline_iops_per_node))",
        &[
            ("iops_per_node", iops_per_node, "IOPS"),
            ("baseline_iops_per_node", baseline_iops, "IOPS"),
        ],
        ceil_count((iops_per_node - baseline_iops).max(0.0)),
        "IOPS",
    );
    let provisioned_iops = t.count(
        "provisioned_iops",
        "provisioned_iops_per_node x nodes",
        &[
            (
                "provisioned_iops_per_node",
                provisioned_per_node as f64,
                "IOPS",
            ),
            ("nodes", nodes as f64, "nodes"),
        ],
        provisioned_per_node.saturating_mul(nodes),
        "IOPS",
    );

    // Every node line bills the same instance price: build its key once.
    let node_price = PriceKey::new(&p.service, instance, ctx.pricing_region);
    let node = |item: &str, count: u64| {
        RegionLine::billed(
            item,
            count,
            Measure::Instances { memory_gib: None },
            node_price.clone(),
        )
    };
    let last_shards = "shards";
    let mut replicas = |per_shard: u64, name: &str, per_shard_name: &str| {
        t.count(
            name,
            &t.text(|| format!("shards x {per_shard_name}")),
            &[
                ("shards", shards as f64, "shards"),
                (per_shard_name, per_shard as f64, "replicas"),
            ],
            shards.saturating_mul(per_shard),
            "nodes",
        )
    };
    let standby = replicas(p.sync_replicas, "standby_nodes", "sync_replicas");
    let read = replicas(
        read_replicas_per_shard,
        "read_replica_nodes",
        "read_replicas_per_shard",
    );
    let geo = replicas(p.geo_replicas, "geo_replica_nodes", "geo_replicas");
    let mut lines = region_lines();
    lines.extend([node("primary", shards)
        .from_step(last_shards)
        .bound_by(binding)]);
    lines.push(node("standby", standby).from_step("standby_nodes"));
    let mut read_line = node("read-replica", read).from_step("read_replica_nodes");
    if let Some(b) = replica_binding {
        read_line = read_line.bound_by(b.times(shards));
    }
    lines.push(read_line);
    lines.push(node("geo-replica", geo).from_step("geo_replica_nodes"));
    lines.push(
        RegionLine::billed(
            "storage",
            storage_gb,
            Measure::Gb,
            PriceKey::new(&p.storage_service, &p.storage_item, ctx.pricing_region),
        )
        .from_step("storage_gb")
        .bound_by(storage_binding),
    );
    // RDS keeps backups free up to the region's database storage: each primary's and read
    // replica's volume (a Multi-AZ standby is part of its primary's instance; geo replicas
    // count in their own region).
    if p.backup_retention_days > 0.0 {
        let free_backup_gb = t.count(
            "free_backup_gb",
            "storage_gb_per_node x (shards + read_replica_nodes)",
            &[
                ("storage_gb_per_node", storage_gb_per_node as f64, "GB"),
                ("shards", shards as f64, "shards"),
                ("read_replica_nodes", read as f64, "nodes"),
            ],
            storage_gb_per_node.saturating_mul(shards.saturating_add(read)),
            "GB",
        );
        lines.extend(backups::database(
            p.backup_retention_days,
            p.backup_daily_change_fraction,
            d.db_bytes,
            free_backup_gb,
            PriceKey::new("rds-backup", backups::ITEM, ctx.pricing_region),
            t,
        ));
    }
    lines.push(
        RegionLine::billed(
            "provisioned-iops",
            provisioned_iops,
            Measure::Stated,
            PriceKey::new(
                &p.storage_service,
                &p.provisioned_iops_item,
                ctx.pricing_region,
            ),
        )
        .from_step("provisioned_iops"),
    );
    lines.push(
        RegionLine::info("shards", shards, "shards")
            .from_step(last_shards)
            .bound_by(binding),
    );
    if let Some(shape) = shape {
        let max_connections = t.count(
            "max_connections",
            "min(floor(node_memory_gib x 2^30 / 9,531,392), 5000): the RDS default, an upper bound",
            &[("node_memory_gib", shape.memory_gib, "GiB")],
            rds_max_connections(shape.memory_gib),
            "connections",
        );
        lines.push(
            RegionLine::info(
                "max-connections",
                max_connections,
                "connections per instance",
            )
            .from_step("max_connections")
            .per_unit(),
        );
    }
    // Self-managed nodes on EC2 carry a root volume each (their data is the storage line).
    if p.service == "ec2" {
        let nodes = t.count(
            "nodes",
            "primary + standby + read-replica + geo-replica nodes",
            &[
                ("shards", shards as f64, "nodes"),
                ("standby_nodes", standby as f64, "nodes"),
                ("read_replica_nodes", read as f64, "nodes"),
                ("geo_replica_nodes", geo as f64, "nodes"),
            ],
            shards
                .saturating_add(standby)
                .saturating_add(read)
                .saturating_add(geo),
            "nodes",
        );
        lines.extend(node_volume::line(nodes, "nodes", p.node_volume_gb, ctx, t));
    }
    cross_az::postgres(
        p,
        p.sync_replicas.saturating_add(read_replicas_per_shard),
        ctx,
        t,
        &mut lines,
    );
    Ok(lines)
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;

    use super::*;
    use crate::demand::Demand;
    use crate::input::Placement;
    use crate::sizing::test_support::{count, with_ctx};

    pub(crate) fn policy() -> PostgresPolicy {
        PostgresPolicy {
            instance: "db.r6g.2xlarge".into(),
            auto: None,
            instance_by_phase: BTreeMap::new(),
            placement: Placement::PerRegion,
            service: "rds-postgres".into(),
            max_data_bytes_per_shard: 2e12,
            max_write_qps_per_shard: Some(5_000.0),
            cpu_ms_per_write: 0.4,
            cpu_ms_per_read: 0.2,
            target_cpu_utilization: 0.6,
            iops_per_write: 1.0,
            read_cache_miss_fraction: 0.05,
            storage_headroom: 0.25,
            max_storage_gb_per_instance: 70_368.744_177_664,
            max_users_per_shard: Some(2e7),
            working_set_fraction: None,
            round_shards_to_power_of_two: true,
            min_shards: 1,
            sync_replicas: 1,
            min_read_replicas: 1,
            read_qps_per_replica: Some(2_000.0),
            geo_replicas: 1,
            headroom: 0.25,
            storage_service: "rds-storage".into(),
            storage_item: "gp3".into(),
            cross_az_zones: 3,
            bytes_per_query: 1_000.0,
            node_volume_gb: 20,
            volume_baseline_iops: 3_000.0,
            provisioned_iops_item: "gp3-iops".into(),
            min_storage_gib: 20.0,
            striped_storage_gib: 400.0,
            striped_baseline_iops: 12_000.0,
            backup_retention_days: 0.0,
            backup_daily_change_fraction: 0.0,
        }
    }

    #[test]
    fn cross_az_clients_always_replication_only_self_managed() {
        let demand = Demand {
            db_reads_per_month: 2e9,
            db_writes_per_month: 1e9,
            db_write_bytes_per_month: 1e12,
            ..Demand::default()
        };
        let sized = crate::sizing::SizedComponents::default();
        let lines = |p: &PostgresPolicy| {
            with_ctx(demand, &sized, |ctx| {
                let mut lines = Vec::new();
                crate::sizing::cross_az::postgres(p, 2, ctx, &mut Trace::new(), &mut lines);
                lines
            })
        };
        // RDS: replication is free; clients (2e9 + 1e9) x 1,000 B x 2/3 = 2e12 B = 2,000 GB
        // crossing, billed both ways: 4,000 GB
        let rds = lines(&policy());
        assert_eq!(rds.len(), 1);
        assert_eq!(count(&rds, "cross-az-clients"), 4_000);
        let key = rds[0].price.as_ref().unwrap();
        assert_eq!(
            (key.service.as_str(), key.item.as_str()),
            ("cross-az", "transfer")
        );
        // self-managed on EC2: 1e12 B written x 2 replicas per shard = 2,000 GB x 2 = 4,000
        let ec2 = lines(&PostgresPolicy {
            service: "ec2".into(),
            ..policy()
        });
        assert_eq!(count(&ec2, "cross-az-replication"), 4_000);
        // one zone: nothing crosses
        let single = PostgresPolicy {
            cross_az_zones: 1,
            service: "ec2".into(),
            ..policy()
        };
        assert!(lines(&single).is_empty());
    }

    #[test]
    fn hand_computed_shards_replicas_and_storage() {
        let demand = Demand {
            users: 1e8,
            db_bytes: 1e13,
            db_write_qps: 12_000.0,
            db_read_qps: 40_000.0,
            ..Demand::default()
        };
        let lines = with_ctx(demand, &crate::sizing::SizedComponents::default(), |ctx| {
            size(&policy(), ctx, &mut Trace::new())
        })
        .unwrap();
        // by data: ceil(1e13 x 1.25 / 2e12) = ceil(6.25) = 7
        // by writes: ceil(12,000 x 1.25 / 5,000) = 3
        // by users: ceil(1e8 x 1.25 / 2e7) = ceil(6.25) = 7
        // max = 7 -> next power of two = 8 shards
        assert_eq!(count(&lines, "shards"), 8);
        assert_eq!(count(&lines, "primary"), 8);
        // reads per shard 40,000 / 8 = 5,000 x 1.25 / 2,000 = 3.125 -> 4 replicas per shard
        assert_eq!(count(&lines, "read-replica"), 32);
        assert_eq!(count(&lines, "standby"), 8);
        assert_eq!(count(&lines, "geo-replica"), 8);
        // storage per node (storage_headroom 0.25): ceil(1e13 / 8 x 1.25 / 1e9) = 1,563 GB;
        // nodes = 8 x (1 + 1 + 4 + 1) = 56 -> 87,528 GB
        assert_eq!(count(&lines, "storage"), 87_528);
        // RDS nodes carry no root volume of ours; self-managed on EC2, 56 x 20 GB = 1,120 GB
        assert!(lines.iter().all(|l| l.item != "node-volume"));
        let own = PostgresPolicy {
            service: "ec2".into(),
            ..policy()
        };
        let lines = with_ctx(demand, &crate::sizing::SizedComponents::default(), |ctx| {
            size(&own, ctx, &mut Trace::new())
        })
        .unwrap();
        assert_eq!(count(&lines, "node-volume"), 1_120);
    }

    #[test]
    fn a_volume_includes_iops_by_its_allocated_size() {
        // 40,000 writes (and reads): ceil(40,000 x 1.25 / 5,000) = 10 shards -> 16 (power of
        // two); reads 40,000 / 16 x 1.25 / 2,000 = 1.56 -> 2 replicas per shard; nodes 16 x
        // (1 + 1 + 2 + 1) = 80.
        let demand = |db_bytes: f64, writes: f64| Demand {
            users: 1e6,
            db_bytes,
            db_write_qps: writes,
            db_read_qps: 40_000.0,
            ..Demand::default()
        };
        let small = demand(1e11, 40_000.0);
        // Small data, IOPS above gp3's 3,000: data per node ceil(1e11 / 16 x 1.25 / 1e9) = 8 GB,
        // 40,000 x 1 IO x 1.25 / 16 = 3,125 IOPS per node. RDS cannot provision IOPS below
        // 400 GiB: each node is allocated ceil(400 x 2^30 / 1e9) = 430 GB, which includes
        // 12,000 IOPS -> 80 x 430 = 34,400 GB and nothing provisioned.
        let lines = lines_for(&policy(), small);
        assert_eq!(count(&lines, "shards"), 16);
        assert_eq!(count(&lines, "storage"), 34_400);
        assert_eq!(count(&lines, "provisioned-iops"), 0);
        let b = bound(&lines, "storage");
        assert_eq!(b.binding(), "iops");
        // data alone 80 x 8 = 640 GB; the smallest allocation 80 x ceil(21.47) = 1,760 GB
        assert_eq!(need(&b, "storage"), 640);
        assert_eq!(need(&b, "minimum"), 1_760);
        // Large data: ceil(1e13 / 16 x 1.25 / 1e9) = 782 GB per node, striped already, the same
        // 3,125 IOPS are within its 12,000 -> 80 x 782 = 62,560 GB, nothing provisioned.
        let lines = lines_for(&policy(), demand(1e13, 40_000.0));
        assert_eq!(count(&lines, "storage"), 62_560);
        assert_eq!(count(&lines, "provisioned-iops"), 0);
        assert_eq!(bound(&lines, "storage").binding(), "storage");
        // Above the striped baseline, on a shape whose EBS baseline (40,000 IOPS) lets a node
        // need more: 4 IO per write, 160,000 x 1.25 / 40,000 = 5 shards by IOPS, still 16 by
        // writes; 160,000 x 1.25 / 16 = 12,500 IOPS per node -> 500 over 12,000 on each of 80
        // nodes = 40,000 IOPS (x $0.02/IOPS-month = $800/month), with small data as with large.
        let big = PostgresPolicy {
            instance: "db.r6g.8xlarge".into(),
            iops_per_write: 4.0,
            ..policy()
        };
        for db_bytes in [1e11, 1e13] {
            let lines = lines_for(&big, demand(db_bytes, 40_000.0));
            assert_eq!(count(&lines, "shards"), 16);
            assert_eq!(count(&lines, "provisioned-iops"), 40_000);
            let line = lines.iter().find(|l| l.item == "provisioned-iops").unwrap();
            assert_eq!(
                line.price,
                Some(PriceKey::new("rds-storage", "gp3-iops", "us-east-1"))
            );
        }
        // (billed per IOPS-month: tests/resource_sizing.rs checks the plan's cost)
        // io1: no included IOPS and no striping size, 100 GiB at least: every node provisions
        // all 3,125 -> 250,000 IOPS; storage per node max(8, ceil(107.37)) = 108 GB -> 8,640.
        let io1 = PostgresPolicy {
            volume_baseline_iops: 0.0,
            striped_storage_gib: 0.0,
            min_storage_gib: 100.0,
            provisioned_iops_item: "io1-iops".into(),
            ..policy()
        };
        let lines = lines_for(&io1, small);
        assert_eq!(count(&lines, "provisioned-iops"), 250_000);
        assert_eq!(count(&lines, "storage"), 8_640);
        assert_eq!(bound(&lines, "storage").binding(), "minimum");
        // Below gp3's 3,000, small data keeps the smallest allocation: 2,000 writes -> 1 shard
        // (ceil(2,000 x 1.25 / 5,000)), 2,000 x 1.25 = 2,500 IOPS per node; reads 4,000 x 1.25
        // / 2,000 = 2.5 -> 3 replicas: 1 x (1 + 1 + 3 + 1) = 6 nodes; data ceil(1e10 x 1.25 /
        // 1e9) = 13 GB < 22 -> 6 x 22 = 132 GB.
        let lines = lines_for(
            &policy(),
            Demand {
                db_read_qps: 4_000.0,
                ..demand(1e10, 2_000.0)
            },
        );
        assert_eq!(count(&lines, "shards"), 1);
        assert_eq!(count(&lines, "storage"), 132);
        assert_eq!(bound(&lines, "storage").binding(), "minimum");
        assert_eq!(count(&lines, "provisioned-iops"), 0);
    }

    #[test]
    fn min_shards_hold_for_tiny_demand() {
        let mut p = policy();
        p.min_shards = 2;
        p.round_shards_to_power_of_two = false;
        let lines = with_ctx(
            Demand::default(),
            &crate::sizing::SizedComponents::default(),
            |ctx| size(&p, ctx, &mut Trace::new()),
        )
        .unwrap();
        assert_eq!(count(&lines, "primary"), 2);
        assert_eq!(count(&lines, "read-replica"), 2);
        // an empty database still gets the smallest allocation, 20 GiB = 21.47 -> 22 GB, on
        // each of 8 nodes (2 x (1 + 1 + 1 + 1))
        assert_eq!(count(&lines, "storage"), 8 * 22);
    }

    /// Sizes `p` for `demand` in one region; the lines.
    fn lines_for(p: &PostgresPolicy, demand: Demand) -> Vec<RegionLine> {
        with_ctx(demand, &crate::sizing::SizedComponents::default(), |ctx| {
            size(p, ctx, &mut Trace::new())
        })
        .unwrap()
    }

    /// The binding resource of `item` and what `resource` alone needs.
    fn bound(lines: &[RegionLine], item: &str) -> Binding {
        lines
            .iter()
            .find(|l| l.item == item)
            .and_then(|l| l.binding)
            .unwrap_or_else(|| panic!("no binding on {item}"))
    }

    fn need(b: &Binding, resource: &str) -> u64 {
        b.by_resource()
            .find(|e| e.0 == resource)
            .map_or_else(|| panic!("no {resource}"), |e| e.1)
    }

    /// Writes sized from the shape: no stated capacity, reads on replicas.
    fn derived() -> PostgresPolicy {
        PostgresPolicy {
            max_write_qps_per_shard: None,
            read_qps_per_replica: None,
            max_users_per_shard: None,
            round_shards_to_power_of_two: false,
            max_data_bytes_per_shard: 1e15,
            iops_per_write: 0.5,
            ..policy()
        }
    }

    #[test]
    fn cpu_binds_writes_and_reads_from_the_shape() {
        let demand = Demand {
            db_write_qps: 24_000.0,
            db_read_qps: 90_000.0,
            ..Demand::default()
        };
        let lines = lines_for(&derived(), demand);
        // db.r6g.2xlarge: 8 vCPU x 0.6 = 4.8 busy vCPU per node.
        // writes: 24,000 x 0.4 ms = 9.6 vCPU x 1.25 = 12 / 4.8 = 2.5 -> 3 shards;
        // iops: 24,000 x 0.5 x 1.25 = 15,000 / 12,000 baseline IOPS = 1.25 -> 2 shards
        let b = bound(&lines, "shards");
        assert_eq!(count(&lines, "shards"), 3);
        assert_eq!(b.binding(), "cpu");
        assert_eq!(need(&b, "cpu"), 3);
        assert_eq!(need(&b, "iops"), 2);
        // reads per shard 30,000 x 0.2 ms = 6 vCPU x 1.25 = 7.5 / 4.8 = 1.5625 -> 2 replicas
        // per shard (iops: 30,000 x 0.05 x 1.25 / 12,000 = 0.16 -> 1) -> 6 read replicas
        assert_eq!(count(&lines, "read-replica"), 6);
        assert_eq!(bound(&lines, "read-replica").binding(), "cpu");
        // 64 GiB x 2^30 / 9,531,392 = 7,209.9 -> capped at 5,000 connections
        assert_eq!(count(&lines, "max-connections"), 5_000);
    }

    #[test]
    fn doubling_cpu_time_doubles_cpu_bound_shards() {
        // 28,800 writes x 0.4 ms x 1.25 = 14.4 vCPU / 4.8 = exactly 3 shards; at 0.8 ms, 6
        let demand = Demand {
            db_write_qps: 28_800.0,
            ..Demand::default()
        };
        let p = derived();
        let slow = PostgresPolicy {
            cpu_ms_per_write: 0.8,
            ..derived()
        };
        assert_eq!(count(&lines_for(&p, demand), "shards"), 3);
        assert_eq!(count(&lines_for(&slow, demand), "shards"), 6);
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(64))]

        /// Twice the CPU time per query, twice the CPU-bound count: ceil(2x) is 2 ceil(x) or
        /// one less, for shards (writes) and read replicas (reads) alike.
        #[test]
        fn doubling_cpu_time_doubles_cpu_bound_counts(
            writes in 1.0f64..2e6,
            reads in 1.0f64..2e7,
            ms in 0.05f64..2.0,
        ) {
            let demand = Demand { db_write_qps: writes, db_read_qps: reads, ..Demand::default() };
            let p = PostgresPolicy { cpu_ms_per_write: ms, cpu_ms_per_read: ms, ..derived() };
            let slow = PostgresPolicy { cpu_ms_per_write: 2.0 * ms, cpu_ms_per_read: 2.0 * ms, ..derived() };
            let (a, b) = (lines_for(&p, demand), lines_for(&slow, demand));
            let (n, m) = (need(&bound(&a, "shards"), "cpu"), need(&bound(&b, "shards"), "cpu"));
            proptest::prop_assert!(m == 2 * n || m + 1 == 2 * n, "shards by cpu {n} -> {m}");
            // replicas per shard by CPU, on the same shard count where it did not move
            if count(&a, "shards") == count(&b, "shards") {
                let shards = count(&a, "shards");
                let (r, q) = (
                    need(&bound(&a, "read-replica"), "cpu") / shards,
                    need(&bound(&b, "read-replica"), "cpu") / shards,
                );
                proptest::prop_assert!(q == 2 * r || q + 1 == 2 * r, "replicas by cpu {r} -> {q}");
            }
        }

        /// On RDS gp3 every node is allocated at least 20 GiB (22 GB); a node needing more than
        /// 3,000 IOPS is allocated at least 400 GiB (430 GB), and IOPS are provisioned only
        /// above the 12,000 such a volume includes, never on a smaller one.
        #[test]
        fn storage_is_an_allocation_rds_allows(
            writes in 0.0f64..2e6,
            db_bytes in 0.0f64..1e15,
            iops_per_write in 0.0f64..8.0,
            large in proptest::bool::ANY,
        ) {
            let p = PostgresPolicy {
                iops_per_write,
                instance: if large { "db.r6g.16xlarge" } else { "db.r6g.large" }.into(),
                ..derived()
            };
            let demand = Demand { db_write_qps: writes, db_bytes, ..Demand::default() };
            let mut t = Trace::new();
            let lines = with_ctx(demand, &crate::sizing::SizedComponents::default(), |ctx| {
                size(&p, ctx, &mut t)
            })
            .unwrap();
            let steps = t.into_steps();
            let value = |name: &str| steps.iter().find(|s| s.name == name).map(|s| s.result).unwrap();
            let (per_node, iops) = (value("storage_gb_per_node"), value("iops_per_node"));
            let provisioned = value("provisioned_iops_per_node");
            proptest::prop_assert!(per_node >= 22.0);
            if iops > 3_000.0 {
                proptest::prop_assert!(per_node >= 430.0, "{iops} IOPS on {per_node} GB");
            }
            proptest::prop_assert_eq!(provisioned, (iops - 12_000.0).max(0.0).ceil());
            let nodes = value("nodes");
            proptest::prop_assert_eq!(count(&lines, "storage") as f64, per_node * nodes);
        }
    }

    #[test]
    fn each_resource_can_bind() {
        let p = derived();
        // iops: 12,000 writes x 2 IO x 1.25 = 30,000 / 12,000 = 2.5 -> 3 shards, cpu 12,000 x
        // 0.4 ms x 1.25 / 4.8 = 1.25 -> 2
        let io_heavy = PostgresPolicy {
            iops_per_write: 2.0,
            ..derived()
        };
        let lines = lines_for(
            &io_heavy,
            Demand {
                db_write_qps: 12_000.0,
                ..Demand::default()
            },
        );
        assert_eq!(bound(&lines, "shards").binding(), "iops");
        assert_eq!(count(&lines, "shards"), 3);
        // the service limit: 200 TB x 1.25 / 1e9 = 250,000 GB / 70,368.74 GB = 3.55 -> 4
        let lines = lines_for(
            &p,
            Demand {
                db_bytes: 2e14,
                ..Demand::default()
            },
        );
        assert_eq!(bound(&lines, "shards").binding(), "service-limit");
        assert_eq!(count(&lines, "shards"), 4);
        // storage per node follows storage_headroom, not headroom: 2e14 / 4 x 1.25 / 1e9
        // = 62,500 GB per node, x 4 x (1 + 1 + 1 + 1) nodes = 1,000,000 GB
        assert_eq!(count(&lines, "storage"), 1_000_000);
        // memory: 1e13 x 0.2 x 1.25 / (64 GiB x 2^30 x 0.75) = 2.5e12 / 5.15e10 = 48.5 -> 49
        let memory = PostgresPolicy {
            working_set_fraction: Some(0.2),
            ..derived()
        };
        let lines = lines_for(
            &memory,
            Demand {
                db_bytes: 1e13,
                ..Demand::default()
            },
        );
        assert_eq!(bound(&lines, "shards").binding(), "memory");
        assert_eq!(count(&lines, "shards"), 49);
        // the minimum, with no demand at all
        let lines = lines_for(&p, Demand::default());
        assert_eq!(bound(&lines, "shards").binding(), "minimum");
    }

    #[test]
    fn rds_connection_constants_are_the_limits_table() {
        let table = std::fs::read_to_string(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/models/limits/aws.csv"
        ))
        .unwrap();
        assert!(table.contains(",rds_bytes_per_connection,9531392,"));
        assert!(table.contains(",rds_max_connections_cap,5000,"));
        assert_eq!(RDS_BYTES_PER_CONNECTION, 9_531_392.0);
        assert_eq!(RDS_MAX_CONNECTIONS_CAP, 5_000);
        // db.r6g.large, 16 GiB: 17,179,869,184 / 9,531,392 = 1,802.4 -> 1,802
        assert_eq!(rds_max_connections(16.0), 1_802);
    }

    #[test]
    fn primary_serves_reads_without_read_replicas() {
        let p = PostgresPolicy {
            min_read_replicas: 0,
            ..derived()
        };
        // 48,000 reads x 0.2 ms = 9.6 vCPU x 1.25 = 12 / 4.8 = 2.5 -> 3 shards, no replicas
        let lines = lines_for(
            &p,
            Demand {
                db_read_qps: 48_000.0,
                ..Demand::default()
            },
        );
        assert_eq!(count(&lines, "shards"), 3);
        assert_eq!(count(&lines, "read-replica"), 0);
    }
}
