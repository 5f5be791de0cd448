//! The minijinja environment every templated output renders through: the built-in templates
//! (embedded with `include_str!`, so the shipped files and the binary cannot drift), a user's
//! template folder that replaces built-ins of the same name, strict undefined values, and the
//! filters templates use to write HCL, JSON, Markdown and numbers.
//!
//! The context each template sees is documented in `templates/README.md` and on the functions
//! that build it ([`crate::render::tfvars`], [`crate::render::report`]).

use std::collections::BTreeMap;
use std::fmt::Write;
use std::path::{Path, PathBuf};

use minijinja::syntax::SyntaxConfig;
use minijinja::value::{Value, ValueKind};
use minijinja::{AutoEscape, Environment, UndefinedBehavior};

use crate::error::Error;
use crate::render::format;

/// The built-in templates: (name, source). A file of the same name in `--templates DIR`
/// replaces one.
pub const BUILTIN: &[(&str, &str)] = &[
    (
        "phase.tfvars.j2",
        include_str!("../../templates/phase.tfvars.j2"),
    ),
    (
        "phase.tfvars.json.j2",
        include_str!("../../templates/phase.tfvars.json.j2"),
    ),
    (
        "variables.tf.j2",
        include_str!("../../templates/variables.tf.j2"),
    ),
    (
        "report.html.j2",
        include_str!("../../templates/report.html.j2"),
    ),
    ("report.md.j2", include_str!("../../templates/report.md.j2")),
];

/// Instructions one template render may execute: far above what the built-in templates need
/// for the shipped scenarios; a user's template looping 10^10 times stops with an error
/// naming it instead of running for hours.
pub const TEMPLATE_FUEL: u64 = 200_000_000;

/// A template's source and where it came from (for error messages).
#[derive(Debug, Clone)]
struct Source {
    text: String,
    /// The user's file, or `None` for a built-in template.
    path: Option<PathBuf>,
}

/// The loaded templates, ready to render.
pub struct Templates {
    env: Environment<'static>,
    sources: BTreeMap<String, Source>,
}

fn read_user_dir(dir: &Path) -> Result<BTreeMap<String, Source>, Error> {
    let usage = |what: String| Error::Usage(format!("--templates {}: {what}", dir.display()));
    let entries = std::fs::read_dir(dir).map_err(|e| usage(e.to_string()))?;
    let mut out = BTreeMap::new();
    for entry in entries {
        let entry = entry.map_err(|e| usage(e.to_string()))?;
        let path = entry.path();
        if !path.is_file() {
            continue;
        }
        let Some(name) = path
            .file_name()
            .and_then(|n| n.to_str())
            .map(str::to_string)
        else {
            continue;
        };
        // Templates only: a README or notes beside them are not parsed.
        if name.starts_with('.') || !name.ends_with(".j2") {
            continue;
        }
        let text = std::fs::read_to_string(&path)
            .map_err(|e| usage(format!("cannot read {name}: {e}")))?;
        out.insert(
            name,
            Source {
                text,
                path: Some(path),
            },
        );
    }
    Ok(out)
}

impl Templates {
    /// The built-in templates, each replaced by the file of the same name in `user_dir`.
    /// Other `*.j2` files in `user_dir` can be included or imported by the templates. A
    /// `user_dir` with no file named like a built-in template is a usage error (a misnamed
    /// file would otherwise be silently ignored).
    pub fn load(user_dir: Option<&Path>) -> Result<Templates, Error> {
        let mut sources: BTreeMap<String, Source> = BUILTIN
            .iter()
            .map(|(name, text)| {
                (
                    (*name).to_string(),
                    Source {
                        text: (*text).to_string(),
                        path: None,
                    },
                )
            })
            .collect();
        if let Some(dir) = user_dir {
            if !dir.is_dir() {
                return Err(Error::Usage(format!(
                    "--templates {}: not a folder",
                    dir.display()
                )));
            }
            let user = read_user_dir(dir)?;
            if !user
                .keys()
                .any(|name| BUILTIN.iter().any(|(b, _)| b == name))
            {
                let names: Vec<&str> = BUILTIN.iter().map(|(b, _)| *b).collect();
                return Err(Error::Usage(format!(
                    "--templates {}: no file replaces a built-in template; their names: {}",
                    dir.display(),
                    names.join(", ")
                )));
            }
            sources.extend(user);
        }
        let mut env = Environment::new();
        env.set_undefined_behavior(UndefinedBehavior::Strict);
        env.set_auto_escape_callback(|name| {
            if name.trim_end_matches(".j2").ends_with(".html") {
                AutoEscape::Html
            } else {
                AutoEscape::None
            }
        });
        let syntax = SyntaxConfig::builder()
            .trim_blocks(true)
            .lstrip_blocks(true)
            .keep_trailing_newline(true)
            .build()
            .map_err(|e| Error::Render(format!("template syntax settings: {e}")))?;
        env.set_syntax(syntax);
        register_filters(&mut env);
        env.set_fuel(Some(TEMPLATE_FUEL));
        let mut templates = Templates {
            env,
            sources: BTreeMap::new(),
        };
        for (name, source) in sources {
            templates
                .env
                .add_template_owned(name.clone(), source.text.clone())
                .map_err(|e| {
                    // A template that does not parse is bad input (exit 2), not a failed run.
                    let described =
                        describe(&e, &name, &BTreeMap::from([(name.clone(), source.clone())]));
                    Error::Usage(described.to_string())
                })?;
            templates.sources.insert(name, source);
        }
        Ok(templates)
    }

    /// Renders the template `name` with `context`.
    pub fn render(&self, name: &str, context: &Value) -> Result<String, Error> {
        let template = self
            .env
            .get_template(name)
            .map_err(|e| describe(&e, name, &self.sources))?;
        template
            .render(context)
            .map_err(|e| describe(&e, name, &self.sources))
    }
}

/// A template error as `template <file>:<line>: <what> (in `<source line>`)`, naming the user's
/// file when the failing template came from `--templates`.
fn describe(e: &minijinja::Error, top: &str, sources: &BTreeMap<String, Source>) -> Error {
    // The innermost error names the template and line that failed (an include's, say).
    let mut innermost: &minijinja::Error = e;
    let mut cause: Option<&(dyn std::error::Error + 'static)> = std::error::Error::source(e);
    while let Some(c) = cause {
        if let Some(m) = c.downcast_ref::<minijinja::Error>()
            && m.name().is_some()
        {
            innermost = m;
        }
        cause = c.source();
    }
    let name = innermost.name().or(e.name()).unwrap_or(top);
    let line = innermost.line().or(e.line());
    let source = sources.get(name);
    let shown = match source.and_then(|s| s.path.as_ref()) {
        Some(path) => path.display().to_string(),
        None => format!("{name} (built in)"),
    };
    let mut msg = format!("template {shown}");
    if let Some(line) = line {
        let _ = write!(msg, ":{line}");
    }
    let what = innermost.detail().map_or_else(
        || innermost.kind().to_string(),
        |d| format!("{}: {d}", innermost.kind()),
    );
    let _ = write!(msg, ": {what}");
    if let (Some(line), Some(source)) = (line, source)
        && let Some(text) = source.text.lines().nth(line.saturating_sub(1))
    {
        let _ = write!(msg, " (in `{}`)", text.trim());
    }
    if name != top {
        let _ = write!(msg, ", rendering {top}");
    }
    if innermost.kind() == minijinja::ErrorKind::OutOfFuel
        || e.kind() == minijinja::ErrorKind::OutOfFuel
    {
        // The template's own loops are too long: bad input, like a template that does not parse.
        let _ = write!(
            msg,
            " (stopped after {TEMPLATE_FUEL} steps: does a loop run far too long?)"
        );
        return Error::Usage(msg);
    }
    Error::Render(msg)
}

/// `s` as an HCL quoted string: escapes `"`, `\`, control characters, and the template
/// sequences `${` and `%{` (as `$${` and `%%{`), so the value reads back literally.
#[must_use]
pub fn hcl_string(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    let chars: Vec<char> = s.chars().collect();
    for (i, &c) in chars.iter().enumerate() {
        let next = chars.get(i + 1).copied();
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            '$' if next == Some('{') => out.push_str("$$"),
            '%' if next == Some('{') => out.push_str("%%"),
            c if c.is_control() => {
                let code = c as u32;
                if code <= 0xFFFF {
                    let _ = write!(out, "\\u{code:04X}");
                } else {
                    let _ = write!(out, "\\U{code:08X}");
                }
            }
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// Words that cannot be a bare object key in HCL (they start expressions or are literals).
const HCL_RESERVED: &[&str] = &["for", "if", "in", "null", "true", "false"];

/// `key` as an HCL object key: bare when it is a plain identifier, quoted otherwise.
#[must_use]
pub fn hcl_key(key: &str) -> String {
    let mut chars = key.chars();
    let plain = chars
        .next()
        .is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-')
        && !HCL_RESERVED.contains(&key);
    if plain {
        key.to_string()
    } else {
        hcl_string(key)
    }
}

/// A finite number as HCL/JSON text: integers without a fraction, other values in the
/// shortest form that reads back to the same `f64`.
pub fn number_text(x: f64) -> Result<String, String> {
    if !x.is_finite() {
        return Err(format!("{x} is not a finite number"));
    }
    if x == x.trunc() && x.abs() < 9.007_199_254_740_992e15 {
        // Exact integer: print without ".0" (and without "-0").
        return Ok(format!("{}", x as i64));
    }
    Ok(format!("{x}"))
}

fn filter_error(e: impl Into<String>) -> minijinja::Error {
    minijinja::Error::new(minijinja::ErrorKind::InvalidOperation, e.into())
}

/// A number value as text: integers exactly, floats by [`number_text`].
fn number_value_text(value: &Value) -> Result<String, minijinja::Error> {
    if value.is_integer()
        && let Ok(i) = i128::try_from(value.clone())
    {
        return Ok(i.to_string());
    }
    let x = f64::try_from(value.clone()).map_err(|e| filter_error(e.to_string()))?;
    number_text(x).map_err(filter_error)
}

/// The entries of a map value, keys as text, in the value's order.
fn map_entries(value: &Value) -> Result<Vec<(String, Value)>, minijinja::Error> {
    let mut out = Vec::new();
    for key in value.try_iter()? {
        let item = value.get_item(&key)?;
        let key = key.as_str().map_or_else(|| key.to_string(), str::to_string);
        out.push((key, item));
    }
    Ok(out)
}

fn write_hcl(value: &Value, indent: usize, out: &mut String) -> Result<(), minijinja::Error> {
    match value.kind() {
        ValueKind::Undefined => {
            return Err(minijinja::Error::new(
                minijinja::ErrorKind::UndefinedError,
                "cannot write an undefined value as HCL",
            ));
        }
        ValueKind::None => out.push_str("null"),
        ValueKind::Bool => out.push_str(if value.is_true() { "true" } else { "false" }),
        ValueKind::Number => out.push_str(&number_value_text(value)?),
        ValueKind::String => out.push_str(&hcl_string(value.as_str().unwrap_or_default())),
        ValueKind::Seq | ValueKind::Iterable => {
            out.push('[');
            for (i, item) in value.try_iter()?.enumerate() {
                if i > 0 {
                    out.push_str(", ");
                }
                write_hcl(&item, indent, out)?;
            }
            out.push(']');
        }
        ValueKind::Map => {
            let entries = map_entries(value)?;
            if entries.is_empty() {
                out.push_str("{}");
                return Ok(());
            }
            let keys: Vec<String> = entries.iter().map(|(k, _)| hcl_key(k)).collect();
            // Equals signs of one-line values aligned, as `terraform fmt` writes them.
            let one_line = |v: &Value| v.kind() != ValueKind::Map;
            let width = keys
                .iter()
                .zip(&entries)
                .filter(|(_, (_, v))| one_line(v))
                .map(|(k, _)| k.chars().count())
                .max()
                .unwrap_or(0);
            out.push_str("{\n");
            for (key, (_, item)) in keys.iter().zip(&entries) {
                out.push_str(&"  ".repeat(indent + 1));
                out.push_str(key);
                if one_line(item) {
                    out.push_str(&" ".repeat(width - key.chars().count()));
                }
                out.push_str(" = ");
                write_hcl(item, indent + 1, out)?;
                out.push('\n');
            }
            out.push_str(&"  ".repeat(indent));
            out.push('}');
        }
        other => return Err(filter_error(format!("cannot write a {other} as HCL"))),
    }
    Ok(())
}

fn json_string(s: &str) -> String {
    // serde_json escapes exactly what JSON requires (quotes, backslashes, control characters).
    serde_json::to_string(s).unwrap_or_else(|_| "\"\"".to_string())
}

fn write_json(value: &Value, out: &mut String) -> Result<(), minijinja::Error> {
    match value.kind() {
        ValueKind::Undefined => {
            return Err(minijinja::Error::new(
                minijinja::ErrorKind::UndefinedError,
                "cannot write an undefined value as JSON",
            ));
        }
        ValueKind::None => out.push_str("null"),
        ValueKind::Bool => out.push_str(if value.is_true() { "true" } else { "false" }),
        ValueKind::Number => out.push_str(&number_value_text(value)?),
        ValueKind::String => out.push_str(&json_string(value.as_str().unwrap_or_default())),
        ValueKind::Seq | ValueKind::Iterable => {
            out.push('[');
            for (i, item) in value.try_iter()?.enumerate() {
                if i > 0 {
                    out.push(',');
                }
                write_json(&item, out)?;
            }
            out.push(']');
        }
        ValueKind::Map => {
            out.push('{');
            for (i, (key, item)) in map_entries(value)?.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                out.push_str(&json_string(key));
                out.push(':');
                write_json(item, out)?;
            }
            out.push('}');
        }
        other => return Err(filter_error(format!("cannot write a {other} as JSON"))),
    }
    Ok(())
}

/// The value as an HCL expression (strings escaped, maps as multi-line object constructors
/// indented by `indent` levels of two spaces).
fn hcl_filter(value: &Value, indent: Option<usize>) -> Result<String, minijinja::Error> {
    let mut out = String::new();
    write_hcl(value, indent.unwrap_or(0), &mut out)?;
    Ok(out)
}

/// The value as compact JSON, keys in the value's order (not HTML-escaped; for `.json`).
fn json_filter(value: &Value) -> Result<String, minijinja::Error> {
    let mut out = String::new();
    write_json(value, &mut out)?;
    Ok(out)
}

fn number_arg(value: &Value) -> Result<f64, minijinja::Error> {
    f64::try_from(value.clone()).map_err(|_| {
        minijinja::Error::new(
            minijinja::ErrorKind::InvalidOperation,
            format!("expected a number, got {value}"),
        )
    })
}

/// Text for a Markdown table cell or list item: Markdown and HTML specials escaped, line
/// breaks as `<br>`.
#[must_use]
pub fn markdown_text(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '\n' => out.push_str("<br>"),
            '\r' => {}
            '\\' | '|' | '`' | '*' | '_' | '[' | ']' | '#' => {
                out.push('\\');
                out.push(c);
            }
            c if c.is_control() => out.push(' '),
            c => out.push(c),
        }
    }
    out
}

/// A number for people: integers with separators, others with up to `digits` decimals.
fn num(x: f64, digits: Option<usize>) -> String {
    if x == x.trunc() && x.abs() < 1e15 {
        let sign = if x < 0.0 { "-" } else { "" };
        return format!("{sign}{}", format::thousands(x.abs() as u64));
    }
    let digits = digits.unwrap_or(4);
    let text = format!("{x:.digits$}");
    let text = if text.contains('.') {
        text.trim_end_matches('0').trim_end_matches('.').to_string()
    } else {
        text
    };
    // Separators on the integer part.
    let (int, frac) = text
        .split_once('.')
        .map_or((text.as_str(), ""), |(i, f)| (i, f));
    let (sign, int) = int.strip_prefix('-').map_or(("", int), |rest| ("-", rest));
    let grouped = int
        .parse::<u64>()
        .map_or_else(|_| int.to_string(), format::thousands);
    if frac.is_empty() {
        format!("{sign}{grouped}")
    } else {
        format!("{sign}{grouped}.{frac}")
    }
}

fn register_filters(env: &mut Environment<'static>) {
    env.add_filter("hcl", hcl_filter);
    env.add_filter("json", json_filter);
    env.add_filter("md", |s: String| markdown_text(&s));
    env.add_filter("oneline", |s: String| {
        s.chars()
            .map(|c| if c.is_control() { ' ' } else { c })
            .collect::<String>()
    });
    env.add_filter("usd", |v: Value| number_arg(&v).map(format::usd));
    env.add_filter("approx_usd", |v: Value| {
        number_arg(&v).map(format::approx_usd)
    });
    env.add_filter("short", |v: Value| number_arg(&v).map(format::short));
    env.add_filter("short_usd", |v: Value| {
        number_arg(&v).map(format::short_usd)
    });
    env.add_filter("unit_price", |v: Value| {
        number_arg(&v).map(format::unit_price)
    });
    env.add_filter("num", |v: Value, digits: Option<usize>| {
        number_arg(&v).map(|x| num(x, digits))
    });
    env.add_filter("sig", |v: Value| number_arg(&v).map(format::significant));
    env.add_filter("pct", |v: Value| {
        number_arg(&v).map(|x| format!("{:.1}%", x * 100.0))
    });
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_hcl_strings() {
        assert_eq!(hcl_string(r#"a "b" \c"#), r#""a \"b\" \\c""#);
        assert_eq!(hcl_string("x${y}"), r#""x$${y}""#);
        assert_eq!(hcl_string("x%{if}"), r#""x%%{if}""#);
        assert_eq!(hcl_string("$ and % alone"), r#""$ and % alone""#);
        assert_eq!(hcl_string("a\nb\tc\u{1}"), r#""a\nb\tc\u0001""#);
        assert_eq!(hcl_string("名前"), "\"名前\"");
        assert_eq!(hcl_key("users-db"), "users-db");
        assert_eq!(hcl_key("for"), "\"for\"");
        assert_eq!(hcl_key("a b"), "\"a b\"");
        assert_eq!(hcl_key("9x"), "\"9x\"");
    }

    #[test]
    fn formats_numbers() {
        assert_eq!(number_text(3.0).unwrap(), "3");
        assert_eq!(number_text(0.4).unwrap(), "0.4");
        assert_eq!(number_text(-0.0).unwrap(), "0");
        assert!(number_text(f64::NAN).is_err());
        assert_eq!(num(1_234_567.0, None), "1,234,567");
        assert_eq!(num(1234.56789, Some(2)), "1,234.57");
        assert_eq!(num(0.00012, None), "0.0001");
        assert_eq!(markdown_text("a|b\n<c>"), "a\\|b<br>&lt;c&gt;");
    }

    #[test]
    fn strict_undefined_names_template_and_line() {
        let t = Templates::load(None).unwrap();
        let mut env = t.env.clone();
        env.add_template_owned("x.j2", "ok\n{{ missing.value }}\n")
            .unwrap();
        let mut sources = t.sources.clone();
        sources.insert(
            "x.j2".into(),
            Source {
                text: "ok\n{{ missing.value }}\n".into(),
                path: None,
            },
        );
        let e = env
            .get_template("x.j2")
            .unwrap()
            .render(minijinja::context! {})
            .unwrap_err();
        let msg = describe(&e, "x.j2", &sources).to_string();
        assert!(
            msg.starts_with("template x.j2 (built in):2: undefined value"),
            "{msg}"
        );
        assert!(msg.contains("{{ missing.value }}"), "{msg}");
    }
}
