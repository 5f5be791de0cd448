//! `plan.json`: the plan as pretty JSON, keys in declaration order, floats shortest-exact.

use crate::error::Error;
use crate::plan::Plan;

/// The plan as JSON bytes (with a trailing newline).
pub fn render(plan: &Plan) -> Result<Vec<u8>, Error> {
    let mut bytes =
        serde_json::to_vec_pretty(plan).map_err(|e| Error::Render(format!("plan.json: {e}")))?;
    bytes.push(b'\n');
    Ok(bytes)
}
