//! headroom: capacity planning and cost modeling.
//!
//! The pipeline, one module per stage:
//!
//! ```text
//! input (scenario, growth, workload, pricing, catalog)
//!   -> demand -> sizing (one rule per component) -> costing -> plan
//!   -> render (json, csv, markdown, terminal, explain) -> output (safe writes)
//! ```
//!
//! Only `render` touches polars; model, sizing and costing code is pure and does no I/O.

pub mod audit;
pub mod catalog;
pub mod commands;
pub mod costing;
pub mod demand;
pub mod diff;
pub mod error;
pub mod input;
pub mod output;
pub mod plan;
pub mod pricing;
pub mod providers;
pub mod queueing;
pub mod render;
pub mod robustness;
pub mod selection;
pub mod sizing;
pub mod timeline;
pub mod trace;
pub mod uncertainty;
pub mod units;

pub use error::{Error, InputError};
pub use plan::Plan;
