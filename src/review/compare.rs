//! Comparing server versions on the same input (`aclplay compare`, the playground's
//! *Compare versions* view): for the input as a whole, every user and every command line,
//! where the versions answer differently — and nothing where they agree, so that an
//! upgrade review reads in seconds.

use crate::analysis::{Analysis, Down, Options, Outcome, Served, Status, analyze};
use crate::commands::Profile;
use crate::engine::startup::Startup;
use crate::input::command_lines::CommandLine;
use crate::span::Span;
use crate::verdicts::ReplyKind;
use serde::Serialize;

/// What a version decides about a subject. Two versions whose decisions differ disagree
/// on something that matters (`aclplay compare` exits 1); equal decisions with different
/// texts are a difference of words only.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Decision {
    /// The input loads, the server starts, a user is accepted.
    Accepted,
    /// The server refuses it, with an error.
    Rejected,
    /// The server crashes.
    Crash,
    /// DRYRUN: allowed (`OK`).
    Allowed,
    /// DRYRUN: denied.
    Denied,
    /// DRYRUN: an error before any permission is checked (unknown user or command,
    /// wrong arity).
    Error,
    /// DRYRUN: the server is down (it crashed on the input or did not start).
    Down,
}

/// What a comparison is about.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "what", rename_all = "kebab-case")]
pub enum Subject {
    /// The input as a whole: `ACL LOAD`, start-up, or the redis-cli replies.
    Input,
    /// Whether the server accepts a user's definition.
    User { user: String },
    /// A user's `ACL LIST` line.
    AclList { user: String },
    /// `ACL DRYRUN <user> <command>`.
    Dryrun { user: String, line: usize, command: String },
}

/// One version's answer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Answer {
    /// The server's exact words (a reply, an error, a log line, an `ACL LIST` line).
    pub text: String,
    pub decision: Decision,
    /// The rule that decided (DRYRUN), in the input.
    pub deciding: Option<Span>,
}

/// The versions that give one answer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Group {
    pub servers: Vec<&'static str>,
    pub answer: Answer,
}

/// A subject the versions answer differently.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Difference {
    pub subject: Subject,
    /// The versions disagree on a decision, not only on words.
    pub decision: bool,
    /// One group per distinct answer, in the order of the versions compared.
    pub groups: Vec<Group>,
}

/// Every difference between the versions, in input order.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Comparison {
    /// The versions compared, by id.
    pub servers: Vec<&'static str>,
    /// How many subjects were compared (differences or not).
    pub compared: usize,
    pub differences: Vec<Difference>,
}

impl Comparison {
    /// Whether some versions decide differently (accept/reject, allow/deny, crash).
    pub fn decisions_differ(&self) -> bool {
        self.differences.iter().any(|d| d.decision)
    }
}

/// What the user wants compared beyond the input itself: command lines for DRYRUN (read
/// from `text` by `input::command_lines::read`), run as `user` (or as every user the
/// input defines).
#[derive(Debug, Clone, Copy, Default)]
pub struct Commands<'a> {
    pub user: Option<&'a str>,
    pub text: &'a str,
    pub lines: &'a [CommandLine],
}

/// Compares `text` on `profiles` (at least one), with the options of `opts` for each.
pub fn compare(text: &str, opts: &Options, profiles: &[&'static Profile], commands: Commands) -> Comparison {
    let analyses: Vec<Analysis> = profiles.iter().map(|&p| analyze(text, &Options { profile: p, ..*opts })).collect();
    let mut out = Comparison { servers: profiles.iter().map(|p| p.id).collect(), compared: 0, differences: Vec::new() };
    let mut add = |subject: Subject, answers: Vec<Answer>| {
        out.compared += 1;
        if answers.iter().all(|a| a.text == answers[0].text && a.decision == answers[0].decision) {
            return;
        }
        let decision = answers.iter().any(|a| a.decision != answers[0].decision);
        let mut groups: Vec<Group> = Vec::new();
        for (a, p) in answers.into_iter().zip(profiles) {
            match groups.iter_mut().find(|g| g.answer == a) {
                Some(g) => g.servers.push(p.id),
                None => groups.push(Group { servers: vec![p.id], answer: a }),
            }
        }
        out.differences.push(Difference { subject, decision, groups });
    };
    add(Subject::Input, analyses.iter().map(input_answer).collect());
    // Every user any version knows, in the order the input (then the servers) name them.
    let mut names: Vec<Vec<u8>> = Vec::new();
    for a in &analyses {
        for r in &a.users {
            if !names.contains(&r.user.name) {
                names.push(r.user.name.clone());
            }
        }
    }
    for name in &names {
        let user = String::from_utf8_lossy(name).into_owned();
        add(Subject::User { user: user.clone() }, analyses.iter().map(|a| user_answer(a, name)).collect());
        add(Subject::AclList { user: user.clone() }, analyses.iter().map(|a| list_answer(a, name)).collect());
    }
    let who: Vec<Vec<u8>> = match commands.user {
        Some(u) => vec![u.as_bytes().to_vec()],
        // Every user the input defines (not the built-in `default`).
        None => names
            .iter()
            .filter(|n| analyses.iter().any(|a| a.users.iter().any(|r| r.user.name == **n && r.span.is_some())))
            .cloned()
            .collect(),
    };
    for name in &who {
        let user = String::from_utf8_lossy(name).into_owned();
        for l in commands.lines {
            let argv = l.argv();
            let command = commands.text.get(l.span.start..l.span.end).map_or_else(|| lossy_argv(&argv), str::to_string);
            let subject = Subject::Dryrun { user: user.clone(), line: l.number, command };
            add(subject, analyses.iter().map(|a| dryrun_answer(a, name, l)).collect());
        }
    }
    out
}

fn lossy_argv(argv: &[&[u8]]) -> String {
    argv.iter().map(|a| String::from_utf8_lossy(a)).collect::<Vec<_>>().join(" ")
}

fn answer(text: impl Into<String>, decision: Decision) -> Answer {
    Answer { text: text.into(), decision, deciding: None }
}

/// The input as a whole: the `ACL LOAD` reply, the start-up, or every reply of a
/// redis-cli session (one line each).
fn input_answer(a: &Analysis) -> Answer {
    match &a.outcome {
        Outcome::AclLoad { crash: true, reply, .. } => {
            answer(format!("ACL LOAD: the server crashes (it would otherwise reply: {reply})"), Decision::Crash)
        }
        Outcome::AclLoad { reply, .. } => {
            answer(format!("ACL LOAD: {reply}"), if reply == "OK" { Decision::Accepted } else { Decision::Rejected })
        }
        Outcome::Startup(s) => match s {
            Startup::Running => answer("start-up: the server starts", Decision::Accepted),
            Startup::Fatal { output, .. } => answer(format!("start-up: {}", output.join(" / ")), Decision::Rejected),
            Startup::Exit { log } => answer(format!("start-up: {}", log.join(" / ")), Decision::Rejected),
            Startup::Crash { would_say, .. } => {
                answer(format!("start-up: the server crashes (it would otherwise say: {would_say})"), Decision::Crash)
            }
        },
        Outcome::Commands { replies } => {
            let text: Vec<String> =
                replies.iter().map(|r| format!("line {}: {}", r.line, r.reply.cli_lines().join(" / "))).collect();
            let refused = replies.iter().any(|r| r.reply.is_error());
            answer(text.join("\n"), if refused { Decision::Rejected } else { Decision::Accepted })
        }
    }
}

fn user_answer(a: &Analysis, name: &[u8]) -> Answer {
    match a.users.iter().find(|r| r.user.name == name).map(|r| &r.status) {
        None => answer("not defined", Decision::Rejected),
        Some(Status::Accepted | Status::Builtin) => answer("accepted", Decision::Accepted),
        Some(Status::Rejected(e)) => answer(e.clone(), Decision::Rejected),
        Some(Status::Crash(e)) => answer(format!("the server crashes ({e})"), Decision::Crash),
        Some(Status::ListCrash) => answer("accepted; ACL LIST of it crashes the server", Decision::Crash),
    }
}

/// The user's `ACL LIST` line on the server once it has the input ([`Analysis::served`]):
/// after a refused `ACL LOAD` the server lists what it had (a fresh server's `default`).
fn list_answer(a: &Analysis, name: &[u8]) -> Answer {
    let fresh;
    let user = match a.served() {
        Served::Input => a.users.iter().find(|r| r.user.name == name).map(|r| &r.user),
        Served::Fresh => {
            let ctx = crate::engine::acl::Ctx { profile: a.profile, pubsub_all: a.options_pubsub_all };
            fresh = crate::engine::acl::User::new_default(&ctx);
            (fresh.name == name).then_some(&fresh)
        }
        Served::Down(_) => return answer("the server is down", Decision::Down),
    };
    match user {
        None => answer("not on the server", Decision::Rejected),
        Some(u) => match a.acl_list(u) {
            Some(line) => answer(line, Decision::Accepted),
            None => answer("ACL LIST crashes the server", Decision::Crash),
        },
    }
}

fn dryrun_answer(a: &Analysis, name: &[u8], l: &CommandLine) -> Answer {
    if l.args.is_err() {
        return answer("Invalid argument(s)", Decision::Error);
    }
    let argv = l.argv();
    match a.served_dryrun(name, &argv) {
        Err(Down::Crashed) => answer("the server crashed on the input", Decision::Down),
        Err(Down::NotStarted) => answer("the server did not start", Decision::Down),
        Ok(r) => {
            let decision = match r.kind {
                ReplyKind::Ok => Decision::Allowed,
                ReplyKind::Denied => Decision::Denied,
                ReplyKind::Error => Decision::Error,
            };
            let deciding = (decision != Decision::Error && a.served() == Served::Input)
                .then(|| a.explain(name, &argv).deciding_span())
                .flatten();
            Answer { text: r.text.into(), decision, deciding }
        }
    }
}
