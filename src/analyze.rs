//! The one entry point: text in, everything the server would say about it out.

use crate::acl::{Reason, User};
use crate::describe::acl_list_line;
use crate::diag::{Diagnostic, Problem};
use crate::dryrun;
use crate::model::{Document, Kind, Shape};
use crate::parse;
use crate::profile::Profile;
use crate::server::{AclLoad, FileLine, LoadProblemKind, Server, SetuserError, Token, c_str, load_acl_lines};
use crate::span::Span;
use crate::split::split_args;
use crate::startup::{FatalKind, Startup};

/// What to analyse the text as.
#[derive(Debug, Clone, Copy)]
pub struct Options<'a> {
    pub profile: &'static Profile,
    /// `None`: detect.
    pub kind: Option<Kind>,
    /// The `aclfile` name that `ACL LOAD` errors mention.
    pub acl_filename: &'a str,
    /// For a redis.conf that sets `aclfile`: that file's text.
    pub acl_file: Option<&'a str>,
    /// `acl-pubsub-default allchannels` (for ACL files and commands).
    pub pubsub_all: bool,
}

impl Options<'_> {
    pub fn new(profile: &'static Profile) -> Options<'static> {
        Options { profile, kind: None, acl_filename: "users.acl", acl_file: None, pubsub_all: false }
    }
}

/// A value as the server replies, for showing it the way redis-cli does.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
#[serde(tag = "type", content = "value", rename_all = "lowercase")]
pub enum Value {
    Status(String),
    Error(String),
    Bulk(String),
    Int(i64),
    Nil,
    Array(Vec<Value>),
}

impl Value {
    /// The lines redis-cli prints for this value.
    pub fn cli_lines(&self) -> Vec<String> {
        match self {
            Value::Status(s) => vec![s.clone()],
            Value::Error(e) => vec![format!("(error) {e}")],
            Value::Bulk(b) => vec![repr(b.as_bytes())],
            Value::Int(i) => vec![format!("(integer) {i}")],
            Value::Nil => vec!["(nil)".into()],
            Value::Array(items) if items.is_empty() => vec!["(empty array)".into()],
            Value::Array(items) => {
                let w = items.len().to_string().len();
                let mut out = Vec::new();
                for (i, v) in items.iter().enumerate() {
                    for (j, l) in v.cli_lines().into_iter().enumerate() {
                        if j == 0 {
                            out.push(format!("{:>w$}) {l}", i + 1));
                        } else {
                            out.push(format!("{:w$}  {l}", ""));
                        }
                    }
                }
                out
            }
        }
    }
    pub fn is_error(&self) -> bool {
        matches!(self, Value::Error(_))
    }
}

/// A string as redis-cli prints it (`sdscatrepr`): quoted, `\\` and `"` escaped, the
/// common control characters as `\n` `\r` `\t` `\a` `\b`, every other byte that is not
/// printable ASCII as `\xNN`.
pub fn repr(b: &[u8]) -> String {
    let mut s = String::from("\"");
    for &c in b {
        match c {
            b'\\' => s.push_str("\\\\"),
            b'"' => s.push_str("\\\""),
            b'\n' => s.push_str("\\n"),
            b'\r' => s.push_str("\\r"),
            b'\t' => s.push_str("\\t"),
            0x07 => s.push_str("\\a"),
            0x08 => s.push_str("\\b"),
            0x20..=0x7e => s.push(c as char),
            _ => {
                const HEX: &[u8; 16] = b"0123456789abcdef";
                s.push_str("\\x");
                s.push(HEX[(c >> 4) as usize] as char);
                s.push(HEX[(c & 15) as usize] as char);
            }
        }
    }
    s.push('"');
    s
}

/// The reply to one line of redis-cli input.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct CommandReply {
    pub line: usize,
    pub span: Span,
    pub reply: Value,
}

/// What the server does with the input as a whole.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
#[serde(tag = "kind", rename_all = "kebab-case")]
pub enum Outcome {
    /// `ACL LOAD` of the file (also what start-up with it as `aclfile` does).
    AclLoad { reply: String, crash: bool, startup: Startup },
    /// Start-up with the config.
    Startup(Startup),
    /// One reply per command line.
    Commands { replies: Vec<CommandReply> },
}

/// Whether the server accepts a user's definition.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
#[serde(tag = "status", content = "detail", rename_all = "kebab-case")]
pub enum Status {
    Accepted,
    /// Refused, with the server's words.
    Rejected(String),
    /// The server crashes on it.
    Crash(String),
    /// Accepted, but listing it crashes the server.
    ListCrash,
    /// Not defined in the input: the server's built-in user.
    Builtin,
}

/// One user as the input defines it.
#[derive(Debug, Clone)]
pub struct UserReport {
    pub user: User,
    /// Where it is defined (the line, or the last `ACL SETUSER` of it).
    pub span: Option<Span>,
    pub status: Status,
}

impl UserReport {
    pub fn name(&self) -> String {
        String::from_utf8_lossy(&self.user.name).into_owned()
    }
}

/// Everything about one text.
#[derive(Debug, Clone)]
pub struct Analysis {
    pub profile: &'static Profile,
    pub document: Document,
    pub options_pubsub_all: bool,
    /// The users, in input order (the built-in `default` last when the input does not
    /// define it).
    pub users: Vec<UserReport>,
    pub outcome: Outcome,
    pub diagnostics: Vec<Diagnostic>,
    /// Where each name first appears in `users`, for [`Analysis::user`].
    user_index: UserIndex,
    /// `users` compiled for [`Analysis::dryrun`], on its first call.
    compiled: std::sync::OnceLock<dryrun::compiled::Compiled>,
}

/// Positions in [`Analysis::users`] by name (the first user of a name): open addressing
/// over the names in `users` themselves, so a lookup compares one name.
#[derive(Debug, Clone, Default)]
struct UserIndex {
    /// `(position + 1, high hash bits)`, `(0, _)` when empty; a power of two long, at
    /// most half full.
    slots: Vec<(u32, u32)>,
    /// `users.len()` when the index was built.
    len: usize,
}

fn name_hash(name: &[u8]) -> u64 {
    use std::hash::Hasher;
    let mut h = rustc_hash::FxHasher::default();
    h.write(name);
    h.write_usize(name.len());
    h.finish()
}

impl UserIndex {
    fn new(users: &[UserReport]) -> UserIndex {
        let size = (users.len() * 2).next_power_of_two().max(2);
        let mut ix = UserIndex { slots: vec![(0, 0); size], len: users.len() };
        for (i, r) in users.iter().enumerate() {
            let name = &r.user.name;
            if ix.find(users, name).is_none() {
                let h = name_hash(name);
                let mut at = h as usize & (size - 1);
                while ix.slots[at].0 != 0 {
                    at = (at + 1) & (size - 1);
                }
                ix.slots[at] = (i as u32 + 1, (h >> 32) as u32);
            }
        }
        ix
    }

    /// The position of the first user called `name`.
    fn find(&self, users: &[UserReport], name: &[u8]) -> Option<usize> {
        if self.slots.is_empty() {
            return None;
        }
        let h = name_hash(name);
        let mask = self.slots.len() - 1;
        let mut at = h as usize & mask;
        loop {
            let (pos, high) = self.slots[at];
            if pos == 0 {
                return None;
            }
            let i = pos as usize - 1;
            if high == (h >> 32) as u32 && users[i].user.name == name {
                return Some(i);
            }
            at = (at + 1) & mask;
        }
    }
}

impl Analysis {
    /// The first user of that name (the one the server has).
    pub fn user(&self, name: &[u8]) -> Option<&User> {
        // The index is used while `users` has the length `analyze` left it; a caller that
        // added or removed users gets the plain scan.
        if self.user_index.len == self.users.len() {
            return self.user_index.find(&self.users, name).map(|i| &self.users[i].user);
        }
        self.users.iter().map(|r| &r.user).find(|u| u.name == name)
    }

    /// `ACL DRYRUN <name> <argv…>` against the users as written.
    ///
    /// The first call compiles `users` into the compact form the checks read (see
    /// `dryrun::compiled`), and later calls answer from it (the same replies as
    /// [`dryrun::dryrun`] on the users). A caller that changes `users` in place
    /// afterwards, rather than analysing the new text, must not expect DRYRUN to follow
    /// (as with [`Analysis::user`]): the compiled form is set aside only when the number
    /// of users changes.
    pub fn dryrun(&self, name: &[u8], argv: &[&[u8]]) -> dryrun::Reply {
        let c = self.compiled.get_or_init(|| dryrun::compiled::Compiled::new(&self.users));
        if c.len == self.users.len() {
            return c.dryrun(self.profile, name, argv);
        }
        dryrun::dryrun(self.profile, name, self.user(name), argv)
    }

    pub fn explain(&self, name: &[u8], argv: &[&[u8]]) -> dryrun::Explanation {
        dryrun::explain(self.profile, name, self.user(name), argv)
    }

    /// The `ACL LIST` line of a user, unless listing it crashes the server.
    pub fn acl_list(&self, u: &User) -> Option<String> {
        crate::describe::list_crash(u, self.profile)
            .is_none()
            .then(|| String::from_utf8_lossy(&acl_list_line(u, self.profile)).into_owned())
    }

    pub fn has_errors(&self) -> bool {
        self.diagnostics.iter().any(|d| d.severity == crate::diag::Severity::Error)
    }
}

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
        user_index: UserIndex::default(),
        compiled: std::sync::OnceLock::new(),
    };
    match a.document.kind {
        Kind::AclFile => {
            let lines = crate::server::file_lines(text.as_bytes(), 0);
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
        Kind::Commands => commands(&mut a, text, opts),
    }
    let profile = a.profile;
    for i in 0..a.users.len() {
        let Some(blame) = crate::describe::list_crash(&a.users[i].user, profile) else { continue };
        if a.users[i].status == Status::Accepted {
            a.users[i].status = Status::ListCrash;
        }
        let token = blame.map(|s| text.as_bytes()[s.start..s.end].to_vec()).unwrap_or_default();
        a.diagnostics.push(Diagnostic::new(Problem::ListCrash { token }, blame.or(a.users[i].span), None));
    }
    crate::sort::sort_by_key(&mut a.diagnostics, |d| d.span.map(|s| s.start));
    a.user_index = UserIndex::new(&a.users);
    a
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
    let mut server = Server::new(opts.profile);
    server.ctx.pubsub_all = opts.pubsub_all;
    let mut load = load_acl_lines(lines, &server.ctx);
    let file = opts.acl_filename;
    load_diagnostics(&load, file, a);
    // Name comment lines for what they are, and point unmatched-paren errors at their token.
    for d in &mut a.diagnostics {
        if let (Problem::NotUserLine { comment }, Some(s)) = (&mut d.problem, d.span) {
            *comment = a
                .document
                .lines
                .iter()
                .any(|l| l.span.start <= s.start && s.start <= l.span.end && l.shape == Shape::Comment);
        }
    }
    let crash = load.crash().is_some();
    let reply = load.reply(file);
    let startup = Startup::of_acl_file(&load, file, opts.profile.behavior.product);
    for (u, span) in std::mem::take(&mut load.users).into_iter().zip(&load.lines) {
        let line_problems: Vec<&crate::server::LoadProblem> = load
            .problems
            .iter()
            .filter(|p| p.span.is_some_and(|s| span.start <= s.start && s.end <= span.end))
            .collect();
        let status = if line_problems.is_empty() {
            Status::Accepted
        } else {
            Status::Rejected(line_problems.iter().map(|p| p.piece(file)).collect::<String>().trim_end().to_string())
        };
        a.users.push(UserReport { user: u, span: Some(*span), status });
    }
    // A successful load installs the file's users plus a fresh `default` when the file
    // has none (`Server::install`); a failed one keeps the fresh server's. Either way
    // the built-in `default` is `server`'s.
    builtin_default(a, &server);
    a.outcome = Outcome::AclLoad { reply, crash, startup };
}

fn config(a: &mut Analysis, text: &str, opts: &Options) {
    let res = crate::startup::start(opts.profile, text, opts.acl_file);
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
                let _ = crate::acl::apply_user_rule(&mut u, &t.bytes, &t.map, &res.server.ctx);
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

/// Runs redis-cli lines one after another on a fresh server.
fn commands(a: &mut Analysis, text: &str, opts: &Options) {
    let mut server = Server::new(opts.profile);
    server.ctx.pubsub_all = opts.pubsub_all;
    let mut replies = Vec::new();
    let mut defined_at: Vec<(Vec<u8>, Span)> = Vec::new();
    let lines = a.document.lines.clone();
    for l in &lines {
        let args_span = match l.shape {
            Shape::Command { args } => args,
            Shape::Blank | Shape::Comment => continue,
            Shape::Listing { .. } | Shape::Other { .. } => {
                a.diagnostics.push(Diagnostic::new(Problem::UnknownLine, Some(l.span), None));
                continue;
            }
        };
        let raw = &text.as_bytes()[args_span.start..args_span.end];
        let argv = match split_args(raw, args_span.start) {
            Ok(v) => v,
            Err(_) => {
                a.diagnostics.push(Diagnostic::new(
                    Problem::UnbalancedQuotes,
                    Some(args_span),
                    Some("Invalid argument(s)".into()),
                ));
                continue;
            }
        };
        let toks: Vec<Token> = argv
            .iter()
            .map(|x| {
                let mut map = crate::acl::SourceMap::none();
                map.push(0, x.bytes.len(), x.span, x.verbatim);
                Token { bytes: x.bytes.clone(), map }
            })
            .collect();
        let reply = run_command(&mut server, &toks, a, l.span, &mut defined_at);
        replies.push(CommandReply { line: l.number, span: l.span, reply });
    }
    for (name, u) in &server.users {
        let span = defined_at.iter().rev().find(|(n, _)| n == name).map(|(_, s)| *s);
        let status = if span.is_some() { Status::Accepted } else { Status::Builtin };
        a.users.push(UserReport { user: u.clone(), span, status });
    }
    a.outcome = Outcome::Commands { replies };
}

fn arity_error(a: &mut Analysis, span: Span, name: &str) -> Value {
    let msg = format!("ERR wrong number of arguments for '{name}' command");
    a.diagnostics.push(Diagnostic::new(Problem::Arity, Some(span), Some(msg.clone())));
    Value::Error(msg)
}

fn run_command(
    server: &mut Server,
    argv: &[Token],
    a: &mut Analysis,
    line: Span,
    defined_at: &mut Vec<(Vec<u8>, Span)>,
) -> Value {
    let lower = |i: usize| argv.get(i).map(|t| t.bytes.to_ascii_lowercase()).unwrap_or_default();
    let text = |b: &[u8]| String::from_utf8_lossy(b).into_owned();
    let profile = server.ctx.profile;
    match (lower(0).as_slice(), lower(1).as_slice()) {
        (b"acl", b"setuser") => {
            let Some(name) = argv.get(2) else { return arity_error(a, line, "acl|setuser") };
            match server.setuser(&name.bytes, name.span(), &argv[3..]) {
                Ok(()) => {
                    defined_at.push((name.bytes.clone(), line));
                    Value::Status("OK".into())
                }
                Err(e) => {
                    let problem = match &e {
                        SetuserError::BadUsername { .. } => Problem::BadUsername { name: name.bytes.clone() },
                        SetuserError::Unmatched { token, .. } => Problem::Unmatched { token: token.clone(), crash: false },
                        SetuserError::Rule { token, reason, .. } => Problem::Rule { token: token.clone(), reason: *reason },
                    };
                    a.diagnostics.push(Diagnostic::new(problem, e.span().or(Some(line)), Some(e.reply())));
                    Value::Error(e.reply())
                }
            }
        }
        (b"acl", b"deluser") => {
            if argv.len() < 3 {
                return arity_error(a, line, "acl|deluser");
            }
            let mut n = 0;
            for t in &argv[2..] {
                match server.deluser(&t.bytes) {
                    Ok(k) => n += k as i64,
                    Err(e) => return Value::Error(e),
                }
            }
            Value::Int(n)
        }
        (b"acl", b"dryrun") => {
            if argv.len() < 4 {
                return arity_error(a, line, "acl|dryrun");
            }
            let cmd: Vec<&[u8]> = argv[3..].iter().map(|t| t.bytes.as_slice()).collect();
            let r = dryrun::dryrun(profile, &argv[2].bytes, server.user(&argv[2].bytes), &cmd);
            match r.kind {
                dryrun::ReplyKind::Ok => Value::Status(r.text.into()),
                dryrun::ReplyKind::Denied => Value::Bulk(r.text.into()),
                dryrun::ReplyKind::Error => Value::Error(r.text.into()),
            }
        }
        (b"acl", b"list") => Value::Array(
            server.users.values().map(|u| Value::Bulk(text(&acl_list_line(u, profile)))).collect(),
        ),
        (b"acl", b"users") => Value::Array(server.users.keys().map(|n| Value::Bulk(text(n))).collect()),
        (b"acl", b"whoami") => Value::Bulk("default".into()),
        (b"acl", b"getuser") => {
            let Some(name) = argv.get(2) else { return arity_error(a, line, "acl|getuser") };
            match server.user(&name.bytes) {
                None => Value::Nil,
                Some(u) => getuser_value(u, profile),
            }
        }
        (b"acl", b"cat") => match argv.get(2) {
            None => Value::Array(profile.table.categories.iter().map(|c| Value::Bulk(c.to_string())).collect()),
            Some(c) => match profile.table.category_index(&c.bytes) {
                None => Value::Error(format!("ERR Unknown category '{}'", text(c_str(&c.bytes)))),
                Some(i) => Value::Array(
                    profile
                        .table
                        .commands()
                        .iter()
                        .filter(|x| x.in_category(i))
                        .map(|x| Value::Bulk(x.name.to_string()))
                        .collect(),
                ),
            },
        },
        (b"acl", b"genpass") => {
            let bits = argv.get(2).map(|t| text(&t.bytes));
            match crate::password::genpass_reply(bits.as_deref()) {
                Ok(p) => Value::Bulk(p),
                Err(e) => Value::Error(e),
            }
        }
        (b"acl", b"load") | (b"acl", b"save") => Value::Error(format!("ERR {}", profile.behavior.no_aclfile_error)),
        (b"config", b"set") if argv.len() == 4 && lower(2) == b"acl-pubsub-default" => match lower(3).as_slice() {
            b"allchannels" => {
                server.ctx.pubsub_all = true;
                Value::Status("OK".into())
            }
            b"resetchannels" => {
                server.ctx.pubsub_all = false;
                Value::Status("OK".into())
            }
            _ => Value::Error(
                "ERR CONFIG SET failed (possibly related to argument 'acl-pubsub-default') - argument(s) must be one of the following: allchannels, resetchannels".into(),
            ),
        },
        (b"config", b"set") if argv.len() == 4 && lower(2) == b"requirepass" => {
            let ctx = server.ctx;
            let d = server.users.get_mut(b"default".as_slice()).expect("default exists");
            let none = crate::acl::SourceMap::none();
            let _ = crate::acl::apply_user_rule(d, b"resetpass", &none, &ctx);
            let pw = &argv[3].bytes;
            let op = if pw.is_empty() { b"nopass".to_vec() } else { [b">".as_slice(), pw].concat() };
            let _ = crate::acl::apply_user_rule(d, &op, &none, &ctx);
            Value::Status("OK".into())
        }
        _ => {
            let shown: Vec<u8> = argv.iter().take(2).map(|t| t.bytes.clone()).collect::<Vec<_>>().join(&b' ');
            a.diagnostics.push(Diagnostic::new(Problem::NotSimulated { command: shown }, Some(line), None));
            Value::Status("(not simulated)".into())
        }
    }
}

fn getuser_value(u: &User, profile: &Profile) -> Value {
    let g = crate::describe::getuser(u, profile);
    let b = |s: &str| Value::Bulk(s.to_string());
    let sel = |s: &crate::describe::SelectorInfo| {
        Value::Array(vec![b("commands"), b(&s.commands), b("keys"), b(&s.keys), b("channels"), b(&s.channels)])
    };
    Value::Array(vec![
        b("flags"),
        Value::Array(g.flags.iter().map(|f| b(f)).collect()),
        b("passwords"),
        Value::Array(g.passwords.iter().map(|p| b(p)).collect()),
        b("commands"),
        b(&g.commands),
        b("keys"),
        b(&g.keys),
        b("channels"),
        b(&g.channels),
        b("selectors"),
        Value::Array(g.selectors.iter().map(sel).collect()),
    ])
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::profile::PROFILES;

    #[test]
    fn strings_print_as_redis_cli_prints_them() {
        // redis-cli --no-raw shows these exactly so (checked against a live redis-cli).
        assert_eq!(
            repr(b"This user has no permissions to access the 'other' key"),
            r#""This user has no permissions to access the 'other' key""#
        );
        assert_eq!(repr("café".as_bytes()), r#""caf\xc3\xa9""#);
        assert_eq!(repr(b"a\"b\\c\n\r\t\x07\x08\x00"), r#""a\"b\\c\n\r\t\a\b\x00""#);
    }

    fn scan<'a>(a: &'a Analysis, name: &[u8]) -> Option<&'a User> {
        a.users.iter().map(|r| &r.user).find(|u| u.name == name)
    }

    #[test]
    fn user_lookup_equals_the_first_match() {
        let mut file = String::new();
        for i in 0..300 {
            file.push_str(&format!("user u{i} on nopass ~k{i}:* +get\n"));
        }
        file.push_str("user u7 on +set\nuser default off\nuser café on\n");
        let texts = [
            file.as_str(),
            "user a on\nuser b off\n",
            "",
            "ACL SETUSER x on\nACL SETUSER y off\nACL SETUSER x +get\n",
            "user a on\nuser a off\nrequirepass pw\n",
        ];
        for profile in PROFILES {
            for text in texts {
                let mut a = analyze(text, &Options::new(profile));
                let mut names: Vec<Vec<u8>> = a.users.iter().map(|r| r.user.name.clone()).collect();
                names.extend([b"nosuch".to_vec(), b"u".to_vec(), b"".to_vec(), "caf".as_bytes().to_vec()]);
                for n in &names {
                    assert_eq!(a.user(n).map(|u| u as *const User), scan(&a, n).map(|u| u as *const User));
                }
                // Changing the list falls back to the scan.
                let extra = UserReport {
                    user: User::new(b"late", &crate::acl::Ctx { profile, pubsub_all: false }),
                    span: None,
                    status: Status::Builtin,
                };
                a.users.push(extra);
                assert!(a.user(b"late").is_some());
                assert_eq!(a.user(b"nosuch").is_some(), scan(&a, b"nosuch").is_some());
            }
        }
    }
}
