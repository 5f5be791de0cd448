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
