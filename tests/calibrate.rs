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

/// The generated world: requests/s = 200 x (1 + 0.6 sin(2 pi t / day)) on weekdays, 0.7 of
/// that on the weekend; 80,000 daily active users; 25% of requests write, 2 statements each
/// (the saas workload's db_writes_per_write_request); cache hit ratio 0.85; 12,000 bytes per
/// response; 45 ms of CPU per request.
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
        ("test_db_writes_per_s", r * 0.25 * 2.0),
        ("test_cache_hits_per_s", r * 3.0 * 0.85),
        ("test_cache_misses_per_s", r * 3.0 * 0.15),
        ("test_response_bytes_per_s", r * 12_000.0),
        ("test_cpu_seconds_per_s", r * 0.045),
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
    assert!(ron.contains("// fitted: 99th percentile"), "{ron}");
    assert!(
        ron.contains("\"workload.requests_per_dau_per_day\": Normal("),
        "{ron}"
    );
}

#[test]
fn calibrates_from_a_metrics_csv() {
    let dir = tempfile::tempdir().unwrap();
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
    let metrics = dir.path().join("metrics.csv");
    std::fs::write(&metrics, &csv).unwrap();
    let out = dir.path().join("w.ron");
    let run = headroom()
        .args(["calibrate", "scenarios/saas-10b-auto.ron", "--metrics"])
        .arg(&metrics)
        .arg("--out")
        .arg(&out)
        .assert()
        .success();
    let stdout = String::from_utf8_lossy(&run.get_output().stdout).to_string();
    check_recovered(&stdout, &std::fs::read_to_string(&out).unwrap());

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
