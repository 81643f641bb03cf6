//! `aclplay draft`: least privilege from traffic.
//!
//! - `tests/data/monitor-redis-7.0.txt` was recorded by us (`aclplay-record monitor
//!   --server redis-7.0`): `redis-cli MONITOR > file` with the version's own redis-cli
//!   (7.0.15, Debian's redis-tools) while a mixed workload ran from six connections
//!   (strings, hashes, lists, streams with a consumer group, pub/sub, scripts, MULTI/EXEC,
//!   blocking pops, binary keys). The draft from it, loaded into the live server
//!   (start-up with it as the ACL file), allows every command of the capture as the
//!   drafted user (`ACL DRYRUN` on the live server) and gives nobody a command of the
//!   server's own `ACL CAT dangerous`.
//! - `tests/data/acl-log-redis-7.0-{raw,resp2,resp3}.txt` (`aclplay-record acl-log`): the
//!   three renderings read alike; each denial's smallest change, applied, lifts that
//!   denial on the live server.
//! - Bad input through the real binary: line:column errors, `--skip-invalid`.

mod support;

use aclplay::review::draft::{Attribution, DraftOptions, Drafter};
use aclplay::review::traffic::{acl_log, monitor_line};
use aclplay::{Profile, analyze};
use aclplay_oracle::{Server, ServerId, ServerOptions, oracle_or_skip};
use support::{Dir, run_in};

const CAPTURE: &str = "monitor-redis-7.0.txt";

fn data() -> std::path::PathBuf {
    std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data")
}

fn capture() -> Vec<u8> {
    std::fs::read(data().join(CAPTURE)).unwrap()
}

fn redis70() -> &'static Profile {
    Profile::by_id("redis-7.0").unwrap()
}

#[test]
fn the_capture_drafts_and_proves() {
    let o = run_in(&data(), &["--server", "redis-7.0", "draft", CAPTURE], None);
    assert_eq!(o.code, 0, "{}", o.stderr);
    insta::assert_snapshot!("draft-acl-file", o.stdout);
    insta::assert_snapshot!("draft-report", o.stderr);
    let mut users: Vec<&str> = o.stdout.lines().map(|l| l.split(' ').nth(1).unwrap()).collect();
    users.sort();
    assert_eq!(users, ["default", "listener", "notifier", "reporter", "urgent", "web", "worker"]);
    assert!(o.stderr.contains("observed commands replay as allowed through the engine; the file loads as it is"));
    let j = run_in(&data(), &["--server", "redis-7.0", "--format", "json", "draft", CAPTURE], None).json();
    assert_eq!(j["acl_file"].as_str(), Some(o.stdout.as_str()));
    assert_eq!(j["proof"]["refused_count"], 0);
    assert!(j["proof"]["replayed"].as_u64().unwrap() > 500);
    insta::assert_json_snapshot!("draft-json", j);
    // Keys are split by the rights their commands need.
    let rules = |u: &str| -> Vec<String> {
        let l = o.stdout.lines().find(|l| l.starts_with(&format!("user {u} "))).unwrap();
        l.split(' ').map(String::from).collect()
    };
    assert!(rules("web").contains(&"~web:session:*".to_string()), "{:?}", rules("web"));
    assert!(rules("listener").contains(&"&alerts.*".to_string()) && rules("listener").contains(&"&news.sports".into()));
    assert!(rules("reporter").contains(&"+evalsha".to_string()) && rules("reporter").contains(&"+hset".into()));
    // Options: exact keys, a mapping, a password from the environment (never printed).
    let o = std::process::Command::new(env!("CARGO_BIN_EXE_aclplay"))
        .current_dir(data())
        .args(["draft", CAPTURE, "--exact-keys", "--map", "web=frontend", "--password-from-env", "APW"])
        .env("APW", "s3cret-from-env")
        .output()
        .unwrap();
    let out = String::from_utf8(o.stdout).unwrap();
    assert!(out.contains("user frontend on #") && !out.contains("s3cret") && !out.contains("REPLACE-THIS"), "{out}");
    assert!(out.contains(" ~web:session:1 ") && !out.contains("web:session:*"), "{out}");
}

#[test]
fn key_options_and_the_default_user() {
    let run = |extra: &[&str]| {
        let mut a = vec!["draft", CAPTURE];
        a.extend_from_slice(extra);
        run_in(&data(), &a, None)
    };
    let line = |out: &str, u: &str| out.lines().find(|l| l.starts_with(&format!("user {u} "))).unwrap().to_string();
    // One part kept: `jobs:*` for every key of the worker, `web:*` for the web user.
    let o = run(&["--key-depth", "1"]);
    assert!(line(&o.stdout, "web").contains(" ~web:* "), "{}", o.stdout);
    // A delimiter the keys do not have: every key stays exact.
    let o = run(&["--key-delimiter", "/"]);
    assert!(
        line(&o.stdout, "web").contains(" ~web:session:1 ") && !o.stdout.contains('*'.to_string().as_str())
            || o.stdout.contains("&alerts.*"),
        "{}",
        o.stdout
    );
    // A prefix needs 30 distinct keys: web:user:* (10 keys) stays exact, web:session:* (40) does not.
    let o = run(&["--min-keys", "30"]);
    let web = line(&o.stdout, "web");
    assert!(web.contains(" ~web:session:* ") && web.contains(" ~web:user:3 ") && !web.contains("web:user:*"), "{web}");
    let o = run(&["--keep-default"]);
    assert!(!o.stdout.contains("user default"), "{}", o.stdout);
    let o = run(&["--key-delimiter", "::"]);
    assert_eq!(o.code, 2);
}

#[test]
fn the_draft_allows_the_capture_on_the_live_server() {
    let id: ServerId = "redis-7.0".parse().unwrap();
    if oracle_or_skip(id, "draft live").is_none() {
        return;
    }
    let text = capture();
    let mut d = Drafter::new(redis70(), DraftOptions::default());
    let lines: Vec<&[u8]> = text.split(|&b| b == b'\n').filter(|l| !l.is_empty()).collect();
    for (i, l) in lines.iter().enumerate() {
        if let Some(m) = monitor_line(l).unwrap() {
            d.add(i + 1, m);
        }
    }
    let draft = d.finish();
    let file = draft.acl_file();
    let admin = "user aclplay-draft on >aclplay-draft-admin ~* &* +@all\n";
    let server = Server::start(id, ServerOptions { acl_file: Some(format!("{file}{admin}")), ..Default::default() })
        .unwrap_or_else(|e| panic!("the server refuses the draft:\n{file}\n{e}"));
    let mut c = server.connect().unwrap();
    assert!(c.auth("aclplay-draft", "aclplay-draft-admin").unwrap().is_ok());
    // Every line, as its drafted user.
    let mut asks: Vec<Vec<Vec<u8>>> = Vec::new();
    let mut att = Attribution::default();
    for (i, l) in lines.iter().enumerate() {
        if let Some(m) = monitor_line(l).unwrap() {
            att.feed(i + 1, m, &mut |_, addr, argv| {
                let mut cmd = vec![b"ACL".to_vec(), b"DRYRUN".to_vec(), draft.user_of(addr).into_bytes()];
                cmd.extend(argv.iter().cloned());
                asks.push(cmd);
            });
        }
    }
    assert_eq!(att.unclaimed(), 0, "every script line belongs to an EVAL");
    let replies = c.pipeline(&asks).unwrap();
    let denied: Vec<String> = asks
        .iter()
        .zip(&replies)
        .filter(|(_, r)| !r.is_ok())
        .map(|(a, r)| format!("{:?}: {r}", a.iter().map(|x| String::from_utf8_lossy(x)).collect::<Vec<_>>()))
        .collect();
    assert!(asks.len() > 500, "{} lines", asks.len());
    assert!(denied.is_empty(), "{} of {} denied live:\n{}", denied.len(), asks.len(), denied.join("\n"));
    // No drafted user may run a command of the server's own @dangerous.
    let cat = c.command(&["ACL", "CAT", "dangerous"]).unwrap();
    let dangerous: Vec<String> = cat.as_array().unwrap().iter().filter_map(|r| r.text()).collect();
    for u in &draft.users {
        for r in draft.rules(u) {
            let name = r.trim_start_matches('+');
            assert!(!r.starts_with('+') || !dangerous.iter().any(|d| d == name), "{} has {r}", u.name);
        }
    }
}

#[test]
fn acl_log_forms_read_alike_and_fixes_lift_denials() {
    let read = |f: &str| std::fs::read(data().join(format!("acl-log-redis-7.0-{f}.txt"))).unwrap();
    let (raw, resp2, resp3) =
        (acl_log(&read("raw")).unwrap(), acl_log(&read("resp2")).unwrap(), acl_log(&read("resp3")).unwrap());
    let key = |e: &aclplay::review::traffic::LogEntry| {
        ["reason", "object", "username", "context"].map(|k| e.get(k).map(|v| v.text()).unwrap_or_default())
    };
    let k: Vec<_> = raw.1.iter().map(key).collect();
    assert_eq!(k, resp2.1.iter().map(key).collect::<Vec<_>>());
    assert_eq!(k, resp3.1.iter().map(key).collect::<Vec<_>>());
    assert_eq!(k.len(), aclplay_oracle::monitor::acl_log_denials().len());
    let rules = aclplay_oracle::monitor::ACL_LOG_RULES;
    let a = analyze(rules, &aclplay::Options::new(redis70()));
    let ds = aclplay::review::draft::denials(&raw.1, &a, rules);
    let o = run_in(
        &data(),
        &[
            "--server",
            "redis-7.0",
            "draft",
            "--acl-log",
            "acl-log-redis-7.0-raw.txt",
            "--rules",
            "acl-log-redis-7.0-rules.acl",
        ],
        None,
    );
    assert_eq!(o.code, 0, "{}", o.stderr);
    insta::assert_snapshot!("draft-acl-log", o.stdout);
    for f in ["resp2", "resp3"] {
        let file = format!("acl-log-redis-7.0-{f}.txt");
        let p = run_in(
            &data(),
            &["--server", "redis-7.0", "draft", "--acl-log", &file, "--rules", "acl-log-redis-7.0-rules.acl"],
            None,
        );
        // The same explanations (the entries' line numbers differ).
        let said = |t: &str| t.lines().filter(|l| l.starts_with("  ")).map(String::from).collect::<Vec<_>>();
        assert_eq!(said(&p.stdout), said(&o.stdout), "{f}");
    }
    assert!(
        ds.iter()
            .any(|d| d.fix.as_deref() == Some("+flushall")
                && d.warning.as_ref().is_some_and(|w| w.contains("@dangerous")))
    );
    assert!(ds.iter().any(|d| d.reason == "auth" && d.fix.is_none()));
    let id: ServerId = "redis-7.0".parse().unwrap();
    if oracle_or_skip(id, "acl log fixes").is_none() {
        return;
    }
    // Each fix, added to its user's line, lifts that denial (the server may then check
    // the next thing, e.g. a key).
    let admin = "user aclplay-fix on >aclplay-fix-admin ~* &* +@all\n";
    // The log lists the newest entry first.
    for (d, (user, _, argv)) in ds.iter().rev().zip(aclplay_oracle::monitor::acl_log_denials()) {
        let Some(fix) = &d.fix else { continue };
        let fixed: String = rules
            .lines()
            .map(|l| if l.starts_with(&format!("user {user} ")) { format!("{l} {fix}\n") } else { format!("{l}\n") })
            .collect();
        let server =
            Server::start(id, ServerOptions { acl_file: Some(format!("{fixed}{admin}")), ..Default::default() })
                .unwrap();
        let mut c = server.connect().unwrap();
        assert!(c.auth("aclplay-fix", "aclplay-fix-admin").unwrap().is_ok());
        let mut cmd = vec!["ACL", "DRYRUN", user];
        cmd.extend(argv.iter());
        let reply = c.command(&cmd).unwrap().text().unwrap_or_default();
        let same = match d.reason.as_str() {
            "command" => reply.contains("permissions to run"),
            "key" => reply.contains(&format!("access the '{}' key", d.object)),
            "channel" => reply.contains("channel"),
            _ => false,
        };
        assert!(!same, "{user} {argv:?} with `{fix}`: still {reply}");
    }
}

#[test]
fn bad_input_is_an_error_at_its_line_and_column() {
    let d = Dir::new("draft-bad");
    let good = "OK\n1.000001 [0 127.0.0.1:1] \"GET\" \"a:1\"\n";
    d.file("cut.txt", format!("{good}1.000002 [0 127.0.0.1:1] \"SET\" \"a:2\" \"val\n"));
    let o = d.run(&["draft", "cut.txt"], None);
    assert_eq!(o.code, 3);
    assert!(
        o.stderr.contains("cut.txt:3:38: the argument has no closing quote (the line is cut short)"),
        "{}",
        o.stderr
    );
    d.file("bin.txt", b"OK\n1.1 [0 x] \"GET\" \"a\xff\"\n");
    let o = d.run(&["draft", "bin.txt"], None);
    assert_eq!(o.code, 3);
    assert!(o.stderr.contains("bin.txt:2:19: byte 0xff cannot be in a MONITOR line"), "{}", o.stderr);
    d.file("acl.txt", "user app on >x ~app:* +get\n");
    let o = d.run(&["draft", "acl.txt"], None);
    assert!(o.code == 3 && o.stderr.contains("acl.txt:1:1: expected a MONITOR line"), "{}", o.stderr);
    let o = d.run(&["draft", "cut.txt", "--skip-invalid"], None);
    assert_eq!(o.code, 0, "{}", o.stderr);
    assert!(o.stderr.contains("cut.txt:3:38") && o.stderr.contains("(1 invalid line(s) skipped)"), "{}", o.stderr);
    assert!(
        o.stdout.contains("user client-1 on >REPLACE-THIS-PLACEHOLDER-PASSWORD resetchannels %R~a:1 +get"),
        "{}",
        o.stdout
    );
    let o = d.run(&["draft", "--acl-log", "acl.txt", "--rules", "acl.txt"], None);
    assert!(o.code == 3 && o.stderr.contains("acl.txt:1:1: expected an `ACL LOG` reply"), "{}", o.stderr);
    let o = d.run(&["draft", "--acl-log", "acl.txt"], None);
    assert_eq!(o.code, 2);
}
