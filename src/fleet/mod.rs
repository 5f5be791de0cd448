//! A fleet: what actually runs, read from an infra repo, as counts per scenario component and
//! plan line, for `headroom check --fleet` and `headroom capacity --fleet`.
//!
//! Three readers, chosen by the file name:
//! - `*.csv`: an inventory, one row per (component, item, instance, count, region)
//!   ([`inventory`]);
//! - `*.tfvars` / `*.tfvars.json`: the variable files `headroom plan` writes, read back through
//!   their `component_counts` and `instance_types` ([`tfvars`]);
//! - any other `*.json`: a Terraform plan (`terraform show -json`), whose `resource_changes`
//!   of the AWS resource types in [`terraform`] become counts.
//!
//! [`shape`] says how many of the plan's instances a fleet instance of another type stands
//! for. Nothing here knows a plan: comparing is `check`'s and `capacity`'s work.

pub mod inventory;
pub mod shape;
pub mod terraform;
pub mod tfvars;

use std::path::Path;

use serde::Serialize;

use crate::error::InputError;
use crate::input::Scenario;

/// The largest count one fleet entry may have: above any plan line (a 10B-user plan's CDN
/// requests are ~1e13 a month) and far below `u64::MAX`. Sums of entries saturate.
pub const MAX_COUNT: u64 = 1_000_000_000_000_000_000;

/// Some of one plan line that runs.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct FleetEntry {
    /// The scenario component.
    pub component: String,
    /// The plan line item (`primary`, `node`, `broker`...).
    pub item: String,
    /// The instance type, where the source names one.
    pub instance: Option<String>,
    pub count: u64,
    /// The region, where the source names one.
    pub region: Option<String>,
    /// Where it was read: `fleet.csv:3`, `aws_db_instance.users_db["users-db"]`.
    pub origin: String,
}

/// Something in the file the fleet leaves out, and why.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Ignored {
    /// A Terraform address or a file location.
    pub what: String,
    pub reason: String,
}

/// Everything read from a fleet file.
#[derive(Debug, Clone, Serialize)]
pub struct Fleet {
    pub file: String,
    /// `inventory`, `tfvars` or `terraform-plan`.
    pub format: &'static str,
    /// The phase the file says it was planned for (a tfvars file's `headroom_phase`).
    pub phase: Option<String>,
    pub entries: Vec<FleetEntry>,
    pub ignored: Vec<Ignored>,
}

/// What runs of one plan line: the entries' counts summed, and their instance type.
#[derive(Debug, Clone, PartialEq)]
pub struct Running {
    pub count: u64,
    /// The instance type the entries name; `None` when none names one.
    pub instance: Option<String>,
    /// Where the entries were read.
    pub origins: Vec<String>,
}

impl Fleet {
    /// Whether any entry is of `component`.
    #[must_use]
    pub fn has_component(&self, component: &str) -> bool {
        self.entries.iter().any(|e| e.component == component)
    }

    /// What runs of (component, item): one [`Running`] per instance type, counts summed,
    /// largest first; empty when no entry is of it.
    #[must_use]
    pub fn running(&self, component: &str, item: &str) -> Vec<Running> {
        let mut out: Vec<Running> = Vec::new();
        for e in self
            .entries
            .iter()
            .filter(|e| e.component == component && e.item == item)
        {
            match out.iter_mut().find(|r| r.instance == e.instance) {
                Some(r) => {
                    r.count = r.count.saturating_add(e.count);
                    r.origins.push(e.origin.clone());
                }
                None => out.push(Running {
                    count: e.count,
                    instance: e.instance.clone(),
                    origins: vec![e.origin.clone()],
                }),
            }
        }
        out.sort_by(|a, b| b.count.cmp(&a.count).then(a.instance.cmp(&b.instance)));
        out
    }
}

/// Reads a fleet file, naming its components after `scenario`'s.
pub fn read(path: &Path, scenario: &Scenario) -> Result<Fleet, InputError> {
    let text = std::fs::read_to_string(path).map_err(|source| InputError::Read {
        path: path.to_path_buf(),
        source,
    })?;
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().to_lowercase())
        .unwrap_or_default();
    let file = path.display().to_string();
    let (format, phase, entries, ignored) = if name.ends_with(".csv") {
        (
            "inventory",
            None,
            inventory::read(path, &text, scenario)?,
            Vec::new(),
        )
    } else if name.ends_with(".tfvars") || name.ends_with(".tfvars.json") {
        let (phase, entries) = tfvars::read(path, &text, scenario)?;
        ("tfvars", phase, entries, Vec::new())
    } else if name.ends_with(".json") {
        let (entries, ignored) = terraform::read(path, &text, scenario)?;
        ("terraform-plan", None, entries, ignored)
    } else {
        return Err(InputError::file(
            path,
            "a fleet is an inventory (.csv), a headroom tfvars file (.tfvars, .tfvars.json) or a \
             Terraform plan in JSON (`terraform show -json plan.out > plan.json`)",
        ));
    };
    Ok(Fleet {
        file,
        format,
        phase,
        entries,
        ignored,
    })
}

/// A count read from a fleet file, checked against [`MAX_COUNT`].
pub(crate) fn checked_count(path: &Path, at: &str, count: u64) -> Result<u64, InputError> {
    if count > MAX_COUNT {
        return Err(InputError::field(
            path,
            at,
            format!("count {count} is beyond {MAX_COUNT}"),
        ));
    }
    Ok(count)
}

/// The scenario component called `name`, or an error suggesting the closest.
pub(crate) fn known_component(
    path: &Path,
    at: &str,
    scenario: &Scenario,
    name: &str,
) -> Result<(), InputError> {
    if scenario.spec.components.iter().any(|c| c.name == name) {
        return Ok(());
    }
    let names: Vec<&str> = scenario
        .spec
        .components
        .iter()
        .map(|c| c.name.as_str())
        .collect();
    Err(InputError::field(
        path,
        at,
        format!(
            "no component `{name}` in scenario {}{}; its components: {}",
            scenario.spec.name,
            crate::error::did_you_mean(name, names.iter().copied()),
            names.join(", ")
        ),
    ))
}
