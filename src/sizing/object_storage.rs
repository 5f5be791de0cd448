//! Object storage: bytes per user x users x copies, split over storage classes.

use crate::input::kinds::object_storage::ObjectStoragePolicy;
use crate::sizing::{Measure, PriceKey, RegionContext, RegionLine, region_lines};
use crate::trace::Trace;
use crate::units::{BYTES_PER_GB, ceil_count};

/// Sizes object storage (global), one line per storage class, then its requests.
pub fn size(p: &ObjectStoragePolicy, ctx: &RegionContext<'_>, t: &mut Trace) -> Vec<RegionLine> {
    let mut lines = region_lines();
    storage(p, ctx, t, &mut lines);
    requests(p, ctx, t, &mut lines);
    lines
}

/// The stored GB of each storage class.
fn storage(
    p: &ObjectStoragePolicy,
    ctx: &RegionContext<'_>,
    t: &mut Trace,
    lines: &mut Vec<RegionLine>,
) {
    let d = &ctx.demand;
    lines.extend(p.classes.iter().map(|(class, share)| {
        let step = t.text(|| format!("{class}_gb"));
        let gb = t.count(
            &step,
            "ceil(object_storage_bytes x share x copies / 1e9)",
            &[
                ("object_storage_bytes", d.object_storage_bytes, "B"),
                ("share", *share, "fraction"),
                ("copies", p.copies as f64, "copies"),
            ],
            ceil_count(d.object_storage_bytes * share * p.copies as f64 / BYTES_PER_GB),
            "GB",
        );
        RegionLine::billed(
            class,
            gb,
            Measure::Gb,
            PriceKey::new(&p.service, class, ctx.pricing_region),
        )
        .from_step(&step)
    }));
}

/// Requests: writes of every stored object (one copy: replication is not a client write) at
/// the PUT price, and reads of the origin on CDN misses at the GET price. Each line only
/// where its input is set.
fn requests(
    p: &ObjectStoragePolicy,
    ctx: &RegionContext<'_>,
    t: &mut Trace,
    lines: &mut Vec<RegionLine>,
) {
    let d = &ctx.demand;
    if p.object_bytes > 0.0 && p.writes_per_object_per_month > 0.0 {
        let puts = t.count(
            "put_requests",
            "ceil(object_storage_bytes / object_bytes x writes_per_object_per_month)",
            &[
                ("object_storage_bytes", d.object_storage_bytes, "B"),
                ("object_bytes", p.object_bytes, "B"),
                (
                    "writes_per_object_per_month",
                    p.writes_per_object_per_month,
                    "writes/month",
                ),
            ],
            ceil_count(d.object_storage_bytes / p.object_bytes * p.writes_per_object_per_month),
            "requests",
        );
        lines.push(
            RegionLine::billed(
                "put-requests",
                puts,
                Measure::Requests,
                PriceKey::new(&p.requests_service, "put", ctx.pricing_region),
            )
            .from_step("put_requests"),
        );
    }
    if p.reads_per_cdn_miss > 0.0 {
        let gets = t.count(
            "get_requests",
            "ceil(cdn_miss_requests_per_month x reads_per_cdn_miss)",
            &[
                (
                    "cdn_miss_requests_per_month",
                    d.cdn_miss_requests_per_month,
                    "requests/month",
                ),
                ("reads_per_cdn_miss", p.reads_per_cdn_miss, "reads"),
            ],
            ceil_count(d.cdn_miss_requests_per_month * p.reads_per_cdn_miss),
            "requests",
        );
        lines.push(
            RegionLine::billed(
                "get-requests",
                gets,
                Measure::Requests,
                PriceKey::new(&p.requests_service, "get", ctx.pricing_region),
            )
            .from_step("get_requests"),
        );
    }
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;

    use super::*;
    use crate::demand::Demand;
    use crate::sizing::test_support::{count, with_ctx};

    #[test]
    fn classes_and_copies() {
        let p = ObjectStoragePolicy {
            service: "s3-storage".into(),
            classes: BTreeMap::from([("standard".into(), 0.2), ("glacier-instant".into(), 0.8)]),
            copies: 2,
            object_bytes: 0.0,
            writes_per_object_per_month: 0.0,
            reads_per_cdn_miss: 0.0,
            requests_service: "s3-requests".into(),
        };
        let demand = Demand {
            object_storage_bytes: 1e15,
            ..Demand::default()
        };
        let lines = with_ctx(demand, &crate::sizing::SizedComponents::default(), |ctx| {
            size(&p, ctx, &mut Trace::new())
        });
        // 1e15 B x 0.2 x 2 copies / 1e9 = 400,000 GB; x 0.8 x 2 = 1,600,000 GB
        assert_eq!(count(&lines, "standard"), 400_000);
        assert_eq!(count(&lines, "glacier-instant"), 1_600_000);
        // no object size, no reads per miss: no request lines
        assert_eq!(lines.len(), 2);
    }

    #[test]
    fn writes_per_object_and_reads_per_cdn_miss() {
        let p = ObjectStoragePolicy {
            service: "s3-storage".into(),
            classes: BTreeMap::from([("standard".into(), 1.0)]),
            copies: 2,
            object_bytes: 5e5,
            writes_per_object_per_month: 0.5,
            reads_per_cdn_miss: 1.0,
            requests_service: "s3-requests".into(),
        };
        let demand = Demand {
            object_storage_bytes: 1e15,
            cdn_miss_requests_per_month: 3.5e9,
            ..Demand::default()
        };
        let lines = with_ctx(demand, &crate::sizing::SizedComponents::default(), |ctx| {
            size(&p, ctx, &mut Trace::new())
        });
        // 1e15 B / 5e5 B = 2e9 objects x 0.5 writes/month = 1e9 PUTs (copies are not writes)
        assert_eq!(count(&lines, "put-requests"), 1_000_000_000);
        // 3.5e9 misses x 1 read = 3.5e9 GETs
        assert_eq!(count(&lines, "get-requests"), 3_500_000_000);
        let put = lines.iter().find(|l| l.item == "put-requests").unwrap();
        assert_eq!(put.price.as_ref().unwrap().item, "put");
        assert_eq!(put.measure, Measure::Requests);
        // switched off one by one: 0 removes exactly its line
        for (off, gone) in [
            (
                ObjectStoragePolicy {
                    writes_per_object_per_month: 0.0,
                    ..p.clone()
                },
                "put-requests",
            ),
            (
                ObjectStoragePolicy {
                    reads_per_cdn_miss: 0.0,
                    ..p.clone()
                },
                "get-requests",
            ),
        ] {
            let lines = with_ctx(demand, &crate::sizing::SizedComponents::default(), |ctx| {
                size(&off, ctx, &mut Trace::new())
            });
            assert_eq!(lines.len(), 2);
            assert!(lines.iter().all(|l| l.item != gone));
        }
    }
}
