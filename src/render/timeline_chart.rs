//! The timeline chart: monthly cost and users month by month (log axes), with the months
//! where a stateful component steps up marked, and the budget line when there is one.
//! Same font and palette as the plan's charts; SVG and PNG, byte-identical for the same input.

use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::FontStyle;

use crate::error::Error;
use crate::render::charts::{
    Chart, FAMILY, HEIGHT, LEGEND_WIDTH, WIDTH, colour, draw_legend, ensure_font,
};
use crate::render::format::{short, short_usd};
use crate::timeline::Timeline;

fn log_range(values: impl Iterator<Item = f64>) -> (f64, f64) {
    let (mut lo, mut hi) = (f64::INFINITY, 0.0f64);
    for v in values.filter(|v| *v > 0.0 && v.is_finite()) {
        lo = lo.min(v);
        hi = hi.max(v);
    }
    if !lo.is_finite() || hi <= 0.0 {
        return (1.0, 10.0);
    }
    (
        10f64.powf(lo.log10().floor()),
        10f64.powf((hi.log10() + 1e-9).ceil()).max(lo * 10.0),
    )
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
    let cost: Vec<(f64, f64)> = t
        .months
        .iter()
        .filter(|m| m.monthly_usd > 0.0)
        .map(|m| (f64::from(m.month), m.monthly_usd))
        .collect();
    chart
        .draw_series(LineSeries::new(cost.clone(), cost_colour.stroke_width(3)))
        .map_err(|e| e.to_string())?;
    let users: Vec<(f64, f64)> = t
        .months
        .iter()
        .map(|m| (f64::from(m.month), m.users as f64))
        .collect();
    chart
        .draw_secondary_series(LineSeries::new(users, users_colour.stroke_width(2)))
        .map_err(|e| e.to_string())?;
    let mut step_months: Vec<u32> = t.step_ups.iter().map(|s| s.month).collect();
    step_months.dedup();
    let marks: Vec<Circle<(f64, f64), i32>> = step_months
        .iter()
        .filter_map(|m| t.months.get(*m as usize))
        .filter(|m| m.monthly_usd > 0.0)
        .map(|m| Circle::new((f64::from(m.month), m.monthly_usd), 5, step_colour.filled()))
        .collect();
    chart.draw_series(marks).map_err(|e| e.to_string())?;
    let mut entries = vec![
        ("monthly cost (left axis)".to_string(), cost_colour),
        ("users (right axis)".to_string(), users_colour),
        (
            format!("step-up ({} months)", step_months.len()),
            step_colour,
        ),
    ];
    if let Some(b) = budget {
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
pub fn render(t: &Timeline) -> Result<Chart, Error> {
    ensure_font()?;
    let fail = |e: String| Error::Render(format!("chart timeline: {e}"));
    let mut svg = String::new();
    {
        let root = SVGBackend::with_string(&mut svg, (WIDTH, HEIGHT)).into_drawing_area();
        draw(&root, t).map_err(fail)?;
    }
    let mut pixels = vec![255u8; (WIDTH * HEIGHT * 3) as usize];
    {
        let root = BitMapBackend::with_buffer(&mut pixels, (WIDTH, HEIGHT)).into_drawing_area();
        draw(&root, t).map_err(fail)?;
    }
    let mut png = Vec::new();
    {
        use image::ImageEncoder;
        image::codecs::png::PngEncoder::new(&mut png)
            .write_image(&pixels, WIDTH, HEIGHT, image::ColorType::Rgb8)
            .map_err(|e| Error::Render(format!("chart timeline: {e}")))?;
    }
    Ok(Chart {
        name: "timeline",
        title: format!("{}: monthly cost and users over time", t.scenario),
        caption: "Monthly cost (left, log scale) and users (right, log scale) month by month along the growth curve; red dots mark months where a stateful component's count steps up (see the step-up table for lead times); the dashed line is the budget.".to_string(),
        svg,
        png,
    })
}
