# A FOCUS bill wider and less compressible than `headroom backtest --generate-bill`'s: high-
# cardinality ResourceId and Tags, varied usage types and regions, random costs, written by
# DuckDB (row groups of 122,880 rows, zstd). Usage: tests/py/.venv/bin/python
# tests/py/wide_bill.py ROWS OUT.parquet (the README's "Backtest" figures for a wide bill).
import duckdb, sys
rows = int(sys.argv[1]); out = sys.argv[2]
con = duckdb.connect()
con.execute(f"""
COPY (
  SELECT
    ['AmazonEC2','AmazonRDS','AmazonElastiCache','AmazonS3','AmazonCloudFront','AWSELB','AmazonMSK'][1 + (i % 7)] AS ServiceName,
    CASE i % 7
      WHEN 0 THEN ['USE1-BoxUsage:','EUW1-BoxUsage:','APN1-BoxUsage:'][1 + (i // 7) % 3] || ['m6i.large','c7g.4xlarge','r6g.2xlarge','m7g.xlarge'][1 + (i // 21) % 4]
      WHEN 1 THEN 'USE1-InstanceUsage:db.r6g.' || ['large','xlarge','2xlarge'][1 + (i // 7) % 3]
      WHEN 2 THEN 'USE1-NodeUsage:cache.r6g.' || ['large','xlarge'][1 + (i // 7) % 2]
      WHEN 3 THEN 'USE1-TimedStorage-ByteHrs'
      WHEN 4 THEN 'US-DataTransfer-Out-Bytes'
      WHEN 5 THEN 'USE1-LoadBalancerUsage'
      ELSE 'USE1-Kafka.m5.large' END AS x_UsageType,
    ['us-east-1','eu-west-1','ap-northeast-1'][1 + (i // 7) % 3] AS RegionId,
    TIMESTAMP '2026-11-01 00:00:00' + INTERVAL (i % 720) HOUR AS ChargePeriodStart,
    TIMESTAMP '2026-11-01 01:00:00' + INTERVAL (i % 720) HOUR AS ChargePeriodEnd,
    'USD' AS BillingCurrency,
    round(random() * 2.0, 10) AS EffectiveCost,
    round(random() * 2.2, 10) AS BilledCost,
    round(random() * 2.4, 10) AS ListCost,
    'arn:aws:ec2:us-east-1:123456789012:instance/i-' || md5(i::VARCHAR)[1:17] AS ResourceId,
    '{{"team":"t' || (i % 97) || '","env":"prod","svc":"' || md5((i % 5003)::VARCHAR)[1:8] || '"}}' AS Tags,
    'Usage' AS ChargeCategory
  FROM range({rows}) t(i)
) TO '{out}' (FORMAT parquet, COMPRESSION zstd, ROW_GROUP_SIZE 122880)
""")
