//! Object storage: bytes per user x users x copies, split over storage classes.

use crate::input::kinds::object_storage::ObjectStoragePolicy;
use crate::sizing::{Measure, PriceKey, RegionContext, RegionLine};
use crate::trace::Trace;
use crate::units::{BYTES_PER_GB, ceil_count};

/// Sizes object storage (global), one line per storage class.
pub fn size(p: &ObjectStoragePolicy, ctx: &RegionContext<'_>, t: &mut Trace) -> Vec<RegionLine> {
    let d = &ctx.demand;
    p.classes
        .iter()
        .map(|(class, share)| {
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
        })
        .collect()
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
    }
}
