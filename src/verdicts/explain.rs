//! The explanation no server gives: which rule, key pattern, channel pattern and selector
//! decided an `ACL DRYRUN` verdict, with their spans in the input.

use super::dryrun::{Watch, channel_allowed, check_selector, command_allowed, dryrun_in, key_allowed, resolve};
use super::reply::{Denial, Reply};
use crate::bytes::{c_str, lossy};
use crate::commands::{CmdId, Profile, flag};
use crate::engine::acl::{Effect, Selector, User};
use crate::span::Span;
use serde::Serialize;

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

/// One database a selector's database rules were asked about (Valkey 9.1).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct DbCheck {
    /// The argv index of the argument naming it, or 0 for the database the command runs
    /// in (or every database).
    pub pos: usize,
    /// The database; `None`: every database (FLUSHALL and the like need `alldbs`, or
    /// `db=` listing each of the server's databases).
    pub db: Option<i64>,
    pub allowed: bool,
}

/// One selector's part in the decision.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SelectorExplain {
    /// 0 is the root selector.
    pub index: usize,
    pub span: Option<Span>,
    /// The databases checked, in the server's order, up to the first one refused (empty
    /// when the selector has `alldbs`, always so without database rules).
    pub databases: Vec<DbCheck>,
    /// The selector's databases as GETUSER shows them (`db=0,2`, empty for
    /// `resetdbs`) and the rule that set them, when any was checked.
    pub db_rule: Option<(String, Option<Span>)>,
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
            // The `db=` / `resetdbs` rule that left the database out.
            Some((Denial::Database, _)) => sel.db_rule.as_ref().and_then(|r| r.1).or(sel.span),
            None | Some((Denial::Command, _)) => rule.or(sel.span),
            // No pattern matched: point at the selector (the root has no token of its own).
            Some(_) => sel.span.or(rule),
        }
    }
}

fn command_why(s: &Selector, profile: &Profile, id: CmdId, argv: &[&[u8]]) -> CommandWhy {
    let c = profile.command(id);
    if c.has_flag(flag::NO_AUTH) {
        return CommandWhy::NoAuth;
    }
    let last = s.rules.iter().rposition(|r| r.effect.covers(profile, id));
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

/// What the selector's check ([`check_selector`]) looked at, as it looked: the steps of
/// the decision, with the patterns that let each key and channel through.
struct Recorder<'a> {
    s: &'a Selector,
    /// The profile's `string_match_nesting_limit`, as the check matched with it.
    limit: bool,
    argv: &'a [&'a [u8]],
    databases: Vec<DbCheck>,
    /// `None`: the check stopped before the command (a database was refused).
    command: Option<bool>,
    keys: Vec<ArgCheck>,
    channels: Vec<ArgCheck>,
}

impl Watch for Recorder<'_> {
    fn database(&mut self, pos: usize, db: Option<i64>, allowed: bool) {
        self.databases.push(DbCheck { pos, db, allowed });
    }
    fn command(&mut self, allowed: bool) {
        self.command = Some(allowed);
    }
    fn key(&mut self, pos: usize, read: bool, write: bool, all: bool, allowed: bool) {
        // Which pattern it was (the check only needs to know that one was).
        let matched = (allowed && !all)
            .then(|| key_allowed(self.s, self.argv[pos], read, write, self.limit))
            .flatten()
            .map(|i| {
                let p = &self.s.keys[i];
                let shown = super::describe::keys_text(&Selector { keys: vec![p.clone()], ..Selector::new(false) });
                (lossy(&shown[0]), p.origin)
            });
        let needs = [(read, "read"), (write, "write")].into_iter().filter(|n| n.0).map(|n| n.1).collect();
        self.keys.push(ArgCheck { pos, value: lossy(self.argv[pos]), needs, all, matched, literal: false });
    }
    fn channel(&mut self, pos: usize, pattern: bool, all: bool, allowed: bool) {
        let matched = (allowed && !all)
            .then(|| channel_allowed(self.s, self.argv[pos], pattern, self.limit))
            .flatten()
            .map(|i| (format!("&{}", lossy(&self.s.channels[i].pattern)), self.s.channels[i].origin));
        self.channels.push(ArgCheck {
            pos,
            value: lossy(self.argv[pos]),
            needs: Vec::new(),
            all,
            matched,
            literal: pattern,
        });
    }
}

fn explain_selector(
    index: usize,
    s: &Selector,
    profile: &Profile,
    id: CmdId,
    argv: &[&[u8]],
    db: i64,
) -> SelectorExplain {
    let c = profile.command(id);
    let b = &profile.behavior;
    let limit = b.string_match_nesting_limit;
    let mut rec =
        Recorder { s, limit, argv, databases: Vec::new(), command: None, keys: Vec::new(), channels: Vec::new() };
    let denied = check_selector(s, c, id, argv, db, b.keynum_last, limit, &mut rec).err();
    let db_rule =
        (!rec.databases.is_empty()).then(|| (super::describe::dbs_text(s, profile).unwrap_or_default(), s.dbs_origin));
    SelectorExplain {
        index,
        span: s.origin,
        databases: rec.databases,
        db_rule,
        // A refused database stops the check first; the command's part is still shown.
        command_allowed: rec.command.unwrap_or_else(|| command_allowed(s, profile, id, argv)),
        command: command_why(s, profile, id, argv),
        keys: rec.keys,
        channels: rec.channels,
        denied,
    }
}

/// DRYRUN with the reasons behind it (asked in database 0).
pub fn explain(profile: &Profile, name: &[u8], user: Option<&User>, argv: &[&[u8]]) -> Explanation {
    explain_in(profile, name, user, argv, 0)
}

/// [`explain`] asked on a connection in database `db`.
pub fn explain_in(profile: &Profile, name: &[u8], user: Option<&User>, argv: &[&[u8]], db: i64) -> Explanation {
    let reply = dryrun_in(profile, name, user, argv, db);
    let mut e = Explanation { reply, command: None, selectors: Vec::new(), allowed_by: None, reported: None };
    let (Some(user), Ok(r)) = (user, resolve(profile, argv)) else {
        return e;
    };
    e.command = Some(profile.command(r.id).name.to_string());
    for (i, s) in user.selectors.iter().enumerate() {
        let x = explain_selector(i, s, profile, r.id, argv, db);
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
