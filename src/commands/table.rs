//! Command tables: one per server version, recorded from a live server by
//! `aclplay-record tables` (`data/tables/`), packed and deduplicated across versions by
//! `build.rs` (the layout is `aclplay_formats::packed`'s), decoded here on first use.

use super::databases::{DbAccess, DbArgs, db_args};
use super::keys::{ChannelPlan, KeyPlan, KeyRef, channel_plan, plan, visit_channels, visit_keys};
use super::spec::{Begin, CmdId, Find, KeySpec};
use aclplay_formats::registry::Behavior;
use aclplay_formats::registry::KeynumLast;
use std::sync::OnceLock;

pub(crate) const NONE: CmdId = CmdId::MAX;

/// One server version's command table.
pub struct Table {
    /// `redis` or `valkey`.
    pub server: &'static str,
    /// Exact version the table was recorded from, e.g. `7.0.15`.
    pub version: &'static str,
    /// ACL categories in the order `ACL CAT` lists them.
    pub categories: &'static [&'static str],
    count: usize,
    /// Its commands as numbers of definitions in [`DEFS`], two bytes each.
    packed: &'static [u8],
    /// Its version's behaviour switches (the same as its profile's): how the server
    /// finds some commands' keys and databases depends on them.
    behavior: Behavior,
    decoded: OnceLock<&'static [CommandDef]>,
}

impl std::fmt::Debug for Table {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Table({} {})", self.server, self.version)
    }
}

/// One command or subcommand as `COMMAND INFO` / `COMMAND DOCS` describe it.
#[derive(Debug)]
pub struct CommandDef {
    /// Lowercase full name: `get`, `config|get`.
    pub name: &'static str,
    /// The name as the server prints it in denials and arity errors (`cmd->fullname`):
    /// `name`, except for module commands registered in capitals (`VADD`).
    pub fullname: &'static str,
    pub(crate) parent: CmdId,
    /// Has subcommands (`config`, `client`, …).
    pub container: bool,
    pub(crate) subs: (CmdId, CmdId),
    /// Positive: exact argument count (name included); negative: minimum.
    pub arity: i32,
    /// Bit set over [`super::spec::flag`] constants.
    pub flags: u32,
    /// Bit set over the table's categories.
    pub categories: u32,
    pub key_specs: &'static [KeySpec],
    /// How its keys are found (from `key_specs` and the name).
    pub(crate) keys: KeyPlan,
    /// Which arguments are channels.
    pub(crate) channels: ChannelPlan,
    /// The databases it needs a selector to allow (besides those of [`CommandDef::db_args`]).
    pub db: DbAccess,
    /// Which arguments name databases.
    pub(crate) db_args: DbArgs,
    pub summary: &'static str,
    pub group: &'static str,
}

impl CommandDef {
    pub fn parent(&self) -> Option<CmdId> {
        (self.parent != NONE).then_some(self.parent)
    }
    pub fn subcommands(&self) -> std::ops::Range<CmdId> {
        self.subs.0..self.subs.1
    }
    pub fn has_flag(&self, f: u32) -> bool {
        self.flags & f != 0
    }
    pub fn in_category(&self, cat: usize) -> bool {
        self.categories & (1 << cat) != 0
    }
    /// Whether the server key-checks this command at all (`doesCommandHaveKeys`).
    pub fn has_keys(&self) -> bool {
        self.keys != KeyPlan::None
    }
    /// Whether the command is channel-checked at all.
    pub fn has_channels(&self) -> bool {
        self.channels != ChannelPlan::None
    }

    /// Whether `argv` has the argument count this command needs (checked before anything
    /// else looks at the arguments: the key extractors rely on it).
    pub fn arity_ok(&self, argc: usize) -> bool {
        let argc = argc as i32;
        !((self.arity > 0 && self.arity != argc) || argc < -self.arity)
    }

    /// Visits the keys the server finds in `argv` (`getKeysFromCommandWithSpecs`), in
    /// order, without allocating; `f` returns whether to go on. Returns whether every key
    /// was visited. `argv` must satisfy the arity ([`CommandDef::arity_ok`]). `keynum` is
    /// the profile's `behavior.keynum_last`.
    #[inline]
    pub fn visit_keys(&self, argv: &[&[u8]], keynum: KeynumLast, f: impl FnMut(KeyRef) -> bool) -> bool {
        visit_keys(self.keys, self.key_specs, argv, keynum, f)
    }

    /// The keys the server finds in `argv` (see [`CommandDef::visit_keys`]).
    pub fn keys_of(&self, argv: &[&[u8]], keynum: KeynumLast) -> Vec<KeyRef> {
        let mut keys = Vec::new();
        self.visit_keys(argv, keynum, |k| {
            keys.push(k);
            true
        });
        keys
    }

    /// Visits the channel arguments checked by ACLs: (argv index, is a pattern); `f`
    /// returns whether to go on.
    #[inline]
    pub fn visit_channels(&self, argc: usize, f: impl FnMut(usize, bool) -> bool) -> bool {
        visit_channels(self.channels, argc, f)
    }

    /// Visits the databases `argv`'s arguments name: (argv index, id); `f` returns
    /// whether to go on. `argv` must satisfy the arity.
    #[inline]
    pub fn visit_db_args(&self, argv: &[&[u8]], f: impl FnMut(usize, i64) -> bool) -> bool {
        super::databases::visit_db_args(self.db_args, argv, f)
    }

    /// Whether its arguments may name databases (SELECT, SWAPDB, MOVE, COPY).
    pub fn has_db_args(&self) -> bool {
        self.db_args != DbArgs::None
    }

    /// The channel arguments checked by ACLs: (argv index, is a pattern).
    pub fn channels_of(&self, argc: usize) -> Vec<(usize, bool)> {
        let mut out = Vec::new();
        self.visit_channels(argc, |i, p| {
            out.push((i, p));
            true
        });
        out
    }
}

/// The definitions every table's commands point into (generated by build.rs).
pub(crate) struct Defs {
    count: usize,
    bytes: &'static [u8],
    /// Where each definition starts in `bytes`, found on first use.
    starts: OnceLock<Vec<u32>>,
}

impl Defs {
    pub(crate) const fn new(count: usize, bytes: &'static [u8]) -> Defs {
        Defs { count, bytes, starts: OnceLock::new() }
    }
}

/// Reads a packed definition (the layout of `aclplay_formats::packed`).
struct Reader {
    bytes: &'static [u8],
    at: usize,
}

impl Reader {
    fn u8(&mut self) -> u8 {
        self.at += 1;
        self.bytes[self.at - 1]
    }
    fn i8(&mut self) -> i32 {
        self.u8() as i8 as i32
    }
    fn u16(&mut self) -> u16 {
        u16::from_le_bytes([self.u8(), self.u8()])
    }
    fn u32(&mut self) -> u32 {
        u32::from_le_bytes([self.u8(), self.u8(), self.u8(), self.u8()])
    }
    fn u64(&mut self) -> u64 {
        u64::from(self.u32()) | u64::from(self.u32()) << 32
    }
    fn text8(&mut self) -> &'static str {
        let off = self.u16() as usize;
        let len = self.u8() as usize;
        &STRINGS[off..off + len]
    }
    fn text16(&mut self) -> &'static str {
        let off = self.u16() as usize;
        let len = self.u16() as usize;
        &STRINGS[off..off + len]
    }
}

/// A definition as stored: everything but its place in a table.
struct Def {
    name: &'static str,
    fullname: &'static str,
    container: bool,
    arity: i32,
    flags: u32,
    /// Bits over [`CATEGORIES`].
    categories: u64,
    key_specs: Vec<KeySpec>,
    db: DbAccess,
    summary: &'static str,
    group: &'static str,
}

impl Reader {
    fn def(&mut self) -> Def {
        let name = self.text8();
        let fullname = self.text8();
        let container = self.u8() != 0;
        let arity = self.i8();
        let flags = self.u32();
        let categories = self.u64();
        let n = self.u8();
        let mut key_specs = Vec::with_capacity(n as usize);
        for _ in 0..n {
            let flags = self.u16();
            let begin = match self.u8() {
                0 => Begin::Index(self.i8()),
                1 => {
                    let from = self.i8();
                    let off = self.u16() as usize;
                    let len = self.u8() as usize;
                    Begin::Keyword(&STRINGS[off..off + len], from)
                }
                _ => Begin::Unknown,
            };
            let find = match self.u8() {
                0 => Find::Range { lastkey: self.i8(), keystep: self.i8(), limit: self.i8() },
                1 => Find::Keynum { keynumidx: self.i8(), firstkey: self.i8(), keystep: self.i8() },
                _ => Find::Unknown,
            };
            key_specs.push(KeySpec { flags, begin, find });
        }
        let db = match self.u8() {
            0 => DbAccess::None,
            1 => DbAccess::Current,
            _ => DbAccess::All,
        };
        let summary = self.text16();
        let group = self.text16();
        Def { name, fullname, container, arity, flags, categories, key_specs, db, summary, group }
    }
}

impl Defs {
    fn starts(&self) -> &[u32] {
        self.starts.get_or_init(|| {
            let mut r = Reader { bytes: self.bytes, at: 0 };
            let mut starts = Vec::with_capacity(self.count);
            while starts.len() < self.count {
                starts.push(r.at as u32);
                r.def();
            }
            debug_assert_eq!(r.at, self.bytes.len(), "every definition was read");
            starts
        })
    }

    fn get(&self, n: u16) -> Def {
        Reader { bytes: self.bytes, at: self.starts()[n as usize] as usize }.def()
    }
}

mod generated {
    use super::{Defs, Table};
    #[allow(unused_imports)]
    use aclplay_formats::registry::{Behavior, DenialStyle::*, KeyPermissions::*, KeynumLast::*, ListStyle::*};
    include!(concat!(env!("OUT_DIR"), "/tables.rs"));
}
pub(crate) use generated::*;

impl Table {
    pub(crate) const fn new(
        server: &'static str,
        version: &'static str,
        categories: &'static [&'static str],
        count: usize,
        packed: &'static [u8],
        behavior: Behavior,
    ) -> Table {
        Table { server, version, categories, count, packed, behavior, decoded: OnceLock::new() }
    }

    /// Every command and subcommand; containers are followed by their subcommands.
    pub fn commands(&self) -> &'static [CommandDef] {
        self.decoded.get_or_init(|| Vec::leak(self.decode()))
    }

    /// Decodes the table's definitions, with the category bits renumbered from the list
    /// of every version's categories to this table's `ACL CAT` order, and each
    /// subcommand's parent and each container's subcommands found from the order.
    /// Decoded once per table; the result lives as long as the program, like the data.
    fn decode(&self) -> Vec<CommandDef> {
        let local: Vec<u64> = self
            .categories
            .iter()
            .map(|c| 1 << CATEGORIES.iter().position(|g| g == c).expect("a known category"))
            .collect();
        let mut out: Vec<CommandDef> = Vec::with_capacity(self.count);
        let mut container = NONE;
        for pair in self.packed.chunks_exact(2) {
            let d = DEFS.get(u16::from_le_bytes([pair[0], pair[1]]));
            let id = out.len() as CmdId;
            let parent = if d.name.contains('|') {
                out[container as usize].subs.1 = id + 1;
                container
            } else {
                container = id;
                NONE
            };
            let categories = local
                .iter()
                .enumerate()
                .filter(|&(_, bit)| d.categories & bit != 0)
                .fold(0, |acc, (i, _)| acc | 1 << i);
            let b = &self.behavior;
            out.push(CommandDef {
                name: d.name,
                fullname: d.fullname,
                keys: plan(d.name, &d.key_specs, b.georadius_get_keys_flags),
                channels: channel_plan(d.name),
                db: d.db,
                db_args: if b.set_selector_database_rules { db_args(d.name) } else { DbArgs::None },
                parent,
                container: d.container,
                subs: (id + 1, id + 1),
                arity: d.arity,
                flags: d.flags,
                categories,
                key_specs: Vec::leak(d.key_specs),
                summary: d.summary,
                group: d.group,
            });
        }
        for c in &mut out {
            if !c.container {
                c.subs = (0, 0);
            }
        }
        debug_assert_eq!(out.len(), self.count);
        out
    }

    pub fn command(&self, id: CmdId) -> &'static CommandDef {
        &self.commands()[id as usize]
    }

    pub fn category_index(&self, name: &[u8]) -> Option<usize> {
        self.categories.iter().position(|c| c.as_bytes().eq_ignore_ascii_case(name))
    }

    /// Top-level commands (containers and plain commands).
    pub fn top_level(&self) -> impl Iterator<Item = CmdId> + '_ {
        let commands = self.commands();
        (0..commands.len() as CmdId).filter(move |&i| commands[i as usize].parent == NONE)
    }
}
