//! The `headroom` command line: parses arguments, calls the library, maps errors to exit codes
//! (0 ok, 1 failed check or write, 2 bad input).

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand};
use headroom::commands::{self, QueueQuestion};
use headroom::error::Error;
use headroom::queueing::WaitTarget;

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

#[derive(Subcommand)]
enum Command {
    /// Size and price every component for every phase; write plan.json, costs.csv, summary.md.
    Plan {
        /// The scenario file (scenarios/<name>.ron).
        scenario: PathBuf,
        /// Output folder; files go to DIR/<scenario-name>/.
        #[arg(long, default_value = "output")]
        out: PathBuf,
        /// Do not print the tables.
        #[arg(long, short)]
        quiet: bool,
    },
    /// Show the derivation of a component's lines in one phase.
    Explain {
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
    },
    /// Check a design doc's claims (and the plan's limits); --strict exits 1 when one is wrong.
    Audit {
        scenario: PathBuf,
        /// Print the findings as JSON.
        #[arg(long)]
        json: bool,
        /// Exit 1 when any finding is wrong.
        #[arg(long)]
        strict: bool,
    },
    /// Check a scenario and everything it references, without writing anything.
    Validate { scenario: PathBuf },
    /// M/M/c (Erlang C) calculator: P(wait), mean wait, smallest c meeting a target.
    Queue {
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
    },
}

fn run(cli: Cli) -> Result<i32, Error> {
    match cli.command {
        Command::Audit {
            scenario,
            json,
            strict,
        } => {
            let audit = commands::run_audit(&scenario)?;
            if json {
                let text = serde_json::to_string_pretty(&audit.findings)
                    .map_err(|e| Error::Render(e.to_string()))?;
                println!("{text}");
            } else {
                print!("{}", headroom::render::audit::text(&audit));
            }
            if strict && audit.wrong > 0 {
                return Ok(headroom::error::EXIT_FAILED);
            }
        }
        Command::Plan {
            scenario,
            out,
            quiet,
        } => {
            let (plan, written) = commands::run_plan(&scenario, &out)?;
            if !quiet {
                print!("{}", headroom::render::terminal::render(&plan));
                println!();
            }
            for path in written {
                println!("wrote {}", path.display());
            }
        }
        Command::Explain {
            scenario,
            phase,
            component,
            item,
        } => {
            print!(
                "{}",
                commands::run_explain(&scenario, &phase, &component, item.as_deref())?
            );
        }
        Command::Validate { scenario } => {
            let v = commands::run_validate(&scenario)?;
            println!(
                "ok: {} ({} phases, {} components, {} prices checked)",
                v.scenario, v.phases, v.components, v.prices
            );
        }
        Command::Queue {
            arrival_rate_per_s,
            service_time_s,
            servers,
            max_wait_probability,
            max_mean_wait_s,
            json,
        } => {
            let question = match servers {
                Some(c) => QueueQuestion::Servers(c),
                None if max_wait_probability.is_none() && max_mean_wait_s.is_none() => {
                    return Err(Error::Usage(
                        "give --servers C, or a target: --max-wait-probability P and/or --max-mean-wait-s W".into(),
                    ));
                }
                None => QueueQuestion::Target(WaitTarget {
                    max_p_wait: max_wait_probability,
                    max_mean_wait_service_times: max_mean_wait_s.map(|w| w / service_time_s),
                }),
            };
            let answer = commands::run_queue(arrival_rate_per_s, service_time_s, question)?;
            if json {
                let text = serde_json::to_string_pretty(&answer)
                    .map_err(|e| Error::Render(e.to_string()))?;
                println!("{text}");
            } else {
                println!(
                    "servers (c)         {} ({})",
                    answer.servers, answer.servers_chosen_by
                );
                println!(
                    "offered load (A)    {:.6} Erlangs",
                    answer.offered_load_erlangs
                );
                println!("utilisation (A/c)   {:.6}", answer.utilization);
                println!("P(wait) (Erlang C)  {:.6}", answer.p_wait);
                println!("mean wait           {:.6} s", answer.mean_wait_s);
            }
        }
    }
    Ok(headroom::error::EXIT_OK)
}

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
