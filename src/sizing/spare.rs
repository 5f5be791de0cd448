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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sizing::{Measure, PriceKey};

    fn line(region: &str) -> RegionLine {
        RegionLine::billed(
            "primary",
            3,
            Measure::Instances { memory_gib: None },
            PriceKey::new("rds", "db.r6g.large", region),
        )
    }

    #[test]
    fn a_kept_region_list_comes_back_empty_with_its_room() {
        let mut lines = region_lines();
        assert!(lines.capacity() >= REGION_LINES);
        lines.push(line("us-east-1"));
        let buffer = lines.as_ptr();
        keep_region_lines(lines);
        let again = region_lines();
        // The same buffer, emptied: nothing of the last sizing shows through.
        assert_eq!(again.as_ptr(), buffer);
        assert!(again.is_empty());
        assert!(again.capacity() >= REGION_LINES);
    }

    #[test]
    fn a_list_too_small_for_a_region_is_not_kept() {
        // Drain what this thread kept so far, then offer a list with room for 2 lines.
        while SPARE.with_borrow_mut(|s| s.region_lines.pop()).is_some() {}
        keep_region_lines(Vec::with_capacity(2));
        assert_eq!(SPARE.with_borrow(|s| s.region_lines.len()), 0);
    }

    #[test]
    fn kept_lines_give_back_their_parts_emptied() {
        while SPARE.with_borrow_mut(|s| s.parts.pop()).is_some() {}
        let mut parts = parts();
        parts.push(PricePart {
            key: PriceKey::new("rds", "db.r6g.large", "eu-west-1"),
            count: 2,
        });
        let buffer = parts.as_ptr();
        let sized = SizedLine {
            item: "primary".into(),
            count: 5,
            measure: Measure::Instances { memory_gib: None },
            names_instance: true,
            price: Some(PriceKey::new("rds", "db.r6g.large", "us-east-1")),
            parts,
            per_unit: false,
            binding: None,
            limit: None,
            derivation: Vec::new(),
        };
        keep_lines(vec![sized]);
        let again = super::parts();
        assert_eq!(again.as_ptr(), buffer);
        assert!(again.is_empty());
        // The line list itself is kept too, emptied (a fresh one would have no room).
        let list = lines();
        assert!(list.is_empty());
        assert!(list.capacity() >= 1);
    }

    #[test]
    fn at_most_a_phase_worth_is_kept() {
        while SPARE.with_borrow_mut(|s| s.counts.pop()).is_some() {}
        for _ in 0..MOST_KEPT + 5 {
            keep_counts(Vec::with_capacity(3));
        }
        assert_eq!(SPARE.with_borrow(|s| s.counts.len()), MOST_KEPT);
    }
}
