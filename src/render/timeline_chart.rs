//! The timeline chart: monthly cost and users month by month (log axes), with the months
//! of changes that need work (reshards, new clusters, shape changes) marked, and the budget
//! line when there is one. Routine growth (more instances or replicas) is not marked.
//! Same font and palette as the plan's charts; SVG and PNG, byte-identical for the same input.

use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::FontStyle;

use crate::error::Error;
use crate::render::charts::{
    Chart, Drawing, FAMILY, LEGEND_WIDTH, WIDTH, bound_decades, colour, draw_legend, ensure_font,
    svg_and_png,
};
use crate::render::format::{short, short_usd};
use crate::timeline::Timeline;

/// A log axis over the finite positive values, at most `MAX_DECADES` wide within
/// 10^-300..10^300 (see `charts::log_axis`: plotters' log ticks hang on wider spans).
fn log_range(values: impl Iterator<Item = f64>) -> (f64, f64) {
    let (mut lo, mut hi) = (f64::INFINITY, 0.0f64);
    for v in values.filter(|v| *v > 0.0 && v.is_finite()) {
        lo = lo.min(v);
        hi = hi.max(v);
    }
    if !lo.is_finite() || hi <= 0.0 {
        return (1.0, 10.0);
    }
    let (lo_exp, hi_exp) = bound_decades(lo.log10().floor(), (hi.log10() + 1e-9).ceil());
    let (axis_lo, axis_hi) = (10f64.powf(lo_exp), 10f64.powf(hi_exp));
    (axis_lo, axis_hi.max(lo.clamp(axis_lo, axis_hi) * 10.0))
}

fn draw<DB: DrawingBackend>(root: &DrawingArea<DB, Shift>, t: &Timeline) -> Result<(), String> {
    root.fill(&WHITE).map_err(|e| e.to_string())?;
    let (plot, legend) = root.split_horizontally(WIDTH - LEGEND_WIDTH);
    let last = t.months.last().map_or(1, |m| m.month.max(1));
    let budget = t.budget_usd_per_month;
    let (c_lo, c_hi) = log_range(t.months.iter().map(|m| m.monthly_usd).chain(budget));
    let (u_lo, u_hi) = log_range(t.months.iter().map(|m| m.users as f64));
    let label_of = |x: f64| -> String {
        let m = x.round().max(0.0) as usize;
        t.months.get(m).map_or(String::new(), |mm| mm.label.clone())
    };
    let mut chart = ChartBuilder::on(&plot)
        .caption(
            format!("{}: monthly cost and users over time", t.scenario),
            (FAMILY, 22).into_font().style(FontStyle::Bold),
        )
        .margin(12)
        .x_label_area_size(56)
        .y_label_area_size(96)
        .right_y_label_area_size(80)
        .build_cartesian_2d(0f64..f64::from(last), (c_lo..c_hi).log_scale())
        .map_err(|e| e.to_string())?
        .set_secondary_coord(0f64..f64::from(last), (u_lo..u_hi).log_scale());
    chart
        .configure_mesh()
        .x_desc("Month")
        .y_desc("Monthly cost (USD, log scale)")
        .x_labels(((last / 12) as usize + 2).min(16))
        .x_label_formatter(&|x| label_of(*x))
        .y_label_formatter(&|y| short_usd(*y))
        .axis_desc_style((FAMILY, 16))
        .label_style((FAMILY, 14))
        .light_line_style(RGBColor(235, 235, 235))
        .bold_line_style(RGBColor(210, 210, 210))
        .draw()
        .map_err(|e| e.to_string())?;
    chart
        .configure_secondary_axes()
        .y_desc("Users (log scale)")
        .y_label_formatter(&|y| short(*y))
        .axis_desc_style((FAMILY, 16))
        .label_style((FAMILY, 14))
        .draw()
        .map_err(|e| e.to_string())?;
    let cost_colour = colour(0);
    let users_colour = colour(1);
    let step_colour = RGBColor(200, 30, 30);
    // Points beyond a bounded axis (absurd inputs) are left out.
    let on_cost_axis = |v: f64| (c_lo..=c_hi).contains(&v);
    let cost: Vec<(f64, f64)> = t
        .months
        .iter()
        .filter(|m| on_cost_axis(m.monthly_usd))
        .map(|m| (f64::from(m.month), m.monthly_usd))
        .collect();
    chart
        .draw_series(LineSeries::new(cost.clone(), cost_colour.stroke_width(3)))
        .map_err(|e| e.to_string())?;
    let users: Vec<(f64, f64)> = t
        .months
        .iter()
        .map(|m| (f64::from(m.month), m.users as f64))
        .filter(|(_, u)| (u_lo..=u_hi).contains(u))
        .collect();
    chart
        .draw_secondary_series(LineSeries::new(users, users_colour.stroke_width(2)))
        .map_err(|e| e.to_string())?;
    let mut step_months: Vec<u32> = t.step_ups.iter().map(|s| s.month).collect();
    step_months.dedup();
    let marks: Vec<Circle<(f64, f64), i32>> = step_months
        .iter()
        .filter_map(|m| t.months.get(*m as usize))
        .filter(|m| on_cost_axis(m.monthly_usd))
        .map(|m| Circle::new((f64::from(m.month), m.monthly_usd), 5, step_colour.filled()))
        .collect();
    chart.draw_series(marks).map_err(|e| e.to_string())?;
    let mut entries = vec![
        ("monthly cost (left axis)".to_string(), cost_colour),
        ("users (right axis)".to_string(), users_colour),
        (format!("work ({} months)", step_months.len()), step_colour),
    ];
    if let Some(b) = budget.filter(|b| on_cost_axis(*b)) {
        let budget_colour = RGBColor(90, 90, 90);
        chart
            .draw_series(DashedLineSeries::new(
                vec![(0.0, b), (f64::from(last), b)],
                8,
                6,
                budget_colour.stroke_width(2),
            ))
            .map_err(|e| e.to_string())?;
        entries.push((format!("budget {} per month", short_usd(b)), budget_colour));
    }
    draw_legend(&legend, &entries)?;
    root.present().map_err(|e| e.to_string())?;
    Ok(())
}

/// The timeline chart as SVG and PNG.
impl Drawing for Timeline {
    fn draw_on<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> Result<(), String> {
        draw(root, self)
    }
}

pub fn render(t: &Timeline) -> Result<Chart, Error> {
    ensure_font()?;
    let (svg, png) = svg_and_png("timeline", t)?;
    Ok(Chart {
        name: "timeline",
        title: format!("{}: monthly cost and users over time", t.scenario),
        caption: "Monthly cost (left, log scale) and users (right, log scale) month by month along the growth curve; red dots mark months with a change that needs work: a reshard, a new cluster or a new instance shape (see the work table for lead times; routine growth, more instances or replicas, is not marked); the dashed line is the budget.".to_string(),
        svg,
        png,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn log_range_is_whole_decades_and_bounded() {
        // $18,491 .. $34.6M: 1e4 .. 1e8
        assert_eq!(log_range([18_491.0, 34_584_590.0].into_iter()), (1e4, 1e8));
        // one value: its decade up to ten times the value
        assert_eq!(log_range([5_000.0].into_iter()), (1e3, 5e4));
        assert_eq!(log_range([0.0, f64::NAN].into_iter()), (1.0, 10.0));
        // $1e-306 next to $1e8 (414 decades, which plotters' ticks cannot take): the top 24,
        // 1e-15 .. 1e9 (the largest value on a decade gets the next one, as above)
        let (lo, hi) = log_range([1e-306, 1e8].into_iter());
        assert!(
            (lo / 1e-15 - 1.0).abs() < 1e-12 && (hi / 1e9 - 1.0).abs() < 1e-12,
            "{lo} {hi}"
        );
        // f64::MAX: the axis stops at 1e300 (finite)
        let (lo, hi) = log_range([f64::MAX].into_iter());
        assert!(
            (lo / 1e300 - 1.0).abs() < 1e-12 && hi.is_finite(),
            "{lo} {hi}"
        );
    }
}
