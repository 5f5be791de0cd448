//! M/M/c queueing: Erlang B and Erlang C, computed stably for any number of servers.
//!
//! The textbook form A^c/c! overflows f64 near 170 servers and loses all precision long
//! before; the Erlang-B recurrence B(0) = 1, B(k) = A B(k-1) / (k + A B(k-1)) stays in [0, 1]
//! and works for 50,000+ servers. Erlang C follows from B:
//! C = c B / (c - A (1 - B)), for c > A.

use serde::Serialize;

/// The state of an M/M/c queue with `servers` servers and offered load `offered_load_erlangs`.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct QueueState {
    /// Servers, c.
    pub servers: u64,
    /// Offered load A = arrival rate x service time, in Erlangs.
    pub offered_load_erlangs: f64,
    /// Server utilisation A / c.
    pub utilization: f64,
    /// Probability that an arrival waits, Erlang C.
    pub p_wait: f64,
    /// Mean wait in units of the service time: C / (c - A).
    pub mean_wait_service_times: f64,
}

/// Erlang B (blocking probability) for `servers` servers and load `a` Erlangs.
#[must_use]
pub fn erlang_b(servers: u64, a: f64) -> f64 {
    let mut b = 1.0;
    for k in 1..=servers {
        b = a * b / (k as f64 + a * b);
    }
    b
}

/// Erlang C from Erlang B; 1 when the queue is unstable (c <= A).
#[must_use]
fn erlang_c_from_b(servers: u64, a: f64, b: f64) -> f64 {
    let c = servers as f64;
    if c <= a {
        return 1.0;
    }
    c * b / (c - a * (1.0 - b))
}

/// The queue's state with `servers` servers.
#[must_use]
pub fn state(servers: u64, a: f64) -> QueueState {
    let b = erlang_b(servers, a);
    queue_state(servers, a, b)
}

fn queue_state(servers: u64, a: f64, b: f64) -> QueueState {
    let c = servers as f64;
    let p_wait = erlang_c_from_b(servers, a, b);
    let mean_wait_service_times = if c > a {
        p_wait / (c - a)
    } else {
        f64::INFINITY
    };
    QueueState {
        servers,
        offered_load_erlangs: a,
        utilization: if c > 0.0 { a / c } else { f64::INFINITY },
        p_wait,
        mean_wait_service_times,
    }
}

/// A wait target for [`smallest_servers`].
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct WaitTarget {
    /// Largest acceptable P(wait).
    pub max_p_wait: Option<f64>,
    /// Largest acceptable mean wait, in service times.
    pub max_mean_wait_service_times: Option<f64>,
}

/// The smallest server count meeting `target` for load `a`, at least `min_servers`.
///
/// Walks the Erlang-B recurrence once, so the search is O(c).
#[must_use]
pub fn smallest_servers(a: f64, target: WaitTarget, min_servers: u64) -> QueueState {
    let mut b = 1.0;
    let mut k: u64 = 0;
    loop {
        k += 1;
        b = a * b / (k as f64 + a * b);
        if k < min_servers.max(1) || (k as f64) <= a {
            continue;
        }
        let s = queue_state(k, a, b);
        let p_ok = target.max_p_wait.is_none_or(|p| s.p_wait <= p);
        let w_ok = target
            .max_mean_wait_service_times
            .is_none_or(|w| s.mean_wait_service_times <= w);
        if p_ok && w_ok {
            return s;
        }
    }
}

/// The answer of `headroom queue`.
#[derive(Debug, Clone, serde::Serialize)]
pub struct QueueAnswer {
    pub arrival_rate_per_s: f64,
    pub service_time_s: f64,
    pub servers: u64,
    pub offered_load_erlangs: f64,
    pub utilization: f64,
    pub p_wait: f64,
    pub mean_wait_s: f64,
    /// `given` (--servers) or `smallest meeting the target`.
    pub servers_chosen_by: String,
    /// Whether the queue settles: offered load below the servers (A < c). At A >= c work
    /// arrives faster than the servers finish it, the queue grows without bound, and the
    /// waits above are not a steady state.
    pub stable: bool,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn textbook_example_a10_c12() {
        // A = 10 Erlangs, c = 12: P(wait) = 0.44939, mean wait = 0.22469 service times
        // (C / (c - A) = 0.44939 / 2).
        let s = state(12, 10.0);
        assert!((s.p_wait - 0.44939).abs() < 5e-6, "{}", s.p_wait);
        assert!((s.mean_wait_service_times - 0.22469).abs() < 5e-6);
    }

    #[test]
    fn erlang_b_small_cases() {
        // c = 1: B = A / (1 + A); A = 1 -> 0.5
        assert!((erlang_b(1, 1.0) - 0.5).abs() < 1e-12);
        // c = 2, A = 1: B = (A^2/2) / (1 + A + A^2/2) = 0.5 / 2.5 = 0.2
        assert!((erlang_b(2, 1.0) - 0.2).abs() < 1e-12);
    }

    #[test]
    fn unstable_queue_always_waits() {
        let s = state(10, 10.0);
        assert_eq!(s.p_wait, 1.0);
        assert!(s.mean_wait_service_times.is_infinite());
    }

    #[test]
    fn smallest_servers_meets_target_and_one_less_does_not() {
        let target = WaitTarget {
            max_p_wait: Some(0.2),
            max_mean_wait_service_times: None,
        };
        let s = smallest_servers(10.0, target, 1);
        assert!(s.p_wait <= 0.2);
        assert!(state(s.servers - 1, 10.0).p_wait > 0.2);
        // For A = 10: c = 13 gives P(wait) = 0.2853, c = 14 gives 0.1741 -> 14.
        assert_eq!(s.servers, 14);
    }

    #[test]
    fn works_for_fifty_thousand_erlangs() {
        // Square-root staffing: c ~ A + beta sqrt(A); for P(wait) = 0.1, beta ~ 1.42
        // -> about 50,000 + 318 servers. The textbook form would overflow here.
        let target = WaitTarget {
            max_p_wait: Some(0.1),
            max_mean_wait_service_times: None,
        };
        let s = smallest_servers(50_000.0, target, 1);
        assert!(s.p_wait.is_finite() && s.p_wait <= 0.1);
        assert!((50_250..50_400).contains(&s.servers), "{}", s.servers);
        assert!(state(s.servers - 1, 50_000.0).p_wait > 0.1);
    }

    #[test]
    fn mean_wait_target() {
        let target = WaitTarget {
            max_p_wait: None,
            max_mean_wait_service_times: Some(0.01),
        };
        let s = smallest_servers(10.0, target, 1);
        assert!(s.mean_wait_service_times <= 0.01);
        assert!(state(s.servers - 1, 10.0).mean_wait_service_times > 0.01);
    }
}
