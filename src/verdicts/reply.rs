//! The texts of `ACL DRYRUN`'s replies, byte for byte the server's: `OK`, the denials
//! (`getAclErrorMessage`, per [`DenialStyle`]) and the errors, kept in a [`ReplyText`]
//! that needs no allocation for the usual lengths.

use crate::bytes::c_str;
use crate::commands::profile::DenialStyle;
use crate::commands::table::CommandDef;
use crate::commands::{CmdId, Profile};
use serde::Serialize;

/// What kind of reply DRYRUN gives.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum ReplyKind {
    /// `+OK`
    Ok,
    /// A bulk string saying what is not permitted.
    Denied,
    /// An error reply (unknown user or command, wrong arity).
    Error,
}

/// Why a selector refused (ordered as the server ranks them: channel > key > command >
/// database).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Denial {
    /// A database the selector does not allow (Valkey 9.1's database rules).
    Database,
    Command,
    Key,
    Channel,
}

/// The reply of `ACL DRYRUN <user> <argv…>`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Reply {
    pub kind: ReplyKind,
    /// Exactly what the server answers (errors with their `ERR ` prefix).
    pub text: ReplyText,
    /// For denials: what was denied and the argv index (0 for the command).
    pub denial: Option<(Denial, usize)>,
}

impl Reply {
    /// An error reply `ERR <head><arg><tail>`, `arg` read as `%s` does (cut at a NUL,
    /// lossy UTF-8) and, as `addReplyErrorFormat` does, with CR and LF made spaces (the
    /// tails end in a letter, so there is nothing to trim). The same text as
    /// `server::error_reply(format!(…))`, without the allocations.
    fn error_with(head: &str, arg: &[u8], tail: &str) -> Reply {
        let mut text = ReplyText::empty();
        text.push(b"ERR ");
        text.push(head.as_bytes());
        let from = text.byte_len();
        text.push_lossy(c_str(arg));
        let to = text.byte_len();
        text.replace_newlines(from..to);
        text.push(tail.as_bytes());
        Reply { kind: ReplyKind::Error, text, denial: None }
    }
    pub(crate) fn ok() -> Reply {
        Reply { kind: ReplyKind::Ok, text: ReplyText::from("OK"), denial: None }
    }
    pub fn is_ok(&self) -> bool {
        self.kind == ReplyKind::Ok
    }
}

/// Longest text kept inside a [`ReplyText`] (longer ones go to the heap).
const INLINE: usize = 102;

/// The text of a [`Reply`], byte for byte the server's: a `str` (through `Deref`,
/// `Display`, `as_str`, `String::from`) that does not allocate for `OK` or for the
/// denials and errors of usual lengths, which it keeps inline.
#[derive(Clone)]
pub struct ReplyText(Repr);

#[derive(Clone)]
enum Repr {
    Static(&'static str),
    /// Length, bytes (valid UTF-8: only `str`s are pushed).
    Inline(u8, [u8; INLINE]),
    Heap(String),
}

impl ReplyText {
    pub fn as_str(&self) -> &str {
        match &self.0 {
            Repr::Static(s) => s,
            Repr::Inline(len, b) => std::str::from_utf8(&b[..*len as usize]).expect("built from str"),
            Repr::Heap(s) => s,
        }
    }
}

impl std::ops::Deref for ReplyText {
    type Target = str;
    fn deref(&self) -> &str {
        self.as_str()
    }
}

impl AsRef<str> for ReplyText {
    fn as_ref(&self) -> &str {
        self.as_str()
    }
}

impl std::fmt::Display for ReplyText {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

impl std::fmt::Debug for ReplyText {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        std::fmt::Debug::fmt(self.as_str(), f)
    }
}

impl PartialEq for ReplyText {
    fn eq(&self, other: &Self) -> bool {
        self.as_str() == other.as_str()
    }
}

impl Eq for ReplyText {}

impl PartialEq<str> for ReplyText {
    fn eq(&self, other: &str) -> bool {
        self.as_str() == other
    }
}

impl PartialEq<&str> for ReplyText {
    fn eq(&self, other: &&str) -> bool {
        self.as_str() == *other
    }
}

impl PartialEq<String> for ReplyText {
    fn eq(&self, other: &String) -> bool {
        self.as_str() == other
    }
}

impl From<&'static str> for ReplyText {
    fn from(s: &'static str) -> ReplyText {
        ReplyText(Repr::Static(s))
    }
}

impl From<String> for ReplyText {
    fn from(s: String) -> ReplyText {
        ReplyText(Repr::Heap(s))
    }
}

impl From<ReplyText> for String {
    fn from(t: ReplyText) -> String {
        match t.0 {
            Repr::Heap(s) => s,
            _ => t.as_str().to_owned(),
        }
    }
}

impl Serialize for ReplyText {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.as_str())
    }
}

/// Building a text in place: inline, moved to the heap only if it grows past [`INLINE`].
impl ReplyText {
    #[inline]
    fn empty() -> ReplyText {
        ReplyText(Repr::Inline(0, [0; INLINE]))
    }

    /// Appends `b`, which must be UTF-8 (a `str`'s bytes, or ASCII).
    #[inline]
    fn push(&mut self, b: &[u8]) {
        if let Repr::Inline(len, buf) = &mut self.0 {
            let start = *len as usize;
            let end = start + b.len();
            if end <= INLINE {
                buf[start..end].copy_from_slice(b);
                *len = end as u8;
                return;
            }
        }
        self.spill(b);
    }

    #[cold]
    fn spill(&mut self, b: &[u8]) {
        let s = std::str::from_utf8(b).expect("UTF-8 pushed");
        if let Repr::Heap(h) = &mut self.0 {
            h.push_str(s);
        } else {
            let mut h = String::with_capacity(2 * (self.byte_len() + s.len()));
            h.push_str(self.as_str());
            h.push_str(s);
            self.0 = Repr::Heap(h);
        }
    }

    fn byte_len(&self) -> usize {
        match &self.0 {
            Repr::Static(s) => s.len(),
            Repr::Inline(len, _) => *len as usize,
            Repr::Heap(h) => h.len(),
        }
    }

    /// CR and LF in `range` (of ASCII bytes or whole characters) made spaces.
    fn replace_newlines(&mut self, range: std::ops::Range<usize>) {
        match &mut self.0 {
            Repr::Inline(_, buf) => {
                for b in &mut buf[range] {
                    if *b == b'\r' || *b == b'\n' {
                        *b = b' ';
                    }
                }
            }
            Repr::Heap(h) => {
                let tail = h.split_off(range.end);
                let part = h.split_off(range.start).replace(['\r', '\n'], " ");
                h.push_str(&part);
                h.push_str(&tail);
            }
            Repr::Static(_) => debug_assert!(range.is_empty()),
        }
    }

    /// `String::from_utf8_lossy`, pushed.
    #[inline]
    fn push_lossy(&mut self, b: &[u8]) {
        if plain(b, false) {
            self.push(b);
        } else {
            self.push(String::from_utf8_lossy(b).as_bytes());
        }
    }
}

/// Whether `b` is ASCII (and, with `nul`, has no NUL byte), a word (8 bytes) at a time:
/// the usual short names and keys are one or two loads, with no loop that exits at a
/// byte the branch predictor cannot guess.
#[inline]
fn plain(b: &[u8], nul: bool) -> bool {
    const ONES: u64 = 0x0101_0101_0101_0101;
    const HIGHS: u64 = 0x8080_8080_8080_8080;
    // A byte's high bit when it is not ASCII or (with `nul`) is zero.
    let bad = |x: u64| x | if nul { x.wrapping_sub(ONES) & !x } else { 0 };
    let load = |c: &[u8]| u64::from_le_bytes(c.try_into().expect("8 bytes"));
    let n = b.len();
    let acc = if n >= 8 {
        // Whole words, then the last 8 bytes (overlapping the words already seen).
        b.chunks_exact(8).fold(bad(load(&b[n - 8..])), |acc, c| acc | bad(load(c)))
    } else {
        // The bytes past the end made 0x01 (ASCII, not NUL).
        bad(crate::bytes::word(b) | ONES & (!0u64 << (8 * n)))
    };
    acc & HIGHS == 0
}

/// The reply when no user has that name.
#[cold]
#[inline(never)]
pub(crate) fn no_such_user(name: &[u8]) -> Reply {
    Reply::error_with("User '", name, "' not found")
}

/// The reply to an empty command line (the subcommand's own arity, -4, is checked before
/// anything else).
#[cold]
#[inline(never)]
pub(crate) fn no_command() -> Reply {
    Reply {
        kind: ReplyKind::Error,
        text: "ERR wrong number of arguments for 'acl|dryrun' command".into(),
        denial: None,
    }
}

#[cold]
#[inline(never)]
pub(crate) fn unknown_command(name: &[u8]) -> Reply {
    Reply::error_with("Command '", name, "' not found")
}

#[cold]
#[inline(never)]
pub(crate) fn wrong_arity(c: &CommandDef) -> Reply {
    Reply::error_with("wrong number of arguments for '", c.name.as_bytes(), "' command")
}

/// `s` at the start of an inline buffer (for texts that start the same way: copying the
/// buffer is as cheap as zeroing it).
const fn starting(s: &str) -> (u8, [u8; INLINE]) {
    let mut b = [0; INLINE];
    let s = s.as_bytes();
    let mut i = 0;
    while i < s.len() {
        b[i] = s[i];
        i += 1;
    }
    (s.len() as u8, b)
}

const THIS_USER_RUN: (u8, [u8; INLINE]) = starting("This user has no permissions to run the '");
const THIS_USER_ACCESS: (u8, [u8; INLINE]) = starting("This user has no permissions to access the '");
const USER: (u8, [u8; INLINE]) = starting("User ");
/// What [`run_denial`]'s texts start with, before ` has no permissions`.
const THIS_USER: &str = "This user";

/// `This user has no permissions to …` / `User <name> has no permissions to …`.
#[inline]
fn denial_text(style: DenialStyle, user_name: &[u8], command: &str, kind: Denial, arg: &[u8]) -> ReplyText {
    let (mut s, arg) = match style {
        DenialStyle::ThisUser => {
            let (len, buf) = if kind == Denial::Command { THIS_USER_RUN } else { THIS_USER_ACCESS };
            // `%s`: cut at a NUL (rare; the check is a word at a time).
            (ReplyText(Repr::Inline(len, buf)), if plain(arg, true) { arg } else { c_str(arg) })
        }
        DenialStyle::UserName => {
            let mut s = ReplyText(Repr::Inline(USER.0, USER.1));
            s.push_lossy(user_name);
            s.push(match kind {
                Denial::Command => b" has no permissions to run the '",
                Denial::Database => b" has no permissions to access database ",
                _ => b" has no permissions to access the '",
            });
            (s, arg)
        }
    };
    match kind {
        // Only versions with database rules get here, which name the user.
        Denial::Database => s.push_lossy(arg),
        Denial::Command => {
            s.push(command.as_bytes());
            s.push(b"' command");
        }
        Denial::Key => {
            s.push_lossy(arg);
            s.push(b"' key");
        }
        Denial::Channel => {
            s.push_lossy(arg);
            s.push(b"' channel");
        }
    }
    s
}

/// The denial of command `id` (argv index `pos`, argument `arg`) for the user called
/// `user_name`. A command denial's text after the user is the same for every user: it
/// is written once per command and kept by the profile.
#[inline]
pub(crate) fn denied(
    profile: &Profile,
    user_name: &[u8],
    id: CmdId,
    c: &CommandDef,
    kind: Denial,
    pos: usize,
    arg: &[u8],
) -> Reply {
    let text = if kind == Denial::Command {
        let full = run_denial(profile, id);
        match profile.behavior.denial {
            DenialStyle::ThisUser => ReplyText::from(full),
            DenialStyle::UserName => {
                let mut s = ReplyText(Repr::Inline(USER.0, USER.1));
                s.push_lossy(user_name);
                s.push(&full.as_bytes()[THIS_USER.len()..]);
                s
            }
        }
    } else {
        denial_text(profile.behavior.denial, user_name, c.name, kind, arg)
    };
    Reply { kind: ReplyKind::Denied, text, denial: Some((kind, pos)) }
}

/// `This user has no permissions to run the '<name>' command` for command `id`, written
/// for every command of the table on first use (one block, kept like the table).
fn run_denial(profile: &Profile, id: CmdId) -> &'static str {
    profile.run_denials(|| {
        let commands = profile.table.commands();
        let texts: Vec<ReplyText> =
            commands.iter().map(|c| denial_text(DenialStyle::ThisUser, b"", c.name, Denial::Command, b"")).collect();
        let block: &'static str = String::leak(texts.iter().map(|t| t.as_str()).collect());
        let mut start = 0;
        texts
            .iter()
            .map(|t| {
                let s = &block[start..start + t.len()];
                start += t.len();
                s
            })
            .collect()
    })[id as usize]
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::commands::PROFILES;
    use crate::engine::server::error_reply;

    /// The texts as they were built before [`ReplyText`]: `format!` and `String`s.
    fn denial_reference(style: DenialStyle, user: &[u8], command: &str, kind: Denial, arg: &[u8]) -> String {
        let (who, arg) = match style {
            DenialStyle::ThisUser => ("This user".to_string(), c_str(arg)),
            DenialStyle::UserName => (format!("User {}", String::from_utf8_lossy(user)), arg),
        };
        match kind {
            Denial::Command => format!("{who} has no permissions to run the '{command}' command"),
            Denial::Key => format!("{who} has no permissions to access the '{}' key", String::from_utf8_lossy(arg)),
            Denial::Channel => {
                format!("{who} has no permissions to access the '{}' channel", String::from_utf8_lossy(arg))
            }
            Denial::Database => format!("{who} has no permissions to access database {}", String::from_utf8_lossy(arg)),
        }
    }

    #[test]
    fn plain_is_ascii_without_nul() {
        let bytes: [u8; 7] = [b'a', b'Z', 0, 1, 0x7f, 0x80, 0xff];
        let mut cases: Vec<Vec<u8>> = vec![Vec::new()];
        for n in 1..=20 {
            for bad in &bytes {
                for at in 0..n {
                    let mut v: Vec<u8> = (0..n).map(|i| b'a' + (i % 26) as u8).collect();
                    v[at] = *bad;
                    cases.push(v);
                }
            }
        }
        for c in &cases {
            for nul in [false, true] {
                assert_eq!(plain(c, nul), c.is_ascii() && (!nul || !c.contains(&0)), "{c:?} {nul}");
            }
        }
    }

    #[test]
    fn reply_texts_equal_the_formatted_ones() {
        let long = vec![b'k'; 300];
        let args: [&[u8]; 9] =
            [b"", b"app:1", b"a\0b", b"\xff\xfeq", b"\xc3\xa9t\xc3", b"x\r\ny\n", &long, &long[..INLINE - 40], b"\n"];
        for style in [DenialStyle::ThisUser, DenialStyle::UserName] {
            for kind in [Denial::Command, Denial::Key, Denial::Channel, Denial::Database] {
                // Database denials exist only in versions that name the user.
                if kind == Denial::Database && style == DenialStyle::ThisUser {
                    continue;
                }
                for user in args {
                    for arg in args {
                        let got = denial_text(style, user, "config|get", kind, arg);
                        assert_eq!(got, denial_reference(style, user, "config|get", kind, arg));
                        assert_eq!(got.byte_len(), got.as_str().len());
                    }
                }
            }
        }
        for arg in args {
            let lossy = String::from_utf8_lossy(c_str(arg));
            assert_eq!(unknown_command(arg).text, error_reply(format!("Command '{lossy}' not found")));
            assert_eq!(no_such_user(arg).text, error_reply(format!("User '{lossy}' not found")));
        }
        assert_eq!(no_command().text, error_reply("wrong number of arguments for 'acl|dryrun' command".into()));
        let p = &PROFILES[0];
        let c = p.command(p.lookup(b"get").unwrap());
        assert_eq!(wrong_arity(c).text, error_reply("wrong number of arguments for 'get' command".into()));
        for profile in PROFILES {
            for (id, c) in profile.table.commands().iter().enumerate() {
                let id = id as CmdId;
                let built = denial_text(DenialStyle::ThisUser, b"u", c.name, Denial::Command, b"");
                assert_eq!(run_denial(profile, id), built.as_str());
                for user in args {
                    let argv: [&[u8]; 1] = [c.name.as_bytes()];
                    let reply = denied(profile, user, id, c, Denial::Command, 0, argv[0]);
                    let want = denial_reference(profile.behavior.denial, user, c.name, Denial::Command, b"");
                    assert_eq!(reply.text, want);
                    assert_eq!(reply.denial, Some((Denial::Command, 0)));
                }
            }
        }
        assert_eq!(String::from(ReplyText::from("OK")), "OK");
        assert_eq!(format!("{:?}", ReplyText::from(String::from("a\"b"))), format!("{:?}", "a\"b"));
    }
}
