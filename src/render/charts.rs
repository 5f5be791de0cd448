//! Charts of a plan, as SVG and PNG (plotters), under `charts/`:
//!
//! - `cost_by_component`: each phase's cost split into component shares (linear), beside the
//!   phase totals (log);
//! - `cost_per_user`: monthly cost per registered user and per daily active user;
//! - `counts`: instance counts of every instance line (nodes, brokers, replicas...); lines that
//!   coincide stay apart by marker shape, size and dash;
//! - `volumes`: egress and stored volumes (CDN, cross-region, database, objects, events).
//!
//! Users are on a log axis (ticks at the phases' user counts), values on log axes with
//! readable ticks ("10K", "$1.2M", "3.4 PB"). A value axis spans at most [`MAX_DECADES`]
//! decades within 1e-300..1e300 ([`log_axis`]), whatever the plan holds, so any plan draws in
//! bounded time; points off the axis are left out and the chart says how many. Text is drawn
//! with DejaVu Sans, embedded in the binary and registered with plotters' `ab_glyph` support,
//! so a PNG does not depend on the machine's fonts and the same plan gives byte-identical
//! files. Charts only read the plan.

use std::sync::OnceLock;

use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::FontStyle;
use plotters::style::text_anchor::{HPos, Pos, VPos};
use serde::Serialize;

use crate::error::Error;
use crate::plan::Plan;
use crate::render::format::{short, short_usd};

/// Chart size in pixels (SVG user units and PNG pixels).
pub const WIDTH: u32 = 1100;
pub const HEIGHT: u32 = 620;
/// Width of the legend panel on the right.
pub(crate) const LEGEND_WIDTH: u32 = 300;
pub(crate) const FAMILY: &str = "sans-serif";

/// One rendered chart.
#[derive(Debug, Clone)]
pub struct Chart {
    /// File stem: `cost_by_component`, `cost_per_user`, `counts`, `volumes`.
    pub name: &'static str,
    pub title: String,
    /// What the chart shows, for a caption.
    pub caption: String,
    pub svg: String,
    pub png: Vec<u8>,
}

/// A chart as the report sees it.
#[derive(Debug, Clone, Serialize)]
pub struct ChartView {
    pub name: String,
    pub title: String,
    pub caption: String,
    /// The SVG document (insert with `|safe` in HTML).
    pub svg: String,
    /// `charts/<name>.svg` and `.png` when the charts are written beside the report.
    pub svg_file: Option<String>,
    pub png_file: Option<String>,
}

impl ChartView {
    /// `chart` for the report; `written`: its files are written beside the report.
    #[must_use]
    pub fn of(chart: &Chart, written: bool) -> ChartView {
        ChartView {
            name: chart.name.to_string(),
            title: chart.title.clone(),
            caption: chart.caption.clone(),
            svg: chart.svg.clone(),
            svg_file: written.then(|| format!("charts/{}.svg", chart.name)),
            png_file: written.then(|| format!("charts/{}.png", chart.name)),
        }
    }
}

/// The chart file stems, in order.
pub const NAMES: &[&str] = &["cost_by_component", "cost_per_user", "counts", "volumes"];

/// 20 distinct colours (Tableau 20 order: strong colours first).
const PALETTE: &[(u8, u8, u8)] = &[
    (31, 119, 180),
    (255, 127, 14),
    (44, 160, 44),
    (214, 39, 40),
    (148, 103, 189),
    (140, 86, 75),
    (227, 119, 194),
    (127, 127, 127),
    (188, 189, 34),
    (23, 190, 207),
    (174, 199, 232),
    (255, 187, 120),
    (152, 223, 138),
    (255, 152, 150),
    (197, 176, 213),
    (196, 156, 148),
    (247, 182, 210),
    (199, 199, 199),
    (219, 219, 141),
    (158, 218, 229),
];

pub(crate) fn colour(i: usize) -> RGBColor {
    let (r, g, b) = PALETTE[i % PALETTE.len()];
    RGBColor(r, g, b)
}

/// How an axis' values read.
#[derive(Debug, Clone, Copy)]
enum Scale {
    Usd,
    Count,
    /// Gigabytes, shown as GB/TB/PB/EB.
    Gigabytes,
}

/// Scientific notation for tick values beyond the short forms' reach, to one decimal as the
/// short forms: "1e20", "2.5e-9" (and "1e-5" for the 1.0000000000000002e-5 that plotters'
/// tick loop computes).
fn scientific(x: f64) -> String {
    let text = format!("{x:.1e}");
    match text.split_once('e') {
        Some((mantissa, exp)) => {
            format!("{}e{exp}", mantissa.strip_suffix(".0").unwrap_or(mantissa))
        }
        None => text,
    }
}

fn gigabytes(x: f64) -> String {
    // Beyond 1,000 EB or under 0.1 MB the short forms would print hundreds of digits or "0 MB".
    if !(1e-4..1e12).contains(&x) {
        return format!("{} GB", scientific(x));
    }
    let (value, unit) = if x >= 1e9 {
        (x / 1e9, "EB")
    } else if x >= 1e6 {
        (x / 1e6, "PB")
    } else if x >= 1e3 {
        (x / 1e3, "TB")
    } else if x >= 1.0 {
        (x, "GB")
    } else {
        (x * 1e3, "MB")
    };
    let text = format!("{value:.1}");
    let text = text.strip_suffix(".0").unwrap_or(&text);
    format!("{text} {unit}")
}

fn label(scale: Scale, x: f64) -> String {
    match scale {
        Scale::Usd | Scale::Count if x >= 1e15 => format!(
            "{}{}",
            if matches!(scale, Scale::Usd) { "$" } else { "" },
            scientific(x)
        ),
        Scale::Usd if x < 1e-6 => format!("${}", scientific(x)),
        Scale::Count if x < 1e-3 => scientific(x),
        Scale::Usd if x < 1.0 => {
            let text = format!("{x:.6}");
            let text = text.trim_end_matches('0').trim_end_matches('.');
            format!("${text}")
        }
        Scale::Usd => short_usd(x),
        Scale::Count => short(x),
        Scale::Gigabytes => gigabytes(x),
    }
}

/// A line of a line chart: (users, value) points; non-positive values are left out (log axis).
struct Series {
    label: String,
    points: Vec<(f64, f64)>,
}

/// What a chart draws.
enum Body {
    /// Per phase (users), one stacked segment per component (label, value per phase).
    Stacked {
        users: Vec<f64>,
        /// The phase totals (labels above the bars).
        totals: Vec<f64>,
        segments: Vec<(String, Vec<f64>)>,
    },
    Lines(Vec<Series>),
}

struct Spec {
    name: &'static str,
    title: String,
    caption: String,
    y_desc: &'static str,
    scale: Scale,
    body: Body,
}

/// The most decades a value axis spans. A real plan spans about 15 (a $0.01 line under a
/// $100M total, 1 MB next to 1 EB); the axis keeps the top decades, where the money is.
pub(crate) const MAX_DECADES: f64 = 24.0;
/// The decade exponents an axis end may take: 10^300 times the 1.001 margin is still finite,
/// and 10^-300 is a normal float.
const MAX_EXP: f64 = 300.0;
const MIN_EXP: f64 = -300.0;

/// The decade nearest `x` (x > 0), exactly: `1e-16`, not `powf`'s neighbour of it.
fn decade(x: f64) -> f64 {
    format!("1e{}", x.log10().round()).parse().unwrap_or(x)
}

/// A log axis' end exponents (floor of the smallest value's, ceiling of the largest's) brought
/// within bounds: at most [`MAX_DECADES`] apart, the top kept, both within 10^-300..10^300.
pub(crate) fn bound_decades(lo_exp: f64, hi_exp: f64) -> (f64, f64) {
    let hi_exp = hi_exp.clamp(MIN_EXP + 1.0, MAX_EXP);
    let lo_exp = lo_exp.clamp((hi_exp - MAX_DECADES).max(MIN_EXP), hi_exp);
    (lo_exp, hi_exp)
}

/// A log axis over the finite positive `values`: from the decade at or below the smallest to
/// the decade at or above the largest (a decade at least), with a hair of margin so the end
/// decades get ticks. None when no value is finite and positive.
///
/// The span is bounded, because plotters' log axis is not: its tick generation divides the
/// ends (`end / start` is infinite past ~308 decades, e.g. 1e-306 GB next to 1e8 GB) and then
/// loops about `usize::MAX / 10` times, which hangs. At most [`MAX_DECADES`] decades, between
/// 10^-300 and 10^300: smaller values are below the axis, larger ones above it.
pub(crate) fn log_axis(values: impl Iterator<Item = f64>) -> Option<(f64, f64)> {
    let (lo, hi) = values
        .filter(|v| v.is_finite() && *v > 0.0)
        .fold((f64::INFINITY, 0.0f64), |(lo, hi), v| {
            (lo.min(v), hi.max(v))
        });
    if !lo.is_finite() {
        return None;
    }
    let (lo_exp, hi_exp) = bound_decades(lo.log10().floor(), hi.log10().ceil());
    let lo = 10f64.powf(lo_exp);
    let mut hi = 10f64.powf(hi_exp);
    if hi <= lo {
        hi = lo * 10.0;
    }
    Some((lo * 0.999, hi * 1.001))
}

pub(crate) fn ensure_font() -> Result<(), Error> {
    static REGISTERED: OnceLock<Result<(), String>> = OnceLock::new();
    REGISTERED
        .get_or_init(|| {
            plotters::style::register_font(FAMILY, FontStyle::Normal, dejavu::sans::regular())
                .map_err(|_| "the embedded DejaVu Sans font does not load".to_string())?;
            plotters::style::register_font(FAMILY, FontStyle::Bold, dejavu::sans::bold())
                .map_err(|_| "the embedded DejaVu Sans Bold font does not load".to_string())
        })
        .clone()
        .map_err(Error::Render)
}

fn draw_error(name: &str, e: impl std::fmt::Display) -> Error {
    Error::Render(format!("chart {name}: {e}"))
}

/// The users axis range: the phases' users with room for bars on each side.
fn users_range(users: &[f64]) -> (f64, f64) {
    let lo = users
        .iter()
        .copied()
        .filter(|u| *u > 0.0)
        .fold(f64::INFINITY, f64::min);
    let hi = users.iter().copied().fold(0.0, f64::max);
    if !lo.is_finite() || hi <= 0.0 {
        return (1.0, 10.0);
    }
    (lo / 10f64.powf(0.5), hi * 10f64.powf(0.5))
}

/// The legend of a line chart: each entry's line (dashed where its line is) and marker, as
/// [`draw_lines`] draws series `i`, so coinciding lines can be told apart here too.
fn draw_line_legend<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    entries: &[(String, RGBColor)],
) -> Result<(), String> {
    let style = TextStyle::from((FAMILY, 14).into_font()).color(&BLACK);
    let mut y = 60;
    for (i, (label, color)) in entries.iter().enumerate() {
        if y > HEIGHT as i32 - 20 {
            let more = format!("... and {} more", entries.len() - i);
            area.draw(&Text::new(more, (10, y), style.clone()))
                .map_err(|e| e.to_string())?;
            break;
        }
        let mid = y + 7;
        let pieces: &[(i32, i32)] = if i % 2 == 0 {
            &[(4, 34)]
        } else {
            &[(4, 12), (17, 25), (30, 34)]
        };
        for (from, to) in pieces {
            area.draw(&PathElement::new(
                vec![(*from, mid), (*to, mid)],
                color.stroke_width(2),
            ))
            .map_err(|e| e.to_string())?;
        }
        let size = marker_size(i).min(6);
        match Marker::of(i) {
            Marker::Circle => area.draw(&Circle::new((19, mid), size, color.stroke_width(2))),
            Marker::Triangle => {
                area.draw(&TriangleMarker::new((19, mid), size + 1, color.filled()))
            }
            Marker::Cross => area.draw(&Cross::new((19, mid), size, color.stroke_width(2))),
            Marker::Dot => area.draw(&Circle::new((19, mid), size.min(3), color.filled())),
        }
        .map_err(|e| e.to_string())?;
        area.draw(&Text::new(legend_text(label), (40, y), style.clone()))
            .map_err(|e| e.to_string())?;
        y += 22;
    }
    Ok(())
}

/// Series `i`'s legend label, saying what the drawing cannot: that it has no point on a log
/// axis (every value 0), or that it lies exactly on an earlier series.
fn legend_label(series: &[Series], i: usize) -> String {
    let s = &series[i];
    if !s.points.iter().any(|(_, y)| *y > 0.0 && y.is_finite()) {
        return format!("{} (0, not drawn)", s.label);
    }
    match series[..i]
        .iter()
        .find(|earlier| earlier.points == s.points)
    {
        Some(earlier) => {
            // "users-db standby (= primary)": the component is said once
            let same_component = s.label.split_once(' ').zip(earlier.label.split_once(' '));
            let short = match same_component {
                Some(((a, _), (b, item))) if a == b => item,
                _ => earlier.label.as_str(),
            };
            format!("{} (= {short})", s.label)
        }
        None => s.label.clone(),
    }
}

/// A legend label cut to 36 characters.
fn legend_text(label: &str) -> String {
    if label.chars().count() > 36 {
        let mut t: String = label.chars().take(35).collect();
        t.push('…');
        t
    } else {
        label.to_string()
    }
}

pub(crate) fn draw_legend<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    entries: &[(String, RGBColor)],
) -> Result<(), String> {
    let style = TextStyle::from((FAMILY, 14).into_font()).color(&BLACK);
    let mut y = 60;
    for (label, color) in entries {
        if y > HEIGHT as i32 - 20 {
            let more = format!("... and {} more", entries.len());
            area.draw(&Text::new(more, (10, y), style.clone()))
                .map_err(|e| e.to_string())?;
            break;
        }
        area.draw(&Rectangle::new([(10, y), (26, y + 14)], color.filled()))
            .map_err(|e| e.to_string())?;
        area.draw(&Text::new(legend_text(label), (32, y), style.clone()))
            .map_err(|e| e.to_string())?;
        y += 22;
    }
    Ok(())
}

fn draw<DB: DrawingBackend>(root: &DrawingArea<DB, Shift>, spec: &Spec) -> Result<(), String> {
    match &spec.body {
        Body::Stacked {
            users,
            totals,
            segments,
        } => draw_shares(root, spec, users, totals, segments),
        Body::Lines(series) => draw_lines(root, spec, series),
    }
}

/// A line's marker shape, by series index: with the dash pattern and the marker size, what
/// keeps coinciding lines distinguishable.
enum Marker {
    Circle,
    Triangle,
    Cross,
    Dot,
}

impl Marker {
    fn of(series: usize) -> Marker {
        match series % 4 {
            0 => Marker::Circle,
            1 => Marker::Triangle,
            2 => Marker::Cross,
            _ => Marker::Dot,
        }
    }
}

/// Marker radius in pixels: 7 for the first series, one less for each next (3 at least), so a
/// marker drawn later on the same point sits inside the earlier ones.
fn marker_size(series: usize) -> i32 {
    7 - i32::try_from(series.min(4)).unwrap_or(4)
}

/// Each segment's share of its phase's cost, in percent (0 where the phase costs nothing).
fn shares(segments: &[(String, Vec<f64>)], phases: usize) -> Vec<Vec<f64>> {
    let sums: Vec<f64> = (0..phases)
        .map(|p| segments.iter().map(|(_, v)| v[p].max(0.0)).sum())
        .collect();
    segments
        .iter()
        .map(|(_, v)| {
            (0..phases)
                .map(|p| {
                    if sums[p] > 0.0 && sums[p].is_finite() {
                        v[p].max(0.0) / sums[p] * 100.0
                    } else {
                        0.0
                    }
                })
                .collect()
        })
        .collect()
}

/// The cost chart, truthful at every scale: on the left each phase's cost split into
/// component shares on a linear 0-100% axis (a component at 0.6% of the cost draws 0.6% of
/// the bar, and a small one never vanishes below a log axis' floor); on the right the phase
/// totals on a log axis, where the growth over orders of magnitude reads.
fn draw_shares<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    spec: &Spec,
    users: &[f64],
    totals: &[f64],
    segments: &[(String, Vec<f64>)],
) -> Result<(), String> {
    root.fill(&WHITE).map_err(|e| e.to_string())?;
    let (plot, legend) = root.split_horizontally(WIDTH - LEGEND_WIDTH);
    let plot = plot
        .titled(&spec.title, (FAMILY, 22).into_font().style(FontStyle::Bold))
        .map_err(|e| e.to_string())?;
    let (left, right) = plot.split_horizontally((WIDTH - LEGEND_WIDTH) * 3 / 5);
    let phases = users.len();
    let share = shares(segments, phases);
    let mut chart = ChartBuilder::on(&left)
        .caption("Share of each phase's cost", (FAMILY, 16))
        .margin(12)
        .x_label_area_size(56)
        .y_label_area_size(56)
        // A range a..b segments into b - a + 1 slots: one per phase.
        .build_cartesian_2d((0..phases.max(2) - 1).into_segmented(), 0.0..100.0)
        .map_err(|e| e.to_string())?;
    chart
        .configure_mesh()
        .disable_x_mesh()
        .x_desc("Users")
        .y_desc("% of the monthly cost")
        .x_labels(phases.max(1))
        .x_label_formatter(&|x| match x {
            SegmentValue::CenterOf(p) | SegmentValue::Exact(p) => {
                users.get(*p).map_or(String::new(), |u| short(*u))
            }
            SegmentValue::Last => String::new(),
        })
        .y_label_formatter(&|y| format!("{y:.0}%"))
        .axis_desc_style((FAMILY, 16))
        .label_style((FAMILY, 14))
        .light_line_style(RGBColor(235, 235, 235))
        .bold_line_style(RGBColor(210, 210, 210))
        .draw()
        .map_err(|e| e.to_string())?;
    let mut legend_entries: Vec<(String, RGBColor)> = Vec::new();
    let mut base = vec![0.0f64; phases];
    let inside = TextStyle::from((FAMILY, 11).into_font())
        .color(&BLACK)
        .pos(Pos::new(HPos::Center, VPos::Center));
    for (i, (label_text, values)) in share
        .iter()
        .zip(segments)
        .map(|(v, (l, _))| (l, v))
        .enumerate()
    {
        let color = colour(i);
        let mut bars = Vec::new();
        let mut labels = Vec::new();
        for (p, v) in values.iter().enumerate() {
            let (bottom, top) = (base[p], (base[p] + v).min(100.0));
            base[p] += v;
            if *v <= 0.0 {
                continue;
            }
            let mut bar = Rectangle::new(
                [
                    (SegmentValue::Exact(p), bottom),
                    (SegmentValue::Exact(p + 1), top),
                ],
                color.filled(),
            );
            bar.set_margin(0, 0, 6, 6);
            bars.push(bar);
            // Shares big enough to hold their figure say it.
            if *v >= 6.0 {
                labels.push(Text::new(
                    format!("{v:.0}%"),
                    (SegmentValue::CenterOf(p), (bottom + top) / 2.0),
                    inside.clone(),
                ));
            }
        }
        chart.draw_series(bars).map_err(|e| e.to_string())?;
        chart.draw_series(labels).map_err(|e| e.to_string())?;
        legend_entries.push((label_text.clone(), color));
    }
    draw_totals(&right, users, totals)?;
    draw_legend(&legend, &legend_entries)?;
    root.present().map_err(|e| e.to_string())?;
    Ok(())
}

/// The phase totals against users, both on log axes, each point labelled with its total.
fn draw_totals<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    users: &[f64],
    totals: &[f64],
) -> Result<(), String> {
    let (x_lo, x_hi) = users_range(users);
    let (y_lo, y_hi) = log_axis(totals.iter().copied()).unwrap_or((1.0, 10.0));
    let mut phase_users: Vec<f64> = users.iter().copied().filter(|u| *u > 0.0).collect();
    phase_users.sort_by(f64::total_cmp);
    phase_users.dedup();
    let mut chart = ChartBuilder::on(area)
        .caption("Monthly total", (FAMILY, 16))
        .margin(12)
        .x_label_area_size(56)
        .y_label_area_size(72)
        .build_cartesian_2d(
            (x_lo..x_hi).log_scale().with_key_points(phase_users),
            (y_lo..y_hi).log_scale(),
        )
        .map_err(|e| e.to_string())?;
    chart
        .configure_mesh()
        .x_desc("Users (log scale)")
        .y_desc("USD per month (log scale)")
        .x_label_formatter(&|x| short(*x))
        .y_label_formatter(&|y| label(Scale::Usd, *y))
        .axis_desc_style((FAMILY, 14))
        .label_style((FAMILY, 12))
        .light_line_style(RGBColor(235, 235, 235))
        .bold_line_style(RGBColor(210, 210, 210))
        .y_labels(8)
        .draw()
        .map_err(|e| e.to_string())?;
    let points: Vec<(f64, f64)> = users
        .iter()
        .zip(totals)
        .map(|(u, t)| (*u, *t))
        .filter(|(u, t)| *u > 0.0 && t.is_finite() && (y_lo..=y_hi).contains(t))
        .collect();
    let ink = RGBColor(60, 60, 60);
    chart
        .draw_series(LineSeries::new(points.clone(), ink.stroke_width(2)))
        .map_err(|e| e.to_string())?;
    chart
        .draw_series(points.iter().map(|p| Circle::new(*p, 4, ink.filled())))
        .map_err(|e| e.to_string())?;
    // Labels alternate above-left and below-right of their points, so neighbours whose
    // totals are close (the first phases of a plan often are) do not overprint.
    let font = TextStyle::from((FAMILY, 12).into_font()).color(&BLACK);
    let above = font.pos(Pos::new(HPos::Right, VPos::Bottom));
    let below = font.pos(Pos::new(HPos::Left, VPos::Top));
    chart
        .draw_series(points.iter().enumerate().map(|(i, (u, t))| {
            let style = if i % 2 == 0 { &above } else { &below };
            Text::new(short_usd(*t), (*u, *t), style.clone())
        }))
        .map_err(|e| e.to_string())?;
    Ok(())
}

/// A line chart: users (log) against values (log), one line per series.
fn draw_lines<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    spec: &Spec,
    series: &[Series],
) -> Result<(), String> {
    root.fill(&WHITE).map_err(|e| e.to_string())?;
    let (plot, legend) = root.split_horizontally(WIDTH - LEGEND_WIDTH);
    let users: Vec<f64> = series
        .iter()
        .flat_map(|s| s.points.iter().map(|p| p.0))
        .collect();
    let values: Vec<f64> = series
        .iter()
        .flat_map(|s| s.points.iter().map(|p| p.1))
        .collect();
    let (x_lo, x_hi) = users_range(&users);
    let axis = log_axis(values.iter().copied());
    let has_data = axis.is_some();
    let (y_lo, y_hi) = axis.unwrap_or((1.0, 10.0));
    let mut phase_users: Vec<f64> = users.iter().copied().filter(|u| *u > 0.0).collect();
    phase_users.sort_by(f64::total_cmp);
    phase_users.dedup();
    let scale = spec.scale;
    let mut chart = ChartBuilder::on(&plot)
        .caption(&spec.title, (FAMILY, 22).into_font().style(FontStyle::Bold))
        .margin(12)
        .x_label_area_size(56)
        .y_label_area_size(96)
        .build_cartesian_2d(
            (x_lo..x_hi)
                .log_scale()
                .with_key_points(phase_users.clone()),
            (y_lo..y_hi).log_scale(),
        )
        .map_err(|e| e.to_string())?;
    chart
        .configure_mesh()
        .x_desc("Users (log scale)")
        .y_desc(spec.y_desc)
        .x_label_formatter(&|x| short(*x))
        .y_label_formatter(&|y| label(scale, *y))
        .axis_desc_style((FAMILY, 16))
        .label_style((FAMILY, 14))
        .light_line_style(RGBColor(235, 235, 235))
        .bold_line_style(RGBColor(210, 210, 210))
        .y_labels(10)
        .draw()
        .map_err(|e| e.to_string())?;
    let mut legend_entries: Vec<(String, RGBColor)> = Vec::new();
    // Line points beyond the axis' MAX_DECADES (see `log_axis`), left out.
    let mut off_axis = 0;
    // Lines that coincide (two instance lines with the same counts) stay apart: each series
    // has its own marker shape, and markers shrink with the series index, so a later marker
    // sits inside an earlier one instead of hiding it; every other line is dashed.
    for (i, s) in series.iter().enumerate() {
        let color = colour(i);
        let drawable: Vec<(f64, f64)> = s
            .points
            .iter()
            .copied()
            .filter(|(x, y)| *x > 0.0 && *y > 0.0 && y.is_finite())
            .collect();
        let points: Vec<(f64, f64)> = drawable
            .iter()
            .copied()
            .filter(|(_, y)| (y_lo..=y_hi).contains(y))
            .collect();
        off_axis += drawable.len() - points.len();
        if i % 2 == 0 {
            chart
                .draw_series(LineSeries::new(points.clone(), color.stroke_width(2)))
                .map_err(|e| e.to_string())?;
        } else {
            chart
                .draw_series(DashedLineSeries::new(
                    points.clone(),
                    8,
                    5,
                    color.stroke_width(2),
                ))
                .map_err(|e| e.to_string())?;
        }
        let size = marker_size(i);
        match Marker::of(i) {
            Marker::Circle => chart.draw_series(
                points
                    .iter()
                    .map(|p| Circle::new(*p, size, color.stroke_width(2))),
            ),
            Marker::Triangle => chart.draw_series(
                points
                    .iter()
                    .map(|p| TriangleMarker::new(*p, size + 1, color.filled())),
            ),
            Marker::Cross => chart.draw_series(
                points
                    .iter()
                    .map(|p| Cross::new(*p, size, color.stroke_width(2))),
            ),
            Marker::Dot => chart.draw_series(
                points
                    .iter()
                    .map(|p| Circle::new(*p, size.min(3), color.filled())),
            ),
        }
        .map_err(|e| e.to_string())?;
        legend_entries.push((legend_label(series, i), color));
    }
    if !has_data {
        let style = TextStyle::from((FAMILY, 18).into_font())
            .color(&RGBColor(120, 120, 120))
            .pos(Pos::new(HPos::Center, VPos::Center));
        plot.draw(&Text::new(
            "no data to show".to_string(),
            ((WIDTH - LEGEND_WIDTH) as i32 / 2, HEIGHT as i32 / 2),
            style,
        ))
        .map_err(|e| e.to_string())?;
    }
    if off_axis > 0 {
        let style = TextStyle::from((FAMILY, 13).into_font()).color(&RGBColor(120, 120, 120));
        let note = format!(
            "{off_axis} value{} off the axis ({} to {}) not shown",
            if off_axis == 1 { "" } else { "s" },
            label(scale, decade(y_lo)),
            label(scale, decade(y_hi))
        );
        plot.draw(&Text::new(note, (110, HEIGHT as i32 - 18), style))
            .map_err(|e| e.to_string())?;
    }
    draw_line_legend(&legend, &legend_entries)?;
    root.present().map_err(|e| e.to_string())?;
    Ok(())
}

fn specs(plan: &Plan) -> Vec<Spec> {
    let users: Vec<f64> = plan.phases.iter().map(|p| p.users as f64).collect();
    let components: Vec<&str> = plan
        .phases
        .first()
        .map(|p| p.components.iter().map(|c| c.component.as_str()).collect())
        .unwrap_or_default();
    let segments: Vec<(String, Vec<f64>)> = components
        .iter()
        .map(|name| {
            (
                (*name).to_string(),
                plan.phases
                    .iter()
                    .map(|p| {
                        p.components
                            .iter()
                            .find(|c| c.component == *name)
                            .map_or(0.0, |c| c.monthly_usd)
                    })
                    .collect(),
            )
        })
        .collect();
    let per_user = Series {
        label: "per registered user".into(),
        points: plan
            .phases
            .iter()
            .map(|p| (p.users as f64, p.per_user_usd))
            .collect(),
    };
    let per_dau = Series {
        label: "per daily active user".into(),
        points: plan
            .phases
            .iter()
            .filter_map(|p| p.per_dau_usd.map(|v| (p.users as f64, v)))
            .collect(),
    };
    // Instance lines, in the order they first appear.
    let mut instance_lines: Vec<(String, String)> = Vec::new();
    for phase in &plan.phases {
        for line in &phase.lines {
            let key = (line.component.clone(), line.item.clone());
            if line.count_unit == "instances" && !instance_lines.contains(&key) {
                instance_lines.push(key);
            }
        }
    }
    let counts: Vec<Series> = instance_lines
        .iter()
        .map(|(component, item)| Series {
            label: format!("{component} {item}"),
            points: plan
                .phases
                .iter()
                .filter_map(|p| {
                    p.lines
                        .iter()
                        .find(|l| &l.component == component && &l.item == item)
                        .map(|l| (p.users as f64, l.count as f64))
                })
                .collect(),
        })
        .collect();
    let volume = |label: &str, f: &dyn Fn(&crate::demand::Demand) -> f64| Series {
        label: label.to_string(),
        points: plan
            .phases
            .iter()
            .map(|p| (p.users as f64, f(&p.demand)))
            .collect(),
    };
    let gb = crate::units::BYTES_PER_GB;
    let volumes = vec![
        volume("CDN edge egress / month", &|d| d.cdn_egress_gb_per_month),
        volume("CDN origin fetches / month", &|d| d.cdn_origin_gb_per_month),
        volume("cross-region transfer / month", &|d| {
            d.replicated_bytes_per_month / gb
        }),
        volume("database data", &|d| d.db_bytes / gb),
        volume("object storage (one copy)", &|d| {
            d.object_storage_bytes / gb
        }),
        volume("event log retained (one copy)", &|d| {
            d.event_retained_bytes / gb
        }),
    ];
    vec![
        Spec {
            name: "cost_by_component",
            title: format!("Monthly cost by component: {}", plan.scenario),
            caption: "Left: each phase's monthly cost after discounts split into component shares (linear, 0-100%). Right: the phase totals (log scales)".into(),
            y_desc: "% of the monthly cost",
            scale: Scale::Usd,
            body: Body::Stacked {
                users: users.clone(),
                totals: plan.phases.iter().map(|p| p.monthly_usd).collect(),
                segments,
            },
        },
        Spec {
            name: "cost_per_user",
            title: format!("Monthly cost per user: {}", plan.scenario),
            caption: "Monthly cost per registered user and per daily active user".into(),
            y_desc: "USD per user per month (log scale)",
            scale: Scale::Usd,
            body: Body::Lines(vec![per_user, per_dau]),
        },
        Spec {
            name: "counts",
            title: format!("Instance counts: {}", plan.scenario),
            caption: "Provisioned instances of every instance line (pinned counts where pinned)".into(),
            y_desc: "instances (log scale)",
            scale: Scale::Count,
            body: Body::Lines(counts),
        },
        Spec {
            name: "volumes",
            title: format!("Egress and storage: {}", plan.scenario),
            caption: "Transferred volume per month and stored volume, from each phase's demand".into(),
            y_desc: "GB, or GB per month (log scale)",
            scale: Scale::Gigabytes,
            body: Body::Lines(volumes),
        },
    ]
}

/// A chart that draws itself on any plotters backend (SVG and PNG get the same calls).
pub(crate) trait Drawing {
    fn draw_on<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> Result<(), String>;
}

impl Drawing for Spec {
    fn draw_on<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> Result<(), String> {
        draw(root, self)
    }
}

/// Draws a chart as SVG text and PNG bytes, [`WIDTH`] x [`HEIGHT`]; errors name the chart.
pub(crate) fn svg_and_png(name: &str, chart: &impl Drawing) -> Result<(String, Vec<u8>), Error> {
    let mut svg = String::new();
    {
        let root = SVGBackend::with_string(&mut svg, (WIDTH, HEIGHT)).into_drawing_area();
        chart.draw_on(&root).map_err(|e| draw_error(name, e))?;
    }
    let mut pixels = vec![255u8; (WIDTH * HEIGHT * 3) as usize];
    {
        let root = BitMapBackend::with_buffer(&mut pixels, (WIDTH, HEIGHT)).into_drawing_area();
        chart.draw_on(&root).map_err(|e| draw_error(name, e))?;
    }
    let mut png = Vec::new();
    {
        use image::ImageEncoder;
        image::codecs::png::PngEncoder::new(&mut png)
            .write_image(&pixels, WIDTH, HEIGHT, image::ColorType::Rgb8)
            .map_err(|e| draw_error(name, e))?;
    }
    Ok((svg, png))
}

fn render_one(spec: &Spec) -> Result<Chart, Error> {
    let (svg, png) = svg_and_png(spec.name, spec)?;
    Ok(Chart {
        name: spec.name,
        title: spec.title.clone(),
        caption: spec.caption.clone(),
        svg,
        png,
    })
}

/// Every chart of the plan, in [`NAMES`] order.
pub fn render(plan: &Plan) -> Result<Vec<Chart>, Error> {
    ensure_font()?;
    specs(plan).iter().map(render_one).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tick_labels_read() {
        assert_eq!(label(Scale::Usd, 1_200_000.0), "$1.2M");
        assert_eq!(label(Scale::Usd, 0.0035), "$0.0035");
        assert_eq!(label(Scale::Count, 10_000.0), "10K");
        assert_eq!(gigabytes(3_400_000.0), "3.4 PB");
        assert_eq!(gigabytes(0.5), "500 MB");
        // huge and tiny ticks in scientific notation, not 300 digits or "$0"
        assert_eq!(label(Scale::Usd, 1e20), "$1e20");
        assert_eq!(label(Scale::Usd, 1e-9), "$1e-9");
        assert_eq!(label(Scale::Count, 1e19), "1e19");
        assert_eq!(label(Scale::Count, 100.0), "100");
        assert_eq!(gigabytes(1e-306), "1e-306 GB");
        assert_eq!(gigabytes(2.5e15), "2.5e15 GB");
        assert_eq!(gigabytes(0.0001), "0.1 MB");
        assert_eq!(scientific(1.000_000_000_000_000_2e-5), "1e-5");
        assert_eq!(decade(0.999e-16), 1e-16);
    }

    #[test]
    fn shares_are_linear_percentages_of_each_phase() {
        // phase 0: 994 + 6 = 1,000 -> 99.4% and 0.6%; phase 1 costs nothing -> 0% each;
        // a negative segment (a credit) counts as 0 in the bar
        let segments = vec![
            ("db".to_string(), vec![994.0, 0.0]),
            ("cdn".to_string(), vec![6.0, 0.0]),
            ("credit".to_string(), vec![-5.0, 0.0]),
        ];
        let s = shares(&segments, 2);
        assert!((s[0][0] - 99.4).abs() < 1e-9);
        assert!((s[1][0] - 0.6).abs() < 1e-9);
        assert_eq!(s[2][0], 0.0);
        assert_eq!((s[0][1], s[1][1]), (0.0, 0.0));
    }

    #[test]
    fn legend_says_which_lines_coincide_or_are_all_zero() {
        let series = |label: &str, ys: &[f64]| Series {
            label: label.into(),
            points: ys
                .iter()
                .enumerate()
                .map(|(i, y)| (10f64.powi(i as i32 + 4), *y))
                .collect(),
        };
        let all = vec![
            series("db primary", &[3.0, 6.0]),
            series("db standby", &[3.0, 6.0]),
            series("db geo-replica", &[0.0, 0.0]),
            series("cache master", &[3.0, 6.0]),
            series("cache replica", &[3.0, 7.0]),
        ];
        assert_eq!(legend_label(&all, 0), "db primary");
        assert_eq!(legend_label(&all, 1), "db standby (= primary)");
        assert_eq!(legend_label(&all, 2), "db geo-replica (0, not drawn)");
        assert_eq!(legend_label(&all, 3), "cache master (= db primary)");
        assert_eq!(legend_label(&all, 4), "cache replica");
    }

    #[test]
    fn series_markers_differ_and_shrink() {
        // four shapes, sizes 7, 6, 5, 4, then 3 from the fifth series on
        let sizes: Vec<i32> = (0..6).map(marker_size).collect();
        assert_eq!(sizes, vec![7, 6, 5, 4, 3, 3]);
        assert!(matches!(Marker::of(0), Marker::Circle));
        assert!(matches!(Marker::of(1), Marker::Triangle));
        assert!(matches!(Marker::of(5), Marker::Triangle));
    }

    #[test]
    fn log_axis_spans_whole_decades_and_at_most_max_decades() {
        let close = |a: f64, b: f64| (a / b - 1.0).abs() < 1e-12;
        // $18,491 .. $34,584,590: 1e4 .. 1e8, a hair wider
        let (lo, hi) = log_axis([18_491.0, 34_584_590.0].into_iter()).unwrap();
        assert!(
            close(lo, 1e4 * 0.999) && close(hi, 1e8 * 1.001),
            "{lo} {hi}"
        );
        // one value on a decade: that decade and the next
        let (lo, hi) = log_axis([1e3].into_iter()).unwrap();
        assert!(
            close(lo, 1e3 * 0.999) && close(hi, 1e4 * 1.001),
            "{lo} {hi}"
        );
        // nothing positive and finite: no axis
        assert_eq!(
            log_axis([0.0, -1.0, f64::NAN, f64::INFINITY].into_iter()),
            None
        );
        // the fuzzer's 1e-306 GB next to 1e8 GB (414 decades): the top 24 decades, 1e-16 .. 1e8
        let (lo, hi) = log_axis([1e-306, 3.0, 1.0e8].into_iter()).unwrap();
        assert!(
            close(lo, 1e-16 * 0.999) && close(hi, 1e8 * 1.001),
            "{lo} {hi}"
        );
        // f64::MAX: the top end stops at 1e300, still finite after the margin
        let (lo, hi) = log_axis([f64::MAX, 1.0].into_iter()).unwrap();
        assert!(
            close(lo, 1e276 * 0.999) && close(hi, 1e300 * 1.001),
            "{lo} {hi}"
        );
        // subnormals alone: the axis stops at 1e-300
        let (lo, hi) = log_axis([5e-324].into_iter()).unwrap();
        assert!(
            close(lo, 1e-300 * 0.999) && close(hi, 1e-299 * 1.001),
            "{lo} {hi}"
        );
    }

    fn line_spec(points: Vec<(f64, f64)>) -> Spec {
        Spec {
            name: "volumes",
            title: "absurd".into(),
            caption: String::new(),
            y_desc: "GB",
            scale: Scale::Gigabytes,
            body: Body::Lines(vec![Series {
                label: "a".into(),
                points,
            }]),
        }
    }

    /// Before `log_axis`, this chart (the saved fuzz crash's volumes: 1e-306 GB next to
    /// 3e7 GB) did not finish: plotters' tick loop ran ~1.8e18 times.
    #[test]
    fn absurd_values_render_quickly_with_a_note() {
        ensure_font().unwrap();
        let start = std::time::Instant::now();
        let chart = render_one(&line_spec(vec![(1e15, 1e-306), (1e15, 3.1e7)])).unwrap();
        assert!(start.elapsed().as_secs() < 10, "{:?}", start.elapsed());
        // 3.1e7 GB is drawn on a 1e-16 .. 1e8 GB axis; 1e-306 GB is counted off the axis
        assert!(
            chart
                .svg
                .contains("\n1 value off the axis (1e-16 GB to 100 PB) not shown\n"),
            "{}",
            chart.svg
        );
        // ticks every third decade, in scientific notation below 0.1 MB
        for tick in ["1e-13 GB", "1e-7 GB", "0.1 MB", "100 GB", "100 PB"] {
            assert!(chart.svg.contains(&format!("\n{tick}\n")), "{tick}");
        }
        assert!(chart.png.starts_with(b"\x89PNG"));
        // f64::MAX: the axis keeps the top decades, 1e276 .. 1e300 GB, the rest is off it
        let chart = render_one(&line_spec(vec![(1e15, 3.1e7), (1e15, f64::MAX)])).unwrap();
        assert!(
            chart
                .svg
                .contains("\n2 values off the axis (1e276 GB to 1e300 GB) not shown\n"),
            "{}",
            chart.svg
        );
        // a plan within the axis gets no note
        let chart = render_one(&line_spec(vec![(1e4, 1.0), (1e5, 10.0)])).unwrap();
        assert!(!chart.svg.contains("off the axis"));
    }
}
