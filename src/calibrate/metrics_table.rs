//! A metrics table, whatever file it came from: a `timestamp` column (unix seconds, strictly
//! increasing) and one column per series of [`SERIES`] (at least `requests_per_s`); a missing
//! value is a missing sample. The CSV and Parquet readers check the header here and hand over
//! rows; errors name the file, the row and the column.

use crate::calibrate::series::{Observed, SERIES, Series};
use crate::error::Error;

/// The columns of a header: `None` for `timestamp`, else the series name; and the index of
/// the `timestamp` column. `row` names the header's row in errors (`row 1` in a CSV).
pub fn columns(
    shown: &str,
    row: &str,
    header: &[&str],
) -> Result<(Vec<Option<&'static str>>, usize), Error> {
    let names: Vec<&'static str> = SERIES.iter().map(|s| s.0).collect();
    let mut columns = Vec::new();
    for (i, h) in header.iter().enumerate() {
        if *h == "timestamp" {
            columns.push(None);
            continue;
        }
        let Some(name) = names.iter().find(|n| *n == h) else {
            return Err(Error::Usage(format!(
                "{shown}: {row}, column {}: unknown series `{h}`{}; expected `timestamp` and any of: {}",
                i + 1,
                crate::error::did_you_mean(h, names.iter().copied()),
                names.join(", ")
            )));
        };
        columns.push(Some(*name));
    }
    let Some(time_col) = header.iter().position(|h| *h == "timestamp") else {
        return Err(Error::Usage(format!(
            "{shown}: {row}: no `timestamp` column"
        )));
    };
    Ok((columns, time_col))
}

/// Rows taken in file order into series.
pub struct Table {
    shown: String,
    observed: Observed,
    first: f64,
    previous: f64,
}

impl Table {
    #[must_use]
    pub fn new(shown: &str) -> Table {
        Table {
            shown: shown.to_string(),
            observed: Observed::default(),
            first: f64::INFINITY,
            previous: f64::NEG_INFINITY,
        }
    }

    /// One row: its timestamp (`row` names it in errors) and (series, value) pairs.
    pub fn push(
        &mut self,
        row: usize,
        t: Option<f64>,
        values: impl Iterator<Item = (&'static str, Option<f64>)>,
    ) -> Result<(), Error> {
        let shown = &self.shown;
        let Some(t) = t else {
            return Err(Error::Usage(format!(
                "{shown}: row {row}: empty `timestamp`"
            )));
        };
        if t <= self.previous {
            return Err(Error::Usage(format!(
                "{shown}: row {row}: timestamp {t} is not after the previous row's ({})",
                self.previous
            )));
        }
        self.previous = t;
        self.first = self.first.min(t);
        for (name, v) in values {
            if let Some(v) = v {
                self.observed
                    .series
                    .entry(name.to_string())
                    .or_insert_with(|| Series {
                        samples: Vec::new(),
                        source: format!("{shown} column `{name}`"),
                    })
                    .samples
                    .push((t, v));
            }
        }
        Ok(())
    }

    /// The series read, and the window they cover.
    pub fn finish(self) -> Result<Observed, Error> {
        let shown = self.shown;
        let mut observed = self.observed;
        if !observed.series.contains_key("requests_per_s") {
            return Err(Error::Usage(format!(
                "{shown}: no `requests_per_s` samples"
            )));
        }
        let (first, last) = (self.first, self.previous);
        observed.window = format!(
            "{shown}: unix {first} to {last} ({} days)",
            (last - first) / 86_400.0
        );
        Ok(observed)
    }
}
