//! What each CLI command does, as library calls; `main.rs` only parses and prints.

use std::path::{Path, PathBuf};

use serde::Serialize;

use crate::error::Error;
use crate::input::load_scenario_with;
use crate::input::overrides::Set;
use crate::plan::{self, Plan};
use crate::queueing::{self, QueueState, WaitTarget};
use crate::render;

/// Loads a scenario and builds its plan.
pub fn plan_scenario(scenario: &Path) -> Result<Plan, Error> {
    plan_scenario_with(scenario, &[])
}

/// Loads a scenario with `--set` overrides and builds its plan.
pub fn plan_scenario_with(scenario: &Path, sets: &[Set]) -> Result<Plan, Error> {
    let scenario = load_scenario_with(scenario, sets)?;
    Ok(plan::build(&scenario)?)
}

/// The files `headroom plan` writes, as (relative name, bytes).
pub fn plan_files(plan: &Plan) -> Result<Vec<(String, Vec<u8>)>, Error> {
    Ok(vec![
        ("plan.json".to_string(), render::json::render(plan)?),
        (
            "costs.csv".to_string(),
            render::costs_csv::render_costs(plan)?,
        ),
        (
            "by_component.csv".to_string(),
            render::costs_csv::render_by_component(plan)?,
        ),
        (
            "summary.md".to_string(),
            render::summary_md::render(plan).into_bytes(),
        ),
    ])
}

/// Monte Carlo settings of `headroom plan` (`--draws`, `--seed`, `--plan-at`...).
#[derive(Debug, Clone, Default)]
pub struct DrawArgs {
    pub draws: Option<u64>,
    pub seed: Option<u64>,
    /// `P90`, `99.5`...
    pub plan_at: Option<String>,
    pub under_provision_penalty: Option<f64>,
    pub detail_phase: Option<String>,
    /// Show a progress bar for long runs (stderr is a terminal).
    pub progress: bool,
}

/// Builds the plan; with draws (from the flags or the scenario's `uncertainty.draws`), runs
/// the Monte Carlo and adds its section, re-planning at `--plan-at` when asked.
pub fn build_plan(loaded: &crate::input::Scenario, args: &DrawArgs) -> Result<Plan, Error> {
    use crate::uncertainty;
    let point = plan::build(loaded)?;
    let spec = loaded.spec.uncertainty.as_ref();
    let plan_at = args
        .plan_at
        .as_deref()
        .map(uncertainty::parse_percentile)
        .transpose()
        .map_err(|m| crate::InputError::field(&loaded.file, "--plan-at", m))?;
    let draws = args
        .draws
        .or(spec.and_then(|s| s.draws))
        .or(plan_at.map(|_| uncertainty::DEFAULT_DRAWS))
        .unwrap_or(0);
    if draws == 0 {
        if plan_at.is_some() {
            return Err(crate::InputError::field(
                &loaded.file,
                "--plan-at",
                "planning at a percentile needs draws (--draws N > 0)",
            )
            .into());
        }
        return Ok(point);
    }
    let Some(spec) = spec else {
        return Err(crate::InputError::field(
            &loaded.file,
            "uncertainty",
            "--draws needs uncertain inputs: add `uncertainty: (inputs: {\"workload.dau_ratio\": Pert(low: 0.2, mode: 0.3, high: 0.5)})` to the scenario",
        )
        .into());
    };
    let opts = uncertainty::RunOptions {
        draws,
        seed: args.seed.or(spec.seed).unwrap_or(uncertainty::DEFAULT_SEED),
        plan_at,
        under_provision_penalty: args
            .under_provision_penalty
            .or(spec.under_provision_penalty)
            .unwrap_or(uncertainty::DEFAULT_UNDER_PROVISION_PENALTY),
        detail_phase: args.detail_phase.clone().or(spec.detail_phase.clone()),
        progress: args.progress,
    };
    let (summary, planned) = uncertainty::run(loaded, spec, &point, &opts)?;
    let mut plan = match planned {
        Some(planned) => plan::build_planned(loaded, Some(&planned))?,
        None => point,
    };
    plan.uncertainty = Some(summary);
    Ok(plan)
}

/// `headroom plan`: builds, renders every chosen file, then writes them all (or none). The
/// report gets the scenario's audit and, for a growth curve, its timeline.
pub fn run_plan(
    scenario: &Path,
    out_dir: &Path,
    sets: &[Set],
    mut opts: render::outputs::RenderOptions,
    draws: &DrawArgs,
) -> Result<(Plan, Vec<PathBuf>), Error> {
    let loaded = load_scenario_with(scenario, sets)?;
    let mut plan = build_plan(&loaded, draws)?;
    let dated = plan
        .phases
        .iter()
        .flat_map(|p| &p.lines)
        .filter(|l| l.billed);
    let dated = dated.map(|l| {
        (
            l.price_key.as_deref().unwrap_or(&l.item),
            l.price_as_of.as_str(),
        )
    });
    if let Some(w) = crate::pricing::check::future_dated(dated, &crate::pricing::check::today()) {
        plan.warnings.push(w);
    }
    let wants_report =
        opts.formats.is_empty() || opts.formats.contains(&render::outputs::Format::Report);
    if wants_report {
        opts.audit = Some(crate::audit::run(&loaded, &plan)?);
        if loaded.growth.users_at(0.0).is_some() {
            let months = loaded
                .spec
                .timeline_months
                .unwrap_or(crate::timeline::DEFAULT_MONTHS);
            opts.timeline = Some(crate::timeline::build(&loaded, months)?);
        }
        // Other providers whose tables map this provider's keys (pricing/<p>/equivalents.csv).
        if loaded.repriced_from.is_none() {
            let others = crate::providers::mapped_providers(&loaded.prices.dir);
            if !others.is_empty() {
                let mut names = vec![plan.provider.clone()];
                names.extend(others);
                opts.providers = Some(crate::providers::compare(scenario, &names, sets)?);
            }
        }
    }
    // Render everything before writing anything: a render failure leaves no partial output.
    let files = render::outputs::render_outputs(&plan, &opts)?;
    let written = crate::output::write_owned(
        out_dir,
        &plan.output_name,
        crate::output::Owner::Plan,
        &files,
    )?;
    Ok((plan, written))
}

/// `headroom audit`: the scenario's claims and the claim-free checks.
pub fn run_audit(scenario: &Path, sets: &[Set]) -> Result<crate::audit::Audit, Error> {
    let loaded = load_scenario_with(scenario, sets)?;
    let plan = plan::build(&loaded)?;
    Ok(crate::audit::run(&loaded, &plan)?)
}

/// `headroom explain`.
pub fn run_explain(
    scenario: &Path,
    phase: &str,
    component: &str,
    item: Option<&str>,
    sets: &[Set],
) -> Result<String, Error> {
    let plan = plan_scenario_with(scenario, sets)?;
    render::explain::render(&plan, phase, component, item).map_err(Error::Usage)
}

/// What `headroom validate` checked.
#[derive(Debug, Clone, Serialize)]
pub struct Validation {
    pub scenario: String,
    pub phases: usize,
    pub components: usize,
    pub prices: usize,
}

/// `headroom validate`: loads and checks every input, and prices every line of every phase
/// (a missing price is bad input), without writing anything.
pub fn run_validate(scenario: &Path, sets: &[Set]) -> Result<Validation, Error> {
    let loaded = load_scenario_with(scenario, sets)?;
    let plan = plan::build(&loaded)?;
    // Claims must refer to phases, components and lines that exist.
    crate::audit::run(&loaded, &plan)?;
    // Everything `plan --draws` checks of the uncertainty section.
    if let Some(spec) = &loaded.spec.uncertainty {
        crate::uncertainty::check_spec(&loaded, spec, &plan)?;
    }
    Ok(Validation {
        scenario: loaded.spec.name.clone(),
        phases: loaded.growth.phases().len(),
        components: loaded.spec.components.len(),
        prices: loaded.prices.entries().count(),
    })
}

/// `headroom timeline`: builds the timeline and writes its files under
/// `out_dir/<scenario>/timeline/`.
pub fn run_timeline(
    scenario: &Path,
    months: Option<u32>,
    out_dir: &Path,
    sets: &[Set],
) -> Result<(crate::timeline::Timeline, Vec<PathBuf>), Error> {
    let loaded = load_scenario_with(scenario, sets)?;
    if let Some(m) = months {
        crate::input::limits::check_months(&loaded.file, "--months", m)?;
    }
    let months = months
        .or(loaded.spec.timeline_months)
        .unwrap_or(crate::timeline::DEFAULT_MONTHS);
    let timeline = crate::timeline::build(&loaded, months)?;
    let chart = render::timeline_chart::render(&timeline)?;
    let files = vec![
        ("timeline/timeline.svg".to_string(), chart.svg.into_bytes()),
        ("timeline/timeline.png".to_string(), chart.png),
        (
            "timeline/timeline.json".to_string(),
            render::timeline::json(&timeline)?,
        ),
        (
            "timeline/timeline.csv".to_string(),
            render::timeline::months_csv(&timeline)?,
        ),
        (
            "timeline/timeline_lines.csv".to_string(),
            render::timeline::lines_csv(&timeline)?,
        ),
    ];
    let written = crate::output::write_owned(
        out_dir,
        &timeline.scenario,
        crate::output::Owner::Timeline,
        &files,
    )?;
    Ok((timeline, written))
}

/// `headroom diff`: plan A against plan B (B defaults to A's scenario), each with its own
/// `--set` overrides.
pub fn run_diff(
    a: &Path,
    b: Option<&Path>,
    sets_a: &[Set],
    sets_b: &[Set],
) -> Result<crate::diff::Diff, Error> {
    let b_path = b.unwrap_or(a);
    let plan_a = plan_scenario_with(a, sets_a)?;
    let plan_b = plan_scenario_with(b_path, sets_b)?;
    let label = |path: &Path, sets: &[Set]| {
        let mut text = path.display().to_string();
        for s in sets {
            text.push_str(&format!(" --set {}={}", s.path, s.value));
        }
        text
    };
    Ok(crate::diff::compare(
        &plan_a,
        &plan_b,
        &label(a, sets_a),
        &label(b_path, sets_b),
    ))
}

/// `headroom providers`: the scenario priced on each provider (the first is the baseline).
pub fn run_providers(
    scenario: &Path,
    providers: &[String],
    sets: &[Set],
) -> Result<crate::providers::ProviderComparison, Error> {
    crate::providers::compare(scenario, providers, sets)
}

/// The answer of `headroom queue`.
#[derive(Debug, Clone, Serialize)]
pub struct QueueAnswer {
    pub arrival_rate_per_s: f64,
    pub service_time_s: f64,
    pub servers: u64,
    pub offered_load_erlangs: f64,
    pub utilization: f64,
    pub p_wait: f64,
    pub mean_wait_s: f64,
    /// `given` (--servers) or `smallest meeting the target`.
    pub servers_chosen_by: String,
}

/// How `headroom queue` picks the server count.
#[derive(Debug, Clone, Copy)]
pub enum QueueQuestion {
    Servers(u64),
    Target(WaitTarget),
}

/// `headroom queue`: M/M/c with the same code the pool sizing uses.
pub fn run_queue(
    arrival_rate_per_s: f64,
    service_time_s: f64,
    question: QueueQuestion,
) -> Result<QueueAnswer, Error> {
    if !(arrival_rate_per_s.is_finite() && arrival_rate_per_s >= 0.0) {
        return Err(Error::Usage(format!(
            "--arrival-rate-per-s must be a non-negative number, got {arrival_rate_per_s}"
        )));
    }
    if !(service_time_s.is_finite() && service_time_s > 0.0) {
        return Err(Error::Usage(format!(
            "--service-time-s must be above 0, got {service_time_s}"
        )));
    }
    let a = arrival_rate_per_s * service_time_s;
    if a > 1e8 {
        return Err(Error::Usage(format!(
            "offered load {a} Erlangs is beyond 1e8; check the units"
        )));
    }
    let (state, chosen_by): (QueueState, &str) = match question {
        QueueQuestion::Servers(c) => (queueing::state(c, a), "given"),
        QueueQuestion::Target(target) => {
            if let Some(p) = target.max_p_wait
                && !(p > 0.0 && p <= 1.0)
            {
                return Err(Error::Usage(format!(
                    "--max-wait-probability must be in (0, 1], got {p}"
                )));
            }
            if let Some(w) = target.max_mean_wait_service_times
                && !(w.is_finite() && w > 0.0)
            {
                return Err(Error::Usage("--max-mean-wait-s must be above 0".into()));
            }
            (
                queueing::smallest_servers(a, target, 1),
                "smallest meeting the target",
            )
        }
    };
    Ok(QueueAnswer {
        arrival_rate_per_s,
        service_time_s,
        servers: state.servers,
        offered_load_erlangs: a,
        utilization: state.utilization,
        p_wait: state.p_wait,
        mean_wait_s: state.mean_wait_service_times * service_time_s,
        servers_chosen_by: chosen_by.to_string(),
    })
}

/// `headroom pricing list`: providers, their services and how many prices each has.
pub fn run_pricing_list(root: &Path) -> Result<String, Error> {
    let report = crate::pricing::check::check(root, &crate::pricing::check::today(), i64::MAX)?;
    let mut t = render::table::Table::new(&[
        ("provider", render::table::Align::Left),
        ("prices", render::table::Align::Right),
        ("discounts", render::table::Align::Right),
        ("as of", render::table::Align::Left),
        ("services", render::table::Align::Left),
    ]);
    for p in &report.providers {
        t.row(vec![
            p.provider.clone(),
            p.prices.to_string(),
            p.discounts.to_string(),
            format!(
                "{} .. {}",
                p.oldest_as_of.as_deref().unwrap_or("-"),
                p.newest_as_of.as_deref().unwrap_or("-")
            ),
            p.services.join(", "),
        ]);
    }
    Ok(t.to_text())
}

/// `headroom pricing show ITEM`: every price of an item (or a service) across providers,
/// regions and tiers, with sources and dates.
pub fn run_pricing_show(root: &Path, item: &str) -> Result<String, Error> {
    let listing = std::fs::read_dir(root).map_err(|source| crate::error::InputError::Read {
        path: root.to_path_buf(),
        source,
    })?;
    let mut dirs: Vec<PathBuf> = listing
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter(|p| p.is_dir())
        .collect();
    dirs.sort();
    use render::table::{Align, Table};
    let mut t = Table::new(&[
        ("provider", Align::Left),
        ("service", Align::Left),
        ("item", Align::Left),
        ("region", Align::Left),
        ("unit", Align::Left),
        ("tier", Align::Left),
        ("price", Align::Right),
        ("as of", Align::Left),
        ("confidence", Align::Left),
        ("source", Align::Left),
    ]);
    let mut known: Vec<String> = Vec::new();
    for dir in dirs {
        let provider = dir
            .file_name()
            .map(|n| n.to_string_lossy().to_string())
            .unwrap_or_default();
        let book = crate::pricing::PriceBook::load(&dir)?;
        for e in book.entries() {
            known.push(e.item.clone());
            if e.item != item && e.service != item {
                continue;
            }
            for tier in &e.tiers {
                t.row(vec![
                    provider.clone(),
                    e.service.clone(),
                    e.item.clone(),
                    e.region.clone(),
                    e.unit.to_string(),
                    if e.is_tiered() {
                        format!(
                            "{}..{}",
                            tier.start,
                            tier.end.map_or(String::from("inf"), |x| x.to_string())
                        )
                    } else {
                        String::from("-")
                    },
                    format!("{}", tier.price_usd),
                    e.as_of.clone(),
                    format!("{:?}", e.confidence).to_lowercase(),
                    e.source.clone(),
                ]);
            }
        }
    }
    let text = t.to_text();
    if text.lines().count() <= 2 {
        known.sort();
        known.dedup();
        return Err(Error::Usage(format!(
            "no price for `{item}` in {}{}",
            root.display(),
            crate::error::did_you_mean(item, known.iter().map(String::as_str))
        )));
    }
    Ok(text)
}

/// `headroom pricing check`: the report, and whether any error was found.
pub fn run_pricing_check(
    root: &Path,
    max_age_days: i64,
) -> Result<crate::pricing::check::Report, Error> {
    Ok(crate::pricing::check::check(
        root,
        &crate::pricing::check::today(),
        max_age_days,
    )?)
}
