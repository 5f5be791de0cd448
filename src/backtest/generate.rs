//! A synthetic FOCUS 1.0 Parquet bill of any size, for the benchmark of `headroom backtest`
//! (`headroom backtest --generate-bill ROWS OUT.parquet`, hidden): AWS service names and
//! usage types the shipped mapping knows (and some it does not), one month, written one row
//! group at a time so generating 100 million rows takes as little memory as 1 million.

use std::fs::File;
use std::path::Path;

use polars::prelude::*;

use crate::error::Error;

/// Rows per row group (and per batch built in memory).
pub const ROW_GROUP_ROWS: usize = 256 * 1024;

/// (ServiceName, x_UsageType, RegionId, cost of one row in USD).
const LINES: &[(&str, &str, &str, f64)] = &[
    (
        "Amazon Elastic Compute Cloud",
        "BoxUsage:c6i.4xlarge",
        "us-east-1",
        0.68,
    ),
    (
        "Amazon Elastic Compute Cloud",
        "BoxUsage:m6i.large",
        "us-east-1",
        0.096,
    ),
    (
        "Amazon Elastic Compute Cloud",
        "EUW1-BoxUsage:c6i.4xlarge",
        "eu-west-1",
        0.76,
    ),
    (
        "Amazon Elastic Compute Cloud",
        "EBS:VolumeUsage.gp3",
        "us-east-1",
        0.08,
    ),
    (
        "Amazon Elastic Compute Cloud",
        "NatGateway-Hours",
        "us-east-1",
        0.045,
    ),
    (
        "AWS Data Transfer",
        "USE1-DataTransfer-Regional-Bytes",
        "us-east-1",
        0.01,
    ),
    (
        "AWS Data Transfer",
        "DataTransfer-Out-Bytes",
        "us-east-1",
        0.09,
    ),
    (
        "Elastic Load Balancing",
        "LoadBalancerUsage",
        "us-east-1",
        0.0225,
    ),
    ("Elastic Load Balancing", "LCUUsage", "us-east-1", 0.008),
    (
        "Amazon Relational Database Service",
        "InstanceUsage:db.r6g.2xlarge",
        "us-east-1",
        0.899,
    ),
    (
        "Amazon Relational Database Service",
        "RDS:GP3-Storage",
        "us-east-1",
        0.115,
    ),
    (
        "Amazon ElastiCache",
        "NodeUsage:cache.r6g.xlarge",
        "us-east-1",
        0.411,
    ),
    (
        "Amazon Simple Storage Service",
        "TimedStorage-ByteHrs",
        "us-east-1",
        0.023,
    ),
    (
        "Amazon CloudFront",
        "US-DataTransfer-Out-Bytes",
        "us-east-1",
        0.085,
    ),
    (
        "Amazon Managed Streaming for Apache Kafka",
        "USE1-Kafka.m5.large",
        "us-east-1",
        0.21,
    ),
    ("Amazon Route 53", "HostedZone", "global", 0.5),
    (
        "AWS Key Management Service",
        "KMS-Requests",
        "us-east-1",
        0.03,
    ),
];

/// The usage type the generator writes in row `i` (0-based) of a bill.
#[must_use]
pub fn usage_type_of_row(i: usize) -> &'static str {
    LINES[i % LINES.len()].1
}

/// Writes `rows` FOCUS rows to `out` (Parquet, ZSTD), billed in `month` (`YYYY-MM`).
pub fn write_bill(rows: usize, month: &str, out: &Path) -> Result<(), Error> {
    let polars_error = |e: PolarsError| Error::Render(format!("{}: {e}", out.display()));
    let file = File::create(out).map_err(|e| Error::Write {
        path: out.to_path_buf(),
        source: e,
    })?;
    let start = format!("{month}-01T00:00:00Z");
    let mut writer = None;
    let mut done = 0usize;
    while done < rows || (rows == 0 && writer.is_none()) {
        let n = ROW_GROUP_ROWS.min(rows - done);
        let pick = |i: usize| &LINES[(done + i) % LINES.len()];
        let text = |f: &dyn Fn(usize) -> &'static str| -> Vec<&str> { (0..n).map(f).collect() };
        let batch = DataFrame::new(
            n,
            vec![
                Column::new("BillingCurrency".into(), vec!["USD"; n]),
                Column::new("ChargePeriodStart".into(), vec![start.as_str(); n]),
                Column::new("ServiceName".into(), text(&|i| pick(i).0)),
                Column::new("x_UsageType".into(), text(&|i| pick(i).1)),
                Column::new("RegionId".into(), text(&|i| pick(i).2)),
                Column::new(
                    "EffectiveCost".into(),
                    (0..n).map(|i| pick(i).3).collect::<Vec<f64>>(),
                ),
                Column::new(
                    "ResourceId".into(),
                    (0..n)
                        .map(|i| format!("r-{:08}", (done + i) % 100_000))
                        .collect::<Vec<String>>(),
                ),
            ],
        )
        .map_err(polars_error)?;
        if writer.is_none() {
            writer = Some(
                ParquetWriter::new(file.try_clone().map_err(|e| Error::Write {
                    path: out.to_path_buf(),
                    source: e,
                })?)
                .with_compression(ParquetCompression::Zstd(None))
                .batched(batch.schema())
                .map_err(polars_error)?,
            );
        }
        if let Some(w) = writer.as_mut() {
            w.write_batch(&batch).map_err(polars_error)?;
        }
        done += n;
        if n == 0 {
            break;
        }
    }
    if let Some(w) = writer {
        w.finish().map_err(polars_error)?;
    }
    Ok(())
}
