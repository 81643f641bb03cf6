//! Least privilege from traffic (`aclplay draft`): from what an application really sent
//! (a `redis-cli MONITOR` capture, [`super::traffic`]), the smallest reasonable rules per
//! user — the exact commands (`+cmd`, `+container|sub`), key patterns generalised from
//! the keys seen with the rights each key needed (the engine's key extraction:
//! `%R~`, `%W~` or `~`), the channels — as an ACL file `ACL LOAD` accepts. Then the
//! [`Proof`]: every observed command replayed through the engine as the drafted user,
//! and what the draft allows beyond what was seen.
//!
//! Streaming: [`Drafter::add`] takes one line at a time and keeps aggregates only (per
//! client: commands, key groups with a few samples, channels), so memory is bounded by
//! the variety of the traffic, not its length.

use super::traffic::{Monitored, Sender};
use crate::bytes::lossy;
use crate::commands::{CmdId, Profile};
use crate::review::diff::cli_arg;
use serde::Serialize;
use std::collections::BTreeMap;

/// How to generalise keys and name users.
#[derive(Debug, Clone)]
pub struct DraftOptions {
    /// The byte that separates the parts of a key name (`app:user:1`).
    pub delimiter: u8,
    /// Parts kept before the `*`: `None` keeps all but the last (`app:user:1` →
    /// `app:user:*`), `Some(1)` keeps one (`app:*`).
    pub depth: Option<usize>,
    /// Never generalise: one pattern per key seen.
    pub exact_keys: bool,
    /// Distinct keys a prefix needs before it becomes a pattern (fewer stay exact).
    pub min_keys: usize,
    /// `(address, ip or client name, user)`: which user a client is drafted as.
    pub map: Vec<(String, String)>,
    /// The password rule of each user (`#<sha256>`), or the placeholder.
    pub passwords: Vec<(String, String)>,
    pub default_password: Option<String>,
    /// Also write `user default off` (unless a client is mapped to `default`).
    pub default_off: bool,
}

impl Default for DraftOptions {
    fn default() -> Self {
        DraftOptions {
            delimiter: b':',
            depth: None,
            exact_keys: false,
            min_keys: 2,
            map: Vec::new(),
            passwords: Vec::new(),
            default_password: None,
            default_off: true,
        }
    }
}

/// The placeholder password of a drafted user: accepted by `ACL LOAD`, and plainly a
/// value to replace.
pub const PLACEHOLDER: &str = ">REPLACE-THIS-PLACEHOLDER-PASSWORD";

/// Distinct exact keys kept per client before they are merged into one prefix pattern.
const EXACT_LIMIT: usize = 10_000;
/// Sample keys kept per group (for the report).
const SAMPLES: usize = 3;

/// Keys seen under one pattern.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct KeyGroup {
    /// `app:` for the prefix `app:*`, or the whole key of an exact pattern.
    #[serde(skip)]
    pub prefix: Vec<u8>,
    pub exact: bool,
    pub read: bool,
    pub write: bool,
    /// Key arguments seen.
    pub seen: u64,
    /// Distinct keys seen, counted up to `min_keys` (enough to decide).
    pub distinct: usize,
    pub samples: Vec<String>,
    /// The distinct keys, kept up to `min_keys` (all of them while the prefix stays exact).
    #[serde(skip)]
    keys: Vec<(Vec<u8>, u64)>,
}

/// What one client (or several merged into one user) sent.
#[derive(Debug, Clone, Default)]
struct Acc {
    commands: BTreeMap<CmdId, u64>,
    keys: BTreeMap<Vec<u8>, KeyGroup>,
    exact_count: usize,
    /// Channels: (name, is a PSUBSCRIBE pattern) → times seen.
    channels: BTreeMap<(Vec<u8>, bool), u64>,
    lines: u64,
}

fn is_script(argv: &[Vec<u8>]) -> bool {
    let n = argv.first().map(|a| a.to_ascii_lowercase()).unwrap_or_default();
    matches!(n.as_slice(), b"eval" | b"evalsha" | b"eval_ro" | b"evalsha_ro" | b"fcall" | b"fcall_ro")
}

/// Who sent each line: clients by address, script lines (`[0 lua]`) for the client whose
/// script ran them. The server shows a script's call (EVAL, EVALSHA, FCALL…) just before
/// the commands the script runs (so on Redis 7.0.15: `tests/data/monitor-redis-7.0.txt`),
/// and scripts run alone: a script line belongs to the last script call before it.
#[derive(Debug, Default)]
pub struct Attribution {
    last_script: Option<String>,
    unclaimed: usize,
}

impl Attribution {
    /// Feeds one line (`n` is its line number); calls `f(line, address, argv)` with the
    /// client that sent it (script lines with nobody's script call before them, from a
    /// capture that began inside a script, are counted and left out).
    pub fn feed(&mut self, n: usize, m: Monitored, f: &mut impl FnMut(usize, &str, &[Vec<u8>])) {
        match m.sender {
            Sender::Script => match &self.last_script {
                Some(o) => f(n, o, &m.argv),
                None => self.unclaimed += 1,
            },
            Sender::Client(addr) => {
                if is_script(&m.argv) {
                    self.last_script = Some(addr.to_string());
                }
                f(n, addr, &m.argv);
            }
        }
    }

    /// Script lines nobody's script call claimed.
    pub fn unclaimed(&self) -> usize {
        self.unclaimed
    }
}

/// A glob pattern matching `b` literally.
pub fn escape_glob(b: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(b.len());
    for &c in b {
        if matches!(c, b'*' | b'?' | b'[' | b']' | b'\\') {
            out.push(b'\\');
        }
        out.push(c);
    }
    out
}

/// The drafting state: feed it lines with [`Drafter::add`], then [`Drafter::finish`].
pub struct Drafter {
    pub profile: &'static Profile,
    opts: DraftOptions,
    attribution: Attribution,
    clients: BTreeMap<String, Acc>,
    /// Client names set by `CLIENT SETNAME` / `HELLO … SETNAME`, by address.
    names: BTreeMap<String, String>,
    order: Vec<String>,
    /// Commands the version does not know (module commands, a newer server): (first line,
    /// name, times).
    pub unknown: BTreeMap<String, (usize, u64)>,
    pub lines: u64,
}

impl Drafter {
    pub fn new(profile: &'static Profile, opts: DraftOptions) -> Drafter {
        Drafter {
            profile,
            opts,
            attribution: Attribution::default(),
            clients: BTreeMap::new(),
            names: BTreeMap::new(),
            order: Vec::new(),
            unknown: BTreeMap::new(),
            lines: 0,
        }
    }

    /// One MONITOR line (`n`: its line number).
    pub fn add(&mut self, n: usize, m: Monitored) {
        self.lines += 1;
        let mut att = std::mem::take(&mut self.attribution);
        att.feed(n, m, &mut |n, addr, argv| self.record(n, addr, argv));
        self.attribution = att;
    }

    fn record(&mut self, n: usize, addr: &str, argv: &[Vec<u8>]) {
        let refs: Vec<&[u8]> = argv.iter().map(Vec::as_slice).collect();
        let lower = |i: usize| refs.get(i).map(|a| a.to_ascii_lowercase());
        // Client names: CLIENT SETNAME x, HELLO … SETNAME x.
        if lower(0).as_deref() == Some(b"client") && lower(1).as_deref() == Some(b"setname") && refs.len() == 3 {
            self.names.insert(addr.to_string(), lossy(refs[2]));
        }
        if lower(0).as_deref() == Some(b"hello")
            && let Some(i) = refs.iter().position(|a| a.eq_ignore_ascii_case(b"setname"))
            && let Some(name) = refs.get(i + 1)
        {
            self.names.insert(addr.to_string(), lossy(name));
        }
        if !self.clients.contains_key(addr) {
            self.order.push(addr.to_string());
        }
        let opts = &self.opts;
        let acc = self.clients.entry(addr.to_string()).or_default();
        acc.lines += 1;
        let Some((id, c)) = self.profile.command_of(&refs) else {
            let name = refs.first().map(|a| lossy(a).to_ascii_lowercase()).unwrap_or_default();
            self.unknown.entry(name).or_insert((n, 0)).1 += 1;
            return;
        };
        if c.has_flag(crate::commands::flag::NO_AUTH) {
            // AUTH, HELLO, QUIT, RESET: every user may run them.
            return;
        }
        *acc.commands.entry(id).or_default() += 1;
        if !c.arity_ok(refs.len()) {
            return;
        }
        if c.has_keys() {
            c.visit_keys(&refs, |k| {
                add_key(acc, opts, refs[k.pos], k.needs_read(), k.needs_write());
                true
            });
        }
        if c.has_channels() {
            c.visit_channels(refs.len(), |pos, pattern| {
                *acc.channels.entry((refs[pos].to_vec(), pattern)).or_default() += 1;
                true
            });
        }
    }

    /// The user a client is drafted as: a `--map` entry for its address, its IP or its
    /// client name; else its client name; else `client-<n>` in order of appearance.
    pub fn user_of(&self, addr: &str) -> String {
        let ip = addr.rsplit_once(':').map_or(addr, |(ip, _)| ip);
        let name = self.names.get(addr);
        for key in [Some(addr), Some(ip), name.map(String::as_str)].into_iter().flatten() {
            if let Some((_, u)) = self.opts.map.iter().find(|(k, _)| k == key) {
                return u.clone();
            }
        }
        if let Some(n) = name.filter(|n| !n.is_empty() && n.bytes().all(|b| b.is_ascii_graphic())) {
            return n.clone();
        }
        let i = self.order.iter().position(|a| a == addr).unwrap_or(0);
        format!("client-{}", i + 1)
    }

    /// The draft: one user per client or mapped user, merged.
    pub fn finish(self) -> Draft {
        let mut users: Vec<DraftUser> = Vec::new();
        for addr in &self.order {
            let name = self.user_of(addr);
            let acc = &self.clients[addr];
            let u = match users.iter_mut().find(|u| u.name == name) {
                Some(u) => u,
                None => {
                    users.push(DraftUser { name: name.clone(), ..DraftUser::default() });
                    users.last_mut().expect("just pushed")
                }
            };
            u.clients.push(addr.clone());
            u.lines += acc.lines;
            for (id, n) in &acc.commands {
                *u.commands.entry(*id).or_default() += n;
            }
            for (k, g) in &acc.keys {
                merge_group(u.keys.entry(k.clone()).or_default(), g, self.opts.min_keys);
            }
            for (k, n) in &acc.channels {
                *u.channels.entry(k.clone()).or_default() += n;
            }
        }
        for u in &mut users {
            u.finish_keys(&self.opts);
        }
        Draft {
            profile: self.profile,
            users,
            unknown: self.unknown,
            lines: self.lines,
            unclaimed_script_lines: self.attribution.unclaimed(),
            opts: self.opts,
            names: self.names,
            order: self.order,
        }
    }
}

fn add_key(acc: &mut Acc, opts: &DraftOptions, key: &[u8], read: bool, write: bool) {
    let parts: Vec<usize> = key.iter().enumerate().filter(|(_, b)| **b == opts.delimiter).map(|(i, _)| i).collect();
    let cut = if opts.exact_keys || parts.is_empty() {
        None
    } else {
        let keep = opts.depth.unwrap_or(parts.len()).clamp(1, parts.len());
        Some(parts[keep - 1] + 1)
    };
    let (group, exact) = match cut {
        Some(c) => (key[..c].to_vec(), false),
        None => (key.to_vec(), true),
    };
    if exact && !acc.keys.contains_key(&group) {
        if acc.exact_count >= EXACT_LIMIT {
            // Too many distinct keys without a delimiter: one group for all of them.
            let g = acc.keys.entry(Vec::new()).or_default();
            note(g, key, read, write, opts.min_keys);
            return;
        }
        acc.exact_count += 1;
    }
    let g = acc.keys.entry(group.clone()).or_insert_with(|| KeyGroup { prefix: group, exact, ..KeyGroup::default() });
    note(g, key, read, write, opts.min_keys);
}

fn note(g: &mut KeyGroup, key: &[u8], read: bool, write: bool, min_keys: usize) {
    g.read |= read;
    g.write |= write;
    g.seen += 1;
    match g.keys.iter().position(|(k, _)| k == key) {
        Some(i) => g.keys[i].1 += 1,
        None if g.keys.len() < min_keys.max(1) => g.keys.push((key.to_vec(), 1)),
        None => {}
    }
    g.distinct = g.keys.len();
    if g.samples.len() < SAMPLES && !g.samples.iter().any(|s| s.as_bytes() == key) {
        g.samples.push(lossy(key));
    }
}

fn merge_group(into: &mut KeyGroup, g: &KeyGroup, min_keys: usize) {
    if into.seen == 0 {
        *into = g.clone();
        return;
    }
    into.read |= g.read;
    into.write |= g.write;
    into.seen += g.seen;
    for (k, n) in &g.keys {
        match into.keys.iter().position(|(x, _)| x == k) {
            Some(i) => into.keys[i].1 += n,
            None if into.keys.len() < min_keys.max(1) => into.keys.push((k.clone(), *n)),
            None => {}
        }
    }
    into.distinct = into.keys.len();
    for s in &g.samples {
        if into.samples.len() < SAMPLES && !into.samples.contains(s) {
            into.samples.push(s.clone());
        }
    }
}

/// One key pattern of a drafted user, and why.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct KeyRule {
    /// The rule: `%R~app:*`.
    pub rule: String,
    pub read: bool,
    pub write: bool,
    /// Key arguments seen under it, and a few of them.
    pub seen: u64,
    pub samples: Vec<String>,
    /// How it was found: `prefix app: (3+ distinct keys)`, `exact key`.
    pub why: String,
}

/// One drafted user.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct DraftUser {
    pub name: String,
    /// The client addresses drafted as this user.
    pub clients: Vec<String>,
    pub lines: u64,
    #[serde(skip)]
    pub commands: BTreeMap<CmdId, u64>,
    #[serde(skip)]
    keys: BTreeMap<Vec<u8>, KeyGroup>,
    #[serde(skip)]
    pub channels: BTreeMap<(Vec<u8>, bool), u64>,
    pub key_rules: Vec<KeyRule>,
}

impl DraftUser {
    fn finish_keys(&mut self, opts: &DraftOptions) {
        let mut rules = Vec::new();
        for g in self.keys.values() {
            let generalise = !g.exact && g.distinct >= opts.min_keys;
            let perm = match (g.read, g.write) {
                (true, true) => "~",
                (false, true) => "%W~",
                // Read only, or keys no right is checked for: the narrowest pattern.
                _ => "%R~",
            };
            let mut push = |pattern: Vec<u8>, why: String, seen: u64, samples: Vec<String>| {
                rules.push(KeyRule {
                    rule: format!("{perm}{}", lossy(&pattern)),
                    read: g.read || !g.write,
                    write: g.write,
                    seen,
                    samples,
                    why,
                })
            };
            if g.prefix.is_empty() && !g.exact {
                let why = "more distinct keys without a delimiter than aclplay keeps apart".to_string();
                push(b"*".to_vec(), why, g.seen, g.samples.clone());
            } else if generalise {
                let mut p = escape_glob(&g.prefix);
                p.push(b'*');
                let why = format!("prefix `{}` ({}+ distinct keys)", lossy(&g.prefix), g.distinct);
                push(p, why, g.seen, g.samples.clone());
            } else if g.exact {
                push(escape_glob(&g.prefix), "exact key".into(), g.seen, g.samples.clone());
            } else {
                // Fewer distinct keys under the prefix than `min_keys`: each key itself.
                for (k, n) in &g.keys {
                    let why = format!("exact key ({} distinct under `{}`)", g.keys.len(), lossy(&g.prefix));
                    push(escape_glob(k), why, *n, vec![lossy(k)]);
                }
            }
        }
        // Two groups can give the same pattern (one exact key and a prefix of one key).
        let mut merged: Vec<KeyRule> = Vec::new();
        for r in rules {
            let pat = |r: &KeyRule| r.rule.split_once('~').map(|(_, p)| p.to_string()).unwrap_or_default();
            match merged.iter_mut().find(|m| pat(m) == pat(&r)) {
                Some(m) => {
                    m.read |= r.read;
                    m.write |= r.write;
                    m.seen += r.seen;
                    let p = pat(m);
                    m.rule = format!(
                        "{}{p}",
                        if m.read && m.write {
                            "~"
                        } else if m.write {
                            "%W~"
                        } else {
                            "%R~"
                        }
                    );
                }
                None => merged.push(r),
            }
        }
        // A pattern another one covers with at least its rights says nothing more:
        // `~jobs:*` covers `%W~jobs:result:*` and `~jobs:stats:done`.
        let literal = |r: &KeyRule| -> (String, bool) {
            let p = r.rule.split_once('~').map(|(_, p)| p).unwrap_or_default();
            match p.strip_suffix('*') {
                Some(prefix) if !prefix.ends_with('\\') => (prefix.to_string(), true),
                _ => (p.to_string(), false),
            }
        };
        let covered = |a: &KeyRule, b: &KeyRule| {
            let ((pa, wild_a), (pb, _)) = (literal(a), literal(b));
            wild_a
                && !pa.contains(['*', '?', '[', '\\'])
                && pb.starts_with(&pa)
                && (a.read || !b.read)
                && (a.write || !b.write)
        };
        let keep: Vec<bool> = (0..merged.len())
            .map(|i| {
                !(0..merged.len())
                    .any(|j| j != i && covered(&merged[j], &merged[i]) && !(covered(&merged[i], &merged[j]) && j > i))
            })
            .collect();
        let mut it = keep.iter();
        merged.retain(|_| *it.next().expect("one flag per rule"));
        self.key_rules = merged;
    }
}

/// The drafted users and what the capture held.
pub struct Draft {
    pub profile: &'static Profile,
    pub users: Vec<DraftUser>,
    pub unknown: BTreeMap<String, (usize, u64)>,
    pub lines: u64,
    pub unclaimed_script_lines: usize,
    opts: DraftOptions,
    names: BTreeMap<String, String>,
    order: Vec<String>,
}

impl Draft {
    /// The user a client address was drafted as.
    pub fn user_of(&self, addr: &str) -> String {
        // The same answer as the drafter's (same names, order and map).
        let d = Drafter {
            profile: self.profile,
            opts: self.opts.clone(),
            attribution: Attribution::default(),
            clients: BTreeMap::new(),
            names: self.names.clone(),
            order: self.order.clone(),
            unknown: BTreeMap::new(),
            lines: 0,
        };
        d.user_of(addr)
    }

    /// The rules of one user, in the order `ACL LIST` would print their kinds.
    pub fn rules(&self, u: &DraftUser) -> Vec<String> {
        let mut r = vec!["on".to_string()];
        let pw = self.opts.passwords.iter().find(|(n, _)| *n == u.name).map(|(_, p)| p.clone());
        r.push(pw.or_else(|| self.opts.default_password.clone()).unwrap_or_else(|| PLACEHOLDER.to_string()));
        r.push("resetchannels".into());
        r.extend(u.key_rules.iter().map(|k| k.rule.clone()));
        let mut chans: Vec<String> = Vec::new();
        for (c, pattern) in u.channels.keys() {
            // PSUBSCRIBE needs the very pattern; a channel name is matched literally.
            let p = if *pattern { c.clone() } else { escape_glob(c) };
            let rule = format!("&{}", lossy(&p));
            if !chans.contains(&rule) {
                chans.push(rule);
            }
        }
        r.extend(chans);
        let mut cmds: Vec<String> =
            u.commands.keys().map(|&id| format!("+{}", self.profile.command(id).name)).collect();
        cmds.sort();
        r.extend(cmds);
        r
    }

    /// The ACL file: `user default off` (unless a client is drafted as `default`), then
    /// one line per user. `ACL LOAD` accepts it as it is (it has no comments: ACL files
    /// cannot hold them).
    pub fn acl_file(&self) -> String {
        let mut out = String::new();
        if self.opts.default_off && !self.users.iter().any(|u| u.name == "default") {
            out.push_str("user default off resetchannels -@all\n");
        }
        for u in &self.users {
            out.push_str(&format!("user {} {}\n", u.name, self.rules(u).join(" ")));
        }
        out
    }

    /// The dangerous commands each user was given (seen in the capture).
    pub fn dangerous(&self, u: &DraftUser) -> Vec<&'static str> {
        let Some(d) = self.profile.table.category_index(b"dangerous") else { return Vec::new() };
        u.commands.keys().map(|&id| self.profile.command(id)).filter(|c| c.in_category(d)).map(|c| c.name).collect()
    }
}

/// A line the draft denies although it was seen (a bug, or a capture the version reads
/// differently).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Refused {
    pub line: usize,
    pub user: String,
    pub command: String,
    pub reply: String,
}

/// One category of a drafted user: commands allowed, of the category's total.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CategoryUse {
    pub category: &'static str,
    pub allowed: usize,
    pub total: usize,
}

/// What the draft allows, per user, beyond the lines seen.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Beyond {
    pub user: String,
    /// Commands allowed (with any arguments): exactly the commands seen.
    pub commands: usize,
    pub categories: Vec<CategoryUse>,
    pub dangerous: Vec<&'static str>,
    /// Each key pattern with the keys seen under it: it allows every other key it matches.
    pub keys: Vec<KeyRule>,
    pub channels: Vec<String>,
}

/// The proof of a draft.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Proof {
    /// Lines replayed as their drafted user through the engine's `ACL DRYRUN`.
    pub replayed: u64,
    /// Those it denied (the first 20).
    pub refused: Vec<Refused>,
    pub refused_count: u64,
    pub beyond: Vec<Beyond>,
}

/// Replays lines through the drafted rules: feed it the same lines in the same order.
pub struct Prover<'d> {
    draft: &'d Draft,
    analysis: crate::Analysis,
    attribution: Attribution,
    /// The user of each address seen.
    users: std::collections::HashMap<String, String>,
    pub proof: Proof,
}

impl<'d> Prover<'d> {
    pub fn new(draft: &'d Draft) -> Prover<'d> {
        let text = draft.acl_file();
        let analysis = crate::analyze(
            &text,
            &crate::Options { kind: Some(crate::Kind::AclFile), ..crate::Options::new(draft.profile) },
        );
        Prover {
            draft,
            analysis,
            attribution: Attribution::default(),
            users: std::collections::HashMap::new(),
            proof: Proof { replayed: 0, refused: Vec::new(), refused_count: 0, beyond: Vec::new() },
        }
    }

    /// Whether the engine accepts the drafted file as it is.
    pub fn loads(&self) -> bool {
        matches!(&self.analysis.outcome, crate::analysis::Outcome::AclLoad { reply, .. } if reply == "OK")
    }

    pub fn add(&mut self, n: usize, m: Monitored) {
        let mut att = std::mem::take(&mut self.attribution);
        att.feed(n, m, &mut |n, addr, argv| self.replay(n, addr, argv));
        self.attribution = att;
    }

    fn replay(&mut self, n: usize, addr: &str, argv: &[Vec<u8>]) {
        let refs: Vec<&[u8]> = argv.iter().map(Vec::as_slice).collect();
        // Commands the version does not know are reported by the draft, not replayed.
        if self.draft.profile.command_of(&refs).is_none() {
            return;
        }
        let draft = self.draft;
        let user = self.users.entry(addr.to_string()).or_insert_with(|| draft.user_of(addr)).clone();
        self.proof.replayed += 1;
        let r = self.analysis.dryrun(user.as_bytes(), &refs);
        if !r.is_ok() {
            self.proof.refused_count += 1;
            if self.proof.refused.len() < 20 {
                self.proof.refused.push(Refused {
                    line: n,
                    user,
                    command: argv.iter().map(|a| cli_arg(a)).collect::<Vec<_>>().join(" "),
                    reply: r.text.to_string(),
                });
            }
        }
    }

    /// The proof, with what the draft allows beyond what was seen.
    pub fn finish(mut self) -> Proof {
        let p = self.draft.profile;
        for u in &self.draft.users {
            let categories = (0..p.table.categories.len())
                .filter_map(|c| {
                    let allowed = u.commands.keys().filter(|&&id| p.command(id).in_category(c)).count();
                    let total = (0..p.table.commands().len() as CmdId)
                        .filter(|&i| p.command(i).in_category(c) && !p.command(i).container)
                        .count();
                    (allowed > 0).then_some(CategoryUse { category: p.table.categories[c], allowed, total })
                })
                .collect();
            let rules = self.draft.rules(u);
            self.proof.beyond.push(Beyond {
                user: u.name.clone(),
                commands: u.commands.len(),
                categories,
                dangerous: self.draft.dangerous(u),
                keys: u.key_rules.clone(),
                channels: rules.iter().filter(|r| r.starts_with('&')).cloned().collect(),
            });
        }
        self.proof
    }
}

/// One `ACL LOG` entry explained against the rules in force: which rule made it fail,
/// and the smallest change that would allow it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Denial {
    /// The entry's first line in the log.
    pub line: usize,
    pub user: String,
    /// `command`, `key`, `channel` or `auth`.
    pub reason: String,
    /// The command, key or channel denied.
    pub object: String,
    /// The command that was denied (from the entry, or its `client-info`).
    pub command: Option<String>,
    pub count: i64,
    /// Why, in words.
    pub why: String,
    /// The rule that decided (in the rules given), as written.
    pub rule: Option<(String, crate::span::Span)>,
    /// The rule to add to the user (none for `auth`).
    pub fix: Option<String>,
    /// Why adding it would be unsafe.
    pub warning: Option<String>,
}

fn rights_needed(p: &Profile, id: CmdId) -> (bool, bool) {
    let c = p.command(id);
    let mut rw = (false, false);
    for s in c.key_specs {
        let k = crate::commands::keys::KeyRef { pos: 0, flags: s.flags };
        rw.0 |= k.needs_read();
        rw.1 |= k.needs_write();
    }
    rw
}

/// Explains every entry of an `ACL LOG` reply against `a`, the rules in force.
pub fn denials(entries: &[super::traffic::LogEntry], a: &crate::Analysis, text: &str) -> Vec<Denial> {
    let p = a.profile;
    let get = |e: &super::traffic::LogEntry, k: &str| e.get(k).map(|v| v.text()).unwrap_or_default();
    let word = |span: Option<crate::span::Span>| span.and_then(|s| Some((text.get(s.start..s.end)?.to_string(), s)));
    let danger = |id: CmdId| {
        let c = p.command(id);
        let cats: Vec<&str> = ["dangerous", "admin"]
            .into_iter()
            .filter(|n| p.table.category_index(n.as_bytes()).is_some_and(|i| c.in_category(i)))
            .collect();
        (!cats.is_empty()).then(|| {
            format!(
                "`{}` is in @{}: allow it only if this user must run it (an attacker with its password could too)",
                c.name.replace('|', " ").to_ascii_uppercase(),
                cats.join(" and @")
            )
        })
    };
    entries
        .iter()
        .map(|e| {
            let user = get(e, "username");
            let reason = get(e, "reason");
            let object = get(e, "object");
            let info = get(e, "client-info");
            let cmd_info =
                super::traffic::client_info(&info).into_iter().find(|(k, _)| *k == "cmd").map(|(_, v)| v.to_string());
            let count = match e.get("count") {
                Some(super::traffic::LogValue::Int(n)) => *n,
                _ => 1,
            };
            let u = a.user(user.as_bytes());
            let mut d = Denial {
                line: e.line,
                user: user.clone(),
                reason: reason.clone(),
                object: object.clone(),
                command: None,
                count,
                why: String::new(),
                rule: None,
                fix: None,
                warning: None,
            };
            let Some(u) = u else {
                d.why = format!("the rules given have no user `{user}`");
                return d;
            };
            match reason.as_str() {
                "command" => {
                    let id = p.lookup(object.as_bytes());
                    d.command = Some(object.clone());
                    let Some(id) = id else {
                        d.why = format!("{} does not know the command `{object}`", p.name);
                        return d;
                    };
                    let root = &u.selectors[0];
                    match root.rules.iter().rev().find(|r| r.effect.covers(p, id)) {
                        Some(r) if !r.allows() => {
                            d.why = format!("`{}` removes it", lossy(&r.text));
                            d.rule = word(r.origin);
                        }
                        Some(r) => {
                            d.why = format!(
                                "`{}` allows it now: the rules given are not the ones that denied it",
                                lossy(&r.text)
                            );
                            d.rule = word(r.origin);
                        }
                        None => d.why = "no rule adds it (a user starts with no commands)".into(),
                    }
                    d.fix = Some(format!("+{}", p.command(id).name));
                    d.warning = danger(id);
                }
                "key" => {
                    let cmd = cmd_info.clone().unwrap_or_default();
                    d.command = cmd_info.clone();
                    let id = p.lookup(cmd.as_bytes());
                    let (r, w) = id.map(|id| rights_needed(p, id)).unwrap_or((true, true));
                    let root = &u.selectors[0];
                    let matching: Vec<&crate::engine::acl::KeyPattern> = root
                        .keys
                        .iter()
                        .filter(|k| crate::bytes::glob::matches(&k.pattern, object.as_bytes()))
                        .collect();
                    if matching.is_empty() {
                        let pats: Vec<String> = root.keys.iter().map(|k| format!("`{}`", lossy(&k.pattern))).collect();
                        d.why = if pats.is_empty() {
                            format!("no key pattern matches `{object}` (the user has none)")
                        } else {
                            format!("no key pattern matches `{object}` ({})", pats.join(", "))
                        };
                    } else {
                        let k = matching[0];
                        d.why = format!(
                            "`{}` matches `{object}` but grants {} only",
                            lossy(&k.pattern),
                            if k.read { "read" } else { "write" }
                        );
                        d.rule = word(k.origin);
                    }
                    let perm = match (r, w) {
                        (true, false) => "%R~",
                        (false, true) => "%W~",
                        _ => "~",
                    };
                    d.fix = Some(format!("{perm}{}", lossy(&escape_glob(object.as_bytes()))));
                }
                "channel" => {
                    d.command = cmd_info.clone();
                    let root = &u.selectors[0];
                    let pats: Vec<String> = root.channels.iter().map(|c| format!("`&{}`", lossy(&c.pattern))).collect();
                    d.why = if pats.is_empty() {
                        format!("no channel pattern allows `{object}` (the user has none)")
                    } else {
                        format!("no channel pattern allows `{object}` ({})", pats.join(", "))
                    };
                    let psub = cmd_info.as_deref() == Some("psubscribe");
                    d.fix = Some(format!(
                        "&{}",
                        if psub { object.clone() } else { lossy(&escape_glob(object.as_bytes())) }
                    ));
                }
                "auth" => {
                    d.why = "a wrong password, or a user that does not exist or is off: no rule to add".into();
                    d.warning = Some("do not answer this with `nopass`: check the client's credentials".into());
                }
                other => d.why = format!("a denial of kind `{other}`"),
            }
            d
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::review::traffic::monitor_line;

    fn draft(lines: &[&str], opts: DraftOptions) -> (Draft, Proof) {
        let p = Profile::default_profile();
        let mut d = Drafter::new(p, opts);
        for (i, l) in lines.iter().enumerate() {
            if let Some(m) = monitor_line(l.as_bytes()).unwrap() {
                d.add(i + 1, m);
            }
        }
        let d = d.finish();
        let mut pr = Prover::new(&d);
        assert!(pr.loads(), "{}", d.acl_file());
        for (i, l) in lines.iter().enumerate() {
            if let Some(m) = monitor_line(l.as_bytes()).unwrap() {
                pr.add(i + 1, m);
            }
        }
        let proof = pr.finish();
        (d, proof)
    }

    const CAPTURE: &[&str] = &[
        "OK",
        r#"1.000001 [0 127.0.0.1:5001] "CLIENT" "SETNAME" "web""#,
        r#"1.000002 [0 127.0.0.1:5001] "SET" "app:1" "x""#,
        r#"1.000003 [0 127.0.0.1:5001] "GET" "app:2""#,
        r#"1.000004 [0 127.0.0.1:5002] "GET" "cfg:flags""#,
        r#"1.000005 [0 127.0.0.1:5002] "EVAL" "return redis.call('incr', KEYS[1])" "1" "app:count""#,
        r#"1.000006 [0 lua] "incr" "app:count""#,
        r#"1.000007 [0 127.0.0.1:5002] "PUBLISH" "news[1]" "hi""#,
        r#"1.000008 [0 127.0.0.1:5002] "KEYS" "*""#,
    ];

    #[test]
    fn drafts_least_privilege_and_proves_it() {
        let (d, proof) = draft(CAPTURE, DraftOptions::default());
        let file = d.acl_file();
        assert_eq!(
            file,
            "user default off resetchannels -@all\n\
             user web on >REPLACE-THIS-PLACEHOLDER-PASSWORD resetchannels ~app:* +client|setname +get +set\n\
             user client-2 on >REPLACE-THIS-PLACEHOLDER-PASSWORD resetchannels ~app:count %R~cfg:flags &news\\[1\\] +eval +get +incr +keys +publish\n"
        );
        assert_eq!((proof.replayed, proof.refused_count), (8, 0), "{proof:?}");
        assert_eq!(proof.beyond[1].dangerous, vec!["keys"]);
    }

    #[test]
    fn options_change_the_generalisation() {
        let opts =
            DraftOptions { exact_keys: true, map: vec![("127.0.0.1".into(), "app".into())], ..DraftOptions::default() };
        let (d, proof) = draft(CAPTURE, opts);
        assert_eq!(d.users.len(), 1);
        let rules = d.rules(&d.users[0]);
        assert!(rules.contains(&"~app:1".to_string()) || rules.contains(&"%W~app:1".to_string()), "{rules:?}");
        assert!(rules.contains(&"%W~app:1".into()) && rules.contains(&"%R~app:2".into()), "{rules:?}");
        assert_eq!(proof.refused_count, 0);
    }
}
