//! The ACL model: users and selectors as the server holds them, and the record of every
//! rule applied to them (kept for explanations and the audit). Applying rules is
//! [`super::rules`].

use crate::commands::{Bitmap, CmdId, Profile};
use crate::span::Span;

/// A key pattern and the permissions it grants.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KeyPattern {
    pub pattern: Vec<u8>,
    pub read: bool,
    pub write: bool,
    /// The rule token that added it first.
    pub origin: Option<Span>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChannelPattern {
    pub pattern: Vec<u8>,
    pub origin: Option<Span>,
}

/// What a successful command rule did, kept in order: it explains which rule decided a
/// command, and it is what Valkey prints in `ACL LIST`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Effect {
    /// `+@all` / `allcommands` (true), `-@all` / `nocommands` / `reset` (false).
    All(bool),
    /// `±@category` (index into the table's categories).
    Category(bool, u8),
    /// `±cmd` or `±container|sub`.
    Command(bool, CmdId),
    /// `+cmd|arg`: allowed first argument of a command without subcommands.
    FirstArg(CmdId, Vec<u8>),
}

impl Effect {
    /// The commands (and subcommands) the rule sets or clears: every bit for `±@all`,
    /// the category's closure for `±@cat`, the command and its subcommands for `±cmd`,
    /// none for a first-argument rule.
    pub fn touched(&self, profile: &Profile) -> Bitmap {
        match *self {
            Effect::All(_) => Bitmap::ALL,
            Effect::Category(_, cat) => profile.category_closure(cat as usize).bits,
            Effect::Command(_, id) => profile.with_subcommands(id),
            Effect::FirstArg(..) => Bitmap::default(),
        }
    }

    /// Whether the rule sets or clears command `id` ([`Effect::touched`] of it).
    pub fn covers(&self, profile: &Profile, id: CmdId) -> bool {
        match *self {
            Effect::All(_) => true,
            Effect::Category(_, cat) => profile.category_closure(cat as usize).bits.get(id),
            Effect::Command(_, c) => c == id || profile.command(id).parent() == Some(c),
            Effect::FirstArg(..) => false,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CmdRule {
    pub effect: Effect,
    /// The rule as the token spelt it (Valkey lowercases it when printing).
    pub text: Vec<u8>,
    pub origin: Option<Span>,
}

impl CmdRule {
    pub fn allows(&self) -> bool {
        match self.effect {
            Effect::All(a) | Effect::Category(a, _) | Effect::Command(a, _) => a,
            Effect::FirstArg(..) => true,
        }
    }
}

/// A set of permissions: the root selector (rules outside parentheses) or a `(...)` one.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Selector {
    pub commands: Bitmap,
    /// The "may run future commands" bit: set by `+@all`, cleared by `-@all` only.
    pub future: bool,
    /// Legacy allowed first arguments per command, in insertion order.
    pub first_args: Vec<(CmdId, Vec<Vec<u8>>)>,
    pub all_keys: bool,
    pub keys: Vec<KeyPattern>,
    pub all_channels: bool,
    pub channels: Vec<ChannelPattern>,
    /// `alldbs` (the start; the only state of versions without database rules).
    pub all_dbs: bool,
    /// The databases `db=` allows (sorted, each once) when not `all_dbs`; empty after
    /// `resetdbs`.
    pub dbs: Vec<u32>,
    /// The `alldbs` / `resetdbs` / `db=` rule that set `all_dbs` and `dbs` (each replaces
    /// what came before); `None` for the start.
    pub dbs_origin: Option<Span>,
    /// Successful command rules since the last `±@all`.
    pub rules: Vec<CmdRule>,
    /// The `(...)` token, for non-root selectors.
    pub origin: Option<Span>,
    /// Finds an existing key pattern, channel pattern or first argument in O(1) (see
    /// [`Lookup`]): keys, then channels, then first arguments.
    pub(crate) lookup: [Lookup; 3],
}

impl Selector {
    pub fn new(pubsub_all: bool) -> Selector {
        Selector {
            commands: Bitmap::default(),
            future: false,
            first_args: Vec::new(),
            all_keys: false,
            keys: Vec::new(),
            all_channels: pubsub_all,
            channels: Vec::new(),
            all_dbs: true,
            dbs: Vec::new(),
            dbs_origin: None,
            rules: Vec::new(),
            origin: None,
            lookup: Default::default(),
        }
    }

    /// Whether the selector allows database `id` (`alldbs`, or `db=` lists it).
    #[inline]
    pub fn db_allowed(&self, id: i64) -> bool {
        self.all_dbs || u32::try_from(id).is_ok_and(|id| self.dbs.binary_search(&id).is_ok())
    }

    /// The first arguments allowed for `id` while its bit is clear.
    pub fn first_args_of(&self, id: CmdId) -> &[Vec<u8>] {
        self.first_args.iter().find(|(c, _)| *c == id).map_or(&[], |(_, v)| v)
    }

    pub(crate) fn reset_first_args(&mut self, id: CmdId) {
        self.first_args.retain(|(c, _)| *c != id);
    }
}

/// What one successful rule did (kept in order on the user, for the security lint).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Op {
    Empty,
    On,
    Off,
    Nopass,
    Resetpass,
    /// `>pw` / `#hash` (add) or `<pw` / `!hash` (remove).
    Password {
        add: bool,
        plaintext: bool,
        digest: [u8; 32],
    },
    /// `sanitize-payload` (false) / `skip-sanitize-payload` (true).
    Sanitize {
        skip: bool,
    },
    /// A `(...)` selector was added; its own steps follow with its scope.
    Selector {
        scope: u32,
    },
    ClearSelectors,
    Reset,
    AllKeys,
    ResetKeys,
    Key {
        pattern: Vec<u8>,
    },
    AllChannels,
    ResetChannels,
    Channel {
        pattern: Vec<u8>,
    },
    /// `alldbs`.
    AllDbs,
    /// `resetdbs`.
    ResetDbs,
    /// `db=<id>[,<id>…]`: exactly these databases (sorted, each once).
    Dbs {
        ids: Vec<u32>,
    },
    Commands(Effect),
}

/// One applied rule.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Step {
    pub op: Op,
    pub span: Option<Span>,
    /// 0: the user or its root selector; n: the n-th `(...)` selector created.
    pub scope: u32,
}

/// RESTORE payload sanitisation flag.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Sanitize {
    Unset,
    Sanitize,
    Skip,
}

/// A user as the server holds it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct User {
    pub name: Vec<u8>,
    pub enabled: bool,
    pub nopass: bool,
    pub sanitize: Sanitize,
    /// SHA-256 digests, in insertion order.
    pub passwords: Vec<[u8; 32]>,
    /// `selectors[0]` is the root selector.
    pub selectors: Vec<Selector>,
    /// Every rule applied, in order.
    pub trail: Vec<Step>,
    /// Selectors created so far (scopes of their steps).
    pub scopes: u32,
    /// Lines the server logs while applying the rules (deprecation warnings).
    pub log: Vec<String>,
    /// Finds a password already in `passwords` in O(1) (see [`Lookup`]).
    pub(crate) lookup: Lookup,
}

/// Server settings that change how rules apply.
#[derive(Debug, Clone, Copy)]
pub struct Ctx<'a> {
    pub profile: &'a Profile,
    /// `acl-pubsub-default allchannels`.
    pub pubsub_all: bool,
}

impl User {
    /// Whether `AUTH <name> <password>` logs in as this user (`ACLCheckUserCredentials`):
    /// it must be `on`, and `nopass` or one of its passwords. Otherwise every version
    /// replies `WRONGPASS invalid username-password pair or user is disabled.`
    pub fn authenticates(&self, password: &[u8]) -> bool {
        use sha2::Digest;
        self.enabled && (self.nopass || self.passwords.iter().any(|p| p[..] == sha2::Sha256::digest(password)[..]))
    }

    /// A user as `ACL SETUSER` or an ACL file creates it: off, no permissions.
    pub fn new(name: &[u8], ctx: &Ctx) -> User {
        User {
            name: name.to_vec(),
            enabled: false,
            nopass: false,
            sanitize: if ctx.profile.behavior.new_user_sanitize_payload { Sanitize::Sanitize } else { Sanitize::Unset },
            passwords: Vec::new(),
            selectors: vec![Selector::new(ctx.pubsub_all)],
            trail: Vec::new(),
            scopes: 0,
            log: Vec::new(),
            lookup: Lookup::default(),
        }
    }

    /// Moves every span of the user by `by` bytes (see [`Span::shifted`]): its line moved
    /// in an edited text. Every span-carrying field of the model must be shifted here.
    pub fn shift(&mut self, by: isize) {
        let sh = |s: &mut Option<Span>| *s = s.map(|s| s.shifted(by));
        for step in &mut self.trail {
            sh(&mut step.span);
        }
        for sel in &mut self.selectors {
            sh(&mut sel.origin);
            sel.keys.iter_mut().for_each(|k| sh(&mut k.origin));
            sel.channels.iter_mut().for_each(|c| sh(&mut c.origin));
            sel.rules.iter_mut().for_each(|r| sh(&mut r.origin));
        }
    }

    /// The built-in `default` user: `on nopass ~* &* +@all` (whatever the pubsub default).
    pub fn new_default(ctx: &Ctx) -> User {
        let mut u = User::new(b"default", ctx);
        let n = ctx.profile.table.commands().len();
        u.enabled = true;
        u.nopass = true;
        let root = &mut u.selectors[0];
        root.all_keys = true;
        root.all_channels = true;
        root.commands = Bitmap::full(n);
        root.future = true;
        root.rules.push(CmdRule { effect: Effect::All(true), text: b"+@all".to_vec(), origin: None });
        u
    }
}

/// Finds an entry of a list that grows at its end (between clears) without comparing it
/// with every other entry: a map from each entry's hash to its position, built once the
/// list is long. The server compares every new pattern with the earlier ones, which is
/// quadratic: a rule line with 60,000 patterns took minutes. Derived data: it takes no
/// part in equality, and it checks itself against the list's length (any change it did
/// not see rebuilds it), so a stale map can only cost a rebuild, never a wrong answer.
#[derive(Clone, Default)]
pub struct Lookup {
    map: Option<Box<rustc_hash::FxHashMap<u64, u32>>>,
    /// The list's length when the map was last brought up to date.
    len: usize,
}

impl Lookup {
    /// Shorter lists are searched entry by entry.
    const MIN: usize = 16;

    /// The position of an entry with `hash` in a list of `len` entries, for which `is_it`
    /// holds: `Some(answer)`, or `None` when the caller must search the list itself (a
    /// short list, or a hash shared by two entries). `entries` hands every entry's hash
    /// and position to the callback, to (re)build the map.
    pub(crate) fn position(
        &mut self,
        len: usize,
        hash: u64,
        entries: impl FnOnce(&mut dyn FnMut(u64, usize)),
        is_it: impl Fn(usize) -> bool,
    ) -> Option<Option<usize>> {
        if len < Self::MIN {
            self.map = None;
            return None;
        }
        if self.map.is_none() || self.len != len {
            let mut map = rustc_hash::FxHashMap::with_capacity_and_hasher(len, Default::default());
            entries(&mut |h, at| {
                map.entry(h).or_insert(at as u32);
            });
            self.map = Some(Box::new(map));
            self.len = len;
        }
        match self.map.as_ref()?.get(&hash) {
            Some(&at) if is_it(at as usize) => Some(Some(at as usize)),
            Some(_) => None,
            None => Some(None),
        }
    }

    /// An entry with `hash` was added at position `at` to a list of `len` entries.
    pub(crate) fn pushed(&mut self, len: usize, hash: u64, at: usize) {
        if let Some(m) = self.map.as_mut().filter(|_| self.len == len) {
            m.entry(hash).or_insert(at as u32);
            self.len = len + 1;
        }
    }

    /// The hash of some bytes (folded to lowercase with `fold`).
    pub(crate) fn hash(parts: &[&[u8]], fold: bool) -> u64 {
        use std::hash::{BuildHasher, Hasher};
        let mut h = rustc_hash::FxBuildHasher.build_hasher();
        for p in parts {
            h.write_usize(p.len());
            if fold {
                p.iter().for_each(|b| h.write_u8(b.to_ascii_lowercase()));
            } else {
                h.write(p);
            }
        }
        h.finish()
    }
}

impl PartialEq for Lookup {
    fn eq(&self, _: &Lookup) -> bool {
        true
    }
}

impl Eq for Lookup {}

impl std::fmt::Debug for Lookup {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Lookup")
    }
}
