//! How long `aclplay verify` takes against a server with 1,000 users, per server version
//! of the registry — and whether it agrees on all of them (the users are the benchmark
//! workload's: the oracle's generator, profiles and valid token soups).
//!
//! ```sh
//! cargo build --release --bin aclplay
//! cargo run --release --example verify_bench [-- --aclplay target/release/aclplay --runs 5 --users 1000]
//! ```
//!
//! For each version: a private server loaded with the users, then `aclplay verify` run
//! `--runs` times read-only (16 and 64 `ACL DRYRUN` samples per user) and once with
//! `--scratch`; the median wall time of each (the process as a whole: connecting, reading
//! the table, the engine's work and the server's). Read-only, the only differences may be
//! ACL LIST lines that do not read back (some generated users hold `%RW~*`, which the
//! servers list as `~*`); `--scratch` must then find every one of them to be the
//! server's own, and agree on everything (exit 0).

use aclplay::analysis::Status;
use aclplay::{Options, Profile, analyze};
use aclplay_oracle::table::load_table;
use aclplay_oracle::{Server, ServerId, ServerOptions, generate_workload, oracle_or_skip};
use std::process::Command;
use std::time::Instant;

const SEED: u64 = 7_000_015;

fn arg(name: &str, default: &str) -> String {
    let args: Vec<String> = std::env::args().collect();
    args.iter().position(|a| a == name).and_then(|i| args.get(i + 1).cloned()).unwrap_or_else(|| default.to_string())
}

/// `n` users of the workload the engine accepts, as an ACL file.
fn users(id: ServerId, n: usize) -> String {
    let profile = Profile::by_id(id.as_str()).expect("a profile per registry version");
    let table = load_table(id).expect("the committed table");
    let mut file = String::new();
    let mut kept = 0;
    for u in generate_workload(id, &table, SEED, n + n / 5, 0) {
        if kept == n {
            break;
        }
        let line = format!("user {} {}", u.name, u.rules.join(" "));
        let a = analyze(&line, &Options::new(profile));
        if a.users.first().is_some_and(|r| r.status == Status::Accepted) && !a.has_errors() {
            file.push_str(&line);
            file.push('\n');
            kept += 1;
        }
    }
    file
}

fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(f64::total_cmp);
    v[v.len() / 2]
}

fn main() {
    let aclplay = arg("--aclplay", "target/release/aclplay");
    let runs: usize = arg("--runs", "5").parse().expect("--runs N");
    let n: usize = arg("--users", "1000").parse().expect("--users N");
    for id in ServerId::all() {
        if oracle_or_skip(id, "verify_bench").is_none() {
            continue;
        }
        let file = users(id, n);
        let server = Server::start(id, ServerOptions { acl_file: Some(file), ..Default::default() }).expect("server");
        let url = format!("redis://127.0.0.1:{}", server.port());
        let time = |extra: &[&str], runs: usize| {
            let mut times = Vec::new();
            let mut summary = String::new();
            for _ in 0..runs {
                let t = Instant::now();
                let out = Command::new(&aclplay)
                    .args(["--format", "json", "verify", &url, "--seed", "1"])
                    .args(extra)
                    .output()
                    .expect("aclplay runs");
                times.push(t.elapsed().as_secs_f64());
                let text = String::from_utf8_lossy(&out.stdout).into_owned();
                let fail = || format!("{id} {extra:?}:\n{text}\n{}", String::from_utf8_lossy(&out.stderr));
                let v: serde_json::Value = serde_json::from_str(&text).unwrap_or_else(|e| panic!("{e}: {}", fail()));
                summary = v["summary"].as_str().unwrap_or("").to_string();
                let only_lists =
                    v["differences"].as_array().is_some_and(|d| d.iter().all(|d| d["subject"]["what"] == "acl-list"));
                let ok = match out.status.code() {
                    Some(0) => true,
                    Some(1) => only_lists && !extra.contains(&"--scratch"),
                    _ => false,
                };
                assert!(ok, "{}", fail());
            }
            (median(times), summary)
        };
        for (what, extra, k) in [
            ("read-only, 16 samples per user", &[][..], runs),
            ("read-only, 64 samples per user", &["--samples", "64"][..], runs),
            ("--scratch (and read-only, 16 samples)", &["--scratch"][..], 1),
        ] {
            let (t, summary) = time(extra, k);
            println!("{id}, {n} users, {what}: {t:.3} s (median of {k}) — {summary}");
        }
    }
}
