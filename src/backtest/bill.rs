//! Reading bills: FOCUS 1.0 (CSV or Parquet) and AWS CUR 2.0 (Parquet or CSV), told apart by
//! their columns, streamed into a small map of totals per (service, usage type, region, month,
//! currency) so memory stays flat in the number of rows.
//!
//! Parquet is read one row group at a time with polars' eager reader (the projected columns
//! only, a slice covering exactly one row group, the file's metadata parsed once); CSV one
//! record at a time with the csv crate. Each batch is folded into the map before the next is
//! read. (polars' lazy streaming engine would do the same, but its `lazy` feature costs about
//! 12 more minutes of clean release build on 2 cores, and a newcomer's first plan must stay
//! within 15 minutes of cloning.)

use std::collections::HashMap;
use std::fmt::Write as _;
use std::fs::File;
use std::io::Read;
use std::path::Path;

use polars::prelude::*;

use crate::error::InputError;

/// The bill formats headroom reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum BillFormat {
    /// FinOps FOCUS 1.0 (any provider's FOCUS export, or headroom's own focus.csv).
    Focus,
    /// AWS Cost and Usage Report 2.0 (Data Exports).
    Cur,
}

impl BillFormat {
    #[must_use]
    pub fn name(self) -> &'static str {
        match self {
            BillFormat::Focus => "FOCUS 1.0",
            BillFormat::Cur => "AWS CUR 2.0",
        }
    }

    /// The columns a row needs: service, month, currency, cost (in that order).
    fn required(self) -> [&'static str; 4] {
        match self {
            BillFormat::Focus => [
                "ServiceName",
                "ChargePeriodStart",
                "BillingCurrency",
                "EffectiveCost",
            ],
            BillFormat::Cur => [
                "line_item_product_code",
                "bill_billing_period_start_date",
                "line_item_currency_code",
                "line_item_unblended_cost",
            ],
        }
    }

    /// The usage-type column (required in a CUR, optional in FOCUS: AWS's FOCUS export has
    /// `x_UsageType`, other providers' none).
    fn usage_type(self) -> &'static str {
        match self {
            BillFormat::Focus => "x_UsageType",
            BillFormat::Cur => "line_item_usage_type",
        }
    }

    /// Region columns, the first present is read (optional).
    fn region(self) -> &'static [&'static str] {
        match self {
            BillFormat::Focus => &["RegionId"],
            BillFormat::Cur => &["product_region_code", "product_location"],
        }
    }

    /// The charge-type column (a CUR's `Usage`, `Tax`, `Fee`...; required in a CUR).
    fn line_type(self) -> Option<&'static str> {
        match self {
            BillFormat::Focus => None,
            BillFormat::Cur => Some("line_item_line_item_type"),
        }
    }
}

/// CUR line item types that are usage of a service (mapped to lines); every other type
/// (`Tax`, `Fee`, `RIFee`, `Credit`, `Refund`, `SavingsPlanNegation`...) is reported under its
/// type as not modelled.
const CUR_USAGE_TYPES: &[&str] = &["Usage", "DiscountedUsage", "SavingsPlanCoveredUsage"];

/// Which column holds what, by index in the file's (or projection's) columns.
#[derive(Debug, Clone)]
struct Layout {
    format: BillFormat,
    /// service, month, currency, cost.
    required: [String; 4],
    usage_type: Option<String>,
    region: Option<String>,
    line_type: Option<String>,
}

impl Layout {
    /// The format the columns say and where its columns are; a missing column is named with
    /// the nearest column the file has.
    fn detect(file: &Path, columns: &[String]) -> Result<Layout, InputError> {
        let has = |c: &str| columns.iter().any(|x| x == c);
        let format = if columns.iter().any(|c| c.starts_with("line_item_")) {
            BillFormat::Cur
        } else if [
            "EffectiveCost",
            "BilledCost",
            "ServiceName",
            "ChargePeriodStart",
        ]
        .iter()
        .any(|c| has(c))
        {
            BillFormat::Focus
        } else {
            return Err(InputError::file(
                file,
                format!(
                    "neither a FOCUS 1.0 bill (no EffectiveCost, ServiceName...) nor an AWS CUR \
                     2.0 (no line_item_... columns); its columns: {}",
                    columns.join(", ")
                ),
            ));
        };
        let mut needed: Vec<&str> = format.required().to_vec();
        if format == BillFormat::Cur {
            needed.push(format.usage_type());
        }
        needed.extend(format.line_type());
        for c in &needed {
            if !has(c) {
                return Err(InputError::file(
                    file,
                    format!(
                        "{} bill without a `{c}` column{}",
                        format.name(),
                        crate::error::did_you_mean(c, columns.iter().map(String::as_str))
                    ),
                ));
            }
        }
        let [service, month, currency, cost] = format.required().map(str::to_string);
        Ok(Layout {
            format,
            required: [service, month, currency, cost],
            usage_type: has(format.usage_type()).then(|| format.usage_type().to_string()),
            region: format
                .region()
                .iter()
                .find(|c| has(c))
                .map(|c| (*c).to_string()),
            line_type: format.line_type().map(str::to_string),
        })
    }

    /// The columns read, in a fixed order.
    fn columns(&self) -> Vec<String> {
        let mut out = self.required.to_vec();
        out.extend(self.usage_type.clone());
        out.extend(self.region.clone());
        out.extend(self.line_type.clone());
        out
    }
}

/// One bill row, borrowed from the batch being read.
struct Row<'a> {
    service: &'a str,
    usage_type: &'a str,
    region: &'a str,
    line_type: Option<&'a str>,
    /// `y * 12 + (m - 1)`.
    month: u32,
    currency: &'a str,
    cost: f64,
}

/// A group's totals.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct Totals {
    pub cost: f64,
    pub rows: u64,
    /// The first row of the group (1-based data row: a CSV's line, a Parquet file's row).
    pub first_row: u64,
}

/// What a group of bill rows shares.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct Group {
    pub service: String,
    pub usage_type: String,
    pub region: String,
    /// `YYYY-MM`.
    pub month: String,
    pub currency: String,
}

/// One bill file, read: its format, rows and totals per group.
#[derive(Debug, Clone)]
pub struct Bill {
    pub file: String,
    pub format: BillFormat,
    pub rows: u64,
    /// Sorted by group.
    pub groups: Vec<(Group, Totals)>,
}

/// The running totals while a file is read. Keys are the group's fields joined by a unit
/// separator (a lookup by a reused buffer allocates only for a new group).
#[derive(Default)]
struct Aggregate {
    groups: HashMap<String, Totals>,
    key: String,
    rows: u64,
}

const SEP: char = '\u{1f}';

impl Aggregate {
    fn add(&mut self, row: &Row<'_>, row_number: u64) {
        self.rows += 1;
        // A CUR's non-usage rows (tax, fees, credits) go under their type, never a line.
        let (service, usage_type) = match row.line_type {
            Some(t) if !CUR_USAGE_TYPES.contains(&t) => (t, row.service),
            _ => (row.service, row.usage_type),
        };
        self.key.clear();
        let _ = write!(
            self.key,
            "{service}{SEP}{usage_type}{SEP}{}{SEP}{:04}-{:02}{SEP}{}",
            row.region,
            row.month / 12,
            row.month % 12 + 1,
            row.currency
        );
        if let Some(t) = self.groups.get_mut(self.key.as_str()) {
            t.cost += row.cost;
            t.rows += 1;
        } else {
            self.groups.insert(
                self.key.clone(),
                Totals {
                    cost: row.cost,
                    rows: 1,
                    first_row: row_number,
                },
            );
        }
    }

    fn finish(self, file: &Path, format: BillFormat) -> Bill {
        let mut groups: Vec<(Group, Totals)> = self
            .groups
            .into_iter()
            .map(|(key, totals)| {
                let mut parts = key.split(SEP).map(str::to_string);
                let mut next = || parts.next().unwrap_or_default();
                let group = Group {
                    service: next(),
                    usage_type: next(),
                    region: next(),
                    month: next(),
                    currency: next(),
                };
                (group, totals)
            })
            .collect();
        groups.sort_by(|a, b| a.0.cmp(&b.0));
        Bill {
            file: file.display().to_string(),
            format,
            rows: self.rows,
            groups,
        }
    }
}

/// Reads one bill file (Parquet by its `PAR1` magic, else CSV).
pub fn read(file: &Path) -> Result<Bill, InputError> {
    let read_error = |e: std::io::Error| InputError::Read {
        path: file.to_path_buf(),
        source: e,
    };
    let mut magic = [0u8; 4];
    let n = File::open(file)
        .and_then(|mut f| f.read(&mut magic))
        .map_err(read_error)?;
    if n == 4 && &magic == b"PAR1" {
        read_parquet(file)
    } else {
        read_csv(file)
    }
}

/// `YYYY-MM...` -> `y * 12 + (m - 1)`.
fn month_of_text(text: &str) -> Option<u32> {
    let b = text.as_bytes();
    if b.len() < 7 || b[4] != b'-' {
        return None;
    }
    let digits = |s: &[u8]| -> Option<u32> {
        s.iter().try_fold(0u32, |acc, c| {
            c.is_ascii_digit().then(|| acc * 10 + u32::from(c - b'0'))
        })
    };
    let (y, m) = (digits(&b[..4])?, digits(&b[5..7])?);
    (1..=12).contains(&m).then(|| y * 12 + m - 1)
}

/// Days since 1970-01-01 -> `y * 12 + (m - 1)` (proleptic Gregorian; H. Hinnant's
/// `civil_from_days`).
fn month_of_days(days: i64) -> Option<u32> {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = yoe + era * 400 + i64::from(m <= 2);
    u32::try_from(y * 12 + m - 1).ok()
}

fn read_csv(file: &Path) -> Result<Bill, InputError> {
    let handle = File::open(file).map_err(|e| InputError::Read {
        path: file.to_path_buf(),
        source: e,
    })?;
    let mut reader = csv::ReaderBuilder::new()
        .flexible(false)
        .from_reader(std::io::BufReader::with_capacity(1 << 20, handle));
    let csv_error = |e: &csv::Error| match e.position() {
        Some(p) => InputError::at(file, p.line() as usize, 1, format!("malformed row: {e}")),
        None => InputError::file(file, e.to_string()),
    };
    let headers: Vec<String> = reader
        .headers()
        .map_err(|e| csv_error(&e))?
        .iter()
        .map(|h| h.trim_start_matches('\u{feff}').to_string())
        .collect();
    let layout = Layout::detect(file, &headers)?;
    let index = |name: &Option<String>| {
        name.as_ref()
            .and_then(|n| headers.iter().position(|h| h == n))
    };
    let at = |name: &str| headers.iter().position(|h| h == name).unwrap_or(0);
    let [service, month, currency, cost] = layout.required.clone().map(|c| at(&c));
    let (usage, region, line_type) = (
        index(&layout.usage_type),
        index(&layout.region),
        index(&layout.line_type),
    );
    let mut agg = Aggregate::default();
    let mut record = csv::StringRecord::new();
    loop {
        match reader.read_record(&mut record) {
            Ok(true) => {}
            Ok(false) => break,
            Err(e) => return Err(csv_error(&e)),
        }
        let line = record.position().map_or(0, csv::Position::line);
        let cell = |i: usize| record.get(i).unwrap_or("");
        let bad = |col: usize, what: &str| {
            InputError::at(
                file,
                line as usize,
                col + 1,
                format!("malformed row: {} {what}", headers[col]),
            )
        };
        let cost_text = cell(cost).trim();
        let cost_value: f64 = cost_text
            .parse()
            .ok()
            .filter(|c: &f64| c.is_finite())
            .ok_or_else(|| bad(cost, &format!("`{cost_text}` is not a number")))?;
        let month_value = month_of_text(cell(month).trim())
            .ok_or_else(|| bad(month, &format!("`{}` is not a date", cell(month))))?;
        agg.add(
            &Row {
                service: cell(service),
                usage_type: usage.map_or("", cell),
                region: region.map_or("", cell),
                line_type: line_type.map(cell),
                month: month_value,
                currency: cell(currency),
                cost: cost_value,
            },
            line,
        );
    }
    Ok(agg.finish(file, layout.format))
}

fn polars_error(file: &Path, e: &PolarsError) -> InputError {
    InputError::file(file, format!("cannot read as Parquet: {e}"))
}

fn read_parquet(file: &Path) -> Result<Bill, InputError> {
    let open = || {
        File::open(file).map_err(|e| InputError::Read {
            path: file.to_path_buf(),
            source: e,
        })
    };
    let mut reader = ParquetReader::new(open()?);
    let schema = reader.schema().map_err(|e| polars_error(file, &e))?;
    let names: Vec<String> = schema.iter_names().map(|n| n.to_string()).collect();
    let layout = Layout::detect(file, &names)?;
    let metadata = reader
        .get_metadata()
        .map_err(|e| polars_error(file, &e))?
        .clone();
    let mut agg = Aggregate::default();
    let mut offset = 0usize;
    for group in &metadata.row_groups {
        let rows = group.num_rows();
        let batch = row_group(open()?, &metadata, layout.columns(), offset, rows)
            .map_err(|e| polars_error(file, &e))?;
        fold_batch(file, &layout, &batch, offset, &mut agg)?;
        offset += rows;
    }
    Ok(agg.finish(file, layout.format))
}

/// One row group's `columns`: the slice `offset..offset + rows` that is exactly the group,
/// so polars decodes that group's pages only (the test below checks the rows it returns).
fn row_group(
    handle: File,
    metadata: &polars::io::parquet::metadata::FileMetadataRef,
    columns: Vec<String>,
    offset: usize,
    rows: usize,
) -> PolarsResult<DataFrame> {
    let mut reader = ParquetReader::new(handle);
    reader.set_metadata(metadata.clone());
    reader
        .with_columns(Some(columns))
        .with_slice(Some((offset, rows)))
        .finish()
}

/// A text column of the batch (absent columns read as empty text).
fn text_column(
    file: &Path,
    batch: &DataFrame,
    name: Option<&str>,
) -> Result<StringChunked, InputError> {
    let Some(name) = name else {
        return Ok(StringChunked::full("".into(), "", batch.height()));
    };
    let column = batch.column(name).map_err(|e| polars_error(file, &e))?;
    let text = column
        .cast(&DataType::String)
        .map_err(|e| polars_error(file, &e))?;
    Ok(text.str().map_err(|e| polars_error(file, &e))?.clone())
}

/// The month of every row of a date column: text (`2026-11-01T00:00:00Z`), a date or a
/// datetime. `None` where a row has none.
fn month_column(
    file: &Path,
    batch: &DataFrame,
    name: &str,
) -> Result<Vec<Option<u32>>, InputError> {
    let column = batch.column(name).map_err(|e| polars_error(file, &e))?;
    let per_day: Option<i64> = match column.dtype() {
        DataType::Date => Some(1),
        DataType::Datetime(TimeUnit::Milliseconds, _) => Some(86_400_000),
        DataType::Datetime(TimeUnit::Microseconds, _) => Some(86_400_000_000),
        DataType::Datetime(TimeUnit::Nanoseconds, _) => Some(86_400_000_000_000),
        _ => None,
    };
    let Some(per_day) = per_day else {
        let text = text_column(file, batch, Some(name))?;
        return Ok(text.iter().map(|t| t.and_then(month_of_text)).collect());
    };
    let ticks = column
        .to_physical_repr()
        .cast(&DataType::Int64)
        .map_err(|e| polars_error(file, &e))?;
    let ticks = ticks.i64().map_err(|e| polars_error(file, &e))?;
    Ok(ticks
        .iter()
        .map(|t| t.and_then(|t| month_of_days(t.div_euclid(per_day))))
        .collect())
}

fn fold_batch(
    file: &Path,
    layout: &Layout,
    batch: &DataFrame,
    offset: usize,
    agg: &mut Aggregate,
) -> Result<(), InputError> {
    let [service_name, month_name, currency_name, cost_name] = &layout.required;
    let service = text_column(file, batch, Some(service_name))?;
    let currency = text_column(file, batch, Some(currency_name))?;
    let usage = text_column(file, batch, layout.usage_type.as_deref())?;
    let region = text_column(file, batch, layout.region.as_deref())?;
    let line_type = text_column(file, batch, layout.line_type.as_deref())?;
    let months = month_column(file, batch, month_name)?;
    let cost_column = batch
        .column(cost_name)
        .map_err(|e| polars_error(file, &e))?;
    let cost = cost_column
        .cast(&DataType::Float64)
        .map_err(|e| polars_error(file, &e))?;
    let cost = cost.f64().map_err(|e| polars_error(file, &e))?;
    let bad = |i: usize, column: &str, what: &str| {
        InputError::field(
            file,
            format!("row {}, column {column}", offset + i + 1),
            format!("malformed row: {what}"),
        )
    };
    let rows = service
        .iter()
        .zip(currency.iter())
        .zip(usage.iter())
        .zip(region.iter())
        .zip(line_type.iter())
        .zip(months)
        .zip(cost.iter());
    for (i, ((((((s, c), u), r), t), m), x)) in rows.enumerate() {
        let x = x
            .filter(|x| x.is_finite())
            .ok_or_else(|| bad(i, cost_name, "empty or not a number"))?;
        let m = m.ok_or_else(|| bad(i, month_name, "empty or not a date"))?;
        agg.add(
            &Row {
                service: s.unwrap_or(""),
                usage_type: u.unwrap_or(""),
                region: r.unwrap_or(""),
                line_type: layout.line_type.as_ref().map(|_| t.unwrap_or("")),
                month: m,
                currency: c.unwrap_or(""),
                cost: x,
            },
            (offset + i + 1) as u64,
        );
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_slice_reads_exactly_its_row_group() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("bill.parquet");
        // Two full row groups and a short third: 2 x 262,144 + 10 rows.
        let rows = 2 * super::super::generate::ROW_GROUP_ROWS + 10;
        super::super::generate::write_bill(rows, "2026-11", &path).unwrap();
        let mut reader = ParquetReader::new(File::open(&path).unwrap());
        let metadata = reader.get_metadata().unwrap().clone();
        let sizes: Vec<usize> = metadata.row_groups.iter().map(|g| g.num_rows()).collect();
        assert_eq!(sizes, vec![262_144, 262_144, 10]);
        // The third group alone: 10 rows, the first of them row 524,288 (0-based) of the
        // file, so its usage type is the generator's for that row, not row 0's.
        let columns = vec!["x_UsageType".to_string(), "EffectiveCost".to_string()];
        let batch = row_group(File::open(&path).unwrap(), &metadata, columns, 524_288, 10).unwrap();
        assert_eq!(batch.height(), 10);
        assert_eq!(batch.width(), 2);
        let usage = batch
            .column("x_UsageType")
            .unwrap()
            .str()
            .unwrap()
            .get(0)
            .unwrap()
            .to_string();
        let expected = super::super::generate::usage_type_of_row(524_288);
        assert_eq!(usage, expected);
        // The whole file reads every row once.
        let bill = read(&path).unwrap();
        assert_eq!(bill.rows, rows as u64);
        assert_eq!(
            bill.groups.iter().map(|(_, t)| t.rows).sum::<u64>(),
            rows as u64
        );
    }

    #[test]
    fn months_from_text_and_days() {
        assert_eq!(month_of_text("2026-11-01T00:00:00Z"), Some(2026 * 12 + 10));
        assert_eq!(month_of_text("2026-13-01"), None);
        assert_eq!(month_of_text("Nov 2026"), None);
        assert_eq!(month_of_days(0), Some(1970 * 12));
        assert_eq!(month_of_days(31), Some(1970 * 12 + 1)); // 1970-02-01
        assert_eq!(month_of_days(59), Some(1970 * 12 + 2)); // 1970-03-01 (28-day February)
        assert_eq!(month_of_days(20_454), Some(2026 * 12)); // 2026-01-01: 56 * 365 + 14 leap days
    }
}
