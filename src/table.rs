//! Command tables: one per server version, recorded from a live server by
//! `aclplay-record tables` (see `data/`) and compiled into static data by `build.rs`.

use std::sync::OnceLock;

/// Index of a command or subcommand in its table (also its bit in a command bitmap).
pub type CmdId = u16;

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
    strings: &'static str,
    packed: &'static [u8],
    decoded: OnceLock<&'static [CommandDef]>,
    /// Per command, the DRYRUN denial that does not name the user, built on first use.
    run_denials: OnceLock<&'static [&'static str]>,
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
    /// How its keys are found (from `key_specs` and the name).
    pub(crate) keys: crate::keys::KeyPlan,
    /// Which arguments are channels.
    pub(crate) channels: crate::keys::ChannelPlan,
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

/// Case-insensitive name lookups over a table, built once per table: open addressing on
/// `(parent, name part)`, the part (a top-level name, or a subcommand's name after the
/// `|`) lowercased a word (8 bytes) at a time into at most [`WORDS`] words, so a lookup
/// neither allocates nor walks bytes more than once, and compares one slot's words.
pub(crate) struct Index {
    /// The table's commands, by id.
    pub(crate) commands: &'static [CommandDef],
    /// A power of two long, at most an eighth full, so that a name is nearly always in
    /// the first slot tried (the slots a workload touches are the same few either way).
    slots: Box<[Slot]>,
    /// `64 - log2(slots.len())`: a hash's top bits pick the first slot.
    shift: u32,
}

/// One name part and the command it names (`id == NONE`: an empty slot).
#[derive(Clone, Copy)]
struct Slot {
    words: [u64; WORDS],
    /// [`key`] of the part's length and parent.
    key: u32,
    id: CmdId,
}

/// Its key matches no part (lengths are at most `8 * WORDS`).
const EMPTY: Slot = Slot { words: [0; WORDS], key: u32::MAX, id: NONE };

/// A part's length and parent, as one number.
#[inline]
fn key(len: usize, parent: CmdId) -> u32 {
    (len as u32) << 16 | u32::from(parent)
}

/// Words per name part: parts are at most `8 * WORDS` bytes (checked when building).
const WORDS: usize = 3;

/// ASCII-lowercases the 8 bytes of `x` (other bytes unchanged), as `make_ascii_lowercase`.
#[inline]
fn lower_word(x: u64) -> u64 {
    const ONES: u64 = 0x0101_0101_0101_0101;
    let heptets = x & (0x7f * ONES);
    let ge_a = heptets + (0x80 - u64::from(b'A')) * ONES;
    let gt_z = heptets + (0x7f - u64::from(b'Z')) * ONES;
    let upper = ge_a & !gt_z & !x & (0x80 * ONES);
    x | (upper >> 2)
}

/// The bytes of `b` (at most 8) as a little-endian word, zero-padded, without a copy
/// loop: two overlapping loads when it is not a whole word.
#[inline]
pub(crate) fn word(b: &[u8]) -> u64 {
    let n = b.len();
    debug_assert!(n <= 8);
    if n == 8 {
        u64::from_le_bytes(b.try_into().expect("8 bytes"))
    } else if n >= 4 {
        let lo = u64::from(u32::from_le_bytes(b[..4].try_into().expect("4 bytes")));
        let hi = u64::from(u32::from_le_bytes(b[n - 4..].try_into().expect("4 bytes")));
        lo | hi << (8 * (n - 4))
    } else if n >= 2 {
        let lo = u64::from(u16::from_le_bytes(b[..2].try_into().expect("2 bytes")));
        let hi = u64::from(u16::from_le_bytes(b[n - 2..].try_into().expect("2 bytes")));
        lo | hi << (8 * (n - 2))
    } else if n == 1 {
        u64::from(b[0])
    } else {
        0
    }
}

/// The lowercased, zero-padded words of `part`; `None` when it is longer than any name.
#[inline]
fn folded(part: &[u8]) -> Option<[u64; WORDS]> {
    let n = part.len();
    Some(if n <= 8 {
        [lower_word(word(part)), 0, 0]
    } else if n <= 16 {
        [lower_word(word(&part[..8])), lower_word(word(&part[8..])), 0]
    } else if n <= 24 {
        [lower_word(word(&part[..8])), lower_word(word(&part[8..16])), lower_word(word(&part[16..]))]
    } else {
        return None;
    })
}

/// A multiplicative hash of a folded part (FxHash's step: fast for short keys; these come
/// from the user's own input, so flooding resistance buys nothing). Its top bits are used.
#[inline]
fn hash(words: &[u64; WORDS], len: usize, key: u32) -> u64 {
    let mut h = (words[0] ^ u64::from(key) << 32).wrapping_mul(FX_K);
    if len > 8 {
        h = fx_step(h, words[1]);
    }
    if len > 16 {
        h = fx_step(h, words[2]);
    }
    h
}

/// FxHash's multiplier.
pub(crate) const FX_K: u64 = 0xf135_7aea_2e62_a9c5;

/// One FxHash step: `h` takes in the word `w`.
#[inline]
pub(crate) fn fx_step(h: u64, w: u64) -> u64 {
    (h.rotate_left(26) ^ w).wrapping_mul(FX_K)
}

impl Index {
    pub(crate) fn new(table: &Table) -> Index {
        let commands = table.commands();
        let size = (commands.len() * 8).next_power_of_two().max(2);
        let mut slots = vec![EMPTY; size].into_boxed_slice();
        let shift = 64 - size.trailing_zeros();
        for (i, c) in commands.iter().enumerate() {
            let n = c.name.as_bytes();
            debug_assert!(!n.iter().any(u8::is_ascii_uppercase));
            let part = match c.parent() {
                Some(p) => {
                    let prefix = commands[p as usize].name.len() + 1;
                    assert_eq!(
                        &n[..prefix - 1],
                        commands[p as usize].name.as_bytes(),
                        "`{}` starts with its container",
                        c.name
                    );
                    &n[prefix..]
                }
                None => n,
            };
            assert!(!part.contains(&b'|'), "`{}`: one `|` at most", c.name);
            let words = folded(part).unwrap_or_else(|| panic!("`{}` is longer than {} bytes", c.name, 8 * WORDS));
            let key = key(part.len(), c.parent);
            let mut at = (hash(&words, part.len(), key) >> shift) as usize;
            while slots[at].id != NONE {
                at = (at + 1) & (size - 1);
            }
            slots[at] = Slot { words, key, id: i as CmdId };
        }
        Index { commands, slots, shift }
    }

    /// The command called `part` among the top-level commands (`parent == NONE`) or
    /// among the subcommands of `parent`, case-insensitively.
    #[inline]
    pub(crate) fn part(&self, parent: CmdId, part: &[u8]) -> Option<CmdId> {
        let key = key(part.len(), parent);
        let mask = self.slots.len() - 1;
        if part.len() <= 8 {
            // The common case: one word (a slot of the same length has no other).
            let w = lower_word(word(part));
            let mut at = (hash(&[w, 0, 0], part.len(), key) >> self.shift) as usize;
            loop {
                let s = &self.slots[at];
                if (s.words[0] == w) & (s.key == key) {
                    return Some(s.id);
                }
                if s.id == NONE {
                    return None;
                }
                at = (at + 1) & mask;
            }
        }
        let words = folded(part)?;
        let mut at = (hash(&words, part.len(), key) >> self.shift) as usize;
        loop {
            let s = &self.slots[at];
            if (s.words == words) & (s.key == key) {
                return Some(s.id);
            }
            if s.id == NONE {
                return None;
            }
            at = (at + 1) & mask;
        }
    }

    /// Exact lookup of a lowercase-insensitive full name (`get`, `config|get`).
    pub(crate) fn get(&self, name: &[u8]) -> Option<CmdId> {
        match name.iter().position(|&b| b == b'|') {
            None => self.part(NONE, name),
            Some(bar) => self.part(self.part(NONE, &name[..bar])?, &name[bar + 1..]),
        }
    }
}

impl Table {
    pub(crate) const fn new(
        server: &'static str,
        version: &'static str,
        categories: &'static [&'static str],
        count: usize,
        strings: &'static str,
        packed: &'static [u8],
    ) -> Table {
        Table {
            server,
            version,
            categories,
            count,
            strings,
            packed,
            decoded: OnceLock::new(),
            run_denials: OnceLock::new(),
        }
    }

    /// Every command and subcommand; containers are followed by their subcommands.
    pub fn commands(&self) -> &'static [CommandDef] {
        self.decoded.get_or_init(|| Vec::leak(self.decode()))
    }

    /// Unpacks the table that build.rs packed. Per command: name (u16 offset into
    /// `strings`, u8 length), parent (u16, 0xffff for none), container (u8), subcommands
    /// (u16 start, u16 end), arity (i8), flags (u32), categories (u32), key-spec count
    /// (u8) and per spec: flags (u16), begin (u8 kind: 0 index i8 / 1 keyword i8
    /// startfrom + u16 offset + u8 length / 2 unknown), find (u8 kind: 0 range / 1 keynum,
    /// each three i8 / 2 unknown); then summary and group (u16 offset, u16 length each).
    /// Decoded once per table; the result lives as long as the program, like the data.
    fn decode(&self) -> Vec<CommandDef> {
        let b = self.packed;
        let mut at = 0;
        let mut u8_ = || {
            at += 1;
            b[at - 1]
        };
        let mut out = Vec::with_capacity(self.count);
        let text = |off: u16, len: u16| &self.strings[off as usize..off as usize + len as usize];
        while out.len() < self.count {
            let mut u16_ = || u16::from_le_bytes([u8_(), u8_()]);
            let (name_off, name_len) = (u16_(), u8_() as u16);
            let mut u16_ = || u16::from_le_bytes([u8_(), u8_()]);
            let parent = u16_();
            let container = u8_() != 0;
            let mut u16_ = || u16::from_le_bytes([u8_(), u8_()]);
            let subs = (u16_(), u16_());
            let arity = u8_() as i8 as i32;
            let mut u32_ = || u32::from_le_bytes([u8_(), u8_(), u8_(), u8_()]);
            let (flags, categories) = (u32_(), u32_());
            let n = u8_();
            let mut specs = Vec::with_capacity(n as usize);
            for _ in 0..n {
                let flags = u16::from_le_bytes([u8_(), u8_()]);
                let begin = match u8_() {
                    0 => Begin::Index(u8_() as i8 as i32),
                    1 => {
                        let from = u8_() as i8 as i32;
                        let off = u16::from_le_bytes([u8_(), u8_()]);
                        Begin::Keyword(text(off, u8_() as u16), from)
                    }
                    _ => Begin::Unknown,
                };
                let mut i8_ = || u8_() as i8 as i32;
                let find = match i8_() {
                    0 => Find::Range { lastkey: i8_(), keystep: i8_(), limit: i8_() },
                    1 => Find::Keynum { keynumidx: i8_(), firstkey: i8_(), keystep: i8_() },
                    _ => Find::Unknown,
                };
                specs.push(KeySpec { flags, begin, find });
            }
            let mut u16_ = || u16::from_le_bytes([u8_(), u8_()]);
            let summary = text(u16_(), u16_());
            let mut u16_ = || u16::from_le_bytes([u8_(), u8_()]);
            let group = text(u16_(), u16_());
            let name = text(name_off, name_len);
            out.push(CommandDef {
                name,
                keys: crate::keys::plan(name, &specs),
                channels: crate::keys::channel_plan(name),
                parent,
                container,
                subs,
                arity,
                flags,
                categories,
                key_specs: Vec::leak(specs),
                summary,
                group,
            });
        }
        debug_assert_eq!(at, b.len(), "the whole packed table was read");
        out
    }

    pub fn command(&self, id: CmdId) -> &'static CommandDef {
        &self.commands()[id as usize]
    }

    /// `This user has no permissions to run the '<name>' command` for command `id`: the
    /// text is the same for every user, so it is written once per command (one block,
    /// kept like the table) and a denial needs no copy.
    pub(crate) fn run_denial(&self, id: CmdId) -> &'static str {
        self.run_denials.get_or_init(|| {
            const HEAD: &str = "This user has no permissions to run the '";
            const TAIL: &str = "' command";
            let commands = self.commands();
            let mut text = String::with_capacity(commands.iter().map(|c| HEAD.len() + c.name.len() + TAIL.len()).sum());
            let mut ends = Vec::with_capacity(commands.len());
            for c in commands {
                text.push_str(HEAD);
                text.push_str(c.name);
                text.push_str(TAIL);
                ends.push(text.len());
            }
            let text: &'static str = String::leak(text);
            let mut start = 0;
            Vec::leak(
                ends.into_iter()
                    .map(|end| {
                        let t = &text[start..end];
                        start = end;
                        t
                    })
                    .collect(),
            )
        })[id as usize]
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

#[cfg(test)]
mod tests {
    use super::*;

    /// The lookup it replaces: lowercase, then exact compare.
    fn naive(table: &Table, name: &[u8]) -> Option<CmdId> {
        let lower = name.to_ascii_lowercase();
        table.commands().iter().position(|c| c.name.as_bytes() == lower.as_slice()).map(|i| i as CmdId)
    }

    #[test]
    fn word_lowercasing_is_ascii_lowercasing() {
        for b in 0..=255u8 {
            for lane in 0..8 {
                let mut bytes = [b'Q', 0x80, b'z', b'@', b'[', 0xc1, b'A', b'Z'];
                bytes[lane] = b;
                let mut want = bytes;
                want.make_ascii_lowercase();
                assert_eq!(lower_word(u64::from_le_bytes(bytes)).to_le_bytes(), want, "{b:#x} in lane {lane}");
            }
        }
    }

    #[test]
    fn words_are_the_zero_padded_bytes() {
        let bytes: Vec<u8> = (1..=8).map(|i| 0x10 * i + i).collect();
        for n in 0..=8 {
            let mut padded = [0u8; 8];
            padded[..n].copy_from_slice(&bytes[..n]);
            assert_eq!(word(&bytes[..n]), u64::from_le_bytes(padded), "{n} bytes");
        }
    }

    #[test]
    fn index_lookups_equal_lowercase_and_compare() {
        for table in [&REDIS_7_0, &VALKEY_8_1] {
            let ix = Index::new(table);
            let mut probes: Vec<Vec<u8>> = vec![
                b"".to_vec(),
                b"|".to_vec(),
                b"nosuch".to_vec(),
                b"get\0".to_vec(),
                b"g\xc3\xa9t".to_vec(),
                "GET\u{130}".as_bytes().to_vec(),
                vec![b'x'; 300],
            ];
            for c in table.commands() {
                let n = c.name.as_bytes();
                probes.push(n.to_vec());
                probes.push(n.to_ascii_uppercase());
                probes.push(
                    n.iter().enumerate().map(|(i, b)| if i % 2 == 0 { b.to_ascii_uppercase() } else { *b }).collect(),
                );
                probes.push([n, b"x"].concat());
                probes.push(n[..n.len() - 1].to_vec());
            }
            for p in &probes {
                assert_eq!(ix.get(p), naive(table, p), "{}", String::from_utf8_lossy(p));
                if let Some(bar) = p.iter().position(|&b| b == b'|')
                    && let Some(top) = ix.part(NONE, &p[..bar])
                {
                    assert_eq!(ix.part(top, &p[bar + 1..]), naive(table, p), "{}", String::from_utf8_lossy(p));
                }
            }
        }
    }
}
