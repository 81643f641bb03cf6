//! The only module that sees pest: turns text into a [`Document`] of line shapes, and
//! guesses the kind of input.

use super::document::{CONFIG_DIRECTIVES, Document, Kind, Line, Shape};
use crate::span::Span;
use pest::Parser;
use pest_derive::Parser;

#[derive(Parser)]
#[grammar = "input/grammar.pest"]
struct LineParser;

fn span(p: &pest::iterators::Pair<Rule>) -> Span {
    let s = p.as_span();
    Span::new(s.start(), s.end())
}

/// Classifies every line of `text`.
///
/// The grammar is line-local (every alternative of `line` ends at the line's end), so
/// each line is classified on its own: the common shapes (blank, comment, a line whose
/// first word cannot start a command) directly, the rest by the grammar. As with one
/// parse of the whole text, a line the grammar refuses makes every line plain text.
pub fn lines(text: &str) -> Vec<Line> {
    let mut out = Vec::new();
    let mut start = 0;
    for (i, l) in text.split('\n').enumerate() {
        let Some(line) = line(l, i + 1, start) else {
            return fallback(text);
        };
        out.push(line);
        start += l.len() + 1;
    }
    out
}

/// Line `number` of a text, `l` (without its `\n`), starting at byte `start`: its
/// shape, or `None` when the grammar refuses it (then [`lines`] makes every line plain
/// text).
pub fn line(l: &str, number: usize, start: usize) -> Option<Line> {
    let shape = fast_shape(l).or_else(|| grammar_shape(l))?;
    let at = |s: Span| s.shifted(start as isize);
    let shape = match shape {
        Shape::Blank | Shape::Comment => shape,
        Shape::Listing { quoted } => Shape::Listing { quoted: at(quoted) },
        Shape::Command { args } => Shape::Command { args: at(args) },
        Shape::Other { word } => Shape::Other { word: at(word) },
    };
    Some(Line { number, span: Span::new(start, start + l.len()), shape })
}

/// The shape the grammar gives `line` (no `\n`), for the lines where that is plain to
/// see; spans relative to the line. `None`: ask the grammar.
fn fast_shape(line: &str) -> Option<Shape> {
    let b = line.as_bytes();
    // `ws` is space and tab only.
    let Some(p) = b.iter().position(|&c| c != b' ' && c != b'\t') else {
        return Some(Shape::Blank);
    };
    let rest = &b[p..];
    match rest[0] {
        b'\r' if rest.len() == 1 => return Some(Shape::Blank),
        b'#' => return Some(Shape::Comment),
        // Not blank, comment or listing; `word` can start here.
        c if c.is_ascii_alphabetic() => {}
        _ => return None,
    }
    // `command` needs a `prompt` (the first of `>`, space, tab is `>`), a `cli` prefix or
    // a `verb` (`acl`, `config`, `auth`, `select`, any case) right here.
    let prompt = rest.iter().find(|&&c| matches!(c, b'>' | b' ' | b'\t')) == Some(&b'>');
    let starts = |w: &[u8]| rest.len() >= w.len() && rest[..w.len()].eq_ignore_ascii_case(w);
    if prompt
        || rest.starts_with(b"redis-cli")
        || rest.starts_with(b"valkey-cli")
        || starts(b"acl")
        || starts(b"config")
        || starts(b"auth")
        || starts(b"select")
    {
        return None;
    }
    let end = rest.iter().position(|&c| matches!(c, b' ' | b'\t' | b'\r')).map_or(b.len(), |n| p + n);
    Some(Shape::Other { word: Span::new(p, end) })
}

/// The grammar's shape for one line (no `\n`), spans relative to the line; `None` when
/// the grammar refuses it.
fn grammar_shape(line: &str) -> Option<Shape> {
    let mut pairs = LineParser::parse(Rule::text, line).ok()?;
    let pair = pairs.next()?.into_inner().next().filter(|p| p.as_rule() != Rule::EOI)?;
    let s = span(&pair);
    let inner = |rule: Rule| pair.clone().into_inner().find(|p| p.as_rule() == rule).map(|p| span(&p));
    Some(match pair.as_rule() {
        Rule::blank => Shape::Blank,
        Rule::comment => Shape::Comment,
        Rule::listing => Shape::Listing { quoted: inner(Rule::quoted).unwrap_or(s) },
        Rule::command => Shape::Command { args: inner(Rule::args).unwrap_or(s) },
        _ => Shape::Other { word: inner(Rule::word).unwrap_or(s) },
    })
}

fn fallback(text: &str) -> Vec<Line> {
    let mut out = Vec::new();
    let mut start = 0;
    for (i, l) in text.split('\n').enumerate() {
        let s = Span::new(start, start + l.len());
        out.push(Line { number: i + 1, span: s, shape: Shape::Other { word: s } });
        start += l.len() + 1;
    }
    out
}

/// What a line says about the kind of input (see [`detect`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Hint {
    /// A redis-cli command: the input is commands.
    Commands,
    /// A redis.conf directive: the input is a config.
    Config,
    /// An `ACL LIST` entry.
    Listing,
    /// A `user` line.
    User,
    None,
}

/// The [`Hint`] of one line.
pub fn hint(text: &str, l: &Line) -> Hint {
    match l.shape {
        Shape::Command { .. } => Hint::Commands,
        Shape::Listing { .. } => Hint::Listing,
        Shape::Other { word } => {
            let w = &text[word.start..word.end];
            if CONFIG_DIRECTIVES.iter().any(|d| d.eq_ignore_ascii_case(w)) {
                Hint::Config
            } else if w == "user" {
                Hint::User
            } else {
                Hint::None
            }
        }
        Shape::Blank | Shape::Comment => Hint::None,
    }
}

/// Guesses the kind of input from its lines: the first command or directive decides,
/// else listing entries outnumbering `user` lines make ACL LIST output.
pub fn detect(text: &str, lines: &[Line]) -> Kind {
    let mut listing = 0;
    let mut users = 0;
    for l in lines {
        match hint(text, l) {
            Hint::Commands => return Kind::Commands,
            Hint::Config => return Kind::Config,
            Hint::Listing => listing += 1,
            Hint::User => users += 1,
            Hint::None => {}
        }
    }
    if listing > users { Kind::Listing } else { Kind::AclFile }
}

/// Parses `text`; `kind` overrides the detection.
pub fn parse(text: &str, kind: Option<Kind>) -> Document {
    let lines = lines(text);
    let detected = kind.is_none();
    let kind = kind.unwrap_or_else(|| detect(text, &lines));
    Document { kind, detected, lines }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn kinds(text: &str) -> Kind {
        parse(text, None).kind
    }

    #[test]
    fn detection() {
        assert_eq!(kinds("user default off\nuser app on >pw ~app:* +@all\n"), Kind::AclFile);
        assert_eq!(kinds("# my users\nrequirepass secret\nuser app on\n"), Kind::Config);
        assert_eq!(kinds("ACL SETUSER app on >pw ~app:* +@all\n"), Kind::Commands);
        assert_eq!(kinds("127.0.0.1:6379> acl setuser app on\n"), Kind::Commands);
        assert_eq!(kinds("redis-cli -h db -p 6380 ACL SETUSER app on\n"), Kind::Commands);
        assert_eq!(kinds("1) \"user default on nopass ~* &* +@all\"\n2) \"user x off\"\n"), Kind::Listing);
        assert_eq!(kinds(""), Kind::AclFile);
    }

    /// The classifier as one parse of the whole text (what `lines` must equal).
    fn reference(text: &str) -> Vec<Line> {
        let Ok(mut pairs) = LineParser::parse(Rule::text, text) else {
            return fallback(text);
        };
        let mut out = Vec::new();
        let mut start = 0;
        for pair in pairs.next().into_iter().flat_map(|p| p.into_inner()) {
            if pair.as_rule() == Rule::EOI {
                break;
            }
            let s = span(&pair);
            let line_start = start;
            let line_end = text[s.end..].find('\n').map_or(text.len(), |n| s.end + n);
            start = line_end + 1;
            let inner = |rule: Rule| pair.clone().into_inner().find(|p| p.as_rule() == rule).map(|p| span(&p));
            let shape = match pair.as_rule() {
                Rule::blank => Shape::Blank,
                Rule::comment => Shape::Comment,
                Rule::listing => Shape::Listing { quoted: inner(Rule::quoted).unwrap_or(s) },
                Rule::command => Shape::Command { args: inner(Rule::args).unwrap_or(s) },
                _ => Shape::Other { word: inner(Rule::word).unwrap_or(s) },
            };
            out.push(Line { number: out.len() + 1, span: Span::new(line_start, line_end), shape });
        }
        out
    }

    #[test]
    fn line_by_line_equals_one_parse() {
        let pieces = [
            "user",
            "User",
            "USER",
            "acl",
            "ACL",
            "Acl",
            "aclx",
            "config",
            "CONFIG",
            "configure",
            "auth",
            "AUTH",
            "authx",
            "select",
            "SELECT",
            "selectx",
            "redis-cli",
            "valkey-cli",
            "Redis-cli",
            "setuser",
            "set",
            "dryrun",
            "list",
            "on",
            "~*",
            ">pw",
            "a>b",
            "127.0.0.1:6379>",
            "x>",
            ">",
            "#",
            "# c",
            "1)",
            "12)",
            "\"user a on\"",
            "\"x\\\"y\"",
            "\"",
            "'",
            " ",
            "  ",
            "\t",
            "\r",
            "\r\r",
            "",
            "é",
            "名前",
            "requirepass",
            "aclfile",
            "-",
            "(",
            ")",
            "\u{b}",
        ];
        let mut x = 0x2545_f491_4f6c_dd1du64;
        let mut next = |n: usize| {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            (x % n as u64) as usize
        };
        let mut texts: Vec<String> = vec![
            String::new(),
            "\n".into(),
            "\n\n".into(),
            " \rx\nuser a".into(),
            "user a on\r\n  # c\r\n\t\r\n".into(),
            "127.0.0.1:6379> acl setuser x on\nuser y".into(),
        ];
        for _ in 0..4000 {
            let mut t = String::new();
            for _ in 0..next(6) + 1 {
                for _ in 0..next(6) {
                    t.push_str(pieces[next(pieces.len())]);
                    if next(3) > 0 {
                        t.push(if next(4) == 0 { '\t' } else { ' ' });
                    }
                }
                if next(5) > 0 {
                    t.push('\n');
                }
            }
            texts.push(t);
        }
        for t in &texts {
            assert_eq!(lines(t), reference(t), "{t:?}");
        }
    }

    #[test]
    fn shapes_and_spans() {
        let t = "user a on\n\n  # c\r\n127.0.0.1:6379> ACL SETUSER b\n1) \"user c\"";
        let l = lines(t);
        assert_eq!(l.len(), 5);
        assert_eq!(l[0].shape, Shape::Other { word: Span::new(0, 4) });
        assert_eq!(l[1].shape, Shape::Blank);
        assert_eq!(l[2].shape, Shape::Comment);
        let Shape::Command { args } = l[3].shape else { panic!() };
        assert_eq!(&t[args.start..args.end], "ACL SETUSER b");
        let Shape::Listing { quoted } = l[4].shape else { panic!() };
        assert_eq!(&t[quoted.start..quoted.end], "\"user c\"");
        assert_eq!(l[4].span.end, t.len());
    }
}
