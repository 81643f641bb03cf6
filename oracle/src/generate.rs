//! Seeded generator of realistic and nasty ACL cases and ACL files.
//!
//! Same seed + same command table → same cases (ChaCha8 with a pinned
//! `rand`; no hash-map iteration anywhere). The module is not called `gen`
//! because edition 2024 reserves that word.
//!
//! The mix follows the shared corpora: about half "profiles" (the ACLs
//! people write: app, cache, readonly, …) and half random token soups that
//! walk every rule kind of SPEC.md §3 including the invalid ones. Commands
//! are drawn from the command table with arity-respecting arguments, and
//! keys/channels are drawn to match or miss the case's own patterns.
//!
//! Database rules (`db=`, `alldbs`, `resetdbs`) come in soups, selectors and a
//! `databases` profile on versions that know them (and, rarely, as the syntax error
//! they are elsewhere), with odd lists (duplicates, signs, spaces, zeros, empty
//! items, negatives, ids past `INT_MAX`), command lines that name databases (SELECT,
//! MOVE, COPY … DB, SWAPDB, FLUSHALL) and a DRYRUN database other than 0.

use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

use crate::files::FileInput;
use crate::record::CaseInput;
use crate::server::ServerId;
use crate::table::{CommandInfo, CommandTable};

/// Generates `count` cases for `id` from `seed`.
pub fn generate_cases(id: ServerId, table: &CommandTable, seed: u64, count: usize) -> Vec<CaseInput> {
    let mut g = Generator::new(id, table, seed);
    (1..=count).map(|n| g.case(n)).collect()
}

/// Generates `count` multi-line ACL files for `id` from `seed`.
pub fn generate_files(id: ServerId, table: &CommandTable, seed: u64, count: usize) -> Vec<FileInput> {
    // A different stream than the cases of the same seed.
    let mut g = Generator::new(id, table, seed);
    g.rng.set_stream(1);
    (1..=count).map(|n| g.file(n)).collect()
}

/// A seed for a "fresh" run: `$ACLPLAY_SEED` if set (to replay a failure),
/// else derived from the clock. Printed to stderr so failures can be
/// reproduced.
pub fn fresh_seed() -> u64 {
    let seed = std::env::var("ACLPLAY_SEED").ok().and_then(|s| s.trim().parse().ok()).unwrap_or_else(|| {
        std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map(|d| d.as_nanos() as u64).unwrap_or(0)
    });
    use std::io::Write;
    let _ = writeln!(std::io::stderr(), "aclplay: case seed {seed} (replay with ACLPLAY_SEED={seed})");
    seed
}

const USERS: &[&str] = &[
    "alice",
    "bob",
    "carol",
    "app",
    "worker",
    "api",
    "web",
    "ops",
    "jobs",
    "etl",
    "metrics",
    "backup",
    "cache",
    "readonly",
    "replica",
    "sentinel",
    "monitor",
    "svc-payments",
    "svc_orders",
    "session-svc",
    "tenant42",
    "test.user",
    "u1",
    "ro",
    "admin",
];

/// Usernames with odd but legal bytes.
const ODD_USERS: &[&str] = &[
    "a:b", "user[1]", "x(y", "名前", "a\"b", "café", "a'b", "#x", "~t", "+u", "-u", "@u", "a|b", "a)", "(a", "*",
    "USER", "Default", "on", "a\\b", "%R~x", "&c",
];

/// Usernames SETUSER rejects (or that cannot be written in a file).
const BAD_USERS: &[&str] = &["a b", "a\tb", "a\0b", "x\ny", " lead", "trail ", "a\u{b}b"];

const PASSWORDS: &[&str] = &[
    "pw",
    "Passw0rd!",
    "s3cr3t",
    "hunter2",
    "tokenABC123",
    "pässwörd",
    "x",
    "a=b",
    "()",
    "p@ss",
    "longpasswordlongpasswordlongpassword",
    "correct-horse-battery-staple",
];

/// SHA-256 of some of the passwords above (so `<pw`/`!hash` can hit).
const HASHES: &[&str] = &[
    "30c952fab122c3f9759f02a6d95c3758b246b4fee239957b2d4fee46e26170c4", // pw
    "e66860546f18cdbbcd86b35e18b525bffc67f772c650cedfe3ff7a0026fa1dee", // Passw0rd!
    "4e738ca5563c06cfd0018299933d58db1dd8bf97f6973dc99bf6cdc64b5550bd", // s3cr3t
    "f52fbd32b2b3b86ff88ef6c490628285f482af15ddcb29541f94bcf526a3f6c7", // hunter2
    "351e45a4cef3fe573c0f36a8d8a6ea63a500d2d0e7411da150f349479782a824", // tokenABC123
    "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855", // (empty)
    "87cbebfeebc05f7c54ac9336c4b4bbec831227a641951a4bde7edd56020f8590", // correct-horse…
];

const PREFIXES: &[&str] = &[
    "app:", "cache:", "queue:", "user:", "session:", "tenant1:", "tenant2:", "{t1}:", "r:", "w:", "ro:", "rw:", "cfg:",
    "jobs:", "orders:", "feed:", "stats:", "lock:", "idx:", "sel:", "tmp:", "rate:",
];

/// Glob tails with every special of SPEC.md §8.
const NASTY_TAILS: &[&str] = &[
    "??*", "[abc]*", "[a-c]?", "[^x]*", "[!x]*", "[0-9]*", "[z-a]*", "\\*", "\\?x", "[\\]]*", "[]*", "*[", "[a-]*",
    "[", "\\", "?", "*:meta", "**", "[a-z]*", "*x~", "{*}", "[^]]*", "[]]", "[-a]*", "[a-]", "[^", "[\\", "*?*",
    "[a-c-e]*", "\\[x]",
];

const WHOLE_PATTERNS: &[&str] =
    &["*", "*tenant1*", "?", "*:queue", "", "**", "*rate*", "[a-z]*", "*?", "\\", "[", "*]"];

const CHANNEL_PATTERNS: &[&str] = &[
    "news.*",
    "chat:*",
    "notifications:*",
    "__keyspace@0__:*",
    "__keyevent@0__.*",
    "orders:[0-9]*",
    "ticker:?",
    "events:*",
    "alerts",
    "room.*",
    "jobs:*",
    "news.[a-c]*",
    "chat:\\*",
    "",
    "*",
    "[",
    "news.s*",
];

const CATEGORIES_EXTRA: &[&str] = &["all", "nosuch", "", "READ", "Write", "dangerous,"];

const FIRSTARG_RULES: &[&str] = &[
    "+select|0",
    "+select|1",
    "+get|x",
    "+get|foo",
    "+debug|object",
    "+debug|digest",
    "+ping|x",
    "+select|A",
    "+echo|hi",
    "+set|k",
    "+info|memory",
    "+shutdown|nosave",
];

const ENOENT_RULES: &[&str] = &[
    "+nosuch",
    "-nosuch",
    "-select|0",
    "+config|nosuch",
    "+get|a|b",
    "+",
    "+@",
    "-@",
    "+@nosuch",
    "++get",
    "--get",
    "-get|x",
    "+GET|X|Y",
    "-config|nope",
    "+NoSuchCmd",
];

const ECHILD_RULES: &[&str] = &["+config|get|x", "+client|id|x", "+acl|list|a"];

const SYNTAX_RULES: &[&str] = &[
    "foo",
    "on)",
    "x(~a)",
    "resetpasswords",
    "allkey",
    "+config|",
    "+get|",
    "%",
    "%~",
    "%~x",
    "%X~x",
    "%RR~x",
    "%RWR~x",
    "%RWx",
    "~a b",
    "&a b",
    "#abc",
    "nopass)",
    "ON(",
    "-@dangerous,",
];

/// Valkey 8.1 accepts these first-args but crashes on the next LIST/GETUSER.
/// Some leave what looks like another rule after the space (`~y`, `+set`), which a
/// later rule for the same command leaves behind in the printed rules.
const VALKEY_WS_FIRSTARGS: &[&str] = &[
    "+select|0 1",
    "+select|a\tb",
    "+select|\"x",
    "+select|'x",
    "+get|x\"y",
    "+select|\"x\"",
    "+get|x ~y",
    "+get|x +set",
    "+select|1 get",
    "+get|x &y",
    "+select|0  ",
];

/// Rules after such a first argument that drop it from the printed rules (all or part).
const FIRSTARG_SUPERSEDERS: &[&str] = &["+select", "-select", "+get", "-get", "+select|0", "+@connection", "-@all"];

fn is_all_keys(t: &str) -> bool {
    t.eq_ignore_ascii_case("allkeys") || t == "~*"
}

fn is_all_channels(t: &str) -> bool {
    t.eq_ignore_ascii_case("allchannels") || t == "&*"
}

/// Inserts `resetkeys`/`resetchannels` where a pattern would follow
/// `allkeys`/`allchannels` (EEXIST/EISDIR), for soups meant to be valid.
fn avoid_pattern_after_all(tokens: &mut Vec<String>) {
    let (mut all_k, mut all_c) = (false, false);
    let mut out = Vec::with_capacity(tokens.len());
    for t in tokens.drain(..) {
        let lower = t.to_ascii_lowercase();
        if is_all_keys(&t) {
            all_k = true;
        } else if lower == "resetkeys" || lower == "reset" {
            all_k = false;
        } else if all_k && (t.starts_with('~') || t.starts_with('%')) {
            out.push("resetkeys".to_string());
            all_k = false;
        }
        if is_all_channels(&t) {
            all_c = true;
        } else if lower == "resetchannels" || lower == "reset" {
            all_c = false;
        } else if all_c && t.starts_with('&') {
            out.push("resetchannels".to_string());
            all_c = false;
        }
        out.push(t);
    }
    *tokens = out;
}

/// Everything a case's rules mention, to steer its command.
#[derive(Default, Clone)]
struct Ctx {
    keys: Vec<String>,
    channels: Vec<String>,
    /// Commands named by rules, with "was it a `+` rule".
    commands: Vec<(String, bool)>,
    categories: Vec<(String, bool)>,
    firstargs: Vec<(String, String)>,
    selectors: bool,
    reset: bool,
    invalid: bool,
    parens: bool,
    pubsub: bool,
    /// Database ids the rules name (`db=`), to draw commands and the DRYRUN database.
    dbs: Vec<u32>,
    /// Whether a database rule was written.
    db_rules: bool,
    /// Whether generators may emit rules that make SETUSER fail.
    allow_invalid: bool,
}

impl Ctx {
    fn tags(&self, base: &str) -> String {
        let mut t = vec![base.to_string()];
        if base != "random" {
            return base.to_string();
        }
        for (on, name) in [
            (self.selectors, "selectors"),
            (self.reset, "reset"),
            (self.invalid, "invalid"),
            (self.parens, "parens"),
            (self.db_rules, "dbs"),
        ] {
            if on {
                t.push(name.to_string());
            }
        }
        t.join(",")
    }
}

/// The generator state: one ChaCha8 stream.
pub struct Generator<'t> {
    id: ServerId,
    table: &'t CommandTable,
    rng: ChaCha8Rng,
    seed: u64,
    /// Commands that can be run (non-containers: top-level and subcommands).
    runnable: Vec<&'t CommandInfo>,
    containers: Vec<&'t CommandInfo>,
    /// Only valid rules (for clean ACL files).
    force_valid: bool,
}

impl<'t> Generator<'t> {
    pub fn new(id: ServerId, table: &'t CommandTable, seed: u64) -> Generator<'t> {
        Generator {
            id,
            table,
            rng: ChaCha8Rng::seed_from_u64(seed),
            seed,
            runnable: table.commands.iter().filter(|c| !c.container).collect(),
            containers: table.commands.iter().filter(|c| c.container).collect(),
            force_valid: false,
        }
    }

    // --- random helpers ---------------------------------------------------

    fn p(&mut self, prob: f64) -> bool {
        self.rng.random_bool(prob.clamp(0.0, 1.0))
    }

    fn n(&mut self, lo: usize, hi: usize) -> usize {
        self.rng.random_range(lo..=hi)
    }

    fn one<T: Clone>(&mut self, v: &[T]) -> T {
        v[self.rng.random_range(0..v.len())].clone()
    }

    fn s(&mut self, v: &[&str]) -> String {
        self.one(v).to_string()
    }

    fn word(&mut self, len: usize) -> String {
        const A: &[u8] = b"abcdefghijklmnopqrstuvwxyz0123456789";
        (0..len).map(|_| A[self.rng.random_range(0..A.len())] as char).collect()
    }

    /// Keyword case variants (rules are case-insensitive).
    fn casev(&mut self, s: &str) -> String {
        match self.n(0, 19) {
            0..=14 => s.to_string(),
            15 | 16 => s.to_ascii_uppercase(),
            17 => s.to_ascii_lowercase(),
            _ => self.mixed(s),
        }
    }

    fn mixed(&mut self, s: &str) -> String {
        s.chars().map(|c| if self.p(0.5) { c.to_ascii_uppercase() } else { c.to_ascii_lowercase() }).collect()
    }

    /// Command-name spelling in a command line.
    fn cmd_case(&mut self, s: &str) -> String {
        match self.n(0, 19) {
            0..=12 => s.to_ascii_uppercase(),
            13..=17 => s.to_ascii_lowercase(),
            _ => self.mixed(s),
        }
    }

    // --- patterns, keys, channels ----------------------------------------

    fn key_pattern(&mut self, nasty: f64) -> String {
        if self.p(0.12) {
            return self.s(WHOLE_PATTERNS);
        }
        let prefix = self.s(PREFIXES);
        if self.p(nasty) {
            let tail = self.s(NASTY_TAILS);
            if self.p(0.2) { format!("{}{tail}", prefix.trim_end_matches(':')) } else { format!("{prefix}{tail}") }
        } else if self.p(0.15) {
            format!("{prefix}{}", self.word(3))
        } else {
            format!("{prefix}*")
        }
    }

    fn channel_pattern(&mut self) -> String {
        if self.p(0.8) {
            self.s(CHANNEL_PATTERNS)
        } else {
            format!("{}:{}", self.s(&["chat", "news", "jobs"]), self.word(5))
        }
    }

    /// A string the glob probably matches (the server decides for real).
    fn matching(&mut self, pat: &str) -> String {
        let b: Vec<char> = pat.chars().collect();
        let mut out = String::new();
        let mut i = 0;
        while i < b.len() {
            match b[i] {
                '*' => {
                    let l = self.n(0, 4);
                    out.push_str(&self.word(l));
                    i += 1;
                }
                '?' => {
                    out.push_str(&self.word(1));
                    i += 1;
                }
                '\\' if i + 1 < b.len() => {
                    out.push(b[i + 1]);
                    i += 2;
                }
                '[' => {
                    let mut j = i + 1;
                    let neg = j < b.len() && b[j] == '^';
                    if neg {
                        j += 1;
                    }
                    let mut set: Vec<char> = Vec::new();
                    while j < b.len() && b[j] != ']' {
                        if b[j] == '\\' && j + 1 < b.len() {
                            set.push(b[j + 1]);
                            j += 2;
                        } else if j + 2 < b.len() && b[j + 1] == '-' && b[j + 2] != ']' {
                            let (lo, hi) = if b[j] <= b[j + 2] { (b[j], b[j + 2]) } else { (b[j + 2], b[j]) };
                            set.push(lo);
                            set.push(hi);
                            j += 3;
                        } else {
                            set.push(b[j]);
                            j += 1;
                        }
                    }
                    if neg || set.is_empty() {
                        out.push('q');
                    } else {
                        let c = self.one(&set);
                        out.push(c);
                    }
                    i = j + 1;
                }
                c => {
                    out.push(c);
                    i += 1;
                }
            }
        }
        out
    }

    fn missing(&mut self, pat: &str) -> String {
        let m = self.matching(pat);
        match self.n(0, 4) {
            0 => format!("x{m}"),
            1 => m.to_ascii_uppercase(),
            2 => {
                let p = self.s(PREFIXES);
                format!("{p}{}", self.word(3))
            }
            3 => m.chars().skip(1).collect(),
            _ => format!("{m}\\"),
        }
    }

    fn key(&mut self, ctx: &Ctx) -> String {
        let r = self.n(0, 99);
        if r < 4 {
            return String::new();
        }
        if !ctx.keys.is_empty() && r < 80 {
            let pat = self.one(&ctx.keys);
            return if r < 64 { self.matching(&pat) } else { self.missing(&pat) };
        }
        if r < 80 {
            return self.word(4);
        }
        let p = self.key_pattern(0.2);
        self.matching(&p)
    }

    fn channel(&mut self, ctx: &Ctx) -> String {
        let r = self.n(0, 99);
        if r < 4 {
            return String::new();
        }
        if !ctx.channels.is_empty() && r < 70 {
            let pat = self.one(&ctx.channels);
            return if r < 52 { self.matching(&pat) } else { self.missing(&pat) };
        }
        let p = self.channel_pattern();
        self.matching(&p)
    }

    // --- rules ---------------------------------------------------------------

    fn password_rules(&mut self, out: &mut Vec<String>) {
        match self.n(0, 19) {
            0..=12 => out.push(format!(">{}", self.s(PASSWORDS))),
            13..=15 => out.push("nopass".into()),
            16 | 17 => out.push(format!("#{}", self.s(HASHES))),
            _ => {}
        }
    }

    fn key_rule(&mut self, ctx: &mut Ctx) -> String {
        let pat = self.key_pattern(0.35);
        ctx.keys.push(pat.clone());
        let perm = match self.n(0, 19) {
            0..=12 => "~".to_string(),
            13 | 14 => "%R~".into(),
            15 | 16 => "%W~".into(),
            17 => "%RW~".into(),
            18 => self.s(&["%WR~", "%r~", "%Rw~", "%w~"]),
            _ if ctx.allow_invalid => {
                ctx.invalid = true;
                self.s(&["%", "%~", "%X~", "%RR~", "%RWR~"])
            }
            // Valid: an empty pattern without `~`.
            _ => return self.s(&["%R", "%W", "%RW"]),
        };
        format!("{perm}{pat}")
    }

    fn channel_rule(&mut self, ctx: &mut Ctx) -> String {
        let pat = self.channel_pattern();
        ctx.channels.push(pat.clone());
        format!("&{pat}")
    }

    /// Whether this version knows database rules (`db=`, `alldbs`, `resetdbs`).
    fn db_version(&self) -> bool {
        self.id.behavior().set_selector_database_rules
    }

    /// How often a rule slot holds a database rule: often where they exist, rarely (and
    /// only where rules may fail) where they are a syntax error.
    fn db_share(&self, ctx: &Ctx) -> f64 {
        match (self.db_version(), ctx.allow_invalid) {
            (true, _) => 0.08,
            (false, true) => 0.04,
            (false, false) => 0.0,
        }
    }

    /// Whether the next rule slot is a database rule (no draw when there are none to
    /// write, so that such cases are drawn as before).
    fn db_slot(&mut self, ctx: &Ctx) -> bool {
        let share = self.db_share(ctx);
        share > 0.0 && self.p(share)
    }

    /// A database id, mostly one a command can use (0..16).
    fn db_id(&mut self) -> u32 {
        match self.n(0, 19) {
            0..=16 => self.n(0, 15) as u32,
            17 => self.s(&["16", "20", "255", "1000", "2147483647"]).parse().expect("a number"),
            _ => self.n(0, 3) as u32,
        }
    }

    /// One database rule (`db=…`, `alldbs`, `resetdbs`), valid unless rules may fail:
    /// odd but valid lists (duplicates, disorder, leading spaces and signs, zeros) and,
    /// when allowed, broken ones (empty items, trailing junk, negatives, ids past
    /// `INT_MAX`).
    fn db_rule(&mut self, ctx: &mut Ctx) -> String {
        ctx.db_rules = true;
        if !self.db_version() {
            ctx.invalid = true;
        }
        let r = self.n(0, 99);
        if r < 12 {
            let t = self.s(&["alldbs", "resetdbs", "alldbs"]);
            return self.casev(&t);
        }
        let head = self.casev("db=");
        if r < 16 {
            // Every database, or all but one (what FLUSHALL asks for).
            let skip = if self.p(0.5) { Some(self.n(0, 15)) } else { None };
            let mut ids: Vec<String> = (0..16).filter(|&i| Some(i) != skip).map(|i| i.to_string()).collect();
            if self.p(0.3) {
                ids.push(self.s(&["16", "99"]));
            }
            let at = self.n(0, ids.len() - 1);
            ids.swap(0, at);
            ctx.dbs.extend((0..16u32).filter(|&i| Some(i as usize) != skip));
            return format!("{head}{}", ids.join(","));
        }
        if r >= 70 && ctx.allow_invalid {
            ctx.invalid = true;
            let bad = self.s(&[
                "",
                ",",
                "1,",
                ",1",
                "1,,2",
                "-1",
                "0,-3",
                "1 ",
                "1, 2 ",
                "0x1",
                "1.0",
                "a",
                "1a",
                "+-1",
                "- 1",
                "2147483648",
                "99999999999999999999",
                "-99999999999999999999",
                "1,x",
                "x,-1",
            ]);
            return format!("{head}{bad}");
        }
        let k = self.n(1, 4);
        let mut items = Vec::with_capacity(k);
        for _ in 0..k {
            let id = if !ctx.dbs.is_empty() && self.p(0.2) { self.one(&ctx.dbs) } else { self.db_id() };
            ctx.dbs.push(id);
            let text = match self.n(0, 29) {
                // Forms strtoll reads as the same id.
                0 => format!(" {id}"),
                1 => format!("+{id}"),
                2 => format!("0{id}"),
                3 if id == 0 => "-0".to_string(),
                _ => id.to_string(),
            };
            items.push(text);
        }
        format!("{head}{}", items.join(","))
    }

    fn pick_command(&mut self) -> &'t CommandInfo {
        let all = &self.runnable;
        all[self.rng.random_range(0..all.len())]
    }

    fn command_rule(&mut self, ctx: &mut Ctx) -> String {
        let sign = if self.p(0.7) { "+" } else { "-" };
        match self.n(0, 99) {
            0..=29 => {
                let cats = self.table.categories.clone();
                let c = self.one(&cats);
                ctx.categories.push((c.clone(), sign == "+"));
                let c = self.casev(&c);
                format!("{sign}@{c}")
            }
            30..=69 => {
                let c = self.pick_command();
                ctx.commands.push((c.name.clone(), sign == "+"));
                let n = self.casev(&c.name);
                format!("{sign}{n}")
            }
            70..=77 => {
                let c = self.containers[self.rng.random_range(0..self.containers.len())];
                ctx.commands.push((c.name.clone(), sign == "+"));
                let n = self.casev(&c.name);
                format!("{sign}{n}")
            }
            78..=84 => {
                let r = self.s(FIRSTARG_RULES);
                if let Some((c, a)) = r[1..].split_once('|') {
                    ctx.firstargs.push((c.to_string(), a.to_string()));
                }
                self.casev(&r)
            }
            85..=89 => {
                let r = self.s(&["+@all", "-@all", "allcommands", "nocommands"]);
                self.casev(&r)
            }
            90..=95 if ctx.allow_invalid => {
                ctx.invalid = true;
                self.s(ENOENT_RULES)
            }
            96..=97 if ctx.allow_invalid => {
                ctx.invalid = true;
                self.s(ECHILD_RULES)
            }
            _ if ctx.allow_invalid => {
                ctx.invalid = true;
                let c = self.s(CATEGORIES_EXTRA);
                format!("{sign}@{c}")
            }
            _ => {
                let c = self.s(&["all", "READ", "Write", "all"]);
                format!("{sign}@{c}")
            }
        }
    }

    /// One rule that may appear inside a selector.
    fn selector_rule(&mut self, ctx: &mut Ctx) -> String {
        if self.db_slot(ctx) {
            return self.db_rule(ctx);
        }
        match self.n(0, 99) {
            0..=29 => self.key_rule(ctx),
            30..=39 => self.channel_rule(ctx),
            40..=84 => self.command_rule(ctx),
            85..=89 => {
                let r = self.s(&["allkeys", "~*", "resetkeys", "allchannels", "&*", "resetchannels"]);
                self.casev(&r)
            }
            90..=92 => "&".into(),
            _ if ctx.allow_invalid => {
                ctx.invalid = true;
                self.s(&["on", "nopass", "reset", ">pw", "clearselectors", "foo", "%~x"])
            }
            _ => self.command_rule(ctx),
        }
    }

    /// A selector, as one or several SETUSER arguments.
    fn selector(&mut self, ctx: &mut Ctx, out: &mut Vec<String>) {
        ctx.selectors = true;
        let k = self.n(1, 5);
        let mut inner: Vec<String> = (0..k).map(|_| self.selector_rule(ctx)).collect();
        if !ctx.allow_invalid {
            avoid_pattern_after_all(&mut inner);
        }
        match self.n(0, 99) {
            0..=44 => out.push(format!("({})", inner.join(" "))),
            45..=79 => {
                // Split across arguments: merged back by the server.
                let last = inner.len() - 1;
                for (i, t) in inner.iter().enumerate() {
                    let mut t = t.clone();
                    if i == 0 {
                        t.insert(0, '(');
                    }
                    if i == last {
                        t.push(')');
                    }
                    out.push(t);
                }
            }
            80..=84 => out.push(format!("( {} )", inner.join(" "))),
            85..=87 => {
                // Quoted inside: the config-style splitter honours quotes.
                let mut quoted = vec!["\"~q:*\"", "'+get'", "\"+@read\"", "\"\\x7e*\""];
                if ctx.allow_invalid {
                    quoted.push("\"~a b\"");
                }
                let q = self.s(&quoted);
                out.push(format!("({} {q})", inner.join(" ")));
            }
            88..=90 => {
                // Unbalanced quote inside: silently an empty selector.
                out.push(format!("({} \"x)", inner.join(" ")));
                ctx.parens = true;
            }
            91..=93 => {
                // Nested opening: 7.0 restarts, Valkey keeps (syntax error).
                ctx.parens = true;
                out.push("(~a".into());
                out.push(format!("({}", inner.join(" ")));
                out.push("+get)".into());
            }
            94..=95 => {
                ctx.parens = true;
                out.push("()".into());
            }
            96 => {
                ctx.parens = true;
                out.push(" () ".into());
            }
            _ => {
                ctx.parens = true;
                out.push(format!("({}", inner.join(" ")));
                out.push("(".into());
                out.push(")".into());
            }
        }
    }

    /// A random token soup (tag `random`). About one soup in five gets a
    /// deliberately invalid rule; the others stay valid so the command
    /// check is what gets exercised.
    fn soup(&mut self, ctx: &mut Ctx) -> Vec<String> {
        ctx.allow_invalid = !self.force_valid && self.p(0.15);
        let mut out = Vec::new();
        if self.p(0.75) {
            let t = self.s(&["on", "on", "on", "off"]);
            out.push(self.casev(&t));
        }
        let n = self.n(2, 12);
        for _ in 0..n {
            if self.db_slot(ctx) {
                let r = self.db_rule(ctx);
                out.push(r);
                continue;
            }
            match self.n(0, 999) {
                0..=89 => self.password_rules(&mut out),
                90..=109 => {
                    let t = match self.n(0, 3) {
                        // Remove a password added earlier (ENODEV otherwise).
                        0 => {
                            let added: Vec<String> =
                                out.iter().filter_map(|t| t.strip_prefix('>').map(str::to_string)).collect();
                            if added.is_empty() {
                                continue;
                            }
                            format!("<{}", self.one(&added))
                        }
                        1 => "resetpass".into(),
                        2 => self.s(&["skip-sanitize-payload", "sanitize-payload"]),
                        _ => ">".into(),
                    };
                    out.push(t);
                }
                110..=319 => out.push(self.key_rule(ctx)),
                320..=359 => {
                    let t = self.s(&["allkeys", "~*", "resetkeys", "%RW~*", "~**"]);
                    out.push(self.casev(&t));
                }
                360..=429 => out.push(self.channel_rule(ctx)),
                430..=459 => {
                    let t = self.s(&["allchannels", "&*", "resetchannels", "&"]);
                    out.push(self.casev(&t));
                }
                460..=829 => out.push(self.command_rule(ctx)),
                830..=849 => {
                    ctx.reset = true;
                    let t = self.s(&["reset", "clearselectors"]);
                    out.push(self.casev(&t));
                }
                850..=864 => out.push(String::new()),
                _ => {
                    let t = self.s(&["on", "off", "nopass", "ON", "Off"]);
                    out.push(t);
                }
            }
        }
        if !ctx.allow_invalid {
            avoid_pattern_after_all(&mut out);
        } else {
            // One sure-fire invalid rule somewhere.
            let bad = match self.n(0, 9) {
                0..=2 => self.s(SYNTAX_RULES),
                3..=4 => self.s(ENOENT_RULES),
                5 => self.s(ECHILD_RULES),
                6 => self.s(&[
                    "#AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA",
                    "#abc",
                    "!zzz",
                    "#30C952FAB122C3F9759F02A6D95C3758B246B4FEE239957B2D4FEE46E26170C4",
                    "#30c952fab122c3f9759f02a6d95c3758b246b4fee239957b2d4fee46e26170c",
                ]),
                7 => format!("<{}", self.s(PASSWORDS)),
                8 => {
                    out.push("allkeys".into());
                    format!("~{}", self.key_pattern(0.3))
                }
                _ => {
                    out.push("&*".into());
                    self.channel_rule(ctx)
                }
            };
            ctx.invalid = true;
            let at = self.n(0, out.len());
            out.insert(at, bad);
        }
        if self.p(0.5) {
            let k = self.n(1, 2);
            for _ in 0..k {
                self.selector(ctx, &mut out);
            }
        }
        // Rare tail nasties: stray `)`, `~a)`, or an unmatched `(` (which
        // crashes ACL LOAD when rules came before it).
        match if self.force_valid { 999 } else { self.n(0, 199) } {
            0..=2 => {
                ctx.parens = true;
                out.push(")".into());
            }
            3 | 4 => {
                ctx.parens = true;
                out.push("~a)".into());
            }
            5..=7 => {
                ctx.parens = true;
                out.push(self.s(&["(~a", "(+@all", "(~x +get"]));
            }
            _ => {}
        }
        if self.id.behavior().firstarg_whitespace_crashes_list && !self.force_valid && self.p(0.02) {
            let t = self.s(VALKEY_WS_FIRSTARGS);
            if let Some((c, a)) = t[1..].split_once('|') {
                ctx.firstargs.push((c.to_string(), a.to_string()));
            }
            let at = self.n(0, out.len());
            out.insert(at, t);
            if self.p(0.5) {
                let later = self.n(at + 1, out.len());
                out.insert(later, self.s(FIRSTARG_SUPERSEDERS));
            }
        }
        out
    }

    fn on_and_password(&mut self, out: &mut Vec<String>) {
        out.push("on".into());
        self.password_rules(out);
    }

    fn prefix_pattern(&mut self, ctx: &mut Ctx) -> String {
        let p = format!("{}*", self.s(PREFIXES));
        ctx.keys.push(p.clone());
        p
    }

    fn add_cmds(&mut self, ctx: &mut Ctx, out: &mut Vec<String>, pool: &[&str], min: usize) {
        let k = self.n(min.min(pool.len()), pool.len());
        let mut idx: Vec<usize> = (0..pool.len()).collect();
        for i in 0..k {
            let j = self.n(i, idx.len() - 1);
            idx.swap(i, j);
        }
        for &i in &idx[..k] {
            let c = pool[i];
            ctx.commands.push((c.to_string(), true));
            out.push(format!("+{c}"));
        }
    }

    fn cats(&mut self, ctx: &mut Ctx, out: &mut Vec<String>, rules: &[&str]) {
        for r in rules {
            if let Some(c) = r.strip_prefix("+@") {
                ctx.categories.push((c.to_string(), true));
            } else if let Some(c) = r.strip_prefix("-@") {
                ctx.categories.push((c.to_string(), false));
            } else if let Some(c) = r.strip_prefix('+') {
                ctx.commands.push((c.to_string(), true));
            } else if let Some(c) = r.strip_prefix('-') {
                ctx.commands.push((c.to_string(), false));
            } else if r.eq_ignore_ascii_case("allcommands") {
                ctx.categories.push(("all".to_string(), true));
            }
            out.push(r.to_string());
        }
    }

    /// The ACLs people write (tag `profile:<name>`).
    fn profile(&mut self, ctx: &mut Ctx) -> (String, Vec<String>) {
        const NAMES: &[&str] = &[
            "app",
            "cache",
            "readonly",
            "monitor",
            "admin",
            "worker",
            "pubsub",
            "sentinel",
            "replica",
            "tenant",
            "rw-split",
            "scripting",
            "firstarg",
            "deny-dangerous",
            "selectors",
        ];
        let name = if self.db_version() && self.p(0.12) { "databases".to_string() } else { self.s(NAMES) };
        let mut out = Vec::new();
        self.on_and_password(&mut out);
        match name.as_str() {
            "databases" => {
                // Tenants by database (Valkey 9.1): the databases an application may use,
                // sometimes a selector for another one.
                let p = self.prefix_pattern(ctx);
                out.push(format!("~{p}"));
                match self.n(0, 2) {
                    0 => self.cats(ctx, &mut out, &["+@all", "-@dangerous"]),
                    1 => self.cats(ctx, &mut out, &["-@all", "+@read", "+@write", "+select", "+@connection"]),
                    _ => self.cats(ctx, &mut out, &["allcommands", "-flushall", "-swapdb"]),
                }
                match self.n(0, 3) {
                    0 => {
                        let r = self.db_rule(ctx);
                        out.push(r);
                    }
                    1 => {
                        out.push(self.casev("resetdbs"));
                        let r = self.db_rule(ctx);
                        out.push(r);
                    }
                    2 => {
                        let r = self.db_rule(ctx);
                        out.push(r);
                        let d = self.db_id();
                        ctx.dbs.push(d);
                        let g = self.prefix_pattern(ctx);
                        ctx.commands.push(("get".into(), true));
                        out.push(format!("(db={d} ~{g} +get +select)"));
                    }
                    _ => {
                        out.push(self.casev("alldbs"));
                        let d = self.db_id();
                        ctx.dbs.push(d);
                        ctx.db_rules = true;
                        out.push(format!("(resetdbs db={d} ~* +@read)"));
                    }
                }
            }
            "app" => {
                let p = self.prefix_pattern(ctx);
                out.push(format!("~{p}"));
                match self.n(0, 2) {
                    0 => self.cats(ctx, &mut out, &["-@all", "+@read", "+@write", "+@connection", "-@admin"]),
                    1 => self.cats(ctx, &mut out, &["+@all", "-@dangerous"]),
                    _ => self.cats(ctx, &mut out, &["allcommands", "-@dangerous", "+info"]),
                }
            }
            "cache" => {
                let p = self.prefix_pattern(ctx);
                out.push(format!("~{p}"));
                out.push("-@all".into());
                self.add_cmds(
                    ctx,
                    &mut out,
                    &[
                        "get", "set", "del", "expire", "mget", "mset", "ttl", "ping", "setex", "psetex", "getex",
                        "getdel", "incr", "exists", "unlink",
                    ],
                    2,
                );
            }
            "readonly" => {
                let k = self.s(&["~*", "allkeys", "~queue:*", "~app:*"]);
                if k.starts_with('~') && k != "~*" {
                    ctx.keys.push(k[1..].to_string());
                }
                out.push(k);
                match self.n(0, 2) {
                    0 => self.cats(ctx, &mut out, &["-@all", "+@read", "+@connection", "-keys", "-scan"]),
                    1 => self.cats(ctx, &mut out, &["+@all", "-@write", "-@dangerous"]),
                    _ => {
                        out.push("nocommands".into());
                        self.add_cmds(ctx, &mut out, &["get", "mget", "exists", "ttl", "hget", "lrange"], 2);
                    }
                }
            }
            "monitor" => {
                out.push("-@all".into());
                self.add_cmds(
                    ctx,
                    &mut out,
                    &[
                        "info",
                        "ping",
                        "client|list",
                        "config|get",
                        "slowlog|get",
                        "slowlog|len",
                        "latency|latest",
                        "memory|stats",
                        "dbsize",
                        "role",
                        "lastsave",
                        "time",
                        "cluster|info",
                        "command|count",
                    ],
                    3,
                );
                if self.p(0.3) {
                    out.push("+@connection".into());
                    ctx.categories.push(("connection".into(), true));
                }
                if self.p(0.3) {
                    out.push("~*".into());
                }
            }
            "admin" => match self.n(0, 2) {
                0 => self.cats(ctx, &mut out, &["~*", "&*", "+@all"]),
                1 => self.cats(ctx, &mut out, &["~*", "+@admin", "+@dangerous", "-flushall"]),
                _ => self.cats(ctx, &mut out, &["allkeys", "allchannels", "allcommands"]),
            },
            "worker" => {
                let a = self.prefix_pattern(ctx);
                let b = self.prefix_pattern(ctx);
                out.push(format!("~{a}"));
                out.push(format!("~{b}"));
                if self.p(0.6) {
                    self.cats(ctx, &mut out, &["-@all", "+@list", "+@stream", "+@blocking", "+@connection"]);
                } else {
                    self.cats(ctx, &mut out, &["+@all", "-@dangerous", "-@scripting"]);
                }
            }
            "pubsub" => {
                ctx.pubsub = true;
                out.push("resetchannels".into());
                let c = self.channel_rule(ctx);
                out.push(c);
                if self.p(0.3) {
                    let c = self.channel_rule(ctx);
                    out.push(c);
                }
                if self.p(0.6) {
                    self.cats(ctx, &mut out, &["-@all", "+@pubsub"]);
                    if self.p(0.3) {
                        out.push("-publish".into());
                    }
                } else {
                    self.cats(ctx, &mut out, &["-@all", "+publish", "+subscribe", "+psubscribe", "+ping"]);
                }
            }
            "sentinel" => {
                ctx.pubsub = true;
                self.cats(
                    ctx,
                    &mut out,
                    &[
                        "allchannels",
                        "+multi",
                        "+slaveof",
                        "+ping",
                        "+exec",
                        "+subscribe",
                        "+config|rewrite",
                        "+role",
                        "+publish",
                        "+info",
                        "+client|setname",
                        "+client|kill",
                        "+script|kill",
                    ],
                );
            }
            "replica" => self.cats(ctx, &mut out, &["-@all", "+psync", "+replconf", "+ping"]),
            "tenant" => {
                let t = self.s(&["t1", "t2", "acme", "globex"]);
                ctx.keys.push(format!("{t}:*"));
                ctx.keys.push(format!("{{{t}}}:*"));
                ctx.channels.push(format!("{t}:*"));
                out.push(format!("~{t}:*"));
                out.push(format!("~{{{t}}}:*"));
                out.push(format!("&{t}:*"));
                self.cats(ctx, &mut out, &["+@all", "-@admin", "-@dangerous", "+select|0"]);
                ctx.firstargs.push(("select".into(), "0".into()));
            }
            "rw-split" => {
                let r = self.prefix_pattern(ctx);
                let w = self.prefix_pattern(ctx);
                out.push(format!("%R~{r}"));
                out.push(format!("%W~{w}"));
                let third = self.s(&["~shared:*", "%RW~both:*", "%R~*"]);
                ctx.keys.push(third.rsplit('~').next().unwrap_or("").to_string());
                out.push(third);
                self.cats(ctx, &mut out, &["+@all", "-@dangerous"]);
            }
            "scripting" => {
                let p = self.prefix_pattern(ctx);
                out.push(format!("~{p}"));
                if self.p(0.6) {
                    self.cats(ctx, &mut out, &["-@all", "+@scripting"]);
                    if self.p(0.5) {
                        out.push("-script|flush".into());
                        out.push("-function|flush".into());
                    }
                } else {
                    self.cats(ctx, &mut out, &["-@all", "+eval_ro", "+evalsha_ro", "+fcall_ro", "+@read"]);
                }
            }
            "firstarg" => {
                out.push("~*".into());
                self.cats(ctx, &mut out, &["-@all", "+@read"]);
                let r = self.s(&["+select|0", "+debug|object", "+select|1", "+debug|digest", "+ping|x", "+echo|hi"]);
                if let Some((c, a)) = r[1..].split_once('|') {
                    ctx.firstargs.push((c.to_string(), a.to_string()));
                }
                out.push(r);
            }
            "deny-dangerous" => {
                self.cats(ctx, &mut out, &["~*", "&*", "+@all", "-@dangerous"]);
                if self.p(0.6) {
                    let r = self.s(&["+keys", "-keys", "+client|list", "+info", "+flushdb"]);
                    out.push(r);
                }
            }
            _ => {
                // selectors
                let p = self.prefix_pattern(ctx);
                out.push(format!("~{p}"));
                self.cats(ctx, &mut out, &["-@all", "+@read"]);
                ctx.selectors = true;
                let w = self.prefix_pattern(ctx);
                let g = self.prefix_pattern(ctx);
                ctx.categories.push(("write".into(), true));
                ctx.commands.push(("get".into(), true));
                match self.n(0, 3) {
                    0 => {
                        out.push(format!("(%W~{w}"));
                        out.push("+@write)".into());
                        out.push(format!("(~{g}"));
                        out.push("+get)".into());
                    }
                    1 => {
                        out.push(format!("(%W~{w} +@write)"));
                        out.push(format!("(~{g} +get)"));
                    }
                    2 => {
                        out.push(format!("(%W~{w}"));
                        out.push("+@write)".into());
                        out.push("(".into());
                        out.push(format!("~{g}"));
                        out.push("+get".into());
                        out.push(")".into());
                    }
                    _ => {
                        out.push(format!("(%W~{w} +@write)"));
                        out.push(format!("(~{g} -@all)"));
                    }
                }
            }
        }
        // A little noise keeps profiles from being too regular.
        if self.p(0.12) {
            let r = self.command_rule(ctx);
            out.push(r);
        }
        (format!("profile:{name}"), out)
    }

    // --- commands ------------------------------------------------------------

    fn argv_head(&mut self, c: &CommandInfo) -> Vec<String> {
        match &c.parent {
            Some(p) => vec![self.cmd_case(p), self.cmd_case(c.short_name())],
            None => vec![self.cmd_case(&c.name)],
        }
    }

    fn numkeys_nasty(&mut self, n: usize) -> String {
        match self.n(0, 19) {
            0 => "01".into(),
            1 => "+1".into(),
            2 => "-1".into(),
            3 => "0".into(),
            4 => "99".into(),
            5 => "1x".into(),
            6 => " 1".into(),
            7 => "abc".into(),
            _ => n.to_string(),
        }
    }

    fn keys(&mut self, ctx: &Ctx, k: usize) -> Vec<String> {
        (0..k).map(|_| self.key(ctx)).collect()
    }

    fn filler(&mut self) -> String {
        match self.n(0, 9) {
            0..=2 => self.s(&["0", "1", "10", "-1", "+inf", "*", "$", ">"]),
            3..=5 => self.s(&["x", "arg", "v", "msg", "f", "m"]),
            _ => self.word(4),
        }
    }

    /// Builders for commands whose keys come from native extractors or
    /// keywords (SPEC.md §7), and a few with meaningful first arguments.
    fn special_argv(&mut self, c: &CommandInfo, ctx: &Ctx) -> Option<Vec<String>> {
        let mut v = self.argv_head(c);
        let name = c.name.as_str();
        match name {
            "eval" | "evalsha" | "eval_ro" | "evalsha_ro" | "fcall" | "fcall_ro" => {
                v.push(self.s(&["return 1", "s", "f", "x"]));
                let k = self.n(0, 3);
                v.push(self.numkeys_nasty(k));
                v.extend(self.keys(ctx, k));
                for _ in 0..self.n(0, 2) {
                    v.push(self.filler());
                }
            }
            "zunion" | "zinter" | "zdiff" | "zintercard" | "sintercard" | "lmpop" | "zmpop" => {
                let k = self.n(1, 3);
                v.push(self.numkeys_nasty(k));
                v.extend(self.keys(ctx, k));
                match name {
                    "lmpop" => v.push(self.s(&["LEFT", "RIGHT", "left"])),
                    "zmpop" => v.push(self.s(&["MIN", "MAX"])),
                    _ => {
                        if self.p(0.3) {
                            v.push(self.s(&["WITHSCORES", "LIMIT", "1"]));
                        }
                    }
                }
            }
            "blmpop" | "bzmpop" => {
                v.push("0".into());
                let k = self.n(1, 3);
                v.push(self.numkeys_nasty(k));
                v.extend(self.keys(ctx, k));
                v.push(if name == "blmpop" { "LEFT".into() } else { "MIN".into() });
            }
            "zunionstore" | "zinterstore" | "zdiffstore" => {
                v.push(self.key(ctx));
                let k = self.n(1, 3);
                v.push(self.numkeys_nasty(k));
                v.extend(self.keys(ctx, k));
            }
            "sort" | "sort_ro" => {
                v.push(self.key(ctx));
                for _ in 0..self.n(0, 3) {
                    match self.n(0, 5) {
                        0 => {
                            v.push(self.s(&["BY", "by"]));
                            v.push(self.s(&["v*", "nosort", "w:*->f"]));
                        }
                        1 => {
                            v.push("LIMIT".into());
                            v.push("0".into());
                            v.push("10".into());
                        }
                        2 => {
                            v.push("GET".into());
                            v.push(self.s(&["#", "v*", "r:*"]));
                        }
                        3 => v.push(self.s(&["ASC", "DESC", "ALPHA"])),
                        _ => {
                            if name == "sort" {
                                v.push(self.s(&["STORE", "store"]));
                                v.push(self.key(ctx));
                            }
                        }
                    }
                }
            }
            "migrate" => {
                v.push("127.0.0.1".into());
                v.push("6379".into());
                let with_keys = self.p(0.4);
                if with_keys && self.p(0.7) {
                    v.push(String::new());
                } else {
                    v.push(self.key(ctx));
                }
                v.push("0".into());
                v.push("10".into());
                for _ in 0..self.n(0, 2) {
                    match self.n(0, 3) {
                        0 => v.push("COPY".into()),
                        1 => v.push("REPLACE".into()),
                        2 => {
                            v.push("AUTH".into());
                            v.push("pw".into());
                        }
                        _ => {
                            v.push("AUTH2".into());
                            v.push("u".into());
                            v.push("pw".into());
                        }
                    }
                }
                if with_keys {
                    v.push(self.s(&["KEYS", "keys"]));
                    let k = self.n(1, 3);
                    v.extend(self.keys(ctx, k));
                }
            }
            "georadius" | "georadius_ro" | "georadiusbymember" | "georadiusbymember_ro" => {
                v.push(self.key(ctx));
                if name.starts_with("georadiusbymember") {
                    v.push("m".into());
                } else {
                    v.push("15".into());
                    v.push("37".into());
                }
                v.push("200".into());
                v.push("km".into());
                if !name.ends_with("_ro") {
                    if self.p(0.5) {
                        v.push("STORE".into());
                        v.push(self.key(ctx));
                    }
                    if self.p(0.4) {
                        v.push("STOREDIST".into());
                        v.push(self.key(ctx));
                    }
                }
            }
            "xread" | "xreadgroup" => {
                if name == "xreadgroup" {
                    v.push("GROUP".into());
                    v.push("g".into());
                    v.push("c".into());
                }
                if self.p(0.3) {
                    v.push("COUNT".into());
                    v.push("10".into());
                }
                v.push(self.s(&["STREAMS", "streams"]));
                let k = self.n(1, 3);
                v.extend(self.keys(ctx, k));
                // Odd argument counts make the key spec fail.
                let ids = if self.p(0.2) { k + 1 } else { k };
                for _ in 0..ids {
                    v.push(self.s(&["0", ">", "$"]));
                }
            }
            "set" => {
                v.push(self.key(ctx));
                v.push(self.s(&["v", "get", "1"]));
                for _ in 0..self.n(0, 2) {
                    let o = self.s(&["GET", "get", "NX", "XX", "KEEPTTL", "EX"]);
                    v.push(o.clone());
                    if o == "EX" {
                        v.push("10".into());
                    }
                }
            }
            "bitfield" | "bitfield_ro" => {
                v.push(self.key(ctx));
                for _ in 0..self.n(0, 3) {
                    let op = if name == "bitfield" {
                        self.s(&["GET", "SET", "INCRBY", "OVERFLOW", "get", "bogus"])
                    } else {
                        "GET".into()
                    };
                    v.push(op.clone());
                    match op.to_ascii_uppercase().as_str() {
                        "GET" => v.extend(["u8".into(), "0".into()]),
                        "SET" | "INCRBY" => v.extend(["u8".into(), "0".into(), "1".into()]),
                        "OVERFLOW" => v.push("SAT".into()),
                        _ => {}
                    }
                }
            }
            "publish" | "spublish" => {
                v.push(self.channel(ctx));
                v.push("msg".into());
            }
            "subscribe" | "ssubscribe" | "unsubscribe" | "sunsubscribe" => {
                let lo = usize::from(!name.contains("unsub"));
                for _ in 0..self.n(lo, 3) {
                    v.push(self.channel(ctx));
                }
            }
            "psubscribe" | "punsubscribe" => {
                let lo = usize::from(name == "psubscribe");
                for _ in 0..self.n(lo, 3) {
                    // PSUBSCRIBE compares literally with the ACL patterns.
                    if !ctx.channels.is_empty() && self.p(0.6) {
                        let c = self.one(&ctx.channels);
                        v.push(c);
                    } else {
                        v.push(self.channel(ctx));
                    }
                }
            }
            "select" => v.push(self.s(&["0", "1", "00", "x", "15"])),
            "auth" => {
                if self.p(0.5) {
                    v.push(self.s(USERS));
                }
                v.push(self.s(PASSWORDS));
            }
            "hello" => {
                if self.p(0.6) {
                    v.push(self.s(&["3", "2"]));
                }
            }
            "command|getkeys" | "command|getkeysandflags" => {
                v.push("SET".into());
                v.push(self.key(ctx));
                v.push("v".into());
            }
            _ => return None,
        }
        Some(v)
    }

    /// Arity-respecting arguments with keys where the key specs put them.
    fn generic_argv(&mut self, c: &CommandInfo, ctx: &Ctx) -> Vec<String> {
        let mut v = self.argv_head(c);
        let min = c.arity.unsigned_abs() as usize;
        let argc = if c.arity >= 0 { min } else { min + self.n(0, 3) };
        while v.len() < argc {
            v.push(self.filler());
        }
        for ks in &c.key_specs {
            if ks.flags.iter().any(|f| f == "not_key") {
                continue;
            }
            let start = match ks.begin_search.kind.as_str() {
                "index" => ks.begin_search.spec.int("index").unwrap_or(1) as usize,
                "keyword" => {
                    if c.arity >= 0 || !self.p(0.5) {
                        continue;
                    }
                    let kw = ks.begin_search.spec.str("keyword").unwrap_or("KEYS").to_string();
                    v.push(kw);
                    v.len()
                }
                _ => continue,
            };
            match ks.find_keys.kind.as_str() {
                "range" => {
                    let last = ks.find_keys.spec.int("lastkey").unwrap_or(0);
                    let step = ks.find_keys.spec.int("keystep").unwrap_or(1).max(1) as usize;
                    if start >= v.len() && ks.begin_search.kind == "keyword" {
                        v.push(String::new());
                    }
                    let end = if last >= 0 { start + last as usize } else { (v.len() as i64 + last).max(0) as usize };
                    let mut i = start;
                    while i <= end && i < v.len() {
                        v[i] = self.key(ctx);
                        i += step;
                    }
                }
                "keynum" => {
                    let idx = start + ks.find_keys.spec.int("keynumidx").unwrap_or(0) as usize;
                    let first = start + ks.find_keys.spec.int("firstkey").unwrap_or(1) as usize;
                    let k = self.n(1, 2);
                    while v.len() < first + k {
                        v.push(self.filler());
                    }
                    if idx < v.len() {
                        v[idx] = self.numkeys_nasty(k);
                    }
                    for slot in v.iter_mut().skip(first).take(k) {
                        *slot = self.key(ctx);
                    }
                }
                _ => {}
            }
        }
        v
    }

    fn argv_for(&mut self, c: &CommandInfo, ctx: &Ctx) -> Vec<String> {
        match self.special_argv(c, ctx) {
            Some(v) => v,
            None => self.generic_argv(c, ctx),
        }
    }

    fn find(&self, name: &str) -> Option<&'t CommandInfo> {
        let t = self.table;
        t.get(name)
    }

    fn by_category(&mut self, cat: &str) -> Option<&'t CommandInfo> {
        if cat == "all" {
            return Some(self.pick_command());
        }
        let pool: Vec<&'t CommandInfo> = self.runnable.iter().copied().filter(|c| c.has_category(cat)).collect();
        (!pool.is_empty()).then(|| self.one(&pool))
    }

    /// The DRYRUN argv for a case.
    /// A database argument: one the rules name, any of the 16, or one that names none.
    fn db_arg(&mut self, ctx: &Ctx) -> String {
        match self.n(0, 19) {
            0..=7 if !ctx.dbs.is_empty() => self.one(&ctx.dbs).to_string(),
            0..=14 => self.n(0, 15).to_string(),
            _ => self.s(&["16", "-1", "x", "01", " 1", "+1", "-0", "15", "2147483648", ""]),
        }
    }

    /// A command line that uses databases: one its arguments name (SELECT, MOVE, COPY …
    /// DB, SWAPDB), every database (FLUSHALL), or the one it runs in.
    fn db_command(&mut self, ctx: &Ctx) -> Option<Vec<String>> {
        let name = self.s(&[
            "select",
            "select",
            "move",
            "copy",
            "copy",
            "swapdb",
            "flushall",
            "flushdb",
            "dbsize",
            "scan",
            "randomkey",
            "keys",
            "get",
            "set",
            "migrate",
            "ping",
            "cluster|flushslot",
            "publish",
        ]);
        let c = self.find(&name)?;
        let mut v = self.argv_head(c);
        match name.as_str() {
            "select" => v.push(self.db_arg(ctx)),
            "move" => {
                v.push(self.key(ctx));
                v.push(self.db_arg(ctx));
            }
            "copy" => {
                v.push(self.key(ctx));
                v.push(self.key(ctx));
                for _ in 0..self.n(0, 3) {
                    match self.n(0, 9) {
                        0..=5 => {
                            v.push(self.s(&["DB", "db", "Db"]));
                            v.push(self.db_arg(ctx));
                        }
                        6 | 7 => v.push(self.s(&["REPLACE", "replace"])),
                        8 => v.push("DB".into()),
                        _ => v.push(self.s(&["x", "EX", "1"])),
                    }
                }
            }
            "swapdb" => {
                v.push(self.db_arg(ctx));
                v.push(self.db_arg(ctx));
            }
            "migrate" => {
                v.extend(["127.0.0.1".into(), "6379".into(), self.key(ctx), self.db_arg(ctx), "10".into()]);
            }
            _ => return Some(self.argv_for(c, ctx)),
        }
        Some(v)
    }

    fn command(&mut self, ctx: &Ctx) -> Vec<String> {
        if (ctx.db_rules || self.db_version())
            && self.p(if ctx.db_rules { 0.35 } else { 0.05 })
            && let Some(v) = self.db_command(ctx)
        {
            return v;
        }
        let r = self.n(0, 999);
        // Nasty command lines (arity, unknown names, containers).
        if r < 60 {
            return self.nasty_command(ctx);
        }
        // First-arg rules: exercise the stored argument.
        if r < 100 && !ctx.firstargs.is_empty() {
            let (cmd, arg) = self.one(&ctx.firstargs);
            if let Some(c) = self.find(&cmd).filter(|c| !c.container) {
                let mut v = self.argv_for(c, ctx);
                let a = match self.n(0, 3) {
                    0 => arg.to_ascii_uppercase(),
                    1 => format!("{arg}0"),
                    _ => arg.clone(),
                };
                if v.len() > 1 {
                    v[1] = a;
                } else {
                    v.push(a);
                }
                return v;
            }
        }
        if r < 160 && (ctx.pubsub || !ctx.channels.is_empty()) {
            let n = self.s(&[
                "publish",
                "subscribe",
                "psubscribe",
                "ssubscribe",
                "spublish",
                "unsubscribe",
                "punsubscribe",
                "pubsub|channels",
                "pubsub|numsub",
            ]);
            if let Some(c) = self.find(&n) {
                return self.argv_for(c, ctx);
            }
        }
        if r < 220 {
            let n = self.s(&[
                "eval",
                "evalsha",
                "eval_ro",
                "fcall",
                "fcall_ro",
                "zunionstore",
                "zinterstore",
                "zdiffstore",
                "zunion",
                "lmpop",
                "blmpop",
                "bzmpop",
                "sintercard",
                "sort",
                "sort_ro",
                "migrate",
                "georadius",
                "georadiusbymember",
                "xread",
                "xreadgroup",
                "set",
                "bitfield",
                "bitfield_ro",
                "zmpop",
            ]);
            if let Some(c) = self.find(&n) {
                return self.argv_for(c, ctx);
            }
        }
        // Commands the rules mention (allowed or explicitly denied).
        if r < 880 {
            // Mostly the granted ones: denials come easily anyway.
            let want = self.p(0.8);
            let cmds: Vec<String> = ctx.commands.iter().filter(|(_, a)| *a == want).map(|(c, _)| c.clone()).collect();
            let cats: Vec<String> = ctx.categories.iter().filter(|(_, a)| *a == want).map(|(c, _)| c.clone()).collect();
            if !cmds.is_empty() && (cats.is_empty() || self.p(0.6)) {
                let n = self.one(&cmds).to_ascii_lowercase();
                if let Some(c) = self.find(&n) {
                    let c = if c.container {
                        let subs: Vec<&CommandInfo> = self.table.subcommands(&c.name).collect();
                        if subs.is_empty() { c } else { self.one(&subs) }
                    } else {
                        c
                    };
                    return self.argv_for(c, ctx);
                }
            }
            if !cats.is_empty() {
                let cat = self.one(&cats).to_ascii_lowercase();
                if let Some(c) = self.by_category(&cat) {
                    return self.argv_for(c, ctx);
                }
            }
        }
        let c = self.pick_command();
        self.argv_for(c, ctx)
    }

    fn nasty_command(&mut self, ctx: &Ctx) -> Vec<String> {
        match self.n(0, 9) {
            0 => {
                let c = self.containers[self.rng.random_range(0..self.containers.len())];
                vec![self.cmd_case(&c.name)]
            }
            1 => {
                let c = self.containers[self.rng.random_range(0..self.containers.len())];
                vec![self.cmd_case(&c.name), self.s(&["NOPE", "nosuch", ""])]
            }
            2 => vec![self.s(&["NOSUCHCMD", "gett", "", "config|get", "GET|x"]), self.key(ctx)],
            3 | 4 => {
                // Wrong arity: one argument short (or one too many).
                let c = self.pick_command();
                let mut v = self.argv_for(c, ctx);
                if c.arity > 0 && self.p(0.5) {
                    v.push("extra".into());
                } else {
                    let keep = c.arity.unsigned_abs().saturating_sub(1).max(1) as usize;
                    v.truncate(keep.min(v.len()));
                }
                v
            }
            5 => {
                let c = self.s(&["auth", "hello", "quit", "reset"]);
                let info = self.find(&c).expect("no_auth command in table");
                self.argv_for(info, ctx)
            }
            6 => {
                let c = self.find("command").expect("command");
                let mut v = vec![self.cmd_case(&c.name)];
                if self.p(0.5) {
                    v.push(self.s(&["COUNT", "DOCS", "INFO", "LIST"]));
                }
                v
            }
            7 => Vec::new(),
            _ => {
                let c = self.pick_command();
                let mut v = self.argv_for(c, ctx);
                v[0] = self.mixed(&v[0]);
                v
            }
        }
    }

    fn username(&mut self) -> String {
        match self.n(0, 199) {
            0..=7 => self.s(ODD_USERS),
            8 | 9 => self.s(BAD_USERS),
            10 => String::new(),
            11 => format!("u{}", "x".repeat(self.n(60, 300))),
            _ => self.s(USERS),
        }
    }

    /// Case number `n` (ids are `<server>-s<seed>-<n>`).
    pub fn case(&mut self, n: usize) -> CaseInput {
        let mut ctx = Ctx::default();
        let (base, mut args) =
            if self.p(0.46) { self.profile(&mut ctx) } else { ("random".to_string(), self.soup(&mut ctx)) };
        let mut tags = ctx.tags(&base);
        let user = self.username();
        let mut pre = None;
        if self.p(0.05) {
            // Incremental SETUSER: earlier calls, then a short change.
            let k = self.n(1, 2);
            let mut calls = Vec::new();
            for _ in 0..k {
                calls.push(std::mem::take(&mut args));
                let mut c2 = Ctx::default();
                args = self.soup(&mut c2);
                args.truncate(self.n(1, 4));
                ctx.keys.extend(c2.keys);
                ctx.commands.extend(c2.commands);
            }
            if self.p(0.5) {
                args = vec![self.s(&[
                    "<pw",
                    "resetpass",
                    "clearselectors",
                    "-@all",
                    "+get",
                    "resetkeys",
                    "reset",
                    "nopass",
                    "~extra:*",
                    "-config|get",
                ])];
            }
            pre = Some(calls);
            tags.push_str(",pre");
        }
        let mut server_config = None;
        if self.p(0.03) {
            let v = self.s(&["allchannels", "allchannels", "resetchannels"]);
            server_config = Some(std::collections::BTreeMap::from([("acl-pubsub-default".to_string(), v)]));
            tags.push_str(",config");
        }
        let setuser_args = if self.p(0.004) { None } else { Some(args) };
        let command = self.command(&ctx);
        // DRYRUN from another database than a new connection's (database rules check it).
        let db = if self.db_version() && self.p(if ctx.db_rules { 0.35 } else { 0.1 }) {
            let named: Vec<u32> = ctx.dbs.iter().copied().filter(|&d| d < 16).collect();
            Some(if !named.is_empty() && self.p(0.6) { self.one(&named) } else { self.n(1, 15) as u32 })
        } else {
            None
        };
        CaseInput {
            id: format!("{}-s{}-{n:05}", self.id.as_str(), self.seed),
            tags,
            source: None,
            user,
            setuser_args,
            pre,
            server_config,
            db,
            command,
        }
    }

    // --- ACL files -------------------------------------------------------

    /// Rule tokens for one file line (no whitespace inside tokens, except
    /// within selectors, which the file merge reassembles).
    fn file_rules(&mut self) -> Vec<String> {
        let mut ctx = Ctx::default();
        let mut v = if self.p(0.5) { self.profile(&mut ctx).1 } else { self.soup(&mut ctx) };
        v.retain(|t| {
            let sel = t.starts_with('(') && t.ends_with(')');
            (sel || !t.contains(char::is_whitespace)) && !t.contains('\n')
        });
        // Unmatched `(` after rules crashes the server; keep those rare.
        let open_at_end = v.last().is_some_and(|t| t.starts_with('(') && !t.ends_with(')'));
        if open_at_end && self.p(0.7) {
            v.pop();
        }
        v
    }

    /// One line of an ACL file; a `clean` line is valid and defines a user
    /// not defined before.
    fn file_line(&mut self, names: &mut Vec<String>, clean: bool) -> String {
        let r = if clean {
            let r = self.n(0, 82);
            if r > 75 { 99 } else { r }
        } else {
            self.n(0, 99)
        };
        let mut name = if !clean && !names.is_empty() && self.p(0.06) {
            self.one(names) // duplicate user
        } else if self.p(0.05) {
            self.s(ODD_USERS).replace([' ', '\t', '\n'], "_")
        } else {
            self.s(USERS)
        };
        if clean && names.contains(&name) {
            name = format!("{name}{}", names.len());
        }
        let r = if clean && (70..=75).contains(&r) && names.iter().any(|n| n == "default") { 0 } else { r };
        let line = match r {
            0..=69 => {
                names.push(name.clone());
                let rules = self.file_rules();
                format!("user {name} {}", rules.join(" "))
            }
            70..=75 => {
                names.push("default".into());
                self.s(&[
                    "user default on nopass ~* &* +@all",
                    "user default off",
                    "user default on >pw ~* &* +@all -flushall -keys",
                    "user default on nopass resetchannels -@all +ping",
                ])
            }
            76 => "# a comment".into(),
            77 => format!("USER {name} on"),
            78 => "user".into(),
            79 => "user  ".into(),
            80 => "user  on nopass +@all".into(),
            81 => "not a user line".into(),
            82 => format!("user a{}b on", self.s(&["\u{b}", "\u{c}"])),
            83 => format!("user\t{name} on"),
            84 => format!("user {name} on\t+@all ~x\t"),
            85 => format!("user {name} on (~x"),
            86 => format!("user {name} (~x +get"),
            87 => {
                let mut rules = Vec::new();
                let k = self.n(150, 700);
                for i in 0..k {
                    rules.push(format!("~k{i}:*"));
                    if i % 5 == 0 {
                        rules.push("+get".into());
                    }
                }
                format!("user {name} on {}", rules.join(" "))
            }
            88 => format!("user {name} on ~* ~x"),
            89 => format!("user {name} on +nosuch -@nosuch +get|a|b"),
            90 => format!("user {name}  on  nopass  +@all "),
            91 => format!("user {name} on \"~a b\""),
            92 => format!("user {name} on ) ~a)"),
            _ => {
                names.push(name.clone());
                format!("user {name} on nopass ~{name}:* +@all")
            }
        };
        // Formatting noise: padding, tabs, CR.
        match self.n(0, 19) {
            0 => format!("  {line}"),
            1 => format!("{line}   "),
            2 => format!("\t{line}\t"),
            3 => format!("{line}\r"),
            _ => line,
        }
    }

    /// File number `n`.
    pub fn file(&mut self, n: usize) -> FileInput {
        let lines = self.n(1, 10);
        let mut names = Vec::new();
        let mut text = String::new();
        let crlf = self.p(0.1);
        // About half the files are clean (they load); the rest mix in
        // every kind of error.
        let clean = self.p(0.45);
        self.force_valid = clean;
        for _ in 0..lines {
            if self.p(0.08) {
                text.push_str(&self.s(&["", "   ", "\t", "\r"]));
                text.push_str(if crlf { "\r\n" } else { "\n" });
            }
            let line = self.file_line(&mut names, clean);
            text.push_str(&line);
            text.push_str(if crlf { "\r\n" } else { "\n" });
        }
        if self.p(0.1) {
            // No trailing newline.
            while text.ends_with('\n') || text.ends_with('\r') {
                text.pop();
            }
        }
        self.force_valid = false;
        if self.p(0.03) {
            text.clear();
        }
        let preload = self.p(0.2).then(|| {
            "user default on nopass ~* &* +@all\nuser admin on >adminpw ~* &* +@all\nuser app on >apppw ~app:* &app:* +@all -@dangerous\n".to_string()
        });
        FileInput {
            id: format!("{}-files-s{}-{n:05}", self.id.as_str(), self.seed),
            tags: "random".into(),
            preload,
            file: text,
            startup: true,
        }
    }
}

/// One user of a benchmark workload ([`generate_workload`]).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct WorkloadUser {
    /// Unique in the workload: `<base>-<n>` (`app-17`, `svc_orders-204`).
    pub name: String,
    /// `profile:<name>` or `random` (a valid token soup).
    pub tags: String,
    /// Rule tokens of the user's ACL-file line: none holds whitespace except a
    /// whole `(...)` selector.
    pub rules: Vec<String>,
    /// `ACL DRYRUN` argvs drawn for these rules exactly as [`generate_cases`]
    /// draws a case's command (allowed and denied commands, keys and channels
    /// that match or miss the user's patterns, nasty command lines).
    pub commands: Vec<Vec<String>>,
}

/// Users for a large ACL file, each with `commands_per_user` DRYRUN command
/// lines, for benchmarks. Same rules and command drawing as the cases of
/// [`generate_cases`] without the deliberately invalid rules (a few lines may
/// still be refused: callers filter them with the engine and check the
/// server's `ACL LOAD` reply). Its own random stream: the cases and files of
/// the same seed are unchanged.
pub fn generate_workload(
    id: ServerId,
    table: &CommandTable,
    seed: u64,
    users: usize,
    commands_per_user: usize,
) -> Vec<WorkloadUser> {
    let mut g = Generator::new(id, table, seed);
    g.rng.set_stream(2);
    (1..=users).map(|n| g.workload_user(n, commands_per_user)).collect()
}

impl Generator<'_> {
    fn workload_user(&mut self, n: usize, commands: usize) -> WorkloadUser {
        self.force_valid = true;
        let mut ctx = Ctx::default();
        let (tags, mut rules) =
            if self.p(0.6) { self.profile(&mut ctx) } else { ("random".to_string(), self.soup(&mut ctx)) };
        self.force_valid = false;
        // What a file line can hold (as in `file_rules`).
        rules.retain(|t| {
            let sel = t.starts_with('(') && t.ends_with(')');
            !t.is_empty() && (sel || !t.contains(char::is_whitespace))
        });
        let name = format!("{}-{n}", self.s(USERS));
        let commands = (0..commands).map(|_| self.command(&ctx)).collect();
        WorkloadUser { name, tags, rules, commands }
    }
}

/// A user's rules and a realistic edit of them (a rule added, removed or reordered,
/// `resetkeys` moved, a key pattern's rights changed, a selector added or removed, a
/// token duplicated, or nothing), for `aclplay diff`'s differential test.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RulePair {
    /// `profile:<name>` or `random`.
    pub tags: String,
    /// Rule tokens of an ACL-file line before the edit (as [`WorkloadUser::rules`]).
    pub old: Vec<String>,
    /// After the edit.
    pub new: Vec<String>,
    /// What the edits were, in words (`add ~x:*`, `move resetkeys`, …).
    pub edits: Vec<String>,
    /// `ACL DRYRUN` argvs drawn for the patterns and commands of both rule sets, as
    /// [`generate_cases`] draws a case's command.
    pub commands: Vec<Vec<String>>,
}

/// `count` rule pairs with `commands` DRYRUN lines each, from `seed` (its own random
/// stream). Rules are drawn valid; an edit can still make a line the server refuses (a
/// pattern after `allkeys`): callers keep the pairs the engine and the server accept.
pub fn generate_rule_pairs(
    id: ServerId,
    table: &CommandTable,
    seed: u64,
    count: usize,
    commands: usize,
) -> Vec<RulePair> {
    let mut g = Generator::new(id, table, seed);
    g.rng.set_stream(3);
    (0..count).map(|_| g.rule_pair(commands)).collect()
}

impl Generator<'_> {
    fn rule_pair(&mut self, commands: usize) -> RulePair {
        self.force_valid = true;
        let mut ctx = Ctx::default();
        let (tags, mut rules) =
            if self.p(0.6) { self.profile(&mut ctx) } else { ("random".to_string(), self.soup(&mut ctx)) };
        rules.retain(|t| {
            let sel = t.starts_with('(') && t.ends_with(')');
            !t.is_empty() && (sel || !t.contains(char::is_whitespace))
        });
        let old = rules.clone();
        let mut edits = Vec::new();
        for _ in 0..self.n(1, 2) {
            edits.push(self.edit(&mut rules, &mut ctx));
        }
        self.force_valid = false;
        let commands = (0..commands).map(|_| self.command(&ctx)).collect();
        RulePair { tags, old, new: rules, edits, commands }
    }

    fn edit(&mut self, rules: &mut Vec<String>, ctx: &mut Ctx) -> String {
        let at = |g: &mut Self, len: usize| g.n(0, len);
        match self.n(0, 19) {
            0..=4 => {
                let r = match self.n(0, 3) {
                    0 => self.key_rule(ctx),
                    1 => self.channel_rule(ctx),
                    _ => self.command_rule(ctx),
                };
                let i = at(self, rules.len());
                rules.insert(i, r.clone());
                format!("add `{r}`")
            }
            5 | 6 if !rules.is_empty() => {
                let i = self.n(0, rules.len() - 1);
                let r = rules.remove(i);
                format!("remove `{r}`")
            }
            7 | 8 if rules.len() >= 2 => {
                let i = self.n(0, rules.len() - 2);
                let j = self.n(i + 1, rules.len() - 1);
                rules.swap(i, j);
                format!("swap `{}` and `{}`", rules[j], rules[i])
            }
            9 | 10 => {
                rules.retain(|t| !t.eq_ignore_ascii_case("resetkeys"));
                let i = at(self, rules.len());
                rules.insert(i, "resetkeys".into());
                format!("move resetkeys to {i}")
            }
            11 | 12 => {
                let mut out = Vec::new();
                let mut c2 = ctx.clone();
                c2.allow_invalid = false;
                self.selector(&mut c2, &mut out);
                ctx.keys.extend(c2.keys);
                ctx.channels.extend(c2.channels);
                ctx.commands.extend(c2.commands);
                ctx.firstargs.extend(c2.firstargs);
                let sel = out.join(" ");
                if !(sel.starts_with('(') && sel.ends_with(')')) || sel.contains('\n') {
                    return "add nothing".into();
                }
                let i = at(self, rules.len());
                rules.insert(i, sel.clone());
                format!("add selector `{sel}`")
            }
            13 if !rules.is_empty() => {
                let i = self.n(0, rules.len() - 1);
                let r = rules[i].clone();
                let j = at(self, rules.len());
                rules.insert(j, r.clone());
                format!("duplicate `{r}`")
            }
            14 | 15 => {
                // Change a key pattern's rights.
                let keys: Vec<usize> =
                    (0..rules.len()).filter(|&i| rules[i].starts_with('~') || rules[i].starts_with('%')).collect();
                if keys.is_empty() {
                    return "change nothing".into();
                }
                let i = self.one(&keys);
                let pat = rules[i].split_once('~').map(|(_, p)| p.to_string()).unwrap_or_default();
                let perm = self.s(&["~", "%R~", "%W~", "%RW~"]);
                let before = std::mem::replace(&mut rules[i], format!("{perm}{pat}"));
                format!("`{before}` → `{}`", rules[i])
            }
            16 => {
                let sels: Vec<usize> = (0..rules.len()).filter(|&i| rules[i].starts_with('(')).collect();
                if sels.is_empty() {
                    let i = at(self, rules.len());
                    rules.insert(i, "clearselectors".into());
                    return "add clearselectors".into();
                }
                let i = self.one(&sels);
                let r = rules.remove(i);
                format!("remove selector `{r}`")
            }
            17 => {
                let r = self.s(&["allkeys", "resetchannels", "allchannels", "-@all", "+@all", "nocommands", "reset"]);
                let i = at(self, rules.len());
                rules.insert(i, r.clone());
                format!("add `{r}`")
            }
            _ => "change nothing".into(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn table(id: ServerId) -> Option<CommandTable> {
        crate::table::load_table(id).ok()
    }

    #[test]
    fn same_seed_same_cases() {
        for id in ServerId::all() {
            let Some(t) = table(id) else { continue };
            let a = generate_cases(id, &t, 7, 300);
            let b = generate_cases(id, &t, 7, 300);
            assert_eq!(a, b);
            let c = generate_cases(id, &t, 8, 300);
            assert_ne!(a, c);
            assert!(a.iter().all(|c| c.user != "default"));
            let f1 = generate_files(id, &t, 7, 50);
            assert_eq!(f1, generate_files(id, &t, 7, 50));
        }
    }

    #[test]
    fn workload_is_seeded_and_names_are_unique() {
        for id in ServerId::all() {
            let Some(t) = table(id) else { continue };
            let a = generate_workload(id, &t, 3, 200, 4);
            assert_eq!(a, generate_workload(id, &t, 3, 200, 4));
            let names: std::collections::BTreeSet<&str> = a.iter().map(|u| u.name.as_str()).collect();
            assert_eq!(names.len(), a.len());
            assert!(a.iter().all(|u| u.commands.len() == 4));
            assert!(a.iter().flat_map(|u| &u.rules).all(|r| !r.is_empty()
                && !r.contains('\n')
                && ((r.starts_with('(') && r.ends_with(')')) || !r.contains(' '))));
        }
    }

    #[test]
    fn rule_pairs_are_seeded_edits() {
        for id in ServerId::all() {
            let Some(t) = table(id) else { continue };
            let a = generate_rule_pairs(id, &t, 5, 200, 3);
            assert_eq!(a, generate_rule_pairs(id, &t, 5, 200, 3));
            assert!(a.iter().any(|p| p.old == p.new) && a.iter().filter(|p| p.old != p.new).count() > 150);
            assert!(a.iter().all(|p| p.commands.len() == 3 && !p.edits.is_empty()));
            assert!(a.iter().flat_map(|p| &p.edits).any(|e| e.starts_with("move resetkeys")));
            assert!(a.iter().flat_map(|p| &p.edits).any(|e| e.starts_with("add selector")));
        }
    }

    #[test]
    fn glob_helper_produces_plausible_keys() {
        let t = CommandTable { server: "redis".into(), version: "0".into(), categories: vec![], commands: vec![] };
        let mut g = Generator::new(ServerId::default_id(), &t, 1);
        assert_eq!(g.matching("app:\\*"), "app:*");
        let k = g.matching("cache:[abc]?");
        assert!(k.starts_with("cache:") && k.len() == 8, "{k}");
        assert!(["a", "b", "c"].contains(&&k[6..7]));
    }
}
