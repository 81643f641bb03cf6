//! Token classes for syntax colouring: every token of the input with its span and the
//! kind of rule it is (the same prefix dispatch the server uses).

use super::document::{Document, Kind, Line, Shape};
use super::split::{split_acl_line, split_args};
use crate::span::Span;
use serde::Serialize;

/// What a piece of the input is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Class {
    /// `user`, `requirepass`, `ACL SETUSER`, …
    Keyword,
    Username,
    /// `on`, `off`, `nopass`, `reset`, …
    Flag,
    /// `>password`, `<password`: plaintext.
    Password,
    /// `#hash`, `!hash`.
    Hash,
    /// `~pattern`, `%R~pattern`, `allkeys`, `resetkeys`.
    Keys,
    /// `&pattern`, `allchannels`, `resetchannels`.
    Channels,
    /// `db=0,2`, `alldbs`, `resetdbs` (Valkey 9.1; a syntax error elsewhere).
    Databases,
    /// `+cmd`, `+@cat`, `allcommands`.
    Allow,
    /// `-cmd`, `-@cat`, `nocommands`.
    Deny,
    /// `(` … `)` selector parts.
    Selector,
    Comment,
    /// A directive's or command's other arguments.
    Value,
    /// Not a rule the server knows.
    Unknown,
}

/// Classifies one rule token by the server's dispatch (not validating it).
pub fn classify(rule: &[u8]) -> Class {
    let kw = crate::bytes::c_str(rule).to_ascii_lowercase();
    match kw.as_slice() {
        b"on"
        | b"off"
        | b"nopass"
        | b"resetpass"
        | b"reset"
        | b"sanitize-payload"
        | b"skip-sanitize-payload"
        | b"clearselectors" => return Class::Flag,
        b"allkeys" | b"resetkeys" => return Class::Keys,
        b"allchannels" | b"resetchannels" => return Class::Channels,
        b"alldbs" | b"resetdbs" => return Class::Databases,
        _ if kw.starts_with(b"db=") => return Class::Databases,
        b"allcommands" => return Class::Allow,
        b"nocommands" => return Class::Deny,
        _ => {}
    }
    match rule.first() {
        Some(b'>' | b'<') => Class::Password,
        Some(b'#' | b'!') => Class::Hash,
        Some(b'(') | Some(b')') => Class::Selector,
        _ if rule.last() == Some(&b')') => Class::Selector,
        Some(b'~' | b'%') => Class::Keys,
        Some(b'&') => Class::Channels,
        Some(b'+') => Class::Allow,
        Some(b'-') => Class::Deny,
        None => Class::Value,
        _ => Class::Unknown,
    }
}

/// Every token of `text` with its class, in order.
pub fn highlight(text: &str, doc: &Document) -> Vec<(Span, Class)> {
    let mut out = Vec::new();
    for l in &doc.lines {
        highlight_line(text, doc.kind, l, &mut out);
    }
    out
}

/// The tokens of one line of `text` (a line of a document of `kind`), in order.
pub fn highlight_line(text: &str, kind: Kind, l: &Line, out: &mut Vec<(Span, Class)>) {
    let bytes = text.as_bytes();
    let line = &bytes[l.span.start..l.span.end];
    match (kind, l.shape) {
        (_, Shape::Blank) => {}
        // ACL files have no comments: the server refuses the line.
        (Kind::AclFile, Shape::Comment) => out.push((l.span, Class::Unknown)),
        (_, Shape::Comment) => out.push((l.span, Class::Comment)),
        (Kind::AclFile, _) => {
            if let Some(args) = split_acl_line(line, l.span.start) {
                rules(&args.iter().map(|a| (a.span, a.bytes.as_slice())).collect::<Vec<_>>(), out);
            }
        }
        (Kind::Listing, Shape::Listing { quoted }) => {
            let inner = Span::new(quoted.start + 1, quoted.end.saturating_sub(1).max(quoted.start + 1));
            if let Some(args) = split_acl_line(&bytes[inner.start..inner.end], inner.start) {
                rules(&args.iter().map(|a| (a.span, a.bytes.as_slice())).collect::<Vec<_>>(), out);
            }
        }
        (Kind::Commands, Shape::Command { args }) => {
            if let Ok(v) = split_args(&bytes[args.start..args.end], args.start) {
                let first = |w: &[u8]| v.first().is_some_and(|a| a.bytes.eq_ignore_ascii_case(w));
                let select = first(b"select");
                let verb_len = if first(b"auth") || select { 1 } else { 2 };
                for a in v.iter().take(verb_len) {
                    out.push((a.span, Class::Keyword));
                }
                let setuser = v.get(1).is_some_and(|a| a.bytes.eq_ignore_ascii_case(b"setuser"));
                for (i, a) in v.iter().enumerate().skip(verb_len) {
                    let class = match (setuser, i == verb_len) {
                        // SELECT's argument is a database, not a user.
                        (_, true) if select => Class::Value,
                        (_, true) => Class::Username,
                        (true, false) => classify(&a.bytes),
                        (false, false) => Class::Value,
                    };
                    out.push((a.span, class));
                }
            }
        }
        (Kind::Config, Shape::Other { .. }) => {
            if let Ok(v) = split_args(line, l.span.start) {
                let user = v.first().is_some_and(|a| a.bytes.eq_ignore_ascii_case(b"user"));
                if user {
                    rules(&v.iter().map(|a| (a.span, a.bytes.as_slice())).collect::<Vec<_>>(), out);
                } else {
                    for (i, a) in v.iter().enumerate() {
                        out.push((a.span, if i == 0 { Class::Keyword } else { Class::Value }));
                    }
                }
            }
        }
        _ => out.push((l.span, Class::Unknown)),
    }
}

/// A `user <name> <rules…>` line.
fn rules(args: &[(Span, &[u8])], out: &mut Vec<(Span, Class)>) {
    let mut in_selector = false;
    for (i, (span, b)) in args.iter().enumerate() {
        if span.is_empty() {
            continue;
        }
        let class = match i {
            0 => Class::Keyword,
            1 => Class::Username,
            _ => {
                let c = classify(b);
                if b.first() == Some(&b'(') && b.last() != Some(&b')') {
                    in_selector = true;
                    Class::Selector
                } else if in_selector {
                    if b.last() == Some(&b')') {
                        in_selector = false;
                    }
                    Class::Selector
                } else {
                    c
                }
            }
        };
        out.push((*span, class));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn classes() {
        assert_eq!(classify(b"ON"), Class::Flag);
        assert_eq!(classify(b"~app:*"), Class::Keys);
        assert_eq!(classify(b"%R~x"), Class::Keys);
        assert_eq!(classify(b"&news"), Class::Channels);
        assert_eq!(classify(b"+@all"), Class::Allow);
        assert_eq!(classify(b"-@dangerous"), Class::Deny);
        assert_eq!(classify(b">pw"), Class::Password);
        assert_eq!(classify(b"#abc"), Class::Hash);
        assert_eq!(classify(b"(~a +get)"), Class::Selector);
        assert_eq!(classify(b"foo"), Class::Unknown);
        assert_eq!(classify(b"db=0,2"), Class::Databases);
        assert_eq!(classify(b"DB=1"), Class::Databases);
        assert_eq!(classify(b"ResetDBs"), Class::Databases);
        assert_eq!(classify(b"alldbs"), Class::Databases);
        assert_eq!(classify(b"db"), Class::Unknown);
    }

    #[test]
    fn acl_file_line() {
        let t = "user app on >pw ~app:* (+get ~x)";
        let doc = crate::input::parse::parse(t, None);
        let h: Vec<(&str, Class)> = highlight(t, &doc).into_iter().map(|(s, c)| (&t[s.start..s.end], c)).collect();
        assert_eq!(
            h,
            [
                ("user", Class::Keyword),
                ("app", Class::Username),
                ("on", Class::Flag),
                (">pw", Class::Password),
                ("~app:*", Class::Keys),
                ("(+get", Class::Selector),
                ("~x)", Class::Selector)
            ]
        );
    }
}
