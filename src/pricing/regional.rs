//! Where a price applies: which CDN geography serves a region's users, and which services
//! have no published row in a region and take another region's list price instead.
//!
//! Two data files of a provider folder, beside its price tables:
//!
//! * `cdn-geographies.csv` (`region,geography,source,as_of,notes`): the CDN edge geography
//!   that bills the traffic of users homed in a region. CDN egress and requests are split
//!   over geographies by the regions' user shares, each geography with its own tiers.
//! * `price-fallbacks.csv` (`service,region,priced_as,source,as_of,notes`): a service with no
//!   collected row in `region` (`*`: any region) is priced at `priced_as`'s row for the same
//!   item. Such a price is `uncertain`: the plan names every line that uses one.

use std::collections::BTreeMap;
use std::path::Path;

use serde::Deserialize;

use crate::error::InputError;

/// The CDN geography file's name.
pub const GEOGRAPHIES_FILE: &str = "cdn-geographies.csv";
/// The price-fallback file's name.
pub const FALLBACKS_FILE: &str = "price-fallbacks.csv";

/// The columns of `cdn-geographies.csv`, in order.
pub const GEOGRAPHY_COLUMNS: &[&str] = &["region", "geography", "source", "as_of", "notes"];
/// The columns of `price-fallbacks.csv`, in order.
pub const FALLBACK_COLUMNS: &[&str] =
    &["service", "region", "priced_as", "source", "as_of", "notes"];

/// A service priced at another region's row where its own region has none.
#[derive(Debug, Clone, PartialEq)]
pub struct Fallback {
    pub service: String,
    /// The region without rows, or `*` for every region.
    pub region: String,
    pub priced_as: String,
    pub source: String,
    /// `file:line` of the row.
    pub origin: String,
}

/// The regional data of one provider folder.
#[derive(Debug, Clone, Default)]
pub struct Regional {
    /// Region -> CDN geography.
    pub geographies: BTreeMap<String, String>,
    pub fallbacks: Vec<Fallback>,
}

#[derive(Debug, Deserialize)]
struct GeographyRow {
    region: String,
    geography: String,
    source: String,
    as_of: String,
    #[allow(dead_code, reason = "read so the column is checked")]
    notes: Option<String>,
}

#[derive(Debug, Deserialize)]
struct FallbackRow {
    service: String,
    region: String,
    priced_as: String,
    source: String,
    as_of: String,
    #[allow(dead_code, reason = "read so the column is checked")]
    notes: Option<String>,
}

/// Reads the rows of `file` (when present) with `columns` as the exact header.
fn rows<T: serde::de::DeserializeOwned>(
    file: &Path,
    columns: &[&str],
) -> Result<Vec<(usize, T)>, InputError> {
    if !file.exists() {
        return Ok(Vec::new());
    }
    let text = std::fs::read_to_string(file).map_err(|source| InputError::Read {
        path: file.to_path_buf(),
        source,
    })?;
    let mut rdr = csv::ReaderBuilder::new()
        .trim(csv::Trim::All)
        .from_reader(text.as_bytes());
    let found: Vec<String> = rdr
        .headers()
        .map_err(|e| InputError::at(file, 1, 1, format!("cannot read the header: {e}")))?
        .iter()
        .map(String::from)
        .collect();
    if found != columns {
        return Err(InputError::at(
            file,
            1,
            1,
            format!(
                "the header must be exactly `{}`, found `{}`",
                columns.join(","),
                found.join(",")
            ),
        ));
    }
    let mut out = Vec::new();
    for (i, row) in rdr.deserialize::<T>().enumerate() {
        let line = i + 2;
        let row = row.map_err(|e| InputError::at(file, line, 1, format!("bad row: {e}")))?;
        out.push((line, row));
    }
    Ok(out)
}

fn check_dated(file: &Path, line: usize, source: &str, as_of: &str) -> Result<(), InputError> {
    if source.trim().is_empty() {
        return Err(InputError::at(
            file,
            line,
            1,
            "source is empty: every row needs one",
        ));
    }
    if !crate::pricing::table::is_iso_date(as_of) {
        return Err(InputError::at(
            file,
            line,
            1,
            format!("as_of `{as_of}` is not a YYYY-MM-DD date"),
        ));
    }
    Ok(())
}

impl Regional {
    /// Reads both files of `dir` (each is optional).
    pub fn load(dir: &Path) -> Result<Regional, InputError> {
        let mut regional = Regional::default();
        let file = dir.join(GEOGRAPHIES_FILE);
        for (line, row) in rows::<GeographyRow>(&file, GEOGRAPHY_COLUMNS)? {
            check_dated(&file, line, &row.source, &row.as_of)?;
            if regional
                .geographies
                .insert(row.region.clone(), row.geography)
                .is_some()
            {
                return Err(InputError::at(
                    &file,
                    line,
                    1,
                    format!("region `{}` is listed twice", row.region),
                ));
            }
        }
        let file = dir.join(FALLBACKS_FILE);
        for (line, row) in rows::<FallbackRow>(&file, FALLBACK_COLUMNS)? {
            check_dated(&file, line, &row.source, &row.as_of)?;
            if row.priced_as == row.region || row.priced_as == "*" {
                return Err(InputError::at(
                    &file,
                    line,
                    1,
                    format!(
                        "`{}` in `{}` cannot be priced as `{}`",
                        row.service, row.region, row.priced_as
                    ),
                ));
            }
            regional.fallbacks.push(Fallback {
                service: row.service,
                region: row.region,
                priced_as: row.priced_as,
                source: row.source,
                origin: format!("{}:{line}", file.display()),
            });
        }
        Ok(regional)
    }
}
