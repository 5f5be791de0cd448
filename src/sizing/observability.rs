//! Observability: application logs (ingested and kept) and metric series of the app tier.
//!
//! - Logs: the component's share of the phase's log bytes is ingested each month
//!   (`log-ingest`, per GB) and the retention window's logs are stored (`log-storage`, per
//!   GB-month). Stored GB are the bytes as written: CloudWatch bills storage compressed, so
//!   this is an upper bound.
//! - Metric series: `metric_series_per_node x nodes` custom series (`metric-series`). No
//!   published custom-metric price is in the tables (no source available to this project
//!   lists CloudWatch's custom-metric tiers), so the count is shown but not billed, and the
//!   plan warns.
//!
//! Each line only where its input is set: `log_bytes_per_request: 0`,
//! `log_retention_days: 0` and `metric_series_per_node: 0` bill none.

use crate::demand::Demand;
use crate::sizing::{Measure, PriceKey, RegionLine};
use crate::trace::Trace;
use crate::units::ceil_count;

/// Pricing service of log ingest and storage (items `ingest`, `storage`).
pub const LOGS_SERVICE: &str = "cloudwatch-logs";

/// What the unpriced metric-series line counts.
pub const METRIC_SERIES_UNIT: &str = "series (unpriced: no published custom-metric price)";

/// Log ingest and storage lines for a component serving `rps_share` of the requests,
/// appended to the rule's `lines` (no vector of its own: draws size every region of every
/// phase).
pub fn logs(
    d: &Demand,
    rps_share: f64,
    price_region: &str,
    t: &mut Trace,
    lines: &mut Vec<RegionLine>,
) {
    if d.log_gb_per_month > 0.0 {
        let gb = t.count(
            "log_ingest_gb",
            "ceil(log_gb_per_month x rps_share)",
            &[
                ("log_gb_per_month", d.log_gb_per_month, "GB/month"),
                ("rps_share", rps_share, "fraction"),
            ],
            ceil_count(d.log_gb_per_month * rps_share),
            "GB",
        );
        lines.push(
            RegionLine::billed(
                "log-ingest",
                gb,
                Measure::Gb,
                PriceKey::new(LOGS_SERVICE, "ingest", price_region),
            )
            .from_step("log_ingest_gb"),
        );
    }
    if d.log_stored_gb > 0.0 {
        let gb = t.count(
            "log_stored_gb_share",
            "ceil(log_stored_gb x rps_share)",
            &[
                ("log_stored_gb", d.log_stored_gb, "GB"),
                ("rps_share", rps_share, "fraction"),
            ],
            ceil_count(d.log_stored_gb * rps_share),
            "GB",
        );
        lines.push(
            RegionLine::billed(
                "log-storage",
                gb,
                Measure::Gb,
                PriceKey::new(LOGS_SERVICE, "storage", price_region),
            )
            .from_step("log_stored_gb_share"),
        );
    }
}

/// The metric series of `nodes` nodes, counted but not billed; `None` without series.
#[must_use]
pub fn metric_series(nodes: u64, series_per_node: f64, t: &mut Trace) -> Option<RegionLine> {
    if series_per_node <= 0.0 {
        return None;
    }
    let series = t.count(
        "metric_series",
        "ceil(nodes x metric_series_per_node)",
        &[
            ("nodes", nodes as f64, "nodes"),
            ("metric_series_per_node", series_per_node, "series"),
        ],
        ceil_count(nodes as f64 * series_per_node),
        "series",
    );
    Some(RegionLine::info("metric-series", series, METRIC_SERIES_UNIT).from_step("metric_series"))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The log lines of one call.
    fn log_lines(d: &Demand, rps_share: f64, price_region: &str) -> Vec<RegionLine> {
        let mut lines = Vec::new();
        logs(d, rps_share, price_region, &mut Trace::new(), &mut lines);
        lines
    }

    #[test]
    fn log_ingest_and_storage_follow_the_share() {
        let d = Demand {
            log_gb_per_month: 1_314.0,
            log_stored_gb: 3_153.6,
            ..Demand::default()
        };
        let lines = log_lines(&d, 0.5, "eu-west-1");
        // ingest: ceil(1,314 x 0.5) = 657 GB; stored: ceil(3,153.6 x 0.5) = ceil(1,576.8) = 1,577 GB
        assert_eq!(lines[0].item, "log-ingest");
        assert_eq!(lines[0].count, 657);
        assert_eq!(lines[1].item, "log-storage");
        assert_eq!(lines[1].count, 1_577);
        let key = lines[1].price.as_ref().unwrap();
        assert_eq!(
            (key.service.as_str(), key.item.as_str(), key.region.as_str()),
            ("cloudwatch-logs", "storage", "eu-west-1")
        );
    }

    #[test]
    fn zero_inputs_bill_no_logs_or_series() {
        let ingest_only = Demand {
            log_gb_per_month: 10.0,
            ..Demand::default()
        };
        let lines = log_lines(&ingest_only, 1.0, "us-east-1");
        assert_eq!(lines.len(), 1);
        assert!(log_lines(&Demand::default(), 1.0, "us-east-1").is_empty());
        assert!(metric_series(40, 0.0, &mut Trace::new()).is_none());
    }

    #[test]
    fn metric_series_are_counted_not_billed() {
        // 40 nodes x 150 series = 6,000
        let line = metric_series(40, 150.0, &mut Trace::new()).unwrap();
        assert_eq!(line.count, 6_000);
        assert!(line.price.is_none());
    }
}
