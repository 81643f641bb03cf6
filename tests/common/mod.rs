//! Comparisons shared by the corpus replays and the live differential tests.
#![allow(dead_code)] // each test binary uses a different part of it

use aclplay::analysis::Outcome;
use aclplay::engine::startup::Startup;
use aclplay::input::document::Kind;
use aclplay::{Analysis, Options, Profile, analyze};
use serde_json::Value;
use std::io::Read;
use std::path::{Path, PathBuf};

/// A JSONL corpus file, gzipped or not.
pub fn read(path: &Path) -> String {
    let mut s = String::new();
    let f = std::fs::File::open(path).unwrap();
    if path.extension().is_some_and(|e| e == "gz") {
        flate2::read::GzDecoder::new(f).read_to_string(&mut s).unwrap();
    } else {
        std::io::BufReader::new(f).read_to_string(&mut s).unwrap();
    }
    s
}

/// Corpus files in tests/corpus (and `ACLPLAY_EXTRA_CORPUS` directories) whose name
/// satisfies `pick`, sorted.
pub fn corpus_files(pick: impl Fn(&str) -> bool) -> Vec<PathBuf> {
    let mut dirs = vec![PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/corpus")];
    if let Ok(extra) = std::env::var("ACLPLAY_EXTRA_CORPUS") {
        dirs.extend(std::env::split_paths(&extra));
    }
    let mut v: Vec<PathBuf> = dirs
        .iter()
        .flat_map(|d| std::fs::read_dir(d).into_iter().flatten())
        .map(|e| e.unwrap().path())
        .filter(|p| pick(&p.file_name().unwrap().to_string_lossy()))
        .collect();
    v.sort();
    v
}

fn strings(v: &Value) -> Option<Vec<String>> {
    v.as_array().map(|a| a.iter().map(|s| s.as_str().unwrap().to_string()).collect())
}

/// `ACL LIST` after the input, sorted; `None` when listing crashes the server.
pub fn listed(a: &Analysis) -> Option<Vec<String>> {
    let mut v = Vec::new();
    for r in &a.users {
        v.push(a.acl_list(&r.user)?);
    }
    v.sort();
    Some(v)
}

pub fn startup_name(s: &Startup) -> &'static str {
    match s {
        Startup::Running => "ok",
        Startup::Fatal { .. } | Startup::Exit { .. } => "exit",
        Startup::Crash { .. } => "crash",
    }
}

/// Differences between a recorded ACL-file record (`aclplay-record files`) and the engine.
pub fn compare_file(profile: &'static Profile, e: &Value) -> Vec<String> {
    let id = e["id"].as_str().unwrap_or("?");
    let mut diffs = Vec::new();
    let mut diff = |what: &str, want: &dyn std::fmt::Debug, got: &dyn std::fmt::Debug| {
        diffs.push(format!("{id}: {what}: server {want:?}, engine {got:?}"))
    };
    let opts = Options { kind: Some(Kind::AclFile), ..Options::new(profile) };
    let a = analyze(e["file"].as_str().unwrap(), &opts);
    let Outcome::AclLoad { reply, crash, startup } = &a.outcome else { panic!("{id}: not an ACL load") };
    let want_crash = e["aclload_crash"].as_bool().unwrap_or(false);
    if *crash != want_crash {
        diff("aclload_crash", &want_crash, crash);
    } else if !want_crash && e["aclload"].as_str() != Some(reply.as_str()) {
        diff("aclload", &e["aclload"], reply);
    }
    // After a failed load the server keeps what it had: a preload, or just default.
    let after = if reply == "OK" { listed(&a) } else { listed(&analyze(e["preload"].as_str().unwrap_or(""), &opts)) };
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
        } else if want == "ok" && e.get("startup_users").is_some() && listed(&a) != strings(&e["startup_users"]) {
            diff("startup_users", &e["startup_users"], &listed(&a));
        }
    }
    diffs
}

/// Differences between a recorded config start-up (`aclplay-record conf`) and the engine;
/// `None` when the record is outside what we simulate (a missing ACL file on disk).
pub fn compare_conf(profile: &'static Profile, e: &Value) -> Option<Vec<String>> {
    let id = e["id"].as_str().unwrap_or("?");
    let conf = e["conf"].as_str().unwrap();
    let uses_aclfile = conf.lines().any(|l| l.trim_start().to_ascii_lowercase().starts_with("aclfile"));
    if uses_aclfile && e["acl_file"].is_null() {
        return None;
    }
    let mut diffs = Vec::new();
    let opts = Options { kind: Some(Kind::Config), acl_file: e["acl_file"].as_str(), ..Options::new(profile) };
    let a = analyze(conf, &opts);
    let Outcome::Startup(s) = &a.outcome else { panic!("{id}: not a start-up") };
    let want = e["startup"].as_str().unwrap();
    if want != startup_name(s) {
        diffs.push(format!("{id}: startup: server {want}, engine {s:?}"));
        return Some(diffs);
    }
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
    Some(diffs)
}

/// A kind of check, run once per server version.
pub type Check = (&'static str, fn(aclplay_oracle::ServerId));

/// Runs `check(id)` for every (kind, server version of the registry) as its own test,
/// `<kind>::<id>`, with libtest's usual filters and options (`--test-threads`, names).
pub fn run_per_server(kinds: &[Check]) -> ! {
    let args = libtest_mimic::Arguments::from_args();
    let mut tests = Vec::new();
    for &(kind, check) in kinds {
        for id in aclplay_oracle::ServerId::all() {
            tests.push(trial(format!("{kind}::{id}"), move || check(id)));
        }
    }
    libtest_mimic::run(&args, tests).exit()
}

/// A libtest-mimic test of `f`: a panic fails it, with the panic's message.
pub fn trial(name: String, f: impl FnOnce() + Send + std::panic::UnwindSafe + 'static) -> libtest_mimic::Trial {
    libtest_mimic::Trial::test(name, move || {
        std::panic::catch_unwind(f).map_err(|e| {
            let msg = e
                .downcast_ref::<String>()
                .cloned()
                .or_else(|| e.downcast_ref::<&str>().map(|s| s.to_string()))
                .unwrap_or_else(|| "panicked".into());
            libtest_mimic::Failed::from(msg)
        })
    })
}

/// The profiles a test case's `when` selects, by what the versions do rather than by id
/// (a version added to the registry is then covered by every case that holds for it):
/// `all`, or conditions joined by ` and `, each a [`aclplay_formats::registry::Behavior`]
/// switch (`firstarg_whitespace_crashes_list`, `!set_selector_database_rules`,
/// `list_style=bitmap`, `!key_permissions=required`) or `product=redis|valkey`. An unknown switch panics: a typo must
/// not select nothing.
pub fn servers_where(when: &str) -> Vec<&'static Profile> {
    aclplay::commands::profile::PROFILES.iter().filter(|p| holds(p, when)).collect()
}

fn holds(p: &Profile, when: &str) -> bool {
    if when.trim() == "all" {
        return true;
    }
    let behavior = serde_json::to_value(p.behavior).expect("Behavior serialises");
    when.split(" and ").all(|cond| {
        let cond = cond.trim();
        let (negate, rest) = match cond.strip_prefix('!') {
            Some(r) => (true, r),
            None => (false, cond),
        };
        let (name, want) = match rest.split_once('=') {
            Some((n, v)) => (n, Value::String(v.to_string())),
            None => (rest, Value::Bool(true)),
        };
        let have = if name == "product" {
            Value::String(p.product.name().to_ascii_lowercase())
        } else {
            behavior.get(name).cloned().unwrap_or_else(|| panic!("`{cond}`: no such behaviour switch"))
        };
        (have == want) != negate
    })
}

/// The fields where the engine's client view differs from the recorded one
/// (`field: server …, engine …`), every field of the record compared.
pub fn client_diffs(expected: &aclplay::corpus::ClientRecord, got: &aclplay::corpus::ClientRecord) -> Vec<String> {
    let (e, g) = (serde_json::to_value(expected).unwrap(), serde_json::to_value(got).unwrap());
    let (e, g) = (e.as_object().unwrap(), g.as_object().unwrap());
    let mut keys: Vec<&String> = e.keys().chain(g.keys()).collect();
    keys.sort();
    keys.dedup();
    keys.into_iter()
        .filter(|k| e.get(*k) != g.get(*k))
        .map(|k| {
            format!("{k}: server {}, engine {}", e.get(k).unwrap_or(&Value::Null), g.get(k).unwrap_or(&Value::Null))
        })
        .collect()
}

/// Replays client records: (cases, report of the first differing ones, differing count).
pub fn replay_client(
    profile: &Profile,
    records: impl IntoIterator<Item = aclplay::corpus::ClientRecord>,
) -> (usize, String, usize) {
    let (mut total, mut failed, mut report) = (0, 0, String::new());
    for r in records {
        let got = aclplay::corpus::run_client_case(&r, profile);
        let d = client_diffs(&r, &got);
        if !d.is_empty() {
            failed += 1;
            if failed <= 20 {
                report.push_str(&format!(
                    "case {} ({:?} {:?}):\n  {}\n",
                    r.id,
                    r.setuser_args,
                    r.command,
                    d.join("\n  ")
                ));
            }
        }
        total += 1;
    }
    (total, report, failed)
}
