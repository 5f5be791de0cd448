//! The observed series calibrate reads, by name, and where each came from.

use std::collections::BTreeMap;

/// Every series calibrate reads: (name, what it measures). The names are the metrics CSV's
/// columns and the keys of a `--queries` file.
pub const SERIES: &[(&str, &str)] = &[
    ("requests_per_s", "API requests per second"),
    ("daily_active_users", "users active in the last 24 hours"),
    ("db_reads_per_s", "database read queries per second"),
    ("db_writes_per_s", "database write statements per second"),
    ("cache_hits_per_s", "cache hits per second"),
    ("cache_misses_per_s", "cache misses per second"),
    ("response_bytes_per_s", "API response bytes sent per second"),
    (
        "cpu_seconds_per_s",
        "CPU seconds the API pods used per second",
    ),
    (
        "cpu_limit_seconds_per_s",
        "CPU seconds per second the API pods may use (their limit)",
    ),
    (
        "memory_bytes_per_pod",
        "resident memory of one API pod, bytes",
    ),
    (
        "memory_limit_bytes_per_pod",
        "memory one API pod may use (its limit), bytes",
    ),
    ("users", "registered users"),
];

/// One series: samples in time order and where they came from.
#[derive(Debug, Clone, PartialEq)]
pub struct Series {
    /// (unix seconds, value), ascending by time.
    pub samples: Vec<(f64, f64)>,
    /// Where it came from: a PromQL query, or a CSV file's column.
    pub source: String,
}

impl Series {
    /// The values, in time order.
    #[must_use]
    pub fn values(&self) -> Vec<f64> {
        self.samples.iter().map(|s| s.1).collect()
    }
}

/// Every series read, by name, and the window they cover.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Observed {
    pub series: BTreeMap<String, Series>,
    /// The window in words (`30d to 2026-12-07T00:00:00Z, step 60s`).
    pub window: String,
}
