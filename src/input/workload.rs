//! The workload model: how one user behaves (`models/workload/*.ron`).
//!
//! Every field is per user (registered, monthly active or daily active, as its name says) so
//! that demand scales linearly with the phase's user count. A scenario may override any field.

use std::path::Path;

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::error::InputError;
use crate::input::check::Check;

/// Which population holds sessions at a time: drives session memory.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub enum SessionBasis {
    /// Sessions live about a day: daily active users hold them.
    Dau,
    /// Sessions live about a month (e.g. a 30-day TTL): monthly active users hold them.
    Mau,
    /// Sessions are held only while connected: peak concurrent users hold them.
    PeakConcurrent,
}

/// Per-user behaviour. Units are in the field names.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Workload {
    /// Monthly active users / registered users, in [0, 1].
    pub mau_ratio: f64,
    /// Daily active users / monthly active users, in [0, 1].
    pub dau_ratio: f64,
    /// Peak concurrent users / daily active users, in [0, 1].
    pub peak_concurrency_ratio: f64,
    /// API requests one daily active user makes per day.
    pub requests_per_dau_per_day: f64,
    /// Peak-hour request rate / day-average request rate, >= 1.
    pub peak_to_average: f64,
    /// Share of requests that only read, in [0, 1]; the rest write.
    pub read_fraction: f64,
    /// Database queries one read request makes before the cache.
    pub db_reads_per_read_request: f64,
    /// Database write statements one write request makes.
    pub db_writes_per_write_request: f64,
    /// Bytes one database write adds to the replication stream (row + WAL overhead).
    pub bytes_per_db_write: f64,
    /// Share of database reads served by the cache tier, in [0, 1).
    pub cache_hit_ratio: f64,
    /// Cache operations (Redis commands) per request.
    pub cache_ops_per_request: f64,
    /// Database bytes stored per registered user (rows + indexes).
    pub db_bytes_per_user: f64,
    /// Bytes of one session record.
    pub session_bytes: f64,
    /// Sessions one active user holds.
    pub sessions_per_active_user: f64,
    /// Which active population holds sessions.
    pub session_basis: SessionBasis,
    /// Hot cache working set per daily active user, bytes (beyond sessions).
    pub cache_bytes_per_dau: f64,
    /// Events (analytics, notifications, jobs) one daily active user emits per day.
    pub events_per_dau_per_day: f64,
    /// Bytes of one event on the wire.
    pub event_bytes: f64,
    /// Days events are retained in the event log.
    pub event_retention_days: f64,
    /// CDN bytes delivered to one daily active user per day.
    pub cdn_egress_bytes_per_dau_per_day: f64,
    /// CDN requests one daily active user makes per day.
    pub cdn_requests_per_dau_per_day: f64,
    /// Share of CDN bytes served from edge caches, in [0, 1].
    pub cdn_byte_hit_ratio: f64,
    /// Object-storage bytes per registered user (uploads, media, archives).
    pub object_bytes_per_user: f64,
    /// Share of written bytes (database writes and events) replicated to other regions, in [0, 1].
    pub cross_region_replication_share: f64,
    /// Bytes of one API response sent to the internet (billed as the serving region's
    /// internet egress, an `api-egress` line of each App component); 0 (the default) bills none.
    #[serde(default)]
    pub api_response_bytes: f64,
    /// Application log bytes written per request (billed as log ingest and retained storage,
    /// `log-ingest` / `log-storage` lines of each App component); 0 (the default) bills none.
    #[serde(default)]
    pub log_bytes_per_request: f64,
    /// Days application logs are kept (billed as stored GB-months, the `log-storage` line);
    /// 0 (the default) bills no storage.
    #[serde(default)]
    pub log_retention_days: f64,
}

impl Workload {
    /// The numeric field `name`, to change in place (Monte Carlo draws set inputs this way,
    /// without a round trip through the serialised form). `None` for other names.
    pub fn number_mut(&mut self, name: &str) -> Option<&mut f64> {
        Some(match name {
            "mau_ratio" => &mut self.mau_ratio,
            "dau_ratio" => &mut self.dau_ratio,
            "peak_concurrency_ratio" => &mut self.peak_concurrency_ratio,
            "requests_per_dau_per_day" => &mut self.requests_per_dau_per_day,
            "peak_to_average" => &mut self.peak_to_average,
            "read_fraction" => &mut self.read_fraction,
            "db_reads_per_read_request" => &mut self.db_reads_per_read_request,
            "db_writes_per_write_request" => &mut self.db_writes_per_write_request,
            "bytes_per_db_write" => &mut self.bytes_per_db_write,
            "cache_hit_ratio" => &mut self.cache_hit_ratio,
            "cache_ops_per_request" => &mut self.cache_ops_per_request,
            "db_bytes_per_user" => &mut self.db_bytes_per_user,
            "session_bytes" => &mut self.session_bytes,
            "sessions_per_active_user" => &mut self.sessions_per_active_user,
            "cache_bytes_per_dau" => &mut self.cache_bytes_per_dau,
            "events_per_dau_per_day" => &mut self.events_per_dau_per_day,
            "event_bytes" => &mut self.event_bytes,
            "event_retention_days" => &mut self.event_retention_days,
            "cdn_egress_bytes_per_dau_per_day" => &mut self.cdn_egress_bytes_per_dau_per_day,
            "cdn_requests_per_dau_per_day" => &mut self.cdn_requests_per_dau_per_day,
            "cdn_byte_hit_ratio" => &mut self.cdn_byte_hit_ratio,
            "object_bytes_per_user" => &mut self.object_bytes_per_user,
            "cross_region_replication_share" => &mut self.cross_region_replication_share,
            "api_response_bytes" => &mut self.api_response_bytes,
            "log_bytes_per_request" => &mut self.log_bytes_per_request,
            "log_retention_days" => &mut self.log_retention_days,
            _ => return None,
        })
    }

    /// Checks every field's range; `prefix` is the field path of this workload.
    pub fn validate(&self, file: &Path, prefix: &str) -> Result<(), InputError> {
        let c = Check::new(file, prefix);
        c.ratio("mau_ratio", self.mau_ratio)?;
        c.ratio("dau_ratio", self.dau_ratio)?;
        c.ratio("peak_concurrency_ratio", self.peak_concurrency_ratio)?;
        c.non_negative("requests_per_dau_per_day", self.requests_per_dau_per_day)?;
        c.at_least("peak_to_average", self.peak_to_average, 1.0)?;
        c.ratio("read_fraction", self.read_fraction)?;
        c.non_negative("db_reads_per_read_request", self.db_reads_per_read_request)?;
        c.non_negative(
            "db_writes_per_write_request",
            self.db_writes_per_write_request,
        )?;
        c.non_negative("bytes_per_db_write", self.bytes_per_db_write)?;
        c.ratio("cache_hit_ratio", self.cache_hit_ratio)?;
        c.non_negative("cache_ops_per_request", self.cache_ops_per_request)?;
        c.non_negative("db_bytes_per_user", self.db_bytes_per_user)?;
        c.non_negative("session_bytes", self.session_bytes)?;
        c.non_negative("sessions_per_active_user", self.sessions_per_active_user)?;
        c.non_negative("cache_bytes_per_dau", self.cache_bytes_per_dau)?;
        c.non_negative("events_per_dau_per_day", self.events_per_dau_per_day)?;
        c.non_negative("event_bytes", self.event_bytes)?;
        c.non_negative("event_retention_days", self.event_retention_days)?;
        c.non_negative(
            "cdn_egress_bytes_per_dau_per_day",
            self.cdn_egress_bytes_per_dau_per_day,
        )?;
        c.non_negative(
            "cdn_requests_per_dau_per_day",
            self.cdn_requests_per_dau_per_day,
        )?;
        c.ratio("cdn_byte_hit_ratio", self.cdn_byte_hit_ratio)?;
        c.non_negative("object_bytes_per_user", self.object_bytes_per_user)?;
        c.non_negative("api_response_bytes", self.api_response_bytes)?;
        c.non_negative("log_bytes_per_request", self.log_bytes_per_request)?;
        c.non_negative("log_retention_days", self.log_retention_days)?;
        c.ratio(
            "cross_region_replication_share",
            self.cross_region_replication_share,
        )?;
        Ok(())
    }
}
