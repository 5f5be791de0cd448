//! Component kinds: every kind of component a scenario can name (Postgres, Redis, an app
//! tier...) is one module here, and this file is their registry.
//!
//! A kind's module owns what the scenario writes and what the rest of the pipeline asks of
//! the kind: its policy struct with defaults and validation, its placement, the instance it
//! runs on (for `instance: "auto"` and Monte Carlo draws), the other components it reads, and
//! its [`KindFacts`]: whether it is stateful, which catalog shapes it is chosen from, and the
//! Terraform variable its counts go into. Its sizing rule is `sizing/<kind>.rs`, a layer up,
//! because a rule reads demand and the sizing vocabulary, which build on the input layer.
//!
//! Adding a kind: write `kinds/<kind>.rs` (a policy struct implementing [`ComponentKind`],
//! every item required, no defaults to forget), add one line to [`component_kinds!`] below,
//! and write `sizing/<kind>.rs`; the exhaustive match in `sizing::size_region` then fails to
//! compile until the rule is wired in. No code elsewhere names a kind.

pub mod app;
pub mod cdn;
pub mod cross_region;
pub mod fixed;
pub mod kafka;
pub mod object_storage;
pub mod pgbouncer;
pub mod postgres;
pub mod redis;

use std::collections::BTreeMap;

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::error::InputError;
use crate::input::check::Check;

/// What the pipeline asks of every component kind. Nothing has a default, so a new kind does
/// not compile until it answers every question.
pub trait ComponentKind {
    /// What the kind declares about itself, whatever its policy says.
    const FACTS: KindFacts;

    /// Checks the policy's values; `c` names fields under `components[i].policy`.
    fn validate(&self, c: &Check<'_>) -> Result<(), InputError>;

    /// One deployment per region, or one for all users.
    fn placement(&self) -> Placement;

    /// The instance type the policy runs on (`None`: the kind runs on no instances).
    fn instance(&self) -> Option<Instance<'_>>;

    /// The policy's instance type, to fix it (the shape `auto` chose; a Monte Carlo draw's).
    fn instance_mut(&mut self) -> Option<&mut String>;

    /// Components this one reads when it is sized (a pooler reads its database and app tier):
    /// they are checked to exist with the right kind, and sized first.
    fn references(&self) -> Vec<Reference<'_>>;

    /// Settings that plan but are unsafe to run (a database with no standby): each becomes a
    /// plan warning, named after the component. Empty when there is nothing to say.
    fn risks(&self) -> Vec<String>;
}

/// A kind's answers that do not depend on its policy.
#[derive(Debug, Clone, Copy)]
pub struct KindFacts {
    /// The kind holds (or fronts) data, so growing it moves data (resharding, rebalancing);
    /// stateless tiers autoscale. (Which step-ups the timeline lists as work is decided by
    /// what changes: shards, clusters, shapes.)
    pub stateful: bool,
    /// Where `instance: "auto"` looks for shapes (`None`: the kind runs on no instances).
    pub shapes: Option<ShapeSource>,
    /// The Terraform variable of the kind's components (`None`: they appear only in
    /// `component_counts`).
    pub tfvars: Option<TfvarsGroup>,
    /// Months of work before a step-up that needs a project (a reshard, a new cluster, a new
    /// shape) is live, when the component does not set `lead_time_months`. Each kind says why
    /// beside its value.
    pub lead_time_months: u32,
}

/// The months of work before a component's step-up is live, and where the figure comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct LeadTime {
    pub months: u32,
    /// `scenario` (the component's `lead_time_months`) or `kind default`.
    pub source: LeadTimeSource,
}

/// Where a lead time comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum LeadTimeSource {
    /// The component's `lead_time_months`.
    Scenario,
    /// The kind's [`KindFacts::lead_time_months`].
    KindDefault,
}

impl crate::input::Component {
    /// The component's lead time: its `lead_time_months`, else its kind's default.
    #[must_use]
    pub fn lead_time(&self) -> LeadTime {
        match self.lead_time_months {
            Some(months) => LeadTime {
                months,
                source: LeadTimeSource::Scenario,
            },
            None => LeadTime {
                months: self.policy.facts().lead_time_months,
                source: LeadTimeSource::KindDefault,
            },
        }
    }
}

/// The catalog shapes a kind runs on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ShapeSource {
    /// The catalog's `service` column (`rds`, `elasticache`, `ec2`).
    pub catalog_service: &'static str,
    /// The prefix of the service's instance types before the family (`db.` in
    /// `db.r6g.large`); empty when there is none.
    pub instance_prefix: &'static str,
}

/// The Terraform variable holding one object per component of a kind, as data the tfvars
/// renderer reads.
#[derive(Debug, Clone, Copy)]
pub struct TfvarsGroup {
    /// Variable name (`postgres_clusters`).
    pub variable: &'static str,
    /// What the variable holds, for its description.
    pub what: &'static str,
    /// Named counts: plan line item -> attribute name and meaning, in attribute order.
    pub attrs: &'static [TfvarsAttr],
    /// When set, every line goes into one map attribute of this name, with this meaning
    /// (object storage classes), instead of one attribute per line.
    pub map_attr: Option<(&'static str, &'static str)>,
}

/// One named count of a kind's Terraform object.
#[derive(Debug, Clone, Copy)]
pub struct TfvarsAttr {
    /// The plan's line item (`shards`).
    pub item: &'static str,
    /// The attribute name (`shard_count`).
    pub attr: &'static str,
    /// What it counts and how it was derived.
    pub meaning: &'static str,
}

/// A [`TfvarsAttr`], written compactly in the kinds' tables.
#[must_use]
pub const fn tf_attr(item: &'static str, attr: &'static str, meaning: &'static str) -> TfvarsAttr {
    TfvarsAttr {
        item,
        attr,
        meaning,
    }
}

/// The instance a policy runs on, and how it may be chosen.
#[derive(Debug, Clone, Copy)]
pub struct Instance<'a> {
    /// The default instance type, or `"auto"`.
    pub default: &'a str,
    /// Instance type per phase name, where it differs (kinds that allow it).
    pub by_phase: Option<&'a BTreeMap<String, String>>,
    /// Constraints of `"auto"`.
    pub auto: Option<&'a AutoSelect>,
}

/// Another component a policy reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Reference<'a> {
    /// The policy field naming it (`database`).
    pub field: &'static str,
    /// The component's name.
    pub component: &'a str,
    /// The kind it must be.
    pub kind: Kind,
}

/// Where a component runs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize, JsonSchema)]
pub enum Placement {
    /// One deployment per region, sized for that region's users.
    #[default]
    PerRegion,
    /// One deployment for all users.
    Global,
}

/// Constraints of `instance: "auto"`: which catalog shapes may be chosen. Shapes are ranked at
/// the component's price model: its `discount` (reserved, savings plan, spot), else on demand.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct AutoSelect {
    /// Instance families allowed (`r6g`, `m7i`; the `cache.`/`db.`/`kafka.` prefix is
    /// implied); empty: every family of the catalog service.
    #[serde(default)]
    pub families: Vec<String>,
    /// CPU architectures allowed: `arm64` (Graviton, `g` families) and/or `x86_64`.
    #[serde(default)]
    pub architectures: Vec<String>,
    /// Most instances of the component's largest line in one region (a cluster limit).
    #[serde(default)]
    pub max_nodes: Option<u64>,
    /// Fewest vCPUs per instance.
    #[serde(default)]
    pub min_vcpu: Option<f64>,
    /// Fewest GiB of memory per instance.
    #[serde(default)]
    pub min_memory_gib: Option<f64>,
    /// Runner-up shapes reported next to the winner.
    #[serde(default = "three_usize")]
    pub alternatives: usize,
}

fn three_usize() -> usize {
    3
}

// Serde defaults the kinds' policies share.
fn one() -> u64 {
    1
}
fn one_f() -> f64 {
    1.0
}
fn two() -> u64 {
    2
}
fn three() -> u64 {
    3
}
fn default_ec2() -> String {
    "ec2".into()
}

/// The registry: one line per kind, `Variant(module::PolicyStruct)`. The variant's name is
/// the kind's name in scenario files (`policy: Postgres((...))`) and in every output; the
/// macro derives [`Policy`], [`Kind`] and their dispatch from this one list.
macro_rules! component_kinds {
    ($($kind:ident($policy:ty)),+ $(,)?) => {
        /// A component's kind and sizing policy.
        #[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
        pub enum Policy {
            $($kind($policy),)+
        }

        /// A component kind, without its policy. Serializes to the kind's name.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize, JsonSchema)]
        pub enum Kind {
            $($kind,)+
        }

        impl Kind {
            /// Every kind, in registry order (the order of Terraform variables).
            pub const ALL: &'static [Kind] = &[$(Kind::$kind,)+];

            /// The kind's name as written in scenario files and outputs.
            #[must_use]
            pub fn name(self) -> &'static str {
                match self {
                    $(Kind::$kind => stringify!($kind),)+
                }
            }

            /// What the kind declares about itself.
            #[must_use]
            pub fn facts(self) -> &'static KindFacts {
                match self {
                    $(Kind::$kind => &<$policy as ComponentKind>::FACTS,)+
                }
            }
        }

        impl Policy {
            /// The component's kind.
            #[must_use]
            pub fn kind(&self) -> Kind {
                match self {
                    $(Policy::$kind(_) => Kind::$kind,)+
                }
            }

            /// Checks the policy's values; `c` names fields under `components[i].policy`.
            pub fn validate(&self, c: &Check<'_>) -> Result<(), InputError> {
                match self {
                    $(Policy::$kind(p) => p.validate(c),)+
                }
            }

            /// One deployment per region, or one for all users.
            #[must_use]
            pub fn placement(&self) -> Placement {
                match self {
                    $(Policy::$kind(p) => p.placement(),)+
                }
            }

            /// The instance type the policy runs on, if any.
            #[must_use]
            pub fn instance(&self) -> Option<Instance<'_>> {
                match self {
                    $(Policy::$kind(p) => p.instance(),)+
                }
            }

            /// The policy's instance type, to fix it.
            pub fn instance_mut(&mut self) -> Option<&mut String> {
                match self {
                    $(Policy::$kind(p) => p.instance_mut(),)+
                }
            }

            /// What is unsafe about the policy's settings ([`ComponentKind::risks`]).
            #[must_use]
            pub fn risks(&self) -> Vec<String> {
                match self {
                    $(Policy::$kind(p) => p.risks(),)+
                }
            }

            /// Components this one reads when it is sized.
            #[must_use]
            pub fn references(&self) -> Vec<Reference<'_>> {
                match self {
                    $(Policy::$kind(p) => p.references(),)+
                }
            }
        }
    };
}

component_kinds! {
    Postgres(postgres::PostgresPolicy),
    PgBouncer(pgbouncer::PgBouncerPolicy),
    Redis(redis::RedisPolicy),
    App(app::AppPolicy),
    Kafka(kafka::KafkaPolicy),
    Cdn(cdn::CdnPolicy),
    ObjectStorage(object_storage::ObjectStoragePolicy),
    CrossRegion(cross_region::CrossRegionPolicy),
    Fixed(fixed::FixedPolicy),
}

impl Kind {
    /// The kind named `name` (as a plan or a scenario writes it).
    #[must_use]
    pub fn from_name(name: &str) -> Option<Kind> {
        Kind::ALL.iter().copied().find(|k| k.name() == name)
    }
}

impl std::fmt::Display for Kind {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}

impl Policy {
    /// What the component's kind declares about itself.
    #[must_use]
    pub fn facts(&self) -> &'static KindFacts {
        self.kind().facts()
    }
}

#[cfg(test)]
mod tests {
    use std::path::Path;

    use super::*;

    /// The fields of a small valid policy of every kind, as a scenario writes them inside
    /// `Kind(...)`. The match has no wildcard: a new kind needs a sample here.
    fn sample_fields(kind: Kind) -> &'static str {
        match kind {
            Kind::Postgres => {
                r#"instance: "db.r6g.large", max_data_bytes_per_shard: 1e12, max_write_qps_per_shard: 5000, headroom: 0.3"#
            }
            Kind::PgBouncer => {
                r#"instance: "c6i.large", database: "db", app: "api", queries_per_transaction: 3, transaction_hold_s: 0.005, max_wait_probability: 0.01, client_pool_per_app_instance: 10, max_client_conn_per_pooler: 10000, max_transactions_per_s_per_pooler: 20000, headroom: 0.3"#
            }
            Kind::Redis => {
                r#"instance: "cache.r6g.large", mode: Cluster, memory_overhead_fraction: 0.2, maxmemory_fraction: 0.75, ops_per_s_per_node: 100000, replicas_per_master: 1, headroom: 0.3"#
            }
            Kind::App => {
                r#"instance: "c6i.2xlarge", rps_per_pod: 200, target_utilization: 0.6, pods_per_node: 4"#
            }
            Kind::Kafka => {
                r#"instance: "kafka.m5.large", broker_ingress_mb_s: 40, partition_mb_s: 5, broker_disk_gb: 1000, headroom: 0.3"#
            }
            Kind::Cdn | Kind::CrossRegion => "",
            Kind::ObjectStorage => r#"classes: {"standard": 1.0}"#,
            Kind::Fixed => r#"lines: [(item: "monitoring", count: 1)]"#,
        }
    }

    fn sample(kind: Kind) -> Policy {
        let src = format!("{}({})", kind.name(), sample_fields(kind));
        crate::input::ron_file::parse(Path::new("sample.ron"), &src)
            .unwrap_or_else(|e| panic!("{src}: {e}"))
    }

    /// `models/limits/aws.csv`'s value of `key`.
    fn limit(key: &str) -> f64 {
        let path = concat!(env!("CARGO_MANIFEST_DIR"), "/models/limits/aws.csv");
        let mut rdr = csv::Reader::from_path(path).expect("limits table reads");
        let headers = rdr.headers().unwrap().clone();
        let at = |name: &str| headers.iter().position(|h| h == name).unwrap();
        let (k, v) = (at("key"), at("value"));
        rdr.records()
            .map(Result::unwrap)
            .find(|r| &r[k] == key)
            .unwrap_or_else(|| panic!("no limit `{key}`"))[v]
            .parse()
            .unwrap_or_else(|e| panic!("{key}: {e}"))
    }

    #[test]
    fn default_limits_are_the_limits_table() {
        // The defaults live in code (serde defaults) and as data with their sources: they
        // must not drift apart.
        let Policy::Redis(redis) = sample(Kind::Redis) else {
            unreachable!()
        };
        assert_eq!(
            redis.nodes_per_cluster() as f64,
            limit("elasticache_max_nodes_per_cluster")
        );
        assert_eq!(
            redis::ELASTICACHE_MAX_REPLICAS_PER_SHARD as f64,
            limit("elasticache_max_replicas_per_shard")
        );
        assert_eq!(
            redis::REDIS_CLUSTER_MAX_NODES as f64,
            limit("redis_cluster_max_nodes")
        );
        let Policy::Kafka(kafka) = sample(Kind::Kafka) else {
            unreachable!()
        };
        assert_eq!(
            kafka.max_brokers_per_cluster as f64,
            limit("msk_max_brokers_per_cluster")
        );
        let gib = crate::units::BYTES_PER_GIB / 1e9;
        assert!((kafka.max_broker_disk_gb - limit("msk_max_broker_disk_gib") * gib).abs() < 1e-6);
        assert_eq!(
            kafka.volume_throughput_mib_s,
            limit("msk_volume_throughput_mib_s")
        );
        for (instance, vcpu, key) in [
            ("kafka.t3.small", 2.0, "msk_partitions_per_broker_t3_small"),
            ("kafka.m5.xlarge", 4.0, "msk_partitions_per_broker_xlarge"),
            ("kafka.m5.2xlarge", 8.0, "msk_partitions_per_broker_2xlarge"),
            (
                "kafka.m5.4xlarge",
                16.0,
                "msk_partitions_per_broker_4xlarge",
            ),
        ] {
            assert_eq!(
                kafka::msk_partitions_per_broker(instance, vcpu) as f64,
                limit(key)
            );
        }
        let Policy::Postgres(pg) = sample(Kind::Postgres) else {
            unreachable!()
        };
        let tib = 1_099_511_627_776.0 / 1e9;
        assert!((pg.max_storage_gb_per_instance - limit("rds_max_storage_tib") * tib).abs() < 1e-6);
        assert_eq!(pg.min_storage_gib, limit("rds_min_storage_gib"));
        assert_eq!(pg.volume_baseline_iops, limit("rds_gp3_baseline_iops"));
        assert_eq!(pg.striped_storage_gib, limit("rds_gp3_striped_storage_gib"));
        assert_eq!(
            pg.striped_baseline_iops,
            limit("rds_gp3_striped_baseline_iops")
        );
        let Policy::App(app) = sample(Kind::App) else {
            unreachable!()
        };
        assert_eq!(
            app.max_nodes_per_cluster as f64,
            limit("k8s_max_nodes_per_cluster")
        );
        assert_eq!(
            app.max_pods_per_cluster as f64,
            limit("k8s_max_pods_per_cluster")
        );
    }

    #[test]
    fn every_kind_is_written_by_its_name() {
        for &kind in Kind::ALL {
            // `Postgres(...)` in a scenario is a Postgres policy, and valid as sampled.
            let policy = sample(kind);
            assert_eq!(policy.kind(), kind);
            policy
                .validate(&Check::new(Path::new("sample.ron"), "policy"))
                .unwrap_or_else(|e| panic!("{kind}: {e}"));
            // Outputs write the same name, and it reads back as the kind.
            assert_eq!(ron::to_string(&kind).unwrap(), kind.name());
            assert_eq!(Kind::from_name(kind.name()), Some(kind));
            assert_eq!(kind.to_string(), kind.name());
        }
        assert_eq!(Kind::from_name("Elasticsearch"), None);
    }

    #[test]
    fn every_kind_declares_consistent_facts() {
        for &kind in Kind::ALL {
            let policy = sample(kind);
            // A kind runs on instances exactly when `auto` has a catalog to choose from.
            assert_eq!(
                policy.instance().is_some(),
                kind.facts().shapes.is_some(),
                "{kind}: instance() and facts().shapes disagree"
            );
            // Fixing the instance (auto-selection, Monte Carlo) reaches the same field.
            let mut fixed = policy.clone();
            if let Some(slot) = fixed.instance_mut() {
                *slot = "m7i.large".into();
                assert_eq!(fixed.instance().map(|i| i.default), Some("m7i.large"));
            }
        }
        // Only Fixed lines, which are whatever a doc states, have no Terraform variable:
        // another kind without one is a decision to record here, not an oversight.
        let without: Vec<Kind> = Kind::ALL
            .iter()
            .copied()
            .filter(|k| k.facts().tfvars.is_none())
            .collect();
        assert_eq!(without, vec![Kind::Fixed]);
        let mut variables: Vec<&str> = Kind::ALL
            .iter()
            .filter_map(|k| k.facts().tfvars.map(|g| g.variable))
            .collect();
        let count = variables.len();
        variables.sort_unstable();
        variables.dedup();
        assert_eq!(
            variables.len(),
            count,
            "two kinds share a Terraform variable"
        );
        // The stateful kinds: they hold (or front) data.
        let stateful: Vec<Kind> = Kind::ALL
            .iter()
            .copied()
            .filter(|k| k.facts().stateful)
            .collect();
        assert_eq!(
            stateful,
            vec![Kind::Postgres, Kind::PgBouncer, Kind::Redis, Kind::Kafka]
        );
        // Default lead times (the README's table): only kinds whose growth is a project have
        // one.
        let leads: Vec<(Kind, u32)> = Kind::ALL
            .iter()
            .map(|&k| (k, k.facts().lead_time_months))
            .filter(|(_, months)| *months > 0)
            .collect();
        assert_eq!(
            leads,
            vec![(Kind::Postgres, 3), (Kind::Redis, 2), (Kind::Kafka, 1)]
        );
    }

    #[test]
    fn only_poolers_read_other_components() {
        let pooler = sample(Kind::PgBouncer);
        let read: Vec<(&str, &str, Kind)> = pooler
            .references()
            .iter()
            .map(|r| (r.field, r.component, r.kind))
            .collect();
        assert_eq!(
            read,
            vec![
                ("database", "db", Kind::Postgres),
                ("app", "api", Kind::App)
            ]
        );
        for &kind in Kind::ALL {
            if kind != Kind::PgBouncer {
                assert!(sample(kind).references().is_empty(), "{kind}");
            }
        }
    }
}
