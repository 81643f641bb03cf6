//! Seeded randomized differential tests against the live servers: fresh realistic and
//! nasty cases each run, the server's answers recorded, the engine's compared field by
//! field. A failure prints the seed; `ACLPLAY_SEED=<seed>` replays it.
//!
//! Needs redis-server 7.0.15 and valkey-server 8.1.8 (`scripts/install-oracles.sh`); the
//! tests skip with a notice when one is missing, unless `CI` or `ACLPLAY_REQUIRE_ORACLES`
//! is set. `ACLPLAY_DIFF_CASES` (default 5000) and `ACLPLAY_DIFF_FILES` (default 300)
//! set the sizes.

mod common;

use aclplay::batch::{CaseInput, run_case};
use aclplay::profile::Profile;
use aclplay_oracle::compare::{compare_values, describe};
use aclplay_oracle::{CaseRecorder, CommandTable, FileRecorder, ServerId, fresh_seed, generate_cases, generate_files};

fn size(var: &str, default: usize) -> usize {
    std::env::var(var).ok().and_then(|v| v.parse().ok()).unwrap_or(default)
}

fn cases(id: ServerId) {
    if aclplay_oracle::oracle_or_skip(id, "differential cases").is_none() {
        return;
    }
    let seed = fresh_seed();
    let profile = Profile::by_id(id.as_str()).unwrap();
    let table = CommandTable::load(id).unwrap();
    let inputs = generate_cases(id, &table, seed, size("ACLPLAY_DIFF_CASES", 5000));
    let mut rec = CaseRecorder::new(id).unwrap();
    let records = rec.record_all(&inputs).unwrap();
    let mut report = String::new();
    let mut failed = 0;
    for r in &records {
        let expected = serde_json::to_value(r).unwrap();
        let input: CaseInput = serde_json::from_value(expected.clone()).unwrap();
        let got = serde_json::to_value(run_case(&input, profile)).unwrap();
        let diffs = compare_values(id, &expected, &got);
        if !diffs.is_empty() {
            failed += 1;
            if failed <= 20 {
                report.push_str(&describe(&input.id, &diffs));
                report.push_str(&format!("  input: {}\n", serde_json::to_string(&input).unwrap()));
            }
        }
    }
    eprintln!("{id}: {} cases (seed {seed}), {failed} differ; {:?}", records.len(), rec.stats());
    assert!(records.len() == inputs.len());
    assert!(failed == 0, "{failed} of {} cases differ (replay with ACLPLAY_SEED={seed}):\n{report}", records.len());
}

fn files(id: ServerId) {
    if aclplay_oracle::oracle_or_skip(id, "differential files").is_none() {
        return;
    }
    let seed = fresh_seed();
    let profile = Profile::by_id(id.as_str()).unwrap();
    let table = CommandTable::load(id).unwrap();
    let inputs = generate_files(id, &table, seed, size("ACLPLAY_DIFF_FILES", 300));
    let mut rec = FileRecorder::new(id).unwrap();
    let mut diffs = Vec::new();
    for input in &inputs {
        let record = serde_json::to_value(rec.record(input).unwrap()).unwrap();
        diffs.extend(common::compare_file(profile, &record));
    }
    eprintln!("{id}: {} ACL files (seed {seed}), {} differences", inputs.len(), diffs.len());
    assert!(diffs.is_empty(), "replay with ACLPLAY_SEED={seed}:\n{}", diffs.join("\n"));
}

fn confs(id: ServerId) {
    if aclplay_oracle::oracle_or_skip(id, "differential configs").is_none() {
        return;
    }
    let profile = Profile::by_id(id.as_str()).unwrap();
    let records = aclplay_oracle::files::record_confs(id, &aclplay_oracle::files::conf_scenarios()).unwrap();
    let mut diffs = Vec::new();
    for r in &records {
        diffs.extend(common::compare_conf(profile, &serde_json::to_value(r).unwrap()).unwrap_or_default());
    }
    assert!(diffs.is_empty(), "{}", diffs.join("\n"));
}

#[test]
fn redis_7_0_random_cases() {
    cases(ServerId::Redis70);
}

#[test]
fn valkey_8_1_random_cases() {
    cases(ServerId::Valkey81);
}

#[test]
fn redis_7_0_random_acl_files() {
    files(ServerId::Redis70);
}

#[test]
fn valkey_8_1_random_acl_files() {
    files(ServerId::Valkey81);
}

#[test]
fn redis_7_0_configs() {
    confs(ServerId::Redis70);
}

#[test]
fn valkey_8_1_configs() {
    confs(ServerId::Valkey81);
}
