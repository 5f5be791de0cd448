//! `plan.json`: the plan as pretty JSON, keys in declaration order, floats shortest-exact.

use std::io::{self, Write};

use serde::Serialize;

use crate::error::Error;
use crate::plan::{PhasePlan, Plan};

/// The plan as JSON bytes (with a trailing newline).
pub fn render(plan: &Plan) -> Result<Vec<u8>, Error> {
    let mut bytes = Vec::new();
    write(plan, &mut bytes).map_err(|e| Error::Render(format!("plan.json: {e}")))?;
    Ok(bytes)
}

/// Streams the plan as JSON (with a trailing newline) into `out`: the same bytes as
/// [`render`], never all in memory at once.
///
/// The phases are most of the file (every line's derivation): they are rendered a few at a
/// time in parallel, each in its own buffer at its depth, and spliced into the rest of the
/// plan in phase order, so the bytes are those of one serialization of the whole plan.
pub fn write(plan: &Plan, out: &mut dyn Write) -> io::Result<()> {
    let shell = render_at(&without_phases(plan), 0)?;
    let (before, after) = split_at_phases(&shell)?;
    // The separators between phases are a few bytes each: gathered, not each a write.
    let mut out = io::BufWriter::new(out);
    out.write_all(before)?;
    if plan.phases.is_empty() {
        out.write_all(b"[]")?;
    } else {
        write_phases(&plan.phases, &mut out)?;
    }
    out.write_all(after)?;
    out.write_all(b"\n")?;
    out.flush()
}

/// The key of the phases, as the plan's pretty JSON writes it (one level in): a line break
/// can only be structure (strings escape theirs), so this occurs once.
const PHASES_KEY: &[u8] = b"\n  \"phases\": ";

/// Splits the JSON of a plan without phases around its empty `[]` of phases.
fn split_at_phases(shell: &[u8]) -> io::Result<(&[u8], &[u8])> {
    let at = shell
        .windows(PHASES_KEY.len())
        .position(|w| w == PHASES_KEY)
        .map(|i| i + PHASES_KEY.len())
        .filter(|&i| shell[i..].starts_with(b"[]"))
        .ok_or_else(|| io::Error::other("plan.json: no phases key in the plan's JSON"))?;
    Ok((&shell[..at], &shell[at + 2..]))
}

/// The phases array (non-empty), as the pretty printer writes it at depth 1: each phase
/// on a new line two levels in, rendered in parallel as many at a time as threads run.
fn write_phases(phases: &[PhasePlan], out: &mut impl Write) -> io::Result<()> {
    use rayon::prelude::*;
    out.write_all(b"[")?;
    let at_once = rayon::current_num_threads().max(1);
    // One buffer per phase of a chunk, reused chunk after chunk (grown once).
    let mut buffers = vec![Vec::new(); at_once];
    for (chunk_index, chunk) in phases.chunks(at_once).enumerate() {
        buffers
            .par_iter_mut()
            .zip(chunk)
            .try_for_each(|(bytes, phase)| render_into(bytes, phase, 2))?;
        for (i, bytes) in buffers[..chunk.len()].iter().enumerate() {
            if chunk_index > 0 || i > 0 {
                out.write_all(b",")?;
            }
            out.write_all(&BREAK_AND_INDENT[..1 + 2 * 2])?;
            out.write_all(bytes)?;
        }
    }
    out.write_all(&BREAK_AND_INDENT[..1 + 2])?;
    out.write_all(b"]")
}

/// `value` as pretty JSON nested `depth` levels in (its inner lines indented to match).
fn render_at<T: Serialize + ?Sized>(value: &T, depth: usize) -> io::Result<Vec<u8>> {
    let mut bytes = Vec::new();
    render_into(&mut bytes, value, depth)?;
    Ok(bytes)
}

/// [`render_at`] into `bytes`, which it empties first.
fn render_into<T: Serialize + ?Sized>(
    bytes: &mut Vec<u8>,
    value: &T,
    depth: usize,
) -> io::Result<()> {
    bytes.clear();
    let pretty = Pretty {
        depth,
        has_value: false,
    };
    value.serialize(&mut serde_json::Serializer::with_formatter(bytes, pretty))?;
    Ok(())
}

/// The plan with no phases (every other field copied; the phases are rendered on their
/// own). Every field is named: a field added to the plan must be added here.
fn without_phases(plan: &Plan) -> Plan {
    Plan {
        scenario: plan.scenario.clone(),
        provider: plan.provider.clone(),
        repriced_from: plan.repriced_from.clone(),
        output_name: plan.output_name.clone(),
        description: plan.description.clone(),
        source: plan.source.clone(),
        generated_by: plan.generated_by.clone(),
        hours_per_month: plan.hours_per_month,
        currency: plan.currency,
        pricing: plan.pricing.clone(),
        regions: plan.regions.clone(),
        workload: plan.workload.clone(),
        inputs: plan.inputs.clone(),
        assumptions: plan.assumptions.clone(),
        phases: Vec::new(),
        warnings: plan.warnings.clone(),
        budget_usd_per_month: plan.budget_usd_per_month,
        uncertainty: plan.uncertainty.clone(),
    }
}

/// A line break and the deepest indentation written in one piece (two spaces a level).
const BREAK_AND_INDENT: &[u8; 1 + 2 * 32] =
    b"\n                                                                ";

/// `serde_json::ser::PrettyFormatter` with two-space indents, byte for byte, but each line
/// break and its indentation written at once: the stock one writes the indent level by level,
/// and plan.json has some 150,000 lines nested up to eight levels deep.
#[derive(Default)]
struct Pretty {
    depth: usize,
    /// Whether the array or object being written has a value yet (else it closes as `[]`).
    has_value: bool,
}

impl Pretty {
    fn break_line<W: ?Sized + Write>(&self, w: &mut W) -> io::Result<()> {
        let width = 1 + 2 * self.depth;
        if width <= BREAK_AND_INDENT.len() {
            return w.write_all(&BREAK_AND_INDENT[..width]);
        }
        w.write_all(b"\n")?;
        (0..self.depth).try_for_each(|_| w.write_all(b"  "))
    }

    fn open<W: ?Sized + Write>(&mut self, w: &mut W, bracket: &[u8]) -> io::Result<()> {
        self.depth += 1;
        self.has_value = false;
        w.write_all(bracket)
    }

    fn close<W: ?Sized + Write>(&mut self, w: &mut W, bracket: &[u8]) -> io::Result<()> {
        self.depth -= 1;
        if self.has_value {
            self.break_line(w)?;
        }
        w.write_all(bracket)
    }

    fn item<W: ?Sized + Write>(&self, w: &mut W, first: bool) -> io::Result<()> {
        if !first {
            w.write_all(b",")?;
        }
        self.break_line(w)
    }
}

impl serde_json::ser::Formatter for Pretty {
    fn begin_array<W: ?Sized + Write>(&mut self, w: &mut W) -> io::Result<()> {
        self.open(w, b"[")
    }

    fn end_array<W: ?Sized + Write>(&mut self, w: &mut W) -> io::Result<()> {
        self.close(w, b"]")
    }

    fn begin_array_value<W: ?Sized + Write>(&mut self, w: &mut W, first: bool) -> io::Result<()> {
        self.item(w, first)
    }

    fn end_array_value<W: ?Sized + Write>(&mut self, _w: &mut W) -> io::Result<()> {
        self.has_value = true;
        Ok(())
    }

    fn begin_object<W: ?Sized + Write>(&mut self, w: &mut W) -> io::Result<()> {
        self.open(w, b"{")
    }

    fn end_object<W: ?Sized + Write>(&mut self, w: &mut W) -> io::Result<()> {
        self.close(w, b"}")
    }

    fn begin_object_key<W: ?Sized + Write>(&mut self, w: &mut W, first: bool) -> io::Result<()> {
        self.item(w, first)
    }

    fn begin_object_value<W: ?Sized + Write>(&mut self, w: &mut W) -> io::Result<()> {
        w.write_all(b": ")
    }

    fn end_object_value<W: ?Sized + Write>(&mut self, _w: &mut W) -> io::Result<()> {
        self.has_value = true;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Phases rendered apart and spliced in give the bytes of one serialization of the
    /// whole plan (saas-10b: seven phases, more than one chunk on any thread count).
    #[test]
    fn spliced_phases_match_one_serialization() {
        let scenario = crate::input::load_scenario(std::path::Path::new(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/scenarios/saas-10b.ron"
        )))
        .expect("shipped scenario loads");
        let mut plan = crate::plan::build(&scenario).expect("plan builds");
        let mut whole = render_at(&plan, 0).unwrap();
        whole.push(b'\n');
        assert_eq!(plan.phases.len(), 7);
        assert_eq!(render(&plan).unwrap(), whole);
        // No phases at all: the empty array the printer writes.
        plan.phases.clear();
        let mut whole = render_at(&plan, 0).unwrap();
        whole.push(b'\n');
        assert_eq!(render(&plan).unwrap(), whole);
        assert!(
            String::from_utf8(whole)
                .unwrap()
                .contains("\"phases\": [],")
        );
    }

    /// The same bytes as serde_json's own pretty printer, at every depth (past the one-piece
    /// indentation too) and for empty arrays and objects.
    #[test]
    fn matches_serde_json_pretty() {
        let mut deep = serde_json::json!({"leaf": [1.5, "a\"b", null, {}, []]});
        for level in 0..40 {
            deep = serde_json::json!({ "level": level, "inner": [deep, {"k": true}], "e": {} });
        }
        let mut ours = Vec::new();
        deep.serialize(&mut serde_json::Serializer::with_formatter(
            &mut ours,
            Pretty::default(),
        ))
        .unwrap();
        assert_eq!(
            String::from_utf8(ours).unwrap(),
            serde_json::to_string_pretty(&deep).unwrap()
        );
    }
}
