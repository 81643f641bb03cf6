//! Which arguments of a command line are keys, and with which flags: the server's
//! key-spec interpreter (`getKeysUsingKeySpecs`) and its native fallbacks, byte for
//! byte, including their leniencies (`atoi`-parsed counts, flags 0, …).

use crate::int::{atoi, string2ll};
use crate::profile::Profile;
use crate::table::{Begin, CommandDef, Find, keyflag};
use serde::Serialize;

/// A key found in a command line.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct KeyRef {
    /// Index in argv (0 is the command name).
    pub pos: usize,
    /// Key-spec flags ([`keyflag`]); 0 from the lenient native extractors.
    pub flags: u16,
}

impl KeyRef {
    /// Needs read permission (`access`).
    pub fn needs_read(&self) -> bool {
        self.flags & keyflag::ACCESS != 0
    }
    /// Needs write permission (`insert`, `delete` or `update`).
    pub fn needs_write(&self) -> bool {
        self.flags & (keyflag::INSERT | keyflag::DELETE | keyflag::UPDATE) != 0
    }
    pub fn flag_names(&self) -> Vec<&'static str> {
        keyflag::NAMES.iter().filter(|(b, _)| self.flags & b != 0).map(|&(_, n)| n).collect()
    }
}

/// The native key extractors of the server (`getkeys_proc`), by command.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Native {
    /// numkeys at `count`, keys from `first`, optional destination at `store`.
    Generic {
        store: usize,
        count: usize,
        first: usize,
    },
    Sort,
    SortRo,
    Migrate,
    Georadius,
    Xread,
    Set,
    Bitfield,
}

fn native(name: &str) -> Option<Native> {
    use Native::*;
    Some(match name {
        "eval" | "evalsha" | "eval_ro" | "evalsha_ro" | "fcall" | "fcall_ro" | "blmpop" | "bzmpop" => {
            Generic { store: 0, count: 2, first: 3 }
        }
        "zunion" | "zinter" | "zdiff" | "zintercard" | "sintercard" | "lmpop" | "zmpop" => {
            Generic { store: 0, count: 1, first: 2 }
        }
        "zunionstore" | "zinterstore" | "zdiffstore" => Generic { store: 1, count: 2, first: 3 },
        "sort" => Sort,
        "sort_ro" => SortRo,
        "migrate" => Migrate,
        "georadius" | "georadiusbymember" => Georadius,
        "xread" | "xreadgroup" => Xread,
        "set" => Set,
        "bitfield" => Bitfield,
        _ => return None,
    })
}

/// Whether the server key-checks this command at all (`doesCommandHaveKeys`).
pub fn has_keys(c: &CommandDef) -> bool {
    native(c.name).is_some() || c.key_specs.iter().any(|k| k.flags & keyflag::NOT_KEY == 0)
}

/// Case-insensitive compare as C's `strcasecmp` does (the argument ends at a NUL).
fn eq_c(arg: &[u8], word: &str) -> bool {
    crate::server::c_str(arg).eq_ignore_ascii_case(word.as_bytes())
}

/// The key-spec interpreter. `None` means it failed and the server falls back.
fn from_specs(c: &CommandDef, argv: &[&[u8]]) -> Option<Vec<KeyRef>> {
    let argc = argv.len() as i64;
    let mut keys = Vec::new();
    for spec in c.key_specs {
        if spec.flags & keyflag::NOT_KEY != 0 {
            continue;
        }
        let mut first: i64 = match spec.begin {
            Begin::Index(i) => i as i64,
            Begin::Keyword(word, from) => {
                let from = from as i64;
                let start = if from > 0 { from } else { argc + from };
                let end = if from > 0 { argc - 1 } else { 1 };
                let mut found = 0;
                let mut i = start;
                while i != end {
                    if i >= argc || i < 1 {
                        break;
                    }
                    if eq_c(argv[i as usize], word) {
                        found = i + 1;
                        break;
                    }
                    i = if start <= end { i + 1 } else { i - 1 };
                }
                if found == 0 {
                    continue;
                }
                found
            }
            Begin::Unknown => return None,
        };
        let (last, step) = match spec.find {
            Find::Range { lastkey, keystep, limit } => {
                let (lastkey, limit) = (lastkey as i64, limit as i64);
                let last = if lastkey >= 0 {
                    first + lastkey
                } else if limit == 0 {
                    argc + lastkey
                } else {
                    first + ((argc - first) / limit + lastkey)
                };
                (last, keystep as i64)
            }
            Find::Keynum { keynumidx, firstkey, keystep } => {
                if keynumidx as i64 >= argc {
                    return None;
                }
                let at = (first + keynumidx as i64) as usize;
                let numkeys = string2ll(argv.get(at)?).filter(|&n| n >= 0)?;
                first += firstkey as i64;
                // The server keeps the count in an int.
                (first + (numkeys as i32) as i64 - 1, keystep as i64)
            }
            Find::Unknown => return None,
        };
        if last >= argc || last < first || first >= argc {
            return None;
        }
        let mut i = first;
        while i <= last {
            keys.push(KeyRef { pos: i as usize, flags: spec.flags });
            i += step.max(1);
        }
        if spec.flags & keyflag::INCOMPLETE != 0 {
            return None;
        }
    }
    Some(keys)
}

fn from_native(n: Native, argv: &[&[u8]]) -> Vec<KeyRef> {
    use keyflag::*;
    let argc = argv.len();
    let key = |pos, flags| KeyRef { pos, flags };
    match n {
        Native::Generic { store, count, first } => {
            let num = atoi(argv[count]);
            if num < 1 || num as i64 > (argc as i64 - first as i64) {
                return Vec::new();
            }
            let mut keys: Vec<KeyRef> = (0..num as usize).map(|i| key(first + i, 0)).collect();
            if store > 0 {
                keys.push(key(store, 0));
            }
            keys
        }
        Native::Sort => {
            let mut keys = vec![key(1, RO | ACCESS)];
            let mut store = None;
            let mut i = 2;
            while i < argc {
                // The server tests each skip word in turn, and "store" alongside each.
                for (word, skip) in [("limit", 2), ("get", 1), ("by", 1)] {
                    if eq_c(argv[i], word) {
                        i += skip;
                        break;
                    } else if eq_c(argv[i], "store") && i + 1 < argc {
                        store = Some(i + 1);
                        break;
                    }
                }
                i += 1;
            }
            if let Some(s) = store {
                keys.push(key(s, OW | UPDATE));
            }
            keys
        }
        Native::SortRo => vec![key(1, RO | ACCESS)],
        Native::Migrate => {
            let (mut first, mut num) = (3, 1);
            if argc > 6 {
                let mut i = 6;
                while i < argc {
                    if eq_c(argv[i], "keys") {
                        if !argv[3].is_empty() {
                            return Vec::new();
                        }
                        first = i + 1;
                        num = argc - first;
                        break;
                    }
                    for (word, skip) in [("copy", 0), ("replace", 0), ("auth", 1), ("auth2", 2)] {
                        if eq_c(argv[i], word) {
                            i += skip;
                            break;
                        }
                    }
                    i += 1;
                }
            }
            (0..num).map(|i| key(first + i, RW | ACCESS | DELETE)).collect()
        }
        Native::Georadius => {
            let mut stored = None;
            let mut i = 5;
            while i < argc {
                if (eq_c(argv[i], "store") || eq_c(argv[i], "storedist")) && i + 1 < argc {
                    stored = Some(i + 1);
                    i += 1;
                }
                i += 1;
            }
            std::iter::once(key(1, 0)).chain(stored.map(|s| key(s, 0))).collect()
        }
        Native::Xread => {
            let mut streams = None;
            let mut i = 1;
            while i < argc {
                let a = argv[i];
                if eq_c(a, "block") || eq_c(a, "count") {
                    i += 1;
                } else if eq_c(a, "group") {
                    i += 2;
                } else if eq_c(a, "noack") {
                } else if eq_c(a, "streams") {
                    streams = Some(i);
                    break;
                } else {
                    break;
                }
                i += 1;
            }
            let Some(sp) = streams else { return Vec::new() };
            let num = argc - sp - 1;
            if num == 0 || !num.is_multiple_of(2) {
                return Vec::new();
            }
            (sp + 1..argc - num / 2).map(|p| key(p, 0)).collect()
        }
        Native::Set => {
            let get = argv.iter().skip(3).any(|a| eq_c(a, "get"));
            vec![key(1, if get { RW | ACCESS | UPDATE } else { OW | UPDATE })]
        }
        Native::Bitfield => {
            let mut readonly = true;
            let mut i = 2;
            while i < argc {
                let rem = argc - i - 1;
                let a = argv[i];
                if eq_c(a, "get") && rem >= 2 {
                    i += 2;
                } else if (eq_c(a, "set") || eq_c(a, "incrby")) && rem >= 3 {
                    readonly = false;
                    break;
                } else if eq_c(a, "overflow") && rem >= 1 {
                    i += 1;
                } else {
                    readonly = false;
                    break;
                }
                i += 1;
            }
            vec![key(1, if readonly { RO | ACCESS } else { RW | ACCESS | UPDATE })]
        }
    }
}

/// The keys the server finds in `argv` for command `c` (`getKeysFromCommandWithSpecs`).
/// `argv` must satisfy the command's arity (see [`find_keys`]).
pub fn keys_of(c: &CommandDef, argv: &[&[u8]]) -> Vec<KeyRef> {
    let has_spec = c.key_specs.iter().any(|k| k.flags & keyflag::NOT_KEY == 0);
    let variable = c.key_specs.iter().any(|k| k.flags & keyflag::VARIABLE_FLAGS != 0);
    if has_spec
        && !variable
        && let Some(keys) = from_specs(c, argv)
    {
        return keys;
    }
    native(c.name).map_or_else(Vec::new, |n| from_native(n, argv))
}

/// Channel arguments checked by ACLs: (argv index, is a pattern).
pub fn channels_of(c: &CommandDef, argc: usize) -> Vec<(usize, bool)> {
    match c.name {
        "publish" | "spublish" => vec![(1, false)],
        "subscribe" | "ssubscribe" => (1..argc).map(|i| (i, false)).collect(),
        "psubscribe" => (1..argc).map(|i| (i, true)).collect(),
        _ => Vec::new(),
    }
}

/// Whether the command is channel-checked at all.
pub fn has_channels(c: &CommandDef) -> bool {
    matches!(c.name, "publish" | "spublish" | "subscribe" | "ssubscribe" | "psubscribe")
}

/// What `aclplay keys` reports: the command found and its keys.
/// `None` when the command is unknown or has the wrong number of arguments: the server
/// checks arity before it looks for keys, and the extractors rely on it.
pub fn find_keys(profile: &Profile, argv: &[&[u8]]) -> Option<(crate::table::CmdId, Vec<KeyRef>)> {
    let id = profile.lookup_argv(argv)?;
    let c = profile.command(id);
    let argc = argv.len() as i32;
    if (c.arity > 0 && c.arity != argc) || argc < -c.arity {
        return None;
    }
    Some((id, if has_keys(c) { keys_of(c, argv) } else { Vec::new() }))
}
