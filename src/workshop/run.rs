//! Running a test file against rules: each expectation asked of the engine as the server
//! would answer it once it has the rules ([`Analysis::served`]), with what was expected,
//! what the server answers, and the rule that decided.
//!
//! DRYRUN when the rules do not load: a server that refuses `ACL LOAD` keeps what it had
//! (a fresh server's users: only `default`), so the answer is that server's — mostly
//! `ERR User '…' not found` — and the result carries a note saying so; when the server
//! crashes or does not start there is no answer, and every DRYRUN expectation fails.

use super::testfile::{Check, Denied, Expectation, ReplyExpect, TestFile};
use crate::analysis::{Analysis, Down, Options, Outcome, Served, Status, analyze};
use crate::commands::Profile;
use crate::engine::acl::User;
use crate::engine::startup::Startup;
use crate::input::document::{Kind, Shape};
use crate::span::Span;
use crate::verdicts::{Denial, ReplyKind};
use serde::Serialize;

/// What the server answers to an expectation.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "what", rename_all = "kebab-case")]
pub enum Actual {
    /// A DRYRUN reply; for a denial, what was denied and its argument.
    Reply { kind: ReplyKind, text: String, denied: Option<(Denial, String)> },
    /// No reply: the server is down.
    Down { why: Down },
    /// The user's own rules: accepted, or refused with the server's words.
    User { accepted: bool, detail: String },
    /// The input does not define that user.
    NotDefined,
    /// The user's `ACL LIST` line (`None`: listing it crashes the server).
    Listed { line: Option<String> },
    /// The user is not on the server.
    NotListed,
    /// Whether the audit raises the code, and where.
    Audit { raised: bool, spans: Vec<Span> },
    /// Whether the server takes the rules, and its words.
    Load { accepted: bool, text: String },
    /// Whether `AUTH` logs in (`OK`, else `WRONGPASS …`).
    Auth { ok: bool },
}

/// How an expectation fared.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Verdict {
    Pass,
    Fail,
}

/// One expectation's result on one server version.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct TestResult {
    /// Index into [`TestFile::expectations`].
    pub index: usize,
    pub line: usize,
    pub verdict: Verdict,
    pub expected: String,
    pub actual: Actual,
    /// The rule that decided a DRYRUN (its span in the rules).
    pub deciding: Option<Span>,
    /// What the reader must know to read the answer (the rules did not load, …).
    pub note: Option<String>,
}

/// A test file's results on one server version.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Run {
    pub server: &'static str,
    pub results: Vec<TestResult>,
    /// Expectations pinned to other versions.
    pub skipped: usize,
}

impl Run {
    pub fn failures(&self) -> usize {
        self.results.iter().filter(|r| r.verdict == Verdict::Fail).count()
    }
    pub fn passed(&self) -> bool {
        self.failures() == 0
    }
}

/// The rules an expectation is asked of: their text and its analysis, with the security
/// audit computed on first use.
pub struct Rules<'a> {
    pub text: &'a str,
    pub analysis: &'a Analysis,
    audit: std::sync::OnceLock<Vec<crate::audit::Finding>>,
}

impl<'a> Rules<'a> {
    pub fn new(text: &'a str, analysis: &'a Analysis) -> Rules<'a> {
        Rules { text, analysis, audit: std::sync::OnceLock::new() }
    }
    fn audit(&self) -> &[crate::audit::Finding] {
        self.audit.get_or_init(|| crate::audit::lint(self.analysis, self.text))
    }
}

/// The versions a file runs on: `requested` (`--servers`) if given, else the file's
/// `servers`, else `fallback` (`--server`); when both are given, those of `requested` the
/// file is about. Empty when they have none in common.
pub fn versions(
    file: &TestFile,
    requested: Option<&[&'static Profile]>,
    fallback: &'static Profile,
) -> Vec<&'static Profile> {
    match (requested, &file.servers) {
        (Some(r), Some(pin)) => r.iter().copied().filter(|p| pin.has(p)).collect(),
        (Some(r), None) => r.to_vec(),
        (None, Some(pin)) => pin.profiles.clone(),
        (None, None) => vec![fallback],
    }
}

/// Runs every expectation of `file` that runs on the rules' version.
pub fn run(file: &TestFile, rules: &Rules) -> Run {
    let profile = rules.analysis.profile;
    let mut out = Run { server: profile.id, results: Vec::new(), skipped: 0 };
    for (index, e) in file.expectations.iter().enumerate() {
        if !e.runs_on(profile) {
            out.skipped += 1;
            continue;
        }
        let (pass, actual, note) = evaluate(e, rules);
        let deciding = match (&e.check, &actual) {
            (Check::Dryrun { user, argv, .. }, Actual::Reply { kind, .. })
                if *kind != ReplyKind::Error && rules.analysis.served() == Served::Input =>
            {
                let argv: Vec<&[u8]> = argv.iter().map(Vec::as_slice).collect();
                rules.analysis.explain(&user.bytes, &argv).deciding_span()
            }
            (Check::Accepted { .. }, _) | (Check::List { .. }, _) | (Check::Auth { .. }, _) => {
                user_span(rules.analysis, e)
            }
            (Check::Audit { .. }, Actual::Audit { spans, .. }) => spans.first().copied(),
            _ => None,
        };
        out.results.push(TestResult {
            index,
            line: e.line,
            verdict: if pass { Verdict::Pass } else { Verdict::Fail },
            expected: expected_text(e),
            actual,
            deciding,
            note,
        });
    }
    out
}

/// Analyses `rules` on each version and runs `file` on it.
pub fn run_on(file: &TestFile, rules: &str, opts: &Options, profiles: &[&'static Profile]) -> Vec<Run> {
    profiles
        .iter()
        .map(|&p| {
            let a = analyze(rules, &Options { profile: p, ..*opts });
            run(file, &Rules::new(rules, &a))
        })
        .collect()
}

fn user_span(a: &Analysis, e: &Expectation) -> Option<Span> {
    let name = e.user()?;
    a.users.iter().find(|r| r.user.name == name).and_then(|r| r.span)
}

/// What an expectation says, in words.
pub fn expected_text(e: &Expectation) -> String {
    let q = |b: &[u8]| crate::analysis::repr(b);
    match &e.check {
        Check::Dryrun { expect, .. } => match expect {
            ReplyExpect::Allow => "allow (`OK`)".into(),
            ReplyExpect::Deny(None) => "deny (any reply but `OK`)".into(),
            ReplyExpect::Deny(Some(Denied::Command)) => "deny the command".into(),
            ReplyExpect::Deny(Some(Denied::Key(None))) => "deny a key".into(),
            ReplyExpect::Deny(Some(Denied::Key(Some(k)))) => format!("deny the key {}", q(k)),
            ReplyExpect::Deny(Some(Denied::Channel(None))) => "deny a channel".into(),
            ReplyExpect::Deny(Some(Denied::Channel(Some(c)))) => format!("deny the channel {}", q(c)),
            ReplyExpect::Error => "an error reply".into(),
            ReplyExpect::Text(t) => q(t),
        },
        Check::Accepted { accepted: true, .. } => "accepted".into(),
        Check::Accepted { accepted: false, .. } => "rejected".into(),
        Check::List { line, .. } => q(line),
        Check::Audit { raised: true, .. } => "raised".into(),
        Check::Audit { raised: false, .. } => "not raised".into(),
        Check::Load { accepted: true } => "accepted".into(),
        Check::Load { accepted: false } => "rejected".into(),
        Check::Auth { ok: true, .. } => "ok (`OK`)".into(),
        Check::Auth { ok: false, .. } => format!("refused (`{WRONGPASS}`)"),
    }
}

impl Actual {
    /// What the server answered, in words.
    pub fn text(&self) -> String {
        match self {
            Actual::Reply { kind: ReplyKind::Ok, .. } => "allow (`OK`)".into(),
            Actual::Reply { kind: ReplyKind::Denied, text, .. } => {
                format!("deny: {}", crate::analysis::repr(text.as_bytes()))
            }
            Actual::Reply { kind: ReplyKind::Error, text, .. } => {
                format!("error: {}", crate::analysis::repr(text.as_bytes()))
            }
            Actual::Down { why: Down::Crashed } => "no reply: the server crashed on the rules".into(),
            Actual::Down { why: Down::NotStarted } => "no reply: the server did not start with the rules".into(),
            Actual::User { accepted: true, .. } => "accepted".into(),
            Actual::User { accepted: false, detail } => format!("rejected: {detail}"),
            Actual::NotDefined => "the rules do not define this user".into(),
            Actual::Listed { line: Some(l) } => crate::analysis::repr(l.as_bytes()),
            Actual::Listed { line: None } => "no line: listing this user crashes the server".into(),
            Actual::NotListed => "the user is not on the server".into(),
            Actual::Audit { raised: true, .. } => "raised".into(),
            Actual::Audit { raised: false, .. } => "not raised".into(),
            Actual::Load { accepted: true, text } => format!("accepted ({text})"),
            Actual::Load { accepted: false, text } => format!("rejected: {text}"),
            Actual::Auth { ok: true } => "ok (`OK`)".into(),
            Actual::Auth { ok: false } => format!("refused (`{WRONGPASS}`)"),
        }
    }
}

/// The note on answers given by a server that does not hold the rules' users.
fn served_note(a: &Analysis) -> Option<String> {
    match (a.served(), &a.outcome) {
        (Served::Fresh, Outcome::AclLoad { reply, .. }) => Some(format!(
            "the server refuses the rules (ACL LOAD: {reply}), so it has none of their users: this is what a server without them answers"
        )),
        (Served::Down(Down::Crashed), _) => Some("the server crashes on the rules".into()),
        (Served::Down(Down::NotStarted), _) => Some("the server does not start with the rules".into()),
        _ => None,
    }
}

/// Whether `e` passes on `rules`, what the server answers, and a note.
pub fn evaluate(e: &Expectation, rules: &Rules) -> (bool, Actual, Option<String>) {
    let a = rules.analysis;
    match &e.check {
        Check::Dryrun { user, argv, expect, .. } => {
            let argv: Vec<&[u8]> = argv.iter().map(Vec::as_slice).collect();
            let note = served_note(a);
            let r = match a.served_dryrun(&user.bytes, &argv) {
                Err(why) => return (false, Actual::Down { why }, note),
                Ok(r) => r,
            };
            let denied = r
                .denial
                .map(|(d, pos)| (d, String::from_utf8_lossy(argv.get(pos).copied().unwrap_or_default()).into_owned()));
            let arg_is = |want: &Option<Vec<u8>>, d: Denial| match (r.denial, want) {
                (Some((got, _)), None) => got == d,
                (Some((got, pos)), Some(w)) => got == d && argv.get(pos).copied() == Some(w.as_slice()),
                (None, _) => false,
            };
            let pass = match expect {
                ReplyExpect::Allow => r.kind == ReplyKind::Ok,
                ReplyExpect::Deny(None) => r.kind != ReplyKind::Ok,
                ReplyExpect::Deny(Some(Denied::Command)) => {
                    r.kind == ReplyKind::Denied && arg_is(&None, Denial::Command)
                }
                ReplyExpect::Deny(Some(Denied::Key(k))) => r.kind == ReplyKind::Denied && arg_is(k, Denial::Key),
                ReplyExpect::Deny(Some(Denied::Channel(c))) => {
                    r.kind == ReplyKind::Denied && arg_is(c, Denial::Channel)
                }
                ReplyExpect::Error => r.kind == ReplyKind::Error,
                ReplyExpect::Text(t) => r.text.as_bytes() == t.as_slice(),
            };
            (pass, Actual::Reply { kind: r.kind, text: r.text.to_string(), denied }, note)
        }
        Check::Accepted { user, accepted } => {
            let actual = acceptance(a, rules.text, &user.bytes);
            let pass = matches!(&actual, Actual::User { accepted: got, .. } if got == accepted);
            (pass, actual, None)
        }
        Check::List { user, line } => {
            let actual = listed(a, &user.bytes);
            let pass = matches!(&actual, Actual::Listed { line: Some(l) } if l.as_bytes() == line.as_slice());
            (pass, actual, served_note(a))
        }
        Check::Audit { code, user, raised } => {
            let spans: Vec<Span> = rules
                .audit()
                .iter()
                .filter(|f| {
                    f.code == *code
                        && user.as_ref().is_none_or(|u| f.user.as_deref().map(str::as_bytes) == Some(&u.bytes))
                })
                .flat_map(|f| f.spans.first().copied())
                .collect();
            let got = rules.audit().iter().any(|f| {
                f.code == *code && user.as_ref().is_none_or(|u| f.user.as_deref().map(str::as_bytes) == Some(&u.bytes))
            });
            (got == *raised, Actual::Audit { raised: got, spans }, None)
        }
        Check::Load { accepted } => {
            let (got, text) = load(a);
            (got == *accepted, Actual::Load { accepted: got, text }, None)
        }
        Check::Auth { user, password, ok } => match served_user(a, &user.bytes) {
            Err(why) => (false, Actual::Down { why }, served_note(a)),
            Ok(u) => {
                let got = u.as_deref().is_some_and(|u| u.authenticates(password));
                (got == *ok, Actual::Auth { ok: got }, served_note(a))
            }
        },
    }
}

/// Whether the server takes the rules as a whole, and its words.
fn load(a: &Analysis) -> (bool, String) {
    match &a.outcome {
        Outcome::AclLoad { crash: true, reply, .. } => {
            (false, format!("the server crashes (it would otherwise reply: {reply})"))
        }
        Outcome::AclLoad { reply, .. } => (reply == "OK", format!("ACL LOAD: {reply}")),
        Outcome::Startup(Startup::Running) => (true, "the server starts".into()),
        Outcome::Startup(Startup::Fatal { output: log, .. } | Startup::Exit { log }) => (false, log.join(" / ")),
        Outcome::Startup(Startup::Crash { would_say, .. }) => (false, format!("the server crashes ({would_say})")),
        Outcome::Commands { replies } => match replies.iter().find(|r| r.reply.is_error()) {
            Some(r) => (false, format!("line {}: {}", r.line, r.reply.cli_lines().join(" "))),
            None => (true, format!("{} command(s), no error", replies.len())),
        },
    }
}

/// Whether the server accepts a user's own rules: its line of an ACL file or
/// configuration (whatever the other lines do), or every `ACL SETUSER` of it.
pub fn acceptance(a: &Analysis, text: &str, name: &[u8]) -> Actual {
    if a.document.kind == Kind::Commands {
        let Outcome::Commands { replies } = &a.outcome else { return Actual::NotDefined };
        let mut seen = false;
        for r in replies {
            let Some(line) = a.document.lines.get(r.line - 1) else { continue };
            let Shape::Command { args } = line.shape else { continue };
            let Ok(argv) = crate::input::split::split_args(&text.as_bytes()[args.start..args.end], args.start) else {
                continue;
            };
            let is = |i: usize, w: &str| argv.get(i).is_some_and(|x| x.bytes.eq_ignore_ascii_case(w.as_bytes()));
            if is(0, "acl") && is(1, "setuser") && argv.get(2).is_some_and(|x| x.bytes == name) {
                seen = true;
                if r.reply.is_error() {
                    return Actual::User { accepted: false, detail: r.reply.cli_lines().join(" ") };
                }
            }
        }
        return if seen { Actual::User { accepted: true, detail: String::new() } } else { Actual::NotDefined };
    }
    let mut found = None;
    for r in a.users.iter().filter(|r| r.user.name == name && r.span.is_some()) {
        match &r.status {
            Status::Accepted | Status::ListCrash => {
                found = found.or(Some(Actual::User { accepted: true, detail: String::new() }))
            }
            Status::Rejected(e) => return Actual::User { accepted: false, detail: e.clone() },
            Status::Crash(e) => return Actual::User { accepted: false, detail: format!("the server crashes ({e})") },
            Status::Builtin => {}
        }
    }
    found.unwrap_or(Actual::NotDefined)
}

/// The user's `ACL LIST` line on the server once it has the rules.
pub fn listed(a: &Analysis, name: &[u8]) -> Actual {
    match served_user(a, name) {
        Err(why) => Actual::Down { why },
        Ok(None) => Actual::NotListed,
        Ok(Some(u)) => Actual::Listed { line: a.acl_list(&u) },
    }
}

/// The server's reply to a refused `AUTH`, the same on every version (checked live by
/// tests/workshop_live.rs).
pub const WRONGPASS: &str = "WRONGPASS invalid username-password pair or user is disabled.";

/// The user of that name the server has (after a refused load: a fresh server's
/// `default`), or why no server answers.
fn served_user<'a>(a: &'a Analysis, name: &[u8]) -> Result<Option<std::borrow::Cow<'a, User>>, Down> {
    use std::borrow::Cow;
    match a.served() {
        Served::Input => Ok(a.user(name).map(Cow::Borrowed)),
        Served::Fresh => {
            let ctx = crate::engine::acl::Ctx { profile: a.profile, pubsub_all: a.options_pubsub_all };
            let fresh = User::new_default(&ctx);
            Ok((fresh.name == name).then_some(Cow::Owned(fresh)))
        }
        Served::Down(why) => Err(why),
    }
}
