//! Challenges: the built-in track and the example pack validate against the pack
//! schema and are sound (`aclplay challenge check` through the real binary: every
//! solution passes all its checks, every starter fails one); each built-in challenge is
//! solved by its solution and not by its starter (`aclplay challenge try --hidden`); bad
//! packs get their problems at line:column of the pack.

mod support;

use aclplay::workshop::challenge::{self, Mode, Progress, join};
use serde_json::Value;

const TRACK: &str = include_str!("../data/challenges/track.json");
const EXAMPLE: &str = include_str!("../docs/examples/pack.json");

fn validator() -> jsonschema::Validator {
    let schema: Value = serde_json::from_str(include_str!("../data/challenges/pack.schema.json")).unwrap();
    jsonschema::validator_for(&schema).expect("the pack schema compiles")
}

fn errors(v: &jsonschema::Validator, doc: &Value) -> Vec<String> {
    v.iter_errors(doc).map(|e| format!("{} at {}", e, e.instance_path())).collect()
}

#[test]
fn packs_validate_against_the_schema() {
    let v = validator();
    for (name, text) in [("track", TRACK), ("example", EXAMPLE)] {
        let doc: Value = serde_json::from_str(text).unwrap();
        let e = errors(&v, &doc);
        assert!(e.is_empty(), "{name}: {}", e.join("\n"));
    }
    // What the schema forbids, it rejects (or "valid" would mean nothing).
    let mut doc: Value = serde_json::from_str(EXAMPLE).unwrap();
    doc["challenges"][0].as_object_mut().unwrap().remove("goal");
    assert!(!v.is_valid(&doc));
    let mut doc: Value = serde_json::from_str(EXAMPLE).unwrap();
    doc["challenges"][1].as_object_mut().unwrap().remove("intended");
    assert!(!v.is_valid(&doc), "find-the-hole needs the intended rules");
    let mut doc: Value = serde_json::from_str(EXAMPLE).unwrap();
    doc["challenges"][0]["level"] = "trivial".into();
    assert!(!v.is_valid(&doc));
    let mut doc: Value = serde_json::from_str(EXAMPLE).unwrap();
    doc["challenges"][0]["checks"][0] = "a\nb".into();
    assert!(!v.is_valid(&doc), "a line holds no line break");
}

/// The static track build.rs makes is the JSON file, and a pack survives a round trip
/// through JSON; so does a trainee's progress.
#[test]
fn builtin_track_is_the_json_file_and_round_trips() {
    let parsed = challenge::json::pack_from_json(TRACK).unwrap();
    let mut builtin = challenge::builtin().clone();
    builtin.schema = parsed.schema.clone();
    assert_eq!(builtin, parsed);
    assert!(builtin.challenges.len() >= 10);
    let again = challenge::json::pack_from_json(&challenge::json::pack_to_json(&builtin)).unwrap();
    assert_eq!(again, builtin);
    let p = Progress {
        pack: "builtin".into(),
        challenge: "selectors".into(),
        work: "user app on ~app:* +@all\n".into(),
        hints: 2,
        revealed: false,
        server: Some("valkey-8.1".into()),
    };
    assert_eq!(challenge::json::progress_from_json(&challenge::json::progress_to_json(&p)).unwrap(), p);
    let e = challenge::json::progress_from_json("{\"pack\": \"builtin\",\n \"nope\": 1}").unwrap_err();
    assert_eq!((e.line, e.column), (2, 7), "{e}");
}

/// The CI check of the built-in track, through the real binary.
#[test]
fn challenge_check_builtin_track() {
    let d = support::Dir::new("challenge-check-builtin");
    let o = d.run(&["challenge", "check"], None);
    assert_eq!(o.code, 0, "{}{}", o.stdout, o.stderr);
    let n = challenge::builtin().challenges.len();
    assert!(
        o.stdout.starts_with(&format!("the built-in track: {n} challenge(s) ok: every solution passes")),
        "{}",
        o.stdout
    );
    d.file("pack.json", EXAMPLE);
    let o = d.run(&["challenge", "check", "pack.json"], None);
    assert_eq!(o.code, 0, "{}{}", o.stdout, o.stderr);
    let o = d.run(&["--format", "json", "challenge", "check"], None);
    assert_eq!(o.json()["ok"], true);
}

/// Each built-in challenge through `aclplay challenge try`: its solution solves it, with
/// the hidden checks, on every version; its starter does not.
#[test]
fn each_builtin_challenge_is_solved_by_its_solution_only() {
    let d = support::Dir::new("challenge-try-builtin");
    for c in challenge::builtin().challenges.iter() {
        d.file("solution.acl", join(&c.solution));
        let o = d.run(&["challenge", "try", &c.id, "solution.acl", "--hidden"], None);
        assert_eq!(o.code, 0, "{}: {}{}", c.id, o.stdout, o.stderr);
        assert!(o.stdout.lines().all(|l| l.contains(": solved")), "{}: {}", c.id, o.stdout);
        let starter = if c.mode == Mode::FindTheHole { "GET app:1\n".to_string() } else { join(&c.starter) };
        d.file("starter.acl", starter);
        let o = d.run(&["challenge", "try", &c.id, "starter.acl", "--hidden"], None);
        assert_eq!(o.code, 1, "{}: the starter solves it: {}", c.id, o.stdout);
    }
    let o = d.run(&["challenge", "show", "close-default", "--hints", "1"], None);
    assert_eq!(o.code, 0);
    assert!(o.stdout.contains("user app on >") && o.stdout.contains("(locked)") && o.stdout.contains("Hint 1:"));
    assert!(!o.stdout.contains("Hint 2:") && !o.stdout.contains("A solution:"), "{}", o.stdout);
    let o = d.run(&["--format", "json", "challenge", "show", "close-default"], None);
    let v = o.json();
    assert!(v.get("solution").is_none() && v["hidden"].is_u64(), "hidden checks and the solution stay hidden: {v}");
    let o = d.run(&["challenge", "show", "nope"], None);
    assert_eq!(o.code, 2);
    assert!(o.stderr.contains("the built-in track has no challenge `nope`; it has: close-default,"), "{}", o.stderr);
}

#[test]
fn challenge_check_reports_problems_at_line_and_column() {
    let d = support::Dir::new("challenge-check-bad");
    // Not JSON: serde's place.
    d.file("broken.json", "{\n  \"format\": 1,\n  \"id\": x\n}\n");
    let o = d.run(&["challenge", "check", "broken.json"], None);
    assert_eq!(o.code, 3, "{}", o.stderr);
    assert!(o.stderr.contains("broken.json:3:9: not a trainer pack: expected value"), "{}", o.stderr);
    // A bad check line, a solution that fails, a starter that passes, a duplicate id.
    let mut doc: Value = serde_json::from_str(EXAMPLE).unwrap();
    doc["challenges"][0]["checks"][1] = "orders: GET payments:7 => deny keys payments:7".into();
    doc["challenges"][1]["solution"] = serde_json::json!(["GET report:1"]);
    let mut third = doc["challenges"][0].clone();
    third["checks"] = serde_json::json!(["orders: GET orders:1 => allow"]);
    third["starter"] = third["solution"].clone();
    doc["challenges"].as_array_mut().unwrap().push(third);
    let text = serde_json::to_string_pretty(&doc).unwrap();
    d.file("bad.json", &text);
    let o = d.run(&["challenge", "check", "bad.json"], None);
    assert_eq!(o.code, 1);
    let lines: Vec<&str> = o.stdout.lines().collect();
    // The check line's error: at its column inside the JSON string.
    let at = text.find("keys payments").unwrap();
    let line = text[..at].matches('\n').count() + 1;
    let col = at - text[..at].rfind('\n').unwrap();
    assert!(
        lines[0].starts_with(&format!("bad.json:{line}:{col}: challenge `orders-service`, checks[1]: expected")),
        "{}",
        o.stdout
    );
    let rest = lines[1..].join("\n");
    assert!(
        rest.contains("challenge `orders-service`, id: challenge id `orders-service` is used by challenge 1 too"),
        "{rest}"
    );
    assert!(
        rest.contains("challenge `orders-service`, starter: on redis-7.0, the starter already passes every check"),
        "{rest}"
    );
    assert!(
        rest.contains("challenge `reports-hole`, solution[0]: on redis-7.0, the solution is not a hole: the intended rules allow it"),
        "{rest}"
    );
    assert!(o.stdout.ends_with(" problem(s)\n"), "{}", o.stdout);
}
