//! `headroom backtest`: the plan at the observed user count against actual bills (FOCUS 1.0,
//! AWS CUR 2.0), per component and per line, and the bill lines the plan does not model.
//!
//! [`bill`] reads and streams bills into totals, [`mapping`] says which headroom line a bill
//! line is, [`compare`] holds one month against the plan; this module picks the month and the
//! user count, plans at it, and refuses what cannot be summed (another currency, a month with
//! no rows).

pub mod bill;
pub mod compare;
pub mod generate;
pub mod mapping;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde::Serialize;

use crate::error::{Error, InputError};
use crate::input::Scenario;
use crate::input::growth::{MAX_USERS, month_label};
use bill::{Bill, BillFormat, Group, Totals};
use compare::Comparison;
use mapping::Mapping;

/// The one currency headroom plans in.
pub const CURRENCY: &str = "USD";

/// What `headroom backtest` was asked.
#[derive(Debug, Clone)]
pub struct Request {
    pub bills: Vec<PathBuf>,
    pub users: Option<u64>,
    /// `YYYY-MM`.
    pub month: Option<String>,
    /// A fraction (0.2 for 20%).
    pub tolerance: f64,
    /// A mapping CSV replacing the shipped AWS one.
    pub mapping: Option<PathBuf>,
}

/// One bill file as read.
#[derive(Debug, Clone, Serialize)]
pub struct BillSummary {
    pub file: String,
    pub format: BillFormat,
    pub rows: u64,
    /// Rows of the compared month.
    pub rows_in_month: u64,
}

/// The answer.
#[derive(Debug, Clone, Serialize)]
pub struct Backtest {
    pub scenario: String,
    /// The user count the plan was made for.
    pub users: u64,
    /// Where the user count came from (`--users`, or the growth curve at the month).
    pub users_from: String,
    /// The phase whose pins applied, when the user count is a phase's.
    pub phase: Option<String>,
    /// The compared billing month, `YYYY-MM`.
    pub month: String,
    pub tolerance_pct: f64,
    pub mapping: String,
    pub bills: Vec<BillSummary>,
    #[serde(flatten)]
    pub comparison: Comparison,
    /// Some component is off by more than the tolerance (exit 1).
    pub failed: bool,
}

/// Reads the bills, plans at the user count and compares one month.
pub fn run(scenario: &Scenario, request: &Request) -> Result<Backtest, Error> {
    let (mapping, mapping_name) = match &request.mapping {
        Some(file) => {
            let text = std::fs::read_to_string(file).map_err(|e| InputError::Read {
                path: file.clone(),
                source: e,
            })?;
            (Mapping::parse(&text, file)?, file.display().to_string())
        }
        None => (Mapping::aws(), mapping::AWS_FILE.to_string()),
    };
    if request.bills.is_empty() {
        return Err(Error::Usage("--bill FILE is needed (one or more)".into()));
    }
    let bills: Vec<Bill> = request
        .bills
        .iter()
        .map(|f| bill::read(f))
        .collect::<Result<_, _>>()?;
    for b in &bills {
        refuse_other_currencies(b)?;
    }
    let month = pick_month(&bills, request.month.as_deref())?;
    let (users, users_from) = user_count(scenario, request.users, request.month.as_deref())?;
    // At a phase's own user count the phase itself is planned, so its pins apply.
    let phase_name = scenario
        .growth
        .phases()
        .iter()
        .find(|p| p.users == users)
        .map(|p| p.name.clone());
    let mut warnings = Vec::new();
    let planned = crate::plan::build_phase(
        scenario,
        phase_name.as_deref().unwrap_or(&format!("{users} users")),
        users,
        &mut warnings,
    )?;
    let of_month: Vec<(Group, Totals)> = bills
        .iter()
        .flat_map(|b| &b.groups)
        .filter(|(g, _)| g.month == month)
        .cloned()
        .collect();
    let comparison = compare::compare(&planned, &of_month, &mapping, request.tolerance);
    Ok(Backtest {
        scenario: scenario.spec.name.clone(),
        users,
        users_from,
        phase: phase_name,
        month: month.clone(),
        tolerance_pct: request.tolerance * 100.0,
        mapping: mapping_name,
        bills: bills
            .iter()
            .map(|b| BillSummary {
                file: b.file.clone(),
                format: b.format,
                rows: b.rows,
                rows_in_month: b
                    .groups
                    .iter()
                    .filter(|(g, _)| g.month == month)
                    .map(|(_, t)| t.rows)
                    .sum(),
            })
            .collect(),
        failed: !comparison.off_components.is_empty(),
        comparison,
    })
}

/// A bill with rows in another currency is refused, the rows and amounts named: they cannot
/// be summed into USD without an exchange rate headroom does not have.
fn refuse_other_currencies(b: &Bill) -> Result<(), InputError> {
    let mut other: BTreeMap<&str, (u64, f64, u64)> = BTreeMap::new();
    for (g, t) in b.groups.iter().filter(|(g, _)| g.currency != CURRENCY) {
        let e = other
            .entry(g.currency.as_str())
            .or_insert((0, 0.0, t.first_row));
        e.0 += t.rows;
        e.1 += t.cost;
        e.2 = e.2.min(t.first_row);
    }
    if other.is_empty() {
        return Ok(());
    }
    let parts: Vec<String> = other
        .iter()
        .map(|(currency, (rows, cost, first))| {
            let name = if currency.is_empty() {
                "no currency"
            } else {
                currency
            };
            format!(
                "{rows} rows in {name} ({} {name}, the first at row {first})",
                crate::units::round_cents(*cost)
            )
        })
        .collect();
    Err(InputError::file(
        Path::new(&b.file),
        format!(
            "{}: left out, not summed into {CURRENCY} (headroom plans in {CURRENCY} and has no \
             exchange rate); convert the bill or drop those rows",
            parts.join("; ")
        ),
    ))
}

/// The month compared: `--month`, or the bills' only month.
fn pick_month(bills: &[Bill], month: Option<&str>) -> Result<String, Error> {
    let months: std::collections::BTreeSet<&str> = bills
        .iter()
        .flat_map(|b| &b.groups)
        .map(|(g, _)| g.month.as_str())
        .collect();
    let listed = || months.iter().copied().collect::<Vec<_>>().join(", ");
    match month {
        Some(m) => {
            if month_label(m, 0).as_deref() != Some(m) {
                return Err(Error::Usage(format!("--month `{m}`: expected YYYY-MM")));
            }
            if !months.contains(m) {
                return Err(Error::Usage(format!(
                    "--month {m}: the bills have no rows in {m}; they cover {}",
                    if months.is_empty() {
                        "no month".to_string()
                    } else {
                        listed()
                    }
                )));
            }
            Ok(m.to_string())
        }
        None => match months.len() {
            1 => Ok(months
                .iter()
                .next()
                .map(|m| (*m).to_string())
                .unwrap_or_default()),
            0 => Err(Error::Usage("the bills have no rows".into())),
            n => Err(Error::Usage(format!(
                "the bills cover {n} months ({}): choose one with --month YYYY-MM",
                listed()
            ))),
        },
    }
}

/// The user count: `--users`, else the growth curve at `--month` (months after its `start`).
fn user_count(
    scenario: &Scenario,
    users: Option<u64>,
    month: Option<&str>,
) -> Result<(u64, String), Error> {
    if let Some(users) = users {
        if !(1..=MAX_USERS).contains(&users) {
            return Err(Error::Usage(format!(
                "--users {users}: expected from 1 to {MAX_USERS}"
            )));
        }
        return Ok((users, "--users".into()));
    }
    let Some(month) = month else {
        return Err(Error::Usage(
            "say which user count the bill is for: --users N, or --month YYYY-MM (read on the \
             growth curve)"
                .into(),
        ));
    };
    let index = |m: &str| -> Option<i64> {
        let (y, mm) = m.split_once('-')?;
        Some(y.parse::<i64>().ok()? * 12 + mm.parse::<i64>().ok()? - 1)
    };
    let start = scenario.growth.start().ok_or_else(|| {
        Error::Usage(format!(
            "--month {month}: the growth curve has no `start` month to place it on; give --users N"
        ))
    })?;
    let offset = index(month).zip(index(start)).map(|(m, s)| m - s);
    let users = offset
        .and_then(|o| scenario.growth.users_at(o as f64))
        .ok_or_else(|| {
            Error::Usage(format!(
                "--month {month}: the growth curve gives no user count; give --users N"
            ))
        })?;
    let offset = offset.unwrap_or(0);
    // As the timeline rounds a month's users.
    let count = (users.round() as u64).clamp(1, MAX_USERS);
    Ok((
        count,
        format!("the growth curve {offset} months after its start {start}"),
    ))
}
