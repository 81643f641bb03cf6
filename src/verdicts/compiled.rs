//! The users of an [`Analysis`](crate::Analysis) compiled for `ACL DRYRUN`: what the
//! selector checks read of each user, in a few flat arrays (a record per user, per
//! selector with its command bitmap, and per pattern, the bytes in one arena),
//! with a hash index over the names, so a DRYRUN follows a few indices instead of a
//! dozen pointers through [`User`], and the commonest pattern shapes
//! skip the glob matcher. The checks themselves are the ones of the plain path
//! ([`super::verdict`] over a [`SelectorView`]), so both give the same replies.

use super::dryrun::{SelectorView, channel_matches, command_line, reply_for, verdict};
use super::reply::{Reply, no_such_user};
use crate::bytes::{FX_K, c_str, fx_step, glob, word};
use crate::commands::{Bitmap, CmdId, Profile};
use crate::engine::acl::User;

/// Selector flags in a record.
const ALL_KEYS: u8 = 1;
const ALL_CHANNELS: u8 = 2;
const ALL_DBS: u8 = 4;

/// Key pattern flags in a record (with a [`Shape`] in the bits above).
const READ: u8 = 1;
const WRITE: u8 = 2;
const SHAPE_SHIFT: u32 = 2;

/// What a pattern looks like to the glob matcher, for the two shapes it need not run on.
#[derive(Clone, Copy, PartialEq, Eq)]
#[repr(u8)]
enum Shape {
    /// Anything else: [`glob::matches`].
    General = 0,
    /// No special byte (`*`, `?`, `[`, `\`): matches itself only.
    Literal = 1,
    /// Special-free bytes then only `*`s: matches every non-empty string starting with
    /// those bytes (a `*` never matches an empty string, but may match an empty rest).
    Prefix = 2,
}

fn special(b: u8) -> bool {
    matches!(b, b'*' | b'?' | b'[' | b'\\')
}

/// The shape of `p` and the length of its literal part.
fn shape(p: &[u8]) -> (Shape, usize) {
    let body = p.iter().rposition(|&b| b != b'*').map_or(0, |i| i + 1);
    if p[..body].iter().any(|&b| special(b)) {
        (Shape::General, p.len())
    } else if body == p.len() {
        (Shape::Literal, p.len())
    } else {
        (Shape::Prefix, body)
    }
}

/// [`glob::matches`] of a pattern of this shape.
#[inline]
fn matches(shape: u8, pattern: &[u8], literal: usize, s: &[u8]) -> bool {
    match shape {
        1 => pattern == s,
        2 => !s.is_empty() && s.starts_with(&pattern[..literal]),
        _ => glob::matches(pattern, s),
    }
}

/// A name's first and last 8 bytes (overlapping loads; under 8 bytes, both its
/// zero-padded word): with its length, the whole name when it is at most 16 bytes long.
#[inline]
fn ends(name: &[u8]) -> (u64, u64) {
    let n = name.len();
    if n >= 8 {
        let load = |b: &[u8]| u64::from_le_bytes(b.try_into().expect("8 bytes"));
        (load(&name[..8]), load(&name[n - 8..]))
    } else {
        let w = word(name);
        (w, w)
    }
}

/// FxHash's step over the length and the [`ends`] of the name, then (for names over 16
/// bytes) over the rest a word at a time.
#[inline]
fn name_hash(name: &[u8], (a, b): (u64, u64)) -> u64 {
    let mut h = fx_step(fx_step((name.len() as u64).wrapping_mul(FX_K), a), b);
    if name.len() > 16 {
        h = long_hash(h, &name[8..name.len() - 8]);
    }
    h
}

/// The middle of a long name into `h` (names that share their ends would collide).
#[cold]
#[inline(never)]
fn long_hash(mut h: u64, middle: &[u8]) -> u64 {
    for c in middle.chunks(8) {
        h = fx_step(h, word(c));
    }
    h
}

/// The compiled users: per user a [`UserRec`], its selectors' [`SelRec`]s side by side
/// (each with its command bitmap), their key and channel patterns' [`PatRec`]s side by
/// side, the bytes in one arena. Patterns are kept only where they are read (not under
/// `allkeys` / `allchannels`).
#[derive(Clone)]
pub(crate) struct Compiled {
    /// `(position in recs + 1, low hash bits)`, `(0, _)` when empty; a power of two
    /// long, at most two thirds full, the first slot tried given by the hash's top
    /// bits. The first user of each name only, as the server has it.
    slots: Box<[(u32, u32)]>,
    /// `64 - log2(slots.len())`.
    shift: u32,
    recs: Vec<UserRec>,
    sels: Vec<SelRec>,
    pats: Vec<PatRec>,
    /// Each selector's allowed first arguments: per command, its range in `args`.
    firsts: Vec<(CmdId, (u32, u32))>,
    /// First arguments, cut at a NUL as they are compared, in `bytes`.
    args: Vec<(u32, u32)>,
    /// The databases of the selectors without `alldbs`, each selector's sorted.
    dbs: Vec<u32>,
    /// Names, patterns and first arguments.
    bytes: Vec<u8>,
    /// `users.len()` when compiled.
    pub(crate) len: usize,
}

#[derive(Clone, Copy)]
struct UserRec {
    /// Its position among the users compiled.
    user: u32,
    /// The name's [`ends`]: with its length, the whole name up to 16 bytes, so finding
    /// a user reads its record only.
    ends: (u64, u64),
    /// The name in `bytes` (compared when it is longer than 16 bytes).
    name: (u32, u32),
    /// Its selectors in `sels`.
    sels: (u32, u32),
}

#[derive(Clone, Copy)]
struct SelRec {
    /// The command bitmap, inline: its word for a command is read at an address known
    /// as soon as the record's is.
    bitmap: Bitmap,
    flags: u8,
    /// Key patterns, then channel patterns, in `pats`: `keys.0..keys.1..channels`.
    keys: (u32, u32),
    channels: u32,
    /// Its first arguments in `firsts`.
    firsts: (u32, u32),
    /// Its databases in `dbs` (when not `alldbs`).
    dbs: (u32, u32),
}

#[derive(Clone, Copy)]
struct PatRec {
    /// READ / WRITE, and the shape above.
    flags: u8,
    /// The pattern in `bytes`.
    at: u32,
    len: u32,
    /// The length of its literal part.
    literal: u32,
}

impl std::fmt::Debug for Compiled {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Compiled({} users, {} selectors, {} patterns)", self.len, self.sels.len(), self.pats.len())
    }
}

fn u32_of(n: usize) -> u32 {
    u32::try_from(n).expect("under 4 GiB")
}

impl Compiled {
    /// Compiles `users` (of which the first of each name counts, as the server has it).
    pub(crate) fn new<'u>(users: impl ExactSizeIterator<Item = &'u User>) -> Compiled {
        // At most a third full, so that a name is nearly always in the first slot tried
        // (8 bytes a slot: still small enough to stay in cache).
        let size = (3 * users.len() + 1).next_power_of_two();
        let mut c = Compiled {
            slots: vec![(0, 0); size].into_boxed_slice(),
            shift: 64 - size.trailing_zeros(),
            recs: Vec::with_capacity(users.len()),
            sels: Vec::with_capacity(users.len()),
            pats: Vec::new(),
            firsts: Vec::new(),
            args: Vec::new(),
            dbs: Vec::new(),
            bytes: Vec::new(),
            len: users.len(),
        };
        for (i, u) in users.enumerate() {
            if c.find(&u.name).is_some() {
                continue;
            }
            let name = (u32_of(c.bytes.len()), u32_of(u.name.len()));
            c.bytes.extend_from_slice(&u.name);
            let first = u32_of(c.sels.len());
            for s in &u.selectors {
                let flags = if s.all_keys { ALL_KEYS } else { 0 }
                    | if s.all_channels { ALL_CHANNELS } else { 0 }
                    | if s.all_dbs { ALL_DBS } else { 0 };
                let start = u32_of(c.pats.len());
                if !s.all_keys {
                    for k in &s.keys {
                        c.pattern(if k.read { READ } else { 0 } | if k.write { WRITE } else { 0 }, &k.pattern);
                    }
                }
                let keys = (start, u32_of(c.pats.len()));
                if !s.all_channels {
                    for ch in &s.channels {
                        c.pattern(0, &ch.pattern);
                    }
                }
                let channels = u32_of(c.pats.len());
                let start = u32_of(c.firsts.len());
                for (id, args) in &s.first_args {
                    let from = u32_of(c.args.len());
                    for a in args {
                        let a = c_str(a);
                        c.args.push((u32_of(c.bytes.len()), u32_of(a.len())));
                        c.bytes.extend_from_slice(a);
                    }
                    c.firsts.push((*id, (from, u32_of(c.args.len()))));
                }
                let firsts = (start, u32_of(c.firsts.len()));
                let start = u32_of(c.dbs.len());
                if !s.all_dbs {
                    c.dbs.extend_from_slice(&s.dbs);
                }
                let dbs = (start, u32_of(c.dbs.len()));
                c.sels.push(SelRec { bitmap: s.commands, flags, keys, channels, firsts, dbs });
            }
            let ends = ends(&u.name);
            c.recs.push(UserRec { user: u32_of(i), ends, name, sels: (first, u32_of(c.sels.len())) });
            let h = name_hash(&u.name, ends);
            let mut at = (h >> c.shift) as usize;
            while c.slots[at].0 != 0 {
                at = (at + 1) & (size - 1);
            }
            c.slots[at] = (u32_of(c.recs.len()), h as u32);
        }
        c
    }

    fn pattern(&mut self, flags: u8, p: &[u8]) {
        let (shape, literal) = shape(p);
        let at = u32_of(self.bytes.len());
        self.bytes.extend_from_slice(p);
        self.pats.push(PatRec {
            flags: flags | (shape as u8) << SHAPE_SHIFT,
            at,
            len: u32_of(p.len()),
            literal: u32_of(literal),
        });
    }

    /// The record of the first user called `name`.
    #[inline]
    fn find(&self, name: &[u8]) -> Option<&UserRec> {
        let e = ends(name);
        let h = name_hash(name, e);
        let mask = self.slots.len() - 1;
        let mut at = (h >> self.shift) as usize;
        loop {
            let (pos, low) = self.slots[at];
            if pos == 0 {
                return None;
            }
            if low == h as u32 {
                let r = &self.recs[pos as usize - 1];
                if r.ends == e
                    && r.name.1 as usize == name.len()
                    && (name.len() <= 16 || self.slice(r.name.0, r.name.1) == name)
                {
                    return Some(r);
                }
            }
            at = (at + 1) & mask;
        }
    }

    /// The position among the users compiled of the first user called `name`.
    pub(crate) fn position(&self, name: &[u8]) -> Option<usize> {
        self.find(name).map(|r| r.user as usize)
    }

    #[inline]
    fn slice(&self, at: u32, len: u32) -> &[u8] {
        &self.bytes[at as usize..at as usize + len as usize]
    }

    /// `ACL DRYRUN <name> <argv…>` for the users this was compiled from, asked in
    /// database `db`.
    #[inline]
    pub(crate) fn dryrun(&self, profile: &Profile, name: &[u8], argv: &[&[u8]], db: i64) -> Reply {
        // The same order of checks as the plain path: arity of DRYRUN, user, command.
        let found = self.find(name);
        let line = command_line(profile, argv);
        let Some(rec) = found.filter(|_| !argv.is_empty()) else {
            return line.err().filter(|_| argv.is_empty()).unwrap_or_else(|| no_such_user(name));
        };
        let (id, c) = match line {
            Ok(r) => r,
            Err(e) => return e,
        };
        let sels = &self.sels[rec.sels.0 as usize..rec.sels.1 as usize];
        let denial = verdict(sels.iter().map(|s| Sel { c: self, s }), c, id, argv, db);
        reply_for(profile, name, id, c, argv, denial)
    }
}

/// One compiled selector.
struct Sel<'a> {
    c: &'a Compiled,
    s: &'a SelRec,
}

impl<'a> Sel<'a> {
    /// Whether a pattern of `pats` (of the needed flags) matches `s`.
    #[inline]
    fn any(&self, pats: std::ops::Range<u32>, needs: u8, s: &[u8]) -> bool {
        self.c.pats[pats.start as usize..pats.end as usize].iter().any(|p| {
            p.flags & needs == needs
                && matches(p.flags >> SHAPE_SHIFT, self.c.slice(p.at, p.len), p.literal as usize, s)
        })
    }
}

impl SelectorView for Sel<'_> {
    #[inline]
    fn command_bit(&self, id: CmdId) -> bool {
        self.s.bitmap.get(id)
    }
    fn first_arg_allowed(&self, id: CmdId, arg: &[u8]) -> bool {
        let (from, to) = self.s.firsts;
        let Some((_, (a, b))) = self.c.firsts[from as usize..to as usize].iter().find(|(c, _)| *c == id) else {
            return false;
        };
        let arg = c_str(arg);
        self.c.args[*a as usize..*b as usize].iter().any(|&(at, len)| arg.eq_ignore_ascii_case(self.c.slice(at, len)))
    }
    #[inline]
    fn all_keys(&self) -> bool {
        self.s.flags & ALL_KEYS != 0
    }
    #[inline]
    fn key_allowed(&self, key: &[u8], read: bool, write: bool) -> bool {
        let needs = if read { READ } else { 0 } | if write { WRITE } else { 0 };
        self.any(self.s.keys.0..self.s.keys.1, needs, key)
    }
    #[inline]
    fn all_channels(&self) -> bool {
        self.s.flags & ALL_CHANNELS != 0
    }
    #[inline]
    fn channel_allowed(&self, channel: &[u8], pattern: bool) -> bool {
        let pats = &self.c.pats[self.s.keys.1 as usize..self.s.channels as usize];
        pats.iter().any(|p| {
            let full = self.c.slice(p.at, p.len);
            if pattern {
                channel_matches(full, channel, true)
            } else {
                matches(p.flags >> SHAPE_SHIFT, full, p.literal as usize, channel)
            }
        })
    }
    #[inline]
    fn all_dbs(&self) -> bool {
        self.s.flags & ALL_DBS != 0
    }
    fn db_allowed(&self, id: i64) -> bool {
        let (from, to) = self.s.dbs;
        u32::try_from(id).is_ok_and(|id| self.c.dbs[from as usize..to as usize].binary_search(&id).is_ok())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_found_by_their_ends_exactly() {
        // Every length up to 40, names sharing their first and last 8 bytes, and near misses.
        let mut names: Vec<String> =
            (1..=40).map(|n| (0..n).map(|i| (b'a' + (i % 26) as u8) as char).collect()).collect();
        for mid in ["", "x", "xy", "0123456789"] {
            names.push(format!("prefix-1{mid}-suffix-"));
            names.push(format!("prefix-1{mid}X-suffix-"));
        }
        let text: String = names.iter().map(|n| format!("user {n} on nopass +@all ~*\n")).collect();
        let a = crate::analysis::analyze(&text, &crate::analysis::Options::new(&crate::commands::PROFILES[0]));
        let c = Compiled::new(a.users.iter().map(|r| &r.user));
        assert_eq!(a.users.len(), names.len() + 1, "the names and `default`");
        for u in &a.users {
            let name = &u.user.name;
            let r = c.find(name).expect("found");
            assert_eq!(c.slice(r.name.0, r.name.1), name.as_slice());
            for probe in [name[1..].to_vec(), [&name[..], b"\0"].concat(), name.to_ascii_uppercase()] {
                let found = c.find(&probe).map(|r| c.slice(r.name.0, r.name.1).to_vec());
                let want = a.users.iter().find(|v| v.user.name == probe).map(|v| v.user.name.clone());
                assert_eq!(found, want, "{:?}", String::from_utf8_lossy(&probe));
            }
        }
        assert!(c.find(b"").is_none() && c.find(b"nosuch").is_none());
    }

    #[test]
    fn shapes_match_as_the_glob_matcher_does() {
        let patterns: &[&[u8]] = &[
            b"", b"*", b"**", b"a", b"app:*", b"app:**", b"app:", b"a*b", b"*a", b"a?", b"a[b]*", b"a\\*", b"a\\",
            b"\\*", b"?*", b"x\0y*", b"\xff*", b"app:*:x",
        ];
        let strings: &[&[u8]] =
            &[b"", b"a", b"ab", b"app", b"app:", b"app:1", b"app:*", b"a*", b"a\\", b"x\0y", b"x\0yz", b"\xff", b"b"];
        for p in patterns {
            let (s, literal) = shape(p);
            for x in strings {
                assert_eq!(
                    matches(s as u8, p, literal, x),
                    glob::matches(p, x),
                    "{:?} against {:?}",
                    String::from_utf8_lossy(p),
                    String::from_utf8_lossy(x)
                );
            }
        }
        assert!(shape(b"app:*").0 == Shape::Prefix && shape(b"app").0 == Shape::Literal);
        assert!(shape(b"a*b").0 == Shape::General && shape(b"a\\*").0 == Shape::General);
    }
}
