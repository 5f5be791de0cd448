//! Charts of the Monte Carlo section (`plan --draws N`), under `charts/` beside the plan's:
//!
//! - `uncertainty_fan`: monthly cost per phase (log axes, users on x): the P5-P95 band of the
//!   draws, the P50 line, the P99 dashed, and the plan's own total as dots;
//! - `uncertainty_histogram`: the detail phase's monthly cost over the draws (the plan's
//!   equal-width bins), with vertical lines at P50, P90 and P99 and the plan's total;
//! - `uncertainty_tornado`: for the detail phase, each input's swing from its P10 to its P90
//!   around the total with every input at its median, largest swing on top, the ends labelled
//!   with the input's value and the total.
//!
//! Same font, palette and legend as the plan's charts; SVG and PNG, byte-identical for the
//! same plan. Charts only read the plan's `uncertainty` section.

use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::FontStyle;
use plotters::style::text_anchor::{HPos, Pos, VPos};

use crate::error::Error;
use crate::plan::Plan;
use crate::render::charts::{
    Chart, Drawing, FAMILY, HEIGHT, LEGEND_WIDTH, WIDTH, colour, draw_legend, ensure_font,
    svg_and_png,
};
use crate::render::format::{approx_usd, short, short_usd, significant, thousands, usd};
use crate::render::uncertainty::{TOP_SWINGS, detail};
use crate::uncertainty::summary::Uncertainty;

/// The chart file stems, in order.
pub const NAMES: &[&str] = &[
    "uncertainty_fan",
    "uncertainty_histogram",
    "uncertainty_tornado",
];

/// Which chart to draw.
#[derive(Debug, Clone, Copy)]
enum Kind {
    Fan,
    Histogram,
    Tornado,
}

/// The widest span a log axis shows, in decades: a degenerate draw (a cost near zero next to
/// billions) would otherwise squeeze every line against one edge.
const MAX_DECADES: f64 = 12.0;

/// The decades around the positive finite `values` (1..10 when there are none), at most
/// [`MAX_DECADES`] wide, counted down from the largest.
fn log_range(values: impl Iterator<Item = f64>) -> (f64, f64) {
    let (mut lo, mut hi) = (f64::INFINITY, 0.0f64);
    for v in values.filter(|v| *v > 0.0 && v.is_finite()) {
        lo = lo.min(v);
        hi = hi.max(v);
    }
    if !lo.is_finite() || hi <= 0.0 {
        return (1.0, 10.0);
    }
    // Exponents stay inside f64 (10^309 is infinite).
    let top = (hi.log10() + 1e-9).ceil().clamp(-299.0, 308.0);
    let bottom = lo.log10().floor().max(top - MAX_DECADES).min(top - 1.0);
    // A hair beyond the decades, so their ticks are inside the range and get labels.
    (10f64.powf(bottom) * 0.999, 10f64.powf(top) * 1.001)
}

/// A linear range around the finite `values`, `pad` of its width on each side (a single value
/// gets 5% of itself each side).
fn linear_range(values: impl Iterator<Item = f64>, pad: f64) -> (f64, f64) {
    let (mut lo, mut hi) = (f64::INFINITY, f64::NEG_INFINITY);
    for v in values.filter(|v| v.is_finite()) {
        lo = lo.min(v);
        hi = hi.max(v);
    }
    if !lo.is_finite() {
        return (0.0, 1.0);
    }
    if hi - lo <= hi.abs().max(lo.abs()) * 1e-9 {
        let half = (hi.abs() * 0.05).max(1.0);
        return (lo - half, hi + half);
    }
    let width = hi - lo;
    let padded = (lo - width * pad, hi + width * pad);
    if padded.0.is_finite() && padded.1.is_finite() {
        padded
    } else {
        (lo, hi)
    }
}

fn text_style(size: u32, color: RGBColor, pos: Pos) -> TextStyle<'static> {
    let mut style = TextStyle::from((FAMILY, size).into_font()).pos(pos);
    // Set directly: `TextStyle::color` borrows the colour for the style's lifetime.
    style.color = color.to_backend_color();
    style
}

fn no_data<DB: DrawingBackend>(plot: &DrawingArea<DB, Shift>) -> Result<(), String> {
    plot.draw(&Text::new(
        "no data to show".to_string(),
        ((WIDTH - LEGEND_WIDTH) as i32 / 2, HEIGHT as i32 / 2),
        text_style(
            18,
            RGBColor(120, 120, 120),
            Pos::new(HPos::Center, VPos::Center),
        ),
    ))
    .map_err(|e| e.to_string())
}

/// A name for the plan's own totals in legends.
fn plan_label(u: &Uncertainty) -> String {
    u.planned_at
        .as_ref()
        .map_or_else(|| "plan as written".to_string(), |p| format!("plan at {p}"))
}

/// Dollars on a linear axis, with as many decimals as its span needs: 12M..123M reads "$20M",
/// "$40M"; 18,400..18,700 reads "$18.40K", "$18.45K" (one short form would repeat "$18.5K").
#[derive(Debug, Clone, Copy)]
struct Money {
    divisor: f64,
    suffix: &'static str,
    decimals: usize,
}

impl Money {
    /// For an axis from `lo` to `hi` with about 8 ticks.
    fn for_axis(lo: f64, hi: f64) -> Money {
        let magnitude = lo.abs().max(hi.abs());
        let (divisor, suffix) = if magnitude >= 1e12 {
            (1e12, "T")
        } else if magnitude >= 1e9 {
            (1e9, "B")
        } else if magnitude >= 1e6 {
            (1e6, "M")
        } else if magnitude >= 1e3 {
            (1e3, "K")
        } else {
            (1.0, "")
        };
        let step = (hi - lo).abs() / 8.0 / divisor;
        let decimals = if step.is_finite() && step > 0.0 && step < 1.0 {
            ((-step.log10()).ceil() as usize).min(6)
        } else {
            0
        };
        Money {
            divisor,
            suffix,
            decimals,
        }
    }

    fn text(self, x: f64, decimals: usize) -> String {
        let sign = if x < 0.0 { "-" } else { "" };
        format!(
            "{sign}${:.decimals$}{}",
            x.abs() / self.divisor,
            self.suffix
        )
    }

    /// A tick label.
    fn tick(self, x: f64) -> String {
        self.text(x, self.decimals)
    }

    /// A value label on the chart: one decimal more than the ticks.
    fn label(self, x: f64) -> String {
        self.text(x, self.decimals + 1)
    }
}

type Legend = Vec<(String, RGBColor)>;

fn fan<DB: DrawingBackend>(
    plot: &DrawingArea<DB, Shift>,
    title: &str,
    plan: &Plan,
    u: &Uncertainty,
) -> Result<Legend, String> {
    // (users, P5, P50, P95, P99, the plan's total) per phase, by users.
    let mut rows: Vec<(f64, [f64; 4], f64)> = u
        .phases
        .iter()
        .filter_map(|pu| {
            let p = plan.phases.iter().find(|p| p.name == pu.name)?;
            let m = &pu.monthly_usd;
            Some((p.users as f64, [m.p5, m.p50, m.p95, m.p99], p.monthly_usd))
        })
        .filter(|(users, _, _)| *users > 0.0)
        .collect();
    rows.sort_by(|a, b| a.0.total_cmp(&b.0));
    let users: Vec<f64> = rows.iter().map(|r| r.0).collect();
    let (x_lo, x_hi) = match (users.first(), users.last()) {
        (Some(lo), Some(hi)) => (lo / 10f64.powf(0.5), hi * 10f64.powf(0.5)),
        _ => (1.0, 10.0),
    };
    let (y_lo, y_hi) = log_range(
        rows.iter()
            .flat_map(|(_, q, t)| q.iter().copied().chain([*t])),
    );
    // Values below the axis (a $0 phase) sit on its floor rather than vanish.
    let y = |v: f64| if v.is_finite() { v.max(y_lo) } else { y_lo };
    let mut chart = ChartBuilder::on(plot)
        .caption(title, (FAMILY, 22).into_font().style(FontStyle::Bold))
        .margin(12)
        .x_label_area_size(56)
        .y_label_area_size(96)
        .build_cartesian_2d(
            (x_lo..x_hi).log_scale().with_key_points(users.clone()),
            (y_lo..y_hi).log_scale(),
        )
        .map_err(|e| e.to_string())?;
    chart
        .configure_mesh()
        .x_desc("Users (log scale)")
        .y_desc("USD per month (log scale)")
        .x_label_formatter(&|x| short(*x))
        .y_label_formatter(&|v| short_usd(*v))
        .axis_desc_style((FAMILY, 16))
        .label_style((FAMILY, 14))
        .light_line_style(RGBColor(235, 235, 235))
        .bold_line_style(RGBColor(210, 210, 210))
        .y_labels(10)
        .draw()
        .map_err(|e| e.to_string())?;
    let band_colour = colour(10);
    let median_colour = colour(0);
    let tail_colour = colour(3);
    let plan_colour = colour(1);
    if rows.is_empty() {
        no_data(plot)?;
    } else {
        // The band: along P95, back along P5.
        let mut band: Vec<(f64, f64)> = rows.iter().map(|(x, q, _)| (*x, y(q[2]))).collect();
        band.extend(rows.iter().rev().map(|(x, q, _)| (*x, y(q[0]))));
        chart
            .draw_series(std::iter::once(Polygon::new(
                band,
                median_colour.mix(0.22).filled(),
            )))
            .map_err(|e| e.to_string())?;
        for k in [0, 2] {
            chart
                .draw_series(LineSeries::new(
                    rows.iter().map(|(x, q, _)| (*x, y(q[k]))),
                    band_colour.stroke_width(1),
                ))
                .map_err(|e| e.to_string())?;
        }
        chart
            .draw_series(DashedLineSeries::new(
                rows.iter().map(|(x, q, _)| (*x, y(q[3]))),
                8,
                6,
                tail_colour.stroke_width(2),
            ))
            .map_err(|e| e.to_string())?;
        chart
            .draw_series(LineSeries::new(
                rows.iter().map(|(x, q, _)| (*x, y(q[1]))),
                median_colour.stroke_width(3),
            ))
            .map_err(|e| e.to_string())?;
        chart
            .draw_series(
                rows.iter()
                    .map(|(x, _, t)| Circle::new((*x, y(*t)), 5, plan_colour.filled())),
            )
            .map_err(|e| e.to_string())?;
        // The P50 of each phase, above its point.
        let style = text_style(12, BLACK, Pos::new(HPos::Center, VPos::Bottom));
        chart
            .draw_series(
                rows.iter().map(|(x, q, _)| {
                    Text::new(short_usd(q[1]), (*x, y(q[1]) * 1.25), style.clone())
                }),
            )
            .map_err(|e| e.to_string())?;
    }
    Ok(vec![
        ("P5 to P95 of the draws".into(), band_colour),
        ("P50 (median)".into(), median_colour),
        ("P99 (dashed)".into(), tail_colour),
        (plan_label(u), plan_colour),
    ])
}

fn histogram<DB: DrawingBackend>(
    plot: &DrawingArea<DB, Shift>,
    title: &str,
    plan: &Plan,
    u: &Uncertainty,
) -> Result<Legend, String> {
    let phase = detail(u);
    let bins = phase.map_or(&[][..], |p| p.histogram.as_slice());
    let plan_total = phase
        .and_then(|p| plan.phases.iter().find(|q| q.name == p.name))
        .map(|p| p.monthly_usd);
    let marks: Vec<(String, f64, RGBColor)> = phase
        .map(|p| {
            vec![
                ("P50".to_string(), p.monthly_usd.p50, colour(2)),
                ("P90".to_string(), p.monthly_usd.p90, colour(1)),
                ("P99".to_string(), p.monthly_usd.p99, colour(3)),
            ]
        })
        .unwrap_or_default();
    let (x_lo, x_hi) = linear_range(
        bins.iter()
            .flat_map(|b| [b.from_usd, b.to_usd])
            .chain(marks.iter().map(|m| m.1))
            .chain(plan_total),
        0.03,
    );
    let top = bins.iter().map(|b| b.draws).max().unwrap_or(0).max(1) as f64;
    let y_hi = top * 1.3;
    let money = Money::for_axis(x_lo, x_hi);
    let mut chart = ChartBuilder::on(plot)
        .caption(title, (FAMILY, 22).into_font().style(FontStyle::Bold))
        .margin(12)
        .x_label_area_size(56)
        .y_label_area_size(96)
        .build_cartesian_2d(x_lo..x_hi, 0f64..y_hi)
        .map_err(|e| e.to_string())?;
    chart
        .configure_mesh()
        .x_desc("USD per month")
        .y_desc("Draws")
        .x_label_formatter(&|x| money.tick(*x))
        .y_label_formatter(&|v| {
            // Whole draws only (a short run's axis would otherwise repeat "1").
            if *v >= 0.0 && (v - v.round()).abs() < 1e-9 {
                thousands(v.round() as u64)
            } else {
                String::new()
            }
        })
        .axis_desc_style((FAMILY, 16))
        .label_style((FAMILY, 14))
        .light_line_style(RGBColor(235, 235, 235))
        .bold_line_style(RGBColor(210, 210, 210))
        .x_labels(8)
        .draw()
        .map_err(|e| e.to_string())?;
    let bar_colour = colour(0);
    let mut legend: Legend = vec![(
        format!(
            "draws per bin ({} bin{})",
            bins.len(),
            if bins.len() == 1 { "" } else { "s" }
        ),
        bar_colour,
    )];
    if bins.is_empty() {
        no_data(plot)?;
        return Ok(legend);
    }
    // A bin of zero width (every draw the same cost) still shows: 1% of the axis wide.
    let min_half = (x_hi - x_lo) * 0.005;
    let bars: Vec<[(f64, f64); 2]> = bins
        .iter()
        .filter(|b| b.draws > 0)
        .map(|b| {
            let (mut from, mut to) = (b.from_usd, b.to_usd);
            if to - from < 2.0 * min_half {
                let mid = (from + to) / 2.0;
                (from, to) = (mid - min_half, mid + min_half);
            }
            [(from, 0.0), (to, b.draws as f64)]
        })
        .collect();
    chart
        .draw_series(
            bars.iter()
                .map(|r| Rectangle::new(*r, bar_colour.mix(0.8).filled())),
        )
        .map_err(|e| e.to_string())?;
    chart
        .draw_series(
            bars.iter()
                .map(|r| Rectangle::new(*r, WHITE.stroke_width(1))),
        )
        .map_err(|e| e.to_string())?;
    let mut lines = marks;
    if let Some(total) = plan_total {
        lines.push((plan_label(u), total, RGBColor(90, 90, 90)));
    }
    // Labels stacked down from the top so close lines stay readable.
    let nudge = (x_hi - x_lo) * 0.004;
    for (k, (label, x, color)) in lines.iter().enumerate() {
        if !x.is_finite() {
            continue;
        }
        let points = vec![(*x, 0.0), (*x, top * 1.05)];
        if k < 3 {
            chart
                .draw_series(LineSeries::new(points, color.stroke_width(2)))
                .map_err(|e| e.to_string())?;
        } else {
            chart
                .draw_series(DashedLineSeries::new(points, 8, 6, color.stroke_width(2)))
                .map_err(|e| e.to_string())?;
        }
        let y = top * (1.27 - 0.055 * k as f64);
        chart
            .draw_series(std::iter::once(Text::new(
                format!("{label} {}", money.label(*x)),
                (*x + nudge, y),
                text_style(13, *color, Pos::new(HPos::Left, VPos::Top)),
            )))
            .map_err(|e| e.to_string())?;
        legend.push((format!("{label}: {}", approx_usd(*x)), *color));
    }
    Ok(legend)
}

fn tornado<DB: DrawingBackend>(
    plot: &DrawingArea<DB, Shift>,
    title: &str,
    u: &Uncertainty,
) -> Result<Legend, String> {
    let phase = detail(u);
    let swings = phase.map_or(&[][..], |p| &p.tornado[..p.tornado.len().min(TOP_SWINGS)]);
    let base = phase.map_or(0.0, |p| p.median_inputs_monthly_usd);
    let (x_lo, x_hi) = linear_range(
        swings
            .iter()
            .flat_map(|s| [s.low_monthly_usd, s.high_monthly_usd])
            .chain([base]),
        0.22,
    );
    let rows = swings.len().max(1) as f64;
    let money = Money::for_axis(x_lo, x_hi);
    let mut chart = ChartBuilder::on(plot)
        .caption(title, (FAMILY, 22).into_font().style(FontStyle::Bold))
        .margin(12)
        .x_label_area_size(56)
        .y_label_area_size(16)
        .build_cartesian_2d(x_lo..x_hi, 0f64..rows)
        .map_err(|e| e.to_string())?;
    chart
        .configure_mesh()
        .disable_y_mesh()
        .disable_y_axis()
        .x_desc("USD per month (one input at its P10 or P90, the others at their median)")
        .x_label_formatter(&|x| money.tick(*x))
        .axis_desc_style((FAMILY, 16))
        .label_style((FAMILY, 14))
        .light_line_style(RGBColor(235, 235, 235))
        .bold_line_style(RGBColor(210, 210, 210))
        .x_labels(8)
        .draw()
        .map_err(|e| e.to_string())?;
    let low_colour = colour(0);
    let high_colour = colour(1);
    let base_colour = RGBColor(40, 40, 40);
    let legend = vec![
        ("input at its P10".to_string(), low_colour),
        ("input at its P90".to_string(), high_colour),
        (format!("all at median: {}", usd(base)), base_colour),
    ];
    if swings.is_empty() {
        no_data(plot)?;
        return Ok(legend);
    }
    let half = 0.2;
    let nudge = (x_hi - x_lo) * 0.006;
    for (i, s) in swings.iter().enumerate() {
        let centre = rows - i as f64 - 0.5;
        // The end farther from the median first, so a same-side pair shows both.
        let mut ends = [
            (s.low_monthly_usd, s.low_value, low_colour, true),
            (s.high_monthly_usd, s.high_value, high_colour, false),
        ];
        ends.sort_by(|a, b| (b.0 - base).abs().total_cmp(&(a.0 - base).abs()));
        for (cost, _, color, _) in ends {
            if cost.is_finite() {
                chart
                    .draw_series(std::iter::once(Rectangle::new(
                        [(base, centre - half), (cost, centre + half)],
                        color.filled(),
                    )))
                    .map_err(|e| e.to_string())?;
            }
        }
        // Each end's label beyond it: left of the median for a lower cost (the P10 end when
        // the cost does not move), right for a higher one; when both ends fall on one side,
        // the nearer one's label goes under the bar.
        let left = |cost: f64, low: bool| cost < base || (cost == base && low);
        let same_side = left(ends[0].0, ends[0].3) == left(ends[1].0, ends[1].3);
        for (k, (cost, value, color, low)) in ends.into_iter().enumerate() {
            if !cost.is_finite() {
                continue;
            }
            let text = format!("{} ({})", significant(value), money.label(cost));
            let (x, y, pos) = match (left(cost, low), same_side && k == 1) {
                (true, false) => (cost - nudge, centre, Pos::new(HPos::Right, VPos::Center)),
                (false, false) => (cost + nudge, centre, Pos::new(HPos::Left, VPos::Center)),
                (_, true) => (
                    cost,
                    centre - half - 0.04,
                    Pos::new(HPos::Center, VPos::Top),
                ),
            };
            chart
                .draw_series(std::iter::once(Text::new(
                    text,
                    (x, y),
                    text_style(12, color, pos),
                )))
                .map_err(|e| e.to_string())?;
        }
    }
    chart
        .draw_series(LineSeries::new(
            vec![(base, 0.0), (base, rows)],
            base_colour.stroke_width(2),
        ))
        .map_err(|e| e.to_string())?;
    // Input names above their bars, on white so the median line and the grid do not cross
    // them. The plot area's pixels are the backend's (it is the root's left part).
    let style = text_style(13, BLACK, Pos::new(HPos::Center, VPos::Bottom));
    for (i, s) in swings.iter().enumerate() {
        let centre = rows - i as f64 - 0.5;
        let (x, y) = chart.backend_coord(&(base, centre + half + 0.04));
        let (w, h) = plot
            .estimate_text_size(&s.input, &style)
            .map_err(|e| e.to_string())?;
        let (w, h) = (
            i32::try_from(w).unwrap_or(i32::MAX),
            i32::try_from(h).unwrap_or(0),
        );
        plot.draw(&Rectangle::new(
            [(x - w / 2 - 3, y - h - 1), (x + w / 2 + 3, y + 1)],
            WHITE.filled(),
        ))
        .map_err(|e| e.to_string())?;
        plot.draw(&Text::new(s.input.clone(), (x, y), style.clone()))
            .map_err(|e| e.to_string())?;
    }
    Ok(legend)
}

fn draw<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    kind: Kind,
    title: &str,
    plan: &Plan,
    u: &Uncertainty,
) -> Result<(), String> {
    root.fill(&WHITE).map_err(|e| e.to_string())?;
    let (plot, legend) = root.split_horizontally(WIDTH - LEGEND_WIDTH);
    let entries = match kind {
        Kind::Fan => fan(&plot, title, plan, u)?,
        Kind::Histogram => histogram(&plot, title, plan, u)?,
        Kind::Tornado => tornado(&plot, title, u)?,
    };
    draw_legend(&legend, &entries)?;
    root.present().map_err(|e| e.to_string())?;
    Ok(())
}

/// One uncertainty chart with what it draws from.
struct UncertaintyChart<'a> {
    kind: Kind,
    title: &'a str,
    plan: &'a Plan,
    u: &'a Uncertainty,
}

impl Drawing for UncertaintyChart<'_> {
    fn draw_on<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> Result<(), String> {
        draw(root, self.kind, self.title, self.plan, self.u)
    }
}

fn render_one(
    name: &'static str,
    kind: Kind,
    title: String,
    caption: String,
    plan: &Plan,
    u: &Uncertainty,
) -> Result<Chart, Error> {
    let (svg, png) = svg_and_png(
        name,
        &UncertaintyChart {
            kind,
            title: &title,
            plan,
            u,
        },
    )?;
    Ok(Chart {
        name,
        title,
        caption,
        svg,
        png,
    })
}

/// The uncertainty charts of the plan, in [`NAMES`] order (none without draws).
pub fn render(plan: &Plan) -> Result<Vec<Chart>, Error> {
    let Some(u) = &plan.uncertainty else {
        return Ok(Vec::new());
    };
    ensure_font()?;
    let phase = detail(u).map_or("-", |p| p.name.as_str());
    let written = plan_label(u);
    let draws = thousands(u.draws);
    let scenario = &plan.scenario;
    Ok(vec![
        render_one(
            NAMES[0],
            Kind::Fan,
            format!("Monthly cost over {draws} draws: {scenario}"),
            format!(
                "Monthly cost per phase over {draws} draws (log scales): the band spans P5 to P95, the line is the median, the dashed line P99; dots are the {written}."
            ),
            plan,
            u,
        )?,
        render_one(
            NAMES[1],
            Kind::Histogram,
            format!("Phase {phase} monthly cost over {draws} draws: {scenario}"),
            format!(
                "Phase {phase}'s monthly cost over {draws} draws in equal-width bins, with its P50, P90 and P99 and the {written}."
            ),
            plan,
            u,
        )?,
        render_one(
            NAMES[2],
            Kind::Tornado,
            format!("What moves phase {phase}'s monthly cost: {scenario}"),
            format!(
                "Phase {phase}'s monthly cost with one input at its P10 (blue) or P90 (orange) and every other input at its median (the vertical line); largest swing on top (at most {TOP_SWINGS}); labels give the input's value and the cost."
            ),
            plan,
            u,
        )?,
    ])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ranges_bound_the_axes() {
        // 12,390,794 .. 122,752,956: the decades 10M .. 1B.
        let (lo, hi) = log_range([12_390_794.0, 122_752_956.0].into_iter());
        assert!((lo - 1e7 * 0.999).abs() < 1e-3 && (hi - 1e9 * 1.001).abs() < 1e-3);
        // A near-zero value next to billions: at most 12 decades below the top.
        let (lo, _) = log_range([1e-30, 5e9].into_iter());
        assert!((lo / 0.999 - 1e-2).abs() < 1e-12, "{lo}");
        assert_eq!(log_range(std::iter::empty()), (1.0, 10.0));
        // Near f64's limit the axis stays finite.
        let (lo, hi) = log_range([1e307, 1.7e308].into_iter());
        assert!(lo.is_finite() && hi.is_finite() && lo < 1e307, "{lo} {hi}");
        let (lo, hi) = linear_range([0.0, 1.7e308].into_iter(), 0.2);
        assert_eq!((lo, hi), (0.0, 1.7e308));
        // 10 .. 20 padded by 10% of the width each side.
        assert_eq!(linear_range([10.0, 20.0].into_iter(), 0.1), (9.0, 21.0));
        // One value: 5% of it each side.
        assert_eq!(linear_range([100.0].into_iter(), 0.1), (95.0, 105.0));
        // Money ticks: a wide span in whole millions, a narrow one with the decimals it needs.
        let wide = Money::for_axis(12e6, 123e6);
        assert_eq!(
            (wide.tick(40e6), wide.label(34_175_011.68)),
            ("$40M".into(), "$34.2M".into())
        );
        // 18,400..18,700: ticks 37.5 apart are 0.0375K -> 2 decimals
        let narrow = Money::for_axis(18_400.0, 18_700.0);
        assert_eq!(narrow.tick(18_450.0), "$18.45K");
        assert_eq!(narrow.label(18_483.82), "$18.484K");
        assert_eq!(Money::for_axis(-50.0, 950.0).tick(-50.0), "-$50");
    }
}
