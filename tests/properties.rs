//! Invariants over generated workloads and user counts (proptest): capacity covers demand,
//! more users never need fewer nodes or cost less, totals add up, nothing is NaN.

use headroom::input::{Growth, Phase, Scenario, load_scenario};
use headroom::plan::{self, Plan};
use proptest::prelude::*;
use serde_json::Value;

use crate::support::root;

fn base() -> Scenario {
    load_scenario(&root().join("scenarios/saas-10b.ron")).expect("shipped scenario loads")
}

prop_compose! {
    fn workload_knobs()(
        mau in 0.01f64..1.0,
        dau in 0.01f64..1.0,
        requests in 1.0f64..2_000.0,
        peak in 1.0f64..10.0,
        read in 0.0f64..1.0,
        hit in 0.0f64..0.99,
        db_bytes in 0.0f64..1e6,
        session in 0.0f64..1e5,
        cdn in 0.0f64..1e9,
        objects in 0.0f64..1e9,
    ) -> [f64; 10] {
        [mau, dau, requests, peak, read, hit, db_bytes, session, cdn, objects]
    }
}

fn scenario_with(knobs: [f64; 10], phases: Vec<Phase>) -> Scenario {
    let mut s = base();
    let w = &mut s.workload;
    [
        w.mau_ratio,
        w.dau_ratio,
        w.requests_per_dau_per_day,
        w.peak_to_average,
        w.read_fraction,
        w.cache_hit_ratio,
        w.db_bytes_per_user,
        w.session_bytes,
        w.cdn_egress_bytes_per_dau_per_day,
        w.object_bytes_per_user,
    ] = knobs;
    s.growth = Growth::Ladder { phases };
    s
}

fn build(s: &Scenario) -> Plan {
    plan::build(s).expect("plan builds")
}

/// Lines whose count may shrink as users grow: per-unit settings, not capacity.
fn per_unit(item: &str) -> bool {
    // Pools are per pooler process: more poolers, each with a smaller share of the load.
    // Provisioned IOPS are what each node needs above its volume's included baseline: more
    // shards (for data or CPU) spread the IOPS until each node is under it again.
    matches!(
        item,
        "default-pool-size"
            | "replica-pool-size"
            | "server-connections-per-primary"
            | "max-client-conn"
            | "provisioned-iops"
    )
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(48))]

    #[test]
    fn more_users_never_need_less(knobs in workload_knobs(), users in 1_000u64..1_000_000_000, factor in 2u64..50) {
        let s = scenario_with(knobs, vec![
            Phase { name: "small".into(), users },
            Phase { name: "large".into(), users: users * factor },
        ]);
        let plan = build(&s);
        let (small, large) = (&plan.phases[0], &plan.phases[1]);
        prop_assert!(large.monthly_usd >= small.monthly_usd - 1e-6,
            "cost fell: {} -> {}", small.monthly_usd, large.monthly_usd);
        for (a, b) in small.lines.iter().zip(&large.lines) {
            prop_assert_eq!((&a.component, &a.item), (&b.component, &b.item));
            if !per_unit(&a.item) {
                prop_assert!(b.count >= a.count, "{}/{} fell: {} -> {}", a.component, a.item, a.count, b.count);
            }
        }
    }

    #[test]
    fn totals_add_up_and_nothing_is_nan(knobs in workload_knobs(), users in 1u64..100_000_000_000) {
        let s = scenario_with(knobs, vec![Phase { name: "p".into(), users }]);
        let plan = build(&s);
        let phase = &plan.phases[0];
        let sum: f64 = phase.lines.iter().map(|l| l.monthly_usd).sum();
        prop_assert!((sum - phase.monthly_usd).abs() <= 0.005 * phase.lines.len() as f64);
        let by_component: f64 = phase.components.iter().map(|c| c.monthly_usd).sum();
        prop_assert!((by_component - phase.monthly_usd).abs() <= 0.005 * phase.components.len() as f64);
        // serde_json writes a non-finite f64 as null: only Option fields may be null.
        let json = serde_json::to_value(&plan).unwrap();
        let mut nulls = Vec::new();
        collect_nulls(&json, "", &mut nulls);
        for path in nulls {
            let key = path.rsplit('.').next().unwrap_or("");
            prop_assert!(
                ["source", "catalog", "discount", "instance", "price_key", "end", "per_dau_usd"].contains(&key),
                "null (NaN or infinity?) at {path}"
            );
        }
    }

    #[test]
    fn capacity_covers_demand(knobs in workload_knobs(), users in 1_000u64..10_000_000_000) {
        let s = scenario_with(knobs, vec![Phase { name: "p".into(), users }]);
        let plan = build(&s);
        let phase = &plan.phases[0];
        let get = |component: &str, item: &str| {
            phase.lines.iter().find(|l| l.component == component && l.item == item).unwrap().count as f64
        };
        let d = &phase.demand;
        // api: pods x 500 req/s x 0.6 target, after losing 1 of 3 zones, carries the peak.
        prop_assert!(get("api", "pod") * 500.0 * 0.6 * 2.0 / 3.0 >= d.peak_rps * (1.0 - 1e-9));
        prop_assert!(get("api", "node") * 4.0 >= get("api", "pod"));
        // users-db: shards x 2 TB >= data x 1.3; shards x 5,000 >= writes x 1.3
        prop_assert!(get("users-db", "shards") * 2e12 >= d.db_bytes * 1.3 * (1.0 - 1e-9));
        prop_assert!(get("users-db", "shards") * 5_000.0 >= d.db_write_qps * 1.3 * (1.0 - 1e-9));
        // sessions-cache: masters x usable memory >= (sessions + working set) x 1.3 overhead x 1.3
        let usable = 26.32 * 1_073_741_824.0 * 0.75;
        let need = (d.session_memory_bytes + d.cache_working_set_bytes) * 1.3 * 1.3;
        prop_assert!(get("sessions-cache", "master") * usable >= need * (1.0 - 1e-9));
        prop_assert!(get("sessions-cache", "master") * 100_000.0 >= d.cache_ops_per_s * 1.3 * (1.0 - 1e-9));
        // events: brokers x 30 MB/s >= ingress x RF 3 x 1.3
        prop_assert!(get("events", "broker") * 30e6 >= d.event_ingress_bytes_per_s_peak * 3.0 * 1.3 * (1.0 - 1e-9));
        // CDN bills at least the demanded egress.
        prop_assert!(get("cdn", "edge-egress") >= d.cdn_egress_gb_per_month * (1.0 - 1e-9));
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(32))]

    /// Priced where it is spent, over any split of users between the three regions: every
    /// line's parts add up to its count and its list cost, each part at its own key.
    #[test]
    fn price_parts_add_up(a in 0.01f64..1.0, b in 0.01f64..1.0, c in 0.01f64..1.0, users in 1_000u64..10_000_000_000) {
        let mut s = base();
        let sum = a + b + c;
        for (region, share) in s.spec.regions.iter_mut().zip([a, b, c]) {
            region.user_share = share / sum;
        }
        s.growth = Growth::Ladder { phases: vec![Phase { name: "p".into(), users }] };
        let plan = build(&s);
        for line in &plan.phases[0].lines {
            if line.price_parts.is_empty() {
                continue;
            }
            let count: u64 = line.price_parts.iter().map(|p| p.count).sum();
            prop_assert_eq!(count, line.count, "{}/{}", line.component, line.item);
            let list: f64 = line.price_parts.iter().map(|p| p.list_monthly_usd).sum();
            // the line's list is rounded to cents, its parts are not: half a cent apart at most
            prop_assert!((list - line.list_monthly_usd).abs() <= 0.005 + 1e-6, "{}/{}: {} vs {}", line.component, line.item, list, line.list_monthly_usd);
            let keys: Vec<&str> = line.price_parts.iter().map(|p| p.price_key.as_str()).collect();
            let joined = keys.join(", ");
            prop_assert_eq!(line.price_key.as_deref(), Some(joined.as_str()));
            for part in &line.price_parts {
                prop_assert!(part.price_key.ends_with(&format!("/{}", part.region)), "{}", part.price_key);
            }
        }
    }
}

fn collect_nulls(v: &Value, path: &str, out: &mut Vec<String>) {
    match v {
        Value::Null => out.push(path.to_string()),
        Value::Array(items) => {
            for (i, item) in items.iter().enumerate() {
                collect_nulls(item, &format!("{path}[{i}]"), out);
            }
        }
        Value::Object(map) => {
            for (k, item) in map {
                collect_nulls(item, &format!("{path}.{k}"), out);
            }
        }
        _ => {}
    }
}

#[test]
fn extreme_users_stay_finite() {
    // 1e12 users (the extreme) with the shipped workload: every number finite.
    let s = scenario_with(
        [0.3, 0.4, 200.0, 3.0, 0.9, 0.8, 20_000.0, 2_000.0, 2e7, 5e7],
        vec![Phase {
            name: "1T".into(),
            users: 1_000_000_000_000,
        }],
    );
    let plan = build(&s);
    assert!(plan.phases[0].monthly_usd.is_finite() && plan.phases[0].monthly_usd > 0.0);
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(24))]

    /// Reverse sizing searched up from 1 user finds at least the users a plan was sized for:
    /// needs never fall as users grow, so the doubling and the bisection cannot stop short.
    #[test]
    fn a_plan_serves_the_users_it_was_sized_for(knobs in workload_knobs(), users in 1_000u64..10_000_000_000) {
        let s = scenario_with(knobs, vec![Phase { name: "p".into(), users }]);
        let plan = build(&s);
        let fleet = headroom::capacity::phase_fleet(&plan.phases[0]);
        let c = headroom::capacity::run(&s, &fleet, "p", 1).expect("reverse sizing runs");
        prop_assert!(c.max_users >= users, "{} < {users}: {:?}", c.max_users, c.runouts.first());
        // One user more than the first runout does not fit: its line needs more than the fleet.
        let first = &c.runouts[0];
        if !first.unbounded {
            prop_assert!(first.need.unwrap() as f64 > first.fleet.unwrap());
        }
    }
}

/// Per region, the count of `items` of `component` in a phase's lines.
fn in_region(phase: &plan::PhasePlan, component: &str, items: &[&str], region: &str) -> u64 {
    phase
        .lines
        .iter()
        .filter(|l| l.component == component && items.contains(&l.item.as_str()))
        .map(|l| l.regions.get(region).copied().unwrap_or(0))
        .sum()
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(32))]

    /// Kubernetes nodes, Redis nodes and Kafka brokers never exceed their cluster limit in any
    /// region: nodes <= clusters x the most one cluster may hold.
    #[test]
    fn no_cluster_above_its_limit(knobs in workload_knobs(), users in 1_000u64..100_000_000_000) {
        let s = scenario_with(knobs, vec![Phase { name: "p".into(), users }]);
        let plan = build(&s);
        let phase = &plan.phases[0];
        for c in &s.spec.components {
            // (the nodes, the line counting clusters, the most nodes one cluster holds)
            let (items, clusters_item, limit): (&[&str], &str, u64) = match &c.policy {
                headroom::input::Policy::App(p) => (&["node"], "control-plane", p.max_nodes_per_cluster),
                headroom::input::Policy::Redis(p) => (&["master", "replica"], "clusters", p.nodes_per_cluster()),
                headroom::input::Policy::Kafka(p) => (&["broker"], "clusters", p.max_brokers_per_cluster),
                _ => continue,
            };
            for region in &s.spec.regions {
                let nodes = in_region(phase, &c.name, items, &region.name);
                let clusters = in_region(phase, &c.name, &[clusters_item], &region.name);
                prop_assert!(nodes <= clusters.saturating_mul(limit),
                    "{} in {}: {nodes} nodes in {clusters} clusters of at most {limit}", c.name, region.name);
            }
        }
    }
}
