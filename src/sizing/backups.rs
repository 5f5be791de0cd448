//! Backups: database and cache backup storage beyond what the provider keeps for free.
//!
//! - Database (RDS automated backups): the first snapshot holds the whole data, later ones
//!   only what changed, and transaction logs cover the rest of each day, so the backups of
//!   `retention_days` days hold about `data x (1 + daily_change_fraction x retention_days)`.
//!   RDS charges nothing for backup storage up to 100% of the region's database storage
//!   ("You are not charged for the backup storage cost if the total backup storage doesn't
//!   exceed 100% of your databases storage size within a Region", AWS Database Blog,
//!   "Demystifying Amazon RDS backup storage costs"); the rest is billed per GB-month.
//! - Cache (ElastiCache snapshots): every daily snapshot is a full copy of the data, so
//!   `retention_days` snapshots hold `data x retention_days`; `free_snapshots_per_cluster`
//!   snapshots per cluster are not billed (a policy input, default 0: no source available to
//!   this project confirms a free allowance, so none is assumed).
//!
//! A retention of 0 days keeps no backups and adds no line.

use crate::sizing::{Measure, PriceKey, RegionLine};
use crate::trace::Trace;
use crate::units::{BYTES_PER_GB, ceil_count};

/// The line item of backup storage (every kind uses the same name, so the audit can name the
/// category).
pub const ITEM: &str = "backup-storage";

/// The database's backup line: backup GB beyond `free_gb` (the region's provisioned database
/// storage), or `None` without retention.
#[must_use]
pub fn database(
    retention_days: f64,
    daily_change_fraction: f64,
    data_bytes: f64,
    free_gb: u64,
    price: PriceKey,
    t: &mut Trace,
) -> Option<RegionLine> {
    if retention_days <= 0.0 {
        return None;
    }
    let backup_gb = t.step(
        "backup_gb",
        "db_bytes / 1e9 x (1 + backup_daily_change_fraction x backup_retention_days): one full \
         snapshot, then each retained day's changes",
        &[
            ("db_bytes", data_bytes, "B"),
            (
                "backup_daily_change_fraction",
                daily_change_fraction,
                "fraction/day",
            ),
            ("backup_retention_days", retention_days, "days"),
        ],
        data_bytes / BYTES_PER_GB * (1.0 + daily_change_fraction * retention_days),
        "GB",
    );
    let billed = t.count(
        "backup_billed_gb",
        "ceil(max(0, backup_gb - free_backup_gb)): free up to the region's database storage",
        &[
            ("backup_gb", backup_gb, "GB"),
            ("free_backup_gb", free_gb as f64, "GB"),
        ],
        ceil_count((backup_gb - free_gb as f64).max(0.0)),
        "GB",
    );
    Some(RegionLine::billed(ITEM, billed, Measure::Gb, price).from_step("backup_billed_gb"))
}

/// The cache's snapshot line: `retention_days` full snapshots of `data_bytes`, less the free
/// ones, or `None` without retention.
#[must_use]
pub fn cache(
    retention_days: f64,
    free_snapshots_per_cluster: f64,
    data_bytes: f64,
    price: PriceKey,
    t: &mut Trace,
) -> Option<RegionLine> {
    if retention_days <= 0.0 {
        return None;
    }
    // Each cluster's snapshot is its share of the data: summed over clusters, one snapshot of
    // every cluster is the whole data once.
    let billed = t.count(
        "snapshot_billed_gb",
        "ceil(data_bytes / 1e9 x max(0, snapshot_retention_days - free_snapshots_per_cluster)): \
         each daily snapshot is a full copy",
        &[
            ("data_bytes", data_bytes, "B"),
            ("snapshot_retention_days", retention_days, "snapshots"),
            (
                "free_snapshots_per_cluster",
                free_snapshots_per_cluster,
                "snapshots",
            ),
        ],
        ceil_count(
            data_bytes / BYTES_PER_GB * (retention_days - free_snapshots_per_cluster).max(0.0),
        ),
        "GB",
    );
    Some(RegionLine::billed(ITEM, billed, Measure::Gb, price).from_step("snapshot_billed_gb"))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key() -> PriceKey {
        PriceKey::new("rds-backup", "backup-storage", "us-east-1")
    }

    #[test]
    fn database_backups_beyond_provisioned_storage() {
        let mut t = Trace::new();
        // 1e12 B = 1,000 GB of data; 30 days at 5%/day: 1,000 x (1 + 0.05 x 30) = 2,500 GB;
        // 1,200 GB provisioned is free: 2,500 - 1,200 = 1,300 GB billed
        let line = database(30.0, 0.05, 1e12, 1_200, key(), &mut t).unwrap();
        assert_eq!(line.item, ITEM);
        assert_eq!(line.count, 1_300);
        assert_eq!(line.price.unwrap().service, "rds-backup");
    }

    #[test]
    fn database_backups_within_the_free_allowance_bill_nothing() {
        // 1,000 x (1 + 0.01 x 7) = 1,070 GB <= 2,400 GB provisioned: 0 billed
        let line = database(7.0, 0.01, 1e12, 2_400, key(), &mut Trace::new()).unwrap();
        assert_eq!(line.count, 0);
    }

    #[test]
    fn no_retention_no_line() {
        assert!(database(0.0, 0.05, 1e12, 0, key(), &mut Trace::new()).is_none());
        assert!(cache(0.0, 0.0, 1e12, key(), &mut Trace::new()).is_none());
    }

    #[test]
    fn cache_snapshots_are_full_copies() {
        // 2.5e11 B = 250 GB; 7 snapshots, 1 free per cluster: 250 x (7 - 1) = 1,500 GB
        let line = cache(7.0, 1.0, 2.5e11, key(), &mut Trace::new()).unwrap();
        assert_eq!(line.count, 1_500);
        // none free: 250 x 7 = 1,750 GB
        let line = cache(7.0, 0.0, 2.5e11, key(), &mut Trace::new()).unwrap();
        assert_eq!(line.count, 1_750);
    }
}
