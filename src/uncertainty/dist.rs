//! Distributions of uncertain inputs, sampled through their quantile function.
//!
//! Every distribution is drawn by inverse transform: a uniform `u` in (0, 1) from the draw's
//! own RNG stream goes through the quantile function. That keeps three things simple and
//! exact: the median and the tornado's low/high swings are the same function at 0.5, 0.1 and
//! 0.9; truncation is a rescaling of `u`; and a `Fixed` input reproduces the certain plan.
//! statrs provides the quantile functions (PERT is a scaled Beta).

use statrs::distribution::{Beta, ContinuousCDF, LogNormal, Normal, Triangular, Uniform};

use crate::input::uncertainty::Distribution;

/// A validated distribution, ready to draw from.
#[derive(Debug, Clone)]
pub enum Sampler {
    Fixed(f64),
    Uniform(Uniform),
    Triangular(Triangular),
    /// Beta on [0, 1] scaled to [low, low + span].
    Pert {
        beta: Beta,
        low: f64,
        span: f64,
    },
    /// A distribution whose `u` is squeezed into [from, to] (truncation).
    Truncated {
        inner: Box<Sampler>,
        from: f64,
        to: f64,
    },
    Normal(Normal),
    LogNormal(LogNormal),
    /// Split normal: mid + sd_low x z below the median, mid + sd_high x z above.
    Split {
        mid: f64,
        sd_low: f64,
        sd_high: f64,
    },
}

fn finite(name: &str, v: f64) -> Result<f64, String> {
    if v.is_finite() {
        Ok(v)
    } else {
        Err(format!("`{name}` must be a finite number, got {v}"))
    }
}

fn ordered(low: f64, mid: f64, high: f64, names: [&str; 3]) -> Result<(), String> {
    if low <= mid && mid <= high && low < high {
        Ok(())
    } else {
        Err(format!(
            "expected {} <= {} <= {} with {} < {}, got {low}, {mid}, {high}",
            names[0], names[1], names[2], names[0], names[2]
        ))
    }
}

/// The standard normal's z for the `p` quantile.
fn z(p: f64) -> f64 {
    // Normal::new(0, 1) cannot fail.
    Normal::standard().inverse_cdf(p)
}

impl Distribution {
    /// Checks the parameters and builds the sampler, or says what is wrong.
    pub fn sampler(&self) -> Result<Sampler, String> {
        let s = match *self {
            Distribution::Fixed(v) => Sampler::Fixed(finite("value", v)?),
            Distribution::Uniform { low, high } => {
                finite("low", low)?;
                finite("high", high)?;
                if low >= high {
                    return Err(format!("expected low < high, got {low} and {high}"));
                }
                Sampler::Uniform(Uniform::new(low, high).map_err(|e| e.to_string())?)
            }
            Distribution::Triangular { low, mode, high } => {
                for (n, v) in [("low", low), ("mode", mode), ("high", high)] {
                    finite(n, v)?;
                }
                ordered(low, mode, high, ["low", "mode", "high"])?;
                Sampler::Triangular(Triangular::new(low, high, mode).map_err(|e| e.to_string())?)
            }
            Distribution::Pert {
                low,
                mode,
                high,
                lambda,
            } => {
                for (n, v) in [("low", low), ("mode", mode), ("high", high)] {
                    finite(n, v)?;
                }
                ordered(low, mode, high, ["low", "mode", "high"])?;
                let lambda = lambda.unwrap_or(4.0);
                if !(lambda.is_finite() && lambda > 0.0) {
                    return Err(format!("`lambda` must be > 0, got {lambda}"));
                }
                let span = high - low;
                // Beta-PERT: alpha = 1 + lambda (mode - low) / span, beta = 1 + lambda (high - mode) / span.
                let a = 1.0 + lambda * (mode - low) / span;
                let b = 1.0 + lambda * (high - mode) / span;
                Sampler::Pert {
                    beta: Beta::new(a, b).map_err(|e| e.to_string())?,
                    low,
                    span,
                }
            }
            Distribution::Normal {
                mean,
                sd,
                low,
                high,
            } => {
                finite("mean", mean)?;
                finite("sd", sd)?;
                if sd <= 0.0 {
                    return Err(format!("`sd` must be > 0, got {sd}"));
                }
                truncate(
                    Sampler::Normal(Normal::new(mean, sd).map_err(|e| e.to_string())?),
                    low,
                    high,
                )?
            }
            Distribution::LogNormal {
                mean,
                sd,
                p10,
                p90,
                min,
                max,
            } => {
                let (mu, sigma) = match (mean, sd, p10, p90) {
                    (Some(mean), Some(sd), None, None) => {
                        finite("mean", mean)?;
                        finite("sd", sd)?;
                        if mean <= 0.0 || sd <= 0.0 {
                            return Err(format!(
                                "`mean` and `sd` must be > 0, got {mean} and {sd}"
                            ));
                        }
                        // sigma^2 = ln(1 + (sd/mean)^2), mu = ln(mean) - sigma^2 / 2.
                        let s2 = (1.0 + (sd / mean).powi(2)).ln();
                        (mean.ln() - s2 / 2.0, s2.sqrt())
                    }
                    (None, None, Some(p10), Some(p90)) => {
                        finite("p10", p10)?;
                        finite("p90", p90)?;
                        if !(p10 > 0.0 && p10 < p90) {
                            return Err(format!("expected 0 < p10 < p90, got {p10} and {p90}"));
                        }
                        // ln P10 = mu - z90 sigma, ln P90 = mu + z90 sigma.
                        let z90 = z(0.9);
                        (
                            (p10.ln() + p90.ln()) / 2.0,
                            (p90.ln() - p10.ln()) / (2.0 * z90),
                        )
                    }
                    _ => {
                        return Err(
                            "give either `mean` and `sd`, or `p10` and `p90` (not both, not one)"
                                .into(),
                        );
                    }
                };
                truncate(
                    Sampler::LogNormal(LogNormal::new(mu, sigma).map_err(|e| e.to_string())?),
                    min,
                    max,
                )?
            }
            Distribution::Interval {
                low,
                mid,
                high,
                confidence,
                min,
                max,
            } => {
                for (n, v) in [("low", low), ("mid", mid), ("high", high)] {
                    finite(n, v)?;
                }
                ordered(low, mid, high, ["low", "mid", "high"])?;
                if !(confidence > 0.0 && confidence < 1.0) {
                    return Err(format!(
                        "`confidence` must be between 0 and 1 (0.9 = 90%), got {confidence}"
                    ));
                }
                let zc = z((1.0 + confidence) / 2.0);
                let split = Sampler::Split {
                    mid,
                    sd_low: (mid - low) / zc,
                    sd_high: (high - mid) / zc,
                };
                truncate(split, min, max)?
            }
        };
        Ok(s)
    }
}

/// Truncates a distribution to [low, high] by squeezing `u` into [F(low), F(high)].
fn truncate(inner: Sampler, low: Option<f64>, high: Option<f64>) -> Result<Sampler, String> {
    if low.is_none() && high.is_none() {
        return Ok(inner);
    }
    for v in [low, high].into_iter().flatten() {
        finite("bound", v)?;
    }
    if let (Some(l), Some(h)) = (low, high)
        && l >= h
    {
        return Err(format!(
            "expected the lower bound < the upper bound, got {l} and {h}"
        ));
    }
    let from = low.map_or(0.0, |l| inner.cdf(l));
    let to = high.map_or(1.0, |h| inner.cdf(h));
    if to - from < 1e-9 {
        return Err(format!(
            "the bounds [{}, {}] keep almost none of the distribution",
            low.map_or("-inf".into(), |v| v.to_string()),
            high.map_or("inf".into(), |v| v.to_string())
        ));
    }
    Ok(Sampler::Truncated {
        inner: Box::new(inner),
        from,
        to,
    })
}

impl Sampler {
    /// The value at quantile `u` (0 < u < 1).
    #[must_use]
    pub fn quantile(&self, u: f64) -> f64 {
        match self {
            Sampler::Fixed(v) => *v,
            Sampler::Uniform(d) => d.inverse_cdf(u),
            Sampler::Triangular(d) => d.inverse_cdf(u),
            Sampler::Pert { beta, low, span } => low + span * beta.inverse_cdf(u),
            Sampler::Truncated { inner, from, to } => {
                // Stay strictly inside (0, 1): the normal's quantile is infinite at the ends.
                let v = (from + u * (to - from)).clamp(f64::MIN_POSITIVE, 1.0 - f64::EPSILON);
                inner.quantile(v)
            }
            Sampler::Normal(d) => d.inverse_cdf(u),
            Sampler::LogNormal(d) => d.inverse_cdf(u),
            Sampler::Split {
                mid,
                sd_low,
                sd_high,
            } => {
                let z = z(u);
                mid + if z < 0.0 { sd_low * z } else { sd_high * z }
            }
        }
    }

    /// The share of outcomes at or below `x`.
    #[must_use]
    pub fn cdf(&self, x: f64) -> f64 {
        match self {
            Sampler::Fixed(v) => {
                if x < *v {
                    0.0
                } else {
                    1.0
                }
            }
            Sampler::Uniform(d) => d.cdf(x),
            Sampler::Triangular(d) => d.cdf(x),
            Sampler::Pert { beta, low, span } => beta.cdf(((x - low) / span).clamp(0.0, 1.0)),
            Sampler::Truncated { inner, from, to } => {
                ((inner.cdf(x) - from) / (to - from)).clamp(0.0, 1.0)
            }
            Sampler::Normal(d) => d.cdf(x),
            Sampler::LogNormal(d) => d.cdf(x),
            Sampler::Split {
                mid,
                sd_low,
                sd_high,
            } => {
                let sd = if x < *mid { sd_low } else { sd_high };
                if *sd == 0.0 {
                    if x < *mid { 0.0 } else { 1.0 }
                } else {
                    Normal::standard().cdf((x - mid) / sd)
                }
            }
        }
    }

    /// The median.
    #[must_use]
    pub fn median(&self) -> f64 {
        self.quantile(0.5)
    }

    /// True when every draw gives the same value.
    #[must_use]
    pub fn is_fixed(&self) -> bool {
        matches!(self, Sampler::Fixed(_))
    }
}

/// A uniform in (0, 1), never 0 or 1: 52 random bits, centred in their cell (53 bits would
/// put the top cell's centre at 1 - 2^-54, which rounds to 1.0).
#[must_use]
pub fn unit_open(bits: u64) -> f64 {
    ((bits >> 12) as f64 + 0.5) / (1u64 << 52) as f64
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::{Rng, SeedableRng, rngs::ChaCha8Rng};

    const N: usize = 200_000;

    /// Sample mean and a few sample quantiles from a fixed seed.
    fn sample(d: &Distribution) -> (f64, Vec<f64>) {
        let s = d.sampler().unwrap();
        let mut rng = ChaCha8Rng::seed_from_u64(7);
        let mut xs: Vec<f64> = (0..N)
            .map(|_| s.quantile(unit_open(rng.next_u64())))
            .collect();
        let mean = xs.iter().sum::<f64>() / N as f64;
        xs.sort_by(f64::total_cmp);
        let q = |p: f64| xs[(p * N as f64) as usize];
        (mean, vec![q(0.1), q(0.5), q(0.9)])
    }

    fn close(got: f64, want: f64, tol: f64) {
        assert!(
            (got - want).abs() <= tol * want.abs().max(1e-12),
            "got {got}, want {want} (relative tolerance {tol})"
        );
    }

    #[test]
    fn fixed_is_always_its_value() {
        let s = Distribution::Fixed(0.3).sampler().unwrap();
        assert_eq!(s.quantile(1e-9), 0.3);
        assert_eq!(s.quantile(0.999), 0.3);
        assert!(s.is_fixed());
    }

    #[test]
    fn uniform_moments() {
        // mean (2 + 4) / 2 = 3; P10 = 2 + 0.1 x 2 = 2.2; P90 = 3.8
        let (mean, q) = sample(&Distribution::Uniform {
            low: 2.0,
            high: 4.0,
        });
        close(mean, 3.0, 0.002);
        close(q[0], 2.2, 0.005);
        close(q[1], 3.0, 0.005);
        close(q[2], 3.8, 0.005);
    }

    #[test]
    fn triangular_moments() {
        // mean (0 + 1 + 4) / 3 = 5/3; mode 1 sits at F = (1-0)/(4-0) = 0.25, so
        // P50 = 4 - sqrt(0.5 x 4 x 3) = 4 - sqrt(6) = 1.5505
        let (mean, q) = sample(&Distribution::Triangular {
            low: 0.0,
            mode: 1.0,
            high: 4.0,
        });
        close(mean, 5.0 / 3.0, 0.003);
        close(q[1], 4.0 - 6f64.sqrt(), 0.005);
    }

    #[test]
    fn pert_mean_is_the_weighted_mode() {
        // PERT mean = (low + 4 mode + high) / 6 = (10 + 80 + 60) / 6 = 25
        let (mean, _) = sample(&Distribution::Pert {
            low: 10.0,
            mode: 20.0,
            high: 60.0,
            lambda: None,
        });
        close(mean, 25.0, 0.003);
    }

    #[test]
    fn truncated_normal_stays_inside_and_has_the_analytic_mean() {
        // Normal(0, 1) truncated to [0, inf): mean = phi(0) / (1 - Phi(0)) = 0.39894 / 0.5
        let d = Distribution::Normal {
            mean: 0.0,
            sd: 1.0,
            low: Some(0.0),
            high: None,
        };
        let (mean, q) = sample(&d);
        close(mean, 0.797_884_56, 0.005);
        // Median of the half normal: Phi^-1(0.75) = 0.67449
        close(q[1], 0.674_49, 0.01);
        let s = d.sampler().unwrap();
        assert!(s.quantile(1e-12) >= 0.0);
    }

    #[test]
    fn lognormal_from_mean_and_sd() {
        // mean 100, sd 50: sigma^2 = ln(1.25) = 0.22314, median = 100 / sqrt(1.25) = 89.443
        let (mean, q) = sample(&Distribution::LogNormal {
            mean: Some(100.0),
            sd: Some(50.0),
            p10: None,
            p90: None,
            min: None,
            max: None,
        });
        close(mean, 100.0, 0.005);
        close(q[1], 89.443, 0.005);
    }

    #[test]
    fn lognormal_from_p10_p90_hits_both() {
        // median = sqrt(2000 x 8000) = 4000
        let d = Distribution::LogNormal {
            mean: None,
            sd: None,
            p10: Some(2000.0),
            p90: Some(8000.0),
            min: None,
            max: None,
        };
        let s = d.sampler().unwrap();
        close(s.quantile(0.1), 2000.0, 1e-9);
        close(s.quantile(0.9), 8000.0, 1e-9);
        close(s.median(), 4000.0, 1e-9);
        let (_, q) = sample(&d);
        close(q[0], 2000.0, 0.01);
        close(q[2], 8000.0, 0.01);
    }

    #[test]
    fn interval_hits_its_bounds_at_the_confidence() {
        // 90% interval: low at P5, high at P95, mid at P50, skewed sides kept.
        let d = Distribution::Interval {
            low: 2.0,
            mid: 3.0,
            high: 5.0,
            confidence: 0.9,
            min: None,
            max: None,
        };
        let s = d.sampler().unwrap();
        close(s.quantile(0.05), 2.0, 1e-9);
        close(s.quantile(0.5), 3.0, 1e-12);
        close(s.quantile(0.95), 5.0, 1e-9);
        // Sample check: 90% of draws fall in [2, 5].
        let mut rng = ChaCha8Rng::seed_from_u64(3);
        let inside = (0..N)
            .filter(|_| (2.0..=5.0).contains(&s.quantile(unit_open(rng.next_u64()))))
            .count();
        close(inside as f64 / N as f64, 0.9, 0.01);
    }

    #[test]
    fn bad_parameters_say_what_is_wrong() {
        let e = Distribution::Triangular {
            low: 3.0,
            mode: 1.0,
            high: 4.0,
        }
        .sampler()
        .unwrap_err();
        assert!(e.contains("low <= mode <= high"), "{e}");
        let e = Distribution::LogNormal {
            mean: Some(1.0),
            sd: None,
            p10: None,
            p90: None,
            min: None,
            max: None,
        }
        .sampler()
        .unwrap_err();
        assert!(e.contains("`p10` and `p90`"), "{e}");
        assert!(
            Distribution::Normal {
                mean: 0.0,
                sd: 0.0,
                low: None,
                high: None
            }
            .sampler()
            .is_err()
        );
        assert!(
            Distribution::Fixed(f64::NAN)
                .sampler()
                .unwrap_err()
                .contains("finite")
        );
    }

    #[test]
    fn unit_open_never_hits_the_ends() {
        assert!(unit_open(0) > 0.0);
        assert!(unit_open(u64::MAX) < 1.0);
    }
}
