//! The workshop without servers: seeded generated rules and test files pass on the
//! engine, the fast mutation coverage equals the whole-text one, and `aclplay test`
//! through the real binary (text, JSON, JUnit validated against Jenkins' JUnit schema,
//! exit codes, coverage).

#[path = "support/workshop.rs"]
mod generated;
mod support;

use aclplay::workshop::coverage::{Method, coverage_with};
use aclplay::workshop::{Rules, Verdict, parse, run};
use aclplay::{Kind, Options, PROFILES, analyze};
use aclplay_oracle::table::load_table;
use aclplay_oracle::{ServerId, generate_workload};

fn workload(id: ServerId, seed: u64, users: usize, per_user: usize) -> Vec<aclplay_oracle::WorkloadUser> {
    let table = load_table(id).unwrap();
    generate_workload(id, &table, seed, users, per_user)
}

#[test]
fn generated_test_files_pass_on_the_engine() {
    for id in ServerId::all() {
        let profile = aclplay::Profile::by_id(id.as_str()).unwrap();
        for seed in 1..=6u64 {
            let g = generated::generate(profile, &workload(id, seed, 12, 5), seed, seed % 3 == 0);
            let file = parse(&g.tests);
            assert!(file.is_ok(), "{id} seed {seed}: {:?}\n{}", file.errors, g.tests);
            let a = analyze(&g.rules, &Options { kind: Some(Kind::AclFile), ..Options::new(profile) });
            let r = run(&file, &Rules::new(&g.rules, &a));
            let failed: Vec<String> = r
                .results
                .iter()
                .filter(|x| x.verdict == Verdict::Fail)
                .map(|x| format!("line {}: expected {}, got {}", x.line, x.expected, x.actual.text()))
                .collect();
            assert!(failed.is_empty(), "{id} seed {seed}:\n{}\n{}\n{}", failed.join("\n"), g.rules, g.tests);
            assert!(r.results.len() > 30, "{id} seed {seed}: a test file of substance");
        }
    }
}

/// The fast coverage (one line analysed again, only the expectations that can change
/// asked again) against analysing the whole mutated text and asking everything: the same
/// units, each pinned down by the same expectation. Test files with some expectations
/// left out, so that some rules are not covered.
#[test]
fn fast_coverage_equals_whole_text_coverage() {
    let mut compared = 0;
    for id in ServerId::all() {
        let profile = aclplay::Profile::by_id(id.as_str()).unwrap();
        for seed in 11..=16u64 {
            let g = generated::generate(profile, &workload(id, seed, 10, 4), seed, false);
            let mut rng = generated::Rng::new(seed);
            let tests: String = g.tests.lines().filter(|_| rng.below(3) > 0).map(|l| format!("{l}\n")).collect();
            let file = parse(&tests);
            let opts = Options { kind: Some(Kind::AclFile), ..Options::new(profile) };
            let fast = coverage_with(&file, &g.rules, &opts, Method::Auto);
            let slow = coverage_with(&file, &g.rules, &opts, Method::WholeText);
            assert_eq!(fast, slow, "{id} seed {seed}:\n{}\n{tests}", g.rules);
            assert!(
                fast.total() > 20 && fast.covered() > 0,
                "{id} seed {seed}: {} of {}",
                fast.covered(),
                fast.total()
            );
            compared += fast.total();
        }
    }
    assert!(compared > 500);
}

fn xmllint() -> Option<&'static str> {
    let ok = std::process::Command::new("xmllint").arg("--version").output().is_ok_and(|o| o.status.success());
    if !ok {
        assert!(
            std::env::var_os("CI").is_none() && std::env::var_os("ACLPLAY_REQUIRE_ORACLES").is_none(),
            "xmllint (Debian's libxml2-utils) is needed to validate JUnit XML"
        );
        eprintln!("SKIPPED JUnit schema validation: no xmllint (apt-get install libxml2-utils)");
        return None;
    }
    Some("xmllint")
}

/// Validates `xml` against tests/data/junit-10.xsd.
fn assert_junit_valid(d: &support::Dir, xml: &str) {
    let Some(tool) = xmllint() else { return };
    d.file("report.xml", xml);
    let xsd = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/data/junit-10.xsd");
    let o = std::process::Command::new(tool)
        .args(["--noout", "--schema", xsd, "report.xml"])
        .current_dir(d.path())
        .output()
        .unwrap();
    assert!(o.status.success(), "JUnit XML does not validate:\n{}\n{xml}", String::from_utf8_lossy(&o.stderr));
}

const RULES: &str = "user default off\nuser app on >app-secret-password-long-enough ~app:* +@all -@dangerous\nuser cache on >cachepw ~cache:* -@all +get +set +del +expire\n";

const TESTS: &str = "# the app and the cache\napp: GET app:1 => allow\napp: FLUSHALL => deny command\napp: SET other:1 x => deny key other:1\ncache: GET cache:1 => allow\ncache: KEYS * => allow\nuser app => accepted\nload => accepted\n[valkey-8.1] app: SET other:1 x => \"User app has no permissions to access the 'other:1' key\"\n";

#[test]
fn cli_text_json_junit() {
    let d = support::Dir::new("workshop-test-formats");
    d.file("users.acl", RULES);
    d.file("tests.txt", TESTS);
    let first = PROFILES[0].id;
    let o = d.run(&["--server", first, "test", "users.acl", "tests.txt"], None);
    assert_eq!(o.code, 1, "{}", o.stderr);
    insta::assert_snapshot!("test-text", o.stdout);
    // Passing files exit 0.
    d.file("good.txt", "app: GET app:1 => allow\napp: FLUSHALL => deny\n");
    let o = d.run(&["test", "users.acl", "good.txt"], None);
    assert_eq!(o.code, 0, "{}{}", o.stdout, o.stderr);
    assert!(o.stdout.ends_with("good.txt on redis-7.0: ok (2 passed; 0 failed; 0 skipped)\n"), "{}", o.stdout);

    let o = d.run(&["--format", "json", "test", "users.acl", "tests.txt", "--servers", "all"], None);
    assert_eq!(o.code, 1);
    let v = o.json();
    assert_eq!(v["ok"], false);
    let runs = v["runs"].as_array().unwrap();
    assert_eq!(runs.len(), PROFILES.len());
    let keys = &runs[0]["results"][4];
    assert_eq!(keys["line"], 6);
    assert_eq!(keys["verdict"], "fail");
    assert_eq!(keys["actual"]["what"], "reply");
    assert_eq!(keys["deciding"]["text"], "-@all");
    assert_eq!((keys["deciding"]["line"].as_u64(), keys["deciding"]["column"].as_u64()), (Some(3), Some(33)));
    // The Valkey-only line runs on Valkey only.
    for r in runs {
        let pinned = r["results"].as_array().unwrap().iter().any(|x| x["line"] == 9);
        assert_eq!(pinned, r["server"] == "valkey-8.1", "{r}");
        assert_eq!(r["skipped"], if pinned { 0 } else { 1 });
    }

    let o = d.run(&["--format", "junit", "test", "users.acl", "tests.txt", "--servers", "all"], None);
    assert_eq!(o.code, 1);
    assert!(o.stdout.starts_with("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<testsuites name=\"aclplay test\""));
    assert!(o.stdout.contains("<failure message=\"tests.txt:6:1: expected allow (`OK`), got deny:"), "{}", o.stdout);
    assert_junit_valid(&d, &o.stdout);

    // A bad test file: line:column errors (stderr, and as JUnit errors), exit 1.
    d.file("bad.txt", "app: GET app:1 => allow\nuser app => acepted\napp: GET \"k => allow\n\x01\n");
    let o = d.run(&["test", "users.acl", "bad.txt"], None);
    assert_eq!(o.code, 1);
    assert!(o.stderr.contains("test::syntax") && o.stderr.contains("[bad.txt:2:13]"), "{}", o.stderr);
    assert!(o.stderr.contains("test::open-quote") && o.stderr.contains("[bad.txt:3:10]"), "{}", o.stderr);
    assert!(
        o.stdout
            .ends_with("bad.txt on redis-7.0: FAILED (1 passed; 0 failed; 0 skipped; 3 error(s) in the test file)\n"),
        "{}",
        o.stdout
    );
    let o = d.run(&["--format", "junit", "test", "users.acl", "bad.txt"], None);
    assert!(o.stdout.contains("errors=\"3\""), "{}", o.stdout);
    assert_junit_valid(&d, &o.stdout);
    let o = d.run(&["--format", "json", "test", "users.acl", "bad.txt"], None);
    let errors = o.json()["errors"].as_array().unwrap().clone();
    assert_eq!(errors.len(), 3);
    assert_eq!((errors[0]["line"].as_u64(), errors[0]["column"].as_u64()), (Some(2), Some(13)));

    // Formats: junit is test's own; test refuses markdown and sarif.
    let o = d.run(&["--format", "junit", "check", "users.acl"], None);
    assert_eq!(o.code, 2);
    assert!(o.stderr.contains("`aclplay check` has no `--format junit`; it prints text, json"), "{}", o.stderr);
    let o = d.run(&["--format", "sarif", "test", "users.acl", "tests.txt"], None);
    assert_eq!(o.code, 2);
    assert!(o.stderr.contains("it prints text, json, junit"), "{}", o.stderr);
    // A file pinned to a version `--servers` does not name.
    d.file("pinned.txt", "servers valkey-8.1\napp: GET app:1 => allow\n");
    let o = d.run(&["test", "users.acl", "pinned.txt", "--servers", "redis-7.0"], None);
    assert_eq!(o.code, 2, "{}", o.stderr);
    assert!(o.stderr.contains("names none of the versions the test file is about (valkey-8.1)"), "{}", o.stderr);
    let o = d.run(&["test", "users.acl", "pinned.txt"], None);
    assert!(o.stdout.ends_with("pinned.txt on valkey-8.1: ok (1 passed; 0 failed; 0 skipped)\n"), "{}", o.stdout);
}

/// When the rules do not load, DRYRUN answers as the server then does (without their
/// users), and the failure says so.
#[test]
fn cli_rules_that_do_not_load() {
    let d = support::Dir::new("workshop-test-refused");
    d.file("users.acl", "user app on >pw ~app:* +@all\nuser broken on +nosuch\n");
    d.file("tests.txt", "app: GET app:1 => allow\nuser app => accepted\nuser broken => rejected\nload => rejected\n");
    let o = d.run(&["test", "users.acl", "tests.txt"], None);
    assert_eq!(o.code, 1);
    assert!(o.stdout.contains("got error: \"ERR User 'app' not found\""), "{}", o.stdout);
    assert!(
        o.stdout.contains(
            "note: the server refuses the rules (ACL LOAD: ERR users.acl:2: Error in applying operation '+nosuch'"
        ),
        "{}",
        o.stdout
    );
    assert!(o.stdout.ends_with("tests.txt on redis-7.0: FAILED (3 passed; 1 failed; 0 skipped)\n"), "{}", o.stdout);
}

#[test]
fn cli_coverage() {
    let d = support::Dir::new("workshop-test-coverage");
    d.file("users.acl", RULES);
    d.file("tests.txt", "app: GET app:1 => allow\napp: GET other => deny\napp: FLUSHALL => deny\n");
    let o = d.run(&["test", "users.acl", "tests.txt", "--coverage"], None);
    assert_eq!(o.code, 0, "{}", o.stderr);
    insta::assert_snapshot!("test-coverage", o.stdout);
    let o = d.run(&["test", "users.acl", "tests.txt", "--min-coverage", "50"], None);
    assert_eq!(o.code, 1);
    assert!(o.stderr.contains("error: coverage below --min-coverage 50%"), "{}", o.stderr);
    let o = d.run(&["--format", "json", "test", "users.acl", "tests.txt", "--min-coverage", "10"], None);
    assert_eq!(o.code, 0);
    let c = &o.json()["coverage"][0];
    assert_eq!(c["total"], 14);
    assert_eq!(c["covered"], 3);
    assert_eq!(c["untested_users"], serde_json::json!(["default", "cache"]));
    let app = &c["users"][1];
    let pinned: Vec<(&str, Option<u64>)> = app["units"]
        .as_array()
        .unwrap()
        .iter()
        .map(|u| (u["text"].as_str().unwrap(), u["pinned_by_line"].as_u64()))
        .collect();
    assert_eq!(
        pinned,
        [
            ("on", None),
            (">app-secret-password-long-enough", None),
            ("~app:*", Some(1)),
            ("+@all", Some(1)),
            ("-@dangerous", Some(3))
        ]
    );
    let o = d.run(&["test", "users.acl", "tests.txt", "--min-coverage", "101"], None);
    assert_eq!(o.code, 2);
}
