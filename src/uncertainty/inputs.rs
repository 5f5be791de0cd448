//! Uncertain inputs: which scenario numbers vary, and how a draw's values reach the model.
//!
//! An input is named by the same dotted path as `--set` (`workload.dau_ratio`,
//! `components.users-db.policy.headroom`, `growth.phases[3].users`), plus `users_scale`, a
//! factor on every phase's users ("the growth curve is a guess"). A draw writes its values
//! into JSON copies of the affected models and reads them back as typed models, so a drawn
//! value goes through exactly the types and checks a value in a file does.

use std::collections::BTreeMap;
use std::path::Path;

use serde::de::DeserializeOwned;
use serde_json::Value;

use crate::error::InputError;
use crate::input::check::Check;
use crate::input::overrides::{node_at, segments};
use crate::input::uncertainty::Distribution;
use crate::input::{Growth, Policy, Scenario, Workload};
use crate::uncertainty::dist::{Sampler, unit_open};

/// The special path that scales every phase's users.
pub const USERS_SCALE: &str = "users_scale";

/// What a path changes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Target {
    Workload,
    Growth,
    /// The policy of component `index`.
    Policy(usize),
    UsersScale,
}

/// One uncertain input, resolved against the scenario.
#[derive(Debug, Clone)]
pub struct UncertainInput {
    /// The path as written.
    pub path: String,
    pub distribution: Distribution,
    pub sampler: Sampler,
    /// The value in the scenario as written (1 for `users_scale`).
    pub point: f64,
    /// The field holds an integer: draws are rounded to the nearest one.
    pub integer: bool,
    target: Target,
    /// Path inside the target's JSON form.
    inner: Vec<String>,
}

impl UncertainInput {
    /// The value a draw at quantile `u` gives (rounded for integer fields).
    #[must_use]
    pub fn value_at(&self, u: f64) -> f64 {
        let v = self.sampler.quantile(u);
        if self.integer { v.round().max(0.0) } else { v }
    }
}

/// Every uncertain input of a scenario, with the JSON forms draws start from.
#[derive(Debug, Clone)]
pub struct Inputs {
    pub list: Vec<UncertainInput>,
    file: std::path::PathBuf,
    /// The workload as loaded, and whether every uncertain workload input is one of its
    /// numeric fields (set in place; otherwise through JSON).
    base_workload: Workload,
    workload_direct: bool,
    workload: Value,
    growth: Value,
    policies: BTreeMap<usize, Value>,
    base_users: Vec<u64>,
}

fn field_error(file: &Path, path: &str, message: impl Into<String>) -> InputError {
    InputError::field(file, format!("uncertainty.inputs.\"{path}\""), message)
}

fn to_json<T: serde::Serialize>(file: &Path, v: &T) -> Result<Value, InputError> {
    serde_json::to_value(v).map_err(|e| InputError::file(file, e.to_string()))
}

impl Inputs {
    /// Resolves `inputs` (path -> distribution) against the loaded scenario: every path must
    /// name a numeric field; every distribution must be valid; the distribution's extremes
    /// (or its P0.1 and P99.9 when unbounded) must pass the field's own checks.
    pub fn resolve(
        scenario: &Scenario,
        inputs: &BTreeMap<String, Distribution>,
    ) -> Result<Inputs, InputError> {
        let file = &scenario.file;
        let mut out = Inputs {
            list: Vec::new(),
            file: file.clone(),
            base_workload: scenario.workload.clone(),
            workload_direct: true,
            workload: to_json(file, &scenario.workload)?,
            growth: to_json(file, &scenario.growth)?,
            policies: BTreeMap::new(),
            base_users: scenario.growth.phases().iter().map(|p| p.users).collect(),
        };
        for (path, distribution) in inputs {
            let sampler = distribution
                .sampler()
                .map_err(|m| field_error(file, path, m))?;
            let segs = segments(path);
            let (target, inner) = match segs.first().map(String::as_str) {
                Some(USERS_SCALE) if segs.len() == 1 => (Target::UsersScale, Vec::new()),
                Some("workload") => (Target::Workload, segs[1..].to_vec()),
                Some("growth") => (Target::Growth, segs[1..].to_vec()),
                Some("components") => {
                    let Some(which) = segs.get(1) else {
                        return Err(field_error(
                            file,
                            path,
                            "name a component: components.<name>.policy.<field>",
                        ));
                    };
                    let components = &scenario.spec.components;
                    let index = which
                        .parse::<usize>()
                        .ok()
                        .filter(|&i| i < components.len())
                        .or_else(|| components.iter().position(|c| &c.name == which))
                        .ok_or_else(|| {
                            field_error(
                                file,
                                path,
                                format!(
                                    "no component `{which}`{}",
                                    crate::error::did_you_mean(
                                        which,
                                        components.iter().map(|c| c.name.as_str())
                                    )
                                ),
                            )
                        })?;
                    if segs.get(2).map(String::as_str) != Some("policy") || segs.len() < 4 {
                        return Err(field_error(
                            file,
                            path,
                            "only a component's policy numbers can be uncertain: components.<name>.policy.<field>",
                        ));
                    }
                    out.policies
                        .entry(index)
                        .or_insert(to_json(file, &components[index].policy)?);
                    (Target::Policy(index), segs[3..].to_vec())
                }
                _ => {
                    return Err(field_error(
                        file,
                        path,
                        "an uncertain input is `users_scale`, `workload.<field>`, `growth.<field>` or `components.<name>.policy.<field>`",
                    ));
                }
            };
            let (point, integer) = match target {
                Target::UsersScale => (1.0, false),
                _ => {
                    let mut base = out.base(target).clone();
                    let node =
                        node_at(&mut base, &inner).map_err(|m| field_error(file, path, m))?;
                    match node {
                        Value::Number(n) => (n.as_f64().unwrap_or(0.0), n.is_u64() || n.is_i64()),
                        other => {
                            return Err(field_error(
                                file,
                                path,
                                format!(
                                    "is not a number (it is {other}); only numeric inputs can be uncertain"
                                ),
                            ));
                        }
                    }
                }
            };
            if target == Target::Workload
                && (inner.len() != 1 || scenario.workload.clone().number_mut(&inner[0]).is_none())
            {
                out.workload_direct = false;
            }
            out.list.push(UncertainInput {
                path: path.clone(),
                distribution: distribution.clone(),
                sampler,
                point,
                integer,
                target,
                inner,
            });
        }
        if out.list.is_empty() {
            return Err(InputError::field(
                file,
                "uncertainty.inputs",
                "no uncertain inputs: name at least one, e.g. \"workload.dau_ratio\": Pert(low: 0.2, mode: 0.3, high: 0.5)",
            ));
        }
        // The lowest and highest value a draw can take (the quantile function at the extreme
        // uniforms a draw can produce) must be valid values of the field, others at median.
        let mut world = World::new(scenario);
        for (k, input) in out.list.iter().enumerate() {
            for (which, u) in [
                ("lowest", unit_open(0)),
                ("median", 0.5),
                ("highest", unit_open(u64::MAX)),
            ] {
                let mut values: Vec<f64> = out.list.iter().map(|i| i.value_at(0.5)).collect();
                values[k] = input.value_at(u);
                out.apply(&values, &mut world).map_err(|m| {
                    field_error(
                        file,
                        &input.path,
                        format!(
                            "the {which} value a draw can take ({}) is invalid: {m}; bound the distribution (`low`/`high` or `min`/`max`)",
                            values[k]
                        ),
                    )
                })?;
            }
        }
        Ok(out)
    }

    fn base(&self, target: Target) -> &Value {
        match target {
            Target::Workload => &self.workload,
            Target::Growth => &self.growth,
            Target::Policy(i) => &self.policies[&i],
            Target::UsersScale => &Value::Null,
        }
    }

    /// Writes one draw's `values` (in `list` order) into `world`, through the models' types
    /// and checks. The error says which field is out of range.
    pub fn apply(&self, values: &[f64], world: &mut World) -> Result<(), String> {
        let mut targets: Vec<Target> = self.list.iter().map(|i| i.target).collect();
        targets.sort();
        targets.dedup();
        let mut scale = 1.0;
        for target in targets {
            if target == Target::Workload && self.workload_direct {
                world.workload.clone_from(&self.base_workload);
                for (input, &v) in self.list.iter().zip(values) {
                    if input.target == target
                        && let Some(field) = world.workload.number_mut(&input.inner[0])
                    {
                        *field = v;
                    }
                }
                world
                    .workload
                    .validate(&self.file, "workload")
                    .map_err(message)?;
                continue;
            }
            if target == Target::UsersScale {
                for (input, &v) in self.list.iter().zip(values) {
                    if input.target == target {
                        scale *= v;
                    }
                }
                continue;
            }
            let mut json = self.base(target).clone();
            for (input, &v) in self.list.iter().zip(values) {
                if input.target != target {
                    continue;
                }
                let node = node_at(&mut json, &input.inner)?;
                *node = number(v, input.integer)?;
            }
            match target {
                Target::Workload => {
                    let w: Workload = typed(json)?;
                    w.validate(&self.file, "workload").map_err(message)?;
                    world.workload = w;
                }
                Target::Growth => {
                    let g: Growth = typed(json)?;
                    g.validate(&self.file, "growth").map_err(message)?;
                    world.base_users = g.phases().iter().map(|p| p.users).collect();
                    world.growth = g;
                }
                Target::Policy(i) => {
                    let p: Policy = typed(json)?;
                    crate::input::scenario::validate_policy(
                        &p,
                        &Check::new(&self.file, format!("components[{i}].policy")),
                    )
                    .map_err(message)?;
                    world.policies.insert(i, p);
                }
                Target::UsersScale => {}
            }
        }
        if !(scale.is_finite() && scale > 0.0) {
            return Err(format!("users_scale must be > 0, got {scale}"));
        }
        let base = if self.list.iter().any(|i| i.target == Target::Growth) {
            world.base_users.clone()
        } else {
            self.base_users.clone()
        };
        world.users = base
            .iter()
            .map(|&u| {
                let scaled = (u as f64 * scale).round();
                if scaled >= u64::MAX as f64 {
                    u64::MAX
                } else {
                    scaled as u64
                }
            })
            .collect();
        Ok(())
    }
}

/// An input error without its file (the caller names the file and the uncertain input).
fn message(e: InputError) -> String {
    match e {
        InputError::Invalid {
            location: crate::error::Location::Field(path),
            message,
            ..
        } => format!("{path}: {message}"),
        InputError::Invalid { message, .. } => message,
        other => other.to_string(),
    }
}

fn number(v: f64, integer: bool) -> Result<Value, String> {
    if integer {
        if v >= u64::MAX as f64 {
            return Err(format!("{v} does not fit an integer field"));
        }
        return Ok(Value::from(v.round().max(0.0) as u64));
    }
    serde_json::Number::from_f64(v)
        .map(Value::Number)
        .ok_or_else(|| format!("drew a non-finite value {v}"))
}

fn typed<T: DeserializeOwned>(json: Value) -> Result<T, String> {
    serde_path_to_error::deserialize(json).map_err(|e| format!("{} (at `{}`)", e.inner(), e.path()))
}

/// The models one draw changes: a workload, a growth model, policies, users per phase.
#[derive(Debug, Clone)]
pub struct World {
    pub workload: Workload,
    pub growth: Growth,
    base_users: Vec<u64>,
    /// Component index -> its drawn policy.
    pub policies: BTreeMap<usize, Policy>,
    /// Users of each phase, in growth order.
    pub users: Vec<u64>,
}

impl World {
    /// The scenario's own world (no draw applied).
    #[must_use]
    pub fn new(scenario: &Scenario) -> World {
        let users: Vec<u64> = scenario.growth.phases().iter().map(|p| p.users).collect();
        World {
            workload: scenario.workload.clone(),
            growth: scenario.growth.clone(),
            base_users: users.clone(),
            policies: BTreeMap::new(),
            users,
        }
    }

    /// Writes this world into a scenario copy (workload and policies).
    pub fn install(&self, scenario: &mut Scenario) {
        scenario.workload.clone_from(&self.workload);
        for (&i, policy) in &self.policies {
            scenario.spec.components[i].policy.clone_from(policy);
        }
    }
}
