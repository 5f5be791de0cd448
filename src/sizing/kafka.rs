//! Kafka: brokers by every resource a broker can run out of, split into clusters.
//!
//! brokers = max(network-in: ceil(ingress MB/s x RF (1+h) / (baseline MB/s x util)),
//!               network-out: ceil(ingress x (consumer_groups + RF - 1) (1+h) / (baseline x util)),
//!               disk-throughput: ceil(ingress x RF (1+h) / (min(EBS baseline MB/s, the
//!               volume's volume_throughput_mib_s) x util)),
//!               a stated broker_ingress_mb_s: ceil(ingress x RF (1+h) / that),
//!               partitions: ceil(partitions x RF / partitions per broker (by broker size)),
//!               storage: ceil(retained GB x RF (1+h) / broker_disk_gb, or the MSK maximum
//!               per broker when no disk is stated), RF);
//! clusters = ceil(brokers / max_brokers_per_cluster). The network terms are AWS's Kafka sizing
//! Equation 1 (each write arrives once from a producer and RF - 1 times as replication, and
//! leaves once per consumer group and RF - 1 times to followers), on the shape's baseline
//! bandwidth: burst credits are not capacity.

use crate::input::kinds::kafka::{KafkaPolicy, msk_partitions_per_broker};
use crate::sizing::{
    Binding, Measure, PriceKey, RegionContext, RegionLine, SizingError, cross_az, region_lines,
};
use crate::trace::Trace;
use crate::units::{BYTES_PER_GB, BYTES_PER_MB, BYTES_PER_MIB, ceil_count};

/// The fewest brokers any demand gives one region (one per replica of a partition): a lower
/// bound for passing over shapes that cannot be the cheapest.
#[must_use]
pub fn least_brokers(p: &KafkaPolicy) -> [(&'static str, u64); 1] {
    [("broker", p.replication_factor)]
}

/// MB/s in one decimal Gbit/s.
const MB_S_PER_GBPS: f64 = 125.0;

/// The traced step of each resource's broker count (the derivation follows step names).
fn step_of(resource: &str) -> &'static str {
    match resource {
        "stated-ingress" => "brokers_by_stated_ingress",
        "network-in" => "brokers_by_network_in",
        "network-out" => "brokers_by_network_out",
        "disk-throughput" => "brokers_by_disk_throughput",
        "partitions" => "brokers_by_partitions",
        "storage" => "brokers_by_disk",
        _ => "replication_factor",
    }
}

/// Sizes one region's Kafka cluster.
pub fn size(
    p: &KafkaPolicy,
    ctx: &RegionContext<'_>,
    t: &mut Trace,
) -> Result<Vec<RegionLine>, SizingError> {
    let d = &ctx.demand;
    let h = p.headroom;
    let hf = 1.0 + h;
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
    // An MSK broker has its EC2 counterpart's resources; the catalog lists both.
    let shape = ctx.catalog.get(&p.instance).or_else(|| {
        p.instance
            .strip_prefix("kafka.")
            .and_then(|ec2| ctx.catalog.get(ec2))
    });
    // Brokers that take every replica of the ingress, each at `capacity` MB/s (a stated
    // figure, its network, its disk): the same rule against each resource.
    let by_replicated_ingress = |t: &mut Trace, step: &str, capacity: &str, mb_s: f64| {
        let formula = t.text(|| {
            format!("ceil(ingress_mb_s x replication_factor x (1 + headroom) / {capacity})")
        });
        t.count(
            step,
            &formula,
            &[
                ("ingress_mb_s", ingress_mb_s, "MB/s"),
                ("replication_factor", rf, "copies"),
                ("headroom", h, "fraction"),
                (capacity, mb_s, "MB/s"),
            ],
            ceil_count(ingress_mb_s * rf * hf / mb_s),
            "brokers",
        )
    };
    let mut binding = Binding::of(&[]);
    if let Some(stated) = p.broker_ingress_mb_s {
        binding = binding.with(
            "stated-ingress",
            by_replicated_ingress(
                t,
                "brokers_by_stated_ingress",
                "broker_ingress_mb_s",
                stated,
            ),
        );
    }
    if let Some(gbps) = shape.and_then(|s| s.network_gbps) {
        let usable = t.step(
            "broker_network_mb_s",
            "network_gbps x 125 x network_utilization",
            &[
                ("network_gbps", gbps, "Gbit/s"),
                ("network_utilization", p.network_utilization, "fraction"),
            ],
            gbps * MB_S_PER_GBPS * p.network_utilization,
            "MB/s",
        );
        binding = binding.with(
            "network-in",
            by_replicated_ingress(t, "brokers_by_network_in", "broker_network_mb_s", usable),
        );
        binding = binding.with(
            "network-out",
            t.count(
                "brokers_by_network_out",
                "ceil(ingress_mb_s x (consumer_groups + replication_factor - 1) x (1 + headroom) \
                 / broker_network_mb_s)",
                &[
                    ("ingress_mb_s", ingress_mb_s, "MB/s"),
                    ("consumer_groups", p.consumer_groups, "copies"),
                    ("replication_factor", rf, "copies"),
                    ("headroom", h, "fraction"),
                    ("broker_network_mb_s", usable, "MB/s"),
                ],
                ceil_count(ingress_mb_s * (p.consumer_groups + rf - 1.0) * hf / usable),
                "brokers",
            ),
        );
    }
    if let Some(mbps) = shape.and_then(|s| s.ebs_baseline_mbps) {
        // Equation 1's storage term: the lower of the volume's throughput and the shape's EBS
        // link (a large broker's EBS link outruns MSK's default 250 MiB/s volume).
        let usable = t.step(
            "broker_disk_mb_s",
            "min(ebs_baseline_mbps / 8, volume_throughput_mib_s x 1.048576) x network_utilization",
            &[
                ("ebs_baseline_mbps", mbps, "Mbit/s"),
                (
                    "volume_throughput_mib_s",
                    p.volume_throughput_mib_s,
                    "MiB/s",
                ),
                ("network_utilization", p.network_utilization, "fraction"),
            ],
            (mbps / 8.0).min(p.volume_throughput_mib_s * BYTES_PER_MIB / BYTES_PER_MB)
                * p.network_utilization,
            "MB/s",
        );
        binding = binding.with(
            "disk-throughput",
            by_replicated_ingress(t, "brokers_by_disk_throughput", "broker_disk_mb_s", usable),
        );
    }
    if binding.is_empty() {
        return Err(format!(
            "no network or EBS figures for `{}` in the catalog: state broker_ingress_mb_s or \
             add the shape{}",
            p.instance,
            crate::error::did_you_mean(&p.instance, ctx.catalog.instances())
        ));
    }
    let partitions = t.count(
        "partitions",
        "max(min_partitions, ceil(ingress_mb_s x (1 + headroom) / partition_mb_s))",
        &[
            ("min_partitions", p.min_partitions as f64, "partitions"),
            ("ingress_mb_s", ingress_mb_s, "MB/s"),
            ("headroom", h, "fraction"),
            ("partition_mb_s", p.partition_mb_s, "MB/s"),
        ],
        ceil_count(ingress_mb_s * hf / p.partition_mb_s).max(p.min_partitions),
        "partitions",
    );
    let per_broker = p.max_partitions_per_broker.unwrap_or_else(|| {
        msk_partitions_per_broker(&p.instance, shape.map_or(f64::INFINITY, |s| s.vcpu))
    });
    let by_partitions = t.count(
        "brokers_by_partitions",
        "ceil(partitions x replication_factor / max_partitions_per_broker)",
        &[
            ("partitions", partitions as f64, "partitions"),
            ("replication_factor", rf, "copies"),
            ("max_partitions_per_broker", per_broker as f64, "partitions"),
        ],
        ceil_count(partitions as f64 * rf / per_broker as f64),
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
    let disk_per_broker = p.broker_disk_gb.unwrap_or(p.max_broker_disk_gb);
    let by_disk = t.count(
        "brokers_by_disk",
        &t.text(|| {
            format!(
                "ceil(retained_gb x (1 + headroom) / {})",
                if p.broker_disk_gb.is_some() {
                    "broker_disk_gb"
                } else {
                    "max_broker_disk_gb"
                }
            )
        }),
        &[
            ("retained_gb", retained_gb, "GB"),
            ("headroom", h, "fraction"),
            ("broker_disk_gb", disk_per_broker, "GB"),
        ],
        ceil_count(retained_gb * hf / disk_per_broker),
        "brokers",
    );
    let binding = binding
        .with("partitions", by_partitions)
        .with("storage", by_disk)
        .with("minimum", p.replication_factor);
    let inputs: Vec<(&str, f64, &str)> = if t.is_enabled() {
        binding
            .by_resource()
            .map(|(r, n)| (step_of(r), n as f64, "brokers"))
            .collect()
    } else {
        Vec::new()
    };
    let brokers = t.count(
        "brokers",
        "max over resources (network-in, network-out, disk-throughput, stated-ingress, \
         partitions, storage, minimum = replication_factor)",
        &inputs,
        binding.needed(),
        "brokers",
    );
    let clusters = t.count(
        "clusters",
        "ceil(brokers / max_brokers_per_cluster)",
        &[
            ("brokers", brokers as f64, "brokers"),
            (
                "max_brokers_per_cluster",
                p.max_brokers_per_cluster as f64,
                "brokers",
            ),
        ],
        ceil_count(brokers as f64 / p.max_brokers_per_cluster as f64).max(1),
        "clusters",
    );
    let storage_gb = match p.broker_disk_gb {
        Some(per_broker) => t.count(
            "storage_gb",
            "brokers x broker_disk_gb",
            &[
                ("brokers", brokers as f64, "brokers"),
                ("broker_disk_gb", per_broker, "GB"),
            ],
            ceil_count(brokers as f64 * per_broker),
            "GB",
        ),
        // Each broker gets its share of the data, rounded up to whole GB per broker.
        None => t.count(
            "storage_gb",
            "brokers x max(1, ceil(retained_gb x (1 + headroom) / brokers))",
            &[
                ("brokers", brokers as f64, "brokers"),
                ("retained_gb", retained_gb, "GB"),
                ("headroom", h, "fraction"),
            ],
            brokers.saturating_mul(ceil_count(retained_gb * hf / brokers as f64).max(1)),
            "GB",
        ),
    };
    let mut lines = region_lines();
    lines.extend([
        RegionLine::billed(
            "broker",
            brokers,
            Measure::Instances { memory_gib: None },
            PriceKey::new(&p.service, &p.instance, ctx.pricing_region),
        )
        .from_step("brokers")
        .bound_by(binding),
        RegionLine::billed(
            "storage",
            storage_gb,
            Measure::Gb,
            PriceKey::new(&p.storage_service, &p.storage_item, ctx.pricing_region),
        )
        .from_step("storage_gb"),
        RegionLine::info("partitions", partitions, "partitions").from_step("partitions"),
        RegionLine::info("clusters", clusters, "clusters")
            .from_step("clusters")
            .bound_by(Binding::of(&[("minimum", 1), ("service-limit", clusters)])),
    ]);
    cross_az::kafka(p, ctx, t, &mut lines);
    Ok(lines)
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
            broker_ingress_mb_s: Some(60.0),
            consumer_groups: 1.0,
            max_brokers_per_cluster: 60,
            network_utilization: 0.4,
            partition_mb_s: 5.0,
            min_partitions: 10,
            max_partitions_per_broker: Some(4_000),
            broker_disk_gb: Some(4_000.0),
            max_broker_disk_gb: 17_592.186_044_416,
            volume_throughput_mib_s: 250.0,
            min_broker_instance: None,
            headroom: 0.2,
            cross_az_zones: 3,
            follower_fetching: false,
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

    fn derived() -> KafkaPolicy {
        KafkaPolicy {
            instance: "kafka.m5.large".into(),
            auto: None,
            placement: Placement::PerRegion,
            service: "msk".into(),
            storage_service: "msk-storage".into(),
            storage_item: "broker-storage".into(),
            replication_factor: 3,
            broker_ingress_mb_s: None,
            consumer_groups: 1.0,
            max_brokers_per_cluster: 60,
            network_utilization: 0.4,
            partition_mb_s: 5.0,
            min_partitions: 10,
            max_partitions_per_broker: None,
            broker_disk_gb: None,
            max_broker_disk_gb: 17_592.186_044_416,
            volume_throughput_mib_s: 250.0,
            min_broker_instance: None,
            headroom: 0.2,
            cross_az_zones: 3,
            follower_fetching: false,
        }
    }

    #[test]
    fn cross_az_producers_consumers_and_self_managed_followers() {
        let demand = Demand {
            event_bytes_per_month: 3e12,
            ..Demand::default()
        };
        let sized = crate::sizing::SizedComponents::default();
        let lines = |p: &KafkaPolicy| {
            with_ctx(demand, &sized, |ctx| {
                let mut lines = Vec::new();
                crate::sizing::cross_az::kafka(p, ctx, &mut Trace::new(), &mut lines);
                lines
            })
        };
        // MSK: producer + 1 consumer group, 3e12 B x 2 x 2/3 = 4e12 B = 4,000 GB x 2 = 8,000
        let msk = lines(&derived());
        assert_eq!(msk.len(), 1);
        assert_eq!(count(&msk, "cross-az-clients"), 8_000);
        // follower fetching: producers only, 3e12 x 2/3 = 2,000 GB x 2 = 4,000
        let local = lines(&KafkaPolicy {
            follower_fetching: true,
            ..derived()
        });
        assert_eq!(count(&local, "cross-az-clients"), 4_000);
        // on EC2, RF 3 over 3 zones: 2 followers elsewhere, 3e12 x 2 = 6,000 GB x 2 = 12,000
        let own = lines(&KafkaPolicy {
            service: "ec2".into(),
            ..derived()
        });
        assert_eq!(count(&own, "cross-az-replication"), 12_000);
    }

    fn brokers(p: &KafkaPolicy, ingress_b_s: f64) -> (Vec<RegionLine>, Binding) {
        let demand = Demand {
            event_ingress_bytes_per_s_peak: ingress_b_s,
            ..Demand::default()
        };
        let lines = with_ctx(demand, &crate::sizing::SizedComponents::default(), |ctx| {
            size(p, ctx, &mut Trace::new())
        })
        .unwrap();
        let b = lines
            .iter()
            .find(|l| l.item == "broker")
            .and_then(|l| l.binding)
            .unwrap();
        (lines, b)
    }

    #[test]
    fn throughput_binds_from_the_shape() {
        // kafka.m5.large: network 0.75 Gbit/s x 125 x 0.4 = 37.5 MB/s; EBS 650 Mbit/s / 8 x
        // 0.4 = 32.5 MB/s. 50 MB/s x 3 x 1.2 = 180 MB/s: in 4.8 -> 5, out (1 + 3 - 1 = 3
        // copies) 5, disk 5.54 -> 6 brokers
        let (lines, b) = brokers(&derived(), 5e7);
        assert_eq!(b.binding(), "disk-throughput");
        assert_eq!(count(&lines, "broker"), 6);
        // 4 consumer groups: out = 50 x (4 + 2) x 1.2 / 37.5 = 9.6 -> 10
        let fan_out = KafkaPolicy {
            consumer_groups: 4.0,
            max_brokers_per_cluster: 4,
            ..derived()
        };
        let (lines, b) = brokers(&fan_out, 5e7);
        assert_eq!(b.binding(), "network-out");
        assert_eq!(count(&lines, "broker"), 10);
        // 10 brokers, at most 4 a cluster -> 3 clusters
        assert_eq!(count(&lines, "clusters"), 3);
        // a bigger broker needs fewer: kafka.m5.2xlarge, 2.5 Gbit/s x 125 x 0.4 = 125 MB/s,
        // disk min(EBS 2,300 / 8 = 287.5, the volume's 250 MiB/s = 262.14) x 0.4 = 104.86
        // MB/s -> 180 / 104.86 = 1.72 -> 2, below RF 3
        let big = KafkaPolicy {
            instance: "kafka.m5.2xlarge".into(),
            ..derived()
        };
        let (lines, b) = brokers(&big, 5e7);
        assert_eq!(b.binding(), "minimum");
        assert_eq!(count(&lines, "broker"), 3);
    }

    #[test]
    fn a_large_broker_writes_no_faster_than_its_volume() {
        // kafka.m5.4xlarge: network 5 Gbit/s x 125 x 0.4 = 250 MB/s; its EBS link 4,750 / 8 =
        // 593.75 MB/s outruns MSK's default volume, 250 MiB/s = 262.14 MB/s x 0.4 = 104.86.
        // 500 MB/s x 3 x 1.2 = 1,800 MB/s: network in 7.2 -> 8, out (3 copies) 8, disk
        // 1,800 / 104.86 = 17.17 -> 18 brokers (by the EBS link alone: 1,800 / 237.5 = 7.6 -> 8)
        let big = KafkaPolicy {
            instance: "kafka.m5.4xlarge".into(),
            ..derived()
        };
        let (lines, b) = brokers(&big, 5e8);
        assert_eq!(b.binding(), "disk-throughput");
        assert_eq!(count(&lines, "broker"), 18);
        // with provisioned throughput stated (593 MiB/s = 621.8 MB/s, above the EBS link):
        // the EBS link binds, 8 brokers, tied with the network (disk is listed after it)
        let provisioned = KafkaPolicy {
            volume_throughput_mib_s: 593.0,
            ..big
        };
        let (lines, _) = brokers(&provisioned, 5e8);
        assert_eq!(count(&lines, "broker"), 8);
    }

    #[test]
    fn partitions_per_broker_follow_broker_size() {
        // 2,000 partitions x 3 = 6,000 replicas; kafka.m5.large hosts 1,000 -> 6 brokers,
        // kafka.m5.4xlarge 4,000 -> 2 (then RF 3)
        let p = KafkaPolicy {
            min_partitions: 2_000,
            ..derived()
        };
        let (lines, b) = brokers(&p, 1e6);
        assert_eq!(b.binding(), "partitions");
        assert_eq!(count(&lines, "broker"), 6);
        let big = KafkaPolicy {
            instance: "kafka.m5.4xlarge".into(),
            ..p
        };
        assert_eq!(count(&brokers(&big, 1e6).0, "broker"), 3);
    }
}
