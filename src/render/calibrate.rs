//! `headroom calibrate`'s terminal report: each fitted figure with its statistic and daily
//! spread, then CPU per request observed over modeled per App component.

use crate::calibrate::fit::Fit;
use crate::render::format::significant;

/// The report text.
#[must_use]
pub fn render(fit: &Fit, notes: &[String]) -> String {
    let mut out = format!("calibrated from {}\n", fit.window);
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
        out.push_str(&format!(
            "  {}: CPU per request observed {} ms / modeled {} ms = {}x; plan with {} ms ({})\n",
            c.component,
            significant(c.observed_cpu_ms_per_request),
            significant(c.modeled_cpu_ms_per_request),
            significant(c.ratio),
            significant(c.estimate_cpu_ms_per_request),
            c.note
        ));
    }
    for n in notes {
        out.push_str(&format!("  note: {n}\n"));
    }
    out
}
