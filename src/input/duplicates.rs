//! Things written twice where the second would silently replace the first: keys of RON maps,
//! and the items of a `Fixed` component's lines. Each is an error at the second one's line.
//!
//! serde fills a map key by key, so `pinned: {"10B": .., "10B": ..}` would keep the second
//! entry without a word and change the bill. Struct fields are already checked by serde;
//! [`check`] catches maps (`{ key: value, ... }`) at any depth, with the line and column of
//! the second key. It runs on text RON has already parsed, keeps its own stack (no
//! recursion), and compares keys as written.

use std::collections::HashMap;
use std::path::Path;

use crate::error::InputError;
use crate::input::scenario::{Policy, ScenarioFile};

enum Frame {
    /// A `{ .. }` map: keys seen (text -> offset), and where the current key starts while
    /// reading one (`None` before its first character, or while reading a value).
    Map {
        keys: HashMap<String, usize>,
        reading_key: bool,
        key_start: Option<usize>,
    },
    /// `( .. )` or `[ .. ]`.
    Other,
}

/// 1-based line and column of byte `offset` in `src`.
#[must_use]
pub fn line_col(src: &str, offset: usize) -> (usize, usize) {
    let before = &src[..offset.min(src.len())];
    let line = before.matches('\n').count() + 1;
    let col = before.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1;
    (line, col)
}

/// The first map key written twice in the same map, as an error at the second one.
pub fn check(file: &Path, src: &str) -> Result<(), InputError> {
    let bytes = src.as_bytes();
    let mut stack: Vec<Frame> = Vec::new();
    let mut i = 0;
    while i < bytes.len() {
        let c = bytes[i];
        let token_start = i;
        // Comments and whitespace belong to no key.
        if c.is_ascii_whitespace() {
            i += 1;
            continue;
        }
        if c == b'/' && bytes.get(i + 1) == Some(&b'/') {
            while i < bytes.len() && bytes[i] != b'\n' {
                i += 1;
            }
            continue;
        }
        if c == b'/' && bytes.get(i + 1) == Some(&b'*') {
            i = skip_block_comment(bytes, i);
            continue;
        }
        // Mark the start of a key at its first character.
        if let Some(Frame::Map {
            reading_key: true,
            key_start,
            ..
        }) = stack.last_mut()
            && key_start.is_none()
            && !matches!(c, b':' | b',' | b'}')
        {
            *key_start = Some(token_start);
        }
        match c {
            b'"' => i = skip_string(bytes, i + 1, 0),
            b'r' if raw_string_start(bytes, i) => {
                let mut hashes = 0;
                i += 1;
                while bytes.get(i) == Some(&b'#') {
                    hashes += 1;
                    i += 1;
                }
                i = skip_string(bytes, i + 1, hashes);
            }
            b'\'' => i = skip_char(bytes, i),
            b'{' => {
                stack.push(Frame::Map {
                    keys: HashMap::new(),
                    reading_key: true,
                    key_start: None,
                });
                i += 1;
            }
            b'(' | b'[' => {
                stack.push(Frame::Other);
                i += 1;
            }
            b'}' | b')' | b']' => {
                stack.pop();
                i += 1;
            }
            b':' => {
                if let Some(Frame::Map {
                    keys,
                    reading_key,
                    key_start,
                }) = stack.last_mut()
                    && *reading_key
                {
                    let start = key_start.take().unwrap_or(i);
                    let key = src[start..i].trim_end().to_string();
                    if let Some(&first) = keys.get(&key) {
                        let (line, col) = line_col(src, start);
                        let (first_line, _) = line_col(src, first);
                        return Err(InputError::at(
                            file,
                            line,
                            col,
                            format!(
                                "duplicate key {key} in this map (first at line {first_line}); \
                                 the second would silently replace the first"
                            ),
                        ));
                    }
                    keys.insert(key, start);
                    *reading_key = false;
                }
                i += 1;
            }
            b',' => {
                if let Some(Frame::Map {
                    reading_key,
                    key_start,
                    ..
                }) = stack.last_mut()
                {
                    *reading_key = true;
                    *key_start = None;
                }
                i += 1;
            }
            _ => i += 1,
        }
    }
    Ok(())
}

/// An item listed twice in a `Fixed` component's lines (the bill would count one of them
/// only), located at the second listing in `src` (the scenario file's text) where found.
pub fn check_fixed_lines(file: &Path, src: &str, spec: &ScenarioFile) -> Result<(), InputError> {
    for (c, component) in spec.components.iter().enumerate() {
        let Policy::Fixed(fixed) = &component.policy else {
            continue;
        };
        let mut seen: HashMap<&str, usize> = HashMap::new();
        for (l, line) in fixed.lines.iter().enumerate() {
            let key = line.item.as_str();
            let Some(&first) = seen.get(&key) else {
                seen.insert(key, l);
                continue;
            };
            let message = format!(
                "item `{}` is listed twice in component `{}` (lines[{first}] and lines[{l}]); \
                 list it once with the total count",
                line.item, component.name
            );
            return Err(match second_item_offset(src, &component.name, &line.item) {
                Some(offset) => {
                    let (at_line, col) = line_col(src, offset);
                    InputError::at(file, at_line, col, message)
                }
                None => {
                    InputError::field(file, format!("components[{c}].policy.lines[{l}]"), message)
                }
            });
        }
    }
    Ok(())
}

/// Where `item: "<item>"` occurs the second time after the component's `name: "<name>"`.
fn second_item_offset(src: &str, component: &str, item: &str) -> Option<usize> {
    let quoted = |s: &str| format!("\"{s}\"");
    let after_field = |offset: usize, field: &str| {
        let before = src[..offset].trim_end();
        before
            .strip_suffix(':')
            .is_some_and(|b| b.trim_end().ends_with(field))
    };
    let name = quoted(component);
    let start = src
        .match_indices(&name)
        .map(|(o, _)| o)
        .find(|&o| after_field(o, "name"))?;
    let item_text = quoted(item);
    src[start..]
        .match_indices(&item_text)
        .map(|(o, _)| start + o)
        .filter(|&o| after_field(o, "item"))
        .nth(1)
}

fn is_ident(c: u8) -> bool {
    c.is_ascii_alphanumeric() || c == b'_'
}

/// `r"..."` or `r#"..."#` starts at `i` (and `r` is not the end of an identifier).
fn raw_string_start(bytes: &[u8], i: usize) -> bool {
    if i > 0 && is_ident(bytes[i - 1]) {
        return false;
    }
    let mut j = i + 1;
    while bytes.get(j) == Some(&b'#') {
        j += 1;
    }
    bytes.get(j) == Some(&b'"')
}

/// Index just past a string whose body starts at `i`; `hashes` > 0 for raw strings.
fn skip_string(bytes: &[u8], mut i: usize, hashes: usize) -> usize {
    while i < bytes.len() {
        match bytes[i] {
            b'\\' if hashes == 0 => i += 2,
            b'"' => {
                let closes = (1..=hashes).all(|k| bytes.get(i + k) == Some(&b'#'));
                if closes {
                    return i + 1 + hashes;
                }
                i += 1;
            }
            _ => i += 1,
        }
    }
    i
}

/// Index just past a char literal starting at `i` (`'a'`, `'\''`).
fn skip_char(bytes: &[u8], i: usize) -> usize {
    let mut j = i + 1;
    if bytes.get(j) == Some(&b'\\') {
        j += 2;
    } else {
        j += 1;
    }
    while j < bytes.len() && bytes[j] != b'\'' {
        j += 1;
    }
    j + 1
}

/// Index just past a (possibly nested) block comment starting at `i`.
fn skip_block_comment(bytes: &[u8], mut i: usize) -> usize {
    let mut depth = 0;
    while i < bytes.len() {
        if bytes[i] == b'/' && bytes.get(i + 1) == Some(&b'*') {
            depth += 1;
            i += 2;
        } else if bytes[i] == b'*' && bytes.get(i + 1) == Some(&b'/') {
            depth -= 1;
            i += 2;
            if depth == 0 {
                return i;
            }
        } else {
            i += 1;
        }
    }
    i
}

#[cfg(test)]
mod tests {
    use super::*;

    fn err(src: &str) -> String {
        check(Path::new("s.ron"), src).unwrap_err().to_string()
    }

    #[test]
    fn finds_the_second_key_of_a_map() {
        let src = "(\n  pinned: {\n    \"10B\": {\"db\": 1},\n    \"10B\": {\"db\": 2},\n  },\n)";
        let e = err(src);
        assert!(e.starts_with("s.ron:4:5: duplicate key \"10B\""), "{e}");
        assert!(e.contains("first at line 3"), "{e}");
        // nested map
        let e = err("{\"a\": {\"x\": 1, \"y\": 2, \"x\": 3}}");
        assert!(e.starts_with("s.ron:1:24: duplicate key \"x\""), "{e}");
    }

    #[test]
    fn same_keys_in_different_maps_structs_strings_and_comments_are_fine() {
        let ok = [
            "{\"a\": {\"x\": 1}, \"b\": {\"x\": 1}}",
            "[(name: \"a\"), (name: \"a\")]",
            "{\"a\": \"b: c, a: d\", \"b\": 1}",
            "{\"a\": 1, // \"a\": 2\n \"b\": 1 /* \"a\": 3 */}",
            "{r#\"a\"#: 1, \"b\": 'a', \"c\": ':'}",
            "{\"a\": (x: 1, y: {\"a\": 1}), \"b\": 1}",
        ];
        for src in ok {
            assert!(check(Path::new("s.ron"), src).is_ok(), "{src}");
        }
    }
}
