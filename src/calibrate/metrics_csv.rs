//! Observed series from a metrics CSV: a `timestamp` column (unix seconds) and one column per
//! series of [`SERIES`] (at least `requests_per_s`); an empty cell is a missing sample.

use std::path::Path;

use crate::calibrate::series::{Observed, SERIES, Series};
use crate::error::Error;

/// Reads `path`. Errors name the file, and the row (1 = the header) and column at fault.
pub fn read(path: &Path) -> Result<Observed, Error> {
    let shown = path.display();
    let bytes =
        std::fs::read(path).map_err(|e| Error::Usage(format!("cannot read {shown}: {e}")))?;
    let mut reader = csv::ReaderBuilder::new()
        .trim(csv::Trim::All)
        .from_reader(bytes.as_slice());
    let header = reader
        .headers()
        .map_err(|e| Error::Usage(format!("{shown}: row 1: {e}")))?
        .clone();
    let names: Vec<&str> = SERIES.iter().map(|s| s.0).collect();
    let mut columns: Vec<Option<&str>> = Vec::new();
    for (i, h) in header.iter().enumerate() {
        if h == "timestamp" {
            columns.push(None);
            continue;
        }
        let Some(name) = names.iter().find(|n| **n == h) else {
            return Err(Error::Usage(format!(
                "{shown}: row 1, column {}: unknown series `{h}`{}; expected `timestamp` and any of: {}",
                i + 1,
                crate::error::did_you_mean(h, names.iter().copied()),
                names.join(", ")
            )));
        };
        columns.push(Some(name));
    }
    let Some(time_col) = header.iter().position(|h| h == "timestamp") else {
        return Err(Error::Usage(format!(
            "{shown}: row 1: no `timestamp` column"
        )));
    };
    let mut observed = Observed::default();
    let mut first = f64::INFINITY;
    let mut last = f64::NEG_INFINITY;
    let mut previous = f64::NEG_INFINITY;
    for (i, record) in reader.records().enumerate() {
        let row = i + 2;
        let record = record.map_err(|e| Error::Usage(format!("{shown}: row {row}: {e}")))?;
        let number = |col: usize| -> Result<Option<f64>, Error> {
            let cell = record.get(col).unwrap_or("");
            if cell.is_empty() {
                return Ok(None);
            }
            match cell.parse::<f64>() {
                Ok(v) if v.is_finite() => Ok(Some(v)),
                _ => Err(Error::Usage(format!(
                    "{shown}: row {row}, column `{}`: `{cell}` is not a number",
                    header.get(col).unwrap_or("")
                ))),
            }
        };
        let Some(t) = number(time_col)? else {
            return Err(Error::Usage(format!(
                "{shown}: row {row}: empty `timestamp`"
            )));
        };
        if t <= previous {
            return Err(Error::Usage(format!(
                "{shown}: row {row}: timestamp {t} is not after the previous row's ({previous})"
            )));
        }
        previous = t;
        first = first.min(t);
        last = last.max(t);
        for (col, name) in columns.iter().enumerate() {
            let Some(name) = name else { continue };
            if let Some(v) = number(col)? {
                observed
                    .series
                    .entry((*name).to_string())
                    .or_insert_with(|| Series {
                        samples: Vec::new(),
                        source: format!("{shown} column `{name}`"),
                    })
                    .samples
                    .push((t, v));
            }
        }
    }
    if !observed.series.contains_key("requests_per_s") {
        return Err(Error::Usage(format!(
            "{shown}: no `requests_per_s` samples"
        )));
    }
    observed.window = format!(
        "{shown}: unix {first} to {last} ({} days)",
        (last - first) / 86_400.0
    );
    Ok(observed)
}
