//! Every version's command table, deduplicated and packed into bytes (written by the
//! engine's build script, read by `commands::table` in the engine).
//!
//! Versions share most command definitions exactly, so a definition is stored once and
//! each version is a list of definition numbers in its table order, plus its categories
//! in `ACL CAT` order as numbers into one list of every version's categories. What a
//! definition holds, in order (integers little-endian):
//!
//! | field | bytes |
//! |---|---|
//! | name: offset into the strings, length | u16, u8 |
//! | container | u8 (0/1) |
//! | arity | i8 |
//! | flags: bits over [`crate::table::COMMAND_FLAGS`] | u32 |
//! | categories: bits over [`Packed::categories`] | u64 |
//! | key specs: count, then each spec | u8 |
//! | · flags: bits over [`crate::table::KEY_FLAGS`] | u16 |
//! | · begin: kind 0 index (i8) / 1 keyword (i8 startfrom, u16 offset, u8 length) / 2 unknown | u8 + … |
//! | · find: kind 0 range (i8 lastkey, keystep, limit) / 1 keynum (i8 keynumidx, firstkey, keystep) / 2 unknown | u8 + … |
//! | databases checked ([`crate::table::DbAccess`]): 0 none, 1 current, 2 all | u8 |
//! | summary, group: offset and length each (0, 0 without prose) | u16, u16, u16, u16 |
//!
//! A subcommand's parent and a container's subcommands are not stored: in every table a
//! container is followed by its subcommands (`container|sub`).

use crate::table::{COMMAND_FLAGS, CommandInfo, CommandTable, DbAccess, KEY_FLAGS, SpecArgs};
use std::collections::HashMap;

/// The packed tables.
#[derive(Debug, Clone, PartialEq)]
pub struct Packed {
    /// Every name, keyword and (with prose) summary and group, each once.
    pub strings: String,
    /// Every category of every table, in the order first met.
    pub categories: Vec<String>,
    /// The distinct definitions, back to back (see the module doc).
    pub defs: Vec<u8>,
    /// How many definitions `defs` holds.
    pub def_count: usize,
    /// One per table given to [`pack`], in that order.
    pub tables: Vec<PackedTable>,
}

/// One table: its categories and its commands, as numbers.
#[derive(Debug, Clone, PartialEq)]
pub struct PackedTable {
    /// Its categories in `ACL CAT` order, as positions in [`Packed::categories`].
    pub categories: Vec<u8>,
    /// Its commands in table order, as definition numbers.
    pub commands: Vec<u16>,
}

/// Bytes of one definition as the module doc lays them out.
struct Writer<'a> {
    strings: &'a mut String,
    blob: Vec<u8>,
}

impl Writer<'_> {
    fn string(&mut self, s: &str) -> (u16, usize) {
        let at = self.strings.find(s).unwrap_or_else(|| {
            self.strings.push_str(s);
            self.strings.len() - s.len()
        });
        (u16::try_from(at).expect("the strings fit 64 KiB"), s.len())
    }
    fn u16(&mut self, v: u16) {
        self.blob.extend_from_slice(&v.to_le_bytes());
    }
    fn i8(&mut self, v: i64, what: &str) {
        self.blob.push(i8::try_from(v).unwrap_or_else(|_| panic!("{what} {v} does not fit a byte")) as u8);
    }
}

fn bits(names: &[String], table: &[&str], what: &str, cmd: &str) -> u32 {
    names.iter().fold(0, |acc, n| {
        let i = table.iter().position(|t| t == n).unwrap_or_else(|| {
            panic!("unknown {what} `{n}` on `{cmd}`: add it to formats/src/table.rs and the engine's commands::table")
        });
        acc | 1 << i
    })
}

fn int(spec: &SpecArgs, key: &str, cmd: &str) -> i64 {
    spec.int(key).unwrap_or_else(|| panic!("`{cmd}`: key spec field `{key}` missing"))
}

fn definition(c: &CommandInfo, categories: &[String], prose: bool, strings: &mut String) -> Vec<u8> {
    let mut w = Writer { strings, blob: Vec::with_capacity(32) };
    let (off, len) = w.string(&c.name);
    w.u16(off);
    w.blob.push(u8::try_from(len).expect("a short name"));
    w.blob.push(u8::from(c.container));
    w.i8(c.arity, "arity");
    w.blob.extend_from_slice(&bits(&c.flags, COMMAND_FLAGS, "command flag", &c.name).to_le_bytes());
    let cats = c
        .categories
        .iter()
        .fold(0u64, |acc, n| acc | 1 << categories.iter().position(|x| x == n).expect("every category is listed"));
    w.blob.extend_from_slice(&cats.to_le_bytes());
    w.blob.push(u8::try_from(c.key_specs.len()).expect("few key specs"));
    for ks in &c.key_specs {
        w.u16(bits(&ks.flags, KEY_FLAGS, "key-spec flag", &c.name) as u16);
        let b = &ks.begin_search.spec;
        match ks.begin_search.kind.as_str() {
            "index" => {
                w.blob.push(0);
                w.i8(int(b, "index", &c.name), "index");
            }
            "keyword" => {
                w.blob.push(1);
                w.i8(int(b, "startfrom", &c.name), "startfrom");
                let (off, len) = w.string(b.str("keyword").expect("a keyword"));
                w.u16(off);
                w.blob.push(u8::try_from(len).expect("a short keyword"));
            }
            _ => w.blob.push(2),
        }
        let f = &ks.find_keys.spec;
        match ks.find_keys.kind.as_str() {
            "range" => {
                w.blob.push(0);
                for k in ["lastkey", "keystep", "limit"] {
                    w.i8(int(f, k, &c.name), k);
                }
            }
            "keynum" => {
                w.blob.push(1);
                for k in ["keynumidx", "firstkey", "keystep"] {
                    w.i8(int(f, k, &c.name), k);
                }
            }
            _ => w.blob.push(2),
        }
    }
    w.blob.push(match c.db {
        None => 0,
        Some(DbAccess::Current) => 1,
        Some(DbAccess::All) => 2,
    });
    for p in [&c.summary, &c.group] {
        let (off, len) = if prose { w.string(p) } else { (0, 0) };
        w.u16(off);
        w.u16(u16::try_from(len).expect("a short text"));
    }
    w.blob
}

/// Packs `tables`; `prose` keeps the commands' summaries and groups (the playground
/// leaves them out).
pub fn pack(tables: &[CommandTable], prose: bool) -> Packed {
    let mut categories: Vec<String> = Vec::new();
    for t in tables {
        for c in &t.categories {
            if !categories.contains(c) {
                categories.push(c.clone());
            }
        }
    }
    assert!(categories.len() <= 64, "category bits are a u64");
    let mut strings = String::new();
    let mut defs = Vec::new();
    let mut seen: HashMap<Vec<u8>, u16> = HashMap::new();
    let mut out = Vec::new();
    for t in tables {
        assert!(t.commands.len() < 1023, "{} {}: the 1024-bit command bitmap is full", t.server, t.version);
        for (i, c) in t.commands.iter().enumerate() {
            match (&c.parent, c.name.split_once('|')) {
                (None, None) => {}
                (Some(p), Some((head, _))) if p == head => {
                    let container = t.commands[..i].iter().rposition(|x| x.parent.is_none());
                    assert!(
                        container.is_some_and(|k| t.commands[k].name == *p && t.commands[k].container),
                        "`{}` must follow its container `{p}`",
                        c.name
                    );
                }
                _ => panic!("`{}`: its parent and its name disagree", c.name),
            }
        }
        let commands = t
            .commands
            .iter()
            .map(|c| {
                let d = definition(c, &categories, prose, &mut strings);
                if let Some(&n) = seen.get(&d) {
                    return n;
                }
                let n = u16::try_from(seen.len()).expect("fewer than 65536 definitions");
                defs.extend_from_slice(&d);
                seen.insert(d, n);
                n
            })
            .collect();
        let cats = t.categories.iter().map(|c| categories.iter().position(|x| x == c).expect("listed") as u8).collect();
        out.push(PackedTable { categories: cats, commands });
    }
    Packed { strings, categories, def_count: seen.len(), defs, tables: out }
}
