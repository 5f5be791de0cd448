//! A RON text read as a tree of values with their positions, without any target type: what
//! [`crate::input::problems`] checks against the schema to list every problem of a file at
//! once (serde stops at the first). Lenient where the typed parse is strict: `None` is
//! returned for text that does not parse, and the typed parse's own error is reported then.

use crate::input::ron_file::MAX_NESTING;
use crate::input::ron_text::{Kind, Token, tokens};

/// A value and where it starts (1-based line and column, in characters).
#[derive(Debug, Clone)]
pub struct Node {
    pub line: usize,
    pub col: usize,
    pub value: Value,
}

/// A named field of a struct, and where its name is.
#[derive(Debug, Clone)]
pub struct Field {
    pub name: String,
    pub line: usize,
    pub col: usize,
    pub value: Node,
}

/// A RON value as written.
#[derive(Debug, Clone)]
pub enum Value {
    /// `(a: 1, ..)` or `Name(a: 1, ..)`: a struct, or a variant with named fields.
    Fields {
        name: Option<String>,
        fields: Vec<Field>,
    },
    /// `(1, 2)`, `()`, `Name(x)`, `Name()`: a tuple, or a variant with unnamed content.
    Tuple {
        name: Option<String>,
        items: Vec<Node>,
    },
    /// A bare identifier: a unit variant, `true`, `None`, `inf`.
    Ident(String),
    /// `[..]`.
    List(Vec<Node>),
    /// `{k: v, ..}`.
    Map(Vec<(Node, Node)>),
    /// A number literal as written.
    Number(String),
    /// A string's contents (escapes kept as written).
    Str(String),
}

impl Value {
    /// What the value looks like, for "expected X, found Y".
    #[must_use]
    pub fn looks_like(&self) -> String {
        match self {
            Value::Fields { name: Some(n), .. } | Value::Tuple { name: Some(n), .. } => {
                format!("`{n}(..)`")
            }
            Value::Fields { .. } => "a struct `(..)`".into(),
            Value::Tuple { .. } => "a tuple `(..)`".into(),
            Value::Ident(n) => format!("`{n}`"),
            Value::List(_) => "a list `[..]`".into(),
            Value::Map(_) => "a map `{..}`".into(),
            Value::Number(n) => format!("the number {n}"),
            Value::Str(s) => format!("the string \"{s}\""),
        }
    }
}

/// Reads `src` as a tree; `None` when it is not well-formed RON (as far as this reader sees).
#[must_use]
pub fn read(src: &str) -> Option<Node> {
    let tokens = tokens(src);
    let mut reader = Reader {
        src,
        tokens,
        next: 0,
        line_starts: std::iter::once(0)
            .chain(src.match_indices('\n').map(|(i, _)| i + 1))
            .collect(),
    };
    let node = reader.value(0)?;
    (reader.next == reader.tokens.len()).then_some(node)
}

struct Reader<'a> {
    src: &'a str,
    tokens: Vec<Token>,
    next: usize,
    line_starts: Vec<usize>,
}

impl Reader<'_> {
    fn peek(&self, ahead: usize) -> Option<Kind> {
        self.tokens.get(self.next + ahead).map(|t| t.kind)
    }

    fn text(&self, t: Token) -> &str {
        &self.src[t.start..t.end]
    }

    fn position(&self, byte: usize) -> (usize, usize) {
        let line = self.line_starts.partition_point(|&s| s <= byte);
        let start = self.line_starts[line - 1];
        (line, self.src[start..byte].chars().count() + 1)
    }

    fn take(&mut self, kind: Kind) -> Option<Token> {
        let t = *self.tokens.get(self.next)?;
        (t.kind == kind).then(|| {
            self.next += 1;
            t
        })
    }

    fn value(&mut self, depth: usize) -> Option<Node> {
        if depth > MAX_NESTING {
            return None;
        }
        let first = *self.tokens.get(self.next)?;
        let (line, col) = self.position(first.start);
        self.next += 1;
        let value = match first.kind {
            Kind::Number => Value::Number(self.text(first).to_string()),
            Kind::Str => Value::Str(unquote(self.text(first))),
            Kind::OpenBracket => {
                let mut items = Vec::new();
                while self.take(Kind::CloseBracket).is_none() {
                    items.push(self.value(depth + 1)?);
                    if self.take(Kind::Comma).is_none() {
                        self.take(Kind::CloseBracket)?;
                        break;
                    }
                }
                Value::List(items)
            }
            Kind::OpenBrace => {
                let mut entries = Vec::new();
                while self.take(Kind::CloseBrace).is_none() {
                    let key = self.value(depth + 1)?;
                    self.take(Kind::Colon)?;
                    entries.push((key, self.value(depth + 1)?));
                    if self.take(Kind::Comma).is_none() {
                        self.take(Kind::CloseBrace)?;
                        break;
                    }
                }
                Value::Map(entries)
            }
            Kind::Open => {
                self.next -= 1;
                self.parenthesised(None, depth)?
            }
            Kind::Ident if self.peek(0) == Some(Kind::Open) => {
                let name = self.text(first).to_string();
                self.parenthesised(Some(name), depth)?
            }
            Kind::Ident => Value::Ident(self.text(first).to_string()),
            _ => return None,
        };
        Some(Node { line, col, value })
    }

    /// `( .. )` after an optional name: named fields when it starts `ident:`.
    fn parenthesised(&mut self, name: Option<String>, depth: usize) -> Option<Value> {
        self.take(Kind::Open)?;
        if self.peek(0) == Some(Kind::Ident) && self.peek(1) == Some(Kind::Colon) {
            let mut fields = Vec::new();
            while self.take(Kind::Close).is_none() {
                let token = self.take(Kind::Ident)?;
                self.take(Kind::Colon)?;
                let (line, col) = self.position(token.start);
                let name = self.text(token).trim_start_matches("r#").to_string();
                let value = self.value(depth + 1)?;
                fields.push(Field {
                    name,
                    line,
                    col,
                    value,
                });
                if self.take(Kind::Comma).is_none() {
                    self.take(Kind::Close)?;
                    break;
                }
            }
            return Some(Value::Fields { name, fields });
        }
        let mut items = Vec::new();
        while self.take(Kind::Close).is_none() {
            items.push(self.value(depth + 1)?);
            if self.take(Kind::Comma).is_none() {
                self.take(Kind::Close)?;
                break;
            }
        }
        Some(Value::Tuple { name, items })
    }
}

/// A string literal's contents: quotes (and raw-string hashes, a byte-string `b`) removed.
fn unquote(literal: &str) -> String {
    let body = literal.trim_start_matches('b').trim_start_matches('r');
    let body = body.trim_matches('#');
    body.strip_prefix(['"', '\''])
        .and_then(|b| b.strip_suffix(['"', '\'']))
        .unwrap_or(body)
        .to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_every_form_with_positions() {
        let src =
            "(\n  a: Inline((x: 1e3)),\n  b: [1, \"s\"],\n  c: {\"k\": Dau},\n  d: File(\"f\"),\n)";
        let Some(Node {
            value: Value::Fields { fields, .. },
            ..
        }) = read(src)
        else {
            panic!("not a struct")
        };
        let names: Vec<&str> = fields.iter().map(|f| f.name.as_str()).collect();
        assert_eq!(names, ["a", "b", "c", "d"]);
        assert_eq!((fields[0].line, fields[0].col), (2, 3));
        let a = &fields[0].value;
        assert_eq!((a.line, a.col), (2, 6));
        let Value::Tuple { name, items } = &a.value else {
            panic!("{a:?}")
        };
        assert_eq!(name.as_deref(), Some("Inline"));
        assert!(matches!(&items[0].value, Value::Fields { name: None, .. }));
        assert!(matches!(&fields[1].value.value, Value::List(v) if v.len() == 2));
        assert!(matches!(&fields[2].value.value, Value::Map(v) if v.len() == 1));
        assert!(read("(a: 1").is_none());
        assert!(read("(a: 1) junk").is_none());
    }
}
