//! A Terraform plan in JSON (`terraform show -json plan.out`), read as a fleet.
//!
//! The format is HashiCorp's "JSON Output Format"
//! (<https://developer.hashicorp.com/terraform/internals/json-format>): a `format_version`
//! (major version 1 is read; another is refused, as the format asks) and `resource_changes`,
//! one per resource instance, each with `address`, `mode`, `type`, `name`, `index` (a number
//! under `count`, a string under `for_each`) and `change` (`actions`, and `after`: the
//! attribute values once applied; nested blocks are lists of objects). Data sources and
//! resources the plan deletes are left out.
//!
//! What each resource type counts (the attributes read are in `after`):
//!
//! | type | kind | lines |
//! |---|---|---|
//! | `aws_db_instance` | Postgres | `primary` (or `read-replica` when `replicate_source_db` is set), `standby` 1 when `multi_az`, `storage` = `allocated_storage` GB of primaries; `instance_class` |
//! | `aws_rds_cluster` | Postgres | a Multi-AZ DB cluster (`db_cluster_instance_class` set): `primary` 1, `standby` 2, `storage` = `allocated_storage`; an Aurora cluster (no class) is ignored: its instances are `aws_rds_cluster_instance` resources |
//! | `aws_elasticache_replication_group` | Redis | `master` = `num_node_groups`, `replica` = `num_node_groups` x `replicas_per_node_group` (or 1 and `num_cache_clusters` - 1), `clusters` 1; `node_type` |
//! | `aws_eks_node_group` | App | `node` = `scaling_config[0].desired_size`; `instance_types[0]` |
//! | `aws_autoscaling_group` | App or PgBouncer | `node` / `pooler` = `desired_capacity` (else `min_size`); no instance type (it is in the launch template) |
//! | `aws_msk_cluster` | Kafka | `broker` = `number_of_broker_nodes`, `storage` = brokers x the EBS `volume_size`; `broker_node_group_info[0].instance_type` |
//! | `aws_instance` | App or PgBouncer | `node` / `pooler` 1; `instance_type` |
//!
//! A resource belongs to the scenario component named by its `headroom:component` tag, else
//! by its `for_each` key (the keys of headroom's tfvars maps are component names), else by its
//! resource name (`users_db` is `users-db`), else to the only component of its kind. A
//! resource of another type, or one no component claims, is listed as ignored, with why.

use std::path::Path;

use serde_json::Value;

use crate::error::InputError;
use crate::input::Scenario;
use crate::input::kinds::Kind;

use super::{FleetEntry, Ignored};

/// The resource types read, with the kinds they can be.
const TYPES: &[(&str, &[Kind])] = &[
    ("aws_db_instance", &[Kind::Postgres]),
    ("aws_rds_cluster", &[Kind::Postgres]),
    ("aws_elasticache_replication_group", &[Kind::Redis]),
    ("aws_eks_node_group", &[Kind::App]),
    ("aws_autoscaling_group", &[Kind::App, Kind::PgBouncer]),
    ("aws_msk_cluster", &[Kind::Kafka]),
    ("aws_instance", &[Kind::App, Kind::PgBouncer]),
];

/// One resource instance of the plan, being read.
struct Resource<'a> {
    path: &'a Path,
    /// `resource_changes[3]`, for error paths.
    at: String,
    address: String,
    after: &'a Value,
}

impl Resource<'_> {
    fn error(&self, field: &str, message: &str) -> InputError {
        InputError::field(
            self.path,
            format!("{}.change.after.{field}", self.at),
            format!("{}: {message}", self.address),
        )
    }

    /// A value at a path of attribute names and list indexes (`scaling_config.0.desired_size`).
    fn get(&self, field: &str) -> Option<&Value> {
        let mut v = self.after;
        for part in field.split('.') {
            v = match part.parse::<usize>() {
                Ok(i) => v.get(i)?,
                Err(_) => v.get(part)?,
            };
        }
        (!v.is_null()).then_some(v)
    }

    fn count(&self, field: &str) -> Result<u64, InputError> {
        self.count_or(field)?
            .ok_or_else(|| self.error(field, "missing (a count is needed)"))
    }

    /// A whole number up to [`super::MAX_COUNT`] (products of two saturate).
    fn count_or(&self, field: &str) -> Result<Option<u64>, InputError> {
        self.get(field)
            .map(|v| {
                v.as_u64()
                    .filter(|&n| n <= super::MAX_COUNT)
                    .ok_or_else(|| {
                        self.error(
                            field,
                            &format!("expected a whole number up to {}", super::MAX_COUNT),
                        )
                    })
            })
            .transpose()
    }

    fn text(&self, field: &str) -> Option<String> {
        self.get(field)
            .and_then(Value::as_str)
            .filter(|s| !s.is_empty())
            .map(str::to_string)
    }
}

/// (item, count) lines and the instance type of one resource, for a component of `kind`;
/// `Err(reason)` when the resource counts nothing headroom compares.
type Lines = (Vec<(&'static str, u64)>, Option<String>);

fn lines_of(r: &Resource<'_>, ty: &str, kind: Kind) -> Result<Result<Lines, String>, InputError> {
    let instance_item = if kind == Kind::PgBouncer {
        "pooler"
    } else {
        "node"
    };
    Ok(Ok(match ty {
        "aws_db_instance" => {
            let replica = r.text("replicate_source_db").is_some();
            let mut lines = vec![(if replica { "read-replica" } else { "primary" }, 1)];
            if !replica {
                if r.get("multi_az").and_then(Value::as_bool) == Some(true) {
                    lines.push(("standby", 1));
                }
                if let Some(gb) = r.count_or("allocated_storage")? {
                    lines.push(("storage", gb));
                }
            }
            (lines, r.text("instance_class"))
        }
        "aws_rds_cluster" => {
            let Some(class) = r.text("db_cluster_instance_class") else {
                return Ok(Err(
                    "an Aurora cluster: its instances are aws_rds_cluster_instance \
                               resources, which headroom does not read"
                        .into(),
                ));
            };
            let mut lines = vec![("primary", 1), ("standby", 2)];
            if let Some(gb) = r.count_or("allocated_storage")? {
                lines.push(("storage", gb));
            }
            (lines, Some(class))
        }
        "aws_elasticache_replication_group" => {
            let (masters, replicas) = match r.count_or("num_node_groups")? {
                Some(groups) => {
                    let per = r.count_or("replicas_per_node_group")?.unwrap_or(0);
                    (groups, groups.saturating_mul(per).min(super::MAX_COUNT))
                }
                None => {
                    let nodes = r.count_or("num_cache_clusters")?.unwrap_or(1);
                    (1, nodes.saturating_sub(1))
                }
            };
            (
                vec![("master", masters), ("replica", replicas), ("clusters", 1)],
                r.text("node_type"),
            )
        }
        "aws_eks_node_group" => (
            vec![("node", r.count("scaling_config.0.desired_size")?)],
            r.text("instance_types.0"),
        ),
        "aws_autoscaling_group" => {
            let n = match r.count_or("desired_capacity")? {
                Some(n) => n,
                None => r.count("min_size")?,
            };
            (vec![(instance_item, n)], None)
        }
        "aws_msk_cluster" => {
            let brokers = r.count("number_of_broker_nodes")?;
            let group = "broker_node_group_info.0";
            let volume = match r.count_or(&format!(
                "{group}.storage_info.0.ebs_storage_info.0.volume_size"
            ))? {
                Some(gb) => Some(gb),
                None => r.count_or(&format!("{group}.ebs_volume_size"))?,
            };
            let mut lines = vec![("broker", brokers)];
            if let Some(gb) = volume {
                lines.push(("storage", brokers.saturating_mul(gb).min(super::MAX_COUNT)));
            }
            (lines, r.text(&format!("{group}.instance_type")))
        }
        "aws_instance" => (vec![(instance_item, 1)], r.text("instance_type")),
        _ => return Ok(Err("not a resource type headroom reads".into())),
    }))
}

/// Lowercase, `_` as `-`: `users_db` and `Users-DB` name `users-db`.
fn normal(name: &str) -> String {
    name.to_lowercase().replace('_', "-")
}

/// The component a resource belongs to (see the module comment), or why none.
fn owner(
    scenario: &Scenario,
    kinds: &[Kind],
    change: &Value,
    after: &Value,
) -> Result<(String, Kind), String> {
    let candidates: Vec<(&str, Kind)> = scenario
        .spec
        .components
        .iter()
        .map(|c| (c.name.as_str(), c.policy.kind()))
        .filter(|(_, k)| kinds.contains(k))
        .collect();
    let hints = [
        after
            .get("tags")
            .and_then(|t| t.get("headroom:component"))
            .and_then(Value::as_str),
        change.get("index").and_then(Value::as_str),
        change.get("name").and_then(Value::as_str),
    ];
    for hint in hints.into_iter().flatten() {
        if let Some((name, kind)) = candidates.iter().find(|(n, _)| normal(n) == normal(hint)) {
            return Ok(((*name).to_string(), *kind));
        }
    }
    let kind_names: Vec<&str> = kinds.iter().map(|k| k.name()).collect();
    match candidates.as_slice() {
        [(name, kind)] => Ok(((*name).to_string(), *kind)),
        [] => Err(format!(
            "the scenario has no {} component",
            kind_names.join(" or ")
        )),
        many => Err(format!(
            "no tag `headroom:component`, for_each key or resource name names one of the {} \
             components ({})",
            kind_names.join(" or "),
            many.iter().map(|(n, _)| *n).collect::<Vec<_>>().join(", ")
        )),
    }
}

/// The entries of a Terraform plan, and the resources left out.
pub fn read(
    path: &Path,
    text: &str,
    scenario: &Scenario,
) -> Result<(Vec<FleetEntry>, Vec<Ignored>), InputError> {
    let plan: Value = serde_json::from_str(text)
        .map_err(|e| InputError::at(path, e.line(), e.column(), format!("not valid JSON: {e}")))?;
    let version = plan.get("format_version").and_then(Value::as_str);
    if version.is_some_and(|v| v.split('.').next() != Some("1")) {
        return Err(InputError::field(
            path,
            "format_version",
            format!(
                "Terraform JSON format {} is not supported (major version 1 is)",
                version.unwrap_or_default()
            ),
        ));
    }
    let Some(changes) = plan.get("resource_changes").and_then(Value::as_array) else {
        return Err(InputError::field(
            path,
            "resource_changes",
            "expected the list of resource changes of a plan (`terraform show -json plan.out`); \
             this file has none",
        ));
    };
    let mut entries = Vec::new();
    let mut ignored = Vec::new();
    for (i, change) in changes.iter().enumerate() {
        let at = format!("resource_changes[{i}]");
        let field = |name: &str| change.get(name).and_then(Value::as_str).unwrap_or("");
        let address = field("address").to_string();
        let ty = field("type");
        if field("mode") == "data" {
            continue;
        }
        let mut ignore = |reason: String| {
            ignored.push(Ignored {
                what: address.clone(),
                reason,
            });
        };
        let Some(kinds) = TYPES.iter().find(|(t, _)| *t == ty).map(|(_, k)| *k) else {
            ignore(format!("resource type {ty} is not one headroom reads"));
            continue;
        };
        let Some(after) = change.get("change").and_then(|c| c.get("after")) else {
            return Err(InputError::field(
                path,
                format!("{at}.change.after"),
                format!("{address}: missing"),
            ));
        };
        if after.is_null() {
            ignore("deleted by the plan".into());
            continue;
        }
        let (component, kind) = match owner(scenario, kinds, change, after) {
            Ok(found) => found,
            Err(why) => {
                ignore(why);
                continue;
            }
        };
        let resource = Resource {
            path,
            at,
            address: address.clone(),
            after,
        };
        let (lines, instance) = match lines_of(&resource, ty, kind)? {
            Ok(found) => found,
            Err(why) => {
                ignore(why);
                continue;
            }
        };
        for (item, count) in lines {
            entries.push(FleetEntry {
                component: component.clone(),
                item: item.to_string(),
                instance: instance.clone(),
                count,
                region: None,
                origin: address.clone(),
            });
        }
    }
    Ok((entries, ignored))
}
