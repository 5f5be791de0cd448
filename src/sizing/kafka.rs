//! Kafka: brokers by throughput, by partitions and by retained bytes.
//!
//! brokers = max(ceil(ingress MB/s x RF x (1+h) / broker_ingress_mb_s),
//!               ceil(partitions x RF / max_partitions_per_broker),
//!               ceil(retained GB x RF x (1+h) / broker_disk_gb), RF).

use crate::input::kinds::kafka::KafkaPolicy;
use crate::sizing::{Measure, PriceKey, RegionContext, RegionLine, SizingError};
use crate::trace::Trace;
use crate::units::{BYTES_PER_GB, BYTES_PER_MB, ceil_count};

/// Sizes one region's Kafka cluster.
pub fn size(
    p: &KafkaPolicy,
    ctx: &RegionContext<'_>,
    t: &mut Trace,
) -> Result<Vec<RegionLine>, SizingError> {
    let d = &ctx.demand;
    let h = p.headroom;
    let rf = p.replication_factor as f64;
    let ingress_mb_s = t.step(
        "ingress_mb_s",
        "event_ingress_bytes_per_s_peak / 1e6",
        &[(
            "event_ingress_bytes_per_s_peak",
            d.event_ingress_bytes_per_s_peak,
            "B/s",
        )],
        d.event_ingress_bytes_per_s_peak / BYTES_PER_MB,
        "MB/s",
    );
    // A broker's writes are also bounded by its network: the shape's baseline bandwidth (an
    // MSK broker has its EC2 counterpart's), of which `network_utilization` may carry writes.
    let network_gbps = ctx
        .catalog
        .get(&p.instance)
        .and_then(|s| s.network_gbps)
        .or_else(|| {
            p.instance
                .strip_prefix("kafka.")
                .and_then(|ec2| ctx.catalog.get(ec2))
                .and_then(|s| s.network_gbps)
        });
    let broker_mb_s = match network_gbps {
        Some(gbps) => t.step(
            "broker_write_mb_s",
            "min(broker_ingress_mb_s, network_gbps x 125 MB/s x network_utilization)",
            &[
                ("broker_ingress_mb_s", p.broker_ingress_mb_s, "MB/s"),
                ("network_gbps", gbps, "Gbit/s"),
                ("network_utilization", p.network_utilization, "fraction"),
            ],
            p.broker_ingress_mb_s
                .min(gbps * 125.0 * p.network_utilization),
            "MB/s",
        ),
        None => p.broker_ingress_mb_s,
    };
    let by_throughput = t.count(
        "brokers_by_throughput",
        "ceil(ingress_mb_s x replication_factor x (1 + headroom) / broker_write_mb_s)",
        &[
            ("ingress_mb_s", ingress_mb_s, "MB/s"),
            ("replication_factor", rf, "copies"),
            ("headroom", h, "fraction"),
            ("broker_write_mb_s", broker_mb_s, "MB/s"),
        ],
        ceil_count(ingress_mb_s * rf * (1.0 + h) / broker_mb_s),
        "brokers",
    );
    let partitions = t.count(
        "partitions",
        "max(min_partitions, ceil(ingress_mb_s x (1 + headroom) / partition_mb_s))",
        &[
            ("min_partitions", p.min_partitions as f64, "partitions"),
            ("ingress_mb_s", ingress_mb_s, "MB/s"),
            ("headroom", h, "fraction"),
            ("partition_mb_s", p.partition_mb_s, "MB/s"),
        ],
        ceil_count(ingress_mb_s * (1.0 + h) / p.partition_mb_s).max(p.min_partitions),
        "partitions",
    );
    let by_partitions = t.count(
        "brokers_by_partitions",
        "ceil(partitions x replication_factor / max_partitions_per_broker)",
        &[
            ("partitions", partitions as f64, "partitions"),
            ("replication_factor", rf, "copies"),
            (
                "max_partitions_per_broker",
                p.max_partitions_per_broker as f64,
                "partitions",
            ),
        ],
        ceil_count(partitions as f64 * rf / p.max_partitions_per_broker as f64),
        "brokers",
    );
    let retained_gb = t.step(
        "retained_gb",
        "event_retained_bytes x replication_factor / 1e9",
        &[
            ("event_retained_bytes", d.event_retained_bytes, "B"),
            ("replication_factor", rf, "copies"),
        ],
        d.event_retained_bytes * rf / BYTES_PER_GB,
        "GB",
    );
    let by_disk = t.count(
        "brokers_by_disk",
        "ceil(retained_gb x (1 + headroom) / broker_disk_gb)",
        &[
            ("retained_gb", retained_gb, "GB"),
            ("headroom", h, "fraction"),
            ("broker_disk_gb", p.broker_disk_gb, "GB"),
        ],
        ceil_count(retained_gb * (1.0 + h) / p.broker_disk_gb),
        "brokers",
    );
    let brokers = t.count(
        "brokers",
        "max(brokers_by_throughput, brokers_by_partitions, brokers_by_disk, replication_factor)",
        &[
            ("brokers_by_throughput", by_throughput as f64, "brokers"),
            ("brokers_by_partitions", by_partitions as f64, "brokers"),
            ("brokers_by_disk", by_disk as f64, "brokers"),
            ("replication_factor", rf, "brokers"),
        ],
        by_throughput
            .max(by_partitions)
            .max(by_disk)
            .max(p.replication_factor),
        "brokers",
    );
    let storage_gb = t.count(
        "storage_gb",
        "brokers x broker_disk_gb",
        &[
            ("brokers", brokers as f64, "brokers"),
            ("broker_disk_gb", p.broker_disk_gb, "GB"),
        ],
        ceil_count(brokers as f64 * p.broker_disk_gb),
        "GB",
    );
    Ok(vec![
        RegionLine::billed(
            "broker",
            brokers,
            Measure::Instances { memory_gib: None },
            PriceKey::new(&p.service, &p.instance, ctx.pricing_region),
        )
        .from_step("brokers"),
        RegionLine::billed(
            "storage",
            storage_gb,
            Measure::Gb,
            PriceKey::new(&p.storage_service, &p.storage_item, ctx.pricing_region),
        )
        .from_step("storage_gb"),
        RegionLine::info("partitions", partitions, "partitions").from_step("partitions"),
    ])
}

#[cfg(test)]
mod tests {

    use super::*;
    use crate::demand::Demand;
    use crate::input::Placement;
    use crate::sizing::test_support::{count, with_ctx};

    #[test]
    fn brokers_by_disk_dominate() {
        let p = KafkaPolicy {
            instance: "kafka.m5.large".into(),
            auto: None,
            placement: Placement::PerRegion,
            service: "msk".into(),
            storage_service: "msk-storage".into(),
            storage_item: "broker-storage".into(),
            replication_factor: 3,
            broker_ingress_mb_s: 60.0,
            network_utilization: 0.4,
            partition_mb_s: 5.0,
            min_partitions: 10,
            max_partitions_per_broker: 4_000,
            broker_disk_gb: 4_000.0,
            headroom: 0.2,
        };
        let demand = Demand {
            event_ingress_bytes_per_s_peak: 5e7,
            event_retained_bytes: 1e13,
            ..Demand::default()
        };
        let lines = with_ctx(demand, &crate::sizing::SizedComponents::default(), |ctx| {
            size(&p, ctx, &mut Trace::new())
        })
        .unwrap();
        // throughput: ceil(50 MB/s x 3 x 1.2 / 60) = 3; partitions: max(10, ceil(50 x 1.2 / 5)) = 12
        assert_eq!(count(&lines, "partitions"), 12);
        // disk: 1e13 B x 3 / 1e9 = 30,000 GB x 1.2 / 4,000 = 9 brokers
        assert_eq!(count(&lines, "broker"), 9);
        assert_eq!(count(&lines, "storage"), 36_000);
    }
}
