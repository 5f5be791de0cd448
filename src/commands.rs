//! The command layer: what each CLI command does, as library calls. Each command loads its
//! inputs, plans, runs the analyses it needs, renders, and writes (or returns what `main.rs`
//! prints through a renderer); no text is laid out here.

use std::path::{Path, PathBuf};

use serde::Serialize;

use crate::audit::Audit;
use crate::diff::Diff;
use crate::error::{Error, InputError};
use crate::input::overrides::Set;
use crate::input::{Scenario, load_scenario_with};
use crate::plan::{self, Plan};
use crate::pricing::PriceBook;
use crate::pricing::check::Report;
use crate::pricing::table::PriceEntry;
use crate::providers::ProviderComparison;
use crate::queueing::{self, QueueAnswer, QueueState, WaitTarget};
use crate::render;
use crate::render::files::RenderOptions;
use crate::render::report::ReportExtras;
use crate::timeline::Timeline;
use crate::uncertainty;

/// Loads a scenario and builds its plan.
pub fn plan_scenario(scenario: &Path) -> Result<Plan, Error> {
    plan_scenario_with(scenario, &[])
}

/// Loads a scenario with `--set` overrides and builds its plan.
pub fn plan_scenario_with(scenario: &Path, sets: &[Set]) -> Result<Plan, Error> {
    let scenario = load_scenario_with(scenario, sets)?;
    Ok(plan::build(&scenario)?)
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
pub fn build_plan(loaded: &Scenario, args: &DrawArgs) -> Result<Plan, Error> {
    let point = plan::build(loaded)?;
    let Some((spec, opts)) = draw_options(loaded, args)? else {
        return Ok(point);
    };
    let bar = args.progress.then(|| ProgressBar::new(opts.draws));
    let tick = |done: u64| {
        if let Some(bar) = &bar {
            bar.tick(done);
        }
    };
    let (summary, planned) = uncertainty::run(loaded, spec, &point, &opts, &tick)?;
    if let Some(bar) = bar {
        bar.finish();
    }
    let mut plan = match planned {
        Some(planned) => plan::build_planned(loaded, Some(&planned))?,
        None => point,
    };
    plan.warnings.extend(summary.shape_warnings());
    plan.uncertainty = Some(summary);
    Ok(plan)
}

/// The scenario's uncertainty section and how to run its draws, or `None` for no draws. The
/// flags win over the scenario, the scenario over the defaults.
fn draw_options<'a>(
    loaded: &'a Scenario,
    args: &DrawArgs,
) -> Result<
    Option<(
        &'a crate::input::uncertainty::UncertaintySpec,
        uncertainty::RunOptions,
    )>,
    Error,
> {
    let spec = loaded.spec.uncertainty.as_ref();
    let plan_at = args
        .plan_at
        .as_deref()
        .map(uncertainty::parse_percentile)
        .transpose()
        .map_err(|m| InputError::field(&loaded.file, "--plan-at", m))?;
    let draws = args
        .draws
        .or(spec.and_then(|s| s.draws))
        .or(plan_at.map(|_| uncertainty::DEFAULT_DRAWS))
        .unwrap_or(0);
    if draws == 0 {
        if plan_at.is_some() {
            return Err(InputError::field(
                &loaded.file,
                "--plan-at",
                "planning at a percentile needs draws (--draws N > 0)",
            )
            .into());
        }
        return Ok(None);
    }
    let Some(spec) = spec else {
        return Err(InputError::field(
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
    };
    Ok(Some((spec, opts)))
}

/// The Monte Carlo progress bar on stderr, hidden until a second has passed: short runs print
/// nothing.
struct ProgressBar {
    bar: indicatif::ProgressBar,
    started: std::time::Instant,
    shown: std::sync::atomic::AtomicBool,
}

impl ProgressBar {
    fn new(draws: u64) -> ProgressBar {
        let bar = indicatif::ProgressBar::with_draw_target(
            Some(draws),
            indicatif::ProgressDrawTarget::hidden(),
        );
        bar.set_style(
            indicatif::ProgressStyle::with_template(
                "{msg} [{bar:30}] {pos}/{len} draws ({per_sec}, eta {eta})",
            )
            .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar()),
        );
        bar.set_message("monte carlo");
        ProgressBar {
            bar,
            started: std::time::Instant::now(),
            shown: std::sync::atomic::AtomicBool::new(false),
        }
    }

    /// `done` draws are done (called from any thread).
    fn tick(&self, done: u64) {
        if self.started.elapsed().as_secs_f64() > 1.0
            && !self.shown.swap(true, std::sync::atomic::Ordering::Relaxed)
        {
            self.bar
                .set_draw_target(indicatif::ProgressDrawTarget::stderr());
        }
        self.bar.set_position(done);
    }

    fn finish(self) {
        self.bar.finish_and_clear();
    }
}

/// Warns when a billed line's price is dated after today: a table edited ahead of time, or a
/// typo in its as-of date, would otherwise price the plan silently.
fn warn_future_prices(plan: &mut Plan) {
    let dated = plan
        .phases
        .iter()
        .flat_map(|p| &p.lines)
        .filter(|l| l.billed)
        .map(|l| {
            (
                l.price_key.as_deref().unwrap_or(&l.item),
                l.price_as_of.as_str(),
            )
        });
    if let Some(w) = crate::pricing::check::future_dated(dated, &crate::pricing::check::today()) {
        plan.warnings.push(w);
    }
}
/// `headroom plan`: builds, runs the analyses the report shows, renders every chosen file,
/// then writes them all (or none).
pub fn run_plan(
    scenario: &Path,
    out_dir: &Path,
    sets: &[Set],
    mut opts: RenderOptions,
    draws: &DrawArgs,
) -> Result<(Plan, Vec<PathBuf>), Error> {
    if let Some(start) = &opts.focus_start
        && crate::input::growth::month_label(start, 0).is_none()
    {
        return Err(Error::Usage(format!(
            "--focus-start `{start}` is not a YYYY-MM month"
        )));
    }
    let loaded = load_scenario_with(scenario, sets)?;
    if opts.focus_start.is_none() {
        opts.focus_start = loaded.growth.start().map(str::to_string);
    }
    let mut plan = build_plan(&loaded, draws)?;
    warn_future_prices(&mut plan);
    let report = opts.wants(render::files::Format::Report);
    // The timeline checks the budget month by month (its breaches are plan warnings), and the
    // report shows it; it needs a growth curve.
    let months = (loaded.growth.users_at(0.0).is_some()
        && (report || loaded.spec.budget_usd_per_month.is_some()))
    .then(|| {
        loaded
            .spec
            .timeline_months
            .unwrap_or(crate::timeline::DEFAULT_MONTHS)
    });
    if let Some(months) = months
        && budget_check_can_run_beside(&opts)
    {
        let (plan, written) = write_beside_budget_check(&loaded, plan, months, &opts, out_dir)?;
        std::mem::forget(loaded);
        return Ok((plan, written));
    }
    let mut timeline = match months {
        Some(months) => Some(crate::timeline::build(&loaded, months, Some(&plan))?),
        None => None,
    };
    if let Some(w) = timeline.as_ref().and_then(Timeline::budget_warning) {
        plan.warnings.push(w);
    }
    if report {
        opts.report = report_extras(scenario, sets, &loaded, &plan, timeline.take())?;
        if let Some(providers) = &opts.report.providers {
            plan.warnings.extend(unpriced_elsewhere(providers));
        }
    }
    // Render everything before writing anything (plan.json streams into the staged folder,
    // which a failure discards): a render failure leaves no partial output.
    let files = render::files::plan_outputs(&plan, &opts)?;
    let written = crate::output::write_owned(
        out_dir,
        &plan.output_name,
        crate::output::Owner::Plan,
        &files,
    )?;
    drop(files); // it borrows the plan
    // The process ends after this command (main.rs forgets the plan too): the system takes
    // the memory back at once, where freeing the price tables row by row and the timeline's
    // months line by line is about a millisecond.
    std::mem::forget((loaded, timeline));
    Ok((plan, written))
}

/// True when the files asked for show the plan's warnings only in `plan.json` (summary.md,
/// the report and templated files show them too, and are rendered before anything is
/// written): the timeline's budget check can then run while the plan is written.
fn budget_check_can_run_beside(opts: &RenderOptions) -> bool {
    use render::files::Format;
    opts.wants(Format::Json)
        && ![Format::Markdown, Format::Report, Format::Tfvars]
            .iter()
            .any(|&f| opts.wants(f))
}

/// Writes the plan's files while the timeline checks the budget month by month beside it
/// (on the other core: the plan's JSON is written by one thread, the months are planned in
/// parallel). The budget warning is the plan's last; `plan.json` is serialized with a
/// placeholder in its place and completed when the check is done, so the files, the plan
/// returned and the errors are those of checking first and writing after: a failing month
/// fails the command and writes nothing.
fn write_beside_budget_check(
    loaded: &Scenario,
    mut plan: Plan,
    months: u32,
    opts: &RenderOptions,
    out_dir: &Path,
) -> Result<(Plan, Vec<PathBuf>), Error> {
    use std::sync::{Mutex, PoisonError};
    plan.warnings.push(render::json::LATE_WARNING.to_string());
    let (written, checked) = std::thread::scope(|scope| {
        let plan = &plan;
        // The check's result is its one warning, formatted once for plan.json and the plan
        // returned. The months are not freed: the process ends after the command (see above).
        let check = Mutex::new(Some(scope.spawn(move || {
            crate::timeline::build(loaded, months, Some(plan)).map(|timeline| {
                let warning = timeline.budget_warning();
                std::mem::forget(timeline);
                warning
            })
        })));
        let checked: Mutex<Option<Result<Option<String>, InputError>>> = Mutex::new(None);
        let finish = || {
            let handle = check.lock().unwrap_or_else(PoisonError::into_inner).take();
            if let Some(handle) = handle {
                let result = handle
                    .join()
                    .unwrap_or_else(|panic| std::panic::resume_unwind(panic));
                *checked.lock().unwrap_or_else(PoisonError::into_inner) = Some(result);
            }
        };
        let late = || -> std::io::Result<Option<String>> {
            finish();
            match checked
                .lock()
                .unwrap_or_else(PoisonError::into_inner)
                .as_ref()
            {
                Some(Ok(warning)) => Ok(warning.clone()),
                // The month's own error is what the command reports (below).
                _ => Err(std::io::Error::other("the timeline's budget check failed")),
            }
        };
        let mut files = match render::files::plan_outputs(plan, opts) {
            Ok(files) => files,
            Err(e) => {
                // A failing month is reported before anything of writing, as when first.
                finish();
                let checked = checked
                    .lock()
                    .unwrap_or_else(PoisonError::into_inner)
                    .take();
                return Err(match checked {
                    Some(Err(month)) => month.into(),
                    _ => e,
                });
            }
        };
        for (name, contents) in &mut files {
            if name == "plan.json" {
                *contents = crate::output::Contents::Stream(Box::new(|out| {
                    render::json::write_with_late_warning(plan, &late, out)
                }));
            }
        }
        let written = crate::output::write_owned(
            out_dir,
            &plan.output_name,
            crate::output::Owner::Plan,
            &files,
        );
        drop(files); // it borrows `late`
        finish();
        let checked = checked
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .take()
            .expect("the check was joined");
        Ok::<_, Error>((written, checked))
    })?;
    // As when the timeline is built first: its error comes before any of writing.
    let warning = checked?;
    let written = written?;
    plan.warnings.pop();
    plan.warnings.extend(warning);
    Ok((plan, written))
}

/// One warning per other provider of the report's comparison with unpriced lines: their
/// totals leave those lines out.
fn unpriced_elsewhere(providers: &ProviderComparison) -> Vec<String> {
    providers
        .providers
        .iter()
        .skip(1)
        .filter_map(|p| {
            let mut lines: Vec<&str> = Vec::new();
            for line in p.phases.iter().flat_map(|(_, _, unpriced)| unpriced) {
                if !lines.contains(&line.as_str()) {
                    lines.push(line);
                }
            }
            (!lines.is_empty()).then(|| {
                format!(
                    "providers: {} line{} unpriced on {}, left out of its totals: {}",
                    lines.len(),
                    if lines.len() == 1 { " is" } else { "s are" },
                    p.provider,
                    lines.join(", ")
                )
            })
        })
        .collect()
}

/// The analyses the report shows beside the plan: the audit, the timeline (built by the
/// caller, for a growth curve), and the other providers whose tables map this provider's keys
/// (`pricing/<p>/equivalents.csv`).
fn report_extras(
    scenario: &Path,
    sets: &[Set],
    loaded: &Scenario,
    plan: &Plan,
    timeline: Option<Timeline>,
) -> Result<ReportExtras, Error> {
    let mut extras = ReportExtras {
        audit: Some(crate::audit::run(loaded, plan)?),
        timeline,
        ..ReportExtras::default()
    };
    if loaded.repriced_from.is_none() {
        let others = crate::providers::mapped_providers(&loaded.prices.dir);
        if !others.is_empty() {
            let mut names = vec![plan.provider.clone()];
            names.extend(others);
            extras.providers = Some(compare_providers(scenario, &names, sets)?);
        }
    }
    Ok(extras)
}

/// `headroom audit`: the scenario's claims and the claim-free checks.
pub fn run_audit(scenario: &Path, sets: &[Set]) -> Result<Audit, Error> {
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

/// `headroom init`: writes `dir/<name>.ron` from the starter `template`, its price tables at
/// `tables`, and returns its path. An existing file is kept unless `force`. The file is
/// written under a temporary name, loaded and planned, and only then renamed: what `init`
/// leaves behind plans as written.
pub fn run_init(
    name: &str,
    template: &str,
    dir: &Path,
    tables: &Path,
    force: bool,
) -> Result<PathBuf, Error> {
    use crate::input::starter;
    if name.is_empty()
        || !name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'))
    {
        return Err(Error::Usage(format!(
            "`{name}` cannot name a scenario: use letters, digits, `-`, `_` and `.`"
        )));
    }
    let file = dir.join(format!("{name}.ron"));
    if file.exists() && !force {
        return Err(Error::Usage(format!(
            "{} exists; pass --force to replace it",
            file.display()
        )));
    }
    if !tables.is_dir() {
        return Err(Error::Usage(format!(
            "no price tables at {}: pass --pricing with the folder of a provider's tables \
             (pricing/aws in the headroom repository)",
            tables.display()
        )));
    }
    let write_error = |path: &Path| {
        let path = path.to_path_buf();
        move |source| Error::Write { path, source }
    };
    std::fs::create_dir_all(dir).map_err(write_error(dir))?;
    let text = starter::render(
        template,
        name,
        &relative_path(dir, tables),
        &file.display().to_string(),
    )
    .ok_or_else(|| {
        Error::Usage(format!(
            "no template `{template}`; expected one of: {}",
            starter::names().join(", ")
        ))
    })?;
    let staged = dir.join(format!(".{name}.ron.init"));
    std::fs::write(&staged, text).map_err(write_error(&staged))?;
    let checked = load_scenario_with(&staged, &[])
        .map_err(Error::from)
        .and_then(|loaded| plan::build(&loaded).map(|_| ()).map_err(Error::from));
    if let Err(e) = checked {
        let _ = std::fs::remove_file(&staged);
        return Err(e);
    }
    std::fs::rename(&staged, &file).map_err(write_error(&file))?;
    Ok(file)
}

/// `to` written relative to the folder `from` (`../pricing/aws`), or absolute when the two
/// share no root.
fn relative_path(from: &Path, to: &Path) -> String {
    let (Ok(from), Ok(to)) = (from.canonicalize(), to.canonicalize()) else {
        return to.display().to_string();
    };
    let common = from
        .components()
        .zip(to.components())
        .take_while(|(a, b)| a == b)
        .count();
    if common == 0 {
        return to.display().to_string();
    }
    let up = from.components().count() - common;
    let mut parts: Vec<String> = vec!["..".to_string(); up];
    parts.extend(
        to.components()
            .skip(common)
            .map(|c| c.as_os_str().to_string_lossy().into_owned()),
    );
    if parts.is_empty() {
        ".".to_string()
    } else {
        parts.join("/")
    }
}

/// `headroom schema`: the JSON Schema of `document` (`scenario`, `growth`, `workload`), or
/// with `markdown` the field reference of all three (the README's, generated from the same
/// structs).
pub fn run_schema(document: &str, markdown: bool) -> Result<String, Error> {
    use crate::input::schema::{Document, field_reference};
    if markdown {
        return Ok(field_reference());
    }
    let doc = Document::from_name(document).ok_or_else(|| {
        let names: Vec<&str> = Document::ALL.iter().map(|d| d.name()).collect();
        Error::Usage(format!(
            "no schema named `{document}`; expected one of: {}",
            names.join(", ")
        ))
    })?;
    serde_json::to_string_pretty(&doc.schema())
        .map(|json| json + "\n")
        .map_err(|e| Error::Render(e.to_string()))
}

/// `headroom timeline`: builds the timeline and writes its files under
/// `out_dir/<scenario>/timeline/`.
pub fn run_timeline(
    scenario: &Path,
    months: Option<u32>,
    out_dir: &Path,
    sets: &[Set],
) -> Result<(Timeline, Vec<PathBuf>), Error> {
    let loaded = load_scenario_with(scenario, sets)?;
    if let Some(m) = months {
        crate::input::limits::check_months(&loaded.file, "--months", m)?;
    }
    let months = months
        .or(loaded.spec.timeline_months)
        .unwrap_or(crate::timeline::DEFAULT_MONTHS);
    let timeline = crate::timeline::build(&loaded, months, None)?;
    let files: Vec<(String, crate::output::Contents<'_>)> =
        render::files::timeline_files(&timeline)?
            .into_iter()
            .map(|(name, bytes)| (name, bytes.into()))
            .collect();
    let written = crate::output::write_owned(
        out_dir,
        &timeline.scenario,
        crate::output::Owner::Timeline,
        &files,
    )?;
    Ok((timeline, written))
}

/// `headroom backtest SCENARIO --bill FILE...`: the plan at the observed user count against
/// the bills' month; writes `backtest/backtest.{json,csv}` under `out_dir/<scenario>/`.
pub fn run_backtest(
    scenario: &Path,
    request: &crate::backtest::Request,
    out_dir: &Path,
    sets: &[Set],
) -> Result<(crate::backtest::Backtest, Vec<PathBuf>), Error> {
    let loaded = load_scenario_with(scenario, sets)?;
    let backtest = crate::backtest::run(&loaded, request)?;
    let files: Vec<(String, crate::output::Contents<'_>)> =
        render::files::backtest_files(&backtest)?
            .into_iter()
            .map(|(name, bytes)| (name, bytes.into()))
            .collect();
    let written = crate::output::write_owned(
        out_dir,
        &loaded.spec.name,
        crate::output::Owner::Backtest,
        &files,
    )?;
    Ok((backtest, written))
}

/// `--tolerance 20%` as a fraction.
pub fn parse_backtest_tolerance(text: &str) -> Result<f64, Error> {
    crate::check::parse_tolerance(text).map_err(Error::Usage)
}

/// `headroom diff`: plan A against plan B (B defaults to A's scenario), each with its own
/// `--set` overrides.
pub fn run_diff(a: &Path, b: Option<&Path>, sets_a: &[Set], sets_b: &[Set]) -> Result<Diff, Error> {
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

/// `headroom diff --fail-above T [--phase P]`: puts the cost gate on a diff.
pub fn gate_diff(diff: &mut Diff, threshold: &str, phase: Option<&str>) -> Result<(), Error> {
    let threshold = crate::diff::gate::Threshold::parse(threshold).map_err(Error::Usage)?;
    crate::diff::gate::apply(diff, threshold, phase).map_err(Error::Usage)
}

/// `headroom commit`: each committable line's best reserved level over the term; with draws
/// (the flag or the scenario's `uncertainty.draws`), each month's count spread as the
/// Monte Carlo spread it.
pub fn run_commit(
    scenario: &Path,
    term: &str,
    draws: Option<u64>,
    seed: Option<u64>,
    sets: &[Set],
) -> Result<crate::commitment::Commitments, Error> {
    let loaded = load_scenario_with(scenario, sets)?;
    let term = crate::commitment::Term::parse(term)
        .map_err(|m| InputError::field(&loaded.file, "--term", m))?;
    let args = DrawArgs {
        draws,
        seed,
        ..DrawArgs::default()
    };
    let plan = if draws.is_some() {
        Some(build_plan(&loaded, &args)?)
    } else {
        None
    };
    let drawn = plan
        .as_ref()
        .and_then(|p| p.uncertainty.as_ref().map(|u| (u, p.phases.as_slice())));
    Ok(crate::commitment::analyse(&loaded, term, drawn)?)
}

/// `headroom providers`: the scenario priced on each provider (the first is the baseline).
pub fn run_providers(
    scenario: &Path,
    providers: &[String],
    sets: &[Set],
) -> Result<ProviderComparison, Error> {
    compare_providers(scenario, providers, sets)
}

/// Plans the scenario on each of `providers` and compares the plans. The baseline (the first)
/// must plan; another provider that cannot is reported in the comparison, not fatal.
fn compare_providers(
    scenario: &Path,
    providers: &[String],
    sets: &[Set],
) -> Result<ProviderComparison, Error> {
    let mut plans = Vec::new();
    let mut failed = Vec::new();
    for (i, p) in providers.iter().enumerate() {
        let mut with = sets.to_vec();
        with.push(Set {
            path: "pricing.provider".into(),
            value: serde_json::Value::String(p.clone()),
        });
        match plan_scenario_with(scenario, &with) {
            Ok(plan) => plans.push(plan),
            Err(e) if i > 0 => failed.push((p.clone(), e.to_string())),
            Err(e) => return Err(e),
        }
    }
    Ok(crate::providers::compare(&plans, failed))
}

/// Which plan `headroom check` and `headroom capacity` hold a fleet against.
#[derive(Debug, Clone, Default)]
pub struct FleetArgs {
    pub fleet: Option<PathBuf>,
    pub phase: Option<String>,
    pub users: Option<u64>,
}

/// The phase of a plan named by `--phase`, or the fleet's own (a tfvars file's), or a plan
/// of `--users N`.
fn fleet_phase(
    loaded: &Scenario,
    plan: &Plan,
    phase: Option<&str>,
    users: Option<u64>,
) -> Result<plan::PhasePlan, Error> {
    if let Some(users) = users {
        if !(1..=crate::input::growth::MAX_USERS).contains(&users) {
            return Err(Error::Usage(format!(
                "--users {users}: expected from 1 to {}",
                crate::input::growth::MAX_USERS
            )));
        }
        let mut warnings = Vec::new();
        return Ok(plan::build_phase(
            loaded,
            &format!("{users} users"),
            users,
            &mut warnings,
        )?);
    }
    let Some(name) = phase else {
        return Err(Error::Usage(
            "say which plan to hold the fleet against: --phase P or --users N".into(),
        ));
    };
    plan.phases
        .iter()
        .find(|p| p.name == name)
        .cloned()
        .ok_or_else(|| {
            let names: Vec<&str> = plan.phases.iter().map(|p| p.name.as_str()).collect();
            Error::Usage(format!(
                "--phase {name}: no such phase{}; the phases: {}",
                crate::error::did_you_mean(name, names.iter().copied()),
                names.join(", ")
            ))
        })
}

/// `headroom check SCENARIO --fleet FILE`: the fleet against a phase's plan.
pub fn run_check(
    scenario: &Path,
    args: &FleetArgs,
    tolerance: &str,
    sets: &[Set],
) -> Result<crate::check::FleetCheck, Error> {
    let tolerance = crate::check::parse_tolerance(tolerance).map_err(Error::Usage)?;
    let loaded = load_scenario_with(scenario, sets)?;
    let path = args
        .fleet
        .as_deref()
        .ok_or_else(|| Error::Usage("--fleet FILE is needed".into()))?;
    let fleet = crate::fleet::read(path, &loaded)?;
    let plan = plan::build(&loaded)?;
    let phase = args.phase.as_deref().or(fleet.phase.as_deref());
    let phase = fleet_phase(&loaded, &plan, phase, args.users)?;
    crate::check::check(&loaded, &phase, &fleet, tolerance).map_err(Error::Usage)
}

/// `headroom capacity SCENARIO (--fleet FILE | --phase P)`: reverse sizing.
pub fn run_capacity(
    scenario: &Path,
    args: &FleetArgs,
    sets: &[Set],
) -> Result<crate::capacity::Capacity, Error> {
    let loaded = load_scenario_with(scenario, sets)?;
    let plan = plan::build(&loaded)?;
    let (fleet, start) = match &args.fleet {
        Some(path) => {
            let fleet = crate::fleet::read(path, &loaded)?;
            // A fleet planned for a phase is expected to serve it: the search starts there.
            let start = args
                .phase
                .as_deref()
                .or(fleet.phase.as_deref())
                .and_then(|name| plan.phases.iter().find(|p| p.name == name))
                .map_or(1, |p| p.users);
            (fleet, start)
        }
        None => {
            let phase = fleet_phase(&loaded, &plan, args.phase.as_deref(), None)?;
            (crate::capacity::phase_fleet(&phase), phase.users)
        }
    };
    let name = fleet.file.clone();
    crate::capacity::run(&loaded, &fleet, &name, start).map_err(Error::Usage)
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
        stable: a < state.servers as f64,
    })
}

/// `headroom pricing list`: every provider's tables, summarised.
pub fn run_pricing_list(root: &Path) -> Result<Report, Error> {
    Ok(crate::pricing::check::check(
        root,
        &crate::pricing::check::today(),
        i64::MAX,
    )?)
}

/// `headroom pricing show ITEM`: every price of an item (or a service) across providers,
/// as (provider, entry), providers in name order.
pub fn run_pricing_show(root: &Path, item: &str) -> Result<Vec<(String, PriceEntry)>, Error> {
    let listing = std::fs::read_dir(root).map_err(|source| InputError::Read {
        path: root.to_path_buf(),
        source,
    })?;
    let mut dirs: Vec<PathBuf> = listing
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter(|p| p.is_dir())
        .collect();
    dirs.sort();
    let mut known: Vec<String> = Vec::new();
    let mut found = Vec::new();
    for dir in dirs {
        let provider = dir
            .file_name()
            .map(|n| n.to_string_lossy().to_string())
            .unwrap_or_default();
        let book = PriceBook::load(&dir)?;
        for e in book.entries() {
            known.push(e.item.clone());
            if e.item == item || e.service == item {
                found.push((provider.clone(), e.clone()));
            }
        }
    }
    if found.iter().all(|(_, e)| e.tiers.is_empty()) {
        known.sort();
        known.dedup();
        return Err(Error::Usage(format!(
            "no price for `{item}` in {}{}",
            root.display(),
            crate::error::did_you_mean(item, known.iter().map(String::as_str))
        )));
    }
    Ok(found)
}

/// `headroom pricing check`: the report of every table.
pub fn run_pricing_check(root: &Path, max_age_days: i64) -> Result<Report, Error> {
    Ok(crate::pricing::check::check(
        root,
        &crate::pricing::check::today(),
        max_age_days,
    )?)
}

/// Whether a pricing check found an error (`headroom pricing check` then exits 1).
#[must_use]
pub fn pricing_check_failed(report: &Report) -> bool {
    report
        .issues
        .iter()
        .any(|i| i.severity == crate::pricing::check::Severity::Error)
}

/// Where `headroom calibrate` reads its series.
#[derive(Debug, Clone)]
pub enum CalibrateSource {
    /// A Prometheus server's base URL.
    Prometheus(String),
    /// A metrics CSV, or Parquet file (by its `.parquet` extension).
    Metrics(PathBuf),
}

/// `headroom calibrate`'s options.
#[derive(Debug, Clone)]
pub struct CalibrateArgs {
    pub source: CalibrateSource,
    /// `30d`, `12h`, `90m`, `600s`.
    pub window: String,
    /// Unix seconds the window ends (Prometheus; default now).
    pub end: Option<f64>,
    /// `60s`: the query_range step.
    pub step: String,
    /// A RON map, series name -> PromQL, replacing default queries.
    pub queries: Option<PathBuf>,
    pub out: PathBuf,
    /// Where to write the scenario with the calibration applied (`--apply`).
    pub apply: Option<PathBuf>,
}

/// What `headroom calibrate` found: the fit, the text of the workload written, notes (series
/// with no data), and the file written.
#[derive(Debug)]
pub struct Calibration {
    pub fit: crate::calibrate::fit::Fit,
    pub workload_ron: String,
    pub notes: Vec<String>,
    /// The workload written, then the applied scenario if asked for.
    pub written: Vec<PathBuf>,
}

/// `30d` -> 2,592,000 seconds (units s, m, h, d, w).
fn duration_s(flag: &str, text: &str) -> Result<f64, Error> {
    let bad = || {
        Error::Usage(format!(
            "{flag} `{text}`: expected a number and s, m, h, d or w (`30d`)"
        ))
    };
    let t = text.trim();
    let unit = t.chars().last().ok_or_else(bad)?;
    let scale = match unit {
        's' => 1.0,
        'm' => 60.0,
        'h' => 3_600.0,
        'd' => 86_400.0,
        'w' => 604_800.0,
        _ => return Err(bad()),
    };
    let n: f64 = t[..t.len() - 1].parse().map_err(|_| bad())?;
    if !(n.is_finite() && n > 0.0) {
        return Err(bad());
    }
    Ok(n * scale)
}

/// `headroom calibrate`: reads the observed series, fits the workload, writes it (RON) to
/// `args.out`.
pub fn run_calibrate(scenario: &Path, args: &CalibrateArgs) -> Result<Calibration, Error> {
    use crate::calibrate::{factors, fit, metrics_csv, prometheus, workload_ron};
    let window_s = duration_s("--window", &args.window)?;
    let step_s = duration_s("--step", &args.step)?;
    let loaded = load_scenario_with(scenario, &[])?;
    let (observed, notes) = match &args.source {
        CalibrateSource::Metrics(path) => {
            let parquet = path
                .extension()
                .is_some_and(|e| e.eq_ignore_ascii_case("parquet"));
            let observed = if parquet {
                crate::calibrate::metrics_parquet::read(path)?
            } else {
                metrics_csv::read(path)?
            };
            (observed, Vec::new())
        }
        CalibrateSource::Prometheus(url) => {
            let overrides: std::collections::BTreeMap<String, String> = match &args.queries {
                Some(path) => {
                    let text = std::fs::read_to_string(path).map_err(|e| {
                        Error::Usage(format!("cannot read {}: {e}", path.display()))
                    })?;
                    ron::from_str(&text).map_err(|e| {
                        Error::Usage(format!(
                            "{}:{}:{}: {}; expected a map {{ \"series\": \"PromQL\", .. }}",
                            path.display(),
                            e.span.start.line,
                            e.span.start.col,
                            e.code
                        ))
                    })?
                }
                None => std::collections::BTreeMap::new(),
            };
            let queries = prometheus::queries(&overrides)?;
            let end = args.end.unwrap_or_else(|| {
                std::time::SystemTime::now()
                    .duration_since(std::time::UNIX_EPOCH)
                    .map_or(0.0, |d| d.as_secs() as f64)
            });
            let range = prometheus::Range {
                start: end - window_s,
                end,
                step_s,
            };
            prometheus::read(url, &queries, range)?
        }
    };
    let apps: Vec<factors::AppModel> = loaded
        .spec
        .components
        .iter()
        .filter_map(|c| match &c.policy {
            crate::input::kinds::Policy::App(app) => Some(factors::AppModel {
                name: c.name.clone(),
                cpu_ms_per_request: app
                    .cpu_ms_per_request
                    .or_else(|| Some(app.pod_vcpu? * 1000.0 / app.rps_per_pod?)),
                pod_memory_gib: app.pod_memory_gib,
            }),
            _ => None,
        })
        .collect();
    let fit = fit::fit(&observed, &loaded.workload, &apps)?;
    let text = workload_ron::render(&loaded.workload, &loaded.workload_origin, &fit)?;
    // What is written must load as a workload model.
    ron::from_str::<crate::input::Workload>(&text)
        .map_err(|e| Error::Render(format!("calibrated workload does not read back: {e}")))?;
    let write = |path: &Path, text: &str| {
        std::fs::write(path, text).map_err(|source| Error::Write {
            path: path.to_path_buf(),
            source,
        })
    };
    write(&args.out, &text)?;
    let mut written = vec![args.out.clone()];
    if let Some(apply) = &args.apply {
        write_applied_scenario(scenario, &loaded.spec, &args.out, apply, &fit)?;
        written.push(apply.clone());
    }
    Ok(Calibration {
        fit,
        workload_ron: text,
        notes,
        written,
    })
}

/// `calibrate --apply`: writes the scenario with the calibration applied to `apply`, paths
/// rebased to its folder, and checks that it loads (a scenario that does not load is removed
/// and reported).
fn write_applied_scenario(
    scenario: &Path,
    spec: &crate::input::ScenarioFile,
    workload: &Path,
    apply: &Path,
    fit: &crate::calibrate::fit::Fit,
) -> Result<(), Error> {
    use crate::calibrate::scenario_ron;
    let folder = |p: &Path| -> Result<PathBuf, Error> {
        let dir = p.parent().filter(|d| !d.as_os_str().is_empty());
        dir.unwrap_or(Path::new("."))
            .canonicalize()
            .map_err(|e| Error::Usage(format!("{}: {e}", p.display())))
    };
    let (from, to) = (folder(scenario)?, folder(apply)?);
    let rebase = |rel: &str| {
        let target = from.join(rel);
        let target = target.canonicalize().unwrap_or(target);
        scenario_ron::relative(&to, &target)
            .to_string_lossy()
            .into_owned()
    };
    let workload_file = scenario_ron::relative(
        &to,
        &folder(workload)?.join(workload.file_name().unwrap_or_default()),
    )
    .to_string_lossy()
    .into_owned();
    let text = scenario_ron::render(spec, &workload_file, &rebase, fit)?;
    std::fs::write(apply, &text).map_err(|source| Error::Write {
        path: apply.to_path_buf(),
        source,
    })?;
    if let Err(e) = load_scenario_with(apply, &[]) {
        let _ = std::fs::remove_file(apply);
        return Err(Error::Render(format!(
            "the calibrated scenario does not load: {e}"
        )));
    }
    Ok(())
}
