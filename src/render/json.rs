//! `plan.json`: the plan as pretty JSON, keys in declaration order, floats shortest-exact.

use std::io::{self, Write};

use serde::Serialize;

use crate::error::Error;
use crate::plan::Plan;

/// Bytes serde hands the file at once: its writes are a few bytes each (a brace, a key), so
/// they gather here instead of each going through `out`.
const BUFFER_BYTES: usize = 64 * 1024;

/// The plan as JSON bytes (with a trailing newline).
pub fn render(plan: &Plan) -> Result<Vec<u8>, Error> {
    let mut bytes = Vec::new();
    write(plan, &mut bytes).map_err(|e| Error::Render(format!("plan.json: {e}")))?;
    Ok(bytes)
}

/// Streams the plan as JSON (with a trailing newline) into `out`: the same bytes as
/// [`render`], never all in memory at once.
pub fn write(plan: &Plan, out: &mut dyn Write) -> io::Result<()> {
    let mut buffered = io::BufWriter::with_capacity(BUFFER_BYTES, out);
    let mut serializer = serde_json::Serializer::with_formatter(&mut buffered, Pretty::default());
    plan.serialize(&mut serializer)?;
    buffered.write_all(b"\n")?;
    buffered.flush()
}

/// What a plan carries as its last warning while that warning is still being worked out
/// (the timeline's budget check, run beside writing the plan): [`write_with_late_warning`]
/// puts the real one in its place. Control characters: no warning text has them.
pub const LATE_WARNING: &str = "\u{1}late warning\u{1}";

/// Writes the plan as [`write`] would once its last warning, now [`LATE_WARNING`], is known:
/// the plan is serialized while `late` works it out on another thread, and the placeholder
/// is then replaced by the warning `late` returns, or removed when it returns none.
///
/// The document is held in memory until `late` answers (its warnings come before its end).
pub fn write_with_late_warning(
    plan: &Plan,
    late: &dyn Fn() -> io::Result<Option<String>>,
    out: &mut dyn Write,
) -> io::Result<()> {
    // Room for a large plan at once (plan.json of the 10B scenarios is ~5 MB): a growing
    // buffer would copy it several times. Pages never written are never touched.
    let mut bytes = Vec::with_capacity(16 << 20);
    plan.serialize(&mut serde_json::Serializer::with_formatter(
        &mut bytes,
        Pretty::default(),
    ))?;
    bytes.push(b'\n');
    let warning = late()?;
    splice_late_warning(&mut bytes, warning.as_deref())?;
    out.write_all(&bytes)
}

/// Puts `warning` where [`LATE_WARNING`] is in the pretty JSON `bytes` (the last element of an
/// array), or removes that element with its separator.
fn splice_late_warning(bytes: &mut Vec<u8>, warning: Option<&str>) -> io::Result<()> {
    let placeholder = serde_json::to_vec(LATE_WARNING)?;
    let missing = || io::Error::other("plan.json: the late warning's placeholder is missing");
    let at = bytes
        .windows(placeholder.len())
        .rposition(|w| w == placeholder.as_slice())
        .ok_or_else(missing)?;
    let end = at + placeholder.len();
    if let Some(text) = warning {
        bytes.splice(at..end, serde_json::to_vec(text)?);
        return Ok(());
    }
    let is_space = |b: &u8| matches!(b, b' ' | b'\n');
    let before = bytes[..at]
        .iter()
        .rposition(|b| !is_space(b))
        .ok_or_else(missing)?;
    let close = end + bytes[end..].iter().take_while(|b| is_space(b)).count();
    match (bytes[before], bytes.get(close)) {
        // After another element: its comma, the line break and the placeholder go.
        (b',', Some(b']')) => drop(bytes.drain(before..end)),
        // Alone: the array is written empty, `[]`, as serde writes one.
        (b'[', Some(b']')) => drop(bytes.drain(before + 1..close)),
        _ => return Err(missing()),
    }
    Ok(())
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

    fn pretty(value: &serde_json::Value) -> Vec<u8> {
        let mut out = Vec::new();
        value
            .serialize(&mut serde_json::Serializer::with_formatter(
                &mut out,
                Pretty::default(),
            ))
            .unwrap();
        out
    }

    /// The late warning replaced, or removed after other warnings or alone, gives the bytes
    /// of the document written with its final warnings; text after the array is kept.
    #[test]
    fn a_late_warning_is_spliced_as_if_it_had_been_there() {
        let doc = |warnings: &[&str]| {
            pretty(&serde_json::json!({
                "phases": [{"name": "10B", "note": "a \"quoted\" text"}],
                "warnings": warnings,
                "budget_usd_per_month": 2e7,
                "tail": ["x"],
            }))
        };
        let late = "timeline: 51 of 121 months are above the budget (\"$20,000,000.00\")";
        for (before, warning) in [
            (vec!["uncertain price"], Some(late)),
            (vec!["uncertain price", "phase 10B over"], None),
            (vec![], Some(late)),
            (vec![], None),
        ] {
            let mut with_placeholder = before.clone();
            with_placeholder.push(LATE_WARNING);
            let mut bytes = doc(&with_placeholder);
            splice_late_warning(&mut bytes, warning).unwrap();
            let mut after = before.clone();
            after.extend(warning);
            assert_eq!(
                String::from_utf8(bytes).unwrap(),
                String::from_utf8(doc(&after)).unwrap(),
                "{before:?} then {warning:?}"
            );
        }
        // No placeholder: an error, never a silently wrong document.
        let mut bytes = doc(&["uncertain price"]);
        assert!(splice_late_warning(&mut bytes, None).is_err());
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
