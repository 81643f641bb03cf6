//! Case-insensitive lookup of command names in a table: the rule side's
//! (`ACLLookupCommand`: `cmd`, `container|sub`) and the command line's (`lookupCommand`).

use super::spec::CmdId;
use super::table::{CommandDef, NONE, Table};
use crate::bytes::{FX_K, fx_step, lower_word, word};

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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::commands::PROFILES;

    /// The lookup it replaces: lowercase, then exact compare.
    fn naive(table: &Table, name: &[u8]) -> Option<CmdId> {
        let lower = name.to_ascii_lowercase();
        table.commands().iter().position(|c| c.name.as_bytes() == lower.as_slice()).map(|i| i as CmdId)
    }

    #[test]
    fn index_lookups_equal_lowercase_and_compare() {
        for table in PROFILES.iter().map(|p| p.table) {
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
