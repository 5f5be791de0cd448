//! `headroom calibrate` through the real binary: a metrics CSV, and a real Prometheus server
//! (Debian's `prometheus` package, installed by `scripts/test`) backfilled with
//! `promtool tsdb create-blocks-from openmetrics` from a series generated with known
//! parameters; bad inputs name what is wrong.

use std::fmt::Write as _;
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use crate::support::headroom;

/// One week of 1-minute samples from 2026-01-05T00:00:00Z (a Monday), ending on the window's
/// last minute.
const START: i64 = 1_767_571_200;
const MINUTES: i64 = 7 * 1440;
const GIB: f64 = 1_073_741_824.0;

/// The generated world: requests/s = 200 x (1 + 0.6 sin(2 pi t / day)) on weekdays, 0.7 of
/// that on the weekend; 80,000 daily active users of 200,000 users; 25% of requests write, 2
/// statements each (the saas workload's db_writes_per_write_request), the other 75% read 3
/// queries each; cache hit ratio 0.85; 12,000 bytes per response; 45 ms of CPU per request;
/// API pods at 1.5 GiB, which is also their memory limit.
fn rate(t: i64) -> f64 {
    let day = (t - START) / 86_400;
    let weekly = if day >= 5 { 0.7 } else { 1.0 };
    let phase = 2.0 * std::f64::consts::PI * ((t - START) as f64) / 86_400.0;
    200.0 * (1.0 + 0.6 * phase.sin()) * weekly
}

/// Known answers. Mean rate: the sine averages 0 over whole days, so (5 x 200 + 2 x 140) / 7.
fn mean_rate() -> f64 {
    (5.0 * 200.0 + 2.0 * 140.0) / 7.0
}

/// The p99 of the samples over their mean, computed like calibrate's statistic states it
/// (nearest rank), independently of its code.
fn p99_over_mean() -> f64 {
    let mut xs: Vec<f64> = (0..MINUTES).map(|m| rate(START + m * 60)).collect();
    let mean = xs.iter().sum::<f64>() / xs.len() as f64;
    xs.sort_by(f64::total_cmp);
    let rank = (0.99 * xs.len() as f64).ceil() as usize;
    xs[rank - 1] / mean
}

/// `(name, value at t)` of each generated gauge.
fn gauges(t: i64) -> Vec<(&'static str, f64)> {
    let r = rate(t);
    vec![
        ("test_requests_per_s", r),
        ("test_daily_active_users", 80_000.0),
        ("test_users", 200_000.0),
        ("test_db_writes_per_s", r * 0.25 * 2.0),
        ("test_db_reads_per_s", r * 0.75 * 3.0),
        ("test_cache_hits_per_s", r * 3.0 * 0.85),
        ("test_cache_misses_per_s", r * 3.0 * 0.15),
        ("test_response_bytes_per_s", r * 12_000.0),
        ("test_cpu_seconds_per_s", r * 0.045),
        ("test_memory_bytes_per_pod", 1.5 * GIB),
        ("test_memory_limit_bytes_per_pod", 1.5 * GIB),
    ]
}

fn figure(stdout: &str, field: &str) -> f64 {
    let line = stdout
        .lines()
        .find(|l| l.trim_start().starts_with(&format!("{field} = ")))
        .unwrap_or_else(|| panic!("no {field} in:\n{stdout}"));
    let value = line
        .split(" = ")
        .nth(1)
        .unwrap()
        .split_whitespace()
        .next()
        .unwrap();
    value.replace(',', "").parse().unwrap()
}

fn within_2pct(got: f64, want: f64, what: &str) {
    assert!(
        ((got - want) / want).abs() <= 0.02,
        "{what}: got {got}, want {want} (2%)"
    );
}

/// The written RON reads back with the fitted value in place (full precision).
fn ron_value(text: &str, field: &str) -> f64 {
    let line = text
        .lines()
        .find(|l| l.trim_start().starts_with(&format!("{field}: ")))
        .unwrap();
    line.trim()
        .trim_end_matches(',')
        .split(": ")
        .nth(1)
        .unwrap()
        .parse()
        .unwrap()
}

fn check_recovered(stdout: &str, ron: &str) {
    within_2pct(
        figure(stdout, "peak_to_average"),
        p99_over_mean(),
        "peak_to_average",
    );
    within_2pct(
        ron_value(ron, "requests_per_dau_per_day"),
        mean_rate() * 86_400.0 / 80_000.0,
        "requests_per_dau_per_day",
    );
    within_2pct(ron_value(ron, "read_fraction"), 0.75, "read_fraction");
    // reads/s = 2.25 r over r x 0.75 reading requests: 3 queries per read request
    within_2pct(
        ron_value(ron, "db_reads_per_read_request"),
        3.0,
        "db_reads_per_read_request",
    );
    // 80,000 DAU of 200,000 users
    within_2pct(ron_value(ron, "dau_ratio"), 0.4, "dau_ratio");
    assert!(stdout.contains("observed at 200,000 users"), "{stdout}");
    // Memory: P99 1.5 GiB against the modeled 3 GiB (0.5x), but every sample is at the 1.5 GiB
    // limit: a floor, so the plan keeps 3 GiB.
    assert!(
        stdout.contains(
            "api: memory per pod observed 1.5 GiB / modeled 3 GiB = 0.5x; plan with 3 GiB"
        ),
        "{stdout}"
    );
    // The workload's: 2.25 reads per request against saas' 0.9 x 3 = 2.7 (0.8333x); 0.5 writes
    // against 0.1 x 2 = 0.2 (2.5x); 12,000 bytes against 8,000 (1.5x).
    assert!(
        stdout.contains("workload: DB reads per request observed 2.25 / modeled 2.7 = 0.8333x"),
        "{stdout}"
    );
    assert!(
        stdout.contains("workload: DB writes per request observed 0.5 / modeled 0.2 = 2.5x"),
        "{stdout}"
    );
    within_2pct(ron_value(ron, "cache_hit_ratio"), 0.85, "cache_hit_ratio");
    within_2pct(
        ron_value(ron, "api_response_bytes"),
        12_000.0,
        "api_response_bytes",
    );
    // saas-10b-auto models 4 ms of CPU per API request: observed 45 ms is 11.25x
    assert!(
        stdout.contains("CPU per request observed 45 ms"),
        "{stdout}"
    );
    assert!(stdout.contains("= 11.25x"), "{stdout}");
    // 12,000 bytes per response against saas' 2,000: 6x.
    assert!(
        stdout.contains(
            "workload: bytes per response observed 12,000 bytes / modeled 2,000 bytes = 6x"
        ),
        "{stdout}"
    );
    assert!(ron.contains("// fitted: 99th percentile"), "{ron}");
    assert!(
        ron.contains("\"workload.requests_per_dau_per_day\": Normal("),
        "{ron}"
    );
}

/// The generated week as a metrics CSV: `timestamp` and one column per gauge.
fn metrics_csv() -> String {
    let mut csv = String::from("timestamp");
    for (name, _) in gauges(START) {
        csv.push(',');
        csv.push_str(name.trim_start_matches("test_"));
    }
    csv.push('\n');
    for m in 0..MINUTES {
        let t = START + m * 60;
        let _ = write!(csv, "{t}");
        for (_, v) in gauges(t) {
            let _ = write!(csv, ",{v}");
        }
        csv.push('\n');
    }
    csv
}

#[test]
fn calibrates_from_a_metrics_csv() {
    let dir = tempfile::tempdir().unwrap();
    let metrics = dir.path().join("metrics.csv");
    std::fs::write(&metrics, metrics_csv()).unwrap();
    let out = dir.path().join("w.ron");
    let applied = dir.path().join("calibrated.ron");
    let run = headroom()
        .args(["calibrate", "scenarios/saas-10b-auto.ron", "--metrics"])
        .arg(&metrics)
        .arg("--out")
        .arg(&out)
        .arg("--apply")
        .arg(&applied)
        .assert()
        .success();
    let stdout = String::from_utf8_lossy(&run.get_output().stdout).to_string();
    check_recovered(&stdout, &std::fs::read_to_string(&out).unwrap());

    // The applied scenario: the calibrated workload, the api's CPU raised to the observed 45 ms
    // (no CPU limit series), its memory kept at 3 GiB (observed at the limit), and the
    // observed spread as live uncertainty inputs, replacing the scenario's own for the same
    // fields: requests per DAU per day is 200 x 86,400 / 80,000 = 216 on weekdays and
    // 0.7 x 216 = 151.2 on weekends, so P10 151.2, P90 216: mean 183.6, sd 64.8 / 2.5631.
    let scenario = std::fs::read_to_string(&applied).unwrap();
    assert!(scenario.contains("workload: File(\"w.ron\")"), "{scenario}");
    assert!(scenario.contains("cpu_ms_per_request: 45.0"), "{scenario}");
    assert!(scenario.contains("pod_memory_gib: 3.0"), "{scenario}");
    // Fields the scenario leaves out stay out (not written as `None`).
    assert!(!scenario.contains(": None,"), "{scenario}");
    let sd = 64.8 / (2.0 * 1.281_551_565_545);
    let key = "\"workload.requests_per_dau_per_day\": Normal(";
    let at = scenario.find(key).unwrap_or_else(|| panic!("{scenario}")) + key.len();
    let entry: String = scenario[at..]
        .split(')')
        .next()
        .unwrap()
        .split_whitespace()
        .collect();
    let field = |name: &str| -> f64 {
        let after = entry.split(&format!("{name}:")).nth(1).unwrap();
        after.split(',').next().unwrap().parse().unwrap()
    };
    assert!((field("mean") - 183.6).abs() < 1e-9, "{entry}");
    assert!((field("sd") - sd).abs() < 1e-9, "{entry}");
    // ... and `plan --draws` takes it as written.
    let plans = dir.path().join("plans");
    headroom()
        .arg("plan")
        .arg(&applied)
        .args([
            "--draws", "200", "--seed", "3", "--format", "json", "-q", "--out",
        ])
        .arg(&plans)
        .assert()
        .success();
    let plan: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(plans.join("saas-10b-auto/plan.json")).unwrap(),
    )
    .unwrap();
    assert_eq!(plan["uncertainty"]["draws"], 200);
    let last = plan["uncertainty"]["phases"]
        .as_array()
        .unwrap()
        .last()
        .unwrap()
        .clone();
    let inputs: Vec<&str> = last["tornado"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["input"].as_str().unwrap())
        .collect();
    assert!(
        inputs.contains(&"workload.requests_per_dau_per_day"),
        "{inputs:?}"
    );

    // A malformed row names the file, the row and the column.
    std::fs::write(&metrics, "timestamp,requests_per_s\n0,1.0\n60,abc\n").unwrap();
    let run = headroom()
        .args(["calibrate", "scenarios/saas-10b-auto.ron", "--metrics"])
        .arg(&metrics)
        .arg("--out")
        .arg(&out)
        .assert()
        .code(2);
    let stderr = String::from_utf8_lossy(&run.get_output().stderr).to_string();
    assert!(
        stderr.contains("metrics.csv: row 3, column `requests_per_s`: `abc` is not a number"),
        "{stderr}"
    );
    std::fs::write(&metrics, "timestamp,request_per_s\n0,1.0\n").unwrap();
    let run = headroom()
        .args(["calibrate", "scenarios/saas-10b-auto.ron", "--metrics"])
        .arg(&metrics)
        .assert()
        .code(2);
    let stderr = String::from_utf8_lossy(&run.get_output().stderr).to_string();
    assert!(
        stderr.contains(
            "row 1, column 2: unknown series `request_per_s` (did you mean `requests_per_s`?)"
        ),
        "{stderr}"
    );
}

/// The same week as a Parquet file (polars: `timestamp` as integers, the series as floats)
/// fits exactly what the CSV fits.
#[test]
fn calibrates_from_a_metrics_parquet_file_like_the_csv() {
    use polars::prelude::*;
    let dir = tempfile::tempdir().unwrap();
    let csv = dir.path().join("metrics.csv");
    std::fs::write(&csv, metrics_csv()).unwrap();
    let times: Vec<i64> = (0..MINUTES).map(|m| START + m * 60).collect();
    let mut columns = vec![Column::new("timestamp".into(), &times)];
    for (i, (name, _)) in gauges(START).iter().enumerate() {
        let values: Vec<f64> = times.iter().map(|t| gauges(*t)[i].1).collect();
        columns.push(Column::new(name.trim_start_matches("test_").into(), values));
    }
    let mut frame = DataFrame::new_infer_height(columns).unwrap();
    let parquet = dir.path().join("metrics.parquet");
    ParquetWriter::new(std::fs::File::create(&parquet).unwrap())
        .finish(&mut frame)
        .unwrap();
    let fit = |metrics: &Path, out: &str| {
        let out = dir.path().join(out);
        let run = headroom()
            .args(["calibrate", "scenarios/saas-10b-auto.ron", "--metrics"])
            .arg(metrics)
            .arg("--out")
            .arg(&out)
            .assert()
            .success();
        let stdout = String::from_utf8_lossy(&run.get_output().stdout).to_string();
        (stdout, std::fs::read_to_string(&out).unwrap())
    };
    let (csv_stdout, csv_ron) = fit(&csv, "csv.ron");
    let (parquet_stdout, parquet_ron) = fit(&parquet, "parquet.ron");
    check_recovered(&parquet_stdout, &parquet_ron);
    // Identical but for the file named in the provenance.
    assert_eq!(
        parquet_ron.replace("metrics.parquet", "metrics.csv"),
        csv_ron
    );
    assert_eq!(
        parquet_stdout.replace("metrics.parquet", "metrics.csv"),
        csv_stdout.replace("csv.ron", "parquet.ron")
    );

    // A column of text, and an unknown series, are named; so is a timestamp that does not
    // increase, by its row (1 = the first data row).
    let refused = |mut frame: DataFrame| {
        ParquetWriter::new(std::fs::File::create(&parquet).unwrap())
            .finish(&mut frame)
            .unwrap();
        let run = headroom()
            .args(["calibrate", "scenarios/saas-10b-auto.ron", "--metrics"])
            .arg(&parquet)
            .assert()
            .code(2);
        String::from_utf8_lossy(&run.get_output().stderr).to_string()
    };
    let stderr = refused(df!("timestamp" => [0i64, 60], "requests_per_s" => ["1", "x"]).unwrap());
    assert!(
        stderr.contains("metrics.parquet: column `requests_per_s`: str values are not numbers"),
        "{stderr}"
    );
    let stderr = refused(df!("timestamp" => [0i64, 60], "request_per_s" => [1.0, 2.0]).unwrap());
    assert!(
        stderr.contains(
            "the schema, column 2: unknown series `request_per_s` (did you mean `requests_per_s`?)"
        ),
        "{stderr}"
    );
    let stderr = refused(df!("timestamp" => [60i64, 0], "requests_per_s" => [1.0, 2.0]).unwrap());
    assert!(
        stderr.contains("metrics.parquet: row 2: timestamp 0 is not after the previous row's (60)"),
        "{stderr}"
    );
}

#[test]
fn an_unreachable_prometheus_is_named() {
    // A port nothing listens on: bind one, then drop it.
    let port = free_port();
    let url = format!("http://127.0.0.1:{port}");
    let run = headroom()
        .args([
            "calibrate",
            "scenarios/saas-10b-auto.ron",
            "--prometheus",
            &url,
            "--end",
            "1767571200",
        ])
        .assert()
        .code(2);
    let stderr = String::from_utf8_lossy(&run.get_output().stderr).to_string();
    assert!(
        stderr.contains(&format!("cannot reach Prometheus at {url}")),
        "{stderr}"
    );
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// The Prometheus server; killed when dropped (the test passing or not).
struct Server(Child);

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn tool(name: &str) -> &'static str {
    for path in [format!("/usr/bin/{name}"), format!("/usr/local/bin/{name}")] {
        if Path::new(&path).exists() {
            return Box::leak(path.into_boxed_str());
        }
    }
    panic!("{name} is not installed: scripts/test installs it (apt-get install prometheus)");
}

#[test]
fn calibrates_from_a_real_prometheus() {
    let dir = tempfile::tempdir().unwrap();
    // OpenMetrics: every gauge's samples in time order, one family after another.
    let mut om = String::new();
    for (i, (name, _)) in gauges(START).iter().enumerate() {
        let _ = writeln!(om, "# TYPE {name} gauge");
        for m in 0..MINUTES {
            let t = START + m * 60;
            let _ = writeln!(om, "{name} {} {t}", gauges(t)[i].1);
        }
    }
    om.push_str("# EOF\n");
    let om_file = dir.path().join("series.om");
    std::fs::write(&om_file, om).unwrap();
    let data = dir.path().join("data");
    let backfill = Command::new(tool("promtool"))
        .args(["tsdb", "create-blocks-from", "openmetrics"])
        .arg(&om_file)
        .arg(&data)
        .output()
        .unwrap();
    assert!(backfill.status.success(), "{backfill:?}");
    let config = dir.path().join("prometheus.yml");
    std::fs::write(&config, "scrape_configs: []\n").unwrap();
    let port = free_port();
    let url = format!("http://127.0.0.1:{port}");
    let _server = Server(
        Command::new(tool("prometheus"))
            .arg(format!("--config.file={}", config.display()))
            .arg(format!("--storage.tsdb.path={}", data.display()))
            // The samples are from 2026-01: keep them whatever today is.
            .arg("--storage.tsdb.retention.time=100y")
            .arg(format!("--web.listen-address=127.0.0.1:{port}"))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap(),
    );
    // Ready when /-/ready answers 200.
    let started = Instant::now();
    loop {
        if let Ok(mut s) = std::net::TcpStream::connect(("127.0.0.1", port)) {
            use std::io::{Read, Write};
            let _ = s.write_all(b"GET /-/ready HTTP/1.0\r\n\r\n");
            let mut answer = String::new();
            let _ = s.read_to_string(&mut answer);
            if answer.starts_with("HTTP/1.0 200") || answer.starts_with("HTTP/1.1 200") {
                break;
            }
        }
        assert!(
            started.elapsed() < Duration::from_secs(60),
            "prometheus did not start"
        );
        std::thread::sleep(Duration::from_millis(200));
    }
    let mut queries = String::from("{\n");
    for (name, _) in gauges(START) {
        let _ = writeln!(
            queries,
            "  \"{}\": \"{name}\",",
            name.trim_start_matches("test_")
        );
    }
    queries.push_str("  \"cpu_limit_seconds_per_s\": \"test_no_such_series\",\n}\n");
    let queries_file = dir.path().join("queries.ron");
    std::fs::write(&queries_file, queries).unwrap();
    let out = dir.path().join("w.ron");
    let end = (START + (MINUTES - 1) * 60).to_string();
    let run = headroom()
        .args([
            "calibrate",
            "scenarios/saas-10b-auto.ron",
            "--prometheus",
            &url,
        ])
        .args([
            "--window",
            &format!("{}m", MINUTES - 1),
            "--end",
            &end,
            "--step",
            "60s",
        ])
        .arg("--queries")
        .arg(&queries_file)
        .arg("--out")
        .arg(&out)
        .assert()
        .success();
    let stdout = String::from_utf8_lossy(&run.get_output().stdout).to_string();
    check_recovered(&stdout, &std::fs::read_to_string(&out).unwrap());
    // A query with no data is named.
    assert!(
        stdout.contains("`cpu_limit_seconds_per_s` (`test_no_such_series`) returned no data"),
        "{stdout}"
    );
    // requests_per_s with no data stops the run, naming the query.
    std::fs::write(&queries_file, "{ \"requests_per_s\": \"test_nothing\" }").unwrap();
    let run = headroom()
        .args([
            "calibrate",
            "scenarios/saas-10b-auto.ron",
            "--prometheus",
            &url,
            "--end",
            &end,
        ])
        .arg("--queries")
        .arg(&queries_file)
        .arg("--out")
        .arg(&out)
        .assert()
        .code(2);
    let stderr = String::from_utf8_lossy(&run.get_output().stderr).to_string();
    assert!(
        stderr.contains("`requests_per_s` (`test_nothing`) returned no data"),
        "{stderr}"
    );
}
