//! The `headroom` command line: parses arguments, calls the library, maps errors to exit codes
//! (0 ok, 1 failed check or write, 2 bad input).

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use clap::{Args, Parser, Subcommand};
use headroom::commands::{self, QueueQuestion};
use headroom::error::{EXIT_FAILED, EXIT_OK, Error};
use headroom::input::overrides::Set;
use headroom::queueing::WaitTarget;
use headroom::render;
use headroom::render::files::{Format, RenderOptions};

#[derive(Parser)]
#[command(
    name = "headroom",
    version,
    about = "Capacity planning and cost modeling from growth to 10B users"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

/// `--set path=value`, shared by every command that reads a scenario.
#[derive(Args, Clone, Default)]
struct Overrides {
    /// Override a scenario or model field for this run: `workload.dau_ratio=0.2`,
    /// `components.users-db.policy.headroom=0.5`, `hours_per_month=720` (repeatable).
    #[arg(long = "set", value_name = "PATH=VALUE")]
    set: Vec<String>,
    /// Price the scenario on another provider's tables (pricing/<PROVIDER>/): gcp, azure.
    /// Scenario-given prices are ignored; lines with no equivalent are reported unpriced.
    #[arg(long)]
    provider: Option<String>,
}

impl Overrides {
    fn parse(&self) -> Result<Vec<Set>, Error> {
        let mut sets = parse_sets(&self.set)?;
        if let Some(p) = &self.provider {
            sets.push(Set {
                path: "pricing.provider".into(),
                value: serde_json::Value::String(p.clone()),
            });
        }
        Ok(sets)
    }
}

fn parse_sets(items: &[String]) -> Result<Vec<Set>, Error> {
    items
        .iter()
        .map(|s| Set::parse(s).map_err(Error::Usage))
        .collect()
}

#[derive(Subcommand)]
enum Command {
    /// Size and price every component for every phase; write plan.json, costs.csv, summary.md.
    Plan(PlanArgs),
    /// Show the derivation of a component's lines in one phase.
    Explain(ExplainArgs),
    /// Check a design doc's claims (and the plan's limits); --strict exits 1 when one is wrong.
    Audit(AuditArgs),
    /// Month by month: users, counts and cost; phase thresholds, work with lead times, budget.
    Timeline(TimelineArgs),
    /// Compare two plans per phase and line: two scenarios, or one under two sets of --set.
    Diff(DiffArgs),
    /// The same scenario priced on several providers: totals and biggest line differences.
    Providers(ProvidersArgs),
    /// Reserved instances per line for a term: the level with the least expected cost, the
    /// break-even utilization, and what 10% fewer or more would cost.
    Commit(CommitArgs),
    /// Price tables: list providers, show an item's prices, check every table.
    Pricing {
        #[command(subcommand)]
        command: PricingCommand,
        /// Folder holding one sub-folder of tables per provider.
        #[arg(long, global = true, default_value = "pricing")]
        tables: PathBuf,
    },
    /// Check a scenario and everything it references, without writing anything.
    Validate(ValidateArgs),
    /// Hold a running fleet (inventory CSV, tfvars, Terraform plan JSON) against a phase's
    /// plan: short lines exit 1, over-provisioned ones say what the excess costs.
    Check(CheckArgs),
    /// Reverse sizing: the most users a fleet (or a phase's plan) serves, what runs out first
    /// and when.
    Capacity(CapacityArgs),
    /// M/M/c (Erlang C) calculator: P(wait), mean wait, smallest c meeting a target.
    Queue(QueueArgs),
    /// Print the JSON Schema of scenario, growth or workload files (or the README's field
    /// reference with --markdown).
    Schema(SchemaArgs),
    /// Fit the workload model to observed series (a Prometheus server or a metrics file) and
    /// write it as RON, every fitted value with its query, window and statistic.
    Calibrate(CalibrateArgs),
    /// Hold the plan at the observed user count against actual bills (FOCUS 1.0 CSV/Parquet,
    /// AWS CUR 2.0): per component and line, plan, actual, error; what the plan does not
    /// model. Exits 1 when a component is off by more than the tolerance.
    Backtest(BacktestArgs),
    /// Write NAME.ron: an annotated starter scenario, every field explained, that plans as written.
    Init(InitArgs),
}

// `headroom calibrate` (its help is the variant's doc comment above).
#[derive(Args)]
#[command(group(clap::ArgGroup::new("source").required(true).args(["prometheus", "metrics"])))]
struct CalibrateArgs {
    /// The scenario whose workload is calibrated (its per-request query counts and App
    /// components' CPU per request are the model the observations are held against).
    scenario: PathBuf,
    /// A Prometheus server's base URL (http://HOST:PORT), read through its query_range API.
    #[arg(long, value_name = "URL")]
    prometheus: Option<String>,
    /// A metrics CSV or Parquet file (`.parquet`): `timestamp` (unix seconds) and one column
    /// per series.
    #[arg(long, value_name = "FILE.csv|FILE.parquet")]
    metrics: Option<PathBuf>,
    /// How far back to read from Prometheus (s, m, h, d, w).
    #[arg(long, default_value = "30d")]
    window: String,
    /// Unix seconds the window ends (default: now).
    #[arg(long)]
    end: Option<f64>,
    /// The query_range step (s, m, h, d).
    #[arg(long, default_value = "60s")]
    step: String,
    /// A RON map of series name -> PromQL replacing default queries.
    #[arg(long, value_name = "FILE")]
    queries: Option<PathBuf>,
    /// Where to write the calibrated workload model.
    #[arg(
        long,
        value_name = "FILE.ron",
        default_value = "calibrated-workload.ron"
    )]
    out: PathBuf,
    /// Also write the scenario with the calibration applied (its workload the file --out
    /// writes, App components' observed CPU per request and memory per pod, the observed
    /// spread as uncertainty.inputs), ready for `plan` and `plan --draws`.
    #[arg(long, value_name = "FILE.ron")]
    apply: Option<PathBuf>,
}

// `headroom backtest` (its help is the variant's doc comment above).
#[derive(Args)]
struct BacktestArgs {
    /// The scenario whose plan is held against the bills.
    #[arg(required_unless_present = "generate_bill")]
    scenario: Option<PathBuf>,
    /// A bill: FOCUS 1.0 (CSV or Parquet) or AWS CUR 2.0 (Parquet or CSV); repeatable.
    #[arg(long, value_name = "FILE", num_args = 1.., required_unless_present = "generate_bill")]
    bill: Vec<PathBuf>,
    /// The user count the bill's month served (default: the growth curve at --month).
    #[arg(long, value_name = "N")]
    users: Option<u64>,
    /// The billing month compared (needed when the bills cover several months).
    #[arg(long, value_name = "YYYY-MM")]
    month: Option<String>,
    /// A component off by more than this fails the backtest (exit 1).
    #[arg(long, default_value = "20%")]
    tolerance: String,
    /// A mapping CSV (service,usage_type,line,notes) replacing the shipped
    /// models/mappings/aws_bill.csv.
    #[arg(long, value_name = "FILE.csv")]
    mapping: Option<PathBuf>,
    /// Output folder; files go to DIR/<scenario-name>/backtest/.
    #[arg(long, default_value = "output")]
    out: PathBuf,
    /// Print only the verdict line.
    #[arg(long, short)]
    quiet: bool,
    /// Benchmark helper: write a synthetic FOCUS Parquet bill of ROWS rows to OUT and exit.
    #[arg(long, num_args = 2, value_names = ["ROWS", "OUT.parquet"], hide = true)]
    generate_bill: Option<Vec<String>>,
    #[command(flatten)]
    overrides: Overrides,
}

// `headroom plan` (its help is the variant's doc comment above).
#[derive(Args)]
struct PlanArgs {
    /// The scenario file (scenarios/<name>.ron).
    scenario: PathBuf,
    /// Output folder; files go to DIR/<scenario-name>/.
    #[arg(long, default_value = "output")]
    out: PathBuf,
    /// Print only warnings (on stderr): no tables, no `wrote` lines.
    #[arg(long, short)]
    quiet: bool,
    /// Outputs to write, comma-separated: json, csv, markdown, charts, tfvars, report, focus,
    /// parquet (the tables as Parquet), or all.
    #[arg(long, default_value = "all")]
    format: String,
    /// The month (YYYY-MM) focus.csv bills the first phase in; phase i is billed i months
    /// later (default: the growth curve's `start`, else the month of the newest price used).
    #[arg(long, value_name = "YYYY-MM")]
    focus_start: Option<String>,
    /// Folder of templates replacing the built-in ones of the same name (templates/README.md).
    #[arg(long, value_name = "DIR")]
    templates: Option<PathBuf>,
    #[command(flatten)]
    draws: Draws,
    #[command(flatten)]
    overrides: Overrides,
}

// `headroom explain` (its help is the variant's doc comment above).
#[derive(Args)]
struct ExplainArgs {
    scenario: PathBuf,
    /// Phase name (e.g. 10B).
    #[arg(long)]
    phase: String,
    /// Component name.
    #[arg(long)]
    component: String,
    /// Only this line item.
    #[arg(long)]
    item: Option<String>,
    #[command(flatten)]
    overrides: Overrides,
}

// `headroom audit` (its help is the variant's doc comment above).
#[derive(Args)]
struct AuditArgs {
    scenario: PathBuf,
    /// Print the findings as JSON.
    #[arg(long)]
    json: bool,
    /// Exit 1 when any finding is wrong.
    #[arg(long)]
    strict: bool,
    #[command(flatten)]
    overrides: Overrides,
}

// `headroom timeline` (its help is the variant's doc comment above).
#[derive(Args)]
struct TimelineArgs {
    scenario: PathBuf,
    /// Months to cover (default: the scenario's timeline_months, else 60).
    #[arg(long)]
    months: Option<u32>,
    /// Output folder; files go to DIR/<scenario-name>/timeline/.
    #[arg(long, default_value = "output")]
    out: PathBuf,
    /// Print only warnings (on stderr): no tables, no `wrote` lines.
    #[arg(long, short)]
    quiet: bool,
    #[command(flatten)]
    overrides: Overrides,
}

// `headroom diff` (its help is the variant's doc comment above).
#[derive(Args)]
struct DiffArgs {
    /// Scenario A.
    a: PathBuf,
    /// Scenario B (default: A again, with --set-b overrides).
    b: Option<PathBuf>,
    /// An override for A only (repeatable).
    #[arg(long = "set-a", value_name = "PATH=VALUE")]
    set_a: Vec<String>,
    /// An override for B only (repeatable).
    #[arg(long = "set-b", value_name = "PATH=VALUE")]
    set_b: Vec<String>,
    /// Print JSON.
    #[arg(long, conflicts_with = "markdown")]
    json: bool,
    /// Print Markdown (a pull-request comment: totals, biggest changes, new, removed and
    /// unpriced lines).
    #[arg(long)]
    markdown: bool,
    /// Exit 1 when B costs more than A by more than this in a phase: a percentage of A's
    /// monthly total (`10%`) or dollars a month (`1500`).
    #[arg(long, value_name = "PCT|USD")]
    fail_above: Option<String>,
    /// Gate only this phase.
    #[arg(long, requires = "fail_above")]
    phase: Option<String>,
}

// `headroom providers` (its help is the variant's doc comment above).
#[derive(Args)]
struct ProvidersArgs {
    scenario: PathBuf,
    /// Providers to compare; the first is the baseline.
    #[arg(long, value_delimiter = ',', default_value = "aws,gcp,azure")]
    providers: Vec<String>,
    /// Print JSON.
    #[arg(long, conflicts_with = "markdown")]
    json: bool,
    /// Print Markdown.
    #[arg(long)]
    markdown: bool,
    #[command(flatten)]
    overrides: Overrides,
}

// `headroom commit` (its help is the variant's doc comment above).
#[derive(Args)]
struct CommitArgs {
    scenario: PathBuf,
    /// Commitment term: 1y or 3y.
    #[arg(long)]
    term: String,
    /// Monte Carlo draws: spread each month's counts as the draws spread them.
    #[arg(long)]
    draws: Option<u64>,
    /// Seed of the draws.
    #[arg(long)]
    seed: Option<u64>,
    /// Output: text or json.
    #[arg(long, default_value = "text", value_parser = ["text", "json"])]
    format: String,
    #[command(flatten)]
    overrides: Overrides,
}

// `headroom validate` (its help is the variant's doc comment above).
#[derive(Args)]
struct ValidateArgs {
    scenario: PathBuf,
    #[command(flatten)]
    overrides: Overrides,
}

/// `--fleet`, `--phase`, `--users`: the fleet and the plan it is held against.
#[derive(Args)]
struct FleetFlags {
    /// The fleet: inventory CSV (component,item,instance,count,region), a tfvars file headroom
    /// wrote (.tfvars, .tfvars.json), or a Terraform plan (`terraform show -json`).
    #[arg(long, value_name = "FILE")]
    fleet: Option<PathBuf>,
    /// The phase whose plan the fleet is held against (default: a tfvars file's own phase).
    #[arg(long)]
    phase: Option<String>,
}

// `headroom check` (its help is the variant's doc comment above).
#[derive(Args)]
struct CheckArgs {
    scenario: PathBuf,
    #[command(flatten)]
    fleet: FleetFlags,
    /// Hold the fleet against a plan for this many users.
    #[arg(long, value_name = "N", conflicts_with = "phase")]
    users: Option<u64>,
    /// A line within this much of the plan is neither short nor over.
    #[arg(long, default_value = "5%")]
    tolerance: String,
    /// Print JSON.
    #[arg(long)]
    json: bool,
    #[command(flatten)]
    overrides: Overrides,
}

// `headroom capacity` (its help is the variant's doc comment above).
#[derive(Args)]
struct CapacityArgs {
    scenario: PathBuf,
    #[command(flatten)]
    fleet: FleetFlags,
    /// Print JSON.
    #[arg(long)]
    json: bool,
    #[command(flatten)]
    overrides: Overrides,
}

// `headroom schema` (its help is the variant's doc comment above).
#[derive(Args)]
struct SchemaArgs {
    /// Which file's schema: scenario, growth or workload.
    #[arg(default_value = "scenario")]
    document: String,
    /// Print the field reference of every file as Markdown tables instead (the README's).
    #[arg(long)]
    markdown: bool,
}

// `headroom init` (its help is the variant's doc comment above).
#[derive(Args)]
struct InitArgs {
    /// The scenario's name; the file is DIR/NAME.ron.
    name: String,
    /// Starter: minimal (an API and a database, one region) or saas (every kind, three regions,
    /// a growth curve for `timeline`).
    #[arg(long, default_value = "minimal")]
    template: String,
    /// Folder to write the scenario in.
    #[arg(long, default_value = ".")]
    dir: PathBuf,
    /// Folder of the provider's price tables the scenario reads.
    #[arg(long, default_value = "pricing/aws")]
    pricing: PathBuf,
    /// Replace an existing NAME.ron.
    #[arg(long)]
    force: bool,
}

// `headroom queue` (its help is the variant's doc comment above).
#[derive(Args)]
struct QueueArgs {
    /// Arrivals per second (lambda).
    #[arg(long)]
    arrival_rate_per_s: f64,
    /// Mean service time in seconds (1/mu).
    #[arg(long)]
    service_time_s: f64,
    /// Evaluate this many servers.
    #[arg(long, conflicts_with_all = ["max_wait_probability", "max_mean_wait_s"])]
    servers: Option<u64>,
    /// Find the smallest c with P(wait) <= this.
    #[arg(long)]
    max_wait_probability: Option<f64>,
    /// Find the smallest c with mean wait <= this many seconds.
    #[arg(long)]
    max_mean_wait_s: Option<f64>,
    /// Print JSON.
    #[arg(long)]
    json: bool,
}

#[derive(Subcommand)]
enum PricingCommand {
    /// Providers, their services, price counts and as-of ranges.
    List,
    /// Every price of an item (or of a service) across providers, regions and tiers.
    Show { item: String },
    /// Validate every table: units, duplicate keys, contiguous and non-rising tiers, as-of
    /// dates not in the future; warn on prices older than --max-age-days. Exits 1 on errors.
    Check {
        #[arg(long, default_value_t = 730)]
        max_age_days: i64,
        /// Print JSON.
        #[arg(long)]
        json: bool,
    },
}

/// Writes to stdout; a closed pipe (`headroom plan ... | head`) ends the run quietly
/// instead of panicking.
fn emit(text: &str) {
    use std::io::Write;
    let mut out = std::io::stdout().lock();
    if let Err(e) = out.write_all(text.as_bytes()).and_then(|()| out.flush())
        && e.kind() == std::io::ErrorKind::BrokenPipe
    {
        std::process::exit(EXIT_OK);
    }
}

/// [`emit`] with a newline.
fn emitln(text: &str) {
    emit(text);
    emit("\n");
}

fn to_json<T: serde::Serialize>(value: &T) -> Result<String, Error> {
    serde_json::to_string_pretty(value).map_err(|e| Error::Render(e.to_string()))
}

/// Monte Carlo flags of `headroom plan` (the scenario's `uncertainty` section names the inputs).
#[derive(Debug, clap::Args)]
struct Draws {
    /// Monte Carlo draws of the scenario's uncertain inputs (0: none; default: the scenario's
    /// `uncertainty.draws`, else none).
    #[arg(long, value_name = "N")]
    draws: Option<u64>,
    /// Seed of the draws (same seed, same results, whatever the thread count; default 1).
    #[arg(long, value_name = "S")]
    seed: Option<u64>,
    /// Provision every line at this percentile of its need over the draws (P90, P99.5).
    #[arg(long, value_name = "PERCENTILE")]
    plan_at: Option<String>,
    /// A missing unit-month costs this many times its price, for least-regret scoring (default 4).
    #[arg(long, value_name = "X")]
    under_provision_penalty: Option<f64>,
    /// The phase whose histogram and tornado the charts show (default: the last).
    #[arg(long, value_name = "PHASE")]
    detail_phase: Option<String>,
}

impl Draws {
    fn args(&self) -> commands::DrawArgs {
        use std::io::IsTerminal;
        commands::DrawArgs {
            draws: self.draws,
            seed: self.seed,
            plan_at: self.plan_at.clone(),
            under_provision_penalty: self.under_provision_penalty,
            detail_phase: self.detail_phase.clone(),
            progress: std::io::stderr().is_terminal(),
        }
    }
}

fn run(cli: Cli) -> Result<i32, Error> {
    match cli.command {
        Command::Plan(args) => plan(args),
        Command::Explain(args) => explain(&args),
        Command::Audit(args) => audit(&args),
        Command::Timeline(args) => timeline(&args),
        Command::Diff(args) => diff(&args),
        Command::Providers(args) => providers(&args),
        Command::Commit(args) => commit(&args),
        Command::Pricing { command, tables } => pricing(command, &tables),
        Command::Validate(args) => validate(&args),
        Command::Check(args) => check(&args),
        Command::Capacity(args) => capacity(&args),
        Command::Init(args) => {
            let file = commands::run_init(
                &args.name,
                &args.template,
                &args.dir,
                &args.pricing,
                args.force,
            )?;
            emitln(&format!(
                "wrote {} (template {}); plan it with: headroom plan {}",
                file.display(),
                args.template,
                file.display()
            ));
            Ok(EXIT_OK)
        }
        Command::Schema(args) => {
            emit(&commands::run_schema(&args.document, args.markdown)?);
            Ok(EXIT_OK)
        }
        Command::Queue(args) => queue(&args),
        Command::Calibrate(args) => calibrate(args),
        Command::Backtest(args) => backtest(&args),
    }
}

fn backtest(args: &BacktestArgs) -> Result<i32, Error> {
    if let Some(gen_args) = &args.generate_bill {
        let rows: usize = gen_args[0].parse().map_err(|_| {
            Error::Usage(format!(
                "--generate-bill: `{}` is not a row count",
                gen_args[0]
            ))
        })?;
        let month = args.month.as_deref().unwrap_or("2026-11");
        headroom::backtest::generate::write_bill(rows, month, Path::new(&gen_args[1]))?;
        emitln(&format!("wrote {} ({rows} rows)", gen_args[1]));
        return Ok(EXIT_OK);
    }
    let Some(scenario) = &args.scenario else {
        return Err(Error::Usage("the scenario is needed".into()));
    };
    let request = headroom::backtest::Request {
        bills: args.bill.clone(),
        users: args.users,
        month: args.month.clone(),
        tolerance: commands::parse_backtest_tolerance(&args.tolerance)?,
        mapping: args.mapping.clone(),
    };
    let (result, written) =
        commands::run_backtest(scenario, &request, &args.out, &args.overrides.parse()?)?;
    let text = render::backtest::text(&result);
    if args.quiet {
        emitln(text.lines().last().unwrap_or(""));
    } else {
        emit(&text);
        for path in &written {
            emitln(&format!("wrote {}", path.display()));
        }
    }
    Ok(if result.failed { EXIT_FAILED } else { EXIT_OK })
}

fn calibrate(args: CalibrateArgs) -> Result<i32, Error> {
    let source = match (args.prometheus, args.metrics) {
        (Some(url), _) => commands::CalibrateSource::Prometheus(url),
        (None, Some(file)) => commands::CalibrateSource::Metrics(file),
        (None, None) => return Err(Error::Usage("--prometheus or --metrics is required".into())),
    };
    let calibration = commands::run_calibrate(
        &args.scenario,
        &commands::CalibrateArgs {
            source,
            window: args.window,
            end: args.end,
            step: args.step,
            queries: args.queries,
            out: args.out,
            apply: args.apply,
        },
    )?;
    emit(&render::calibrate::render(
        &calibration.fit,
        &calibration.notes,
    ));
    for path in &calibration.written {
        emitln(&format!("wrote {}", path.display()));
    }
    Ok(EXIT_OK)
}

/// What a writing command prints: the tables (with their warnings) and one `wrote` line per
/// file; with `--quiet` only the warnings, on stderr (the tables are then never laid out).
fn report_run(
    quiet: bool,
    tables: impl FnOnce() -> String,
    warnings: &[String],
    written: &[PathBuf],
) {
    if quiet {
        for w in warnings {
            eprintln!("warning: {w}");
        }
        return;
    }
    emit(&tables());
    emitln("");
    for path in written {
        emitln(&format!("wrote {}", path.display()));
    }
}

fn plan(args: PlanArgs) -> Result<i32, Error> {
    let opts = RenderOptions {
        formats: Format::parse_list(&args.format)?,
        templates: args.templates,
        focus_start: args.focus_start,
        ..Default::default()
    };
    let (plan, written) = commands::run_plan(
        &args.scenario,
        &args.out,
        &args.overrides.parse()?,
        opts,
        &args.draws.args(),
    )?;
    report_run(
        args.quiet,
        || render::terminal::render(&plan),
        &plan.warnings,
        &written,
    );
    // The process ends next and the system takes its memory back at once; freeing the plan
    // value by value (every line's derivation strings) is ~1 ms of a 20 ms command.
    std::mem::forget(plan);
    Ok(EXIT_OK)
}

fn explain(args: &ExplainArgs) -> Result<i32, Error> {
    emit(&commands::run_explain(
        &args.scenario,
        &args.phase,
        &args.component,
        args.item.as_deref(),
        &args.overrides.parse()?,
    )?);
    Ok(EXIT_OK)
}

fn audit(args: &AuditArgs) -> Result<i32, Error> {
    let audit = commands::run_audit(&args.scenario, &args.overrides.parse()?)?;
    if args.json {
        emitln(&to_json(&audit.findings)?);
    } else {
        emit(&render::audit::text(&audit));
    }
    Ok(if args.strict && audit.wrong > 0 {
        EXIT_FAILED
    } else {
        EXIT_OK
    })
}

fn timeline(args: &TimelineArgs) -> Result<i32, Error> {
    let (timeline, written) = commands::run_timeline(
        &args.scenario,
        args.months,
        &args.out,
        &args.overrides.parse()?,
    )?;
    report_run(
        args.quiet,
        || render::timeline::text(&timeline),
        &timeline.warnings,
        &written,
    );
    Ok(EXIT_OK)
}

fn diff(args: &DiffArgs) -> Result<i32, Error> {
    let mut diff = commands::run_diff(
        &args.a,
        args.b.as_deref(),
        &parse_sets(&args.set_a)?,
        &parse_sets(&args.set_b)?,
    )?;
    if let Some(text) = &args.fail_above {
        commands::gate_diff(&mut diff, text, args.phase.as_deref())?;
    }
    if args.json {
        emitln(&to_json(&diff)?);
    } else if args.markdown {
        emit(&render::diff::markdown(&diff));
    } else {
        emit(&render::diff::text(&diff));
    }
    let Some(gate) = &diff.gate else {
        return Ok(EXIT_OK);
    };
    eprint!("{}", render::diff::gate_text(gate));
    Ok(if gate.failed { EXIT_FAILED } else { EXIT_OK })
}

fn providers(args: &ProvidersArgs) -> Result<i32, Error> {
    let comparison =
        commands::run_providers(&args.scenario, &args.providers, &args.overrides.parse()?)?;
    if args.json {
        emitln(&to_json(&comparison)?);
    } else if args.markdown {
        emit(&render::providers::markdown(&comparison));
    } else {
        emit(&render::providers::text(&comparison));
    }
    Ok(EXIT_OK)
}

fn commit(args: &CommitArgs) -> Result<i32, Error> {
    let commitments = commands::run_commit(
        &args.scenario,
        &args.term,
        args.draws,
        args.seed,
        &args.overrides.parse()?,
    )?;
    if args.format == "json" {
        emitln(&to_json(&commitments)?);
    } else {
        emit(&render::commitment::text(&commitments));
    }
    Ok(EXIT_OK)
}

fn pricing(command: PricingCommand, tables: &Path) -> Result<i32, Error> {
    match command {
        PricingCommand::List => emit(&render::pricing::list_text(&commands::run_pricing_list(
            tables,
        )?)),
        PricingCommand::Show { item } => emit(&render::pricing::prices_text(
            &commands::run_pricing_show(tables, &item)?,
        )),
        PricingCommand::Check { max_age_days, json } => {
            let report = commands::run_pricing_check(tables, max_age_days)?;
            if json {
                emitln(&to_json(&report)?);
            } else {
                emit(&render::pricing::check_text(&report));
            }
            eprintln!("{}", render::pricing::check_tally_text(&report));
            if commands::pricing_check_failed(&report) {
                return Ok(EXIT_FAILED);
            }
        }
    }
    Ok(EXIT_OK)
}

fn validate(args: &ValidateArgs) -> Result<i32, Error> {
    let v = commands::run_validate(&args.scenario, &args.overrides.parse()?)?;
    emitln(&format!(
        "ok: {} ({} phases, {} components, {} prices checked)",
        v.scenario, v.phases, v.components, v.prices
    ));
    Ok(EXIT_OK)
}

fn check(args: &CheckArgs) -> Result<i32, Error> {
    let fleet = commands::FleetArgs {
        fleet: args.fleet.fleet.clone(),
        phase: args.fleet.phase.clone(),
        users: args.users,
    };
    let c = commands::run_check(
        &args.scenario,
        &fleet,
        &args.tolerance,
        &args.overrides.parse()?,
    )?;
    if args.json {
        emitln(&to_json(&c)?);
    } else {
        emit(&render::check::text(&c));
    }
    Ok(if c.failed { EXIT_FAILED } else { EXIT_OK })
}

fn capacity(args: &CapacityArgs) -> Result<i32, Error> {
    let fleet = commands::FleetArgs {
        fleet: args.fleet.fleet.clone(),
        phase: args.fleet.phase.clone(),
        users: None,
    };
    let c = commands::run_capacity(&args.scenario, &fleet, &args.overrides.parse()?)?;
    if args.json {
        emitln(&to_json(&c)?);
    } else {
        emit(&render::capacity::text(&c));
    }
    Ok(EXIT_OK)
}

fn queue(args: &QueueArgs) -> Result<i32, Error> {
    let question = match args.servers {
        Some(c) => QueueQuestion::Servers(c),
        None if args.max_wait_probability.is_none() && args.max_mean_wait_s.is_none() => {
            return Err(Error::Usage(
                "give --servers C, or a target: --max-wait-probability P and/or --max-mean-wait-s W".into(),
            ));
        }
        None => QueueQuestion::Target(WaitTarget {
            max_p_wait: args.max_wait_probability,
            max_mean_wait_service_times: args.max_mean_wait_s.map(|w| w / args.service_time_s),
        }),
    };
    let answer = commands::run_queue(args.arrival_rate_per_s, args.service_time_s, question)?;
    if args.json {
        emitln(&to_json(&answer)?);
    } else {
        emit(&render::queue::text(&answer));
    }
    // An unstable queue fails the check: no number of seconds describes its wait.
    Ok(if answer.stable { EXIT_OK } else { EXIT_FAILED })
}

// Sizing allocates many short-lived small values (line items, region maps); mimalloc's
// thread-local pages serve them about 1.5x faster than glibc's malloc (Monte Carlo draws,
// `benches/monte_carlo.rs`).
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> ExitCode {
    let cli = Cli::parse();
    match run(cli) {
        Ok(code) => ExitCode::from(u8::try_from(code).unwrap_or(1)),
        Err(e) => {
            // Every message already carries its cause ("cannot read X: No such file").
            eprintln!("error: {e}");
            ExitCode::from(u8::try_from(e.exit_code()).unwrap_or(1))
        }
    }
}
