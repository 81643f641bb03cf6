//! The `aclplay` command line, through the real binary: every subcommand and flag, exit
//! codes (0 ok; 1 input errors, a denied command or findings at `--deny`; 2 usage; 3 an
//! unreadable or non-UTF-8 input), stdin as `-`, the answers that differ between
//! `--server redis-7.0` and `--server valkey-8.1`, and `--format json`.
//!
//! One-line cases are tables; longer output (rendered diagnostics, `list`, `explain`) is
//! snapshotted. The binary runs without a terminal and with `NO_COLOR`, so the output is
//! plain. Server texts here were compared with redis-server 7.0.15 and valkey-server 8.1.8.

mod support;

use support::{Dir, Out, run};

/// `sha256("foo")`: a valid `#<hash>` rule (these tests are about the CLI, not the lint).
const FOO: &str = "2c26b46b68ffc68ff99b453c1d30413413422d706483bfa0f98a5e886266e7ae";

fn users_acl() -> String {
    format!(
        "user default off\nuser app on #{FOO} ~app:* +@all -@dangerous\nuser reader on #{FOO} %R~data:* +@read -@dangerous\n"
    )
}

/// One ACL file with two errors (a bad rule, a comment line).
const BAD_ACL: &str = "user default off\nuser a on foo\n# users for the app\nuser b on ~b:* +get\n";

/// redis-cli input with an answer for each simulated command, a skipped line and errors.
const COMMANDS: &str = "\
ACL SETUSER app on >secret ~app:* +get
ACL SETUSER app +set
ACL DRYRUN app get app:1
ACL LIST
ACL LOG
ACL SETUSER \"b c\" on
ACL SETUSER x \"unclosed
";

/// The directory most tests run in: the inputs above, plus a file that is not UTF-8.
fn inputs(name: &str) -> Dir {
    let d = Dir::new(name);
    d.file("users.acl", users_acl());
    d.file("bad.acl", BAD_ACL);
    d.file("commands.txt", COMMANDS);
    d.file("redis.conf", "port 6379\nrequirepass foo\nuser app on ~app:* +get +nosuch\n");
    d.file("latin1.acl", b"user default off\nuser caf\xe9 on\n");
    d
}

/// Exit code, stdout and stderr together, for snapshots.
fn transcript(o: &Out) -> String {
    format!("exit: {}\n--- stdout\n{}--- stderr\n{}", o.code, o.stdout, o.stderr)
}

struct Case {
    args: &'static [&'static str],
    stdin: &'static str,
    code: i32,
    stdout: &'static str,
    stderr: &'static str,
}

fn check_cases(dir: &Dir, cases: &[Case]) {
    for c in cases {
        let o = dir.run(c.args, Some(c.stdin.as_bytes()));
        let what = format!("aclplay {:?} (stdin {:?})", c.args, c.stdin);
        assert_eq!(o.code, c.code, "{what}: exit code\n{}", transcript(&o));
        assert_eq!(o.stdout, c.stdout, "{what}: stdout");
        assert_eq!(o.stderr, c.stderr, "{what}: stderr");
    }
}

const LOAD_FAILED: &str = "WARNING: ACL errors detected, no change to the previously active ACL rules was performed";

#[test]
fn exit_codes_and_one_line_answers() {
    let d = inputs("exit-codes");
    #[rustfmt::skip]
    let cases = [
        // 0: the server accepts the input.
        Case { args: &["check", "users.acl"], stdin: "", code: 0,
            stdout: "ACL LOAD: OK\nusers.acl as ACL file for Redis 7.0.15: 3 user(s), 0 error(s)\n", stderr: "" },
        Case { args: &["--server", "valkey-8.1", "check", "users.acl"], stdin: "", code: 0,
            stdout: "ACL LOAD: OK\nusers.acl as ACL file for Valkey 8.1.8: 3 user(s), 0 error(s)\n", stderr: "" },
        // `-` reads stdin, and the input is then called `<stdin>`.
        Case { args: &["check", "-"], stdin: "user default off\n", code: 0,
            stdout: "ACL LOAD: OK\n<stdin> as ACL file for Redis 7.0.15: 1 user(s), 0 error(s)\n", stderr: "" },
        // Warnings alone do not fail `check`.
        Case { args: &["check", "-"], stdin: "ACL LOG\n", code: 0,
            stdout: "line 1:\n  (not simulated)\n<stdin> as redis-cli commands for Redis 7.0.15: 0 user(s), 0 error(s)\n",
            stderr: "input::not-simulated\n\n  ⚠ `ACL LOG` is not simulated; the line is skipped\n   ╭─[<stdin>:1:1]\n 1 │ ACL LOG\n   · ───────\n   ╰────\n" },
        // --kind overrides the detection: the same line as a redis.conf.
        Case { args: &["check", "--kind", "config", "-"], stdin: "user default off\n", code: 0,
            stdout: "start-up: the server starts\n<stdin> as redis.conf for Redis 7.0.15: 1 user(s), 0 error(s)\n", stderr: "" },
        // Pasted `ACL LIST` output is read as the ACL file it describes.
        Case { args: &["check", "-"], stdin: "1) \"user default off\"\n2) \"user app on ~app:* +get\"\n", code: 0,
            stdout: "ACL LOAD: OK\n<stdin> as ACL LIST output for Redis 7.0.15: 2 user(s), 0 error(s)\n", stderr: "" },
        // 3: unreadable input, or not UTF-8 (with the line and column of the first bad byte).
        Case { args: &["check", "missing.acl"], stdin: "", code: 3, stdout: "",
            stderr: "error: cannot read `missing.acl`: No such file or directory (os error 2)\n" },
        Case { args: &["check", "latin1.acl"], stdin: "", code: 3, stdout: "",
            stderr: "error: latin1.acl:2:9: the input is not valid UTF-8\n" },
        // The same name in UTF-8 is fine.
        Case { args: &["list", "-"], stdin: "user default off\nuser café on\n", code: 0,
            stdout: "user café on resetchannels -@all\nuser default off resetchannels -@all\n", stderr: "" },
        Case { args: &["check", "--kind", "config", "--aclfile", "missing.acl", "-"], stdin: "aclfile users.acl\n",
            code: 3, stdout: "", stderr: "error: cannot read `missing.acl`: No such file or directory (os error 2)\n" },
        Case { args: &["dryrun", "users.acl", "--user", "app", "--commands", "missing.txt"], stdin: "", code: 3,
            stdout: "", stderr: "error: cannot read `missing.txt`: No such file or directory (os error 2)\n" },
        // 2: usage.
        Case { args: &["dryrun", "users.acl", "--user", "app"], stdin: "", code: 2, stdout: "",
            stderr: "error: give a command after `--`, or `--commands <file>`\n" },
        Case { args: &["dryrun", "-", "--user", "app", "--commands", "-"], stdin: "user app on\n", code: 2, stdout: "",
            stderr: "error: the input and `--commands` cannot both be `-` (stdin)\n" },
        Case { args: &["check", "--kind", "config", "--aclfile", "-", "-"], stdin: "aclfile users.acl\n", code: 2,
            stdout: "", stderr: "error: the input and `--aclfile` cannot both be `-` (stdin)\n" },
        // 1: `explain` of a user the input does not define.
        Case { args: &["explain", "users.acl", "--user", "nobody"], stdin: "", code: 1, stdout: "",
            stderr: "error: no user `nobody`\n" },
        // `hash` drops one trailing newline (from `echo` or a terminal), not more.
        Case { args: &["hash"], stdin: "foo", code: 0, stdout: "2c26b46b68ffc68ff99b453c1d30413413422d706483bfa0f98a5e886266e7ae\n", stderr: "" },
        Case { args: &["hash"], stdin: "foo\n", code: 0, stdout: "2c26b46b68ffc68ff99b453c1d30413413422d706483bfa0f98a5e886266e7ae\n", stderr: "" },
        Case { args: &["hash"], stdin: "foo\r\n", code: 0, stdout: "2c26b46b68ffc68ff99b453c1d30413413422d706483bfa0f98a5e886266e7ae\n", stderr: "" },
        Case { args: &["hash"], stdin: "foo\n\n", code: 0, stdout: "b5bb9d8014a0f9b1d61e21e796d78dccdf1352f23cd32812f4850b878ae4944c\n", stderr: "" },
        Case { args: &["hash"], stdin: "abc", code: 0, stdout: "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad\n", stderr: "" },
        Case { args: &["hash"], stdin: "", code: 0, stdout: "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855\n", stderr: "" },
        Case { args: &["--format", "json", "hash"], stdin: "foo\n", code: 0,
            stdout: "\"2c26b46b68ffc68ff99b453c1d30413413422d706483bfa0f98a5e886266e7ae\"\n", stderr: "" },
        Case { args: &["--version"], stdin: "", code: 0, stdout: concat!("aclplay ", env!("CARGO_PKG_VERSION"), "\n"), stderr: "" },
    ];
    check_cases(&d, &cases);
}

/// Clap's own usage errors: exit 2 and a message naming the problem.
#[test]
fn usage_errors_exit_2() {
    let d = inputs("usage");
    #[rustfmt::skip]
    let cases: &[(&[&str], &str)] = &[
        (&[], "Usage: aclplay"),
        (&["--server", "redis-6", "check", "users.acl"], "invalid value 'redis-6' for '--server <SERVER>'"),
        (&["--format", "yaml", "check", "users.acl"], "invalid value 'yaml' for '--format <FORMAT>'"),
        (&["check"], "the following required arguments were not provided"),
        (&["check", "--kind", "ini", "users.acl"], "invalid value 'ini' for '--kind <KIND>'"),
        (&["check", "--pubsub-default", "none", "users.acl"], "invalid value 'none' for '--pubsub-default <PUBSUB_DEFAULT>'"),
        (&["check", "--nosuch", "users.acl"], "unexpected argument '--nosuch'"),
        (&["dryrun", "users.acl", "--", "get", "k"], "--user <USER>"),
        (&["lint", "--deny", "info", "users.acl"], "invalid value 'info' for '--deny <DENY>'"),
        (&["keys"], "the following required arguments were not provided"),
        (&["frobnicate"], "unrecognized subcommand 'frobnicate'"),
    ];
    for (args, says) in cases {
        let o = d.run(args, None);
        assert_eq!(o.code, 2, "aclplay {args:?}\n{}", transcript(&o));
        assert!(o.stderr.contains(says), "aclplay {args:?}: stderr should say {says:?}:\n{}", o.stderr);
        assert_eq!(o.stdout, "", "aclplay {args:?}");
    }
}

/// The subcommands and flags `--help` documents are the ones these tests (and
/// tests/lint.rs for `lint`, tests/compare.rs for `compare`, tests/verify.rs for
/// `verify`) exercise: a new one fails here until it is tested.
#[test]
fn help_documents_what_is_tested() {
    let names = |help: &str, section: &str| -> Vec<String> {
        let body = help.split(section).nth(1).unwrap_or_default();
        // The section ends at the first line that is not indented (blank lines part the
        // long help's entries).
        body.lines()
            .skip(1)
            // Long help (formats with descriptions) puts blank lines between options.
            .take_while(|l| l.is_empty() || l.starts_with(' '))
            .filter_map(|l| {
                let l = l.trim_start().trim_start_matches("-h, ").trim_start_matches("-V, ");
                let word = l.split_whitespace().next()?;
                (section == "Commands:" || word.starts_with("--")).then(|| word.to_string())
            })
            .collect()
    };
    let top = run(&["--help"], None);
    assert_eq!(top.code, 0);
    #[rustfmt::skip]
    let tested: &[(&str, &[&str])] = &[
        ("check", &["--kind", "--server", "--aclfile-name", "--format", "--aclfile", "--pubsub-default", "--help"]),
        ("list", &["--kind", "--server", "--aclfile-name", "--format", "--aclfile", "--pubsub-default", "--help"]),
        ("dryrun", &["--kind", "--server", "--aclfile-name", "--format", "--aclfile", "--pubsub-default", "--user",
            "--commands", "--explain", "--as-client", "--db", "--help"]),
        ("lint", &["--kind", "--server", "--aclfile-name", "--format", "--aclfile", "--pubsub-default", "--deny",
            "--sarif", "--harden", "--help"]),
        ("explain", &["--kind", "--server", "--aclfile-name", "--format", "--aclfile", "--pubsub-default", "--user",
            "--help"]),
        ("compare", &["--kind", "--server", "--aclfile-name", "--format", "--aclfile", "--pubsub-default", "--servers",
            "--user", "--commands", "--help"]),
        ("verify", &["--scratch", "--server", "--cacert", "--format", "--insecure", "--timeout", "--samples",
            "--cases", "--seed", "--help"]),
        // tests/workshop.rs and tests/challenges.rs exercise these.
        ("test", &["--kind", "--server", "--aclfile-name", "--format", "--aclfile", "--pubsub-default", "--servers",
            "--coverage", "--min-coverage", "--help"]),
        ("challenge", &["--server", "--format", "--help"]),
        ("diff", &["--kind", "--server", "--format", "--pubsub-default", "--servers", "--fail-on", "--help"]),
        ("matrix", &["--kind", "--server", "--aclfile-name", "--format", "--aclfile", "--pubsub-default", "--help"]),
        ("draft", &["--acl-log", "--server", "--format", "--rules", "--map", "--key-delimiter", "--key-depth",
            "--exact-keys", "--min-keys", "--password-from-env", "--keep-default", "--skip-invalid", "--help"]),
        ("keys", &["--server", "--format", "--help"]),
        ("genpass", &["--bits", "--server", "--format", "--help"]),
        ("hash", &["--server", "--format", "--help"]),
        ("batch", &["--server", "--format", "--help"]),
        ("help", &[]),
    ];
    let commands: Vec<&str> = tested.iter().map(|t| t.0).collect();
    assert_eq!(names(&top.stdout, "Commands:"), commands, "{}", top.stdout);
    assert_eq!(names(&top.stdout, "Options:"), ["--server", "--format", "--help", "--version"]);
    // The exit codes are documented where users look.
    assert!(top.stdout.contains("Exit codes: 0 success; 1 "), "{}", top.stdout);
    for (cmd, flags) in tested.iter().filter(|t| t.0 != "help") {
        let o = run(&[cmd, "--help"], None);
        assert_eq!(o.code, 0);
        assert_eq!(names(&o.stdout, "Options:"), *flags, "aclplay {cmd} --help:\n{}", o.stdout);
    }
}

#[test]
fn check_renders_diagnostics() {
    let d = inputs("check-render");
    for server in ["redis-7.0", "valkey-8.1"] {
        let o = d.run(&["--server", server, "check", "bad.acl"], None);
        assert_eq!(o.code, 1);
        insta::assert_snapshot!(format!("check-bad-acl-{server}"), transcript(&o));
    }
    // redis-cli input: one reply per line, errors rendered, skipped lines warned about.
    let o = d.run(&["check", "commands.txt"], None);
    assert_eq!(o.code, 1);
    insta::assert_snapshot!("check-commands", transcript(&o));
    // A redis.conf whose user names an unknown command: the server exits at start-up.
    let o = d.run(&["check", "redis.conf"], None);
    assert_eq!(o.code, 1);
    insta::assert_snapshot!("check-config", transcript(&o));
    // --aclfile-name is the file name the server's messages mention.
    let o = d.run(&["check", "--aclfile-name", "/etc/redis/users.acl", "bad.acl"], None);
    assert!(o.stdout.starts_with("ACL LOAD: ERR /etc/redis/users.acl:2: Syntax error. /etc/redis/users.acl:3 should"));
    assert!(o.stderr.contains("help: the server says: /etc/redis/users.acl:2: Syntax error.\n"), "{}", o.stderr);
}

#[test]
fn check_json() {
    let d = inputs("check-json");
    let o = d.run(&["--format", "json", "check", "bad.acl"], None);
    assert_eq!(o.code, 1);
    assert_eq!(o.stderr, "", "JSON output renders no diagnostics on stderr");
    insta::assert_json_snapshot!("check-bad-acl-json", o.json());
    // Valkey's start-up log names Valkey.
    let v = d.run(&["--server", "valkey-8.1", "--format", "json", "check", "bad.acl"], None).json();
    assert_eq!(v["server"], "valkey-8.1");
    assert_eq!(
        v["outcome"]["startup"]["log"][0],
        format!(
            "Aborting Valkey startup because of ACL errors: users.acl:2: Syntax error. users.acl:3 should start with user keyword followed by the username. {LOAD_FAILED}"
        )
    );
    let ok = d.run(&["--format", "json", "check", "users.acl"], None);
    assert_eq!(ok.code, 0);
    let ok = ok.json();
    assert_eq!((ok["ok"].as_bool(), ok["kind"].as_str()), (Some(true), Some("acl-file")));
    assert_eq!(ok["diagnostics"], serde_json::json!([]));
}

/// `acl-pubsub-default allchannels` makes `&x` after the implicit `allchannels` an error.
#[test]
fn pubsub_default() {
    let d = inputs("pubsub");
    let line = b"user default off\nuser a on &x +publish\n";
    let o = d.run(&["check", "-"], Some(line));
    assert_eq!(o.code, 0, "{}", transcript(&o));
    let o = d.run(&["check", "--pubsub-default", "allchannels", "-"], Some(line));
    assert_eq!(o.code, 1);
    assert!(o.stderr.contains("channel pattern `&x` comes after `allchannels`"), "{}", o.stderr);
    // Without channel patterns, new users get every channel.
    let o = d.run(&["list", "--pubsub-default", "allchannels", "-"], Some(b"user a on +publish\n"));
    assert_eq!(o.stdout, "user a on &* -@all +publish\nuser default on nopass ~* &* +@all\n");
}

/// A redis.conf that sets `aclfile`, checked together with that file.
#[test]
fn config_with_aclfile() {
    let d = inputs("with-aclfile");
    d.file("conf", "aclfile /etc/redis/users.acl\n");
    let o = d.run(&["check", "--aclfile", "bad.acl", "conf"], None);
    assert_eq!(o.code, 1, "{}", transcript(&o));
    assert_eq!(
        o.stdout,
        format!(
            "start-up: the server exits:\nAborting Redis startup because of ACL errors: /etc/redis/users.acl:2: Syntax error. /etc/redis/users.acl:3 should start with user keyword followed by the username. {LOAD_FAILED}\nconf as redis.conf for Redis 7.0.15: 3 user(s), 2 error(s)\n"
        )
    );
    // The file can come from stdin too.
    let o = d.run(&["list", "--aclfile", "-", "conf"], Some(users_acl().as_bytes()));
    assert_eq!(o.code, 0, "{}", transcript(&o));
    assert_eq!(o.stdout.lines().count(), 3, "{}", o.stdout);
}

#[test]
fn list_differs_between_servers() {
    let d = inputs("list");
    // Valkey 8.1 lists `sanitize-payload` on every user.
    for server in ["redis-7.0", "valkey-8.1"] {
        let o = d.run(&["--server", server, "list", "users.acl"], None);
        assert_eq!((o.code, o.stderr.as_str()), (0, ""));
        insta::assert_snapshot!(format!("list-{server}"), o.stdout);
    }
    // A first-argument rule with a space: Valkey accepts it but crashes listing it.
    let text = b"ACL SETUSER default off\nACL SETUSER u on \"+select|0 1\"\n";
    let redis = d.run(&["list", "-"], Some(text));
    assert_eq!(redis.code, 0, "{}", transcript(&redis));
    assert_eq!(redis.stdout, "user default off nopass ~* &* +@all\nuser u on resetchannels -@all +select|0 1\n");
    let valkey = d.run(&["--server", "valkey-8.1", "list", "-"], Some(text));
    assert_eq!(valkey.code, 1, "{}", transcript(&valkey));
    assert_eq!(
        valkey.stdout,
        "user default off nopass sanitize-payload ~* &* +@all\n# user u: listing it crashes Valkey 8.1.8\n"
    );
    assert!(valkey.stderr.contains("acl::list-crash"), "{}", valkey.stderr);
}

#[test]
fn list_json() {
    let d = inputs("list-json");
    let o = d.run(&["--format", "json", "list", "users.acl"], None);
    assert_eq!(o.code, 0);
    insta::assert_json_snapshot!("list-json", o.json());
}

#[test]
fn dryrun_answers() {
    let d = inputs("dryrun");
    #[rustfmt::skip]
    let cases: &[(&str, &[&str], i32, &str)] = &[
        ("redis-7.0", &["--user", "app", "--", "get", "app:1"], 0, "OK\n"),
        ("redis-7.0", &["--user", "app", "--", "get", "other"], 1, "This user has no permissions to access the 'other' key\n"),
        ("valkey-8.1", &["--user", "app", "--", "get", "other"], 1, "User app has no permissions to access the 'other' key\n"),
        ("redis-7.0", &["--user", "app", "--", "flushall"], 1, "This user has no permissions to run the 'flushall' command\n"),
        ("valkey-8.1", &["--user", "app", "--", "flushall"], 1, "User app has no permissions to run the 'flushall' command\n"),
        ("redis-7.0", &["--user", "reader", "--", "set", "data:1", "v"], 1, "This user has no permissions to run the 'set' command\n"),
        ("redis-7.0", &["--user", "reader", "--", "get", "other"], 1, "This user has no permissions to access the 'other' key\n"),
        ("redis-7.0", &["--user", "reader", "--", "get", "data:1"], 0, "OK\n"),
        ("redis-7.0", &["--user", "app", "--", "nosuch"], 1, "ERR Command 'nosuch' not found\n"),
        ("redis-7.0", &["--user", "app", "--", "set"], 1, "ERR wrong number of arguments for 'set' command\n"),
        ("valkey-8.1", &["--user", "nobody", "--", "get", "x"], 1, "ERR User 'nobody' not found\n"),
        // `default` is off, but DRYRUN still answers for it.
        ("redis-7.0", &["--user", "default", "--", "get", "x"], 1, "This user has no permissions to run the 'get' command\n"),
    ];
    for (server, args, code, stdout) in cases {
        let mut argv = vec!["--server", server, "dryrun", "users.acl"];
        argv.extend_from_slice(args);
        let o = d.run(&argv, None);
        assert_eq!((o.code, o.stdout.as_str(), o.stderr.as_str()), (*code, *stdout, ""), "aclplay {argv:?}");
    }
}

/// `--db`: DRYRUN asked from another database, which Valkey 9.1's database rules check
/// (every answer as the live 9.1.2 gives it, asked after `SELECT <db>`).
#[test]
fn dryrun_databases() {
    let d = inputs("dryrun-databases");
    d.file("t.acl", "user t on nopass ~* +@all db=0,2 (db=1 ~x +get)\n");
    #[rustfmt::skip]
    let cases: &[(&[&str], i32, &str)] = &[
        (&["--", "get", "k"], 0, "OK\n"),
        // Database 1: the root refuses the database, the selector the key; the key wins.
        (&["--db", "1", "--", "get", "k"], 1, "User t has no permissions to access the 'k' key\n"),
        (&["--db", "1", "--", "get", "x"], 0, "OK\n"),
        (&["--", "select", "3"], 1, "User t has no permissions to access database 3\n"),
        (&["--db", "3", "--", "set", "k", "v"], 1, "User t has no permissions to access database set\n"),
        (&["--", "flushall"], 1, "User t has no permissions to access database flushall\n"),
    ];
    for (args, code, stdout) in cases {
        let mut argv = vec!["--server", "valkey-9.1", "dryrun", "t.acl", "--user", "t"];
        argv.extend_from_slice(args);
        let o = d.run(&argv, None);
        assert_eq!((o.code, o.stdout.as_str(), o.stderr.as_str()), (*code, *stdout, ""), "aclplay {argv:?}");
    }
    let o = d.run(
        &["--server", "valkey-9.1", "dryrun", "t.acl", "--user", "t", "--explain", "--db", "3", "--", "get", "k"],
        None,
    );
    assert_eq!(o.code, 1);
    insta::assert_snapshot!("dryrun-databases-explain", o.stdout);
    let o = d.run(&["--server", "valkey-9.1", "dryrun", "t.acl", "--user", "t", "--db", "16", "--", "get", "k"], None);
    assert_eq!(o.code, 2, "{}", transcript(&o));
}

/// `--commands`: one redis-cli line each, with redis-cli quoting; an unbalanced quote is
/// redis-cli's `Invalid argument(s)`; blank lines are skipped; `\r\n` endings are fine.
#[test]
fn dryrun_commands_file() {
    let d = inputs("dryrun-commands");
    let lines = "get app:1\nset \"app:a b\" v\nget \"unclosed\n\nget 'other key'\r\nflushall\n";
    d.file("cmds.txt", lines);
    let want = "OK\nOK\nInvalid argument(s)\nThis user has no permissions to access the 'other key' key\nThis user has no permissions to run the 'flushall' command\n";
    let o = d.run(&["dryrun", "users.acl", "--user", "app", "--commands", "cmds.txt"], None);
    assert_eq!((o.code, o.stdout.as_str(), o.stderr.as_str()), (1, want, ""));
    let o = d.run(&["dryrun", "users.acl", "--user", "app", "--commands", "-"], Some(lines.as_bytes()));
    assert_eq!((o.code, o.stdout.as_str()), (1, want));
    // Every command allowed: exit 0.
    let o = d.run(&["dryrun", "users.acl", "--user", "app", "--commands", "-"], Some(b"get app:1\nset app:2 'x y'\n"));
    assert_eq!((o.code, o.stdout.as_str()), (0, "OK\nOK\n"));
}

#[test]
fn dryrun_explain_and_json() {
    let d = inputs("dryrun-explain");
    let o = d.run(
        &["dryrun", "users.acl", "--user", "reader", "--explain", "--commands", "-"],
        Some(b"get data:1\nset data:1 v\nkeys *\n"),
    );
    assert_eq!(o.code, 1);
    insta::assert_snapshot!("dryrun-explain", o.stdout);
    // JSON: one object per command line.
    let o = d.run(
        &["--format", "json", "dryrun", "users.acl", "--user", "app", "--commands", "-"],
        Some(b"get app:1\nget x\n"),
    );
    assert_eq!(o.code, 1);
    let answers: Vec<serde_json::Value> = o.stdout.lines().map(|l| serde_json::from_str(l).unwrap()).collect();
    assert_eq!(answers.len(), 2);
    assert_eq!(answers[0]["reply"]["kind"], "ok");
    assert_eq!(answers[0]["selectors"][0]["keys"][0]["matched"][0], "~app:*");
    assert_eq!(answers[1]["reply"]["kind"], "denied");
    assert_eq!(answers[1]["reply"]["text"], "This user has no permissions to access the 'x' key");
}

/// `--as-client`: what a client logged in as the user is told beside each DRYRUN reply
/// (the texts as the live servers gave them to a client logged in as `app`).
#[test]
fn dryrun_as_client() {
    let d = inputs("dryrun-as-client");
    let o = d.run(&["dryrun", "users.acl", "--user", "app", "--as-client", "--", "get", "other"], None);
    assert_eq!(o.code, 1, "{}", transcript(&o));
    let want = "\
This user has no permissions to access the 'other' key
  as client:   NOPERM this user has no permissions to access one of the keys used as arguments
               ACL LOG: reason=key context=toplevel object=\"other\" username=\"app\"
  in MULTI:    MULTI: OK / command: NOPERM this user has no permissions to access one of the keys used as arguments / EXEC: EXECABORT Transaction discarded because of previous errors.
               ACL LOG: reason=key context=multi object=\"other\" username=\"app\"
  from EVAL:   ERR The user executing the script can't access at least one of the keys mentioned in the command arguments script: 3c44b7a40779a5c68a6e3920550ff76660a813aa, on @user_script:1.
               ACL LOG: reason=key context=lua object=\"other\" username=\"app\"
  from FCALL:  ERR The user executing the script can't access at least one of the keys mentioned in the command arguments script: aclplay_call, on @user_function:2.
               ACL LOG: reason=key context=lua object=\"other\" username=\"app\"
";
    assert_eq!(o.stdout, want);
    // An allowed command is not run; `reader` may not run MULTI, EVAL or FCALL.
    let o = d.run(
        &["--server", "valkey-8.1", "dryrun", "users.acl", "--user", "reader", "--as-client", "--", "get", "data:1"],
        None,
    );
    assert_eq!(o.code, 0, "{}", transcript(&o));
    let lines: Vec<&str> = o.stdout.lines().collect();
    assert_eq!(lines[..2], ["OK", "  as client:   runs (allowed; its result is not simulated)"]);
    assert_eq!(lines[2], "  in MULTI:    MULTI: NOPERM User reader has no permissions to run the 'multi' command");
    assert!(lines.contains(
        &"  from EVAL:   NOPERM User reader has no permissions to run the 'eval' command (EVAL itself is refused)"
    ));
    // JSON: the explanation with a `client` object.
    let o = d.run(&["--format", "json", "dryrun", "users.acl", "--user", "app", "--as-client", "--", "flushall"], None);
    let v: serde_json::Value = serde_json::from_str(o.stdout.trim()).unwrap();
    assert_eq!(v["reply"]["text"], "This user has no permissions to run the 'flushall' command");
    assert_eq!(v["client"]["run"]["reply"], "NOPERM this user has no permissions to run the 'flushall' command");
    assert_eq!(v["client"]["run"]["log"][0]["object"], "flushall");
    assert_eq!(v["client"]["multi"]["exec"], "EXECABORT Transaction discarded because of previous errors.");
    // A new connection is in database 0.
    let o = d.run(&["dryrun", "users.acl", "--user", "app", "--as-client", "--db", "1", "--", "get", "k"], None);
    assert_eq!(o.code, 2, "{}", transcript(&o));
}

#[test]
fn explain_users() {
    let d = inputs("explain");
    let o = d.run(&["explain", "users.acl"], None);
    assert_eq!(o.code, 0);
    insta::assert_snapshot!("explain", o.stdout);
    let one = d.run(&["explain", "users.acl", "--user", "reader"], None);
    assert!(one.stdout.starts_with("user reader:\n") && !one.stdout.contains("user app:"), "{}", one.stdout);
    let v = d.run(&["--format", "json", "explain", "users.acl", "--user", "app"], None).json();
    assert_eq!(v[0]["name"], "app");
    assert_eq!(v[0]["selectors"][0]["dangerous"], serde_json::json!([]));
}

#[test]
fn keys_of_commands() {
    #[rustfmt::skip]
    let cases: &[(&[&str], &str)] = &[
        (&["set", "k", "v"], "command: set\nkey 1 `k`: flags [OW update], needs write\n"),
        (&["mget", "a", "b"], "command: mget\nkey 1 `a`: flags [RO access], needs read\nkey 2 `b`: flags [RO access], needs read\n"),
        (&["lmove", "a", "b", "left", "right"],
            "command: lmove\nkey 1 `a`: flags [RW access delete], needs read+write\nkey 2 `b`: flags [RW insert], needs write\n"),
        (&["sort", "k", "store", "dst"], "command: sort\nkey 1 `k`: flags [RO access], needs read\nkey 3 `dst`: flags [OW update], needs write\n"),
        (&["object", "encoding", "k"], "command: object|encoding\nkey 2 `k`: flags [RO], needs any key pattern\n"),
        (&["publish", "ch", "msg"], "command: publish\nchannel 1 `ch`\n"),
        (&["psubscribe", "n*"], "command: psubscribe\nchannel 1 `n*` (pattern: must equal an ACL channel pattern)\n"),
        (&["ping"], "command: ping\nno keys\n"),
    ];
    for (argv, want) in cases {
        let mut args = vec!["keys", "--"];
        args.extend_from_slice(argv);
        let o = run(&args, None);
        assert_eq!((o.code, o.stdout.as_str(), o.stderr.as_str()), (0, *want, ""), "aclplay {args:?}");
    }
    // The server's own error for what DRYRUN cannot resolve.
    for (argv, err) in [
        (&["nosuch"][..], "ERR Command 'nosuch' not found\n"),
        (&["config"][..], "ERR wrong number of arguments for 'config' command\n"),
    ] {
        let mut args = vec!["keys", "--"];
        args.extend_from_slice(argv);
        let o = run(&args, None);
        assert_eq!((o.code, o.stdout.as_str(), o.stderr.as_str()), (1, "", err), "aclplay {args:?}");
    }
    let v = run(&["--format", "json", "keys", "--", "lmove", "a", "b", "left", "right"], None).json();
    assert_eq!(
        v,
        serde_json::json!({"command": "lmove", "channels": [], "keys": [
            {"pos": 1, "key": "a", "flags": ["RW", "access", "delete"], "read": true, "write": true},
            {"pos": 2, "key": "b", "flags": ["RW", "insert"], "read": false, "write": true},
        ]})
    );
}

#[test]
fn genpass_bounds() {
    let hex = |s: &str| s.bytes().all(|b| b.is_ascii_hexdigit() && !b.is_ascii_uppercase());
    // The default is 256 bits: 64 hex characters, different every time.
    let a = run(&["genpass"], None);
    let b = run(&["genpass"], None);
    assert_eq!(a.code, 0);
    let (a, b) = (a.stdout.trim_end(), b.stdout.trim_end());
    assert!(a.len() == 64 && hex(a), "{a}");
    assert_ne!(a, b, "two passwords in a row are equal");
    let j = run(&["--format", "json", "genpass", "--bits", "16"], None).json();
    assert!(j.as_str().is_some_and(|p| p.len() == 4 && hex(p)), "{j}");
    // Bits round up to whole hex characters, up to 4096.
    for (bits, chars) in [("1", 1), ("4", 1), ("5", 2), ("8", 2), ("128", 32), ("4096", 1024)] {
        let o = run(&["genpass", "--bits", bits], None);
        let p = o.stdout.trim_end();
        assert_eq!((o.code, p.len()), (0, chars), "--bits {bits}: {p}");
        assert!(hex(p), "--bits {bits}: {p}");
    }
    const RANGE: &str =
        "ERR ACL GENPASS argument must be the number of bits for the output password, a positive number up to 4096\n";
    const NOT_INT: &str = "ERR value is not an integer or out of range\n";
    for (bits, err) in [
        ("0", RANGE),
        ("-1", RANGE),
        ("4097", RANGE),
        ("abc", NOT_INT),
        ("1.5", NOT_INT),
        (" 8", NOT_INT),
        ("99999999999999999999", NOT_INT),
    ] {
        let o = run(&["genpass", &format!("--bits={bits}")], None);
        assert_eq!((o.code, o.stdout.as_str(), o.stderr.as_str()), (1, "", err), "--bits {bits:?}");
    }
}

#[test]
fn batch_replays_cases() {
    let input = concat!(
        r#"{"id":"ok","user":"u","setuser_args":["on","nopass","~k*","+get"],"command":["get","key"]}"#,
        "\n\n",
        r#"{"id":"denied","user":"u","setuser_args":["on","+get"],"command":["get","key"]}"#,
        "\n",
        r#"{"id":"crash","user":"u","setuser_args":["on","+select|0 1"],"command":["select","0 1"]}"#,
        "\n",
    );
    let answers = |server: &str| -> Vec<serde_json::Value> {
        let o = run(&["--server", server, "batch"], Some(input.as_bytes()));
        assert_eq!((o.code, o.stderr.as_str()), (0, ""), "{}", transcript(&o));
        o.stdout.lines().map(|l| serde_json::from_str(l).unwrap()).collect()
    };
    let redis = answers("redis-7.0");
    assert_eq!(redis.len(), 3, "the blank line is skipped");
    assert_eq!(redis[0]["id"], "ok");
    assert_eq!(redis[0]["setuser"], "OK");
    assert_eq!(redis[0]["dryrun"], "OK");
    assert_eq!(redis[0]["acl_list"], "user u on nopass ~k* resetchannels -@all +get");
    assert_eq!(redis[0]["aclload"], "OK");
    assert_eq!(redis[1]["dryrun"], "This user has no permissions to access the 'key' key");
    assert_eq!(redis[1]["dryrun_kind"], "denied");
    assert_eq!(redis[2]["acl_list"], "user u on resetchannels -@all +select|0 1");
    assert!(redis[2].get("list_crash").is_none());
    let valkey = answers("valkey-8.1");
    assert_eq!(valkey[0]["acl_list"], "user u on nopass sanitize-payload ~k* resetchannels -@all +get");
    assert_eq!(valkey[1]["dryrun"], "User u has no permissions to access the 'key' key");
    assert_eq!((valkey[2]["list_crash"].as_bool(), &valkey[2]["acl_list"]), (Some(true), &serde_json::Value::Null));
    // A line that is not a case is a usage error naming the line; bad bytes are exit 3.
    let o = run(&["batch"], Some(format!("{}\nnot json\n", input.lines().next().unwrap()).as_bytes()));
    assert_eq!(o.code, 2);
    assert!(o.stderr.starts_with("error: stdin line 2: "), "{}", o.stderr);
    assert_eq!(o.stdout.lines().count(), 1, "answers before the bad line are printed");
    let o = run(&["batch"], Some(b"\xff\n"));
    assert_eq!((o.code, o.stderr.as_str()), (3, "error: stdin line 1: the input is not valid UTF-8\n"));
}

/// Without `--server` the CLI answers as the registry's default (the one file of
/// data/servers/ with `default = true`), or as `ACLPLAY_SERVER`; `--server` wins over both.
#[test]
fn default_server_and_aclplay_server() {
    let default = aclplay::Profile::default_profile();
    let help = support::run_default(&["--help"]);
    assert!(help.stdout.contains(&format!("[default: {}]", default.id)), "{}", help.stdout);
    assert!(help.stdout.contains("[env: ACLPLAY_SERVER="), "{}", help.stdout);
    // The same input on every version: each answers as itself, named in the JSON.
    let d = Dir::new("default-server");
    for p in aclplay::PROFILES {
        d.file("users.acl", "user app on nopass ~* +@all\n");
        let pick = |args: &[&str], env: Option<&str>| {
            let mut c = std::process::Command::new(env!("CARGO_BIN_EXE_aclplay"));
            c.args(args).current_dir(d.path()).env_remove("ACLPLAY_SERVER");
            if let Some(e) = env {
                c.env("ACLPLAY_SERVER", e);
            }
            let o = c.output().unwrap();
            assert!(o.status.success(), "{args:?}: {}", String::from_utf8_lossy(&o.stderr));
            let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
            v["server"].as_str().unwrap().to_string()
        };
        assert_eq!(pick(&["--format", "json", "check", "users.acl"], None), default.id);
        assert_eq!(pick(&["--format", "json", "check", "users.acl"], Some(p.id)), p.id);
        let other = aclplay::PROFILES.iter().find(|q| q.id != p.id).unwrap();
        assert_eq!(pick(&["--server", other.id, "--format", "json", "check", "users.acl"], Some(p.id)), other.id);
    }
}

/// Characters that hide or reorder text (a right-to-left override, a zero-width space)
/// are escapes in every text output, never raw: a terminal would show `\u{202e}tnega` as
/// "agent". JSON keeps the bytes as they are.
#[test]
fn hidden_characters_are_shown_as_escapes() {
    let d = Dir::new("hidden-characters");
    d.file("trojan.acl", format!("user default off\nuser \u{202e}tnega on #{FOO} ~a\u{200b}:* +get +gett\n"));
    let hidden = |s: &str| s.contains('\u{202e}') || s.contains('\u{200b}');
    let list = d.run(&["list", "trojan.acl"], None);
    assert!(list.stdout.contains("user \\u{202e}tnega on #"), "{}", list.stdout);
    assert!(list.stdout.contains("~a\\u{200b}:*"), "{}", list.stdout);
    let runs = [
        d.run(&["list", "trojan.acl"], None),
        d.run(&["check", "trojan.acl"], None),
        d.run(&["lint", "trojan.acl"], None),
        d.run(&["explain", "trojan.acl"], None),
        d.run(
            &[
                "--server",
                "valkey-8.1",
                "dryrun",
                "trojan.acl",
                "--user",
                "\u{202e}tnega",
                "--explain",
                "--",
                "get",
                "b",
            ],
            None,
        ),
    ];
    for o in &runs {
        assert!(!hidden(&o.stdout) && !hidden(&o.stderr), "raw hidden characters in:\n{}\n{}", o.stdout, o.stderr);
    }
    let lint = &runs[2].stdout;
    assert!(
        lint.contains("error[hidden-characters]: `\\u{202e}tnega` holds a right-to-left override (U+202E)"),
        "{lint}"
    );
    assert!(
        runs[4].stdout.starts_with("User \\u{202e}tnega has no permissions to access the 'b' key\n"),
        "{}",
        runs[4].stdout
    );
    let json = d.run(&["--format", "json", "list", "trojan.acl"], None).json();
    assert!(
        json[0]["acl_list"].as_str().unwrap().contains('\u{202e}')
            || json[1]["acl_list"].as_str().unwrap().contains('\u{202e}')
    );
}

/// A refused rule near a known one says which one it probably meant.
#[test]
fn did_you_mean_in_check() {
    let d = Dir::new("did-you-mean");
    d.file("typo.acl", "user default off\nuser app on ~app:* -@all +gett +@raed\n");
    let o = d.run(&["check", "typo.acl"], None);
    assert_eq!(o.code, 1);
    assert!(o.stderr.contains("did you mean `+get`?"), "{}", o.stderr);
    assert!(o.stderr.contains("did you mean `+@read`?"), "{}", o.stderr);
    let v = d.run(&["--format", "json", "check", "typo.acl"], None).json();
    assert_eq!(v["diagnostics"][0]["suggestion"], "+get");
    assert!(v["diagnostics"][0]["problem"]["help"].as_str().unwrap().starts_with("did you mean `+get`?"));
}
