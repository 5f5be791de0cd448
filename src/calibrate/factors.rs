//! Observed over modeled: every fitted figure that has a counterpart in the scenario (an App
//! component's CPU per request and memory per pod; the workload's bytes per response, DB reads
//! and writes per request, cache hit ratio), with the value to plan with. A reading taken
//! while a resource was at its limit saw demand the pods could not serve: it is a floor, so it
//! may raise the model's figure but never lower it. Pure maths: no I/O.

use std::collections::HashMap;

use crate::calibrate::fit::{AT_LIMIT_SHARE, Fitted, mean, percentile};
use crate::calibrate::series::{Observed, Series};
use crate::input::Workload;

/// Bytes in a GiB (`pod_memory_gib` is binary: 2^30 bytes).
const GIB: f64 = 1_073_741_824.0;

/// An App component's modeled figures (`None` where the scenario does not state one).
#[derive(Debug, Clone, PartialEq)]
pub struct AppModel {
    pub name: String,
    /// `cpu_ms_per_request`, or `pod_vcpu` x 1000 / `rps_per_pod`.
    pub cpu_ms_per_request: Option<f64>,
    pub pod_memory_gib: Option<f64>,
}

/// One figure observed against the scenario's model.
#[derive(Debug, Clone, PartialEq)]
pub struct Factor {
    /// The App component, or `workload`.
    pub component: String,
    /// The figure (`cpu_ms_per_request`, `pod_memory_gib`, `db_reads_per_request`, ..).
    pub figure: &'static str,
    /// In words, for the report (`CPU per request`).
    pub label: &'static str,
    /// `ms`, `GiB`, `bytes`, or empty.
    pub unit: &'static str,
    pub observed: f64,
    /// The scenario's figure, where it states one.
    pub modeled: Option<f64>,
    /// The value to plan with (see [`plan_with`]).
    pub estimate: f64,
    /// How `observed` was computed.
    pub statistic: String,
    pub sources: Vec<String>,
    /// Why `estimate` is what it is.
    pub note: String,
}

impl Factor {
    /// observed / modeled.
    #[must_use]
    pub fn ratio(&self) -> Option<f64> {
        self.modeled.filter(|m| *m > 0.0).map(|m| self.observed / m)
    }
}

/// Samples of `used` at `AT_LIMIT_SHARE` of `limit` or more, matched by timestamp; `None`
/// without a limit series.
#[must_use]
pub fn samples_at_limit(used: &Series, limit: Option<&Series>) -> Option<usize> {
    let limit = limit?;
    let caps: HashMap<u64, f64> = limit
        .samples
        .iter()
        .map(|(t, v)| (t.to_bits(), *v))
        .collect();
    Some(
        used.samples
            .iter()
            .filter(|(t, v)| {
                caps.get(&t.to_bits())
                    .is_some_and(|cap| *cap > 0.0 && *v >= AT_LIMIT_SHARE * cap)
            })
            .count(),
    )
}

/// The value to plan with and why: the observation, except that one taken with samples at
/// the resource's limit is a floor and never lowers the model's figure.
#[must_use]
pub fn plan_with(
    observed: f64,
    modeled: Option<f64>,
    at_limit: Option<usize>,
    resource: &str,
) -> (f64, String) {
    match (at_limit, modeled) {
        (None, _) => (
            observed,
            format!("no {resource} limit series: the observation stands"),
        ),
        (Some(0), _) => (
            observed,
            format!("no sample at the {resource} limit: the observation stands"),
        ),
        (Some(n), Some(m)) if observed < m => (
            m,
            format!(
                "{n} samples at the {resource} limit: the observation is a floor, kept at the model's figure"
            ),
        ),
        (Some(n), _) => (
            observed,
            format!("{n} samples at the {resource} limit: raised to the observation (a floor)"),
        ),
    }
}

/// Every factor the observed series support: per App component CPU per request (mean
/// `cpu_seconds_per_s` x 1000 / mean `requests_per_s`) and memory per pod (P99 of
/// `memory_bytes_per_pod`), then the workload's.
#[must_use]
pub fn factors(
    obs: &Observed,
    figures: &[Fitted],
    model: &Workload,
    apps: &[AppModel],
) -> Vec<Factor> {
    let mut out = Vec::new();
    let Some(rps) = obs.series.get("requests_per_s") else {
        return out;
    };
    let mean_rps = mean(&rps.values());
    let cpu = obs.series.get("cpu_seconds_per_s").map(|cpu| {
        (
            cpu,
            mean(&cpu.values()) * 1000.0 / mean_rps,
            samples_at_limit(cpu, obs.series.get("cpu_limit_seconds_per_s")),
        )
    });
    let memory = obs.series.get("memory_bytes_per_pod").map(|m| {
        (
            m,
            percentile(&m.values(), 99.0) / GIB,
            samples_at_limit(m, obs.series.get("memory_limit_bytes_per_pod")),
        )
    });
    for app in apps {
        if let Some((series, observed, at_limit)) = cpu {
            let (estimate, note) = plan_with(observed, app.cpu_ms_per_request, at_limit, "CPU");
            out.push(Factor {
                component: app.name.clone(),
                figure: "cpu_ms_per_request",
                label: "CPU per request",
                unit: "ms",
                observed,
                modeled: app.cpu_ms_per_request,
                estimate,
                statistic: "mean cpu_seconds_per_s x 1000 / mean requests_per_s".into(),
                sources: vec![series.source.clone(), rps.source.clone()],
                note,
            });
        }
        if let Some((series, observed, at_limit)) = memory {
            let (estimate, note) = plan_with(observed, app.pod_memory_gib, at_limit, "memory");
            out.push(Factor {
                component: app.name.clone(),
                figure: "pod_memory_gib",
                label: "memory per pod",
                unit: "GiB",
                observed,
                modeled: app.pod_memory_gib,
                estimate,
                statistic: "99th percentile (nearest rank) of memory_bytes_per_pod / 2^30 \
                            (sizing must cover the peak)"
                    .into(),
                sources: vec![series.source.clone()],
                note,
            });
        }
    }
    let per_request = |name: &str| {
        obs.series
            .get(name)
            .map(|s| (s, mean(&s.values()) / mean_rps))
    };
    let workload = |figure, label, unit, observed, modeled, statistic: String, sources| Factor {
        component: "workload".into(),
        figure,
        label,
        unit,
        observed,
        modeled: Some(modeled),
        estimate: observed,
        statistic,
        sources,
        note: "applied in the written workload".into(),
    };
    if let Some((reads, observed)) = per_request("db_reads_per_s") {
        out.push(workload(
            "db_reads_per_request",
            "DB reads per request",
            "",
            observed,
            model.read_fraction * model.db_reads_per_read_request,
            "mean db_reads_per_s / mean requests_per_s, against read_fraction x \
             db_reads_per_read_request"
                .into(),
            vec![reads.source.clone(), rps.source.clone()],
        ));
    }
    if let Some((writes, observed)) = per_request("db_writes_per_s") {
        out.push(workload(
            "db_writes_per_request",
            "DB writes per request",
            "",
            observed,
            (1.0 - model.read_fraction) * model.db_writes_per_write_request,
            "mean db_writes_per_s / mean requests_per_s, against (1 - read_fraction) x \
             db_writes_per_write_request"
                .into(),
            vec![writes.source.clone(), rps.source.clone()],
        ));
    }
    for f in figures {
        let (label, unit, modeled) = match f.field {
            "api_response_bytes" => ("bytes per response", "bytes", model.api_response_bytes),
            "cache_hit_ratio" => ("cache hit ratio", "", model.cache_hit_ratio),
            _ => continue,
        };
        out.push(workload(
            f.field,
            label,
            unit,
            f.value,
            modeled,
            f.statistic.clone(),
            f.sources.clone(),
        ));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn series(values: &[f64]) -> Series {
        Series {
            samples: values
                .iter()
                .enumerate()
                .map(|(i, v)| (i as f64 * 60.0, *v))
                .collect(),
            source: "test".into(),
        }
    }

    fn app(cpu: f64, memory: f64) -> AppModel {
        AppModel {
            name: "api".into(),
            cpu_ms_per_request: Some(cpu),
            pod_memory_gib: Some(memory),
        }
    }

    fn observed(with_limits: bool) -> Observed {
        let mut obs = Observed::default();
        obs.series
            .insert("requests_per_s".into(), series(&[10.0, 10.0, 10.0, 10.0]));
        // mean 0.2 CPU s/s over 10 requests/s: 0.2 x 1000 / 10 = 20 ms per request
        obs.series
            .insert("cpu_seconds_per_s".into(), series(&[0.1, 0.2, 0.3, 0.2]));
        // 1, 2, 3, 4 GiB: the nearest-rank P99 of 4 samples is the 4th (ceil(0.99 x 4) = 4)
        obs.series.insert(
            "memory_bytes_per_pod".into(),
            series(&[1.0 * GIB, 2.0 * GIB, 3.0 * GIB, 4.0 * GIB]),
        );
        if with_limits {
            // Only the third sample is at the CPU limit: 0.3 >= 0.98 x 0.3; 0.2 < 0.98 x 1.
            obs.series.insert(
                "cpu_limit_seconds_per_s".into(),
                series(&[1.0, 1.0, 0.3, 1.0]),
            );
            // The 4 GiB sample is at a 4 GiB limit; 4.0 >= 0.98 x 4.
            obs.series
                .insert("memory_limit_bytes_per_pod".into(), series(&[4.0 * GIB; 4]));
        }
        obs
    }

    fn estimate(obs: &Observed, model: AppModel, figure: &str) -> (f64, f64) {
        let workload: Workload = ron::from_str(
            &std::fs::read_to_string(
                std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("models/workload/saas.ron"),
            )
            .unwrap(),
        )
        .unwrap();
        let f = factors(obs, &[], &workload, &[model])
            .into_iter()
            .find(|f| f.figure == figure)
            .unwrap();
        (f.observed, f.estimate)
    }

    #[test]
    fn a_reading_at_the_limit_raises_but_never_lowers() {
        let limited = observed(true);
        // Observed 20 ms, modeled 25 ms, one sample at the CPU limit: a floor under 25, kept.
        assert_eq!(
            estimate(&limited, app(25.0, 8.0), "cpu_ms_per_request"),
            (20.0, 25.0)
        );
        // Modeled 15 ms: the floor of 20 ms raises it.
        assert_eq!(
            estimate(&limited, app(15.0, 8.0), "cpu_ms_per_request"),
            (20.0, 20.0)
        );
        // Memory P99 4 GiB at its 4 GiB limit: modeled 6 GiB kept, modeled 3 GiB raised to 4.
        assert_eq!(
            estimate(&limited, app(25.0, 6.0), "pod_memory_gib"),
            (4.0, 6.0)
        );
        assert_eq!(
            estimate(&limited, app(25.0, 3.0), "pod_memory_gib"),
            (4.0, 4.0)
        );
        // Without limit series the readings are free: they lower the model too.
        let free = observed(false);
        assert_eq!(
            estimate(&free, app(25.0, 6.0), "cpu_ms_per_request"),
            (20.0, 20.0)
        );
        assert_eq!(
            estimate(&free, app(25.0, 6.0), "pod_memory_gib"),
            (4.0, 4.0)
        );
    }

    #[test]
    fn limits_are_matched_by_timestamp() {
        let used = series(&[1.0, 2.0]);
        // The limit's only sample is at t = 60 s (the second): 2.0 >= 0.98 x 2.0.
        let limit = Series {
            samples: vec![(60.0, 2.0)],
            source: "l".into(),
        };
        assert_eq!(samples_at_limit(&used, Some(&limit)), Some(1));
        assert_eq!(samples_at_limit(&used, None), None);
    }
}
