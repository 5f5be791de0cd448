//! Tiered prices: each band of the monthly quantity is billed at its own rate.
//!
//! CDN and internet egress, and S3 Standard storage, charge the first N GB at one rate, the
//! next M GB at a lower one, and so on. The boundaries are exact: 10,240 GB in the first
//! CloudFront tier is billed at $0.085 and GB 10,241 at $0.080.

use serde::Serialize;

/// One price band: quantities in [start, end) cost `price_usd` per unit.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Tier {
    /// First unit of the band.
    pub start: f64,
    /// End of the band; `None` = unbounded.
    pub end: Option<f64>,
    /// Price per unit inside the band.
    pub price_usd: f64,
}

/// How much of a quantity fell into one band, and what it cost.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TierCharge {
    /// The band's start.
    pub start: f64,
    /// The band's end (`None` = unbounded).
    pub end: Option<f64>,
    /// Units billed in this band.
    pub quantity: f64,
    /// Price per unit in this band.
    pub price_usd: f64,
    /// quantity x price.
    pub usd: f64,
}

/// The bands `quantity` falls in: each tier with the quantity inside it (positive only).
/// A NaN quantity still reaches the bill (and the plan's non-finite
/// check) instead of billing nothing.
fn bands(tiers: &[Tier], quantity: f64) -> impl Iterator<Item = (&Tier, f64)> {
    tiers
        .iter()
        .take_while(move |tier| quantity > tier.start || quantity.is_nan())
        .map(move |tier| {
            let upper = tier.end.map_or(quantity, |end| end.min(quantity));
            (tier, upper - tier.start)
        })
        .filter(|(_, in_band)| *in_band > 0.0 || in_band.is_nan())
}

/// Bills `quantity` across `tiers` (sorted, contiguous from 0, last unbounded).
///
/// Returns the total and the per-band charges that have a positive quantity.
#[must_use]
pub fn bill(tiers: &[Tier], quantity: f64) -> (f64, Vec<TierCharge>) {
    let charges: Vec<TierCharge> = bands(tiers, quantity)
        .map(|(tier, in_band)| TierCharge {
            start: tier.start,
            end: tier.end,
            quantity: in_band,
            price_usd: tier.price_usd,
            usd: in_band * tier.price_usd,
        })
        .collect();
    // Summed band by band, in order: the same float additions as [`total`].
    let total = charges.iter().fold(0.0, |sum, c| sum + c.usd);
    (total, charges)
}

/// The total of [`bill`] without the per-band breakdown (same arithmetic, no allocation).
#[must_use]
pub fn total(tiers: &[Tier], quantity: f64) -> f64 {
    bands(tiers, quantity).fold(0.0, |sum, (tier, in_band)| sum + in_band * tier.price_usd)
}

/// Checks that tiers start at 0, are contiguous, and only the last is unbounded.
pub fn check_contiguous(tiers: &[Tier]) -> Result<(), String> {
    let Some(first) = tiers.first() else {
        return Err("no tiers".into());
    };
    if first.start != 0.0 {
        return Err(format!("the first tier starts at {}, not 0", first.start));
    }
    for (i, tier) in tiers.iter().enumerate() {
        let last = i + 1 == tiers.len();
        match (tier.end, last) {
            (None, false) => {
                return Err(format!(
                    "tier starting at {} is unbounded but not last",
                    tier.start
                ));
            }
            (Some(end), true) => {
                return Err(format!("the last tier ends at {end}; it must be unbounded"));
            }
            (Some(end), false) => {
                if end <= tier.start {
                    return Err(format!("tier {}..{end} is empty or reversed", tier.start));
                }
                if tiers[i + 1].start != end {
                    return Err(format!(
                        "gap or overlap: a tier ends at {end} but the next starts at {}",
                        tiers[i + 1].start
                    ));
                }
            }
            (None, true) => {}
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// CloudFront North America, as published.
    fn cloudfront() -> Vec<Tier> {
        let bands = [
            (0.0, Some(10_240.0), 0.085),
            (10_240.0, Some(51_200.0), 0.080),
            (51_200.0, Some(153_600.0), 0.060),
            (153_600.0, Some(512_000.0), 0.040),
            (512_000.0, Some(1_048_576.0), 0.030),
            (1_048_576.0, Some(5_242_880.0), 0.025),
            (5_242_880.0, None, 0.020),
        ];
        bands
            .iter()
            .map(|&(start, end, price_usd)| Tier {
                start,
                end,
                price_usd,
            })
            .collect()
    }

    #[test]
    fn boundaries_are_exact() {
        let t = cloudfront();
        // exactly the first tier: 10,240 x 0.085 = 870.40
        assert!((bill(&t, 10_240.0).0 - 870.4).abs() < 1e-9);
        // one GB more: 870.40 + 1 x 0.080 = 870.48
        assert!((bill(&t, 10_241.0).0 - 870.48).abs() < 1e-9);
        // 100,000 GB: 10,240 x 0.085 + 40,960 x 0.080 + 48,800 x 0.060
        //   = 870.40 + 3,276.80 + 2,928.00 = 7,075.20
        let (usd, charges) = bill(&t, 100_000.0);
        assert!((usd - 7_075.2).abs() < 1e-6, "{usd}");
        assert_eq!(charges.len(), 3);
        assert!((charges[2].quantity - 48_800.0).abs() < 1e-9);
    }

    #[test]
    fn huge_quantity_reaches_last_tier() {
        // 500 PB = 5e8 GB:
        //   870.40 + 3,276.80 + 102,400 x 0.06 (6,144) + 358,400 x 0.04 (14,336)
        //   + 536,576 x 0.03 (16,097.28) + 4,194,304 x 0.025 (104,857.60)
        //   + (5e8 - 5,242,880) x 0.02 (9,895,142.40) = 10,040,724.48
        let (usd, charges) = bill(&cloudfront(), 5e8);
        assert_eq!(charges.len(), 7);
        assert!((usd - 10_040_724.48).abs() < 1e-3, "{usd}");
    }

    #[test]
    fn zero_quantity_costs_nothing() {
        assert_eq!(bill(&cloudfront(), 0.0).0, 0.0);
    }

    #[test]
    fn contiguity_checks() {
        assert!(check_contiguous(&cloudfront()).is_ok());
        let mut gap = cloudfront();
        gap[1].start = 10_000.0;
        assert!(
            check_contiguous(&gap)
                .unwrap_err()
                .contains("gap or overlap")
        );
        let mut open = cloudfront();
        open[2].end = None;
        assert!(check_contiguous(&open).is_err());
    }
}
