//! The test-file parser against `tests/data/testfile-cases.txt`: one line per case, each
//! naming the behaviour it pins, bad input included (a line:column error, never a panic).

use aclplay::analysis::repr;
use aclplay::span::LineIndex;
use aclplay::workshop::testfile::{Check, Denied, ReplyExpect, parse};

fn lossy(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

/// How one line reads, in the cases file's notation.
fn render(line: &str) -> String {
    let f = parse(line);
    if let Some(e) = f.errors.first() {
        let ix = LineIndex::new(line);
        let (a, b) = (ix.locate(line, e.span.start), ix.locate(line, e.span.end));
        assert_eq!((a.line, b.line), (1, 1), "a one-line input has its errors on line 1");
        return format!("error {}-{} {}: {}", a.column, b.column, e.code(), e);
    }
    if let Some(s) = &f.servers {
        // Every version of the registry reads as `every` (the registry grows).
        if s.profiles.len() == aclplay::PROFILES.len() {
            return "servers every".into();
        }
        return format!("servers {}", s.profiles.iter().map(|p| p.id).collect::<Vec<_>>().join(","));
    }
    let Some(e) = f.expectations.first() else { return "-".into() };
    let pin = e
        .pin
        .as_ref()
        .map(|p| format!("[{}] ", p.profiles.iter().map(|p| p.id).collect::<Vec<_>>().join(",")))
        .unwrap_or_default();
    let what = match &e.check {
        Check::Dryrun { user, argv, expect, .. } => {
            let args: Vec<String> = argv.iter().map(|a| repr(a)).collect();
            let expect = match expect {
                ReplyExpect::Allow => "allow".into(),
                ReplyExpect::Deny(None) => "deny".into(),
                ReplyExpect::Deny(Some(Denied::Command)) => "deny command".into(),
                ReplyExpect::Deny(Some(Denied::Key(k))) => {
                    format!("deny key{}", k.as_ref().map(|k| format!(" {}", repr(k))).unwrap_or_default())
                }
                ReplyExpect::Deny(Some(Denied::Channel(c))) => {
                    format!("deny channel{}", c.as_ref().map(|c| format!(" {}", repr(c))).unwrap_or_default())
                }
                ReplyExpect::Error => "error".into(),
                ReplyExpect::Text(t) => format!("text {}", repr(t)),
            };
            format!("dryrun {} [{}] {expect}", lossy(&user.bytes), args.join(" "))
        }
        Check::Accepted { user, accepted } => {
            format!("user {} {}", lossy(&user.bytes), if *accepted { "accepted" } else { "rejected" })
        }
        Check::List { user, line } => format!("list {} {}", lossy(&user.bytes), repr(line)),
        Check::Audit { code, user, raised } => format!(
            "audit {code}{} {}",
            user.as_ref().map(|u| format!(" on {}", lossy(&u.bytes))).unwrap_or_default(),
            if *raised { "raised" } else { "not-raised" }
        ),
        Check::Load { accepted } => format!("load {}", if *accepted { "accepted" } else { "rejected" }),
        Check::Auth { user, password, ok } => {
            format!("auth {} {} {}", lossy(&user.bytes), repr(password), if *ok { "ok" } else { "refused" })
        }
    };
    format!("{pin}{what}")
}

#[test]
fn testfile_cases() {
    let cases = include_str!("data/testfile-cases.txt");
    let mut failures = Vec::new();
    let mut n = 0;
    for (i, row) in cases.lines().enumerate() {
        if row.starts_with('#') || row.is_empty() {
            continue;
        }
        let cols: Vec<&str> = row.split('\t').collect();
        assert_eq!(cols.len(), 3, "line {}: BEHAVIOUR<tab>LINE<tab>EXPECTED", i + 1);
        let input = cols[1].replace("\\t", "\t").replace("\\r", "\r");
        let got = render(&input);
        n += 1;
        if got != cols[2] {
            failures.push(format!("line {} ({}): {:?}\n  want: {}\n  got:  {got}", i + 1, cols[0], input, cols[2]));
        }
    }
    assert!(n > 50, "the cases file has its cases");
    assert!(failures.is_empty(), "{} of {n} cases differ:\n{}", failures.len(), failures.join("\n"));
}

/// A whole file: every bad line gets its own error, the good ones are all read, and the
/// line numbers and spans are those of the whole text.
#[test]
fn whole_file_errors_and_lines() {
    let text = "# tests\nservers redis-7.0\n\napp: GET k => allow\nuser app => acepted\r\nload => accepted\nservers all\napp: X => \"unterminated\n";
    let f = parse(text);
    let ix = LineIndex::new(text);
    let lines: Vec<usize> = f.expectations.iter().map(|e| e.line).collect();
    assert_eq!(lines, [4, 6]);
    let errors: Vec<(usize, usize, &str)> = f
        .errors
        .iter()
        .map(|e| {
            let p = ix.locate(text, e.span.start);
            (p.line, p.column, e.code())
        })
        .collect();
    assert_eq!(errors, [(5, 13, "test::syntax"), (7, 9, "test::second-servers"), (8, 11, "test::open-quote")]);
    assert_eq!(f.errors[1].to_string(), "the file's server versions are already given on line 2");
    assert_eq!(&text[f.expectations[0].span.start..f.expectations[0].span.end], "app: GET k => allow");
}
