//! The capacity report: `report.html`, one self-contained file (inline CSS and SVG charts, a
//! Content-Security-Policy that forbids every fetch) a reader can mail around, and
//! `report.md` with the same content for repositories and wikis.
//!
//! Sections: summary (peak-phase cost, cost per user, biggest cost drivers), cost by phase and
//! component, charts, each phase's demand and lines, pinned-vs-derived counts, the price table
//! used (sources and as-of dates), the inputs (every model input with units and source, and
//! the scenario's assumptions), warnings, and the derivation of every line.
//!
//! This module gathers plan values into the context below; the templates `report.html.j2`
//! (HTML auto-escaping on) and `report.md.j2` lay them out. Numbers are the plan's: the
//! only arithmetic here is a component's share of its phase total, for display.

use std::collections::{BTreeMap, BTreeSet};

use minijinja::value::{Serde, Value};
use serde::Serialize;

use crate::audit::Audit;
use crate::costing::PriceGivenBy;
use crate::error::Error;
use crate::plan::{PhasePlan, Plan};
use crate::providers::ProviderComparison;
use crate::render::charts::{Chart, ChartView};
use crate::render::templates::Templates;
use crate::timeline::Timeline;

/// The phase the summary leads with: the most expensive (the later one on a tie).
#[derive(Debug, Clone, Serialize)]
pub struct Peak<'a> {
    pub name: &'a str,
    pub users: u64,
    pub dau: f64,
    pub monthly_usd: f64,
    pub list_monthly_usd: f64,
    pub per_user_usd: f64,
    pub per_dau_usd: Option<f64>,
}

/// A cost driver of the peak phase.
#[derive(Debug, Clone, Serialize)]
pub struct Driver<'a> {
    pub component: &'a str,
    pub kind: &'a str,
    /// Set for a line driver.
    pub item: Option<&'a str>,
    pub monthly_usd: f64,
    /// Share of the phase's monthly cost (display only).
    pub share: f64,
}

/// The summary section.
#[derive(Debug, Clone, Serialize)]
pub struct Summary<'a> {
    pub peak: Option<Peak<'a>>,
    /// The peak phase's components by monthly cost, largest first (at most 5).
    pub top_components: Vec<Driver<'a>>,
    /// The peak phase's lines by monthly cost, largest first (at most 5).
    pub top_lines: Vec<Driver<'a>>,
    pub first_phase: Option<&'a str>,
    pub last_phase: Option<&'a str>,
    pub phase_count: usize,
    pub component_count: usize,
    pub pinned_line_count: usize,
    pub warning_count: usize,
    /// Against `budget_usd_per_month`, when the scenario sets one.
    pub budget: Option<BudgetStatus>,
    /// The last phase's P90 monthly cost, when the run made draws.
    pub p90: Option<PhaseP90<'a>>,
    /// The first year's cost along the timeline, when there is one.
    pub first_year: Option<FirstYear>,
}

/// The budget card: within, or breached in how many months (phases without a timeline), and
/// from when.
#[derive(Debug, Clone, Serialize)]
pub struct BudgetStatus {
    pub budget_usd_per_month: f64,
    /// Months (or phases) above the budget, of how many.
    pub breached: usize,
    pub of: usize,
    /// `months` along the timeline, else `phases`.
    pub counted_in: &'static str,
    /// The first month (or phase) above it and its cost.
    pub first: Option<(String, f64)>,
}

/// The P90 card.
#[derive(Debug, Clone, Serialize)]
pub struct PhaseP90<'a> {
    pub phase: &'a str,
    pub monthly_usd: f64,
    pub draws: u64,
}

/// The first year's cost card.
#[derive(Debug, Clone, Serialize)]
pub struct FirstYear {
    pub usd: f64,
    pub months: u32,
    /// The first and the last month summed.
    pub from: String,
    pub to: String,
}

/// What the report shows beyond the plan, when the run computed it (`headroom plan` does for
/// the report; none of it changes a number of the plan).
#[derive(Debug, Clone, Default)]
pub struct ReportExtras {
    /// The scenario's audit, for the audit section (computed from the same plan).
    pub audit: Option<Audit>,
    /// The growth timeline, for the timeline section and chart.
    pub timeline: Option<Timeline>,
    /// The same scenario on other providers, for the comparison section.
    pub providers: Option<ProviderComparison>,
}

/// One price of the price table: every line priced by it.
#[derive(Debug, Clone, Serialize)]
pub struct PriceRow {
    /// `service/item/region` of the price table, or `component/item` for a scenario price.
    pub key: String,
    pub given_by: PriceGivenBy,
    pub unit: String,
    /// Distinct unit prices seen (a tiered price's blended price differs per phase).
    pub unit_prices: Vec<f64>,
    /// The tier bands billed in any phase: (start, end, price per unit).
    pub tiers: Vec<TierBand>,
    pub source: String,
    pub as_of: String,
    pub confidence: String,
    /// `component/item` of the lines it prices.
    pub used_by: Vec<String>,
    /// Discounts applied to those lines: `name (x multiplier)`.
    pub discounts: Vec<String>,
}

/// A band of a tiered price.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TierBand {
    pub start: f64,
    pub end: Option<f64>,
    pub price_usd: f64,
}

/// A pinned line in a phase.
#[derive(Debug, Clone, Serialize)]
pub struct PinRow<'a> {
    pub phase: &'a str,
    pub component: &'a str,
    pub item: &'a str,
    pub count_unit: &'a str,
    pub pinned: u64,
    pub derived: u64,
    /// `below demand`, `above demand` or `matches demand`.
    pub status: &'static str,
}

/// One input of the model, with its unit and where it came from.
#[derive(Debug, Clone, Serialize)]
pub struct InputRow {
    pub name: String,
    /// The value as text (numbers as written in the model, enums by name).
    pub value: String,
    pub unit: String,
    pub meaning: String,
    pub source: String,
}

/// One demand figure across phases.
#[derive(Debug, Clone, Serialize)]
pub struct DemandRow {
    pub name: String,
    pub unit: String,
    pub meaning: String,
    /// One value per phase, in phase order.
    pub values: Vec<f64>,
}

/// Workload fields: (field, unit, meaning), in the model's order.
const WORKLOAD_FIELDS: &[(&str, &str, &str)] = &[
    (
        "mau_ratio",
        "fraction of users",
        "monthly active users / registered users",
    ),
    (
        "dau_ratio",
        "fraction of MAU",
        "daily active users / monthly active users",
    ),
    (
        "peak_concurrency_ratio",
        "fraction of DAU",
        "peak concurrent users / daily active users",
    ),
    (
        "requests_per_dau_per_day",
        "requests per DAU per day",
        "API calls one daily active user makes per day",
    ),
    (
        "peak_to_average",
        "ratio",
        "peak request rate / day-average request rate",
    ),
    (
        "read_fraction",
        "fraction of requests",
        "share of requests that only read",
    ),
    (
        "db_reads_per_read_request",
        "queries per read request",
        "database queries one read request makes before the cache",
    ),
    (
        "db_writes_per_write_request",
        "statements per write request",
        "database writes one write request makes",
    ),
    (
        "bytes_per_db_write",
        "bytes",
        "bytes one database write adds to the replication stream",
    ),
    (
        "cache_hit_ratio",
        "fraction of DB reads",
        "share of database reads the cache absorbs",
    ),
    (
        "cache_ops_per_request",
        "commands per request",
        "cache (Redis) commands per request",
    ),
    (
        "db_bytes_per_user",
        "bytes per user",
        "database rows and indexes per registered user",
    ),
    ("session_bytes", "bytes", "bytes of one session record"),
    (
        "sessions_per_active_user",
        "sessions",
        "sessions one active user holds",
    ),
    (
        "session_basis",
        "-",
        "which active population holds sessions",
    ),
    (
        "cache_bytes_per_dau",
        "bytes per DAU",
        "hot cache working set per daily active user",
    ),
    (
        "events_per_dau_per_day",
        "events per DAU per day",
        "events one daily active user emits per day",
    ),
    ("event_bytes", "bytes", "bytes of one event on the wire"),
    (
        "event_retention_days",
        "days",
        "days events stay in the event log",
    ),
    (
        "cdn_egress_bytes_per_dau_per_day",
        "bytes per DAU per day",
        "CDN bytes delivered to one daily active user per day",
    ),
    (
        "cdn_requests_per_dau_per_day",
        "requests per DAU per day",
        "CDN requests one daily active user makes per day",
    ),
    (
        "cdn_byte_hit_ratio",
        "fraction of bytes",
        "share of CDN bytes served from edge caches",
    ),
    (
        "object_bytes_per_user",
        "bytes per user",
        "object-storage bytes per registered user",
    ),
    (
        "cross_region_replication_share",
        "fraction of written bytes",
        "share of written bytes replicated to other regions",
    ),
];

/// Demand figures: (field, unit, meaning), in the plan's order.
const DEMAND_FIELDS: &[(&str, &str, &str)] = &[
    ("users", "users", "registered users"),
    ("mau", "users", "monthly active users"),
    ("dau", "users", "daily active users"),
    ("peak_concurrent_users", "users", "peak concurrent users"),
    ("avg_rps", "requests/s", "day-average API requests"),
    ("peak_rps", "requests/s", "peak API requests"),
    ("peak_read_rps", "requests/s", "peak read requests"),
    ("peak_write_rps", "requests/s", "peak write requests"),
    (
        "db_read_qps",
        "queries/s",
        "peak database reads reaching the database",
    ),
    ("db_write_qps", "queries/s", "peak database writes"),
    ("db_qps", "queries/s", "peak database queries"),
    ("cache_ops_per_s", "operations/s", "peak cache operations"),
    ("db_bytes", "bytes", "database bytes stored"),
    ("sessions", "sessions", "live sessions"),
    ("session_memory_bytes", "bytes", "raw session memory"),
    ("cache_working_set_bytes", "bytes", "hot cache working set"),
    ("events_per_s_avg", "events/s", "day-average events"),
    ("events_per_s_peak", "events/s", "peak events"),
    (
        "event_ingress_bytes_per_s_peak",
        "bytes/s",
        "peak event ingress",
    ),
    (
        "event_retained_bytes",
        "bytes",
        "event bytes retained (one copy)",
    ),
    ("cdn_egress_gb_per_month", "GB/month", "CDN edge egress"),
    ("cdn_origin_gb_per_month", "GB/month", "CDN origin fetches"),
    ("cdn_requests_per_month", "requests/month", "CDN requests"),
    (
        "object_storage_bytes",
        "bytes",
        "object-storage bytes (one copy)",
    ),
    (
        "replicated_bytes_per_month",
        "bytes/month",
        "bytes replicated to each other region",
    ),
];

/// The budget card: along the timeline when there is one (month by month), else per phase.
fn budget_status(plan: &Plan, timeline: Option<&Timeline>) -> Option<BudgetStatus> {
    let budget = plan.budget_usd_per_month?;
    Some(match timeline {
        Some(t) => BudgetStatus {
            budget_usd_per_month: budget,
            breached: t.over_budget.len(),
            of: t.months.len(),
            counted_in: "months",
            first: t
                .over_budget
                .first()
                .map(|o| (o.label.clone(), o.monthly_usd)),
        },
        None => {
            let over: Vec<&PhasePlan> = plan
                .phases
                .iter()
                .filter(|p| p.monthly_usd > budget)
                .collect();
            BudgetStatus {
                budget_usd_per_month: budget,
                breached: over.len(),
                of: plan.phases.len(),
                counted_in: "phases",
                first: over.first().map(|p| (p.name.clone(), p.monthly_usd)),
            }
        }
    })
}

fn summary<'a>(plan: &'a Plan, extras: &ReportExtras) -> Summary<'a> {
    let timeline = extras.timeline.as_ref();
    let p90 = plan.uncertainty.as_ref().and_then(|u| {
        u.phases.last().map(|p| PhaseP90 {
            phase: &p.name,
            monthly_usd: p.monthly_usd.p90,
            draws: u.draws,
        })
    });
    let first_year = timeline
        .filter(|t| t.first_year_months > 0)
        .map(|t| FirstYear {
            usd: t.first_year_usd,
            months: t.first_year_months,
            from: t.months[0].label.clone(),
            to: t.months[t.first_year_months as usize - 1].label.clone(),
        });
    let peak_phase: Option<&PhasePlan> = plan
        .phases
        .iter()
        .rev()
        .max_by(|a, b| a.monthly_usd.total_cmp(&b.monthly_usd));
    let share = |usd: f64, phase: &PhasePlan| {
        if phase.monthly_usd > 0.0 {
            usd / phase.monthly_usd
        } else {
            0.0
        }
    };
    let mut top_components = Vec::new();
    let mut top_lines = Vec::new();
    if let Some(phase) = peak_phase {
        let mut components: Vec<_> = phase.components.iter().collect();
        components.sort_by(|a, b| {
            b.monthly_usd
                .total_cmp(&a.monthly_usd)
                .then_with(|| a.component.cmp(&b.component))
        });
        top_components = components
            .into_iter()
            .filter(|c| c.monthly_usd > 0.0)
            .take(5)
            .map(|c| Driver {
                component: &c.component,
                kind: &c.kind,
                item: None,
                monthly_usd: c.monthly_usd,
                share: share(c.monthly_usd, phase),
            })
            .collect();
        let mut lines: Vec<_> = phase.lines.iter().collect();
        lines.sort_by(|a, b| {
            b.monthly_usd
                .total_cmp(&a.monthly_usd)
                .then_with(|| a.component.cmp(&b.component))
                .then_with(|| a.item.cmp(&b.item))
        });
        top_lines = lines
            .into_iter()
            .filter(|l| l.monthly_usd > 0.0)
            .take(5)
            .map(|l| Driver {
                component: &l.component,
                kind: &l.kind,
                item: Some(&l.item),
                monthly_usd: l.monthly_usd,
                share: share(l.monthly_usd, phase),
            })
            .collect();
    }
    Summary {
        peak: peak_phase.map(|p| Peak {
            name: &p.name,
            users: p.users,
            dau: p.demand.dau,
            monthly_usd: p.monthly_usd,
            list_monthly_usd: p.list_monthly_usd,
            per_user_usd: p.per_user_usd,
            per_dau_usd: p.per_dau_usd,
        }),
        top_components,
        top_lines,
        first_phase: plan.phases.first().map(|p| p.name.as_str()),
        last_phase: plan.phases.last().map(|p| p.name.as_str()),
        phase_count: plan.phases.len(),
        component_count: plan.phases.first().map_or(0, |p| p.components.len()),
        pinned_line_count: plan
            .phases
            .iter()
            .flat_map(|p| &p.lines)
            .filter(|l| l.pinned)
            .count(),
        warning_count: plan.warnings.len(),
        budget: budget_status(plan, timeline),
        p90,
        first_year,
    }
}

/// The price table: one row per price used, in key order.
#[must_use]
pub fn prices(plan: &Plan) -> Vec<PriceRow> {
    let mut rows: BTreeMap<String, PriceRow> = BTreeMap::new();
    let mut used: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    let mut discounts: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for line in plan.phases.iter().flat_map(|p| &p.lines) {
        if !line.billed {
            continue;
        }
        let key = line
            .price_key
            .clone()
            .unwrap_or_else(|| format!("{}/{}", line.component, line.item));
        let row = rows.entry(key.clone()).or_insert_with(|| PriceRow {
            key: key.clone(),
            given_by: line.price_given_by,
            unit: line.unit.clone(),
            unit_prices: Vec::new(),
            tiers: Vec::new(),
            source: line.price_source.clone(),
            as_of: line.price_as_of.clone(),
            confidence: line.price_confidence.clone(),
            used_by: Vec::new(),
            discounts: Vec::new(),
        });
        if line.tiers.is_empty() {
            if !row.unit_prices.contains(&line.unit_price_usd) {
                row.unit_prices.push(line.unit_price_usd);
            }
        } else {
            for t in &line.tiers {
                let band = TierBand {
                    start: t.start,
                    end: t.end,
                    price_usd: t.price_usd,
                };
                if !row.tiers.contains(&band) {
                    row.tiers.push(band);
                }
            }
        }
        used.entry(key.clone())
            .or_default()
            .insert(format!("{}/{}", line.component, line.item));
        if let Some(name) = &line.discount {
            discounts
                .entry(key)
                .or_default()
                .insert(format!("{name} (x{})", line.discount_multiplier));
        }
    }
    rows.into_values()
        .map(|mut row| {
            row.unit_prices.sort_by(f64::total_cmp);
            row.tiers.sort_by(|a, b| a.start.total_cmp(&b.start));
            row.used_by = used
                .get(&row.key)
                .map(|s| s.iter().cloned().collect())
                .unwrap_or_default();
            row.discounts = discounts
                .get(&row.key)
                .map(|s| s.iter().cloned().collect())
                .unwrap_or_default();
            row
        })
        .collect()
}

/// Every pinned line of every phase.
#[must_use]
pub fn pins(plan: &Plan) -> Vec<PinRow<'_>> {
    plan.phases
        .iter()
        .flat_map(|p| p.lines.iter().map(move |l| (p, l)))
        .filter(|(_, l)| l.pinned)
        .map(|(p, l)| PinRow {
            phase: &p.name,
            component: &l.component,
            item: &l.item,
            count_unit: &l.count_unit,
            pinned: l.count,
            derived: l.derived_count,
            status: match l.count.cmp(&l.derived_count) {
                std::cmp::Ordering::Less => "below demand",
                std::cmp::Ordering::Greater => "above demand",
                std::cmp::Ordering::Equal => "matches demand",
            },
        })
        .collect()
}

fn value_text(v: &serde_json::Value) -> String {
    match v {
        serde_json::Value::String(s) => s.clone(),
        serde_json::Value::Number(n) => n
            .as_f64()
            .and_then(|x| crate::render::templates::number_text(x).ok())
            .unwrap_or_else(|| n.to_string()),
        other => other.to_string(),
    }
}

/// The workload inputs, each with unit, meaning and source.
fn workload_inputs(plan: &Plan) -> Result<Vec<InputRow>, Error> {
    let value = serde_json::to_value(&plan.workload)
        .map_err(|e| Error::Render(format!("report: workload: {e}")))?;
    let fields = value.as_object().cloned().unwrap_or_default();
    let source = format!(
        "workload {} (after the scenario's overrides)",
        plan.inputs.workload
    );
    let mut rows: Vec<InputRow> = WORKLOAD_FIELDS
        .iter()
        .filter_map(|(name, unit, meaning)| {
            fields.get(*name).map(|v| InputRow {
                name: (*name).to_string(),
                value: value_text(v),
                unit: (*unit).to_string(),
                meaning: (*meaning).to_string(),
                source: source.clone(),
            })
        })
        .collect();
    // Fields added to the model later still show.
    for (name, v) in &fields {
        if !WORKLOAD_FIELDS.iter().any(|(n, _, _)| n == name) {
            rows.push(InputRow {
                name: name.clone(),
                value: value_text(v),
                unit: "see the field name".into(),
                meaning: String::new(),
                source: source.clone(),
            });
        }
    }
    Ok(rows)
}

/// The scenario-level inputs.
fn scenario_inputs(plan: &Plan) -> Vec<InputRow> {
    let file = &plan.inputs.scenario_file;
    let row = |name: &str, value: String, unit: &str, meaning: &str, source: &str| InputRow {
        name: name.into(),
        value,
        unit: unit.into(),
        meaning: meaning.into(),
        source: source.into(),
    };
    let mut rows = vec![
        row(
            "hours_per_month",
            crate::render::templates::number_text(plan.hours_per_month).unwrap_or_default(),
            "hours",
            "hours billed per month",
            file,
        ),
        row(
            "currency",
            plan.currency.into(),
            "-",
            "currency of every price",
            file,
        ),
        row(
            "pricing.provider",
            plan.pricing.provider.clone(),
            "-",
            "price tables' provider",
            file,
        ),
        row(
            "pricing.tables",
            plan.pricing.tables.clone(),
            "-",
            "price tables",
            file,
        ),
        row(
            "pricing.region",
            plan.pricing.region.clone(),
            "-",
            "region whose prices are used",
            file,
        ),
        row(
            "pricing.cdn_geography",
            plan.pricing.cdn_geography.clone(),
            "-",
            "CDN price geography",
            file,
        ),
        row(
            "growth",
            plan.inputs.growth.clone(),
            "-",
            "growth model (the phases below)",
            file,
        ),
        row(
            "workload",
            plan.inputs.workload.clone(),
            "-",
            "workload model (the per-user figures below)",
            file,
        ),
    ];
    if let Some(catalog) = &plan.inputs.catalog {
        rows.push(row(
            "pricing.catalog",
            catalog.clone(),
            "-",
            "instance shapes (vCPU, memory)",
            file,
        ));
    }
    for region in &plan.regions {
        rows.push(row(
            &format!("regions.{}", region.name),
            crate::render::templates::number_text(region.user_share).unwrap_or_default(),
            "fraction of users",
            "the region's share of users",
            file,
        ));
    }
    rows
}

fn demand_rows(plan: &Plan) -> Result<Vec<DemandRow>, Error> {
    let per_phase: Vec<serde_json::Map<String, serde_json::Value>> = plan
        .phases
        .iter()
        .map(|p| {
            serde_json::to_value(p.demand)
                .map(|v| v.as_object().cloned().unwrap_or_default())
                .map_err(|e| Error::Render(format!("report: demand: {e}")))
        })
        .collect::<Result<_, _>>()?;
    Ok(DEMAND_FIELDS
        .iter()
        .map(|(name, unit, meaning)| DemandRow {
            name: (*name).to_string(),
            unit: (*unit).to_string(),
            meaning: (*meaning).to_string(),
            values: per_phase
                .iter()
                .map(|m| {
                    m.get(*name)
                        .and_then(serde_json::Value::as_f64)
                        .unwrap_or(0.0)
                })
                .collect(),
        })
        .collect())
}

/// The context of `report.html.j2` and `report.md.j2`:
///
/// - `plan`: the whole plan, as in `plan.json`;
/// - `summary`: `peak` (`name`, `users`, `dau`, `monthly_usd`, `list_monthly_usd`,
///   `per_user_usd`, `per_dau_usd`), `top_components` and `top_lines` (`component`, `kind`,
///   `item`, `monthly_usd`, `share`), `first_phase`, `last_phase`, `phase_count`,
///   `component_count`, `pinned_line_count`, `warning_count`, `budget` (`budget_usd_per_month`,
///   `breached`, `of`, `counted_in`, `first`: (label, monthly USD)), `p90` (`phase`,
///   `monthly_usd`, `draws`), `first_year` (`usd`, `months`, `from`, `to`); each none when
///   the run has no budget, no draws, no timeline;
/// - `components`: component names in scenario order (the columns of the cost table);
/// - `charts`: `name`, `title`, `caption`, `svg` (the SVG document), `svg_file`, `png_file`
///   (relative paths, or none when the charts are not written);
/// - `demand`: `name`, `unit`, `meaning`, `values` (one per phase);
/// - `prices`: `key`, `given_by`, `unit`, `unit_prices`, `tiers` (`start`, `end`,
///   `price_usd`), `source`, `as_of`, `confidence`, `used_by`, `discounts`;
/// - `pins`: `phase`, `component`, `item`, `count_unit`, `pinned`, `derived`, `status`;
/// - `inputs`: `scenario` and `workload` rows (`name`, `value`, `unit`, `meaning`,
///   `source`), `growth` (`name`, `users` per phase);
/// - `uncertainty` (none without draws): see [`crate::render::report_uncertainty::ReportView`].
pub fn context(
    plan: &Plan,
    plan_value: &Value,
    charts: &[Chart],
    charts_written: bool,
    extras: &ReportExtras,
) -> Result<Value, Error> {
    // The audit and the timeline, when the plan run computed them (`none` otherwise).
    let audit = extras.audit.as_ref().map(|a| Value::from(Serde(a)));
    let timeline = match &extras.timeline {
        Some(t) => {
            let chart = crate::render::timeline_chart::render(t)?;
            Some(minijinja::context! {
                data => Value::from(Serde(t)),
                svg => chart.svg,
                caption => chart.caption,
                shown_step_ups => Value::from(Serde(t.step_ups.iter().take(60).collect::<Vec<_>>())),
            })
        }
        None => None,
    };
    // The uncertainty charts have their own section (`uncertainty.charts`).
    let chart_views: Vec<ChartView> = charts
        .iter()
        .filter(|c| !crate::render::uncertainty_charts::NAMES.contains(&c.name))
        .map(|c| ChartView::of(c, charts_written))
        .collect();
    let growth: Vec<BTreeMap<&str, Value>> = plan
        .phases
        .iter()
        .map(|p| {
            BTreeMap::from([
                ("name", Value::from(p.name.as_str())),
                ("users", Value::from(p.users)),
            ])
        })
        .collect();
    let components: Vec<&str> = plan
        .phases
        .first()
        .map(|p| p.components.iter().map(|c| c.component.as_str()).collect())
        .unwrap_or_default();
    Ok(minijinja::context! {
        plan => plan_value.clone(),
        summary => Value::from(Serde(summary(plan, extras))),
        components => Value::from(Serde(components)),
        charts => Value::from(Serde(chart_views)),
        demand => Value::from(Serde(demand_rows(plan)?)),
        prices => Value::from(Serde(prices(plan))),
        pins => Value::from(Serde(pins(plan))),
        inputs => minijinja::context! {
            scenario => Value::from(Serde(scenario_inputs(plan))),
            workload => Value::from(Serde(workload_inputs(plan)?)),
            growth => Value::from(Serde(growth)),
        },
        audit => audit,
        timeline => timeline,
        providers => extras.providers.as_ref().map(|p| Value::from(Serde(p))),
        title => plan.title(),
        uncertainty => crate::render::report_uncertainty::report_view(plan, charts, charts_written)
            .map(|v| Value::from(Serde(v))),
        selections => Value::from(Serde(
            plan.phases
                .iter()
                .flat_map(|ph| ph.selections.iter().map(move |s| (ph.name.as_str(), s)))
                .map(|(phase, s)| minijinja::context! { phase => phase, s => Value::from(Serde(s)) })
                .collect::<Vec<_>>(),
        )),
    })
}

/// `report.html` and `report.md`.
pub fn render(
    plan: &Plan,
    plan_value: &Value,
    templates: &Templates,
    charts: &[Chart],
    charts_written: bool,
    extras: &ReportExtras,
) -> Result<Vec<(String, Vec<u8>)>, Error> {
    let context = context(plan, plan_value, charts, charts_written, extras)?;
    Ok(vec![
        (
            "report.html".to_string(),
            templates.render("report.html.j2", &context)?.into_bytes(),
        ),
        (
            "report.md".to_string(),
            templates.render("report.md.j2", &context)?.into_bytes(),
        ),
    ])
}
