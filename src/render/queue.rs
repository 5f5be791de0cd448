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
    let _ = writeln!(out, "mean wait           {:.6} s", answer.mean_wait_s);
    out
}
