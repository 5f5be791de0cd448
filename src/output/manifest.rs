//! The manifest of an output folder: which files headroom wrote there, and which command
//! (`plan`, `timeline`) wrote each.
//!
//! It lives at `<folder>/.headroom-manifest`, one `<owner>\t<relative path>` line per file.
//! It only ever decides what a run does *not* carry over from the old folder; no path read
//! from it is ever opened or deleted, so a hand-edited manifest cannot reach outside the
//! folder.

use std::collections::BTreeMap;

/// The manifest's file name inside the output folder.
pub const FILE_NAME: &str = ".headroom-manifest";

const HEADER: &str = "# headroom: files written by headroom here (owner<TAB>path). A run replaces its own\n\
# files and removes those it no longer writes; files not listed are yours and never touched.\n";

/// The command that wrote a file.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Owner {
    /// `headroom plan`: plan.json, csv, charts, tfvars, report.
    Plan,
    /// `headroom timeline`: `timeline/`.
    Timeline,
    /// `headroom backtest`: `backtest/`.
    Backtest,
}

impl Owner {
    fn name(self) -> &'static str {
        match self {
            Owner::Plan => "plan",
            Owner::Timeline => "timeline",
            Owner::Backtest => "backtest",
        }
    }

    fn parse(s: &str) -> Option<Owner> {
        match s {
            "plan" => Some(Owner::Plan),
            "timeline" => Some(Owner::Timeline),
            "backtest" => Some(Owner::Backtest),
            _ => None,
        }
    }
}

/// Relative path (with `/` separators) -> the command that wrote it.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Manifest {
    pub files: BTreeMap<String, Owner>,
}

impl Manifest {
    /// Reads a manifest's text; lines that are not `<owner>\t<path>` are ignored (a damaged
    /// manifest makes headroom own less, never more).
    #[must_use]
    pub fn parse(text: &str) -> Manifest {
        let files = text
            .lines()
            .filter(|l| !l.starts_with('#'))
            .filter_map(|l| {
                let (owner, path) = l.split_once('\t')?;
                Some((path.to_string(), Owner::parse(owner)?))
            })
            .filter(|(path, _)| !path.is_empty())
            .collect();
        Manifest { files }
    }

    /// The manifest's text, sorted by path (same files, same bytes).
    #[must_use]
    pub fn to_text(&self) -> String {
        let mut out = String::from(HEADER);
        for (path, owner) in &self.files {
            out.push_str(owner.name());
            out.push('\t');
            out.push_str(path);
            out.push('\n');
        }
        out
    }

    /// Who wrote `path`, if headroom did.
    #[must_use]
    pub fn owner(&self, path: &str) -> Option<Owner> {
        self.files.get(path).copied()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trips_and_ignores_damage() {
        let mut m = Manifest::default();
        m.files.insert("plan.json".into(), Owner::Plan);
        m.files
            .insert("timeline/timeline.csv".into(), Owner::Timeline);
        let text = m.to_text();
        assert!(text.ends_with("plan\tplan.json\ntimeline\ttimeline/timeline.csv\n"));
        assert_eq!(Manifest::parse(&text), m);
        let damaged = "plan\tplan.json\nnonsense\nhacker\t../x\nplan\t\n";
        let parsed = Manifest::parse(damaged);
        assert_eq!(parsed.files.len(), 1);
        assert_eq!(parsed.owner("plan.json"), Some(Owner::Plan));
        assert_eq!(parsed.owner("../x"), None);
    }
}
