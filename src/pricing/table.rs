//! Pricing tables (`pricing/<provider>/*.csv`): loading, checking and looking up prices.
//!
//! Every row carries its source and as-of date. A price is keyed by (service, item, region);
//! tiered prices are several rows with the same key and contiguous `tier_start..tier_end`.
//! Rows may come in any order and any file of the folder: the book is the same.

use std::borrow::Borrow;
use std::cmp::Ordering;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, PoisonError};

use serde::{Deserialize, Serialize};

use crate::error::{InputError, close_matches};
use crate::pricing::entries::Entries;
use crate::pricing::regional::Regional;
use crate::pricing::tiers::{Tier, check_contiguous};
use crate::pricing::unit::PriceUnit;

/// The largest unit price a table may hold; anything above is a typo (and would overflow bills).
pub const MAX_UNIT_PRICE_USD: f64 = 1e9;

/// Files of a provider folder that map keys to another provider's, not price rows.
/// (`cdn-geographies.csv` and `price-fallbacks.csv` say where prices apply: [`Regional`].)
pub const MAPPING_FILES: &[&str] = &[
    "equivalents.csv",
    "regions.csv",
    crate::pricing::regional::GEOGRAPHIES_FILE,
    crate::pricing::regional::FALLBACKS_FILE,
];

/// The columns of a price table, in order.
pub const PRICE_COLUMNS: &[&str] = &[
    "service",
    "item",
    "region",
    "unit",
    "price_usd",
    "tier_start",
    "tier_end",
    "source",
    "as_of",
    "confidence",
    "notes",
];

/// The columns of `discounts.csv`, in order.
pub const DISCOUNT_COLUMNS: &[&str] = &[
    "name",
    "multiplier",
    "applies_to",
    "source",
    "as_of",
    "confidence",
    "notes",
];

/// How far a price can be trusted.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Confidence {
    /// From the provider's price list, or two sources agree.
    High,
    /// One credible source.
    Medium,
    /// Derived or weakly sourced: every plan using it says so.
    Uncertain,
}

/// One price: a key, a unit, one or more tiers, and where it comes from.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PriceEntry {
    pub service: String,
    pub item: String,
    pub region: String,
    pub unit: PriceUnit,
    /// One unbounded tier for a flat price.
    pub tiers: Vec<Tier>,
    pub source: String,
    pub as_of: String,
    pub confidence: Confidence,
    pub notes: String,
    /// `file:line` of the row (first tier) the price came from.
    pub origin: String,
}

impl PriceEntry {
    /// True when the price has more than one band.
    #[must_use]
    pub fn is_tiered(&self) -> bool {
        self.tiers.len() > 1
    }
}

/// A named multiplier on list prices (reserved, savings plan, spot, committed use).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Discount {
    pub name: String,
    /// Net price / list price.
    pub multiplier: f64,
    /// Services it may apply to (empty = any).
    pub applies_to: Vec<String>,
    pub source: String,
    pub as_of: String,
    pub confidence: Confidence,
}

/// All prices and discounts of one provider.
#[derive(Debug, Clone, Default)]
pub struct PriceBook {
    /// Folder the tables were read from.
    pub dir: PathBuf,
    /// Shared: every Monte Carlo block and plan variant clones the scenario, and the rows
    /// (thousands, each with its strings and tiers) never change after loading.
    entries: Arc<Entries>,
    discounts: BTreeMap<String, Discount>,
    /// For a provider priced through AWS-keyed scenarios: (AWS service, AWS item) -> this
    /// provider's (service, item), `None` where it has no equivalent.
    equivalents: Option<Equivalents>,
    /// AWS region (or CDN geography) -> this provider's.
    regions: BTreeMap<String, String>,
    /// Regions' CDN geographies and the services priced at another region's rows.
    regional: Regional,
    /// Why each key asked for and not found has no price, built once per key.
    missing: MissingMessages,
}

/// A price key, owned or borrowed: a lookup by `(&str, &str, &str)` allocates nothing
/// (a plan looks prices up for every candidate shape, phase and month).
trait PriceKey {
    fn parts(&self) -> (&str, &str, &str);
}

impl PriceKey for (String, String, String) {
    fn parts(&self) -> (&str, &str, &str) {
        (&self.0, &self.1, &self.2)
    }
}

impl PriceKey for (&str, &str, &str) {
    fn parts(&self) -> (&str, &str, &str) {
        *self
    }
}

impl<'a> Borrow<dyn PriceKey + 'a> for (String, String, String) {
    fn borrow(&self) -> &(dyn PriceKey + 'a) {
        self
    }
}

// Ordered as the owned tuple is (field by field), so the map finds the same entry.
impl PartialEq for dyn PriceKey + '_ {
    fn eq(&self, other: &Self) -> bool {
        self.parts() == other.parts()
    }
}

impl Eq for dyn PriceKey + '_ {}

impl PartialOrd for dyn PriceKey + '_ {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for dyn PriceKey + '_ {
    fn cmp(&self, other: &Self) -> Ordering {
        self.parts().cmp(&other.parts())
    }
}

/// The message of each missing key, kept once built: sizing asks for the same missing
/// price for every candidate and phase, and the message scans the service's rows for close
/// matches. A copy of the book starts empty (the messages depend only on the rows).
#[derive(Debug, Default)]
struct MissingMessages(Mutex<BTreeMap<(String, String, String), String>>);

impl Clone for MissingMessages {
    fn clone(&self) -> Self {
        MissingMessages::default()
    }
}

/// (AWS service, AWS item) -> this provider's (service, item), or `None` (no equivalent).
/// AWS service -> AWS item -> this provider's (service, item), `None` where it has none.
/// Nested so that a lookup, one per priced line on a re-priced plan, borrows its keys.
type Equivalents = BTreeMap<String, BTreeMap<String, Option<(String, String)>>>;

#[derive(Debug, Deserialize)]
struct EquivalentRow {
    aws_service: String,
    aws_item: String,
    service: Option<String>,
    item: Option<String>,
    #[allow(dead_code, reason = "read so the column is checked")]
    notes: Option<String>,
}

#[derive(Debug, Deserialize)]
struct RegionRow {
    aws_region: String,
    region: String,
    #[allow(dead_code, reason = "read so the column is checked")]
    notes: Option<String>,
}

#[derive(Debug, Deserialize)]
struct PriceRow {
    service: String,
    item: String,
    region: String,
    unit: String,
    price_usd: f64,
    tier_start: Option<f64>,
    tier_end: Option<f64>,
    source: String,
    as_of: String,
    confidence: Confidence,
    notes: Option<String>,
}

#[derive(Debug, Deserialize)]
struct DiscountRow {
    name: String,
    multiplier: f64,
    applies_to: Option<String>,
    source: String,
    as_of: String,
    confidence: Confidence,
    #[allow(
        dead_code,
        reason = "read so the column is checked; shown only in the tables"
    )]
    notes: Option<String>,
}

/// Checks an ISO date `YYYY-MM-DD` (calendar-valid).
#[must_use]
pub fn is_iso_date(s: &str) -> bool {
    let b = s.as_bytes();
    if b.len() != 10 || b[4] != b'-' || b[7] != b'-' {
        return false;
    }
    let digits = |r: std::ops::Range<usize>| s[r].parse::<u32>().ok();
    let (Some(y), Some(m), Some(d)) = (digits(0..4), digits(5..7), digits(8..10)) else {
        return false;
    };
    let leap = (y.is_multiple_of(4) && !y.is_multiple_of(100)) || y.is_multiple_of(400);
    let days = match m {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        2 if leap => 29,
        2 => 28,
        _ => return false,
    };
    (1..=days).contains(&d) && y >= 1990
}

fn check_header<R: std::io::Read>(
    file: &Path,
    rdr: &mut csv::Reader<R>,
    expected: &[&str],
) -> Result<(), InputError> {
    let headers = rdr
        .headers()
        .map_err(|e| InputError::at(file, 1, 1, format!("cannot read the header: {e}")))?;
    // Trimmed as `csv::Trim::All` trims (Unicode whitespace), for readers that trim by hand.
    let found: Vec<&str> = headers.iter().map(str::trim).collect();
    if found != expected {
        return Err(InputError::at(
            file,
            1,
            1,
            format!(
                "the header must be exactly `{}`, found `{}`",
                expected.join(","),
                found.join(",")
            ),
        ));
    }
    Ok(())
}

fn csv_error(file: &Path, e: &csv::Error) -> InputError {
    let line = e.position().map_or(0, csv::Position::line);
    let message = match e.kind() {
        csv::ErrorKind::Deserialize { err, .. } => {
            let field = err.field().map_or(String::new(), |f| {
                format!(
                    " in column `{}`",
                    PRICE_COLUMNS.get(f as usize).unwrap_or(&"?")
                )
            });
            format!("bad value{field}: {}", err.kind())
        }
        _ => e.to_string(),
    };
    InputError::at(file, line as usize, 1, message)
}

impl PriceBook {
    /// Reads every `*.csv` of `dir` (`discounts.csv` holds discounts; `equivalents.csv` and
    /// `regions.csv` map another provider's keys and are not price rows).
    pub fn load(dir: &Path) -> Result<PriceBook, InputError> {
        let listing = std::fs::read_dir(dir).map_err(|source| InputError::Read {
            path: dir.to_path_buf(),
            source,
        })?;
        let mut files: Vec<PathBuf> = listing
            .filter_map(Result::ok)
            .map(|e| e.path())
            .filter(|p| p.extension().is_some_and(|x| x == "csv"))
            .filter(|p| {
                !p.file_name()
                    .is_some_and(|n| MAPPING_FILES.iter().any(|m| n == *m))
            })
            .collect();
        // Sorted so that a duplicate key is always reported against the same file.
        files.sort();
        if files.is_empty() {
            return Err(InputError::file(
                dir,
                "no price tables (*.csv) in this folder",
            ));
        }
        let mut tables = Vec::with_capacity(files.len());
        for file in files {
            let text = std::fs::read_to_string(&file).map_err(|source| InputError::Read {
                path: file.clone(),
                source,
            })?;
            tables.push((file, text));
        }
        let mut book = PriceBook::from_tables(dir, &tables)?;
        book.regional = Regional::load(dir)?;
        book.apply_regional()?;
        Ok(book)
    }

    /// Checks the regional data against the rows and adds each fallback's prices under the
    /// region it serves (marked `uncertain`, its note naming the region it was taken from).
    fn apply_regional(&mut self) -> Result<(), InputError> {
        let priced: Vec<String> = self
            .priced_regions()
            .into_iter()
            .map(String::from)
            .collect();
        for (region, geography) in &self.regional.geographies {
            if !self.entries.iter().any(|e| e.region == *geography) {
                return Err(InputError::file(
                    &self.dir.join(crate::pricing::regional::GEOGRAPHIES_FILE),
                    format!(
                        "region `{region}` maps to geography `{geography}`, which has no prices"
                    ),
                ));
            }
        }
        let mut added = Vec::new();
        for f in &self.regional.fallbacks {
            let has_rows =
                |region: &str| self.service_entries(&f.service).any(|e| e.region == region);
            if !has_rows(&f.priced_as) {
                return Err(InputError::file(
                    &self.dir.join(crate::pricing::regional::FALLBACKS_FILE),
                    format!(
                        "{}: `{}` is priced as `{}`, where it has no rows",
                        f.origin, f.service, f.priced_as,
                    ),
                ));
            }
            let targets: Vec<&String> = if f.region == "*" {
                priced.iter().filter(|r| **r != f.priced_as).collect()
            } else {
                vec![&f.region]
            };
            for entry in self
                .service_entries(&f.service)
                .filter(|e| e.region == f.priced_as)
            {
                for region in &targets {
                    if self.entries.contains(&entry.service, &entry.item, region) {
                        continue;
                    }
                    let mut copy = entry.clone();
                    copy.region = (*region).clone();
                    copy.confidence = Confidence::Uncertain;
                    // Region-free wording: a line's parts in several such regions share it.
                    copy.source = format!(
                        "{}, the {} price where the region has no row (price-fallbacks.csv)",
                        entry.source, f.priced_as
                    );
                    copy.notes = format!("{}; {}", f.source, entry.notes);
                    copy.origin = format!("{} via {}", entry.origin, f.origin);
                    added.push(copy);
                }
            }
        }
        if !added.is_empty() {
            // The book is not shared yet while it loads: extended in place, not copied.
            Arc::make_mut(&mut self.entries).extend(added);
        }
        Ok(())
    }

    /// The prices of one service, in key order: a range of the rows, not a scan of them all.
    fn service_entries<'b>(&'b self, service: &'b str) -> impl Iterator<Item = &'b PriceEntry> {
        self.entries.of_service(service).iter()
    }

    /// Regions with prices of their own, sorted: the regions of every row but the CDN's
    /// (priced per edge geography) and account-wide ones (`global`).
    #[must_use]
    pub fn priced_regions(&self) -> Vec<&str> {
        let geographies: std::collections::BTreeSet<&str> = self
            .regional
            .geographies
            .values()
            .map(String::as_str)
            .collect();
        // A few dozen regions over thousands of rows: kept sorted as they come (collecting
        // every row's region first, to sort and dedup, was a fresh buffer per call).
        let mut regions: Vec<&str> = Vec::new();
        for e in self.entries.iter() {
            if e.service.starts_with("cloudfront-")
                || e.region == "global"
                || geographies.contains(e.region.as_str())
            {
                continue;
            }
            if let Err(at) = regions.binary_search(&e.region.as_str()) {
                regions.insert(at, &e.region);
            }
        }
        regions
    }

    /// The CDN geography that bills the traffic of users homed in `region`.
    #[must_use]
    pub fn geography_of(&self, region: &str) -> Option<&str> {
        self.regional.geographies.get(region).map(String::as_str)
    }

    /// Builds a book from table texts, as (file name, contents); `dir` names the folder.
    pub fn from_tables(dir: &Path, tables: &[(PathBuf, String)]) -> Result<PriceBook, InputError> {
        let mut book = PriceBook {
            dir: dir.to_path_buf(),
            ..PriceBook::default()
        };
        let rows = book.read_tables(tables)?;
        // Rows grouped by key, each key's tiers by start. The sort is stable, so rows of one
        // key that tie keep file order (the first file, then the first line, is named first
        // when a key is priced twice). Positions are sorted, not the rows, which are large.
        let mut order: Vec<usize> = (0..rows.len()).collect();
        order.sort_by(|&a, &b| {
            let (ka, kb) = (&rows[a].0, &rows[b].0);
            (ka.0.as_str(), ka.1.as_str(), ka.2.as_str())
                .cmp(&(kb.0.as_str(), kb.1.as_str(), kb.2.as_str()))
                .then_with(|| {
                    let start = |r: &KeyedRow| r.1.row.tier_start.unwrap_or(0.0);
                    start(&rows[a]).total_cmp(&start(&rows[b]))
                })
        });
        let mut slots: Vec<Option<KeyedRow>> = rows.into_iter().map(Some).collect();
        let mut entries = Vec::with_capacity(order.len());
        let mut group: Vec<SourcedRow> = Vec::new();
        let mut at = 0;
        while at < order.len() {
            let (key, first) = slots[order[at]].take().expect("each row is taken once");
            group.clear();
            group.push(first);
            at += 1;
            while let Some(&next) = order.get(at)
                && slots[next].as_ref().is_some_and(|(k, _)| *k == key)
            {
                group.push(slots[next].take().expect("each row is taken once").1);
                at += 1;
            }
            entries.push(build_entry(&key, &mut group)?);
        }
        book.entries = Arc::new(Entries::new(entries));
        Ok(book)
    }

    /// Every table's price rows in one list, files in the given order and rows in file
    /// order; `discounts.csv` goes to the discounts. One run of consecutive files, about half
    /// the bytes (for AWS, commitments.csv alone), is parsed on a second thread meanwhile: a
    /// plan waits for its price tables before anything else, and they are a megabyte of CSV.
    /// (A plain scoped thread: rayon's idle workers spin, which cost more CPU than the overlap
    /// saved.) The error reported is the first in file order, whichever thread met it.
    fn read_tables(&mut self, tables: &[(PathBuf, String)]) -> Result<Vec<KeyedRow>, InputError> {
        let sizes: Vec<usize> = tables.iter().map(|(_, text)| text.len()).collect();
        let (from, to) = balanced_run(&sizes);
        let (head, rest) = tables.split_at(from);
        let (middle, tail) = rest.split_at(to - from);
        let (head_rows, middle_rows, tail_rows) = std::thread::scope(|scope| {
            let middle_rows = (!middle.is_empty()).then(|| scope.spawn(|| price_rows_of(middle)));
            let head_rows = price_rows_of(head);
            // After a failed head, the tail's errors come later in file order: not parsed.
            let tail_rows = match &head_rows {
                Ok(_) => price_rows_of(tail),
                Err(_) => Ok(Vec::new()),
            };
            let middle_rows = middle_rows.map_or_else(
                || Ok(Vec::new()),
                |thread| {
                    thread
                        .join()
                        .unwrap_or_else(|p| std::panic::resume_unwind(p))
                },
            );
            (head_rows, middle_rows, tail_rows)
        });
        // The runs in file order, each with the position of its first table.
        let runs = [(0, head_rows), (from, middle_rows), (to, tail_rows)];
        // Discounts in file order, up to the first table that failed to parse.
        let failed = runs
            .iter()
            .find_map(|(first, rows)| rows.as_ref().err().map(|(i, _)| first + i));
        for (i, (file, text)) in tables.iter().enumerate() {
            if failed.is_some_and(|f| i >= f) {
                break;
            }
            if is_discounts(file) {
                self.load_discounts(file, text)?;
            }
        }
        let mut all = Vec::with_capacity(
            runs.iter()
                .map(|(_, rows)| rows.as_ref().map_or(0, Vec::len))
                .sum(),
        );
        for (_, rows) in runs {
            all.extend(rows.map_err(|(_, e)| e)?);
        }
        Ok(all)
    }

    fn load_discounts(&mut self, file: &Path, text: &str) -> Result<(), InputError> {
        let mut rdr = csv::ReaderBuilder::new()
            .trim(csv::Trim::All)
            .from_reader(text.as_bytes());
        check_header(file, &mut rdr, DISCOUNT_COLUMNS)?;
        for (i, record) in rdr.deserialize::<DiscountRow>().enumerate() {
            let row = record.map_err(|e| csv_error(file, &e))?;
            let line = i + 2;
            if !(row.multiplier > 0.0 && row.multiplier <= 1.0) {
                return Err(InputError::at(
                    file,
                    line,
                    1,
                    format!(
                        "multiplier of `{}` must be in (0, 1], got {}",
                        row.name, row.multiplier
                    ),
                ));
            }
            if !is_iso_date(&row.as_of) {
                return Err(InputError::at(
                    file,
                    line,
                    1,
                    format!("as_of `{}` is not a YYYY-MM-DD date", row.as_of),
                ));
            }
            if self.discounts.contains_key(&row.name) {
                return Err(InputError::at(
                    file,
                    line,
                    1,
                    format!("discount `{}` is defined twice", row.name),
                ));
            }
            let applies_to = row
                .applies_to
                .unwrap_or_default()
                .split(';')
                .map(str::trim)
                .filter(|s| !s.is_empty())
                .map(String::from)
                .collect();
            self.discounts.insert(
                row.name.clone(),
                Discount {
                    name: row.name,
                    multiplier: row.multiplier,
                    applies_to,
                    source: row.source,
                    as_of: row.as_of,
                    confidence: row.confidence,
                },
            );
        }
        Ok(())
    }

    /// Reads `equivalents.csv` and `regions.csv` of the book's folder, when present: the
    /// book then prices AWS-keyed lines through this provider's equivalents.
    pub fn load_mapping(&mut self) -> Result<(), InputError> {
        let eq_path = self.dir.join("equivalents.csv");
        if !eq_path.exists() {
            return Ok(());
        }
        let mut map = Equivalents::new();
        let mut rdr = csv::ReaderBuilder::new()
            .trim(csv::Trim::All)
            .from_path(&eq_path)
            .map_err(|e| InputError::file(&eq_path, format!("cannot read: {e}")))?;
        for record in rdr.deserialize::<EquivalentRow>() {
            let row = record.map_err(|e| csv_error(&eq_path, &e))?;
            let target = match (row.service, row.item) {
                (Some(s), Some(i)) if !s.is_empty() && !i.is_empty() => Some((s, i)),
                _ => None,
            };
            map.entry(row.aws_service)
                .or_default()
                .insert(row.aws_item, target);
        }
        self.equivalents = Some(map);
        let region_path = self.dir.join("regions.csv");
        if region_path.exists() {
            let mut rdr = csv::ReaderBuilder::new()
                .trim(csv::Trim::All)
                .from_path(&region_path)
                .map_err(|e| InputError::file(&region_path, format!("cannot read: {e}")))?;
            for record in rdr.deserialize::<RegionRow>() {
                let row = record.map_err(|e| csv_error(&region_path, &e))?;
                self.regions.insert(row.aws_region, row.region);
            }
        }
        Ok(())
    }

    /// Whether this book prices AWS-keyed lines through equivalents.
    #[must_use]
    pub fn maps_keys(&self) -> bool {
        self.equivalents.is_some()
    }

    /// The price of `item` of `service` in `region`, or an error naming close matches.
    /// A mapped book first translates the AWS key into its own.
    pub fn get(&self, service: &str, item: &str, region: &str) -> Result<&PriceEntry, String> {
        if let Some(map) = &self.equivalents {
            let target = map
                .get(service)
                .and_then(|items| items.get(item))
                .ok_or_else(|| {
                    format!(
                        "{} lists no equivalent of `{service}/{item}` (equivalents.csv)",
                        self.dir.display()
                    )
                })?;
            let Some((s, i)) = target else {
                return Err(format!(
                    "{} has no equivalent of `{service}/{item}`",
                    self.dir.display()
                ));
            };
            let r = self.regions.get(region).map_or(region, String::as_str);
            return self.get_own(s, i, r);
        }
        self.get_own(service, item, region)
    }

    fn get_own(&self, service: &str, item: &str, region: &str) -> Result<&PriceEntry, String> {
        if let Some(entry) = self.entries.get(service, item, region) {
            return Ok(entry);
        }
        let key: &dyn PriceKey = &(service, item, region);
        let mut missing = self
            .missing
            .0
            .lock()
            .unwrap_or_else(PoisonError::into_inner);
        if let Some(message) = missing.get(key) {
            return Err(message.clone());
        }
        let message = self.missing_message(service, item, region);
        missing.insert(
            (service.to_string(), item.to_string(), region.to_string()),
            message.clone(),
        );
        Err(message)
    }

    /// Why `item` of `service` has no price in `region`: the regions that price the item, or
    /// else the region's items close to it (a typo), or else the regions that price the service.
    fn missing_message(&self, service: &str, item: &str, region: &str) -> String {
        let same_service: Vec<&PriceEntry> = self.service_entries(service).collect();
        let mut message = format!(
            "no price for item `{item}` of service `{service}` in region `{region}` in {}",
            self.dir.display()
        );
        if same_service.is_empty() {
            let services: Vec<&str> = self.services();
            let close = close_matches(service, services.iter().copied());
            if close.is_empty() {
                message.push_str(&format!("; known services: {}", services.join(", ")));
            } else {
                message.push_str(&format!("; close services: {}", close.join(", ")));
            }
            return message;
        }
        let elsewhere: Vec<&str> = same_service
            .iter()
            .filter(|e| e.item == item)
            .map(|e| e.region.as_str())
            .collect();
        // The item is priced, only not in this region: its name is no typo, and items of the
        // region that look like it (`m6i.xlarge` for `m6i.metal`) are no answer. Auto-selection
        // meets this for every shape a region does not sell, so it is also the common case.
        if !elsewhere.is_empty() {
            message.push_str(&format!(
                "; `{item}` is priced in: {}",
                elsewhere.join(", ")
            ));
            return message;
        }
        let in_region: Vec<&str> = same_service
            .iter()
            .filter(|e| e.region == region)
            .map(|e| e.item.as_str())
            .collect();
        let close = close_matches(item, in_region.iter().copied());
        if close.is_empty() {
            let regions: std::collections::BTreeSet<&str> =
                same_service.iter().map(|e| e.region.as_str()).collect();
            message.push_str(&format!(
                "; `{service}` is priced in: {}",
                regions.into_iter().collect::<Vec<_>>().join(", ")
            ));
        } else {
            message.push_str(&format!(
                "; close matches in {region}: {}",
                close.join(", ")
            ));
        }
        message
    }

    /// A discount by name.
    #[must_use]
    pub fn discount(&self, name: &str) -> Option<&Discount> {
        self.discounts.get(name)
    }

    /// Every discount name.
    pub fn discount_names(&self) -> impl Iterator<Item = &str> {
        self.discounts.keys().map(String::as_str)
    }

    /// Every price, in key order.
    pub fn entries(&self) -> impl Iterator<Item = &PriceEntry> {
        self.entries.iter()
    }

    /// Every service id, sorted.
    #[must_use]
    pub fn services(&self) -> Vec<&str> {
        let set: std::collections::BTreeSet<&str> =
            self.entries.iter().map(|e| e.service.as_str()).collect();
        set.into_iter().collect()
    }
}

/// The run of consecutive tables `from..to` whose bytes are closest to half of all of them
/// (the second thread's share; the first parses the tables before and after it).
fn balanced_run(sizes: &[usize]) -> (usize, usize) {
    let total: usize = sizes.iter().sum();
    let mut best = (0, 0, total);
    for from in 0..sizes.len() {
        let mut run = 0;
        for to in from + 1..=sizes.len() {
            run += sizes[to - 1];
            let longer = run.max(total - run);
            if longer < best.2 {
                best = (from, to, longer);
            }
        }
    }
    (best.0, best.1)
}

/// A price row and where it was read: `file:line`.
struct SourcedRow {
    row: PriceRow,
    /// Shared by every row of the file.
    file: Arc<str>,
    line: usize,
}

/// A price row under its (service, item, region) key.
type KeyedRow = ((String, String, String), SourcedRow);

/// Whether a table holds discounts, not prices.
fn is_discounts(file: &Path) -> bool {
    file.file_name().is_some_and(|n| n == "discounts.csv")
}

/// The price rows of `tables` (discount tables skipped), in order; on a bad table, its
/// position among `tables` and the error.
fn price_rows_of(tables: &[(PathBuf, String)]) -> Result<Vec<KeyedRow>, (usize, InputError)> {
    // One row per line at most: rows are a few hundred bytes each, and room for more than
    // the tables hold is fresh memory the kernel must zero (a guess from the byte count
    // reserved five times too much).
    let lines: usize = tables
        .iter()
        .map(|(_, text)| text.bytes().filter(|&b| b == b'\n').count())
        .sum();
    let mut rows = Vec::with_capacity(lines);
    for (i, (file, text)) in tables.iter().enumerate() {
        if !is_discounts(file) {
            parse_price_rows(file, text, &mut rows).map_err(|e| (i, e))?;
        }
    }
    Ok(rows)
}

/// Appends the rows of one price table to `rows`, each under its key, in file order.
///
/// Fields are read by position into one reused record (the header is checked to be exactly
/// [`PRICE_COLUMNS`]) and trimmed in place, as `csv::Trim::All` would trim them (that trim
/// rebuilds every record twice). A row that this quick reading refuses is trimmed and
/// deserialized by serde instead, so a bad value is reported exactly as serde words it.
fn parse_price_rows(file: &Path, text: &str, rows: &mut Vec<KeyedRow>) -> Result<(), InputError> {
    let mut rdr = csv::ReaderBuilder::new().from_reader(text.as_bytes());
    check_header(file, &mut rdr, PRICE_COLUMNS)?;
    let mut headers = rdr.headers().map_err(|e| csv_error(file, &e))?.clone();
    headers.trim();
    let name: Arc<str> = file.display().to_string().into();
    let mut record = csv::StringRecord::new();
    while rdr
        .read_record(&mut record)
        .map_err(|e| csv_error(file, &e))?
    {
        let mut row = match quick_price_row(&record) {
            Some(row) => row,
            None => {
                record.trim();
                record
                    .deserialize(Some(&headers))
                    .map_err(|e| csv_error(file, &e))?
            }
        };
        let line = record.position().map_or(0, csv::Position::line);
        // The key owns the names; the entry is built from the key, not from the row.
        let key = (
            std::mem::take(&mut row.service),
            std::mem::take(&mut row.item),
            std::mem::take(&mut row.region),
        );
        rows.push((
            key,
            SourcedRow {
                row,
                file: Arc::clone(&name),
                line: usize::try_from(line).unwrap_or(usize::MAX),
            },
        ));
    }
    Ok(())
}

/// A price row read by column position from an untrimmed record, as `csv::Trim::All` and
/// serde would read it (fields trimmed of Unicode whitespace, `str::parse` for numbers, an
/// empty optional field as `None`), or `None` when any field needs serde's error.
fn quick_price_row(record: &csv::StringRecord) -> Option<PriceRow> {
    if record.len() != PRICE_COLUMNS.len() {
        return None;
    }
    let field = |i: usize| record[i].trim();
    let optional_number = |i: usize| -> Option<Option<f64>> {
        match field(i) {
            "" => Some(None),
            text => text.parse().ok().map(Some),
        }
    };
    let confidence = match field(9) {
        "high" => Confidence::High,
        "medium" => Confidence::Medium,
        "uncertain" => Confidence::Uncertain,
        _ => return None,
    };
    Some(PriceRow {
        service: field(0).to_owned(),
        item: field(1).to_owned(),
        region: field(2).to_owned(),
        unit: field(3).to_owned(),
        price_usd: field(4).parse().ok()?,
        tier_start: optional_number(5)?,
        tier_end: optional_number(6)?,
        source: field(7).to_owned(),
        as_of: field(8).to_owned(),
        confidence,
        notes: Some(field(10)).filter(|n| !n.is_empty()).map(str::to_owned),
    })
}

impl SourcedRow {
    fn at(&self) -> String {
        format!("{}:{}", self.file, self.line)
    }
}

/// Checks one key's rows (tiers sorted by start) and builds its price; the first row's
/// texts are moved into the entry.
fn build_entry(
    key: &(String, String, String),
    rows: &mut [SourcedRow],
) -> Result<PriceEntry, InputError> {
    let (first, file) = (&rows[0].row, &rows[0].file);
    // The key's label is written only into an error (thousands of keys load without one).
    let at = |r: &SourcedRow, message: String| {
        InputError::at(
            Path::new(&*r.file),
            r.line,
            1,
            format!("`{}` / `{}` / `{}`: {message}", key.0, key.1, key.2),
        )
    };
    // A key priced twice (a row without tier_start among several, or two rows starting the
    // same tier): one would replace the other. Every place is named, file:line.
    let twice = |a: &SourcedRow, b: &SourcedRow| {
        let mut both = [a, b];
        both.sort_by_key(|r| (r.file.clone(), r.line));
        at(
            both[1],
            format!(
                "priced twice: {} and {}; keep one (tiered prices need tier_start on every row)",
                both[0].at(),
                both[1].at()
            ),
        )
    };
    if rows.len() > 1
        && let Some(untiered) = rows.iter().position(|r| r.row.tier_start.is_none())
    {
        let other = if untiered == 0 { &rows[1] } else { &rows[0] };
        return Err(twice(&rows[untiered], other));
    }
    if let Some(pair) = rows
        .windows(2)
        .find(|w| w[0].row.tier_start == w[1].row.tier_start)
    {
        return Err(twice(&pair[0], &pair[1]));
    }
    let bad = |message: String| at(&rows[0], message);
    let unit = PriceUnit::parse(&first.unit).ok_or_else(|| {
        bad(format!(
            "unknown unit `{}`; expected one of: {}",
            first.unit,
            PriceUnit::ALL_NAMES.join(", ")
        ))
    })?;
    let mut tiers = Vec::with_capacity(rows.len());
    for sourced in rows.iter() {
        let row = &sourced.row;
        let bad = |message: String| at(sourced, message);
        if row.unit != first.unit {
            return Err(bad(format!(
                "tiers disagree on the unit: `{}` and `{}` ({})",
                first.unit,
                row.unit,
                sourced.at()
            )));
        }
        if !row.price_usd.is_finite() || row.price_usd < 0.0 || row.price_usd > MAX_UNIT_PRICE_USD {
            return Err(bad(format!(
                "price_usd must be a non-negative number, got {}",
                row.price_usd
            )));
        }
        if !is_iso_date(&row.as_of) {
            return Err(bad(format!(
                "as_of `{}` is not a YYYY-MM-DD date",
                row.as_of
            )));
        }
        if row.source.trim().is_empty() {
            return Err(bad("source is empty: every price needs one".into()));
        }
        tiers.push(Tier {
            start: row.tier_start.unwrap_or(0.0),
            end: row.tier_end,
            price_usd: row.price_usd,
        });
    }
    if rows.len() == 1 && first.tier_start.is_none() {
        tiers[0].end = None;
    }
    check_contiguous(&tiers).map_err(|m| bad(format!("tiers: {m}")))?;
    let confidence = rows
        .iter()
        .map(|r| r.row.confidence)
        .max()
        .unwrap_or(Confidence::High);
    let as_of = rows
        .iter()
        .map(|r| r.row.as_of.as_str())
        .max()
        .unwrap_or_default()
        .to_owned();
    let origin = file.to_string();
    let first = &mut rows[0].row;
    Ok(PriceEntry {
        service: key.0.clone(),
        item: key.1.clone(),
        region: key.2.clone(),
        unit,
        tiers,
        source: std::mem::take(&mut first.source),
        as_of,
        confidence,
        notes: first.notes.take().unwrap_or_default(),
        origin,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn iso_dates() {
        assert!(is_iso_date("2026-07-20"));
        assert!(is_iso_date("2024-02-29"));
        assert!(!is_iso_date("2023-02-29"));
        assert!(!is_iso_date("2026-13-01"));
        assert!(!is_iso_date("2026-7-20"));
        assert!(!is_iso_date("undated"));
    }

    fn write(dir: &Path, name: &str, body: &str) {
        std::fs::write(dir.join(name), body).unwrap();
    }

    const HEADER: &str =
        "service,item,region,unit,price_usd,tier_start,tier_end,source,as_of,confidence,notes\n";

    #[test]
    fn loads_flat_and_tiered_prices_in_any_order() {
        let dir = tempfile::tempdir().unwrap();
        write(
            dir.path(),
            "a.csv",
            &format!(
                "{HEADER}egress,out,us,gb,0.05,150,,src,2024-09-25,high,\n\
                 ec2,m5.large,us-east-1,hour,0.096,,,src,2026-07-20,high,\n\
                 egress,out,us,gb,0.09,0,10,src,2024-09-25,high,\n\
                 egress,out,us,gb,0.07,10,150,src,2024-09-25,medium,\n"
            ),
        );
        let book = PriceBook::load(dir.path()).unwrap();
        let m5 = book.get("ec2", "m5.large", "us-east-1").unwrap();
        assert!(!m5.is_tiered());
        assert_eq!(m5.unit, PriceUnit::Hour);
        let egress = book.get("egress", "out", "us").unwrap();
        assert_eq!(egress.tiers.len(), 3);
        assert_eq!(egress.tiers[0].price_usd, 0.09);
        assert_eq!(egress.confidence, Confidence::Medium);
    }

    /// Tables are parsed on two threads (a run of them nearest half the bytes on the second),
    /// and the error reported is still the first in file order; quick reading and serde agree.
    #[test]
    fn a_bad_table_is_reported_in_file_order_whichever_thread_read_it() {
        let table = |rows: &str| format!("{HEADER}{rows}");
        let good = "ec2,m5.large,us-east-1,hour,0.096,,,src,2026-07-20,high,\n";
        // `a.csv` (first in file order; the second thread's run) is bad at line 3; `z.csv`
        // (larger, parsed by the first thread) at line 2.
        let early_bad =
            format!("{good}ec2,m5.xlarge,us-east-1,hour,cheap,,,src,2026-07-20,high,\n");
        let late_bad = format!(
            "ec2,c5.large,us-east-1,hour,0.085,,,src,2026-07-20,sure,\n{}",
            good.replace("m5.large", "r5.large").repeat(40)
        );
        let tables = vec![
            (PathBuf::from("a.csv"), table(&early_bad)),
            (PathBuf::from("z.csv"), table(&late_bad)),
        ];
        let e = PriceBook::from_tables(Path::new("t"), &tables)
            .unwrap_err()
            .to_string();
        assert!(e.contains("a.csv:3"), "{e}");
        assert!(e.contains("bad value in column `price_usd`"), "{e}");
        // With the early table fixed, the late one's error (serde's wording) is reported.
        let tables = vec![
            (PathBuf::from("a.csv"), table(good)),
            (PathBuf::from("z.csv"), table(&late_bad)),
        ];
        let e = PriceBook::from_tables(Path::new("t"), &tables)
            .unwrap_err()
            .to_string();
        assert!(e.contains("z.csv:2"), "{e}");
        assert!(e.contains("unknown variant `sure`"), "{e}");
        // Padded fields read as trimmed, as `csv::Trim::All` reads them.
        let tables = vec![(
            PathBuf::from("a.csv"),
            table(" ec2 , m5.large ,us-east-1, hour , 0.096 , , ,src, 2026-07-20 , high ,\n"),
        )];
        let book = PriceBook::from_tables(Path::new("t"), &tables).unwrap();
        assert_eq!(
            book.get("ec2", "m5.large", "us-east-1").unwrap().tiers[0].price_usd,
            0.096
        );
    }

    #[test]
    fn fallbacks_price_a_region_at_another_and_mark_it_uncertain() {
        let dir = tempfile::tempdir().unwrap();
        write(
            dir.path(),
            "a.csv",
            &format!(
                "{HEADER}msk,kafka.m5.large,us-east-1,hour,0.21,,,src,2024-07-01,high,\n\
                 ec2,m5.large,eu-west-1,hour,0.107,,,src,2026-08-09,high,\n\
                 cdn,egress,europe,gb,0.085,,,src,2024-07-01,high,\n"
            ),
        );
        write(
            dir.path(),
            "cdn-geographies.csv",
            "region,geography,source,as_of,notes\neu-west-1,europe,src,2026-12-07,\n",
        );
        write(
            dir.path(),
            "price-fallbacks.csv",
            "service,region,priced_as,source,as_of,notes\nmsk,*,us-east-1,no row,2026-12-07,\n",
        );
        let book = PriceBook::load(dir.path()).unwrap();
        // the geography is not a priced region; both real regions are
        assert_eq!(book.priced_regions(), ["eu-west-1", "us-east-1"]);
        assert_eq!(book.geography_of("eu-west-1"), Some("europe"));
        let msk = book.get("msk", "kafka.m5.large", "eu-west-1").unwrap();
        assert_eq!(msk.region, "eu-west-1");
        assert_eq!(msk.tiers[0].price_usd, 0.21);
        assert_eq!(msk.confidence, Confidence::Uncertain);
        assert!(
            msk.source
                .ends_with("the us-east-1 price where the region has no row (price-fallbacks.csv)"),
            "{}",
            msk.source
        );
        // a service without a fallback is not copied to other regions
        assert!(book.get("ec2", "m5.large", "us-east-1").is_err());

        // a fallback to a region where the service has no rows is an error
        write(
            dir.path(),
            "price-fallbacks.csv",
            "service,region,priced_as,source,as_of,notes\nmsk,*,eu-west-1,no row,2026-12-07,\n",
        );
        let e = PriceBook::load(dir.path()).unwrap_err().to_string();
        assert!(
            e.contains("priced as `eu-west-1`, where it has no rows"),
            "{e}"
        );
        // a geography without prices is an error
        write(
            dir.path(),
            "price-fallbacks.csv",
            "service,region,priced_as,source,as_of,notes\n",
        );
        write(
            dir.path(),
            "cdn-geographies.csv",
            "region,geography,source,as_of,notes\neu-west-1,eu,src,2026-12-07,\n",
        );
        let e = PriceBook::load(dir.path()).unwrap_err().to_string();
        assert!(e.contains("geography `eu`, which has no prices"), "{e}");
    }

    #[test]
    fn missing_price_lists_close_matches() {
        let dir = tempfile::tempdir().unwrap();
        write(
            dir.path(),
            "a.csv",
            &format!(
                "{HEADER}ec2,m5.large,us-east-1,hour,0.096,,,src,2026-07-20,high,\n\
                 ec2,m5.xlarge,eu-west-1,hour,0.214,,,src,2026-07-20,high,\n"
            ),
        );
        let book = PriceBook::load(dir.path()).unwrap();
        let e = book.get("ec2", "m5.larg", "us-east-1").unwrap_err();
        assert!(e.ends_with("; close matches in us-east-1: m5.large"), "{e}");
        // Priced, only not in this region: the regions that price it, and no look-alike of
        // the region's (`m5.xlarge` is no answer for `m5.large`).
        let e = book.get("ec2", "m5.large", "eu-west-1").unwrap_err();
        assert_eq!(
            e,
            format!(
                "no price for item `m5.large` of service `ec2` in region `eu-west-1` in {}; \
                 `m5.large` is priced in: us-east-1",
                dir.path().display()
            )
        );
        // asked again, the kept message is the one built afresh, byte for byte
        assert_eq!(book.get("ec2", "m5.large", "eu-west-1").unwrap_err(), e);
        assert_eq!(book.missing_message("ec2", "m5.large", "eu-west-1"), e);
        // a copy of the book starts with no kept messages and builds the same one
        assert_eq!(
            book.clone()
                .get("ec2", "m5.large", "eu-west-1")
                .unwrap_err(),
            e
        );
    }

    #[test]
    fn the_second_thread_takes_the_run_of_tables_nearest_half_the_bytes() {
        // AWS's tables in file order (KB): cache, commitments, compute, database, discounts,
        // kubernetes, network, observability, storage, streaming, support. commitments.csv
        // alone, 560 of 1,097: the other thread parses 537 (the 116 before it and the 421
        // after); no other run comes closer to half.
        let aws = [116, 560, 229, 126, 2, 1, 29, 1, 6, 2, 2];
        assert_eq!(balanced_run(&aws), (1, 2));
        // Two equal tables: the first alone (0..1 and 1..2 tie; the first found is kept).
        assert_eq!(balanced_run(&[5, 5]), (0, 1));
        // One table, or none: no second thread (a run of all of it is no shorter).
        assert_eq!(balanced_run(&[7]), (0, 0));
        assert_eq!(balanced_run(&[]), (0, 0));
        // The middle of three: 4 against 3 + 3.
        assert_eq!(balanced_run(&[3, 4, 3]), (1, 2));
    }

    /// Each table bad alone in turn, and pairs: the one reported is the first in file order
    /// whichever thread parses it (b.csv is the second thread's run: the largest).
    #[test]
    fn the_first_bad_table_in_file_order_is_reported_across_both_threads() {
        let good = |item: &str| format!("{HEADER}ec2,{item},r,hour,1,,,s,2026-01-01,high,\n");
        let bad = |item: &str| format!("{HEADER}ec2,{item},r,hour,abc,,,s,2026-01-01,high,\n");
        let big = |text: String| {
            // Many good rows before a last row: b.csv is most of the bytes.
            let rows: String = (0..200)
                .map(|i| format!("ec2,big{i},r,hour,1,,,s,2026-01-01,high,\n"))
                .collect();
            text.replacen('\n', &format!("\n{rows}"), 1)
        };
        for (a_bad, b_bad, c_bad, expected) in [
            (true, false, false, "a.csv"),
            (false, true, false, "b.csv"),
            (false, false, true, "c.csv"),
            (true, true, true, "a.csv"),
            (false, true, true, "b.csv"),
            (true, false, true, "a.csv"),
        ] {
            let dir = tempfile::tempdir().unwrap();
            let pick = |is_bad: bool, item: &str| if is_bad { bad(item) } else { good(item) };
            write(dir.path(), "a.csv", &pick(a_bad, "a"));
            write(dir.path(), "b.csv", &big(pick(b_bad, "b")));
            write(dir.path(), "c.csv", &pick(c_bad, "c"));
            let e = PriceBook::load(dir.path()).unwrap_err().to_string();
            assert!(
                e.contains(expected) && e.contains("price_usd"),
                "{expected}: {e}"
            );
        }
        // All good: every row of the three, the middle run's between the others'.
        let dir = tempfile::tempdir().unwrap();
        write(dir.path(), "a.csv", &good("a"));
        write(dir.path(), "b.csv", &big(good("b")));
        write(dir.path(), "c.csv", &good("c"));
        let book = PriceBook::load(dir.path()).unwrap();
        assert_eq!(book.entries().count(), 203);
    }

    #[test]
    fn of_two_bad_tables_the_first_in_file_order_is_reported() {
        let dir = tempfile::tempdir().unwrap();
        // both files are bad; a.csv sorts first, so its error is the one reported
        write(
            dir.path(),
            "b.csv",
            &format!("{HEADER}ec2,x,r,hour,abc,,,s,2026-01-01,high,\n"),
        );
        write(
            dir.path(),
            "a.csv",
            &format!(
                "{HEADER}ec2,y,r,hour,1,,,s,2026-01-01,high,\nec2,y,r,hour,abc,,,s,2026-01-01,high,\n"
            ),
        );
        let e = PriceBook::load(dir.path()).unwrap_err().to_string();
        assert!(e.contains("a.csv:3:") && e.contains("price_usd"), "{e}");
    }

    #[test]
    fn rejects_gaps_bad_units_and_bad_headers() {
        let dir = tempfile::tempdir().unwrap();
        write(
            dir.path(),
            "a.csv",
            &format!(
                "{HEADER}egress,out,us,gb,0.09,0,10,src,2024-09-25,high,\n\
                 egress,out,us,gb,0.05,20,,src,2024-09-25,high,\n"
            ),
        );
        let e = PriceBook::load(dir.path()).unwrap_err().to_string();
        assert!(e.contains("gap or overlap"), "{e}");

        let dir = tempfile::tempdir().unwrap();
        write(
            dir.path(),
            "a.csv",
            &format!("{HEADER}ec2,x,r,hours,1,,,s,2026-01-01,high,\n"),
        );
        let e = PriceBook::load(dir.path()).unwrap_err().to_string();
        assert!(e.contains("unknown unit `hours`"), "{e}");

        let dir = tempfile::tempdir().unwrap();
        write(dir.path(), "a.csv", "service,item\nec2,x\n");
        let e = PriceBook::load(dir.path()).unwrap_err().to_string();
        assert!(e.contains("a.csv:1:1") && e.contains("header"), "{e}");

        let dir = tempfile::tempdir().unwrap();
        write(
            dir.path(),
            "a.csv",
            &format!("{HEADER}ec2,x,r,hour,abc,,,s,2026-01-01,high,\n"),
        );
        let e = PriceBook::load(dir.path()).unwrap_err().to_string();
        assert!(e.contains("a.csv:2:") && e.contains("price_usd"), "{e}");
    }
}
