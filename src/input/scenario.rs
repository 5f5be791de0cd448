//! The scenario file (`scenarios/*.ron`): which architecture to size, with which policies.
//!
//! A scenario names a growth model and a workload model (by file or inline), the pricing
//! tables, the regions, and one block per component. A component is sized from demand by its
//! policy; `pinned` counts state what a design doc chose, and the plan reports both.

use std::collections::BTreeMap;
use std::path::Path;

use serde::{Deserialize, Serialize};

use crate::error::InputError;
use crate::input::check::Check;
use crate::input::growth::Growth;
use crate::input::workload::Workload;

/// A model given by file (relative to the scenario file) or inline.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum ModelRef<T> {
    /// A path relative to the scenario file's folder.
    File(String),
    /// The model written in place.
    Inline(T),
}

/// Which pricing tables price the plan.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PricingRef {
    /// Provider id (`aws`); names the folder under `pricing/`.
    pub provider: String,
    /// Folder of the provider's CSV tables, relative to the scenario file.
    pub tables: String,
    /// Region whose list prices apply (`us-east-1`).
    pub region: String,
    /// Edge geography for CDN prices (`north-america`).
    #[serde(default = "default_cdn_geography")]
    pub cdn_geography: String,
    /// Instance-shape catalog CSV, relative to the scenario file.
    #[serde(default)]
    pub catalog: Option<String>,
}

fn default_cdn_geography() -> String {
    "north-america".to_string()
}

/// A serving region and the share of users it serves.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Region {
    /// Region label (`us-east-1`, `amer`).
    pub name: String,
    /// Share of all users homed in this region; the shares sum to 1.
    pub user_share: f64,
}

/// A named price multiplier defined by the scenario (e.g. a discount a doc assumes).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ScenarioDiscount {
    /// Net price / list price, in (0, 1].
    pub multiplier: f64,
    /// Where the figure comes from.
    pub source: String,
    /// Pricing services it applies to (`rds-postgres`); empty: every billed line.
    #[serde(default)]
    pub applies_to: Vec<String>,
    /// Extra capacity bought to absorb interruptions (spot), as a fraction: the effective
    /// multiplier is `multiplier x (1 + interruption_headroom)`.
    #[serde(default)]
    pub interruption_headroom: f64,
}

/// A unit price stated by the scenario for one line item (as design docs state them).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct GivenPrice {
    /// Price in USD per `unit`.
    pub usd: f64,
    /// Billing unit: `hour`, `gb-hour`, `gb-month`, `gb`, `requests-1k`, `requests-10k`,
    /// `requests-1m` or `month`.
    pub unit: String,
    /// Where the price comes from (the doc's words).
    pub source: String,
}

/// The value of a policy's `instance` that asks for auto-selection (`selection.rs`).
pub const AUTO: &str = "auto";

/// Constraints of `instance: "auto"`: which catalog shapes may be chosen. Shapes are ranked at
/// the component's price model: its `discount` (reserved, savings plan, spot), else on demand.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
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

/// Where a component runs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub enum Placement {
    /// One deployment per region, sized for that region's users.
    #[default]
    PerRegion,
    /// One deployment for all users.
    Global,
}

/// One component of the architecture.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Component {
    /// Unique component name (`users-db`, `sessions`).
    pub name: String,
    /// What it is and how to size it.
    pub policy: Policy,
    /// Counts a design doc fixes, per phase name (or `*` for every phase), per line item.
    #[serde(default)]
    pub pinned: BTreeMap<String, BTreeMap<String, u64>>,
    /// Unit prices the scenario states, per line item; they replace table prices.
    #[serde(default)]
    pub prices: BTreeMap<String, GivenPrice>,
    /// Name of a discount (from the tables' `discounts.csv` or the scenario's `discounts`).
    #[serde(default)]
    pub discount: Option<String>,
    /// Free text: assumptions, the doc's words.
    #[serde(default)]
    pub notes: Option<String>,
    /// Months of work before a step-up of this component is live (resharding, a new
    /// cluster): `headroom timeline` says when that work must start.
    #[serde(default)]
    pub lead_time_months: Option<u32>,
}

/// A component's kind and sizing policy.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum Policy {
    Postgres(PostgresPolicy),
    PgBouncer(PgBouncerPolicy),
    Redis(RedisPolicy),
    App(AppPolicy),
    Kafka(KafkaPolicy),
    Cdn(CdnPolicy),
    ObjectStorage(ObjectStoragePolicy),
    CrossRegion(CrossRegionPolicy),
    Fixed(FixedPolicy),
}

impl Policy {
    /// The kind's name as written in scenario files.
    #[must_use]
    pub fn kind(&self) -> &'static str {
        match self {
            Policy::Postgres(_) => "Postgres",
            Policy::PgBouncer(_) => "PgBouncer",
            Policy::Redis(_) => "Redis",
            Policy::App(_) => "App",
            Policy::Kafka(_) => "Kafka",
            Policy::Cdn(_) => "Cdn",
            Policy::ObjectStorage(_) => "ObjectStorage",
            Policy::CrossRegion(_) => "CrossRegion",
            Policy::Fixed(_) => "Fixed",
        }
    }
}

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

/// PostgreSQL: shards from data size, write rate and users per shard; replicas per shard.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PostgresPolicy {
    /// Instance type of every node (`db.r6g.2xlarge`).
    pub instance: String,
    /// Constraints when `instance` is `"auto"`.
    #[serde(default)]
    pub auto: Option<AutoSelect>,
    /// Instance type per phase name, where it differs.
    #[serde(default)]
    pub instance_by_phase: BTreeMap<String, String>,
    /// Per region (default) or global.
    #[serde(default)]
    pub placement: Placement,
    /// Pricing service of the nodes.
    #[serde(default = "default_rds_service")]
    pub service: String,
    /// Data bytes one shard may hold.
    pub max_data_bytes_per_shard: f64,
    /// Write queries/s one shard's primary may take.
    pub max_write_qps_per_shard: f64,
    /// Registered users one shard may hold (no cap when absent).
    #[serde(default)]
    pub max_users_per_shard: Option<f64>,
    /// Share of a shard's data that must stay in memory (the hot working set); with it,
    /// shards also follow from node memory (75% of RAM as buffer cache), so larger instances
    /// need fewer shards.
    #[serde(default)]
    pub working_set_fraction: Option<f64>,
    /// Round the shard count up to a power of two (hash-slot friendly).
    #[serde(default)]
    pub round_shards_to_power_of_two: bool,
    /// Fewest shards.
    #[serde(default = "one")]
    pub min_shards: u64,
    /// Synchronous standbys per shard (Multi-AZ).
    #[serde(default)]
    pub sync_replicas: u64,
    /// Fewest read replicas per shard.
    #[serde(default)]
    pub min_read_replicas: u64,
    /// Read queries/s one read replica serves; when set, read replicas scale with reads.
    #[serde(default)]
    pub read_qps_per_replica: Option<f64>,
    /// Asynchronous cross-region replicas per shard.
    #[serde(default)]
    pub geo_replicas: u64,
    /// Spare capacity kept above demand, as a fraction (0.3 = 30%).
    pub headroom: f64,
    /// Pricing service of storage.
    #[serde(default = "default_rds_storage_service")]
    pub storage_service: String,
    /// Storage item (`gp3`).
    #[serde(default = "default_gp3")]
    pub storage_item: String,
}

fn default_rds_service() -> String {
    "rds-postgres".into()
}
fn default_rds_storage_service() -> String {
    "rds-storage".into()
}
fn default_gp3() -> String {
    "gp3".into()
}

/// PgBouncer in transaction mode in front of a Postgres component.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
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
    #[serde(default = "default_ec2")]
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
    /// Transactions/s one pooler process forwards (PgBouncer is single-threaded).
    pub max_transactions_per_s_per_pooler: f64,
    /// Fewest poolers (HA).
    #[serde(default = "two")]
    pub min_poolers: u64,
    /// Spare capacity kept above demand, as a fraction.
    pub headroom: f64,
}

fn default_ec2() -> String {
    "ec2".into()
}

/// How a Redis deployment fails over.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum RedisMode {
    /// Redis Cluster: hash slots over masters, at least 3 masters.
    Cluster,
    /// Primary/replica groups watched by Sentinel quorums.
    Sentinel,
    /// One primary (with optional replicas), no automatic failover.
    Standalone,
}

/// Redis for sessions and cache.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
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
    #[serde(default = "one_f")]
    pub session_share: f64,
    /// Share of the cache working set this deployment holds.
    #[serde(default = "one_f")]
    pub cache_share: f64,
    /// Share of cache operations this deployment serves.
    #[serde(default = "one_f")]
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
    #[serde(default = "one")]
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

/// A stateless application tier on Kubernetes nodes (or VMs: one pod per node).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AppPolicy {
    /// Node instance type (`c6i.4xlarge`).
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
    #[serde(default = "default_ec2")]
    pub service: String,
    /// Share of all API requests this tier serves.
    #[serde(default = "one_f")]
    pub rps_share: f64,
    /// Requests/s one pod serves at 100% of its capacity.
    pub rps_per_pod: f64,
    /// Target utilisation of a pod at peak, in (0, 1].
    pub target_utilization: f64,
    /// Availability zones the tier spreads over, Z.
    #[serde(default = "three")]
    pub zones: u64,
    /// Zones it must survive losing, k (< Z): pods x Z/(Z-k).
    #[serde(default = "one")]
    pub zones_lost: u64,
    /// Pods per node (with an explicit instance).
    pub pods_per_node: u64,
    /// vCPUs one pod requests: with `pod_memory_gib`, pods per node follow from the node's
    /// shape (needed by `instance: "auto"`).
    #[serde(default)]
    pub pod_vcpu: Option<f64>,
    /// GiB of memory one pod requests.
    #[serde(default)]
    pub pod_memory_gib: Option<f64>,
    /// Share of a node kept for the kubelet and system daemons.
    #[serde(default = "default_node_reserved")]
    pub node_reserved_fraction: f64,
    /// Fewest pods (HA).
    #[serde(default = "two")]
    pub min_pods: u64,
    /// HPA max = ceil(pods x (1 + burst_headroom)).
    #[serde(default = "default_burst")]
    pub burst_headroom: f64,
    /// Extra spare capacity above the utilisation target, as a fraction.
    #[serde(default)]
    pub headroom: f64,
    /// EKS control-plane item billed per cluster (one cluster per deployment), if any.
    #[serde(default)]
    pub control_plane: Option<String>,
}

fn default_node_reserved() -> f64 {
    0.1
}

fn default_burst() -> f64 {
    0.5
}

/// Kafka (or MSK) event log.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct KafkaPolicy {
    /// Broker instance type (`kafka.m5.large`).
    pub instance: String,
    /// Constraints when `instance` is `"auto"`.
    #[serde(default)]
    pub auto: Option<AutoSelect>,
    /// Per region (default) or global.
    #[serde(default)]
    pub placement: Placement,
    /// Pricing service of brokers.
    #[serde(default = "default_msk")]
    pub service: String,
    /// Pricing service of broker storage.
    #[serde(default = "default_msk_storage")]
    pub storage_service: String,
    /// Storage item.
    #[serde(default = "default_broker_storage")]
    pub storage_item: String,
    /// Replication factor.
    #[serde(default = "three")]
    pub replication_factor: u64,
    /// Write MB/s one broker absorbs, replication traffic included.
    pub broker_ingress_mb_s: f64,
    /// Share of a broker's baseline network bandwidth its writes may use: when the catalog
    /// knows the shape's network, a broker absorbs at most this share of it.
    #[serde(default = "default_network_utilization")]
    pub network_utilization: f64,
    /// MB/s one partition sustains (drives the partition count).
    pub partition_mb_s: f64,
    /// Fewest partitions in all.
    #[serde(default)]
    pub min_partitions: u64,
    /// Most partition replicas one broker hosts.
    #[serde(default = "default_partitions_per_broker")]
    pub max_partitions_per_broker: u64,
    /// Disk per broker, GB.
    pub broker_disk_gb: f64,
    /// Spare capacity kept above demand, as a fraction.
    pub headroom: f64,
}

fn default_network_utilization() -> f64 {
    0.4
}

fn default_msk() -> String {
    "msk".into()
}
fn default_msk_storage() -> String {
    "msk-storage".into()
}
fn default_broker_storage() -> String {
    "broker-storage".into()
}
fn default_partitions_per_broker() -> u64 {
    4000
}

/// CDN delivery: edge egress, origin fetches, requests.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CdnPolicy {
    /// Pricing service of edge egress.
    #[serde(default = "default_cdn_service")]
    pub service: String,
    /// Edge egress item.
    #[serde(default = "default_egress")]
    pub item: String,
    /// Pricing service of requests.
    #[serde(default = "default_cdn_requests")]
    pub requests_service: String,
    /// Requests item (`https`).
    #[serde(default = "default_https")]
    pub requests_item: String,
    /// Origin-to-edge transfer price when it is billed (free from AWS origins to CloudFront).
    #[serde(default)]
    pub origin_price: Option<PriceRef>,
}

/// A price in the tables, by service and item (the region is the scenario's).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PriceRef {
    /// Pricing service (`internet-egress`).
    pub service: String,
    /// Item of that service (`egress`).
    pub item: String,
}

fn default_cdn_service() -> String {
    "cloudfront-egress".into()
}
fn default_egress() -> String {
    "egress".into()
}
fn default_cdn_requests() -> String {
    "cloudfront-requests".into()
}
fn default_https() -> String {
    "https".into()
}

/// Object storage split over storage classes.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ObjectStoragePolicy {
    /// Pricing service.
    #[serde(default = "default_s3")]
    pub service: String,
    /// Share of bytes per storage class item (`standard`, `glacier-deep-archive`); sums to 1.
    pub classes: BTreeMap<String, f64>,
    /// Full copies kept (cross-region replicated buckets count each).
    #[serde(default = "one")]
    pub copies: u64,
}

fn default_s3() -> String {
    "s3-storage".into()
}

/// Cross-region replication transfer.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CrossRegionPolicy {
    /// Pricing service.
    #[serde(default = "default_inter_region")]
    pub service: String,
    /// Pricing item.
    #[serde(default = "default_to_other_region")]
    pub item: String,
    /// Regions each replicated byte is sent to; default: every other region.
    #[serde(default)]
    pub destinations: Option<u64>,
}

fn default_inter_region() -> String {
    "inter-region".into()
}
fn default_to_other_region() -> String {
    "to-other-region".into()
}

/// Lines a doc states that headroom does not size (monitoring, a search cluster...).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FixedPolicy {
    /// The lines.
    pub lines: Vec<FixedLine>,
}

/// One fixed line.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FixedLine {
    /// Line item name.
    pub item: String,
    /// Count in the line's measure (instances for hourly prices, GB for per-GB prices, 1 for
    /// a flat monthly plan).
    pub count: u64,
    /// Pricing service, when priced from the tables (else give a price in `prices`).
    #[serde(default)]
    pub service: Option<String>,
    /// Pricing item in that service (default: `item`).
    #[serde(default)]
    pub price_item: Option<String>,
}

/// The scenario file as written.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ScenarioFile {
    /// Short name; names the output folder.
    pub name: String,
    /// What the scenario models.
    pub description: String,
    /// The design doc it reproduces, if any.
    #[serde(default)]
    pub source: Option<String>,
    /// The growth model.
    pub growth: ModelRef<Growth>,
    /// The workload model.
    pub workload: ModelRef<Workload>,
    /// Numeric workload fields replaced for this scenario.
    #[serde(default)]
    pub workload_overrides: BTreeMap<String, f64>,
    /// The pricing tables.
    pub pricing: PricingRef,
    /// Hours in a billing month.
    #[serde(default = "default_hours")]
    pub hours_per_month: f64,
    /// Serving regions and their user shares.
    pub regions: Vec<Region>,
    /// Named price multipliers the scenario defines.
    #[serde(default)]
    pub discounts: BTreeMap<String, ScenarioDiscount>,
    /// The architecture.
    pub components: Vec<Component>,
    /// Assumptions and documented defaults (where the doc is silent).
    #[serde(default)]
    pub assumptions: Vec<String>,
    /// Monthly budget; `headroom timeline` flags the months above it.
    #[serde(default)]
    pub budget_usd_per_month: Option<f64>,
    /// Months `headroom timeline` covers unless `--months` says otherwise.
    #[serde(default)]
    pub timeline_months: Option<u32>,
    /// The design doc's figures, for `headroom audit`.
    #[serde(default)]
    pub claims: Vec<crate::input::claims::Claim>,
    /// Uncertain inputs and Monte Carlo settings (`plan --draws`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub uncertainty: Option<crate::input::uncertainty::UncertaintySpec>,
}

fn default_hours() -> f64 {
    crate::units::DEFAULT_HOURS_PER_MONTH
}

impl ScenarioFile {
    /// Checks what can be checked without the referenced models and tables.
    pub fn validate(&self, file: &Path) -> Result<(), InputError> {
        let c = Check::new(file, "");
        c.name("name", &self.name)?;
        c.at_least("hours_per_month", self.hours_per_month, 1.0)?;
        if self.hours_per_month > 744.0 {
            return Err(c.error(
                "hours_per_month",
                format!(
                    "a month has at most 744 hours, got {}",
                    self.hours_per_month
                ),
            ));
        }
        if self.regions.is_empty() {
            return Err(c.error("regions", "needs at least one region"));
        }
        let rc = c.nested("regions");
        let mut share_sum = 0.0;
        for (i, region) in self.regions.iter().enumerate() {
            let r = rc.nested(&format!("[{i}]"));
            r.name("name", &region.name)?;
            r.positive_ratio("user_share", region.user_share)?;
            if self.regions[..i].iter().any(|o| o.name == region.name) {
                return Err(r.error("name", format!("region `{}` is listed twice", region.name)));
            }
            share_sum += region.user_share;
        }
        if (share_sum - 1.0).abs() > 1e-6 {
            return Err(c.error(
                "regions",
                format!("user shares must sum to 1, they sum to {share_sum}"),
            ));
        }
        for (name, d) in &self.discounts {
            let dc = c.nested("discounts").nested(name);
            dc.positive_ratio("multiplier", d.multiplier)?;
            dc.ratio("interruption_headroom", d.interruption_headroom)?;
        }
        if self.components.is_empty() {
            return Err(c.error("components", "needs at least one component"));
        }
        if let Some(b) = self.budget_usd_per_month {
            c.positive("budget_usd_per_month", b)?;
        }
        let claims = c.nested("claims");
        for (i, claim) in self.claims.iter().enumerate() {
            let k = claims.nested(&format!("[{i}]"));
            k.name("id", &claim.id)?;
            if self.claims[..i].iter().any(|o| o.id == claim.id) {
                return Err(k.error("id", format!("claim `{}` is listed twice", claim.id)));
            }
            if !claim.claimed.is_finite() {
                return Err(k.error("claimed", "must be a finite number"));
            }
            k.ratio("tolerance", claim.tolerance)?;
            for id in &claim.sum_of {
                if !self.claims[..i].iter().any(|o| &o.id == id) {
                    return Err(k.error(
                        "sum_of",
                        format!("`{id}` is not a claim listed before `{}`", claim.id),
                    ));
                }
            }
        }
        let cc = c.nested("components");
        for (i, comp) in self.components.iter().enumerate() {
            let k = cc.nested(&format!("[{i}]"));
            k.name("name", &comp.name)?;
            if self.components[..i].iter().any(|o| o.name == comp.name) {
                return Err(k.error("name", format!("component `{}` is named twice", comp.name)));
            }
            for (item, price) in &comp.prices {
                let pc = k.nested("prices").nested(item);
                pc.non_negative("usd", price.usd)?;
                if price.usd > crate::pricing::table::MAX_UNIT_PRICE_USD {
                    return Err(pc.error(
                        "usd",
                        format!(
                            "{} is beyond any unit price (limit {:e})",
                            price.usd,
                            crate::pricing::table::MAX_UNIT_PRICE_USD
                        ),
                    ));
                }
                if crate::pricing::PriceUnit::parse(&price.unit).is_none() {
                    return Err(pc.error(
                        "unit",
                        format!(
                            "unknown unit `{}`; expected one of: {}",
                            price.unit,
                            crate::pricing::PriceUnit::ALL_NAMES.join(", ")
                        ),
                    ));
                }
            }
            validate_policy(&comp.policy, &k.nested("policy"))?;
        }
        Ok(())
    }
}

pub(crate) fn validate_policy(policy: &Policy, c: &Check<'_>) -> Result<(), InputError> {
    match policy {
        Policy::Postgres(p) => {
            c.name("instance", &p.instance)?;
            c.positive("max_data_bytes_per_shard", p.max_data_bytes_per_shard)?;
            c.positive("max_write_qps_per_shard", p.max_write_qps_per_shard)?;
            if let Some(v) = p.max_users_per_shard {
                c.positive("max_users_per_shard", v)?;
            }
            if let Some(v) = p.working_set_fraction {
                c.positive_ratio("working_set_fraction", v)?;
            }
            if let Some(v) = p.read_qps_per_replica {
                c.positive("read_qps_per_replica", v)?;
            }
            c.count_at_least("min_shards", p.min_shards, 1)?;
            c.non_negative("headroom", p.headroom)?;
        }
        Policy::PgBouncer(p) => {
            c.name("instance", &p.instance)?;
            c.positive("queries_per_transaction", p.queries_per_transaction)?;
            c.positive("transaction_hold_s", p.transaction_hold_s)?;
            if p.max_wait_probability.is_none() && p.max_mean_wait_s.is_none() {
                return Err(c.error(
                    "max_wait_probability",
                    "give a wait SLO: max_wait_probability and/or max_mean_wait_s",
                ));
            }
            if let Some(v) = p.max_wait_probability {
                c.positive_ratio("max_wait_probability", v)?;
            }
            if let Some(v) = p.max_mean_wait_s {
                c.positive("max_mean_wait_s", v)?;
            }
            c.count_at_least(
                "max_client_conn_per_pooler",
                p.max_client_conn_per_pooler,
                1,
            )?;
            c.positive(
                "max_transactions_per_s_per_pooler",
                p.max_transactions_per_s_per_pooler,
            )?;
            c.count_at_least("min_poolers", p.min_poolers, 1)?;
            c.non_negative("headroom", p.headroom)?;
        }
        Policy::Redis(p) => {
            c.name("instance", &p.instance)?;
            c.ratio("session_share", p.session_share)?;
            c.ratio("cache_share", p.cache_share)?;
            c.ratio("ops_share", p.ops_share)?;
            c.non_negative("memory_overhead_fraction", p.memory_overhead_fraction)?;
            c.positive_ratio("maxmemory_fraction", p.maxmemory_fraction)?;
            c.positive("ops_per_s_per_node", p.ops_per_s_per_node)?;
            if let Some(v) = p.node_memory_gib {
                c.positive("node_memory_gib", v)?;
            }
            c.count_at_least("max_nodes_per_cluster", p.max_nodes_per_cluster, 1)?;
            if p.max_nodes_per_cluster <= p.replicas_per_master {
                return Err(c.error(
                    "max_nodes_per_cluster",
                    "must exceed replicas_per_master: a cluster needs room for one master group",
                ));
            }
            if let Some(m) = p.min_masters {
                c.count_at_least("min_masters", m, 1)?;
            }
            c.non_negative("headroom", p.headroom)?;
        }
        Policy::App(p) => {
            c.name("instance", &p.instance)?;
            c.ratio("rps_share", p.rps_share)?;
            c.positive("rps_per_pod", p.rps_per_pod)?;
            c.positive_ratio("target_utilization", p.target_utilization)?;
            c.count_at_least("zones", p.zones, 1)?;
            if p.zones_lost >= p.zones {
                return Err(c.error(
                    "zones_lost",
                    format!(
                        "must be below zones ({}): a tier cannot survive losing every zone",
                        p.zones
                    ),
                ));
            }
            c.count_at_least("pods_per_node", p.pods_per_node, 1)?;
            if p.instance == AUTO && (p.pod_vcpu.is_none() || p.pod_memory_gib.is_none()) {
                return Err(c.error(
                    "pod_vcpu",
                    "instance \"auto\" needs pod_vcpu and pod_memory_gib: pods per node follow from each shape",
                ));
            }
            if let Some(v) = p.pod_vcpu {
                c.positive("pod_vcpu", v)?;
            }
            if let Some(v) = p.pod_memory_gib {
                c.positive("pod_memory_gib", v)?;
            }
            c.ratio_below_one("node_reserved_fraction", p.node_reserved_fraction)?;
            c.count_at_least("min_pods", p.min_pods, 1)?;
            c.non_negative("burst_headroom", p.burst_headroom)?;
            c.non_negative("headroom", p.headroom)?;
        }
        Policy::Kafka(p) => {
            c.name("instance", &p.instance)?;
            c.count_at_least("replication_factor", p.replication_factor, 1)?;
            c.positive("broker_ingress_mb_s", p.broker_ingress_mb_s)?;
            c.positive_ratio("network_utilization", p.network_utilization)?;
            c.positive("partition_mb_s", p.partition_mb_s)?;
            c.count_at_least("max_partitions_per_broker", p.max_partitions_per_broker, 1)?;
            c.positive("broker_disk_gb", p.broker_disk_gb)?;
            c.non_negative("headroom", p.headroom)?;
        }
        Policy::Cdn(_) | Policy::CrossRegion(_) => {}
        Policy::ObjectStorage(p) => {
            if p.classes.is_empty() {
                return Err(c.error("classes", "needs at least one storage class"));
            }
            let mut sum = 0.0;
            for (class, share) in &p.classes {
                c.nested("classes").ratio(class, *share)?;
                sum += share;
            }
            if (sum - 1.0).abs() > 1e-6 {
                return Err(c.error(
                    "classes",
                    format!("shares must sum to 1, they sum to {sum}"),
                ));
            }
            c.count_at_least("copies", p.copies, 1)?;
        }
        Policy::Fixed(p) => {
            for (i, line) in p.lines.iter().enumerate() {
                c.nested("lines")
                    .nested(&format!("[{i}]"))
                    .name("item", &line.item)?;
            }
        }
    }
    Ok(())
}
