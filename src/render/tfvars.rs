//! Terraform variable files: per phase `tfvars/<phase>.tfvars` (HCL) and
//! `tfvars/<phase>.tfvars.json`, and one `tfvars/variables.tf` declaring every variable with
//! its type and a description (what it is, how it was derived, units).
//!
//! This module reads the plan into a list of [`Variable`]s (the same names and types in every
//! phase); the templates `phase.tfvars.j2`, `phase.tfvars.json.j2` and `variables.tf.j2` print
//! them. A user's templates (`--templates DIR`) can print the same variables under their own
//! module's names, or read any plan value from the context (see [`phase_context`] and
//! `templates/README.md`).
//!
//! The variables:
//!
//! | variable | type | from the plan |
//! |---|---|---|
//! | `headroom_scenario`, `headroom_phase` | string | names |
//! | `users` | number | the phase's registered users |
//! | `regions` | list(string) | the scenario's regions, in order |
//! | `region_user_shares` | map(number) | each region's share of users |
//! | `pricing_region` | string | the region whose prices the plan used |
//! | `tags` | map(string) | `headroom:scenario`, `headroom:phase`, `headroom:generated-by`, `headroom:source` |
//! | `instance_types` | map(string) | each component's instance type |
//! | `component_counts` | map(map(number)) | every line's count, by component and item |
//! | `postgres_clusters`, `pgbouncer_pools`, `redis_clusters`, `app_clusters`, `kafka_clusters`, `cdn_distributions`, `object_storage_buckets`, `cross_region_transfers` | map(object) | per component of that kind: instance type, named counts (`shard_count`, `default_pool_size`, `max_client_conn`, `hpa_min_replicas`, `broker_count`, `partition_count`...), and the same per region |
//! | `monthly_budget_usd` | number | the phase's monthly cost after discounts |
//! | `component_monthly_usd` | map(number) | each component's monthly cost |
//!
//! Counts are the plan's provisioned counts: a scenario's pinned count where it pins one.

use std::collections::{BTreeMap, BTreeSet};

use minijinja::value::{Serde, Value};
use serde::Serialize;

use crate::error::Error;
use crate::input::kinds::{Kind, TfvarsGroup};
use crate::plan::{Line, PhasePlan, Plan};
use crate::render::templates::Templates;

/// A value of a Terraform variable.
#[derive(Debug, Clone, PartialEq)]
pub enum TfValue {
    Count(u64),
    Number(f64),
    Text(String),
    List(Vec<TfValue>),
    /// A map, keys sorted.
    Map(BTreeMap<String, TfValue>),
    /// An object, attributes in the order given.
    Object(Vec<(String, TfValue)>),
}

impl Serialize for TfValue {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeMap;
        match self {
            TfValue::Count(n) => serializer.serialize_u64(*n),
            TfValue::Number(x) => serializer.serialize_f64(*x),
            TfValue::Text(s) => serializer.serialize_str(s),
            TfValue::List(items) => serializer.collect_seq(items),
            TfValue::Map(map) => serializer.collect_map(map),
            TfValue::Object(fields) => {
                let mut map = serializer.serialize_map(Some(fields.len()))?;
                for (k, v) in fields {
                    map.serialize_entry(k, v)?;
                }
                map.end()
            }
        }
    }
}

/// One Terraform variable: its declaration and, for a phase, its value.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Variable {
    pub name: String,
    /// The Terraform type constraint (`number`, `map(object({...}))`).
    #[serde(rename = "type")]
    pub ty: String,
    pub description: String,
    /// The phase's value; absent in the context of `variables.tf.j2`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub value: Option<TfValue>,
}

/// A kind whose components go into a Terraform variable of their own, and that variable's
/// data (from the kind's module).
struct KindGroup {
    kind: Kind,
    tf: &'static TfvarsGroup,
}

/// The kinds that have a Terraform variable, in registry order.
fn groups() -> impl Iterator<Item = KindGroup> {
    Kind::ALL.iter().filter_map(|&kind| {
        kind.facts()
            .tfvars
            .as_ref()
            .map(|tf| KindGroup { kind, tf })
    })
}

/// The attribute name of a line of a kind group (`None`: the line only goes to
/// `component_counts`).
fn attr_name(group: &KindGroup, item: &str) -> Option<String> {
    if let Some(a) = group.tf.attrs.iter().find(|a| a.item == item) {
        return Some(a.attr.to_string());
    }
    let snake = item.replace('-', "_");
    let mut chars = snake.chars();
    let plain = chars
        .next()
        .is_some_and(|c| c.is_ascii_lowercase() || c == '_')
        && chars.all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_');
    (plain && snake != "regions" && snake != "instance_type").then_some(snake)
}

/// The instance type of a component's lines (the first line that has one).
fn instance_of<'a>(lines: &[&'a Line]) -> Option<&'a str> {
    lines.iter().find_map(|l| l.instance.as_deref())
}

/// A phase's lines grouped by component, in scenario order.
fn by_component(phase: &PhasePlan) -> Vec<(&str, &str, Vec<&Line>)> {
    let mut out: Vec<(&str, &str, Vec<&Line>)> = phase
        .components
        .iter()
        .map(|c| (c.component.as_str(), c.kind.as_str(), Vec::new()))
        .collect();
    for line in &phase.lines {
        if let Some(entry) = out.iter_mut().find(|(name, _, _)| *name == line.component) {
            entry.2.push(line);
        }
    }
    out
}

/// What a kind group's variable looks like over the whole plan.
struct GroupShape {
    /// (attribute, present in every component of every phase, description), in
    /// [`attr_order`].
    attrs: Vec<(String, bool, String)>,
    /// instance_type present everywhere / anywhere.
    instance_everywhere: bool,
    instance_anywhere: bool,
}

fn group_shape(plan: &Plan, group: &KindGroup) -> Option<GroupShape> {
    let mut attrs: BTreeMap<String, (bool, String)> = BTreeMap::new();
    let mut seen: Vec<BTreeSet<String>> = Vec::new();
    let mut instance_everywhere = true;
    let mut instance_anywhere = false;
    for phase in &plan.phases {
        for (_, kind, lines) in by_component(phase) {
            if kind != group.kind.name() {
                continue;
            }
            let has_instance = instance_of(&lines).is_some();
            instance_everywhere &= has_instance;
            instance_anywhere |= has_instance;
            if group.tf.map_attr.is_some() {
                seen.push(BTreeSet::new());
                continue;
            }
            let mut names = BTreeSet::new();
            for line in lines {
                let Some(name) = attr_name(group, &line.item) else {
                    continue;
                };
                let meaning = group
                    .tf
                    .attrs
                    .iter()
                    .find(|a| a.item == line.item)
                    .map_or("the line's count", |a| a.meaning);
                attrs.entry(name.clone()).or_insert_with(|| {
                    (
                        true,
                        format!(
                            "{name} (line `{}`, {}): {meaning}",
                            line.item, line.count_unit
                        ),
                    )
                });
                names.insert(name);
            }
            seen.push(names);
        }
    }
    if seen.is_empty() {
        return None;
    }
    let mut attrs: Vec<(String, bool, String)> = attrs
        .into_iter()
        .map(|(name, (_, description))| {
            let everywhere = seen.iter().all(|s| s.contains(&name));
            (name, everywhere, description)
        })
        .collect();
    attrs.sort_by_key(|(name, _, _)| attr_order(group, name));
    Some(GroupShape {
        attrs,
        instance_everywhere,
        instance_anywhere,
    })
}

fn group_type(group: &KindGroup, shape: &GroupShape) -> String {
    let mut fields: Vec<(String, String)> = Vec::new();
    if shape.instance_anywhere {
        let t = if shape.instance_everywhere {
            "string".to_string()
        } else {
            "optional(string)".to_string()
        };
        fields.push(("instance_type".into(), t));
    }
    if let Some((name, _)) = group.tf.map_attr {
        fields.push((name.into(), "map(number)".into()));
    }
    for (name, everywhere, _) in &shape.attrs {
        let t = if *everywhere {
            "number"
        } else {
            "optional(number)"
        };
        fields.push((name.clone(), t.into()));
    }
    fields.push(("regions".into(), "map(map(number))".into()));
    let width = fields.iter().map(|(n, _)| n.len()).max().unwrap_or(0);
    let mut out = String::from("map(object({\n");
    for (name, t) in fields {
        out.push_str(&format!("    {name:<width$} = {t}\n"));
    }
    out.push_str("  }))");
    out
}

fn group_description(group: &KindGroup, shape: &GroupShape) -> String {
    let mut parts = vec![format!(
        "{} (headroom's {} sizing rule). Counts are what the plan provisions: the scenario's pinned count where it pins one.",
        group.tf.what, group.kind
    )];
    if shape.instance_anywhere {
        parts.push("instance_type: the instance type priced for the component.".into());
    }
    if let Some((name, meaning)) = group.tf.map_attr {
        parts.push(format!("{name} (GB): {meaning}."));
    }
    for (_, _, description) in &shape.attrs {
        parts.push(format!("{description}."));
    }
    parts.push(
        "regions: the same counts per region (a pinned count is spread over regions in proportion to their derived counts).".into(),
    );
    parts.join("\n")
}

/// Sort key of an attribute: the group's known attributes in their order, then others by
/// name.
fn attr_order(group: &KindGroup, name: &str) -> (usize, String) {
    let known = group
        .tf
        .attrs
        .iter()
        .position(|a| a.attr == name)
        .unwrap_or(group.tf.attrs.len());
    (known, name.to_string())
}

fn group_value(group: &KindGroup, lines: &[&Line], with_instance: bool) -> TfValue {
    let mut object: Vec<(String, TfValue)> = Vec::new();
    if with_instance && let Some(instance) = instance_of(lines) {
        object.push(("instance_type".into(), TfValue::Text(instance.to_string())));
    }
    // (attribute or class, count, per-region counts), in attribute order.
    let mut counts: Vec<(String, u64, &BTreeMap<String, u64>)> = lines
        .iter()
        .filter_map(|line| {
            let name = if group.tf.map_attr.is_some() {
                Some(line.item.clone())
            } else {
                attr_name(group, &line.item)
            };
            name.map(|n| (n, line.count, &line.regions))
        })
        .collect();
    if group.tf.map_attr.is_none() {
        counts.sort_by_key(|(name, _, _)| attr_order(group, name));
    }
    let mut regions: BTreeMap<String, Vec<(String, TfValue)>> = BTreeMap::new();
    for (name, _, per_region) in &counts {
        for (region, count) in *per_region {
            regions
                .entry(region.clone())
                .or_default()
                .push((name.clone(), TfValue::Count(*count)));
        }
    }
    let regions = TfValue::Map(
        regions
            .into_iter()
            .map(|(region, fields)| {
                let value = if group.tf.map_attr.is_some() {
                    TfValue::Map(fields.into_iter().collect())
                } else {
                    TfValue::Object(fields)
                };
                (region, value)
            })
            .collect(),
    );
    match group.tf.map_attr {
        Some((name, _)) => object.push((
            name.into(),
            TfValue::Map(
                counts
                    .into_iter()
                    .map(|(class, count, _)| (class, TfValue::Count(count)))
                    .collect(),
            ),
        )),
        None => object.extend(
            counts
                .into_iter()
                .map(|(name, count, _)| (name, TfValue::Count(count))),
        ),
    }
    object.push(("regions".into(), regions));
    TfValue::Object(object)
}

fn var(name: &str, ty: &str, description: &str, value: TfValue) -> Variable {
    Variable {
        name: name.into(),
        ty: ty.into(),
        description: description.into(),
        value: Some(value),
    }
}

/// The Terraform variables of one phase, in a fixed order. Names, types and descriptions
/// are the same for every phase of a plan.
#[must_use]
pub fn variables(plan: &Plan, phase: &PhasePlan) -> Vec<Variable> {
    let components = by_component(phase);
    let mut tags = BTreeMap::from([
        (
            "headroom:scenario".to_string(),
            TfValue::Text(plan.scenario.clone()),
        ),
        (
            "headroom:phase".to_string(),
            TfValue::Text(phase.name.clone()),
        ),
        (
            "headroom:generated-by".to_string(),
            TfValue::Text(plan.generated_by.clone()),
        ),
    ]);
    if let Some(source) = &plan.source {
        tags.insert("headroom:source".into(), TfValue::Text(source.clone()));
    }
    let mut out = vec![
        var(
            "headroom_scenario",
            "string",
            "The headroom scenario these values were planned for.",
            TfValue::Text(plan.scenario.clone()),
        ),
        var(
            "headroom_phase",
            "string",
            "The growth phase these values are sized for.",
            TfValue::Text(phase.name.clone()),
        ),
        var(
            "users",
            "number",
            "Registered users in this phase (users), from the growth model.",
            TfValue::Count(phase.users),
        ),
        var(
            "regions",
            "list(string)",
            "The regions the scenario serves users from, in the scenario's order.",
            TfValue::List(
                plan.regions
                    .iter()
                    .map(|r| TfValue::Text(r.name.clone()))
                    .collect(),
            ),
        ),
        var(
            "region_user_shares",
            "map(number)",
            "Each region's share of users (a fraction; the shares sum to 1). Per-region counts are sized for these shares.",
            TfValue::Map(
                plan.regions
                    .iter()
                    .map(|r| (r.name.clone(), TfValue::Number(r.user_share)))
                    .collect(),
            ),
        ),
        var(
            "pricing_region",
            "string",
            "The region whose price tables the plan used.",
            TfValue::Text(plan.pricing.region.clone()),
        ),
        var(
            "tags",
            "map(string)",
            "Tags for every resource: the scenario, the phase, the headroom version that planned them and the design doc the scenario reproduces.",
            TfValue::Map(tags),
        ),
        var(
            "instance_types",
            "map(string)",
            "Instance type (or node or instance class) of each component that runs on instances.",
            TfValue::Map(
                components
                    .iter()
                    .filter_map(|(name, _, lines)| {
                        instance_of(lines)
                            .map(|i| ((*name).to_string(), TfValue::Text(i.to_string())))
                    })
                    .collect(),
            ),
        ),
        var(
            "component_counts",
            "map(map(number))",
            "Every line's count by component and line item, in the line's count unit (instances, pods, GB, GB per month, connections, partitions, requests per month...). Pinned lines hold the scenario's pinned count.",
            TfValue::Map(
                components
                    .iter()
                    .map(|(name, _, lines)| {
                        (
                            (*name).to_string(),
                            TfValue::Map(
                                lines
                                    .iter()
                                    .map(|l| (l.item.clone(), TfValue::Count(l.count)))
                                    .collect(),
                            ),
                        )
                    })
                    .collect(),
            ),
        ),
    ];
    for group in groups() {
        let Some(shape) = group_shape(plan, &group) else {
            continue;
        };
        let value = components
            .iter()
            .filter(|(_, kind, _)| *kind == group.kind.name())
            .map(|(name, _, lines)| {
                (
                    (*name).to_string(),
                    group_value(&group, lines, shape.instance_anywhere),
                )
            })
            .collect();
        out.push(Variable {
            name: group.tf.variable.into(),
            ty: group_type(&group, &shape),
            description: group_description(&group, &shape),
            value: Some(TfValue::Map(value)),
        });
    }
    out.push(var(
        "monthly_budget_usd",
        "number",
        "The phase's monthly cost after discounts, in USD per month (for a budget alert).",
        TfValue::Number(phase.monthly_usd),
    ));
    out.push(var(
        "component_monthly_usd",
        "map(number)",
        "Each component's monthly cost after discounts, in USD per month.",
        TfValue::Map(
            phase
                .components
                .iter()
                .map(|c| (c.component.clone(), TfValue::Number(c.monthly_usd)))
                .collect(),
        ),
    ));
    out
}

/// A component as the templates see it (`components["users-db"]`).
#[derive(Debug, Clone, Serialize)]
pub struct ComponentView<'a> {
    pub kind: &'a str,
    /// The instance type of its first line that has one, or none.
    pub instance: Option<&'a str>,
    pub monthly_usd: f64,
    /// item -> provisioned count.
    pub counts: BTreeMap<&'a str, u64>,
    /// item -> what demand needs.
    pub derived_counts: BTreeMap<&'a str, u64>,
    /// item -> whether the count is the scenario's pin.
    pub pinned: BTreeMap<&'a str, bool>,
    /// region -> item -> count.
    pub regions: BTreeMap<&'a str, BTreeMap<&'a str, u64>>,
    /// item -> the whole line (as in plan.json).
    pub lines: BTreeMap<&'a str, &'a Line>,
}

/// The components of a phase as the templates see them.
#[must_use]
pub fn component_views(phase: &PhasePlan) -> BTreeMap<&str, ComponentView<'_>> {
    by_component(phase)
        .into_iter()
        .map(|(name, kind, lines)| {
            let mut regions: BTreeMap<&str, BTreeMap<&str, u64>> = BTreeMap::new();
            for line in &lines {
                for (region, count) in &line.regions {
                    regions
                        .entry(region.as_str())
                        .or_default()
                        .insert(line.item.as_str(), *count);
                }
            }
            let view = ComponentView {
                kind,
                instance: instance_of(&lines),
                monthly_usd: phase
                    .components
                    .iter()
                    .find(|c| c.component == name)
                    .map_or(0.0, |c| c.monthly_usd),
                counts: lines.iter().map(|l| (l.item.as_str(), l.count)).collect(),
                derived_counts: lines
                    .iter()
                    .map(|l| (l.item.as_str(), l.derived_count))
                    .collect(),
                pinned: lines.iter().map(|l| (l.item.as_str(), l.pinned)).collect(),
                regions,
                lines: lines.iter().map(|l| (l.item.as_str(), *l)).collect(),
            };
            (name, view)
        })
        .collect()
}

/// The context of `phase.tfvars.j2` and `phase.tfvars.json.j2`:
///
/// - `plan`: the whole plan, as in `plan.json`;
/// - `phase`: this phase, as in `plan.json` (`phase.name`, `phase.users`, `phase.demand`,
///   `phase.lines`, `phase.monthly_usd`...);
/// - `components`: this phase's components by name, each with `kind`, `instance`,
///   `monthly_usd`, `counts` (item -> count), `derived_counts`, `pinned` (item -> bool),
///   `regions` (region -> item -> count) and `lines` (item -> the line as in `plan.json`);
/// - `variables`: the built-in variables, each with `name`, `type`, `description`, `value`;
/// - `file_stem`: the phase's file name without extension (`10B`).
pub fn phase_context(plan_value: &Value, plan: &Plan, phase: &PhasePlan, file_stem: &str) -> Value {
    minijinja::context! {
        plan => plan_value.clone(),
        file_stem => file_stem,
        phase => Value::from(Serde(phase)),
        components => Value::from(Serde(component_views(phase))),
        variables => Value::from(Serde(variables(plan, phase))),
    }
}

/// The context of `variables.tf.j2`: `plan`, and `variables` (each with `name`, `type`,
/// `description`; no `value`).
pub fn declarations_context(plan_value: &Value, plan: &Plan) -> Value {
    let declarations: Vec<Variable> = plan
        .phases
        .first()
        .map(|phase| {
            variables(plan, phase)
                .into_iter()
                .map(|v| Variable { value: None, ..v })
                .collect()
        })
        .unwrap_or_default();
    minijinja::context! {
        plan => plan_value.clone(),
        variables => Value::from(Serde(declarations)),
    }
}

/// The file name of each phase's variable files: the phase name made safe for a file name,
/// made unique with `-2`, `-3`... when two phases would share one.
#[must_use]
pub fn phase_file_stems(plan: &Plan) -> Vec<String> {
    let mut used = BTreeSet::new();
    plan.phases
        .iter()
        .map(|p| {
            let base = crate::output::sanitize(&p.name);
            let mut stem = base.clone();
            let mut n = 2;
            while !used.insert(stem.clone()) {
                stem = format!("{base}-{n}");
                n += 1;
            }
            stem
        })
        .collect()
}

/// Every Terraform file: `tfvars/<phase>.tfvars`, `tfvars/<phase>.tfvars.json` per phase,
/// then `tfvars/variables.tf`.
pub fn render(
    plan: &Plan,
    plan_value: &Value,
    templates: &Templates,
) -> Result<Vec<(String, Vec<u8>)>, Error> {
    let mut files = Vec::new();
    for (phase, stem) in plan.phases.iter().zip(phase_file_stems(plan)) {
        let context = phase_context(plan_value, plan, phase, &stem);
        files.push((
            format!("tfvars/{stem}.tfvars"),
            templates.render("phase.tfvars.j2", &context)?.into_bytes(),
        ));
        files.push((
            format!("tfvars/{stem}.tfvars.json"),
            templates
                .render("phase.tfvars.json.j2", &context)?
                .into_bytes(),
        ));
    }
    let context = declarations_context(plan_value, plan);
    files.push((
        "tfvars/variables.tf".to_string(),
        templates.render("variables.tf.j2", &context)?.into_bytes(),
    ));
    Ok(files)
}
