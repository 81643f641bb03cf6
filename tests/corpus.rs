//! Replays recorded server answers (tests/corpus/<server>-*.jsonl[.gz], recorded by
//! `aclplay-record cases`) through the engine: every field must be identical (Redis 7.0's
//! hash-ordered command tokens compared as a set). `ACLPLAY_EXTRA_CORPUS=<dirs>` adds
//! the JSONL files of other directories.

use aclplay::batch::{CaseInput, run_case};
use aclplay::profile::Profile;
use aclplay_oracle::ServerId;
use aclplay_oracle::compare::{compare_values, describe};
use serde_json::Value;
use std::io::Read;
use std::path::{Path, PathBuf};

fn read(path: &Path) -> String {
    let mut s = String::new();
    let f = std::fs::File::open(path).unwrap();
    if path.extension().is_some_and(|e| e == "gz") {
        flate2::read::GzDecoder::new(f).read_to_string(&mut s).unwrap();
    } else {
        std::io::BufReader::new(f).read_to_string(&mut s).unwrap();
    }
    s
}

fn server_of(path: &Path) -> ServerId {
    let name = path.file_name().unwrap().to_string_lossy();
    [ServerId::Redis70, ServerId::Valkey81]
        .into_iter()
        .find(|id| name.starts_with(id.as_str()))
        .unwrap_or_else(|| panic!("corpus file {name} must start with a server id"))
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
            (n.ends_with(".jsonl") || n.ends_with(".jsonl.gz")) && !n.contains("-files.") && !n.contains("-conf.")
        })
        .collect();
    files.sort();
    files
}

#[test]
fn recorded_cases_replay_exactly() {
    let files = corpus_files();
    let mut total = 0;
    let mut report = String::new();
    let mut failed = 0;
    for path in &files {
        let id = server_of(path);
        let profile = Profile::by_id(id.as_str()).unwrap();
        for line in read(path).lines().filter(|l| !l.trim().is_empty()) {
            let expected: Value = serde_json::from_str(line).unwrap();
            let input: CaseInput = serde_json::from_value(expected.clone()).unwrap();
            let got = serde_json::to_value(run_case(&input, profile)).unwrap();
            let diffs = compare_values(id, &expected, &got);
            if !diffs.is_empty() {
                failed += 1;
                if failed <= 30 {
                    report.push_str(&describe(&format!("{} {}", path.display(), input.id), &diffs));
                }
            }
            total += 1;
        }
    }
    eprintln!("{total} cases from {} files, {failed} with differences", files.len());
    assert!(total > 0, "no recorded cases found in tests/corpus");
    assert!(failed == 0, "{failed} cases differ from the recorded server answers:\n{report}");
}
