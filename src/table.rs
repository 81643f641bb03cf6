//! Command tables: one per server version, recorded from a live server by
//! `aclplay-record tables` (see `data/`) and compiled into static data by `build.rs`.

use std::collections::HashMap;

/// Index of a command or subcommand in its table (also its bit in a command bitmap).
pub type CmdId = u16;

pub(crate) const NONE: CmdId = CmdId::MAX;

/// One server version's command table.
#[derive(Debug)]
pub struct Table {
    /// `redis` or `valkey`.
    pub server: &'static str,
    /// Exact version the table was recorded from, e.g. `7.0.15`.
    pub version: &'static str,
    /// ACL categories in the order `ACL CAT` lists them.
    pub categories: &'static [&'static str],
    /// Containers are followed by their subcommands.
    pub commands: &'static [CommandDef],
}

/// One command or subcommand as `COMMAND INFO` / `COMMAND DOCS` describe it.
#[derive(Debug)]
pub struct CommandDef {
    /// Lowercase full name: `get`, `config|get`.
    pub name: &'static str,
    pub(crate) parent: CmdId,
    /// Has subcommands (`config`, `client`, …).
    pub container: bool,
    pub(crate) subs: (CmdId, CmdId),
    /// Positive: exact argument count (name included); negative: minimum.
    pub arity: i32,
    /// Bit set over [`flag`] constants.
    pub flags: u32,
    /// Bit set over the table's categories.
    pub categories: u32,
    pub key_specs: &'static [KeySpec],
    pub summary: &'static str,
    pub group: &'static str,
}

/// Command flags as `COMMAND INFO` names them (bit positions match build.rs).
pub mod flag {
    pub const WRITE: u32 = 1 << 0;
    pub const READONLY: u32 = 1 << 1;
    pub const ADMIN: u32 = 1 << 2;
    pub const PUBSUB: u32 = 1 << 3;
    pub const NOSCRIPT: u32 = 1 << 4;
    pub const BLOCKING: u32 = 1 << 5;
    pub const FAST: u32 = 1 << 11;
    pub const NO_AUTH: u32 = 1 << 12;
    pub const NO_MANDATORY_KEYS: u32 = 1 << 14;
    pub const MOVABLEKEYS: u32 = 1 << 17;
}

/// Key-spec flags (bit positions match build.rs).
pub mod keyflag {
    pub const RO: u16 = 1 << 0;
    pub const RW: u16 = 1 << 1;
    pub const OW: u16 = 1 << 2;
    pub const RM: u16 = 1 << 3;
    pub const ACCESS: u16 = 1 << 4;
    pub const UPDATE: u16 = 1 << 5;
    pub const INSERT: u16 = 1 << 6;
    pub const DELETE: u16 = 1 << 7;
    pub const NOT_KEY: u16 = 1 << 8;
    pub const INCOMPLETE: u16 = 1 << 9;
    pub const VARIABLE_FLAGS: u16 = 1 << 10;

    /// Names in the order `COMMAND INFO` prints them.
    pub const NAMES: [(u16, &str); 11] = [
        (RO, "RO"),
        (RW, "RW"),
        (OW, "OW"),
        (RM, "RM"),
        (ACCESS, "access"),
        (UPDATE, "update"),
        (INSERT, "insert"),
        (DELETE, "delete"),
        (NOT_KEY, "not_key"),
        (INCOMPLETE, "incomplete"),
        (VARIABLE_FLAGS, "variable_flags"),
    ];
}

/// Where a key-spec starts looking for keys.
#[derive(Debug, Clone, Copy)]
pub enum Begin {
    Index(i32),
    Keyword(&'static str, i32),
    Unknown,
}

/// How a key-spec finds keys once it has started.
#[derive(Debug, Clone, Copy)]
pub enum Find {
    Range { lastkey: i32, keystep: i32, limit: i32 },
    Keynum { keynumidx: i32, firstkey: i32, keystep: i32 },
    Unknown,
}

#[derive(Debug, Clone, Copy)]
pub struct KeySpec {
    pub flags: u16,
    pub begin: Begin,
    pub find: Find,
}

include!(concat!(env!("OUT_DIR"), "/tables.rs"));

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
}

/// Case-insensitive name lookups over a table, built once per table.
pub(crate) struct Index {
    by_name: HashMap<Box<[u8]>, CmdId>,
}

impl Index {
    pub(crate) fn new(table: &Table) -> Index {
        let by_name = table.commands.iter().enumerate().map(|(i, c)| (c.name.as_bytes().into(), i as CmdId)).collect();
        Index { by_name }
    }

    /// Exact lookup of a lowercase-insensitive full name (`get`, `config|get`).
    pub(crate) fn get(&self, name: &[u8]) -> Option<CmdId> {
        if name.iter().any(u8::is_ascii_uppercase) {
            self.by_name.get(name.to_ascii_lowercase().as_slice()).copied()
        } else {
            self.by_name.get(name).copied()
        }
    }
}

impl Table {
    pub fn command(&self, id: CmdId) -> &'static CommandDef {
        &self.commands[id as usize]
    }
    pub fn category_index(&self, name: &[u8]) -> Option<usize> {
        self.categories.iter().position(|c| c.as_bytes().eq_ignore_ascii_case(name))
    }
    /// Top-level commands (containers and plain commands).
    pub fn top_level(&self) -> impl Iterator<Item = CmdId> + '_ {
        (0..self.commands.len() as CmdId).filter(|&i| self.commands[i as usize].parent == NONE)
    }
}
