//! The security lint (issue 4), through the real binary:
//!
//! - every code in `aclplay::audit::RULES` has an input that triggers it (at the right
//!   line:column, with the right severity) and a clean input the server accepts that does
//!   not, both run through `aclplay lint --format json`;
//! - the JSON, text and SARIF outputs have snapshots, and the SARIF output validates
//!   against the OASIS SARIF 2.1.0 schema (tests/data/sarif-schema-2.1.0.json, copied from
//!   serde-sarif 0.8.0) and agrees with the JSON output;
//! - every fix, applied, gives input the engine accepts without that finding; and the
//!   real servers accept it too (ACL file loaded at start-up, redis.conf start-up, redis-cli
//!   lines sent one by one) — skipped with a notice when no server is installed, unless
//!   `CI` or `ACLPLAY_REQUIRE_ORACLES` is set;
//! - the examples of the security guide our users follow: the setup without
//!   authentication is `default-user-open` (and really open on a live server); its
//!   recommended app, cache, analytics and monitor users raise no error-severity finding.
//!   (Its client snippets are not linted: the library has no client-snippet input yet.)

mod common;
mod support;

use aclplay::audit::{Edit, Fix, RULES};
use aclplay::diagnostics::Severity;
use aclplay::span::Span;
use aclplay::{Kind, Options, Profile, analyze};
use aclplay_oracle::{Reply, Server, ServerId, ServerOptions, Startup, oracle_or_skip};
use serde_json::Value;
use support::{Out, assert_valid_sarif, run, sarif_validator};

/// `sha256("foo")`, a well-formed `#<hash>`: the clean inputs store no plaintext password.
const H: &str = "2c26b46b68ffc68ff99b453c1d30413413422d706483bfa0f98a5e886266e7ae";

fn kind_id(k: Kind) -> &'static str {
    k.id()
}

/// `aclplay --server <server> lint --kind <kind> [extra…] -` with `text` on stdin.
fn lint_cli(server: &str, kind: Kind, text: &str, extra: &[&str]) -> Out {
    let mut args = vec!["--server", server, "lint", "--kind", kind_id(kind)];
    args.extend_from_slice(extra);
    args.push("-");
    run(&args, Some(text.as_bytes()))
}

fn findings(server: &str, kind: Kind, text: &str) -> Vec<Value> {
    let o = lint_cli(server, kind, text, &["--format", "json"]);
    assert!(o.code == 0 || o.code == 1, "lint failed ({}): {}", o.code, o.stderr);
    match o.json() {
        Value::Array(v) => v,
        v => panic!("lint --format json printed {v}"),
    }
}

/// 1-based line and column (in characters) of byte `offset`, computed here rather than by
/// the library under test.
fn line_col(text: &str, offset: usize) -> (u64, u64) {
    let before = &text[..offset];
    let line = before.matches('\n').count() + 1;
    let col = before.rsplit('\n').next().unwrap().chars().count() + 1;
    (line as u64, col as u64)
}

/// A `[[case]]` of tests/data/lint.toml (its header explains the fields).
#[derive(serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct Case {
    code: String,
    pins: String,
    kind: String,
    when: String,
    trigger: String,
    at: String,
    severity: String,
    clean: String,
}

/// A `[[more]]` of tests/data/lint.toml.
#[derive(serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct More {
    code: String,
    pins: String,
    kind: String,
    when: String,
    text: String,
    raised: bool,
}

#[derive(serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct CaseFile {
    case: Vec<Case>,
    more: Vec<More>,
}

fn kind_of(k: &str) -> Kind {
    Kind::by_id(k).unwrap_or_else(|| panic!("no input kind `{k}`"))
}

impl Case {
    fn kind(&self) -> Kind {
        kind_of(&self.kind)
    }
    fn servers(&self) -> Vec<&'static str> {
        common::servers_where(&self.when).iter().map(|p| p.id).collect()
    }
}

/// tests/data/lint.toml, read once; `{H}` replaced by [`H`].
fn case_file() -> &'static CaseFile {
    static FILE: std::sync::OnceLock<CaseFile> = std::sync::OnceLock::new();
    FILE.get_or_init(|| {
        let text = include_str!("data/lint.toml").replace("{H}", H);
        let f: CaseFile = toml::from_str(&text).expect("tests/data/lint.toml");
        for (pins, when) in f.case.iter().map(|c| (&c.pins, &c.when)).chain(f.more.iter().map(|m| (&m.pins, &m.when))) {
            assert!(!pins.trim().is_empty(), "a case of lint.toml does not say what it pins");
            assert!(!common::servers_where(when).is_empty(), "`when = {when:?}` selects no server version");
        }
        f
    })
}

fn cases() -> &'static [Case] {
    &case_file().case
}

fn find_case(code: &str) -> &'static Case {
    cases().iter().find(|c| c.code == code).unwrap_or_else(|| panic!("no case for `{code}`"))
}

#[test]
fn every_rule_has_a_triggering_and_a_clean_case() {
    for (code, ..) in RULES {
        assert!(cases().iter().any(|c| c.code == *code), "no case for `{code}`");
    }
    for c in cases() {
        assert!(RULES.iter().any(|r| r.0 == c.code), "`{}` is not in RULES", c.code);
    }
}

#[test]
fn each_code_triggers_and_clean_inputs_do_not() {
    for c in cases() {
        let (kind, trigger, at, clean) = (c.kind(), c.trigger.as_str(), c.at.as_str(), c.clean.as_str());
        for server in c.servers() {
            let who = format!("{} ({server}, {})", c.code, kind_id(kind));
            let found = findings(server, kind, trigger);
            let f = found
                .iter()
                .find(|f| f["code"] == c.code)
                .unwrap_or_else(|| panic!("{who}: not triggered by {trigger:?}: {found:#?}"));
            assert_eq!(f["severity"], c.severity, "{who}: severity");
            // Our message: lowercase (or starting with user input in backticks).
            let msg = f["message"].as_str().unwrap();
            assert!(msg.starts_with(|ch: char| ch.is_lowercase() || ch == '`'), "{who}: message {msg:?}");
            if at.is_empty() {
                assert_eq!((&f["line"], &f["spans"]), (&Value::Null, &serde_json::json!([])), "{who}: a span");
            } else {
                let offset = trigger.rfind(at).expect("`at` is in the trigger");
                let want = line_col(trigger, offset);
                assert_eq!((f["line"].as_u64(), f["column"].as_u64()), (Some(want.0), Some(want.1)), "{who}: where");
                let span = &f["spans"][0];
                let (s, e) = (span["start"].as_u64().unwrap() as usize, span["end"].as_u64().unwrap() as usize);
                assert_eq!(&trigger[s..e], at, "{who}: the span covers");
            }
            let found_clean = findings(server, kind, clean);
            assert!(
                !found_clean.iter().any(|f| f["code"] == c.code),
                "{who}: clean input {clean:?} triggers it: {found_clean:#?}"
            );
            // The clean input must be one the server accepts: not "clean" by being broken.
            let a = analyze(clean, &Options { kind: Some(kind), ..Options::new(Profile::by_id(server).unwrap()) });
            assert!(!a.has_errors(), "{who}: clean input has errors: {:?}", a.diagnostics);
        }
    }
    for m in &case_file().more {
        for p in common::servers_where(&m.when) {
            let found = findings(p.id, kind_of(&m.kind), &m.text);
            let got = found.iter().any(|f| f["code"] == m.code);
            assert_eq!(got, m.raised, "{} on {:?} ({}, {}): {found:#?}", m.code, m.text, p.id, m.kind);
        }
    }
}

/// `--deny` sets the severity that fails the run; `--harden` prints and exits 0.
#[test]
fn deny_levels_and_exit_codes() {
    let warning_only = find_case("all-keys").trigger.as_str();
    let error = find_case("nopass").trigger.as_str();
    let info_only = find_case("no-login").trigger.as_str();
    #[rustfmt::skip]
    let cases: &[(&str, &[&str], i32)] = &[
        (warning_only, &[], 0),
        (warning_only, &["--deny", "error"], 0),
        (warning_only, &["--deny", "warning"], 1),
        (error, &[], 1),
        (info_only, &["--deny", "warning"], 0),
        (error, &["--harden"], 0),
        (error, &["--sarif"], 1),
    ];
    for (text, args, code) in cases {
        let o = lint_cli("redis-7.0", Kind::AclFile, text, args);
        assert_eq!(o.code, *code, "lint {args:?} on {text:?}: {}", o.stderr);
    }
}

/// One input with many findings, for the output snapshots.
const SAMPLE: &str = "\
user default on nopass ~* &* +@all
user app on >secret ~app:* +@all +get -@all +set +select|0
user worker on #2c26b46b68ffc68ff99b453c1d30413413422d706483bfa0f98a5e886266e7ae ~jobs:[ allchannels +subscribe +config|set
user reader on ~* +@read
";

#[test]
fn json_text_and_sarif_snapshots() {
    let json = lint_cli("redis-7.0", Kind::AclFile, SAMPLE, &["--format", "json"]);
    assert_eq!(json.code, 1);
    insta::assert_json_snapshot!("lint-json", json.json());
    let text = lint_cli("redis-7.0", Kind::AclFile, SAMPLE, &[]);
    insta::assert_snapshot!("lint-text", text.stdout);
    let mut sarif = lint_cli("redis-7.0", Kind::AclFile, SAMPLE, &["--sarif"]).json();
    // The version changes with every release; the rest of the log must not.
    assert_eq!(sarif["runs"][0]["tool"]["driver"]["version"], env!("CARGO_PKG_VERSION"));
    sarif["runs"][0]["tool"]["driver"]["version"] = "[version]".into();
    insta::assert_json_snapshot!("lint-sarif", sarif);
}

/// Every trigger above (so every code, with and without spans, fixes and related
/// locations), the sample and a file read by name: valid SARIF 2.1.0 that says what the
/// JSON output says.
#[test]
fn sarif_validates_and_matches_json() {
    let validator = sarif_validator();
    // The validator must reject what the schema forbids, or "valid" means nothing.
    assert!(!validator.is_valid(&serde_json::json!({"version": "2.0.0", "runs": []})));
    let mut inputs: Vec<(&str, Kind, &str)> =
        cases().iter().map(|c| (c.servers()[0], c.kind(), c.trigger.as_str())).collect();
    inputs.push(("redis-7.0", Kind::AclFile, SAMPLE));
    for (server, kind, text) in inputs {
        let what = format!("{server} {}: {text:?}", kind_id(kind));
        let log = lint_cli(server, kind, text, &["--sarif"]).json();
        assert_valid_sarif(&validator, &log, &what);
        let json = findings(server, kind, text);
        let run = &log["runs"][0];
        assert_eq!(run["columnKind"], "unicodeCodePoints");
        let rules = run["tool"]["driver"]["rules"].as_array().unwrap();
        assert_eq!(rules.len(), RULES.len());
        let results = run["results"].as_array().unwrap();
        assert_eq!(results.len(), json.len(), "{what}: one result per finding");
        for (r, f) in results.iter().zip(&json) {
            assert_eq!(r["ruleId"], f["code"], "{what}");
            assert_eq!(rules[r["ruleIndex"].as_u64().unwrap() as usize]["id"], f["code"], "{what}: ruleIndex");
            let level = match f["severity"].as_str().unwrap() {
                "info" => "note",
                s => s,
            };
            assert_eq!(r["level"], level, "{what}");
            let loc = &r["locations"][0]["physicalLocation"];
            assert_eq!(loc["artifactLocation"]["uri"], "stdin");
            assert_eq!(loc["region"]["startLine"], f["line"], "{what}: line");
            assert_eq!(loc["region"]["startColumn"], f["column"], "{what}: column");
            // A fix in SARIF (character offsets) edits the text as the JSON fix (bytes) does.
            if let Some(fix) = fix_of(f) {
                let mut chars: Vec<char> = text.chars().collect();
                let mut reps: Vec<&Value> =
                    r["fixes"][0]["artifactChanges"][0]["replacements"].as_array().unwrap().iter().collect();
                reps.sort_by_key(|x| std::cmp::Reverse(x["deletedRegion"]["charOffset"].as_u64()));
                for rep in reps {
                    let at = rep["deletedRegion"]["charOffset"].as_u64().unwrap() as usize;
                    let len = rep["deletedRegion"]["charLength"].as_u64().unwrap() as usize;
                    let new: Vec<char> = rep["insertedContent"]["text"].as_str().unwrap().chars().collect();
                    chars.splice(at..at + len, new);
                }
                let by_sarif: String = chars.into_iter().collect();
                assert_eq!(by_sarif, aclplay::audit::apply(text, &[&fix]), "{what}: SARIF fix");
            }
        }
    }
    // A file read by name is named in the log.
    let dir = support::Dir::new("lint-sarif-file");
    dir.file("users.acl", SAMPLE);
    let log = dir.run(&["lint", "--sarif", "users.acl"], None).json();
    assert_valid_sarif(&validator, &log, "users.acl");
    assert_eq!(
        log["runs"][0]["results"][0]["locations"][0]["physicalLocation"]["artifactLocation"]["uri"],
        "users.acl"
    );
}

/// Columns count characters (code points), in the JSON and in SARIF, which says so.
#[test]
fn columns_count_characters() {
    let text = "user default off\nuser 🔑 on nopass\n";
    let json = findings("redis-7.0", Kind::AclFile, text);
    let f = json.iter().find(|f| f["code"] == "nopass").unwrap();
    assert_eq!((f["line"].as_u64(), f["column"].as_u64()), (Some(2), Some(11)));
    let log = lint_cli("redis-7.0", Kind::AclFile, text, &["--sarif"]).json();
    let r = log["runs"][0]["results"].as_array().unwrap().iter().find(|r| r["ruleId"] == "nopass").unwrap();
    assert_eq!(r["locations"][0]["physicalLocation"]["region"]["startColumn"], 11);
    assert_eq!(log["runs"][0]["columnKind"], "unicodeCodePoints");
}

/// Lint output goes to CI logs and code-scanning uploads: no plaintext password in it.
#[test]
fn plaintext_passwords_stay_out_of_the_output() {
    let secret = "Xk9mQ2vL7pR4tW8zN3bF6hJ1cD5gS0aE";
    let inputs = [
        (Kind::AclFile, format!("user default off\nuser app on >{secret} nopass\n")),
        (Kind::AclFile, format!("user default off\nuser app on >{secret} <{secret} #{H}\n")),
        (Kind::Config, format!("user default off\nuser app on \">{secret}\" resetpass #{H}\n")),
        (Kind::Commands, format!("ACL SETUSER default off\nACL SETUSER app on >{secret} nopass\n")),
    ];
    for (kind, text) in &inputs {
        let json = findings("redis-7.0", *kind, text);
        assert!(json.iter().any(|f| f["code"] == "order-trap"), "{text}: {json:#?}");
        for args in [&["--format", "json"][..], &[], &["--sarif"]] {
            let o = lint_cli("redis-7.0", *kind, text, args);
            assert!(!o.stdout.contains(secret), "lint {args:?} shows the password:\n{}", o.stdout);
        }
    }
}

// ---------------------------------------------------------------------------------------
// Fixes.

/// A finding's fix as the CLI printed it (the JSON), as the library's type.
fn fix_of(f: &Value) -> Option<Fix> {
    let fix = f.get("fix").filter(|x| !x.is_null())?;
    let edits = fix["edits"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| Edit {
            span: Span::new(e["span"]["start"].as_u64().unwrap() as usize, e["span"]["end"].as_u64().unwrap() as usize),
            replacement: e["replacement"].as_str().unwrap().to_string(),
        })
        .collect();
    Some(Fix { title: fix["title"].as_str().unwrap().into(), edits, safe: fix["safe"].as_bool().unwrap() })
}

/// `apply` takes a fix whole or not at all: a fix that overlaps one taken before it
/// (in the order of their first edits) is skipped entirely, never half applied.
#[test]
fn apply_takes_fixes_whole() {
    let fix = |edits: &[(usize, usize, &str)]| Fix {
        title: String::new(),
        edits: edits.iter().map(|&(s, e, r)| Edit { span: Span::new(s, e), replacement: r.into() }).collect(),
        safe: true,
    };
    let c = fix(&[(2, 3, "Q"), (4, 6, "Z")]);
    let d = fix(&[(3, 5, "W")]);
    // D's edit clashes with C's second one: D goes, C stays whole (not `abQdW` plus half of C).
    assert_eq!(aclplay::audit::apply("abcdef", &[&c, &d]), "abQdZ");
    assert_eq!(aclplay::audit::apply("abcdef", &[&d, &c]), "abQdZ");
    // Insertions at a point touch nothing; an edit past the end is skipped.
    let ins = fix(&[(2, 2, "+")]);
    let past = fix(&[(5, 9, "!")]);
    assert_eq!(aclplay::audit::apply("abcdef", &[&c, &ins, &past]), "ab+QdZ");
}

/// Inputs whose fixes are tricky: several tokens at once, quoting, selectors, each kind.
#[rustfmt::skip]
const FIX_INPUTS: &[(Kind, &str)] = &[
    // `<pw` needs the password: removing only `>pw` would break the line.
    (Kind::AclFile, "user default off\nuser a on >pw <pw\n"),
    (Kind::AclFile, "user default off\nuser a on >pw >pw <pw ~x +get\n"),
    (Kind::AclFile, "user default off\nuser a on >pw nopass\n"),
    (Kind::AclFile, "user default off\nuser a on +get +set -@all (~x +get -get) ~y allkeys\n"),
    (Kind::AclFile, "user default off\nuser a on (~x +get) clearselectors\n"),
    (Kind::AclFile, "user default off\nuser a on (+get -@all)\n"),
    (Kind::AclFile, "user a on #2c26b46b68ffc68ff99b453c1d30413413422d706483bfa0f98a5e886266e7ae (~x +@all)\n"),
    (Kind::AclFile, "user default on nopass on ~* &* +@all +get -get\n"),
    (Kind::Config, "user default off\nuser a on \">pw\" nopass \"+get\" -get\n"),
    (Kind::Config, "user default off\nuser a on \">pw\"\t'<pw' ~x\n"),
    (Kind::Config, "user a on '>x y' +@all\n"),
    (Kind::Config, "port 6379"),
    (Kind::Commands, "ACL SETUSER a on >pw +get -get\nACL SETUSER default nopass on\n"),
    (Kind::Commands, "ACL SETUSER a on >pw\nACL SETUSER a >pw <pw\n"),
    // `default` is still on from its built-in state: no `on` to turn off.
    (Kind::Commands, "ACL SETUSER default nopass ~* +get\n"),
    (Kind::Commands, "ACL SETUSER a on #2c26b46b68ffc68ff99b453c1d30413413422d706483bfa0f98a5e886266e7ae ~a:* +@all"),
    (Kind::Listing, "1) \"user default on nopass ~* &* +@all\"\n"),
    // What stops a file loading: each with the fix that makes it load.
    (Kind::AclFile, "user default off\n# users\n  # more\nuser a off ~x\n"),
    (Kind::AclFile, "user default off\nUSER a off ~x\n"),
    (Kind::AclFile, "user default off\nuser a off allkeys ~x +get\n"),
    (Kind::AclFile, "user default off\nuser a off #2C26B46B68FFC68FF99B453C1D30413413422D706483BFA0F98A5E886266E7AE\n"),
    (Kind::AclFile, "user default off\nuser a off +config|get|maxmemory\n"),
    (Kind::AclFile, "user default off\nuser a off nopas\n"),
    (Kind::AclFile, "user default off\nuser a (~x +get\n"),
    (Kind::AclFile, "user default off\nuser a off ~x (~y +get\n"),
    (Kind::AclFile, "user default off\nuser a off\nuser a on\n"),
    (Kind::AclFile, "user default off\nuser a off +clinet|list -@raed\n"),
    (Kind::Config, "# \u{202e}a note\nuser default off\n"),
];

/// One fixed text, to be checked against a live server.
struct Fixed {
    what: String,
    server: &'static str,
    kind: Kind,
    text: String,
}

fn count(found: &[Value], code: &Value, user: &Value) -> usize {
    found.iter().filter(|f| &f["code"] == code && &f["user"] == user).count()
}

fn error_codes(server: &str, kind: Kind, text: &str) -> Vec<&'static str> {
    let a = analyze(text, &Options { kind: Some(kind), ..Options::new(Profile::by_id(server).unwrap()) });
    a.diagnostics.iter().filter(|d| d.severity == Severity::Error).map(|d| d.code()).collect()
}

fn accepted(server: &str, kind: Kind, text: &str) -> Result<(), String> {
    match error_codes(server, kind, text) {
        e if e.is_empty() => Ok(()),
        e => Err(format!("{e:?}")),
    }
}

/// A fix must not break the input: accepted input stays accepted (and goes to the live
/// servers); input the server refuses gets no new error, and when the fix leaves none
/// (it fixed what stopped the file loading) the live servers must accept it too.
fn check_fixed(server: &'static str, kind: Kind, text: &str, fixed: &str, what: String, out: &mut Vec<Fixed>) {
    let before = error_codes(server, kind, text);
    let after = error_codes(server, kind, fixed);
    if before.is_empty() {
        assert!(after.is_empty(), "{what}: the fixed input {fixed:?} has errors: {after:?}");
    } else {
        assert!(
            after.iter().all(|c| before.contains(c)),
            "{what}: new errors in {fixed:?}: {after:?} (had {before:?})"
        );
    }
    if after.is_empty() {
        out.push(Fixed { what, server, kind, text: fixed.to_string() });
    }
}

/// Applies each fix alone, and all safe ones (`lint --harden`), to every trigger and fix
/// input; checks the engine accepts the result and the finding is gone. Returns what was
/// fixed, for the live servers.
fn fixed_texts() -> Vec<Fixed> {
    let mut inputs: Vec<(&'static str, Kind, &'static str)> = Vec::new();
    for c in cases() {
        inputs.extend(c.servers().into_iter().map(|s| (s, c.kind(), c.trigger.as_str())));
    }
    // The fix inputs on every version of the registry (so that each one's server is asked).
    for &(kind, text) in FIX_INPUTS {
        inputs.extend(aclplay::PROFILES.iter().map(|p| (p.id, kind, text)));
    }
    let mut out = Vec::new();
    for (server, kind, text) in inputs {
        let before = findings(server, kind, text);
        for f in &before {
            let Some(fix) = fix_of(f) else { continue };
            let what = format!("{server} {}: fix {:?} of `{}` in {text:?}", kind_id(kind), fix.title, f["code"]);
            let after_text = aclplay::audit::apply(text, &[&fix]);
            assert_ne!(after_text, text, "{what}: changes nothing");
            let after = findings(server, kind, &after_text);
            assert!(
                count(&after, &f["code"], &f["user"]) < count(&before, &f["code"], &f["user"]),
                "{what}: still there in {after_text:?}: {after:#?}"
            );
            check_fixed(server, kind, text, &after_text, what, &mut out);
        }
        // Harden: every safe fix at once, through the CLI.
        let o = lint_cli(server, kind, text, &["--harden"]);
        assert_eq!(o.code, 0);
        let hardened = o.stdout;
        let what = format!("{server} {}: --harden of {text:?}", kind_id(kind));
        let after = findings(server, kind, &hardened);
        for f in &before {
            if fix_of(f).is_some_and(|x| x.safe) {
                assert!(
                    count(&after, &f["code"], &f["user"]) < count(&before, &f["code"], &f["user"]),
                    "{what}: `{}` still there in {hardened:?}",
                    f["code"]
                );
            }
        }
        if hardened != text {
            check_fixed(server, kind, text, &hardened, what, &mut out);
        }
    }
    out
}

#[test]
fn fixes_give_accepted_input_without_the_finding() {
    let fixed = fixed_texts();
    // Every kind of fix was exercised, on every kind of input that has one.
    for title in [
        "turn the default user off",
        "add `user default off`",
        "add `ACL SETUSER default off`",
        "add `-@dangerous` after it",
    ] {
        assert!(fixed.iter().any(|f| f.what.contains(title)), "no fix titled {title:?} was applied");
    }
    for needle in [
        "replace it with `#",
        "replace it with `!",
        "remove `+get`",
        "and `<…`",
        "remove the comment line",
        "replace `+gett` with `+get`",
        "write the hash in lowercase",
        "close the selector",
        "remove this later definition",
        "write `user` in lowercase",
    ] {
        assert!(fixed.iter().any(|f| f.what.contains(needle)), "no fix {needle:?} was applied");
    }
    for kind in Kind::ALL {
        assert!(fixed.iter().any(|f| f.kind == kind), "no fix on {}", kind_id(kind));
    }
}

/// The engine's word that the fixed input is fine must be the server's: each fixed text,
/// loaded into the real server.
fn live_fixes(id: ServerId) {
    let test = format!("lint fixes against {id}");
    if oracle_or_skip(id, &test).is_none() {
        return;
    }
    // The check can fail: the server refuses these.
    assert!(live_accepts(id, Kind::AclFile, "user a on >pw <other\n").is_err());
    assert!(live_accepts(id, Kind::Config, "user a on\nuser a off\n").is_err());
    assert!(live_accepts(id, Kind::Commands, "ACL SETUSER a on\nACL SETUSER a <pw\n").is_err());
    assert!(live_accepts(id, Kind::Listing, "1) \"user a on foo\"\n").is_err());
    let fixed: Vec<Fixed> = fixed_texts().into_iter().filter(|f| f.server == id.as_str()).collect();
    assert!(!fixed.is_empty());
    for f in &fixed {
        if let Err(e) = live_accepts(id, f.kind, &f.text) {
            panic!("{id}: {}: the server refuses {:?}: {e}", f.what, f.text);
        }
    }
    eprintln!("{id}: {} fixed inputs accepted", fixed.len());
}

/// Starts a server on the input: an ACL file (as a listing, its lines) is its `aclfile`,
/// a redis.conf its config, and redis-cli lines are sent one by one.
fn live_accepts(id: ServerId, kind: Kind, text: &str) -> Result<(), String> {
    let opts = match kind {
        Kind::AclFile => ServerOptions { acl_file: Some(text.to_string()), ..ServerOptions::default() },
        Kind::Listing => {
            let lines: Vec<String> = text
                .lines()
                .filter_map(|l| l.split_once(") "))
                .map(|(_, q)| {
                    let arg = aclplay::input::split::split_args(q.as_bytes(), 0).unwrap().pop().unwrap();
                    String::from_utf8(arg.bytes).unwrap()
                })
                .collect();
            ServerOptions { acl_file: Some(lines.join("\n") + "\n"), ..ServerOptions::default() }
        }
        Kind::Config => {
            ServerOptions { config: Some(text.to_string()), aclfile_arg: false, ..ServerOptions::default() }
        }
        Kind::Commands => ServerOptions { aclfile_arg: false, ..ServerOptions::default() },
    };
    let server = match Server::launch(id, opts)? {
        Startup::Ok(s) => s,
        Startup::Exited { code, output } => return Err(format!("exited ({code:?}):\n{}", output.join("\n"))),
        Startup::Crashed { signal, output } => return Err(format!("crashed ({signal}):\n{}", output.join("\n"))),
    };
    if kind == Kind::Commands {
        let mut conn = server.connect()?;
        for line in text.lines() {
            let argv: Vec<Vec<u8>> =
                aclplay::input::split::split_args(line.as_bytes(), 0).unwrap().into_iter().map(|a| a.bytes).collect();
            match conn.command(&argv).map_err(|e| e.to_string())? {
                Reply::Error(e) => return Err(format!("{line}: {}", String::from_utf8_lossy(&e))),
                _ => continue,
            }
        }
    }
    Ok(())
}

#[test]
fn live_fixes_every_server() {
    ServerId::all().for_each(live_fixes);
}

// ---------------------------------------------------------------------------------------
// The security guide's examples (shared/seed: "Always Use Authentication in Production").

/// "Incorrect: No authentication": a server started without `requirepass` or users.
const SEED_INCORRECT: &str = "bind 127.0.0.1\nport 6379\n";

/// "Correct: Configure authentication", the redis.conf block.
const SEED_CORRECT: &str = "\
# In redis.conf
requirepass your-very-strong-password-here-min-32-chars

# Or use ACL (Redis 6.0+) for fine-grained control
user default off
user app on >strong-password ~app:* +@all -@dangerous
user readonly on >readonly-password ~* +@read -@write -@admin
";

/// "ACL best practices (Redis 6.0+)", verbatim: comments, so a redis.conf.
const SEED_BEST: &str = "\
# Create specific users with minimal permissions

# Application user - access only app:* keys
user app on >app-secret-password ~app:* +@all -@dangerous -@admin

# Cache user - read/write cache:* keys only
user cache on >cache-password ~cache:* +get +set +del +expire +ttl -@admin

# Analytics user - read-only access
user analytics on >analytics-password ~* +@read -@write -@admin

# Monitoring user - only INFO and monitoring commands
user monitor on >monitor-password ~* +info +slowlog +client +memory -@write
";

/// The same users as an ACL file (which has no comments).
fn seed_best_acl() -> String {
    SEED_BEST.lines().filter(|l| l.starts_with("user ")).map(|l| format!("{l}\n")).collect()
}

#[test]
fn seed_incorrect_setup_is_default_user_open() {
    for server in common::servers_where("all").iter().map(|p| p.id) {
        let found = findings(server, Kind::Config, SEED_INCORRECT);
        let open: Vec<&Value> = found.iter().filter(|f| f["code"] == "default-user-open").collect();
        assert_eq!(open.len(), 1, "{server}: {found:#?}");
        assert_eq!(open[0]["severity"], "error");
        assert_eq!(lint_cli(server, Kind::Config, SEED_INCORRECT, &[]).code, 1);
    }
    // An empty ACL file leaves `default` open too.
    assert!(findings("redis-7.0", Kind::AclFile, "").iter().any(|f| f["code"] == "default-user-open"));
}

#[test]
fn seed_recommended_users_raise_no_error() {
    let users = ["app", "cache", "analytics", "monitor"];
    for server in common::servers_where("all").iter().map(|p| p.id) {
        for (kind, text) in [(Kind::Config, SEED_BEST.to_string()), (Kind::AclFile, seed_best_acl())] {
            accepted(server, kind, &text).unwrap_or_else(|e| panic!("{server}: the guide's users: {e}"));
            let found = findings(server, kind, &text);
            for u in users {
                assert!(found.iter().any(|f| f["user"] == u), "{server}: nothing at all about `{u}`? {found:#?}");
                let errors: Vec<&Value> = found.iter().filter(|f| f["user"] == u && f["severity"] == "error").collect();
                assert!(errors.is_empty(), "{server} {}: `{u}` has errors: {errors:#?}", kind_id(kind));
            }
        }
        // The guide's "correct" block: `default` is off and no finding is an error.
        let found = findings(server, Kind::Config, SEED_CORRECT);
        assert!(found.iter().all(|f| f["severity"] != "error"), "{server}: {found:#?}");
        assert!(found.iter().any(|f| f["code"] == "requirepass-overridden"), "{server}: {found:#?}");
    }
}

/// On a live server, the guide's setup without authentication answers anyone, and the
/// hardened one does not; its recommended users load.
fn live_seed(id: ServerId) {
    if oracle_or_skip(id, &format!("seed examples against {id}")).is_none() {
        return;
    }
    let ping = |config: &str| -> Reply {
        let opts = ServerOptions { config: Some(config.to_string()), aclfile_arg: false, ..ServerOptions::default() };
        let server = Server::start(id, opts).unwrap();
        server.connect().unwrap().command(&["PING"]).unwrap()
    };
    assert_eq!(ping(SEED_INCORRECT), Reply::Simple(b"PONG".to_vec()), "{id}: the open setup answers");
    let hardened = lint_cli(id.as_str(), Kind::Config, SEED_INCORRECT, &["--harden"]).stdout;
    assert!(hardened.ends_with("user default off\n"), "{hardened:?}");
    let reply = ping(&hardened);
    assert!(
        matches!(&reply, Reply::Error(e) if e.starts_with(b"NOAUTH")),
        "{id}: after --harden, PING without a password gets {reply:?}"
    );
    live_accepts(id, Kind::Config, SEED_BEST).unwrap_or_else(|e| panic!("{id}: guide's redis.conf: {e}"));
    live_accepts(id, Kind::AclFile, &seed_best_acl()).unwrap_or_else(|e| panic!("{id}: guide's ACL file: {e}"));
}

#[test]
fn live_seed_every_server() {
    ServerId::all().for_each(live_seed);
}
