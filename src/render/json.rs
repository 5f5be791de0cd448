//! `plan.json`: the plan as pretty JSON, keys in declaration order, floats shortest-exact.

use std::io::{self, Write};

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
    serde_json::to_writer_pretty(&mut buffered, plan)?;
    buffered.write_all(b"\n")?;
    buffered.flush()
}
