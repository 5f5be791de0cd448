//! `headroom queue`'s answer as text.

use std::fmt::Write;

use crate::queueing::QueueAnswer;

/// The server count, the offered load, the utilisation, P(wait) and the mean wait.
#[must_use]
pub fn text(answer: &QueueAnswer) -> String {
    let mut out = String::new();
    let _ = writeln!(
        out,
        "servers (c)         {} ({})",
        answer.servers, answer.servers_chosen_by
    );
    let _ = writeln!(
        out,
        "offered load (A)    {:.6} Erlangs",
        answer.offered_load_erlangs
    );
    let _ = writeln!(out, "utilisation (A/c)   {:.6}", answer.utilization);
    let _ = writeln!(out, "P(wait) (Erlang C)  {:.6}", answer.p_wait);
    if answer.stable {
        let _ = writeln!(out, "mean wait           {:.6} s", answer.mean_wait_s);
    } else {
        let _ = writeln!(
            out,
            "unstable: the offered load ({:.6} Erlangs) is at or above the {} servers; the queue \
             grows without bound (need more than {} servers)",
            answer.offered_load_erlangs,
            answer.servers,
            answer.offered_load_erlangs.floor() as u64
        );
    }
    out
}
