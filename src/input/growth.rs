//! The growth model (`models/growth/*.ron`): which user counts to plan for, and when.
//!
//! A ladder is a fixed list of phases. A curve (exponential, logistic, or milestones
//! interpolated log-linearly) also says how users grow month by month, for
//! `headroom timeline`; its `phases` (default: 10K to 10B by powers of ten) are what
//! `headroom plan` sizes.

use std::path::Path;

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::error::InputError;
use crate::input::check::Check;

/// The most users headroom plans for; beyond it f64 demand loses integer precision.
pub const MAX_USERS: u64 = 1_000_000_000_000_000;

/// One growth phase: a name and the registered users at that phase.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Phase {
    /// Short label used in tables, pins and file names ("10K", "1B").
    pub name: String,
    /// Registered users (accounts) at this phase.
    pub users: u64,
}

/// A known user count at a month (for `Milestones`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Milestone {
    /// Months after the start.
    pub month: f64,
    /// Registered users then.
    pub users: f64,
}

/// A growth model.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub enum Growth {
    /// A fixed ladder of phases, smallest first.
    Ladder {
        /// The phases, in increasing user count.
        phases: Vec<Phase>,
    },
    /// users(m) = start_users x (1 + annual_growth_rate)^(m / 12).
    Exponential {
        start_users: f64,
        /// 1.0 = doubling every year.
        annual_growth_rate: f64,
        /// First month's label, `YYYY-MM` (for tables); months are numbered otherwise.
        #[serde(default)]
        start: Option<String>,
        /// Phases to plan (default: 10K..10B).
        #[serde(default = "default_phases")]
        phases: Vec<Phase>,
    },
    /// users(m) = carrying_capacity / (1 + exp(-steepness_per_month x (m - midpoint_month))).
    Logistic {
        carrying_capacity: f64,
        midpoint_month: f64,
        steepness_per_month: f64,
        #[serde(default)]
        start: Option<String>,
        #[serde(default = "default_phases")]
        phases: Vec<Phase>,
    },
    /// Known user counts at months, interpolated log-linearly (constant growth rate between
    /// two milestones); flat after the last.
    Milestones {
        points: Vec<Milestone>,
        #[serde(default)]
        start: Option<String>,
        #[serde(default = "default_phases")]
        phases: Vec<Phase>,
    },
}

/// 10K to 10B by powers of ten: the default phases of a curve.
#[must_use]
pub fn default_phases() -> Vec<Phase> {
    [
        ("10K", 10_000u64),
        ("100K", 100_000),
        ("1M", 1_000_000),
        ("10M", 10_000_000),
    ]
    .into_iter()
    .chain([
        ("100M", 100_000_000),
        ("1B", 1_000_000_000),
        ("10B", 10_000_000_000),
    ])
    .map(|(name, users)| Phase {
        name: name.to_string(),
        users,
    })
    .collect()
}

impl Growth {
    /// The phases to plan.
    #[must_use]
    pub fn phases(&self) -> &[Phase] {
        match self {
            Growth::Ladder { phases }
            | Growth::Exponential { phases, .. }
            | Growth::Logistic { phases, .. }
            | Growth::Milestones { phases, .. } => phases,
        }
    }

    /// Replaces the phases (for a single-phase run).
    pub fn set_phases(&mut self, new: Vec<Phase>) {
        match self {
            Growth::Ladder { phases }
            | Growth::Exponential { phases, .. }
            | Growth::Logistic { phases, .. }
            | Growth::Milestones { phases, .. } => *phases = new,
        }
    }

    /// The label of month 0 (`YYYY-MM`), if the curve has one.
    #[must_use]
    pub fn start(&self) -> Option<&str> {
        match self {
            Growth::Ladder { .. } => None,
            Growth::Exponential { start, .. }
            | Growth::Logistic { start, .. }
            | Growth::Milestones { start, .. } => start.as_deref(),
        }
    }

    /// Users at `month` months after the start, or `None` for a ladder (no time axis).
    #[must_use]
    pub fn users_at(&self, month: f64) -> Option<f64> {
        match self {
            Growth::Ladder { .. } => None,
            Growth::Exponential {
                start_users,
                annual_growth_rate,
                ..
            } => Some(start_users * (1.0 + annual_growth_rate).powf(month / 12.0)),
            Growth::Logistic {
                carrying_capacity,
                midpoint_month,
                steepness_per_month,
                ..
            } => Some(
                carrying_capacity / (1.0 + (-steepness_per_month * (month - midpoint_month)).exp()),
            ),
            Growth::Milestones { points, .. } => {
                let first = points.first()?;
                if month <= first.month {
                    return Some(first.users);
                }
                for pair in points.windows(2) {
                    let (a, b) = (&pair[0], &pair[1]);
                    if month <= b.month {
                        let t = (month - a.month) / (b.month - a.month);
                        return Some((a.users.ln() + t * (b.users.ln() - a.users.ln())).exp());
                    }
                }
                points.last().map(|p| p.users)
            }
        }
    }

    /// The most users the curve ever reaches: a logistic curve's carrying capacity (approached,
    /// never passed), the largest milestone (the curve stays flat after the last). `None` for
    /// a ladder (no curve) and an exponential curve (no bound).
    #[must_use]
    pub fn reach(&self) -> Option<f64> {
        match self {
            Growth::Ladder { .. } | Growth::Exponential { .. } => None,
            Growth::Logistic {
                carrying_capacity, ..
            } => Some(*carrying_capacity),
            Growth::Milestones { points, .. } => points.iter().map(|p| p.users).reduce(f64::max),
        }
    }

    /// Checks the model.
    pub fn validate(&self, file: &Path, prefix: &str) -> Result<(), InputError> {
        crate::input::limits::check_growth(file, prefix, self)?;
        let top = Check::new(file, prefix);
        match self {
            Growth::Ladder { .. } => {}
            Growth::Exponential {
                start_users,
                annual_growth_rate,
                start,
                ..
            } => {
                top.positive("start_users", *start_users)?;
                top.at_least("annual_growth_rate", *annual_growth_rate, -0.99)?;
                check_start(&top, start.as_deref())?;
            }
            Growth::Logistic {
                carrying_capacity,
                midpoint_month,
                steepness_per_month,
                start,
                ..
            } => {
                top.positive("carrying_capacity", *carrying_capacity)?;
                top.non_negative("midpoint_month", *midpoint_month)?;
                top.positive("steepness_per_month", *steepness_per_month)?;
                check_start(&top, start.as_deref())?;
            }
            Growth::Milestones { points, start, .. } => {
                if points.is_empty() {
                    return Err(top.error("points", "needs at least one milestone"));
                }
                let pc = top.nested("points");
                for (i, p) in points.iter().enumerate() {
                    let c = pc.nested(&format!("[{i}]"));
                    c.non_negative("month", p.month)?;
                    c.positive("users", p.users)?;
                    if i > 0 && p.month <= points[i - 1].month {
                        return Err(c.error("month", "milestones must be in increasing months"));
                    }
                }
                check_start(&top, start.as_deref())?;
            }
        }
        let c = top.nested("phases");
        let phases = self.phases();
        if phases.is_empty() {
            return Err(top.error("phases", "needs at least one phase"));
        }
        for (i, phase) in phases.iter().enumerate() {
            let pc = c.nested(&format!("[{i}]"));
            pc.name("name", &phase.name)?;
            if phase.users == 0 || phase.users > MAX_USERS {
                return Err(pc.error(
                    "users",
                    format!("must be between 1 and {MAX_USERS}, got {}", phase.users),
                ));
            }
            if let Some(dup) = phases[..i].iter().find(|p| p.name == phase.name) {
                return Err(pc.error("name", format!("phase `{}` is named twice", dup.name)));
            }
            if i > 0 && phase.users <= phases[i - 1].users {
                return Err(pc.error(
                    "users",
                    format!(
                        "phases must grow: {} is not above the previous phase's {}",
                        phase.users,
                        phases[i - 1].users
                    ),
                ));
            }
        }
        Ok(())
    }
}

fn check_start(c: &Check<'_>, start: Option<&str>) -> Result<(), InputError> {
    if let Some(s) = start
        && month_label(s, 0).is_none()
    {
        return Err(c.error("start", format!("`{s}` is not a YYYY-MM month")));
    }
    Ok(())
}

/// The label `YYYY-MM` of `offset` months after `start` (`YYYY-MM`).
#[must_use]
pub fn month_label(start: &str, offset: u32) -> Option<String> {
    let (y, m) = start.split_once('-')?;
    if y.len() != 4 || m.len() != 2 {
        return None;
    }
    let (y, m): (u32, u32) = (y.parse().ok()?, m.parse().ok()?);
    if !(1..=12).contains(&m) {
        return None;
    }
    let total = y * 12 + (m - 1) + offset;
    Some(format!("{:04}-{:02}", total / 12, total % 12 + 1))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn exponential_doubles_yearly() {
        let g = Growth::Exponential {
            start_users: 1e6,
            annual_growth_rate: 1.0,
            start: None,
            phases: default_phases(),
        };
        // 1e6 x 2^(24/12) = 4e6
        assert!((g.users_at(24.0).unwrap() - 4e6).abs() < 1e-6);
    }

    #[test]
    fn logistic_is_half_capacity_at_midpoint() {
        let g = Growth::Logistic {
            carrying_capacity: 1e10,
            midpoint_month: 30.0,
            steepness_per_month: 0.2,
            start: None,
            phases: default_phases(),
        };
        assert!((g.users_at(30.0).unwrap() - 5e9).abs() < 1.0);
    }

    #[test]
    fn milestones_interpolate_log_linearly() {
        // seed 003: 100M at year 1, 500M at year 2 ...: halfway (month 18) is the geometric
        // mean sqrt(1e8 x 5e8) = 2.236e8, not the arithmetic 3e8
        let g = Growth::Milestones {
            points: vec![
                Milestone {
                    month: 12.0,
                    users: 1e8,
                },
                Milestone {
                    month: 24.0,
                    users: 5e8,
                },
            ],
            start: None,
            phases: default_phases(),
        };
        assert!((g.users_at(18.0).unwrap() - (1e8f64 * 5e8).sqrt()).abs() < 1.0);
        assert_eq!(g.users_at(0.0).unwrap(), 1e8);
        assert_eq!(g.users_at(99.0).unwrap(), 5e8);
        // flat after the last milestone: it reaches 5e8 and no more
        assert_eq!(g.reach(), Some(5e8));
    }

    #[test]
    fn reach_is_the_capacity_or_none_without_a_bound() {
        let logistic = Growth::Logistic {
            carrying_capacity: 2e9,
            midpoint_month: 30.0,
            steepness_per_month: 0.2,
            start: None,
            phases: default_phases(),
        };
        assert_eq!(logistic.reach(), Some(2e9));
        let exponential = Growth::Exponential {
            start_users: 1e4,
            annual_growth_rate: 1.0,
            start: None,
            phases: default_phases(),
        };
        assert_eq!(exponential.reach(), None);
        let ladder = Growth::Ladder {
            phases: default_phases(),
        };
        assert_eq!(ladder.reach(), None);
    }

    #[test]
    fn month_labels() {
        assert_eq!(month_label("2026-11", 0).unwrap(), "2026-11");
        assert_eq!(month_label("2026-11", 2).unwrap(), "2027-01");
        assert_eq!(month_label("2026-11", 14).unwrap(), "2028-01");
        assert!(month_label("2026-13", 0).is_none());
    }
}
