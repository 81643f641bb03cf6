//! The servers' argument splitters, byte for byte.
//!
//! * [`split_args`]: `sdssplitargs`, used by redis.conf lines, redis-cli input and the
//!   inside of `(...)` selectors: whitespace-separated, `"…"` with C escapes, `'…'`.
//! * [`split_acl_line`]: an ACL-file line: trimmed, then split on single spaces only.

use crate::bytes::is_c_space;
use crate::span::Span;

/// One argument and where it came from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Arg {
    pub bytes: Vec<u8>,
    /// Byte range of the argument in the text that was split (quotes included).
    pub span: Span,
    /// The bytes are the source text verbatim (no quotes or escapes), so offsets inside
    /// the argument map straight onto the source.
    pub verbatim: bool,
}

/// Why [`split_args`] refused a line.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SplitError {
    /// A quote was opened and never closed; the offset is the opening quote.
    Unbalanced { at: usize },
    /// A closing quote was followed by something other than whitespace.
    AfterQuote { at: usize },
}

fn hex_val(b: u8) -> Option<u8> {
    (b as char).to_digit(16).map(|d| d as u8)
}

/// Splits like `sdssplitargs`. The text is read as a C string: a NUL byte ends it.
pub fn split_args(text: &[u8], base: usize) -> Result<Vec<Arg>, SplitError> {
    let text = match text.iter().position(|&b| b == 0) {
        Some(n) => &text[..n],
        None => text,
    };
    let at = |i: usize| text.get(i).copied().unwrap_or(0);
    let mut args = Vec::new();
    let mut i = 0;
    loop {
        while i < text.len() && is_c_space(text[i]) {
            i += 1;
        }
        if i >= text.len() {
            return Ok(args);
        }
        let start = i;
        let mut cur = Vec::new();
        let mut verbatim = true;
        // 0: bare, 1: inside "…", 2: inside '…'
        let mut quote = 0u8;
        let mut open = 0;
        loop {
            match quote {
                1 => {
                    if at(i) == b'\\'
                        && at(i + 1) == b'x'
                        && hex_val(at(i + 2)).is_some()
                        && hex_val(at(i + 3)).is_some()
                    {
                        cur.push(hex_val(at(i + 2)).unwrap() * 16 + hex_val(at(i + 3)).unwrap());
                        i += 3;
                    } else if at(i) == b'\\' && i + 1 < text.len() {
                        i += 1;
                        cur.push(match text[i] {
                            b'n' => b'\n',
                            b'r' => b'\r',
                            b't' => b'\t',
                            b'b' => 0x08,
                            b'a' => 0x07,
                            other => other,
                        });
                    } else if at(i) == b'"' {
                        // The closing quote must be followed by a space or the end.
                        if i + 1 < text.len() && !is_c_space(text[i + 1]) {
                            return Err(SplitError::AfterQuote { at: base + i });
                        }
                        i += 1;
                        break;
                    } else if i >= text.len() {
                        return Err(SplitError::Unbalanced { at: base + open });
                    } else {
                        cur.push(text[i]);
                    }
                }
                2 => {
                    if at(i) == b'\\' && at(i + 1) == b'\'' {
                        i += 1;
                        cur.push(b'\'');
                    } else if at(i) == b'\'' {
                        if i + 1 < text.len() && !is_c_space(text[i + 1]) {
                            return Err(SplitError::AfterQuote { at: base + i });
                        }
                        i += 1;
                        break;
                    } else if i >= text.len() {
                        return Err(SplitError::Unbalanced { at: base + open });
                    } else {
                        cur.push(text[i]);
                    }
                }
                _ => match at(i) {
                    b' ' | b'\n' | b'\r' | b'\t' | 0 => break,
                    b'"' => {
                        quote = 1;
                        open = i;
                        verbatim = false;
                    }
                    b'\'' => {
                        quote = 2;
                        open = i;
                        verbatim = false;
                    }
                    b => cur.push(b),
                },
            }
            i += 1;
        }
        args.push(Arg { bytes: cur, span: Span::new(base + start, base + i), verbatim });
    }
}

/// The ACL-file line splitter: the line is trimmed of spaces, tabs, CR and LF at both
/// ends, then split on every single space (so two spaces make an empty argument).
/// Returns `None` for a line that is empty after trimming.
pub fn split_acl_line(line: &[u8], base: usize) -> Option<Vec<Arg>> {
    let trim = |b: &u8| matches!(b, b' ' | b'\t' | b'\r' | b'\n');
    let start = line.iter().position(|b| !trim(b))?;
    let end = line.iter().rposition(|b| !trim(b)).map_or(start, |e| e + 1);
    let mut args = Vec::with_capacity(line[start..end].iter().filter(|&&b| b == b' ').count() + 1);
    let mut from = start;
    for (i, &b) in line[start..end].iter().enumerate() {
        if b == b' ' {
            let to = start + i;
            args.push(Arg { bytes: line[from..to].to_vec(), span: Span::new(base + from, base + to), verbatim: true });
            from = to + 1;
        }
    }
    args.push(Arg { bytes: line[from..end].to_vec(), span: Span::new(base + from, base + end), verbatim: true });
    Some(args)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn words(s: &str) -> Result<Vec<String>, SplitError> {
        split_args(s.as_bytes(), 0)
            .map(|v| v.into_iter().map(|a| String::from_utf8_lossy(&a.bytes).into_owned()).collect())
    }

    #[test]
    fn config_style_splitting() {
        assert_eq!(words("  a  b\tc ").unwrap(), ["a", "b", "c"]);
        assert_eq!(words(r#"user "app" on ">pw with space""#).unwrap(), ["user", "app", "on", ">pw with space"]);
        assert_eq!(words(r#""\x41\n" 'it\'s'"#).unwrap(), ["A\n", "it's"]);
        assert_eq!(words(r#"ab"cd""#).unwrap(), ["abcd"]);
        assert_eq!(words(r#""\q\xZZ""#).unwrap(), ["qxZZ"]);
        assert_eq!(words("").unwrap(), Vec::<String>::new());
        assert!(matches!(words(r#""abc"#), Err(SplitError::Unbalanced { at: 0 })));
        assert!(matches!(words(r#""a"b"#), Err(SplitError::AfterQuote { at: 2 })));
        assert!(matches!(words("'a"), Err(SplitError::Unbalanced { at: 0 })));
        // A NUL ends the text.
        assert_eq!(words("a\0b c").unwrap(), ["a"]);
    }

    #[test]
    fn spans_cover_quotes() {
        let v = split_args(br#"x "a b" y"#, 10).unwrap();
        assert_eq!(v[1].span, Span::new(12, 17));
        assert!(!v[1].verbatim);
        assert!(v[2].verbatim);
    }

    #[test]
    fn acl_line_splitting() {
        let v = split_acl_line(b"  user  alice on\t\r", 0).unwrap();
        let w: Vec<_> = v.iter().map(|a| String::from_utf8_lossy(&a.bytes).into_owned()).collect();
        assert_eq!(w, ["user", "", "alice", "on"]);
        assert_eq!(v[2].span, Span::new(8, 13));
        assert!(split_acl_line(b" \t\r", 0).is_none());
        let v = split_acl_line(b"user a\tb", 0).unwrap();
        assert_eq!(v[1].bytes, b"a\tb");
    }
}
