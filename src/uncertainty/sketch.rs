//! Mergeable quantile sketches: percentiles of many draws in memory that does not grow with
//! the number of draws, and that give the same answer whatever the order of merging.
//!
//! Values go into buckets: integers up to [`EXACT_INTEGERS`] each have their own bucket (node
//! counts are exact), everything else falls in logarithmic buckets `gamma^(i-1) < v <=
//! gamma^i` whose representative is within [`RELATIVE_ACCURACY`] of every value in it (the
//! DDSketch construction). A bucket is a counter, so merging adds counters and is exactly
//! associative and commutative: a thread split cannot change a percentile. Means use an exact
//! float sum (Shewchuk's partials, as Python's `math.fsum`), order-independent too.

use crate::uncertainty::summary::Percentiles;

/// Integers from 0 to this value are counted exactly.
pub const EXACT_INTEGERS: u64 = 1 << 11;
/// Worst relative error of a percentile that falls in a logarithmic bucket.
pub const RELATIVE_ACCURACY: f64 = 0.001;

/// `v` at the precision a logarithmic bucket has: rounded to the largest power of ten that is
/// at most `RELATIVE_ACCURACY x v` ($53,704,396.79 -> $53,700,000; 0.9539 stays 0.9539 to
/// within 0.001), so no digit finer than the sketch's error is shown. Integers of an exact
/// sketch up to [`EXACT_INTEGERS`] are exact and stay as they are.
#[must_use]
pub fn at_precision(v: f64, exact_integers: bool) -> f64 {
    if !v.is_finite() || v <= 0.0 || (exact_integers && v <= EXACT_INTEGERS as f64) {
        return v;
    }
    let step = 10f64.powf((v * RELATIVE_ACCURACY).log10().floor());
    // Divide or multiply by a whole power of ten, whichever is exact in floats, so that
    // $53,700,000 comes out as exactly that.
    if step >= 1.0 {
        (v / step).round() * step
    } else {
        let scale = (1.0 / step).round();
        (v * scale).round() / scale
    }
}

/// gamma = (1 + a) / (1 - a).
fn gamma() -> f64 {
    (1.0 + RELATIVE_ACCURACY) / (1.0 - RELATIVE_ACCURACY)
}

/// Bucket index of a positive finite value (or of an integer count, when `exact`).
fn index_of(v: f64, exact: bool, ln_gamma: f64, log_offset: i64) -> i64 {
    // Counts are integers; a stray fraction counts as the next integer (conservative).
    if exact && v <= EXACT_INTEGERS as f64 {
        return crate::units::ceil(v) as i64;
    }
    // Logarithmic buckets start after the exact integers.
    crate::units::ceil(v.ln() / ln_gamma) as i64 + log_offset
}

/// A metric value as the sketch records it: negative and non-finite values count as 0.
fn clamped(v: f64) -> f64 {
    if v.is_finite() && v > 0.0 { v } else { 0.0 }
}

/// The representative value of a bucket, and whether it is exact.
fn value_of(index: i64, exact: bool, ln_gamma: f64, log_offset: i64) -> f64 {
    if exact && index <= EXACT_INTEGERS as i64 {
        return index as f64;
    }
    let i = (index - log_offset) as f64;
    // The point of the bucket (gamma^(i-1), gamma^i] within `a` of both ends: 2 g^i / (g + 1).
    2.0 * (i * ln_gamma).exp() / (ln_gamma.exp() + 1.0)
}

/// Exact sum of floats (Shewchuk): the result does not depend on the order of additions.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ExactSum {
    partials: Vec<f64>,
}

impl ExactSum {
    /// Adds a value.
    pub fn add(&mut self, mut x: f64) {
        let mut i = 0;
        for j in 0..self.partials.len() {
            let mut y = self.partials[j];
            if x.abs() < y.abs() {
                std::mem::swap(&mut x, &mut y);
            }
            let hi = x + y;
            let lo = y - (hi - x);
            if lo != 0.0 {
                self.partials[i] = lo;
                i += 1;
            }
            x = hi;
        }
        self.partials.truncate(i);
        self.partials.push(x);
    }

    /// Adds another exact sum.
    pub fn merge(&mut self, other: &ExactSum) {
        for &p in &other.partials {
            self.add(p);
        }
    }

    /// The correctly rounded total (Python's `math.fsum` final step, half-way cases
    /// included). The exact sum has one correct rounding, so the result cannot depend on the
    /// order values were added in, nor on how the partials came to represent it.
    #[must_use]
    pub fn total(&self) -> f64 {
        let p = &self.partials;
        let Some(&top) = p.last() else {
            return 0.0;
        };
        let mut n = p.len() - 1;
        let mut hi = top;
        let mut lo = 0.0;
        while n > 0 {
            let x = hi;
            let y = p[n - 1];
            n -= 1;
            hi = x + y;
            let yr = hi - x;
            lo = y - yr;
            if lo != 0.0 {
                break;
            }
        }
        // Round half to even correctly when the rest of the partials push past the half-way
        // point.
        if n > 0 && ((lo < 0.0 && p[n - 1] < 0.0) || (lo > 0.0 && p[n - 1] > 0.0)) {
            let y = lo * 2.0;
            let x = hi + y;
            if y == x - hi {
                hi = x;
            }
        }
        hi
    }
}

/// Percentiles of one metric over draws.
#[derive(Debug, Clone)]
pub struct QuantileSketch {
    /// Integers up to [`EXACT_INTEGERS`] get their own buckets (counts); otherwise every
    /// positive value goes to a logarithmic bucket (costs: a mix would make the bucket array
    /// span from the exact range to the logarithmic one).
    exact_integers: bool,
    /// Values that were 0 (value sketches; counts keep 0 in the exact bucket 0).
    zeros: u64,
    /// Counts of buckets `offset`, `offset + 1`, ...
    counts: Vec<u32>,
    offset: i64,
    n: u64,
    min: f64,
    max: f64,
    sum: Sum,
    ln_gamma: f64,
    log_offset: i64,
}

/// The running total behind the mean, exact whatever the order of additions.
#[derive(Debug, Clone)]
enum Sum {
    /// Values that are whole multiples of `1 / scale` (counts: 1; money in cents: 100),
    /// summed as integers.
    Whole { units: i128, scale: f64 },
    /// Anything else (demand figures).
    Exact(ExactSum),
}

impl Sum {
    fn add(&mut self, v: f64) {
        match self {
            Sum::Whole { units, scale } => {
                let r = crate::units::round(v * *scale);
                // Through i64 where it fits: f64 -> i128 is a library call, f64 -> i64 one
                // instruction.
                *units += if r.abs() < 9.0e18 {
                    i128::from(r as i64)
                } else {
                    r as i128
                };
            }
            Sum::Exact(e) => e.add(v),
        }
    }

    /// Adds `v` `times` times, exactly: `v x times` split into its rounded product and the
    /// product's rounding error (an FMA gives the error exactly).
    fn add_n(&mut self, v: f64, times: u32) {
        match self {
            Sum::Whole { units, scale } => {
                let r = crate::units::round(v * *scale);
                let one = if r.abs() < 9.0e18 {
                    i128::from(r as i64)
                } else {
                    r as i128
                };
                *units += one * i128::from(times);
            }
            Sum::Exact(e) => {
                let t = f64::from(times);
                let hi = v * t;
                e.add(hi);
                e.add(v.mul_add(t, -hi));
            }
        }
    }

    fn merge(&mut self, other: &Sum) {
        match (self, other) {
            (Sum::Whole { units, .. }, Sum::Whole { units: o, .. }) => *units += o,
            (Sum::Exact(e), Sum::Exact(o)) => e.merge(o),
            // Sketches of one metric share a kind; mixing is a programming error.
            _ => debug_assert!(false, "merging sketches of different kinds"),
        }
    }

    fn total(&self) -> f64 {
        match self {
            Sum::Whole { units, scale } => *units as f64 / scale,
            Sum::Exact(e) => e.total(),
        }
    }
}

impl Default for QuantileSketch {
    fn default() -> Self {
        QuantileSketch::for_values()
    }
}

impl QuantileSketch {
    /// A sketch of integer counts: exact up to [`EXACT_INTEGERS`].
    #[must_use]
    pub fn for_counts() -> Self {
        QuantileSketch {
            exact_integers: true,
            sum: Sum::Whole {
                units: 0,
                scale: 1.0,
            },
            ..QuantileSketch::for_values()
        }
    }

    /// A sketch of money rounded to cents: logarithmic buckets, an integer sum of cents.
    #[must_use]
    pub fn for_cents() -> Self {
        QuantileSketch {
            sum: Sum::Whole {
                units: 0,
                scale: 100.0,
            },
            ..QuantileSketch::for_values()
        }
    }

    /// A sketch of values (costs, demand): logarithmic buckets.
    #[must_use]
    pub fn for_values() -> Self {
        let ln_gamma = gamma().ln();
        // First log bucket index above EXACT_INTEGERS, so that the two ranges never overlap.
        let first_log = ((EXACT_INTEGERS as f64).ln() / ln_gamma).ceil() as i64;
        QuantileSketch {
            exact_integers: false,
            zeros: 0,
            counts: Vec::new(),
            offset: 0,
            n: 0,
            min: f64::INFINITY,
            max: f64::NEG_INFINITY,
            sum: Sum::Exact(ExactSum::default()),
            ln_gamma,
            log_offset: EXACT_INTEGERS as i64 + 1 - first_log,
        }
    }
}

impl QuantileSketch {
    /// Records one value. Negative and non-finite values are clamped to 0 (metrics are counts
    /// and costs; the plan rejects non-finite costs before they get here).
    pub fn add(&mut self, v: f64) {
        let v = clamped(v);
        match self.bucket(v) {
            Some(index) => self.bump(index, 1),
            None => self.zeros += 1,
        }
        self.n += 1;
        self.min = self.min.min(v);
        self.max = self.max.max(v);
        self.sum.add(v);
    }

    /// Records `v` `times` times (a batch of draws that all gave the same value, common for
    /// counts that only change at a few draws): one bucket update instead of `times`.
    pub fn add_n(&mut self, v: f64, times: u32) {
        if times == 0 {
            return;
        }
        let v = clamped(v);
        match self.bucket(v) {
            Some(index) => self.bump(index, times),
            None => self.zeros += u64::from(times),
        }
        self.n += u64::from(times);
        self.min = self.min.min(v);
        self.max = self.max.max(v);
        self.sum.add_n(v, times);
    }

    /// Records every value of `values`, as [`QuantileSketch::add`] on each in turn would,
    /// but grows the buckets once per chunk to cover the chunk's range: growing below the
    /// lowest bucket copies them all, and a run of draws sets a new minimum several times.
    /// The buckets end up the same (they always span exactly the lowest to the highest index
    /// seen).
    pub fn add_all(&mut self, values: &[f64]) {
        const CHUNK: usize = 128;
        let mut buckets = [None; CHUNK];
        for chunk in values.chunks(CHUNK) {
            let mut low = i64::MAX;
            let mut high = i64::MIN;
            for (slot, &v) in buckets.iter_mut().zip(chunk) {
                let v = clamped(v);
                *slot = self.bucket(v);
                if let Some(index) = *slot {
                    low = low.min(index);
                    high = high.max(index);
                }
                self.n += 1;
                self.min = self.min.min(v);
                self.max = self.max.max(v);
                self.sum.add(v);
            }
            if low <= high {
                self.make_room(low, high);
                // The two ends first: the buckets then span every index of the chunk, each
                // counted in place.
                self.bump(low, 0);
                self.bump(high, 0);
            }
            let offset = self.offset;
            for &bucket in &buckets[..chunk.len()] {
                match bucket {
                    Some(index) => self.counts[(index - offset) as usize] += 1,
                    None => self.zeros += 1,
                }
            }
        }
    }

    /// The bucket of a clamped value; `None` for a value sketch's zeros, which are counted
    /// apart (logarithmic buckets cannot hold 0; count sketches keep 0 in exact bucket 0).
    fn bucket(&self, v: f64) -> Option<i64> {
        (v != 0.0 || self.exact_integers)
            .then(|| index_of(v, self.exact_integers, self.ln_gamma, self.log_offset))
    }

    /// Capacity for the buckets from `low` to `high` and the ones already there, and then
    /// some: a run's later extremes seldom pass a few times the first chunk's span, and each
    /// growth past the capacity moves the buckets to a fresh allocation (new pages to fault in,
    /// once per doubling in every sketch). Capacity is not content: the buckets still span
    /// exactly the lowest to the highest index seen.
    fn make_room(&mut self, low: i64, high: i64) {
        let (from, to) = if self.counts.is_empty() {
            (low, high)
        } else {
            let end = self.offset + self.counts.len() as i64 - 1;
            (low.min(self.offset), high.max(end))
        };
        let needed = (to - from) as usize + 1;
        if needed > self.counts.capacity() {
            const SLACK: usize = 4;
            self.counts
                .reserve_exact(SLACK * needed + 64 - self.counts.len());
        }
    }

    fn bump(&mut self, index: i64, by: u32) {
        if self.counts.is_empty() {
            self.offset = index;
            self.counts.push(0);
        }
        if index < self.offset {
            // In place: the vector's spare room (grown by doubling) takes the new buckets
            // in front, so a run of new minima does not allocate afresh each time.
            let grow = (self.offset - index) as usize;
            self.counts.splice(0..0, std::iter::repeat_n(0, grow));
            self.offset = index;
        }
        let at = (index - self.offset) as usize;
        if at >= self.counts.len() {
            self.counts.resize(at + 1, 0);
        }
        self.counts[at] += by;
    }

    /// Adds another sketch's draws.
    pub fn merge(&mut self, other: &QuantileSketch) {
        if !other.counts.is_empty() {
            // Grow once to cover both ranges, then add bucket by bucket.
            let other_end = other.offset + other.counts.len() as i64;
            if self.counts.is_empty() {
                self.offset = other.offset;
                self.counts = vec![0; other.counts.len()];
            }
            let end = self.offset + self.counts.len() as i64;
            if other.offset < self.offset {
                // One new vector for the union of both ranges, both ends at once.
                let grow = (self.offset - other.offset) as usize;
                let mut counts = vec![0; (end.max(other_end) - other.offset) as usize];
                counts[grow..grow + self.counts.len()].copy_from_slice(&self.counts);
                self.counts = counts;
                self.offset = other.offset;
            } else if other_end > end {
                self.counts.resize((other_end - self.offset) as usize, 0);
            }
            let at = (other.offset - self.offset) as usize;
            for (mine, &theirs) in self.counts[at..].iter_mut().zip(&other.counts) {
                *mine += theirs;
            }
        }
        self.zeros += other.zeros;
        self.n += other.n;
        self.min = self.min.min(other.min);
        self.max = self.max.max(other.max);
        self.sum.merge(&other.sum);
    }

    /// Number of values.
    #[must_use]
    pub fn len(&self) -> u64 {
        self.n
    }

    /// True before any value.
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.n == 0
    }

    /// The `p` quantile (0 < p <= 1) by nearest rank: the smallest recorded bucket holding at
    /// least `ceil(p n)` values; clamped to the observed minimum and maximum. For counts above
    /// [`EXACT_INTEGERS`], the bucket's upper end rounded up (see [`Self::covering`]).
    #[must_use]
    pub fn quantile(&self, p: f64) -> f64 {
        if self.exact_integers {
            // A count's percentile is a count: the bucket's upper end, whole.
            return self.covering(p);
        }
        self.quantile_bucket(p)
            .map_or(0.0, |i| {
                value_of(i, self.exact_integers, self.ln_gamma, self.log_offset)
            })
            .clamp(self.min.min(self.max), self.max.max(self.min))
    }

    /// The `p` quantile rounded up to a value no draw in its bucket exceeds: the count that
    /// covers a `p` share of the draws (for provisioning).
    #[must_use]
    pub fn covering(&self, p: f64) -> f64 {
        let Some(i) = self.quantile_bucket(p) else {
            return 0.0;
        };
        let upper = if self.exact_integers && i <= EXACT_INTEGERS as i64 {
            i as f64
        } else if self.exact_integers {
            ((i - self.log_offset) as f64 * self.ln_gamma).exp().ceil()
        } else {
            ((i - self.log_offset) as f64 * self.ln_gamma).exp()
        };
        upper.min(self.max)
    }

    fn quantile_bucket(&self, p: f64) -> Option<i64> {
        if self.n == 0 {
            return None;
        }
        let rank = ((p * self.n as f64).ceil() as u64).clamp(1, self.n);
        if rank <= self.zeros {
            return None;
        }
        let mut seen = self.zeros;
        for (k, &c) in self.counts.iter().enumerate() {
            seen += u64::from(c);
            if seen >= rank {
                return Some(self.offset + k as i64);
            }
        }
        Some(self.offset + self.counts.len() as i64 - 1)
    }

    /// Mean of the values (exact sum / n).
    #[must_use]
    pub fn mean(&self) -> f64 {
        if self.n == 0 {
            0.0
        } else {
            self.sum.total() / self.n as f64
        }
    }

    /// The report's summary: percentiles at the sketch's precision ([`at_precision`]); the
    /// mean (an exact sum), the minimum and the maximum as they are.
    #[must_use]
    pub fn percentiles(&self) -> Percentiles {
        // Rounding never leaves the observed range (all draws equal: the value itself).
        let at = |q: f64| {
            let v = at_precision(self.quantile(q), self.exact_integers);
            if self.n == 0 {
                v
            } else {
                v.clamp(self.min, self.max)
            }
        };
        Percentiles {
            mean: self.mean(),
            p5: at(0.05),
            p50: at(0.5),
            p90: at(0.9),
            p95: at(0.95),
            p99: at(0.99),
            min: if self.n == 0 { 0.0 } else { self.min },
            max: if self.n == 0 { 0.0 } else { self.max },
        }
    }

    /// The non-empty buckets as (representative value, count), in increasing order.
    pub fn buckets(&self) -> impl Iterator<Item = (f64, u64)> + '_ {
        (self.zeros > 0)
            .then_some((0.0, self.zeros))
            .into_iter()
            .chain(
                self.counts
                    .iter()
                    .enumerate()
                    .filter(|(_, c)| **c > 0)
                    .map(|(k, &c)| {
                        (
                            value_of(
                                self.offset + k as i64,
                                self.exact_integers,
                                self.ln_gamma,
                                self.log_offset,
                            )
                            .clamp(self.min, self.max),
                            u64::from(c),
                        )
                    }),
            )
    }

    /// A histogram of `bins` equal-width bins from the minimum to the maximum:
    /// (bin start, bin end, count). Bucket representatives decide the bin.
    #[must_use]
    pub fn histogram(&self, bins: usize) -> Vec<(f64, f64, u64)> {
        if self.n == 0 || bins == 0 {
            return Vec::new();
        }
        let (lo, hi) = (self.min, self.max);
        let width = (hi - lo) / bins as f64;
        if width <= 0.0 {
            return vec![(lo, hi, self.n)];
        }
        let mut out: Vec<(f64, f64, u64)> = (0..bins)
            .map(|b| (lo + b as f64 * width, lo + (b + 1) as f64 * width, 0))
            .collect();
        for (v, c) in self.buckets() {
            let b = (((v - lo) / width) as usize).min(bins - 1);
            out[b].2 += c;
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn adding_a_run_at_once_equals_adding_each_value() {
        // New minima and maxima inside a chunk and across the 128-value chunks, zeros,
        // negatives and non-finite values (clamped to 0), exact counts and log buckets.
        let mut values: Vec<f64> = (0..300)
            .map(|i| f64::from((i * 7919) % 1000) * 3.5 + 0.25)
            .collect();
        values.extend([
            0.0,
            -4.0,
            f64::NAN,
            f64::INFINITY,
            1e-3,
            5e9,
            2048.0,
            2049.0,
        ]);
        for empty in [
            QuantileSketch::for_counts(),
            QuantileSketch::for_cents(),
            QuantileSketch::for_values(),
        ] {
            let mut one_by_one = empty.clone();
            values.iter().for_each(|&v| one_by_one.add(v));
            let mut at_once = empty;
            at_once.add_all(&values);
            assert_eq!(format!("{at_once:?}"), format!("{one_by_one:?}"));
        }
    }

    #[test]
    fn integers_are_exact_and_percentiles_use_nearest_rank() {
        let mut s = QuantileSketch::for_counts();
        for v in 1..=100u32 {
            s.add(f64::from(v));
        }
        // Nearest rank: P50 of 1..100 is the 50th value, P90 the 90th, P99 the 99th.
        assert_eq!(s.quantile(0.5), 50.0);
        assert_eq!(s.quantile(0.9), 90.0);
        assert_eq!(s.quantile(0.99), 99.0);
        assert_eq!(s.quantile(0.05), 5.0);
        // mean (1 + 100) / 2 = 50.5
        assert_eq!(s.mean(), 50.5);
        assert_eq!(s.covering(0.9), 90.0);
    }

    #[test]
    fn fractional_values_are_within_the_relative_accuracy() {
        let mut s = QuantileSketch::default();
        // 10,000 values 1000.5, 1001.5, ... : P90 is the 9,000th = 1000.5 + 8999 = 9999.5
        for k in 0..10_000 {
            s.add(1000.5 + f64::from(k));
        }
        let p90 = s.quantile(0.9);
        assert!((p90 - 9999.5).abs() <= 9999.5 * RELATIVE_ACCURACY, "{p90}");
        // covering() is never below any value in the bucket.
        assert!(s.covering(0.9) >= 9999.5);
        // Large values too: 1e15 x (1 + small)
        let mut big = QuantileSketch::default();
        big.add(1.234_567e15);
        assert!((big.quantile(0.5) - 1.234_567e15).abs() <= 1.234_567e15 * 1e-12);
    }

    #[test]
    fn merging_in_any_order_gives_the_same_sketch() {
        let values: Vec<f64> = (0..5000)
            .map(|k| (f64::from(k) * 7.31).sin().abs() * 1e6)
            .collect();
        let mut whole = QuantileSketch::default();
        for &v in &values {
            whole.add(v);
        }
        let mut parts: Vec<QuantileSketch> = values
            .chunks(333)
            .map(|c| {
                let mut s = QuantileSketch::default();
                c.iter().for_each(|&v| s.add(v));
                s
            })
            .collect();
        parts.reverse();
        let mut merged = QuantileSketch::default();
        for p in &parts {
            merged.merge(p);
        }
        assert_eq!(whole.percentiles(), merged.percentiles());
    }

    #[test]
    fn percentiles_are_rounded_to_the_sketchs_precision() {
        // 0.1% of 53,704,396.79 is 53,704: the step is 10,000.
        assert_eq!(at_precision(53_704_396.79, false), 53_700_000.0);
        // 0.1% of 18,564.43 is 18.56: the step is 10.
        assert_eq!(at_precision(18_564.43, false), 18_560.0);
        // 0.1% of 0.95391 is 0.00095: the step is 0.0001.
        assert_eq!(at_precision(0.953_91, false), 0.9539);
        // exact integers stay; above EXACT_INTEGERS, 0.1% of 12,345 is 12.3: step 10
        assert_eq!(at_precision(1_999.0, true), 1_999.0);
        assert_eq!(at_precision(12_345.0, true), 12_350.0);
        assert_eq!(at_precision(0.0, false), 0.0);
        // A sketch's percentile is its rounded quantile, within the accuracy of the value.
        let mut s = QuantileSketch::for_values();
        for i in 1..=10_000 {
            s.add(f64::from(i) * 1_000.37);
        }
        let p = s.percentiles();
        assert_eq!(p.p90, at_precision(s.quantile(0.9), false));
        assert!((p.p90 - 9_000.0 * 1_000.37).abs() <= 2.0 * RELATIVE_ACCURACY * p.p90);
        assert_eq!(p.p90 % 1_000.0, 0.0, "{}", p.p90);
    }

    #[test]
    fn adding_a_run_equals_adding_each_value() {
        for kind in 0..3 {
            let new = || match kind {
                0 => QuantileSketch::for_counts(),
                1 => QuantileSketch::for_cents(),
                _ => QuantileSketch::for_values(),
            };
            let (mut one_by_one, mut as_run) = (new(), new());
            for v in [0.1, 3.0, 1234.56, 0.0, 7e12] {
                for _ in 0..37 {
                    one_by_one.add(v);
                }
                as_run.add_n(v, 37);
            }
            assert_eq!(
                one_by_one.percentiles(),
                as_run.percentiles(),
                "kind {kind}"
            );
            assert_eq!(one_by_one.len(), as_run.len());
        }
    }

    #[test]
    fn exact_sum_is_order_independent() {
        let mut a = ExactSum::default();
        let mut b = ExactSum::default();
        let xs = [1e16, 1.0, -1e16, 3.0, 1e-3, 0.1, 0.2];
        xs.iter().for_each(|&x| a.add(x));
        xs.iter().rev().for_each(|&x| b.add(x));
        // 1 + 3 + 0.001 + 0.1 + 0.2 = 4.301 (naive left-to-right summation loses the 1)
        assert_eq!(a.total(), b.total());
        assert!((a.total() - 4.301).abs() < 1e-12);
    }

    #[test]
    fn histogram_counts_every_value() {
        let mut s = QuantileSketch::for_counts();
        for v in 0..10u32 {
            s.add(f64::from(v));
        }
        let h = s.histogram(5);
        assert_eq!(h.len(), 5);
        // bins of width 9/5 = 1.8: [0,1.8) holds 0,1; [1.8,3.6) 2,3; ... each 2
        assert!(h.iter().all(|b| b.2 == 2), "{h:?}");
    }

    #[test]
    fn empty_and_degenerate_sketches() {
        let s = QuantileSketch::default();
        assert_eq!(s.quantile(0.5), 0.0);
        assert_eq!(s.mean(), 0.0);
        let mut z = QuantileSketch::for_values();
        z.add(0.0);
        z.add(f64::NAN);
        assert_eq!(z.quantile(0.99), 0.0);
        assert_eq!(z.len(), 2);
    }
}
