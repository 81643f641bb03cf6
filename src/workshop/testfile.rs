//! Test files: what rules must allow and forbid, one expectation per line
//! (`grammar.pest` has the grammar, docs/tests.md the guide). [`parse`] never fails: it
//! returns every expectation it could read and a typed error, with its span, for every
//! line it could not.

use crate::commands::{PROFILES, Profile};
use crate::input::split::split_args;
use crate::span::Span;
use pest::Parser;
use pest::iterators::Pair;
use pest_derive::Parser;

#[derive(Parser)]
#[grammar = "workshop/grammar.pest"]
struct TestParser;

/// A parsed test file.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct TestFile {
    /// `servers …`: the versions the file is about.
    pub servers: Option<Pin>,
    pub expectations: Vec<Expectation>,
    /// One per line that could not be read (those lines are left out).
    pub errors: Vec<TestError>,
}

impl TestFile {
    pub fn is_ok(&self) -> bool {
        self.errors.is_empty()
    }
}

/// Server versions named by `servers …` or a line's `[…]`.
#[derive(Debug, Clone, PartialEq)]
pub struct Pin {
    pub profiles: Vec<&'static Profile>,
    pub span: Span,
}

impl Pin {
    pub fn has(&self, p: &Profile) -> bool {
        self.profiles.iter().any(|q| q.id == p.id)
    }
}

/// A username (or key, channel) as written, decoded.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Name {
    pub bytes: Vec<u8>,
    pub span: Span,
}

impl Name {
    pub fn lossy(&self) -> String {
        String::from_utf8_lossy(&self.bytes).into_owned()
    }
}

/// One line's expectation.
#[derive(Debug, Clone, PartialEq)]
pub struct Expectation {
    /// 1-based line number.
    pub line: usize,
    /// The expectation, without a trailing comment.
    pub span: Span,
    /// `[…]`: only on these versions.
    pub pin: Option<Pin>,
    pub check: Check,
}

impl Expectation {
    /// Whether it runs on `p` (its own pin; the file's is applied by the runner).
    pub fn runs_on(&self, p: &Profile) -> bool {
        self.pin.as_ref().is_none_or(|pin| pin.has(p))
    }

    /// The user it is about, if any.
    pub fn user(&self) -> Option<&[u8]> {
        match &self.check {
            Check::Dryrun { user, .. }
            | Check::Accepted { user, .. }
            | Check::List { user, .. }
            | Check::Auth { user, .. } => Some(&user.bytes),
            Check::Audit { user, .. } => user.as_ref().map(|u| u.bytes.as_slice()),
            Check::Load { .. } => None,
        }
    }
}

/// What is expected.
#[derive(Debug, Clone, PartialEq)]
pub enum Check {
    /// `USER: COMMAND => …`: `ACL DRYRUN USER COMMAND…`.
    Dryrun { user: Name, command: Span, argv: Vec<Vec<u8>>, expect: ReplyExpect },
    /// `user NAME => accepted|rejected`: whether the server accepts the user's own rules.
    Accepted { user: Name, accepted: bool },
    /// `list NAME => "…"`: the user's `ACL LIST` line.
    List { user: Name, line: Vec<u8> },
    /// `audit CODE [on NAME] => raised|not raised`.
    Audit { code: &'static str, user: Option<Name>, raised: bool },
    /// `load => accepted|rejected`: whether the server takes the rules as a whole.
    Load { accepted: bool },
    /// `auth NAME PASSWORD => ok|refused`: whether `AUTH NAME PASSWORD` logs in.
    Auth { user: Name, password: Vec<u8>, ok: bool },
}

/// The DRYRUN reply expected.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ReplyExpect {
    /// `OK`.
    Allow,
    /// Anything but `OK`; optionally a denial of the command, or of a key or channel.
    Deny(Option<Denied>),
    /// An error reply (unknown user or command, wrong number of arguments).
    Error,
    /// This exact reply.
    Text(Vec<u8>),
}

/// What a denial must be about.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Denied {
    Command,
    /// A key (this one, when given).
    Key(Option<Vec<u8>>),
    Channel(Option<Vec<u8>>),
}

/// What is wrong with a line of a test file.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TestProblem {
    #[error("expected {expected}")]
    Syntax { expected: String },
    #[error("this quote is never closed")]
    OpenQuote,
    #[error("the command does not split as redis-cli splits it: {why}")]
    Split { why: &'static str },
    #[error("unknown server version `{given}`")]
    UnknownServer { given: String },
    #[error("unknown audit code `{given}`")]
    UnknownCode { given: String },
    #[error("the file's server versions are already given on line {first}")]
    SecondServers { first: usize },
}

/// An error in a test file, at its span (line and column are computed when rendering).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{problem}")]
pub struct TestError {
    pub problem: TestProblem,
    pub span: Span,
}

const SHAPES: &str = "an expectation is `USER: COMMAND => allow|deny|error|\"reply\"`, `user NAME => accepted|rejected`, `list NAME => \"ACL LIST line\"`, `audit CODE [on NAME] => raised|not raised` or `load => accepted|rejected`; `servers ID, …` pins the file";

impl TestError {
    pub fn code(&self) -> &'static str {
        match self.problem {
            TestProblem::Syntax { .. } => "test::syntax",
            TestProblem::OpenQuote => "test::open-quote",
            TestProblem::Split { .. } => "test::split",
            TestProblem::UnknownServer { .. } => "test::unknown-server",
            TestProblem::UnknownCode { .. } => "test::unknown-audit-code",
            TestProblem::SecondServers { .. } => "test::second-servers",
        }
    }

    pub fn help(&self) -> String {
        match &self.problem {
            TestProblem::Syntax { .. } => SHAPES.to_string(),
            TestProblem::OpenQuote => "close it, or escape it: `\\\"` inside \"…\", `\\'` inside '…'".into(),
            TestProblem::Split { .. } => "a closing quote must be followed by a space or the end of the command".into(),
            TestProblem::UnknownServer { .. } => {
                format!("known: {}, or `all`", PROFILES.iter().map(|p| p.id).collect::<Vec<_>>().join(", "))
            }
            TestProblem::UnknownCode { .. } => {
                format!("known: {}", crate::audit::RULES.iter().map(|r| r.0).collect::<Vec<_>>().join(", "))
            }
            TestProblem::SecondServers { .. } => {
                "give the file's versions once; pin single lines with `[ID, …]` at their start".into()
            }
        }
    }
}

impl miette::Diagnostic for TestError {
    fn code<'a>(&'a self) -> Option<Box<dyn std::fmt::Display + 'a>> {
        Some(Box::new(TestError::code(self)))
    }
    fn help<'a>(&'a self) -> Option<Box<dyn std::fmt::Display + 'a>> {
        Some(Box::new(TestError::help(self)))
    }
    fn labels(&self) -> Option<Box<dyn Iterator<Item = miette::LabeledSpan> + '_>> {
        Some(Box::new(std::iter::once(miette::LabeledSpan::new_with_span(None, self.span))))
    }
}

/// What a rule means, for "expected …" messages.
fn describe(r: &Rule) -> Option<&'static str> {
    Some(match r {
        Rule::arrow => "` => `",
        Rule::colon => "`: ` (a colon and a space) after the username",
        Rule::accepted | Rule::rejected => "`accepted` or `rejected`",
        Rule::raised | Rule::not_raised => "`raised` or `not raised`",
        Rule::allow | Rule::deny | Rule::error | Rule::text | Rule::reply => {
            "`allow`, `deny`, `error` or a quoted reply"
        }
        Rule::denied | Rule::on_command | Rule::on_key | Rule::on_channel => "`command`, `key` or `channel`",
        Rule::name | Rule::bare_name => "a username",
        Rule::command | Rule::arg => "a command",
        Rule::quoted => "a quoted text",
        Rule::value | Rule::bare_value => "a key or channel name",
        Rule::code => "an audit code",
        Rule::server | Rule::servers | Rule::all => "a server version",
        Rule::comment => "a `# comment`",
        Rule::EOI => "the end of the line",
        _ => return None,
    })
}

fn syntax_error(e: pest::error::Error<Rule>, line: &str, base: usize) -> TestError {
    let pos = match e.location {
        pest::error::InputLocation::Pos(p) => p,
        pest::error::InputLocation::Span((s, _)) => s,
    };
    let at = |len: usize| Span::new(base + pos, base + (pos + len).min(line.len()).max(pos));
    let here = line[pos..].chars().next();
    if matches!(here, Some('"' | '\'')) && !closes(&line[pos..]) {
        return TestError { problem: TestProblem::OpenQuote, span: at(1) };
    }
    let mut wanted: Vec<&'static str> = Vec::new();
    if let pest::error::ErrorVariant::ParsingError { positives, .. } = &e.variant {
        for r in positives {
            if let Some(d) = describe(r)
                && !wanted.contains(&d)
            {
                wanted.push(d);
            }
        }
    }
    // The end of the line comes last: "expected `command`, `key` or `channel`, or the end".
    wanted.sort_by_key(|w| w.contains("end of the line") || w.contains("comment"));
    if wanted.is_empty() && line[..pos].trim_end().ends_with("=>") {
        wanted.push("an outcome after ` => `");
    }
    let expected = match wanted.len() {
        0 => "an expectation".to_string(),
        1 => wanted[0].to_string(),
        n => format!("{} or {}", wanted[..n - 1].join(", "), wanted[n - 1]),
    };
    let len = line[pos..].find([' ', '\t']).unwrap_or(line.len() - pos).max(here.map_or(0, char::len_utf8));
    TestError { problem: TestProblem::Syntax { expected }, span: at(len) }
}

/// Whether the quote opening `s` is closed (as the grammar reads quotes).
fn closes(s: &str) -> bool {
    let b = s.as_bytes();
    let q = b[0];
    let mut i = 1;
    while i < b.len() {
        if b[i] == b'\\' && (q == b'"' || b.get(i + 1) == Some(&b'\'')) {
            i += 2;
            continue;
        }
        if b[i] == q {
            return true;
        }
        i += 1;
    }
    false
}

fn span_of(p: &Pair<Rule>, base: usize) -> Span {
    let s = p.as_span();
    Span::new(base + s.start(), base + s.end())
}

/// A quoted text decoded as redis-cli decodes it, or a bare word as it is.
fn decode(p: &Pair<Rule>, base: usize) -> Vec<u8> {
    let s = p.as_str();
    if s.starts_with(['"', '\'']) {
        // The grammar matched a whole quoted string, so it splits into exactly one
        // argument (a NUL ends sdssplitargs' input: `"\x00"` decodes to an empty one).
        if let Ok(mut v) = split_args(s.as_bytes(), base)
            && v.len() == 1
        {
            return v.pop().map(|a| a.bytes).unwrap_or_default();
        }
        return s.as_bytes()[1..s.len() - 1].to_vec();
    }
    s.as_bytes().to_vec()
}

fn name_of(p: Pair<Rule>, base: usize) -> Name {
    Name { bytes: decode(&p.clone().into_inner().next().unwrap_or(p.clone()), base), span: span_of(&p, base) }
}

fn servers_of(p: Pair<Rule>, base: usize) -> Result<Vec<&'static Profile>, TestError> {
    let mut out: Vec<&'static Profile> = Vec::new();
    for s in p.into_inner() {
        match s.as_rule() {
            Rule::all => return Ok(PROFILES.iter().collect()),
            _ => {
                let profile = Profile::by_id(s.as_str()).ok_or_else(|| TestError {
                    problem: TestProblem::UnknownServer { given: s.as_str().to_string() },
                    span: span_of(&s, base),
                })?;
                if !out.iter().any(|q| q.id == profile.id) {
                    out.push(profile);
                }
            }
        }
    }
    Ok(out)
}

fn first(p: Pair<Rule>) -> Pair<Rule> {
    p.clone().into_inner().next().unwrap_or(p)
}

fn check_of(p: Pair<Rule>, base: usize) -> Result<Check, TestError> {
    let rule = p.as_rule();
    let mut inner = p.into_inner().filter(|x| !matches!(x.as_rule(), Rule::arrow | Rule::colon));
    let mut next = || inner.next().expect("the grammar gives every part");
    Ok(match rule {
        Rule::acceptance => {
            let user = name_of(next(), base);
            Check::Accepted { user, accepted: next().as_rule() == Rule::accepted }
        }
        Rule::listing => {
            let user = name_of(next(), base);
            Check::List { user, line: decode(&first(next()), base) }
        }
        Rule::load => Check::Load { accepted: next().as_rule() == Rule::accepted },
        Rule::auth => {
            let user = name_of(next(), base);
            let password = decode(&first(next()), base);
            Check::Auth { user, password, ok: next().as_rule() == Rule::ok }
        }
        Rule::audit => {
            let c = next();
            let code = crate::audit::RULES.iter().map(|r| r.0).find(|r| *r == c.as_str()).ok_or_else(|| TestError {
                problem: TestProblem::UnknownCode { given: c.as_str().to_string() },
                span: span_of(&c, base),
            })?;
            let mut user = None;
            let mut last = next();
            if last.as_rule() == Rule::name {
                user = Some(name_of(last, base));
                last = next();
            }
            Check::Audit { code, user, raised: last.as_rule() == Rule::raised }
        }
        _ => {
            let user = name_of(next(), base);
            let c = next();
            let command = span_of(&c, base);
            let argv = match split_args(c.as_str().as_bytes(), command.start) {
                Ok(v) => v.into_iter().map(|a| a.bytes).collect(),
                Err(e) => {
                    let (at, why) = match e {
                        crate::input::split::SplitError::Unbalanced { at } => (at, "a quote is never closed"),
                        crate::input::split::SplitError::AfterQuote { at } => {
                            (at, "a closing quote is followed by more text")
                        }
                    };
                    return Err(TestError { problem: TestProblem::Split { why }, span: Span::new(at, at + 1) });
                }
            };
            let r = first(next());
            let expect = match r.as_rule() {
                Rule::allow => ReplyExpect::Allow,
                Rule::error => ReplyExpect::Error,
                Rule::text => ReplyExpect::Text(decode(&first(r), base)),
                _ => ReplyExpect::Deny(r.into_inner().next().map(|d| {
                    let d = first(d);
                    let value = |d: Pair<Rule>| d.into_inner().next().map(|v| decode(&first(v), base));
                    match d.as_rule() {
                        Rule::on_command => Denied::Command,
                        Rule::on_key => Denied::Key(value(d)),
                        _ => Denied::Channel(value(d)),
                    }
                })),
            };
            Check::Dryrun { user, command, argv, expect }
        }
    })
}

/// What one line holds.
enum Parsed {
    Nothing,
    Servers(Pin),
    Expectation(Span, Option<Pin>, Check),
}

/// Parses one line (no `\n`, a trailing `\r` already dropped) at byte `base` of the text.
fn parse_line(line: &str, base: usize) -> Result<Parsed, TestError> {
    let pairs = TestParser::parse(Rule::line, line).map_err(|e| syntax_error(e, line, base))?;
    let Some(item) = pairs.flatten().find(|p| matches!(p.as_rule(), Rule::directive | Rule::expectation)) else {
        return Ok(Parsed::Nothing);
    };
    let span = span_of(&item, base);
    if item.as_rule() == Rule::directive {
        let servers = item.into_inner().next().expect("servers");
        let s = span_of(&servers, base);
        return Ok(Parsed::Servers(Pin { profiles: servers_of(servers, base)?, span: s }));
    }
    let mut pin = None;
    let mut parts = item.into_inner();
    let mut p = parts.next().expect("a check");
    if p.as_rule() == Rule::pin {
        let s = span_of(&p, base);
        let servers = p.into_inner().next().expect("servers");
        pin = Some(Pin { profiles: servers_of(servers, base)?, span: s });
        p = parts.next().expect("a check");
    }
    Ok(Parsed::Expectation(span, pin, check_of(p, base)?))
}

/// Reads a test file.
pub fn parse(text: &str) -> TestFile {
    let mut out = TestFile::default();
    let mut servers_line = 0;
    let mut base = 0;
    for (i, raw) in text.split('\n').enumerate() {
        let line = raw.strip_suffix('\r').unwrap_or(raw);
        match parse_line(line, base) {
            Ok(Parsed::Nothing) => {}
            Ok(Parsed::Servers(pin)) => {
                if out.servers.is_some() {
                    out.errors.push(TestError {
                        problem: TestProblem::SecondServers { first: servers_line },
                        span: pin.span,
                    });
                } else {
                    servers_line = i + 1;
                    out.servers = Some(pin);
                }
            }
            Ok(Parsed::Expectation(span, pin, check)) => {
                out.expectations.push(Expectation { line: i + 1, span, pin, check })
            }
            Err(e) => out.errors.push(e),
        }
        base += raw.len() + 1;
    }
    out
}
