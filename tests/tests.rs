//! The one integration-test binary (every test binary links polars; one keeps links few).

mod bad_input;
mod bounds;
mod calibrate;
mod categories;
mod cli;
mod commit;
mod commit_policy;
mod focus;
mod golden;
mod hardening;
mod infra;
mod layers;
mod like_for_like;
mod monte_carlo_cli;
mod network_lines;
mod outputs_owned;
mod properties;
mod regions;
mod renderers;
mod resource_sizing;
mod risks;
mod support;
mod telling;
mod uncertainty_outputs;
mod writing;
