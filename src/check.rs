//! `headroom check SCENARIO --fleet FILE`: the fleet that runs against the plan of a phase (or
//! of a user count), line by line.
//!
//! Compared: every line of a component the fleet has that provisions instances, and every
//! line the fleet lists (storage GB, pods, partitions...). A fleet instance of another type
//! than the plan's counts as the plan instances it stands for ([`crate::fleet::shape`]). With
//! a tolerance t, a line is
//! - `short` below need x (1 - t): the check fails (exit 1);
//! - `within` need x (1 +- t);
//! - `over` above need x (1 + t), with the monthly cost of the excess: the excess in plan
//!   instances x the plan line's monthly cost per instance.
//!
//! Where every fleet entry of a line names its region, each region is held against the
//! plan's count there too, and a region short is a short line even when the total is not.
//!
//! Components the fleet does not mention are listed as not in the fleet, not judged: a
//! Terraform plan often covers one module of the infra.

use serde::Serialize;

use crate::catalog::Catalog;
use crate::fleet::shape::{self, ShapeRatio};
use crate::fleet::{Fleet, FleetEntry, Ignored};
use crate::input::Scenario;
use crate::plan::{Line, PhasePlan};
use crate::units::round_cents;

/// The version of the JSON form of a [`FleetCheck`]; raised only when a field is renamed or
/// removed.
pub const SCHEMA_VERSION: u32 = 1;

/// Default `--tolerance`: 5%.
pub const DEFAULT_TOLERANCE: f64 = 0.05;

/// How a line's fleet compares with its plan.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Status {
    Short,
    Within,
    Over,
}

/// One plan line against the fleet.
#[derive(Debug, Clone, Serialize)]
pub struct CheckedLine {
    pub component: String,
    pub item: String,
    pub count_unit: String,
    /// What the plan provisions.
    pub plan_count: u64,
    pub plan_instance: Option<String>,
    /// What the fleet runs, as counted.
    pub fleet_count: u64,
    /// The instance types the fleet runs that differ from the plan's.
    pub fleet_instances: Vec<String>,
    /// The fleet in plan instances (the fleet count when the shapes are the plan's).
    pub fleet_equivalent: f64,
    /// How each fleet instance type of another shape compares (by the resource that binds).
    pub shapes: Vec<ShapeRatio>,
    /// Fleet instance types the catalog does not know: counted one for one.
    pub unknown_shapes: Vec<String>,
    pub status: Status,
    /// Plan instances missing (short lines).
    pub shortfall: f64,
    /// Plan instances beyond need.
    pub excess: f64,
    /// The excess's monthly cost at the plan line's cost per unit (`null` when the plan
    /// provisions none, so has no cost per unit).
    pub excess_monthly_usd: Option<f64>,
    /// Per region, where every fleet entry of the line names one (else empty).
    pub regions: Vec<RegionCheck>,
    /// Where the fleet's figures were read.
    pub origins: Vec<String>,
}

/// One region of a line.
#[derive(Debug, Clone, Serialize)]
pub struct RegionCheck {
    pub region: String,
    pub plan_count: u64,
    pub fleet_equivalent: f64,
    pub status: Status,
}

/// The whole check.
#[derive(Debug, Clone, Serialize)]
pub struct FleetCheck {
    /// [`SCHEMA_VERSION`].
    pub schema_version: u32,
    pub scenario: String,
    pub phase: String,
    pub users: u64,
    pub fleet_file: String,
    pub fleet_format: &'static str,
    /// A fraction: 0.05 for 5%.
    pub tolerance: f64,
    pub lines: Vec<CheckedLine>,
    /// Components with instances in the plan that the fleet does not mention.
    pub not_in_fleet: Vec<String>,
    /// What the fleet file has that was not read, and why.
    pub ignored: Vec<Ignored>,
    /// `component/item` of every short line.
    pub short: Vec<String>,
    /// The monthly cost of every excess, summed.
    pub excess_monthly_usd: f64,
    /// Some line is short (exit 1).
    pub failed: bool,
}

/// Reads `5%` or `5` (percent) as 0.05.
pub fn parse_tolerance(text: &str) -> Result<f64, String> {
    let t = text.trim();
    let number = t.strip_suffix('%').unwrap_or(t).trim();
    match number.parse::<f64>() {
        Ok(p) if p.is_finite() && (0.0..100.0).contains(&p) => Ok(p / 100.0),
        _ => Err(format!(
            "--tolerance `{text}`: expected a percentage from 0 to below 100 (`5%`)"
        )),
    }
}

/// Whether a line is compared when the fleet has its component: it provisions instances.
fn provisions_instances(line: &Line) -> bool {
    line.instance.is_some()
}

fn status(equivalent: f64, need: f64, tolerance: f64) -> Status {
    if equivalent < need * (1.0 - tolerance) {
        Status::Short
    } else if equivalent > need * (1.0 + tolerance) {
        Status::Over
    } else {
        Status::Within
    }
}

/// Fleet entries in the plan line's instances, with how each other shape compares.
struct Equivalent {
    count: f64,
    shapes: Vec<ShapeRatio>,
    unknown_shapes: Vec<String>,
    fleet_instances: Vec<String>,
}

fn equivalent(line: &Line, entries: &[&FleetEntry], catalog: &Catalog) -> Equivalent {
    let mut out = Equivalent {
        count: 0.0,
        shapes: Vec::new(),
        unknown_shapes: Vec::new(),
        fleet_instances: Vec::new(),
    };
    for e in entries {
        let other = match (&line.instance, &e.instance) {
            (Some(plan), Some(ran)) if plan != ran => Some((plan, ran)),
            _ => None,
        };
        let Some((plan, ran)) = other else {
            out.count += e.count as f64;
            continue;
        };
        if !out.fleet_instances.contains(ran) {
            out.fleet_instances.push(ran.clone());
        }
        match shape::ratio(catalog, plan, ran, shape::line_binding(line)) {
            Some(s) => {
                out.count += e.count as f64 * s.ratio;
                if !out.shapes.contains(&s) {
                    out.shapes.push(s);
                }
            }
            None => {
                out.count += e.count as f64;
                if !out.unknown_shapes.contains(ran) {
                    out.unknown_shapes.push(ran.clone());
                }
            }
        }
    }
    out
}

/// Each region of a line, when every entry names one: the plan's regions and the fleet's.
fn by_region(
    line: &Line,
    entries: &[&FleetEntry],
    catalog: &Catalog,
    tolerance: f64,
) -> Vec<RegionCheck> {
    if entries.is_empty() || entries.iter().any(|e| e.region.is_none()) {
        return Vec::new();
    }
    let mut names: Vec<&str> = line.regions.keys().map(String::as_str).collect();
    for e in entries {
        let r = e.region.as_deref().unwrap_or_default();
        if !names.contains(&r) {
            names.push(r);
        }
    }
    names.sort_unstable();
    names
        .into_iter()
        .map(|region| {
            let here: Vec<&FleetEntry> = entries
                .iter()
                .filter(|e| e.region.as_deref() == Some(region))
                .copied()
                .collect();
            let plan_count = line.regions.get(region).copied().unwrap_or(0);
            let eq = equivalent(line, &here, catalog).count;
            RegionCheck {
                region: region.to_string(),
                plan_count,
                fleet_equivalent: eq,
                status: status(eq, plan_count as f64, tolerance),
            }
        })
        .collect()
}

fn compare(line: &Line, fleet: &Fleet, catalog: &Catalog, tolerance: f64) -> CheckedLine {
    let entries: Vec<&FleetEntry> = fleet
        .entries
        .iter()
        .filter(|e| e.component == line.component && e.item == line.item)
        .collect();
    let eq = equivalent(line, &entries, catalog);
    let need = line.count as f64;
    let regions = by_region(line, &entries, catalog, tolerance);
    let status = match status(eq.count, need, tolerance) {
        _ if regions.iter().any(|r| r.status == Status::Short) => Status::Short,
        s => s,
    };
    let excess = (eq.count - need).max(0.0);
    CheckedLine {
        component: line.component.clone(),
        item: line.item.clone(),
        count_unit: line.count_unit.clone(),
        plan_count: line.count,
        plan_instance: line.instance.clone(),
        fleet_count: entries
            .iter()
            .fold(0u64, |sum, e| sum.saturating_add(e.count)),
        fleet_instances: eq.fleet_instances,
        fleet_equivalent: eq.count,
        shapes: eq.shapes,
        unknown_shapes: eq.unknown_shapes,
        status,
        shortfall: (need - eq.count).max(0.0),
        excess,
        excess_monthly_usd: (line.count > 0)
            .then(|| round_cents(excess * line.monthly_usd / line.count as f64)),
        regions,
        origins: entries.iter().map(|e| e.origin.clone()).collect(),
    }
}

/// Checks `fleet` against the plan of `phase`. A fleet line the plan does not have is an
/// error naming where it was read and the component's lines.
pub fn check(
    scenario: &Scenario,
    phase: &PhasePlan,
    fleet: &Fleet,
    tolerance: f64,
) -> Result<FleetCheck, String> {
    for e in &fleet.entries {
        if !phase
            .lines
            .iter()
            .any(|l| l.component == e.component && l.item == e.item)
        {
            let items: Vec<&str> = phase
                .lines
                .iter()
                .filter(|l| l.component == e.component)
                .map(|l| l.item.as_str())
                .collect();
            return Err(format!(
                "{}: `{}` has no line `{}`{}; its lines: {}",
                e.origin,
                e.component,
                e.item,
                crate::error::did_you_mean(&e.item, items.iter().copied()),
                items.join(", ")
            ));
        }
    }
    let lines: Vec<CheckedLine> = phase
        .lines
        .iter()
        .filter(|l| {
            fleet.has_component(&l.component)
                && (provisions_instances(l) || !fleet.running(&l.component, &l.item).is_empty())
        })
        .map(|l| compare(l, fleet, &scenario.catalog, tolerance))
        .collect();
    let mut not_in_fleet: Vec<String> = Vec::new();
    for l in phase
        .lines
        .iter()
        .filter(|l| provisions_instances(l) && l.count > 0)
    {
        if !fleet.has_component(&l.component) && !not_in_fleet.contains(&l.component) {
            not_in_fleet.push(l.component.clone());
        }
    }
    let short: Vec<String> = lines
        .iter()
        .filter(|l| l.status == Status::Short)
        .map(|l| {
            let regions: Vec<&str> = l
                .regions
                .iter()
                .filter(|r| r.status == Status::Short)
                .map(|r| r.region.as_str())
                .collect();
            if regions.is_empty() {
                format!("{}/{}", l.component, l.item)
            } else {
                format!("{}/{} (in {})", l.component, l.item, regions.join(", "))
            }
        })
        .collect();
    Ok(FleetCheck {
        schema_version: SCHEMA_VERSION,
        scenario: scenario.spec.name.clone(),
        phase: phase.name.clone(),
        users: phase.users,
        fleet_file: fleet.file.clone(),
        fleet_format: fleet.format,
        tolerance,
        excess_monthly_usd: round_cents(
            lines
                .iter()
                .filter(|l| l.status == Status::Over)
                .filter_map(|l| l.excess_monthly_usd)
                .sum(),
        ),
        lines,
        not_in_fleet,
        ignored: fleet.ignored.clone(),
        failed: !short.is_empty(),
        short,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tolerance_reads_percentages() {
        assert_eq!(parse_tolerance("5%"), Ok(0.05));
        assert_eq!(parse_tolerance("12.5"), Ok(0.125));
        assert!(parse_tolerance("-1%").is_err());
        assert!(parse_tolerance("100%").is_err());
        assert!(parse_tolerance("lots").is_err());
    }
}
