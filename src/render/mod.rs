//! Renderers: each turns a [`crate::plan::Plan`] into bytes; none re-derives a number.

pub mod audit;
pub mod capacity;
pub mod charts;
pub mod check;
pub mod costs_csv;
pub mod diff;
pub mod explain;
pub mod files;
pub mod format;
pub mod json;
pub mod phase_tables;
pub mod pricing;
pub mod providers;
pub mod queue;
pub mod report;
pub mod report_uncertainty;
pub mod summary_md;
pub mod table;
pub mod templates;
pub mod terminal;
pub mod tfvars;
pub mod timeline;
pub mod timeline_chart;
pub mod uncertainty;
pub mod uncertainty_charts;
pub mod uncertainty_csv;
