//! `headroom calibrate`: the workload model fitted to what a running system measured.
//!
//! Observed series ([`series::Observed`]: one value per timestamp and series) come from a
//! metrics CSV ([`metrics_csv`]) or Parquet file ([`metrics_parquet`]), one table
//! ([`metrics_table`]), or a Prometheus server's `query_range` API ([`prometheus`]);
//! [`fit`] turns them into workload figures, each with its provenance (the query or column, the
//! window, the statistic), pure maths with no I/O; [`factors`] holds the fitted figures
//! against the scenario's model (observed over modeled, raised but never lowered by a reading
//! at a limit); [`workload_ron`] writes them as a workload model whose every value says where
//! it came from, and [`scenario_ron`] the scenario with all of it applied and the observed
//! spread as `uncertainty.inputs` (`--apply`).

pub mod factors;
pub mod fit;
pub mod metrics_csv;
pub mod metrics_parquet;
pub mod metrics_table;
pub mod prometheus;
pub mod scenario_ron;
pub mod series;
pub mod workload_ron;
