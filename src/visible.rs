//! How user text is shown: characters that cannot be seen, or that reorder the text
//! around them, become visible escapes. A name or rule shown with a right-to-left override
//! (U+202E) in it reads backwards (`\u{202e}tnega` displays as "agent"), zero-width
//! characters make two different names look the same: the "Trojan Source" trick on
//! reviewed text. Every place that shows a name, a rule or a pattern (the CLI's text
//! output, the playground, diagnostics, findings) goes through [`escape`].

use std::borrow::Cow;

/// Whether `c` is a bidirectional control: it changes the display order of the text
/// around it (embeddings, overrides, isolates and marks).
pub fn is_bidi_control(c: char) -> bool {
    matches!(c, '\u{61c}' | '\u{200e}' | '\u{200f}' | '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}')
}

/// Whether `c` shows nothing (or nothing but a line break) while being part of the text:
/// zero-width and other format characters, fillers, variation selectors, tags, line and
/// paragraph separators.
pub fn is_invisible(c: char) -> bool {
    matches!(
        c,
        '\u{ad}'
            | '\u{34f}'
            | '\u{115f}'
            | '\u{1160}'
            | '\u{17b4}'
            | '\u{17b5}'
            | '\u{180b}'..='\u{180f}'
            | '\u{200b}'..='\u{200d}'
            | '\u{2028}'
            | '\u{2029}'
            | '\u{2060}'..='\u{2064}'
            | '\u{206a}'..='\u{206f}'
            | '\u{3164}'
            | '\u{fe00}'..='\u{fe0f}'
            | '\u{feff}'
            | '\u{ffa0}'
            | '\u{fff9}'..='\u{fffb}'
            | '\u{1d173}'..='\u{1d17a}'
            | '\u{e0000}'..='\u{e007f}'
            | '\u{e0100}'..='\u{e01ef}'
    )
}

/// Whether [`escape`] rewrites `c` (a control character, or one of the above).
pub fn is_hidden(c: char) -> bool {
    c.is_control() || is_bidi_control(c) || is_invisible(c)
}

/// `s` with every hidden character written as an escape: `\n`, `\r`, `\t`, `\x0b` for
/// control characters, `\u{202e}` for the others. Text without any comes back borrowed.
pub fn escape(s: &str) -> Cow<'_, str> {
    if !s.chars().any(is_hidden) {
        return Cow::Borrowed(s);
    }
    let mut out = String::with_capacity(s.len() + 8);
    for c in s.chars() {
        push(&mut out, c);
    }
    Cow::Owned(out)
}

/// Bytes shown as text ([`escape`] of their lossy UTF-8 reading).
pub fn escape_bytes(b: &[u8]) -> String {
    escape(&String::from_utf8_lossy(b)).into_owned()
}

fn push(out: &mut String, c: char) {
    const HEX: &[u8; 16] = b"0123456789abcdef";
    match c {
        '\n' => out.push_str("\\n"),
        '\r' => out.push_str("\\r"),
        '\t' => out.push_str("\\t"),
        c if c.is_control() && (c as u32) < 0x100 => {
            out.push_str("\\x");
            out.push(HEX[(c as usize) >> 4] as char);
            out.push(HEX[(c as usize) & 15] as char);
        }
        c if is_hidden(c) => {
            out.push_str("\\u{");
            let n = c as u32;
            let digits = (32 - n.leading_zeros()).div_ceil(4).max(1);
            for i in (0..digits).rev() {
                out.push(HEX[(n >> (4 * i) & 15) as usize] as char);
            }
            out.push('}');
        }
        c => out.push(c),
    }
}

/// `s` with each bidirectional control and invisible character replaced by a visible
/// stand-in of the same UTF-8 length (`¤` for two bytes, `�` for three, `𝐱` for four),
/// so that byte offsets into the text still hold: for showing source lines (the CLI's
/// diagnostics) where an escape would shift every column after it.
pub fn mask(s: &str) -> Cow<'_, str> {
    if !s.chars().any(|c| is_bidi_control(c) || is_invisible(c)) {
        return Cow::Borrowed(s);
    }
    Cow::Owned(
        s.chars()
            .map(|c| match c.len_utf8() {
                _ if !(is_bidi_control(c) || is_invisible(c)) => c,
                2 => '\u{a4}',
                3 => '\u{fffd}',
                _ => '\u{1d431}',
            })
            .collect(),
    )
}

/// The hidden characters of `s` that [`escape`] would rewrite and that are not plain
/// whitespace controls: each with its byte offset.
pub fn hidden(s: &str) -> impl Iterator<Item = (usize, char)> + '_ {
    s.char_indices().filter(|&(_, c)| is_bidi_control(c) || is_invisible(c))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes() {
        assert_eq!(escape("app"), "app");
        assert!(matches!(escape("app:é名"), Cow::Borrowed(_)));
        assert_eq!(escape("\u{202e}tnega"), "\\u{202e}tnega");
        assert_eq!(escape("a\u{200b}b\u{feff}"), "a\\u{200b}b\\u{feff}");
        assert_eq!(escape("a\tb\0c\u{b}\u{85}"), "a\\tb\\x00c\\x0b\\x85");
        assert_eq!(escape("\u{e0041}"), "\\u{e0041}");
        assert_eq!(escape_bytes(b"x\xffy"), "x\u{fffd}y");
        assert_eq!(hidden("a\u{2066}b\tc").collect::<Vec<_>>(), [(1, '\u{2066}')]);
        for t in ["a\u{202e}b", "\u{ad}x\u{e0041}", "plain"] {
            assert_eq!(mask(t).len(), t.len(), "{t:?}");
            assert!(mask(t).chars().all(|c| !is_bidi_control(c) && !is_invisible(c)));
        }
    }
}
