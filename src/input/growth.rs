//! The growth model (`models/growth/*.ron`): which user counts to plan for.
//!
//! Today a growth model is a ladder of named phases. The format is an enum so that
//! time-based curves (exponential, logistic, milestones) can join it without breaking files.

use std::path::Path;

use serde::{Deserialize, Serialize};

use crate::error::InputError;
use crate::input::check::Check;

/// The most users headroom plans for; beyond it f64 demand loses integer precision.
pub const MAX_USERS: u64 = 1_000_000_000_000_000;

/// One growth phase: a name and the registered users at that phase.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Phase {
    /// Short label used in tables, pins and file names ("10K", "1B").
    pub name: String,
    /// Registered users (accounts) at this phase.
    pub users: u64,
}

/// A growth model.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum Growth {
    /// A fixed ladder of phases, smallest first.
    Ladder {
        /// The phases, in increasing user count.
        phases: Vec<Phase>,
    },
}

impl Growth {
    /// The phases to plan.
    #[must_use]
    pub fn phases(&self) -> &[Phase] {
        match self {
            Growth::Ladder { phases } => phases,
        }
    }

    /// Checks the ladder: non-empty, unique names, users > 0 and increasing.
    pub fn validate(&self, file: &Path, prefix: &str) -> Result<(), InputError> {
        let c = Check::new(file, prefix).nested("phases");
        let phases = self.phases();
        if phases.is_empty() {
            return Err(Check::new(file, prefix).error("phases", "needs at least one phase"));
        }
        for (i, phase) in phases.iter().enumerate() {
            let pc = c.nested(&format!("[{i}]"));
            pc.name("name", &phase.name)?;
            if phase.users == 0 || phase.users > MAX_USERS {
                return Err(pc.error(
                    "users",
                    format!("must be between 1 and {MAX_USERS}, got {}", phase.users),
                ));
            }
            if let Some(dup) = phases[..i].iter().find(|p| p.name == phase.name) {
                return Err(pc.error("name", format!("phase `{}` is named twice", dup.name)));
            }
            if i > 0 && phase.users <= phases[i - 1].users {
                return Err(pc.error(
                    "users",
                    format!(
                        "phases must grow: {} is not above the previous phase's {}",
                        phase.users,
                        phases[i - 1].users
                    ),
                ));
            }
        }
        Ok(())
    }
}
