//! The report's `uncertainty` context (`plan --draws N`): the Monte Carlo section's rows,
//! the detail phase and the three uncertainty charts, read from the plan's `uncertainty`
//! section. The tables and words it shares with the terminal are `render::uncertainty`'s.

use serde::Serialize;

use crate::plan::Plan;
use crate::render::charts::{Chart, ChartView};
use crate::render::uncertainty::{AS_WRITTEN, candidate, describe, detail, plan_total};
use crate::render::uncertainty_charts;
use crate::uncertainty::summary::{Percentiles, Swing};

/// A phase row of the report.
#[derive(Debug, Clone, Serialize)]
pub struct PhaseRow<'a> {
    pub name: &'a str,
    /// The phase's users as planned (the draws scale them with `users_scale`).
    pub users: Option<u64>,
    /// The plan's total of the phase.
    pub plan_monthly_usd: Option<f64>,
    pub monthly_usd: &'a Percentiles,
    pub least_regret: &'a str,
    pub least_regret_usd: Option<f64>,
    /// Mean regret of the plan as written.
    pub as_written_regret_usd: Option<f64>,
}

/// An uncertain input of the report.
#[derive(Debug, Clone, Serialize)]
pub struct InputRow<'a> {
    pub path: &'a str,
    /// The distribution in words.
    pub distribution: String,
    pub point: f64,
    pub p10: f64,
    pub p50: f64,
    pub p90: f64,
}

/// A candidate of the report's candidate table.
#[derive(Debug, Clone, Serialize)]
pub struct CandidateRow<'a> {
    pub name: &'a str,
    pub percentile: Option<f64>,
    pub provisioned_monthly_usd: f64,
    pub mean_over_provision_usd: f64,
    pub mean_under_provision_penalty_usd: f64,
    pub mean_regret_usd: f64,
    pub lines_short_over_10pct: usize,
    /// The least mean regret of the phase.
    pub least_regret: bool,
}

/// The detail phase of the report.
#[derive(Debug, Clone, Serialize)]
pub struct DetailView<'a> {
    pub name: &'a str,
    pub monthly_usd: &'a Percentiles,
    pub median_inputs_monthly_usd: f64,
    pub tornado: &'a [Swing],
    pub candidates: Vec<CandidateRow<'a>>,
    pub least_regret: &'a str,
}

/// The report's `uncertainty` context (none without draws).
#[derive(Debug, Clone, Serialize)]
pub struct ReportView<'a> {
    pub draws: u64,
    pub seed: u64,
    pub rng: &'a str,
    /// How percentiles are computed.
    pub percentiles: &'a str,
    /// The regret model, in words.
    pub regret: &'a str,
    pub under_provision_penalty: f64,
    pub planned_at: Option<&'a str>,
    pub inputs: Vec<InputRow<'a>>,
    pub phases: Vec<PhaseRow<'a>>,
    pub detail: Option<DetailView<'a>>,
    /// `uncertainty_fan`, `uncertainty_histogram`, `uncertainty_tornado` (when rendered).
    pub charts: Vec<ChartView>,
}

/// The report's view of the plan's uncertainty section; `charts` may hold every chart of the
/// plan (the uncertainty ones are picked by name).
#[must_use]
pub fn report_view<'a>(
    plan: &'a Plan,
    charts: &[Chart],
    charts_written: bool,
) -> Option<ReportView<'a>> {
    let u = plan.uncertainty.as_ref()?;
    let phases = u
        .phases
        .iter()
        .map(|p| {
            let total = plan_total(plan, &p.name);
            PhaseRow {
                name: &p.name,
                users: total.map(|t| t.0),
                plan_monthly_usd: total.map(|t| t.1),
                monthly_usd: &p.monthly_usd,
                least_regret: &p.least_regret,
                least_regret_usd: candidate(p, &p.least_regret).map(|c| c.mean_regret_usd),
                as_written_regret_usd: candidate(p, AS_WRITTEN).map(|c| c.mean_regret_usd),
            }
        })
        .collect();
    let detail = detail(u).map(|p| DetailView {
        name: &p.name,
        monthly_usd: &p.monthly_usd,
        median_inputs_monthly_usd: p.median_inputs_monthly_usd,
        tornado: &p.tornado,
        candidates: p
            .candidates
            .iter()
            .map(|c| CandidateRow {
                name: &c.name,
                percentile: c.percentile,
                provisioned_monthly_usd: c.provisioned_monthly_usd,
                mean_over_provision_usd: c.mean_over_provision_usd,
                mean_under_provision_penalty_usd: c.mean_under_provision_penalty_usd,
                mean_regret_usd: c.mean_regret_usd,
                lines_short_over_10pct: c.lines_short_over_10pct,
                least_regret: c.name == p.least_regret,
            })
            .collect(),
        least_regret: &p.least_regret,
    });
    Some(ReportView {
        draws: u.draws,
        seed: u.seed,
        rng: &u.rng,
        percentiles: &u.percentiles,
        regret: &u.regret,
        under_provision_penalty: u.under_provision_penalty,
        planned_at: u.planned_at.as_deref(),
        inputs: u
            .inputs
            .iter()
            .map(|i| InputRow {
                path: &i.path,
                distribution: describe(&i.distribution),
                point: i.point,
                p10: i.p10,
                p50: i.p50,
                p90: i.p90,
            })
            .collect(),
        phases,
        detail,
        charts: charts
            .iter()
            .filter(|c| uncertainty_charts::NAMES.contains(&c.name))
            .map(|c| ChartView::of(c, charts_written))
            .collect(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::render::charts;

    #[test]
    fn report_view_takes_only_the_uncertainty_charts() {
        let plan = crate::uncertainty::saas_with_draws(100);
        let mut charts = charts::render(&plan).unwrap();
        charts.extend(uncertainty_charts::render(&plan).unwrap());
        let view = report_view(&plan, &charts, true).unwrap();
        let names: Vec<&str> = view.charts.iter().map(|c| c.name.as_str()).collect();
        assert_eq!(names, uncertainty_charts::NAMES);
        assert_eq!(
            view.charts[0].png_file.as_deref(),
            Some("charts/uncertainty_fan.png")
        );
        let detail = view.detail.unwrap();
        assert_eq!(
            detail.candidates.iter().filter(|c| c.least_regret).count(),
            1
        );
        let no_draws = crate::plan::build(
            &crate::input::load_scenario(
                &std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios/saas-10b.ron"),
            )
            .unwrap(),
        )
        .unwrap();
        assert!(report_view(&no_draws, &charts, true).is_none());
    }
}
