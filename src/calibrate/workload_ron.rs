//! The calibrated workload model as RON: the scenario's workload with the fitted figures in
//! place, every line saying where its value came from (the fit's query, window and statistic,
//! or the file it was kept from), and the observed day-to-day spread as commented
//! `uncertainty.inputs` entries (`--apply` writes them, live, into a scenario).

use std::fmt::Write as _;

use crate::calibrate::fit::Fit;
use crate::calibrate::scenario_ron::distribution;
use crate::error::Error;
use crate::input::Workload;
use crate::input::uncertainty::Distribution;

/// The workload file's text: `model` with every fitted figure replaced.
pub fn render(model: &Workload, model_origin: &str, fit: &Fit) -> Result<String, Error> {
    let value = serde_json::to_value(model)
        .map_err(|e| Error::Render(format!("calibrated workload: {e}")))?;
    let fields = value
        .as_object()
        .ok_or_else(|| Error::Render("calibrated workload: not a struct".into()))?;
    let mut out = String::new();
    let _ = writeln!(
        out,
        "// Workload calibrated by `headroom calibrate` from observed series.\n\
         // Window: {}\n\
         // Fields without a `fitted` comment are kept from {model_origin}.\n(",
        fit.window
    );
    if let Some(users) = &fit.users {
        let _ = writeln!(
            out,
            "    // Observed at {} users ({}; from {}).",
            number(users.value),
            users.statistic,
            users.sources.join("; ")
        );
    }
    for (name, v) in fields {
        let fitted = fit.figures.iter().find(|f| f.field == name.as_str());
        let text = match (fitted, v) {
            (Some(f), _) => number(f.value),
            (None, serde_json::Value::Number(n)) => number(n.as_f64().unwrap_or(0.0)),
            // Unit enum variants (session_basis: Dau) are bare identifiers in RON.
            (None, serde_json::Value::String(s)) => s.clone(),
            (None, other) => other.to_string(),
        };
        if let Some(f) = fitted {
            let _ = writeln!(out, "    // fitted: {}", f.statistic);
            let _ = writeln!(out, "    //   from {}", f.sources.join("; "));
            if let Some((p10, p90)) = f.daily_p10_p90 {
                let _ = writeln!(
                    out,
                    "    //   day by day: P10 {}, P90 {}",
                    number(p10),
                    number(p90)
                );
            }
        }
        let _ = writeln!(out, "    {name}: {text},");
    }
    out.push_str(")\n");
    let spread: Vec<String> = fit
        .figures
        .iter()
        .filter_map(|f| match distribution(f)? {
            Distribution::Normal {
                mean,
                sd,
                low,
                high,
            } => Some(format!(
                "//     \"workload.{}\": Normal(mean: {}, sd: {}, low: {}, high: {}),",
                f.field,
                number(mean),
                number(sd),
                number(low.unwrap_or(f64::MIN)),
                number(high.unwrap_or(f64::MAX))
            )),
            _ => None,
        })
        .collect();
    if !spread.is_empty() {
        out.push_str(
            "// The observed day-to-day spread as `uncertainty.inputs` entries (normals fitted to\n\
             // the daily P10 and P90 above); `calibrate --apply FILE.ron` writes them into a\n\
             // scenario ready for `plan --draws`.\n",
        );
        for line in spread {
            out.push_str(&line);
            out.push('\n');
        }
    }
    Ok(out)
}

/// A RON float: shortest round-trip text, with a fractional part.
fn number(x: f64) -> String {
    let text = format!("{x}");
    if text.contains('.') || text.contains('e') || !x.is_finite() {
        text
    } else {
        format!("{text}.0")
    }
}
