//! Replays recorded server answers (tests/corpus/<server>-*.jsonl[.gz], recorded by
//! `aclplay-record cases`) through the engine: every field must be identical (Redis 7.0's
//! hash-ordered command tokens compared as a set). `ACLPLAY_EXTRA_CORPUS=<dirs>` adds
//! the JSONL files of other directories.

mod common;

use aclplay::commands::profile::Profile;
use aclplay::corpus::{CaseInput, run_case};
use aclplay_oracle::ServerId;
use aclplay_oracle::compare::{compare_values, describe};
use serde_json::Value;
use std::path::Path;

fn server_of(path: &Path) -> ServerId {
    let name = path.file_name().unwrap().to_string_lossy();
    ServerId::all()
        .find(|id| name.starts_with(&format!("{id}-")))
        .unwrap_or_else(|| panic!("corpus file {name} must start with a server id"))
}

#[test]
fn recorded_cases_replay_exactly() {
    let files = common::corpus_files(|n| {
        (n.ends_with(".jsonl") || n.ends_with(".jsonl.gz"))
            && !n.contains("-files.")
            && !n.contains("-conf.")
            && !n.contains("-client.")
            && !n.contains(".sample.")
    });
    let mut total = 0;
    let mut report = String::new();
    let mut failed = 0;
    for path in &files {
        let id = server_of(path);
        let profile = Profile::by_id(id.as_str()).unwrap();
        for line in common::read(path).lines().filter(|l| !l.trim().is_empty()) {
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

/// What a client logged in as the user is told (`tests/corpus/<id>-client.jsonl.gz`,
/// recorded by `aclplay-record client`), replayed through `verdicts::client`: every field
/// identical, and every version of the registry has its corpus.
#[test]
fn recorded_client_views_replay_exactly() {
    let files = common::corpus_files(|n| n.ends_with("-client.jsonl.gz"));
    for id in ServerId::all() {
        assert!(
            files.iter().any(|f| server_of(f) == id),
            "no tests/corpus/{id}-client.jsonl.gz: record it with `aclplay-record client --server {id}`"
        );
    }
    let (mut total, mut failed, mut report) = (0, 0, String::new());
    for path in &files {
        let id = server_of(path);
        let profile = Profile::by_id(id.as_str()).unwrap();
        let records = common::read(path)
            .lines()
            .filter(|l| !l.trim().is_empty())
            .map(|l| serde_json::from_str(l).unwrap())
            .collect::<Vec<_>>();
        let (n, r, f) = common::replay_client(profile, records);
        assert!(n >= 500, "{}: {n} cases, fewer than 500", path.display());
        total += n;
        failed += f;
        report.push_str(&r);
    }
    eprintln!("{total} client cases from {} files, {failed} with differences", files.len());
    assert!(failed == 0, "{failed} client cases differ from the recorded server answers:\n{report}");
}

#[test]
fn every_compressed_corpus_has_its_readable_sample() {
    let files = common::corpus_files(|n| n.ends_with(".jsonl.gz"));
    assert!(!files.is_empty());
    for gz in files.iter().filter(|p| p.starts_with(env!("CARGO_MANIFEST_DIR"))) {
        let name = gz.file_name().unwrap().to_string_lossy();
        let sample = gz.with_file_name(name.replace(".jsonl.gz", ".sample.jsonl"));
        let want = std::fs::read_to_string(&sample)
            .unwrap_or_else(|e| panic!("{}: {e} (run scripts/corpus-samples.sh)", sample.display()));
        let lines: Vec<&str> = want.lines().collect();
        assert!(!lines.is_empty(), "{} is empty", sample.display());
        let full = common::read(gz);
        let head: Vec<&str> = full.lines().take(lines.len()).collect();
        assert_eq!(head, lines, "{} is not the start of {name} (run scripts/corpus-samples.sh)", sample.display());
    }
}
