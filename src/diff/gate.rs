//! The cost gate of `headroom diff --fail-above PCT|USD [--phase P]`: a CI check that fails
//! when plan B costs more than plan A by more than a threshold, in any phase or in the named
//! one, and names the lines that moved most.
//!
//! A rise is B's monthly total minus A's (after discounts). A percentage is of A's total; a
//! phase A does not have (or that costs nothing there) rises by an unbounded percentage, so
//! any increase in it fails a percentage gate. A rise equal to the threshold passes.

use serde::Serialize;

use super::{Diff, LineDelta, PhaseDelta};

/// How much of a rise the gate allows.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Threshold {
    /// Percent of A's monthly total (`10%` -> 10.0).
    Percent(f64),
    /// Dollars a month.
    Usd(f64),
}

impl Threshold {
    /// Reads `10%`, `2.5%`, `1500`, `1500usd`, `$1500` or `1,500 USD`.
    pub fn parse(text: &str) -> Result<Threshold, String> {
        let t = text.trim();
        let (number, percent) = match t.strip_suffix('%') {
            Some(n) => (n.to_string(), true),
            None => {
                let lower = t.to_ascii_lowercase();
                let n = lower.strip_suffix("usd").unwrap_or(&lower);
                let n = n.trim().strip_prefix('$').unwrap_or(n.trim());
                (n.to_string(), false)
            }
        };
        let value: f64 = number.trim().replace(',', "").parse().map_err(|_| {
            format!(
                "--fail-above `{text}`: expected a percentage (`10%`) or dollars a month (`1500` or `$1500`)"
            )
        })?;
        if !value.is_finite() || value < 0.0 {
            return Err(format!(
                "--fail-above `{text}`: the threshold must be a number >= 0"
            ));
        }
        Ok(if percent {
            Threshold::Percent(value)
        } else {
            Threshold::Usd(value)
        })
    }
}

/// Lines named as the ones that moved most, per phase.
pub const MOVED_MOST: usize = 3;

/// One phase under the gate.
#[derive(Debug, Clone, Serialize)]
pub struct PhaseVerdict {
    pub phase: String,
    pub monthly_usd_a: f64,
    pub monthly_usd_b: f64,
    pub monthly_usd_delta: f64,
    /// Relative change of the total (`null` when A is 0).
    pub monthly_change: Option<f64>,
    /// The rise is above the threshold.
    pub above: bool,
    /// The priced lines with the largest cost rises, largest first (at most [`MOVED_MOST`]).
    pub moved_most: Vec<LineDelta>,
}

/// The gate's verdict.
#[derive(Debug, Clone, Serialize)]
pub struct Gate {
    pub threshold: Threshold,
    /// The phase the gate looked at (`--phase`); `null`: every phase.
    pub phase: Option<String>,
    /// Every phase looked at, in the diff's order.
    pub phases: Vec<PhaseVerdict>,
    /// Some phase rose above the threshold (the command exits 1).
    pub failed: bool,
}

/// Whether a phase's rise is above the threshold.
fn above(p: &PhaseDelta, threshold: Threshold) -> bool {
    if p.monthly_usd_delta <= 0.0 {
        return false;
    }
    match threshold {
        Threshold::Usd(usd) => p.monthly_usd_delta > usd,
        // From nothing, any rise is an unbounded percentage.
        Threshold::Percent(pct) => p.monthly_change.is_none_or(|c| c * 100.0 > pct),
    }
}

/// Puts the gate on `diff`: every phase, or only `phase`. An unknown phase is a usage error
/// naming the phases there are.
pub fn apply(diff: &mut Diff, threshold: Threshold, phase: Option<&str>) -> Result<(), String> {
    if let Some(name) = phase
        && !diff.phases.iter().any(|p| p.phase == name)
    {
        let names: Vec<&str> = diff.phases.iter().map(|p| p.phase.as_str()).collect();
        return Err(format!(
            "--phase {name}: no such phase{}; the phases: {}",
            crate::error::did_you_mean(name, names.iter().copied()),
            names.join(", ")
        ));
    }
    let phases: Vec<PhaseVerdict> = diff
        .phases
        .iter()
        .filter(|p| phase.is_none_or(|name| p.phase == name))
        .map(|p| {
            let mut rising: Vec<&LineDelta> = p
                .lines
                .iter()
                .filter(|l| l.monthly_usd_delta > 0.0)
                .collect();
            rising.sort_by(|x, y| y.monthly_usd_delta.total_cmp(&x.monthly_usd_delta));
            PhaseVerdict {
                phase: p.phase.clone(),
                monthly_usd_a: p.monthly_usd_a,
                monthly_usd_b: p.monthly_usd_b,
                monthly_usd_delta: p.monthly_usd_delta,
                monthly_change: p.monthly_change,
                above: above(p, threshold),
                moved_most: rising.into_iter().take(MOVED_MOST).cloned().collect(),
            }
        })
        .collect();
    diff.gate = Some(Gate {
        threshold,
        phase: phase.map(str::to_string),
        failed: phases.iter().any(|p| p.above),
        phases,
    });
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::diff::{Change, SCHEMA_VERSION};

    fn line(item: &str, a: f64, b: f64) -> LineDelta {
        LineDelta {
            component: "api".into(),
            item: item.into(),
            count_a: 1,
            count_b: 1,
            count_delta: 0,
            monthly_usd_a: a,
            monthly_usd_b: b,
            monthly_usd_delta: b - a,
            unpriced_a: false,
            unpriced_b: false,
            change: Change::Changed,
        }
    }

    fn diff(a: f64, b: f64) -> Diff {
        Diff {
            schema_version: SCHEMA_VERSION,
            a: "a".into(),
            b: "b".into(),
            phases: vec![PhaseDelta {
                phase: "1M".into(),
                users_a: Some(1),
                users_b: Some(1),
                monthly_usd_a: a,
                monthly_usd_b: b,
                monthly_usd_delta: b - a,
                monthly_change: (a != 0.0).then(|| (b - a) / a),
                lines: vec![
                    line("small", 10.0, 20.0),
                    line("falls", 500.0, 400.0),
                    line("big", 100.0, 210.0),
                ],
            }],
            gate: None,
        }
    }

    #[test]
    fn reads_percentages_and_dollars() {
        assert_eq!(Threshold::parse("10%"), Ok(Threshold::Percent(10.0)));
        assert_eq!(Threshold::parse("2.5 %"), Ok(Threshold::Percent(2.5)));
        assert_eq!(Threshold::parse("1500"), Ok(Threshold::Usd(1500.0)));
        assert_eq!(Threshold::parse("$1,500"), Ok(Threshold::Usd(1500.0)));
        assert_eq!(Threshold::parse("1500 USD"), Ok(Threshold::Usd(1500.0)));
        assert!(
            Threshold::parse("ten")
                .unwrap_err()
                .contains("expected a percentage")
        );
        assert!(Threshold::parse("-5%").unwrap_err().contains(">= 0"));
    }

    #[test]
    fn a_rise_above_the_threshold_fails_and_names_the_biggest_rises() {
        // 1,000 -> 1,120: +12%, +$120
        let mut d = diff(1000.0, 1120.0);
        apply(&mut d, Threshold::Percent(10.0), None).unwrap();
        let gate = d.gate.as_ref().unwrap();
        assert!(gate.failed);
        let moved: Vec<&str> = gate.phases[0]
            .moved_most
            .iter()
            .map(|l| l.item.as_str())
            .collect();
        // +110 and +10 rise; `falls` does not
        assert_eq!(moved, ["big", "small"]);
        for (threshold, fails) in [
            (Threshold::Percent(15.0), false),
            // exactly the threshold passes
            (Threshold::Percent(12.0), false),
            (Threshold::Usd(119.99), true),
            (Threshold::Usd(120.0), false),
        ] {
            apply(&mut d, threshold, Some("1M")).unwrap();
            assert_eq!(d.gate.as_ref().unwrap().failed, fails, "{threshold:?}");
        }
    }

    #[test]
    fn a_phase_from_nothing_fails_a_percentage_and_a_fall_never_fails() {
        let mut d = diff(0.0, 5.0);
        apply(&mut d, Threshold::Percent(1000.0), None).unwrap();
        assert!(d.gate.unwrap().failed);
        let mut d = diff(1000.0, 500.0);
        apply(&mut d, Threshold::Percent(0.0), None).unwrap();
        assert!(!d.gate.unwrap().failed);
    }

    #[test]
    fn an_unknown_phase_is_named() {
        let e = apply(&mut diff(1.0, 2.0), Threshold::Usd(1.0), Some("1N")).unwrap_err();
        assert!(e.contains("--phase 1N: no such phase"), "{e}");
        assert!(e.contains("the phases: 1M"), "{e}");
    }
}
