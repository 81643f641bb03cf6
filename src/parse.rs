//! The only module that sees pest: turns text into a [`Document`] of line shapes, and
//! guesses the kind of input.

use crate::model::{CONFIG_DIRECTIVES, Document, Kind, Line, Shape};
use crate::span::Span;
use pest::Parser;
use pest_derive::Parser;

#[derive(Parser)]
#[grammar = "grammar.pest"]
struct LineParser;

fn span(p: &pest::iterators::Pair<Rule>) -> Span {
    let s = p.as_span();
    Span::new(s.start(), s.end())
}

/// Classifies every line of `text`.
pub fn lines(text: &str) -> Vec<Line> {
    // The grammar accepts any text, so failure would be a bug in it; fall back to
    // treating every line as plain text rather than panicking.
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

/// Guesses the kind of input from its lines.
pub fn detect(text: &str, lines: &[Line]) -> Kind {
    let mut listing = 0;
    let mut users = 0;
    for l in lines {
        match l.shape {
            Shape::Command { .. } => return Kind::Commands,
            Shape::Listing { .. } => listing += 1,
            Shape::Other { word } => {
                let w = &text[word.start..word.end];
                if CONFIG_DIRECTIVES.iter().any(|d| d.eq_ignore_ascii_case(w)) {
                    return Kind::Config;
                }
                if w == "user" {
                    users += 1;
                }
            }
            Shape::Blank | Shape::Comment => {}
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
