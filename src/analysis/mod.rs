//! The one entry point, [`analyze`]: text in, everything the server would say about it
//! out. It parses the input ([`crate::input`]), runs it on a simulated server
//! ([`crate::engine`]) as an ACL file, a configuration or a redis-cli session
//! ([`session`]), and keeps the users, the outcome and the diagnostics; verdicts
//! ([`crate::verdicts`]) are asked of the result.

mod report;
pub mod session;
pub mod tracked;
pub mod value;

use crate::diagnostics::{Diagnostic, Problem, did_you_mean};
use crate::engine::acl::User;
use crate::engine::rules::Reason;
use crate::engine::server::{AclLoad, FileLine, LoadProblemKind, Server, load_acl_lines};
use crate::engine::startup::{FatalKind, Startup};
use crate::input::document::{Kind, Shape};
use crate::input::{parse, split::split_args};
use crate::span::Span;
use crate::verdicts::describe::{ListCrash, ListCrashCause, list_crash};
pub use report::{Analysis, CommandReply, Down, Options, Outcome, Served, Status, UserReport};
pub use value::{Value, repr};

/// Analyses `text`.
pub fn analyze(text: &str, opts: &Options) -> Analysis {
    let document = parse::parse(text, opts.kind);
    let mut a = Analysis {
        profile: opts.profile,
        options_pubsub_all: opts.pubsub_all,
        users: Vec::new(),
        outcome: Outcome::Commands { replies: Vec::new() },
        diagnostics: Vec::new(),
        document,
        compiled: std::sync::OnceLock::new(),
    };
    match a.document.kind {
        Kind::AclFile => {
            let lines = crate::engine::server::file_lines(text.as_bytes(), 0);
            acl_file(&mut a, lines, opts);
        }
        Kind::Listing => {
            let decoded: Vec<(usize, Vec<u8>, Span, bool)> = a
                .document
                .lines
                .iter()
                .filter_map(|l| match l.shape {
                    Shape::Listing { quoted } => {
                        let raw = &text.as_bytes()[quoted.start..quoted.end];
                        let bytes = split_args(raw, quoted.start).ok()?.pop()?.bytes;
                        let verbatim = bytes == raw[1..raw.len() - 1];
                        Some((l.number, bytes, quoted, verbatim))
                    }
                    _ => None,
                })
                .collect();
            let lines = decoded.iter().map(|(n, b, q, verbatim)| FileLine {
                number: *n,
                bytes: b,
                base: q.start + 1,
                whole: (!verbatim).then_some(*q),
            });
            acl_file(&mut a, lines, opts);
        }
        Kind::Config => config(&mut a, text, opts),
        Kind::Commands => session::run(&mut a, text, opts),
    }
    let profile = a.profile;
    finish(&mut a, text, |u| list_crash(u, profile), |p| did_you_mean(p, profile));
    a
}

/// The last step of every analysis: users that crash the server when listed
/// (`list_crash` of each user, which `crash` answers), the rule each refused token was
/// probably meant to be (`did_you_mean`, which `suggest` answers), and the diagnostics in
/// order.
fn finish(
    a: &mut Analysis,
    text: &str,
    mut crash: impl FnMut(&User) -> Option<ListCrash>,
    mut suggest: impl FnMut(&Problem) -> Option<String>,
) {
    for d in &mut a.diagnostics {
        d.suggestion = suggest(&d.problem);
    }
    for i in 0..a.users.len() {
        let Some(found) = crash(&a.users[i].user) else { continue };
        if a.users[i].status == Status::Accepted {
            a.users[i].status = Status::ListCrash;
        }
        let token = found.span.map(|s| text.as_bytes()[s.start..s.end].to_vec()).unwrap_or_default();
        let problem = match found.cause {
            ListCrashCause::FirstArg => Problem::ListCrash { token },
            ListCrashCause::NoPermissions => Problem::NoPermissionPattern { token },
        };
        a.diagnostics.push(Diagnostic::new(problem, found.span.or(a.users[i].span), None));
    }
    // Usually in order already (the sort is stable: then it changes nothing).
    let key = |d: &Diagnostic| d.span.map(|s| s.start);
    if !a.diagnostics.windows(2).all(|w| key(&w[0]) <= key(&w[1])) {
        crate::sort::sort_by_key(&mut a.diagnostics, key);
    }
}

fn builtin_default(a: &mut Analysis, server: &Server) {
    if !a.users.iter().any(|r| r.user.name == b"default")
        && let Some(d) = server.user(b"default")
    {
        a.users.push(UserReport { user: d.clone(), span: None, status: Status::Builtin });
    }
}

fn load_diagnostics(load: &AclLoad, file: &str, a: &mut Analysis) {
    for p in &load.problems {
        let problem = match &p.kind {
            LoadProblemKind::NotUserLine => Problem::NotUserLine { comment: false },
            LoadProblemKind::BadUsername(n) => Problem::BadUsername { name: n.clone() },
            LoadProblemKind::Duplicate(n, first) => Problem::Duplicate { name: n.clone(), first_line: *first },
            LoadProblemKind::Unmatched { token, crash } => Problem::Unmatched { token: token.clone(), crash: *crash },
            LoadProblemKind::Unknown(t) => Problem::Rule { token: t.clone(), reason: Reason::UnknownCommand },
            LoadProblemKind::Rule { token, reason } => Problem::Rule { token: token.clone(), reason: *reason },
        };
        a.diagnostics.push(Diagnostic::new(problem, p.span, Some(p.piece(file).trim_end().to_string())));
    }
}

fn acl_file<'t>(a: &mut Analysis, lines: impl Iterator<Item = FileLine<'t>>, opts: &Options) {
    let server = fresh_server(opts);
    let load = load_acl_lines(lines, &server.ctx);
    acl_load(a, load, &server, opts.acl_filename);
}

/// The server an ACL file is loaded into.
fn fresh_server(opts: &Options) -> Server<'static> {
    let mut server = Server::new(opts.profile);
    server.ctx.pubsub_all = opts.pubsub_all;
    server
}

/// What `ACL LOAD` of a loaded file says: its diagnostics, users and outcome.
fn acl_load(a: &mut Analysis, mut load: AclLoad, server: &Server, file: &str) {
    load_diagnostics(&load, file, a);
    // Name comment lines for what they are (the lines are in order and do not overlap).
    let lines = &a.document.lines;
    for d in &mut a.diagnostics {
        if let (Problem::NotUserLine { comment }, Some(s)) = (&mut d.problem, d.span) {
            let at = lines.partition_point(|l| l.span.end < s.start);
            *comment = lines.get(at).is_some_and(|l| l.span.start <= s.start && l.shape == Shape::Comment);
        }
    }
    let crash = load.crash().is_some();
    let reply = load.reply(file);
    let startup = Startup::of_acl_file(&load, file, server.ctx.profile.product.name());
    // A user's problems are the ones inside its line; both lists are in file order.
    let mut next = 0;
    for (u, span) in std::mem::take(&mut load.users).into_iter().zip(&load.lines) {
        let problems = &load.problems;
        while next < problems.len() && problems[next].span.is_none_or(|s| s.start < span.start) {
            next += 1;
        }
        let mut text = String::new();
        let mut end = next;
        while end < problems.len() && problems[end].span.is_none_or(|s| s.start <= span.end) {
            if problems[end].span.is_some_and(|s| s.end <= span.end) {
                text.push_str(&problems[end].piece(file));
            }
            end += 1;
        }
        let status = if text.is_empty() { Status::Accepted } else { Status::Rejected(text.trim_end().to_string()) };
        a.users.push(UserReport { user: u, span: Some(*span), status });
    }
    // A successful load installs the file's users plus a fresh `default` when the file
    // has none (`Server::install`); a failed one keeps the fresh server's. Either way
    // the built-in `default` is `server`'s.
    builtin_default(a, server);
    a.outcome = Outcome::AclLoad { reply, crash, startup };
}

fn config(a: &mut Analysis, text: &str, opts: &Options) {
    let res = crate::engine::startup::start(opts.profile, text, opts.acl_file);
    if let Some((_, span, kind)) = &res.fatal_at {
        let server_words = match &res.outcome {
            Startup::Fatal { output, .. } => output.last().cloned(),
            Startup::Exit { log } => log.first().cloned(),
            Startup::Crash { would_say, .. } => Some(would_say.clone()),
            Startup::Running => None,
        };
        let problem = match kind {
            FatalKind::UnbalancedQuotes => Some(Problem::UnbalancedQuotes),
            FatalKind::BadDirective => Some(Problem::BadDirective),
            FatalKind::Rule { token, reason } => Some(Problem::Rule { token: token.clone(), reason: *reason }),
            FatalKind::Unmatched { token } => Some(Problem::Unmatched { token: token.clone(), crash: false }),
            FatalKind::Duplicate { name } => Some(Problem::Rule { token: name.clone(), reason: Reason::DuplicateUser }),
            FatalKind::UsersAndAclfile => Some(Problem::UsersAndAclfile),
            FatalKind::StartupRule { token, reason } => {
                Some(Problem::StartupRule { token: token.clone(), reason: *reason })
            }
            FatalKind::StartupUsername { name } => Some(Problem::StartupUsername { name: name.clone() }),
            FatalKind::AclFile => None,
        };
        if let Some(p) = problem {
            a.diagnostics.push(Diagnostic::new(p, Some(*span), server_words));
        }
    }
    if let Some(load) = &res.acl_load {
        // Problems inside the ACL file have no span in this text.
        let file = res.aclfile.as_ref().map(|(p, _)| String::from_utf8_lossy(p).into_owned()).unwrap_or_default();
        let before = a.diagnostics.len();
        load_diagnostics(load, &file, a);
        for d in &mut a.diagnostics[before..] {
            d.span = res.aclfile.as_ref().map(|(_, s)| *s);
        }
    }
    let stopped = !matches!(res.outcome, Startup::Running);
    for cu in &res.conf_users {
        let user = res.server.user(&cu.name).cloned().unwrap_or_else(|| {
            let mut u = User::new(&cu.name, &res.server.ctx);
            for t in &cu.rules {
                let _ = crate::engine::rules::apply_user_rule(&mut u, &t.bytes, &t.map, &res.server.ctx);
            }
            u
        });
        let status = match (&res.fatal_at, &res.outcome) {
            (Some((line, ..)), Startup::Exit { log } | Startup::Fatal { output: log, .. }) if *line == cu.line => {
                Status::Rejected(log.join("\n"))
            }
            _ => Status::Accepted,
        };
        a.users.push(UserReport { user, span: Some(cu.line_span), status });
    }
    if let Some(load) = &res.acl_load {
        for u in &load.users {
            if !a.users.iter().any(|r| r.user.name == u.name) {
                a.users.push(UserReport { user: u.clone(), span: None, status: Status::Accepted });
            }
        }
    }
    if !stopped || !a.users.iter().any(|r| r.user.name == b"default") {
        builtin_default(a, &res.server);
    }
    a.outcome = Outcome::Startup(res.outcome);
}
