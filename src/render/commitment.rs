//! `headroom commit` as terminal text: per line part, the best reserved level, its expected
//! cost over the term against all on demand and against 10% fewer or more, then the lines
//! the tables cannot commit.

use std::fmt::Write;

use crate::commitment::Commitments;
use crate::render::format::{unit_price, usd};
use crate::render::table::{Align, Table};

/// The commitments as terminal text.
#[must_use]
pub fn text(c: &Commitments) -> String {
    let mut out = String::new();
    let _ = writeln!(
        out,
        "{}: {} commitment over {} months ({}; {} h/month)\n",
        c.scenario, c.term, c.months, c.distribution, c.hours_per_month
    );
    let mut t = Table::new(&[
        ("component", Align::Left),
        ("item", Align::Left),
        ("region", Align::Left),
        ("instance", Align::Left),
        ("count min-max", Align::Right),
        ("on demand/h", Align::Right),
        ("committed/h", Align::Right),
        ("payment", Align::Left),
        ("break-even", Align::Right),
        ("commit", Align::Right),
        ("upfront", Align::Right),
        ("term cost", Align::Right),
        ("all on demand", Align::Right),
        ("-10%", Align::Right),
        ("+10%", Align::Right),
    ]);
    for l in &c.lines {
        t.row(vec![
            l.component.clone(),
            l.item.clone(),
            l.region.clone(),
            l.instance.clone(),
            format!("{}-{}", l.min_count, l.max_count),
            unit_price(l.on_demand_hourly_usd),
            unit_price(l.rate.effective_hourly_usd),
            l.rate.payment.name().to_string(),
            format!("{:.1}%", l.break_even_utilization * 100.0),
            l.best.instances.to_string(),
            usd(l.best.upfront_usd),
            usd(l.best.term_usd),
            usd(l.on_demand_term_usd),
            format!("{} at {}", usd(l.lower.term_usd), l.lower.instances),
            format!("{} at {}", usd(l.higher.term_usd), l.higher.instances),
        ]);
    }
    out.push_str(&t.to_text());
    let _ = writeln!(
        out,
        "\nTerm: {} all on demand, {} with these commitments ({} upfront): saves {}",
        usd(c.on_demand_term_usd),
        usd(c.committed_term_usd),
        usd(c.upfront_usd),
        usd(c.savings_usd)
    );
    if let Some(support) = &c.support {
        let _ = writeln!(
            out,
            "Support plan `{}`: its fee is a share of each month's bill and falls with it by {}: \
             saves {} in all",
            support.plan,
            usd(support.fee_savings_usd),
            usd(support.total_savings_usd)
        );
    }
    let _ = writeln!(
        out,
        "Break-even: a committed instance pays off when it runs more than that share of the term."
    );
    if !c.uncommittable.is_empty() {
        let _ = writeln!(
            out,
            "\nCannot be committed (no reserved rate in the price tables; left on demand):"
        );
        for u in &c.uncommittable {
            let _ = writeln!(
                out,
                "  {}/{} {} {}: {}",
                u.component, u.item, u.region, u.instance, u.reason
            );
        }
    }
    out
}
