//! Seeded questions to put to a live server (`aclplay verify`): command lines drawn for a
//! user's own rules — commands it may and may not run, keys inside and outside its
//! patterns, channels, first arguments, and a few errors — and whole generated
//! `ACL SETUSER` cases for a scratch server. The same seed, profile and user give the same
//! questions; what the answers must be is the engine's business, not this module's.

use crate::bytes::glob;
use crate::commands::table::CommandDef;
use crate::commands::{CmdId, Profile};
use crate::corpus::CaseInput;
use crate::engine::acl::{Selector, User};
use crate::engine::server::Server;
use crate::engine::token::Token;
use crate::verdicts::describe::allows_bit;
use rand::seq::IndexedRandom;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

/// A seeded random stream for one subject (a user, a case), independent of the others: the
/// seed mixed with the subject's bytes (FNV-1a), so that adding a user to a server does not
/// change the questions put to the others.
pub fn rng_for(seed: u64, subject: &[u8]) -> ChaCha8Rng {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for &b in subject {
        h = (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3);
    }
    ChaCha8Rng::seed_from_u64(seed ^ h)
}

const ALNUM: &[u8] = b"abcdefghijklmnopqrstuvwxyz0123456789";

fn word(rng: &mut ChaCha8Rng, len: usize) -> Vec<u8> {
    (0..len).map(|_| *ALNUM.choose(rng).expect("non-empty")).collect()
}

/// A string the glob `pattern` matches, when one is easy to find (the server's matcher
/// has the last word: `None` when the attempt does not match).
pub fn instance(pattern: &[u8], rng: &mut ChaCha8Rng) -> Option<Vec<u8>> {
    let mut out = Vec::new();
    let mut i = 0;
    while i < pattern.len() {
        match pattern[i] {
            b'*' => {
                let n = rng.random_range(0..4);
                out.extend(word(rng, n));
            }
            b'?' => out.extend(word(rng, 1)),
            b'\\' if i + 1 < pattern.len() => {
                i += 1;
                out.push(pattern[i]);
            }
            b'[' => {
                // The class runs to its `]` (an escaped one does not close it).
                let mut j = i + 1;
                while j < pattern.len() && pattern[j] != b']' {
                    j += if pattern[j] == b'\\' { 2 } else { 1 };
                }
                let class = &pattern[i..(j + 1).min(pattern.len())];
                let c = b"abcxyz0129-_:A".iter().copied().find(|&c| glob::matches(class, &[c]))?;
                out.push(c);
                i = j;
            }
            c => out.push(c),
        }
        i += 1;
    }
    glob::matches(pattern, &out).then_some(out)
}

/// The key and channel patterns of a selector, as written after `~` / `&` (`allkeys` is
/// `*`).
fn key_patterns(s: &Selector) -> Vec<&[u8]> {
    if s.all_keys { vec![b"*".as_slice()] } else { s.keys.iter().map(|k| k.pattern.as_slice()).collect() }
}

fn channel_patterns(s: &Selector) -> Vec<&[u8]> {
    if s.all_channels { vec![b"*".as_slice()] } else { s.channels.iter().map(|c| c.pattern.as_slice()).collect() }
}

/// Draws command lines for one user of a profile.
pub struct Sampler<'p> {
    profile: &'p Profile,
    /// Every command a command line can name: plain commands and subcommands (a container
    /// alone is run as one of its subcommands).
    runnable: Vec<CmdId>,
}

impl<'p> Sampler<'p> {
    pub fn new(profile: &'p Profile) -> Sampler<'p> {
        let runnable =
            (0..profile.table.commands().len() as CmdId).filter(|&id| !profile.command(id).container).collect();
        Sampler { profile, runnable }
    }

    /// `n` command lines for `user`: in turn a command some selector allows, one none
    /// allows, an allowed command with keys inside the user's patterns, one with keys
    /// outside them, a channel command, an allowed first argument (when the user has
    /// one), and now and then an unknown command or a wrong number of arguments.
    pub fn for_user(&self, user: &User, n: usize, rng: &mut ChaCha8Rng) -> Vec<Vec<Vec<u8>>> {
        let allows = |id: CmdId| user.selectors.iter().any(|s| allows_bit(s, id));
        let (allowed, denied): (Vec<CmdId>, Vec<CmdId>) = self.runnable.iter().partition(|&&id| allows(id));
        let keyed: Vec<CmdId> = allowed.iter().copied().filter(|&id| self.profile.command(id).has_keys()).collect();
        let channeled: Vec<CmdId> =
            self.runnable.iter().copied().filter(|&id| self.profile.command(id).has_channels()).collect();
        let first_args: Vec<(CmdId, &[u8])> = user
            .selectors
            .iter()
            .flat_map(|s| s.first_args.iter().flat_map(|(id, args)| args.iter().map(move |a| (*id, a.as_slice()))))
            .collect();
        let pick = |rng: &mut ChaCha8Rng, first: &[CmdId], second: &[CmdId]| -> CmdId {
            let from = if first.is_empty() { second } else { first };
            *from.choose(rng).unwrap_or(&0)
        };
        let mut out = Vec::with_capacity(n);
        for i in 0..n {
            let sel = user.selectors.choose(rng).expect("a user has a selector");
            let line = match i % 8 {
                0 | 6 => self.line(pick(rng, &allowed, &denied), sel, true, rng),
                1 => self.line(pick(rng, &denied, &allowed), sel, true, rng),
                2 => self.line(pick(rng, &keyed, &allowed), sel, true, rng),
                3 => self.line(pick(rng, &keyed, &allowed), sel, false, rng),
                4 => {
                    let inside = rng.random_bool(0.5);
                    self.line(pick(rng, &channeled, &allowed), sel, inside, rng)
                }
                5 => match first_args.choose(rng) {
                    Some(&(id, arg)) => {
                        let mut l = self.line(id, sel, true, rng);
                        if l.len() > 1 {
                            l[1] = arg.to_vec();
                        } else {
                            l.push(arg.to_vec());
                        }
                        l
                    }
                    None => self.line(pick(rng, &allowed, &denied), sel, rng.random_bool(0.5), rng),
                },
                _ => self.error_line(pick(rng, &allowed, &denied), sel, rng),
            };
            out.push(line);
        }
        out
    }

    /// A command line for `id` of the arity it needs, its keys and channels drawn inside
    /// (or outside) the selector's patterns, keywords and key counts where its key specs
    /// look for them.
    pub fn line(&self, id: CmdId, sel: &Selector, inside: bool, rng: &mut ChaCha8Rng) -> Vec<Vec<u8>> {
        let c = self.profile.command(id);
        let mut argv: Vec<Vec<u8>> = c.name.split('|').map(|w| w.as_bytes().to_vec()).collect();
        if rng.random_bool(0.15) {
            argv[0].make_ascii_uppercase();
        }
        let need =
            if c.arity > 0 { c.arity as usize } else { c.arity.unsigned_abs() as usize + rng.random_range(0..3) };
        let min_for_keys = self.room_for_keys(c);
        let keys = key_patterns(sel);
        while argv.len() < need.max(if c.arity > 0 { 0 } else { min_for_keys }) {
            let k = self.key(&keys, inside, rng);
            argv.push(k);
        }
        self.place_key_specs(c, &mut argv, rng);
        if c.has_channels() {
            let chans = channel_patterns(sel);
            for (pos, pattern) in c.channels_of(argv.len()) {
                argv[pos] = self.channel(&chans, inside, pattern, rng);
            }
        }
        argv
    }

    /// The argument count a command needs for its key specs to find a key (a variadic
    /// command is drawn at least that long).
    fn room_for_keys(&self, c: &CommandDef) -> usize {
        c.key_specs
            .iter()
            .map(|s| match (s.begin, s.find) {
                (crate::commands::spec::Begin::Index(b), crate::commands::spec::Find::Keynum { firstkey, .. }) => {
                    (b + firstkey + 1).max(0) as usize
                }
                (crate::commands::spec::Begin::Index(b), _) => (b + 1).max(0) as usize,
                (crate::commands::spec::Begin::Keyword(_, from), _) => (from.unsigned_abs() as usize) + 2,
                _ => 0,
            })
            .max()
            .unwrap_or(0)
    }

    /// Writes a key spec's keyword and key count where the server will look for them.
    fn place_key_specs(&self, c: &CommandDef, argv: &mut [Vec<u8>], rng: &mut ChaCha8Rng) {
        use crate::commands::spec::{Begin, Find};
        let words = c.name.split('|').count();
        for s in c.key_specs {
            match (s.begin, s.find) {
                (Begin::Index(b), Find::Keynum { keynumidx, firstkey, .. }) => {
                    let (at, first) = ((b + keynumidx) as usize, (b + firstkey) as usize);
                    if at < argv.len() && at >= words {
                        let room = argv.len().saturating_sub(first);
                        let n = if room == 0 { 0 } else { rng.random_range(1..=room.min(3)) };
                        argv[at] = n.to_string().into_bytes();
                    }
                }
                (Begin::Keyword(kw, from), _) if from > 0 => {
                    let from = from as usize;
                    if from < argv.len() && from >= words {
                        let at = rng.random_range(from..argv.len());
                        argv[at] = kw.as_bytes().to_vec();
                    }
                }
                _ => {}
            }
        }
    }

    fn key(&self, patterns: &[&[u8]], inside: bool, rng: &mut ChaCha8Rng) -> Vec<u8> {
        let made = patterns.choose(rng).and_then(|p| instance(p, rng));
        match (made, inside) {
            (Some(k), true) => k,
            (Some(k), false) => [b"zz~".as_slice(), &k].concat(),
            (None, _) => {
                let n = rng.random_range(1..6);
                [b"k:".as_slice(), &word(rng, n)].concat()
            }
        }
    }

    fn channel(&self, patterns: &[&[u8]], inside: bool, is_pattern: bool, rng: &mut ChaCha8Rng) -> Vec<u8> {
        // A pattern subscription must equal an ACL channel pattern literally.
        if inside
            && is_pattern
            && rng.random_bool(0.6)
            && let Some(p) = patterns.choose(rng)
        {
            return p.to_vec();
        }
        self.key(patterns, inside, rng)
    }

    /// An unknown command, or an allowed one with the wrong number of arguments.
    fn error_line(&self, id: CmdId, sel: &Selector, rng: &mut ChaCha8Rng) -> Vec<Vec<u8>> {
        let c = self.profile.command(id);
        if rng.random_bool(0.3) {
            return vec![b"nosuchcmd".to_vec(), b"x".to_vec()];
        }
        let mut line = self.line(id, sel, true, rng);
        if c.arity > 0 {
            let k = self.key(&key_patterns(sel), true, rng);
            line.push(k);
        } else {
            line.truncate(c.arity.unsigned_abs() as usize - 1);
        }
        line
    }
}

/// Names for generated users (each is given a unique prefix on the server).
const USERS: &[&str] = &["app", "cache", "ro", "worker", "svc-a", "u1", "a:b", "名前", "x(y", "t.user"];
const PASSWORDS: &[&str] = &["pw", "s3cr3t", "Passw0rd!", "correct-horse-battery-staple"];
const PREFIXES: &[&str] =
    &["app:", "cache:", "user:", "{t1}:", "ro:", "q:", "a", "tenant[12]:", "k?", "x\\*", "[a-c]*", "*"];
const CHANNELS: &[&str] = &["news.*", "chat:*", "orders:[0-9]*", "alerts", "ticker:?", "*"];
const FIRST_ARGS: &[&str] = &["0", "1", "x", "foo", "memory", "nosave"];

/// One generated rule.
fn rule(profile: &Profile, rng: &mut ChaCha8Rng, in_selector: bool) -> String {
    let cats = profile.table.categories;
    let cmd = |rng: &mut ChaCha8Rng| {
        let commands = profile.table.commands();
        commands[rng.random_range(0..commands.len())].name.to_string()
    };
    let pattern = |rng: &mut ChaCha8Rng| {
        let p = PREFIXES.choose(rng).expect("non-empty");
        if p.ends_with(':') && rng.random_bool(0.7) { format!("{p}*") } else { p.to_string() }
    };
    let pw = |rng: &mut ChaCha8Rng| PASSWORDS.choose(rng).expect("non-empty").to_string();
    let r = if in_selector { rng.random_range(6..22) } else { rng.random_range(0..26) };
    match r {
        0 => "on".into(),
        1 => "off".into(),
        2 => "nopass".into(),
        3 => format!(">{}", pw(rng)),
        4 => format!("#{}", crate::password::sha256_hex(pw(rng).as_bytes())),
        5 => ["resetpass", "reset", "clearselectors"].choose(rng).expect("non-empty").to_string(),
        6 | 7 => format!("~{}", pattern(rng)),
        8 => format!("%{}~{}", ["R", "W", "RW"].choose(rng).expect("non-empty"), pattern(rng)),
        9 => ["allkeys", "resetkeys"].choose(rng).expect("non-empty").to_string(),
        10 => format!("&{}", CHANNELS.choose(rng).expect("non-empty")),
        11 => ["allchannels", "resetchannels"].choose(rng).expect("non-empty").to_string(),
        12 | 13 => format!("+@{}", cats.choose(rng).unwrap_or(&"all")),
        14 | 15 => format!("-@{}", cats.choose(rng).unwrap_or(&"all")),
        16 | 17 => format!("+{}", cmd(rng)),
        18 => format!("-{}", cmd(rng)),
        19 => {
            // A first argument of a plain command (no whitespace: that crashes some servers).
            let plain: Vec<&CommandDef> =
                profile.table.commands().iter().filter(|c| !c.container && c.parent().is_none()).collect();
            let c = plain.choose(rng).map_or("select", |c| c.name);
            format!("+{c}|{}", FIRST_ARGS.choose(rng).expect("non-empty"))
        }
        20 => ["allcommands", "nocommands", "+@all", "-@all"].choose(rng).expect("non-empty").to_string(),
        21 => ["+nosuch", "bogus", "%X~x", "~", "+@nosuch", "-get|x"].choose(rng).expect("non-empty").to_string(),
        22 => format!("<{}", pw(rng)),
        _ => {
            let n = rng.random_range(1..4);
            let inner: Vec<String> = (0..n).map(|_| rule(profile, rng, true)).collect();
            format!("({})", inner.join(" "))
        }
    }
}

fn rules(profile: &Profile, rng: &mut ChaCha8Rng) -> Vec<String> {
    let n = rng.random_range(1..9);
    (0..n).map(|_| rule(profile, rng, false)).collect()
}

/// `count` generated cases for `profile` from `seed` (ids `gen-<seed>-<n>`): one or two
/// `ACL SETUSER`s of random rules (valid and invalid), then `ACL DRYRUN` of a command
/// line drawn for the user the rules make.
pub fn generated_cases(profile: &Profile, seed: u64, count: usize) -> Vec<CaseInput> {
    let sampler = Sampler::new(profile);
    (1..=count)
        .map(|n| {
            let id = format!("gen-{seed}-{n}");
            let rng = &mut rng_for(seed, id.as_bytes());
            let user = USERS.choose(rng).expect("non-empty").to_string();
            let pre = rng.random_bool(0.2).then(|| vec![rules(profile, rng)]);
            let args = rules(profile, rng);
            let mut server = Server::new(profile);
            let tokens = |a: &[String]| a.iter().map(|t| Token::plain(t.as_bytes())).collect::<Vec<_>>();
            for p in pre.iter().flatten() {
                let _ = server.setuser(user.as_bytes(), None, &tokens(p));
            }
            let _ = server.setuser(user.as_bytes(), None, &tokens(&args));
            let command = match server.user(user.as_bytes()) {
                Some(u) => sampler.for_user(u, 8, rng).swap_remove(rng.random_range(0..8)),
                None => vec![b"get".to_vec(), b"app:1".to_vec()],
            };
            CaseInput {
                id,
                tags: "generated".into(),
                source: None,
                user,
                setuser_args: Some(args),
                pre,
                server_config: None,
                db: None,
                command: command.into_iter().map(|a| String::from_utf8_lossy(&a).into_owned()).collect(),
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::PROFILES;

    #[test]
    fn instances_match_their_patterns() {
        let rng = &mut rng_for(7, b"t");
        for p in ["app:*", "a?c", "[a-c]x", "x\\*y", "*", "{t1}:*", "tenant[12]:*", "[^a]*"] {
            let s = instance(p.as_bytes(), rng).unwrap_or_else(|| panic!("no instance of {p}"));
            assert!(glob::matches(p.as_bytes(), &s), "{p} {s:?}");
        }
    }

    #[test]
    fn instance_never_panics_and_only_claims_matches() {
        let rng = &mut rng_for(3, b"fuzz");
        let alphabet = b"*?[]^!\\-a:b{}";
        for _ in 0..20_000 {
            let n = rng.random_range(0..12);
            let p: Vec<u8> = (0..n).map(|_| *alphabet.choose(rng).unwrap()).collect();
            if let Some(s) = instance(&p, rng) {
                assert!(glob::matches(&p, &s), "{p:?} {s:?}");
            }
        }
    }

    #[test]
    fn samples_are_seeded_and_fit_the_arity() {
        for p in PROFILES {
            let cases = generated_cases(p, 42, 50);
            assert_eq!(cases, generated_cases(p, 42, 50), "same seed, same cases");
            assert_ne!(cases, generated_cases(p, 43, 50));
            let mut server = Server::new(p);
            server
                .setuser(
                    b"u",
                    None,
                    &[
                        Token::plain(b"on".as_slice()),
                        Token::plain(b"~app:*".as_slice()),
                        Token::plain(b"+@read".as_slice()),
                    ],
                )
                .unwrap();
            let u = server.user(b"u").unwrap();
            let s = Sampler::new(p);
            let lines = s.for_user(u, 64, &mut rng_for(1, b"u"));
            assert_eq!(lines, s.for_user(u, 64, &mut rng_for(1, b"u")));
            fn argv(l: &[Vec<u8>]) -> Vec<&[u8]> {
                l.iter().map(Vec::as_slice).collect()
            }
            let ok =
                lines.iter().filter(|l| crate::verdicts::dryrun::dryrun(p, b"u", Some(u), &argv(l)).is_ok()).count();
            let fits = lines.iter().filter(|l| p.find_keys(&argv(l)).is_some()).count();
            // Both verdicts are drawn, and most lines are well-formed.
            assert!(ok > 8 && ok < 56, "{}: {ok} of 64 allowed", p.id);
            assert!(fits > 48, "{}: {fits} of 64 fit their command", p.id);
        }
    }
}
