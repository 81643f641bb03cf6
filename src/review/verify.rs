//! Does aclplay agree with a live server (`aclplay verify`)? What the engine expects a
//! server of a profile to answer, to set beside what the server answered: its command
//! table, every user's `ACL LIST` line read back, `ACL DRYRUN` of command lines drawn for
//! each user, and (on a scratch server) whole `ACL SETUSER` cases. No I/O here: the CLI
//! asks the server and hands the replies over as [`Got`]; the differences come from here.

use super::sample::{Sampler, rng_for};
use crate::PROFILES;
use crate::commands::Profile;
use crate::commands::spec::{Begin, Find};
use crate::corpus::{CaseInput, CaseRecord, run_case};
use crate::engine::acl::User;
use crate::engine::server::Server;
use crate::engine::token::Token;
use crate::verdicts::describe::{acl_list_line, list_crash};
use crate::verdicts::dryrun::dryrun;
use crate::verdicts::{Reply, ReplyKind};
use aclplay_formats::flags::{COMMAND_FLAGS, KEY_FLAGS};
use aclplay_formats::listing::normalize_acl_list;
use aclplay_formats::registry::ListStyle;
use serde::Serialize;
use std::collections::BTreeMap;

// ---------------------------------------------------------------------------
// The command table.

/// One command as a table says it, in terms both sides can give: the profile's packed
/// table and a live server's `COMMAND` reply.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CommandShape {
    /// Lowercase full name (`config|get`).
    pub name: String,
    pub arity: i64,
    /// Sorted as [`COMMAND_FLAGS`] orders them (unknown ones last, by name): the server's
    /// order is not part of the table.
    pub flags: Vec<String>,
    /// In the table's `ACL CAT` order.
    pub categories: Vec<String>,
    /// One [`key_spec_text`] per key spec, in order.
    pub key_specs: Vec<String>,
}

/// Where a key spec begins, in both sides' terms.
#[derive(Debug, Clone, Copy)]
pub enum BeginShape<'a> {
    Index(i64),
    Keyword { keyword: &'a str, startfrom: i64 },
    Unknown,
}

/// How a key spec finds its keys, in both sides' terms.
#[derive(Debug, Clone, Copy)]
pub enum FindShape {
    Range { lastkey: i64, keystep: i64, limit: i64 },
    Keynum { keynumidx: i64, firstkey: i64, keystep: i64 },
    Unknown,
}

fn sorted_by(names: impl IntoIterator<Item = String>, order: &[&str]) -> Vec<String> {
    let mut v: Vec<String> = names.into_iter().collect();
    v.sort_by_key(|n| (order.iter().position(|o| o == n).unwrap_or(usize::MAX), n.clone()));
    v
}

/// Sorts command flags as [`CommandShape::flags`] holds them.
pub fn sort_flags(flags: impl IntoIterator<Item = String>) -> Vec<String> {
    sorted_by(flags, COMMAND_FLAGS)
}

/// A key spec as one line: `[RW access delete] index 1, range lastkey 0 keystep 1 limit 0`.
pub fn key_spec_text(flags: impl IntoIterator<Item = String>, begin: BeginShape, find: FindShape) -> String {
    let begin = match begin {
        BeginShape::Index(i) => format!("index {i}"),
        BeginShape::Keyword { keyword, startfrom } => format!("keyword {keyword} startfrom {startfrom}"),
        BeginShape::Unknown => "unknown".into(),
    };
    let find = match find {
        FindShape::Range { lastkey, keystep, limit } => {
            format!("range lastkey {lastkey} keystep {keystep} limit {limit}")
        }
        FindShape::Keynum { keynumidx, firstkey, keystep } => {
            format!("keynum keynumidx {keynumidx} firstkey {firstkey} keystep {keystep}")
        }
        FindShape::Unknown => "unknown".into(),
    };
    format!("[{}] {begin}, {find}", sorted_by(flags, KEY_FLAGS).join(" "))
}

/// A whole table: `ACL CAT`'s categories and every command and subcommand.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct TableShape {
    pub categories: Vec<String>,
    pub commands: Vec<CommandShape>,
}

impl TableShape {
    /// The profile's own table.
    pub fn of_profile(profile: &Profile) -> TableShape {
        let t = profile.table;
        let commands = t
            .commands()
            .iter()
            .map(|c| CommandShape {
                name: c.name.to_string(),
                arity: i64::from(c.arity),
                flags: sort_flags(
                    COMMAND_FLAGS.iter().enumerate().filter(|(i, _)| c.flags >> i & 1 == 1).map(|(_, f)| f.to_string()),
                ),
                categories: (0..t.categories.len())
                    .filter(|&i| c.in_category(i))
                    .map(|i| t.categories[i].to_string())
                    .collect(),
                key_specs: c
                    .key_specs
                    .iter()
                    .map(|s| {
                        let flags = KEY_FLAGS.iter().enumerate().filter(|(i, _)| s.flags >> i & 1 == 1);
                        let begin = match s.begin {
                            Begin::Index(i) => BeginShape::Index(i64::from(i)),
                            Begin::Keyword(keyword, from) => {
                                BeginShape::Keyword { keyword, startfrom: i64::from(from) }
                            }
                            Begin::Unknown => BeginShape::Unknown,
                        };
                        let find = match s.find {
                            Find::Range { lastkey, keystep, limit } => FindShape::Range {
                                lastkey: lastkey.into(),
                                keystep: keystep.into(),
                                limit: limit.into(),
                            },
                            Find::Keynum { keynumidx, firstkey, keystep } => FindShape::Keynum {
                                keynumidx: keynumidx.into(),
                                firstkey: firstkey.into(),
                                keystep: keystep.into(),
                            },
                            Find::Unknown => FindShape::Unknown,
                        };
                        key_spec_text(flags.map(|(_, f)| f.to_string()), begin, find)
                    })
                    .collect(),
            })
            .collect();
        TableShape { categories: t.categories.iter().map(|c| c.to_string()).collect(), commands }
    }
}

/// A command the server has and the profile lacks.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ExtraCommand {
    pub name: String,
    /// It carries the `module` flag (a module's command, RedisJSON's `json.get`).
    pub module: bool,
}

/// A field of a command both tables have, where they differ.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FieldDifference {
    pub command: String,
    /// `arity`, `flags`, `categories` or `key specs`.
    pub field: &'static str,
    /// What the profile's table says.
    pub expected: String,
    /// What the server's says.
    pub server: String,
}

/// How the server's command table differs from the profile's.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct TableDiff {
    pub profile_commands: usize,
    pub server_commands: usize,
    pub categories_only_on_server: Vec<String>,
    pub categories_only_in_profile: Vec<String>,
    pub commands_only_on_server: Vec<ExtraCommand>,
    pub commands_only_in_profile: Vec<String>,
    pub changed: Vec<FieldDifference>,
}

impl TableDiff {
    pub fn is_empty(&self) -> bool {
        self.categories_only_on_server.is_empty()
            && self.categories_only_in_profile.is_empty()
            && self.commands_only_on_server.is_empty()
            && self.commands_only_in_profile.is_empty()
            && self.changed.is_empty()
    }
}

/// Compares a server's table with the profile's (`expected`).
pub fn table_diff(expected: &TableShape, server: &TableShape) -> TableDiff {
    let only = |a: &[String], b: &[String]| a.iter().filter(|c| !b.contains(c)).cloned().collect::<Vec<_>>();
    let e: BTreeMap<&str, &CommandShape> = expected.commands.iter().map(|c| (c.name.as_str(), c)).collect();
    let s: BTreeMap<&str, &CommandShape> = server.commands.iter().map(|c| (c.name.as_str(), c)).collect();
    let mut d = TableDiff {
        profile_commands: expected.commands.len(),
        server_commands: server.commands.len(),
        categories_only_on_server: only(&server.categories, &expected.categories),
        categories_only_in_profile: only(&expected.categories, &server.categories),
        commands_only_on_server: s
            .iter()
            .filter(|(n, _)| !e.contains_key(*n))
            .map(|(n, c)| ExtraCommand { name: n.to_string(), module: c.flags.iter().any(|f| f == "module") })
            .collect(),
        commands_only_in_profile: e.keys().filter(|n| !s.contains_key(*n)).map(|n| n.to_string()).collect(),
        changed: Vec::new(),
    };
    for (name, a) in &e {
        let Some(b) = s.get(name) else { continue };
        let mut field = |field: &'static str, x: String, y: String| {
            if x != y {
                d.changed.push(FieldDifference { command: name.to_string(), field, expected: x, server: y });
            }
        };
        field("arity", a.arity.to_string(), b.arity.to_string());
        field("flags", a.flags.join(" "), b.flags.join(" "));
        field("categories", a.categories.join(" "), b.categories.join(" "));
        field("key specs", a.key_specs.join("; "), b.key_specs.join("; "));
    }
    d
}

// ---------------------------------------------------------------------------
// What the server answered, and the differences.

/// A server's reply, as the CLI hands it over.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Got {
    /// `+…`
    Status(Vec<u8>),
    /// `-…` (with its code: `ERR …`, `NOPERM …`).
    Error(Vec<u8>),
    /// `$…` (`None`: nil).
    Bulk(Option<Vec<u8>>),
    /// An array of strings (`ACL LIST`).
    Lines(Vec<Vec<u8>>),
    /// Anything else, as the client prints it.
    Other(String),
}

impl Got {
    /// The reply as the corpora store it: the payload of a status, error or bulk.
    pub fn text(&self) -> String {
        match self {
            Got::Status(b) | Got::Error(b) | Got::Bulk(Some(b)) => String::from_utf8_lossy(b).into_owned(),
            Got::Bulk(None) => "(nil)".into(),
            Got::Lines(l) => l.iter().map(|x| String::from_utf8_lossy(x)).collect::<Vec<_>>().join("\n"),
            Got::Other(s) => s.clone(),
        }
    }

    /// What kind of `ACL DRYRUN` reply it is (a denial is a bulk string).
    pub fn dryrun_kind(&self) -> ReplyKind {
        match self {
            Got::Status(_) => ReplyKind::Ok,
            Got::Error(_) => ReplyKind::Error,
            _ => ReplyKind::Denied,
        }
    }
}

/// What a difference is about.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "what", rename_all = "kebab-case")]
pub enum Subject {
    /// A user's `ACL LIST` line, read back by the engine.
    AclList { user: String },
    /// `ACL DRYRUN <user> <command>`.
    Dryrun { user: String, command: Vec<String> },
    /// One step of a scratch case (`setuser`, `pre-setuser N`, `acl-list`, `dryrun`).
    Case { id: String, source: Option<String>, user: String, step: String },
}

/// One answer on which the engine and the server disagree.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Difference {
    pub subject: Subject,
    /// What aclplay answers as the profile.
    pub expected: String,
    /// What the server answered.
    pub server: String,
}

/// `ACL LIST` text with every password hash cut to its first 12 hex digits
/// (`#2bb80d537b1d…`): reports land in CI logs, and a hash is enough to try passwords
/// offline. Different hashes still look different.
pub fn redact_hashes(text: &str) -> String {
    text.split(' ')
        .map(|t| match t.strip_prefix('#') {
            Some(h) if h.len() == 64 && h.bytes().all(|b| b.is_ascii_hexdigit()) => format!("#{}…", &h[..12]),
            _ => t.to_string(),
        })
        .collect::<Vec<_>>()
        .join(" ")
}

/// A reply as text, with its kind when the texts alone would not tell them apart.
fn reply_text(text: &str, kind: ReplyKind, other: &str, other_kind: ReplyKind) -> String {
    if text == other && kind != other_kind {
        let k = match kind {
            ReplyKind::Ok => "status",
            ReplyKind::Denied => "bulk",
            ReplyKind::Error => "error",
        };
        format!("{text} ({k} reply)")
    } else {
        text.to_string()
    }
}

fn lossy(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

/// Whether two `ACL LIST` lines say the same for a list style (hash-ordered
/// single-command tokens compare sorted).
pub fn same_listing(style: ListStyle, a: &[u8], b: &[u8]) -> bool {
    match style {
        ListStyle::AsWritten => a == b,
        ListStyle::Bitmap => a == b || normalize_acl_list(style, &lossy(a)) == normalize_acl_list(style, &lossy(b)),
    }
}

// ---------------------------------------------------------------------------
// Read-only: the users the server has.

/// One user of the server, read back by the engine, with the `ACL DRYRUN` questions to
/// ask about it and the engine's answers.
#[derive(Debug, Clone)]
pub struct UserPlan {
    pub name: Vec<u8>,
    /// The server's `ACL LIST` line.
    pub line: Vec<u8>,
    /// The user as the engine reads the line (an ACL-file line), or the engine's
    /// `ACL LOAD` error.
    pub user: Result<User, String>,
    /// Command lines and the engine's replies.
    pub questions: Vec<(Vec<Vec<u8>>, Reply)>,
}

/// The user an `ACL LIST` line describes, read as the server reads an ACL file (alone,
/// on a fresh server), or the `ACL LOAD` error.
pub fn read_listed(profile: &Profile, line: &[u8]) -> Result<User, String> {
    let name = line.split(|&b| b == b' ').nth(1).unwrap_or_default();
    let mut server = Server::new(profile);
    let (_, reply) = server.acl_load(&[line, b"\n"].concat(), "users.acl");
    if reply != "OK" {
        return Err(reply);
    }
    server.user(name).cloned().ok_or_else(|| format!("the line defines no user `{}`", lossy(name)))
}

/// Reads every `ACL LIST` line and draws `samples` `ACL DRYRUN` command lines per user
/// (seeded by `seed` and the user's name).
pub fn plan_users(profile: &Profile, lines: &[Vec<u8>], seed: u64, samples: usize) -> Vec<UserPlan> {
    let sampler = Sampler::new(profile);
    lines
        .iter()
        .map(|line| {
            let name = line.split(|&b| b == b' ').nth(1).unwrap_or_default().to_vec();
            let user = read_listed(profile, line);
            let questions = match &user {
                Ok(u) => sampler
                    .for_user(u, samples, &mut rng_for(seed, &name))
                    .into_iter()
                    .map(|argv| {
                        let v: Vec<&[u8]> = argv.iter().map(Vec::as_slice).collect();
                        let r = dryrun(profile, &name, Some(u), &v);
                        (argv, r)
                    })
                    .collect(),
                Err(_) => Vec::new(),
            };
            UserPlan { name, line: line.clone(), user, questions }
        })
        .collect()
}

/// The users whose `ACL LIST` line the engine does not give back as the server printed it.
pub fn listing_differences(profile: &Profile, plans: &[UserPlan]) -> Vec<Difference> {
    let mut out = Vec::new();
    for p in plans {
        let expected = match &p.user {
            Ok(u) => {
                let back = acl_list_line(u, profile);
                if same_listing(profile.behavior.list_style, &back, &p.line) {
                    continue;
                }
                lossy(&back)
            }
            Err(e) => format!("(refused: {e})"),
        };
        out.push(Difference {
            subject: Subject::AclList { user: lossy(&p.name) },
            expected: redact_hashes(&expected),
            server: redact_hashes(&lossy(&p.line)),
        });
    }
    out
}

/// The `ACL DRYRUN` replies that differ: `got` holds the server's replies to every
/// plan's questions, in order.
pub fn dryrun_differences(plans: &[UserPlan], got: &[Got]) -> Vec<Difference> {
    let mut out = Vec::new();
    let mut it = got.iter();
    for p in plans {
        for (argv, want) in &p.questions {
            let Some(g) = it.next() else { return out };
            if let Some(d) = dryrun_difference(&p.name, argv, want, g) {
                out.push(d);
            }
        }
    }
    out
}

fn dryrun_difference(name: &[u8], argv: &[Vec<u8>], want: &Reply, got: &Got) -> Option<Difference> {
    let (text, kind) = (got.text(), got.dryrun_kind());
    if *want.text == *text && want.kind == kind {
        return None;
    }
    Some(Difference {
        subject: Subject::Dryrun { user: lossy(name), command: argv.iter().map(|a| lossy(a)).collect() },
        expected: reply_text(&want.text, want.kind, &text, kind),
        server: reply_text(&text, kind, &want.text, want.kind),
    })
}

// ---------------------------------------------------------------------------
// Scratch: whole cases with temporary users.

/// The scratch case that asks the server how it reads its own `ACL LIST` line of a user:
/// `ACL SETUSER` of the line's rules (split as an ACL file line is) on a fresh user. Not
/// every line reads back to itself — `%RW~*` is listed as `~*`, which reads back as
/// `allkeys` and refuses the patterns after it — and this tells whether the server reads
/// it as the engine does. `None` for a line that is not UTF-8 or not a `user` line.
pub fn relisting_case(line: &[u8]) -> Option<CaseInput> {
    let args = crate::input::split::split_acl_line(line, 0)?;
    let mut words = args.into_iter().map(|a| String::from_utf8(a.bytes).ok());
    if words.next()?.as_deref() != Some("user") {
        return None;
    }
    let user = words.next()??;
    let rules: Option<Vec<String>> = words.collect();
    Some(CaseInput {
        id: format!("relist-{user}"),
        tags: "relist".into(),
        source: Some(format!("the server's ACL LIST line of `{user}`, set again")),
        user,
        setuser_args: Some(rules?),
        pre: None,
        server_config: None,
        db: None,
        command: vec!["PING".into()],
    })
}

/// A `SETUSER` of a scratch case on the server.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Step {
    /// The `n`th of the case's earlier SETUSERs.
    Pre(usize),
    SetUser,
}

/// A case to replay on a scratch server under a temporary name: the commands to send and
/// the engine's answers. The caller deletes the user afterwards (`ACL DELUSER`), and
/// deletes every user of its prefix whatever happens.
#[derive(Debug, Clone)]
pub struct CasePlan {
    /// The case, its user renamed.
    pub case: CaseInput,
    /// Its `ACL SETUSER`s.
    pub setup: Vec<(Step, Vec<Vec<u8>>)>,
    /// Whether its user's `ACL LIST` line is compared: not where the engine says listing
    /// it crashes a server of any profile (the server may be of another version than the
    /// one answered as, with `--server` or a nearest profile).
    pub list: bool,
    /// Its `ACL DRYRUN`.
    pub dryrun: Vec<Vec<u8>>,
    /// The database the DRYRUN is asked from (`SELECT` before it, `SELECT 0` after), when
    /// not 0: database rules check the asking connection's database.
    pub db: Option<u32>,
    pub expected: CaseRecord,
}

/// Why a case is not replayed.
pub fn skip_reason(case: &CaseInput, pubsub_default: &str) -> Option<String> {
    let cfg = case.server_config.as_ref()?;
    // The server's configuration is not ours to change.
    cfg.iter().find(|(k, v)| k.as_str() != "acl-pubsub-default" || v.as_str() != pubsub_default).map(|(k, v)| {
        format!("needs `{k} {v}` (the server has `acl-pubsub-default {pubsub_default}`; verify changes no setting)")
    })
}

/// Whether an upstream scenario (`data/verify/upstream.jsonl.gz`: the union of every
/// version's `tests/corpus/<id>-upstream` inputs) is one of `profile`'s: a scenario from
/// a server's tests of a behaviour only some versions have runs where the registry says
/// the version has it (tag `dbs`: Valkey 9.1's per-database rules, which others refuse
/// as syntax errors before anything the scenario is about).
pub fn upstream_applies(case: &CaseInput, profile: &Profile) -> bool {
    let tagged = |t: &str| case.tags.split(',').any(|x| x.trim() == t);
    !tagged("dbs") || profile.behavior.set_selector_database_rules
}

/// The plan of `case` with its user renamed `name`, on a server whose
/// `acl-pubsub-default` is `pubsub_default`. `ACL LOAD` never runs (it would replace the
/// server's users).
pub fn plan_case(case: &CaseInput, name: &str, profile: &Profile, pubsub_default: &str) -> CasePlan {
    let mut case = CaseInput { user: name.to_string(), ..case.clone() };
    case.server_config = Some(BTreeMap::from([("acl-pubsub-default".to_string(), pubsub_default.to_string())]));
    let expected = run_case(&case, profile);
    let args = |head: &[&str], rest: &[String]| -> Vec<Vec<u8>> {
        head.iter().map(|h| h.as_bytes().to_vec()).chain(rest.iter().map(|a| a.as_bytes().to_vec())).collect()
    };
    let mut setup = Vec::new();
    for (i, pre) in case.pre.iter().flatten().enumerate() {
        setup.push((Step::Pre(i), args(&["ACL", "SETUSER", name], pre)));
    }
    if let Some(a) = &case.setuser_args {
        setup.push((Step::SetUser, args(&["ACL", "SETUSER", name], a)));
    }
    let dryrun = args(&["ACL", "DRYRUN", name], &case.command);
    let list = !expected.list_crash && !PROFILES.iter().any(|p| crashes_listing(&case, p));
    let db = case.db.filter(|&d| d != 0);
    CasePlan { list, case, setup, dryrun, db, expected }
}

/// Whether listing the user a case makes crashes a server of `profile`.
fn crashes_listing(case: &CaseInput, profile: &Profile) -> bool {
    let mut server = Server::new(profile);
    let name = case.user.as_bytes();
    let tokens = |a: &[String]| a.iter().map(|t| Token::plain(t.as_bytes())).collect::<Vec<_>>();
    for args in case.pre.iter().flatten().chain(&case.setuser_args) {
        let _ = server.setuser(name, None, &tokens(args));
    }
    server.user(name).is_some_and(|u| list_crash(u, profile).is_some())
}

/// The commands of a batch of cases, in the order to send them: the SETUSERs of the cases
/// whose line is listed, one `ACL LIST` (one for the batch: a scratch server may hold many
/// users), the SETUSERs of the others (whose listing would crash the server), then every
/// `ACL DRYRUN`. Each case has its own user, so no case sees another's.
pub fn batch_commands(plans: &[CasePlan]) -> Vec<Vec<Vec<u8>>> {
    let setups = |listed: bool| {
        plans.iter().filter(move |p| p.list == listed).flat_map(|p| p.setup.iter().map(|(_, a)| a.clone()))
    };
    setups(true)
        .chain(std::iter::once(vec![b"ACL".to_vec(), b"LIST".to_vec()]))
        .chain(setups(false))
        .chain(plans.iter().flat_map(|p| match p.db {
            Some(d) => vec![select(d), p.dryrun.clone(), select(0)],
            None => vec![p.dryrun.clone()],
        }))
        .collect()
}

fn select(db: u32) -> Vec<Vec<u8>> {
    vec![b"SELECT".to_vec(), db.to_string().into_bytes()]
}

/// Where the server's replies to [`batch_commands`] differ from the engine's answers.
pub fn batch_differences(plans: &[CasePlan], got: &[Got], style: ListStyle) -> Vec<Difference> {
    let mut it = got.iter();
    let mut setup: Vec<Vec<&Got>> = vec![Vec::new(); plans.len()];
    for (i, p) in plans.iter().enumerate().filter(|(_, p)| p.list) {
        setup[i] = it.by_ref().take(p.setup.len()).collect();
    }
    let list = it.next();
    for (i, p) in plans.iter().enumerate().filter(|(_, p)| !p.list) {
        setup[i] = it.by_ref().take(p.setup.len()).collect();
    }
    let mut out = Vec::new();
    for (p, s) in plans.iter().zip(&setup) {
        let selected = p.db.map(|d| (d, it.next()));
        let dryrun = it.next();
        let back = p.db.and_then(|_| it.next());
        // A DRYRUN from another database than the case's says nothing of the case.
        let failed = selected.and_then(|(d, g)| g.filter(|g| g.text() != "OK").map(|g| (d, g)));
        if let Some((d, g)) = failed {
            out.push(Difference {
                subject: Subject::Case {
                    id: p.case.id.clone(),
                    source: p.case.source.clone(),
                    user: p.case.user.clone(),
                    step: format!("select {d}"),
                },
                expected: "OK".into(),
                server: g.text(),
            });
        }
        let dryrun = if failed.is_some() { None } else { dryrun };
        out.extend(case_differences(p, s, list.filter(|_| p.list), dryrun, style));
        if let Some(g) = back.filter(|g| g.text() != "OK") {
            out.push(Difference {
                subject: Subject::Case {
                    id: p.case.id.clone(),
                    source: p.case.source.clone(),
                    user: p.case.user.clone(),
                    step: "select 0".into(),
                },
                expected: "OK".into(),
                server: g.text(),
            });
        }
    }
    out
}

/// Where the server's replies to one case differ from the engine's: its SETUSERs, the
/// batch's `ACL LIST` (when the case is listed) and its `ACL DRYRUN`.
fn case_differences(
    plan: &CasePlan,
    setup: &[&Got],
    list: Option<&Got>,
    dryrun: Option<&Got>,
    style: ListStyle,
) -> Vec<Difference> {
    let c = &plan.case;
    let e = &plan.expected;
    let mut out = Vec::new();
    let mut push = |step: String, expected: String, server: String| {
        out.push(Difference {
            subject: Subject::Case { id: c.id.clone(), source: c.source.clone(), user: c.user.clone(), step },
            expected: redact_hashes(&expected),
            server: redact_hashes(&server),
        })
    };
    for ((step, _), g) in plan.setup.iter().zip(setup) {
        let (what, want) = match step {
            Step::Pre(i) => (format!("pre-setuser {}", i + 1), e.pre_setuser.as_ref().and_then(|v| v.get(*i)).cloned()),
            Step::SetUser => ("setuser".to_string(), e.setuser.clone()),
        };
        let want = want.unwrap_or_default();
        if want != g.text() {
            push(what, want, g.text());
        }
    }
    if let Some(g) = list {
        let prefix = format!("user {} ", c.user);
        let line = match g {
            Got::Lines(l) => l.iter().find(|l| l.starts_with(prefix.as_bytes())).cloned(),
            _ => None,
        };
        let want = e.acl_list.as_deref().map(str::as_bytes);
        let same = match (want, &line) {
            (Some(a), Some(b)) => same_listing(style, a, b),
            (None, None) => true,
            _ => false,
        };
        if !same {
            let show = |l: Option<&[u8]>| l.map_or_else(|| "(no such user)".to_string(), lossy);
            push("acl-list".into(), show(want), show(line.as_deref()));
        }
    }
    if let Some(g) = dryrun {
        let want_kind = match e.dryrun_kind.as_deref() {
            Some("ok") => ReplyKind::Ok,
            Some("error") => ReplyKind::Error,
            _ => ReplyKind::Denied,
        };
        let want = e.dryrun.clone().unwrap_or_default();
        let (text, kind) = (g.text(), g.dryrun_kind());
        if want != text || want_kind != kind {
            push("dryrun".into(), reply_text(&want, want_kind, &text, kind), reply_text(&text, kind, &want, want_kind));
        }
    }
    out
}

// ---------------------------------------------------------------------------
// The whole report.

/// What the server says it is.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ServerSays {
    /// `redis` or `valkey`.
    pub product: String,
    pub version: String,
}

/// A scratch case that was not replayed, and why.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Skipped {
    pub id: String,
    pub why: String,
}

/// What `--scratch` did.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct ScratchReport {
    /// The temporary users' prefix (`aclplay-verify-<random>-`).
    pub prefix: String,
    /// The upstream scenarios replayed, and the generated cases.
    pub upstream: usize,
    pub generated: usize,
    pub skipped: Vec<Skipped>,
    /// Temporary users deleted at the end (by their prefix, whatever happened).
    pub removed: usize,
    /// Temporary users still there after the clean-up (should be none).
    pub left: Vec<String>,
    /// Users whose `ACL LIST` line did not read back to itself, set again from their line
    /// on the server to see how it reads it.
    pub relisted: usize,
}

/// Everything `aclplay verify` found.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Verification {
    /// The server, without its password (`redis://user@host:port`).
    pub target: String,
    pub server: ServerSays,
    /// The profile answered as, and why that one when it is not the server's own.
    pub profile: &'static str,
    pub profile_name: &'static str,
    pub note: Option<String>,
    pub seed: u64,
    pub table: TableDiff,
    /// Users whose `ACL LIST` line was read back, and `ACL DRYRUN` questions asked.
    pub users: usize,
    pub dryruns: usize,
    pub scratch: Option<ScratchReport>,
    pub differences: Vec<Difference>,
    /// `ACL LIST` lines that do not read back to themselves on the server either
    /// (`--scratch` set each line's rules again on a temporary user and the server listed
    /// it as the engine does): not a disagreement, but users that `ACL SAVE` and a restart
    /// (or `ACL LOAD`) would change or refuse.
    pub unstable: Vec<Difference>,
}

impl Verification {
    /// Whether everything agrees (`aclplay verify` exits 0).
    pub fn agrees(&self) -> bool {
        self.table.is_empty() && self.differences.is_empty() && self.scratch.as_ref().is_none_or(|s| s.left.is_empty())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::PROFILES;

    #[test]
    fn a_profile_agrees_with_itself_and_not_with_another() {
        for p in PROFILES {
            let t = TableShape::of_profile(p);
            assert!(table_diff(&t, &t).is_empty());
            for q in PROFILES.iter().filter(|q| q.id != p.id) {
                let d = table_diff(&t, &TableShape::of_profile(q));
                assert!(!d.is_empty(), "{} and {} have the same table", p.id, q.id);
            }
        }
        let t = TableShape::of_profile(&PROFILES[0]);
        let mut s = t.clone();
        s.commands.retain(|c| c.name != "get");
        s.commands.push(CommandShape {
            name: "json.get".into(),
            arity: -2,
            flags: vec!["readonly".into(), "module".into()],
            categories: vec![],
            key_specs: vec![],
        });
        s.commands.iter_mut().find(|c| c.name == "set").unwrap().arity = -4;
        let d = table_diff(&t, &s);
        assert_eq!(d.commands_only_in_profile, ["get"]);
        assert_eq!(d.commands_only_on_server, [ExtraCommand { name: "json.get".into(), module: true }]);
        assert_eq!(d.changed.len(), 1);
        assert_eq!(
            (d.changed[0].field, d.changed[0].expected.as_str(), d.changed[0].server.as_str()),
            ("arity", "-3", "-4")
        );
    }

    #[test]
    fn listed_users_read_back() {
        for p in PROFILES {
            // A line as the profile prints it reads back to itself.
            let mut server = Server::new(p);
            let rules = ["on", ">pw", "~app:*", "-@all", "+get", "+set", "(%R~x +@read)"];
            let tokens: Vec<_> = rules.iter().map(|r| crate::engine::token::Token::plain(r.as_bytes())).collect();
            server.setuser(b"app", None, &tokens).unwrap();
            let line = acl_list_line(server.user(b"app").unwrap(), p);
            let plans = plan_users(p, &[line], 1, 16);
            assert!(plans[0].user.is_ok());
            assert_eq!(plans[0].questions.len(), 16);
            assert!(listing_differences(p, &plans).is_empty(), "{}", p.id);
            // The same questions again, and the engine's own answers agree with themselves.
            let got: Vec<Got> = plans[0]
                .questions
                .iter()
                .map(|(_, r)| match r.kind {
                    ReplyKind::Ok => Got::Status(r.text.as_bytes().to_vec()),
                    ReplyKind::Error => Got::Error(r.text.as_bytes().to_vec()),
                    ReplyKind::Denied => Got::Bulk(Some(r.text.as_bytes().to_vec())),
                })
                .collect();
            assert!(dryrun_differences(&plans, &got).is_empty());
            let mut wrong = got.clone();
            wrong[0] = Got::Bulk(Some(b"OK".to_vec()));
            let d = dryrun_differences(&plans, &wrong);
            assert_eq!(d.len(), 1);
            let bad = plan_users(p, &[b"user x on +nosuch".to_vec()], 1, 4);
            let d = listing_differences(p, &bad);
            assert!(d[0].expected.starts_with("(refused: ERR users.acl:1: "), "{:?}", d[0]);
        }
        assert_eq!(
            redact_hashes("user a on #5e884898da28047151d0e56f8dc6292773603d0d6aabbdd62a11ef721d1542d8 ~*"),
            "user a on #5e884898da28… ~*"
        );
    }
}
