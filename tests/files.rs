//! Replays recorded ACL files (`*-files.jsonl`: `ACL LOAD` replies, users after, start-up
//! with the file) and redis.conf start-ups (`*-conf.jsonl`) through `aclplay::analyze`.

use aclplay::analyze::Outcome;
use aclplay::model::Kind;
use aclplay::startup::Startup;
use aclplay::{Options, Profile, analyze};
use serde_json::Value;
use std::path::PathBuf;

fn files(suffix: &str) -> Vec<PathBuf> {
    let mut dirs = vec![PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/corpus")];
    if let Ok(extra) = std::env::var("ACLPLAY_EXTRA_CORPUS") {
        dirs.extend(std::env::split_paths(&extra));
    }
    let mut v: Vec<PathBuf> = dirs
        .iter()
        .flat_map(|d| std::fs::read_dir(d).into_iter().flatten())
        .map(|e| e.unwrap().path())
        .filter(|p| p.to_string_lossy().ends_with(suffix))
        .collect();
    v.sort();
    v
}

fn profile_for(path: &std::path::Path) -> &'static Profile {
    let name = path.file_name().unwrap().to_string_lossy();
    aclplay::PROFILES
        .iter()
        .copied()
        .find(|p| name.starts_with(p.id))
        .expect("file named after a profile")
}

fn strings(v: &Value) -> Vec<String> {
    v.as_array()
        .map(|a| a.iter().map(|s| s.as_str().unwrap().to_string()).collect())
        .unwrap_or_default()
}

/// `ACL LIST` of the server after the input, as sorted lines.
fn listed(a: &aclplay::Analysis) -> Vec<String> {
    let mut v: Vec<String> = a.users.iter().filter_map(|r| a.acl_list(&r.user)).collect();
    v.sort();
    v
}

#[test]
fn acl_files_load_and_start_exactly() {
    let mut checked = 0;
    let mut diffs = Vec::new();
    for path in files("-files.jsonl") {
        let profile = profile_for(&path);
        for line in std::fs::read_to_string(&path).unwrap().lines() {
            let e: Value = serde_json::from_str(line).unwrap();
            let id = e["id"].as_str().unwrap();
            let text = e["file"].as_str().unwrap();
            let opts = Options {
                kind: Some(Kind::AclFile),
                ..Options::new(profile)
            };
            let a = analyze(text, &opts);
            let Outcome::AclLoad {
                reply,
                crash,
                startup,
            } = &a.outcome
            else {
                panic!("{id}: not an ACL load")
            };
            let want_crash = e["aclload_crash"].as_bool().unwrap_or(false);
            if *crash != want_crash {
                diffs.push(format!("{id}: crash: expected {want_crash} got {crash}"));
            }
            if !want_crash && e["aclload"].as_str() != Some(reply.as_str()) {
                diffs.push(format!(
                    "{id}: aclload: expected {} got {reply:?}",
                    e["aclload"]
                ));
            }
            // After a failed load the server keeps what it had (a preload, or just default).
            let after = if reply == "OK" {
                listed(&a)
            } else {
                let pre = e["preload"].as_str().unwrap_or("");
                listed(&analyze(pre, &opts))
            };
            if !want_crash && after != strings(&e["users_after"]) {
                diffs.push(format!(
                    "{id}: users_after: expected {:?} got {after:?}",
                    strings(&e["users_after"])
                ));
            }
            match (e["startup"].as_str().unwrap(), startup) {
                ("ok", Startup::Running) => {
                    if listed(&a) != strings(&e["startup_users"]) {
                        diffs.push(format!("{id}: startup_users differ"));
                    }
                }
                ("exit", Startup::Exit { log }) => {
                    if *log != strings(&e["startup_log"]) {
                        diffs.push(format!(
                            "{id}: startup log: expected {:?} got {log:?}",
                            e["startup_log"]
                        ));
                    }
                }
                ("crash", Startup::Crash { .. }) => {}
                (want, got) => diffs.push(format!("{id}: startup: expected {want} got {got:?}")),
            }
            checked += 1;
        }
    }
    eprintln!("{checked} ACL files, {} differences", diffs.len());
    assert!(checked > 0, "no recorded ACL files found in tests/corpus");
    assert!(diffs.is_empty(), "{}", diffs.join("\n"));
}

#[test]
fn configs_start_exactly() {
    let mut checked = 0;
    let mut diffs = Vec::new();
    for path in files("-conf.jsonl") {
        let profile = profile_for(&path);
        for line in std::fs::read_to_string(&path).unwrap().lines() {
            let e: Value = serde_json::from_str(line).unwrap();
            let id = e["id"].as_str().unwrap();
            let opts = Options {
                kind: Some(Kind::Config),
                acl_file: e["aclfile"].as_str(),
                ..Options::new(profile)
            };
            let a = analyze(e["conf"].as_str().unwrap(), &opts);
            let Outcome::Startup(s) = &a.outcome else {
                panic!("{id}: not a start-up")
            };
            match (e["startup"].as_str().unwrap(), s) {
                ("ok", Startup::Running) => {
                    if listed(&a) != strings(&e["users"]) {
                        diffs.push(format!(
                            "{id}: users: expected {:?} got {:?}",
                            strings(&e["users"]),
                            listed(&a)
                        ));
                    }
                    let d = a.user(b"default").unwrap();
                    let pong = d.enabled && d.nopass;
                    let want = e["unauthenticated_probe"]["PING"].as_str().unwrap();
                    if pong != (want == "PONG") {
                        diffs.push(format!("{id}: unauthenticated PING: expected {want}"));
                    }
                }
                ("exit", Startup::Fatal { output, .. })
                | ("exit", Startup::Exit { log: output }) => {
                    if *output != strings(&e["output"]) {
                        diffs.push(format!(
                            "{id}: output: expected {:?} got {output:?}",
                            e["output"]
                        ));
                    }
                }
                (want, got) => diffs.push(format!("{id}: startup: expected {want} got {got:?}")),
            }
            checked += 1;
        }
    }
    eprintln!("{checked} configs, {} differences", diffs.len());
    assert!(checked > 0, "no recorded configs found in tests/corpus");
    assert!(diffs.is_empty(), "{}", diffs.join("\n"));
}
