//! Replays recorded ACL files (`<server>-files.jsonl`: `ACL LOAD` reply, users after,
//! start-up with the file as `aclfile`) and config start-ups (`<server>-conf.jsonl`),
//! recorded by `aclplay-record files` / `conf`, through `aclplay::analyze`.

use aclplay::analyze::Outcome;
use aclplay::model::Kind;
use aclplay::startup::Startup;
use aclplay::{Analysis, Options, Profile, analyze};
use serde_json::Value;
use std::path::{Path, PathBuf};

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

fn profile_for(path: &Path) -> &'static Profile {
    let name = path.file_name().unwrap().to_string_lossy();
    aclplay::PROFILES.iter().copied().find(|p| name.starts_with(p.id)).expect("file named after a profile")
}

fn strings(v: &Value) -> Option<Vec<String>> {
    v.as_array().map(|a| a.iter().map(|s| s.as_str().unwrap().to_string()).collect())
}

/// `ACL LIST` after the input, sorted; `None` when listing crashes the server.
fn listed(a: &Analysis) -> Option<Vec<String>> {
    let mut v = Vec::new();
    for r in &a.users {
        v.push(a.acl_list(&r.user)?);
    }
    v.sort();
    Some(v)
}

fn startup_name(s: &Startup) -> &'static str {
    match s {
        Startup::Running => "ok",
        Startup::Fatal { .. } | Startup::Exit { .. } => "exit",
        Startup::Crash { .. } => "crash",
    }
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
            let opts = Options { kind: Some(Kind::AclFile), ..Options::new(profile) };
            let a = analyze(e["file"].as_str().unwrap(), &opts);
            let Outcome::AclLoad { reply, crash, startup } = &a.outcome else { panic!("{id}: not an ACL load") };
            let mut diff = |what: &str, want: &dyn std::fmt::Debug, got: &dyn std::fmt::Debug| {
                diffs.push(format!("{id}: {what}: server {want:?}, engine {got:?}"))
            };
            let want_crash = e["aclload_crash"].as_bool().unwrap_or(false);
            if *crash != want_crash {
                diff("aclload_crash", &want_crash, crash);
            } else if !want_crash && e["aclload"].as_str() != Some(reply.as_str()) {
                diff("aclload", &e["aclload"], reply);
            }
            // After a failed load the server keeps what it had: a preload, or just default.
            let after =
                if reply == "OK" { listed(&a) } else { listed(&analyze(e["preload"].as_str().unwrap_or(""), &opts)) };
            if !want_crash {
                let want_list_crash = e["list_crash"].as_bool().unwrap_or(false);
                if want_list_crash != after.is_none() {
                    diff("list_crash", &want_list_crash, &after.is_none());
                } else if after.is_some() && after != strings(&e["users_after"]) {
                    diff("users_after", &e["users_after"], &after);
                }
            }
            if let Some(want) = e["startup"].as_str() {
                if want != startup_name(startup) {
                    diff("startup", &want, startup);
                } else if let Startup::Exit { log } = startup {
                    if Some(log) != strings(&e["startup_log"]).as_ref() {
                        diff("startup_log", &e["startup_log"], log);
                    }
                } else if want == "ok" && e.get("startup_users").is_some() && listed(&a) != strings(&e["startup_users"])
                {
                    diff("startup_users", &e["startup_users"], &listed(&a));
                }
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
            let conf = e["conf"].as_str().unwrap();
            let uses_aclfile = conf.lines().any(|l| l.trim_start().to_ascii_lowercase().starts_with("aclfile"));
            if uses_aclfile && e["acl_file"].is_null() {
                // A missing ACL file is outside what we simulate (we never see the
                // server's disk); the recorded answer is an `opening file` error.
                continue;
            }
            let opts = Options { kind: Some(Kind::Config), acl_file: e["acl_file"].as_str(), ..Options::new(profile) };
            let a = analyze(conf, &opts);
            let Outcome::Startup(s) = &a.outcome else { panic!("{id}: not a start-up") };
            let want = e["startup"].as_str().unwrap();
            if want != startup_name(s) {
                diffs.push(format!("{id}: startup: server {want}, engine {s:?}"));
            } else {
                match s {
                    Startup::Running => {
                        if listed(&a) != strings(&e["users"]) {
                            diffs.push(format!("{id}: users: server {:?}, engine {:?}", e["users"], listed(&a)));
                        }
                        let d = a.user(b"default").unwrap();
                        let pong = d.enabled && d.nopass;
                        let want = e["unauthenticated_probe"]["PING"].as_str().unwrap_or("");
                        if pong != (want == "PONG") {
                            diffs.push(format!("{id}: unauthenticated PING: server {want}"));
                        }
                    }
                    Startup::Fatal { output, .. } | Startup::Exit { log: output } => {
                        if Some(output) != strings(&e["output"]).as_ref() {
                            diffs.push(format!("{id}: output: server {:?}, engine {output:?}", e["output"]));
                        }
                    }
                    Startup::Crash { .. } => {}
                }
            }
            checked += 1;
        }
    }
    eprintln!("{checked} configs, {} differences", diffs.len());
    assert!(checked > 0, "no recorded configs found in tests/corpus");
    assert!(diffs.is_empty(), "{}", diffs.join("\n"));
}
