//! The price tables as people read them: `headroom pricing list`, `show` and `check`.

use std::fmt::Write;

use crate::pricing::check::Report;
use crate::pricing::table::PriceEntry;
use crate::render::table::{Align, Table};

/// `headroom pricing list`: providers, their services and how many prices each has.
#[must_use]
pub fn list_text(report: &Report) -> String {
    let mut t = Table::new(&[
        ("provider", Align::Left),
        ("prices", Align::Right),
        ("discounts", Align::Right),
        ("as of", Align::Left),
        ("services", Align::Left),
    ]);
    for p in &report.providers {
        t.row(vec![
            p.provider.clone(),
            p.prices.to_string(),
            p.discounts.to_string(),
            format!(
                "{} .. {}",
                p.oldest_as_of.as_deref().unwrap_or("-"),
                p.newest_as_of.as_deref().unwrap_or("-")
            ),
            p.services.join(", "),
        ]);
    }
    t.to_text()
}

/// `headroom pricing show`: one row per tier of each (provider, price), with sources and
/// dates.
#[must_use]
pub fn prices_text(prices: &[(String, PriceEntry)]) -> String {
    let mut t = Table::new(&[
        ("provider", Align::Left),
        ("service", Align::Left),
        ("item", Align::Left),
        ("region", Align::Left),
        ("unit", Align::Left),
        ("tier", Align::Left),
        ("price", Align::Right),
        ("as of", Align::Left),
        ("confidence", Align::Left),
        ("source", Align::Left),
    ]);
    for (provider, e) in prices {
        for tier in &e.tiers {
            t.row(vec![
                provider.clone(),
                e.service.clone(),
                e.item.clone(),
                e.region.clone(),
                e.unit.to_string(),
                if e.is_tiered() {
                    format!(
                        "{}..{}",
                        tier.start,
                        tier.end.map_or(String::from("inf"), |x| x.to_string())
                    )
                } else {
                    String::from("-")
                },
                format!("{}", tier.price_usd),
                e.as_of.clone(),
                format!("{:?}", e.confidence).to_lowercase(),
                e.source.clone(),
            ]);
        }
    }
    t.to_text()
}

/// `headroom pricing check`: a line per provider, then a line per issue.
#[must_use]
pub fn check_text(report: &Report) -> String {
    let mut out = String::new();
    for p in &report.providers {
        let _ = writeln!(
            out,
            "{}: {} prices, {} discounts, as of {} .. {}",
            p.provider,
            p.prices,
            p.discounts,
            p.oldest_as_of.as_deref().unwrap_or("-"),
            p.newest_as_of.as_deref().unwrap_or("-")
        );
    }
    for i in &report.issues {
        let _ = writeln!(
            out,
            "{}: {}: {}: {}",
            i.severity, i.provider, i.key, i.message
        );
    }
    out
}

/// The tally `headroom pricing check` ends with (on stderr).
#[must_use]
pub fn check_tally_text(report: &Report) -> String {
    let errors = report
        .issues
        .iter()
        .filter(|i| i.severity == crate::pricing::check::Severity::Error)
        .count();
    let warnings = report.issues.len() - errors;
    format!(
        "pricing check: {errors} errors, {warnings} warnings (today {})",
        report.today
    )
}
