//! Emptied buffers of a thread's sizings, kept for its next ones.
//!
//! Monte Carlo draws size every component of every phase thousands of times, and each sizing
//! fills a few vectors: a list of lines per region (room for [`REGION_LINES`] lines of a few
//! hundred bytes each), the component's added-up lines, each multi-region line's price parts
//! and the per-region counts. Fresh ones for every sizing were most of a draw's allocations
//! and of its allocated bytes, memory to bring into cache again each time; a buffer taken back
//! here is still there. Only emptied vectors are kept, so nothing read from a spare one can
//! differ from a fresh one.

use std::cell::RefCell;

use crate::sizing::{PricePart, RegionLine, SizedLine};

/// Room for every line one region of a component lists (the longest rule lists about a
/// dozen): a rule that starts its lines in such a list never moves them to a grown buffer.
pub const REGION_LINES: usize = 16;

/// Most emptied vectors of each kind a thread keeps (a phase's worth: a few per component,
/// one parts list per multi-region line).
const MOST_KEPT: usize = 64;

/// One thread's emptied vectors, by what they hold.
struct Spare {
    region_lines: Vec<Vec<RegionLine>>,
    lines: Vec<Vec<SizedLine>>,
    parts: Vec<Vec<PricePart>>,
    counts: Vec<Vec<u64>>,
}

thread_local! {
    static SPARE: RefCell<Spare> = const {
        RefCell::new(Spare {
            region_lines: Vec::new(),
            lines: Vec::new(),
            parts: Vec::new(),
            counts: Vec::new(),
        })
    };
}

/// Keeps `v` (emptied) in the list `pick` selects, up to [`MOST_KEPT`].
fn keep<T>(mut v: Vec<T>, pick: fn(&mut Spare) -> &mut Vec<Vec<T>>) {
    if v.capacity() == 0 {
        return;
    }
    v.clear();
    SPARE.with_borrow_mut(|spare| {
        let kept = pick(spare);
        if kept.len() < MOST_KEPT {
            kept.push(v);
        }
    });
}

/// An empty list of a region's lines with room for all of them.
#[must_use]
pub fn region_lines() -> Vec<RegionLine> {
    SPARE
        .with_borrow_mut(|s| s.region_lines.pop())
        .unwrap_or_else(|| Vec::with_capacity(REGION_LINES))
}

/// Gives back a list of region lines read to the end.
pub fn keep_region_lines(lines: Vec<RegionLine>) {
    if lines.capacity() >= REGION_LINES {
        keep(lines, |s| &mut s.region_lines);
    }
}

/// An empty list of a component's lines.
#[must_use]
pub fn lines() -> Vec<SizedLine> {
    SPARE.with_borrow_mut(|s| s.lines.pop()).unwrap_or_default()
}

/// An empty list of a line's price parts.
#[must_use]
pub fn parts() -> Vec<PricePart> {
    SPARE.with_borrow_mut(|s| s.parts.pop()).unwrap_or_default()
}

/// An empty list of counts.
#[must_use]
pub fn counts() -> Vec<u64> {
    SPARE
        .with_borrow_mut(|s| s.counts.pop())
        .unwrap_or_default()
}

/// Gives back a component's lines, with their price parts.
pub fn keep_lines(mut lines: Vec<SizedLine>) {
    SPARE.with_borrow_mut(|spare| {
        for line in &mut lines {
            let mut parts = std::mem::take(&mut line.parts);
            if parts.capacity() > 0 && spare.parts.len() < MOST_KEPT {
                parts.clear();
                spare.parts.push(parts);
            }
        }
    });
    keep(lines, |s| &mut s.lines);
}

/// Gives back a list of counts.
pub fn keep_counts(counts: Vec<u64>) {
    keep(counts, |s| &mut s.counts);
}
