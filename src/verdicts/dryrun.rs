//! `ACL DRYRUN`: the server's verdict for a command line (`ACLCheckAllUserCommandPerm`
//! over the user's selectors), byte for byte. The checks read a selector through
//! [`SelectorView`], implemented by the selectors as the server holds them and by their
//! compiled form (`super::compiled`), so both give the same verdicts by construction.

use super::reply::{self, Denial, Reply, no_command, no_such_user, unknown_command, wrong_arity};
use crate::bytes::{c_str, glob};
use crate::commands::databases::{DATABASES, DbAccess};
use crate::commands::profile::KeynumLast;
use crate::commands::table::CommandDef;
use crate::commands::{CmdId, Profile, flag};
use crate::engine::acl::{Selector, User};

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

/// What a selector's checks (`ACLSelectorCheckCmd`) read of it: implemented by the
/// selectors as the server holds them ([`Selector`]) and by their compiled form
/// (`super::compiled`), so both give the same verdicts by construction.
pub(crate) trait SelectorView {
    /// The command's bit in the selector's bitmap.
    fn command_bit(&self, id: CmdId) -> bool;
    /// Whether a `+cmd|arg` rule allows `arg` as the first argument of `id`.
    fn first_arg_allowed(&self, id: CmdId, arg: &[u8]) -> bool;
    fn all_keys(&self) -> bool;
    /// Whether a key pattern granting the permissions needed matches `key` (`limit`: the
    /// profile's `behavior.string_match_nesting_limit`).
    fn key_allowed(&self, key: &[u8], read: bool, write: bool, limit: bool) -> bool;
    fn all_channels(&self) -> bool;
    /// Whether a channel pattern matches `channel` (for PSUBSCRIBE: equals it).
    fn channel_allowed(&self, channel: &[u8], pattern: bool, limit: bool) -> bool;
    /// `alldbs` (always, on versions without database rules).
    fn all_dbs(&self) -> bool;
    /// Whether `db=` lists database `id`.
    fn db_allowed(&self, id: i64) -> bool;
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
    fn key_allowed(&self, key: &[u8], read: bool, write: bool, limit: bool) -> bool {
        (**self).key_allowed(key, read, write, limit)
    }
    #[inline]
    fn all_channels(&self) -> bool {
        (**self).all_channels()
    }
    #[inline]
    fn channel_allowed(&self, channel: &[u8], pattern: bool, limit: bool) -> bool {
        (**self).channel_allowed(channel, pattern, limit)
    }
    #[inline]
    fn all_dbs(&self) -> bool {
        (**self).all_dbs()
    }
    fn db_allowed(&self, id: i64) -> bool {
        (**self).db_allowed(id)
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
    fn key_allowed(&self, key: &[u8], read: bool, write: bool, limit: bool) -> bool {
        key_allowed(self, key, read, write, limit).is_some()
    }
    #[inline]
    fn all_channels(&self) -> bool {
        self.all_channels
    }
    fn channel_allowed(&self, channel: &[u8], pattern: bool, limit: bool) -> bool {
        channel_allowed(self, channel, pattern, limit).is_some()
    }
    #[inline]
    fn all_dbs(&self) -> bool {
        self.all_dbs
    }
    fn db_allowed(&self, id: i64) -> bool {
        Selector::db_allowed(self, id)
    }
}

/// Told what one selector's check looks at, in the server's order, by the check itself:
/// the explanation (`explain`) is then what decided, never a second derivation that could
/// disagree. `()` watches nothing: its `ACTIVE` is false, so the calls compile away and
/// DRYRUN pays nothing for them.
pub(super) trait Watch {
    const ACTIVE: bool = true;
    /// A database asked about: at argv index `pos` (0: the one the command runs in, or
    /// every database when `db` is `None`).
    fn database(&mut self, _pos: usize, _db: Option<i64>, _allowed: bool) {}
    fn command(&mut self, _allowed: bool) {}
    /// A key the command uses; `all`: the selector has `allkeys`, so no pattern was asked.
    fn key(&mut self, _pos: usize, _read: bool, _write: bool, _all: bool, _allowed: bool) {}
    /// A channel (`pattern`: PSUBSCRIBE's, compared literally); `all`: `allchannels`.
    fn channel(&mut self, _pos: usize, _pattern: bool, _all: bool, _allowed: bool) {}
}

impl Watch for () {
    const ACTIVE: bool = false;
}

/// The database check of one selector (Valkey 9.1, before the command check): each of
/// the server's databases for an all-databases command, then each database the
/// arguments name, then the one the command runs in. `Err` holds the argv index to report (0: argv[0]).
#[inline]
fn db_check<S: SelectorView + ?Sized, W: Watch>(
    s: &S,
    c: &CommandDef,
    argv: &[&[u8]],
    db: i64,
    w: &mut W,
) -> Result<(), usize> {
    if s.all_dbs() {
        return Ok(());
    }
    db_check_restricted(s, c, argv, db, w)
}

// Kept out of line: the usual selector has `alldbs`.
#[inline(never)]
fn db_check_restricted<S: SelectorView + ?Sized, W: Watch>(
    s: &S,
    c: &CommandDef,
    argv: &[&[u8]],
    db: i64,
    w: &mut W,
) -> Result<(), usize> {
    if c.db == DbAccess::All {
        let ok = (0..DATABASES).all(|d| s.db_allowed(d));
        w.database(0, None, ok);
        if !ok {
            return Err(0);
        }
    }
    let mut denied = 0;
    if !c.visit_db_args(argv, |pos, id| {
        let ok = s.db_allowed(id);
        w.database(pos, Some(id), ok);
        denied = pos;
        ok
    }) {
        return Err(denied);
    }
    if c.db == DbAccess::Current {
        let ok = s.db_allowed(db);
        w.database(0, Some(db), ok);
        if !ok {
            return Err(0);
        }
    }
    Ok(())
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
pub(super) fn command_allowed(s: &Selector, profile: &Profile, id: CmdId, argv: &[&[u8]]) -> bool {
    command_ok(s, profile.command(id), id, argv)
}

pub(super) fn key_allowed(s: &Selector, key: &[u8], read: bool, write: bool, limit: bool) -> Option<usize> {
    s.keys.iter().position(|p| (!read || p.read) && (!write || p.write) && glob::matches_as(&p.pattern, key, limit))
}

pub(super) fn channel_allowed(s: &Selector, channel: &[u8], pattern: bool, limit: bool) -> Option<usize> {
    s.channels.iter().position(|p| channel_matches(&p.pattern, channel, pattern, limit))
}

/// Whether channel pattern `p` allows `channel`.
#[inline]
pub(crate) fn channel_matches(p: &[u8], channel: &[u8], pattern: bool, limit: bool) -> bool {
    if pattern {
        // PSUBSCRIBE needs the very pattern, compared as C strings.
        c_str(p) == c_str(channel)
    } else {
        glob::matches_as(p, channel, limit)
    }
}

/// One selector's check (`ACLSelectorCheckCmd`); `db` is the database the command runs
/// in. `w` is told each step (see [`Watch`]).
#[inline]
// The selector, the line, the database and the profile's two switches the matching needs,
// plus the watcher: each is read where the server reads it.
#[allow(clippy::too_many_arguments)]
pub(super) fn check_selector<S: SelectorView + ?Sized, W: Watch>(
    s: &S,
    c: &CommandDef,
    id: CmdId,
    argv: &[&[u8]],
    db: i64,
    keynum: KeynumLast,
    limit: bool,
    w: &mut W,
) -> Result<(), (Denial, usize)> {
    db_check(s, c, argv, db, w).map_err(|pos| (Denial::Database, pos))?;
    let command = command_ok(s, c, id, argv);
    w.command(command);
    if !command {
        return Err((Denial::Command, 0));
    }
    // The server skips the keys of an `allkeys` selector; a watcher still hears of them.
    if c.has_keys() && (W::ACTIVE || !s.all_keys()) {
        let all = s.all_keys();
        let mut denied = 0;
        let every = c.visit_keys(argv, keynum, |k| {
            let (r, wr) = (k.needs_read(), k.needs_write());
            let ok = all || s.key_allowed(argv[k.pos], r, wr, limit);
            w.key(k.pos, r, wr, all, ok);
            if !ok {
                denied = k.pos;
            }
            ok
        });
        if !every {
            return Err((Denial::Key, denied));
        }
    }
    if c.has_channels() && (W::ACTIVE || !s.all_channels()) {
        let all = s.all_channels();
        let mut denied = 0;
        let every = c.visit_channels(argv.len(), |pos, pattern| {
            let ok = all || s.channel_allowed(argv[pos], pattern, limit);
            w.channel(pos, pattern, all, ok);
            if !ok {
                denied = pos;
            }
            ok
        });
        if !every {
            return Err((Denial::Channel, denied));
        }
    }
    Ok(())
}

/// The verdict of a user's selectors on a resolved command line (`ACLCheckAllUserCommandPerm`)
/// run in database `db`: `None` when one allows it, else the failure the server reports
/// (the highest ranked, then the last argument). `keynum` and `limit` are the profile's
/// `behavior.keynum_last` and `behavior.string_match_nesting_limit`.
#[inline]
pub(crate) fn verdict<S: SelectorView>(
    selectors: impl IntoIterator<Item = S>,
    c: &CommandDef,
    id: CmdId,
    argv: &[&[u8]],
    db: i64,
    keynum: KeynumLast,
    limit: bool,
) -> Option<(Denial, usize)> {
    let mut worst: Option<(Denial, usize)> = None;
    for s in selectors {
        match check_selector(&s, c, id, argv, db, keynum, limit, &mut ()) {
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
        Some((kind, pos)) => reply::denied(profile, user_name, id, c, kind, pos, argv[pos]),
    }
}

/// `ACL DRYRUN` asked on a connection in database 0 (a new connection's). `user` is
/// `None` when no user has that name.
pub fn dryrun(profile: &Profile, name: &[u8], user: Option<&User>, argv: &[&[u8]]) -> Reply {
    dryrun_in(profile, name, user, argv, 0)
}

/// `ACL DRYRUN` asked on a connection that has selected database `db`: the server checks
/// the user's database rules against the asking connection's database (SELECT before
/// DRYRUN changes the verdict of GET; `ACL DRYRUN u SELECT 2` checks database 2).
pub fn dryrun_in(profile: &Profile, name: &[u8], user: Option<&User>, argv: &[&[u8]], db: i64) -> Reply {
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
    let b = &profile.behavior;
    let denial = verdict(&user.selectors, c, id, argv, db, b.keynum_last, b.string_match_nesting_limit);
    reply_for(profile, &user.name, id, c, argv, denial)
}
