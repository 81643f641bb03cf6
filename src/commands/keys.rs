//! Which arguments of a command line are keys, and with which flags: the server's
//! key-spec interpreter (`getKeysUsingKeySpecs`) and its native fallbacks, byte for
//! byte, including their leniencies (`atoi`-parsed counts, flags 0, …).

use super::spec::{Begin, Find, KeySpec, keyflag};
use crate::bytes::c_str;
use crate::bytes::int::{atoi, string2ll};
// From the registry crate, not `commands::profile`: the profile depends on this module.
use aclplay_formats::registry::KeynumLast;
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
pub(crate) enum Native {
    /// numkeys at `count`, keys from `first`, optional destination at `store`.
    Generic {
        store: u8,
        count: u8,
        first: u8,
    },
    Sort,
    SortRo,
    Migrate,
    /// `flags`: it gives its keys flags (`georadius_get_keys_flags`).
    Georadius {
        flags: bool,
    },
    Xread,
    Set,
    Bitfield,
    /// `DELEX` (Redis 8.4+, `delexGetKeys`).
    Delex,
}

fn native(name: &str, georadius_flags: bool) -> Option<Native> {
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
        "georadius" | "georadiusbymember" => Georadius { flags: georadius_flags },
        "xread" | "xreadgroup" => Xread,
        "set" => Set,
        "bitfield" => Bitfield,
        "delex" => Delex,
        _ => return None,
    })
}

/// How the server finds a command's keys (`getKeysFromCommandWithSpecs`), decided once
/// per command when its table is decoded.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum KeyPlan {
    /// Not key-checked at all (`doesCommandHaveKeys` is false).
    None,
    /// Key-checked, but no key is ever found (only variable-flags specs, no extractor).
    Empty,
    /// The key-spec interpreter, and when it fails the native extractor (if any).
    /// `validate`: the specs can fail after finding keys (several specs, or an
    /// `incomplete` one), so a walk first checks that they succeed.
    Specs { native: Option<Native>, validate: bool },
    /// The commonest case of `Specs` (no extractor, one key spec, `index` then `range`,
    /// complete), interpreted without walking the spec list.
    Range { flags: u16, index: i8, lastkey: i8, keystep: i8, limit: i8 },
    /// The native extractor alone.
    Native(Native),
}

/// The [`KeyPlan`] of a command with this name and these key specs; `georadius_flags`:
/// the version's `georadius_get_keys_flags`.
pub(crate) fn plan(name: &str, specs: &[KeySpec], georadius_flags: bool) -> KeyPlan {
    let n = native(name, georadius_flags);
    let keyed = specs.iter().filter(|k| k.flags & keyflag::NOT_KEY == 0);
    let has_spec = keyed.clone().next().is_some();
    let variable = specs.iter().any(|k| k.flags & keyflag::VARIABLE_FLAGS != 0);
    if has_spec && !variable {
        let validate = keyed.clone().count() > 1 || keyed.clone().any(|k| k.flags & keyflag::INCOMPLETE != 0);
        if let (None, false, Some(k)) = (n, validate, keyed.clone().next())
            && let (Begin::Index(index), Find::Range { lastkey, keystep, limit }) = (k.begin, k.find)
            && let (Ok(index), Ok(lastkey), Ok(keystep), Ok(limit)) =
                (i8::try_from(index), i8::try_from(lastkey), i8::try_from(keystep), i8::try_from(limit))
        {
            return KeyPlan::Range { flags: k.flags, index, lastkey, keystep, limit };
        }
        return KeyPlan::Specs { native: n, validate };
    }
    match n {
        Some(n) => KeyPlan::Native(n),
        None if has_spec => KeyPlan::Empty,
        None => KeyPlan::None,
    }
}

/// Channel arguments checked by ACLs, decided once per command.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum ChannelPlan {
    None,
    /// `publish`, `spublish`: the first argument.
    First,
    /// `subscribe`, `ssubscribe`: every argument.
    All,
    /// `psubscribe`: every argument, each a pattern.
    AllPatterns,
}

pub(crate) fn channel_plan(name: &str) -> ChannelPlan {
    match name {
        "publish" | "spublish" => ChannelPlan::First,
        "subscribe" | "ssubscribe" => ChannelPlan::All,
        "psubscribe" => ChannelPlan::AllPatterns,
        _ => ChannelPlan::None,
    }
}

/// Case-insensitive compare as C's `strcasecmp` does (the argument ends at a NUL).
fn eq_c(arg: &[u8], word: &str) -> bool {
    c_str(arg).eq_ignore_ascii_case(word.as_bytes())
}

/// How a walk over keys ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Walk {
    /// Every key was visited.
    Done,
    /// The visitor asked to stop.
    Stopped,
    /// The key-spec interpreter failed (the server falls back).
    Failed,
}

/// The last key of a `range` key spec whose first key is at `first`.
#[inline]
fn range_last(first: i64, lastkey: i64, limit: i64, argc: i64) -> i64 {
    if lastkey >= 0 {
        first + lastkey
    } else if limit == 0 {
        argc + lastkey
    } else {
        first + ((argc - first) / limit + lastkey)
    }
}

/// The key-spec interpreter, visiting each key found in order; `f` returns whether to go
/// on. On [`Walk::Failed`] the keys visited so far do not count.
fn from_specs(specs: &[KeySpec], argv: &[&[u8]], keynum: KeynumLast, f: &mut impl FnMut(KeyRef) -> bool) -> Walk {
    let argc = argv.len() as i64;
    for spec in specs {
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
            Begin::Unknown => return Walk::Failed,
        };
        let (last, step) = match spec.find {
            Find::Range { lastkey, keystep, limit } => {
                (range_last(first, lastkey as i64, limit as i64, argc), keystep as i64)
            }
            Find::Keynum { keynumidx, firstkey, keystep } => {
                if keynumidx as i64 >= argc {
                    return Walk::Failed;
                }
                let at = (first + keynumidx as i64) as usize;
                let Some(numkeys) = argv.get(at).and_then(|a| string2ll(a)).filter(|&n| n >= 0) else {
                    return Walk::Failed;
                };
                first += firstkey as i64;
                let step = keystep as i64;
                let last = match keynum {
                    // `first + ((int)numkeys - 1) * step`, all in int: the count of keys
                    // each `step` apart (MSETEX's key-value pairs; every other keynum spec
                    // has step 1).
                    KeynumLast::IntCount => {
                        let span = (numkeys as i32).wrapping_sub(1).wrapping_mul(keystep);
                        (first as i32).wrapping_add(span) as i64
                    }
                    // Saturating where C's long would overflow: either way past argc.
                    KeynumLast::LongCount => first.saturating_add(numkeys) - 1,
                    KeynumLast::LongCountTimesStep => first.saturating_add((numkeys - 1).saturating_mul(step)),
                };
                (last, step)
            }
            Find::Unknown => return Walk::Failed,
        };
        if last >= argc || last < first || first >= argc {
            return Walk::Failed;
        }
        let mut i = first;
        while i <= last {
            if !f(KeyRef { pos: i as usize, flags: spec.flags }) {
                return Walk::Stopped;
            }
            i += step.max(1);
        }
        if spec.flags & keyflag::INCOMPLETE != 0 {
            return Walk::Failed;
        }
    }
    Walk::Done
}

/// A native extractor, visiting each key found in order; `f` returns whether to go on.
/// Each one decides on all its keys before it visits the first.
fn from_native(n: Native, argv: &[&[u8]], f: &mut impl FnMut(KeyRef) -> bool) -> bool {
    use keyflag::*;
    let argc = argv.len();
    let key = |pos, flags| KeyRef { pos, flags };
    match n {
        Native::Generic { store, count, first } => {
            let (store, count, first) = (store as usize, count as usize, first as usize);
            let num = atoi(argv[count]);
            if num < 1 || num as i64 > (argc as i64 - first as i64) {
                return true;
            }
            (0..num as usize).all(|i| f(key(first + i, 0))) && (store == 0 || f(key(store, 0)))
        }
        Native::Sort => {
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
            f(key(1, RO | ACCESS)) && store.is_none_or(|s| f(key(s, OW | UPDATE)))
        }
        Native::SortRo => f(key(1, RO | ACCESS)),
        Native::Migrate => {
            let (mut first, mut num) = (3, 1);
            if argc > 6 {
                let mut i = 6;
                while i < argc {
                    if eq_c(argv[i], "keys") {
                        if !argv[3].is_empty() {
                            return true;
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
            (0..num).all(|i| f(key(first + i, RW | ACCESS | DELETE)))
        }
        Native::Georadius { flags } => {
            let mut stored = None;
            let mut i = 5;
            while i < argc {
                if (eq_c(argv[i], "store") || eq_c(argv[i], "storedist")) && i + 1 < argc {
                    stored = Some(i + 1);
                    i += 1;
                }
                i += 1;
            }
            let (source, store) = if flags { (RO | ACCESS, OW | UPDATE) } else { (0, 0) };
            f(key(1, source)) && stored.is_none_or(|s| f(key(s, store)))
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
            let Some(sp) = streams else { return true };
            let num = argc - sp - 1;
            if num == 0 || !num.is_multiple_of(2) {
                return true;
            }
            (sp + 1..argc - num / 2).all(|p| f(key(p, 0)))
        }
        Native::Set => {
            let get = argv.iter().skip(3).any(|a| eq_c(a, "get"));
            f(key(1, if get { RW | ACCESS | UPDATE } else { OW | UPDATE }))
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
            f(key(1, if readonly { RO | ACCESS } else { RW | ACCESS | UPDATE }))
        }
        // A condition word anywhere after the key makes the delete conditional (a write
        // that looks at the value, still without `access`); live on 8.6.3:
        // `DELEX k` → RM delete, `DELEX k x IFEQ` → RW delete, `DELEX k IFEQX v` → RM delete.
        Native::Delex => {
            let conditional =
                argv.iter().skip(2).any(|a| ["ifeq", "ifne", "ifdeq", "ifdne"].iter().any(|w| eq_c(a, w)));
            f(key(1, if conditional { RW | DELETE } else { RM | DELETE }))
        }
    }
}

/// Visits the keys the server finds in `argv` for a command of this plan and these
/// key specs, in order, without allocating; `f` returns whether to go on. Returns
/// whether every key was visited. `argv` must satisfy the command's arity (the server
/// checks it before it looks for keys, and the extractors rely on it).
pub(crate) fn visit_keys(
    plan: KeyPlan,
    specs: &[KeySpec],
    argv: &[&[u8]],
    keynum: KeynumLast,
    mut f: impl FnMut(KeyRef) -> bool,
) -> bool {
    match plan {
        KeyPlan::None | KeyPlan::Empty => true,
        KeyPlan::Range { flags, index, lastkey, keystep, limit } => {
            // `from_specs` on its one spec; on failure there is no fallback.
            let argc = argv.len() as i64;
            let first = i64::from(index);
            let last = range_last(first, i64::from(lastkey), i64::from(limit), argc);
            if last >= argc || last < first || first >= argc {
                return true;
            }
            let step = i64::from(keystep).max(1);
            let mut i = first;
            while i <= last {
                if !f(KeyRef { pos: i as usize, flags }) {
                    return false;
                }
                i += step;
            }
            true
        }
        KeyPlan::Native(n) => from_native(n, argv, &mut f),
        KeyPlan::Specs { native, validate } => {
            if !validate || from_specs(specs, argv, keynum, &mut |_| true) != Walk::Failed {
                match from_specs(specs, argv, keynum, &mut f) {
                    Walk::Done => return true,
                    Walk::Stopped => return false,
                    // Only before the first key (else `validate` would have caught it).
                    Walk::Failed => {}
                }
            }
            native.is_none_or(|n| from_native(n, argv, &mut f))
        }
    }
}

/// Visits the channel arguments checked by ACLs: (argv index, is a pattern); `f`
/// returns whether to go on.
pub(crate) fn visit_channels(plan: ChannelPlan, argc: usize, mut f: impl FnMut(usize, bool) -> bool) -> bool {
    match plan {
        ChannelPlan::None => true,
        ChannelPlan::First => f(1, false),
        ChannelPlan::All => (1..argc).all(|i| f(i, false)),
        ChannelPlan::AllPatterns => (1..argc).all(|i| f(i, true)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::commands::PROFILES;

    fn keys(profile: &crate::commands::Profile, line: &str) -> Vec<(usize, u16)> {
        let argv: Vec<&[u8]> = line.split(' ').map(str::as_bytes).collect();
        let (_, keys) = profile.find_keys(&argv).expect("a known command with its arity");
        keys.iter().map(|k| (k.pos, k.flags)).collect()
    }

    /// `behavior.keynum_last`, against what the servers answered to `COMMAND
    /// GETKEYSANDFLAGS` (7.2.4: `k` RW access update; 7.4.1 and later: `k` without flags,
    /// found by the native extractor; 8.6.3: MSETEX's keys two apart).
    #[test]
    fn keynum_counts_per_switch() {
        use keyflag::*;
        for p in PROFILES {
            let want = match p.behavior.keynum_last {
                KeynumLast::IntCount => RW | ACCESS | UPDATE,
                KeynumLast::LongCount | KeynumLast::LongCountTimesStep => 0,
            };
            assert_eq!(keys(p, "EVAL s 4294967297 k x"), [(3, want)], "{}", p.id);
            assert_eq!(keys(p, "EVAL s 1 k x"), [(3, RW | ACCESS | UPDATE)], "{}", p.id);
            if p.lookup(b"msetex").is_some() {
                assert_eq!(p.behavior.keynum_last, KeynumLast::LongCountTimesStep, "{}", p.id);
                assert_eq!(keys(p, "MSETEX 2 a 1 b"), [(2, OW | UPDATE), (4, OW | UPDATE)], "{}", p.id);
                assert_eq!(keys(p, "MSETEX 3 a 1 b 2"), [], "{}", p.id);
            }
            if p.lookup(b"delex").is_some() {
                assert_eq!(keys(p, "DELEX k"), [(1, RM | DELETE)], "{}", p.id);
                assert_eq!(keys(p, "DELEX k x IFEQ"), [(1, RW | DELETE)], "{}", p.id);
                assert_eq!(keys(p, "DELEX k IFEQX v"), [(1, RM | DELETE)], "{}", p.id);
            }
        }
    }
}
