//! Demand: what a phase's users ask of the system, derived from the workload model.
//!
//! Every figure is linear in users, so a region's demand is the phase's demand times the
//! region's user share ([`Demand::scaled`]). Rates are peak rates unless named `avg`.

use serde::Serialize;

use crate::input::{SessionBasis, Workload};
use crate::trace::Trace;
use crate::units::{BYTES_PER_GB, SECONDS_PER_DAY, days_per_month, seconds_per_month};

/// A phase's (or a region's share of a phase's) demand.
#[derive(Debug, Clone, Copy, PartialEq, Default, Serialize)]
pub struct Demand {
    /// Registered users.
    pub users: f64,
    /// Monthly active users.
    pub mau: f64,
    /// Daily active users.
    pub dau: f64,
    /// Peak concurrent users.
    pub peak_concurrent_users: f64,
    /// Day-average API requests/s.
    pub avg_rps: f64,
    /// Peak API requests/s.
    pub peak_rps: f64,
    /// Peak read requests/s.
    pub peak_read_rps: f64,
    /// Peak write requests/s.
    pub peak_write_rps: f64,
    /// Peak database read queries/s reaching the database (after the cache).
    pub db_read_qps: f64,
    /// Peak database write queries/s.
    pub db_write_qps: f64,
    /// Peak database queries/s.
    pub db_qps: f64,
    /// Peak cache operations/s.
    pub cache_ops_per_s: f64,
    /// Database bytes stored.
    pub db_bytes: f64,
    /// Live sessions.
    pub sessions: f64,
    /// Raw session bytes (before memory overhead).
    pub session_memory_bytes: f64,
    /// Hot cache working set, bytes.
    pub cache_working_set_bytes: f64,
    /// Day-average events/s.
    pub events_per_s_avg: f64,
    /// Peak events/s.
    pub events_per_s_peak: f64,
    /// Peak event ingress, bytes/s.
    pub event_ingress_bytes_per_s_peak: f64,
    /// Event bytes retained (one copy).
    pub event_retained_bytes: f64,
    /// CDN edge egress, GB/month.
    pub cdn_egress_gb_per_month: f64,
    /// CDN origin fetches, GB/month.
    pub cdn_origin_gb_per_month: f64,
    /// CDN requests/month.
    pub cdn_requests_per_month: f64,
    /// Object-storage bytes (one copy).
    pub object_storage_bytes: f64,
    /// Bytes per month to replicate to each other region.
    pub replicated_bytes_per_month: f64,
    /// API response bytes sent to the internet, GB/month.
    pub api_egress_gb_per_month: f64,
    /// API requests in a month (at the day-average rate).
    pub requests_per_month: f64,
    /// Database read queries in a month (those reaching the database, after the cache).
    pub db_reads_per_month: f64,
    /// Database write queries in a month.
    pub db_writes_per_month: f64,
    /// Bytes written to the database in a month (what its replicas receive).
    pub db_write_bytes_per_month: f64,
    /// Cache operations in a month.
    pub cache_ops_per_month: f64,
    /// Event bytes produced in a month (one copy).
    pub event_bytes_per_month: f64,
    /// CDN requests the edge does not serve from cache (each a read of the origin), per month.
    pub cdn_miss_requests_per_month: f64,
    /// Application log bytes written, GB/month.
    pub log_gb_per_month: f64,
    /// Application log bytes kept (the retention window's logs), GB.
    pub log_stored_gb: f64,
}

impl Demand {
    /// This demand times `share` (a region's part).
    #[must_use]
    pub fn scaled(&self, share: f64) -> Demand {
        Demand {
            users: self.users * share,
            mau: self.mau * share,
            dau: self.dau * share,
            peak_concurrent_users: self.peak_concurrent_users * share,
            avg_rps: self.avg_rps * share,
            peak_rps: self.peak_rps * share,
            peak_read_rps: self.peak_read_rps * share,
            peak_write_rps: self.peak_write_rps * share,
            db_read_qps: self.db_read_qps * share,
            db_write_qps: self.db_write_qps * share,
            db_qps: self.db_qps * share,
            cache_ops_per_s: self.cache_ops_per_s * share,
            db_bytes: self.db_bytes * share,
            sessions: self.sessions * share,
            session_memory_bytes: self.session_memory_bytes * share,
            cache_working_set_bytes: self.cache_working_set_bytes * share,
            events_per_s_avg: self.events_per_s_avg * share,
            events_per_s_peak: self.events_per_s_peak * share,
            event_ingress_bytes_per_s_peak: self.event_ingress_bytes_per_s_peak * share,
            event_retained_bytes: self.event_retained_bytes * share,
            cdn_egress_gb_per_month: self.cdn_egress_gb_per_month * share,
            cdn_origin_gb_per_month: self.cdn_origin_gb_per_month * share,
            cdn_requests_per_month: self.cdn_requests_per_month * share,
            object_storage_bytes: self.object_storage_bytes * share,
            replicated_bytes_per_month: self.replicated_bytes_per_month * share,
            api_egress_gb_per_month: self.api_egress_gb_per_month * share,
            requests_per_month: self.requests_per_month * share,
            db_reads_per_month: self.db_reads_per_month * share,
            db_writes_per_month: self.db_writes_per_month * share,
            db_write_bytes_per_month: self.db_write_bytes_per_month * share,
            cache_ops_per_month: self.cache_ops_per_month * share,
            event_bytes_per_month: self.event_bytes_per_month * share,
            cdn_miss_requests_per_month: self.cdn_miss_requests_per_month * share,
            log_gb_per_month: self.log_gb_per_month * share,
            log_stored_gb: self.log_stored_gb * share,
        }
    }
}

/// Derives a phase's demand for `users` registered users, recording each step.
#[must_use]
pub fn derive(w: &Workload, users: f64, hours_per_month: f64) -> (Demand, Trace) {
    derive_into(w, users, hours_per_month, Trace::new())
}

/// Derives demand into `t` (a disabled trace for Monte Carlo draws).
#[must_use]
#[expect(
    clippy::too_many_lines,
    reason = "one traced step per demand figure, in order"
)]
pub fn derive_into(
    w: &Workload,
    users: f64,
    hours_per_month: f64,
    mut t: Trace,
) -> (Demand, Trace) {
    let days = days_per_month(hours_per_month);
    let mau = t.step(
        "mau",
        "users x mau_ratio",
        &[
            ("users", users, "users"),
            ("mau_ratio", w.mau_ratio, "fraction"),
        ],
        users * w.mau_ratio,
        "users",
    );
    let dau = t.step(
        "dau",
        "mau x dau_ratio",
        &[
            ("mau", mau, "users"),
            ("dau_ratio", w.dau_ratio, "fraction"),
        ],
        mau * w.dau_ratio,
        "users",
    );
    let peak_concurrent_users = t.step(
        "peak_concurrent_users",
        "dau x peak_concurrency_ratio",
        &[
            ("dau", dau, "users"),
            (
                "peak_concurrency_ratio",
                w.peak_concurrency_ratio,
                "fraction",
            ),
        ],
        dau * w.peak_concurrency_ratio,
        "users",
    );
    let avg_rps = t.step(
        "avg_rps",
        "dau x requests_per_dau_per_day / 86,400 s",
        &[
            ("dau", dau, "users"),
            (
                "requests_per_dau_per_day",
                w.requests_per_dau_per_day,
                "requests/day",
            ),
        ],
        dau * w.requests_per_dau_per_day / SECONDS_PER_DAY,
        "requests/s",
    );
    let peak_rps = t.step(
        "peak_rps",
        "avg_rps x peak_to_average",
        &[
            ("avg_rps", avg_rps, "requests/s"),
            ("peak_to_average", w.peak_to_average, "ratio"),
        ],
        avg_rps * w.peak_to_average,
        "requests/s",
    );
    let peak_read_rps = t.step(
        "peak_read_rps",
        "peak_rps x read_fraction",
        &[
            ("peak_rps", peak_rps, "requests/s"),
            ("read_fraction", w.read_fraction, "fraction"),
        ],
        peak_rps * w.read_fraction,
        "requests/s",
    );
    let peak_write_rps = t.step(
        "peak_write_rps",
        "peak_rps x (1 - read_fraction)",
        &[
            ("peak_rps", peak_rps, "requests/s"),
            ("read_fraction", w.read_fraction, "fraction"),
        ],
        peak_rps * (1.0 - w.read_fraction),
        "requests/s",
    );
    let db_read_qps = t.step(
        "db_read_qps",
        "peak_read_rps x db_reads_per_read_request x (1 - cache_hit_ratio)",
        &[
            ("peak_read_rps", peak_read_rps, "requests/s"),
            (
                "db_reads_per_read_request",
                w.db_reads_per_read_request,
                "queries/request",
            ),
            ("cache_hit_ratio", w.cache_hit_ratio, "fraction"),
        ],
        peak_read_rps * w.db_reads_per_read_request * (1.0 - w.cache_hit_ratio),
        "queries/s",
    );
    let db_write_qps = t.step(
        "db_write_qps",
        "peak_write_rps x db_writes_per_write_request",
        &[
            ("peak_write_rps", peak_write_rps, "requests/s"),
            (
                "db_writes_per_write_request",
                w.db_writes_per_write_request,
                "queries/request",
            ),
        ],
        peak_write_rps * w.db_writes_per_write_request,
        "queries/s",
    );
    let db_qps = t.step(
        "db_qps",
        "db_read_qps + db_write_qps",
        &[
            ("db_read_qps", db_read_qps, "queries/s"),
            ("db_write_qps", db_write_qps, "queries/s"),
        ],
        db_read_qps + db_write_qps,
        "queries/s",
    );
    let cache_ops_per_s = t.step(
        "cache_ops_per_s",
        "peak_rps x cache_ops_per_request",
        &[
            ("peak_rps", peak_rps, "requests/s"),
            (
                "cache_ops_per_request",
                w.cache_ops_per_request,
                "ops/request",
            ),
        ],
        peak_rps * w.cache_ops_per_request,
        "ops/s",
    );
    let db_bytes = t.step(
        "db_bytes",
        "users x db_bytes_per_user",
        &[
            ("users", users, "users"),
            ("db_bytes_per_user", w.db_bytes_per_user, "B"),
        ],
        users * w.db_bytes_per_user,
        "B",
    );
    let (basis_name, basis_users) = match w.session_basis {
        SessionBasis::Dau => ("dau", dau),
        SessionBasis::Mau => ("mau", mau),
        SessionBasis::PeakConcurrent => ("peak_concurrent_users", peak_concurrent_users),
    };
    let sessions = t.step(
        "sessions",
        &t.text(|| format!("{basis_name} x sessions_per_active_user")),
        &[
            (basis_name, basis_users, "users"),
            (
                "sessions_per_active_user",
                w.sessions_per_active_user,
                "sessions/user",
            ),
        ],
        basis_users * w.sessions_per_active_user,
        "sessions",
    );
    let session_memory_bytes = t.step(
        "session_memory_bytes",
        "sessions x session_bytes",
        &[
            ("sessions", sessions, "sessions"),
            ("session_bytes", w.session_bytes, "B"),
        ],
        sessions * w.session_bytes,
        "B",
    );
    let cache_working_set_bytes = t.step(
        "cache_working_set_bytes",
        "dau x cache_bytes_per_dau",
        &[
            ("dau", dau, "users"),
            ("cache_bytes_per_dau", w.cache_bytes_per_dau, "B"),
        ],
        dau * w.cache_bytes_per_dau,
        "B",
    );
    let events_per_s_avg = t.step(
        "events_per_s_avg",
        "dau x events_per_dau_per_day / 86,400 s",
        &[
            ("dau", dau, "users"),
            (
                "events_per_dau_per_day",
                w.events_per_dau_per_day,
                "events/day",
            ),
        ],
        dau * w.events_per_dau_per_day / SECONDS_PER_DAY,
        "events/s",
    );
    let events_per_s_peak = t.step(
        "events_per_s_peak",
        "events_per_s_avg x peak_to_average",
        &[
            ("events_per_s_avg", events_per_s_avg, "events/s"),
            ("peak_to_average", w.peak_to_average, "ratio"),
        ],
        events_per_s_avg * w.peak_to_average,
        "events/s",
    );
    let event_ingress_bytes_per_s_peak = t.step(
        "event_ingress_bytes_per_s_peak",
        "events_per_s_peak x event_bytes",
        &[
            ("events_per_s_peak", events_per_s_peak, "events/s"),
            ("event_bytes", w.event_bytes, "B"),
        ],
        events_per_s_peak * w.event_bytes,
        "B/s",
    );
    let event_retained_bytes = t.step(
        "event_retained_bytes",
        "events_per_s_avg x 86,400 s x event_bytes x event_retention_days",
        &[
            ("events_per_s_avg", events_per_s_avg, "events/s"),
            ("event_bytes", w.event_bytes, "B"),
            ("event_retention_days", w.event_retention_days, "days"),
        ],
        events_per_s_avg * SECONDS_PER_DAY * w.event_bytes * w.event_retention_days,
        "B",
    );
    let cdn_egress_gb_per_month = t.step(
        "cdn_egress_gb_per_month",
        "dau x cdn_egress_bytes_per_dau_per_day x days_per_month / 1e9",
        &[
            ("dau", dau, "users"),
            (
                "cdn_egress_bytes_per_dau_per_day",
                w.cdn_egress_bytes_per_dau_per_day,
                "B/day",
            ),
            ("days_per_month", days, "days"),
        ],
        dau * w.cdn_egress_bytes_per_dau_per_day * days / BYTES_PER_GB,
        "GB/month",
    );
    let cdn_origin_gb_per_month = t.step(
        "cdn_origin_gb_per_month",
        "cdn_egress_gb_per_month x (1 - cdn_byte_hit_ratio)",
        &[
            (
                "cdn_egress_gb_per_month",
                cdn_egress_gb_per_month,
                "GB/month",
            ),
            ("cdn_byte_hit_ratio", w.cdn_byte_hit_ratio, "fraction"),
        ],
        cdn_egress_gb_per_month * (1.0 - w.cdn_byte_hit_ratio),
        "GB/month",
    );
    let cdn_requests_per_month = t.step(
        "cdn_requests_per_month",
        "dau x cdn_requests_per_dau_per_day x days_per_month",
        &[
            ("dau", dau, "users"),
            (
                "cdn_requests_per_dau_per_day",
                w.cdn_requests_per_dau_per_day,
                "requests/day",
            ),
            ("days_per_month", days, "days"),
        ],
        dau * w.cdn_requests_per_dau_per_day * days,
        "requests/month",
    );
    // Misses are counted at the byte hit ratio: the share of requests the origin serves.
    let cdn_miss_requests_per_month = t.step(
        "cdn_miss_requests_per_month",
        "cdn_requests_per_month x (1 - cdn_byte_hit_ratio)",
        &[
            (
                "cdn_requests_per_month",
                cdn_requests_per_month,
                "requests/month",
            ),
            ("cdn_byte_hit_ratio", w.cdn_byte_hit_ratio, "fraction"),
        ],
        cdn_requests_per_month * (1.0 - w.cdn_byte_hit_ratio),
        "requests/month",
    );
    let object_storage_bytes = t.step(
        "object_storage_bytes",
        "users x object_bytes_per_user",
        &[
            ("users", users, "users"),
            ("object_bytes_per_user", w.object_bytes_per_user, "B"),
        ],
        users * w.object_bytes_per_user,
        "B",
    );
    let avg_db_write_qps = db_write_qps / w.peak_to_average;
    let secs = seconds_per_month(hours_per_month);
    let replicated_bytes_per_month = t.step(
        "replicated_bytes_per_month",
        "(db_write_qps / peak_to_average x bytes_per_db_write + events_per_s_avg x event_bytes) \
         x seconds_per_month x cross_region_replication_share",
        &[
            ("db_write_qps", db_write_qps, "queries/s"),
            ("peak_to_average", w.peak_to_average, "ratio"),
            ("bytes_per_db_write", w.bytes_per_db_write, "B"),
            ("events_per_s_avg", events_per_s_avg, "events/s"),
            ("event_bytes", w.event_bytes, "B"),
            ("seconds_per_month", secs, "s"),
            (
                "cross_region_replication_share",
                w.cross_region_replication_share,
                "fraction",
            ),
        ],
        (avg_db_write_qps * w.bytes_per_db_write + events_per_s_avg * w.event_bytes)
            * secs
            * w.cross_region_replication_share,
        "B/month",
    );
    let api_egress_gb_per_month = t.step(
        "api_egress_gb_per_month",
        "avg_rps x api_response_bytes x seconds_per_month / 1e9",
        &[
            ("avg_rps", avg_rps, "requests/s"),
            ("api_response_bytes", w.api_response_bytes, "B"),
            ("seconds_per_month", secs, "s"),
        ],
        avg_rps * w.api_response_bytes * secs / BYTES_PER_GB,
        "GB/month",
    );
    // Monthly volumes at the day-average rate: what per-GB and per-request prices bill
    // (cross-AZ transfer, NAT processing), peaks being priced by the hour elsewhere.
    let requests_per_month = t.step(
        "requests_per_month",
        "avg_rps x seconds_per_month",
        &[
            ("avg_rps", avg_rps, "requests/s"),
            ("seconds_per_month", secs, "s"),
        ],
        avg_rps * secs,
        "requests/month",
    );
    let db_reads_per_month = t.step(
        "db_reads_per_month",
        "db_read_qps / peak_to_average x seconds_per_month",
        &[
            ("db_read_qps", db_read_qps, "queries/s"),
            ("peak_to_average", w.peak_to_average, "ratio"),
            ("seconds_per_month", secs, "s"),
        ],
        db_read_qps / w.peak_to_average * secs,
        "queries/month",
    );
    let db_writes_per_month = t.step(
        "db_writes_per_month",
        "db_write_qps / peak_to_average x seconds_per_month",
        &[
            ("db_write_qps", db_write_qps, "queries/s"),
            ("peak_to_average", w.peak_to_average, "ratio"),
            ("seconds_per_month", secs, "s"),
        ],
        avg_db_write_qps * secs,
        "queries/month",
    );
    let db_write_bytes_per_month = t.step(
        "db_write_bytes_per_month",
        "db_writes_per_month x bytes_per_db_write",
        &[
            ("db_writes_per_month", db_writes_per_month, "queries/month"),
            ("bytes_per_db_write", w.bytes_per_db_write, "B"),
        ],
        db_writes_per_month * w.bytes_per_db_write,
        "B/month",
    );
    let cache_ops_per_month = t.step(
        "cache_ops_per_month",
        "cache_ops_per_s / peak_to_average x seconds_per_month",
        &[
            ("cache_ops_per_s", cache_ops_per_s, "ops/s"),
            ("peak_to_average", w.peak_to_average, "ratio"),
            ("seconds_per_month", secs, "s"),
        ],
        cache_ops_per_s / w.peak_to_average * secs,
        "ops/month",
    );
    let event_bytes_per_month = t.step(
        "event_bytes_per_month",
        "events_per_s_avg x event_bytes x seconds_per_month",
        &[
            ("events_per_s_avg", events_per_s_avg, "events/s"),
            ("event_bytes", w.event_bytes, "B"),
            ("seconds_per_month", secs, "s"),
        ],
        events_per_s_avg * w.event_bytes * secs,
        "B/month",
    );
    let log_gb_per_month = t.step(
        "log_gb_per_month",
        "avg_rps x log_bytes_per_request x seconds_per_month / 1e9",
        &[
            ("avg_rps", avg_rps, "requests/s"),
            ("log_bytes_per_request", w.log_bytes_per_request, "B"),
            ("seconds_per_month", secs, "s"),
        ],
        avg_rps * w.log_bytes_per_request * secs / BYTES_PER_GB,
        "GB/month",
    );
    let log_stored_gb = t.step(
        "log_stored_gb",
        "log_gb_per_month x log_retention_days / days_per_month",
        &[
            ("log_gb_per_month", log_gb_per_month, "GB/month"),
            ("log_retention_days", w.log_retention_days, "days"),
            ("days_per_month", days, "days"),
        ],
        log_gb_per_month * w.log_retention_days / days,
        "GB",
    );
    let demand = Demand {
        users,
        mau,
        dau,
        peak_concurrent_users,
        avg_rps,
        peak_rps,
        peak_read_rps,
        peak_write_rps,
        db_read_qps,
        db_write_qps,
        db_qps,
        cache_ops_per_s,
        db_bytes,
        sessions,
        session_memory_bytes,
        cache_working_set_bytes,
        events_per_s_avg,
        events_per_s_peak,
        event_ingress_bytes_per_s_peak,
        event_retained_bytes,
        cdn_egress_gb_per_month,
        cdn_origin_gb_per_month,
        cdn_requests_per_month,
        object_storage_bytes,
        replicated_bytes_per_month,
        api_egress_gb_per_month,
        requests_per_month,
        db_reads_per_month,
        db_writes_per_month,
        db_write_bytes_per_month,
        cache_ops_per_month,
        event_bytes_per_month,
        cdn_miss_requests_per_month,
        log_gb_per_month,
        log_stored_gb,
    };
    (demand, t)
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    /// A workload with round numbers for hand arithmetic.
    pub(crate) fn round_workload() -> Workload {
        Workload {
            mau_ratio: 0.5,
            dau_ratio: 0.2,
            peak_concurrency_ratio: 0.1,
            requests_per_dau_per_day: 864.0,
            peak_to_average: 3.0,
            read_fraction: 0.9,
            db_reads_per_read_request: 2.0,
            db_writes_per_write_request: 1.0,
            bytes_per_db_write: 1_000.0,
            cache_hit_ratio: 0.75,
            cache_ops_per_request: 4.0,
            db_bytes_per_user: 10_000.0,
            session_bytes: 2_000.0,
            sessions_per_active_user: 1.5,
            session_basis: SessionBasis::Dau,
            cache_bytes_per_dau: 5_000.0,
            events_per_dau_per_day: 86.4,
            event_bytes: 500.0,
            event_retention_days: 7.0,
            cdn_egress_bytes_per_dau_per_day: 1e7,
            cdn_requests_per_dau_per_day: 100.0,
            cdn_byte_hit_ratio: 0.9,
            object_bytes_per_user: 1e8,
            cross_region_replication_share: 0.5,
            api_response_bytes: 10_000.0,
            log_bytes_per_request: 500.0,
            log_retention_days: 73.0,
        }
    }

    #[test]
    fn hand_computed_demand_for_one_million_users() {
        let (d, _) = derive(&round_workload(), 1e6, 730.0);
        // mau = 1e6 x 0.5 = 500,000; dau = 500,000 x 0.2 = 100,000; concurrent = 10,000
        assert_eq!(d.mau, 500_000.0);
        assert_eq!(d.dau, 100_000.0);
        assert!((d.peak_concurrent_users - 10_000.0).abs() < 1e-9);
        // avg_rps = 100,000 x 864 / 86,400 = 1,000; peak = 3,000
        assert!((d.avg_rps - 1_000.0).abs() < 1e-9);
        assert!((d.peak_rps - 3_000.0).abs() < 1e-9);
        // reads 2,700/s x 2 x 0.25 = 1,350 qps; writes 300/s x 1 = 300 qps
        assert!((d.db_read_qps - 1_350.0).abs() < 1e-6);
        assert!((d.db_write_qps - 300.0).abs() < 1e-6);
        assert!((d.db_qps - 1_650.0).abs() < 1e-6);
        // API responses: 1,000 req/s x 10,000 B x 2,628,000 s / 1e9 = 26,280 GB/month
        assert!((d.api_egress_gb_per_month - 26_280.0).abs() < 1e-6);
        // logs: 1,000 req/s x 500 B x 2,628,000 s / 1e9 = 1,314 GB/month
        assert!((d.log_gb_per_month - 1_314.0).abs() < 1e-6);
        // kept 73 days of a 730 / 24 = 30.4167-day month: 1,314 x 73 / 30.4167 = 3,153.6 GB
        assert!((d.log_stored_gb - 3_153.6).abs() < 1e-6);
        // CDN misses: cdn_requests_per_month x (1 - 0.9 byte hit ratio)
        assert!((d.cdn_miss_requests_per_month - d.cdn_requests_per_month * 0.1).abs() < 1e-3);
        // cache ops = 3,000 x 4 = 12,000/s
        assert!((d.cache_ops_per_s - 12_000.0).abs() < 1e-6);
        // db bytes = 1e6 x 1e4 = 1e10
        assert_eq!(d.db_bytes, 1e10);
        // sessions = 100,000 x 1.5 = 150,000 x 2,000 B = 3e8 B
        assert!((d.session_memory_bytes - 3e8).abs() < 1e-3);
        // events avg = 100,000 x 86.4 / 86,400 = 100/s; peak 300/s; ingress 150,000 B/s
        assert!((d.events_per_s_avg - 100.0).abs() < 1e-9);
        assert!((d.event_ingress_bytes_per_s_peak - 150_000.0).abs() < 1e-6);
        // retained = 100/s x 86,400 x 500 B x 7 d = 3.024e10 B
        assert!((d.event_retained_bytes - 3.024e10).abs() < 1.0);
        // cdn = 1e5 x 1e7 B x (730/24) d / 1e9 = 30,416.67 GB; origin 10% = 3,041.67
        assert!((d.cdn_egress_gb_per_month - 30_416.666_666_666_668).abs() < 1e-6);
        assert!((d.cdn_origin_gb_per_month - 3_041.666_666_666_667).abs() < 1e-6);
        // replicated = (300/3 x 1,000 + 100 x 500) x 2,628,000 s x 0.5
        //   = 150,000 B/s x 2,628,000 x 0.5 = 1.971e11 B
        assert!((d.replicated_bytes_per_month - 1.971e11).abs() < 10.0);
        // monthly volumes at the day average over 2,628,000 s: 1,000 req/s -> 2.628e9
        // requests; reads 1,350 / 3 = 450/s -> 1.1826e9; writes 300 / 3 = 100/s -> 2.628e8
        // x 1,000 B = 2.628e11 B; cache 12,000 / 3 = 4,000 ops/s -> 1.0512e10; events
        // 100/s x 500 B = 50,000 B/s -> 1.314e11 B
        assert!((d.requests_per_month - 2.628e9).abs() < 1.0);
        assert!((d.db_reads_per_month - 1.1826e9).abs() < 1.0);
        assert!((d.db_writes_per_month - 2.628e8).abs() < 1.0);
        assert!((d.db_write_bytes_per_month - 2.628e11).abs() < 10.0);
        assert!((d.cache_ops_per_month - 1.0512e10).abs() < 10.0);
        assert!((d.event_bytes_per_month - 1.314e11).abs() < 10.0);
    }

    #[test]
    fn scaling_is_linear() {
        let (d, _) = derive(&round_workload(), 1e6, 730.0);
        let (half, _) = derive(&round_workload(), 5e5, 730.0);
        let scaled = d.scaled(0.5);
        assert!((scaled.peak_rps - half.peak_rps).abs() < 1e-9);
        assert!((scaled.db_bytes - half.db_bytes).abs() < 1e-3);
    }
}
