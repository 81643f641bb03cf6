//! Replays recorded server answers (tests/corpus/*.jsonl[.gz], recorded by
//! `aclplay-record`) through the engine: every field must be identical.
//! `ACLPLAY_EXTRA_CORPUS=<dir>` adds the JSONL files of another directory.

use aclplay::batch::{CaseInput, run_case};
use aclplay::profile::Profile;
use serde_json::Value;
use std::io::Read;
use std::path::{Path, PathBuf};

fn read(path: &Path) -> String {
    let mut s = String::new();
    let f = std::fs::File::open(path).unwrap();
    if path.extension().is_some_and(|e| e == "gz") {
        flate2::read::GzDecoder::new(f)
            .read_to_string(&mut s)
            .unwrap();
    } else {
        std::io::BufReader::new(f).read_to_string(&mut s).unwrap();
    }
    s
}

fn profile_for(path: &Path) -> &'static Profile {
    let name = path.file_name().unwrap().to_string_lossy();
    if name.starts_with("valkey-8.1") {
        Profile::by_id("valkey-8.1").unwrap()
    } else if name.starts_with("redis-7.0") {
        Profile::by_id("redis-7.0").unwrap()
    } else {
        panic!("corpus file {name} must start with a profile id")
    }
}

/// Redis 7.0 prints single-command tokens in hash order: compare each selector's
/// tokens as a set.
fn token_set(s: &str) -> Vec<Vec<&str>> {
    let mut groups = vec![Vec::new()];
    for t in s.split(' ') {
        if let Some(rest) = t.strip_prefix('(') {
            groups.push(Vec::new());
            groups
                .last_mut()
                .unwrap()
                .push(rest.strip_suffix(')').unwrap_or(rest));
        } else {
            groups
                .last_mut()
                .unwrap()
                .push(t.strip_suffix(')').unwrap_or(t));
        }
    }
    for g in &mut groups {
        g.sort();
    }
    groups
}

fn compare(expected: &Value, got: &Value, diffs: &mut Vec<String>) {
    let id = expected["id"].as_str().unwrap_or("?");
    let field = |v: &Value, k: &str| v.get(k).cloned().unwrap_or(Value::Null);
    for k in [
        "setuser",
        "pre_setuser",
        "dryrun",
        "dryrun_kind",
        "aclload",
        "getuser",
    ] {
        let (e, g) = (field(expected, k), field(got, k));
        if e != g {
            diffs.push(format!("{id}: {k}: expected {e} got {g}"));
        }
    }
    let norm = field(expected, "acl_list_norm");
    let got_list = field(got, "acl_list");
    if norm != got_list {
        diffs.push(format!("{id}: acl_list: expected {norm} got {got_list}"));
    }
    if let (Some(raw), Some(g)) = (expected["acl_list"].as_str(), got_list.as_str()) {
        if token_set(raw) != token_set(g) {
            diffs.push(format!(
                "{id}: acl_list tokens differ from the raw server line {raw:?}"
            ));
        }
    }
    for k in ["aclload_crash", "list_crash"] {
        let (e, g) = (
            expected.get(k).and_then(Value::as_bool),
            got.get(k).and_then(Value::as_bool),
        );
        if e.unwrap_or(false) != g.unwrap_or(false) {
            diffs.push(format!("{id}: {k}: expected {e:?} got {g:?}"));
        }
    }
}

fn corpus_files() -> Vec<PathBuf> {
    let mut dirs = vec![PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/corpus")];
    if let Ok(extra) = std::env::var("ACLPLAY_EXTRA_CORPUS") {
        dirs.extend(std::env::split_paths(&extra));
    }
    let mut files: Vec<PathBuf> = dirs
        .iter()
        .flat_map(|d| std::fs::read_dir(d).into_iter().flatten())
        .map(|e| e.unwrap().path())
        .filter(|p| {
            let n = p.to_string_lossy();
            (n.ends_with(".jsonl") || n.ends_with(".jsonl.gz"))
                && !n.contains("-files.")
                && !n.contains("-conf.")
        })
        .collect();
    files.sort();
    files
}

#[test]
fn recorded_cases_replay_exactly() {
    let files = corpus_files();
    let mut total = 0;
    let mut diffs = Vec::new();
    for path in &files {
        let profile = profile_for(path);
        for line in read(path).lines().filter(|l| !l.trim().is_empty()) {
            let expected: Value = serde_json::from_str(line).unwrap();
            let input: CaseInput = serde_json::from_value(expected.clone()).unwrap();
            let got = serde_json::to_value(run_case(&input, profile)).unwrap();
            compare(&expected, &got, &mut diffs);
            total += 1;
        }
    }
    eprintln!(
        "{} cases from {} files, {} differences",
        total,
        files.len(),
        diffs.len()
    );
    assert!(
        diffs.is_empty(),
        "{} differences, first ones:\n{}",
        diffs.len(),
        diffs[..diffs.len().min(40)].join("\n")
    );
}
