//! Seeded randomized differential tests against the live servers: fresh realistic and
//! nasty cases each run, the server's answers recorded, the engine's compared field by
//! field. A failure prints the seed; `ACLPLAY_SEED=<seed>` replays it.
//!
//! One test per kind of check and server version of the registry (`cases::redis-8.0`,
//! …): filter them as usual (`cargo test --test differential -- valkey-9.1`). Each needs
//! that version's oracle (`scripts/install-oracles.sh`) and skips with a notice when it is
//! missing, unless `CI` or `ACLPLAY_REQUIRE_ORACLES` is set. `ACLPLAY_DIFF_CASES` (default
//! 5000) and `ACLPLAY_DIFF_FILES` (default 300) set the sizes. Key extraction is checked
//! against `COMMAND GETKEYSANDFLAGS`, which runs the same extraction the ACL checks use.
//! What a logged-in client is told (`client::<id>`) is recorded by logging in as the user.

mod common;

use aclplay::commands::profile::Profile;
use aclplay::corpus::{CaseInput, run_case};
use aclplay_oracle::compare::{compare_values, describe};
use aclplay_oracle::table::load_table;
use aclplay_oracle::{
    CaseRecorder, FileRecorder, Reply, Server, ServerId, ServerOptions, fresh_seed, generate_cases, generate_files,
};

fn size(var: &str, default: usize) -> usize {
    std::env::var(var).ok().and_then(|v| v.parse().ok()).unwrap_or(default)
}

fn cases(id: ServerId) {
    if aclplay_oracle::oracle_or_skip(id, "differential cases").is_none() {
        return;
    }
    let seed = fresh_seed();
    let profile = Profile::by_id(id.as_str()).expect("the engine has every registry version");
    let table = load_table(id).unwrap();
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
    let profile = Profile::by_id(id.as_str()).expect("the engine has every registry version");
    let table = load_table(id).unwrap();
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
    let profile = Profile::by_id(id.as_str()).expect("the engine has every registry version");
    let records = aclplay_oracle::files::record_confs(id, &aclplay_oracle::files::conf_scenarios()).unwrap();
    let mut diffs = Vec::new();
    for r in &records {
        diffs.extend(common::compare_conf(profile, &serde_json::to_value(r).unwrap()).unwrap_or_default());
    }
    assert!(diffs.is_empty(), "{}", diffs.join("\n"));
}

/// Keys found in a command line, each with its sorted flag names.
type Keys = Vec<(Vec<u8>, Vec<String>)>;

/// The engine's keys for a command line, as `COMMAND GETKEYSANDFLAGS` would answer:
/// `Ok(keys with sorted flag names)` or `Err(reason)`.
fn engine_keys(profile: &Profile, argv: &[&[u8]]) -> Result<Keys, &'static str> {
    let id = profile.lookup_argv(argv).ok_or("Invalid command specified")?;
    let c = profile.command(id);
    if !c.has_keys() {
        return Err("The command has no key arguments");
    }
    let argc = argv.len() as i32;
    if (c.arity > 0 && c.arity != argc) || argc < -c.arity {
        return Err("Invalid number of arguments specified for command");
    }
    let keys = c.keys_of(argv, profile.behavior.keynum_last);
    if keys.is_empty() && !c.has_flag(aclplay::commands::flag::NO_MANDATORY_KEYS) {
        return Err("Invalid arguments specified for command");
    }
    Ok(keys
        .iter()
        .map(|k| {
            let mut f: Vec<String> = k.flag_names().into_iter().map(String::from).collect();
            f.sort();
            (argv[k.pos].to_vec(), f)
        })
        .collect())
}

fn server_keys(r: &Reply) -> Result<Keys, String> {
    match r {
        Reply::Error(e) => Err(String::from_utf8_lossy(e).trim_start_matches("ERR ").to_string()),
        Reply::Array(Some(items)) => Ok(items
            .iter()
            .map(|pair| {
                let p = pair.as_array().expect("[key, flags]");
                let key = match &p[0] {
                    Reply::Bulk(Some(b)) => b.clone(),
                    other => panic!("key: {other:?}"),
                };
                let mut flags: Vec<String> =
                    p[1].as_array().unwrap_or_default().iter().filter_map(|f| f.text()).collect();
                flags.sort();
                (key, flags)
            })
            .collect()),
        other => panic!("unexpected reply {other:?}"),
    }
}

fn keys(id: ServerId) {
    if aclplay_oracle::oracle_or_skip(id, "differential keys").is_none() {
        return;
    }
    let seed = fresh_seed();
    let profile = Profile::by_id(id.as_str()).expect("the engine has every registry version");
    let table = load_table(id).unwrap();
    let lines: Vec<Vec<String>> = generate_cases(id, &table, seed, size("ACLPLAY_DIFF_CASES", 5000))
        .into_iter()
        .map(|c| c.command)
        .filter(|c| c.len() >= 2)
        .collect();
    let server = Server::start(id, ServerOptions::default()).unwrap();
    let mut conn = server.connect().unwrap();
    let cmds: Vec<Vec<&[u8]>> = lines
        .iter()
        .map(|l| {
            let mut v: Vec<&[u8]> = vec![b"COMMAND", b"GETKEYSANDFLAGS"];
            v.extend(l.iter().map(|a| a.as_bytes()));
            v
        })
        .collect();
    let replies = conn.pipeline(&cmds).unwrap();
    let mut diffs = Vec::new();
    for (line, reply) in lines.iter().zip(&replies) {
        let argv: Vec<&[u8]> = line.iter().map(|a| a.as_bytes()).collect();
        let want = server_keys(reply);
        let got = engine_keys(profile, &argv).map_err(String::from);
        // The server checks its own subcommand's arity first; those replies say nothing
        // about the command line.
        if want.as_ref().is_err_and(|e| e.contains("wrong number of arguments for 'command|")) {
            continue;
        }
        if want != got {
            diffs.push(format!("{line:?}: server {want:?}, engine {got:?}"));
        }
    }
    let with_keys = replies.iter().filter(|r| server_keys(r).is_ok_and(|k| !k.is_empty())).count();
    eprintln!("{id}: {} command lines ({with_keys} with keys; seed {seed}), {} differences", lines.len(), diffs.len());
    assert!(diffs.is_empty(), "replay with ACLPLAY_SEED={seed}:\n{}", diffs[..diffs.len().min(30)].join("\n"));
}

/// What a client logged in as the user is told (`verdicts::client`), recorded live by
/// `aclplay_oracle::client_view` (never running an allowed command) from fresh seeded
/// cases: `ACLPLAY_DIFF_CLIENT` (default 1000) of them per version.
fn client(id: ServerId) {
    use aclplay_oracle::client_view::{ClientRecorder, suitable};
    if aclplay_oracle::oracle_or_skip(id, "differential client views").is_none() {
        return;
    }
    let seed = fresh_seed();
    let profile = Profile::by_id(id.as_str()).expect("the engine has every registry version");
    let want = size("ACLPLAY_DIFF_CLIENT", 1000);
    let inputs = generate_cases(id, &load_table(id).unwrap(), seed, want * 4);
    let mut rec = ClientRecorder::new(id).unwrap();
    let mut records = Vec::new();
    for c in inputs.iter().filter(|c| suitable(c)) {
        if records.len() == want {
            break;
        }
        records.extend(rec.record(c).unwrap());
    }
    let refused = records.iter().filter(|r| r.run.is_some()).count();
    let (total, report, failed) = common::replay_client(profile, records);
    eprintln!("{id}: {total} client views ({refused} refused at top level; seed {seed}), {failed} differing");
    assert!(total >= want / 2, "only {total} client cases fit (seed {seed})");
    assert!(failed == 0, "replay with ACLPLAY_SEED={seed}:\n{report}");
}

fn main() {
    let kinds: [common::Check; 5] =
        [("keys", keys), ("cases", cases), ("files", files), ("configs", confs), ("client", client)];
    common::run_per_server(&kinds)
}
