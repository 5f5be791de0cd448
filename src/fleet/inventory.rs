//! The inventory CSV: one row per group of identical instances (or GB, pods...) that run.
//!
//! ```csv
//! component,item,instance,count,region
//! users-db,primary,db.r6g.2xlarge,3,us-east-1
//! api,node,c6i.4xlarge,12,
//! ```
//!
//! `component` and `item` name a scenario component and one of its plan lines (as in
//! `costs.csv`); `instance` and `region` may be empty. Rows of the same line add up. A region
//! is one of the scenario's (or `global`, for the CDN and object storage); where every row of
//! a line names one, `check` compares each region too.

use std::path::Path;

use serde::Deserialize;

use crate::error::InputError;
use crate::input::Scenario;

use super::FleetEntry;

/// The most rows an inventory may have.
pub const MAX_ROWS: usize = 100_000;

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Row {
    component: String,
    item: String,
    instance: Option<String>,
    count: u64,
    region: Option<String>,
}

/// Reads the rows of an inventory.
pub fn read(path: &Path, text: &str, scenario: &Scenario) -> Result<Vec<FleetEntry>, InputError> {
    let mut rdr = csv::ReaderBuilder::new()
        .trim(csv::Trim::All)
        .from_reader(text.as_bytes());
    let headers = rdr
        .headers()
        .map_err(|e| InputError::at(path, 1, 1, format!("bad inventory header: {e}")))?
        .clone();
    let mut out = Vec::new();
    for (i, record) in rdr.records().enumerate() {
        if i >= MAX_ROWS {
            return Err(InputError::file(
                path,
                format!("more than {MAX_ROWS} rows; at most {MAX_ROWS} are allowed"),
            ));
        }
        let fallback_line = i + 2;
        let record = record.map_err(|e| {
            let line = e
                .position()
                .map_or(fallback_line as u64, csv::Position::line);
            InputError::at(path, line as usize, 1, format!("bad inventory row: {e}"))
        })?;
        let line = record
            .position()
            .map_or(fallback_line as u64, csv::Position::line) as usize;
        let row: Row = record.deserialize(Some(&headers)).map_err(|e| {
            InputError::at(
                path,
                line,
                1,
                format!(
                    "bad inventory row: {e} (expected columns component,item,instance,count,region; count a whole number)"
                ),
            )
        })?;
        super::known_component(
            path,
            &format!("line {line}: component"),
            scenario,
            &row.component,
        )?;
        let blank = |s: Option<String>| s.filter(|s| !s.is_empty());
        let region = blank(row.region);
        if let Some(r) = &region {
            let mut known: Vec<&str> = scenario
                .spec
                .regions
                .iter()
                .map(|r| r.name.as_str())
                .collect();
            // Global kinds (CDN, object storage) count in one region called `global`.
            known.push("global");
            if !known.contains(&r.as_str()) {
                return Err(InputError::at(
                    path,
                    line,
                    1,
                    format!(
                        "region `{r}` is not one of the scenario's{}; its regions: {}",
                        crate::error::did_you_mean(r, known.iter().copied()),
                        known.join(", ")
                    ),
                ));
            }
        }
        out.push(FleetEntry {
            component: row.component,
            item: row.item,
            instance: blank(row.instance),
            count: super::checked_count(path, &format!("line {line}: count"), row.count)?,
            region,
            origin: format!("{}:{line}", path.display()),
        });
    }
    Ok(out)
}
