//! The tables every human-facing renderer shows: totals per phase and lines per phase.

use crate::costing::PriceGivenBy;
use crate::plan::{PhasePlan, Plan};
use crate::render::format::{short, thousands, unit_price, usd};
use crate::render::table::{Align, Table};

/// Phase x component monthly cost, with the total and cost per user.
#[must_use]
pub fn totals(plan: &Plan) -> Table {
    let names: Vec<String> = plan
        .phases
        .first()
        .map(|p| p.components.iter().map(|c| c.component.clone()).collect())
        .unwrap_or_default();
    let mut columns: Vec<(&str, Align)> = vec![("phase", Align::Left), ("users", Align::Right)];
    columns.extend(names.iter().map(|n| (n.as_str(), Align::Right)));
    columns.extend([
        ("monthly", Align::Right),
        ("per user", Align::Right),
        ("per DAU", Align::Right),
    ]);
    let mut table = Table::new(&columns);
    for phase in &plan.phases {
        let mut row = vec![phase.name.clone(), short(phase.users as f64)];
        row.extend(phase.components.iter().map(|c| usd(c.monthly_usd)));
        row.push(usd(phase.monthly_usd));
        row.push(format!("${:.6}", phase.per_user_usd));
        row.push(phase.per_dau_usd.map_or("-".into(), |v| format!("${v:.6}")));
        table.row(row);
    }
    table
}

/// A phase header's note of the lines its total leaves out (no price on this provider),
/// named; empty when every line is priced.
#[must_use]
pub fn unpriced_flag(phase: &PhasePlan) -> String {
    match phase.unpriced.len() {
        0 => String::new(),
        n => format!(
            " (without {n} unpriced line{}: {})",
            if n == 1 { "" } else { "s" },
            phase.unpriced.join(", ")
        ),
    }
}

/// One phase's lines; with a commitment policy, each instance line's committed and
/// on-demand counts and costs and its upfront fee follow the net cost.
#[must_use]
pub fn lines(phase: &PhasePlan) -> Table {
    let committed = phase.lines.iter().any(|l| l.commitment.is_some());
    let mut columns = vec![
        ("component", Align::Left),
        ("item", Align::Left),
        ("count", Align::Right),
        ("demand needs", Align::Right),
        ("binding", Align::Left),
        ("unit", Align::Left),
        ("unit price", Align::Right),
        ("list monthly", Align::Right),
        ("discount", Align::Left),
        ("net monthly", Align::Right),
    ];
    if committed {
        columns.extend([
            ("committed", Align::Right),
            ("on demand", Align::Right),
            ("upfront", Align::Right),
        ]);
    }
    columns.push(("price source", Align::Left));
    let mut table = Table::new(&columns);
    for line in &phase.lines {
        let needs = if line.pinned {
            format!(
                "{} (pinned {})",
                thousands(line.derived_count),
                thousands(line.count)
            )
        } else {
            thousands(line.derived_count)
        };
        let what = match &line.instance {
            Some(instance) => format!("{} {}", line.count_unit, instance),
            None => line.count_unit.clone(),
        };
        let price = if line.billed {
            format!("{}/{}", unit_price(line.unit_price_usd), line.unit)
        } else if line.price_given_by == PriceGivenBy::Unpriced {
            "UNPRICED".into()
        } else {
            "-".into()
        };
        let (list, discount, net) = if line.price_given_by == PriceGivenBy::Unpriced {
            ("unpriced".into(), String::new(), "unpriced".into())
        } else if line.billed {
            let discount = match &line.discount {
                Some(d) => format!("{d} (x{})", line.discount_multiplier),
                None => String::new(),
            };
            (usd(line.list_monthly_usd), discount, usd(line.monthly_usd))
        } else {
            ("-".into(), String::new(), "-".into())
        };
        let source = match line.price_given_by {
            PriceGivenBy::Scenario => format!("scenario: {}", line.price_source),
            PriceGivenBy::Unpriced => line.price_source.clone(),
            PriceGivenBy::Table => format!(
                "{} ({}{})",
                line.price_key.as_deref().unwrap_or(""),
                line.price_as_of,
                if line.price_confidence == "uncertain" {
                    ", UNCERTAIN"
                } else {
                    ""
                }
            ),
            PriceGivenBy::NotBilled => String::new(),
        };
        // The support fee's walk over its bands, on the phase's spend.
        let source = match crate::plan::support::walk_text(line) {
            Some(walk) => format!("{source}: {walk}"),
            None => source,
        };
        let mut row = vec![
            line.component.clone(),
            line.item.clone(),
            thousands(line.count),
            needs,
            line.binding.clone().unwrap_or_default(),
            what,
            price,
            list,
            discount,
            net,
        ];
        if committed {
            row.extend(commitment_cells(line));
        }
        row.push(source);
        table.row(row);
    }
    table
}

/// A line's committed and on-demand parts (`3 x $774.91`) and its upfront fee; blank for a
/// line the policy does not cover.
fn commitment_cells(line: &crate::plan::Line) -> [String; 3] {
    match &line.commitment {
        Some(c) => [
            format!(
                "{} = {}",
                thousands(c.committed),
                usd(c.committed_monthly_usd)
            ),
            format!(
                "{} = {}",
                thousands(c.on_demand),
                usd(c.on_demand_monthly_usd)
            ),
            usd(c.upfront_usd),
        ],
        None => Default::default(),
    }
}
