//! The Monte Carlo section (`plan --draws N`) as CSV, written with the `csv` crate and a fixed
//! float format (money with 2 decimals, counts and demand with 3, input values and
//! percentiles with 6 significant digits), so the same plan gives the same bytes:
//!
//! - `uncertainty.csv` (tidy: one row per phase x figure): `phase, component, item, metric,
//!   unit, mean, p5, p50, p90, p95, p99, min, max`; `metric` is `users`, `demand:<figure>`,
//!   `total_monthly_usd`, `component_monthly_usd`, or per line `count`, `derived_count`,
//!   `monthly_usd`;
//! - `tornado.csv`: every phase's swings, largest first;
//! - `regret.csv`: every phase's candidate sizings and which one has the least mean regret.

use crate::error::Error;
use crate::uncertainty::summary::{Percentiles, Uncertainty};

/// The unit of money columns.
const USD_PER_MONTH: &str = "USD/month";

/// Units of the demand figures the draws record.
fn demand_unit(name: &str) -> &'static str {
    match name {
        "dau" => "users",
        "peak_rps" => "requests/s",
        "db_qps" => "queries/s",
        "cache_ops_per_s" => "operations/s",
        "session_memory_bytes" | "db_bytes" => "bytes",
        "events_per_s_peak" => "events/s",
        "cdn_egress_gb_per_month" => "GB/month",
        _ => "",
    }
}

/// Money: cents.
fn money(x: f64) -> String {
    format!("{x:.2}")
}

/// Counts, users and demand figures (a mean of counts has a fraction).
fn amount(x: f64) -> String {
    format!("{x:.3}")
}

/// An input's value or a percentile, of any magnitude: 6 significant digits, no exponent,
/// trailing zeros dropped (0.323991, 10000000, 83.3333).
fn figure(x: f64) -> String {
    if !x.is_finite() {
        return x.to_string();
    }
    if x == 0.0 {
        return "0".into();
    }
    let magnitude = (x.abs().log10().floor() as i32).clamp(-300, 300);
    let decimals = (5 - magnitude).clamp(0, 15) as usize;
    let text = format!("{x:.decimals$}");
    let text = if text.contains('.') {
        text.trim_end_matches('0').trim_end_matches('.').to_string()
    } else {
        text
    };
    if text == "-0" { "0".into() } else { text }
}

fn csv_error(what: &str, e: impl std::fmt::Display) -> Error {
    Error::Render(format!("{what}: {e}"))
}

fn finish(writer: csv::Writer<Vec<u8>>, what: &str) -> Result<Vec<u8>, Error> {
    writer.into_inner().map_err(|e| csv_error(what, e.error()))
}

/// One row of `uncertainty.csv`: a figure's percentiles in one phase.
pub struct PercentileRow<'a> {
    pub phase: &'a str,
    /// Empty for the phase's own figures (total, users, demand).
    pub component: &'a str,
    /// Empty but for per-line figures.
    pub item: &'a str,
    pub metric: String,
    pub unit: &'a str,
    pub percentiles: &'a Percentiles,
    /// Money (USD per month), written to cents; else an amount, to 3 decimals.
    pub money: bool,
}

/// The rows of `uncertainty.csv` (and `uncertainty.parquet`), in file order: per phase the
/// total, users, each demand figure, each component's cost, then per line its count, derived
/// count and cost.
#[must_use]
pub fn percentile_rows(u: &Uncertainty) -> Vec<PercentileRow<'_>> {
    let mut rows = Vec::new();
    for phase in &u.phases {
        let phase_row = |metric: String, unit: &'static str, p, money| PercentileRow {
            phase: &phase.name,
            component: "",
            item: "",
            metric,
            unit,
            percentiles: p,
            money,
        };
        rows.push(phase_row(
            "total_monthly_usd".into(),
            USD_PER_MONTH,
            &phase.monthly_usd,
            true,
        ));
        rows.push(phase_row("users".into(), "users", &phase.users, false));
        for (figure_name, p) in &phase.demand {
            rows.push(phase_row(
                format!("demand:{figure_name}"),
                demand_unit(figure_name),
                p,
                false,
            ));
        }
        for c in &phase.components {
            rows.push(PercentileRow {
                component: &c.component,
                ..phase_row(
                    "component_monthly_usd".into(),
                    USD_PER_MONTH,
                    &c.monthly_usd,
                    true,
                )
            });
        }
        for l in &phase.lines {
            for (metric, unit, p, money) in [
                ("count", l.count_unit.as_str(), &l.count, false),
                (
                    "derived_count",
                    l.count_unit.as_str(),
                    &l.derived_count,
                    false,
                ),
                ("monthly_usd", USD_PER_MONTH, &l.monthly_usd, true),
            ] {
                rows.push(PercentileRow {
                    phase: &phase.name,
                    component: &l.component,
                    item: &l.item,
                    metric: metric.into(),
                    unit,
                    percentiles: p,
                    money,
                });
            }
        }
    }
    rows
}

/// `uncertainty.csv` bytes.
pub fn percentiles(u: &Uncertainty) -> Result<Vec<u8>, Error> {
    const WHAT: &str = "uncertainty.csv";
    let mut w = csv::Writer::from_writer(Vec::new());
    w.write_record([
        "phase",
        "component",
        "item",
        "metric",
        "unit",
        "mean",
        "p5",
        "p50",
        "p90",
        "p95",
        "p99",
        "min",
        "max",
    ])
    .map_err(|e| csv_error(WHAT, e))?;
    for row in percentile_rows(u) {
        let format: fn(f64) -> String = if row.money { money } else { amount };
        let p = row.percentiles;
        let mut record = vec![
            row.phase.to_string(),
            row.component.to_string(),
            row.item.to_string(),
            row.metric,
            row.unit.to_string(),
        ];
        record.extend(
            [p.mean, p.p5, p.p50, p.p90, p.p95, p.p99, p.min, p.max]
                .into_iter()
                .map(format),
        );
        w.write_record(&record).map_err(|e| csv_error(WHAT, e))?;
    }
    finish(w, WHAT)
}

/// `tornado.csv` bytes.
pub fn tornado(u: &Uncertainty) -> Result<Vec<u8>, Error> {
    const WHAT: &str = "tornado.csv";
    let mut w = csv::Writer::from_writer(Vec::new());
    w.write_record([
        "phase",
        "input",
        "low_value",
        "high_value",
        "low_monthly_usd",
        "high_monthly_usd",
        "swing_usd",
    ])
    .map_err(|e| csv_error(WHAT, e))?;
    for phase in &u.phases {
        for s in &phase.tornado {
            w.write_record([
                phase.name.clone(),
                s.input.clone(),
                figure(s.low_value),
                figure(s.high_value),
                money(s.low_monthly_usd),
                money(s.high_monthly_usd),
                money(s.swing_usd),
            ])
            .map_err(|e| csv_error(WHAT, e))?;
        }
    }
    finish(w, WHAT)
}

/// `regret.csv` bytes.
pub fn regret(u: &Uncertainty) -> Result<Vec<u8>, Error> {
    const WHAT: &str = "regret.csv";
    let mut w = csv::Writer::from_writer(Vec::new());
    w.write_record([
        "phase",
        "candidate",
        "percentile",
        "provisioned_monthly_usd",
        "mean_over_provision_usd",
        "mean_under_provision_penalty_usd",
        "mean_regret_usd",
        "lines_short_over_10pct",
        "least_regret",
    ])
    .map_err(|e| csv_error(WHAT, e))?;
    for phase in &u.phases {
        for c in &phase.candidates {
            w.write_record([
                phase.name.clone(),
                c.name.clone(),
                c.percentile.map_or_else(String::new, figure),
                money(c.provisioned_monthly_usd),
                money(c.mean_over_provision_usd),
                money(c.mean_under_provision_penalty_usd),
                money(c.mean_regret_usd),
                c.lines_short_over_10pct.to_string(),
                (c.name == phase.least_regret).to_string(),
            ])
            .map_err(|e| csv_error(WHAT, e))?;
        }
    }
    finish(w, WHAT)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn records(bytes: &[u8]) -> Vec<csv::StringRecord> {
        csv::Reader::from_reader(bytes)
            .records()
            .collect::<Result<_, _>>()
            .unwrap()
    }

    #[test]
    fn tidy_rows_match_the_plan() {
        let plan = crate::uncertainty::saas_with_draws(200);
        let u = plan.uncertainty.as_ref().unwrap();
        let bytes = percentiles(u).unwrap();
        assert!(
            bytes
                .starts_with(b"phase,component,item,metric,unit,mean,p5,p50,p90,p95,p99,min,max\n")
        );
        let rows = records(&bytes);
        // Per phase: total, users, each demand figure, each component, 3 rows per line.
        let expected: usize = u
            .phases
            .iter()
            .map(|p| 2 + p.demand.len() + p.components.len() + 3 * p.lines.len())
            .sum();
        assert_eq!(rows.len(), expected);
        let last = u.phases.last().unwrap();
        let total = rows
            .iter()
            .find(|r| r[0] == *last.name && &r[3] == "total_monthly_usd")
            .unwrap();
        let m = &last.monthly_usd;
        let fields: Vec<String> = [m.mean, m.p5, m.p50, m.p90, m.p95, m.p99, m.min, m.max]
            .into_iter()
            .map(money)
            .collect();
        assert_eq!(&total.iter().skip(5).collect::<Vec<_>>(), &fields);
        let line = &last.lines[0];
        let count = rows
            .iter()
            .find(|r| {
                r[0] == *last.name
                    && r[1] == *line.component
                    && r[2] == *line.item
                    && &r[3] == "count"
            })
            .unwrap();
        assert_eq!(&count[4], line.count_unit.as_str());
        assert_eq!(count[7].parse::<f64>().unwrap(), line.count.p50);

        let tornado = records(&tornado(u).unwrap());
        assert_eq!(
            tornado.len(),
            u.phases.iter().map(|p| p.tornado.len()).sum::<usize>()
        );
        let top = tornado.iter().find(|r| r[0] == *last.name).unwrap();
        assert_eq!(&top[1], last.tornado[0].input.as_str());
        assert_eq!(&top[6], money(last.tornado[0].swing_usd).as_str());

        let regret = records(&regret(u).unwrap());
        for phase in &u.phases {
            let chosen: Vec<&csv::StringRecord> = regret
                .iter()
                .filter(|r| r[0] == *phase.name && &r[8] == "true")
                .collect();
            assert_eq!(chosen.len(), 1, "{}", phase.name);
            assert_eq!(&chosen[0][1], phase.least_regret.as_str());
        }
        // Same plan, same bytes.
        assert_eq!(bytes, percentiles(u).unwrap());
    }

    #[test]
    fn fixed_float_formats() {
        assert_eq!(money(34_175_011.68), "34175011.68");
        assert_eq!(money(7.0), "7.00");
        assert_eq!(amount(732.896), "732.896");
        assert_eq!(figure(0.323_990_935_986_540_3), "0.323991");
        assert_eq!(figure(10_000_000.000_000_006), "10000000");
        assert_eq!(figure(100.0 * 4.0 / 5.0), "80");
        assert_eq!(figure(100.0 * 5.0 / 6.0), "83.3333");
        assert_eq!(figure(1e-9), "0.000000001");
        assert_eq!(figure(-2.5), "-2.5");
    }
}
