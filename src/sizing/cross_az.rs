//! Cross-AZ transfer: bytes that cross an availability-zone boundary inside a region.
//!
//! AWS bills it per GB in each direction: the sending zone's "out" and the receiving zone's
//! "in" (pricing/aws/network.csv `cross-az`), so one GB crossing is billed as 2 GB at the row.
//! The rules here say how many bytes cross; each stateful kind (`postgres.rs`, `redis.rs`,
//! `kafka.rs`) calls them with its own traffic and its own `cross_az_zones`:
//!
//! - clients spread evenly over Z zones reach a server in one of them: (Z-1)/Z of the
//!   traffic crosses (an app pod talking to its database primary, cache master or partition
//!   leader);
//! - replication between nodes of a self-managed deployment (service `ec2`): every replica
//!   is placed in another zone than its primary (that is what it is for: surviving the loss
//!   of the primary's zone) and receives every written byte; a Kafka partition's followers
//!   sit in other zones as far as rack-aware placement allows. Managed services do not bill
//!   it: RDS does not charge for replicating to a Multi-AZ standby or to a read replica in the
//!   same region, and MSK not for traffic between the brokers of a cluster (both on their
//!   pricing pages); for ElastiCache we assume the same (its pricing page bills transfer
//!   between EC2 and the cache's nodes, and names none between the nodes of a replication
//!   group). Only the clients' cross-AZ traffic is billed then (as EC2 transfer).
//!
//! `cross_az_zones` of 0 or 1 (one zone: nothing crosses) turns a component's lines off.

use crate::input::kinds::kafka::KafkaPolicy;
use crate::input::kinds::postgres::PostgresPolicy;
use crate::input::kinds::redis::RedisPolicy;
use crate::sizing::{Measure, PriceKey, RegionContext, RegionLine, Spread};
use crate::trace::Trace;
use crate::units::{BYTES_PER_GB, ceil_count};

/// Directions billed for one byte that crosses zones (out of one, into the other).
pub const BILLED_DIRECTIONS: f64 = 2.0;

/// Share of clients' traffic that crosses zones when clients and servers spread evenly over
/// `zones`: (Z-1)/Z; 0 for one zone (or none).
#[must_use]
pub fn client_share(zones: u64) -> f64 {
    if zones <= 1 {
        0.0
    } else {
        (zones - 1) as f64 / zones as f64
    }
}

/// True when nodes spread over more than one zone, so that traffic can cross.
#[must_use]
pub fn spans_zones(zones: u64) -> bool {
    zones > 1
}

/// True when replication between a component's own nodes is billed: self-managed nodes on
/// EC2. Managed databases, caches and brokers replicate across zones at no transfer charge.
#[must_use]
pub fn replication_billed(service: &str) -> bool {
    service == "ec2"
}

/// Copies of each partition's writes that land in another zone than its leader with `rf`
/// replicas placed rack-aware over `zones`: the leader's zone holds ceil(rf / Z) of them.
#[must_use]
pub fn followers_in_other_zones(rf: u64, zones: u64) -> u64 {
    if zones <= 1 {
        return 0;
    }
    rf.saturating_sub(rf.div_ceil(zones))
}

/// A cross-AZ transfer line: `crossing_bytes` (already traced as step `crossing_step`) billed
/// in both directions, at the region's `cross-az` price (a global component's line is split
/// over the serving regions by user share).
#[must_use]
pub fn transfer_line(
    item: &str,
    crossing_step: &str,
    crossing_bytes: f64,
    ctx: &RegionContext<'_>,
    t: &mut Trace,
) -> RegionLine {
    // The step's name only matters to a traced plan: draws skip building it.
    let step = t.text(|| format!("{crossing_step}_billed_gb"));
    let gb = t.count(
        &step,
        &t.text(|| {
            format!("ceil({crossing_step} / 1e9 x 2): billed out of one zone and into the other")
        }),
        &[(crossing_step, crossing_bytes, "B/month")],
        ceil_count(crossing_bytes / BYTES_PER_GB * BILLED_DIRECTIONS),
        "GB",
    );
    RegionLine::billed(
        item,
        gb,
        Measure::Gb,
        PriceKey::new("cross-az", "transfer", ctx.pricing_region),
    )
    .from_step(&step)
    .spread(Spread::Regions)
}

/// Postgres: app queries to the primaries (`cross-az-clients`) and, self-managed, every
/// written byte to each standby and read replica (`cross-az-replication`). Appended to the
/// rule's `lines` (no vector of its own: draws size every region of every phase).
pub fn postgres(
    p: &PostgresPolicy,
    replicas_per_shard: u64,
    ctx: &RegionContext<'_>,
    t: &mut Trace,
    lines: &mut Vec<RegionLine>,
) {
    if !spans_zones(p.cross_az_zones) {
        return;
    }
    let d = &ctx.demand;
    let share = client_share(p.cross_az_zones);
    if p.bytes_per_query > 0.0 {
        let bytes = t.step(
            "db_client_cross_az_bytes",
            "(db_reads_per_month + db_writes_per_month) x bytes_per_query x (cross_az_zones - 1) / cross_az_zones",
            &[
                ("db_reads_per_month", d.db_reads_per_month, "queries/month"),
                ("db_writes_per_month", d.db_writes_per_month, "queries/month"),
                ("bytes_per_query", p.bytes_per_query, "B"),
                ("cross_az_zones", p.cross_az_zones as f64, "zones"),
            ],
            (d.db_reads_per_month + d.db_writes_per_month) * p.bytes_per_query * share,
            "B/month",
        );
        lines.push(transfer_line(
            "cross-az-clients",
            "db_client_cross_az_bytes",
            bytes,
            ctx,
            t,
        ));
    }
    if replication_billed(&p.service) {
        let bytes = t.step(
            "db_replication_cross_az_bytes",
            "db_write_bytes_per_month x in-region replicas per shard (standbys + read replicas)",
            &[
                (
                    "db_write_bytes_per_month",
                    d.db_write_bytes_per_month,
                    "B/month",
                ),
                ("replicas_per_shard", replicas_per_shard as f64, "replicas"),
            ],
            d.db_write_bytes_per_month * replicas_per_shard as f64,
            "B/month",
        );
        lines.push(transfer_line(
            "cross-az-replication",
            "db_replication_cross_az_bytes",
            bytes,
            ctx,
            t,
        ));
    }
}

/// Redis: app operations to the masters (`cross-az-clients`) and, self-managed, every cache
/// fill to each replica (`cross-az-replication`). Fills are the reads that missed the cache
/// and went to the database (one SET each); session writes are not counted. Appended to
/// `lines`.
pub fn redis(p: &RedisPolicy, ctx: &RegionContext<'_>, t: &mut Trace, lines: &mut Vec<RegionLine>) {
    if !spans_zones(p.cross_az_zones) || p.bytes_per_op <= 0.0 {
        return;
    }
    let d = &ctx.demand;
    let bytes = t.step(
        "cache_client_cross_az_bytes",
        "cache_ops_per_month x ops_share x bytes_per_op x (cross_az_zones - 1) / cross_az_zones",
        &[
            ("cache_ops_per_month", d.cache_ops_per_month, "ops/month"),
            ("ops_share", p.ops_share, "fraction"),
            ("bytes_per_op", p.bytes_per_op, "B"),
            ("cross_az_zones", p.cross_az_zones as f64, "zones"),
        ],
        d.cache_ops_per_month * p.ops_share * p.bytes_per_op * client_share(p.cross_az_zones),
        "B/month",
    );
    lines.push(transfer_line(
        "cross-az-clients",
        "cache_client_cross_az_bytes",
        bytes,
        ctx,
        t,
    ));
    if replication_billed(&p.service) {
        let bytes = t.step(
            "cache_replication_cross_az_bytes",
            "db_reads_per_month x ops_share x bytes_per_op x replicas_per_master",
            &[
                ("db_reads_per_month", d.db_reads_per_month, "fills/month"),
                ("ops_share", p.ops_share, "fraction"),
                ("bytes_per_op", p.bytes_per_op, "B"),
                (
                    "replicas_per_master",
                    p.replicas_per_master as f64,
                    "replicas",
                ),
            ],
            d.db_reads_per_month * p.ops_share * p.bytes_per_op * p.replicas_per_master as f64,
            "B/month",
        );
        lines.push(transfer_line(
            "cross-az-replication",
            "cache_replication_cross_az_bytes",
            bytes,
            ctx,
            t,
        ));
    }
}

/// Kafka: producers writing to and consumers reading from partition leaders in other zones
/// (`cross-az-clients`; consumers not with follower fetching) and, self-managed, each write
/// to the followers in other zones (`cross-az-replication`). Appended to `lines`.
pub fn kafka(p: &KafkaPolicy, ctx: &RegionContext<'_>, t: &mut Trace, lines: &mut Vec<RegionLine>) {
    if !spans_zones(p.cross_az_zones) {
        return;
    }
    let d = &ctx.demand;
    let readers = if p.follower_fetching {
        0.0
    } else {
        p.consumer_groups
    };
    let bytes = t.step(
        "event_client_cross_az_bytes",
        "event_bytes_per_month x (1 producer + consumer groups reading leaders) x (cross_az_zones - 1) / cross_az_zones",
        &[
            ("event_bytes_per_month", d.event_bytes_per_month, "B/month"),
            ("consumer_groups_reading_leaders", readers, "groups"),
            ("cross_az_zones", p.cross_az_zones as f64, "zones"),
        ],
        d.event_bytes_per_month * (1.0 + readers) * client_share(p.cross_az_zones),
        "B/month",
    );
    lines.push(transfer_line(
        "cross-az-clients",
        "event_client_cross_az_bytes",
        bytes,
        ctx,
        t,
    ));
    if replication_billed(&p.service) {
        let followers = followers_in_other_zones(p.replication_factor, p.cross_az_zones);
        let bytes = t.step(
            "event_replication_cross_az_bytes",
            "event_bytes_per_month x (replication_factor - ceil(replication_factor / cross_az_zones))",
            &[
                ("event_bytes_per_month", d.event_bytes_per_month, "B/month"),
                (
                    "replication_factor",
                    p.replication_factor as f64,
                    "replicas",
                ),
                ("cross_az_zones", p.cross_az_zones as f64, "zones"),
            ],
            d.event_bytes_per_month * followers as f64,
            "B/month",
        );
        lines.push(transfer_line(
            "cross-az-replication",
            "event_replication_cross_az_bytes",
            bytes,
            ctx,
            t,
        ));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shares_and_followers() {
        // 3 zones: 2 of 3 clients are elsewhere; 2 zones: half; 1 zone: none
        assert!((client_share(3) - 2.0 / 3.0).abs() < 1e-12);
        assert!((client_share(2) - 0.5).abs() < 1e-12);
        assert_eq!(client_share(1), 0.0);
        assert_eq!(client_share(0), 0.0);
        // RF 3 over 3 zones: the leader's zone holds ceil(3/3) = 1 (the leader): 2 cross;
        // over 2 zones: ceil(3/2) = 2 share it: 1 crosses; one zone: none
        assert_eq!(followers_in_other_zones(3, 3), 2);
        assert_eq!(followers_in_other_zones(3, 2), 1);
        assert_eq!(followers_in_other_zones(3, 1), 0);
        assert_eq!(followers_in_other_zones(2, 6), 1);
        assert!(replication_billed("ec2") && !replication_billed("rds-postgres"));
    }
}
