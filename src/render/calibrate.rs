//! `headroom calibrate`'s terminal report: the user count observed, each fitted figure with its
//! statistic and daily spread, then every figure observed over modeled (per App component and
//! for the workload) with the value to plan with.

use crate::calibrate::fit::Fit;
use crate::render::format::significant;

/// The report text.
#[must_use]
pub fn render(fit: &Fit, notes: &[String]) -> String {
    let mut out = format!("calibrated from {}\n", fit.window);
    if let Some(users) = &fit.users {
        out.push_str(&format!(
            "  observed at {} users ({})\n",
            significant(users.value),
            users.statistic
        ));
    }
    for f in &fit.figures {
        let spread = f.daily_p10_p90.map_or(String::new(), |(a, b)| {
            format!(" (daily P10 {}, P90 {})", significant(a), significant(b))
        });
        out.push_str(&format!(
            "  {} = {}{spread}\n      {}\n",
            f.field,
            significant(f.value),
            f.statistic
        ));
    }
    for c in &fit.factors {
        let unit = |x: f64| {
            if c.unit.is_empty() {
                significant(x)
            } else {
                format!("{} {}", significant(x), c.unit)
            }
        };
        let modeled = match (c.modeled, c.ratio()) {
            (Some(m), Some(r)) => format!(" / modeled {} = {}x", unit(m), significant(r)),
            (Some(m), None) => format!(" / modeled {}", unit(m)),
            (None, _) => " (not modeled)".to_string(),
        };
        out.push_str(&format!(
            "  {}: {} observed {}{modeled}; plan with {} ({})\n",
            c.component,
            c.label,
            unit(c.observed),
            unit(c.estimate),
            c.note
        ));
    }
    for n in notes {
        out.push_str(&format!("  note: {n}\n"));
    }
    out
}
