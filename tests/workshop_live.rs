//! `aclplay test` verdicts against the live servers: for every registry version, every
//! expectation of seeded generated test files (over seeded generated ACL files, some
//! that do not load) and of the built-in track's checks (over each challenge's solution
//! and starter) is asked of the real server — `ACL DRYRUN` after `ACL LOAD` of the rules,
//! the user's `ACL LIST` line, whether `ACL LOAD` of the user's line alone is accepted,
//! whether the rules load — and the server's verdict must be the engine's. So a test
//! file that passes on the engine passes when replayed on the server, and one that fails
//! fails there too. (`audit` lines are the engine's own judgement, not the server's, and
//! are left out.) Seeded: `ACLPLAY_SEED` replays a run; `ACLPLAY_WORKSHOP_FILES` (default
//! 40 per version) sets the size.

#[path = "support/workshop.rs"]
mod generated;

use aclplay::workshop::challenge::{self, Mode, join};
use aclplay::workshop::testfile::{Check, Denied, Expectation, ReplyExpect, TestFile};
use aclplay::workshop::{Rules, Verdict, parse, run};
use aclplay::{Kind, Options, Profile, analyze};
use aclplay_oracle::files::FileRecorder;
use aclplay_oracle::table::load_table;
use aclplay_oracle::{FileInput, ServerId, fresh_seed, generate_workload, oracle_or_skip};

/// What the live server holds after `ACL LOAD` of some rules.
struct Live {
    loaded: bool,
    crashed: bool,
    /// `ACL LIST` after the load (normalised as the recorder does); `None` after a crash
    /// or when listing crashed.
    listed: Option<Vec<String>>,
}

fn load(rec: &mut FileRecorder, id: &str, rules: &str) -> Live {
    let input = FileInput { id: id.into(), tags: String::new(), preload: None, file: rules.into(), startup: false };
    let r = rec.record(&input).unwrap();
    Live {
        loaded: r.aclload.as_deref() == Some("OK"),
        crashed: r.aclload_crash,
        listed: if r.list_crash { None } else { r.users_after },
    }
}

/// The server's verdict on a DRYRUN expectation, from its reply.
fn dryrun_passes(expect: &ReplyExpect, argv: &[Vec<u8>], reply: &str) -> bool {
    let denied_on = |what: &str| -> Option<String> {
        // `… has no permissions to run the 'x' command` / `… to access the 'k' key|channel`.
        let rest = reply.strip_suffix(&format!("' {what}"))?;
        let (_, arg) = rest.split_once(" has no permissions to ")?;
        let arg = arg.strip_prefix("run the '").or_else(|| arg.strip_prefix("access the '"))?;
        Some(arg.to_string())
    };
    let named = |want: &Option<Vec<u8>>, what: &str| match (denied_on(what), want) {
        (Some(_), None) => true,
        (Some(got), Some(w)) => got.as_bytes() == w.as_slice(),
        (None, _) => false,
    };
    let _ = argv;
    match expect {
        ReplyExpect::Allow => reply == "OK",
        ReplyExpect::Deny(None) => reply != "OK",
        ReplyExpect::Deny(Some(Denied::Command)) => denied_on("command").is_some(),
        ReplyExpect::Deny(Some(Denied::Key(k))) => named(k, "key"),
        ReplyExpect::Deny(Some(Denied::Channel(c))) => named(c, "channel"),
        ReplyExpect::Error => reply.starts_with("ERR "),
        ReplyExpect::Text(t) => reply.as_bytes() == t.as_slice(),
    }
}

/// The line that defines `user` in an ACL file.
fn line_of<'a>(rules: &'a str, user: &[u8]) -> Option<&'a str> {
    rules.lines().find(|l| {
        let mut w = l.split(' ');
        w.next() == Some("user") && w.next().map(str::as_bytes) == Some(user)
    })
}

/// Compares the engine's verdict with the server's for each expectation that runs on `id`.
fn replay(
    rec: &mut FileRecorder,
    id: ServerId,
    what: &str,
    rules: &str,
    file: &TestFile,
    problems: &mut Vec<String>,
) -> usize {
    let profile = Profile::by_id(id.as_str()).unwrap();
    let a = analyze(rules, &Options { kind: Some(Kind::AclFile), ..Options::new(profile) });
    let engine = run(file, &Rules::new(rules, &a));
    let live = load(rec, what, rules);
    let asks: Vec<(usize, &Expectation)> = engine
        .results
        .iter()
        .map(|r| (r.index, &file.expectations[r.index]))
        .filter(|(_, e)| matches!(e.check, Check::Dryrun { .. }))
        .collect();
    let lines: Vec<(String, Vec<String>)> = asks
        .iter()
        .map(|(_, e)| match &e.check {
            Check::Dryrun { user, argv, .. } => (
                String::from_utf8(user.bytes.clone()).unwrap(),
                argv.iter().map(|x| String::from_utf8(x.clone()).unwrap()).collect(),
            ),
            _ => unreachable!(),
        })
        .collect();
    let replies = if live.crashed { vec!["(down)".to_string(); lines.len()] } else { rec.dryrun(&lines).unwrap() };
    let mut compared = 0;
    for r in &engine.results {
        let e = &file.expectations[r.index];
        let server = match &e.check {
            Check::Dryrun { expect, argv, .. } => {
                let k = asks.iter().position(|(i, _)| *i == r.index).unwrap();
                if live.crashed { false } else { dryrun_passes(expect, argv, &replies[k]) }
            }
            Check::List { user, line } => {
                let name = String::from_utf8_lossy(&user.bytes).into_owned();
                let found =
                    live.listed.as_ref().and_then(|l| l.iter().find(|x| x.split(' ').nth(1) == Some(name.as_str())));
                found.is_some_and(|l| l.as_bytes() == line.as_slice())
            }
            Check::Load { accepted } => (live.loaded && !live.crashed) == *accepted,
            Check::Accepted { user, accepted } => {
                let Some(l) = line_of(rules, &user.bytes) else { continue };
                let alone = load(rec, what, &format!("{l}\n"));
                (alone.loaded && !alone.crashed) == *accepted
            }
            Check::Audit { .. } => continue,
            Check::Auth { user, password, ok } => {
                if live.crashed {
                    false
                } else {
                    let reply = rec.auth(&user.bytes, password).unwrap();
                    assert!(
                        reply == "OK" || reply == aclplay::workshop::run::WRONGPASS,
                        "{id} {what}: AUTH replied {reply:?}"
                    );
                    (reply == "OK") == *ok
                }
            }
        };
        compared += 1;
        if server != (r.verdict == Verdict::Pass) {
            let text = file_text_of(e);
            problems.push(format!(
                "{id} {what} line {}: `{text}`: the engine says {:?} ({}), the server {}{}",
                r.line,
                r.verdict,
                r.actual.text(),
                if server { "passes it" } else { "fails it" },
                match &e.check {
                    Check::Dryrun { .. } => {
                        let k = asks.iter().position(|(i, _)| *i == r.index).unwrap();
                        format!(" (server reply {:?})", replies[k])
                    }
                    _ => String::new(),
                }
            ));
        }
    }
    compared
}

fn file_text_of(e: &Expectation) -> String {
    format!("{:?}", e.check)
}

#[test]
fn test_verdicts_are_the_servers() {
    let seed = fresh_seed();
    let n: u64 = std::env::var("ACLPLAY_WORKSHOP_FILES").ok().and_then(|v| v.parse().ok()).unwrap_or(40);
    let mut problems = Vec::new();
    let mut compared = 0;
    let mut versions = 0;
    for id in ServerId::all() {
        if oracle_or_skip(id, "workshop_live").is_none() {
            continue;
        }
        versions += 1;
        let profile = Profile::by_id(id.as_str()).unwrap();
        let table = load_table(id).unwrap();
        let mut rec = FileRecorder::new(id).unwrap();
        for k in 0..n {
            let s = seed.wrapping_add(k);
            let users = generate_workload(id, &table, s, 8, 6);
            let g = generated::generate(profile, &users, s, k % 4 == 3);
            let file = parse(&g.tests);
            assert!(file.is_ok(), "{id} seed {s}: {:?}", file.errors);
            compared += replay(&mut rec, id, &format!("generated {s}"), &g.rules, &file, &mut problems);
        }
        for c in challenge::builtin().challenges.iter() {
            if !challenge::profiles_of(c).iter().any(|p| p.id == profile.id) {
                continue;
            }
            match c.mode {
                Mode::Rules => {
                    let file = parse(&challenge::checks_text(c, true));
                    for (what, rules) in [("solution", &c.solution), ("starter", &c.starter)] {
                        compared +=
                            replay(&mut rec, id, &format!("{} {what}", c.id), &join(rules), &file, &mut problems);
                    }
                }
                Mode::FindTheHole => {
                    let user = c.user.as_deref().unwrap();
                    let answer = &c.solution[0];
                    let allow = parse(&format!("{user}: {answer} => allow"));
                    let deny = parse(&format!("{user}: {answer} => deny"));
                    compared +=
                        replay(&mut rec, id, &format!("{} starter", c.id), &join(&c.starter), &allow, &mut problems);
                    compared +=
                        replay(&mut rec, id, &format!("{} intended", c.id), &join(&c.intended), &deny, &mut problems);
                }
            }
        }
    }
    eprintln!("{compared} expectations on {versions} versions (seed {seed}): {} differences", problems.len());
    assert!(problems.is_empty(), "replay with ACLPLAY_SEED={seed}:\n{}", problems[..problems.len().min(30)].join("\n"));
    if versions > 0 {
        assert!(compared > 500, "{compared} expectations compared");
    }
}
