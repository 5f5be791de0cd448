//! A tiny arithmetic evaluator for claims written with the doc's own operands.
//!
//! Grammar: numbers (`4096`, `0.50`, `1_474_560`, `2e12`), `+ - * /`, `^` (power, right
//! associative), parentheses, unary minus, and named variables (`hours`).

use std::collections::BTreeMap;

/// Deepest nesting of parentheses, unary minus and `^` an expression may have: far beyond any
/// doc's arithmetic, far below what overflows the stack (the parser recurses per level).
pub const MAX_DEPTH: usize = 64;

/// Evaluates `text` with `vars`; errors name the character position.
pub fn eval(text: &str, vars: &BTreeMap<&str, f64>) -> Result<f64, String> {
    let mut p = Parser {
        chars: text.chars().collect(),
        pos: 0,
        vars,
        depth: 0,
    };
    let value = p.expr()?;
    p.skip_ws();
    if p.pos < p.chars.len() {
        return Err(format!(
            "unexpected `{}` at character {}",
            p.chars[p.pos],
            p.pos + 1
        ));
    }
    Ok(value)
}

/// The variable names an expression uses.
#[must_use]
pub fn variables(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut current = String::new();
    let mut in_number = false;
    for c in text.chars().chain(std::iter::once(' ')) {
        if c.is_ascii_alphabetic() || c == '_' || (c.is_ascii_digit() && !current.is_empty()) {
            if current.is_empty() && in_number {
                continue; // exponent marker or digit separator inside a number
            }
            current.push(c);
        } else {
            if !current.is_empty() {
                out.push(std::mem::take(&mut current));
            }
            in_number = c.is_ascii_digit() || (in_number && c == '.');
        }
    }
    out.sort();
    out.dedup();
    out
}

struct Parser<'a> {
    chars: Vec<char>,
    pos: usize,
    vars: &'a BTreeMap<&'a str, f64>,
    /// Current nesting (parentheses, unary minus, `^`), bounded by [`MAX_DEPTH`].
    depth: usize,
}

impl Parser<'_> {
    fn skip_ws(&mut self) {
        while self.pos < self.chars.len() && self.chars[self.pos].is_whitespace() {
            self.pos += 1;
        }
    }

    fn peek(&mut self) -> Option<char> {
        self.skip_ws();
        self.chars.get(self.pos).copied()
    }

    fn expr(&mut self) -> Result<f64, String> {
        let mut value = self.term()?;
        while let Some(op @ ('+' | '-')) = self.peek() {
            self.pos += 1;
            let rhs = self.term()?;
            value = if op == '+' { value + rhs } else { value - rhs };
        }
        Ok(value)
    }

    fn term(&mut self) -> Result<f64, String> {
        let mut value = self.power()?;
        while let Some(op @ ('*' | '/')) = self.peek() {
            self.pos += 1;
            let rhs = self.power()?;
            value = if op == '*' { value * rhs } else { value / rhs };
        }
        Ok(value)
    }

    /// Enters one level of nesting; an error past [`MAX_DEPTH`].
    fn descend(&mut self) -> Result<(), String> {
        self.depth += 1;
        if self.depth > MAX_DEPTH {
            return Err(format!(
                "nested deeper than {MAX_DEPTH} levels at character {}",
                self.pos + 1
            ));
        }
        Ok(())
    }

    fn power(&mut self) -> Result<f64, String> {
        self.descend()?;
        let base = self.unary()?;
        let value = if self.peek() == Some('^') {
            self.pos += 1;
            let exponent = self.power()?;
            base.powf(exponent)
        } else {
            base
        };
        self.depth -= 1;
        Ok(value)
    }

    fn unary(&mut self) -> Result<f64, String> {
        if self.peek() == Some('-') {
            self.pos += 1;
            self.descend()?;
            let value = -self.unary()?;
            self.depth -= 1;
            return Ok(value);
        }
        self.primary()
    }

    fn primary(&mut self) -> Result<f64, String> {
        match self.peek() {
            Some('(') => {
                self.pos += 1;
                let value = self.expr()?;
                if self.peek() != Some(')') {
                    return Err(format!("expected `)` at character {}", self.pos + 1));
                }
                self.pos += 1;
                Ok(value)
            }
            Some(c) if c.is_ascii_digit() || c == '.' => self.number(),
            Some(c) if c.is_ascii_alphabetic() || c == '_' => {
                let start = self.pos;
                while self.pos < self.chars.len()
                    && (self.chars[self.pos].is_ascii_alphanumeric() || self.chars[self.pos] == '_')
                {
                    self.pos += 1;
                }
                let name: String = self.chars[start..self.pos].iter().collect();
                self.vars.get(name.as_str()).copied().ok_or_else(|| {
                    format!(
                        "unknown name `{name}` at character {}; known: {}",
                        start + 1,
                        self.vars.keys().copied().collect::<Vec<_>>().join(", ")
                    )
                })
            }
            Some(c) => Err(format!("unexpected `{c}` at character {}", self.pos + 1)),
            None => Err("unexpected end of expression".into()),
        }
    }

    fn number(&mut self) -> Result<f64, String> {
        let start = self.pos;
        let mut text = String::new();
        while self.pos < self.chars.len() {
            let c = self.chars[self.pos];
            let exponent_sign =
                (c == '-' || c == '+') && text.ends_with(['e', 'E']) && !text.is_empty();
            if c.is_ascii_digit() || c == '.' || c == 'e' || c == 'E' || exponent_sign {
                text.push(c);
            } else if c != '_' {
                break;
            }
            self.pos += 1;
        }
        text.parse::<f64>()
            .map_err(|_| format!("bad number `{text}` at character {}", start + 1))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn vars() -> BTreeMap<&'static str, f64> {
        BTreeMap::from([("hours", 730.0)])
    }

    #[test]
    fn evaluates_doc_arithmetic() {
        // seed 003: 4,096 nodes x $0.50/hour at 730 h = $1,495,040
        assert_eq!(eval("4096 * 0.50 * hours", &vars()).unwrap(), 1_495_040.0);
        assert_eq!(
            eval("5 * (200 + 200 + 50 + 50 + 30 + 30 + 3)", &vars()).unwrap(),
            2_815.0
        );
        assert_eq!(eval("1_000 / 4 - 2^3", &vars()).unwrap(), 242.0);
        assert_eq!(eval("-2e3 + 1e-3 * 1000", &vars()).unwrap(), -1_999.0);
        assert_eq!(eval("2^3^2", &vars()).unwrap(), 512.0);
    }

    #[test]
    fn errors_name_the_position() {
        assert!(
            eval("4096 * days", &vars())
                .unwrap_err()
                .contains("unknown name `days` at character 8")
        );
        assert!(
            eval("(1 + 2", &vars())
                .unwrap_err()
                .contains("expected `)`")
        );
        assert!(
            eval("1 + $2", &vars())
                .unwrap_err()
                .contains("unexpected `$`")
        );
    }

    #[test]
    fn nesting_is_bounded() {
        // 64 levels of parentheses evaluate; 100,000 are an error, not a stack overflow.
        let ok = format!(
            "{}1{}",
            "(".repeat(MAX_DEPTH - 1),
            ")".repeat(MAX_DEPTH - 1)
        );
        assert_eq!(eval(&ok, &vars()).unwrap(), 1.0);
        let deep = format!("{}1{}", "(".repeat(100_000), ")".repeat(100_000));
        let e = eval(&deep, &vars()).unwrap_err();
        assert!(e.contains("nested deeper than 64 levels"), "{e}");
        assert!(eval(&"-".repeat(100_000), &vars()).is_err());
        assert!(eval(&"2^".repeat(100_000), &vars()).is_err());
    }

    #[test]
    fn lists_variables() {
        assert_eq!(
            variables("4096 * 0.5 * hours + 2e3"),
            vec!["hours".to_string()]
        );
    }
}
