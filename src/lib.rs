//! headroom: capacity planning and cost modeling.
//!
//! The pipeline, one module per stage:
//!
//! ```text
//! input (scenario, growth, workload, pricing, catalog)
//!   -> demand -> sizing (one rule per component) -> costing -> plan
//!   -> analyses (uncertainty, audit, timeline, diff, providers)
//!   -> render (json, csv, markdown, terminal, explain, charts, tfvars, report) -> output (writes)
//! ```
//!
//! # Layers
//!
//! A module imports only from its own layer's unit or from the layers below it; units of one
//! layer do not import each other. `tests/layers.rs` reads every `crate::` and `super::` path
//! under `src/` and fails on an import that goes up (its `LAYERS` table is this list):
//!
//! ```text
//!  1 foundation   units, error, trace, queueing      (no crate imports)
//!  2 tables       catalog, pricing
//!  3 input        input (scenario, models, overrides, the uncertainty spec and AUTO keyword)
//!  4 demand       demand
//!  5 sizing       sizing
//!  6 costing      costing (bills, discounts, who gave a price)
//!  7 selection    selection (instance: "auto": sizes and prices every shape)
//!  8 plan data    uncertainty::summary (the Monte Carlo section a plan carries)
//!  9 plan         plan
//!    fleets       fleet (what runs: inventory CSV, tfvars, Terraform plan JSON)
//! 10 analyses     uncertainty, audit, timeline, diff, check, capacity, calibrate, backtest
//!                 (read built plans; calibrate: observed series; backtest: bills)
//! 11 comparisons  providers                            (compares plans already built)
//! 12 writer       output (safe names, atomic writes; knows no format)
//! 13 render       format, table < templates, charts < one output each (json, costs_csv,
//!                 phase_tables, explain, audit, diff, timeline, timeline_chart, uncertainty,
//!                 tfvars, uncertainty_csv, pricing, queue) < views on them (providers,
//!                 uncertainty_charts) < composites (summary_md, terminal, report_uncertainty)
//!                 < report < files (every file headroom writes)
//! 14 app          commands (load -> plan -> analyses -> render -> write), fuzzing
//!    binary       main.rs: parses arguments, calls commands, prints through renderers
//! ```
//!
//! Only `render` touches plotters and minijinja, and polars only `render` and the bill reader
//! (`backtest::bill`, with its benchmark generator); model, sizing and costing code is pure
//! and does no I/O.

pub mod audit;
pub mod backtest;
pub mod calibrate;
pub mod capacity;
pub mod catalog;
pub mod check;
pub mod commands;
pub mod commitment;
pub mod costing;
pub mod demand;
pub mod diff;
pub mod error;
pub mod fleet;
pub mod fuzzing;
pub mod input;
pub mod output;
pub mod plan;
pub mod pricing;
pub mod providers;
pub mod queueing;
pub mod render;
pub mod selection;
pub mod sizing;
pub mod timeline;
pub mod trace;
pub mod uncertainty;
pub mod units;

pub use error::{Error, InputError};
pub use plan::Plan;
