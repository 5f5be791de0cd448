//! PgBouncer: pooler processes, and the pools each one keeps, by Little's law and Erlang C.
//!
//! poolers = max(clients: ceil(client connections (1+h) / max_client_conn_per_pooler),
//! cpu: ceil(transactions/s (1+h) / max_transactions_per_s_per_pooler) (one core each),
//! min_poolers). Every pooler process keeps its own pool per database, so each sees its share
//! of a shard's load: A = transactions/s to the shard (1+h) / poolers x hold time (Little's
//! law), and its pool is the smallest c whose M/M/c wait meets the SLO. Write transactions go
//! to the primary, reads to the read replicas (to the primary when there are none), each with
//! its own pool. A primary then receives poolers x pool server connections, which must stay
//! within its `max_connections` less `reserved_connections`: when they do not, the plan warns
//! and the audit fails, naming the connection limit (fewer poolers, a bigger shape or more
//! shards), never silently.

use crate::input::kinds::pgbouncer::PgBouncerPolicy;
use crate::queueing::{WaitTarget, smallest_servers};
use crate::sizing::{
    Binding, Measure, PriceKey, RegionContext, RegionLine, SizingError, node_volume, region_lines,
};
use crate::trace::Trace;
use crate::units::ceil_count;

/// Sizes one region's poolers.
pub fn size(
    p: &PgBouncerPolicy,
    ctx: &RegionContext<'_>,
    t: &mut Trace,
) -> Result<Vec<RegionLine>, SizingError> {
    let d = &ctx.demand;
    let h = p.headroom;
    let hf = 1.0 + h;
    let db = ctx
        .sized
        .get(&p.database)
        .ok_or_else(|| format!("database component `{}` was not sized", p.database))?;
    let app = ctx
        .sized
        .get(&p.app)
        .ok_or_else(|| format!("app component `{}` was not sized", p.app))?;
    let shards = db.count_in(ctx.region, "shards").max(1);
    let read_replicas = db.count_in(ctx.region, "read-replica");
    let max_connections = db.count_in(ctx.region, "max-connections");
    let app_instances = app.count_in(ctx.region, "pod");
    let tps = t.step(
        "transactions_per_s",
        "db_qps / queries_per_transaction",
        &[
            ("db_qps", d.db_qps, "queries/s"),
            (
                "queries_per_transaction",
                p.queries_per_transaction,
                "queries",
            ),
        ],
        d.db_qps / p.queries_per_transaction,
        "transactions/s",
    );
    let client_connections = t.count(
        "client_connections",
        "app_instances x client_pool_per_app_instance",
        &[
            ("app_instances", app_instances as f64, "pods"),
            (
                "client_pool_per_app_instance",
                p.client_pool_per_app_instance as f64,
                "connections",
            ),
        ],
        app_instances.saturating_mul(p.client_pool_per_app_instance),
        "connections",
    );
    let by_clients =
        ceil_count(client_connections as f64 * hf / p.max_client_conn_per_pooler as f64);
    let by_tps = ceil_count(tps * hf / p.max_transactions_per_s_per_pooler);
    let binding = Binding::of(&[
        ("connections", by_clients),
        ("cpu", by_tps),
        ("minimum", p.min_poolers),
    ]);
    let poolers = t.count(
        "poolers",
        "max(ceil(client_connections x (1 + headroom) / max_client_conn_per_pooler), \
         ceil(transactions_per_s x (1 + headroom) / max_transactions_per_s_per_pooler), min_poolers)",
        &[
            ("client_connections", client_connections as f64, "connections"),
            ("max_client_conn_per_pooler", p.max_client_conn_per_pooler as f64, "connections"),
            ("transactions_per_s", tps, "transactions/s"),
            ("headroom", h, "fraction"),
            ("max_transactions_per_s_per_pooler", p.max_transactions_per_s_per_pooler, "transactions/s"),
            ("min_poolers", p.min_poolers as f64, "poolers"),
        ],
        binding.needed(),
        "poolers",
    );
    // Writes go to the primary; reads to the read replicas, or to the primary without any.
    let write_share = if d.db_qps > 0.0 {
        (d.db_write_qps / d.db_qps).clamp(0.0, 1.0)
    } else {
        1.0
    };
    let primary_share = if read_replicas == 0 { 1.0 } else { write_share };
    let target = WaitTarget {
        max_p_wait: p.max_wait_probability,
        max_mean_wait_service_times: p.max_mean_wait_s.map(|w| w / p.transaction_hold_s),
    };
    let pool_for = |t: &mut Trace, name: &str, share_name: &str, share: f64, nodes: u64| {
        let offered = t.step(
            &t.text(|| format!("busy_connections_per_pooler_{name}")),
            &t.text(|| {
                format!(
                    "transactions_per_s x {share_name} x (1 + headroom) / {name}s / poolers \
                     x transaction_hold_s (Little's law)"
                )
            }),
            &[
                ("transactions_per_s", tps, "transactions/s"),
                (share_name, share, "fraction"),
                ("headroom", h, "fraction"),
                (&t.text(|| format!("{name}s")), nodes as f64, "nodes"),
                ("poolers", poolers as f64, "poolers"),
                ("transaction_hold_s", p.transaction_hold_s, "s"),
            ],
            tps * share * hf / nodes.max(1) as f64 / poolers.max(1) as f64 * p.transaction_hold_s,
            "Erlangs",
        );
        let queue = smallest_servers(offered, target, 1);
        let busy = t.text(|| format!("busy_connections_per_pooler_{name}"));
        t.count(
            &t.text(|| format!("{name}_pool_size")),
            "smallest c with ErlangC(c, A) <= max_wait_probability and \
             ErlangC(c, A) / (c - A) x transaction_hold_s <= max_mean_wait_s",
            &[
                (&busy, offered, "Erlangs"),
                (
                    "max_wait_probability",
                    p.max_wait_probability.unwrap_or(1.0),
                    "probability",
                ),
                ("p_wait_at_c", queue.p_wait, "probability"),
                (
                    "mean_wait_s_at_c",
                    queue.mean_wait_service_times * p.transaction_hold_s,
                    "s",
                ),
            ],
            queue.servers,
            "connections",
        )
    };
    let pool = pool_for(t, "primary", "primary_share", primary_share, shards);
    let replica_pool = if read_replicas > 0 {
        pool_for(t, "replica", "read_share", 1.0 - write_share, read_replicas)
    } else {
        0
    };
    let per_primary = poolers.saturating_mul(pool);
    // What the primary leaves the poolers: unknown (no limit) without a catalog shape.
    let open = if max_connections > 0 {
        max_connections.saturating_sub(p.reserved_connections)
    } else {
        u64::MAX
    };
    let server_connections = t.count(
        "server_connections",
        "poolers x (primary_pool_size x shards + replica_pool_size x read_replicas)",
        &[
            ("poolers", poolers as f64, "poolers"),
            ("primary_pool_size", pool as f64, "connections"),
            ("shards", shards as f64, "shards"),
            ("replica_pool_size", replica_pool as f64, "connections"),
            ("read_replicas", read_replicas as f64, "replicas"),
        ],
        poolers.saturating_mul(
            pool.saturating_mul(shards)
                .saturating_add(replica_pool.saturating_mul(read_replicas)),
        ),
        "connections",
    );
    let per_primary = t.count(
        "server_connections_per_primary",
        "poolers x primary_pool_size, within max_connections - reserved_connections",
        &[
            ("poolers", poolers as f64, "poolers"),
            ("primary_pool_size", pool as f64, "connections"),
            ("max_connections", max_connections as f64, "connections"),
            (
                "reserved_connections",
                p.reserved_connections as f64,
                "connections",
            ),
        ],
        per_primary,
        "connections",
    );
    let max_client_conn = t.count(
        "max_client_conn",
        "ceil(client_connections x (1 + headroom) / poolers)",
        &[
            (
                "client_connections",
                client_connections as f64,
                "connections",
            ),
            ("headroom", h, "fraction"),
            ("poolers", poolers as f64, "poolers"),
        ],
        ceil_count(client_connections as f64 * hf / poolers as f64),
        "connections",
    );
    let mut lines = region_lines();
    lines.extend([
        RegionLine::billed(
            "pooler",
            poolers,
            Measure::Instances { memory_gib: None },
            PriceKey::new(&p.service, &p.instance, ctx.pricing_region),
        )
        .from_step("poolers")
        .bound_by(binding),
        RegionLine::info(
            "default-pool-size",
            pool,
            "connections per pooler per shard",
        )
        .from_step("primary_pool_size")
        .per_unit(),
        RegionLine::info(
            "replica-pool-size",
            replica_pool,
            "connections per pooler per replica",
        )
        .from_step("replica_pool_size")
        .per_unit(),
        RegionLine::info("server-connections", server_connections, "connections")
            .from_step("server_connections"),
        RegionLine::info(
            "server-connections-per-primary",
            per_primary,
            "connections per primary",
        )
        .from_step("server_connections_per_primary")
        .per_unit()
        .limited_to(open),
        RegionLine::info("client-connections", client_connections, "connections")
            .from_step("client_connections"),
        RegionLine::info("max-client-conn", max_client_conn, "connections per pooler")
            .from_step("max_client_conn")
            .per_unit(),
    ]);
    // Pooler hosts on EC2 carry a root volume each.
    if p.service == "ec2"
        && let Some(volume) = node_volume::line(poolers, "poolers", p.node_volume_gb, ctx, t)
    {
        lines.push(volume);
    }
    Ok(lines)
}

#[cfg(test)]
mod tests {

    use super::*;
    use crate::demand::Demand;
    use crate::input::Placement;
    use crate::sizing::test_support::{count, with_ctx};
    use crate::sizing::{ComponentSizing, SizedComponents, SizedLine};

    /// Components sized in region `r1` only: (component, item, count), one line each.
    fn sized(items: &[(&str, &str, u64)]) -> SizedComponents {
        let mut components = SizedComponents::default();
        for (index, (component, item, n)) in items.iter().enumerate() {
            let mut sizing = ComponentSizing::default();
            sizing.lines.push(SizedLine {
                item: (*item).into(),
                count: *n,
                measure: crate::sizing::Measure::Info("units"),
                names_instance: false,
                price: None,
                parts: Vec::new(),
                per_unit: false,
                binding: None,
                limit: None,
                derivation: Vec::new(),
            });
            sizing.per_region.insert("r1".into(), vec![*n]);
            components.insert(index, component, sizing);
        }
        components
    }

    #[test]
    fn erlang_c_pool_and_pooler_count() {
        let p = policy();
        let demand = Demand {
            db_qps: 10_000.0,
            ..Demand::default()
        };
        let prior = sized(&[("db", "shards", 4), ("api", "pod", 10)]);
        let lines = with_ctx(demand, &prior, |ctx| size(&p, ctx, &mut Trace::new())).unwrap();
        // 10 pods x 20 = 200 client connections; by clients 1, by tps ceil(4,000/15,000) = 1,
        // min 2 -> 2 poolers, each max_client_conn = 100
        assert_eq!(count(&lines, "client-connections"), 200);
        assert_eq!(count(&lines, "pooler"), 2);
        assert_eq!(count(&lines, "max-client-conn"), 100);
        // each EC2 pooler host has a 20 GB root volume: 2 x 20 = 40 GB
        assert_eq!(count(&lines, "node-volume"), 40);
        // 10,000 qps / 2.5 = 4,000 tps, all on the primaries (no read replicas); per shard
        // 1,000 tps x 0.005 s = 5 Erlangs, per pooler 2.5 Erlangs.
        // Erlang C(5, 2.5) = 0.130 > 0.05, C(6, 2.5) = 0.0474 <= 0.05 -> pool of 6 per pooler
        assert_eq!(count(&lines, "default-pool-size"), 6);
        assert_eq!(count(&lines, "replica-pool-size"), 0);
        // every pooler keeps its own pool: 2 poolers x 6 x 4 shards = 48 (one shared pool
        // would have been 10 per shard, 40 in all)
        assert_eq!(count(&lines, "server-connections"), 48);
        assert_eq!(count(&lines, "server-connections-per-primary"), 12);
    }

    /// A database of `shards` shards, `replicas` read replicas and `max_connections` per
    /// instance, and an app of 10 pods, in region `r1`.
    fn db_and_app(shards: u64, replicas: u64, max_connections: u64) -> SizedComponents {
        let line = |item: &str, n: u64| SizedLine {
            item: item.into(),
            count: n,
            measure: crate::sizing::Measure::Info("units"),
            names_instance: false,
            price: None,
            parts: Vec::new(),
            per_unit: false,
            binding: None,
            limit: None,
            derivation: Vec::new(),
        };
        let mut db = ComponentSizing {
            lines: vec![
                line("shards", shards),
                line("read-replica", replicas),
                line("max-connections", max_connections),
            ],
            ..ComponentSizing::default()
        };
        db.per_region
            .insert("r1".into(), vec![shards, replicas, max_connections]);
        let mut app = ComponentSizing {
            lines: vec![line("pod", 10)],
            ..ComponentSizing::default()
        };
        app.per_region.insert("r1".into(), vec![10]);
        let mut components = SizedComponents::default();
        components.insert(0, "db", db);
        components.insert(1, "api", app);
        components
    }

    fn policy() -> PgBouncerPolicy {
        PgBouncerPolicy {
            instance: "m6i.large".into(),
            auto: None,
            placement: Placement::PerRegion,
            service: "ec2".into(),
            database: "db".into(),
            app: "api".into(),
            queries_per_transaction: 2.5,
            transaction_hold_s: 0.005,
            max_wait_probability: Some(0.05),
            max_mean_wait_s: None,
            client_pool_per_app_instance: 20,
            max_client_conn_per_pooler: 10_000,
            max_transactions_per_s_per_pooler: 15_000.0,
            reserved_connections: 15,
            min_poolers: 2,
            headroom: 0.0,
            node_volume_gb: 20,
        }
    }

    #[test]
    fn primary_and_replica_pools_apart() {
        // 10,000 qps, 2,000 of them writes: write share 0.2. 4,000 tps: 800 to 4 primaries =
        // 200 tps x 0.005 s = 1 Erlang per shard, 0.5 per pooler -> Erlang C(2, 0.5) = 0.1,
        // C(3, 0.5) = 0.0152 -> pool of 3. Reads 3,200 tps over 8 replicas = 400 x 0.005 = 2
        // Erlangs, 1 per pooler -> C(3, 1) = 0.0909, C(4, 1) = 0.0204 -> replica pool of 4.
        let demand = Demand {
            db_qps: 10_000.0,
            db_write_qps: 2_000.0,
            db_read_qps: 8_000.0,
            ..Demand::default()
        };
        let prior = db_and_app(4, 8, 5_000);
        let lines = with_ctx(demand, &prior, |ctx| {
            size(&policy(), ctx, &mut Trace::new())
        })
        .unwrap();
        assert_eq!(count(&lines, "default-pool-size"), 3);
        assert_eq!(count(&lines, "replica-pool-size"), 4);
        // 2 poolers x (3 x 4 primaries + 4 x 8 replicas) = 88
        assert_eq!(count(&lines, "server-connections"), 88);
    }

    #[test]
    fn connections_over_max_connections_are_named() {
        // the same load as above on primaries of max_connections 20: 2 poolers x 3 = 6
        // connections per primary, against 20 - 15 reserved = 5 the poolers may open
        let demand = Demand {
            db_qps: 10_000.0,
            db_write_qps: 2_000.0,
            db_read_qps: 8_000.0,
            ..Demand::default()
        };
        let prior = db_and_app(4, 8, 20);
        let lines = with_ctx(demand, &prior, |ctx| {
            size(&policy(), ctx, &mut Trace::new())
        })
        .unwrap();
        let per_primary = lines
            .iter()
            .find(|l| l.item == "server-connections-per-primary")
            .unwrap();
        assert_eq!((per_primary.count, per_primary.limit), (6, Some(5)));
    }
}
