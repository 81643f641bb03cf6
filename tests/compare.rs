//! `aclplay compare` against the live servers: for generated ACL files and command lines,
//! every version's server is asked (`ACL LOAD`, `ACL LIST`, `ACL DRYRUN` of each line as
//! each user), and the engine's comparison must report exactly the subjects on which the
//! servers' answers differ, with the versions grouped as the servers' answers group them.
//! Seeded (`ACLPLAY_SEED` replays a run); `ACLPLAY_COMPARE_FILES` (default 60) sets the
//! size. Through the real binary: exit codes and the three formats.

mod support;

use aclplay::analysis::Options;
use aclplay::input::Kind;
use aclplay::input::command_lines;
use aclplay::review::compare::{Commands, Subject, compare};
use aclplay::{PROFILES, Profile};
use aclplay_oracle::files::FileRecorder;
use aclplay_oracle::table::load_table;
use aclplay_oracle::{ServerId, fresh_seed, generate_cases, generate_files, oracle_or_skip};
use std::collections::BTreeMap;

/// One live answer per subject key, per version.
type Live = BTreeMap<String, String>;

fn key(s: &Subject) -> Option<String> {
    match s {
        Subject::Input => Some("input".into()),
        Subject::AclList { user } => Some(format!("list {user}")),
        Subject::Dryrun { user, line, .. } => Some(format!("dryrun {user} {line}")),
        // Whether a user's own line is accepted has no reply of its own on the server.
        Subject::User { .. } => None,
    }
}

/// Groups of version indexes with equal answers, as sorted lists.
fn partition(answers: &[&str]) -> Vec<Vec<usize>> {
    let mut groups: Vec<(&str, Vec<usize>)> = Vec::new();
    for (i, a) in answers.iter().enumerate() {
        match groups.iter_mut().find(|(t, _)| t == a) {
            Some(g) => g.1.push(i),
            None => groups.push((a, vec![i])),
        }
    }
    groups.into_iter().map(|(_, v)| v).filter(|v| v.len() < answers.len()).collect()
}

#[test]
fn compare_reports_what_the_servers_answer_differently() {
    let ids: Vec<ServerId> = ServerId::all().collect();
    if ids.iter().any(|&id| oracle_or_skip(id, "compare").is_none()) {
        return;
    }
    let seed = fresh_seed();
    let n: usize = std::env::var("ACLPLAY_COMPARE_FILES").ok().and_then(|v| v.parse().ok()).unwrap_or(60);
    let base = ids[0];
    let table = load_table(base).unwrap();
    let mut files = generate_files(base, &table, seed, n);
    let lines: Vec<Vec<String>> =
        generate_cases(base, &table, seed, 12).into_iter().map(|c| c.command).filter(|c| !c.is_empty()).collect();
    // The command lines as a text, one redis-cli line each (quoted where needed).
    let quote = |a: &String| {
        if !a.is_empty() && a.bytes().all(|b| b.is_ascii_graphic() && b != b'"' && b != b'\'' && b != b'\\') {
            a.clone()
        } else {
            let mut q = String::from("\"");
            for b in a.bytes() {
                match b {
                    b'"' | b'\\' => q.push_str(&format!("\\{}", b as char)),
                    0x20..=0x7e => q.push(b as char),
                    _ => q.push_str(&format!("\\x{b:02x}")),
                }
            }
            q.push('"');
            q
        }
    };
    let commands_text: String =
        lines.iter().map(|l| l.iter().map(quote).collect::<Vec<_>>().join(" ") + "\n").collect();
    let parsed = command_lines::read(&commands_text);
    assert_eq!(parsed.len(), lines.len(), "every generated line reads back");
    for f in &mut files {
        // The engine compares fresh servers.
        f.preload = None;
        f.startup = false;
    }
    let profiles: Vec<&'static Profile> = ids.iter().map(|id| Profile::by_id(id.as_str()).unwrap()).collect();
    let mut live: Vec<Vec<Live>> = vec![Vec::new(); files.len()];
    for &id in &ids {
        let mut rec = FileRecorder::new(id).unwrap();
        for (i, f) in files.iter().enumerate() {
            let r = rec.record(f).unwrap();
            let mut m = Live::new();
            m.insert("input".into(), if r.aclload_crash { "crash".into() } else { r.aclload.clone().unwrap() });
            let listed = r.users_after.clone();
            // The users the engine asks about: every user of any version's analysis.
            let a = aclplay::analyze(&f.file, &Options { kind: Some(Kind::AclFile), ..Options::new(profiles[0]) });
            let mut users: Vec<String> = a.users.iter().map(|u| u.name()).collect();
            users.sort();
            users.dedup();
            for u in &users {
                let line = match (&listed, r.aclload_crash, r.list_crash) {
                    (_, true, _) => "down".to_string(),
                    (_, _, true) => "list crash".to_string(),
                    (Some(l), ..) => {
                        l.iter().find(|x| x.split(' ').nth(1) == Some(u.as_str())).cloned().unwrap_or("absent".into())
                    }
                    (None, ..) => "absent".into(),
                };
                m.insert(format!("list {u}"), line);
            }
            let defined: Vec<&String> =
                users.iter().filter(|u| a.users.iter().any(|r| r.name() == **u && r.span.is_some())).collect();
            if !r.aclload_crash {
                let asks: Vec<(String, Vec<String>)> =
                    defined.iter().flat_map(|u| lines.iter().map(move |l| (u.to_string(), l.clone()))).collect();
                let replies = rec.dryrun(&asks).unwrap();
                for ((u, _), (reply, l)) in asks.iter().zip(replies.iter().zip(parsed.iter().cycle())) {
                    m.insert(format!("dryrun {u} {}", l.number), reply.clone());
                }
            } else {
                for u in &defined {
                    for l in &parsed {
                        m.insert(format!("dryrun {u} {}", l.number), "down".into());
                    }
                }
            }
            live[i].push(m);
        }
    }
    let mut problems = Vec::new();
    let mut differing = 0;
    for (i, f) in files.iter().enumerate() {
        let opts = Options { kind: Some(Kind::AclFile), ..Options::new(profiles[0]) };
        let c = compare(&f.file, &opts, &profiles, Commands { user: None, text: &commands_text, lines: &parsed });
        let mut engine: BTreeMap<String, Vec<Vec<usize>>> = BTreeMap::new();
        for d in &c.differences {
            let Some(k) = key(&d.subject) else { continue };
            let mut groups: Vec<Vec<usize>> = d
                .groups
                .iter()
                .map(|g| g.servers.iter().map(|s| c.servers.iter().position(|x| x == s).unwrap()).collect())
                .collect();
            groups.sort();
            engine.insert(k, groups);
        }
        let keys: std::collections::BTreeSet<&String> = live[i].iter().flat_map(|m| m.keys()).collect();
        for k in keys {
            let answers: Vec<&str> = live[i].iter().map(|m| m.get(k).map_or("-", String::as_str)).collect();
            let mut want = partition(&answers);
            want.sort();
            let got = engine.remove(k).unwrap_or_default();
            // A subject on which all servers agree: the engine reports nothing.
            let want = if want.is_empty() { Vec::new() } else { want };
            let got = if got.len() <= 1 && want.is_empty() { Vec::new() } else { got };
            if !want.is_empty() {
                differing += 1;
            }
            if want != got && !(want.is_empty() && got.is_empty()) {
                problems.push(format!("{} {k}: servers {answers:?} group as {want:?}, compare says {got:?}", f.id));
            }
        }
        for (k, g) in engine {
            problems.push(format!("{} {k}: compare reports {g:?}, no server answer", f.id));
        }
    }
    eprintln!(
        "{} files × {} lines on {} versions (seed {seed}): {differing} differing subjects, {} problems",
        files.len(),
        lines.len(),
        ids.len(),
        problems.len()
    );
    assert!(problems.is_empty(), "replay with ACLPLAY_SEED={seed}:\n{}", problems[..problems.len().min(30)].join("\n"));
}

#[test]
fn compare_cli_formats_and_exit_codes() {
    let d = support::Dir::new("compare-formats");
    d.file("users.acl", "user default off\nuser app on nopass ~app:* +@all -@dangerous\n");
    d.file("cmds.txt", "GET app:1\n# a comment\nFLUSHALL\n");
    let all: Vec<&str> = PROFILES.iter().map(|p| p.id).collect();
    // The same version twice answers alike: no difference, exit 0.
    let o = d.run(&["compare", "users.acl", "--servers", &format!("{0},{0}", all[0]), "--commands", "cmds.txt"], None);
    assert_eq!(o.code, 0, "{}", o.stderr);
    assert!(o.stdout.contains("no differences: 1 versions answer all"), "{}", o.stdout);
    let o = d.run(&["--format", "json", "compare", "users.acl", "--commands", "cmds.txt"], None);
    let v: serde_json::Value = serde_json::from_str(&o.stdout).unwrap();
    assert_eq!(v["servers"].as_array().unwrap().len(), all.len());
    let decision = v["differences"].as_array().unwrap().iter().any(|d| d["decision"] == true);
    assert_eq!(o.code, if decision { 1 } else { 0 });
    let o = d.run(&["--format", "markdown", "compare", "users.acl"], None);
    assert!(o.stdout.starts_with("### aclplay compare: `users.acl`\n"), "{}", o.stdout);
    let o = d.run(&["--format", "sarif", "compare", "users.acl"], None);
    assert_eq!(o.code, 2);
    assert!(
        o.stderr.contains("`aclplay compare` has no `--format sarif`; it prints text, json, markdown"),
        "{}",
        o.stderr
    );
    let o = d.run(&["compare", "users.acl", "--servers", "redis-9.9"], None);
    assert_eq!(o.code, 2);
    assert!(o.stderr.contains("unknown server version `redis-9.9`; known: "), "{}", o.stderr);
}
