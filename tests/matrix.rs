//! `aclplay matrix` through the real binary: text, CSV, Markdown and JSON (snapshots),
//! and that each cell's counts are the commands behind it.

mod support;

use support::Dir;

const USERS: &str = "user default off
user app on >apppw ~app:* &app:* +@all -@dangerous
user cache on >cachepw ~cache:* -@all +get +set +del +expire +select|0
user ro on >ropw %R~* (~audit:* +@read) +@read -keys
";

#[test]
fn every_format() {
    let d = Dir::new("matrix");
    d.file("users.acl", USERS);
    let o = d.run(&["matrix", "users.acl"], None);
    assert_eq!(o.code, 0, "{}", o.stderr);
    insta::assert_snapshot!("matrix-text", o.stdout);
    let o = d.run(&["--format", "csv", "matrix", "users.acl"], None);
    insta::assert_snapshot!("matrix-csv", o.stdout);
    let rows: Vec<&str> = o.stdout.split("\r\n").filter(|l| !l.is_empty()).collect();
    assert_eq!(rows.len(), 5, "a header and four users");
    assert!(rows.iter().all(|r| r.split(',').count() == rows[0].split(',').count()), "same columns");
    let o = d.run(&["--format", "markdown", "matrix", "users.acl"], None);
    insta::assert_snapshot!("matrix-markdown", o.stdout);
    let v = d.run(&["--format", "json", "matrix", "users.acl"], None).json();
    insta::assert_json_snapshot!("matrix-json", v);
    let rows = v["rows"].as_array().unwrap();
    let cell = |user: &str, cat: &str| {
        let r = rows.iter().find(|r| r["user"] == user).unwrap();
        r["cells"].as_array().unwrap().iter().find(|c| c["category"] == cat).unwrap().clone()
    };
    // Each cell expands to its commands: the count is theirs.
    for r in rows {
        for c in r["cells"].as_array().unwrap() {
            assert_eq!(c["allowed"].as_u64().unwrap() as usize, c["commands"].as_array().unwrap().len());
        }
    }
    assert_eq!(cell("cache", "connection")["level"], "some");
    assert_eq!(cell("cache", "connection")["first_args"][0], "select|0");
    assert_eq!(cell("app", "dangerous")["level"], "none");
    assert_eq!(cell("ro", "read")["level"], "all", "KEYS is removed from the root but the selector has @read");
    let ro = rows.iter().find(|r| r["user"] == "ro").unwrap();
    assert!(ro["dangerous"].as_array().unwrap().iter().any(|c| c == "keys"));
    assert_eq!(ro["patterns"][1]["keys"][0][0], "audit:*");
    let o = d.run(&["--format", "sarif", "matrix", "users.acl"], None);
    assert_eq!(o.code, 2);
    assert!(o.stderr.contains("it prints text, csv, markdown, json"), "{}", o.stderr);
}
