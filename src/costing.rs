//! Costing: a sized line's count and a unit price -> the billed quantity and monthly cost.
//!
//! Like Infracost's cost components, a line carries a quantity in the price's unit and the
//! unit price; hours and months convert through the scenario's `hours_per_month` only.
//! Tiered prices bill each band at its own rate; a discount multiplies the list price.

use serde::Serialize;

use crate::input::scenario::GivenPrice;
use crate::input::{Component, Scenario};
use crate::pricing::{Confidence, PriceBook, PriceEntry, PriceUnit, TierCharge, tiers};
use crate::sizing::{Measure, PriceKey, PricePart, distribute};
use crate::units::round_rate;

/// Who gave a line its price (`price_given_by` in `plan.json` and `costs.csv`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum PriceGivenBy {
    /// The provider's price table.
    #[serde(rename = "table")]
    Table,
    /// The scenario's own price (`components[i].prices`).
    #[serde(rename = "scenario")]
    Scenario,
    /// Nothing to bill: a capacity figure, or a count of 0.
    #[serde(rename = "not billed")]
    NotBilled,
    /// No price on this provider (re-priced with `--provider`); the totals exclude the line.
    #[serde(rename = "unpriced")]
    Unpriced,
}

impl PriceGivenBy {
    /// The name `plan.json` and `costs.csv` use.
    #[must_use]
    pub fn as_str(self) -> &'static str {
        match self {
            PriceGivenBy::Table => "table",
            PriceGivenBy::Scenario => "scenario",
            PriceGivenBy::NotBilled => "not billed",
            PriceGivenBy::Unpriced => "unpriced",
        }
    }
}

impl std::fmt::Display for PriceGivenBy {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Where a unit price came from.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PriceOrigin {
    /// [`PriceGivenBy::Table`] or [`PriceGivenBy::Scenario`].
    pub given_by: PriceGivenBy,
    /// The source text.
    pub source: String,
    /// As-of date (tables) or empty (scenario).
    pub as_of: String,
    /// `high`, `medium`, `uncertain`, or `scenario`.
    pub confidence: String,
    /// The price key (`service/item/region`) for table prices.
    pub key: Option<String>,
}

/// A line's price and bill.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Bill {
    /// Billing unit of the unit price.
    pub unit: PriceUnit,
    /// Billed quantity per month, in `unit`.
    pub quantity: f64,
    /// List price per unit (for tiers: the blended rate, list / quantity).
    pub unit_price_usd: f64,
    /// Monthly cost at list price.
    pub list_monthly_usd: f64,
    /// Per-band charges of a tiered price (of a single-key bill; each part has its own).
    pub tiers: Vec<TierCharge>,
    /// Where the price came from.
    pub origin: PriceOrigin,
    /// Each price key's part where the line bills at several (regions, CDN geographies);
    /// empty when it bills at one.
    pub parts: Vec<PartBill>,
}

/// One price key's part of a line's bill: a region's (or a CDN geography's) count at its
/// own price, tiers walked on its own.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PartBill {
    /// The region (or geography) of the price key.
    pub region: String,
    pub price_key: String,
    pub count: u64,
    pub quantity: f64,
    /// For tiers: the blended rate, list / quantity.
    pub unit_price_usd: f64,
    pub list_monthly_usd: f64,
    pub tiers: Vec<TierCharge>,
    pub price_source: String,
    pub price_confidence: String,
}

/// A component's discount as it applies to one line.
#[derive(Debug, Clone, PartialEq)]
pub struct Discount {
    /// The discount's name; `None` when none applies to the line.
    pub name: Option<String>,
    /// Net / list (spot's interruption headroom included); 1 when none applies.
    pub multiplier: f64,
    /// Where the figure comes from (empty when none applies).
    pub source: String,
}

impl Discount {
    /// No discount: list price.
    pub const NONE: Discount = Discount {
        name: None,
        multiplier: 1.0,
        source: String::new(),
    };
}

/// The component's discount as it applies to a line of `service`.
#[must_use]
pub fn discount_for(scenario: &Scenario, component: &Component, service: Option<&str>) -> Discount {
    let Some(name) = &component.discount else {
        return Discount::NONE;
    };
    if let Some(d) = scenario.spec.discounts.get(name) {
        let applies =
            d.applies_to.is_empty() || service.is_some_and(|s| d.applies_to.iter().any(|a| a == s));
        return if applies {
            let effective = d.multiplier * (1.0 + d.interruption_headroom);
            let source = if d.interruption_headroom > 0.0 {
                format!(
                    "{}; x (1 + {} interruption headroom): {} spare capacity absorbs reclaimed capacity",
                    d.source, d.interruption_headroom, d.interruption_headroom
                )
            } else {
                d.source.clone()
            };
            Discount {
                name: Some(name.clone()),
                multiplier: effective,
                source,
            }
        } else {
            Discount::NONE
        };
    }
    match scenario.prices.discount(name) {
        Some(d)
            if d.applies_to.is_empty()
                || service.is_some_and(|s| d.applies_to.iter().any(|a| a == s)) =>
        {
            Discount {
                name: Some(name.clone()),
                multiplier: d.multiplier,
                source: d.source.clone(),
            }
        }
        _ => Discount::NONE,
    }
}

/// The quantity a count bills in `unit`, or why it cannot.
pub fn quantity(
    count: u64,
    measure: Measure,
    unit: PriceUnit,
    hours_per_month: f64,
) -> Result<f64, String> {
    let n = count as f64;
    let q = match (measure, unit) {
        (Measure::Instances { .. } | Measure::Stated, PriceUnit::Hour) => n * hours_per_month,
        (
            Measure::Instances {
                memory_gib: Some(gib),
            },
            PriceUnit::GbHour,
        ) => n * gib * hours_per_month,
        (Measure::Instances { .. } | Measure::Stated, PriceUnit::Month) => n,
        (Measure::Gb | Measure::Stated, PriceUnit::GbMonth | PriceUnit::Gb) => n,
        (Measure::Requests | Measure::Stated, PriceUnit::Requests1k) => n / 1e3,
        (Measure::Requests | Measure::Stated, PriceUnit::Requests10k) => n / 1e4,
        (Measure::Requests | Measure::Stated, PriceUnit::Requests1m) => n / 1e6,
        // A stated count of GB (or LCUs) held all month, billed per hour.
        (Measure::Stated, PriceUnit::GbHour | PriceUnit::LcuHour) => n * hours_per_month,
        (Measure::Stated, PriceUnit::IopsMonth | PriceUnit::MbpsMonth) => n,
        (Measure::Instances { memory_gib: None }, PriceUnit::GbHour) => {
            return Err(
                "a per-GB-hour price needs the node memory (catalog or node_memory_gib)".into(),
            );
        }
        (measure, unit) => {
            return Err(format!(
                "a price per `{unit}` cannot bill a count of {}",
                measure.count_unit()
            ));
        }
    };
    Ok(q)
}

/// The price that bills a line (the scenario's given price, if any, else the table's), its
/// unit, and the quantity the count makes in that unit: what [`bill`] and
/// [`list_monthly_usd`] share before one records a bill and the other only sums.
struct Priced<'b> {
    unit: PriceUnit,
    quantity: f64,
    price: PriceFrom<'b>,
}

/// Where a line's price comes from.
enum PriceFrom<'b> {
    Given(&'b GivenPrice),
    Table(&'b crate::pricing::PriceEntry),
}

fn priced<'b>(
    count: u64,
    measure: Measure,
    key: &PriceKey,
    given: Option<&'b GivenPrice>,
    book: &'b PriceBook,
    hours_per_month: f64,
) -> Result<Priced<'b>, String> {
    if let Some(given) = given {
        let unit = PriceUnit::parse(&given.unit)
            .ok_or_else(|| format!("unknown price unit `{}`", given.unit))?;
        let quantity = quantity(count, measure, unit, hours_per_month)?;
        return Ok(Priced {
            unit,
            quantity,
            price: PriceFrom::Given(given),
        });
    }
    let entry = book.get(&key.service, &key.item, &key.region)?;
    Ok(Priced {
        unit: entry.unit,
        quantity: quantity(count, measure, entry.unit, hours_per_month)?,
        price: PriceFrom::Table(entry),
    })
}

/// Prices a line by the scenario's given price, if any, else the table's.
pub fn bill(
    count: u64,
    measure: Measure,
    key: &PriceKey,
    given: Option<&GivenPrice>,
    book: &PriceBook,
    hours_per_month: f64,
) -> Result<Bill, String> {
    let Priced {
        unit,
        quantity: q,
        price,
    } = priced(count, measure, key, given, book, hours_per_month)?;
    let entry = match price {
        PriceFrom::Given(given) => {
            return Ok(Bill {
                unit,
                quantity: q,
                unit_price_usd: given.usd,
                list_monthly_usd: q * given.usd,
                tiers: Vec::new(),
                origin: PriceOrigin {
                    given_by: PriceGivenBy::Scenario,
                    source: given.source.clone(),
                    as_of: String::new(),
                    confidence: "scenario".into(),
                    key: None,
                },
                parts: Vec::new(),
            });
        }
        PriceFrom::Table(entry) => entry,
    };
    let (list, charges) = tiers::bill(&entry.tiers, q);
    let unit_price_usd = if entry.is_tiered() {
        if q > 0.0 {
            round_rate(list / q)
        } else {
            entry.tiers[0].price_usd
        }
    } else {
        entry.tiers[0].price_usd
    };
    Ok(Bill {
        unit,
        quantity: q,
        unit_price_usd,
        list_monthly_usd: list,
        tiers: if entry.is_tiered() {
            charges
        } else {
            Vec::new()
        },
        origin: PriceOrigin {
            given_by: PriceGivenBy::Table,
            source: entry.source.clone(),
            as_of: entry.as_of.clone(),
            confidence: match entry.confidence {
                Confidence::High => "high",
                Confidence::Medium => "medium",
                Confidence::Uncertain => "uncertain",
            }
            .into(),
            // The key of the price actually used (another provider's after mapping).
            key: Some(key_text(&entry.service, &entry.item, &entry.region)),
        },
        parts: Vec::new(),
    })
}

/// A price key as text, `service/item/region`. Joined by hand: every line of every phase
/// and timeline month is billed here (some 17,000 bills a plan), and `format!` took a
/// twentieth of a whole `plan` run.
pub fn key_text(service: &str, item: &str, region: &str) -> String {
    let mut key = String::with_capacity(service.len() + item.len() + region.len() + 2);
    for (i, part) in [service, item, region].into_iter().enumerate() {
        if i > 0 {
            key.push('/');
        }
        key.push_str(part);
    }
    key
}

/// Each part's count when a line provisions `count`: the parts' own counts when they add up
/// to it, else `count` spread over them in proportion (a pinned or planned count).
#[must_use]
pub fn split(count: u64, parts: &[PricePart]) -> Vec<u64> {
    let weights: Vec<u64> = parts.iter().map(|p| p.count).collect();
    if weights.iter().copied().fold(0_u64, u64::saturating_add) == count {
        weights
    } else {
        distribute(count, &weights)
    }
}

/// Prices a line that bills at one key, or at several (`parts`: each region or CDN geography
/// at its own price, tiers walked per key). A scenario-given price bills the whole count.
pub fn bill_parts(
    count: u64,
    measure: Measure,
    key: &PriceKey,
    parts: &[PricePart],
    given: Option<&GivenPrice>,
    book: &PriceBook,
    hours_per_month: f64,
) -> Result<Bill, String> {
    if given.is_some() || parts.is_empty() {
        return bill(count, measure, key, given, book, hours_per_month);
    }
    let bills = per_part(count, parts, |n, key| {
        let b = bill(n, measure, key, None, book, hours_per_month)?;
        Ok((b.unit, b))
    })?;
    let unit = bills[0].2.unit;
    let quantity: f64 = bills.iter().map(|(_, _, b)| b.quantity).sum();
    let list: f64 = bills.iter().map(|(_, _, b)| b.list_monthly_usd).sum();
    let confidence = ["uncertain", "medium"]
        .into_iter()
        .find(|c| bills.iter().any(|(_, _, b)| b.origin.confidence == *c))
        .unwrap_or("high");
    let mut sources: Vec<&str> = Vec::new();
    for (_, _, b) in &bills {
        if !sources.contains(&b.origin.source.as_str()) {
            sources.push(&b.origin.source);
        }
    }
    let keys: Vec<&str> = bills
        .iter()
        .filter_map(|(_, _, b)| b.origin.key.as_deref())
        .collect();
    let origin = PriceOrigin {
        given_by: PriceGivenBy::Table,
        source: sources.join("; "),
        as_of: bills
            .iter()
            .map(|(_, _, b)| b.origin.as_of.clone())
            .max()
            .unwrap_or_default(),
        confidence: confidence.into(),
        key: Some(keys.join(", ")),
    };
    // The parts billing something at one price report that price; only parts at different
    // prices report their quantity-weighted mean (list / quantity would turn $0.995 into
    // 0.9949999999999999).
    let mut billed = bills.iter().filter(|(_, _, b)| b.quantity > 0.0);
    let unit_price_usd = match billed.next() {
        None => bills[0].2.unit_price_usd,
        Some((_, _, first))
            if billed
                .all(|(_, _, b)| b.unit_price_usd.to_bits() == first.unit_price_usd.to_bits()) =>
        {
            first.unit_price_usd
        }
        Some(_) => round_rate(list / quantity),
    };
    let parts = bills
        .into_iter()
        .map(|(part, n, b)| PartBill {
            region: part.key.region.to_string(),
            price_key: b.origin.key.unwrap_or_default(),
            count: n,
            quantity: b.quantity,
            unit_price_usd: b.unit_price_usd,
            list_monthly_usd: b.list_monthly_usd,
            tiers: b.tiers,
            price_source: b.origin.source,
            price_confidence: b.origin.confidence,
        })
        .collect();
    Ok(Bill {
        unit,
        quantity,
        unit_price_usd,
        list_monthly_usd: list,
        tiers: Vec::new(),
        origin,
        parts,
    })
}

/// Each part of a line priced by `price` (its count and key), in part order, once every
/// part shares the first's unit: the first pricing error, else the first part whose unit
/// differs, is the error.
fn per_part<T>(
    count: u64,
    parts: &[PricePart],
    mut price: impl FnMut(u64, &PriceKey) -> Result<(PriceUnit, T), String>,
) -> Result<Vec<(&PricePart, u64, T)>, String> {
    let mut priced = Vec::with_capacity(parts.len());
    let mut units = Vec::with_capacity(parts.len());
    for (part, n) in parts.iter().zip(split(count, parts)) {
        let (unit, t) = price(n, &part.key)?;
        units.push(unit);
        priced.push((part, n, t));
    }
    if let Some(at) = units.iter().position(|u| *u != units[0]) {
        return Err(format!(
            "region `{}` prices per `{}` where `{}` prices per `{}`",
            parts[at].key.region, units[at], parts[0].key.region, units[0]
        ));
    }
    Ok(priced)
}

/// The list monthly cost [`bill_parts`] bills, and its errors, without the bill: no record
/// of where each price came from (strings per line). Auto-selection ranks every candidate
/// shape of every phase by this figure alone.
pub fn list_monthly_usd(
    count: u64,
    measure: Measure,
    key: &PriceKey,
    parts: &[PricePart],
    given: Option<&GivenPrice>,
    book: &PriceBook,
    hours_per_month: f64,
) -> Result<f64, String> {
    list_monthly_usd_seeing(
        count,
        measure,
        key,
        parts,
        given,
        book,
        hours_per_month,
        &mut |_| {},
    )
}

/// [`list_monthly_usd`], showing `seen` each table price it uses, in part order (the prices a
/// bill's parts would name).
#[allow(
    clippy::too_many_arguments,
    reason = "list_monthly_usd's arguments and the one that sees its prices"
)]
pub fn list_monthly_usd_seeing<'b>(
    count: u64,
    measure: Measure,
    key: &PriceKey,
    parts: &[PricePart],
    given: Option<&'b GivenPrice>,
    book: &'b PriceBook,
    hours_per_month: f64,
    seen: &mut dyn FnMut(&'b PriceEntry),
) -> Result<f64, String> {
    let mut list_at = |n: u64, key: &PriceKey, given: Option<&'b GivenPrice>| {
        let p = priced(n, measure, key, given, book, hours_per_month)?;
        let list = match p.price {
            PriceFrom::Given(given) => p.quantity * given.usd,
            PriceFrom::Table(entry) => {
                seen(entry);
                tiers::total(&entry.tiers, p.quantity)
            }
        };
        Ok((p.unit, list))
    };
    if given.is_some() || parts.is_empty() {
        return list_at(count, key, given).map(|(_, list)| list);
    }
    let lists = per_part(count, parts, |n, key| list_at(n, key, None))?;
    // Summed as `bill_parts` sums: the same float additions in the same order.
    Ok(lists.iter().map(|(_, _, list)| list).sum())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn given(usd: f64, unit: &str) -> GivenPrice {
        GivenPrice {
            usd,
            unit: unit.into(),
            source: "doc".into(),
        }
    }

    fn key() -> PriceKey {
        PriceKey::new("ec2", "m5.2xlarge", "us-east-1")
    }

    #[test]
    fn key_text_joins_with_slashes() {
        assert_eq!(
            key_text("rds-postgres", "db.r6g.large", "eu-west-1"),
            "rds-postgres/db.r6g.large/eu-west-1"
        );
        assert_eq!(key_text("", "x", ""), "/x/");
    }

    #[test]
    fn instance_hours() {
        // seed 004's API line: 50 x m5.2xlarge x $0.384/h x 730 h = $14,016/month
        let b = bill(
            50,
            Measure::Instances { memory_gib: None },
            &key(),
            Some(&given(0.384, "hour")),
            &PriceBook::default(),
            730.0,
        )
        .unwrap();
        assert_eq!(b.quantity, 36_500.0);
        assert!((b.list_monthly_usd - 14_016.0).abs() < 1e-6);
    }

    #[test]
    fn gib_hours_use_node_memory() {
        // seed 003's Redis line: 360 nodes x 64 GB x $0.15/GB-h x 730 h = $2,522,880/month
        let b = bill(
            360,
            Measure::Instances {
                memory_gib: Some(64.0),
            },
            &key(),
            Some(&given(0.15, "gb-hour")),
            &PriceBook::default(),
            730.0,
        )
        .unwrap();
        assert!((b.list_monthly_usd - 2_522_880.0).abs() < 1e-6);
    }

    #[test]
    fn requests_per_ten_thousand() {
        // 1e9 requests at $0.01 per 10k = 1e5 x 0.01 = $1,000
        let q = quantity(
            1_000_000_000,
            Measure::Requests,
            PriceUnit::Requests10k,
            730.0,
        )
        .unwrap();
        assert_eq!(q, 100_000.0);
    }

    #[test]
    fn stated_requests_divide_like_requests() {
        // a fixed line of 2e6 requests at a per-1k price bills 2,000 units, not 2e6 x hours
        assert_eq!(
            quantity(2_000_000, Measure::Stated, PriceUnit::Requests1k, 730.0).unwrap(),
            2_000.0
        );
        assert_eq!(
            quantity(3, Measure::Stated, PriceUnit::Hour, 730.0).unwrap(),
            2_190.0
        );
    }

    #[test]
    fn incompatible_units_are_errors() {
        let e = quantity(3, Measure::Gb, PriceUnit::Hour, 730.0).unwrap_err();
        assert!(e.contains("cannot bill a count of GB"), "{e}");
        assert!(
            quantity(
                3,
                Measure::Instances { memory_gib: None },
                PriceUnit::GbHour,
                730.0
            )
            .is_err()
        );
    }

    /// `list_monthly_usd` is the list cost `bill_parts` bills, without the bill: the same f64
    /// bit for bit and the same error, for every price of the shipped AWS tables, billed at
    /// one key, split over regions (one of them unpriced), and at given prices.
    #[test]
    fn list_cost_is_bill_parts_list_cost_for_every_shipped_price() {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("pricing/aws");
        let book = PriceBook::load(&dir).unwrap();
        let measures = [
            Measure::Instances { memory_gib: None },
            Measure::Instances {
                memory_gib: Some(64.0),
            },
            Measure::Gb,
            Measure::Requests,
            Measure::Stated,
        ];
        let same = |count: u64,
                    measure: Measure,
                    key: &PriceKey,
                    parts: &[PricePart],
                    given: Option<&GivenPrice>| {
            let list = list_monthly_usd(count, measure, key, parts, given, &book, 730.0);
            let billed = bill_parts(count, measure, key, parts, given, &book, 730.0)
                .map(|b| b.list_monthly_usd);
            match (list, billed) {
                (Ok(a), Ok(b)) => assert_eq!(a.to_bits(), b.to_bits(), "{key:?} x {count}"),
                (Err(a), Err(b)) => assert_eq!(a, b, "{key:?} x {count}"),
                (a, b) => panic!("{key:?} x {count}: {a:?} against {b:?}"),
            }
        };
        let mut prices = 0;
        for e in book.entries() {
            let key = PriceKey::new(&e.service, &e.item, &e.region);
            for count in [0, 1, 7, 1_000, 123_456_789] {
                // Parts whose counts do not add up to the count are spread in proportion.
                let parts: Vec<PricePart> = ["us-east-1", "eu-west-1", "nowhere-1"]
                    .into_iter()
                    .zip([3, 2, 1])
                    .map(|(region, sixths)| PricePart {
                        key: PriceKey::new(&e.service, &e.item, region),
                        count: sixths * count / 6,
                    })
                    .collect();
                for measure in measures {
                    same(count, measure, &key, &[], None);
                    same(count, measure, &key, &parts[..2], None);
                    same(count, measure, &key, &parts, None);
                }
            }
            prices += 1;
        }
        let hourly = Measure::Instances { memory_gib: None };
        same(5, hourly, &key(), &[], Some(&given(0.384, "hour")));
        same(5, Measure::Gb, &key(), &[], Some(&given(0.1, "parsec")));
        assert!(prices > 3_000, "{prices} prices checked");
    }

    #[test]
    fn missing_table_price_is_an_error() {
        let e = bill(
            1,
            Measure::Instances { memory_gib: None },
            &key(),
            None,
            &PriceBook::default(),
            730.0,
        )
        .unwrap_err();
        assert!(e.contains("m5.2xlarge") && e.contains("us-east-1"), "{e}");
    }
}
