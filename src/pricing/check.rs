//! `headroom pricing check`: every table of every provider, checked and dated.
//!
//! Loading a [`PriceBook`] already rejects unknown units, malformed rows, duplicate keys and
//! gaps between tiers. The check adds what only matters for review: tiers whose price rises
//! with volume, as-of dates in the future, and prices older than a threshold.

use std::path::Path;

use serde::Serialize;

use crate::pricing::{PriceBook, PriceUnit};

/// How bad an issue is: errors fail `headroom pricing check`, warnings do not.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Severity {
    Error,
    Warning,
}

impl Severity {
    /// The severity as outputs write it.
    #[must_use]
    pub fn name(self) -> &'static str {
        match self {
            Severity::Error => "error",
            Severity::Warning => "warning",
        }
    }
}

// Outputs (JSON, templates) write the same words as the text tables.
impl Serialize for Severity {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.name())
    }
}

impl std::fmt::Display for Severity {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}

/// One problem or warning.
#[derive(Debug, Clone, Serialize)]
pub struct Issue {
    /// `error` or `warning`.
    pub severity: Severity,
    pub provider: String,
    /// `service/item/region`, or the file.
    pub key: String,
    pub message: String,
}

/// The result of checking every provider's tables.
#[derive(Debug, Clone, Serialize)]
pub struct Report {
    pub today: String,
    pub providers: Vec<ProviderSummary>,
    pub issues: Vec<Issue>,
}

/// What one provider's tables hold.
#[derive(Debug, Clone, Serialize)]
pub struct ProviderSummary {
    pub provider: String,
    pub prices: usize,
    pub services: Vec<String>,
    pub discounts: usize,
    pub oldest_as_of: Option<String>,
    pub newest_as_of: Option<String>,
}

/// Days since 1970-01-01 of a civil date (proleptic Gregorian; Howard Hinnant's algorithm).
#[must_use]
pub fn days_from_civil(y: i64, m: i64, d: i64) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (m + 9) % 12;
    let doy = (153 * mp + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// The civil date of a day count since 1970-01-01.
#[must_use]
pub fn civil_from_days(z: i64) -> (i64, i64, i64) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    (
        if m <= 2 {
            yoe + era * 400 + 1
        } else {
            yoe + era * 400
        },
        m,
        d,
    )
}

fn day_number(iso: &str) -> Option<i64> {
    let (y, rest) = iso.split_once('-')?;
    let (m, d) = rest.split_once('-')?;
    Some(days_from_civil(
        y.parse().ok()?,
        m.parse().ok()?,
        d.parse().ok()?,
    ))
}

/// Today's date, `YYYY-MM-DD`, from the system clock (UTC).
#[must_use]
pub fn today() -> String {
    let secs = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs());
    let (y, m, d) = civil_from_days(i64::try_from(secs / 86_400).unwrap_or(0));
    format!("{y:04}-{m:02}-{d:02}")
}

/// A warning for prices dated after `today` (as (key, as-of) pairs, repeats allowed): a
/// price not yet in force, or a mistyped date. `None` when every date is today or earlier.
#[must_use]
pub fn future_dated<'a>(
    prices: impl IntoIterator<Item = (&'a str, &'a str)>,
    today: &str,
) -> Option<String> {
    let today_n = day_number(today)?;
    let mut future: Vec<(&str, &str)> = prices
        .into_iter()
        .filter(|(_, as_of)| day_number(as_of).is_some_and(|n| n > today_n))
        .collect();
    future.sort_unstable();
    future.dedup();
    if future.is_empty() {
        return None;
    }
    const SHOWN: usize = 5;
    let mut listed: Vec<String> = future
        .iter()
        .take(SHOWN)
        .map(|(key, as_of)| format!("`{key}` as of {as_of}"))
        .collect();
    if future.len() > SHOWN {
        listed.push(format!("and {} more", future.len() - SHOWN));
    }
    Some(format!(
        "{} price(s) are dated after today ({today}): {}; check the date and source",
        future.len(),
        listed.join(", ")
    ))
}

/// Checks the tables of every provider folder under `root` (`pricing/`).
pub fn check(
    root: &Path,
    today: &str,
    max_age_days: i64,
) -> Result<Report, crate::error::InputError> {
    let listing = std::fs::read_dir(root).map_err(|source| crate::error::InputError::Read {
        path: root.to_path_buf(),
        source,
    })?;
    let mut dirs: Vec<_> = listing
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter(|p| p.is_dir())
        .collect();
    dirs.sort();
    let today_n = day_number(today).unwrap_or(0);
    let mut providers = Vec::new();
    let mut issues = Vec::new();
    for dir in dirs {
        let provider = dir
            .file_name()
            .map(|n| n.to_string_lossy().to_string())
            .unwrap_or_default();
        let book = match PriceBook::load(&dir) {
            Ok(book) => book,
            Err(e) => {
                issues.push(Issue {
                    severity: Severity::Error,
                    provider: provider.clone(),
                    key: dir.display().to_string(),
                    message: e.to_string(),
                });
                continue;
            }
        };
        let mut dates: Vec<&str> = Vec::new();
        for entry in book.entries() {
            let key = format!("{}/{}/{}", entry.service, entry.item, entry.region);
            dates.push(&entry.as_of);
            for pair in entry.tiers.windows(2) {
                if pair[1].price_usd > pair[0].price_usd {
                    issues.push(Issue {
                        severity: Severity::Error,
                        provider: provider.clone(),
                        key: key.clone(),
                        message: format!(
                            "tier from {} costs {} per {}, more than the tier before it ({}): volume tiers must not rise",
                            pair[1].start, pair[1].price_usd, entry.unit, pair[0].price_usd
                        ),
                    });
                }
            }
            match day_number(&entry.as_of) {
                Some(n) if n > today_n => issues.push(Issue {
                    severity: Severity::Error,
                    provider: provider.clone(),
                    key: key.clone(),
                    message: format!("as_of {} is in the future (today is {today})", entry.as_of),
                }),
                Some(n) if today_n - n > max_age_days => issues.push(Issue {
                    severity: Severity::Warning,
                    provider: provider.clone(),
                    key: key.clone(),
                    message: format!(
                        "as_of {} is {} days old (threshold {max_age_days})",
                        entry.as_of,
                        today_n - n
                    ),
                }),
                _ => {}
            }
        }
        issues.extend(reserved_issues(&book, &provider));
        issues.extend(support_issues(&book, &provider));
        dates.sort_unstable();
        providers.push(ProviderSummary {
            provider,
            prices: book.entries().count(),
            services: book.services().into_iter().map(String::from).collect(),
            discounts: book.discount_names().count(),
            oldest_as_of: dates.first().map(|s| (*s).to_string()),
            newest_as_of: dates.last().map(|s| (*s).to_string()),
        });
    }
    if providers.is_empty() && issues.is_empty() {
        // Nothing checked is not "0 errors": the folder is probably the wrong one.
        let holds_csv = std::fs::read_dir(root).is_ok_and(|l| {
            l.filter_map(Result::ok)
                .any(|e| e.path().extension().is_some_and(|x| x == "csv"))
        });
        let hint = if holds_csv {
            "; it holds *.csv itself: pass the folder above it (--tables pricing)"
        } else {
            ""
        };
        return Err(crate::error::InputError::file(
            root,
            format!(
                "no price tables found: expected one folder per provider holding *.csv \
                 (pricing/aws/compute.csv){hint}"
            ),
        ));
    }
    Ok(Report {
        today: today.to_string(),
        providers,
        issues,
    })
}

/// Support plans (`support-<plan>`): a `percent` band is a percentage (0 to 100), and every
/// plan's bands (`usage-percent`) come with its monthly `minimum` (the fee is the greater).
fn support_issues(book: &PriceBook, provider: &str) -> Vec<Issue> {
    let mut issues = Vec::new();
    for e in book.entries() {
        let key = format!("{}/{}/{}", e.service, e.item, e.region);
        let mut issue = |message: String| {
            issues.push(Issue {
                severity: Severity::Error,
                provider: provider.to_string(),
                key: key.clone(),
                message,
            });
        };
        if e.unit == PriceUnit::Percent
            && let Some(band) = e.tiers.iter().find(|t| t.price_usd > 100.0)
        {
            issue(format!(
                "a `percent` band is a percentage of spend, 0 to 100, not {}",
                band.price_usd
            ));
        }
        if e.service.starts_with("support-")
            && e.item == "usage-percent"
            && book.get(&e.service, "minimum", &e.region).is_err()
        {
            issue(format!(
                "support plan bands without a monthly minimum: add `{}/minimum/{}` in `month`",
                e.service, e.region
            ));
        }
    }
    issues
}

/// Hours in a reservation year (365 x 24): yearly reserved fees divide by it.
const RESERVED_HOURS_PER_YEAR: f64 = 8760.0;

/// Reserved rows (`<service>-reserved`, for `headroom commit`): the item must read
/// `<instance>:<N>yr-[standard-]<no|partial|all>-upfront`, the unit `hour` or `year`, and the
/// effective hourly rate must be below the on-demand price of the same instance and region,
/// where the tables hold one (a reservation above on demand is a misread row).
fn reserved_issues(book: &PriceBook, provider: &str) -> Vec<Issue> {
    let on_demand: std::collections::BTreeMap<(&str, &str, &str), f64> = book
        .entries()
        .filter(|e| e.unit == PriceUnit::Hour && !e.tiers.is_empty())
        .map(|e| {
            (
                (e.service.as_str(), e.item.as_str(), e.region.as_str()),
                e.tiers[0].price_usd,
            )
        })
        .collect();
    let mut issues = Vec::new();
    for e in book.entries() {
        let Some(base) = e.service.strip_suffix("-reserved") else {
            continue;
        };
        let key = format!("{}/{}/{}", e.service, e.item, e.region);
        let mut issue = |message: String| {
            issues.push(Issue {
                severity: Severity::Error,
                provider: provider.to_string(),
                key: key.clone(),
                message,
            });
        };
        let term_ok = e.item.split_once(':').is_some_and(|(instance, term)| {
            let term = term.replace("-standard-", "-");
            !instance.is_empty()
                && ["no-upfront", "partial-upfront", "all-upfront"]
                    .iter()
                    .any(|pay| {
                        term.strip_suffix(pay)
                            .and_then(|t| t.strip_suffix("yr-"))
                            .is_some_and(|years| years.parse::<u32>().is_ok_and(|y| y > 0))
                    })
        });
        if !term_ok {
            issue(format!(
                "a reserved item reads `<instance>:<N>yr-<no|partial|all>-upfront` (or `-standard-`), not `{}`",
                e.item
            ));
            continue;
        }
        let price = e.tiers.first().map_or(0.0, |t| t.price_usd);
        let hourly = match e.unit {
            PriceUnit::Hour => price,
            PriceUnit::Year => price / RESERVED_HOURS_PER_YEAR,
            other => {
                issue(format!(
                    "a reserved rate is per `hour` or `year`, not per `{other}`"
                ));
                continue;
            }
        };
        let instance = e.item.split(':').next().unwrap_or_default();
        if let Some(&od) = on_demand.get(&(base, instance, e.region.as_str()))
            && hourly >= od
        {
            issue(format!(
                "reserved effective rate {hourly} per hour is not below the on-demand {od} of `{base}/{instance}/{}`",
                e.region
            ));
        }
    }
    issues
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn warns_on_future_prices_only() {
        let prices = [
            ("ec2/a/r", "2027-01-01"),
            ("ec2/a/r", "2027-01-01"),
            ("ec2/b/r", "2026-11-22"),
        ];
        let w = future_dated(prices, "2026-12-06").unwrap();
        assert_eq!(
            w,
            "1 price(s) are dated after today (2026-12-06): `ec2/a/r` as of 2027-01-01; check the date and source"
        );
        assert_eq!(future_dated(prices, "2027-01-01"), None);
    }

    #[test]
    fn support_bands_are_percentages_with_a_minimum() {
        let root = tempfile::tempdir().unwrap();
        let dir = root.path().join("acme");
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::write(
            dir.join("support.csv"),
            "service,item,region,unit,price_usd,tier_start,tier_end,source,as_of,confidence,notes\n\
             support-gold,usage-percent,global,percent,300,0,,s,2026-01-01,high,\n",
        )
        .unwrap();
        let report = check(root.path(), "2026-11-22", 730).unwrap();
        let messages: Vec<&str> = report.issues.iter().map(|i| i.message.as_str()).collect();
        assert_eq!(report.issues.len(), 2, "{messages:?}");
        assert!(messages[0].contains("0 to 100, not 300"), "{messages:?}");
        assert!(
            messages[1].contains("support-gold/minimum/global"),
            "{messages:?}"
        );
    }

    #[test]
    fn no_tables_is_an_error() {
        let root = tempfile::tempdir().unwrap();
        let e = check(root.path(), "2026-11-22", 730)
            .unwrap_err()
            .to_string();
        assert!(e.contains("no price tables found"), "{e}");
    }

    #[test]
    fn civil_dates_round_trip() {
        assert_eq!(days_from_civil(1970, 1, 1), 0);
        // 2026-11-22 is day 20,779 since the epoch
        assert_eq!(days_from_civil(2026, 11, 22), 20_779);
        assert_eq!(civil_from_days(20_779), (2026, 11, 22));
        assert_eq!(civil_from_days(days_from_civil(2024, 2, 29)), (2024, 2, 29));
    }

    #[test]
    fn flags_future_dates_rising_tiers_and_old_prices() {
        let root = tempfile::tempdir().unwrap();
        let dir = root.path().join("acme");
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::write(
            dir.join("a.csv"),
            "service,item,region,unit,price_usd,tier_start,tier_end,source,as_of,confidence,notes\n\
             egress,out,r,gb,0.05,0,10,s,2026-01-01,high,\n\
             egress,out,r,gb,0.09,10,,s,2026-01-01,high,\n\
             vm,big,r,hour,1,,,s,2027-01-01,high,\n\
             vm,old,r,hour,1,,,s,2020-01-01,high,\n",
        )
        .unwrap();
        let report = check(root.path(), "2026-11-22", 730).unwrap();
        let messages: Vec<&str> = report.issues.iter().map(|i| i.message.as_str()).collect();
        assert_eq!(report.issues.len(), 3, "{messages:?}");
        assert!(messages.iter().any(|m| m.contains("must not rise")));
        assert!(messages.iter().any(|m| m.contains("in the future")));
        assert!(messages.iter().any(|m| m.contains("days old")));
        assert_eq!(report.providers[0].prices, 3);
    }

    #[test]
    fn checks_reserved_items_units_and_rates_against_on_demand() {
        let root = tempfile::tempdir().unwrap();
        let dir = root.path().join("acme");
        std::fs::create_dir_all(&dir).unwrap();
        // vm big: on demand $1/h. 1-year no-upfront $0.6/h: fine. 3-year all-upfront $9,000
        // per year = 9,000 / 8,760 = $1.027/h: above on demand, an error. `big:2yrs` is no
        // term; a reserved rate per GB is no reserved unit.
        std::fs::write(
            dir.join("a.csv"),
            "service,item,region,unit,price_usd,tier_start,tier_end,source,as_of,confidence,notes\n\
             vm,big,r,hour,1,,,s,2026-01-01,high,\n\
             vm-reserved,big:1yr-no-upfront,r,hour,0.6,,,s,2026-01-01,high,\n\
             vm-reserved,big:3yr-standard-all-upfront,r,year,9000,,,s,2026-01-01,high,\n\
             vm-reserved,big:2yrs,r,hour,0.5,,,s,2026-01-01,high,\n\
             vm-reserved,big:1yr-all-upfront,r,gb,0.5,,,s,2026-01-01,high,\n",
        )
        .unwrap();
        let report = check(root.path(), "2026-11-22", 730).unwrap();
        let found: Vec<(&str, &str)> = report
            .issues
            .iter()
            .map(|i| (i.key.as_str(), i.message.as_str()))
            .collect();
        assert_eq!(found.len(), 3, "{found:?}");
        assert!(
            found
                .iter()
                .any(|(k, m)| k.contains("3yr-standard-all-upfront")
                    && m.contains("not below the on-demand 1"))
        );
        assert!(
            found
                .iter()
                .any(|(k, m)| k.contains("big:2yrs") && m.contains("<instance>:<N>yr"))
        );
        assert!(
            found
                .iter()
                .any(|(k, m)| k.contains("1yr-all-upfront") && m.contains("not per `gb`"))
        );
    }
}
