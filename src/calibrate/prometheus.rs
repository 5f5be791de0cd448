//! Observed series from a Prometheus server: one `query_range` call per series
//! (<https://prometheus.io/docs/prometheus/latest/querying/api/#range-queries>), over plain
//! HTTP/1.0 on a std `TcpStream` (no HTTP crate: one GET per series needs no more, and the
//! build stays as it is; TLS is not supported, so point it at a local or port-forwarded
//! server).

use std::collections::BTreeMap;
use std::io::{Read, Write};
use std::net::TcpStream;
use std::time::Duration;

use crate::calibrate::series::{Observed, SERIES, Series};
use crate::error::Error;

/// PromQL per series for common exporters (cAdvisor and kube-state-metrics for CPU and
/// memory, redis_exporter for the cache, an HTTP server's `http_requests_total` and
/// `http_response_size_bytes` histogram); `--queries FILE` replaces any of them.
pub const DEFAULT_QUERIES: &[(&str, &str)] = &[
    ("requests_per_s", "sum(rate(http_requests_total[5m]))"),
    ("daily_active_users", "max(app_daily_active_users)"),
    (
        "db_reads_per_s",
        "sum(rate(db_queries_total{kind=\"read\"}[5m]))",
    ),
    (
        "db_writes_per_s",
        "sum(rate(db_queries_total{kind=\"write\"}[5m]))",
    ),
    (
        "cache_hits_per_s",
        "sum(rate(redis_keyspace_hits_total[5m]))",
    ),
    (
        "cache_misses_per_s",
        "sum(rate(redis_keyspace_misses_total[5m]))",
    ),
    (
        "response_bytes_per_s",
        "sum(rate(http_response_size_bytes_sum[5m]))",
    ),
    (
        "cpu_seconds_per_s",
        "sum(rate(container_cpu_usage_seconds_total{container=\"api\"}[5m]))",
    ),
    (
        "cpu_limit_seconds_per_s",
        "sum(kube_pod_container_resource_limits{resource=\"cpu\",container=\"api\"})",
    ),
    (
        "memory_bytes_per_pod",
        "avg(container_memory_working_set_bytes{container=\"api\"})",
    ),
    (
        "memory_limit_bytes_per_pod",
        "avg(kube_pod_container_resource_limits{resource=\"memory\",container=\"api\"})",
    ),
    ("users", "max(app_registered_users)"),
];

/// The range to read: unix seconds, end exclusive of nothing (Prometheus includes both ends).
#[derive(Debug, Clone, Copy)]
pub struct Range {
    pub start: f64,
    pub end: f64,
    pub step_s: f64,
}

/// The queries to run: the defaults with `overrides` (series name -> PromQL) applied.
pub fn queries(overrides: &BTreeMap<String, String>) -> Result<Vec<(String, String)>, Error> {
    let names: Vec<&str> = SERIES.iter().map(|s| s.0).collect();
    for name in overrides.keys() {
        if !names.contains(&name.as_str()) {
            return Err(Error::Usage(format!(
                "--queries: unknown series `{name}`{}; expected any of: {}",
                crate::error::did_you_mean(name, names.iter().copied()),
                names.join(", ")
            )));
        }
    }
    Ok(DEFAULT_QUERIES
        .iter()
        .map(|(name, q)| {
            let q = overrides.get(*name).map_or(*q, String::as_str);
            ((*name).to_string(), q.to_string())
        })
        .collect())
}

/// Reads every query over `range` from the server at `url` (`http://host:port[/prefix]`).
/// `requests_per_s` must return data; another query with no data is left out (and named in
/// the returned list).
pub fn read(
    url: &str,
    queries: &[(String, String)],
    range: Range,
) -> Result<(Observed, Vec<String>), Error> {
    let mut observed = Observed {
        window: format!(
            "{url}: unix {} to {} ({} days), step {}s",
            range.start,
            range.end,
            (range.end - range.start) / 86_400.0,
            range.step_s
        ),
        ..Observed::default()
    };
    let mut empty = Vec::new();
    for (name, query) in queries {
        let samples = query_chunks(url, query, range)?;
        if samples.is_empty() {
            if name == "requests_per_s" {
                return Err(Error::Usage(format!(
                    "Prometheus at {url}: the query for `{name}` (`{query}`) returned no data in the window"
                )));
            }
            empty.push(format!("`{name}` (`{query}`) returned no data"));
            continue;
        }
        observed.series.insert(
            name.clone(),
            Series {
                samples,
                source: format!("PromQL `{query}`"),
            },
        );
    }
    Ok((observed, empty))
}

/// Prometheus answers at most 11,000 points per series and query (30 days at 60 s are
/// 43,200): the range is read in chunks of this many steps.
const STEPS_PER_QUERY: f64 = 10_000.0;

/// `query_range` over `range`, in chunks of [`STEPS_PER_QUERY`] steps, samples concatenated.
fn query_chunks(url: &str, query: &str, range: Range) -> Result<Vec<(f64, f64)>, Error> {
    let mut samples = Vec::new();
    let mut start = range.start;
    while start <= range.end {
        let end = (start + (STEPS_PER_QUERY - 1.0) * range.step_s).min(range.end);
        samples.extend(query_range(
            url,
            query,
            Range {
                start,
                end,
                ..range
            },
        )?);
        start = end + range.step_s;
    }
    Ok(samples)
}

/// `http://host:port/prefix` -> (host:port, prefix without a trailing slash).
fn split_url(url: &str) -> Result<(String, String), Error> {
    let rest = url.strip_prefix("http://").ok_or_else(|| {
        Error::Usage(format!(
            "--prometheus {url}: expected http://HOST:PORT (https is not supported)"
        ))
    })?;
    let (authority, path) = rest.split_once('/').unwrap_or((rest, ""));
    let authority = if authority.contains(':') {
        authority.to_string()
    } else {
        format!("{authority}:80")
    };
    let path = path.trim_end_matches('/');
    let prefix = if path.is_empty() {
        String::new()
    } else {
        format!("/{path}")
    };
    Ok((authority, prefix))
}

/// Percent-encodes a query-string value (everything but RFC 3986's unreserved characters).
fn encode(s: &str) -> String {
    s.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                (b as char).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
}

fn query_range(url: &str, query: &str, range: Range) -> Result<Vec<(f64, f64)>, Error> {
    let (authority, prefix) = split_url(url)?;
    let unreachable =
        |e: &dyn std::fmt::Display| Error::Usage(format!("cannot reach Prometheus at {url}: {e}"));
    let address = std::net::ToSocketAddrs::to_socket_addrs(&authority)
        .map_err(|e| unreachable(&e))?
        .next()
        .ok_or_else(|| unreachable(&"no address"))?;
    let mut stream = TcpStream::connect_timeout(&address, Duration::from_secs(10))
        .map_err(|e| unreachable(&e))?;
    stream
        .set_read_timeout(Some(Duration::from_secs(60)))
        .map_err(|e| unreachable(&e))?;
    let target = format!(
        "{prefix}/api/v1/query_range?query={}&start={}&end={}&step={}",
        encode(query),
        range.start,
        range.end,
        range.step_s
    );
    // HTTP/1.0: the server closes the connection after one response, never chunked.
    write!(
        stream,
        "GET {target} HTTP/1.0\r\nHost: {authority}\r\nAccept: application/json\r\n\r\n"
    )
    .map_err(|e| unreachable(&e))?;
    let mut response = Vec::new();
    stream
        .read_to_end(&mut response)
        .map_err(|e| unreachable(&e))?;
    let text = String::from_utf8_lossy(&response);
    let (head, body) = text
        .split_once("\r\n\r\n")
        .ok_or_else(|| unreachable(&"no HTTP response"))?;
    let status = head.lines().next().unwrap_or("");
    let json: serde_json::Value = serde_json::from_str(body).map_err(|e| {
        Error::Usage(format!(
            "Prometheus at {url}: `{query}`: {status}: the answer is not JSON ({e})"
        ))
    })?;
    if json["status"] != "success" {
        return Err(Error::Usage(format!(
            "Prometheus at {url}: `{query}`: {status}: {}",
            json["error"].as_str().unwrap_or("no error text")
        )));
    }
    let results = json["data"]["result"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    if results.len() > 1 {
        return Err(Error::Usage(format!(
            "Prometheus at {url}: `{query}` returned {} series; aggregate it to one (sum, max, avg)",
            results.len()
        )));
    }
    let Some(result) = results.first() else {
        return Ok(Vec::new());
    };
    result["values"]
        .as_array()
        .map(|values| {
            values
                .iter()
                .map(|pair| {
                    let t = pair[0].as_f64();
                    let v = pair[1].as_str().and_then(|v| v.parse::<f64>().ok());
                    match (t, v) {
                        (Some(t), Some(v)) => Ok((t, v)),
                        _ => Err(Error::Usage(format!(
                            "Prometheus at {url}: `{query}`: a sample that is not [time, \"value\"]: {pair}"
                        ))),
                    }
                })
                .collect()
        })
        .unwrap_or_else(|| Ok(Vec::new()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls_and_encoding() {
        assert_eq!(
            split_url("http://127.0.0.1:9090/").unwrap(),
            ("127.0.0.1:9090".into(), String::new())
        );
        assert_eq!(
            split_url("http://prom/x/").unwrap(),
            ("prom:80".into(), "/x".into())
        );
        assert!(split_url("https://prom").is_err());
        assert_eq!(
            encode("sum(rate(a{b=\"c\"}[5m]))"),
            "sum%28rate%28a%7Bb%3D%22c%22%7D%5B5m%5D%29%29"
        );
    }
}
