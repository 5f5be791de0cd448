//! Charts of a plan, as SVG and PNG (plotters), under `charts/`:
//!
//! - `cost_by_component`: monthly cost per phase, stacked by component;
//! - `cost_per_user`: monthly cost per registered user and per daily active user;
//! - `counts`: instance counts of every instance line (nodes, brokers, replicas...);
//! - `volumes`: egress and stored volumes (CDN, cross-region, database, objects, events).
//!
//! Users are on a log axis (ticks at the phases' user counts), values on log axes with
//! readable ticks ("10K", "$1.2M", "3.4 PB"). Text is drawn with DejaVu Sans, embedded in the
//! binary and registered with plotters' `ab_glyph` support, so a PNG does not depend on the
//! machine's fonts and the same plan gives byte-identical files. Charts only read the plan.

use std::sync::OnceLock;

use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::FontStyle;
use plotters::style::text_anchor::{HPos, Pos, VPos};

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

fn gigabytes(x: f64) -> String {
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

/// The decade at or below `x` (x > 0).
fn decade_floor(x: f64) -> f64 {
    10f64.powf(x.log10().floor())
}

/// The decade at or above `x` (x > 0).
fn decade_ceil(x: f64) -> f64 {
    10f64.powf(x.log10().ceil())
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

/// Half a bar's width, in decades: a third of the closest gap between phases (at most 0.3).
fn bar_half_width(users: &[f64]) -> f64 {
    let mut logs: Vec<f64> = users
        .iter()
        .filter(|u| **u > 0.0)
        .map(|u| u.log10())
        .collect();
    logs.sort_by(f64::total_cmp);
    let gap = logs
        .windows(2)
        .map(|w| w[1] - w[0])
        .filter(|g| *g > 0.0)
        .fold(f64::INFINITY, f64::min);
    if gap.is_finite() {
        (gap / 3.0).min(0.3)
    } else {
        0.3
    }
}

fn value_range(values: impl Iterator<Item = f64>) -> Option<(f64, f64)> {
    let (lo, hi) = values
        .filter(|v| v.is_finite() && *v > 0.0)
        .fold((f64::INFINITY, 0.0f64), |(lo, hi), v| {
            (lo.min(v), hi.max(v))
        });
    lo.is_finite().then(|| {
        let lo = decade_floor(lo);
        let mut hi = decade_ceil(hi);
        if hi <= lo {
            hi = lo * 10.0;
        }
        // A hair beyond the decades, so their ticks are inside the range and get labels.
        (lo * 0.999, hi * 1.001)
    })
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
        let text: String = if label.chars().count() > 34 {
            let mut t: String = label.chars().take(33).collect();
            t.push('…');
            t
        } else {
            label.clone()
        };
        area.draw(&Text::new(text, (32, y), style.clone()))
            .map_err(|e| e.to_string())?;
        y += 22;
    }
    Ok(())
}

fn draw<DB: DrawingBackend>(root: &DrawingArea<DB, Shift>, spec: &Spec) -> Result<(), String> {
    root.fill(&WHITE).map_err(|e| e.to_string())?;
    let (plot, legend) = root.split_horizontally(WIDTH - LEGEND_WIDTH);
    let (users, values): (Vec<f64>, Vec<f64>) = match &spec.body {
        Body::Stacked {
            users,
            totals,
            segments,
        } => {
            // The range covers the phase totals and every stack's drawn top.
            let tops =
                (0..users.len()).map(|i| segments.iter().map(|(_, v)| v[i].max(0.0)).sum::<f64>());
            (
                users.iter().chain(users.iter()).copied().collect(),
                totals.iter().copied().chain(tops).collect(),
            )
        }
        Body::Lines(series) => (
            series
                .iter()
                .flat_map(|s| s.points.iter().map(|p| p.0))
                .collect(),
            series
                .iter()
                .flat_map(|s| s.points.iter().map(|p| p.1))
                .collect(),
        ),
    };
    let (x_lo, x_hi) = users_range(&users);
    let has_data = value_range(values.iter().copied()).is_some();
    let (mut y_lo, y_hi) = value_range(values.iter().copied()).unwrap_or((1.0, 10.0));
    if matches!(spec.body, Body::Stacked { .. }) {
        // A decade below the smallest total, so the bottom segments show.
        y_lo /= 10.0;
    }
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
    match &spec.body {
        Body::Stacked {
            users,
            totals,
            segments,
        } => {
            let half = 10f64.powf(bar_half_width(users));
            let mut base: Vec<f64> = vec![0.0; users.len()];
            for (i, (label_text, values)) in segments.iter().enumerate() {
                let color = colour(i);
                let mut bars = Vec::new();
                for (p, u) in users.iter().enumerate() {
                    let v = values[p].max(0.0);
                    let bottom = base[p].max(y_lo);
                    let top = (base[p] + v).max(y_lo);
                    base[p] += v;
                    if v > 0.0 && top > bottom {
                        bars.push(Rectangle::new(
                            [(u / half, bottom), (u * half, top)],
                            color.filled(),
                        ));
                    }
                }
                chart.draw_series(bars).map_err(|e| e.to_string())?;
                legend_entries.push((label_text.clone(), color));
            }
            // The phase total above each bar.
            let style = TextStyle::from((FAMILY, 13).into_font())
                .color(&BLACK)
                .pos(Pos::new(HPos::Center, VPos::Bottom));
            let labels: Vec<Text<'_, (f64, f64), String>> = users
                .iter()
                .zip(totals)
                .zip(&base)
                .filter(|((_, total), _)| **total > 0.0)
                .map(|((u, total), top)| {
                    Text::new(
                        short_usd(*total),
                        (*u, top.max(*total) * 1.08),
                        style.clone(),
                    )
                })
                .collect();
            chart.draw_series(labels).map_err(|e| e.to_string())?;
        }
        Body::Lines(series) => {
            for (i, s) in series.iter().enumerate() {
                let color = colour(i);
                let points: Vec<(f64, f64)> = s
                    .points
                    .iter()
                    .copied()
                    .filter(|(x, y)| *x > 0.0 && *y > 0.0 && y.is_finite())
                    .collect();
                chart
                    .draw_series(LineSeries::new(points.clone(), color.stroke_width(2)))
                    .map_err(|e| e.to_string())?;
                chart
                    .draw_series(points.iter().map(|p| Circle::new(*p, 4, color.filled())))
                    .map_err(|e| e.to_string())?;
                legend_entries.push((s.label.clone(), color));
            }
        }
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
    draw_legend(&legend, &legend_entries)?;
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
            caption: "Monthly cost after discounts per phase, stacked by component (log scales: each band spans its component's part of the running total)".into(),
            y_desc: "USD per month (log scale)",
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

fn render_one(spec: &Spec) -> Result<Chart, Error> {
    let mut svg = String::new();
    {
        let root = SVGBackend::with_string(&mut svg, (WIDTH, HEIGHT)).into_drawing_area();
        draw(&root, spec).map_err(|e| draw_error(spec.name, e))?;
    }
    let mut pixels = vec![255u8; (WIDTH * HEIGHT * 3) as usize];
    {
        let root = BitMapBackend::with_buffer(&mut pixels, (WIDTH, HEIGHT)).into_drawing_area();
        draw(&root, spec).map_err(|e| draw_error(spec.name, e))?;
    }
    let mut png = Vec::new();
    {
        use image::ImageEncoder;
        image::codecs::png::PngEncoder::new(&mut png)
            .write_image(&pixels, WIDTH, HEIGHT, image::ColorType::Rgb8)
            .map_err(|e| draw_error(spec.name, e))?;
    }
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
        assert_eq!(decade_floor(18_491.0), 10_000.0);
        assert_eq!(decade_ceil(34_584_590.0), 100_000_000.0);
        // phases 10x apart: bars a third of a decade each side at most 0.3
        assert!((bar_half_width(&[1e4, 1e5, 1e6]) - 0.3).abs() < 1e-12);
    }
}
