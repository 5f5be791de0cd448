//! Commitments: how many instances of each line to reserve for a term, from the months the
//! term covers (and, with draws, the Monte Carlo spread of each line's count).
//!
//! Reserved rates are rows of the price tables (`pricing/aws/commitments.csv`): service
//! `<service>-reserved`, item `<instance>:<term>` (`cache.r6g.large:1yr-no-upfront`,
//! `m6i.large:1yr-standard-all-upfront`), each an effective hourly rate as the source computed
//! it (upfront amortised over the term plus the hourly fee) or USD per year. A line with no
//! row for its instance, region and term (RDS PostgreSQL, MSK...) cannot be committed: it is
//! reported as such, never given a made-up rate.
//!
//! A commitment of `c` instances is paid every hour of the term whether used or not; the
//! instances above it run on demand. Over the term's months `t` (each `H` hours, each count
//! `n_t` with weight `w` when drawn) the expected cost is
//! `sum_t w H (c r_commit + max(n_t - c, 0) r_on_demand)`; it is piecewise linear in `c`, so
//! the cheapest whole `c` is found by trying every level from 0 to the largest count.
//! Committing one more instance pays off when it is used more than `r_commit / r_on_demand`
//! of the term: the break-even utilization.

use std::collections::BTreeMap;

use serde::Serialize;

use crate::error::InputError;
use crate::input::Scenario;
use crate::plan::{self, PhasePlan};
pub use crate::pricing::reserved::{HOURS_PER_YEAR, Payment, Rate, Term, cheapest_rate, rate};
use crate::uncertainty::summary::Uncertainty;
use crate::units::round_cents;

/// One month's (or one draw's) count of a line's instances, with its probability weight
/// within the month (1 without draws).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Sample {
    pub month: u32,
    pub count: f64,
    pub weight: f64,
}

/// The term's expected cost at a commitment of `level` instances: every month pays the
/// commitment and the count above it on demand, weighted by each sample's probability.
#[must_use]
pub fn expected_cost(
    samples: &[Sample],
    level: u64,
    commit_hourly_usd: f64,
    on_demand_hourly_usd: f64,
    hours_per_month: f64,
) -> f64 {
    let c = level as f64;
    samples
        .iter()
        .map(|s| {
            s.weight
                * hours_per_month
                * (c * commit_hourly_usd + (s.count - c).max(0.0) * on_demand_hourly_usd)
        })
        .sum()
}

/// The commitment level (0 to the largest count) with the least expected cost; the lowest
/// such level on a tie.
#[must_use]
pub fn best_level(
    samples: &[Sample],
    commit_hourly_usd: f64,
    on_demand_hourly_usd: f64,
    hours_per_month: f64,
) -> u64 {
    let top = samples.iter().map(|s| s.count).fold(0.0, f64::max).ceil() as u64;
    let cost = |c| {
        expected_cost(
            samples,
            c,
            commit_hourly_usd,
            on_demand_hourly_usd,
            hours_per_month,
        )
    };
    let mut best = (0, cost(0));
    for c in 1..=top {
        let x = cost(c);
        if x < best.1 - 1e-9 {
            best = (c, x);
        }
    }
    best.0
}

/// The levels 10% below and above `level`, rounded to whole instances and at least one
/// instance away (10% of 3 rounds to nothing), never below 0: 3 -> (2, 4), 30 -> (27, 33).
#[must_use]
pub fn ten_percent_either_side(level: u64) -> (u64, u64) {
    let low = ((level as f64 * 0.9).round() as u64).min(level.saturating_sub(1));
    let high = ((level as f64 * 1.1).round() as u64).max(level + 1);
    (low, high)
}

/// A commitment level and its expected cost over the term.
#[derive(Debug, Clone, Serialize)]
pub struct LevelCost {
    pub instances: u64,
    pub term_usd: f64,
    /// Paid upfront at the start of the term (all-upfront rates).
    pub upfront_usd: f64,
}

/// One committable line (a region's part of it) and its best commitment.
#[derive(Debug, Clone, Serialize)]
pub struct LineCommitment {
    pub component: String,
    pub item: String,
    pub region: String,
    pub instance: String,
    /// The on-demand price key.
    pub price_key: String,
    /// Net on-demand hourly rate (after the line's discount).
    pub on_demand_hourly_usd: f64,
    pub rate: Rate,
    /// The fewest and most instances over the term's months.
    pub min_count: u64,
    pub max_count: u64,
    /// `r_commit / r_on_demand`: a committed instance pays off when used more than this
    /// share of the term.
    pub break_even_utilization: f64,
    /// The term all on demand.
    pub on_demand_term_usd: f64,
    pub best: LevelCost,
    /// 10% fewer and 10% more instances than `best`, rounded, and at least one instance
    /// away (see [`ten_percent_either_side`]).
    pub lower: LevelCost,
    pub higher: LevelCost,
    pub savings_usd: f64,
}

/// A line the term cannot commit, and why.
#[derive(Debug, Clone, Serialize)]
pub struct Uncommittable {
    pub component: String,
    pub item: String,
    pub region: String,
    pub instance: String,
    pub reason: String,
}

/// What `headroom commit` prints.
#[derive(Debug, Clone, Serialize)]
pub struct Commitments {
    pub scenario: String,
    pub term: String,
    pub months: u32,
    pub hours_per_month: f64,
    /// `timeline months` or `timeline months x Monte Carlo spread of N draws`.
    pub distribution: String,
    pub lines: Vec<LineCommitment>,
    pub uncommittable: Vec<Uncommittable>,
    pub on_demand_term_usd: f64,
    pub committed_term_usd: f64,
    pub upfront_usd: f64,
    pub savings_usd: f64,
    /// The scenario's support plan, whose fee is a share of each month's bill: what these
    /// commitments take off it over the term (absent without a priced support plan).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub support: Option<SupportSavings>,
}

/// What the commitments take off the support plan's fee over the term.
#[derive(Debug, Clone, Serialize)]
pub struct SupportSavings {
    pub plan: String,
    /// Sum over the term's months of fee(month's bill) - fee(month's bill - its savings).
    pub fee_savings_usd: f64,
    /// `savings_usd` + `fee_savings_usd`.
    pub total_savings_usd: f64,
}

/// A line part's identity: (component, item, region, instance, on-demand service).
type PartKey = (String, String, String, String, String);

/// Per line part: its on-demand price key, net hourly rate and count per month.
#[derive(Default)]
struct PartMonths {
    price_key: String,
    on_demand_hourly_usd: f64,
    counts: BTreeMap<u32, u64>,
}

/// Instance lines of a month billed per hour from the tables, split into their region parts.
fn collect(month: u32, phase: &PhasePlan, into: &mut BTreeMap<PartKey, PartMonths>) {
    for line in &phase.lines {
        let Some(instance) = &line.instance else {
            continue;
        };
        if !line.billed || line.unit != "hour" || line.count == 0 {
            continue;
        }
        let parts: Vec<(String, u64, f64)> = if line.price_parts.is_empty() {
            let Some(key) = &line.price_key else { continue };
            vec![(key.clone(), line.count, line.unit_price_usd)]
        } else {
            line.price_parts
                .iter()
                .map(|p| (p.price_key.clone(), p.count, p.unit_price_usd))
                .collect()
        };
        for (key, count, unit_price) in parts {
            let fields: Vec<&str> = key.split('/').collect();
            let [service, _, region] = fields[..] else {
                continue;
            };
            let entry = into
                .entry((
                    line.component.clone(),
                    line.item.clone(),
                    region.to_string(),
                    instance.clone(),
                    service.to_string(),
                ))
                .or_default();
            entry.price_key.clone_from(&key);
            entry.on_demand_hourly_usd = unit_price * line.discount_multiplier;
            *entry.counts.entry(month).or_default() += count;
        }
    }
}

/// The spread of a line's count around its planned value, from draws: (count / point
/// count, weight) at P5, P50, P90, P95 and P99. Each percentile stands for the probability
/// between the midpoints to its neighbours: 0-27.5% (P5), 27.5-70% (P50), 70-92.5% (P90),
/// 92.5-97% (P95), 97-100% (P99).
pub const SPREAD_WEIGHTS: [f64; 5] = [0.275, 0.425, 0.225, 0.045, 0.03];

/// Per (component, item): the count's ratios to the phase's planned count at P5..P99, from
/// the phase whose users are closest to `users`.
fn spreads(
    uncertainty: &Uncertainty,
    point: &[PhasePlan],
    users: u64,
) -> BTreeMap<(String, String), [f64; 5]> {
    let mut out = BTreeMap::new();
    let closest = point.iter().min_by(|a, b| {
        let d = |p: &PhasePlan| ((p.users.max(1) as f64).ln() - (users.max(1) as f64).ln()).abs();
        d(a).total_cmp(&d(b))
    });
    let Some(phase) = closest else { return out };
    let Some(drawn) = uncertainty.phases.iter().find(|p| p.name == phase.name) else {
        return out;
    };
    for l in &drawn.lines {
        let Some(planned) = phase
            .lines
            .iter()
            .find(|x| x.component == l.component && x.item == l.item)
        else {
            continue;
        };
        if planned.count == 0 {
            continue;
        }
        let n = planned.count as f64;
        let c = l.count;
        out.insert(
            (l.component.clone(), l.item.clone()),
            [c.p5 / n, c.p50 / n, c.p90 / n, c.p95 / n, c.p99 / n],
        );
    }
    out
}

/// The best commitment of every committable line over the term's months (months 0 to
/// `term.months() - 1` of the growth curve); with `drawn` (the Monte Carlo section and the
/// plan's phases), each month's count spreads as the closest phase's did over the draws.
pub fn analyse(
    scenario: &Scenario,
    term: Term,
    drawn: Option<(&Uncertainty, &[PhasePlan])>,
) -> Result<Commitments, InputError> {
    let growth = &scenario.growth;
    if growth.users_at(0.0).is_none() {
        return Err(InputError::field(
            &scenario.file,
            "growth",
            "a commitment follows the months of the term: it needs a growth curve \
             (Exponential, Logistic or Milestones), not a Ladder of phases",
        ));
    }
    use rayon::prelude::*;
    let months: Vec<(u32, PhasePlan)> = (0..term.months())
        .into_par_iter()
        .map(|m| {
            let users = (growth.users_at(f64::from(m)).unwrap_or(0.0).round() as u64).max(1);
            let mut warnings = Vec::new();
            plan::build_phase_untraced(scenario, &format!("m{m}"), users, &mut warnings)
                .map(|p| (m, p))
        })
        .collect::<Vec<_>>()
        .into_iter()
        .collect::<Result<_, _>>()?;
    let mut parts: BTreeMap<PartKey, PartMonths> = BTreeMap::new();
    for (m, phase) in &months {
        collect(*m, phase, &mut parts);
    }
    let spread_of_month: Vec<BTreeMap<(String, String), [f64; 5]>> = months
        .iter()
        .map(|(_, p)| {
            drawn
                .map(|(u, point)| spreads(u, point, p.users))
                .unwrap_or_default()
        })
        .collect();
    let hours = scenario.spec.hours_per_month;
    let mut lines = Vec::new();
    // Each month's expected savings at the chosen levels (for the support plan's fee).
    let mut month_savings = vec![0.0; months.len()];
    let mut uncommittable = Vec::new();
    for ((component, item, region, instance, service), part) in parts {
        let rate = match cheapest_rate(&scenario.prices, &service, &instance, &region, term) {
            Ok(r) => r,
            Err(reason) => {
                uncommittable.push(Uncommittable {
                    component,
                    item,
                    region,
                    instance,
                    reason,
                });
                continue;
            }
        };
        let mut samples = Vec::new();
        for (i, (m, _)) in months.iter().enumerate() {
            let n = part.counts.get(m).copied().unwrap_or(0) as f64;
            match spread_of_month[i].get(&(component.clone(), item.clone())) {
                Some(ratios) => {
                    for (r, w) in ratios.iter().zip(SPREAD_WEIGHTS) {
                        samples.push(Sample {
                            month: *m,
                            count: (n * r).round(),
                            weight: w,
                        });
                    }
                }
                None => samples.push(Sample {
                    month: *m,
                    count: n,
                    weight: 1.0,
                }),
            }
        }
        let od = part.on_demand_hourly_usd;
        let rc = rate.effective_hourly_usd;
        let best = best_level(&samples, rc, od, hours);
        for sample in &samples {
            let one = [Sample {
                weight: 1.0,
                ..*sample
            }];
            let saved =
                expected_cost(&one, 0, rc, od, hours) - expected_cost(&one, best, rc, od, hours);
            month_savings[sample.month as usize] += sample.weight * saved;
        }
        let at = |c: u64| LevelCost {
            instances: c,
            term_usd: round_cents(expected_cost(&samples, c, rc, od, hours)),
            upfront_usd: round_cents(c as f64 * rate.upfront_usd),
        };
        let on_demand_term_usd = at(0).term_usd;
        let (low, high) = ten_percent_either_side(best);
        let lower = at(low);
        let higher = at(high);
        let best = at(best);
        let counts = part.counts.values().copied();
        lines.push(LineCommitment {
            min_count: if part.counts.len() < months.len() {
                0
            } else {
                counts.clone().min().unwrap_or(0)
            },
            max_count: counts.max().unwrap_or(0),
            component,
            item,
            region,
            instance,
            price_key: part.price_key,
            on_demand_hourly_usd: od,
            break_even_utilization: if od > 0.0 { rc / od } else { 1.0 },
            savings_usd: round_cents(on_demand_term_usd - best.term_usd),
            on_demand_term_usd,
            rate,
            best,
            lower,
            higher,
        });
    }
    let sum = |f: &dyn Fn(&LineCommitment) -> f64| round_cents(lines.iter().map(f).sum());
    let savings_usd = sum(&|l| l.savings_usd);
    // The months' plans carry no support line: each month's bill is its lines.
    let support = match plan::support::resolve(scenario)? {
        plan::support::Resolved::Priced(fee) => {
            let fee_savings_usd = round_cents(
                months
                    .iter()
                    .zip(&month_savings)
                    .map(|((_, phase), saved)| {
                        fee.fee_usd(phase.monthly_usd) - fee.fee_usd(phase.monthly_usd - saved)
                    })
                    .sum(),
            );
            Some(SupportSavings {
                plan: scenario.spec.support_plan.clone().unwrap_or_default(),
                fee_savings_usd,
                total_savings_usd: round_cents(savings_usd + fee_savings_usd),
            })
        }
        plan::support::Resolved::None | plan::support::Resolved::Unpriced(_) => None,
    };
    Ok(Commitments {
        scenario: scenario.spec.name.clone(),
        term: format!("{}y", term.years),
        months: term.months(),
        hours_per_month: hours,
        distribution: match drawn {
            Some((u, _)) => format!(
                "the growth curve's months, each count spread as its closest phase's over {} draws",
                u.draws
            ),
            None => "the growth curve's months".into(),
        },
        on_demand_term_usd: sum(&|l| l.on_demand_term_usd),
        committed_term_usd: sum(&|l| l.best.term_usd),
        upfront_usd: sum(&|l| l.best.upfront_usd),
        savings_usd,
        support,
        lines,
        uncommittable,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn months(counts: &[f64]) -> Vec<Sample> {
        counts
            .iter()
            .enumerate()
            .map(|(i, &count)| Sample {
                month: i as u32,
                count,
                weight: 1.0,
            })
            .collect()
    }

    #[test]
    fn a_two_month_timeline_commits_to_what_pays_off() {
        // Two months of 730 h: 4 instances, then 10. On demand $1/h, committed $0.6/h.
        // c = 4: 2 x 730 x 4 x 0.6 + 730 x 6 x 1 = 3,504 + 4,380 = 7,884.
        // c = 5: 2 x 730 x 5 x 0.6 + 730 x 5 x 1 = 4,380 + 3,650 = 8,030 (the 5th instance
        //        is used half the term, below the 60% break-even).
        // c = 0: 730 x (4 + 10) = 10,220.
        let s = months(&[4.0, 10.0]);
        assert_eq!(best_level(&s, 0.6, 1.0, 730.0), 4);
        assert!((expected_cost(&s, 4, 0.6, 1.0, 730.0) - 7884.0).abs() < 1e-6);
        assert!((expected_cost(&s, 5, 0.6, 1.0, 730.0) - 8030.0).abs() < 1e-6);
        assert!((expected_cost(&s, 0, 0.6, 1.0, 730.0) - 10220.0).abs() < 1e-6);
        // Committed at $0.4/h (break-even 40%), instances used half the term pay off:
        // c = 10: 2 x 730 x 10 x 0.4 = 5,840 < c = 4: 2,336 + 4,380 = 6,716.
        assert_eq!(best_level(&s, 0.4, 1.0, 730.0), 10);
    }

    #[test]
    fn weighted_draws_commit_below_the_rare_peak() {
        // One month, count 10 (weight 0.9) or 20 (weight 0.1); commit $0.7/h, on demand $1/h.
        // Instances 11..20 are used with probability 0.1 < 0.7: commit 10.
        let s = [
            Sample {
                month: 0,
                count: 10.0,
                weight: 0.9,
            },
            Sample {
                month: 0,
                count: 20.0,
                weight: 0.1,
            },
        ];
        assert_eq!(best_level(&s, 0.7, 1.0, 730.0), 10);
        // 730 x (10 x 0.7 + 0.1 x 10 x 1) = 730 x 8 = 5,840.
        assert!((expected_cost(&s, 10, 0.7, 1.0, 730.0) - 5840.0).abs() < 1e-6);
    }

    #[test]
    fn ten_percent_is_at_least_one_instance() {
        assert_eq!(ten_percent_either_side(0), (0, 1));
        assert_eq!(ten_percent_either_side(3), (2, 4));
        // 0.9 x 30 = 27, 1.1 x 30 = 33.
        assert_eq!(ten_percent_either_side(30), (27, 33));
    }

    #[test]
    fn terms_outside_the_tables_are_refused() {
        assert_eq!(Term::parse("3y").unwrap().months(), 36);
        assert!(Term::parse("2y").unwrap_err().contains("`1y` or `3y`"));
    }

    #[test]
    fn spread_weights_sum_to_one() {
        assert!((SPREAD_WEIGHTS.iter().sum::<f64>() - 1.0).abs() < 1e-12);
    }

    proptest::proptest! {
        #[test]
        fn the_chosen_level_costs_no_more_than_ten_percent_either_side(
            counts in proptest::collection::vec(0u32..60, 1..24),
            commit in 0.05f64..1.2,
        ) {
            let s = months(&counts.iter().map(|&c| f64::from(c)).collect::<Vec<_>>());
            let best = best_level(&s, commit, 1.0, 730.0);
            let cost = |c| expected_cost(&s, c, commit, 1.0, 730.0);
            let (lower, higher) = ten_percent_either_side(best);
            proptest::prop_assert!(cost(best) <= cost(lower) + 1e-6);
            proptest::prop_assert!(cost(best) <= cost(higher) + 1e-6);
            proptest::prop_assert!(cost(best) <= cost(0) + 1e-6);
        }
    }
}
