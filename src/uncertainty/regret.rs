//! Least-regret sizing: which of a few candidate sizings costs least in expectation once
//! over-provisioning and under-provisioning are both priced.
//!
//! For a candidate that provisions `c` units of a line whose need in a draw is `n`:
//!
//! ```text
//! over   = max(0, c - n) x unit_monthly_usd                 (paid for, not needed)
//! under  = max(0, n - c) x unit_monthly_usd x penalty       (needed, not there)
//! regret = sum over provisioned lines of (over + under);  candidate score = mean over draws
//! ```
//!
//! Only provisioned lines (instances billed by the hour or month) carry regret: usage-billed
//! lines (GB, requests) are paid as used and cannot be over- or under-provisioned. The mean is
//! linear, so it is the sum over lines of each line's expected over/under, which the line's
//! count histogram gives exactly: scoring is candidates x lines x distinct counts, never draws
//! x draws. Because the sum separates by line, the best count of each line is the
//! `penalty / (1 + penalty)` quantile of its need (the newsvendor critical ratio), which is
//! therefore always one of the candidates.

use crate::uncertainty::sketch::QuantileSketch;
use crate::uncertainty::summary::Candidate;

/// A line as regret sees it.
pub struct RegretLine<'a> {
    /// Monthly cost of one unit of the line (0 for usage-billed or unbilled lines).
    pub unit_monthly_usd: f64,
    /// The need per draw (the derived count's sketch).
    pub need: &'a QuantileSketch,
}

/// Scores a candidate provisioning `counts[k]` of line `k`.
#[must_use]
pub fn score(
    name: String,
    percentile: Option<f64>,
    lines: &[RegretLine<'_>],
    counts: &[u64],
    penalty: f64,
) -> Candidate {
    let mut over = 0.0;
    let mut under = 0.0;
    let mut provisioned = 0.0;
    let mut short = 0;
    for (line, &c) in lines.iter().zip(counts) {
        if line.unit_monthly_usd <= 0.0 || line.need.is_empty() {
            continue;
        }
        let c = c as f64;
        provisioned += c * line.unit_monthly_usd;
        let n = line.need.len() as f64;
        let (mut idle, mut missing, mut short_draws) = (0.0, 0.0, 0u64);
        for (need, draws) in line.need.buckets() {
            let w = draws as f64 / n;
            if c > need {
                idle += (c - need) * w;
            } else if need > c {
                missing += (need - c) * w;
                short_draws += draws;
            }
        }
        over += idle * line.unit_monthly_usd;
        under += missing * line.unit_monthly_usd * penalty;
        if short_draws as f64 > 0.1 * n {
            short += 1;
        }
    }
    Candidate {
        name,
        percentile,
        provisioned_monthly_usd: crate::units::round_cents(provisioned),
        mean_over_provision_usd: crate::units::round_cents(over),
        mean_under_provision_penalty_usd: crate::units::round_cents(under),
        mean_regret_usd: crate::units::round_cents(over + under),
        lines_short_over_10pct: short,
    }
}

/// The index of the candidate with the least mean regret (the first on ties).
#[must_use]
pub fn least(candidates: &[Candidate]) -> Option<usize> {
    candidates
        .iter()
        .enumerate()
        .min_by(|(_, a), (_, b)| a.mean_regret_usd.total_cmp(&b.mean_regret_usd))
        .map(|(i, _)| i)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn need(values: &[u64]) -> QuantileSketch {
        let mut s = QuantileSketch::for_counts();
        values.iter().for_each(|&v| s.add(v as f64));
        s
    }

    #[test]
    fn over_and_under_are_priced_by_hand() {
        // need 8, 10, 12 (one draw each); provision 10 at $100/unit, penalty 4:
        // over  = (2 + 0 + 0) / 3 x 100 = 66.67
        // under = (0 + 0 + 2) / 3 x 100 x 4 = 266.67
        let n = need(&[8, 10, 12]);
        let lines = [RegretLine {
            unit_monthly_usd: 100.0,
            need: &n,
        }];
        let c = score("P50".into(), Some(50.0), &lines, &[10], 4.0);
        assert_eq!(c.mean_over_provision_usd, 66.67);
        assert_eq!(c.mean_under_provision_penalty_usd, 266.67);
        assert_eq!(c.mean_regret_usd, 333.33);
        assert_eq!(c.provisioned_monthly_usd, 1000.0);
        assert_eq!(c.lines_short_over_10pct, 1);
    }

    #[test]
    fn the_critical_ratio_wins() {
        // Need uniform on 1..=100; penalty 4 -> critical ratio 0.8 -> 80 units is optimal:
        // regret(c) = sum_{n<c} (c-n) + 4 sum_{n>c} (n-c), minimised where P(n <= c) = 0.8.
        let n = need(&(1..=100).collect::<Vec<_>>());
        let lines = [RegretLine {
            unit_monthly_usd: 1.0,
            need: &n,
        }];
        let cands: Vec<Candidate> = [50u64, 80, 90, 99]
            .iter()
            .map(|&c| score(format!("{c}"), None, &lines, &[c], 4.0))
            .collect();
        assert_eq!(cands[least(&cands).unwrap()].name, "80");
    }

    #[test]
    fn usage_billed_lines_carry_no_regret() {
        let n = need(&[5, 500]);
        let lines = [RegretLine {
            unit_monthly_usd: 0.0,
            need: &n,
        }];
        assert_eq!(
            score("x".into(), None, &lines, &[1], 10.0).mean_regret_usd,
            0.0
        );
    }
}
