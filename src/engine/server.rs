//! A simulated server: its user table and the commands that change it (`ACL SETUSER`,
//! `ACL DELUSER`, `ACL LOAD`, `CONFIG SET acl-pubsub-default`) and start-up from a
//! configuration, with the exact replies and error texts of each profile.

use super::acl::{Ctx, User};
use super::rules::{Reason, apply_user_rule};
use super::token::{SourceMap, Token};
use crate::bytes::{c_str, has_space_or_nul, lossy};
use crate::commands::Profile;
use crate::span::Span;
use std::collections::BTreeMap;

/// `addReplyErrorFormat` turns CR and LF inside the message into spaces.
pub(crate) fn error_reply(msg: String) -> String {
    let trimmed = msg.trim_end_matches(['\r', '\n']);
    let mut out = String::with_capacity(4 + trimmed.len());
    out.push_str("ERR ");
    if trimmed.contains(['\r', '\n']) {
        out.push_str(&trimmed.replace(['\r', '\n'], " "));
    } else {
        out.push_str(trimmed);
    }
    out
}

/// Selector merging failed: a `(` was never closed.
#[derive(Debug, Clone)]
pub struct Unmatched {
    /// Index (among the rule arguments) of the token that opened the selector.
    pub open: usize,
    /// How many merged tokens were complete before it (the ACL-file crash condition).
    pub merged_before: usize,
}

/// An argument that starts a selector spread over several arguments: `(` without `)`.
fn opens_selector(a: &Token) -> bool {
    a.bytes.first() == Some(&b'(') && a.bytes.last() != Some(&b')')
}

/// `ACLMergeSelectorArguments`: joins `(`…`)` spread over several arguments into one.
pub fn merge_selectors(args: &[Token], profile: &Profile) -> Result<Vec<Token>, Unmatched> {
    let restart = profile.behavior.nested_paren_restarts_selector;
    let mut out: Vec<Token> = Vec::with_capacity(args.len());
    let mut open: Option<(usize, Token)> = None;
    for (j, a) in args.iter().enumerate() {
        let b = &a.bytes;
        let opens = opens_selector(a);
        if opens && (open.is_none() || restart) {
            open = Some((j, a.clone()));
            continue;
        }
        if let Some((_, sel)) = open.as_mut() {
            // Joined with " %s": the appended argument is cut at a NUL byte.
            sel.bytes.push(b' ');
            let off = sel.bytes.len();
            sel.bytes.extend_from_slice(c_str(b));
            sel.map.append(off, &a.map);
            if b.last() == Some(&b')') {
                out.push(open.take().unwrap().1);
            }
            continue;
        }
        out.push(a.clone());
    }
    match open {
        Some((j, _)) => Err(Unmatched { open: j, merged_before: out.len() }),
        None => Ok(out),
    }
}

/// Why `ACL SETUSER` failed.
#[derive(Debug, Clone, PartialEq)]
pub enum SetuserError {
    /// `ERR Usernames can't contain spaces or null characters`
    BadUsername { span: Option<Span> },
    /// `ERR Unmatched parenthesis in acl selector starting at '<token>'.`
    Unmatched { token: Vec<u8>, span: Option<Span> },
    /// `ERR Error in ACL SETUSER modifier '<token>': <reason>`
    Rule { token: Vec<u8>, reason: Reason, span: Option<Span> },
}

impl SetuserError {
    /// The reply, byte for byte (as UTF-8, lossy for invalid bytes).
    pub fn reply(&self) -> String {
        match self {
            SetuserError::BadUsername { .. } => error_reply("Usernames can't contain spaces or null characters".into()),
            SetuserError::Unmatched { token, .. } => {
                error_reply(format!("Unmatched parenthesis in acl selector starting at '{}'.", lossy(c_str(token))))
            }
            SetuserError::Rule { token, reason, .. } => error_reply(format!(
                "Error in ACL SETUSER modifier '{}': {}",
                lossy(c_str(token)),
                reason.server_text()
            )),
        }
    }
    pub fn span(&self) -> Option<Span> {
        match self {
            SetuserError::BadUsername { span }
            | SetuserError::Unmatched { span, .. }
            | SetuserError::Rule { span, .. } => *span,
        }
    }
}

/// One problem found by `ACL LOAD`, in file order.
#[derive(Debug, Clone, PartialEq)]
pub struct LoadProblem {
    /// 1-based line number in the file.
    pub line: usize,
    pub kind: LoadProblemKind,
    /// What in the source the problem is about.
    pub span: Option<Span>,
}

#[derive(Debug, Clone, PartialEq)]
pub enum LoadProblemKind {
    /// The line does not start with `user <name>`.
    NotUserLine,
    /// The username contains whitespace (only `\v`/`\f` can get there) or NUL.
    BadUsername(Vec<u8>),
    /// The username was defined on an earlier line (the second field).
    Duplicate(Vec<u8>, usize),
    /// A `(` was never closed (`token` opened it). `crash`: this server version
    /// segfaults here.
    Unmatched { token: Vec<u8>, crash: bool },
    /// An unknown command or category (every one is reported).
    Unknown(Vec<u8>),
    /// Any other rule error (only the first of a line is reported).
    Rule { token: Vec<u8>, reason: Reason },
}

impl LoadProblem {
    /// This problem's piece of the `ACL LOAD` error reply.
    pub fn piece(&self, file: &str) -> String {
        let n = self.line;
        match &self.kind {
            LoadProblemKind::NotUserLine => {
                format!("{file}:{n} should start with user keyword followed by the username. ")
            }
            LoadProblemKind::BadUsername(name) => {
                format!("'{file}:{n}: username '{}' contains invalid characters. ", lossy(c_str(name)))
            }
            LoadProblemKind::Duplicate(name, _) => {
                format!("WARNING: Duplicate user '{}' found on line {n}. ", lossy(c_str(name)))
            }
            LoadProblemKind::Unmatched { .. } => {
                format!("{file}:{n}: Unmatched parenthesis in selector definition.")
            }
            LoadProblemKind::Unknown(tok) => format!(
                "{file}:{n}: Error in applying operation '{}': {}. ",
                lossy(c_str(tok)),
                Reason::UnknownCommand.server_text()
            ),
            LoadProblemKind::Rule { reason, .. } => {
                format!("{file}:{n}: {}. ", reason.server_text())
            }
        }
    }
}

/// The result of loading an ACL file (`ACL LOAD` or `aclfile` at start-up).
#[derive(Debug, Clone, Default)]
pub struct AclLoad {
    pub problems: Vec<LoadProblem>,
    /// The users the file defines, in file order (all of them, even when the load fails).
    pub users: Vec<User>,
    /// Source span of each user's line, parallel to `users`.
    pub lines: Vec<Span>,
}

pub const LOAD_TRAILER: &str =
    "WARNING: ACL errors detected, no change to the previously active ACL rules was performed";

impl AclLoad {
    pub fn ok(&self) -> bool {
        self.problems.is_empty()
    }
    /// The first problem that makes the real server crash, if any.
    pub fn crash(&self) -> Option<&LoadProblem> {
        self.problems.iter().find(|p| matches!(p.kind, LoadProblemKind::Unmatched { crash: true, .. }))
    }
    /// The error text without `ERR ` (also what start-up logs), or `None` when it loads.
    pub fn error_text(&self, file: &str) -> Option<String> {
        if self.ok() {
            return None;
        }
        let mut s: String = self.problems.iter().map(|p| p.piece(file)).collect();
        s.push_str(LOAD_TRAILER);
        Some(s)
    }
    /// The `ACL LOAD` reply: `OK` or `ERR …`.
    pub fn reply(&self, file: &str) -> String {
        self.error_text(file).map_or_else(|| "OK".to_string(), |e| format!("ERR {e}"))
    }
}

/// One line of an ACL file as the loader sees it.
#[derive(Debug, Clone, Copy)]
pub struct FileLine<'a> {
    /// 1-based line number.
    pub number: usize,
    pub bytes: &'a [u8],
    /// Source offset of `bytes[0]` when the bytes are the source verbatim.
    pub base: usize,
    /// `None` when `bytes` are verbatim source at `base`; otherwise the span every token
    /// of the line maps to (e.g. an unescaped `ACL LIST` entry).
    pub whole: Option<Span>,
}

/// Splits a file into lines on `\n` only, as the server does.
pub fn file_lines(text: &[u8], base: usize) -> impl Iterator<Item = FileLine<'_>> {
    let mut offset = base;
    text.split(|&b| b == b'\n').enumerate().map(move |(i, bytes)| {
        let l = FileLine { number: i + 1, bytes, base: offset, whole: None };
        offset += bytes.len() + 1;
        l
    })
}

/// Parses and applies an ACL file's lines the way `ACLLoadFromFile` does.
pub fn load_acl_lines<'a>(lines: impl IntoIterator<Item = FileLine<'a>>, ctx: &Ctx) -> AclLoad {
    let mut b = LoadBuilder::default();
    for fl in lines {
        b.add(fl.number, &mut load_line(fl, ctx));
    }
    b.finish()
}

/// One line of an ACL file loaded on its own: everything `ACLLoadFromFile` does with it
/// but the file-wide check for a user defined twice ([`LoadBuilder`] does that). Lines
/// are independent otherwise, so an editor can keep these and reload only the lines
/// that change (`analysis::Tracked`).
#[derive(Debug, Clone)]
pub enum LineLoad {
    /// Nothing after trimming: the loader skips the line.
    Empty,
    /// Refused before its name counts: not a `user <name>` line, or a bad name.
    Refused(LoadProblem),
    /// A `user <name> …` line. `user` is `None` when a selector is never closed (then
    /// `problems` says so), or once [`LoadBuilder::add`] has taken it.
    Named { name: Vec<u8>, name_span: Span, line_span: Span, user: Option<User>, problems: Vec<LoadProblem> },
}

impl LineLoad {
    /// Moves every span by `by` bytes (the line moved in an edited text).
    pub fn shift(&mut self, by: isize) {
        let problem = |p: &mut LoadProblem| p.span = p.span.map(|s| s.shifted(by));
        match self {
            LineLoad::Empty => {}
            LineLoad::Refused(p) => problem(p),
            LineLoad::Named { name_span, line_span, user, problems, .. } => {
                *name_span = name_span.shifted(by);
                *line_span = line_span.shifted(by);
                problems.iter_mut().for_each(problem);
                if let Some(u) = user {
                    u.shift(by);
                }
            }
        }
    }
}

/// Loads one line (see [`LineLoad`]).
pub fn load_line(fl: FileLine, ctx: &Ctx) -> LineLoad {
    let n = fl.number;
    let Some(mut args) = crate::input::split::split_acl_line(fl.bytes, fl.base) else {
        return LineLoad::Empty;
    };
    let smap = |s: Span| match fl.whole {
        None => SourceMap::verbatim(s),
        Some(w) => {
            let mut m = SourceMap::none();
            m.push(0, s.len(), w, false);
            m
        }
    };
    let place = |s: Span| fl.whole.unwrap_or(s);
    let line_span = place(args[0].span.to(args[args.len() - 1].span));
    if c_str(&args[0].bytes) != b"user" || args.len() < 2 {
        return LineLoad::Refused(LoadProblem { line: n, kind: LoadProblemKind::NotUserLine, span: Some(line_span) });
    }
    let rest = args.split_off(2);
    let name = args.pop().expect("two arguments");
    if has_space_or_nul(&name.bytes) {
        let span = Some(place(name.span));
        return LineLoad::Refused(LoadProblem { line: n, kind: LoadProblemKind::BadUsername(name.bytes), span });
    }
    let name_span = place(name.span);
    let mut problems = Vec::new();
    let rules: Vec<Token> = rest.into_iter().map(|a| Token { bytes: a.bytes, map: smap(a.span) }).collect();
    // Without a token that opens a selector, merging changes nothing.
    let merged = if rules.iter().any(opens_selector) {
        match merge_selectors(&rules, ctx.profile) {
            Ok(m) => m,
            Err(u) => {
                problems.push(LoadProblem {
                    line: n,
                    kind: LoadProblemKind::Unmatched { token: rules[u.open].bytes.clone(), crash: u.merged_before > 0 },
                    span: rules[u.open].span().map(|s| Span::new(s.start, line_span.end)),
                });
                return LineLoad::Named { name: name.bytes, name_span, line_span, user: None, problems };
            }
        }
    } else {
        rules
    };
    let mut user = User::new(&name.bytes, ctx);
    user.trail.reserve(merged.len());
    let mut reported_other = false;
    for tok in merged {
        // Each merged rule is trimmed of tabs, CR and LF (not spaces).
        let trim = |b: &u8| matches!(b, b'\t' | b'\r' | b'\n');
        let start = tok.bytes.iter().position(|b| !trim(b)).unwrap_or(tok.bytes.len());
        let end = tok.bytes.iter().rposition(|b| !trim(b)).map_or(start, |e| e + 1);
        let bytes = &tok.bytes[start..end];
        let span = tok.map.range(start, end);
        let trimmed;
        let map = if start == 0 {
            &tok.map
        } else {
            trimmed = span.map_or_else(SourceMap::none, smap);
            &trimmed
        };
        if let Err(reason) = apply_user_rule(&mut user, bytes, map, ctx) {
            if reason == Reason::UnknownCommand {
                problems.push(LoadProblem { line: n, kind: LoadProblemKind::Unknown(bytes.to_vec()), span });
            } else if !reported_other {
                reported_other = true;
                problems.push(LoadProblem {
                    line: n,
                    kind: LoadProblemKind::Rule { token: bytes.to_vec(), reason },
                    span,
                });
            }
        }
    }
    LineLoad::Named { name: name.bytes, name_span, line_span, user: Some(user), problems }
}

/// Puts loaded lines together in file order: a user defined on an earlier line makes the
/// line a duplicate (its rules are dropped), every other problem is the line's own.
#[derive(Debug, Default)]
pub struct LoadBuilder {
    load: AclLoad,
    /// The first line of each name.
    seen: rustc_hash::FxHashMap<Vec<u8>, usize>,
}

impl LoadBuilder {
    /// Adds line `number`, taking its user unless the line is a duplicate (and giving its
    /// problems that line number).
    pub fn add(&mut self, number: usize, line: &mut LineLoad) {
        let with_number = |p: &LoadProblem| LoadProblem { line: number, ..p.clone() };
        match line {
            LineLoad::Empty => {}
            LineLoad::Refused(p) => self.load.problems.push(with_number(p)),
            LineLoad::Named { name, name_span, line_span, user, problems } => {
                if let Some(&first) = self.seen.get(name.as_slice()) {
                    self.load.problems.push(LoadProblem {
                        line: number,
                        kind: LoadProblemKind::Duplicate(name.clone(), first),
                        span: Some(*name_span),
                    });
                    return;
                }
                self.seen.insert(name.clone(), number);
                self.load.problems.extend(problems.iter().map(with_number));
                if let Some(u) = user.take() {
                    self.load.users.push(u);
                    self.load.lines.push(*line_span);
                }
            }
        }
    }

    pub fn finish(self) -> AclLoad {
        self.load
    }
}

/// Loads a whole ACL file; `base` is the byte offset of `text` in the analysed source.
pub fn load_acl_file(text: &[u8], base: usize, ctx: &Ctx) -> AclLoad {
    load_acl_lines(file_lines(text, base), ctx)
}

/// The simulated server.
#[derive(Debug, Clone)]
pub struct Server<'p> {
    pub ctx: Ctx<'p>,
    /// Users by name (ACL LIST order is byte order of names).
    pub users: BTreeMap<Vec<u8>, User>,
}

impl<'p> Server<'p> {
    /// A freshly started server: only the `default` user.
    pub fn new(profile: &'p Profile) -> Server<'p> {
        let ctx = Ctx { profile, pubsub_all: false };
        let mut users = BTreeMap::new();
        users.insert(b"default".to_vec(), User::new_default(&ctx));
        Server { ctx, users }
    }

    /// `ACL SETUSER name args…`: atomic; on error nothing changes.
    pub fn setuser(&mut self, name: &[u8], name_span: Option<Span>, args: &[Token]) -> Result<(), SetuserError> {
        if has_space_or_nul(name) {
            return Err(SetuserError::BadUsername { span: name_span });
        }
        let merged = merge_selectors(args, self.ctx.profile)
            .map_err(|u| SetuserError::Unmatched { token: args[u.open].bytes.clone(), span: args[u.open].span() })?;
        let mut user = match self.users.get(name) {
            Some(u) => u.clone(),
            None => User::new(name, &self.ctx),
        };
        for tok in &merged {
            apply_user_rule(&mut user, &tok.bytes, &tok.map, &self.ctx).map_err(|reason| SetuserError::Rule {
                token: tok.bytes.clone(),
                reason,
                span: tok.span(),
            })?;
        }
        self.users.insert(name.to_vec(), user);
        Ok(())
    }

    /// `ACL DELUSER name`: the number of users removed (0 or 1), or the error for `default`.
    pub fn deluser(&mut self, name: &[u8]) -> Result<usize, String> {
        if name == b"default" {
            return Err(error_reply("The 'default' user cannot be removed".into()));
        }
        Ok(usize::from(self.users.remove(name).is_some()))
    }

    /// Replaces the user table with an ACL file's users, as a successful `ACL LOAD` does.
    pub fn install(&mut self, load: &AclLoad) {
        // Inserted one by one rather than collected: `collect` into a map sorts, and
        // each sort instance costs kilobytes of the playground's wasm.
        let mut users = BTreeMap::new();
        for u in &load.users {
            users.insert(u.name.clone(), u.clone());
        }
        users.entry(b"default".to_vec()).or_insert_with(|| User::new_default(&self.ctx));
        self.users = users;
    }

    /// `ACL LOAD` of `text`: the reply, and whether the server would crash.
    pub fn acl_load(&mut self, text: &[u8], file: &str) -> (AclLoad, String) {
        let load = load_acl_file(text, 0, &self.ctx);
        let reply = load.reply(file);
        if load.ok() {
            self.install(&load);
        }
        (load, reply)
    }

    pub fn user(&self, name: &[u8]) -> Option<&User> {
        self.users.get(name)
    }
}
