//! The fit: observed series -> workload figures, each with the statistic that produced it and
//! the spread of its daily values (for `plan --draws`). Pure maths: no I/O.

use crate::calibrate::factors::{AppModel, Factor, factors};
use crate::calibrate::series::{Observed, Series};
use crate::error::Error;
use crate::input::Workload;

/// Seconds in a day: daily figures and the per-day buckets of the spread.
const DAY_S: f64 = 86_400.0;

/// A sample is "at the limit" when it uses this share of its limit or more.
pub const AT_LIMIT_SHARE: f64 = 0.98;

/// One fitted workload figure.
#[derive(Debug, Clone, PartialEq)]
pub struct Fitted {
    /// The workload field (`requests_per_dau_per_day`).
    pub field: &'static str,
    pub value: f64,
    /// How it was computed, in words, with the series it read.
    pub statistic: String,
    /// The sources (queries or columns) of the series it read.
    pub sources: Vec<String>,
    /// P10 and P90 of the same statistic computed day by day (`None` with under two whole
    /// days of samples).
    pub daily_p10_p90: Option<(f64, f64)>,
}

/// Everything fitted.
#[derive(Debug, Clone, PartialEq)]
pub struct Fit {
    pub window: String,
    /// The user count the period had (mean of `users`), the scale of the observation.
    pub users: Option<Fitted>,
    pub figures: Vec<Fitted>,
    /// Observed over modeled, per component and figure.
    pub factors: Vec<Factor>,
}

/// The mean of `xs` (`xs` not empty).
#[must_use]
pub fn mean(xs: &[f64]) -> f64 {
    xs.iter().sum::<f64>() / xs.len() as f64
}

/// The nearest-rank `p`th percentile (0 < p <= 100) of `xs` (not empty): the smallest value
/// with at least p% of the values at or below it.
#[must_use]
pub fn percentile(xs: &[f64], p: f64) -> f64 {
    let mut sorted = xs.to_vec();
    sorted.sort_by(f64::total_cmp);
    let rank = ((p / 100.0) * sorted.len() as f64).ceil() as usize;
    sorted[rank.clamp(1, sorted.len()) - 1]
}

/// Samples of `s` split into whole days from its first sample (a partial last day dropped).
fn days(s: &Series) -> Vec<Vec<f64>> {
    let Some(&(t0, _)) = s.samples.first() else {
        return Vec::new();
    };
    let last = s.samples.last().map_or(t0, |x| x.0);
    let whole = ((last - t0) / DAY_S).floor() as usize;
    let mut out = vec![Vec::new(); whole];
    for &(t, v) in &s.samples {
        let d = ((t - t0) / DAY_S).floor() as usize;
        if d < whole {
            out[d].push(v);
        }
    }
    out.retain(|d| !d.is_empty());
    out
}

/// P10 and P90 of `stat` over the days of `a` (and `b`, day-aligned), if two days or more.
fn daily_spread(
    a: &Series,
    b: Option<&Series>,
    stat: &dyn Fn(&[f64], &[f64]) -> f64,
) -> Option<(f64, f64)> {
    let da = days(a);
    let db = b.map(days);
    let values: Vec<f64> = da
        .iter()
        .enumerate()
        .filter_map(|(i, day)| match &db {
            Some(db) => db.get(i).map(|other| stat(day, other)),
            None => Some(stat(day, &[])),
        })
        .filter(|v| v.is_finite())
        .collect();
    (values.len() >= 2).then(|| (percentile(&values, 10.0), percentile(&values, 90.0)))
}

fn need<'a>(obs: &'a Observed, name: &str) -> Result<&'a Series, Error> {
    obs.series
        .get(name)
        .ok_or_else(|| Error::Usage(format!("calibrate needs the series `{name}`")))
}

/// Fits the workload figures the observed series determine, and holds them and the App
/// components' CPU and memory against the scenario's model (`model`, `apps`).
pub fn fit(obs: &Observed, model: &Workload, apps: &[AppModel]) -> Result<Fit, Error> {
    let rps = need(obs, "requests_per_s")?;
    let rps_values = rps.values();
    let mean_rps = mean(&rps_values);
    if mean_rps <= 0.0 {
        return Err(Error::Usage(format!(
            "`requests_per_s` ({}) averages {mean_rps} over the window: nothing to fit",
            rps.source
        )));
    }
    let mut figures = Vec::new();

    // peak_to_average: the 99th percentile of the sampled rates over their mean.
    figures.push(Fitted {
        field: "peak_to_average",
        value: percentile(&rps_values, 99.0) / mean_rps,
        statistic: "99th percentile (nearest rank) of requests_per_s samples / their mean".into(),
        sources: vec![rps.source.clone()],
        daily_p10_p90: daily_spread(rps, None, &|d, _| percentile(d, 99.0) / mean(d)),
    });

    let dau = obs.series.get("daily_active_users");
    let users = obs.series.get("users").map(|u| Fitted {
        field: "users",
        value: mean(&u.values()),
        statistic: "mean users over the window".into(),
        sources: vec![u.source.clone()],
        daily_p10_p90: daily_spread(u, None, &|d, _| mean(d)),
    });
    match (dau, obs.series.get("users")) {
        (Some(dau), users_series) => {
            let mean_dau = mean(&dau.values());
            figures.push(Fitted {
                field: "requests_per_dau_per_day",
                value: mean_rps * DAY_S / mean_dau,
                statistic: "mean requests_per_s x 86,400 s / mean daily_active_users".into(),
                sources: vec![rps.source.clone(), dau.source.clone()],
                daily_p10_p90: daily_spread(rps, Some(dau), &|r, u| mean(r) * DAY_S / mean(u)),
            });
            if let Some(u) = users_series {
                let ratio = |d: &[f64], u: &[f64]| mean(d) / mean(u);
                figures.push(Fitted {
                    field: "dau_ratio",
                    value: ratio(&dau.values(), &u.values()),
                    statistic: "mean daily_active_users / mean users".into(),
                    sources: vec![dau.source.clone(), u.source.clone()],
                    daily_p10_p90: daily_spread(dau, Some(u), &ratio),
                });
            }
        }
        // Without a DAU series the user count scales the observation through the model's
        // dau_ratio: DAU = users x dau_ratio.
        (None, Some(u)) => {
            let ratio = model.dau_ratio;
            let per = |r: &[f64], u: &[f64]| mean(r) * DAY_S / (mean(u) * ratio);
            figures.push(Fitted {
                field: "requests_per_dau_per_day",
                value: per(&rps_values, &u.values()),
                statistic: format!(
                    "mean requests_per_s x 86,400 s / (mean users x dau_ratio ({ratio}, the \
                     scenario's workload))"
                ),
                sources: vec![rps.source.clone(), u.source.clone()],
                daily_p10_p90: daily_spread(rps, Some(u), &per),
            });
        }
        (None, None) => {}
    }

    figures.extend(db_figures(obs, rps, model));

    if let (Some(hits), Some(misses)) = (
        obs.series.get("cache_hits_per_s"),
        obs.series.get("cache_misses_per_s"),
    ) {
        let ratio = |h: &[f64], m: &[f64]| mean(h) / (mean(h) + mean(m));
        figures.push(Fitted {
            field: "cache_hit_ratio",
            value: ratio(&hits.values(), &misses.values()),
            statistic: "mean cache_hits_per_s / (mean hits + mean misses)".into(),
            sources: vec![hits.source.clone(), misses.source.clone()],
            daily_p10_p90: daily_spread(hits, Some(misses), &ratio),
        });
    }

    if let Some(bytes) = obs.series.get("response_bytes_per_s") {
        let per = |b: &[f64], r: &[f64]| mean(b) / mean(r);
        figures.push(Fitted {
            field: "api_response_bytes",
            value: per(&bytes.values(), &rps_values),
            statistic: "mean response_bytes_per_s / mean requests_per_s".into(),
            sources: vec![bytes.source.clone(), rps.source.clone()],
            daily_p10_p90: daily_spread(bytes, Some(rps), &per),
        });
    }

    let factors = factors(obs, &figures, model, apps);
    Ok(Fit {
        window: obs.window.clone(),
        users,
        figures,
        factors,
    })
}

/// The DB figures. The model has reads/s = requests/s x read_fraction x
/// db_reads_per_read_request and writes/s = requests/s x (1 - read_fraction) x
/// db_writes_per_write_request: three unknowns, at most two series. The statements per write
/// request are kept from the scenario (a design fact); writes then give read_fraction, and
/// reads, with that read_fraction, give db_reads_per_read_request. With reads alone,
/// read_fraction comes from them and the scenario's db_reads_per_read_request.
fn db_figures(obs: &Observed, rps: &Series, model: &Workload) -> Vec<Fitted> {
    let mut out = Vec::new();
    let reads = obs.series.get("db_reads_per_s");
    let rps_values = rps.values();
    if let Some(writes) = obs.series.get("db_writes_per_s") {
        let per = model.db_writes_per_write_request;
        let share = |r: &[f64], w: &[f64]| (1.0 - mean(w) / per / mean(r)).clamp(0.0, 1.0);
        let read_fraction = share(&rps_values, &writes.values());
        out.push(Fitted {
            field: "read_fraction",
            value: read_fraction,
            statistic: format!(
                "1 - mean db_writes_per_s / db_writes_per_write_request ({per}, the scenario's \
                 workload) / mean requests_per_s"
            ),
            sources: vec![rps.source.clone(), writes.source.clone()],
            daily_p10_p90: daily_spread(rps, Some(writes), &share),
        });
        if let Some(reads) = reads.filter(|_| read_fraction > 0.0) {
            let per_read = |d: &[f64], r: &[f64]| mean(d) / (mean(r) * read_fraction);
            out.push(Fitted {
                field: "db_reads_per_read_request",
                value: per_read(&reads.values(), &rps_values),
                statistic: format!(
                    "mean db_reads_per_s / (mean requests_per_s x read_fraction ({read_fraction}, \
                     fitted from the writes))"
                ),
                sources: vec![reads.source.clone(), rps.source.clone()],
                daily_p10_p90: daily_spread(reads, Some(rps), &per_read),
            });
        }
    } else if let Some(reads) = reads {
        let per = model.db_reads_per_read_request;
        let share = |r: &[f64], d: &[f64]| (mean(d) / per / mean(r)).clamp(0.0, 1.0);
        out.push(Fitted {
            field: "read_fraction",
            value: share(&rps_values, &reads.values()),
            statistic: format!(
                "mean db_reads_per_s / db_reads_per_read_request ({per}, the scenario's \
                 workload) / mean requests_per_s"
            ),
            sources: vec![rps.source.clone(), reads.source.clone()],
            daily_p10_p90: daily_spread(rps, Some(reads), &share),
        });
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A week of 1-minute samples: rate = base x (1 + 0.5 sin(2 pi t / day)) x (0.8 on
    /// weekend days), known figures derived from `base`.
    fn week(base: f64) -> Series {
        let samples = (0..7 * 1440)
            .map(|m| {
                let t = f64::from(m) * 60.0;
                let day = (t / DAY_S).floor();
                let weekly = if day >= 5.0 { 0.8 } else { 1.0 };
                let diurnal = 1.0 + 0.5 * (2.0 * std::f64::consts::PI * t / DAY_S).sin();
                (t, base * diurnal * weekly)
            })
            .collect();
        Series {
            samples,
            source: "test".into(),
        }
    }

    fn flat(v: f64, like: &Series) -> Series {
        Series {
            samples: like.samples.iter().map(|s| (s.0, v)).collect(),
            source: "flat".into(),
        }
    }

    #[test]
    fn percentile_is_nearest_rank() {
        let xs: Vec<f64> = (1..=100).map(f64::from).collect();
        assert_eq!(percentile(&xs, 99.0), 99.0);
        assert_eq!(percentile(&xs, 100.0), 100.0);
        assert_eq!(percentile(&[3.0], 50.0), 3.0);
    }

    #[test]
    fn recovers_known_figures() {
        let rps = week(100.0);
        let mut obs = Observed::default();
        obs.series.insert("requests_per_s".into(), rps.clone());
        obs.series
            .insert("daily_active_users".into(), flat(50_000.0, &rps));
        // 10% of requests write, 2 statements each: writes/s = rps x 0.1 x 2
        let writes = Series {
            samples: rps.samples.iter().map(|s| (s.0, s.1 * 0.2)).collect(),
            source: "w".into(),
        };
        obs.series.insert("db_writes_per_s".into(), writes);
        // CPU: 30 ms per request
        let cpu = Series {
            samples: rps.samples.iter().map(|s| (s.0, s.1 * 0.03)).collect(),
            source: "cpu".into(),
        };
        obs.series.insert("cpu_seconds_per_s".into(), cpu);
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
        let loaded = crate::input::load_scenario(&root.join("scenarios/saas-10b.ron")).unwrap();
        let mut model = loaded.workload;
        model.db_writes_per_write_request = 2.0;
        let api = AppModel {
            name: "api".into(),
            cpu_ms_per_request: Some(20.0),
            pod_memory_gib: None,
        };
        let fit = fit(&obs, &model, &[api]).unwrap();
        let get = |f: &str| fit.figures.iter().find(|x| x.field == f).unwrap().value;
        // mean rate: the sine averages 0 over whole days: (5 x 100 + 2 x 80) / 7 = 94.2857
        // requests per DAU per day = 94.2857 x 86,400 / 50,000 = 162.925...
        assert!((get("requests_per_dau_per_day") - 660.0 / 7.0 * 86_400.0 / 50_000.0).abs() < 1e-6);
        assert!((get("read_fraction") - 0.9).abs() < 1e-9);
        // p99 of the weekday samples: 100 x (1 + 0.5 sin) near its top, 1.4998 x 100 / 94.29
        let p2a = get("peak_to_average");
        assert!((p2a - 149.98 / (660.0 / 7.0)).abs() < 0.01, "{p2a}");
        let f = &fit.factors[0];
        assert_eq!(f.figure, "cpu_ms_per_request");
        assert!((f.observed - 30.0).abs() < 1e-9);
        assert!((f.ratio().unwrap() - 1.5).abs() < 1e-9);
        assert_eq!(f.estimate, f.observed);
    }

    #[test]
    fn users_scale_the_observation_and_reads_give_reads_per_request() {
        let rps = week(100.0);
        let mut obs = Observed::default();
        obs.series.insert("requests_per_s".into(), rps.clone());
        obs.series.insert("users".into(), flat(400_000.0, &rps));
        // 20% of requests write 2 statements: writes = rps x 0.2 x 2 = 0.4 rps -> read_fraction
        // 1 - 0.4 / 2 = 0.8; reads = rps x 0.8 x 5 = 4 rps -> 4 / 0.8 = 5 reads per read request
        let scaled = |k: f64, name: &str| Series {
            samples: rps.samples.iter().map(|s| (s.0, s.1 * k)).collect(),
            source: name.into(),
        };
        obs.series
            .insert("db_writes_per_s".into(), scaled(0.4, "w"));
        obs.series.insert("db_reads_per_s".into(), scaled(4.0, "r"));
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
        let mut model = crate::input::load_scenario(&root.join("scenarios/saas-10b.ron"))
            .unwrap()
            .workload;
        model.db_writes_per_write_request = 2.0;
        model.dau_ratio = 0.25;
        let fitted = fit(&obs, &model, &[]).unwrap();
        let get = |f: &str| fitted.figures.iter().find(|x| x.field == f).unwrap().value;
        assert!((get("read_fraction") - 0.8).abs() < 1e-9);
        assert!((get("db_reads_per_read_request") - 5.0).abs() < 1e-9);
        // No DAU series: DAU = 400,000 users x 0.25 = 100,000;
        // 660 / 7 requests/s x 86,400 / 100,000 = 81.462857...
        assert!((get("requests_per_dau_per_day") - 660.0 / 7.0 * 0.864).abs() < 1e-6);
        assert_eq!(fitted.users.as_ref().unwrap().value, 400_000.0);
        // With a DAU series of 60,000: dau_ratio = 60,000 / 400,000 = 0.15.
        obs.series
            .insert("daily_active_users".into(), flat(60_000.0, &rps));
        let fitted = fit(&obs, &model, &[]).unwrap();
        let get = |f: &str| fitted.figures.iter().find(|x| x.field == f).unwrap().value;
        assert!((get("dau_ratio") - 0.15).abs() < 1e-12);
        // DB reads per request observed 4 against the model's 0.9 x 3 = 2.7 (saas workload).
        let reads = fitted
            .factors
            .iter()
            .find(|f| f.figure == "db_reads_per_request")
            .unwrap();
        assert!((reads.observed - 4.0).abs() < 1e-9);
        assert!(
            (reads.ratio().unwrap()
                - 4.0 / (model.read_fraction * model.db_reads_per_read_request))
                .abs()
                < 1e-9
        );
    }
}
