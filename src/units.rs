//! Units and the conversions between them, in one place.
//!
//! headroom uses decimal units for data (1 GB = 1e9 bytes, 1 MB = 1e6 bytes), because cloud
//! bills and transfer figures are decimal; instance memory is binary (GiB), because that is
//! how vendors publish it. Months are `hours_per_month` long (730 by default, the AWS
//! calculator's and Infracost's convention); a scenario may choose another basis.

/// Bytes in a decimal gigabyte.
pub const BYTES_PER_GB: f64 = 1e9;
/// Bytes in a decimal megabyte.
pub const BYTES_PER_MB: f64 = 1e6;
/// Bytes in a binary gibibyte (instance and node memory).
pub const BYTES_PER_GIB: f64 = 1_073_741_824.0;
/// Bytes in one MiB.
pub const BYTES_PER_MIB: f64 = 1_048_576.0;
/// Seconds in a day.
pub const SECONDS_PER_DAY: f64 = 86_400.0;
/// Seconds in an hour.
pub const SECONDS_PER_HOUR: f64 = 3_600.0;
/// Hours in a day.
pub const HOURS_PER_DAY: f64 = 24.0;
/// The default month: 730 hours (8,760 hours a year / 12).
pub const DEFAULT_HOURS_PER_MONTH: f64 = 730.0;

/// Days in a month of `hours_per_month` hours (730 h -> 30.4167 days).
#[must_use]
pub fn days_per_month(hours_per_month: f64) -> f64 {
    hours_per_month / HOURS_PER_DAY
}

/// Seconds in a month of `hours_per_month` hours.
#[must_use]
pub fn seconds_per_month(hours_per_month: f64) -> f64 {
    hours_per_month * SECONDS_PER_HOUR
}

/// Relative tolerance under which a computed value counts as the integer next to it.
///
/// Inputs are decimal (0.1, 1e-3) and f64 arithmetic adds noise in the last bits: 1e10 users
/// over 1e7 users per shard must give 1,000 shards, not 1,001 because the quotient came out
/// as 1000.0000000000001.
const INTEGER_SNAP: f64 = 1e-9;

/// The smallest integer count >= `x`, with float noise just above an integer ignored.
///
/// Negative and NaN inputs give 0; callers validate their inputs, so those only arise from a
/// zero demand.
#[must_use]
pub fn ceil_count(x: f64) -> u64 {
    if x.is_nan() || x <= 0.0 {
        return 0;
    }
    let nearest = round(x);
    let snapped = if (x - nearest).abs() <= INTEGER_SNAP * x.abs().max(1.0) {
        nearest
    } else {
        ceil(x)
    };
    // Saturate rather than wrap: counts this large are rejected by the plan's sanity checks.
    if snapped >= u64::MAX as f64 {
        u64::MAX
    } else {
        snapped as u64
    }
}

/// Rounds a money amount to whole cents, the precision of a bill.
#[must_use]
pub fn round_cents(usd: f64) -> f64 {
    round(usd * 100.0) / 100.0
}

/// Significant digits a derived rate (a blended or mean unit price) keeps: far more than any
/// published price has, few enough to drop the float noise of a division
/// ((0.899 + 1.007 + 1.079) / 3 = 0.9949999999999999 -> 0.995).
const RATE_DIGITS: i32 = 12;

/// Rounds a derived rate to [`RATE_DIGITS`] significant digits.
#[must_use]
pub fn round_rate(rate: f64) -> f64 {
    if rate == 0.0 || !rate.is_finite() {
        return rate;
    }
    let scale = 10f64.powi(RATE_DIGITS - rate.abs().log10().ceil() as i32);
    round(rate * scale) / scale
}

/// Below this magnitude every f64 step is finer than 1, so an integer conversion rounds
/// exactly like `f64::round`/`f64::ceil`.
const EXACT_INTEGER_RANGE: f64 = 4_503_599_627_370_496.0; // 2^52

/// `x.round()` (half away from zero), without the libm call the baseline x86-64 target makes
/// for it: sizing and pricing round every line of every phase of every Monte Carlo draw.
#[must_use]
#[inline]
pub fn round(x: f64) -> f64 {
    if x.abs() < EXACT_INTEGER_RANGE {
        // The integer part, then the fraction (exact: x and its integer part share the
        // exponent's precision) decides the direction.
        let t = x.trunc_fast();
        let frac = x - t;
        let r = if frac >= 0.5 {
            t + 1.0
        } else if frac <= -0.5 {
            t - 1.0
        } else {
            t
        };
        // Same sign of zero as `f64::round` (-0.3 -> -0.0).
        r.copysign(x)
    } else {
        x.round()
    }
}

/// `x.ceil()` without the libm call (see [`round`]).
#[must_use]
#[inline]
pub fn ceil(x: f64) -> f64 {
    if x.abs() < EXACT_INTEGER_RANGE {
        let t = x.trunc_fast();
        let c = if t < x { t + 1.0 } else { t };
        c.copysign(x)
    } else {
        x.ceil()
    }
}

trait TruncFast {
    fn trunc_fast(self) -> f64;
}

impl TruncFast for f64 {
    /// Truncation toward zero through an integer conversion (one instruction); callers keep
    /// |x| < 2^52. `-0.0` comes back as `0.0`, which compares equal.
    #[inline]
    fn trunc_fast(self) -> f64 {
        self as i64 as f64
    }
}

/// A count with thousands separators: 1234567 -> "1,234,567" (for messages of every layer;
/// the renderers' `format::thousands` is this).
#[must_use]
pub fn group_thousands(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// Dollars with cents and separators: 14016.0 -> "$14,016.00" (for messages of every layer;
/// the renderers' `format::usd` is this).
#[must_use]
pub fn usd_text(amount: f64) -> String {
    let cents = (amount * 100.0).round();
    let negative = cents < 0.0;
    let cents = cents.abs() as u64;
    format!(
        "{}${}.{:02}",
        if negative { "-" } else { "" },
        group_thousands(cents / 100),
        cents % 100
    )
}

/// The smallest power of two >= `n` (1 for 0).
#[must_use]
pub fn next_power_of_two(n: u64) -> u64 {
    n.max(1).checked_next_power_of_two().unwrap_or(u64::MAX)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fast_round_and_ceil_match_std_bit_for_bit() {
        let mut x = 0x9e37_79b9_7f4a_7c15u64;
        let mut values = vec![
            0.0,
            -0.0,
            0.5,
            -0.5,
            1.5,
            -1.5,
            2.5,
            0.49999999999999994,
            -0.49999999999999994,
            4_503_599_627_370_495.5,
            4_503_599_627_370_496.0,
            1e300,
            -1e300,
            0.3,
            -0.3,
            f64::NAN,
            f64::INFINITY,
            f64::NEG_INFINITY,
            123_456.789,
            -7.000_000_000_000_001,
        ];
        for _ in 0..200_000 {
            // xorshift: values across magnitudes, signs and fractions
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            let mantissa = (x >> 11) as f64 / (1u64 << 53) as f64;
            let scale = 10f64.powi((x % 40) as i32 - 20);
            let sign = if x & 1 == 0 { 1.0 } else { -1.0 };
            values.push(sign * mantissa * scale);
            values.push(sign * (mantissa * 1000.0).floor() / 2.0);
        }
        for v in values {
            assert_eq!(round(v).to_bits(), v.round().to_bits(), "round({v:e})");
            assert_eq!(ceil(v).to_bits(), v.ceil().to_bits(), "ceil({v:e})");
        }
    }

    #[test]
    fn ceil_count_ignores_float_noise_but_not_real_fractions() {
        // 1e10 / 1e7 = 1000 exactly in decimal; f64 may land a hair above.
        assert_eq!(ceil_count(1_000.000_000_000_1), 1000);
        assert_eq!(ceil_count(1000.001), 1001);
        assert_eq!(ceil_count(0.2), 1);
        assert_eq!(ceil_count(0.0), 0);
        assert_eq!(ceil_count(-3.0), 0);
        assert_eq!(ceil_count(f64::NAN), 0);
        // 0.1 + 0.2 = 0.30000000000000004, times 10 -> 3.0000000000000004 -> 3
        assert_eq!(ceil_count((0.1 + 0.2) * 10.0), 3);
    }

    #[test]
    fn month_conversions() {
        // 730 h / 24 = 30.416666... days; 730 h x 3600 = 2,628,000 s
        assert!((days_per_month(730.0) - 30.416_666_666_666_668).abs() < 1e-12);
        assert!((seconds_per_month(730.0) - 2_628_000.0).abs() < 1e-9);
    }

    #[test]
    fn rounding_helpers() {
        // 0.384 x 730 x 50 carries float noise; a bill shows 14016.00
        assert_eq!(round_cents(0.384 * 730.0 * 50.0), 14_016.0);
        assert_eq!(next_power_of_two(1000), 1024);
        assert_eq!(next_power_of_two(1024), 1024);
        assert_eq!(next_power_of_two(0), 1);
    }

    #[test]
    fn derived_rates_keep_twelve_significant_digits() {
        // the mean of three regions' prices, and a blend of tiers with a repeating decimal
        assert_eq!(round_rate((0.899 + 1.007 + 1.079) / 3.0), 0.995);
        assert_eq!(round_rate(0.556 / 3.0), 0.185_333_333_333);
        // a published price survives untouched, whatever its magnitude
        assert_eq!(round_rate(0.059_247), 0.059_247);
        assert_eq!(round_rate(1_234.567_8), 1_234.567_8);
        assert_eq!(round_rate(0.0), 0.0);
    }
}
