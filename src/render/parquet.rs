//! The Parquet forms of headroom's tables: the same rows and columns as their CSV files, with
//! real types (counts UInt64 or UInt32, figures Float64, flags Boolean, FOCUS's datetimes UTC
//! timestamps, absent values null), for tools that load tables rather than text (DuckDB,
//! pandas, Spark, a FinOps platform).
//!
//! | file | rows and columns of | beside |
//! |---|---|---|
//! | `costs.parquet`, `by_component.parquet` | `render::costs_csv`'s frames | `costs.csv`, `by_component.csv` |
//! | `uncertainty.parquet`, `tornado.parquet`, `regret.parquet` | `render::uncertainty_csv`'s rows | the CSVs of the same names |
//! | `focus.parquet` | `render::focus`'s rows | `focus.csv` |
//! | `timeline/timeline.parquet`, `timeline/timeline_lines.parquet` | `render::timeline`'s frames | the CSVs of the same names |
//!
//! Numbers are the plan's f64s as they are, where the uncertainty CSVs round them for reading
//! (money to cents, amounts to 3 decimals, inputs to 6 significant digits): a Parquet reader
//! gets the figures `plan.json` has. FOCUS's Decimal columns are Float64 for the same reason:
//! the exact values `focus.csv` prints (shortest round-trip text), so sums agree between the
//! two files and with the plan to the bit.
//!
//! Bytes are fixed for a plan: zstd at libzstd's default level (3), one row group, column
//! statistics, no time of the run (polars writes only `created_by: Polars` and the Arrow
//! schema into the footer).

use polars::prelude::*;

use crate::error::Error;
use crate::plan::Plan;
use crate::render::focus::{self, ColumnType};
use crate::render::{costs_csv, timeline, uncertainty_csv};
use crate::timeline::Timeline;
use crate::uncertainty::summary::Uncertainty;

fn polars_error(what: &str, e: &PolarsError) -> Error {
    Error::Render(format!("{what}: {e}"))
}

/// A DataFrame as Parquet bytes (`what`: the file name, for errors); empty strings become
/// nulls ([`empty_as_null`]).
pub fn write(frame: DataFrame, what: &str) -> Result<Vec<u8>, Error> {
    let mut frame = empty_as_null(frame).map_err(|e| polars_error(what, &e))?;
    let mut bytes = Vec::new();
    ParquetWriter::new(&mut bytes)
        // No level given: libzstd's default (3), not polars' choice of the day.
        .with_compression(ParquetCompression::Zstd(None))
        .with_statistics(StatisticsOptions::default())
        // Tables of at most a few thousand rows: one row group, encoded on this thread.
        .with_row_group_size(None)
        .set_parallel(false)
        .finish(&mut frame)
        .map_err(|e| polars_error(what, &e))?;
    Ok(bytes)
}

/// The frame with every empty string of its text columns made null: the frames hold `""` for
/// "none" (a line without an instance, a price without a date), which CSV writes as an empty
/// field and readers of CSV take for null; in Parquet it is a null.
fn empty_as_null(frame: DataFrame) -> PolarsResult<DataFrame> {
    let height = frame.height();
    let columns = frame
        .columns()
        .iter()
        .map(|column| -> PolarsResult<Column> {
            if column.dtype() != &DataType::String {
                return Ok(column.clone());
            }
            let text = column.str()?;
            if !text.iter().any(|s| s == Some("")) {
                return Ok(column.clone());
            }
            let values: Vec<Option<&str>> =
                text.iter().map(|s| s.filter(|s| !s.is_empty())).collect();
            Ok(Column::new(column.name().clone(), values))
        })
        .collect::<PolarsResult<Vec<_>>>()?;
    DataFrame::new(height, columns)
}

/// A frame from its columns (all of `height` rows).
fn frame(height: usize, columns: Vec<Column>, what: &str) -> Result<DataFrame, Error> {
    DataFrame::new(height, columns).map_err(|e| polars_error(what, &e))
}

/// `costs.parquet`: `costs.csv`'s rows and columns.
pub fn costs(plan: &Plan) -> Result<Vec<u8>, Error> {
    write(costs_csv::costs_frame(plan)?, "costs.parquet")
}

/// `by_component.parquet`: `by_component.csv`'s rows and columns.
pub fn by_component(plan: &Plan) -> Result<Vec<u8>, Error> {
    write(costs_csv::by_component_frame(plan)?, "by_component.parquet")
}

/// `uncertainty.parquet`: `uncertainty.csv`'s rows and columns, the percentiles unrounded.
pub fn uncertainty(u: &Uncertainty) -> Result<Vec<u8>, Error> {
    const WHAT: &str = "uncertainty.parquet";
    let rows = uncertainty_csv::percentile_rows(u);
    let mut columns = vec![
        Column::new(
            "phase".into(),
            rows.iter().map(|r| r.phase).collect::<Vec<_>>(),
        ),
        Column::new(
            "component".into(),
            rows.iter().map(|r| r.component).collect::<Vec<_>>(),
        ),
        Column::new(
            "item".into(),
            rows.iter().map(|r| r.item).collect::<Vec<_>>(),
        ),
        Column::new(
            "metric".into(),
            rows.iter().map(|r| r.metric.as_str()).collect::<Vec<_>>(),
        ),
        Column::new(
            "unit".into(),
            rows.iter().map(|r| r.unit).collect::<Vec<_>>(),
        ),
    ];
    type Pick = fn(&crate::uncertainty::summary::Percentiles) -> f64;
    let figures: [(&str, Pick); 8] = [
        ("mean", |p| p.mean),
        ("p5", |p| p.p5),
        ("p50", |p| p.p50),
        ("p90", |p| p.p90),
        ("p95", |p| p.p95),
        ("p99", |p| p.p99),
        ("min", |p| p.min),
        ("max", |p| p.max),
    ];
    for (name, pick) in figures {
        let values: Vec<f64> = rows.iter().map(|r| pick(r.percentiles)).collect();
        columns.push(Column::new(name.into(), values));
    }
    write(frame(rows.len(), columns, WHAT)?, WHAT)
}

/// `tornado.parquet`: `tornado.csv`'s rows and columns, unrounded.
pub fn tornado(u: &Uncertainty) -> Result<Vec<u8>, Error> {
    const WHAT: &str = "tornado.parquet";
    let rows: Vec<(&str, &crate::uncertainty::summary::Swing)> = u
        .phases
        .iter()
        .flat_map(|p| p.tornado.iter().map(move |s| (p.name.as_str(), s)))
        .collect();
    let number = |f: fn(&crate::uncertainty::summary::Swing) -> f64| -> Vec<f64> {
        rows.iter().map(|(_, s)| f(s)).collect()
    };
    let columns = vec![
        Column::new(
            "phase".into(),
            rows.iter().map(|(p, _)| *p).collect::<Vec<_>>(),
        ),
        Column::new(
            "input".into(),
            rows.iter()
                .map(|(_, s)| s.input.as_str())
                .collect::<Vec<_>>(),
        ),
        Column::new("low_value".into(), number(|s| s.low_value)),
        Column::new("high_value".into(), number(|s| s.high_value)),
        Column::new("low_monthly_usd".into(), number(|s| s.low_monthly_usd)),
        Column::new("high_monthly_usd".into(), number(|s| s.high_monthly_usd)),
        Column::new("swing_usd".into(), number(|s| s.swing_usd)),
    ];
    write(frame(rows.len(), columns, WHAT)?, WHAT)
}

/// `regret.parquet`: `regret.csv`'s rows and columns, unrounded; `percentile` null for the
/// plan as written.
pub fn regret(u: &Uncertainty) -> Result<Vec<u8>, Error> {
    const WHAT: &str = "regret.parquet";
    type Phase = crate::uncertainty::summary::PhaseUncertainty;
    type Candidate = crate::uncertainty::summary::Candidate;
    let rows: Vec<(&Phase, &Candidate)> = u
        .phases
        .iter()
        .flat_map(|p| p.candidates.iter().map(move |c| (p, c)))
        .collect();
    let number =
        |f: fn(&Candidate) -> f64| -> Vec<f64> { rows.iter().map(|(_, c)| f(c)).collect() };
    let columns = vec![
        Column::new(
            "phase".into(),
            rows.iter()
                .map(|(p, _)| p.name.as_str())
                .collect::<Vec<_>>(),
        ),
        Column::new(
            "candidate".into(),
            rows.iter()
                .map(|(_, c)| c.name.as_str())
                .collect::<Vec<_>>(),
        ),
        Column::new(
            "percentile".into(),
            rows.iter().map(|(_, c)| c.percentile).collect::<Vec<_>>(),
        ),
        Column::new(
            "provisioned_monthly_usd".into(),
            number(|c| c.provisioned_monthly_usd),
        ),
        Column::new(
            "mean_over_provision_usd".into(),
            number(|c| c.mean_over_provision_usd),
        ),
        Column::new(
            "mean_under_provision_penalty_usd".into(),
            number(|c| c.mean_under_provision_penalty_usd),
        ),
        Column::new("mean_regret_usd".into(), number(|c| c.mean_regret_usd)),
        Column::new(
            "lines_short_over_10pct".into(),
            rows.iter()
                .map(|(_, c)| c.lines_short_over_10pct as u64)
                .collect::<Vec<u64>>(),
        ),
        Column::new(
            "least_regret".into(),
            rows.iter()
                .map(|(p, c)| c.name == p.least_regret)
                .collect::<Vec<bool>>(),
        ),
    ];
    write(frame(rows.len(), columns, WHAT)?, WHAT)
}

/// `focus.parquet`: `focus.csv`'s rows and columns (phase 0 billed in `start`, `YYYY-MM`),
/// typed as FOCUS 1.0 types them: Decimal as Float64, DateTime as a microsecond timestamp in
/// UTC, String as text; null where the CSV field is empty.
pub fn focus(plan: &Plan, start: &str) -> Result<Vec<u8>, Error> {
    const WHAT: &str = "focus.parquet";
    let rows = focus::rows(plan, start)?;
    let mut columns = Vec::with_capacity(focus::COLUMNS.len());
    for (i, name) in focus::COLUMNS.iter().enumerate() {
        let cells = rows.iter().map(|row| &row[i]);
        let column = match focus::column_type(name) {
            ColumnType::String => Column::new(
                (*name).into(),
                cells
                    .map(|cell| match cell {
                        focus::Value::Text(text) => Some(text.as_str()),
                        _ => None,
                    })
                    .collect::<Vec<_>>(),
            ),
            ColumnType::Decimal => Column::new(
                (*name).into(),
                cells
                    .map(|cell| match cell {
                        focus::Value::Decimal(x) => Some(*x),
                        _ => None,
                    })
                    .collect::<Vec<_>>(),
            ),
            ColumnType::DateTime => {
                let micros: Vec<Option<i64>> = cells
                    .map(|cell| match cell {
                        focus::Value::MonthStart(month) => month_start_micros(month),
                        _ => None,
                    })
                    .collect();
                Int64Chunked::from_iter_options((*name).into(), micros.into_iter())
                    .into_datetime(TimeUnit::Microseconds, Some(TimeZone::UTC))
                    .into_series()
                    .into()
            }
        };
        columns.push(column);
    }
    write(frame(rows.len(), columns, WHAT)?, WHAT)
}

/// Microseconds since 1970-01-01T00:00:00Z at the start of month `YYYY-MM`.
fn month_start_micros(month: &str) -> Option<i64> {
    let (y, m) = month.split_once('-')?;
    let days = crate::pricing::check::days_from_civil(y.parse().ok()?, m.parse().ok()?, 1);
    Some(days * 86_400 * 1_000_000)
}

/// `timeline/timeline.parquet`: `timeline.csv`'s rows and columns.
pub fn timeline_months(t: &Timeline) -> Result<Vec<u8>, Error> {
    write(timeline::months_frame(t)?, "timeline.parquet")
}

/// `timeline/timeline_lines.parquet`: `timeline_lines.csv`'s rows and columns.
pub fn timeline_lines(t: &Timeline) -> Result<Vec<u8>, Error> {
    write(timeline::lines_frame(t)?, "timeline_lines.parquet")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn month_starts_are_utc_midnights() {
        // 2027-11-01 is day 21,123 after 1970-01-01: 57 years of 365 days (20,805) and 14
        // leap days (1972..2024) to 2027-01-01 = 20,819, plus Jan..Oct 2027 (304 days).
        assert_eq!(month_start_micros("2027-11"), Some(21_123 * 86_400_000_000));
        assert_eq!(month_start_micros("1970-01"), Some(0));
        assert_eq!(month_start_micros("2027-xx"), None);
    }

    #[test]
    fn same_plan_same_bytes() {
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
        let loaded = crate::input::load_scenario(&root.join("scenarios/saas-10b.ron")).unwrap();
        let plan = crate::plan::build(&loaded).unwrap();
        let a = focus(&plan, "2027-11").unwrap();
        assert_eq!(a, focus(&plan, "2027-11").unwrap());
        assert_eq!(&a[..4], b"PAR1");
        assert_eq!(costs(&plan).unwrap(), costs(&plan).unwrap());
    }
}
