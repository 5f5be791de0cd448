//! Layers import only downward: every `crate::` and `super::` path in `src/**/*.rs` (in `use`
//! lines and inline) must name a module of the same unit or of a lower layer.
//!
//! [`LAYERS`] is the order, lowest first; `src/lib.rs` and the README's "Architecture"
//! section draw the same picture. A unit is a top-level module (`input`, `sizing`...) or,
//! where one module spans layers, a sub-module (`render::report`, `uncertainty::summary`);
//! a path belongs to the longest unit that prefixes it. Units of one layer are independent:
//! they may not import each other either. A new module must be placed in the table, so the
//! test fails until someone decides where it goes.
//!
//! Paths are read from the tokens (comments and string literals skipped), so
//! `crate::render::{charts, report}` counts as two imports and an inline
//! `crate::plan::build(&s)` as one. Relative paths into a module's own children
//! (`engine::Model` inside `uncertainty/mod.rs`) go down the tree and are not checked; the
//! binary (`src/main.rs`) sits above everything and imports `headroom::`, not `crate::`.

use std::path::{Path, PathBuf};

use crate::support::root;

/// The layers, lowest first: (name, units). See `src/lib.rs`.
const LAYERS: &[(&str, &[&str])] = &[
    (
        "foundation: units, errors, traces, queueing maths",
        &["units", "error", "trace", "queueing"],
    ),
    (
        "tables: instance catalog and price tables",
        &["catalog", "pricing"],
    ),
    (
        "input: scenario, models, overrides, uncertainty spec",
        &["input"],
    ),
    ("demand", &["demand"]),
    ("sizing", &["sizing"]),
    ("costing: bills and discounts", &["costing"]),
    ("selection: instance auto-selection", &["selection"]),
    (
        "plan sections computed outside the plan (Monte Carlo results)",
        &["uncertainty::summary"],
    ),
    ("plan", &["plan"]),
    (
        "fleets: what runs, read from inventories, tfvars and Terraform plans",
        &["fleet"],
    ),
    (
        "analyses of plans",
        &[
            "uncertainty",
            "audit",
            "backtest",
            "calibrate",
            "timeline",
            "diff",
            "check",
            "capacity",
            "commitment",
        ],
    ),
    ("comparisons of analysed plans", &["providers"]),
    ("output writer (names and atomic writes)", &["output"]),
    (
        "render: formatting primitives",
        &["render::format", "render::table"],
    ),
    (
        "render: templates and charts",
        &["render::templates", "render::charts"],
    ),
    (
        "render: one output each",
        &[
            "render::json",
            "render::costs_csv",
            "render::focus",
            "render::backtest",
            "render::calibrate",
            "render::phase_tables",
            "render::explain",
            "render::audit",
            "render::diff",
            "render::timeline",
            "render::timeline_chart",
            "render::uncertainty",
            "render::tfvars",
            "render::uncertainty_csv",
            "render::pricing",
            "render::queue",
            "render::check",
            "render::capacity",
            "render::commitment",
        ],
    ),
    (
        "render: views built on other renderers",
        &[
            "render::providers",
            "render::uncertainty_charts",
            "render::parquet",
        ],
    ),
    (
        "render: composite documents",
        &[
            "render::summary_md",
            "render::terminal",
            "render::report_uncertainty",
        ],
    ),
    ("render: the report", &["render::report"]),
    (
        "render: every file headroom writes",
        &["render::files", "render"],
    ),
    (
        "app: commands and fuzz entry points",
        &["commands", "fuzzing"],
    ),
    ("crate root (module list and re-exports)", &[""]),
];

/// Imports that go up today, as (file, imported unit); each entry is a known defect to
/// remove, never to add to.
const ALLOWED: &[(&str, &str)] = &[];

/// One `crate::` or `super::` path as written, resolved to a module path from the crate root.
#[derive(Debug, Clone, PartialEq)]
struct Import {
    line: usize,
    /// As written (`crate::render::report::ChartView`).
    text: String,
    /// Segments from the crate root, items included (`render`, `report`, `ChartView`).
    path: Vec<String>,
}

#[derive(Debug, Clone, PartialEq)]
enum Tok {
    Ident(String),
    /// `::`
    PathSep,
    Punct(char),
}

/// Tokens with their line numbers; comments, strings, chars, lifetimes and numbers dropped.
fn tokens(source: &str) -> Vec<(usize, Tok)> {
    let chars: Vec<char> = source.chars().collect();
    let mut out = Vec::new();
    let mut line = 1;
    let mut i = 0;
    let at = |k: usize| chars.get(k).copied().unwrap_or('\0');
    while i < chars.len() {
        let c = chars[i];
        if c == '\n' {
            line += 1;
            i += 1;
        } else if c.is_whitespace() {
            i += 1;
        } else if c == '/' && at(i + 1) == '/' {
            while i < chars.len() && chars[i] != '\n' {
                i += 1;
            }
        } else if c == '/' && at(i + 1) == '*' {
            let mut depth = 0;
            while i < chars.len() {
                if chars[i] == '/' && at(i + 1) == '*' {
                    depth += 1;
                    i += 2;
                } else if chars[i] == '*' && at(i + 1) == '/' {
                    depth -= 1;
                    i += 2;
                    if depth == 0 {
                        break;
                    }
                } else {
                    line += usize::from(chars[i] == '\n');
                    i += 1;
                }
            }
        } else if c == '"' || ((c == 'b' || c == 'c') && at(i + 1) == '"') {
            i += if c == '"' { 1 } else { 2 };
            while i < chars.len() && chars[i] != '"' {
                line += usize::from(chars[i] == '\n');
                i += if chars[i] == '\\' { 2 } else { 1 };
            }
            i += 1;
        } else if (c == 'r' || (c == 'b' && at(i + 1) == 'r'))
            && matches!(at(i + usize::from(c == 'b') + 1), '"' | '#')
            && raw_string_opens(&chars, i + usize::from(c == 'b') + 1)
        {
            // r"..", r#".."#, br"..": ends at the quote followed by as many `#`.
            let mut k = i + usize::from(c == 'b') + 1;
            let mut hashes = 0;
            while at(k) == '#' {
                hashes += 1;
                k += 1;
            }
            k += 1;
            loop {
                if k >= chars.len() {
                    break;
                }
                if chars[k] == '"' && (1..=hashes).all(|h| at(k + h) == '#') {
                    k += 1 + hashes;
                    break;
                }
                line += usize::from(chars[k] == '\n');
                k += 1;
            }
            i = k;
        } else if c == '\'' {
            // A char literal ('a', '\n', '\u{1F600}') or a lifetime ('a, 'static).
            if at(i + 1) == '\\' {
                // Skip the backslash and the escaped character, then up to the closing quote.
                i += 3;
                while i < chars.len() && chars[i] != '\'' {
                    i += 1;
                }
                i += 1;
            } else if at(i + 2) == '\'' {
                i += 3;
            } else {
                i += 1;
                while at(i).is_alphanumeric() || at(i) == '_' {
                    i += 1;
                }
            }
        } else if c.is_alphabetic() || c == '_' {
            let start = i;
            while at(i).is_alphanumeric() || at(i) == '_' {
                i += 1;
            }
            let mut word: String = chars[start..i].iter().collect();
            if word == "r" && at(i) == '#' {
                // A raw identifier: r#type.
                i += 1;
                let s = i;
                while at(i).is_alphanumeric() || at(i) == '_' {
                    i += 1;
                }
                word = chars[s..i].iter().collect();
            }
            out.push((line, Tok::Ident(word)));
        } else if c.is_ascii_digit() {
            while at(i).is_alphanumeric()
                || at(i) == '_'
                || (at(i) == '.' && at(i + 1).is_ascii_digit())
            {
                i += 1;
            }
        } else if c == ':' && at(i + 1) == ':' {
            out.push((line, Tok::PathSep));
            i += 2;
        } else {
            out.push((line, Tok::Punct(c)));
            i += 1;
        }
    }
    out
}

/// Whether `r` followed by `#`s at `k` opens a raw string (not a raw identifier `r#type`).
fn raw_string_opens(chars: &[char], mut k: usize) -> bool {
    while chars.get(k) == Some(&'#') {
        k += 1;
    }
    chars.get(k) == Some(&'"')
}

/// Reads a use-tree (or an inline path) at `toks[*i]`, after `prefix::`; pushes every full
/// path it names.
fn use_tree(toks: &[(usize, Tok)], i: &mut usize, prefix: &[String], out: &mut Vec<Vec<String>>) {
    let mut path = prefix.to_vec();
    loop {
        match toks.get(*i).map(|t| &t.1) {
            Some(Tok::Ident(word)) => {
                if word != "self" {
                    path.push(word.clone());
                }
                *i += 1;
                if toks.get(*i).map(|t| &t.1) == Some(&Tok::PathSep) {
                    *i += 1;
                    continue;
                }
                if toks.get(*i).map(|t| &t.1) == Some(&Tok::Ident("as".into())) {
                    *i += 2;
                }
                out.push(path);
                return;
            }
            Some(Tok::Punct('{')) => {
                *i += 1;
                loop {
                    match toks.get(*i).map(|t| &t.1) {
                        Some(Tok::Punct('}')) | None => break,
                        Some(Tok::Punct(',')) => *i += 1,
                        Some(_) => {
                            let before = *i;
                            use_tree(toks, i, &path, out);
                            if *i == before {
                                *i += 1;
                            }
                        }
                    }
                }
                *i += 1;
                return;
            }
            // `*`, a turbofish `::<T>`, or nothing more.
            _ => {
                out.push(path);
                return;
            }
        }
    }
}

/// Every `crate::` and `super::` path of a file whose module path is `module`
/// (`["render", "report"]`), resolved from the crate root. `super::` is resolved against the
/// inline modules (`mod tests { .. }`) that enclose it; climbing above the crate is an error.
fn imports(module: &[String], source: &str) -> Result<Vec<Import>, String> {
    let toks = tokens(source);
    let mut out = Vec::new();
    // Inline modules open at this point: (name, brace depth inside them).
    let mut inline: Vec<(String, usize)> = Vec::new();
    let mut depth = 0usize;
    let mut i = 0;
    while i < toks.len() {
        let (line, tok) = &toks[i];
        let after_sep = i > 0 && toks[i - 1].1 == Tok::PathSep;
        match tok {
            Tok::Punct('{') => depth += 1,
            Tok::Punct('}') => {
                if inline.last().is_some_and(|(_, d)| *d == depth) {
                    inline.pop();
                }
                depth = depth.saturating_sub(1);
            }
            Tok::Ident(word)
                if word == "mod" && toks.get(i + 2).map(|t| &t.1) == Some(&Tok::Punct('{')) =>
            {
                if let Some((_, Tok::Ident(name))) = toks.get(i + 1) {
                    inline.push((name.clone(), depth + 1));
                }
            }
            Tok::Ident(word)
                if (word == "crate" || word == "super")
                    && !after_sep
                    && toks.get(i + 1).map(|t| &t.1) == Some(&Tok::PathSep) =>
            {
                let start = i;
                let mut base: Vec<String> = Vec::new();
                if word == "super" {
                    base = module.to_vec();
                    base.extend(inline.iter().map(|(n, _)| n.clone()));
                    while toks.get(i).map(|t| &t.1) == Some(&Tok::Ident("super".into()))
                        && toks.get(i + 1).map(|t| &t.1) == Some(&Tok::PathSep)
                    {
                        if base.pop().is_none() {
                            return Err(format!("line {line}: `super::` climbs out of the crate"));
                        }
                        i += 2;
                    }
                } else {
                    i += 2;
                }
                let mut paths = Vec::new();
                use_tree(&toks, &mut i, &base, &mut paths);
                let written: Vec<String> = toks[start..i]
                    .iter()
                    .map(|(_, t)| match t {
                        Tok::Ident(w) => w.clone(),
                        Tok::PathSep => "::".into(),
                        Tok::Punct(c) => c.to_string(),
                    })
                    .collect();
                for path in paths {
                    out.push(Import {
                        line: *line,
                        text: written.concat(),
                        path,
                    });
                }
                continue;
            }
            _ => {}
        }
        i += 1;
    }
    Ok(out)
}

/// The unit a module path belongs to (the longest unit prefixing it) and its layer.
fn unit_of(path: &[String]) -> Option<(&'static str, usize)> {
    let mut best: Option<(&'static str, usize, usize)> = None;
    for (layer, (_, units)) in LAYERS.iter().enumerate() {
        for unit in *units {
            // The crate root holds only `lib.rs`; a path below it belongs to a module.
            if unit.is_empty() != path.is_empty() {
                continue;
            }
            let segments: Vec<&str> = unit.split("::").filter(|s| !s.is_empty()).collect();
            let prefixes = segments.len() <= path.len()
                && segments.iter().zip(path).all(|(a, b)| *a == b.as_str());
            if prefixes && best.is_none_or(|(_, _, len)| segments.len() > len) {
                best = Some((unit, layer, segments.len()));
            }
        }
    }
    best.map(|(unit, layer, _)| (unit, layer))
}

/// The module path of a source file: `src/render/report.rs` -> `render::report`.
fn module_of(relative: &Path) -> Vec<String> {
    let mut parts: Vec<String> = relative
        .with_extension("")
        .components()
        .map(|c| c.as_os_str().to_string_lossy().to_string())
        .collect();
    if parts.last().is_some_and(|p| p == "mod" || p == "lib") {
        parts.pop();
    }
    parts
}

/// Every violation in one file: an import of a higher layer, or of another unit of the same
/// layer, or of a module the table does not place.
fn violations(file: &str, module: &[String], source: &str) -> Vec<String> {
    let Some((unit, layer)) = unit_of(module) else {
        return vec![format!(
            "{file}: module `{}` has no layer: add it to LAYERS in tests/layers.rs",
            module.join("::")
        )];
    };
    let found = match imports(module, source) {
        Ok(found) => found,
        Err(e) => return vec![format!("{file}: {e}")],
    };
    let mut out = Vec::new();
    for import in found {
        let Some((to_unit, to_layer)) = unit_of(&import.path) else {
            out.push(format!(
                "{file}:{}: imports `crate::{}`, which is in no unit of LAYERS (a crate-root \
                 re-export: import it from its module; a new module: place it in LAYERS): {}",
                import.line,
                import.path.join("::"),
                import.text
            ));
            continue;
        };
        if to_unit == unit {
            continue;
        }
        let why = if to_layer > layer {
            format!(
                "imports `{to_unit}` (layer \"{}\") from the lower layer \"{}\"",
                LAYERS[to_layer].0, LAYERS[layer].0
            )
        } else if to_layer == layer {
            format!(
                "imports `{to_unit}` sideways: the units of layer \"{}\" are independent",
                LAYERS[layer].0
            )
        } else {
            continue;
        };
        if ALLOWED.contains(&(file, to_unit)) {
            continue;
        }
        out.push(format!("{file}:{}: {why}: {}", import.line, import.text));
    }
    out
}

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    let mut entries: Vec<PathBuf> = std::fs::read_dir(dir)
        .expect("src/ is readable")
        .filter_map(Result::ok)
        .map(|e| e.path())
        .collect();
    entries.sort();
    for path in entries {
        if path.is_dir() {
            rust_files(&path, out);
        } else if path.extension().is_some_and(|x| x == "rs") {
            out.push(path);
        }
    }
}

fn segments(path: &str) -> Vec<String> {
    path.split("::").map(String::from).collect()
}

#[test]
fn layers_import_only_downward() {
    let src = root().join("src");
    let mut files = Vec::new();
    rust_files(&src, &mut files);
    let mut found = Vec::new();
    let mut used_allowances = Vec::new();
    for path in &files {
        let relative = path.strip_prefix(&src).expect("under src/");
        if relative == Path::new("main.rs") {
            continue;
        }
        let file = format!("src/{}", relative.display());
        let module = module_of(relative);
        let source = std::fs::read_to_string(path).expect("readable source");
        found.extend(violations(&file, &module, &source));
        for import in imports(&module, &source).unwrap_or_default() {
            if let (Some((unit, _)), Some((to, _))) = (unit_of(&module), unit_of(&import.path))
                && unit != to
            {
                used_allowances.push((file.clone(), to));
            }
        }
    }
    assert!(
        found.is_empty(),
        "{} imports go up the layer order (tests/layers.rs, src/lib.rs):\n{}",
        found.len(),
        found.join("\n")
    );
    // An allowance nobody needs any more must go, so the list only shrinks.
    for (file, unit) in ALLOWED {
        assert!(
            used_allowances.iter().any(|(f, u)| f == file && u == unit),
            "ALLOWED has ({file}, {unit}), which no file needs any more: remove it"
        );
    }
}

#[test]
fn every_unit_is_placed_once() {
    let mut seen = Vec::new();
    for (_, units) in LAYERS {
        for unit in *units {
            assert!(!seen.contains(unit), "{unit} is in two layers");
            seen.push(unit);
        }
    }
}

#[test]
fn reads_use_groups_inline_paths_and_super() {
    let source = r##"
use crate::render::{charts::{self, Chart}, report as r};
use std::fmt; // crate::not_this
/* crate::nor_this */
fn f() -> u64 {
    let s = "crate::nor_this_either";
    let t = r#"crate::nor_raw"#;
    let c = '"';
    crate::plan::build(&x).map(|p: crate::plan::Plan| p.total::<u64>())
}
mod tests {
    use super::*;
    use super::super::input::Scenario;
}
"##;
    let module = segments("render::terminal");
    let found: Vec<(usize, String)> = imports(&module, source)
        .unwrap()
        .into_iter()
        .map(|i| (i.line, i.path.join("::")))
        .collect();
    assert_eq!(
        found,
        vec![
            (2, "render::charts".into()),
            (2, "render::charts::Chart".into()),
            (2, "render::report".into()),
            (9, "plan::build".into()),
            (9, "plan::Plan".into()),
            // `super` inside `mod tests` is the file's own module...
            (12, "render::terminal".into()),
            // ...and two of them climb to the parent of the file's module.
            (13, "render::input::Scenario".into()),
        ]
    );
    let e = imports(&segments("plan"), "fn f() { super::super::x(); }").unwrap_err();
    assert!(e.contains("climbs out of the crate"), "{e}");
}

#[test]
fn an_upward_import_fails_with_file_line_and_path() {
    // The plan reaching into a renderer, in a `use` group and inline.
    let source = "use crate::{demand::Demand, render::format::usd};\n\
                  fn f() { let _ = crate::commands::plan_scenario; }\n";
    let found = violations("src/plan.rs", &segments("plan"), source);
    assert_eq!(found.len(), 2, "{found:?}");
    assert_eq!(
        found[0],
        "src/plan.rs:1: imports `render::format` (layer \"render: formatting primitives\") \
         from the lower layer \"plan\": crate::{demand::Demand,render::format::usd}"
    );
    assert!(
        found[1].starts_with("src/plan.rs:2: imports `commands`"),
        "{}",
        found[1]
    );
    // Sideways inside a layer, a crate-root re-export, and a module the table does not know.
    let sideways = violations(
        "src/audit/mod.rs",
        &segments("audit"),
        "use crate::diff::Diff;",
    );
    assert!(sideways[0].contains("sideways"), "{sideways:?}");
    let root = violations("src/diff.rs", &segments("diff"), "use crate::Error;");
    assert!(
        root[0].contains("`crate::Error`, which is in no unit"),
        "{root:?}"
    );
    let unknown = violations("src/extra.rs", &segments("extra"), "");
    assert!(unknown[0].contains("has no layer"), "{unknown:?}");
    // Downward imports and the unit's own modules pass.
    assert!(
        violations(
            "src/render/report.rs",
            &segments("render::report"),
            "use crate::plan::Plan;\nuse crate::render::charts::Chart;\nuse super::templates;"
        )
        .is_empty()
    );
    assert!(
        violations(
            "src/sizing/redis.rs",
            &segments("sizing::redis"),
            "use crate::sizing::Measure;"
        )
        .is_empty()
    );
}
