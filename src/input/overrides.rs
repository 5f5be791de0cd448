//! `--set path=value`: one-run overrides of any scenario or model field.
//!
//! Paths are dotted: `workload.dau_ratio`, `hours_per_month`, `regions[0].user_share`,
//! `components.users-db.policy.headroom` (a list element by index or by its `name`; a
//! component's policy kind may be skipped). The value is JSON where it parses (`0.2`, `true`,
//! `"text"`, `[1, 2]`), else a plain string. The result goes through the same checks as the
//! files.

use serde::Serialize;
use serde::de::DeserializeOwned;
use serde_json::Value;

use crate::error::did_you_mean;

/// One `--set` override.
#[derive(Debug, Clone, PartialEq)]
pub struct Set {
    /// Dotted path.
    pub path: String,
    /// The new value.
    pub value: Value,
}

impl Set {
    /// Parses `path=value`.
    pub fn parse(text: &str) -> Result<Set, String> {
        let (path, value) = text
            .split_once('=')
            .ok_or_else(|| format!("--set `{text}`: expected path=value"))?;
        let path = path.trim();
        if path.is_empty() {
            return Err(format!("--set `{text}`: the path is empty"));
        }
        let value =
            serde_json::from_str(value.trim()).unwrap_or_else(|_| Value::String(value.to_string()));
        Ok(Set {
            path: path.to_string(),
            value,
        })
    }

    /// The first path segment (`workload`, `growth`, or a scenario field).
    #[must_use]
    pub fn root(&self) -> &str {
        self.path.split(['.', '[']).next().unwrap_or("")
    }
}

/// The segments of a dotted path: `components.db.policy.headroom` -> 4 segments,
/// `regions[0].user_share` -> `regions`, `0`, `user_share`.
#[must_use]
pub fn segments(path: &str) -> Vec<String> {
    let mut out = Vec::new();
    for part in path.split('.') {
        let mut rest = part;
        while let Some(open) = rest.find('[') {
            if open > 0 {
                out.push(rest[..open].to_string());
            }
            let close = rest[open..].find(']').map_or(rest.len(), |c| open + c);
            out.push(rest[open + 1..close].to_string());
            rest = rest.get(close + 1..).unwrap_or("");
        }
        if !rest.is_empty() {
            out.push(rest.to_string());
        }
    }
    out
}

/// True when `map` is an enum value, serialised as {"Variant": {...}}, whose variant has the
/// field `segment` (paths look through the variant).
fn through_enum(map: &serde_json::Map<String, Value>, segment: &str) -> bool {
    !map.contains_key(segment)
        && map.len() == 1
        && map
            .values()
            .next()
            .and_then(Value::as_object)
            .is_some_and(|m| m.contains_key(segment))
}

/// True when `map` is an enum value, {"Variant": {...}} (variants are capitalised, fields
/// and map keys are not).
fn is_enum_value(map: &serde_json::Map<String, Value>) -> bool {
    map.len() == 1
        && map
            .iter()
            .next()
            .is_some_and(|(k, v)| k.starts_with(|c: char| c.is_ascii_uppercase()) && v.is_object())
}

/// The error for a field `map` does not have, with its close matches.
fn no_field(map: &serde_json::Map<String, Value>, segment: &str, so_far: &str) -> String {
    format!(
        "`{so_far}` has no field `{segment}`{}",
        did_you_mean(segment, map.keys().map(String::as_str))
    )
}

fn descend<'a>(node: &'a mut Value, segment: &str, so_far: &str) -> Result<&'a mut Value, String> {
    match node {
        Value::Object(map) => {
            if through_enum(map, segment) {
                let inner = map
                    .values_mut()
                    .next()
                    .and_then(Value::as_object_mut)
                    .expect("checked");
                return Ok(inner.get_mut(segment).expect("checked"));
            }
            if !map.contains_key(segment) {
                return Err(no_field(map, segment, so_far));
            }
            Ok(map.get_mut(segment).expect("checked"))
        }
        Value::Array(items) => {
            if let Ok(i) = segment.parse::<usize>() {
                let len = items.len();
                return items.get_mut(i).ok_or_else(|| {
                    format!("`{so_far}` has {len} elements; index {i} is out of range")
                });
            }
            let names: Vec<String> = items
                .iter()
                .filter_map(|v| v.get("name").and_then(Value::as_str).map(String::from))
                .collect();
            items
                .iter_mut()
                .find(|v| v.get("name").and_then(Value::as_str) == Some(segment))
                .ok_or_else(|| {
                    format!(
                        "`{so_far}` has no element named `{segment}`{}",
                        did_you_mean(segment, names.iter().map(String::as_str))
                    )
                })
        }
        _ => Err(format!(
            "`{so_far}` is a value, not a structure; cannot go into `{segment}`"
        )),
    }
}

/// The node at `segs` (already split) inside `value`, for reading or replacing.
pub fn node_at<'a>(value: &'a mut Value, segs: &[String]) -> Result<&'a mut Value, String> {
    let mut node = value;
    let mut so_far = String::new();
    for seg in segs {
        node = descend(
            node,
            seg,
            if so_far.is_empty() {
                "the value"
            } else {
                &so_far
            },
        )?;
        if !so_far.is_empty() {
            so_far.push('.');
        }
        so_far.push_str(seg);
    }
    Ok(node)
}

/// A field `--set` added because the value left it out (an optional field the file does not
/// state): its name, and the error to report if the type has no such field after all.
#[derive(Debug)]
pub struct Added {
    /// The set's path from the value's root (the segments `apply_to_value` walked).
    pub path: Vec<String>,
    /// The structure it was added to, as errors name it.
    pub within: String,
    /// The error naming the close matches among the fields the value has.
    pub unknown: String,
}

/// Applies `set` (its path taken from `skip` segments on) to `value`. A last segment the
/// structure does not have is added (an optional field left out of the file serialises to
/// nothing); the typed read that follows refuses a name the type does not have, and
/// [`Added`] holds the error to report then.
pub fn apply_to_value(value: &mut Value, set: &Set, skip: usize) -> Result<Option<Added>, String> {
    let segs = segments(&set.path);
    let mut node = value;
    let mut so_far = segs[..skip].join(".");
    let Some((last, path)) = segs[skip..].split_last() else {
        *node = set.value.clone();
        return Ok(None);
    };
    for seg in path {
        node = descend(node, seg, where_(&so_far))?;
        so_far = if so_far.is_empty() {
            seg.clone()
        } else {
            format!("{so_far}.{seg}")
        };
    }
    if let Value::Object(map) = node {
        // An enum value's fields are its variant's.
        let fields = if is_enum_value(map) {
            map.values_mut()
                .next()
                .and_then(Value::as_object_mut)
                .expect("checked")
        } else {
            map
        };
        if !fields.contains_key(last) {
            let unknown = no_field(fields, last, where_(&so_far));
            fields.insert(last.clone(), set.value.clone());
            return Ok(Some(Added {
                path: segs[skip..].to_vec(),
                within: where_(&so_far).to_string(),
                unknown,
            }));
        }
    }
    *descend(node, last, where_(&so_far))? = set.value.clone();
    Ok(None)
}

/// How an error names the structure a path segment is looked up in.
fn where_(so_far: &str) -> &str {
    if so_far.is_empty() {
        "the scenario"
    } else {
        so_far
    }
}

/// Applies `sets` to a typed value through its JSON form, re-checking the types.
pub fn apply<T: Serialize + DeserializeOwned + Clone>(
    target: &T,
    sets: &[&Set],
    skip: usize,
) -> Result<T, String> {
    if sets.is_empty() {
        // No round trip: JSON has no NaN, and a NaN must reach the range checks as itself.
        return Ok(target.clone());
    }
    let mut value = serde_json::to_value(target).map_err(|e| e.to_string())?;
    let mut added = Vec::new();
    for set in sets {
        let set_error = |m: String| format!("--set {}: {m}", set.path);
        if let Some(a) = apply_to_value(&mut value, set, skip).map_err(set_error)? {
            added.push((set, a));
        }
    }
    // A field added that the type does not have gets the error of a missing field, with its
    // close matches, not serde's list of every field. A strict type refuses it
    // (`deny_unknown_fields`), and serde's message lists the type's fields, those the file
    // leaves out too: "unknown field `x`, expected one of `a`, `b`".
    let refused = |message: &str| {
        added.iter().find_map(|(set, a)| {
            let last = a.path.last().map_or("", String::as_str);
            message
                .starts_with(&format!("unknown field `{last}`"))
                .then(|| {
                    let fields = message.split('`').skip(3).step_by(2);
                    format!(
                        "--set {}: `{}` has no field `{last}`{}",
                        set.path,
                        a.within,
                        did_you_mean(last, fields)
                    )
                })
        })
    };
    // A lenient type drops it on reading: missing when the value is written back (`null`
    // reads back as an absent optional field, and is no error).
    let dropped = |back: &mut Value| {
        added.iter().find_map(|(set, a)| {
            (!set.value.is_null() && node_at(back, &a.path).is_err())
                .then(|| format!("--set {}: {}", set.path, a.unknown))
        })
    };
    let typed: T = serde_path_to_error::deserialize(value).map_err(|e| {
        if let Some(error) = refused(&e.inner().to_string()) {
            return error;
        }
        let names: Vec<&str> = sets.iter().map(|s| s.path.as_str()).collect();
        format!(
            "--set {}: {} (at `{}`)",
            names.join(", "),
            e.inner(),
            e.path()
        )
    })?;
    if !added.is_empty() {
        let mut back = serde_json::to_value(&typed).map_err(|e| e.to_string())?;
        if let Some(error) = dropped(&mut back) {
            return Err(error);
        }
    }
    Ok(typed)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_values() {
        assert_eq!(
            Set::parse("workload.dau_ratio=0.2").unwrap().value,
            Value::from(0.2)
        );
        assert_eq!(
            Set::parse("pricing.region=eu-west-1").unwrap().value,
            Value::from("eu-west-1")
        );
        assert!(Set::parse("nothing").is_err());
        assert_eq!(
            Set::parse("regions[1].user_share=0.5").unwrap().root(),
            "regions"
        );
    }

    #[test]
    fn paths_go_through_lists_names_and_enums() {
        let mut v = serde_json::json!({
            "regions": [{"name": "a", "user_share": 1.0}],
            "components": [{"name": "db", "policy": {"Postgres": {"headroom": 0.3}}}],
        });
        apply_to_value(&mut v, &Set::parse("regions[0].user_share=0.5").unwrap(), 0).unwrap();
        apply_to_value(
            &mut v,
            &Set::parse("components.db.policy.headroom=0.5").unwrap(),
            0,
        )
        .unwrap();
        assert_eq!(v["regions"][0]["user_share"], 0.5);
        assert_eq!(v["components"][0]["policy"]["Postgres"]["headroom"], 0.5);
        let e = apply_to_value(
            &mut v,
            &Set::parse("components.dbb.policy.headroom=1").unwrap(),
            0,
        )
        .unwrap_err();
        assert!(
            e.contains("no element named `dbb`") && e.contains("did you mean `db`"),
            "{e}"
        );
        let e =
            apply_to_value(&mut v, &Set::parse("regions[3].user_share=1").unwrap(), 0).unwrap_err();
        assert!(e.contains("index 3 is out of range"), "{e}");
        // A last field the value leaves out is added (into the enum's variant), and the
        // error to give if the type has no such field is kept for the typed read.
        let added = apply_to_value(
            &mut v,
            &Set::parse("components.db.policy.storage_headroom=0.1").unwrap(),
            0,
        )
        .unwrap()
        .expect("added");
        assert_eq!(
            v["components"][0]["policy"]["Postgres"]["storage_headroom"],
            0.1
        );
        assert_eq!(
            added.path,
            ["components", "db", "policy", "storage_headroom"]
        );
        assert!(
            added
                .unknown
                .contains("`components.db.policy` has no field `storage_headroom`"),
            "{}",
            added.unknown
        );
    }
}
