//! Tests against the real servers. Each test skips (with a notice) when its
//! oracle binary is missing, unless `CI` or `ACLPLAY_REQUIRE_ORACLES` is set.
//! The library keeps at most two servers alive per process.

use std::path::{Path, PathBuf};
use std::time::Duration;

use aclplay_oracle::compare::{compare_records, describe};
use aclplay_oracle::files::{ConfInput, FileInput, FileRecorder, record_conf};
use aclplay_oracle::record::{CaseInput, CaseRecord, CaseRecorder, read_jsonl};
use aclplay_oracle::server::{RestartOutcome, strip_log_prefix};
use aclplay_oracle::table::{CommandTable, diff_tables, load_table, record_table};
use aclplay_oracle::{Reply, Server, ServerId, ServerOptions, Startup, generate_cases, oracle_or_skip};
use serde_json::Value;

fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures").join(name)
}

fn process_exists(pid: u32) -> bool {
    // A reaped process has no /proc entry; a zombie would show state Z.
    match std::fs::read_to_string(format!("/proc/{pid}/stat")) {
        Ok(s) => !s.contains(") Z "),
        Err(_) => false,
    }
}

fn case(user: &str, args: &[&str], command: &[&str]) -> CaseInput {
    CaseInput {
        id: format!("t-{user}"),
        tags: "test".into(),
        source: None,
        user: user.into(),
        setuser_args: Some(args.iter().map(|s| s.to_string()).collect()),
        pre: None,
        server_config: None,
        db: None,
        command: command.iter().map(|s| s.to_string()).collect(),
    }
}

#[test]
fn start_ping_stop() {
    for id in ServerId::all() {
        if oracle_or_skip(id, "start_ping_stop").is_none() {
            continue;
        }
        let server = Server::start(id, ServerOptions::default()).unwrap();
        let pid = server.pid().expect("running");
        assert!(process_exists(pid), "{id}: pid {pid} not running");
        let mut c = server.connect().unwrap();
        assert_eq!(c.command(&["PING"]).unwrap(), Reply::Simple(b"PONG".to_vec()));
        // Binary-safe arguments and bulk replies round-trip.
        assert_eq!(c.command(&[b"ECHO".as_slice(), b"a\0b\r\n"]).unwrap(), Reply::Bulk(Some(b"a\0b\r\n".to_vec())));
        // Pipelining: many commands, one write, replies in order.
        let cmds: Vec<Vec<String>> = (0..50).map(|i| vec!["ECHO".into(), i.to_string()]).collect();
        let replies = c.pipeline(&cmds).unwrap();
        assert_eq!(replies.len(), 50);
        assert_eq!(replies[49], Reply::Bulk(Some(b"49".to_vec())));
        // Version: INFO says what the binary check said.
        let info = c.command(&["INFO", "server"]).unwrap().text().unwrap();
        assert!(info.contains(id.expected_version()), "{id}: {info}");
        drop(server);
        assert!(!process_exists(pid), "{id}: pid {pid} survived the drop");
    }
}

#[test]
fn tables_are_current() {
    for id in ServerId::all() {
        if oracle_or_skip(id, "tables_are_current").is_none() {
            continue;
        }
        let server = Server::start(id, ServerOptions::default()).unwrap();
        let fresh = record_table(&server).unwrap().render();
        let path = aclplay_oracle::server::table_path(id).unwrap();
        let committed = std::fs::read_to_string(&path).unwrap();
        let diffs = diff_tables(&committed, &fresh);
        assert!(
            diffs.is_empty(),
            "{} is stale; run `cargo run -p aclplay-oracle --bin aclplay-record -- tables --server {id}`:\n{}",
            path.display(),
            diffs.join("\n")
        );
        let t = CommandTable::parse(&committed).unwrap();
        assert_eq!(t.version, id.expected_version());
        assert_eq!(t.server, id.server_name());
    }
}

#[test]
fn known_cases_reproduce() {
    for id in ServerId::all() {
        if oracle_or_skip(id, "known_cases_reproduce").is_none() {
            continue;
        }
        let path = fixture(&format!("cases-{id}.jsonl"));
        let expected: Vec<CaseRecord> = read_jsonl(&path).unwrap();
        let inputs: Vec<CaseInput> = read_jsonl(&path).unwrap();
        assert_eq!(expected.len(), 20);
        let got = CaseRecorder::new(id).unwrap().record_all(&inputs).unwrap();
        let mut report = String::new();
        for (e, g) in expected.iter().zip(&got) {
            report.push_str(&describe(&e.id, &compare_records(id, e, g)));
            // The order of the raw 7.0 line is hash-seeded; everything else
            // must be byte-identical to the corpus line.
            let mut g2 = g.clone();
            g2.acl_list = e.acl_list.clone();
            let line = std::fs::read_to_string(&path)
                .unwrap()
                .lines()
                .find(|l| l.contains(&format!("\"id\": \"{}\"", e.id)))
                .unwrap()
                .to_string();
            let ev: Value = serde_json::from_str(&line).unwrap();
            let mut gv: Value = serde_json::from_str(&g2.to_line()).unwrap();
            if let Some(src) = ev.get("source") {
                gv["source"] = src.clone();
            }
            assert_eq!(ev, gv, "{id} {}: record differs from the corpus line", e.id);
        }
        assert!(report.is_empty(), "{id}:\n{report}");
    }
}

#[test]
fn known_files_reproduce() {
    for id in ServerId::all() {
        if oracle_or_skip(id, "known_files_reproduce").is_none() {
            continue;
        }
        let lines: Vec<Value> = read_jsonl(&fixture(&format!("files-{id}.jsonl"))).unwrap();
        let mut rec = FileRecorder::new(id).unwrap();
        for e in lines {
            let input = FileInput {
                id: e["id"].as_str().unwrap().into(),
                tags: String::new(),
                preload: e["preload"].as_str().map(str::to_string),
                file: e["file"].as_str().unwrap().into(),
                startup: true,
            };
            let g = serde_json::to_value(rec.record(&input).unwrap()).unwrap();
            for k in ["aclload", "aclload_crash", "users_after", "startup", "startup_users", "startup_log"] {
                let ev = match e.get(k).cloned().unwrap_or(Value::Null) {
                    // Records leave out a false crash flag.
                    Value::Null if k == "aclload_crash" => Value::Bool(false),
                    v => v,
                };
                let gv = match g.get(k).cloned().unwrap_or(Value::Null) {
                    Value::Null if k == "aclload_crash" => Value::Bool(false),
                    v if k == "startup_log" && ev.is_null() => {
                        let _ = v;
                        Value::Null
                    }
                    v => v,
                };
                assert_eq!(ev, gv, "{id} {}: field {k}", input.id);
            }
        }
    }
}

#[test]
fn crash_detection_and_restart() {
    for id in ServerId::all() {
        if oracle_or_skip(id, "crash_detection_and_restart").is_none() {
            continue;
        }
        // Raw: ACL LOAD of an unmatched `(` after a rule segfaults.
        let mut server = Server::start(id, ServerOptions::default()).unwrap();
        let old_pid = server.pid().unwrap();
        server.write_acl_file("user a on (~x +get\n").unwrap();
        let mut c = server.connect().unwrap();
        let err = c.command(&["ACL", "LOAD"]).unwrap_err();
        assert!(err.is_connection_lost(), "{id}: {err}");
        let status = server.wait_exit(Duration::from_secs(15)).expect("server exited");
        use std::os::unix::process::ExitStatusExt;
        assert_eq!(status.signal(), Some(11), "{id}: {status}");
        let crash_log = aclplay_oracle::server::crash_lines(&server.raw_log());
        assert!(crash_log.iter().any(|l| l.contains("crashed by signal: 11")), "{id}: {crash_log:?}");
        server.restart().unwrap();
        assert_ne!(server.pid(), Some(old_pid));
        let mut c = server.connect().unwrap();
        assert_eq!(c.command(&["PING"]).unwrap(), Reply::Simple(b"PONG".to_vec()));
        drop(server);

        // Through the recorder: the crash is recorded and the next case is fine.
        let mut rec = CaseRecorder::new(id).unwrap();
        let cases =
            vec![case("a", &["on", "(~x", "+get"], &["GET", "x"]), case("b", &["on", "~x", "+get"], &["GET", "x"])];
        let r = rec.record_all(&cases).unwrap();
        assert!(r[0].aclload_crash, "{id}: {}", r[0].to_line());
        assert_eq!(r[0].aclload, Some(None));
        assert_eq!(r[0].setuser.as_deref(), Some("ERR Unmatched parenthesis in acl selector starting at '(~x'."));
        assert_eq!(r[1].aclload, Some(Some("OK".into())));
        assert_eq!(r[1].dryrun.as_deref(), Some("OK"));
        assert_eq!(rec.stats().aclload_crashes, 1);
        assert_eq!(rec.stats().restarts, 1);
        // Startup with that file crashes too.
        let startup =
            Server::launch(id, ServerOptions { acl_file: Some("user a on (~x +get\n".into()), ..Default::default() })
                .unwrap();
        match startup {
            Startup::Crashed { signal, output } => {
                assert_eq!(signal, 11);
                assert!(output.iter().any(|l| l.contains("crashed by signal")), "{output:?}");
            }
            other => panic!("{id}: expected a startup crash, got {other:?}"),
        }
        assert!(matches!(
            rec.server().restart_with_acl_file("user a on (~x +get\n").unwrap(),
            RestartOutcome::Crashed { signal: 11, .. }
        ));
        assert!(matches!(rec.server().restart_with_acl_file("").unwrap(), RestartOutcome::Ok));
    }
}

/// The flags a new user lists with, from the registry.
fn new_user_flags(id: ServerId, on: &str) -> String {
    let b = id.behavior();
    if b.new_user_sanitize_payload && b.describe_user_sanitize_flags {
        format!("{on} sanitize-payload")
    } else {
        on.to_string()
    }
}

#[test]
fn list_crash_is_recorded() {
    // Every version whose ACL LIST asserts on first-arg rules with whitespace.
    for id in ServerId::all().filter(|id| id.behavior().firstarg_whitespace_crashes_list) {
        if oracle_or_skip(id, "list_crash_is_recorded").is_some() {
            list_crash_of(id);
        }
    }
}

fn list_crash_of(id: ServerId) {
    let mut rec = CaseRecorder::new(id).unwrap();
    let cases = vec![
        case("d", &["on", "+select|\"x", "~*"], &["SELECT", "\"x"]),
        case("e", &["on", "+select|0 1"], &["SELECT", "0 1"]),
        case("f", &["on", "+get", "~*"], &["GET", "k"]),
    ];
    let r = rec.record_all(&cases).unwrap();
    for x in &r[..2] {
        assert!(x.list_crash, "{}", x.to_line());
        assert_eq!(x.setuser.as_deref(), Some("OK"));
        assert_eq!(x.acl_list, None);
        assert_eq!(x.getuser, None);
        assert_eq!(x.dryrun.as_deref(), Some("OK"));
    }
    // ACL LOAD of the file line works (the crash is only in LIST/GETUSER).
    assert_eq!(r[0].aclload, Some(Some("OK".into())));
    assert!(!r[2].list_crash);
    let flags = new_user_flags(id, "on");
    assert_eq!(r[2].acl_list.as_deref(), Some(format!("user f {flags} ~* resetchannels -@all +get").as_str()));
    assert_eq!(rec.stats().list_crashes, 2);
    // Valkey 8.0's bare `%`: accepted, and listing the user aborts the server.
    if id.behavior().set_selector_bare_percent {
        let r = rec.record(&case("g", &["on", "%"], &["GET", "k"])).unwrap();
        assert!(r.list_crash && r.setuser.as_deref() == Some("OK"), "{id}: {}", r.to_line());
    }
}

/// Database rules: where the registry says a version has them, GETUSER has `databases`
/// and DRYRUN checks the database the asking connection selected; elsewhere the rules
/// are a syntax error.
#[test]
fn database_rules_follow_the_registry() {
    for id in ServerId::all() {
        if oracle_or_skip(id, "database_rules_follow_the_registry").is_none() {
            continue;
        }
        let mut rec = CaseRecorder::new(id).unwrap();
        let mut c = case("dbu", &["on", "nopass", "~*", "+@all", "db=0,2"], &["GET", "k"]);
        c.db = Some(1);
        let r = rec.record(&c).unwrap();
        if id.behavior().set_selector_database_rules {
            assert_eq!(r.setuser.as_deref(), Some("OK"), "{id}");
            assert_eq!(r.dryrun.as_deref(), Some("User dbu has no permissions to access database GET"), "{id}");
            assert_eq!(r.getuser.as_ref().and_then(|g| g.databases.as_deref()), Some("db=0,2"), "{id}");
            let flags = new_user_flags(id, "on nopass");
            assert_eq!(r.acl_list.as_deref(), Some(format!("user dbu {flags} ~* resetchannels db=0,2 +@all").as_str()));
            // In database 0 (the default) it is allowed.
            c.db = None;
            assert_eq!(rec.record(&c).unwrap().dryrun.as_deref(), Some("OK"), "{id}");
        } else {
            assert_eq!(
                r.setuser.as_deref(),
                Some("ERR Error in ACL SETUSER modifier 'db=0,2': Syntax error"),
                "{id}: {}",
                r.to_line()
            );
            assert_eq!(r.getuser, None, "{id}");
        }
    }
}

#[test]
fn config_startup_outcomes() {
    for id in ServerId::all() {
        if oracle_or_skip(id, "config_startup_outcomes").is_none() {
            continue;
        }
        let h = "port 7779\nbind 127.0.0.1\nsave \"\"\nappendonly no\ndir <workdir>\nlogfile \"\"\n";
        let r = record_conf(
            id,
            &ConfInput { id: "rp".into(), note: None, conf: format!("{h}requirepass secret\n"), acl_file: None },
        )
        .unwrap();
        assert_eq!(r.startup, "ok");
        assert_eq!(r.unauthenticated_probe.unwrap()["PING"], "NOAUTH Authentication required.");
        let users = r.users.unwrap();
        assert_eq!(users.len(), 1, "{users:?}");
        // requirepass = resetpass + >secret on default.
        let flags = new_user_flags(id, "on");
        assert_eq!(
            users[0],
            format!(
                "user default {flags} #2bb80d537b1da3e38bd30361aa855686bde0eacd7162fef6a25fe97bf527a25b ~* &* +@all"
            )
        );

        let r = record_conf(
            id,
            &ConfInput { id: "bad".into(), note: None, conf: format!("{h}user alice on badrule\n"), acl_file: None },
        )
        .unwrap();
        assert_eq!(r.startup, "exit");
        let what = &id.entry().texts.fatal_banner;
        assert_eq!(
            r.output.unwrap(),
            [
                format!("*** FATAL CONFIG FILE ERROR ({what}) ***"),
                "Reading the configuration file, at line 7".into(),
                ">>> 'user alice on badrule'".into(),
                "Error in user declaration 'alice': Syntax error".into(),
            ]
        );

        let r = record_conf(
            id,
            &ConfInput { id: "late".into(), note: None, conf: format!("{h}user alice on +nosuch\n"), acl_file: None },
        )
        .unwrap();
        assert_eq!(r.startup, "exit");
        let out = r.output.unwrap();
        assert!(
            out.contains(
                &"Error loading ACL rule '+nosuch' for the user named 'alice': Unknown command or category name in ACL"
                    .to_string()
            ),
            "{out:?}"
        );
        assert!(out.iter().all(|l| strip_log_prefix(l) == *l));
    }
}

#[test]
fn generated_cases_record_with_a_sane_mix() {
    for id in ServerId::all() {
        if oracle_or_skip(id, "generated_cases_record_with_a_sane_mix").is_none() {
            continue;
        }
        let table = load_table(id).unwrap();
        let cases = generate_cases(id, &table, 20260101, 400);
        assert_eq!(cases, generate_cases(id, &table, 20260101, 400));
        let got = CaseRecorder::new(id).unwrap().record_all(&cases).unwrap();
        let n = |k: &str| got.iter().filter(|r| r.dryrun_kind.as_deref() == Some(k)).count();
        let (ok, denied, error) = (n("ok"), n("denied"), n("error"));
        assert_eq!(ok + denied + error, 400);
        assert!(ok > 80 && denied > 80 && error > 20 && error < 120, "{id}: ok {ok} denied {denied} error {error}");
        // Records keep the inputs.
        for (c, r) in cases.iter().zip(&got) {
            assert_eq!(c.id, r.id);
            assert_eq!(c.command, r.command);
        }
    }
}
