//! Replays recorded ACL files (`<server>-files.jsonl`: `ACL LOAD` reply, users after,
//! start-up with the file as `aclfile`) and config start-ups (`<server>-conf.jsonl`),
//! recorded by `aclplay-record files` / `conf`, through `aclplay::analyze`.

mod common;

use serde_json::Value;
use std::path::Path;

fn profile_for(path: &Path) -> &'static aclplay::Profile {
    let name = path.file_name().unwrap().to_string_lossy();
    aclplay::PROFILES.iter().find(|p| name.starts_with(&format!("{}-", p.id))).expect("file named after a profile")
}

fn records(suffix: &str) -> Vec<(&'static aclplay::Profile, Value)> {
    common::corpus_files(|n| n.contains(suffix))
        .iter()
        .flat_map(|path| {
            let profile = profile_for(path);
            common::read(path).lines().map(|l| (profile, serde_json::from_str(l).unwrap())).collect::<Vec<_>>()
        })
        .collect()
}

#[test]
fn acl_files_load_and_start_exactly() {
    let recs = records("-files.jsonl");
    let diffs: Vec<String> = recs.iter().flat_map(|(p, e)| common::compare_file(p, e)).collect();
    eprintln!("{} ACL files, {} differences", recs.len(), diffs.len());
    assert!(!recs.is_empty(), "no recorded ACL files found in tests/corpus");
    assert!(diffs.is_empty(), "{}", diffs.join("\n"));
}

#[test]
fn configs_start_exactly() {
    let recs = records("-conf.jsonl");
    let mut checked = 0;
    let mut diffs = Vec::new();
    for (p, e) in &recs {
        if let Some(d) = common::compare_conf(p, e) {
            checked += 1;
            diffs.extend(d);
        }
    }
    eprintln!("{checked} of {} configs checked, {} differences", recs.len(), diffs.len());
    assert!(checked > 0, "no recorded configs found in tests/corpus");
    assert!(diffs.is_empty(), "{}", diffs.join("\n"));
}
