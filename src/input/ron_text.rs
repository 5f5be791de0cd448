//! Two spellings newcomers write that plain RON refuses, accepted by rewriting the text before
//! serde reads it (strings and comments are never touched):
//!
//! - A count written as a float literal that is an exact integer (`users: 5e7`,
//!   `min_shards: 4.0`) becomes that integer (`50000000`). Integral fields then accept it, and
//!   float fields read integer literals anyway. A fraction (`5.5`) is left as written, so an
//!   integral field still refuses it.
//! - A variant holding a struct written with the struct's own parentheses
//!   (`Inline((mau_ratio: ..))`, `Postgres((instance: ..))`) loses the inner pair, as
//!   `Inline(mau_ratio: ..)` reads under RON's `unwrap_variant_newtypes`. `Some((..))` is an
//!   option around a struct, not such a variant, and is kept.
//!
//! Blanked parentheses keep every position; a rewritten number changes its line's length, so a
//! position RON reports in the rewritten text is mapped back with [`Normalized::original`].

/// A RON text with the accepted spellings rewritten.
#[derive(Debug, Clone)]
pub struct Normalized {
    /// The text serde reads.
    pub text: String,
    /// The numbers rewritten, in text order.
    edits: Vec<Edit>,
}

/// One rewritten number: where it is in the rewritten text and how wide it was.
#[derive(Debug, Clone, Copy)]
struct Edit {
    line: usize,
    /// 1-based column (in characters) of its first character in the rewritten text.
    new_col: usize,
    new_width: usize,
    old_width: usize,
}

impl Normalized {
    /// The position in the user's text of `line:col` (1-based) of the rewritten text; a position
    /// inside a rewritten number maps to the number's start.
    #[must_use]
    pub fn original(&self, line: usize, col: usize) -> (usize, usize) {
        let mut shift = 0isize;
        for edit in self.edits.iter().filter(|e| e.line == line) {
            let start = edit.new_col as isize - shift;
            if col >= edit.new_col + edit.new_width {
                shift += edit.new_width as isize - edit.old_width as isize;
            } else if col > edit.new_col {
                return (line, start.max(1) as usize);
            }
        }
        (line, (col as isize - shift).max(1) as usize)
    }
}

/// Rewrites `src` (see the module documentation).
#[must_use]
pub fn normalize(src: &str) -> Normalized {
    let tokens = tokens(src);
    let mut blank = vec![false; src.len()];
    for start in doubled_parens(src, &tokens) {
        blank[start] = true;
    }
    let mut text = String::with_capacity(src.len() + 16);
    let mut edits = Vec::new();
    let mut copied = 0;
    let mut line_start = 0;
    let mut line = 1;
    let mut column_delta = 0isize;
    for token in &tokens {
        let blanked = blank[token.start];
        let rewritten = match token.kind {
            Kind::Number => exact_integer(&src[token.start..token.end]),
            _ => None,
        };
        if !blanked && rewritten.is_none() {
            continue;
        }
        let before = &src[copied..token.start];
        for (i, ch) in before.char_indices() {
            if ch == '\n' {
                line += 1;
                line_start = copied + i + 1;
                column_delta = 0;
            }
        }
        text.push_str(before);
        if blanked {
            text.push(' ');
        } else if let Some(integer) = rewritten {
            let old_col = src[line_start..token.start].chars().count() + 1;
            let new_col = (old_col as isize + column_delta) as usize;
            let old_width = token.end - token.start;
            edits.push(Edit {
                line,
                new_col,
                new_width: integer.len(),
                old_width,
            });
            column_delta += integer.len() as isize - old_width as isize;
            text.push_str(&integer);
        }
        copied = token.end;
    }
    text.push_str(&src[copied..]);
    Normalized { text, edits }
}

/// What a token is (strings and comments aside, RON's punctuation and atoms).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Kind {
    Ident,
    Open,
    Close,
    OpenBracket,
    CloseBracket,
    OpenBrace,
    CloseBrace,
    Comma,
    Colon,
    Number,
    Str,
    Other,
}

/// A token of a RON text.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Token {
    pub kind: Kind,
    /// Byte range in the source.
    pub start: usize,
    pub end: usize,
}

/// The byte offsets of the inner `(` and `)` of every `Variant((field: ..))` and
/// `Variant(())` in `tokens`.
fn doubled_parens(src: &str, tokens: &[Token]) -> Vec<usize> {
    let partner = matching_parens(tokens);
    let kind = |i: usize| tokens.get(i).map(|t| t.kind);
    let mut out = Vec::new();
    for (i, token) in tokens.iter().enumerate() {
        let option = &src[token.start..token.end] == "Some";
        if token.kind != Kind::Ident || option || kind(i + 1) != Some(Kind::Open) {
            continue;
        }
        if kind(i + 2) != Some(Kind::Open) {
            continue;
        }
        let struct_inside = (kind(i + 3) == Some(Kind::Ident) && kind(i + 4) == Some(Kind::Colon))
            || kind(i + 3) == Some(Kind::Close);
        let (Some(outer_close), Some(inner_close)) = (partner[i + 1], partner[i + 2]) else {
            continue;
        };
        // The inner pair must be the variant's only content: `))` or `),)`.
        let only_content = inner_close + 1 == outer_close
            || (kind(inner_close + 1) == Some(Kind::Comma) && inner_close + 2 == outer_close);
        if struct_inside && only_content {
            out.push(tokens[i + 2].start);
            out.push(tokens[inner_close].start);
        }
    }
    out
}

/// For every `(` and `)` token, the index of its partner (`None` when unbalanced or not a paren).
fn matching_parens(tokens: &[Token]) -> Vec<Option<usize>> {
    let mut partner = vec![None; tokens.len()];
    let mut open = Vec::new();
    for (i, token) in tokens.iter().enumerate() {
        match token.kind {
            Kind::Open => open.push(i),
            Kind::Close => {
                if let Some(o) = open.pop() {
                    partner[o] = Some(i);
                    partner[i] = Some(o);
                }
            }
            _ => {}
        }
    }
    partner
}

/// The tokens of `src` (comments skipped, a string one token). Lenient: text RON would refuse still
/// tokenizes, and RON reports it afterwards.
pub(crate) fn tokens(src: &str) -> Vec<Token> {
    let bytes = src.as_bytes();
    let at = |i: usize| bytes.get(i).copied().unwrap_or(0);
    let mut out = Vec::new();
    let mut i = 0;
    while i < bytes.len() {
        let b = bytes[i];
        let start = i;
        let kind = match b {
            b' ' | b'\t' | b'\r' | b'\n' => {
                i += 1;
                continue;
            }
            b'/' if at(i + 1) == b'/' => {
                i = src[i..].find('\n').map_or(bytes.len(), |n| i + n);
                continue;
            }
            b'/' if at(i + 1) == b'*' => {
                i = skip_block_comment(bytes, i);
                continue;
            }
            b'"' => {
                i = skip_quoted(bytes, i, b'"');
                Kind::Str
            }
            b'\'' => {
                i = skip_quoted(bytes, i, b'\'');
                Kind::Str
            }
            b'b' if at(i + 1) == b'"' => {
                i = skip_quoted(bytes, i + 1, b'"');
                Kind::Str
            }
            b'r' | b'b' if raw_string_hashes(bytes, i).is_some() => {
                i = skip_raw_string(bytes, i);
                Kind::Str
            }
            b'[' => {
                i += 1;
                Kind::OpenBracket
            }
            b']' => {
                i += 1;
                Kind::CloseBracket
            }
            b'{' => {
                i += 1;
                Kind::OpenBrace
            }
            b'}' => {
                i += 1;
                Kind::CloseBrace
            }
            b'(' => {
                i += 1;
                Kind::Open
            }
            b')' => {
                i += 1;
                Kind::Close
            }
            b',' => {
                i += 1;
                Kind::Comma
            }
            b':' => {
                i += 1;
                Kind::Colon
            }
            b'0'..=b'9' => {
                i = number_end(bytes, i);
                Kind::Number
            }
            b'+' | b'-' | b'.' if at(i + 1).is_ascii_digit() => {
                i = number_end(bytes, i + 1);
                Kind::Number
            }
            b if b.is_ascii_alphabetic() || b == b'_' => {
                if b == b'r' && at(i + 1) == b'#' {
                    i += 2;
                }
                while at(i).is_ascii_alphanumeric() || at(i) == b'_' {
                    i += 1;
                }
                Kind::Ident
            }
            _ => {
                i += src[i..].chars().next().map_or(1, char::len_utf8);
                Kind::Other
            }
        };
        out.push(Token {
            kind,
            start,
            end: i,
        });
    }
    out
}

/// The end of a number literal starting at `i`: digits, letters (hex, exponents, suffixes),
/// `_`, a `.` not starting `..`, and a sign right after an exponent's `e`.
fn number_end(bytes: &[u8], mut i: usize) -> usize {
    let hex = bytes.get(i) == Some(&b'0') && matches!(bytes.get(i + 1), Some(b'x' | b'X'));
    while let Some(&b) = bytes.get(i) {
        let sign_of_exponent =
            matches!(b, b'+' | b'-') && !hex && matches!(bytes.get(i - 1), Some(b'e' | b'E'));
        let dot = b == b'.' && bytes.get(i + 1) != Some(&b'.');
        if b.is_ascii_alphanumeric() || b == b'_' || dot || sign_of_exponent {
            i += 1;
        } else {
            break;
        }
    }
    i
}

fn skip_quoted(bytes: &[u8], open: usize, quote: u8) -> usize {
    let mut i = open + 1;
    while i < bytes.len() {
        match bytes[i] {
            b'\\' => i += 2,
            b if b == quote => return i + 1,
            _ => i += 1,
        }
    }
    bytes.len()
}

fn skip_block_comment(bytes: &[u8], open: usize) -> usize {
    let mut depth = 0usize;
    let mut i = open;
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
    bytes.len()
}

/// For `r#"..."#` or `br#"..."#` starting at `i`: the number of `#`.
fn raw_string_hashes(bytes: &[u8], i: usize) -> Option<usize> {
    let mut j = i + usize::from(bytes[i] == b'b');
    if bytes.get(j) != Some(&b'r') {
        return None;
    }
    j += 1;
    let hashes = bytes[j..].iter().take_while(|&&b| b == b'#').count();
    (bytes.get(j + hashes) == Some(&b'"')).then_some(hashes)
}

fn skip_raw_string(bytes: &[u8], i: usize) -> usize {
    let hashes = raw_string_hashes(bytes, i).unwrap_or(0);
    let open = i + usize::from(bytes[i] == b'b') + 1 + hashes;
    let mut j = open + 1;
    while j < bytes.len() {
        if bytes[j] == b'"'
            && bytes[j + 1..]
                .iter()
                .take(hashes)
                .filter(|&&b| b == b'#')
                .count()
                == hashes
        {
            return j + 1 + hashes;
        }
        j += 1;
    }
    bytes.len()
}

/// The integer a float literal denotes exactly (`5e7` -> `50000000`, `4.0` -> `4`), computed
/// on the decimal digits (no rounding); `None` for a fraction, an integer literal, a hex or
/// suffixed literal, or a magnitude beyond `u64`.
pub(crate) fn exact_integer(literal: &str) -> Option<String> {
    let text = literal.replace('_', "");
    let (negative, body) = match text.as_bytes().first()? {
        b'-' => (true, &text[1..]),
        b'+' => (false, &text[1..]),
        _ => (false, text.as_str()),
    };
    let (mantissa, exponent) = match body.split_once(['e', 'E']) {
        Some((m, e)) => (m, e.parse::<i32>().ok()?),
        None if body.contains('.') => (body, 0),
        None => return None,
    };
    let (whole, fraction) = mantissa.split_once('.').unwrap_or((mantissa, ""));
    let all_digits = |s: &str| s.bytes().all(|b| b.is_ascii_digit());
    if whole.len() + fraction.len() == 0 || !all_digits(whole) || !all_digits(fraction) {
        return None;
    }
    let mut digits = format!("{whole}{fraction}");
    let mut exponent = exponent - i32::try_from(fraction.len()).ok()?;
    while exponent < 0 && digits.ends_with('0') {
        digits.pop();
        exponent += 1;
    }
    if exponent < 0 {
        return None;
    }
    let digits = digits.trim_start_matches('0');
    if digits.is_empty() {
        return Some("0".to_string());
    }
    if digits.len() + exponent as usize > 20 {
        return None;
    }
    let value = digits.parse::<u128>().ok()? * 10u128.pow(exponent as u32);
    if value > u128::from(u64::MAX) {
        return None;
    }
    Some(format!("{}{value}", if negative { "-" } else { "" }))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn exact_integers_of_float_literals() {
        assert_eq!(exact_integer("5e7").as_deref(), Some("50000000"));
        assert_eq!(exact_integer("1.5e3").as_deref(), Some("1500"));
        assert_eq!(exact_integer("4.0").as_deref(), Some("4"));
        assert_eq!(exact_integer("5_000.0").as_deref(), Some("5000"));
        assert_eq!(exact_integer("1000e-3").as_deref(), Some("1"));
        assert_eq!(exact_integer("-2E2").as_deref(), Some("-200"));
        assert_eq!(exact_integer("0.0").as_deref(), Some("0"));
        // 1e19 fits u64 (max 1.8e19); 1e20 does not
        assert_eq!(
            exact_integer("1e19").as_deref(),
            Some("10000000000000000000")
        );
        assert_eq!(exact_integer("1e20"), None);
        for not_integral in ["5.5", "5.50", "1e-3", "12", "0x1e7", "1.0f64", "."] {
            assert_eq!(exact_integer(not_integral), None, "{not_integral}");
        }
    }

    #[test]
    fn rewrites_numbers_and_doubled_parens_only_outside_strings_and_comments() {
        let src = "Inline((users: 5e7, s: \"5e7 ((a: 1))\", // 4.0\n r: 1.5))";
        let n = normalize(src);
        assert_eq!(
            n.text,
            "Inline( users: 50000000, s: \"5e7 ((a: 1))\", // 4.0\n r: 1.5 )"
        );
    }

    #[test]
    fn keeps_some_and_tuples() {
        for src in ["Some((a: 1))", "V((1, 2))", "V((a: 1), 2)", "[(a: 1)]"] {
            assert_eq!(normalize(src).text, src);
        }
        assert_eq!(normalize("Cdn(())").text, "Cdn(  )");
        assert_eq!(normalize("V((a: 1),)").text, "V( a: 1 ,)");
    }

    #[test]
    fn maps_positions_back_across_rewritten_numbers() {
        // `a: 5e7, b: x`: `x` is at column 12; rewritten `a: 50000000, b: x` puts it at 17
        let n = normalize("a: 5e7, b: x");
        assert_eq!(n.text, "a: 50000000, b: x");
        assert_eq!(n.original(1, 17), (1, 12));
        // inside the rewritten number: its start
        assert_eq!(n.original(1, 6), (1, 4));
        // before it, and on other lines: unchanged
        assert_eq!(n.original(1, 2), (1, 2));
        assert_eq!(n.original(2, 17), (2, 17));
    }
}
