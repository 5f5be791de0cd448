//! `focus.csv`: the plan's forecast as a FOCUS 1.0 cost and usage dataset (FinOps Open Cost
//! and Usage Specification, <https://focus.finops.org/focus-specification/v1-0/>), so a
//! forecast can be loaded beside real bills in the tools that read them.
//!
//! Rows: one per phase and billed line (a line whose regions bill at their own price keys: one
//! row per region's part). Unbilled lines (capacity figures, unpriced lines) cost nothing and
//! have no row. Each phase is one billing month at that phase's scale, phases in order from the
//! start month: phase `i` is billed in month `start + i` (a phase is a steady state, not a date;
//! the months only give FOCUS the dates it requires). The start month is `--focus-start`, else
//! the growth curve's `start`, else the month of the newest price the plan uses (see
//! [`default_start`]). A month's cost is the plan's monthly cost (730 hours), whatever the
//! calendar month's length.
//!
//! Costs: `ListCost` is the line's list cost, `BilledCost`, `EffectiveCost` and
//! `ContractedCost` its net cost (a discount is a contracted price here: headroom does not
//! model commitments' purchase rows). Per phase, `BilledCost` sums to the plan's
//! `monthly_usd` and `ListCost` to its `list_monthly_usd`.
//!
//! Columns beyond FOCUS 1.0's names: the FinOps Foundation's validator (`focus-validator`
//! 1.0.0) checks version 1.0 against some pre-1.0 names (`InvoiceIssuer`, `Provider`,
//! `Publisher`, `ResourceID`), and its SkuPriceId rule reads `ChargeType` (pre-1.0
//! `ChargeCategory`). Each is written beside its 1.0 column with the same value, so the file
//! passes the validator and reads right in a strict 1.0 consumer.
//!
//! `focus.parquet` (`render::parquet`) holds the same rows from [`rows`], typed by
//! [`column_type`].
//!
//! Numbers in the CSV: shortest round-trip decimals, always with a fractional part (`2190.0`):
//! readers that infer column types (pandas, the validator) would take a column of whole
//! numbers for integers, which FOCUS's decimal columns are not.

use crate::error::Error;
use crate::plan::{Line, PhasePlan, Plan};
use crate::units::round_cents;

/// The columns, in file order.
pub const COLUMNS: &[&str] = &[
    "BillingAccountId",
    "BillingAccountName",
    "BillingCurrency",
    "BillingPeriodStart",
    "BillingPeriodEnd",
    "ChargePeriodStart",
    "ChargePeriodEnd",
    "ChargeCategory",
    "ChargeClass",
    "ChargeDescription",
    "ChargeFrequency",
    "BilledCost",
    "EffectiveCost",
    "ListCost",
    "ContractedCost",
    "ListUnitPrice",
    "ContractedUnitPrice",
    "PricingCategory",
    "PricingQuantity",
    "PricingUnit",
    "ConsumedQuantity",
    "ConsumedUnit",
    "CommitmentDiscountCategory",
    "CommitmentDiscountId",
    "CommitmentDiscountName",
    "CommitmentDiscountStatus",
    "CommitmentDiscountType",
    "ProviderName",
    "PublisherName",
    "InvoiceIssuerName",
    "RegionId",
    "RegionName",
    "AvailabilityZone",
    "ResourceId",
    "ResourceName",
    "ResourceType",
    "ServiceCategory",
    "ServiceName",
    "SkuId",
    "SkuPriceId",
    "SubAccountId",
    "SubAccountName",
    "Tags",
    // Pre-1.0 names the validator's 1.0 rules read (module comment).
    "ChargeType",
    "InvoiceIssuer",
    "Provider",
    "Publisher",
    "ResourceID",
];

/// The month of phase 0 when neither `--focus-start` nor the growth curve gives one: the
/// newest `price_as_of` month of the plan's billed lines (the forecast is priced as of then),
/// `YYYY-MM`. `None` when no line is billed.
#[must_use]
pub fn default_start(plan: &Plan) -> Option<String> {
    plan.phases
        .iter()
        .flat_map(|p| &p.lines)
        .filter(|l| l.billed)
        .filter_map(|l| l.price_as_of.get(..7))
        .filter(|m| crate::input::growth::month_label(m, 0).is_some())
        .max()
        .map(str::to_string)
}

/// A FOCUS 1.0 column's data type (the spec's "Data type" of each column).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ColumnType {
    String,
    Decimal,
    /// An instant in UTC.
    DateTime,
}

/// The FOCUS 1.0 type of column `name` (one of [`COLUMNS`]): costs, prices and quantities
/// are Decimal, the four period bounds DateTime, the rest String (`Tags`: a JSON object as
/// text).
#[must_use]
pub fn column_type(name: &str) -> ColumnType {
    match name {
        "BilledCost"
        | "EffectiveCost"
        | "ListCost"
        | "ContractedCost"
        | "ListUnitPrice"
        | "ContractedUnitPrice"
        | "PricingQuantity"
        | "ConsumedQuantity" => ColumnType::Decimal,
        "BillingPeriodStart" | "BillingPeriodEnd" | "ChargePeriodStart" | "ChargePeriodEnd" => {
            ColumnType::DateTime
        }
        _ => ColumnType::String,
    }
}

/// One cell of a row, typed as its column ([`column_type`]); `focus.csv` writes it as text and
/// `focus.parquet` (`render::parquet`) as its Parquet type.
#[derive(Debug, Clone, PartialEq)]
pub enum Value {
    Text(String),
    Decimal(f64),
    /// The first instant (00:00 UTC on day 1) of a `YYYY-MM` month.
    MonthStart(String),
    Null,
}

impl Value {
    /// The CSV text: datetimes as `2027-11-01T00:00:00Z`, decimals with a fraction
    /// ([`decimal`]), null as an empty field.
    fn csv_text(&self) -> String {
        match self {
            Value::Text(text) => text.clone(),
            Value::Decimal(x) => decimal(*x),
            Value::MonthStart(month) => format!("{month}-01T00:00:00Z"),
            Value::Null => String::new(),
        }
    }
}

/// The rows, cells in [`COLUMNS`] order, phase 0 billed in `start` (`YYYY-MM`).
pub fn rows(plan: &Plan, start: &str) -> Result<Vec<Vec<Value>>, Error> {
    let bad_start = || Error::Usage(format!("focus start `{start}` is not a YYYY-MM month"));
    let mut rows = Vec::new();
    for (i, phase) in plan.phases.iter().enumerate() {
        let offset = u32::try_from(i).map_err(|_| bad_start())?;
        let month = crate::input::growth::month_label(start, offset).ok_or_else(bad_start)?;
        let next = crate::input::growth::month_label(start, offset + 1).ok_or_else(bad_start)?;
        let period = Period {
            start: month,
            end: next,
        };
        for line in phase.lines.iter().filter(|l| l.billed) {
            for charge in charges(plan, line) {
                rows.push(row(plan, phase, line, &charge, &period));
            }
        }
    }
    Ok(rows)
}

/// `focus.csv` bytes, phase 0 billed in `start` (`YYYY-MM`).
pub fn render(plan: &Plan, start: &str) -> Result<Vec<u8>, Error> {
    let mut out = csv::WriterBuilder::new().from_writer(Vec::new());
    let csv_error = |e: csv::Error| Error::Render(format!("focus.csv: {e}"));
    out.write_record(COLUMNS).map_err(csv_error)?;
    for row in rows(plan, start)? {
        out.write_record(row.iter().map(Value::csv_text))
            .map_err(csv_error)?;
    }
    out.into_inner()
        .map_err(|e| Error::Render(format!("focus.csv: {e}")))
}

/// A billing month: its first instant and the next month's (end exclusive), `YYYY-MM`.
struct Period {
    start: String,
    end: String,
}

/// One row's share of a line: the whole line, or one region's part of it.
struct Charge {
    region: String,
    price_key: Option<String>,
    quantity: f64,
    list_usd: f64,
    net_usd: f64,
    unit_price_usd: f64,
}

/// A line's rows: one per region's part where parts bill at their own keys, else one. Costs
/// are in cents, as the plan's lines are: a part's list cost is its bill rounded to cents and
/// its net cost that times the line's discount multiplier, the last part taking the remainder
/// of both, so the parts sum to the line's figures as the plan states them.
fn charges(plan: &Plan, line: &Line) -> Vec<Charge> {
    if line.price_parts.is_empty() {
        return vec![Charge {
            region: plan.pricing.region.clone(),
            price_key: line.price_key.clone(),
            quantity: line.quantity,
            list_usd: line.list_monthly_usd,
            net_usd: line.monthly_usd,
            unit_price_usd: line.unit_price_usd,
        }];
    }
    let (mut list_left, mut net_left) = (line.list_monthly_usd, line.monthly_usd);
    let last = line.price_parts.len() - 1;
    line.price_parts
        .iter()
        .enumerate()
        .map(|(i, part)| {
            let (list_usd, net_usd) = if i == last {
                (round_cents(list_left), round_cents(net_left))
            } else {
                let list_usd = round_cents(part.list_monthly_usd);
                (list_usd, round_cents(list_usd * line.discount_multiplier))
            };
            list_left -= list_usd;
            net_left -= net_usd;
            Charge {
                region: part.region.clone(),
                price_key: Some(part.price_key.clone()),
                quantity: part.quantity,
                list_usd,
                net_usd,
                unit_price_usd: part.unit_price_usd,
            }
        })
        .collect()
}

fn row(plan: &Plan, phase: &PhasePlan, line: &Line, c: &Charge, period: &Period) -> Vec<Value> {
    let provider = provider_name(&plan.provider);
    let (service, sku) = match &c.price_key {
        Some(key) => {
            let mut parts = key.splitn(3, '/');
            let service = parts.next().unwrap_or(key).to_string();
            let item = parts.next().unwrap_or("");
            (service.clone(), format!("{service}/{item}"))
        }
        // A scenario-given price: the component's kind stands for the service.
        None => (line.kind.clone(), format!("{}/{}", line.kind, line.item)),
    };
    let sku_price = c
        .price_key
        .clone()
        .unwrap_or_else(|| format!("{sku}/{}", c.region));
    let resource = format!("{}/{}/{}", plan.scenario, line.component, line.item);
    let what = line.instance.as_deref().unwrap_or(&line.item);
    let description = format!(
        "{} {} of {} for {} ({} phase, {} users)",
        line.count, line.count_unit, what, line.component, phase.name, phase.users
    );
    let tags = serde_json::json!({
        "headroom-component": line.component,
        "headroom-discount": line.discount,
        "headroom-item": line.item,
        "headroom-kind": line.kind,
        "headroom-phase": phase.name,
        "headroom-users": phase.users,
    })
    .to_string();
    let pricing_category = if line.discount.is_some() {
        "Other"
    } else {
        "Standard"
    };
    let net_unit_price = c.unit_price_usd * line.discount_multiplier;
    let text = |s: &str| Value::Text(s.to_string());
    let value = |column: &str| -> Value {
        match column {
            "BillingAccountId" => Value::Text(format!("headroom-forecast/{}", plan.scenario)),
            "BillingAccountName" => Value::Text(format!("headroom forecast of {}", plan.scenario)),
            "BillingCurrency" => Value::Text(plan.currency.to_string()),
            "BillingPeriodStart" | "ChargePeriodStart" => Value::MonthStart(period.start.clone()),
            "BillingPeriodEnd" | "ChargePeriodEnd" => Value::MonthStart(period.end.clone()),
            "ChargeCategory" | "ChargeType" => text("Usage"),
            "ChargeDescription" => text(&description),
            "ChargeFrequency" => text("Usage-Based"),
            "BilledCost" | "EffectiveCost" | "ContractedCost" => Value::Decimal(c.net_usd),
            "ListCost" => Value::Decimal(c.list_usd),
            "ListUnitPrice" => Value::Decimal(c.unit_price_usd),
            "ContractedUnitPrice" => Value::Decimal(net_unit_price),
            "PricingCategory" => text(pricing_category),
            "PricingQuantity" | "ConsumedQuantity" => Value::Decimal(c.quantity),
            "PricingUnit" | "ConsumedUnit" => text(&line.unit),
            "ProviderName" | "PublisherName" | "InvoiceIssuerName" | "InvoiceIssuer"
            | "Provider" | "Publisher" => text(&provider),
            "RegionId" | "RegionName" => text(&c.region),
            "ResourceId" | "ResourceID" => text(&resource),
            "ResourceName" => Value::Text(format!("{} {}", line.component, line.item)),
            "ResourceType" => Value::Text(format!("{} {}", line.kind, line.item)),
            "ServiceCategory" => text(service_category(line)),
            "ServiceName" => text(&service),
            "SkuId" => text(&sku),
            "SkuPriceId" => text(&sku_price),
            "Tags" => text(&tags),
            // ChargeClass (only corrections), commitment columns (no commitments modeled),
            // AvailabilityZone and the sub-account: null.
            _ => Value::Null,
        }
    };
    COLUMNS.iter().map(|c| value(c)).collect()
}

/// A decimal with a fractional part: 2190.0 -> "2190.0", 0.384 -> "0.384" (shortest text that
/// reads back as the same f64).
fn decimal(x: f64) -> String {
    let text = format!("{x}");
    if text.contains('.') {
        text
    } else {
        format!("{text}.0")
    }
}

/// The provider as FOCUS names it (the name on the invoice).
fn provider_name(provider: &str) -> String {
    match provider {
        "aws" => "AWS".into(),
        "gcp" => "Google Cloud".into(),
        "azure" => "Microsoft Azure".into(),
        other => other.to_string(),
    }
}

/// FOCUS 1.0's ServiceCategory of a line: storage held per GB-month is Storage and data
/// transferred per GB is Networking whatever the component; otherwise the component's kind.
fn service_category(line: &Line) -> &'static str {
    match line.unit.as_str() {
        "gb-month" => return "Storage",
        "gb" => return "Networking",
        _ => {}
    }
    match line.kind.as_str() {
        "Postgres" | "Redis" => "Databases",
        "App" | "PgBouncer" => "Compute",
        "Kafka" => "Analytics",
        "Cdn" | "CrossRegion" => "Networking",
        "ObjectStorage" => "Storage",
        _ => "Other",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn plan(name: &str) -> Plan {
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
        let loaded = crate::input::load_scenario(&root.join("scenarios").join(name)).unwrap();
        crate::plan::build(&loaded).unwrap()
    }

    fn rows(bytes: &[u8]) -> Vec<csv::StringRecord> {
        csv::Reader::from_reader(bytes)
            .records()
            .map(Result::unwrap)
            .collect()
    }

    fn col(name: &str) -> usize {
        COLUMNS.iter().position(|c| *c == name).unwrap()
    }

    #[test]
    fn decimals_always_have_a_fraction() {
        assert_eq!(decimal(2190.0), "2190.0");
        assert_eq!(decimal(0.384), "0.384");
        assert_eq!(decimal(0.0), "0.0");
        // 1e20 as Display prints every digit, never an exponent
        assert_eq!(decimal(1e20), "100000000000000000000.0");
    }

    #[test]
    fn costs_sum_to_the_plans_totals_per_phase_month() {
        // saas-10b is multi-region: some lines bill per region (price_parts), so this also
        // checks that parts add up to their line.
        let plan = plan("saas-10b.ron");
        let bytes = render(&plan, "2027-11").unwrap();
        let rows = rows(&bytes);
        assert!(rows.iter().any(|r| &r[col("RegionId")] != "us-east-1"));
        for (i, phase) in plan.phases.iter().enumerate() {
            let month = crate::input::growth::month_label("2027-11", i as u32).unwrap();
            let start = format!("{month}-01T00:00:00Z");
            let of_month: Vec<_> = rows
                .iter()
                .filter(|r| r[col("BillingPeriodStart")] == start)
                .collect();
            let sum = |c: &str| -> f64 {
                of_month
                    .iter()
                    .map(|r| r[col(c)].parse::<f64>().unwrap())
                    .sum()
            };
            for (c, want) in [
                ("BilledCost", phase.monthly_usd),
                ("EffectiveCost", phase.monthly_usd),
                ("ListCost", phase.list_monthly_usd),
            ] {
                // Rows are in cents, as the plan's lines are; the plan's total is their sum
                // rounded to cents.
                let got = round_cents(sum(c));
                assert_eq!(got, want, "{}: {c}", phase.name);
            }
        }
        // Phase 0 in 2027-11, the seventh phase (index 6) in 2028-05; periods end at the next
        // month's start.
        assert_eq!(&rows[0][col("BillingPeriodEnd")], "2027-12-01T00:00:00Z");
        assert!(
            rows.iter()
                .any(|r| &r[col("ChargePeriodStart")] == "2028-05-01T00:00:00Z")
        );
        assert_eq!(render(&plan, "2027-11").unwrap(), bytes);
    }

    #[test]
    fn default_start_is_the_newest_price_month() {
        let plan = plan("saas-10b.ron");
        let newest = plan
            .phases
            .iter()
            .flat_map(|p| &p.lines)
            .filter(|l| l.billed)
            .map(|l| l.price_as_of.clone())
            .max()
            .unwrap();
        assert_eq!(default_start(&plan).unwrap(), newest[..7]);
    }

    #[test]
    fn a_bad_start_is_named() {
        let e = render(&plan("saas-10b.ron"), "2027-13").unwrap_err();
        assert!(e.to_string().contains("`2027-13`"), "{e}");
    }
}
