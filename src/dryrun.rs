//! `ACL DRYRUN`: the server's verdict for a command line, byte for byte, and the
//! explanation no server gives (which rule, pattern and selector decided).

use crate::acl::{Effect, Selector, User};
use crate::glob;
use crate::keys::{channels_of, has_channels, has_keys, keys_of};
use crate::profile::{DenialStyle, Profile};
use crate::server::{c_str, error_reply};
use crate::span::Span;
use crate::table::{CmdId, flag};
use serde::Serialize;

/// What kind of reply DRYRUN gives.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum ReplyKind {
    /// `+OK`
    Ok,
    /// A bulk string saying what is not permitted.
    Denied,
    /// An error reply (unknown user or command, wrong arity).
    Error,
}

/// Why a selector refused (ordered as the server ranks them: channel > key > command).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Denial {
    Command,
    Key,
    Channel,
}

/// The reply of `ACL DRYRUN <user> <argv…>`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Reply {
    pub kind: ReplyKind,
    /// Exactly what the server answers (errors with their `ERR ` prefix).
    pub text: String,
    /// For denials: what was denied and the argv index (0 for the command).
    pub denial: Option<(Denial, usize)>,
}

impl Reply {
    fn error(msg: String) -> Reply {
        Reply { kind: ReplyKind::Error, text: error_reply(msg), denial: None }
    }
    pub fn is_ok(&self) -> bool {
        self.kind == ReplyKind::Ok
    }
}

fn lossy(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

/// A command line that passed the lookup and arity checks.
pub struct Resolved {
    pub id: CmdId,
}

/// Lookup and arity, with the server's error replies.
pub fn resolve(profile: &Profile, argv: &[&[u8]]) -> Result<Resolved, Reply> {
    if argv.is_empty() {
        return Err(Reply::error("wrong number of arguments for 'acl|dryrun' command".into()));
    }
    let Some(id) = profile.lookup_argv(argv) else {
        return Err(Reply::error(format!("Command '{}' not found", lossy(c_str(argv[0])))));
    };
    let c = profile.command(id);
    let argc = argv.len() as i32;
    if (c.arity > 0 && c.arity != argc) || argc < -c.arity {
        return Err(Reply::error(format!("wrong number of arguments for '{}' command", c.name)));
    }
    Ok(Resolved { id })
}

/// The command check of one selector.
fn command_allowed(s: &Selector, profile: &Profile, id: CmdId, argv: &[&[u8]]) -> bool {
    let c = profile.command(id);
    if c.has_flag(flag::NO_AUTH) || s.commands.get(id) {
        return true;
    }
    let idx = if c.parent().is_some() { 2 } else { 1 };
    argv.len() >= 2
        && argv.get(idx).is_some_and(|a| s.first_args_of(id).iter().any(|f| c_str(a).eq_ignore_ascii_case(c_str(f))))
}

fn key_allowed(s: &Selector, key: &[u8], read: bool, write: bool) -> Option<usize> {
    s.keys.iter().position(|p| (!read || p.read) && (!write || p.write) && glob::matches(&p.pattern, key))
}

fn channel_allowed(s: &Selector, channel: &[u8], pattern: bool) -> Option<usize> {
    s.channels.iter().position(|p| {
        if pattern {
            // PSUBSCRIBE needs the very pattern, compared as C strings.
            c_str(&p.pattern) == c_str(channel)
        } else {
            glob::matches(&p.pattern, channel)
        }
    })
}

/// What the selectors' checks of one command line share, each computed when first needed.
#[derive(Default)]
struct LineFacts {
    has_keys: Option<bool>,
    keys: Option<Vec<crate::keys::KeyRef>>,
    has_channels: Option<bool>,
}

/// One selector's check (`ACLSelectorCheckCmd`).
fn check_selector(
    s: &Selector,
    profile: &Profile,
    id: CmdId,
    argv: &[&[u8]],
    line: &mut LineFacts,
) -> Result<(), (Denial, usize)> {
    let c = profile.command(id);
    if !command_allowed(s, profile, id, argv) {
        return Err((Denial::Command, 0));
    }
    if !s.all_keys && *line.has_keys.get_or_insert_with(|| has_keys(c)) {
        let keys = line.keys.get_or_insert_with(|| keys_of(c, argv));
        for k in keys.iter() {
            if key_allowed(s, argv[k.pos], k.needs_read(), k.needs_write()).is_none() {
                return Err((Denial::Key, k.pos));
            }
        }
    }
    if !s.all_channels && *line.has_channels.get_or_insert_with(|| has_channels(c)) {
        for (pos, pattern) in channels_of(c, argv.len()) {
            if channel_allowed(s, argv[pos], pattern).is_none() {
                return Err((Denial::Channel, pos));
            }
        }
    }
    Ok(())
}

/// `ACL DRYRUN`. `user` is `None` when no user has that name.
pub fn dryrun(profile: &Profile, name: &[u8], user: Option<&User>, argv: &[&[u8]]) -> Reply {
    // The subcommand's own arity (-4) is checked before anything else.
    if argv.is_empty() {
        return Reply::error("wrong number of arguments for 'acl|dryrun' command".into());
    }
    let Some(user) = user else {
        return Reply::error(format!("User '{}' not found", lossy(c_str(name))));
    };
    let id = match resolve(profile, argv) {
        Ok(r) => r.id,
        Err(e) => return e,
    };
    let mut line = LineFacts::default();
    let mut worst: Option<(Denial, usize)> = None;
    for s in &user.selectors {
        match check_selector(s, profile, id, argv, &mut line) {
            Ok(()) => {
                return Reply { kind: ReplyKind::Ok, text: "OK".into(), denial: None };
            }
            Err(d) => {
                if worst.is_none_or(|w| d.0 > w.0 || (d.0 == w.0 && d.1 > w.1)) {
                    worst = Some(d);
                }
            }
        }
    }
    let (kind, pos) = worst.expect("a user has at least one selector");
    Reply { kind: ReplyKind::Denied, text: denial_text(profile, user, id, kind, argv[pos]), denial: Some((kind, pos)) }
}

fn denial_text(profile: &Profile, user: &User, id: CmdId, kind: Denial, arg: &[u8]) -> String {
    let mut s = String::with_capacity(64 + user.name.len() + arg.len());
    let arg = match profile.behavior.denial {
        DenialStyle::ThisUser => {
            s.push_str("This user");
            c_str(arg)
        }
        DenialStyle::UserName => {
            s.push_str("User ");
            s.push_str(&String::from_utf8_lossy(&user.name));
            arg
        }
    };
    let (what, name, tail) = match kind {
        Denial::Command => (" has no permissions to run the '", profile.command(id).name.into(), "' command"),
        Denial::Key => (" has no permissions to access the '", String::from_utf8_lossy(arg), "' key"),
        Denial::Channel => (" has no permissions to access the '", String::from_utf8_lossy(arg), "' channel"),
    };
    s.push_str(what);
    s.push_str(&name);
    s.push_str(tail);
    s
}

// ---------------------------------------------------------------------------------------
// Explanations

/// Why a selector's command check passed or failed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "by", rename_all = "snake_case")]
pub enum CommandWhy {
    /// AUTH, HELLO, QUIT and RESET are never checked.
    NoAuth,
    /// A rule set or cleared the command's bit last.
    Rule { rule: String, span: Option<Span>, allows: bool },
    /// The bit is clear but a `+cmd|arg` rule allows this first argument.
    FirstArg { rule: String, span: Option<Span> },
    /// No rule ever touched it: selectors start with no commands.
    Default,
}

/// One key or channel and the pattern that allowed it (or none).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ArgCheck {
    pub pos: usize,
    pub value: String,
    /// For keys: the permissions needed.
    pub needs: Vec<&'static str>,
    /// `~*` / `&*` (all keys or channels) allowed it.
    pub all: bool,
    /// The pattern that matched, as printed by ACL LIST, and the rule that added it.
    pub matched: Option<(String, Option<Span>)>,
    /// For PSUBSCRIBE: the argument must equal a pattern literally.
    pub literal: bool,
}

/// One selector's part in the decision.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SelectorExplain {
    /// 0 is the root selector.
    pub index: usize,
    pub span: Option<Span>,
    pub command_allowed: bool,
    pub command: CommandWhy,
    /// Checked keys (empty when the command check failed or the command has none).
    pub keys: Vec<ArgCheck>,
    pub channels: Vec<ArgCheck>,
    /// `None` when this selector allows the command.
    pub denied: Option<(Denial, usize)>,
}

/// The full explanation of a DRYRUN verdict.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Explanation {
    pub reply: Reply,
    /// The command's full name, when it was found.
    pub command: Option<String>,
    pub selectors: Vec<SelectorExplain>,
    /// Index of the selector that allowed the command.
    pub allowed_by: Option<usize>,
    /// For a denial: the selector whose failure the server reports.
    pub reported: Option<usize>,
}

impl Explanation {
    /// The span of the rule that decided: the deciding command rule, or the pattern rule
    /// that matched, or (for denials) the rule that removed the command.
    pub fn deciding_span(&self) -> Option<Span> {
        let sel = &self.selectors[self.allowed_by.or(self.reported)?];
        let rule = match &sel.command {
            CommandWhy::Rule { span, .. } | CommandWhy::FirstArg { span, .. } => *span,
            _ => None,
        };
        match sel.denied {
            None | Some((Denial::Command, _)) => rule.or(sel.span),
            // No pattern matched: point at the selector (the root has no token of its own).
            Some(_) => sel.span.or(rule),
        }
    }
}

fn covers(profile: &Profile, e: &Effect, id: CmdId) -> bool {
    let c = profile.command(id);
    let parent = c.parent();
    match *e {
        Effect::All(_) => true,
        Effect::Category(_, cat) => {
            c.in_category(cat as usize) || parent.is_some_and(|p| profile.command(p).in_category(cat as usize))
        }
        Effect::Command(_, r) => r == id || Some(r) == parent,
        Effect::FirstArg(..) => false,
    }
}

fn command_why(s: &Selector, profile: &Profile, id: CmdId, argv: &[&[u8]]) -> CommandWhy {
    let c = profile.command(id);
    if c.has_flag(flag::NO_AUTH) {
        return CommandWhy::NoAuth;
    }
    let last = s.rules.iter().rposition(|r| covers(profile, &r.effect, id));
    if !s.commands.get(id) && command_allowed(s, profile, id, argv) {
        let arg = argv.get(if c.parent().is_some() { 2 } else { 1 }).copied().unwrap_or_default();
        if let Some(r) = s.rules.iter().rev().find(
            |r| matches!(&r.effect, Effect::FirstArg(fid, a) if *fid == id && c_str(a).eq_ignore_ascii_case(c_str(arg))),
        ) {
            return CommandWhy::FirstArg { rule: lossy(&r.text), span: r.origin };
        }
    }
    match last {
        Some(i) => {
            let r = &s.rules[i];
            CommandWhy::Rule { rule: lossy(&r.text), span: r.origin, allows: s.commands.get(id) }
        }
        None => CommandWhy::Default,
    }
}

fn explain_selector(index: usize, s: &Selector, profile: &Profile, id: CmdId, argv: &[&[u8]]) -> SelectorExplain {
    let c = profile.command(id);
    let command_allowed = command_allowed(s, profile, id, argv);
    let mut out = SelectorExplain {
        index,
        span: s.origin,
        command_allowed,
        command: command_why(s, profile, id, argv),
        keys: Vec::new(),
        channels: Vec::new(),
        denied: None,
    };
    if !command_allowed {
        out.denied = Some((Denial::Command, 0));
        return out;
    }
    if has_keys(c) {
        for k in keys_of(c, argv) {
            let (r, w) = (k.needs_read(), k.needs_write());
            let matched = if s.all_keys {
                None
            } else {
                key_allowed(s, argv[k.pos], r, w).map(|i| {
                    let p = &s.keys[i];
                    let shown = crate::describe::keys_text(&Selector { keys: vec![p.clone()], ..Selector::new(false) });
                    (lossy(&shown[0]), p.origin)
                })
            };
            let mut needs = Vec::new();
            if r {
                needs.push("read");
            }
            if w {
                needs.push("write");
            }
            let ok = s.all_keys || matched.is_some();
            out.keys.push(ArgCheck {
                pos: k.pos,
                value: lossy(argv[k.pos]),
                needs,
                all: s.all_keys,
                matched,
                literal: false,
            });
            if !ok && out.denied.is_none() {
                out.denied = Some((Denial::Key, k.pos));
                return out;
            }
        }
    }
    if has_channels(c) {
        for (pos, pattern) in channels_of(c, argv.len()) {
            let matched = if s.all_channels {
                None
            } else {
                channel_allowed(s, argv[pos], pattern)
                    .map(|i| (format!("&{}", lossy(&s.channels[i].pattern)), s.channels[i].origin))
            };
            let ok = s.all_channels || matched.is_some();
            out.channels.push(ArgCheck {
                pos,
                value: lossy(argv[pos]),
                needs: Vec::new(),
                all: s.all_channels,
                matched,
                literal: pattern,
            });
            if !ok {
                out.denied = Some((Denial::Channel, pos));
                return out;
            }
        }
    }
    out
}

/// DRYRUN with the reasons behind it.
pub fn explain(profile: &Profile, name: &[u8], user: Option<&User>, argv: &[&[u8]]) -> Explanation {
    let reply = dryrun(profile, name, user, argv);
    let mut e = Explanation { reply, command: None, selectors: Vec::new(), allowed_by: None, reported: None };
    let (Some(user), Ok(r)) = (user, resolve(profile, argv)) else {
        return e;
    };
    e.command = Some(profile.command(r.id).name.to_string());
    for (i, s) in user.selectors.iter().enumerate() {
        let x = explain_selector(i, s, profile, r.id, argv);
        if x.denied.is_none() && e.allowed_by.is_none() {
            e.allowed_by = Some(i);
        }
        e.selectors.push(x);
        if e.allowed_by.is_some() {
            break;
        }
    }
    if e.allowed_by.is_none() {
        let target = e.reply.denial;
        e.reported = e.selectors.iter().position(|s| s.denied == target);
    }
    e
}
