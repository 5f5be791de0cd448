//! `headroom capacity`'s answer as text: the most users, what runs out first and the next
//! ones, each with the month it runs out and the month its work must start.

use std::fmt::Write;

use crate::capacity::{Capacity, Runout};
use crate::render::format::{figure, thousands};
use crate::render::table::{Align, Table};

fn row(t: &mut Table, r: &Runout) {
    let users = if r.unbounded {
        format!("> {}", thousands(r.max_users))
    } else {
        thousands(r.max_users)
    };
    let short = match (r.need, r.fleet) {
        (Some(need), Some(have)) => format!("needs {} > {}", thousands(need), figure(have, 2)),
        _ => String::new(),
    };
    t.row(vec![
        r.component.clone(),
        users,
        r.item.clone().unwrap_or_default(),
        r.resource.clone().unwrap_or_default(),
        short,
        r.label.clone().unwrap_or_else(|| "-".into()),
        r.lead_time_months.to_string(),
        r.start_work_label.clone().unwrap_or_else(|| "-".into()),
    ]);
}

/// The answer and one row per component, first to run out first.
#[must_use]
pub fn text(c: &Capacity) -> String {
    let mut out = format!(
        "{} with the fleet of {}: at most {} users\n",
        c.scenario,
        c.fleet,
        thousands(c.max_users)
    );
    if let Some(first) = c.first() {
        let _ = writeln!(
            out,
            "runs out first: {}{}{}",
            first.component,
            first
                .item
                .as_ref()
                .map_or(String::new(), |i| format!("/{i}")),
            first
                .resource
                .as_ref()
                .map_or(String::new(), |r| format!(" ({r})"))
        );
    }
    let next: Vec<&str> = c.next().iter().map(|r| r.component.as_str()).collect();
    if !next.is_empty() {
        let _ = writeln!(out, "then: {}", next.join(", "));
    }
    out.push('\n');
    let mut t = Table::new(&[
        ("component", Align::Left),
        ("max users", Align::Right),
        ("line", Align::Left),
        ("resource", Align::Left),
        ("one user more", Align::Left),
        ("runs out", Align::Left),
        ("lead months", Align::Right),
        ("start work", Align::Left),
    ]);
    for r in &c.runouts {
        row(&mut t, r);
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
    for w in &c.warnings {
        let _ = writeln!(out, "warning: {w}");
    }
    out
}
