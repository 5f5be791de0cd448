//! `headroom diff`: two plans side by side, per phase and per line, biggest cost change first.
//!
//! The plans come from two scenarios, or from one scenario under two sets of `--set`
//! overrides (another pricing table, another workload figure). Phases are matched by name,
//! lines by (component, item); a line or phase only one side has is shown against zero.
//!
//! Its JSON (`diff --json`) is read by CI jobs: [`SCHEMA_VERSION`] says which fields they may
//! rely on; fields may be added without a new version, never renamed or removed.

pub mod gate;

use serde::Serialize;

use crate::costing::PriceGivenBy;
use crate::plan::{Line, Plan};
use crate::units::round_cents;

/// The version of the JSON form of a [`Diff`]; raised only when a field is renamed or removed.
pub const SCHEMA_VERSION: u32 = 1;

/// How a line changed between the plans.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Change {
    /// Nothing of it on side A, some on side B.
    New,
    /// Some on side A, nothing on side B.
    Removed,
    /// On both sides, with another count, cost or pricing.
    Changed,
}

/// A line's change.
#[derive(Debug, Clone, Serialize)]
pub struct LineDelta {
    pub component: String,
    pub item: String,
    pub count_a: u64,
    pub count_b: u64,
    pub count_delta: i128,
    pub monthly_usd_a: f64,
    pub monthly_usd_b: f64,
    pub monthly_usd_delta: f64,
    /// The line has no price on side A (or B): its cost is unknown there, not zero, and the
    /// delta is left at 0.
    pub unpriced_a: bool,
    pub unpriced_b: bool,
    pub change: Change,
}

/// A phase's change.
#[derive(Debug, Clone, Serialize)]
pub struct PhaseDelta {
    pub phase: String,
    pub users_a: Option<u64>,
    pub users_b: Option<u64>,
    pub monthly_usd_a: f64,
    pub monthly_usd_b: f64,
    pub monthly_usd_delta: f64,
    /// Relative change of the total (`null` when A is 0).
    pub monthly_change: Option<f64>,
    /// Changed lines, by |cost delta| then |count delta|, largest first.
    pub lines: Vec<LineDelta>,
}

/// The whole comparison.
#[derive(Debug, Clone, Serialize)]
pub struct Diff {
    /// [`SCHEMA_VERSION`].
    pub schema_version: u32,
    pub a: String,
    pub b: String,
    pub phases: Vec<PhaseDelta>,
    /// The cost gate's verdict (`--fail-above`), when one was asked for.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub gate: Option<gate::Gate>,
}

fn find<'a>(lines: &'a [Line], component: &str, item: &str) -> Option<&'a Line> {
    lines
        .iter()
        .find(|l| l.component == component && l.item == item)
}

/// Compares plan `a` with plan `b`; `label_a`/`label_b` name them.
#[must_use]
pub fn compare(a: &Plan, b: &Plan, label_a: &str, label_b: &str) -> Diff {
    let mut names: Vec<&str> = a.phases.iter().map(|p| p.name.as_str()).collect();
    for p in &b.phases {
        if !names.contains(&p.name.as_str()) {
            names.push(&p.name);
        }
    }
    let phases = names
        .into_iter()
        .map(|name| {
            let pa = a.phases.iter().find(|p| p.name == name);
            let pb = b.phases.iter().find(|p| p.name == name);
            let empty: Vec<Line> = Vec::new();
            let la = pa.map_or(&empty, |p| &p.lines);
            let lb = pb.map_or(&empty, |p| &p.lines);
            let mut keys: Vec<(&str, &str)> = la
                .iter()
                .map(|l| (l.component.as_str(), l.item.as_str()))
                .collect();
            for l in lb {
                if !keys.contains(&(l.component.as_str(), l.item.as_str())) {
                    keys.push((&l.component, &l.item));
                }
            }
            let mut lines: Vec<LineDelta> = keys
                .into_iter()
                .filter_map(|(component, item)| {
                    let x = find(la, component, item);
                    let y = find(lb, component, item);
                    let (ca, cb) = (x.map_or(0, |l| l.count), y.map_or(0, |l| l.count));
                    let (ua, ub) = (
                        x.map_or(0.0, |l| l.monthly_usd),
                        y.map_or(0.0, |l| l.monthly_usd),
                    );
                    let unpriced = |l: Option<&Line>| {
                        l.is_some_and(|l| l.price_given_by == PriceGivenBy::Unpriced && l.count > 0)
                    };
                    let (na, nb) = (unpriced(x), unpriced(y));
                    (ca != cb || ua != ub || na != nb).then(|| LineDelta {
                        component: component.to_string(),
                        item: item.to_string(),
                        count_a: ca,
                        count_b: cb,
                        count_delta: i128::from(cb) - i128::from(ca),
                        monthly_usd_a: ua,
                        monthly_usd_b: ub,
                        monthly_usd_delta: if na || nb { 0.0 } else { round_cents(ub - ua) },
                        unpriced_a: na,
                        unpriced_b: nb,
                        change: match (ca, cb) {
                            (0, 1..) => Change::New,
                            (1.., 0) => Change::Removed,
                            _ => Change::Changed,
                        },
                    })
                })
                .collect();
            lines.sort_by(|x, y| {
                // Lines unpriced on a side have no known delta: after every priced change.
                (x.unpriced_a || x.unpriced_b)
                    .cmp(&(y.unpriced_a || y.unpriced_b))
                    .then(
                        y.monthly_usd_delta
                            .abs()
                            .total_cmp(&x.monthly_usd_delta.abs()),
                    )
                    .then(y.count_delta.abs().cmp(&x.count_delta.abs()))
                    .then((&x.component, &x.item).cmp(&(&y.component, &y.item)))
            });
            let (ta, tb) = (
                pa.map_or(0.0, |p| p.monthly_usd),
                pb.map_or(0.0, |p| p.monthly_usd),
            );
            PhaseDelta {
                phase: name.to_string(),
                users_a: pa.map(|p| p.users),
                users_b: pb.map(|p| p.users),
                monthly_usd_a: ta,
                monthly_usd_b: tb,
                monthly_usd_delta: round_cents(tb - ta),
                monthly_change: (ta != 0.0).then(|| (tb - ta) / ta),
                lines,
            }
        })
        .collect();
    Diff {
        schema_version: SCHEMA_VERSION,
        a: label_a.to_string(),
        b: label_b.to_string(),
        phases,
        gate: None,
    }
}
