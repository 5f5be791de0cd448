//! PgBouncer pools: Little's law for busy connections, Erlang C for the pool size.
//!
//! Per shard, transactions/s x hold time = offered load A (busy server connections, by
//! Little's law); `default_pool_size` is the smallest c whose M/M/c wait meets the SLO.
//! Client connections = app instances x client pool; poolers = max(by clients, by
//! transactions/s per single-threaded pooler, min_poolers).

use crate::input::kinds::pgbouncer::PgBouncerPolicy;
use crate::queueing::{WaitTarget, smallest_servers};
use crate::sizing::{Measure, PriceKey, RegionContext, RegionLine, SizingError};
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
    let db = ctx
        .sized
        .get(&p.database)
        .ok_or_else(|| format!("database component `{}` was not sized", p.database))?;
    let app = ctx
        .sized
        .get(&p.app)
        .ok_or_else(|| format!("app component `{}` was not sized", p.app))?;
    let shards = db.count_in(ctx.region, "shards").max(1);
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
    let offered = t.step(
        "busy_connections_per_shard",
        "transactions_per_s x (1 + headroom) / shards x transaction_hold_s (Little's law)",
        &[
            ("transactions_per_s", tps, "transactions/s"),
            ("headroom", h, "fraction"),
            ("shards", shards as f64, "shards"),
            ("transaction_hold_s", p.transaction_hold_s, "s"),
        ],
        tps * (1.0 + h) / shards as f64 * p.transaction_hold_s,
        "Erlangs",
    );
    let target = WaitTarget {
        max_p_wait: p.max_wait_probability,
        max_mean_wait_service_times: p.max_mean_wait_s.map(|w| w / p.transaction_hold_s),
    };
    let queue = smallest_servers(offered, target, 1);
    let pool = t.count(
        "default_pool_size",
        "smallest c with ErlangC(c, A) <= max_wait_probability and \
         ErlangC(c, A) / (c - A) x transaction_hold_s <= max_mean_wait_s",
        &[
            ("A", offered, "Erlangs"),
            (
                "max_wait_probability",
                p.max_wait_probability.unwrap_or(1.0),
                "probability",
            ),
            (
                "max_mean_wait_s",
                p.max_mean_wait_s.unwrap_or(f64::MAX.min(1e300)),
                "s",
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
    );
    let server_connections = t.count(
        "server_connections",
        "default_pool_size x shards",
        &[
            ("default_pool_size", pool as f64, "connections"),
            ("shards", shards as f64, "shards"),
        ],
        pool.saturating_mul(shards),
        "connections",
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
        ceil_count(client_connections as f64 * (1.0 + h) / p.max_client_conn_per_pooler as f64);
    let by_tps = ceil_count(tps * (1.0 + h) / p.max_transactions_per_s_per_pooler);
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
        by_clients.max(by_tps).max(p.min_poolers),
        "poolers",
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
        ceil_count(client_connections as f64 * (1.0 + h) / poolers as f64),
        "connections",
    );
    Ok(vec![
        RegionLine::billed(
            "pooler",
            poolers,
            Measure::Instances { memory_gib: None },
            PriceKey::new(&p.service, &p.instance, ctx.pricing_region),
        )
        .from_step("poolers"),
        RegionLine::info("default-pool-size", pool, "connections per shard")
            .from_step("default_pool_size")
            .per_unit(),
        RegionLine::info("server-connections", server_connections, "connections")
            .from_step("server_connections"),
        RegionLine::info("client-connections", client_connections, "connections")
            .from_step("client_connections"),
        RegionLine::info("max-client-conn", max_client_conn, "connections per pooler")
            .from_step("max_client_conn")
            .per_unit(),
    ])
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
                per_unit: false,
                binding: None,
                derivation: Vec::new(),
            });
            sizing.per_region.insert("r1".into(), vec![*n]);
            components.insert(index, component, sizing);
        }
        components
    }

    #[test]
    fn erlang_c_pool_and_pooler_count() {
        let p = PgBouncerPolicy {
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
            min_poolers: 2,
            headroom: 0.0,
        };
        let demand = Demand {
            db_qps: 10_000.0,
            ..Demand::default()
        };
        let prior = sized(&[("db", "shards", 4), ("api", "pod", 10)]);
        let lines = with_ctx(demand, &prior, |ctx| size(&p, ctx, &mut Trace::new())).unwrap();
        // 10,000 qps / 2.5 = 4,000 tps; per shard 1,000 tps x 0.005 s = A = 5 Erlangs.
        // Erlang C(9, 5) = 0.0805 > 0.05, C(10, 5) = 0.0361 <= 0.05 -> pool of 10
        assert_eq!(count(&lines, "default-pool-size"), 10);
        assert_eq!(count(&lines, "server-connections"), 40);
        // 10 pods x 20 = 200 client connections; by clients 1, by tps ceil(4,000/15,000) = 1,
        // min 2 -> 2 poolers, each max_client_conn = 100
        assert_eq!(count(&lines, "client-connections"), 200);
        assert_eq!(count(&lines, "pooler"), 2);
        assert_eq!(count(&lines, "max-client-conn"), 100);
    }
}
