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

/// Fields `--set` added because the value left them out (optional fields and map entries the
/// file does not state serialise to nothing): the set's path, and for each added segment the
/// error to report if the type has no such field after all.
#[derive(Debug)]
pub struct Added {
    /// The set's path from the value's root (the segments `apply_to_value` walked).
    pub path: Vec<String>,
    /// Position in `path` of the first segment added (those after it were added too).
    pub first: usize,
    /// Per added segment, in path order (`path[first..]`).
    pub segments: Vec<AddedSegment>,
}

/// One segment `--set` added (see [`Added`]).
#[derive(Debug)]
pub struct AddedSegment {
    /// The structure the segment was added to, as errors name it.
    pub within: String,
    /// The error if the type has no such field: "`within` has no field `x`" and its close
    /// matches among the fields the structure has.
    pub unknown: String,
}

impl Added {
    /// The error for the first segment of `path` (from the added ones on) that `back`, the
    /// typed value written back, does not have: a lenient type dropped it on reading.
    fn dropped_from(&self, back: &mut Value) -> Option<&str> {
        let mut node = back;
        for (i, seg) in self.path.iter().enumerate() {
            match descend(node, seg, "") {
                Ok(next) => node = next,
                Err(_) => {
                    return i
                        .checked_sub(self.first)
                        .and_then(|k| self.segments.get(k))
                        .map(|s| s.unknown.as_str());
                }
            }
        }
        None
    }

    /// The added segment named `name` and the structure it was added to.
    fn segment_named(&self, name: &str) -> Option<&AddedSegment> {
        self.path[self.first..]
            .iter()
            .zip(&self.segments)
            .find(|(seg, _)| *seg == name)
            .map(|(_, s)| s)
    }
}

/// Applies `set` (its path taken from `skip` segments on) to `value`. Fields the structures
/// on the path do not have (an optional field or a map entry left out of the file) are added:
/// the last with the value, those before it as empty structures (a pin for a phase the
/// scenario does not pin yet: `components.db.pinned.10B.primary=4`). The typed read that
/// follows refuses a name the type does not have, and [`Added`] holds the errors to report
/// then.
pub fn apply_to_value(value: &mut Value, set: &Set, skip: usize) -> Result<Option<Added>, String> {
    let segs = segments(&set.path);
    let mut node = value;
    let mut so_far = segs[..skip].join(".");
    if segs.len() == skip {
        *node = set.value.clone();
        return Ok(None);
    }
    let mut added: Option<Added> = None;
    for (i, seg) in segs.iter().enumerate().skip(skip) {
        let last = i + 1 == segs.len();
        let within = where_(&so_far).to_string();
        // An optional structure written as `null` is one with nothing stated yet.
        if node.is_null() {
            *node = Value::Object(serde_json::Map::new());
        }
        let missing = node
            .as_object()
            .is_some_and(|map| !map.contains_key(seg) && !through_enum(map, seg));
        if missing {
            let map = node.as_object_mut().expect("checked");
            // An enum value's fields are its variant's.
            let fields = if is_enum_value(map) {
                map.values_mut()
                    .next()
                    .and_then(Value::as_object_mut)
                    .expect("checked")
            } else {
                map
            };
            let unknown = no_field(fields, seg, &within);
            let fresh = if last {
                set.value.clone()
            } else {
                Value::Object(serde_json::Map::new())
            };
            added
                .get_or_insert_with(|| Added {
                    path: segs[skip..].to_vec(),
                    first: i - skip,
                    segments: Vec::new(),
                })
                .segments
                .push(AddedSegment { within, unknown });
            node = fields.entry(seg.clone()).or_insert(fresh);
        } else {
            node = descend(node, seg, &within)?;
            if last {
                *node = set.value.clone();
            }
        }
        so_far = if so_far.is_empty() {
            seg.clone()
        } else {
            format!("{so_far}.{seg}")
        };
    }
    Ok(added)
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
            let name = message.strip_prefix("unknown field `")?.split('`').next()?;
            let segment = a.segment_named(name)?;
            let fields = message.split('`').skip(3).step_by(2);
            Some(format!(
                "--set {}: `{}` has no field `{name}`{}",
                set.path,
                segment.within,
                did_you_mean(name, fields)
            ))
        })
    };
    // A lenient type drops it on reading: missing when the value is written back (`null`
    // reads back as an absent optional field, and is no error).
    let dropped = |back: &mut Value| {
        added.iter().find_map(|(set, a)| {
            if set.value.is_null() {
                return None;
            }
            a.dropped_from(back)
                .map(|unknown| format!("--set {}: {unknown}", set.path))
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
        assert_eq!(added.first, 3);
        assert_eq!(
            added.segments[0].unknown,
            "`components.db.policy` has no field `storage_headroom` (did you mean `headroom`?)"
        );
    }

    /// Structures missing on the way are added empty: a pin for a phase not pinned yet.
    #[test]
    fn missing_structures_on_the_path_are_added() {
        let mut v = serde_json::json!({
            "components": [{"name": "db", "pinned": {"1M": {"primary": 2}}, "limits": null}],
        });
        let added = apply_to_value(
            &mut v,
            &Set::parse("components.db.pinned.10B.primary=4").unwrap(),
            0,
        )
        .unwrap()
        .expect("added");
        assert_eq!(v["components"][0]["pinned"]["10B"]["primary"], 4);
        assert_eq!(v["components"][0]["pinned"]["1M"]["primary"], 2);
        assert_eq!(added.first, 3);
        let within: Vec<&str> = added.segments.iter().map(|s| s.within.as_str()).collect();
        assert_eq!(within, ["components.db.pinned", "components.db.pinned.10B"]);
        // A type that drops `10B` on reading is reported at `10B`, the first segment missing.
        let mut back = serde_json::json!({"components": [{"name": "db", "pinned": {}}]});
        assert_eq!(
            added.dropped_from(&mut back),
            Some("`components.db.pinned` has no field `10B`")
        );
        // Kept in full: nothing dropped.
        assert_eq!(added.dropped_from(&mut v.clone()), None);
        // A `null` optional structure is one with nothing in it yet.
        apply_to_value(
            &mut v,
            &Set::parse("components.db.limits.nodes=5").unwrap(),
            0,
        )
        .unwrap();
        assert_eq!(v["components"][0]["limits"]["nodes"], 5);
    }
}
