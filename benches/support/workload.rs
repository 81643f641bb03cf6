//! The benchmark workload, shared by `benches/engine.rs` (criterion, no servers) and
//! `examples/side_by_side.rs` (the real servers in the same run).
//!
//! Per server version: an ACL file of [`USERS`] users drawn by the oracle's generator
//! (profiles such as app, cache, readonly, monitor, selectors, … and valid token soups,
//! with `>password`, `#hash` and `nopass`, categories, key and channel patterns), and
//! [`PER_USER`] `ACL DRYRUN` command lines per user drawn for that user's rules the way
//! `aclplay_oracle::generate_cases` draws a case's command.

#![allow(dead_code)] // each includer uses a different part

use aclplay::analysis::{Outcome, Status};
use aclplay::{Analysis, Options, Profile, analyze};
use aclplay_oracle::{ServerId, generate_workload};

/// Users in the ACL file.
pub const USERS: usize = 10_000;
/// DRYRUN command lines per user: `USERS * PER_USER` = 100,000 in all.
pub const PER_USER: usize = 10;
/// Fixed: the same workload in every run.
pub const SEED: u64 = 7_000_015;

/// The engine's reading of a user-line candidate is cheap; a few candidates more than
/// [`USERS`] cover the lines the engine refuses (generated rules that are still
/// invalid, e.g. a nested `(` on Valkey).
const SPARE: usize = USERS / 10;

pub struct Workload {
    pub id: ServerId,
    pub profile: &'static Profile,
    /// The ACL file (`\n`-terminated lines, `user <name> <rules…>`).
    pub file: String,
    /// Usernames in file order.
    pub users: Vec<String>,
    /// Every DRYRUN argument, back to back, the way a server's query buffer holds a
    /// pipeline (one allocation per argument would measure the allocator's scattering).
    arena: Vec<u8>,
    /// `(start, end)` in `arena` of each argument.
    args: Vec<(usize, usize)>,
    /// `USERS * PER_USER` DRYRUN command lines: `(index into users, range into args)`.
    lines: Vec<(usize, std::ops::Range<usize>)>,
    /// The user the `aclplay dryrun --user U --commands FILE` measurement runs every
    /// command line as (the first `profile:selectors` user).
    pub cli_user: usize,
    /// Generated candidates the engine refused and that were left out.
    pub refused: usize,
}

fn line_of(name: &str, rules: &[String]) -> String {
    let mut l = format!("user {name}");
    for r in rules {
        l.push(' ');
        l.push_str(r);
    }
    l
}

/// Builds the workload for `id` (deterministic; about a second).
pub fn build(id: ServerId) -> Workload {
    let profile = Profile::by_id(id.as_str()).expect("profile");
    let table = aclplay_oracle::table::load_table(id).expect("command table in data/tables");
    let candidates = generate_workload(id, &table, SEED, USERS + SPARE, PER_USER);
    let opts = Options::new(profile);
    let mut file = String::new();
    let mut users = Vec::with_capacity(USERS);
    let (mut arena, mut args, mut lines) = (Vec::new(), Vec::new(), Vec::with_capacity(USERS * PER_USER));
    let mut cli_user = None;
    let mut refused = 0;
    for c in candidates {
        if users.len() == USERS {
            break;
        }
        let line = line_of(&c.name, &c.rules);
        let a = analyze(&line, &opts);
        let ok = load_ok(&a) && a.users.first().is_some_and(|u| u.status == Status::Accepted);
        if !ok {
            refused += 1;
            continue;
        }
        if cli_user.is_none() && c.tags == "profile:selectors" {
            cli_user = Some(users.len());
        }
        file.push_str(&line);
        file.push('\n');
        for argv in c.commands {
            let first = args.len();
            for a in argv {
                args.push((arena.len(), arena.len() + a.len()));
                arena.extend_from_slice(a.as_bytes());
            }
            lines.push((users.len(), first..args.len()));
        }
        users.push(c.name);
    }
    assert_eq!(users.len(), USERS, "not enough valid candidates");
    Workload { id, profile, file, users, arena, args, lines, cli_user: cli_user.expect("a selectors user"), refused }
}

/// The engine's verdict on an ACL file: `ACL LOAD` replies `OK`.
pub fn load_ok(a: &Analysis) -> bool {
    matches!(&a.outcome, Outcome::AclLoad { reply, crash: false, .. } if reply == "OK")
}

impl Workload {
    pub fn options(&self) -> Options<'static> {
        Options::new(self.profile)
    }

    fn argv(&self, r: &std::ops::Range<usize>) -> Vec<&[u8]> {
        self.args[r.clone()].iter().map(|&(s, e)| &self.arena[s..e]).collect()
    }

    /// The DRYRUN command lines, pre-split as the engine API takes them: `(user, argv)`.
    pub fn argv_refs(&self) -> Vec<(&[u8], Vec<&[u8]>)> {
        self.lines.iter().map(|(u, r)| (self.users[*u].as_bytes(), self.argv(r))).collect()
    }

    /// The command lines of the CLI measurement: every DRYRUN argv but the empty ones
    /// (the CLI skips blank lines), all run as [`Workload::cli_user`].
    pub fn cli_argvs(&self) -> Vec<Vec<&[u8]>> {
        self.lines.iter().map(|(_, r)| self.argv(r)).filter(|a| !a.is_empty()).collect()
    }
}

/// One argument as redis-cli (and `aclplay dryrun --commands`) reads it back: bare when
/// that is unambiguous, else in double quotes with C escapes.
pub fn quote(arg: &[u8]) -> String {
    let bare = !arg.is_empty()
        && arg.iter().all(|&b| b > b' ' && b != 0x7f && b != b'"' && b != b'\'' && b != b'\\')
        && std::str::from_utf8(arg).is_ok();
    if bare {
        return String::from_utf8(arg.to_vec()).expect("checked");
    }
    let mut s = String::from("\"");
    for chunk in arg.utf8_chunks() {
        for ch in chunk.valid().chars() {
            match ch {
                '"' => s.push_str("\\\""),
                '\\' => s.push_str("\\\\"),
                c if (c as u32) < 0x20 || c as u32 == 0x7f => s.push_str(&format!("\\x{:02x}", c as u32)),
                c => s.push(c),
            }
        }
        for b in chunk.invalid() {
            s.push_str(&format!("\\x{b:02x}"));
        }
    }
    s.push('"');
    s
}

/// A `--commands` file: one quoted command line per argv.
pub fn commands_file(argvs: &[Vec<&[u8]>]) -> String {
    let mut out = String::new();
    for argv in argvs {
        let line: Vec<String> = argv.iter().map(|a| quote(a)).collect();
        out.push_str(&line.join(" "));
        out.push('\n');
    }
    out
}
