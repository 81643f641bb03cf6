//! Seeded rules and test files for the workshop's tests and benchmark: an ACL file drawn
//! by the oracle's generator (`generate_workload`: realistic profiles and token soups)
//! and a test file of expectations about it, each written from the engine's own answer
//! in one of the forms a person would write (`allow`, `deny`, `deny key K`, the exact
//! reply, `user U => accepted`, `list U => "…"`, `load => …`), so that the file passes on
//! the engine and can be replayed on a live server.

#![allow(dead_code)]

use aclplay::analysis::repr;
use aclplay::verdicts::{Denial, ReplyKind};
use aclplay::workshop::run::{Actual, acceptance, listed};
use aclplay::{Kind, Options, Profile, analyze};
use aclplay_oracle::WorkloadUser;

pub struct Generated {
    pub rules: String,
    pub tests: String,
    /// Usernames in file order.
    pub users: Vec<String>,
}

/// A small deterministic generator (xorshift64*).
pub struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Rng {
        Rng(seed.wrapping_mul(0x9e37_79b9_7f4a_7c15) | 1)
    }
    pub fn below(&mut self, n: usize) -> usize {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        (self.0.wrapping_mul(0x2545_f491_4f6c_dd1d) >> 33) as usize % n.max(1)
    }
}

fn line_of(name: &str, rules: &[String]) -> String {
    std::iter::once(format!("user {name}")).chain(rules.iter().cloned()).collect::<Vec<_>>().join(" ")
}

fn quoted(b: &[u8]) -> String {
    repr(b)
}

/// A username as the test file writes it.
fn name(n: &str) -> String {
    if n.bytes().all(|b| b.is_ascii_graphic() && !b":\"'[".contains(&b)) { n.to_string() } else { repr(n.as_bytes()) }
}

/// An ACL file of `users` (the lines the engine accepts on their own; with `refused`,
/// also the first line it refuses, so that the file does not load) and a test file about
/// it on `profile`, from `seed`.
pub fn generate(profile: &'static Profile, users: &[WorkloadUser], seed: u64, refused: bool) -> Generated {
    let opts = Options { kind: Some(Kind::AclFile), ..Options::new(profile) };
    let mut rules = String::new();
    let mut kept: Vec<&WorkloadUser> = Vec::new();
    let mut bad_added = !refused;
    for u in users {
        let line = line_of(&u.name, &u.rules);
        let alone = analyze(&line, &opts);
        let ok = alone.served() == aclplay::analysis::Served::Input;
        if ok || !bad_added {
            bad_added |= !ok;
            rules.push_str(&line);
            rules.push('\n');
            kept.push(u);
        }
    }
    let a = analyze(&rules, &opts);
    let mut rng = Rng::new(seed);
    let mut tests = format!("# generated from seed {seed} for {}\n", profile.id);
    for u in &kept {
        let n = name(&u.name);
        if let Actual::User { accepted, .. } = acceptance(&a, &rules, u.name.as_bytes()) {
            tests.push_str(&format!("user {n} => {}\n", if accepted { "accepted" } else { "rejected" }));
        }
        if rng.below(3) == 0
            && let Actual::Listed { line: Some(l) } = listed(&a, u.name.as_bytes())
        {
            tests.push_str(&format!("list {n} => {}\n", quoted(l.as_bytes())));
        }
        for argv in &u.commands {
            // Test files cannot hold a line break or a NUL (the splitter stops there).
            if argv.is_empty() || argv.iter().any(|x| x.bytes().any(|b| b == b'\n' || b == 0)) {
                continue;
            }
            let v: Vec<&[u8]> = argv.iter().map(|x| x.as_bytes()).collect();
            let Ok(reply) = a.served_dryrun(u.name.as_bytes(), &v) else { continue };
            let command: Vec<String> = argv.iter().map(|x| quoted(x.as_bytes())).collect();
            let outcome = match (reply.kind, rng.below(4)) {
                (_, 0) => quoted(reply.text.as_bytes()),
                (ReplyKind::Ok, _) => "allow".into(),
                (ReplyKind::Error, 1) => "error".into(),
                (ReplyKind::Denied, 1 | 2) => match reply.denial {
                    Some((Denial::Command, _)) => "deny command".into(),
                    Some((Denial::Key, pos)) => format!("deny key {}", quoted(argv[pos].as_bytes())),
                    Some((Denial::Channel, pos)) => format!("deny channel {}", quoted(argv[pos].as_bytes())),
                    // The test format has no `deny database`: the plain verdict.
                    Some((Denial::Database, _)) | None => "deny".into(),
                },
                _ => "deny".into(),
            };
            tests.push_str(&format!("{n}: {} => {outcome}\n", command.join(" ")));
        }
    }
    tests.push_str(&format!(
        "load => {}\n",
        if a.served() == aclplay::analysis::Served::Input { "accepted" } else { "rejected" }
    ));
    Generated { rules, tests, users: kept.iter().map(|u| u.name.clone()).collect() }
}
