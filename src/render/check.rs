//! `headroom check --fleet`'s answer as text: one row per compared line, then what the fleet
//! lacks, costs in excess, leaves out, and the verdict.

use std::fmt::Write;

use crate::check::{FleetCheck, Status};
use crate::render::format::{figure, thousands, usd};
use crate::render::table::{Align, Table};

fn status(s: Status) -> &'static str {
    match s {
        Status::Short => "SHORT",
        Status::Within => "ok",
        Status::Over => "over",
    }
}

/// The table, the notes and the verdict.
#[must_use]
pub fn text(c: &FleetCheck) -> String {
    let mut out = format!(
        "{} phase {} ({} users) against {} ({}), tolerance {}%\n\n",
        c.scenario,
        c.phase,
        thousands(c.users),
        c.fleet_file,
        c.fleet_format,
        figure(c.tolerance * 100.0, 2)
    );
    let mut t = Table::new(&[
        ("component", Align::Left),
        ("item", Align::Left),
        ("plan", Align::Right),
        ("fleet", Align::Right),
        ("as plan shape", Align::Right),
        ("status", Align::Left),
        ("excess monthly", Align::Right),
        ("shape, short regions", Align::Left),
    ]);
    for l in &c.lines {
        let mut shapes: Vec<String> = l
            .shapes
            .iter()
            .map(|s| {
                format!(
                    "{} = {} x {} by {} ({} vs {})",
                    s.fleet_instance,
                    figure(s.ratio, 3),
                    s.plan_instance,
                    s.resource,
                    figure(s.fleet_value, 2),
                    figure(s.plan_value, 2)
                )
            })
            .collect();
        shapes.extend(
            l.unknown_shapes
                .iter()
                .map(|i| format!("{i}: not in the catalog, counted 1:1")),
        );
        shapes.extend(
            l.regions
                .iter()
                .filter(|r| r.status == Status::Short)
                .map(|r| {
                    format!(
                        "{}: {} for {}",
                        r.region,
                        figure(r.fleet_equivalent, 2),
                        thousands(r.plan_count)
                    )
                }),
        );
        t.row(vec![
            l.component.clone(),
            l.item.clone(),
            thousands(l.plan_count),
            thousands(l.fleet_count),
            figure(l.fleet_equivalent, 2),
            status(l.status).into(),
            match (l.status, l.excess_monthly_usd) {
                (Status::Over, Some(x)) => usd(x),
                _ => String::new(),
            },
            shapes.join("; "),
        ]);
    }
    out.push_str(&t.to_text());
    if !c.not_in_fleet.is_empty() {
        let _ = writeln!(
            out,
            "\nnot in the fleet (not judged): {}",
            c.not_in_fleet.join(", ")
        );
    }
    for i in &c.ignored {
        let _ = writeln!(out, "ignored: {}: {}", i.what, i.reason);
    }
    if c.excess_monthly_usd > 0.0 {
        let _ = writeln!(
            out,
            "\nover-provisioned: {}/month beyond need",
            usd(c.excess_monthly_usd)
        );
    }
    let _ = if c.failed {
        writeln!(out, "\nshort: {}", c.short.join(", "))
    } else {
        writeln!(out, "\nno line is short")
    };
    out
}
