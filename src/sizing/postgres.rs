//! PostgreSQL: shards by data, write rate and users; replicas per shard; storage.
//!
//! shards = max(ceil(db_bytes (1+h) / max_data_bytes_per_shard),
//!              ceil(db_write_qps (1+h) / max_write_qps_per_shard),
//!              ceil(users (1+h) / max_users_per_shard), min_shards),
//! optionally rounded up to a power of two. Each shard has one primary, `sync_replicas`
//! standbys, read replicas (the floor, or enough for its reads), and `geo_replicas`.

use crate::input::kinds::postgres::PostgresPolicy;
use crate::sizing::{Measure, PriceKey, RegionContext, RegionLine, SizingError, instance_for};
use crate::trace::Trace;
use crate::units::{BYTES_PER_GB, ceil_count, next_power_of_two};

/// Share of a database node's memory that serves as buffer cache for the working set.
const BUFFER_CACHE_SHARE: f64 = 0.75;

/// Sizes one region's Postgres.
pub fn size(
    p: &PostgresPolicy,
    ctx: &RegionContext<'_>,
    t: &mut Trace,
) -> Result<Vec<RegionLine>, SizingError> {
    let d = &ctx.demand;
    let h = p.headroom;
    let hf = 1.0 + h;
    let by_data = t.count(
        "shards_by_data",
        "ceil(db_bytes x (1 + headroom) / max_data_bytes_per_shard)",
        &[
            ("db_bytes", d.db_bytes, "B"),
            ("headroom", h, "fraction"),
            ("max_data_bytes_per_shard", p.max_data_bytes_per_shard, "B"),
        ],
        ceil_count(d.db_bytes * hf / p.max_data_bytes_per_shard),
        "shards",
    );
    let by_writes = t.count(
        "shards_by_writes",
        "ceil(db_write_qps x (1 + headroom) / max_write_qps_per_shard)",
        &[
            ("db_write_qps", d.db_write_qps, "queries/s"),
            ("headroom", h, "fraction"),
            (
                "max_write_qps_per_shard",
                p.max_write_qps_per_shard,
                "queries/s",
            ),
        ],
        ceil_count(d.db_write_qps * hf / p.max_write_qps_per_shard),
        "shards",
    );
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
    let instance = instance_for(&p.instance, &p.instance_by_phase, ctx.phase);
    let by_memory = match p.working_set_fraction {
        Some(wsf) => {
            let shape = ctx.catalog.get(instance).ok_or_else(|| {
                format!(
                    "no shape for `{instance}` in the catalog: working_set_fraction needs its memory{}",
                    crate::error::did_you_mean(instance, ctx.catalog.instances())
                )
            })?;
            let cache_bytes = shape.memory_gib * crate::units::BYTES_PER_GIB * BUFFER_CACHE_SHARE;
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
    let needed = by_data
        .max(by_writes)
        .max(by_users)
        .max(by_memory)
        .max(p.min_shards);
    let needed_name = if p.round_shards_to_power_of_two {
        "shards_needed"
    } else {
        "shards"
    };
    let mut shards = t.count(
        needed_name,
        "max(shards_by_data, shards_by_writes, shards_by_users, shards_by_memory, min_shards)",
        &[
            ("shards_by_data", by_data as f64, "shards"),
            ("shards_by_writes", by_writes as f64, "shards"),
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
    let read_replicas_per_shard = match p.read_qps_per_replica {
        Some(per_replica) => {
            let read_qps_per_shard = d.db_read_qps / shards as f64;
            let by_reads = ceil_count(read_qps_per_shard * hf / per_replica);
            t.count(
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
            )
        }
        None => p.min_read_replicas,
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
    let storage_gb_per_node = t.count(
        "storage_gb_per_node",
        "ceil(db_bytes / shards x (1 + headroom) / 1e9)",
        &[
            ("db_bytes", d.db_bytes, "B"),
            ("shards", shards as f64, "shards"),
            ("headroom", h, "fraction"),
        ],
        ceil_count(d.db_bytes / shards as f64 * hf / BYTES_PER_GB).max(1),
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
    let mut lines = vec![node("primary", shards).from_step(last_shards)];
    lines.push(node("standby", standby).from_step("standby_nodes"));
    lines.push(node("read-replica", read).from_step("read_replica_nodes"));
    lines.push(node("geo-replica", geo).from_step("geo_replica_nodes"));
    lines.push(
        RegionLine::billed(
            "storage",
            storage_gb,
            Measure::Gb,
            PriceKey::new(&p.storage_service, &p.storage_item, ctx.pricing_region),
        )
        .from_step("storage_gb"),
    );
    lines.push(RegionLine::info("shards", shards, "shards").from_step(last_shards));
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
            max_write_qps_per_shard: 5_000.0,
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
        }
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
        // storage per node: ceil(1e13 / 8 x 1.25 / 1e9) = ceil(1,562.5) = 1,563 GB;
        // nodes = 8 x (1 + 1 + 4 + 1) = 56 -> 87,528 GB
        assert_eq!(count(&lines, "storage"), 87_528);
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
        // an empty database still gets 1 GB per node (8 nodes: 2 x (1 + 1 + 1 + 1))
        assert_eq!(count(&lines, "storage"), 8);
    }
}
