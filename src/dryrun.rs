//! `ACL DRYRUN`: the server's verdict for a command line, byte for byte, and the
//! explanation no server gives (which rule, pattern and selector decided).

use crate::acl::{Effect, Selector, User};
use crate::glob;
use crate::keys::{ChannelPlan, KeyPlan, channels_of, has_channels, has_keys, keys_of, visit_channels, visit_keys};
use crate::profile::{DenialStyle, Profile};
use crate::server::c_str;
use crate::span::Span;
use crate::table::{CmdId, CommandDef, flag};
use serde::Serialize;

pub(crate) mod compiled;

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
    pub text: ReplyText,
    /// For denials: what was denied and the argv index (0 for the command).
    pub denial: Option<(Denial, usize)>,
}

impl Reply {
    /// An error reply `ERR <head><arg><tail>`, `arg` read as `%s` does (cut at a NUL,
    /// lossy UTF-8) and, as `addReplyErrorFormat` does, with CR and LF made spaces (the
    /// tails end in a letter, so there is nothing to trim). The same text as
    /// `server::error_reply(format!(…))`, without the allocations.
    fn error_with(head: &str, arg: &[u8], tail: &str) -> Reply {
        let mut text = ReplyText::empty();
        text.push(b"ERR ");
        text.push(head.as_bytes());
        let from = text.byte_len();
        text.push_lossy(c_str(arg));
        let to = text.byte_len();
        text.replace_newlines(from..to);
        text.push(tail.as_bytes());
        Reply { kind: ReplyKind::Error, text, denial: None }
    }
    fn ok() -> Reply {
        Reply { kind: ReplyKind::Ok, text: ReplyText::from("OK"), denial: None }
    }
    pub fn is_ok(&self) -> bool {
        self.kind == ReplyKind::Ok
    }
}

/// Longest text kept inside a [`ReplyText`] (longer ones go to the heap).
const INLINE: usize = 102;

/// The text of a [`Reply`], byte for byte the server's: a `str` (through `Deref`,
/// `Display`, `as_str`, `String::from`) that does not allocate for `OK` or for the
/// denials and errors of usual lengths, which it keeps inline.
#[derive(Clone)]
pub struct ReplyText(Repr);

#[derive(Clone)]
enum Repr {
    Static(&'static str),
    /// Length, bytes (valid UTF-8: only `str`s are pushed).
    Inline(u8, [u8; INLINE]),
    Heap(String),
}

impl ReplyText {
    pub fn as_str(&self) -> &str {
        match &self.0 {
            Repr::Static(s) => s,
            Repr::Inline(len, b) => std::str::from_utf8(&b[..*len as usize]).expect("built from str"),
            Repr::Heap(s) => s,
        }
    }
}

impl std::ops::Deref for ReplyText {
    type Target = str;
    fn deref(&self) -> &str {
        self.as_str()
    }
}

impl AsRef<str> for ReplyText {
    fn as_ref(&self) -> &str {
        self.as_str()
    }
}

impl std::fmt::Display for ReplyText {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

impl std::fmt::Debug for ReplyText {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        std::fmt::Debug::fmt(self.as_str(), f)
    }
}

impl PartialEq for ReplyText {
    fn eq(&self, other: &Self) -> bool {
        self.as_str() == other.as_str()
    }
}

impl Eq for ReplyText {}

impl PartialEq<str> for ReplyText {
    fn eq(&self, other: &str) -> bool {
        self.as_str() == other
    }
}

impl PartialEq<&str> for ReplyText {
    fn eq(&self, other: &&str) -> bool {
        self.as_str() == *other
    }
}

impl PartialEq<String> for ReplyText {
    fn eq(&self, other: &String) -> bool {
        self.as_str() == other
    }
}

impl From<&'static str> for ReplyText {
    fn from(s: &'static str) -> ReplyText {
        ReplyText(Repr::Static(s))
    }
}

impl From<String> for ReplyText {
    fn from(s: String) -> ReplyText {
        ReplyText(Repr::Heap(s))
    }
}

impl From<ReplyText> for String {
    fn from(t: ReplyText) -> String {
        match t.0 {
            Repr::Heap(s) => s,
            _ => t.as_str().to_owned(),
        }
    }
}

impl Serialize for ReplyText {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.as_str())
    }
}

/// Building a text in place: inline, moved to the heap only if it grows past [`INLINE`].
impl ReplyText {
    #[inline]
    fn empty() -> ReplyText {
        ReplyText(Repr::Inline(0, [0; INLINE]))
    }

    /// Appends `b`, which must be UTF-8 (a `str`'s bytes, or ASCII).
    #[inline]
    fn push(&mut self, b: &[u8]) {
        if let Repr::Inline(len, buf) = &mut self.0 {
            let start = *len as usize;
            let end = start + b.len();
            if end <= INLINE {
                buf[start..end].copy_from_slice(b);
                *len = end as u8;
                return;
            }
        }
        self.spill(b);
    }

    #[cold]
    fn spill(&mut self, b: &[u8]) {
        let s = std::str::from_utf8(b).expect("UTF-8 pushed");
        if let Repr::Heap(h) = &mut self.0 {
            h.push_str(s);
        } else {
            let mut h = String::with_capacity(2 * (self.byte_len() + s.len()));
            h.push_str(self.as_str());
            h.push_str(s);
            self.0 = Repr::Heap(h);
        }
    }

    fn byte_len(&self) -> usize {
        match &self.0 {
            Repr::Static(s) => s.len(),
            Repr::Inline(len, _) => *len as usize,
            Repr::Heap(h) => h.len(),
        }
    }

    /// CR and LF in `range` (of ASCII bytes or whole characters) made spaces.
    fn replace_newlines(&mut self, range: std::ops::Range<usize>) {
        match &mut self.0 {
            Repr::Inline(_, buf) => {
                for b in &mut buf[range] {
                    if *b == b'\r' || *b == b'\n' {
                        *b = b' ';
                    }
                }
            }
            Repr::Heap(h) => {
                let tail = h.split_off(range.end);
                let part = h.split_off(range.start).replace(['\r', '\n'], " ");
                h.push_str(&part);
                h.push_str(&tail);
            }
            Repr::Static(_) => debug_assert!(range.is_empty()),
        }
    }

    /// `String::from_utf8_lossy`, pushed.
    #[inline]
    fn push_lossy(&mut self, b: &[u8]) {
        if plain(b, false) {
            self.push(b);
        } else {
            self.push(String::from_utf8_lossy(b).as_bytes());
        }
    }
}

/// Whether `b` is ASCII (and, with `nul`, has no NUL byte), a word (8 bytes) at a time:
/// the usual short names and keys are one or two loads, with no loop that exits at a
/// byte the branch predictor cannot guess.
#[inline]
fn plain(b: &[u8], nul: bool) -> bool {
    const ONES: u64 = 0x0101_0101_0101_0101;
    const HIGHS: u64 = 0x8080_8080_8080_8080;
    // A byte's high bit when it is not ASCII or (with `nul`) is zero.
    let bad = |x: u64| x | if nul { x.wrapping_sub(ONES) & !x } else { 0 };
    let load = |c: &[u8]| u64::from_le_bytes(c.try_into().expect("8 bytes"));
    let n = b.len();
    let acc = if n >= 8 {
        // Whole words, then the last 8 bytes (overlapping the words already seen).
        b.chunks_exact(8).fold(bad(load(&b[n - 8..])), |acc, c| acc | bad(load(c)))
    } else {
        // The bytes past the end made 0x01 (ASCII, not NUL).
        bad(crate::table::word(b) | ONES & (!0u64 << (8 * n)))
    };
    acc & HIGHS == 0
}

fn lossy(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

/// A command line that passed the lookup and arity checks.
pub struct Resolved {
    pub id: CmdId,
}

/// Lookup and arity, with the server's error replies.
// The error is the reply itself, by value: keeping it inline is what spares the heap.
#[allow(clippy::result_large_err)]
pub fn resolve(profile: &Profile, argv: &[&[u8]]) -> Result<Resolved, Reply> {
    command_line(profile, argv).map(|(id, _)| Resolved { id })
}

/// [`resolve`], with the command's definition.
#[inline]
#[allow(clippy::result_large_err)]
pub(crate) fn command_line(profile: &Profile, argv: &[&[u8]]) -> Result<(CmdId, &'static CommandDef), Reply> {
    if argv.is_empty() {
        return Err(no_command());
    }
    let Some((id, c)) = profile.command_of(argv) else {
        return Err(unknown_command(argv[0]));
    };
    let argc = argv.len() as i32;
    if (c.arity > 0 && c.arity != argc) || argc < -c.arity {
        return Err(wrong_arity(c));
    }
    Ok((id, c))
}

#[cold]
#[inline(never)]
fn unknown_command(name: &[u8]) -> Reply {
    Reply::error_with("Command '", name, "' not found")
}

#[cold]
#[inline(never)]
fn wrong_arity(c: &CommandDef) -> Reply {
    Reply::error_with("wrong number of arguments for '", c.name.as_bytes(), "' command")
}

/// What a selector's checks (`ACLSelectorCheckCmd`) read of it: implemented by the
/// selectors as the server holds them ([`Selector`]) and by their compiled form
/// ([`compiled`]), so both give the same verdicts by construction.
pub(crate) trait SelectorView {
    /// The command's bit in the selector's bitmap.
    fn command_bit(&self, id: CmdId) -> bool;
    /// Whether a `+cmd|arg` rule allows `arg` as the first argument of `id`.
    fn first_arg_allowed(&self, id: CmdId, arg: &[u8]) -> bool;
    fn all_keys(&self) -> bool;
    /// Whether a key pattern granting the permissions needed matches `key`.
    fn key_allowed(&self, key: &[u8], read: bool, write: bool) -> bool;
    fn all_channels(&self) -> bool;
    /// Whether a channel pattern matches `channel` (for PSUBSCRIBE: equals it).
    fn channel_allowed(&self, channel: &[u8], pattern: bool) -> bool;
}

impl<T: SelectorView + ?Sized> SelectorView for &T {
    #[inline]
    fn command_bit(&self, id: CmdId) -> bool {
        (**self).command_bit(id)
    }
    fn first_arg_allowed(&self, id: CmdId, arg: &[u8]) -> bool {
        (**self).first_arg_allowed(id, arg)
    }
    #[inline]
    fn all_keys(&self) -> bool {
        (**self).all_keys()
    }
    #[inline]
    fn key_allowed(&self, key: &[u8], read: bool, write: bool) -> bool {
        (**self).key_allowed(key, read, write)
    }
    #[inline]
    fn all_channels(&self) -> bool {
        (**self).all_channels()
    }
    #[inline]
    fn channel_allowed(&self, channel: &[u8], pattern: bool) -> bool {
        (**self).channel_allowed(channel, pattern)
    }
}

impl SelectorView for Selector {
    #[inline]
    fn command_bit(&self, id: CmdId) -> bool {
        self.commands.get(id)
    }
    fn first_arg_allowed(&self, id: CmdId, arg: &[u8]) -> bool {
        self.first_args_of(id).iter().any(|f| c_str(arg).eq_ignore_ascii_case(c_str(f)))
    }
    #[inline]
    fn all_keys(&self) -> bool {
        self.all_keys
    }
    fn key_allowed(&self, key: &[u8], read: bool, write: bool) -> bool {
        key_allowed(self, key, read, write).is_some()
    }
    #[inline]
    fn all_channels(&self) -> bool {
        self.all_channels
    }
    fn channel_allowed(&self, channel: &[u8], pattern: bool) -> bool {
        channel_allowed(self, channel, pattern).is_some()
    }
}

/// The command check of one selector.
#[inline]
fn command_ok<S: SelectorView + ?Sized>(s: &S, c: &CommandDef, id: CmdId, argv: &[&[u8]]) -> bool {
    if c.has_flag(flag::NO_AUTH) || s.command_bit(id) {
        return true;
    }
    let idx = if c.parent().is_some() { 2 } else { 1 };
    argv.len() >= 2 && argv.get(idx).is_some_and(|a| s.first_arg_allowed(id, a))
}

/// The command check of one selector.
fn command_allowed(s: &Selector, profile: &Profile, id: CmdId, argv: &[&[u8]]) -> bool {
    command_ok(s, profile.command(id), id, argv)
}

fn key_allowed(s: &Selector, key: &[u8], read: bool, write: bool) -> Option<usize> {
    s.keys.iter().position(|p| (!read || p.read) && (!write || p.write) && glob::matches(&p.pattern, key))
}

fn channel_allowed(s: &Selector, channel: &[u8], pattern: bool) -> Option<usize> {
    s.channels.iter().position(|p| channel_matches(&p.pattern, channel, pattern))
}

/// Whether channel pattern `p` allows `channel`.
#[inline]
pub(crate) fn channel_matches(p: &[u8], channel: &[u8], pattern: bool) -> bool {
    if pattern {
        // PSUBSCRIBE needs the very pattern, compared as C strings.
        c_str(p) == c_str(channel)
    } else {
        glob::matches(p, channel)
    }
}

/// One selector's check (`ACLSelectorCheckCmd`).
#[inline]
fn check_selector<S: SelectorView + ?Sized>(
    s: &S,
    c: &CommandDef,
    id: CmdId,
    argv: &[&[u8]],
) -> Result<(), (Denial, usize)> {
    if !command_ok(s, c, id, argv) {
        return Err((Denial::Command, 0));
    }
    if !s.all_keys() && c.keys != KeyPlan::None {
        let mut denied = 0;
        let all = visit_keys(c, argv, |k| {
            let ok = s.key_allowed(argv[k.pos], k.needs_read(), k.needs_write());
            if !ok {
                denied = k.pos;
            }
            ok
        });
        if !all {
            return Err((Denial::Key, denied));
        }
    }
    if !s.all_channels() && c.channels != ChannelPlan::None {
        let mut denied = 0;
        let all = visit_channels(c, argv.len(), |pos, pattern| {
            let ok = s.channel_allowed(argv[pos], pattern);
            if !ok {
                denied = pos;
            }
            ok
        });
        if !all {
            return Err((Denial::Channel, denied));
        }
    }
    Ok(())
}

/// The verdict of a user's selectors on a resolved command line (`ACLCheckAllUserCommandPerm`):
/// `None` when one allows it, else the failure the server reports (the highest ranked,
/// then the last argument).
#[inline]
pub(crate) fn verdict<S: SelectorView>(
    selectors: impl IntoIterator<Item = S>,
    c: &CommandDef,
    id: CmdId,
    argv: &[&[u8]],
) -> Option<(Denial, usize)> {
    let mut worst: Option<(Denial, usize)> = None;
    for s in selectors {
        match check_selector(&s, c, id, argv) {
            Ok(()) => return None,
            Err(d) => {
                if worst.is_none_or(|w| d.0 > w.0 || (d.0 == w.0 && d.1 > w.1)) {
                    worst = Some(d);
                }
            }
        }
    }
    Some(worst.expect("a user has at least one selector"))
}

/// The reply to a command line that passed [`resolve`], given the [`verdict`].
#[inline]
pub(crate) fn reply_for(
    profile: &Profile,
    user_name: &[u8],
    id: CmdId,
    c: &CommandDef,
    argv: &[&[u8]],
    denial: Option<(Denial, usize)>,
) -> Reply {
    match denial {
        None => Reply::ok(),
        // The text after the user is the same for every user: written once per command.
        Some((Denial::Command, pos)) => {
            let full = profile.table.run_denial(id);
            let text = match profile.behavior.denial {
                DenialStyle::ThisUser => ReplyText::from(full),
                DenialStyle::UserName => {
                    let mut s = ReplyText(Repr::Inline(USER.0, USER.1));
                    s.push_lossy(user_name);
                    s.push(&full.as_bytes()[THIS_USER.len()..]);
                    s
                }
            };
            Reply { kind: ReplyKind::Denied, text, denial: Some((Denial::Command, pos)) }
        }
        Some((kind, pos)) => Reply {
            kind: ReplyKind::Denied,
            text: denial_text(profile.behavior.denial, user_name, c.name, kind, argv[pos]),
            denial: Some((kind, pos)),
        },
    }
}

/// The reply when no user has that name.
#[cold]
#[inline(never)]
pub(crate) fn no_such_user(name: &[u8]) -> Reply {
    Reply::error_with("User '", name, "' not found")
}

/// The reply to an empty command line (the subcommand's own arity, -4, is checked before
/// anything else).
#[cold]
#[inline(never)]
pub(crate) fn no_command() -> Reply {
    Reply {
        kind: ReplyKind::Error,
        text: "ERR wrong number of arguments for 'acl|dryrun' command".into(),
        denial: None,
    }
}

/// `ACL DRYRUN`. `user` is `None` when no user has that name.
pub fn dryrun(profile: &Profile, name: &[u8], user: Option<&User>, argv: &[&[u8]]) -> Reply {
    if argv.is_empty() {
        return no_command();
    }
    let Some(user) = user else {
        return no_such_user(name);
    };
    let (id, c) = match command_line(profile, argv) {
        Ok(r) => r,
        Err(e) => return e,
    };
    let denial = verdict(&user.selectors, c, id, argv);
    reply_for(profile, &user.name, id, c, argv, denial)
}

/// `s` at the start of an inline buffer (for texts that start the same way: copying the
/// buffer is as cheap as zeroing it).
const fn starting(s: &str) -> (u8, [u8; INLINE]) {
    let mut b = [0; INLINE];
    let s = s.as_bytes();
    let mut i = 0;
    while i < s.len() {
        b[i] = s[i];
        i += 1;
    }
    (s.len() as u8, b)
}

const THIS_USER_RUN: (u8, [u8; INLINE]) = starting("This user has no permissions to run the '");
const THIS_USER_ACCESS: (u8, [u8; INLINE]) = starting("This user has no permissions to access the '");
const USER: (u8, [u8; INLINE]) = starting("User ");
/// What [`crate::table::Table::run_denial`] starts with, before ` has no permissions`.
const THIS_USER: &str = "This user";

/// `This user has no permissions to …` / `User <name> has no permissions to …`.
#[inline]
fn denial_text(style: DenialStyle, user_name: &[u8], command: &str, kind: Denial, arg: &[u8]) -> ReplyText {
    let (mut s, arg) = match style {
        DenialStyle::ThisUser => {
            let (len, buf) = if kind == Denial::Command { THIS_USER_RUN } else { THIS_USER_ACCESS };
            // `%s`: cut at a NUL (rare; the check is a word at a time).
            (ReplyText(Repr::Inline(len, buf)), if plain(arg, true) { arg } else { c_str(arg) })
        }
        DenialStyle::UserName => {
            let mut s = ReplyText(Repr::Inline(USER.0, USER.1));
            s.push_lossy(user_name);
            s.push(if kind == Denial::Command {
                b" has no permissions to run the '"
            } else {
                b" has no permissions to access the '"
            });
            (s, arg)
        }
    };
    match kind {
        Denial::Command => {
            s.push(command.as_bytes());
            s.push(b"' command");
        }
        Denial::Key => {
            s.push_lossy(arg);
            s.push(b"' key");
        }
        Denial::Channel => {
            s.push_lossy(arg);
            s.push(b"' channel");
        }
    }
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::server::error_reply;

    /// The texts as they were built before [`ReplyText`]: `format!` and `String`s.
    fn denial_reference(style: DenialStyle, user: &[u8], command: &str, kind: Denial, arg: &[u8]) -> String {
        let (who, arg) = match style {
            DenialStyle::ThisUser => ("This user".to_string(), c_str(arg)),
            DenialStyle::UserName => (format!("User {}", String::from_utf8_lossy(user)), arg),
        };
        match kind {
            Denial::Command => format!("{who} has no permissions to run the '{command}' command"),
            Denial::Key => format!("{who} has no permissions to access the '{}' key", String::from_utf8_lossy(arg)),
            Denial::Channel => {
                format!("{who} has no permissions to access the '{}' channel", String::from_utf8_lossy(arg))
            }
        }
    }

    #[test]
    fn plain_is_ascii_without_nul() {
        let bytes: [u8; 7] = [b'a', b'Z', 0, 1, 0x7f, 0x80, 0xff];
        let mut cases: Vec<Vec<u8>> = vec![Vec::new()];
        for n in 1..=20 {
            for bad in &bytes {
                for at in 0..n {
                    let mut v: Vec<u8> = (0..n).map(|i| b'a' + (i % 26) as u8).collect();
                    v[at] = *bad;
                    cases.push(v);
                }
            }
        }
        for c in &cases {
            for nul in [false, true] {
                assert_eq!(plain(c, nul), c.is_ascii() && (!nul || !c.contains(&0)), "{c:?} {nul}");
            }
        }
    }

    #[test]
    fn reply_texts_equal_the_formatted_ones() {
        let long = vec![b'k'; 300];
        let args: [&[u8]; 9] =
            [b"", b"app:1", b"a\0b", b"\xff\xfeq", b"\xc3\xa9t\xc3", b"x\r\ny\n", &long, &long[..INLINE - 40], b"\n"];
        for style in [DenialStyle::ThisUser, DenialStyle::UserName] {
            for kind in [Denial::Command, Denial::Key, Denial::Channel] {
                for user in args {
                    for arg in args {
                        let got = denial_text(style, user, "config|get", kind, arg);
                        assert_eq!(got, denial_reference(style, user, "config|get", kind, arg));
                        assert_eq!(got.byte_len(), got.as_str().len());
                    }
                }
            }
        }
        for arg in args {
            let lossy = String::from_utf8_lossy(c_str(arg));
            assert_eq!(unknown_command(arg).text, error_reply(format!("Command '{lossy}' not found")));
            assert_eq!(no_such_user(arg).text, error_reply(format!("User '{lossy}' not found")));
        }
        assert_eq!(no_command().text, error_reply("wrong number of arguments for 'acl|dryrun' command".into()));
        let c = crate::profile::REDIS_7_0.command(crate::profile::REDIS_7_0.lookup(b"get").unwrap());
        assert_eq!(wrong_arity(c).text, error_reply("wrong number of arguments for 'get' command".into()));
        for profile in [&crate::profile::REDIS_7_0, &crate::profile::VALKEY_8_1] {
            for (id, c) in profile.table.commands().iter().enumerate() {
                let id = id as CmdId;
                let built = denial_text(DenialStyle::ThisUser, b"u", c.name, Denial::Command, b"");
                assert_eq!(profile.table.run_denial(id), built.as_str());
                for user in args {
                    let argv: [&[u8]; 1] = [c.name.as_bytes()];
                    let reply = reply_for(profile, user, id, c, &argv, Some((Denial::Command, 0)));
                    let want = denial_reference(profile.behavior.denial, user, c.name, Denial::Command, b"");
                    assert_eq!(reply.text, want);
                    assert_eq!(reply.denial, Some((Denial::Command, 0)));
                }
            }
        }
        assert_eq!(String::from(ReplyText::from("OK")), "OK");
        assert_eq!(format!("{:?}", ReplyText::from(String::from("a\"b"))), format!("{:?}", "a\"b"));
    }
}
