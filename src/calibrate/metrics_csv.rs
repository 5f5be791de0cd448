//! Observed series from a metrics CSV (the table of [`metrics_table`]); an empty cell is a
//! missing sample.
//!
//! [`metrics_table`]: crate::calibrate::metrics_table

use std::path::Path;

use crate::calibrate::metrics_table::{Table, columns};
use crate::calibrate::series::Observed;
use crate::error::Error;

/// Reads `path`. Errors name the file, and the row (1 = the header) and column at fault.
pub fn read(path: &Path) -> Result<Observed, Error> {
    let shown = path.display().to_string();
    let bytes =
        std::fs::read(path).map_err(|e| Error::Usage(format!("cannot read {shown}: {e}")))?;
    let mut reader = csv::ReaderBuilder::new()
        .trim(csv::Trim::All)
        .from_reader(bytes.as_slice());
    let header = reader
        .headers()
        .map_err(|e| Error::Usage(format!("{shown}: row 1: {e}")))?
        .clone();
    let names: Vec<&str> = header.iter().collect();
    let (columns, time_col) = columns(&shown, "row 1", &names)?;
    let mut table = Table::new(&shown);
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
        let values = columns
            .iter()
            .enumerate()
            .filter_map(|(col, name)| Some((col, (*name)?)))
            .map(|(col, name)| Ok((name, number(col)?)))
            .collect::<Result<Vec<_>, Error>>()?;
        table.push(row, number(time_col)?, values.into_iter())?;
    }
    table.finish()
}
