//! PgBouncer: connection poolers in transaction mode between an app tier and a Postgres
//! component. Its sizing rule (Erlang C on the shard's offered load) is `sizing/pgbouncer.rs`.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use super::{
    AutoSelect, ComponentKind, Instance, Kind, KindFacts, Placement, Reference, ShapeSource,
    TfvarsGroup, tf_attr,
};
use crate::error::InputError;
use crate::input::check::Check;

/// PgBouncer in transaction mode in front of a Postgres component.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct PgBouncerPolicy {
    /// Instance type of a pooler host.
    pub instance: String,
    /// Constraints when `instance` is `"auto"`.
    #[serde(default)]
    pub auto: Option<AutoSelect>,
    /// Per region (default) or global.
    #[serde(default)]
    pub placement: Placement,
    /// Pricing service of pooler hosts.
    #[serde(default = "super::default_ec2")]
    pub service: String,
    /// Name of the Postgres component it fronts (its shard count).
    pub database: String,
    /// Name of the App component whose instances connect (its pod count).
    pub app: String,
    /// Database queries per transaction.
    pub queries_per_transaction: f64,
    /// Seconds one transaction holds a server connection.
    pub transaction_hold_s: f64,
    /// Wait SLO: largest acceptable probability that a transaction waits for a connection.
    #[serde(default)]
    pub max_wait_probability: Option<f64>,
    /// Wait SLO: largest acceptable mean wait, seconds.
    #[serde(default)]
    pub max_mean_wait_s: Option<f64>,
    /// Client connections each app instance opens to the pooler.
    pub client_pool_per_app_instance: u64,
    /// Client connections one pooler accepts (`max_client_conn`).
    pub max_client_conn_per_pooler: u64,
    /// Transactions/s one pooler process forwards (PgBouncer is single-threaded: one core).
    /// Default 15,000: a ProxySQL benchmark of PgBouncer 1.25 implies about 33,000 simple
    /// transactions/s for one process on a desktop core; a cloud vCPU with TLS and room to
    /// spare gets under half of that.
    #[serde(default = "default_tps_per_pooler")]
    pub max_transactions_per_s_per_pooler: f64,
    /// Server connections a primary or replica keeps for others than the poolers (default
    /// 15: RDS's 3 superuser-reserved slots, 2 for RDS's own agents, 10 WAL senders); the
    /// poolers may open at most `max_connections` less these.
    #[serde(default = "default_reserved_connections")]
    pub reserved_connections: u64,
    /// Fewest poolers (HA).
    #[serde(default = "super::two")]
    pub min_poolers: u64,
    /// Spare capacity kept above demand, as a fraction.
    pub headroom: f64,
    /// Root volume of each pooler host, GB of gp3 (default 20; 0 bills none). Billed only
    /// for hosts on EC2 (`service: "ec2"`).
    #[serde(default = "super::app::default_node_volume_gb")]
    pub node_volume_gb: u64,
}

fn default_tps_per_pooler() -> f64 {
    15_000.0
}
fn default_reserved_connections() -> u64 {
    15
}

impl ComponentKind for PgBouncerPolicy {
    const FACTS: KindFacts = KindFacts {
        // Poolers and pools follow the database's shards: their step-ups are part of the
        // database's project.
        stateful: true,
        shapes: Some(ShapeSource {
            catalog_service: "ec2",
            instance_prefix: "",
        }),
        tfvars: Some(TfvarsGroup {
            variable: "pgbouncer_pools",
            what: "PgBouncer connection poolers by component",
            attrs: &[
                tf_attr(
                    "pooler",
                    "pooler_count",
                    "pooler instances: the most of those needed by client connections, by transactions/s, and min_poolers",
                ),
                tf_attr(
                    "default-pool-size",
                    "default_pool_size",
                    "PgBouncer default_pool_size, server connections each pooler process keeps per shard primary: the smallest count meeting the wait SLO by Erlang C at its share of the shard's write load (transactions/s x hold time / poolers)",
                ),
                tf_attr(
                    "max-client-conn",
                    "max_client_conn",
                    "PgBouncer max_client_conn, client connections one pooler accepts",
                ),
                tf_attr(
                    "server-connections",
                    "server_connections",
                    "server connections to the database in all: poolers x (default_pool_size x shards + replica_pool_size x read replicas), every pooler process keeping its own pools",
                ),
                tf_attr(
                    "client-connections",
                    "client_connections",
                    "client connections from the app in all (app pods x client pool per pod)",
                ),
            ],
            map_attr: None,
        }),
        // Poolers are stateless: a new one serves within minutes (the database's
        // reshard is the project, counted there).
        lead_time_months: 0,
    };

    fn validate(&self, c: &Check<'_>) -> Result<(), InputError> {
        c.name("instance", &self.instance)?;
        c.positive("queries_per_transaction", self.queries_per_transaction)?;
        c.positive("transaction_hold_s", self.transaction_hold_s)?;
        if self.max_wait_probability.is_none() && self.max_mean_wait_s.is_none() {
            return Err(c.error(
                "max_wait_probability",
                "give a wait SLO: max_wait_probability and/or max_mean_wait_s",
            ));
        }
        if let Some(v) = self.max_wait_probability {
            c.positive_ratio("max_wait_probability", v)?;
        }
        if let Some(v) = self.max_mean_wait_s {
            c.positive("max_mean_wait_s", v)?;
        }
        c.count_at_least(
            "max_client_conn_per_pooler",
            self.max_client_conn_per_pooler,
            1,
        )?;
        c.positive(
            "max_transactions_per_s_per_pooler",
            self.max_transactions_per_s_per_pooler,
        )?;
        c.count_at_least("min_poolers", self.min_poolers, 1)?;
        c.non_negative("headroom", self.headroom)
    }

    fn placement(&self) -> Placement {
        self.placement
    }

    fn instance(&self) -> Option<Instance<'_>> {
        Some(Instance {
            default: &self.instance,
            by_phase: None,
            auto: self.auto.as_ref(),
        })
    }

    fn instance_mut(&mut self) -> Option<&mut String> {
        Some(&mut self.instance)
    }

    /// Pools per shard of the database; client connections from the app tier's pods.
    fn risks(&self) -> Vec<String> {
        Vec::new()
    }

    fn references(&self) -> Vec<Reference<'_>> {
        vec![
            Reference {
                field: "database",
                component: &self.database,
                kind: Kind::Postgres,
            },
            Reference {
                field: "app",
                component: &self.app,
                kind: Kind::App,
            },
        ]
    }
}
