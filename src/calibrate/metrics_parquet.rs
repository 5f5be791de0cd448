//! Observed series from a metrics Parquet file (the table of [`metrics_table`]), read with
//! polars' eager `ParquetReader`: columns of integers or floats; a null is a missing sample.
//!
//! [`metrics_table`]: crate::calibrate::metrics_table

use std::path::Path;

use polars::prelude::*;

use crate::calibrate::metrics_table::{Table, columns};
use crate::calibrate::series::Observed;
use crate::error::Error;

/// Reads `path`. Errors name the file, and the row (1 = the first data row) and column at
/// fault.
pub fn read(path: &Path) -> Result<Observed, Error> {
    let shown = path.display().to_string();
    let file =
        std::fs::File::open(path).map_err(|e| Error::Usage(format!("cannot read {shown}: {e}")))?;
    let frame = ParquetReader::new(file)
        .finish()
        .map_err(|e| Error::Usage(format!("{shown}: not a readable Parquet file: {e}")))?;
    let header: Vec<&str> = frame
        .get_column_names()
        .into_iter()
        .map(PlSmallStr::as_str)
        .collect();
    let (columns, time_col) = columns(&shown, "the schema", &header)?;
    // Every column as f64 (nulls kept): integers and floats only.
    let mut values: Vec<Vec<Option<f64>>> = Vec::new();
    for (name, column) in header.iter().zip(frame.columns()) {
        let dtype = column.dtype();
        if !(dtype.is_integer() || dtype.is_float()) {
            return Err(Error::Usage(format!(
                "{shown}: column `{name}`: {dtype} values are not numbers (integers or floats expected)"
            )));
        }
        let floats = column
            .cast(&DataType::Float64)
            .and_then(|c| c.f64().cloned())
            .map_err(|e| Error::Usage(format!("{shown}: column `{name}`: {e}")))?;
        values.push(floats.iter().collect());
    }
    let mut table = Table::new(&shown);
    for (i, t) in values[time_col].iter().enumerate() {
        let row = i + 1;
        for (col, name) in header.iter().enumerate() {
            if let Some(v) = values[col][i].filter(|v| !v.is_finite()) {
                return Err(Error::Usage(format!(
                    "{shown}: row {row}, column `{name}`: `{v}` is not a finite number"
                )));
            }
        }
        let row_values = columns
            .iter()
            .enumerate()
            .filter_map(|(col, name)| Some(((*name)?, values[col][i])));
        table.push(row, *t, row_values)?;
    }
    table.finish()
}
