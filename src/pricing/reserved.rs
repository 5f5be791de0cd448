//! Reserved rates: the price-table rows that commit an instance for a term
//! (`<service>-reserved`, item `<instance>:<N>yr-<payment>`), read as an effective hourly
//! rate, an upfront fee and an hourly fee. `headroom commit` and a scenario's commitment
//! policy both read them here.

use serde::Serialize;

use crate::pricing::{PriceBook, PriceUnit};
use crate::units::round_cents;

/// Hours in a reservation year: AWS amortises upfront fees over 365 x 24 = 8,760 h (the
/// sources' effective rates use it; it is 12 x the 730-hour month).
pub const HOURS_PER_YEAR: f64 = 8760.0;

/// How a reservation is paid.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Payment {
    /// An hourly fee for every hour of the term, nothing upfront.
    NoUpfront,
    /// The whole term paid upfront, no hourly fee.
    AllUpfront,
}

impl Payment {
    pub const ALL: [Payment; 2] = [Payment::NoUpfront, Payment::AllUpfront];

    /// Reads `no-upfront` or `all-upfront`: the payments the tables hold.
    pub fn parse(text: &str) -> Result<Payment, String> {
        Payment::ALL
            .into_iter()
            .find(|p| p.name() == text)
            .ok_or_else(|| {
                format!(
                    "`{text}` is not a commitment payment in the price tables; expected `no-upfront` or `all-upfront`"
                )
            })
    }

    /// The name used in price items and scenarios.
    #[must_use]
    pub fn name(self) -> &'static str {
        match self {
            Payment::NoUpfront => "no-upfront",
            Payment::AllUpfront => "all-upfront",
        }
    }
}

/// A commitment term in whole years (`1y`, `3y`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Term {
    pub years: u32,
}

impl Term {
    /// Parses `1y` or `3y`: the terms the tables hold.
    pub fn parse(text: &str) -> Result<Term, String> {
        match text {
            "1y" => Ok(Term { years: 1 }),
            "3y" => Ok(Term { years: 3 }),
            other => Err(format!(
                "`{other}` is not a commitment term in the price tables; expected `1y` or `3y`"
            )),
        }
    }

    /// Months the term covers.
    #[must_use]
    pub fn months(self) -> u32 {
        self.years * 12
    }

    /// The term as written in price items (`1yr`).
    fn item_prefix(self) -> String {
        format!("{}yr", self.years)
    }
}

/// A reserved rate for one instance in one region.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Rate {
    /// `service/item/region` of the row.
    pub price_key: String,
    pub payment: Payment,
    /// Effective hourly rate: upfront amortised over the term plus the hourly fee.
    pub effective_hourly_usd: f64,
    /// Paid at the start of the term, per instance.
    pub upfront_usd: f64,
    /// Paid every hour of the term, per instance.
    pub recurring_hourly_usd: f64,
    pub source: String,
    pub as_of: String,
}

/// The reserved rate of `instance` under `service` in `region` for a term and payment, or
/// why there is none. Items are `<instance>:<N>yr-<payment>` or, for EC2 Standard RIs,
/// `<instance>:<N>yr-standard-<payment>`; a row of another region (a table fallback) does
/// not count.
pub fn rate(
    book: &PriceBook,
    service: &str,
    instance: &str,
    region: &str,
    term: Term,
    payment: Payment,
) -> Result<Rate, String> {
    let reserved = format!("{service}-reserved");
    let suffixes = [
        format!("{}-{}", term.item_prefix(), payment.name()),
        format!("{}-standard-{}", term.item_prefix(), payment.name()),
    ];
    for suffix in &suffixes {
        let item = format!("{instance}:{suffix}");
        let Ok(entry) = book.get(&reserved, &item, region) else {
            continue;
        };
        if entry.region != region || entry.tiers.is_empty() {
            continue;
        }
        let price = entry.tiers[0].price_usd;
        let term_hours = HOURS_PER_YEAR * f64::from(term.years);
        let effective = match entry.unit {
            PriceUnit::Hour => price,
            PriceUnit::Year => price / HOURS_PER_YEAR,
            _ => continue,
        };
        let (upfront, recurring) = match payment {
            Payment::AllUpfront => (effective * term_hours, 0.0),
            Payment::NoUpfront => (0.0, effective),
        };
        return Ok(Rate {
            price_key: format!("{reserved}/{item}/{region}"),
            payment,
            effective_hourly_usd: effective,
            upfront_usd: round_cents(upfront),
            recurring_hourly_usd: recurring,
            source: entry.source.clone(),
            as_of: entry.as_of.clone(),
        });
    }
    Err(format!(
        "no {}-year {} reserved rate for `{instance}` of `{service}` in `{region}` in the price tables",
        term.years,
        payment.name()
    ))
}

/// The cheapest reserved rate of the term over the payments the tables hold.
pub fn cheapest_rate(
    book: &PriceBook,
    service: &str,
    instance: &str,
    region: &str,
    term: Term,
) -> Result<Rate, String> {
    let mut found: Option<Rate> = None;
    let mut why = String::new();
    for payment in Payment::ALL {
        match rate(book, service, instance, region, term, payment) {
            Ok(r) => {
                if found
                    .as_ref()
                    .is_none_or(|f| r.effective_hourly_usd < f.effective_hourly_usd)
                {
                    found = Some(r);
                }
            }
            Err(e) => why = e,
        }
    }
    found.ok_or_else(|| {
        why.replace(
            &format!(" {}", Payment::AllUpfront.name()),
            " no-upfront or all-upfront",
        )
    })
}
