//! Whether one set of permissions allows a command line that others deny, and which:
//! the exact question under `aclplay diff`. A user allows a command line when one of its
//! selectors allows the command (its bit, or a `+cmd|arg` rule on the first argument),
//! every key (with the read/write rights it needs), every channel and (Valkey 9.1) every
//! database it uses — database 0 for a DRYRUN line, each one for FLUSHALL, and those its
//! arguments name; a key pattern of one selector never combines with a command or key of
//! another.
//!
//! Over one command's [`shapes`](super::shapes) and the [`atoms`](super::lang) of every
//! pattern and first argument involved, the search picks one string per key, channel and
//! first argument so that a selector of the allowing side passes and every selector of
//! the denying sides fails somewhere. What it finds is confirmed with the engine's own
//! `ACL DRYRUN` on both sides before it is returned: a witness is always a real command
//! line, and none found means none exists (for the shapes of the command).

use super::lang::{Atom, Test, TooComplex, atoms};
use super::shapes::{Role, Shapes, Template, roles};
use crate::commands::databases::{DATABASES, DbAccess};
use crate::commands::{CmdId, Profile, flag};
use crate::engine::acl::{Selector, User};
use crate::verdicts::dryrun;

/// One side of a comparison: a user as a server version holds it.
#[derive(Debug, Clone, Copy)]
pub struct Side<'a> {
    pub profile: &'static Profile,
    pub user: &'a User,
}

impl Side<'_> {
    /// The engine's verdict: `ACL DRYRUN` replies `OK`.
    pub fn allows(&self, argv: &[&[u8]]) -> bool {
        dryrun(self.profile, &self.user.name, Some(self.user), argv).is_ok()
    }
}

/// Product states explored per universe before giving up.
const STATE_LIMIT: usize = 200_000;
/// Search nodes per command before giving up.
const NODE_LIMIT: usize = 20_000;

/// The search found neither a witness nor a proof that none exists.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error, miette::Diagnostic)]
pub enum Undecided {
    #[error(transparent)]
    #[diagnostic(transparent)]
    TooComplex(#[from] TooComplex),
    #[error("the search for a command line that `{command}` allows took too long")]
    #[diagnostic(code(review::search_limit))]
    SearchLimit { command: String },
}

/// Every string test the sides' selectors make, and the atoms they split strings into.
pub struct Universe {
    tests: Vec<Test>,
    index: std::collections::HashMap<Test, usize>,
    pub atoms: Vec<Atom>,
    /// The tests "names database d" (`d` exactly, as the strict integer parser reads
    /// database arguments), for every database of the server, when some selector has
    /// database rules.
    databases: Vec<u64>,
}

/// The test that a string names database `d`: only its plain decimal does (`01`, `+1`
/// and ` 1` name none), which the glob of its digits matches exactly.
fn db_test(d: i64) -> Test {
    Test::Glob(d.to_string().into_bytes())
}

impl Universe {
    /// The tests of every selector of `users` (key and channel patterns, first arguments).
    pub fn new<'u>(users: impl IntoIterator<Item = &'u User>) -> Result<Universe, TooComplex> {
        let mut tests: Vec<Test> = Vec::new();
        let mut add = |t: Test| {
            if !tests.contains(&t) {
                tests.push(t);
            }
        };
        let mut any_dbs = false;
        for u in users {
            for s in &u.selectors {
                any_dbs |= !s.all_dbs;
                for k in &s.keys {
                    add(Test::Glob(k.pattern.clone()));
                }
                for c in &s.channels {
                    add(Test::Glob(c.pattern.clone()));
                    add(Test::CEq(c.pattern.clone()));
                }
                for (_, args) in &s.first_args {
                    for a in args {
                        add(Test::CEqNoCase(a.clone()));
                    }
                }
            }
        }
        if any_dbs {
            for d in 0..DATABASES {
                add(db_test(d));
            }
        }
        let atoms = atoms(&tests, STATE_LIMIT)?;
        let index = tests.iter().enumerate().map(|(i, t)| (t.clone(), i)).collect();
        let mut u = Universe { tests, index, atoms, databases: Vec::new() };
        u.databases = if any_dbs { u.mask((0..DATABASES).map(db_test)) } else { u.mask([]) };
        Ok(u)
    }

    fn index(&self, t: &Test) -> usize {
        *self.index.get(t).expect("every test of the sides is in the universe")
    }

    /// A side with its selectors' masks computed once (for many [`witness`] calls).
    pub fn prepare<'a>(&self, side: Side<'a>) -> Prepared<'a> {
        Prepared { side, masks: side.user.selectors.iter().map(|s| Masks::of(self, s)).collect() }
    }

    fn mask(&self, tests: impl IntoIterator<Item = Test>) -> Vec<u64> {
        let mut m = vec![0u64; self.tests.len().div_ceil(64).max(1)];
        for t in tests {
            let i = self.index(&t);
            m[i / 64] |= 1 << (i % 64);
        }
        m
    }
}

/// A side and what its selectors accept, over one universe.
pub struct Prepared<'a> {
    pub side: Side<'a>,
    masks: Vec<Masks>,
}

/// What one selector accepts, as masks over the universe's tests.
struct Masks {
    all_keys: bool,
    /// Patterns granting (read?, write?), indexed by `need(read, write)`.
    keys: [Vec<u64>; 4],
    all_channels: bool,
    channel_globs: Vec<u64>,
    channel_equal: Vec<u64>,
    all_dbs: bool,
    /// The databases `db=` allows (of the server's).
    dbs: Vec<u64>,
    /// Allows the database a DRYRUN line runs in (0, a new connection's) / every one.
    db0: bool,
    every_db: bool,
}

fn need(read: bool, write: bool) -> usize {
    usize::from(read) | usize::from(write) << 1
}

impl Masks {
    fn of(u: &Universe, s: &Selector) -> Masks {
        let keys = std::array::from_fn(|n| {
            let (r, w) = (n & 1 == 1, n & 2 == 2);
            u.mask(s.keys.iter().filter(|k| (!r || k.read) && (!w || k.write)).map(|k| Test::Glob(k.pattern.clone())))
        });
        let allowed = |d: i64| s.all_dbs || s.dbs.iter().any(|&x| i64::from(x) == d);
        Masks {
            all_keys: s.all_keys,
            keys,
            all_channels: s.all_channels,
            channel_globs: u.mask(s.channels.iter().map(|c| Test::Glob(c.pattern.clone()))),
            channel_equal: u.mask(s.channels.iter().map(|c| Test::CEq(c.pattern.clone()))),
            all_dbs: s.all_dbs,
            dbs: if s.all_dbs { u.mask([]) } else { u.mask((0..DATABASES).filter(|&d| allowed(d)).map(db_test)) },
            db0: allowed(0),
            every_db: (0..DATABASES).all(allowed),
        }
    }

    /// The database check of the command itself (the arguments aside), in database 0.
    fn db_ok(&self, profile: &Profile, id: CmdId) -> bool {
        self.all_dbs
            || match profile.command(id).db {
                DbAccess::None => true,
                DbAccess::Current => self.db0,
                DbAccess::All => self.every_db,
            }
    }

    fn role_ok(&self, u: &Universe, role: Role, a: &Atom) -> bool {
        match role {
            // A string that names no database is checked against none.
            Role::Db => self.all_dbs || !a.any(&u.databases) || a.any(&self.dbs),
            Role::Key { read, write } => self.all_keys || a.any(&self.keys[need(read, write)]),
            Role::Channel { pattern: false } => self.all_channels || a.any(&self.channel_globs),
            Role::Channel { pattern: true } => self.all_channels || a.any(&self.channel_equal),
        }
    }
}

/// A selector's command check for one command: passes, fails, or depends on the first
/// argument (the tests of its `+cmd|arg` rules).
enum CmdCheck {
    Pass,
    Fail,
    FirstArg(Vec<u64>),
}

fn cmd_check(u: &Universe, profile: &Profile, s: &Selector, id: CmdId) -> CmdCheck {
    if profile.command(id).has_flag(flag::NO_AUTH) || s.commands.get(id) {
        return CmdCheck::Pass;
    }
    let args = s.first_args_of(id);
    if args.is_empty() {
        CmdCheck::Fail
    } else {
        CmdCheck::FirstArg(u.mask(args.iter().map(|a| Test::CEqNoCase(a.clone()))))
    }
}

/// A command line's command and the roles of its arguments, in one version.
type Resolved = (CmdId, Vec<(usize, Role)>);

/// A command line found by the search, confirmed by the engine.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Found {
    pub argv: Vec<Vec<u8>>,
}

/// One selector on one template: the atoms it accepts at each variable position, or
/// `None` when it fails whatever the strings.
#[allow(clippy::too_many_arguments)]
fn accepted(
    u: &Universe,
    profile: &Profile,
    s: &Selector,
    masks: &Masks,
    t: &Template,
    side_roles: &[(usize, Role)],
    id: CmdId,
    positions: &[usize],
) -> Option<Vec<Vec<bool>>> {
    if !masks.db_ok(profile, id) {
        return None;
    }
    let check = cmd_check(u, profile, s, id);
    let fixed_first = |m: &Vec<u64>| {
        let arg = t.argv.get(if profile.command(id).parent().is_some() { 2 } else { 1 });
        arg.is_some_and(|a| {
            u.tests.iter().enumerate().any(|(i, test)| m[i / 64] >> (i % 64) & 1 == 1 && test.passes(a))
        })
    };
    // The first argument varies when it is one of the positions (a placeholder or a key).
    let first_var = profile.command(id).parent().is_none() && positions.contains(&1);
    let first_mask = match &check {
        CmdCheck::Fail => return None,
        CmdCheck::Pass => None,
        CmdCheck::FirstArg(m) if first_var => Some(m),
        CmdCheck::FirstArg(m) => {
            if !fixed_first(m) {
                return None;
            }
            None
        }
    };
    let mut out = Vec::with_capacity(positions.len());
    for &p in positions {
        let role = side_roles.iter().filter(|(q, _)| *q == p).map(|(_, r)| *r);
        let roles: Vec<Role> = role.collect();
        let ok: Vec<bool> = u
            .atoms
            .iter()
            .map(|a| roles.iter().all(|r| masks.role_ok(u, *r, a)) && (p != 1 || first_mask.is_none_or(|m| a.any(m))))
            .collect();
        if !ok.iter().any(|&x| x) {
            return None;
        }
        out.push(ok);
    }
    Some(out)
}

/// A command line of command `name` that `allow` allows and every side of `deny` denies,
/// or `Ok(None)` when there is none.
pub fn witness(
    u: &Universe,
    shapes: &mut Shapes,
    allow: &Prepared,
    deny: &[&Prepared],
    name: &str,
) -> Result<Option<Found>, Undecided> {
    let allow_masks = &allow.masks;
    let deny_masks: Vec<&Vec<Masks>> = deny.iter().map(|d| &d.masks).collect();
    let allow = allow.side;
    let deny: Vec<Side> = deny.iter().map(|d| d.side).collect();
    let Some(id) = allow.profile.lookup(name.as_bytes()) else { return Ok(None) };
    let possible = |s: &Selector| !matches!(cmd_check(u, allow.profile, s, id), CmdCheck::Fail);
    if !allow.user.selectors.iter().any(possible) {
        return Ok(None);
    }
    debug_assert!(std::ptr::eq(shapes.profile, allow.profile));
    // Another version may refuse an argument count this one takes (and see no command
    // line at all): every count of each shape is tried then.
    let across = deny.iter().any(|d| !std::ptr::eq(d.profile, allow.profile));
    let templates: Vec<Template> = if across { shapes.across(id) } else { shapes.of(id).to_vec() };
    let mut nodes = 0usize;
    for t in &templates {
        let refs: Vec<&[u8]> = t.argv.iter().map(Vec::as_slice).collect();
        // The denying sides' view of the same line (another version may find other keys).
        let deny_roles: Vec<Option<Resolved>> = deny
            .iter()
            .map(|d| roles(d.profile, &refs).filter(|(did, _)| d.profile.command(*did).name == name))
            .collect();
        let mut positions: Vec<usize> = t.roles.iter().map(|(p, _)| *p).collect();
        for (_, r) in deny_roles.iter().flatten() {
            positions.extend(r.iter().map(|(p, _)| *p));
        }
        if t.free_first {
            positions.push(1);
        }
        positions.sort_unstable();
        positions.dedup();
        // Every denying selector, with the atoms it accepts per position (None: it fails
        // whatever the strings).
        let mut denying: Vec<Option<Vec<Vec<bool>>>> = Vec::new();
        for ((d, masks), dr) in deny.iter().zip(&deny_masks).zip(&deny_roles) {
            let masks: &Vec<Masks> = masks;
            let Some((did, droles)) = dr else { continue };
            for (s, m) in d.user.selectors.iter().zip(masks) {
                denying.push(accepted(u, d.profile, s, m, t, droles, *did, &positions));
            }
        }
        let denying: Vec<Vec<Vec<bool>>> = denying.into_iter().flatten().collect();
        for (s, m) in allow.user.selectors.iter().zip(allow_masks) {
            let Some(ok) = accepted(u, allow.profile, s, m, t, &t.roles, id, &positions) else { continue };
            let mut assign: Vec<Option<usize>> = vec![None; positions.len()];
            let mut found = None;
            search(&ok, &denying, &mut assign, &mut nodes, &mut |assign| {
                let argv = build(t, &positions, assign, &ok, u);
                let refs: Vec<&[u8]> = argv.iter().map(Vec::as_slice).collect();
                if allow.allows(&refs) && deny.iter().all(|d| !d.allows(&refs)) {
                    found = Some(Found { argv });
                    true
                } else {
                    false
                }
            });
            if found.is_some() {
                return Ok(found);
            }
            if nodes > NODE_LIMIT {
                return Err(Undecided::SearchLimit { command: name.to_string() });
            }
        }
    }
    Ok(None)
}

/// The command line of an assignment: the template with each variable position's atom
/// witness (a free position takes the first atom the allowing selector accepts).
fn build(t: &Template, positions: &[usize], assign: &[Option<usize>], ok: &[Vec<bool>], u: &Universe) -> Vec<Vec<u8>> {
    let mut argv = t.argv.clone();
    for (i, &p) in positions.iter().enumerate() {
        let a = assign[i].unwrap_or_else(|| {
            // Prefer an atom with a non-empty witness: it reads better.
            let acc: Vec<usize> = (0..u.atoms.len()).filter(|&a| ok[i][a]).collect();
            acc.iter().copied().find(|&a| !u.atoms[a].witness.is_empty()).unwrap_or(acc[0])
        });
        argv[p] = u.atoms[a].witness.clone();
    }
    argv
}

/// Depth-first: make each denying selector fail at some position, within what the
/// allowing selector accepts; `done` confirms a complete choice (true stops).
fn search(
    ok: &[Vec<bool>],
    denying: &[Vec<Vec<bool>>],
    assign: &mut Vec<Option<usize>>,
    nodes: &mut usize,
    done: &mut impl FnMut(&[Option<usize>]) -> bool,
) -> bool {
    *nodes += 1;
    if *nodes > NODE_LIMIT {
        return false;
    }
    let fails = |d: &Vec<Vec<bool>>, assign: &[Option<usize>]| {
        assign.iter().enumerate().any(|(i, a)| a.is_some_and(|a| !d[i][a]))
    };
    let Some(next) = denying.iter().find(|d| !fails(d, assign)) else {
        return done(assign);
    };
    for i in 0..assign.len() {
        if assign[i].is_some() {
            continue;
        }
        // Atoms that make `next` fail here; among those, one per way of treating the
        // other denying selectors (the rest are interchangeable for the search).
        let mut tried: Vec<Vec<bool>> = Vec::new();
        let mut cands: Vec<(usize, usize)> = Vec::new();
        for a in 0..ok[i].len() {
            if !ok[i][a] || next[i][a] {
                continue;
            }
            let sig: Vec<bool> = denying.iter().map(|d| d[i][a]).collect();
            if tried.contains(&sig) {
                continue;
            }
            let failing = sig.iter().filter(|x| !**x).count();
            tried.push(sig);
            cands.push((failing, a));
        }
        cands.sort_by_key(|c| std::cmp::Reverse(c.0));
        for (_, a) in cands {
            assign[i] = Some(a);
            if search(ok, denying, assign, nodes, done) {
                return true;
            }
            assign[i] = None;
        }
    }
    false
}
