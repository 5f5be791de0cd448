//! Renderers: each turns a [`crate::plan::Plan`] into bytes; none re-derives a number.

pub mod audit;
pub mod costs_csv;
pub mod explain;
pub mod format;
pub mod json;
pub mod phase_tables;
pub mod summary_md;
pub mod table;
pub mod terminal;
